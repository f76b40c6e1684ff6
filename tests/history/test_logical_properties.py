"""``logical_runs`` against the grouping of ``tests/reference_history.py`` on generated histories:
the same logical runs, in the same order, with and without a horizon and a bounded memory of
closed runs. docs/dashboard.md says how runs link into logical runs.
"""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import runstate
from runstate import Run, State

from .. import reference_history
from .cases import HORIZONS, T0, any_runs, recent, vary
from .test_history import example_runs


def logical(runs: list[Run], horizon: timedelta | None) -> list[tuple[Any, tuple[Run, ...]]]:
    return [(lr.key, lr.attempts) for lr in runstate.logical_runs(runs, horizon=horizon)]


def reference_logical(runs: list[Run], horizon: timedelta | None) -> list[tuple[Any, tuple[Run, ...]]]:
    return [(lr.key, lr.attempts) for lr in reference_history.logical_runs(runs, horizon=horizon)]


@settings(max_examples=400)
@given(st.lists(any_runs(), max_size=25), HORIZONS, st.sampled_from([None, 1, 2]))
def test_logical_runs_equal_the_reference_grouping(
    runs: list[Run], horizon: timedelta | None, size: int | None
) -> None:
    with recent(size, also=reference_history):
        assert logical(runs, horizon) == reference_logical(runs, horizon)


@pytest.mark.parametrize("horizon", [None, timedelta(hours=6)])
def test_the_bundled_examples_varied_group_as_the_reference(horizon: timedelta | None) -> None:
    examples = [r for p in ("databricks", "glue", "cloud_deploy") for r in example_runs(p)]
    runs = list(vary(examples, random.Random(21), 60))
    assert logical(runs, horizon) == reference_logical(runs, horizon)


def test_a_run_held_alone_then_joined_into_another_chain_closes_with_that_chain_in_its_turn() -> None:
    """A run held alone is scheduled to close as itself; once it joined a larger chain, that entry is
    stale: the chain closes at its own entry, after the runs scheduled between them (as before)."""
    ended = T0 + timedelta(minutes=10)

    def failed(run_id: str, **links: Any) -> Run:
        return Run(provider="glue", run_id=run_id, state=State.FAILED, ended_at=ended, **links)

    runs = [
        failed("a"),
        failed("o"),
        failed("c", original_run_id="e", previous_run_id="d"),
        failed("b", original_run_id="e", previous_run_id="a", attempt=1),
        Run(provider="glue", run_id="z", state=State.RUNNING, started_at=ended + timedelta(minutes=1)),
    ]
    found = logical(runs, timedelta(0))
    assert [attempts[-1].run_id for _, attempts in found] == ["o", "b", "z"]
    assert found == reference_logical(runs, timedelta(0))
