"""The canonical run model: :class:`Run` and its :class:`Durations`."""

from __future__ import annotations

import copy
import enum
import inspect
import linecache
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from types import MappingProxyType
from typing import Any, Final, Protocol

import attrs

from .details import _LAYOUTS, Details, _Draft, _layout, with_values
from .errors import MAX_NESTING, InvalidRecordError, short_repr
from .vocabulary import Phase, Reason, State

__all__ = ["DURATION_PARTS", "Durations", "Missing", "Run", "new_durations", "new_run"]

DURATION_PARTS: Final = ("queue", "setup", "execution", "cleanup", "total")
"""The names of the :class:`Durations` fields, in order."""

EMPTY: Final[Mapping[str, Any]] = MappingProxyType({})


_shared_layout: Final = _LAYOUTS.get  # a bound method: no attribute lookup per run (cleared, never replaced)


def freeze_details(details: dict[str, Any]) -> Mapping[str, Any]:
    """The read-only ``details`` of a run made from a provider's fresh dict: a compact
    :class:`~runstate.provider_kit.Details` of its items (the dict is not kept), :data:`EMPTY` if empty.

    Providers call this rather than wrapping the dict themselves, so the model owns how details are
    kept: a ``Details`` costs about half of a dict behind a mapping proxy (``runstate._core.details``).
    Its keys are text (``str``), as the run schema says.
    """
    if not details:
        return EMPTY
    keys = tuple(details)  # Details' own hot path, inlined: one call less per run
    new: Any = _Draft()
    new._layout = _shared_layout(keys) or _layout(keys)  # noqa: SLF001 - Details' draft twin
    new._values = tuple(details.values())  # noqa: SLF001
    new.__class__ = Details
    return new  # type: ignore[no-any-return]


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
        return _reduce(self)

    def __copy__(self) -> Durations:
        return _copy(self)  # type: ignore[no-any-return]


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
    reason: Reason | None = attrs.field(default=None, converter=_as_reason)
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
    tasks: tuple[Run, ...] = attrs.field(default=(), converter=_as_tasks)
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
        return _reduce(self, ("raw", "details"))

    def __copy__(self) -> Run:
        return _copy(self)  # type: ignore[no-any-return]

    def __deepcopy__(self, memo: dict[int, Any]) -> Run:
        return _deepcopy(self, ("raw", "details"), memo)  # type: ignore[no-any-return]


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


# --- pickling, copy and deepcopy ---------------------------------------------------------------
#
# The mappings of a run are read-only: Details (which pickle and copy themselves) or MappingProxyType
# views, which pickle refuses. A run is reduced to its field values with each view swapped for a
# dict (and its name noted), and rebuilt with the views restored, so it round-trips through pickle,
# copy and deepcopy and is equal after.


def _reduce(obj: Any, deep_fields: tuple[str, ...] = ()) -> tuple[Any, ...]:
    values: list[Any] = []
    proxied: list[str] = []
    for name in obj.__slots__:
        value = getattr(obj, name)
        if name in deep_fields:
            value = _shippable(obj, name, value)
        if type(value) is MappingProxyType:
            value = dict(value)
            proxied.append(name)
        values.append(value)
    return (_rebuild, (type(obj), tuple(values), tuple(proxied)))


def _copy(obj: Any) -> Any:
    """A shallow copy: the same field values in a new instance (``copy.copy`` walks nothing)."""
    return _rebuild(type(obj), tuple(getattr(obj, name) for name in obj.__slots__), ())


def _deepcopy(obj: Any, deep_fields: tuple[str, ...], memo: dict[int, Any]) -> Any:
    """A deep copy whose nested values cost one frame per level (``copy.deepcopy`` costs two to
    five), so a value at the nesting limit copies even from deep in a caller's stack."""
    values = []
    for name in obj.__slots__:
        value = getattr(obj, name)
        if name in deep_fields:
            _shippable(obj, name, value)  # refuses an over-deep or hostile value by name
        values.append(_deep_value(value, memo))
    new = _rebuild(type(obj), tuple(values), ())
    memo[id(obj)] = new
    return new


def _deep_value(value: Any, memo: dict[int, Any]) -> Any:
    kind = type(value)
    if kind is dict or kind is MappingProxyType:
        items = {k: _deep_value(v, memo) for k, v in value.items()}
        return items if kind is dict else MappingProxyType(items)
    if kind is Details:
        return with_values(value, [_deep_value(v, memo) for v in value.values()])
    if kind is list:
        return [_deep_value(v, memo) for v in value]
    if kind is tuple:
        return tuple(_deep_value(v, memo) for v in value)
    return copy.deepcopy(value, memo)


def _shippable(obj: Any, name: str, value: Any) -> Any:
    """``value`` checked for depth, with each mapping proxy nested in it marked to be rebuilt as one.

    What a third-party mapping inside ``raw`` raises while it is walked, and a value nested deeper than
    :data:`MAX_NESTING`, become :class:`InvalidRecordError` naming the run and the field.
    """
    provider = getattr(obj, "provider", "runstate")
    where = getattr(obj, "run_id", short_repr(value))
    try:
        too_deep, proxies = _walk(value)
        if too_deep:
            problem = f"nested more than {MAX_NESTING} levels deep, cannot be pickled or copied"
            raise InvalidRecordError(provider, name, where, problem)  # noqa: TRY301 - the one error this guard raises, re-raised as is below
        return _marked(value, top=True) if proxies else value
    except InvalidRecordError:
        raise
    except Exception as exc:  # a hostile mapping kept in raw: its methods raised
        problem = f"cannot be pickled or copied: reading it raised {type(exc).__name__}"
        raise InvalidRecordError(provider, name, where, problem) from exc


def _walk(value: object) -> tuple[bool, bool]:
    """(nests deeper than MAX_NESTING, holds a mapping proxy below its top): one iterative walk."""
    stack: list[tuple[object, int]] = [(value, 0)]
    proxies = False
    while stack:
        item, depth = stack.pop()
        if isinstance(item, Mapping):
            proxies = proxies or (depth > 0 and type(item) is MappingProxyType)
            children: Any = item.values()
        elif isinstance(item, list | tuple):
            children = item
        else:
            continue
        if depth >= MAX_NESTING:
            return True, proxies
        stack.extend((child, depth + 1) for child in children)
    return False, proxies


class _Proxy(dict[Any, Any]):
    """A mapping proxy's contents in transit: pickle and deepcopy rebuild the proxy from it."""

    def __reduce__(self) -> tuple[Any, ...]:
        return (_proxy, (dict(self),))


def _proxy(data: dict[Any, Any]) -> Mapping[Any, Any]:
    return MappingProxyType(data)


def _marked(value: Any, top: bool = False) -> Any:
    """A copy of ``value`` with each nested mapping proxy as a :class:`_Proxy` (depth already bounded);
    a :class:`Details` pickles itself, so it stays one, with its values marked."""
    if type(value) in (dict, MappingProxyType):
        items = {k: _marked(v) for k, v in value.items()}
        if type(value) is MappingProxyType:
            return MappingProxyType(items) if top else _Proxy(items)
        return items
    if type(value) is Details:
        return with_values(value, [_marked(v) for v in value.values()])
    if type(value) is list:
        return [_marked(v) for v in value]
    if type(value) is tuple:
        return tuple(_marked(v) for v in value)
    return value


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
#
# Honest by construction: each constructor is typed by a Protocol whose ``__call__`` lists the
# fields (so mypy checks every call site's keywords and types), and at import the generator
# proves that signature identical to the attrs fields (names, order, kinds, defaults, types) and
# refuses a class the fast path could not build faithfully: a validator, a factory default, an
# ``init=False`` or aliased field, a pre/post-init hook, or a converter other than the
# normalizing ones below. The generated source is registered in ``linecache`` (as attrs does),
# so tracebacks and debuggers show it.
#
# Converters: ``Run.state``, ``Run.reason`` and ``Run.tasks`` have converters that only *widen*
# what ``Run(...)`` accepts (a state word, a reason word, any iterable of tasks) and are the
# identity on values of the declared type. The fast path does not convert: it takes exactly the
# declared types (a ``State``, a ``Reason`` or ``None``, a tuple), which the Protocol makes mypy
# enforce; tests/test_model_constructors.py proves ``new_run(**kw) == Run(**kw)`` for such values.


class _NewRun(Protocol):
    def __call__(
        self,
        provider: str,
        run_id: str,
        *,
        namespace: str | None = None,
        state: State,
        job_id: str | None = None,
        name: str | None = None,
        reason: Reason | None = None,
        provider_state: Mapping[str, str] = EMPTY,
        message: str | None = None,
        attempt: int = 0,
        original_run_id: str | None = None,
        previous_run_id: str | None = None,
        parent_run_id: str | None = None,
        created_at: datetime | None = None,
        started_at: datetime | None = None,
        ended_at: datetime | None = None,
        updated_at: datetime | None = None,
        durations: Durations = NO_DURATIONS,
        tasks: tuple[Run, ...] = (),
        details: Mapping[str, Any] = EMPTY,
        raw: Mapping[str, Any] | None = None,
    ) -> Run: ...


class _NewDurations(Protocol):
    def __call__(
        self,
        queue: timedelta | None = None,
        setup: timedelta | None = None,
        execution: timedelta | None = None,
        cleanup: timedelta | None = None,
        total: timedelta | None = None,
        missing: Mapping[str, Missing] = EMPTY,
    ) -> Durations: ...


_IDENTITY_CONVERTERS: Final[Mapping[tuple[type, str], Callable[[Any], Any]]] = {
    (Run, "state"): State,
    (Run, "reason"): _as_reason,
    (Run, "tasks"): _as_tasks,
}
"""The only converters the fast path accepts: the identity on values of the field's declared type."""


def _copied(field: str, value: Any) -> dict[Any, Any]:
    """A plain copy of a mapping handed to the kit, so the caller's own object is never kept."""
    if not isinstance(value, Mapping):  # dict() would also take a list of pairs
        raise InvalidRecordError("runstate", field, value, "expected a mapping")
    return dict(value)


def _frozen_words(value: Any) -> Mapping[str, Any]:
    return MappingProxyType(_copied("provider_state", value)) if value else EMPTY


def _frozen_details(value: Any) -> Mapping[str, Any]:
    return freeze_details(_copied("details", value)) if value else EMPTY


def _frozen_missing(value: Any) -> Mapping[str, Any]:
    return MappingProxyType(_copied("missing", value)) if value else EMPTY


_FROZEN: Final[Mapping[tuple[type, str], tuple[Callable[[Any], Mapping[str, Any]], type, type]]] = {
    (Run, "provider_state"): (_frozen_words, MappingProxyType, Details),
    (Run, "details"): (_frozen_details, Details, MappingProxyType),
    (Durations, "missing"): (_frozen_missing, MappingProxyType, Details),
}
"""The mapping fields the fast constructors freeze, and the two read-only types each keeps as given
(the commoner first: two identity tests cost less than a set lookup): anything else is copied into a
read-only mapping, so a frozen run never shares a dict its caller can change. The built-in providers
pass only these two types, so their runs cost the type tests alone."""


def _draft_of(cls: type) -> type:
    """A plain class with the slots of ``cls``: filled in with plain stores, then switched to ``cls``."""
    return type(f"_{cls.__name__}Draft", (), {"__slots__": cls.__slots__})  # type: ignore[attr-defined]


def _leading_required(param: inspect.Parameter, field: Any, params: list[inspect.Parameter]) -> bool:
    """Whether ``param`` may be positional for a keyword-only ``field``: required, with only positional
    parameters before it (``make_run("glue", run_id, ...)`` keeps a call under CPython's 16-keyword
    threshold, beyond which the call builds a dict first: about half a microsecond per run)."""
    before = params[: params.index(param)]
    return (
        field.default is attrs.NOTHING
        and param.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
        and all(p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD for p in before)
    )


def _fast_path_problems(cls: type, signature: Callable[..., Any]) -> list[str]:
    """Why ``cls`` cannot be built by a generated constructor typed by ``signature`` (empty if it can)."""
    problems = [f"has {hook}" for hook in ("__attrs_pre_init__", "__attrs_post_init__") if hasattr(cls, hook)]
    try:  # the class switch needs a plain slotted twin of the very same layout
        probe: Any = object.__new__(_draft_of(cls))
        probe.__class__ = cls
    except (AttributeError, TypeError):
        problems.append("is not slotted without __weakref__ (no draft twin of the same layout)")
    params = list(inspect.signature(signature).parameters.values())[1:]  # without self
    fields = attrs.fields(cls)
    if [p.name for p in params] != [f.name for f in fields]:
        problems.append(f"signature {[p.name for p in params]} is not the fields {[f.name for f in fields]}")
    for f, p in zip(fields, params, strict=False):
        if f.validator is not None:
            problems.append(f"{f.name}: has a validator")
        if f.converter is not None and _IDENTITY_CONVERTERS.get((cls, f.name)) is not f.converter:
            problems.append(f"{f.name}: has a converter that is not declared the identity on its type")
        if isinstance(f.default, attrs.Factory):  # type: ignore[arg-type]
            problems.append(f"{f.name}: has a factory default")
        if not f.init or f.alias != f.name:
            problems.append(f"{f.name}: is not an __init__ argument of its own name")
        default = inspect.Parameter.empty if f.default is attrs.NOTHING else f.default
        kind = inspect.Parameter.KEYWORD_ONLY if f.kw_only else inspect.Parameter.POSITIONAL_OR_KEYWORD
        if _leading_required(p, f, params):  # a required field first in line may also come by position
            kind = inspect.Parameter.POSITIONAL_OR_KEYWORD
        if (p.default is not default, p.kind, p.annotation) != (False, kind, f.type):
            problems.append(f"{f.name}: signature says {p}, the field says {f.type} = {f.default!r}")
    return problems


def _fast_constructor(cls: type, name: str, signature: Callable[..., Any]) -> Any:
    """Generate ``name(**fields)`` for ``cls``; refuse (at import) a class it could not build faithfully."""
    problems = _fast_path_problems(cls, signature)
    if problems:
        raise TypeError(f"no fast constructor for {cls.__qualname__}: " + "; ".join(problems))
    fields = attrs.fields(cls)
    draft = _draft_of(cls)
    kinds = [p.kind for p in list(inspect.signature(signature).parameters.values())[1:]]
    params = [f.name if f.default is attrs.NOTHING else f"{f.name}=_d_{f.name}" for f in fields]
    if inspect.Parameter.KEYWORD_ONLY in kinds:  # the bare star before the first keyword-only one
        params.insert(kinds.index(inspect.Parameter.KEYWORD_ONLY), "*")
    frozen = [f.name for f in fields if (cls, f.name) in _FROZEN]
    source = "\n".join(
        [
            f"def {name}({', '.join(params)}):",
            *(
                f"    if _type({n}) is not _{n}_1 and _type({n}) is not _{n}_2: {n} = _freeze_{n}({n})"
                for n in frozen
            ),
            "    d = _new(_draft)",
            *(f"    d.{f.name} = {f.name}" for f in fields),
            "    d.__class__ = _cls",
            "    return d",
            "",
        ]
    )
    filename = f"<runstate generated {name} {cls.__module__}.{cls.__qualname__}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    defaults = {f"_d_{f.name}": f.default for f in fields if f.default is not attrs.NOTHING}
    freezers: dict[str, Any] = {}
    for n in frozen:
        freezers[f"_freeze_{n}"], freezers[f"_{n}_1"], freezers[f"_{n}_2"] = _FROZEN[cls, n]
    namespace: dict[str, Any] = {
        "_new": object.__new__, "_draft": draft, "_cls": cls, "_type": type, **freezers, **defaults,
    }  # fmt: skip
    exec(compile(source, filename, "exec"), namespace)
    function = namespace[name]
    function.__module__ = __name__
    function.__doc__ = (
        f"Build a :class:`{cls.__name__}` fast: its fields, of their declared types, unconverted; a "
        "mutable mapping field is copied into a read-only one."
    )
    return function


new_run: Final[_NewRun] = _fast_constructor(Run, "new_run", _NewRun.__call__)
"""``new_run(**fields) -> Run``: ``Run(...)`` for the hot path; pass a ``State``, a ``Reason``, a tuple."""
new_durations: Final[_NewDurations] = _fast_constructor(Durations, "new_durations", _NewDurations.__call__)
"""``new_durations(...) -> Durations``: the fast twin of ``Durations(...)``."""
