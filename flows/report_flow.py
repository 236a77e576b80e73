"""The report flow as data: the NPSA minimum fields in social-care words, in the order asked."""

from dataclasses import dataclass
from enum import StrEnum

from flows import messages as M


class Kind(StrEnum):
    DATE = "date"  # buttons for recent days, or a typed date
    CHOICE = "choice"  # one button
    MULTI = "multi"  # several buttons, then Done
    TEXT = "text"  # typed text, masked before it is kept


@dataclass(frozen=True)
class Step:
    key: str
    kind: Kind
    question: str  # the question alone, as a form labels its field
    field: str
    options: str = ""  # the name of the answer list, for CHOICE and MULTI
    optional: bool = False
    hint: str = ""  # what a chat adds to the question: how to answer it
    placeholder: str = ""  # a form's short example in the empty field


REPORT_FLOW = (
    Step("when", Kind.DATE, M.ASK_WHEN, M.FIELD_WHEN),
    Step("where", Kind.CHOICE, M.ASK_WHERE, M.FIELD_WHERE, options="where", placeholder=M.PLACEHOLDER_CHOOSE),
    Step(
        "who",
        Kind.MULTI,
        M.ASK_WHO,
        M.FIELD_WHO,
        options="who",
        hint=M.HINT_SOME,
        placeholder=M.PLACEHOLDER_CHOOSE_SOME,
    ),
    Step("what", Kind.TEXT, M.ASK_WHAT, M.FIELD_WHAT, hint=M.HINT_WHAT, placeholder=M.PLACEHOLDER_WHAT),
    Step("action", Kind.TEXT, M.ASK_ACTION, M.FIELD_ACTION, placeholder=M.PLACEHOLDER_ACTION),
    Step("outcome", Kind.CHOICE, M.ASK_OUTCOME, M.FIELD_OUTCOME, options="grades"),
    Step(
        "factors",
        Kind.MULTI,
        M.ASK_FACTORS,
        M.FIELD_FACTORS,
        options="factors",
        optional=True,
        hint=M.HINT_SOME_OPTIONAL,
        placeholder=M.PLACEHOLDER_CHOOSE_SOME,
    ),
    Step(
        "stopped",
        Kind.TEXT,
        M.ASK_STOPPED,
        M.FIELD_STOPPED,
        optional=True,
        hint=M.HINT_OPTIONAL,
        placeholder=M.PLACEHOLDER_STOPPED,
    ),
    Step("feedback", Kind.CHOICE, M.ASK_FEEDBACK, M.FIELD_FEEDBACK, options="feedback"),
)
