from datetime import date, time

import pytest

from flows.dates import DateProblem, When, parse_due, parse_when, read_when
from flows.messages import WELSH, speaking

TODAY = date(2026, 11, 23)  # a Monday


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("today", When(date(2026, 11, 23))),
        ("Yesterday", When(date(2026, 11, 22))),
        ("3/11", When(date(2026, 11, 3))),
        ("03/11/2026", When(date(2026, 11, 3))),
        ("11/3", When(date(2026, 3, 11))),  # day first, as in the UK
        ("last Tuesday", When(date(2026, 11, 17))),
        ("2 days ago", When(date(2026, 11, 21))),
        ("3 Nov", When(date(2026, 11, 3))),
        ("3/12", When(date(2025, 12, 3))),  # the past December, not next month
        ("monday 3pm", When(date(2026, 11, 16), time(15, 0))),
    ],
)
def test_dates_people_type(typed, expected):
    assert parse_when(typed, today=TODAY) == expected


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("banana", DateProblem.UNREADABLE),
        ("31/2", DateProblem.UNREADABLE),
        ("", DateProblem.UNREADABLE),
        ("1/1/1850", DateProblem.TOO_EARLY),
        ("50 years ago", DateProblem.TOO_EARLY),
        ("yesterday at 25:00", DateProblem.NO_SUCH_TIME),
        ("13pm", DateProblem.NO_SUCH_TIME),
        ("1/1/2027", DateProblem.FUTURE),
        ("tomorrow", DateProblem.FUTURE),
    ],
)
def test_dates_that_cannot_be_a_near_miss(typed, problem):
    assert parse_when(typed, today=TODAY) is problem


@pytest.mark.parametrize(
    "typed, day, at",
    [
        ("ddoe", date(2026, 11, 22), None),
        ("dydd Mawrth diwethaf", date(2026, 11, 17), None),
        ("Gwener diwethaf", date(2026, 11, 20), None),
        ("3 Tachwedd", date(2026, 11, 3), None),
        ("ddoe am 3pm", date(2026, 11, 22), time(15, 0)),
        ("3/11", date(2026, 11, 3), None),
        ("last Tuesday", date(2026, 11, 17), None),  # English is read in Welsh too
        # the time of day before the day, mutated day names, Welsh times, "tua", ordinals
        ("nos Sul tua 11yh", date(2026, 11, 22), time(23, 0)),
        ("nos Fawrth", date(2026, 11, 17), None),
        ("bore dydd Mercher", date(2026, 11, 18), None),
        ("dydd Sul am 11yh", date(2026, 11, 22), time(23, 0)),
        ("ddoe am 3yp", date(2026, 11, 22), time(15, 0)),
        ("ddoe am 3 y prynhawn", date(2026, 11, 22), time(15, 0)),
        ("heddiw 9.30yb", date(2026, 11, 23), time(9, 30)),
        ("14eg o Dachwedd", date(2026, 11, 14), None),
        ("1af o Fawrth", date(2026, 3, 1), None),
    ],
)
def test_dates_are_read_in_welsh(typed, day, at):
    with speaking(WELSH):
        assert parse_when(typed, today=date(2026, 11, 23)) == When(day, at)


def test_a_due_date_is_read_in_welsh():
    with speaking(WELSH):
        assert parse_due("dydd Gwener nesaf", today=date(2026, 11, 23)) == date(2026, 11, 27)


@pytest.mark.parametrize(
    ("typed", "language", "today", "meant"),
    [
        ("last Tuesday", "en", date(2026, 12, 2), (date(2026, 12, 1), date(2026, 11, 24))),  # on a Wednesday
        ("last mon about 3pm", "en", date(2026, 12, 4), (date(2026, 11, 30), date(2026, 11, 23))),
        ("dydd Mawrth diwethaf", WELSH, date(2026, 12, 2), (date(2026, 12, 1), date(2026, 11, 24))),
    ],
)
def test_last_and_a_day_of_this_week_is_asked_about(typed, language, today, meant):
    with speaking(language):
        reading = read_when(typed, today=today)
    assert reading.when is not None and reading.other is not None
    assert (reading.when.day, reading.other.day) == meant


def test_last_and_a_day_of_the_week_before_is_taken_as_it_is():
    reading = read_when("last Friday", today=TODAY)  # Monday: Friday was in the week before
    assert reading.when == When(date(2026, 11, 20)) and reading.other is None
    dated = read_when("last Tuesday 1/12", today=date(2026, 12, 2))  # the date typed says which
    assert dated.when == When(date(2026, 12, 1)) and dated.other is None
