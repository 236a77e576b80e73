"""Migrations: two processes starting on a fresh database both come up (PostgreSQL serialises
them), and going back to 0003 and up again keeps every row of every table, on SQLite and
PostgreSQL."""

import asyncio
import sys
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert, select

from storage.database import Database
from storage.models import Base

NOW = datetime(2026, 11, 20, 9, tzinfo=UTC)
DROPPED_BY_0003 = {"language_choices", "scheduled_posts", "status_changes"}  # made by 0004, 0005 and 0006

REPORT = dict(
    team="north",
    reporter="p" * 64,
    pseudonym_key_id="k",
    platform="telegram",
    occurred_on=NOW.date(),
    setting="home_visit",
    involved=["police"],
    what="w",
    immediate_action="a",
    grade="no_harm",
    factors=[],
    wants_feedback=True,
    status="submitted",
    submitted_at=NOW,
    themes=[],
    needs_rca=False,
    last_news_at=NOW,
)
ROWS = {
    "reports": [dict(REPORT, id="r1", reference="NM-AAAA-BBBB"), dict(REPORT, id="r2", reference="NM-CCCC-DDDD")],
    "drafts": [
        dict(
            id="d1",
            reporter="q" * 64,
            team="north",
            platform="telegram",
            state={"step": "when"},
            version=1,
            updated_at=NOW,
            expires_at=NOW + timedelta(days=1),
        )
    ],
    "contacts": [
        dict(id="c1", report_id="r1", draft_id=None, key_id="k", ciphertext=b"sealed", created_at=NOW),
        dict(id="c2", report_id=None, draft_id="d1", key_id="k", ciphertext=b"sealed", created_at=NOW),
    ],
    "memberships": [dict(reporter="q" * 64, team="north", joined_at=NOW)],
    "language_choices": [dict(person="q" * 64, language="cy", chosen_at=NOW)],
    "seen_events": [dict(key="telegram:1:2", seen_at=NOW)],
    "report_links": [dict(first_id="r1", second_id="r2", linked_at=NOW)],
    "actions": [
        dict(
            id="a1",
            reference="AC-AAAA-BBBB",
            team="north",
            description="d",
            owner_role="o",
            due_on=NOW.date(),
            created_at=NOW,
        )
    ],
    "action_reports": [dict(action_id="a1", report_id="r1")],
    "audit": [dict(at=NOW, actor="m", team="north", verb="grade", report_id="r1", detail="")],
    "manager_sessions": [dict(manager="m" * 64, report_id="r2", awaiting="", data={}, updated_at=NOW)],
    "scheduled_posts": [dict(kind="digest", team="north", due_at=NOW, ran_at=NOW)],
    "outbox": [dict(key="alert:r1", platform="telegram", text="t", created_at=NOW, due_at=NOW, attempts=0)],
    "status_changes": [dict(report_id="r1", status="triaged", at=NOW)],
}


async def counts(database: Database) -> dict[str, int]:
    async with database.unit() as session:
        return {t.name: len((await session.execute(select(t))).all()) for t in Base.metadata.sorted_tables}


async def test_going_back_to_0003_and_up_again_keeps_every_row(database):
    assert set(ROWS) == set(Base.metadata.tables), "a row for every table"
    async with database.unit() as session:
        for table in Base.metadata.sorted_tables:
            await session.execute(insert(table), ROWS[table.name])

    await database.downgrade("0003")
    await database.migrate()

    kept = await counts(database)
    assert kept == {name: len(rows) for name, rows in ROWS.items()} | dict.fromkeys(DROPPED_BY_0003, 0) | {
        "scheduled_posts": 1  # a digest run survives as digest_runs, and comes back
    }


MIGRATE = "import asyncio, sys; from storage.database import Database; asyncio.run(Database(sys.argv[1]).migrate())"


@pytest.mark.postgres
async def test_two_processes_migrating_a_fresh_database_both_succeed(database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("a SQLite file takes one writer at a time anyway")
    for _run in range(2):  # the race is close: twice
        processes = [
            await asyncio.create_subprocess_exec(
                sys.executable, "-c", MIGRATE, database_url, stderr=asyncio.subprocess.PIPE
            )
            for _process in range(2)
        ]
        results = [await p.communicate() for p in processes]
        assert [p.returncode for p in processes] == [0, 0], [err.decode()[-600:] for _out, err in results]
        database = Database(database_url)
        try:
            assert set(await counts(database)) == set(Base.metadata.tables)
            await database.downgrade("base")
        finally:
            await database.close()
