"""Databricks' two passes: the probe pass gives exactly what the reporting pass gives, for every record.

``build`` reads a dict record first with a probe context that reports nothing (it raises at the
first problem) and, if the probe met one, again with the caller's context. These tests compare
``build`` with the reporting pass alone (``_build`` with the caller's context from the start) over
every fixture, the bundled examples and fuzzed variants of them: the same run (every field, its tasks,
details and durations), the same warnings in the same order, the same error, in both modes.
"""

from __future__ import annotations

import copy
import json
import warnings
from importlib import resources
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runstate._providers.databricks import jobs as _databricks
from runstate._providers.databricks.durations import NO_SHARED
from runstate.provider_kit import Context

from ...paths import FIXTURES

FIXTURES = FIXTURES / "databricks"


def _records() -> list[dict[str, Any]]:
    fixtures = [json.loads(p.read_text()) for p in sorted(FIXTURES.glob("*.json"))]
    text = resources.files("runstate").joinpath("examples", "databricks.jsonl").read_text(encoding="utf-8")
    examples = [json.loads(line) for line in text.splitlines() if line.strip()]
    return [r for r in fixtures + examples if "run_id" in r]  # a runs/list page is split before build


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


def _outcome(function: Any, *args: Any) -> tuple[object, list[tuple[type[Warning], str]]]:
    """What ``function(*args)`` gives: its run or its error (type and text), and its warnings in order."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result: object = function(*args)
        except Exception as exc:  # noqa: BLE001 - the error is the outcome compared
            result = (type(exc), str(exc))
    return result, [(w.category, str(w.message)) for w in caught]


def _reporting_pass(record: dict[str, Any], ctx: Context, keep_raw: bool) -> object:
    return _databricks._build(ctx, keep_raw, 0, None, None, None, NO_SHARED, record, "$", False)


def _same(record: dict[str, Any], strict: bool, keep_raw: bool) -> None:
    _databricks._paused = 0  # the probe is tried on every record compared (see the last test)
    ctx = Context("databricks", strict)
    both = _outcome(_databricks.build, record, ctx, keep_raw)
    alone = _outcome(_reporting_pass, record, ctx, keep_raw)
    assert both == alone


@pytest.mark.parametrize("strict", [False, True])
@pytest.mark.parametrize("index", range(len(RECORDS)))
def test_every_fixture_gives_the_reporting_pass_result(index: int, strict: bool) -> None:
    _same(RECORDS[index], strict, keep_raw=True)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(fuzzed(), st.booleans(), st.booleans())
def test_every_fuzzed_record_gives_the_reporting_pass_result(
    record: dict[str, Any], strict: bool, keep_raw: bool
) -> None:
    _same(record, strict, keep_raw)


@pytest.mark.parametrize("index", range(len(EXAMPLES)))
def test_a_clean_record_is_done_by_the_probe_pass(index: int) -> None:
    """The bundled examples are clean: the probe reads each in one pass (so the property above
    compares two passes, not the reporting pass with itself)."""
    record = EXAMPLES[index]
    run = _databricks._build(_databricks._PROBE, True, 0, None, None, None, NO_SHARED, record, "", False)
    assert run == _reporting_pass(record, Context("databricks"), True)


def test_the_probe_reports_nothing() -> None:
    with pytest.raises(_databricks._Bail):
        _databricks._PROBE.report("invalid", "$.run_id", None, "missing")
    with pytest.raises(_databricks._Bail):
        _databricks._PROBE.invalid("$.start_time", "x", "expected epoch milliseconds")


def test_a_paused_probe_gives_the_same_results(monkeypatch: pytest.MonkeyPatch) -> None:
    """Records that all have a problem pause the probe; paused or not, each gives what it gave."""
    odd = copy.deepcopy(RECORDS[0])
    odd["attempt_number"] = -1  # reported (and read as 0) in lenient mode
    monkeypatch.setattr(_databricks, "_misses", 0)
    monkeypatch.setattr(_databricks, "_paused", 0)
    ctx = Context("databricks")
    expected = _outcome(_reporting_pass, odd, ctx, True)
    for _ in range(_databricks._MISSES_BEFORE_PAUSE):
        assert _outcome(_databricks.build, odd, ctx, True) == expected
    assert _databricks._paused == _databricks._PAUSE
    assert _outcome(_databricks.build, odd, ctx, True) == expected
    assert _outcome(_databricks.build, RECORDS[0], ctx, True) == _outcome(
        _reporting_pass, RECORDS[0], ctx, True
    )
    assert _databricks._paused == _databricks._PAUSE - 2
