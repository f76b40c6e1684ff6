"""The run tracker: history, illegal steps, contradictions and time in each state."""

from __future__ import annotations

import itertools
import json
import warnings
from datetime import UTC, datetime, timedelta

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from runstate import (
    GRAPH,
    EdgeKind,
    InvalidRecordError,
    Run,
    RunTracker,
    State,
    StateConflictWarning,
    normalize,
    normalize_many,
)
from runstate._core.tracker import instant_ranks

from ..paths import FIXTURES
from ..strategies import states

T0 = datetime(2026, 3, 1, 10, tzinfo=UTC)
FIXTURES = FIXTURES / "glue_events"


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
    tracker.observe("SUCCEEDED", at(1))
    with pytest.warns(StateConflictWarning, match="disagree: SUCCEEDED and FAILED"):
        tracker.observe("FAILED", at(1))  # no step of the graph leads from one to the other
    [conflict] = tracker.conflicts
    assert (conflict.first.state, conflict.second.state) == (State.SUCCEEDED, State.FAILED)
    with pytest.warns(StateConflictWarning, match="disagree: FAILED and SUCCEEDED"):
        tracker.observe("SUCCEEDED", at(1))  # agrees with the first, still contradicts the second
    assert len(tracker.conflicts) == 2
    tracker.observe("RUNNING", at(1))  # RUNNING can precede either: no contradiction
    assert len(tracker.conflicts) == 2
    arrival = [State.RUNNING, State.SUCCEEDED, State.FAILED, State.SUCCEEDED]  # equal ranks: arrival order
    assert tracker.history() == arrival
    assert [step.target for step in tracker.illegal_steps] == [State.FAILED, State.SUCCEEDED]


def test_same_instant_observations_follow_the_graph_not_arrival() -> None:
    """A clock to the second: states seen at one instant go in the order the graph allows, whatever
    order they arrive in, and are no contradiction."""
    for arrival in itertools.permutations(["QUEUED", "RUNNING", "TERMINATING", "CANCELED"]):
        tracker = RunTracker()
        for state in arrival:
            tracker.observe(state, at(0))
        assert tracker.history() == [State.QUEUED, State.RUNNING, State.TERMINATING, State.CANCELED]
        assert tracker.conflicts == () and tracker.illegal_steps == []
        assert tracker.time_in_state()[State.TERMINATING] == timedelta(0)


def test_same_instant_states_that_can_follow_each_other_go_by_phase() -> None:
    tracker = RunTracker()
    for state in ("RUNNING", "QUEUED", "WAITING_FOR_RETRY"):  # retry edges both ways
        tracker.observe(state, at(0))
    assert tracker.history() == [State.WAITING_FOR_RETRY, State.QUEUED, State.RUNNING]
    assert tracker.conflicts == () and tracker.illegal_steps == []


def test_instant_ranks_put_a_state_after_those_it_can_only_follow() -> None:
    """Every one-way step of the graph goes forward in the ranks, but the one step that closes the
    retry cycle against the phases (TERMINATING -> WAITING_FOR_RETRY): a cycle needs one exception."""
    ranks = instant_ranks(GRAPH)
    backwards = {
        (e.source, e.target)
        for e in GRAPH.edges
        if e.kind is not EdgeKind.REPAIR
        and GRAPH.edge_kind(e.target, e.source) is None
        and not ranks[e.source] < ranks[e.target]
    }
    assert backwards == {(State.TERMINATING, State.WAITING_FOR_RETRY)}
    assert min(ranks.values()) == ranks[State.UNKNOWN]
    terminal = {ranks[s] for s in GRAPH.states if s.is_terminal}
    assert len(terminal) == 1 and min(terminal) > max(ranks[s] for s in GRAPH.states if not s.is_terminal)


def glue_events() -> list[Run]:
    lines = (FIXTURES / "stream_stopped.jsonl").read_text().splitlines()
    return list(normalize_many("glue_events", map(json.loads, lines)))


def test_glue_events_stopping_and_stopped_in_one_second_in_either_order() -> None:
    """EventBridge ``time`` is to the second: STOPPING and STOPPED in the same second, delivered in
    either order, give ... TERMINATING, CANCELED, no illegal step and no StateConflictWarning."""
    starting, running, stopping, stopped = glue_events()
    assert stopped.updated_at is not None
    same = attrs.evolve(stopping, updated_at=stopped.updated_at)  # the same second as STOPPED
    for arrival in ([stopped, same, running, starting], [starting, running, same, stopped]):
        tracker = RunTracker()
        for run in arrival:
            tracker.observe(run, run.updated_at)
        assert tracker.history() == [State.PENDING, State.RUNNING, State.TERMINATING, State.CANCELED]
        assert tracker.illegal_steps == [] and tracker.conflicts == ()
        assert tracker.state is State.CANCELED and tracker.observations[-1].run is stopped


def test_glue_events_that_contradict_in_one_second_still_warn() -> None:
    *_, stopped = glue_events()
    succeeded = normalize("glue_events", json.loads((FIXTURES / "succeeded.json").read_text()))
    late = attrs.evolve(succeeded, run_id=stopped.run_id, updated_at=stopped.updated_at)
    tracker = RunTracker()
    tracker.observe(stopped, stopped.updated_at)
    with pytest.warns(StateConflictWarning, match="disagree: CANCELED and SUCCEEDED"):
        tracker.observe(late, late.updated_at)
    assert tracker.history() == [State.CANCELED, State.SUCCEEDED]  # arrival order: no rank between them
    [conflict] = tracker.conflicts
    assert (conflict.first.run, conflict.second.run) == (stopped, late)


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
