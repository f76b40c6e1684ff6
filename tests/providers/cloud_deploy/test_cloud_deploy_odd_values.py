"""Cloud Deploy's one reader on odd field values: strictly the documented error naming provider, field
and value; leniently a run with the field UNKNOWN or missing, and a warning naming it.

Records are the fixtures and bundled examples with fields replaced (by plausible or odd values) or
removed, in either spelling; a record that is not a JobRun at all is refused in both modes.
"""

from __future__ import annotations

import copy
import warnings
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import runstate
from runstate import InvalidRecordError, Run, RunstateError, RunstateWarning, State
from runstate._providers.cloud_deploy import tables

from ...paths import example_records, fixture_records

EXAMPLES = example_records("cloud_deploy")
BASES = fixture_records("cloud_deploy", skip=("list_job_runs_page",)) + EXAMPLES
PLAIN = next(e for e in EXAMPLES if e["state"] == "SUCCEEDED" and "deployJobRun" in e)


NAME = (
    "projects/p/locations/l/deliveryPipelines/d/releases/r/rollouts/o/jobRuns/j",
    "projects/p/locations/l/deliveryPipelines/d/releases/r/rollouts/o/jobRuns/",
    "projects/p/locations/l/deliveryPipelines/d/releases/r/rollouts/o/jobRuns/j/k",
    "projects/p/locations//deliveryPipelines/d/releases/r/rollouts/o/jobRuns/j",
    "projects/p/locations/l/pipelines/d/releases/r/rollouts/o/jobRuns/j",
    "jobRuns/j",
    "",
)
TIMES = (
    "2026-02-13T03:08:06.111111123Z",
    "2026-02-13T03:08:07Z",
    "2026-02-13T03:08:05.5Z",
    "2026-02-13T03:08:06+00:00",
    "2026-02-13T05:08:06+02:00",
    "2026-02-13T03:08:06",
    "2026-02-13T03:08:60Z",
    "2026-02-13 03:08:06.25z",
    "not a time",
    "",
    "9999-12-31T23:59:59.999999999Z",  # sentinels: a span over 100 years is reported, left missing
    "0001-01-01T00:00:00Z",
    datetime(2026, 2, 13, 3, 8, 6, tzinfo=UTC),
    datetime(2026, 2, 13, 3, 8, 6, tzinfo=timezone(timedelta(hours=1))),
    datetime(2026, 2, 13, 3, 8, 6),  # a naive time is odd input
)
CAUSES = (
    *{c for causes in tables.KNOWN_FAILURE_CAUSES.values() for c in causes},
    "NEW_CAUSE",
    1,
    99,
    "",
)
ODD = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 2**64),
    st.floats(),
    st.text(max_size=4),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)
FIELD_VALUES: dict[str, tuple[Any, ...]] = {
    "state": (*tables.KNOWN_JOB_RUN_STATES, "NEW_STATE", 2, 17),
    "name": NAME,
    "uid": ("u-1", ""),
    "phaseId": ("stable", ""),
    "jobId": ("deploy", ""),
    "etag": ("e1", ""),
    "createTime": TIMES,
    "startTime": TIMES,
    "endTime": TIMES,
    "jobRuns": ([],),
    # JobRun.to_dict's proto spelling, alone or beside the REST one, and a Rollout's own keys
    "phase_id": ("stable", ""),
    "job_id": ("verify", ""),
    "start_time": TIMES[:2],
    "end_time": ("2026-02-13T03:08:07Z", "9999-12-31T23:59:59Z"),
    "targetId": ("prod",),
    "deploy_start_time": ("2026-02-13T03:08:07Z",),
}
SUB_KEYS = (
    *tables.SUB_TYPES,
    "analysisJobRun",
    "JobRun",
    "newJobRun",
    "deploy_job_run",
    "verify_job_run",
)
SUB_FIELD_VALUES: dict[str, tuple[Any, ...]] = {
    "failureCause": CAUSES,
    "failureMessage": ("it failed", ""),
    "build": ("projects/1/locations/l/builds/b",),
    "rollout": ("projects/p/locations/l/deliveryPipelines/d/releases/r/rollouts/child",),
    "failedCheckId": ("c1", ""),
    "customCheckAnalyses": ([{"id": "c1", "failureMessage": "too slow"}, 3],),
    "failure_cause": (3, "DEADLINE_EXCEEDED", "FAILURE_CAUSE_UNSPECIFIED"),
    "failure_message": ("timed out",),
}
FIELDS = {key: st.sampled_from(values) for key, values in FIELD_VALUES.items()}
SUB_FIELDS = {key: st.sampled_from(values) for key, values in SUB_FIELD_VALUES.items()}


@st.composite
def records(draw: st.DrawFn) -> dict[str, Any]:
    """A fixture or example with some fields replaced (by plausible or odd values) or removed."""
    record: dict[str, Any] = copy.deepcopy(draw(st.sampled_from(BASES)))
    for key in draw(st.sets(st.sampled_from(sorted(record)), max_size=3)):
        del record[key]
    for key in draw(st.sets(st.sampled_from(sorted(FIELDS)), max_size=4)):
        record[key] = draw(st.one_of(FIELDS[key], ODD))
    sub_key = draw(st.one_of(st.none(), st.sampled_from(SUB_KEYS)))
    if sub_key is not None and draw(st.booleans()):
        fields = draw(st.sets(st.sampled_from(sorted(SUB_FIELDS)), max_size=4))
        record[sub_key] = {key: draw(st.one_of(SUB_FIELDS[key], ODD)) for key in fields}
    elif sub_key is not None:
        record[sub_key] = draw(ODD)
    return record


def observe(record: Any, strict: bool) -> tuple[Run | RunstateError, list[RunstateWarning]]:
    """The run (or the error) of ``record`` and the warnings on the way."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result: Run | RunstateError = runstate.normalize("cloud_deploy", record, strict=strict)
        except RunstateError as exc:
            result = exc
    found = [w.message for w in caught]
    assert all(isinstance(w, RunstateWarning) for w in found), found  # nothing but runstate's own
    return result, found  # type: ignore[return-value]


def assert_names_the_problem(problem: RunstateError | RunstateWarning) -> None:
    """An error or warning of the documented hierarchy naming provider, field and value."""
    assert str(problem).startswith("cloud_deploy: $"), problem
    if isinstance(problem, InvalidRecordError):
        assert problem.provider == "cloud_deploy"
        assert str(problem).startswith(f"cloud_deploy: {problem.field}: ")


@given(records())
def test_any_record_is_a_run_or_the_documented_error(record: dict[str, Any]) -> None:
    before = copy.deepcopy(record)
    lenient, warned = observe(record, strict=False)
    strict, _ = observe(record, strict=True)
    for problem in (*warned, lenient, strict):
        if isinstance(problem, RunstateError | RunstateWarning):
            assert_names_the_problem(problem)
    if isinstance(lenient, RunstateError):  # not a JobRun at all: refused in both modes
        assert isinstance(lenient, InvalidRecordError)
        assert isinstance(strict, InvalidRecordError)  # perhaps an earlier problem, raised strictly
    elif isinstance(strict, Run):  # strictly clean: leniently the same run
        assert strict == lenient
    else:  # strictly refused, leniently a run and a warning
        assert isinstance(strict, InvalidRecordError) and warned
    assert record == before


CAUSE_NAMES = frozenset(c for causes in tables.KNOWN_FAILURE_CAUSES.values() for c in causes)


def not_a_cause(text: str) -> bool:
    return text not in CAUSE_NAMES


def fields(caught: Any) -> list[str | None]:
    """The fields the warnings ``pytest.warns`` caught name."""
    return [getattr(w.message, "field", None) for w in caught]


ODD_STRINGS = st.one_of(st.integers(), st.floats(allow_nan=False), st.lists(st.integers(), max_size=2))
"""Values no string field holds (a bool is an int)."""
STRING_FIELDS = {"$.phaseId": "phaseId", "$.jobId": "jobId", "$.etag": "etag", "$.uid": "uid"}


@given(st.sampled_from(sorted(STRING_FIELDS)), ODD_STRINGS)
def test_an_odd_string_is_reported_and_left_missing(field: str, value: Any) -> None:
    record = {**PLAIN, STRING_FIELDS[field]: value}
    with pytest.raises(InvalidRecordError, match="expected a string") as info:
        runstate.normalize("cloud_deploy", record, strict=True)
    assert (info.value.provider, info.value.field, info.value.value) == ("cloud_deploy", field, value)
    with pytest.warns(RunstateWarning, match="expected a string") as caught:
        run = runstate.normalize("cloud_deploy", record)
    assert fields(caught) == [field]
    assert "etag" not in run.details if field == "$.etag" else True
    assert run.name is None if field == "$.jobId" else run.name == PLAIN["jobId"]


@given(st.one_of(st.floats(allow_nan=False), st.lists(st.integers(), max_size=2), st.text(max_size=5)))
def test_an_odd_state_is_unknown(value: Any) -> None:
    record = {**PLAIN, "state": value}
    with pytest.raises(InvalidRecordError) as info:
        runstate.normalize("cloud_deploy", record, strict=True)
    assert (info.value.provider, info.value.field, info.value.value) == ("cloud_deploy", "$.state", value)
    with pytest.warns(RunstateWarning) as caught:
        run = runstate.normalize("cloud_deploy", record)
    assert run.state is State.UNKNOWN
    assert fields(caught) == ["$.state"]


@given(
    st.sampled_from(["createTime", "startTime", "endTime"]),
    st.one_of(st.text(max_size=6), st.lists(st.integers(), max_size=2), st.just("2026-13-01T00:00:00Z")),
)
def test_an_odd_time_is_reported_and_left_missing(key: str, value: Any) -> None:
    record = {**PLAIN, key: value}
    if value == "":  # proto3 JSON's absent time: absent, not odd
        return
    with pytest.raises(InvalidRecordError) as info:
        runstate.normalize("cloud_deploy", record, strict=True)
    assert (info.value.provider, info.value.field) == ("cloud_deploy", f"$.{key}")
    with pytest.warns(RunstateWarning) as caught:
        run = runstate.normalize("cloud_deploy", record)
    assert f"$.{key}" in fields(caught)
    attribute = {"createTime": "created_at", "startTime": "started_at", "endTime": "ended_at"}[key]
    assert getattr(run, attribute) is None


@given(st.sampled_from(sorted(k for k, s in tables.SUB_TYPES.items() if s.table is not None)), st.one_of(
    st.text(min_size=1, max_size=8).filter(not_a_cause),
    st.integers(min_value=9, max_value=2**40),
    st.lists(st.integers(), max_size=2),
))  # fmt: skip
def test_an_odd_failure_cause_leaves_the_failure_unrefined(sub_type: str, value: Any) -> None:
    record = {**PLAIN, "state": "FAILED", sub_type: {"failureCause": value}}
    record.pop(next(k for k in PLAIN if k.endswith("JobRun")))
    record[sub_type] = {"failureCause": value}
    field = f"$.{sub_type}.failureCause"
    with pytest.raises(InvalidRecordError) as info:
        runstate.normalize("cloud_deploy", record, strict=True)
    assert (info.value.provider, info.value.field, info.value.value) == ("cloud_deploy", field, value)
    with pytest.warns(RunstateWarning) as caught:
        run = runstate.normalize("cloud_deploy", record)
    assert fields(caught) == [field]
    assert (run.state, run.reason) == (State.FAILED, None)
