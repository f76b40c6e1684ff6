"""Cloud Deploy records as the SDK writes them: ``JobRun.to_dict``'s proto spelling, raw protobuf
messages, Rollouts and other messages refused, empty ``ListJobRuns`` pages."""

from __future__ import annotations

import json
import subprocess
import sys
import warnings
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from google.cloud import deploy_v1
from hypothesis import given
from hypothesis import strategies as st

import runstate
from runstate import (
    InvalidRecordError,
    InvalidRecordWarning,
    RunstateError,
    State,
)
from runstate._providers.cloud_deploy import fields as _cloud_deploy_fields
from runstate._providers.cloud_deploy import shapes

JobRun = deploy_v1.JobRun
NAME = "projects/acme/locations/us-central1/deliveryPipelines/web/releases/r1/rollouts/r1-to-prod-0001"
SUB_MESSAGES = {
    "deploy_job_run": deploy_v1.DeployJobRun,
    "verify_job_run": deploy_v1.VerifyJobRun,
    "predeploy_job_run": deploy_v1.PredeployJobRun,
    "postdeploy_job_run": deploy_v1.PostdeployJobRun,
    "create_child_rollout_job_run": deploy_v1.CreateChildRolloutJobRun,
    "advance_child_rollout_job_run": deploy_v1.AdvanceChildRolloutJobRun,
}


# --- the field names are the SDK's ----------------------------------------------------------------


def fields(message: Any) -> list[tuple[str, str]]:
    return [(f.name, f.json_name) for f in message.pb().DESCRIPTOR.fields]


def declared(names: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(name, _cloud_deploy_fields.json_name(name)) for name in names]


def test_job_run_fields_are_the_sdks() -> None:
    assert declared(_cloud_deploy_fields.JOB_RUN_FIELDS) == fields(JobRun)


@pytest.mark.parametrize("message", SUB_MESSAGES.values(), ids=list(SUB_MESSAGES))
def test_sub_type_fields_are_the_sdks(message: Any) -> None:
    assert declared(_cloud_deploy_fields.SUB_TYPE_FIELDS[message.__name__]) == fields(message)


def test_rollout_fields_are_the_sdks() -> None:
    assert declared(_cloud_deploy_fields.ROLLOUT_FIELDS) == fields(deploy_v1.Rollout)


def test_the_proto_sub_type_names_are_the_oneofs() -> None:
    oneof = JobRun.pb().DESCRIPTOR.oneofs_by_name["job_run"]
    proto = {f.name: f.json_name for f in oneof.fields}
    assert {k: v for k, v in _cloud_deploy_fields.PROTO_TO_REST.items() if k in proto} == proto
    assert set(proto) == set(SUB_MESSAGES)


# --- to_dict's spelling reads as the REST spelling ------------------------------------------------

times = st.one_of(st.none(), st.datetimes(datetime(2000, 1, 1), datetime(2100, 1, 1), timezones=st.just(UTC)))


@st.composite
def job_runs(draw: st.DrawFn) -> Any:
    """A JobRun built with the SDK: any state, any sub-type with any of its failure causes."""
    sub_name = draw(st.sampled_from([None, *SUB_MESSAGES]))
    kwargs: dict[str, Any] = {
        "name": f"{NAME}/jobRuns/{draw(st.sampled_from(['j1', 'j2']))}",
        "uid": draw(st.sampled_from(["", "u-1"])),
        "phase_id": draw(st.sampled_from(["", "stable", "canary-25"])),
        "job_id": draw(st.sampled_from(["", "deploy", "verify"])),
        "state": draw(st.sampled_from(list(JobRun.State))),
        "etag": draw(st.sampled_from(["", "e1"])),
    }
    for key in ("create_time", "start_time", "end_time"):
        when = draw(times)
        if when is not None:
            kwargs[key] = when
    if sub_name is not None:
        message = SUB_MESSAGES[sub_name]
        sub: dict[str, Any] = {"failure_message": draw(st.sampled_from(["", "it failed"]))}
        if hasattr(message, "FailureCause"):
            sub["failure_cause"] = draw(st.sampled_from(list(message.FailureCause)))
            sub["build"] = "projects/1/locations/l/builds/b"
        else:
            sub = {"rollout": f"{NAME}-child", "rollout_phase_id": "stable"}
        kwargs[sub_name] = message(**sub)
    return JobRun(**kwargs)


def outcome(record: Any, strict: bool) -> tuple[object, list[type[Warning]]]:
    """The run without raw (or the error's type), and the categories warned."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result: object = runstate.normalize("cloud_deploy", record, strict=strict, keep_raw=False)
        except RunstateError as exc:
            result = type(exc)
    return result, [w.category for w in caught]


@given(job_runs())
def test_to_dict_reads_as_the_rest_json(obj: Any) -> None:
    rest = json.loads(JobRun.to_json(obj))
    spellings = [
        JobRun.to_dict(obj),  # the SDK's default: proto names, integer enums, defaults printed
        JobRun.to_dict(obj, use_integers_for_enums=False),
        JobRun.to_dict(obj, always_print_fields_with_no_presence=False),
    ]
    for strict in (False, True):
        expected = outcome(rest, strict)
        for record in spellings:
            assert outcome(record, strict) == expected, record


def test_to_dict_of_a_verify_that_timed_out() -> None:
    obj = JobRun(
        name=f"{NAME}/jobRuns/7b2e",
        uid="7b2e",
        phase_id="stable",
        job_id="verify",
        state=JobRun.State.FAILED,
        start_time=datetime(2026, 3, 1, 10, tzinfo=UTC),
        end_time=datetime(2026, 3, 1, 10, 30, tzinfo=UTC),
        verify_job_run=deploy_v1.VerifyJobRun(
            failure_cause=deploy_v1.VerifyJobRun.FailureCause.DEADLINE_EXCEEDED,
            failure_message="verification timed out",
        ),
    )
    record = JobRun.to_dict(obj)
    run = runstate.normalize("cloud_deploy", record, strict=True)
    assert (run.state, run.job_id, run.message) == (
        State.TIMED_OUT,
        "web/stable/verify",
        "verification timed out",
    )
    assert run.durations.total == timedelta(minutes=30)
    assert run.raw is record  # what it was made from, as given
    assert shapes.detect(record)


def snake() -> dict[str, Any]:
    return {
        "name": f"{NAME}/jobRuns/j1",
        "uid": "u-1",
        "phase_id": "stable",
        "job_id": "deploy",
        "state": 3,
        "start_time": "2026-03-01T10:00:00Z",
        "end_time": "2026-03-01T10:05:00Z",
        "deploy_job_run": {"failure_cause": 3, "failure_message": "deadline"},
    }


def test_a_report_names_the_records_own_key() -> None:
    record = {**snake(), "start_time": "not a time"}
    with pytest.warns(InvalidRecordWarning, match=r"\$\.start_time: cannot parse time"):
        runstate.normalize("cloud_deploy", record)
    record = {**snake(), "deploy_job_run": {"failure_cause": 42}}
    with pytest.raises(RunstateError, match=r"\$\.deploy_job_run\.failure_cause: unmapped state: 42"):
        runstate.normalize("cloud_deploy", record, strict=True)


def test_both_spellings_of_one_field() -> None:
    same = {**snake(), "endTime": "2026-03-01T10:05:00Z"}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert runstate.normalize("cloud_deploy", same).durations.total == timedelta(minutes=5)
    differs = {**snake(), "endTime": "2026-03-01T10:06:00Z"}
    with pytest.warns(InvalidRecordWarning, match=r"\$\.end_time: differs from endTime"):
        run = runstate.normalize("cloud_deploy", differs)
    assert run.durations.total == timedelta(minutes=6)  # the REST spelling is read
    with pytest.raises(InvalidRecordError, match=r"\$\.end_time: differs from endTime") as info:
        runstate.normalize("cloud_deploy", differs, strict=True)
    assert info.value.field == "$.end_time"


# --- a Rollout, or another message, is not a JobRun -----------------------------------------------


def rollout(state: Any) -> Any:
    return deploy_v1.Rollout(name=NAME, uid="ro", target_id="prod", state=state, failure_reason="x")


@pytest.mark.parametrize("state", list(deploy_v1.Rollout.State), ids=lambda s: s.name)
@pytest.mark.parametrize("strict", [False, True])
def test_a_rollout_is_refused_in_both_modes(state: Any, strict: bool) -> None:
    obj = rollout(state)
    shapes = [
        obj,
        json.loads(deploy_v1.Rollout.to_json(obj)),  # integer states that number differently
        json.loads(deploy_v1.Rollout.to_json(obj, use_integers_for_enums=False)),
        deploy_v1.Rollout.to_dict(obj),
        {"uid": "ro", "targetId": "prod", "state": "FAILED"},  # no name: a Rollout's own keys
    ]
    for record in shapes:
        with pytest.raises(InvalidRecordError, match="a Rollout, not a JobRun") as info:
            runstate.normalize("cloud_deploy", record, strict=strict)
        assert info.value.field == "$"


def test_a_job_run_with_a_stray_rollout_key_is_still_a_job_run() -> None:
    record = {"name": f"{NAME}/jobRuns/j", "jobId": "deploy", "state": "SUCCEEDED", "targetId": "prod"}
    assert runstate.normalize("cloud_deploy", record, strict=True).state is State.SUCCEEDED


def test_another_message_is_refused() -> None:
    for strict in (False, True):
        with pytest.raises(InvalidRecordError, match=r"not a JobRun.*GetJobRunRequest"):
            runstate.normalize("cloud_deploy", deploy_v1.GetJobRunRequest(name="x"), strict=strict)
        with pytest.raises(InvalidRecordError, match="normalize_many"):
            runstate.normalize("cloud_deploy", deploy_v1.ListJobRunsResponse(), strict=strict)


# --- an empty ListJobRuns page --------------------------------------------------------------------

EMPTY_PAGES = [
    {},  # proto3 JSON of an empty response: the REST API's answer
    {"nextPageToken": ""},
    {"unreachable": ["projects/p/locations/l"]},
    json.loads(deploy_v1.ListJobRunsResponse.to_json(deploy_v1.ListJobRunsResponse())),
    deploy_v1.ListJobRunsResponse.to_dict(deploy_v1.ListJobRunsResponse()),
]


@pytest.mark.parametrize("page", EMPTY_PAGES, ids=range(len(EMPTY_PAGES)))
def test_an_empty_page_gives_nothing(page: dict[str, Any]) -> None:
    assert list(runstate.normalize_many("cloud_deploy", [page], strict=True)) == []
    line = json.dumps(page)
    assert list(runstate.normalize_lines("cloud_deploy", [line], strict=True)) == []


def test_to_dicts_page_gives_its_job_runs() -> None:
    page = {"job_runs": [snake(), {**snake(), "uid": "u-2"}], "next_page_token": ""}
    assert [r.run_id for r in runstate.normalize_many("cloud_deploy", [page])] == ["u-1", "u-2"]


def test_one_empty_record_is_still_refused() -> None:
    for strict in (False, True):
        with pytest.raises(InvalidRecordError, match="not a Cloud Deploy JobRun"):
            runstate.normalize("cloud_deploy", {}, strict=strict)
    with pytest.raises(InvalidRecordError, match="not a Cloud Deploy JobRun"):
        list(runstate.normalize_many("cloud_deploy", [{"foo": 1}]))


def test_the_cli_reads_an_empty_page(tmp_path: Path) -> None:
    src = Path(runstate.__file__).parents[1]
    out = subprocess.run(
        [sys.executable, "-m", "runstate", "normalize", "-p", "cloud_deploy", "-"],
        input="{}\n",
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(src)},
        cwd=tmp_path,
        check=False,
    )
    assert (out.returncode, out.stdout) == (0, ""), out.stderr


def test_a_raw_protobuf_job_run_reads_as_its_proto_plus_object() -> None:
    obj = JobRun(
        name=f"{NAME}/jobRuns/j1",
        uid="u-1",
        job_id="verify",
        state=JobRun.State.FAILED,
        verify_job_run=deploy_v1.VerifyJobRun(failure_cause=3, failure_message="m"),
    )
    raw = runstate.normalize("cloud_deploy", JobRun.pb(obj), strict=True)
    assert raw == runstate.normalize("cloud_deploy", obj, strict=True)
    assert raw.state is State.TIMED_OUT
    for strict in (False, True):
        with pytest.raises(InvalidRecordError, match="a Rollout, not a JobRun"):
            runstate.normalize("cloud_deploy", deploy_v1.Rollout.pb(rollout(2)), strict=strict)
