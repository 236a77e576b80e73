"""Digests: composed from aggregates with small counts hidden, queued once per due time, sent
with their chart through the real Telegram adapter, and still sent exactly once when nearmiss
restarts after the due time (each post caught up when the scheduler starts, and recorded once
per due time), on SQLite and PostgreSQL."""

import asyncio
from datetime import UTC, date, datetime

import pytest
from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED
from sqlalchemy import select

from bot.app.config import DigestSettings
from bot.app.scheduler import build_scheduler, posts, start_scheduler
from bot.app.services import Services
from bot.services.scheduled_posts import Digests
from bot.services.sender import Sender
from flows import messages as M
from flows.digest_text import measures_line
from flows.feedback import POST_LIMIT, learning_post
from flows.messages import _
from storage.models import ScheduledPost
from storage.triage_store import FeedbackMeasures
from tests.conftest import MANAGER, MEMBER
from tests.test_cli import nearmiss, write_config

FORM = {
    "when": "2026-11-18",
    "where": "home_visit",
    "who": ["child"],
    "feedback": "yes",
    "what": "The visit went ahead without the police check.",
    "action": "Rang the duty manager.",
    "factors": ["workload"],
    "stopped": None,
}


async def file(reporting, clock, grade: str, n: int, factors=("workload",)) -> None:
    for _number in range(n):
        result = await reporting.submit_form(
            Sender("telegram", str(MEMBER), str(MEMBER)), FORM | {"outcome": grade, "factors": list(factors)}
        )
        assert not result.errors


async def a_week_of_reports(reporting, clock) -> None:
    clock.now = datetime(2026, 11, 18, 14, 0, tzinfo=UTC)  # the Wednesday before
    await file(reporting, clock, "prevented", 4)
    await file(reporting, clock, "left_at_risk", 2, factors=("inter_agency",))
    clock.now = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    await file(reporting, clock, "severe", 1)
    clock.now = datetime(2026, 11, 23, 9, 5, tzinfo=UTC)  # Monday, just after 09:00 in London


def digests_for(database, keys, settings, clock) -> Digests:
    return Digests(database=database, keys=keys, settings=settings, clock=clock)


async def test_a_digest_counts_by_grade_and_hides_small_counts(reporting, database, keys, settings, clock):
    await a_week_of_reports(reporting, clock)
    digest = await digests_for(database, keys, settings, clock).preview("north")

    assert "New reports: 7" in digest.text
    assert "Stopped before it happened: 4" in digest.text
    # 7 - 4 = 3 between two hidden grades: 1 and 2, or 2 and 1, so both can show "fewer than 3"
    assert "Harm: child left at risk: fewer than 3" in digest.text
    assert "Life-threatening or death: fewer than 3" in digest.text
    assert "waiting 3 days" in digest.text and "red" in digest.text and "amber" in digest.text
    assert "Workload and time pressure (5)" in digest.text
    assert "Communication with agencies" not in digest.text  # "recurring (fewer than 3)" would be 2
    assert "Reporters still owed feedback: 7" in digest.text
    assert ": 1\n" not in digest.text and ": 2\n" not in digest.text
    trend, matrix = digest.charts
    assert trend.png.startswith(b"\x89PNG") and matrix.png.startswith(b"\x89PNG")
    # Seven reports, some grades below 3: each week's total, not a split by grade.
    lines = trend.alt.splitlines()
    assert lines[0] == "Bar chart. North locality: new reports, per week, 5 Oct to 23 Nov 2026."
    assert lines[1:] == [
        *(f"{d}: 0" for d in ("5 Oct", "12 Oct", "19 Oct", "26 Oct", "2 Nov", "9 Nov")),
        "16 Nov: 7",
        "23 Nov: 0",
        "Not split by grade: some grades had fewer than 3.",
    ]
    assert matrix.alt.endswith("No reports triaged yet.")


async def test_a_digest_goes_to_the_teams_managers_once(
    telegram_api, bot, reporting, database, keys, settings, clock, outbox
):
    await a_week_of_reports(reporting, clock)
    digests = digests_for(database, keys, settings, clock)

    assert await digests.run("north")
    assert not await digests.run("north")  # the same due time: already queued
    assert await outbox.drain() == 6  # the digest and its two charts; three harm alerts to the lead
    text, trend, matrix = telegram_api.sent_to(MANAGER)
    assert text["text"].startswith("Near-miss digest for North locality, 16 Nov to 23 Nov 2026")
    assert trend["photo_bytes"].startswith(b"\x89PNG") and trend["text"].startswith("Bar chart. North locality")
    assert matrix["photo_bytes"].startswith(b"\x89PNG") and matrix["text"].endswith("No reports triaged yet.")
    assert await outbox.drain() == 0

    clock.advance(days=7)  # the next Monday: a new digest, counting only what is new
    assert await digests.run("north")
    await outbox.drain()
    assert "New reports: 0" in telegram_api.sent_to(MANAGER)[3]["text"]


async def test_a_daily_digest_covers_the_day_since_the_last(reporting, database, keys, settings, clock, outbox):
    await a_week_of_reports(reporting, clock)
    daily = settings.model_copy(update={"digest": DigestSettings(cron="0 9 * * *")})
    digests = digests_for(database, keys, daily, clock)
    assert await digests.run("north")
    clock.advance(days=1)
    tuesday = await digests.preview("north")
    assert tuesday.text.startswith("Near-miss digest for North locality, 23 Nov to 24 Nov 2026")
    assert "New reports: 0" in tuesday.text


async def test_no_digest_is_due_outside_the_grace_time(reporting, database, keys, settings, clock):
    clock.now = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)  # Wednesday: Monday's is 51 hours old
    assert not await digests_for(database, keys, settings, clock).run("north")


async def run_scheduler_once(services: Services, adapters: dict) -> int:
    """Starts a scheduler as `nearmiss run` does, waits for the posts it catches up on at start,
    and stops it; returns how many digests it queued."""
    scheduler = build_scheduler(services, adapters)
    ran, loop, finished = [], asyncio.get_running_loop(), asyncio.Event()

    def on_job(event) -> None:
        if event.job_id in posts(services.settings):
            ran.append(event)
            if len(ran) == len(posts(services.settings)):
                loop.call_soon_threadsafe(finished.set)

    scheduler.add_listener(on_job, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)
    before = digests_queued(services)
    start_scheduler(scheduler, services)
    await asyncio.wait_for(finished.wait(), 15)
    scheduler.shutdown(wait=False)
    assert all(event.exception is None for event in ran)
    return digests_queued(services) - before


def digests_queued(services: Services) -> float:
    sample = {"kind": "digest", "outcome": "sent"}
    return services.metrics.registry.get_sample_value("nearmiss_scheduled_posts_total", sample) or 0


async def test_a_restart_after_the_due_time_sends_the_digest_exactly_once(
    telegram_api, bot, reporting, database, keys, settings, clock
):
    await a_week_of_reports(reporting, clock)
    services = Services.build(settings, database, keys, clock)
    adapters = {"telegram": bot[0]}
    services.outbox.adapters = adapters

    # nearmiss was down at 09:00 on Monday, when the digest fell due, and starts at 10:00.
    assert await run_scheduler_once(services, adapters) == 2  # north's, and south's (no reports)
    assert [m["text"][:16] for m in telegram_api.sent_to(MANAGER)] == [
        "Near-miss digest",
        "Bar chart. North",
        "North locality: ",
    ]

    assert await run_scheduler_once(services, adapters) == 0  # down and up again: nothing queued twice
    assert len(telegram_api.sent_to(MANAGER)) == 3
    async with database.unit() as session:
        runs = list(await session.scalars(select(ScheduledPost).where(ScheduledPost.team == "north")))
    assert [r.due_at for r in runs] == [datetime(2026, 11, 23, 9, 0, tzinfo=UTC)]

    clock.advance(days=2)  # next due next Monday: nothing now
    assert await run_scheduler_once(services, adapters) == 0


def test_nearmiss_digest_dry_run_prints_the_next_digest(tmp_path, key_env):
    config = write_config(
        tmp_path / "config.toml",
        f"""
[database]
url = "sqlite+aiosqlite:///{tmp_path / "nearmiss.db"}"
[[teams]]
id = "north"
name = "North locality"
""",
    )
    chart = tmp_path / "chart.png"
    printed = nearmiss(
        "digest", "--config", str(config), "--team", "north", "--dry-run", "--chart", str(chart), env=key_env
    )
    assert printed.returncode == 0, printed.stderr
    assert printed.stdout.startswith("Near-miss digest for North locality") and "New reports: 0" in printed.stdout
    assert chart.read_bytes().startswith(b"\x89PNG") and (tmp_path / "chart-2.png").read_bytes().startswith(b"\x89PNG")
    assert "No new reports in these weeks." in printed.stdout and "No reports triaged yet." in printed.stdout

    unknown = nearmiss("digest", "--config", str(config), "--team", "west", "--dry-run", env=key_env)
    assert unknown.returncode == 2 and "no team 'west'" in unknown.stderr and "north" in unknown.stderr


async def test_a_team_with_a_channel_gets_a_scheduled_learning_post_and_loses_it_without(
    database, keys, settings, clock
):
    north, south = settings.teams
    with_channel = settings.model_copy(
        update={"teams": (north.model_copy(update={"channel": {"telegram": "-1001"}}), south)}
    )
    jobs = []
    for current in (with_channel, settings):
        services = Services.build(current, database, keys, clock)
        scheduler = build_scheduler(services, {})
        jobs.append({job.id: job.args[1:] for job in scheduler.get_jobs() if job.id in posts(current)})
        assert "progress" in {job.id for job in scheduler.get_jobs()}
    assert jobs == [
        {
            "digest:north": ("north", "digest"),
            "digest:south": ("south", "digest"),
            "learning:north": ("north", "learning"),
        },
        {"digest:north": ("north", "digest"), "digest:south": ("south", "digest")},
    ]


@pytest.mark.parametrize(
    ("reports", "given", "median", "line"),
    [
        (2, 2, 1.0, "Feedback over the last 90 days: too few reports to measure"),
        (5, 0, None, "Feedback over the last 90 days: none of 5 reports has had any yet"),
        (5, 2, 3.0, "Feedback over the last 90 days: fewer than 3 of 5 reports have had some"),
        (8, 6, 2.25, "Feedback over the last 90 days: all but fewer than 3 of 8 reports have had some"),
        (
            10,
            6,
            2.25,
            "Feedback over the last 90 days: 6 of 10 reports have had some (60%); "
            "median time to first feedback 2.2 days",
        ),
    ],
)
def test_feedback_measures_in_words_never_give_a_small_count_away(reports, given, median, line):
    assert measures_line(FeedbackMeasures(reports, given, median), days=90, small=3) == line


def test_a_learning_post_with_many_changes_fits_one_message_and_says_how_many_more():
    changes = [f"Change {n}: " + "handover forms list every agency told about a visit. " * 10 for n in range(20)]
    post = learning_post(team_name="North locality", start=date(2026, 11, 1), end=date(2026, 12, 7), changes=changes)
    listed = [line for line in post.splitlines() if line.startswith("• ")]
    assert len(post) <= POST_LIMIT and 0 < len(listed) < 20
    assert f"…and {20 - len(listed)} more changes" in post and post.endswith(_(M.LEARNING_OUTRO))
    few = learning_post(team_name="North locality", start=date(2026, 11, 1), end=date(2026, 12, 7), changes=changes[:2])
    assert few.count("• ") == 2 and "more changes" not in few
