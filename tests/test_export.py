"""`nearmiss export` as an analyst gets it: every column read back from the CSV (with its
byte-order mark), the xlsx (with openpyxl) and the JSON, and checked against the stored report,
on SQLite and PostgreSQL."""

import asyncio
import csv
import io
import json
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from openpyxl.utils import get_column_letter
from sqlalchemy import MetaData, Table, insert

from bot.app.cli import main
from bot.services.export import COLUMNS, View, write_csv, write_xlsx
from flows.lists import Lists
from storage.database import Database
from storage.export_store import ReportRecord
from storage.models import Report
from tests.helpers import all_rows
from tests.quarter import config_for, seed_quarters

LONDON = ZoneInfo("Europe/London")
DAY = timedelta(days=1)
SETTING = {
    "home_visit": "Home visit",
    "assessment": "Assessment",
    "referral": "Referral and intake",
    "case_transfer": "Case transfer or handover",
    "out_of_hours": "Out of hours (EDT)",
}
WHO = {"child": "Child or young person", "parent_carer": "Parent or carer", "police": "Police", "health": "Health"}
FACTOR = {
    "handover": "Case transfer or handover",
    "inter_agency": "Communication with agencies",
    "workload": "Workload and time pressure",
    "information": "Access to information",
    "supervision": "Supervision and support",
}
GRADE = {
    "prevented": "Stopped before it happened",
    "no_harm": "Happened, no harm caused",
    "left_at_risk": "Harm: child left at risk",
    "wrongly_judged": "Harm: family wrongly judged",
    "severe": "Life-threatening or death",
}
BAND = {"green": "green: very low", "yellow": "yellow: low", "amber": "amber: moderate", "red": "red: high"}
CONSEQUENCE = {1: "None", 2: "Low", 3: "Moderate", 4: "Severe", 5: "Death"}
LIKELIHOOD = {1: "Rare", 2: "Unlikely", 3: "Possible", 4: "Likely", 5: "Almost certain"}
STATUS = {"submitted": "submitted", "triaged": "triaged", "under_review": "under review"}
STATUS |= {"action_agreed": "action agreed", "feedback_sent": "feedback sent", "closed": "closed"}


def local(moment: datetime | None) -> datetime | None:
    """A stored time as the export should give it: London time, whole seconds, naive."""
    if moment is None:
        return None
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)  # SQLite hands back naive UTC
    return moment.astimezone(LONDON).replace(microsecond=0, tzinfo=None)


def expected_rows(rows: dict[str, list[dict]]) -> dict[str, dict]:
    """Returns, by reference, every column each stored report should export as, typed."""
    by_id = {r["id"]: r for r in rows["reports"]}
    expected = {}
    for r in rows["reports"]:
        changes = sorted(
            (c for c in rows["status_changes"] if c["report_id"] == r["id"]), key=lambda c: (local(c["at"]), c["id"])
        )
        linked = [pair for pair in rows["report_links"] if r["id"] in (pair["first_id"], pair["second_id"])]
        links = sorted(
            by_id[p["second_id"] if p["first_id"] == r["id"] else p["first_id"]]["reference"] for p in linked
        )
        action_ids = {a["action_id"] for a in rows["action_reports"] if a["report_id"] == r["id"]}
        actions = sorted(
            (a for a in rows["actions"] if a["id"] in action_ids), key=lambda a: (local(a["created_at"]), a["id"])
        )
        last = {c["status"]: local(c["at"]) for c in changes}
        expected[r["reference"]] = {
            "reference": r["reference"],
            "team": r["team"],
            "team_name": {"north": "North locality", "south": "South locality"}[r["team"]],
            "submitted_at": local(r["submitted_at"]),
            "occurred_on": r["occurred_on"],
            "occurred_at": r["occurred_at"],
            "setting": r["setting"],
            "setting_label": SETTING[r["setting"]],
            "involved": r["involved"],
            "involved_labels": [WHO[c] for c in r["involved"]],
            "what": r["what"],
            "immediate_action": r["immediate_action"],
            "grade": r["grade"],
            "grade_label": GRADE[r["grade"]],
            "factors": r["factors"],
            "factors_labels": [FACTOR[c] for c in r["factors"]],
            "what_stopped_it": r["what_stopped_it"],
            "wants_feedback": r["wants_feedback"],
            "consequence": r["consequence"],
            "consequence_label": CONSEQUENCE.get(r["consequence"]),
            "likelihood": r["likelihood"],
            "likelihood_label": LIKELIHOOD.get(r["likelihood"]),
            "risk_score": r["risk_score"],
            "risk_band": r["risk_colour"],
            "risk_band_label": BAND.get(r["risk_colour"]),
            "triaged_at": local(r["triaged_at"]),
            "themes": r["themes"],
            "themes_labels": [FACTOR[c] for c in r["themes"]],
            "needs_rca": r["needs_rca"],
            "rca_whys": (r["rca"] or {}).get("whys", []),
            "rca_barriers": (r["rca"] or {}).get("barriers"),
            "status": r["status"],
            "status_label": STATUS[r["status"]],
            "status_changed_at": local(changes[-1]["at"]) if changes else local(r["submitted_at"]),
            **{f"status_{s}_at": last.get(s) for s in list(STATUS)[1:]},
            "status_history": [f"{local(c['at']):%Y-%m-%d %H:%M:%S} {c['status']}" for c in changes],
            "linked_reports": links,
            "action_references": [a["reference"] for a in actions],
            "action_whats": [a["description"] for a in actions],
            "action_owner_roles": [a["owner_role"] for a in actions],
            "action_due_on": [a["due_on"] for a in actions],
            "action_done_at": [local(a["done_at"]) for a in actions],
        }
    return expected


def as_text(value) -> str:
    """A typed value as the CSV should hold it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return f"{value:%Y-%m-%d %H:%M:%S}"
    if isinstance(value, time):
        return f"{value:%H:%M}"
    if isinstance(value, date):
        return value.isoformat()
    value = str(value)
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


def joined(name: str, value) -> str:
    if not isinstance(value, list):
        return as_text(value)
    separator = "; " if name.endswith("_labels") else ";" if name in ("involved", "factors", "themes") else "\n"
    return as_text(separator.join(as_text(v) for v in value))


def in_sheet(name: str, value):
    """A typed value as the xlsx should hold it: dates and numbers typed (a day as midnight, as
    Excel has it), the rest text."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return datetime.combine(value, time())
    if isinstance(value, datetime | date | time) or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    return joined(name, value) or None


def in_json(value):
    if isinstance(value, list):
        return [in_json(v) for v in value]
    if isinstance(value, datetime):
        return value.replace(tzinfo=LONDON).isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    return value


@pytest.fixture
async def seeded(database, database_url, keys, settings, clock, tmp_path):
    await seed_quarters(database, keys, settings, clock)
    return config_for(database_url, tmp_path)


async def export(config, tmp_path, fmt: str, *scope: str):
    out = tmp_path / f"export.{fmt}"
    args = ["export", "--config", str(config), "--format", fmt, "--output", str(out), *scope]
    assert await asyncio.to_thread(main, args) == 0
    return out


NORTH_Q4 = ("--team", "north", "--since", "2026-10-01", "--until", "2026-12-31")


async def test_the_csv_has_a_bom_and_every_column_of_every_report(seeded, database, tmp_path):
    expected = expected_rows(await all_rows(database))
    raw = (await export(seeded, tmp_path, "csv", *NORTH_Q4)).read_bytes()

    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert list(rows[0]) == [c.name for c in COLUMNS] == list(next(iter(expected.values())))
    north_q4 = {
        ref for ref, e in expected.items() if e["team"] == "north" and e["submitted_at"] >= datetime(2026, 10, 1)
    }
    assert [row["reference"] for row in rows] == sorted(north_q4, key=lambda ref: expected[ref]["submitted_at"])
    for row in rows:
        assert row == {name: joined(name, value) for name, value in expected[row["reference"]].items()}
    texts = "".join(row["what"] for row in rows)
    assert "Mum’s new address" in texts and "Ysgol Gŵyr" in texts and "'=SUM(1)" in texts and "'-Duty" in texts
    assert {row["status_action_agreed_at"] != "" for row in rows} == {True, False}  # the seed reaches each
    assert any(row["action_done_at"] for row in rows)


async def test_the_xlsx_has_typed_cells_a_frozen_filtered_header_and_a_sheet_of_columns(seeded, database, tmp_path):
    expected = expected_rows(await all_rows(database))
    book = openpyxl.load_workbook(await export(seeded, tmp_path, "xlsx", *NORTH_Q4))

    assert book.sheetnames == ["Reports", "Columns"]
    sheet = book["Reports"]
    header = [cell.value for cell in sheet[1]]
    assert header == [c.name for c in COLUMNS]
    assert (
        sheet.freeze_panes == "B2" and sheet.auto_filter.ref == f"A1:{get_column_letter(len(COLUMNS))}{sheet.max_row}"
    )
    assert sheet.max_row == 1 + 45
    for cells in sheet.iter_rows(min_row=2):
        row = dict(zip(header, cells))
        want = expected[row["reference"].value]
        assert {name: cell.value for name, cell in row.items()} == {n: in_sheet(n, v) for n, v in want.items()}
        assert row["submitted_at"].is_date and row["submitted_at"].number_format == "yyyy-mm-dd hh:mm:ss"
        assert row["occurred_on"].is_date and row["occurred_on"].number_format == "yyyy-mm-dd"
    about = {row[0]: row[1] for row in book["Columns"].iter_rows(min_row=3, values_only=True)}
    assert list(about) == header and all(about.values())


async def test_json_holds_typed_values_and_never_the_pseudonym(seeded, database, tmp_path):
    rows = await all_rows(database)
    expected = expected_rows(rows)
    exported = json.loads((await export(seeded, tmp_path, "json")).read_text())

    assert len(exported) == len(rows["reports"]) == 80
    for item in exported:
        assert item == {name: in_json(value) for name, value in expected[item["reference"]].items()}
    text = json.dumps(exported)
    assert rows["reports"][0]["reporter"] not in text and "reporter" not in exported[0]


async def test_xlsx_goes_on_to_a_second_sheet_past_the_row_limit(tmp_path):
    report = Report(
        reference="NM-2222-3333",
        team="north",
        submitted_at=datetime(2026, 11, 1, 12, 0, 0, 999999, tzinfo=UTC),
        occurred_on=date(2026, 11, 1),
        occurred_at=None,
        setting="=HYPERLINK(1)",
        involved=[],
        what="-mum said so",
        immediate_action="@once",
        grade="prevented",
        factors=[],
        what_stopped_it=None,
        wants_feedback=False,
        status="submitted",
        themes=[],
    )

    async def three():
        for _ in range(3):
            yield ReportRecord(report)

    view = View(Lists(), LONDON, {})
    out = tmp_path / "rolled.xlsx"
    assert await write_xlsx(three(), view, str(out), rows_per_sheet=2) == 3
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["Reports", "Reports 2", "Columns"]
    assert (book["Reports"].max_row, book["Reports 2"].max_row) == (3, 2)
    assert book["Reports 2"]["A2"].value == "NM-2222-3333"
    assert book["Reports 2"]["D2"].value == datetime(2026, 11, 1, 12, 0, 0)  # GMT in November, no microseconds
    text = io.StringIO()
    await write_csv(three(), view, text)
    assert "'=HYPERLINK(1)" in text.getvalue() and "'-mum said so" in text.getvalue() and "'@once" in text.getvalue()


async def test_an_unknown_team_is_refused_by_name(seeded, tmp_path):
    args = ["export", "--config", str(seeded), "--team", "west"]
    assert await asyncio.to_thread(main, args) == 2


async def test_migration_0006_dates_the_moves_already_known(database_url):
    database = Database(database_url)
    try:
        await database.migrate("0005")
        async with database.engine.begin() as connection:
            reports = await connection.run_sync(lambda sync: Table("reports", MetaData(), autoload_with=sync))
            sent = datetime(2026, 10, 5, 9, 0, tzinfo=UTC)
            row = dict(
                team="north",
                reporter="p",
                pseudonym_key_id="k",
                platform="slack",
                occurred_on=sent.date(),
                setting="home_visit",
                involved=[],
                what="w",
                immediate_action="a",
                grade="no_harm",
                factors=[],
                wants_feedback=False,
                submitted_at=sent,
                themes=[],
                needs_rca=False,
                triaged_at=None,
                closed_at=None,
            )
            await connection.execute(
                insert(reports),
                [
                    dict(row, id="new", reference="NM-AAAA-BBBB", status="submitted"),
                    dict(row, id="graded", reference="NM-CCCC-DDDD", status="triaged", triaged_at=sent + DAY),
                    dict(
                        row,
                        id="done",
                        reference="NM-EEEE-FFFF",
                        status="closed",
                        triaged_at=sent + DAY,
                        closed_at=sent + 9 * DAY,
                    ),
                ],
            )
        await database.migrate()
        changes = sorted(
            (c["report_id"], c["status"], local(c["at"])) for c in (await all_rows(database))["status_changes"]
        )
    finally:
        await database.close()
    assert changes == [
        ("done", "closed", datetime(2026, 10, 14, 10, 0)),
        ("done", "triaged", datetime(2026, 10, 6, 10, 0)),
        ("graded", "triaged", datetime(2026, 10, 6, 10, 0)),
    ]
