"""The canonical vocabulary: states, phases, reasons, and how they line up with OpenTelemetry.

Every table here is data; tests check that each one covers its whole enum.
"""

from __future__ import annotations

import enum
from types import MappingProxyType
from typing import Final

from .errors import InvalidRecordError

__all__ = ["Phase", "Reason", "State", "otel_result", "otel_run_state"]


class Phase(enum.StrEnum):
    """Coarse stage of a run: what a progress bar or a colour needs."""

    PENDING = "PENDING"
    RUNNING = "RUNNING"
    TERMINATING = "TERMINATING"
    TERMINATED = "TERMINATED"
    UNKNOWN = "UNKNOWN"


class State(enum.StrEnum):
    """Canonical state of a run; its value is its name, so it compares equal to that string."""

    QUEUED = "QUEUED"
    BLOCKED = "BLOCKED"
    PENDING = "PENDING"
    WAITING_FOR_RETRY = "WAITING_FOR_RETRY"
    RUNNING = "RUNNING"
    TERMINATING = "TERMINATING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    CANCELED = "CANCELED"
    TIMED_OUT = "TIMED_OUT"
    SKIPPED = "SKIPPED"
    UNKNOWN = "UNKNOWN"

    @property
    def phase(self) -> Phase:
        """The phase this state belongs to (docs/decisions.md#vocabulary)."""
        return STATE_PHASE[self]

    @property
    def is_terminal(self) -> bool:
        """True once the outcome is final (phase TERMINATED)."""
        return self in TERMINAL_STATES


class Reason(enum.StrEnum):
    """Canonical refinement of a state: why it is what it is, without reading provider strings."""

    # refinements of SUCCEEDED
    PARTIAL_SUCCESS = "PARTIAL_SUCCESS"
    """Finished, but some tasks failed (Databricks SUCCESS_WITH_FAILURES)."""
    # refinements of FAILED / TIMED_OUT: OpenTelemetry's failure vs error
    USER_ERROR = "USER_ERROR"
    """The user's code or configuration failed (OpenTelemetry ``failure``)."""
    PLATFORM_ERROR = "PLATFORM_ERROR"
    """The platform failed (internal error, cloud failure; OpenTelemetry ``error``)."""
    EXPIRED = "EXPIRED"
    """The run expired before it could start or finish (Glue EXPIRED)."""
    # refinements of CANCELED
    CANCELED_BY_USER = "CANCELED_BY_USER"
    """Stopped on a person's or an API client's request."""
    CANCELED_BY_PLATFORM = "CANCELED_BY_PLATFORM"
    """Stopped by the platform itself."""
    # refinements of SKIPPED (and of QUEUED for the limits)
    UPSTREAM_FAILED = "UPSTREAM_FAILED"
    """Not run because a dependency failed."""
    UPSTREAM_CANCELED = "UPSTREAM_CANCELED"
    """Not run because a dependency was canceled."""
    EXCLUDED = "EXCLUDED"
    """Excluded by a condition (a run-if rule, a condition task)."""
    DISABLED = "DISABLED"
    """The job or task is disabled."""
    CONCURRENCY_LIMIT = "CONCURRENCY_LIMIT"
    """The job's limit of concurrent runs was reached (or a previous run was still active)."""
    WORKSPACE_LIMIT = "WORKSPACE_LIMIT"
    """A workspace- or account-wide limit of active runs or tasks was reached."""
    QUEUE_LIMIT = "QUEUE_LIMIT"
    """The queue was full."""
    # refinements of QUEUED / PENDING
    WAITING_FOR_RESOURCES = "WAITING_FOR_RESOURCES"
    """Waiting for capacity or resources to be provisioned."""
    DEFERRED = "DEFERRED"
    """Deliberately delayed by the platform (Databricks cost-optimized runs wait for a cheaper time)."""


# --- tables -------------------------------------------------------------------------------------

STATE_PHASE: Final = MappingProxyType(
    {
        State.QUEUED: Phase.PENDING,
        State.BLOCKED: Phase.PENDING,
        State.PENDING: Phase.PENDING,
        State.WAITING_FOR_RETRY: Phase.PENDING,
        State.RUNNING: Phase.RUNNING,
        State.TERMINATING: Phase.TERMINATING,
        State.SUCCEEDED: Phase.TERMINATED,
        State.FAILED: Phase.TERMINATED,
        State.CANCELED: Phase.TERMINATED,
        State.TIMED_OUT: Phase.TERMINATED,
        State.SKIPPED: Phase.TERMINATED,
        State.UNKNOWN: Phase.UNKNOWN,
    }
)
"""Each state's phase (docs/decisions.md#vocabulary)."""

TERMINAL_STATES: Final = frozenset(s for s, p in STATE_PHASE.items() if p is Phase.TERMINATED)
"""States whose outcome is final."""

OTEL_PIPELINE_RUN_STATE: Final = MappingProxyType(
    {
        Phase.PENDING: "pending",
        Phase.RUNNING: "executing",
        Phase.TERMINATING: "finalizing",
    }
)
"""OpenTelemetry ``cicd.pipeline.run.state`` for each phase that is not terminal.

A finished run has no run state: the conventions' ``finalizing`` is cleanup while the run is still
finishing, and a finished run leaves ``cicd.pipeline.run.active``. UNKNOWN has none either.
"""

OTEL_PIPELINE_RESULT: Final = MappingProxyType(
    {
        State.SUCCEEDED: "success",
        State.FAILED: "failure",
        State.TIMED_OUT: "timeout",
        State.CANCELED: "cancellation",
        State.SKIPPED: "skip",
    }
)
"""OpenTelemetry ``cicd.pipeline.result`` for each terminal state; see :data:`OTEL_RESULT_BY_REASON`."""

OTEL_RESULT_BY_REASON: Final = MappingProxyType({(State.FAILED, Reason.PLATFORM_ERROR): "error"})
"""(state, reason) pairs that override :data:`OTEL_PIPELINE_RESULT`: a platform failure is OpenTelemetry's
``error`` ("an error in the CI/CD system"). A platform cancel stays ``cancellation`` (a deliberate stop,
not a fault), a partial success stays ``success`` and Glue EXPIRED stays ``timeout`` (docs/export.md)."""


def _state(value: State | str) -> State:
    try:
        return State(value)
    except ValueError:
        raise InvalidRecordError("runstate", "state", value, "not a State") from None


def _reason(value: Reason | str) -> Reason:
    try:
        return Reason(value)
    except ValueError:
        raise InvalidRecordError("runstate", "reason", value, "not a Reason") from None


def otel_run_state(state: State | str) -> str | None:
    """OpenTelemetry ``cicd.pipeline.run.state`` of a state (a name is accepted), or None once it ended."""
    return OTEL_PIPELINE_RUN_STATE.get(_state(state).phase)


def otel_result(state: State | str, reason: Reason | str | None = None) -> str | None:
    """OpenTelemetry ``cicd.pipeline.result`` for a terminal state and reason, else None.

    Plain strings (as ``to_dict`` writes them) give the same answer as the enums.
    """
    canonical = _state(state)
    if reason is not None:
        found = OTEL_RESULT_BY_REASON.get((canonical, _reason(reason)))
        if found is not None:
            return found
    return OTEL_PIPELINE_RESULT.get(canonical)
