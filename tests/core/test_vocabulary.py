"""The canonical vocabulary: states, phases, reasons and the OpenTelemetry tables are total."""

from __future__ import annotations

import pytest

from runstate import Phase, Reason, State, otel_result
from runstate._core.vocabulary import (
    OTEL_PIPELINE_RESULT,
    OTEL_PIPELINE_RUN_STATE,
    STATE_PHASE,
    TERMINAL_STATES,
)


def test_state_values_are_their_names() -> None:
    for state in State:
        assert state.value == state.name
        assert state == state.name  # a str enum: compares equal to its text


def test_every_state_has_a_phase() -> None:
    assert set(STATE_PHASE) == set(State)
    assert set(STATE_PHASE.values()) == set(Phase)


@pytest.mark.parametrize(
    ("state", "phase"),
    [
        (State.QUEUED, Phase.PENDING),
        (State.BLOCKED, Phase.PENDING),
        (State.PENDING, Phase.PENDING),
        (State.WAITING_FOR_RETRY, Phase.PENDING),
        (State.RUNNING, Phase.RUNNING),
        (State.TERMINATING, Phase.TERMINATING),
        (State.SUCCEEDED, Phase.TERMINATED),
        (State.FAILED, Phase.TERMINATED),
        (State.CANCELED, Phase.TERMINATED),
        (State.TIMED_OUT, Phase.TERMINATED),
        (State.SKIPPED, Phase.TERMINATED),
        (State.UNKNOWN, Phase.UNKNOWN),
    ],
)
def test_design_table(state: State, phase: Phase) -> None:
    assert state.phase is phase
    assert state.is_terminal is (phase is Phase.TERMINATED)


def test_terminal_states() -> None:
    assert {s for s in State if s.is_terminal} == TERMINAL_STATES
    assert set(OTEL_PIPELINE_RESULT) == TERMINAL_STATES


def test_otel_run_state_covers_every_known_phase() -> None:
    assert set(OTEL_PIPELINE_RUN_STATE) == set(Phase) - {Phase.UNKNOWN, Phase.TERMINATED}


@pytest.mark.parametrize(
    ("state", "reason", "expected"),
    [
        (State.SUCCEEDED, None, "success"),
        (State.SUCCEEDED, Reason.PARTIAL_SUCCESS, "success"),
        (State.FAILED, None, "failure"),
        (State.FAILED, Reason.USER_ERROR, "failure"),
        (State.FAILED, Reason.PLATFORM_ERROR, "error"),
        (State.TIMED_OUT, None, "timeout"),
        (State.CANCELED, Reason.CANCELED_BY_USER, "cancellation"),
        (State.SKIPPED, Reason.UPSTREAM_FAILED, "skip"),
        (State.RUNNING, None, None),
        (State.UNKNOWN, None, None),
    ],
)
def test_otel_result(state: State, reason: Reason | None, expected: str | None) -> None:
    assert otel_result(state, reason) == expected


def test_reasons_are_documented() -> None:
    for reason in Reason:
        assert reason.value == reason.name
