"""The canonical transition graph: the invariants of docs/decisions.md#graph, validation and exports."""

from __future__ import annotations

import itertools
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

import runstate
from runstate import GRAPH, EdgeKind, IllegalTransitionError, State
from runstate._core.graph import INITIAL_STATES

from ..paths import ROOT
from ..strategies import states

NODES = [s for s in State if s is not State.UNKNOWN]
TERMINAL = [s for s in NODES if s.is_terminal]
NON_TERMINAL = [s for s in NODES if not s.is_terminal]


def test_edges_are_unique_and_between_nodes() -> None:
    pairs = [(e.source, e.target) for e in GRAPH.edges]
    assert len(pairs) == len(set(pairs))
    for source, target in pairs:
        assert source in NODES
        assert target in NODES
        assert source is not target  # self-loops are implicit


@pytest.mark.parametrize("state", TERMINAL)
def test_terminal_states_leave_only_by_labelled_reentry(state: State) -> None:
    out = [e for e in GRAPH.edges if e.source is state]
    assert out, "repair re-enters from every terminal state"
    assert all(e.kind is EdgeKind.REPAIR for e in out)
    assert GRAPH.successors(state) == frozenset()


def test_repair_edges_only_leave_terminal_states() -> None:
    for edge in GRAPH.edges:
        assert (edge.kind is EdgeKind.REPAIR) is edge.source.is_terminal


@pytest.mark.parametrize("state", NODES)
def test_every_state_is_reachable_from_an_initial_state(state: State) -> None:
    assert any(state in GRAPH.reachable(initial) for initial in INITIAL_STATES)


@pytest.mark.parametrize("state", NON_TERMINAL)
def test_every_non_terminal_state_can_reach_a_terminal_one(state: State) -> None:
    assert GRAPH.reachable(state) & set(TERMINAL)


@given(states)
def test_self_loop_is_always_legal(state: State) -> None:
    assert GRAPH.is_legal(state, state)
    assert GRAPH.validate([state, state, state]) == []


@given(states, states)
def test_unknown_cannot_be_judged(a: State, b: State) -> None:
    assert GRAPH.is_legal(State.UNKNOWN, a)
    assert GRAPH.is_legal(a, State.UNKNOWN)
    around = GRAPH.validate([a, State.UNKNOWN, b])
    assert [(p.source, p.target) for p in around] == [(p.source, p.target) for p in GRAPH.validate([a, b])]
    assert all(step.index == 2 for step in around)


@given(st.lists(states, max_size=12), st.booleans())
def test_validate_reports_exactly_the_illegal_steps(sequence: list[State], reentry: bool) -> None:
    known = [(i, s) for i, s in enumerate(sequence) if s is not State.UNKNOWN]
    expected = [
        (j, b, a)
        for (_, a), (j, b) in itertools.pairwise(known)
        if not GRAPH.is_legal(a, b, allow_reentry=reentry)
    ]
    found = [(p.index, p.target, p.source) for p in GRAPH.validate(sequence, allow_reentry=reentry)]
    assert found == expected


def test_validate_names_index_and_states() -> None:
    problems = GRAPH.validate(["QUEUED", "RUNNING", "SUCCEEDED", "RUNNING", "QUEUED"])
    assert [(p.index, p.source, p.target) for p in problems] == [
        (3, State.SUCCEEDED, State.RUNNING),
        (4, State.RUNNING, State.QUEUED),
    ]
    with pytest.raises(IllegalTransitionError, match=r"SUCCEEDED -> RUNNING at index 3") as info:
        GRAPH.check(["QUEUED", "RUNNING", "SUCCEEDED", "RUNNING"])
    assert isinstance(info.value, ValueError)
    assert (info.value.source, info.value.target, info.value.index) == (State.SUCCEEDED, State.RUNNING, 3)


def test_repair_is_legal_only_when_allowed() -> None:
    assert not GRAPH.is_legal(State.FAILED, State.RUNNING)
    assert GRAPH.is_legal(State.FAILED, State.RUNNING, allow_reentry=True)
    assert GRAPH.edge_kind(State.FAILED, State.RUNNING) is EdgeKind.REPAIR
    assert GRAPH.validate(["RUNNING", "FAILED", "RUNNING", "SUCCEEDED"], allow_reentry=True) == []


def test_documented_steps() -> None:
    legal = [
        ("QUEUED", "PENDING"), ("PENDING", "RUNNING"), ("RUNNING", "TERMINATING"),
        ("TERMINATING", "SUCCEEDED"), ("RUNNING", "WAITING_FOR_RETRY"), ("WAITING_FOR_RETRY", "RUNNING"),
        ("BLOCKED", "SKIPPED"), ("QUEUED", "TIMED_OUT"), ("PENDING", "QUEUED"),
    ]  # fmt: skip
    illegal = [
        ("RUNNING", "QUEUED"),
        ("RUNNING", "SKIPPED"),
        ("SUCCEEDED", "FAILED"),
        ("CANCELED", "RUNNING"),
    ]
    for a, b in legal:
        assert GRAPH.is_legal(State(a), State(b)), (a, b)
    for a, b in illegal:
        assert not GRAPH.is_legal(State(a), State(b)), (a, b)


def test_json_export_matches_committed_file() -> None:
    data = GRAPH.to_json()
    assert {s["name"] for s in data["states"]} == {s.value for s in NODES}
    assert len(data["edges"]) == len(GRAPH.edges)
    committed = ROOT / "schemas" / "graph.json"
    assert json.loads(committed.read_text()) == data


def test_mermaid_export() -> None:
    text = GRAPH.to_mermaid()
    assert text.startswith("stateDiagram-v2\n")
    for edge in GRAPH.edges:
        assert f"{edge.source} --> {edge.target}" in text
    assert "FAILED --> RUNNING : repair" in text
    assert "[*] --> QUEUED" in text


def test_dot_export() -> None:
    text = GRAPH.to_dot()
    assert text.startswith("digraph runstate {") and text.rstrip().endswith("}")
    assert text.count(" -> ") == len(GRAPH.edges)
    assert 'FAILED -> RUNNING [label="repair", style=dashed];' in text
    assert "SUCCEEDED [shape=doublecircle" in text


def test_graph_is_public() -> None:
    assert runstate.GRAPH is GRAPH
