"""Managers on Slack, through the real Bolt app over HTTP against the fake Slack server: triage
from the app's direct messages, alerts to the lead, the digest with its chart uploaded, feedback
to the reporter (in their DMs and on the App Home) and the team channel's "you said, we did"."""

import json
import re
from datetime import UTC, datetime

import pytest

from bot.adapters.slack import SlackAdapter
from bot.app.config import DatabaseSettings, Settings, SlackSettings, TeamSettings
from bot.app.services import vocabularies
from bot.services.front import Front
from bot.services.managing import Managing
from bot.services.outbox_sender import OutboxSender
from bot.services.reporting import Reporting
from bot.services.scheduled_posts import LEARNING, Digests
from flows import messages as M
from tests.fakes.forms import GOOD_FORM
from tests.fakes.slack import FakeSlack
from tests.helpers import cy
from tests.test_slack import MEMBER, SECRET, open_modal, said

MANAGER = "U0MANAGER4"
LEAD = "U0LEAD9"
OTHER_MANAGER = "U0SOUTHMGR"
CHANGE = "Handover calls now include the family's new worker."


@pytest.fixture
def command() -> str:
    """The app's slash command, as configured."""
    return "/nearmiss"


@pytest.fixture
def languages() -> tuple[str, ...]:
    """The north team's languages, as configured."""
    return ("en",)


@pytest.fixture
def settings(database_url, slack_api, command, languages) -> Settings:
    return Settings(
        database=DatabaseSettings(url=database_url),
        slack=SlackSettings(
            bot_token="xoxb-test",
            signing_secret=SECRET,
            base_url=slack_api.base_url,
            mode="http",
            http_port=0,
            command=command,
        ),
        teams=(
            TeamSettings(
                id="north",
                name="North locality",
                languages=languages,
                members={"slack": [MEMBER]},
                managers={"slack": [MANAGER]},
                leads={"slack": [LEAD]},
            ),
            TeamSettings(id="south", name="South locality", managers={"slack": [OTHER_MANAGER]}),
        ),
    )


@pytest.fixture
async def slack(settings, database, keys, clock, slack_api):
    words = vocabularies(settings)
    adapter = SlackAdapter(
        settings.slack,
        Front(
            Reporting(database=database, keys=keys, settings=settings, vocabularies=words, clock=clock),
            Managing(database=database, keys=keys, settings=settings, vocabularies=words, clock=clock),
        ),
    )
    await adapter.start()
    outbox = OutboxSender(database=database, keys=keys, clock=clock, per_second=1000)
    outbox.adapters = {"slack": adapter}
    yield FakeSlack(f"http://127.0.0.1:{adapter.http_port}/slack/events", SECRET, slack_api), outbox
    await adapter.stop()


async def tap(slack: FakeSlack, user: str, message: dict, label: str) -> None:
    status, _body = await slack.interact(slack.tap(user, message, label))
    assert status == 200


async def test_a_manager_triages_in_slack_and_the_lead_is_alerted(slack, database, keys, settings, clock):
    slack, outbox = slack
    await slack.interact(slack.submission(MEMBER, await open_modal(slack), GOOD_FORM))
    reference = re.search(r"NM-\w{4}-\w{4}", (await said(slack.api, MEMBER, "Sent. Your reference"))["text"]).group()

    await slack.command(MANAGER, "reports")
    listed = await said(slack.api, MANAGER, "Open reports")
    await tap(slack, MANAGER, listed, reference + " · not triaged amber · 0d")
    card = await said(slack.api, MANAGER, reference)
    assert "Case transfer or handover" in card["text"] and MEMBER not in card["text"]

    await tap(slack, MANAGER, card, "Grade risk")
    question = await said(slack.api, MANAGER, reference + ": if it happened again")
    await tap(slack, MANAGER, question, "Severe")
    await slack.api.wait_for("chat.update")
    likelihood = slack.api.messages[question["ts"]]  # the same message, now asking the likelihood
    assert "how likely" in likelihood["text"]
    await tap(slack, MANAGER, likelihood, "Likely")
    graded = await said(slack.api, MANAGER, f"{reference} graded: risk 16")
    assert "red" in graded["text"]

    assert await outbox.drain() == 2
    alerts = [m["text"] for m in slack.api.dm(LEAD)]
    assert "graded by its reporter as harm" in alerts[0] and "triaged red" in alerts[1]
    assert all(f"/nearmiss open {reference}" in a for a in alerts)

    await slack.command(OTHER_MANAGER, f"open {reference}")
    assert "No report" in (await said(slack.api, OTHER_MANAGER, "No report"))["text"]

    clock.now = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
    digests = Digests(database=database, keys=keys, settings=settings, clock=clock)
    assert await digests.run("north")
    assert await outbox.drain() == 3
    digest = await said(slack.api, MANAGER, "Near-miss digest for North locality")
    assert "Reporters still owed feedback: fewer than 3" in digest["text"]
    trend, matrix = slack.api.files.values()  # one chart an image, each with its words as alt text
    for upload in (trend, matrix):
        assert upload["channel"] == f"D{MANAGER}" and upload["content"].startswith(b"\x89PNG") and upload["shared"]
    assert trend["title"] == "North locality: new reports, 5 Oct to 23 Nov 2026."
    assert trend["alt_txt"] == trend["title"] + "\nNo new reports in these weeks."  # all sent after 09:00
    assert matrix["alt_txt"].endswith("Fewer than 3 reports triaged so far.")


async def type_in_dm(slack: FakeSlack, user: str, text: str) -> None:
    await slack.event(
        {
            "type": "message",
            "channel_type": "im",
            "channel": f"D{user}",
            "user": user,
            "text": text,
            "ts": f"{len(slack.api.messages)}.5",
        }
    )


async def test_a_slack_reporter_hears_what_changed_sees_it_at_home_and_the_channel_is_told(
    slack, database, keys, settings, clock
):
    slack, outbox = slack
    await slack.interact(slack.submission(MEMBER, await open_modal(slack), GOOD_FORM))
    reference = re.search(r"NM-\w{4}-\w{4}", (await said(slack.api, MEMBER, "Sent. Your reference"))["text"]).group()
    seen = len(slack.api.dm(MEMBER))

    await slack.command(MANAGER, f"open {reference}")
    await tap(slack, MANAGER, await said(slack.api, MANAGER, reference), "Action")
    await tap(slack, MANAGER, await said(slack.api, MANAGER, f"Link {reference} to an open action"), "New action")
    await said(slack.api, MANAGER, "What will change")  # typed before it is asked, it would be no answer
    for answer, next_question in ((CHANGE, "Who owns it"), ("Team manager", "Due by when"), ("next Friday", "")):
        asked = len(slack.api.dm(MANAGER))
        await type_in_dm(slack, MANAGER, answer)
        await said(slack.api, MANAGER, next_question, asked)
    assert await outbox.drain() == 2  # the lead's alert (graded harm), and the reporter's feedback
    feedback = await said(slack.api, MEMBER, f"About your near-miss report {reference}", seen)
    assert CHANGE in feedback["text"] and MANAGER not in feedback["text"]
    assert all(CHANGE not in m["text"] for m in slack.api.dm(OTHER_MANAGER))

    await slack.event({"type": "app_home_opened", "user": MEMBER, "tab": "home", "channel": "D0DM"})
    [published] = await slack.api.wait_for("views.publish")
    home = json.dumps(published.params["view"])
    assert f"{reference}: action agreed" in home and f"Change agreed: {CHANGE}" in home

    await slack.command(MANAGER, "actions")
    listed = await said(slack.api, MANAGER, "Actions not yet done")
    asked = len(slack.api.dm(MANAGER))
    await tap(slack, MANAGER, listed, " done")
    assert (await said(slack.api, MANAGER, "Action AC-", asked))["text"].endswith("marked done.")
    north, south = settings.teams
    settings = settings.model_copy(
        update={"teams": (north.model_copy(update={"channel": {"slack": "C0NORTH"}}), south)}
    )
    clock.now = datetime(2026, 12, 7, 10, 1, tzinfo=UTC)
    assert await Digests(database=database, keys=keys, settings=settings, clock=clock).run("north", LEARNING)
    assert await outbox.drain() == 2  # the reporter's "now in place", and the channel's post
    [post] = [m for m in slack.api.messages.values() if m["channel"] == "C0NORTH"]
    assert post["text"].startswith("You said, we did: North locality") and CHANGE in post["text"]


# The words a person is told to type are the ones their config accepts: with the slash command
# configured as /safeguard, managers' help and leads' alerts say /safeguard.
COMMAND = "/safeguard"


async def configured_command(slack: FakeSlack, user: str, text: str = "") -> tuple[int, str]:
    return await slack.post(slack.command_body(user, text, command=COMMAND), "application/x-www-form-urlencoded")


@pytest.mark.parametrize("command", [COMMAND])
async def test_a_managers_help_names_the_configured_command(slack):
    slack, _outbox = slack
    status, help_text = await configured_command(slack, MANAGER, "help")  # answered in the acknowledgement
    assert status == 200
    assert f"{COMMAND} reports" in help_text and f"{COMMAND} open CODE" in help_text
    assert "/nearmiss" not in help_text


@pytest.mark.parametrize("command", [COMMAND])
async def test_a_leads_alert_names_the_configured_command(slack):
    slack, outbox = slack
    status, _body = await configured_command(slack, MEMBER)
    assert status == 200
    await slack.api.wait_for("views.open")
    await slack.interact(slack.submission(MEMBER, slack.api.views[-1], GOOD_FORM))  # graded: child left at risk
    reference = re.search(r"NM-\w{4}-\w{4}", (await said(slack.api, MEMBER, "Sent. Your reference"))["text"]).group()

    assert await outbox.drain() >= 1
    alert = next(m["text"] for m in slack.api.dm(LEAD))
    assert f"{COMMAND} open {reference}" in alert and "/nearmiss" not in alert


@pytest.mark.parametrize("languages", [("cy", "en")])
async def test_a_welsh_team_on_slack_triages_is_alerted_and_gets_its_digest_in_welsh(
    slack, database, keys, settings, clock
):
    slack, outbox = slack
    await slack.interact(slack.submission(MEMBER, await open_modal(slack), GOOD_FORM))
    acknowledgement = (await said(slack.api, MEMBER, cy(M.SUBMITTED).split("{")[0]))["text"]
    reference = re.search(r"NM-\w{4}-\w{4}", acknowledgement).group()

    await slack.command(MANAGER, "reports")
    listed = await said(slack.api, MANAGER, cy(M.OPEN_REPORTS))
    await tap(slack, MANAGER, listed, reference + " · " + cy(M.UNTRIAGED) + " " + cy("amber") + " · 0d")
    card = await said(slack.api, MANAGER, reference)
    await tap(slack, MANAGER, card, cy(M.BUTTON_GRADE))

    assert await outbox.drain() == 1  # the lead's alert, graded as harm by its reporter
    [alert] = [m["text"] for m in slack.api.dm(LEAD)]
    assert cy(M.ALERT_GRADED) in alert and f"/nearmiss open {reference}" in alert

    clock.now = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
    assert await Digests(database=database, keys=keys, settings=settings, clock=clock).run("north")
    await outbox.drain()
    await said(slack.api, MANAGER, cy(M.DIGEST_TITLE).split("{")[0])
