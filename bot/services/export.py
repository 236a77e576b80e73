"""Pseudonymous reports with their triage, for a board's analysts: JSON, CSV (with a byte-order
mark, so Excel reads it as UTF-8) or xlsx, streamed so memory stays flat as reports grow.

Each column is a line of COLUMNS: its name, what it holds (the xlsx's "Columns" sheet), and how
it is read from a report. Codes come with their labels; times are in the configured time zone,
to the second. Exports leave out the reporter pseudonym: a board sees patterns, not people.
"""

import csv
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any, BinaryIO, TextIO
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from flows import messages as M
from flows.lifecycle import ORDER, Status
from flows.lists import Lists, Option
from flows.messages import _
from flows.risk import COLOUR_WORDS, CONSEQUENCES, LIKELIHOODS, colour_name
from flows.triage import label
from storage.export_store import ReportRecord

EXCEL_ROWS = 1_048_576  # an Excel sheet's rows, its header included


@dataclass(frozen=True)
class View:
    """What turns stored codes and UTC times into what an analyst reads."""

    lists: Lists
    zone: ZoneInfo
    team_names: dict[str, str]
    _names: dict[int, dict[str, str]] = field(default_factory=dict, compare=False, repr=False)

    def local(self, moment: datetime | None) -> datetime | None:
        """Returns a stored time in the configured zone, to the second."""
        return None if moment is None else moment.astimezone(self.zone).replace(microsecond=0)

    def label(self, options: tuple[Option, ...], code: str) -> str:
        """Returns a code's label, looked up once an export (a million reports ask again and again)."""
        names = self._names.get(id(options))
        if names is None:
            names = self._names[id(options)] = {option.code: label(options, option.code) for option in options}
        return names.get(code, code)

    def labels(self, options: tuple[Option, ...], codes: list[str]) -> list[str]:
        return [self.label(options, code) for code in codes]


@dataclass(frozen=True)
class Column:
    name: str
    about: str
    value: Callable[[ReportRecord, View], Any]


def _status_at(status: Status) -> Column:
    def latest(r: ReportRecord, v: View) -> datetime | None:
        return v.local(max((at for s, at in r.changes if s == status), default=None))

    return Column(
        f"status_{status.value}_at", f"When it last moved to '{status.value}' (empty if it never has)", latest
    )


def _band(r: ReportRecord, v: View) -> str | None:
    colour = r.report.risk_colour
    return f"{colour_name(colour)}: {_(COLOUR_WORDS[colour][0])}" if colour in COLOUR_WORDS else None


def _scale(words: tuple[str, ...], value: int | None) -> str | None:
    return None if value is None else _(words[value - 1])


COLUMNS: tuple[Column, ...] = (
    Column("reference", "The report's reference, as its reporter has it", lambda r, v: r.report.reference),
    Column("team", "The team's id in the config", lambda r, v: r.report.team),
    Column("team_name", "The team's name", lambda r, v: v.team_names.get(r.report.team, r.report.team)),
    Column("submitted_at", "When it was sent", lambda r, v: v.local(r.report.submitted_at)),
    Column("occurred_on", "The day it happened, as the reporter gave it", lambda r, v: r.report.occurred_on),
    Column("occurred_at", "The time it happened, if given", lambda r, v: r.report.occurred_at),
    Column("setting", "Where it happened (code)", lambda r, v: r.report.setting),
    Column("setting_label", "Where it happened", lambda r, v: v.label(v.lists.where, r.report.setting)),
    Column("involved", "Who was involved (codes, roles never names)", lambda r, v: list(r.report.involved)),
    Column("involved_labels", "Who was involved", lambda r, v: v.labels(v.lists.who, r.report.involved)),
    Column("what", "What happened, identifiers masked", lambda r, v: r.report.what),
    Column("immediate_action", "What was done straight away, masked", lambda r, v: r.report.immediate_action),
    Column("grade", "The outcome the reporter chose (code)", lambda r, v: r.report.grade),
    Column("grade_label", "The outcome the reporter chose", lambda r, v: v.label(v.lists.grades, r.report.grade)),
    Column("factors", "Contributory factors the reporter chose (codes)", lambda r, v: list(r.report.factors)),
    Column("factors_labels", "Contributory factors", lambda r, v: v.labels(v.lists.factors, r.report.factors)),
    Column("what_stopped_it", "What stopped it getting worse, masked", lambda r, v: r.report.what_stopped_it),
    Column("wants_feedback", "Whether the reporter asked to hear what changes", lambda r, v: r.report.wants_feedback),
    Column(
        "consequence", "Triage: consequence if it recurred, 1 (none) to 5 (death)", lambda r, v: r.report.consequence
    ),
    Column("consequence_label", "Triage: consequence", lambda r, v: _scale(CONSEQUENCES, r.report.consequence)),
    Column("likelihood", "Triage: likelihood of recurrence, 1 (rare) to 5", lambda r, v: r.report.likelihood),
    Column("likelihood_label", "Triage: likelihood", lambda r, v: _scale(LIKELIHOODS, r.report.likelihood)),
    Column("risk_score", "Triage: consequence × likelihood, 1 to 25", lambda r, v: r.report.risk_score),
    Column("risk_band", "Triage: the colour band when graded (code)", lambda r, v: r.report.risk_colour),
    Column("risk_band_label", "Triage: the colour band and risk", _band),
    Column("triaged_at", "When a manager first graded it", lambda r, v: v.local(r.report.triaged_at)),
    Column("themes", "Triage: themes a manager set (factor codes)", lambda r, v: list(r.report.themes or [])),
    Column("themes_labels", "Triage: themes", lambda r, v: v.labels(v.lists.factors, r.report.themes or [])),
    Column("needs_rca", "Whether its band calls for a root cause analysis", lambda r, v: r.report.needs_rca),
    Column(
        "rca_whys", "Root cause analysis: the five whys, in order", lambda r, v: (r.report.rca or {}).get("whys", [])
    ),
    Column("rca_barriers", "Root cause analysis: the barriers", lambda r, v: (r.report.rca or {}).get("barriers")),
    Column("status", "Where it is in its lifecycle now (code)", lambda r, v: r.report.status),
    Column("status_label", "Where it is in its lifecycle now", lambda r, v: _(M.STATUS[r.report.status])),
    Column(
        "status_changed_at",
        "When it last moved (its sending, if never)",
        lambda r, v: v.local(r.changes[-1][1] if r.changes else r.report.submitted_at),
    ),
    *(_status_at(status) for status in ORDER[1:]),
    Column(
        "status_history",
        "Every move after sending, oldest first: when, then the status",
        lambda r, v: [f"{_text(v.local(at))} {status}" for status, at in r.changes],
    ),
    Column("linked_reports", "References of reports a manager linked as the same pattern", lambda r, v: r.links),
    Column(
        "action_references", "Actions agreed because of it (one a line)", lambda r, v: [a.reference for a in r.actions]
    ),
    Column(
        "action_whats", "What each action changes, in the same order", lambda r, v: [a.description for a in r.actions]
    ),
    Column("action_owner_roles", "Who owns each action (a role)", lambda r, v: [a.owner_role for a in r.actions]),
    Column("action_due_on", "When each action is due", lambda r, v: [a.due_on for a in r.actions]),
    Column(
        "action_done_at",
        "When each action was done (empty if not yet)",
        lambda r, v: [v.local(a.done_at) for a in r.actions],
    ),
)
NAMES = tuple(column.name for column in COLUMNS)
CODE_LISTS = frozenset({"involved", "factors", "themes"})  # joined with ';' in a cell, as before


def record(item: ReportRecord, view: View) -> dict[str, Any]:
    """Returns one report as typed values by column name, without who reported it."""
    return {column.name: column.value(item, view) for column in COLUMNS}


def _text(value: Any) -> str:
    """Returns a value as a CSV or xlsx cell shows it in text: times as Excel reads them."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _json(value: Any) -> Any:
    if isinstance(value, list):
        return [_json(v) for v in value]
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return value


def _inert(value: str) -> str:
    """Returns a cell a spreadsheet will not run as a formula (typed text may start with = or -)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _cell(name: str, value: Any) -> Any:
    """Returns a value as one spreadsheet cell: lists joined, text made inert, the rest typed."""
    if isinstance(value, list):
        return _inert(
            ("; " if name.endswith("_labels") else ";" if name in CODE_LISTS else "\n").join(map(_text, value))
        )
    if isinstance(value, bool):
        return _text(value)
    if isinstance(value, str):
        return _inert(value)
    return value


async def write_json(records: AsyncIterator[ReportRecord], view: View, out: TextIO) -> int:
    """Writes a JSON array of reports; returns how many."""
    count = 0
    out.write("[")
    async for item in records:
        row = {name: _json(value) for name, value in record(item, view).items()}
        out.write(("," if count else "") + "\n  " + json.dumps(row, ensure_ascii=False))
        count += 1
    out.write("\n]\n" if count else "]\n")
    return count


async def write_csv(records: AsyncIterator[ReportRecord], view: View, out: TextIO) -> int:
    """Writes reports as CSV, a byte-order mark first and a header row; returns how many."""
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(NAMES)
    count = 0
    async for item in records:
        writer.writerow(_text(_cell(name, value)) for name, value in record(item, view).items())
        count += 1
    return count


async def write_xlsx(
    records: AsyncIterator[ReportRecord], view: View, out: BinaryIO | str, *, rows_per_sheet: int = EXCEL_ROWS - 1
) -> int:
    """Writes reports as an xlsx workbook (streamed: openpyxl's write-only mode): a "Reports"
    sheet, more if they pass Excel's row limit, each with a frozen header and filters, then a
    "Columns" sheet saying what each column holds; returns how many."""
    book = Workbook(write_only=True)
    sheets: list[Any] = []
    count, sheet = 0, None
    async for item in records:
        if count % rows_per_sheet == 0:
            sheet = _reports_sheet(book, f"Reports {len(sheets) + 1}" if sheets else "Reports")
            sheets.append(sheet)
        sheet.append([_typed(sheet, name, value) for name, value in record(item, view).items()])
        count += 1
    if not sheets:
        sheets.append(_reports_sheet(book, "Reports"))
    for number, sheet in enumerate(sheets):
        rows = min(rows_per_sheet, count - number * rows_per_sheet)
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{rows + 1}"
    about = book.create_sheet("Columns")
    about.column_dimensions["A"].width, about.column_dimensions["B"].width = 22, 80
    about.append([_bold(about, "column"), _bold(about, "what it holds")])
    about.append(["(times)", f"in {view.zone.key}, to the second; dates as the reporter gave them"])
    for column in COLUMNS:
        about.append([column.name, column.about])
    book.save(out)
    return count


DATE_FORMATS = {datetime: "yyyy-mm-dd hh:mm:ss", date: "yyyy-mm-dd", time: "hh:mm"}


def _typed(sheet: Any, name: str, value: Any) -> Any:
    """Returns a cell: times as Excel dates (naive, in the configured zone), the rest as text or numbers."""
    if isinstance(value, datetime | date | time):
        cell = WriteOnlyCell(sheet, value.replace(tzinfo=None) if isinstance(value, datetime | time) else value)
        cell.number_format = DATE_FORMATS[type(value)]
        return cell
    return _cell(name, value) if value != [] else None


def _bold(sheet: Any, text: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, text)
    cell.font = Font(bold=True)
    cell.alignment = Alignment(vertical="top")
    return cell


def _reports_sheet(book: Workbook, title: str) -> Any:
    sheet = book.create_sheet(title)
    sheet.freeze_panes = "B2"  # the header row and each report's reference stay in view
    for number, name in enumerate(NAMES, 1):
        sheet.column_dimensions[get_column_letter(number)].width = 40 if name in ("what", "immediate_action") else 16
    sheet.append([_bold(sheet, name) for name in NAMES])
    return sheet
