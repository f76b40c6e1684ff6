"""Summaries of run history: what a dashboard shows, in memory bounded by groups, not by runs.

Counts are per attempt (each distinct run, snapshots folded) and per logical run (the final
outcome after retries). Duration percentiles come from a mergeable quantile sketch
(``runstate._history.sketch``, one per group and kind of duration): a reported quantile is within
:data:`RELATIVE_ACCURACY` (1 %) of the true value at its nearest rank (and never outside the exact
min and max). Two summaries merge exactly when their inputs were split by logical run. The text
table is ``runstate._history.table``; docs/dashboard.md holds the decisions.
"""

from __future__ import annotations

import math
import operator
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Final

import attrs

from .._core.constructors import new_run
from .._core.details import EMPTY
from .._core.errors import InvalidRecordError
from .._core.model import Run, require_aware
from .._core.vocabulary import STATE_PHASE, TERMINAL_STATES, Phase, Reason, State
from .logical import LogicalRun, RerunCounts, logical_items
from .sketch import RELATIVE_ACCURACY, DurationSketch
from .table import render_table

__all__ = [
    "DEFAULT_BY",
    "GROUPABLE",
    "RELATIVE_ACCURACY",
    "ActiveRun",
    "GroupSummary",
    "Quantiles",
    "Summary",
    "summarize",
]

DEFAULT_BY: Final = ("provider", "namespace", "job_id")
GROUPABLE: Final = ("provider", "namespace", "job_id", "name", "state", "reason", "parent_run_id")
"""The :class:`Run` fields a summary can group by."""
_ZERO: Final = timedelta(0)
_ACTIVE_PHASES: Final = frozenset({Phase.PENDING, Phase.RUNNING, Phase.TERMINATING})

GroupKey = tuple[str | None, ...]


@attrs.frozen
class Quantiles:
    """p50, p95 and max of some durations; ``sketch`` keeps what later merges need."""

    count: int = 0
    sum: timedelta | None = _ZERO
    """Exact sum (for means); ``None`` when it is past ``timedelta.max`` (2.7 million years, which
    only records with implausible times reach): :attr:`micros` still has it. The quantiles are the
    sketch's."""
    p50: timedelta | None = None
    p95: timedelta | None = None
    max: timedelta | None = None
    min: timedelta | None = None
    sketch: DurationSketch = attrs.field(factory=DurationSketch, eq=False, repr=False)
    micros: int = attrs.field(default=0, eq=False, repr=False)
    """The exact sum in microseconds, however large (what merges add; ``sum`` says the same)."""

    @classmethod
    def of(cls, sketch: DurationSketch) -> Quantiles:
        """Freeze an accumulated sketch (never changed afterwards).

        Quantiles are clamped to the sketch's exact min and max, so one value reads as itself.
        """
        bounds = sketch.bounds()
        if bounds is None:
            return cls(sketch=sketch)
        p50, p95 = (_quantile(sketch, q, bounds) for q in (0.5, 0.95))
        low, high = bounds
        micros = sketch.micros()
        return cls(sketch.count(), _duration(micros), p50, p95, high, low, sketch, micros)

    def merge(self, other: Quantiles) -> Quantiles:
        """The quantiles of both inputs together (neither input changes)."""
        return Quantiles.of(self.sketch.merged(other.sketch))

    @property
    def bounds(self) -> tuple[timedelta, timedelta] | None:
        """(min, max), or ``None`` without values."""
        return None if self.min is None or self.max is None else (self.min, self.max)

    def to_dict(self) -> dict[str, Any]:
        """Seconds, JSON-ready."""
        return {"count": self.count, "p50": _secs(self.p50), "p95": _secs(self.p95), "max": _secs(self.max)}


def _duration(micros: int) -> timedelta | None:
    """``micros`` as a timedelta, ``None`` past its range (a sum is exact or absent, never clamped)."""
    try:
        return timedelta(microseconds=micros)
    except OverflowError:
        return None


def _quantile(sketch: DurationSketch, q: float, bounds: tuple[timedelta, timedelta]) -> timedelta:
    """The nearest-rank quantile: the value of rank ``ceil(q * n)`` (1-based), as the sketch knows it.

    So p95 of two runs is the slower one, not the faster. The first and last ranks are the exact min
    and max, and nothing is reported outside them.
    """
    low, high = bounds
    count = sketch.count()
    index = max(1, math.ceil(q * count)) - 1
    if index == 0 or index == count - 1:
        return low if index == 0 else high
    seconds = sketch.value_at(index)
    try:
        value = timedelta(seconds=seconds)
    except OverflowError:  # a bucket near timedelta's limits reads up to 1 % past them
        return high if seconds > 0 else low
    return min(max(value, low), high)


def _secs(value: timedelta | None) -> float | None:
    return None if value is None else value.total_seconds()


@attrs.frozen
class ActiveRun:
    """A logical run not ended when the summary was made, with its elapsed time then."""

    provider: str
    namespace: str | None
    job_id: str | None
    run_id: str
    state: State
    started_at: datetime | None
    elapsed: timedelta | None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        started = None if self.started_at is None else self.started_at.isoformat()
        return {**attrs.asdict(self), "state": self.state.value, "started_at": started,
                "elapsed": _secs(self.elapsed)}  # fmt: skip


def _active_order(run: ActiveRun) -> tuple[Any, ...]:
    return (run.started_at is None, run.started_at or datetime.min.replace(tzinfo=UTC),
            run.provider, run.namespace or "", run.run_id)  # fmt: skip


def _rate(part: int, whole: int) -> float | None:
    return None if whole == 0 else part / whole


@attrs.frozen
class GroupSummary:
    """The numbers of one group (one job of one provider and namespace, by default)."""

    key: GroupKey
    runs: int = 0
    """Attempts: distinct runs, repeated snapshots folded."""
    logical_runs: int = 0
    by_state: dict[str, int] = attrs.field(factory=dict)
    """Attempts per state."""
    by_reason: dict[str, int] = attrs.field(factory=dict)
    """Attempts per reason (attempts without one are not counted)."""
    outcomes: dict[str, int] = attrs.field(factory=dict)
    """Logical runs per final (or current) state."""
    succeeded: int = 0
    finished: int = 0
    """Attempts with an outcome: terminal, SKIPPED excluded (it neither succeeded nor failed)."""
    logical_succeeded: int = 0
    logical_finished: int = 0
    retried: int = 0
    """Logical runs with more than one attempt (retries, re-runs, in-place repairs)."""
    retried_succeeded: int = 0
    total: Quantiles = attrs.field(factory=Quantiles)
    """Each attempt's own total."""
    queue: Quantiles = attrs.field(factory=Quantiles)
    execution: Quantiles = attrs.field(factory=Quantiles)
    logical_total: Quantiles = attrs.field(factory=Quantiles)
    """Each ended logical run's total across its attempts."""
    active: tuple[ActiveRun, ...] = ()

    @property
    def success_rate(self) -> float | None:
        """SUCCEEDED attempts over attempts with an outcome."""
        return _rate(self.succeeded, self.finished)

    @property
    def logical_success_rate(self) -> float | None:
        """Logical runs that finally succeeded (after retries too) over those with an outcome."""
        return _rate(self.logical_succeeded, self.logical_finished)

    @property
    def retried_share(self) -> float | None:
        """Retried logical runs over all logical runs."""
        return _rate(self.retried, self.logical_runs)

    def merge(self, other: GroupSummary, key: GroupKey | None = None) -> GroupSummary:
        """Both groups' numbers together (exact when no logical run is in both)."""
        merged: dict[str, Any] = {
            f.name: getattr(self, f.name) + getattr(other, f.name)
            for f in attrs.fields(GroupSummary)
            if f.type in ("int", int)
        }
        merged |= {
            name: dict(sorted((Counter(getattr(self, name)) + Counter(getattr(other, name))).items()))
            for name in ("by_state", "by_reason", "outcomes")
        }
        merged |= {n: getattr(self, n).merge(getattr(other, n)) for n in _QUANTILES}
        active = tuple(sorted(self.active + other.active, key=_active_order))
        return GroupSummary(self.key if key is None else key, active=active, **merged)

    def to_dict(self, by: Sequence[str]) -> dict[str, Any]:
        """JSON-ready, the key as a mapping of the grouping fields."""
        return {
            "key": dict(zip(by, self.key, strict=True)),
            "runs": self.runs,
            "logical_runs": self.logical_runs,
            "by_state": self.by_state,
            "by_reason": self.by_reason,
            "outcomes": self.outcomes,
            "success_rate": self.success_rate,
            "logical_success_rate": self.logical_success_rate,
            "retried": self.retried,
            "retried_succeeded": self.retried_succeeded,
            "retried_share": self.retried_share,
            **{name: getattr(self, name).to_dict() for name in _QUANTILES},
            "active": [run.to_dict() for run in self.active],
        }


_QUANTILES: Final = ("total", "queue", "execution", "logical_total")


class _Group:
    """Accumulates one group while :func:`summarize` reads the runs.

    Counts are kept per state (from which finished and succeeded follow); a logical run of one
    attempt (most runs) counts once in ``alone``, for both its attempt and its outcome.
    """

    __slots__ = ("active", "alone", "both", "execution", "logical_total", "outcomes", "queue", "reasons",
                 "retried", "retried_succeeded", "states", "total")  # fmt: skip

    def __init__(self) -> None:
        self.states: dict[State, int] = {}
        """Attempts of logical runs of several attempts, per state."""
        self.outcomes: dict[State, int] = {}
        """Logical runs of several attempts, per final state."""
        self.alone: dict[State, int] = {}
        """Logical runs of one attempt, per state."""
        self.reasons: dict[Reason, int] = {}
        self.retried = 0
        self.retried_succeeded = 0
        self.total = DurationSketch()
        self.queue = DurationSketch()
        self.execution = DurationSketch()
        self.logical_total = DurationSketch()
        self.both = DurationSketch()
        """Totals of ended logical runs of one attempt: the attempt's and the logical run's at once."""
        self.active: list[ActiveRun] = []

    def add_alone(self, run: Run, now: datetime, reruns: Callable[[Run], int]) -> None:
        """A logical run of this one attempt: what :meth:`add_attempt` and :meth:`add_logical` count."""
        state = run.state
        self.alone[state] = self.alone.get(state, 0) + 1
        if (reason := run.reason) is not None:
            self.reasons[reason] = self.reasons.get(reason, 0) + 1
        durations = run.durations
        total = durations.total
        if state in TERMINAL_STATES:  # the logical run's total is the run's elapsed(): its total, else
            if total is not None:  # end - start
                self.both.add(total)
            elif (started := run.started_at) is not None and (ended := run.ended_at) is not None:
                self.logical_total.add(ended - started)
        else:
            if total is not None:
                self.total.add(total)
            if STATE_PHASE[state] in _ACTIVE_PHASES:
                self.active.append(_active_run(run, now))
        if (value := durations.queue) is not None:
            self.queue.add(value)
        if (value := durations.execution) is not None:
            self.execution.add(value)
        if run.attempt > 0 or reruns(run) > 0:  # attempt_count > 1: a later attempt, or re-run in place
            self.retried += 1
            self.retried_succeeded += state is State.SUCCEEDED

    def add_attempt(self, run: Run) -> None:
        self.states[run.state] = self.states.get(run.state, 0) + 1
        self._attempt(run)

    def _attempt(self, run: Run) -> None:
        reason = run.reason
        if reason is not None:
            self.reasons[reason] = self.reasons.get(reason, 0) + 1
        durations = run.durations
        if (value := durations.total) is not None:
            self.total.add(value)
        if (value := durations.queue) is not None:
            self.queue.add(value)
        if (value := durations.execution) is not None:
            self.execution.add(value)

    def add_logical(self, logical: LogicalRun, now: datetime) -> None:
        latest = logical.latest
        self.outcomes[latest.state] = self.outcomes.get(latest.state, 0) + 1
        if logical.retried:
            self.retried += 1
            self.retried_succeeded += latest.state is State.SUCCEEDED
        if latest.is_terminal:
            if (total := logical.total) is not None:
                self.logical_total.add(total)
        elif latest.phase in _ACTIVE_PHASES:
            self.active.append(_active_run(latest, now))

    def freeze(self, key: GroupKey) -> GroupSummary:
        attempts, outcomes = Counter(self.states), Counter(self.outcomes)
        attempts.update(self.alone)
        outcomes.update(self.alone)
        finished, succeeded = _finished(attempts)
        logical_finished, logical_succeeded = _finished(outcomes)
        return GroupSummary(
            key,
            runs=attempts.total(),
            logical_runs=outcomes.total(),
            by_state=_by_name(attempts),
            by_reason=_by_name(self.reasons),
            outcomes=_by_name(outcomes),
            succeeded=succeeded,
            finished=finished,
            logical_succeeded=logical_succeeded,
            logical_finished=logical_finished,
            retried=self.retried,
            retried_succeeded=self.retried_succeeded,
            total=Quantiles.of(self.total.merged(self.both)),
            queue=Quantiles.of(self.queue),
            execution=Quantiles.of(self.execution),
            logical_total=Quantiles.of(self.logical_total.merged(self.both)),
            active=tuple(sorted(self.active, key=_active_order)),
        )


def _active_run(run: Run, now: datetime) -> ActiveRun:
    """A run not ended, with ``run.elapsed(now)`` (``now`` checked once, by :func:`summarize`)."""
    started, details = run.started_at, run.details
    if run.ended_at is None and not (details and details.get("active_intervals")):
        elapsed = None if started is None else now - started  # what elapsed() gives such a run
    else:
        elapsed = run.elapsed(now)
    return ActiveRun(run.provider, run.namespace, run.job_id, run.run_id, run.state, started, elapsed)


def _finished(states: Counter[State]) -> tuple[int, int]:
    """(with an outcome: terminal, SKIPPED excluded, as it neither succeeded nor failed; SUCCEEDED)."""
    finished = sum(
        n for state, n in states.items() if state in TERMINAL_STATES and state is not State.SKIPPED
    )
    return finished, states[State.SUCCEEDED]


def _by_name(counts: Mapping[State, int] | Mapping[Reason, int]) -> dict[str, int]:
    return dict(sorted((member.value, n) for member, n in counts.items()))


def _key_order(key: GroupKey) -> tuple[tuple[bool, str], ...]:
    return tuple((value is None, value or "") for value in key)


@attrs.frozen
class Summary:
    """Aggregates of run history, one :class:`GroupSummary` per group, sorted by key."""

    by: tuple[str, ...]
    groups: tuple[GroupSummary, ...] = ()

    @property
    def overall(self) -> GroupSummary:
        """All groups together."""
        result = GroupSummary(())
        for group in self.groups:
            result = result.merge(group, key=())
        return result

    def slowest(self, n: int = 5) -> tuple[GroupSummary, ...]:
        """The groups with the highest p95 total per attempt (groups without one are left out)."""
        timed = [(g.total.p95, g) for g in self.groups if g.total.p95 is not None]
        timed.sort(key=lambda pair: (-pair[0], _key_order(pair[1].key)))
        return tuple(g for _, g in timed[:n])

    def most_retried(self, n: int = 5) -> tuple[GroupSummary, ...]:
        """The groups with the most retried logical runs (groups never retried are left out)."""
        retried = [g for g in self.groups if g.retried]
        return tuple(sorted(retried, key=lambda g: (-g.retried, _key_order(g.key)))[:n])

    def merge(self, other: Summary) -> Summary:
        """Both summaries together: exact when no logical run was summarized in both."""
        if other.by != self.by:
            raise InvalidRecordError("runstate", "by", other.by, f"cannot merge with a summary by {self.by}")
        groups = {g.key: g for g in self.groups}
        for group in other.groups:
            seen = groups.get(group.key)
            groups[group.key] = group if seen is None else seen.merge(group)
        return Summary(self.by, tuple(sorted(groups.values(), key=lambda g: _key_order(g.key))))

    def to_table(self) -> str:
        """The human table of :func:`render_table`."""
        return render_table(self)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: durations in seconds, times ISO 8601."""
        return {
            "by": list(self.by),
            "relative_accuracy": RELATIVE_ACCURACY,
            "overall": {k: v for k, v in self.overall.to_dict(()).items() if k != "key"},
            "groups": [g.to_dict(self.by) for g in self.groups],
            "slowest": [dict(zip(self.by, g.key, strict=True)) for g in self.slowest()],
            "most_retried": [dict(zip(self.by, g.key, strict=True)) for g in self.most_retried()],
        }


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


class _Groups(dict[GroupKey, _Group]):
    """The groups by key, found for a run by its fields as they are when they are text already."""

    def __init__(self, by: tuple[str, ...]) -> None:
        super().__init__()
        self.by = by
        self.fields: Callable[[Run], tuple[Any, ...]] = (
            operator.attrgetter(*by) if len(by) > 1 else lambda run: tuple(getattr(run, n) for n in by)
        )

    def of(self, run: Run) -> _Group:
        """The run's group. Its fields' values are the key when each is ``None``, a ``str`` or a
        State or Reason (all read as themselves); anything else is read through ``str`` first."""
        values = self.fields(run)
        for value in values:
            if value is not None and type(value) not in _AS_TEXT:
                break
        else:
            found = self.get(values)
            if found is not None:
                return found
        key = _key_of(run, self.by)
        found = self.get(key)
        if found is None:
            found = self[key] = _Group()
        return found


_AS_TEXT: Final = frozenset({str, State, Reason})
"""Types whose values equal their ``str`` (State and Reason are StrEnums)."""


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
    (runs kept without ``raw``, tasks, provider state and the details a summary does not read):
    the open logical runs and the keys of the last :data:`~runstate._history.logical.RECENT_CLOSED` runs
    closed. A logical run is counted when it closes:
    at once when it ends SUCCEEDED, CANCELED or SKIPPED; one that failed, timed out or has not ended
    is held until the input ends, or with ``horizon`` until the input has moved ``horizon`` past it.
    """
    fields = _check_by(by)
    if now is None:
        now = datetime.now(UTC)
    else:
        require_aware(now)
    groups = _Groups(fields)
    group = groups.of
    reruns = RerunCounts()

    def keep(run: Run) -> Run:
        return _slim(run, reruns)

    for item in logical_items(runs, horizon=horizon, keep=keep, ordered=False):
        if isinstance(item, Run):
            group(item).add_alone(item, now, reruns)
        else:
            for attempt in item.attempts:
                group(attempt).add_attempt(attempt)
            group(item.latest).add_logical(item, now)
    frozen = (acc.freeze(key) for key, acc in groups.items())
    return Summary(fields, tuple(sorted(frozen, key=lambda g: _key_order(g.key))))


def _slim(run: Run, reruns: Callable[[Run], int]) -> Run:
    """What a summary holds of a run that may still get an attempt: the fields grouping and counting
    read, without its record, tasks, provider state and the details they do not read (memory, and
    the garbage collector's time, grow with what is held). Details stay when they time the run
    (``active_intervals``) or it was re-run in place (its provider's ``reruns`` reads them)."""
    details = run.details
    if details and "active_intervals" not in details and not reruns(run):
        details = EMPTY
    return new_run(run.provider, run.run_id,   namespace=run.namespace, state=run.state,
                   job_id=run.job_id, name=run.name, reason=run.reason, message=run.message,
                   attempt=run.attempt, original_run_id=run.original_run_id,
                   previous_run_id=run.previous_run_id, parent_run_id=run.parent_run_id,
                   created_at=run.created_at, started_at=run.started_at, ended_at=run.ended_at,
                   updated_at=run.updated_at, durations=run.durations, details=details)  # fmt: skip
