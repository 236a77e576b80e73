"""Disclosure control, property-based: hypothesis makes up small teams' reports, they are stored
in a real database (SQLite and PostgreSQL), the digest and `nearmiss stats`' table are composed
from it as in production, and a reader who knows every rule tries to work out each hidden count
from the figures shown. Every hidden count must keep at least two possible values, and every
count shown exactly must be 0 or reach the threshold."""

import asyncio
import itertools
import re
import secrets
from datetime import UTC, date, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flows.digest_text import RECURRING, compose, stats_table
from flows.draft import ReportContent
from flows.lists import Lists
from flows.risk import PROVISIONAL
from storage import report_store, triage_store
from storage.database import Database
from storage.keys import Pseudonym

LISTS = Lists()
GRADES = {grade.label: grade.code for grade in LISTS.grades}
FACTORS = ("workload", "inter_agency", "handover")
FEEDBACK_DAYS = 90
EXAMPLES = 25

report = st.tuples(
    st.sampled_from(["prevented", "left_at_risk", "severe"]),  # few grades: parts big and small together
    st.lists(st.sampled_from(FACTORS), unique=True, max_size=2),
    st.none() | st.integers(min_value=0, max_value=9),  # days to first feedback
)
team = st.lists(report, max_size=9)
small = st.integers(min_value=3, max_value=5)  # "fewer than 2" could only be 1


class Store:
    """One database for every example; each example's reports in teams and a week of their own."""

    def __init__(self, url: str) -> None:
        self.runner = asyncio.Runner()
        self.database = Database(url)
        self.runner.run(self.database.migrate())
        self.weeks = itertools.count()

    def close(self) -> None:
        self.runner.run(self.database.close())
        self.runner.close()

    def fill(self, teams: list[list[tuple]]) -> tuple[list[str], datetime, datetime]:
        start = datetime(2020, 1, 6, tzinfo=UTC) + timedelta(weeks=next(self.weeks))
        names = [f"t{secrets.token_hex(4)}" for _ in teams]
        self.runner.run(self._add(names, teams, start))
        return names, start, start + timedelta(days=7)

    async def _add(self, names, teams, start) -> None:
        async with self.database.unit() as session:
            for name, reports in zip(names, teams, strict=True):
                for number, (grade, factors, feedback) in enumerate(reports):
                    content = ReportContent(
                        date(2020, 1, 1), None, "home_visit", ("child",), "x", "y", grade, tuple(factors), None, True
                    )
                    submitted = start + timedelta(hours=number + 1)
                    stored = await report_store.add_report(
                        session,
                        content=content,
                        team=name,
                        reporter=Pseudonym("k", f"r{number}"),
                        platform="telegram",
                        now=submitted,
                    )
                    if feedback is not None:
                        stored.first_feedback_at = submitted + timedelta(days=feedback)

    def digest(self, name: str, start: datetime, end: datetime, small: int) -> str:
        async def composed() -> str:
            async with self.database.unit() as session:
                figures = await triage_store.figures(
                    session,
                    team=name,
                    since=start,
                    now=end,
                    waiting_grades=tuple(PROVISIONAL),
                    zone=UTC,
                    trend_since=start,
                    feedback_since=start,
                )
            return compose(
                figures,
                team_name="T",
                start=start.date(),
                end=end.date(),
                now=end,
                lists=LISTS,
                small=small,
                feedback_days=FEEDBACK_DAYS,
            )

        return self.runner.run(composed())

    def stats(self, names: list[str], start: datetime, end: datetime, small: int) -> list[str]:
        async def measured() -> list[str]:
            async with self.database.unit() as session:
                rows = [
                    (n, await triage_store.feedback_measures(session, since=start, until=end, team=n)) for n in names
                ]
                everyone = await triage_store.feedback_measures(session, since=start, until=end)
            return stats_table(rows, everyone, days=7, small=small)

        return self.runner.run(measured())


# What a reader can make of one figure: its exact value, or the values it may have.
def read(cell: str, small: int) -> range:
    if cell == f"fewer than {small}":
        return range(1, small)
    return range(int(cell), int(cell) + 1)


def assert_none_derivable(possible: dict[str, set[int]], small: int) -> None:
    """Fails if a count the reader can pin down to one value is from 1 to small - 1."""
    for what, values in possible.items():
        assert len(values) > 1 or not 0 < min(values) < small, (what, values)


def check_digest(text: str, reports: list[tuple], small: int) -> None:
    lines = text.splitlines()
    total = read(lines[2].removeprefix("New reports: "), small)
    grades = {}
    for line in lines[3:]:
        label, _, value = line.strip().rpartition(": ")
        if label in GRADES:
            grades[GRADES[label]] = read(value, small)
    truth = {code: sum(1 for grade, _f, _d in reports if grade == code) for code in GRADES.values()}
    # Every assignment of the grades listed that adds up to a total allowed: what each may be.
    possible: dict[str, set[int]] = (
        {"total": set(total)} if not grades else {"total": set(), **{c: set() for c in grades}}
    )
    for values in itertools.product(*grades.values()) if grades else ():
        if sum(values) in total:
            possible["total"].add(sum(values))
            for code, value in zip(grades, values, strict=True):
                possible[code].add(value)
    assert sum(truth.values()) in possible["total"]
    assert all(truth[code] in possible[code] for code in grades)
    assert_none_derivable(possible, small)

    themes = re.search(r"^Recurring themes: (.*)$", text, re.M)[1]
    listed = re.findall(r"(\w[^,(]*) \(([^)]+)\)", themes)  # a reader knows a recurring theme was seen twice or more
    assert_none_derivable({theme: {n for n in read(shown, small) if n >= RECURRING} for theme, shown in listed}, small)
    assert_none_derivable({what: {int(n)} for what, n in re.findall(r"(done|Overdue|feedback): (\d+)", text)}, small)

    feedback, given = lines[-1], sum(1 for *_r, days in reports if days is not None)
    if m := re.search(r": (\d+) of (\d+) reports have had some \(\d+%\)", feedback):
        may_be, of = {int(m[1])}, int(m[2])
    elif m := re.search(r": (all but )?fewer than \d+ of (\d+) reports", feedback):
        of = int(m[2])
        may_be = {of - n for n in range(1, small)} if m[1] else set(range(1, small))
    elif m := re.search(r": none of (\d+) reports", feedback):
        may_be, of = {0}, int(m[1])
    else:
        assert "too few reports" in feedback
        return
    assert given in may_be and of == len(reports)
    assert_none_derivable({"reports": {of}, "given": may_be, "without": {of - g for g in may_be}}, small)


def check_stats(lines: list[str], teams: list[list[tuple]], small: int) -> None:
    rows = [re.split(r"\s{2,}", line.strip())[1:] for line in lines[2:]]
    choices = []  # per team: every (reports, with feedback) pair its row allows
    for (counted, shown, *_rest), reports in zip(rows, teams, strict=False):
        pairs = [
            (r, g)
            for r in read(counted, small)
            for g in range(r + 1)
            if shown == "-"
            or (shown.startswith("<") and 0 < g < small)
            or (shown.startswith(">") and r - small < g < r)
            or (shown.isdigit() and g == int(shown))
        ]
        assert (len(reports), sum(1 for *_r, days in reports if days is not None)) in pairs
        choices.append(pairs)
    combinations = list(itertools.product(*choices))
    if not lines[-1].startswith("all teams:"):  # the row for all teams: the sums are known
        everyone, given = read(rows[-1][0], small), int(rows[-1][1])
        combinations = [c for c in combinations if sum(r for r, _ in c) in everyone and sum(g for _, g in c) == given]
    for number in range(len(teams)):
        assert_none_derivable(
            {
                "reports": {c[number][0] for c in combinations},
                "given": {c[number][1] for c in combinations},
                "without": {c[number][0] - c[number][1] for c in combinations},
            },
            small,
        )


def test_no_small_count_in_a_digest_or_in_stats_can_be_worked_out(database_url):
    store = Store(database_url)
    try:

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        )
        @given(teams=st.lists(team, min_size=1, max_size=3), small=small)
        def holds(teams, small):
            names, start, end = store.fill(teams)
            for name, reports in zip(names, teams, strict=True):
                check_digest(store.digest(name, start, end, small), reports, small)
            check_stats(store.stats(names, start, end, small), teams, small)

        holds()
    finally:
        store.close()
