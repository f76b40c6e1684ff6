"""REFERENCE COPY of summarize in src/runstate/_history/summarize.py before the fast paths:
the property tests prove the new code equal to it. Do not optimize this file.

Summaries of run history: what a dashboard shows, in memory bounded by groups, not by runs.

Counts are per attempt (each distinct run, snapshots folded) and per logical run (the final
outcome after retries). Duration percentiles come from DDSketch (DataDog's ``ddsketch`` package),
a mergeable quantile sketch: a reported quantile is within :data:`RELATIVE_ACCURACY` (1 %) of the
true value at its nearest rank (and never outside the exact min and max). Two summaries merge
exactly when their inputs were split by logical run.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Final

import attrs

from runstate import InvalidRecordError, LogicalRun, Run
from runstate._core.model import require_aware
from runstate._core.vocabulary import Phase, State
from runstate._history.summarize import (
    ActiveRun,
    GroupSummary,
    Quantiles,
    Summary,
    _active_order,
    _new_sketch,
)

from .reference_history import checked_runs, logical_runs

RELATIVE_ACCURACY: Final = 0.01
"""DDSketch's guarantee: each reported quantile is within 1 % of the true value at its rank."""
DEFAULT_BY: Final = ("provider", "namespace", "job_id")
GROUPABLE: Final = ("provider", "namespace", "job_id", "name", "state", "reason", "parent_run_id")
"""The :class:`Run` fields a summary can group by."""
_ZERO: Final = timedelta(0)
_ACTIVE_PHASES: Final = frozenset({Phase.PENDING, Phase.RUNNING, Phase.TERMINATING})

GroupKey = tuple[str | None, ...]


class _Durations:
    """Accumulates one kind of duration: a sketch, the exact sum and the max."""

    def __init__(self) -> None:
        self.sketch = _new_sketch()
        self.sum = _ZERO
        self.bounds: tuple[timedelta, timedelta] | None = None

    def add(self, value: timedelta | None) -> None:
        if value is None:
            return
        self.sketch.add(value.total_seconds())
        self.sum += value
        low, high = (value, value) if self.bounds is None else self.bounds
        self.bounds = (min(low, value), max(high, value))

    def freeze(self) -> Quantiles:
        return Quantiles.of(self.sketch, self.sum // timedelta(microseconds=1), self.bounds)


class _Group:
    """Accumulates one group while :func:`summarize` reads the runs."""

    def __init__(self) -> None:
        self.states: Counter[str] = Counter()
        self.reasons: Counter[str] = Counter()
        self.outcomes: Counter[str] = Counter()
        self.counts: Counter[str] = Counter()
        self.durations = {name: _Durations() for name in QUANTILE_NAMES}
        self.active: list[ActiveRun] = []

    def add_attempt(self, run: Run) -> None:
        self.counts["runs"] += 1
        self.states[run.state.value] += 1
        if run.reason is not None:
            self.reasons[run.reason.value] += 1
        if run.is_terminal and run.state is not State.SKIPPED:
            self.counts["finished"] += 1
            self.counts["succeeded"] += run.state is State.SUCCEEDED
        self.durations["total"].add(run.durations.total)
        self.durations["queue"].add(run.durations.queue)
        self.durations["execution"].add(run.durations.execution)

    def add_logical(self, logical: LogicalRun, now: datetime) -> None:
        latest = logical.latest
        succeeded = latest.state is State.SUCCEEDED
        self.counts["logical_runs"] += 1
        self.outcomes[latest.state.value] += 1
        if latest.is_terminal and latest.state is not State.SKIPPED:
            self.counts["logical_finished"] += 1
            self.counts["logical_succeeded"] += succeeded
        if logical.retried:
            self.counts["retried"] += 1
            self.counts["retried_succeeded"] += succeeded
        if latest.is_terminal:
            self.durations["logical_total"].add(logical.total)
        elif latest.phase in _ACTIVE_PHASES:
            self.active.append(
                ActiveRun(
                    latest.provider,
                    latest.namespace,
                    latest.job_id,
                    latest.run_id,
                    latest.state,
                    latest.started_at,
                    latest.elapsed(now),
                )
            )

    def freeze(self, key: GroupKey) -> GroupSummary:
        fields: dict[str, Any] = {name: self.counts[name] for name in _COUNTS}
        fields.update({name: acc.freeze() for name, acc in self.durations.items()})
        return GroupSummary(
            key,
            by_state=dict(sorted(self.states.items())),
            by_reason=dict(sorted(self.reasons.items())),
            outcomes=dict(sorted(self.outcomes.items())),
            active=tuple(sorted(self.active, key=_active_order)),
            **fields,
        )


QUANTILE_NAMES: Final = ("total", "queue", "execution", "logical_total")
_COUNTS: Final = ("runs", "logical_runs", "succeeded", "finished", "logical_succeeded",
                  "logical_finished", "retried", "retried_succeeded")  # fmt: skip


def _key_order(key: GroupKey) -> tuple[tuple[bool, str], ...]:
    return tuple((value is None, value or "") for value in key)


def _check_by(by: Iterable[str]) -> tuple[str, ...]:
    fields = tuple(by) if not isinstance(by, str) else (by,)
    for name in fields:
        if name not in GROUPABLE:
            raise InvalidRecordError(
                "runstate", "by", name, f"cannot group by it (one of {', '.join(GROUPABLE)})"
            )
    return fields


def _key_of(run: Run, by: tuple[str, ...]) -> GroupKey:
    return tuple(None if (value := getattr(run, name)) is None else str(value) for name in by)


def summarize(
    runs: Iterable[Run],
    *,
    by: Sequence[str] = DEFAULT_BY,
    now: datetime | None = None,
    horizon: timedelta | None = None,
) -> Summary:
    """Summarize run history per group: counts, success rates, retries, duration quantiles, active runs.

    Attempts count in the group of their own key, a logical run in its latest attempt's. ``now``
    (aware; default the current time) gives active runs their elapsed time. Memory: one sketch per
    group and duration kind, never one value per run, plus what :func:`runstate.logical_runs` holds
    (runs kept without ``raw`` and tasks): the open logical runs and the keys of the last
    :data:`~runstate._history.logical.RECENT_CLOSED` runs closed. A logical run is counted when it closes:
    at once when it ends SUCCEEDED, CANCELED or SKIPPED; one that failed, timed out or has not ended
    is held until the input ends, or with ``horizon`` until the input has moved ``horizon`` past it.
    """
    fields = _check_by(by)
    if now is None:
        now = datetime.now(UTC)
    else:
        require_aware(now)
    groups: dict[GroupKey, _Group] = {}

    def group(run: Run) -> _Group:
        key = _key_of(run, fields)
        found = groups.get(key)
        if found is None:
            found = groups[key] = _Group()
        return found

    for logical in logical_runs((_slim(run) for run in checked_runs(runs)), horizon=horizon):
        for attempt in logical.attempts:
            group(attempt).add_attempt(attempt)
        group(logical.latest).add_logical(logical, now)
    frozen = (acc.freeze(key) for key, acc in groups.items())
    return Summary(fields, tuple(sorted(frozen, key=lambda g: _key_order(g.key))))


def _slim(run: Run) -> Run:
    """The run without what a summary never reads (its record and tasks), so history costs less."""
    return run if run.raw is None and not run.tasks else attrs.evolve(run, raw=None, tasks=())
