"""Logical runs (attempts, retries, repairs, snapshots) and the latest attempt of each task."""

from __future__ import annotations

import copy
import itertools
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from importlib import resources
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import runstate
from runstate import LogicalRun, Run, State

from ..paths import FIXTURES

FIXTURES = FIXTURES
T0 = datetime(2026, 1, 1, tzinfo=UTC)
FAILURES = [State.FAILED, State.TIMED_OUT, State.CANCELED]
RETRIED = [State.FAILED, State.TIMED_OUT]
"""What providers retry (Glue: after a run fails; Databricks: FAILED, and timeouts with
retry_on_timeout): an attempt in one of these may be followed by another."""
NOT_ENDED = [State.QUEUED, State.PENDING, State.RUNNING, State.TERMINATING]


def example_runs(provider: str) -> list[Run]:
    ref = resources.files("runstate").joinpath("examples", f"{provider}.jsonl")
    with ref.open("r", encoding="utf-8") as lines:
        return list(runstate.normalize_many(provider, map(json.loads, lines)))


def fixture(provider: str, name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / provider / f"{name}.json").read_text())
    return data


# --- a generated history: chains of attempts, each seen in one or more snapshots -------------------


def _attempt(chain: int, index: int, style: str, state: State, provider: str, namespace: str | None) -> Run:
    first = f"c{chain}a0"
    run_id = first if index == 0 else f"c{chain}a{index}"
    start = T0 + timedelta(hours=chain, minutes=10 * index)
    ended = state.is_terminal
    total = timedelta(minutes=3 + index + chain % 5) if ended else None
    return Run(
        provider=provider,
        namespace=namespace,
        run_id=run_id,
        job_id=f"job{chain % 3}",
        state=state,
        attempt=0 if style == "rerun" or index == 0 else index,
        original_run_id=None if index == 0 or style == "rerun" else first,
        previous_run_id=None
        if index == 0 or (style == "databricks" and index > 1)
        else f"c{chain}a{index - 1}",
        started_at=start,
        ended_at=start + total if total is not None else None,
        durations=runstate.Durations(total=total),
    )


@st.composite
def chains(draw: st.DrawFn, chain: int) -> list[Run]:
    """One logical run's attempts (final snapshots), in order: only the last may succeed, and only
    a failed or timed-out attempt is followed by another (no provider retries CANCELED)."""
    length = draw(st.integers(1, 4))
    style = draw(st.sampled_from(["glue", "databricks", "rerun"]))
    provider = draw(st.sampled_from(["glue", "databricks"]))
    namespace = draw(st.sampled_from([None, "ns1", "ns2"]))
    states = [draw(st.sampled_from(RETRIED)) for _ in range(length - 1)]
    states.append(draw(st.sampled_from([State.SUCCEEDED, *FAILURES, *NOT_ENDED])))
    return [_attempt(chain, i, style, s, provider, namespace) for i, s in enumerate(states)]


@st.composite
def histories(draw: st.DrawFn) -> tuple[list[list[Run]], list[Run]]:
    """(the chains, every snapshot of them shuffled): earlier snapshots of an attempt are less advanced."""
    expected = [draw(chains(i)) for i in range(draw(st.integers(1, 6)))]
    snapshots: list[Run] = []
    for attempts in expected:
        for run in attempts:
            snapshots.append(run)
            if run.is_terminal and draw(st.booleans()):
                snapshots.append(
                    attrs.evolve(run, state=State.RUNNING, ended_at=None, durations=runstate.Durations())
                )
            if draw(st.booleans()):
                snapshots.append(run)  # the same answer twice (a poller's history)
    return expected, draw(st.permutations(snapshots))


History = tuple[list[list[Run]], list[Run]]


def grouping(runs: list[Run]) -> list[tuple[Any, tuple[str, ...]]]:
    """The logical runs as (key, attempt ids), sorted: they come as they close, which input order decides."""
    found = [(lr.key, tuple(a.run_id for a in lr.attempts)) for lr in runstate.logical_runs(runs)]
    return sorted(found, key=lambda pair: (pair[0][0] or "", *pair[0][1:]))


@given(histories(), st.randoms(use_true_random=False))
def test_grouping_does_not_depend_on_input_order(history: History, rnd: Any) -> None:
    expected, snapshots = history
    shuffled = list(snapshots)
    rnd.shuffle(shuffled)
    assert grouping(snapshots) == grouping(shuffled)
    assert sorted(attempts for _, attempts in grouping(snapshots)) == sorted(
        tuple(run.run_id for run in chain) for chain in expected
    )


@given(histories())
def test_every_run_lands_in_exactly_one_logical_run(history: History) -> None:
    _, snapshots = history
    placed = [
        (a.namespace, a.provider, a.run_id) for lr in runstate.logical_runs(snapshots) for a in lr.attempts
    ]
    assert len(placed) == len(set(placed))
    assert set(placed) == {(r.namespace, r.provider, r.run_id) for r in snapshots}


@given(histories())
def test_attempts_form_one_chain_of_final_snapshots(history: History) -> None:
    expected, snapshots = history
    by_root = {(c[0].namespace, c[0].provider, c[0].run_id): c for c in expected}
    for lr in runstate.logical_runs(snapshots):
        chain = by_root[lr.key]
        assert lr.attempts == tuple(chain)  # in order, each the latest snapshot
        ids = [a.run_id for a in lr.attempts]
        for i, attempt in enumerate(lr.attempts[1:], start=1):
            assert {attempt.previous_run_id, attempt.original_run_id} & set(ids[:i])
        assert lr.latest is lr.attempts[-1]
        assert (lr.state, lr.reason) == (chain[-1].state, chain[-1].reason)
        assert lr.attempt_count == len(chain)
        assert lr.retried is (len(chain) > 1)


@given(histories())
def test_total_is_the_sum_of_the_attempts_totals(history: History) -> None:
    _, snapshots = history
    for lr in runstate.logical_runs(snapshots):
        totals = [a.durations.total for a in lr.attempts]
        if None in totals:
            assert lr.total is None
            assert lr.last_ended_at is None
        else:
            assert lr.total == sum((t for t in totals if t is not None), timedelta(0))
            assert lr.wall == lr.attempts[-1].ended_at - lr.attempts[0].started_at  # type: ignore[operator]
            assert lr.total is not None and lr.wall is not None and lr.total <= lr.wall
        assert lr.first_started_at == lr.attempts[0].started_at


def _newest(run: Run) -> datetime:
    return max(t for t in (run.ended_at, run.started_at, run.updated_at, run.created_at) if t is not None)


def by_key(lr: LogicalRun) -> tuple[str, str, str]:
    return (lr.key[0] or "", lr.key[1], lr.key[2])


@given(histories())
def test_streaming_time_ordered_input_groups_as_holding_everything(history: History) -> None:
    _, snapshots = history
    ordered = sorted(snapshots, key=_newest)  # chains start an hour apart, retries within 40 minutes
    streamed = runstate.logical_runs(ordered, horizon=timedelta(hours=2))
    assert sorted(streamed, key=by_key) == sorted(runstate.logical_runs(snapshots), key=by_key)


def test_streaming_yields_ended_logical_runs_without_reading_everything() -> None:
    read = 0

    def daily() -> Iterator[Run]:
        nonlocal read
        for day in range(1000):
            start = T0 + timedelta(days=day)
            for attempt, state in enumerate([State.FAILED, State.SUCCEEDED]):
                read += 1
                yield Run(provider="glue", run_id=f"jr_{day}" + (f"_attempt_{attempt}" if attempt else ""),
                          state=state, attempt=attempt, original_run_id=f"jr_{day}" if attempt else None,
                          started_at=start + timedelta(minutes=30 * attempt),
                          ended_at=start + timedelta(minutes=30 * attempt + 20))  # fmt: skip

    stream = runstate.logical_runs(daily(), horizon=timedelta(hours=6))
    first = next(stream)
    assert [a.run_id for a in first.attempts] == ["jr_0", "jr_0_attempt_1"]
    assert read == 2  # its success closed day 0: no provider retries a SUCCEEDED run
    assert sum(1 for _ in stream) == 999


def test_a_logical_run_closes_as_soon_as_it_cannot_change() -> None:
    """Without a horizon: a logical run whose attempts are all in and ended, the latest SUCCEEDED,
    CANCELED or SKIPPED, comes at once; one that failed (it may still be retried), whose attempt
    numbers leave a gap, or that names a run not read yet, waits for the end of the input."""
    read: list[str] = []
    runs = [
        Run(provider="glue", run_id="x", state=State.FAILED, started_at=T0),
        Run(provider="glue", run_id="y_attempt_1", state=State.SUCCEEDED, attempt=1, original_run_id="y"),
        Run(provider="glue", run_id="g_attempt_2", state=State.SUCCEEDED, attempt=2, original_run_id="g"),
        Run(provider="glue", run_id="g", state=State.FAILED, started_at=T0 + timedelta(hours=1)),
        Run(provider="glue", run_id="y", state=State.FAILED),
        Run(provider="glue", run_id="z", state=State.CANCELED),
        Run(provider="glue", run_id="s", state=State.SKIPPED),
    ]

    def reading() -> Iterator[Run]:
        for run in runs:
            read.append(run.run_id)
            yield run

    stream = runstate.logical_runs(reading())
    assert [a.run_id for a in next(stream).attempts] == ["y", "y_attempt_1"]
    assert read == ["x", "y_attempt_1", "g_attempt_2", "g", "y"]  # y waited for the run it names
    rest = [[a.run_id for a in lr.attempts] for lr in stream]
    assert rest == [["z"], ["s"], ["x"], ["g", "g_attempt_2"]]  # the open ones last, by first start


def test_an_attempt_after_a_canceled_one_joins_it_only_if_read_first() -> None:
    """The documented limit of order independence: no provider retries a CANCELED (SUCCEEDED,
    SKIPPED) run, so such a logical run closes when read; a re-run that names it and comes later
    is a logical run of its own. Read first, it waits for the run it names and joins it."""
    canceled = Run(provider="glue", run_id="a", state=State.CANCELED, started_at=T0)
    rerun = Run(provider="glue", run_id="b", state=State.SUCCEEDED, previous_run_id="a",
                started_at=T0 + timedelta(hours=1))  # fmt: skip
    assert grouping([rerun, canceled]) == [((None, "glue", "a"), ("a", "b"))]
    assert grouping([canceled, rerun]) == [((None, "glue", "a"), ("a",)), ((None, "glue", "b"), ("b",))]


def test_a_later_snapshot_of_a_closed_run_is_folded_while_it_is_recent(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The last RECENT_CLOSED runs closed are remembered: a snapshot of one that comes after its
    logical run closed (a poller's stale answer) is folded; one that comes later than that counts again."""
    done = Run(provider="glue", run_id="r", job_id="j", state=State.SUCCEEDED, started_at=T0, ended_at=T0)
    stale = attrs.evolve(done, state=State.RUNNING, ended_at=None)
    others = [Run(provider="glue", run_id=f"o{i}", job_id="j", state=State.SUCCEEDED) for i in range(3)]
    for late in ([done, stale], [done, *others, stale]):
        (lr,) = [lr for lr in runstate.logical_runs(late) if lr.key[2] == "r"]
        assert lr.attempts == (done,)
        assert runstate.summarize(late, now=T0).overall.runs == len(late) - 1
    monkeypatch.setattr("runstate._history.logical.RECENT_CLOSED", 2)
    refreshed = [done, others[0], stale, others[1], stale]  # the first stale answer keeps r recent
    assert [lr.key[2] for lr in runstate.logical_runs(refreshed)] == ["r", "o0", "o1"]
    forgotten = [lr.key[2] for lr in runstate.logical_runs([done, *others, stale])]
    assert forgotten == ["r", "o0", "o1", "o2", "r"]  # out of the window: counted again, as documented


def test_a_run_later_than_the_horizon_starts_a_logical_run_of_its_own() -> None:
    first = Run(provider="glue", run_id="a", state=State.FAILED, started_at=T0, ended_at=T0)
    other = Run(provider="glue", run_id="b", state=State.SUCCEEDED, started_at=T0 + timedelta(days=1))
    late = Run(provider="glue", run_id="a_attempt_1", state=State.SUCCEEDED, attempt=1, original_run_id="a")
    streamed = [lr.key[2] for lr in runstate.logical_runs([first, other, late], horizon=timedelta(hours=1))]
    assert streamed == ["b", "a", "a"]  # b closed as it came (SUCCEEDED), a an hour after b's time
    assert [lr.key[2] for lr in runstate.logical_runs([first, other, late])] == ["b", "a"]
    with pytest.raises(runstate.InvalidRecordError, match="horizon"):
        runstate.logical_runs([], horizon=timedelta(hours=-1))


def test_a_repair_snapshot_later_than_the_horizon_folds_into_what_closed() -> None:
    """A Databricks run repaired in place keeps its run id: its snapshot after the horizon closed
    the FAILED run is a snapshot of a closed run, folded (counted once), not a logical run."""
    failed = Run(provider="databricks", run_id="1", state=State.FAILED, started_at=T0,
                 ended_at=T0 + timedelta(minutes=10))  # fmt: skip
    other = Run(provider="databricks", run_id="2", state=State.SUCCEEDED, started_at=T0 + timedelta(hours=5),
                ended_at=T0 + timedelta(hours=5, minutes=1))  # fmt: skip
    history = [{"type": "ORIGINAL"}, {"type": "REPAIR"}]
    repaired = attrs.evolve(failed, state=State.SUCCEEDED, ended_at=T0 + timedelta(hours=6),
                            details={"repair_history": history})  # fmt: skip
    hour = timedelta(hours=1)
    streamed = [
        (lr.key[2], lr.state) for lr in runstate.logical_runs([failed, other, repaired], horizon=hour)
    ]
    assert streamed == [("2", State.SUCCEEDED), ("1", State.FAILED)]
    assert runstate.summarize([failed, other, repaired], horizon=hour).overall.runs == 2


@pytest.mark.parametrize("horizon", [timedelta(days=7), timedelta(days=36500), timedelta.max])
def test_a_horizon_near_the_end_of_time_is_compared_not_added(horizon: timedelta) -> None:
    """A run's time plus the horizon may pass 9999-12-31 (a sentinel end time, a long horizon): the
    wait is measured as the newest time minus the run's, which stays in range."""
    end = datetime.max.replace(tzinfo=UTC)
    first = Run(
        provider="glue", run_id="a", state=State.FAILED, started_at=end - timedelta(days=1), ended_at=end
    )
    other = Run(provider="glue", run_id="b", state=State.SUCCEEDED, started_at=end, ended_at=end)
    streamed = [lr.key[2] for lr in runstate.logical_runs([first, other], horizon=horizon)]
    assert sorted(streamed) == ["a", "b"]
    summary = runstate.summarize([first, other], horizon=horizon)
    assert summary.overall.runs == 2


@pytest.mark.parametrize("horizon", [3600, "1h", None])
def test_a_horizon_that_is_not_a_timedelta_is_refused_clearly(horizon: Any) -> None:
    if horizon is None:
        assert list(runstate.logical_runs([], horizon=horizon)) == []
        return
    with pytest.raises(runstate.InvalidRecordError, match="horizon"):
        list(runstate.logical_runs([], horizon=horizon))


def test_records_that_are_not_runs_are_refused_clearly() -> None:
    """The provider's records, not normalized: a RunstateError that says what to do, never AttributeError."""
    record: Any = fixture("glue", "succeeded")  # a misuse mypy refuses: checked at run time too
    for horizon in (None, timedelta(hours=1)):
        with pytest.raises(runstate.InvalidRecordError, match=r"runs\[0\]: .*normalize"):
            list(runstate.logical_runs([record], horizon=horizon))
        with pytest.raises(runstate.InvalidRecordError, match=r"runs\[1\]: .*normalize"):
            runstate.summarize([runstate.normalize("glue", record), record], horizon=horizon)


@pytest.mark.parametrize("field", ["created_at", "started_at", "ended_at", "updated_at"])
def test_a_run_with_a_naive_time_is_refused_clearly(field: str) -> None:
    """Runs built by hand from naive datetimes (a database column): an error naming the run and the
    field, never "can't compare offset-naive and offset-aware datetimes" from deep inside."""
    good = Run(provider="acme", run_id="1", state=State.RUNNING, started_at=T0)
    times: dict[str, Any] = {field: datetime(2026, 1, 1, 1)}
    naive = Run(provider="acme", run_id="2", state=State.SUCCEEDED, **times)
    now = T0 + timedelta(days=1)
    for call in (
        lambda: list(runstate.logical_runs([good, naive])),
        lambda: list(runstate.logical_runs([good, naive], horizon=timedelta(hours=1))),
        lambda: runstate.summarize([good, naive], now=now),
    ):
        with pytest.raises(runstate.InvalidRecordError, match=rf"runs\[1\]\.{field}: must be timezone-aware"):
            call()


def test_glue_retry_in_the_bundled_example_is_one_logical_run() -> None:
    runs = example_runs("glue")
    logical = list(runstate.logical_runs(runs))
    assert len(logical) == len(runs) - 1
    (retried,) = [lr for lr in logical if lr.retried]
    first, retry = retried.attempts
    assert retry.run_id == f"{first.run_id}_attempt_1"
    assert retried.key == (None, "glue", first.run_id)
    assert (retried.state, first.state) == (State.SUCCEEDED, State.FAILED)
    assert retried.total == first.durations.total + retry.durations.total  # type: ignore[operator]


def test_a_repair_in_place_is_one_attempt_that_counts_as_retried() -> None:
    run = runstate.normalize("databricks", fixture("databricks", "multitask_with_repair_history"))
    (lr,) = runstate.logical_runs([run])
    assert lr.attempts == (run,)
    assert (lr.repairs, lr.attempt_count, lr.retried, lr.state) == (1, 2, True, State.SUCCEEDED)
    assert lr.total == run.durations.total
    assert lr.wall == run.ended_at - run.started_at  # type: ignore[operator]  # the wait before the repair counts


def test_a_retry_whose_earlier_attempts_are_not_in_the_input_still_counts_as_retried() -> None:
    """A history window that starts after the first attempt: Glue's ``Attempt`` (Databricks'
    ``attempt_number``) says how many attempts came before, so the logical run was retried."""
    retry = runstate.normalize("glue", fixture("glue", "retry_attempt_1"))
    (lr,) = runstate.logical_runs([retry])
    assert (retry.attempt, lr.attempts, lr.attempt_count, lr.retried) == (1, (retry,), 2, True)
    first = Run(provider="databricks", run_id="11", state=State.FAILED)
    third = Run(provider="databricks", run_id="13", state=State.SUCCEEDED, attempt=2, original_run_id="11")
    (lr,) = runstate.logical_runs([third, first])  # the second attempt, 12, is missing
    assert (len(lr.attempts), lr.attempt_count, lr.retried) == (2, 3, True)
    (group,) = runstate.summarize([retry], now=T0).groups
    assert (group.retried, group.retried_succeeded, group.retried_share) == (1, 1, 1.0)


def test_a_repair_under_way_outranks_the_failed_snapshot_before_it() -> None:
    """A repair takes a TERMINATED run back to RUNNING with the same run_id: the poller's newer
    snapshot (one more ``repair_history`` entry) is the latest, whatever its phase."""
    done = fixture("databricks", "multitask_with_repair_history")
    original = done["repair_history"][0]
    failed = {**copy.deepcopy(done), "repair_history": [original], "state": original["state"],
              "status": original["status"], "end_time": original["end_time"]}  # fmt: skip
    del failed["run_duration"]
    repairing = copy.deepcopy(done)
    del repairing["end_time"], repairing["run_duration"], repairing["repair_history"][1]["end_time"]
    repairing["state"], repairing["status"] = {"life_cycle_state": "RUNNING"}, {"state": "RUNNING"}
    before, during = (runstate.normalize("databricks", r) for r in (failed, repairing))
    assert (before.state, during.state) == (State.FAILED, State.RUNNING)
    for order in ([before, during], [during, before]):
        (lr,) = runstate.logical_runs(order)
        assert (lr.latest, lr.state, lr.retried) == (during, State.RUNNING, True)
        (group,) = runstate.summarize(order, now=during.started_at).groups
        assert [a.run_id for a in group.active] == [during.run_id]


def test_snapshots_fold_into_the_most_advanced_then_newest() -> None:
    base = Run(provider="glue", run_id="jr_1", state=State.RUNNING, started_at=T0)
    done = attrs.evolve(base, state=State.SUCCEEDED, ended_at=T0 + timedelta(minutes=5))
    stale = attrs.evolve(base, updated_at=T0 + timedelta(minutes=1))
    fresher = attrs.evolve(base, state=State.TERMINATING, updated_at=T0 + timedelta(minutes=2))
    for order in ([base, done, stale, fresher], [fresher, done, base, stale]):
        (lr,) = runstate.logical_runs(order)
        assert lr.attempts == (done,)
    (lr,) = runstate.logical_runs([fresher, stale, base])
    assert lr.attempts == (fresher,)
    newer = attrs.evolve(base, state=State.QUEUED, updated_at=T0 + timedelta(minutes=3))
    assert next(runstate.logical_runs([newer, stale])).latest is stale  # RUNNING is further than QUEUED


def test_namespaces_and_providers_keep_equal_ids_apart() -> None:
    runs = [
        Run(provider="glue", run_id="r1", namespace="aws:1:us-east-1", state=State.FAILED),
        Run(provider="glue", run_id="r1", namespace="aws:2:us-east-1", state=State.FAILED),
        Run(provider="acme", run_id="r1", namespace="aws:1:us-east-1", state=State.RUNNING),
        Run(provider="glue", run_id="r2", namespace="aws:2:us-east-1", state=State.SUCCEEDED,
            attempt=1, previous_run_id="r1"),
    ]  # fmt: skip
    logical = list(runstate.logical_runs(runs))
    assert sorted(len(lr.attempts) for lr in logical) == [1, 1, 2]
    (pair,) = [lr for lr in logical if lr.retried]
    assert pair.key == ("aws:2:us-east-1", "glue", "r1")


def test_a_root_missing_from_the_input_still_names_the_logical_run() -> None:
    runs = [
        Run(provider="databricks", run_id="12", state=State.FAILED, attempt=1, original_run_id="11",
            previous_run_id="11"),
        Run(provider="databricks", run_id="13", state=State.SUCCEEDED, attempt=2, original_run_id="11"),
    ]  # fmt: skip
    (lr,) = runstate.logical_runs(runs)
    assert lr.key == (None, "databricks", "11")
    assert [a.run_id for a in lr.attempts] == ["12", "13"]


def test_manual_reruns_chained_by_previous_run_id_follow_the_chain() -> None:
    runs = [
        Run(provider="glue", run_id="b", state=State.FAILED, previous_run_id="a", started_at=T0),
        Run(provider="glue", run_id="a", state=State.FAILED, started_at=T0 + timedelta(hours=1)),
        Run(provider="glue", run_id="c", state=State.SUCCEEDED, previous_run_id="b"),
    ]
    (lr,) = runstate.logical_runs(runs)
    assert [a.run_id for a in lr.attempts] == ["a", "b", "c"]  # the links win over clocks


def test_a_cycle_of_links_ends() -> None:
    runs = [
        Run(provider="acme", run_id="a", state=State.FAILED, previous_run_id="b"),
        Run(provider="acme", run_id="b", state=State.FAILED, previous_run_id="a"),
    ]
    (lr,) = runstate.logical_runs(runs)
    assert sorted(a.run_id for a in lr.attempts) == ["a", "b"]


def test_no_runs_no_logical_runs() -> None:
    assert list(runstate.logical_runs([])) == []


# --- latest task attempts ----------------------------------------------------------------------------


def _task(run_id: int, key: str, attempt: int, result: str, start: int) -> dict[str, Any]:
    return {
        "run_id": run_id,
        "task_key": key,
        "attempt_number": attempt,
        "state": {"life_cycle_state": "TERMINATED", "result_state": result},
        "start_time": start,
        "end_time": start + 60_000,
    }


def test_task_retries_fold_into_the_latest_attempt_per_task_key() -> None:
    start = 1_775_196_000_000
    record = {
        "run_id": 100,
        "job_id": 7,
        "state": {"life_cycle_state": "TERMINATED", "result_state": "SUCCESS"},
        "start_time": start,
        "end_time": start + 600_000,
        "tasks": [
            _task(101, "extract", 0, "SUCCESS", start),
            _task(102, "transform", 0, "FAILED", start + 70_000),
            _task(103, "transform", 1, "FAILED", start + 140_000),
            _task(104, "transform", 2, "SUCCESS", start + 210_000),
            _task(105, "report", 0, "SUCCESS", start + 280_000),
        ],
    }
    run = runstate.normalize("databricks", record)
    latest = runstate.latest_task_attempts(run)
    assert [(t.name, t.run_id, t.attempt, t.state) for t in latest] == [
        ("extract", "101", 0, State.SUCCEEDED),
        ("transform", "104", 2, State.SUCCEEDED),
        ("report", "105", 0, State.SUCCEEDED),
    ]
    reversed_run = attrs.evolve(run, tasks=run.tasks[::-1])
    assert {t.run_id for t in runstate.latest_task_attempts(reversed_run)} == {"101", "104", "105"}


def test_a_repaired_task_is_the_latest_and_counts_its_earlier_attempt() -> None:
    record = fixture("databricks", "multitask_with_repair_history")
    original = copy.deepcopy(record["tasks"][1])  # transform, as repaired: attempt_number 0 again
    failed_id = record["repair_history"][0]["task_run_ids"][1]
    original.update(run_id=failed_id, start_time=1775110313500, end_time=1775110747400)
    original["state"] = {"life_cycle_state": "TERMINATED", "result_state": "FAILED"}
    for field in ("status", "setup_duration", "execution_duration", "cleanup_duration"):
        original.pop(field, None)
    record["tasks"].insert(1, original)
    run = runstate.normalize("databricks", record)
    latest = runstate.latest_task_attempts(run)
    assert [t.name for t in latest] == ["ingest", "transform", "report"]
    transform = latest[1]
    assert (transform.run_id, transform.state, transform.attempt) == ("1106460542112844", State.SUCCEEDED, 1)
    assert latest[0] is run.tasks[0]  # untouched when nothing was retried


def test_a_task_not_started_yet_is_newer_than_its_failed_attempt() -> None:
    failed = Run(provider="acme", run_id="t1", name="load", state=State.FAILED, started_at=T0)
    pending = Run(provider="acme", run_id="t2", name="load", state=State.PENDING)
    other = Run(provider="acme", run_id="t3", state=State.RUNNING, details={"task_key": "x"})
    run = Run(provider="acme", run_id="r", state=State.RUNNING, tasks=(failed, pending, other))
    latest = runstate.latest_task_attempts(run)
    assert [(t.run_id, t.attempt) for t in latest] == [("t2", 1), ("t3", 0)]


def test_a_run_without_tasks_has_no_task_attempts() -> None:
    assert runstate.latest_task_attempts(Run(provider="acme", run_id="r", state=State.SUCCEEDED)) == ()


def test_latest_task_attempts_of_a_record_not_normalized_is_refused_clearly() -> None:
    record: Any = fixture("databricks", "multitask_with_repair_history")  # a misuse mypy refuses
    with pytest.raises(runstate.InvalidRecordError, match=r"runstate: run: expected a runstate.Run"):
        runstate.latest_task_attempts(record)


@pytest.mark.parametrize("provider", ["databricks", "glue", "cloud_deploy"])
def test_each_bundled_example_groups_every_run(provider: str) -> None:
    runs = example_runs(provider)
    logical: list[LogicalRun] = list(runstate.logical_runs(runs))
    assert sum(len(lr.attempts) for lr in logical) == len(runs)


def test_streaming_joins_open_groups_that_one_run_links() -> None:
    runs = [
        Run(provider="acme", run_id="b", state=State.FAILED, previous_run_id="a", started_at=T0, ended_at=T0),
        Run(provider="acme", run_id="c", state=State.FAILED, previous_run_id="x", started_at=T0, ended_at=T0),
        Run(provider="acme", run_id="x", state=State.FAILED, previous_run_id="a", started_at=T0, ended_at=T0),
        Run(provider="acme", run_id="a", state=State.FAILED, started_at=T0, ended_at=T0),
    ]
    (streamed,) = runstate.logical_runs(runs, horizon=timedelta(0))
    (held,) = runstate.logical_runs(runs)
    assert streamed == held
    assert [a.run_id for a in held.attempts] == ["a", "b", "x", "c"]


def test_a_long_chain_of_retries_stays_one_ordered_logical_run() -> None:
    runs = [
        Run(provider="acme", run_id=f"r{i}", state=State.FAILED, previous_run_id=f"r{i - 1}" if i else None)
        for i in range(5000)
    ]
    (lr,) = runstate.logical_runs(runs[::-1])
    assert [a.run_id for a in lr.attempts] == [f"r{i}" for i in range(5000)]


def test_an_ended_attempt_with_an_open_interval_is_measured_to_its_end_not_to_the_clock() -> None:
    # a record that says it ended while its last repair interval is still open: the attempt's time
    # stops at ended_at, so the logical total is the same whenever it is computed
    intervals = {"active_intervals": [{"start": "2026-03-01T00:01:00+00:00", "end": None}]}
    first = Run(
        provider="glue",
        run_id="e",
        state=State.QUEUED,
        started_at=datetime(2026, 3, 1, tzinfo=UTC),
        ended_at=datetime(2026, 3, 1, 0, 31, tzinfo=UTC),
        details=intervals,
    )
    retry = Run(
        provider="glue",
        run_id="a",
        state=State.SUCCEEDED,
        previous_run_id="e",
        durations=runstate.Durations(total=timedelta(minutes=5)),
    )
    (logical,) = runstate.logical_runs([first, retry])
    assert logical.total == timedelta(minutes=35)  # 30 active minutes of the first, 5 of the retry
    summary = runstate.summarize([first, retry], now=datetime(2027, 1, 1, tzinfo=UTC))
    assert summary.overall.logical_total.max == timedelta(minutes=35)


# --- what a provider declares final: a Databricks run canceled, then repaired -------------------

_MS = 1_775_196_000_000  # 2026-04-03T06:00:00Z, epoch milliseconds as the Jobs API gives times


def _databricks_state(
    life_cycle: str, result: str | None, code: str | None, kind: str | None
) -> dict[str, Any]:
    """``state`` and ``status`` as the Jobs API writes them (RunState, RunStatus, TerminationDetails)."""
    state: dict[str, Any] = {"life_cycle_state": life_cycle}
    status: dict[str, Any] = {"state": life_cycle}
    if result is not None:
        state["result_state"] = result
        status["termination_details"] = {"code": code, "type": kind}
    return {"state": state, "status": status}


def _canceled_then_repaired() -> list[dict[str, Any]]:
    """A poller's three answers for one multitask run: canceled by a user, then repaired in place
    ("repair failed or canceled multi-task jobs"; ``repair_run``: "The run must not be in
    progress"): the repair running, then the repair SUCCEEDED. ``repair_history`` only grows."""
    original = {"type": "ORIGINAL", "start_time": _MS, "end_time": _MS + 600_000,
                **_databricks_state("TERMINATED", "CANCELED", "USER_CANCELED", "SUCCESS"),
                "task_run_ids": [11, 12]}  # fmt: skip
    repair = {"type": "REPAIR", "id": 77, "start_time": _MS + 3_600_000, "task_run_ids": [13]}
    common = {"job_id": 5, "run_id": 10, "run_name": "nightly", "start_time": _MS, "attempt_number": 0}
    canceled = {**common, **_databricks_state("TERMINATED", "CANCELED", "USER_CANCELED", "SUCCESS"),
                "end_time": _MS + 600_000, "repair_history": [original]}  # fmt: skip
    active = _databricks_state("RUNNING", None, None, None)
    running = {**common, **active, "repair_history": [original, {**repair, **active}]}
    success = _databricks_state("TERMINATED", "SUCCESS", "SUCCESS", "SUCCESS")
    done = {**repair, "end_time": _MS + 4_200_000, **success}
    succeeded = {**common, **success,
                 "end_time": _MS + 4_200_000, "repair_history": [original, done]}  # fmt: skip
    return [canceled, running, succeeded]


@pytest.mark.parametrize("order", list(itertools.permutations(range(3))))
def test_a_canceled_databricks_run_that_is_repaired_is_one_success_in_any_order(
    order: tuple[int, ...],
) -> None:
    records = _canceled_then_repaired()
    runs = [runstate.normalize("databricks", records[i], strict=True) for i in order]
    assert runs[order.index(0)].state is State.CANCELED
    [logical] = runstate.logical_runs(runs)
    assert (logical.state, logical.repairs, logical.attempt_count) == (State.SUCCEEDED, 1, 2)
    assert logical.wall == timedelta(minutes=70)  # the original start to the repair's end


def test_a_canceled_databricks_run_is_held_as_a_repair_may_follow_but_a_glue_one_closes() -> None:
    read: list[str] = []
    runs = [Run(provider="databricks", run_id="d", state=State.CANCELED, started_at=T0, ended_at=T0),
            Run(provider="glue", run_id="g", state=State.CANCELED, started_at=T0, ended_at=T0),
            Run(provider="acme", run_id="a", state=State.CANCELED, started_at=T0, ended_at=T0)]  # fmt: skip

    def reading() -> Iterator[Run]:
        for run in runs:
            read.append(run.run_id)
            yield run

    stream = runstate.logical_runs(reading())
    assert next(stream).key == (None, "glue", "g")  # CANCELED is final for Glue: out at once
    assert read == ["d", "g"]
    assert next(stream).key == (None, "acme", "a")  # an unregistered provider: the default
    assert [lr.key for lr in stream] == [(None, "databricks", "d")]  # held to the end of the input


def test_final_states_are_the_providers_and_default_to_closing_states() -> None:
    from runstate._history.logical import provider_rules
    from runstate.provider_kit import CLOSING_STATES

    assert runstate.REGISTRY.get("glue").final_states == CLOSING_STATES
    assert provider_rules("databricks")[0] == {State.SUCCEEDED, State.SKIPPED}
    assert provider_rules("databricks_system")[0] == {State.SUCCEEDED, State.SKIPPED}
    assert provider_rules("no_such_provider") == (CLOSING_STATES, None, None)


# --- runs of one task key that overlap are task runs of their own (for-each iterations) ---------


def _iteration(run_id: int, result: str, start: int, minutes: int, attempt: int = 0) -> dict[str, Any]:
    """A for-each iteration as ``runs/get`` of the for-each task lists it in ``iterations[]``
    ("Only populated by for-each iterations"): a RunTask of the nested task's key."""
    return {"run_id": run_id, "task_key": "per_region", "attempt_number": attempt,
            "state": {"life_cycle_state": "TERMINATED", "result_state": result},
            "start_time": start, "end_time": start + minutes * 60_000}  # fmt: skip


def _for_each(iterations: list[dict[str, Any]]) -> Run:
    record = {"run_id": 500, "job_id": 7, "task_key": "regions", "start_time": _MS,
              "state": {"life_cycle_state": "TERMINATED", "result_state": "FAILED"},
              "end_time": _MS + 3_600_000, "iterations": iterations}  # fmt: skip
    return runstate.normalize("databricks", record, strict=True)


@pytest.mark.parametrize("order", list(itertools.permutations(range(3))))
def test_overlapping_runs_of_one_task_key_are_task_runs_not_retries(order: tuple[int, ...]) -> None:
    """A retry starts after its attempt ended (``RunTask.attempt_number``); three iterations that
    ran at once are three task runs: 2 of 3 succeeded, not one retried task that succeeded."""
    iterations = [_iteration(501, "FAILED", _MS, 10), _iteration(502, "SUCCESS", _MS + 60_000, 10),
                  _iteration(503, "SUCCESS", _MS + 120_000, 10)]  # fmt: skip
    run = _for_each([iterations[i] for i in order])
    latest = runstate.latest_task_attempts(run)
    assert sorted((t.run_id, t.state, t.attempt) for t in latest) == [
        ("501", State.FAILED, 0), ("502", State.SUCCEEDED, 0), ("503", State.SUCCEEDED, 0)]  # fmt: skip
    assert sum(t.state is State.SUCCEEDED for t in latest) == 2


def test_a_retry_of_one_iteration_continues_it_not_another() -> None:
    """Iterations A and B at once; A fails and is retried after both ended: two task runs, A's
    latest attempt its retry (the one that did not succeed is the one a retry continues)."""
    a, b = _iteration(601, "FAILED", _MS, 10), _iteration(602, "SUCCESS", _MS + 60_000, 15)
    retry = _iteration(603, "SUCCESS", _MS + 1_200_000, 5, attempt=1)
    latest = runstate.latest_task_attempts(_for_each([a, b, retry]))
    assert sorted((t.run_id, t.attempt) for t in latest) == [("602", 0), ("603", 1)]


# --- every permutation of a realistic history gives the same logical runs ----------------------


def _repaired_snapshots(chain: int, outcomes: list[State]) -> list[Run]:
    """A Databricks run (one run_id) ended in ``outcomes[0]``, then repaired in place after each
    failed or canceled outcome ("repair failed or canceled multi-task jobs"): a poller's snapshots,
    ``repair_history`` growing by one entry per repair, each repair seen running, then ended."""
    start = T0 + timedelta(hours=chain)
    snapshots: list[Run] = []
    history: list[dict[str, Any]] = []
    for index, state in enumerate(outcomes):
        begin = start + timedelta(minutes=30 * index)
        history.append({"type": "REPAIR" if index else "ORIGINAL", "task_run_ids": [chain * 10 + index]})
        seen = Run(provider="databricks", run_id=f"d{chain}", job_id="nightly", started_at=start,
                   state=state, ended_at=begin + timedelta(minutes=20),
                   details={"repair_history": list(history)})  # fmt: skip
        if index:
            snapshots.append(attrs.evolve(seen, state=State.RUNNING, ended_at=None))
        snapshots.append(seen)
    return snapshots


def _retried_job_runs(chain: int, outcomes: list[State]) -> list[Run]:
    """Cloud Deploy JobRuns of one rollout, phase and job: RetryJob makes each after the last failed."""
    rollout = f"projects/p/locations/l/deliveryPipelines/web/releases/r/rollouts/r{chain}"
    start = T0 + timedelta(hours=chain)
    return [
        Run(
            provider="cloud_deploy",
            run_id=f"u{chain}-{i}",
            job_id="web/stable/deploy",
            state=state,
            parent_run_id=rollout,
            started_at=start + timedelta(minutes=10 * i),
            ended_at=start + timedelta(minutes=10 * i + 5),
        )
        for i, state in enumerate(outcomes)
    ]


@st.composite
def realistic_histories(draw: st.DrawFn) -> list[Run]:
    """Glue and Databricks retries (lineage fields), Databricks repairs in place (canceled or failed,
    then repaired), Cloud Deploy RetryJob attempts (no lineage), each attempt seen in snapshots."""
    runs: list[Run] = []
    for chain in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(["retry", "repair", "retry_job"]))
        length = draw(st.integers(1, 3))
        earlier = [draw(st.sampled_from([State.FAILED, State.CANCELED])) for _ in range(length - 1)]
        last = draw(st.sampled_from([State.SUCCEEDED, State.FAILED, State.CANCELED]))
        if kind == "retry":
            runs += draw(chains(chain))
        elif kind == "repair":
            runs += _repaired_snapshots(chain, [*earlier, last])
        else:
            runs += _retried_job_runs(chain, [*[State.FAILED] * (length - 1), last])
    return runs + draw(st.lists(st.sampled_from(runs), max_size=3))


def outcome(runs: list[Run]) -> list[tuple[Any, ...]]:
    found = [(lr.key, tuple(a.run_id for a in lr.attempts), lr.state, lr.repairs, lr.attempt_count)
             for lr in runstate.logical_runs(runs)]  # fmt: skip
    return sorted(found, key=lambda item: (item[0][0] or "", *item[0][1:]))


@given(realistic_histories(), st.randoms(use_true_random=False))
def test_every_order_of_a_realistic_history_gives_the_same_logical_runs(runs: list[Run], rnd: Any) -> None:
    shuffled = list(runs)
    rnd.shuffle(shuffled)
    assert outcome(shuffled) == outcome(runs) == outcome(runs[::-1])
    for key, _, state, repairs, _ in outcome(runs):
        if key[1] == "databricks" and repairs:
            assert state is _final_snapshot(runs, key[2]).state  # the last repair's outcome
    deploys = [item for item in outcome(runs) if item[0][1] == "cloud_deploy"]
    assert all(attempts == len(ids) for _, ids, _, _, attempts in deploys)


def _final_snapshot(runs: list[Run], run_id: str) -> Run:
    from runstate._history.logical import snapshot_rank

    return max((r for r in runs if r.run_id == run_id and r.provider == "databricks"), key=snapshot_rank)
