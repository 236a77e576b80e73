import asyncio
import base64
import os
import secrets
import shutil
from collections.abc import Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import asyncpg
import pytest
from cryptography.fernet import Fernet
from sqlalchemy.engine import make_url
from telegram import Update
from telegram.ext import TypeHandler

from bot.adapters.telegram import TelegramAdapter
from bot.app.config import DatabaseSettings, DraftSettings, Settings, TeamSettings, TelegramSettings
from bot.app.services import vocabularies
from bot.services.front import Front
from bot.services.housekeeping import Housekeeping
from bot.services.managing import Managing
from bot.services.outbox_sender import OutboxSender
from bot.services.reporting import Reporting
from storage.database import Database
from storage.keys import Keys
from tests.fakes.slack import FakeSlackAPI
from tests.fakes.telegram import FakeBotAPI, buttons, callback_update, text_update

POSTGRES_URL = os.environ.get("NEARMISS_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
MEMBER = 738291045  # distinctive, so a leak of it into storage is easy to find
MANAGER = 615204873  # manages north
LEAD = 590318264  # north's safeguarding lead
SOUTH_MANAGER = 572649013
INVITE = "JOIN-NORTH-7Q"
T = TypeVar("T")
# The bot under test polls the fake Bot API again 5 ms after a quick update rather than 50: each
# step of a conversation would otherwise wait out the gap (`nearmiss run` tests keep the default).
POLL_GAP = 0.005


@dataclass
class Clock:
    """The time as the test says it is."""

    now: datetime = field(default_factory=lambda: datetime(2026, 11, 23, 10, 0, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def keys() -> Keys:
    return Keys(secrets.token_bytes(32), Fernet.generate_key())


@pytest.fixture
def key_env(keys: Keys) -> dict[str, str]:
    return {
        "NEARMISS_PSEUDONYM_KEY": base64.urlsafe_b64encode(keys.pseudonym_key).decode(),
        "NEARMISS_CONTACT_KEY": keys.contact_key.decode(),
    }


def _admin_url() -> str:
    return make_url(POSTGRES_URL).set(drivername="postgresql").render_as_string(hide_password=False)


def _skip_unreachable(error: Exception) -> NoReturn:
    admin = make_url(POSTGRES_URL)
    pytest.skip(f"PostgreSQL not reachable at {admin.host}:{admin.port}: {error.__class__.__name__}")


async def _postgres_database(template: str | None = None):
    """Yields the URL of a new database of its own, empty or a copy of `template`; drops it after."""
    try:
        connection = await asyncpg.connect(_admin_url(), timeout=5)
    except (OSError, asyncpg.PostgresError) as error:
        _skip_unreachable(error)
    name = f"nearmiss_test_{secrets.token_hex(6)}"
    await connection.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    try:
        yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await connection.close()


def _apart(work: Coroutine[Any, Any, T]) -> T:
    """Runs a coroutine on an event loop of its own, in a thread, whether or not a test's loop is
    running (a session fixture is first asked for from inside one)."""
    with ThreadPoolExecutor(1) as thread:
        return thread.submit(asyncio.run, work).result()


async def _migrate(url: str) -> None:
    database = Database(url)
    try:
        await database.migrate()
    finally:
        await database.close()


# Migrating an empty database takes longer than copying one migrated already: the `database` of a
# test starts as a copy of one of these, made once a session (each xdist worker's own), and still
# migrates on top (nothing to do). A test that asks only for `database_url` gets an empty one.


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """Returns a SQLite file brought up to the newest migration."""
    path = tmp_path_factory.mktemp("template") / "nearmiss.db"
    _apart(_migrate(f"sqlite+aiosqlite:///{path}"))
    return path


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str]:
    """Yields the name of a PostgreSQL database brought up to the newest migration."""

    async def create() -> str:
        try:
            connection = await asyncpg.connect(_admin_url(), timeout=5)
        except (OSError, asyncpg.PostgresError) as error:
            _skip_unreachable(error)
        name = f"nearmiss_template_{secrets.token_hex(6)}"
        try:
            await connection.execute(f'CREATE DATABASE "{name}"')
        finally:
            await connection.close()
        await _migrate(make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False))
        return name

    async def drop(name: str) -> None:
        connection = await asyncpg.connect(_admin_url(), timeout=5)
        try:
            await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await connection.close()

    name = _apart(create())
    yield name
    _apart(drop(name))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def database_url(request, tmp_path):
    migrated = "database" in request.fixturenames  # then a copy of a migrated one will do
    if request.param == "sqlite":
        path = tmp_path / "nearmiss.db"
        if migrated:
            shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite+aiosqlite:///{path}"
        return
    async for url in _postgres_database(request.getfixturevalue("postgres_template") if migrated else None):
        yield url


@pytest.fixture
async def database(database_url):
    database = Database(database_url)
    await database.migrate()
    yield database
    await database.close()


@pytest.fixture
async def telegram_api():
    api = FakeBotAPI()
    await api.start()
    yield api
    await api.stop()


@pytest.fixture
async def slack_api():
    api = FakeSlackAPI()
    await api.start()
    yield api
    await api.stop()


@pytest.fixture
def settings(database_url, telegram_api) -> Settings:
    return Settings(
        database=DatabaseSettings(url=database_url),
        drafts=DraftSettings(expire_after_hours=24),
        telegram=TelegramSettings(token=telegram_api.token, base_url=telegram_api.base_url, poll_gap_seconds=POLL_GAP),
        teams=(
            TeamSettings(
                id="north",
                name="North locality",
                invite_code=INVITE,
                members={"telegram": [MEMBER]},
                managers={"telegram": [MANAGER]},
                leads={"telegram": [LEAD]},
            ),
            TeamSettings(
                id="south", name="South locality", members={"telegram": [2002]}, managers={"telegram": [SOUTH_MANAGER]}
            ),
        ),
    )


@pytest.fixture
def reporting(database, keys, settings, clock) -> Reporting:
    return Reporting(database=database, keys=keys, settings=settings, vocabularies=vocabularies(settings), clock=clock)


@pytest.fixture
def housekeeping(database, settings, reporting) -> Housekeeping:
    return Housekeeping(database=database, reporters=reporting.reporters, settings=settings)


@pytest.fixture
def managing(database, keys, settings, clock) -> Managing:
    return Managing(database=database, keys=keys, settings=settings, vocabularies=vocabularies(settings), clock=clock)


@pytest.fixture
def outbox(database, keys, clock) -> OutboxSender:
    """The outbox sender; tests drain it when they choose (nothing wakes it by itself)."""
    return OutboxSender(database=database, keys=keys, clock=clock, per_second=1000)


class Processed:
    """Knows which updates the bot has finished handling (a last handler group sees each)."""

    def __init__(self) -> None:
        self.ids: set[int] = set()
        self._changed = asyncio.Condition()

    async def __call__(self, update: Update, context: Any) -> None:
        async with self._changed:
            self.ids.add(update.update_id)
            self._changed.notify_all()

    async def wait(self, update_id: int) -> None:
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(lambda: update_id in self.ids), 15)


async def start_bot(
    settings: Settings, reporting: Reporting, managing: Managing | None = None
) -> tuple[TelegramAdapter, Processed]:
    adapter = TelegramAdapter(settings.telegram, Front(reporting, managing))
    processed = Processed()
    adapter.application.add_handler(TypeHandler(Update, processed), group=100)
    await adapter.start()
    return adapter, processed


@pytest.fixture
async def bot(settings, reporting, managing, outbox):
    adapter, processed = await start_bot(settings, reporting, managing)
    outbox.adapters = {"telegram": adapter}
    yield adapter, processed
    await adapter.stop()


class Chat:
    """A Telegram user talking to the bot in a private chat."""

    def __init__(self, api: FakeBotAPI, processed: Processed, user_id: int) -> None:
        self.api, self.processed, self.user_id = api, processed, user_id

    async def _push(self, update: dict) -> list[dict]:
        """Returns the messages that appeared, or were rewritten in place, in answer (not those
        whose buttons were only taken off)."""
        before = {m["message_id"]: (m["text"], m.get("reply_markup")) for m in self.api.sent_to(self.user_id)}
        await self.processed.wait(await self.api.push(update))

        def rewritten(message: dict) -> bool:
            was = before.get(message["message_id"])
            return (
                was is None or was[0] != message["text"] or bool(buttons(message) and was[1] != message["reply_markup"])
            )

        return [m for m in self.api.sent_to(self.user_id) if rewritten(m)]

    async def say(self, text: str) -> list[dict]:
        """Sends text (or a command); returns the messages the bot sent back."""
        return await self._push(text_update(self.user_id, text))

    async def tap(self, label: str, message: dict | None = None) -> list[dict]:
        """Taps the button whose label contains `label` on the latest keyboard (or `message`)."""
        message = message or self.last_keyboard
        matches = [b for b in buttons(message) if label in b["text"]]
        assert len(matches) == 1, f"{label!r} is not one button of {[b['text'] for b in buttons(message)]}"
        return await self._push(callback_update(self.user_id, message, matches[0]["callback_data"]))

    async def send_raw(self, update: dict) -> list[dict]:
        return await self._push(update)

    @property
    def last_keyboard(self) -> dict:
        with_buttons = [m for m in self.api.sent_to(self.user_id) if buttons(m)]
        assert with_buttons, "the bot has shown no buttons"
        return with_buttons[-1]

    @property
    def last(self) -> dict:
        return self.api.sent_to(self.user_id)[-1]


@pytest.fixture
def chat(telegram_api, bot) -> Chat:
    return Chat(telegram_api, bot[1], MEMBER)
