"""``logical_runs`` against the grouping of ``tests/reference_history.py`` on generated histories:
the same logical runs, in the same order, with and without a horizon and a bounded memory of
closed runs. docs/dashboard.md says how runs link into logical runs.
"""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import runstate
from runstate import Run, State
from runstate._history.logical import provider_rules, snapshot_rank

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


def components(runs: list[Run]) -> set[frozenset[tuple[Any, ...]]]:
    """The runs linked through any lineage field or retry key, by union-find: plainly, what one
    logical run holds when none of them can close it early."""
    parent: dict[Any, Any] = {}

    def find(node: Any) -> Any:
        while parent.setdefault(node, node) != node:
            node = parent[node]
        return node

    for run in runs:
        key = (run.namespace, run.provider, run.run_id)
        links: list[tuple[Any, ...]] = [
            (run.namespace, run.provider, i) for i in (run.original_run_id, run.previous_run_id) if i
        ]
        retry_key = provider_rules(run.provider)[1]
        if retry_key is not None and (group := retry_key(run)):
            links.append((run.namespace, run.provider, "retry_key", group))
        for link in links:
            parent[find(link)] = find(key)
    found: dict[Any, set[tuple[Any, ...]]] = {}
    for run in runs:
        key = (run.namespace, run.provider, run.run_id)
        found.setdefault(find(key), set()).add(key)
    return {frozenset(members) for members in found.values()}


OPEN_STATES = [s for s in State if not s.is_terminal] + [State.FAILED, State.TIMED_OUT]


@settings(max_examples=300)
@given(st.lists(st.tuples(any_runs(), st.sampled_from(OPEN_STATES)), max_size=25))
def test_runs_no_attempt_closes_are_grouped_by_their_links(drawn: list[tuple[Run, State]]) -> None:
    """Without a final attempt nothing closes before the input ends: the logical runs are the linked
    sets of runs, each attempt the best snapshot of its run, in order of first start."""
    runs = [attrs.evolve(run, state=state) for run, state in drawn]
    found = list(runstate.logical_runs(runs))
    grouped = {frozenset((a.namespace, a.provider, a.run_id) for a in lr.attempts) for lr in found}
    assert grouped == components(runs)
    best: dict[tuple[Any, ...], Run] = {}
    for run in runs:
        key = (run.namespace, run.provider, run.run_id)
        if key not in best or snapshot_rank(run) > snapshot_rank(best[key]):
            best[key] = run
    assert all(a is best[(a.namespace, a.provider, a.run_id)] for lr in found for a in lr.attempts)
    starts = [lr.first_started_at for lr in found]
    assert starts == sorted(starts, key=lambda start: (start is None, start or T0))
