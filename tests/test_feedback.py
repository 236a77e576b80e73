"""Closing the loop on Telegram: a reporter who asked to hear back is told when a change is
agreed, when it is in place, and when the report closes (then their contact is deleted); one who
kept no contact is told nothing and checks with /status CODE. On SQLite and PostgreSQL."""

import re

from tests.conftest import MANAGER, MEMBER, Chat
from tests.helpers import all_rows, file_typical_report

CHANGE = "Handover forms now list every agency told about a visit."


async def agree_a_change(telegram_api, bot, reference: str) -> Chat:
    manager = Chat(telegram_api, bot[1], MANAGER)
    card = (await manager.say(f"/open {reference}"))[-1]
    await manager.tap("Action", card)
    await manager.tap("New action")
    await manager.say(CHANGE)
    await manager.say("Team manager")
    await manager.say("next Friday")
    return manager


async def test_a_reporter_hears_what_changed_and_their_contact_goes_at_close(telegram_api, bot, chat, database,
                                                                              outbox):
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


async def test_a_reporter_without_contact_is_told_nothing_and_checks_with_status(telegram_api, bot, chat, outbox):
    submitted = await file_typical_report(chat)
    reference = re.search(r"NM-\w{4}-\w{4}", submitted[-1]["text"]).group()
    seen = len(telegram_api.sent_to(MEMBER))
    await agree_a_change(telegram_api, bot, reference)

    assert await outbox.drain() == 0
    assert len(telegram_api.sent_to(MEMBER)) == seen
    status = await chat.say(f"/status {reference.lower()}")
    assert f"{reference}: action agreed" in status[-1]["text"] and CHANGE in status[-1]["text"]
    assert "don't know the reference" in (await chat.say("/status NM-2222-3333"))[-1]["text"]
    assert "with your reference" in (await chat.say("/status"))[-1]["text"]
    stranger = Chat(telegram_api, bot[1], 4040404)
    assert "only for teams" in (await stranger.say(f"/status {reference}"))[-1]["text"]
