"""Reads the date a reporter types ("yesterday", "3/11", "last Tuesday"), UK style."""

from dataclasses import dataclass
from datetime import date, datetime, time
from enum import StrEnum

from dateparser.date import DateData, DateDataParser

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


def _read(text: str, *, today: date, prefer: str) -> DateData:
    # A parser per call: its settings fix "now", and ours comes from the caller's clock.
    parser = DateDataParser(
        languages=["en"],
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
