"""The reporter flow through the real python-telegram-bot Application, over HTTP, against a fake
Bot API server, on SQLite and PostgreSQL."""

import asyncio
import copy
import json
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy.engine import make_url

from bot.app.config import TelegramSettings
from bot.app.scheduler import sweep_drafts
from bot.app.services import vocabularies
from bot.services.reporting import Reporting
from flows import messages as M
from flows.chat import Action, Button, Message
from tests.conftest import INVITE, MEMBER, Chat, start_bot
from tests.fakes.telegram import buttons, callback_update, text_update
from tests.helpers import all_rows, answer_typical_report, cy, file_typical_report, stored_text


def _sqlite_file(settings) -> Path | None:
    url = make_url(settings.database.url)
    return Path(url.database) if url.get_backend_name() == "sqlite" else None


async def test_a_full_report_is_stored_pseudonymously(chat, database, keys, settings):
    replies = await file_typical_report(chat)

    assert "Your reference is NM-" in replies[-1]["text"]
    rows = await all_rows(database)
    assert rows["drafts"] == [] and rows["contacts"] == []
    [report] = rows["reports"]
    assert report["reference"] in replies[-1]["text"]
    pseudonym = keys.pseudonym(platform="telegram", workspace="", user_id=str(MEMBER))
    assert report["reporter"] == pseudonym.value and report["pseudonym_key_id"] == pseudonym.key_id
    assert report["what"] == "Mum said call her on [phone]; police were not told about the visit."
    assert report["involved"] == ["child", "police"] and report["factors"] == ["workload"]
    assert (report["setting"], report["grade"], report["wants_feedback"]) == ("home_visit", "prevented", False)
    assert str(report["occurred_on"]) == "2026-11-22"
    assert len(report["id"]) == 32 and not report["id"].isdigit()
    everything = await stored_text(database, _sqlite_file(settings))
    assert str(MEMBER) not in everything
    assert "900123" not in everything


async def test_a_reference_is_not_lost_to_a_bad_gateway(chat, telegram_api):
    await answer_typical_report(chat)
    telegram_api.fail("sendMessage", 502, "Bad Gateway", times=2)

    replies = await chat.tap("Submit")
    assert len(replies) == 1 and "Your reference is NM-" in replies[0]["text"]


async def test_a_message_longer_than_telegram_shows_goes_in_parts_with_its_buttons_last(bot, telegram_api):
    long_lines = "\n".join(f"Change {n}: " + "every agency told about the visit is listed. " * 8 for n in range(30))
    buttons = (Button(Action.PICK, "Yes", "ask", "yes"),)
    await bot[0].send(str(MEMBER), Message(long_lines, options=buttons))

    parts = telegram_api.sent_to(MEMBER)
    assert len(parts) == 3 and all(len(p["text"]) <= 4096 for p in parts)
    assert "\n".join(p["text"] for p in parts) == long_lines
    assert [bool(p.get("reply_markup")) for p in parts] == [False, False, True]


async def test_choosing_feedback_keeps_only_an_encrypted_contact(chat, database, keys):
    await file_typical_report(chat, feedback="Tell me what changes")

    rows = await all_rows(database)
    [report], [contact] = rows["reports"], rows["contacts"]
    assert contact["report_id"] == report["id"] and contact["draft_id"] is None
    assert str(MEMBER).encode() not in contact["ciphertext"]
    assert json.loads(keys.open(contact["key_id"], contact["ciphertext"])) == {
        "chat": str(MEMBER),
        "platform": "telegram",
    }


async def test_the_first_message_carries_the_safety_line_and_confidentiality(chat):
    replies = await chat.say("/report")

    assert "call 999" in replies[0]["text"]
    assert "managers never see who reported" in replies[0]["text"]
    assert "anonymous" not in replies[0]["text"].lower()
    assert [b["text"] for b in buttons(replies[-1])][:4] == ["Today", "Yesterday", "Earlier this week", "Pick a date"]


async def test_back_skip_and_edit_from_the_summary(chat):
    await chat.say("/report")
    await chat.tap("Yesterday")
    replies = await chat.tap("Back")
    assert replies[-1]["text"] == "When did it happen?"
    await chat.tap("Earlier this week")
    day = await chat.tap("Thu 19 Nov")
    assert day[-1]["text"] == "Where did it happen?"
    await chat.tap("Home visit")
    labels = [b["text"] for b in buttons(chat.last_keyboard)]
    assert "Skip" not in labels, "a required question offers no Skip"
    await chat.tap("Parent or carer")
    await chat.tap("Done")
    await chat.say("Visit went ahead without the interpreter booked.")
    await chat.say("Rebooked for the next day.")
    await chat.tap("Happened, no harm caused")
    skipped = await chat.tap("Skip")
    assert skipped[-1]["text"] == "What stopped it getting worse? (optional)", "said optional once"
    await chat.tap("Skip")
    summary = await chat.tap("Don't contact me")
    assert "Where: Home visit" in summary[-1]["text"] and "Factors" not in summary[-1]["text"]
    assert "When: Thu 19 Nov" in summary[-1]["text"]

    await chat.tap("✏ Where")
    edited = await chat.tap("Assessment")
    assert "Where: Assessment" in edited[-1]["text"]
    assert edited[-1]["text"].startswith("Check your report, then Submit")
    done = await chat.tap("Submit")
    assert "NM-" in done[-1]["text"]


async def test_multi_select_is_updated_in_place(chat, telegram_api):
    await chat.say("/report")
    await chat.tap("Today")
    await chat.tap("Assessment")
    question = chat.last_keyboard
    replies = await chat.tap("Health")

    assert [r["message_id"] for r in replies] == [question["message_id"]], "a toggle edits the question"
    assert "✓ Health" in [b["text"] for b in buttons(telegram_api.messages[question["message_id"]])]
    nothing_chosen = await chat.tap("Health")
    assert [r["message_id"] for r in nothing_chosen] == [question["message_id"]]
    assert "✓ Health" not in [b["text"] for b in buttons(nothing_chosen[0])]
    refused = await chat.tap("Done")
    assert refused[0]["text"] == "Please tap at least one, then Done."


async def test_cancel_asks_first_then_keeps_nothing(chat, database):
    await chat.say("/report")
    await chat.tap("Today")
    confirm = await chat.say("/cancel")
    assert confirm[-1]["text"] == "Cancel this report? Nothing will be kept."
    carry_on = await chat.tap("No, carry on")
    assert carry_on[-1]["text"] == "Where did it happen?"
    await chat.tap("Cancel")
    cancelled = await chat.tap("Yes, cancel")

    assert cancelled[-1]["text"] == "Cancelled. Nothing was kept."
    rows = await all_rows(database)
    assert rows["drafts"] == rows["contacts"] == rows["reports"] == []


async def test_an_invalid_date_gets_a_kind_reply_and_keeps_the_draft(chat):
    await chat.say("/report")
    await chat.tap("Pick a date")
    unreadable = await chat.say("the 45th of Smarch")
    assert unreadable[0]["text"].startswith("I couldn't read that date.")
    assert unreadable[-1]["text"] == "Type the date, e.g. 3/11 or last Tuesday."
    future = await chat.say("1/1/2099")
    assert future[0]["text"] == "That date is in the future. When did it happen?"
    accepted = await chat.say("3/11 at 4pm")
    assert accepted[-1]["text"] == "Where did it happen?"
    await chat.tap("Office or phone")

    await chat.tap("Back")
    await chat.tap("Back")
    await chat.say("yesterday")  # typed at the buttons question, accepted too
    where = chat.last_keyboard
    assert "✓ Office or phone" in [b["text"] for b in buttons(where)], "the earlier answer survives"


async def test_identifiers_are_masked_and_the_reporter_is_told(chat):
    await chat.say("/report")
    await chat.tap("Today")
    await chat.tap("Home visit")
    await chat.tap("Child")
    await chat.tap("Done")
    replies = await chat.say("Email from jo.bloggs@example.org, NHS 943 476 5919, at SW1A 1AA.")

    note = replies[0]["text"]
    assert "an email address, an NHS number and a postcode" in note
    assert "[email]" in note and "example.org" not in note and "5919" not in note


async def test_the_life_threatening_grade_points_to_the_statutory_route(chat):
    await chat.say("/report")
    await chat.tap("Today")
    await chat.tap("Hospital or health")
    await chat.tap("Child")
    await chat.tap("Done")
    await chat.say("Discharge went ahead without the safeguarding check.")
    await chat.say("Strategy meeting called.")
    replies = await chat.tap("Life-threatening")

    assert "statutory route" in replies[0]["text"]
    assert "in England, a child safeguarding practice review; in Wales, a child practice review" in replies[0]["text"]
    assert "serious case review" not in replies[0]["text"]
    assert "yng Nghymru, adolygiad ymarfer plant, dan Weithdrefnau Diogelu Cymru; yn Lloegr" in cy(M.STATUTORY)
    assert replies[-1]["text"].startswith("What contributed?")


async def test_a_stranger_is_told_how_to_join_once_and_nothing_is_stored(telegram_api, bot, database):
    stranger = Chat(telegram_api, bot[1], 5550123)
    [refusal] = await stranger.say("/report")
    assert refusal["text"].startswith("Sorry, this bot is only for teams that use nearmiss.")
    assert refusal["text"].endswith("ask your manager for an invite code and send /start CODE.")
    for attempt in ("hello?", "/cancel", "/report"):
        assert await stranger.say(attempt) == [], "told once, not once per attempt"
    for asked in ("/help", "/start"):  # asked for: answered each time, with how to join
        replies = await stranger.say(asked)
        assert replies[0]["text"] == refusal["text"]
        assert "/report" not in " ".join(r["text"] for r in replies)
    [welsh] = await stranger.tap("Cymraeg")  # answered in it, and nothing kept about them
    assert welsh["text"] == cy(M.NOT_A_MEMBER).format(join="/start")

    rows = await all_rows(database)
    assert all(table == [] for table in rows.values())


async def test_reports_are_never_made_in_a_group(telegram_api, bot, database):
    chat = Chat(telegram_api, bot[1], MEMBER)
    replies = await chat.send_raw(text_update(MEMBER, "/report", chat_type="group"))

    assert [m["text"] for m in replies] == ["Reports are private: please message me directly, not in a group."]
    assert (await all_rows(database))["drafts"] == []


async def test_an_invite_code_lets_a_colleague_join(telegram_api, bot, database):
    colleague = Chat(telegram_api, bot[1], 5550124)
    wrong = await colleague.say("/start NOT-THE-CODE")
    assert wrong[-1]["text"].startswith("That invite code didn't work.")
    assert (await all_rows(database))["memberships"] == []
    joined = await colleague.say(f"/start {INVITE}")
    welcome, language = joined[-2:]
    assert welcome["text"] == "Welcome to North locality. Send /report to report a near miss."
    assert [b["text"] for b in buttons(language)] == ["English", "Cymraeg"]  # offered at first contact

    started = await colleague.say("/report")
    assert started[-1]["text"] == "When did it happen?"
    [membership] = (await all_rows(database))["memberships"]
    assert membership["team"] == "north" and "5550124" not in membership["reporter"]


async def test_a_restart_mid_report_carries_on_where_the_reporter_was(
    telegram_api, settings, reporting, database, keys, clock
):
    adapter, processed = await start_bot(settings, reporting)
    chat = Chat(telegram_api, processed, MEMBER)
    await chat.say("/report")
    await chat.tap("Yesterday")
    await chat.tap("Police or court")
    await chat.tap("Police")
    question = chat.last_keyboard
    await adapter.stop()

    restarted = Reporting(
        database=database, keys=keys, settings=settings, vocabularies=vocabularies(settings), clock=clock
    )
    adapter, processed = await start_bot(settings, restarted)
    chat.processed = processed
    try:
        resumed = await chat.say("/report")
        assert resumed[0]["text"] == "You have a report in progress. Carrying on where you left off:"
        assert "✓ Police" in [b["text"] for b in buttons(resumed[-1])]
        await chat.tap("Done", message=question)  # a button from before the restart still works
        await chat.say("Court papers sent to the wrong address.")
        await chat.say("Recalled them.")
        await chat.tap("Stopped before it happened")
        await chat.tap("Skip")
        await chat.tap("Skip")
        await chat.tap("Don't contact me")
        done = await chat.tap("Submit")
    finally:
        await adapter.stop()
    assert "NM-" in done[-1]["text"]
    [report] = (await all_rows(database))["reports"]
    assert report["setting"] == "police_court" and report["involved"] == ["police"]


async def test_an_idle_draft_expires_with_a_gentle_message(chat, bot, housekeeping, database, clock):
    await chat.say("/report")
    await chat.tap("Today")
    old_question = chat.last_keyboard
    clock.advance(hours=23)
    await sweep_drafts(housekeeping, {"telegram": bot[0]})
    assert len((await all_rows(database))["drafts"]) == 1, "not yet idle for 24 hours"

    clock.advance(hours=2)
    await sweep_drafts(housekeeping, {"telegram": bot[0]})

    assert chat.last["text"].startswith("Your unfinished report was cleared after 24 hours")
    rows = await all_rows(database)
    assert rows["drafts"] == rows["contacts"] == rows["reports"] == []
    late = await chat.tap("Home visit", message=old_question)
    assert late[-1]["text"] == "There is no report in progress. Send /report to start one."


async def test_a_draft_found_idle_before_the_sweep_is_cleared_on_the_next_tap(chat, database, clock):
    await chat.say("/report")
    await chat.tap("Today")
    clock.advance(hours=30)

    late = await chat.tap("Home visit")

    assert late[-1]["text"].startswith("Your unfinished report was cleared")
    assert (await all_rows(database))["drafts"] == []


async def test_photos_and_contact_cards_are_declined_and_the_draft_kept(chat, database):
    await chat.say("/report")
    await chat.tap("Today")
    contact_card = text_update(MEMBER, "")
    del contact_card["message"]["text"]
    contact_card["message"]["contact"] = {"phone_number": "+447911123456", "first_name": "Jo"}
    replies = await chat.send_raw(contact_card)

    assert replies[0]["text"].startswith("I can only take typed text")
    assert replies[-1]["text"] == "Where did it happen?"
    assert "7911123456" not in await stored_text(database)


async def test_forged_callback_data_changes_nothing(chat, database):
    await chat.say("/report")
    question = chat.last_keyboard
    [today] = [b["callback_data"] for b in buttons(question) if b["text"] == "Today"]
    action, step, value, token = today.split("|")
    for forged in (
        f"{action}|{step}|yesterday|{token}",
        f"{action}|{step}|{value}|",
        "p|when|today",
        "x" * 64,
        "",
        "ok|summary||AAAAAAAA",
    ):
        replies = await chat.send_raw(callback_update(MEMBER, question, forged))
        assert replies[0]["text"] == "Here is where your report is:"
    [draft] = (await all_rows(database))["drafts"]
    assert draft["state"]["answers"] == {} and draft["state"]["step"] == "when"


async def test_the_command_menu_is_set_in_english_and_for_welsh_phones_in_welsh(chat, telegram_api):
    english, welsh = [call for call in telegram_api.calls if call.method == "setMyCommands"]
    assert [c["command"] for c in english.params["commands"]] == ["report", "cancel", "status", "language", "help"]
    assert "language_code" not in english.params and welsh.params["language_code"] == "cy"
    assert [c["command"] for c in welsh.params["commands"]] == [c["command"] for c in english.params["commands"]]
    assert welsh.params["commands"][0]["description"] != english.params["commands"][0]["description"]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_webhook_mode_accepts_only_the_secret_token(telegram_api, settings, reporting):
    secret = "s3cret-token-for-tests"
    hooked = settings.model_copy(
        update={
            "telegram": TelegramSettings(
                token=telegram_api.token,
                base_url=telegram_api.base_url,
                mode="webhook",
                webhook_url="https://example.invalid/telegram",
                webhook_port=0,
                webhook_secret=secret,
            )
        }
    )
    adapter, processed = await start_bot(hooked, reporting)
    try:
        assert telegram_api.webhook["secret_token"] == secret
        url = f"http://127.0.0.1:{adapter.webhook_port}/telegram"
        async with aiohttp.ClientSession() as http:
            forged = await http.post(
                url,
                json={"update_id": 1, **text_update(MEMBER, "/report")},
                headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"},
            )
            assert forged.status == 403
            genuine = await http.post(
                url,
                json={"update_id": 2, **text_update(MEMBER, "/report")},
                headers={"X-Telegram-Bot-Api-Secret-Token": secret},
            )
            assert genuine.status == 200
            await processed.wait(2)
            assert 1 not in processed.ids
            assert telegram_api.sent_to(MEMBER)[-1]["text"] == "When did it happen?"

            # A retried delivery of the same update (same update_id) is applied once.
            question = telegram_api.sent_to(MEMBER)[-1]
            [today] = [b["callback_data"] for b in buttons(question) if b["text"] == "Today"]
            tap = callback_update(MEMBER, question, today)
            for _ in range(2):
                retried = await http.post(
                    url, json={"update_id": 3, **tap}, headers={"X-Telegram-Bot-Api-Secret-Token": secret}
                )
                assert retried.status == 200
        await processed.wait(3)
        await asyncio.sleep(0.2)  # give a wrongly applied second delivery time to show itself
        questions = [m["text"] for m in telegram_api.sent_to(MEMBER)]
        assert questions.count("Where did it happen?") == 1
        assert "Here is where your report is:" not in questions
    finally:
        await adapter.stop()


async def test_a_flood_limit_reply_is_waited_out_and_the_message_still_arrives(chat, telegram_api):
    telegram_api.fail("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)

    replies = await chat.say("/report")

    assert [m["text"] for m in replies][-1] == "When did it happen?"
    sends = [c for c in telegram_api.calls if c.method == "sendMessage"]
    assert len(sends) == 3, "the refused send was tried again, once"


async def test_a_reporter_who_blocked_the_bot_does_not_stop_the_sweep(telegram_api, bot, housekeeping, database, clock):
    first, second = Chat(telegram_api, bot[1], MEMBER), Chat(telegram_api, bot[1], 2002)
    for chat in (first, second):
        await chat.say("/report")
    clock.advance(hours=25)
    telegram_api.fail("sendMessage", 403, "Forbidden: bot was blocked by the user")

    await sweep_drafts(housekeeping, {"telegram": bot[0]})

    assert (await all_rows(database))["drafts"] == []
    notes = [
        m["text"]
        for chat_id in (MEMBER, 2002)
        for m in telegram_api.sent_to(chat_id)
        if m["text"].startswith("Your unfinished report was cleared")
    ]
    assert len(notes) == 1, "the blocked reporter is skipped, the other told"


async def test_a_question_that_cannot_be_edited_into_the_next_is_followed_by_it(chat, telegram_api):
    await chat.say("/report")
    when = chat.last_keyboard
    telegram_api.fail("editMessageText", 400, "Bad Request: message can't be edited")

    replies = await chat.tap("Yesterday")

    assert [r["text"] for r in replies] == ["Where did it happen?"]
    assert replies[0]["message_id"] != when["message_id"]
    assert buttons(replies[0]) and not buttons(telegram_api.messages[when["message_id"]])


async def test_the_next_question_survives_a_network_blip_while_it_replaces_the_last(chat, telegram_api):
    await chat.say("/report")
    when = chat.last_keyboard
    telegram_api.fail("editMessageText", 502, "Bad Gateway")

    replies = await chat.tap("Yesterday")

    assert [(r["message_id"], r["text"]) for r in replies] == [(when["message_id"], "Where did it happen?")]


async def test_an_older_copy_of_the_question_tapped_gets_the_next_question_below_not_above(chat, telegram_api):
    await chat.say("/report")
    await chat.tap("Today")
    older = copy.deepcopy(chat.last_keyboard)  # as the reporter's phone still shows it
    await chat.say("/report")  # carries on: the same question again, lower down
    assert chat.last_keyboard["message_id"] != older["message_id"]
    assert not buttons(telegram_api.messages[older["message_id"]]), "one live question"

    replies = await chat.tap("Home visit", older)  # tapped before its buttons went

    assert [r["text"] for r in replies] == ["Who was involved? Tap all that apply."]
    assert replies[0]["message_id"] == telegram_api.sent_to(MEMBER)[-1]["message_id"]
    assert not buttons(telegram_api.messages[older["message_id"]])
