"""Slack acknowledgement latency: N users at once, each filing one report through the modal and
one through the step-by-step flow in the app's direct messages, against `nearmiss run` in HTTP
mode, with a local fake Slack Web API server.

    python bench/slack_ack.py [--users 50 200] [--databases sqlite postgres] [--think 1.5]

Every interaction is a signed request to the bot's HTTP endpoint, as Slack sends it; its ack
latency is the time until the HTTP response arrives (Slack gives up after 3 s). A view
submission is acknowledged once the report is stored; a button tap (block action) at once,
before its work. Each user waits for the bot's answer, then thinks (about --think seconds, 1.5 by
default as in reporter_cost.py; typing is not modelled, so the load is heavier than real) before
their next interaction. Users start at random times over one report's length, so the load is
steady, after one warm-up report. With --think 0 all start at once and tap as fast as the bot
answers: saturation.
"""

import argparse
import asyncio
import base64
import random
import secrets
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.telegram_throughput import REPORT, scratch_database  # noqa: E402
from bot.adapters.slack_views import Ids  # noqa: E402
from tests.fakes.forms import GOOD_FORM  # noqa: E402
from tests.fakes.slack import TEAM, FakeSlack, FakeSlackAPI  # noqa: E402
from tests.helpers import start_run  # noqa: E402

SECRET = "bench-signing-secret"
FIRST_USER = 100_000
TIMEOUT = 120
MISSED = float("inf")  # no acknowledgement within Slack's 3 s: Bolt answers 404


def _answered(api: FakeSlackAPI, user: str, seen: int, expect: str) -> bool:
    messages = api.dm(user)
    if expect.startswith("✓ "):  # a multi-select answered by editing its own question
        return any(
            e["text"]["text"] == expect
            for m in messages[-1:]
            for b in m["blocks"]
            if b["type"] == "actions"
            for e in b["elements"]
        )
    return any(m["text"].startswith(expect) for m in messages[seen:])


async def _said(api: FakeSlackAPI, user: str, seen: int, expect: str) -> dict:
    """Waits until the bot says `expect` to the user after their first `seen` messages."""
    while not _answered(api, user, seen, expect):
        await api.next_change(user, TIMEOUT)
    return api.dm(user)[-1]


async def _timed(slack: FakeSlack, payload: dict, latencies: list[float], think: float) -> None:
    """Thinks, then sends one interaction and times its acknowledgement."""
    await asyncio.sleep(random.uniform(0.5, 1.5) * think)
    began = time.perf_counter()
    status, _body = await slack.interact(payload)
    latencies.append(time.perf_counter() - began if status == 200 else MISSED)


def _label(question: dict, start: str) -> str:
    """Returns the whole text of the one button that starts with `start` (after any tick)."""
    [label] = [
        e["text"]["text"]
        for b in question["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["text"]["text"].removeprefix("✓ ").startswith(start)
    ]
    return label


def _home_tap(user: str, action_id: str) -> dict:
    return {
        "type": "block_actions",
        "team": {"id": TEAM},
        "user": {"id": user, "team_id": TEAM},
        "trigger_id": f"{user}.{action_id}",
        "api_app_id": "A0APP",
        "container": {"type": "view", "view_id": f"VHOME{user}"},
        "actions": [{"action_id": action_id, "block_id": "home", "type": "button", "action_ts": str(time.time())}],
    }


async def _user(slack: FakeSlack, user: str, latencies: dict[str, list[float]], think: float, start: float = 0) -> None:
    """Files one report through the modal, then one step by step; starts within `start` seconds."""
    await asyncio.sleep(random.uniform(0, start))
    api, taps = slack.api, latencies["block_actions"]
    home = _home_tap(user, Ids.HOME_MODAL)
    await _timed(slack, home, taps, think)
    while not (
        opened := [c for c in api.calls if c.method == "views.open" and c.params["trigger_id"] == home["trigger_id"]]
    ):
        await api.next_change(home["trigger_id"], TIMEOUT)
    view = {"id": f"V{user}", **opened[0].params["view"]}
    await _timed(slack, slack.submission(user, view, GOOD_FORM), latencies["view_submission"], think)
    await _said(api, user, 0, "Sent.")

    seen = len(api.dm(user))
    await _timed(slack, _home_tap(user, Ids.HOME_STEPS), taps, think)
    question = await _said(api, user, seen, "When did it happen?")
    for kind, what, expect in REPORT[1:]:  # the Telegram benchmark's report, after its /report
        seen = len(api.dm(user)) - 1  # a tapped question gives way to the next in place
        if kind == "say":
            await asyncio.sleep(random.uniform(0.5, 1.5) * think)
            await slack.event(
                {
                    "type": "message",
                    "channel_type": "im",
                    "channel": f"D{user}",
                    "user": user,
                    "text": what,
                    "ts": f"{time.time():.6f}",
                }
            )
        else:
            await _timed(slack, slack.tap(user, question, _label(question, what)), taps, think)
        question = await _said(api, user, seen, expect)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _config(folder: Path, database_url: str, users: int, api: FakeSlackAPI, port: int) -> Path:
    members = ", ".join(f'"U{FIRST_USER + i}"' for i in range(users + 1))
    config = folder / "config.toml"
    config.write_text(f"""
[database]
url = "{database_url}"
[limits]
per_reporter = "1000/minute"
[slack]
bot_token = "xoxb-bench"
signing_secret = "{SECRET}"
base_url = "{api.base_url}"
mode = "http"
http_port = {port}
[[teams]]
id = "bench"
name = "Bench"
[teams.members]
slack = [{members}]
""")
    return config


async def _bot_ready(url: str, process: asyncio.subprocess.Process) -> None:
    deadline = time.monotonic() + 60
    async with aiohttp.ClientSession() as http:
        while True:
            try:
                async with http.post(url, data=b"") as response:
                    if response.status == 401:  # unsigned: refused, so the app is up
                        return
            except aiohttp.ClientError:
                pass
            if process.returncode is not None or time.monotonic() > deadline:
                raise SystemExit("the bot did not start")
            await asyncio.sleep(0.1)


async def _run(url: str, users: int, keys: dict, think: float) -> tuple[float, dict[str, list[float]]]:
    """Runs the bot against a fresh fake Slack, and the users; returns the time and latencies."""
    api = FakeSlackAPI()
    await api.start()
    with tempfile.TemporaryDirectory() as folder:
        port = _free_port()
        process = await start_run(_config(Path(folder), url, users, api, port), keys)
        slack = FakeSlack(f"http://127.0.0.1:{port}/slack/events", SECRET, api)
        try:
            await _bot_ready(slack.url, process)
            await _user(slack, f"U{FIRST_USER + users}", {"view_submission": [], "block_actions": []}, 0)  # warm-up
            latencies: dict[str, list[float]] = {"view_submission": [], "block_actions": []}
            began = time.perf_counter()
            await asyncio.gather(
                *(_user(slack, f"U{FIRST_USER + i}", latencies, think, start=len(REPORT) * think) for i in range(users))
            )
            return time.perf_counter() - began, latencies
        finally:
            if process.returncode is None:
                process.terminate()
            await process.wait()
            await api.stop()


def _summary(latencies: list[float]) -> str:
    ordered = sorted(latencies)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return f"{statistics.median(ordered) * 1000:>7.0f}{p99 * 1000:>7.0f}{ordered.count(MISSED):>7}"


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, nargs="+", default=[50, 200])
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgres"])
    parser.add_argument("--think", type=float, default=1.5, help="seconds a user takes before each interaction")
    args = parser.parse_args()
    keys = {
        "NEARMISS_PSEUDONYM_KEY": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        "NEARMISS_CONTACT_KEY": Fernet.generate_key().decode(),
    }
    print(f"ms to acknowledge (target p99 < 300); missed: no ack within Slack's 3 s; think {args.think} s")
    print(
        f"{'users':>5} {'database':<9}{'requests':>9}{'req/s':>6}"
        f"{'submit p50':>14}{'p99':>7}{'missed':>7}{'tap p50':>9}{'p99':>7}{'missed':>7}"
    )
    for users in args.users:
        for kind in args.databases:
            async with scratch_database(kind) as (url, _folder):
                seconds, latencies = await _run(url, users, keys, args.think)
            requests = sum(len(found) for found in latencies.values())
            print(
                f"{users:>5} {kind:<9}{requests:>9}{requests / seconds:>6.0f}    "
                f"{_summary(latencies['view_submission'])}  {_summary(latencies['block_actions'])}",
                flush=True,
            )


if __name__ == "__main__":
    asyncio.run(main())
