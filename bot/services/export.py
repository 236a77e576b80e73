"""Pseudonymous reports as JSON or CSV, streamed so memory stays flat as reports grow.

Exports leave out the reporter pseudonym: a board sees patterns, not people.
"""

import csv
import json
from collections.abc import AsyncIterator
from typing import Any, TextIO

from storage.models import Report

FIELDS = (
    "reference",
    "team",
    "submitted_at",
    "occurred_on",
    "occurred_at",
    "setting",
    "involved",
    "what",
    "immediate_action",
    "grade",
    "factors",
    "what_stopped_it",
    "wants_feedback",
    "status",
)


def record(report: Report) -> dict[str, Any]:
    """Returns one report as plain data, without who reported it."""
    values = {name: getattr(report, name) for name in FIELDS}
    for name in ("submitted_at", "occurred_on", "occurred_at"):
        values[name] = values[name].isoformat() if values[name] is not None else None
    return values


async def write_json(reports: AsyncIterator[Report], out: TextIO) -> int:
    """Writes a JSON array of reports; returns how many."""
    count = 0
    out.write("[")
    async for report in reports:
        out.write(("," if count else "") + "\n  " + json.dumps(record(report), ensure_ascii=False))
        count += 1
    out.write("\n]\n" if count else "]\n")
    return count


def _inert(value: Any) -> Any:
    """Returns a cell a spreadsheet will not run as a formula (typed text may start with = or -)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


async def write_csv(reports: AsyncIterator[Report], out: TextIO) -> int:
    """Writes reports as CSV with a header row, lists joined by ';'; returns how many."""
    writer = csv.DictWriter(out, fieldnames=FIELDS)
    writer.writeheader()
    count = 0
    async for report in reports:
        row = record(report)
        row["involved"], row["factors"] = ";".join(row["involved"]), ";".join(row["factors"])
        writer.writerow({name: _inert(value) for name, value in row.items()})
        count += 1
    return count
