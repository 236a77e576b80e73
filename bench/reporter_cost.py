"""Reporter cost: steps, taps, characters typed, words read and a modelled time per report.

    python bench/reporter_cost.py

Each report is walked in English and in Welsh (the same answers, typed the same), and the Welsh
time is given as a ratio to the English.

The model: reading at 230 words a minute, typing at 3 characters a second, 1.5 s a tap. Words
read are the bot's messages plus the label of each button tapped (a reporter scans a list for
their answer; the labels scanned past are counted separately, as "labels on screen").
"""

import statistics
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flows import messages as M
from flows.chat import Action, Answer
from flows.engine import ReportEngine
from flows.lists import Lists
from flows.messages import ENGLISH, WELSH, _, speaking
from flows.report_flow import REPORT_FLOW, Kind
from flows.report_prompts import SUMMARY

WORDS_PER_SECOND, CHARS_PER_SECOND, SECONDS_PER_TAP = 230 / 60, 3.0, 1.5
TODAY = date(2026, 11, 23)


@dataclass(frozen=True)
class Report:
    """A typical report: a value per question (a code, codes, or typed text; None to skip)."""

    name: str
    when: str
    where: str
    who: tuple[str, ...]
    what: str
    action: str
    outcome: str
    factors: tuple[str, ...]
    stopped: str | None
    feedback: str


TYPICAL = (
    Report(
        "missed handover",
        "yesterday",
        "case_transfer",
        ("child", "social_worker"),
        "New worker was not told about the risk from dad.",
        "Rang the family and visited.",
        "prevented",
        ("handover",),
        None,
        "yes",
    ),
    Report(
        "wrong address",
        "today",
        "referral",
        ("police",),
        "Referral had the wrong address so police went to the wrong house.",
        "Corrected it and re-sent.",
        "no_harm",
        (),
        None,
        "no",
    ),
    Report(
        "unread email",
        "week",
        "education",
        ("education", "child"),
        "School emailed a concern that sat unread for a week.",
        "Visited the same day.",
        "left_at_risk",
        ("workload", "inter_agency"),
        "A teacher rang as well.",
        "yes",
    ),
    Report(
        "out of hours",
        "yesterday",
        "out_of_hours",
        ("out_of_hours", "parent_carer"),
        "EDT had no copy of the safety plan.",
        "Sent it over at midnight.",
        "prevented",
        ("information",),
        None,
        "no",
    ),
    Report(
        "wrongly judged",
        "typed",
        "assessment",
        ("parent_carer",),
        "Family were judged a risk on an old record.",
        "Apologised and closed the case.",
        "wrongly_judged",
        ("tools",),
        None,
        "yes",
    ),
)


@dataclass
class Cost:
    steps: int = 0
    taps: int = 0
    typed: int = 0
    read: int = 0
    on_screen: int = 0

    def seconds(self) -> float:
        return self.read / WORDS_PER_SECOND + self.typed / CHARS_PER_SECOND + self.taps * SECONDS_PER_TAP


def _words(text: str) -> int:
    return len(text.split())


def chat_cost(report: Report) -> Cost:
    """Walks the conversation (Telegram, and Slack's step-by-step DM) as the reporter would."""
    engine, cost = ReportEngine(Lists()), Cost(taps=1)  # the tap on /report in the menu
    turn = engine.start(today=TODAY)
    cost.read += sum(_words(m.text) for m in turn.messages)

    def tap(action: Action, value: str = "") -> None:
        nonlocal turn
        prompt = turn.messages[-1]
        buttons = prompt.options + prompt.controls
        [button] = [b for b in buttons if b.action is action and (not value or b.value == value)]
        cost.taps += 1
        cost.read += _words(button.label)
        cost.on_screen += sum(_words(b.label) for b in buttons)
        turn = engine.advance(turn.state, button.answer(), today=TODAY)
        if action is not Action.TOGGLE:
            cost.read += sum(_words(m.text) for m in turn.messages if m.step != SUMMARY)

    def type_text(text: str) -> None:
        nonlocal turn
        cost.typed += len(text)
        turn = engine.advance(turn.state, Answer(Action.TEXT, text), today=TODAY)
        cost.read += sum(_words(m.text) for m in turn.messages)

    for step in REPORT_FLOW:
        cost.steps += 1
        value = getattr(report, step.key)
        if step.kind is Kind.DATE and value == "typed":
            tap(Action.PICK, "typed")
            type_text("3/11")
        elif step.kind is Kind.DATE and value == "week":
            tap(Action.PICK, "week")
            tap(Action.PICK, turn.messages[-1].options[1].value)
        elif step.kind in (Kind.DATE, Kind.CHOICE):
            tap(Action.PICK, value)
        elif step.kind is Kind.MULTI:
            for code in value:
                tap(Action.TOGGLE, code)
            tap(Action.DONE) if value else tap(Action.SKIP)
        elif value is None:
            tap(Action.SKIP)
        else:
            type_text(value)
    cost.read += _words(turn.messages[-1].text.split("\n")[0]) + 6  # the summary's frame
    tap(Action.SUBMIT)
    cost.steps += 1
    return cost


def modal_cost(report: Report) -> Cost:
    """Counts the Slack modal as a phone user taps it: every field on one screen."""
    cost = Cost(steps=1, taps=2)  # open it: the shortcut, then its menu item
    cost.read += _words(_(M.INTRO))
    for step in REPORT_FLOW:
        cost.read += _words(_(step.question))
        value = getattr(report, step.key)
        if step.kind is Kind.DATE:
            cost.taps += 0 if value == "today" else 2  # open the picker, choose the day
        elif step.kind is Kind.CHOICE:
            cost.taps += 1 if step.options in ("grades", "feedback") else 2  # radio, or open + choose
        elif step.kind is Kind.MULTI:
            cost.taps += len(value) + 2 if value else 0  # open, each choice, close
        elif value:
            cost.taps += 1
            cost.typed += len(value)
    cost.taps += 1  # Submit
    return cost


def main() -> None:
    print(f"{len(TYPICAL)} typical reports; medians")
    print(f"{'':<24}{'steps':>6}{'taps':>6}{'typed':>7}{'read':>6}{'labels on screen':>18}{'modelled s':>12}")
    seconds: dict[tuple[str, str], float] = {}
    for language in (ENGLISH, WELSH):
        with speaking(language):
            rows = {
                "Telegram / Slack DM": [chat_cost(r) for r in TYPICAL],
                "Slack modal": [modal_cost(r) for r in TYPICAL],
            }
        for name, costs in rows.items():

            def median(field, costs=costs):
                return statistics.median(getattr(c, field) for c in costs)

            seconds[name, language] = statistics.median(c.seconds() for c in costs)
            print(
                f"{name + ' (' + language + ')':<24}{median('steps'):>6g}{median('taps'):>6g}{median('typed'):>7g}"
                f"{median('read'):>6g}{median('on_screen'):>18g}{seconds[name, language]:>12.0f}"
            )
    for name in ("Telegram / Slack DM", "Slack modal"):
        print(f"{name}: Welsh takes {seconds[name, WELSH] / seconds[name, ENGLISH]:.2f} of the English time")


if __name__ == "__main__":
    main()
