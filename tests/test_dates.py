from datetime import date, time

import pytest

from flows.dates import DateProblem, When, parse_when

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
        ("1/1/1850", DateProblem.UNREADABLE),
        ("1/1/2027", DateProblem.FUTURE),
        ("tomorrow", DateProblem.FUTURE),
    ],
)
def test_dates_that_cannot_be_a_near_miss(typed, problem):
    assert parse_when(typed, today=TODAY) is problem
