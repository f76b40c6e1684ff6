"""The canonical run model: :class:`Run`, its :class:`Durations` and why a value is :class:`Missing`.

A run is a frozen attrs class: a fact observed at one time. How runs pickle and copy lives in
``runstate._core.pickling``; the fast constructors the providers build runs with (``make_run``,
``make_durations`` in :mod:`runstate.provider_kit`) are generated in ``runstate._core.constructors``.
The decisions behind each field are in docs/model.md.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from types import MappingProxyType
from typing import Any, Final

import attrs

from .details import EMPTY
from .errors import InvalidRecordError
from .pickling import deep_copy, reduce_fields, shallow_copy
from .vocabulary import Phase, Reason, State

__all__ = ["DURATION_PARTS", "EMPTY", "NO_DURATIONS", "Durations", "Missing", "Run"]

DURATION_PARTS: Final = ("queue", "setup", "execution", "cleanup", "total")
"""The names of the :class:`Durations` fields, in order."""


class Missing(enum.StrEnum):
    """Why a duration or time is ``None``: these are different facts, never a zero."""

    NOT_APPLICABLE = "NOT_APPLICABLE"
    """The provider does not measure this part for this kind of run (Databricks multitask setup)."""
    NOT_ENDED = "NOT_ENDED"
    """The run has not ended yet, so the value does not exist yet."""
    NOT_REPORTED = "NOT_REPORTED"
    """The record does not carry it (or carried something unusable)."""


def require_aware(now: datetime) -> None:
    """Refuse a naive ``now``: comparing it with UTC times would be a silent guess (or a TypeError);
    and anything but a datetime (text such as the CLI's ``--now``), by name."""
    if not isinstance(now, datetime):
        raise InvalidRecordError("runstate", "now", now, "expected an aware datetime")
    if now.tzinfo is None or now.utcoffset() is None:
        raise InvalidRecordError("runstate", "now", now, "must be timezone-aware")


_MISSING_RANK: Final = {Missing.NOT_REPORTED: 0, Missing.NOT_ENDED: 1, Missing.NOT_APPLICABLE: 2}
"""Which reason a sum keeps when its parts disagree (so sums are associative and commutative)."""
_LOWEST: Final = Missing.NOT_REPORTED


def _add(a: timedelta | None, b: timedelta | None) -> timedelta | None:
    return None if a is None or b is None else a + b


def _sub(a: timedelta | None, b: timedelta | None) -> timedelta | None:
    return None if a is None or b is None else a - b


@attrs.frozen(slots=True, weakref_slot=False)
class Durations:
    """How long a run spent in each part of its life; ``None`` parts say why in :attr:`missing`.

    Adding or subtracting two ``Durations`` works part by part; a part missing on either side is
    missing in the result (unknown plus anything is unknown), so sums stay associative.
    """

    queue: timedelta | None = None
    """Time waiting to start: in a queue, for capacity or for a concurrency slot."""
    setup: timedelta | None = None
    """Time preparing the run's compute and execution context (Databricks cluster setup)."""
    execution: timedelta | None = None
    """Time running the job's own work (Glue ``ExecutionTime``, Databricks execution)."""
    cleanup: timedelta | None = None
    """Time tearing down after the work ended (Databricks cleanup)."""
    total: timedelta | None = None
    """The whole run: the provider's total where it reports one (Databricks ``run_duration``), else the
    sum of its parts or end minus start."""
    missing: Mapping[str, Missing] = attrs.field(default=EMPTY, eq=True)
    """For each ``None`` part that the provider explains: why it is ``None``."""

    def why_missing(self, part: str) -> Missing | None:
        """Why ``part`` is ``None`` (``NOT_REPORTED`` if unexplained), or ``None`` if it has a value."""
        if getattr(self, part) is not None:
            return None
        return self.missing.get(part, Missing.NOT_REPORTED)

    def sum_of_parts(self) -> timedelta | None:
        """``setup + execution + cleanup``, or ``None`` if any of them is missing."""
        return _add(_add(self.setup, self.execution), self.cleanup)

    def __add__(self, other: object) -> Durations:
        if not isinstance(other, Durations):
            return NotImplemented
        return self._combine(other, _add)

    def __sub__(self, other: object) -> Durations:
        if not isinstance(other, Durations):
            return NotImplemented
        return self._combine(other, _sub)

    def _combine(self, other: Durations, op: Any) -> Durations:
        values = {p: op(getattr(self, p), getattr(other, p)) for p in DURATION_PARTS}
        missing = {
            p: max(
                self.why_missing(p) or _LOWEST, other.why_missing(p) or _LOWEST, key=_MISSING_RANK.__getitem__
            )
            for p, v in values.items()
            if v is None
        }
        return Durations(**values, missing=MappingProxyType(missing) if missing else EMPTY)

    def __reduce__(self) -> tuple[Any, ...]:
        return reduce_fields(self)

    def __copy__(self) -> Durations:
        return shallow_copy(self)  # type: ignore[no-any-return]


NO_DURATIONS: Final = Durations()


def as_reason(value: Reason | str | None) -> Reason | None:
    """``Run.reason``'s converter: a reason word as its :class:`Reason`, the identity on a Reason."""
    return None if value is None else Reason(value)


def as_tasks(value: Any) -> tuple[Run, ...]:
    """``Run.tasks``' converter: any iterable of runs as a tuple, the identity on a tuple."""
    return value if type(value) is tuple else tuple(value)


@attrs.frozen(slots=True, kw_only=True, weakref_slot=False)
class Run:
    """One run of a job, in canonical form; ``raw`` keeps the record it was made from.

    Frozen: a ``Run`` is a fact observed at one time. Use :func:`attrs.evolve` to derive another.
    """

    provider: str
    """The provider's registered name (``"databricks"``, ``"glue"``, ``"cloud_deploy"``, ...)."""
    run_id: str
    """The provider's id of this run, as text; unique within :attr:`namespace`."""
    namespace: str | None = None
    """Where the run lives, so ids are unique within it: ``databricks:<workspace>``,
    ``aws:<account>:<region>``, ``gcp:<project>:<location>`` (from the record, else the caller)."""
    state: State = attrs.field(converter=State)
    """The canonical state; its :attr:`phase` follows from it."""
    job_id: str | None = None
    """The job, pipeline or rollout the run belongs to (Cloud Deploy: ``<pipeline>/<phase>/<job>``)."""
    name: str | None = None
    """The run's or job's display name."""
    reason: Reason | None = attrs.field(default=None, converter=as_reason)
    """Why the run is in its state (user or platform error, deferred, ...), only where the record says."""
    provider_state: Mapping[str, str] = EMPTY
    """The provider's own state words (e.g. life_cycle_state, result_state, termination code)."""
    message: str | None = None
    """The provider's human message (state message, error message, failure message)."""
    attempt: int = 0
    """0 for a first attempt, 1 for the first retry, and so on."""
    original_run_id: str | None = None
    """For a retry: the first attempt's run id."""
    previous_run_id: str | None = None
    """For a retry: the run id of the attempt this one retries."""
    parent_run_id: str | None = None
    """For a task run: the run it belongs to."""
    created_at: datetime | None = None
    """When the run was created or queued (aware, UTC; RFC 3339 in JSON)."""
    started_at: datetime | None = None
    """When the run started (aware, UTC; RFC 3339 in JSON)."""
    ended_at: datetime | None = None
    """When the run ended (aware, UTC; RFC 3339 in JSON); ``None`` while it has not."""
    updated_at: datetime | None = None
    """When the provider last changed the record (Glue ``LastModifiedOn``), if it says."""
    durations: Durations = NO_DURATIONS
    """Queue, setup, execution, cleanup and total time, and why a missing one is missing."""
    tasks: tuple[Run, ...] = attrs.field(default=(), converter=as_tasks)
    """The task runs of a multitask run, normalized the same way (one per attempt of a task)."""
    details: Mapping[str, Any] = EMPTY
    """Provider facts that have no canonical field (timeouts, capacity, repair history), JSON-ready."""
    raw: Mapping[str, Any] | None = attrs.field(default=None, repr=False)
    """The record the run was made from, unchanged (``None`` with ``keep_raw=False``)."""

    __hash__ = None  # type: ignore[assignment]  # mappings inside: not hashable, on purpose

    @property
    def phase(self) -> Phase:
        """The phase of :attr:`state`."""
        return self.state.phase

    @property
    def is_terminal(self) -> bool:
        """True once the outcome is final."""
        return self.state.is_terminal

    def elapsed(self, now: datetime | None = None) -> timedelta | None:
        """Time the run has taken so far (``now - started_at``) or took in all (its total).

        ``now`` defaults to the current UTC time; pass one to make the result reproducible.
        ``None`` if the run has not started or its times are unknown. A run being repaired counts only
        its active intervals (``details["active_intervals"]``), not the idle gaps between them.
        """
        total = self.durations.total
        intervals = self.details.get("active_intervals") if self.details else None
        if intervals and not self.state.is_terminal:
            active = _active_time(intervals, self._now(now))
            if active is not None:
                return active
        if self.ended_at is not None or self.state.is_terminal:
            if total is not None:
                return total
            if self.started_at is not None and self.ended_at is not None:
                return self.ended_at - self.started_at
            return None
        if self.started_at is None:
            return None
        return self._now(now) - self.started_at

    @staticmethod
    def _now(now: datetime | None) -> datetime:
        if now is None:
            return datetime.now(UTC)
        require_aware(now)
        return now

    def __reduce__(self) -> tuple[Any, ...]:
        return reduce_fields(self, ("raw", "details"))

    def __copy__(self) -> Run:
        return shallow_copy(self)  # type: ignore[no-any-return]

    def __deepcopy__(self, memo: dict[int, Any]) -> Run:
        return deep_copy(self, ("raw", "details"), memo)  # type: ignore[no-any-return]


def _active_time(intervals: Any, now: datetime) -> timedelta | None:
    """The sum of ``[{"start": RFC 3339, "end": RFC 3339 or None}, ...]``, an open one up to ``now``;
    ``None`` if they cannot be read (the caller then falls back to ``now - started_at``)."""
    total = timedelta(0)
    try:
        for interval in intervals:
            start = datetime.fromisoformat(interval["start"])
            end = interval.get("end")
            total += (now if end is None else datetime.fromisoformat(end)) - start
    except (TypeError, ValueError, KeyError, AttributeError):
        return None
    return total
