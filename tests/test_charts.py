"""The digest's charts, as a manager sees them on a phone: one chart an image, portrait, text
as large as the message beside it, colours told apart without colour vision, the same in words,
and never a count below the team's threshold, drawn, labelled, or worked out from the rest."""

import re
import struct
from datetime import date, timedelta
from itertools import pairwise

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgb
from matplotlib.text import Text

from flows.charts import (
    BAND_HEX,
    GRADE_HEX,
    MESSAGE_POINTS,
    PHONE_POINTS,
    TEXT_PT,
    WIDTH_IN,
    risk_chart,
    risk_figure,
    trend_chart,
    trend_figure,
)
from flows.risk import Bands

WEEKS = [date(2026, 9, 28) + timedelta(weeks=i) for i in range(8)]
BUSY = {
    "prevented": [6, 4, 7, 5, 8, 3, 6, 9],
    "no_harm": [3, 5, 4, 4, 3, 6, 3, 4],
    "left_at_risk": [3, 4, 0, 3, 5, 4, 0, 3],
    "wrongly_judged": [0, 3, 3, 0, 3, 0, 4, 3],
}
SOME_SMALL = BUSY | {"severe": [0, 0, 0, 1, 0, 0, 0, 0]}
QUIET = {"prevented": [1, 0, 2, 0, 1, 0, 0, 1], "no_harm": [0, 1, 0, 0, 1, 0, 1, 0]}
MATRIX = [[9, 7, 3, 0, 0], [4, 11, 6, 3, 0], [0, 3, 5, 4, 3], [0, 0, 3, 0, 0], [0] * 5]
MATRIX_SMALL_CELLS = [[9, 7, 2, 0, 0], [4, 11, 6, 1, 0], [0, 3, 5, 2, 1], [0, 1, 2, 0, 0], [0, 0, 1, 0, 0]]


def trend(by_grade, small=3):
    return trend_figure(team="North locality", weeks=WEEKS, by_grade=by_grade, small=small)


def risk(matrix, small=3):
    return risk_figure(team="North locality", matrix=matrix, bands=Bands(), small=small)


def shown(fig) -> list[Text]:
    """Returns every visible text of the figure as drawn, tick labels and the key included."""
    FigureCanvasAgg(fig).draw()
    return [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]


def numbers(texts) -> set[int]:
    return {int(n) for t in texts for n in re.findall(r"\b\d+\b", t if isinstance(t, str) else t.get_text())}


def png_size(png: bytes) -> tuple[int, int]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and png[12:16] == b"IHDR"
    return struct.unpack(">II", png[16:24])


def luminance(colour: str) -> float:
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in to_rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def test_each_chart_is_one_portrait_image_with_its_words():
    for chart in (
        trend_chart(team="North locality", weeks=WEEKS, by_grade=BUSY, small=3),
        risk_chart(team="North locality", matrix=MATRIX, bands=Bands(), small=3),
    ):
        width, height = png_size(chart.png)
        assert (width, height) == (1080, 1440)
        assert chart.alt.startswith(("Bar chart. North locality", "Risk matrix. North locality"))


def test_every_label_is_as_large_as_the_message_text_at_a_phones_width():
    assert TEXT_PT * PHONE_POINTS / (72 * WIDTH_IN) >= MESSAGE_POINTS
    for fig, _words in (trend(BUSY), trend(SOME_SMALL), trend(QUIET), risk(MATRIX), risk(MATRIX_SMALL_CELLS)):
        texts = shown(fig)
        assert texts and min(t.get_fontsize() for t in texts) >= TEXT_PT


def test_colours_differ_in_lightness_as_well_as_hue():
    bands = [luminance(BAND_HEX[c]) for c in ("green", "yellow", "amber", "red")]
    assert bands == sorted(bands, reverse=True) and min(a - b for a, b in pairwise(bands)) > 0.1
    assert len(set(GRADE_HEX.values())) == 5


def test_a_busy_team_sees_each_week_by_grade_labelled_with_its_counts():
    fig, words = trend(BUSY)
    texts = [t.get_text() for t in shown(fig)]
    assert "per week, 28 Sep to 22 Nov 2026" in " ".join(texts).replace("\n", " ")
    assert "Stopped before it happened" in texts and "Harm: child left at risk" in texts
    assert "28 Sep" in texts and "16 Nov" in texts and "19" in texts  # 16 Nov: 9 + 4 + 3 + 3
    assert "16 Nov: 19 (Stopped before it happened 9, Happened, no harm caused 4," in words


def test_one_small_grade_shows_weekly_totals_not_hatching():
    fig, words = trend(SOME_SMALL)
    texts = shown(fig)
    assert "Stopped before it happened" not in {t.get_text() for t in texts}  # no key: no split
    assert 1 not in numbers(texts) and 1 not in numbers([words])
    assert "19 Oct: 13" in words and "Not split by grade: some grades had fewer than 3." in words


def test_a_small_team_sees_longer_periods_and_a_title_that_says_so():
    fig, words = trend(QUIET)
    texts = " ".join(t.get_text() for t in shown(fig)).replace("\n", " ")
    assert "per 4 weeks, 28 Sep to 22 Nov 2026" in texts
    assert "28 Sep–25 Oct" in texts and "26 Oct–22 Nov" in texts
    assert not {1, 2} & numbers(shown(fig)) and not {1, 2} & numbers([words])
    assert "28 Sep–25 Oct: 4" in words and "26 Oct–22 Nov: 4" in words


def test_fewer_reports_than_the_threshold_in_all_are_said_in_words():
    fig, words = trend({"no_harm": [0, 0, 1, 0, 0, 0, 1, 0]})
    texts = " ".join(t.get_text() for t in shown(fig))
    assert "Fewer than 3 new reports in these weeks." in words and "Fewer than" in texts
    assert numbers([texts]) <= {3, 28, 22, 2026}  # the threshold and the dates, no count
    assert "No new reports in these weeks." in trend({})[1]


def test_the_risk_matrix_shows_cells_only_when_every_cell_may_be_shown():
    fig, words = risk(MATRIX)
    texts = [t.get_text() for t in shown(fig)]
    assert "11" in texts and "Death" in texts and "red: high" in texts
    assert "consequence Low, likelihood Unlikely: 11" in words

    fig, words = risk(MATRIX_SMALL_CELLS)
    assert "Risk matrix" not in words and not {1, 2} & (numbers(shown(fig)) | numbers([words]))


def test_too_few_in_a_band_leaves_only_the_total():
    words = risk(MATRIX_SMALL_CELLS, small=4)[1]
    assert "55 reports triaged so far." in words
    assert risk([[0] * 5] * 5)[1].endswith("No reports triaged yet.")
    assert risk([[1, 0, 0, 0, 0]] + [[0] * 5] * 4)[1].endswith("Fewer than 3 reports triaged so far.")


def test_bands_are_shown_when_each_reaches_the_threshold():
    matrix = [[3, 0, 0, 0, 0], [0, 1, 2, 0, 0], [0, 1, 2, 0, 0], [0, 3, 0, 0, 0], [0, 0, 0, 0, 4]]
    fig, words = risk(matrix)  # green 3, yellow 4, amber 5, red 4; cells of 1 and 2
    lines = words.splitlines()
    assert lines[0].startswith("Bar chart.") and "Shown by band" in words
    assert lines[1:5] == ["red: high: 4", "amber: moderate: 5", "yellow: low: 4", "green: very low: 3"]
    assert not {1, 2} & numbers(shown(fig))
