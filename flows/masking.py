"""Finds identifiers in free text and masks them before anything is stored.

A first pass over structured identifiers; names and addresses come with the privacy issue.
"""

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from enum import StrEnum

import phonenumbers


class Identifier(StrEnum):
    URL = "link"
    EMAIL = "email"
    NHS = "NHS number"
    NI = "NI number"
    DOB = "date of birth"
    POSTCODE = "postcode"
    PHONE = "phone"


@dataclass(frozen=True)
class Masked:
    text: str
    found: Counter[Identifier]


_URL = re.compile(r"\b(?:https?://|www\.)[^\s<>\"]+", re.IGNORECASE)
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_NHS = re.compile(r"\b\d{3}[ -]?\d{3}[ -]?\d{4}\b")
_NI = re.compile(
    r"\b(?!BG|GB|NK|KN|TN|NT|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]"
    r" ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b",
    re.IGNORECASE,
)
_POSTCODE = re.compile(
    r"\b(?:GIR ?0AA|[A-PR-UWYZ](?:\d{1,2}|[A-HK-Y]\d{1,2}|\d[A-HJKS-UW]|[A-HK-Y]\d[ABEHMNPRV-Y])"
    r" ?\d[ABD-HJLNP-UW-Z]{2})\b",
    re.IGNORECASE,
)
_PHONE_MIN_DIGITS = 10
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_DATE = rf"(?:\d{{1,2}}[/.-]\d{{1,2}}[/.-]\d{{2,4}}|\d{{1,2}}(?:st|nd|rd|th)? {_MONTH},? \d{{4}}|{_MONTH} \d{{1,2}}(?:st|nd|rd|th)?,? \d{{4}})"
_DOB = re.compile(
    rf"(?P<context>\b(?:d\.?o\.?b\.?|date of birth|born(?: on)?|birthday(?: is)?)\s*[:\-]?\s*)(?P<date>{_DATE})",
    re.IGNORECASE,
)


def normalise(text: str) -> str:
    """Returns the text in NFKC form without invisible format or control characters."""
    text = unicodedata.normalize("NFKC", text)
    return "".join(
        ch for ch in text
        if ch in "\n\t" or unicodedata.category(ch) not in ("Cf", "Cc", "Cs", "Co")
    )


def _nhs_checksum_ok(digits: str) -> bool:
    total = sum(int(d) * (10 - i) for i, d in enumerate(digits[:9]))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    return check != 10 and check == int(digits[9])


def _placeholder(kind: Identifier) -> str:
    return f"[{kind.value}]"


def mask(text: str) -> Masked:
    """Returns the text with each identifier replaced by a placeholder naming its kind."""
    found: Counter[Identifier] = Counter()
    text = normalise(text)

    def replace(pattern: re.Pattern[str], kind: Identifier, text: str, accept=lambda m: True) -> str:
        def sub(match: re.Match[str]) -> str:
            if not accept(match):
                return match.group(0)
            found[kind] += 1
            if kind is Identifier.DOB:
                return match.group("context") + _placeholder(kind)
            return _placeholder(kind)

        return pattern.sub(sub, text)

    text = replace(_URL, Identifier.URL, text)
    text = replace(_EMAIL, Identifier.EMAIL, text)
    text = replace(_NHS, Identifier.NHS, text, lambda m: _nhs_checksum_ok(re.sub(r"\D", "", m.group(0))))
    text = replace(_NI, Identifier.NI, text)
    text = replace(_DOB, Identifier.DOB, text)
    text = replace(_POSTCODE, Identifier.POSTCODE, text)
    text = _mask_phones(text, found)
    return Masked(text, found)


def _mask_phones(text: str, found: Counter[Identifier]) -> str:
    pieces, last = [], 0
    # POSSIBLE rather than VALID, so numbers from unallocated or fictional ranges are masked
    # too; the digit count keeps short case numbers and times out of it.
    for match in phonenumbers.PhoneNumberMatcher(text, "GB", leniency=phonenumbers.Leniency.POSSIBLE):
        if sum(ch.isdigit() for ch in match.raw_string) < _PHONE_MIN_DIGITS:
            continue
        pieces += [text[last:match.start], _placeholder(Identifier.PHONE)]
        last = match.end
        found[Identifier.PHONE] += 1
    return "".join(pieces) + text[last:]
