"""A scripted Welsh-speaking reporter, written blind: it plays the twelve cases of
bench/reporter_cases_two.py through the real bot (`python -m bot.app.cli run`) against the fake
Telegram Bot API, entirely in Cymraeg, acting only on what a person sees.

    cd /work/wt-welsh && PYTHONPATH=. /work/main/.venv/bin/python bench/welsh_reporter.py \
        [--show] [--only N ...]

Written without reading the bot's code. The harness and time model are bench/blind_reporter.py's
(imported): reading at 230 words a minute, scanning labels at 690, typing 3 characters a second,
1.5 s a tap, 2 s to think before each question.

How a person comes to speak Welsh (docs/languages.md):
- odd cases: a member of a Welsh-first team (`languages = ["cy", "en"]`), who just sends /report;
- even cases: a member of an English team with an invite code, who sends `/start CODE` and taps
  [Cymraeg] on the language picker that comes with the help, then sends /report.

Each case is the English case told in informal Welsh, as a Welsh social worker would type it on a
phone (north Wales register), with its slips of identifying details kept and translated (a first
name, a telephone number, an address); dates typed the Welsh way; "hepgor" typed for "skip";
some buttons' Welsh words typed instead of tapped. The reporter picks a button by its Welsh
meaning (patterns below, written from what a Welsh speaker would call each option), and checks,
as a Welsh speaker, what the bot says: English left in a message, dates said back, the masking
note (which words were hidden, and whether each identifier was), the card and the reference.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import re
import statistics
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from bench.blind_reporter import (
    FIRST_USER_ID,
    MAX_ACTIONS,
    REFERENCE,
    TIMEZONE,
    Reporter,
    Seen,
    Stuck,
    Tally,
    start_bot,
    stop_bot,
)
from bench.reporter_cases_two import CASES
from tests.fakes.telegram import FakeBotAPI, text_update

INVITE = "DE-7QK2"
WELSH_MONTHS = "ionawr chwefror mawrth ebrill mai mehefin gorffennaf awst medi hydref tachwedd rhagfyr".split()
# Mutated first letters a month may take after "o", "ym", "i": Fawrth, Fehefin, Chwefror...
MUTATED = {"m": "(?:m|f)", "b": "(?:b|f)", "g": "(?:g|)", "t": "(?:t|d|th|nh)", "c": "(?:c|g|ch|ngh)"}
WEEKDAYS_CY = ("llun", "mawrth", "mercher", "iau", "gwener", "sadwrn", "sul")

# What a Welsh speaker would take each option to mean: a pattern the Welsh label must match
# (and, for a few, a pattern it must not).
MEANING: dict[str, tuple[str, str | None]] = {
    # when
    "Today": (r"^heddiw$", None),
    "Yesterday": (r"^ddoe$", None),
    "Earlier this week": (r"gynharach|yn gynt|yr wythnos hon", None),
    # where
    "referral and intake": (r"atgyfeiri", None),
    "assessment": (r"^asesu|^asesiad", None),
    "home visit": (r"ymweliad.*cartref|ymweld.*cartref", None),
    "strategy meeting or conference": (r"strategaeth|cynhadledd", None),
    "long-term / family support case": (r"hirdymor|tymor hir|cymorth i deulu|cefnogi teulu", None),
    "case transfer or handover": (r"trosglwydd", None),
    "out of hours (edt)": (r"tu allan i oriau|y tu allan|edt|dyletswydd brys", None),
    "school or education": (r"ysgol|addysg", None),
    "hospital or health": (r"ysbyty", None),
    "police or court": (r"heddlu.*l?lys|^l?lys", None),
    "office or phone": (r"swyddfa|ff[oô]n", None),
    # who
    "child or young person": (r"plentyn|person ifanc", None),
    "parent or carer": (r"rhiant|gofalwr", None),
    "wider family": (r"teulu ehangach|teulu estynedig", None),
    "social worker": (r"gweithiwr cymdeithasol", None),
    "manager": (r"^rheolwr", None),
    "out-of-hours team": (r"tu allan i oriau|dyletswydd brys", None),
    "police": (r"^heddlu$", None),
    "health": (r"^iechyd$", None),
    "education": (r"^addysg$", None),
    "housing": (r"^tai$", None),
    # outcome
    "Stopped before it happened": (r"atal|ei rwystro|cyn iddo ddigwydd", r"niwed:"),
    "Happened, no harm caused": (r"digwydd.*dim niwed|dim niwed", None),
    "Harm: child left at risk": (r"niwed.*plentyn.*(risg|perygl)", None),
    "Harm: family wrongly judged a risk": (r"niwed.*teulu.*(gam|anghywir)", None),
    "Life-threatening injury or death": (r"bygwth bywyd|marwolaeth", None),
    # factors
    "communication between agencies": (r"cyfathrebu", None),
    "assessment tools and procedures": (r"offer.*asesu|gweithdrefn", None),
    "access to information or records": (r"mynediad|gwybodaeth|cofnodion", None),
    "resources not available": (r"adnoddau", None),
    "workload and time pressure": (r"llwyth gwaith|pwysau amser", None),
    "prioritising immediate harm over need / thresholds": (r"blaenorith|trothwy", None),
    "drift or optimism in a long-term case": (r"llithr|drifft|optimist|hirdymor", None),
    "supervision and support": (r"goruchwyli", None),
    # feedback
    "Tell me what changes": (r"(rhowch|rho|dweud|deud|rhoi).*(gwybod|wybod)|beth sy.n newid", r"peidiwch|paid"),
    "Don't contact me": (r"peidiwch|paid|dim cysylltu|peidio", None),
}

# Control buttons, by Welsh words.
CONTROLS = {
    "submit": r"^(cyflwyno|anfon|anfonwch|cyflwynwch)",
    "skip": r"^hepgor",
    "done": r"^(wedi gorffen|gorffen|dyna ni|dyna'r cyfan|nesaf|ymlaen|iawn)",
    "pick": r"dewis dyddiad|dyddiad arall|diwrnod arall|rhoi dyddiad",
    "accept": r"^(ie|iawn|cywir|ymlaen|parhau|cadw|ydy)",
}

NOT_UNDERSTOOD_CY = (
    r"ddim yn deall|heb ddeall|methu.*deall|ddim yn si[ŵw]r|methais|methu cyfateb|tapiwch un\b|dewiswch un\b"
)
ENGLISH_WORDS = set(
    """the you your please what when where who happened report skip done back cancel tap type date
    today yesterday this week was were with that have has not don't thank thanks name names here
    is are of for and or to it be on we us our any send submit change changes contact reference
    would like which language other""".split()
)
PLACEHOLDERS_EN = set(
    "name phone address email postcode date of birth dob nhs number ni number case reference vehicle handle "
    "school link url".split()
) | {"date of birth", "nhs number", "ni number", "case reference", "social media"}
ALLOWED_ENGLISH = ("which language would you like", "english")


@dataclass
class WelshCase:
    """The Welsh a reporter types for one case of reporter_cases_two (same index)."""

    when: str | None  # typed when the case types a date, or a button's words typed
    where: str | None  # typed instead of tapping, or None
    what: str
    action: str
    stopped: str | None  # "hepgor" where the case types skip
    identifiers: tuple[str, ...] = ()  # what must be hidden
    feedback_typed: str | None = None  # the feedback button's words typed instead
    when_again: tuple[str, ...] = ()  # what a person types next if the date is not understood


WELSH: tuple[WelshCase, ...] = (
    WelshCase(
        when=None,
        where=None,
        what="ymweliad geni newydd, mam efo anabledd dysgu a neb wedi sylwi bod hi angen cefnogaeth, "
        "ddim cyn y geni na ar y ward chwaith. cwpl o oriau ar ôl mynd adra nath hi ysgwyd y babi "
        "achos doedd o ddim yn stopio crio. hi ddudodd wrtha i ei hun",
        action="babi wedi cael ei tsiecio yn A&E, dim anaf. atgyfeirio i wasanaethau plant yr un diwrnod, "
        "mam y tad yn aros efo nhw am rŵan",
        stopped="mam yn onest efo fi a deud y gwir. a lwc",
    ),
    WelshCase(
        when=None,
        where=None,
        what="cyf strat wedi'i ohirio 2 ddiwrnod achos bod yr hen ffeiliau wedi mynd i'r adeilad arall "
        "a gweinyddol yn methu cael gafael arnyn nhw. doedd o ddim am fynd yn ei flaen heb y cefndir",
        action="wedi chwilio rheolwr cofnodion, heddlu'n iawn i aros, GC wedi gweld y plant yn y cyfamser",
        stopped="hepgor",
    ),
    WelshCase(
        when=None,
        where="heddlu neu lys",
        what="wedi cymryd yr achos drosodd mis dwytha. rhieni'n deud bod yr asesiad yn y bwndel llys "
        "ddim be ddudon nhw wrthon ni, rhai darnau'n anghywir ac un peth na ddudon nhw o gwbl. "
        "doedd neb wedi mynd drwyddo efo nhw cyn ei ffeilio",
        action="deud wrth RhT a cyfreithiol. mynd drwyddo fesul llinell efo nhw fory wedyn atodiad i'r llys",
        stopped=None,
    ),
    WelshCase(
        when=None,
        where=None,
        what="mam wedi dal ei mab (adhd) yn hongian oddi ar sil y ffenest tu allan. mae hi di bod yn "
        "gofyn i'r GC am gloeon ffenest ers wythnosau, deud wrthi bod o ddim yn flaenoriaeth",
        action="ffonio rheolwr tai ar 07700 900461, nath hi gysylltu efo'r GC a mae cloeon yn cael eu "
        "gosod. ebostio dyletswydd hefyd",
        stopped="mam wedi'i gyrraedd o mewn pryd",
        identifiers=("07700 900461",),
    ),
    WelshCase(
        when="14/11",
        where=None,
        what="hogan bl 9 wedi datgelu bod ei thad wedi bod yn dreisgar adra ers oes a mae hi ofn am "
        "ei bywyd ohono fo. deud bod y GC ond yn ei gweld hi efo dad yn y stafell, byth ar ben ei hun",
        action="wedi'i gofnodi, ffonio'r drws ffrynt, GC wedi dod i'r ysgol a'i gweld hi ar ei phen ei hun",
        stopped=None,
    ),
    WelshCase(
        when="ddoe",
        where=None,
        what="plentyn sy di bod ar agor efo ni ers oes wedi'i atgyfeirio eto, gwallt yn disgyn allan, "
        "ddim yn tyfu, isel iawn. pan aethon nhw i'w symud nath mam gloi'r drws arnyn nhw a nath Jade "
        "ddeud mae mam am ladd ei hun rŵan. EPO a'r heddlu wedi gorfod torri'r drws lawr. oeddan ni gyd "
        "yn gwybod bod pethau ddim yn iawn ers misoedd ond nath dim byd newid ar y cynllun",
        action="EPO wedi'i ganiatáu, plentyn efo gofalwr maeth neithiwr. heddlu wedi mynd â mam i'r ysbyty",
        stopped="heddlu wedi cyrraedd yn sydyn",
        identifiers=("Jade",),
    ),
    WelshCase(
        when="nos Sul tua 11yh",
        when_again=("dydd Sul tua 11yh", "29/11 am 11yh", "dydd Sul 11yh"),
        where=None,
        what="achos PAG, mam yn yfed, hogan fach wedi cael 3 neu 4 damwain leni achos neb yn cadw llygad "
        "arni. gofyn am gynhadledd AP ddwywaith a iechyd yn deud ddim yn ddigon drwg. heddlu wedi dod o "
        "hyd iddi ar ben ei hun yn y stryd, mam yn chwil gaib adra",
        action="amddiffyniad yr heddlu dros nos, mae hi efo'i nain. cyf strat wedi'i drefnu at heddiw",
        stopped="rhywun yn pasio wedi ffonio'r heddlu. dim anafiadau diolch byth",
    ),
    WelshCase(
        when="heddiw",
        where=None,
        what="3ydd cyswllt mewn 5 wythnos am yr un 2 blentyn, ysgol wedyn YI wedyn ysgol eto. y 2 gynta "
        "wedi cau yn y drws ffrynt achos dim un digwyddiad. o'u darllen efo'i gilydd esgeulustod ydy o",
        action="rhoi'r 3 efo'i gilydd, RhT wedi cytuno asesiad, wedi'i ddyrannu",
        stopped=None,
    ),
    WelshCase(
        when=None,
        where=None,
        what="bron wedi cau asesiad ar ddiwrnod 44 heb weld y plentyn ar ben ei hun, dim ond efo mam",
        action="wedi'i weld o yn yr ysgol y diwrnod wedyn",
        stopped="RhT wedi gofyn mewn goruchwyliaeth",
        feedback_typed="peidiwch â chysylltu â mi",
    ),
    WelshCase(
        when="01/12",
        where=None,
        what="penderfyniad bod cyswllt dad yn aros dan oruchwyliaeth wedi'i wneud ar y ffôn efo fi a byth "
        "wedi'i gofnodi. Dai ar ddyletswydd a dad yn ffonio a bu bron iddo gytuno heb oruchwyliaeth dros "
        "y penwythnos achos doedd dim byd ar y ffeil yn deud fel arall",
        action="nath o tsiecio efo fi gynta. penderfyniad ar y ffeil rŵan + ebost i'r tîm",
        stopped="fo'n gofyn cyn deud ia",
        identifiers=("Dai",),
    ),
    WelshCase(
        when="dydd Mawrth 2yb",
        when_again=("1/12 am 2yb",),
        where="tu allan i oriau",
        what="heddlu wedi ffonio am blentyn 4 oed wedi'i adael efo'i chwaer 15 oed yn 14 Heol y Llwyfen, "
        "mam ddim yn ateb. nes i gytuno lleoliad maeth brys. troi allan bod mam yn A&E efo'r babi a nain "
        "ar ei ffordd, fysan ni di gwybod tasan ni di aros 20 munud",
        action="plentyn adra erbyn 9, tîm dydd wedi cael gwybod, wedi ymddiheuro i mam",
        stopped="hepgor",
        identifiers=("14 Heol y Llwyfen",),
    ),
    WelshCase(
        when=None,
        where=None,
        what="plentyn bach 3 oed ar fy llwyth achosion yn PICU bore 'ma efo anaf i'r pen, heddlu'n rhan "
        "ohono. oeddan ni wedi dod i arfer efo'r teulu 'ma, apwyntiadau wedi'u colli a chyflwr y tŷ jyst "
        "wedi mynd yn normal iddyn nhw. dal i feddwl fysan ni byth di derbyn hynna mewn atgyfeiriad newydd",
        action="cyf strat pnawn 'ma, y brawd wedi'i leoli efo teulu, deud wrth fy rheolwr a'r arweinydd diogelu",
        stopped=None,
    ),
)


def nc(text: str) -> str:
    """Lower case, Welsh letters kept, punctuation dropped."""
    return " ".join(re.findall(r"[a-z0-9'’âêîôûŵŷáéíóúàèìòùäëïöüÿ]+", text.lower().replace("’", "'")))


def means(label: str, english: str) -> bool:
    pattern, unless = MEANING[english]
    n = nc(label)
    return bool(re.search(pattern, n)) and not (unless and re.search(unless, label.lower()))


def control(labels: list[str], name: str) -> int | None:
    for i, label in enumerate(labels):
        if re.search(CONTROLS[name], nc(label)):
            return i
    return None


def english_in(text: str) -> list[str]:
    """Runs of English words in a Welsh message (two or more English function words in a row, or
    any English sentence)."""
    found = [f"placeholder {p}" for p in re.findall(r"\[[a-z][a-z ]*\]", text) if p[1:-1] in PLACEHOLDERS_EN]
    low = text.lower()
    for allowed in ALLOWED_ENGLISH:
        low = low.replace(allowed, " ")
    for line in low.splitlines():
        tokens = re.findall(r"[a-z']+", line)
        hits = [t for t in tokens if t in ENGLISH_WORDS]
        if len(hits) >= 2 and len(hits) >= len(tokens) * 0.25:
            found.append(line.strip())
    return found


def welsh_date_shown(text: str, day: dt.date) -> bool:
    t = text.lower()
    month = WELSH_MONTHS[day.month - 1]
    first = MUTATED.get(month[0], month[0])
    return bool(
        re.search(rf"\b{day.day}(?:af|il|ydd|edd|fed|eg|ed)?\s+(?:o\s+|ym?\s+)?{first}{month[1:]}\b", t)
        or re.search(rf"\b0?{day.day}/0?{day.month}\b", t)
        or day.isoformat() in t
    )


def welsh_dates_meant(typed: str, today: dt.date) -> list[dt.date]:
    t = typed.lower()
    m = re.search(r"\b(\d{1,2})/(\d{1,2})\b", t)
    if m:
        day, month = int(m.group(1)), int(m.group(2))
        year = today.year if (month, day) <= (today.month, today.day) else today.year - 1
        return [dt.date(year, month, day)]
    for i, name in enumerate(WEEKDAYS_CY):
        if re.search(rf"\b(dydd|nos|bore|pnawn)\s+{MUTATED.get(name[0], name[0])}{name[1:]}\b", t):
            back = (today.weekday() - i) % 7 or 7
            return [today - dt.timedelta(days=back)]
    if "ddoe" in t:
        return [today - dt.timedelta(days=1)]
    if "heddiw" in t:
        return [today]
    return []


def welsh_time_meant(typed: str) -> list[str]:
    m = re.search(r"\b(\d{1,2})\s*(yb|yh)\b", typed.lower())
    if not m:
        return []
    h12 = int(m.group(1))
    hour = h12 % 12 + (12 if m.group(2) == "yh" else 0)
    return [f"{h12}{m.group(2)}", f"{h12} {m.group(2)}", f"{h12}:00{m.group(2)}", f"{h12}:00 {m.group(2)}",
            f"{hour}:00", f"{hour:02d}:00", f"{h12}:00 y.{m.group(2)[1]}"]  # fmt: skip


@dataclass
class WelshReporter(Reporter):
    welsh: WelshCase = field(default=None)  # type: ignore[assignment]
    choose_welsh: bool = False
    problems: list[str] = field(default_factory=list)
    english_seen: list[str] = field(default_factory=list)
    masking_notes: list[str] = field(default_factory=list)

    def _read(self, before: dict[int, Seen], now: dict[int, Seen]) -> None:
        super()._read(before, now)
        for mid in self.batch:
            seen = self.seen_after(now, mid)
            for line in english_in(seen.text):
                self.english_seen.append(f"case {self.number}: message: {line!r}")
            for label in seen.labels:
                if english_in(label + " " + label) and not re.search(r"english", label.lower()):
                    self.english_seen.append(f"case {self.number}: button [{label}]")
            if re.search(r"\[[a-z\u00c0-\u017f ]+\]|cuddio|cuddiwyd|masg|wedi.*guddio", seen.text.lower()):
                self.masking_notes.append(seen.text)

    @staticmethod
    def seen_after(now: dict[int, Seen], mid: int) -> Seen:
        return now[mid]

    # Starting.

    async def begin(self) -> None:
        if self.choose_welsh:
            self.tally.chars_typed += len(f"/start {INVITE}")
            self.transcript.append(f"  YOU type: /start {INVITE}")
            await self.api.push(text_update(self.user_id, f"/start {INVITE}"))
            await self.answer()
            for mid in sorted(self.seen, reverse=True):
                labels = list(self.seen[mid].labels)
                i = next((k for k, x in enumerate(labels) if "cymraeg" in x.lower()), None)
                if i is not None:
                    self.tally.questions += 1
                    await self.tap(mid, i, "iaith: Cymraeg")
                    break
            else:
                self.problems.append(f"case {self.number}: /start {INVITE} showed no [Cymraeg] button")
                await self.type("/language cy", "dewis Cymraeg")
        await self.open_report()

    # Deciding, by Welsh words.

    def classify(self, text: str, labels: list[str]) -> str:
        t = text.lower()
        n = [nc(x) for x in labels]
        if labels and control(labels, "submit") is not None:
            return "card"
        if any("english" in x for x in n) and any("cymraeg" in x for x in n):
            return "language"
        if any(means(x, "Happened, no harm caused") for x in labels) and any(
            means(x, "Life-threatening injury or death") for x in labels
        ):
            return "outcome"
        if any(means(x, "Don't contact me") for x in labels):
            return "feedback"
        if any(means(x, "workload and time pressure") for x in labels) or "ffactor" in t:
            return "factors"
        if any(means(x, "parent or carer") for x in labels):
            return "who"
        if any(means(x, "home visit") for x in labels):
            return "where"
        if any(means(x, "Today") for x in labels) or any(means(x, "Yesterday") for x in labels):
            return "when"
        if labels and sum(any(re.search(rf"\b{d}\b", x) for d in WEEKDAYS_CY) for x in n) >= 2:
            return "day"
        if (self.pending_date or self.date_to_check) and re.search(r"dyddiad|pa ddiwrnod|pryd", t):
            return "date_entry"
        if re.search(r"gwaeth|rhag gwaethygu|cadw.*ddiogel|atal.*(rhag|mynd)|rhwystro", t):
            return "stopped"
        if re.search(r"beth ddigwyddodd|be ddigwyddodd", t):
            return "what"
        if re.search(r"yn syth|ar unwaith|beth wnaed|beth wnaethoch|beth a wnaed|gweithredu", t):
            return "action"
        if re.search(NOT_UNDERSTOOD_CY, t):
            return "not_understood"
        if labels and control(labels, "accept") is not None:
            return "accept"
        return "unknown"

    async def play(self) -> None:
        await self.begin()
        for _ in range(MAX_ACTIONS):
            self._check_date_echo()
            if self.reference:
                self._check_end()
                return
            mid, shown = self.newest()
            labels = list(shown.labels)
            kind = self.classify(shown.text, labels)
            refusal = [self.seen[m].text for m in self.batch if re.search(NOT_UNDERSTOOD_CY, self.seen[m].text.lower())]
            if refusal and kind != "not_understood":
                self.problems.append(f"case {self.number}: after {self.last_kind} the bot said {refusal[0]!r}")
                if self.last_kind:
                    self.tap_instead.add(self.last_kind)
            if kind == "unknown" and len(self.batch) > 1:
                for other in sorted(self.batch, reverse=True)[1:]:
                    k = self.classify(self.seen[other].text, list(self.seen[other].labels))
                    if k != "unknown":
                        kind, mid, shown, labels = k, other, self.seen[other], list(self.seen[other].labels)
                        self.guesses.append(f"case {self.number}: answered message {other}, not the newest one")
                        break
            if kind == "not_understood":
                self.problems.append(f"case {self.number}: after {self.last_kind} the bot said {shown.text!r}")
                if self.last_kind:
                    self.tap_instead.add(self.last_kind)
                for other in sorted(self.seen, reverse=True):
                    k = self.classify(self.seen[other].text, list(self.seen[other].labels))
                    if k not in ("unknown", "not_understood") and self.seen[other].labels:
                        kind, mid, shown, labels = k, other, self.seen[other], list(self.seen[other].labels)
                        break
                else:
                    raise Stuck(f"the bot did not understand and no question is on screen: {shown.text!r}")
            self.asked[kind] = self.asked.get(kind, 0) + 1
            if kind not in ("who", "factors") and self.asked[kind] > (5 if kind == "date_entry" else 3):
                raise Stuck(f"asked the {kind} question a fourth time: {shown.text!r}")
            self.last_kind = kind
            await self.respond(kind, mid, shown, labels)
        raise Stuck(f"no reference after {MAX_ACTIONS} actions")

    async def _choose(self, mid: int, labels: list[str], want: str, why: str) -> None:
        key = want if want in MEANING else want.lower()
        hits = [i for i, label in enumerate(labels) if means(label, key)]
        if not hits:
            raise Stuck(f"no Welsh button meaning '{want}' among {labels}")
        if len(hits) > 1:
            self.guesses.append(
                f"case {self.number} ({why}): more than one button could mean '{want}': "
                f"{[labels[i] for i in hits]}; took [{labels[hits[0]]}]"
            )
        self.tapped[why] = labels[hits[0]]
        await self.tap(mid, hits[0], why)

    async def respond(self, kind: str, mid: int, shown: Seen, labels: list[str]) -> None:
        case, welsh = self.case, self.welsh
        i: int | None
        if kind == "language":
            i = next(k for k, x in enumerate(labels) if "cymraeg" in x.lower())
            self.problems.append(f"case {self.number}: the language picker came again at {shown.text!r}")
            await self.tap(mid, i, "iaith")
        elif kind == "when":
            if case.when in ("today", "yesterday", "this_week"):
                want = {"today": "Today", "yesterday": "Yesterday", "this_week": "Earlier this week"}[case.when]
                if welsh.when and "when" not in self.tap_instead:
                    await self._typed_question(mid, shown, welsh.when, "pryd, geiriau'r botwm wedi'u teipio")
                else:
                    await self._choose(mid, labels, want, "when")
            elif re.search(r"teipio|teipiwch|e\.e\.|er enghraifft|neu ysgrifennu|neu anfon", shown.text.lower()):
                await self._type_date(mid, shown)
            else:
                i = control(labels, "pick")
                if i is None:
                    self.guesses.append(f"case {self.number}: no 'pick a date' button in Welsh; typed the date")
                    await self._type_date(mid, shown)
                else:
                    self.guesses.append(
                        f"case {self.number}: the when question does not say a date may be typed; "
                        f"tapped [{labels[i]}] first"
                    )
                    self.pending_date = True
                    await self.tap(mid, i, "pryd: dyddiad arall")
        elif kind == "date_entry":
            await self._type_date(mid, shown)
        elif kind == "day":
            self.guesses.append(f"case {self.number}: 'earlier this week' names no day; tapped [{labels[0]}]")
            await self.tap(mid, 0, "pa ddiwrnod")
        elif kind == "where":
            if welsh.where and "where" not in self.tap_instead:
                await self._typed_question(mid, shown, welsh.where, "ble, wedi'i deipio")
            else:
                await self._choose(mid, labels, case.where, "where")
        elif kind in ("who", "factors"):
            await self._multi(kind, mid, shown, labels)
        elif kind == "what":
            await self._typed_question(mid, shown, welsh.what, "beth ddigwyddodd")
        elif kind == "action":
            await self._typed_question(mid, shown, welsh.action, "beth wnaed")
        elif kind == "outcome":
            await self._choose(mid, labels, case.outcome, "outcome")
        elif kind == "stopped":
            if welsh.stopped is None:
                i = control(labels, "skip")
                if i is None:
                    self.problems.append(f"case {self.number}: no [Hepgor] on {shown.text!r}; typed hepgor")
                    await self._typed_question(mid, shown, "hepgor", "hepgor")
                else:
                    await self.tap(mid, i, "hepgor")
            else:
                await self._typed_question(mid, shown, welsh.stopped, "beth a'i rhwystrodd")
        elif kind == "feedback":
            want = "Tell me what changes" if case.feedback else "Don't contact me"
            if welsh.feedback_typed and "feedback" not in self.tap_instead:
                await self._typed_question(mid, shown, welsh.feedback_typed, "adborth, wedi'i deipio")
            else:
                await self._choose(mid, labels, want, "feedback")
        elif kind == "card":
            self._check_card(shown.text)
            i = control(labels, "submit")
            await self.tap(mid, i if i is not None else 0, "cyflwyno")
        elif kind == "accept":
            i = control(labels, "accept")
            self.guesses.append(f"case {self.number}: took [{labels[i or 0]}] as 'iawn, ymlaen' on {shown.text!r}")
            await self.tap(mid, i or 0, "ymlaen")
        else:
            raise Stuck(f"cannot tell what this asks: {shown.text!r} buttons {labels}")

    async def _multi(self, kind: str, mid: int, shown: Seen, labels: list[str]) -> None:
        wanted = list(self.case.who if kind == "who" else (self.case.factors or ()))
        chosen = self.chosen[kind]
        remaining = [w for w in wanted if w not in chosen]
        if remaining:
            chosen.append(remaining[0])
            await self._choose(mid, labels, remaining[0], kind)
            return
        if not wanted:
            i = control(labels, "skip")
            if i is None:
                i = control(labels, "done")
                self.guesses.append(f"case {self.number}: no [Hepgor] on {kind}; tapped done with none chosen")
            if i is None:
                raise Stuck(f"cannot skip the {kind} question: {labels}")
            await self.tap(mid, i, f"{kind}: hepgor")
            return
        i = control(labels, "done")
        if i is None:
            raise Stuck(f"no done button in Welsh on the {kind} question: {labels}")
        await self.tap(mid, i, f"{kind}: wedi gorffen")

    async def _type_date(self, mid: int, shown: Seen) -> None:
        typed = self.welsh.when
        if self.date_to_check:
            said = " / ".join(self.seen[m].text for m in self.batch)
            tried = [self.welsh.when, *self.welsh.when_again]
            done = tried.index(self.date_to_check) + 1 if self.date_to_check in tried else len(tried)
            self.problems.append(f"case {self.number}: REFUSED the date '{self.date_to_check}': {said!r}")
            if done >= len(tried):
                raise Stuck(f"the date typed, '{self.date_to_check}', was not taken: {said!r}")
            typed = tried[done]
        self.pending_date = False
        self.date_to_check = typed
        self.date_checked = False
        await self._typed_question(mid, shown, typed or "", "pryd, dyddiad wedi'i deipio")

    def _check_date_echo(self) -> None:
        if not self.date_to_check or self.date_checked:
            return
        text = "\n".join(
            self.seen[m].text for m in self.batch if not re.search(r"e\.e\.|er enghraifft", self.seen[m].text.lower())
        )
        if re.search(r"gallu darllen|ddim yn deall", text.lower()):
            return  # refused: handled when the question comes again
        months = "|".join(m[1:] for m in WELSH_MONTHS)
        if not re.search(rf"\b\d{{1,2}}\w*\s+(?:o\s+)?\w?(?:{months})\b|\b\d{{1,2}}/\d{{1,2}}\b", text.lower()):
            return
        today = dt.datetime.now(ZoneInfo(TIMEZONE)).date()
        meant = welsh_dates_meant(self.date_to_check, today)
        self.date_checked = True
        if not any(welsh_date_shown(text, d) for d in meant):
            self.problems.append(
                f"case {self.number}: typed '{self.date_to_check}' (meant {[d.isoformat() for d in meant]}) "
                f"but the bot said back {text!r}"
            )
        times = welsh_time_meant(self.date_to_check)
        if times and not any(x in text.lower() for x in times):
            self.problems.append(
                f"case {self.number}: typed '{self.date_to_check}' but no such time in what was said back: {text!r}"
            )
        self.transcript.append(f"  (date said back checked for '{self.date_to_check}')")

    def _check_card(self, text: str) -> None:
        self.card = text
        if self.date_to_check and not self.date_checked:
            today = dt.datetime.now(ZoneInfo(TIMEZONE)).date()
            meant = welsh_dates_meant(self.date_to_check, today)
            if not any(welsh_date_shown(text, d) for d in meant):
                self.problems.append(
                    f"case {self.number}: typed '{self.date_to_check}' (meant {[d.isoformat() for d in meant]}); "
                    f"not said back, and the card says {text!r}"
                )
            self.date_checked = True
        for why, label in self.tapped.items():
            if why != "when" and nc(label) not in nc(text):
                self.problems.append(f"case {self.number}: tapped [{label}] but the card does not show it: {text!r}")
        if self.welsh.where and not means(text, self.case.where.lower()):
            self.problems.append(f"case {self.number}: typed '{self.welsh.where}'; card: {text!r}")
        for ident in self.welsh.identifiers:
            if ident.lower() in text.lower():
                self.problems.append(f"case {self.number}: PRIVACY: '{ident}' is on the card unmasked")
        if english_in(text):
            self.english_seen.append(f"case {self.number}: card: {english_in(text)}")

    def hidden(self) -> list[str]:
        """What each masking note hid, found by laying its quoted excerpt over what was typed."""
        typed = "\n".join(line.split("): ", 1)[1] for line in self.transcript if line.startswith("  YOU type ("))
        out: list[str] = []
        for note in self.masking_notes:
            for quote in re.findall(r"“(.+?)”", note, re.S):
                parts = re.split(r"\[[^\]]+\]", quote.strip("…"))
                if len(parts) < 2:
                    continue
                pattern = "(.+?)".join(re.escape(p) for p in parts)
                m = re.search(pattern, typed)
                out.extend(m.groups() if m else [f"(could not place {quote!r})"])
        return out

    def _check_end(self) -> None:
        hid = self.hidden()
        self.transcript.append(f"  (masked: {hid})")
        for h in hid:
            if not any(h.lower() == i.lower() for i in self.welsh.identifiers):
                self.problems.append(f"case {self.number}: WRONG MASK: '{h}' hidden; it identifies nobody")
        shown_all = "\n".join(s.text for s in self.seen.values())
        for ident in self.welsh.identifiers:
            if ident.lower() in shown_all.lower():
                self.problems.append(f"case {self.number}: PRIVACY: '{ident}' is said back unmasked")
            if not any(ident.lower() == h.lower() for h in hid):
                self.problems.append(
                    f"case {self.number}: PRIVACY: '{ident}' not shown as masked; notes: {self.masking_notes!r}"
                )
        if not REFERENCE.search(shown_all):
            self.problems.append(f"case {self.number}: no reference shown")


def write_config(folder: Path, api: FakeBotAPI, welsh_first: list[int], choosers: list[int]) -> Path:
    config = folder / "config.toml"
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
id = "gogledd"
name = "Tîm ardal y gogledd"
languages = ["cy", "en"]
[teams.members]
telegram = [{", ".join(map(str, welsh_first))}]

[[teams]]
id = "dwyrain"
name = "East locality team"
invite_code = "{INVITE}"
[teams.members]
telegram = []
"""
    )
    return config


@dataclass
class Result:
    number: int
    tally: Tally
    reference: str | None
    transcript: list[str]
    guesses: list[str]
    problems: list[str]
    english: list[str]
    how: str
    error: str | None = None


async def run(only: list[int] | None, show: bool) -> int:
    numbered = [(i + 1, c, WELSH[i]) for i, c in enumerate(CASES) if not only or i + 1 in only]
    api = FakeBotAPI()
    await api.start()
    results: list[Result] = []
    ids = {n: FIRST_USER_ID + n for n, _, _ in numbered}
    with tempfile.TemporaryDirectory(prefix="welsh-reporter-") as tmp:
        folder = Path(tmp)
        config = write_config(folder, api, [ids[n] for n, _, _ in numbered if n % 2], [])
        log = folder / "nearmiss.log"
        bot = await start_bot(config, api, log)
        try:
            for number, case, welsh in numbered:
                r = WelshReporter(api, ids[number], case, number, welsh=welsh, choose_welsh=number % 2 == 0)
                error = None
                try:
                    await r.play()
                except Stuck as stuck:
                    error = str(stuck)
                how = "chose Cymraeg after /start CODE" if r.choose_welsh else "Welsh-first team"
                results.append(
                    Result(
                        number, r.tally, r.reference, r.transcript, r.guesses, r.problems, r.english_seen, how, error
                    )
                )
        finally:
            await stop_bot(bot, log)
            await api.stop()
            if any(x.error for x in results):
                print(f"--- tail of the bot's log ---\n{log.read_text(errors='replace')[-3000:]}", file=sys.stderr)
    report(results, show)
    return 1 if any(x.error for x in results) else 0


def report(results: list[Result], show: bool) -> None:
    if show:
        for x in results:
            print(f"=== case {x.number} ({x.how}) ===")
            print("\n".join(x.transcript))
            print(f"  -> {x.reference or 'NO REFERENCE'}" + (f"  FAILED: {x.error}" if x.error else ""))
            print()
    print(f"bench/reporter_cases_two.py in Welsh: {len(results)} cases, nearmiss run on Telegram (fake Bot API)")
    print(
        f"{'case':>4} {'read':>5} {'scanned':>7} {'typed':>5} {'taps':>4} {'questions':>9} "
        f"{'seconds':>7} {'not typing':>10}"
    )

    def row(name: str, v: list[float]) -> str:
        return f"{name:>4} {v[0]:>5.0f} {v[1]:>7.0f} {v[2]:>5.0f} {v[3]:>4.0f} {v[4]:>9.0f} {v[5]:>7.1f} {v[6]:>10.1f}"

    columns: list[list[float]] = []
    for x in results:
        t = x.tally
        v = [t.words_read, t.words_scanned, t.chars_typed, t.taps, t.questions, t.seconds, t.not_typing]
        print(row(str(x.number), v) + (f"  FAILED: {x.error}" if x.error else f"  {x.reference}  ({x.how})"))
        if not x.error:
            columns.append(v)
    if columns:
        by = list(zip(*columns))
        print(row("med", [statistics.median(c) for c in by]))
        print(row("max", [max(c) for c in by]))
        print(f"(median and slowest over the {len(columns)} cases that reached a reference)")
    for title, items in (
        ("Problems a Welsh speaker meets", [p for x in results for p in x.problems]),
        ("English shown to a Welsh speaker", sorted(set(e for x in results for e in x.english))),
        ("Where the reporter guessed", [g for x in results for g in x.guesses]),
    ):
        if items:
            print(f"\n{title}:")
            for item in items:
                print(f"  - {item}")


PROBE_DATES = (
    "nos Sul tua 11yh", "dydd Sul tua 11yh", "dydd Sul 11yh", "dydd Sul am 11yh", "dydd Sul", "nos Sul",
    "Sul", "29/11 am 11yh", "29/11 11yh", "29/11 23:00", "dydd Sul 11 y nos", "nos Sul am 11",
    "dydd Mawrth 2yb", "dydd Mawrth tua 2yb", "nos Fawrth", "nos Lun", "bore dydd Mawrth",
    "neithiwr", "echdoe", "dydd Llun diwethaf", "ddoe am 3yp", "14 Tachwedd", "14eg o Dachwedd",
    "ddoe am 3pm", "ddoe am 3", "sun about 11pm",
)  # fmt: skip


async def probe_dates() -> None:
    """Each way of saying a date, typed by a fresh member of the Welsh-first team after [Dewis
    dyddiad]: what the bot says back."""
    api = FakeBotAPI()
    await api.start()
    ids = [FIRST_USER_ID + 100 + i for i in range(len(PROBE_DATES))]
    with tempfile.TemporaryDirectory(prefix="welsh-dates-") as tmp:
        folder = Path(tmp)
        bot = await start_bot(write_config(folder, api, ids, []), api, folder / "nearmiss.log")
        try:
            for uid, typed in zip(ids, PROBE_DATES):
                r = WelshReporter(api, uid, CASES[0], 0, welsh=WELSH[0])
                await r.open_report()
                mid, shown = r.newest()
                i = control(list(shown.labels), "pick")
                if i is None:
                    print(f"{typed!r}: no [Dewis dyddiad]")
                    continue
                await r.tap(mid, i, "dewis dyddiad")
                await r.type(typed, "dyddiad")
                said = " / ".join(r.seen[m].text for m in r.batch)
                print(f"{typed!r:28} -> {said}")
        finally:
            await stop_bot(bot, folder / "nearmiss.log")
            await api.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--show", action="store_true", help="print every case's transcript")
    parser.add_argument("--only", type=int, nargs="*", help="case numbers to play (1-based)")
    parser.add_argument("--dates", action="store_true", help="only try ways of typing a date, and print the answers")
    args = parser.parse_args()
    if args.dates:
        asyncio.run(probe_dates())
        return
    sys.exit(asyncio.run(run(args.only, args.show)))


if __name__ == "__main__":
    main()
