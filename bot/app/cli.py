"""The `nearmiss` command."""

import argparse
import asyncio
import contextlib
import io
import logging
import os
import signal
import sys
from collections.abc import Coroutine, Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from bot.app.config import ConfigProblem, DatabaseSettings, KeySettings, Settings, TeamSettings, load_settings
from bot.app.startup import REDACTOR, StartupProblem, explain, protect_logs
from storage.backup import BackupProblem
from storage.keys import (
    CONTACT_ENV,
    PSEUDONYM_ENV,
    KeyProblem,
    KeySource,
    create_key_file,
)

log = logging.getLogger("nearmiss")


def _run_loop(command: Coroutine[Any, Any, int | None]) -> int | None:
    """Runs a command on uvloop, a faster event loop than asyncio's own: at 200 Teams users it
    roughly halves the time to answer a card action (docs/benchmarks.md)."""
    if sys.platform == "win32":
        return asyncio.run(command)
    import uvloop

    return uvloop.run(command)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    _configure_logging(args.verbose)
    try:
        return _run_loop(args.command(args)) or 0
    except (ConfigProblem, KeyProblem, BackupProblem, StartupProblem) as problem:
        print(f"nearmiss: {REDACTOR.redact(str(problem))}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as error:  # one line, what is wrong and what to do; never a secret
        if args.verbose:
            log.error("nearmiss stopped", exc_info=error)
        print(f"nearmiss: {explain(error)}", file=sys.stderr)
        return 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="nearmiss", description="Report near misses in children's social care.")
    parser.add_argument("-v", "--verbose", action="store_true", help="log more (never report text or user ids)")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    demo = commands.add_parser("demo", help="file a report in the terminal, on an embedded database")
    demo.add_argument(
        "--data-dir",
        type=Path,
        default=Path(".nearmiss-demo"),
        help="where the demo keeps its database and keys (default: .nearmiss-demo)",
    )
    demo.set_defaults(command=_demo)

    run = commands.add_parser("run", help="run every configured platform and the scheduler")
    run.add_argument("--config", type=Path, required=True)
    run.add_argument(
        "--no-scheduler",
        action="store_true",
        help="an extra worker: serve platforms only; one other process runs the scheduler",
    )
    run.set_defaults(command=_run)

    digest = commands.add_parser("digest", help="compose a team's digest")
    digest.add_argument("--config", type=Path, required=True)
    digest.add_argument("--team", required=True, help="the team's id in the config")
    digest.add_argument(
        "--dry-run",
        action="store_true",
        required=True,
        help="print the next digest to the terminal; record and send nothing",
    )
    digest.add_argument(
        "--chart", type=Path, help="also write its charts as PNG files: this one, then NAME-2.png and on"
    )
    digest.set_defaults(command=_digest)

    stats = commands.add_parser("stats", help="how well reporters hear back, team by team")
    stats.add_argument("--config", type=Path, required=True)
    stats.add_argument("--days", type=int, help="measure the reports of this many days (default: the config's)")
    stats.set_defaults(command=_stats)

    export = commands.add_parser("export", help="write pseudonymous reports with their triage, for analysis")
    export.add_argument("--config", type=Path, required=True)
    export.add_argument("--format", choices=("json", "csv", "xlsx"), default="json")
    _add_scope(export, "sent")
    export.add_argument("--output", type=Path, help="write to this file (default: standard output)")
    export.set_defaults(command=_export)

    board = commands.add_parser("board-report", help="one team's period for a board meeting, as PDF and HTML")
    board.add_argument("--config", type=Path, required=True)
    board.add_argument("--team", required=True, help="the team's id in the config")
    board.add_argument("--period", help="a calendar quarter, e.g. 2026Q4 (or give --since and --until)")
    board.add_argument("--since", type=date.fromisoformat, help="the period's first day (YYYY-MM-DD)")
    board.add_argument("--until", type=date.fromisoformat, help="the period's last day")
    board.add_argument("--language", choices=("en", "cy"), help="default: the team's first language")
    board.add_argument("--output", type=Path, default=Path("."), help="the folder to write it to (default: here)")
    board.set_defaults(command=_board_report)

    erase = commands.add_parser("erase", help="delete one report and its contact, at its reporter's request")
    erase.add_argument("--config", type=Path, required=True)
    erase.add_argument("--code", required=True, help="the report's reference, e.g. NM-7K3F-9Q2C")
    erase.set_defaults(command=_erase)

    backup = commands.add_parser("backup", help="write a consistent copy of the database (not the keys)")
    backup.add_argument("--config", type=Path, required=True)
    backup.add_argument("--to", type=Path, required=True, metavar="DIR", help="the folder to write it in")
    backup.set_defaults(command=_backup)

    restore = commands.add_parser("restore", help="replace everything in the database with a backup")
    restore.add_argument("--config", type=Path, required=True)
    restore.add_argument("--from", dest="source", type=Path, required=True, metavar="FILE")
    restore.add_argument("--yes", action="store_true", help="yes, replace what the database holds now")
    restore.set_defaults(command=_restore)

    package = commands.add_parser("teams-package", help="build the app package to upload to Microsoft Teams")
    package.add_argument("--config", type=Path, required=True)
    package.add_argument("--output", type=Path, default=Path("nearmiss-teams.zip"))
    package.set_defaults(command=_teams_package)

    migrate = commands.add_parser("migrate", help="bring the database schema up to date")
    migrate.add_argument("--config", type=Path, required=True)
    migrate.set_defaults(command=_migrate)

    keys = commands.add_parser("keys", help="manage the keys held outside the database")
    key_commands = keys.add_subparsers(required=True, metavar="ACTION")
    init = key_commands.add_parser("init", help="create the key file named in the config")
    init.add_argument("--config", type=Path, required=True)
    init.set_defaults(command=_keys_init)
    rotate = key_commands.add_parser(
        "rotate", help="make new keys, keep the old ones for old pseudonyms, re-encrypt every contact"
    )
    rotate.add_argument("--config", type=Path, required=True)
    rotate.set_defaults(command=_keys_rotate)
    return parser


def _add_scope(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument("--team", action="append", help="only this team (its id in the config; may be repeated)")
    parser.add_argument(
        "--since", type=date.fromisoformat, help=f"only reports {what} on or after this day (YYYY-MM-DD)"
    )
    parser.add_argument("--until", type=date.fromisoformat, help=f"only reports {what} on or before this day")


def _teams(settings: Settings, wanted: list[str] | None) -> list[str] | None:
    """Returns the teams asked for, each checked against the config; None for every team."""
    for team in wanted or ():
        if settings.team(team) is None:
            raise ConfigProblem(f"no team {team!r} in the config; teams: " + ", ".join(t.id for t in settings.teams))
    return wanted


def _start_of(day: date | None, settings: Settings) -> datetime | None:
    """Returns the start of a day in the configured time zone."""
    return None if day is None else datetime.combine(day, time(), settings.zone)


def _configure_logging(verbose: bool, style: str = "text") -> None:
    """Logs to standard error, as text or as one JSON object a line (time, level, logger, message)."""
    handler = logging.StreamHandler()
    if style == "json":
        from pythonjsonlogger.json import JsonFormatter

        handler.setFormatter(
            JsonFormatter(
                ["levelname", "name", "message"],
                rename_fields={"levelname": "level", "name": "logger"},
                timestamp="time",
            )
        )
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=logging.DEBUG if verbose else logging.INFO, handlers=[handler], force=True)
    # HTTP client logs carry the bot token in request URLs; platform libraries' debug logs carry
    # update payloads. Neither belongs in our logs.
    for noisy in (
        "httpx",
        "httpcore",
        "telegram",
        "slack_bolt",
        "slack_sdk",
        "microsoft_teams",
        # The Teams SDK copies this logger's level onto httpx's each time it makes a client (every
        # activity): left unset, httpx would log each Connector call at INFO, its URL and all.
        "microsoft_teams.common.http.client",
        "apscheduler",
        "aiosqlite",
        "asyncio",
        "alembic.runtime.plugins",
        "fontTools",  # fpdf2's font subsetting, a line a table
    ):
        logging.getLogger(noisy).setLevel(logging.WARNING)


async def _database(settings: Settings):
    from storage.database import Database

    protect_logs(settings)
    try:
        database = Database(settings.database.url, pool_size=settings.database.pool_size)
        await database.migrate()
    except Exception as error:
        raise StartupProblem(explain(error, settings)) from None
    return database


async def _open(settings: Settings):
    """Returns the services, on a migrated database whose data the loaded keys can read."""
    from bot.app.services import Services
    from storage import report_store

    keys = KeySource(settings.keys.file)
    protect_logs(settings, keys.keys)
    database = await _database(settings)
    async with database.unit() as session:
        in_use = await report_store.key_ids_in_use(session)
    keys.require(in_use)
    missing = in_use - keys.keys.known_ids()
    if missing:
        await database.close()
        raise KeyProblem(
            f"the database holds data under key(s) {', '.join(sorted(missing))}, which the loaded keys "
            "do not include: is this the right key file?"
        )
    return Services.build(settings, database, keys)


async def _demo(args: argparse.Namespace) -> int:
    logging.getLogger().setLevel(logging.WARNING)  # the demo's screen is the conversation
    from bot.adapters.terminal import converse
    from bot.services.sender import Sender

    data = args.data_dir.resolve()
    settings = Settings(
        teams=(TeamSettings(id="demo", name="Demo team", members={"terminal": ("demo",)}),),
        database=DatabaseSettings(url=f"sqlite+aiosqlite:///{data / 'nearmiss-demo.db'}"),
        keys=KeySettings(file=data / "demo.keys"),
    )
    if not settings.keys.file.exists():
        create_key_file(settings.keys.file)
    services = await _open(settings)
    try:
        print("nearmiss demo: a near-miss report, as a reporter sees it on their phone.")
        print(f"Data: {data} (delete it to start afresh)")
        await converse(services.front, sender=Sender("terminal", "demo", "demo"))
        await _show_latest(services.database, settings)
    finally:
        await services.database.close()
    return 0


async def _show_latest(database, settings: Settings) -> None:
    import json

    from bot.services.export import View, write_json
    from storage.export_store import report_records

    async with database.unit() as session:
        latest = [record async for record in report_records(session)][-1:]
    if latest:

        async def newest():
            yield latest[0]

        print("\nThe latest report as stored (no name, no user id; text already masked):")
        out = io.StringIO()
        await write_json(newest(), View(settings.lists.to_lists(), settings.zone, {"demo": "Demo team"}), out)
        print(json.dumps(json.loads(out.getvalue())[0], indent=2, ensure_ascii=False))


async def _run(args: argparse.Namespace) -> int:
    from bot.app.runner import serve

    settings = load_settings(args.config)
    _configure_logging(args.verbose, settings.logging.format)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    opening, stopped = asyncio.create_task(_open(settings)), asyncio.create_task(stop.wait())
    await asyncio.wait([opening, stopped], return_when=asyncio.FIRST_COMPLETED)
    stopped.cancel()
    if not opening.done():  # told to stop before the database answered
        opening.cancel()
        return 0
    services = opening.result()
    try:
        await serve(services, stop, scheduler_enabled=settings.scheduler.enabled and not args.no_scheduler)
    finally:
        await services.database.close()
    return 0


async def _digest(args: argparse.Namespace) -> int:
    settings = load_settings(args.config)
    if settings.team(args.team) is None:
        raise ConfigProblem(
            f"no team {args.team!r} in {args.config}; teams: " + ", ".join(team.id for team in settings.teams)
        )
    services = await _open(settings)
    try:
        digest = await services.digests.preview(args.team)
    finally:
        await services.database.close()
    print(digest.text)
    for number, chart in enumerate(digest.charts if args.chart is not None else ()):
        path = args.chart if not number else args.chart.with_stem(f"{args.chart.stem}-{number + 1}")
        path.write_bytes(chart.png)
        print(f"\n(chart written to {path}; in words:)\n{chart.alt}")
    return 0


async def _stats(args: argparse.Namespace) -> int:
    from flows.digest_text import stats_table
    from storage.triage_store import feedback_measures

    settings = load_settings(args.config)
    days = settings.feedback.measure_days if args.days is None else args.days
    if days < 1:
        raise ConfigProblem("--days must be 1 or more")
    database, now = await _database(settings), datetime.now(UTC)
    try:
        async with database.unit() as session:
            rows = [
                (team.id, await feedback_measures(session, since=now - timedelta(days=days), until=now, team=team.id))
                for team in settings.teams
            ]
            everyone = await feedback_measures(session, since=now - timedelta(days=days), until=now)
    finally:
        await database.close()
    print("\n".join(stats_table(rows, everyone, days=days, small=settings.digest.small_count)))
    return 0


async def _export(args: argparse.Namespace) -> int:
    from bot.services.export import View, write_csv, write_json, write_xlsx
    from storage.export_store import report_records
    from storage.triage_store import audit

    settings = load_settings(args.config)
    teams = _teams(settings, args.team)
    until = None if args.until is None else args.until + timedelta(days=1)
    view = View(settings.lists.to_lists(), settings.zone, {team.id: team.name for team in settings.teams})
    database = await _database(settings)
    try:
        async with database.unit() as session:
            records = report_records(
                session, teams=teams, since=_start_of(args.since, settings), until=_start_of(until, settings)
            )
            with _destination(args.output, binary=args.format == "xlsx") as out:
                if args.format == "xlsx":
                    count = await write_xlsx(records, view, out)
                else:
                    count = await (write_json if args.format == "json" else write_csv)(records, view, out)
            scope = " ".join(
                f"{name}={value}"
                for name, value in (("teams", ",".join(teams or ())), ("since", args.since), ("until", args.until))
                if value
            )
            await audit(
                session,
                actor="cli",
                team=",".join(teams) if teams else "*",
                verb="export",
                now=datetime.now(UTC),
                detail=f"{count} reports as {args.format}" + (f" ({scope})" if scope else ""),
            )
    finally:
        await database.close()
    log.info("exported %d reports", count)
    return 0


@contextlib.contextmanager
def _destination(path: Path | None, *, binary: bool) -> Iterator[Any]:
    """Yields the file to write to: the named one, or standard output."""
    if path is None:
        yield sys.stdout.buffer if binary else sys.stdout
        return
    with path.open("wb") if binary else path.open("w", encoding="utf-8", newline="") as out:
        yield out


async def _board_report(args: argparse.Namespace) -> int:
    from bot.services.board_report import as_html, as_pdf, board_report
    from flows.board import Period, quarter

    settings = load_settings(args.config)
    [team] = _teams(settings, [args.team]) or [args.team]
    if args.period is not None and args.since is None and args.until is None:
        try:
            period = quarter(args.period)
        except ValueError as problem:
            raise ConfigProblem(str(problem)) from None
    elif args.period is None and args.since is not None and args.until is not None and args.since <= args.until:
        period = Period(args.since, args.until + timedelta(days=1))
    else:
        raise ConfigProblem("give --period (e.g. 2026Q4), or --since and --until with since before until")
    language = args.language or settings.team(team).languages[0]
    database = await _database(settings)
    try:
        document = await board_report(
            database, settings, team=team, period=period, language=language, today=datetime.now(settings.zone).date()
        )
    finally:
        await database.close()
    args.output.mkdir(parents=True, exist_ok=True)
    name = f"board-report-{team}-{args.period or f'{period.start}-to-{args.until}'}"
    (args.output / f"{name}.html").write_text(as_html(document, language), encoding="utf-8")
    (args.output / f"{name}.pdf").write_bytes(as_pdf(document, language))
    print(f"wrote {args.output / name}.pdf and .html")
    return 0


async def _erase(args: argparse.Namespace) -> int:
    from storage import report_store

    database = await _database(load_settings(args.config))
    try:
        async with database.unit() as session:
            erased = await report_store.erase_report(session, reference=args.code)
    finally:
        await database.close()
    if not erased:
        print(f"nearmiss: no report has the reference {args.code}", file=sys.stderr)
        return 1
    print(f"erased {args.code.strip().upper()} and any contact kept with it")
    return 0


async def _backup(args: argparse.Namespace) -> int:
    from storage.backup import backup

    written = await backup(load_settings(args.config).database.url, args.to)
    print(f"wrote {written}; the key file is not in it: keep its own backup apart")
    return 0


async def _restore(args: argparse.Namespace) -> int:
    from storage.backup import restore

    if not args.yes:
        raise ConfigProblem("restore replaces everything in the database: stop nearmiss, then add --yes")
    settings = load_settings(args.config)
    await restore(settings.database.url, args.source)
    await (await _database(settings)).close()  # a backup from before an upgrade is migrated now
    print(f"restored {args.source}; start nearmiss again")
    return 0


async def _teams_package(args: argparse.Namespace) -> int:
    from bot.adapters.teams_package import package

    settings = load_settings(args.config)
    if settings.msteams is None:
        raise ConfigProblem(f"{args.config}: no [msteams] section: configure the Teams bot first")
    args.output.write_bytes(package(settings.msteams))
    print(f"wrote {args.output}: upload it in the Teams admin centre (Manage apps > Upload new app)")
    return 0


async def _migrate(args: argparse.Namespace) -> int:
    database = await _database(load_settings(args.config))
    await database.close()
    print("database is up to date")
    return 0


async def _keys_init(args: argparse.Namespace) -> int:
    settings = load_settings(args.config)
    path = settings.keys.file
    if path is None:
        raise ConfigProblem("[keys] file is not set")
    if path.exists():
        raise KeyProblem(f"{path} exists already; nearmiss never overwrites keys")
    create_key_file(path)
    print(f"created {path} (readable by its owner only); keep a backup outside the database's")
    return 0


async def _keys_rotate(args: argparse.Namespace) -> int:
    from storage.key_rotation import rotate_keys

    settings = load_settings(args.config)
    path = settings.keys.file
    if path is None or (os.environ.get(PSEUDONYM_ENV) and os.environ.get(CONTACT_ENV)):
        raise KeyProblem("keys come from the environment: rotate them where they are set")
    database = await _database(settings)
    try:
        count = await rotate_keys(path, database=database)
    finally:
        await database.close()
    print(f"rotated the keys in {path}; re-encrypted {count} contacts; old keys kept for old pseudonyms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
