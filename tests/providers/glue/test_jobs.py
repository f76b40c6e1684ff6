"""AWS Glue: all JobRunStates from botocore's model, boto3 and wire input, attempts and timings."""

from __future__ import annotations

import contextlib
import copy
import json
import warnings
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs
import botocore.session
import pytest
from hypothesis import given
from hypothesis import strategies as st

import runstate
from runstate import (
    InconsistentDurationWarning,
    InvalidRecordError,
    InvalidRecordWarning,
    Missing,
    Reason,
    RunstateError,
    RunstateWarning,
    State,
    UnmappedStateError,
    UnmappedStateWarning,
    check_provider,
)
from runstate._providers.glue import jobs as _glue
from runstate._providers.glue import tables
from runstate.provider_kit import OUT_OF_RANGE

from ...botocore_glue import job_run_states, through_client, validated
from ...paths import FIXTURES

FIXTURES = FIXTURES / "glue"
CASES = sorted(p.stem for p in FIXTURES.glob("*.json") if p.stem != "get_job_runs_page")


def load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text())
    return data


def job_run(state: str, **fields: Any) -> dict[str, Any]:
    return {"Id": "jr_1", "JobName": "orders-etl", "JobRunState": state, **fields}


def test_spec_is_sound() -> None:
    check_provider(_glue.SPEC)


def test_known_values_are_the_service_models_enum() -> None:
    installed = job_run_states()
    assert set(tables.KNOWN_JOB_RUN_STATES) == set(installed), (
        f"JobRunState values not in the table: {sorted(set(installed) - set(tables.KNOWN_JOB_RUN_STATES))}"
    )


@pytest.mark.parametrize("state", job_run_states())
def test_every_installed_state_is_mapped_strictly(state: str) -> None:
    run = runstate.normalize("glue", job_run(state), strict=True)
    assert run.state is not State.UNKNOWN
    assert run.provider_state["JobRunState"] == state


@pytest.mark.parametrize(
    ("state", "expected", "reason"),
    [
        ("STARTING", State.PENDING, None),
        ("WAITING", State.QUEUED, None),
        ("RUNNING", State.RUNNING, None),
        ("STOPPING", State.TERMINATING, None),
        ("STOPPED", State.CANCELED, None),  # the record does not say who stopped it
        ("SUCCEEDED", State.SUCCEEDED, None),
        ("FAILED", State.FAILED, None),
        ("TIMEOUT", State.TIMED_OUT, None),
        ("ERROR", State.FAILED, Reason.USER_ERROR),  # a trigger ran a deleted job
        ("EXPIRED", State.TIMED_OUT, Reason.EXPIRED),
    ],
)
def test_design_mapping(state: str, expected: State, reason: Reason | None) -> None:
    run = runstate.normalize("glue", job_run(state), strict=True)
    assert (run.state, run.reason) == (expected, reason)


@pytest.mark.parametrize("name", [*CASES, "get_job_runs_page"])
def test_fixture_is_a_valid_response(name: str) -> None:
    validated(load(name))


@pytest.mark.parametrize("name", CASES)
def test_boto3_datetimes_and_wire_json_normalize_the_same(name: str) -> None:
    wire = load(name)
    via_boto3 = through_client(wire)
    started = via_boto3["JobRun"]["StartedOn"]
    assert isinstance(started, datetime) and started.tzinfo is not None
    a = runstate.normalize("glue", wire, strict=True, keep_raw=False)
    b = runstate.normalize("glue", via_boto3, strict=True, keep_raw=False)
    assert a == b


@pytest.mark.parametrize("name", CASES)
def test_iso_text_normalizes_the_same(name: str) -> None:
    wire = load(name)
    text = copy.deepcopy(wire)
    for key in ("StartedOn", "CompletedOn", "LastModifiedOn"):
        if key in text["JobRun"]:
            instant = datetime.fromtimestamp(text["JobRun"][key], UTC)
            text["JobRun"][key] = instant.isoformat().replace("+00:00", "Z")
    assert runstate.normalize("glue", text, keep_raw=False) == runstate.normalize(
        "glue", wire, keep_raw=False
    )


@pytest.mark.parametrize("name", CASES)
def test_fixture_round_trips(name: str) -> None:
    run = runstate.normalize("glue", load(name), strict=True)
    assert runstate.from_dict(runstate.to_dict(run)) == run
    assert run.raw == load(name)


def test_succeeded() -> None:
    record = load("succeeded")
    run = runstate.normalize("glue", record, strict=True)
    jr = record["JobRun"]
    assert (run.provider, run.run_id, run.job_id, run.name) == ("glue", jr["Id"], "orders-etl", "orders-etl")
    assert run.started_at == datetime.fromtimestamp(jr["StartedOn"], UTC)
    assert run.durations.total == run.ended_at - run.started_at  # type: ignore[operator]
    assert run.durations.execution == timedelta(seconds=jr["ExecutionTime"])
    assert run.durations.why_missing("setup") is Missing.NOT_APPLICABLE
    assert run.details["Timeout"] == jr["Timeout"]
    assert run.updated_at == datetime.fromtimestamp(jr["LastModifiedOn"], UTC)
    assert run.elapsed() == run.durations.total
    assert run.raw is record


def test_failed_with_error_message() -> None:
    run = runstate.normalize("glue", load("failed_with_error_message"), strict=True)
    assert run.state is State.FAILED
    assert run.message is not None and run.message.startswith("AnalysisException")


def test_running_has_not_ended() -> None:
    run = runstate.normalize("glue", load("running"), strict=True)
    assert (run.state, run.ended_at) == (State.RUNNING, None)
    assert run.durations.total is None and run.durations.why_missing("total") is Missing.NOT_ENDED
    assert run.durations.why_missing("execution") is Missing.NOT_ENDED  # ExecutionTime 0 means "not yet"
    assert run.started_at is not None
    assert run.elapsed(now=run.started_at + timedelta(minutes=5)) == timedelta(minutes=5)


def test_timeout_keeps_the_limit() -> None:
    run = runstate.normalize("glue", load("timeout"), strict=True)
    assert run.state is State.TIMED_OUT
    assert run.details["Timeout"] == load("timeout")["JobRun"]["Timeout"]


def test_retry_lineage() -> None:
    run = runstate.normalize("glue", load("retry_attempt_1"), strict=True)
    jr = load("retry_attempt_1")["JobRun"]
    assert run.attempt == 1
    assert run.previous_run_id == jr["PreviousRunId"]
    assert run.original_run_id == jr["PreviousRunId"] == jr["Id"].removesuffix("_attempt_1")


@pytest.mark.parametrize(
    ("run_id", "attempt", "previous", "original"),
    [
        ("jr_a_attempt_2", 2, "jr_a_attempt_1", "jr_a"),  # the suffix names the original
        ("jr_b", 1, "jr_a", "jr_a"),  # a manual retry (StartJobRun with JobRunId): previous is the original
        ("jr_c", 2, "jr_b", None),  # unknown: never guessed
        ("jr_d", 0, None, None),
    ],
)
def test_original_run_id(run_id: str, attempt: int, previous: str | None, original: str | None) -> None:
    run = runstate.normalize("glue", job_run("SUCCEEDED", Id=run_id, Attempt=attempt, PreviousRunId=previous))
    assert (run.original_run_id, run.previous_run_id) == (original, previous)


def test_huge_execution_time_is_reported_not_an_overflow() -> None:
    record = job_run("SUCCEEDED", ExecutionTime=10**14)
    with pytest.raises(InvalidRecordError, match=r"\$.ExecutionTime: duration out of range"):
        runstate.normalize("glue", record, strict=True)
    with pytest.warns(InvalidRecordWarning, match="out of range"):
        assert runstate.normalize("glue", record).durations.execution is None


def test_waiting_with_state_detail() -> None:
    run = runstate.normalize("glue", load("waiting_with_state_detail"), strict=True)
    assert (run.state, run.reason) == (State.QUEUED, Reason.CONCURRENCY_LIMIT)
    assert run.message == "Max concurrent job runs per job exceeded"
    assert run.provider_state["StateDetail"] == run.message


@pytest.mark.parametrize(
    ("detail", "execution_class", "reason"),
    [
        ("Max concurrent job runs per account exceeded", "STANDARD", Reason.WORKSPACE_LIMIT),
        ("Max concurrent compute (DPU usage) exceeded", "STANDARD", Reason.WORKSPACE_LIMIT),
        ("Resource unavailable", "STANDARD", Reason.WAITING_FOR_RESOURCES),
        ("something new", "STANDARD", None),
        (None, "FLEX", Reason.WAITING_FOR_RESOURCES),
        (None, "STANDARD", None),
    ],
)
def test_waiting_reasons(detail: str | None, execution_class: str, reason: Reason | None) -> None:
    record = job_run("WAITING", ExecutionClass=execution_class)
    if detail is not None:
        record["StateDetail"] = detail
    assert runstate.normalize("glue", record, strict=True).reason is reason


@pytest.mark.parametrize(("name", "state"), [("stopped", State.CANCELED), ("error", State.FAILED)])
def test_stopped_and_error(name: str, state: State) -> None:
    assert runstate.normalize("glue", load(name), strict=True).state is state


def test_get_job_runs_page() -> None:
    page = load("get_job_runs_page")
    runs = list(runstate.normalize_many("glue", [page], strict=True))
    assert [r.run_id for r in runs] == [jr["Id"] for jr in page["JobRuns"]]
    via_boto3 = list(runstate.normalize_many("glue", [through_client(page)], strict=True, keep_raw=False))
    assert via_boto3 == [attrs.evolve(r, raw=None) for r in runs]


def test_unknown_state() -> None:
    with pytest.raises(UnmappedStateError, match=r"glue: \$.JobRunState: unmapped state: 'PAUSED'"):
        runstate.normalize("glue", job_run("PAUSED"), strict=True)
    with pytest.warns(UnmappedStateWarning, match="PAUSED"):
        run = runstate.normalize("glue", job_run("PAUSED"))
    assert run.state is State.UNKNOWN and run.provider_state == {"JobRunState": "PAUSED"}


@pytest.mark.parametrize("bad", [7, None, ["RUNNING"], {"s": 1}])
def test_state_that_is_not_a_string(bad: object) -> None:
    with pytest.raises(InvalidRecordError, match=r"\$.JobRunState"):
        runstate.normalize("glue", job_run("x", JobRunState=bad), strict=True)
    with pytest.warns(InvalidRecordWarning, match=r"\$.JobRunState"):
        assert runstate.normalize("glue", job_run("x", JobRunState=bad)).state is State.UNKNOWN


def test_unparsable_time() -> None:
    with pytest.raises(InvalidRecordError, match=r"glue: \$.StartedOn: cannot parse time: 'yesterday'"):
        runstate.normalize("glue", job_run("RUNNING", StartedOn="yesterday"), strict=True)
    with pytest.warns(InvalidRecordWarning):
        assert runstate.normalize("glue", job_run("RUNNING", StartedOn="yesterday")).started_at is None


def test_ended_before_started_is_reported() -> None:
    record = job_run("SUCCEEDED", StartedOn=1772359200, CompletedOn=1772359100, ExecutionTime=0)
    with pytest.warns(InconsistentDurationWarning, match="ends before it starts"):
        run = runstate.normalize("glue", record)
    assert run.durations.total == timedelta(seconds=-100)  # kept, not clamped
    with pytest.raises(InvalidRecordError):
        runstate.normalize("glue", record, strict=True)


def test_execution_longer_than_wall_time_is_reported() -> None:
    record = job_run("SUCCEEDED", StartedOn=1772359200, CompletedOn=1772359260, ExecutionTime=300)
    with pytest.warns(InconsistentDurationWarning, match="execution exceeds wall time"):
        runstate.normalize("glue", record)
    # ExecutionTime is whole seconds: one second of rounding is no inconsistency
    runstate.normalize(
        "glue", job_run("SUCCEEDED", StartedOn=1772359200, CompletedOn=1772359259.5, ExecutionTime=60)
    )


def test_missing_id_and_non_mapping() -> None:
    for strict in (True, False):  # a run without an id cannot be told apart from others: both modes
        with pytest.raises(InvalidRecordError, match=r"\$.Id: missing or unusable run id"):
            runstate.normalize("glue", {"JobRunState": "RUNNING"}, strict=strict)
    with pytest.raises(InvalidRecordError, match="expected a JobRun object"):
        runstate.normalize("glue", ["not", "a", "record"])


@given(
    st.one_of(st.sampled_from(job_run_states()), st.text(max_size=12), st.none(), st.integers()),
    st.one_of(st.none(), st.floats(allow_nan=True), st.integers(), st.text(max_size=25)),
)
def test_any_state_and_time_normalize_without_undocumented_errors(state: object, started: object) -> None:
    record = {"Id": "jr_1", "JobRunState": state, "StartedOn": started}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RunstateWarning)
        run = runstate.normalize("glue", record)
    assert run.raw is record
    if isinstance(state, str):
        assert run.provider_state["JobRunState"] == state
    with contextlib.suppress(RunstateError):
        runstate.normalize("glue", record, strict=True)


@pytest.mark.parametrize("keep_raw", [True, False])
def test_predecessor_runs_without_raw_are_the_runs_own(keep_raw: bool) -> None:
    """Without ``raw`` a run shares nothing mutable with the caller's record (as Databricks' nested
    details); with ``raw`` the details are the record's own values, as ``raw`` is the record."""
    predecessors = [{"JobName": "a", "RunId": "jr_1"}]
    record = {"Id": "jr_2", "JobRunState": "RUNNING", "PredecessorRuns": predecessors}
    run = runstate.normalize("glue", record, keep_raw=keep_raw)
    assert run.details["PredecessorRuns"] == [{"JobName": "a", "RunId": "jr_1"}]
    predecessors[0]["RunId"] = "changed"
    expected = "changed" if keep_raw else "jr_1"
    assert run.details["PredecessorRuns"][0]["RunId"] == expected


def test_an_attempt_beyond_32_bits_is_reported() -> None:
    """botocore: ``JobRun.Attempt`` is the shape ``AttemptCount``, an AWS ``integer`` (32-bit)."""
    shape = botocore.session.get_session().get_service_model("glue").shape_for("AttemptCount")
    assert shape.type_name == "integer" and "max" not in shape.metadata
    assert runstate.normalize("glue", job_run("FAILED", Attempt=2**31 - 1), strict=True).attempt == 2**31 - 1
    for huge in (2**31, 2**64):
        record = job_run("SUCCEEDED", Attempt=huge)
        with pytest.raises(InvalidRecordError, match=r"\$.Attempt: integer out of range"):
            runstate.normalize("glue", record, strict=True)
        with pytest.warns(InvalidRecordWarning, match="out of range"):
            assert runstate.normalize("glue", record).attempt == 0


@pytest.mark.parametrize(
    ("started", "completed"),
    [
        ("2026-03-01T10:00:00Z", "9999-12-31T23:59:59Z"),  # an open-ended sentinel
        ("0001-01-01T00:00:00Z", "2026-03-01T10:00:00Z"),  # Go's zero time.Time
        (1.0, 4_102_444_799.0),  # plain epoch floats 130 years apart
    ],
)
def test_a_total_over_100_years_is_reported_like_a_duration(started: object, completed: object) -> None:
    """The kit's one sentinel-span rule (``time_between``), with its one message."""
    record = job_run("SUCCEEDED", StartedOn=started, CompletedOn=completed, ExecutionTime=60)
    with pytest.raises(InvalidRecordError) as raised:
        runstate.normalize("glue", record, strict=True)
    assert (raised.value.field, raised.value.problem) == ("$.CompletedOn", OUT_OF_RANGE)
    with pytest.warns(
        InvalidRecordWarning, match=r"\$.CompletedOn: duration out of range \(over 100 years\)"
    ):
        run = runstate.normalize("glue", record)
    assert run.durations.total is None and run.durations.execution == timedelta(minutes=1)
    assert run.ended_at is not None  # the times are kept as given; only the total is dropped


def test_a_get_job_runs_page_given_to_normalize_says_so() -> None:
    for strict in (True, False):
        with pytest.raises(InvalidRecordError, match="a GetJobRuns page, not a JobRun: use normalize_many"):
            runstate.normalize("glue", load("get_job_runs_page"), strict=strict)


def test_the_queue_is_not_reported_rather_than_not_applicable() -> None:
    """A run can wait in WAITING (job run queuing; a Flex run "up to 20 minutes", which "delays the start
    of the run"), but no JobRun field measures the wait: the queue is not reported, not absent."""
    model = botocore.session.get_session().get_service_model("glue").shape_for("JobRun")
    assert "WAITING" in model.members["JobRunState"].enum
    assert not [m for m in model.members if "Queue" in m and m != "JobRunQueuingEnabled"]
    flex = {
        "Id": "jr_7f3e",
        "JobName": "nightly_flex",
        "JobRunState": "SUCCEEDED",
        "ExecutionClass": "FLEX",
        "StartedOn": datetime(2026, 3, 1, 10, 0, tzinfo=UTC),
        "CompletedOn": datetime(2026, 3, 1, 10, 25, tzinfo=UTC),
        "ExecutionTime": 600,
    }
    for record in (flex, {**flex, "JobRunState": "RUNNING", "CompletedOn": None}):
        run = runstate.normalize("glue", record, strict=True)
        assert run.durations.why_missing("queue") is Missing.NOT_REPORTED
        assert run.durations.why_missing("setup") is Missing.NOT_APPLICABLE
