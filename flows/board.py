"""A board report in words, tables and charts, from a team's counts for a period and the one
before: platform-neutral, rendered to HTML and PDF by bot/services/board_report.py.

Small counts are shown as "fewer than N", and where the other counts in a table and its total
would give one away, the next smallest is withheld too (shown *), so nothing below the
threshold can be read or worked out. Charts draw only what the tables show.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, NamedTuple

from flows.charts import BAND_HEX, Chart, comparison_chart
from flows.digest_text import measures_line
from flows.disclosure import count as _count
from flows.lists import Lists
from flows.messages import N_, NP_, _, day, ngettext
from flows.risk import COLOUR_WORDS, colour_name
from flows.triage import label

TITLE = N_("Near misses in {team}: board report")
PERIOD_LINE = N_("{start} to {end}, compared with {before_start} to {before_end}")
INTRO = N_(
    "What staff reported as near misses in this period, how managers weighed them up, and what "
    "changed because of them. Reports are confidential: nothing here shows who reported. Counts "
    "below {small} are shown as “fewer than {small}”. In a table with a total, every count "
    "withheld is shown as *: one below {small}, or one that would let such a count be worked out."
)
GLANCE = N_("At a glance")
GLANCE_REPORTS = N_("Reports: {now} (previous period: {before})")
GLANCE_HARM = N_("Reports of harm: {now} (previous period: {before})")
GLANCE_ACTIONS = N_("Actions agreed: {agreed}. Done: {done}. Overdue: {overdue}.")
GLANCE_CHANGES = N_("Changes put in place because staff spoke up: {changes}")
BY_GRADE = N_("Reports by grade")
BY_GRADE_CAPTION = N_("Reports by their outcome grade, this period and the one before")
BY_SETTING = N_("Reports by setting")
BY_SETTING_CAPTION = N_("Reports by where they happened, this period and the one before")
THEMES = N_("Themes and how they moved")
THEMES_NOTE = N_(
    "Themes are the contributory factors a manager recorded (or, before triage, those the reporter "
    "chose). A report may have several, so they do not add up to the reports."
)
THEMES_CAPTION = N_("Reports by theme, this period and the one before")
THEMES_NONE = N_("No themes were recorded in either period.")
RISK = N_("The risk picture")
RISK_NOTE = N_(
    "How managers graded the risk of this period's reports: consequence if it recurred × "
    "likelihood of recurrence. Red calls for an in-depth root cause analysis, promptly."
)
RISK_CAPTION = N_("This period's reports by risk band")
RISK_RCA = N_("Reports needing a root cause analysis: {needed}. Analysis recorded: {recorded}.")
NOT_TRIAGED = N_("Not yet triaged")
ALL_REPORTS = N_("All reports")
ACTIONS = N_("Actions agreed, done and overdue")
ACTIONS_CAPTION = N_("Actions in this period")
ACTIONS_AGREED = N_("Agreed in the period")
ACTIONS_DONE = N_("Done in the period")
ACTIONS_OVERDUE = N_("Overdue at the end of the period")
YOU_SAID = N_("You said, we did")
YOU_SAID_INTRO = N_("Changes put in place this period because staff reported near misses:")
YOU_SAID_LINE = N_("{what} ({reports})")
YOU_SAID_REPORTS = NP_("after {count} report", "after {count} reports")
YOU_SAID_FEW = N_("after fewer than {small} reports")
YOU_SAID_NONE = N_("No change was completed this period.")
FEEDBACK = N_("Feedback to staff who reported")
FEEDBACK_OWED = N_("Reporters still waiting to hear what changed: {owed}")
MADE = N_("Made by nearmiss on {day}. Counts are of reports sent in each period.")
COLUMN_THIS = N_("This period")
COLUMN_BEFORE = N_("Previous period")
COLUMN_CHANGE = N_("Change")
COLUMN_NUMBER = N_("Number")
COLUMN_GRADE = N_("Grade")
COLUMN_SETTING = N_("Setting")
COLUMN_THEME = N_("Theme")
COLUMN_BAND = N_("Risk band")
COLUMN_ACTIONS = N_("Actions")
NO_CHANGE = N_("no change")
WITHHELD = "*"
QUARTER = re.compile(r"^(\d{4})[Qq]([1-4])$")


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # the day after its last

    @property
    def before(self) -> "Period":
        """Returns the period of the same length just before; a quarter's is the quarter before."""
        if self.start.day == 1 and self.end.day == 1 and _months(self.start, self.end) == 3:
            month = self.start.month - 3
            start = date(self.start.year - (month < 1), (month - 1) % 12 + 1, 1)
            return Period(start, self.start)
        return Period(self.start - (self.end - self.start), self.start)


def _months(start: date, end: date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month


def quarter(text: str) -> Period:
    """Returns a calendar quarter written as 2026Q4; ValueError if it is not one."""
    found = QUARTER.match(text.strip())
    if not found:
        raise ValueError(f"{text!r} is not a quarter such as 2026Q4")
    year, number = int(found[1]), int(found[2])
    start = date(year, 3 * number - 2, 1)
    return Period(start, date(year + (number == 4), 3 * number % 12 + 1, 1))


@dataclass(frozen=True)
class Table:
    caption: str
    header: tuple[str, ...]
    rows: Sequence[tuple[str, ...]]  # the first cell of each names the row


class Row(NamedTuple):
    """One row of a this-period-against-the-last table: counts as shown (None where withheld),
    and the words of each cell."""

    name: str
    now: int | None
    before: int | None
    now_text: str
    before_text: str
    change: str


@dataclass(frozen=True)
class Section:
    key: str
    heading: str
    paragraphs: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    bullets: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Document:
    title: str
    subtitle: str
    sections: list[Section]


def protect(parts: dict[str, int], small: int) -> tuple[dict[str, int | None], int | None]:
    """Returns the parts and their total as they may be shown (None where withheld): each small
    count withheld, then, while the total and the counts shown would pin a withheld one down
    (one alone, or several that can only be 1 each), the next smallest withheld too."""
    total = sum(parts.values())
    if 0 < total < small:  # every part withheld, zeros too, or how many parts are not zero says too much
        return dict.fromkeys(parts), None
    shown: dict[str, int | None] = {key: None if 0 < n < small else n for key, n in parts.items()}
    while True:
        hidden = [parts[key] for key, value in shown.items() if value is None]
        if not hidden or (len(hidden) > 1 and sum(hidden) > len(hidden)):
            break
        others = sorted((n, key) for key, n in parts.items() if shown[key] is not None and n)
        if not others:
            break  # every count is withheld: the total is all there is
        shown[others[0][1]] = None
    return shown, None if 0 < total < small else total


def _cell(value: int | None) -> str:
    """Returns a count of a table with a total as shown: every count withheld alike, so a small
    one cannot be told from one withheld beside it."""
    return WITHHELD if value is None else str(value)


def _change(now: int | None, before: int | None) -> str:
    if now is None or before is None:
        return WITHHELD
    return _(NO_CHANGE) if now == before else f"{now - before:+d}".replace("-", "−")


def compare(
    names: dict[str, str], now: dict[str, int], before: dict[str, int], small: int, *, total: bool = True
) -> list[Row]:
    """Returns each row of a this-period-against-the-last table, and a last row of totals if `total`."""
    keys = [key for key in names if now.get(key) or before.get(key)]
    rows: list[Row] = []
    columns = []
    for counts in (now, before):
        parts = {key: counts.get(key, 0) for key in keys}
        if total:
            shown, shown_total = protect(parts, small)
        else:  # not a partition (a report has several themes): each count stands alone
            shown, shown_total = {key: None if 0 < n < small else n for key, n in parts.items()}, None
        columns.append((parts, shown, sum(parts.values()), shown_total))
    (
        (now_parts, now_shown, now_total, now_total_shown),
        (before_parts, before_shown, before_total, before_total_shown),
    ) = columns
    for key in keys:
        rows.append(
            Row(
                names[key],
                now_shown[key],
                before_shown[key],
                _cell(now_shown[key]) if total else _count(now_parts[key], small),
                _cell(before_shown[key]) if total else _count(before_parts[key], small),
                _change(now_shown[key], before_shown[key]),
            )
        )
    if total:
        rows.append(
            Row(
                _(ALL_REPORTS),
                now_total_shown,
                before_total_shown,
                _count(now_total, small),
                _count(before_total, small),
                _change(now_total_shown, before_total_shown),
            )
        )
    return rows


def _comparison(
    key: str,
    heading: str,
    caption: str,
    first: str,
    rows: list[Row],
    paragraphs: list[str] | None = None,
    *,
    total: bool = True,
) -> Section:
    columns = (first, _(COLUMN_THIS), _(COLUMN_BEFORE), _(COLUMN_CHANGE))
    table = Table(_(caption), columns, [(row.name, row.now_text, row.before_text, row.change) for row in rows])
    drawn = [
        (row.name, (row.now, row.before), (row.now_text, row.before_text)) for row in rows[: -1 if total else None]
    ]
    labels = (_(COLUMN_THIS), _(COLUMN_BEFORE))
    charts = [comparison_chart(title=_(caption), rows=drawn, labels=labels)] if _worth_drawing(drawn) else []
    return Section(key, _(heading), paragraphs or [], [table], charts)


def compose(counts: Any, *, team: str, period: Period, lists: Lists, small: int, today: date) -> Document:
    """Returns the board report for one team and period (counts: storage's BoardCounts)."""
    now, before, last = counts.now, counts.before, period.end - timedelta(days=1)
    previous = period.before
    subtitle = _(PERIOD_LINE).format(
        start=day(period.start),
        end=day(last),
        before_start=day(previous.start),
        before_end=day(previous.end - timedelta(days=1)),
    )
    grades = {g.code: _(g.label) for g in lists.grades}
    harm_names = {_(g.label) for g in lists.grades if g.harm}
    grade_rows = compare(grades, now.by_grade, before.by_grade, small)
    # Harm in all is shown where the table already gives it: every harm grade shown, or every
    # other grade and the total; else it could give a withheld grade away.
    harm_now, harm_before = (_harm(grade_rows, column, harm_names, small) for column in ("now", "before"))
    sections = [
        Section(
            "glance",
            _(GLANCE),
            [_(INTRO).format(small=small)],
            bullets=[
                _(GLANCE_REPORTS).format(now=grade_rows[-1].now_text, before=grade_rows[-1].before_text),
                _(GLANCE_HARM).format(now=harm_now, before=harm_before),
                _(GLANCE_ACTIONS).format(
                    agreed=_count(counts.actions_agreed, small),
                    done=_count(counts.actions_done, small),
                    overdue=_count(counts.actions_overdue, small),
                ),
                _(GLANCE_CHANGES).format(changes=_count(len(counts.changes), small)),
            ],
        ),
        _comparison("grades", BY_GRADE, BY_GRADE_CAPTION, _(COLUMN_GRADE), grade_rows),
        _comparison(
            "settings",
            BY_SETTING,
            BY_SETTING_CAPTION,
            _(COLUMN_SETTING),
            compare({o.code: _(o.label) for o in lists.where}, now.by_setting, before.by_setting, small),
        ),
        _themes(now.themes, before.themes, lists, small),
        _risk(now, small),
        Section(
            "actions",
            _(ACTIONS),
            tables=[
                Table(
                    _(ACTIONS_CAPTION),
                    (_(COLUMN_ACTIONS), _(COLUMN_NUMBER)),
                    [
                        (_(ACTIONS_AGREED), _count(counts.actions_agreed, small)),
                        (_(ACTIONS_DONE), _count(counts.actions_done, small)),
                        (_(ACTIONS_OVERDUE), _count(counts.actions_overdue, small)),
                    ],
                )
            ],
        ),
        Section(
            "you-said",
            _(YOU_SAID),
            [_(YOU_SAID_INTRO) if counts.changes else _(YOU_SAID_NONE)],
            bullets=[
                _(YOU_SAID_LINE).format(
                    what=what,
                    reports=_(YOU_SAID_FEW).format(small=small)
                    if n < small
                    else ngettext(YOU_SAID_REPORTS, n).format(count=n),
                )
                for what, n in counts.changes
            ],
        ),
        Section(
            "feedback",
            _(FEEDBACK),
            [
                measures_line(counts.feedback, days=(period.end - period.start).days, small=small),
                _(FEEDBACK_OWED).format(owed=_count(counts.feedback_owed, small)),
                _(MADE).format(day=day(today)),
            ],
        ),
    ]
    return Document(_(TITLE).format(team=team), subtitle, sections)


def _worth_drawing(rows: Sequence[tuple[str, Sequence[int | None], Sequence[str]]]) -> bool:
    """Says whether a chart would show more than its table: two bars or more."""
    return sum(1 for _name, counts, _words in rows for n in counts if n) >= 2


def _harm(rows: list[Row], column: str, harm: set[str], small: int) -> str:
    counts = {row.name: getattr(row, column) for row in rows[:-1]}
    total = getattr(rows[-1], column)
    if None not in [n for name, n in counts.items() if name in harm]:
        return _count(sum(n or 0 for name, n in counts.items() if name in harm), small)
    if total is not None and None not in [n for name, n in counts.items() if name not in harm]:
        return _count(total - sum(n or 0 for name, n in counts.items() if name not in harm), small)
    return WITHHELD


def _themes(now: dict[str, int], before: dict[str, int], lists: Lists, small: int) -> Section:
    names = {o.code: label(lists.factors, o.code) for o in lists.factors}
    names |= {code: label(lists.factors, code) for code in [*now, *before] if code not in names}
    rows = compare(names, now, before, small, total=False)
    rows.sort(key=lambda row: -(row.now or 0))
    if not rows:
        return Section("themes", _(THEMES), [_(THEMES_NONE)])
    return _comparison("themes", THEMES, THEMES_CAPTION, _(COLUMN_THEME), rows, [_(THEMES_NOTE)], total=False)


def _risk(now: Any, small: int) -> Section:
    names = {colour: f"{colour_name(colour)}: {_(COLOUR_WORDS[colour][0])}" for colour in reversed(COLOUR_WORDS)}
    parts = {**{colour: now.by_band.get(colour, 0) for colour in names}, "untriaged": now.untriaged}
    shown, _total = protect(parts, small)
    names["untriaged"] = _(NOT_TRIAGED)
    rows = [(names[key], _cell(shown[key])) for key in parts]
    rows.append((_(ALL_REPORTS), _count(sum(parts.values()), small)))
    drawn = [(names[key], (shown[key],), (row[1],)) for key, row in zip(parts, rows) if key != "untriaged"]
    colours = [BAND_HEX[c] for c in names if c in BAND_HEX]
    charts = (
        [comparison_chart(title=_(RISK_CAPTION), rows=drawn, labels=(_(COLUMN_THIS),), row_colours=colours)]
        if _worth_drawing(drawn)
        else []
    )
    rca, _whole = protect({"recorded": now.rca_recorded, "outstanding": now.rca_needed - now.rca_recorded}, small)
    return Section(
        "risk",
        _(RISK),
        [
            _(RISK_NOTE),
            _(RISK_RCA).format(needed=_count(now.rca_needed, small), recorded=_cell(rca["recorded"])),
        ],
        [Table(_(RISK_CAPTION), (_(COLUMN_BAND), _(COLUMN_NUMBER)), rows)],
        charts,
    )
