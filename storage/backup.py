"""A consistent copy of the database, and putting one back: SQLite's online backup (the bot may
keep running), PostgreSQL's pg_dump and pg_restore. The keys are not in it: back them up apart."""

import asyncio
import os
import shutil
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import URL, make_url

from storage.database import libpq_address


class BackupProblem(RuntimeError):
    """A backup or restore cannot be made; the message says why and what to do."""


async def backup(database_url: str, folder: Path) -> Path:
    """Writes a copy of the database into `folder`; returns the file written."""
    url = make_url(database_url)
    await asyncio.to_thread(folder.mkdir, parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    if url.get_backend_name() == "sqlite":
        target = folder / f"nearmiss-{stamp}.db"
        await asyncio.to_thread(_copy_sqlite, _sqlite_file(url), target)
    else:
        target = folder / f"nearmiss-{stamp}.dump"
        await _postgres_tool("pg_dump", url, "--format=custom", "--no-owner", f"--file={target}")
    target.chmod(0o600)  # masked reports and sealed contacts: its owner's only
    return target


async def restore(database_url: str, file: Path) -> None:
    """Replaces everything in the database with the copy in `file`."""
    if not await asyncio.to_thread(file.is_file):
        raise BackupProblem(f"{file} is not a backup file")
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        await asyncio.to_thread(_copy_sqlite, file, _sqlite_file(url))
    else:
        await _postgres_tool(
            "pg_restore", url, "--clean", "--if-exists", "--no-owner", "--single-transaction", str(file)
        )


def _sqlite_file(url: URL) -> Path:
    if url.database in (None, "", ":memory:"):
        raise BackupProblem("an in-memory SQLite database has nothing to back up")
    return Path(str(url.database))


def _copy_sqlite(source: Path, target: Path) -> None:
    """Copies one SQLite database into another, page by page, while either may be in use."""
    if not source.is_file():
        raise BackupProblem(f"no SQLite database at {source}")
    reading, writing = sqlite3.connect(source), sqlite3.connect(target)
    try:
        reading.backup(writing)
    finally:
        reading.close()
        writing.close()


async def _postgres_tool(tool: str, url: URL, *arguments: str) -> None:
    """Runs pg_dump or pg_restore against the database, the password passed in the environment."""
    program = shutil.which(tool)
    if program is None:
        raise BackupProblem(
            f"{tool} is not installed: install PostgreSQL's client tools (Debian: apt install "
            "postgresql-client, of the server's major version or newer), or back up with your database's own tools"
        )
    environment = dict(os.environ) | ({"PGPASSWORD": str(url.password)} if url.password else {})
    address = libpq_address(url).set(password=None).render_as_string(hide_password=False)
    process = await asyncio.create_subprocess_exec(
        program, f"--dbname={address}", *arguments, env=environment, stderr=asyncio.subprocess.PIPE
    )
    _out, errors = await process.communicate()
    if process.returncode != 0:
        raise BackupProblem(f"{tool} failed: {errors.decode(errors='replace').strip()[-500:]}")
