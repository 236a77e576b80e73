"""Typed text read as a tap: the words that mean a button ("skip", "back", "cancel", in English
and Welsh), and a button's label as typed, misspelt or begun, or several at once."""

import difflib
import re

from flows.chat import Action, Answer

# Typed words that mean a button, beside its label, in English and Welsh (where each applies is
# the engine's to say).
WORDS = {
    Action.BACK: ("back", "go back", "previous", "yn ôl", "yn ol", "nôl", "nol", "n ôl"),
    Action.SKIP: ("skip", "pass", "none", "n/a", "hepgor", "dim"),
    Action.CANCEL: ("cancel", "stop", "quit", "canslo", "diddymu"),
    Action.DONE: ("done", "finished", "that's all", "gorffen", "wedi gorffen", "dyna ni"),
    Action.SUBMIT: ("submit", "send", "send it", "cyflwyno", "anfon"),
    Action.YES: ("yes", "y", "ie", "do"),
    Action.NO: ("no", "n", "na", "naddo"),
}
YES_NO = {Action.YES: "yes", Action.NO: "no"}  # the feedback question's codes
NOTHING = ("none", "n/a", "dim")  # skip words that are also an answer: "What was done?" "None."
_FUZZY = 0.75  # how alike a misspelt label must be (difflib's ratio) to be taken for it
_SHORTEST_PREFIX = 4  # "hosp" for "Hospital or health", when no other label starts so
LIST_SEPARATORS = re.compile(r"\s*(?:,|;|&|\+|\band\b|\ba\b|\n)\s*", re.IGNORECASE)  # Welsh "a" is "and"


def plain(text: str) -> str:
    """Returns text as typed labels are compared: lower case, without symbols or extra spaces."""
    text = text.casefold().replace("’", "'")
    return " ".join(re.sub(r"[^\w\s'/-]", " ", text).split())


def closest(typed: str, labels: list[tuple[str, Answer]]) -> Answer | None:
    """Returns the one button a typed label means: its start, or a close misspelling."""
    by_label = dict(labels)
    starting = {a for label, a in labels if len(typed) >= _SHORTEST_PREFIX and label.startswith(typed)}
    if len(starting) == 1:
        return starting.pop()
    close = difflib.get_close_matches(typed, list(by_label), n=2, cutoff=_FUZZY)
    if len(close) == 1 or (close and by_label[close[0]] == by_label[close[-1]]):
        return by_label[close[0]]
    return None
