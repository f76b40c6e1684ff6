"""Strict-or-lenient reporting, shared by every provider.

A provider never decides by itself whether a problem raises or warns: it tells its :class:`Context`,
which raises in strict mode and warns in lenient mode, always naming provider, field and value.
"""

from __future__ import annotations

import os
import sys
import warnings
from typing import NoReturn

import attrs

from ._errors import (
    InconsistentDurationWarning,
    InvalidRecordError,
    InvalidRecordWarning,
    StateConflictWarning,
    UnmappedStateError,
    UnmappedStateWarning,
    short_repr,
)

__all__ = ["Context"]

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


def _stacklevel() -> int:
    """The stack level of the first frame outside runstate, so a warning points at the user's call.

    Only computed when a warning is emitted, never on the clean path.
    """
    frame = sys._getframe(1)
    level = 1
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE_DIR):
        frame = frame.f_back  # type: ignore[assignment]
        level += 1
    return level


@attrs.frozen
class Context:
    """How one provider reports problems in one mode; built once per (provider, mode), not per record."""

    provider: str
    strict: bool = False

    def fail(self, field: str, value: object, problem: str) -> NoReturn:
        """Raise, in both modes: the record cannot be normalized at all (e.g. it is not a mapping)."""
        raise InvalidRecordError(self.provider, field, value, problem)

    def invalid(
        self,
        field: str,
        value: object,
        problem: str,
        category: type[InvalidRecordWarning] = InvalidRecordWarning,
    ) -> None:
        """Report an unusable field: raise if strict, else warn (the caller then drops the field)."""
        if self.strict:
            raise InvalidRecordError(self.provider, field, value, problem)
        warnings.warn(
            f"{self.provider}: {field}: {problem}: {short_repr(value)}", category, stacklevel=_stacklevel()
        )

    def unmapped(self, field: str, value: object, problem: str = "unmapped state") -> None:
        """Report a state word the tables do not know: raise if strict, else warn (state UNKNOWN)."""
        if self.strict:
            raise UnmappedStateError(self.provider, field, value, problem)
        warnings.warn(
            f"{self.provider}: {field}: {problem}: {short_repr(value)}",
            UnmappedStateWarning,
            stacklevel=_stacklevel(),
        )

    def inconsistent(self, field: str, value: object, problem: str) -> None:
        """Report times or durations that contradict each other; the values are kept, never clamped."""
        if self.strict:
            raise InvalidRecordError(self.provider, field, value, problem)
        warnings.warn(
            f"{self.provider}: {field}: {problem}: {short_repr(value)}",
            InconsistentDurationWarning,
            stacklevel=_stacklevel(),
        )

    def conflict(self, field: str, value: object, problem: str) -> None:
        """Report two state fields that disagree: a warning in both modes, never a crash."""
        warnings.warn(
            f"{self.provider}: {field}: {problem}: {short_repr(value)}",
            StateConflictWarning,
            stacklevel=_stacklevel(),
        )
