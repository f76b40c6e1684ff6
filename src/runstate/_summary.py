"""Summaries of run history: counts by state and reason, success rate, duration percentiles.

Success rate is SUCCEEDED over runs with a final outcome, SKIPPED excluded (a skipped run neither
succeeded nor failed). Percentiles use the nearest-rank method over runs whose total is known.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from typing import Any

import attrs

from ._model import Run
from ._vocabulary import State

__all__ = ["Summary", "percentile"]


def percentile(sorted_values: list[float], pct: float) -> float | None:
    """Nearest-rank percentile of already sorted values (``None`` for no values)."""
    if not sorted_values:
        return None
    rank = max(1, math.ceil(pct / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


@attrs.define
class _Group:
    states: Counter[str] = attrs.field(factory=Counter)
    reasons: Counter[str] = attrs.field(factory=Counter)
    totals: list[float] = attrs.field(factory=list)

    def add(self, run: Run) -> None:
        self.states[run.state.value] += 1
        if run.reason is not None:
            self.reasons[run.reason.value] += 1
        if run.durations.total is not None:
            self.totals.append(run.durations.total.total_seconds())

    def to_json(self) -> dict[str, Any]:
        finished = sum(n for s, n in self.states.items() if State(s).is_terminal and s != State.SKIPPED)
        succeeded = self.states.get(State.SUCCEEDED.value, 0)
        totals = sorted(self.totals)
        return {
            "runs": sum(self.states.values()),
            "by_state": dict(sorted(self.states.items())),
            "by_reason": dict(sorted(self.reasons.items())),
            "success_rate": None if finished == 0 else round(succeeded / finished, 4),
            "total_seconds": {
                "count": len(totals),
                "p50": percentile(totals, 50),
                "p95": percentile(totals, 95),
                "max": totals[-1] if totals else None,
            },
        }


@attrs.define
class Summary:
    """Aggregates of many runs, overall and per job."""

    overall: _Group = attrs.field(factory=_Group)
    jobs: dict[str, _Group] = attrs.field(factory=dict)

    @classmethod
    def of(cls, runs: Iterable[Run]) -> Summary:
        """Summarize runs in one pass (memory grows with jobs and known totals, not with records)."""
        summary = cls()
        for run in runs:
            summary.overall.add(run)
            key = run.job_id or "(no job)"
            group = summary.jobs.get(key)
            if group is None:
                group = summary.jobs[key] = _Group()
            group.add(run)
        return summary

    def to_json(self) -> dict[str, Any]:
        """JSON-ready aggregates."""
        return {
            "overall": self.overall.to_json(),
            "jobs": {k: g.to_json() for k, g in sorted(self.jobs.items())},
        }

    def to_table(self) -> str:
        """A plain-text report."""
        data = self.to_json()
        lines = [_headline("all runs", data["overall"])]
        lines += [f"  {state:<18} {n:>7}" for state, n in data["overall"]["by_state"].items()]
        if data["overall"]["by_reason"]:
            lines.append("  reasons:")
            lines += [f"    {reason:<22} {n:>5}" for reason, n in data["overall"]["by_reason"].items()]
        lines.append("")
        lines.append(f"{'JOB':<36} {'RUNS':>6} {'SUCCESS':>8} {'P50':>10} {'P95':>10} {'MAX':>10}")
        for job, group in data["jobs"].items():
            t = group["total_seconds"]
            lines.append(
                f"{job[:36]:<36} {group['runs']:>6} {_rate(group['success_rate']):>8} "
                f"{_secs(t['p50']):>10} {_secs(t['p95']):>10} {_secs(t['max']):>10}"
            )
        return "\n".join(lines) + "\n"


def _rate(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def _secs(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}s"


def _headline(title: str, group: dict[str, Any]) -> str:
    t = group["total_seconds"]
    return (
        f"{title}: {group['runs']} runs, success rate {_rate(group['success_rate'])}, "
        f"total p50 {_secs(t['p50'])}, p95 {_secs(t['p95'])}, max {_secs(t['max'])}"
    )
