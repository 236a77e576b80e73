"""`nearmiss run` as an operations team runs it: one platform down does not hold back the others,
/healthz, /readyz and /metrics answer, and SIGTERM or SIGINT stop it within seconds, cleanly."""

import asyncio
import json
import re
import signal
import socket
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import pytest

from tests.conftest import MANAGER, MEMBER, _postgres_database
from tests.fakes.proxy import ConnectProxy, self_signed
from tests.fakes.slack import FakeSlackAPI
from tests.fakes.telegram import FakeBotAPI, text_update
from tests.test_cli import _start_run, _wait_for, write_config


class Running:
    """A `nearmiss run` process, its log lines gathered as they come."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.lines: list[str] = []
        self._reading = asyncio.create_task(self._read())

    @classmethod
    async def start(cls, config: Path, env: dict[str, str]) -> "Running":
        return cls(await _start_run(config, env))

    async def _read(self) -> None:
        assert self.process.stderr is not None
        async for line in self.process.stderr:
            self.lines.append(line.decode())

    @property
    def log(self) -> str:
        return "".join(self.lines)

    async def line(self, pattern: str, timeout: float = 30) -> re.Match:
        """Returns the first log line matching `pattern`, waiting for it."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in self.lines:
                if found := re.search(pattern, line):
                    return found
            if self.process.returncode is not None:
                break
            await asyncio.sleep(0.05)
        raise AssertionError(f"no log line matches {pattern!r}; the log:\n{self.log[-3000:]}")

    async def ops_url(self) -> str:
        port = (await self.line(r"operations listener on 127\.0\.0\.1:(\d+)"))[1]
        return f"http://127.0.0.1:{port}"

    async def stop(self, signum: int = signal.SIGTERM) -> float:
        """Sends the signal; returns how long the process took to end."""
        started = time.monotonic()
        self.process.send_signal(signum)
        await asyncio.wait_for(self.process.wait(), 30)
        await self._reading
        return time.monotonic() - started

    async def kill(self) -> None:
        if self.process.returncode is None:
            self.process.kill()
            await self.process.wait()
        await self._reading


@pytest.fixture
def closed_port() -> Iterator[int]:
    """Returns a local port that refuses connections: bound and never listened on, and held for
    the test, so no other test's server can take it meanwhile."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        yield probe.getsockname()[1]


def run_config(tmp_path: Path, database_url: str, api: FakeBotAPI, more: str, slack_url: str = "") -> Path:
    """Returns a config for `nearmiss run` on Telegram (and Slack at `slack_url`, in socket mode),
    with the operations listener on a port of its own, the `more` sections and one team."""
    slack = f'[slack]\nbot_token = "xoxb-test"\napp_token = "xapp-test"\nbase_url = "{slack_url}"' if slack_url else ""
    return write_config(
        tmp_path / "config.toml",
        f"""
[database]
url = "{database_url}"
[telegram]
token = "{api.token}"
base_url = "{api.base_url}"
{slack}
[ops]
port = 0
{more}

[[teams]]
id = "north"
name = "North"
[teams.members]
telegram = [{MEMBER}]
[teams.managers]
telegram = [{MANAGER}]
""",
    )


async def get(url: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return response.status, await response.text()


@pytest.mark.parametrize(
    ("database_url", "signum", "log_format"),
    [
        ("sqlite", signal.SIGTERM, "text"),
        pytest.param("postgres", signal.SIGINT, "json", marks=pytest.mark.postgres),
    ],
    ids=["sqlite-SIGTERM-text", "postgres-SIGINT-json"],
    indirect=["database_url"],  # each database once: the signals and log formats are what vary
)
async def test_telegram_serves_while_slack_is_unreachable_and_a_signal_stops_it_at_once(
    tmp_path, telegram_api, database_url, key_env, signum, log_format, closed_port
):
    slack_down = f"http://127.0.0.1:{closed_port}/api/"
    config = run_config(tmp_path, database_url, telegram_api, f'[logging]\nformat = "{log_format}"', slack_down)
    telegram_api.fail("getMe", 502, "Bad Gateway")  # Telegram is down at first too, for a moment
    running = await Running.start(config, key_env)
    try:
        ops = await running.ops_url()
        await running.line(r"telegram could not connect \(try 1: ")
        await telegram_api.push(text_update(MEMBER, "/report"))
        await _wait_for(telegram_api, "When did it happen?", 0)

        assert await get(f"{ops}/healthz") == (200, '{"alive": true}')
        status, body = await get(f"{ops}/readyz")
        assert status == 503
        assert json.loads(body) == {
            "ready": False,
            "database": "reachable",
            "schema": "at head",
            "platforms": {"telegram": "connected", "slack": "connecting"},
            "scheduler": "held",
        }
        status, metrics = await get(f"{ops}/metrics")
        assert status == 200
        for sample in (
            'nearmiss_updates_total{kind="command",platform="telegram"} 1.0',
            'nearmiss_update_seconds_count{platform="telegram"} 1.0',
            'nearmiss_platform_connected{platform="telegram"} 1.0',
            "nearmiss_scheduler_leader 1.0",
            "nearmiss_outbox_pending 0.0",
        ):
            assert sample in metrics.splitlines()
        assert str(MEMBER) not in metrics and "north" not in metrics, "no ids or teams in labels"
        await running.line(r"slack could not connect \(try 2: ClientConnectorError.*\); trying again in 2s")

        assert await running.stop(signum) < 5
        assert running.process.returncode == 0, running.log[-3000:]
    finally:
        await running.kill()
    tries = [line for line in running.lines if "slack could not connect" in line]
    assert len(tries) >= 2 and "Traceback" not in running.log, running.log[-3000:]
    if log_format == "json":
        events = [json.loads(line) for line in running.lines]  # one event a line, each a JSON object
        assert all({"time", "level", "logger", "message"} <= event.keys() for event in events)
        assert {"level": "WARNING", "logger": "bot.app.runner"}.items() <= next(
            event for event in events if event["message"].startswith("slack could not connect")
        ).items()


@pytest.mark.postgres
async def test_when_the_scheduler_s_process_dies_another_takes_over_and_the_digest_goes_once(
    tmp_path, telegram_api, key_env
):
    async for database_url in _postgres_database():
        # Due at the first whole minute at least 20 seconds away: time to start two processes and
        # kill the first. A grace of half a minute leaves no earlier digest to catch up on.
        due = (datetime.now(UTC) + timedelta(seconds=20 + 59)).replace(second=0, microsecond=0)
        more = f"""
[digest]
cron = "{due.minute} {due.hour} * * *"
timezone = "UTC"
misfire_grace_hours = 0.01
[scheduler]
takeover_seconds = 1"""
        config = run_config(tmp_path, database_url, telegram_api, more)
        first = await Running.start(config, key_env)
        second = None
        try:
            await first.line("this process runs the scheduler")
            second = await Running.start(config, key_env)
            ops = await second.ops_url()
            await asyncio.sleep(2)  # two tries for the lock
            assert json.loads((await get(f"{ops}/readyz"))[1])["scheduler"] == "waiting"

            await first.kill()  # SIGKILL: no goodbye; PostgreSQL frees the lock when the session ends
            killed = time.monotonic()
            await second.line("this process runs the scheduler")
            assert time.monotonic() - killed < 30
            assert json.loads((await get(f"{ops}/readyz"))[1])["scheduler"] == "held"
            assert datetime.now(UTC) < due, "taken over before the digest fell due"

            await asyncio.sleep((due - datetime.now(UTC)).total_seconds() + 5)
            digests = [m for m in telegram_api.sent_to(MANAGER) if m["text"].startswith("Near-miss digest")]
            assert len(digests) == 1, second.log[-3000:]
        finally:
            await first.kill()
            if second is not None:
                await second.kill()


@pytest.mark.parametrize(
    ("database_url", "no_proxy", "proxied"),
    [
        ("sqlite", "", True),
        pytest.param("postgres", "", True, marks=pytest.mark.postgres),
        ("sqlite", "127.0.0.1", False),
    ],
    ids=["sqlite-proxied", "postgres-proxied", "sqlite-no_proxy"],
    indirect=["database_url"],
)
async def test_every_platform_client_goes_through_https_proxy_unless_no_proxy_names_the_host(
    tmp_path, database_url, key_env, no_proxy, proxied
):
    certificate, tls = self_signed(tmp_path)
    telegram, slack, proxy = FakeBotAPI(tls=tls), FakeSlackAPI(tls=tls), ConnectProxy()
    for part in (telegram, slack, proxy):
        await part.start()
    config = run_config(tmp_path, database_url, telegram, "", slack.base_url)
    proxies = {"HTTPS_PROXY": proxy.url, "https_proxy": proxy.url, "NO_PROXY": no_proxy, "no_proxy": no_proxy}
    running = await Running.start(config, key_env | proxies | {"SSL_CERT_FILE": str(certificate)})
    try:
        ops = await running.ops_url()
        await telegram.push(text_update(MEMBER, "/report"))
        await _wait_for(telegram, "When did it happen?", 0)
        for _attempt in range(100):
            state = json.loads((await get(f"{ops}/readyz"))[1])
            if state["ready"]:
                break
            await asyncio.sleep(0.1)
        assert state["platforms"] == {"telegram": "connected", "slack": "connected"}, running.log[-3000:]
        assert running.process.returncode is None
    finally:
        await running.kill()
        for part in (telegram, slack, proxy):
            await part.stop()
    platforms = {f"127.0.0.1:{telegram.port}", f"127.0.0.1:{slack.port}"}
    assert set(proxy.tunnels) == (platforms if proxied else set())
    if proxied:  # Slack's Web API client and its socket each
        assert proxy.tunnels.count(f"127.0.0.1:{slack.port}") >= 2
