"""`nearmiss run` refused at start, as an administrator meets it: one line saying what is wrong
and what to do, exit code 2, and no secret anywhere in what it prints, whichever credential
was rejected."""

import asyncio
import sqlite3

import pytest
from sqlalchemy.exc import OperationalError

from bot.app.startup import Redactor, explain
from tests.conftest import MEMBER
from tests.fakes.slack import FakeSlackAPI
from tests.fakes.telegram import FakeBotAPI
from tests.test_cli import _start_run, write_config

TEAM = f'[[teams]]\nid = "north"\nname = "North"\n[teams.members]\ntelegram = [{MEMBER}]\n'
TOKEN = "7744556:AAH-secret-token-that-must-never-be-printed"
SIGNING = "5ec2e7-signing-secret-never-printed"
APP_TOKEN = "xapp-1-app-token-never-printed"


async def started(tmp_path, config_body: str, env: dict[str, str]) -> tuple[int, str]:
    """Runs `nearmiss run` until it gives up; returns its exit code and all it printed."""
    process = await _start_run(write_config(tmp_path / "config.toml", config_body), env)
    try:
        stdout, stderr = await asyncio.wait_for(process.communicate(), 60)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.returncode is not None
    return process.returncode, stdout.decode() + stderr.decode()


def one_line(printed: str) -> str:
    lines = [line for line in printed.splitlines() if line.startswith("nearmiss: ")]
    assert len(lines) == 1 and "Traceback" not in printed, printed[-3000:]
    return lines[0]


async def test_a_telegram_token_the_bot_api_rejects_is_never_printed(tmp_path, key_env):
    api = FakeBotAPI()  # answers only its own token: ours is refused, as a wrong base_url would
    await api.start()
    try:
        body = f'[database]\nurl = "sqlite+aiosqlite:///{tmp_path / "n.db"}"\n'
        body += f'[telegram]\ntoken = "{TOKEN}"\nbase_url = "{api.base_url}"\n' + TEAM
        code, printed = await started(tmp_path, body, key_env)
    finally:
        await api.stop()
    assert code == 2
    assert "refused the token" in one_line(printed)
    assert TOKEN not in printed and TOKEN.split(":")[1] not in printed


async def test_slack_credentials_that_are_rejected_are_never_printed(tmp_path, key_env):
    api = FakeSlackAPI()  # refuses a bot token that is not a bot token
    await api.start()
    try:
        body = f'[database]\nurl = "sqlite+aiosqlite:///{tmp_path / "n.db"}"\n'
        body += f'[slack]\nbot_token = "xoxp-user-token-never-printed"\nsigning_secret = "{SIGNING}"\n'
        body += f'app_token = "{APP_TOKEN}"\nbase_url = "{api.base_url}"\n'
        body += '[[teams]]\nid = "north"\nname = "North"\n[teams.members]\nslack = ["U1"]\n'
        code, printed = await started(tmp_path, body, key_env)
    finally:
        await api.stop()
    assert code == 2
    assert "Slack refused" in one_line(printed)
    for secret in ("xoxp-user-token-never-printed", SIGNING, APP_TOKEN):
        assert secret not in printed


TELEGRAM = f'[telegram]\ntoken = "{TOKEN}"\nbase_url = "http://127.0.0.1:9/bot"\n' + TEAM


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("postgresql+asyncpg://nearmiss:pa55-word-never-printed@127.0.0.1:9/nearmiss", "cannot reach the database"),
        ("mysql+nodriver://nearmiss:pa55-word-never-printed@127.0.0.1/nearmiss", "names no database nearmiss can use"),
        ("postgresql+asyncpg://postgres:pa55-word-never-printed@127.0.0.1:5432/no_such_db_here", "does not exist"),
    ],
)
async def test_a_database_that_cannot_be_used_is_named_in_one_line(tmp_path, key_env, url, says):
    code, printed = await started(tmp_path, f'[database]\nurl = "{url}"\n' + TELEGRAM, key_env)
    assert code == 2
    assert says in one_line(printed)
    assert "pa55-word-never-printed" not in printed and TOKEN not in printed


def test_a_read_only_database_is_named_as_such(tmp_path):
    # As an error from the database itself: these tests run as root, whom file modes do not stop.
    sqlite3.connect(tmp_path / "n.db").close()
    connection = sqlite3.connect(f"file:{tmp_path / 'n.db'}?mode=ro", uri=True)
    with pytest.raises(sqlite3.OperationalError) as read_only:
        connection.execute("CREATE TABLE t (x)")
    connection.close()
    assert explain(OperationalError("CREATE", {}, read_only.value)).startswith("the database is read-only")


async def test_keys_that_are_rejected_are_never_printed(tmp_path):
    malformed = {
        "NEARMISS_PSEUDONYM_KEY": "not*base64*but-a-secret-9f8e7d",
        "NEARMISS_CONTACT_KEY": "short-secret-1a2b3c",
    }
    body = f'[database]\nurl = "sqlite+aiosqlite:///{tmp_path / "n.db"}"\n' + TELEGRAM
    code, printed = await started(tmp_path, body, malformed)
    assert code == 2
    assert "malformed" in one_line(printed)
    assert not any(secret in printed for secret in malformed.values())


def test_a_full_disk_is_named_as_such(tmp_path):
    connection = sqlite3.connect(tmp_path / "n.db")
    connection.execute("CREATE TABLE t (x)")
    connection.execute("PRAGMA max_page_count = 2")  # as a disk with no room left
    with pytest.raises(sqlite3.OperationalError) as full:
        connection.execute("INSERT INTO t VALUES (randomblob(100000))")
    connection.close()
    line = explain(OperationalError("INSERT", {}, full.value))
    assert line.startswith("the disk is full")


def test_secrets_are_taken_out_of_log_lines_and_tracebacks():
    import logging

    redactor = Redactor([TOKEN, "tiny"])
    try:
        raise RuntimeError(f"POST https://api.telegram.org/bot{TOKEN}/getMe failed")
    except RuntimeError as error:
        record = logging.LogRecord(
            "x", logging.ERROR, __file__, 1, "call %s failed", (TOKEN,), (type(error), error, None)
        )
    redactor.filter(record)
    assert record.getMessage() == "call *** failed" and TOKEN not in (record.exc_text or "")
    assert redactor.redact("a tiny word") == "a tiny word", "words too short to be secrets are left alone"
