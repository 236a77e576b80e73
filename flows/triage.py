"""What a manager sees in chat: report lists, the triage card and its questions, actions, and
the safeguarding alert. Platform-neutral Messages; the service decides who may see what."""

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from flows import messages as M
from flows.chat import Action, Answer, Button, Message
from flows.lifecycle import MANAGER_MOVES, Status
from flows.lists import Lists, Option
from flows.messages import _, day
from flows.risk import COLOUR_WORDS, CONSEQUENCES, LIKELIHOODS, PROVISIONAL, Bands, colour_name


class Verb(StrEnum):
    """What a manager's button does; its value carries a reference, and sometimes more."""

    LIST = "list"
    OPEN = "open"
    GRADE = "grade"
    CONSEQUENCE = "cons"  # REF:c
    LIKELIHOOD = "like"  # REF:c:l
    THEMES = "themes"
    THEME = "theme"  # REF:code, toggled
    THEMES_DONE = "thdone"
    STATUS = "status"
    SET_STATUS = "set"  # REF:status
    LINK = "link"
    RCA = "rca"
    RCA_DONE = "rcadone"
    ACTION = "act"
    NEW_ACTION = "actnew"
    LINK_ACTION = "actlink"  # REF:ACTION
    ACTION_DONE = "actdone"  # ACTION


# A manager's taps that finish a question, so its buttons go.
CLOSING = frozenset({Verb.LIKELIHOOD, Verb.SET_STATUS, Verb.THEMES_DONE, Verb.LINK_ACTION, Verb.NEW_ACTION})


def shown_in_place(answer: Answer | None, messages: list[Message], *, tapped_is_newest: bool) -> bool:
    """Says whether a tap's reply takes the tapped message's place: one message meant to (the
    next question, a toggled multi-select, a manager's card), where the tapped message is the
    newest in the chat, so the reply never shows above a question still on screen. A manager's
    cards are edited where they are."""
    managed = answer is not None and answer.action is Action.MANAGE
    return len(messages) == 1 and messages[0].edit and (managed or tapped_is_newest)


def keeps_buttons(answer: Answer | None, reply: Message) -> bool:
    """Says whether a tapped message keeps its buttons: an answered question loses them, but a
    "try again" keeps them to try with, and a manager's card or list stays usable."""
    if reply.retry:
        return True
    return answer is not None and answer.action is Action.MANAGE and answer.step not in CLOSING


def asks_reporter(message: Message) -> bool:
    """Says whether a message with buttons is a reporter's question, of which a chat keeps only
    the newest live (a manager's cards and lists stay usable side by side)."""
    buttons = (*message.options, *message.controls)
    return bool(buttons) and not any(b.action is Action.MANAGE for b in buttons)


def button(label: str, verb: Verb, *args: str | int, selected: bool = False) -> Button:
    return Button(Action.MANAGE, label, verb.value, ":".join(str(a) for a in args), selected)


def label(options: tuple[Option, ...], code: str) -> str:
    return next((_(o.label) for o in options if o.code == code), code)


def labels(options: tuple[Option, ...], codes: list[str]) -> str:
    return ", ".join(label(options, c) for c in codes) or _(M.NOT_GIVEN)


def colour_of(report: Any) -> str:
    """Returns the triaged colour, or the provisional one the reporter's grade gives, or ''."""
    return report.risk_colour or PROVISIONAL.get(report.grade, "")


def report_list(reports: list[Any], *, now: datetime) -> Message:
    """Returns the open reports as one button each."""
    if not reports:
        return Message(_(M.NO_OPEN_REPORTS))
    options = tuple(
        button(
            _(M.REPORT_LINE).format(
                reference=r.reference,
                colour=colour_name(r.risk_colour)
                if r.risk_colour
                else f"{_(M.UNTRIAGED)}{' ' + colour_name(PROVISIONAL[r.grade]) if r.grade in PROVISIONAL else ''}",
                age=_(M.AGE_DAYS).format(days=(now - r.submitted_at).days),
            ),
            Verb.OPEN,
            r.reference,
        )
        for r in reports
    )
    return Message(_(M.OPEN_REPORTS), options=options)


def risk_text(report: Any, bands: Bands) -> str:
    if report.risk_score is None:
        return _(M.NOT_YET)
    colour = bands.colour(report.risk_score)
    band, follow = COLOUR_WORDS[colour]
    return _(M.CARD_RISK).format(
        score=report.risk_score,
        consequence=_(CONSEQUENCES[report.consequence - 1]),
        likelihood=_(LIKELIHOODS[report.likelihood - 1]),
        colour=colour_name(colour),
        band=_(band),
        follow=_(follow),
    )


def card(report: Any, *, lists: Lists, bands: Bands, links: list[str], actions: list[Any]) -> Message:
    """Returns the whole report as a manager sees it (never who reported), with the triage buttons."""
    rca = ""
    if report.needs_rca:
        rca = (
            _(M.RCA_DONE).format(whys=len(report.rca.get("whys", [])), barriers=report.rca.get("barriers") or "—")
            if report.rca
            else _(M.RCA_NEEDED)
        )
    text = _(M.CARD).format(
        reference=report.reference,
        team=report.team,
        status=_(M.STATUS[report.status]),
        submitted=day(report.submitted_at),
        occurred=day(report.occurred_on),
        where=label(lists.where, report.setting),
        who=labels(lists.who, report.involved),
        what=report.what,
        action=report.immediate_action,
        grade=label(lists.grades, report.grade),
        factors=labels(lists.factors, report.factors),
        stopped=report.what_stopped_it or _(M.NOT_GIVEN),
        risk=risk_text(report, bands),
        themes=labels(lists.factors, report.themes or []),
        links=", ".join(links) or _(M.NOT_GIVEN),
        actions=", ".join(a.reference + (" ✓" if a.done_at else "") for a in actions) or _(M.NOT_GIVEN),
        rca=rca,
    )
    ref = report.reference
    options: tuple[Button, ...] = (
        button(_(M.BUTTON_GRADE), Verb.GRADE, ref),
        button(_(M.BUTTON_THEMES), Verb.THEMES, ref),
        button(_(M.BUTTON_STATUS), Verb.STATUS, ref),
        button(_(M.BUTTON_LINK), Verb.LINK, ref),
        button(_(M.BUTTON_ACTION), Verb.ACTION, ref),
    )
    if report.needs_rca:
        options += (button(_(M.BUTTON_RCA), Verb.RCA, ref),)
    return Message(text, options=options)


def ask_consequence(reference: str) -> Message:
    options = tuple(button(_(name), Verb.CONSEQUENCE, reference, n) for n, name in enumerate(CONSEQUENCES, 1))
    return Message(_(M.ASK_CONSEQUENCE).format(reference=reference), options=options)


def ask_likelihood(reference: str, consequence: int) -> Message:
    options = tuple(
        button(_(name), Verb.LIKELIHOOD, reference, consequence, n) for n, name in enumerate(LIKELIHOODS, 1)
    )
    return Message(_(M.ASK_LIKELIHOOD).format(reference=reference), options=options, edit=True)


def themes_picker(reference: str, chosen: list[str], lists: Lists, *, edit: bool = False) -> Message:
    options = tuple(button(_(o.label), Verb.THEME, reference, o.code, selected=o.code in chosen) for o in lists.factors)
    controls = (button(_(M.BUTTON_DONE), Verb.THEMES_DONE, reference),)
    return Message(_(M.ASK_THEMES).format(reference=reference), options=options, controls=controls, edit=edit)


def status_picker(reference: str, current: str) -> Message:
    options = tuple(button(_(M.STATUS[s]), Verb.SET_STATUS, reference, s) for s in MANAGER_MOVES[Status(current)])
    return Message(_(M.ASK_STATUS).format(reference=reference, status=_(M.STATUS[current])), options=options)


def action_line(action: Any, today: date) -> str:
    return _(M.ACTION_LINE).format(
        reference=action.reference,
        what=action.description,
        owner=action.owner_role,
        due=day(action.due_on),
        overdue=_(M.OVERDUE) if action.due_on < today else "",
    )


def action_picker(reference: str, actions: list[Any], today: date) -> Message:
    lines = "\n".join(action_line(a, today) for a in actions)
    options = tuple(button(a.reference, Verb.LINK_ACTION, reference, a.reference) for a in actions)
    options += (button(_(M.BUTTON_NEW_ACTION), Verb.NEW_ACTION, reference),)
    return Message(f"{_(M.ASK_ACTION_PICK).format(reference=reference)}\n{lines}".rstrip(), options=options)


def action_list(actions: list[Any], today: date) -> Message:
    if not actions:
        return Message(_(M.NO_OPEN_ACTIONS))
    lines = "\n".join(action_line(a, today) for a in actions)
    options = tuple(
        button(_(M.BUTTON_MARK_DONE).format(reference=a.reference), Verb.ACTION_DONE, a.reference) for a in actions
    )
    return Message(f"{_(M.OPEN_ACTIONS)}\n{lines}", options=options)


def alert(report: Any, *, team_name: str, reason: str, lists: Lists, open_command: str) -> str:
    """Returns the safeguarding lead's alert for one report: what and where, never who."""
    return _(M.ALERT).format(
        team=team_name,
        reference=report.reference,
        reason=reason,
        grade=label(lists.grades, report.grade),
        where=label(lists.where, report.setting),
        what=report.what,
        open=open_command,
    )
