"""The manager side at scale: a team's digest and the export, over 10k, 100k and 1M stored reports.

    python bench/manager_scale.py [--sizes 10000 100000] [--databases sqlite postgres] [--runs 3]
                                  [--formats json csv xlsx]

Each size gets a fresh database of synthetic reports over the past year, stored oldest first,
across three teams (half of them in the team whose digest is timed), most triaged, with actions.
Triaged reports have their moves through the lifecycle dated, and one report in 20 is linked
to the one before. The digest is Digests.preview (figures, text and chart); its memory is
tracemalloc's peak, in a run of its own. The export is `nearmiss export --output FILE` in a
subprocess, once a format; its memory is that process's peak resident set (VmHWM), which must
stay flat as reports grow.
"""

import argparse
import asyncio
import json
import random
import secrets
import statistics
import subprocess
import sys
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography.fernet import Fernet
from sqlalchemy import insert, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.telegram_throughput import NEARMISS, scratch_database  # noqa: E402
from bot.app.config import DatabaseSettings, Settings, TeamSettings  # noqa: E402
from bot.services.scheduled_posts import Digests  # noqa: E402
from flows.lists import DEFAULT_FACTORS, DEFAULT_WHERE, DEFAULT_WHO, GRADES  # noqa: E402
from flows.risk import Bands  # noqa: E402
from storage.database import Database  # noqa: E402
from storage.keys import Keys  # noqa: E402
from storage.models import Action, ActionReport, Report, ReportLink, StatusChange  # noqa: E402

TEAMS = {"north": 0.5, "south": 0.3, "east": 0.2}
NOW = datetime.now(UTC)
BATCH = 5000
REPORTERS = [secrets.token_hex(32) for _ in range(3000)]
WHAT = (
    "Case moved teams and the new worker's number was never given to the family.",
    "The referral sat in the shared inbox over the weekend before anyone picked it up.",
    "Strategy meeting went ahead without the school, who held the latest concern.",
    "Home visit booked for a day the child was known to be at respite.",
    "Police check was requested but the answer was filed on the wrong case.",
)
ACTION = ("Rang the duty manager.", "Visited the same day.", "Emailed the team to check.", "Told the school.")


def _report(number: int, size: int, rng: random.Random) -> dict:
    submitted = NOW - timedelta(days=365 * (size - number - rng.random()) / size)  # oldest first
    triaged = rng.random() < 0.7
    factors = rng.sample([f.code for f in DEFAULT_FACTORS], rng.choice((0, 1, 1, 2)))
    row = {
        "id": secrets.token_hex(16),
        "reference": f"NM-{number:08X}",
        "team": rng.choices(list(TEAMS), weights=list(TEAMS.values()))[0],
        "reporter": rng.choice(REPORTERS),
        "pseudonym_key_id": "bench",
        "platform": rng.choice(("slack", "telegram")),
        "occurred_on": (submitted - timedelta(days=rng.randint(0, 3))).date(),
        "occurred_at": None,
        "setting": rng.choice(DEFAULT_WHERE).code,
        "involved": rng.sample([w.code for w in DEFAULT_WHO], 2),
        "what": rng.choice(WHAT),
        "immediate_action": rng.choice(ACTION),
        "grade": rng.choice(GRADES).code,
        "factors": factors,
        "what_stopped_it": None,
        "wants_feedback": rng.random() < 0.4,
        "status": "submitted",
        "submitted_at": submitted,
        "closed_at": None,
        "consequence": None,
        "likelihood": None,
        "risk_score": None,
        "risk_colour": None,
        "themes": [],
        "needs_rca": False,
        "rca": None,
        "triaged_at": None,
    }
    if triaged:
        consequence, likelihood = rng.randint(1, 5), rng.randint(1, 5)
        row |= {
            "consequence": consequence,
            "likelihood": likelihood,
            "risk_score": consequence * likelihood,
            "risk_colour": Bands().colour(consequence * likelihood),
            "themes": factors or ["other"],
            "triaged_at": submitted + timedelta(days=rng.uniform(0.1, 5)),
            "status": rng.choice(("triaged", "under_review", "action_agreed", "feedback_sent", "closed")),
        }
        if row["status"] == "closed":
            row["closed_at"] = row["triaged_at"] + timedelta(days=rng.uniform(1, 30))
    return row


async def _insert(session, table, rows: list[dict], *, copy: bool) -> None:
    if not copy:
        await session.execute(insert(table), rows)
        return
    connection = await (await session.connection()).get_raw_connection()
    records = [tuple(json.dumps(v) if isinstance(v, list) else v for v in row.values()) for row in rows]
    await connection.driver_connection.copy_records_to_table(table.name, records=records, columns=list(rows[0]))


async def _fill(database: Database, size: int) -> None:
    """Stores `size` reports, oldest first as they would arrive, and an action for every 50."""
    rng = random.Random(size)
    for first in range(0, size, BATCH):
        reports = [_report(n, size, rng) for n in range(first, min(first + BATCH, size))]
        actions = [
            {
                "id": secrets.token_hex(16),
                "reference": f"AC-{first + n:08X}",
                "team": r["team"],
                "description": "Add the new worker's number to the transfer checklist.",
                "owner_role": "Team manager",
                "due_on": (r["submitted_at"] + timedelta(days=30)).date(),
                "created_at": r["submitted_at"],
                "done_at": None if rng.random() < 0.4 else NOW,
            }
            for n, r in enumerate(reports[::50])
        ]
        links = [{"action_id": a["id"], "report_id": r["id"]} for a, r in zip(actions, reports[::50])]
        changes = [
            {"report_id": r["id"], "status": status, "at": at}
            for r in reports
            for status, at in (("triaged", r["triaged_at"]), ("closed", r["closed_at"]))
            if at is not None
        ]
        pairs = [
            {"first_id": min(a["id"], b["id"]), "second_id": max(a["id"], b["id"]), "linked_at": NOW}
            for a, b in zip(reports[::20], reports[1::20])
        ]
        async with database.unit() as session:
            for table, rows in (
                (Report, reports),
                (Action, actions),
                (ActionReport, links),
                (StatusChange, changes),
                (ReportLink, pairs),
            ):
                if rows:
                    await _insert(session, table.__table__, rows, copy=not database.is_sqlite)
    if not database.is_sqlite:  # as autovacuum would, in time
        async with database.engine.begin() as connection:
            await connection.execute(text("ANALYZE"))


async def _digest(digests: Digests, runs: int) -> tuple[float, float]:
    """Returns the median seconds of a digest preview, and its peak traced memory in MiB."""
    await digests.preview("north")  # the first chart drawn in a process loads matplotlib's fonts
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        await digests.preview("north")
        times.append(time.perf_counter() - began)
    tracemalloc.start()
    await digests.preview("north")
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return statistics.median(times), peak / 2**20


def _high_water_mib(pid: int) -> float:
    """Returns a running process's peak resident set so far (its own, not inherited at fork)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return 0
    return next((int(line.split()[1]) / 1024 for line in status.splitlines() if line.startswith("VmHWM:")), 0)


def _export(config: Path, runs: int, fmt: str) -> tuple[float, float]:
    """Returns the median seconds of `nearmiss export` in a format, and its largest peak RSS in MiB."""
    times, peak = [], 0.0
    out = config.parent / f"export.{fmt}"
    for _ in range(runs):
        began = time.perf_counter()
        process = subprocess.Popen(
            [NEARMISS, "export", "--config", str(config), "--format", fmt, "--output", str(out)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        while process.poll() is None:
            peak = max(peak, _high_water_mib(process.pid))
            time.sleep(0.05)
        times.append(time.perf_counter() - began)
        assert process.returncode == 0, process.returncode
    return statistics.median(times), peak


async def _measure(kind: str, size: int, runs: int, formats: list[str]) -> None:
    async with scratch_database(kind) as (url, folder):
        config = folder / "config.toml"
        config.write_text(
            f'[database]\nurl = "{url}"\n'
            + "".join(f'[[teams]]\nid = "{team}"\nname = "{team.title()}"\n' for team in TEAMS)
        )
        database = Database(url)
        settings = Settings(
            database=DatabaseSettings(url=url), teams=tuple(TeamSettings(id=team, name=team.title()) for team in TEAMS)
        )
        digests = Digests(
            database=database,
            keys=Keys(secrets.token_bytes(32), Fernet.generate_key()),
            settings=settings,
            clock=lambda: NOW,
        )
        try:
            await database.migrate()
            began = time.perf_counter()
            await _fill(database, size)
            fill = time.perf_counter() - began
            digest_s, digest_mib = await _digest(digests, runs)
            exports = "".join(f"{s:>9.1f}{mib:>6.0f}" for s, mib in (_export(config, runs, f) for f in formats))
            print(f"{size:>9,} {kind:<9}{fill:>7.0f}{digest_s * 1000:>11.0f}{digest_mib:>9.1f}{exports}", flush=True)
        finally:
            await database.close()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgres"])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--formats", nargs="+", choices=("json", "csv", "xlsx"), default=["json", "csv", "xlsx"])
    args = parser.parse_args()
    print(f"median of {args.runs} run(s); the digest is team north's (half the reports); target: < 1 s at 100k")
    print("export: seconds and the process's peak RSS in MiB, each format")
    heads = "".join(f"{f + ' s':>9}{'MiB':>6}" for f in args.formats)
    print(f"{'reports':>9} {'database':<9}{'fill s':>7}{'digest ms':>11}{'MiB':>9}{heads}")
    for kind in args.databases:
        for size in sorted(args.sizes):
            await _measure(kind, size, args.runs, args.formats)


if __name__ == "__main__":
    asyncio.run(main())
