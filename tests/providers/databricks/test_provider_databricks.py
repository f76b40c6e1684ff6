"""Databricks Jobs: every SDK enum value, both state models, tasks, retries, repairs and durations."""

from __future__ import annotations

import copy
import enum
import json
import warnings
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import attrs
import pytest
from databricks.sdk.service import jobs
from hypothesis import given, settings
from hypothesis import strategies as st

import runstate
from runstate import (
    InconsistentDurationWarning,
    InvalidRecordError,
    InvalidRecordWarning,
    Missing,
    Reason,
    RunstateError,
    State,
    StateConflictWarning,
    UnmappedStateError,
    UnmappedStateWarning,
    check_provider,
)
from runstate._providers.databricks import details as _databricks_details
from runstate._providers.databricks import jobs as _databricks
from runstate._providers.databricks import states as _databricks_states
from runstate._providers.databricks import tables as _databricks_tables

from ...paths import FIXTURES

FIXTURES = FIXTURES / "databricks"
CASES = sorted(p.stem for p in FIXTURES.glob("*.json") if p.stem != "runs_list_page")
S = State
R = Reason

SDK_ENUMS: dict[str, Any] = {
    "RunLifeCycleState": jobs.RunLifeCycleState,
    "RunResultState": jobs.RunResultState,
    "RunLifecycleStateV2State": jobs.RunLifecycleStateV2State,
    "TerminationCodeCode": jobs.TerminationCodeCode,
    "TerminationTypeType": jobs.TerminationTypeType,
    "QueueDetailsCodeCode": jobs.QueueDetailsCodeCode,
}


def load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text())
    return data


def norm(record: Any, **kwargs: Any) -> runstate.Run:
    return runstate.normalize("databricks", record, **kwargs)


def record(
    life_cycle: object = None,
    result: object = None,
    v2: object = None,
    code: object = None,
    type_: object = None,
    queue: object = None,
    **fields: Any,
) -> dict[str, Any]:
    rec: dict[str, Any] = {"run_id": 11, "job_id": 22, "run_name": "job", **fields}
    if life_cycle is not None or result is not None:
        rec["state"] = {"life_cycle_state": life_cycle, "result_state": result}
    if v2 is not None or code is not None or type_ is not None or queue is not None:
        status: dict[str, Any] = {"state": v2}
        if code is not None or type_ is not None:
            status["termination_details"] = {"code": code, "type": type_}
        if queue is not None:
            status["queue_details"] = {"code": queue}
        rec["status"] = status
    return rec


def values(name: str) -> list[str]:
    return [e.value for e in SDK_ENUMS[name]]


# --- the spec and the SDK's enums ---------------------------------------------------------------


def test_spec_is_sound_and_registered() -> None:
    check_provider(_databricks.SPEC)
    assert "databricks" in runstate.providers()
    assert _databricks.SPEC.provenance == "databricks-sdk 0.156.0"
    assert _databricks.SPEC.can_repair
    assert any(e.repair for e in _databricks.SPEC.native_edges)


@pytest.mark.parametrize("table", sorted(SDK_ENUMS))
def test_known_values_are_the_sdk_enum(table: str) -> None:
    installed, known = set(values(table)), set(_databricks.SPEC.known_values[table])
    new, gone = sorted(installed - known), sorted(known - installed)
    assert installed == known, f"{table}: new in the SDK: {new}; gone from the SDK: {gone}"


@pytest.mark.parametrize("word", values("RunLifeCycleState"))
def test_every_life_cycle_state_is_mapped_strictly(word: str) -> None:
    result = "SUCCESS" if word in ("TERMINATED", "INTERNAL_ERROR", "SKIPPED") else None
    run = norm(record(word, result), strict=True)
    assert run.state is not S.UNKNOWN
    assert run.provider_state["life_cycle_state"] == word


@pytest.mark.parametrize("word", values("RunResultState"))
def test_every_result_state_is_mapped_strictly(word: str) -> None:
    run = norm(record("TERMINATED", word), strict=True)
    assert run.state.is_terminal
    assert run.provider_state["result_state"] == word


@pytest.mark.parametrize("word", values("RunLifecycleStateV2State"))
def test_every_v2_state_is_mapped_strictly(word: str) -> None:
    code = "SUCCESS" if word == "TERMINATED" else None
    run = norm(record(v2=word, code=code), strict=True)
    assert run.state is not S.UNKNOWN
    assert run.provider_state["status.state"] == word


@pytest.mark.parametrize("word", values("TerminationCodeCode"))
@pytest.mark.parametrize("type_", values("TerminationTypeType"))
def test_every_termination_code_and_type_is_mapped_strictly(word: str, type_: str) -> None:
    run = norm(record(v2="TERMINATED", code=word, type_=type_), strict=True)
    assert run.state.is_terminal
    assert run.provider_state["termination_details.code"] == word
    assert run.provider_state["termination_details.type"] == type_


@pytest.mark.parametrize("word", values("QueueDetailsCodeCode"))
def test_every_queue_code_is_mapped_strictly(word: str) -> None:
    run = norm(record(v2="QUEUED", queue=word), strict=True)
    assert run.state is S.QUEUED and run.reason in (R.WORKSPACE_LIMIT, R.CONCURRENCY_LIMIT)


# --- the mapping decisions (docs/decisions.md#databricks) ------------------------------------------------


@pytest.mark.parametrize(
    ("life_cycle", "result", "state", "reason"),
    [
        ("QUEUED", None, S.QUEUED, None),
        ("PENDING", None, S.PENDING, None),
        ("BLOCKED", None, S.BLOCKED, None),
        ("WAITING_FOR_RETRY", None, S.WAITING_FOR_RETRY, None),
        ("RUNNING", None, S.RUNNING, None),
        ("TERMINATING", None, S.TERMINATING, None),
        ("TERMINATED", "SUCCESS", S.SUCCEEDED, None),
        ("TERMINATED", "SUCCESS_WITH_FAILURES", S.SUCCEEDED, R.PARTIAL_SUCCESS),
        ("TERMINATED", "FAILED", S.FAILED, None),
        ("TERMINATED", "TIMEDOUT", S.TIMED_OUT, None),
        ("TERMINATED", "CANCELED", S.CANCELED, None),
        ("TERMINATED", "MAXIMUM_CONCURRENT_RUNS_REACHED", S.SKIPPED, R.CONCURRENCY_LIMIT),
        ("TERMINATED", "EXCLUDED", S.SKIPPED, R.EXCLUDED),
        ("TERMINATED", "UPSTREAM_FAILED", S.SKIPPED, R.UPSTREAM_FAILED),
        ("TERMINATED", "UPSTREAM_CANCELED", S.SKIPPED, R.UPSTREAM_CANCELED),
        ("TERMINATED", "DISABLED", S.SKIPPED, R.DISABLED),
        ("SKIPPED", None, S.SKIPPED, R.CONCURRENCY_LIMIT),
        ("INTERNAL_ERROR", "FAILED", S.FAILED, R.PLATFORM_ERROR),
    ],
)
def test_legacy_mapping(life_cycle: str, result: str | None, state: State, reason: Reason | None) -> None:
    run = norm(record(life_cycle, result), strict=True)
    assert (run.state, run.reason) == (state, reason)


def _skipped_task_run(task_state: dict[str, Any], status: dict[str, Any] | None) -> runstate.Run:
    """The task ``b`` of a run whose task ``a`` failed, skipped for it."""
    task: dict[str, Any] = {
        "run_id": 3,
        "task_key": "b",
        "depends_on": [{"task_key": "a"}],
        "state": task_state,
    }
    if status is not None:
        task["status"] = status
    failed = {"life_cycle_state": "TERMINATED", "result_state": "FAILED"}
    rec = {
        "run_id": 1, "job_id": 2, "start_time": 1782864000000, "end_time": 1782864060000, "state": failed,
        "tasks": [{"run_id": 2, "task_key": "a", "state": failed}, task],
    }  # fmt: skip
    return norm(rec, strict=True).tasks[1]


@pytest.mark.parametrize(
    ("task_state", "status", "reason"),
    [
        ({"life_cycle_state": "SKIPPED", "state_message": "Upstream task(s) failed."}, None, None),
        (
            {"life_cycle_state": "SKIPPED"},
            {"state": "TERMINATED", "termination_details": {"code": "SKIPPED", "type": "SUCCESS"}},
            None,
        ),
        ({"life_cycle_state": "SKIPPED", "result_state": "UPSTREAM_FAILED"}, None, R.UPSTREAM_FAILED),
        ({"life_cycle_state": "TERMINATED", "result_state": "EXCLUDED"}, None, R.EXCLUDED),
    ],
)
def test_a_skipped_task_run_is_never_held_back_by_the_jobs_concurrency(
    task_state: dict[str, Any], status: dict[str, Any] | None, reason: Reason | None
) -> None:
    """RunLifeCycleState.SKIPPED ("a previous run of the same job was already active") is about job
    runs (max_concurrent_runs is a job setting): a task run's legacy SKIPPED has no reason of its own."""
    task = _skipped_task_run(task_state, status)
    assert (task.state, task.reason) == (S.SKIPPED, reason)


def test_a_legacy_cancel_with_the_user_flag_is_a_user_cancel() -> None:
    """RunState.user_cancelled_or_timedout: "canceled manually by a user or by the scheduler because
    the run timed out"; a timed-out run's result is TIMEDOUT, so beside CANCELED ("canceled at user
    request") the flag says a user."""
    rec = record("TERMINATED", "CANCELED")
    rec["state"]["user_cancelled_or_timedout"] = True
    run = norm(rec, strict=True)
    assert (run.state, run.reason) == (S.CANCELED, R.CANCELED_BY_USER)
    assert run.details["user_cancelled_or_timedout"] is True


@pytest.mark.parametrize(
    ("result", "flag", "state", "reason"),
    [
        ("CANCELED", False, S.CANCELED, None),  # the word alone does not say who
        ("CANCELED", None, S.CANCELED, None),
        ("TIMEDOUT", True, S.TIMED_OUT, None),  # the scheduler stopped it at its timeout
    ],
)
def test_the_user_flag_names_a_user_only_beside_a_cancel(
    result: str, flag: bool | None, state: State, reason: Reason | None
) -> None:
    rec = record("TERMINATED", result)
    if flag is not None:
        rec["state"]["user_cancelled_or_timedout"] = flag
    run = norm(rec, strict=True)
    assert (run.state, run.reason) == (state, reason)


def test_a_platform_cancel_code_beside_the_user_flag_stays_the_platform_s() -> None:
    """``status`` wins: the code CANCELED ("canceled during execution by the Databricks platform")."""
    rec = record("TERMINATED", "CANCELED", "TERMINATED", "CANCELED", "SUCCESS")
    rec["state"]["user_cancelled_or_timedout"] = True
    run = norm(rec, strict=True)
    assert (run.state, run.reason) == (S.CANCELED, R.CANCELED_BY_PLATFORM)


_UNKNOWN_TO_THE_SDK = "CLUSTER_TERMINATED_BY_USER"
"""A code the TerminationCodeCode docstring lists (the externally managed cluster "entered an unusable
state, likely due to the user terminating or restarting it") that the enum does not have."""


def test_the_sdk_enum_lacks_the_documented_code() -> None:
    assert _UNKNOWN_TO_THE_SDK in (jobs.TerminationCodeCode.__doc__ or "")
    assert _UNKNOWN_TO_THE_SDK not in jobs.TerminationCodeCode.__members__


def test_an_sdk_round_trip_reads_as_the_sdk_object() -> None:
    """``Run.from_dict(record).as_dict()`` drops the code the SDK does not know and keeps the type: the
    dict reads as the object does (CLIENT_ERROR: "an error caused by user input or the job
    configuration")."""
    rec = record("TERMINATED", "FAILED", "TERMINATED", _UNKNOWN_TO_THE_SDK, "CLIENT_ERROR")
    rec.update(start_time=1_780_000_000_000, end_time=1_780_000_600_000)
    sdk = jobs.Run.from_dict(rec)
    round_trip = sdk.as_dict()
    assert "code" not in round_trip["status"]["termination_details"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnmappedStateWarning)  # the object reports the dropped code
        from_object = norm(sdk)
    from_dict = norm(round_trip, strict=True)
    assert (from_dict.state, from_dict.reason) == (from_object.state, from_object.reason)
    assert (from_dict.state, from_dict.reason) == (S.FAILED, R.USER_ERROR)
    assert (norm(rec).state, norm(rec).reason) == (S.FAILED, R.USER_ERROR)  # as given: a documented code


@pytest.mark.parametrize(
    ("type_", "reason"), [("CLIENT_ERROR", R.USER_ERROR), ("INTERNAL_ERROR", R.PLATFORM_ERROR)]
)
def test_a_status_with_a_failure_type_and_no_code_is_the_type_s_verdict(type_: str, reason: Reason) -> None:
    run = norm(record(v2="TERMINATED", type_=type_), strict=True)
    assert (run.state, run.reason) == (S.FAILED, reason)


def test_a_status_with_a_success_type_and_no_code_still_lacks_a_state() -> None:
    """SUCCESS says no error, not which outcome (skips and user cancels carry it too)."""
    with pytest.raises(InvalidRecordError, match=r"termination_details\.code"):
        norm(record(v2="TERMINATED", type_="SUCCESS"), strict=True)


@pytest.mark.parametrize(
    ("code", "type_", "state", "reason"),
    [
        ("SUCCESS", "SUCCESS", S.SUCCEEDED, None),
        ("SUCCESS_WITH_FAILURES", "SUCCESS", S.SUCCEEDED, R.PARTIAL_SUCCESS),
        ("USER_CANCELED", "SUCCESS", S.CANCELED, R.CANCELED_BY_USER),
        ("CANCELED", "CLIENT_ERROR", S.CANCELED, R.CANCELED_BY_PLATFORM),  # a status-only timeout
        ("SKIPPED", "SUCCESS", S.SKIPPED, None),
        ("DISABLED", "SUCCESS", S.SKIPPED, R.DISABLED),
        ("MAX_CONCURRENT_RUNS_EXCEEDED", "SUCCESS", S.SKIPPED, R.CONCURRENCY_LIMIT),
        ("MAX_JOB_QUEUE_SIZE_EXCEEDED", None, S.SKIPPED, R.QUEUE_LIMIT),
        ("WORKSPACE_RUN_LIMIT_EXCEEDED", None, S.SKIPPED, R.WORKSPACE_LIMIT),
        ("RUN_EXECUTION_ERROR", "CLIENT_ERROR", S.FAILED, R.USER_ERROR),
        ("CLOUD_FAILURE", "CLOUD_FAILURE", S.FAILED, R.PLATFORM_ERROR),
        # the type is Databricks' own user-vs-platform verdict and wins over the code's default
        ("DRIVER_ERROR", "CLIENT_ERROR", S.FAILED, R.USER_ERROR),
        ("DRIVER_ERROR", None, S.FAILED, R.PLATFORM_ERROR),
        ("LIBRARY_INSTALLATION_ERROR", "INTERNAL_ERROR", S.FAILED, R.PLATFORM_ERROR),
        ("LIBRARY_INSTALLATION_ERROR", "SUCCESS", S.FAILED, R.USER_ERROR),
        ("CLUSTER_TERMINATED_BY_USER", None, S.FAILED, R.USER_ERROR),  # documented, not in the SDK enum
    ],
)
def test_status_mapping(code: str, type_: str | None, state: State, reason: Reason | None) -> None:
    run = norm(record(v2="TERMINATED", code=code, type_=type_), strict=True)
    assert (run.state, run.reason) == (state, reason)


@pytest.mark.parametrize(
    ("life_cycle", "result", "v2", "code", "state", "reason"),
    [
        ("TERMINATED", "TIMEDOUT", "TERMINATED", "CANCELED", S.TIMED_OUT, None),
        ("TERMINATED", "UPSTREAM_CANCELED", "TERMINATED", "SKIPPED", S.SKIPPED, R.UPSTREAM_CANCELED),
        ("TERMINATED", "EXCLUDED", "TERMINATED", "SKIPPED", S.SKIPPED, R.EXCLUDED),
        ("INTERNAL_ERROR", "FAILED", "TERMINATED", "LIBRARY_INSTALLATION_ERROR", S.FAILED, R.USER_ERROR),
        ("TERMINATED", "SUCCESS_WITH_FAILURES", "TERMINATED", "SUCCESS", S.SUCCEEDED, R.PARTIAL_SUCCESS),
        ("RUNNING", None, "TERMINATED", "SUCCESS", S.SUCCEEDED, None),  # status one step ahead
        ("WAITING_FOR_RETRY", None, "WAITING", None, S.WAITING_FOR_RETRY, None),  # evidence of a retry
        ("QUEUED", None, "WAITING", None, S.QUEUED, R.DEFERRED),  # a deliberate delay: no conflict
        ("TERMINATED", "SUCCESS", "TERMINATED", None, S.SUCCEEDED, None),  # no code: legacy decides
        # legacy SKIPPED's "a previous run ... was already active" is a default: the code says why
        ("SKIPPED", None, "TERMINATED", "SKIPPED", S.SKIPPED, None),
        ("SKIPPED", None, "TERMINATED", "MAX_CONCURRENT_RUNS_EXCEEDED", S.SKIPPED, R.CONCURRENCY_LIMIT),
        ("SKIPPED", None, "TERMINATED", "WORKSPACE_RUN_LIMIT_EXCEEDED", S.SKIPPED, R.WORKSPACE_LIMIT),
        ("SKIPPED", "UPSTREAM_FAILED", "TERMINATED", "SKIPPED", S.SKIPPED, R.UPSTREAM_FAILED),
        ("SKIPPED", None, "TERMINATED", None, S.SKIPPED, R.CONCURRENCY_LIMIT),  # no code: legacy decides
    ],
)
def test_reconciliation(
    life_cycle: str, result: str | None, v2: str, code: str | None, state: State, reason: Reason | None
) -> None:
    run = norm(record(life_cycle, result, v2, code), strict=True)
    assert (run.state, run.reason) == (state, reason)


@pytest.mark.parametrize(
    ("life_cycle", "result", "v2", "code", "state"),
    [
        ("TERMINATED", "SUCCESS", "TERMINATED", "RUN_EXECUTION_ERROR", S.FAILED),
        ("TERMINATED", "SUCCESS", "RUNNING", None, S.RUNNING),  # the legacy state is ahead
        ("RUNNING", None, "WAITING", None, S.QUEUED),  # no evidence of a retry: deferred, legacy ahead
    ],
)
def test_a_contradiction_warns_in_both_modes_and_status_wins(
    life_cycle: str, result: str, v2: str, code: str | None, state: State
) -> None:
    for strict in (False, True):
        with pytest.warns(StateConflictWarning, match="status says"):
            run = norm(record(life_cycle, result, v2, code), strict=strict)
        assert run.state is state


def test_a_contradiction_shows_the_records_words() -> None:
    """Not ``mappingproxy({...})``: the words as the record spells them."""
    rec = record("TERMINATED", "FAILED", "TERMINATED", "SUCCESS", "SUCCESS")
    with pytest.warns(StateConflictWarning) as caught:
        norm(rec)
    (warning,) = caught
    text = str(warning.message)
    words = "'state TERMINATED/FAILED; status TERMINATED/SUCCESS/SUCCESS'"
    assert text.endswith(f"status says SUCCEEDED, state says FAILED: {words}")
    assert "mappingproxy" not in text


def test_legacy_queue_reason_text() -> None:
    rec = record("QUEUED")
    rec["state"]["queue_reason"] = "Queued due to reaching maximum concurrent runs."
    run = norm(rec, strict=True)
    assert (run.state, run.reason, run.message) == (
        S.QUEUED,
        R.CONCURRENCY_LIMIT,
        rec["state"]["queue_reason"],
    )


# --- unknown and odd values ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rec", "field", "state", "reason"),
    [
        (record("TERMINATED", "PARTIALLY_DONE"), "result_state", S.UNKNOWN, None),
        (record("HIBERNATING"), "life_cycle_state", S.UNKNOWN, None),
        (record(v2="HIBERNATING"), "status.state", S.UNKNOWN, None),
        (
            record(v2="TERMINATED", code="GPU_MELTED", type_="CLOUD_FAILURE"),
            "code",
            S.FAILED,
            R.PLATFORM_ERROR,
        ),
        (record(v2="TERMINATED", code="GPU_MELTED", type_="SUCCESS"), "code", S.UNKNOWN, None),
        (record("TERMINATED", "SUCCESS", "TERMINATED", "NEW_CODE"), "code", S.SUCCEEDED, None),
        (record("RUNNING", None, "SLEEPING"), "status.state", S.RUNNING, None),
        (record(v2="TERMINATED", code="SUCCESS", type_="NEW_TYPE"), "type", S.SUCCEEDED, None),
        (record(v2="QUEUED", queue="NEW_QUEUE"), "queue_details.code", S.QUEUED, None),
    ],
)
def test_unknown_words(rec: dict[str, Any], field: str, state: State, reason: Reason | None) -> None:
    with pytest.raises(UnmappedStateError, match=field):
        norm(rec, strict=True)
    with pytest.warns(UnmappedStateWarning, match=field):
        run = norm(rec)
    assert (run.state, run.reason) == (state, reason)
    assert all(isinstance(v, str) for v in run.provider_state.values())


def test_unknown_words_are_kept_in_provider_state() -> None:
    with pytest.warns(UnmappedStateWarning, match="PARTIALLY_DONE"):
        run = norm(record("TERMINATED", "PARTIALLY_DONE"))
    assert run.provider_state == {"life_cycle_state": "TERMINATED", "result_state": "PARTIALLY_DONE"}


@pytest.mark.parametrize(
    "rec",
    [
        record("TERMINATED"),  # no result_state
        record(v2="TERMINATED"),  # no termination code
        {"run_id": 1},  # no state at all
    ],
)
def test_missing_state(rec: dict[str, Any]) -> None:
    with pytest.raises(InvalidRecordError, match="missing state"):
        norm(rec, strict=True)
    with pytest.warns(InvalidRecordWarning, match="missing state"):
        assert norm(rec).state is S.UNKNOWN


@pytest.mark.parametrize("bad", [42, ["x"], {"a": 1}, 1.5, True])
def test_non_string_words(bad: object) -> None:
    with pytest.raises(InvalidRecordError, match="expected a state word"):
        norm(record("TERMINATED", bad), strict=True)
    with pytest.warns(UnmappedStateWarning):
        assert norm(record("TERMINATED", bad)).state is S.UNKNOWN


@pytest.mark.parametrize("bad", [None, 3, "text", ["a"], object()])
def test_not_a_record(bad: object) -> None:
    with pytest.raises(InvalidRecordError):
        norm(bad)


def test_hostile_nesting_is_cut() -> None:
    leaf: dict[str, Any] = record("RUNNING", run_id=0)
    rec = leaf
    for i in range(1, 2000):
        rec = record("RUNNING", run_id=i, tasks=[rec])
    with pytest.raises(InvalidRecordError, match="nested deeper"):
        norm(rec, strict=True)
    with pytest.warns(InvalidRecordWarning, match="nested deeper"):
        run = norm(rec)
    depth = 0
    while run.tasks:
        run, depth = run.tasks[0], depth + 1
    assert depth == _databricks.MAX_DEPTH


def test_odd_fields_are_reported_not_raised() -> None:
    rec = record(
        "TERMINATED",
        "SUCCESS",
        start_time="yesterday",
        end_time=-5,
        attempt_number="1",
        setup_duration=[1],
        tasks="not a list",
    )
    rec["state"]["state_message"] = 12
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        run = norm(rec)
    assert run.state is S.SUCCEEDED
    assert len(caught) >= 5
    assert all(issubclass(w.category, runstate.RunstateWarning) for w in caught)


@pytest.mark.parametrize("attempt", [2**31, 2**63, 2**64])
@pytest.mark.parametrize("where", ["run", "task"])
def test_an_absurd_attempt_number_is_an_odd_value(attempt: int, where: str) -> None:
    """The SDK: "the maximum attempt_number is the same as the max_retries value for the job"; a 2**64
    attempt once passed and crashed every table path."""
    rec = record("TERMINATED", "SUCCESS")
    rec["tasks"] = [{"run_id": 8, "task_key": "t", "state": rec["state"]}]
    target = rec if where == "run" else rec["tasks"][0]
    target["attempt_number"] = attempt
    field = "$.attempt_number" if where == "run" else "$.tasks[0].attempt_number"
    with pytest.raises(InvalidRecordError, match=r"attempt number out of range") as error:
        norm(rec, strict=True)
    assert error.value.field == field
    with pytest.warns(InvalidRecordWarning, match=r"attempt number out of range"):
        run = norm(rec)
    assert (run.attempt, run.tasks[0].attempt) == (0, 0)
    from runstate import arrow  # the table path that overflowed

    assert arrow.to_table([run]).column("attempt").to_pylist() == [0, 0]  # the run and its task
    rec["attempt_number"] = target["attempt_number"] = 2**31 - 1  # the largest accepted
    assert norm(rec, strict=True).attempt == 2**31 - 1


@pytest.mark.parametrize("multitask", [False, True])
def test_a_total_from_times_over_100_years_is_refused_like_a_reported_one(multitask: bool) -> None:
    """end_time 253402300799000 (9999-12-31, an "open-ended" sentinel) gave a millennia-long total:
    a reported duration that long is out of range, and so is this one."""
    rec = record("TERMINATED", "SUCCESS", start_time=1782864000000, end_time=253_402_300_799_000)
    if multitask:  # an older multitask record: no run_duration, the wall time is the total
        rec["tasks"] = [{"run_id": n, "task_key": f"t{n}", "state": rec["state"]} for n in (8, 9)]
    with pytest.raises(InvalidRecordError, match=r"over 100 years") as error:
        norm(rec, strict=True)
    assert error.value.field == "$.end_time"
    with pytest.warns(InvalidRecordWarning, match=r"\$\.end_time: duration out of range \(over 100 years\)"):
        run = norm(rec)
    assert run.ended_at == datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)  # the time is kept as given
    assert (run.durations.total, run.durations.why_missing("total")) == (None, Missing.NOT_REPORTED)
    rec["end_time"] = 1782864000000 + 600_000  # an ordinary end: the wall time is the total
    assert norm(rec, strict=True).durations.total == timedelta(minutes=10)


# --- the fixtures: realistic records ------------------------------------------------------------


def ms(value: int) -> datetime:
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=value)


def test_single_task_success() -> None:
    data = load("single_task_success")
    run = norm(data, strict=True)
    assert (run.run_id, run.job_id, run.name) == ("969479553499872", "298120471834650", "nightly_ingest")
    assert (run.state, run.reason, run.message, run.attempt, run.original_run_id) == (
        S.SUCCEEDED, None, None, 0, None,
    )  # fmt: skip
    assert run.started_at == run.created_at == ms(1773453603412)
    assert run.ended_at == ms(1773454302951)
    d = run.durations
    assert (d.queue, d.setup, d.execution, d.cleanup) == (
        timedelta(0), timedelta(seconds=338), timedelta(seconds=357), timedelta(seconds=4),
    )  # fmt: skip
    assert d.total == timedelta(seconds=699) == d.sum_of_parts()
    (task,) = run.tasks
    assert (task.run_id, task.name, task.parent_run_id, task.job_id) == (
        "969479553499873", "ingest", run.run_id, run.job_id,
    )  # fmt: skip


def test_multitask_with_repair_history() -> None:
    run = norm(load("multitask_with_repair_history"), strict=True)
    assert (run.state, run.reason) == (S.SUCCEEDED, None)
    d = run.durations
    assert d.total == timedelta(milliseconds=2016285)
    assert (d.setup, d.execution, d.cleanup) == (None, None, None)
    assert {p: d.why_missing(p) for p in ("setup", "execution", "cleanup")} == dict.fromkeys(
        ("setup", "execution", "cleanup"), Missing.NOT_APPLICABLE
    )
    # a repaired run's run_duration is below end - start: not an inconsistency (no warning raised)
    assert run.ended_at is not None and run.started_at is not None
    assert run.ended_at - run.started_at > d.total
    assert [h["type"] for h in run.details["repair_history"]] == ["ORIGINAL", "REPAIR"]
    assert [t.name for t in run.tasks] == ["ingest", "transform", "report"]
    assert all(t.parent_run_id == run.run_id and t.state is S.SUCCEEDED for t in run.tasks)


def test_running() -> None:
    run = norm(load("running"), strict=True)
    assert (run.state, run.ended_at, run.message) == (S.RUNNING, None, "In run")
    d = run.durations
    assert d.queue == timedelta(0)
    for part in ("setup", "execution", "cleanup", "total"):
        assert d.why_missing(part) is Missing.NOT_ENDED
    assert run.started_at is not None
    now = run.started_at + timedelta(minutes=5)
    assert run.elapsed(now) == timedelta(minutes=5)


def test_queued_with_queue_details() -> None:
    run = norm(load("queued_with_queue_details"), strict=True)
    assert (run.state, run.reason) == (S.QUEUED, R.WORKSPACE_LIMIT)
    assert run.message == "Queued due to reaching the workspace limit of active task runs."
    assert run.provider_state["queue_details.code"] == "ACTIVE_RUNS_LIMIT_REACHED"
    assert run.durations.why_missing("queue") is Missing.NOT_ENDED
    assert run.durations.why_missing("total") is Missing.NOT_ENDED


def test_failed_with_termination_details() -> None:
    run = norm(load("failed_with_termination_details"), strict=True)
    assert (run.state, run.reason) == (S.FAILED, R.USER_ERROR)
    assert run.message == "1/2 tasks failed. 1 task was skipped."
    extract, load_ = run.tasks
    assert (extract.state, extract.reason) == (S.FAILED, R.USER_ERROR)
    assert extract.durations.total == timedelta(seconds=571)
    assert (load_.state, load_.reason) == (S.SKIPPED, R.UPSTREAM_FAILED)
    assert load_.provider_state["termination_details.code"] == "SKIPPED"
    assert load_.durations.total == timedelta(0)  # ended, never ran: zero, not missing
    assert load_.durations.why_missing("queue") is Missing.NOT_REPORTED


def test_failed_cloud_failure_and_legacy_internal_error() -> None:
    cloud = norm(load("failed_cloud_failure"), strict=True)
    assert (cloud.state, cloud.reason) == (S.FAILED, R.PLATFORM_ERROR)
    assert cloud.provider_state["life_cycle_state"] == "INTERNAL_ERROR"
    legacy = norm(load("legacy_internal_error"), strict=True)
    assert (legacy.state, legacy.reason) == (S.FAILED, R.PLATFORM_ERROR)
    assert "status.state" not in legacy.provider_state
    assert legacy.message == "Could not reach driver of cluster 0112-224001-rod123ab."
    assert legacy.durations.why_missing("queue") is Missing.NOT_REPORTED
    assert legacy.durations.total == timedelta(seconds=4332)


def test_timed_out_and_user_canceled() -> None:
    timed_out = norm(load("timed_out"), strict=True)
    assert (timed_out.state, timed_out.reason) == (S.TIMED_OUT, None)
    assert timed_out.provider_state["termination_details.code"] == "CANCELED"
    assert timed_out.tasks[0].state is S.TIMED_OUT
    canceled = norm(load("user_canceled"), strict=True)
    assert (canceled.state, canceled.reason) == (S.CANCELED, R.CANCELED_BY_USER)


def test_retried_task_run() -> None:
    run = norm(load("retried_task_run"), strict=True)
    assert run.attempt == 1
    assert run.original_run_id == run.previous_run_id == "455644900120035"
    assert run.parent_run_id == "455644900120034"
    assert run.name == "transform"
    assert run.tasks == ()  # tasks[] only repeats this run itself
    assert run.details["max_retries"] == 2


def test_waiting_for_retry_and_blocked_tasks() -> None:
    run = norm(load("multitask_waiting_for_retry"), strict=True)
    transform, report = run.tasks
    assert transform.state is S.WAITING_FOR_RETRY
    assert transform.durations.total == timedelta(seconds=519)  # the attempt ended
    assert report.state is S.BLOCKED
    assert report.started_at is None and report.created_at is None
    assert report.durations.why_missing("execution") is Missing.NOT_ENDED


def test_success_with_failures() -> None:
    run = norm(load("success_with_failures"), strict=True)
    assert (run.state, run.reason) == (S.SUCCEEDED, R.PARTIAL_SUCCESS)
    outcomes = {t.name: (t.state, t.reason) for t in run.tasks}
    assert outcomes == {
        "ingest": (S.SUCCEEDED, None),
        "enrich": (S.FAILED, R.USER_ERROR),
        "is_weekend": (S.SUCCEEDED, None),
        "weekend_backfill": (S.SKIPPED, R.EXCLUDED),
        "publish": (S.SUCCEEDED, None),
    }


def test_for_each_task() -> None:
    run = norm(load("for_each_task"), strict=True)
    (task,) = run.tasks
    assert task.name == "process_regions" and task.state is S.FAILED
    assert task.durations.why_missing("setup") is Missing.NOT_APPLICABLE
    assert task.details["for_each_task"]["stats"]["task_run_stats"]["failed_iterations"] == 1


def test_for_each_task_iterations() -> None:
    run = norm(load("for_each_task_iterations"), strict=True)
    assert run.run_id == "210554781190033" and run.parent_run_id == "210554781190032"
    assert run.name == "process_regions"
    assert len(run.tasks) == 4
    assert all(t.parent_run_id == run.run_id for t in run.tasks)
    assert [t.state for t in run.tasks].count(S.FAILED) == 1
    assert "for_each_task" in run.details


def test_run_job_task() -> None:
    parent = norm(load("run_job_task_parent"), strict=True)
    run_child = parent.tasks[1]
    assert run_child.details["run_job_task"]["job_id"] == 227401198830561
    child = norm(load("run_job_task_child"), strict=True)
    assert child.parent_run_id == run_child.run_id == "990013372650003"
    assert child.details["trigger"] == "RUN_JOB_TASK"


def test_runs_list_page() -> None:
    page = load("runs_list_page")
    runs = list(runstate.normalize_many("databricks", [page, page], strict=True))
    assert [r.run_id for r in runs] == [str(r["run_id"]) for r in page["runs"]] * 2
    assert [r.state for r in runs[:4]] == [S.RUNNING, S.QUEUED, S.CANCELED, S.SUCCEEDED]
    empty = {"has_more": False}
    assert list(runstate.normalize_many("databricks", [empty])) == []


def test_a_list_page_given_to_normalize_says_use_normalize_many() -> None:
    for page in (load("runs_list_page"), {"has_more": False}):
        for strict in (False, True):
            with pytest.raises(InvalidRecordError, match="a runs/list page, not a run: use normalize_many"):
                norm(page, strict=strict)


@pytest.mark.parametrize("name", ["single_task_success", "success_with_failures"])
def test_a_get_output_response_is_its_run(name: str) -> None:
    """``jobs/runs/get-output`` (``w.jobs.get_run_output()``): RunOutput.metadata is "All details of
    the run except for its output"; the run is read from it, ``raw`` keeps the whole response."""
    data = load(name)
    response = {"metadata": data, "notebook_output": {"result": "done", "truncated": False}}
    run = norm(response, strict=True)
    assert attrs.evolve(run, raw=data) == norm(data, strict=True)
    assert run.raw is response
    sdk = jobs.RunOutput.from_dict(response)
    assert norm(sdk, strict=True, keep_raw=False) == norm(data, strict=True, keep_raw=False)
    assert norm(sdk).raw == sdk.as_dict()
    assert _databricks.detect(response) and _databricks.detect(sdk)


def test_odd_fields_of_a_get_output_response_are_named_under_metadata() -> None:
    data = {**load("single_task_success"), "start_time": "yesterday"}
    with pytest.raises(InvalidRecordError) as error:
        norm({"metadata": data}, strict=True)
    assert error.value.field == "$.metadata.start_time"


def test_a_system_table_row_says_use_databricks_system() -> None:
    row = {
        "workspace_id": "6051921418418893", "job_id": "1", "run_id": "2",
        "period_start_time": "2026-03-01T10:00:00Z", "period_end_time": "2026-03-01T11:00:00Z",
        "result_state": "SUCCEEDED", "termination_code": "SUCCESS",
    }  # fmt: skip
    for strict in (False, True):
        with pytest.raises(InvalidRecordError, match="use provider 'databricks_system'"):
            norm(row, strict=strict)
    assert runstate.normalize("databricks_system", row, strict=True).state is S.SUCCEEDED


def test_sdk_list_page_object() -> None:
    page = jobs.ListRunsResponse.from_dict(load("runs_list_page"))
    runs = list(runstate.normalize_many("databricks", [page], strict=True, keep_raw=False))
    assert len(runs) == 4


@pytest.mark.parametrize("name", CASES)
def test_sdk_objects_give_the_same_runs(name: str) -> None:
    data = load(name)
    sdk_run = jobs.Run.from_dict(data)
    a = norm(data, strict=True, keep_raw=False)
    b = norm(sdk_run, strict=True, keep_raw=False)
    assert a == b
    assert norm(sdk_run).raw == sdk_run.as_dict()


def test_sdk_run_task() -> None:
    task = load("success_with_failures")["tasks"][1]
    a = norm(jobs.RunTask.from_dict(task), strict=True, keep_raw=False)
    assert (a.state, a.reason, a.run_id) == (S.FAILED, R.USER_ERROR, "662019934412082")


@pytest.mark.parametrize("name", [*CASES, "runs_list_page"])
def test_fixture_round_trips(name: str) -> None:
    data = load(name)
    for run in runstate.normalize_many("databricks", [data], strict=True):
        assert runstate.from_dict(runstate.to_dict(run)) == run
        assert runstate.from_dict(json.loads(json.dumps(runstate.to_dict(run)))) == run


def test_raw_is_the_record_unchanged() -> None:
    data = load("multitask_with_repair_history")
    before = copy.deepcopy(data)
    run = norm(data)
    assert run.raw is data and data == before
    assert norm(data, keep_raw=False).raw is None


def test_bundled_example_normalizes_cleanly() -> None:
    path = Path(runstate.__file__).parent / "examples" / "databricks.jsonl"
    lines = path.read_text().splitlines()
    assert len(lines) >= 10
    runs = [norm(json.loads(line), strict=True) for line in lines]
    assert {r.state for r in runs} >= {S.SUCCEEDED, S.FAILED, S.RUNNING, S.QUEUED, S.TIMED_OUT}


# --- durations: inconsistencies are reported, not hidden ----------------------------------------


def ended_single(**fields: Any) -> dict[str, Any]:
    base = {
        "start_time": 1_773_453_600_000,
        "end_time": 1_773_453_700_000,  # 100 s
        "setup_duration": 10_000,
        "execution_duration": 80_000,
        "cleanup_duration": 5_000,
        "queue_duration": 0,
    }
    return record("TERMINATED", "SUCCESS", **{**base, **fields})


def test_consistent_durations_do_not_warn() -> None:
    assert norm(ended_single(), strict=True).durations.total == timedelta(seconds=95)


@pytest.mark.parametrize(
    "fields",
    [
        {"execution_duration": 200_000},  # parts exceed end - start
        {"end_time": 1_773_453_500_000},  # ends before it starts
        {"setup_duration": -1},
        {"run_duration": 40_000, "setup_duration": 0, "execution_duration": 0, "cleanup_duration": 0},
        {"run_duration": 400_000, "setup_duration": 0, "execution_duration": 0, "cleanup_duration": 0},
    ],
)
def test_inconsistent_durations(fields: dict[str, Any]) -> None:
    with pytest.raises(InvalidRecordError):
        norm(ended_single(**fields), strict=True)
    with pytest.warns(InconsistentDurationWarning):
        norm(ended_single(**fields))


def test_queue_time_explains_the_gap() -> None:
    fields = {"run_duration": 40_000, "queue_duration": 60_000}
    run = norm(
        ended_single(setup_duration=0, execution_duration=0, cleanup_duration=0, **fields), strict=True
    )
    assert run.durations.total == timedelta(seconds=40)
    assert run.durations.queue == timedelta(seconds=60)


def test_huge_duration_is_reported_not_an_overflow() -> None:
    with pytest.raises(InvalidRecordError, match="out of range"):
        norm(ended_single(execution_duration=10**20), strict=True)


# --- hypothesis: any combination of words normalizes without an undocumented exception ----------


def words(table: str) -> st.SearchStrategy[object]:
    return (
        st.sampled_from(values(table))
        | st.none()
        | st.just("")
        | st.text(max_size=12)
        | st.integers()
        | st.lists(st.integers(), max_size=2)
        | st.booleans()
    )


@settings(max_examples=300, deadline=None)
@given(
    lcs=words("RunLifeCycleState"),
    res=words("RunResultState"),
    v2=words("RunLifecycleStateV2State"),
    code=words("TerminationCodeCode"),
    type_=words("TerminationTypeType"),
    queue=words("QueueDetailsCodeCode"),
    by_user=st.none() | st.booleans() | st.integers(),
)
def test_any_words_normalize(
    lcs: object, res: object, v2: object, code: object, type_: object, queue: object, by_user: object
) -> None:
    rec: dict[str, Any] = {
        "run_id": 1,
        "state": {"life_cycle_state": lcs, "result_state": res, "user_cancelled_or_timedout": by_user},
        "status": {
            "state": v2,
            "termination_details": {"code": code, "type": type_},
            "queue_details": {"code": queue},
        },
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        run = norm(rec)
    assert isinstance(run, runstate.Run)
    assert all(type(v) is str for v in run.provider_state.values())
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", StateConflictWarning)
            strict_run = norm(rec, strict=True)
    except RunstateError:
        return
    assert strict_run == run


def test_tables_are_prebuilt() -> None:
    assert _databricks_tables.CODE_AND_TYPE["DRIVER_ERROR", "CLIENT_ERROR"].reason is R.USER_ERROR
    assert set(_databricks_tables.TABLES) == set(SDK_ENUMS)


# --- regressions ----------------------------------------------------------------------------------


class _Lcs(enum.StrEnum):
    RUNNING = "RUNNING"


class _Code(str, enum.Enum):  # noqa: UP042 - a mixin: str() is "_Code.USER_CANCELED", the text is the word
    USER_CANCELED = "USER_CANCELED"


class _Shouting(str):
    __slots__ = ()

    def __str__(self) -> str:
        return "not the word"

    def __hash__(self) -> int:
        return 0


@pytest.mark.parametrize("memo_first", [False, True])
def test_str_subclass_words_do_not_depend_on_the_memo(
    memo_first: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_databricks_states, "_MEMO", {})
    rec = record(_Lcs.RUNNING, start_time=1_717_059_600_000)
    canceled = record(
        _Shouting("TERMINATED"), "CANCELED", "TERMINATED", _Code.USER_CANCELED, _Shouting("SUCCESS")
    )
    if memo_first:
        norm(record("RUNNING"), strict=True)
        norm(record("TERMINATED", "CANCELED", "TERMINATED", "USER_CANCELED", "SUCCESS"), strict=True)
    run = norm(rec, strict=True)
    assert run.state is S.RUNNING
    assert [type(v) for v in run.provider_state.values()] == [str]
    run = norm(canceled, strict=True)
    assert (run.state, run.reason) == (S.CANCELED, R.CANCELED_BY_USER)
    assert dict(run.provider_state) == {
        "life_cycle_state": "TERMINATED", "result_state": "CANCELED", "status.state": "TERMINATED",
        "termination_details.code": "USER_CANCELED", "termination_details.type": "SUCCESS",
    }  # fmt: skip
    assert all(type(v) is str for v in run.provider_state.values())


def test_single_task_total_is_the_sum_of_parts_not_run_duration() -> None:
    # run_duration is the wall time (100 s); the parts add up to 95 s: total = setup + execution + cleanup
    run = norm(ended_single(run_duration=100_000), strict=True)
    assert run.durations.total == timedelta(seconds=95) == run.durations.sum_of_parts()
    # the same on the slow path (a format word)
    run = norm(ended_single(run_duration=100_000, format="SINGLE_TASK"), strict=True)
    assert run.durations.total == timedelta(seconds=95) == run.durations.sum_of_parts()
    # run_duration is the fallback when a part is missing
    run = norm(ended_single(run_duration=100_000, cleanup_duration=None), strict=True)
    assert run.durations.total == timedelta(seconds=100)
    assert run.durations.why_missing("cleanup") is Missing.NOT_REPORTED
    # and a check: parts above it are reported
    for extra in ({}, {"format": "SINGLE_TASK"}):
        with pytest.warns(InconsistentDurationWarning, match="parts exceed the total"):
            run = norm(ended_single(run_duration=60_000, **extra))
        assert run.durations.total == timedelta(seconds=95)


def _task(run_id: int, key: str, **fields: Any) -> dict[str, Any]:
    return record("TERMINATED", "SUCCESS", run_id=run_id, task_key=key, **fields)


def test_multitask_without_run_duration_is_not_zero_by_accident() -> None:
    zeros = {"setup_duration": 0, "execution_duration": 0, "cleanup_duration": 0}
    tasks = [
        _task(101, "a", setup_duration=60_000, execution_duration=540_000, cleanup_duration=0),
        _task(102, "b", setup_duration=0, execution_duration=600_000, cleanup_duration=0),
    ]
    ended = record("TERMINATED", "SUCCESS", start_time=1_717_059_600_000, end_time=1_717_060_800_000, **zeros)
    for children in (tasks, tasks[:1], [_task(11, "self"), *tasks]):
        run = norm({**ended, "tasks": children}, strict=True)
        d = run.durations
        assert d.total == timedelta(minutes=20) == run.elapsed()
        assert (d.setup, d.execution, d.cleanup) == (None, None, None)
        for part in ("setup", "execution", "cleanup"):
            assert d.why_missing(part) is Missing.NOT_APPLICABLE
    # parts absent altogether: the same
    bare = {k: v for k, v in ended.items() if k not in zeros}
    assert norm({**bare, "tasks": tasks}, strict=True).durations.total == timedelta(minutes=20)
    # without child tasks (only itself) the zeros are a single-task run's own, and reported as such
    for children in ([], [_task(11, "self")]):
        with pytest.warns(InconsistentDurationWarning, match="well below"):
            d = norm({**ended, "tasks": children}).durations
        assert d.total == timedelta(0) and d.why_missing("setup") is None
    running = record("RUNNING", start_time=1_717_059_600_000, end_time=0, **zeros)
    d = norm({**running, "tasks": [record("RUNNING", run_id=101), record("BLOCKED", run_id=102)]}).durations
    assert [d.why_missing(p) for p in ("setup", "execution", "cleanup", "total")] == [
        Missing.NOT_APPLICABLE, Missing.NOT_APPLICABLE, Missing.NOT_APPLICABLE, Missing.NOT_ENDED,
    ]  # fmt: skip
    # one task while running is ambiguous (a single-task run lists its task too): read as not ended
    d = norm({**running, "tasks": [record("RUNNING", run_id=101)]}, strict=True).durations
    assert d.why_missing("setup") is Missing.NOT_ENDED


def test_top_level_run_task_is_named_by_its_task_key() -> None:
    task = load("failed_with_termination_details")["tasks"][0]
    assert norm(jobs.RunTask.from_dict(task)).name == "extract"
    assert norm(task).name == "extract"
    assert norm({**task, "run_name": "given"}).name == "given"
    with pytest.warns(InvalidRecordWarning, match=r"\.task_key"):
        assert norm({**task, "task_key": 5}).name is None


def test_user_cancel_with_legacy_timeout_is_a_conflict() -> None:
    rec = record("TERMINATED", "TIMEDOUT", "TERMINATED", "USER_CANCELED", "SUCCESS")
    with pytest.warns(StateConflictWarning, match="status says CANCELED, state says TIMED_OUT"):
        run = norm(rec)
    assert (run.state, run.reason) == (S.CANCELED, R.CANCELED_BY_USER)
    # a platform cancel is still refined into a timeout, silently
    run = norm(record("TERMINATED", "TIMEDOUT", "TERMINATED", "CANCELED", "SUCCESS"), strict=True)
    assert run.state is S.TIMED_OUT


_DONE = {"state": {"life_cycle_state": "TERMINATED", "result_state": "SUCCESS"}}


@pytest.mark.parametrize("odd", [True, 1.0])
@pytest.mark.parametrize("field", ["original_attempt_run_id", "job_run_id"])
def test_an_id_equal_to_the_run_id_only_in_python_is_reported(field: str, odd: object) -> None:
    """``true`` and ``1.0`` equal ``1`` in Python but are no run id: read as "the run itself" they
    would silently make a retry a first attempt (or drop a parent); they are odd values instead."""
    record = {**_DONE, "run_id": 1, field: odd}
    with pytest.raises(InvalidRecordError) as info:
        runstate.normalize("databricks", record, strict=True)
    assert (info.value.field, info.value.value) == (f"$.{field}", odd)
    with pytest.warns(runstate.InvalidRecordWarning, match=f"{field}: expected an id"):
        run = runstate.normalize("databricks", record)
    assert (run.original_run_id, run.parent_run_id) == (None, None)


def test_a_task_whose_run_id_only_equals_the_parent_in_python_is_no_self_entry() -> None:
    """runs/get on a task run lists the run itself among its tasks (same ``run_id``); a task whose
    ``run_id`` is ``true`` is not that entry but a task without a usable id: the documented error."""
    task = {"run_id": True, "task_key": "a", "state": {"life_cycle_state": "RUNNING"}}
    record = {**_DONE, "run_id": 1, "tasks": [task]}
    with pytest.raises(InvalidRecordError, match=r"\$\.tasks\[0\]\.run_id: expected an id"):
        runstate.normalize("databricks", record, strict=True)
    unusable = pytest.raises(InvalidRecordError, match=r"\$\.tasks\[0\]\.run_id: missing or unusable run id")
    with pytest.warns(InvalidRecordWarning, match="expected an id"), unusable:
        runstate.normalize("databricks", record, strict=False)
    same = {"run_id": 1, "task_key": "a", "state": {"life_cycle_state": "RUNNING"}}
    assert runstate.normalize("databricks", {**_DONE, "run_id": 1, "tasks": [same]}).tasks == ()


_SECRET = "dapi-not-a-real-token"


def _with_parameters() -> dict[str, Any]:
    """A job run with a Run Job task and a for-each task, parameters wherever the SDK's shapes have
    them (RunJobTask, RunParameters, ForEachTask.task's NotebookTask, SparkPythonTask, ...)."""
    run_job_task = {
        "job_id": 77,
        **{
            field: {"password": _SECRET}
            for field in ("job_parameters", "notebook_params", "python_named_params", "sql_params")
        },
        **{field: ["--token", _SECRET] for field in ("python_params", "jar_params", "spark_submit_params")},
        "pipeline_params": {"full_refresh": True, "token": _SECRET},
        "dbt_commands": [f"dbt run --vars '{{token: {_SECRET}}}'"],
    }
    for_each_task = {
        "concurrency": 2,
        "inputs": f'["{_SECRET}"]',
        "task": {
            "task_key": "load_one",
            "notebook_task": {"notebook_path": "/Jobs/load", "base_parameters": {"key": _SECRET}},
            "spark_python_task": {"python_file": "main.py", "parameters": [_SECRET]},
            "python_wheel_task": {"entry_point": "run", "named_parameters": {"key": _SECRET}},
            "dbt_task": {"commands": [f"dbt run --vars {_SECRET}"]},
        },
    }
    task = record("TERMINATED", "SUCCESS", task_key="load_all", for_each_task=for_each_task)
    task.update(run_id=12, notebook_task={"notebook_path": "/x", "base_parameters": {"key": _SECRET}})
    return record(
        "TERMINATED",
        "SUCCESS",
        job_parameters=[{"name": "token", "default": "", "value": _SECRET}],
        overriding_parameters={"notebook_params": {"key": _SECRET}},
        run_job_task=run_job_task,
        tasks=[task],
    )


_EACH_WITHOUT_PARAMETERS = {
    "concurrency": 2,
    "task": {
        "task_key": "load_one",
        "notebook_task": {"notebook_path": "/Jobs/load"},
        "spark_python_task": {"python_file": "main.py"},
        "python_wheel_task": {"entry_point": "run"},
        "dbt_task": {},
    },
}


@pytest.mark.parametrize("keep_raw", [True, False])
def test_parameters_stay_out_of_details(keep_raw: bool) -> None:
    """Parameters often hold credentials: ``details`` (shown by ``--no-raw`` output and ``to_row``)
    leaves them out at any depth; ``raw`` keeps the record whole."""
    rec = _with_parameters()
    run = norm(rec, strict=True, keep_raw=keep_raw)
    no_raw = attrs.evolve(run, raw=None, tasks=[attrs.evolve(t, raw=None) for t in run.tasks])
    assert _SECRET not in json.dumps(runstate.to_dict(no_raw))
    assert _SECRET not in json.dumps(runstate.to_row(run), default=str)
    assert run.details["run_job_task"] == {"job_id": 77}  # the facts without parameters stay
    assert run.tasks[0].details["for_each_task"] == _EACH_WITHOUT_PARAMETERS
    if keep_raw:
        assert run.raw == rec


def test_a_task_run_fetched_by_id_keeps_its_parameters_out_of_details_too() -> None:
    entry = _with_parameters()["tasks"][0]
    fetched = {**entry, "job_run_id": 99, "tasks": [entry]}
    run = norm(fetched, strict=True, keep_raw=False)
    assert _SECRET not in json.dumps(runstate.to_dict(run))
    assert run.details["for_each_task"] == _EACH_WITHOUT_PARAMETERS


def test_a_for_each_tasks_cluster_spec_stays_out_of_details() -> None:
    """A for-each task's ``task`` is a whole ``Task``: its ``new_cluster`` (``ClusterSpec``) can hold
    a password (``docker_image.basic_auth``: compute ``DockerBasicAuth.password``, "Password of the
    user"), ``spark_env_vars`` and ``spark_conf``, and ``libraries`` a package index URL with a token;
    cluster plumbing stays in ``raw``, as the run's own does."""
    inner = {
        "task_key": "load_one",
        "notebook_task": {"notebook_path": "/Jobs/load"},
        "new_cluster": {
            "spark_version": "15.4.x-scala2.12",
            "spark_env_vars": {"DB_PASSWORD": _SECRET},
            "spark_conf": {"fs.azure.account.key.acct.dfs.core.windows.net": _SECRET},
            "docker_image": {"url": "repo/img", "basic_auth": {"username": "ci", "password": _SECRET}},
        },
        "libraries": [{"pypi": {"package": "etl", "repo": f"https://ci:{_SECRET}@pypi.example.com/simple"}}],
    }
    each = {"concurrency": 2, "task": inner}
    task = record("TERMINATED", "SUCCESS", task_key="load_all", for_each_task=each)
    rec = record("TERMINATED", "SUCCESS", for_each_task={"task": inner}, tasks=[{**task, "run_id": 12}])
    run = norm(rec, strict=True, keep_raw=False)
    assert _SECRET not in json.dumps(runstate.to_dict(run))
    assert _SECRET not in json.dumps(runstate.to_row(run), default=str)
    wanted = {"task_key": "load_one", "notebook_task": {"notebook_path": "/Jobs/load"}}
    assert run.details["for_each_task"] == {"task": wanted}
    assert run.tasks[0].details["for_each_task"] == {"concurrency": 2, "task": wanted}
    assert _SECRET in json.dumps(runstate.to_dict(norm(rec, strict=True)))  # raw keeps it


@given(
    value=st.recursive(
        st.none() | st.integers() | st.text(max_size=5),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
        max_leaves=20,
    ),
    key=st.sampled_from(sorted(_databricks_details.PARAMETER_FIELDS)),
)
def test_no_parameter_field_survives_at_any_depth(value: Any, key: str) -> None:
    nested = {"a": [{"b": {key: _SECRET}}, value], key: _SECRET, "c": value}
    stripped = _databricks_details.without_parameters(nested)
    assert _SECRET not in json.dumps(stripped)
    assert _databricks_details.without_parameters(stripped) is stripped  # nothing left: nothing copied
