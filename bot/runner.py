"""`nearmiss run`: every configured platform, and the scheduler, until told to stop."""

import asyncio
import logging

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.config import ConfigProblem, Settings
from bot.reporting import Reporting

log = logging.getLogger(__name__)


async def sweep_drafts(reporting: Reporting, adapters: dict) -> None:
    """Clears idle drafts, telling each reporter gently that nothing was kept, and old events."""
    for notice in await reporting.sweep():
        adapter = adapters.get(notice.platform)
        if adapter is None:
            continue
        try:
            await adapter.send(notice.chat_id, notice.message)
        except Exception as error:  # one unreachable reporter must not stop the others' notes
            log.warning("could not send an expiry note on %s: %s", notice.platform, type(error).__name__)


def build_scheduler(settings: Settings, reporting: Reporting, adapters: dict) -> AsyncIOScheduler:
    """Returns the scheduler with nearmiss's jobs, not yet started."""
    scheduler = AsyncIOScheduler(timezone=settings.zone)
    scheduler.add_job(
        sweep_drafts, "interval", args=(reporting, adapters), id="sweep-drafts",
        minutes=settings.drafts.sweep_every_minutes, coalesce=True, max_instances=1,
    )
    return scheduler


def build_adapters(settings: Settings, reporting: Reporting) -> dict:
    """Returns an adapter for each platform configured, by platform name."""
    adapters = {}
    if settings.telegram is not None:
        from bot.telegram import PLATFORM, TelegramAdapter

        adapters[PLATFORM] = TelegramAdapter(settings.telegram, reporting)
    if settings.slack is not None:
        from bot.slack import PLATFORM, SlackAdapter

        adapters[PLATFORM] = SlackAdapter(settings.slack, reporting)
    if not adapters:
        raise ConfigProblem("nothing to run: configure a platform, [telegram] or [slack]")
    return adapters


async def serve(settings: Settings, reporting: Reporting, stop: asyncio.Event) -> None:
    """Runs the adapters and the scheduler until `stop` is set."""
    adapters = build_adapters(settings, reporting)
    started = []
    scheduler = build_scheduler(settings, reporting, adapters)
    try:
        for adapter in adapters.values():
            await adapter.start()
            started.append(adapter)
        scheduler.start()
        log.info("nearmiss running; stop with Ctrl-C")
        await stop.wait()
    finally:
        if scheduler.running:
            scheduler.shutdown(wait=False)
        for adapter in reversed(started):
            await adapter.stop()
