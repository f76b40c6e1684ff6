"""Databricks runs kept without ``raw``: what they share instead of copying, with the same values.

A run keeps some objects of its record in ``details`` (``repair_history``, ``for_each_task``, ...).
Without ``raw`` those are equal copies whose field names and state words are shared strings, plain
ended durations are one shared ``Durations`` per value, and a task starting or ending in its parent's
millisecond shares the parent's datetime. These tests show the values unchanged and the sharing real.
"""

from __future__ import annotations

import copy
import json
import sys
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import runstate
from runstate._providers.databricks import details as _databricks_details
from runstate._providers.databricks.details import shared_copy

from ...paths import FIXTURES

FIXTURES = FIXTURES / "databricks"

JSON: st.SearchStrategy[Any] = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(allow_nan=True),
        st.text(max_size=70),
        st.sampled_from(["TERMINATED", "SUCCESS", "RUN_EXECUTION_ERROR", "a b", "x" * 65]),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=30,
)


def load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text())
    return data


@settings(max_examples=300)
@given(JSON)
def test_a_shared_copy_is_equal(value: Any) -> None:
    copied = shared_copy(value)
    assert copied == value or value != value
    assert json.dumps(copied, sort_keys=True) == json.dumps(value, sort_keys=True)


def test_a_deep_value_is_copied_to_a_bound_and_kept_below() -> None:
    deep: Any = "TERMINATED"
    for _ in range(500):
        deep = {"state": [deep]}
    copied = shared_copy(deep)
    assert copied == deep
    assert copied is not deep


def test_keys_and_words_are_shared_between_two_records() -> None:
    first, second = load("multitask_with_repair_history"), load("multitask_with_repair_history")
    assert first["repair_history"][0]["type"] is not second["repair_history"][0]["type"]  # two decodes
    a = runstate.normalize("databricks", first, keep_raw=False).details["repair_history"]
    b = runstate.normalize("databricks", second, keep_raw=False).details["repair_history"]
    assert a == first["repair_history"]
    assert a[0]["type"] is b[0]["type"]
    assert next(iter(a[0])) is next(iter(b[0]))


def test_with_raw_the_records_objects_are_kept_as_they_are() -> None:
    record = load("multitask_with_repair_history")
    run = runstate.normalize("databricks", record)
    assert run.details["repair_history"] is record["repair_history"]


def test_without_raw_the_details_are_equal() -> None:
    for path in sorted(FIXTURES.glob("*.json")):
        record = json.loads(path.read_text())
        if "run_id" not in record:
            continue
        kept = runstate.normalize("databricks", copy.deepcopy(record))
        dropped = runstate.normalize("databricks", record, keep_raw=False)
        assert dropped == _without_raw(kept), path.stem


def _without_raw(run: runstate.Run) -> runstate.Run:
    return attrs.evolve(run, raw=None, tasks=tuple(_without_raw(task) for task in run.tasks))


def test_equal_durations_and_times_are_one_object() -> None:
    record = load("single_task_success")
    first = runstate.normalize("databricks", record, keep_raw=False)
    second = runstate.normalize("databricks", copy.deepcopy(record), keep_raw=False)
    assert first.durations is second.durations
    task = first.tasks[0]
    assert record["tasks"][0]["start_time"] == record["start_time"]
    assert task.started_at is first.started_at


@pytest.mark.parametrize(
    ("version", "immortal"),
    [((3, 11, 7), False), ((3, 12, 0), True), ((3, 12, 5), True), ((3, 12, 6), False), ((3, 13, 0), False)],
)
def test_shared_strings_are_freed_where_interning_is_for_ever(
    version: tuple[int, int, int], immortal: bool
) -> None:
    """On CPython 3.12.0-3.12.5 ``sys.intern`` made every string immortal: there the Databricks
    details share text through a bounded table, so a long history of distinct messages is freed."""
    chosen = _databricks_details.choose_intern(version)
    assert (chosen is not sys.intern) is immortal
    number = 42
    text = chosen(f"task-{number}")
    assert text == "task-42"
    assert chosen(f"task-{number}") is text  # equal text, one object


def test_the_bounded_table_stays_bounded() -> None:
    """The table that stands in for interning is cleared when full, never grows past its limit."""
    table = _databricks_details._SHARED_TEXT
    for number in range(_databricks_details._SHARED_TEXT_LIMIT + 10):
        _databricks_details._bounded_intern(f"message {number}")
    assert 0 < len(table) <= _databricks_details._SHARED_TEXT_LIMIT
    table.clear()
