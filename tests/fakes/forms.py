"""Filled-in forms, as the platforms send them back: shared by the tests and the benchmarks."""

# The Slack report modal's state values for a complete, valid report, by block id.
GOOD_FORM = {
    "when": {"type": "datepicker", "selected_date": "2026-11-20"},
    "where": {"type": "static_select", "selected_option": {"value": "case_transfer"}},
    "who": {"type": "multi_static_select", "selected_options": [{"value": "social_worker"}, {"value": "child"}]},
    "what": {
        "type": "plain_text_input",
        "value": "Case moved teams; the new worker's number was never given.",
    },
    "action": {"type": "plain_text_input", "value": "Duty manager visited the family."},
    "outcome": {"type": "radio_buttons", "selected_option": {"value": "left_at_risk"}},
    "factors": {"type": "multi_static_select", "selected_options": [{"value": "handover"}]},
    "stopped": {"type": "plain_text_input", "value": None},
    "feedback": {"type": "radio_buttons", "selected_option": {"value": "yes"}},
}

# The same with a phone number typed in: masked, so the reporter checks the kept text first.
MASKED_FORM = GOOD_FORM | {
    "what": {
        "type": "plain_text_input",
        "value": "Case moved teams; the new worker's number 07700 900123 was never given.",
    }
}


def as_shown(view: dict) -> dict:
    """Returns a view's input boxes as Slack sends them back untouched: their initial values."""
    return {
        block["block_id"]: {"type": "plain_text_input", "value": block["element"].get("initial_value")}
        for block in view["blocks"]
        if block["type"] == "input"
    }
