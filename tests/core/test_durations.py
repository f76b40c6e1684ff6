"""Duration arithmetic: identities that hold for all inputs, and reporting instead of clamping."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from runstate import (
    Durations,
    InconsistentDurationWarning,
    InvalidRecordError,
    InvalidRecordWarning,
    Missing,
    Run,
    State,
    sum_durations,
    task_time,
    total_across_attempts,
    wall_time,
)
from runstate.provider_kit import (
    MAX_DURATION,
    OUT_OF_RANGE,
    Context,
    check_order,
    check_parts,
    duration_from_ms,
    duration_from_s,
    time_between,
)

from ..strategies import aware_datetimes, durations, durations_values, maybe_durations

STRICT = Context("test", strict=True)
LENIENT = Context("test", strict=False)
T0 = datetime(2026, 3, 1, 10, tzinfo=UTC)


@given(durations, durations, durations)
def test_parts_add_up(setup: timedelta, execution: timedelta, cleanup: timedelta) -> None:
    d = Durations(setup=setup, execution=execution, cleanup=cleanup, total=setup + execution + cleanup)
    assert d.sum_of_parts() == d.total


@given(durations_values(), durations_values(), durations_values())
def test_sums_are_associative_and_commutative(a: Durations, b: Durations, c: Durations) -> None:
    assert (a + b) + c == a + (b + c)  # values and the reasons for missing parts alike
    assert a + b == b + a


@given(durations_values(), durations_values())
def test_subtraction_undoes_addition(a: Durations, b: Durations) -> None:
    back = (a + b) - b
    for part in ("queue", "setup", "execution", "cleanup", "total"):
        if getattr(b, part) is not None:
            assert getattr(back, part) == getattr(a, part)


@given(st.lists(maybe_durations, max_size=6))
def test_sum_durations_is_none_exactly_when_something_is_unknown(values: list[timedelta | None]) -> None:
    result = sum_durations(values)
    if any(v is None for v in values):
        assert result is None
    else:
        assert result == sum((v for v in values if v is not None), timedelta(0))


def test_missing_keeps_not_applicable_not_ended_and_zero_apart() -> None:
    d = Durations(
        setup=None,
        execution=timedelta(0),
        total=None,
        missing={"setup": Missing.NOT_APPLICABLE, "total": Missing.NOT_ENDED},
    )
    assert d.why_missing("setup") is Missing.NOT_APPLICABLE
    assert d.why_missing("total") is Missing.NOT_ENDED
    assert d.why_missing("execution") is None  # a real zero
    assert d.why_missing("queue") is Missing.NOT_REPORTED
    merged = d + Durations(setup=timedelta(1), missing={})
    assert merged.why_missing("setup") is Missing.NOT_APPLICABLE


def _run(state: State, start: datetime | None, end: datetime | None, total: timedelta | None = None) -> Run:
    return Run(
        provider="t",
        run_id="1",
        state=state,
        started_at=start,
        ended_at=end,
        durations=Durations(total=total),
    )


@given(aware_datetimes, durations)
def test_elapsed_of_a_terminal_run_equals_its_total(start: datetime, total: timedelta) -> None:
    run = _run(State.SUCCEEDED, start, start + total, total)
    assert run.elapsed() == total
    assert run.elapsed(now=start + 2 * total + timedelta(days=1)) == total


@given(aware_datetimes, durations)
def test_elapsed_of_a_running_run_counts_until_now(start: datetime, so_far: timedelta) -> None:
    assert _run(State.RUNNING, start, None).elapsed(now=start + so_far) == so_far


def test_naive_now_is_refused_clearly() -> None:
    running = _run(State.RUNNING, T0, None)
    naive = datetime(2026, 3, 1, 11)
    with pytest.raises(InvalidRecordError, match="now: must be timezone-aware"):
        running.elapsed(now=naive)
    with pytest.raises(InvalidRecordError, match="timezone-aware"):
        wall_time([running], now=naive)


def test_elapsed_unknown_without_start() -> None:
    assert _run(State.QUEUED, None, None).elapsed(now=T0) is None
    assert _run(State.SUCCEEDED, T0, T0 + timedelta(seconds=5)).elapsed() == timedelta(seconds=5)


def test_wall_time_vs_task_time() -> None:
    a = _run(State.SUCCEEDED, T0, T0 + timedelta(minutes=10), timedelta(minutes=10))
    b = _run(State.SUCCEEDED, T0 + timedelta(minutes=2), T0 + timedelta(minutes=8), timedelta(minutes=6))
    parent = Run(provider="t", run_id="p", state=State.SUCCEEDED, tasks=(a, b))
    assert wall_time(parent.tasks) == timedelta(minutes=10)  # in parallel: counted once
    assert task_time(parent) == timedelta(minutes=16)  # summed
    running = _run(State.RUNNING, T0, None)
    assert wall_time([a, running]) is None
    assert wall_time([a, running], now=T0 + timedelta(minutes=30)) == timedelta(minutes=30)
    assert wall_time([]) is None


def test_total_across_attempts() -> None:
    first = _run(State.FAILED, T0, T0 + timedelta(minutes=3), timedelta(minutes=3))
    retry = _run(State.SUCCEEDED, T0 + timedelta(minutes=5), T0 + timedelta(minutes=9), timedelta(minutes=4))
    assert total_across_attempts([first, retry]) == timedelta(minutes=7)
    assert total_across_attempts([first, _run(State.RUNNING, T0, None)]) is not None


def test_end_before_start_is_reported_not_clamped() -> None:
    with pytest.warns(InconsistentDurationWarning, match="ends before it starts"):
        check_order(T0, T0 - timedelta(seconds=1), LENIENT, "$.end_time")
    with pytest.raises(InvalidRecordError, match=r"test: \$.end_time: ends before it starts"):
        check_order(T0, T0 - timedelta(seconds=1), STRICT, "$.end_time")
    check_order(T0, T0, STRICT, "$.end_time")


def test_parts_exceeding_the_whole_are_reported() -> None:
    parts = [timedelta(seconds=5), timedelta(seconds=6), None]
    with pytest.warns(InconsistentDurationWarning, match="parts add up to more than the whole"):
        check_parts(parts, timedelta(seconds=10), LENIENT, "$.run_duration")
    check_parts(parts, timedelta(seconds=10), LENIENT, "$.run_duration", tolerance=timedelta(seconds=1))
    with pytest.raises(InvalidRecordError):
        check_parts(parts, timedelta(seconds=10), STRICT, "$.run_duration")


@pytest.mark.parametrize(
    ("value", "expected"), [(0, timedelta(0)), (1500, timedelta(seconds=1.5)), (None, None)]
)
def test_duration_from_ms(value: object, expected: timedelta | None) -> None:
    assert duration_from_ms(value, STRICT, "$.setup_duration") == expected


def test_negative_duration_is_reported_and_kept() -> None:
    with pytest.warns(InconsistentDurationWarning, match="negative duration"):
        assert duration_from_ms(-1000, LENIENT, "$.setup_duration") == timedelta(seconds=-1)
    with pytest.raises(InvalidRecordError, match="negative"):
        duration_from_s(-1, STRICT, "$.ExecutionTime")
    with pytest.raises(InvalidRecordError, match="out of range"):
        duration_from_s(10**30, STRICT, "$.ExecutionTime")
    with pytest.raises(InvalidRecordError, match="expected a number"):
        duration_from_s("12", STRICT, "$.ExecutionTime")


@given(aware_datetimes, aware_datetimes)
def test_time_between_is_the_one_sentinel_rule(start: datetime, end: datetime) -> None:
    """end - start; over 100 years either way it is invalid and missing, a negative span is kept."""
    between = end - start
    if abs(between) > MAX_DURATION:
        with pytest.warns(InvalidRecordWarning, match=re.escape(OUT_OF_RANGE)):
            assert time_between(start, end, LENIENT, "$.end") is None
        with pytest.raises(InvalidRecordError, match=r"\$\.end"):
            time_between(start, end, STRICT, "$.end")
    elif between < timedelta(0):
        with pytest.warns(InconsistentDurationWarning, match="ends before it starts"):
            assert time_between(start, end, LENIENT, "$.end") == between
    else:
        assert time_between(start, end, STRICT, "$.end") == between


def test_time_between_needs_both_times() -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    assert time_between(None, start, STRICT, "$.end") is None
    assert time_between(start, None, STRICT, "$.end") is None
