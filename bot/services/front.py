"""The one inbound front: every platform hands it a command, typed text, a tap or a submitted
form, and it routes by who sent it (a manager's session first, then the reporter's draft;
a stranger is refused by the service). Adapters parse and render; they do not route."""

from dataclasses import dataclass, replace

from sqlalchemy.exc import DBAPIError

from bot.services.managing import Managing
from bot.services.metrics import Metrics
from bot.services.progress import OwnReport
from bot.services.reporting import FormResult, Reporting
from bot.services.sender import Sender
from flows import messages as M
from flows.chat import Action, Answer, Message, decode_button
from flows.commands import Command, language_picker
from flows.messages import LANGUAGES, _, speaking


@dataclass(frozen=True)
class Tapped:
    """A tap's reply, and the answer it stood for (None for a button that meant nothing)."""

    answer: Answer | None
    messages: list[Message]


class Front:
    def __init__(self, reporting: Reporting, managing: Managing | None = None, metrics: Metrics | None = None) -> None:
        self.reporting = reporting
        self.languages = reporting.languages
        self._managing = managing
        self._metrics = metrics or Metrics()

    async def command(self, sender: Sender, command: Command, argument: str = "") -> list[Message]:
        """Returns the reply to a command, with its argument (an invite code, a reference), in
        the sender's language."""
        with self._metrics.handling(sender.platform, "command"):
            async with self.languages.speaking_to(sender):
                return await self._command(sender, command, argument.strip())

    async def text(self, sender: Sender, text: str) -> list[Message]:
        """Takes typed text as the answer a manager's question waits on, else the report's."""
        with self._metrics.handling(sender.platform, "text"):
            async with self.languages.speaking_to(sender):
                if self._managing is not None and self._managing.is_manager(sender):
                    taken = await self._managing.typed(sender, text)
                    if taken.handled:
                        return taken.messages
                return await self.reporting.answer(sender, Answer(Action.TEXT, text))

    async def tap(self, sender: Sender, data: str | None) -> Tapped:
        """Applies a tapped button, as the platform handed back its encoded value."""
        with self._metrics.handling(sender.platform, "tap"):
            return await self._tap(sender, data)

    async def _tap(self, sender: Sender, data: str | None) -> Tapped:
        answer = decode_button(data)
        if answer is not None and answer.action is Action.LANGUAGE:
            return Tapped(answer, await self._choose_language(sender, answer.value))
        async with self.languages.speaking_to(sender):
            if answer is None:
                return Tapped(None, await self.reporting.where_am_i(sender))
            if answer.action is Action.MANAGE and self._managing is not None:
                return Tapped(answer, await self._managing.button(sender, answer))
            return Tapped(answer, await self.reporting.answer(sender, answer))

    async def redelivered(self, sender: Sender) -> list[Message]:
        """Answers an update the platform delivered again after it was applied (the process
        applying it may have died before replying): the question the reporter's draft waits on,
        if any. A manager's next tap or message shows where they are."""
        if self._managing is not None and self._managing.is_manager(sender):
            return []
        async with self.languages.speaking_to(sender):
            waiting = await self.reporting.question_waiting(sender)
        # In place of a tapped question, where the first reply (if it did arrive) showed it.
        return [replace(message, edit=not message.retry) for message in waiting]

    async def not_text(self, sender: Sender) -> list[Message]:
        """Declines photos, voice notes, files and contact cards without keeping them."""
        with self._metrics.handling(sender.platform, "other"):
            async with self.languages.speaking_to(sender):
                return await self.reporting.not_text(sender)

    async def form(self, sender: Sender, values: dict[str, object], *, reviewed: bool = False) -> FormResult:
        """Stores a report answered on one screen, or says what to correct, or what was masked."""
        with self._metrics.handling(sender.platform, "form"):
            async with self.languages.speaking_to(sender):
                return await self.reporting.submit_form(sender, values, reviewed=reviewed)

    async def edited(self, sender: Sender) -> list[Message]:
        """Says that a message already sent cannot be changed, and how to change an answer."""
        async with self.languages.speaking_to(sender):
            return [Message(_(M.EDITED))]

    async def settle(self, sender: Sender, *, sent: list[Message], unsent: list[Message]) -> None:
        """Takes what the adapter could not send of a reply to the outbox (see `Replies.settle`)."""
        await self.reporting.replies.settle(sender, sent=sent, unsent=unsent)

    async def may_report(self, sender: Sender) -> bool:
        return await self.reporting.is_member(sender)

    async def own_reports(self, sender: Sender) -> list[OwnReport]:
        async with self.languages.speaking_to(sender):
            return await self.reporting.progress.own_reports(sender)

    async def _command(self, sender: Sender, command: Command, argument: str) -> list[Message]:
        match command:
            case Command.START if argument:
                return await self.reporting.join(sender, argument, first_contact=True)
            case Command.JOIN:
                return await self.reporting.join(sender, argument)
            case Command.START:
                return [*await self._help(sender), language_picker()]
            case Command.HELP:
                return await self._help(sender)
            case Command.LANGUAGE if argument:
                return await self._choose_language(sender, argument.lower())
            case Command.LANGUAGE:
                return [language_picker()]
            case Command.REPORT:
                return await self.reporting.start(sender)
            case Command.CANCEL:
                if self._managing is not None and self._managing.is_manager(sender):
                    stopped = await self._managing.cancel(sender)
                    if stopped.handled:
                        return stopped.messages
                return await self.reporting.answer(sender, Answer(Action.CANCEL))
            case Command.STATUS:
                return await self.reporting.progress.status(sender, argument)
        return await self._managers_command(sender, command, argument)

    async def _choose_language(self, sender: Sender, code: str) -> list[Message]:
        """Keeps the sender's language and answers in it with the help, or in a line if it is the
        language they were already spoken to in (the help they have just read); offers the choice
        again for a language nearmiss does not speak. Someone in no team is answered in it with
        how to join, and nothing is kept about them."""
        try:
            if code in LANGUAGES and await self._stranger(sender):
                with speaking(code):
                    return [Message(self.reporting.reporters.not_a_member(sender.platform))]
            spoken_before = await self.languages.of(sender)
            if not await self.languages.choose(sender, code):
                return [language_picker()]
        except (DBAPIError, ConnectionError, TimeoutError, OSError):
            async with self.languages.speaking_to(sender):
                return [Message(_(M.BUSY), retry=True)]
        async with self.languages.speaking_to(sender):
            return [Message(_(M.LANGUAGE_KEPT))] if code == spoken_before else self.reporting.help(sender)

    async def _help(self, sender: Sender) -> list[Message]:
        """Returns the help to a member or manager; to anyone else, how to join (asked for, so
        not held back as the refusal of a stray message is)."""
        if await self._stranger(sender):
            return [Message(self.reporting.reporters.not_a_member(sender.platform))]
        return self.reporting.help(sender) + self._manager_help(sender)

    async def _stranger(self, sender: Sender) -> bool:
        """Says whether the sender is in no team, as a member or as a manager."""
        is_manager = self._managing is not None and self._managing.is_manager(sender)
        return not is_manager and not await self.reporting.is_member(sender)

    def _manager_help(self, sender: Sender) -> list[Message]:
        """Returns the managers' commands, to a manager only."""
        if self._managing is None or not self._managing.is_manager(sender):
            return []
        return self._managing.help(sender)

    async def _managers_command(self, sender: Sender, command: Command, argument: str) -> list[Message]:
        if self._managing is None:
            return [Message(_(M.NOT_A_MANAGER))]
        match command:
            case Command.REPORTS:
                return await self._managing.list_reports(sender)
            case Command.OPEN if argument:
                return await self._managing.open(sender, argument)
            case Command.OPEN:
                return self._managing.help(sender)
            case Command.ACTIONS:
                return await self._managing.list_actions(sender)
        raise ValueError(f"no route for {command}")
