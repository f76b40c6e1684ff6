"""REFERENCE COPY of the grouping in src/runstate/_history/logical.py before the fast paths:
the property tests prove the new code equal to it. Do not optimize this file.

Run history: the attempts of one logical run, and the latest attempt of each task of a run.

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
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from runstate import InvalidRecordError, Run
from runstate._core.vocabulary import Phase, State
from runstate._history.logical import LogicalRun, provider_rules

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
    """How many times a run was re-run in place: its provider's ``reruns``, mirrored (0 if none)."""
    reruns = provider_rules(run.provider)[2]
    return 0 if reruns is None else reruns(run)


def _finished_time(run: Run) -> timedelta | None:
    """An attempt's own total once it has ended (never measured against the current time)."""
    # measured to its own end: an open active interval of an ended run closes there, not at "now"
    return run.elapsed(run.ended_at) if run.ended_at is not None or run.is_terminal else None


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
    if len(members) == 1:
        return members
    rank = _chain_ranks(members)

    def order(run: Run) -> tuple[Any, ...]:
        started = run.started_at or run.created_at
        return (rank[run.run_id], started is None, started or _NEVER, run.run_id)

    return sorted(members, key=order)


def _root_id(attempts: list[Run]) -> str:
    originals = sorted({run.original_run_id for run in attempts if run.original_run_id})
    return originals[0] if originals else attempts[0].run_id


def _final(provider: str) -> frozenset[State]:
    """The provider's final states (``ProviderSpec.final_states``; the one semantic change mirrored)."""
    return provider_rules(provider)[0]


"""Outcomes no provider retries (Glue ``MaxRetries``: "retry this job after a JobRun fails";
Databricks ``max_retries``: "a run is considered to be unsuccessful if it completes with the
``FAILED`` result_state or ``INTERNAL_ERROR``", timeouts only with ``retry_on_timeout``): a logical
run that ends in one is complete and closes at once."""
RECENT_CLOSED: Final = 10_000
"""How many runs of closed logical runs are remembered, so that a later snapshot of one is folded."""


def logical_runs(runs: Iterable[Run], *, horizon: timedelta | None = None) -> Iterator[LogicalRun]:
    """Group runs into logical runs, in any input order, holding only the open ones.

    A logical run is yielded as soon as it is complete: its attempts linked (every run a lineage
    field names is in it), numbered without a gap, all ended, the latest in :data:`CLOSING_STATES`
    (SUCCEEDED, CANCELED, SKIPPED: no provider retries those). Its runs are then remembered among the
    last :data:`RECENT_CLOSED`, so a later snapshot of one of them is folded, not counted again.
    Logical runs whose latest attempt failed, timed out or has not ended may still get an attempt:
    they are held until the input ends (then yielded by first start, then key) or, with
    ``horizon``, until the input's newest time is more than ``horizon`` past their own newest time
    (for input in rough time order; a run that arrives later starts a logical run of its own).

    Memory: the open logical runs (their latest snapshots), :data:`RECENT_CLOSED` run keys, never
    every run. Grouping does not depend on input order when no attempt follows a SUCCEEDED,
    CANCELED or SKIPPED one, a snapshot that comes after its logical run closed comes while its run
    is among the last :data:`RECENT_CLOSED` closed, and (with ``horizon``) the input's disorder
    stays under ``horizon``.
    """
    if horizon is not None and (not isinstance(horizon, timedelta) or not horizon >= timedelta(0)):
        raise InvalidRecordError("runstate", "horizon", horizon, "must be a non-negative timedelta")
    return _Grouping(horizon).run(checked_runs(runs))


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


def _logical(members: Iterable[Run]) -> LogicalRun:
    attempts = _chain_order(list(members))
    first = attempts[0]
    return LogicalRun((first.namespace, first.provider, _root_id(attempts)), tuple(attempts))


def _named_keys(run: Run) -> set[RunKey]:
    """The runs that a run's lineage fields name (itself left out)."""
    key = _run_key(run)
    named = {
        (run.namespace, run.provider, linked)
        for linked in (run.original_run_id, run.previous_run_id)
        if linked
    }
    named.discard(key)
    return named


def _newest_time(runs: Iterable[Run]) -> datetime | None:
    times = [t for r in runs for t in (r.ended_at, r.started_at, r.updated_at, r.created_at) if t is not None]
    return max(times) if times else None


class _Recent:
    """The keys of the last runs closed: a bounded LRU (a hit makes a key recent again)."""

    def __init__(self, size: int) -> None:
        self._keys: OrderedDict[RunKey, None] = OrderedDict()
        self._size = size

    def __contains__(self, key: object) -> bool:
        return key in self._keys

    def touch(self, key: RunKey) -> None:
        self._keys[key] = None
        self._keys.move_to_end(key)
        if len(self._keys) > self._size:
            self._keys.popitem(last=False)


class _Chain:
    """A logical run still open: its members (latest snapshots), the runs they name, and counts
    that tell cheaply whether it may be complete."""

    __slots__ = ("closes", "closing", "done", "members", "named", "unended")

    def __init__(self) -> None:
        self.members: dict[RunKey, Run] = {}
        self.named: set[Any] = set()
        self.unended = 0
        self.closing = 0
        self.closes: datetime | None = None
        self.done = False

    def size(self) -> int:
        return len(self.members) + len(self.named)

    def add(self, run: Run) -> None:
        key = _run_key(run)
        seen = self.members.get(key)
        if seen is not None:
            if snapshot_rank(run) <= snapshot_rank(seen):
                return
            self._count(seen, -1)
        self.members[key] = run
        self._count(run, 1)

    def _count(self, run: Run, sign: int) -> None:
        self.unended += sign * (not run.is_terminal)
        self.closing += sign * (run.state in _final(run.provider))

    def complete(self, closed: _Recent) -> bool:
        """Whether nothing can join or change it: see :func:`logical_runs`."""
        if self.unended or not self.closing:
            return False
        if any(key not in self.members and key not in closed for key in self.named):
            return False
        numbers = {run.attempt for run in self.members.values()}
        if len(numbers) != max(numbers) + 1:
            return False  # an attempt's number says an earlier one is still to come
        last = _chain_order(list(self.members.values()))[-1]
        return last.state in _final(last.provider)

    def close_time(self) -> datetime | None:
        """The newest time of a logical run whose latest attempt has ended, else ``None``."""
        if not _chain_order(list(self.members.values()))[-1].is_terminal:
            return None
        return _newest_time(self.members.values())


class _Grouping:
    """One pass of :func:`logical_runs`: open chains by every key that joins them."""

    def __init__(self, horizon: timedelta | None) -> None:
        self.horizon = horizon
        self.index: dict[Any, _Chain] = {}
        self.closed = _Recent(RECENT_CLOSED)
        self.closing: list[tuple[datetime, int, _Chain]] = []  # a heap of (close time, tie-break, chain)
        self.tie = itertools.count()
        self.newest: datetime | None = None

    def run(self, runs: Iterable[Run]) -> Iterator[LogicalRun]:
        for run in runs:
            key = _run_key(run)
            if key in self.closed:
                self.closed.touch(key)  # a later snapshot of a run already out: folded
            else:
                chain = self._join(run, key)
                if chain.complete(self.closed):
                    yield self._close(chain)
                elif self.horizon is not None:
                    self._schedule(chain)
            if self.horizon is not None:
                yield from self._expired(self.horizon, _newest_time((run,)))
        left = {id(c): c for c in self.index.values()}.values()
        yield from sorted((_logical(c.members.values()) for c in left), key=_logical_order)

    def _join(self, run: Run, key: RunKey) -> _Chain:
        """The open chain the run belongs to, joining every open chain it links."""
        named: set[Any] = {k for k in _named_keys(run) if k not in self.closed}
        retry_key = provider_rules(run.provider)[1]  # the provider's retry_key, mirrored
        group = None if retry_key is None else retry_key(run)
        if group:
            named.add((run.namespace, run.provider, "retry_key", group))
        found = list({id(c): c for k in (key, *named) if (c := self.index.get(k)) is not None}.values())
        chain = max(found, key=_Chain.size) if found else _Chain()
        for other in found:
            if other is not chain:
                for member in other.members.values():
                    chain.add(member)
                chain.named |= other.named
                other.done = True
                for k in (*other.members, *other.named):
                    self.index[k] = chain
        chain.add(run)
        chain.named |= named
        for k in (key, *named):
            self.index[k] = chain
        return chain

    def _close(self, chain: _Chain) -> LogicalRun:
        chain.done = True
        for k in (*chain.members, *chain.named):
            if self.index.get(k) is chain:
                del self.index[k]
        for k in chain.members:
            self.closed.touch(k)
        return _logical(chain.members.values())

    def _schedule(self, chain: _Chain) -> None:
        chain.closes = chain.close_time()
        if chain.closes is not None:
            heapq.heappush(self.closing, (chain.closes, next(self.tie), chain))

    def _expired(self, horizon: timedelta, now: datetime | None) -> Iterator[LogicalRun]:
        if now is not None and (self.newest is None or now > self.newest):
            self.newest = now
        while self.closing and self.newest is not None and self.closing[0][0] + horizon < self.newest:
            closes, _, ready = heapq.heappop(self.closing)
            if not ready.done and ready.closes == closes:  # else superseded: merged away, or changed since
                yield self._close(ready)


def _logical_order(run: LogicalRun) -> tuple[Any, ...]:
    started = run.first_started_at
    return (started is None, started or _NEVER, _sortable(run.key))
