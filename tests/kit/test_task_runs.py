"""The one rule for runs of one task key (``runstate.provider_kit.task_runs``)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from runstate import Run, State
from runstate.provider_kit import TaskChains, continued_task_run, task_attempt, task_runs

_T0 = datetime(2026, 3, 1, 10, tzinfo=UTC)
_RUNS = st.lists(
    st.tuples(
        st.one_of(st.none(), st.integers(0, 60)),
        st.one_of(st.none(), st.integers(0, 20)),
        st.sampled_from([State.SUCCEEDED, State.FAILED, State.RUNNING, State.PENDING]),
    ),
    max_size=8,
)


def _run(i: int, start: int | None, length: int | None, state: State) -> Run:
    started = None if start is None else _T0 + timedelta(minutes=start)
    ended = (
        None
        if started is None or length is None or state in (State.RUNNING, State.PENDING)
        else (started + timedelta(minutes=length))
    )
    return Run(provider="acme", run_id=str(i), state=state, started_at=started, ended_at=ended)


@given(_RUNS)
def test_every_run_is_in_one_task_run_and_no_attempt_follows_one_it_overlaps(
    spans: list[tuple[int | None, int | None, State]],
) -> None:
    runs = [_run(i, *span) for i, span in enumerate(spans)]
    lanes = task_runs(runs)
    assert sorted(r.run_id for lane in lanes for r in lane) == sorted(r.run_id for r in runs)
    for lane in lanes:
        for before, after in itertools.pairwise(lane):
            assert before.is_terminal  # nothing continues a run still going or waiting
            if before.ended_at and after.started_at and before.started_at:
                assert before.ended_at <= after.started_at


def test_a_retry_continues_the_iteration_that_failed() -> None:
    failed = _run(1, 0, 10, State.FAILED)
    succeeded = _run(2, 1, 15, State.SUCCEEDED)  # ran at once with 1, ended later
    retry = _run(3, 20, 5, State.SUCCEEDED)
    assert [[r.run_id for r in lane] for lane in task_runs([failed, succeeded, retry])] == [["1", "3"], ["2"]]
    lasts = [task_attempt(failed), task_attempt(succeeded)]
    assert continued_task_run(lasts, task_attempt(retry)) == 0
    assert continued_task_run([], task_attempt(retry)) is None


@given(_RUNS)
def test_chains_give_each_run_the_one_before_it_and_the_first_of_its_task_run(
    spans: list[tuple[int | None, int | None, State]],
) -> None:
    """``TaskChains`` places runs one at a time as ``task_runs`` splits them: a run that continues a
    task run gets the previous attempt's id and the first attempt's, a run that starts one gets none."""
    runs = [_run(i, *span) for i, span in enumerate(spans)]
    expected: dict[str, tuple[str, str] | None] = {}
    for lane in task_runs(runs):
        expected[lane[0].run_id] = None
        for before, after in itertools.pairwise(lane):
            expected[after.run_id] = (before.run_id, lane[0].run_id)
    chains = TaskChains()
    assert {run.run_id: chains.add(run)[1] for run in runs} == expected
