"""Strict-or-lenient reporting, shared by every provider.

A provider never decides by itself whether a problem raises or warns: it tells its :class:`Context`,
which raises in strict mode and warns in lenient mode, always naming provider, field and value.
"""

from __future__ import annotations

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

# warnings point at the caller of normalize(), a few frames up; exactness is not worth per-call cost
_STACKLEVEL = 5


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
            f"{self.provider}: {field}: {problem}: {short_repr(value)}", category, stacklevel=_STACKLEVEL
        )

    def unmapped(self, field: str, value: object) -> None:
        """Report a state word the tables do not know: raise if strict, else warn (state UNKNOWN)."""
        if self.strict:
            raise UnmappedStateError(self.provider, field, value)
        warnings.warn(
            f"{self.provider}: {field}: unmapped state: {short_repr(value)}",
            UnmappedStateWarning,
            stacklevel=_STACKLEVEL,
        )

    def inconsistent(self, field: str, value: object, problem: str) -> None:
        """Report times or durations that contradict each other; the values are kept, never clamped."""
        if self.strict:
            raise InvalidRecordError(self.provider, field, value, problem)
        warnings.warn(
            f"{self.provider}: {field}: {problem}: {short_repr(value)}",
            InconsistentDurationWarning,
            stacklevel=_STACKLEVEL,
        )

    def conflict(self, field: str, value: object, problem: str) -> None:
        """Report two state fields that disagree: a warning in both modes, never a crash."""
        warnings.warn(
            f"{self.provider}: {field}: {problem}: {short_repr(value)}",
            StateConflictWarning,
            stacklevel=_STACKLEVEL,
        )
