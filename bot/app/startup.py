"""What stops nearmiss starting, said in one line with what to do; and no secret (a token, a
signing secret, a password, a key) in any log line or message, whatever library wrote it."""

import base64
import errno
import logging
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, SecretStr
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

from bot.app.config import Settings
from storage.keys import Keys

SHORTEST_SECRET = 6  # shorter values would redact ordinary words


class StartupProblem(RuntimeError):
    """nearmiss cannot start; the message says what is wrong and what to do, in one line."""


class Redactor(logging.Filter):
    """Replaces each secret in a log record, its arguments and its traceback with ***."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self._secrets: list[str] = []
        self.add(secrets)

    def add(self, secrets: Iterable[str]) -> None:
        every = set(self._secrets) | {s for s in secrets if len(s) >= SHORTEST_SECRET}
        self._secrets = sorted(every, key=len, reverse=True)  # a secret inside another goes after it

    def redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if (redacted := self.redact(message)) != message:
            record.msg, record.args = redacted, None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = self.redact(logging.Formatter().formatException(record.exc_info))
        return True


REDACTOR = Redactor()


def protect_logs(settings: Settings, keys: Keys | None = None) -> None:
    """Keeps the settings' secrets and the keys out of every log line from now on."""
    REDACTOR.add(secrets_in(settings, keys))
    for handler in logging.getLogger().handlers:
        if REDACTOR not in handler.filters:
            handler.addFilter(REDACTOR)


def secrets_in(settings: Settings, keys: Keys | None = None) -> list[str]:
    """Returns every secret value the settings and keys hold, as it could appear in text."""
    found = [value.get_secret_value() for value in _secret_fields(settings)]
    password = make_url(settings.database.url).password
    found += [password] if password else []
    if keys is not None:
        for key in (keys.pseudonym_key, *keys.retired_pseudonym_keys):
            found += [base64.urlsafe_b64encode(key).decode(), key.hex()]
        found += [key.decode() for key in (keys.contact_key, *keys.retired_contact_keys)]
    return found


def _secret_fields(value: Any) -> Iterable[SecretStr]:
    if isinstance(value, SecretStr):
        yield value
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from _secret_fields(getattr(value, name))
    elif isinstance(value, tuple | list):
        for item in value:
            yield from _secret_fields(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _secret_fields(item)


# Slack's answers that mean the credentials themselves are wrong: no retry can mend them.
SLACK_REFUSALS = {"invalid_auth", "not_authed", "not_allowed_token_type", "token_revoked", "account_inactive"}


def credentials_refused(error: BaseException) -> bool:
    """Says whether a platform refused nearmiss's credentials (not merely could not be reached)."""
    kind = type(error).__name__
    if kind == "SlackApiError":
        return bool(getattr(error, "response", {}).get("error", "") in SLACK_REFUSALS)
    return kind in ("InvalidToken", "TokenRefused")


def explain(error: BaseException, settings: Settings | None = None) -> str:
    """Returns one line saying what stopped nearmiss and what to do about it."""
    where = _database_place(settings)
    text = f"{error} {getattr(error, 'orig', '')}".lower()
    code = _errno(error)
    kind = type(error).__name__
    if kind == "InvalidToken":
        return "the Telegram Bot API refused the token: check [telegram] token (NEARMISS_TELEGRAM_TOKEN), base_url"
    if kind == "TokenRefused":
        return (
            "Entra refused the Teams bot's credentials: check [msteams] app_id, tenant_id and "
            "app_password (NEARMISS_MSTEAMS_APP_PASSWORD)"
        )
    if kind in ("NetworkError", "TimedOut"):
        return "cannot reach the Telegram Bot API: check the network and [telegram] base_url, then start again"
    if kind == "SlackApiError":
        reason = getattr(error, "response", {}).get("error", "")
        return f"Slack refused the app's credentials ({reason}): check [slack] bot_token, app_token and base_url"
    if code == errno.ENOSPC or "disk is full" in text or "no space left" in text:
        return f"the disk is full where the database or its files are ({where}): free some space, then start again"
    if code == errno.EROFS or "readonly database" in text or "read-only file system" in text:
        return f"the database is read-only ({where}): let nearmiss's user write to it and its folder"
    if code == errno.EACCES or "permission denied" in text:
        return f"permission denied ({where}): let nearmiss's user read and write the database and its folder"
    if isinstance(error, NoSuchModuleError | ArgumentError):
        return (
            "[database] url names no database nearmiss can use: write sqlite+aiosqlite:///PATH "
            "or postgresql+asyncpg://USER@HOST/NAME"
        )
    if "database" in text and "does not exist" in text:
        return f"the database {where} does not exist: create it (createdb), or fix [database] url"
    if "password authentication failed" in text or ("role" in text and "does not exist" in text):
        return f"the database server refused the user or password in [database] url ({where})"
    if "unable to open database file" in text:
        return f"cannot open the SQLite database {where}: check its folder exists and nearmiss may write there"
    unreachable = code in (errno.ECONNREFUSED, errno.EHOSTUNREACH, errno.ETIMEDOUT)
    if unreachable or isinstance(error, DBAPIError | ConnectionError | TimeoutError):
        return f"cannot reach the database ({where}): is the server running, and is [database] url right?"
    return f"stopped by {kind}: {REDACTOR.redact(str(error))[:200]} (run with --verbose for the details)"


def _errno(error: BaseException) -> int | None:
    """Returns the operating system's error number behind an error, however deeply wrapped."""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, OSError) and seen.errno is not None:
            return seen.errno
        seen = seen.__cause__ or seen.__context__ or getattr(seen, "orig", None)
    return None


def _database_place(settings: Settings | None) -> str:
    if settings is None:
        return "[database] url"
    url = make_url(settings.database.url)
    if url.get_backend_name() == "sqlite":
        return url.database or "in memory"
    return f"{url.host or 'localhost'}:{url.port or 5432}/{url.database or ''}"
