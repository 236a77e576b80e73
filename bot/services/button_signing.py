"""Buttons signed for one reporter and one draft, so a tap on a forged or someone else's button,
or on a button of a draft since cancelled, is not applied."""

import hmac
from dataclasses import replace

from flows.chat import TYPED_ACTIONS, Answer, Button, Message
from storage.keys import Keys, Pseudonym


def signed(keys: Keys, messages: list[Message], reporter: Pseudonym, draft_id: str) -> list[Message]:
    """Returns the messages with each button signed for this reporter and this draft."""

    def sign(buttons: tuple[Button, ...]) -> tuple[Button, ...]:
        return tuple(replace(b, token=_token(keys, reporter, draft_id, b.action, b.step, b.value)) for b in buttons)

    return [replace(m, options=sign(m.options), controls=sign(m.controls)) for m in messages]


def genuine(keys: Keys, answer: Answer, reporter: list[Pseudonym], draft_id: str) -> bool:
    """Says whether a tapped button was handed out to this reporter for this draft: under the
    current keys, or under retired ones (a button on screen survives a key rotation)."""
    if answer.action in TYPED_ACTIONS and not answer.token:
        return True
    return any(
        hmac.compare_digest(_token(keys, pseudonym, draft_id, answer.action, answer.step, answer.value), answer.token)
        for pseudonym in reporter
    )


def _token(keys: Keys, reporter: Pseudonym, draft_id: str, action: str, step: str, value: str) -> str:
    return keys.sign("\x1f".join((reporter.value, draft_id, action, step, value)), with_key=reporter.key_id)
