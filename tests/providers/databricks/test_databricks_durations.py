"""Databricks durations: the plain-integer shortcut of ``run_durations`` is the full reading, proven.

``run_durations`` reads an ended run with plain in-range integers itself (the common case of bulk
history) and leaves everything else to ``read_durations``; these tests show the shortcut gives the same
``Durations`` and the same reports as ``read_durations`` for every record, in both modes.
"""

from __future__ import annotations

import warnings
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from runstate import Durations, InvalidRecordError, Missing, State
from runstate._providers.databricks import durations as dd
from runstate.provider_kit import (
    EPOCH,
    MAX_EPOCH_MS,
    MIN_EPOCH_MS,
    TERMINAL_STATES,
    Context,
    time_from_epoch_ms,
)

START = datetime(2026, 3, 1, tzinfo=UTC)
MS = st.integers(0, 10**7)
ODD_MS = st.one_of(st.integers(-(10**4), -1), st.just(10**20), st.just("12"), st.just(1.5))


@st.composite
def plain_records(draw: st.DrawFn) -> dict[str, Any]:
    """The shape the shortcut reads: plain parts, no ``format``; ``run_duration`` at the tolerance's edges."""
    parts = {
        "setup_duration": draw(MS),
        "execution_duration": draw(MS),
        "cleanup_duration": draw(MS),
    }
    if draw(st.booleans()):
        parts = dict.fromkeys(parts, 0)  # multitask placeholders
    record: dict[str, Any] = {"run_id": 1, **parts}
    offset = draw(st.sampled_from([None, -3001, -3000, -2999, 0, 5000]))
    if offset is not None and sum(parts.values()) + offset >= 0:
        record["run_duration"] = sum(parts.values()) + offset
    elif draw(st.booleans()):
        record["run_duration"] = draw(MS)
    if draw(st.booleans()):
        record["queue_duration"] = draw(MS)
    return record


@st.composite
def odd_records(draw: st.DrawFn) -> dict[str, Any]:
    """Around the plain case: odd values, ``format``, repairs, parts absent."""
    record: dict[str, Any] = {"run_id": 1}
    zero = draw(st.booleans())
    for part in ("setup_duration", "execution_duration", "cleanup_duration"):
        record[part] = 0 if zero else draw(st.one_of(MS, MS, ODD_MS, st.none()))
    values: st.SearchStrategy[Any]
    for field, values in (
        ("queue_duration", st.one_of(st.none(), MS, ODD_MS)),
        ("run_duration", st.one_of(st.none(), MS, ODD_MS)),
        ("format", st.sampled_from([None, "MULTI_TASK", "SINGLE_TASK"])),
        ("repair_history", st.one_of(st.none(), st.lists(st.just({}), min_size=1, max_size=3))),
    ):
        value: Any = draw(values)
        if value is not None:
            record[field] = value
    return record


@st.composite
def records(draw: st.DrawFn) -> dict[str, Any]:
    """A run record, with child tasks or not (run_id 1 is the run itself)."""
    record: dict[str, Any] = draw(st.one_of(plain_records(), odd_records()))
    tasks = draw(st.lists(st.sampled_from([1, 2, 3]), max_size=3))
    if tasks:
        record["tasks"] = [{"run_id": run_id} for run_id in tasks]
    return record


times = st.tuples(
    st.one_of(st.none(), st.just(START)),
    st.one_of(st.none(), st.integers(-(10**5), 10**8).map(lambda ms: START + timedelta(milliseconds=ms))),
)
"""(started, ended): either may be absent; an end before the start is reported by check_order."""


def run(function: Any, *args: Any) -> tuple[object, list[tuple[type[Warning], str]]]:
    """The function's result (or the error it raised) and the warnings it gave, in order."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result: object = function(*args)
        except InvalidRecordError as exc:
            result = (type(exc), str(exc))
    return result, [(w.category, str(w.message)) for w in caught]


@settings(max_examples=500)
@given(
    records(),
    st.sampled_from([State.SUCCEEDED, State.FAILED, State.RUNNING, State.QUEUED]),
    times,
    st.booleans(),
)
def test_run_durations_is_the_full_reading(
    record: dict[str, Any], state: State, started_ended: tuple[datetime | None, datetime | None], strict: bool
) -> None:
    started, ended = started_ended
    ctx = Context("databricks", strict)
    measured = ended is not None or state in TERMINAL_STATES
    fast = run(dd.run_durations, record.get, state, started, ended, ctx, "$")
    full = run(dd.read_durations, record.get, state, measured, started, ended, ctx, "$")
    assert fast == full
    if started is not None and ended is not None:  # plain times: the wall time in whole milliseconds
        wall_ms = (ended - started) // timedelta(milliseconds=1)
        assert run(dd.run_durations, record.get, state, started, ended, ctx, "$", wall_ms) == full


def test_the_plain_case_does_not_take_the_full_reading(monkeypatch: pytest.MonkeyPatch) -> None:
    """The shortcut is taken (so the property above compares two paths, not one with itself)."""

    def refuse(*args: Any) -> Durations:
        raise AssertionError("read_durations called on a plain record")

    monkeypatch.setattr(dd, "read_durations", refuse)
    record = {"setup_duration": 1000, "execution_duration": 5000, "cleanup_duration": 0, "queue_duration": 0}
    ended = START + timedelta(seconds=6)
    durations = dd.run_durations(record.get, State.SUCCEEDED, START, ended, Context("databricks"), "$")
    assert (durations.total, durations.queue) == (timedelta(seconds=6), timedelta(0))
    multitask = {"setup_duration": 0, "execution_duration": 0, "cleanup_duration": 0, "run_duration": 6000}
    durations = dd.run_durations(multitask.get, State.SUCCEEDED, START, ended, Context("databricks"), "$")
    assert durations.total == timedelta(seconds=6)
    assert durations.missing["setup"] is Missing.NOT_APPLICABLE


def test_one_tolerance_for_rounded_parts() -> None:
    """Three parts of whole seconds: their sum may exceed the total by PARTS_ROUNDING, not more."""
    assert dd.PARTS_ROUNDING == 3 * dd.ROUNDING == timedelta(seconds=3)
    ended = START + timedelta(seconds=10)
    within = {
        "setup_duration": 0,
        "execution_duration": 13_000,
        "cleanup_duration": 0,
        "run_duration": 10_000,
    }
    assert (
        run(dd.run_durations, within.get, State.SUCCEEDED, START, ended, Context("databricks"), "$")[1] == []
    )
    beyond = {**within, "execution_duration": 13_001}
    reports = run(dd.run_durations, beyond.get, State.SUCCEEDED, START, ended, Context("databricks"), "$")[1]
    assert reports[0][1].startswith("databricks: $.run_duration")


@settings(max_examples=500)
@given(st.one_of(st.integers(MIN_EPOCH_MS, MAX_EPOCH_MS), st.integers(4_102_444_790_000, 4_102_444_810_000)))
def test_start_and_end_times_are_the_kits_reading(ms: int) -> None:
    """``run_times`` converts plain epoch milliseconds itself (up to 2100, through a float): exactly
    what the kit's ``time_from_epoch_ms`` gives, to the microsecond, for every plain value."""
    ctx = Context("databricks", strict=True)
    record = {"start_time": ms, "end_time": ms}
    started, ended, _, _ = dd.run_times(record.get, State.SUCCEEDED, ctx, "$")
    expected = time_from_epoch_ms(ms, ctx, "$.start_time")
    assert started == ended == expected
    assert started is not None and started.tzinfo is EPOCH.tzinfo


NINTHS = st.integers(0, 10**5).map(lambda ms: 9 * ms)
"""Multiples of 9 ms: a total that reaches the slack's wall / 10 edge in whole milliseconds."""


@settings(max_examples=1000)
@given(
    st.one_of(st.integers(0, 10**6), st.integers(0, 10**8), NINTHS),
    st.one_of(st.integers(-(10**4), 10**8), st.integers(0, 2 * 10**6)),
    st.one_of(st.none(), st.just(0), NINTHS),
    st.booleans(),
    st.sampled_from([None, [], [{}], [{}, {}]]),
    st.booleans(),
)
def test_the_total_is_checked_alike_in_milliseconds(
    total: int, wall: int, queue: int | None, multitask: bool, history: list[Any] | None, strict: bool
) -> None:
    """``check_total_ms`` (plain times) gives the reports of ``_check_total`` (timedeltas), at the
    edges of the rounding, of the queue and of the slack ``max(60 s, wall / 10)`` too."""
    record = {} if history is None else {"repair_history": history}
    ctx = Context("databricks", strict)
    as_td = None if queue is None else timedelta(milliseconds=queue)
    waited = total + (queue or 0)
    edges = (waited + 1000, waited + 60_000, 10 * waited // 9, total - 1000, total - 3000)
    for wall_ms in (wall, *(edge + d for edge in edges for d in (-1, 0, 1))):
        in_ms = run(dd.check_total_ms, total, wall_ms, queue, multitask, record.get, ctx, "$")
        args = (timedelta(milliseconds=total), timedelta(milliseconds=wall_ms), as_td, multitask)
        assert in_ms == run(dd._check_total, *args, record.get, ctx, "$")
