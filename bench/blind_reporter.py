"""A scripted reporter, written blind: it plays each case of a cases module through the real bot
(`python -m bot.app.cli run`) over HTTP against the local fake Telegram Bot API, acting only on
what a person sees (message texts and button labels), and models the reporter's time.

    cd /work/wt-blind && PYTHONPATH=. /work/main/.venv/bin/python bench/blind_reporter.py \
        [--cases bench.reporter_cases] [--show] [--only N ...]

Written without reading the bot's flow code: the reporter decides what each question is from
the words on the screen, and taps the button whose label matches the case's answer (tolerant of
shortened labels). It never looks inside a button's callback data; it only hands it back when
tapping, as Telegram does.

Time model: every word of every message the bot sends, or edits to new text, read at 230 words
a minute; the labels of each newly shown set of buttons scanned at 690 words a minute, and the
tapped label read; 3 characters a second typed; 1.5 s a tap (opening /report from the menu is
one); 2 s to think before each question (each newly shown message with buttons, or each question
answered by typing). "not typing" is the modelled time less the typing.

How the model is read here (choices of this script, not of the issue):
- a word is a whitespace-separated token with a letter or digit in it (a lone emoji is not);
- a keyboard is "newly shown" when its labels differ in words from what that message showed
  before: a tick added to a chosen option is not a new keyboard (not scanned again, no question);
- a question is a message sent, or edited to new text, with a newly shown keyboard, or a prompt
  without buttons that the reporter answers by typing; the closing message with the reference
  is read (and its buttons, if any, scanned) but is not a question;
- a notice shown on a tap (answerCallbackQuery text) would be read like a message.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import importlib
import os
import re
import signal
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from tests.fakes.telegram import FakeBotAPI, buttons, callback_update, text_update

READ_WPM = 230.0
SCAN_WPM = 690.0
TYPE_CPS = 3.0
TAP_SECONDS = 1.5
THINK_SECONDS = 2.0

SETTLE_SECONDS = 0.4  # the bot has finished answering when nothing changed for this long
REPLY_TIMEOUT = 20.0  # no answer at all within this long: the case is stuck
MAX_ACTIONS = 80
FIRST_USER_ID = 710001
TIMEZONE = "Europe/London"

NOT_UNDERSTOOD = r"understand|didn't catch|did not catch|not sure what|couldn't match|could not match|tap one"
REFERENCE = re.compile(r"\bNM-[A-Z0-9]{4}-[A-Z0-9]{4}\b")
STOPWORDS = {"or", "and", "a", "an", "the", "of", "to", "in", "on", "it", "for"}
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MONTHS = "january february march april may june july august september october november december".split()


class Stuck(Exception):
    """The reporter cannot go on: the case fails loudly."""


# What a person sees.


def words(text: str) -> int:
    """Words as a reader counts them: tokens with at least one letter or digit (a lone emoji or
    a bullet is not a word)."""
    return sum(1 for token in text.split() if re.search(r"\w", token))


def norm(label: str) -> str:
    """A label as a reader compares it: lower case, words only (ticks, emoji and punctuation
    dropped, '&' read as 'and')."""
    label = label.lower().replace("&", " and ").replace("’", "'")
    return " ".join(re.findall(r"[a-z0-9']+", label))


def stem(word: str) -> str:
    """A plural read as its singular ("agencies" as "agency"), as a reader matches words."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def content_words(text: str) -> list[str]:
    return [stem(w) for w in norm(text).split() if w not in STOPWORDS]


def _same_word(a: str, b: str) -> bool:
    # A shortened label may cut a word ("Prioritising immed…"): a prefix of 3+ letters counts.
    return a == b or (min(len(a), len(b)) >= 3 and (a.startswith(b) or b.startswith(a)))


@dataclass
class Match:
    index: int
    exact: bool
    how: str


def match_label(want: str, labels: list[str]) -> Match | None:
    """The button a person would take for `want`: the same words, else a shortened or lightly
    reworded label whose words are nearly all the wanted ones."""
    target = norm(want)
    normed = [norm(label) for label in labels]
    for i, n in enumerate(normed):
        if n == target:
            return Match(i, True, "same words")
    for i, n in enumerate(normed):
        if len(n) >= 4 and (target.startswith(n) or n.startswith(target)):
            return Match(i, False, f"'{labels[i]}' taken as a shortened/longer '{want}'")
    want_words = content_words(want)
    scored = []
    for i, label in enumerate(labels):
        have = content_words(label)
        if not have or not want_words:
            continue
        precision = sum(any(_same_word(h, w) for w in want_words) for h in have) / len(have)
        recall = sum(any(_same_word(w, h) for h in have) for w in want_words) / len(want_words)
        if precision >= 0.6 and recall >= 0.3:
            scored.append((precision + recall, i))
    scored.sort(reverse=True)
    if scored and (len(scored) == 1 or scored[0][0] > scored[1][0]):
        i = scored[0][1]
        return Match(i, False, f"'{labels[i]}' taken for '{want}' by its words")
    return None


def find_control(labels: list[str], *names: str) -> int | None:
    """A control button (Done, Skip, Submit, ...) by its words."""
    for name in names:
        for i, label in enumerate(labels):
            if norm(label) == name:
                return i
    for name in names:
        for i, label in enumerate(labels):
            n = norm(label).split()
            if name.split()[0] in n and len(n) <= 4:
                return i
    return None


# Dates a case types, as the reporter means them.


def meant_dates(typed: str, today: dt.date) -> list[dt.date]:
    """The dates a person typing `typed` today could mean (more than one where English is
    ambiguous: 'last tuesday' on a Wednesday)."""
    text = typed.lower().strip()
    m = re.search(r"\b(\d{1,2})/(\d{1,2})\b", text)
    if m:
        day, month = int(m.group(1)), int(m.group(2))
        year = today.year if (month, day) <= (today.month, today.day) else today.year - 1
        return [dt.date(year, month, day)]
    for token in text.split():
        if token[:3] in WEEKDAYS:
            weekday = WEEKDAYS.index(token[:3])
            back = (today.weekday() - weekday) % 7
            if "last" in text.split():
                back = back or 7
                return [today - dt.timedelta(days=back), today - dt.timedelta(days=back + 7)]
            if back == 0:
                return [today, today - dt.timedelta(days=7)]
            return [today - dt.timedelta(days=back)]
    if "yesterday" in text:
        return [today - dt.timedelta(days=1)]
    if "today" in text:
        return [today]
    return []


def meant_time(typed: str) -> list[str] | None:
    m = re.search(r"\b(\d{1,2})\s*(am|pm)\b", typed.lower())
    if not m:
        return None
    hour = int(m.group(1)) % 12 + (12 if m.group(2) == "pm" else 0)
    h12 = int(m.group(1))
    return [
        f"{h12}{m.group(2)}",
        f"{h12} {m.group(2)}",
        f"{h12}:00 {m.group(2)}",
        f"{h12}:00{m.group(2)}",
        f"{hour}:00",
    ]


def date_mentions(text: str) -> list[str]:
    t = text.lower()
    pattern = r"\b\d{1,2}(?:st|nd|rd|th)?\s+(?:" + "|".join(m[:3] for m in MONTHS) + r")[a-z]*\b"
    return re.findall(pattern, t) + re.findall(r"\b\d{1,2}/\d{1,2}(?:/\d{2,4})?\b", t)


def shows_date(text: str, day: dt.date) -> bool:
    t = text.lower()
    month = MONTHS[day.month - 1]
    return bool(
        re.search(rf"\b{day.day}(?:st|nd|rd|th)?\s+{month[:3]}[a-z]*\b", t)
        or re.search(rf"\b{month[:3]}[a-z]*\s+{day.day}(?:st|nd|rd|th)?\b", t)
        or re.search(rf"\b0?{day.day}/0?{day.month}\b", t)
        or day.isoformat() in t
    )


# One reporter.


@dataclass
class Seen:
    text: str
    labels: tuple[str, ...]


@dataclass
class Tally:
    words_read: int = 0
    words_scanned: int = 0
    chars_typed: int = 0
    taps: int = 0
    questions: int = 0

    @property
    def seconds(self) -> float:
        return self.not_typing + self.chars_typed / TYPE_CPS

    @property
    def not_typing(self) -> float:
        return (
            self.words_read * 60 / READ_WPM
            + self.words_scanned * 60 / SCAN_WPM
            + self.taps * TAP_SECONDS
            + self.questions * THINK_SECONDS
        )


@dataclass
class Outcome:
    number: int
    tally: Tally
    reference: str | None
    transcript: list[str]
    guesses: list[str]
    confusions: list[str]
    error: str | None = None


@dataclass
class Reporter:
    api: FakeBotAPI
    user_id: int
    case: Any
    number: int
    tally: Tally = field(default_factory=Tally)
    transcript: list[str] = field(default_factory=list)
    guesses: list[str] = field(default_factory=list)
    confusions: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.seen: dict[int, Seen] = {}
        self.calls_seen = len(self.api.calls)
        self.batch: list[int] = []  # messages sent or changed in the last answer
        self.thought: set[tuple[int, str]] = set()  # prompts already counted as questions
        self.chosen: dict[str, list[str]] = {"who": [], "factors": []}
        self.tap_instead: set[str] = set()  # questions where typing was not understood
        self.typed_at: dict[str, int] = {}
        self.asked: dict[str, int] = {}
        self.date_to_check: str | None = None
        self.date_checked = False
        self.pending_date = False
        self.reference: str | None = None
        self.last_kind: str | None = None
        self.tapped: dict[str, str] = {}  # the label tapped for each question, to check the card

    # Acting.

    async def type(self, text: str, why: str) -> None:
        self.tally.chars_typed += len(text)
        self.transcript.append(f"  YOU type ({why}): {text}")
        await self.api.push(text_update(self.user_id, text))
        await self.answer()

    async def open_report(self) -> None:
        self.tally.taps += 1
        self.transcript.append("  YOU tap the menu command: /report")
        await self.api.push(text_update(self.user_id, "/report"))
        await self.answer()

    async def tap(self, message_id: int, index: int, why: str) -> None:
        message = self.api.messages[message_id]
        button = buttons(message)[index]
        label = button["text"]
        self.tally.taps += 1
        self.tally.words_read += words(label)
        self.transcript.append(f"  YOU tap ({why}): [{label}]")
        if "callback_data" not in button:
            raise Stuck(f"button [{label}] carries no callback (a link?): a person could not use it here")
        await self.api.push(callback_update(self.user_id, message, button["callback_data"]))
        await self.answer()

    # Watching the chat.

    def _now(self) -> dict[int, Seen]:
        return {
            m["message_id"]: Seen(m.get("text", ""), tuple(b.get("text", "") for b in buttons(m)))
            for m in self.api.sent_to(self.user_id)
        }

    async def answer(self) -> None:
        """Waits for the bot's answer (messages sent or edited) and reads it."""
        before = self.seen
        started = time.monotonic()
        last_change = None
        state = before
        while True:
            await asyncio.sleep(0.03)
            now = self._now()
            if now != state:
                state = now
                last_change = time.monotonic()
            if last_change is None:
                if time.monotonic() - started > REPLY_TIMEOUT:
                    raise Stuck(f"no answer from the bot within {REPLY_TIMEOUT:.0f} s")
            elif time.monotonic() - last_change >= SETTLE_SECONDS:
                break
        self._read(before, state)
        self.seen = state

    def _read(self, before: dict[int, Seen], now: dict[int, Seen]) -> None:
        self.batch = []
        for call in self.api.calls[self.calls_seen :]:
            if call.method == "answerCallbackQuery" and call.params.get("text"):
                toast = str(call.params["text"])
                self.tally.words_read += words(toast)
                self.transcript.append(f"  BOT (notice on the tap): {toast}")
        self.calls_seen = len(self.api.calls)
        for mid in sorted(now):
            new, old = now[mid], before.get(mid)
            text_changed = old is None or new.text != old.text
            labels_new = bool(new.labels) and (
                old is None or [norm(x) for x in new.labels] != [norm(x) for x in old.labels]
            )
            if not text_changed and not labels_new:
                if old is not None and new.labels != old.labels:
                    shown = " | ".join(new.labels) if new.labels else "(buttons taken off)"
                    self.transcript.append(f"  BOT [{mid} buttons changed] {shown}")
                continue
            self.batch.append(mid)
            verb = "new" if old is None else ("edited" if text_changed else "buttons changed")
            if text_changed:
                self.tally.words_read += words(new.text)
            if labels_new:
                self.tally.words_scanned += sum(words(x) for x in new.labels)
            self.transcript.append(f"  BOT [{mid} {verb}] " + new.text.replace("\n", "\n      "))
            if new.labels:
                self.transcript.append("      buttons: " + " | ".join(f"[{x}]" for x in new.labels))
            if new.labels and labels_new and text_changed and not REFERENCE.search(new.text):
                self.tally.questions += 1
                self.thought.add((mid, new.text))
            found = REFERENCE.search(new.text)
            if found and not self._is_card(new):
                self.reference = found.group(0)

    # Deciding.

    def _is_card(self, seen: Seen) -> bool:
        return find_control(list(seen.labels), "submit", "send report", "send", "confirm") is not None

    def newest(self) -> tuple[int, Seen]:
        mid = max(self.seen)
        return mid, self.seen[mid]

    def _has(self, labels: list[str], *wanted: str) -> bool:
        normed = [norm(x) for x in labels]
        return any(norm(w) in normed or any(n.startswith(norm(w)) for n in normed) for w in wanted)

    def classify(self, text: str, labels: list[str]) -> str:
        t = text.lower()
        if labels and self._has(labels, "submit", "send report", "send"):
            return "card"
        if self._has(labels, "english") and self._has(labels, "cymraeg"):
            return "language"
        if self._has(labels, "stopped before it happened", "happened, no harm caused"):
            return "outcome"
        if self._has(labels, "tell me what changes", "don't contact me"):
            return "feedback"
        if self._has(labels, "workload and time pressure", "communication between agencies") or "factor" in t:
            return "factors"
        if self._has(labels, "parent or carer", "child or young person", "wider family"):
            return "who"
        if self._has(labels, "home visit", "referral and intake", "assessment"):
            return "where"
        if self._has(labels, "today", "yesterday", "earlier this week"):
            return "when"
        if labels and sum(norm(x)[:3] in WEEKDAYS for x in labels) >= 2:
            return "day"
        if (self.pending_date or self.date_to_check) and re.search(r"type the date|type a date|which date", t):
            return "date_entry"
        if self.pending_date and ("date" in t or "day" in t or "when" in t):
            return "date_entry"
        if re.search(r"stopped it|getting worse|worse|kept .* safe|phew", t):
            return "stopped"
        if "what happened" in t:
            return "what"
        if re.search(r"straight away|immediate|what was done|what did you do|what you did|action", t):
            return "action"
        if re.search(NOT_UNDERSTOOD, t):
            return "not_understood"
        if labels and find_control(labels, "yes", "that's right", "correct", "ok", "continue", "keep") is not None:
            return "accept"
        return "unknown"

    async def play(self) -> None:
        await self.open_report()
        for _ in range(MAX_ACTIONS):
            self._check_date_echo()
            if self.reference:
                return
            mid, shown = self.newest()
            labels = list(shown.labels)
            kind = self.classify(shown.text, labels)
            refusal = [self.seen[m].text for m in self.batch if re.search(NOT_UNDERSTOOD, self.seen[m].text.lower())]
            if refusal and kind != "not_understood":
                # "I couldn't match that ... tap one", then the question again: tap this time.
                self.confusions.append(f"case {self.number}: after {self.last_kind}: {refusal[0]!r}")
                if self.last_kind:
                    self.tap_instead.add(self.last_kind)
            if kind == "unknown" and len(self.batch) > 1:
                # The question may be in an earlier part of the answer (e.g. a note came last).
                for other in sorted(self.batch, reverse=True)[1:]:
                    k = self.classify(self.seen[other].text, list(self.seen[other].labels))
                    if k != "unknown":
                        kind, mid, shown, labels = k, other, self.seen[other], list(self.seen[other].labels)
                        self.guesses.append(f"case {self.number}: answered message {other}, not the newest one")
                        break
            if kind == "not_understood":
                self.confusions.append(f"case {self.number}: after {self.last_kind}: {shown.text!r}")
                if self.last_kind:
                    self.tap_instead.add(self.last_kind)
                # The question is usually shown again; look for it among the earlier messages.
                for other in sorted(self.seen, reverse=True):
                    k = self.classify(self.seen[other].text, list(self.seen[other].labels))
                    if k not in ("unknown", "not_understood") and self.seen[other].labels:
                        kind, mid, shown, labels = k, other, self.seen[other], list(self.seen[other].labels)
                        break
                else:
                    raise Stuck(f"the bot did not understand and no question is on screen: {shown.text!r}")
            self.asked[kind] = self.asked.get(kind, 0) + 1
            if kind not in ("who", "factors") and self.asked[kind] > 3:
                raise Stuck(f"asked the {kind} question a fourth time: {shown.text!r}")
            self.last_kind = kind
            await self.respond(kind, mid, shown, labels)
        raise Stuck(f"no reference after {MAX_ACTIONS} actions")

    async def _typed_question(self, mid: int, shown: Seen, text: str, why: str) -> None:
        if (mid, shown.text) not in self.thought:
            self.tally.questions += 1
            self.thought.add((mid, shown.text))
        await self.type(text, why)

    async def _choose(self, mid: int, labels: list[str], want: str, why: str) -> None:
        m = match_label(want, labels)
        if m is None:
            raise Stuck(f"no button like '{want}' among {labels}")
        if not m.exact:
            self.guesses.append(f"case {self.number} ({why}): {m.how}")
        self.tapped[why] = labels[m.index]
        await self.tap(mid, m.index, why)

    async def respond(self, kind: str, mid: int, shown: Seen, labels: list[str]) -> None:
        case = self.case
        if kind == "language":
            i = find_control(labels, "english")
            self.guesses.append(f"case {self.number}: a language picker was shown; tapped English")
            await self.tap(mid, i if i is not None else 0, "language")
        elif kind == "when":
            if case.when in ("today", "yesterday", "this_week"):
                want = {"today": "Today", "yesterday": "Yesterday", "this_week": "Earlier this week"}[case.when]
                await self._choose(mid, labels, want, "when")
            elif re.search(r"\btype\b|e\.g\.|for example|or write|or send", shown.text.lower()):
                self.guesses.append(
                    f"case {self.number}: the when question invites typing, so the date was typed at once"
                )
                await self._type_date(mid, shown)
            else:
                i = find_control(labels, "pick a date", "another day", "other day", "another date", "date")
                if i is None:
                    self.guesses.append(f"case {self.number}: no 'pick a date' button; the date was typed")
                    await self._type_date(mid, shown)
                else:
                    self.guesses.append(
                        f"case {self.number}: the when question does not say a date may be typed, so "
                        f"[{labels[i]}] was tapped first, then the date typed"
                    )
                    self.pending_date = True
                    await self.tap(mid, i, "when: a date of my own")
        elif kind == "date_entry":
            await self._type_date(mid, shown)
        elif kind == "day":
            self.guesses.append(
                f"case {self.number}: 'earlier this week' names no day; tapped the first day shown, [{labels[0]}]"
            )
            await self.tap(mid, 0, "which day")
        elif kind == "where":
            if case.typed_choice and "where" not in self.tap_instead:
                await self._typed_question(mid, shown, case.where, "where, typed instead of tapped")
            else:
                await self._choose(mid, labels, case.where, "where")
        elif kind in ("who", "factors"):
            await self._multi(kind, mid, shown, labels)
        elif kind == "what":
            await self._typed_question(mid, shown, case.what, "what happened")
        elif kind == "action":
            await self._typed_question(mid, shown, case.action, "what was done")
        elif kind == "outcome":
            await self._choose(mid, labels, case.outcome, "outcome")
        elif kind == "stopped":
            if case.stopped is None:
                i = find_control(labels, "skip")
                if i is None:
                    self.guesses.append(f"case {self.number}: no Skip button on 'what stopped it'; typed skip")
                    await self._typed_question(mid, shown, "skip", "what stopped it: skip")
                else:
                    await self.tap(mid, i, "what stopped it: skip")
            else:
                await self._typed_question(mid, shown, case.stopped, "what stopped it")
        elif kind == "feedback":
            want = "Tell me what changes" if case.feedback else "Don't contact me"
            await self._choose(mid, labels, want, "feedback")
        elif kind == "card":
            self._check_card(shown.text)
            i = find_control(labels, "submit", "send report", "send", "confirm")
            await self.tap(mid, i if i is not None else 0, "submit")
        elif kind == "accept":
            i = find_control(labels, "yes", "that's right", "correct", "ok", "continue", "keep")
            self.guesses.append(f"case {self.number}: took [{labels[i or 0]}] as 'fine, go on' on {shown.text!r}")
            await self.tap(mid, i or 0, "go on")
        else:
            raise Stuck(f"cannot tell what this asks: {shown.text!r} buttons {labels}")

    async def _type_date(self, mid: int, shown: Seen) -> None:
        if self.date_to_check:
            said = " / ".join(self.seen[m].text for m in self.batch)
            raise Stuck(f"the date typed, '{self.date_to_check}', was not taken: {said!r}")
        self.pending_date = False
        self.date_to_check = self.case.when
        self.date_checked = False
        await self._typed_question(mid, shown, self.case.when, "when, typed date")

    async def _multi(self, kind: str, mid: int, shown: Seen, labels: list[str]) -> None:
        wanted = list(self.case.who if kind == "who" else (self.case.factors or ()))
        chosen = self.chosen[kind]
        remaining = [w for w in wanted if w not in chosen]
        if remaining:
            chosen.append(remaining[0])
            await self._choose(mid, labels, remaining[0], kind)
            return
        if not wanted:
            i = find_control(labels, "skip", "none", "no")
            if i is None:
                i = find_control(labels, "done", "next", "continue")
                self.guesses.append(f"case {self.number}: no Skip on {kind}; tapped Done with none chosen")
            if i is None:
                raise Stuck(f"cannot skip the {kind} question: {labels}")
            await self.tap(mid, i, f"{kind}: skip")
            return
        i = find_control(labels, "done", "next", "continue", "that's all", "finished")
        if i is None:
            raise Stuck(f"no Done button on the {kind} question: {labels}")
        await self.tap(mid, i, f"{kind}: done")

    def _check_date_echo(self) -> None:
        """After a typed date: is the date the bot says back the one meant?"""
        if not self.date_to_check or self.date_checked:
            return
        # What the bot says back, not a prompt's own examples ("e.g. 3/11").
        text = "\n".join(
            self.seen[m].text for m in self.batch if not re.search(r"e\.g\.|for example", self.seen[m].text.lower())
        )
        if not date_mentions(text):
            return
        today = dt.datetime.now(ZoneInfo(TIMEZONE)).date()
        meant = meant_dates(self.date_to_check, today)
        self.date_checked = True
        if not any(shows_date(text, d) for d in meant):
            raise Stuck(
                f"typed '{self.date_to_check}' but the bot says back {date_mentions(text)} "
                f"(meant {[d.isoformat() for d in meant]}): a person would not accept it"
            )
        if len(meant) > 1:
            self.guesses.append(
                f"case {self.number}: '{self.date_to_check}' could mean {[d.isoformat() for d in meant]}; "
                "the date said back is one of them, taken as right"
            )
        times = meant_time(self.date_to_check)
        if times and not any(x in text.lower() for x in times):
            self.confusions.append(
                f"case {self.number}: typed '{self.date_to_check}' but no such time in what was said back: {text!r}"
            )
        self.transcript.append(f"  (the date said back is right for '{self.date_to_check}')")

    def _check_card(self, text: str) -> None:
        if self.date_to_check and not self.date_checked:
            today = dt.datetime.now(ZoneInfo(TIMEZONE)).date()
            meant = meant_dates(self.date_to_check, today)
            if not any(shows_date(text, d) for d in meant):
                self.confusions.append(
                    f"case {self.number}: the date typed ('{self.date_to_check}') was not said back, "
                    "nor found on the summary card"
                )
            self.date_checked = True
        line = re.search(r"^\s*where:\s*(.+)$", text, re.IGNORECASE | re.MULTILINE)
        shown = line.group(1) if line else text
        if "where" in self.tapped:
            right = norm(self.tapped["where"]) == norm(shown)
        else:  # typed: the card shows the label it was taken for, perhaps shorter
            right = match_label(self.case.where, [shown]) is not None
        if not right:
            self.confusions.append(f"case {self.number}: the card's place, {shown!r}, is not '{self.case.where}'")


# The bot and the fake Bot API.


def write_config(folder: Path, api: FakeBotAPI, user_ids: list[int]) -> Path:
    config = folder / "config.toml"
    members = ", ".join(str(u) for u in user_ids)
    config.write_text(
        f"""timezone = "{TIMEZONE}"

[database]
url = "sqlite+aiosqlite:///{folder / "nearmiss.db"}"

[keys]
file = "{folder / "nearmiss.keys"}"

[telegram]
base_url = "{api.base_url}"
mode = "polling"
flood_limits = false
poll_gap_seconds = 0.01

[[teams]]
id = "bench"
name = "Bench team"
[teams.members]
telegram = [{members}]
"""
    )
    return config


def bot_env(api: FakeBotAPI) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEARMISS_")}
    env["NEARMISS_TELEGRAM_TOKEN"] = api.token
    env["PYTHONPATH"] = str(Path(__file__).resolve().parent.parent)
    return env


def _tail(log: Path, chars: int) -> str:
    return log.read_text(errors="replace")[-chars:]


async def start_bot(config: Path, api: FakeBotAPI, log: Path) -> asyncio.subprocess.Process:
    env = bot_env(api)
    keys = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.app.cli", "keys", "init", "--config", str(config), env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    out, _ = await keys.communicate()
    if keys.returncode != 0:
        raise SystemExit(f"nearmiss keys init failed:\n{out.decode()}")
    handle = log.open("wb")
    bot = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.app.cli", "run", "--config", str(config), env=env,
        stdout=handle, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    deadline = time.monotonic() + 90
    while not any(c.method == "getUpdates" for c in api.calls):
        if bot.returncode is not None or time.monotonic() > deadline:
            raise SystemExit(f"nearmiss run did not start polling:\n{_tail(log, 3000)}")
        await asyncio.sleep(0.1)
    return bot


async def stop_bot(bot: asyncio.subprocess.Process, log: Path) -> None:
    if bot.returncode is None:
        bot.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(bot.wait(), 20)
        except TimeoutError:
            bot.kill()
            await bot.wait()
            print(f"nearmiss run did not stop within 20 s of SIGTERM; killed. Log: {log}", file=sys.stderr)
            return
    if bot.returncode not in (0, -signal.SIGTERM):
        print(f"nearmiss run exited with {bot.returncode}:\n{_tail(log, 2000)}", file=sys.stderr)


async def run(cases_module: str, only: list[int] | None, show: bool) -> int:
    cases = importlib.import_module(cases_module).CASES
    numbered = [(i + 1, c) for i, c in enumerate(cases) if not only or i + 1 in only]
    api = FakeBotAPI()
    await api.start()
    outcomes: list[Outcome] = []
    with tempfile.TemporaryDirectory(prefix="blind-reporter-") as tmp:
        folder = Path(tmp)
        user_ids = [FIRST_USER_ID + n for n, _ in numbered]
        config = write_config(folder, api, user_ids)
        log = folder / "nearmiss.log"
        bot = await start_bot(config, api, log)
        try:
            for (number, case), user_id in zip(numbered, user_ids):
                reporter = Reporter(api, user_id, case, number)
                error = None
                try:
                    await reporter.play()
                except Stuck as stuck:
                    error = str(stuck)
                outcomes.append(
                    Outcome(
                        number,
                        reporter.tally,
                        reporter.reference,
                        reporter.transcript,
                        reporter.guesses,
                        reporter.confusions,
                        error,
                    )
                )
        finally:
            await stop_bot(bot, log)
            await api.stop()
            if any(o.error for o in outcomes):
                print(f"--- tail of the bot's log ---\n{_tail(log, 3000)}", file=sys.stderr)
    report(outcomes, cases_module, show)
    return 1 if any(o.error for o in outcomes) else 0


def report(outcomes: list[Outcome], cases_module: str, show: bool) -> None:
    if show:
        for o in outcomes:
            print(f"=== case {o.number} ===")
            print("\n".join(o.transcript))
            print(f"  -> {o.reference or 'NO REFERENCE'}" + (f"  FAILED: {o.error}" if o.error else ""))
            print()
    head = (
        f"{'case':>4} {'read':>5} {'scanned':>7} {'typed':>5} {'taps':>4} {'questions':>9} "
        f"{'seconds':>7} {'not typing':>10}"
    )
    print(f"{cases_module}: {len(outcomes)} cases, played through nearmiss run on Telegram (fake Bot API)")
    print(head)

    def row(name: str, values: list[float]) -> str:
        return (
            f"{name:>4} {values[0]:>5.0f} {values[1]:>7.0f} {values[2]:>5.0f} {values[3]:>4.0f} "
            f"{values[4]:>9.0f} {values[5]:>7.1f} {values[6]:>10.1f}"
        )

    columns: list[list[float]] = []
    for o in outcomes:
        t = o.tally
        values = [t.words_read, t.words_scanned, t.chars_typed, t.taps, t.questions, t.seconds, t.not_typing]
        line = row(str(o.number), values)
        if o.error:
            line += f"  FAILED: {o.error}"
        else:
            columns.append(values)
        print(line)
    if columns:
        by_column = list(zip(*columns))
        print(row("med", [statistics.median(c) for c in by_column]))
        print(row("max", [max(c) for c in by_column]))
        print(f"(median and slowest over the {len(columns)} cases that reached a reference)")
    failed = [o for o in outcomes if o.error]
    for o in failed:
        print(f"FAILED case {o.number}: {o.error}")
    guesses = [g for o in outcomes for g in o.guesses]
    confusions = [c for o in outcomes for c in o.confusions]
    if guesses:
        print("\nWhere the reporter guessed:")
        for g in guesses:
            print(f"  - {g}")
    if confusions:
        print("\nWhat confused the reporter:")
        for c in confusions:
            print(f"  - {c}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", default="bench.reporter_cases", help="module with CASES (default %(default)s)")
    parser.add_argument("--show", action="store_true", help="print every case's transcript")
    parser.add_argument("--only", type=int, nargs="*", help="case numbers to play (1-based)")
    args = parser.parse_args()
    sys.exit(asyncio.run(run(args.cases, args.only, args.show)))


if __name__ == "__main__":
    main()
