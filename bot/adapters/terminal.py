"""The terminal adapter: the whole reporter flow at a prompt, for `nearmiss demo`."""

import asyncio
from collections.abc import Awaitable, Callable

from bot.services.reporting import Reporting, Sender
from flows.engine import Action, Answer, Button, Message

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


async def converse(
    reporting: Reporting, *, sender: Sender, read: ReadLine = read_stdin,
    write: Callable[[str], None] = print,
) -> None:
    """Runs one report at the terminal, until it is submitted, cancelled or left for later."""
    write(HELP)
    messages = await reporting.start(sender)
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
        messages = await reporting.answer(sender, parse(line, buttons, prompt.step))
