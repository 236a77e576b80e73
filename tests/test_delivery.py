"""Replies that reach the reporter whatever the platform does: through the real adapters against
the fake servers with their failure injection, on SQLite and PostgreSQL. A failed cosmetic call
(taking buttons off, acknowledging a tap) stops nothing; a reply the platform would not take is
sent by the outbox once it recovers, with its buttons; a report's reference is kept with the
report, so a crash between storing it and replying does not lose it."""

import asyncio
import logging
import time
from datetime import timedelta

import pytest

from bot.adapters.slack import SlackAdapter
from bot.app.services import vocabularies
from bot.services.front import Front
from bot.services.outbox_sender import OutboxSender
from bot.services.replies import HOLD
from bot.services.reporting import Reporting
from bot.services.sender import Sender
from flows.chat import decode_button
from storage import outbox_store
from tests.conftest import MEMBER, Chat, start_bot
from tests.fakes.forms import GOOD_FORM
from tests.fakes.slack import SCOPE_OF, FakeSlack, manifest_scopes
from tests.fakes.telegram import buttons, callback_update
from tests.helpers import all_rows, answer_typical_report
from tests.test_slack import MEMBER as SLACK_MEMBER
from tests.test_slack import (
    SECRET,
    open_modal,
    said,
    slack_settings,  # noqa: F401  (a fixture)
)

REFERENCE = "Your reference is NM-"
DOWN = 3  # failures in a row: more than the live reply's own tries


def references(telegram_api) -> list[dict]:
    return [m for m in telegram_api.sent_to(MEMBER) if REFERENCE in m["text"]]


async def test_a_failed_call_taking_the_buttons_off_does_not_lose_the_reference(chat, telegram_api, outbox, clock):
    await answer_typical_report(chat)
    telegram_api.fail("editMessageReplyMarkup", 502, "Bad Gateway", times=DOWN)

    replies = await chat.tap("Submit")

    assert [REFERENCE in m["text"] for m in replies] == [True]
    clock.advance(seconds=HOLD.total_seconds() + 1)
    assert await outbox.drain() == 0, "the reference kept with the report is not sent again"
    assert len(references(telegram_api)) == 1


async def test_a_tap_whose_acknowledgement_fails_is_still_applied(chat, telegram_api, database):
    await chat.say("/report")
    telegram_api.fail("answerCallbackQuery", 502, "Bad Gateway")

    replies = await chat.tap("Yesterday")

    assert [m["text"].startswith("Where did it happen?") for m in replies] == [True]
    [draft] = (await all_rows(database))["drafts"]
    assert draft["state"]["answers"]["when"]


async def test_a_reference_the_bot_api_would_not_take_is_sent_once_it_recovers(chat, telegram_api, outbox):
    await answer_typical_report(chat)
    telegram_api.fail("sendMessage", 502, "Bad Gateway", times=DOWN)

    assert await chat.tap("Submit") == []

    assert await outbox.drain() == 1
    assert await outbox.drain() == 0
    [reference] = references(telegram_api)
    assert reference["text"].startswith("Sent. Your reference is NM-")


async def test_the_next_question_lost_to_an_outage_comes_later_with_buttons_that_work(chat, telegram_api, outbox):
    await chat.say("/report")
    telegram_api.fail("editMessageText", 502, "Bad Gateway", times=DOWN)
    telegram_api.fail("sendMessage", 502, "Bad Gateway", times=DOWN)

    assert await chat.tap("Yesterday") == []

    assert await outbox.drain() == 1
    where = chat.last
    assert where["text"].startswith("Where did it happen?") and buttons(where)
    assert [m["text"].startswith("Who was involved?") for m in await chat.tap("Home visit", where)] == [True]


async def test_a_reply_the_bot_api_would_not_take_is_sent_within_seconds_of_its_answering_again(
    chat, bot, telegram_api, database, keys, clock
):
    began = time.monotonic()
    running = lambda: clock.now + timedelta(seconds=time.monotonic() - began)  # noqa: E731  (the test's clock, running)
    outbox = OutboxSender(database=database, keys=keys, clock=running, per_second=1000)
    outbox.adapters = {"telegram": bot[0]}
    await chat.say("/report")
    telegram_api.fail("editMessageText", 502, "Bad Gateway", times=DOWN)
    telegram_api.fail("sendMessage", 502, "Bad Gateway", times=2 * DOWN)  # the live tries, and the outbox's first
    assert await chat.tap("Yesterday") == []
    assert await outbox.drain() == 0

    failed = time.monotonic()
    while not chat.last["text"].startswith("Where did it happen?"):  # the outbox tries again by itself
        assert time.monotonic() - failed < 4, "not tried again within seconds"
        await asyncio.sleep(0.1)
    assert buttons(chat.last)


async def test_a_reference_survives_a_crash_between_storing_the_report_and_replying(
    chat, telegram_api, reporting, outbox, clock, database
):
    await answer_typical_report(chat)
    [submit] = [b for b in buttons(chat.last_keyboard) if "Submit" in b["text"]]
    sender = Sender("telegram", str(MEMBER), str(MEMBER), event="999000:crashed")

    # The report is stored, and the process dies before the live reply is sent.
    replies = await reporting.answer(sender, decode_button(submit["callback_data"]))
    assert [REFERENCE in m.text for m in replies] == [True] and references(telegram_api) == []
    assert len((await all_rows(database))["reports"]) == 1

    assert await outbox.drain() == 0, "held for the live reply a little while"
    clock.advance(seconds=HOLD.total_seconds())
    assert await outbox.drain() == 1
    assert [m["text"] for m in references(telegram_api)] == [replies[0].text]


@pytest.fixture
async def slack_bot(slack_settings, database, keys, clock, slack_api):  # noqa: F811
    reporting = Reporting(
        database=database, keys=keys, settings=slack_settings, vocabularies=vocabularies(slack_settings), clock=clock
    )
    adapter = SlackAdapter(slack_settings.slack, Front(reporting))
    await adapter.start()
    outbox = OutboxSender(database=database, keys=keys, clock=clock, per_second=1000)
    outbox.adapters = {"slack": adapter}
    yield FakeSlack(f"http://127.0.0.1:{adapter.http_port}/slack/events", SECRET, slack_api), outbox
    await adapter.stop()


async def test_slack_a_reference_the_web_api_would_not_take_is_sent_once_it_recovers(slack_bot):
    slack, outbox = slack_bot
    view = await open_modal(slack)
    slack.api.fail("chat.postMessage", 500, times=3)  # the client's own three tries

    status, _body = await slack.interact(slack.submission(SLACK_MEMBER, view, GOOD_FORM))
    assert status == 200

    sent = 0
    for _wait in range(200):  # until the live reply gives up and hands it over
        if sent := await outbox.drain():
            break
        await asyncio.sleep(0.05)
    assert sent == 1  # the one direct message after a form: the reference and the report in a line
    texts = [m["text"] for m in slack.api.dm(SLACK_MEMBER)]
    assert texts[-1].startswith("Sent. Your reference is NM-") and len(texts) == 1


async def test_slack_a_failed_call_taking_the_buttons_off_does_not_lose_the_next_question(slack_bot):
    slack, _outbox = slack_bot
    await slack.command(SLACK_MEMBER, "steps")
    when = await said(slack.api, SLACK_MEMBER, "When did it happen?")
    await slack.command(SLACK_MEMBER, "help")  # the question is no longer the newest: its buttons go
    slack.api.fail("chat.update", 500, times=3)

    await slack.interact(slack.tap(SLACK_MEMBER, when, "Yesterday"))

    await said(slack.api, SLACK_MEMBER, "Where did it happen?")


@pytest.fixture
async def impatient_chat(settings, reporting, telegram_api, outbox):
    """A chat with a bot that waits half a second for the Bot API's answers."""
    telegram = settings.telegram.model_copy(update={"timeout_seconds": 0.5})
    adapter, processed = await start_bot(settings.model_copy(update={"telegram": telegram}), reporting)
    outbox.adapters = {"telegram": adapter}
    yield Chat(telegram_api, processed, MEMBER)
    await adapter.stop()


async def test_a_message_the_bot_api_sends_but_answers_late_is_not_sent_twice(impatient_chat, telegram_api):
    chat = impatient_chat
    await chat.say("/report")
    await chat.tap("Yesterday")
    await chat.tap("Home visit")
    await chat.tap("Police")
    await chat.tap("Done")
    telegram_api.answer_late("editMessageReplyMarkup", 1)
    telegram_api.answer_late("sendMessage", 1)

    await chat.say("A typed answer, its reply answered late.")

    asked = [m for m in telegram_api.sent_to(MEMBER) if m["text"].startswith("What was done straight away?")]
    assert len(asked) == 1


async def test_an_edit_the_bot_api_answers_late_is_tried_again_and_shown_once(impatient_chat, telegram_api):
    chat = impatient_chat
    await chat.say("/report")
    telegram_api.answer_late("editMessageText", 1)

    await chat.tap("Yesterday")

    assert [m["text"].startswith("Where did it happen?") for m in telegram_api.sent_to(MEMBER)][-1:] == [True]
    assert sum(m["text"].startswith("Where did it happen?") for m in telegram_api.sent_to(MEMBER)) == 1


async def test_a_reference_answered_late_arrives_at_least_once(impatient_chat, telegram_api, outbox, clock):
    chat = impatient_chat
    await answer_typical_report(chat)
    telegram_api.answer_late("sendMessage", 1)

    await chat.tap("Submit")
    assert len(references(telegram_api)) == 1, "not sent again at once"

    clock.advance(seconds=HOLD.total_seconds())
    await outbox.drain()
    # The documented window (docs/delivery.md): a reference whose sending was not confirmed is
    # sent again from the outbox after its hold, so it may arrive twice but never not at all.
    assert len(references(telegram_api)) == 2


OUTAGE = 8.5  # seconds: long enough that PTB's own back-off would wait 5 s more before trying again


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # polling stores nothing
async def test_polling_through_an_outage_logs_a_line_a_try_and_notices_recovery_within_seconds(
    chat, telegram_api, caplog
):
    await chat.say("/report")
    caplog.set_level(logging.INFO)
    caplog.clear()

    await telegram_api.go_away()
    await asyncio.sleep(OUTAGE)
    await telegram_api.come_back()
    back = time.monotonic()
    assert [m["text"].startswith("Where did it happen?") for m in await chat.tap("Yesterday")] == [True]

    assert time.monotonic() - back < 3.5
    failed = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(failed) >= 4, "one line a try"
    assert all(r.exc_info is None and "\n" not in r.getMessage() for r in failed), "no tracebacks"
    assert all(telegram_api.token.split(":")[1] not in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_polling_refused_by_the_bot_api_logs_a_line_each_without_tracebacks(chat, telegram_api, caplog):
    await chat.say("/report")
    caplog.set_level(logging.INFO)
    caplog.clear()
    telegram_api.fail("getUpdates", 502, "Bad Gateway", times=2)
    telegram_api.fail("getUpdates", 409, "Conflict: terminated by other getUpdates request")
    await chat.say("/help")  # fetched by the poll under way; the next ones fail

    assert [m["text"].startswith("Where did it happen?") for m in await chat.tap("Yesterday")] == [True]

    failed = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert [("502" in r.getMessage(), "Conflict" in r.getMessage()) for r in failed] == [
        (True, False),
        (True, False),
        (False, True),
    ]
    assert all(r.exc_info is None for r in failed), "no tracebacks"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # polling stores nothing
async def test_an_update_is_confirmed_to_the_bot_api_only_once_it_has_been_handled(chat, telegram_api):
    await chat.say("/report")
    telegram_api.answer_late("answerCallbackQuery", 2)  # the tap's handling waits on its acknowledgement
    message = chat.last_keyboard
    [yesterday] = [b for b in buttons(message) if b["text"] == "Yesterday"]

    tap = await telegram_api.push(callback_update(MEMBER, message, yesterday["callback_data"]))
    await asyncio.sleep(1)
    assert telegram_api.confirmed_offset <= tap, "being handled: a process dying now must be handed it again"

    await chat.processed.wait(tap)
    for _poll in range(40):
        if telegram_api.confirmed_offset > tap:
            break
        await asyncio.sleep(0.05)
    assert telegram_api.confirmed_offset > tap, "handled: confirmed at the next poll"
    assert sum(m["text"].startswith("Where did it happen?") for m in telegram_api.sent_to(MEMBER)) == 1


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # polling stores nothing
async def test_an_update_that_cannot_be_read_is_skipped_and_polling_goes_on(chat, telegram_api, caplog):
    caplog.set_level(logging.ERROR)
    unreadable = await telegram_api.push({"message": "not a message"})

    replies = await chat.say("/report")

    assert [m["text"] for m in replies][-1:] == ["When did it happen?"]
    assert [f"update {unreadable} could not be read" in r.getMessage() for r in caplog.records] == [True]
    for _poll in range(40):
        if telegram_api.confirmed_offset > unreadable:
            break
        await asyncio.sleep(0.05)
    assert telegram_api.confirmed_offset > unreadable, "confirmed with the rest, not fetched again and again"


async def queue_for_slack(database, keys, clock, *, image: bytes | None = None) -> None:
    async with database.unit() as session:
        await outbox_store.enqueue(
            session,
            keys=keys,
            key="digest:north",
            address={"platform": "slack", "chat": "C0POSTS"},
            text="This week's digest.",
            image=image,
            now=clock(),
        )


async def given_up(database) -> bool:
    [row] = (await all_rows(database))["outbox"]
    return row["failed_at"] is not None and row["address"] is None


@pytest.mark.parametrize("refusal", ["not_in_channel", "channel_not_found", "missing_scope"])
async def test_slack_a_permanent_refusal_gives_the_message_up_at_once_naming_why(
    slack_bot, database, keys, clock, caplog, refusal
):
    slack, outbox = slack_bot
    await queue_for_slack(database, keys, clock)
    slack.api.refuse("chat.postMessage", refusal)

    assert await outbox.drain() == 0
    assert await given_up(database)
    assert any(r.levelname == "WARNING" and refusal in r.getMessage() for r in caplog.records)


async def test_slack_a_scope_the_app_was_not_granted_is_named_and_the_chart_given_up(
    slack_bot, database, keys, clock, caplog
):
    slack, outbox = slack_bot
    slack.api.scopes = manifest_scopes() - {"files:write"}  # installed from an older manifest
    await queue_for_slack(database, keys, clock, image=b"\x89PNG chart")

    assert await outbox.drain() == 0
    assert await given_up(database)
    assert any("missing_scope (needs files:write)" in r.getMessage() for r in caplog.records)


def test_the_manifest_asks_for_every_scope_the_code_calls_need():
    assert set(SCOPE_OF.values()) <= manifest_scopes()
