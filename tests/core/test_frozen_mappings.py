"""A frozen run holds no dict its caller can change: the kit's builders freeze what they are given,
and ``check_provider`` finds a provider whose runs leak a writable mapping."""

from __future__ import annotations

from collections import OrderedDict
from types import MappingProxyType
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import runstate
from runstate import provider_kit as kit
from runstate.provider_kit import Missing, State

from ..acme_provider import SPEC as ACME

WORDS = st.dictionaries(st.text(min_size=1, max_size=8), st.text(max_size=8), max_size=4)


def _rejects_writes(mapping: Any) -> bool:
    try:
        mapping["x"] = "changed"
    except TypeError:
        return True
    return False


@given(WORDS, WORDS)
def test_make_run_keeps_its_own_read_only_copy_of_the_callers_dicts(
    words: dict[str, str], facts: dict[str, str]
) -> None:
    run = kit.make_run("acme", "r1", state=State.RUNNING, provider_state=words, details=facts)
    assert dict(run.provider_state) == words and dict(run.details) == facts
    words["s"], facts["s"] = "changed", "changed"
    assert "s" not in run.provider_state or run.provider_state["s"] != "changed"
    assert "s" not in run.details or run.details["s"] != "changed"
    assert _rejects_writes(run.provider_state) and _rejects_writes(run.details)


def test_make_durations_keeps_its_own_read_only_copy_of_missing() -> None:
    missing = {"total": Missing.NOT_ENDED}
    durations = kit.make_durations(missing=missing)
    missing["queue"] = Missing.NOT_REPORTED
    assert dict(durations.missing) == {"total": Missing.NOT_ENDED}
    assert _rejects_writes(durations.missing)


def test_the_provider_guide_run_cannot_be_changed_through_the_dict_it_was_given() -> None:
    word = {"status": "Queued"}
    run = kit.make_run("azure_data_factory", "r1", state=State.QUEUED, provider_state=word)
    word["status"] = "Succeeded"
    with pytest.raises(TypeError):
        run.provider_state["status"] = "x"  # type: ignore[index]
    assert run.provider_state == {"status": "Queued"}


def test_read_only_mappings_and_empty_ones_are_kept_without_a_copy() -> None:
    words = MappingProxyType({"status": "done"})
    details = kit.freeze_details({"a": 1})
    run = kit.make_run("acme", "r1", state=State.SUCCEEDED, provider_state=words, details=details)
    assert run.provider_state is words and run.details is details
    assert kit.make_run("acme", "r2", state=State.RUNNING, provider_state={}).provider_state is kit.EMPTY


def test_any_other_mapping_type_is_copied_read_only() -> None:
    words: OrderedDict[str, str] = OrderedDict(status="done")
    run = kit.make_run("acme", "r1", state=State.SUCCEEDED, provider_state=words)
    assert type(run.provider_state) is MappingProxyType and run.provider_state == {"status": "done"}


@pytest.mark.parametrize("value", [[1, 2, 3], [("status", "done")], "ab", 3])
def test_a_non_mapping_is_refused_by_name(value: Any) -> None:
    with pytest.raises(runstate.InvalidRecordError, match="provider_state: expected a mapping"):
        kit.make_run("acme", "r1", state=State.RUNNING, provider_state=value)
    with pytest.raises(runstate.InvalidRecordError, match="missing: expected a mapping"):
        kit.make_durations(missing=value)


# --- check_provider -------------------------------------------------------------------------------

_DONE = {"id": 1, "status": "done", "started": "2026-03-01T10:00:00Z", "ended": "2026-03-01T10:01:00Z"}


def _frozen_acme_build(record: Any, ctx: kit.Context, keep_raw: bool) -> kit.Run:
    run = ACME.build(record, ctx, keep_raw)
    return kit.make_run(
        run.provider, run.run_id, state=run.state, reason=run.reason, provider_state=run.provider_state,
        started_at=run.started_at, ended_at=run.ended_at,
        durations=kit.make_durations(total=run.durations.total, missing=run.durations.missing),
    )  # fmt: skip


def test_check_provider_finds_a_provider_whose_runs_hold_writable_dicts() -> None:
    # tests/acme_provider.py builds with Run(...) and Durations(...), which keep the dicts they get
    problems = runstate.provider_problems(ACME, examples=[_DONE])
    assert any("provider_state is a writable dict" in p for p in problems), problems
    assert any("durations.missing is a writable dict" in p for p in problems), problems
    with pytest.raises(runstate.ProviderSpecError, match="writable dict"):
        runstate.check_provider(ACME, examples=[_DONE])


def test_check_provider_passes_the_same_provider_built_with_the_kit() -> None:
    frozen = attrs.evolve(ACME, build=_frozen_acme_build)
    runstate.check_provider(frozen, examples=[_DONE, {"id": 2, "status": "running"}])
    assert ACME.build(_DONE, ACME.lenient_context, False).provider_state == {"status": "done"}


def test_check_provider_reports_an_example_that_does_not_build() -> None:
    problems = runstate.provider_problems(attrs.evolve(ACME, build=_frozen_acme_build), examples=[5])
    assert problems == ["example 0: build raised InvalidRecordError: acme: $: expected an object: 5"]


EXAMPLES: dict[str, list[Any]] = {
    "glue": [
        {"Id": "jr_1", "JobName": "etl", "JobRunState": "SUCCEEDED", "StartedOn": 1772358000.0,
         "CompletedOn": 1772358060.0, "ExecutionTime": 60, "Arguments": {"--day": "1"},
         "PredecessorRuns": [{"JobName": "up", "RunId": "jr_0"}]},
        {"Id": "jr_2", "JobName": "etl", "JobRunState": "WAITING", "StateDetail": "max concurrent runs"},
    ],
    "databricks": [
        {"run_id": 1, "job_id": 2, "start_time": 1772358000000, "end_time": 1772358060000,
         "state": {"life_cycle_state": "TERMINATED", "result_state": "SUCCESS"},
         "tasks": [{"run_id": 3, "task_key": "t", "state": {"life_cycle_state": "TERMINATED",
                                                            "result_state": "SUCCESS"}}]},
        {"run_id": 4, "status": {"state": "QUEUED", "queue_details": {"code": "ACTIVE_RUNS_LIMIT_REACHED"}}},
    ],
    "cloud_deploy": [
        {"name": "projects/p/locations/l/deliveryPipelines/d/releases/r/rollouts/ro/jobRuns/jr",
         "uid": "u1", "state": "FAILED", "phaseId": "stable", "jobId": "deploy",
         "deployJobRun": {"failureCause": "EXECUTION_FAILED", "build": "b"}},
    ],
    "databricks_system": [
        {"workspace_id": "1", "run_id": "5", "period_start_time": "2026-03-01T10:00:00Z",
         "period_end_time": "2026-03-01T11:00:00Z", "result_state": "SUCCEEDED",
         "termination_code": "SUCCESS"},
    ],
    "glue_events": [
        {"version": "0", "id": "e1", "detail-type": "Glue Job State Change", "source": "aws.glue",
         "account": "123456789012", "time": "2026-03-01T10:00:00Z", "region": "eu-west-1",
         "detail": {"jobName": "etl", "severity": "INFO", "state": "SUCCEEDED", "jobRunId": "jr_1"}},
    ],
}  # fmt: skip
"""A few records of each built-in provider, as its API documents them."""


@pytest.mark.parametrize("name", runstate.providers())
def test_built_in_providers_leak_no_writable_mapping(name: str) -> None:
    spec = runstate.REGISTRY.get(name)
    runstate.check_provider(spec, examples=EXAMPLES[name])
    runs = [spec.build(record, spec.strict_context, True) for record in EXAMPLES[name]]
    assert all(run.state is not State.UNKNOWN for run in runs)


@pytest.mark.parametrize(
    ("built", "problem"),
    [
        (None, "example 0: build gave NoneType None, not a Run"),
        ({"state": "done"}, "example 0: build gave dict {'state': 'done'}, not a Run"),
        (kit.Run(provider="acme", run_id="r1", state=State.RUNNING, durations=None),  # type: ignore[arg-type]
         "example 0: run 'r1': durations is NoneType, not a Durations"),
        (kit.make_run("acme", "r1", state=State.RUNNING, tasks=(5,)),  # type: ignore[arg-type]
         "example 0: run 'r1': a task is a int 5, not a Run"),
    ],
)  # fmt: skip
def test_check_provider_reports_a_build_that_gives_no_run(built: Any, problem: str) -> None:
    spec = attrs.evolve(ACME, build=lambda *_: built)
    assert runstate.provider_problems(spec, examples=[_DONE]) == [problem]


@pytest.mark.parametrize("examples", [_DONE, "done"])
def test_check_provider_asks_for_a_list_when_given_one_record(examples: Any) -> None:
    spec = attrs.evolve(ACME, build=_frozen_acme_build)
    kind = type(examples).__name__
    assert runstate.provider_problems(spec, examples=examples) == [
        f"examples: give a list of records, not one {kind}"
    ]
