"""CPU per update of the reporting service alone, without a chat platform: N reporters walking the
throughput benchmark's report through `Reporting` in this process, on SQLite and PostgreSQL.
It shows how much of the Telegram bot's CPU per update is the database work and the flow.

    python bench/reporting_cpu.py [--reporters 400] [--databases sqlite postgres] [--runs 3]
"""

import argparse
import asyncio
import secrets
import statistics
import sys
import time
from pathlib import Path

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.telegram_throughput import FIRST_CHAT, REPORT, scratch_database  # noqa: E402
from bot.app.config import LimitSettings, Settings, TeamSettings  # noqa: E402
from bot.app.services import vocabularies  # noqa: E402
from bot.services.reporting import Reporting  # noqa: E402
from bot.services.sender import Sender  # noqa: E402
from flows.chat import Action, Answer, Message  # noqa: E402
from storage.database import Database  # noqa: E402
from storage.keys import Keys  # noqa: E402

CONCURRENT = 32  # reporters in flight at once, as the bot's concurrent updates
WARM_UP = 20  # reporters walked first, unmeasured: prepared statements, pools and caches


def _tap(messages: list[Message], label: str) -> Answer:
    buttons = [b for m in messages for b in m.options + m.controls if b.label.startswith(label)]
    return buttons[-1].answer()


async def _walk(reporting: Reporting, chat: int) -> int:
    messages: list[Message] = []
    for step, (kind, what, _expect) in enumerate(REPORT):
        sender = Sender("telegram", str(chat), str(chat), event=f"bench:{chat}:{step}")
        if what == "/report":
            messages = await reporting.start(sender)
        elif kind == "say":
            messages = await reporting.answer(sender, Answer(Action.TEXT, what))
        else:
            messages = await reporting.answer(sender, _tap(messages, what))
    return len(REPORT)


async def _measure(kind: str, reporters: int) -> float:
    """Returns the CPU milliseconds an update took, over `reporters` reports."""
    async with scratch_database(kind) as (url, _folder):
        database = Database(url)
        try:
            await database.migrate()
            chats = [FIRST_CHAT + i for i in range(WARM_UP + reporters)]
            settings = Settings(
                limits=LimitSettings(per_reporter="100000/minute"),
                teams=[TeamSettings(id="bench", name="Bench", members={"telegram": chats})],
            )
            reporting = Reporting(
                database=database,
                keys=Keys(secrets.token_bytes(32), Fernet.generate_key()),
                settings=settings,
                vocabularies=vocabularies(settings),
            )
            slots = asyncio.Semaphore(CONCURRENT)

            async def walk(chat: int) -> int:
                async with slots:
                    return await _walk(reporting, chat)

            await asyncio.gather(*(walk(chat) for chat in chats[:WARM_UP]))
            began = time.process_time()
            updates = sum(await asyncio.gather(*(walk(chat) for chat in chats[WARM_UP:])))
            return (time.process_time() - began) * 1000 / updates
        finally:
            await database.close()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reporters", type=int, default=400)
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgres"])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(f"{'database':<10}{'updates':>8}{'median cpu ms/update':>22}")
    for kind in args.databases:
        runs = [await _measure(kind, args.reporters) for _ in range(args.runs)]
        print(f"{kind:<10}{args.reporters * len(REPORT):>8}{statistics.median(runs):>22.2f}", flush=True)


if __name__ == "__main__":
    asyncio.run(main())
