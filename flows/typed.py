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
_LONGEST_LIST = 60  # words: typed text longer than this at a list question is no list of its labels
_BREAK = ","  # a comma, semicolon or new line, kept as a word of its own between labels
_AND = {"&": "and", "+": "and"}
_LIST_WORD = re.compile(r"[,;\n]|[&+]|[^\s,;&+]+")
# Between the labels of a typed list, or inside one: "supervision and support"; Welsh "a"/"ac".
JOINING_WORDS = {"and", "a", "ac", _BREAK}


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


def typed_list(typed: str, labels: list[tuple[str, Answer]]) -> list[Answer] | None:
    """Returns the buttons a typed list names ("police, health & housing"), or None if a part
    names none. A label with "and" or a comma inside is read whole ("supervision and support",
    "Assessment tools, procedures")."""
    words: list[str] = []
    for token in _LIST_WORD.findall(typed):
        if token in (",", ";", "\n"):
            words.append(_BREAK)
        else:
            words += plain(_AND.get(token, token)).split()
    return _labels_in(words, labels)


def _labels_in(words: list[str], labels: list[tuple[str, Answer]]) -> list[Answer] | None:
    """Returns the labels these words name, cut at joining words, the longest label first; a
    label with a joining word inside is taken only as written, never as a near miss."""
    if len(words) > _LONGEST_LIST:
        return None
    # named[start]: the labels words[start:] name, or None if they cannot all be read as labels
    named: list[list[Answer] | None] = [None] * len(words) + [[]]
    for start in reversed(range(len(words))):
        if words[start] in JOINING_WORDS:
            named[start] = named[start + 1]
            continue
        for end in reversed(range(start + 1, len(words) + 1)):
            rest = named[end]
            if rest is None or (end < len(words) and words[end] not in JOINING_WORDS):
                continue
            span = " ".join(word for word in words[start:end] if word != _BREAK)
            if any(word in JOINING_WORDS for word in words[start + 1 : end]):
                found = next((a for label, a in labels if label == span), None)
            else:
                found = closest(span, labels)
            if found is not None:
                named[start] = [found, *rest]
                break
    return named[0]
