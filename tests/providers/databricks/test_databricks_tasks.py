"""Task runs of one task_key in a Jobs API run's ``tasks[]``: attempts or for-each iterations.

One rule for the Jobs API's ``tasks[]``, the system tables' task rows and ``latest_task_attempts``
(``runstate._kit.task_runs``): a retry starts after its attempt ended (``RunTask.attempt_number``:
"If the initial run attempt fails, and the job has a retry policy (max_retries > 0), subsequent
runs are created"), so runs of one key that ran at once are separate task runs.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from databricks.sdk.service import jobs
from hypothesis import given
from hypothesis import strategies as st

import runstate
from runstate import Run

_START = datetime(2026, 3, 1, 10, tzinfo=UTC)


def _ms(minutes: int) -> int:
    return int((_START + timedelta(minutes=minutes)).timestamp() * 1000)


def _task(run_id: int, result: str, start: int, end: int, attempt: int = 0) -> dict[str, Any]:
    """A ``RunTask`` of the for-each task's nested key, as ``runs/get`` lists it in ``tasks[]``."""
    return {"run_id": run_id, "task_key": "per_region", "attempt_number": attempt,
            "state": {"life_cycle_state": "TERMINATED", "result_state": result},
            "start_time": _ms(start), "end_time": _ms(end)}  # fmt: skip


def _job_run(tasks: list[dict[str, Any]]) -> Run:
    record = {"run_id": 9001, "job_id": 7, "start_time": _ms(0), "end_time": _ms(30),
              "state": {"life_cycle_state": "TERMINATED", "result_state": "SUCCESS"},
              "tasks": tasks}  # fmt: skip
    return runstate.normalize("databricks", record, strict=True)


_TASKS = [
    _task(9011, "FAILED", 0, 10),
    _task(9012, "SUCCESS", 1, 15),
    _task(9013, "SUCCESS", 2, 12),
    _task(9014, "SUCCESS", 20, 25, attempt=1),
]
"""Three iterations at once (one fails), and the failed one's retry after every iteration ended."""


def _lineage(runs: Any) -> dict[str, tuple[str | None, str | None]]:
    return {r.run_id: (r.previous_run_id, r.original_run_id) for r in runs}


@pytest.mark.parametrize("order", list(itertools.permutations(range(4))))
def test_overlapping_task_runs_are_iterations_and_a_retry_continues_the_failed_one(
    order: tuple[int, ...],
) -> None:
    run = _job_run([_TASKS[i] for i in order])
    assert _lineage(run.tasks) == {"9011": (None, None), "9012": (None, None), "9013": (None, None),
                                   "9014": ("9011", "9011")}  # fmt: skip
    latest = runstate.latest_task_attempts(run)
    assert sorted(t.run_id for t in latest) == ["9012", "9013", "9014"]


def test_an_sdk_run_links_as_the_dict_does() -> None:
    record = {"run_id": 9001, "job_id": 7, "start_time": _ms(0), "end_time": _ms(30),
              "state": {"life_cycle_state": "TERMINATED", "result_state": "SUCCESS"},
              "tasks": _TASKS}  # fmt: skip
    sdk = runstate.normalize("databricks", jobs.Run.from_dict(record), strict=True)
    assert _lineage(sdk.tasks) == _lineage(_job_run(_TASKS).tasks)


def _row(task: dict[str, Any]) -> dict[str, Any]:
    """The task run as a ``system.lakeflow.job_task_run_timeline`` row (one slice, its end row)."""
    state = {"SUCCESS": "SUCCEEDED"}.get(task["state"]["result_state"], task["state"]["result_state"])
    return {"workspace_id": "42", "job_id": "7", "run_id": str(task["run_id"]), "job_run_id": "9001",
            "parent_run_id": "9001", "task_key": task["task_key"], "result_state": state,
            "period_start_time": datetime.fromtimestamp(task["start_time"] / 1000, UTC),
            "period_end_time": datetime.fromtimestamp(task["end_time"] / 1000, UTC)}  # fmt: skip


def test_the_jobs_api_and_the_system_tables_link_the_same_task_runs() -> None:
    system = runstate.normalize_many("databricks_system", map(_row, _TASKS), strict=True)
    assert _lineage(system) == _lineage(_job_run(_TASKS).tasks)


_SPANS = st.lists(
    st.tuples(st.integers(0, 60), st.integers(1, 20), st.sampled_from(["SUCCESS", "FAILED"])),
    min_size=1,
    max_size=6,
)


@given(_SPANS, st.randoms(use_true_random=False))
def test_both_paths_link_alike_whatever_the_times_and_row_order(
    spans: list[tuple[int, int, str]], rng: Any
) -> None:
    tasks = [_task(100 + i, result, start, start + length) for i, (start, length, result) in enumerate(spans)]
    rows = [_row(task) for task in tasks]
    rng.shuffle(rows)
    system = runstate.normalize_many("databricks_system", rows, strict=True)
    assert _lineage(system) == _lineage(_job_run(tasks).tasks)


@given(_SPANS)
def test_the_linked_chains_are_the_task_runs_latest_task_attempts_counts(
    spans: list[tuple[int, int, str]],
) -> None:
    """Whatever the times, the chains ``previous_run_id`` links are ``latest_task_attempts``' task
    runs: each chain's last attempt is one it returns, so an export and a summary count alike."""
    tasks = [_task(100 + i, result, start, start + length) for i, (start, length, result) in enumerate(spans)]
    run = _job_run(tasks)
    continued = {t.previous_run_id for t in run.tasks if t.previous_run_id}
    chain_ends = {t.run_id for t in run.tasks} - continued
    assert {t.run_id for t in runstate.latest_task_attempts(run)} == chain_ends


def test_iterations_waiting_to_start_are_not_attempts_of_the_running_one() -> None:
    """A for-each task runs some iterations while the others wait (``concurrency``): an iteration
    not started yet has no ``start_time``, and no retry follows an attempt still running."""
    running = {"run_id": 9021, "task_key": "per_region", "attempt_number": 0, "start_time": _ms(0),
               "state": {"life_cycle_state": "RUNNING"}, "status": {"state": "RUNNING"}}  # fmt: skip
    waiting = [{"run_id": i, "task_key": "per_region", "attempt_number": 0,
                "state": {"life_cycle_state": "PENDING"}, "status": {"state": "PENDING"}}
               for i in (9022, 9023)]  # fmt: skip
    record = {"run_id": 9001, "job_id": 7, "start_time": _ms(0), "tasks": [running, *waiting],
              "state": {"life_cycle_state": "RUNNING"}, "status": {"state": "RUNNING"}}  # fmt: skip
    run = runstate.normalize("databricks", record, strict=True)
    assert _lineage(run.tasks) == {"9021": (None, None), "9022": (None, None), "9023": (None, None)}
    assert len(runstate.latest_task_attempts(run)) == 3
