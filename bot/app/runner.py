"""`nearmiss run`: every configured platform, the scheduler while this process holds it, and the
operations listener, until told to stop.

Each platform starts on its own: one that cannot connect tries again in the background, with a
growing wait and one log line a try, and holds back neither the other platforms nor the
scheduler. Stopping abandons what has not finished within a few seconds: an update not yet
confirmed is delivered again, and an outbox message claimed but not sent falls due again when its
claim runs out, so nothing is lost."""

import asyncio
import gc
import itertools
import logging

from bot.app.config import ConfigProblem
from bot.app.ops import Readiness, start_ops
from bot.app.scheduler import build_scheduler, start_scheduler
from bot.app.services import Services
from bot.app.startup import StartupProblem, credentials_refused, explain
from bot.services.platform import Platform
from flows import names
from storage.leadership import Leadership

log = logging.getLogger(__name__)

RETRY_WAITS = (1, 2, 5, 10, 30, 60)  # seconds before each new try to connect; the last repeats
STOP_WAIT = 3.0  # seconds each part has to stop before it is abandoned


def build_adapters(services: Services) -> dict[str, Platform]:
    """Returns an adapter for each platform configured, by platform name."""
    settings, adapters = services.settings, list[Platform]()
    if settings.telegram is not None:
        from bot.adapters.telegram import TelegramAdapter

        adapters.append(TelegramAdapter(settings.telegram, services.front))
    if settings.slack is not None:
        from bot.adapters.slack import SlackAdapter

        adapters.append(SlackAdapter(settings.slack, services.front))
    if settings.msteams is not None:
        from bot.adapters.teams import TeamsAdapter

        adapters.append(TeamsAdapter(settings.msteams, services.front))
    if not adapters:
        raise ConfigProblem("nothing to run: configure a platform, [telegram], [slack] or [msteams]")
    return {adapter.name: adapter for adapter in adapters}


async def serve(services: Services, stop: asyncio.Event, *, scheduler_enabled: bool = True) -> None:
    """Runs the adapters, and the scheduler unless this is an extra worker, until `stop` is set."""
    adapters = build_adapters(services)
    names.prepare()
    gc.collect()
    gc.freeze()  # what start-up loaded lives as long as the process: no collection need walk it again
    readiness = Readiness(platforms=dict.fromkeys(adapters, False), scheduler="waiting" if scheduler_enabled else "off")
    for name in adapters:
        services.metrics.platform_up.labels(name).set(0)
    ops = await start_ops(services, readiness) if services.settings.ops.port is not None else None
    connected: dict[str, Platform] = {}  # the outbox sends only through these
    services.outbox.adapters = connected  # every worker sends what it queues, at once, as platforms connect
    tasks = [
        asyncio.create_task(_keep_connecting(adapter, connected, services, readiness)) for adapter in adapters.values()
    ]
    if scheduler_enabled:
        leadership = Leadership(services.settings.database.url, every=services.settings.scheduler.takeover_seconds)
        tasks.append(asyncio.create_task(_schedule(services, adapters, connected, leadership, readiness)))
    log.info("nearmiss running%s; stop with Ctrl-C", "" if scheduler_enabled else " (no scheduler)")
    try:
        await _until_stopped(stop, tasks)
    finally:
        log.info("stopping")
        for task in tasks:
            task.cancel()
        await asyncio.wait(tasks, timeout=STOP_WAIT)
        await asyncio.gather(*(_stop(adapter) for adapter in adapters.values()))
        if ops is not None:
            await ops.cleanup()


async def _until_stopped(stop: asyncio.Event, tasks: list[asyncio.Task]) -> None:
    """Waits for `stop`; a platform that refused nearmiss's credentials ends the wait with its
    error, since no retry can mend it."""
    stopping = asyncio.create_task(stop.wait())
    pending: set[asyncio.Task] = {stopping, *tasks}
    try:
        while not stopping.done():
            done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
            for task in done - {stopping}:
                if not task.cancelled() and task.exception() is not None:
                    raise task.exception()
    finally:
        stopping.cancel()


async def _keep_connecting(
    adapter: Platform, connected: dict[str, Platform], services: Services, readiness: Readiness
) -> None:
    """Starts the adapter, trying again with a growing wait until it connects."""
    for attempt in itertools.count(1):
        try:
            await adapter.start()
        except Exception as error:  # any failure to connect is tried again; only its kind is logged
            if credentials_refused(error):
                await _stop(adapter)
                raise StartupProblem(explain(error)) from None
            wait = RETRY_WAITS[min(attempt, len(RETRY_WAITS)) - 1]
            log.warning(
                "%s could not connect (try %d: %s); trying again in %ds", adapter.name, attempt, _kind(error), wait
            )
            await _stop(adapter)
            await asyncio.sleep(wait)
        else:
            connected[adapter.name] = adapter
            readiness.platforms[adapter.name] = True
            services.metrics.platform_up.labels(adapter.name).set(1)
            # What waited for this platform (replies queued before a crash or while it was away)
            # goes now, not at the scheduler's next sweep, which an extra worker never runs.
            services.outbox.kick()
            return


async def _schedule(
    services: Services,
    adapters: dict[str, Platform],
    connected: dict[str, Platform],
    leadership: Leadership,
    readiness: Readiness,
) -> None:
    """Runs the scheduler whenever this process holds its lock, and only then."""
    while True:
        await leadership.acquire()
        scheduler = build_scheduler(services, adapters)
        start_scheduler(scheduler, services)
        readiness.scheduler = "held"
        services.metrics.leader.set(1)
        log.info("this process runs the scheduler")
        try:
            await leadership.lost()
        finally:
            scheduler.shutdown(wait=False)
            readiness.scheduler = "waiting"
            services.metrics.leader.set(0)
            leadership.release()


async def _stop(adapter: Platform) -> None:
    """Stops an adapter, giving up after a few seconds: stopping never hangs."""
    try:
        await asyncio.wait_for(adapter.stop(), STOP_WAIT)
    except Exception as error:
        log.warning("%s did not stop cleanly: %s", adapter.name, _kind(error))


def _kind(error: BaseException) -> str:
    """Returns what kind of error it was, and what caused it: never its text, which can carry a
    token in a URL."""
    cause = error.__cause__ or error.__context__
    return type(error).__name__ + (f" from {type(cause).__name__}" if cause is not None else "")
