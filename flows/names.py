"""Finds people's names in running text, offline: a gazetteer of first names and surnames
(flows/data/names.tsv) read with the clues a social worker's sentence gives (a title, "mum",
"called", a capital letter mid-sentence, a surname that follows). No language model is needed.
"""

import re
from functools import cache
from pathlib import Path

GAZETTEER = Path(__file__).parent / "data" / "names.tsv"

_TOKEN = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿ][A-Za-zÀ-ÖØ-öø-ÿ'’-]*")
_SENTENCE_END = re.compile(r"[.!?:;\n]\s*$|^\s*$")
_SURNAME_SHAPE = re.compile(r"^(?:O['’][A-Z]|Mc[A-Z]|Mac[A-Z])[a-z]+$")

TITLES = {"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "dame"}
# Words after which the next word is very likely somebody's name.
CUES = {
    "mum", "mummy", "mother", "dad", "daddy", "father", "brother", "sister", "son", "daughter",
    "nan", "nana", "nanna", "gran", "granny", "grandma", "grandad", "grandpa", "grandmother",
    "grandfather", "uncle", "aunt", "auntie", "cousin", "stepdad", "stepmum", "stepfather",
    "stepmother", "partner", "boyfriend", "girlfriend", "husband", "wife", "ex", "baby", "child",
    "boy", "girl", "carer", "named", "called", "sw", "worker", "teacher", "colleague", "nephew",
    "niece", "sibling", "siblings", "twin", "twins", "toddler", "infant", "youngest", "eldest",
}
# Words after a name that show it was a person acting or spoken of.
PERSON_VERBS = {
    "said", "says", "told", "was", "is", "has", "had", "rang", "called", "came", "went", "left",
    "did", "does", "didn't", "doesn't", "wasn't", "isn't", "asked", "wants", "wanted", "disclosed",
    "reported", "hit", "missed", "refused", "answered", "lives", "lived", "stays", "stayed",
    "attends", "attended", "and", "aged", "who", "were", "saw", "seemed", "looked", "cried",
}
# Words that follow a place or organisation, not a person: "Leeds General Infirmary".
INSTITUTIONS = {
    "school", "primary", "academy", "college", "university", "nursery", "hospital", "infirmary",
    "clinic", "surgery", "centre", "center", "court", "council", "service", "services", "team",
    "unit", "trust", "police", "station", "church", "general", "royal", "house", "hall", "ward",
    "road", "street", "lane", "avenue", "close", "drive", "way", "park", "estate", "city", "town",
    "county", "district", "borough", "community", "children's", "family", "families", "project",
}
# Capitalised words that are never names here, whatever some country's list says.
NEVER = {
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january",
    "february", "march", "april", "may", "june", "july", "august", "september", "october",
    "november", "december", "christmas", "easter", "eid", "diwali", "ramadan", "mum", "dad", "nan",
    "gran", "i", "the", "a", "an", "and", "but", "or", "so", "then", "no", "yes", "ok", "not",
}
_RARE_WORD = 3.6      # rarer than this as an English word: a name, even lower-case, unprompted
_UNCOMMON_WORD = 4.7  # rarer than this: a name when a cue or a person verb says so


@cache
def gazetteer() -> dict[str, float]:
    """Returns each known name, lower-case, with how common it is as an ordinary word."""
    names = {}
    for line in GAZETTEER.read_text().splitlines():
        if line and not line.startswith("#"):
            name, _kind, zipf = line.split("\t")
            names[name] = float(zipf)
    return names


def _word_zipf(word: str) -> float | None:
    """Returns how common a known name is as a word, or None if it is no known name."""
    names = gazetteer()
    key = word.lower().removesuffix("'s").removesuffix("’s")
    if key in names:
        return names[key]
    parts = [p for p in re.split(r"[-'’]", key) if p]
    if len(parts) > 1 and any(p in names for p in parts):
        return min(names.get(p, 9.0) for p in parts)
    return None


def find_names(text: str) -> list[tuple[int, int]]:
    """Returns the spans of the names found in text."""
    tokens = [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(text)]
    spans: list[tuple[int, int]] = []
    previous_was_name = False
    for index, (start, end, word) in enumerate(tokens):
        before = tokens[index - 1][2].lower() if index else ""
        following = tokens[index + 1][2] if index + 1 < len(tokens) else ""
        sentence_start = bool(_SENTENCE_END.search(text[:start]))
        if _is_name(word, before, following, sentence_start, previous_was_name):
            trimmed = end - (2 if re.search(r"['’]s$", word) else 0)
            spans.append((start, trimmed))
            previous_was_name = True
        else:
            previous_was_name = False
    return _joined(spans, text)


def _is_name(word: str, before: str, following: str, sentence_start: bool, follows_name: bool) -> bool:
    lower, after = word.lower(), following.lower()
    if lower in NEVER or before in ("st", "saint") or after in INSTITUTIONS:
        return False
    if word.isupper() and before not in TITLES:
        return False  # an acronym: ID, GP, MASH, EDT
    capitalised = word[0].isupper() and not word.isupper()
    zipf = _word_zipf(word)
    if before in TITLES:
        return capitalised or zipf is not None
    if capitalised and _SURNAME_SHAPE.match(word.split("-")[0]):
        return True
    if zipf is None:
        # Not a known name: only a capitalised word straight after a name, a title or a cue.
        return capitalised and not sentence_start and (follows_name or before in CUES)
    if follows_name:
        return capitalised or zipf < _UNCOMMON_WORD
    if before in CUES:
        return capitalised or zipf < _UNCOMMON_WORD
    if capitalised and not sentence_start:
        return True
    if zipf < _RARE_WORD:
        return True
    if zipf >= _UNCOMMON_WORD:
        return False
    possessive = re.search(r"['’]s$", word) is not None
    surname_follows = following[:1].isupper() and _word_zipf(following) is not None
    return possessive or after in PERSON_VERBS or (capitalised and surname_follows)


def _joined(spans: list[tuple[int, int]], text: str) -> list[tuple[int, int]]:
    """Returns the spans with a first name and the surname after it made one."""
    joined: list[tuple[int, int]] = []
    for start, end in spans:
        if joined and text[joined[-1][1]:start] == " ":
            joined[-1] = (joined[-1][0], end)
        else:
            joined.append((start, end))
    return joined
