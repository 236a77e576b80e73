"""The Teams adapter through Microsoft's Teams SDK over HTTP: activities signed by a local Bot
Framework token issuer in, Bot Connector calls out to a local fake, on SQLite and PostgreSQL."""

import pytest

from bot.adapters.teams import TeamsAdapter
from bot.app.config import DatabaseSettings, MsTeamsSettings, Settings, TeamSettings
from bot.app.services import vocabularies
from bot.services.front import Front
from bot.services.reporting import Reporting
from tests.fakes.teams import APP_ID, APP_PASSWORD, TENANT, FakeTeams, Sent, TeamsClient, User
from tests.helpers import TYPICAL_WHAT, all_rows, stored_text

MEMBER = User("7d5e1c2a-0b9f-4e31-a6d4-51c0ffee0001")
STRANGER = User("7d5e1c2a-0b9f-4e31-a6d4-51c0ffee0002")
INVITE = "JOIN-NORTH-7Q"


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
        teams=(TeamSettings(id="north", name="North locality", invite_code=INVITE, members={"msteams": [MEMBER.aad]}),),
    )


@pytest.fixture
async def adapter(settings, database, keys, clock):
    reporting = Reporting(
        database=database, keys=keys, settings=settings, vocabularies=vocabularies(settings), clock=clock
    )
    adapter = TeamsAdapter(settings.msteams, Front(reporting))
    await adapter.start()
    yield adapter
    await adapter.stop()


@pytest.fixture
def client(adapter, fake_teams) -> TeamsClient:
    return TeamsClient(fake_teams, f"http://127.0.0.1:{adapter.port}/api/messages")


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
