"""The scheduler's wiring: digests and "you said, we did" posts in a job store in the database,
and the sweep, the outbox drain and progress notes in memory."""

import logging

from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.engine import make_url

from bot.app.services import Services
from bot.services.housekeeping import Housekeeping
from bot.services.platform import Platform
from bot.services.reporter_news import send_progress_notes
from bot.services.scheduled_posts import DIGEST, LEARNING
from flows.clock import utcnow

log = logging.getLogger(__name__)

PERSISTENT = "persistent"
SYNC_DRIVERS = {"sqlite": "sqlite", "postgresql": "postgresql+psycopg"}


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
    settings = services.settings
    await send_progress_notes(
        database=services.database,
        keys=services.keys,
        quiet_days=settings.feedback.quiet_days,
        now=utcnow(),
        team_languages={team.id: team.languages[0] for team in settings.teams},
    )


async def sweep_drafts(housekeeping: Housekeeping, adapters: dict[str, Platform]) -> None:
    """Clears idle drafts, telling each reporter gently that nothing was kept, and old events."""
    for notice in await housekeeping.sweep():
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
        args=(services.housekeeping, adapters),
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
