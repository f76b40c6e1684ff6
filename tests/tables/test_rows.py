"""runstate.to_row / to_rows: one fixed column set with stable types, whatever the provider or values."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta, timezone
from importlib import resources
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import runstate
from runstate import Durations, Missing, Reason, Run, State
from runstate._tables.rows import COLUMNS

from ..strategies import runs

TYPES: dict[str, tuple[type, ...]] = {
    **dict.fromkeys(COLUMNS, (str, type(None))),
    **dict.fromkeys(("provider", "run_id", "state", "phase", "provider_state", "missing", "details"), (str,)),
    **dict.fromkeys(("attempt", "task_count"), (int,)),
    **dict.fromkeys(("created_at", "started_at", "ended_at", "updated_at"), (datetime, type(None))),
    **dict.fromkeys(
        ("queue_seconds", "setup_seconds", "execution_seconds", "cleanup_seconds", "total_seconds"),
        (float, type(None)),
    ),
}


def _example_runs(provider: str) -> list[Run]:
    text = resources.files("runstate").joinpath("examples", f"{provider}.jsonl").read_text("utf-8")
    return [runstate.normalize(provider, json.loads(line)) for line in text.splitlines() if line.strip()]


def _check_types(row: dict[str, Any]) -> None:
    assert tuple(row) == COLUMNS
    for name, value in row.items():
        assert type(value) in TYPES[name], (name, value)
        if isinstance(value, datetime):
            assert value.utcoffset() == timedelta(0), (name, value)


@given(runs())
def test_every_row_has_the_fixed_columns_and_types(run: Run) -> None:
    for row in runstate.to_rows([run]):
        _check_types(row)


@pytest.mark.parametrize("provider", ["databricks", "glue", "cloud_deploy"])
def test_bundled_examples_give_the_same_columns_for_every_provider(provider: str) -> None:
    rows = list(runstate.to_rows(_example_runs(provider)))
    assert rows
    for row in rows:
        _check_types(row)
        json.loads(row["details"])  # JSON text, not a repr


def test_whole_second_durations_are_floats_not_ints() -> None:
    # polars needs one type per column: to_dict gives 42 (int) for 42 s and 42.5 (float) for 42.5 s
    whole = Run(
        provider="acme", run_id="1", state=State.SUCCEEDED, durations=Durations(total=timedelta(seconds=42))
    )
    half = attrs.evolve(whole, durations=Durations(total=timedelta(seconds=42.5)))
    assert runstate.to_dict(whole)["durations"]["total"] == 42
    assert type(runstate.to_row(whole)["total_seconds"]) is float
    assert runstate.to_row(whole)["total_seconds"] == 42.0
    assert runstate.to_row(half)["total_seconds"] == 42.5


def test_enums_are_names_times_are_utc_and_mappings_are_sorted_json() -> None:
    paris = timezone(timedelta(hours=1))
    run = Run(
        provider="acme",
        run_id="r",
        namespace="acme:eu",
        state=State.FAILED,
        reason=Reason.USER_ERROR,
        provider_state={"b": "2", "a": "1"},
        started_at=datetime(2026, 3, 1, 11, 0, tzinfo=paris),
        durations=Durations(setup=None, missing={"setup": Missing.NOT_APPLICABLE}),
        details={"when": datetime(2026, 3, 1, tzinfo=UTC), "n": 1},
    )
    row = runstate.to_row(run)
    assert (row["state"], row["phase"], row["reason"]) == ("FAILED", "TERMINATED", "USER_ERROR")
    assert row["namespace"] == "acme:eu"
    assert row["started_at"] == datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
    assert row["started_at"].tzinfo is UTC
    assert row["provider_state"] == '{"a":"1","b":"2"}'
    assert row["missing"] == '{"setup":"NOT_APPLICABLE"}'
    assert row["details"] == '{"n":1,"when":"2026-03-01T00:00:00Z"}'


def test_raw_only_when_asked_for_and_as_json_text() -> None:
    run = runstate.normalize("glue", {"Id": "jr_1", "JobRunState": "RUNNING"})
    assert "raw" not in runstate.to_row(run)
    assert json.loads(runstate.to_row(run, raw=True)["raw"]) == {"Id": "jr_1", "JobRunState": "RUNNING"}
    assert runstate.to_row(attrs.evolve(run, raw=None), raw=True)["raw"] is None


def _tree(depth: int, name: str = "r") -> Run:
    tasks = tuple(_tree(depth - 1, f"{name}.{i}") for i in range(2)) if depth else ()
    return Run(provider="acme", run_id=name, state=State.RUNNING, tasks=tasks)


def test_tasks_follow_their_run_recursively_with_parent_run_id_set() -> None:
    root = attrs.evolve(_tree(2), namespace="acme:eu")
    rows = list(runstate.to_rows([root]))
    assert [r["run_id"] for r in rows] == ["r", "r.0", "r.0.0", "r.0.1", "r.1", "r.1.0", "r.1.1"]
    parents = {r["run_id"]: r["parent_run_id"] for r in rows}
    assert parents == {
        "r": None,
        "r.0": "r",
        "r.0.0": "r.0",
        "r.0.1": "r.0",
        "r.1": "r",
        "r.1.0": "r.1",
        "r.1.1": "r.1",
    }
    assert {r["namespace"] for r in rows} == {"acme:eu"}
    assert [r["task_count"] for r in rows] == [2, 2, 0, 0, 2, 0, 0]


def test_a_task_keeps_its_own_parent_and_namespace_when_it_has_them() -> None:
    task = Run(provider="acme", run_id="t", state=State.RUNNING, parent_run_id="other", namespace="ns2")
    root = Run(provider="acme", run_id="r", state=State.RUNNING, namespace="ns1", tasks=(task,))
    _, task_row = runstate.to_rows([root])
    assert (task_row["parent_run_id"], task_row["namespace"]) == ("other", "ns2")
    assert runstate.to_row(root)["task_count"] == 1


@given(st.lists(runs(), max_size=3))
def test_to_rows_is_to_row_of_each_run_and_task(batch: list[Run]) -> None:
    def flat(run: Run) -> list[Run]:
        return [run, *(t for task in run.tasks for t in flat(task))]

    rows = list(runstate.to_rows(batch))
    everything = [r for run in batch for r in flat(run)]
    assert len(rows) == len(everything)
    for row, run in zip(rows, everything, strict=True):
        expected = runstate.to_row(run)
        for key in ("parent_run_id", "namespace"):
            if expected[key] is None:
                expected[key] = row[key]
        assert row == expected


def test_import_runstate_does_not_import_the_table_engines() -> None:
    import subprocess
    import sys

    engines = "('pyarrow', 'pyspark', 'pandas', 'polars', 'duckdb')"
    code = f"import sys, runstate; print(sorted(m for m in {engines} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


class _Hostile:
    """An object kept in a record whose text conversion raises."""

    def __str__(self) -> str:
        raise RuntimeError("no text")


class _HostileMapping(Mapping[str, Any]):
    """A third-party mapping kept in a record whose reads raise."""

    def __getitem__(self, key: str) -> Any:
        raise RuntimeError("no item")

    def __iter__(self) -> Iterator[str]:
        return iter(["a"])

    def __len__(self) -> int:
        return 1


def _deep_list(depth: int) -> list[Any]:
    value: list[Any] = []
    for _ in range(depth):
        value = [value]
    return value


@pytest.mark.parametrize(
    ("field", "value", "problem"),
    [
        ("details", {"x": _deep_list(10_000)}, "nested more than 200 levels deep"),
        ("details", {"x": _Hostile()}, "cannot convert to JSON (RuntimeError: 'no text')"),
        ("raw", {"x": _deep_list(10_000)}, "nested more than 200 levels deep"),
        ("raw", {"x": _Hostile()}, "cannot convert to JSON (RuntimeError: 'no text')"),
        ("details", {"x": _HostileMapping()}, "cannot convert to JSON (RuntimeError: 'no item')"),
    ],
)
def test_what_cannot_be_written_is_an_invalid_record_naming_the_run(
    field: str, value: dict[str, Any], problem: str
) -> None:
    """Regression: to_row let RecursionError (a 10,000-deep value) and whatever a hostile object
    raised escape bare, where to_dict raises InvalidRecordError."""
    fields: dict[str, Any] = {field: value}
    run = Run(provider="glue", run_id="jr_1", state=State.RUNNING, **fields)
    with pytest.raises(runstate.InvalidRecordError) as info:
        runstate.to_row(run, raw=True)
    assert str(info.value) == f"glue: {field}: {problem}: 'jr_1'"


def test_text_columns_never_hold_a_lone_surrogate() -> None:
    """Regression: run_id, name, message... kept lone surrogates, so pyarrow (runstate.arrow.to_table,
    Parquet, CSV) failed with UnicodeEncodeError; they become U+FFFD, as in to_dict."""
    run = runstate.normalize("glue", {"Id": "jr\ud800", "JobRunState": "FAILED", "JobName": "n\udc80",
                                      "ErrorMessage": "boom \udfff"})  # fmt: skip
    row = runstate.to_row(run)
    assert (row["run_id"], row["name"], row["message"]) == ("jr\ufffd", "n\ufffd", "boom \ufffd")
    for text in row.values():
        if isinstance(text, str):
            text.encode("utf-8")
    assert row["run_id"] == runstate.to_dict(run)["run_id"]


_TIMES = ("created_at", "started_at", "ended_at", "updated_at")
_SAME = ("provider", "namespace", "run_id", "job_id", "name", "message", "attempt", "original_run_id")


def _assert_row_is_the_run(row: Mapping[str, Any], run: Run) -> None:
    """A row says what its run says: the same instants, the same seconds, the same ids and words."""
    for name in _TIMES:
        assert row[name] == getattr(run, name), name  # aware datetimes compare as instants
    for part in ("queue", "setup", "execution", "cleanup", "total"):
        value = getattr(run.durations, part)
        assert row[f"{part}_seconds"] == (None if value is None else value.total_seconds()), part
    for name in _SAME:
        assert row[name] == getattr(run, name), name
    assert row["state"] == run.state.name
    assert row["task_count"] == len(run.tasks)


@given(runs())
def test_every_row_says_what_its_run_says(run: Run) -> None:
    """The row of a UTC run keeps its times (they were all NULL once: UTC times were dropped)."""
    _assert_row_is_the_run(runstate.to_row(run), run)


@pytest.mark.parametrize("provider", ["databricks", "glue", "cloud_deploy"])
def test_bundled_examples_keep_their_times_in_rows(provider: str) -> None:
    runs_ = _example_runs(provider)
    assert any(run.started_at is not None for run in runs_)
    for run, row in zip(runs_, (runstate.to_row(run) for run in runs_), strict=True):
        _assert_row_is_the_run(row, run)


def test_an_attempt_no_int64_column_holds_is_an_invalid_record_naming_the_run() -> None:
    """A run built with a huge attempt (2**64) made every table path fail with a bare OverflowError
    (the CLI's "internal error", exit 4); it is an InvalidRecordError naming the run."""
    run = Run(provider="glue", run_id="jr_1", state=State.RUNNING, attempt=2**64)
    with pytest.raises(runstate.InvalidRecordError, match=r"glue: attempt: out of the int64 range .*jr_1"):
        runstate.to_row(run)
    assert runstate.to_row(attrs.evolve(run, attempt=2**63 - 1))["attempt"] == 2**63 - 1
