"""Scripted reporters: each case in bench/reporter_cases.py (written from the SCIE report's case
studies by someone who did not write the flow) played through the real Telegram adapter, over
HTTP against the local fake Bot API, on SQLite, reading every message the bot actually sends.

    python bench/reporter_time.py [--code DIR] [--show]

--code runs the flow of another checkout (e.g. an older commit, `git archive`d into DIR) with the
same scripted reporters, so a change is measured against the flow it started from.

The model, per case: every word of every message the bot sends or rewrites is read at 230 words a
minute; the labels of each newly shown keyboard are scanned at a third of that cost (690 words a
minute), and the label tapped is read; 3 characters a second typed, 1.5 s a tap (the first opens
/report from the command menu), and 2 s to think before each question (each newly shown message
with buttons). The reporter taps where the case says so and types where it says so; a typed answer
that is refused is then tapped, as a person would.

The same cases are also submitted on Slack's one-screen form (through the real Bolt app, over
HTTP, with signed requests): what the reporter reads after pressing Submit (a view shown before
anything is stored, and the direct messages that follow) is counted in words and messages.
"""

import argparse
import asyncio
import importlib
import secrets
import statistics
import sys
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

READ_PER_SECOND, SCAN_PER_SECOND = 230 / 60, 690 / 60
CHARS_PER_SECOND, SECONDS_PER_TAP, THINK_SECONDS = 3.0, 1.5, 2.0
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # a Monday
FIRST_USER = 500_000
MOST_ACTIONS = 60

# DESIGN.md's list labels, as the cases give them (lower case), and the codes they stand for.
CODES = {
    "where": {
        "referral and intake": "referral",
        "assessment": "assessment",
        "home visit": "home_visit",
        "strategy meeting or conference": "strategy_meeting",
        "long-term / family support case": "long_term_case",
        "case transfer or handover": "case_transfer",
        "out of hours (edt)": "out_of_hours",
        "school or education": "education",
        "hospital or health": "health",
        "police or court": "police_court",
        "office or phone": "office_phone",
        "other": "other",
    },
    "who": {
        "child or young person": "child",
        "parent or carer": "parent_carer",
        "wider family": "wider_family",
        "social worker": "social_worker",
        "manager": "manager",
        "out-of-hours team": "out_of_hours",
        "police": "police",
        "health": "health",
        "education": "education",
        "housing": "housing",
        "probation": "probation",
        "mental health services": "mental_health",
        "immigration": "immigration",
        "voluntary sector": "voluntary",
        "other": "other",
    },
    "factors": {
        "prioritising immediate harm over need / thresholds": "thresholds",
        "access to information or records": "information",
        "communication between agencies": "inter_agency",
        "case transfer or handover": "handover",
        "drift or optimism in a long-term case": "drift",
        "workload and time pressure": "workload",
        "supervision and support": "supervision",
        "resources not available": "resources",
        "assessment tools and procedures": "tools",
        "other": "other",
    },
    "outcome": {
        "stopped before it happened": "prevented",
        "happened, no harm caused": "no_harm",
        "harm: child left at risk": "left_at_risk",
        "harm: family wrongly judged a risk": "wrongly_judged",
        "life-threatening injury or death": "severe",
    },
}


@dataclass
class Cost:
    read: int = 0  # words read: messages, and the labels tapped
    scanned: int = 0  # words of button labels scanned on newly shown keyboards
    typed: int = 0
    taps: int = 0
    questions: int = 0
    messages: list[str] = field(default_factory=list)

    def flow_seconds(self) -> float:
        """Returns the time the flow asks of the reporter beyond typing the case's own words."""
        return self.seconds() - self.typed / CHARS_PER_SECOND

    def seconds(self) -> float:
        return (
            self.read / READ_PER_SECOND
            + self.scanned / SCAN_PER_SECOND
            + self.typed / CHARS_PER_SECOND
            + self.taps * SECONDS_PER_TAP
            + self.questions * THINK_SECONDS
        )


def _words(text: str) -> int:
    return len(text.split())


class Reporter:
    """One scripted reporter in a private chat with the bot, counting what they read and do."""

    def __init__(self, api, processed, user_id: int, fakes) -> None:
        self.api, self.processed, self.user_id, self.fakes = api, processed, user_id, fakes
        self.cost = Cost()

    async def _push(self, update: dict) -> None:
        before = {m["message_id"]: (m["text"], m.get("reply_markup")) for m in self.api.sent_to(self.user_id)}
        await self.processed.wait(await self.api.push(update))
        for message in self.api.sent_to(self.user_id):
            was = before.get(message["message_id"])
            if was is not None and was[0] == message["text"]:
                continue  # unchanged, or a multi-select toggled in place: already read
            self.cost.read += _words(message["text"])
            self.cost.messages.append(message["text"])
            labels = [b["text"] for b in self.fakes.buttons(message)]
            if labels:
                self.cost.scanned += sum(_words(label) for label in labels)
                self.cost.questions += 1

    async def open_report(self) -> None:
        self.cost.taps += 1  # /report, from the command menu
        await self._push(self.fakes.text_update(self.user_id, "/report"))

    async def type(self, text: str) -> None:
        self.cost.typed += len(text)
        await self._push(self.fakes.text_update(self.user_id, text))

    async def tap(self, button: dict) -> None:
        self.cost.taps += 1
        self.cost.read += _words(button["text"])
        await self._push(self.fakes.callback_update(self.user_id, self.question, button["callback_data"]))

    @property
    def question(self) -> dict:
        """The newest message with buttons: the question the reporter is looking at."""
        return [m for m in self.api.sent_to(self.user_id) if self.fakes.buttons(m)][-1]

    def buttons(self) -> list[tuple[str, str, str, dict]]:
        """The question's buttons as (action, step, value, button)."""
        found = []
        for button in self.fakes.buttons(self.question):
            action, step, value, _token = button["callback_data"].split("|")
            found.append((action, step, value, button))
        return found

    def step(self) -> str:
        return self.buttons()[0][1]

    def find(self, *, action: str, value: str | None = None) -> dict:
        [button] = [b for a, _s, v, b in self.buttons() if a == action and (value is None or v == value)]
        return button

    def has(self, *, action: str, value: str | None = None) -> bool:
        return any(a == action and (value is None or v == value) for a, _s, v, _b in self.buttons())

    @property
    def finished(self) -> bool:
        return any("NM-" in m["text"] for m in self.api.sent_to(self.user_id)[-2:])


async def play(reporter: Reporter, case) -> Cost:
    """Answers each question as the case says, until the report is sent."""
    await reporter.open_report()
    typed_where = typed_when = False
    for _action in range(MOST_ACTIONS):
        if reporter.finished:
            return reporter.cost
        step = reporter.step()
        if step == "when":
            if case.when in ("today", "yesterday") and reporter.has(action="p", value=case.when):
                await reporter.tap(reporter.find(action="p", value=case.when))
            elif case.when == "this_week" and reporter.has(action="p", value="week"):
                await reporter.tap(reporter.find(action="p", value="week"))
            elif case.when == "this_week":  # the week's days: the first, as no case names one
                await reporter.tap([b for a, _s, _v, b in reporter.buttons() if a == "p"][0])
            elif reporter.has(action="p", value="typed") and not typed_when:
                await reporter.tap(reporter.find(action="p", value="typed"))
            elif not typed_when:
                typed_when = True
                await reporter.type(case.when)
            else:  # a choice of days after the date: the first, as the reporter meant it
                await reporter.tap([b for a, _s, _v, b in reporter.buttons() if a == "p"][0])
        elif step == "where":
            if case.typed_choice and not typed_where:
                typed_where = True
                await reporter.type(case.where)
            else:
                await reporter.tap(reporter.find(action="p", value=CODES["where"][case.where.lower()]))
        elif step in ("who", "factors"):
            wanted = [CODES[step][label.lower()] for label in getattr(case, step) or ()]
            chosen = {v for a, _s, v, b in reporter.buttons() if a == "t" and b["text"].startswith("✓")}
            missing = [code for code in wanted if code not in chosen]
            if missing:
                await reporter.tap(reporter.find(action="t", value=missing[0]))
            elif wanted:
                await reporter.tap(reporter.find(action="d"))
            else:
                await reporter.tap(reporter.find(action="s"))
        elif step in ("what", "action"):
            await reporter.type(getattr(case, step))
        elif step == "stopped":
            if case.stopped is None:
                await reporter.tap(reporter.find(action="s"))
            else:
                await reporter.type(case.stopped)
        elif step == "outcome":
            await reporter.tap(reporter.find(action="p", value=CODES["outcome"][case.outcome.lower()]))
        elif step == "feedback":
            await reporter.tap(reporter.find(action="p", value="yes" if case.feedback else "no"))
        elif step == "summary":
            await reporter.tap(reporter.find(action="ok"))
        else:
            raise RuntimeError(f"the scripted reporter does not know the question {step!r}")
    raise RuntimeError("the report was not sent")


async def _reporting(settings):
    """Returns a fresh database and the reporting service on it, for one platform's run."""
    from cryptography.fernet import Fernet

    from bot.app.services import vocabularies
    from bot.services.reporting import Reporting
    from storage.database import Database
    from storage.keys import Keys

    database = Database(settings.database.url)
    await database.migrate()
    keys = Keys(secrets.token_bytes(32), Fernet.generate_key())
    reporting = Reporting(
        database=database, keys=keys, settings=settings, vocabularies=vocabularies(settings), clock=lambda: NOW
    )
    return database, reporting


async def measure(cases, show: bool) -> list[tuple[str, Cost]]:
    from telegram import Update
    from telegram.ext import TypeHandler

    import tests.fakes.telegram as fakes
    from bot.adapters.telegram import TelegramAdapter
    from bot.app.config import DatabaseSettings, Settings, TeamSettings, TelegramSettings
    from bot.services.front import Front
    from tests.conftest import Processed

    api = fakes.FakeBotAPI()
    await api.start()
    users = [FIRST_USER + n for n in range(len(cases))]
    with tempfile.TemporaryDirectory() as scratch:
        settings = Settings(
            database=DatabaseSettings(url=f"sqlite+aiosqlite:///{Path(scratch) / 'bench.db'}"),
            telegram=TelegramSettings(token=api.token, base_url=api.base_url),
            teams=(TeamSettings(id="north", name="North locality", members={"telegram": users}),),
        )
        database, reporting = await _reporting(settings)
        adapter = TelegramAdapter(settings.telegram, Front(reporting))
        processed = Processed()
        adapter.application.add_handler(TypeHandler(Update, processed), group=100)
        await adapter.start()
        results = []
        try:
            for number, (case, user) in enumerate(zip(cases, users, strict=True), 1):
                cost = await play(Reporter(api, processed, user, fakes), case)
                results.append((f"case {number}", cost))
                if show:
                    print(f"--- case {number}: {cost.seconds():.0f} s")
                    for text in cost.messages:
                        print(text, end="\n\n")
        finally:
            await adapter.stop()
            await database.close()
            await api.stop()
    return results


SLACK_SECRET = "bench-signing-secret"


def _form(case) -> dict:
    """Returns a case as the Slack form's filled-in fields (the date as picked: not counted here)."""

    def chosen(kind: str, code: str) -> dict:
        return {"type": kind, "selected_option": {"value": code}}

    def several(step: str) -> dict:
        codes = [CODES[step][label.lower()] for label in getattr(case, step) or ()]
        return {"type": "multi_static_select", "selected_options": [{"value": c} for c in codes]}

    def typed(text: str | None) -> dict:
        return {"type": "plain_text_input", "value": text if text and text != "skip" else None}

    return {
        "when": {"type": "datepicker", "selected_date": NOW.date().isoformat()},
        "where": chosen("static_select", CODES["where"][case.where.lower()]),
        "who": several("who"),
        "what": typed(case.what),
        "action": typed(case.action),
        "outcome": chosen("radio_buttons", CODES["outcome"][case.outcome.lower()]),
        "factors": several("factors"),
        "stopped": typed(case.stopped),
        "feedback": chosen("radio_buttons", "yes" if case.feedback else "no"),
    }


async def measure_form(cases) -> list[tuple[int, int]]:
    """Returns, per case, the words read after Submit on Slack's form, and the messages sent."""
    import json

    from bot.adapters.slack import SlackAdapter
    from bot.app.config import DatabaseSettings, Settings, SlackSettings, TeamSettings
    from bot.services.front import Front
    from tests.fakes.slack import FakeSlack, FakeSlackAPI

    api = FakeSlackAPI()
    await api.start()
    users = [f"U0BENCH{n:03d}" for n in range(len(cases))]
    results = []
    with tempfile.TemporaryDirectory() as scratch:
        settings = Settings(
            database=DatabaseSettings(url=f"sqlite+aiosqlite:///{Path(scratch) / 'bench.db'}"),
            slack=SlackSettings(
                bot_token="xoxb-bench", signing_secret=SLACK_SECRET, base_url=api.base_url, mode="http", http_port=0
            ),
            teams=(TeamSettings(id="north", name="North locality", members={"slack": users}),),
        )
        database, reporting = await _reporting(settings)
        adapter = SlackAdapter(settings.slack, Front(reporting))
        await adapter.start()
        slack = FakeSlack(f"http://127.0.0.1:{adapter.http_port}/slack/events", SLACK_SECRET, api)
        try:
            for case, user in zip(cases, users, strict=True):
                await slack.command(user)
                await api.wait_for("views.open", len(results) + 1)
                _status, body = await slack.interact(slack.submission(user, api.views[-1], _form(case)))
                read = 0
                if body and json.loads(body).get("response_action") == "push":
                    review = json.loads(body)["view"]
                    boxes = [b for b in review["blocks"] if b["type"] == "input"]
                    read += sum(_words(b["text"]["text"]) for b in review["blocks"] if b["type"] == "section")
                    read += sum(_words(b["element"]["initial_value"]) for b in boxes)
                    kept = {b["block_id"]: {"value": b["element"]["initial_value"]} for b in boxes}
                    submission = slack.submission(user, {**review, "id": f"V0R{user}"}, {})
                    submission["view"]["state"] = {"values": {k: {"value": v} for k, v in kept.items()}}
                    await slack.interact(submission)
                for _wait in range(200):
                    if any(m["text"].startswith("Sent.") for m in api.dm(user)):
                        break
                    await asyncio.sleep(0.02)
                await asyncio.sleep(0.2)
                messages = api.dm(user)
                results.append((read + sum(_words(m["text"]) for m in messages), len(messages)))
        finally:
            await adapter.stop()
            await database.close()
            await api.stop()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--code", type=Path, default=Path(__file__).resolve().parent.parent)
    parser.add_argument("--show", action="store_true", help="print every message each reporter read")
    parser.add_argument(
        "--cases", default="reporter_cases", help="the module of cases: reporter_cases_two is the second set"
    )
    args = parser.parse_args()
    sys.path.insert(0, str(args.code.resolve()))
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    CASES = importlib.import_module(args.cases).CASES

    results = asyncio.run(measure(CASES, args.show))
    heads = f"{'read':>6}{'scanned':>9}{'typed':>7}{'taps':>6}{'questions':>11}{'modelled s':>12}{'not typing':>12}"
    print(f"{'':<9}{heads}")
    for name, cost in results:
        print(
            f"{name:<9}{cost.read:>6}{cost.scanned:>9}{cost.typed:>7}{cost.taps:>6}{cost.questions:>11}"
            f"{cost.seconds():>12.0f}{cost.flow_seconds():>12.0f}"
        )
    seconds = [cost.seconds() for _name, cost in results]
    flow = [cost.flow_seconds() for _name, cost in results]
    print(f"median {statistics.median(seconds):.0f} s, slowest {max(seconds):.0f} s, of {len(seconds)} cases")
    print(f"not typing: median {statistics.median(flow):.0f} s, slowest {max(flow):.0f} s")
    form = asyncio.run(measure_form(CASES))
    read_after = [words for words, _count in form]
    print(
        f"Slack form, after Submit: median {statistics.median(read_after):.0f} words read "
        f"({statistics.median(read_after) / READ_PER_SECOND:.0f} s), most {max(read_after)}, "
        f"in a median of {statistics.median(count for _words, count in form):g} direct messages"
    )


if __name__ == "__main__":
    main()
