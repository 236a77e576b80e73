"""Hostile and accidental input: each gets a clear reply, keeps the draft, stores nothing wrong
and leaks nothing into the logs. Through the real Telegram and Slack adapters."""

import base64
import copy
import logging

import pytest
from sqlalchemy.engine import make_url

from bot.app.cli import _configure_logging
from tests.conftest import MEMBER
from tests.fakes.telegram import text_update
from tests.helpers import all_rows, stored_text

WHAT_STEP_TEXT = "What happened? One or two sentences, no names please."


@pytest.fixture(autouse=True)
def production_logging(caplog):
    """Logs configured as `nearmiss run -v` does, captured at the most talkative level."""
    _configure_logging(verbose=True)
    caplog.set_level(logging.DEBUG)
    return caplog


async def at_what(chat) -> None:
    await chat.say("/report")
    await chat.tap("Today")
    await chat.tap("Home visit")
    await chat.tap("Child or young person")
    await chat.tap("Done")


def draft_of(rows) -> dict:
    [draft] = rows["drafts"]
    return draft["state"]


async def test_oversized_text_is_refused_kindly_and_the_draft_kept(chat, database):
    await at_what(chat)
    replies = await chat.say("word " * 900)

    assert replies[0]["text"] == "That is 4499 characters; please keep it under 1000. Nothing else was lost."
    assert replies[-1]["text"] == WHAT_STEP_TEXT
    state = draft_of(await all_rows(database))
    assert state["step"] == "what" and state["answers"]["where"] == "home_visit"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Mum \u202edias\u202c\u200b the visit\x07 was cancelled", "Mum said the visit was cancelled"),
        ("Null\x00 byte in the middle", "Null byte in the middle"),
        ("Lone \ud800surrogate and\udfff another", "Lone surrogate and another"),
        ("Worried 😟 about the baby", "Worried 😟 about the baby"),
    ],
)
async def test_invisible_control_and_broken_characters_are_removed_before_storage(chat, database, typed, stored):
    await at_what(chat)
    await chat.say(typed)

    assert draft_of(await all_rows(database))["answers"]["what"] == stored


BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"


@pytest.mark.parametrize(
    ("typed", "shown", "stored"),
    [
        # reversed under a right-to-left override, so a reader sees the name, number or postcode
        ("Mrs \u202erofakO\u202c hit him", "Okafor", "Mrs [name] hit him"),
        ("Mum's mobile \u202e321009 00770\u202c is off", "07700 900123", "Mum's mobile [phone] is off"),
        ("Moved to \u202eAA1 A1WS\u202c last week", "SW1A 1AA", "Moved to [postcode] last week"),
        # or wrapped in isolates and embeddings, which change nothing a reader sees
        ("Spoke to Kelly \u2067Price\u2069 today", "Price", "Spoke to [name] today"),
        ("Call \u202b07700\u202c \u2066900123\u2069 now", "900123", "Call [phone] now"),
        ("Lives at \u200fCF10\u200e \u061c1AA", "CF10", "Lives at [postcode]"),
    ],
)
async def test_bidi_controls_hide_no_identifier_and_are_not_stored(chat, database, typed, shown, stored):
    await at_what(chat)
    await chat.say(typed)

    assert draft_of(await all_rows(database))["answers"]["what"] == stored
    everything = await stored_text(database)
    assert shown not in everything and shown[::-1] not in everything
    assert not any(control in everything for control in BIDI_CONTROLS)


async def test_markup_is_shown_as_typed_never_interpreted(chat, telegram_api):
    await at_what(chat)
    typed = "<b>Urgent</b> *now* [click](tg://user?id=1) _x_ `y`"
    await chat.say(typed)

    sends = [c.params for c in telegram_api.calls if c.method in ("sendMessage", "editMessageText")]
    assert sends and all("parse_mode" not in params for params in sends)


@pytest.mark.parametrize(
    "attachment",
    [
        {"photo": [{"file_id": "P1", "file_unique_id": "p1", "width": 90, "height": 90}]},
        {"voice": {"file_id": "V1", "file_unique_id": "v1", "duration": 3}},
        {"document": {"file_id": "D1", "file_unique_id": "d1", "file_name": "referral.pdf"}},
        {"contact": {"phone_number": "+447911123456", "first_name": "Jo", "user_id": 55501}},
        {"location": {"latitude": 51.5, "longitude": -0.12}},
    ],
)
async def test_attachments_are_declined_and_nothing_of_them_is_kept(chat, database, attachment):
    await at_what(chat)
    update = text_update(MEMBER, "")
    del update["message"]["text"]
    update["message"].update(attachment)

    replies = await chat.send_raw(update)

    assert replies[0]["text"].startswith("I can only take typed text")
    assert replies[-1]["text"] == WHAT_STEP_TEXT
    everything = await stored_text(database)
    assert "7911123456" not in everything and "referral.pdf" not in everything and "55501" not in everything


async def test_a_double_submit_stores_one_report(chat, database):
    await chat.say("/report")
    for label in ("Today", "Assessment", "Parent or carer", "Done"):
        await chat.tap(label)
    await chat.say("The assessment was signed off without seeing the child.")
    await chat.say("Reopened it.")
    for label in ("Stopped before it happened", "Skip", "Skip", "Don't contact me"):
        await chat.tap(label)
    summary = copy.deepcopy(chat.last_keyboard)  # as the phone shows it, before the bot edits it

    first = await chat.tap("Submit", message=summary)
    second = await chat.tap("Submit", message=summary)

    assert first[-1]["text"].startswith("Sent. Your reference is NM-")
    assert second[-1]["text"] == "There is no report in progress. Send /report to start one."
    assert len((await all_rows(database))["reports"]) == 1


async def test_a_failed_reply_loses_nothing_and_the_reporter_can_carry_on(chat, telegram_api, database):
    await at_what(chat)
    telegram_api.fail("sendMessage", 502, "Bad Gateway")
    await chat.say("The interpreter was not booked for the visit.")  # saved; its reply is lost

    resumed = await chat.say("/report")

    assert resumed[-1]["text"] == "What was done straight away?"
    assert draft_of(await all_rows(database))["answers"]["what"] == "The interpreter was not booked for the visit."


async def test_no_id_key_or_report_text_escapes(chat, database, keys, settings, production_logging):
    await at_what(chat)
    secret_text = "Grandad said the boy sleeps in the car most nights"
    await chat.say(secret_text)
    await chat.say("Called the duty team straight away.")
    await chat.tap("Harm: child left at risk")
    for label in ("Skip", "Skip", "Tell me what changes", "Submit"):
        await chat.tap(label)

    logs = production_logging.text
    assert "report submitted for team north" in logs, "the logs were captured"
    for leak in (str(MEMBER), secret_text, "Called the duty team", "sleeps in the car"):
        assert leak not in logs
    everything = await stored_text(database, _sqlite_path(settings))
    assert str(MEMBER) not in everything
    for key in (keys.pseudonym_key, keys.contact_key):
        for form in (key, base64.urlsafe_b64encode(key), key.hex().encode()):
            assert form.decode("latin-1") not in everything


def _sqlite_path(settings):
    from pathlib import Path

    url = make_url(settings.database.url)
    return Path(url.database) if url.get_backend_name() == "sqlite" else None
