"""Storage on SQLite and PostgreSQL: schema, pseudonyms, the contact vault and keys."""

import json
import os
import re
import stat
from datetime import date, datetime, timezone

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from cryptography.fernet import Fernet
from sqlalchemy import MetaData, Table, insert, select

from flows.engine import ReportContent
from storage import repositories as repo
from storage.keys import KeyProblem, Keys, create_key_file, load_keys
from storage.database import Database
from storage.models import Base, Contact, Report, ScheduledPost

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=timezone.utc)
CONTENT = ReportContent(
    occurred_on=date(2026, 11, 22), occurred_at=None, setting="home_visit", involved=("child",),
    what="Visit missed.", immediate_action="Rebooked.", grade="no_harm", factors=(),
    what_stopped_it=None, wants_feedback=True,
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
            await repo.add_report(session, content=CONTENT, team="north", reporter=pseudonym,
                                  platform="telegram", now=NOW)
            for _ in range(3)
        ]
    ids = [r.id for r in reports]
    assert len(set(ids)) == 3 and all(re.fullmatch(r"[0-9a-f]{32}", i) for i in ids)
    assert all(re.fullmatch(r"NM-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}", r.reference) for r in reports)


async def test_a_sealed_contact_follows_its_draft_into_the_report(database, keys):
    pseudonym = keys.pseudonym(platform="telegram", workspace="", user_id="42")
    async with database.unit() as session:
        draft = await repo.add_draft(session, reporter=pseudonym.value, team="north", platform="telegram",
                                     state={}, now=NOW, expires_at=NOW)
        await repo.seal_contact(session, keys=keys, draft_id=draft.id, now=NOW,
                                address={"platform": "telegram", "chat": "42"})
        report = await repo.add_report(session, content=CONTENT, team="north", reporter=pseudonym,
                                       platform="telegram", now=NOW)
        await repo.keep_contact_for_report(session, draft_id=draft.id, report_id=report.id)
        await repo.delete_draft(session, draft=draft)
    async with database.unit() as session:
        assert await repo.get_draft(session, reporters=[pseudonym.value]) is None
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


async def test_migration_0004_keeps_digest_runs_and_starts_each_silence_at_submission(database_url):
    database = Database(database_url)
    try:
        await database.migrate("0003")
        async with database.engine.begin() as connection:
            reports, digest_runs = await connection.run_sync(
                lambda sync: [Table(name, MetaData(), autoload_with=sync) for name in ("reports", "digest_runs")])
            await connection.execute(insert(reports).values(
                id="r1", reference="NM-AAAA-BBBB", team="north", reporter="p", pseudonym_key_id="k", platform="slack",
                occurred_on=date(2026, 11, 20), setting="home_visit", involved=[], what="w", immediate_action="a",
                grade="no_harm", factors=[], wants_feedback=True, status="submitted", submitted_at=NOW, themes=[],
                needs_rca=False))
            await connection.execute(insert(digest_runs).values(team="north", due_at=NOW, ran_at=NOW))
        await database.migrate()
        async with database.unit() as session:
            report = await session.get(Report, "r1")
            posts = [(p.kind, p.team, p.due_at) for p in await session.scalars(select(ScheduledPost))]
        assert report.last_news_at == NOW and report.first_feedback_at is None
        assert posts == [("digest", "north", NOW)]
    finally:
        await database.close()
