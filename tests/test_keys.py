"""Key rotation without downtime, and a wrong key file refused, on SQLite and PostgreSQL."""

import asyncio
import json
import secrets

from cryptography.fernet import Fernet

from bot.app.services import vocabularies
from bot.services.reporting import Reporting
from bot.services.sender import Sender
from flows.chat import Action
from storage import report_store
from storage.key_rotation import rotate_keys
from storage.keys import Keys, KeySource, create_key_file, key_id, load_keys, write_key_file
from tests.conftest import INVITE, MEMBER, Chat, start_bot
from tests.helpers import all_rows
from tests.test_cli import nearmiss, write_config
from tests.test_reporting import walk_to_summary

COLLEAGUE = Sender("telegram", "5550177", "5550177")  # joined by invite code, so known only by pseudonym


def reporting_on(keys: KeySource, database, settings, clock) -> Reporting:
    """Returns the reporting service on keys read from a key file, as `nearmiss run` has them."""
    return Reporting(database=database, keys=keys, settings=settings, vocabularies=vocabularies(settings), clock=clock)


async def test_rotation_reaches_a_running_bot_and_old_pseudonyms_still_resolve(tmp_path, database, settings, clock):
    path = tmp_path / "nearmiss.keys"
    create_key_file(path)
    old = load_keys(path, environ={})
    reporting = reporting_on(KeySource(path, environ={}), database, settings, clock)
    await reporting.join(COLLEAGUE, INVITE)
    summary = await walk_to_summary(reporting, COLLEAGUE)
    feedback = [b for b in summary[-1].options if b.value == "feedback"][0]
    choose = await reporting.answer(COLLEAGUE, feedback.answer())
    wants = [b for b in choose[-1].options if b.value == "yes"][0]
    summary = await reporting.answer(COLLEAGUE, wants.answer())
    submit = [b for b in summary[-1].controls if b.action is Action.SUBMIT][0]
    await reporting.answer(COLLEAGUE, submit.answer())
    started = await reporting.start(COLLEAGUE)  # a second report, left half-done

    count = await rotate_keys(path, database=database)
    await asyncio.sleep(KeySource.CHECK_EVERY)  # running bots look at the key file once a second

    new = load_keys(path, environ={})
    assert count == 2 and new.pseudonym_key != old.pseudonym_key and new.contact_key != old.contact_key
    rows = await all_rows(database)
    assert {c["key_id"] for c in rows["contacts"]} == {key_id(new.contact_key)}
    assert sorted(json.loads(new.open(c["key_id"], c["ciphertext"]))["chat"] for c in rows["contacts"]) == [
        "5550177",
        "5550177",
    ]
    # The running bot reads the new file: the colleague is still a member, their draft and their
    # report are still theirs, and what they do now is under the new key.
    carried_on = await reporting.start(COLLEAGUE)
    assert carried_on[0].text.startswith("You have a report in progress")
    assert [r.reference for r in await reporting.progress.own_reports(COLLEAGUE)] == [rows["reports"][0]["reference"]]
    today = [b for b in carried_on[-1].options if b.value == "today"][0]
    moved_on = await reporting.answer(COLLEAGUE, today.answer())
    assert moved_on[-1].step == "where"
    # A button signed before the rotation still counts: tapped again, its answer is taken as given.
    stale = [b for b in started[-1].options if b.value == "today"][0]
    assert (await reporting.answer(COLLEAGUE, stale.answer()))[0].text.startswith("Noted: When:")
    assert rows["reports"][0]["pseudonym_key_id"] == key_id(old.pseudonym_key)


def test_a_wrong_key_file_is_refused_before_anything_runs(tmp_path):
    data = tmp_path / "demo"
    assert nearmiss("demo", "--data-dir", str(data), stdin="2\nq\n").returncode == 0  # a sealed draft contact
    create_key_file(tmp_path / "other.keys")
    config = write_config(
        tmp_path / "config.toml",
        f"""
[database]
url = "sqlite+aiosqlite:///{data / "nearmiss-demo.db"}"
[keys]
file = "other.keys"
[telegram]
token = "1:x"
[[teams]]
id = "demo"
name = "Demo"
""",
    )
    result = nearmiss("run", "--config", str(config))

    assert result.returncode == 2 and "is this the right key file?" in result.stderr


def test_keys_rotate_from_the_command_line(tmp_path):
    data = tmp_path / "demo"
    assert nearmiss("demo", "--data-dir", str(data), stdin="2\nq\n").returncode == 0
    config = write_config(
        tmp_path / "config.toml",
        f"""
[database]
url = "sqlite+aiosqlite:///{data / "nearmiss-demo.db"}"
[keys]
file = "{data / "demo.keys"}"
[[teams]]
id = "demo"
name = "Demo"
""",
    )
    before = load_keys(data / "demo.keys", environ={})

    result = nearmiss("keys", "rotate", "--config", str(config))

    assert result.returncode == 0, result.stderr
    assert "re-encrypted 1 contacts" in result.stdout
    after = load_keys(data / "demo.keys", environ={})
    assert after.retired_pseudonym_keys == (before.pseudonym_key,)
    assert oct((data / "demo.keys").stat().st_mode & 0o777) == "0o600"
    again = nearmiss("demo", "--data-dir", str(data), stdin="")
    assert "You have a report in progress" in again.stdout


async def test_a_button_on_screen_survives_a_key_rotation(tmp_path, database, settings, clock, telegram_api):
    path = tmp_path / "nearmiss.keys"
    create_key_file(path)
    reporting = reporting_on(KeySource(path, environ={}), database, settings, clock)
    adapter, processed = await start_bot(settings, reporting)
    try:
        chat = Chat(telegram_api, processed, MEMBER)
        await chat.say("/report")
        await rotate_keys(path, database=database)
        await asyncio.sleep(KeySource.CHECK_EVERY)

        replies = await chat.tap("Yesterday")  # a button signed before the rotation

        assert [m["text"].startswith("Where did it happen?") for m in replies] == [True]
    finally:
        await adapter.stop()


async def test_a_wrong_key_file_swapped_in_while_running_is_refused(tmp_path, database, settings, clock, caplog):
    path = tmp_path / "nearmiss.keys"
    create_key_file(path)
    source = KeySource(path, environ={})
    reporting = reporting_on(source, database, settings, clock)
    await reporting.join(COLLEAGUE, INVITE)
    summary = await walk_to_summary(reporting, COLLEAGUE)
    await reporting.answer(COLLEAGUE, [b for b in summary[-1].controls if b.action is Action.SUBMIT][0].answer())
    async with database.unit() as session:
        source.require(await report_store.key_ids_in_use(session))
    in_force = source.keys

    write_key_file(path, Keys(secrets.token_bytes(32), Fernet.generate_key()), replace=True)
    await asyncio.sleep(KeySource.CHECK_EVERY)

    assert source.keys is in_force
    assert any(r.levelname == "ERROR" and "lacks key" in r.getMessage() for r in caplog.records)
    assert (await reporting.start(COLLEAGUE))[-1].step == "when", "still a member"
    assert len(await reporting.progress.own_reports(COLLEAGUE)) == 1

    write_key_file(path, in_force.rotated(), replace=True)  # a rotation keeps the old keys: taken
    await asyncio.sleep(KeySource.CHECK_EVERY)
    assert source.keys.retired_pseudonym_keys == (in_force.pseudonym_key,)


def test_a_key_file_others_can_read_gives_a_warning_at_start(tmp_path, caplog):
    path = tmp_path / "nearmiss.keys"
    create_key_file(path)
    KeySource(path, environ={})
    assert not [r for r in caplog.records if r.levelname == "WARNING"]

    path.chmod(0o644)
    KeySource(path, environ={})
    [warning] = [r for r in caplog.records if r.levelname == "WARNING"]
    assert "can be read by others" in warning.getMessage() and "chmod 600" in warning.getMessage()
