"""Review findings on the warehouse providers (system tables, Glue events): one regression test each."""

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
