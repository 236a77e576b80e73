"""The digest chart renders a PNG and never shows a small count exactly."""

import struct
from datetime import date, timedelta

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.text import Text

from flows.charts import _figure, digest_chart
from flows.lists import GRADES
from flows.risk import Bands

WEEKS = [date(2026, 9, 28) + timedelta(weeks=i) for i in range(8)]
BY_GRADE = {
    "prevented": [6, 4, 7, 5, 8, 3, 6, 9],
    "no_harm": [3, 5, 2, 4, 3, 6, 1, 4],
    "left_at_risk": [1, 2, 0, 3, 2, 4, 0, 2],
    "wrongly_judged": [0, 1, 3, 0, 1, 0, 2, 1],
    "severe": [0, 0, 0, 1, 0, 0, 0, 0],
}
MATRIX = [[9, 7, 2, 0, 0], [4, 11, 6, 1, 0], [0, 3, 5, 2, 1], [0, 1, 2, 0, 0], [0, 0, 1, 0, 0]]
ZEROS = [[0] * 5 for _ in range(5)]


def chart(**changes):
    args = dict(title="North team digest", weeks=WEEKS, by_grade=BY_GRADE, matrix=MATRIX, bands=Bands(), small=3)
    return args | changes


def shown_texts(fig) -> list[str]:
    """Returns every visible text of the figure as drawn, tick labels included."""
    FigureCanvasAgg(fig).draw()
    return [t.get_text() for t in fig.findobj(Text) if t.get_visible() and t.get_text()]


def png_size(png: bytes) -> tuple[int, int]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert png[12:16] == b"IHDR"
    return struct.unpack(">II", png[16:24])


def test_renders_a_png_of_plausible_size():
    width, height = png_size(digest_chart(**chart()))
    assert 800 <= width <= 1600 and 350 <= height <= 700
    assert width > height


def test_all_zero_input_still_renders():
    zero_weeks = {g.code: [0] * len(WEEKS) for g in GRADES}
    png = digest_chart(**chart(by_grade=zero_weeks, matrix=ZEROS))
    assert png_size(png)[0] > 0


def test_missing_grades_count_as_zero():
    assert digest_chart(**chart(by_grade={"prevented": [1] * len(WEEKS)})).startswith(b"\x89PNG")


def test_small_counts_are_never_shown_exactly():
    texts = shown_texts(_figure(**chart()))
    assert not {"1", "2"} & set(texts)
    assert "<3" in texts
    assert "7" in texts and "11" in texts and "3" in texts  # 3 is not below the threshold
    assert "Hatched: fewer than 3" in texts


def test_a_higher_threshold_masks_more():
    texts = shown_texts(_figure(**chart(small=6)))
    assert not {"1", "2", "3", "4", "5"} & set(texts)
    assert "<6" in texts and "6" in texts and "9" in texts


def test_small_weekly_totals_leave_no_small_number_on_the_axis():
    ones = {"no_harm": [1] * len(WEEKS)}
    texts = shown_texts(_figure(**chart(by_grade=ones, matrix=ZEROS)))
    assert not {"1", "2"} & set(texts)


def test_small_bar_segments_are_hatched_at_the_threshold_height():
    fig = _figure(**chart(small=4))
    trend = fig.axes[0]
    segments = [bar for container in trend.containers for bar in container]
    counts = [n for g in GRADES for n in BY_GRADE[g.code]]
    assert len(segments) == len(counts)
    for bar, n in zip(segments, counts):
        if 0 < n < 4:
            assert bar.get_height() == 4 and bar.get_hatch()
        else:
            assert bar.get_height() == n and not bar.get_hatch()
