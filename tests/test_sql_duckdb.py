"""The proof of runstate.sql: DuckDB running the generated SQL gives exactly what ``normalize`` gives.

For every provider the SQL covers: every combination of its table words (with words no table knows,
NULL and ""), hypothesis-generated rows of arbitrary text, and every fixture record.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from .sql_cases import (
    CASES,
    Case,
    Row,
    all_combinations,
    duckdb_outputs,
    expectations,
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
