"""`nearmiss board-report` for a seeded quarter: the PDF's pages rendered to pictures (pypdfium2)
and read, the HTML checked for what a screen reader needs, small counts never given away, and
the same report in Welsh."""

import asyncio
from datetime import date
from html.parser import HTMLParser

import pypdfium2 as pdfium
import pytest

from bot.app.cli import main
from flows.board import Period, protect, quarter
from tests.helpers import all_rows
from tests.quarter import config_for, seed_quarters

SECTIONS = [
    "At a glance",
    "Reports by grade",
    "Reports by setting",
    "Themes and how they moved",
    "The risk picture",
    "Actions agreed, done and overdue",
    "You said, we did",
    "Feedback to staff who reported",
]


@pytest.fixture
async def seeded(database, database_url, keys, settings, clock, tmp_path):
    await seed_quarters(database, keys, settings, clock)
    return config_for(database_url, tmp_path)


async def board_report(config, folder, team: str, *more: str) -> tuple[list[str], str]:
    """Runs the command; returns the text of each PDF page (each also saved as a PNG) and the HTML."""
    args = ["board-report", "--config", str(config), "--team", team, "--period", "2026Q4", "--output", str(folder)]
    assert await asyncio.to_thread(main, [*args, *more]) == 0
    pdf = pdfium.PdfDocument(folder / f"board-report-{team}-2026Q4.pdf")
    pages = []
    for number, page in enumerate(pdf, 1):
        picture = page.render(scale=1).to_pil()
        picture.save(folder / f"{team}-page{number}.png")
        assert picture.width > 500 and picture.convert("L").getextrema()[0] < 64  # a page with dark ink on it
        pages.append(page.get_textpage().get_text_range().replace("\r\n", "\n"))
    pdf.close()
    return pages, (folder / f"board-report-{team}-2026Q4.html").read_text(encoding="utf-8")


class Outline(HTMLParser):
    """What a screen reader is given: the language, headings, table parts, and images' words."""

    def __init__(self) -> None:
        super().__init__()
        self.lang, self.headings, self.captions, self.alts, self.header_cells = "", [], [], [], []
        self._into: list | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.lang = attrs.get("lang", "")
        elif tag in ("h1", "h2"):
            self._into = self.headings
        elif tag == "caption":
            self._into = self.captions
        elif tag == "img":
            self.alts.append(attrs.get("alt", ""))
        elif tag == "th":
            self.header_cells.append(attrs.get("scope"))

    def handle_data(self, data):
        if self._into is not None:
            self._into.append(data)
            self._into = None


async def test_a_quarter_for_the_board_reads_in_order_with_its_figures(seeded, database, tmp_path):
    pages, page = await board_report(seeded, tmp_path, "north")

    text = " ".join(" ".join(pages).split())  # lines as a reader runs them together
    assert pages[0].startswith("Near misses in North locality: board report")
    assert "1 Oct 2026 to 31 Dec 2026, compared with 1 Jul 2026 to 30 Sep 2026" in pages[0]
    where = [text.index(heading) for heading in SECTIONS]
    assert where == sorted(where)
    assert "Reports: 45 (previous period: 30)" in text
    assert "Actions agreed: 6. Done: 4. Overdue: fewer than 3." in text
    assert "Handover checklist now names the family's current address (after fewer than 3 reports)" in text
    assert "Health invited to every strategy meeting by default" in text
    assert "Supervision notes record open actions" not in text  # agreed, not yet done
    stored = await all_rows(database)
    assert not any(r["reference"] in text for r in stored["reports"])  # no report is singled out
    assert not any(r["what"][:30] in text for r in stored["reports"])

    outline = Outline()
    outline.feed(page)
    assert outline.lang == "en-GB"
    assert outline.headings == ["Near misses in North locality: board report", *SECTIONS]
    assert "Reports by their outcome grade, this period and the one before" in outline.captions
    assert set(outline.header_cells) == {"col", "row"}
    assert len(outline.alts) >= 4 and all(alt.startswith("Bar chart. ") for alt in outline.alts)


async def test_a_small_team_gets_totals_and_nothing_that_gives_a_small_count_away(seeded, tmp_path):
    pages, page = await board_report(seeded, tmp_path, "south")

    text = " ".join(" ".join(pages).split())
    assert "Reports: 5 (previous period: 0)" in text
    grades = text[text.index("Reports by their outcome grade") : text.index("Reports by setting")]
    assert "All reports 5 0 +5" in grades
    assert not {"1", "2"} & set(grades.split())  # each grade withheld: three of them make five
    assert grades.count("*") == 6  # three grades and their changes
    assert "<img" not in page[page.index('id="grades"') : page.index('id="settings"')]  # no chart of stars


def test_withholding_leaves_no_small_count_to_be_worked_out():
    for parts in ({"a": 1, "b": 3, "c": 1}, {"a": 1, "b": 9, "c": 4}, {"a": 2, "b": 0, "c": 7}, {"a": 1, "b": 1}):
        shown, total = protect(parts, 3)
        hidden = [key for key, value in shown.items() if value is None]
        if total is not None and hidden:
            remaining = total - sum(value or 0 for value in shown.values())
            # Every way of sharing what is left among the withheld counts (each at least 1) leaves each
            # with more than one possible value, unless only one count is withheld (never).
            assert len(hidden) > 1 and remaining > len(hidden)
        assert all(value is None for key, value in shown.items() if 0 < parts[key] < 3)
    assert protect({"a": 4, "b": 5}, 3) == ({"a": 4, "b": 5}, 9)
    assert protect({"a": 1, "b": 0, "c": 1}, 3) == ({"a": None, "b": None, "c": None}, None)


def test_a_quarter_and_the_one_before():
    q4 = quarter("2026Q4")
    assert (q4.start, q4.end) == (date(2026, 10, 1), date(2027, 1, 1))
    assert q4.before == Period(date(2026, 7, 1), date(2026, 10, 1))
    assert quarter("2026q1").before == Period(date(2025, 10, 1), date(2026, 1, 1))
    assert Period(date(2026, 11, 1), date(2026, 11, 15)).before == Period(date(2026, 10, 18), date(2026, 11, 1))
    with pytest.raises(ValueError):
        quarter("2026Q5")


async def test_the_board_report_in_welsh(seeded, tmp_path):
    pages, page = await board_report(seeded, tmp_path, "north", "--language", "cy")

    text = " ".join(" ".join(pages).split())
    assert text.startswith("Digwyddiadau a fu bron â digwydd yn North locality: adroddiad i'r bwrdd")
    assert "Adroddiadau: 45 (y cyfnod blaenorol: 30)" in text and "Dywedoch chi, fe wnaethom ni" in text
    outline = Outline()
    outline.feed(page)
    assert outline.lang == "cy" and "Darlun y risg" in outline.headings
    assert all(alt.startswith("Siart bar. ") for alt in outline.alts)
