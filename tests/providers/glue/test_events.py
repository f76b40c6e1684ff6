"""Glue state-change events: every documented state, the JobRun table's meaning, a stream into a tracker."""

from __future__ import annotations

import json
import warnings
from datetime import UTC, datetime
from importlib import resources
from typing import Any

import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st

import runstate
from runstate import (
    InvalidRecordError,
    InvalidRecordWarning,
    Missing,
    RunTracker,
    State,
    UnmappedStateError,
    UnmappedStateWarning,
    check_provider,
)
from runstate._providers.glue import events as ge
from runstate._providers.glue import jobs as _glue
from runstate._providers.glue import tables

from ...paths import FIXTURES, ROOT

FIXTURES = FIXTURES / "glue_events"
CASES = sorted(p.stem for p in FIXTURES.glob("*.json"))
P = "glue_events"


def load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text())
    return data


def stream() -> list[dict[str, Any]]:
    return [json.loads(line) for line in (FIXTURES / "stream_stopped.jsonl").read_text().splitlines()]


def event(state: object, **detail: Any) -> dict[str, Any]:
    """An event of the detail-type Glue documents for ``state`` (non-terminal: ``Glue Job Run Status``)."""
    status = state in ge.STATES_BY_DETAIL_TYPE[ge.RUN_STATUS_DETAIL_TYPE]
    return {
        "detail-type": ge.RUN_STATUS_DETAIL_TYPE if status else ge.DETAIL_TYPE,
        "source": "aws.glue",
        "account": "123456789012",
        "region": "eu-west-1",
        "time": "2026-03-01T09:00:00Z",
        "detail": {"jobName": "orders-etl", "state": state, "jobRunId": "jr_1", **detail},
    }


def test_spec_is_sound() -> None:
    check_provider(ge.SPEC)


def test_the_states_are_the_job_run_table_itself() -> None:
    assert ge.STATE is tables.JOB_RUN_STATE
    assert set(ge.EVENT_STATES) <= set(tables.KNOWN_JOB_RUN_STATES)


@pytest.mark.parametrize("state", ge.EVENT_STATES)
def test_every_documented_state_strictly_means_what_the_job_run_says(state: str) -> None:
    run = runstate.normalize(P, event(state), strict=True)
    job_run = runstate.normalize(
        "glue", {"Id": "jr_1", "JobName": "orders-etl", "JobRunState": state}, strict=True
    )
    assert (run.state, run.reason) == (job_run.state, job_run.reason)
    assert run.provider_state == {"state": state, "detail-type": run.details["detail_type"]}
    assert state in ge.STATES_BY_DETAIL_TYPE[run.details["detail_type"]]
    assert run.updated_at == datetime(2026, 3, 1, 9, tzinfo=UTC)  # the event time: when it was observed
    assert (run.ended_at is not None) is run.is_terminal


@pytest.mark.parametrize("name", CASES)
def test_fixture_round_trips_strictly(name: str) -> None:
    run = runstate.normalize(P, load(name), strict=True)
    assert runstate.from_dict(json.loads(json.dumps(runstate.to_dict(run)))) == run
    assert run.namespace == "aws:123456789012:eu-west-1"
    assert run.raw == load(name) and run.name == "orders-etl" == run.job_id


def test_failed_event_keeps_the_message_and_severity() -> None:
    run = runstate.normalize(P, load("failed"), strict=True)
    assert run.state is State.FAILED and run.message is not None and "Access Denied" in run.message
    assert run.details["severity"] == "ERROR"
    assert run.durations.why_missing("total") is Missing.NOT_REPORTED  # an event carries no durations


def test_a_stream_of_events_into_a_tracker_gives_the_history() -> None:
    tracker = RunTracker()
    for run in runstate.normalize_many(P, stream(), strict=True):
        assert run.updated_at is not None
        tracker.observe(run, run.updated_at)
    assert tracker.history() == [State.PENDING, State.RUNNING, State.TERMINATING, State.CANCELED]
    assert tracker.illegal_steps == [] and tracker.conflicts == ()


def test_events_of_a_glue_retry_join_its_logical_run_as_a_job_run_does() -> None:
    """Glue names a retry ``<original>_attempt_<N>``: its events are attempt N of the original's
    logical run (as the ``glue`` provider reads the same ids), so a success after retry counts."""
    base = "jr_0d54530640fdbb38b5698212e1464dd94855ef749f8768484195eeeb51736f04"
    events = [
        {**event("FAILED", jobRunId=base), "time": "2026-03-01T09:05:00Z"},
        {**event("RUNNING", jobRunId=f"{base}_attempt_1"), "time": "2026-03-01T09:06:00Z"},
        {**event("SUCCEEDED", jobRunId=f"{base}_attempt_1"), "time": "2026-03-01T09:15:00Z"},
        {**event("SUCCEEDED", jobRunId=f"{base}_attempt_2x"), "time": "2026-03-01T09:16:00Z"},
    ]
    runs = list(runstate.normalize_many(P, events, strict=True))
    lineage = [(r.attempt, r.original_run_id, r.previous_run_id) for r in runs]
    assert lineage == [(0, None, None), (1, base, base), (1, base, base), (0, None, None)]
    other, retried = runstate.logical_runs(reversed(runs))  # other closes as read (SUCCEEDED, names no run)
    assert [a.run_id for a in retried.attempts] == [base, f"{base}_attempt_1"]
    assert (retried.key, retried.state, retried.retried) == (("aws:123456789012:eu-west-1", P, base),
                                                             State.SUCCEEDED, True)  # fmt: skip
    assert other.attempts == (runs[3],)
    (group,) = runstate.summarize(runs, by=("job_id",), now=datetime(2026, 3, 2, tzinfo=UTC)).groups
    assert (group.logical_success_rate, group.success_rate, group.retried) == (1.0, 2 / 3, 1)


@given(order=st.permutations(range(4)))
def test_events_in_any_order_give_the_same_history(order: list[int]) -> None:
    """EventBridge delivery is best effort and unordered: the event time puts each one in its place."""
    events = stream()
    tracker = RunTracker()
    for i in order:
        run = runstate.normalize(P, events[i], strict=True)
        assert run.updated_at is not None
        tracker.observe(run, run.updated_at)
    assert tracker.history() == [State.PENDING, State.RUNNING, State.TERMINATING, State.CANCELED]


def test_unknown_state() -> None:
    with pytest.raises(UnmappedStateError, match=r"glue_events: \$.detail.state: unmapped state: 'PAUSED'"):
        runstate.normalize(P, event("PAUSED"), strict=True)
    with pytest.warns(UnmappedStateWarning, match="PAUSED"):
        run = runstate.normalize(P, event("PAUSED"))
    assert run.state is State.UNKNOWN and run.provider_state["state"] == "PAUSED"


@pytest.mark.parametrize("strict", [True, False])
def test_another_detail_type_is_refused(strict: bool) -> None:
    """A crawler's event arrives on the same ``source: aws.glue`` rule: refused in both modes, named."""
    crawler = {
        **event("SUCCEEDED"),
        "detail-type": "Glue Crawler State Change",
        "detail": {"crawlerName": "c", "state": "Succeeded"},
    }
    with pytest.raises(
        InvalidRecordError,
        match=r"\$.detail-type: not a Glue job event: detail-type 'Glue Crawler State Change'",
    ):
        runstate.normalize(P, crawler, strict=strict)


def test_a_detail_type_that_is_no_text_is_reported() -> None:
    odd = {**event("SUCCEEDED"), "detail-type": 7}
    with pytest.raises(
        InvalidRecordError, match=r"\$.detail-type: expected 'Glue Job State Change' or 'Glue Job Run Status'"
    ):
        runstate.normalize(P, odd, strict=True)
    with pytest.warns(InvalidRecordWarning, match="detail-type"):
        runstate.normalize(P, odd)


def test_missing_detail_and_run_id() -> None:
    with pytest.raises(InvalidRecordError, match=r"\$.detail: not a Glue job event: expected"):
        runstate.normalize(P, {"detail-type": "Glue Job State Change", "detail": "SUCCEEDED"}, strict=True)
    with pytest.raises(InvalidRecordError, match=r"\$.detail.jobRunId: missing or unusable run id"):
        runstate.normalize(P, event("RUNNING", jobRunId=None), strict=True)
    with pytest.raises(InvalidRecordError, match=r"glue_events: \$: expected an EventBridge event"):
        runstate.normalize(P, "Glue Job State Change")


def test_unparsable_time() -> None:
    with pytest.raises(InvalidRecordError, match=r"\$.time: cannot parse time"):
        runstate.normalize(P, {**event("RUNNING"), "time": "noon"}, strict=True)


def test_looks_like_a_glue_event() -> None:
    assert all(ge.looks_like_glue_event(load(name)) for name in CASES)
    assert not ge.looks_like_glue_event({"Id": "jr_1", "JobRunState": "RUNNING"})
    assert not ge.looks_like_glue_event("Glue Job State Change")


def test_bundled_example_is_valid() -> None:
    lines = resources.files("runstate").joinpath("examples", f"{P}.jsonl").read_text().splitlines()
    runs = list(runstate.normalize_many(P, (json.loads(line) for line in lines), strict=True))
    schema = json.loads((ROOT / "schemas" / "run.schema.json").read_text())
    for run in runs:
        jsonschema.validate(runstate.to_dict(run), schema)
    assert len(runs) == len(lines) >= 5


# --- what the glue provider's event path did (moved here: glue refuses events) ------------------------

_FAILED_EVENT = {
    "version": "0",
    "id": "a1b2c3d4-0000-4000-8000-000000000001",
    "detail-type": "Glue Job State Change",
    "source": "aws.glue",
    "account": "123456789012",
    "time": "2026-03-01T02:00:03Z",
    "region": "eu-west-1",
    "resources": [],
    "detail": {
        "jobName": "nightly-orders",
        "severity": "ERROR",
        "state": "FAILED",
        "jobRunId": "jr_0c2d9a4b7f1e",
        "message": "Command failed with exit code 1",
    },
}


def test_glue_event_gives_account_and_region() -> None:
    run = runstate.normalize(P, _FAILED_EVENT, strict=True)
    assert (run.namespace, run.run_id, run.job_id, run.state) == (
        "aws:123456789012:eu-west-1",
        "jr_0c2d9a4b7f1e",
        "nightly-orders",
        State.FAILED,
    )
    assert run.message == "Command failed with exit code 1"


@pytest.mark.parametrize("strict", [True, False])
def test_the_glue_provider_refuses_an_event_and_names_glue_events(strict: bool) -> None:
    with pytest.raises(InvalidRecordError, match=r"glue: \$: .*use provider 'glue_events'"):
        runstate.normalize("glue", _FAILED_EVENT, strict=strict)
    assert not _glue.detect(_FAILED_EVENT)  # detection routes an event to glue_events only
    assert ge.looks_like_glue_event(_FAILED_EVENT)


@pytest.mark.parametrize("state", tables.KNOWN_JOB_RUN_STATES)
def test_an_event_keeps_what_the_glue_event_path_kept(state: str) -> None:
    """Run id, job, state, reason and namespace as the glue provider read them from an event."""
    record = {**_FAILED_EVENT, "detail": {**_FAILED_EVENT["detail"], "state": state}}  # type: ignore[dict-item]
    with warnings.catch_warnings():  # a state not documented for this detail-type is reported, still mapped
        warnings.simplefilter("ignore", runstate.RunstateWarning)
        run = runstate.normalize(P, record)  # every JobRunState word: the same table
    outcome = tables.JOB_RUN_STATE[state]
    assert (run.run_id, run.job_id, run.name, run.state, run.reason, run.namespace) == (
        "jr_0c2d9a4b7f1e",
        "nightly-orders",
        "nightly-orders",
        outcome.state,
        outcome.reason,
        "aws:123456789012:eu-west-1",
    )


def test_a_later_retry_names_the_attempt_before_it_as_its_previous_run() -> None:
    """Glue retries "after a JobRun fails", one attempt at a time: the run before attempt 2 is
    attempt 1, as a GetJobRun of it names it (``PreviousRunId``: "The ID of the previous run of
    this job"); the events' history orders the three attempts as the job runs' would."""
    base = "jr_5b0c3f0e9d1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4"
    events = [
        {**event("FAILED", jobRunId=f"{base}_attempt_2"), "time": "2026-03-01T09:30:00Z"},
        {**event("FAILED", jobRunId=base), "time": "2026-03-01T09:05:00Z"},
        {**event("FAILED", jobRunId=f"{base}_attempt_1"), "time": "2026-03-01T09:15:00Z"},
    ]
    runs = list(runstate.normalize_many(P, events, strict=True))
    assert [(r.attempt, r.original_run_id, r.previous_run_id) for r in runs] == [
        (2, base, f"{base}_attempt_1"), (0, None, None), (1, base, base)]  # fmt: skip
    (logical,) = runstate.logical_runs(runs)
    assert [a.run_id for a in logical.attempts] == [base, f"{base}_attempt_1", f"{base}_attempt_2"]
    assert (logical.key[2], logical.attempt_count, logical.state) == (base, 3, State.FAILED)
