"""Run history: the attempts of one logical run, and the latest attempt of each task of a run.

How runs are linked, folded and ordered is written up in ``docs/dashboard.md``; in short:

* Repeated snapshots of one run (same ``namespace``, ``provider`` and ``run_id``, e.g. a poller's
  history) fold into the latest one (:func:`snapshot_rank`: most repairs, then most advanced
  phase, then newest times); they are never counted as attempts.
* Runs are linked through ``original_run_id`` and ``previous_run_id`` (Glue ``_attempt_N`` /
  ``PreviousRunId``, Databricks ``original_attempt_run_id``, any provider's lineage fields), within one
  namespace and provider. Each connected set of runs is one :class:`LogicalRun`.
* A run re-run in place (a Databricks repair, a Step Functions redrive) keeps its ``run_id``: it
  stays one attempt, and its re-runs, as its provider's ``ProviderSpec.reruns`` counts them, are
  counted in :attr:`LogicalRun.repairs`.
"""

from __future__ import annotations

import heapq
import itertools
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, Final

import attrs

from .._core.durations import sum_durations, time_range, wall_time
from .._core.errors import InvalidRecordError, ProviderSpecError, UnknownProviderError
from .._core.model import Run
from .._core.vocabulary import TERMINAL_STATES, Phase, Reason, State
from .._kit.registry import REGISTRY
from .._kit.spec import CLOSING_STATES, Reruns, RetryKey
from .._kit.task_runs import task_runs

__all__ = [
    "CLOSING_STATES",
    "RECENT_CLOSED",
    "LogicalRun",
    "checked_runs",
    "latest_task_attempts",
    "logical_items",
    "logical_runs",
    "repair_count",
    "single",
    "snapshot_rank",
]

RunKey = tuple[str | None, str, str]
"""(namespace, provider, run_id): what identifies one run."""
GroupKey = tuple[str | None, str, str, str]
"""(namespace, provider, "retry_key", key): the attempts a provider's ``retry_key`` groups."""
LinkKey = RunKey | GroupKey
"""What joins runs into one logical run: a run, or a provider's group of attempts."""

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

    The snapshot with the most re-runs in place (:func:`repair_count`) wins first: a repair or a
    redrive takes a terminated run back to a waiting or running state under the same run id, and the
    count its provider declares only grows. Then the most
    advanced phase; then the newest ``updated_at``, ``ended_at``, ``started_at`` and ``created_at``
    (in that order, a missing time ranking below any time); then, so that the choice never depends
    on input order, the state, reason, number of tasks and message.
    """
    return _rank(run, provider_rules(run.provider)[2])


def _rank(run: Run, reruns: Reruns | None) -> tuple[Any, ...]:
    """:func:`snapshot_rank` with the provider's ``reruns`` already looked up."""
    return (
        0 if reruns is None else _counted(run, reruns),
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
    """How many times a run was re-run in place: its provider's ``ProviderSpec.reruns`` (looked up
    by ``run.provider`` in the default registry); 0 for a provider that declares none."""
    reruns = provider_rules(run.provider)[2]
    return 0 if reruns is None else _counted(run, reruns)


def _no_reruns(_run: Run) -> int:
    return 0


def _unknown(_run: Run) -> int:  # pragma: no cover - a marker, never called
    raise AssertionError("a marker")


class RerunCounts:
    """:func:`repair_count` for many runs: each provider's ``reruns`` looked up once."""

    __slots__ = ("_reruns",)

    def __init__(self) -> None:
        self._reruns: dict[str, Reruns] = {}

    def __call__(self, run: Run) -> int:
        reruns = self._reruns.get(run.provider, _unknown)
        if reruns is _unknown:
            reruns = self._reruns[run.provider] = provider_rules(run.provider)[2] or _no_reruns
        try:  # the common case checked inline: a run of a summary costs little
            count = reruns(run)
        except Exception:  # noqa: BLE001 - reported by _counted, which asks again
            return _counted(run, reruns)
        return count if type(count) is int and count >= 0 else _counted(run, reruns)


def _counted(run: Run, reruns: Reruns) -> int:
    """A provider's count of a run's re-runs, refused with a clear error unless it is a count."""
    try:
        count = reruns(run)
    except Exception as exc:  # a third-party function's failure, named as its spec's
        raise ProviderSpecError(
            run.provider, [f"reruns raised {type(exc).__name__}: {exc} for run {run.run_id!r}"]
        ) from exc
    if type(count) is not int or count < 0:
        raise ProviderSpecError(
            run.provider, [f"reruns gave {count!r} for run {run.run_id!r}: expected a count (an int >= 0)"]
        )
    return count


def _finished_time(run: Run) -> timedelta | None:
    """An attempt's own total once it has ended (never measured against the current time)."""
    # measured to its own end: an open active interval of an ended run closes there, not at "now"
    return run.elapsed(run.ended_at) if run.ended_at is not None or run.is_terminal else None


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
        """Re-runs in place (repairs, redrives: the provider's ``ProviderSpec.reruns``) over all attempts."""
        reruns = provider_rules(self.key[1])[2]
        return 0 if reruns is None else sum(_counted(run, reruns) for run in self.attempts)

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
        return time_range(self.attempts)[0]

    @property
    def last_ended_at(self) -> datetime | None:
        """The latest end, or ``None`` while any attempt has not ended."""
        return time_range(self.attempts)[1]

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


RECENT_CLOSED: Final = 10_000
"""How many runs of closed logical runs are remembered, so that a later snapshot of one is folded."""


def logical_runs(runs: Iterable[Run], *, horizon: timedelta | None = None) -> Iterator[LogicalRun]:
    """Group runs into logical runs, in any input order, holding only the open ones.

    A logical run is yielded as soon as it is complete: its attempts linked (every run a lineage
    field names is in it, none grouped by the provider's ``retry_key``), numbered without a gap, all
    ended, the latest in its provider's ``final_states`` (:attr:`ProviderSpec.final_states
    <runstate.provider_kit.ProviderSpec.final_states>`, looked up by ``run.provider`` in the default
    registry; :data:`CLOSING_STATES`, SUCCEEDED, CANCELED, SKIPPED, for a provider not registered;
    Databricks leaves out CANCELED, which a repair may take back). Its runs are then remembered
    among the last :data:`RECENT_CLOSED`, so a later snapshot of one of them is folded, not counted
    again. Logical runs whose latest attempt may still be retried or repaired, or has not ended,
    are held until the input ends (then yielded by first start, then key) or, with ``horizon``,
    until the input's newest time is more than ``horizon`` past their own newest time (for input in
    rough time order; a run that arrives later starts a logical run of its own).

    Memory: the open logical runs (their latest snapshots), :data:`RECENT_CLOSED` run keys, never
    every run. Grouping does not depend on input order when no attempt or repair follows a final
    one, a snapshot that comes after its logical run closed comes while its run is among the last
    :data:`RECENT_CLOSED` closed, and (with ``horizon``) the input's disorder stays under ``horizon``.
    """
    items = logical_items(runs, horizon=horizon)
    return (item if isinstance(item, LogicalRun) else single(item) for item in items)


def logical_items(
    runs: Iterable[Run],
    *,
    horizon: timedelta | None = None,
    keep: Callable[[Run], Run] | None = None,
    ordered: bool = True,
) -> Iterator[LogicalRun | Run]:
    """:func:`logical_runs` for callers that read many: a logical run of one attempt comes as that
    bare :class:`Run` (see :func:`single`), which costs nothing to build.

    ``keep`` maps each run that is held (not closed as it comes) to what is kept of it (a
    summary drops its record and tasks); ``ordered=False`` leaves the logical runs held to the
    end unsorted. The runs are checked as :func:`checked_runs` does.
    """
    if horizon is not None and (not isinstance(horizon, timedelta) or not horizon >= timedelta(0)):
        raise InvalidRecordError("runstate", "horizon", horizon, "must be a non-negative timedelta")
    return _Grouping(horizon, keep).run(checked_runs(runs), ordered=ordered)


def single(run: Run) -> LogicalRun:
    """The logical run of one attempt that names no other run (what :func:`logical_items` yields bare)."""
    return LogicalRun((run.namespace, run.provider, run.run_id), (run,))


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
        for value in (run.created_at, run.started_at, run.ended_at, run.updated_at):
            if value is not None and value.tzinfo is not UTC and value.utcoffset() is None:
                _refuse_naive(run, index)
        yield run


def _refuse_naive(run: Run, index: int) -> None:
    for name in _TIMES:
        value = getattr(run, name)
        if value is not None and value.tzinfo is not UTC and value.utcoffset() is None:
            raise InvalidRecordError("runstate", f"runs[{index}].{name}", value, "must be timezone-aware")


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


Rules = tuple[frozenset[State], RetryKey | None, Reruns | None]
"""A provider's ``final_states``, ``retry_key`` and ``reruns``: what history needs of its spec."""
_DEFAULT_RULES: Final[Rules] = (CLOSING_STATES, None, None)


def provider_rules(provider: str) -> Rules:
    """The provider's ``final_states``, ``retry_key`` and ``reruns`` from its spec in the default
    registry; the defaults for a provider that is not registered (or whose plugin does not load)."""
    try:
        spec = REGISTRY.get(provider)
    except (UnknownProviderError, ProviderSpecError):
        return _DEFAULT_RULES
    return spec.final_states, spec.retry_key, spec.reruns


ChainRules = tuple[frozenset[State], Reruns | None]
"""What an open chain needs of its provider's spec: ``final_states`` and ``reruns``."""


def _newest_time(runs: Iterable[Run]) -> datetime | None:
    times = [t for r in runs for t in (r.ended_at, r.started_at, r.updated_at, r.created_at) if t is not None]
    return max(times) if times else None


class _Recent(OrderedDict[RunKey, None]):
    """The keys of the last runs closed: a bounded LRU (a hit makes a key recent again)."""

    def __init__(self, size: int) -> None:
        super().__init__()
        self.size = size

    def touch(self, key: RunKey) -> None:
        self[key] = None
        self.move_to_end(key)
        if len(self) > self.size:
            self.popitem(last=False)


class _Chain:
    """A logical run still open: its members (latest snapshots), the runs they name, and counts
    that tell cheaply whether it may be complete. ``origin`` is the run it was held as alone."""

    __slots__ = ("closes", "closing", "done", "final", "members", "named", "origin", "reruns", "unended")

    def __init__(self, final: frozenset[State], reruns: Reruns | None) -> None:
        self.final = final
        self.reruns = reruns
        self.members: dict[RunKey, Run] = {}
        self.named: set[LinkKey] = set()
        self.unended = 0
        self.closing = 0
        self.closes: datetime | None = None
        self.done = False
        self.origin: Run | None = None

    def size(self) -> int:
        return len(self.members) + len(self.named)

    def add(self, run: Run) -> None:
        key = _run_key(run)
        seen = self.members.get(key)
        if seen is not None:
            if _rank(run, self.reruns) <= _rank(seen, self.reruns):
                return
            self._count(seen, -1)
        self.members[key] = run
        self._count(run, 1)

    def _count(self, run: Run, sign: int) -> None:
        self.unended += sign * (not run.is_terminal)
        self.closing += sign * (run.state in self.final)

    def complete(self, closed: _Recent) -> bool:
        """Whether nothing can join or change it: see :func:`logical_runs`."""
        if self.unended or not self.closing:
            return False
        if any(key not in self.members and key not in closed for key in self.named):
            return False
        numbers = {run.attempt for run in self.members.values()}
        if len(numbers) != max(numbers) + 1:
            return False  # an attempt's number says an earlier one is still to come
        return _chain_order(list(self.members.values()))[-1].state in self.final

    def close_time(self) -> datetime | None:
        """The newest time of a logical run whose latest attempt has ended, else ``None``."""
        if not _chain_order(list(self.members.values()))[-1].is_terminal:
            return None
        return _newest_time(self.members.values())


def _alone_close_time(run: Run) -> datetime | None:
    """:meth:`_Chain.close_time` of a logical run of this one run."""
    return _newest_time((run,)) if run.state in TERMINAL_STATES else None


def _same(run: Run) -> Run:
    return run


class _Grouping:
    """One pass of :func:`logical_runs`: open logical runs by every key that joins them.

    A run that names no other run and is not named by one (the usual case) is held alone, as
    itself, not as a :class:`_Chain`: it becomes one (its ``origin``) only when another run joins
    it; alone, it closes at once when it is complete (attempt 0 in a final state of its provider).
    """

    def __init__(self, horizon: timedelta | None, keep: Callable[[Run], Run] | None = None) -> None:
        self.horizon = horizon
        self.keep = _same if keep is None else keep
        self.rules: dict[str, Rules] = {}
        self.index: dict[LinkKey, _Chain | Run] = {}
        self.closed = _Recent(RECENT_CLOSED)
        self.closing: list[tuple[datetime, int, _Chain | Run]] = []  # a heap of (close time, tie, held)
        self.tie = itertools.count()
        self.newest: datetime | None = None

    def run(self, runs: Iterable[Run], *, ordered: bool = True) -> Iterator[LogicalRun | Run]:
        closed, index, horizon, keep, recent = (
            self.closed,
            self.index,
            self.horizon,
            self.keep,
            self.closed.size,
        )
        rules = self.rules
        for run in runs:
            key = (run.namespace, run.provider, own := run.run_id)
            final, retry_key, reruns = rules.get(run.provider) or self._rules(run.provider)
            group = None if retry_key is None else retry_key(run)
            if key in closed:
                closed.touch(key)  # a later snapshot of a run already out: folded
            elif (
                key in index
                or group
                or ((linked := run.original_run_id) and linked != own)  # it names another run
                or ((linked := run.previous_run_id) and linked != own)  # (_named_keys is not empty)
            ):
                chain = self._join(keep(run), key, (final, reruns), group)
                if chain.complete(closed):
                    yield self._close(chain)
                elif horizon is not None:
                    self._schedule(chain)
            elif run.attempt == 0 and run.state in final:
                closed[key] = None  # complete alone: out at once, remembered as closed.touch does
                if len(closed) > recent:
                    closed.popitem(last=False)
                yield run
            else:
                held = index[key] = keep(run)
                if horizon is not None and (closes := _alone_close_time(held)) is not None:
                    heapq.heappush(self.closing, (closes, next(self.tie), held))
            if horizon is not None:
                yield from self._expired(horizon, _newest_time((run,)))
        yield from self._left(ordered)

    def _rules(self, provider: str) -> Rules:
        found = self.rules[provider] = provider_rules(provider)
        return found

    def _left(self, ordered: bool) -> Iterator[LogicalRun | Run]:
        """What is still open when the input ends: by first start, then key, when ``ordered``."""
        left = {id(held): held for held in self.index.values()}.values()
        items = (held if isinstance(held, Run) else _logical(held.members.values()) for held in left)
        return iter(sorted(items, key=_item_order)) if ordered else items

    def _chain_at(self, key: LinkKey, rules: ChainRules) -> _Chain | None:
        """The open chain holding ``key``; a run held alone there becomes a chain of its own."""
        held = self.index.get(key)
        if held is None or isinstance(held, _Chain):
            return held
        chain = _Chain(*rules)
        chain.add(held)
        chain.origin = held  # its close time is set again as the run that joins it is scheduled
        self.index[key] = chain
        return chain

    def _join(self, run: Run, key: RunKey, rules: ChainRules, group: str | None) -> _Chain:
        """The open chain the run belongs to, joining every open chain it links (the runs its lineage
        fields name, and the attempts of its provider's ``retry_key`` group, which never closes it)."""
        named: set[LinkKey] = {k for k in _named_keys(run) if k not in self.closed}
        if group:
            named.add((run.namespace, run.provider, "retry_key", group))
        found = list(
            {id(c): c for k in (key, *named) if (c := self._chain_at(k, rules)) is not None}.values()
        )
        chain = max(found, key=_Chain.size) if found else _Chain(*rules)
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

    def _expired(self, horizon: timedelta, now: datetime | None) -> Iterator[LogicalRun | Run]:
        if now is not None and (self.newest is None or now > self.newest):
            self.newest = now
        while self.closing and self.newest is not None and self.newest - self.closing[0][0] > horizon:
            closes, _, ready = heapq.heappop(self.closing)
            if isinstance(ready, Run):  # held alone when scheduled: still so, or the chain it became
                key = _run_key(ready)
                held = self.index.get(key)
                if held is ready:
                    del self.index[key]
                    self.closed.touch(key)
                    yield ready
                    continue
                if not isinstance(held, _Chain) or held.origin is not ready:
                    continue
                ready = held
            if not ready.done and ready.closes == closes:  # else superseded: merged away, or changed since
                yield self._close(ready)


def _item_order(item: LogicalRun | Run) -> tuple[Any, ...]:
    if isinstance(item, LogicalRun):
        return _logical_order(item)
    started = item.started_at
    return (started is None, started or _NEVER, (item.namespace or "", item.provider, item.run_id))


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
    """A multitask run's task runs, the latest attempt of each (retries and repairs folded).

    The runs of one task key are attempts of one task run, except runs that overlap in time: a
    retry starts after its attempt ended (Databricks ``RunTask.attempt_number``), so two runs of one
    key that ran at once are two task runs (for-each iterations), each with its own attempts. A run
    continues the task run whose last attempt ended at or before it started (the latest such end);
    one that overlaps every task run of its key (or has no earlier one) starts a task run of its own.
    A run that has not ended is continued by none (iterations waiting while one runs are task runs
    of their own); otherwise, where times are missing, nothing overlaps: the runs are attempts of one
    task run.

    Order: by each task key's first appearance in ``run.tasks``, then by start. The latest attempt is
    the one of the latest repair (``repair_history``), then the highest ``attempt``, then the latest
    start (one not started yet is the newest). Its ``attempt`` is raised to the number of earlier
    attempts of its task run when it says fewer (Databricks restarts ``attempt_number`` at 0 in a
    repair).
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

    def in_start_order(task: Run) -> tuple[Any, ...]:
        rank = order(task)
        return (rank[0], *rank[2:], task.attempt)

    result = []
    for tasks in by_key.values():
        for distinct in task_runs(sorted(_fold(tasks).values(), key=in_start_order)):
            newest = max(distinct, key=order)
            earlier = len(distinct) - 1
            result.append(newest if newest.attempt >= earlier else attrs.evolve(newest, attempt=earlier))
    return tuple(result)
