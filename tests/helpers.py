"""Shared steps and checks for tests that go through a platform adapter."""

import asyncio
import os
import sys
from pathlib import Path
from typing import Any

from sqlalchemy import select

from flows.messages import WELSH, _, speaking
from storage.database import Database
from storage.models import Base

NEARMISS = str(Path(sys.executable).parent / "nearmiss")

TYPICAL_WHAT = "Mum said call her on 07700 900123; police were not told about the visit."


async def file_typical_report(chat, *, feedback: str = "Don't contact me") -> list[dict]:
    """Files the report most reporters would: buttons where possible, two short texts."""
    await answer_typical_report(chat, feedback=feedback)
    return await chat.tap("Submit")


async def answer_typical_report(chat, *, feedback: str = "Don't contact me") -> None:
    """Answers every question of the typical report, up to its summary card."""
    await chat.say("/report")
    await chat.tap("Yesterday")
    await chat.tap("Home visit")
    await chat.tap("Child or young person")
    await chat.tap("Police")
    await chat.tap("Done")
    await chat.say(TYPICAL_WHAT)
    await chat.say("Rang the duty manager and the police.")
    await chat.tap("Stopped before it happened")
    await chat.tap("Workload")
    await chat.tap("Done")
    await chat.tap("Skip")
    await chat.tap(feedback)


async def all_rows(database: Database) -> dict[str, list[dict]]:
    """Returns every row of every table, as plain dicts, by table name."""
    rows = {}
    async with database.unit() as session:
        for table in Base.metadata.sorted_tables:
            result = await session.execute(select(table))
            rows[table.name] = [dict(row._mapping) for row in result]
    return rows


async def stored_text(database: Database, database_file=None) -> str:
    """Returns everything the database holds as one string, to search for leaks."""
    text = repr(await all_rows(database))
    if database_file is not None:
        for path in database_file.parent.glob(database_file.name + "*"):
            text += path.read_bytes().decode("latin-1")
    return text


def cy(text: str) -> str:
    """Returns a catalogue text in Welsh, as the bot should say it."""
    with speaking(WELSH):
        return _(text)


async def start_run(
    config: Path,
    env: dict[str, str],
    *,
    stdout: Any = asyncio.subprocess.DEVNULL,
    stderr: Any = asyncio.subprocess.DEVNULL,
) -> asyncio.subprocess.Process:
    """Starts `nearmiss run` on a config file, with `env` added to this process's environment."""
    return await asyncio.create_subprocess_exec(
        NEARMISS, "run", "--config", str(config), env={**os.environ, **env}, stdout=stdout, stderr=stderr
    )
