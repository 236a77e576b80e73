"""The `nearmiss` command as a person runs it: the demo, export, keys, config errors, and
`nearmiss run` killed with SIGKILL mid-report and started again."""

import asyncio
import csv
import io
import json
import os
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from storage.database import Database
from tests.conftest import MEMBER
from tests.fakes.telegram import FakeBotAPI, buttons, callback_update, text_update
from tests.helpers import NEARMISS, all_rows, start_run

DEMO_ANSWERS = (
    "\n".join(
        [
            "2",  # Yesterday
            "3",  # Home visit
            "1",
            "d",  # Child or young person, Done
            "Dad gave his number 07700 900123 but nobody rang him back",
            "Rang him the same day",
            "1",  # Stopped before it happened
            "s",
            "s",  # skip the optional questions
            "2",  # Don't contact me
            "10",  # Submit
        ]
    )
    + "\n"
)


def nearmiss(*args: str, stdin: str = "", env: dict | None = None, cwd: Path | None = None):
    return subprocess.run(
        [NEARMISS, *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **(env or {})},
        cwd=cwd,
    )


def write_config(path: Path, body: str) -> Path:
    path.write_text(body)
    return path


def demo_config(tmp_path: Path, data: Path, more_teams: str = "") -> Path:
    """Returns a config for the database the demo filled in `data`, its team, and any more."""
    return write_config(
        tmp_path / "config.toml",
        f"""
[database]
url = "sqlite+aiosqlite:///{data / "nearmiss-demo.db"}"
[[teams]]
id = "demo"
name = "Demo team"
{more_teams}""",
    )


def test_the_demo_files_a_report_in_the_terminal(tmp_path):
    result = nearmiss("demo", "--data-dir", str(tmp_path / "demo"), stdin=DEMO_ANSWERS)

    assert result.returncode == 0, result.stderr
    assert "call 999" in result.stdout
    assert "Your reference is NM-" in result.stdout
    stored = result.stdout.split("The latest report as stored")[1]
    assert '"what": "Dad gave his number [phone] but nobody rang him back"' in stored
    assert "07700" not in stored and "reporter" not in stored
    assert "Traceback" not in result.stderr


def test_the_demo_keeps_a_draft_when_the_reporter_leaves(tmp_path):
    data = str(tmp_path / "demo")
    first = nearmiss("demo", "--data-dir", data, stdin="2\nq\n")
    assert "Your draft is kept" in first.stdout

    second = nearmiss("demo", "--data-dir", data, stdin="")
    assert "You have a report in progress. Carrying on where you left off:" in second.stdout
    assert "Where did it happen?" in second.stdout


def test_export_writes_pseudonymous_reports_as_json_and_csv(tmp_path):
    data = tmp_path / "demo"
    assert nearmiss("demo", "--data-dir", str(data), stdin=DEMO_ANSWERS).returncode == 0
    config = demo_config(tmp_path, data)

    as_json = nearmiss("export", "--config", str(config), "--format", "json")
    assert as_json.returncode == 0, as_json.stderr
    [report] = json.loads(as_json.stdout)
    assert report["setting"] == "home_visit" and report["involved"] == ["child"]
    assert "reporter" not in report and "pseudonym_key_id" not in report and "id" not in report
    as_csv = nearmiss("export", "--config", str(config), "--format", "csv")
    assert as_csv.stdout.startswith("\ufeffreference,")  # a byte-order mark, so Excel reads UTF-8
    [row] = list(csv.DictReader(io.StringIO(as_csv.stdout.removeprefix("\ufeff"))))
    assert row["reference"] == report["reference"] and row["involved"] == "child"
    assert row["setting_label"] == "Home visit" and row["wants_feedback"] == "no"
    with sqlite3.connect(data / "nearmiss-demo.db") as db:
        audited = db.execute("SELECT actor, team, verb, detail FROM audit ORDER BY id").fetchall()
    assert audited == [("cli", "*", "export", "1 reports as json"), ("cli", "*", "export", "1 reports as csv")]


def test_keys_init_creates_a_private_key_file_once(tmp_path):
    config = write_config(
        tmp_path / "config.toml", '[keys]\nfile = "secret/nearmiss.keys"\n[[teams]]\nid = "a"\nname = "A"\n'
    )
    created = nearmiss("keys", "init", "--config", str(config))
    assert created.returncode == 0, created.stderr
    assert oct((tmp_path / "secret" / "nearmiss.keys").stat().st_mode & 0o777) == "0o600"
    again = nearmiss("keys", "init", "--config", str(config))
    assert again.returncode == 2 and "never overwrites" in again.stderr


@pytest.mark.parametrize(
    ("body", "complaint"),
    [
        (None, "not found"),
        ("[database\nurl=", "not valid TOML"),
        ('[[teams]]\nid = "a"\nname = "A"\n[telegarm]\ntoken = "x"\n', "telegarm: Extra inputs are not permitted"),
        ('timezone = "Mars/Olympus"\n[[teams]]\nid = "a"\nname = "A"\n', "unknown time zone"),
        ('[drafts]\nexpire_after_hours = 0\n[[teams]]\nid = "a"\nname = "A"\n', "drafts.expire_after_hours"),
        ("", "teams: Field required"),
        (
            '[telegram]\ntoken = "1:x"\n[[teams]]\nid = "a"\nname = "A"\nchannel = { slack = "C1" }\n',
            "team 'a' has channel on 'slack', but [slack] is not configured (configured: telegram)",
        ),
    ],
)
def test_a_bad_config_is_explained_without_a_traceback(tmp_path, body, complaint):
    config = tmp_path / "config.toml"
    if body is not None:
        config.write_text(body)
    result = nearmiss("run", "--config", str(config))
    assert result.returncode == 2
    assert complaint in result.stderr and "Traceback" not in result.stderr


def test_run_without_keys_points_to_keys_init(tmp_path):
    config = write_config(tmp_path / "config.toml", '[telegram]\ntoken = "1:x"\n[[teams]]\nid = "a"\nname = "A"\n')
    result = nearmiss("run", "--config", str(config))
    assert result.returncode == 2 and "nearmiss keys init" in result.stderr


async def _wait_for(api: FakeBotAPI, text: str, seen: int, timeout: float = 30, prefix: bool = False) -> dict:
    """Returns the first message after the first `seen` that reads `text` (or starts with it)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for message in api.sent_to(MEMBER)[seen:]:
            if message["text"] == text or (prefix and message["text"].startswith(text)):
                return message
        await asyncio.sleep(0.05)
    raise AssertionError(f"the bot never said {text!r}; it said {[m['text'] for m in api.sent_to(MEMBER)]}")


async def _tap(api: FakeBotAPI, message: dict, label: str) -> int:
    """Taps a button; returns where in the chat its answer may show: from the tapped message
    on, as the next question takes its place."""
    [button] = [b for b in buttons(message) if b["text"].endswith(label)]
    tapped = [m["message_id"] for m in api.sent_to(MEMBER)].index(message["message_id"])
    await api.push(callback_update(MEMBER, message, button["callback_data"]))
    return tapped


async def _start_run(config: Path, env: dict) -> asyncio.subprocess.Process:
    return await start_run(config, env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)


def _one_team_config(tmp_path: Path, telegram_api: FakeBotAPI, database_url: str) -> Path:
    return write_config(
        tmp_path / "config.toml",
        f"""
[database]
url = "{database_url}"
[telegram]
token = "{telegram_api.token}"
base_url = "{telegram_api.base_url}"
[[teams]]
id = "north"
name = "North"
[teams.members]
telegram = [{MEMBER}]
""",
    )


# Where a SIGKILL can cut a tap off: fetched and its handling held before anything is stored, or
# stored while its reply is being tried again. Either way the restarted bot answers it, once.
CUT_OFF = {
    "while_handled": lambda api: api.answer_late("answerCallbackQuery", 4),
    "stored_reply_being_retried": lambda api: api.fail("editMessageText", 502, "Bad Gateway", times=3),
}


# Polling's own behaviour, the same on either database (a redelivery is met on both by the
# webhook's and Slack's retried-event tests): SQLite only, to keep the suite short.
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("cut_off", CUT_OFF.values(), ids=CUT_OFF.keys())
async def test_a_tap_cut_off_by_a_kill_is_answered_once_after_a_restart(
    tmp_path, telegram_api, database_url, key_env, cut_off
):
    config = _one_team_config(tmp_path, telegram_api, database_url)
    process = await _start_run(config, key_env)
    try:
        await telegram_api.push(text_update(MEMBER, "/report"))
        when = await _wait_for(telegram_api, "When did it happen?", 0, timeout=60)
        cut_off(telegram_api)
        tapped = await _tap(telegram_api, when, "Yesterday")
        await asyncio.sleep(1.5)
        process.kill()
        await process.wait()

        process = await _start_run(config, key_env)
        await _wait_for(telegram_api, "Where did it happen?", tapped, timeout=60)
        assert sum(m["text"] == "Where did it happen?" for m in telegram_api.sent_to(MEMBER)) == 1
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def test_run_killed_mid_report_carries_on_after_a_restart(tmp_path, telegram_api, database_url, key_env):
    config = _one_team_config(tmp_path, telegram_api, database_url)
    process = await _start_run(config, key_env)
    try:
        await telegram_api.push(text_update(MEMBER, "/report"))
        when = await _wait_for(telegram_api, "When did it happen?", 0, timeout=60)
        where = await _wait_for(telegram_api, "Where did it happen?", await _tap(telegram_api, when, "Yesterday"))
        who = await _wait_for(
            telegram_api,
            "Who was involved? Tap all that apply.",
            await _tap(telegram_api, where, "Out of hours (EDT)"),
        )
        process.kill()  # SIGKILL: no clean shutdown, the last update may never have been confirmed
        await process.wait()

        process = await _start_run(config, key_env)
        await _tap(telegram_api, who, "Out-of-hours team")
        await _wait_for(
            telegram_api,
            "What happened? One or two sentences, no names please.",
            await _tap(telegram_api, who, "Done ✔"),
            timeout=60,
        )
        seen = len(telegram_api.sent_to(MEMBER))
        await telegram_api.push(text_update(MEMBER, "EDT had no record of the plan."))
        await _wait_for(telegram_api, "What was done straight away?", seen)
        seen = len(telegram_api.sent_to(MEMBER))
        await telegram_api.push(text_update(MEMBER, "Sent the plan over."))
        question = await _wait_for(telegram_api, "What was the outcome?", seen)
        for label, next_text in (
            ("Stopped before it happened", "What contributed? Tap any, or Skip."),
            ("Skip", "What stopped it getting worse? (optional)"),
            ("Skip", "Shall I tell you what changes?"),
            ("Don't contact me", None),
        ):
            seen = await _tap(telegram_api, question, label)
            question = await _wait_for(telegram_api, next_text, seen) if next_text else None
        summary = await _wait_for(telegram_api, "Check your report, then Submit", seen, prefix=True)
        await _wait_for(
            telegram_api, "Sent. Your reference is NM-", await _tap(telegram_api, summary, "Submit"), prefix=True
        )

        process.send_signal(signal.SIGTERM)
        stdout, stderr = await asyncio.wait_for(process.communicate(), 30)
        assert process.returncode == 0, stderr.decode()[-2000:]
        assert "EDT had no record" not in stderr.decode() + stdout.decode(), "report text never in logs"
        assert str(MEMBER) not in stderr.decode(), "user ids never in logs"
        shown = [c.params["text"] for c in telegram_api.calls if c.method in ("sendMessage", "editMessageText")]
        assert shown.count("Where did it happen?") == 1, "no update was applied twice"
        assert not any(text.startswith("That button belongs to an earlier question") for text in shown)
        database = Database(database_url)
        try:
            [report] = (await all_rows(database))["reports"]
        finally:
            await database.close()
        assert report["setting"] == "out_of_hours" and report["involved"] == ["out_of_hours"]
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


def test_erase_deletes_a_report_at_its_reporters_request(tmp_path):
    data = tmp_path / "demo"
    filed = nearmiss("demo", "--data-dir", str(data), stdin=DEMO_ANSWERS)
    reference = filed.stdout.split("Your reference is ")[1].split(".")[0]
    config = demo_config(tmp_path, data)

    erased = nearmiss("erase", "--config", str(config), "--code", reference.lower())
    assert erased.returncode == 0 and f"erased {reference}" in erased.stdout
    assert json.loads(nearmiss("export", "--config", str(config)).stdout) == []
    again = nearmiss("erase", "--config", str(config), "--code", reference)
    assert again.returncode == 1 and "no report has the reference" in again.stderr


def test_stats_gives_the_share_of_reports_with_feedback_and_the_days_to_it(tmp_path):
    data = tmp_path / "demo"
    for _ in range(2):
        assert nearmiss("demo", "--data-dir", str(data), stdin=DEMO_ANSWERS).returncode == 0
    with sqlite3.connect(data / "nearmiss-demo.db") as db:  # as if a change was agreed three days on
        db.execute(
            "UPDATE reports SET first_feedback_at = datetime(submitted_at, '+3 days') "
            "WHERE id = (SELECT min(id) FROM reports)"
        )
    quiet = '[[teams]]\nid = "quiet"\nname = "Quiet team"\n'
    config = demo_config(tmp_path, data, more_teams=quiet + "[digest]\nsmall_count = 1\n")

    stats = nearmiss("stats", "--config", str(config), "--days", "30")
    assert stats.returncode == 0, stats.stderr
    lines = [line.split() for line in stats.stdout.splitlines()]
    assert lines[0] == ["Feedback", "on", "the", "reports", "of", "the", "last", "30", "days:"]
    assert lines[2:] == [
        ["demo", "2", "1", "50%", "3.0"],
        ["quiet", "0", "0", "-", "-"],
        ["all", "teams", "2", "1", "50%", "3.0"],
    ]

    config = demo_config(tmp_path, data, more_teams=quiet)  # small_count 3, as by default
    lines = [line.split() for line in nearmiss("stats", "--config", str(config), "--days", "30").stdout.splitlines()]
    assert lines[2:] == [
        ["demo", "fewer", "than", "3", "-", "-", "-"],
        ["quiet", "0", "0", "-", "-"],
        ["all", "teams:", "not", "shown,", "as", "it", "would", "give", "away", "a", "count", "under", "3"],
    ]
