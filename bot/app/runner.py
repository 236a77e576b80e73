"""`nearmiss run`: every configured platform, and the scheduler, until told to stop."""

import asyncio
import gc
import logging

from bot.app.config import ConfigProblem
from bot.app.scheduler import build_scheduler, start_scheduler
from bot.app.services import Services
from bot.services.platform import Platform
from flows import names

log = logging.getLogger(__name__)


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
        services.outbox.adapters = adapters  # every worker sends what it queues, at once
        if scheduler is not None:
            start_scheduler(scheduler, services)
        log.info("nearmiss running%s; stop with Ctrl-C", "" if scheduler else " (no scheduler)")
        await stop.wait()
    finally:
        if scheduler is not None and scheduler.running:
            scheduler.shutdown(wait=False)
        for adapter in reversed(started):
            await adapter.stop()
