"""The commands a person can give, and how each platform spells them: the words a person is
told to type are always the ones their platform and config accept."""

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from flows.chat import Action, Button, Message


class Command(StrEnum):
    START = "start"  # a first contact, perhaps with an invite code
    REPORT = "report"  # a report a question at a time
    CANCEL = "cancel"
    HELP = "help"
    STATUS = "status"
    JOIN = "join"
    REPORTS = "reports"
    OPEN = "open"
    ACTIONS = "actions"
    LANGUAGE = "language"


@dataclass(frozen=True)
class Vocabulary:
    """One platform's spelling of each command, and the catalogue's help text for it."""

    spellings: Mapping[Command, str]
    help: str  # a catalogue text; {command} stands for the platform's command, if any
    command: str = ""

    def __getitem__(self, command: Command) -> str:
        return self.spellings[command]


Vocabularies = Mapping[str, Vocabulary]  # by platform name


# Each language's name in itself, so the picker reads the same to everyone.
LANGUAGE_NAMES = {"en": "English", "cy": "Cymraeg"}
LANGUAGE_QUESTION = "Which language would you like? · Pa iaith hoffech chi?"


def language_picker() -> Message:
    """Returns the one-tap choice of language, in both languages."""
    options = tuple(
        Button(Action.LANGUAGE, name, Command.LANGUAGE.value, code) for code, name in LANGUAGE_NAMES.items()
    )
    return Message(LANGUAGE_QUESTION, options=options)
