"""Reads the date a reporter types ("yesterday", "3/11", "last Tuesday"), UK style."""

import re
from dataclasses import dataclass
from datetime import date, datetime, time
from enum import StrEnum

from dateparser.date import DateData, DateDataParser

from flows.messages import WELSH, language

EARLIEST_YEAR = 1990
_LONGEST_DATE_TEXT = 64


class DateProblem(StrEnum):
    UNREADABLE = "unreadable"
    FUTURE = "future"
    PAST = "past"


@dataclass(frozen=True)
class When:
    day: date
    at: time | None = None


# Welsh ways of naming a day that dateparser does not read, as the English it does.
_WELSH_DAYS = {
    "llun": "Monday",
    "mawrth": "Tuesday",
    "mercher": "Wednesday",
    "iau": "Thursday",
    "gwener": "Friday",
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
_WELSH_RELATIVE_DAY = re.compile(
    rf"\b(?:dydd |nos )?({'|'.join(_WELSH_DAYS)})\s+({'|'.join(map(re.escape, _WELSH_WHICH))})\b", re.IGNORECASE
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
    text = _WELSH_WORD.sub(lambda m: _WELSH_WORDS[m.group(1).lower()], text)
    return _WELSH_AT.sub("at ", text)


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
    data = _read(text, today=today, prefer="past")
    if data.date_obj is None or data.date_obj.year < EARLIEST_YEAR:
        return DateProblem.UNREADABLE
    day = data.date_obj.date()
    if day > today:
        return DateProblem.FUTURE
    at = data.date_obj.time().replace(second=0, microsecond=0) if data.period == "time" else None
    return When(day, at)
