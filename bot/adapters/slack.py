"""Slack adapter on slack-bolt (async): a one-screen modal, the step-by-step flow in a direct
message, and the App Home. Socket Mode by default; HTTP mode verifies request signatures."""

import logging
import re
from typing import Any

import aiohttp
from aiohttp import web
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.newest import LiveQuestions, NewestMessages
from bot.adapters.proxy import proxy_for
from bot.adapters.slack_views import (
    SECTION_LIMIT,
    Ids,
    answered_blocks,
    fallback,
    home_view,
    message_blocks,
    modal_values,
    report_modal,
    review_modal,
    review_values,
)
from bot.adapters.vocabularies import slack
from bot.adapters.webserver import serve
from bot.app.config import SlackSettings
from bot.services.front import Front
from bot.services.platform import Limits, SendFailed
from bot.services.sender import Sender
from flows.chat import Message
from flows.commands import Command
from flows.triage import asks_reporter, keeps_buttons, shown_in_place

log = logging.getLogger(__name__)

PLATFORM = "slack"
# Errors after which posting to the same address can never work.
# The words after the slash command; a word not here (or none) opens the one-screen form.
WORDS = {
    "help": Command.HELP,
    "status": Command.STATUS,
    "join": Command.JOIN,
    "reports": Command.REPORTS,
    "open": Command.OPEN,
    "actions": Command.ACTIONS,
    "language": Command.LANGUAGE,
    "iaith": Command.LANGUAGE,
    "steps": Command.REPORT,
    "step": Command.REPORT,
    "chat": Command.REPORT,
}
# Replies given in the command's acknowledgement (seen only by the user), joined this way.
ANSWERED_IN_ACK = {Command.HELP: "\n\n", Command.STATUS: "\n", Command.JOIN: "\n"}
UNDELIVERABLE = {
    "missing_scope",  # the app was installed without a scope it needs: see slack-manifest.yaml
    "not_in_channel",
    "restricted_action",
    "token_revoked",
    "channel_not_found",
    "user_not_found",
    "account_inactive",
    "cannot_dm_bot",
    "is_archived",
    "user_disabled",
    "not_allowed_token_type",
    "invalid_auth",
}


def _sender(user: str, team: str, event: str = "") -> Sender:
    # The chat to answer in is the user's own: posting to a user id lands in the app's DM.
    return Sender(PLATFORM, user, user, workspace=team, event=event)


def _event_key(kind: str, platform_id: str | None) -> str:
    # No id, no key: a constant key would make every later event look like a redelivery.
    return f"{kind}:{platform_id}" if platform_id else ""


def _question_text(message: dict[str, Any]) -> str:
    """Returns a question's words as shown (its first block), not its escaped fallback text."""
    blocks = message.get("blocks") or []
    return ((blocks[0].get("text") or {}).get("text") if blocks else None) or message.get("text", "")


_MENTION = re.compile(r"<([@#!])([^>|]+)(?:\|([^>]*))?>")
_LINK = re.compile(r"<([^@#!][^>|]*)(?:\|([^>]*))?>")


def plain_text(text: str) -> str:
    """Returns what a person typed in Slack, without Slack's markup: a mention becomes @id (which
    masking then hides), a link the words shown for it (Slack turns a typed email or address into
    a link labelled as typed), and &amp; &lt; &gt; their characters."""
    text = _MENTION.sub(lambda m: f"{m.group(1)}{m.group(3) or m.group(2)}", text)
    text = _LINK.sub(lambda m: m.group(2) or m.group(1).removeprefix("mailto:"), text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _team_of(body: dict[str, Any]) -> str:
    return (body.get("team") or {}).get("id") or body.get("team_id") or (body.get("user") or {}).get("team_id", "")


class SlackAdapter:
    name = PLATFORM
    limits = Limits(text=SECTION_LIMIT, button_label=75)

    def __init__(self, settings: SlackSettings, front: Front) -> None:
        self._settings = settings
        self._front = front
        self.vocabulary = slack(settings.command)
        http = settings.mode == "http"
        # A dropped connection, a server error or a rate limit (after its Retry-After) is tried
        # again, so that a reply such as a report's reference is not lost to a blip.
        self.client = AsyncWebClient(
            token=settings.bot_token.get_secret_value(),
            base_url=settings.base_url,
            retry_handlers=[
                AsyncConnectionErrorRetryHandler(),
                AsyncServerErrorRetryHandler(max_retry_count=2),
                AsyncRateLimitErrorRetryHandler(max_retry_count=1),
            ],
        )
        # slack-sdk would take HTTPS_PROXY for every address, whatever NO_PROXY says.
        self.client.proxy = proxy_for(settings.base_url)
        self.app = AsyncApp(
            client=self.client,
            signing_secret=settings.signing_secret.get_secret_value() if http else "",
            request_verification_enabled=http,
            logger=logging.getLogger("slack_bolt"),
        )
        self._socket: AsyncSocketModeHandler | None = None
        self._newest = NewestMessages()
        # By chat: the report question waiting, as its channel, ts and text (a message is its ts).
        self._live = LiveQuestions[tuple[str, str, str]](key=lambda question: question[1])
        self._http: web.AppRunner | None = None
        self.http_port: int | None = None
        self._register()

    def _register(self) -> None:
        app = self.app
        app.command(self._settings.command)(self._on_command)
        app.shortcut(Ids.SHORTCUT)(self._on_shortcut)
        app.view(Ids.MODAL)(self._on_submit)
        app.view(Ids.REVIEW)(self._on_review)
        app.action(re.compile(f"^{Ids.FLOW_BUTTON}-"))(self._on_flow_button)
        app.action(Ids.HOME_MODAL)(self._on_home_form)
        app.action(Ids.HOME_STEPS)(self._on_home_steps)
        app.action(re.compile(f"^{Ids.HOME_LANGUAGE}-"))(self._on_home_language)
        app.event("message")(self._on_message)
        app.event("app_home_opened")(self._on_home_opened)
        app.error(self._on_error)

    # Lifecycle.

    async def start(self) -> None:
        await self.client.auth_test()  # a rejected token stops the start, not the first reply
        if self._settings.mode == "socket":
            self._socket = AsyncSocketModeHandler(self.app, self._settings.app_token.get_secret_value())
            # Asked here, where an unreachable Slack raises for the runner to try again later: the
            # socket client's own loop would retry at once, for ever, with a traceback each time.
            socket = self._socket.client
            socket.wss_uri = await socket.issue_new_wss_url()
            socket.proxy = proxy_for(socket.wss_uri)
            await self._socket.connect_async()
        else:
            self._http, self.http_port = await serve(
                self.app.web_app(path=self._settings.http_path), self._settings.http_listen, self._settings.http_port
            )
        log.info("slack app started (%s mode)", self._settings.mode)

    async def stop(self) -> None:
        if self._socket is not None:
            await self._socket.close_async()
        if self._http is not None:
            await self._http.cleanup()

    # Sending.

    def render(self, message: Message) -> dict[str, Any]:
        """Returns a message as chat.postMessage and chat.update take it: blocks, and the
        notification's escaped text."""
        return {"text": fallback(message.text), "blocks": message_blocks(message)}

    async def send(self, chat_id: str, message: Message) -> None:
        """Posts one message, with its buttons, in the user's direct messages with the app."""
        posted = await self.client.chat_postMessage(channel=chat_id, **self.render(message))
        self._newest.posted(chat_id, posted["ts"])
        if asks_reporter(message):
            await self._take_buttons_off(self._live.shown(chat_id, (posted["channel"], posted["ts"], message.text)))

    async def _take_buttons_off(self, live: tuple[str, str, str] | None) -> None:
        """Shows a question that is live no longer (channel, ts, text), if there is one, without
        its buttons."""
        if live is None:
            return
        channel, ts, question = live
        try:
            await self.client.chat_update(
                channel=channel, ts=ts, text=fallback(question), blocks=answered_blocks(question)
            )
        except (SlackApiError, aiohttp.ClientError, TimeoutError) as error:  # only looks: the reply follows
            log.warning("could not take the buttons off an answered question: %s", type(error).__name__)

    async def deliver(
        self, chat_id: str, text: str, image: bytes | None = None, *, reply: Message | None = None
    ) -> None:
        """Posts one message from the outbox (a reply with its buttons); a refusal becomes
        SendFailed, saying whether to retry."""
        try:
            if reply is not None:
                await self.send(chat_id, reply)
            elif image is None:
                await self.client.chat_postMessage(channel=chat_id, **self.render(Message(text)))
            else:
                opened = await self.client.conversations_open(users=chat_id)
                # The text is the image in words: its first line the title, the whole its alt text.
                await self.client.files_upload_v2(
                    channel=opened["channel"]["id"],
                    content=image,
                    filename="nearmiss-chart.png",
                    title=text.split("\n", 1)[0][:250],
                    alt_txt=text[:1000],
                )
        except SlackApiError as error:
            if error.response.status_code == 429:
                raise SendFailed(retry_after=float(error.response.headers.get("Retry-After", 30))) from None
            code = error.response.get("error", "")
            needed = error.response.get("needed")
            raise SendFailed(
                permanent=code in UNDELIVERABLE, reason=f"{code} (needs {needed})" if needed else code
            ) from None
        except (aiohttp.ClientError, TimeoutError):
            raise SendFailed() from None

    async def _send_all(self, sender: Sender, messages: list[Message]) -> None:
        """Sends a reply; what cannot be sent now (after the client's own retries) goes to the
        outbox, which sends it later."""
        sent, unsent = [], list(messages)
        try:
            while unsent:
                await self.send(sender.chat_id, unsent[0])
                sent.append(unsent.pop(0))
        except (SlackApiError, aiohttp.ClientError, TimeoutError) as error:
            log.warning("a reply could not be sent (%s); the outbox will send it", type(error).__name__)
        await self._front.settle(sender, sent=sent, unsent=unsent)

    async def _open_form(self, sender: Sender, trigger_id: str) -> None:
        if not await self._front.may_report(sender):
            async with self._front.languages.speaking_to(sender):
                await self._send_all(sender, self._front.reporting.reporters.refuse(sender))
            return
        reporting = self._front.reporting
        async with self._front.languages.speaking_to(sender):
            view = report_modal(reporting.lists, reporting.today())
        await self.client.views_open(trigger_id=trigger_id, view=view)

    # Listeners: each acknowledges first (or with its answer), then does the work.

    async def _on_command(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        """The slash command alone opens the form; a word after it is a command (`steps`, `join
        CODE`, `status CODE`, `help`, and the managers' `reports`, `open CODE`, `actions`)."""
        word, _space, rest = (body.get("text") or "").strip().partition(" ")
        sender = _sender(body["user_id"], _team_of(body))
        command = WORDS.get(word.lower())
        if command is None:
            await ack()
            await self._open_form(sender, body["trigger_id"])
        elif command in ANSWERED_IN_ACK:
            replies = await self._front.command(sender, command, rest)
            await ack(text=ANSWERED_IN_ACK[command].join(m.text for m in replies))
        else:
            await ack()
            await self._send_all(sender, await self._front.command(sender, command, rest))

    async def _on_shortcut(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        """The global shortcut opens the one-screen form."""
        await ack()
        await self._open_form(_sender(body["user"]["id"], _team_of(body)), body["trigger_id"])

    async def _on_submit(self, ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        """Stores a submitted form, or returns field errors so nothing typed is lost, or shows
        what was masked before anything is stored."""
        sender = _sender(body["user"]["id"], _team_of(body), event=f"view:{view['id']}")
        values = modal_values(view)
        result = await self._front.form(sender, values)
        if result.errors:
            await ack(response_action="errors", errors=result.errors)
        elif result.review is not None:
            async with self._front.languages.speaking_to(sender):
                review = review_modal(result.review, result.review_note, values)
            await ack(response_action="push", view=review)  # its Back returns to the form as it was
        else:
            await ack()
            await self._send_all(sender, result.messages)

    async def _on_review(self, ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        """Stores a form whose masked text the reporter has checked, and closes the form."""
        sender = _sender(body["user"]["id"], _team_of(body), event=f"view:{view['id']}")
        result = await self._front.form(sender, review_values(view), reviewed=True)
        if result.errors:
            shown = {b.get("block_id") for b in view.get("blocks", []) if b.get("type") == "input"}
            first = next(iter(shown), None)
            errors = {key if key in shown else first: text for key, text in result.errors.items()}
            await ack(response_action="errors", errors={k: v for k, v in errors.items() if k})
            return
        await ack(response_action="clear")
        await self._send_all(sender, result.messages)

    async def _on_flow_button(self, ack: AsyncAck, body: dict[str, Any], action: dict[str, Any]) -> None:
        """Applies a tapped button. A reply that stands in for the question (the next question, a
        toggled multi-select) is shown in the tapped message; any other follows it, and the old
        buttons go."""
        await ack()
        sender = _sender(body["user"]["id"], _team_of(body), event=_event_key("action", body.get("trigger_id")))
        tapped = await self._front.tap(sender, action.get("value"))
        answer, messages = tapped.answer, tapped.messages
        if not messages:
            return  # a redelivery, already applied
        container = body.get("container") or {}
        channel, ts = container.get("channel_id"), container.get("message_ts")
        question = _question_text(body.get("message") or {})
        prompt = messages[-1]
        if shown_in_place(answer, messages, tapped_is_newest=self._newest.is_newest(sender.chat_id, ts)):
            try:
                await self.client.chat_update(channel=channel, ts=ts, **self.render(prompt))
                await self._front.settle(sender, sent=messages, unsent=[])
                if asks_reporter(prompt):  # the tapped message is the live question now
                    await self._take_buttons_off(self._live.shown(sender.chat_id, (channel, ts, prompt.text)))
                else:
                    self._live.gone(sender.chat_id, ts)
                return
            except (SlackApiError, aiohttp.ClientError, TimeoutError) as error:  # send it anew
                log.warning("could not show the reply in the tapped message: %s", type(error).__name__)
        if channel and ts and not keeps_buttons(answer, prompt):
            self._live.gone(sender.chat_id, ts)
            await self._take_buttons_off((channel, ts, question))
        await self._send_all(sender, messages)

    async def _on_home_form(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        """The App Home's report button opens the one-screen form."""
        await ack()
        await self._open_form(_sender(body["user"]["id"], _team_of(body)), body["trigger_id"])

    async def _on_home_steps(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        """The App Home's step-by-step button starts the flow in the app's direct messages."""
        await ack()
        sender = _sender(body["user"]["id"], _team_of(body), event=_event_key("action", body.get("trigger_id")))
        await self._send_all(sender, await self._front.command(sender, Command.REPORT))

    async def _on_message(self, body: dict[str, Any], event: dict[str, Any]) -> None:
        """Takes text typed in the app's direct messages as the answer to the current question."""
        if event.get("channel_type") != "im" or event.get("bot_id"):
            return
        sender = _sender(event.get("user", ""), _team_of(body), event=_event_key("event", body.get("event_id")))
        if event.get("subtype") == "file_share" or event.get("files"):
            await self._send_all(sender, await self._front.not_text(sender))
        elif event.get("subtype") == "message_changed":
            # A reporter's own edit changes nothing: tell them how to change an answer. The
            # app's own edits (a question giving way to the next) come back here too: skip them.
            changed = event.get("message") or {}
            if changed.get("user") and not changed.get("bot_id"):
                edited = _sender(changed["user"], _team_of(body), event=_event_key("event", body.get("event_id")))
                await self._send_all(edited, await self._front.edited(edited))
        elif not event.get("subtype") and event.get("text"):
            replies = await self._front.text(sender, plain_text(event["text"]))
            if replies and not replies[-1].retry:  # the question typed words answered loses its buttons
                await self._take_buttons_off(self._live.answered(sender.chat_id))
            await self._send_all(sender, replies)

    async def _on_home_opened(self, body: dict[str, Any], event: dict[str, Any]) -> None:
        """Shows the reporter their own reports, found through their pseudonym."""
        if event.get("tab", "home") != "home":
            return
        await self._publish_home(_sender(event["user"], _team_of(body)))

    async def _on_home_language(self, ack: AsyncAck, body: dict[str, Any], action: dict[str, Any]) -> None:
        """The App Home's language buttons: the choice is kept, and the Home shown again in it."""
        await ack()
        sender = _sender(body["user"]["id"], _team_of(body))
        await self._front.command(sender, Command.LANGUAGE, action.get("value") or "")
        await self._publish_home(sender)

    async def _publish_home(self, sender: Sender) -> None:
        member = await self._front.may_report(sender)
        reports = await self._front.own_reports(sender) if member else []
        async with self._front.languages.speaking_to(sender):
            view = home_view(reports, member=member, refusal=self._front.reporting.reporters.not_a_member(PLATFORM))
        await self.client.views_publish(user_id=sender.user_id, view=view)

    async def _on_error(self, error: Exception, body: dict[str, Any]) -> None:
        # Only the kind of error: exception texts can carry what was typed.
        log.error("slack request failed: %s", type(error).__name__)
