"""The database: one async engine, migrations on start, and a unit of work per change."""

import functools
import sqlite3
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Table, bindparam, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.exc import InvalidatePoolError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry, PoolProxiedConnection
from sqlalchemy.sql.dml import Insert

from storage.models import Base

MIGRATIONS = Path(__file__).parent / "migrations"
QUEUED = "outbox_queued"  # session.info flag: this unit of work queued outbox messages
MIGRATION_LOCK = 0x6E6D6967  # PostgreSQL advisory lock id that serialises migrations ("nmig")


class Database:
    def __init__(self, url: str, *, lock_timeout: float = 30, pool_size: int = 20, ping_after_idle: float = 10) -> None:
        parsed = make_url(url)
        self.is_sqlite = parsed.get_backend_name() == "sqlite"
        in_memory = parsed.database in (None, "", ":memory:")
        if self.is_sqlite and sqlite3.sqlite_version_info < (3, 35):  # INSERT ... RETURNING
            raise RuntimeError(f"nearmiss needs SQLite 3.35 or newer; this Python has {sqlite3.sqlite_version}")
        if self.is_sqlite and not in_memory and parsed.database is not None:  # not in memory: never None
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        if self.is_sqlite:
            # SQLite takes one writer at a time, and a second connection waits for it by sleeping
            # and polling: queueing for the one connection here is fairer and quicker.
            options: dict[str, Any] = {"connect_args": {"timeout": lock_timeout}}
            options |= {} if in_memory else {"pool_size": 1, "max_overflow": 0}  # in memory: one already
        else:
            # Connections kept open, so that none is opened and closed again per update under load.
            options = {"pool_size": pool_size, "max_overflow": pool_size}
        self.engine = create_async_engine(url, hide_parameters=True, **options)
        if self.is_sqlite:
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas(lock_timeout))
        else:
            _ping_after_idle(self.engine, ping_after_idle)
        self._sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        # Called after a unit of work that queued outbox messages commits (the sender's wake-up).
        self.on_queued: Callable[[], None] = lambda: None

    async def migrate(self, revision: str = "head") -> None:
        """Brings the schema up to the newest migration (or to the one named)."""
        async with self.engine.connect() as connection:
            await connection.run_sync(_migrate, command.upgrade, revision)

    async def downgrade(self, revision: str) -> None:
        """Takes the schema back to an older migration, keeping every row it still has room for."""
        async with self.engine.connect() as connection:
            await connection.run_sync(_migrate, command.downgrade, revision)

    @asynccontextmanager
    async def unit(self) -> AsyncIterator[AsyncSession]:
        """Yields a session whose changes commit together when the block ends, or not at all."""
        async with self._sessions() as session:
            async with session.begin():
                yield session
            if session.info.pop(QUEUED, False):
                self.on_queued()

    async def close(self) -> None:
        await self.engine.dispose()


async def insert_new(session: AsyncSession, model: type[Base], *, unique: tuple[str, ...], **values: Any) -> bool:
    """Inserts one row unless a row with the same `unique` columns exists, and says whether it did:
    one statement, where a look-up first would be two."""
    # The model's Table, looked up by name: SQLAlchemy types `__table__` as any FromClause.
    table = Base.metadata.tables[model.__tablename__]
    statement = _insert_new(session.get_bind().dialect.name, table, unique, tuple(values))
    return await session.scalar(statement, values) is not None


@functools.cache
def _insert_new(dialect_name: str, table: Table, unique: tuple[str, ...], columns: tuple[str, ...]) -> Insert:
    # Built once for each table and set of columns: building a statement costs more CPU than
    # running it, and seen events and outbox messages are inserted on every update.
    insert = postgresql.insert if dialect_name == "postgresql" else sqlite.insert
    return (
        insert(table)
        .values({column: bindparam(column) for column in columns})
        .on_conflict_do_nothing(index_elements=list(unique))
        .returning(table.c[unique[0]])
    )


def _ping_after_idle(engine: AsyncEngine, seconds: float) -> None:
    """Checks a pooled connection still works before handing it out, if it has sat unused for
    `seconds`: one that failed quietly (a server restart, a dropped link) is replaced rather than
    failing the update or the digest that drew it. SQLAlchemy's pool_pre_ping does the same for
    every checkout, three round trips each on asyncpg, where a busy bot's connections were in
    use milliseconds before."""
    pool = engine.sync_engine.pool

    @event.listens_for(pool, "checkin")
    def on_checkin(_connection: DBAPIConnection, record: ConnectionPoolEntry) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(pool, "checkout")
    def on_checkout(connection: DBAPIConnection, record: ConnectionPoolEntry, _proxy: PoolProxiedConnection) -> None:
        idle_since = record.info.pop("idle_since", None)
        if idle_since is None or time.monotonic() - idle_since < seconds:
            return
        try:
            engine.dialect.do_ping(connection)
        except Exception as error:
            # As pool_pre_ping does: this one and every connection pooled before it are replaced.
            raise InvalidatePoolError("a pooled connection failed its check") from error


def _sqlite_pragmas(lock_timeout: float) -> Callable[[DBAPIConnection, ConnectionPoolEntry], None]:
    def on_connect(connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
        cursor = connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(lock_timeout * 1000)}")
        cursor.close()

    return on_connect


def _migrate(connection: Connection, step: Callable[[Config, str], None], revision: str) -> None:
    """Runs Alembic's upgrade or downgrade in one transaction: on PostgreSQL one process at a
    time (others wait, then find the work done); on SQLite with foreign keys off, checked after."""
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        # A column dropped or altered on SQLite rebuilds its table: dropping the old table with
        # foreign keys on would delete every row that refers to it (contacts, links).
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
    else:
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")
    try:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        config.attributes["connection"] = connection
        step(config, revision)
        if sqlite and (dangling := connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()):
            raise RuntimeError(f"migrating to {revision} would leave {len(dangling)} rows pointing at nothing")
        connection.commit()
    finally:
        connection.rollback()  # nothing left after a commit; all of it after a failure
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            connection.commit()


def libpq_address(url: URL) -> URL:
    """Returns a SQLAlchemy PostgreSQL URL as libpq (and asyncpg's own connect) reads it: no
    driver, and SQLAlchemy's asyncpg ?ssl=require as sslmode."""
    query = {("sslmode" if key == "ssl" else key): value for key, value in url.query.items()}
    return url.set(drivername="postgresql", query=query)
