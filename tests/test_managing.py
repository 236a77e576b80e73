"""Managers triage in Telegram through the real python-telegram-bot Application over HTTP, on
SQLite and PostgreSQL: the risk matrix, themes, status, links, root cause, actions, alerts to
the safeguarding lead, team boundaries, and the audit log."""

import re

from sqlalchemy import select

from storage.models import Action, AuditEntry, Report
from tests.conftest import LEAD, MANAGER, MEMBER, SOUTH_MANAGER, Chat
from tests.fakes.telegram import buttons, callback_update
from tests.helpers import all_rows, file_typical_report, stored_text

REFERENCE = re.compile(r"NM-[0-9A-Z]{4}-[0-9A-Z]{4}")


async def filed(chat: Chat, **kwargs) -> str:
    return REFERENCE.search((await file_typical_report(chat, **kwargs))[-1]["text"]).group()


async def report(database, reference: str) -> Report:
    async with database.unit() as session:
        return await session.scalar(select(Report).where(Report.reference == reference))


async def test_a_manager_grades_a_report_red_and_the_lead_is_alerted(telegram_api, bot, chat, database, outbox):
    reference = await filed(chat)
    manager = Chat(telegram_api, bot[1], MANAGER)

    listed = await manager.say("/reports")
    assert any(reference in b["text"] for b in buttons(listed[-1]))
    card = (await manager.tap(reference))[-1]
    assert reference in card["text"] and "Home visit" in card["text"]
    assert "[phone]" in card["text"] and "07700" not in card["text"]
    assert str(MEMBER) not in card["text"]

    await manager.tap("Grade risk", card)
    await manager.tap("Severe")
    graded = await manager.tap("Likely")
    texts = " ".join(m["text"] for m in graded)
    assert "risk 16" in texts and "red" in texts and "root cause analysis" in texts

    stored = await report(database, reference)
    assert (stored.consequence, stored.likelihood, stored.risk_score, stored.risk_colour) == (4, 4, 16, "red")
    assert stored.status == "triaged" and stored.needs_rca

    assert telegram_api.sent_to(LEAD) == []  # queued, not yet sent
    assert await outbox.drain() == 1
    alert = telegram_api.sent_to(LEAD)[-1]["text"]
    assert reference in alert and "triaged red" in alert and "/open " + reference in alert
    assert await outbox.drain() == 0  # sent once


async def test_the_risk_bands_follow_appendix_d(telegram_api, bot, chat, database):
    reference = await filed(chat)
    manager = Chat(telegram_api, bot[1], MANAGER)
    for consequence, likelihood, score, colour in (
        ("Low", "Possible", 6, "yellow"),
        ("Moderate", "Likely", 12, "amber"),
        ("None", "Almost certain", 5, "yellow"),
        ("None", "Rare", 1, "green"),
    ):
        card = (await manager.say(f"/open {reference}"))[-1]
        await manager.tap("Grade risk", card)
        await manager.tap(consequence)
        await manager.tap(likelihood)
        stored = await report(database, reference)
        assert (stored.risk_score, stored.risk_colour) == (score, colour)
    assert not stored.needs_rca


async def test_themes_status_links_root_cause_and_actions_in_chat(telegram_api, bot, chat, database, clock):
    first = await filed(chat)
    second = await filed(chat)
    manager = Chat(telegram_api, bot[1], MANAGER)
    card = (await manager.say(f"/open {first}"))[-1]

    await manager.tap("Themes", card)
    await manager.tap("Communication with agencies")
    await manager.tap("Workload")  # the reporter's factor, preselected: now off
    done = await manager.tap("Done")
    assert "Communication with agencies" in done[0]["text"]
    assert (await report(database, first)).themes == ["inter_agency"]

    await manager.tap("Link a report", card)
    assert "No report NM-ZZZZ-ZZZZ" in (await manager.say("NM-ZZZZ-ZZZZ"))[-1]["text"]  # still waiting
    linked = await manager.say(second.lower())
    assert f"Linked {first} and {second}" in linked[-1]["text"]

    await manager.tap("Status", card)
    await manager.tap("under review")
    assert (await report(database, first)).status == "under_review"

    await manager.tap("Action", card)
    await manager.tap("New action")
    await manager.say("Handover checklist gets a line for police contacts; ring 07700 900456.")
    await manager.say("Team manager")
    due = await manager.say("next Friday")
    assert "Action AC-" in due[-1]["text"] and "[phone]" in due[-1]["text"]
    stored = await report(database, first)
    assert stored.status == "action_agreed"

    actions = await manager.say("/actions")
    assert "Handover checklist" in actions[-1]["text"]
    await manager.tap("Mark AC-", actions[-1])
    async with database.unit() as session:
        action = await session.scalar(select(Action))
    assert action.done_at == clock.now and "07700" not in action.description

    card = (await manager.say(f"/open {second}"))[-1]
    assert first in card["text"]  # the link shows from both sides
    assert "Root cause" not in [b["text"] for b in buttons(card)]  # not red


async def test_a_red_report_gets_a_five_whys_record(telegram_api, bot, chat, database):
    reference = await filed(chat)
    manager = Chat(telegram_api, bot[1], MANAGER)
    card = (await manager.say(f"/open {reference}"))[-1]
    await manager.tap("Grade risk", card)
    await manager.tap("Death")
    graded = await manager.tap("Possible")
    card = graded[-1]
    asked = await manager.tap("Root cause", card)
    assert "why 1 of 5" in asked[-1]["text"]
    assert "Please type" in (await manager.say("ok"))[-1]["text"]  # too short: asked again, nothing lost
    await manager.say("The police were not on the visit list.")
    await manager.say("The handover form has no field for other agencies.")
    await manager.tap("Done")
    recorded = await manager.say("Failed: the handover form. Held: the duty manager rang back.")
    assert "recorded" in recorded[0]["text"] and "2 whys" in recorded[-1]["text"]
    assert (await report(database, reference)).rca == {
        "whys": ["The police were not on the visit list.", "The handover form has no field for other agencies."],
        "barriers": "Failed: the handover form. Held: the duty manager rang back.",
    }


async def test_a_harm_graded_report_alerts_the_lead_at_once(telegram_api, bot, chat, database, outbox):
    database.on_queued = outbox.kick  # as in `nearmiss run`: the sender wakes after the commit
    lead = telegram_api.sent_to(LEAD)
    await chat.say("/report")
    for label in ("Yesterday", "Home visit", "Child or young person", "Done"):
        await chat.tap(label)
    await chat.say("The child was sent home with nobody checking the address.")
    await chat.say("Called the family the next morning.")
    graded = await chat.tap("Life-threatening or death")
    assert "statutory route" in " ".join(m["text"] for m in graded)
    await chat.tap("Skip")
    await chat.tap("Skip")
    await chat.tap("Don't contact me")
    await chat.tap("Submit")
    await telegram_api.next_change(LEAD, timeout=10)
    alert = telegram_api.sent_to(LEAD)[-1]["text"]
    assert lead == [] and "statutory route applies" in alert and "nobody checking the address" in alert


async def test_another_teams_manager_cannot_see_triage_or_list_a_report(telegram_api, bot, chat, database):
    reference = await filed(chat)
    south = Chat(telegram_api, bot[1], SOUTH_MANAGER)

    assert reference not in " ".join(b["text"] for m in await south.say("/reports") for b in buttons(m))
    assert "No report" in (await south.say(f"/open {reference}"))[-1]["text"]
    # A north manager's button, forged into the south manager's own chat, changes nothing.
    north = Chat(telegram_api, bot[1], MANAGER)
    card = (await north.say(f"/open {reference}"))[-1]
    await north.tap("Grade risk", card)
    question = north.last_keyboard
    death = next(b for b in buttons(question) if b["text"] == "Death")
    in_south = {**question, "chat": {"id": SOUTH_MANAGER, "type": "private"}}
    refused = await south.send_raw(callback_update(SOUTH_MANAGER, in_south, death["callback_data"]))
    assert "No report" in refused[-1]["text"]
    assert (await report(database, reference)).consequence is None

    reporter_asks = await chat.say("/reports")
    assert "only for managers" in reporter_asks[-1]["text"]


async def test_every_manager_read_is_audited_without_ids(telegram_api, bot, chat, database, keys):
    reference = await filed(chat)
    manager = Chat(telegram_api, bot[1], MANAGER)
    card = (await manager.say(f"/open {reference}"))[-1]
    await manager.tap("Status", card)
    await manager.tap("closed")
    await manager.say("/reports")

    async with database.unit() as session:
        entries = list(await session.scalars(select(AuditEntry).order_by(AuditEntry.id)))
    pseudonym = keys.pseudonym(platform="manager:telegram", workspace="", user_id=str(MANAGER)).value
    as_reporter = keys.pseudonym(platform="telegram", workspace="", user_id=str(MANAGER)).value
    assert pseudonym != as_reporter  # audit rows cannot be joined to reports a manager made
    assert [(e.verb, e.team, e.actor) for e in entries] == [
        ("read", "north", pseudonym),
        ("status", "north", pseudonym),
        ("list", "north", pseudonym),
    ]
    stored = await report(database, reference)
    assert entries[0].report_id == stored.id and stored.closed_at is not None
    text = await stored_text(database)
    assert str(MANAGER) not in text and str(LEAD) not in text and str(MEMBER) not in text


async def test_a_manager_cancels_what_they_were_typing(telegram_api, bot, chat, database):
    reference = await filed(chat)
    manager = Chat(telegram_api, bot[1], MANAGER)
    card = (await manager.say(f"/open {reference}"))[-1]
    await manager.tap("Link a report", card)
    assert "Stopped" in (await manager.say("/cancel"))[-1]["text"]
    assert "no report in progress" in (await manager.say("NM-AAAA-BBBB"))[-1]["text"].lower()
    rows = await all_rows(database)
    assert rows["report_links"] == []


async def test_a_tap_elsewhere_ends_what_a_manager_was_typing(telegram_api, bot, chat, database):
    first, second = await filed(chat), await filed(chat)
    manager = Chat(telegram_api, bot[1], MANAGER)
    card = (await manager.say(f"/open {first}"))[-1]
    await manager.tap("Link a report", card)
    other = (await manager.say(f"/open {second}"))[-1]
    await manager.tap("Status", other)
    assert "no report in progress" in (await manager.say(first))[-1]["text"].lower()
    assert (await all_rows(database))["report_links"] == []
    await manager.tap("Link a report", other)
    assert "Stopped" in (await manager.say("cancel"))[-1]["text"]  # typed, as a Slack manager would
