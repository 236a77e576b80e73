"""Finds people's names in running text, offline: a gazetteer of first names and surnames
(flows/data/names.tsv) read with the clues a social worker's sentence gives (a title, "mum",
"called", a capital letter mid-sentence, a surname that follows). No language model is needed.
"""

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from flows import welsh
from flows.name_words import (
    ACRONYMS,
    CAR_MAKES,
    COLOURS,
    CUES,
    DETERMINERS,
    INSTITUTIONS,
    JOB_TITLES,
    MET,
    MODALS,
    NAME_FOLLOWERS,
    NAME_LABELS,
    NEVER,
    NEVER_PAIRS,
    PERSON_VERBS,
    ROLES,
    SPEECH,
    TITLES,
)

GAZETTEER = Path(__file__).parent / "data" / "names.tsv"
PLACES = Path(__file__).parent / "data" / "places.txt"
WELSH_NAMES = Path(__file__).parent / "data" / "welsh_names.txt"
_WELSH_NAME_ZIPF, _WELSH_WORD_NAME_ZIPF = 1.0, 4.5  # a name, or one that is also an everyday word

# Latin-1, Extended-A, -B and Additional, and combining accents: Siân, Llŷr, Gwenllïan, Łukasz,
# Ionuț, Nguyễn; a name never ends inside a word.
_LETTER = "A-Za-zÀ-ÖØ-öø-ÿĀ-ɏḀ-ỿ"
# A closing quote is no part of the word before it: "'Annwyl Fari'".
_TOKEN = re.compile(rf"[{_LETTER}](?:[{_LETTER}\u0300-\u036f'’-]*[{_LETTER}\u0300-\u036f-])?")
_WELSH_ACCENTS = set("âêîôûŵŷ")  # "Tŷ", "Môn" are Welsh words, not Ty or Mon
_UNACCENTED = str.maketrans({"ł": "l", "ø": "o", "đ": "d", "ß": "ss", "æ": "ae", "œ": "oe", "ı": "i", "ð": "d"})
_AFTER_NUMBER = re.compile(r"\d(?:af|il|ydd|edd|fed|ed|eg|ain)?\s+$")
_WELSH_ENCLITIC = re.compile(r"['’](?:i|r|n|w|m|u|ch)$")  # efo'i, gyda'r, ei'n
_WELSH_N = re.compile(r"['’]n$")  # "Nia'n": Nia is
_ENCLITIC = re.compile(r"['’](?:s|n)$")  # Grace's, and Welsh "Nia'n" (Nia is)
_CONTRACTION = re.compile(r"n['’]t$|['’](?:re|ll|ve|d|m)$")
# The end of a sentence or the start of a bulleted item, and an opening quote: 'nodyn: "Mae'r...'
# (not an initial's full stop: "S. Williams"), and a bilingual line's "/".
# Quoted speech after a comma starts a sentence too: "Dywedodd Elis, 'Dwi isio ...'".
_SENTENCE_END = re.compile(r"(?:(?<!\b[A-Z])\.|[!?:;\n•|*]|^|\s[–/-])\s*[\"“‘'(]?\s*$|,\s*[\"“‘']\s*$")
# An age after a name in Welsh: "(5)", "(9 oed)", "yn 2 oed".
_AGE_AFTER = re.compile(r"\s*\(\d{1,2}(?:\s*oed)?\)|\s+yn\s+\d{1,2}\s+oed\b")
# An age or a word in brackets after a name: "(14)", "(9 oed)", "(gofalwr maeth)", "(ewythr)".
_WELSH_AGE_AFTER = re.compile(r"\s+yn\s+(?P<age>\d{1,2})(?P<role>)\s+oed\b")  # "Hêvî Karim yn 14 oed"
_BRACKET_AFTER = re.compile(r"\s*\((?:(?P<age>\d{1,2})(?:\s*(?:oed|yo|y/o|yrs?|years?))?\)|(?P<role>[^\W\d_]+))")
# A form's label: a capitalised word and one to three lower-case ones before a colon ("Dyddiad
# geni:", "Cod post:", "Dyddiad geni'r fam:"), not a link's ("Tia on https:"), or an abbreviation
# before one ("Cyf.:").
_LABEL_AFTER = re.compile(r"\.:|(?:\s+[a-zà-ÿŵŷ'’]+){1,3}\s*:(?![\d/])")
_ITEM_START = re.compile(r"(?:^|[.!?:;\n•|*–/-])\s*$")
_PLACE_PARTICLE = re.compile(r"-(?:y|yr|ar|yn|['’]r)-")  # a place's name: "Pen-y-bont", "Tal-y-bont"
# A date of birth's word after a name and a comma or bracket: "Teilo Huws, DG 3 Mai 2015".
_BIRTH_AFTER = re.compile(
    r"\s*[,(|*•–-]\s*(?:dob|d\.o\.b|date of birth|dg|d\.g|dyddiad geni|ganwyd|ganed|g)\.?(?!\w)(?=\W{0,3}\d)",
    re.IGNORECASE,
)
_SURNAME_SHAPE = re.compile(r"^(?:O['’][A-Z]|Mc[A-Z]|Mac[A-Z])[a-z]+$|^o['’][a-z]{3,}$")
_PREFIX = re.compile(r"^(?:Mc|Mac|O['’]|o['’])")

# How common a name is as an ordinary English word (Zipf) decides how much context it needs.
_RARE_WORD = 3.0  # rarer than this: a name even in lower case, unprompted ("jayden")
_NAME_LIKE = 4.05  # rarer than this: a name at the start of a sentence ("Liam got...")
_UNCOMMON_WORD = 4.7  # rarer than this: a name when a cue or a person verb says so ("Grace said")
_LOWER_SURNAME = 3.5  # a lower-case word after a name is its surname only if this rare


def prepare() -> None:
    """Loads the name lists and word frequencies now, so the first report after a start does
    not wait for them (about half a second) while other reporters wait behind it."""
    find_names("Liam said Grace rang from Leeds.")


@cache
def places() -> frozenset[str]:
    """Returns the places whose names are also surnames."""
    listed = frozenset(line for line in PLACES.read_text().splitlines() if line and not line.startswith("#"))
    return listed | welsh.TOWNS


@cache
def gazetteer() -> dict[str, float]:
    """Returns each known name, lower-case, with how common it is as an ordinary word."""
    return {name: zipf for name, (zipf, _home) in _entries().items()}


@cache
def home_names() -> frozenset[str]:
    """Returns the names common in the UK or Ireland."""
    return frozenset(name for name, (_zipf, home) in _entries().items() if home)


@cache
def _welsh_listed() -> frozenset[str]:
    return frozenset(line.split()[0] for line in WELSH_NAMES.read_text().splitlines() if line and line[0] != "#")


def _named_at_home(lower: str) -> bool:
    """Says whether a lower-case word is a name common in the UK or Ireland, or a Welsh name."""
    return lower in home_names() or lower in _welsh_listed()


@cache
def welsh_words() -> frozenset[str]:
    """Returns the Welsh names that are also everyday Welsh words (eira, snow; haf, summer)."""
    lines = WELSH_NAMES.read_text().splitlines()
    return frozenset(line.split()[0] for line in lines if line.endswith(" word") and not line.startswith("#"))


@cache
def _entries() -> dict[str, tuple[float, bool]]:
    entries = {}
    for line in GAZETTEER.read_text().splitlines():
        if line and not line.startswith("#"):
            name, _kind, zipf, home = line.split("\t")
            entries[name] = (float(zipf), home == "home")
    for line in WELSH_NAMES.read_text().splitlines():
        if line and not line.startswith("#"):
            name, _space, word = line.partition(" ")
            if name not in entries:  # a name the lists hold keeps what they say of it
                entries[name] = (_WELSH_WORD_NAME_ZIPF if word else _WELSH_NAME_ZIPF, True)
    return entries


def _unaccented(word: str) -> str:
    decomposed = unicodedata.normalize("NFD", word.translate(_UNACCENTED))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _word_zipf(word: str) -> float | None:
    """Returns how common a known name is as a word, or None if it is no known name; a name
    with accents the lists hold only without them ("Zoë", "Łukasz") is looked up without."""
    names = gazetteer()
    key = _ENCLITIC.sub("", word.lower())
    if key in names:
        return names[key]
    if not _WELSH_ACCENTS.intersection(key) and (bare := _unaccented(key)) != key and bare in names:
        return names[bare]
    parts = [p for p in re.split(r"[-'’]", key) if p]
    if len(parts) > 1 and any(p in names for p in parts):
        return min(names.get(p, 9.0) for p in parts)
    return None


def find_names(text: str) -> list[tuple[int, int]]:
    """Returns the spans of the names found in text."""
    tokens = [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(text)]
    spans: list[tuple[int, int]] = []
    previous_was_name = False
    named: list[bool] = []
    institutional = _institutional_runs(tokens, text)
    in_welsh = welsh.in_welsh(text)
    welsh_institutional = _welsh_institutional_runs(tokens, text) if in_welsh else set()
    before_birth = _before_birth_words(tokens, text) | (_after_family_and_comma(tokens, text) if in_welsh else set())
    pets = _pets(tokens) if in_welsh else set()
    pets |= _characters(tokens, text) | _fiction(tokens, text) | _vehicles(tokens, text)
    pets |= _welsh_places(tokens, text) if in_welsh else set()
    for index, (start, end, word) in enumerate(tokens):
        if index in institutional or index in pets:
            previous_was_name = False
            named.append(False)
            continue
        before = tokens[index - 1][2].lower() if index else ""
        following = tokens[index + 1][2] if index + 1 < len(tokens) else ""
        context = _Context(
            before=before,
            before2=tokens[index - 2][2].lower() if index > 1 else "",
            following=following,
            following2=tokens[index + 2][2] if index + 2 < len(tokens) else "",
            next_char=text[end : end + 2].strip()[:1],
            sentence_start=bool(_SENTENCE_END.search(text[:start])),
            follows_name=previous_was_name,
            spaced=bool(index) and text[tokens[index - 1][1] : start] == " ",
            and_after_name=before in ("and", "&", *(("a", "ac") if in_welsh else ()))
            and index > 1
            and named[index - 2],
            after_number=bool(_AFTER_NUMBER.search(text[max(0, start - 6) : start])),
            month_title=text[max(0, start - 4) : start] in ("Mis ", "Fis "),
            age_after=bool(_AGE_AFTER.match(text, end)),
            in_welsh_institution=index in welsh_institutional,
            welsh=in_welsh,
            before_birth=index in before_birth,
            label=_is_label(word, text, start, end),
            after_colon=bool(index) and text[tokens[index - 1][1] : start].strip() == ":",
            after_house=bool(index) and tokens[index - 1][2] in welsh.HOUSES,
            character_after=index + 2 in pets,
            role_after="(" in text[end : end + 3] and _role_after(text, end),
        )
        length = _name_length(word, context)
        if length:
            spans.append((start, start + length))
        previous_was_name = bool(length)
        named.append(previous_was_name)
    return _joined(_with_first_names(spans, tokens, in_welsh), text)


def _with_first_names(
    spans: list[tuple[int, int]], tokens: list[tuple[int, int, str]], in_welsh: bool
) -> list[tuple[int, int]]:
    """Returns the spans with a known first name straight before a name taken in too: the
    "Trần" of "Trần Quốc Bảo", decided before the words after it showed it was a name."""
    starts = {start for start, _ in spans}
    taken = set(starts)
    for index in range(len(tokens) - 1, 0, -1):
        start, end, word = tokens[index - 1]
        if tokens[index][0] in taken and tokens[index][0] == end + 1 and start not in taken:
            zipf = _word_zipf(word)
            plain = word[:1].isupper() and word[1:].islower() and word.isalpha()
            plain = plain and not (in_welsh and _everyday(word.lower()))  # "Mae Tyler'n": Welsh "is"
            if plain and word.lower() not in NEVER | places() and zipf is not None and zipf < _NAME_LIKE:
                spans.append((start, end))
                taken.add(start)
    return sorted(spans)


def _is_label(word: str, text: str, start: int, end: int) -> bool:
    """Says whether a capitalised word starting a line, a sentence or a bulleted item begins a
    form's label: "- Dyddiad geni: ...", "• Cyf.: ...", but not "Tyler said: ...", "Siân meddai: ..."."""
    label = _LABEL_AFTER.match(text, end)
    if not (word[:1].isupper() and label and _ITEM_START.search(text, 0, start)):
        return False
    second = (label[0].strip(" .:").lower().split() or [""])[0]
    return not (second in PERSON_VERBS or second in SPEECH or second in welsh.PERSON_AFTER or welsh.names_after(second))


def _before_birth_words(tokens: list[tuple[int, int, str]], text: str) -> set[int]:
    """Returns the indexes of two or three capitalised words, one space apart, or of one known
    name, before a comma or bracket and a date of birth's word ("Teilo Huws, DG ...", "Ava (DOB
    ...)", but not "Name, DOB and address"), or of one to three before an age or what the person
    is in brackets ("Brevik Quilla (14)", "Glenys Bowen (gofalwr maeth)")."""
    found: set[int] = set()
    for index, (_start, end, word) in enumerate(tokens):
        bracket = _BRACKET_AFTER.match(text, end) or _WELSH_AGE_AFTER.match(text, end)
        if bracket and not (bracket["age"] or _role(bracket["role"])):
            bracket = None
        if word[:1].isupper() and (bracket or _BIRTH_AFTER.match(text, end)):
            run = [index]
            while len(run) < 3 and run[-1] > 0 and tokens[run[-1] - 1][2][:1].isupper():
                if text[tokens[run[-1] - 1][1] : tokens[run[-1]][0]] != " ":
                    break
                run.append(run[-1] - 1)
            if len(run) > 1 or _word_zipf(word) is not None or bracket:
                found.update(run)
    return found


def _role_after(text: str, end: int) -> bool:
    """Says whether an age or what a person is follows in brackets: "(14)", "(tad mali)", "(llysenw am Ffion)"."""
    bracket = _BRACKET_AFTER.match(text, end)
    return bool(bracket and (bracket["age"] or _role(bracket["role"])))


def _after_family_and_comma(tokens: list[tuple[int, int, str]], text: str) -> set[int]:
    """Returns the indexes of one to three capitalised words, one space apart, after a family word
    and a comma, as Welsh names someone in apposition: "i'r fam, Tigist Tesfaye"."""
    found: set[int] = set()
    for index in range(1, len(tokens)):
        before = tokens[index - 1]
        if before[2].lower() in welsh.FAMILY and text[before[1] : tokens[index][0]] == ", ":
            following = index
            while following < len(tokens) and following < index + 3 and tokens[following][2][:1].isupper():
                if following > index and text[tokens[following - 1][1] : tokens[following][0]] != " ":
                    break
                found.add(following)
                following += 1
    return found


def _pets(tokens: list[tuple[int, int, str]]) -> set[int]:
    """Returns the indexes of an animal's or a toy's name after "o'r enw", an adjective or not between
    them: "ci o'r enw Mot", "gi mawr o'r enw Bruno"."""
    return {
        index
        for index in range(3, len(tokens))
        if tokens[index - 1][2].lower() == "enw"
        and tokens[index - 2][2].lower() in ("o'r", "o’r")
        and welsh.PETS.intersection(t[2].lower() for t in tokens[max(0, index - 4) : index - 2])
    }


def _characters(tokens: list[tuple[int, int, str]], text: str) -> set[int]:
    """Returns the indexes of the words of a children's character's name ("Sali Mali", "Siôn Corn") or
    of a body named after someone ("Hywel Dda")."""
    inside = [m.span() for pattern in (welsh.CHARACTERS, welsh.NAMED_BODIES) for m in pattern.finditer(text)]
    return {index for index, (start, _end, _word) in enumerate(tokens) if any(a <= start < b for a, b in inside)}


def _capitalised_run(tokens: list[tuple[int, int, str]], text: str, index: int) -> set[int]:
    """Returns the indexes of up to three capitalised words from index on, one space apart, and
    "ar", "y" or "yr" between two of them ("Mhen-y-bont ar Ogwr")."""
    run: set[int] = set()
    while index < len(tokens) and len(run) < 3:
        word = tokens[index][2]
        joiner = word in ("ar", "y", "yr") and index + 1 < len(tokens) and tokens[index + 1][2][:1].isupper()
        if not (word[:1].isupper() or (run and joiner)):
            break
        if run and text[tokens[index - 1][1] : tokens[index][0]] != " ":
            break
        run.add(index)
        index += 1
    return run


def _vehicles(tokens: list[tuple[int, int, str]], text: str) -> set[int]:
    """Returns the indexes of a car maker's name and the model after it, no known name ("Ford Transit",
    "Vauxhall Corsa"; but "Mercedes Lopez" is someone)."""
    found: set[int] = set()
    for index in range(len(tokens) - 1):
        make, model = tokens[index][2], tokens[index + 1][2]
        if make.lower() in CAR_MAKES and model[:1].isupper() and _word_zipf(model) is None:
            if text[tokens[index][1] : tokens[index + 1][0]] == " ":
                found |= {index, index + 1}
    return found


def _fiction(tokens: list[tuple[int, int, str]], text: str) -> set[int]:
    """Returns the indexes of a made-up person's name after "cymeriad" or "character": "y cymeriad Dani"."""
    found: set[int] = set()
    for index in range(1, len(tokens)):
        if tokens[index - 1][2].lower() in welsh.FICTION:
            found |= _capitalised_run(tokens, text, index)
    return found


def _welsh_places(tokens: list[tuple[int, int, str]], text: str) -> set[int]:
    """Returns the indexes of the capitalised words that name a place in Welsh: after "ym" or "yng",
    which come only before a place's name as nasal mutation writes it ("ym Mae Colwyn", "yng
    Nghaerdydd"), and a house's or a farm's name, a word of the land and a Welsh word after it
    ("Bryn Awel", "Pant Glas"; a first name and a surname, "Bryn Roberts", stays someone's)."""
    found: set[int] = set()
    for index in range(1, len(tokens)):
        before, word = tokens[index - 1][2], tokens[index][2]
        if before.lower() in ("ym", "yng"):
            found |= _capitalised_run(tokens, text, index)
        elif before.lower() == "i" and _after_going(tokens, index - 1):
            # One goes "i" a place, "at" a person: "mynd i Glyn Ceiriog" (but an e-mail "wedi mynd i Nasra
            # Ahmed", to someone, so only a name of two words or more whose last no list holds).
            run = _capitalised_run(tokens, text, index)
            if len(run) > 1 and _word_zipf(tokens[max(run)][2]) is None:
                found |= run
        elif (
            before in welsh.PLACE_NOUN_WORDS
            and word[:1].isupper()
            and text[tokens[index - 1][1] : tokens[index][0]] == " "
            and (word.lower() in welsh_words() or word.lower() in welsh.PLACE_ADJECTIVES or _everyday(word.lower()))
        ):
            found |= {index - 1, index}
    return found


def _after_going(tokens: list[tuple[int, int, str]], index: int) -> bool:
    """Says whether the word at index follows a verb of going, a pronoun or not between: "mynd", "aethon ni"."""
    words = [tokens[i][2].lower() for i in range(max(0, index - 2), index)]
    return bool(words) and (words[-1] in welsh.GOING or (words[-1] in welsh.PRONOUNS and words[0] in welsh.GOING))


def _institutional_runs(tokens: list[tuple[int, int, str]], text: str) -> set[int]:
    """Returns the indexes of capitalised words that name a place or body together with the
    institution word after them: all of "Rose Hill Academy", "Jessop Wing"."""
    inside: set[int] = set()
    run: list[int] = []
    for index, (start, _end, word) in enumerate(tokens):
        joined = run and text[tokens[run[-1]][1] : start] == " "
        if word[:1].isupper() and (joined or not run):
            run.append(index)
            continue
        if run and word.lower() in INSTITUTIONS and text[tokens[run[-1]][1] : start].isspace():
            inside.update(run)
        run = [index] if word[:1].isupper() else []
    return inside


def _welsh_institutional_runs(tokens: list[tuple[int, int, str]], text: str) -> set[int]:
    """Returns the indexes of the capitalised words (and the little words between them) that
    follow a Welsh kind of place: all of "Ysgol Gynradd Bryn Teg", "Cylch Meithrin Pen y Bryn"."""
    inside: set[int] = set()
    for index, (_start, _end, word) in enumerate(tokens):
        if word[:1].isupper() and word.lower() in welsh.INSTITUTIONS_BEFORE:
            following = index + 1
            while following < len(tokens):
                next_word = tokens[following][2]
                if not (next_word[:1].isupper() or next_word.lower() in welsh.NAME_JOINERS):
                    break
                if text[tokens[following - 1][1] : tokens[following][0]].strip():
                    break  # a comma or a bracket ends the name: "(Heddlu Dyfed-Powys), Dr Beti Lloyd"
                inside.add(following)
                following += 1
    return inside


@dataclass(frozen=True)
class _Context:
    before: str  # the word before, lower case
    following: str  # the word after, as written
    next_char: str  # the first character after the word and any space
    sentence_start: bool
    follows_name: bool
    spaced: bool = True  # only a space between it and the word before
    and_after_name: bool = False  # "summer and grace"
    before2: str = ""  # the word two before, lower case
    following2: str = ""  # the word two after, as written
    after_number: bool = False  # "3 Mai": a month, not Mai
    month_title: bool = False  # after a capitalised "Mis": "Mis Du" (Black History Month), not "27 mis Bea"
    age_after: bool = False  # "Mêl (5)", "Mai yn 2 oed": an age follows
    in_welsh_institution: bool = False  # "Ysgol Gynradd Bryn Teg"
    welsh: bool = False  # the text reads as Welsh: the Welsh rules apply
    before_birth: bool = False  # one of up to three capitalised words before "DOB", "DG"
    label: bool = False  # the first word of a form's label: "Dyddiad geni:"
    after_colon: bool = False  # the word before and a colon: "Enw: ...", "Child: ..."
    after_house: bool = False  # after a capitalised "Tŷ" or "Plas": a house's name, "Tŷ Gwyn"
    character_after: bool = False  # "a" and a character after it: "gwylio Cyw a Deian a Loli"
    role_after: bool = False  # an age or what the person is in brackets after it: "gwyn (tad mali)"


def _name_length(word: str, context: _Context) -> int:
    """Returns how many characters of the word are a name (0 if none): a possessive's "'s",
    or the "s" of one typed without its apostrophe ("Chloes school"), is left out."""
    if _is_name(word, context):
        return len(word) - (2 if _ENCLITIC.search(word) else 0)
    if (
        len(word) > 3
        and word.endswith("s")
        and word.lower() not in welsh.EVERYDAY
        and word.lower() not in places()
        and word.lower() not in TITLES  # "Miss", "Mrs": no "Mis'", "Mr'"
        and _is_name(word[:-1], context, possessive=True)
    ):
        # No noun after it, in Welsh, is no possessive: "jord & kels ar snap" (but "Chloes mam").
        whole = context.welsh and context.following.lower() in welsh.LOWER_FOLLOWERS
        if context.welsh and word.islower() and not whole:
            return 0  # Welsh has no possessive "s": "o lais", "megis"
        return len(word) - (0 if whole else 1)
    return 0


def _name_case(part: str) -> bool:
    """Says whether a part of a word is cased as a name is: Title case or all lower case."""
    rest = _PREFIX.sub("", part) or part  # "Mac" alone is a name too
    return rest.islower() or (rest[0].isupper() and (len(rest) == 1 or rest[1:].islower()))


def _everyday(lower: str) -> bool:
    """Says whether a word is everyday Welsh: itself, without its enclitic ("efo'i"), or its first
    part ("ail-drefnu")."""
    bare = _WELSH_ENCLITIC.sub("", lower)
    return bare in welsh.EVERYDAY or bare.split("-")[0] in welsh.EVERYDAY


def _cued(c: _Context) -> bool:
    """Says whether the word before is one that names a person after it, in English or Welsh: a cue,
    with an adjective between ("hogyn bach Gwil"), a word of being called and a quote ('ei alw'n
    "Smiffy"'), a picture of someone ("Llun o Jaxon"), a record of theirs ("cyfeiriad newydd Deri")."""
    if c.before in CUES or (c.welsh and c.spaced and welsh.names_after(c.before)):
        return True
    if c.before in welsh.CALLED or (c.welsh and c.before == "o" and c.before2 in welsh.IMAGES and c.spaced):
        return True
    cue_before = c.before2 in CUES or c.before2 in welsh.CUES or c.before2 in welsh.RECORDS
    return c.welsh and c.spaced and (c.before in welsh.RECORDS or (c.before in welsh.CUE_ADJECTIVES and cue_before))


def _not_a_name_in_welsh(word: str, lower: str, c: _Context) -> bool:
    """Says whether Welsh text shows a word is no name: an everyday word, a family word, a month
    after "mis" or a day, a school's or a day's name, a town as mutation wrote it, a name that is
    a Welsh word in lower case without a cue ("eira trwm"), a lower-case compound that is not
    all names ("cham-drin"), a regulation before its number ("Reg 26"), a saint ("Dewi Sant"), a
    title ("Seren yr Wythnos"), a name that is a word starting a sentence with a word after it
    that no person would have ("Eira trwm", "Awel gref"), a colour that is a name before "yw" and
    "lliw" (colour): "Gwyn yw lliw'r ffeil"."""
    word_name = word[:1].isupper() and lower in welsh_words()
    after_word = c.following.lower()
    return (
        lower in welsh.NEVER_NAMES
        or lower in welsh.CUES
        or word in welsh.LOWER_CASE_WORDS
        or (word.islower() and lower in welsh_words() and not (_cued(c) or c.before in TITLES or c.role_after))
        or (word.islower() and (c.before in welsh.POSSESSIVES or c.before.endswith(("'i", "'w", "’i", "’w"))))
        or c.month_title
        or (lower in welsh.PERHAPS and after_word in welsh.PERHAPS_AFTER)  # "Ella bod hi'n iawn": maybe
        or (lower in welsh.COLOURS and _listed_with(c, welsh.COLOURS))  # "Gwyn a du oedd y car"
        # a colour in lower case is an adjective: "car llwyd"
        or (word.islower() and lower in welsh.COLOURS and not (_cued(c) or c.follows_name or c.role_after))
        or (lower in welsh.MONTH_NAMES and (c.next_char.isdigit() or _listed_with(c, welsh.MONTH_NAMES)))
        or (
            (word_name or lower in welsh.LOWER_CASE_WORDS)
            and c.sentence_start
            and after_word in ("a", "ac")
            and c.following2.islower()
            and _word_zipf(c.following2) is None  # "Hedd a thawelwch", but "Seren a jac"
        )
        or (word.islower() and "-" in lower and not all(_word_zipf(p) for p in lower.split("-") if p))
        or (lower in welsh.BEFORE_NUMBERS and c.next_char.isdigit())
        or (len(lower) >= 8 and lower.endswith(welsh.NOUN_ENDINGS) and lower[-3:] != "eau" and _word_zipf(word) is None)
        or (word[:1].isupper() and c.before in ("â", "ag") and c.before2 in welsh.IN_ACCORDANCE)  # "yn unol â Pholisi"
        # a field or an everyday word completing a title: "Swyddog Tai", "Cymdeithasau Tai"
        or (word[:1].isupper() and (_everyday(lower) or lower in welsh.FIELDS) and c.spaced and _title_noun(c))
        or (
            (word_name or lower in welsh.COLOURS or lower in welsh.PLACE_ADJECTIVES)
            and c.before2 in ("y", "yr")
            and _word_zipf(c.before) is None
            and not (_role(c.before) or _known_follower(c.following, in_welsh=True))
        )  # an adjective of a title: "y Papur Gwyn"
        or lower in welsh.INSTITUTIONS_BEFORE
        or (_everyday(lower) and (word[:1].islower() or c.sentence_start or welsh.names_after(c.before)))
        or (_everyday(lower) and (c.before in welsh.MUTATING or _word_zipf(word) is None))  # "at Dîm", "Arweinydd Tîm"
        or welsh.inflected_verb(lower)
        or (lower in welsh.MONTH_NAMES and (c.before in ("mis", "fis") or c.after_number or _word_zipf(word) is None))
        or (c.before in welsh.NOT_AFTER and (c.spaced or c.before not in welsh.NAMED_AFTER))  # "(Rheolwr Tîm), Aled"
        or c.in_welsh_institution
        or (c.after_house and word[:1].isupper())
        or (word[:1].isupper() and lower in welsh.TOWNS_MUTATED and _word_zipf(word) is None)
        or (word[:1].isupper() and lower.startswith("llan") and len(lower) >= 7)  # a parish: "Llanfairfechan"
        or after_word in ("sant", "santes")
        or (word_name and after_word in ("yw", "ydy", "ydi") and c.following2.lower().startswith(("lliw", "liw")))
        or _WELSH_ENCLITIC.sub("", after_word) == "cymru"  # a body: "Hafan Cymru", "Gofal Cymdeithasol Cymru"
        or (_word_zipf(word) is None and c.following[:1].isupper() and _everyday(after_word))  # "Comisiynydd Plant"
        or c.before.endswith(("'r", "’r"))  # after the article: "Heddlu'r De"
        or (word.islower() and c.before in ("yn", "'n", "mor", "rhy"))  # an adjective: "yn wael", "mor dda"
        or (word[:1].isupper() and c.before == "yn" and c.spaced)  # "in" a place: "y capel yn Salem"
        or (
            (word_name or _word_zipf(word) is None)
            and after_word in ("y", "yr")
            and c.following2[:1].isupper()  # a title or a body: "Seren yr Wythnos", "Panel y Plant"
        )
        or (
            word_name
            and c.sentence_start
            and c.next_char.isalpha()
            and c.following.islower()
            and not (after_word in welsh.PERSON_AFTER or after_word in PERSON_VERBS or welsh.inflected_verb(after_word))
            and not (after_word in ("y", "yr") and _role(c.following2))  # "Bryn y llystad"
            and not _welsh_pair(c)  # "Seren a'i brawd"
        )
    )


def _title_noun(c: _Context) -> bool:
    """Says whether the word before is a job title's word or a Welsh noun no list holds as a name (and
    not an everyday word such as a preposition), whose title an everyday word after it completes."""
    bare = _WELSH_ENCLITIC.sub("", c.before)
    plain = not (c.sentence_start or c.follows_name or _everyday(bare) or bare in welsh.MUTATING)
    return c.before in welsh.JOB_TITLES or (plain and _word_zipf(bare) is None)


def _listed_with(c: _Context, kind: frozenset[str]) -> bool:
    """Says whether a word is listed with another of a kind, by "a", "ac", "neu" or "&": "Ebrill a Mai"."""
    joiners = ("a", "ac", "neu", "&", "and", "or")
    return (c.before in joiners and c.before2 in kind) or (
        c.following.lower() in joiners and c.following2.lower() in kind
    )


def _role(word: str) -> bool:
    """Says whether a word names what someone is to a child: "llystad", "gweithiwr", "foster"."""
    lower = word.lower()
    return lower in ROLES or lower in welsh.FAMILY or lower in welsh.CUES or lower in welsh.ROLES or _job_title(word)


def _job_title(word: str) -> bool:
    """Says whether a capitalised word is a word of a job title, English or Welsh: "Senior
    Practitioner", "Swyddog Adolygu Annibynnol", "Uwch Ymarferydd"."""
    lower = _WELSH_N.sub("", word.lower())  # "Dirprwy'n cyflenwi"
    return word[:1].isupper() and (lower in JOB_TITLES or lower in welsh.JOB_TITLES)


def _is_name(word: str, c: _Context, possessive: bool = False) -> bool:
    # A possessive is looked up as written ("Kent's mum" is a person's), a Welsh "'n" without it.
    lower, after = _WELSH_N.sub("", word.lower()), c.following.lower()
    if c.welsh and _not_a_name_in_welsh(word, lower, c):
        return False
    if _CONTRACTION.search(lower):
        return False  # hasn't, they're, she'll
    if (
        lower in NEVER
        or _ENCLITIC.sub("", lower) in NEVER
        or lower in TITLES
        or lower in INSTITUTIONS
        or c.before in ("st", "saint")
        or (after in INSTITUTIONS and c.next_char.isalpha())  # but "Dawn (team manager)", "Harri Jenkins; School: ..."
        or (c.before, lower) in NEVER_PAIRS
        or (lower, after) in NEVER_PAIRS
        or (after in TITLES and c.next_char.isalpha())  # "Annwyl Mr Evans", "Dear Mrs Khan"
        or c.label  # "Dyddiad geni: ...", "Cod post: ...", "Cyf.: ..."
        or _job_title(word)  # "Siân Pritchard, Rheolwr Tîm", "(Pediatregydd)"
        or _PLACE_PARTICLE.search(lower) is not None  # "Pen-y-bont", "Betws-y-Coed"
        or (lower == "storm" and c.following[:1].isupper())  # "Storm Darragh"
        # a character or a title: "Dennis the Menace", "Bob the Builder" (but "Rich the Stepdad")
        or (after == "the" and c.next_char.isalpha() and c.following2[:1].isupper() and not _role(c.following2))
    ):
        return False
    if c.before in TITLES:
        return word[:1].isupper() or _word_zipf(word) is not None
    if lower in ACRONYMS and not word.istitle():
        return False  # DASH, IRO, NINO; "Nino" may still be someone
    if word[:1].isupper() and c.before in COLOURS:
        return False  # "a silver Ford"
    if word.isupper() and len(word) >= 4:
        zipf = _word_zipf(word)
        return zipf is not None and zipf < _NAME_LIKE  # a surname in capitals: "OKONKWO family"
    if c.before_birth and word[:1].isupper() and _ENCLITIC.sub("", lower).rstrip("'’") not in ROLES | places():
        return True
    bare = _ENCLITIC.sub("", word)
    if any(not _name_case(part) for part in bare.split("-") if part):
        return False  # an acronym or odd casing: ID, GP, NINo
    capitalised = word[0].isupper()
    if _SURNAME_SHAPE.match(word.split("-")[0]):
        return True
    if capitalised and lower in places():
        # A surname that is also a place (Shannon, Preston) is someone in Welsh only when what is
        # around it says so: "Shannon wedi rhedeg", "gwelwyd Preston", but not a Welsh town.
        welsh_person = c.welsh and lower not in welsh.TOWNS
        return welsh_person and ((c.sentence_start and after in welsh.FOLLOWERS) or _cued(c))
    zipf = _word_zipf(word)
    if zipf is None and c.welsh and capitalised and c.before in welsh.MUTATING and c.before not in ("a", "ac", "o"):
        zipf = _respelt_zipf(word)  # "dim i Noa", "gyda Casi", but not "Dewin a Doti" on television
    if zipf is None and c.welsh and capitalised:
        zipf = _welsh_form_zipf(word)  # "Ffred", "Ffreya", "Huwcyn"
    if c.welsh and c.age_after and capitalised:
        return True  # "roedd Mêl (5) wedi cerdded", "Mai yn 2 oed"
    if c.welsh and zipf is None and capitalised and len(word) >= 3 and (c.before in welsh.MUTATING or _subject(c)):
        # "i Ddafydd", "â Chatrin", "ap Gwilym": a known name as mutation wrote it; or any name
        # with a known surname after it ("i Semhar Tesfay"); so too as the subject of "mae ... wedi"
        # ("Mae Wenno wedi dweud"), where an English word is more often found ("mae Facebook wedi").
        if (
            c.before in welsh.PATRONYMIC
            or any(_word_zipf(base) is not None for base in welsh.unmutated(word))
            or _known_follower(c.following, in_welsh=True)
        ):
            return True
    if c.welsh and zipf is None and capitalised and _mutated_name(word):
        return True  # "wedi ffonio Ddafydd": no Welsh word starts so unmutated
    if c.welsh and zipf is None and capitalised and welsh.name_shaped(word):
        return True  # "i Lynwen", 'yn lle "Lleuwen"': a name as Welsh names end
    if zipf is None:
        # Not a known name: only a capitalised word straight after a name or a cue, or one that
        # starts a sentence with a known surname after it ("Filmon Tesfay says...").
        if not capitalised or possessive:
            return False
        if c.after_colon and (c.before in CUES or c.before in NAME_LABELS or c.before in welsh.CUES):
            return True  # "Enw: Brevik Vardeth", "Child: ...", "Tad: ..."
        if c.welsh and _named_by_welsh(word, c):
            return True
        if c.welsh and (c.before in JOB_TITLES or c.before in welsh.JOB_TITLES) and c.before not in CUES:
            return False  # a word of the title: "(Cynorthwyydd Addysgu)", but "worker Kayden"
        if c.sentence_start:
            return (c.next_char.isalpha() and _known_follower(c.following, in_welsh=c.welsh)) or _welsh_pair(c)
        if re.search(r"['’]s$", word) and c.before in SPEECH:
            return True  # "said Nevaeh's NHS number"
        followed = not c.welsh and c.next_char.isalpha() and _known_follower(c.following, below=_NAME_LIKE)
        listed = c.welsh and c.and_after_name  # "Tomos a Thecla"
        return c.follows_name or _cued(c) or followed or listed or _welsh_pair(c)  # "for Rebin Ahmadi", "y babi Nova"
    if c.welsh and not capitalised and not _named_at_home(_ENCLITIC.sub("", lower)) and not _told(word, c):
        return False  # a Welsh word some other country's list holds as a name: "rhoi taleb", "jest panico"
    if possessive:  # "Chloes school", "barteks phone": the apostrophe left out
        return zipf < (_UNCOMMON_WORD if capitalised else _RARE_WORD + 0.5)
    if _cued(c):
        return capitalised or zipf < _UNCOMMON_WORD
    if c.follows_name:  # in Welsh text, a known name straight after a name is its surname: "kayleigh jones"
        return capitalised or (c.spaced and (zipf < _LOWER_SURNAME or c.welsh))  # not "Tedi, tegan meddal"
    if not capitalised:
        if (c.before in ("to", "with") and c.before2 in MET) or (c.and_after_name and zipf < _UNCOMMON_WORD):
            return True  # "spoke to jade", "met with tom", "summer and grace"
        if c.welsh and zipf < _UNCOMMON_WORD and _met_in_welsh(word, c):
            return True  # "gweld ellis", "siarad efo rhys", "roedd nia'n crio", "efo nathan"
        if c.welsh and zipf < _UNCOMMON_WORD and c.role_after:
            return True  # "ffonio gwyn (tad mali)"
        if c.before in DETERMINERS or c.before in MODALS:
            return False  # "the will", "can't cope"
        if re.search(r"['’]s$", word):
            return zipf < _UNCOMMON_WORD  # "kelly's ex"
        following = _word_zipf(c.following)
        rare_pair = following is not None and following < _NAME_LIKE
        # Starting a Welsh sentence: "dion wedi torri", "chloe dob ...", "nia (HV) yn poeni".
        welsh_cue = (
            c.welsh
            and c.sentence_start
            and (after in welsh.LOWER_FOLLOWERS or after in NAME_FOLLOWERS or (c.next_char == "(" and after in ROLES))
        )
        if c.welsh and _subject(c) and zipf < _UNCOMMON_WORD:
            return True  # "ma rhys di deud bod kyle yn aros"
        return zipf < _RARE_WORD or (zipf < _NAME_LIKE and (after in PERSON_VERBS or rare_pair or welsh_cue))
    if not c.sentence_start:
        return True
    if zipf < _NAME_LIKE and (_unaccented(lower.removesuffix("'s")) in home_names() or zipf < _RARE_WORD):
        return True
    if zipf >= _UNCOMMON_WORD:
        return (
            after in PERSON_VERBS
            or _known_follower(c.following)
            or (c.next_char == "(" and after in ROLES)  # "Bill (grandad)", "Dawn (team manager)"
            or (after == "the" and c.following2.lower() in CUES)  # "Rich the stepdad"
            or (after == "from" and c.following2.lower() == "the")  # "Mark from the YOT"
        )
    return (
        after in PERSON_VERBS
        or after in NAME_FOLLOWERS
        or (c.welsh and (after in welsh.FOLLOWERS or welsh.inflected_verb(after)))  # "Tyler wedi", "Siân ddeudodd"
        or _welsh_pair(c)
        or c.next_char in ("(", ",", "–", "—")
        or c.next_char.isdigit()
        or re.search(r"['’]s$", word) is not None
        or _known_follower(c.following)
    )


def _told(word: str, c: _Context) -> bool:
    """Says whether the words around a lower-case word say it is someone: a cue, a name before or after it
    ("mari wyn wedi"), a note's start before "wedi", "ar", "efo"..., a verb of meeting, the place of a
    clause's subject, who they are in brackets."""
    following = _word_zipf(c.following)
    # Two words some other country's list holds do not vouch for each other: "oni bai", "i rym ym".
    paired = following is not None and following < _NAME_LIKE and _named_at_home(c.following.lower())
    starting = c.sentence_start and c.following.lower() in welsh.LOWER_FOLLOWERS  # "ahmed wedi gadael"
    return _cued(c) or c.follows_name or paired or starting or _met_in_welsh(word, c) or _subject(c) or c.role_after


def _subject(c: _Context) -> bool:
    """Says whether a word stands where a Welsh clause has its subject: between a form of "bod" (to
    be) and "wedi" or "yn" ("ma rhys di deud", "bod kyle yn aros", "roedd Wenno wedi")."""
    if not (c.spaced and (c.before in welsh.BE or c.before in welsh.AUXILIARIES)):
        return False
    after, second = c.following.lower(), _word_zipf(c.following2)
    listed = after in ("a", "ac") and second is not None and second < _UNCOMMON_WORD  # "bod cai a lacey efo hi"
    return after in welsh.BE_AFTER or listed


def _welsh_form_zipf(word: str) -> float | None:
    """Returns how common a capitalised word is as a word if it is a name of the home lists as Welsh
    writes it: "Ff" for "F" ("Ffred", "Ffreya"), or with the pet ending "-cyn" ("Huwcyn"); such a
    spelling is no English word, so it counts as rare as a Welsh name; None if it is none of them."""
    lower, home = word.lower(), home_names()
    bases = [lower[1:]] if lower.startswith("ff") and len(lower) >= 5 and lower not in welsh.TOWNS else []
    bases += [lower[:-3]] if lower.endswith("cyn") and len(lower) >= 6 else []
    return _WELSH_NAME_ZIPF if any(base in home for base in bases) else None


def _respelt_zipf(word: str) -> float | None:
    """Returns how common a name of the home lists is as a word when Welsh spelling wrote it: with
    no final "h" ("Noa", "Sara"), "i" for "-ie" or "-y" with one consonant for two ("Casi", "Jeni"),
    "C" for "K" ("Cai"); or None if it is none of them."""
    stems = [word, "K" + word[1:]] if word.startswith("C") else [word]
    candidates = stems[1:]
    for stem in stems:
        candidates.append(stem + "h")
        if stem.endswith("i") and len(stem) >= 3:
            for base in (stem[:-1], stem[:-1] + stem[-2]):
                candidates += [base + "ie", base + "y"]
    names, home = gazetteer(), home_names()
    return min((names[c.lower()] for c in candidates if c.lower() in home), default=None)


def _known_follower(word: str, below: float = 9.0, in_welsh: bool = False) -> bool:
    """Says whether the word after is a capitalised known name ("Filmon Tesfay"), not a day or
    a month ("On Monday"), nor in Welsh an everyday word ("o Ddeddf Plant"), and rarer as a word
    than `below`."""
    zipf = _word_zipf(word)
    everyday = in_welsh and _everyday(word.lower())
    return word[:1].isupper() and word.lower() not in NEVER and not everyday and zipf is not None and zipf < below


def _mutated_name(word: str) -> bool:
    """Says whether a word is a name of the home lists as an aspirate mutation or a soft "Dd"
    wrote it (Thomos, Chatrin, Phedr, Ddafydd): no unmutated word starts so."""
    return word.startswith(("Dd", "Ch", "Th", "Ph")) and any(
        base.lower() in home_names() for base in welsh.unmutated(word)[:1]
    )


def _named_by_welsh(word: str, c: _Context) -> bool:
    """Says whether the Welsh around an unknown capitalised word shows it is someone: "'n" after it
    ("Mae Kelvaro'n deud"), a preposition people take ("wrth Quilla", "at Ilmaro", "â Doruna"), a
    verb of going whose subject it is ("Aeth Doruna ar goll"), or "o'r" and a team ("Doruna o'r
    tîm cyswllt")."""
    if _everyday(word.lower()):
        return False  # "Mae Tîm o Amgylch y Teulu", "Roedd Nadolig yn anodd"
    if _WELSH_N.search(word):
        return True
    if c.spaced and (c.before in welsh.PERSON_PREPOSITIONS or c.before in welsh.SUBJECT_OF):
        return True
    if c.spaced and c.before in welsh.PERCEIVING and c.following.lower() in ("yn", "wedi"):
        return True  # "clywed Nevaeh yn crio"
    return c.following.lower() in ("o'r", "o’r") and c.following2.lower() in welsh.TEAMS


def _met_in_welsh(word: str, c: _Context) -> bool:
    """Says whether a lower-case known name is someone by the Welsh around it: after a verb of
    meeting ("gweld ellis", "siarad efo rhys") or a preposition people take ("neges gan dylan",
    "efo jac"), or with "'n" after it, not after the article ("roedd nia'n crio", but "y babi'n")."""
    met = c.before in welsh.MET or (c.before in welsh.MUTATING and c.before2 in welsh.MET)
    met = met or c.before in welsh.PERSON_PREPOSITIONS or c.before in ("gan", "efo", "hefo", "gyda")
    enclitic = _WELSH_N.search(word) is not None and len(word) > 4  # not "ro'n i'n"
    return met or (enclitic and c.before not in ("y", "yr"))


def _welsh_pair(c: _Context) -> bool:
    """Says whether the words after show a Welsh person: "Mali a Thomos" (and a name, as the
    aspirate mutation may write it, but not a children's character: "gwylio Cyw a Deian a Loli"),
    "Dôn a'r babi", "Ceri a'i phartner" (and a family word)."""
    if not c.welsh:
        return False
    after, second = c.following.lower(), c.following2
    if after in ("a", "ac") and second[:1].isupper() and not c.character_after:
        return _known_follower(second, in_welsh=True) or _mutated_name(second)
    return after in welsh.AND_THEIR and second.lower() in welsh.FAMILY


# What may stand between a first name and a surname: a patronymic ("ap", "ferch"), a particle ("da
# Silva", "van Dijk"), initials ("Rhys Ll. Edwards").
_JOINING = {" ", " ap ", " ab ", " ferch ", " verch ", " da ", " de ", " dos ", " das ", " van ", " von ", " di "}
# Initials before a name: "D. R. Llewelyn", "J. Smith", and so "Rhys Ll. Edwards" whole; one capital
# without a full stop too ("J Davies"), but not "A", "I", "O" or "Y", which are words.
# A nickname in quotes between a first name and a surname: 'Darren "Daz" Cole'.
_NICKNAME_QUOTES = re.compile(r" [\"“‘']|[\"”’'] ")
_INITIALS_BEFORE = re.compile(r"(?<![\w.])(?:(?:(?:[A-Z]|Ll|Rh|Ch|Dd|Ff|Th|Gw)\. ?){1,3}|[B-HJ-NP-XZ] )$")


def _joined(spans: list[tuple[int, int]], text: str) -> list[tuple[int, int]]:
    """Returns the spans with a first name and the surname after it made one."""
    joined: list[tuple[int, int]] = []
    for start, end in spans:
        if initials := _INITIALS_BEFORE.search(text, max(0, start - 12), start):
            start = initials.start()
        between = text[joined[-1][1] : start] if joined else ""
        if joined and (start <= joined[-1][1] or between in _JOINING or _NICKNAME_QUOTES.fullmatch(between)):
            joined[-1] = (joined[-1][0], max(end, joined[-1][1]))
        else:
            joined.append((start, end))
    return joined
