"""The canonical run model: :class:`Run` and its :class:`Durations`."""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from types import MappingProxyType
from typing import Any, Final

import attrs

from ._errors import MAX_NESTING, InvalidRecordError, nesting_exceeds, short_repr
from ._vocabulary import Phase, Reason, State

__all__ = ["DURATION_PARTS", "Durations", "Missing", "Run", "new_durations", "new_run"]

DURATION_PARTS: Final = ("queue", "setup", "execution", "cleanup", "total")
"""The names of the :class:`Durations` fields, in order."""

EMPTY: Final[Mapping[str, Any]] = MappingProxyType({})


class Missing(enum.StrEnum):
    """Why a duration or time is ``None``: these are different facts, never a zero."""

    NOT_APPLICABLE = "NOT_APPLICABLE"
    """The provider does not measure this part for this kind of run (Databricks multitask setup)."""
    NOT_ENDED = "NOT_ENDED"
    """The run has not ended yet, so the value does not exist yet."""
    NOT_REPORTED = "NOT_REPORTED"
    """The record does not carry it (or carried something unusable)."""


def require_aware(now: datetime) -> None:
    """Refuse a naive ``now``: comparing it with UTC times would be a silent guess (or a TypeError)."""
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
    setup: timedelta | None = None
    execution: timedelta | None = None
    cleanup: timedelta | None = None
    total: timedelta | None = None
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
        return _reduce(self)


NO_DURATIONS: Final = Durations()


def _as_reason(value: Reason | str | None) -> Reason | None:
    return None if value is None else Reason(value)


def _as_tasks(value: Any) -> tuple[Run, ...]:
    return value if type(value) is tuple else tuple(value)


@attrs.frozen(slots=True, kw_only=True, weakref_slot=False)
class Run:
    """One run of a job, in canonical form; ``raw`` keeps the record it was made from.

    Frozen: a ``Run`` is a fact observed at one time. Use :func:`attrs.evolve` to derive another.
    """

    provider: str
    run_id: str
    namespace: str | None = None
    """Where the run lives, so ids are unique within it: ``databricks:<workspace>``,
    ``aws:<account>:<region>``, ``gcp:<project>:<location>`` (from the record, else the caller)."""
    state: State = attrs.field(converter=State)
    job_id: str | None = None
    name: str | None = None
    reason: Reason | None = attrs.field(default=None, converter=_as_reason)
    provider_state: Mapping[str, str] = EMPTY
    """The provider's own state words (e.g. life_cycle_state, result_state, termination code)."""
    message: str | None = None
    attempt: int = 0
    original_run_id: str | None = None
    previous_run_id: str | None = None
    parent_run_id: str | None = None
    created_at: datetime | None = None
    started_at: datetime | None = None
    ended_at: datetime | None = None
    updated_at: datetime | None = None
    """When the provider last changed the record (Glue ``LastModifiedOn``), if it says."""
    durations: Durations = NO_DURATIONS
    tasks: tuple[Run, ...] = attrs.field(default=(), converter=_as_tasks)
    details: Mapping[str, Any] = EMPTY
    """Provider facts that have no canonical field (timeouts, capacity, repair history), JSON-ready."""
    raw: Mapping[str, Any] | None = attrs.field(default=None, repr=False)

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
        ``None`` if the run has not started or its times are unknown.
        """
        total = self.durations.total
        if self.ended_at is not None or self.state.is_terminal:
            if total is not None:
                return total
            if self.started_at is not None and self.ended_at is not None:
                return self.ended_at - self.started_at
            return None
        if self.started_at is None:
            return None
        if now is None:
            now = datetime.now(UTC)
        else:
            require_aware(now)
        return now - self.started_at

    def __reduce__(self) -> tuple[Any, ...]:
        return _reduce(self, ("raw", "details"))


# --- pickling, copy and deepcopy ---------------------------------------------------------------
#
# The mappings of a run are read-only MappingProxyType views, which pickle refuses. A run is
# reduced to its field values with each view swapped for a dict (and its name noted), and rebuilt
# with the views restored, so it round-trips through pickle, copy and deepcopy and is equal after.


def _reduce(obj: Any, deep_fields: tuple[str, ...] = ()) -> tuple[Any, ...]:
    values: list[Any] = []
    proxied: list[str] = []
    for name in obj.__slots__:
        value = getattr(obj, name)
        if name in deep_fields and nesting_exceeds(value, MAX_NESTING):
            raise InvalidRecordError(
                getattr(obj, "provider", "runstate"),
                name,
                short_repr(value),
                f"nested more than {MAX_NESTING} levels deep, cannot be pickled or copied",
            )
        if type(value) is MappingProxyType:
            value = dict(value)
            proxied.append(name)
        values.append(value)
    return (_rebuild, (type(obj), tuple(values), tuple(proxied)))


def _rebuild(cls: type, values: tuple[Any, ...], proxied: tuple[str, ...]) -> Any:
    obj: Any = object.__new__(cls)
    for name, value in zip(cls.__slots__, values, strict=True):  # type: ignore[attr-defined]
        object.__setattr__(obj, name, MappingProxyType(value) if name in proxied else value)
    return obj


# --- the fast constructors of the hot path -----------------------------------------------------
#
# A frozen attrs class sets each field through object.__setattr__ (~1.2 us for Run). Providers
# build millions of runs, so they use these instead: the instance is filled in as a plain slotted
# "draft" twin with the same layout (plain attribute stores) and then becomes the frozen class.
# The functions are generated from the attrs fields, so they cannot drift from the model.


def _fast_constructor(cls: type, name: str) -> Any:
    fields = attrs.fields(cls)
    draft = type(f"_{cls.__name__}Draft", (), {"__slots__": cls.__slots__})  # type: ignore[attr-defined]
    params, stores, defaults = [], [], {}
    for f in fields:
        if f.default is attrs.NOTHING:
            params.append(f.name)
        else:
            defaults[f"_d_{f.name}"] = f.default
            params.append(f"{f.name}=_d_{f.name}")
        stores.append(f"    d.{f.name} = {f.name}")
    source = "\n".join(
        [
            f"def {name}({'*, ' if all(f.kw_only for f in fields) else ''}{', '.join(params)}):",
            "    d = _new(_draft)",
            *stores,
            "    d.__class__ = _cls",
            "    return d",
        ]
    )
    namespace: dict[str, Any] = {"_new": object.__new__, "_draft": draft, "_cls": cls, **defaults}
    exec(compile(source, f"<runstate fast constructor {name}>", "exec"), namespace)
    function = namespace[name]
    function.__doc__ = f"Build a :class:`{cls.__name__}` fast (same arguments, no conversion or checks)."
    return function


new_run: Callable[..., Run] = _fast_constructor(Run, "new_run")
"""``new_run(**fields) -> Run``: what providers call on the hot path; ``tasks`` must be a tuple."""
new_durations: Callable[..., Durations] = _fast_constructor(Durations, "new_durations")
"""``new_durations(...) -> Durations``: the fast twin of ``Durations(...)``."""
