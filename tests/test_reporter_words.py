"""What the reporter reads and types, through the real Telegram adapter over HTTP: typed words
for buttons, dates said back, no live keyboards left behind, taps after a lost reply, edits."""

import time

from flows import messages as M
from tests.conftest import MEMBER
from tests.fakes.telegram import buttons, text_update
from tests.helpers import TYPICAL_WHAT, all_rows, cy


async def to_what_happened(chat) -> None:
    """Starts a report and taps through to its first typed question."""
    await chat.say("/report")
    for label in ("Yesterday", "Home visit", "Police", "Done"):
        await chat.tap(label)


async def test_typing_a_buttons_label_or_a_misspelling_of_it_answers_the_question(chat, database):
    await chat.say("/report")
    await chat.tap("Today")
    where = await chat.say("home visit")
    assert [m["text"] for m in where] == ["Who was involved? Tap all that apply."], "a label as written: no echo"
    who = await chat.say("Police, parent or carer and helth")
    assert who[0]["text"] == "Noted: Who: Parent or carer, Police, Health.", "what a list was taken for is said"
    assert who[-1]["text"] == "What happened? One or two sentences, no names please."
    [draft] = (await all_rows(database))["drafts"]
    assert draft["state"]["answers"]["where"] == "home_visit"
    assert draft["state"]["answers"]["who"] == ["parent_carer", "police", "health"]


async def test_design_md_s_fuller_names_and_labels_with_and_inside_are_understood_typed(chat, database):
    await chat.say("/report")
    await chat.tap("Today")
    await chat.say("Strategy meeting or conference")
    await chat.say("child or young person and police")
    await chat.say(TYPICAL_WHAT)
    await chat.say("We rang the police.")
    await chat.say("Life-threatening injury or death")
    stopped = await chat.say("communication between agencies, supervision and support and workload and time pressure")
    noted = "Noted: Factors: Communication with agencies, Workload and time pressure, Supervision and support."
    assert stopped[0]["text"] == noted
    assert stopped[-1]["text"] == "What stopped it getting worse? (optional)"
    [draft] = (await all_rows(database))["drafts"]
    answers = draft["state"]["answers"]
    assert answers["where"] == "strategy_meeting" and answers["who"] == ["child", "police"]
    assert answers["outcome"] == "severe"
    assert answers["factors"] == ["inter_agency", "workload", "supervision"]


async def test_typed_skip_back_and_cancel_do_what_they_say_and_required_questions_say_so(chat, database):
    await to_what_happened(chat)
    await chat.say(TYPICAL_WHAT)

    refused = await chat.say("skip")
    assert refused[0]["text"] == "This question is required: the report needs an answer to it."
    assert refused[-1]["text"] == "What was done straight away?"
    back = await chat.say("back")
    assert back[-1]["text"] == "What happened? One or two sentences, no names please."
    await chat.say("We rang the police.")  # the answer again, and on
    confirm = await chat.say("cancel")
    assert confirm[-1]["text"] == "Cancel this report? Nothing will be kept."
    await chat.say("no")
    [draft] = (await all_rows(database))["drafts"]
    assert draft["state"]["step"] == "action" and "action" not in draft["state"]["answers"]
    assert "skip" not in repr(draft["state"]["answers"]), "a typed word for a button is never stored"


async def test_done_typed_a_question_late_is_not_stored_and_none_answers_a_required_question(chat, database):
    await chat.say("/report")
    await chat.tap("Yesterday")
    await chat.say("home visit")
    await chat.say("police, health")  # a typed list is the whole answer: on to "What happened?"

    late = await chat.say("Done")
    assert late[0]["text"] == "This question is required: the report needs an answer to it."
    assert late[-1]["text"] == "What happened? One or two sentences, no names please."
    await chat.say(TYPICAL_WHAT)
    outcome = await chat.say("None")
    assert outcome[-1]["text"] == "What was the outcome?"
    [draft] = (await all_rows(database))["drafts"]
    assert draft["state"]["answers"]["what"].startswith("Mum said call her on")
    assert draft["state"]["answers"]["action"] == "None"


async def test_skip_typed_on_an_optional_question_skips_it(chat, database):
    await to_what_happened(chat)
    await chat.say("Visit went ahead without the interpreter.")
    await chat.say("Rebooked it.")
    await chat.tap("Happened, no harm caused")
    await chat.tap("Skip")
    replies = await chat.say("skip")

    assert replies[-1]["text"] == "Shall I tell you what changes?"
    [draft] = (await all_rows(database))["drafts"]
    assert "stopped" not in draft["state"]["answers"]


async def test_a_typed_date_is_said_back_and_back_fixes_it_in_one_tap(chat):
    await chat.say("/report")
    await chat.tap("Pick a date")
    replies = await chat.say("last Tuesday about 3pm")

    assert replies[0]["text"] == "Noted: Tuesday 17 November, about 3pm (◀ Back to change)."
    assert replies[-1]["text"] == "Where did it happen?"
    fixed = await chat.tap("Back")
    assert fixed[-1]["text"] == "When did it happen?"


async def test_an_ambiguous_date_is_asked_about_and_impossible_or_far_past_ones_refused_kindly(chat, database):
    await chat.say("/report")
    await chat.tap("Pick a date")
    no_clock = await chat.say("yesterday at 25:00")
    assert no_clock[0]["text"].startswith("There is no 25:00 on a clock.")
    too_early = await chat.say("50 years ago")
    assert too_early[0]["text"].startswith("That reads as 23 Nov 1976. This bot takes near misses from 1990 on")
    which = await chat.say("03/04/2024")
    assert which[-1]["text"] == "Which did you mean?"
    assert [b["text"] for b in buttons(which[-1])][:2] == ["Wednesday 3 April 2024", "Monday 4 March 2024"]
    await chat.tap("Monday 4 March 2024")

    [draft] = (await all_rows(database))["drafts"]
    assert draft["state"]["answers"]["when"] == "2024-03-04" and draft["state"]["step"] == "where"


async def test_no_live_keyboard_is_left_above_the_next_question_after_a_typed_answer(chat, telegram_api):
    await to_what_happened(chat)
    what = chat.last_keyboard
    assert what["text"].startswith("What happened?") and buttons(what), "Back and Cancel while it waits"
    await chat.say(TYPICAL_WHAT)
    await chat.say("Rang the duty manager.")

    live = [m for m in telegram_api.sent_to(MEMBER) if buttons(m)]
    assert [m["text"] for m in live] == ["What was the outcome?"], "one live question"


async def test_only_the_question_waiting_keeps_its_buttons_however_it_was_answered(chat, telegram_api):
    def live() -> list[str]:
        return [m["text"].split("\n")[0] for m in telegram_api.sent_to(MEMBER) if buttons(m)]

    await chat.say("/start")  # the help, and the choice of language
    await chat.say("/report")
    assert live() == ["When did it happen?"]
    for typed in ("yesterday", "home visit", "police, health", TYPICAL_WHAT, "Rang the duty manager.", "stopped"):
        await chat.say(typed)
        assert len(live()) == 1, live()
    await chat.say("/cancel")
    assert live() == ["Cancel this report? Nothing will be kept."]
    await chat.say("no")
    for typed in ("skip", "skip", "no"):
        await chat.say(typed)
        assert len(live()) == 1, live()
    assert live() == ["Check your report, then Submit:"]
    sent = await chat.say("submit")
    assert sent[-1]["text"].startswith("Sent.") and live() == []


async def test_a_tap_after_a_lost_reply_is_taken_as_the_answer_without_blame(chat, telegram_api, database):
    await chat.say("/report")
    when = chat.last_keyboard
    telegram_api.fail("editMessageText", 502, "Bad Gateway", times=3)  # every try of the reply is lost,
    telegram_api.fail("editMessageReplyMarkup", 502, "Bad Gateway")  # and the old buttons stay
    await chat.tap("Yesterday")
    assert buttons(telegram_api.messages[when["message_id"]]), "the reporter still sees the date question"

    again = await chat.tap("Yesterday", when)

    assert again[0]["text"] == "Noted: When: Sun 22 Nov."
    assert again[-1]["text"] == "Where did it happen?"
    assert not any("earlier question" in m["text"] for m in telegram_api.sent_to(MEMBER))
    [draft] = (await all_rows(database))["drafts"]
    assert draft["state"]["step"] == "where" and draft["state"]["answers"]["when"] == "2026-11-22"


async def test_the_masking_note_names_the_kinds_and_shows_only_the_changed_parts(chat):
    await to_what_happened(chat)
    replies = await chat.say(
        "The visit went ahead at nine as planned and we waited. Mum said call her on 07700 900123 after the visit."
    )
    assert replies[0]["text"] == "To protect identities I hid a phone number: “…call her on [phone] after the visit.”"


async def test_the_length_limit_counts_what_was_typed_not_the_masked_text(chat, database):
    await to_what_happened(chat)
    names = ("Jo, Al, Bo, Cy, " * 70)[:1000]  # 2,000 characters once each name is [name]
    replies = await chat.say(names)

    assert replies[-1]["text"] == "What was done straight away?"
    [draft] = (await all_rows(database))["drafts"]
    assert len(draft["state"]["answers"]["what"]) > 1000 and "Jo" not in draft["state"]["answers"]["what"]


async def test_an_edited_message_is_answered_with_how_to_change_an_answer(chat, database):
    await chat.say("/report")
    await chat.tap("Pick a date")
    await chat.say("yesterday")
    edited = text_update(MEMBER, "the day before yesterday")
    edited["edited_message"] = edited.pop("message") | {"edit_date": int(time.time())}
    replies = await chat.send_raw(edited)

    assert [r["text"] for r in replies] == [M.EDITED]
    [draft] = (await all_rows(database))["drafts"]
    assert draft["state"]["answers"]["when"] == "2026-11-22", "the edit changed nothing"


async def test_in_welsh_a_typed_welsh_label_and_date_are_understood(chat):
    await chat.say("/language cy")
    await chat.say("/report")
    await chat.tap(cy(M.WHEN_PICK))
    replies = await chat.say("ddoe am 3pm")
    assert replies[0]["text"] == "Wedi nodi: Dydd Sul 22 Tachwedd, tua 3yh (◀ Yn ôl i newid)."
    where = await chat.say("ymweliad cartre")
    assert where[-1]["text"].startswith(cy(M.ASK_WHO))
