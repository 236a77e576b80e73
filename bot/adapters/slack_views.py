"""Block Kit for nearmiss: engine messages as Slack messages, the report flow as a one-screen
modal, and the App Home. Every text a user typed goes out as plain_text, never mrkdwn."""

import json
from datetime import date
from enum import StrEnum
from typing import Any

from flows import messages as M
from flows.chat import Message, encode_button
from flows.commands import LANGUAGE_NAMES, LANGUAGE_QUESTION
from flows.engine import TEXT_LIMIT
from flows.lists import Lists, Option
from flows.messages import _
from flows.report_flow import REPORT_FLOW, Kind, Step
from flows.text import split_text

SECTION_LIMIT = 3000
BUTTON_LIMIT = 30  # characters Slack shows of a button's label before cutting it
_REVIEW_TEXT_LIMIT = 3000  # a review box holds the kept text, which placeholders may lengthen
_RADIO_MOST = 5  # choices this short are radio buttons; longer lists are a select


class Ids(StrEnum):
    """Callback and action ids, beside the code that renders them."""

    MODAL = "nearmiss-report"
    REVIEW = "nearmiss-review"  # the masked text, shown before anything is stored
    SHORTCUT = "nearmiss_report"
    FLOW_BUTTON = "nm-flow"  # prefix: a button of the step-by-step flow (nm-flow-0, nm-flow-1, ...)
    HOME_MODAL = "nm-home-form"
    HOME_STEPS = "nm-home-steps"
    HOME_LANGUAGE = "nm-home-language"  # prefix: nm-home-language-cy; value: the language's code
    FIELD = "value"  # every input block's element


def _plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text[:SECTION_LIMIT] or " ", "emoji": True}


def _sections(text: str) -> list[dict[str, Any]]:
    """Returns text as section blocks, as many as its length needs."""
    return [{"type": "section", "text": _plain(part)} for part in split_text(text, SECTION_LIMIT)]


def fallback(text: str) -> str:
    """Returns text for a message's `text` field (shown in notifications, read as mrkdwn) with
    Slack's control characters escaped, so typed text cannot mention @channel or fake a link."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def message_blocks(message: Message) -> list[dict[str, Any]]:
    """Returns an engine message as blocks: its text, then its buttons."""
    blocks = _sections(message.text)
    buttons = message.options + message.controls
    if buttons:
        elements = []
        for index, button in enumerate(buttons):
            element = {
                "type": "button",
                "text": _plain(f"✓ {button.label}" if button.selected else button.label),
                "action_id": f"{Ids.FLOW_BUTTON}-{index}",
                "value": encode_button(button),
            }
            if button.selected:
                element["style"] = "primary"
            elements.append(element)
        blocks.append({"type": "actions", "block_id": f"nm-{message.step}", "elements": elements})
    return blocks


def answered_blocks(text: str) -> list[dict[str, Any]]:
    """Returns a question with its buttons taken away, once it has been answered."""
    return _sections(text)


def _options(options: tuple[Option, ...]) -> list[dict[str, Any]]:
    return [{"text": _plain(_(o.label)[:75]), "value": o.code} for o in options]


def _element(step: Step, lists: Lists, today: date) -> dict[str, Any]:
    placeholder = {"placeholder": _plain(_(step.placeholder))} if step.placeholder else {}
    match step.kind:
        case Kind.DATE:
            return {"type": "datepicker", "action_id": Ids.FIELD, "initial_date": today.isoformat()}
        case Kind.TEXT:
            text_box = {"type": "plain_text_input", "action_id": Ids.FIELD, "multiline": True, "max_length": TEXT_LIMIT}
            return text_box | placeholder
    options = lists.named(step.options)
    if step.kind is Kind.MULTI:
        return {"type": "multi_static_select", "action_id": Ids.FIELD, "options": _options(options)} | placeholder
    if len(options) <= _RADIO_MOST:
        return {"type": "radio_buttons", "action_id": Ids.FIELD, "options": _options(options)}
    return {"type": "static_select", "action_id": Ids.FIELD, "options": _options(options)} | placeholder


def _input(step: Step, element: dict[str, Any]) -> dict[str, Any]:
    """Returns a question as a form's field: its words alone (Slack marks optional fields)."""
    label = _plain(_(step.question))
    return {"type": "input", "block_id": step.key, "label": label, "element": element, "optional": step.optional}


def report_modal(lists: Lists, today: date) -> dict[str, Any]:
    """Returns the whole report flow as one modal: one input block per question."""
    blocks: list[dict[str, Any]] = [{"type": "context", "elements": [_plain(_(M.INTRO))]}]
    blocks += [_input(step, _element(step, lists, today)) for step in REPORT_FLOW]
    return _modal(Ids.MODAL, M.MODAL_TITLE, M.MODAL_CLOSE, blocks)


def review_modal(review: dict[str, str], note: str, values: dict[str, Any]) -> dict[str, Any]:
    """Returns the view that shows a form's typed answers as they would be kept, masked, before
    anything is stored: each in a box to change, with Back (to the form, as it was) and Submit.
    The other answers ride in the view's metadata until Submit; nothing is kept meanwhile."""
    blocks: list[dict[str, Any]] = [{"type": "section", "text": _plain(note)}]
    for step in REPORT_FLOW:
        if step.kind is Kind.TEXT and review.get(step.key):
            kept = {"initial_value": review[step.key], "max_length": _REVIEW_TEXT_LIMIT}
            blocks.append(_input(step, {"type": "plain_text_input", "action_id": Ids.FIELD, "multiline": True} | kept))
    chosen = {s.key: values.get(s.key) for s in REPORT_FLOW if s.kind is not Kind.TEXT}
    return _modal(Ids.REVIEW, M.REVIEW_TITLE, M.REVIEW_BACK, blocks) | {
        "private_metadata": json.dumps(chosen, separators=(",", ":"))
    }


def _modal(callback: str, title: str, close: str, blocks: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": callback,
        "title": _plain(_(title)),
        "submit": _plain(_(M.MODAL_SUBMIT)),
        "close": _plain(_(close)),
        "blocks": blocks,
    }


def review_values(view: dict[str, Any]) -> dict[str, Any]:
    """Returns the answers of a reviewed form: the choices it carried and the boxes as they are."""
    try:
        chosen = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        chosen = {}
    keys = {step.key for step in REPORT_FLOW if step.kind is not Kind.TEXT}
    return {key: value for key, value in chosen.items() if key in keys} | {
        key: value for key, value in modal_values(view).items() if key not in keys
    }


def modal_values(view: dict[str, Any]) -> dict[str, Any]:
    """Returns the answers in a submitted modal, by question key, in the engine's form."""
    state = view.get("state", {}).get("values", {})
    values: dict[str, Any] = {}
    for step in REPORT_FLOW:
        field = state.get(step.key, {}).get(Ids.FIELD, {})
        match field.get("type"):
            case "datepicker":
                values[step.key] = field.get("selected_date")
            case "static_select" | "radio_buttons":
                values[step.key] = (field.get("selected_option") or {}).get("value")
            case "multi_static_select":
                values[step.key] = [o.get("value") for o in field.get("selected_options") or []]
            case _:
                values[step.key] = field.get("value")
    return values


def home_view(reports: list[Any], *, member: bool, refusal: str) -> dict[str, Any]:
    """Returns the App Home: how to report, and the reporter's own reports with their progress
    (or, to someone in no team, the `refusal` saying how to join)."""
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": _plain(_(M.HOME_TITLE))},
        {"type": "section", "text": _plain(_(M.HOME_INTRO) if member else refusal)},
    ]
    if member:
        blocks.append(
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "style": "primary",
                        "action_id": Ids.HOME_MODAL,
                        "text": _plain(_(M.HOME_REPORT)),
                    },
                    {"type": "button", "action_id": Ids.HOME_STEPS, "text": _plain(_(M.HOME_STEPS))},
                ],
            }
        )
        blocks.append({"type": "header", "text": _plain(_(M.HOME_YOURS))})
        blocks += [section for r in reports for section in _sections("\n".join(r.progress))] or [
            {"type": "section", "text": _plain(_(M.HOME_NONE))}
        ]
    blocks.append({"type": "context", "elements": [_plain(LANGUAGE_QUESTION)]})
    blocks.append(
        {
            "type": "actions",
            "elements": [
                {"type": "button", "action_id": f"{Ids.HOME_LANGUAGE}-{code}", "value": code, "text": _plain(name)}
                for code, name in LANGUAGE_NAMES.items()
            ],
        }
    )
    return {"type": "home", "blocks": blocks}
