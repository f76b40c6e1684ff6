"""The warehouse providers (system tables, Glue events) against their documented semantics."""

from __future__ import annotations

import warnings
from typing import Any

import pytest

import runstate
from runstate import InvalidRecordError


def _end_row(job_id: str, start: str, end: str) -> dict[str, Any]:
    return {
        "workspace_id": "42",
        "job_id": job_id,
        "period_start_time": start,
        "period_end_time": end,
        "result_state": "SUCCEEDED",
        "termination_code": "SUCCESS",
    }


@pytest.mark.parametrize("strict", [True, False])
@pytest.mark.parametrize("provider", ["glue_events", "databricks_system"])
def test_an_empty_record_is_refused_in_both_modes(provider: str, strict: bool) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(InvalidRecordError) as caught:
            runstate.normalize(provider, {}, strict=strict)
    assert "expected" in str(caught.value)


@pytest.mark.parametrize("strict", [True, False])
def test_a_glue_event_without_a_run_id_is_refused(strict: bool) -> None:
    event = {
        "detail-type": "Glue Job State Change",
        "source": "aws.glue",
        "account": "111122223333",
        "region": "us-east-1",
        "time": "2026-04-02T08:15:00Z",
        "detail": {"jobName": "nightly-orders", "state": "FAILED", "severity": "ERROR"},
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(InvalidRecordError, match="jobRunId"):
            runstate.normalize("glue_events", event, strict=strict)


@pytest.mark.parametrize("strict", [True, False])
def test_system_rows_without_run_id_make_no_runs_and_no_fake_repair(strict: bool) -> None:
    rows = [
        _end_row("7", "2026-04-02T08:00:00Z", "2026-04-02T08:20:00Z"),
        _end_row("8", "2026-04-02T09:00:00Z", "2026-04-02T09:05:00Z"),
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(InvalidRecordError, match="run_id"):
            list(runstate.normalize_many("databricks_system", rows, strict=strict))


def test_databricks_detect_leaves_system_table_rows_alone() -> None:
    timeline_row = {
        "account_id": "a1b2",
        "workspace_id": "6051921418418893",
        "job_id": "1042",
        "run_id": "981207",
        "run_name": "nightly-orders",
        "period_start_time": "2026-04-02T08:00:00Z",
        "period_end_time": "2026-04-02T08:41:13Z",
        "trigger_type": "CRON",
        "run_type": "JOB_RUN",
        "result_state": "SUCCEEDED",
    }
    detect = runstate.REGISTRY.get("databricks").detect
    assert detect is not None
    assert detect(timeline_row) is False
    assert detect({"run_id": 981207, "job_id": 1042, "run_name": "nightly-orders"}) is True


def test_glue_detect_leaves_eventbridge_events_alone() -> None:
    event = {
        "version": "0",
        "id": "3c1f9a2e-5b7d-4e0a-9c61-2f8d4b6a1e03",
        "detail-type": "Glue Job State Change",
        "source": "aws.glue",
        "account": "111122223333",
        "region": "us-east-1",
        "time": "2026-04-02T08:15:00Z",
        "resources": [],
        "detail": {"jobName": "nightly-orders", "jobRunId": "jr_4f1e", "state": "SUCCEEDED"},
    }
    detect = runstate.REGISTRY.get("glue").detect
    assert detect is not None
    assert detect(event) is False
    assert detect({"Id": "jr_4f1e", "JobName": "nightly-orders", "JobRunState": "RUNNING"}) is True


def test_glue_expired_evidence_says_the_meaning_is_inferred() -> None:
    from runstate._providers.glue.tables import JOB_RUN_STATE, JOB_RUN_STATE_EVIDENCE

    assert "enum value only, meaning inferred" in JOB_RUN_STATE_EVIDENCE["EXPIRED"]
    assert JOB_RUN_STATE["EXPIRED"] == runstate.Outcome(runstate.State.TIMED_OUT, runstate.Reason.EXPIRED)


def test_budget_policy_evidence_quotes_nothing_the_sdk_does_not_say() -> None:
    from runstate._providers.databricks.evidence import EVIDENCE

    evidence = EVIDENCE["TerminationCodeCode"]["BUDGET_POLICY_LIMIT_EXCEEDED"]
    assert "enum value only" in evidence and "inferred" in evidence
    assert "'" not in evidence.partition(":")[2]  # no quotation: the SDK has no text to quote


def test_a_legacy_cancel_flagged_by_the_user_is_a_user_cancel() -> None:
    run_record = {
        "job_id": 640288719013557,
        "run_id": 117730948412290,
        "run_name": "orders_extract_load",
        "state": {
            "life_cycle_state": "TERMINATED",
            "result_state": "CANCELED",
            "state_message": "Run cancelled.",
            "user_cancelled_or_timedout": True,
        },
        "start_time": 1780892100250,
        "end_time": 1780899300250,
    }
    run = runstate.normalize("databricks", run_record, strict=True)
    assert (run.state, run.reason) == (runstate.State.CANCELED, runstate.Reason.CANCELED_BY_USER)
    assert run.details["user_cancelled_or_timedout"] is True
    from runstate._providers.databricks.evidence import EVIDENCE

    quote = "canceled manually by a user or by the scheduler because the run timed out"
    assert quote in EVIDENCE["RunResultState"]["CANCELED"]


def test_max_spark_contexts_without_a_type_is_the_users_configuration() -> None:
    run_record = {
        "job_id": 512093318877104,
        "run_id": 803311251044120,
        "run_name": "feature_backfill",
        "status": {
            "state": "TERMINATED",
            "termination_details": {
                "code": "MAX_SPARK_CONTEXTS_EXCEEDED",
                "message": "Too many execution contexts are open right now.(Limit set currently to 150)",
            },
        },
    }
    run = runstate.normalize("databricks", run_record, strict=True)
    assert (run.state, run.reason) == (runstate.State.FAILED, runstate.Reason.USER_ERROR)


def _glue_event(kind: str, state: str, **detail: Any) -> dict[str, Any]:
    return {
        "version": "0",
        "id": "9a7c3e10-2b4d-4f6a-8c1e-5d0b7a9f3c21",
        "detail-type": kind,
        "source": "aws.glue",
        "account": "111122223333",
        "region": "us-east-1",
        "time": "2026-04-02T08:12:00Z",
        "resources": [],
        "detail": {
            "jobName": "nightly-orders",
            "severity": "INFO",
            "state": state,
            "jobRunId": "jr_6f0e2d4c8a1b3579e2c4a6b8d0f1e3c5a7b9d2f4e6a8c0b1d3f5e7a9c2b4d6f8",
            **detail,
        },
    }


def test_a_glue_job_run_status_event_is_read_strictly_and_keeps_its_detail_type() -> None:
    delay = _glue_event(
        "Glue Job Run Status",
        "RUNNING",
        notificationCondition={"NotifyDelayAfter": 10.0},
        message="Job run is still running after the delay notification threshold",
    )
    run = runstate.normalize("glue_events", delay, strict=True)
    assert run.state is runstate.State.RUNNING and run.ended_at is None
    assert run.details["detail_type"] == "Glue Job Run Status"
    assert run.details["notificationCondition"] == {"NotifyDelayAfter": 10.0}
    assert run.provider_state == {"state": "RUNNING", "detail-type": "Glue Job Run Status"}


@pytest.mark.parametrize(
    ("kind", "state"),
    [
        ("Glue Job State Change", "RUNNING"),
        ("Glue Job Run Status", "SUCCEEDED"),
        ("Glue Job State Change", "ERROR"),
    ],
)
def test_a_state_outside_its_detail_types_documented_list_is_reported(kind: str, state: str) -> None:
    event = _glue_event(kind, state)
    with pytest.raises(InvalidRecordError, match=r"\$.detail.state: not a state Glue documents"):
        runstate.normalize("glue_events", event, strict=True)
    with pytest.warns(runstate.InvalidRecordWarning, match=kind):
        run = runstate.normalize("glue_events", event)
    assert run.provider_state["state"] == state


def test_the_documented_state_lists_are_data_with_their_evidence() -> None:
    from runstate._providers.glue import events as ge

    assert ge.STATES_BY_DETAIL_TYPE == {
        "Glue Job State Change": ("SUCCEEDED", "FAILED", "TIMEOUT", "STOPPED"),
        "Glue Job Run Status": ("RUNNING", "STARTING", "STOPPING"),
    }
    for kind, evidence in ge.STATES_BY_DETAIL_TYPE_EVIDENCE.items():
        assert ge.EVENTS_PAGE in evidence and kind in evidence


def test_system_table_evidence_says_where_the_meaning_is_inferred() -> None:
    spec = runstate.REGISTRY.get("databricks_system")
    for word in ("ERROR", "BLOCKED"):
        evidence = spec.evidence["result_state"][word]
        assert "meaning inferred: no definition of the value was read" in evidence
        assert f"{word} is as recalled, unverified" in evidence
        assert "https://docs.databricks.com/aws/en/admin/system-tables/jobs#result" in evidence
    from runstate._providers.databricks.evidence import EVIDENCE

    codes = dict(spec.evidence["termination_code"])
    assert "CANCELLED" in codes.pop("CANCELLED")  # the tables' spelling, read as the Jobs API's CANCELED
    assert codes == EVIDENCE["TerminationCodeCode"]
    assert spec.evidence["termination_type"] == EVIDENCE["TerminationTypeType"]
