"""Semantic fidelity: each decision, proven on records built from the documented shapes.

The records here are written from the providers' API references (GetJobRun, EventBridge events,
jobs/runs/get, Cloud Deploy JobRun), not copied from the fixtures.
"""

from __future__ import annotations

import json
import warnings
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from databricks.sdk.service import jobs
from google.cloud import deploy_v1
from hypothesis import given
from hypothesis import strategies as st

import runstate
from runstate import (
    InvalidRecordError,
    Missing,
    Reason,
    State,
    UnmappedStateError,
    UnmappedStateWarning,
    otel_result,
)

from ..paths import example_records
from ..strategies import json_values

PROVIDERS = ("databricks", "glue", "cloud_deploy")
T0 = 1_772_359_200_000  # 2026-03-01T10:00:00Z in epoch ms
HOUR = 3_600_000


def examples(provider: str) -> list[dict[str, Any]]:
    return example_records(provider)


# --- 1. Glue ERROR is the user's configuration -------------------------------------------------------


def glue_run(state: str, **fields: Any) -> dict[str, Any]:
    """A GetJobRun ``JobRun`` as boto3 returns it (datetimes), per the Glue API reference."""
    return {
        "Id": "jr_0c2d9a4b7f1e",
        "Attempt": 0,
        "JobName": "nightly-orders",
        "JobMode": "SCRIPT",
        "StartedOn": datetime(2026, 3, 1, 2, 0, tzinfo=UTC),
        "LastModifiedOn": datetime(2026, 3, 1, 2, 0, 3, tzinfo=UTC),
        "JobRunState": state,
        "PredecessorRuns": [{"JobName": "nightly-orders-trigger", "RunId": "wfr_55aa"}],
        "AllocatedCapacity": 10,
        "Timeout": 2880,
        "GlueVersion": "4.0",
        **fields,
    }


def test_glue_error_a_deleted_job_is_a_user_error() -> None:
    record = glue_run(
        "ERROR",
        CompletedOn=datetime(2026, 3, 1, 2, 0, 3, tzinfo=UTC),
        ErrorMessage="Entity Not Found: job nightly-orders does not exist",
        TriggerName="nightly-trigger",
    )
    run = runstate.normalize("glue", {"JobRun": record}, strict=True)
    assert (run.state, run.reason) == (State.FAILED, Reason.USER_ERROR)
    assert otel_result(run.state, run.reason) == "failure"  # not "error": the platform did not fail


# --- 2. Cloud Deploy CLOUD_BUILD_UNAVAILABLE is the user's configuration, in every sub-type -----------

PIPELINE = "projects/shop-prod/locations/europe-west1/deliveryPipelines/{pipeline}"


def cd_run(
    state: str, sub: str, pipeline: str = "checkout", phase: str = "stable", job: str = "deploy", **sub_: Any
) -> dict[str, Any]:
    """A REST ``JobRun`` (camelCase), per the Cloud Deploy REST reference."""
    rollout = f"{PIPELINE.format(pipeline=pipeline)}/releases/rel-42/rollouts/rel-42-to-prod-0001"
    return {
        "name": f"{rollout}/jobRuns/9d8c7b6a-0000-4000-8000-00000000{len(pipeline):04d}",
        "uid": f"9d8c7b6a{pipeline}",
        "phaseId": phase,
        "jobId": job,
        "createTime": "2026-03-01T09:00:00.123456789Z",
        "startTime": "2026-03-01T09:00:02Z",
        "endTime": "2026-03-01T09:00:09Z",
        "state": state,
        sub: sub_,
        "etag": "abc123",
    }


@pytest.mark.parametrize("sub", ["deployJobRun", "verifyJobRun", "predeployJobRun", "postdeployJobRun"])
@pytest.mark.parametrize("as_int", [False, True])
def test_cloud_build_unavailable_is_a_user_error_in_every_sub_type(sub: str, as_int: bool) -> None:
    cause: object = 1 if as_int else "CLOUD_BUILD_UNAVAILABLE"  # 1 in every sub-type's enum
    record = cd_run("FAILED", sub, failureCause=cause, failureMessage="Cloud Build API has not been used")
    run = runstate.normalize("cloud_deploy", record, strict=True)
    assert (run.state, run.reason) == (State.FAILED, Reason.USER_ERROR)
    assert run.provider_state["failureCause"] == "CLOUD_BUILD_UNAVAILABLE"


# --- 3. Databricks WAITING: a retry only with evidence of one ----------------------------------------


def db_run(**fields: Any) -> dict[str, Any]:
    """A jobs/runs/get response (status model and legacy state), per the Jobs API 2.2 reference."""
    return {
        "job_id": 180032211734556,
        "run_id": 903412200011,
        "number_in_job": 903412200011,
        "creator_user_name": "etl-bot@example.com",
        "run_name": "hourly-costs",
        "start_time": T0,
        "setup_duration": 0,
        "execution_duration": 0,
        "cleanup_duration": 0,
        "end_time": 0,
        "trigger": "PERIODIC",
        "run_type": "JOB_RUN",
        "format": "MULTI_TASK",
        "run_page_url": "https://dbc-7a1c2e3f-9b0d.cloud.databricks.com/?o=2840161942233561#job/180032211734556/run/903412200011",
        **fields,
    }


def test_a_waiting_run_without_a_retry_is_deferred_not_retrying() -> None:
    record = db_run(status={"state": "WAITING"}, queue_duration=0)
    run = runstate.normalize("databricks", record, strict=True)
    assert (run.state, run.reason) == (State.QUEUED, Reason.DEFERRED)
    assert run.durations.queue is None and run.durations.why_missing("queue") is Missing.NOT_ENDED


def test_legacy_queued_beside_waiting_is_no_conflict() -> None:
    record = db_run(status={"state": "WAITING"}, state={"life_cycle_state": "QUEUED", "state_message": ""})
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no StateConflictWarning
        run = runstate.normalize("databricks", record, strict=True)
    assert (run.state, run.reason) == (State.QUEUED, Reason.DEFERRED)


@pytest.mark.parametrize(
    "evidence",
    [
        {"state": {"life_cycle_state": "WAITING_FOR_RETRY", "state_message": "Waiting for retry"}},
        {"attempt_number": 2, "original_attempt_run_id": 903412200011},
        {"original_attempt_run_id": 903412199990},
    ],
    ids=["legacy-waiting-for-retry", "attempt-number", "original-attempt-run-id"],
)
def test_a_waiting_run_with_evidence_of_a_retry_waits_for_retry(evidence: dict[str, Any]) -> None:
    run = runstate.normalize("databricks", db_run(status={"state": "WAITING"}, **evidence), strict=True)
    assert (run.state, run.reason) == (State.WAITING_FOR_RETRY, None)


def test_a_run_waiting_for_retry_has_not_ended_its_queue() -> None:
    record = db_run(state={"life_cycle_state": "WAITING_FOR_RETRY"}, queue_duration=0, attempt_number=1)
    run = runstate.normalize("databricks", record, strict=True)
    assert run.state is State.WAITING_FOR_RETRY
    assert run.durations.why_missing("queue") is Missing.NOT_ENDED


# --- 4. SDK objects whose termination code the SDK dropped -------------------------------------------


@pytest.mark.parametrize(
    ("type_", "reason"),
    [("CLIENT_ERROR", Reason.USER_ERROR), ("INTERNAL_ERROR", Reason.PLATFORM_ERROR)],
)
def test_a_dropped_code_decides_like_the_dict(type_: str, reason: Reason) -> None:
    data = db_run(
        end_time=T0 + HOUR,
        run_duration=HOUR,
        status={
            "state": "TERMINATED",
            "termination_details": {
                "code": "CLUSTER_TERMINATED_BY_USER",  # documented, not an enum value of the SDK
                "type": type_,
                "message": "The cluster was terminated outside the jobs service.",
            },
        },
    )
    as_dict = runstate.normalize("databricks", data, strict=True)
    sdk_object = jobs.Run.from_dict(data)
    assert sdk_object.status is not None and sdk_object.status.termination_details is not None
    assert sdk_object.status.termination_details.code is None  # the SDK dropped it
    with pytest.warns(UnmappedStateWarning, match=r"termination_details\.code"):
        lenient = runstate.normalize("databricks", sdk_object)
    assert (lenient.state, lenient.reason) == (as_dict.state, as_dict.reason) == (State.FAILED, reason)
    with pytest.raises(UnmappedStateError, match=r"status\.termination_details\.code") as info:
        runstate.normalize("databricks", sdk_object, strict=True)
    assert info.value.field == "$.status.termination_details.code"


# --- 6. task attempt lineage -------------------------------------------------------------------------


def test_each_task_attempt_links_to_the_one_before_and_the_first() -> None:
    def task(run_id: int, key: str, attempt: int, start: int, result: str) -> dict[str, Any]:
        return {
            "run_id": run_id,
            "task_key": key,
            "attempt_number": attempt,
            "start_time": start,
            "end_time": start + 60_000,
            "state": {"life_cycle_state": "TERMINATED", "result_state": result},
        }

    record = db_run(
        end_time=T0 + HOUR,
        run_duration=HOUR,
        state={"life_cycle_state": "TERMINATED", "result_state": "SUCCESS"},
        tasks=[
            task(501, "extract", 0, T0, "SUCCESS"),
            task(503, "load", 1, T0 + 300_000, "FAILED"),  # listed out of order
            task(502, "load", 0, T0 + 120_000, "FAILED"),
            task(504, "load", 2, T0 + 600_000, "SUCCESS"),
        ],
    )
    run = runstate.normalize("databricks", record, strict=True)
    lineage = {t.run_id: (t.attempt, t.previous_run_id, t.original_run_id) for t in run.tasks}
    assert lineage == {
        "501": (0, None, None),
        "502": (0, None, None),
        "503": (1, "502", "502"),
        "504": (2, "503", "502"),
    }


# --- 7. a repair in progress -------------------------------------------------------------------------


def test_elapsed_of_a_repair_in_progress_leaves_out_the_idle_gap() -> None:
    record = db_run(
        state={"life_cycle_state": "RUNNING"},
        status={"state": "RUNNING"},
        repair_history=[
            {"type": "ORIGINAL", "start_time": T0, "end_time": T0 + 600_000, "id": 1, "task_run_ids": [71]},
            {"type": "REPAIR", "start_time": T0 + 3 * HOUR, "id": 2, "task_run_ids": [72]},
        ],
    )
    run = runstate.normalize("databricks", record, strict=True)
    now = datetime(2026, 3, 1, 13, 5, tzinfo=UTC)  # five minutes into the repair
    assert run.elapsed(now=now) == timedelta(minutes=10 + 5)
    assert runstate.from_dict(runstate.to_dict(run)).elapsed(now=now) == timedelta(minutes=15)


# --- 8. who stopped a run: only where the record says ------------------------------------------------


def test_stopped_and_terminated_do_not_guess_who() -> None:
    glue = runstate.normalize("glue", glue_run("STOPPED"), strict=True)
    cloud_deploy = runstate.normalize("cloud_deploy", cd_run("TERMINATED", "verifyJobRun"), strict=True)
    assert (glue.state, glue.reason) == (cloud_deploy.state, cloud_deploy.reason) == (State.CANCELED, None)


@pytest.mark.parametrize(
    ("code", "reason"),
    [("USER_CANCELED", Reason.CANCELED_BY_USER), ("CANCELED", Reason.CANCELED_BY_PLATFORM)],
)
def test_databricks_says_who(code: str, reason: Reason) -> None:
    status = {"state": "TERMINATED", "termination_details": {"code": code, "type": "SUCCESS"}}
    run = runstate.normalize("databricks", db_run(status=status, end_time=T0 + HOUR), strict=True)
    assert (run.state, run.reason) == (State.CANCELED, reason)


# --- no silent wrong answers -------------------------------------------------------------------------


@pytest.mark.parametrize("provider", PROVIDERS)
@pytest.mark.parametrize("strict", [False, True])
def test_an_empty_record_is_refused_naming_what_was_expected(provider: str, strict: bool) -> None:
    with pytest.raises(InvalidRecordError, match="expected") as info:
        runstate.normalize(provider, {}, strict=strict)
    assert info.value.field == "$" and "not a" in info.value.problem


@pytest.mark.parametrize(("provider", "other"), [("glue", "databricks"), ("databricks", "glue")])
def test_another_providers_records_are_refused(provider: str, other: str) -> None:
    failures: list[runstate.RecordFailure] = []
    records = examples(other)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", runstate.RunstateWarning)
        runs = list(runstate.normalize_many(provider, records, on_error=failures.append))
    assert runs == [] and len(failures) == len(records)


@pytest.mark.parametrize(
    ("provider", "record"),
    [
        ("glue", {"JobRunState": "SUCCEEDED", "JobName": "etl", "Id": ""}),
        ("databricks", {"job_id": 1, "state": {"life_cycle_state": "RUNNING"}}),
        ("databricks", {"run_id": "", "status": {"state": "RUNNING"}}),
        ("cloud_deploy", {"state": "SUCCEEDED", "phaseId": "stable", "jobId": "deploy", "uid": ""}),
    ],
)
@pytest.mark.parametrize("strict", [False, True])
def test_a_record_without_a_usable_id_is_refused(provider: str, record: dict[str, Any], strict: bool) -> None:
    with pytest.raises(InvalidRecordError, match="id"):
        runstate.normalize(provider, record, strict=strict)


# --- identity across places --------------------------------------------------------------------------


def test_cloud_deploy_jobs_of_two_pipelines_do_not_merge() -> None:
    a, b = (
        runstate.normalize("cloud_deploy", cd_run("SUCCEEDED", "deployJobRun", pipeline=p), strict=True)
        for p in ("checkout", "search")
    )
    assert (a.job_id, b.job_id) == ("checkout/stable/deploy", "search/stable/deploy")
    assert a.namespace == b.namespace == "gcp:shop-prod:europe-west1"


def test_cloud_deploy_proto_has_the_same_identity() -> None:
    record = cd_run("SUCCEEDED", "deployJobRun")
    obj = deploy_v1.JobRun.from_json(json.dumps(record), ignore_unknown_fields=True)
    run = runstate.normalize("cloud_deploy", obj, strict=True)
    assert (run.namespace, run.job_id) == ("gcp:shop-prod:europe-west1", "checkout/stable/deploy")


@pytest.mark.parametrize(
    ("fields", "namespace"),
    [
        ({"workspace_id": 6051921418418893}, "databricks:6051921418418893"),  # system tables
        ({}, "databricks:2840161942233561"),  # ?o= of run_page_url
        ({"run_page_url": "https://dbc-7a1c2e3f-9b0d.cloud.databricks.com/#job/1/run/2"}, None),
        # a per-workspace host names the workspace id: Azure adb-<id>.<n>, Azure China, GCP <id>.<n>
        (
            {"run_page_url": "https://adb-6051921418418893.13.azuredatabricks.net/#job/1/run/2"},
            "databricks:6051921418418893",
        ),
        (
            {"run_page_url": "https://ADB-6051921418418893.13.AzureDatabricks.net/jobs/1/runs/2"},
            "databricks:6051921418418893",
        ),
        (
            {"run_page_url": "https://adb-5555555555555555.19.databricks.azure.cn/#job/1/run/2"},
            "databricks:5555555555555555",
        ),
        (
            {"run_page_url": "https://1234567890123456.7.gcp.databricks.com/#job/1/run/2"},
            "databricks:1234567890123456",
        ),
    ],
)
def test_databricks_namespace(fields: dict[str, Any], namespace: str | None) -> None:
    task = {"run_id": 7, "task_key": "a", "state": {"life_cycle_state": "PENDING"}}
    record = db_run(state={"life_cycle_state": "RUNNING"}, tasks=[task], **fields)
    run = runstate.normalize("databricks", record, strict=True)
    expected = namespace or "databricks:dbc-7a1c2e3f-9b0d.cloud.databricks.com"  # else the host
    assert run.namespace == run.tasks[0].namespace == expected


@pytest.mark.parametrize(
    "url",
    [
        "https://westus.azuredatabricks.net/#job/1/run/2",  # a legacy regional URL: no workspace id
        "https://us-east4.gcp.databricks.com/#job/1/run/2",
        "https://adb-x1.13.azuredatabricks.net/#job/1/run/2",
        "https://adb-6051921418418893.13.azuredatabricks.net.example.com/#job/1/run/2",
    ],
)
def test_a_host_without_a_workspace_id_is_the_namespace(url: str) -> None:
    run = runstate.normalize("databricks", db_run(state={"life_cycle_state": "RUNNING"}, run_page_url=url))
    assert run.namespace == "databricks:" + url.split("/")[2]


def test_the_documented_namespace_of_an_azure_run_is_no_conflict() -> None:
    """A caller who passes ``databricks:<workspace_id>`` for an Azure run (no ``?o=``) got a
    StateConflictWarning on every record."""
    url = "https://adb-6051921418418893.13.azuredatabricks.net/#job/1/run/2"
    record = db_run(state={"life_cycle_state": "RUNNING"}, run_page_url=url)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        run = runstate.normalize("databricks", record, strict=True, namespace="databricks:6051921418418893")
    assert run.namespace == "databricks:6051921418418893"


def test_a_glue_job_run_says_no_namespace() -> None:
    # account and region come only with an event: provider glue_events (tests/providers/glue/test_events.py)
    assert runstate.normalize("glue", glue_run("RUNNING"), strict=True).namespace is None


# --- detection by shape ------------------------------------------------------------------------------


def _detectors() -> dict[str, Any]:
    return {name: runstate.REGISTRY.get(name).detect for name in PROVIDERS}


@pytest.mark.parametrize("provider", PROVIDERS)
def test_detect_knows_its_own_records_and_no_others(provider: str) -> None:
    detectors = _detectors()
    for record in examples(provider):
        assert [name for name, detect in detectors.items() if detect(record)] == [provider]


def test_detect_knows_sdk_objects() -> None:
    detect = _detectors()
    assert detect["databricks"](jobs.Run.from_dict(db_run()))
    assert detect["cloud_deploy"](deploy_v1.JobRun(uid="x"))
    assert not detect["glue"](jobs.Run.from_dict(db_run()))


class _Hostile(dict[str, Any]):
    def __contains__(self, key: object) -> bool:
        raise RuntimeError("no")

    def get(self, *args: Any) -> Any:  # noqa: ARG002 - the signature of Mapping.get
        raise RuntimeError("no")


@given(json_values | st.just(_Hostile()) | st.builds(object))
def test_detect_never_raises(value: Any) -> None:
    for detect in _detectors().values():
        assert detect(value) in (True, False)


# --- properties --------------------------------------------------------------------------------------


@given(
    provider=st.sampled_from(PROVIDERS),
    index=st.integers(min_value=0, max_value=50),
    namespace=st.text(min_size=1, max_size=30),
)
def test_the_callers_namespace_always_ends_up_on_the_run_and_its_tasks(
    provider: str, index: int, namespace: str
) -> None:
    records = examples(provider)
    record = records[index % len(records)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", runstate.RunstateWarning)  # a record that says another: warned
        run = runstate.normalize(provider, record, namespace=namespace)
    stack = [run]
    while stack:
        current = stack.pop()
        assert current.namespace == namespace
        stack.extend(current.tasks)


@given(st.permutations(range(4)))
def test_task_lineage_does_not_depend_on_the_order_of_tasks(order: list[int]) -> None:
    attempts = [
        {
            "run_id": 600 + n,
            "task_key": "load",
            "attempt_number": n,
            "start_time": T0 + n * 120_000,
            "end_time": T0 + n * 120_000 + 60_000,
            "state": {"life_cycle_state": "TERMINATED", "result_state": "FAILED" if n < 3 else "SUCCESS"},
        }
        for n in range(4)
    ]
    record = db_run(
        end_time=T0 + HOUR,
        run_duration=HOUR,
        state={"life_cycle_state": "TERMINATED", "result_state": "SUCCESS"},
        tasks=[attempts[i] for i in order],
    )
    run = runstate.normalize("databricks", record, strict=True)
    lineage = sorted((t.run_id, t.previous_run_id, t.original_run_id) for t in run.tasks)
    assert lineage == [
        ("600", None, None),
        ("601", "600", "600"),
        ("602", "601", "600"),
        ("603", "602", "600"),
    ]
