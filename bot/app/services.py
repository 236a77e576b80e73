"""Everything one nearmiss process runs on, built once from the settings."""

from dataclasses import dataclass

from bot.adapters.vocabularies import for_platforms
from bot.app.config import Settings
from bot.services.front import Front
from bot.services.housekeeping import Housekeeping
from bot.services.managing import Managing
from bot.services.metrics import Metrics
from bot.services.outbox_sender import OutboxSender
from bot.services.reporting import Reporting
from bot.services.scheduled_posts import Digests
from flows.clock import Clock, utcnow
from flows.commands import Vocabularies
from storage.database import Database
from storage.keys import KeySource


@dataclass
class Services:
    """Everything one nearmiss process runs on, built once from the settings."""

    settings: Settings
    database: Database
    keys: KeySource
    reporting: Reporting
    managing: Managing
    digests: Digests
    outbox: OutboxSender
    front: Front
    housekeeping: Housekeeping
    metrics: Metrics

    @classmethod
    def build(cls, settings: Settings, database: Database, keys: KeySource, clock: Clock | None = None) -> "Services":
        clock, metrics = clock or utcnow, Metrics()
        outbox = OutboxSender(
            database=database, keys=keys, per_second=settings.scheduler.outbox_per_second, clock=clock, metrics=metrics
        )
        database.on_queued = outbox.kick
        words = vocabularies(settings)
        reporting = Reporting(
            database=database, keys=keys, settings=settings, vocabularies=words, clock=clock, metrics=metrics
        )
        managing = Managing(database=database, keys=keys, settings=settings, vocabularies=words, clock=clock)
        return cls(
            settings,
            database,
            keys,
            reporting,
            managing,
            Digests(database=database, keys=keys, settings=settings, clock=clock),
            outbox,
            Front(reporting, managing, metrics),
            Housekeeping(database=database, reporters=reporting.reporters, settings=settings),
            metrics,
        )


def vocabularies(settings: Settings) -> Vocabularies:
    """Returns how the users of each configured platform spell the commands."""
    return for_platforms(slack_command=settings.slack.command if settings.slack is not None else None)
