"""The report flow engine on its own: no platform, no database."""

from datetime import date

import pytest

from flows import messages as M
from flows.chat import Action, Answer
from flows.draft import Outcome, Problem
from flows.engine import ReportEngine
from flows.lists import Lists, Option
from flows.masking import Identifier, placeholder
from flows.messages import _, speaking
from flows.report_prompts import SUMMARY

TODAY = date(2026, 11, 23)


@pytest.fixture
def engine() -> ReportEngine:
    return ReportEngine(Lists())


def walk(engine: ReportEngine, *answers: Answer):
    turn = engine.start(today=TODAY)
    for answer in answers:
        turn = engine.advance(turn.state, answer, today=TODAY)
    return turn


def pick(value: str, step: str = "") -> Answer:
    return Answer(Action.PICK, value, step)


def text(value: str) -> Answer:
    return Answer(Action.TEXT, value)


TYPICAL = (
    pick("yesterday", "when"),
    pick("home_visit", "where"),
    Answer(Action.TOGGLE, "child", "who"),
    Answer(Action.TOGGLE, "police", "who"),
    Answer(Action.DONE, step="who"),
    text("Police were not told about the visit."),
    text("Rang the duty manager."),
    pick("prevented", "outcome"),
    Answer(Action.TOGGLE, "workload", "factors"),
    Answer(Action.DONE, step="factors"),
    Answer(Action.SKIP, step="stopped"),
    pick("no", "feedback"),
)


def test_a_typical_report_reaches_the_summary_and_submits(engine):
    turn = walk(engine, *TYPICAL)
    assert turn.state.step == SUMMARY

    submitted = engine.advance(turn.state, Answer(Action.SUBMIT, step=SUMMARY), today=TODAY)

    assert submitted.outcome is Outcome.SUBMITTED
    content = engine.content(submitted.state)
    assert content.occurred_on == date(2026, 11, 22) and content.occurred_at is None
    assert content.involved == ("child", "police") and content.factors == ("workload",)
    assert content.what_stopped_it is None and content.wants_feedback is False


def test_the_whole_flow_asks_the_reporter_to_read_about_140_words_or_fewer(engine):
    turn = engine.start(today=TODAY)
    read = [m.text for m in turn.messages]
    for answer in TYPICAL:
        turn = engine.advance(turn.state, answer, today=TODAY)
        read += [m.text for m in turn.messages]
    summary = read.pop()  # the reporter's own answers, read back; only its frame counts
    read += [M.ASK_CHECK, M.SUBMITTED, M.SUBMITTED_NO_CONTACT]
    toggled_repeats = 1  # the Who question is re-shown once per toggle; read once
    words = sum(len(t.split()) for t in read) - toggled_repeats * len(f"{M.ASK_WHO} {M.HINT_SOME}".split())
    assert summary.startswith(M.ASK_CHECK)
    assert words <= 140, words


def test_the_card_shows_each_answer_briefly_a_long_typed_one_by_its_first_words(engine):
    long_one = text("Police were not told about the visit until the evening, so nobody checked the bail terms.")
    answers = (text("14/11/2025"), *TYPICAL[1:5], long_one, *TYPICAL[6:])
    card = walk(engine, *answers).messages[-1].text.splitlines()

    assert card[0] == M.ASK_CHECK
    assert "When: Fri 14 Nov 2025" in card, "another year's date keeps its year"
    assert "What happened: Police were not told …" in card
    assert "Action taken: Rang the duty manager." in card, "a short answer is shown whole"
    this_year = walk(engine, *TYPICAL).messages[-1].text.splitlines()
    assert "When: Sun 22 Nov" in this_year


def test_back_returns_to_the_previous_question_with_its_answer_kept(engine):
    turn = walk(engine, pick("today", "when"), pick("assessment", "where"), Answer(Action.BACK, step="who"))

    assert turn.state.step == "where"
    assert [b.label for b in turn.messages[-1].options if b.selected] == ["Assessment"]
    first = walk(engine, Answer(Action.BACK, step="when"))
    assert first.problem is Problem.FIRST_QUESTION and first.state.step == "when"


def test_only_optional_questions_can_be_skipped(engine):
    refused = walk(engine, Answer(Action.SKIP, step="when"))
    assert refused.problem is Problem.CANNOT_SKIP and refused.state.step == "when"

    at_factors = walk(engine, *TYPICAL[:8])
    skipped = engine.advance(at_factors.state, Answer(Action.SKIP, step="factors"), today=TODAY)
    assert skipped.state.step == "stopped"
    assert M.BUTTON_SKIP in [b.label for b in at_factors.messages[-1].controls]
    assert M.BUTTON_SKIP not in [b.label for b in engine.start(today=TODAY).messages[-1].controls]


def test_cancel_is_confirmed_and_carrying_on_returns_to_the_same_question(engine):
    asked = walk(engine, pick("today", "when"), Answer(Action.CANCEL, step="where"))
    assert asked.messages[-1].text == M.ASK_CONFIRM_CANCEL

    carried_on = engine.advance(asked.state, Answer(Action.NO, step="cancel"), today=TODAY)
    assert carried_on.state.step == "where" and carried_on.state.answers["when"] == "2026-11-23"
    cancelled = engine.advance(asked.state, Answer(Action.YES, step="cancel"), today=TODAY)
    assert cancelled.outcome is Outcome.CANCELLED


def test_editing_from_the_summary_returns_to_the_summary(engine):
    summary = walk(engine, *TYPICAL)
    editing = engine.advance(summary.state, Answer(Action.EDIT, "what", SUMMARY), today=TODAY)
    assert editing.messages[-1].step == "what"
    assert "Police were not told about the visit." in editing.messages[-1].text, "shows what is there now"

    edited = engine.advance(editing.state, text("The police were told late."), today=TODAY)

    assert edited.state.step == SUMMARY
    assert "What happened: The police were told late." in edited.messages[-1].text
    assert edited.state.answers["action"] == "Rang the duty manager."


def test_dates_typed_or_tapped(engine):
    typed = walk(engine, pick("typed", "when"), text("3/11 at 4pm"))
    assert typed.state.answers["when"] == "2026-11-03" and typed.state.answers["when_time"] == "16:00"

    week = walk(engine, pick("week", "when"))
    days = [b.label for b in week.messages[-1].options]
    assert days == ["Sat 21 Nov", "Fri 20 Nov", "Thu 19 Nov", "Wed 18 Nov", "Tue 17 Nov"]
    chosen = engine.advance(week.state, pick("2026-11-19", "when"), today=TODAY)
    assert chosen.state.answers["when"] == "2026-11-19"

    future = walk(engine, pick("2026-12-25", "when"))
    assert future.problem is Problem.DATE_FUTURE and future.state.step == "when"
    nonsense = walk(engine, text("whenever"))
    assert nonsense.problem is Problem.DATE_UNREADABLE


def test_a_tap_on_an_answered_question_is_taken_as_its_answer_and_the_reporter_shown_where_they_are(engine):
    turn = walk(engine, pick("today", "when"), pick("home_visit", "where"), pick("yesterday", "when"))

    assert turn.problem is None and turn.state.step == "who"
    assert turn.state.answers["when"] == "2026-11-22" and turn.state.answers["where"] == "home_visit"
    assert turn.messages[0].text == "Noted: When: Sun 22 Nov."
    assert turn.messages[-1].step == "who"
    again = engine.advance(turn.state, pick("home_visit", "where"), today=TODAY)
    assert again.problem is None and again.messages[0].text == "Noted: Where: Home visit."
    unanswered = walk(engine, pick("today", "when"), pick("yes", "feedback"))
    assert unanswered.problem is Problem.STALE_BUTTON and "feedback" not in unanswered.state.answers
    assert unanswered.messages[0].text == M.WHERE_YOU_ARE and "earlier" not in unanswered.messages[0].text
    forged = walk(engine, pick("today", "when"), pick("the_moon", "where"))
    assert forged.problem is Problem.STALE_BUTTON and "where" not in forged.state.answers


def test_text_limits_keep_the_draft(engine):
    at_what = walk(engine, *TYPICAL[:5])
    too_long = engine.advance(at_what.state, text("x" * 1001), today=TODAY)
    assert too_long.messages[0].text.startswith("That is 1001 characters")
    assert too_long.state == at_what.state
    blank = engine.advance(at_what.state, text("   "), today=TODAY)
    assert blank.problem is Problem.NEED_WORDS


def test_buttons_are_needed_where_there_are_buttons(engine):
    turn = walk(engine, pick("today", "when"), text("at the house"))
    assert turn.problem is Problem.NEED_BUTTON and turn.state.step == "where"


@pytest.mark.parametrize("typed", ["home visit", "Home Visit", "hme visit", "home"])
def test_a_typed_label_or_a_close_misspelling_is_taken_for_its_button(engine, typed):
    turn = walk(engine, pick("today", "when"), text(typed))
    assert turn.problem is None and turn.state.answers["where"] == "home_visit"


def test_a_typed_list_answers_a_multi_select(engine):
    turn = walk(engine, pick("today", "when"), pick("home_visit", "where"), text("police, parent or carer and helth"))
    assert turn.state.step == "what" and turn.state.answers["who"] == ["parent_carer", "police", "health"]
    one = walk(engine, pick("today", "when"), pick("home_visit", "where"), text("Other"))
    assert one.state.step == "what" and one.state.answers["who"] == ["other"]
    vague = walk(engine, pick("today", "when"), pick("home_visit", "where"), text("the lot"))
    assert vague.problem is Problem.NEED_BUTTON and vague.state.step == "who"
    pasted = walk(engine, pick("today", "when"), pick("home_visit", "where"), text("police and " * 2000))
    assert pasted.problem is Problem.NEED_BUTTON and pasted.state.step == "who", "a pasted wall of text is refused"


@pytest.mark.parametrize(
    ("language", "typed", "codes"),
    [
        ("en", "Assessment tools, procedures", ["tools"]),  # a comma inside a label
        ("en", "supervision & support + inter-agency", ["inter_agency", "supervision"]),
        ("en", "multi-agency communication; workload and time pressure", ["inter_agency", "workload"]),
        ("cy", "goruchwyliaeth a chymorth ac llwyth gwaith, pwysau amser", ["workload", "supervision"]),
    ],
)
def test_a_typed_list_of_factors_reads_labels_with_and_or_a_comma_inside(engine, language, typed, codes):
    with speaking(language):
        turn = walk(engine, *TYPICAL[:8], text(typed))
    assert turn.problem is None and turn.state.step == "stopped"
    assert turn.state.answers["factors"] == codes


def test_a_typed_answer_is_said_back_unless_the_card_follows(engine):
    at_feedback = walk(engine, *TYPICAL[:-1])
    said = engine.advance(at_feedback.state, text("dont contact me"), today=TODAY)
    assert said.state.step == SUMMARY and len(said.messages) == 1, "the card alone, not a note of it first"
    listed = walk(engine, pick("today", "when"), pick("home_visit", "where"), text("police and helth"))
    assert listed.messages[0].text == "Noted: Who: Police, Health."


def test_every_kind_of_identifier_has_its_placeholder_in_the_catalogue():
    assert sorted(placeholder(kind) for kind in Identifier) == sorted(M.PLACEHOLDERS)


def test_in_welsh_the_masking_note_and_the_card_show_welsh_placeholders_and_english_is_kept(engine):
    slip = "Ffonies i Jade ar 07700 900461 a doedd neb adref"
    with speaking("cy"):
        noted = walk(engine, *TYPICAL[:5], text(slip))
        card = walk(engine, *TYPICAL[:5], text(slip), *TYPICAL[6:]).messages[-1].text
    assert "“Ffonies i [enw] ar [rhif ffôn] a doedd neb…”" in noted.messages[0].text
    assert noted.state.answers["what"] == "Ffonies i [name] ar [phone] a doedd neb adref", "stored as in English"
    assert "Ffonies i [enw] ar …" in card


def test_typed_skip_back_and_cancel_mean_what_they_say(engine):
    at_action = walk(engine, *TYPICAL[:6])
    required = engine.advance(at_action.state, text("skip"), today=TODAY)
    assert required.problem is Problem.CANNOT_SKIP and "action" not in required.state.answers
    assert "required" in required.messages[0].text
    back = engine.advance(at_action.state, text("Back"), today=TODAY)
    assert back.state.step == "what"
    cancel = walk(engine, text("cancel"))
    assert cancel.messages[-1].text == M.ASK_CONFIRM_CANCEL and cancel.problem is None
    at_stopped = walk(engine, *TYPICAL[:10])
    skipped = engine.advance(at_stopped.state, text("skip"), today=TODAY)
    assert skipped.state.step == "feedback" and "stopped" not in skipped.state.answers
    at_feedback = walk(engine, *TYPICAL[:11])
    assert engine.advance(at_feedback.state, text("Yes"), today=TODAY).state.answers["feedback"] == "yes"
    assert engine.advance(at_feedback.state, text("no"), today=TODAY).state.answers["feedback"] == "no"
    submitted = engine.advance(walk(engine, *TYPICAL).state, text("submit"), today=TODAY)
    assert submitted.outcome is Outcome.SUBMITTED


def test_a_typed_date_is_said_back_as_understood_with_the_fix_named(engine):
    turn = walk(engine, text("last Tuesday about 3pm"))
    assert turn.messages[0].text == "Noted: Tuesday 17 November, about 3pm (◀ Back to change)."
    assert turn.state.answers["when_time"] == "15:00"
    fixed = engine.advance(turn.state, Answer(Action.BACK, step="where"), today=TODAY)
    assert fixed.state.step == "when"


def test_an_ambiguous_day_and_month_is_asked_about(engine):
    asked = walk(engine, text("03/04/2024"))
    assert asked.state.step == "when" and asked.messages[-1].text == M.ASK_WHICH_DATE
    labels = [b.label for b in asked.messages[-1].options]
    assert labels == ["Wednesday 3 April 2024", "Monday 4 March 2024"]
    chosen = engine.advance(asked.state, asked.messages[-1].options[1].answer(), today=TODAY)
    assert chosen.state.answers["when"] == "2024-03-04" and chosen.state.step == "where"
    assert "when_maybe" not in chosen.state.answers


@pytest.mark.parametrize(
    ("typed", "problem", "words"),
    [
        ("yesterday at 25:00", Problem.NO_SUCH_TIME, "There is no 25:00 on a clock."),
        ("50 years ago", Problem.DATE_TOO_EARLY, "That reads as 23 Nov 1976. This bot takes near misses from 1990 on"),
    ],
)
def test_impossible_times_and_far_past_dates_are_refused_saying_why(engine, typed, problem, words):
    turn = walk(engine, text(typed))
    assert turn.problem is problem and turn.state.step == "when" and "when" not in turn.state.answers
    assert turn.messages[0].text.startswith(words)


def test_the_masking_note_names_the_kinds_and_shows_only_what_changed(engine):
    at_what = walk(engine, *TYPICAL[:5])
    said = "We met at the office first. Mum said call her on 07700 900123 and her NI is QQ 12 34 56 C today."
    turn = engine.advance(at_what.state, text(said), today=TODAY)
    note = turn.messages[0].text
    assert note.startswith("To protect identities I hid a phone number and a National Insurance number")
    assert note.endswith(": “…call her on [phone] and her NI is [NI number] today.”") and "name" not in note
    assert not note.endswith("”.")


def test_the_length_limit_counts_what_was_typed_not_the_masked_text(engine):
    at_what = walk(engine, *TYPICAL[:5])
    names = " ".join(["Jo Smith"] * 111)[:1000]
    turn = engine.advance(at_what.state, text(names), today=TODAY)
    assert turn.problem is None and turn.state.step == "action"


def test_lists_come_from_configuration():
    engine = ReportEngine(Lists(where=(Option("hub", "Front door hub"),)))
    turn = walk(engine, pick("today", "when"))
    assert [b.label for b in turn.messages[-1].options] == ["Front door hub"]


def test_the_engine_never_changes_the_draft_it_was_given(engine):
    start = engine.start(today=TODAY)
    before = repr(start.state)
    engine.advance(start.state, pick("today", "when"), today=TODAY)
    assert repr(start.state) == before


def test_a_whole_form_is_checked_like_the_conversation(engine):
    filled = engine.fill(
        {
            "when": "2026-11-22",
            "where": "home_visit",
            "who": ["child", "police"],
            "what": "Mum on 07700 900123 was not told.",
            "action": "Rang her.",
            "outcome": "severe",
            "factors": [],
            "stopped": None,
            "feedback": "yes",
        },
        today=TODAY,
    )

    assert filled.errors == {} and filled.state.step == SUMMARY
    assert engine.content(filled.state).what == "Mum on [phone] was not told."
    assert any("a phone number" in note for note in filled.notes)
    assert any("statutory route" in note for note in filled.notes)


def test_a_form_with_every_answer_wrong_names_each_one(engine):
    filled = engine.fill(
        {
            "when": "2027-01-01",
            "where": "the_moon",
            "who": [],
            "what": "  ",
            "action": "x" * 1200,
            "outcome": None,
            "feedback": "maybe",
        },
        today=TODAY,
    )

    assert filled.errors == {
        "when": M.DATE_FUTURE,
        "where": M.FORM_CHOOSE,
        "who": M.FORM_CHOOSE_SOME,
        "what": M.NEED_WORDS,
        "action": "That is 1200 characters; please keep it under 1000. Nothing else was lost.",
        "outcome": M.FORM_CHOOSE,
        "feedback": M.FORM_CHOOSE,
    }


@pytest.mark.parametrize("language", ["en", "cy"])
def test_every_reporter_button_fits_slack_with_a_tick_in_front(engine, language):
    with speaking(language):
        labels = [_(o.label) for name in ("where", "who", "factors", "grades", "feedback") for o in Lists().named(name)]
        turn = walk(engine, *TYPICAL)
        labels += [b.label for b in turn.messages[-1].options + turn.messages[-1].controls]
    assert all(len(label) <= 28 for label in labels), [label for label in labels if len(label) > 28]
