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
    question: str
    field: str
    options: str = ""  # the name of the answer list, for CHOICE and MULTI
    optional: bool = False


REPORT_FLOW = (
    Step("when", Kind.DATE, M.ASK_WHEN, M.FIELD_WHEN),
    Step("where", Kind.CHOICE, M.ASK_WHERE, M.FIELD_WHERE, options="where"),
    Step("who", Kind.MULTI, M.ASK_WHO, M.FIELD_WHO, options="who"),
    Step("what", Kind.TEXT, M.ASK_WHAT, M.FIELD_WHAT),
    Step("action", Kind.TEXT, M.ASK_ACTION, M.FIELD_ACTION),
    Step("outcome", Kind.CHOICE, M.ASK_OUTCOME, M.FIELD_OUTCOME, options="grades"),
    Step("factors", Kind.MULTI, M.ASK_FACTORS, M.FIELD_FACTORS, options="factors", optional=True),
    Step("stopped", Kind.TEXT, M.ASK_STOPPED, M.FIELD_STOPPED, optional=True),
    Step("feedback", Kind.CHOICE, M.ASK_FEEDBACK, M.FIELD_FEEDBACK, options="feedback"),
)
