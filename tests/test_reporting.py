"""The reporting service that every adapter calls, on SQLite and PostgreSQL."""

import asyncio
import sqlite3

import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from bot.app.config import LimitSettings, RetentionSettings
from bot.app.services import vocabularies
from bot.services.front import Front
from bot.services.housekeeping import Housekeeping
from bot.services.reporting import Reporting
from bot.services.sender import Sender
from flows import messages as M
from flows.chat import Action, Answer
from flows.commands import Command
from storage.database import Database
from storage.models import Report
from tests.conftest import MEMBER
from tests.helpers import all_rows

REPORTER = Sender("telegram", str(MEMBER), str(MEMBER))


def button(messages, value: str) -> Answer:
    """Returns the answer of the button with this value on the last message, as a tap gives it."""
    [found] = [b for b in messages[-1].options + messages[-1].controls if b.value == value]
    return found.answer()


async def test_taps_racing_on_one_draft_never_lose_or_invent_an_answer(reporting, database):
    started = await reporting.start(REPORTER)
    where = await reporting.answer(REPORTER, button(started, "today"))
    who = await reporting.answer(REPORTER, button(where, "home_visit"))

    roles = ["child", "police", "health", "education"]
    replies = await asyncio.gather(*(reporting.answer(REPORTER, button(who, role)) for role in roles))

    applied = set()
    for role, messages in zip(roles, replies):
        if messages[0].text in (M.TAPS_CROSSED, M.BUSY):
            continue  # told plainly that this tap did not count
        applied.add(role)
    [draft] = (await all_rows(database))["drafts"]
    assert set(draft["state"]["answers"].get("who", [])) == applied
    assert applied, "at least one of the taps counts"


async def test_the_same_event_delivered_twice_is_applied_once(reporting, database):
    started = await reporting.start(REPORTER)
    tap = Sender("telegram", str(MEMBER), str(MEMBER), event="bot:17")
    first = await reporting.answer(tap, button(started, "today"))
    again = await reporting.answer(tap, button(started, "today"))

    assert first[-1].text == M.ASK_WHERE
    assert again == []
    [draft] = (await all_rows(database))["drafts"]
    assert draft["state"]["trail"] == ["when"]


async def test_a_stranger_leaves_no_trace_even_with_event_ids(reporting, database):
    stranger = Sender("telegram", "5550001", "5550001", event="bot:99")
    await reporting.start(stranger)
    await reporting.answer(stranger, Answer(Action.TEXT, "hello"))

    assert all(rows == [] for rows in (await all_rows(database)).values())


async def test_old_events_are_forgotten_by_the_sweep(reporting, housekeeping, database, clock):
    await reporting.start(Sender("telegram", str(MEMBER), str(MEMBER), event="bot:1"))
    assert len((await all_rows(database))["seen_events"]) == 1
    clock.advance(days=3)

    await housekeeping.sweep()

    assert (await all_rows(database))["seen_events"] == []


async def test_buttons_only_work_for_the_reporter_and_draft_they_were_given_to(reporting, database):
    started = await reporting.start(REPORTER)
    today = button(started, "today")
    forged = [
        Answer(Action.PICK, "today", "when"),
        Answer(Action.PICK, "today", "when", "AAAAAAAA"),
        Answer(Action.PICK, "yesterday", "when", today.token),
    ]
    for answer in forged:
        replies = await reporting.answer(REPORTER, answer)
        assert replies[0].text == M.WHERE_YOU_ARE and replies[-1].step == "when"

    colleague = Sender("telegram", "2002", "2002")
    await reporting.start(colleague)
    stolen = await reporting.answer(colleague, today)
    assert stolen[0].text == M.WHERE_YOU_ARE, "another reporter's button does nothing on my draft"

    cancel_confirm = await reporting.answer(REPORTER, Answer(Action.CANCEL))
    [yes] = [b for b in cancel_confirm[-1].options if b.action is Action.YES]
    await reporting.answer(REPORTER, yes.answer())
    await reporting.start(REPORTER)
    leftover = await reporting.answer(REPORTER, today)
    assert leftover[0].text == M.WHERE_YOU_ARE, "a button from a cancelled draft does nothing on the next"
    rows = await all_rows(database)
    assert all(d["state"]["trail"] == [] for d in rows["drafts"])


async def walk_to_summary(reporting: Reporting, sender: Sender) -> list:
    """Answers every question as a reporter tapping the buttons would; returns the summary."""
    messages = await reporting.start(sender)
    for value in ("today", "home_visit", "child", "done", "what", "action", "prevented", "skip", "skip", "no"):
        if value in ("what", "action"):
            messages = await reporting.answer(sender, Answer(Action.TEXT, f"The {value}, in a few words."))
            continue
        [found] = [
            b
            for b in messages[-1].options + messages[-1].controls
            if b.value == value or (not b.value and b.action.name.lower() == value)
        ]
        messages = await reporting.answer(sender, found.answer())
    assert messages[-1].step == "summary"
    return messages


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_locked_database_never_says_saved_and_the_draft_survives(database_url, keys, settings, clock):
    database = Database(database_url, lock_timeout=0.2)
    await database.migrate()
    reporting = Reporting(
        database=database, keys=keys, settings=settings, vocabularies=vocabularies(settings), clock=clock
    )
    summary = await walk_to_summary(reporting, REPORTER)
    [submit] = [b for b in summary[-1].controls if b.action is Action.SUBMIT]

    blocker = sqlite3.connect(make_url(database_url).database)
    blocker.execute("BEGIN IMMEDIATE")  # another writer holds the database
    try:
        refused = await reporting.answer(REPORTER, submit.answer())
    finally:
        blocker.rollback()
        blocker.close()

    assert [m.text for m in refused] == [M.BUSY]
    rows = await all_rows(database)
    assert rows["reports"] == [] and rows["drafts"][0]["state"]["step"] == "summary"
    sent = await reporting.answer(REPORTER, submit.answer())
    assert sent[-1].text.startswith("Sent. Your reference is NM-")
    await database.close()


async def test_a_database_that_is_down_gets_a_kind_reply(keys, settings, clock, caplog):
    database = Database("postgresql+asyncpg://nearmiss@127.0.0.1:1/nowhere")
    reporting = Reporting(
        database=database, keys=keys, settings=settings, vocabularies=vocabularies(settings), clock=clock
    )

    replies = await reporting.start(REPORTER)

    assert [m.text for m in replies] == [M.BUSY]
    assert str(MEMBER) not in caplog.text
    await database.close()


async def test_a_reporter_sending_too_fast_is_asked_to_wait_and_loses_nothing(database, keys, settings, clock):
    limited = settings.model_copy(update={"limits": LimitSettings(per_reporter="4/minute")})
    reporting = Reporting(
        database=database, keys=keys, settings=limited, vocabularies=vocabularies(limited), clock=clock
    )
    started = await reporting.start(REPORTER)
    where = await reporting.answer(REPORTER, button(started, "today"))
    who = await reporting.answer(REPORTER, button(where, "assessment"))
    await reporting.answer(REPORTER, button(who, "child"))

    refused = await reporting.answer(REPORTER, button(who, "police"))

    assert [m.text for m in refused] == [M.SLOW_DOWN]
    [draft] = (await all_rows(database))["drafts"]
    assert draft["state"]["answers"]["who"] == ["child"]
    other = await reporting.start(Sender("telegram", "2002", "2002"))
    assert other[-1].step == "when", "one reporter's limit is theirs alone"


async def test_retention_deletes_old_contacts_and_long_closed_reports(database, keys, settings, clock):
    kept = settings.model_copy(update={"retention": RetentionSettings(contacts_days=30, closed_reports_days=90)})
    reporting = Reporting(database=database, keys=keys, settings=kept, vocabularies=vocabularies(kept), clock=clock)
    housekeeping = Housekeeping(database=database, reporters=reporting.reporters, settings=kept)
    summary = await walk_to_summary(reporting, REPORTER)
    edit = [b for b in summary[-1].options if b.value == "feedback"][0]
    wants = [b for b in (await reporting.answer(REPORTER, edit.answer()))[-1].options if b.value == "yes"][0]
    summary = await reporting.answer(REPORTER, wants.answer())
    submit = [b for b in summary[-1].controls if b.action is Action.SUBMIT][0]
    await reporting.answer(REPORTER, submit.answer())
    assert len((await all_rows(database))["contacts"]) == 1

    clock.advance(days=31)
    await housekeeping.sweep()
    rows = await all_rows(database)
    assert rows["contacts"] == [] and len(rows["reports"]) == 1, "the report stays, unreachable"

    async with database.unit() as session:
        report = (await session.scalars(select(Report))).one()
        report.status, report.closed_at = "closed", clock()
    clock.advance(days=89)
    await housekeeping.sweep()
    assert len((await all_rows(database))["reports"]) == 1
    clock.advance(days=2)
    await housekeeping.sweep()
    assert (await all_rows(database))["reports"] == []


async def test_a_database_that_is_down_gets_a_kind_reply_through_the_front_too(keys, settings, clock):
    database = Database("postgresql+asyncpg://nearmiss@127.0.0.1:1/nowhere")
    reporting = Reporting(
        database=database, keys=keys, settings=settings, vocabularies=vocabularies(settings), clock=clock
    )

    replies = await Front(reporting).command(REPORTER, Command.REPORT)  # the language is looked up first

    assert [m.text for m in replies] == [M.BUSY]
    await database.close()


async def test_choosing_a_language_while_the_database_is_down_gets_a_kind_reply(keys, settings, clock):
    database = Database("postgresql+asyncpg://nearmiss@127.0.0.1:1/nowhere")
    reporting = Reporting(
        database=database, keys=keys, settings=settings, vocabularies=vocabularies(settings), clock=clock
    )

    replies = await Front(reporting).command(REPORTER, Command.LANGUAGE, "cy")

    assert [m.text for m in replies] == [M.BUSY]
    await database.close()
