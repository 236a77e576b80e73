"""What the reporter is told about masking: the kinds of identifier hidden, and only the parts of
their text that changed, each with a few words either side."""

import difflib
import re
from collections import Counter

from flows import messages as M
from flows.masking import Identifier, Masked, placeholder
from flows.messages import ENGLISH, _, language, ngettext

_FOUND = {
    Identifier.URL: M.FOUND_URL,
    Identifier.EMAIL: M.FOUND_EMAIL,
    Identifier.NHS: M.FOUND_NHS,
    Identifier.NI: M.FOUND_NI,
    Identifier.DOB: M.FOUND_DOB,
    Identifier.POSTCODE: M.FOUND_POSTCODE,
    Identifier.PHONE: M.FOUND_PHONE,
    Identifier.CASE: M.FOUND_CASE,
    Identifier.ADDRESS: M.FOUND_ADDRESS,
    Identifier.VEHICLE: M.FOUND_VEHICLE,
    Identifier.HANDLE: M.FOUND_HANDLE,
    Identifier.SCHOOL: M.FOUND_SCHOOL,
    Identifier.NAME: M.FOUND_NAME,
}
_WORDS_AROUND = 3  # words of context shown either side of a masked part


_PLACEHOLDER = re.compile("|".join(re.escape(placeholder(kind)) for kind in Identifier))


def masked_note(masked: Masked) -> str:
    """Returns what was hidden, by kind, and only the parts of the text that changed."""
    parts = _changed_parts(masked.source, masked.text)
    return _(M.MASKED).format(found=hidden_kinds(masked.found), parts=spoken_placeholders(parts))


def spoken_placeholders(text: str) -> str:
    """Returns kept text with its placeholders ("[name]") in the language being spoken ("[enw]");
    what is stored keeps them in English, whoever reads it later."""
    if language() == ENGLISH:
        return text
    return _PLACEHOLDER.sub(lambda m: _(m.group(0)), text)  # its English is its msgid (M.PLACEHOLDERS)


def _changed_parts(before: str, after: str) -> str:
    """Returns each changed part of the text, with a few words either side, as “…on [phone];…”."""
    old, new = before.split(), after.split()
    windows: list[list[int]] = []
    for tag, _i1, _i2, j1, j2 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        low, high = max(0, j1 - _WORDS_AROUND), min(len(new), max(j2, j1 + 1) + _WORDS_AROUND)
        if windows and low <= windows[-1][1]:
            windows[-1][1] = max(windows[-1][1], high)
        else:
            windows.append([low, high])
    return " ".join(
        f"“{'…' if low else ''}{' '.join(new[low:high])}{'…' if high < len(new) else ''}”" for low, high in windows
    )


def hidden_kinds(found: Counter[Identifier]) -> str:
    """Returns the kinds of identifier masked, in words: "a name and 2 phone numbers"."""
    parts = []
    for kind, count in found.items():
        parts.append(ngettext(_FOUND[kind], count).format(n=count))
    if len(parts) == 1:
        return parts[0]
    return f"{', '.join(parts[:-1])} {_(M.AND)} {parts[-1]}"
