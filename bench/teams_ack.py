"""Teams card-action latency: N users at once, each filing one report on the one-card form and one
step by step, against `nearmiss run` with a local fake Bot Connector (tests/fakes/teams.py).

    python bench/teams_ack.py [--users 50 200] [--databases sqlite postgres] [--think 1.5]

Every activity is signed by the fake's Bot Framework token issuer and checked by the Teams SDK,
as in production. A card action (a tapped button, the submitted form) must be answered within
Teams' 5 s; its latency is the time until the HTTP answer, which carries the card shown in place.
Typed messages are timed apart ("message"): their HTTP answer comes once the reply is sent.
Users think about --think seconds before each step and start spread over one report's length.
"""

import argparse
import asyncio
import base64
import os
import random
import secrets
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.slack_ack import MISSED, _free_port, _summary  # noqa: E402
from bench.telegram_throughput import REPORT, scratch_database  # noqa: E402
from tests.fakes.teams import APP_ID, APP_PASSWORD, TENANT, FakeTeams, TeamsClient, User  # noqa: E402
from tests.helpers import start_run  # noqa: E402

FORM = {
    "when": "2026-11-20",
    "where": "case_transfer",
    "who": "social_worker,child",
    "what": "Case moved teams; the new worker's number was never given.",
    "action": "Duty manager visited the family.",
    "outcome": "left_at_risk",
    "factors": "handover",
    "stopped": "",
    "feedback": "no",
}


def _user(n: int) -> User:
    return User(f"00000000-0000-4000-8000-{n:012d}")


async def _timed(call, latencies: list[float], think: float) -> tuple[int, object]:
    await asyncio.sleep(random.uniform(0.5, 1.5) * think)
    began = time.perf_counter()
    status, body = await call
    took = time.perf_counter() - began
    latencies.append(took if status == 200 and took < 5 else MISSED)
    return status, body


async def _said(client: TeamsClient, user: User, text: str, after: int) -> None:
    await client.said(user, text, after=after, timeout=60)


async def _report(client: TeamsClient, user: User, latencies: dict[str, list[float]], think: float, start: float = 0):
    """Files one report on the form card, then one step by step."""
    await asyncio.sleep(random.uniform(0, start))
    teams = client.teams
    seen = len(teams.chat(user))
    await _timed(client.post(teams.activity(user, text="form")), latencies["message"], think)
    card = teams.chat(user)[seen]
    await _timed(client.submit(user, card, FORM), latencies["card action"], think)
    await _said(client, user, "Sent.", seen)

    seen = len(teams.chat(user))
    for kind, what, expect in REPORT:
        if kind == "say":
            text = "report" if what == "/report" else what
            await _timed(client.post(teams.activity(user, text=text)), latencies["message"], think)
        else:
            question = next(s for s in reversed(teams.chat(user)) if any(what in t for t in s.buttons))
            await _timed(client.tap(user, question, what), latencies["card action"], think)
        if not expect.startswith("✓ "):  # a toggled choice is answered in the tapped card itself
            await _said(client, user, expect, seen)


def _config(folder: Path, database_url: str, users: int, teams: FakeTeams, port: int) -> Path:
    members = ", ".join(f'"{_user(i).aad}"' for i in range(users + 1))
    config = folder / "config.toml"
    config.write_text(f"""
[database]
url = "{database_url}"
[limits]
per_reporter = "1000/minute"
[msteams]
app_id = "{APP_ID}"
app_password = "{APP_PASSWORD}"
tenant_id = "{TENANT}"
port = {port}
service_url = "{teams.service_url}"
login_url = "{teams.login_url}"
openid_metadata_url = "{teams.openid_metadata_url}"
[[teams]]
id = "bench"
name = "Bench"
[teams.members]
msteams = [{members}]
""")
    return config


async def _bot_ready(url: str, process: asyncio.subprocess.Process) -> None:
    deadline = time.monotonic() + 60
    async with aiohttp.ClientSession() as http:
        while True:
            try:
                async with http.post(url, json={"type": "message"}) as response:
                    if response.status == 401:  # unsigned: refused, so the bot is up
                        return
            except aiohttp.ClientError:
                pass
            if process.returncode is not None or time.monotonic() > deadline:
                raise SystemExit("the bot did not start")
            await asyncio.sleep(0.1)


async def _run(url: str, users: int, keys: dict, think: float) -> tuple[float, dict[str, list[float]]]:
    teams = FakeTeams()
    teams.start()
    with tempfile.TemporaryDirectory() as folder:
        port = _free_port()
        process = await start_run(_config(Path(folder), url, users, teams, port), keys)
        # One session, as the Bot Connector keeps its connections to a bot open.
        http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))
        client = TeamsClient(teams, f"http://127.0.0.1:{port}/api/messages", session=http)
        try:
            await _bot_ready(client.endpoint, process)
            await _report(client, _user(users), {"card action": [], "message": []}, 0)  # warm-up
            latencies: dict[str, list[float]] = {"card action": [], "message": []}
            began, cpu_began = time.perf_counter(), _cpu_seconds(process.pid)
            await asyncio.gather(
                *(_report(client, _user(i), latencies, think, start=len(REPORT) * think) for i in range(users))
            )
            assert teams.throttled == 0, "the bot went over Teams' rate for a conversation"
            seconds = time.perf_counter() - began
            bot_cpu = _cpu_seconds(process.pid) - cpu_began
            requests = sum(len(found) for found in latencies.values())
            mine = time.process_time()
            print(
                f"    bot CPU {bot_cpu:.1f} s ({bot_cpu / requests * 1000:.1f} ms a request), "
                f"this process (users, fake Teams) {mine:.1f} s",
                flush=True,
            )
            return seconds, latencies
        finally:
            await http.close()
            if process.returncode is None:
                process.terminate()
            await process.wait()
            teams.stop()


def _cpu_seconds(pid: int) -> float:
    """Returns the CPU time a process has used, user and system, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, nargs="+", default=[50, 200])
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgres"])
    parser.add_argument("--think", type=float, default=1.5, help="seconds a user takes before each step")
    args = parser.parse_args()
    keys = {
        "NEARMISS_PSEUDONYM_KEY": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        "NEARMISS_CONTACT_KEY": Fernet.generate_key().decode(),
    }
    print(f"ms to answer (target: card actions p99 < 300); missed: not within Teams' 5 s; think {args.think} s")
    print(f"{'users':>5} {'database':<9}{'requests':>9}{'req/s':>6}{'card p50':>12}{'p99':>7}{'missed':>7}", end="")
    print(f"{'message p50':>13}{'p99':>7}{'missed':>7}")
    for users in args.users:
        for kind in args.databases:
            async with scratch_database(kind) as (url, _folder):
                seconds, latencies = await _run(url, users, keys, args.think)
            requests = sum(len(found) for found in latencies.values())
            print(
                f"{users:>5} {kind:<9}{requests:>9}{requests / seconds:>6.0f}     "
                f"{_summary(latencies['card action'])}      {_summary(latencies['message'])}",
                flush=True,
            )


if __name__ == "__main__":
    asyncio.run(main())
