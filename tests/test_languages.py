"""Every text a person can receive has its Welsh, with the same placeholders, and a person's
language holds for what they are sent."""

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from flows import messages as M
from flows.messages import LOCALES, WELSH, _, ngettext, speaking

ROOT = Path(__file__).parent.parent
KEYWORDS = {"N_": None, "_": None, "NP_": (1, 2)}
PLACEHOLDER = re.compile(r"\{(\w*)[^}]*\}")


def source_texts() -> list[str | tuple[str, str]]:
    """Returns every text marked for translation in the code, as Babel extracts it."""
    found: list[str | tuple[str, str]] = []
    for folder in ("flows", "bot"):
        for _file, _line, message, _comments, _context in extract_from_dir(ROOT / folder, keywords=KEYWORDS):
            if message:
                found.append(message)
    return found


def welsh() -> dict[str, str | tuple[str, ...]]:
    with (LOCALES / WELSH / "LC_MESSAGES" / "nearmiss.po").open("rb") as po:
        catalogue = read_po(po, locale=WELSH)
    return {
        (m.id[0] if isinstance(m.id, tuple) else m.id): ("FUZZY" if m.fuzzy else m.string) for m in catalogue if m.id
    }


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def test_every_text_has_its_welsh_with_the_same_placeholders():
    translations, missing, mismatched = welsh(), [], []
    for text in source_texts():
        english = text if isinstance(text, tuple) else (text,)
        translated = translations.get(english[0])
        forms = translated if isinstance(translated, tuple) else (translated,)
        if translated in (None, "FUZZY") or not all(forms):
            missing.append(english[0])
            continue
        if isinstance(text, tuple) and len(forms) != 6:
            mismatched.append((english[0], "Welsh has six plural forms"))
        for form in forms:
            if not placeholders(form) <= placeholders(english[-1]) | placeholders(english[0]):
                mismatched.append((english[0], form))
        if not isinstance(text, tuple) and placeholders(forms[0]) != placeholders(text):
            mismatched.append((text, forms[0]))
    assert not missing, f"{len(missing)} texts have no Welsh, e.g. {missing[:3]}"
    assert not mismatched, f"placeholders differ: {mismatched[:3]}"


def test_texts_are_spoken_in_the_language_of_the_block_and_english_after():
    with speaking(WELSH):
        inside = _(M.NEED_WORDS)
        masked = ngettext(M.FOUND_ADDRESS, 2).format(n=2)
    assert inside != M.NEED_WORDS and inside.strip()
    assert "2" in masked and masked != "2 addresses"
    assert _(M.NEED_WORDS) == M.NEED_WORDS


@pytest.mark.parametrize("count", [0, 1, 2, 3, 6, 11])
def test_welsh_plurals_have_a_form_for_each_count(count):
    with speaking(WELSH):
        text = ngettext(M.FOUND_NAME, count).format(n=count)
    assert text and "{" not in text
