"""Glue's fast path (``build``) gives what its careful path gives, for every record.

``build`` reads a plain wire-JSON JobRun itself and hands anything odd to ``careful_build``; these
tests prove the two agree (run, warnings, error, in both modes) on the fixtures, the bundled examples
and records fuzzed from them, and that the fast path really takes the plain records.
"""

from __future__ import annotations

import copy
import json
import math
from datetime import UTC, datetime, timedelta, timezone
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd  # type: ignore[import-untyped]
import pytest
from hypothesis import given
from hypothesis import strategies as st

from runstate._providers.glue import jobs as _glue

from ...fastpath import assert_fast_path_taken, assert_same
from ...paths import FIXTURES

FIXTURES = FIXTURES / "glue"
CASES = sorted(p.stem for p in FIXTURES.glob("*.json") if p.stem != "get_job_runs_page")
EXAMPLES = [
    json.loads(line)
    for line in resources.files("runstate.examples").joinpath("glue.jsonl").read_text().splitlines()
    if line.strip()
]
BASES = [json.loads((FIXTURES / f"{name}.json").read_text()) for name in CASES] + EXAMPLES
PLAIN = [b.get("JobRun", b) for b in BASES]


def same(record: Any) -> None:
    assert_same(_glue.build, _glue.careful_build, "glue", record)


@pytest.mark.parametrize("record", BASES, ids=range(len(BASES)))
def test_fixtures_and_examples_agree(record: dict[str, Any]) -> None:
    same(record)


@pytest.mark.parametrize("record", PLAIN, ids=range(len(PLAIN)))
def test_plain_records_take_the_fast_path(record: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    assert_fast_path_taken(_glue, "glue", record, monkeypatch)


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
    "JobRunState": (*_glue.KNOWN_JOB_RUN_STATES, "NEW_STATE", ""),
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


@given(records())
def test_fuzzed_records_agree(record: dict[str, Any]) -> None:
    same(record)


@pytest.mark.parametrize("index", range(len(PLAIN)))
def test_every_single_substitution_agrees(index: int) -> None:
    """Each plausible value of each field, alone or removed, in each record (what a fuzzer may not reach)."""
    base = PLAIN[index]
    for key, values in FIELD_VALUES.items():
        same({k: v for k, v in base.items() if k != key})
        for value in values:
            same({**base, key: value})


@pytest.mark.parametrize("completed", [START + 60.0, START + 60.5, None])
@pytest.mark.parametrize("modified", [START + 60.0, START + 61.0, START - 60.0, None])
def test_last_modified_agrees(completed: float | None, modified: float | None) -> None:
    """``LastModifiedOn`` equal to ``CompletedOn`` is its very end time; any other is converted."""
    same({**PLAIN[0], "StartedOn": START, "CompletedOn": completed, "LastModifiedOn": modified})
