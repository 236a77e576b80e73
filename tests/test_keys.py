"""Key rotation without downtime, and a wrong key file refused, on SQLite and PostgreSQL."""

import asyncio
import json

from bot.app.services import vocabularies
from bot.services.reporting import Reporting
from bot.services.sender import Sender
from flows.chat import Action
from storage.key_rotation import rotate_keys
from storage.keys import KeySource, create_key_file, key_id, load_keys
from tests.conftest import INVITE
from tests.helpers import all_rows
from tests.test_cli import nearmiss, write_config
from tests.test_reporting import walk_to_summary

COLLEAGUE = Sender("telegram", "5550177", "5550177")  # joined by invite code, so known only by pseudonym


async def test_rotation_reaches_a_running_bot_and_old_pseudonyms_still_resolve(tmp_path, database, settings, clock):
    path = tmp_path / "nearmiss.keys"
    create_key_file(path)
    old = load_keys(path, environ={})
    reporting = Reporting(
        database=database,
        keys=KeySource(path, environ={}),
        settings=settings,
        vocabularies=vocabularies(settings),
        clock=clock,
    )
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
    stale = [b for b in started[-1].options if b.value == "today"][0]
    assert (await reporting.answer(COLLEAGUE, stale.answer()))[0].text.startswith("Here is where your report is")
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
