"""Databricks (Jobs API) durations in SQL: every combination of the columns the reader decides by.

``_databricks_durations`` reads queue, setup, execution, cleanup and total from the ms fields, the end
time, the run's state (ended? still waiting?), ``format`` and, where those leave it open, the child
runs it lists. Each row here is a record; the expected answer is ``runstate.normalize`` (lenient).
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from runstate import sql

from ..sql_cases import DATABRICKS, DBX_DURATION_POOLS, Row, duckdb_outputs, expectations

pytest.importorskip("duckdb", reason="the sql tests need duckdb: pip install 'runstate[sql]'")

_STATES: tuple[dict[str, str], ...] = (
    {"state.life_cycle_state": "TERMINATED", "state.result_state": "SUCCESS"},  # terminal
    {"status.state": "QUEUED"},  # still waiting: a queue of 0 is not ended
    {"state.life_cycle_state": "RUNNING"},
    {"status.state": "TERMINATED"},  # terminal without a termination code: the table decides
)
_BASE: Row = {**dict.fromkeys(DATABRICKS.types), "run_id": DATABRICKS.pools["run_id"][0]}


def _rows(pools: dict[str, tuple[Any, ...]]) -> list[Row]:
    names = list(pools)
    return [
        {**_BASE, **state, **dict(zip(names, combo, strict=True))}
        for state in _STATES
        for combo in itertools.product(*(pools[n] for n in names))
    ]


def _mismatches(rows: list[Row]) -> list[tuple[Row, Row, Row]]:
    got = duckdb_outputs(DATABRICKS, rows)
    return [(r, g, w) for r, g, w in zip(rows, got, expectations(DATABRICKS, rows), strict=True) if g != w]


def _pick(name: str, *indices: int) -> tuple[Any, ...]:
    return tuple(DBX_DURATION_POOLS[name][i] for i in indices)


def test_parts_and_total_for_every_combination() -> None:
    """End, format, the three parts, run_duration and the child runs, combined."""
    rows = _rows(
        {
            "start_time": _pick("start_time", 2),
            "end_time": _pick("end_time", 1, 2, 5),  # not set, ended, out of range
            "format": _pick("format", 0, 2, 3),
            "setup_duration": _pick("setup_duration", 0, 1, 3, 7),
            "execution_duration": _pick("execution_duration", 0, 1, 4),
            "cleanup_duration": _pick("cleanup_duration", 1, 5),
            "run_duration": _pick("run_duration", 0, 3, 5),
            "tasks": _pick("tasks", 0, 2, 3, 5),
        }
    )
    assert len(rows) > 10_000
    assert _mismatches(rows) == []


def test_queue_and_times_for_every_combination() -> None:
    """Queue time by state and end; the wall time by both times (absent, not set, out of range)."""
    rows = _rows(
        {
            "start_time": DBX_DURATION_POOLS["start_time"],
            "end_time": DBX_DURATION_POOLS["end_time"],
            "queue_duration": DBX_DURATION_POOLS["queue_duration"],
            "setup_duration": _pick("setup_duration", 1),
            "run_duration": _pick("run_duration", 0),
            "format": _pick("format", 0, 2),
        }
    )
    assert _mismatches(rows) == []


def _ended_run(**fields: Any) -> Row:
    return {
        **_BASE,
        **_STATES[0],
        "start_time": 1_772_359_200_000,
        "end_time": 1_772_359_260_000,
        **dict.fromkeys(("setup_duration", "execution_duration", "cleanup_duration"), 0),
        **fields,
    }


def test_the_child_runs_decide_only_what_nothing_else_decides() -> None:
    """Parts all 0, no run_duration, no format: a run listing a child run other than itself is
    multitask (parts not applicable, total the wall time); one listing none, or only itself, single."""
    own, other = DATABRICKS.pools["run_id"][0], DATABRICKS.pools["run_id"][0] + 1
    rows = [
        _ended_run(tasks=[{"run_id": other}]),
        _ended_run(tasks=[{"run_id": own}]),
        _ended_run(),
        _ended_run(iterations=[{"run_id": other}]),
        _ended_run(tasks=[{"run_id": other}], format="SINGLE_TASK"),  # format decides first
        _ended_run(run_duration=61_000),  # run_duration with parts all 0 decides first
    ]
    got = duckdb_outputs(DATABRICKS, rows)
    assert [(g["setup_seconds"], g["total_seconds"]) for g in got] == [
        (None, 60.0),
        (0.0, 0.0),
        (0.0, 0.0),
        (None, 60.0),
        (0.0, 0.0),
        (None, 61.0),
    ]
    assert _mismatches(rows) == []


def test_a_table_without_the_optional_columns() -> None:
    """The default map reads format and iterations as absent (NULL): no such column is needed."""
    texts = sql.case_expressions("databricks", "duckdb")
    assert not any("iterations" in text or "format" in text for text in texts.values())
    assert "tasks" in texts["total_seconds"]
