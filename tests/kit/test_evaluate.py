"""A decision's durations evaluated in Python equal the SQL emitted from them, in DuckDB, on every
built-in provider's generated rows, every combination of its words and every fixture record."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from runstate._kit.evaluate import compile_duration, compile_span, derive
from runstate._kit.registry import REGISTRY
from runstate.provider_kit import MAX_DURATION, Decision, Duration, Millis, Span

from ..sql_cases import CASES, Case, Row, all_combinations, duckdb_outputs, fixture_rows, rows_strategy

pytest.importorskip("duckdb", reason="the sql tests need duckdb: pip install 'runstate[sql]'")

PROVIDERS = sorted(name for name, case in CASES.items() if case.durations)


def _evaluated(case: Case, rows: list[Row]) -> list[Row]:
    """Each row's durations by the Python evaluator, as the SQL's seconds (None for NULL)."""
    declared = REGISTRY.get(case.provider).decision
    decision = declared if isinstance(declared, Decision) or declared is None else declared()
    assert decision is not None
    add = derive(decision)
    compiled = {name: compile_duration(decision.durations[name]) for name in case.durations}
    found: list[Row] = []
    for row in rows:
        full = add(row)
        values = {name: value(full) for name, value in compiled.items()}
        found.append({name: None if v is None else v.total_seconds() for name, v in values.items()})
    return found


def _sql(case: Case, rows: list[Row]) -> list[Row]:
    return [{name: out[name] for name in case.durations} for out in duckdb_outputs(case, rows)]


def _mismatches(case: Case, rows: list[Row]) -> list[tuple[Row, Row, Row]]:
    pairs = zip(rows, _evaluated(case, rows), _sql(case, rows), strict=True)
    return [(row, mine, sql) for row, mine, sql in pairs if mine != sql]


@pytest.mark.parametrize("provider", PROVIDERS)
def test_generated_rows(provider: str) -> None:
    case = CASES[provider]

    @settings(max_examples=30)
    @given(rows=st.lists(rows_strategy(case), min_size=1, max_size=25))
    def check(rows: list[Row]) -> None:
        assert _mismatches(case, rows) == []

    check()


@pytest.mark.parametrize("provider", PROVIDERS)
def test_every_combination_and_fixture(provider: str) -> None:
    case = CASES[provider]
    rows = [*all_combinations(case, repeat=3), *fixture_rows(case)[1]]
    assert _mismatches(case, rows) == []


_T = datetime(2026, 3, 1, tzinfo=UTC)
_ANY_TIME = st.datetimes(timezones=st.just(UTC)) | st.sampled_from(
    [datetime(1, 1, 1, tzinfo=UTC), datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC), _T + MAX_DURATION]
)


@pytest.mark.parametrize("provider", [p for p in PROVIDERS if "timestamp" in CASES[p].types.values()])
def test_any_times_sentinels_included(provider: str) -> None:
    case = CASES[provider]
    times = {n: _ANY_TIME | st.just(_T) for n, kind in case.types.items() if kind == "timestamp"}
    row = st.tuples(rows_strategy(case), st.fixed_dictionaries(times)).map(lambda p: {**p[0], **p[1]})

    @settings(max_examples=30)
    @given(rows=st.lists(row, min_size=1, max_size=25))
    def check(rows: list[Row]) -> None:
        assert _mismatches(case, rows) == []

    check()


def test_the_sentinel_rule_and_order() -> None:
    span = compile_duration(Duration((((), Span("a", "b")),)))
    forward = compile_duration(Duration((((), Span("a", "b", nonnegative=True)),)))
    assert span({"a": _T, "b": _T + MAX_DURATION}) == MAX_DURATION
    assert span({"a": _T, "b": _T + MAX_DURATION + timedelta(microseconds=1)}) is None
    assert span({"a": _T, "b": _T - timedelta(seconds=5)}) == timedelta(seconds=-5)
    assert forward({"a": _T, "b": _T - timedelta(seconds=5)}) is None
    assert span({"a": None, "b": _T}) is None
    millis = compile_duration(Duration((((), Millis(("e",), (0, 10**15), minus="s")),)))
    assert millis({"s": 1_000, "e": 3_500}) == timedelta(seconds=2.5)
    assert millis({"s": -1, "e": 3_500}) is None  # outside the bounds


@given(
    first=st.none() | _ANY_TIME,
    last=st.none() | _ANY_TIME,
    nonnegative=st.booleans(),
)
def test_a_lone_span_without_a_row(first: datetime | None, last: datetime | None, nonnegative: bool) -> None:
    duration = Duration((((), Span("a", "b", nonnegative)),))
    by_row = compile_duration(duration)({"a": first, "b": last})
    assert compile_span(duration, "a", "b")(first, last) == by_row


def test_compile_span_refuses_another_duration() -> None:
    with pytest.raises(ValueError, match="not a span of b and a"):
        compile_span(Duration((((), Span("a", "b")),)), "b", "a")
