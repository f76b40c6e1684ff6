"""docs/recipes.md, executed: each recipe's code, as the page shows it, against fakes of the
orchestrator's interface (Airflow, Dagster, Prefect: none installed) and of the provider's client."""

from __future__ import annotations

import asyncio
import re
import sys
import types
from collections.abc import Iterator
from typing import Any

import pytest

import runstate

from ..paths import ROOT

PAGE = ROOT / "docs" / "recipes.md"
CODE = re.findall(r"```python\n(.*?)```", PAGE.read_text(encoding="utf-8"), re.DOTALL)
BLOCKS = [block for block in CODE if ">>>" not in block]  # the doctests run as the page's own


# --- fakes of the orchestrators -----------------------------------------------------------------


class AirflowException(Exception):  # noqa: N818 - Airflow's name
    """airflow.exceptions.AirflowException: the task fails, Airflow's retries apply."""


class AirflowFailException(AirflowException):
    """airflow.exceptions.AirflowFailException: the task fails without retries."""


class BaseTrigger:
    """airflow.triggers.base.BaseTrigger: ``run`` is an async generator of TriggerEvents."""

    def __init__(self) -> None:
        self.log = types.SimpleNamespace(info=print)


class TriggerEvent:
    def __init__(self, payload: Any) -> None:
        self.payload = payload


class RunRequest:
    def __init__(self, run_key: str, tags: dict[str, str]) -> None:
        self.run_key, self.tags = run_key, tags


class SkipReason:
    def __init__(self, skip_message: str) -> None:
        self.skip_message = skip_message


def sensor(**options: Any) -> Any:
    def wrap(fn: Any) -> Any:
        fn.options = options
        return fn

    return wrap


def task(**options: Any) -> Any:
    def wrap(fn: Any) -> Any:
        fn.options = options
        return fn

    return wrap


def _module(name: str, **names: Any) -> types.ModuleType:
    module = types.ModuleType(name)
    module.__dict__.update(names)
    return module


@pytest.fixture
def orchestrators(monkeypatch: pytest.MonkeyPatch) -> None:
    fakes = {
        "airflow": _module("airflow"),
        "airflow.exceptions": _module(
            "airflow.exceptions", AirflowException=AirflowException, AirflowFailException=AirflowFailException
        ),
        "airflow.triggers": _module("airflow.triggers"),
        "airflow.triggers.base": _module(
            "airflow.triggers.base", BaseTrigger=BaseTrigger, TriggerEvent=TriggerEvent
        ),
        "dagster": _module("dagster", RunRequest=RunRequest, SkipReason=SkipReason, sensor=sensor),
        "prefect": _module("prefect", task=task),
        "boto3": _module("boto3", client=None),  # the recipe's glue_client() is the test's fake
    }
    for name, module in fakes.items():
        monkeypatch.setitem(sys.modules, name, module)


def _recipe(index: int, **clients: Any) -> dict[str, Any]:
    namespace: dict[str, Any] = {"__name__": "recipes"}
    exec(compile(BLOCKS[index], f"{PAGE}#block{index}", "exec"), namespace)
    namespace.update(clients)
    return namespace


def test_the_page_has_the_four_recipes() -> None:
    assert len(BLOCKS) == 4


# --- fakes of the providers' clients ------------------------------------------------------------


class SdkRun:
    """What databricks-sdk's ``jobs.get_run`` returns: an object read through ``as_dict``."""

    def __init__(self, record: dict[str, Any]) -> None:
        self.record = record

    def as_dict(self) -> dict[str, Any]:
        return self.record


class Databricks:
    def __init__(self, *states: dict[str, Any]) -> None:
        self.answers: Iterator[dict[str, Any]] = iter(states)
        self.jobs = self

    def get_run(self, run_id: int) -> SdkRun:
        record = {"run_id": run_id, "job_id": 9, "start_time": 1772358000000, "state": next(self.answers)}
        return SdkRun(record)

    def __call__(self) -> Databricks:
        return self


def _trigger_events(client: Databricks) -> list[dict[str, Any]]:
    recipe = _recipe(0, databricks_client=client)
    trigger = recipe["DatabricksRunTrigger"](run_id=42, poll_seconds=0)
    assert trigger.serialize() == (
        "recipes.DatabricksRunTrigger", {"run_id": 42, "poll_seconds": 0, "timeout_seconds": 6 * 3600},
    )  # fmt: skip

    async def events() -> list[dict[str, Any]]:
        return [event.payload async for event in trigger.run()]

    return asyncio.run(events())


def _complete(event: dict[str, Any]) -> Any:
    return _recipe(0)["execute_complete"]({}, event)


@pytest.mark.usefixtures("orchestrators")
def test_airflow_trigger_waits_through_blocked_and_retry_waits_to_a_success() -> None:
    client = Databricks(
        {"life_cycle_state": "BLOCKED"}, {"life_cycle_state": "WAITING_FOR_RETRY"},
        {"life_cycle_state": "RUNNING"}, {"life_cycle_state": "TERMINATED", "result_state": "SUCCESS"},
    )  # fmt: skip
    (event,) = _trigger_events(client)
    assert event["succeeded"] and event["state"] == "SUCCEEDED"
    assert _complete(event) == 42


@pytest.mark.usefixtures("orchestrators")
def test_airflow_trigger_lets_airflow_retry_a_platform_failure_only() -> None:
    client = Databricks({"life_cycle_state": "RUNNING"}, {"life_cycle_state": "INTERNAL_ERROR"})
    (event,) = _trigger_events(client)
    assert (event["succeeded"], event["retryable"]) == (False, True)
    with pytest.raises(AirflowException) as raised:
        _complete(event)
    assert type(raised.value) is AirflowException


@pytest.mark.parametrize(
    "end",
    [{"life_cycle_state": "TERMINATED", "result_state": "CANCELED"},
     {"life_cycle_state": "TERMINATED", "result_state": "FAILED"}],
)  # fmt: skip
@pytest.mark.usefixtures("orchestrators")
def test_airflow_trigger_fails_a_cancel_or_a_failure_for_good(end: dict[str, Any]) -> None:
    (event,) = _trigger_events(Databricks({"life_cycle_state": "RUNNING"}, end))
    assert not event["succeeded"] and not event["retryable"]
    with pytest.raises(AirflowFailException):
        _complete(event)


@pytest.mark.usefixtures("orchestrators")
def test_airflow_trigger_fails_closed_on_a_state_it_cannot_read() -> None:
    with pytest.warns(runstate.UnmappedStateWarning):
        (event,) = _trigger_events(Databricks(*[{"life_cycle_state": "HIBERNATING"}] * 5))
    assert (event["succeeded"], event["retryable"]) == (False, False)
    assert "HIBERNATING" in event["message"]


class Glue:
    def __init__(self, states: dict[str, str]) -> None:
        self.states = states
        self.started: list[str] = []

    def get_job_run(self, JobName: str, RunId: str) -> dict[str, Any]:  # noqa: N803 - boto3's names
        return {"JobRun": {"Id": RunId, "JobName": JobName, "JobRunState": self.states[RunId]}}

    def start_job_run(self, JobName: str) -> dict[str, str]:  # noqa: N803
        self.started.append(JobName)
        return {"JobRunId": "jr_2"}


class SensorContext:
    """dagster.SensorEvaluationContext: ``cursor`` is ``None`` until a cursor is set."""

    def __init__(self, cursor: str | None) -> None:
        self.cursor = cursor

    def update_cursor(self, cursor: str) -> None:
        self.cursor = cursor


@pytest.mark.parametrize(
    ("state", "outcome", "started"),
    [
        ("WAITING", SkipReason, False),  # QUEUED: not over
        ("RUNNING", SkipReason, False),
        ("STOPPING", SkipReason, False),
        ("SUCCEEDED", RunRequest, False),
        ("STOPPED", SkipReason, False),  # apache/airflow#71495: a stop is no success, and not retried
        ("ERROR", SkipReason, False),  # a trigger ran a deleted job: the user's error, not retried
        ("TIMEOUT", SkipReason, False),  # the job's own limit: not retried
        ("FAILED", SkipReason, True),  # nothing says whose fault: the sensor's policy, one more try
    ],
)
@pytest.mark.usefixtures("orchestrators")
def test_dagster_sensor_requests_downstream_only_on_success(state: str, outcome: type, started: bool) -> None:
    glue = Glue({"jr_1": state})
    recipe = _recipe(1, glue_client=lambda: glue)
    context = SensorContext("etl/jr_1/0")
    assert isinstance(recipe["glue_run_sensor"](context), outcome)
    assert (context.cursor, glue.started) == (("etl/jr_2/1", ["etl"]) if started else ("etl/jr_1/0", []))
    assert recipe["glue_run_sensor"].options == {"job_name": "load_warehouse", "minimum_interval_seconds": 60}


@pytest.mark.usefixtures("orchestrators")
def test_dagster_sensor_skips_before_any_run_is_started() -> None:
    glue = Glue({})
    result = _recipe(1, glue_client=lambda: glue)["glue_run_sensor"](SensorContext(None))
    assert isinstance(result, SkipReason) and glue.started == []


@pytest.mark.usefixtures("orchestrators")
def test_dagster_sensor_tries_a_failed_run_once_more_only() -> None:
    glue = Glue({"jr_1": "FAILED", "jr_2": "FAILED"})
    sensor = _recipe(1, glue_client=lambda: glue)["glue_run_sensor"]
    context = SensorContext("etl/jr_1/0")
    sensor(context)
    result = sensor(context)
    assert (context.cursor, glue.started) == ("etl/jr_2/1", ["etl"])
    assert isinstance(result, SkipReason) and "not retried" in result.skip_message


class CloudDeploy:
    NAME = "projects/p/locations/l/deliveryPipelines/web/releases/r1/rollouts/r1-to-prod/jobRuns/jr1"

    def __init__(self, *answers: dict[str, Any]) -> None:
        self.answers = iter(answers)

    def get_job_run(self, name: str) -> dict[str, Any]:
        return {"name": name, "uid": "u-1", "phaseId": "stable", "jobId": "deploy", **next(self.answers)}


class TaskState:
    """What Prefect hands a retry condition: the failed run's state, its exception as the result."""

    def __init__(self, error: BaseException) -> None:
        self.error = error

    def result(self, raise_on_failure: bool = True) -> BaseException:
        assert raise_on_failure is False
        return self.error


def _wait(*answers: dict[str, Any]) -> tuple[dict[str, Any], Any]:
    recipe = _recipe(2, deploy_client=lambda: CloudDeploy(*answers))
    try:
        return recipe, recipe["wait_for_job_run"](CloudDeploy.NAME, poll_seconds=0)
    except recipe["JobRunFailed"] as failed:
        return recipe, failed


@pytest.mark.usefixtures("orchestrators")
def test_prefect_task_returns_the_run_of_a_successful_job_run() -> None:
    recipe, result = _wait({"state": "IN_PROGRESS"}, {"state": "SUCCEEDED"})
    assert result == "u-1"
    assert recipe["wait_for_job_run"].options["retry_condition_fn"] is recipe["worth_a_retry"]


@pytest.mark.parametrize(
    ("cause", "retried"),
    [("CLOUD_BUILD_REQUEST_FAILED", True), ("EXECUTION_FAILED", False), ("DEADLINE_EXCEEDED", False)],
)
@pytest.mark.usefixtures("orchestrators")
def test_prefect_task_is_retried_only_for_a_platform_failure(cause: str, retried: bool) -> None:
    failure = {"state": "FAILED", "deployJobRun": {"failureCause": cause}}
    recipe, failed = _wait({"state": "IN_PROGRESS"}, failure)
    assert isinstance(failed, recipe["JobRunFailed"])
    assert recipe["worth_a_retry"](None, None, TaskState(failed)) is retried


@pytest.mark.usefixtures("orchestrators")
def test_prefect_task_does_not_retry_a_terminated_job_run() -> None:
    recipe, failed = _wait({"state": "TERMINATING"}, {"state": "TERMINATED"})
    assert "CANCELED" in str(failed)
    assert recipe["worth_a_retry"](None, None, TaskState(failed)) is False


class Hook:
    def __init__(self, state: dict[str, str]) -> None:
        self.state = state

    def get_run(self, run_id: int) -> dict[str, Any]:
        return {"run_id": run_id, "state": self.state}


@pytest.mark.parametrize(
    ("state", "active", "succeeded"),
    [
        ({"life_cycle_state": "BLOCKED"}, True, False),  # apache/airflow#69174
        ({"life_cycle_state": "WAITING_FOR_RETRY"}, True, False),  # apache/airflow#69195
        ({"life_cycle_state": "TERMINATED", "result_state": "SUCCESS"}, False, True),
        ({"life_cycle_state": "TERMINATED", "result_state": "FAILED"}, False, False),  # dbt-databricks#1477
        ({"life_cycle_state": "SKIPPED"}, False, False),  # dagster#13668
        ({"life_cycle_state": "INTERNAL_ERROR"}, False, False),  # flyte#4243
    ],
)
def test_resumable_status_methods(state: dict[str, Any], active: bool, succeeded: bool) -> None:
    operator = _recipe(3)["DatabricksResumable"](Hook(state))
    status = operator.get_job_status(1)
    assert (operator.is_job_active(status), operator.is_job_succeeded(status)) == (active, succeeded)


def test_resumable_status_methods_fail_closed_on_an_unknown_word() -> None:
    operator = _recipe(3)["DatabricksResumable"](Hook({"life_cycle_state": "HIBERNATING"}))
    status = operator.get_job_status(1)
    for ask in (operator.is_job_active, operator.is_job_succeeded):
        with pytest.raises(runstate.UnmappedStateError) as raised:
            ask(status)
        assert (raised.value.provider, raised.value.field, raised.value.value) == (
            "databricks", "$.state.life_cycle_state", "HIBERNATING",
        )  # fmt: skip
