"""Block Kit for nearmiss: engine messages as Slack messages, the report flow as a one-screen
modal, and the App Home. Every text a user typed goes out as plain_text, never mrkdwn."""

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
_RADIO_MOST = 5  # choices this short are radio buttons; longer lists are a select


class Ids(StrEnum):
    """Callback and action ids, beside the code that renders them."""

    MODAL = "nearmiss-report"
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
    match step.kind:
        case Kind.DATE:
            return {"type": "datepicker", "action_id": Ids.FIELD, "initial_date": today.isoformat()}
        case Kind.TEXT:
            return {"type": "plain_text_input", "action_id": Ids.FIELD, "multiline": True, "max_length": TEXT_LIMIT}
    options = lists.named(step.options)
    if step.kind is Kind.MULTI:
        return {"type": "multi_static_select", "action_id": Ids.FIELD, "options": _options(options)}
    if len(options) <= _RADIO_MOST:
        return {"type": "radio_buttons", "action_id": Ids.FIELD, "options": _options(options)}
    return {"type": "static_select", "action_id": Ids.FIELD, "options": _options(options)}


def report_modal(lists: Lists, today: date) -> dict[str, Any]:
    """Returns the whole report flow as one modal: one input block per question."""
    blocks: list[dict[str, Any]] = [{"type": "context", "elements": [_plain(_(M.INTRO))]}]
    for step in REPORT_FLOW:
        blocks.append(
            {
                "type": "input",
                "block_id": step.key,
                "label": _plain(_(step.question)),
                "element": _element(step, lists, today),
                "optional": step.optional,
            }
        )
    return {
        "type": "modal",
        "callback_id": Ids.MODAL,
        "title": _plain(_(M.MODAL_TITLE)),
        "submit": _plain(_(M.MODAL_SUBMIT)),
        "close": _plain(_(M.MODAL_CLOSE)),
        "blocks": blocks,
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


def home_view(reports: list[Any], *, member: bool) -> dict[str, Any]:
    """Returns the App Home: how to report, and the reporter's own reports with their progress."""
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": _plain(_(M.HOME_TITLE))},
        {"type": "section", "text": _plain(_(M.HOME_INTRO) if member else _(M.NOT_A_MEMBER))},
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
