"""A summary as the fixed-width text table ``runstate summarize`` prints, and durations as people read them.

One line per group (its key, runs, logical runs, success rate per logical run, retried share, p50 and
p95 of each attempt's total, active runs) and a last line for all groups together; key columns are
left-aligned, numbers right-aligned. docs/dashboard.md shows the table.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from .summarize import GroupSummary, Summary

__all__ = ["human_duration", "render_table"]

_ZERO: Final = timedelta(0)

_UNITS: Final = ((86_400, "d", 3_600, "h"), (3_600, "h", 60, "m"), (60, "m", 1, "s"))


def human_duration(value: timedelta | None) -> str:
    """A duration as people read it, rounded to the second: ``42s``, ``4m05s``, ``1h12m``, ``2d03h``."""
    if value is None:
        return "-"
    if value < _ZERO:
        return "-" + human_duration(-value)
    seconds = round(value.total_seconds())
    for size, unit, small, small_unit in _UNITS:
        if seconds >= size:
            return f"{seconds // size}{unit}{seconds % size // small:02d}{small_unit}"
    return f"{seconds}s"


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


_COLUMNS: Final = ("RUNS", "LOGICAL", "SUCCESS", "RETRIED", "P50", "P95", "ACTIVE")


def _row(group: GroupSummary) -> list[str]:
    return [str(group.runs), str(group.logical_runs), _percent(group.logical_success_rate),
            _percent(group.retried_share), human_duration(group.total.p50),
            human_duration(group.total.p95), str(len(group.active))]  # fmt: skip


def render_table(summary: Summary) -> str:
    """The human table: per group, runs, logical runs, success rate (per logical run), retried share,
    p50/p95 of each attempt's total, and active runs; a last line for all groups together."""
    header = [name.upper() for name in summary.by] + list(_COLUMNS)
    rows = [[value or "-" for value in g.key] + _row(g) for g in summary.groups]
    keys = len(summary.by)
    rows.append((["all"] + [""] * (keys - 1) if keys else []) + _row(summary.overall))
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        parts = [
            c.ljust(w) if i < keys else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ]
        return "  ".join(parts).rstrip()

    return "\n".join(line(row) for row in [header, *rows]) + "\n"
