"""Who is spoken to in which language: each person's own choice (English or Cymraeg), kept
against a pseudonym of their chat address, else their team's first language."""

import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app.config import Settings, TeamSettings
from bot.services.reporters import Reporters
from bot.services.sender import Sender
from flows.messages import ENGLISH, LANGUAGES, speaking
from storage import language_store
from storage.database import Database
from storage.keys import Keys

log = logging.getLogger(__name__)

REMEMBERED_FOR = 300.0  # seconds a person's language is kept in memory; a change here shows at once
_REMEMBERED_MOST = 100_000


class Languages:
    def __init__(self, *, database: Database, reporters: Reporters, settings: Settings) -> None:
        self._database = database
        self._reporters = reporters
        self._settings = settings
        self._remembered: dict[str, tuple[float, str]] = {}  # by pseudonym: (until, language)

    @asynccontextmanager
    async def speaking_to(self, sender: Sender) -> AsyncIterator[None]:
        """Renders every text inside the block in the sender's language."""
        with speaking(await self.of(sender)):
            yield

    async def of(self, sender: Sender) -> str:
        """Returns the language the sender is spoken to in."""
        people = self._people(sender.platform, sender.chat_id)
        remembered = self._remembered.get(people[0])
        if remembered is not None and remembered[0] > time.monotonic():
            return remembered[1]
        try:
            async with self._database.unit() as session:
                language = await language_store.chosen_language(session, people=people)
                if language is None:
                    language = await self._team_language(session, sender)
        except (DBAPIError, ConnectionError, TimeoutError, OSError) as error:
            # The reply says the database is down; say it in the team's language, unremembered.
            log.warning("a language could not be looked up: %s", type(error).__name__)
            return _first(self._listing_team(sender))
        self._remember(people[0], language)
        return language

    async def choose(self, sender: Sender, language: str) -> bool:
        """Records the sender's language; says whether it is one nearmiss speaks."""
        if language not in LANGUAGES:
            return False
        person = self._people(sender.platform, sender.chat_id)[0]
        async with self._database.unit() as session:
            await language_store.choose_language(session, person=person, language=language, now=self._reporters.clock())
        self._remember(person, language)
        return True

    def _listing_team(self, sender: Sender) -> TeamSettings | None:
        """Returns the first team the config lists the sender in (member, manager or lead)."""
        for team in self._settings.teams:
            people = (team.members, team.managers, team.leads)
            if any(sender.user_id in listed.get(sender.platform, ()) for listed in people):
                return team
        return None

    async def _team_language(self, session: AsyncSession, sender: Sender) -> str:
        """Returns the first language of the team the config lists the sender in (a lead too),
        else of the team they joined with a code."""
        listing = self._listing_team(sender)
        if listing is not None:
            return _first(listing)
        joined = await self._reporters.team(session, sender)
        return team_language(self._settings, joined) if joined else ENGLISH

    def _people(self, platform: str, chat: str) -> list[str]:
        return people(self._reporters.keys(), platform, chat)

    def _remember(self, person: str, language: str) -> None:
        if len(self._remembered) >= _REMEMBERED_MOST:
            self._remembered.clear()
        self._remembered[person] = (time.monotonic() + REMEMBERED_FOR, language)


def team_language(settings: Settings, team: str) -> str:
    """Returns the language a team's people are spoken to in until they choose."""
    return _first(settings.team(team))


async def language_for(session: AsyncSession, *, keys: Keys, address: dict[str, str], default: str) -> str:
    """Returns the language to write to an address in: its person's choice, else the default."""
    chosen = await language_store.chosen_language(session, people=people(keys, address["platform"], address["chat"]))
    return chosen or default


def people(keys: Keys, platform: str, chat: str) -> list[str]:
    """Returns a person's language pseudonyms under every loaded key, the current one first: made
    from the chat they are reached at, which is what an outbox address holds."""
    return [p.value for p in keys.every_pseudonym(platform=f"language:{platform}", workspace="", user_id=chat)]


def _first(team: TeamSettings | None) -> str:
    return team.languages[0] if team is not None else ENGLISH
