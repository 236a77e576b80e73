"""Closing the loop on Telegram: a reporter who asked to hear back is told when a change is
agreed, when it is in place, and when the report closes (then their contact is deleted); one who
kept no contact is told nothing and checks with /status CODE. A report left quiet gets a progress
note; each team's channel hears what changed; the digest measures it all. On SQLite and PostgreSQL."""

import re
from datetime import UTC, datetime

from bot.services.reporter_news import send_progress_notes
from bot.services.scheduled_posts import LEARNING, Digests
from tests.conftest import INVITE, MANAGER, MEMBER, Chat
from tests.helpers import all_rows, file_typical_report

CHANGE = "Handover forms now list every agency told about a visit."
CHANNEL = -1005550001
OTHER_MEMBER = 693017428
SOUTH_MEMBER = 2002  # a member of south, in the shared settings


async def agree_a_change(telegram_api, bot, reference: str) -> Chat:
    manager = Chat(telegram_api, bot[1], MANAGER)
    card = (await manager.say(f"/open {reference}"))[-1]
    await manager.tap("Action", card)
    await manager.tap("New action")
    await manager.say(CHANGE)
    await manager.say("Team manager")
    await manager.say("next Friday")
    return manager


async def test_a_reporter_hears_what_changed_and_their_contact_goes_at_close(telegram_api, bot, chat, database, outbox):
    submitted = await file_typical_report(chat, feedback="Tell me what changes")
    reference = re.search(r"NM-\w{4}-\w{4}", submitted[-1]["text"]).group()
    seen = len(telegram_api.sent_to(MEMBER))
    manager = await agree_a_change(telegram_api, bot, reference)

    assert await outbox.drain() == 1
    agreed = telegram_api.sent_to(MEMBER)[seen]["text"]
    assert reference in agreed and CHANGE in agreed and "Team manager" in agreed

    actions = await manager.say("/actions")
    await manager.tap("Mark AC-", actions[-1])
    assert await outbox.drain() == 1
    assert "now in place" in telegram_api.sent_to(MEMBER)[seen + 1]["text"]
    assert (await all_rows(database))["reports"][0]["status"] == "feedback_sent"

    card = (await manager.say(f"/open {reference}"))[-1]
    await manager.tap("Status", card)
    await manager.tap("closed")
    rows = await all_rows(database)
    assert rows["contacts"] == [] and rows["reports"][0]["status"] == "closed"
    assert await outbox.drain() == 1  # the close note, from the outbox's own sealed copy
    assert "now closed" in telegram_api.sent_to(MEMBER)[seen + 2]["text"]
    assert all(row["address"] is None for row in (await all_rows(database))["outbox"])


async def test_feedback_reaches_only_the_reporters_whose_reports_the_change_came_from(
    telegram_api, bot, chat, database, outbox
):
    other = Chat(telegram_api, bot[1], OTHER_MEMBER)
    await other.say(f"/start {INVITE}")
    references = {}
    for reporter in (chat, other):
        submitted = await file_typical_report(reporter, feedback="Tell me what changes")
        references[reporter.user_id] = re.search(r"NM-\w{4}-\w{4}", submitted[-1]["text"]).group()
    seen = {user: len(telegram_api.sent_to(user)) for user in references}

    await agree_a_change(telegram_api, bot, references[OTHER_MEMBER])
    assert await outbox.drain() == 1
    assert len(telegram_api.sent_to(MEMBER)) == seen[MEMBER]
    [told] = telegram_api.sent_to(OTHER_MEMBER)[seen[OTHER_MEMBER] :]
    assert references[OTHER_MEMBER] in told["text"] and references[MEMBER] not in told["text"]


async def test_a_reporter_without_contact_is_told_nothing_and_checks_with_status(
    telegram_api, bot, chat, database, outbox
):
    submitted = await file_typical_report(chat)
    reference = re.search(r"NM-\w{4}-\w{4}", submitted[-1]["text"]).group()
    seen = len(telegram_api.sent_to(MEMBER))
    manager = await agree_a_change(telegram_api, bot, reference)

    assert await outbox.drain() == 0
    assert len(telegram_api.sent_to(MEMBER)) == seen
    status = await chat.say(f"/status {reference.lower()}")
    assert f"{reference}: action agreed" in status[-1]["text"] and CHANGE in status[-1]["text"]
    await manager.tap("Mark AC-", (await manager.say("/actions"))[-1])
    assert await outbox.drain() == 0 and len(telegram_api.sent_to(MEMBER)) == seen + 1
    assert (await all_rows(database))["reports"][0]["status"] == "feedback_sent"
    status = await chat.say(f"/status {reference}")
    assert f"{reference}: feedback sent" in status[-1]["text"] and "(now in place)" in status[-1]["text"]
    assert "don't know the reference" in (await chat.say("/status NM-2222-3333"))[-1]["text"]
    own = (await chat.say("/status"))[-1]["text"]  # a lost code: their own reports, with their progress
    assert own.startswith("Your reports:") and f"{reference}: feedback sent" in own
    assert (await Chat(telegram_api, bot[1], SOUTH_MEMBER).say("/status"))[-1]["text"].startswith("Send /status with")
    stranger = Chat(telegram_api, bot[1], 4040404)
    assert "only for teams" in (await stranger.say(f"/status {reference}"))[-1]["text"]


async def test_status_shows_only_a_teams_own_reports_and_stops_after_many_unknown_codes(telegram_api, bot, chat):
    submitted = await file_typical_report(chat)
    reference = re.search(r"NM-\w{4}-\w{4}", submitted[-1]["text"]).group()
    south = Chat(telegram_api, bot[1], SOUTH_MEMBER)
    assert "don't know the reference" in (await south.say(f"/status {reference}"))[-1]["text"]

    for n in range(10):
        assert "don't know the reference" in (await chat.say(f"/status NM-2222-{n + 2}222"))[-1]["text"]
    assert "look up no more for a while" in (await chat.say(f"/status {reference}"))[-1]["text"]
    assert "don't know the reference" in (await south.say("/status NM-2222-3333"))[-1]["text"]  # each their own count


async def test_a_quiet_report_gets_one_progress_note_per_silence(
    telegram_api, bot, chat, database, keys, clock, outbox
):
    wants = await file_typical_report(chat, feedback="Tell me what changes")
    reference = re.search(r"NM-\w{4}-\w{4}", wants[-1]["text"]).group()
    await file_typical_report(chat)  # kept no contact: never pushed anything
    seen = len(telegram_api.sent_to(MEMBER))

    clock.advance(days=13, hours=23)
    assert await send_progress_notes(database=database, keys=keys, quiet_days=14, now=clock.now) == 0
    clock.advance(hours=2)
    assert await send_progress_notes(database=database, keys=keys, quiet_days=14, now=clock.now) == 1
    assert await send_progress_notes(database=database, keys=keys, quiet_days=14, now=clock.now) == 0
    assert await outbox.drain() == 1
    [note] = telegram_api.sent_to(MEMBER)[seen:]
    assert note["text"].startswith(f"About your near-miss report {reference}: it is waiting for a manager")

    clock.advance(days=10)
    manager = await agree_a_change(telegram_api, bot, reference)  # news: the silence starts again
    clock.advance(days=10)
    assert await send_progress_notes(database=database, keys=keys, quiet_days=14, now=clock.now) == 0
    clock.advance(days=5)
    assert await send_progress_notes(database=database, keys=keys, quiet_days=0, now=clock.now) == 0  # off
    assert await send_progress_notes(database=database, keys=keys, quiet_days=14, now=clock.now) == 1

    await manager.tap("Mark AC-", (await manager.say("/actions"))[-1])  # the change is in place: told so
    clock.advance(days=60)
    assert await send_progress_notes(database=database, keys=keys, quiet_days=14, now=clock.now) == 0


async def test_the_team_channel_hears_what_changed_once_and_nothing_when_nothing_did(
    telegram_api, bot, chat, database, keys, settings, clock, outbox
):
    north, south = settings.teams
    settings = settings.model_copy(
        update={
            "teams": (
                north.model_copy(update={"channel": {"telegram": str(CHANNEL)}}),
                south.model_copy(update={"channel": {"telegram": "-1009"}}),
            )
        }
    )
    digests = Digests(database=database, keys=keys, settings=settings, clock=clock)
    submitted = await file_typical_report(chat)
    reference = re.search(r"NM-\w{4}-\w{4}", submitted[-1]["text"]).group()
    manager = await agree_a_change(telegram_api, bot, reference)
    await manager.tap("Mark AC-", (await manager.say("/actions"))[-1])

    clock.now = datetime(2026, 12, 7, 10, 1, tzinfo=UTC)  # the first Monday of December
    assert await digests.run("north", LEARNING) is True
    assert await digests.run("north", LEARNING) is False
    assert await digests.run("south", LEARNING) is False  # no change there: no post
    await outbox.drain()
    [post] = telegram_api.sent_to(CHANNEL)
    assert post["text"].startswith("You said, we did: North locality, 6 Nov to 7 Dec 2026")
    assert CHANGE in post["text"] and "NM-" not in post["text"] and "AC-" not in post["text"]
    assert telegram_api.sent_to(-1009) == []

    clock.now = datetime(2027, 1, 4, 10, 1, tzinfo=UTC)
    assert await digests.run("north", LEARNING) is False  # nothing new since December's


async def test_the_digest_measures_how_many_reports_had_feedback_and_how_soon(
    telegram_api, bot, chat, database, keys, settings, clock
):
    references = []
    for _ in range(4):
        submitted = await file_typical_report(chat)
        references.append(re.search(r"NM-\w{4}-\w{4}", submitted[-1]["text"]).group())
    for reference in references[:3]:
        clock.advance(days=2)
        await agree_a_change(telegram_api, bot, reference)
    digests = Digests(database=database, keys=keys, settings=settings, clock=clock)
    # 3 of 4 would say that 1 report had none: a small count, so it is not given exactly
    assert "all but fewer than 3 of 4 reports have had some" in (await digests.preview("north")).text

    clock.advance(days=2)
    await agree_a_change(telegram_api, bot, references[3])
    assert (
        "Feedback over the last 90 days: 4 of 4 reports have had some (100%); median time to first feedback "
        "5.0 days" in (await digests.preview("north")).text
    )


async def test_progress_notes_go_out_batch_after_batch_until_none_is_left(chat, database, keys, clock, outbox):
    for _ in range(3):
        await file_typical_report(chat, feedback="Tell me what changes")
    clock.advance(days=15)
    assert await send_progress_notes(database=database, keys=keys, quiet_days=14, now=clock.now, batch=2) == 3
    assert await send_progress_notes(database=database, keys=keys, quiet_days=14, now=clock.now, batch=2) == 0
