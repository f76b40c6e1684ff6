"""Glue's one reader on odd field values: strict raises the first problem, lenient warns and goes on.

Every field is read once; a plain value is converted inline and any other goes to the kit's reader,
which reports it naming provider, field and value (strict: ``InvalidRecordError``; lenient: a warning
and the field missing or UNKNOWN). Records are the fixtures and bundled examples with fields replaced
by plausible and odd values, and removed.
"""

from __future__ import annotations

import copy
import math
import warnings
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import numpy as np
import pandas as pd  # type: ignore[import-untyped]
import pytest
from hypothesis import given
from hypothesis import strategies as st

from runstate import InvalidRecordError, InvalidRecordWarning, Run, RunstateWarning, State
from runstate._providers.glue import jobs as _glue
from runstate._providers.glue import tables
from runstate.provider_kit import Context

from ...paths import example_records, fixture_records

EXAMPLES = example_records("glue")
BASES = fixture_records("glue", skip=("get_job_runs_page",)) + EXAMPLES
PLAIN = [b.get("JobRun", b) for b in BASES]

START = 1_772_359_200.25
TIMES = (
    START,
    START + 0.5,
    START - 7200.75,
    START + 90_000.0,
    1_772_359_200,
    0.0,
    0,
    -1.0,
    4_102_444_800.0,
    4_102_444_799.5,
    1e11,
    1.7e12,
    math.nan,
    math.inf,
    "2026-03-01T10:00:00Z",
    "2026-03-01T12:00:00+02:00",
    "2026-03-01T10:00:00",
    "",
    "never",
    datetime(2026, 3, 1, 10, tzinfo=UTC),
    datetime(2026, 3, 1, 10, tzinfo=timezone(timedelta(hours=-3))),
    datetime(2026, 3, 1, 10),  # a naive time is odd input
    True,
    "9999-12-31T23:59:59Z",  # sentinels: a total over 100 years is reported
    "0001-01-01T00:00:00Z",
    4_102_444_799.0,  # a plain float, but 2100 - 1970 is over 100 years
    1.0,
    pd.NaT,  # a data frame's values
    pd.Timestamp("2026-03-01T10:00:00Z"),
    np.float64(START),
    np.datetime64("2026-03-01T10:00:00"),
)
FIELD_VALUES: dict[str, tuple[Any, ...]] = {
    "Id": ("jr_1", "jr_1_attempt_1", "jr_1_attempt_2", "", 7),
    "JobRunState": (*tables.KNOWN_JOB_RUN_STATES, "NEW_STATE", ""),
    "StateDetail": ("Max concurrent runs per job reached", "waiting for DPU capacity", "", "odd", math.nan),
    "JobName": ("orders-etl", "", math.nan, pd.NA),
    "ErrorMessage": ("it failed", "", math.nan),
    "Attempt": (0, 1, 2, -1, 2**31 - 1, 2**31, 2**63, True, 1.0, np.int64(2), np.int64(2**31), math.nan),
    "PreviousRunId": ("jr_0", "", 5),
    "StartedOn": TIMES,
    "CompletedOn": TIMES,
    "LastModifiedOn": TIMES,
    "ExecutionTime": (0, 1, 60, 7200, 90_000, 3_155_760_000, 3_155_760_001, -1, 1.5, math.nan, True, "60"),
    "ExecutionClass": ("FLEX", "STANDARD", "", np.int64(60)),
    "DPUSeconds": (12.5, np.float64(12.5), np.int64(60), math.nan),
    "PredecessorRuns": ([], [{"JobName": "a", "RunId": "jr_0"}], ({"RunId": "jr_0"},), "jr_0", {"a": 1}),
    "Timeout": (2880, 0, np.int64(2880), math.nan),
    "TriggerName": ("nightly", math.nan, pd.NA),
    "JobMode": ("SCRIPT",),
    "JobRun": ({"Id": "jr_9", "JobRunState": "RUNNING"},),
    "detail": ({"state": "RUNNING"},),
    "detail-type": ("Glue Job State Change",),
    "source": ("aws.glue",),
}
FIELDS = {key: st.sampled_from(values) for key, values in FIELD_VALUES.items()}
ODD = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 2**64),
    st.floats(),
    st.text(max_size=4),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)


@st.composite
def records(draw: st.DrawFn) -> dict[str, Any]:
    """A fixture or example with some fields replaced (by plausible or odd values) or removed."""
    record: dict[str, Any] = copy.deepcopy(draw(st.sampled_from(PLAIN)))
    for key in draw(st.sets(st.sampled_from(sorted(record)), max_size=3)):
        del record[key]
    for key in draw(st.sets(st.sampled_from(sorted(FIELDS)), max_size=4)):
        record[key] = draw(st.one_of(FIELDS[key], ODD))
    return record


def read(record: Any, strict: bool, keep_raw: bool = True) -> tuple[object, list[RunstateWarning]]:
    """The run ``build`` gives (or the error it raises) and the warnings it gives on the way."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result: object = _glue.build(record, Context("glue", strict=strict), keep_raw)
        except InvalidRecordError as error:
            result = error
    found = [w.message for w in caught]
    assert all(isinstance(w, RunstateWarning) for w in found), found  # never a stray builtin warning
    return result, found  # type: ignore[return-value]


def assert_strict_raises_what_lenient_warns_first(record: Any) -> None:
    """Strict mode raises the first problem lenient mode warns (same provider, field, value, text);
    a record lenient mode reads without a warning strict mode reads to the same run."""
    for keep_raw in (True, False):
        lenient, warned = read(record, strict=False, keep_raw=keep_raw)
        strict, strict_warned = read(record, strict=True, keep_raw=keep_raw)
        assert not strict_warned
        if warned:
            assert isinstance(strict, InvalidRecordError), (record, warned)
            first = warned[0]
            assert (strict.provider, strict.field, str(strict)) == ("glue", first.field, str(first))
        elif isinstance(lenient, InvalidRecordError):  # refused in both modes: the same refusal
            assert str(strict) == str(lenient)
        else:
            assert isinstance(lenient, Run) and repr(strict) == repr(lenient)


@pytest.mark.parametrize("record", BASES, ids=range(len(BASES)))
def test_fixtures_and_examples_read_without_a_warning(record: dict[str, Any]) -> None:
    run, warned = read(record, strict=True)
    assert isinstance(run, Run) and not warned


@given(records())
def test_strict_raises_the_first_problem_lenient_warns(record: dict[str, Any]) -> None:
    assert_strict_raises_what_lenient_warns_first(record)


@pytest.mark.parametrize("index", range(len(PLAIN)))
def test_every_single_substitution(index: int) -> None:
    """Each plausible value of each field, alone or removed, in each record (what a fuzzer may not reach)."""
    base = PLAIN[index]
    for key, values in FIELD_VALUES.items():
        assert_strict_raises_what_lenient_warns_first({k: v for k, v in base.items() if k != key})
        for value in values:
            assert_strict_raises_what_lenient_warns_first({**base, key: value})


CLEAN: dict[str, Any] = {
    "Id": "jr_2_attempt_1",
    "JobName": "orders-etl",
    "JobRunState": "SUCCEEDED",
    "StartedOn": START,
    "CompletedOn": START + 60.0,
    "LastModifiedOn": START + 61.0,
    "ExecutionTime": 55,
    "ErrorMessage": "done",
    "Attempt": 1,
    "PreviousRunId": "jr_2",
    "PredecessorRuns": [{"JobName": "a", "RunId": "jr_0"}],
}
"""A JobRun with every field the reader converts, each plain."""
WHAT_IS_LEFT: dict[str, Callable[[Run], bool]] = {
    "JobRunState": lambda run: run.state is State.UNKNOWN,
    "StateDetail": lambda run: "StateDetail" not in run.provider_state,
    "StartedOn": lambda run: run.started_at is None and run.durations.total is None,
    "CompletedOn": lambda run: run.ended_at is None and run.durations.total is None,
    "LastModifiedOn": lambda run: run.updated_at is None,
    "ExecutionTime": lambda run: run.durations.execution is None,
    "JobName": lambda run: run.name is None and run.job_id is None,
    "ErrorMessage": lambda run: run.message is None,
    "Attempt": lambda run: run.attempt == 0,
    "PreviousRunId": lambda run: run.previous_run_id is None,
    "PredecessorRuns": lambda run: "PredecessorRuns" not in run.details,
}
"""What lenient mode leaves of a field it cannot read: missing, or UNKNOWN for the state."""
UNREADABLE = st.one_of(
    st.lists(st.integers(), min_size=1, max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), min_size=1, max_size=2),
)
"""Values no field of a JobRun reads: a JSON array or object."""


@given(st.sampled_from(sorted(WHAT_IS_LEFT)), UNREADABLE)
def test_an_unreadable_field_is_named_with_its_value(field: str, value: Any) -> None:
    if field == "PredecessorRuns" and isinstance(value, list):
        value = {"RunId": value}  # an array is what PredecessorRuns is: an object is odd there
    record = {**CLEAN, field: value}
    with pytest.raises(InvalidRecordError) as raised:
        _glue.build(record, Context("glue", strict=True), False)
    assert (raised.value.provider, raised.value.field, raised.value.value) == ("glue", f"$.{field}", value)
    run, warned = read(record, strict=False, keep_raw=False)
    assert [(w.field, w.value) for w in warned] == [(f"$.{field}", value)]
    assert isinstance(warned[0], InvalidRecordWarning)
    assert isinstance(run, Run)
    assert WHAT_IS_LEFT[field](run)
    assert _glue.build(CLEAN, Context("glue", strict=True), False).attempt == 1  # the clean base reads


@pytest.mark.parametrize("completed", [START + 60.0, START + 60.5, None])
@pytest.mark.parametrize("modified", [START + 60.0, START + 61.0, START - 60.0, None])
def test_last_modified(completed: float | None, modified: float | None) -> None:
    """``LastModifiedOn`` equal to ``CompletedOn`` is its very end time; any other is converted."""
    record = {**PLAIN[0], "StartedOn": START, "CompletedOn": completed, "LastModifiedOn": modified}
    run, _ = read(record, strict=False)
    assert isinstance(run, Run)
    expected = None if modified is None else datetime.fromtimestamp(modified, UTC)
    assert run.updated_at == expected
    if modified is not None and modified == completed:
        assert run.updated_at is run.ended_at
