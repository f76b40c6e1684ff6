"""The proof of runstate.sql: DuckDB running the generated SQL gives exactly what ``normalize`` gives.

For every provider the SQL covers: every combination of its table words (with words no table knows,
NULL and ""), hypothesis-generated rows of arbitrary text, and every fixture record.
"""

from __future__ import annotations

import warnings
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from runstate import RunstateWarning, normalize

from ..sql_cases import (
    CASES,
    OUTPUTS,
    Case,
    Row,
    all_combinations,
    duckdb_outputs,
    expectations,
    expected,
    fixture_rows,
    rows_strategy,
)

pytest.importorskip("duckdb", reason="the sql tests need duckdb: pip install 'runstate[sql]'")

PROVIDERS = sorted(CASES)


def _mismatches(rows: list[Row], got: list[Row], wanted: list[Row]) -> list[tuple[Row, Row, Row]]:
    return [(row, g, w) for row, g, w in zip(rows, got, wanted, strict=True) if g != w]


@pytest.mark.parametrize("provider", PROVIDERS)
def test_every_combination_of_table_words(provider: str) -> None:
    case = CASES[provider]
    rows = all_combinations(case)
    got = duckdb_outputs(case, rows)
    assert _mismatches(rows, got, expectations(case, rows)) == []
    assert {g["state"] for g in got} >= {"UNKNOWN", "FAILED"}  # the table words were really exercised


@pytest.mark.parametrize("provider", PROVIDERS)
def test_every_fixture_record(provider: str) -> None:
    case = CASES[provider]
    names, rows, wanted = fixture_rows(case)
    assert len(rows) >= 5
    got = duckdb_outputs(case, rows)
    assert [(n, g) for n, g, w in zip(names, got, wanted, strict=True) if g != w] == []


def _property(case: Case) -> None:
    @settings(max_examples=40)
    @given(rows=st.lists(rows_strategy(case), min_size=1, max_size=25))
    def check(rows: list[Row]) -> None:
        assert _mismatches(rows, duckdb_outputs(case, rows), expectations(case, rows)) == []

    check()


@pytest.mark.parametrize("provider", PROVIDERS)
def test_generated_rows_with_unknown_words(provider: str) -> None:
    _property(CASES[provider])


def test_unknown_words_are_flagged_never_guessed() -> None:
    case = CASES["glue"]
    rows: list[Row] = [
        {**dict.fromkeys(case.types), "JobRunState": word} for word in ("PAUSED", "", "running", None)
    ]
    got = duckdb_outputs(case, rows)
    assert [(g["state"], g["phase"], g["unmapped"]) for g in got] == [
        ("UNKNOWN", "UNKNOWN", True),
        ("UNKNOWN", "UNKNOWN", True),
        ("UNKNOWN", "UNKNOWN", True),
        ("UNKNOWN", "UNKNOWN", False),  # no word at all: nothing unmapped, still no state
    ]


_SENTINEL_RECORDS: dict[str, list[dict[str, Any]]] = {
    "databricks_system": [
        {
            "workspace_id": "1234567890123456",
            "job_id": "987654321012345",
            "run_id": str(700 + i),
            "result_state": "SUCCEEDED",
            "period_start_time": start,
            "period_end_time": end,
        }
        for i, (start, end) in enumerate(
            [
                ("2026-03-01T10:00:00Z", "9999-12-31T23:59:59Z"),  # a sentinel end: missing
                ("0001-01-01T00:00:00Z", "2026-03-01T10:00:00Z"),  # a sentinel start: missing
                ("2026-03-01T10:00:00Z", "2026-03-01T10:10:00Z"),
            ]
        )
    ],
    "glue": [
        {"Id": f"jr_{i}", "JobRunState": "SUCCEEDED", "StartedOn": start, "CompletedOn": end}
        for i, (start, end) in enumerate(
            [
                ("2026-03-01T10:00:00Z", "9999-12-31T23:59:59Z"),
                ("0001-01-01T00:00:00Z", "2026-03-01T10:00:00Z"),
                ("2026-03-01T10:00:00Z", "2126-02-28T10:00:00Z"),  # 36,524 days: kept
            ]
        )
    ],
    "cloud_deploy": [
        {
            "uid": f"u{i}",
            "jobId": "deploy",
            "state": "SUCCEEDED",
            "deployJobRun": {},
            "createTime": create,
            "startTime": start,
            "endTime": end,
        }
        for i, (create, start, end) in enumerate(
            [
                ("2026-03-01T09:00:00Z", "2026-03-01T10:00:00Z", "9999-12-31T23:59:59Z"),
                ("0001-01-01T00:00:00Z", "2026-03-01T10:00:00Z", "2026-03-01T11:00:00Z"),
                ("2026-03-01T09:00:00Z", "9999-12-31T23:59:59Z", "0001-01-01T00:00:00Z"),
            ]
        )
    ],
    "databricks": [
        {
            "run_id": i,
            "state": {"life_cycle_state": "TERMINATED", "result_state": "SUCCESS"},
            "start_time": start,
            "end_time": end,
        }
        for i, (start, end) in enumerate(
            [(1_772_359_200_000, 253_402_300_799_000), (1_772_359_200_000, 1_772_359_260_000)]
        )
    ],
}


@pytest.mark.parametrize("provider", sorted(_SENTINEL_RECORDS))
def test_spans_over_100_years_are_null_as_normalize_leaves_them_missing(provider: str) -> None:
    """A total or queue from sentinel times (9999-12-31, 0001-01-01) is no measurement: normalize
    reports it and leaves it missing, and the SQL gives NULL for the same rows."""
    case, rows, wanted = _table_and_wanted(provider, _SENTINEL_RECORDS[provider])
    assert any(w["total_seconds"] is None for w in wanted)
    assert _mismatches(rows, duckdb_outputs(case, rows), wanted) == []


def _table_and_wanted(
    provider: str, records: list[dict[str, Any]]
) -> tuple[Any, list[dict[str, Any]], list[dict[str, Any]]]:
    """The records as table rows, and what normalize gives for each (the outputs and durations)."""
    case = CASES[provider]
    rows, wanted = [], []
    for record in records:
        result, run = expected(provider, record)
        rows.append(case.from_record(record, run))
        wanted.append({k: result[k] for k in (*OUTPUTS, *case.durations)})
    return case, rows, wanted


_NEGATIVE_SPANS: dict[str, list[dict[str, Any]]] = {
    "glue": [
        {"Id": f"jr_{i}", "JobRunState": "SUCCEEDED", "StartedOn": start, "CompletedOn": end}
        for i, (start, end) in enumerate(
            [
                ("9999-12-31T23:59:59Z", "2026-03-01T10:00:00Z"),  # -7,974 years: missing
                ("5140-01-01T00:00:00Z", "2026-01-01T00:00:00Z"),  # -3,114 years: missing
                ("2126-02-28T10:00:00Z", "2026-03-01T10:00:00Z"),  # -36,524 days: kept, reported
            ]
        )
    ],
    "databricks": [
        {
            "run_id": i,
            "state": {"life_cycle_state": "TERMINATED", "result_state": "SUCCESS"},
            "start_time": start,
            "end_time": end,
        }
        for i, (start, end) in enumerate(
            [
                (253_402_300_799_000, 1_772_359_200_000),  # -7,974 years: missing
                (4_900_000_000_000, 1_772_359_200_000),  # -99 years: kept, reported
            ]
        )
    ],
}


@pytest.mark.parametrize("provider", sorted(_NEGATIVE_SPANS))
def test_negative_spans_over_100_years_are_null_as_positive_ones(provider: str) -> None:
    """A span over 100 years is a sentinel time whichever way it runs: normalize reports it and
    leaves the total missing, and the SQL gives NULL; a shorter negative one is kept in both."""
    case, rows, wanted = _table_and_wanted(provider, _NEGATIVE_SPANS[provider])
    totals = [w["total_seconds"] for w in wanted]
    assert totals[:-1] == [None] * (len(totals) - 1)
    assert totals[-1] is not None and totals[-1] < 0
    assert _mismatches(rows, duckdb_outputs(case, rows), wanted) == []


@pytest.mark.parametrize(
    ("provider", "record"),
    [(p, r) for p, records in _NEGATIVE_SPANS.items() for r in records[:-1]],
)
def test_a_negative_span_over_100_years_is_reported_as_out_of_range(provider: str, record: Any) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        normalize(provider, record)
    said = [str(w.message) for w in caught if issubclass(w.category, RunstateWarning)]
    assert any("over 100 years" in text for text in said), said  # Databricks also says end < start


def test_a_databricks_attempt_past_its_bound_is_no_retry_evidence_in_sql_either() -> None:
    """normalize reads an attempt_number of 2**31 or more as an odd value (attempt 0), so a WAITING
    run with one is deferred, not waiting for a retry; the SQL's retry evidence has the same bound."""
    case = CASES["databricks"]
    rows, wanted = [], []
    for attempt in (0, 1, 2**31 - 1, 2**31):
        record = {"run_id": 7, "status": {"state": "WAITING"}, "attempt_number": attempt}
        result, run = expected("databricks", record)
        rows.append(case.from_record(record, run))
        wanted.append({k: result[k] for k in (*OUTPUTS, *case.durations)})
    assert [w["reason"] for w in wanted] == ["DEFERRED", None, None, "DEFERRED"]
    assert _mismatches(rows, duckdb_outputs(case, rows), wanted) == []
