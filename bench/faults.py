"""Faults: 20 reporters filing reports through `nearmiss run` while everything fails at once, as
production will: the Bot API answers every call but getUpdates with 502 for 15 s and then 429
for 15 s, the database's
connections are cut twice (PostgreSQL), and the process is killed with SIGKILL twice and started
again. Prints reports completed, references received, replies lost, messages duplicated and the
longest delay.

    python bench/faults.py [--databases postgres sqlite] [--reporters 20] [--seed 1] [--bot-log FILE]

Each reporter answers whatever question the chat shows last (as a person does), thinking 1-4 s
between answers. A reply that has not arrived 45 s after an answer counts as lost, and the
reporter then sends /report, which shows where they are (so a lost reply costs one round trip,
and the run goes on). "Duplicated" counts messages shown twice in a row in a chat and references
received more than once. "Longest delay" is the longest wait for any reply.

To trace: each lost reply, and each that took over 30 s, is printed to stderr (chat, update,
seconds from the start), as is each fault and a bot that exited by itself; `--bot-log FILE`
appends the bot's own output to FILE, and the outbox at the end (times in seconds from the start).
"""

import argparse
import asyncio
import base64
import contextlib
import itertools
import random
import secrets
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
from aiohttp import web
from cryptography.fernet import Fernet
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.telegram_throughput import scratch_database  # noqa: E402
from storage.database import Database  # noqa: E402
from tests.fakes.telegram import FakeBotAPI, buttons, callback_update, text_update  # noqa: E402
from tests.helpers import all_rows, start_run  # noqa: E402

FIRST_CHAT = 200_000
LOST_AFTER = 45.0  # seconds without a reply after which a reporter counts it lost and asks again
REFERENCE = "Sent. Your reference is"
# What a reporter does when the chat's last question starts so.
ANSWERS = (
    ("When did it happen?", "tap", "Yesterday"),
    ("Where did it happen?", "tap", "Home visit"),
    ("Who was involved?", "tap", "Child or young person"),  # then Done, once ticked
    ("What happened?", "say", "Police were not told about the visit."),
    ("What was done straight away?", "say", "Rang the duty manager."),
    ("What was the outcome?", "tap", "Stopped before it happened"),
    ("What contributed?", "tap", "Skip"),
    ("What stopped it getting worse?", "tap", "Skip"),
    ("Shall I tell you", "tap", "Don't contact me"),
    ("Check your report", "tap", "Submit"),
)
# Seconds from the start: (what, how long)
FAULTS = (
    (8, "502", 15),
    (10, "cut", 0),
    (23, "429", 15),
    (25, "kill", 0),
    (45, "cut", 0),
    (55, "kill", 0),
)


class FaultyBotAPI(FakeBotAPI):
    """The fake Bot API, answering every call but getUpdates with one error while told to: updates
    keep coming in, and every reply, edit and tap's acknowledgement fails."""

    def __post_init__(self) -> None:
        super().__post_init__()
        self.failing: tuple[int, str, int | None] | None = None

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if self.failing is not None and request.match_info["token"] == self.token and method != "getUpdates":
            code, description, retry_after = self.failing
            body: dict = {"ok": False, "error_code": code, "description": description}
            if retry_after is not None:
                body["parameters"] = {"retry_after": retry_after}
            return web.json_response(body, status=code)
        return await super()._handle(request)


class Reporter:
    def __init__(self, api: FakeBotAPI, chat: int, rng: random.Random, began: float) -> None:
        self.api, self.chat, self.rng, self.began = api, chat, rng, began
        self.lost, self.longest = 0, 0.0

    def done(self) -> bool:
        return any(m["text"].startswith(REFERENCE) for m in self.api.sent_to(self.chat))

    def _next(self) -> dict:
        """Returns the update answering the chat's last question."""
        for message in reversed(self.api.sent_to(self.chat)):
            for prefix, kind, what in ANSWERS:
                if not message["text"].startswith(prefix):
                    continue
                if kind == "say":
                    return text_update(self.chat, what)
                labels = {b["text"]: b["callback_data"] for b in buttons(message)}
                if not labels:
                    break  # answered already: its buttons are gone
                if any(label.startswith("✓ ") for label in labels):
                    what = "Done"
                [data] = [d for label, d in labels.items() if what in label]
                return callback_update(self.chat, message, data)
        return text_update(self.chat, "/report")

    async def walk(self) -> None:
        await asyncio.sleep(self.rng.uniform(0, 15))
        update = text_update(self.chat, "/report")
        while True:
            began = time.monotonic()
            self.api.forget_changes(self.chat)  # a late part of the last reply is not this one's
            update_id = await self.api.push(update)
            try:
                await self.api.next_change(self.chat, LOST_AFTER)
            except TimeoutError:
                self.lost += 1
                asked = update.get("message", {}).get("text") or update["callback_query"]["data"]
                pushed = time.time() - (time.monotonic() - began)
                print(
                    f"lost: chat {self.chat}, update {update_id} ({asked!r}) pushed at "
                    f"{began - self.began:.1f} s (wall {pushed:.3f})",
                    file=sys.stderr,
                )
                update = text_update(self.chat, "/report")
                continue
            waited = time.monotonic() - began
            self.longest = max(self.longest, waited)
            if waited > LOST_AFTER * 2 / 3:
                print(
                    f"slow: chat {self.chat}, update {update_id} pushed at {began - self.began:.1f} s, "
                    f"answered after {waited:.1f} s",
                    file=sys.stderr,
                )
            await asyncio.sleep(0.3)  # the rest of a reply that comes in parts
            if self.done():
                return
            await asyncio.sleep(self.rng.uniform(1, 4))
            update = self._next()


def duplicates(api: FakeBotAPI, chat: int) -> int:
    """Returns how many messages in a chat repeat the one before them, buttons and all (a
    question shown again ticked is not a repeat), and references received more than once."""
    shown = [(m["text"], tuple(b["text"] for b in buttons(m))) for m in api.sent_to(chat)]
    repeated = sum(1 for a, b in itertools.pairwise(shown) if a == b and not a[0].startswith(REFERENCE))
    return repeated + max(sum(text.startswith(REFERENCE) for text, _ in shown) - 1, 0)


def write_outbox(log: Path, rows: list[dict], began: float) -> None:
    """Appends the outbox to the bot's log, times in seconds from the start, to trace a late reply."""

    def at(moment: datetime | None) -> str:
        return "-" if moment is None else f"{moment.replace(tzinfo=UTC).timestamp() - began:.1f}"

    with log.open("a") as output:
        output.write("--- the outbox: id, created, due, sent, attempts, recipient, key, text\n")
        for row in rows:
            output.write(
                f"{row['id']} {at(row['created_at'])} {at(row['due_at'])} {at(row['sent_at'])} {row['attempts']} "
                f"{(row['recipient'] or '')[:8]} {row['key']} {row['text'][:30]!r}\n"
            )


async def cut_connections(database_url: str) -> None:
    url = make_url(database_url)
    admin = await asyncpg.connect(url.set(drivername="postgresql", database="postgres").render_as_string(False))
    try:
        await admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
            url.database,
        )
    finally:
        await admin.close()


async def start(config: Path, env: dict, log: Path | None) -> asyncio.subprocess.Process:
    """Starts `nearmiss run`, its output appended to `log` (or dropped)."""
    with contextlib.ExitStack() as stack:
        output: Any = asyncio.subprocess.DEVNULL
        if log is not None:
            output = stack.enter_context(log.open("a"))
            output.write(f"--- nearmiss run started at {time.time():.3f}\n")
            output.flush()
        return await start_run(config, env, stdout=output, stderr=asyncio.subprocess.STDOUT)
    raise AssertionError("unreachable")


async def run(kind: str, reporters: int, seed: int, log: Path | None) -> dict[str, float]:
    rng = random.Random(seed)
    api = FaultyBotAPI()
    await api.start()
    async with scratch_database(kind) as (database_url, folder):
        members = ", ".join(str(FIRST_CHAT + i) for i in range(reporters))
        config = folder / "config.toml"
        config.write_text(f"""
[database]
url = "{database_url}"
[limits]
per_reporter = "1000/minute"
[scheduler]
outbox_every_seconds = 5
[telegram]
token = "{api.token}"
base_url = "{api.base_url}"
[[teams]]
id = "bench"
name = "Bench"
[teams.members]
telegram = [{members}]
""")
        env = {
            "NEARMISS_PSEUDONYM_KEY": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
            "NEARMISS_CONTACT_KEY": Fernet.generate_key().decode(),
        }
        process = await start(config, env, log)
        while not any(c.method == "getUpdates" for c in api.calls):  # noqa: ASYNC110
            await asyncio.sleep(0.05)
        began = time.monotonic()
        people = [Reporter(api, FIRST_CHAT + i, random.Random(rng.random()), began) for i in range(reporters)]
        walking = asyncio.gather(*(p.walk() for p in people))
        for at, what, lasting in FAULTS:
            await asyncio.sleep(max(0, began + at - time.monotonic()))
            if process.returncode is not None:
                print(f"the bot exited by itself with {process.returncode} before {what} at {at} s", file=sys.stderr)
            print(f"fault: {what} at {time.monotonic() - began:.1f} s (wall {time.time():.3f})", file=sys.stderr)
            if what == "502":
                api.failing = (502, "Bad Gateway", None)
                asyncio.get_running_loop().call_later(lasting, setattr, api, "failing", None)
            elif what == "429":
                api.failing = (429, "Too Many Requests: retry after 5", 5)
                asyncio.get_running_loop().call_later(lasting, setattr, api, "failing", None)
            elif what == "cut" and kind == "postgres":
                await cut_connections(database_url)
            elif what == "kill":
                process.kill()
                await process.wait()
                process = await start(config, env, log)
        try:
            await asyncio.wait_for(walking, 600)
        finally:
            process.terminate()
            await process.wait()
        database = Database(database_url)
        try:
            rows = await all_rows(database)
        finally:
            await database.close()
        stored = len(rows["reports"])
        if log is not None:
            write_outbox(log, rows["outbox"], time.time() - (time.monotonic() - began))
    await api.stop()
    chats = [p.chat for p in people]
    return {
        "reports completed": stored,
        "references received": sum(any(m["text"].startswith(REFERENCE) for m in api.sent_to(c)) for c in chats),
        "replies lost": sum(p.lost for p in people),  # each shown again when the reporter asked
        "messages duplicated": sum(duplicates(api, c) for c in chats),
        "longest delay s": round(max(p.longest for p in people), 1),
        "seconds": round(time.monotonic() - began, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--databases", nargs="+", default=["postgres", "sqlite"])
    parser.add_argument("--reporters", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--bot-log", type=Path, help="append the bot's output (stdout and stderr) to this file")
    args = parser.parse_args()
    for kind in args.databases:
        figures = asyncio.run(run(kind, args.reporters, args.seed, args.bot_log))
        cuts = "connections cut twice" if kind == "postgres" else "no connections to cut"
        print(f"{kind} ({args.reporters} reporters, {cuts}, 30 s of 502/429, 2 x kill -9):")
        for name, value in figures.items():
            print(f"  {name:22} {value}")


if __name__ == "__main__":
    main()
