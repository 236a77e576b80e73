"""What the bot and a person exchange, on any platform: answers in, messages with buttons out."""

from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any


class Action(StrEnum):
    PICK = "p"
    TOGGLE = "t"
    DONE = "d"
    TEXT = "x"
    BACK = "b"
    SKIP = "s"
    CANCEL = "c"
    EDIT = "e"
    SUBMIT = "ok"
    YES = "y"
    NO = "n"
    MANAGE = "m"  # a manager's button: step names the verb, value its argument
    LANGUAGE = "l"  # the language picker: value is the language's code


@dataclass(frozen=True)
class Answer:
    action: Action
    value: str = ""
    step: str = ""  # the question a button was shown with; empty for typed text
    token: str = ""  # the button's signature, echoed back by the adapter


TYPED_ACTIONS = (Action.TEXT, Action.CANCEL)  # answers that may come without a button


@dataclass(frozen=True)
class Button:
    action: Action
    label: str
    step: str
    value: str = ""
    selected: bool = False
    token: str = ""  # set by the service: ties the button to one reporter and one draft

    def answer(self) -> Answer:
        """Returns the answer tapping this button gives."""
        return Answer(self.action, self.value, self.step, self.token)


@dataclass(frozen=True)
class Message:
    text: str
    options: tuple[Button, ...] = ()
    controls: tuple[Button, ...] = ()
    step: str = ""
    accepts_text: bool = False
    retry: bool = False  # "please try again": the question and its buttons stay as they were
    edit: bool = False  # shown in place of the message whose button was tapped
    receipt: str = ""  # the outbox key of a reply kept with the change that caused it, until delivered


_SEPARATOR = "|"


def encode_button(button: Button) -> str:
    """Returns a button as the short text a platform hands back when it is tapped."""
    return _SEPARATOR.join((button.action.value, button.step, button.value, button.token))


def decode_button(data: str | None) -> Answer | None:
    """Returns the answer an encoded button stands for, or None if the text means nothing."""
    parts = (data or "").split(_SEPARATOR)
    if len(parts) != 4:
        return None
    try:
        action = Action(parts[0])
    except ValueError:
        return None
    return Answer(action, parts[2], parts[1], parts[3])


def message_body(message: Message) -> dict[str, Any]:
    """Returns what a message carries besides its text, as JSON, to be sent later as it is."""
    body = asdict(message)
    del body["text"], body["edit"], body["receipt"]
    return body


def message_from_body(text: str, body: dict[str, Any]) -> Message:
    """Returns a message kept by `message_body`, buttons and all."""

    def buttons(kept: list[dict[str, Any]]) -> tuple[Button, ...]:
        return tuple(Button(**{**button, "action": Action(button["action"])}) for button in kept)

    fields = {**body, "options": buttons(body.get("options", [])), "controls": buttons(body.get("controls", []))}
    return Message(text, **fields)
