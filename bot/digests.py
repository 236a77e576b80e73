"""Each team's scheduled digest: composed from aggregate figures, with its chart, queued in the
outbox for the team's managers, once per due time however often the job runs."""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from apscheduler.triggers.cron import CronTrigger
from sqlalchemy.exc import IntegrityError

from bot.config import Settings, TeamSettings
from bot.notify import addresses, recipient
from bot.reporting import utcnow
from flows import messages as M
from flows.charts import digest_chart
from flows.digest import compose
from flows.messages import _
from flows.risk import PROVISIONAL, SCALE
from storage import managing as repo
from storage import outbox
from storage.database import Database
from storage.keys import KeySource, Keys, in_force

log = logging.getLogger(__name__)

TREND_WEEKS = 8


@dataclass(frozen=True)
class Digest:
    team: str
    due_at: datetime
    text: str
    chart: bytes


class Digests:
    def __init__(
        self, *, database: Database, keys: Keys | KeySource, settings: Settings,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._database = database
        self._key_source = keys
        self._settings = settings
        self._clock = clock
        self._lists = settings.lists.to_lists()

    def trigger(self, team: TeamSettings) -> CronTrigger:
        """Returns when the team's digest falls due."""
        digest = self._settings.digest
        return CronTrigger.from_crontab(team.digest_cron or digest.cron, timezone=digest.timezone)

    def due_at(self, team: TeamSettings, now: datetime) -> datetime | None:
        """Returns the latest due time at or before now, within the misfire grace time."""
        trigger, latest = self.trigger(team), None
        moment = now - timedelta(hours=self._settings.digest.misfire_grace_hours)
        while (fire := trigger.get_next_fire_time(None, moment)) is not None and fire <= now:
            latest, moment = fire, fire + timedelta(seconds=1)
        return latest

    async def compose(self, session, team: TeamSettings, due_at: datetime) -> Digest:
        """Returns the team's digest for one due time, covering the time since its last digest."""
        zone = self.trigger(team).timezone
        since = await repo.last_digest(session, team=team.id, before=due_at) or due_at - timedelta(days=7)
        today = due_at.astimezone(zone).date()
        first_week = today - timedelta(days=today.weekday() + 7 * (TREND_WEEKS - 1))
        figures = await repo.figures(
            session, team=team.id, since=since, now=due_at, waiting_grades=tuple(PROVISIONAL), zone=zone,
            trend_since=datetime.combine(first_week, datetime.min.time(), zone),
        )
        small = self._settings.digest.small_count
        text = compose(figures, team_name=team.name, start=since.astimezone(zone).date(), end=today,
                       now=due_at, lists=self._lists, small=small)
        weeks = [first_week + timedelta(weeks=n) for n in range(TREND_WEEKS)]
        chart = digest_chart(
            title=_(M.DIGEST_TITLE).format(team=team.name, start=weeks[0].strftime("%-d %b"),
                                          end=today.strftime("%-d %b %Y")),
            weeks=weeks,
            by_grade={g.code: [figures.weekly.get(w, {}).get(g.code, 0) for w in weeks] for g in self._lists.grades},
            matrix=[[figures.matrix.get((c, l), 0) for l in SCALE] for c in SCALE],
            bands=self._settings.triage.bands(), small=small,
        )
        return Digest(team.id, due_at, text, chart)

    async def preview(self, team_id: str) -> Digest:
        """Returns the digest the team would get now, recording and sending nothing."""
        team = self._team(team_id)
        async with self._database.unit() as session:
            return await self.compose(session, team, self._clock())

    async def run(self, team_id: str) -> bool:
        """Queues the team's digest for its latest due time, unless it was queued before; says
        whether it did. Safe to run twice, from two processes, or after a restart."""
        team, now = self._team(team_id), self._clock()
        due_at = self.due_at(team, now)
        if due_at is None:
            return False
        try:
            return await self._queue(team, due_at, now)
        except IntegrityError:
            return False  # another process recorded the same digest a moment ago

    async def _queue(self, team: TeamSettings, due_at: datetime, now: datetime) -> bool:
        async with self._database.unit() as session:
            if not await repo.record_digest(session, team=team.id, due_at=due_at, now=now):
                return False
            digest = await self.compose(session, team, due_at)
            keys = self._keys()
            for address in addresses(team.managers):
                key = f"digest:{team.id}:{int(due_at.timestamp())}:{recipient(keys, address)[:32]}"
                await outbox.enqueue(session, keys=keys, key=key, address=address, text=digest.text, now=now)
                await outbox.enqueue(session, keys=keys, key=key + ":chart", address=address,
                                     text=_(M.DIGEST_CHART), image=digest.chart, now=now)
        log.info("digest queued for team %s", team.id)
        return True

    def _team(self, team_id: str) -> TeamSettings:
        team = self._settings.team(team_id)
        if team is None:
            raise LookupError(f"no team {team_id!r} in the config")
        return team

    def _keys(self) -> Keys:
        return in_force(self._key_source)
