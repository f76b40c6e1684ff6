"""Strict-or-lenient reporting, shared by every provider.

A provider never decides by itself whether a problem raises or warns: it tells its :class:`Context`,
which raises in strict mode and warns in lenient mode, always naming provider, field and value.
What each kind of problem raises or warns is one table, :data:`REPORTS`; the message format is
written once, in the exception and warning classes (:func:`runstate._core.errors.problem_text`).
"""

from __future__ import annotations

import inspect
import os
import warnings
from collections.abc import Mapping
from typing import Final, Literal, NoReturn, overload

import attrs

from .errors import (
    InconsistentDurationWarning,
    InvalidRecordError,
    InvalidRecordWarning,
    RunstateWarning,
    StateConflictWarning,
    UnmappedStateError,
    UnmappedStateWarning,
)

__all__ = ["REPORTS", "Context", "ReportKind", "caller_stacklevel"]

ReportKind = Literal["fail", "invalid", "unmapped", "inconsistent", "conflict"]
"""The kinds of problem a provider reports (see :data:`REPORTS`)."""

REPORTS: Final[Mapping[ReportKind, tuple[type[InvalidRecordError] | None, type[RunstateWarning] | None]]] = {
    "fail": (InvalidRecordError, None),  # the record cannot be normalized at all: raises in both modes
    "invalid": (InvalidRecordError, InvalidRecordWarning),  # an unusable field, dropped when lenient
    "unmapped": (UnmappedStateError, UnmappedStateWarning),  # a state word the tables do not know
    "inconsistent": (InvalidRecordError, InconsistentDurationWarning),  # contradicting times, kept
    "conflict": (None, StateConflictWarning),  # two state fields disagree: warns in both modes
}
"""Kind of problem -> (error raised when strict, warning when lenient). A missing error means the
kind only ever warns; a missing warning means it always raises."""

_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # noqa: PTH100, PTH120 - compared with co_filename


def caller_stacklevel() -> int:
    """The stack level of the first frame outside runstate, so a warning points at the user's call.

    Only computed when a warning is emitted, never on the clean path.
    """
    here = inspect.currentframe()  # None only on a Python without frames: the warning points here
    frame = None if here is None else here.f_back
    level = 1
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE_DIR):
        frame = frame.f_back
        level += 1
    return level


@attrs.frozen
class Context:
    """How one provider reports problems in one mode; built once per (provider, mode), not per record."""

    provider: str
    strict: bool = False

    @overload
    def report(
        self,
        kind: Literal["fail"],
        field: str,
        value: object,
        problem: str,
        category: type[RunstateWarning] | None = None,
    ) -> NoReturn: ...
    @overload
    def report(
        self,
        kind: ReportKind,
        field: str,
        value: object,
        problem: str,
        category: type[RunstateWarning] | None = None,
    ) -> None: ...
    def report(
        self,
        kind: ReportKind,
        field: str,
        value: object,
        problem: str,
        category: type[RunstateWarning] | None = None,
    ) -> None:
        """Report one problem of ``kind`` (see :data:`REPORTS`): raise its error or warn its warning.

        ``category`` narrows the warning (e.g. :class:`~runstate.NaiveDatetimeWarning` for an
        ``"invalid"`` time); the error stays the table's.
        """
        error, warning = REPORTS[kind]
        if error is not None and (self.strict or warning is None):
            raise error(self.provider, field, value, problem)
        assert warning is not None  # every kind has an error or a warning (REPORTS)
        category = category or warning
        warnings.warn(category(self.provider, field, value, problem), stacklevel=caller_stacklevel())

    # The names providers call today: thin wrappers over report().

    def fail(self, field: str, value: object, problem: str) -> NoReturn:
        """Raise, in both modes: the record cannot be normalized at all (e.g. it is not a mapping)."""
        self.report("fail", field, value, problem)

    def invalid(
        self,
        field: str,
        value: object,
        problem: str,
        category: type[InvalidRecordWarning] = InvalidRecordWarning,
    ) -> None:
        """Report an unusable field: raise if strict, else warn (the caller then drops the field)."""
        self.report("invalid", field, value, problem, category)

    def unmapped(self, field: str, value: object, problem: str = "unmapped state") -> None:
        """Report a state word the tables do not know: raise if strict, else warn (state UNKNOWN)."""
        self.report("unmapped", field, value, problem)

    def inconsistent(self, field: str, value: object, problem: str) -> None:
        """Report times or durations that contradict each other; the values are kept, never clamped."""
        self.report("inconsistent", field, value, problem)

    def conflict(self, field: str, value: object, problem: str) -> None:
        """Report two state fields that disagree: a warning in both modes, never a crash."""
        self.report("conflict", field, value, problem)
