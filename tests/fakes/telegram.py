"""A small Telegram Bot API server for tests: it queues updates for getUpdates and records
everything the bot sends, so the real python-telegram-bot stack runs over real HTTP."""

import asyncio
import itertools
import json
import ssl
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from bot.adapters.webserver import serve

BOT_USER = {"id": 999000, "is_bot": True, "first_name": "nearmiss", "username": "nearmiss_test_bot"}


@dataclass
class Call:
    method: str
    params: dict[str, Any]


@dataclass
class FakeBotAPI:
    token: str = "123456:TEST-token"
    calls: list[Call] = field(default_factory=list)
    messages: dict[int, dict[str, Any]] = field(default_factory=dict)  # the bot's, by message id
    webhook: dict[str, Any] | None = None
    tls: ssl.SSLContext | None = None  # serve HTTPS with it

    def __post_init__(self) -> None:
        self._updates: list[dict[str, Any]] = []
        self._arrived = asyncio.Condition()
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self._closing = False
        self._by_chat: dict[int, list[int]] = {}
        self._chat_changed: dict[int, asyncio.Event] = {}
        self._failures: dict[str, list[tuple[int, str, int | None]]] = {}
        self._late: dict[str, list[float]] = {}  # seconds the next calls of a method answer late
        self.confirmed_offset = 0

    # Serving.

    async def start(self, port: int = 0) -> None:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        self._runner, self.port = await serve(app, "127.0.0.1", port, self.tls)

    async def stop(self) -> None:
        self._closing = True
        async with self._arrived:
            self._arrived.notify_all()
        await self._runner.cleanup()

    async def go_away(self) -> None:
        """Becomes unreachable, as the Bot API in an outage: connections are refused until
        `come_back`; queued updates are kept."""
        await self.stop()
        self._closing = False

    async def come_back(self) -> None:
        await self.start(self.port)

    @property
    def base_url(self) -> str:
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}/bot"

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return _error(401, "Unauthorized")
        params = await _params(request)
        method = request.match_info["method"]
        self.calls.append(Call(method, params))
        if self._failures.get(method):
            code, description, retry_after = self._failures[method].pop(0)
            return _error(code, description, retry_after)
        handler = getattr(self, f"_api_{method}", None)
        if handler is None:
            return _error(404, "Not Found: method not found")
        response = await handler(params)
        if self._late.get(method):
            await asyncio.sleep(self._late[method].pop(0))  # done, and said late
        return response

    # Bot API methods.

    async def _api_getMe(self, params):
        return _ok(BOT_USER)

    async def _api_deleteWebhook(self, params):
        self.webhook = None
        return _ok(True)

    async def _api_setWebhook(self, params):
        self.webhook = params
        return _ok(True)

    async def _api_setMyCommands(self, params):
        return _ok(True)

    async def _api_answerCallbackQuery(self, params):
        return _ok(True)

    async def _api_getUpdates(self, params):
        # As Telegram does: an offset confirms every earlier update, which is then forgotten;
        # updates fetched but never confirmed are delivered again.
        offset = int(params.get("offset") or 0)
        self.confirmed_offset = max(self.confirmed_offset, offset)
        self._updates = [u for u in self._updates if u["update_id"] >= self.confirmed_offset]
        deadline = time.monotonic() + float(params.get("timeout") or 0)
        async with self._arrived:
            while True:
                pending = [u for u in self._updates if u["update_id"] >= self.confirmed_offset]
                remaining = deadline - time.monotonic()
                if pending or remaining <= 0 or self._closing:
                    return _ok(pending)
                try:
                    await asyncio.wait_for(self._arrived.wait(), remaining)
                except TimeoutError:
                    pass

    async def _api_sendMessage(self, params):
        if len(params.get("text", "")) > 4096:
            return _error(400, "Bad Request: message is too long")
        message = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": int(params["chat_id"]), "type": "private"},
            "from": BOT_USER,
            "text": params["text"],
        }
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        self.messages[message["message_id"]] = message
        self._by_chat.setdefault(message["chat"]["id"], []).append(message["message_id"])
        self._changed_in(message["chat"]["id"])
        return _ok(message)

    async def _api_sendPhoto(self, params):
        photo = params["photo"]
        response = await self._api_sendMessage({**params, "text": params.get("caption", "")})
        message = self.messages[max(self.messages)]
        message["photo_bytes"] = photo.file.read() if hasattr(photo, "file") else photo
        return response

    async def _api_editMessageText(self, params):
        message = self.messages[int(params["message_id"])]
        message["text"] = params["text"]
        _set_markup(message, params.get("reply_markup"))
        self._changed_in(message["chat"]["id"])
        return _ok(message)

    async def _api_editMessageReplyMarkup(self, params):
        message = self.messages[int(params["message_id"])]
        _set_markup(message, params.get("reply_markup"))
        return _ok(message)

    def fail(self, method: str, code: int, description: str, *, times: int = 1, retry_after: int | None = None) -> None:
        """Makes the next calls of a method fail as Telegram would."""
        self._failures.setdefault(method, []).extend([(code, description, retry_after)] * times)

    def answer_late(self, method: str, seconds: float, *, times: int = 1) -> None:
        """Makes the next calls of a method take effect at once but answer `seconds` later."""
        self._late.setdefault(method, []).extend([seconds] * times)

    # What tests do as Telegram users.

    async def push(self, update: dict[str, Any]) -> int:
        """Queues an update for the bot and returns its id."""
        update = {"update_id": next(self._update_ids), **update}
        async with self._arrived:
            self._updates.append(update)
            self._arrived.notify_all()
        return update["update_id"]

    def sent_to(self, chat_id: int) -> list[dict[str, Any]]:
        """Returns every message the bot sent to a chat, oldest first, as they now read."""
        return [self.messages[i] for i in self._by_chat.get(chat_id, [])]

    def _changed_in(self, chat_id: int) -> None:
        self._chat_changed.setdefault(chat_id, asyncio.Event()).set()

    def forget_changes(self, chat_id: int) -> None:
        """Forgets the changes in a chat so far: `next_change` waits for one after this."""
        self._chat_changed.pop(chat_id, None)

    async def next_change(self, chat_id: int, timeout: float) -> None:
        """Waits until the bot sends or edits a message in a chat."""
        event = self._chat_changed.setdefault(chat_id, asyncio.Event())
        await asyncio.wait_for(event.wait(), timeout)
        event.clear()


def user(user_id: int) -> dict[str, Any]:
    return {"id": user_id, "is_bot": False, "first_name": "Reporter", "language_code": "en"}


def text_update(user_id: int, text: str, *, chat_type: str = "private") -> dict[str, Any]:
    message = {
        "message_id": int(time.monotonic_ns() % 1_000_000_000),
        "date": int(time.time()),
        "chat": {"id": user_id, "type": chat_type},
        "from": user(user_id),
        "text": text,
    }
    if text.startswith("/"):
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
    return {"message": message}


def callback_update(user_id: int, message: dict[str, Any], data: str) -> dict[str, Any]:
    return {
        "callback_query": {
            "id": str(time.monotonic_ns()),
            "from": user(user_id),
            "chat_instance": str(user_id),
            "message": message,
            "data": data,
        }
    }


def buttons(message: dict[str, Any]) -> list[dict[str, str]]:
    """Returns the inline buttons of a bot message, row by row flattened."""
    markup = message.get("reply_markup") or {}
    return [button for row in markup.get("inline_keyboard", []) for button in row]


def _set_markup(message: dict[str, Any], markup: Any) -> None:
    if markup:
        message["reply_markup"] = markup
    else:
        message.pop("reply_markup", None)


async def _params(request: web.Request) -> dict[str, Any]:
    if request.content_type == "application/json":
        return await request.json()
    form = await request.post()
    params = {}
    for key, value in form.items():
        try:
            params[key] = json.loads(value) if key in ("reply_markup", "allowed_updates", "commands") else value
        except (TypeError, ValueError):
            params[key] = value
    return params


def _ok(result: Any) -> web.Response:
    return web.json_response({"ok": True, "result": result})


def _error(code: int, description: str, retry_after: int | None = None) -> web.Response:
    body = {"ok": False, "error_code": code, "description": description}
    if retry_after is not None:
        body["parameters"] = {"retry_after": retry_after}
    return web.json_response(body, status=code)
