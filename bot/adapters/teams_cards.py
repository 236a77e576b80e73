"""Adaptive Cards for nearmiss on Teams: engine messages as cards whose buttons are Action.Execute
(so a tapped card is replaced in place by what follows, and the chat keeps one live question),
and the whole report flow as one card. Text goes in TextBlocks, which Teams reads as a little
Markdown: what people typed is escaped so it cannot make a link or a heading."""

import base64
import io
import json
import re
from datetime import date
from typing import Any

from microsoft_teams.cards import (
    ActionSet,
    AdaptiveCard,
    CardElement,
    Choice,
    ChoiceSetInput,
    DateInput,
    ExecuteAction,
    Image,
    TextBlock,
    TextInput,
)
from PIL import Image as Picture

from flows import messages as M
from flows.chat import Button, Message, encode_button
from flows.engine import TEXT_LIMIT
from flows.lists import Lists
from flows.messages import _
from flows.report_flow import REPORT_FLOW, Kind, Step
from flows.text import split_text

BLOCK_LIMIT = 2000  # characters in one TextBlock: a card of many short blocks reads better on a phone
SHORT_LABEL = 20  # labels up to this long sit two to a row, as on Telegram
FLOW_VERB = "nm"  # a flow or manager button: data {"nm": the encoded button}
FORM_VERB = "nm-form"  # the one-card report's Submit: data holds the inputs by question key
REVIEW_VERB = "nm-review"  # Submit on the masked text's check: data holds the form's choices too
BACK_VERB = "nm-back"  # Back from that check to the form, as it was
REVIEW_LIMIT = 3000  # characters in a box of kept text, which placeholders may lengthen
BUTTON_FIELD = "nm"
IMAGE_BUDGET = 15_000  # bytes of PNG in a card: as base64, with the text, inside Teams' 28 KB
_MARKDOWN = re.compile(r"([\\`*_\[\]])|^([#>+-])", re.MULTILINE)


def plain(text: str) -> str:
    """Returns text that Teams shows as written: Markdown's emphasis, code and link characters
    escaped, and a heading, quote or list mark at the start of a line."""
    return _MARKDOWN.sub(lambda m: "\\" + (m.group(1) or m.group(2)), text)


def _blocks(text: str, **style: Any) -> list[CardElement]:
    return [TextBlock(text=plain(part) or " ", wrap=True, **style) for part in split_text(text, BLOCK_LIMIT)]


def _action(button: Button) -> ExecuteAction:
    return ExecuteAction(
        title=f"✓ {button.label}" if button.selected else button.label,
        verb=FLOW_VERB,
        data={BUTTON_FIELD: encode_button(button)},
        style="positive" if button.selected else None,
    )


def message_card(message: Message, image: bytes | None = None, alt_text: str = "") -> AdaptiveCard:
    """Returns an engine message as a card: its text, an image if any, then its buttons (options
    a row each, or two to a row when short; the controls together below)."""
    body = _blocks(message.text)
    if image is not None:
        inline = base64.b64encode(fitted(image, IMAGE_BUDGET)).decode()
        body.append(Image(url=f"data:image/png;base64,{inline}", alt_text=alt_text, allow_expand=True))
    per_row = 2 if all(len(b.label) <= SHORT_LABEL for b in message.options) else 1
    options = [_action(b) for b in message.options]
    body += [ActionSet(actions=options[i : i + per_row]) for i in range(0, len(options), per_row)]
    if message.controls:
        body.append(ActionSet(actions=[_action(b) for b in message.controls]))
    return AdaptiveCard(version="1.5", body=body)


def fitted(png: bytes, budget: int) -> bytes:
    """Returns a PNG within `budget` bytes: a card carries its picture inline, and Teams takes no
    bigger message. A chart's few flat colours lose nothing to a palette; only then is it made
    smaller, a step at a time."""
    if len(png) <= budget:
        return png
    picture = Picture.open(io.BytesIO(png)).convert("RGB")
    while True:
        out = io.BytesIO()
        picture.quantize(colors=64).save(out, "PNG", optimize=True)
        if out.tell() <= budget or picture.width <= 320:
            return out.getvalue()
        picture = picture.resize((int(picture.width * 0.85), int(picture.height * 0.85)), Picture.Resampling.LANCZOS)


def answered_card(text: str) -> AdaptiveCard:
    """Returns a question with its buttons taken away, once it has been answered."""
    return AdaptiveCard(version="1.5", body=_blocks(text))


def _choices(step: Step, lists: Lists) -> list[Choice]:
    return [Choice(title=_(option.label), value=option.code) for option in lists.named(step.options)]


def _input(step: Step, lists: Lists, today: date, typed: Any) -> CardElement:
    label, required = _(step.question), not step.optional
    message = _(M.FORM_REQUIRED) if required else None
    match step.kind:
        case Kind.DATE:
            return DateInput(
                id=step.key, label=label, value=typed or today.isoformat(), max=today.isoformat(),
                is_required=required, error_message=message,
            )  # fmt: skip
        case Kind.TEXT:
            return TextInput(
                id=step.key, label=label, value=typed or None, is_multiline=True, max_length=TEXT_LIMIT,
                is_required=required, error_message=message,
            )  # fmt: skip
    chosen = ",".join(typed) if isinstance(typed, list | tuple) else typed
    return ChoiceSetInput(
        id=step.key, label=label, choices=_choices(step, lists), value=chosen or None,
        is_multi_select=step.kind is Kind.MULTI, style="compact" if len(lists.named(step.options)) > 5 else "expanded",
        is_required=required, error_message=message,
    )  # fmt: skip


def form_card(lists: Lists, today: date, typed: dict[str, Any] | None = None, problems: dict[str, str] | None = None):
    """Returns the whole report as one card: a field per question, each problem in red under its
    field, and what was typed kept in every field."""
    typed, problems = typed or {}, problems or {}
    body: list[CardElement] = _blocks(_(M.INTRO), is_subtle=True)
    for step in REPORT_FLOW:
        body.append(_input(step, lists, today, typed.get(step.key)))
        if step.key in problems:
            body += _blocks(problems[step.key], color="Attention", weight="Bolder")
    submit = ExecuteAction(title=_(M.MODAL_SUBMIT), verb=FORM_VERB, data={}, style="positive", associated_inputs="auto")
    body.append(ActionSet(actions=[submit]))
    return AdaptiveCard(version="1.5", body=body)


def review_card(review: dict[str, str], note: str, values: dict[str, Any]) -> AdaptiveCard:
    """Returns the check of a form's typed answers as they would be kept, masked, before anything
    is stored: each in a box to change, Submit, and Back to the form (its text as kept). The other
    answers ride in Submit's data; nothing is kept meanwhile."""
    body: list[CardElement] = _blocks(note)
    for step in REPORT_FLOW:
        if step.kind is Kind.TEXT and review.get(step.key):
            body.append(
                TextInput(
                    id=step.key,
                    label=_(step.question),
                    value=review[step.key],
                    is_multiline=True,
                    max_length=REVIEW_LIMIT,
                )
            )
    chosen = {s.key: values.get(s.key) for s in REPORT_FLOW if s.kind is not Kind.TEXT}
    submit = ExecuteAction(
        title=_(M.MODAL_SUBMIT),
        verb=REVIEW_VERB,
        data={"chosen": json.dumps(chosen)},
        style="positive",
        associated_inputs="auto",
    )
    # Back carries the text as kept, never as typed: the card stays in the chat's history.
    kept = values | {key: text for key, text in review.items() if text}
    back = ExecuteAction(
        title=_(M.REVIEW_BACK), verb=BACK_VERB, data={"typed": json.dumps(kept)}, associated_inputs="none"
    )
    body.append(ActionSet(actions=[submit, back]))
    return AdaptiveCard(version="1.5", body=body)


def reviewed_values(data: dict[str, Any]) -> dict[str, Any]:
    """Returns the answers of a checked form: the choices it carried and the boxes as they are."""
    chosen = _loaded(data.get("chosen"))
    return {
        step.key: chosen.get(step.key) if step.kind is not Kind.TEXT else _text(data.get(step.key))
        for step in REPORT_FLOW
    }


def typed_values(data: dict[str, Any]) -> dict[str, Any]:
    """Returns the form's answers carried by Back (its text as it would be kept)."""
    return _loaded(data.get("typed"))


def _loaded(carried: Any) -> dict[str, Any]:
    try:
        found = json.loads(carried) if isinstance(carried, str) else {}
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


def _text(raw: Any) -> str | None:
    return (raw.strip() or None) if isinstance(raw, str) else None


def form_values(data: dict[str, Any]) -> dict[str, Any]:
    """Returns a submitted form card's inputs by question key, in the engine's form: several
    choices as a list, an empty field as None."""
    values: dict[str, Any] = {}
    for step in REPORT_FLOW:
        text = _text(data.get(step.key)) or ""
        values[step.key] = [code for code in text.split(",") if code] if step.kind is Kind.MULTI else text or None
    return values


def card_json(card: AdaptiveCard) -> dict[str, Any]:
    return card.model_dump(by_alias=True, exclude_none=True, mode="json")
