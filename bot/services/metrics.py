"""What one process counts for its operators, in Prometheus's terms. Labels are platform names
and fixed kinds only: never an id, a team, a reference or any text a person wrote."""

import time
from collections.abc import Iterator
from contextlib import contextmanager

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

# Where handling an update (the database work and the reply it returns) usually falls, in seconds.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)


class Metrics:
    """The process's counters and gauges, on a registry of its own."""

    def __init__(self) -> None:
        self.registry = registry = CollectorRegistry()
        self.updates = Counter(
            "nearmiss_updates", "Updates handled, by platform and kind.", ["platform", "kind"], registry=registry
        )
        self.latency = Histogram(
            "nearmiss_update_seconds",
            "Time to handle one update, by platform.",
            ["platform"],
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        self.reports = Counter(
            "nearmiss_reports_submitted", "Reports submitted, by platform.", ["platform"], registry=registry
        )
        self.sends = Counter(
            "nearmiss_outbox_sends",
            "Outbox sends by outcome: sent, retried (will be tried again), given_up.",
            ["platform", "outcome"],
            registry=registry,
        )
        self.posts = Counter(
            "nearmiss_scheduled_posts",
            "Scheduled posts (digest, learning) run, by outcome: sent, nothing (nothing new to say, or "
            "sent before), failed.",
            ["kind", "outcome"],
            registry=registry,
        )
        self.outbox_pending = Gauge(
            "nearmiss_outbox_pending", "Outbox messages neither sent nor given up.", registry=registry
        )
        self.outbox_oldest = Gauge(
            "nearmiss_outbox_oldest_pending_seconds",
            "Age of the oldest outbox message neither sent nor given up (0 if none).",
            registry=registry,
        )
        self.leader = Gauge(
            "nearmiss_scheduler_leader", "1 while this process runs the scheduler, else 0.", registry=registry
        )
        self.platform_up = Gauge(
            "nearmiss_platform_connected",
            "1 while a configured platform is connected.",
            ["platform"],
            registry=registry,
        )

    @contextmanager
    def handling(self, platform: str, kind: str) -> Iterator[None]:
        """Counts one update and times its handling."""
        started = time.perf_counter()
        try:
            yield
        finally:
            self.updates.labels(platform, kind).inc()
            self.latency.labels(platform).observe(time.perf_counter() - started)

    def text(self) -> bytes:
        """Returns every metric in Prometheus's text format."""
        return generate_latest(self.registry)
