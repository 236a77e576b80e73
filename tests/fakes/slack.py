"""A small Slack Web API server for tests, and a Slack that signs and sends payloads to the
real Bolt app over HTTP, as Slack's servers do."""

import asyncio
import itertools
import json
import ssl
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp
import yaml
from aiohttp import web
from slack_sdk.signature import SignatureVerifier

from bot.adapters.webserver import serve

TEAM = "T0NEARMISS"
BOT_USER = "U0BOT"
MANIFEST = Path(__file__).parents[2] / "slack-manifest.yaml"
# The bot scope each Web API method the app calls needs, as Slack's method pages list them.
SCOPE_OF = {
    "chat.postMessage": "chat:write",
    "chat.update": "chat:write",
    "conversations.open": "im:write",
    "files.getUploadURLExternal": "files:write",
    "files.completeUploadExternal": "files:write",
}


def manifest_scopes() -> frozenset[str]:
    """Returns the bot scopes slack-manifest.yaml asks for: what an installed app is granted."""
    return frozenset(yaml.safe_load(MANIFEST.read_text())["oauth_config"]["scopes"]["bot"])


@dataclass
class Call:
    method: str
    params: dict[str, Any]


@dataclass
class FakeSlackAPI:
    calls: list[Call] = field(default_factory=list)
    messages: dict[str, dict[str, Any]] = field(default_factory=dict)  # by ts
    views: list[dict[str, Any]] = field(default_factory=list)  # opened or published, with their ids
    files: dict[str, dict[str, Any]] = field(default_factory=dict)  # uploaded, by file id
    tls: ssl.SSLContext | None = None  # serve HTTPS (and secure websockets) with it
    scopes: frozenset[str] = field(default_factory=manifest_scopes)  # granted: a call needing another is refused

    def __post_init__(self) -> None:
        self._ts = itertools.count(1)
        self._views = itertools.count(1)
        self._changed = asyncio.Condition()
        self._by_channel: dict[str, list[str]] = {}  # message timestamps, oldest first
        self._seen_change: dict[str, asyncio.Event] = {}  # by channel, or by trigger id for views.open
        self._sockets: list[web.WebSocketResponse] = []
        self.acks: dict[str, dict[str, Any]] = {}  # Socket Mode acknowledgements, by envelope id
        self._failures: dict[str, list[int]] = {}  # HTTP statuses the next calls of a method get
        self._refusals: dict[str, list[str]] = {}  # Slack error codes the next calls of a method get
        self._envelopes = itertools.count(1)

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/api/{method}", self._handle)
        app.router.add_post("/respond/{token}", self._respond)
        app.router.add_get("/link", self._socket)
        app.router.add_post("/upload/{file_id}", self._upload)
        self._runner, self.port = await serve(app, "127.0.0.1", 0, self.tls)

    async def stop(self) -> None:
        for socket in self._sockets:
            await socket.close()
        await self._runner.cleanup()

    @property
    def base_url(self) -> str:
        return f"{self._scheme}://127.0.0.1:{self.port}/api/"

    @property
    def _scheme(self) -> str:
        return "https" if self.tls else "http"

    def fail(self, method: str, status: int, *, times: int = 1) -> None:
        """Makes the next calls of a method fail with an HTTP status, as Slack's servers can."""
        self._failures.setdefault(method, []).extend([status] * times)

    def refuse(self, method: str, error: str, *, times: int = 1) -> None:
        """Makes the next calls of a method answer `ok: false` with a Slack error code."""
        self._refusals.setdefault(method, []).extend([error] * times)

    async def _record(self, method: str, params: dict[str, Any]) -> None:
        async with self._changed:
            self.calls.append(Call(method, params))
            self._changed.notify_all()

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        token_kind = "Bearer xapp-" if method == "apps.connections.open" else "Bearer xoxb-"
        if not request.headers.get("Authorization", "").startswith(token_kind):
            return web.json_response({"ok": False, "error": "not_authed"})
        if self._failures.get(method):
            status = self._failures[method].pop(0)
            if status == 429:
                return web.json_response(
                    {"ok": False, "error": "ratelimited"}, status=429, headers={"Retry-After": "1"}
                )
            return web.Response(status=status, text="upstream failure")
        needed = SCOPE_OF.get(method)
        if needed is not None and needed not in self.scopes:
            return web.json_response(
                {"ok": False, "error": "missing_scope", "needed": needed, "provided": ",".join(sorted(self.scopes))}
            )
        if self._refusals.get(method):
            return web.json_response({"ok": False, "error": self._refusals[method].pop(0)})
        if request.content_type == "application/json":
            params = await request.json()
        else:
            params = {k: _maybe_json(v) for k, v in (await request.post()).items()}
        params |= {k: _maybe_json(v) for k, v in request.query.items()}  # some methods send query parameters
        result: dict[str, Any] = {"ok": True}
        if method == "apps.connections.open":
            result |= {"url": f"{'wss' if self.tls else 'ws'}://127.0.0.1:{self.port}/link"}
        elif method == "auth.test":
            result |= {"team_id": TEAM, "user_id": BOT_USER, "bot_id": "B0BOT", "url": "https://x.invalid/"}
        elif method == "chat.postMessage":
            ts = f"{time.time():.0f}.{next(self._ts):06d}"
            self.messages[ts] = {
                "ts": ts,
                "channel": params["channel"],
                "text": params.get("text", ""),
                "blocks": params.get("blocks") or [],
            }
            self._by_channel.setdefault(params["channel"], []).append(ts)
            self._changed_in(params["channel"])
            result |= {"ts": ts, "channel": params["channel"], "message": self.messages[ts]}
        elif method == "chat.update":
            message = self.messages[params["ts"]]
            message.update(text=params.get("text", ""), blocks=params.get("blocks") or [])
            self._changed_in(message["channel"])
            result |= {"ts": params["ts"], "channel": params["channel"]}
        elif method == "conversations.open":
            result |= {"channel": {"id": f"D{params['users']}"}}
        elif method == "files.getUploadURLExternal":
            file_id = f"F{next(self._ts):08d}"
            # Slack takes a file's alternative text here, before the upload.
            self.files[file_id] = {"filename": params["filename"], "alt_txt": params.get("alt_txt"), "content": b""}
            result |= {"file_id": file_id, "upload_url": f"{self._scheme}://127.0.0.1:{self.port}/upload/{file_id}"}
        elif method == "files.completeUploadExternal":
            for file in params["files"]:
                self.files[file["id"]] |= {
                    "title": file.get("title"),
                    "channel": params.get("channel_id"),
                    "shared": True,
                }
            result |= {"files": [{"id": f["id"]} for f in params["files"]]}
        elif method in ("views.open", "views.publish", "views.update"):
            view = {"id": f"V{next(self._views):08d}", **(params.get("view") or {})}
            self.views.append(view)
            self._changed_in(params.get("trigger_id", ""))
            result |= {"view": view}
        else:
            return web.json_response({"ok": False, "error": "unknown_method"})
        await self._record(method, params)
        return web.json_response(result)

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse(autoping=True)
        await socket.prepare(request)
        self._sockets.append(socket)
        await socket.send_json({"type": "hello", "num_connections": 1, "connection_info": {"app_id": "A0APP"}})
        async for frame in socket:
            if frame.type == aiohttp.WSMsgType.TEXT:
                ack = json.loads(frame.data)
                async with self._changed:
                    self.acks[ack["envelope_id"]] = ack
                    self._changed.notify_all()
        return socket

    async def envelope(self, kind: str, payload: dict[str, Any], timeout: float = 10) -> dict[str, Any]:
        """Sends a Socket Mode request to the connected app; returns its acknowledgement."""
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(lambda: bool(self._sockets)), timeout)
        envelope_id = f"env-{next(self._envelopes)}"
        await self._sockets[-1].send_json(
            {
                "envelope_id": envelope_id,
                "type": kind,
                "payload": payload,
                "accepts_response_payload": kind != "events_api",
            }
        )
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(lambda: envelope_id in self.acks), timeout)
        return self.acks[envelope_id]

    async def _upload(self, request: web.Request) -> web.Response:
        self.files[request.match_info["file_id"]]["content"] = await request.read()
        return web.Response(text="OK - uploaded")

    async def _respond(self, request: web.Request) -> web.Response:
        await self._record("response_url", await request.json())
        return web.Response(text="ok")

    async def wait_for(self, method: str, count: int = 1, timeout: float = 10) -> list[Call]:
        """Waits until `method` has been called `count` times in all; returns those calls."""

        def matching() -> list[Call]:
            return [c for c in self.calls if c.method == method]

        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(lambda: len(matching()) >= count), timeout)
        return matching()

    def dm(self, user: str) -> list[dict[str, Any]]:
        """Returns the app's messages in a user's direct messages, oldest first, as they now read."""
        return [self.messages[ts] for ts in self._by_channel.get(user, [])]

    def _changed_in(self, key: str) -> None:
        self._seen_change.setdefault(key, asyncio.Event()).set()

    async def next_change(self, key: str, timeout: float) -> None:
        """Waits until the app posts or edits a message to a user, or opens a view for a trigger id."""
        event = self._seen_change.setdefault(key, asyncio.Event())
        await asyncio.wait_for(event.wait(), timeout)
        event.clear()


def _maybe_json(value: Any) -> Any:
    try:
        return json.loads(value)
    except (TypeError, ValueError):
        return value


class FakeSlack:
    """Slack's side of the events and interactivity endpoints: signed requests to the app."""

    def __init__(self, url: str, signing_secret: str, api: FakeSlackAPI) -> None:
        self.url, self.api = url, api
        self._verifier = SignatureVerifier(signing_secret)
        self._ids = itertools.count(1)

    def sign(self, body: str, *, timestamp: int | None = None) -> dict[str, str]:
        stamp = str(int(time.time()) if timestamp is None else timestamp)
        return {
            "X-Slack-Request-Timestamp": stamp,
            "X-Slack-Signature": self._verifier.generate_signature(timestamp=stamp, body=body),
        }

    async def post(self, body: str, content_type: str, headers: dict[str, str] | None = None) -> tuple[int, str]:
        headers = {"Content-Type": content_type, **(headers if headers is not None else self.sign(body))}
        async with aiohttp.ClientSession() as http:
            async with http.post(self.url, data=body.encode(), headers=headers) as response:
                return response.status, await response.text()

    def _trigger(self) -> str:
        return f"{next(self._ids)}.{time.monotonic_ns()}"

    def command_body(self, user: str, text: str = "", command: str = "/nearmiss") -> str:
        return urlencode(
            {
                "token": "legacy",
                "team_id": TEAM,
                "team_domain": "council",
                "channel_id": "C0GENERAL",
                "user_id": user,
                "command": command,
                "text": text,
                "api_app_id": "A0APP",
                "trigger_id": self._trigger(),
                "response_url": f"http://127.0.0.1:{self.api.port}/respond/r1",
            }
        )

    def interaction_body(self, payload: dict[str, Any]) -> str:
        return urlencode({"payload": json.dumps(payload)})

    async def command(self, user: str, text: str = "") -> tuple[int, str]:
        return await self.post(self.command_body(user, text), "application/x-www-form-urlencoded")

    async def interact(self, payload: dict[str, Any]) -> tuple[int, str]:
        return await self.post(self.interaction_body(payload), "application/x-www-form-urlencoded")

    async def event(
        self, event: dict[str, Any], event_id: str | None = None, retry: int | None = None
    ) -> tuple[int, str]:
        body = json.dumps(
            {
                "token": "legacy",
                "team_id": TEAM,
                "api_app_id": "A0APP",
                "type": "event_callback",
                "event_id": event_id or f"Ev{next(self._ids):08d}",
                "event_time": int(time.time()),
                "event": event,
            }
        )
        headers = self.sign(body) | (
            {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"} if retry else {}
        )
        return await self.post(body, "application/json", headers)

    def shortcut(self, user: str) -> dict[str, Any]:
        return {
            "type": "shortcut",
            "callback_id": "nearmiss_report",
            "trigger_id": self._trigger(),
            "user": {"id": user, "team_id": TEAM},
            "team": {"id": TEAM},
        }

    def submission(self, user: str, view: dict[str, Any], values: dict[str, dict[str, Any]]) -> dict[str, Any]:
        return {
            "type": "view_submission",
            "team": {"id": TEAM},
            "user": {"id": user, "team_id": TEAM},
            "trigger_id": self._trigger(),
            "view": {**view, "state": {"values": {key: {"value": field} for key, field in values.items()}}},
        }

    def tap(self, user: str, message: dict[str, Any], label: str) -> dict[str, Any]:
        matches = [
            e
            for b in message["blocks"]
            if b["type"] == "actions"
            for e in b["elements"]
            if e["text"]["text"].endswith(label)
        ]
        assert len(matches) == 1, f"{label!r} is not one button of {message['blocks']}"
        return {
            "type": "block_actions",
            "team": {"id": TEAM},
            "user": {"id": user, "team_id": TEAM},
            "trigger_id": self._trigger(),
            "api_app_id": "A0APP",
            "container": {"type": "message", "channel_id": message["channel"], "message_ts": message["ts"]},
            "channel": {"id": message["channel"]},
            "message": {"ts": message["ts"], "text": message["text"]},
            "actions": [{**matches[0], "block_id": "b", "action_ts": str(time.time())}],
        }
