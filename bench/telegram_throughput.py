"""Telegram throughput and latency: N reporters filing reports at once through `nearmiss run`,
against a local fake Bot API server over HTTP, beside a bare python-telegram-bot echo bot doing
the same number of round trips on the same server.

    python bench/telegram_throughput.py [--reporters 100 500 1000] [--databases sqlite postgres]
                                        [--runs 3] [--think SECONDS]

With --think 0 (the default) each reporter sends its next update the moment it has the answer:
a closed loop that measures the most updates a second each bot manages, so latency there is
about reporters / throughput for both. With --think T each reporter first reads and thinks for
0.5-1.5 T seconds (a report of 12 steps in 90 seconds is T = 7.5), which measures latency under
a realistic load.

Latency is from an update being queued at the server to the bot's answer arriving there. Both
bots run without PTB's flood-limit rate limiter (a local server has no flood limits; against the
real Telegram, its limit of about 30 messages a second binds long before either bot does).

The bots, the server and the database share this machine's CPUs, with whatever else runs on it,
so rates are noisy: --runs repeats each measurement, echo and nearmiss in turn, and medians are
shown. "cpu ms" is the bot process's own CPU time per update, which other load hardly moves.
"""

import argparse
import asyncio
import base64
import contextlib
import functools
import os
import random
import secrets
import socket
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import asyncpg
from cryptography.fernet import Fernet
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.fakes.telegram import FakeBotAPI, buttons, callback_update, text_update  # noqa: E402
from tests.helpers import NEARMISS  # noqa: E402

POSTGRES = os.environ.get("NEARMISS_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
CONCURRENT = 64
FIRST_CHAT = 100_000
TIMEOUT = 120
REPORT = (  # what each reporter does, and the start of the answer that shows it was handled
    ("say", "/report", "When did it happen?"),
    ("tap", "Yesterday", "Where did it happen?"),
    ("tap", "Home visit", "Who was involved?"),
    ("tap", "Child or young person", "✓ Child or young person"),
    ("tap", "Done", "What happened?"),
    ("say", "Police were not told about the visit.", "What was done straight away?"),
    ("say", "Rang the duty manager.", "What was the outcome?"),
    ("tap", "Stopped before it happened", "What contributed?"),
    ("tap", "Skip", "What stopped it getting worse?"),
    ("tap", "Skip", "Shall I tell you"),
    ("tap", "Don't contact me", "Check your report"),
    ("tap", "✅ Submit", "Sent."),
)


def _answered(api: FakeBotAPI, chat: int, seen: int, expect: str) -> bool:
    messages = api.sent_to(chat)
    if expect.startswith("✓ "):  # a multi-select answered by editing its own question
        return any(b["text"] == expect for m in messages[-1:] for b in buttons(m))
    return any(m["text"].startswith(expect) for m in messages[seen:])


async def _round_trip(
    api: FakeBotAPI, chat: int, update: dict, expect: str, latencies: list[float], think: float
) -> None:
    await asyncio.sleep(random.uniform(0.5, 1.5) * think)
    seen = max(len(api.sent_to(chat)) - 1, 0)  # a tapped question gives way to the next in place
    began = time.perf_counter()
    await api.push(update)
    while not _answered(api, chat, seen, expect):
        await api.next_change(chat, TIMEOUT)
    latencies.append(time.perf_counter() - began)


async def _reporter(api: FakeBotAPI, chat: int, latencies: list[float], think: float) -> None:
    for kind, what, expect in REPORT:
        if kind == "say":
            update = text_update(chat, what)
        else:
            question = next(m for m in reversed(api.sent_to(chat)) if buttons(m))
            matches = [b["callback_data"] for b in buttons(question) if b["text"].removeprefix("✓ ").startswith(what)]
            assert len(matches) == 1, (what, question["text"], [b["text"] for b in buttons(question)])
            data = matches[0]
            update = callback_update(chat, question, data)
        await _round_trip(api, chat, update, expect, latencies, think)


async def _echo_reporter(api: FakeBotAPI, chat: int, latencies: list[float], think: float) -> None:
    for step in range(len(REPORT)):
        text = f"round trip {step}"
        await _round_trip(api, chat, text_update(chat, text), text, latencies, think)


async def _bot_ready(api: FakeBotAPI, process: asyncio.subprocess.Process) -> None:
    deadline = time.monotonic() + 60
    while not any(c.method == "getUpdates" for c in api.calls):
        if process.returncode is not None or time.monotonic() > deadline:
            raise SystemExit("the bot did not start")
        await asyncio.sleep(0.05)


def _cpu_seconds(pid: int) -> float:
    """Returns the CPU time a process has used so far (Linux), or 0 where that cannot be read."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


async def _run(command, env: dict, reporters: int, walk, after=None) -> tuple[float, list[float], float]:
    """Runs the bot `command(api)` starts against a fresh fake server, and the reporters, then
    `after()` while the bot still runs; returns the seconds the reporters took, each update's
    latency and the bot's CPU seconds meanwhile."""
    api = FakeBotAPI()
    await api.start()
    process = await asyncio.create_subprocess_exec(
        *command(api),
        env={**os.environ, **env},
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        await _bot_ready(api, process)
        latencies: list[float] = []
        began, cpu = time.perf_counter(), _cpu_seconds(process.pid)
        await asyncio.gather(*(walk(api, FIRST_CHAT + i, latencies) for i in range(reporters)))
        measured = time.perf_counter() - began, latencies, _cpu_seconds(process.pid) - cpu
        if after is not None:
            await after()
        return measured
    finally:
        if process.returncode is None:
            process.terminate()
        await process.wait()
        await api.stop()


def _config(folder: Path, database_url: str, reporters: int, api: FakeBotAPI, ops_port: int) -> Path:
    members = ", ".join(str(FIRST_CHAT + i) for i in range(reporters))
    config = folder / "config.toml"
    config.write_text(f"""
[database]
url = "{database_url}"
[limits]
per_reporter = "1000/minute"
[telegram]
token = "{api.token}"
base_url = "{api.base_url}"
flood_limits = false
max_concurrent_updates = {CONCURRENT}
[ops]
port = {ops_port}
[[teams]]
id = "bench"
name = "Bench"
[teams.members]
telegram = [{members}]
""")
    return config


@contextlib.asynccontextmanager
async def scratch_database(kind: str) -> AsyncIterator[tuple[str, Path]]:
    """Yields a new, empty database's URL and a folder for files, both gone afterwards."""
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        if kind == "sqlite":
            yield f"sqlite+aiosqlite:///{folder / 'bench.db'}", folder
            return
        admin = make_url(POSTGRES).set(drivername="postgresql").render_as_string(hide_password=False)
        connection = await asyncpg.connect(admin)
        database = f"nearmiss_bench_{secrets.token_hex(4)}"
        await connection.execute(f'CREATE DATABASE "{database}"')
        try:
            yield make_url(POSTGRES).set(database=database).render_as_string(hide_password=False), folder
        finally:
            await connection.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
            await connection.close()


def _summary(seconds: float, latencies: list[float], cpu: float) -> tuple[float, float, float, float]:
    """Returns updates a second, p50 and p99 latency in ms, and the bot's CPU ms per update."""
    ordered = sorted(latencies)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return len(latencies) / seconds, statistics.median(ordered) * 1000, p99 * 1000, cpu * 1000 / len(latencies)


async def _echo(reporters: int, think: float) -> tuple[float, float, float, float]:
    return _summary(
        *await _run(
            lambda api: [sys.executable, str(ROOT / "bench" / "echo_bot.py"), api.base_url, api.token, str(CONCURRENT)],
            {},
            reporters,
            functools.partial(_echo_reporter, think=think),
        )
    )


async def _nearmiss(kind: str, reporters: int, keys: dict, think: float) -> tuple[float, float, float, float]:
    async with scratch_database(kind) as (url, folder):
        ops_port = _free_port()

        def command(api):
            return [NEARMISS, "run", "--config", str(_config(folder, url, reporters, api, ops_port))]

        async def counted() -> None:
            await _check_metrics(ops_port, updates=reporters * len(REPORT), reports=reporters)

        walk = functools.partial(_reporter, think=think)
        return _summary(*await _run(command, keys, reporters, walk, counted))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def _check_metrics(port: int, *, updates: int, reports: int) -> None:
    """Scrapes the bot's /metrics and stops the benchmark if its counts differ from what was sent."""
    async with aiohttp.ClientSession() as session, session.get(f"http://127.0.0.1:{port}/metrics") as response:
        families = {family.name: family for family in text_string_to_metric_families(await response.text())}

    def total(family: str) -> float:
        return sum(sample.value for sample in families[family].samples if sample.name.endswith("_total"))

    counted = {"updates": total("nearmiss_updates"), "reports": total("nearmiss_reports_submitted")}
    if counted != {"updates": updates, "reports": reports}:
        raise SystemExit(f"/metrics counted {counted}, but the benchmark sent {updates} updates and {reports} reports")
    print(f"  /metrics: {updates} updates and {reports} reports, as sent", file=sys.stderr, flush=True)


def _medians(runs: list[tuple[float, ...]]) -> tuple[float, ...]:
    return tuple(statistics.median(column) for column in zip(*runs))


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reporters", type=int, nargs="+", default=[100, 500, 1000])
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgres"])
    parser.add_argument("--runs", type=int, default=1, help="measurements of each, medians shown")
    parser.add_argument("--think", type=float, default=0, help="seconds a reporter takes before each update")
    args = parser.parse_args()
    keys = {
        "NEARMISS_PSEUDONYM_KEY": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        "NEARMISS_CONTACT_KEY": Fernet.generate_key().decode(),
    }
    print(
        f"{'reporters':>9} {'database':<9}{'updates':>8}{'upd/s':>7}{'p50 ms':>8}{'p99 ms':>8}{'cpu ms':>7}"
        f"{'echo upd/s':>11}{'echo p99':>9}{'echo cpu':>9}{'ratio':>7}"
    )
    for reporters in args.reporters:
        echo, nearmiss = [], {kind: [] for kind in args.databases}
        for _run_number in range(args.runs):  # in turn, so a spell of load elsewhere hits both
            echo.append(await _echo(reporters, args.think))
            for kind in args.databases:
                nearmiss[kind].append(await _nearmiss(kind, reporters, keys, args.think))
        echo_rate, _echo_p50, echo_p99, echo_cpu = _medians(echo)
        for kind, runs in nearmiss.items():
            rate, p50, p99, cpu = _medians(runs)
            print(
                f"{reporters:>9} {kind:<9}{reporters * len(REPORT):>8}{rate:>7.0f}{p50:>8.1f}{p99:>8.1f}{cpu:>7.1f}"
                f"{echo_rate:>11.0f}{echo_p99:>9.1f}{echo_cpu:>9.1f}{rate / echo_rate:>7.2f}",
                flush=True,
            )


if __name__ == "__main__":
    asyncio.run(main())
