"""The Teams adapter through Microsoft's Teams SDK over HTTP: activities signed by a local Bot
Framework token issuer in, Bot Connector calls out to a local fake, on SQLite and PostgreSQL."""

import bisect
import io
import json
import logging
import re
import time
import zipfile
from datetime import UTC, datetime

import pytest
from microsoft_teams.common import Client
from PIL import Image

from bot.adapters.teams import CONVERSATION_RATE, Pace, TeamsAdapter
from bot.adapters.teams_package import package
from bot.app.cli import _configure_logging, main
from bot.app.config import ConfigProblem, DatabaseSettings, MsTeamsSettings, Settings, TeamSettings
from bot.app.services import vocabularies
from bot.services.front import Front
from bot.services.managing import Managing
from bot.services.outbox_sender import OutboxSender
from bot.services.reporting import Reporting
from bot.services.scheduled_posts import LEARNING, Digests
from flows import messages as M
from flows.chat import Message
from flows.commands import LANGUAGE_QUESTION
from tests.fakes.proxy import ConnectProxy, self_signed
from tests.fakes.teams import (
    APP_ID,
    APP_PASSWORD,
    MESSAGE_LIMIT,
    OTHER_TENANT,
    TENANT,
    FakeTeams,
    Sent,
    TeamsClient,
    User,
)
from tests.helpers import TYPICAL_WHAT, all_rows, answer_typical_report, cy, stored_text
from tests.test_cli import write_config
from tests.test_operations import Running
from tests.test_startup import one_line, started

MEMBER = User("7d5e1c2a-0b9f-4e31-a6d4-51c0ffee0001")
STRANGER = User("7d5e1c2a-0b9f-4e31-a6d4-51c0ffee0002")
MANAGER = User("7d5e1c2a-0b9f-4e31-a6d4-51c0ffee0003")
LEAD = User("7d5e1c2a-0b9f-4e31-a6d4-51c0ffee0004")
GUEST = User("7d5e1c2a-0b9f-4e31-a6d4-51c0ffee0005", tenant=OTHER_TENANT)
INVITE = "JOIN-NORTH-7Q"
CHANNEL = "19:north-general@thread.tacv2"
CHANGE = "Handover calls now include the family's new worker."
# The one-card form's inputs as Teams sends them: codes, several choices joined by commas.
GOOD_FORM = {
    "when": "2026-11-20",
    "where": "case_transfer",
    "who": "social_worker,child",
    "what": "Case moved teams; the new worker's number 07700 900123 was never given.",
    "action": "Duty manager visited the family.",
    "outcome": "left_at_risk",
    "factors": "handover",
    "stopped": "",
    "feedback": "yes",
}


@pytest.fixture
def fake_teams():
    teams = FakeTeams()
    teams.start()
    yield teams
    teams.stop()


def teams_settings(fake: FakeTeams, **overrides) -> MsTeamsSettings:
    return MsTeamsSettings(
        app_id=APP_ID,
        app_password=APP_PASSWORD,
        tenant_id=TENANT,
        port=0,
        service_url=fake.service_url,
        login_url=fake.login_url,
        openid_metadata_url=fake.openid_metadata_url,
        **overrides,
    )


@pytest.fixture
def settings(database_url, fake_teams) -> Settings:
    return Settings(
        database=DatabaseSettings(url=database_url),
        msteams=teams_settings(fake_teams),
        teams=(
            TeamSettings(
                id="north",
                name="North locality",
                invite_code=INVITE,
                members={"msteams": [MEMBER.aad]},
                managers={"msteams": [MANAGER.aad]},
                leads={"msteams": [LEAD.aad]},
            ),
        ),
    )


def front(settings, database, keys, clock) -> Front:
    words = vocabularies(settings)
    return Front(
        Reporting(database=database, keys=keys, settings=settings, vocabularies=words, clock=clock),
        Managing(database=database, keys=keys, settings=settings, vocabularies=words, clock=clock),
    )


@pytest.fixture
async def adapter(settings, database, keys, clock):
    adapter = TeamsAdapter(settings.msteams, front(settings, database, keys, clock))
    await adapter.start()
    yield adapter
    await adapter.stop()


@pytest.fixture
def outbox(adapter, database, keys, clock) -> OutboxSender:
    outbox = OutboxSender(database=database, keys=keys, clock=clock, per_second=1000)
    outbox.adapters = {"msteams": adapter}
    return outbox


@pytest.fixture
def client(adapter, fake_teams) -> TeamsClient:
    return TeamsClient(fake_teams, f"http://127.0.0.1:{adapter.port}/api/messages", adapter.replies_sent)


class Chat:
    """One person's chat with the bot, as tests/helpers' steps drive it: say, and tap a label."""

    def __init__(self, client: TeamsClient, adapter: TeamsAdapter, user: User) -> None:
        self.client, self.adapter, self.user = client, adapter, user

    async def say(self, text: str) -> None:
        assert await self.client.say(self.user, text) == 200

    async def tap(self, label: str) -> tuple[int, object]:
        card = next(s for s in reversed(self.client.teams.chat(self.user)) if any(label in t for t in s.buttons))
        answered = await self.client.tap(self.user, card, label)
        await self.adapter.replies_sent()
        return answered

    def last(self) -> Sent:
        return self.client.last(self.user)


async def test_a_report_step_by_step_keeps_one_live_question(client, adapter, database, fake_teams):
    chat = Chat(client, adapter, MEMBER)
    await chat.say("report")
    first = chat.last()
    assert "When did it happen?" in first.text
    for label in ("Yesterday", "Home visit", "Child or young person", "Police", "Done"):
        status, answer = await chat.tap(label)
        assert status == 200 and answer["type"] == "application/vnd.microsoft.card.adaptive"
    intro, question = fake_teams.chat(MEMBER)  # each tapped card was replaced in place by the next
    assert not intro.buttons and "What happened?" in question.text
    await chat.say(TYPICAL_WHAT)
    await chat.say("Rang the duty manager and the police.")
    for label in ("Stopped before it happened", "Workload", "Done", "Skip", "Don't contact me", "Submit"):
        await chat.tap(label)
    reference = await client.said(MEMBER, "NM-")
    assert reference
    rows = await all_rows(database)
    assert len(rows["reports"]) == 1
    stored = await stored_text(database)
    assert MEMBER.aad not in stored and TENANT not in stored and MEMBER.conversation not in stored
    assert "07700 900123" not in stored


async def test_a_tap_naming_a_card_in_someone_elses_chat_never_shows_that_card(client, adapter, fake_teams):
    chat = Chat(client, adapter, MEMBER)
    await chat.say("report")
    for label in ("Yesterday", "Home visit", "Police", "Done"):
        await chat.tap(label)
    await chat.say("The kettle note was left on the file for a week.")
    question = chat.last()  # the member's live question, which the kettle answer is now above
    seen = len(fake_teams.chat(MANAGER))

    # The manager's client names the member's card (Teams' ids are not known to be unique
    # across chats): the answer is the manager's own, never the member's card or answers.
    status, answer = await client.tap(MANAGER, question, "Back")
    await adapter.replies_sent()
    assert status == 200
    shown = json.dumps(answer) + " ".join(s.text for s in fake_teams.chat(MANAGER)[seen:])
    assert "kettle" not in shown and "straight away" not in shown


async def test_only_the_question_waiting_keeps_its_buttons_however_it_was_answered(client, adapter, fake_teams):
    def live() -> list[str]:
        return [sent.text for sent in fake_teams.chat(MEMBER) if sent.buttons]

    chat = Chat(client, adapter, MEMBER)
    await chat.say("report")
    assert len(live()) == 1 and "When did it happen?" in live()[0]
    for typed in ("yesterday", "home visit", "police, health", TYPICAL_WHAT, "Rang the duty manager.", "stopped"):
        await chat.say(typed)
        await adapter.replies_sent()
        assert len(live()) == 1, live()
    await chat.say("cancel")
    await adapter.replies_sent()
    assert live() == ["Cancel this report? Nothing will be kept."]
    for typed in ("no", "skip", "skip", "no"):
        await chat.say(typed)
        await adapter.replies_sent()
        assert len(live()) == 1, live()
    assert live()[0].startswith("Check your report, then Submit:")
    await chat.say("submit")
    await client.said(MEMBER, "Sent. Your reference is NM-")
    await adapter.replies_sent()
    assert live() == []


async def submit_form(client: TeamsClient, adapter: TeamsAdapter, user: User, values: dict) -> tuple[int, dict]:
    """Fills in the form card and submits it, and the check of what was masked if one follows."""
    seen = len(client.teams.chat(user))
    assert await client.say(user, "form") == 200
    card = client.teams.chat(user)[seen]
    assert card.card["body"][1]["type"] == "Input.Date"
    answered = await client.submit(user, card, values)
    if "nm-review" in json.dumps(answered[1]):
        answered = await client.submit(user, client.teams.chat(user)[seen], {}, verb="nm-review")
    await adapter.replies_sent()
    return answered


async def test_what_was_masked_is_checked_before_anything_is_stored(client, adapter, database, fake_teams):
    seen = len(fake_teams.chat(MEMBER))
    await client.say(MEMBER, "form")
    status, answer = await client.submit(MEMBER, fake_teams.chat(MEMBER)[seen], GOOD_FORM)
    check = fake_teams.chat(MEMBER)[seen]
    assert status == 200 and "I hid a phone number" in check.text
    [kept] = [e for e in check.card["body"] if e.get("id") == "what"]
    assert "[phone]" in kept["value"] and "07700 900123" not in json.dumps(answer)
    assert (await all_rows(database))["reports"] == []

    await client.submit(MEMBER, check, {}, verb="nm-back")  # back to the form, its text as kept
    form = fake_teams.chat(MEMBER)[seen]
    inputs = {e["id"]: e.get("value") for e in form.card["body"] if e.get("id")}
    assert inputs["what"] == kept["value"] and inputs["who"] == "social_worker,child"
    assert "07700 900123" not in json.dumps(form.card)
    await client.submit(MEMBER, form, {"what": GOOD_FORM["what"]})
    check = fake_teams.chat(MEMBER)[seen]
    await client.submit(MEMBER, check, {"what": "Case moved teams; the number was never given."}, verb="nm-review")
    await adapter.replies_sent()
    [report] = (await all_rows(database))["reports"]
    assert report["what"] == "Case moved teams; the number was never given." and report["setting"] == "case_transfer"
    assert "Sent. Your reference" in fake_teams.chat(MEMBER)[seen].text


async def test_the_whole_report_on_one_card(client, adapter, database):
    status, answer = await submit_form(client, adapter, MEMBER, GOOD_FORM)
    assert status == 200 and "Sent. Your reference" in " ".join(b.get("text", "") for b in answer["value"]["body"])
    sent = await client.said(MEMBER, "Sent. Your reference")
    assert re.search(r"NM-\w{4}-\w{4}", sent.text)
    rows = await all_rows(database)
    [report] = rows["reports"]
    assert (
        report["setting"] == "case_transfer"
        and report["platform"] == "msteams"
        and "07700 900123" not in await stored_text(database)
    )


async def test_problems_show_against_their_field_and_nothing_typed_is_lost(client, adapter, database):
    typed = GOOD_FORM | {"when": "2031-01-01", "what": ""}
    status, answer = await submit_form(client, adapter, MEMBER, typed)
    assert status == 200
    body = answer["value"]["body"]
    inputs = {b["id"]: b for b in body if b.get("id")}
    assert inputs["action"]["value"] == GOOD_FORM["action"] and inputs["who"]["value"] == "social_worker,child"
    assert inputs["when"]["value"] == "2031-01-01"
    when_at = body.index(inputs["when"])
    assert body[when_at + 1]["type"] == "TextBlock" and body[when_at + 1]["color"] == "Attention"
    assert (await all_rows(database))["reports"] == []


async def test_a_stranger_is_refused_politely_and_joins_with_the_invite_code(client, adapter, database):
    await client.say(STRANGER, "report")
    assert "ask your manager for an invite code" in client.last(STRANGER).text
    await client.say(STRANGER, "form")
    assert "ask your manager for an invite code" in client.last(STRANGER).text
    await client.say(STRANGER, f"join {INVITE}")
    assert "Welcome to North locality" in client.last(STRANGER).text
    await client.say(STRANGER, "report")
    assert "When did it happen?" in client.last(STRANGER).text
    assert STRANGER.aad not in await stored_text(database)


async def test_status_with_and_without_a_code(client, adapter):
    await submit_form(client, adapter, MEMBER, GOOD_FORM)
    reference = re.search(r"NM-\w{4}-\w{4}", (await client.said(MEMBER, "Sent. Your reference")).text).group()
    await client.say(MEMBER, "status")
    assert reference in client.last(MEMBER).text
    await client.say(MEMBER, f"status {reference}")
    assert "submitted" in client.last(MEMBER).text
    # A longer message that starts with a command's word is an answer, not a command.
    await client.say(MEMBER, "report")
    await client.tap(MEMBER, client.last(MEMBER), "Today")
    await client.tap(MEMBER, client.last(MEMBER), "Home visit")
    await client.tap(MEMBER, client.last(MEMBER), "Police")
    await client.tap(MEMBER, client.last(MEMBER), "Done")
    await client.say(MEMBER, "status of the referral was never checked")
    assert "What was done straight away?" in client.last(MEMBER).text


async def test_installing_the_bot_greets_and_offers_cymraeg_which_then_holds(client, adapter):
    assert await client.install(MEMBER) == 200
    picker = client.last(MEMBER)
    assert "Pa iaith hoffech chi?" in picker.text
    await client.tap(MEMBER, picker, "Cymraeg")
    await adapter.replies_sent()
    await client.say(MEMBER, "adrodd")
    assert client.last(MEMBER).text == cy(M.ASK_WHEN)
    await submit_form(client, adapter, MEMBER, GOOD_FORM)
    assert await client.said(MEMBER, cy(M.SUBMITTED).split("{")[0])


async def test_a_greeting_once_however_teams_says_the_bot_was_added(client, fake_teams):
    added = fake_teams.activity(
        MEMBER, "conversationUpdate", membersAdded=[{"id": f"28:{APP_ID}"}], recipient={"id": f"28:{APP_ID}"}
    )
    await client.install(MEMBER)
    await fake_teams.post(client.endpoint, added)
    assert [s.text for s in fake_teams.chat(MEMBER)].count(LANGUAGE_QUESTION) == 1


async def test_a_rich_message_is_read_as_its_text(client, fake_teams):
    await client.say(MEMBER, "<p>report</p>", textFormat="xml")
    assert client.last(MEMBER).text == "When did it happen?"
    await client.tap(MEMBER, client.last(MEMBER), "Today")
    await client.tap(MEMBER, client.last(MEMBER), "Home visit")
    await client.tap(MEMBER, client.last(MEMBER), "Police")
    await client.tap(MEMBER, client.last(MEMBER), "Done")
    await client.say(MEMBER, "<p>Dad &amp; the <b>new</b> partner</p><p>were there</p>", textFormat="xml")
    assert "What was done straight away?" in client.last(MEMBER).text


async def test_a_group_or_channel_is_pointed_to_a_private_chat(client, fake_teams):
    await client.teams.post(client.endpoint, fake_teams.activity(MEMBER, text="report", conversation_type="channel"))
    [reply] = fake_teams.to_conversation("19:general@thread.tacv2")
    assert "message me directly" in reply.text


async def test_a_guest_from_another_tenant_is_not_served(client, fake_teams, database):
    assert await client.say(GUEST, "report") == 200
    assert fake_teams.chat(GUEST) == []
    assert (await all_rows(database))["drafts"] == []


@pytest.mark.parametrize(
    "spoil",
    [
        pytest.param(dict(key="forged"), id="forged"),
        pytest.param(dict(lifetime=-3600), id="expired"),
        pytest.param(dict(audience="00000000-0000-0000-0000-000000000000"), id="wrong-audience"),
        pytest.param(dict(issuer="https://evil.example.org"), id="wrong-issuer"),
        pytest.param(dict(service_url="http://127.0.0.1:9/connector/"), id="other-service-url"),
    ],
)
async def test_requests_without_a_valid_bot_framework_token_are_refused(client, fake_teams, database, spoil):
    from tests.fakes.teams import _key

    if spoil.get("key") == "forged":
        spoil = {"key": _key()}
    activity = fake_teams.activity(MEMBER, text="report")
    status, _body = await fake_teams.post(client.endpoint, activity, token=fake_teams.token(**spoil))
    assert status == 401
    status, _body = await fake_teams.post(client.endpoint, activity, token="")
    assert status == 401
    assert fake_teams.chat(MEMBER) == [] and (await all_rows(database))["drafts"] == []


@pytest.mark.parametrize(("status", "retry_after"), [(429, 1.0), (502, None)])
async def test_a_reply_survives_a_rate_limit_or_a_server_error_and_arrives_once(
    client, adapter, fake_teams, status, retry_after
):
    fake_teams.fail("send", status, retry_after=retry_after)
    await submit_form(client, adapter, MEMBER, GOOD_FORM)
    acknowledged = [s for s in fake_teams.chat(MEMBER) if "Sent. Your reference" in s.text]
    assert len(acknowledged) == 1


async def test_a_message_delivered_twice_is_answered_once_and_the_next_one_as_usual(client, adapter, fake_teams):
    status = fake_teams.activity(MEMBER, text="status")
    for _delivery in range(2):  # Teams sends an activity again when it thinks the first went unanswered
        code, _body = await client.post(status)
        assert code in (200, 201, 202)
        await adapter.replies_sent()
    assert len(fake_teams.chat(MEMBER)) == 1
    await client.say(MEMBER, "status")
    assert len(fake_teams.chat(MEMBER)) == 2


async def test_a_card_action_is_answered_in_time_when_sending_is_slow(client, adapter, fake_teams):
    chat = Chat(client, adapter, MEMBER)
    await answer_typical_report(chat)
    fake_teams.fail("send", 429, retry_after=2)  # the reference waits; the card action must not
    summary = next(s for s in reversed(fake_teams.chat(MEMBER)) if any("Submit" in t for t in s.buttons))
    started = time.monotonic()
    status, _answer = await client.tap(MEMBER, summary, "Submit")
    assert status == 200 and time.monotonic() - started < 1.5
    await adapter.replies_sent(timeout=10)
    [acknowledged] = [s for s in fake_teams.chat(MEMBER) if "Sent. Your reference" in s.text]
    assert acknowledged.at - started >= 2


async def test_long_texts_go_in_parts_within_the_card_size_and_a_burst_within_the_rate(adapter, fake_teams):
    chat = json.dumps({"c": MEMBER.conversation, "s": fake_teams.service_url}, sort_keys=True, separators=(",", ":"))
    await adapter.send(chat, Message("x" * 15000))
    for n in range(8):
        await adapter.deliver(chat, f"note {n}")
    sent = fake_teams.chat(MEMBER)
    assert len(sent) == 3 + 8 and sum(len(s.text) for s in sent[:3]) >= 15000
    assert fake_teams.throttled == 0
    assert sent[-1].at - sent[0].at >= 1.0  # eleven messages to one chat took more than a second


def test_the_pace_keeps_every_window_of_teams_rate_over_a_minute_of_sending():
    pace = Pace(CONVERSATION_RATE)
    sent = [now + pace.take("chat", now) for now in (n / 1000 for n in range(300))]  # a burst of 300

    def most_within(seconds: float) -> int:
        return max(bisect.bisect_left(sent, began + seconds) - i for i, began in enumerate(sent))

    assert sent == sorted(sent)
    assert (most_within(1), most_within(2), most_within(30)) == (6, 7, 59)
    assert sent[2 * 59] < 65  # and no slower than the windows make it
    assert pace.take("another chat", 65) == 0


async def test_a_manager_triages_in_teams_and_the_lead_is_alerted(client, adapter, outbox, fake_teams, database):
    await submit_form(client, adapter, MEMBER, GOOD_FORM)
    reference = re.search(r"NM-\w{4}-\w{4}", (await client.said(MEMBER, "Sent. Your reference")).text).group()
    chat = Chat(client, adapter, MANAGER)
    await chat.say("reports")
    listed = client.last(MANAGER)
    assert "Open reports" in listed.text
    await chat.tap(reference)
    card = client.last(MANAGER)
    assert "Case transfer or handover" in card.text and MEMBER.aad not in card.text
    await chat.tap("Grade risk")
    await chat.tap("Severe")
    await chat.tap("Likely")
    graded = await client.said(MANAGER, f"{reference} graded: risk 16")
    assert "red" in graded.text

    assert await outbox.drain() == 2
    alerts = [s.text for s in fake_teams.chat(LEAD)]
    assert "graded by its reporter as harm" in alerts[0] and "triaged red" in alerts[1]
    assert f"open {reference}" in alerts[0]
    [created] = fake_teams.conversations.values()
    assert created["members"] == [{"id": LEAD.aad}] and created["tenantId"] == TENANT


async def test_feedback_reaches_the_reporter_after_a_restart_and_the_channel_hears(
    client, adapter, settings, database, keys, clock, fake_teams
):
    await submit_form(client, adapter, MEMBER, GOOD_FORM)
    reference = re.search(r"NM-\w{4}-\w{4}", (await client.said(MEMBER, "Sent. Your reference")).text).group()
    chat = Chat(client, adapter, MANAGER)
    await chat.say(f"open {reference}")
    await chat.tap("Action")
    await chat.tap("New action")
    for answer in (CHANGE, "Team manager", "next Friday"):
        await chat.say(answer)
    await chat.say("actions")
    await chat.tap(" done")
    assert "marked done" in client.last(MANAGER).text
    await adapter.stop()  # a restart: the reporter's address is only in the sealed contact vault

    north = settings.teams[0].model_copy(update={"channel": {"msteams": CHANNEL}})
    settings = settings.model_copy(update={"teams": (north,)})
    restarted = TeamsAdapter(settings.msteams, front(settings, database, keys, clock))
    await restarted.start()
    try:
        outbox = OutboxSender(database=database, keys=keys, clock=clock, per_second=1000)
        outbox.adapters = {"msteams": restarted}
        seen = len(fake_teams.chat(MEMBER))
        # The lead's alert (graded harm), and the reporter's feedback: agreed, then done.
        assert await outbox.drain() == 3
        feedback = await client.said(MEMBER, f"About your near-miss report {reference}", after=seen)
        assert "now in place" in fake_teams.chat(MEMBER)[-1].text
        assert CHANGE in feedback.text and MANAGER.aad not in feedback.text

        clock.now = datetime(2026, 12, 7, 10, 1, tzinfo=UTC)
        digests = Digests(database=database, keys=keys, settings=settings, clock=clock)
        assert await digests.run("north", LEARNING)
        assert await outbox.drain() == 1
        [post] = fake_teams.to_conversation(CHANNEL)
        assert post.text.startswith("You said, we did: North locality") and CHANGE in post.text

        clock.now = datetime(2026, 12, 14, 9, 30, tzinfo=UTC)
        assert await digests.run("north")
        assert await outbox.drain() == 3  # the digest, and its two charts
        assert await client.said(MANAGER, "Near-miss digest for North locality")
        charts = [s for s in fake_teams.chat(MANAGER) if any(b["type"] == "Image" for b in s.card["body"])]
        assert len(charts) == 2
        for chart in charts:
            [image] = [b for b in chart.card["body"] if b["type"] == "Image"]
            assert image["url"].startswith("data:image/png;base64,") and image["altText"]
            assert len(json.dumps(chart.activity)) < MESSAGE_LIMIT
    finally:
        await restarted.stop()


async def test_a_wrong_app_secret_stops_nearmiss_run_with_one_line_and_is_never_printed(
    tmp_path, database_url, key_env, fake_teams
):
    body = f"""
[database]
url = "{database_url}"
[msteams]
app_id = "{APP_ID}"
app_password = "not-the-secret-7Q"
tenant_id = "{TENANT}"
port = 0
service_url = "{fake_teams.service_url}"
login_url = "{fake_teams.login_url}"
openid_metadata_url = "{fake_teams.openid_metadata_url}"
[[teams]]
id = "north"
name = "North"
"""
    code, printed = await started(tmp_path, body, key_env)
    assert code == 2
    assert "Entra refused the Teams bot's credentials" in one_line(printed)
    assert "not-the-secret-7Q" not in printed and APP_PASSWORD not in printed


def test_the_app_package_is_built_for_this_bot_with_its_commands_in_english_and_welsh(tmp_path, monkeypatch):
    config = tmp_path / "nearmiss.toml"
    config.write_text(
        f"""
[msteams]
app_id = "{APP_ID}"
tenant_id = "{TENANT}"
organisation = "Example Council"
website_url = "https://www.example.gov.uk"
privacy_url = "https://www.example.gov.uk/privacy"
terms_url = "https://www.example.gov.uk/terms"

[[teams]]
id = "north"
name = "North locality"
"""
    )
    output = tmp_path / "nearmiss-teams.zip"
    monkeypatch.setenv("NEARMISS_MSTEAMS_APP_PASSWORD", APP_PASSWORD)
    assert main(["teams-package", "--config", str(config), "--output", str(output)]) == 0
    with zipfile.ZipFile(output) as archive:
        assert sorted(archive.namelist()) == ["color.png", "cy.json", "manifest.json", "outline.png"]
        manifest = json.loads(archive.read("manifest.json"))
        welsh = json.loads(archive.read("cy.json"))
        color = Image.open(io.BytesIO(archive.read("color.png")))
        outline = Image.open(io.BytesIO(archive.read("outline.png")))
    [bot] = manifest["bots"]
    assert manifest["id"] == bot["botId"] == APP_ID and manifest["manifestVersion"] == "1.17"
    commands = bot["commandLists"][0]["commands"]
    assert [c["title"] for c in commands][:3] == ["report", "form", "status"] and len(commands) <= 10
    assert all(len(c["description"]) <= 128 for c in commands)
    assert len(manifest["description"]["short"]) <= 80 and len(welsh["description.short"]) <= 80
    assert welsh["bots[0].commandLists[0].commands[0].description"] == cy(M.COMMAND_REPORT)
    assert color.size == (192, 192) and outline.size == (32, 32) and outline.mode == "RGBA"
    assert outline.getpixel((0, 0))[3] == 0  # the outline icon is white on clear, as Teams asks
    assert APP_PASSWORD not in json.dumps(manifest)


def test_the_app_package_says_what_it_lacks(tmp_path, fake_teams):
    with pytest.raises(ConfigProblem, match="organisation, website_url, privacy_url, terms_url"):
        package(teams_settings(fake_teams))


async def test_every_call_to_microsoft_goes_through_the_https_proxy(tmp_path, database_url, key_env):
    certificate, tls = self_signed(tmp_path)
    teams, proxy = FakeTeams(tls=tls), ConnectProxy()
    teams.start()
    await proxy.start()
    config = write_config(
        tmp_path / "config.toml",
        f"""
[database]
url = "{database_url}"
[msteams]
app_id = "{APP_ID}"
app_password = "{APP_PASSWORD}"
tenant_id = "{TENANT}"
port = 0
service_url = "{teams.service_url}"
login_url = "{teams.login_url}"
openid_metadata_url = "{teams.openid_metadata_url}"
[[teams]]
id = "north"
name = "North"
[teams.members]
msteams = ["{MEMBER.aad}"]
""",
    )
    proxies = {"HTTPS_PROXY": proxy.url, "https_proxy": proxy.url, "NO_PROXY": "", "no_proxy": ""}
    running = await Running.start(config, key_env | proxies | {"SSL_CERT_FILE": str(certificate)})
    try:
        port = (await running.line(r"teams bot listening on 127\.0\.0\.1:(\d+)")).group(1)
        client = TeamsClient(teams, f"http://127.0.0.1:{port}/api/messages")
        assert await client.say(MEMBER, "report") == 200, running.log[-3000:]
        assert "When did it happen?" in (await client.said(MEMBER, "When did it happen?")).text
    finally:
        await running.kill()
        await proxy.stop()
        teams.stop()
    # The signing keys, the bot's token and the reply: all through the proxy's tunnels.
    assert len(proxy.tunnels) >= 3 and set(proxy.tunnels) == {f"127.0.0.1:{teams.port}"}
    assert ("POST", "/login/" + TENANT + "/oauth2/v2.0/token") in teams.calls


async def test_a_typed_answer_leaves_no_live_buttons_and_an_edit_is_answered(client, adapter, fake_teams):
    chat = Chat(client, adapter, MEMBER)
    await chat.say("report")
    for label in ("Today", "Home visit", "Police", "Done"):
        await chat.tap(label)
    asked = client.last(MEMBER)
    assert "What happened?" in asked.text and asked.buttons
    await chat.say("Police were not told about the visit.")
    answered = next(s for s in fake_teams.chat(MEMBER) if s.id == asked.id)
    assert "What happened?" in answered.text and not answered.buttons
    assert "What was done straight away?" in client.last(MEMBER).text

    edit = fake_teams.activity(
        MEMBER,
        "messageUpdate",
        text="Police were told.",
        channelData={"tenant": {"id": TENANT}, "eventType": "editMessage"},
    )
    status, _body = await fake_teams.post(client.endpoint, edit)
    assert status == 200 and client.last(MEMBER).text == M.EDITED


async def test_a_reply_the_connector_keeps_refusing_goes_to_the_outbox_with_its_buttons(
    client, adapter, outbox, fake_teams
):
    fake_teams.fail("send", 503, times=3)  # the first try and both retries
    assert await client.say(MEMBER, "report") == 200
    assert not any("When did it happen?" in s.text for s in fake_teams.chat(MEMBER))
    assert await outbox.drain() == 2  # the report's start, and its first question
    question = await client.said(MEMBER, "When did it happen?")
    assert "Yesterday" in question.buttons
    status, _answer = await client.tap(MEMBER, question, "Yesterday")
    assert status == 200 and "Where did it happen?" in client.last(MEMBER).text


def test_the_sdk_making_its_http_client_leaves_httpx_unlogged():
    """The SDK sets httpx's log level to its own client logger's each time it makes a client
    (every activity): nearmiss's logging keeps that at WARNING, so no Connector URL is logged."""
    _configure_logging(verbose=False)
    Client()
    assert logging.getLogger("httpx").getEffectiveLevel() == logging.WARNING
