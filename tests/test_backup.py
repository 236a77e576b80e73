"""`nearmiss backup` and `nearmiss restore`: a copy of the database, the database wiped, the copy
put back, and every report exported as before, on SQLite and PostgreSQL."""

import json
import sqlite3
from contextlib import closing
from pathlib import Path

import asyncpg
from sqlalchemy.engine import make_url

from tests.test_cli import nearmiss, write_config
from tests.test_digests import a_week_of_reports


async def wipe(database_url: str) -> None:
    """Loses everything in the database, as a failed disk or a mistaken command would."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        with closing(sqlite3.connect(str(url.database))) as connection:
            tables = connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
            connection.execute("PRAGMA foreign_keys = OFF")
            for (table,) in tables:
                connection.execute(f'DROP TABLE "{table}"')
            connection.commit()
        return
    connection = await asyncpg.connect(url.set(drivername="postgresql").render_as_string(hide_password=False))
    try:
        await connection.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    finally:
        await connection.close()


def exported(config: Path, env: dict) -> list[dict]:
    result = nearmiss("export", "--config", str(config), env=env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


async def test_a_backup_restored_after_the_database_is_lost_holds_every_report(
    tmp_path, reporting, clock, database_url, key_env
):
    await a_week_of_reports(reporting, clock)
    config = write_config(
        tmp_path / "config.toml", f'[database]\nurl = "{database_url}"\n[[teams]]\nid = "north"\nname = "North"\n'
    )
    before = exported(config, key_env)
    assert len(before) == 7

    made = nearmiss("backup", "--config", str(config), "--to", str(tmp_path / "backups"), env=key_env)
    assert made.returncode == 0, made.stderr
    [copy] = (tmp_path / "backups").iterdir()
    assert copy.stat().st_mode & 0o077 == 0, "the copy is its owner's only"

    await wipe(database_url)

    refused = nearmiss("restore", "--config", str(config), "--from", str(copy), env=key_env)
    assert refused.returncode == 2 and "add --yes" in refused.stderr
    restored = nearmiss("restore", "--config", str(config), "--from", str(copy), "--yes", env=key_env)
    assert restored.returncode == 0, restored.stderr
    assert exported(config, key_env) == before


def test_a_backup_without_pg_dump_says_what_to_install(tmp_path):
    config = write_config(
        tmp_path / "config.toml",
        '[database]\nurl = "postgresql+asyncpg://nearmiss@127.0.0.1:9/nearmiss"\n[[teams]]\nid = "a"\nname = "A"\n',
    )
    result = nearmiss("backup", "--config", str(config), "--to", str(tmp_path), env={"PATH": str(tmp_path)})
    assert result.returncode == 2
    assert "pg_dump is not installed: install PostgreSQL's client tools" in result.stderr
