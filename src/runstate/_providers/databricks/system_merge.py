"""Many ``databricks_system`` rows, one run: :func:`combine` merges the slices of each run and its repairs.

The rows of one run (namespace and run id) are held, one per period (an exact repeat counts once),
sorted by period and cut after each end row: the first piece is the run, each later one a repair
(Databricks reuses the run_id). One run comes out, as the Jobs API gives a repaired run: the first
start, the last end and outcome, durations summed, ``repair_history`` and ``active_intervals``. The
merged run does not depend on the rows' order within :data:`RECENT_RUNS` ended runs (a constant
bound); task runs of one ``task_key`` under one job run are linked as attempts by the kit's
``TaskChains``. The decisions and their sources: docs/decisions.md#databricks-system, and the order
and memory bounds: docs/warehouse.md.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator, Mapping
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Any, Final, NamedTuple

import attrs

from runstate.provider_kit import (
    EPOCH,
    MAX_DURATION,
    Context,
    Durations,
    Missing,
    Run,
    State,
    TaskChains,
    format_time,
    freeze_details,
    make_durations,
    make_run,
)

__all__ = ["RECENT_RUNS", "combine", "merge", "not_reported", "time_text"]

_PARTS4: Final = ("queue", "setup", "execution", "cleanup")
_NOT_REPORTED: Final = MappingProxyType(dict.fromkeys((*_PARTS4, "total"), Missing.NOT_REPORTED))
_ZERO: Final = timedelta(0)


def not_reported(total: timedelta | None) -> Durations:
    """Durations of a row without duration columns: every part NOT_REPORTED, the total if known."""
    missing = (
        MappingProxyType({k: v for k, v in _NOT_REPORTED.items() if k != "total"})
        if total is not None
        else _NOT_REPORTED
    )
    return make_durations(None, None, None, None, total, missing)


def time_text(value: datetime | None) -> str | None:
    """A period time as ``details["periods"]`` and ``repair_history`` hold it (RFC 3339 text)."""
    return None if value is None else format_time(value)


def _key(run: Run) -> tuple[str | None, str]:
    """Job runs and task runs share one id space per workspace."""
    return run.namespace, run.run_id


RECENT_RUNS: Final = 10_000
"""How many ended runs :func:`combine` holds before it yields the oldest (so that their rows may come
in any order), and how many it remembers after, to recognize their repeated, late or repair rows."""


class _Piece(NamedTuple):
    """What a repaired run keeps of each of its merged segments (the original run, each repair)."""

    started_at: datetime | None
    ended_at: datetime | None
    state: State
    durations: Durations
    periods: tuple[Any, ...]


def _piece(run: Run) -> _Piece:
    periods = tuple(run.details.get("periods", ()))
    return _Piece(run.started_at, run.ended_at, run.state, run.durations, periods)


@attrs.frozen
class _Closed:
    """What :func:`combine` remembers of a run it yielded."""

    periods: frozenset[tuple[str | None, ...]]
    ended_at: datetime | None
    pieces: tuple[_Piece, ...]
    """The run's merged segments (the original, then each repair): what a later repair lists."""


_Key = tuple[str | None, str]


def combine(runs: Iterator[Run]) -> Iterator[Run]:
    """Merge the rows of each run into one run, the same whatever their order (see module).

    The rows of a run are held until the input ends, or until :data:`RECENT_RUNS` runs have ended
    (an end row arrived) after it; then it is merged from every row seen, and remembered.
    """
    rows = _Rows()
    for run in runs:
        if rows.add(run) and len(rows.ended) > RECENT_RUNS:
            yield rows.emit(next(iter(rows.ended)))
    complete = sorted(rows.ended, key=lambda k: _emit_order(k, rows.held[k]))
    still_open = sorted(
        (k for k in rows.held if k not in rows.ended), key=lambda k: _emit_order(k, rows.held[k])
    )
    for key in (*complete, *still_open):
        yield rows.emit(key)


def _emit_order(key: _Key, rows: list[Run]) -> tuple[Any, ...]:
    """By first start, then by key; a run without namespace (no ``workspace_id``) sorts first."""
    namespace, run_id = key
    return (*_first_start(rows), namespace is not None, namespace or "", run_id)


class _Rows:
    """What :func:`combine` holds: the rows of each run not yet yielded, which of them have an end
    row (least recent first), and what it remembers of the runs it yielded."""

    def __init__(self) -> None:
        self.held: dict[_Key, list[Run]] = {}
        self.ended: OrderedDict[_Key, None] = OrderedDict()
        self.closed: OrderedDict[_Key, _Closed] = OrderedDict()
        self.before: dict[_Key, tuple[_Piece, ...]] = {}  # a yielded run's segments, for its repair
        self.link = _TaskAttempts()

    def add(self, run: Run) -> bool:
        """Hold one row; whether it is (or joins) a run with an end row. A repeated row of a run
        already yielded is dropped, a late slice reported, a repair's row reopens the run."""
        key = _key(run)
        done = self.closed.get(key)
        if done is not None and key not in self.held:
            if _period(run) in done.periods:
                return False  # a repeated row of a merged slice (an at-least-once load)
            if not _starts_after(run, done.ended_at):
                _late(run)
                return False
            del self.closed[key]  # a row after the yielded run's end: its repair, merged with it
            self.before[key] = done.pieces
        self.held.setdefault(key, []).append(run)
        if key in self.ended or run.state is not State.RUNNING:  # only a row without outcome is RUNNING
            self.ended[key] = None
            self.ended.move_to_end(key)
            return True
        return False

    def emit(self, key: _Key) -> Run:
        """The run of ``key`` merged from every row held, remembered, its task attempts linked."""
        self.ended.pop(key, None)
        segments = [merge(rows) for rows in _segments(self.held.pop(key))]
        earlier = self.before.pop(key, ())
        run = _joined(earlier, segments)
        self.closed[key] = _Closed(
            frozenset(map(tuple, run.details["periods"])), run.ended_at, (*earlier, *map(_piece, segments))
        )
        if len(self.closed) > RECENT_RUNS:
            self.closed.popitem(last=False)
        return self.link(run)


def _first_start(rows: list[Run]) -> tuple[bool, datetime]:
    starts = [r.started_at for r in rows if r.started_at is not None]
    return (not starts, min(starts) if starts else _NEVER)


_NEVER: Final = datetime.min.replace(tzinfo=EPOCH.tzinfo)


def _segments(rows: list[Run]) -> list[list[Run]]:
    """A run's rows, one per period, cut after each end row: the original run, then each repair.

    Of two rows with one period (a repeated row) the end row is kept, then the greater by
    :func:`_row_rank`, so the choice never depends on the rows' order.
    """
    by_period: dict[tuple[str | None, ...], Run] = {}
    for row in rows:
        period = _period(row)
        seen = by_period.get(period)
        if seen is not None and _disagree(seen, row):
            _REPORT.conflict(
                "$.result_state", [_outcome_of(seen), _outcome_of(row)], _TWO_OUTCOMES % row.run_id
            )
        if seen is None or _row_rank(row) > _row_rank(seen):
            by_period[period] = row
    segments: list[list[Run]] = []
    current: list[Run] = []
    for row in sorted(by_period.values(), key=_row_order):
        current.append(row)
        if row.state is not State.RUNNING:
            segments.append(current)
            current = []
    if current:
        segments.append(current)
    return segments


_TWO_OUTCOMES: Final = (
    "two end rows of run %r with one period say different outcomes (not a repeated row); "
    "the greater is kept, whatever the rows' order"
)


def _outcome_of(run: Run) -> str:
    return run.state.value if run.reason is None else f"{run.state.value} ({run.reason.value})"


def _disagree(one: Run, other: Run) -> bool:
    """Two end rows of one period whose outcomes differ: no repeat of one row."""
    ends = one.state is not State.RUNNING and other.state is not State.RUNNING
    return ends and (one.state, one.reason) != (other.state, other.reason)


def _row_rank(run: Run) -> tuple[Any, ...]:
    return (
        run.state is not State.RUNNING,
        run.state.value,
        "" if run.reason is None else run.reason.value,
        sorted(run.provider_state.items()),
    )


def _row_order(run: Run) -> tuple[Any, ...]:
    """By start (by end where the start is null), a slice before the end row that starts with it,
    then by period. A row with neither time cannot be placed: a slice goes first (it says nothing
    of a repair, so it does not reopen an ended run as a trailing segment), an end row last."""
    at = run.started_at or _period_end(run)
    ends = run.state is not State.RUNNING
    place = 1 if at is not None else 2 if ends else 0
    return (place, at or _NEVER, ends, tuple(p or "" for p in _period(run)))


def _period_end(run: Run) -> datetime | None:
    period = _period(run)
    return datetime.fromisoformat(period[1]) if len(period) == 2 and period[1] else None


def _joined(earlier: tuple[_Piece, ...], segments: list[Run]) -> Run:
    """One run from its merged segments (``earlier``: those of it already yielded): the last's
    outcome, the first's start (as the Jobs API's ``start_time``), durations summed
    (``run_duration``: "the job run and all of its repairs"), and ``repair_history`` /
    ``active_intervals`` listing each segment, as the Jobs API gives them."""
    if not earlier and len(segments) == 1:
        return segments[0]
    pieces = (*earlier, *map(_piece, segments))
    last = segments[-1]
    durations = pieces[0].durations
    for piece in pieces[1:]:
        durations = durations + piece.durations
    history = [
        {
            "type": "REPAIR" if i else "ORIGINAL",
            "start": time_text(p.started_at),
            "end": time_text(p.ended_at),
            "state": p.state.value,
        }
        for i, p in enumerate(pieces)
    ]
    details = {
        **last.details,
        "periods": [list(period) for p in pieces for period in p.periods],
        "repair_history": history,
        "active_intervals": [{"start": h["start"], "end": h["end"]} for h in history],
    }
    slices = [r for s in segments if isinstance(s.raw, Mapping) for r in s.raw.get("slices", (s.raw,))]
    return attrs.evolve(
        last,
        created_at=pieces[0].started_at,
        started_at=pieces[0].started_at,
        durations=durations,
        details=freeze_details(details),
        raw=MappingProxyType({"slices": slices}) if last.raw is not None else None,
    )


class _TaskAttempts:
    """Links the task runs of one ``task_key`` under one job run as the Jobs API path links the
    entries of ``tasks[]`` (docs/decisions.md#databricks-attempts), by the kit's ``TaskChains``.
    Runs are linked as they are yielded, so an attempt links to the earlier ones already seen; the
    task runs of the last :data:`RECENT_RUNS` task keys are remembered (a constant bound)."""

    def __init__(self) -> None:
        self.tasks: OrderedDict[tuple[str | None, str, str], TaskChains] = OrderedDict()
        self.linked: OrderedDict[tuple[str | None, str], tuple[str, str] | None] = OrderedDict()

    def __call__(self, run: Run) -> Run:
        if run.parent_run_id is None or run.name is None or run.previous_run_id or run.original_run_id:
            return run  # not a task run (no parent, no key), or the record says its lineage itself
        ident = (run.namespace, run.run_id)
        if ident in self.linked:  # a repair in place: the same attempt again, linked as before
            lineage = self.linked[ident]
        else:
            lineage = self._link(run)
            self.linked[ident] = lineage
            if len(self.linked) > RECENT_RUNS:
                self.linked.popitem(last=False)
        if lineage is None:
            return run
        return attrs.evolve(run, previous_run_id=lineage[0], original_run_id=lineage[1])

    def _link(self, run: Run) -> tuple[str, str] | None:
        key = (run.namespace, run.parent_run_id or "", run.name or "")
        chains = self.tasks.get(key)
        if chains is None:
            chains = self.tasks[key] = TaskChains()
            if len(self.tasks) > RECENT_RUNS:
                self.tasks.popitem(last=False)
        else:
            self.tasks.move_to_end(key)
        return chains.add(run)[1]


def _period(run: Run) -> tuple[str | None, ...]:
    """A one-slice run's period, ``(start, end)`` as text: what tells a repeated row."""
    periods = run.details.get("periods", ())
    return tuple(periods[0]) if len(periods) == 1 else ()


def _starts_after(run: Run, ended: datetime | None) -> bool:
    return run.started_at is not None and ended is not None and run.started_at >= ended


def _late(run: Run) -> None:
    """Report a slice that came after its run's end row (a warning in both modes: the run is out)."""
    _REPORT.invalid(
        "$.period_start_time",
        _period(run)[0] if _period(run) else None,
        f"a slice that arrived after the end row of run {run.run_id!r}, which was yielded without it "
        "(order the rows by period_start_time within a run)",
    )


_REPORT: Final = Context("databricks_system", strict=False)


def merge(slices: list[Run]) -> Run:
    """The slices of one run (its end row last, if any) as one run; repeated slices count once."""
    end = slices[-1] if slices[-1].state is not State.RUNNING else None
    seen = set() if end is None else {_period(end)}
    ordered = []
    for piece in sorted(slices if end is None else slices[:-1], key=_start_key):
        if _period(piece) not in seen:
            seen.add(_period(piece))
            ordered.append(piece)
    if end is not None:
        ordered.append(end)
    if len(ordered) == 1:
        return ordered[0]
    first, last = ordered[0], ordered[-1]
    periods = [p for s in ordered for p in s.details.get("periods", ())]
    durations = last.durations
    if last.state is not State.RUNNING and all(
        durations.why_missing(p) is Missing.NOT_REPORTED for p in _PARTS4
    ):
        durations = _summed_total(ordered)
    raws = [s.raw for s in ordered]
    return make_run(
        **{f: getattr(last, f) for f in _KEPT},
        created_at=first.started_at,
        started_at=first.started_at,
        details=freeze_details({**last.details, "periods": periods}),
        durations=durations,
        raw=None if any(r is None for r in raws) else MappingProxyType({"slices": raws}),
    )


_KEPT: Final = (
    "provider", "run_id", "namespace", "state", "job_id", "name", "reason", "provider_state", "message",
    "attempt", "original_run_id", "previous_run_id", "parent_run_id", "ended_at", "updated_at", "tasks",
)  # fmt: skip


def _start_key(run: Run) -> tuple[bool, datetime | str]:
    return (run.started_at is None, run.started_at or "")


def _summed_total(slices: list[Run]) -> Durations:
    """Rows without duration columns: the run's total is the sum of its slices' periods."""
    spans = [_span(s) for s in slices]
    total = None if any(x is None for x in spans) else sum((x for x in spans if x is not None), _ZERO)
    return not_reported(total)


def _span(run: Run) -> timedelta | None:
    periods = run.details.get("periods", ())
    if len(periods) != 1 or None in periods[0]:
        return None
    start, end = (datetime.fromisoformat(p) for p in periods[0])
    return end - start if _ZERO <= end - start <= MAX_DURATION else None  # else reported by build
