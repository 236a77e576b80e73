"""Who a reporter is to nearmiss: their pseudonyms under every loaded key, their team, their
burst limit, and the words their platform uses. Shared by the reporter-side services."""

from collections import OrderedDict
from datetime import date, datetime, timedelta

import limits
from limits.aio.storage import MemoryStorage
from limits.aio.strategies import SlidingWindowCounterRateLimiter
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app.config import Settings
from bot.services.sender import Sender
from flows import messages as M
from flows.chat import Message
from flows.clock import Clock
from flows.commands import Command, Vocabularies
from flows.messages import _
from storage import report_store
from storage.keys import Keys, KeySource, Pseudonym, in_force

REFUSAL_EVERY = timedelta(days=1)  # a stranger is told how to join once in this time
_REFUSED_MOST = 10_000  # strangers remembered, in memory: the longest-ago forgotten first


class Reporters:
    def __init__(self, *, keys: Keys | KeySource, settings: Settings, vocabularies: Vocabularies, clock: Clock) -> None:
        self._key_source = keys
        self._settings = settings
        self._vocabularies = vocabularies
        self.clock = clock
        # In memory, per process: a burst limit, not an account of anyone's activity.
        # limits' sliding-window counter: its moving window's in-memory storage hands every
        # reporter's hits to a thread each time it expires them, costing more than an update.
        self.limiter = SlidingWindowCounterRateLimiter(MemoryStorage())
        self._limit = limits.parse(settings.limits.per_reporter)
        self._refused: OrderedDict[str, datetime] = OrderedDict()  # pseudonym -> when told

    async def within_limit(self, sender: Sender) -> bool:
        """Counts one event against the sender's burst limit; says whether it is within it."""
        return await self.limiter.hit(self._limit, self.pseudonym(sender).value)

    async def team(self, session: AsyncSession, sender: Sender) -> str | None:
        """Returns the team the sender reports in: named in the config, or joined with a code."""
        for team in self._settings.teams:  # a team's managers may report in it too
            if sender.user_id in team.members.get(sender.platform, ()) + team.managers.get(sender.platform, ()):
                return team.id
        configured = {team.id for team in self._settings.teams}
        joined = [
            t
            for t in await report_store.teams_joined(session, reporters=self.every_pseudonym(sender))
            if t in configured
        ]
        return joined[0] if joined else None

    def pseudonym(self, sender: Sender) -> Pseudonym:
        return self.keys().pseudonym(platform=sender.platform, workspace=sender.workspace, user_id=sender.user_id)

    def every_pseudonym(self, sender: Sender) -> list[str]:
        """Returns the sender's pseudonyms under every loaded key: rows made before a rotation
        are still theirs."""
        return [p.value for p in self.pseudonyms(sender)]

    def pseudonyms(self, sender: Sender) -> list[Pseudonym]:
        """Returns the sender's pseudonyms, with their keys' ids: the current one first."""
        return self.keys().every_pseudonym(platform=sender.platform, workspace=sender.workspace, user_id=sender.user_id)

    def keys(self) -> Keys:
        return in_force(self._key_source)

    def word(self, platform: str, command: Command) -> str:
        """Returns what a person on this platform sends for a command."""
        return self._vocabularies[platform][command]

    def not_a_member(self, platform: str) -> str:
        """Returns what someone in no team is told: who the bot is for, and how to join."""
        return _(M.NOT_A_MEMBER).format(join=self.word(platform, Command.JOIN))

    def refuse(self, sender: Sender) -> list[Message]:
        """Returns the refusal for someone in no team: once a day, so that trying again does not
        bring the same message each time (remembered in memory only, by pseudonym)."""
        who, now = self.pseudonym(sender).value, self.clock()
        told = self._refused.pop(who, None)
        self._refused[who] = told if told is not None and now - told < REFUSAL_EVERY else now
        if len(self._refused) > _REFUSED_MOST:
            self._refused.popitem(last=False)
        return [] if self._refused[who] is told else [Message(self.not_a_member(sender.platform))]

    def help(self, platform: str) -> Message:
        words = self._vocabularies[platform]
        return Message(_(words.help).format(command=words.command))

    def expired(self, platform: str) -> Message:
        """Returns the note for a reporter whose idle draft was cleared."""
        hours = f"{self._settings.drafts.expire_after_hours:g}"
        return Message(_(M.EXPIRED).format(hours=hours, start=self.word(platform, Command.REPORT)))

    def today(self, now: datetime | None = None) -> date:
        """Returns the date where the reporters are, now or at the time given."""
        return (now or self.clock()).astimezone(self._settings.zone).date()
