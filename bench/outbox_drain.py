"""Outbox drain rate against the configured rate limit: N queued messages sent by the real
sender through the real Telegram adapter to a local fake Bot API server, on SQLite and PostgreSQL.

    python bench/outbox_drain.py [--rates 20 30 0] [--seconds 5] [--runs 3] [--databases sqlite postgres]

A rate of 0 means unpaced, to show what the sender manages when nothing holds it back.
"""

import argparse
import asyncio
import secrets
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.telegram_throughput import scratch_database  # noqa: E402
from bot.adapters.telegram import TelegramAdapter  # noqa: E402
from bot.app.config import TelegramSettings  # noqa: E402
from bot.services.outbox_sender import OutboxSender  # noqa: E402
from storage import outbox_store  # noqa: E402
from storage.database import Database  # noqa: E402
from storage.keys import Keys  # noqa: E402
from tests.fakes.telegram import FakeBotAPI  # noqa: E402

UNPACED_MESSAGES = 1000
FIRST_CHAT = 500_000


async def _drain_once(url: str, api: FakeBotAPI, rate: float, messages: int) -> float:
    """Queues `messages` alerts and returns how many a second the sender delivered them."""
    keys, now = Keys(secrets.token_bytes(32), Fernet.generate_key()), datetime.now(UTC)
    database = Database(url)
    await database.migrate()
    async with database.unit() as session:
        for n in range(messages):
            await outbox_store.enqueue(
                session,
                keys=keys,
                key=f"bench:{secrets.token_hex(8)}",
                now=now,
                address={"platform": "telegram", "chat": str(FIRST_CHAT + n % 50)},
                text=f"Bench alert {n}",
            )
    adapter = TelegramAdapter(TelegramSettings(token=api.token, base_url=api.base_url, flood_limits=False), None)  # type: ignore[arg-type]  # delivers only; takes no events
    await adapter.application.initialize()
    sender = OutboxSender(database=database, keys=keys, per_second=rate or 1e9)
    sender.adapters = {"telegram": adapter}
    try:
        began = time.perf_counter()
        sent = await sender.drain()
        seconds = time.perf_counter() - began
    finally:
        await adapter.application.shutdown()
        await database.close()
    assert sent == messages, (sent, messages)
    return sent / seconds


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rates", type=float, nargs="+", default=[20, 30, 0])
    parser.add_argument("--seconds", type=float, default=5, help="how long each paced run should take")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgres"])
    args = parser.parse_args()
    api = FakeBotAPI()
    await api.start()
    print(f"{'database':<10}{'limit/s':>8}{'messages':>9}{'median sent/s':>15}{'of limit':>9}")
    try:
        for kind in args.databases:
            for rate in args.rates:
                messages = int(rate * args.seconds) if rate else UNPACED_MESSAGES
                rates = []
                for _ in range(args.runs):
                    async with scratch_database(kind) as (url, _folder):
                        rates.append(await _drain_once(url, api, rate, messages))
                median = statistics.median(rates)
                share = f"{median / rate:.2f}" if rate else "-"
                print(f"{kind:<10}{rate or 'none':>8}{messages:>9}{median:>15.1f}{share:>9}", flush=True)
    finally:
        await api.stop()


if __name__ == "__main__":
    asyncio.run(main())
