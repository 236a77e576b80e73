"""The `nearmiss` command."""

import argparse
import asyncio
import logging
import os
import signal
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.app.config import ConfigProblem, DatabaseSettings, KeySettings, Settings, TeamSettings, load_settings
from bot.app.startup import REDACTOR, StartupProblem, explain, protect_logs
from storage.keys import (
    CONTACT_ENV,
    PSEUDONYM_ENV,
    KeyProblem,
    KeySource,
    create_key_file,
)

log = logging.getLogger("nearmiss")


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    _configure_logging(args.verbose)
    try:
        return asyncio.run(args.command(args)) or 0
    except (ConfigProblem, KeyProblem, StartupProblem) as problem:
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
    digest.add_argument("--chart", type=Path, help="also write its chart to this PNG file")
    digest.set_defaults(command=_digest)

    stats = commands.add_parser("stats", help="how well reporters hear back, team by team")
    stats.add_argument("--config", type=Path, required=True)
    stats.add_argument("--days", type=int, help="measure the reports of this many days (default: the config's)")
    stats.set_defaults(command=_stats)

    export = commands.add_parser("export", help="write pseudonymous reports to standard output")
    export.add_argument("--config", type=Path, required=True)
    export.add_argument("--format", choices=("json", "csv"), default="json")
    export.set_defaults(command=_export)

    erase = commands.add_parser("erase", help="delete one report and its contact, at its reporter's request")
    erase.add_argument("--config", type=Path, required=True)
    erase.add_argument("--code", required=True, help="the report's reference, e.g. NM-7K3F-9Q2C")
    erase.set_defaults(command=_erase)

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


def _configure_logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # HTTP client logs carry the bot token in request URLs; platform libraries' debug logs carry
    # update payloads. Neither belongs in our logs.
    for noisy in (
        "httpx",
        "httpcore",
        "telegram",
        "slack_bolt",
        "slack_sdk",
        "apscheduler",
        "aiosqlite",
        "asyncio",
        "alembic.runtime.plugins",
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
        await _show_latest(services.database)
    finally:
        await services.database.close()
    return 0


async def _show_latest(database) -> None:
    import json

    from sqlalchemy import select

    from bot.services.export import record
    from storage.models import Report

    async with database.unit() as session:
        latest = await session.scalar(select(Report).order_by(Report.submitted_at.desc()).limit(1))
        if latest is not None:
            print("\nThe latest report as stored (no name, no user id; text already masked):")
            print(json.dumps(record(latest), indent=2, ensure_ascii=False))


async def _run(args: argparse.Namespace) -> int:
    from bot.app.runner import serve

    settings = load_settings(args.config)
    services = await _open(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
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
    if args.chart is not None:
        args.chart.write_bytes(digest.chart)
        print(f"\n(chart written to {args.chart})")
    return 0


async def _stats(args: argparse.Namespace) -> int:
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
            rows.append(("all teams", await feedback_measures(session, since=now - timedelta(days=days), until=now)))
    finally:
        await database.close()
    print(f"Feedback on the reports of the last {days} days:")
    print(f"{'team':<20}{'reports':>8}{'with feedback':>15}{'share':>7}{'median days to it':>19}")
    for team, m in rows:
        share = f"{100 * m.with_feedback / m.reports:.0f}%" if m.reports else "-"
        median = f"{m.median_days:.1f}" if m.median_days is not None else "-"
        print(f"{team:<20}{m.reports:>8}{m.with_feedback:>15}{share:>7}{median:>19}")
    return 0


async def _export(args: argparse.Namespace) -> int:
    from bot.services.export import write_csv, write_json
    from storage import report_store
    from storage.triage_store import audit

    database = await _database(load_settings(args.config))
    write = write_json if args.format == "json" else write_csv
    try:
        async with database.unit() as session:
            count = await write(report_store.stream_reports(session), sys.stdout)
            await audit(
                session,
                actor="cli",
                team="*",
                verb="export",
                now=datetime.now(UTC),
                detail=f"{count} reports as {args.format}",
            )
    finally:
        await database.close()
    log.info("exported %d reports", count)
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
