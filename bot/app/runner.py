"""`nearmiss run`: every configured platform, and the scheduler, until told to stop."""

import asyncio
import gc
import logging
from dataclasses import dataclass

from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.engine import make_url

from bot.adapters.vocabularies import for_platforms
from bot.app.config import ConfigProblem, Settings
from bot.services.front import Front
from bot.services.managing import Managing
from bot.services.outbox_sender import OutboxSender
from bot.services.platform import Platform
from bot.services.reporter_news import send_progress_notes
from bot.services.reporting import Reporting
from bot.services.scheduled_posts import DIGEST, LEARNING, Digests
from flows import names
from flows.clock import utcnow
from flows.commands import Vocabularies
from storage.database import Database
from storage.keys import KeySource

log = logging.getLogger(__name__)

PERSISTENT = "persistent"
SYNC_DRIVERS = {"sqlite": "sqlite", "postgresql": "postgresql+psycopg"}


@dataclass
class Services:
    """Everything one nearmiss process runs on, built once from the settings."""

    settings: Settings
    database: Database
    keys: KeySource
    reporting: Reporting
    managing: Managing
    digests: Digests
    outbox: OutboxSender
    front: Front

    @classmethod
    def build(cls, settings: Settings, database: Database, keys: KeySource, clock=None) -> "Services":
        timing = {"clock": clock} if clock else {}
        outbox = OutboxSender(database=database, keys=keys, per_second=settings.scheduler.outbox_per_second, **timing)
        database.on_queued = outbox.kick
        words = vocabularies(settings)
        reporting = Reporting(database=database, keys=keys, settings=settings, vocabularies=words, **timing)
        managing = Managing(database=database, keys=keys, settings=settings, vocabularies=words, **timing)
        return cls(
            settings,
            database,
            keys,
            reporting,
            managing,
            Digests(database=database, keys=keys, settings=settings, **timing),
            outbox,
            Front(reporting, managing),
        )


def vocabularies(settings: Settings) -> Vocabularies:
    """Returns how the users of each configured platform spell the commands."""
    return for_platforms(slack_command=settings.slack.command if settings.slack is not None else None)


# Persisted jobs store a function's importable name, not the objects it works on: the services
# of this process are found here when such a job runs.
_running: dict[str, Services] = {}


async def digest_job(team_id: str, kind: str = DIGEST) -> None:
    """Queues a team's scheduled post (its digest, or its "you said, we did" post) and sends it."""
    services = _running["services"]
    if await services.digests.run(team_id, kind):
        await services.outbox.drain()


async def progress_job(services: Services) -> None:
    """Queues progress notes to reporters who have heard nothing for a while; the outbox sends them."""
    await send_progress_notes(
        database=services.database, keys=services.keys, quiet_days=services.settings.feedback.quiet_days, now=utcnow()
    )


async def sweep_drafts(reporting: Reporting, adapters: dict[str, Platform]) -> None:
    """Clears idle drafts, telling each reporter gently that nothing was kept, and old events."""
    for notice in await reporting.sweep():
        adapter = adapters.get(notice.platform)
        if adapter is None:
            continue
        try:
            await adapter.send(notice.chat_id, notice.message)
        except Exception as error:  # one unreachable reporter must not stop the others' notes
            log.warning("could not send an expiry note on %s: %s", notice.platform, type(error).__name__)


def jobstore_url(database_url: str) -> str:
    """Returns the database URL with a synchronous driver, for APScheduler's job store."""
    url = make_url(database_url)
    return url.set(drivername=SYNC_DRIVERS[url.get_backend_name()]).render_as_string(hide_password=False)


def build_scheduler(services: Services, adapters: dict[str, Platform]) -> AsyncIOScheduler:
    """Returns the scheduler with nearmiss's jobs, not yet started: digests in a job store in the
    database (so one due while nearmiss was down still runs), the rest in memory."""
    settings = services.settings
    scheduler = AsyncIOScheduler(
        timezone=settings.zone,
        jobstores={
            "default": MemoryJobStore(),
            PERSISTENT: SQLAlchemyJobStore(url=jobstore_url(settings.database.url)),
        },
        job_defaults={
            "coalesce": True,
            "max_instances": 1,
            "misfire_grace_time": int(settings.digest.misfire_grace_hours * 3600),
        },
    )
    scheduler.add_job(
        sweep_drafts,
        "interval",
        args=(services.reporting, adapters),
        id="sweep-drafts",
        minutes=settings.drafts.sweep_every_minutes,
    )
    scheduler.add_job(services.outbox.drain, "interval", id="outbox", seconds=settings.scheduler.outbox_every_seconds)
    scheduler.add_job(progress_job, "interval", args=(services,), id="progress", hours=1)
    return scheduler


def start_scheduler(scheduler: AsyncIOScheduler, services: Services) -> None:
    """Starts the scheduler with a digest job per team, and a "you said, we did" job per team
    with a channel, keeping a persisted job's next run time unless its schedule changed."""
    _running["services"] = services
    scheduler.start(paused=True)
    teams = services.settings.teams
    wanted = {f"{DIGEST}:{team.id}": (team, DIGEST) for team in teams} | {
        f"{LEARNING}:{team.id}": (team, LEARNING) for team in teams if team.channel
    }
    for job in scheduler.get_jobs(jobstore=PERSISTENT):
        if job.id not in wanted:
            job.remove()
    for job_id, (team, kind) in wanted.items():
        trigger, job = services.digests.trigger(team, kind), scheduler.get_job(job_id, jobstore=PERSISTENT)
        if job is None:
            scheduler.add_job(digest_job, trigger, args=(team.id, kind), id=job_id, jobstore=PERSISTENT)
        elif (str(job.trigger), str(job.trigger.timezone)) != (str(trigger), str(trigger.timezone)):
            job.reschedule(trigger)
    scheduler.resume()


def build_adapters(services: Services) -> dict[str, Platform]:
    """Returns an adapter for each platform configured, by platform name."""
    settings, adapters = services.settings, list[Platform]()
    if settings.telegram is not None:
        from bot.adapters.telegram import TelegramAdapter

        adapters.append(TelegramAdapter(settings.telegram, services.front))
    if settings.slack is not None:
        from bot.adapters.slack import SlackAdapter

        adapters.append(SlackAdapter(settings.slack, services.front))
    if not adapters:
        raise ConfigProblem("nothing to run: configure a platform, [telegram] or [slack]")
    return {adapter.name: adapter for adapter in adapters}


async def serve(services: Services, stop: asyncio.Event, *, scheduler_enabled: bool = True) -> None:
    """Runs the adapters, and the scheduler unless this is an extra worker, until `stop` is set."""
    adapters = build_adapters(services)
    names.prepare()
    gc.collect()
    gc.freeze()  # what start-up loaded lives as long as the process: no collection need walk it again
    started = []
    scheduler = build_scheduler(services, adapters) if scheduler_enabled else None
    try:
        for adapter in adapters.values():
            await adapter.start()
            started.append(adapter)
        if scheduler is not None:
            services.outbox.adapters = adapters
            start_scheduler(scheduler, services)
        log.info("nearmiss running%s; stop with Ctrl-C", "" if scheduler else " (no scheduler)")
        await stop.wait()
    finally:
        if scheduler is not None and scheduler.running:
            scheduler.shutdown(wait=False)
        for adapter in reversed(started):
            await adapter.stop()
