"""The operations listener: `/healthz` (the process answers), `/readyz` (it can do its work: the
database answers with its schema up to date, and every configured platform is connected; it also
says whether this process runs the scheduler) and `/metrics` (Prometheus's text format)."""

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from prometheus_client import CONTENT_TYPE_LATEST
from sqlalchemy import Connection

from bot.adapters.webserver import serve
from bot.app.config import ConfigProblem
from bot.app.services import Services
from flows.clock import utcnow
from storage import outbox_store
from storage.database import MIGRATIONS

log = logging.getLogger(__name__)

CHECK_TIMEOUT = 3.0  # seconds the database has to answer a check


@dataclass
class Readiness:
    """What the runner knows of this process's parts."""

    platforms: dict[str, bool]  # each configured platform: connected yet?
    scheduler: str  # "held" (this process runs it), "waiting" (another does, or none yet), "off"


async def start_ops(services: Services, readiness: Readiness) -> web.AppRunner:
    """Serves the operations endpoints on [ops] host and port; returns the runner to clean up."""
    head = _head_revision()
    app = web.Application()

    async def healthz(_request: web.Request) -> web.Response:
        return web.json_response({"alive": True})

    async def readyz(_request: web.Request) -> web.Response:
        state = await _check(services, readiness, head)
        return web.json_response(state, status=200 if state["ready"] else 503)

    async def metrics(_request: web.Request) -> web.Response:
        await _count_backlog(services)
        return web.Response(body=services.metrics.text(), headers={"Content-Type": CONTENT_TYPE_LATEST})

    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/metrics", metrics)
    settings = services.settings.ops
    try:
        runner, port = await serve(app, settings.host, settings.port or 0)
    except OSError as error:
        raise ConfigProblem(f"[ops] cannot listen on {settings.host}:{settings.port}: {error.strerror}") from None
    log.info("operations listener on %s:%d", settings.host, port)
    return runner


async def _check(services: Services, readiness: Readiness, head: str | None) -> dict[str, Any]:
    try:
        async with asyncio.timeout(CHECK_TIMEOUT), services.database.engine.connect() as connection:
            current = await connection.run_sync(_current_revision)
        database, schema = "reachable", "at head" if current == head else f"at {current}, head is {head}"
    except Exception as error:  # any failure to answer is "unreachable"; its kind says why
        database, schema = f"unreachable ({type(error).__name__})", "unknown"
    platforms = {name: "connected" if up else "connecting" for name, up in readiness.platforms.items()}
    return {
        "ready": database == "reachable" and schema == "at head" and all(readiness.platforms.values()),
        "database": database,
        "schema": schema,
        "platforms": platforms,
        "scheduler": readiness.scheduler,
    }


async def _count_backlog(services: Services) -> None:
    """Sets the outbox gauges from the database (left as they were if it does not answer)."""
    try:
        async with asyncio.timeout(CHECK_TIMEOUT), services.database.unit() as session:
            count, oldest = await outbox_store.backlog(session)
    except Exception as error:
        log.warning("could not count the outbox for /metrics: %s", type(error).__name__)
        return
    services.metrics.outbox_pending.set(count)
    services.metrics.outbox_oldest.set(0 if oldest is None else max(0.0, (utcnow() - oldest).total_seconds()))


def _head_revision() -> str | None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(config).get_current_head()


def _current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()
