"""Run history: the attempts of one logical run, and the latest attempt of each task of a run.

How runs are linked, folded and ordered is written up in ``docs/dashboard.md``; in short:

* Repeated snapshots of one run (same ``namespace``, ``provider`` and ``run_id``, e.g. a poller's
  history) fold into the latest one (:func:`snapshot_rank`: most repairs, then most advanced
  phase, then newest times); they are never counted as attempts.
* Runs are linked through ``original_run_id`` and ``previous_run_id`` (Glue ``_attempt_N`` /
  ``PreviousRunId``, Databricks ``original_attempt_run_id``, any provider's lineage fields), within one
  namespace and provider. Each connected set of runs is one :class:`LogicalRun`.
* A Databricks run repaired in place keeps its ``run_id``: it stays one attempt, its repairs (from
  ``details["repair_history"]``) are counted in :attr:`LogicalRun.repairs`.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, Final

import attrs

from ._durations import span, sum_durations, wall_time
from ._errors import InvalidRecordError
from ._model import Run
from ._vocabulary import Phase, Reason, State

__all__ = ["LogicalRun", "checked_runs", "latest_task_attempts", "logical_runs", "snapshot_rank"]

RunKey = tuple[str | None, str, str]
"""(namespace, provider, run_id): what identifies one run."""

_PHASE_RANK: Final = {
    Phase.UNKNOWN: 0,
    Phase.PENDING: 1,
    Phase.RUNNING: 2,
    Phase.TERMINATING: 3,
    Phase.TERMINATED: 4,
}
"""How far along a phase is; UNKNOWN ranks lowest (a snapshot that says nothing never wins)."""
_NEVER: Final = datetime.min.replace(tzinfo=UTC)


def _time_rank(value: datetime | None) -> tuple[bool, datetime]:
    return (value is not None, _NEVER if value is None else value)


def snapshot_rank(run: Run) -> tuple[Any, ...]:
    """Sort key of snapshots of one run: the greatest is the latest.

    The snapshot with the most in-place repairs wins first: a Databricks repair takes a TERMINATED
    run back to RUNNING under the same run id, and its ``repair_history`` only grows. Then the most
    advanced phase; then the newest ``updated_at``, ``ended_at``, ``started_at`` and ``created_at``
    (in that order, a missing time ranking below any time); then, so that the choice never depends
    on input order, the state, reason, number of tasks and message.
    """
    return (
        repair_count(run),
        _PHASE_RANK[run.phase],
        _time_rank(run.updated_at),
        _time_rank(run.ended_at),
        _time_rank(run.started_at),
        _time_rank(run.created_at),
        run.state.value,
        "" if run.reason is None else run.reason.value,
        len(run.tasks),
        run.message or "",
    )


def repair_count(run: Run) -> int:
    """How many times a run was repaired in place (Databricks ``repair_history`` entries but the first)."""
    history = run.details.get("repair_history")
    return max(0, len(history) - 1) if isinstance(history, list) else 0


def _finished_time(run: Run) -> timedelta | None:
    """An attempt's own total once it has ended (never measured against the current time)."""
    return run.elapsed() if run.ended_at is not None or run.is_terminal else None


@attrs.frozen
class LogicalRun:
    """The attempts (retries, re-runs) of one logical run, first to last, each its latest snapshot."""

    key: RunKey
    """(namespace, provider, root id): the common ``original_run_id`` if an attempt names one, else
    the first attempt's ``run_id``."""
    attempts: tuple[Run, ...]

    @property
    def latest(self) -> Run:
        """The last attempt: it decides the outcome."""
        return self.attempts[-1]

    @property
    def state(self) -> State:
        """The final (or current) state: the latest attempt's."""
        return self.latest.state

    @property
    def reason(self) -> Reason | None:
        """The latest attempt's reason."""
        return self.latest.reason

    @property
    def repairs(self) -> int:
        """In-place repairs (Databricks ``repair_history``) over all attempts."""
        return sum(repair_count(run) for run in self.attempts)

    @property
    def attempt_count(self) -> int:
        """Attempts, counting each in-place repair as one more, and the earlier attempts that an
        attempt's number (Glue ``Attempt``, Databricks ``attempt_number``, from 0) says there were
        when they are not in the input (a history window that starts after them)."""
        numbered = max(run.attempt for run in self.attempts) + 1
        return max(len(self.attempts), numbered) + self.repairs

    @property
    def retried(self) -> bool:
        """True if there was more than one attempt (a retry, a re-run or a repair)."""
        return self.attempt_count > 1

    @property
    def first_started_at(self) -> datetime | None:
        """The earliest start of any attempt."""
        return span(self.attempts)[0]

    @property
    def last_ended_at(self) -> datetime | None:
        """The latest end, or ``None`` while any attempt has not ended."""
        return span(self.attempts)[1]

    @property
    def total(self) -> timedelta | None:
        """Time spent across attempts: the sum of each attempt's total (``None`` if one is unknown)."""
        return sum_durations(_finished_time(run) for run in self.attempts)

    @property
    def wall(self) -> timedelta | None:
        """First start to last end, waits between attempts included (``None`` until all ended)."""
        return wall_time(self.attempts)


def _run_key(run: Run) -> RunKey:
    return (run.namespace, run.provider, run.run_id)


def _fold(runs: Iterable[Run]) -> dict[RunKey, Run]:
    latest: dict[RunKey, Run] = {}
    for run in runs:
        key = _run_key(run)
        seen = latest.get(key)
        if seen is None or snapshot_rank(run) > snapshot_rank(seen):
            latest[key] = run
    return latest


class _Links:
    """Union-find over run keys: runs named by another's lineage field join its set."""

    def __init__(self) -> None:
        self._parent: dict[RunKey, RunKey] = {}

    def find(self, key: RunKey) -> RunKey:
        parent = self._parent.setdefault(key, key)
        while parent != key:
            grand = self._parent[parent]
            self._parent[key] = grand
            key, parent = parent, grand
        return key

    def union(self, a: RunKey, b: RunKey) -> None:
        root_a, root_b = self.find(a), self.find(b)
        if root_a != root_b:
            low, high = sorted((root_a, root_b), key=_sortable)
            self._parent[high] = low


def _sortable(key: RunKey) -> tuple[str, str, str]:
    return (key[0] or "", key[1], key[2])


def _chain_ranks(members: list[Run]) -> dict[str, int]:
    """Each run's place: after the run its ``previous_run_id`` names, and at least its ``attempt``.

    Iterative (a chain of any length), and a cycle of links is cut where the walk meets it.
    """
    by_id = {run.run_id: run for run in members}
    rank: dict[str, int] = {}
    for run in members:
        path: list[Run] = []
        on_path: set[str] = set()
        current: Run | None = run
        while current is not None and current.run_id not in rank and current.run_id not in on_path:
            path.append(current)
            on_path.add(current.run_id)
            current = by_id.get(current.previous_run_id or "")
        after = rank[current.run_id] if current is not None and current.run_id in rank else -1
        for step in reversed(path):
            after = max(step.attempt, after + 1)
            rank[step.run_id] = after
    return rank


def _chain_order(members: list[Run]) -> list[Run]:
    """Attempts first to last: by chain rank, then start, then id."""
    rank = _chain_ranks(members)

    def order(run: Run) -> tuple[Any, ...]:
        started = run.started_at or run.created_at
        return (rank[run.run_id], started is None, started or _NEVER, run.run_id)

    return sorted(members, key=order)


def _root_id(attempts: list[Run]) -> str:
    originals = sorted({run.original_run_id for run in attempts if run.original_run_id})
    return originals[0] if originals else attempts[0].run_id


def logical_runs(runs: Iterable[Run], *, horizon: timedelta | None = None) -> Iterator[LogicalRun]:
    """Group runs into logical runs, in any input order.

    Memory, without ``horizon``: the latest snapshot of every distinct run is held until the input
    ends (a retry or a newer snapshot may come last), plus one link per lineage id; grouping is
    exact for any order, and logical runs come by first start, then key.

    With ``horizon``, for input in (roughly) time order, a logical run whose latest attempt has
    ended is yielded as soon as the input's newest time is more than ``horizon`` past its last
    time: memory is then the open logical runs only. A run or snapshot that arrives later than
    that starts a logical run of its own, so choose ``horizon`` above the input's disorder and the
    longest wait before a retry. Open logical runs left at the end come last, by first start.
    """
    if horizon is None:
        return _all_at_once(checked_runs(runs))
    if not isinstance(horizon, timedelta) or not horizon >= timedelta(0):
        raise InvalidRecordError("runstate", "horizon", horizon, "must be a non-negative timedelta")
    return _streaming(checked_runs(runs), horizon)


def checked_runs(runs: Iterable[Run]) -> Iterator[Run]:
    """The runs, refusing anything else (a provider's record not normalized) and naive times (a run
    built by hand), which could not be compared with the others, with a clear error."""
    for index, run in enumerate(runs):
        if not isinstance(run, Run):
            raise InvalidRecordError(
                "runstate",
                f"runs[{index}]",
                type(run).__name__,
                "expected a runstate.Run (normalize the provider's records first: runstate.normalize_many)",
            )
        for name in _TIMES:
            value = getattr(run, name)
            if value is not None and value.tzinfo is not UTC and value.utcoffset() is None:
                raise InvalidRecordError("runstate", f"runs[{index}].{name}", value, "must be timezone-aware")
        yield run


_TIMES: Final = ("created_at", "started_at", "ended_at", "updated_at")


def _all_at_once(runs: Iterable[Run]) -> Iterator[LogicalRun]:
    latest = _fold(runs)
    links = _Links()
    for key, run in latest.items():
        links.find(key)
        for linked in (run.original_run_id, run.previous_run_id):
            if linked:
                links.union(key, (run.namespace, run.provider, linked))
    groups: dict[RunKey, list[Run]] = {}
    for key, run in latest.items():
        groups.setdefault(links.find(key), []).append(run)
    return iter(sorted((_logical(members) for members in groups.values()), key=_logical_order))


def _logical(members: list[Run]) -> LogicalRun:
    attempts = _chain_order(members)
    first = attempts[0]
    return LogicalRun((first.namespace, first.provider, _root_id(attempts)), tuple(attempts))


def _linked_keys(run: Run) -> set[RunKey]:
    keys = {_run_key(run)}
    for linked in (run.original_run_id, run.previous_run_id):
        if linked:
            keys.add((run.namespace, run.provider, linked))
    return keys


def _newest_time(runs: Iterable[Run]) -> datetime | None:
    times = [t for r in runs for t in (r.ended_at, r.started_at, r.updated_at, r.created_at) if t is not None]
    return max(times) if times else None


class _Open:
    """A logical run still being read: its members (latest snapshots) and every id that joins it."""

    def __init__(self) -> None:
        self.members: dict[RunKey, Run] = {}
        self.ids: set[RunKey] = set()
        self.closes: datetime | None = None
        self.done = False

    def add(self, run: Run) -> None:
        key = _run_key(run)
        seen = self.members.get(key)
        if seen is None or snapshot_rank(run) > snapshot_rank(seen):
            self.members[key] = run

    def absorb(self, other: _Open) -> None:
        for run in other.members.values():
            self.add(run)
        self.ids |= other.ids
        other.done = True

    def close_time(self) -> datetime | None:
        """The newest time of a logical run whose latest attempt has ended, else ``None``."""
        if not _chain_order(list(self.members.values()))[-1].is_terminal:
            return None
        return _newest_time(self.members.values())


def _streaming(runs: Iterable[Run], horizon: timedelta) -> Iterator[LogicalRun]:
    index: dict[RunKey, _Open] = {}
    closing: list[tuple[datetime, int, _Open]] = []  # a heap of (close time, tie-break, group)
    tie = itertools.count()
    newest: datetime | None = None
    for run in runs:
        keys = _linked_keys(run)
        found = list({id(g): g for k in keys if (g := index.get(k)) is not None}.values())
        group = max(found, key=lambda g: len(g.ids)) if found else _Open()
        for other in found:
            if other is not group:
                group.absorb(other)
        group.add(run)
        group.ids |= keys
        for key in group.ids:
            index[key] = group
        group.closes = group.close_time()
        if group.closes is not None:
            heapq.heappush(closing, (group.closes, next(tie), group))
        now = _newest_time((run,))
        newest = now if newest is None or (now is not None and now > newest) else newest
        while closing and newest is not None and closing[0][0] + horizon < newest:
            closes, _, ready = heapq.heappop(closing)
            if ready.done or ready.closes != closes:
                continue  # superseded: merged away, or changed since
            ready.done = True
            for key in ready.ids:
                del index[key]
            yield _logical(list(ready.members.values()))
    left = {id(g): g for g in index.values()}.values()
    yield from sorted((_logical(list(g.members.values())) for g in left), key=_logical_order)


def _logical_order(run: LogicalRun) -> tuple[Any, ...]:
    started = run.first_started_at
    return (started is None, started or _NEVER, _sortable(run.key))


def task_key(task: Run) -> str:
    """What names a task across its attempts: ``details["task_key"]``, else its name, else its id."""
    key = task.details.get("task_key")
    if isinstance(key, str) and key:
        return key
    return task.name or task.run_id


def _repair_index(run: Run) -> Mapping[str, int]:
    """For each task run id listed in ``repair_history``: which repair (0 = the original) ran it."""
    history = run.details.get("repair_history")
    index: dict[str, int] = {}
    if isinstance(history, list):
        for position, entry in enumerate(history):
            ids = entry.get("task_run_ids") if isinstance(entry, Mapping) else None
            for task_id in ids if isinstance(ids, list) else ():
                index[str(task_id)] = position
    return index


def latest_task_attempts(run: Run) -> tuple[Run, ...]:
    """A multitask run's tasks, the latest attempt per task key (retries and repairs folded).

    Order: by each task key's first appearance in ``run.tasks``. The latest attempt is the one of
    the latest repair (``repair_history``), then the highest ``attempt``, then the latest start (one
    not started yet is the newest). Its ``attempt`` is raised to the number of earlier attempts of
    its key when it says fewer (Databricks restarts ``attempt_number`` at 0 in a repair).
    """
    if not isinstance(run, Run):
        raise InvalidRecordError(
            "runstate", "run", type(run).__name__, "expected a runstate.Run (normalize the record first)"
        )
    repairs = _repair_index(run)
    by_key: dict[str, list[Run]] = {}
    for task in run.tasks:
        by_key.setdefault(task_key(task), []).append(task)

    def order(task: Run) -> tuple[Any, ...]:
        started = task.started_at
        return (repairs.get(task.run_id, 0), task.attempt, started is None, started or _NEVER, task.run_id)

    result = []
    for tasks in by_key.values():
        distinct = _fold(tasks)
        newest = max(distinct.values(), key=order)
        earlier = len(distinct) - 1
        result.append(newest if newest.attempt >= earlier else attrs.evolve(newest, attempt=earlier))
    return tuple(result)
