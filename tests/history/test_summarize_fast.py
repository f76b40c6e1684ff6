"""The fast paths of ``logical_runs`` and ``summarize`` give what the old code gave.

``tests/reference_history.py`` and ``tests/reference_summarize.py`` are the code as it was before
the fast paths (a logical run of one attempt held as itself, bins counted outside the sketch, one
group lookup per run): every test here runs both on the same input and asserts equal results,
logical runs in the same order, summaries equal field by field (``to_dict`` too) and sketches with
the same bins.
"""

from __future__ import annotations

import math
import pickle
import random
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from types import MappingProxyType
from typing import Any
from unittest import mock

import attrs
import pytest
from ddsketch import DDSketch
from ddsketch.mapping import LogarithmicMapping
from hypothesis import given, settings
from hypothesis import strategies as st

import runstate
from runstate import Durations, Reason, Run, State, Summary
from runstate._history.summarize import RELATIVE_ACCURACY, Quantiles, bin_key

from .. import reference_history, reference_summarize
from .test_history import example_runs

T0 = datetime(2026, 3, 1, tzinfo=UTC)
NOW = T0 + timedelta(hours=5)
IDS = ("a", "b", "c", "d", "e")
BY = [
    ("provider", "namespace", "job_id"),
    ("job_id",),
    ("state", "reason"),
    ("name", "parent_run_id"),
    (),
]


def _time(minutes: int | None) -> datetime | None:
    return None if minutes is None else T0 + timedelta(minutes=minutes)


DURATIONS = st.none() | st.integers(-(10**7), 10**11).map(lambda us: timedelta(microseconds=us))
MINUTES = st.none() | st.integers(0, 240)
TASK = Run(provider="databricks", run_id="t", state=State.SUCCEEDED)


@st.composite
def any_runs(draw: st.DrawFn) -> Run:
    """A run with every field that grouping or summarizing reads drawn from a small pool, so that
    ids collide (snapshots), link (retries, reruns, cycles) and closed keys come back."""
    details: dict[str, Any] = {}
    if draw(st.booleans()):
        details["repair_history"] = [{"task_run_ids": [1]}] * draw(st.integers(0, 3))
    if draw(st.integers(0, 5)) == 0:
        details["active_intervals"] = [{"start": (T0 + timedelta(minutes=1)).isoformat(), "end": None}]
    return Run(
        provider=draw(st.sampled_from(["glue", "databricks"])),
        namespace=draw(st.sampled_from([None, "ns"])),
        run_id=draw(st.sampled_from(IDS)),
        job_id=draw(st.sampled_from([None, "j1", "j2"])),
        name=draw(st.sampled_from([None, "n"])),
        parent_run_id=draw(st.sampled_from([None, "p"])),
        state=draw(st.sampled_from(list(State))),
        reason=draw(st.sampled_from([None, *Reason])),
        message=draw(st.sampled_from([None, "m1", "m2"])),
        attempt=draw(st.integers(0, 2)),
        original_run_id=draw(st.sampled_from([None, "", *IDS])),
        previous_run_id=draw(st.sampled_from([None, "", *IDS])),
        created_at=_time(draw(MINUTES)),
        started_at=_time(draw(MINUTES)),
        ended_at=_time(draw(MINUTES)),
        updated_at=_time(draw(MINUTES)),
        durations=Durations(total=draw(DURATIONS), queue=draw(DURATIONS), execution=draw(DURATIONS)),
        details=MappingProxyType(details),
        tasks=(TASK,) * draw(st.integers(0, 1)),
        raw=draw(st.sampled_from([None, {"x": 1}])),
    )


HORIZONS = st.sampled_from([None, timedelta(0), timedelta(minutes=30), timedelta(hours=3)])


@contextmanager
def recent(size: int | None) -> Iterator[None]:
    """Both implementations remembering only the last ``size`` runs closed (``None``: as shipped)."""
    if size is None:
        yield
        return
    with (
        mock.patch("runstate._history.logical.RECENT_CLOSED", size),
        mock.patch.object(reference_history, "RECENT_CLOSED", size),
    ):
        yield


def logical(runs: list[Run], horizon: timedelta | None) -> list[tuple[Any, tuple[Run, ...]]]:
    return [(lr.key, lr.attempts) for lr in runstate.logical_runs(runs, horizon=horizon)]


def reference_logical(runs: list[Run], horizon: timedelta | None) -> list[tuple[Any, tuple[Run, ...]]]:
    return [(lr.key, lr.attempts) for lr in reference_history.logical_runs(runs, horizon=horizon)]


def bins(sketch: DDSketch) -> tuple[Any, ...]:
    """What a sketch's quantiles are read from: its non-empty bins, counts, min and max."""

    def stored(store: Any) -> list[tuple[int, float]]:
        return [(i + store.offset, c) for i, c in enumerate(store.bins) if c]

    return (stored(sketch._store), stored(sketch._negative_store), sketch._zero_count, sketch.count,
            sketch._min, sketch._max)  # fmt: skip


def assert_same_summary(new: Summary, old: Summary) -> None:
    assert new == old
    assert new.to_dict() == old.to_dict()
    for fresh, before in zip(new.groups, old.groups, strict=True):
        for name in ("total", "queue", "execution", "logical_total"):
            q, r = getattr(fresh, name), getattr(before, name)
            assert bins(q.sketch) == bins(r.sketch)
            assert math.isclose(q.sketch.sum, r.sketch.sum, rel_tol=1e-9, abs_tol=1e-6)
            for quantile in (0.0, 0.1, 0.5, 0.9, 0.95, 0.99, 1.0):
                assert q.sketch.get_quantile_value(quantile) == r.sketch.get_quantile_value(quantile)


@settings(max_examples=400)
@given(st.lists(any_runs(), max_size=25), HORIZONS, st.sampled_from([None, 1, 2]))
def test_logical_runs_equal_the_old_grouping(
    runs: list[Run], horizon: timedelta | None, size: int | None
) -> None:
    with recent(size):
        assert logical(runs, horizon) == reference_logical(runs, horizon)


@settings(max_examples=400)
@given(st.lists(any_runs(), max_size=25), HORIZONS, st.sampled_from(BY), st.sampled_from([None, 1, 3]))
def test_summaries_equal_the_old_summaries(
    runs: list[Run], horizon: timedelta | None, by: tuple[str, ...], size: int | None
) -> None:
    with recent(size):
        new = runstate.summarize(runs, by=by, now=NOW, horizon=horizon)
        old = reference_summarize.summarize(runs, by=by, now=NOW, horizon=horizon)
    assert_same_summary(new, old)
    assert pickle.loads(pickle.dumps(new)) == new


def vary(runs: list[Run], rng: random.Random, copies: int) -> Iterator[Run]:
    """``copies`` of some runs with new ids (links kept within a copy), jobs and times, shuffled a little."""
    out = []
    for copy in range(copies):
        ids = {r.run_id: f"{r.run_id}-{copy}" for r in runs}
        shift = timedelta(seconds=rng.randrange(0, 86_400 * 30))

        def moved(value: datetime | None, shift: timedelta = shift) -> datetime | None:
            return None if value is None else value + shift

        for run in runs:
            linked = {
                f: ids.get(getattr(run, f), getattr(run, f)) for f in ("original_run_id", "previous_run_id")
            }
            out.append(attrs.evolve(run, run_id=ids[run.run_id], job_id=f"{run.job_id}-{copy % 7}",
                                    created_at=moved(run.created_at), started_at=moved(run.started_at),
                                    ended_at=moved(run.ended_at), updated_at=moved(run.updated_at),
                                    **linked))  # fmt: skip
    for i in range(0, len(out) - 1, 3):  # a little disorder
        if rng.random() < 0.3:
            out[i], out[i + 1] = out[i + 1], out[i]
    return iter(out)


@pytest.mark.parametrize("horizon", [None, timedelta(hours=6)])
def test_the_bundled_examples_varied_summarize_as_before(horizon: timedelta | None) -> None:
    examples = [r for p in ("databricks", "glue", "cloud_deploy") for r in example_runs(p)]
    runs = list(vary(examples, random.Random(21), 60))
    now = datetime(2027, 1, 1, tzinfo=UTC)
    assert logical(runs, horizon) == reference_logical(runs, horizon)
    for by in BY:
        new = runstate.summarize(runs, by=by, now=now, horizon=horizon)
        assert_same_summary(new, reference_summarize.summarize(runs, by=by, now=now, horizon=horizon))


def test_fields_that_are_not_text_group_by_their_text_as_before() -> None:
    """A run built by hand may hold an int or a list where text belongs: grouped by ``str`` of it."""
    runs = [
        Run(provider="acme", run_id="1", job_id=7, state=State.SUCCEEDED),  # type: ignore[arg-type]
        Run(provider="acme", run_id="2", job_id="7", state=State.FAILED),
        Run(provider="acme", run_id="3", job_id=["x"], state=State.FAILED),  # type: ignore[arg-type]
        Run(provider="acme", run_id="4", job_id=7.0, state=State.SUCCEEDED),  # type: ignore[arg-type]
    ]
    new = runstate.summarize(runs, now=NOW)
    assert_same_summary(new, reference_summarize.summarize(runs, now=NOW))
    assert [g.key for g in new.groups] == [
        ("acme", None, "7"),
        ("acme", None, "7.0"),
        ("acme", None, "['x']"),
    ]


@given(st.floats(min_value=1e-6, max_value=1e15, allow_nan=False))
def test_bins_are_the_sketch_mapping_keys(seconds: float) -> None:
    assert bin_key(seconds) == LogarithmicMapping(RELATIVE_ACCURACY).key(seconds)


@given(st.lists(st.integers(-(10**12), 10**12).map(lambda us: timedelta(microseconds=us)), max_size=60))
def test_a_frozen_accumulator_is_the_sketch_of_each_value_added(values: list[timedelta]) -> None:
    new = runstate.summarize(
        [Run(provider="acme", run_id=str(i), state=State.SUCCEEDED, durations=Durations(total=v))
         for i, v in enumerate(values)],
        now=NOW,
    ).overall.total  # fmt: skip
    sketch = DDSketch(RELATIVE_ACCURACY)
    for value in values:
        sketch.add(value.total_seconds())
    micros = sum(values, timedelta(0)) // timedelta(microseconds=1)
    old = Quantiles.of(sketch, micros, (min(values), max(values)) if values else None)
    assert new == old
    assert bins(new.sketch) == bins(old.sketch)
    assert math.isclose(new.sketch.sum, sketch.sum, rel_tol=1e-9, abs_tol=1e-6)
    merged = new.merge(old)  # a frozen sketch merges like any other
    assert merged.count == 2 * len(values) and merged.p95 == old.merge(old).p95


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
