"""The digest's charts, made for a phone: one chart an image, portrait, every label at least as
large as the message text beside it, colours told apart without colour vision and labelled too,
and each chart's words (its alternative text) sent with it.

Small counts: a chart shows a breakdown only when every part of it reaches the team's
small_count, which keeps it safe on its own. Where a week's grades are too few, the chart shows
weekly totals, then longer periods, then one total; where the risk matrix's cells are too few,
it shows the bands, then the total. Nothing below the threshold is drawn, labelled or on an axis.
"""

import io
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from flows.lists import GRADES
from flows.messages import DAY_MONTH, N_, NP_, _, day, ngettext
from flows.risk import COLOUR_WORDS, CONSEQUENCES, LIKELIHOODS, SCALE, Bands, colour_name

# A phone shows an image about 360 points wide; its message text is about 16 points high. At
# 4.5 inches wide, 15-point type is shown 15 × 360 / (72 × 4.5) ≈ 16.7 points high: as large.
WIDTH_IN, HEIGHT_IN, DPI = 4.5, 6, 240  # 1080 × 1440 pixels, the 3:4 portrait phones show whole
PHONE_POINTS, MESSAGE_POINTS = 360, 16
TEXT_PT, TITLE_PT = 15, 17

# Okabe and Ito's palette, told apart with any colour vision; each also labelled in words.
GRADE_HEX = {
    "prevented": "#0072B2",
    "no_harm": "#56B4E9",
    "left_at_risk": "#E69F00",
    "wrongly_judged": "#CC79A7",
    "severe": "#D55E00",
}
DARK_GRADES = {"prevented", "severe"}  # white labels on these
# The bands' colours, lightest to darkest as the risk rises, so they differ without hue too.
BAND_HEX = {"green": "#e5f5e0", "yellow": "#fed976", "amber": "#fd8d3c", "red": "#b10026"}
INK, PALE_INK, MUTED = "#1a1a1a", "#ffffff", "#4d4d4d"
SPANS = (1, 2, 4, 8)  # weeks a bar, tried in turn

TREND_TITLE = N_("{team}: new reports")
PER_WEEK = N_("per week, {start} to {end}")
PER_WEEKS = NP_("per {weeks} week, {start} to {end}", "per {weeks} weeks, {start} to {end}")
IN_TOTAL = N_("in total, {start} to {end}")
PERIOD = N_("{start} to {end}")
NO_REPORTS = N_("No new reports in these weeks.")
FEW_REPORTS = N_("Fewer than {small} new reports in these weeks.")
TOTALS_NOTE = N_("Not split by grade: some grades had fewer than {small}.")
LONGER_NOTE = N_("Longer periods: some weeks had fewer than {small}.")
RISK_TITLE = N_("{team}: triaged reports by risk")
RISK_SUBTITLE = N_("every report triaged so far")
MATRIX_X = N_("Likelihood of recurrence")
MATRIX_Y = N_("Consequence if it recurred")
LIKELIHOOD_KEY = N_("{number} {word}")
BANDS_NOTE = N_("Shown by band: some cells had fewer than {small}.")
RISK_TOTAL = NP_("{count} report triaged so far.", "{count} reports triaged so far.")
RISK_FEW = N_("Fewer than {small} reports triaged so far.")
RISK_NONE = N_("No reports triaged yet.")
BAND_LABEL = N_("{colour}: {band}")
ALT_BARS = N_("Bar chart. {title}, {subtitle}.")
ALT_MATRIX = N_("Risk matrix. {title}, {subtitle}.")
ALT_WORDS = N_("{title}, {subtitle}.")  # a chart with no bars, only its words
ALT_LINE = N_("{what}: {count}")
ALT_CELL = N_("consequence {consequence}, likelihood {likelihood}")


@dataclass(frozen=True)
class Chart:
    """A chart as sent: the picture, and the same in words (its first line the title)."""

    png: bytes
    alt: str


@dataclass(frozen=True)
class Bar:
    label: str
    parts: dict[str, int]  # colour key -> count; one key "total" when not broken down

    @property
    def total(self) -> int:
        return sum(self.parts.values())


def allowed(parts: Sequence[int], small: int) -> bool:
    """Says whether a set of counts may be shown: none of them small (zero is not small)."""
    return all(n == 0 or n >= small for n in parts)


def trend_chart(
    *, team: str, weeks: list[date], by_grade: dict[str, list[int]], small: int, until: date | None = None
) -> Chart:
    """Returns the weekly new reports, by grade where every part may be shown, else as totals,
    over longer periods, or as one total; `until` is the last day counted, if the last week is
    not over."""
    return Chart(*_rendered(trend_figure(team=team, weeks=weeks, by_grade=by_grade, small=small, until=until)))


def risk_chart(*, team: str, matrix: list[list[int]], bands: Bands, small: int) -> Chart:
    """Returns the risk matrix of triaged reports where every cell may be shown, else the
    reports by band, else their total."""
    return Chart(*_rendered(risk_figure(team=team, matrix=matrix, bands=bands, small=small)))


def trend_figure(
    *, team: str, weeks: list[date], by_grade: dict[str, list[int]], small: int, until: date | None = None
) -> tuple[Figure, str]:
    """Returns the trend chart unrendered, and its words."""
    for grade, counts in by_grade.items():
        if len(counts) != len(weeks):
            raise ValueError(f"by_grade[{grade!r}] needs one count per week")
    start, end = weeks[0], min(weeks[-1] + timedelta(days=6), until or date.max)
    title = _(TREND_TITLE).format(team=team)
    bars, span, note = _trend_bars(weeks, by_grade, small, end)
    dates = {"start": day(start, DAY_MONTH), "end": day(end)}
    if span == 1:
        subtitle = _(PER_WEEK).format(**dates)
    elif span < len(weeks):
        subtitle = ngettext(PER_WEEKS, span).format(weeks=span, **dates)
    else:
        subtitle = _(IN_TOTAL).format(**dates)
    total = sum(sum(counts) for counts in by_grade.values())
    message = _(NO_REPORTS) if not total else _(FEW_REPORTS).format(small=small) if total < small else ""
    if message:
        subtitle = _(PERIOD).format(**dates)
    fig = _figure()
    ax = fig.add_subplot()
    swatches: list[Patch] = []
    if message:
        _message(ax, message)
        lines, head = [message], ALT_WORDS
    else:
        swatches = _bars(ax, bars)
        lines, head = [_alt_bar(bar) for bar in bars], ALT_BARS
    _heading(fig, title, subtitle, swatches)
    _note(fig, note)
    return fig, "\n".join([_(head).format(title=title, subtitle=subtitle), *lines, note]).strip()


def _trend_bars(weeks: list[date], by_grade: dict[str, list[int]], small: int, end: date) -> tuple[list[Bar], int, str]:
    """Returns the bars to draw, the finest that may be shown, the weeks in each, and a note on
    what was merged."""
    grades = [g.code for g in GRADES]
    for span in sorted({s for s in SPANS if s < len(weeks)} | {len(weeks)}):
        bars = []
        for first in range(0, len(weeks), span):
            parts = {g: sum(by_grade.get(g, [0] * len(weeks))[first : first + span]) for g in grades}
            last = min(weeks[min(first + span, len(weeks)) - 1] + timedelta(days=6), end)
            label = day(weeks[first], DAY_MONTH) + ("" if span == 1 else f"–{day(last, DAY_MONTH)}")
            bars.append(Bar(label, {g: n for g, n in parts.items() if n}))
        longer = "" if span == 1 else _(LONGER_NOTE).format(small=small)
        if allowed([n for bar in bars for n in bar.parts.values()], small):
            return bars, span, longer
        if allowed([bar.total for bar in bars], small):
            totals = [Bar(bar.label, {"total": bar.total} if bar.total else {}) for bar in bars]
            return totals, span, " ".join(filter(None, [_(TOTALS_NOTE).format(small=small), longer]))
    return [], len(weeks), ""  # one total, and it is small: said in words instead


def risk_figure(*, team: str, matrix: list[list[int]], bands: Bands, small: int) -> tuple[Figure, str]:
    """Returns the risk chart unrendered, and its words."""
    title, subtitle = _(RISK_TITLE).format(team=team), _(RISK_SUBTITLE)
    cells = [n for row in matrix for n in row]
    by_band = {colour: 0 for colour in reversed(COLOUR_WORDS)}  # red first
    for c in SCALE:
        for lk in SCALE:
            by_band[bands.colour(c * lk)] += matrix[c - 1][lk - 1]
    fig = _figure()
    ax = fig.add_subplot()
    note, total, swatches = "", sum(cells), []
    if total and allowed(cells, small):
        swatches = _matrix(ax, matrix, bands)
        note = _likelihood_key()
        lines = [
            _(ALT_LINE).format(
                what=_(ALT_CELL).format(consequence=_(CONSEQUENCES[c - 1]), likelihood=_(LIKELIHOODS[lk - 1])),
                count=matrix[c - 1][lk - 1],
            )
            for c in reversed(SCALE)
            for lk in SCALE
            if matrix[c - 1][lk - 1]
        ]
        head = ALT_MATRIX
    elif total and allowed(list(by_band.values()), small):
        bars = [Bar(_band(colour), {colour: n}) for colour, n in by_band.items()]
        _bars(ax, bars, colours=BAND_HEX, dark={"red"})
        lines, head, note = [_alt_bar(bar) for bar in bars], ALT_BARS, _(BANDS_NOTE).format(small=small)
    else:
        words = (
            ngettext(RISK_TOTAL, total).format(count=total)
            if total >= small
            else _(RISK_FEW).format(small=small)
            if total
            else _(RISK_NONE)
        )
        _message(ax, words)
        lines, head = [words], ALT_WORDS
    _heading(fig, title, subtitle, swatches, columns=2)
    _note(fig, note)
    return fig, "\n".join([_(head).format(title=title, subtitle=subtitle), *lines, note]).strip()


def _band(colour: str) -> str:
    return _(BAND_LABEL).format(colour=colour_name(colour), band=_(COLOUR_WORDS[colour][0]))


def _alt_bar(bar: Bar) -> str:
    count = str(bar.total)
    if len(bar.parts) > 1:
        names = {g.code: _(g.label) for g in GRADES}
        count += " (" + ", ".join(f"{names[key]} {n}" for key, n in bar.parts.items()) + ")"
    return _(ALT_LINE).format(what=bar.label, count=count)


def _figure() -> Figure:
    return Figure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI, layout="constrained")


def _heading(fig: Figure, title: str, subtitle: str, swatches: Sequence[Patch] = (), columns: int = 1) -> None:
    """Puts the title, and under it the key, across the top, so the chart keeps its width."""
    fig.legend(
        handles=list(swatches),
        title=_wrap(title, 28) + "\n" + _wrap(subtitle, 30),
        title_fontproperties={"size": TITLE_PT, "weight": "bold"},
        alignment="left",
        loc="outside upper left",
        ncols=columns,
        fontsize=TEXT_PT,
        frameon=False,
        handlelength=1.0,
        columnspacing=0.6,
        handletextpad=0.4,
    )


def _note(fig: Figure, note: str) -> None:
    if note:
        fig.supxlabel(_wrap(note, 36), fontsize=TEXT_PT, color=MUTED, ha="left", x=0.02)


def _wrap(text: str, width: int) -> str:
    return textwrap.fill(text, width)


def _message(ax: Axes, words: str) -> None:
    ax.text(0.5, 0.5, _wrap(words, 24), ha="center", va="center", fontsize=TITLE_PT, transform=ax.transAxes)
    ax.set_axis_off()


def _bars(
    ax: Axes,
    bars: list[Bar],
    *,
    colours: dict[str, str] = GRADE_HEX,
    dark: set[str] = DARK_GRADES,
) -> list[Patch]:
    """Draws one horizontal bar a period (or band), top to bottom, stacked by its parts, each
    part labelled with its count where it is wide enough and each bar with its total."""
    widest = max([bar.total for bar in bars] + [1])
    fits = widest * 0.12  # a part this wide holds its count at TEXT_PT
    keys = [key for key in colours if any(key in bar.parts for bar in bars)]
    for row, bar in enumerate(bars):
        left = 0
        for key in keys if "total" not in bar.parts else ["total"]:
            n = bar.parts.get(key, 0)
            if not n:
                continue
            ax.barh(row, n, left=left, height=0.72, color=colours.get(key, "#0072B2"), edgecolor="white")
            if len(bar.parts) > 1 and n >= fits:
                ink = PALE_INK if key in dark else INK
                ax.text(left + n / 2, row, str(n), ha="center", va="center", fontsize=TEXT_PT, color=ink)
            left += n
        if bar.total:
            ax.text(left + widest * 0.02, row, str(bar.total), va="center", fontsize=TEXT_PT, fontweight="bold")
    ax.set_yticks(range(len(bars)), [bar.label for bar in bars], fontsize=TEXT_PT)
    ax.set_ylim(len(bars) - 0.5, -0.5)
    ax.set_xlim(0, widest * 1.18)
    ax.xaxis.set_visible(False)
    ax.tick_params(axis="y", length=0)
    ax.spines[:].set_visible(False)
    if any(len(bar.parts) > 1 for bar in bars):  # a key only where bars are split
        names = {g.code: _(g.label) for g in GRADES}
        return [Patch(color=colours[key], label=_wrap(names[key], 30)) for key in keys]
    return []


def _matrix(ax: Axes, matrix: list[list[int]], bands: Bands) -> list[Patch]:
    """Draws the 5 × 5 risk matrix, shaded by band and each cell labelled with its count."""
    colours = [[bands.colour(c * lk) for lk in SCALE] for c in SCALE]  # rows: consequence 1..5
    ax.imshow([[to_rgb(BAND_HEX[colour]) for colour in row] for row in colours], origin="lower", aspect="auto")
    for c, row in enumerate(matrix):
        for lk, n in enumerate(row):
            if n:
                ink = PALE_INK if colours[c][lk] == "red" else INK
                ax.text(lk, c, str(n), ha="center", va="center", fontsize=TEXT_PT, fontweight="bold", color=ink)
    ax.set_xticks(range(5), [str(n) for n in SCALE], fontsize=TEXT_PT)
    ax.set_yticks(range(5), [_(w) for w in CONSEQUENCES], fontsize=TEXT_PT)
    ax.set_xlabel(_(MATRIX_X), fontsize=TEXT_PT)
    ax.set_title(_(MATRIX_Y), fontsize=TEXT_PT, loc="left")
    ax.tick_params(which="both", length=0)
    ax.spines[:].set_visible(False)
    ax.set_xticks([i + 0.5 for i in range(4)], minor=True)
    ax.set_yticks([i + 0.5 for i in range(4)], minor=True)
    ax.grid(which="minor", color="white", linewidth=3)
    return [Patch(facecolor=BAND_HEX[c], edgecolor=MUTED, label=_band(c)) for c in reversed(COLOUR_WORDS)]


def _likelihood_key() -> str:
    return ", ".join(_(LIKELIHOOD_KEY).format(number=n, word=_(w).lower()) for n, w in zip(SCALE, LIKELIHOODS))


def _rendered(drawn: tuple[Figure, str]) -> tuple[bytes, str]:
    fig, words = drawn
    return png(fig), words


def png(fig: Figure) -> bytes:
    """Returns a figure as a PNG."""
    out = io.BytesIO()
    FigureCanvasAgg(fig).print_png(out, metadata={"Software": None})  # type: ignore[no-untyped-call]  # matplotlib's stubs
    return out.getvalue()


COMPARISON_HEX = ("#0072B2", "#999999")  # this period, the one before


def comparison_chart(
    *,
    title: str,
    rows: Sequence[tuple[str, Sequence[int | None], Sequence[str]]],
    labels: Sequence[str],
    row_colours: Sequence[str] | None = None,
) -> Chart:
    """Returns a page-width chart for a printed report: for each row (its name, its count in
    each period named in `labels`, and those counts in words as its table shows them) a bar a
    period, labelled; a count withheld (None) gets no bar, only its words."""
    series = len(labels)
    fig = Figure(figsize=(6.3, 0.45 + 0.2 * series * max(len(rows), 1)), dpi=200, layout="constrained")
    ax = fig.add_subplot()
    widest = max([n for _name, counts, _words in rows for n in counts if n] + [1])
    step = 0.84 / series
    lines = []
    for row, (name, counts, words) in enumerate(rows):
        for number, (n, shown) in enumerate(zip(counts, words)):
            y = row + (number - (series - 1) / 2) * step
            colour = row_colours[row] if row_colours else COMPARISON_HEX[number]
            if n:
                ax.barh(y, n, height=step * 0.92, color=colour, edgecolor=MUTED if row_colours else colour)
            ink = INK if n is not None else MUTED
            ax.text((n or 0) + widest * 0.01, y, shown, va="center", fontsize=8.5, color=ink)
        spoken = ", ".join(f"{label} {shown}" for label, shown in zip(labels, words))
        lines.append(_(ALT_LINE).format(what=name, count=spoken))
    ax.set_yticks(range(len(rows)), [_wrap(name, 30) for name, _counts, _words in rows], fontsize=9)
    ax.set_ylim(len(rows) - 0.5, -0.5)
    ax.set_xlim(0, widest * 1.15)
    ax.xaxis.set_visible(False)
    ax.tick_params(axis="y", length=0)
    ax.spines[:].set_visible(False)
    if series > 1:
        swatches = [Patch(color=COMPARISON_HEX[n], label=labels[n]) for n in range(series)]
        ax.legend(handles=swatches, loc="lower right", fontsize=8.5, frameon=False)
    return Chart(png(fig), "\n".join([_(ALT_BARS).format(title=title, subtitle=", ".join(labels)), *lines]))
