"""Records from data frames: a null (NaN, ``NaT``, ``NA``) reads as absent, a numpy scalar as its value.

pandas' ``to_dict("records")`` writes a null text as ``nan`` (the default string dtype), a null time as
``NaT``, and keeps ``Timestamp`` times; other paths (``iloc``, ``to_numpy``) hold numpy scalars. Every
shared reader, and the Glue and system-table providers built on them, must read these as Arrow or JSON
rows read.
"""

from __future__ import annotations

import json
import math
import warnings
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd  # type: ignore[import-untyped]
import pytest
from hypothesis import given
from hypothesis import strategies as st

import runstate
from runstate import InvalidRecordError, InvalidRecordWarning, NaiveDatetimeWarning
from runstate._providers.databricks import system as dbs
from runstate._providers.glue import jobs as _glue
from runstate.provider_kit import (
    Context,
    duration_from_ms,
    duration_from_s,
    is_null,
    opt_id,
    opt_int,
    opt_mapping,
    opt_sequence,
    opt_str,
    plain_number,
    required_id,
    time_from_epoch_ms,
    time_from_epoch_s,
    time_from_value,
)

from ..outcomes import observe
from ..paths import FIXTURES

NULLS = (None, math.nan, np.float64("nan"), np.float32("nan"), pd.NaT, pd.NA, np.datetime64("NaT"))
READERS = (
    opt_str,
    opt_id,
    opt_int,
    opt_mapping,
    opt_sequence,
    time_from_value,
    time_from_epoch_s,
    time_from_epoch_ms,
    duration_from_s,
    duration_from_ms,
)
STRICT = Context("test", strict=True)


@pytest.mark.parametrize("null", NULLS, ids=repr)
@pytest.mark.parametrize("reader", READERS, ids=lambda r: r.__name__)
def test_every_reader_reads_a_null_as_absent(reader: Any, null: object) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert reader(null, STRICT, "$.x") is None
    assert is_null(null)


@pytest.mark.parametrize("null", NULLS, ids=repr)
def test_a_required_id_that_is_null_is_missing(null: object) -> None:
    with pytest.raises(InvalidRecordError, match="missing id"):
        required_id(null, STRICT, "$.id")


@pytest.mark.parametrize("value", ["", "x", 0, 1, True, 0.0, -1.5, math.inf, {}, [], datetime(2026, 3, 1)])
def test_values_are_not_null(value: object) -> None:
    assert not is_null(value)


@given(st.one_of(st.integers(-(2**63), 2**63 - 1), st.floats(allow_nan=False)))
def test_numpy_numbers_are_their_values(number: float) -> None:
    scalar = np.int64(number) if isinstance(number, int) else np.float64(number)
    assert plain_number(scalar) == number
    assert type(plain_number(scalar)) is type(number)


def test_booleans_are_no_numbers() -> None:
    assert plain_number(True) is None
    assert plain_number(np.bool_(True)) is None
    with pytest.raises(InvalidRecordError, match="expected a non-negative integer"):
        opt_int(np.bool_(True), STRICT, "$.x")


def test_numpy_scalars_are_read_as_numbers() -> None:
    assert opt_int(np.int64(3), STRICT, "$.x") == 3
    assert opt_int(np.uint8(3), STRICT, "$.x") == 3
    assert opt_id(np.int64(42), STRICT, "$.x") == "42"
    assert opt_str(np.str_("w"), STRICT, "$.x") == "w"
    assert duration_from_s(np.int64(60), STRICT, "$.x") == timedelta(minutes=1)
    assert duration_from_s(np.float64(1.5), STRICT, "$.x") == timedelta(seconds=1.5)
    assert duration_from_ms(np.int64(1500), STRICT, "$.x") == timedelta(seconds=1.5)
    assert time_from_value(np.float64(1_772_359_200.0), STRICT, "$.x") == datetime(2026, 3, 1, 10, tzinfo=UTC)
    assert time_from_value(np.int64(1_772_359_200_000), STRICT, "$.x", "ms") == datetime(
        2026, 3, 1, 10, tzinfo=UTC
    )
    with pytest.raises(InvalidRecordError, match="duration out of range"):
        duration_from_s(np.int64(2**40), STRICT, "$.x")
    with pytest.raises(InvalidRecordError, match="looks like milliseconds"):
        time_from_epoch_s(np.int64(1_772_359_200_000), STRICT, "$.x")


def test_an_int_field_has_its_bound() -> None:
    assert opt_int(2**31 - 1, STRICT, "$.x", 0, 2**31) == 2**31 - 1
    with pytest.raises(InvalidRecordError, match="out of range"):
        opt_int(np.int64(2**31), STRICT, "$.x", 0, 2**31)
    with pytest.warns(InvalidRecordWarning, match="out of range"):
        assert opt_int(2**31, Context("test"), "$.x", 0, 2**31) == 0


def test_datetime64_is_a_naive_time() -> None:
    """numpy's datetime64 has no time zone: read as a naive datetime is (UTC, warned; strict: error)."""
    value = np.datetime64("2026-03-01T10:00:00.123456789")
    with pytest.warns(NaiveDatetimeWarning):
        read = time_from_value(value, Context("test"), "$.x")
    assert read == datetime(2026, 3, 1, 10, 0, 0, 123456, tzinfo=UTC)
    with pytest.raises(InvalidRecordError, match="naive"):
        time_from_value(value, STRICT, "$.x")
    with pytest.raises(InvalidRecordError, match="time out of range"):
        time_from_value(np.datetime64("10000-01-01"), STRICT, "$.x")


def test_pandas_timestamps_are_times() -> None:
    stamp = pd.Timestamp("2026-03-01T12:00:00+02:00")
    assert time_from_value(stamp, STRICT, "$.x") == datetime(2026, 3, 1, 10, tzinfo=UTC)
    assert type(time_from_value(stamp, STRICT, "$.x")) is datetime


# --- Glue ---------------------------------------------------------------------------------------

GLUE = [
    {
        "Id": "jr_1",
        "JobName": "orders-etl",
        "JobRunState": "SUCCEEDED",
        "StartedOn": pd.Timestamp("2026-03-01T10:00:00Z"),
        "CompletedOn": pd.Timestamp("2026-03-01T10:10:00Z"),
        "ExecutionTime": 580,
        "Attempt": 0,
        "StateDetail": None,
        "ErrorMessage": None,
        "TriggerName": "nightly",
    },
    {
        "Id": "jr_2",
        "JobName": "orders-etl",
        "JobRunState": "RUNNING",
        "StartedOn": pd.Timestamp("2026-03-01T11:00:00Z"),
        "CompletedOn": None,
        "ExecutionTime": None,
        "Attempt": 0,
        "StateDetail": None,
        "ErrorMessage": None,
        "TriggerName": None,
    },
]


def frame_records(rows: list[dict[str, Any]], how: str) -> list[dict[str, Any]]:
    """The rows as a frame gives them back: its default dtypes (pandas 3 writes a null text as NaN,
    pandas 2 keeps None), pandas' nullable string dtype (NA), or every null text as NaN outright."""
    frame = pd.DataFrame(rows)
    texts = [c for c in frame.columns if any(isinstance(r.get(c), str) for r in rows)]
    if how == "string":
        frame = frame.astype(dict.fromkeys(texts, "string"))
    records: list[dict[str, Any]] = frame.to_dict("records")
    if how == "nan":
        records = [{k: math.nan if k in texts and is_null(v) else v for k, v in r.items()} for r in records]
    return records


HOW = ("default", "string", "nan")


@pytest.mark.parametrize("how", HOW)
def test_a_glue_frame_reads_as_its_rows_do(how: str) -> None:
    """A frame's records (NaT end, null texts, float execution times) give the runs the plain rows give."""
    records = frame_records(GLUE, how)
    assert records[1]["CompletedOn"] is pd.NaT  # what the frame really holds
    assert is_null(records[1]["TriggerName"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        from_frame = list(runstate.normalize_many("glue", records, strict=True, keep_raw=False))
        expected = list(runstate.normalize_many("glue", GLUE, strict=True, keep_raw=False))
    assert from_frame == expected
    assert from_frame[1].state is runstate.State.RUNNING
    assert from_frame[0].details == {"TriggerName": "nightly"}


def test_glue_numpy_scalars_are_values() -> None:
    """A row of ``iloc`` / ``to_numpy`` holds numpy numbers and times: read as the numbers they are."""
    record = {
        "Id": "jr_3_attempt_1",
        "JobRunState": "FAILED",
        "StartedOn": 1_772_359_200.0,
        "CompletedOn": np.float64(1_772_359_800.0),
        "ExecutionTime": np.int64(590),
        "Attempt": np.int64(1),
        "Timeout": np.int64(2880),
        "DPUSeconds": np.float64(12.5),
        "TriggerName": pd.NA,
    }
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        run = runstate.normalize("glue", record, strict=True)
    assert (run.attempt, run.original_run_id) == (1, "jr_3")
    assert run.durations.execution == timedelta(seconds=590)
    assert run.durations.total == timedelta(minutes=10)
    assert dict(run.details) == {"Timeout": 2880, "DPUSeconds": 12.5}
    assert [type(v) for v in run.details.values()] == [int, float]


FULL_GLUE = {
    **json.loads((FIXTURES / "glue" / "succeeded.json").read_text())["JobRun"],
    "StateDetail": "x",
    "ErrorMessage": "y",
    "PreviousRunId": "jr_0",
    "ExecutionClass": "FLEX",
}


@pytest.mark.parametrize("key", sorted(FULL_GLUE))
def test_any_glue_field_null_reads_as_absent(key: str) -> None:
    """Each field of a JobRun set to each data frame null reads as the field left out (the id: refused)."""
    without = {k: v for k, v in FULL_GLUE.items() if k != key}
    for null in NULLS:
        for strict in (False, True):
            record = {**FULL_GLUE, key: null}
            if key == "Id":
                with pytest.raises(InvalidRecordError, match=r"\$.Id"):
                    runstate.normalize("glue", record, strict=strict)
                continue
            ctx = Context("glue", strict=strict)
            assert observe(_glue.build, record, ctx, False) == observe(_glue.build, without, ctx, False)


def test_a_glue_null_state_is_a_missing_state() -> None:
    with pytest.raises(InvalidRecordError, match="missing state"):
        runstate.normalize("glue", {"Id": "jr_1", "JobRunState": math.nan}, strict=True)


# --- Databricks system tables -------------------------------------------------------------------


def _row(start: str, end: str, result: str | None = None, code: str | None = None) -> dict[str, Any]:
    return {
        "workspace_id": "1",
        "job_id": "7",
        "run_id": "2",
        "period_start_time": pd.Timestamp(start),
        "period_end_time": pd.Timestamp(end),
        "result_state": result,
        "termination_code": code,
        "termination_type": None,
        "run_duration_seconds": None,
    }


SLICES = [
    _row("2026-03-01T10:00:00Z", "2026-03-01T11:00:00Z"),
    _row("2026-03-01T11:00:00Z", "2026-03-01T11:30:00Z", "SUCCEEDED", "SUCCESS"),
]


@pytest.mark.parametrize("how", HOW)
def test_system_table_slices_from_a_frame_make_one_run(how: str) -> None:
    """A slice row's null outcome (NaN in a frame) is no end row: two slices, one run of 1 h 30 min."""
    records = frame_records(SLICES, how)
    assert is_null(records[0]["result_state"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        runs = list(runstate.normalize_many("databricks_system", records, strict=True, keep_raw=False))
        plain = list(runstate.normalize_many("databricks_system", SLICES, strict=True, keep_raw=False))
    assert [(r.state, r.durations.total) for r in runs] == [(runstate.State.SUCCEEDED, timedelta(minutes=90))]
    assert runs == plain


def test_system_table_numpy_durations_are_read() -> None:
    row = {**SLICES[1], "termination_type": "SUCCESS", "run_duration_seconds": np.int64(1800)}
    for name in ("queue", "setup", "execution", "cleanup"):
        row[f"{name}_duration_seconds"] = np.float64("nan")
    run = runstate.normalize("databricks_system", row, strict=True)
    assert run.durations.total == timedelta(minutes=30)
    assert run.durations.execution is None


@pytest.mark.parametrize("key", sorted(SLICES[1]))
def test_any_system_table_column_null_reads_as_absent(key: str) -> None:
    """Each column of a row set to each data frame null reads as the column left out."""
    row = {**SLICES[1], "termination_type": "SUCCESS", "run_duration_seconds": 1800, "task_key": "t"}
    without = {k: v for k, v in row.items() if k != key}
    for null in NULLS:
        for strict in (False, True):
            ctx = Context("databricks_system", strict=strict)
            assert observe(dbs.build, {**row, key: null}, ctx, False) == observe(
                dbs.build, without, ctx, False
            )
