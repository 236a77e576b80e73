"""Disclosure control, in one place for digests, channel posts, `nearmiss stats` and charts: a
count from 1 to small - 1 could point at a person, so it is never shown exactly, and never left
to be worked out from the figures shown beside it (a total minus its other parts, a share of a
known total, a column of rows and their sum).

A breakdown of a total shows its small parts as "fewer than 3" only while they stay open: k
hidden parts, each from 1 to small - 1, that the total less the parts shown puts at r, leave
each one open only if k >= 2 and k < r < k(small - 1) (one hidden part is the remainder; two
hidden parts making 2 are 1 each). Otherwise the total stands alone. A share of a total is shown
exactly only when neither the part nor the rest is small.

For a chart: a stacked bar's segments are a breakdown of its height, so `breakdown(segments,
small)` says which to draw (None: the bar's total alone); a cell of a table with row or column
totals shown is a part of each. A threshold of 2 protects nothing: "fewer than 2" can only be 1.
"""

from collections.abc import Mapping
from typing import TypeVar

from flows import messages as M
from flows.messages import _

K = TypeVar("K")


def hidden(n: int, small: int) -> bool:
    """Says whether a count may not be shown exactly: 1 to small - 1."""
    return 0 < n < small


def count(n: int, small: int) -> str:
    """Returns a count as shown: "fewer than 3" for 1 and 2 when the threshold is 3."""
    return _(M.DIGEST_SMALL).format(small=small) if hidden(n, small) else str(n)


def breakdown(parts: Mapping[K, int], small: int) -> dict[K, int] | None:
    """Returns the parts of a total that may be shown beside it, zeros left out, each to be
    shown through count(); or None when a small one could be worked out from the total less
    the others: then the total is shown alone."""
    shown = {key: n for key, n in parts.items() if n}
    small_ones = [n for n in shown.values() if hidden(n, small)]
    k, rest = len(small_ones), sum(small_ones)
    if not k:
        return shown
    if hidden(sum(shown.values()), small):  # the total itself is "fewer than": every part is small
        return shown if k == 1 else None
    return shown if k >= 2 and k < rest < k * (small - 1) else None


def exact_share(total: int, part: int, small: int) -> bool:
    """Says whether a part of a total (reports with feedback, of all reports) may be shown
    exactly beside it: the total, the part and the rest all 0 or reaching the threshold."""
    return not any(hidden(n, small) for n in (total, part, total - part))
