"""The digest chart: new reports per week by grade, and the risk matrix as a heat map."""

import io
import textwrap
from datetime import date

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FixedLocator, MaxNLocator

from flows.lists import GRADES
from flows.messages import N_, _
from flows.risk import COLOUR_HEX, CONSEQUENCES, LIKELIHOODS, SCALE, Bands

MONTHS = (
    N_("Jan"),
    N_("Feb"),
    N_("Mar"),
    N_("Apr"),
    N_("May"),
    N_("Jun"),
    N_("Jul"),
    N_("Aug"),
    N_("Sep"),
    N_("Oct"),
    N_("Nov"),
    N_("Dec"),
)
GRADE_HEX = {
    "prevented": "#81c784",
    "no_harm": "#b0bec5",
    "left_at_risk": "#ffcc80",
    "wrongly_judged": "#ef8f00",
    "severe": "#d32f2f",
}
TREND_TITLE = N_("New reports per week")
TREND_AXIS = N_("Reports")
MATRIX_TITLE = N_("Triaged reports by risk")
MATRIX_X = N_("Likelihood of recurrence")
MATRIX_Y = N_("Consequence if it recurred")
FEWER_THAN = N_("<{small}")
HATCHED = N_("Hatched: fewer than {small}")


def digest_chart(
    *, title: str, weeks: list[date], by_grade: dict[str, list[int]], matrix: list[list[int]], bands: Bands, small: int
) -> bytes:
    """Returns a PNG: the weekly trend of new reports by grade, and the risk matrix as a heat map."""
    fig = _figure(title=title, weeks=weeks, by_grade=by_grade, matrix=matrix, bands=bands, small=small)
    out = io.BytesIO()
    FigureCanvasAgg(fig).print_png(out, metadata={"Software": None})  # type: ignore[no-untyped-call]  # matplotlib's stubs
    return out.getvalue()


def _figure(
    *, title: str, weeks: list[date], by_grade: dict[str, list[int]], matrix: list[list[int]], bands: Bands, small: int
) -> Figure:
    """Returns the digest chart as an unrendered Figure."""
    fig = Figure(figsize=(11, 4.5), dpi=110, layout="constrained")
    fig.suptitle(title, fontsize=13, fontweight="bold")
    trend, heat = fig.subplots(1, 2, width_ratios=(1.25, 1))
    _trend(trend, weeks, by_grade, small)
    _heat(heat, matrix, bands, small)
    fig.supxlabel(_(HATCHED).format(small=small), x=0.01, ha="left", fontsize=8, color="#555555")
    return fig


def _trend(ax: Axes, weeks: list[date], by_grade: dict[str, list[int]], small: int) -> None:
    """Draws the weekly bars, stacked by grade, with small counts hatched at height `small`."""
    x = range(len(weeks))
    bottom = [0] * len(weeks)
    for grade in GRADES:
        counts = by_grade.get(grade.code, [0] * len(weeks))
        if len(counts) != len(weeks):
            raise ValueError(f"by_grade[{grade.code!r}] needs one count per week")
        # A small count is drawn at height `small`, so its true size cannot be read off the axis.
        heights = [small if 0 < n < small else n for n in counts]
        bars = ax.bar(
            x, heights, bottom=bottom, width=0.7, color=GRADE_HEX[grade.code], edgecolor="white", linewidth=0.6
        )
        for bar, n in zip(bars, counts):
            if 0 < n < small:
                bar.set(hatch="///", edgecolor="#37474f")
        bottom = [b + h for b, h in zip(bottom, heights)]
    top = max([*bottom, small]) * 1.1
    ax.set_ylim(0, top)
    # Only 0 and ticks from `small` up, so no small number appears on the axis either.
    ticks = MaxNLocator(nbins=6, integer=True).tick_values(0, top)
    ax.yaxis.set_major_locator(FixedLocator([t for t in ticks if t == 0 or small <= t <= top]))
    ax.set_xticks(list(x), [f"{d.day} {_(MONTHS[d.month - 1])}" for d in weeks], fontsize=9)
    ax.set_title(_(TREND_TITLE), fontsize=11)
    ax.set_ylabel(_(TREND_AXIS))
    ax.spines[["top", "right"]].set_visible(False)
    # Plain swatches: the bars' own first patch may be hatched.
    swatches = [Patch(color=GRADE_HEX[g.code], label=_(g.label)) for g in GRADES]
    ax.legend(handles=swatches, loc="upper center", bbox_to_anchor=(0.5, -0.1), ncols=2, fontsize=8, frameon=False)


def _heat(ax: Axes, matrix: list[list[int]], bands: Bands, small: int) -> None:
    """Draws the 5x5 risk matrix coloured by band, each cell labelled with its (masked) count."""
    colours = [[bands.colour(c * lk) for lk in SCALE] for c in SCALE]  # rows: consequence 1..5
    ax.imshow([[to_rgb(COLOUR_HEX[colour]) for colour in row] for row in colours], origin="lower", aspect="auto")
    for c, row in enumerate(matrix):
        for lk, n in enumerate(row):
            if n:
                text = _(FEWER_THAN).format(small=small) if n < small else str(n)
                ink = "white" if colours[c][lk] == "red" else "#212121"
                ax.text(lk, c, text, ha="center", va="center", fontsize=11, fontweight="bold", color=ink)
    ax.set_xticks(range(5), [textwrap.fill(_(w), 10) for w in LIKELIHOODS], fontsize=9)
    ax.set_yticks(range(5), [_(w) for w in CONSEQUENCES], fontsize=9)
    ax.set_xlabel(_(MATRIX_X))
    ax.set_ylabel(_(MATRIX_Y))
    ax.set_title(_(MATRIX_TITLE), fontsize=11)
    ax.tick_params(which="both", length=0)
    ax.spines[:].set_visible(False)
    ax.set_xticks([i + 0.5 for i in range(4)], minor=True)
    ax.set_yticks([i + 0.5 for i in range(4)], minor=True)
    ax.grid(which="minor", color="white", linewidth=2)
