"""Runs re-run in place (repairs, redrives), declared on a provider's spec and read by history."""

from __future__ import annotations

import pickle
import warnings
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import runstate
from runstate import State
from runstate._history.logical import repair_count, single, snapshot_rank
from runstate._providers.databricks import jobs as _databricks
from runstate._providers.databricks import system as _databricks_system
from runstate.provider_kit import RERUN_SOURCES, TERMINAL_STATES, NativeEdge, ProviderSpec, check_provider

from .. import acme_provider, redrive_provider

ARN = "arn:aws:states:eu-west-1:123456789012:execution:etl:nightly"
START = "2026-03-01T00:00:00Z"
FAILED = {"executionArn": ARN, "status": "FAILED", "startDate": START,
          "stopDate": "2026-03-01T00:05:00Z", "redriveCount": 0}  # fmt: skip
PENDING_REDRIVE = {"executionArn": ARN, "status": "PENDING_REDRIVE", "startDate": START, "redriveCount": 1}
RUNNING = {"executionArn": ARN, "status": "RUNNING", "startDate": START, "redriveCount": 1}
SUCCEEDED = {"executionArn": ARN, "status": "SUCCEEDED", "startDate": START,
             "stopDate": "2026-03-01T01:00:00Z", "redriveCount": 1}  # fmt: skip
POLLS = (FAILED, PENDING_REDRIVE, RUNNING, SUCCEEDED)
"""One execution polled: it failed, was redriven (RedriveExecution), ran again and succeeded."""
NOW = datetime(2026, 3, 1, 2, tzinfo=UTC)


@pytest.fixture(autouse=True)
def sfn() -> Iterator[str]:
    with redrive_provider.registered() as name:
        yield name


def normalized(records: Any) -> list[runstate.Run]:
    return [runstate.normalize(redrive_provider.NAME, record) for record in records]


def test_the_provider_checks_clean_with_its_repair_edges() -> None:
    check_provider(redrive_provider.SPEC, examples=POLLS)
    assert redrive_provider.SPEC.can_repair


@given(st.permutations(POLLS), st.booleans())
def test_a_redriven_execution_is_one_logical_run_succeeded_and_repaired_once(
    polls: list[dict[str, Any]], repeat: bool
) -> None:
    runs = normalized([*polls, *polls] if repeat else polls)
    (logical,) = runstate.logical_runs(runs)
    assert (logical.state, logical.repairs, logical.attempt_count, logical.retried) == (
        State.SUCCEEDED, 1, 2, True,
    )  # fmt: skip
    assert len(logical.attempts) == 1


@given(st.permutations((FAILED, PENDING_REDRIVE, RUNNING)))
def test_the_redrive_under_way_is_active_now_and_retried(polls: list[dict[str, Any]]) -> None:
    summary = runstate.summarize(normalized(polls), by=["provider"], now=NOW)
    (group,) = summary.groups
    assert [(a.run_id, a.state) for a in group.active] == [(ARN, State.RUNNING)]
    assert (group.logical_runs, group.retried_share) == (1, 1.0)


@given(st.permutations(POLLS))
def test_a_summary_counts_the_redriven_execution_succeeded_and_retried(polls: list[dict[str, Any]]) -> None:
    (group,) = runstate.summarize(normalized(polls), by=["provider"], now=NOW).groups
    assert (group.outcomes, group.active, group.retried_share) == ({"SUCCEEDED": 1}, (), 1.0)


def test_the_redrive_outranks_the_failure_it_reruns() -> None:
    failed, pending, running, succeeded = normalized(POLLS)
    assert snapshot_rank(failed) < snapshot_rank(pending) < snapshot_rank(running) < snapshot_rank(succeeded)
    assert [repair_count(run) for run in (failed, running)] == [0, 1]


def test_a_redriven_execution_that_succeeded_closes_as_it_comes() -> None:
    def polls() -> Iterator[runstate.Run]:
        yield from normalized([SUCCEEDED])
        raise AssertionError("read past a final poll")

    logical = next(runstate.logical_runs(polls()))
    assert (logical.state, logical.repairs) == (State.SUCCEEDED, 1)


def test_details_that_look_like_a_repair_count_nothing_for_a_provider_that_does_not_rerun() -> None:
    run = runstate.Run(
        provider="glue", run_id="jr_1", state=State.SUCCEEDED,
        details={"repair_history": [{"type": "ORIGINAL"}, {"type": "REPAIR"}]},
    )  # fmt: skip
    assert (repair_count(run), single(run).retried) == (0, False)


def test_an_undeclared_reentry_edge_names_the_fix() -> None:
    spec = attrs.evolve(
        redrive_provider.SPEC, rerun_states=(), reruns=None, can_repair=False,
        native_edges=(NativeEdge("FAILED", "PENDING_REDRIVE"),),
    )  # fmt: skip
    with pytest.raises(runstate.ProviderSpecError) as raised:
        check_provider(spec)
    assert raised.value.problems == (
        (
            "native edge FAILED -> PENDING_REDRIVE maps onto illegal canonical step FAILED -> PENDING (if "
            "the provider re-runs a run in place, declare NativeEdge(..., repair=True) and FAILED in "
            "ProviderSpec.rerun_states)"
        ),
    )


_ADD = (
    "native edge {node} -> PENDING_REDRIVE maps onto illegal canonical step {state} -> PENDING "
    "(if the provider re-runs a {state} run in place, add it to ProviderSpec.rerun_states)"
)


def test_a_repair_edge_from_a_state_not_declared_names_the_state_to_add() -> None:
    spec = attrs.evolve(redrive_provider.SPEC, rerun_states={State.FAILED})
    with pytest.raises(runstate.ProviderSpecError) as raised:
        check_provider(spec)
    assert raised.value.problems == (
        _ADD.format(node="TIMED_OUT", state="TIMED_OUT"),
        _ADD.format(node="ABORTED", state="CANCELED"),
    )


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"rerun_states": {State.RUNNING}}, "rerun state <State.RUNNING: 'RUNNING'> is not a terminal state"),
        (
            {"rerun_states": (), "can_repair": False, "native_edges": ()},
            "reruns is given, but no rerun_states",
        ),
    ],
)
def test_a_rerun_declaration_that_cannot_hold_fails_the_check(changes: dict[str, Any], problem: str) -> None:
    with pytest.raises(runstate.ProviderSpecError, match="spec is invalid") as raised:
        check_provider(attrs.evolve(redrive_provider.SPEC, **changes))
    assert any(problem in found for found in raised.value.problems), raised.value.problems


def test_can_repair_follows_the_rerun_states_and_alone_means_every_terminal_state() -> None:
    acme = acme_provider.SPEC
    assert (acme.can_repair, acme.rerun_states) == (False, frozenset())
    shorthand = attrs.evolve(acme, can_repair=True)
    assert shorthand.rerun_states == RERUN_SOURCES == TERMINAL_STATES
    declared = attrs.evolve(acme, rerun_states={State.FAILED})
    assert (declared.can_repair, declared.rerun_states) == (True, frozenset({State.FAILED}))


@pytest.mark.parametrize("bad", [-1, 1.0, True, "1", None])
def test_a_rerun_count_that_is_not_a_count_is_a_clear_error(bad: Any) -> None:
    spec = attrs.evolve(redrive_provider.SPEC, reruns=lambda _run: bad)
    runstate.register_provider(spec)
    (run,) = normalized([RUNNING])
    with pytest.raises(runstate.ProviderSpecError, match=r"reruns gave .* for run 'arn:aws:states"):
        repair_count(run)
    with pytest.raises(runstate.ProviderSpecError, match=r"reruns gave .* for run 'arn:aws:states"):
        runstate.summarize([run])


def test_a_rerun_count_that_fails_is_a_clear_error() -> None:
    def broken(run: runstate.Run) -> int:
        return int(run.details["no such fact"])

    runstate.register_provider(attrs.evolve(redrive_provider.SPEC, reruns=broken))
    runs = normalized([FAILED, RUNNING])
    for read in (lambda: repair_count(runs[1]), lambda: list(runstate.logical_runs(runs))):
        with pytest.raises(runstate.ProviderSpecError, match="reruns raised KeyError: 'no such fact'"):
            read()
    with pytest.raises(runstate.ProviderSpecError, match=r"reruns raised KeyError"):
        runstate.summarize(runs)


@pytest.mark.parametrize("spec", [_databricks.SPEC, _databricks_system.SPEC])
def test_databricks_declares_repairs_from_every_ended_state_counted_by_repair_history(
    spec: ProviderSpec,
) -> None:
    assert (spec.rerun_states, spec.can_repair) == (TERMINAL_STATES, True)
    assert spec.reruns is not None
    history = [{"type": "ORIGINAL"}, {"type": "REPAIR"}, {"type": "REPAIR"}]
    run = runstate.Run(
        provider=spec.name, run_id="1", state=State.RUNNING, details={"repair_history": history}
    )
    assert (spec.reruns(run), repair_count(run), single(run).attempt_count) == (2, 2, 3)


def test_an_illegal_reentry_step_says_how_to_allow_it() -> None:
    (step,) = runstate.GRAPH.validate([State.FAILED, State.PENDING])
    assert step.hint is not None and "rerun_states" in step.hint
    with pytest.raises(
        runstate.IllegalTransitionError, match=r"FAILED -> PENDING at index 1 \(a re-run in place"
    ):
        runstate.GRAPH.check([State.FAILED, State.PENDING])
    error = step.to_error()
    assert str(pickle.loads(pickle.dumps(error))) == str(error)
    (other,) = runstate.GRAPH.validate([State.SUCCEEDED, State.BLOCKED])
    assert other.hint == step.hint  # every repair edge of the graph


def test_an_illegal_forward_step_has_no_hint() -> None:
    (step,) = runstate.GRAPH.validate([State.QUEUED, State.WAITING_FOR_RETRY])
    assert step.hint is None
    assert str(step.to_error()) == "illegal transition QUEUED -> WAITING_FOR_RETRY at index 1"


def test_the_tracker_gives_the_same_hint() -> None:
    tracker = runstate.RunTracker()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for minute, state in enumerate((State.RUNNING, State.FAILED, State.PENDING, State.RUNNING)):
            tracker.observe(state, datetime(2026, 3, 1, 0, minute, tzinfo=UTC))
    (step,) = tracker.illegal_steps
    assert (step.source, step.target) == (State.FAILED, State.PENDING)
    assert step.hint is not None and "allow_reentry=True" in step.hint
    assert runstate.RunTracker(allow_reentry=True).illegal_steps == []
