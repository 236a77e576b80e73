"""Settings, read once from a TOML file and the environment, validated loudly, passed in explicitly.

Every key may come from the environment instead of the file, as ``NEARMISS_SECTION__KEY``
(``NEARMISS_DIGEST__CRON``; a top-level key as ``NEARMISS_TIMEZONE``; a list or table as JSON),
and any such variable from a file, as ``NEARMISS_SECTION__KEY_FILE`` or a systemd credential of
the variable's name. The short names of secrets kept from before still work:
``NEARMISS_DATABASE_URL``, ``NEARMISS_TELEGRAM_TOKEN``, ``NEARMISS_TELEGRAM_WEBHOOK_SECRET``,
``NEARMISS_SLACK_BOT_TOKEN``, ``NEARMISS_SLACK_APP_TOKEN``, ``NEARMISS_SLACK_SIGNING_SECRET``,
``NEARMISS_MSTEAMS_APP_ID``, ``NEARMISS_MSTEAMS_APP_PASSWORD``, ``NEARMISS_MSTEAMS_TENANT_ID``,
``NEARMISS_KEY_FILE`` (and the keys themselves, see storage.keys); unlike the others, a short
name never switches a platform's section on.
"""

import json
import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import limits
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator, model_validator
from sqlalchemy.engine import make_url

from flows.lists import DEFAULT_FACTORS, DEFAULT_WHERE, DEFAULT_WHO, Lists, Option
from flows.risk import Bands

PUBLIC_TELEGRAM_API = "https://api.telegram.org/bot"
PUBLIC_SLACK_API = "https://slack.com/api/"
# Microsoft's public cloud: where Teams bots get their tokens and check the Bot Connector's.
PUBLIC_ENTRA_LOGIN = "https://login.microsoftonline.com"
PUBLIC_BOT_OPENID = "https://login.botframework.com/v1/.well-known/openidconfiguration"
PUBLIC_TEAMS_SERVICE = "https://smba.trafficmanager.net/teams/"


PLATFORMS = ("telegram", "slack", "msteams")  # the sections that each configure a chat platform


class ConfigProblem(ValueError):
    """The configuration cannot be used; the message says where and why."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DatabaseSettings(_Section):
    url: str = "sqlite+aiosqlite:///nearmiss.db"
    # PostgreSQL: connections each process keeps open (and as many again for a burst). Keep
    # processes x 2 x pool_size under the server's max_connections (100 by default).
    pool_size: int = Field(20, ge=1)


class KeySettings(_Section):
    file: Path | None = Path("nearmiss.keys")


class DraftSettings(_Section):
    expire_after_hours: float = Field(24, gt=0)
    sweep_every_minutes: float = Field(5, gt=0)


class TelegramSettings(_Section):
    token: SecretStr = SecretStr("")
    base_url: str = PUBLIC_TELEGRAM_API
    mode: Literal["polling", "webhook"] = "polling"
    webhook_url: str = ""
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = Field(8443, ge=0, le=65535)
    webhook_path: str = "/telegram"
    webhook_secret: SecretStr = SecretStr("")
    max_concurrent_updates: int = Field(64, ge=1)
    # How long to wait for the Bot API to answer a call. A message sent and not answered in time
    # is not sent again at once (it has most likely arrived; see docs/delivery.md).
    timeout_seconds: float = Field(10.0, gt=0)
    # Keep within Telegram's flood limits (about 30 messages a second); off only against a
    # local test server.
    flood_limits: bool = True
    # While updates are being handled, the least time between two polls (each answered at once
    # then), and so the least wait for the next update after a quick one; shorter only against a
    # local test server. At most the longest wait between polls then (0.25 s).
    poll_gap_seconds: float = Field(0.05, gt=0, le=0.25)

    @model_validator(mode="after")
    def _webhook_complete(self) -> "TelegramSettings":
        if not self.base_url.rstrip("/").endswith("/bot"):  # the token follows it: .../bot123:ABC/getMe
            raise ValueError(f"base_url must end in /bot, as {PUBLIC_TELEGRAM_API} does")
        if self.mode == "webhook" and not (self.webhook_url and self.webhook_secret.get_secret_value()):
            raise ValueError("webhook mode needs webhook_url and webhook_secret")
        return self


class SlackSettings(_Section):
    bot_token: SecretStr = SecretStr("")
    app_token: SecretStr = SecretStr("")
    signing_secret: SecretStr = SecretStr("")
    base_url: str = PUBLIC_SLACK_API
    mode: Literal["socket", "http"] = "socket"
    http_listen: str = "127.0.0.1"
    http_port: int = Field(3000, ge=0, le=65535)
    http_path: str = "/slack/events"
    command: str = Field("/nearmiss", pattern=r"^/[a-z0-9_-]{1,31}$")

    @model_validator(mode="after")
    def _mode_complete(self) -> "SlackSettings":
        if not self.bot_token.get_secret_value():
            raise ValueError("bot_token is empty: set it, or NEARMISS_SLACK_BOT_TOKEN")
        if self.mode == "socket" and not self.app_token.get_secret_value():
            raise ValueError("socket mode needs app_token (xapp-...), or NEARMISS_SLACK_APP_TOKEN")
        if self.mode == "http" and not self.signing_secret.get_secret_value():
            raise ValueError("http mode needs signing_secret, or NEARMISS_SLACK_SIGNING_SECRET")
        return self


class MsTeamsSettings(_Section):
    """The Microsoft Teams bot (`[msteams]`; not the `[[teams]]` of people who report)."""

    app_id: str = ""  # the Entra app registration's application (client) id
    app_password: SecretStr = SecretStr("")  # a client secret of that registration
    tenant_id: str = ""  # the council's Entra tenant: only its people are served
    listen: str = "127.0.0.1"
    port: int = Field(3978, ge=0, le=65535)
    path: str = "/api/messages"
    # Where proactive messages go when no conversation is known yet (Teams' global address).
    service_url: str = PUBLIC_TEAMS_SERVICE
    login_url: str = PUBLIC_ENTRA_LOGIN
    openid_metadata_url: str = PUBLIC_BOT_OPENID
    # Shown in Teams' app details; needed only by `nearmiss teams-package`.
    organisation: str = ""
    website_url: str = ""
    privacy_url: str = ""
    terms_url: str = ""

    @model_validator(mode="after")
    def _complete(self) -> "MsTeamsSettings":
        for field, variable in (("app_id", "APP_ID"), ("app_password", "APP_PASSWORD"), ("tenant_id", "TENANT_ID")):
            value = getattr(self, field)
            if not (value.get_secret_value() if isinstance(value, SecretStr) else value):
                raise ValueError(f"{field} is empty: set it, or NEARMISS_MSTEAMS_{variable}")
        return self


class RetentionSettings(_Section):
    # A contact (the only way back to a reporter) is deleted after this many days at the most,
    # even if the report is still open; closing a report deletes it sooner.
    contacts_days: int = Field(180, ge=1)
    # Closed reports are deleted this many days after closing; 0 keeps them.
    closed_reports_days: int = Field(0, ge=0)


class LimitSettings(_Section):
    # How many messages and taps one reporter may send; more get a kind "slow down".
    per_reporter: str = "60/minute"
    # How many references one reporter may look up with /status that turn out unknown: codes
    # cannot be guessed by trying them.
    status_misses: str = "10/hour"

    @field_validator("per_reporter", "status_misses")
    @classmethod
    def _readable(cls, value: str) -> str:
        try:
            limits.parse(value)
        except ValueError:
            raise ValueError(f"{value!r} is not a rate such as '60/minute'") from None
        return value


class OptionSetting(_Section):
    code: str = Field(pattern=r"^[a-z0-9_]{1,32}$")
    label: str = Field(min_length=1, max_length=60)


# A Slack message holds at most 25 buttons in a row of actions, and the flow adds up to four of
# its own (Done, Back, Skip, Cancel).
MOST_OPTIONS = 21


class ListSettings(_Section):
    where: tuple[OptionSetting, ...] = ()
    who: tuple[OptionSetting, ...] = ()
    factors: tuple[OptionSetting, ...] = ()

    @field_validator("where", "who", "factors")
    @classmethod
    def _usable(cls, options: tuple[OptionSetting, ...]) -> tuple[OptionSetting, ...]:
        codes = [o.code for o in options]
        if len(set(codes)) != len(codes):
            raise ValueError("each code may appear once")
        if len(options) > MOST_OPTIONS:
            raise ValueError(f"at most {MOST_OPTIONS} options, so every platform can show them")
        return options

    def to_lists(self) -> Lists:
        """Returns the organisation's lists, with the defaults where none is configured."""

        def pick(configured: tuple[OptionSetting, ...], default: tuple[Option, ...]) -> tuple[Option, ...]:
            return tuple(Option(o.code, o.label) for o in configured) or default

        return Lists(
            where=pick(self.where, DEFAULT_WHERE),
            who=pick(self.who, DEFAULT_WHO),
            factors=pick(self.factors, DEFAULT_FACTORS),
        )


def _valid_cron(expression: str) -> str:
    from apscheduler.triggers.cron import CronTrigger

    try:
        CronTrigger.from_crontab(expression)
    except ValueError as error:
        raise ValueError(f"{expression!r} is not a cron expression such as '0 9 * * mon': {error}") from None
    return expression


Language = Literal["en", "cy"]


class TeamSettings(_Section):
    id: str = Field(pattern=r"^[a-z0-9_-]{1,64}$")
    name: str
    # The team's languages: the first is what its people are spoken to in until they choose;
    # its channel's "you said, we did" post is written in each, in this order (["cy", "en"]:
    # both, Welsh first).
    languages: tuple[Language, ...] = Field(("en",), min_length=1)
    invite_code: SecretStr | None = None
    members: dict[str, tuple[str, ...]] = {}
    # Managers see and triage this team's reports and get its digest; safeguarding leads get
    # its immediate alerts. Platform user ids, as under members.
    managers: dict[str, tuple[str, ...]] = {}
    leads: dict[str, tuple[str, ...]] = {}
    digest_cron: str | None = None  # overrides [digest] cron for this team
    # Where the team's "you said, we did" post goes: a Slack channel id, a Telegram group chat id.
    channel: dict[str, str] = {}

    @field_validator("digest_cron")
    @classmethod
    def _cron(cls, expression: str | None) -> str | None:
        return None if expression is None else _valid_cron(expression)

    @field_validator("invite_code", mode="before")
    @classmethod
    def _empty_is_none(cls, code: str | None) -> str | None:
        return code or None

    @field_validator("channel", mode="before")
    @classmethod
    def _chat_as_text(cls, channel: dict) -> dict:
        return {platform: str(chat) for platform, chat in channel.items()}

    @field_validator("members", "managers", "leads", mode="before")
    @classmethod
    def _ids_as_text(cls, members: dict) -> dict:
        return {platform: tuple(str(i) for i in ids) for platform, ids in members.items()}


class TriageSettings(_Section):
    # The lowest risk score (consequence x likelihood) of each colour above green.
    yellow_from: int = Field(4, ge=2, le=25)
    amber_from: int = Field(8, ge=2, le=25)
    red_from: int = Field(15, ge=2, le=25)

    @model_validator(mode="after")
    def _rising(self) -> "TriageSettings":
        if not self.yellow_from < self.amber_from < self.red_from:
            raise ValueError("bands must rise: yellow_from < amber_from < red_from")
        return self

    def bands(self) -> Bands:
        return Bands(self.yellow_from, self.amber_from, self.red_from)


class DigestSettings(_Section):
    cron: str = "0 9 * * mon"
    timezone: str = "Europe/London"
    # Counts below this are shown as "fewer than N", so a small team cannot be re-identified.
    small_count: int = Field(3, ge=1)
    # A digest due while nearmiss was down is still sent if it restarts within this long.
    misfire_grace_hours: float = Field(24, gt=0)

    @field_validator("cron")
    @classmethod
    def _cron(cls, expression: str) -> str:
        return _valid_cron(expression)

    @field_validator("timezone")
    @classmethod
    def _zone(cls, name: str) -> str:
        return _known_zone(name)


class FeedbackSettings(_Section):
    # A reporter who asked to hear back gets a progress note after this many days without news
    # about their report; 0 sends none.
    quiet_days: int = Field(14, ge=0)
    # When each team's "you said, we did" post goes to its channel, in [digest] timezone. Every
    # field must match, so "1-7 * mon" is the first Monday of the month.
    learning_cron: str = "0 10 1-7 * mon"
    # The feedback measures (share of reports with feedback, median days to it) cover the
    # reports submitted in this many days.
    measure_days: int = Field(90, ge=1)

    @field_validator("learning_cron")
    @classmethod
    def _cron(cls, expression: str) -> str:
        return _valid_cron(expression)


class SchedulerSettings(_Section):
    # The scheduler (digests, alerts, sweeps, the outbox) runs in exactly one process: on
    # PostgreSQL whichever holds its lock, on SQLite the one process. False: this process never
    # runs it (as `nearmiss run --no-scheduler`).
    enabled: bool = True
    # Queued messages go out at once; this drain catches any that had to wait (retries).
    outbox_every_seconds: float = Field(30, gt=0)
    # The most messages the bot sends a second on its own initiative (Telegram allows about 30).
    outbox_per_second: float = Field(20, gt=0)
    # On PostgreSQL every process may run the scheduler and exactly one does: the others ask
    # this often whether it is free (when its process dies), and the one running it checks as
    # often that it still holds it.
    takeover_seconds: float = Field(10, gt=0)


class OpsSettings(_Section):
    # Where /healthz, /readyz and /metrics are served; off unless a port is set. Keep it on
    # 127.0.0.1 or a network only the monitoring reaches: it needs no login.
    host: str = "127.0.0.1"
    port: int | None = Field(None, ge=0, le=65535)


class LoggingSettings(_Section):
    # "text" (as a person reads it) or "json" (one object a line, for a log collector).
    format: Literal["text", "json"] = "text"


class Settings(_Section):
    timezone: str = "Europe/London"
    database: DatabaseSettings = DatabaseSettings()
    keys: KeySettings = KeySettings()
    drafts: DraftSettings = DraftSettings()
    limits: LimitSettings = LimitSettings()
    retention: RetentionSettings = RetentionSettings()
    telegram: TelegramSettings | None = None
    slack: SlackSettings | None = None
    msteams: MsTeamsSettings | None = None
    lists: ListSettings = ListSettings()
    triage: TriageSettings = TriageSettings()
    digest: DigestSettings = DigestSettings()
    feedback: FeedbackSettings = FeedbackSettings()
    scheduler: SchedulerSettings = SchedulerSettings()
    ops: OpsSettings = OpsSettings()
    logging: LoggingSettings = LoggingSettings()
    teams: tuple[TeamSettings, ...] = Field(min_length=1)

    @field_validator("timezone")
    @classmethod
    def _zone(cls, name: str) -> str:
        return _known_zone(name)

    @model_validator(mode="after")
    def _unique_teams(self) -> "Settings":
        ids = [team.id for team in self.teams]
        if len(set(ids)) != len(ids):
            raise ValueError("each team id may appear once")
        return self

    @model_validator(mode="after")
    def _reachable(self) -> "Settings":
        """Refuses people or channels to send to on a platform not configured: their messages
        would wait in the outbox for ever."""
        configured = {name for name in PLATFORMS if getattr(self, name) is not None}
        for team in self.teams:
            for field in ("managers", "leads", "channel"):
                for platform in {p for p, ids in getattr(team, field).items() if ids} - configured:
                    raise ValueError(
                        f"team {team.id!r} has {field} on {platform!r}, but [{platform}] is not "
                        f"configured (configured: {', '.join(sorted(configured)) or 'none'})"
                    )
        return self

    def team(self, team_id: str) -> "TeamSettings | None":
        return next((team for team in self.teams if team.id == team_id), None)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def _known_zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r}") from None
    return name


def load_settings(path: Path, environ: Mapping[str, str] | None = None) -> Settings:
    """Returns the settings in a TOML file, with secrets from the environment laid over them."""
    if environ is None:
        environ = os.environ
    try:
        document = tomllib.loads(path.read_text())
    except FileNotFoundError:
        raise ConfigProblem(f"config file {path} not found (copy config.example.toml)") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigProblem(f"{path} is not valid TOML: {error}") from None
    _lay_environment_over(document, _with_files(environ))
    try:
        settings = Settings.model_validate(document)
    except ValidationError as error:
        raise ConfigProblem(f"{path}: {_explain(error)}") from None
    return _relative_to(settings, path.parent)


PREFIX = "NEARMISS_"
FILE_SUFFIX = "_FILE"
# Names kept from before each key had its own variable. A platform's secret set for a whole
# machine must not switch that platform on where its section is not in the file.
SHORT_NAMES = {
    "NEARMISS_DATABASE_URL": ("database", "url"),
    "NEARMISS_KEY_FILE": ("keys", "file"),
    "NEARMISS_TELEGRAM_TOKEN": ("telegram", "token"),
    "NEARMISS_TELEGRAM_WEBHOOK_SECRET": ("telegram", "webhook_secret"),
    "NEARMISS_SLACK_BOT_TOKEN": ("slack", "bot_token"),
    "NEARMISS_SLACK_APP_TOKEN": ("slack", "app_token"),
    "NEARMISS_SLACK_SIGNING_SECRET": ("slack", "signing_secret"),
    "NEARMISS_MSTEAMS_APP_ID": ("msteams", "app_id"),
    "NEARMISS_MSTEAMS_APP_PASSWORD": ("msteams", "app_password"),
    "NEARMISS_MSTEAMS_TENANT_ID": ("msteams", "tenant_id"),
}


def _key_path(name: str) -> tuple[str, ...] | None:
    """Returns the config key a variable names (NEARMISS_DIGEST__CRON: digest.cron), or None."""
    if name in SHORT_NAMES:
        return SHORT_NAMES[name]
    if not name.startswith(PREFIX):
        return None
    path = tuple(name[len(PREFIX) :].lower().split("__"))
    return path if len(path) > 1 or path[0] in Settings.model_fields else None


def _file_for(name: str) -> str | None:
    """Returns the variable whose value a NAME_FILE variable names the file of, or None."""
    stem = name.removesuffix(FILE_SUFFIX)
    if stem == name or name in SHORT_NAMES or _key_path(stem) is None:
        return None  # NEARMISS_KEY_FILE is keys.file, not a file holding NEARMISS_KEY
    return stem


def _with_files(environ: Mapping[str, str]) -> dict[str, str]:
    """Returns the variables, with each NAME_FILE (or systemd credential named NAME) read into
    NAME where NAME itself is not set."""
    files = {stem: Path(value) for name, value in environ.items() if (stem := _file_for(name))}
    if credentials := environ.get("CREDENTIALS_DIRECTORY"):
        files = {path.name: path for path in Path(credentials).iterdir() if _key_path(path.name)} | files
    variables = {name: value for name, value in environ.items() if not _file_for(name)}
    for name, path in files.items():
        if name in variables:
            continue
        try:
            variables[name] = path.read_text().rstrip("\n")
        except OSError as error:
            raise ConfigProblem(f"cannot read {path} for {name}: {error.strerror}") from None
    return variables


def _lay_environment_over(document: dict[str, Any], environ: Mapping[str, str]) -> None:
    """Sets each key a variable names to its value (JSON for a list or table), over the file's."""
    for name, value in environ.items():
        path = _key_path(name)
        if path is None or not value:
            continue
        if name in SHORT_NAMES and path[0] in PLATFORMS and path[0] not in document:
            continue
        table = document
        for part in path[:-1]:
            table = table.setdefault(part, {})
            if not isinstance(table, dict):
                raise ConfigProblem(f"{name}: {'.'.join(path[:-1])} is not a table of keys")
        try:
            table[path[-1]] = json.loads(value) if value[:1] in ("[", "{") else value
        except json.JSONDecodeError as error:
            raise ConfigProblem(f"{name} is not valid JSON: {error}") from None


def _explain(error: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(part) for part in problem['loc']) or 'file'}: {problem['msg']}" for problem in error.errors()
    )


def _relative_to(settings: Settings, folder: Path) -> Settings:
    """Returns the settings with relative file paths read from the config file's folder."""
    url = make_url(settings.database.url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        if not Path(url.database).is_absolute():
            url = url.set(database=str((folder / url.database).resolve()))
    key_file = settings.keys.file
    if key_file is not None and not key_file.is_absolute():
        key_file = (folder / key_file).resolve()
    return settings.model_copy(
        update={
            "database": settings.database.model_copy(update={"url": url.render_as_string(hide_password=False)}),
            "keys": settings.keys.model_copy(update={"file": key_file}),
        }
    )
