"""Which process runs the scheduler. On PostgreSQL every `nearmiss run` may: the one holding a
session advisory lock, on a connection of its own, does. When that process dies, PostgreSQL ends
its session and frees the lock, and the next process to ask takes it. SQLite has one process."""

import asyncio
import logging

import asyncpg
from sqlalchemy.engine import make_url

from storage.database import libpq_address

log = logging.getLogger(__name__)

# Any 64-bit number no other lock in the database uses (the migrations' lock has its own): the
# letters "nmsched".
SCHEDULER_LOCK = 0x6E6D_7363_6865_64
CHECK_TIMEOUT = 5.0  # seconds a check of the held lock's connection may take before it counts as lost


class Leadership:
    """Waits for the scheduler's lock and says when it is lost."""

    def __init__(self, database_url: str, *, every: float = 10) -> None:
        url = make_url(database_url)
        self._dsn = None if url.get_backend_name() == "sqlite" else libpq_address(url)
        self._every = every  # seconds between tries for the lock, and between checks that it is held
        self._connection: asyncpg.Connection | None = None

    async def acquire(self) -> None:
        """Returns once this process holds the lock, trying again every few seconds."""
        if self._dsn is None:
            return
        while True:
            try:
                if self._connection is None or self._connection.is_closed():
                    self._connection = await asyncpg.connect(
                        self._dsn.render_as_string(hide_password=False), timeout=CHECK_TIMEOUT
                    )
                if await self._connection.fetchval("SELECT pg_try_advisory_lock($1)", SCHEDULER_LOCK):
                    return
            except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
                log.warning("could not ask for the scheduler's lock: %s", type(error).__name__)
                self.release()
            await asyncio.sleep(self._every)

    async def lost(self) -> None:
        """Returns when the lock's connection fails, and with it the lock (a restarted server)."""
        if self._connection is None:
            await asyncio.Event().wait()  # SQLite: held for as long as the process runs
            return
        while True:
            await asyncio.sleep(self._every)
            try:
                await self._connection.fetchval("SELECT 1", timeout=CHECK_TIMEOUT)
            except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
                log.warning("lost the scheduler's lock: %s", type(error).__name__)
                self.release()
                return

    def release(self) -> None:
        """Lets the lock go (closing its connection frees it)."""
        connection, self._connection = self._connection, None
        if connection is not None and not connection.is_closed():
            connection.terminate()  # no goodbye to wait on: the server frees the lock either way
