"""Each team's scheduled posts, queued in the outbox once per due time however often their job
runs: its digest (aggregate figures and a chart) for its managers, and its "you said, we did"
post (the changes its reports led to) for its channel."""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from apscheduler.triggers.cron import CronTrigger
from sqlalchemy.exc import IntegrityError

from bot.app.config import Settings, TeamSettings
from bot.services.alerts import addresses, recipient
from bot.services.languages import language_for
from flows.charts import Chart, risk_chart, trend_chart
from flows.clock import utcnow
from flows.digest_text import compose
from flows.feedback import learning_post
from flows.messages import speaking
from flows.risk import PROVISIONAL, SCALE
from storage import outbox_store, triage_store
from storage.database import Database
from storage.keys import Keys, KeySource, in_force

log = logging.getLogger(__name__)

TREND_WEEKS = 8
DIGEST, LEARNING = "digest", "learning"
FIRST_PERIOD = {DIGEST: timedelta(days=7), LEARNING: timedelta(days=31)}  # when no post came before


@dataclass(frozen=True)
class Digest:
    team: str
    due_at: datetime
    text: str
    charts: tuple[Chart, ...]  # each sent as its own image, with its words


class Digests:
    def __init__(
        self,
        *,
        database: Database,
        keys: Keys | KeySource,
        settings: Settings,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._database = database
        self._key_source = keys
        self._settings = settings
        self._clock = clock
        self._lists = settings.lists.to_lists()

    def trigger(self, team: TeamSettings, kind: str = DIGEST) -> CronTrigger:
        """Returns when the team's post of this kind falls due."""
        digest = self._settings.digest
        cron = (team.digest_cron or digest.cron) if kind == DIGEST else self._settings.feedback.learning_cron
        return CronTrigger.from_crontab(cron, timezone=digest.timezone)

    def due_at(self, team: TeamSettings, now: datetime, kind: str = DIGEST) -> datetime | None:
        """Returns the latest due time at or before now, within the misfire grace time."""
        trigger, latest = self.trigger(team, kind), None
        moment = now - timedelta(hours=self._settings.digest.misfire_grace_hours)
        while (fire := trigger.get_next_fire_time(None, moment)) is not None and fire <= now:
            latest, moment = fire, fire + timedelta(seconds=1)
        return latest

    async def compose(self, session, team: TeamSettings, due_at: datetime) -> Digest:
        """Returns the team's digest for one due time, covering the time since its last digest."""
        zone = self.trigger(team).timezone
        since = await self._since(session, team, DIGEST, due_at)
        today = due_at.astimezone(zone).date()
        first_week = today - timedelta(days=today.weekday() + 7 * (TREND_WEEKS - 1))
        feedback_days = self._settings.feedback.measure_days
        figures = await triage_store.figures(
            session,
            team=team.id,
            since=since,
            now=due_at,
            waiting_grades=tuple(PROVISIONAL),
            zone=zone,
            trend_since=datetime.combine(first_week, datetime.min.time(), zone),
            feedback_since=due_at - timedelta(days=feedback_days),
        )
        small = self._settings.digest.small_count
        text = compose(
            figures,
            team_name=team.name,
            start=since.astimezone(zone).date(),
            end=today,
            now=due_at,
            lists=self._lists,
            small=small,
            feedback_days=feedback_days,
        )
        weeks = [first_week + timedelta(weeks=n) for n in range(TREND_WEEKS)]
        charts = (
            trend_chart(
                team=team.name,
                weeks=weeks,
                by_grade={
                    g.code: [figures.weekly.get(w, {}).get(g.code, 0) for w in weeks] for g in self._lists.grades
                },
                small=small,
                until=today,
            ),
            risk_chart(
                team=team.name,
                matrix=[[figures.matrix.get((c, likelihood), 0) for likelihood in SCALE] for c in SCALE],
                bands=self._settings.triage.bands(),
                small=small,
            ),
        )
        return Digest(team.id, due_at, text, charts)

    async def compose_learning(self, session, team: TeamSettings, due_at: datetime) -> str | None:
        """Returns the team's "you said, we did" post for one due time, or None if no change
        was made since its last one."""
        zone = self.trigger(team, LEARNING).timezone
        since = await self._since(session, team, LEARNING, due_at)
        changes = await triage_store.changes_made(session, team=team.id, since=since, until=due_at)
        if not changes:
            return None
        return learning_post(
            team_name=team.name,
            start=since.astimezone(zone).date(),
            end=due_at.astimezone(zone).date(),
            changes=[what for what, _reports in changes],
        )

    async def _since(self, session, team: TeamSettings, kind: str, due_at: datetime) -> datetime:
        last = await triage_store.last_post(session, kind=kind, team=team.id, before=due_at)
        return last or due_at - FIRST_PERIOD[kind]

    async def preview(self, team_id: str) -> Digest:
        """Returns the digest the team would get now, in its first language, recording and
        sending nothing."""
        team = self._team(team_id)
        async with self._database.unit() as session:
            with speaking(team.languages[0]):
                return await self.compose(session, team, self._clock())

    async def run(self, team_id: str, kind: str = DIGEST) -> bool:
        """Queues the team's post of this kind for its latest due time, unless it was queued
        before; says whether it did. Safe to run twice, from two processes, or after a restart."""
        team, now = self._team(team_id), self._clock()
        due_at = self.due_at(team, now, kind)
        if due_at is None:
            return False
        try:
            async with self._database.unit() as session:
                if not await triage_store.record_post(session, kind=kind, team=team.id, due_at=due_at, now=now):
                    return False
                queue = self._queue_digest if kind == DIGEST else self._queue_learning
                queued = await queue(session, team, due_at, now)
        except IntegrityError:
            return False  # another process recorded the same post a moment ago
        log.info("%s %s for team %s", kind, "queued" if queued else "had nothing to say", team.id)
        return queued

    async def _queue_digest(self, session, team: TeamSettings, due_at: datetime, now: datetime) -> bool:
        keys, composed = self._keys(), dict[str, Digest]()
        for address in addresses(team.managers):
            language = await language_for(session, keys=keys, address=address, default=team.languages[0])
            with speaking(language):
                if language not in composed:  # once a language, however many managers read it
                    composed[language] = await self.compose(session, team, due_at)
            digest = composed[language]
            key = f"digest:{team.id}:{int(due_at.timestamp())}:{recipient(keys, address)[:32]}"
            await outbox_store.enqueue(session, keys=keys, key=key, address=address, text=digest.text, now=now)
            for number, chart in enumerate(digest.charts):
                await outbox_store.enqueue(
                    session,
                    keys=keys,
                    key=f"{key}:chart{number or ''}",
                    address=address,
                    text=chart.alt,
                    image=chart.png,
                    now=now,
                )
        return True

    async def _queue_learning(self, session, team: TeamSettings, due_at: datetime, now: datetime) -> bool:
        """Queues the post to the team's channel once in each of its languages, in their order."""
        keys, posts = self._keys(), []
        for language in team.languages:
            with speaking(language):
                text = await self.compose_learning(session, team, due_at)
            if text is None:
                return False
            posts.append((language, text))
        for platform, chat in sorted(team.channel.items()):
            for language, text in posts:
                suffix = "" if language == team.languages[0] else f":{language}"
                await outbox_store.enqueue(
                    session,
                    keys=keys,
                    key=f"learning:{team.id}:{int(due_at.timestamp())}:{platform}{suffix}",
                    address={"platform": platform, "chat": chat},
                    text=text,
                    now=now,
                )
        return True

    def _team(self, team_id: str) -> TeamSettings:
        team = self._settings.team(team_id)
        if team is None:
            raise LookupError(f"no team {team_id!r} in the config")
        return team

    def _keys(self) -> Keys:
        return in_force(self._key_source)
