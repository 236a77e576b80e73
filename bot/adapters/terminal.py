"""The terminal adapter: the whole reporter flow at a prompt, for `nearmiss demo`."""

import asyncio
from collections.abc import Awaitable, Callable

from bot.adapters.vocabularies import TERMINAL
from bot.services.front import Front
from bot.services.platform import Limits
from bot.services.sender import Sender
from flows.chat import Action, Answer, Button, Message
from flows.commands import Command

SHORTCUTS = {"b": Action.BACK, "s": Action.SKIP, "d": Action.DONE, "x": Action.CANCEL}
HELP = (
    "Type a number to tap a button, or type your answer.\n"
    "Shortcuts: b back, s skip, d done, x cancel, q quit (your draft is kept)."
)

ReadLine = Callable[[str], Awaitable[str | None]]


async def read_stdin(prompt: str) -> str | None:
    """Returns the next line typed, or None at end of input."""
    try:
        return await asyncio.to_thread(input, prompt)
    except EOFError:
        return None


def render(messages: list[Message]) -> tuple[str, list[Button]]:
    """Returns the messages as terminal text, and the buttons in the order they are numbered."""
    lines, buttons = [], []
    for message in messages:
        lines += ["", message.text]
        for button in message.options + message.controls:
            buttons.append(button)
            tick = "[x] " if button.selected and button.action is Action.TOGGLE else ""
            lines.append(f"  {len(buttons):>2}. {tick}{button.label}")
    return "\n".join(lines), buttons


def parse(line: str, buttons: list[Button], step: str) -> Answer:
    """Returns the answer a typed line stands for at the current question."""
    typed = line.strip()
    if typed.isdigit() and 1 <= int(typed) <= len(buttons):
        return buttons[int(typed) - 1].answer()
    shortcut = SHORTCUTS.get(typed.lower())
    offered = [b for b in buttons if b.action is shortcut]
    if offered:
        return offered[0].answer()
    if shortcut is Action.CANCEL:
        return Answer(Action.CANCEL, step=step)
    return Answer(Action.TEXT, line)


class TerminalAdapter:
    """The terminal as a platform: one person at a prompt, and what would be sent printed."""

    name = "terminal"
    limits = Limits(text=100_000, button_label=100)
    vocabulary = TERMINAL

    def __init__(self, front: Front, *, write: Callable[[str], None] = print) -> None:
        self.front = front
        self._write = write

    async def start(self) -> None:
        pass

    async def stop(self) -> None:
        pass

    def render(self, message: Message) -> str:
        return render([message])[0]

    async def send(self, chat_id: str, message: Message) -> None:
        self._write(self.render(message))

    async def deliver(
        self, chat_id: str, text: str, image: bytes | None = None, *, reply: Message | None = None
    ) -> None:
        self._write(text if reply is None else self.render(reply))


async def converse(
    front: Front,
    *,
    sender: Sender,
    read: ReadLine = read_stdin,
    write: Callable[[str], None] = print,
) -> None:
    """Runs one report at the terminal, until it is submitted, cancelled or left for later."""
    write(HELP)
    messages = await front.command(sender, Command.REPORT)
    while True:
        text, buttons = render(messages)
        write(text)
        prompt = messages[-1]
        if not (buttons or prompt.accepts_text):
            return
        line = await read("> ")
        if line is None or line.strip().lower() == "q":
            write("\nYour draft is kept; run the demo again to carry on.")
            return
        answer = parse(line, buttons, prompt.step)
        messages = await (
            front.text(sender, answer.value) if answer.action is Action.TEXT else front.reporting.answer(sender, answer)
        )
