"""A Welsh-speaking team, through the real Telegram bot against the fake Bot API: a reporter files
a report in Welsh, the lead is alerted in Welsh, a manager triages in Welsh and records a change,
the reporter hears back in Welsh and the manager's digest is in Welsh. And anyone can choose
their language with one tap, which is kept against a pseudonym, never their id."""

import re

import pytest

from bot.app.config import DatabaseSettings, DraftSettings, Settings, TeamSettings, TelegramSettings
from bot.services.scheduled_posts import Digests
from flows import messages as M
from flows.lists import DEFAULT_WHERE, DEFAULT_WHO, FEEDBACK, GRADES
from tests.conftest import LEAD, MANAGER, MEMBER, POLL_GAP, Chat
from tests.helpers import all_rows, cy

REFERENCE = re.compile(r"NM-[0-9A-Z]{4}-[0-9A-Z]{4}")


def label(options, code: str) -> str:
    return next(o.label for o in options if o.code == code)


@pytest.fixture
def settings(database_url, telegram_api) -> Settings:
    return Settings(
        database=DatabaseSettings(url=database_url),
        drafts=DraftSettings(expire_after_hours=24),
        telegram=TelegramSettings(token=telegram_api.token, base_url=telegram_api.base_url, poll_gap_seconds=POLL_GAP),
        digest={"cron": "0 9 * * mon"},
        teams=(
            TeamSettings(
                id="gogledd",
                name="Tîm y Gogledd",
                languages=("cy", "en"),
                members={"telegram": [MEMBER]},
                managers={"telegram": [MANAGER]},
                leads={"telegram": [LEAD]},
            ),
            TeamSettings(id="south", name="South locality", members={"telegram": [2002, 2003]}),
        ),
    )


async def test_a_welsh_team_reports_triages_and_hears_back_in_welsh(
    telegram_api, bot, chat, database, outbox, settings, keys, clock
):
    started = await chat.say("/report")
    assert started[0]["text"] == cy(M.INTRO) != M.INTRO
    await chat.tap(cy(M.WHEN_YESTERDAY))
    await chat.tap(cy(label(DEFAULT_WHERE, "home_visit")))
    await chat.tap(cy(label(DEFAULT_WHO, "child")))
    await chat.tap(cy(M.BUTTON_DONE))
    masked = await chat.say("Roedd Mam wedi ffonio ar 07700 900123 ond doedd neb wedi dweud wrth yr heddlu.")
    assert masked[0]["text"].startswith(cy(M.MASKED).split("{")[0])
    await chat.say("Ffoniais y rheolwr dyletswydd a'r heddlu.")
    await chat.tap(cy(label(GRADES, "left_at_risk")))
    await chat.tap(cy(M.BUTTON_SKIP))
    await chat.tap(cy(M.BUTTON_SKIP))
    summary = await chat.tap(cy(label(FEEDBACK, "yes")))
    assert summary[-1]["text"].startswith(cy(M.ASK_CHECK))
    sent = await chat.tap(cy(M.BUTTON_SUBMIT))
    acknowledgement = sent[-1]["text"]
    reference = REFERENCE.search(acknowledgement).group()
    assert acknowledgement == "\n".join([cy(M.SUBMITTED).format(reference=reference), cy(M.SUBMITTED_FEEDBACK)])

    assert await outbox.drain() == 1  # the lead's alert: graded "child left at risk"
    alert = telegram_api.sent_to(LEAD)[-1]["text"]
    assert alert.startswith(cy(M.ALERT).split("{")[0]) and reference in alert and f"/open {reference}" in alert
    assert cy(M.ALERT_GRADED) in alert

    manager = Chat(telegram_api, bot[1], MANAGER)
    listed = await manager.say("/reports")
    assert listed[-1]["text"] == cy(M.OPEN_REPORTS)
    card = (await manager.tap(reference))[-1]
    assert cy(label(DEFAULT_WHERE, "home_visit")) in card["text"]
    await manager.tap(cy(M.BUTTON_ACTION), card)
    await manager.tap(cy(M.BUTTON_NEW_ACTION))
    await manager.say("Rhestr wirio trosglwyddo newydd i bob gweithiwr")
    await manager.say("Rheolwr tîm")
    recorded = await manager.say("31/12/2026")
    assert "AC-" in recorded[-1]["text"] and recorded[-1]["text"].startswith(cy(M.ACTION_RECORDED).split("{")[0])
    assert "Rhag 2026" in recorded[-1]["text"]  # the due date, in Welsh

    assert await outbox.drain() == 1  # the reporter's feedback: a change agreed
    feedback = telegram_api.sent_to(MEMBER)[-1]["text"]
    assert feedback.startswith(cy(M.FEEDBACK_AGREED).split("{")[0]) and reference in feedback

    clock.now = clock.now.replace(day=30, hour=9, minute=30)  # Monday 30 November, after 09:00
    assert await Digests(database=database, keys=keys, settings=settings, clock=clock).run("gogledd")
    assert await outbox.drain() == 3  # the digest and its two charts
    digest = [
        m
        for m in telegram_api.sent_to(MANAGER)
        if "text" in m and m["text"].startswith(cy(M.DIGEST_TITLE).split("{")[0])
    ]
    assert digest, "the manager's digest is in Welsh"
    trend, matrix = telegram_api.sent_to(MANAGER)[-2:]
    assert "Tîm y Gogledd: adroddiadau newydd" in trend["text"]
    assert "brysbennu" in matrix["text"]  # each chart's words in Welsh too


async def test_anyone_chooses_their_language_with_one_tap_and_it_is_kept_pseudonymously(telegram_api, bot, database):
    reporter = Chat(telegram_api, bot[1], 2002)  # in the English-speaking team
    first = await reporter.say("/start")
    assert first[0]["text"] == M.HELP
    chosen = await reporter.tap("Cymraeg")
    assert chosen[-1]["text"] == cy(M.HELP)
    assert (await reporter.say("/report"))[0]["text"] == cy(M.INTRO)

    rows = (await all_rows(database))["language_choices"]
    assert [row["language"] for row in rows] == ["cy"] and "2002" not in repr(rows)

    await reporter.say("/language en")
    assert (await reporter.say("/help"))[0]["text"] == M.HELP

    again = Chat(telegram_api, bot[1], 2003)
    await again.say("/start")
    kept = await again.tap("English")
    assert [m["text"] for m in kept] == [M.LANGUAGE_KEPT], "the help just read is not sent again"
