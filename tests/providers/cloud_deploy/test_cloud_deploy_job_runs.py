"""Google Cloud Deploy: every JobRun.State and FailureCause of google-cloud-deploy, REST and proto input,
identity, times and durations (sentinel times included)."""

from __future__ import annotations

import copy
import itertools
import json
import re
import subprocess
import sys
import warnings
from datetime import UTC, datetime, timedelta
from importlib import resources
from typing import Any

import attrs
import pytest
from google.cloud import deploy_v1
from hypothesis import given
from hypothesis import strategies as st

import runstate
from runstate import (
    InconsistentDurationWarning,
    InvalidRecordError,
    InvalidRecordWarning,
    Missing,
    Reason,
    Run,
    RunstateError,
    RunstateWarning,
    State,
    StateConflictWarning,
    UnmappedStateError,
    UnmappedStateWarning,
    check_provider,
)
from runstate._providers.cloud_deploy import job_runs, names, tables
from runstate.provider_kit import OUT_OF_RANGE

from ...paths import FIXTURES

FIXTURES = FIXTURES / "cloud_deploy"
CASES = sorted(p.stem for p in FIXTURES.glob("*.json") if p.stem != "list_job_runs_page")
PROTO_CASES = [c for c in CASES if c not in {"unknown_subtype", "state_unspecified"}]
JobRun = deploy_v1.JobRun

SDK_SUB_TYPES = {  # REST key -> the SDK's message class
    "deployJobRun": deploy_v1.DeployJobRun,
    "verifyJobRun": deploy_v1.VerifyJobRun,
    "predeployJobRun": deploy_v1.PredeployJobRun,
    "postdeployJobRun": deploy_v1.PostdeployJobRun,
    "createChildRolloutJobRun": deploy_v1.CreateChildRolloutJobRun,
    "advanceChildRolloutJobRun": deploy_v1.AdvanceChildRolloutJobRun,
}
SDK_CAUSES = [
    (key, cause.name, cause.value)
    for key, cls in SDK_SUB_TYPES.items()
    if hasattr(cls, "FailureCause")
    for cause in cls.FailureCause
]
NAME = (
    "projects/acme/locations/us-central1/deliveryPipelines/web/releases/rel-1"
    "/rollouts/rel-1-to-prod-0001/jobRuns/3f6c2a1e-0000-4000-8000-000000000001"
)


def load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text())
    return data


def job_run(state: Any = "FAILED", sub_type: str | None = "deployJobRun", **sub: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "name": NAME,
        "uid": "a1b2c3",
        "phaseId": "stable",
        "jobId": "deploy",
        "createTime": "2026-03-01T10:00:00Z",
        "startTime": "2026-03-01T10:00:01Z",
        "endTime": "2026-03-01T10:01:01Z",
        "etag": "e1",
    }
    if state is not None:
        record["state"] = state
    if sub_type is not None:
        record[sub_type] = sub
    return record


def proto(record: dict[str, Any]) -> Any:
    return JobRun.from_json(json.dumps(record))


# --- the tables against the installed SDK ---------------------------------------------------------


def test_spec_is_sound() -> None:
    check_provider(job_runs.SPEC)
    assert "cloud_deploy" in runstate.providers()
    assert job_runs.SPEC.provenance == "google-cloud-deploy 2.12.0"


def test_known_states_are_the_sdks_enum_in_integer_order() -> None:
    installed = [(s.name, s.value) for s in JobRun.State.__members__.values()]
    declared = list(zip(tables.KNOWN_JOB_RUN_STATES, range(99), strict=False))
    assert declared == installed, (
        f"JobRun.State differs from the table: {sorted(set(installed) ^ set(declared))}"
    )


@pytest.mark.parametrize("key", sorted(SDK_SUB_TYPES))
def test_known_causes_are_the_sdks_enum_in_integer_order(key: str) -> None:
    cls = SDK_SUB_TYPES[key]
    info = tables.SUB_TYPES[key]
    if not hasattr(cls, "FailureCause"):
        assert info.table is None and info.causes == ()
        return
    installed = [(c.name, c.value) for c in cls.FailureCause]
    declared = list(zip(info.causes, range(99), strict=False))
    assert declared == installed, f"{key}.FailureCause differs: {sorted(set(installed) ^ set(declared))}"
    table = f"{cls.__name__}.FailureCause"
    assert job_runs.SPEC.known_values[table] == info.causes
    assert set(job_runs.SPEC.tables[table]) == set(info.causes)


def test_sub_types_are_the_sdks_oneof() -> None:
    oneof = JobRun.pb().DESCRIPTOR.oneofs_by_name["job_run"]
    assert {f.json_name for f in oneof.fields} == set(tables.SUB_TYPES) == set(SDK_SUB_TYPES)


@pytest.mark.parametrize(
    "state", [s.name for s in JobRun.State.__members__.values() if s.name != "STATE_UNSPECIFIED"]
)
def test_every_installed_state_is_mapped_strictly(state: str) -> None:
    run = runstate.normalize("cloud_deploy", job_run(state), strict=True)
    assert run.state is not State.UNKNOWN
    assert run.provider_state["state"] == state


def test_state_unspecified_is_an_error_strictly_naming_the_value() -> None:
    with pytest.raises(InvalidRecordError, match="STATE_UNSPECIFIED") as info:
        runstate.normalize("cloud_deploy", job_run("STATE_UNSPECIFIED"), strict=True)
    assert info.value.field == "$.state"


@pytest.mark.parametrize(("key", "cause", "number"), SDK_CAUSES)
def test_every_installed_failure_cause_is_mapped_strictly(key: str, cause: str, number: int) -> None:
    run = runstate.normalize("cloud_deploy", job_run("FAILED", key, failureCause=cause), strict=True)
    assert run.state in {State.FAILED, State.TIMED_OUT}
    if cause == "FAILURE_CAUSE_UNSPECIFIED":
        assert (run.state, run.reason) == (State.FAILED, None)
        assert "failureCause" not in run.provider_state
    else:
        assert run.provider_state["failureCause"] == cause
        assert run.reason is not None or run.state is State.TIMED_OUT
    assert run.provider_state["jobRun"] == key
    # an integer (to_dict's default) is read with its own sub-type's enum
    by_number = job_run("FAILED", key, failureCause=number)
    assert runstate.normalize("cloud_deploy", by_number, strict=True, keep_raw=False) == attrs.evolve(
        run, raw=None
    )


@pytest.mark.parametrize(
    ("cause", "expected", "reason"),
    [
        ("EXECUTION_FAILED", State.FAILED, Reason.USER_ERROR),
        ("DEADLINE_EXCEEDED", State.TIMED_OUT, None),
        ("CLOUD_BUILD_UNAVAILABLE", State.FAILED, Reason.USER_ERROR),
        ("CLOUD_BUILD_REQUEST_FAILED", State.FAILED, Reason.PLATFORM_ERROR),
        ("MISSING_RESOURCES_FOR_CANARY", State.FAILED, Reason.USER_ERROR),
        ("DEPLOY_FEATURE_NOT_SUPPORTED", State.FAILED, Reason.USER_ERROR),
    ],
)
def test_design_failure_causes(cause: str, expected: State, reason: Reason | None) -> None:
    run = runstate.normalize("cloud_deploy", job_run("FAILED", failureCause=cause), strict=True)
    assert (run.state, run.reason) == (expected, reason)


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        ("IN_PROGRESS", State.RUNNING),
        ("SUCCEEDED", State.SUCCEEDED),
        ("FAILED", State.FAILED),
        ("TERMINATING", State.TERMINATING),
        ("TERMINATED", State.CANCELED),
    ],
)
def test_design_states(state: str, expected: State) -> None:
    run = runstate.normalize("cloud_deploy", job_run(state), strict=True)
    assert (run.state, run.reason) == (expected, None)


def test_cloud_build_request_failed_integer_depends_on_the_sub_type() -> None:
    def reason(key: str, number: int) -> tuple[State, Reason | None, str]:
        run = runstate.normalize("cloud_deploy", job_run("FAILED", key, failureCause=number), strict=True)
        return run.state, run.reason, run.provider_state["failureCause"]

    assert reason("deployJobRun", 5) == (State.FAILED, Reason.PLATFORM_ERROR, "CLOUD_BUILD_REQUEST_FAILED")
    assert reason("predeployJobRun", 4) == (State.FAILED, Reason.PLATFORM_ERROR, "CLOUD_BUILD_REQUEST_FAILED")
    assert reason("deployJobRun", 4) == (State.FAILED, Reason.USER_ERROR, "MISSING_RESOURCES_FOR_CANARY")
    assert reason("verifyJobRun", 4) == (State.FAILED, Reason.USER_ERROR, "VERIFICATION_CONFIG_NOT_FOUND")


def test_integer_state_is_read_and_an_unknown_one_kept() -> None:
    assert runstate.normalize("cloud_deploy", job_run(1), strict=True).state is State.RUNNING
    with pytest.raises(UnmappedStateError, match="9"):
        runstate.normalize("cloud_deploy", job_run(9), strict=True)
    with pytest.warns(UnmappedStateWarning, match="9"):
        run = runstate.normalize("cloud_deploy", job_run(9))
    assert (run.state, run.provider_state["state"]) == (State.UNKNOWN, "9")


# --- REST JSON and proto-plus objects -------------------------------------------------------------


@pytest.mark.parametrize("name", PROTO_CASES)
def test_rest_json_and_proto_normalize_the_same(name: str) -> None:
    record = load(name)
    obj = JobRun.from_json(json.dumps(record))
    assert isinstance(obj, JobRun)
    a = runstate.normalize("cloud_deploy", record, strict=True, keep_raw=False)
    b = runstate.normalize("cloud_deploy", obj, strict=True, keep_raw=False)
    assert a == b
    with_raw = runstate.normalize("cloud_deploy", obj, strict=True)
    assert with_raw.raw == record  # the converted dict is the REST shape


def test_proto_state_unspecified_is_the_same_as_rest() -> None:
    record = load("state_unspecified")
    with pytest.warns(UnmappedStateWarning, match="STATE_UNSPECIFIED"):
        a = runstate.normalize("cloud_deploy", record, keep_raw=False)
    with pytest.warns(UnmappedStateWarning, match="STATE_UNSPECIFIED"):
        b = runstate.normalize("cloud_deploy", proto(record), keep_raw=False)
    assert a == b
    assert a.state is State.UNKNOWN and a.provider_state["state"] == "STATE_UNSPECIFIED"


def test_proto_with_integer_enums_dict() -> None:
    record = load("predeploy_failed_execution_failed")
    as_ints = JobRun.to_dict(proto(record), use_integers_for_enums=True, preserving_proto_field_name=False)
    assert as_ints["predeployJobRun"]["failureCause"] == 2
    a = runstate.normalize("cloud_deploy", as_ints, strict=True, keep_raw=False)
    assert a == runstate.normalize("cloud_deploy", record, strict=True, keep_raw=False)


def test_proto_constructed_in_code() -> None:
    obj = JobRun(
        name=NAME,
        uid="u-1",
        phase_id="canary-25",
        job_id="postdeploy",
        state=JobRun.State.FAILED,
        create_time=datetime(2026, 3, 1, 10, tzinfo=UTC),
        start_time=datetime(2026, 3, 1, 10, 0, 2, tzinfo=UTC),
        end_time=datetime(2026, 3, 1, 11, 0, 2, tzinfo=UTC),
        postdeploy_job_run=deploy_v1.PostdeployJobRun(
            failure_cause=deploy_v1.PostdeployJobRun.FailureCause.CLOUD_BUILD_REQUEST_FAILED,
            failure_message="quota",
        ),
    )
    run = runstate.normalize("cloud_deploy", obj, strict=True)
    assert (run.state, run.reason, run.message) == (State.FAILED, Reason.PLATFORM_ERROR, "quota")
    assert (run.job_id, run.namespace) == ("web/canary-25/postdeploy", "gcp:acme:us-central1")
    assert run.durations.total == timedelta(hours=1)
    assert run.raw is not None and run.raw["postdeployJobRun"]["failureCause"] == "CLOUD_BUILD_REQUEST_FAILED"
    assert runstate.normalize("cloud_deploy", obj, keep_raw=False).raw is None


def test_proto_with_unknown_state_number() -> None:
    obj = JobRun(name=NAME, uid="u")
    JobRun.pb(obj).state = 9  # a value of a newer server
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Unrecognized", UserWarning)  # proto-plus's own
        warnings.simplefilter("ignore", DeprecationWarning)
        with pytest.warns(UnmappedStateWarning):
            run = runstate.normalize("cloud_deploy", obj)
    assert (run.state, run.provider_state["state"]) == (State.UNKNOWN, "9")


def test_import_does_not_import_google() -> None:
    code = "import runstate, sys; print(sorted(m for m in sys.modules if m.startswith('google')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# --- fixtures -------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", CASES)
def test_fixture_round_trips(name: str) -> None:
    record = load(name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnmappedStateWarning)  # state_unspecified
        run = runstate.normalize("cloud_deploy", record)
    assert runstate.from_dict(runstate.to_dict(run)) == run
    assert run.raw is record and record == load(name)
    assert run.provider == "cloud_deploy"
    assert run.provider_state["state"] == record["state"]


def test_deploy_succeeded_identity_and_times() -> None:
    record = load("deploy_succeeded")
    run = runstate.normalize("cloud_deploy", record, strict=True)
    assert run.run_id == record["uid"]
    assert (run.job_id, run.name, run.attempt) == ("web-frontend/stable/deploy", "deploy", 0)
    assert run.namespace == "gcp:acme-shop-prod:us-central1"
    assert run.parent_run_id == record["name"].rsplit("/jobRuns/", 1)[0]
    assert dict(run.details) == {
        "sub_type": "deployJobRun",
        "build": record["deployJobRun"]["build"],
        "name": record["name"],
        "project": "acme-shop-prod",
        "location": "us-central1",
        "delivery_pipeline": "web-frontend",
        "release": "rel-20260301-1000",
        "rollout": "rel-20260301-1000-to-prod-0001",
        "job_run": "5f0c8e8a-2b4d-4c1e-9a37-1d2e3f4a5b6c",
        "etag": "a3f9c1d7e5b2",
    }
    # nanoseconds are truncated, never rounded
    assert run.created_at == datetime(2026, 3, 1, 10, 0, 0, 123456, tzinfo=UTC)
    assert run.started_at == datetime(2026, 3, 1, 10, 0, 1, 987654, tzinfo=UTC)
    assert run.ended_at == datetime(2026, 3, 1, 10, 3, 42, 500000, tzinfo=UTC)
    assert run.durations.queue == timedelta(seconds=1, microseconds=864198)
    assert run.durations.total == timedelta(seconds=220, microseconds=512346)
    for part in ("setup", "execution", "cleanup"):
        assert run.durations.why_missing(part) is Missing.NOT_APPLICABLE
    assert run.elapsed() == run.durations.total
    assert (run.reason, run.message) == (None, None)


def test_nanosecond_truncation() -> None:
    run = runstate.normalize("cloud_deploy", load("create_child_rollout_succeeded"), strict=True)
    assert run.ended_at == datetime(2026, 3, 1, 10, 0, 4, 999999, tzinfo=UTC)
    assert run.durations.total == timedelta(seconds=4, microseconds=799999)
    assert run.details["child_rollout"].endswith("rel-20260301-1000-to-prod-east-0001")
    assert runstate.to_dict(run)["ended_at"] == "2026-03-01T10:00:04.999999Z"


def test_in_progress_has_not_ended() -> None:
    run = runstate.normalize("cloud_deploy", load("advance_child_rollout_in_progress"), strict=True)
    assert (run.state, run.ended_at) == (State.RUNNING, None)
    assert run.job_id == "web-frontend/canary-50/advanceChildRollout"
    assert run.durations.why_missing("total") is Missing.NOT_ENDED
    assert run.durations.queue == timedelta(seconds=1)
    assert run.started_at is not None
    assert run.elapsed(now=run.started_at + timedelta(minutes=2)) == timedelta(minutes=2)


def test_failed_execution_failed() -> None:
    record = load("predeploy_failed_execution_failed")
    run = runstate.normalize("cloud_deploy", record, strict=True)
    assert (run.state, run.reason) == (State.FAILED, Reason.USER_ERROR)
    assert run.message == record["predeployJobRun"]["failureMessage"]
    assert dict(run.provider_state) == {
        "state": "FAILED",
        "jobRun": "predeployJobRun",
        "failureCause": "EXECUTION_FAILED",
    }


def test_failed_deadline_exceeded_is_timed_out() -> None:
    run = runstate.normalize("cloud_deploy", load("postdeploy_failed_deadline_exceeded"), strict=True)
    assert (run.state, run.reason, run.provider_state["state"]) == (State.TIMED_OUT, None, "FAILED")
    assert run.durations.total == timedelta(hours=1)
    assert run.message is not None and "3600s" in run.message


def test_cloud_build_unavailable_is_the_users_configuration() -> None:
    run = runstate.normalize("cloud_deploy", load("deploy_failed_cloud_build_unavailable"), strict=True)
    assert (run.state, run.reason) == (State.FAILED, Reason.USER_ERROR)
    assert "build" not in run.details


def test_terminating_and_terminated() -> None:
    terminating = runstate.normalize("cloud_deploy", load("terminating"), strict=True)
    assert (terminating.state, terminating.ended_at) == (State.TERMINATING, None)
    assert terminating.durations.why_missing("total") is Missing.NOT_ENDED
    terminated = runstate.normalize("cloud_deploy", load("terminated"), strict=True)
    assert (terminated.state, terminated.reason) == (State.CANCELED, None)
    assert terminated.provider_state["state"] == "TERMINATED"
    assert terminated.durations.total == timedelta(seconds=149, microseconds=111111)
    assert runstate.GRAPH.validate([terminating.state, terminated.state]) == []


def test_state_unspecified() -> None:
    record = load("state_unspecified")
    with pytest.warns(UnmappedStateWarning, match="STATE_UNSPECIFIED"):
        run = runstate.normalize("cloud_deploy", record)
    assert run.state is State.UNKNOWN
    assert dict(run.provider_state) == {"state": "STATE_UNSPECIFIED", "jobRun": "deployJobRun"}
    assert run.durations.why_missing("queue") is Missing.NOT_REPORTED
    assert run.durations.why_missing("total") is Missing.NOT_REPORTED
    with pytest.raises(InvalidRecordError, match="STATE_UNSPECIFIED"):
        runstate.normalize("cloud_deploy", record, strict=True)


def test_missing_state_is_the_proto3_default() -> None:
    record = load("deploy_succeeded")
    del record["state"]
    with pytest.warns(UnmappedStateWarning):
        run = runstate.normalize("cloud_deploy", record)
    assert (run.state, run.provider_state["state"]) == (State.UNKNOWN, "STATE_UNSPECIFIED")
    with pytest.raises(InvalidRecordError):
        runstate.normalize("cloud_deploy", record, strict=True)


def test_unknown_state_word() -> None:
    record = job_run("PAUSED")
    with pytest.raises(UnmappedStateError, match="PAUSED"):
        runstate.normalize("cloud_deploy", record, strict=True)
    with pytest.warns(UnmappedStateWarning, match="PAUSED"):
        run = runstate.normalize("cloud_deploy", record)
    assert (run.state, run.provider_state["state"]) == (State.UNKNOWN, "PAUSED")
    assert run.raw is record


def test_unknown_failure_cause() -> None:
    record = job_run("FAILED", failureCause="QUOTA_EXHAUSTED", failureMessage="no quota")
    with pytest.raises(UnmappedStateError, match="QUOTA_EXHAUSTED") as info:
        runstate.normalize("cloud_deploy", record, strict=True)
    assert info.value.field == "$.deployJobRun.failureCause"
    with pytest.warns(UnmappedStateWarning, match="QUOTA_EXHAUSTED"):
        run = runstate.normalize("cloud_deploy", record)
    assert (run.state, run.reason, run.message) == (State.FAILED, None, "no quota")
    assert run.provider_state["failureCause"] == "QUOTA_EXHAUSTED"


def test_failure_cause_on_a_run_that_did_not_fail_is_a_conflict() -> None:
    record = job_run("SUCCEEDED", failureCause="EXECUTION_FAILED")
    with pytest.warns(StateConflictWarning, match="SUCCEEDED"):
        run = runstate.normalize("cloud_deploy", record, strict=True)
    assert (run.state, run.reason, run.provider_state["failureCause"]) == (
        State.SUCCEEDED,
        None,
        "EXECUTION_FAILED",
    )


def test_unknown_sub_type_is_kept_and_tolerated() -> None:
    record = load("unknown_subtype")
    run = runstate.normalize("cloud_deploy", record, strict=True)  # no error, no warning
    assert (run.state, run.reason) == (State.FAILED, None)
    assert run.details["sub_type"] == "analysisJobRun"
    assert run.provider_state["jobRun"] == "analysisJobRun"
    assert (run.job_id, run.name) == ("web-frontend/stable/analysis", "analysis")
    assert run.message is not None and "latency-and-errors" in run.message and "p95" in run.message
    assert run.raw is record


def test_child_rollout_failed_has_no_reason() -> None:
    run = runstate.normalize("cloud_deploy", job_run("FAILED", "createChildRolloutJobRun"), strict=True)
    assert (run.state, run.reason, run.message) == (State.FAILED, None, None)


def test_no_sub_type_at_all() -> None:
    run = runstate.normalize("cloud_deploy", job_run("SUCCEEDED", None), strict=True)
    assert dict(run.provider_state) == {"state": "SUCCEEDED"}
    assert "sub_type" not in run.details


def test_name_parsing() -> None:
    record = job_run("SUCCEEDED", uid="")
    record["uid"] = ""
    run = runstate.normalize("cloud_deploy", record, strict=True)
    assert run.run_id == "3f6c2a1e-0000-4000-8000-000000000001"  # no uid: the name's last segment
    assert run.parent_run_id == NAME.rsplit("/jobRuns/", 1)[0]
    assert (run.details["project"], run.details["rollout"]) == ("acme", "rel-1-to-prod-0001")
    bad = job_run("SUCCEEDED")
    bad["name"] = "projects/acme/jobRuns/x"
    with pytest.raises(InvalidRecordError, match="not a JobRun name"):
        runstate.normalize("cloud_deploy", bad, strict=True)
    with pytest.warns(RunstateWarning):
        lenient = runstate.normalize("cloud_deploy", bad)
    assert (lenient.run_id, lenient.parent_run_id) == ("a1b2c3", None)
    assert lenient.details["name"] == "projects/acme/jobRuns/x"


def test_no_id_at_all() -> None:
    record = job_run("SUCCEEDED")
    del record["name"], record["uid"]
    for strict in (True, False):  # a run without an id cannot be told apart from others: both modes
        with pytest.raises(InvalidRecordError, match="uid"):
            runstate.normalize("cloud_deploy", record, strict=strict)


def test_times_out_of_order_are_reported_not_clamped() -> None:
    record = job_run("SUCCEEDED")
    record["endTime"] = "2026-03-01T09:59:00Z"
    with pytest.raises(InvalidRecordError, match="ends before it starts"):
        runstate.normalize("cloud_deploy", record, strict=True)
    with pytest.warns(InconsistentDurationWarning):
        run = runstate.normalize("cloud_deploy", record)
    assert run.durations.total == timedelta(minutes=-1, seconds=-1)
    record = job_run("SUCCEEDED")
    record["createTime"] = "2026-03-01T10:00:05Z"
    with pytest.warns(InconsistentDurationWarning):
        run = runstate.normalize("cloud_deploy", record)
    assert run.durations.queue == timedelta(seconds=-4)


# --- sentinel times (provider_kit.time_between) ----------------------------------------------


def timed(create: str, start: str, end: str) -> dict[str, Any]:
    return {
        "name": f"{NAME.rsplit('/jobRuns/', 1)[0]}/jobRuns/j",
        "jobId": "deploy",
        "state": "SUCCEEDED",
        "createTime": create,
        "startTime": start,
        "endTime": end,
    }


START = "2026-03-01T10:00:00Z"


@pytest.mark.parametrize(
    ("record", "part", "field"),
    [
        (timed(START, START, "9999-12-31T23:59:59.999999999Z"), "total", "$.endTime"),
        (timed("0001-01-01T00:00:00Z", START, "2026-03-01T10:05:00Z"), "queue", "$.startTime"),
        (timed(START, START, "0001-01-01T00:00:00Z"), "total", "$.endTime"),  # ends long before it starts
    ],
)
def test_a_span_over_100_years_is_reported_and_left_missing(
    record: dict[str, Any], part: str, field: str
) -> None:
    with pytest.warns(InvalidRecordWarning, match=re.escape(OUT_OF_RANGE)) as caught:
        run = runstate.normalize("cloud_deploy", record)
    assert len(caught) == 1 and caught[0].message.field == field  # type: ignore[union-attr]
    assert caught[0].category is InvalidRecordWarning  # as a duration field over 100 years is
    assert getattr(run.durations, part) is None
    assert run.durations.why_missing(part) is Missing.NOT_REPORTED
    with pytest.raises(InvalidRecordError, match=re.escape(OUT_OF_RANGE)) as info:
        runstate.normalize("cloud_deploy", record, strict=True)
    assert (info.value.provider, info.value.field) == ("cloud_deploy", field)


def test_a_span_just_under_100_years_is_kept() -> None:
    run = runstate.normalize("cloud_deploy", timed(START, START, "2126-02-01T00:00:00Z"), strict=True)
    assert run.durations.total is not None and run.durations.total > timedelta(days=36_000)


def test_terminal_without_end_time_is_not_reported() -> None:
    record = job_run("SUCCEEDED")
    del record["endTime"]
    run = runstate.normalize("cloud_deploy", record, strict=True)
    assert run.durations.why_missing("total") is Missing.NOT_REPORTED


def test_keep_raw_false() -> None:
    run = runstate.normalize("cloud_deploy", load("deploy_succeeded"), keep_raw=False)
    assert run.raw is None


# --- list pages -----------------------------------------------------------------------------------


def test_list_page_with_normalize_many() -> None:
    page = load("list_job_runs_page")
    runs = list(runstate.normalize_many("cloud_deploy", [page], strict=True))
    assert [r.run_id for r in runs] == [r["uid"] for r in page["jobRuns"]]
    assert [r.state for r in runs] == [State.SUCCEEDED, State.SUCCEEDED, State.FAILED]
    assert runs[2].reason is Reason.USER_ERROR
    assert runs[2].provider_state["failureCause"] == "MISSING_RESOURCES_FOR_CANARY"
    assert runs[1].job_id == runs[2].job_id == "web-frontend/stable/deploy"  # a retry: a new JobRun, same job
    assert runs[0].raw is page["jobRuns"][0]


def test_list_page_as_proto_response() -> None:
    page = load("list_job_runs_page")
    response = deploy_v1.ListJobRunsResponse.from_json(json.dumps(page))
    a = list(runstate.normalize_many("cloud_deploy", [response], strict=True, keep_raw=False))
    b = list(runstate.normalize_many("cloud_deploy", [page], strict=True, keep_raw=False))
    assert a == b and len(a) == 3


def test_a_page_is_not_a_job_run() -> None:
    page = load("list_job_runs_page")
    for strict in (True, False):  # a page is not a run: refused in both modes
        with pytest.raises(InvalidRecordError, match="normalize_many") as info:
            runstate.normalize("cloud_deploy", page, strict=strict)
        assert info.value.field == "$"


def test_not_an_object() -> None:
    for value in (None, 3, "FAILED", ["x"], object()):
        with pytest.raises(InvalidRecordError, match=r": \$: expected"):
            runstate.normalize("cloud_deploy", value)


# --- the bundled example --------------------------------------------------------------------------


def test_bundled_example_normalizes_strictly() -> None:
    text = resources.files("runstate").joinpath("examples", "cloud_deploy.jsonl").read_text(encoding="utf-8")
    records = [json.loads(line) for line in text.splitlines() if line.strip()]
    assert len(records) >= 10
    runs = [runstate.normalize("cloud_deploy", r, strict=True) for r in records]
    assert {r.details["sub_type"] for r in runs} >= set(tables.SUB_TYPES)
    assert len({r.state for r in runs}) >= 5


def test_bundled_example_jobs_live_as_cloud_deploy_documents() -> None:
    """ "A job run for a deploy job is executed, and if it succeeds, there is no further job run for
    that job. If it fails, it can be retried as another job run" (Cloud Deploy, Manage rollouts):
    in each rollout, phase and job, every JobRun but the last failed and ended before the next."""
    text = resources.files("runstate").joinpath("examples", "cloud_deploy.jsonl").read_text(encoding="utf-8")
    runs = [runstate.normalize("cloud_deploy", json.loads(line), strict=True) for line in text.splitlines()]
    jobs: dict[str | None, list[runstate.Run]] = {}
    for run in runs:
        jobs.setdefault(names.retry_key(run), []).append(run)
    for attempts in jobs.values():
        attempts.sort(key=lambda run: run.created_at or run.started_at or datetime.min.replace(tzinfo=UTC))
        for before, after in itertools.pairwise(attempts):
            assert before.state is State.FAILED
            assert before.ended_at is not None and after.created_at is not None
            assert before.ended_at <= after.created_at
    deploys = [lr for lr in runstate.logical_runs(runs) if lr.latest.job_id == "web-frontend/stable/deploy"]
    assert sorted((lr.state.value, lr.attempt_count) for lr in deploys) == [
        ("CANCELED", 1), ("SUCCEEDED", 2), ("TERMINATING", 1)]  # fmt: skip


# --- any state or failure cause -------------------------------------------------------------------

words = st.one_of(
    st.sampled_from(
        [
            *tables.KNOWN_JOB_RUN_STATES,
            *tables.KNOWN_FAILURE_CAUSES["DeployJobRun.FailureCause"],
        ]
    ),
    st.text(max_size=30),
    st.integers(min_value=-5, max_value=12),
    st.none(),
    st.booleans(),
    st.lists(st.integers(), max_size=2),
)


@given(
    state=words,
    cause=words,
    sub_type=st.sampled_from([*tables.SUB_TYPES, "analysisJobRun", "somethingJobRun"]),
)
def test_any_state_and_cause_normalize(state: Any, cause: Any, sub_type: str) -> None:
    record = job_run(state, sub_type, failureCause=cause, failureMessage="m")
    before = copy.deepcopy(record)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RunstateWarning)
        run = runstate.normalize("cloud_deploy", record)
        assert isinstance(run, Run)
        assert runstate.from_dict(runstate.to_dict(run)) == run
        assert all(type(v) is str for v in run.provider_state.values())
        try:
            strict = runstate.normalize("cloud_deploy", record, strict=True)
        except RunstateError:
            pass
        else:
            assert strict.state is not State.UNKNOWN
    assert record == before


# --- RetryJob: the JobRuns of one rollout, phase and job are attempts of one logical run ---------

_ROLLOUT = ("projects/acme/locations/us-central1/deliveryPipelines/{pipeline}/releases/r1/"
            "rollouts/r1-to-prod-0001")  # fmt: skip


def _job_run(uid: str, job: str, state: str, minute: int, pipeline: str = "web") -> dict[str, Any]:
    """A REST JobRun: RetryJob ("Retries the specified Job in a Rollout") makes a new one for the
    same rollout, phase and job, created after the attempt before it ended."""
    return {"name": f"{_ROLLOUT.format(pipeline=pipeline)}/jobRuns/{uid}", "uid": uid, "phaseId": "stable",
            "jobId": job, "state": state, "createTime": f"2026-03-01T10:{minute:02d}:00Z",
            "startTime": f"2026-03-01T10:{minute:02d}:05Z", "endTime": f"2026-03-01T10:{minute + 4:02d}:00Z",
            f"{job}JobRun": {}}  # fmt: skip


@pytest.mark.parametrize("reverse", [False, True])
def test_a_retried_job_is_one_logical_run_that_succeeded(reverse: bool) -> None:
    records = [_job_run("u1", "deploy", "FAILED", 0), _job_run("u2", "deploy", "SUCCEEDED", 10),
               _job_run("u3", "verify", "SUCCEEDED", 20),
               _job_run("u4", "deploy", "FAILED", 0, "api")]  # fmt: skip
    runs = [runstate.normalize("cloud_deploy", r, strict=True) for r in records]
    logical = sorted(runstate.logical_runs(runs[::-1] if reverse else runs), key=lambda lr: lr.key)
    found = [([a.run_id for a in lr.attempts], lr.state, lr.retried) for lr in logical]
    assert sorted(found) == [(["u1", "u2"], State.SUCCEEDED, True), (["u3"], State.SUCCEEDED, False),
                             (["u4"], State.FAILED, False)]  # fmt: skip
    summary = runstate.summarize(runs, by=("job_id",))
    rates = {g.key[0]: (g.runs, g.logical_runs, g.logical_success_rate) for g in summary.groups}
    assert rates["web/stable/deploy"] == (2, 1, 1.0)  # one deploy, retried once, succeeded
    key = names.retry_key
    assert key(runs[0]) == key(runs[1]) == f"{_ROLLOUT.format(pipeline='web')}/jobs/web/stable/deploy"
