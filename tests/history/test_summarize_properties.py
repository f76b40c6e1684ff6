"""``summarize`` against its definition, computed plainly here from ``logical_runs`` on generated
histories: attempts count in the group of their own key, a logical run in its latest attempt's;
counts exact, the sums, minima and maxima exact, p50 and p95 within the sketch's relative accuracy
of the exact nearest-rank value. docs/dashboard.md defines each number.
"""

from __future__ import annotations

import math
import pickle
import random
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import runstate
from runstate import LogicalRun, Run, State, Summary
from runstate._core.vocabulary import Phase
from runstate._history.sketch import RELATIVE_ACCURACY
from runstate._history.summarize import ActiveRun, GroupSummary, Quantiles

from .cases import BY, HORIZONS, NOW, any_runs, recent, vary
from .test_history import example_runs

_ACTIVE = (Phase.PENDING, Phase.RUNNING, Phase.TERMINATING)
_ONE_US = timedelta(microseconds=1)


def active_run(run: Run, now: datetime) -> ActiveRun:
    return ActiveRun(run.provider, run.namespace, run.job_id, run.run_id, run.state, run.started_at,
                     run.elapsed(now))  # fmt: skip


def started_first(run: ActiveRun) -> tuple[Any, ...]:
    """Active runs by start (unstarted last), then provider, namespace and id."""
    return (run.started_at is None, run.started_at or NOW, run.provider, run.namespace or "", run.run_id)


class Plain:
    """One group's numbers as the definitions say, from whole attempts and logical runs."""

    def __init__(self) -> None:
        self.attempts: list[Run] = []
        self.logical: list[LogicalRun] = []

    def outcome_counts(self, runs: list[Run]) -> tuple[int, int]:
        finished = [r for r in runs if r.is_terminal and r.state is not State.SKIPPED]
        return len(finished), sum(r.state is State.SUCCEEDED for r in finished)

    def numbers(self, now: datetime) -> dict[str, Any]:
        latest = [lr.latest for lr in self.logical]
        finished, succeeded = self.outcome_counts(self.attempts)
        logical_finished, logical_succeeded = self.outcome_counts(latest)
        retried = [lr for lr in self.logical if lr.retried]
        active = [active_run(r, now) for r in latest if not r.is_terminal and r.phase in _ACTIVE]
        return {
            "runs": len(self.attempts),
            "logical_runs": len(self.logical),
            "by_state": dict(sorted(Counter(r.state.value for r in self.attempts).items())),
            "by_reason": dict(sorted(Counter(r.reason.value for r in self.attempts if r.reason).items())),
            "outcomes": dict(sorted(Counter(r.state.value for r in latest).items())),
            "finished": finished,
            "succeeded": succeeded,
            "logical_finished": logical_finished,
            "logical_succeeded": logical_succeeded,
            "retried": len(retried),
            "retried_succeeded": sum(lr.latest.state is State.SUCCEEDED for lr in retried),
            "active": sorted(active, key=started_first),
        }

    def durations(self) -> dict[str, list[timedelta]]:
        def present(values: Any) -> list[timedelta]:
            return [v for v in values if v is not None]

        return {
            "total": present(r.durations.total for r in self.attempts),
            "queue": present(r.durations.queue for r in self.attempts),
            "execution": present(r.durations.execution for r in self.attempts),
            "logical_total": present(lr.total for lr in self.logical if lr.latest.is_terminal),
        }


def key_of(run: Run, by: tuple[str, ...]) -> tuple[str | None, ...]:
    return tuple(None if getattr(run, n) is None else str(getattr(run, n)) for n in by)


def plain_groups(runs: list[Run], by: tuple[str, ...], horizon: timedelta | None) -> dict[Any, Plain]:
    """The groups of the logical runs of ``runs`` as a summary reads them: without their records
    and tasks (so snapshots that differ only in their tasks fold in input order)."""
    groups: dict[Any, Plain] = {}
    slim = [attrs.evolve(run, raw=None, tasks=()) for run in runs]
    for logical in runstate.logical_runs(slim, horizon=horizon):
        for attempt in logical.attempts:
            groups.setdefault(key_of(attempt, by), Plain()).attempts.append(attempt)
        groups.setdefault(key_of(logical.latest, by), Plain()).logical.append(logical)
    return groups


def assert_quantiles(found: Quantiles, values: list[timedelta]) -> None:
    """Count, sum and bounds exact; p50 and p95 the nearest-rank values within the accuracy."""
    micros = sum(v // _ONE_US for v in values)
    assert (found.count, found.micros) == (len(values), micros)
    if not values:
        assert (found.p50, found.p95, found.min, found.max, found.sum) == (
            None,
            None,
            None,
            None,
            timedelta(0),
        )
        return
    ordered = sorted(values)
    assert (found.min, found.max) == (ordered[0], ordered[-1])
    assert found.sum == (timedelta(microseconds=micros) if abs(micros) <= timedelta.max // _ONE_US else None)
    for q, got in ((0.5, found.p50), (0.95, found.p95)):
        exact = ordered[max(1, math.ceil(q * len(values))) - 1]
        assert got is not None and ordered[0] <= got <= ordered[-1]
        error = abs((got - exact).total_seconds())
        assert error <= RELATIVE_ACCURACY * abs(exact.total_seconds()) + 1e-6  # + the microsecond rounding


def assert_group(group: GroupSummary, plain: Plain, now: datetime) -> None:
    numbers = plain.numbers(now)
    assert {name: getattr(group, name) for name in numbers if name != "active"} == {
        name: value for name, value in numbers.items() if name != "active"
    }
    assert list(group.active) == numbers["active"]
    for name, values in plain.durations().items():
        assert_quantiles(getattr(group, name), values)


def assert_summary(
    summary: Summary, runs: list[Run], by: tuple[str, ...], now: datetime, horizon: timedelta | None
) -> None:
    groups = plain_groups(runs, by, horizon)
    assert [g.key for g in summary.groups] == sorted(groups, key=lambda k: [(v is None, v or "") for v in k])
    for group in summary.groups:
        assert_group(group, groups[group.key], now)
    everything = Plain()
    for plain in groups.values():
        everything.attempts += plain.attempts
        everything.logical += plain.logical
    assert_group(summary.overall, everything, now)


@settings(max_examples=400)
@given(st.lists(any_runs(), max_size=25), HORIZONS, st.sampled_from(BY), st.sampled_from([None, 1, 3]))
def test_a_summary_is_its_definition_over_the_logical_runs(
    runs: list[Run], horizon: timedelta | None, by: tuple[str, ...], size: int | None
) -> None:
    with recent(size):
        summary = runstate.summarize(runs, by=by, now=NOW, horizon=horizon)
        assert_summary(summary, runs, by, NOW, horizon)
    assert pickle.loads(pickle.dumps(summary)) == summary
    assert pickle.loads(pickle.dumps(summary)).to_dict() == summary.to_dict()


@pytest.mark.parametrize("horizon", [None, timedelta(hours=6)])
def test_the_bundled_examples_varied_summarize_by_the_definition(horizon: timedelta | None) -> None:
    examples = [r for p in ("databricks", "glue", "cloud_deploy") for r in example_runs(p)]
    runs = list(vary(examples, random.Random(21), 60))
    now = datetime(2027, 1, 1, tzinfo=UTC)
    for by in BY:
        assert_summary(runstate.summarize(runs, by=by, now=now, horizon=horizon), runs, by, now, horizon)


def test_fields_that_are_not_text_group_by_their_text() -> None:
    """A run built by hand may hold an int or a list where text belongs: grouped by ``str`` of it."""
    runs = [
        Run(provider="acme", run_id="1", job_id=7, state=State.SUCCEEDED),  # type: ignore[arg-type]
        Run(provider="acme", run_id="2", job_id="7", state=State.FAILED),
        Run(provider="acme", run_id="3", job_id=["x"], state=State.FAILED),  # type: ignore[arg-type]
        Run(provider="acme", run_id="4", job_id=7.0, state=State.SUCCEEDED),  # type: ignore[arg-type]
    ]
    summary = runstate.summarize(runs, now=NOW)
    assert_summary(summary, runs, ("provider", "namespace", "job_id"), NOW, None)
    assert [g.key for g in summary.groups] == [
        ("acme", None, "7"),
        ("acme", None, "7.0"),
        ("acme", None, "['x']"),
    ]


@given(st.lists(st.integers(-(10**12), 10**12).map(lambda us: timedelta(microseconds=us)), max_size=60))
def test_quantiles_of_any_durations_and_their_merge(values: list[timedelta]) -> None:
    runs = [Run(provider="acme", run_id=str(i), state=State.SUCCEEDED, durations=runstate.Durations(total=v))
            for i, v in enumerate(values)]  # fmt: skip
    total = runstate.summarize(runs, now=NOW).overall.total
    assert_quantiles(total, values)
    assert_quantiles(total.merge(total), values + values)
    assert_quantiles(total.merge(Quantiles()), values)
