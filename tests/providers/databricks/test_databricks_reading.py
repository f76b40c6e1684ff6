"""Databricks records read one at a time: what a record gives never depends on what was read before.

``build`` shares what it decided before (the state words' memo, plain durations, timedeltas, text).
These tests read every fixture, the bundled examples and fuzzed variants of them once, then again
after every other record, and compare: the same run (every field, its tasks, details and durations),
the same warnings in the same order, the same error, in both modes.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runstate._providers.databricks.jobs import build
from runstate.provider_kit import Context

from ...outcomes import observe
from ...paths import example_records, fixture_records


def _records() -> list[dict[str, Any]]:
    records = fixture_records("databricks") + example_records("databricks")
    return [r for r in records if "run_id" in r]  # a runs/list page is split before build


RECORDS = _records()
EXAMPLES = RECORDS[-14:]

ODD: st.SearchStrategy[Any] = st.one_of(
    st.sampled_from(
        [None, 0, -1, 1, "", "x", 1.5, True, False, [], {}, 10**20, 99_999_999_999, 4_102_444_800_001]
    ),
    st.sampled_from([2**31, 2**64, 253_402_300_799_000, 0.0]),  # out of range: attempts, 9999-12-31
    st.sampled_from(["TERMINATED", "SUCCESS", "FAILED", "RUNNING", "QUEUED", "WAITING", "MULTI_TASK"]),
    st.sampled_from(["SINGLE_TASK", "SKIPPED", "CANCELED", "TIMEDOUT", "USER_CANCELED", "CLIENT_ERROR"]),
    st.integers(-(10**6), 10**7),
    st.integers(1_700_000_000_000, 1_700_000_100_000),
    st.lists(st.just({"run_id": 1, "task_key": "t"}), max_size=2),
)
"""Values put anywhere in a record: wrong types, edges of the ranges, state words, times, lists."""
ADDED = ("format", "run_duration", "queue_duration", "workspace_id", "tasks", "iterations", "job_run_id")
"""Fields a fuzzed record may gain (with an :data:`ODD` value)."""


def _slots(value: Any, out: list[tuple[Any, Any]]) -> list[tuple[Any, Any]]:
    """Every (container, key or index) of a record, nested ones included."""
    if isinstance(value, dict):
        for key, item in value.items():
            out.append((value, key))
            _slots(item, out)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            out.append((value, i))
            _slots(item, out)
    return out


@st.composite
def fuzzed(draw: st.DrawFn) -> dict[str, Any]:
    """A fixture or example with up to four of its fields replaced, removed or added, at any depth."""
    record: dict[str, Any] = copy.deepcopy(draw(st.sampled_from(RECORDS)))
    for _ in range(draw(st.integers(0, 4))):
        slots = _slots(record, [])
        container, key = draw(st.sampled_from(slots))
        action = draw(st.sampled_from(["replace", "replace", "remove", "add"]))
        if action == "remove" and isinstance(container, dict):
            del container[key]
        elif action == "add" and isinstance(container, dict):
            name = draw(st.sampled_from(ADDED))
            container[name] = copy.deepcopy(draw(ODD))  # a copy: a later step may change it in place
        else:
            container[key] = copy.deepcopy(draw(ODD))
    return record


def _read(record: dict[str, Any], strict: bool, keep_raw: bool) -> object:
    return observe(build, copy.deepcopy(record), Context("databricks", strict), keep_raw)


def _same_whatever_came_before(record: dict[str, Any], strict: bool, keep_raw: bool) -> None:
    """``record`` read first, then after every other record (the memo and the shared values warm):
    the same run, warnings and error."""
    first = _read(record, strict, keep_raw)
    for other in RECORDS:
        _read(other, strict, keep_raw)
    assert _read(record, strict, keep_raw) == first


@pytest.mark.parametrize("strict", [False, True])
@pytest.mark.parametrize("index", range(len(RECORDS)))
def test_every_fixture_reads_the_same_whatever_came_before(index: int, strict: bool) -> None:
    _same_whatever_came_before(RECORDS[index], strict, keep_raw=True)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(fuzzed(), st.booleans(), st.booleans())
def test_every_fuzzed_record_reads_the_same_whatever_came_before(
    record: dict[str, Any], strict: bool, keep_raw: bool
) -> None:
    _same_whatever_came_before(record, strict, keep_raw)


@pytest.mark.parametrize("index", range(len(EXAMPLES)))
def test_a_bundled_example_reads_without_a_warning(index: int) -> None:
    """The bundled examples are clean records: read strictly, each gives its run and warns nothing."""
    result, caught = observe(build, copy.deepcopy(EXAMPLES[index]), Context("databricks", True), True)
    assert isinstance(result, tuple)
    assert (result[0], caught) == ("run", [])
