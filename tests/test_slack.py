"""The Slack adapter through the real Bolt app over HTTP: signed payloads in, Web API calls out
to a fake Slack server, on SQLite and PostgreSQL."""

import asyncio
import copy
import json
import time
from pathlib import Path

import pytest

from bot.adapters.slack import SlackAdapter
from bot.app.config import DatabaseSettings, Settings, SlackSettings, TeamSettings
from bot.app.services import vocabularies
from bot.services.front import Front
from bot.services.reporting import Reporting
from flows import messages as M
from flows.lists import DEFAULT_WHERE
from tests.fakes.forms import GOOD_FORM, MASKED_FORM, as_shown
from tests.fakes.slack import TEAM, Call, FakeSlack, FakeSlackAPI
from tests.helpers import all_rows, cy, stored_text

MEMBER = "U0MEMBER7Q"
STRANGER = "U0STRANGER"
SECRET = "8f2b1c0e-signing-secret-for-tests"


@pytest.fixture
def slack_settings(database_url, slack_api) -> Settings:
    return Settings(
        database=DatabaseSettings(url=database_url),
        slack=SlackSettings(
            bot_token="xoxb-test", signing_secret=SECRET, base_url=slack_api.base_url, mode="http", http_port=0
        ),
        teams=(
            TeamSettings(id="north", name="North locality", invite_code="JOIN-NORTH-7Q", members={"slack": [MEMBER]}),
        ),
    )


@pytest.fixture
async def slack(slack_settings, database, keys, clock, slack_api):
    reporting = Reporting(
        database=database, keys=keys, settings=slack_settings, vocabularies=vocabularies(slack_settings), clock=clock
    )
    adapter = SlackAdapter(slack_settings.slack, Front(reporting))
    await adapter.start()
    yield FakeSlack(f"http://127.0.0.1:{adapter.http_port}/slack/events", SECRET, slack_api)
    await adapter.stop()


async def said(api: FakeSlackAPI, user: str, text: str, seen: int = 0, timeout: float = 10) -> dict:
    """Returns the first DM to `user`, after the first `seen`, that starts with `text`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for message in api.dm(user)[seen:]:
            if message["text"].startswith(text):
                return message
        await asyncio.sleep(0.02)
    raise AssertionError(f"the app never said {text!r}; it said {[m['text'] for m in api.dm(user)]}")


async def buttons_gone(api: FakeSlackAPI, ts: str, timeout: float = 10) -> None:
    """Waits until a message is shown without its buttons (updated after the next was posted)."""
    deadline = time.monotonic() + timeout
    while any(block["type"] == "actions" for block in api.messages[ts]["blocks"]):
        if time.monotonic() > deadline:
            raise AssertionError("the message kept its buttons: two live questions")
        await asyncio.sleep(0.02)


async def toggled(api: FakeSlackAPI, user: str, label: str, timeout: float = 10) -> None:
    """Waits until a DM shows a choice as ticked (its message updated in place)."""
    deadline = time.monotonic() + timeout
    while f"✓ {label}" not in json.dumps(api.dm(user), ensure_ascii=False):
        if time.monotonic() > deadline:
            raise AssertionError(f"{label!r} was never shown ticked")
        await asyncio.sleep(0.02)


def typed(text: str, ts: str, user: str = MEMBER) -> dict:
    """Returns a message typed in the app's direct messages, as Slack's event carries it."""
    return {"type": "message", "channel_type": "im", "channel": "D0DM", "user": user, "text": text, "ts": ts}


async def open_modal(slack: FakeSlack, user: str = MEMBER) -> dict:
    status, _body = await slack.command(user)
    assert status == 200
    await slack.api.wait_for("views.open")
    return slack.api.views[-1]


async def test_the_slash_command_opens_the_whole_flow_on_one_screen(slack):
    view = await open_modal(slack)

    assert view["callback_id"] == "nearmiss-report"
    assert [b["block_id"] for b in view["blocks"] if b["type"] == "input"] == [
        "when",
        "where",
        "who",
        "what",
        "action",
        "outcome",
        "factors",
        "stopped",
        "feedback",
    ]
    assert "call 999" in view["blocks"][0]["elements"][0]["text"]
    optional = {b["block_id"] for b in view["blocks"] if b.get("optional")}
    assert optional == {"factors", "stopped"}


@pytest.mark.parametrize("failure", [500, 429])
async def test_a_reference_is_not_lost_to_a_server_error_or_a_rate_limit(slack, failure):
    view = await open_modal(slack)
    slack.api.fail("chat.postMessage", failure, times=2 if failure == 500 else 1)
    status, _body = await slack.interact(slack.submission(MEMBER, view, GOOD_FORM))

    assert status == 200
    await said(slack.api, MEMBER, "Sent. Your reference is NM-")


async def test_the_shortcut_opens_the_same_form(slack):
    status, _body = await slack.interact(slack.shortcut(MEMBER))

    assert status == 200
    [call] = await slack.api.wait_for("views.open")
    assert call.params["view"]["callback_id"] == "nearmiss-report"


async def test_a_submitted_form_is_stored_pseudonymously_and_summarised(slack, database, keys):
    view = await open_modal(slack)
    status, body = await slack.interact(slack.submission(MEMBER, view, GOOD_FORM))

    assert status == 200 and not body  # an empty acknowledgement closes the modal
    ack = await said(slack.api, MEMBER, "Sent.")
    await asyncio.sleep(0.1)
    assert [m["text"] for m in slack.api.dm(MEMBER)] == [ack["text"]], "one direct message"
    assert ack["text"].startswith("Sent. Your reference is NM-")
    assert ack["text"].endswith("Fri 20 Nov · Case transfer or handover · Harm: child left at risk")
    assert len(ack["text"].split()) <= 40
    rows = await all_rows(database)
    [report], [contact] = rows["reports"], rows["contacts"]
    assert report["reference"] in ack["text"]
    assert report["reporter"] == keys.pseudonym(platform="slack", workspace=TEAM, user_id=MEMBER).value
    assert report["involved"] == ["child", "social_worker"] and report["grade"] == "left_at_risk"
    assert json.loads(keys.open(contact["key_id"], contact["ciphertext"]))["chat"] == MEMBER
    everything = await stored_text(database)
    assert MEMBER not in everything


async def test_masked_text_is_shown_in_the_form_before_anything_is_stored(slack, database):
    view = await open_modal(slack)
    status, body = await slack.interact(slack.submission(MEMBER, view, MASKED_FORM))

    pushed = json.loads(body)
    assert status == 200 and pushed["response_action"] == "push", "the form's Back returns to it as it was"
    review = pushed["view"]
    assert review["close"]["text"] == "Back" and review["submit"]["text"] == "Submit"
    assert review["blocks"][0]["text"]["text"].startswith("To protect identities I hid a phone number.")
    kept = as_shown(review)
    assert kept["what"]["value"] == "Case moved teams; the new worker's number [phone] was never given."
    assert all(rows == [] for rows in (await all_rows(database)).values()), "nothing stored yet"

    kept["what"]["value"] = "Case moved teams; the new worker's number was never passed on."
    status, body = await slack.interact(slack.submission(MEMBER, {**review, "id": "V0REVIEW"}, kept))
    assert status == 200 and json.loads(body) == {"response_action": "clear"}
    await said(slack.api, MEMBER, "Sent. Your reference is NM-")
    [report] = (await all_rows(database))["reports"]
    assert report["what"] == "Case moved teams; the new worker's number was never passed on."
    assert (report["setting"], report["involved"]) == ("case_transfer", ["child", "social_worker"])
    assert "900123" not in await stored_text(database)


async def test_the_form_speaks_as_a_form(slack):
    view = await open_modal(slack)

    inputs = {b["block_id"]: b for b in view["blocks"] if b["type"] == "input"}
    labels = [b["label"]["text"] for b in inputs.values()]
    assert not any("Tap" in label or "Skip" in label or "(optional)" in label for label in labels)
    assert inputs["what"]["element"]["placeholder"]["text"].startswith("e.g. ")
    assert inputs["stopped"]["element"]["placeholder"]["text"].startswith("e.g. ")
    options = [o["text"]["text"] for b in inputs.values() for o in b["element"].get("options", [])]
    assert options and all(len(text) <= 28 for text in options), "a tick and the label fit Slack's 30"


async def test_field_errors_come_back_to_the_modal_and_nothing_is_stored(slack, database):
    view = await open_modal(slack)
    bad = GOOD_FORM | {
        "when": {"type": "datepicker", "selected_date": "2099-01-01"},
        "what": {"type": "plain_text_input", "value": " "},
    }
    status, body = await slack.interact(slack.submission(MEMBER, view, bad))

    assert status == 200
    assert json.loads(body) == {
        "response_action": "errors",
        "errors": {
            "when": "That date is in the future. When did it happen?",
            "what": "Please type a few words.",
        },
    }
    assert (await all_rows(database))["reports"] == []
    status, body = await slack.interact(slack.submission(MEMBER, view, GOOD_FORM))
    assert status == 200 and not body, "the corrected form, same view, is accepted"


async def test_a_replayed_submission_stores_one_report(slack, database):
    view = await open_modal(slack)
    body = slack.interaction_body(slack.submission(MEMBER, view, GOOD_FORM))
    headers = slack.sign(body)
    for _attempt in range(2):
        status, _text = await slack.post(body, "application/x-www-form-urlencoded", headers)
        assert status == 200
    await said(slack.api, MEMBER, "Sent. Your reference is NM-")
    await asyncio.sleep(0.2)

    assert len((await all_rows(database))["reports"]) == 1


async def test_forged_or_stale_signatures_are_refused_and_store_nothing(slack, database):
    view = {"id": "V0FORGED", "callback_id": "nearmiss-report"}
    body = slack.interaction_body(slack.submission(MEMBER, view, GOOD_FORM))
    forged = slack.sign(body) | {"X-Slack-Signature": "v0=" + "0" * 64}
    stale = slack.sign(body, timestamp=int(time.time()) - 6 * 60)
    at_start = list(slack.api.calls)  # the token's check

    for headers in (forged, stale, {}):
        status, _text = await slack.post(body, "application/x-www-form-urlencoded", headers)
        assert status == 401
    assert all(rows == [] for rows in (await all_rows(database)).values())
    assert slack.api.calls == at_start == [Call("auth.test", {})]


async def test_a_stranger_gets_a_polite_refusal_and_no_form(slack, database):
    status, _body = await slack.command(STRANGER)

    assert status == 200
    [message] = await slack.api.wait_for("chat.postMessage")
    assert message.params["text"].startswith("Sorry, this bot is only for teams that use nearmiss.")
    assert not [c for c in slack.api.calls if c.method == "views.open"]
    assert all(rows == [] for rows in (await all_rows(database)).values())


async def test_an_invite_code_lets_a_colleague_join(slack, database):
    status, body = await slack.command(STRANGER, "join JOIN-NORTH-7Q")
    assert (status, body) == (200, "Welcome to North locality. Send /nearmiss to report a near miss.")

    await open_modal(slack, STRANGER)
    [membership] = (await all_rows(database))["memberships"]
    assert STRANGER not in membership["reporter"]


async def test_the_step_by_step_flow_in_a_direct_message(slack, database):
    api = slack.api
    await slack.command(MEMBER, "steps")
    when = await said(api, MEMBER, "When did it happen?")
    shown = len(api.dm(MEMBER))
    await slack.interact(slack.tap(MEMBER, when, "Yesterday"))
    where = await said(api, MEMBER, "Where did it happen?")
    assert where["ts"] == when["ts"] and len(api.dm(MEMBER)) == shown, "the next question replaces the tapped one"
    await slack.interact(slack.tap(MEMBER, where, "School or education"))
    who = await said(api, MEMBER, "Who was involved?")
    await slack.interact(slack.tap(MEMBER, who, "Education"))
    await api.wait_for("chat.update", 3)
    toggled = api.messages[who["ts"]]
    assert any(e["text"]["text"] == "✓ Education" for e in toggled["blocks"][1]["elements"])
    await slack.interact(slack.tap(MEMBER, toggled, "Done ✔"))
    await said(api, MEMBER, "What happened?")
    seen = len(api.dm(MEMBER))
    await slack.event(typed("School raised a concern by email that sat unread for a week.", "1.1"))
    await said(api, MEMBER, "What was done straight away?", seen)
    seen = len(api.dm(MEMBER))
    await slack.event(typed("Visited the same day.", "1.2"))
    outcome = await said(api, MEMBER, "What was the outcome?", seen)
    await slack.interact(slack.tap(MEMBER, outcome, "Happened, no harm caused"))
    factors = await said(api, MEMBER, "What contributed?")
    await slack.interact(slack.tap(MEMBER, factors, "Skip"))
    stopped = await said(api, MEMBER, "What stopped it getting worse?")
    await slack.interact(slack.tap(MEMBER, stopped, "Skip"))
    feedback = await said(api, MEMBER, "Shall I tell you")
    await slack.interact(slack.tap(MEMBER, feedback, "Don't contact me"))
    summary = await said(api, MEMBER, "Check your report, then Submit")
    await slack.interact(slack.tap(MEMBER, summary, "Submit"))
    await said(api, MEMBER, "Sent. Your reference is NM-")
    card = api.messages[summary["ts"]]
    assert card["text"].startswith("Check your report, then Submit") and len(card["blocks"]) == 1, (
        "the card stays, its buttons gone, with the reference below"
    )

    [report] = (await all_rows(database))["reports"]
    assert (report["setting"], report["involved"], report["grade"]) == ("education", ["education"], "no_harm")
    assert (await all_rows(database))["contacts"] == []


async def test_a_retried_event_is_applied_once(slack, database):
    await slack.command(MEMBER, "steps")
    when = await said(slack.api, MEMBER, "When did it happen?")
    await slack.interact(slack.tap(MEMBER, when, "Today"))
    await slack.interact(slack.tap(MEMBER, await said(slack.api, MEMBER, "Where did it happen?"), "Assessment"))
    who = await said(slack.api, MEMBER, "Who was involved?")
    await slack.interact(slack.tap(MEMBER, who, "Child or young person"))
    await toggled(slack.api, MEMBER, "Child or young person")  # a person taps Done once it shows
    await slack.interact(slack.tap(MEMBER, who, "Done ✔"))
    await said(slack.api, MEMBER, "What happened?")
    seen = len(slack.api.dm(MEMBER))
    typed = {
        "type": "message",
        "channel_type": "im",
        "channel": "D0DM",
        "user": MEMBER,
        "text": "Assessment closed before the health visitor replied.",
        "ts": "2.1",
    }
    await slack.event(typed, event_id="Ev0RETRY")
    await said(slack.api, MEMBER, "What was done straight away?", seen)
    await slack.event(typed, event_id="Ev0RETRY", retry=1)
    await asyncio.sleep(0.3)

    [draft] = (await all_rows(database))["drafts"]
    assert draft["state"]["step"] == "action", "the retry was not taken as the next answer"
    assert "action" not in draft["state"]["answers"]


async def test_app_home_lists_only_the_reporters_own_reports(slack, database):
    view = await open_modal(slack)
    await slack.interact(slack.submission(MEMBER, view, GOOD_FORM))
    ack = await said(slack.api, MEMBER, "Sent. Your reference is NM-")
    reference = ack["text"].split()[4].rstrip(".")

    await slack.event({"type": "app_home_opened", "user": MEMBER, "tab": "home", "channel": "D0DM"})
    [published] = await slack.api.wait_for("views.publish")
    home = json.dumps(published.params["view"])
    assert reference in home and "submitted" in home
    await slack.event({"type": "app_home_opened", "user": STRANGER, "tab": "home", "channel": "D0DM2"})
    published = await slack.api.wait_for("views.publish", 2)
    assert reference not in json.dumps(published[1].params["view"])
    assert "Sorry, this bot is only for teams" in json.dumps(published[1].params["view"])


async def test_files_in_a_direct_message_are_declined_and_the_draft_kept(slack, database):
    await slack.command(MEMBER, "steps")
    await said(slack.api, MEMBER, "When did it happen?")
    seen = len(slack.api.dm(MEMBER))
    await slack.event(
        {
            "type": "message",
            "subtype": "file_share",
            "channel_type": "im",
            "channel": "D0DM",
            "user": MEMBER,
            "text": "",
            "files": [{"id": "F1", "name": "referral.pdf"}],
            "ts": "3.1",
        }
    )

    await said(slack.api, MEMBER, "I can only take typed text", seen)
    await said(slack.api, MEMBER, "When did it happen?", seen + 1)
    assert len((await all_rows(database))["drafts"]) == 1


async def test_socket_mode_needs_no_public_address(slack_settings, database, keys, clock, slack_api):
    settings = SlackSettings.model_validate(
        slack_settings.slack.model_dump() | {"mode": "socket", "app_token": "xapp-test"}
    )
    reporting = Reporting(
        database=database, keys=keys, settings=slack_settings, vocabularies=vocabularies(slack_settings), clock=clock
    )
    adapter = SlackAdapter(settings, Front(reporting))
    await adapter.start()
    try:
        ack = await slack_api.envelope(
            "slash_commands",
            {
                "team_id": TEAM,
                "user_id": MEMBER,
                "command": "/nearmiss",
                "text": "",
                "trigger_id": "1.2",
                "channel_id": "C0GENERAL",
                "api_app_id": "A0APP",
            },
        )
        assert ack["envelope_id"] == "env-1"
        [opened] = await slack_api.wait_for("views.open")
        assert opened.params["trigger_id"] == "1.2"
        view = slack_api.views[-1]
        ack = await slack_api.envelope(
            "interactive",
            {
                "type": "view_submission",
                "team": {"id": TEAM},
                "user": {"id": MEMBER, "team_id": TEAM},
                "view": {**view, "state": {"values": {k: {"value": v} for k, v in GOOD_FORM.items()}}},
            },
        )
        assert not (ack.get("payload") or {}).get("errors")
        await said(slack_api, MEMBER, "Sent. Your reference is NM-")
    finally:
        await adapter.stop()
    assert len((await all_rows(database))["reports"]) == 1


async def test_typed_text_cannot_mention_the_channel_or_fake_a_link(slack):
    view = await open_modal(slack)
    sneaky = GOOD_FORM | {
        "what": {"type": "plain_text_input", "value": "<!channel> see <https://evil.invalid|the policy> & *this*"}
    }
    _status, body = await slack.interact(slack.submission(MEMBER, view, sneaky))
    review = json.loads(body)["view"]
    assert all(b["text"]["type"] == "plain_text" for b in review["blocks"] if b["type"] == "section")
    await slack.interact(slack.submission(MEMBER, {**review, "id": "V0REVIEW"}, as_shown(review)))
    await said(slack.api, MEMBER, "Sent. Your reference is NM-")

    posts = [c.params for c in slack.api.calls if c.method == "chat.postMessage"]
    assert not any("<!channel>" in p["text"] for p in posts)
    assert all(
        block["text"]["type"] == "plain_text" for p in posts for block in p["blocks"] if block["type"] == "section"
    )


async def test_an_older_copy_of_a_question_tapped_in_the_dm_gets_the_next_question_below(slack):
    api = slack.api
    await slack.command(MEMBER, "steps")
    when = await said(api, MEMBER, "When did it happen?")
    await slack.interact(slack.tap(MEMBER, when, "Yesterday"))
    older = copy.deepcopy(await said(api, MEMBER, "Where did it happen?"))  # as the phone still shows it
    shown = len(api.dm(MEMBER))
    await slack.command(MEMBER, "steps")  # carries on: the same question again, lower down
    await said(api, MEMBER, "Where did it happen?", shown)
    await buttons_gone(api, older["ts"])  # one live question

    await slack.interact(slack.tap(MEMBER, older, "Home visit"))  # tapped before its buttons went

    who = await said(api, MEMBER, "Who was involved?")
    assert who["ts"] == api.dm(MEMBER)[-1]["ts"] != older["ts"]
    assert len(api.messages[older["ts"]]["blocks"]) == 1, "the older copy keeps its words, not its buttons"


async def test_the_app_home_offers_cymraeg_and_then_the_form_and_replies_are_in_welsh(slack, database):
    await slack.event({"type": "app_home_opened", "user": MEMBER, "tab": "home", "channel": "D0DM"})
    [home] = await slack.api.wait_for("views.publish")
    [cymraeg] = [
        e
        for b in home.params["view"]["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["text"]["text"] == "Cymraeg"
    ]
    status, _body = await slack.interact(
        {
            "type": "block_actions",
            "team": {"id": TEAM},
            "user": {"id": MEMBER, "team_id": TEAM},
            "trigger_id": "9.9",
            "api_app_id": "A0APP",
            "container": {"type": "view", "view_id": "V0HOME"},
            "actions": [{**cymraeg, "block_id": "b", "action_ts": "1.0"}],
        }
    )
    assert status == 200
    republished = (await slack.api.wait_for("views.publish", 2))[1]
    assert cy(M.HOME_INTRO) in json.dumps(republished.params["view"], ensure_ascii=False)

    view = await open_modal(slack)
    assert view["title"]["text"] == cy(M.MODAL_TITLE)
    await slack.interact(slack.submission(MEMBER, view, GOOD_FORM))
    card = await said(slack.api, MEMBER, cy(M.SUBMITTED).split("{")[0])
    assert cy(label(DEFAULT_WHERE, "case_transfer")) in card["text"]
    assert [row["language"] for row in (await all_rows(database))["language_choices"]] == ["cy"]


def label(options, code: str) -> str:
    return next(o.label for o in options if o.code == code)


async def test_a_typed_answer_in_the_dm_takes_the_buttons_off_its_question(slack):
    api = slack.api
    await slack.command(MEMBER, "steps")
    when = await said(api, MEMBER, "When did it happen?")
    await slack.interact(slack.tap(MEMBER, when, "Yesterday"))
    where = await said(api, MEMBER, "Where did it happen?")
    await slack.interact(slack.tap(MEMBER, where, "Home visit"))
    who = await said(api, MEMBER, "Who was involved?")
    await slack.interact(slack.tap(MEMBER, who, "Police"))
    await slack.interact(slack.tap(MEMBER, api.messages[who["ts"]], "Done ✔"))
    what = await said(api, MEMBER, "What happened?")
    assert len(what["blocks"]) == 2, "Back and Cancel while it waits"
    await slack.event(typed("skip", "4.1"))
    await said(api, MEMBER, "This question is required", len(api.dm(MEMBER)) - 1)
    seen = len(api.dm(MEMBER))
    await slack.event(typed("Police were not told; mum is on <mailto:jo@example.org|jo@example.org>.", "4.2"))
    await said(api, MEMBER, "What was done straight away?", seen)

    live = [m["text"] for m in api.dm(MEMBER) if any(b["type"] == "actions" for b in m["blocks"])]
    assert live == ["What was done straight away?"], "one live question"
    assert any(m["text"].startswith("To protect identities I hid an email address:") for m in api.dm(MEMBER))


async def test_only_the_question_waiting_keeps_its_buttons_when_labels_are_typed(slack):
    api = slack.api
    await slack.command(MEMBER, "steps")
    await said(api, MEMBER, "When did it happen?")
    answers = (("yesterday", "Where did it happen?"), ("home visit", "Who was involved?"), ("police", "What happened?"))
    for n, (words, question) in enumerate(answers, 1):
        seen = len(api.dm(MEMBER))
        await slack.event(typed(words, f"5.{n}"))
        await said(api, MEMBER, question, seen)
        live = [m["text"] for m in api.dm(MEMBER) if any(b["type"] == "actions" for b in m["blocks"])]
        assert len(live) == 1 and live[0].startswith(question), live


async def test_a_stranger_is_told_how_to_join_once(slack, database):
    for _attempt in range(3):
        status, _body = await slack.command(STRANGER)
        assert status == 200
    await said(slack.api, STRANGER, "Sorry, this bot is only for teams")
    await asyncio.sleep(0.2)

    [refusal] = slack.api.dm(STRANGER)
    assert refusal["text"].endswith("ask your manager for an invite code and send /nearmiss join CODE.")
    assert all(rows == [] for rows in (await all_rows(database)).values())


def test_the_manifest_hint_names_every_word_a_reporter_types():
    manifest = (Path(__file__).parent.parent / "slack-manifest.yaml").read_text()
    [hint] = [line.split(":", 1)[1] for line in manifest.splitlines() if line.strip().startswith("usage_hint:")]
    assert all(word in hint for word in ("steps", "join CODE", "status", "help"))


async def test_an_edited_dm_is_answered_with_how_to_change_an_answer_and_the_apps_own_edits_are_not(slack):
    await slack.command(MEMBER, "steps")
    await said(slack.api, MEMBER, "When did it happen?")
    seen = len(slack.api.dm(MEMBER))
    for changed in (
        {"user": "U0BOT", "bot_id": "B0BOT", "text": "Where did it happen?"},
        {"user": MEMBER, "text": "x"},
    ):
        await slack.event(
            {
                "type": "message",
                "subtype": "message_changed",
                "channel_type": "im",
                "channel": "D0DM",
                "message": changed,
            }
        )
    await said(slack.api, MEMBER, "I can't take changes to a message already sent.", seen)
    await asyncio.sleep(0.2)
    assert len(slack.api.dm(MEMBER)) == seen + 1, "the app's own edit got no reply"
