"""Storage on SQLite and PostgreSQL: schema, pseudonyms, the contact vault and keys."""

import asyncio
import json
import os
import re
import stat
from datetime import UTC, date, datetime, timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from cryptography.fernet import Fernet
from sqlalchemy import MetaData, Table, insert, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm.exc import StaleDataError

from flows.draft import ReportContent
from storage import report_store
from storage.database import Database
from storage.keys import KeyProblem, Keys, create_key_file, load_keys
from storage.models import Base, Contact
from tests.helpers import all_rows

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
CONTENT = ReportContent(
    occurred_on=date(2026, 11, 22),
    occurred_at=None,
    setting="home_visit",
    involved=("child",),
    what="Visit missed.",
    immediate_action="Rebooked.",
    grade="no_harm",
    factors=(),
    what_stopped_it=None,
    wants_feedback=True,
)


async def test_migrations_build_exactly_the_models_schema(database):
    await database.migrate()  # a second run changes nothing and does not fail
    async with database.engine.connect() as connection:
        differences = await connection.run_sync(
            lambda sync: compare_metadata(MigrationContext.configure(sync), Base.metadata)
        )
    assert differences == []


async def test_reports_get_random_ids_and_readable_references(database, keys):
    pseudonym = keys.pseudonym(platform="telegram", workspace="", user_id="42")
    async with database.unit() as session:
        reports = [
            await report_store.add_report(
                session, content=CONTENT, team="north", reporter=pseudonym, platform="telegram", now=NOW
            )
            for _ in range(3)
        ]
    ids = [r.id for r in reports]
    assert len(set(ids)) == 3 and all(re.fullmatch(r"[0-9a-f]{32}", i) for i in ids)
    assert all(re.fullmatch(r"NM-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}", r.reference) for r in reports)


async def test_a_sealed_contact_follows_its_draft_into_the_report(database, keys):
    pseudonym = keys.pseudonym(platform="telegram", workspace="", user_id="42")
    async with database.unit() as session:
        draft = await report_store.add_draft(
            session, reporter=pseudonym.value, team="north", platform="telegram", state={}, now=NOW, expires_at=NOW
        )
        await report_store.seal_contact(
            session, keys=keys, draft_id=draft.id, now=NOW, address={"platform": "telegram", "chat": "42"}
        )
        report = await report_store.add_report(
            session, content=CONTENT, team="north", reporter=pseudonym, platform="telegram", now=NOW
        )
        await report_store.keep_contact_for_report(session, draft_id=draft.id, report_id=report.id)
        await report_store.delete_draft(session, draft=draft)
    async with database.unit() as session:
        assert await report_store.get_draft(session, reporters=[pseudonym.value]) is None
        [contact] = (await session.scalars(select(Contact))).all()
    assert contact.report_id == report.id
    assert json.loads(keys.open(contact.key_id, contact.ciphertext))["chat"] == "42"


def test_pseudonyms_are_stable_keyed_and_per_platform(keys):
    user = "738291045"
    one = keys.pseudonym(platform="telegram", workspace="", user_id=user)
    assert one == keys.pseudonym(platform="telegram", workspace="", user_id=user)
    assert one.value != keys.pseudonym(platform="slack", workspace="", user_id=user).value
    assert one.value != keys.pseudonym(platform="telegram", workspace="T1", user_id=user).value
    other_key = Keys(os.urandom(32), keys.contact_key)
    assert one.value != other_key.pseudonym(platform="telegram", workspace="", user_id=user).value
    assert user not in one.value and len(one.value) == 64


def test_a_contact_sealed_with_another_key_fails_loudly(keys):
    key_id, sealed = keys.seal('{"chat": "42"}')
    stranger = Keys(keys.pseudonym_key, Fernet.generate_key())
    with pytest.raises(KeyProblem, match="not loaded"):
        stranger.open(key_id, sealed)
    with pytest.raises(KeyProblem, match="could not be decrypted"):
        keys.open(key_id, sealed[:-4] + b"AAAA")


def test_key_files_are_private_and_never_overwritten(tmp_path):
    path = tmp_path / "nearmiss.keys"
    create_key_file(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    keys = load_keys(path, environ={})
    with pytest.raises(FileExistsError):
        create_key_file(path)
    assert load_keys(path, environ={}).pseudonym_key == keys.pseudonym_key
    assert "***" in repr(keys) and keys.pseudonym_key.hex() not in repr(keys)


def test_missing_or_broken_keys_fail_loudly(tmp_path, key_env):
    with pytest.raises(KeyProblem, match="nearmiss keys init"):
        load_keys(tmp_path / "absent.keys", environ={})
    broken = tmp_path / "broken.keys"
    broken.write_text('{"pseudonym_key": "c2hvcnQ=", "contact_key": "not a key"}')
    with pytest.raises(KeyProblem, match="malformed"):
        load_keys(broken, environ={})
    with pytest.raises(KeyProblem, match="no keys"):
        load_keys(None, environ={})
    assert load_keys(tmp_path / "absent.keys", environ=key_env).contact_key == key_env["NEARMISS_CONTACT_KEY"].encode()


async def test_migration_0004_keeps_every_row_and_dates_what_reporters_already_heard(database_url):
    database, day = Database(database_url), timedelta(days=1)
    try:
        await database.migrate("0003")
        async with database.engine.begin() as connection:
            tables = await connection.run_sync(
                lambda sync: {
                    name: Table(name, MetaData(), autoload_with=sync)
                    for name in (
                        "reports",
                        "contacts",
                        "report_links",
                        "actions",
                        "action_reports",
                        "audit",
                        "outbox",
                        "digest_runs",
                    )
                }
            )
            report = dict(
                team="north",
                reporter="p",
                pseudonym_key_id="k",
                platform="slack",
                occurred_on=NOW.date(),
                setting="home_visit",
                involved=[],
                what="w",
                immediate_action="a",
                grade="no_harm",
                factors=[],
                wants_feedback=True,
                status="submitted",
                submitted_at=NOW,
                themes=[],
                needs_rca=False,
            )
            rows = {
                "reports": [
                    dict(report, id="quiet", reference="NM-AAAA-BBBB"),
                    dict(report, id="heard", reference="NM-CCCC-DDDD", status="closed", closed_at=NOW + 5 * day),
                ],
                "contacts": [dict(id="c1", report_id="quiet", key_id="k", ciphertext=b"sealed", created_at=NOW)],
                "report_links": [dict(first_id="heard", second_id="quiet", linked_at=NOW)],
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
                "action_reports": [dict(action_id="a1", report_id="heard")],
                "audit": [
                    dict(at=NOW + day, actor="m", team="north", verb="link_action", report_id="heard", detail="")
                ],
                "outbox": [
                    dict(
                        key="feedback:agreed:a1:heard",
                        platform="slack",
                        text="",
                        created_at=NOW + 2 * day,
                        due_at=NOW + 2 * day,
                        attempts=1,
                        sent_at=NOW + 2 * day,
                    )
                ],
                "digest_runs": [dict(team="north", due_at=NOW, ran_at=NOW)],
            }
            for name, values in rows.items():
                await connection.execute(insert(tables[name]), values)
        await database.migrate()

        migrated = await all_rows(database)
        for name in ("contacts", "report_links", "action_reports"):
            assert len(migrated[name]) == 1, name
        heard = {r["id"]: (r["last_news_at"], r["first_feedback_at"]) for r in migrated["reports"]}
        assert heard == {"quiet": (NOW, None), "heard": (NOW + 2 * day, NOW + day)}
        assert [(p["kind"], p["team"], p["due_at"]) for p in migrated["scheduled_posts"]] == [("digest", "north", NOW)]
    finally:
        await database.close()


async def test_a_delivery_racing_its_twin_is_recorded_once(database):
    first_recorded, first_may_commit = asyncio.Event(), asyncio.Event()

    async def first() -> bool:
        async with database.unit() as session:
            seen = await report_store.first_sighting(session, key="telegram:1:77", now=NOW)
            first_recorded.set()
            await first_may_commit.wait()
        return seen

    async def second() -> bool:
        await first_recorded.wait()
        async with database.unit() as session:  # waits for the first: the pool on SQLite, the row on PostgreSQL
            return await report_store.first_sighting(session, key="telegram:1:77", now=NOW)

    racing = asyncio.gather(first(), second())
    await asyncio.sleep(0.2)  # the second is now waiting on the first
    first_may_commit.set()
    assert await racing == [True, False]
    async with database.unit() as session:
        assert not await report_store.first_sighting(session, key="telegram:1:77", now=NOW)
        assert await report_store.first_sighting(session, key="telegram:1:78", now=NOW)


async def test_an_event_is_recorded_with_its_reporters_draft_read_and_a_twin_racing_it_records_nothing(database):
    async with database.unit() as session:
        await report_store.add_draft(
            session,
            reporter="p" * 64,
            team="north",
            platform="msteams",
            state={"step": "when"},
            now=NOW,
            expires_at=NOW,
        )
    first_recorded, first_may_commit = asyncio.Event(), asyncio.Event()

    async def first():
        async with database.unit() as session:
            seen = await report_store.first_sighting_and_draft(
                session, key="msteams:activity:9", now=NOW, reporters=["q" * 64, "p" * 64]
            )
            first_recorded.set()
            await first_may_commit.wait()
        return seen

    async def second():
        await first_recorded.wait()
        async with database.unit() as session:
            return await report_store.first_sighting_and_draft(
                session, key="msteams:activity:9", now=NOW, reporters=["p" * 64]
            )

    racing = asyncio.gather(first(), second())
    await asyncio.sleep(0.2)
    first_may_commit.set()
    (first_seen, first_draft), (second_seen, second_draft) = await racing
    assert (first_seen, second_seen) == (True, False)
    assert first_draft is not None and second_draft is not None
    assert (first_draft.state, first_draft.version, first_draft.expires_at) == ({"step": "when"}, 1, NOW)
    async with database.unit() as session:
        assert await report_store.first_sighting_and_draft(
            session, key="msteams:activity:10", now=NOW, reporters=["r" * 64]
        ) == (True, None)
    assert {row["key"] for row in (await all_rows(database))["seen_events"]} == {
        "msteams:activity:9",
        "msteams:activity:10",
    }


async def _drop_pooled_connection(database: Database) -> None:
    """Uses a connection and gives it back to the pool; then the server ends it, as in a restart."""
    async with database.unit() as session:
        pid = await session.scalar(text("SELECT pg_backend_pid()"))
    admin = Database(database.engine.url.render_as_string(hide_password=False))
    try:
        async with admin.unit() as session:
            await session.execute(text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": pid})  # and wait
    finally:
        await admin.close()


async def test_a_connection_the_server_dropped_while_idle_is_replaced_not_failed(database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite has no server to drop a connection")
    checked = Database(database_url, pool_size=1, ping_after_idle=0)
    unchecked = Database(database_url, pool_size=1, ping_after_idle=3600)
    try:
        await _drop_pooled_connection(checked)
        async with checked.unit() as session:
            assert await session.scalar(text("SELECT 1")) == 1

        await _drop_pooled_connection(unchecked)  # used moments ago: handed out as it is
        with pytest.raises(DBAPIError):
            async with unchecked.unit() as session:
                await session.scalar(text("SELECT 1"))
    finally:
        await checked.close()
        await unchecked.close()


async def test_a_saved_draft_can_still_be_deleted_in_the_same_unit_of_work(database):
    now = datetime(2026, 11, 30, 12, tzinfo=UTC)
    async with database.unit() as session:
        draft = await report_store.add_draft(
            session,
            reporter="p" * 64,
            team="north",
            platform="telegram",
            state={"step": "when"},
            now=now,
            expires_at=now + timedelta(hours=1),
        )
    async with database.unit() as session:
        draft = await report_store.get_draft(session, reporters=["p" * 64])
        await report_store.save_draft(session, draft=draft, state={"step": "where"}, now=now, expires_at=now)
        assert draft.state == {"step": "where"}
        await report_store.delete_draft(session, draft=draft)  # the version check sees the saved version

    assert (await all_rows(database))["drafts"] == []


async def test_a_draft_changed_since_it_was_read_is_not_deleted(database):
    now = datetime(2026, 11, 30, 12, tzinfo=UTC)
    async with database.unit() as session:
        await report_store.add_draft(
            session, reporter="p" * 64, team="north", platform="telegram", state={}, now=now, expires_at=now
        )
    async with database.unit() as session:
        stale = await report_store.get_draft(session, reporters=["p" * 64])
    async with database.unit() as session:
        draft = await report_store.get_draft(session, reporters=["p" * 64])
        await report_store.save_draft(session, draft=draft, state={"step": "where"}, now=now, expires_at=now)
    with pytest.raises(StaleDataError):
        async with database.unit() as session:
            await report_store.delete_draft(session, draft=stale)

    [kept] = (await all_rows(database))["drafts"]
    assert kept["state"] == {"step": "where"}
