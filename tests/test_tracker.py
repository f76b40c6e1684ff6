"""The run tracker: history, illegal steps, contradictions and time in each state."""

from __future__ import annotations

import itertools
import warnings
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from runstate import GRAPH, InvalidRecordError, Run, RunTracker, State, StateConflictWarning

from .strategies import states

T0 = datetime(2026, 3, 1, 10, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def test_history_and_time_in_state() -> None:
    tracker = RunTracker()
    for minute, state in [(0, "QUEUED"), (1, "QUEUED"), (2, "PENDING"), (5, "RUNNING"), (9, "RUNNING"),
                          (12, "SUCCEEDED")]:  # fmt: skip
        tracker.observe(state, at(minute))
    assert tracker.history() == [State.QUEUED, State.PENDING, State.RUNNING, State.SUCCEEDED]
    assert tracker.illegal_steps == []
    assert tracker.state is State.SUCCEEDED
    assert tracker.time_in_state() == {
        State.QUEUED: timedelta(minutes=2),
        State.PENDING: timedelta(minutes=3),
        State.RUNNING: timedelta(minutes=7),
        State.SUCCEEDED: timedelta(0),
    }


def test_out_of_order_observations_are_put_in_time_order() -> None:
    tracker = RunTracker()
    tracker.observe(State.RUNNING, at(5))
    tracker.observe(State.QUEUED, at(0))
    tracker.observe(State.SUCCEEDED, at(9))
    tracker.observe(State.PENDING, at(2))
    assert tracker.history() == [State.QUEUED, State.PENDING, State.RUNNING, State.SUCCEEDED]
    assert tracker.illegal_steps == []


def test_illegal_steps_are_flagged_not_raised() -> None:
    tracker = RunTracker()
    for minute, state in enumerate(["RUNNING", "SUCCEEDED", "RUNNING"]):
        tracker.observe(state, at(minute))
    [step] = tracker.illegal_steps
    assert (step.index, step.source, step.target) == (2, State.SUCCEEDED, State.RUNNING)
    repairable = RunTracker(allow_reentry=True)
    for minute, state in enumerate(["RUNNING", "FAILED", "RUNNING", "SUCCEEDED"]):
        repairable.observe(state, at(minute))
    assert repairable.illegal_steps == []


def test_contradictions_are_reported_with_both_observations() -> None:
    tracker = RunTracker()
    tracker.observe("RUNNING", at(1))
    with pytest.warns(StateConflictWarning, match="disagree: RUNNING and FAILED"):
        tracker.observe("FAILED", at(1))
    [conflict] = tracker.conflicts
    assert (conflict.first.state, conflict.second.state) == (State.RUNNING, State.FAILED)
    with pytest.warns(StateConflictWarning, match="disagree: FAILED and RUNNING"):
        tracker.observe("RUNNING", at(1))  # agrees with the first, still contradicts the second
    assert len(tracker.conflicts) == 2


def test_open_state_counts_until_now() -> None:
    tracker = RunTracker()
    tracker.observe("QUEUED", at(0))
    tracker.observe(Run(provider="t", run_id="1", state=State.RUNNING), at(3))
    assert tracker.time_in_state(now=at(10)) == {
        State.QUEUED: timedelta(minutes=3),
        State.RUNNING: timedelta(minutes=7),
    }
    assert tracker.observations[1].run is not None


def test_naive_observation_time_is_refused() -> None:
    with pytest.raises(InvalidRecordError, match="timezone-aware"):
        RunTracker().observe("RUNNING", datetime(2026, 3, 1))


@given(st.lists(st.tuples(st.integers(0, 50), states), max_size=15))
def test_any_observations_never_crash_and_agree_with_the_graph(obs: list[tuple[int, State]]) -> None:
    tracker = RunTracker()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", StateConflictWarning)
        for minute, state in obs:
            tracker.observe(state, at(minute))
    history = tracker.history()
    assert all(a is not b for a, b in itertools.pairwise(history))
    assert tracker.illegal_steps == GRAPH.validate(history)
    total = sum(tracker.time_in_state(now=at(60)).values(), timedelta(0))
    if obs:
        first = min(m for m, _ in obs)
        assert total <= at(60) - at(first)
