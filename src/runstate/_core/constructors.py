"""The fast constructors of the hot path: ``new_run`` and ``new_durations``, generated from the model.

A frozen attrs class sets each field through object.__setattr__ (~1.2 us for Run). Providers
build millions of runs, so they use these instead: the instance is filled in as a plain slotted
"draft" twin with the same layout (plain attribute stores) and then becomes the frozen class.

Honest by construction: each constructor is typed by a Protocol whose ``__call__`` lists the
fields (so mypy checks every call site's keywords and types), and at import the generator
proves that signature identical to the attrs fields (names, order, kinds, defaults, types) and
refuses a class the fast path could not build faithfully: a validator, a factory default, an
``init=False`` or aliased field, a pre/post-init hook, or a converter other than the
normalizing ones below. The generated source is registered in ``linecache`` (as attrs does),
so tracebacks and debuggers show it.

Converters: ``Run.state``, ``Run.reason`` and ``Run.tasks`` have converters that only *widen*
what ``Run(...)`` accepts (a state word, a reason word, any iterable of tasks) and are the
identity on values of the declared type. The fast path does not convert: it takes exactly the
declared types (a ``State``, a ``Reason`` or ``None``, a tuple), which the Protocol makes mypy
enforce; tests/core/test_model_constructors.py proves ``new_run(**kw) == Run(**kw)`` for such values.
"""

from __future__ import annotations

import inspect
import linecache
import typing
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Any, Final, Protocol

import attrs

from .details import EMPTY, Details, freeze_details
from .errors import InvalidRecordError
from .model import NO_DURATIONS, Durations, Missing, Run, as_reason, as_tasks
from .vocabulary import Reason, State

__all__ = ["new_durations", "new_run"]


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
    (Run, "reason"): as_reason,
    (Run, "tasks"): as_tasks,
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
    hints = typing.get_type_hints(signature)  # types, as the fields' (resolved once cattrs has seen them)
    fields = attrs.fields(attrs.resolve_types(cls))
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
        if (p.default is not default, p.kind, hints.get(p.name)) != (False, kind, f.type):
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
