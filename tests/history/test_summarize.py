"""Summaries: counts, success rates per attempt and per logical run, sketches, merging, rendering."""

from __future__ import annotations

import json
import math
import pickle
import tracemalloc
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import runstate
from runstate import Run, State, Summary
from runstate._history.sketch import RELATIVE_ACCURACY
from runstate._history.table import human_duration, render_table
from runstate.provider_kit import make_durations, make_run

from .test_history import T0, example_runs, histories

NOW = datetime(2026, 12, 1, tzinfo=UTC)
History = tuple[list[list[Run]], list[Run]]


def total(value: timedelta) -> runstate.Durations:
    return make_durations(total=value)


@given(histories(), st.data())
def test_merging_a_partition_by_logical_run_equals_the_whole(history: History, data: st.DataObject) -> None:
    chains, snapshots = history
    side = {c[0].run_id[: c[0].run_id.index("a")]: data.draw(st.booleans()) for c in chains}
    left = [r for r in snapshots if side[r.run_id[: r.run_id.index("a")]]]
    right = [r for r in snapshots if not side[r.run_id[: r.run_id.index("a")]]]
    whole = runstate.summarize(snapshots, now=NOW)
    merged = runstate.summarize(left, now=NOW).merge(runstate.summarize(right, now=NOW))
    assert merged == whole
    assert merged.to_dict() == whole.to_dict()
    assert runstate.summarize(right, now=NOW).merge(runstate.summarize(left, now=NOW)) == whole


@given(histories())
def test_summarizing_a_time_ordered_stream_equals_holding_everything(history: History) -> None:
    _, snapshots = history
    ordered = sorted(snapshots, key=lambda r: max(t for t in (r.started_at, r.ended_at) if t is not None))
    streamed = runstate.summarize(ordered, now=NOW, horizon=timedelta(hours=2))
    assert streamed == runstate.summarize(snapshots, now=NOW)


@given(histories())
def test_success_per_logical_run_is_never_below_success_per_attempt(history: History) -> None:
    _, snapshots = history  # only the last attempt of a chain may succeed
    summary = runstate.summarize(snapshots, now=NOW)
    for group in (*summary.groups, summary.overall):
        if group.logical_success_rate is not None:
            assert group.success_rate is not None
            assert group.logical_success_rate >= group.success_rate
        assert group.retried_succeeded <= group.retried <= group.logical_runs <= group.runs


@given(histories())
def test_counts_add_up(history: History) -> None:
    chains, snapshots = history
    overall = runstate.summarize(snapshots, now=NOW).overall
    assert overall.runs == sum(len(c) for c in chains) == sum(overall.by_state.values())
    assert overall.logical_runs == len(chains) == sum(overall.outcomes.values())
    assert overall.retried == sum(len(c) > 1 for c in chains)
    assert len(overall.active) == sum(not c[-1].is_terminal for c in chains)
    assert overall.total.count == sum(r.durations.total is not None for c in chains for r in c)


@given(st.lists(st.integers(0, 10**9), min_size=1, max_size=300))
def test_quantiles_stay_within_the_documented_relative_error(micros: list[int]) -> None:
    runs = [
        Run(provider="acme", run_id=str(i), state=State.SUCCEEDED, durations=total(timedelta(microseconds=m)))
        for i, m in enumerate(micros)
    ]
    quantiles = runstate.summarize(runs, now=NOW).overall.total
    values = sorted(m / 1e6 for m in micros)
    assert quantiles.max == timedelta(microseconds=max(micros))
    assert quantiles.min == timedelta(microseconds=min(micros))
    assert quantiles.sum == timedelta(microseconds=sum(micros))
    for q, reported in ((0.5, quantiles.p50), (0.95, quantiles.p95)):
        true = values[max(1, math.ceil(q * len(values))) - 1]  # the nearest rank
        assert reported is not None
        assert abs(reported.total_seconds() - true) <= true * RELATIVE_ACCURACY + 1e-6


@pytest.mark.parametrize("edge", [timedelta.max, timedelta.min])
def test_quantiles_near_the_limits_of_timedelta_stay_within_them(edge: timedelta) -> None:
    values = [edge, edge, edge - edge / 1000, edge / 2]
    runs = [
        Run(provider="acme", run_id=str(i), state=State.SUCCEEDED, durations=total(value))
        for i, value in enumerate(values)
    ]
    quantiles = runstate.summarize(runs, now=NOW).overall.total
    assert quantiles.p50 is not None and quantiles.p95 is not None
    assert min(values) <= quantiles.p50 <= quantiles.p95 <= max(values)


def test_a_retry_that_succeeds_counts_as_success_and_as_retried() -> None:
    summary = runstate.summarize(example_runs("glue"), now=NOW)
    (orders,) = [g for g in summary.groups if g.key == ("glue", None, "orders-etl")]
    assert (orders.runs, orders.logical_runs, orders.retried, orders.retried_succeeded) == (6, 5, 1, 1)
    assert orders.by_state["FAILED"] == 1 and "FAILED" not in orders.outcomes
    assert (orders.succeeded, orders.finished) == (2, 4)  # per attempt: 2 of 4
    assert (orders.logical_succeeded, orders.logical_finished) == (2, 3)  # the retried one succeeded
    assert [a.state for a in orders.active] == [State.RUNNING, State.QUEUED]


def test_active_runs_carry_their_elapsed_time_at_now() -> None:
    run = Run(provider="acme", run_id="r", job_id="j", state=State.RUNNING, started_at=T0)
    (active,) = runstate.summarize([run], now=T0 + timedelta(minutes=72)).overall.active
    assert (active.run_id, active.state, active.elapsed) == ("r", State.RUNNING, timedelta(minutes=72))
    assert active.to_dict()["elapsed"] == 4320.0


def test_bundled_examples_summarize_to_json_and_pickle() -> None:
    runs = [r for p in ("databricks", "glue", "cloud_deploy") for r in example_runs(p)]
    summary = runstate.summarize(runs, now=NOW)
    data = json.loads(json.dumps(summary.to_dict()))
    assert data["overall"]["runs"] == len(runs) == 36
    assert data["overall"]["logical_runs"] == 34  # a Cloud Deploy deploy that failed and was retried is one
    assert {tuple(g["key"].values()) for g in data["groups"]} == {g.key for g in summary.groups}
    workspace = "databricks:4182273356919541"  # the bundled examples' workspace, from run_page_url's ?o=
    assert data["slowest"][0] == {"provider": "databricks", "namespace": workspace, "job_id": "44120938117"}
    assert data["most_retried"] == [
        {"provider": "databricks", "namespace": workspace, "job_id": "731845126650193"},
        {
            "provider": "cloud_deploy",
            "namespace": "gcp:acme-shop-prod:us-central1",
            "job_id": "web-frontend/stable/deploy",
        },
        {"provider": "glue", "namespace": None, "job_id": "orders-etl"},
    ]
    assert pickle.loads(pickle.dumps(summary)) == summary


def test_group_by_other_fields_and_refuse_unknown_ones() -> None:
    summary = runstate.summarize(example_runs("glue"), by=("state",), now=NOW)
    assert summary.by == ("state",)
    assert {g.key for g in summary.groups} >= {("SUCCEEDED",), ("FAILED",), ("RUNNING",)}
    with pytest.raises(runstate.InvalidRecordError, match="cannot group by it") as caught:
        runstate.summarize([], by=("durations",))
    assert caught.value.field == "by"


def test_merging_summaries_grouped_differently_is_refused() -> None:
    a = runstate.summarize([], now=NOW)
    b = runstate.summarize([], by=("job_id",), now=NOW)
    with pytest.raises(runstate.InvalidRecordError, match="cannot merge"):
        a.merge(b)


def test_a_naive_now_is_refused() -> None:
    with pytest.raises(runstate.InvalidRecordError, match="timezone-aware"):
        runstate.summarize([], now=datetime(2026, 1, 1))


def test_an_empty_history_summarizes_to_nothing() -> None:
    summary = runstate.summarize([], now=NOW)
    assert summary == Summary(("provider", "namespace", "job_id"))
    overall = summary.overall
    assert (overall.runs, overall.success_rate, overall.total.p95) == (0, None, None)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, "-"),
        (timedelta(0), "0s"),
        (timedelta(seconds=0.4), "0s"),
        (timedelta(seconds=42), "42s"),
        (timedelta(minutes=4, seconds=5), "4m05s"),
        (timedelta(hours=1, minutes=12, seconds=12), "1h12m"),
        (timedelta(days=2, hours=3), "2d03h"),
        (timedelta(minutes=9, seconds=59.6), "10m00s"),
        (timedelta(seconds=-90), "-1m30s"),
    ],
)
def test_human_durations(value: timedelta | None, text: str) -> None:
    assert human_duration(value) == text


def test_the_human_table() -> None:
    runs = [
        Run(provider="glue", run_id="a", job_id="etl", state=State.FAILED, started_at=T0,
            durations=runstate.Durations(total=timedelta(minutes=10))),
        Run(provider="glue", run_id="a_attempt_1", job_id="etl", state=State.SUCCEEDED, attempt=1,
            original_run_id="a", previous_run_id="a", durations=total(timedelta(hours=1, minutes=12))),
        Run(provider="glue", run_id="b", job_id="etl", state=State.RUNNING, started_at=T0),
        Run(provider="glue", run_id="c", namespace="aws:1:eu-west-1", job_id="load", state=State.FAILED,
            durations=runstate.Durations(total=timedelta(seconds=42))),
    ]  # fmt: skip
    table = render_table(runstate.summarize(runs, now=NOW))
    assert table == (
        "PROVIDER  NAMESPACE        JOB_ID  RUNS  LOGICAL  SUCCESS  RETRIED     P50    P95  ACTIVE\n"
        "glue      aws:1:eu-west-1  load       1        1       0%       0%     42s    42s       0\n"
        "glue      -                etl        3        2     100%      50%  10m00s  1h12m       1\n"
        "all                                   4        3      50%      33%   9m56s  1h12m       1\n"
    )


def test_now_defaults_to_the_current_time() -> None:
    run = Run(provider="acme", run_id="r", state=State.RUNNING, started_at=T0)
    (active,) = runstate.summarize([run]).overall.active
    assert active.elapsed is not None and active.elapsed > timedelta(0)


# --- memory: bounded by groups and open logical runs, not by runs ------------------------------------

PEAK_BYTES = 8_000_000
"""The documented ceiling (docs/dashboard.md) of a summary's peak memory over a history of logical
runs that end (measured: about 3.2 MB after 40,000 and after 120,000 runs, and at 50,000 and 200,000;
holding every run took 780 B per run)."""


def ended_history(count: int) -> Iterator[Run]:
    """``count`` runs in time order, as a day's job runs read: chains of one to three attempts (failed
    ones retried, Glue style), every one ending SUCCEEDED, CANCELED or SKIPPED; one attempt in four
    seen twice (a poller's RUNNING snapshot, then the final one); 40 jobs."""
    made = chain = 0
    unsplit = make_durations()
    while made < count:
        root, start = f"jr_{chain:012d}", T0 + timedelta(minutes=chain)
        length = 1 + (chain % 7 == 0) + (chain % 21 == 0)
        final = (State.SUCCEEDED, State.CANCELED, State.SKIPPED)[(chain % 30 == 0) + (chain % 90 == 0)]
        for i in range(length):
            at = start + timedelta(minutes=3 * i)
            spent = timedelta(seconds=60 + chain % 97)
            fields: dict[str, Any] = {
                "namespace": "aws:1:eu-west-1", "job_id": f"job{chain % 40}", "attempt": i,
                "original_run_id": root if i else None,
                "previous_run_id": (f"{root}_attempt_{i - 1}" if i > 1 else root) if i else None,
                "started_at": at,
            }  # fmt: skip
            run_id = f"{root}_attempt_{i}" if i else root
            if made % 4 == 0:
                yield make_run("glue", run_id, state=State.RUNNING, durations=unsplit, **fields)
                made += 1
            state = final if i == length - 1 else State.FAILED
            yield make_run("glue", run_id, state=state, ended_at=at + spent, durations=total(spent), **fields)
            made += 1
        chain += 1


def summary_peaks(count: int, midway: int) -> tuple[int, int]:
    """tracemalloc's peak after ``midway`` and after all ``count`` runs of one summary of generated
    runs, generation included: one pass measures both (the summary reads its input lazily)."""
    peaks: list[int] = []

    def history() -> Iterator[Run]:
        for index, run in enumerate(ended_history(count)):
            if index == midway:
                peaks.append(tracemalloc.get_traced_memory()[1])
            yield run

    tracemalloc.start()
    try:
        runstate.summarize(history(), now=NOW)
        return peaks[0], tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_stays_bounded_however_many_runs() -> None:
    """Logical runs that end SUCCEEDED, CANCELED or SKIPPED close at once: the peak after 40,000 runs
    (past the remembered closed runs' window) stays the peak after 120,000, under the documented figure
    (it was 780 B per run, 94 MB here)."""
    small, large = summary_peaks(120_000, midway=40_000)
    assert small < PEAK_BYTES and large < PEAK_BYTES
    assert large < small * 1.25  # three times the runs, not three times the memory
    runs = list(ended_history(2_000))
    overall = runstate.summarize(runs, now=NOW).overall
    assert overall.runs == len({r.run_id for r in runs}) < len(runs)  # the RUNNING snapshots folded
    assert overall.logical_runs == len({r.original_run_id or r.run_id for r in runs})
    assert overall.retried == len({r.original_run_id for r in runs if r.original_run_id})
    assert overall.active == ()


def test_sums_past_timedelta_max_stay_exact() -> None:
    """Durations of 99 years each (a provider refuses only longer ones) sum past ``timedelta.max``
    (999,999,999 days) once a group has ~28,000 of them: the summary and its merges go on, ``micros``
    keeps the exact sum and ``sum`` says it is out of range with ``None`` instead of a bare
    OverflowError or a clamped value. The runs are built with the kit (a record's times over 100
    years apart are refused by the provider)."""
    total = timedelta(days=99 * 365)
    durations = make_durations(total=total)
    per_group = timedelta.max // total + 10  # the smallest count that overflows, and a few more
    runs = [
        make_run("databricks", str(i), state=State.SUCCEEDED, job_id=str(i % 2), durations=durations)
        for i in range(2 * per_group)
    ]
    summary = runstate.summarize(runs)
    each = total // timedelta(microseconds=1)
    assert per_group * each > timedelta.max // timedelta(microseconds=1)
    for group in summary.groups:
        assert (group.total.count, group.total.micros, group.total.sum) == (per_group, per_group * each, None)
        assert group.total.p95 == group.total.max == total
    overall = summary.overall.total
    assert (overall.count, overall.micros, overall.sum) == (2 * per_group, 2 * per_group * each, None)
    assert overall.sketch.micros() == 2 * per_group * each
    few = runstate.summarize(runs[:2]).groups[0].total
    assert (few.sum, few.micros) == (total, each)


@pytest.mark.parametrize("now", ["2026-03-01T11:00:00Z", 5])
def test_now_that_is_no_datetime_is_refused_by_name(now: object) -> None:
    """Text (as the CLI's --now is typed) or a number was a bare AttributeError; a naive datetime
    already had its InvalidRecordError."""
    record = {"Id": "jr_1", "JobRunState": "RUNNING", "StartedOn": "2026-03-01T10:00:00Z"}
    run = runstate.normalize("glue", record)
    with pytest.raises(runstate.InvalidRecordError, match="now: expected an aware datetime"):
        runstate.summarize([run], now=now)  # type: ignore[arg-type]
    with pytest.raises(runstate.InvalidRecordError, match="now: expected an aware datetime"):
        run.elapsed(now=now)  # type: ignore[arg-type]
