"""Two quarters of one team's reports, triaged, linked and acted on through Casework as managers
would, plus a handful for a small second team: what exports and board reports are tested on."""

import random
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from bot.app.config import Settings
from bot.app.services import vocabularies
from bot.services.casework import Casework
from flows.draft import ReportContent
from flows.lifecycle import Status
from storage import report_store, triage_store
from storage.database import Database
from storage.keys import Keys

Q3, Q4 = date(2026, 7, 1), date(2026, 10, 1)
QUARTER_END = date(2027, 1, 1)
SETTINGS = ("home_visit", "assessment", "referral", "case_transfer", "out_of_hours")
GRADE_WEIGHTS = {"prevented": 5, "no_harm": 4, "left_at_risk": 3, "wrongly_judged": 1, "severe": 0.3}
FACTORS = ("handover", "inter_agency", "workload", "information", "supervision")
WHATS = (
    "Mum’s new address wasn’t passed on at handover; the visit went to the old flat.",
    "=SUM(1) typed by the referrer, and the school’s concern sat in the inbox.",
    "Strategy meeting held without health; Ysgol Gŵyr not told.",
    "-Duty worker didn't see the police note until Monday.",
)
CHANGES = (
    ("Handover checklist now names the family's current address", "Team manager"),
    ("Duty inbox checked twice a day, named owner on the rota", "Duty senior"),
    ("Health invited to every strategy meeting by default", "Safeguarding lead"),
    ("Weekend police notifications forwarded to EDT", "EDT manager"),
    ("Supervision notes record open actions", "Service manager"),
    ("Referral form asks for the school's contact", "Front door manager"),
)


async def seed_quarters(database: Database, keys: Keys, settings: Settings, clock) -> None:
    """Stores north's reports for 2026 Q3 (30) and Q4 (45) and south's five in Q4, then triages,
    links and acts on them as the quarter went, the clock moving with each step."""
    rng = random.Random(18)
    lists = settings.lists.to_lists()
    reporter = keys.pseudonym(platform="telegram", workspace="", user_id="3141")
    plan = [("north", Q3, n, 30) for n in range(30)] + [("north", Q4, n, 45) for n in range(45)]
    plan += [("south", Q4, n, 5) for n in range(5)]
    async with database.unit() as session:
        stored = []
        for team, start, n, of in plan:
            sent = datetime.combine(start, time(9, 30, 15, 123456), UTC) + timedelta(days=n * 90 / of)
            grade = rng.choices(list(GRADE_WEIGHTS), weights=list(GRADE_WEIGHTS.values()))[0]
            content = ReportContent(
                occurred_on=sent.date() - timedelta(days=rng.randint(0, 3)),
                occurred_at=time(14, 5) if n % 4 == 0 else None,
                setting=rng.choice(SETTINGS),
                involved=tuple(rng.sample(("child", "parent_carer", "police", "health"), 2)),
                what=WHATS[n % len(WHATS)],
                immediate_action="Rang the duty manager the same day.",
                grade=grade,
                factors=tuple(rng.sample(FACTORS, rng.choice((0, 1, 2)))),
                what_stopped_it="Nan rang us" if n % 3 == 0 else None,
                wants_feedback=n % 2 == 0,
            )
            report = await report_store.add_report(
                session, content=content, team=team, reporter=reporter, platform="telegram", now=sent
            )
            stored.append(report)
        for index, report in enumerate(stored):
            clock.now = report.submitted_at + timedelta(days=2, minutes=index)
            work = Casework(session, keys, settings, lists, vocabularies(settings), "manager", clock)
            if index % 10 != 9:  # nine in ten are graded
                consequence = 4 if report.grade == "severe" else rng.randint(1, 4)
                await work.grade(report, consequence, rng.randint(1, 5))
                report.themes = sorted({*report.factors, rng.choice(FACTORS[:3])})
                if report.needs_rca:
                    report.rca = {"whys": ["No checklist", "Handover rushed"], "barriers": "Nan rang the team"}
            if index % 7 == 3:
                await work.set_status(report, Status.UNDER_REVIEW)
            if index % 5 == 0 and index:
                await triage_store.link_reports(session, first=report, second=stored[index - 1], now=clock())
        north = [r for r in stored if r.team == "north"]
        for number, (what, owner) in enumerate(CHANGES):
            report = north[30 + number * 6]  # Q4 reports
            clock.now = report.submitted_at + timedelta(days=3)
            work = Casework(session, keys, settings, lists, vocabularies(settings), "manager", clock)
            due = (report.submitted_at + timedelta(days=20 if number != 4 else 200)).date()
            await work.record_action(report, what=what, owner=owner, due=due.isoformat())
            action = (await triage_store.actions_for(session, report_id=report.id))[-1]
            await work.link_action(north[31 + number * 6], action)
            if number < 4:
                clock.now = report.submitted_at + timedelta(days=15)
                await work.action_done(["north"], action.reference)
        closing = north[2]
        clock.now = closing.submitted_at + timedelta(days=40)
        await Casework(session, keys, settings, lists, vocabularies(settings), "manager", clock).set_status(
            closing, Status.CLOSED
        )


def config_for(database_url: str, folder: Path) -> Path:
    """Returns a config file for the seeded database and its two teams."""
    config = folder / "config.toml"
    config.write_text(
        f'[database]\nurl = "{database_url}"\n'
        '[[teams]]\nid = "north"\nname = "North locality"\n[[teams]]\nid = "south"\nname = "South locality"\n'
    )
    return config
