"""The words a person is told to type are the ones their platform and config accept: with the
Slack app's slash command configured as /safeguard, managers' help and leads' alerts say
/safeguard, through the real Bolt app over HTTP against the fake Slack server."""

import re

import pytest

from bot.adapters.slack import SlackAdapter
from bot.app.config import DatabaseSettings, Settings, SlackSettings, TeamSettings
from bot.app.services import vocabularies
from bot.services.front import Front
from bot.services.managing import Managing
from bot.services.outbox_sender import OutboxSender
from bot.services.reporting import Reporting
from tests.fakes.forms import GOOD_FORM
from tests.fakes.slack import FakeSlack
from tests.test_slack import MEMBER, SECRET, said

COMMAND = "/safeguard"
MANAGER = "U0MANAGER4"
LEAD = "U0LEAD9"


@pytest.fixture
def settings(database_url, slack_api) -> Settings:
    return Settings(
        database=DatabaseSettings(url=database_url),
        slack=SlackSettings(
            bot_token="xoxb-test",
            signing_secret=SECRET,
            base_url=slack_api.base_url,
            mode="http",
            http_port=0,
            command=COMMAND,
        ),
        teams=(
            TeamSettings(
                id="north",
                name="North locality",
                members={"slack": [MEMBER]},
                managers={"slack": [MANAGER]},
                leads={"slack": [LEAD]},
            ),
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


async def command(slack: FakeSlack, user: str, text: str = "") -> tuple[int, str]:
    return await slack.post(slack.command_body(user, text, command=COMMAND), "application/x-www-form-urlencoded")


async def test_a_managers_help_names_the_configured_command(slack):
    slack, _outbox = slack
    status, body = await command(slack, MANAGER, "help")
    assert status == 200
    help_text = body  # the acknowledgement, shown only to them
    assert f"{COMMAND} reports" in help_text and f"{COMMAND} open CODE" in help_text
    assert "/nearmiss" not in help_text


async def test_a_leads_alert_names_the_configured_command(slack):
    slack, outbox = slack
    status, _body = await command(slack, MEMBER)
    assert status == 200
    await slack.api.wait_for("views.open")
    await slack.interact(slack.submission(MEMBER, slack.api.views[-1], GOOD_FORM))  # graded: child left at risk
    reference = re.search(r"NM-\w{4}-\w{4}", (await said(slack.api, MEMBER, "Sent. Your reference"))["text"]).group()

    assert await outbox.drain() >= 1
    alert = next(m["text"] for m in slack.api.dm(LEAD))
    assert f"{COMMAND} open {reference}" in alert and "/nearmiss" not in alert
