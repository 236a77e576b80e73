"""The scheduler's wiring: each team's digest and "you said, we did" post, the sweep, the outbox
drain and progress notes, all in memory. Nothing about a job needs keeping: a post that fell due
while no process ran the scheduler is caught up when one starts it (within the misfire grace
time), and each post is recorded in the database once per due time, so a post runs at most once
however many times, or from however many processes, its job does."""

import logging

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.app.config import Settings, TeamSettings
from bot.app.services import Services
from bot.services.housekeeping import Housekeeping
from bot.services.platform import Platform
from bot.services.reporter_news import send_progress_notes
from bot.services.scheduled_posts import DIGEST, LEARNING
from flows.clock import utcnow

log = logging.getLogger(__name__)


async def post_job(services: Services, team_id: str, kind: str = DIGEST) -> None:
    """Queues a team's scheduled post (its digest, or its "you said, we did" post) and sends it."""
    posts = services.metrics.posts
    try:
        queued = await services.digests.run(team_id, kind)
    except Exception as error:  # one line, counted: the next due time, or a restart, tries again
        posts.labels(kind, "failed").inc()
        log.error("%s for team %s failed: %s", kind, team_id, type(error).__name__)
        return
    posts.labels(kind, "sent" if queued else "nothing").inc()
    if queued:
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


def build_scheduler(services: Services, adapters: dict[str, Platform]) -> AsyncIOScheduler:
    """Returns the scheduler with nearmiss's jobs, not yet started: a digest job per team, and a
    "you said, we did" job per team with a channel, beside the sweep, the drain and progress notes."""
    settings = services.settings
    scheduler = AsyncIOScheduler(
        timezone=settings.zone,
        job_defaults={
            "coalesce": True,
            "max_instances": 1,
            "misfire_grace_time": int(settings.digest.misfire_grace_hours * 3600),
        },
    )
    for job_id, (team, kind) in posts(settings).items():
        scheduler.add_job(post_job, services.digests.trigger(team, kind), args=(services, team.id, kind), id=job_id)
    scheduler.add_job(
        sweep_drafts,
        "interval",
        args=(services.housekeeping, adapters),
        id="sweep-drafts",
        minutes=settings.drafts.sweep_every_minutes,
    )
    scheduler.add_job(services.outbox.sweep, "interval", id="outbox", seconds=settings.scheduler.outbox_every_seconds)
    scheduler.add_job(progress_job, "interval", args=(services,), id="progress", hours=1)
    return scheduler


def posts(settings: Settings) -> dict[str, tuple[TeamSettings, str]]:
    """Returns each scheduled post's job id, with its team and kind."""
    return {f"{DIGEST}:{team.id}": (team, DIGEST) for team in settings.teams} | {
        f"{LEARNING}:{team.id}": (team, LEARNING) for team in settings.teams if team.channel
    }


def start_scheduler(scheduler: AsyncIOScheduler, services: Services) -> None:
    """Starts the scheduler, and at once each post that fell due while none ran (if any did)."""
    scheduler.start()
    for job_id in posts(services.settings):
        scheduler.get_job(job_id).modify(next_run_time=utcnow())
