"""The exception and warning hierarchy: what ``normalize`` may raise or, leniently, warn.

Every exception subclasses :class:`RunstateError` and the builtin it stands for, so existing
``except ValueError`` / ``except KeyError`` clauses keep working. Each keeps its pieces as attributes.
"""

from __future__ import annotations

import pickle
import reprlib
from collections.abc import Iterable, Mapping
from typing import Any, Final, overload

__all__ = [
    "IllegalTransitionError",
    "InconsistentDurationWarning",
    "InvalidRecordError",
    "InvalidRecordWarning",
    "MAX_NESTING",
    "NaiveDatetimeWarning",
    "ProviderSpecError",
    "RunstateError",
    "RunstateWarning",
    "StateConflictWarning",
    "UnknownProviderError",
    "UnmappedStateError",
    "UnmappedStateWarning",
]

_MAX_VALUE_REPR = 80

MAX_NESTING: Final = 200
"""How deep a value may nest (objects and arrays inside each other) in a record or a run.

Real records nest fewer than 20 levels. The command line refuses deeper records while reading them;
:func:`runstate.to_dict`, pickling and copying refuse an over-deep run with :class:`InvalidRecordError`,
so no path ends in a ``RecursionError``.
"""


def nesting_exceeds(value: object, limit: int = MAX_NESTING) -> bool:
    """Whether ``value`` nests more than ``limit`` containers deep (an iterative walk: no recursion)."""
    stack: list[tuple[object, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, Mapping):
            children: Iterable[object] = item.values()
        elif isinstance(item, list | tuple):
            children = item
        else:
            continue
        if depth >= limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


_REPR = reprlib.Repr()
_REPR.maxlevel = 4
_REPR.maxstring = _REPR.maxother = _MAX_VALUE_REPR
_REPR.maxdict = _REPR.maxlist = _REPR.maxtuple = _REPR.maxset = _REPR.maxfrozenset = 12


def _bounded_repr(value: object) -> str:
    """``repr`` that never recurses deeply nor fails: containers are cut, a raising ``__repr__`` named."""
    try:
        if isinstance(value, dict | list | tuple | set | frozenset):
            return _REPR.repr(value)
        return repr(value)
    except Exception as exc:  # a hostile object's __repr__ (or one too deep to print)  # noqa: BLE001
        return f"<{type(value).__name__} object: repr raised {type(exc).__name__}>"


def short_repr(value: object) -> str:
    """``repr`` cut to a readable length, so a 10 kB string never floods a message (nor a deep one)."""
    text = _bounded_repr(value)
    if len(text) > _MAX_VALUE_REPR:
        return f"{text[: _MAX_VALUE_REPR - 5]}...{text[-2:]} ({len(text)} chars)"
    return text


def problem_text(provider: str, field: str, value: object, problem: str) -> str:
    """The one format of every record problem, raised or warned: ``provider: field: problem: value``."""
    return f"{provider}: {field}: {problem}: {short_repr(value)}"


_PLAIN: Final = (str, bytes, int, float, bool, type(None))


class ShownValue(str):
    """The text of a value that could not travel with its error; shown as it was, without quotes."""

    __slots__ = ()

    def __repr__(self) -> str:
        return str(self)

    def __reduce__(self) -> tuple[Any, ...]:
        return (ShownValue, (str(self),))


def _shippable(value: object) -> object:
    """``value`` if it survives pickling and copying, else its :func:`short_repr` (messages stay the
    same): an exception must reach a ``multiprocessing.Pool``'s caller whatever value it names."""
    if type(value) in _PLAIN:
        return value
    try:
        if not nesting_exceeds(value):
            pickle.loads(pickle.dumps(value))
            return value
    except Exception:  # unpicklable, or a hostile object: its text travels instead  # noqa: BLE001
        pass
    return ShownValue(_bounded_repr(value))


def exception_state(exc: BaseException) -> dict[str, Any]:
    """What pickle restores after ``__init__``: notes, traceback-free attributes (value made shippable)."""
    state = dict(vars(exc))
    for key in ("value", "name"):
        if key in state:
            state[key] = _shippable(state[key])
    return state


class RunstateError(Exception):
    """Base class of every exception runstate raises on purpose."""


class UnknownProviderError(RunstateError, KeyError):
    """No provider of that name is registered.

    ``UnknownProviderError: unknown provider 'glu'; registered: cloud_deploy, databricks, glue``
    """

    def __init__(self, name: object, registered: Iterable[str]) -> None:
        self.name = name
        self.registered = tuple(sorted(registered))
        super().__init__(name)

    def __reduce__(self) -> tuple[Any, ...]:
        # args holds only the name; rebuild from both, so unpickling (a Pool's result) works
        return (type(self), (_shippable(self.name), self.registered), exception_state(self))

    def __str__(self) -> str:
        listed = ", ".join(self.registered) or "(none)"
        return f"unknown provider {short_repr(self.name)}; registered: {listed}"


class InvalidRecordError(RunstateError, ValueError):
    """A record cannot be normalized: a field is missing, of the wrong type or out of range.

    ``InvalidRecordError: glue: $.StartedOn: cannot parse time: 'yesterday'``
    """

    def __init__(self, provider: str, field: str, value: object, problem: str) -> None:
        self.provider = provider
        self.field = field
        self.value = value
        self.problem = problem
        super().__init__(provider, field, value, problem)

    def __reduce__(self) -> tuple[Any, ...]:
        # a value that cannot travel (over-deep, unpicklable) is shipped as its short form
        return (
            type(self),
            (self.provider, self.field, _shippable(self.value), self.problem),
            exception_state(self),
        )

    def __str__(self) -> str:
        return problem_text(self.provider, self.field, self.value, self.problem)


class UnmappedStateError(InvalidRecordError):
    """Strict mode met a state word the provider's tables do not map.

    ``UnmappedStateError: glue: $.JobRunState: unmapped state: 'PAUSED'``
    """

    def __init__(self, provider: str, field: str, value: object, problem: str = "unmapped state") -> None:
        super().__init__(provider, field, value, problem)


class IllegalTransitionError(RunstateError, ValueError):
    """A step between two states that the transition graph does not allow.

    ``IllegalTransitionError: illegal transition SUCCEEDED -> RUNNING at index 3``
    """

    def __init__(self, source: Any, target: Any, index: int | None = None, hint: str | None = None) -> None:
        self.source = source
        self.target = target
        self.index = index
        self.hint = hint
        """How to make the step legal, where there is a way (a re-run in place)."""
        super().__init__(source, target, index, hint)

    def __str__(self) -> str:
        where = "" if self.index is None else f" at index {self.index}"
        fix = "" if self.hint is None else f" ({self.hint})"
        return f"illegal transition {self.source} -> {self.target}{where}{fix}"


class ProviderSpecError(RunstateError, ValueError):
    """A provider's declared tables are incomplete or inconsistent with the canonical graph."""

    def __init__(self, provider: str, problems: Iterable[str]) -> None:
        self.provider = provider
        self.problems = tuple(problems)
        super().__init__(provider, self.problems)

    def __str__(self) -> str:
        lines = "\n  ".join(self.problems)
        return f"provider {self.provider!r} spec is invalid:\n  {lines}"


class RunstateWarning(UserWarning):
    """Base class of the warnings of lenient mode; turn them into errors with ``filterwarnings``.

    Like the errors, a warning about a record keeps ``provider``, ``field``, ``value`` and ``problem``
    as attributes (so dashboards can group them); one made from a plain message has them ``None``.
    """

    provider: str | None = None
    field: str | None = None
    value: object = None
    problem: str | None = None

    @overload
    def __init__(self, message: str, /) -> None: ...
    @overload
    def __init__(self, provider: str, field: str, value: object, problem: str) -> None: ...
    def __init__(
        self, provider: str, field: str | None = None, value: object = None, problem: str | None = None
    ) -> None:
        if field is None or problem is None:  # a plain message
            super().__init__(provider)
            return
        super().__init__(provider, field, value, problem)
        self.provider, self.field, self.value, self.problem = provider, field, value, problem

    def __reduce__(self) -> tuple[Any, ...]:
        args = self.args
        if len(args) == 4:  # provider, field, value, problem
            args = (args[0], args[1], _shippable(args[2]), args[3])
        return (type(self), args, exception_state(self))

    def __str__(self) -> str:
        if self.provider is None or self.field is None or self.problem is None:
            return super().__str__()
        return problem_text(self.provider, self.field, self.value, self.problem)


class InvalidRecordWarning(RunstateWarning):
    """A field was unusable and was left out (lenient twin of :class:`InvalidRecordError`)."""


class UnmappedStateWarning(InvalidRecordWarning):
    """A state word is not in the provider's tables; the run's state is UNKNOWN or the nearest safe one."""


class NaiveDatetimeWarning(InvalidRecordWarning):
    """A datetime without a time zone was assumed to be UTC."""


class InconsistentDurationWarning(RunstateWarning):
    """Times or durations contradict each other (end before start, parts that don't add up)."""


class StateConflictWarning(RunstateWarning):
    """Two state fields of one record, or two observations of one run, contradict each other."""
