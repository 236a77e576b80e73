"""Telegram adapter on python-telegram-bot: updates in, engine messages out as inline keyboards."""

import asyncio
import hmac
import logging
import warnings
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from aiohttp import web
from telegram import BotCommand, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.ext import (
    AIORateLimiter,
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot.adapters.newest import LiveQuestions, NewestMessages
from bot.adapters.telegram_http import AiohttpRequest, PollingRequest
from bot.adapters.telegram_order import PerChatOrder
from bot.adapters.telegram_polling import Polling
from bot.adapters.vocabularies import TELEGRAM
from bot.adapters.webserver import serve
from bot.app.config import ConfigProblem, TelegramSettings
from bot.services.front import Front
from bot.services.platform import Limits, SendFailed
from bot.services.sender import Sender
from flows import messages as M
from flows.chat import Button, Message, encode_button
from flows.commands import Command
from flows.messages import ENGLISH, WELSH, _, speaking
from flows.text import split_text
from flows.triage import asks_reporter, keeps_buttons, shown_in_place

log = logging.getLogger(__name__)

PLATFORM = "telegram"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
_SHORT_LABEL = 20  # labels up to this long sit two to a row
CAPTION_LIMIT = 1024
TEXT_LIMIT = 4096  # characters in one Telegram message
# What a private chat takes (/join is Slack's: Telegram joins with /start CODE).
COMMANDS = tuple(command for command in Command if command is not Command.JOIN)
REPLY_RETRY_WAITS = (0.5, 2.0)  # seconds before each new try of a reply the network lost
UPDATES = ["message", "edited_message", "callback_query"]

# Replies go through Bot.do_api_request (see TelegramAdapter._call), which would warn each time
# that a typed method exists.
warnings.filterwarnings("ignore", message=r"Please use 'Bot\.", category=PTBUserWarning)


def keyboard(message: Message) -> InlineKeyboardMarkup | None:
    """Returns the message's buttons as an inline keyboard: options first, controls in one row."""
    if not (message.options or message.controls):
        return None

    def key(button: Button) -> InlineKeyboardButton:
        label = f"✓ {button.label}" if button.selected else button.label
        return InlineKeyboardButton(label, callback_data=encode_button(button))  # at most 64 bytes

    per_row = 2 if all(len(b.label) <= _SHORT_LABEL for b in message.options) else 1
    options = [key(b) for b in message.options]
    rows = [options[i : i + per_row] for i in range(0, len(options), per_row)]
    if message.controls:
        rows.append([key(b) for b in message.controls])
    return InlineKeyboardMarkup(rows)


def _sender(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Sender:
    return Sender(
        PLATFORM,
        str(update.effective_user.id),
        str(update.effective_chat.id),
        event=f"{context.bot.id}:{update.update_id}",
    )


class TelegramAdapter:
    """One Telegram bot: polling by default, or a webhook checked with the secret-token header."""

    name = PLATFORM
    limits = Limits(text=TEXT_LIMIT, button_label=64)
    vocabulary = TELEGRAM

    def __init__(self, settings: TelegramSettings, front: Front) -> None:
        token = settings.token.get_secret_value()
        if not token:
            raise ConfigProblem("[telegram] token is empty: set it, or NEARMISS_TELEGRAM_TOKEN")
        self._settings = settings
        self._front = front
        base = settings.base_url.rstrip("/")
        builder = (
            Application.builder()
            .token(token)
            .base_url(base)
            .base_file_url(base.removesuffix("/bot") + "/file/bot")
            .concurrent_updates(PerChatOrder(settings.max_concurrent_updates))
            .request(AiohttpRequest(settings.max_concurrent_updates, settings.timeout_seconds))
            .get_updates_request(PollingRequest())
            .updater(None)  # polled by `Polling`, which confirms an update only once handled
        )
        if settings.flood_limits:
            # Keeps within Telegram's flood limits and, on a 429, waits as told and tries again.
            builder = builder.rate_limiter(AIORateLimiter(max_retries=3))  # type: ignore[arg-type]  # PTB types the builder for its default rate limiter
        self.application = builder.build()
        self._polling = Polling(self.application, UPDATES, busy_gap=settings.poll_gap_seconds)
        self._webhook: web.AppRunner | None = None
        self._newest = NewestMessages()
        self._live = LiveQuestions[int]()  # by chat: the message id of the report question waiting
        self.webhook_port: int | None = None
        self._register()

    def _register(self) -> None:
        private = filters.ChatType.PRIVATE
        add = self.application.add_handler
        commands = [command.value for command in COMMANDS]
        add(CommandHandler(commands, self._on_command, filters=private))
        add(CommandHandler(commands, self._on_group, filters=~private))
        add(CallbackQueryHandler(self._on_button))
        incoming = private & filters.UpdateType.MESSAGE
        add(MessageHandler(incoming & filters.TEXT & ~filters.COMMAND, self._on_text))
        add(MessageHandler(incoming & ~filters.TEXT, self._on_other))
        add(MessageHandler(private & filters.UpdateType.EDITED_MESSAGE, self._on_edited))
        self.application.add_error_handler(self._on_error)

    async def _set_commands(self) -> None:
        """Sets the command menu, described in English and, for Welsh-speaking phones, in Welsh."""
        for language, phones in ((ENGLISH, None), (WELSH, WELSH)):
            with speaking(language):
                commands = [
                    BotCommand("report", _(M.COMMAND_REPORT)),
                    BotCommand("cancel", _(M.COMMAND_CANCEL)),
                    BotCommand("status", _(M.COMMAND_STATUS)),
                    BotCommand("language", _(M.COMMAND_LANGUAGE)),
                    BotCommand("help", _(M.COMMAND_HELP)),
                ]
            await self.application.bot.set_my_commands(commands, language_code=phones)

    # Lifecycle.

    async def start(self) -> None:
        await self.application.initialize()
        await self._set_commands()
        await self.application.start()
        if self._settings.mode == "polling":
            await self._polling.start()
        else:
            await self._start_webhook()
        log.info("telegram bot started (%s)", self._settings.mode)

    async def stop(self) -> None:
        await self._polling.stop()
        if self._webhook is not None:
            await self._webhook.cleanup()
        if self.application.running:
            await self.application.stop()  # waits for the updates being handled
            await self._polling.confirm()
        await self.application.shutdown()

    async def _start_webhook(self) -> None:
        app = web.Application(client_max_size=1 << 20)
        app.router.add_post(self._settings.webhook_path, self._on_webhook)
        self._webhook, self.webhook_port = await serve(app, self._settings.webhook_listen, self._settings.webhook_port)
        await self.application.bot.set_webhook(
            url=self._settings.webhook_url,
            secret_token=self._settings.webhook_secret.get_secret_value(),
            allowed_updates=UPDATES,
        )

    async def _on_webhook(self, request: web.Request) -> web.Response:
        expected = self._settings.webhook_secret.get_secret_value().encode()
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, expected):
            return web.Response(status=403)
        try:
            update = Update.de_json(await request.json(), self.application.bot)
        except (ValueError, TypeError, KeyError):
            return web.Response(status=400)
        await self.application.update_queue.put(update)
        return web.Response()

    # Sending.

    def render(self, message: Message) -> dict[str, Any]:
        """Returns a message as the Bot API's sendMessage and editMessageText take it."""
        return {"text": message.text, "reply_markup": keyboard(message)}

    async def send(self, chat_id: str, message: Message) -> None:
        """Sends one message, with its buttons, to a chat: in parts if it is longer than Telegram
        shows at once, the buttons with the last."""
        *parts, last = split_text(message.text, self.limits.text)
        for part in parts:
            await self._send_text(int(chat_id), part, None)
        markup = keyboard(message)
        sent = await self._send_text(int(chat_id), last, markup)
        if markup is not None and asks_reporter(message):
            await self._take_buttons_off(int(chat_id), self._live.shown(int(chat_id), sent["message_id"]))

    async def _take_buttons_off(self, chat: int, message_id: int | None) -> None:
        """Takes the buttons off a question that is live no longer, if there is one."""
        if message_id is None:
            return
        try:
            await _ignore_unchanged(self._call("editMessageReplyMarkup", chat_id=chat, message_id=message_id))
        except (BadRequest, NetworkError) as error:  # cosmetic: never stops the reply
            log.warning("could not take the buttons off an answered question: %s", type(error).__name__)

    async def _send_text(self, chat_id: int, text: str, markup: InlineKeyboardMarkup | None) -> Any:
        sent = await self._with_retries(
            lambda: self._call("sendMessage", chat_id=chat_id, text=text, reply_markup=markup), sends=True
        )
        self._newest.posted(str(chat_id), str(sent["message_id"]))
        return sent

    @staticmethod
    async def _with_retries(call: Callable[[], Awaitable[Any]], *, sends: bool = False) -> Any:
        """Makes a reply's call, trying again after a network error or a Bot API server error, so
        that a reply such as a report's reference or the next question is not lost to a blip. A
        call that `sends` a new message is not tried again after a timeout: the Bot API had it,
        and has most likely sent it (an edit is tried again: doing it twice shows it once)."""
        for wait in (*REPLY_RETRY_WAITS, None):
            try:
                return await call()
            except BadRequest:
                raise  # a NetworkError to PTB, but trying again cannot mend it
            except TimedOut:
                if sends or wait is None:
                    raise
                log.warning("a reply met TimedOut; trying again in %gs", wait)
                await asyncio.sleep(wait)
            except NetworkError as error:  # timeouts and 5xx too
                if wait is None:
                    raise
                log.warning("a reply met %s; trying again in %gs", type(error).__name__, wait)
                await asyncio.sleep(wait)

    async def deliver(
        self, chat_id: str, text: str, image: bytes | None = None, *, reply: Message | None = None
    ) -> None:
        """Sends one message from the outbox (a reply with its buttons); a refusal becomes
        SendFailed, saying whether to retry."""
        try:
            if reply is not None:
                await self.send(chat_id, reply)
            elif image is None:
                await self.application.bot.send_message(int(chat_id), text)
            else:
                await self.application.bot.send_photo(int(chat_id), image, caption=text[:CAPTION_LIMIT])
        except RetryAfter as error:
            wait = error.retry_after
            raise SendFailed(retry_after=wait.total_seconds() if isinstance(wait, timedelta) else float(wait)) from None
        except (Forbidden, BadRequest, ValueError) as error:  # blocked, or no such chat: retrying cannot help
            raise SendFailed(permanent=True, reason=type(error).__name__ + f": {error}"[:120]) from None
        except TelegramError:
            raise SendFailed() from None

    async def _call(self, method: str, **params: Any) -> Any:
        """Calls the Bot API and returns its answer as plain JSON. PTB's typed methods build a
        Message from every answer, the keyboard just sent included: a sixth of the bot's CPU."""
        return await self.application.bot.do_api_request(method, api_kwargs=params)

    async def _reply(self, sender: Sender, messages: list[Message]) -> None:
        """Sends a reply; what cannot be sent now goes to the outbox, which sends it later. A
        message the Bot API took and did not confirm in time is not sent again (see
        docs/delivery.md), except that a reference kept in the outbox still goes after its hold."""
        sent, unsent = [], list(messages)
        while unsent:
            try:
                await self.send(sender.chat_id, unsent[0])
                sent.append(unsent.pop(0))
            except TimedOut:
                log.warning("a reply was not confirmed in time; it is not sent again")
                unsent.pop(0)
            except TelegramError as error:
                log.warning("a reply could not be sent (%s); the outbox will send it", type(error).__name__)
                break
        await self._front.settle(sender, sent=sent, unsent=unsent)

    # Handlers: each turns one update into a call on the front, then renders the reply.

    async def _on_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Hands a command, with its first argument (an invite code, a reference), to the front."""
        message = update.effective_message
        word = (message.text or "").split()[0].lstrip("/").split("@")[0].lower() if message else ""
        argument = context.args[0] if context.args else ""
        sender = _sender(update, context)
        await self._reply(sender, await self._front.command(sender, Command(word), argument))

    async def _on_group(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Points anyone who asks in a group to a private chat, so no report is made in front of others."""
        await self._reply(_sender(update, context), [Message(_(M.PRIVATE_ONLY))])

    async def _on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Hands typed text to the front; the question it answered loses its buttons."""
        sender = _sender(update, context)
        replies = await self._front.text(sender, update.effective_message.text)
        if not replies:  # delivered again, applied before: its reply may never have gone
            replies = await self._front.redelivered(sender)
        if replies and not replies[-1].retry:
            await self._take_buttons_off(update.effective_chat.id, self._live.answered(update.effective_chat.id))
        await self._reply(sender, replies)

    async def _on_edited(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Says that an edited message changes nothing, and how to change an answer."""
        sender = _sender(update, context)
        await self._reply(sender, await self._front.edited(sender))

    async def _on_other(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Declines photos, voice notes, files and contact cards without keeping them."""
        sender = _sender(update, context)
        await self._reply(sender, await self._front.not_text(sender))

    async def _on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Applies a tapped button. A reply that stands in for the question (the next question, a
        toggled multi-select) is shown in the tapped message; any other follows it, and the old
        buttons go."""
        query = update.callback_query
        try:
            await query.answer()
        except TelegramError as error:  # too old to acknowledge, or a blip: the tap is still applied
            log.warning("could not acknowledge a tap: %s", type(error).__name__)
        if query.message is None or update.effective_chat.type != "private":
            return
        sender = _sender(update, context)
        tapped = await self._front.tap(sender, query.data)
        answer, messages = tapped.answer, tapped.messages
        if not messages:  # delivered again, applied before: its reply may never have gone
            messages = await self._front.redelivered(sender)
            if not messages:
                return
        prompt = messages[-1]
        chat, tapped_id = query.message.chat.id, query.message.message_id
        if shown_in_place(answer, messages, tapped_is_newest=self._newest.is_newest(str(chat), str(tapped_id))):
            try:
                await self._with_retries(
                    lambda: _ignore_unchanged(self._call("editMessageText", **_where(query), **self.render(prompt)))
                )
                await self._front.settle(sender, sent=messages, unsent=[])
                if asks_reporter(prompt):
                    await self._take_buttons_off(chat, self._live.shown(chat, tapped_id))
                else:
                    self._live.gone(chat, tapped_id)
                return
            except TelegramError as error:  # too old to edit, or the network: send it anew
                log.warning("could not show the reply in the tapped message: %s", type(error).__name__)
        if not keeps_buttons(answer, prompt):
            self._live.gone(chat, tapped_id)
            try:
                await _ignore_unchanged(self._call("editMessageReplyMarkup", **_where(query)))
            except TelegramError as error:  # only looks: the reply matters, and follows
                log.warning("could not take the buttons off an answered question: %s", type(error).__name__)
        await self._reply(sender, messages)

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        # Only the kind of error: exception texts can carry message text or SQL parameters.
        update_id = update.update_id if isinstance(update, Update) else None
        log.error("update %s failed: %s", update_id, type(context.error).__name__)


def _where(query) -> dict[str, int]:
    """Returns the chat and message a tapped button was on, as the Bot API's edit methods take them."""
    return {"chat_id": query.message.chat.id, "message_id": query.message.message_id}


async def _ignore_unchanged(call) -> None:
    try:
        await call
    except BadRequest as error:
        if "not modified" not in str(error).lower():
            raise
