"""The reporting service that every adapter calls, on SQLite and PostgreSQL."""

import asyncio

from bot.reporting import Sender
from flows import messages as M
from flows.engine import Action, Answer
from tests.conftest import MEMBER
from tests.helpers import all_rows

REPORTER = Sender("telegram", str(MEMBER), str(MEMBER))


async def test_taps_racing_on_one_draft_never_lose_or_invent_an_answer(reporting, database):
    await reporting.start(REPORTER)
    await reporting.answer(REPORTER, Answer(Action.PICK, "today", "when"))
    await reporting.answer(REPORTER, Answer(Action.PICK, "home_visit", "where"))

    roles = ["child", "police", "health", "education"]
    replies = await asyncio.gather(*(
        reporting.answer(REPORTER, Answer(Action.TOGGLE, role, "who")) for role in roles
    ))

    applied = set()
    for role, messages in zip(roles, replies):
        if messages[0].text in (M.TAPS_CROSSED, M.BUSY):
            continue  # told plainly that this tap did not count
        applied.add(role)
    [draft] = (await all_rows(database))["drafts"]
    assert set(draft["state"]["answers"].get("who", [])) == applied
    assert applied, "at least one of the taps counts"


async def test_the_same_event_delivered_twice_is_applied_once(reporting, database):
    await reporting.start(REPORTER)
    tap = Sender("telegram", str(MEMBER), str(MEMBER), event="bot:17")
    first = await reporting.answer(tap, Answer(Action.PICK, "today", "when"))
    again = await reporting.answer(tap, Answer(Action.PICK, "today", "when"))

    assert first[-1].text == M.ASK_WHERE
    assert again == []
    [draft] = (await all_rows(database))["drafts"]
    assert draft["state"]["trail"] == ["when"]


async def test_a_stranger_leaves_no_trace_even_with_event_ids(reporting, database):
    stranger = Sender("telegram", "5550001", "5550001", event="bot:99")
    await reporting.start(stranger)
    await reporting.answer(stranger, Answer(Action.TEXT, "hello"))

    assert all(rows == [] for rows in (await all_rows(database)).values())


async def test_old_events_are_forgotten_by_the_sweep(reporting, database, clock):
    await reporting.start(Sender("telegram", str(MEMBER), str(MEMBER), event="bot:1"))
    assert len((await all_rows(database))["seen_events"]) == 1
    clock.advance(days=3)

    await reporting.sweep()

    assert (await all_rows(database))["seen_events"] == []
