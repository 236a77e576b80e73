"""Reads the date a reporter types ("yesterday", "3/11", "last Tuesday"), UK style."""

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from dateparser.date import DateData, DateDataParser

from flows.messages import WELSH, language

EARLIEST_YEAR = 1990
_LONGEST_DATE_TEXT = 64


class DateProblem(StrEnum):
    UNREADABLE = "unreadable"
    FUTURE = "future"
    PAST = "past"
    TOO_EARLY = "too_early"  # read, but before EARLIEST_YEAR
    NO_SUCH_TIME = "no_such_time"  # "25:00", "13pm"


@dataclass(frozen=True)
class When:
    day: date
    at: time | None = None


@dataclass(frozen=True)
class Reading:
    """What a typed date was read as: a date, or two to choose between, or why neither."""

    when: When | None = None
    problem: DateProblem | None = None
    other: When | None = None  # the month-first reading of an ambiguous 03/04/2024
    read_as: date | None = None  # the date a refused text named (too early), to say so
    clock: str = ""  # the impossible time as typed


# Times no clock shows: "25:00", "10:75", "13pm", "0am". Dots are left alone before a 24-hour
# time, where "25.12" is a date.
_CLOCK = re.compile(r"(?<![\d/.:-])(\d{1,2}):(\d{2})(?!\d)(?!\s*[ap]\.?m)", re.IGNORECASE)
_TWELVE_HOUR = re.compile(r"(?<![\d/.:-])(\d{1,2})(?:[:.](\d{2}))?\s*([ap])\.?m\b", re.IGNORECASE)
# Day and month both 12 or under: read day first, as in the UK, unless that is long ago.
_NUMERIC_DATE = re.compile(r"(?<![\d/.-])(\d{1,2})([/.-])(\d{1,2})(?:\2(\d{4}|\d{2}))?(?![\d/.-])")
_ASK_WHICH_AFTER_DAYS = 60  # a recent day-first reading is what a UK reporter meant
# "last Tuesday" said on a Wednesday: yesterday to some, the Tuesday of the week before to others.
_LAST_WEEKDAY = re.compile(r"\blast\s+(?:mon|tue|wed|thu|fri|sat|sun)", re.IGNORECASE)
_ABOUT = re.compile(r"\b(?:around|roughly|approx(?:imately)?|approx\.|circa|c\.|ish|tua)\b", re.IGNORECASE)


# Welsh ways of naming a day that dateparser does not read, as the English it does.
_WELSH_DAYS = {  # with the soft mutation "nos" and "bore" give: "nos Fawrth", "nos Wener"
    "llun": "Monday",
    "lun": "Monday",
    "mawrth": "Tuesday",
    "fawrth": "Tuesday",
    "mercher": "Wednesday",
    "fercher": "Wednesday",
    "iau": "Thursday",
    "gwener": "Friday",
    "wener": "Friday",
    "sadwrn": "Saturday",
    "sul": "Sunday",
}
_WELSH_WHICH = {
    "diwethaf": "last ",
    "dwetha": "last ",
    "d'wetha": "last ",
    "nesaf": "next ",
    "nesa": "next ",
    "yma": "",
}
_WELSH_PART_OF_DAY = r"(?:(?:bore|nos|prynhawn|pnawn)\s+(?:dd?ydd\s+)?|dd?ydd\s+)"  # "nos", "bore dydd"
_WELSH_RELATIVE_DAY = re.compile(
    rf"\b{_WELSH_PART_OF_DAY}?({'|'.join(_WELSH_DAYS)})\s+({'|'.join(map(re.escape, _WELSH_WHICH))})\b",
    re.IGNORECASE,
)
# A day named after "dydd", "nos" or "bore" ("nos Sul"); alone, "Mawrth" may be March.
_WELSH_DAY = re.compile(rf"\b{_WELSH_PART_OF_DAY}({'|'.join(_WELSH_DAYS)})\b", re.IGNORECASE)
# "11yh", "3 y.p.", "2yb": y bore (morning), y prynhawn (afternoon), yr hwyr (evening).
_WELSH_CLOCK = re.compile(r"\b(\d{1,2}(?:[:.]\d{2})?)\s*(y\.?b|y\.?p|y\.?h)\.?(?!\w)", re.IGNORECASE)
_WELSH_CLOCK_WORDS = re.compile(
    r"\b(\d{1,2}(?:[:.]\d{2})?)\s+(?:o'r\s+gloch\s+)?yr?\s+(bore|prynhawn|pnawn|nos|hwyr)\b", re.IGNORECASE
)
_WELSH_MONTHS = {  # with the soft mutation "o" gives: "14eg o Dachwedd"
    "ionawr": "January",
    "chwefror": "February",
    "mawrth": "March",
    "fawrth": "March",
    "ebrill": "April",
    "mai": "May",
    "fai": "May",
    "mehefin": "June",
    "fehefin": "June",
    "gorffennaf": "July",
    "orffennaf": "July",
    "awst": "August",
    "medi": "September",
    "fedi": "September",
    "hydref": "October",
    "tachwedd": "November",
    "dachwedd": "November",
    "rhagfyr": "December",
    "ragfyr": "December",
}
_WELSH_DAY_OF_MONTH = re.compile(
    rf"\b(\d{{1,2}})(?:af|il|ydd|edd|ed|fed|eg|ain)?\s+(?:o\s+)?({'|'.join(_WELSH_MONTHS)})\b", re.IGNORECASE
)
_WELSH_WORDS = {
    "echdoe": "2 days ago",
    "ddoe": "yesterday",
    "heddiw": "today",
    "yfory": "tomorrow",
    "neithiwr": "yesterday evening",
}
_WELSH_WORD = re.compile(rf"\b({'|'.join(_WELSH_WORDS)})\b", re.IGNORECASE)
_WELSH_AT = re.compile(r"\bam (?=\d)", re.IGNORECASE)  # "ddoe am 3pm"


def _as_dateparser_reads(text: str) -> str:
    """Returns Welsh relative dates ("dydd Mawrth diwethaf", "ddoe am 3pm") in the English words
    dateparser reads; month names and numbers it reads in Welsh itself."""
    text = _WELSH_RELATIVE_DAY.sub(lambda m: _WELSH_WHICH[m.group(2).lower()] + _WELSH_DAYS[m.group(1).lower()], text)
    text = _WELSH_DAY.sub(lambda m: _WELSH_DAYS[m.group(1).lower()], text)
    text = _WELSH_DAY_OF_MONTH.sub(lambda m: f"{m.group(1)} {_WELSH_MONTHS[m.group(2).lower()]}", text)
    text = _WELSH_CLOCK.sub(lambda m: _clock(m.group(1), morning=m.group(2).lower().endswith("b")), text)
    text = _WELSH_CLOCK_WORDS.sub(lambda m: _clock(m.group(1), morning=m.group(2).lower() == "bore"), text)
    text = _WELSH_WORD.sub(lambda m: _WELSH_WORDS[m.group(1).lower()], text)
    return _WELSH_AT.sub("at ", text)


def _clock(time: str, *, morning: bool) -> str:
    """Returns a Welsh time of day ("9.30", morning) as dateparser reads it ("9:30am")."""
    return time.replace(".", ":") + ("am" if morning else "pm")


def _read(text: str, *, today: date, prefer: str) -> DateData:
    # A parser per call: its settings fix "now", and ours comes from the caller's clock.
    welsh = language() == WELSH
    if welsh:
        text = _as_dateparser_reads(text)
    parser = DateDataParser(
        languages=["cy", "en"] if welsh else ["en"],
        settings={
            "DATE_ORDER": "DMY",
            "PREFER_DATES_FROM": prefer,
            "RETURN_TIME_AS_PERIOD": True,
            "RELATIVE_BASE": datetime.combine(today, time(12, 0)),
        },
    )
    return parser.get_date_data(text.strip()[:_LONGEST_DATE_TEXT])


def parse_due(text: str, *, today: date) -> date | DateProblem:
    """Returns the day a due date names ("31/1", "next Friday"), today or later."""
    data = _read(text, today=today, prefer="future")
    if data.date_obj is None or data.date_obj.year < EARLIEST_YEAR:
        return DateProblem.UNREADABLE
    return data.date_obj.date() if data.date_obj.date() >= today else DateProblem.PAST


def parse_when(text: str, *, today: date) -> When | DateProblem:
    """Returns the date (and time, if one was typed) the text names, or why it cannot."""
    reading = read_when(text, today=today)
    return reading.when or reading.problem or DateProblem.UNREADABLE


def read_when(text: str, *, today: date) -> Reading:
    """Reads when something happened: the date and any time typed, both readings of an
    ambiguous day and month, or why it cannot be taken (unreadable, future, too early, a time
    no clock shows)."""
    if clock := _impossible_time(text):
        return Reading(problem=DateProblem.NO_SUCH_TIME, clock=clock)
    text = _ABOUT.sub("about", text)
    reading = _one_reading(text, today)
    if reading.when is not None and _last_weekday_this_week(text, reading.when.day, today):
        return Reading(when=reading.when, other=When(reading.when.day - timedelta(days=7), reading.when.at))
    numeric = _NUMERIC_DATE.search(text)
    if reading.when is None or numeric is None or (today - reading.when.day).days <= _ASK_WHICH_AFTER_DAYS:
        return reading
    first, separator, second, year = numeric.groups()
    if first == second or int(first) > 12 or int(second) > 12:
        return reading
    swapped = separator.join([second, first] + ([year] if year else []))
    other = _one_reading(text[: numeric.start()] + swapped + text[numeric.end() :], today).when
    return Reading(when=reading.when, other=other) if other and other.day != reading.when.day else reading


def _last_weekday_this_week(text: str, day: date, today: date) -> bool:
    """Says whether the text is "last" and a weekday read as a day of this week (from Monday)."""
    said = _as_dateparser_reads(text) if language() == WELSH else text
    if _LAST_WEEKDAY.search(said) is None or _NUMERIC_DATE.search(text):  # "last Tuesday 1/12" says which
        return False
    return day >= today - timedelta(days=today.weekday())


def _one_reading(text: str, today: date) -> Reading:
    data = _read(text, today=today, prefer="past")
    if data.date_obj is None:
        return Reading(problem=DateProblem.UNREADABLE)
    day = data.date_obj.date()
    if day.year < EARLIEST_YEAR:
        return Reading(problem=DateProblem.TOO_EARLY, read_as=day)
    if day > today:
        return Reading(problem=DateProblem.FUTURE)
    at = data.date_obj.time().replace(second=0, microsecond=0) if data.period == "time" else None
    return Reading(when=When(day, at))


def _impossible_time(text: str) -> str:
    """Returns a time in the text that no clock shows, as typed, or ''."""
    for match in _CLOCK.finditer(text):
        if int(match.group(1)) > 23 or int(match.group(2)) > 59:
            return match.group(0)
    for match in _TWELVE_HOUR.finditer(text):
        if not 1 <= int(match.group(1)) <= 12 or int(match.group(2) or 0) > 59:
            return match.group(0)
    return ""
