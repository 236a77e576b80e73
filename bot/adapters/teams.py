"""Microsoft Teams adapter on Microsoft's Teams SDK (microsoft-teams-apps): a personal chat with the
bot, Adaptive Cards whose buttons are answered in place, the whole report on one card, and
proactive messages through the Bot Connector.

Every request to the messaging endpoint carries a Bot Framework token, which the SDK checks
(issuer, audience, signature, expiry) before anything here runs. The bot's own tokens come from
Entra by the client-credentials grant (see ClientCredentials for why not MSAL).
"""

import asyncio
import html
import json
import logging
import re
import time
from collections import OrderedDict, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from typing import Any

import aiohttp
import httpx
from aiohttp import web
from microsoft_teams.api.activities.conversation.conversation_update import ConversationUpdateActivity
from microsoft_teams.api.activities.install_update.add import InstalledActivity
from microsoft_teams.api.activities.invoke.adaptive_card.action import AdaptiveCardInvokeActivity
from microsoft_teams.api.activities.message.message import MessageActivity, MessageActivityInput
from microsoft_teams.api.activities.message.message_update import MessageUpdateActivity
from microsoft_teams.api.auth.cloud_environment import PUBLIC, with_overrides
from microsoft_teams.api.auth.credentials import TokenCredentials
from microsoft_teams.api.clients.conversation.params import CreateConversationParams
from microsoft_teams.api.models.account import Account
from microsoft_teams.api.models.adaptive_card.adaptive_card_action_response import (
    AdaptiveCardActionCardResponse,
    AdaptiveCardActionMessageResponse,
)
from microsoft_teams.apps import ActivityContext, App
from microsoft_teams.apps.http.adapter import HttpMethod, HttpRequest, HttpRouteHandler
from microsoft_teams.cards import AdaptiveCard

from bot.adapters.in_turn import InTurn
from bot.adapters.newest import Handled, LiveQuestions, NewestMessages
from bot.adapters.teams_cards import (
    BACK_VERB,
    BUTTON_FIELD,
    FORM_VERB,
    REVIEW_VERB,
    answered_card,
    form_card,
    form_values,
    message_card,
    review_card,
    reviewed_values,
    typed_values,
)
from bot.adapters.teams_connector import Connector
from bot.adapters.vocabularies import TEAMS
from bot.adapters.webserver import serve
from bot.app.config import MsTeamsSettings
from bot.services.front import Front
from bot.services.platform import Limits, SendFailed
from bot.services.sender import Sender
from flows import messages as M
from flows.chat import Message
from flows.commands import Command
from flows.messages import _
from flows.text import split_text
from flows.triage import asks_reporter, keeps_buttons, shown_in_place

log = logging.getLogger(__name__)

PLATFORM = "msteams"  # the Bot Framework's name for the channel
TEXT_LIMIT = 6000  # characters in one card: with the card's own JSON, well inside Teams' 28 KB
INVOKE_BUDGET = 4.0  # seconds a card action may take before it is answered: Teams waits five
REPLY_RETRY_WAITS = (0.5, 2.0)  # seconds before each new try of a reply lost to a server error
LONGEST_WAIT = 10.0  # the longest Retry-After a reply waits for; longer is left to the outbox
# Teams' limits on one bot's messages to one conversation (7 a second, 8 in two, 60 in thirty),
# less one for the time a request takes to arrive: (messages, seconds).
CONVERSATION_RATE = ((6, 1.0), (7, 2.0), (59, 30.0))
# What people type for each command, in English and Welsh (a word alone, or with a code).
WORDS = {
    "report": Command.REPORT,
    "adrodd": Command.REPORT,
    "form": Command.REPORT,  # answered with the one-card form: see _on_text
    "ffurflen": Command.REPORT,
    "cancel": Command.CANCEL,
    "canslo": Command.CANCEL,
    "help": Command.HELP,
    "cymorth": Command.HELP,
    "status": Command.STATUS,
    "statws": Command.STATUS,
    "join": Command.JOIN,
    "ymuno": Command.JOIN,
    "reports": Command.REPORTS,
    "open": Command.OPEN,
    "actions": Command.ACTIONS,
    "language": Command.LANGUAGE,
    "iaith": Command.LANGUAGE,
}
FORM_WORDS = {"form", "ffurflen"}
TAKES_ARGUMENT = {Command.STATUS, Command.JOIN, Command.OPEN, Command.LANGUAGE}
CARD = "application/vnd.microsoft.card.adaptive"
SHOWN_KEPT = 10_000  # cards whose text is kept, to take their buttons off once answered
TAKEN = "✓"  # the passing note a card action gets when its card stays as it was


def parse_command(text: str) -> tuple[str, str] | None:
    """Returns (word, argument) when a message is a command: its word alone, or with one code
    after it for the commands that take one. Anything longer is an answer, however it starts."""
    words = text.strip().removeprefix("/").split()
    if not words or len(words) > 2 or words[0].lower() not in WORDS:
        return None
    word, argument = words[0].lower(), words[1] if len(words) == 2 else ""
    if argument and WORDS[word] not in TAKES_ARGUMENT:
        return None
    return word, argument


def typed_text(activity: Any) -> str:
    """Returns what a person typed: without an @mention of the bot, and a rich message's HTML
    (which Teams sends as "xml") as its text."""
    text = activity.strip_mentions_text().text or ""
    if activity.text_format == "xml":
        text = re.sub(r"<[^>]+>", "", re.sub(r"<br\s*/?>|</p>|</div>", "\n", text))
        text = html.unescape(text)
    return text.strip()


def _reference(service_url: str, conversation: str) -> str:
    """Returns a conversation's address as one text: sealed in the contact vault like any chat id."""
    return json.dumps({"c": conversation, "s": service_url}, sort_keys=True, separators=(",", ":"))


def _tenant(activity: Any) -> str:
    tenant = getattr(activity.conversation, "tenant_id", None)
    if not tenant and isinstance(activity.channel_data, dict):
        tenant = (activity.channel_data.get("tenant") or {}).get("id")
    elif not tenant and activity.channel_data is not None and activity.channel_data.tenant is not None:
        tenant = activity.channel_data.tenant.id
    return tenant or ""


def _sender(activity: Any) -> Sender:
    # The pseudonym is made from the tenant and the person's Entra object id, which is the same in
    # every chat; the address to answer is the conversation, sealed before it is stored.
    return Sender(
        PLATFORM,
        activity.from_.aad_object_id or activity.from_.id,
        _reference(activity.service_url, activity.conversation.id),
        workspace=_tenant(activity),
        event=f"activity:{activity.id}" if activity.id else "",
    )


class TokenRefused(Exception):
    """Entra would not give the bot a token: the app id, secret or tenant is wrong."""


class ClientCredentials:
    """The bot's own tokens, from Entra by the OAuth 2.0 client-credentials grant (one form post),
    each kept until five minutes before it expires.

    The SDK would use MSAL, which takes only an https authority and first asks
    login.microsoftonline.com about it: nothing a local test can stand in for. This one request
    is all of the grant that a bot uses, so the path tested is the path that runs.
    """

    def __init__(self, settings: MsTeamsSettings) -> None:
        self._settings = settings
        self._tokens: dict[str, tuple[str, float]] = {}
        self._lock = asyncio.Lock()

    async def __call__(self, scope: str | list[str], tenant_id: str | None = None) -> str:
        scope = scope if isinstance(scope, str) else " ".join(scope)
        async with self._lock:
            token, until = self._tokens.get(scope, ("", 0.0))
            if time.monotonic() < until:
                return token
            settings = self._settings
            form = {
                "grant_type": "client_credentials",
                "client_id": settings.app_id,
                "client_secret": settings.app_password.get_secret_value(),
                "scope": scope,
            }
            url = f"{settings.login_url.rstrip('/')}/{settings.tenant_id}/oauth2/v2.0/token"
            async with aiohttp.ClientSession(trust_env=True) as session, session.post(url, data=form) as answer:
                body = await answer.json(content_type=None)
            if answer.status != 200 or "access_token" not in body:
                raise TokenRefused(f"Entra refused the bot's credentials ({answer.status} {body.get('error')})")
            expires = float(body.get("expires_in", 3600))
            self._tokens[scope] = (body["access_token"], time.monotonic() + max(expires - 300, 60))
            return body["access_token"]


class AiohttpServer:
    """The SDK's HTTP server port on aiohttp, the server the other adapters use: the SDK checks the
    token and hands over the activity; this carries the request and its answer."""

    def __init__(self) -> None:
        self.app = web.Application(client_max_size=1 << 20)

    def register_route(self, method: HttpMethod, path: str, handler: HttpRouteHandler) -> None:
        async def route(request: web.Request) -> web.Response:
            try:
                body = await request.json()
            except ValueError:
                return web.Response(status=400)
            if not isinstance(body, dict):
                return web.Response(status=400)
            answer = await handler(HttpRequest(body=body, headers=dict(request.headers)))
            if answer["body"] is None:
                return web.Response(status=answer["status"])
            return web.json_response(answer["body"], status=answer["status"])

        self.app.router.add_route(method, path, route)

    def serve_static(self, path: str, directory: str) -> None:
        raise NotImplementedError("nearmiss serves no files")

    async def start(self, port: int) -> None:
        raise NotImplementedError("started by TeamsAdapter.start")

    async def stop(self) -> None:
        pass


class TeamsAdapter:
    """One Teams bot registration, serving the people of one Entra tenant."""

    name = PLATFORM
    limits = Limits(text=TEXT_LIMIT, button_label=60)
    vocabulary = TEAMS

    def __init__(self, settings: MsTeamsSettings, front: Front) -> None:
        self._settings = settings
        self._front = front
        self._server = AiohttpServer()
        self._credentials = ClientCredentials(settings)
        cloud = with_overrides(
            PUBLIC, login_endpoint=settings.login_url, openid_metadata_url=settings.openid_metadata_url
        )
        self.app = App(
            client_id=settings.app_id,
            tenant_id=settings.tenant_id,
            token=self._credentials,
            http_server_adapter=self._server,
            messaging_endpoint=settings.path,
            service_url=settings.service_url,
            cloud=cloud,
            dangerously_allow_unauthenticated_requests=False,
        )
        assert isinstance(self.app.credentials, TokenCredentials)
        # Replies go out on aiohttp rather than through App.send (see Connector); the SDK still
        # checks every request and makes personal chats.
        self._connector = Connector(bot_id=settings.app_id, token=self._credentials, scope=self.app.cloud.bot_scope)
        self._runner: web.AppRunner | None = None
        self.port: int | None = None
        self._newest = NewestMessages()
        self._pace = Pace(CONVERSATION_RATE)
        self._handling = InTurn()  # by conversation: one person's taps and messages in turn
        self._sending = InTurn()  # by conversation: one person's replies in order
        self._chats: dict[str, str] = {}  # a person's Entra id: the personal chat made to reach them
        self._sending_later: set[asyncio.Task] = set()
        # The text of cards lately sent, by chat and card id: a card id alone is not known to be
        # unique across chats, and one person's card must never be shown to another.
        self._shown: OrderedDict[tuple[str, str], str] = OrderedDict()
        self._greeted: set[str] = set()  # chats greeted since start
        self._live = LiveQuestions[str]()  # by chat: the card id of the report question waiting
        self._handled = Handled()  # messages answered since start: one delivered again gets no second reply
        self._register()

    def _register(self) -> None:
        self.app.on_message(self._on_message)
        self.app.on_card_action(self._on_card_action)
        self.app.on_install_add(self._on_install)
        self.app.on_conversation_update(self._on_added)
        self.app.on_edit_message(self._on_edited)

    # Lifecycle.

    async def start(self) -> None:
        """Checks the bot's credentials with Entra (a wrong secret is said at once), then listens."""
        await self._credentials(self.app.cloud.bot_scope)
        await self.app.initialize()
        self._runner, self.port = await serve(self._server.app, self._settings.listen, self._settings.port)
        log.info("teams bot listening on %s:%s%s", self._settings.listen, self.port, self._settings.path)

    async def stop(self) -> None:
        await self.replies_sent()
        if self._runner is not None:
            await self._runner.cleanup()
        await self._connector.close()

    async def replies_sent(self, timeout: float = INVOKE_BUDGET) -> None:
        """Waits for the replies that follow answered requests to be sent."""
        while self._sending_later:
            await asyncio.wait(set(self._sending_later), timeout=timeout)

    # Sending.

    def render(self, message: Message) -> dict[str, Any]:
        """Returns a message as the Bot Connector takes it: a card with the text and buttons."""
        return {"type": "message", "attachments": [{"contentType": CARD, "content": _json(message_card(message))}]}

    async def send(self, chat_id: str, message: Message) -> None:
        """Sends one message, as a card, to a conversation: in parts if it is long, the buttons with
        the last; a server error or a rate limit is waited out and tried again."""
        conversation, service_url = self._address(chat_id)
        *parts, last = split_text(message.text, self.limits.text)
        async with self._sending.turn(conversation):
            for part in parts:
                await self._post(conversation, service_url, message_card(Message(part)))
            sent = await self._post(conversation, service_url, message_card(replace(message, text=last)))
        self._newest.posted(chat_id, sent)
        self._remember(chat_id, sent, last)
        if asks_reporter(message):
            await self._take_buttons_off(chat_id, self._live.shown(chat_id, sent))

    async def deliver(
        self, chat_id: str, text: str, image: bytes | None = None, *, reply: Message | None = None
    ) -> None:
        """Sends one message from the outbox (a reply with its buttons, as `send` would); a refusal
        becomes SendFailed, saying whether to retry."""
        try:
            if reply is not None:
                await self.send(chat_id, reply)
                return
            conversation, service_url = await self._conversation_for(chat_id)
            card = message_card(Message(text), image, alt_text=text[:200])
            async with self._sending.turn(conversation):
                await self._wait_turn(conversation)
                await self._connector.send(conversation, _activity(card), service_url=service_url)
        except httpx.HTTPStatusError as error:
            status = error.response.status_code
            if status == 429:
                raise SendFailed(retry_after=_retry_after(error.response)) from None
            raise SendFailed(permanent=status in (400, 403, 404, 413), reason=f"HTTP {status}") from None
        except (httpx.TransportError, TokenRefused):
            raise SendFailed() from None

    def _address(self, chat_id: str) -> tuple[str, str]:
        """Returns (conversation, service URL) for a chat id: a conversation reference, or a
        channel's conversation id reached through the configured service URL."""
        if chat_id.startswith("{"):
            reference = json.loads(chat_id)
            return reference["c"], reference["s"]
        return chat_id, self._settings.service_url

    async def _conversation_for(self, chat_id: str) -> tuple[str, str]:
        """Returns where to send: a reporter's sealed conversation, a channel, or for a manager
        named in the config by Entra id, a personal chat made with them (the app must be
        installed for them, as the administrator's setup does)."""
        if chat_id.startswith(("{", "19:")):
            return self._address(chat_id)
        if chat_id not in self._chats:
            made = await self.app.api.conversations.create(
                CreateConversationParams(
                    members=[Account(id=chat_id)],
                    tenant_id=self._settings.tenant_id,
                    channel_data={"tenant": {"id": self._settings.tenant_id}},
                )
            )
            self._chats[chat_id] = made.id
        return self._chats[chat_id], self._settings.service_url

    async def _wait_turn(self, conversation: str) -> None:
        """Waits until one more message to the conversation is within Teams' rate."""
        if wait := self._pace.take(conversation, time.monotonic()):
            await asyncio.sleep(wait)

    async def _post(self, conversation: str, service_url: str, card: AdaptiveCard) -> str:
        """Posts a card as a reply, trying again after a server error or a short rate limit, so a
        reply such as a report's reference is not lost to a blip; returns its activity id."""
        for wait in (*REPLY_RETRY_WAITS, None):
            await self._wait_turn(conversation)
            try:
                return await self._connector.send(conversation, _activity(card), service_url=service_url)
            except httpx.HTTPStatusError as error:
                status = error.response.status_code
                asked = _retry_after(error.response) if status == 429 else None
                if wait is None or (status < 500 and status != 429) or (asked or 0) > LONGEST_WAIT:
                    raise
                log.warning("a reply met HTTP %s; trying again", status)
                await asyncio.sleep(asked if asked is not None else wait)
            except httpx.TransportError as error:
                if wait is None:
                    raise
                log.warning("a reply met %s; trying again", type(error).__name__)
                await asyncio.sleep(wait)
        raise AssertionError("unreachable")

    def _remember(self, chat_id: str, card_id: str, text: str) -> None:
        """Keeps a sent card's text, to show it without its buttons once it is answered (Teams
        sends back only the tapped card's id)."""
        self._shown[chat_id, card_id] = text
        while len(self._shown) > SHOWN_KEPT:
            self._shown.popitem(last=False)

    async def _send_all(self, sender: Sender, messages: list[Message]) -> None:
        """Sends a reply; what cannot be sent now goes to the outbox, which sends it later."""
        sent, unsent = [], list(messages)
        while unsent:
            try:
                await self.send(sender.chat_id, unsent[0])
                sent.append(unsent.pop(0))
            except (httpx.HTTPStatusError, httpx.TransportError, TokenRefused) as error:
                log.warning("a reply could not be sent (%s); the outbox will send it", type(error).__name__)
                break
        await self._front.settle(sender, sent=sent, unsent=unsent)

    def _later_send(self, sender: Sender, messages: list[Message]) -> None:
        if messages:
            self._later(self._send_all(sender, messages))

    def _later(self, sending: Awaitable[None]) -> None:
        """Sends replies once the request that caused them has been answered, so the answer is
        quick; one conversation's replies still go in order (see send)."""
        task = asyncio.ensure_future(sending)
        self._sending_later.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task) -> None:
        self._sending_later.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("a reply could not be sent: %s", type(task.exception()).__name__)

    # Handlers: each turns one activity into a call on the front, then renders the reply.

    def _ours(self, activity: Any) -> bool:
        """Serves only the council's own tenant: a guest from elsewhere is not one of its staff."""
        if _tenant(activity) != self._settings.tenant_id:
            log.warning("an activity from another tenant was ignored")
            return False
        return True

    async def _on_install(self, ctx: ActivityContext[InstalledActivity]) -> None:
        await self._greet(ctx.activity)

    async def _on_added(self, ctx: ActivityContext[ConversationUpdateActivity]) -> None:
        """Teams says a bot was added both ways; older clients only with the bot among members added."""
        if any(member.id == ctx.activity.recipient.id for member in ctx.activity.members_added or []):
            await self._greet(ctx.activity)

    async def _greet(self, activity: Any) -> None:
        """Greets a person who has just added the bot (once, however Teams says so): the help,
        and the choice of language."""
        if not self._ours(activity) or activity.conversation.conversation_type != "personal":
            return
        sender = _sender(activity)
        async with self._handling.turn(sender.chat_id):
            if sender.chat_id in self._greeted:
                return
            self._greeted.add(sender.chat_id)
            await self._send_all(sender, await self._front.command(sender, Command.START))

    async def _on_message(self, ctx: ActivityContext[MessageActivity]) -> None:
        activity = ctx.activity
        if not self._ours(activity):
            return
        sender = _sender(activity)
        if activity.conversation.conversation_type != "personal":
            await self._send_all(sender, [Message(_(M.PRIVATE_ONLY))])
            return
        async with self._handling.turn(sender.chat_id):
            delivery = (sender.chat_id, activity.id or "")
            if activity.id and delivery in self._handled:
                return
            if _has_files(activity):
                await self._send_all(sender, await self._front.not_text(sender))
            elif text := typed_text(activity):
                replies = await self._on_text(sender, text)
                if replies:
                    self._later(self._reply_to_text(sender, replies))
            if activity.id:
                self._handled.add(delivery)

    async def _reply_to_text(self, sender: Sender, replies: list[Message]) -> None:
        if not replies[-1].retry:
            await self._take_buttons_off(sender.chat_id, self._live.answered(sender.chat_id))
        await self._send_all(sender, replies)

    async def _take_buttons_off(self, chat_id: str, card_id: str | None) -> None:
        """Shows a card that is live no longer, if there is one, without its buttons."""
        if card_id is None or (question := self._shown.get((chat_id, card_id))) is None:
            return
        conversation, service_url = self._address(chat_id)
        update = MessageActivityInput(id=card_id).add_card(answered_card(question))
        try:
            await self._connector.send(conversation, update, service_url=service_url)
        except (httpx.HTTPStatusError, httpx.TransportError) as error:
            log.warning("could not take the buttons off an answered question: %s", type(error).__name__)

    async def _on_edited(self, ctx: ActivityContext[MessageUpdateActivity]) -> None:
        """Says that an edited message changes nothing, and how to change an answer."""
        if self._ours(ctx.activity) and ctx.activity.conversation.conversation_type == "personal":
            sender = _sender(ctx.activity)
            await self._send_all(sender, await self._front.edited(sender))

    async def _on_text(self, sender: Sender, text: str) -> list[Message]:
        """A command word (alone, or with a code) is a command; anything else is an answer."""
        command = parse_command(text)
        if command is None:
            return await self._front.text(sender, text)
        word, argument = command
        if word in FORM_WORDS:
            await self._open_form(sender)
            return []
        return await self._front.command(sender, WORDS[word], argument)

    async def _open_form(self, sender: Sender) -> None:
        if not await self._front.may_report(sender):
            await self._send_all(sender, [Message(_(M.NOT_A_MEMBER))])
            return
        reporting = self._front.reporting
        async with self._front.languages.speaking_to(sender):
            card = form_card(reporting.lists, reporting.today())
        conversation, service_url = self._address(sender.chat_id)
        await self._post(conversation, service_url, card)

    async def _on_card_action(self, ctx: ActivityContext[AdaptiveCardInvokeActivity]) -> Any:
        """Answers a tapped button or a submitted form card within Teams' time: the answer
        replaces the card in place (or, where the card stays, passes as a note); other replies
        follow it as messages."""
        activity = ctx.activity
        if not self._ours(activity):
            return AdaptiveCardActionMessageResponse(value=_(M.NOT_A_MEMBER))
        sender = _sender(activity)
        action = activity.value.action
        data = action.data or {}
        work: Callable[[], Awaitable[Acted]]
        if action.verb == FORM_VERB:
            work = lambda: self._submitted(sender, form_values(data))  # noqa: E731
        elif action.verb == REVIEW_VERB:
            work = lambda: self._submitted(sender, reviewed_values(data), reviewed=True)  # noqa: E731
        elif action.verb == BACK_VERB:
            work = lambda: self._back_to_form(sender, typed_values(data))  # noqa: E731
        else:
            work = lambda: self._tapped(sender, activity.reply_to_id or "", data.get(BUTTON_FIELD))  # noqa: E731

        async def in_turn() -> Acted:
            async with self._handling.turn(sender.chat_id):
                return await work()

        task = asyncio.ensure_future(in_turn())
        done, _pending = await asyncio.wait({task}, timeout=INVOKE_BUDGET)
        if not done:  # slower than Teams waits: say so now, and send the replies when they come
            task.add_done_callback(lambda finished: self._send_late(sender, finished))
            async with self._front.languages.speaking_to(sender):
                return AdaptiveCardActionMessageResponse(value=_(M.WORKING))
        acted = task.result()
        await self._front.settle(sender, sent=acted.shown, unsent=[])
        self._later_send(sender, acted.messages)
        if isinstance(acted.answer, str):
            return AdaptiveCardActionMessageResponse(value=acted.answer)
        return AdaptiveCardActionCardResponse(value=acted.answer)

    def _send_late(self, sender: Sender, task: asyncio.Task) -> None:
        if task.cancelled() or task.exception() is not None:
            log.error("a card action failed: %s", "cancelled" if task.cancelled() else type(task.exception()).__name__)
            return
        acted = task.result()
        note = [Message(acted.answer)] if isinstance(acted.answer, str) and acted.answer != TAKEN else []
        self._later_send(sender, acted.shown + note + acted.messages)

    async def _tapped(self, sender: Sender, card_id: str, value: Any) -> "Acted":
        """Applies a tap: returns what shows in place of the tapped card, and what follows it."""
        tapped = await self._front.tap(sender, value if isinstance(value, str) else None)
        answer, messages = tapped.answer, tapped.messages
        if not messages:
            return Acted(TAKEN)  # a redelivery, applied before
        prompt = messages[-1]
        if shown_in_place(answer, messages, tapped_is_newest=self._newest.is_newest(sender.chat_id, card_id)):
            self._remember(sender.chat_id, card_id, prompt.text)
            if asks_reporter(prompt):  # the tapped card is the live question now; any other goes
                if (was := self._live.shown(sender.chat_id, card_id)) is not None:
                    self._later(self._take_buttons_off(sender.chat_id, was))
            else:
                self._live.gone(sender.chat_id, card_id)
            return Acted(message_card(prompt), shown=[prompt])
        if keeps_buttons(answer, prompt):
            if len(messages) == 1 and prompt.retry:  # "please try again": a note, the card as it was
                return Acted(prompt.text)
            return Acted(TAKEN, messages)
        self._live.gone(sender.chat_id, card_id)
        question = self._shown.get((sender.chat_id, card_id))
        return Acted(answered_card(question) if question else TAKEN, messages)

    async def _submitted(self, sender: Sender, values: dict[str, Any], *, reviewed: bool = False) -> "Acted":
        """Stores a submitted form card; or shows it again with each problem under its field; or,
        where anything was masked, shows the text as it would be kept, to check before storing."""
        result = await self._front.form(sender, values, reviewed=reviewed)
        reporting = self._front.reporting
        async with self._front.languages.speaking_to(sender):
            if result.errors:
                return Acted(form_card(reporting.lists, reporting.today(), typed=values, problems=result.errors))
            if result.review is not None:
                return Acted(review_card(result.review, result.review_note, values))
        if not result.messages:
            return Acted(TAKEN)
        first, *rest = result.messages
        return Acted(message_card(first), rest, shown=[first])

    async def _back_to_form(self, sender: Sender, values: dict[str, Any]) -> "Acted":
        reporting = self._front.reporting
        async with self._front.languages.speaking_to(sender):
            return Acted(form_card(reporting.lists, reporting.today(), typed=values))


class Pace:
    """Sliding windows over the times of each conversation's recent messages.

    Not the `limits` library, which the per-reporter limit uses: its in-memory moving window
    starts a thread to expire entries, which at 200 users cost more than this whole class."""

    def __init__(self, windows: tuple[tuple[int, float], ...]) -> None:
        self._windows = windows
        self._longest = max(seconds for _count, seconds in windows)
        self._sent: dict[str, deque[float]] = {}
        self._tidy_at = 1000  # conversations kept before those quiet for a window are dropped

    def take(self, key: str, now: float) -> float:
        """Books the conversation's next message at the first moment every window allows; returns
        how long until then (0: now)."""
        times = self._sent.setdefault(key, deque(maxlen=max(count for count, _seconds in self._windows)))
        latest = [times[-1]] if times else []
        at = max([now, *latest] + [times[-count] + seconds for count, seconds in self._windows if len(times) >= count])
        times.append(at)
        if len(self._sent) > self._tidy_at:
            self._sent = {k: booked for k, booked in self._sent.items() if booked[-1] > now - self._longest}
            self._tidy_at = max(1000, 2 * len(self._sent))
        return at - now


@dataclass(frozen=True)
class Acted:
    """A card action's answer: a card in place of the tapped one, or a passing note (the card
    stays); and the messages that follow it."""

    answer: AdaptiveCard | str
    messages: list[Message] = field(default_factory=list)
    shown: list[Message] = field(default_factory=list)  # engine messages shown in the tapped card's place


def _activity(card: AdaptiveCard) -> MessageActivityInput:
    return MessageActivityInput().add_card(card)


def _json(card: AdaptiveCard) -> dict[str, Any]:
    return card.model_dump(by_alias=True, exclude_none=True, mode="json")


def _retry_after(response: httpx.Response) -> float:
    try:
        return float(response.headers.get("Retry-After", 30))
    except ValueError:
        return 30.0


def _has_files(activity: Any) -> bool:
    """Says whether a message carries a file or picture (a card the client attached is not one)."""
    return any(getattr(a, "content_type", "") != CARD for a in activity.attachments or [])
