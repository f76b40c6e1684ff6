"""The provider registry and spec check, proven with a provider written as a third party would."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, tzinfo
from typing import Any

import attrs
import pytest

import runstate
import runstate.provider_kit
from runstate import (
    InvalidRecordError,
    NativeEdge,
    ProviderRegistry,
    ProviderSpecError,
    RecordFailure,
    State,
    UnknownProviderError,
    UnmappedStateError,
    UnmappedStateWarning,
    check_provider,
    provider_problems,
)

from .. import acme_provider
from ..acme_provider import SPEC as ACME


@pytest.fixture
def registry() -> ProviderRegistry:
    reg = runstate.REGISTRY.copy()
    reg.register(ACME)
    return reg


def test_third_party_provider_checks_clean() -> None:
    check_provider(ACME)
    assert provider_problems(ACME) == []


def test_copy_isolates_registrations(registry: ProviderRegistry) -> None:
    assert "acme" in registry
    assert "acme" not in runstate.providers()
    assert set(runstate.providers()) <= set(registry.names())


def test_normalize_through_a_registry(registry: ProviderRegistry) -> None:
    run = registry.normalize(
        "acme",
        {"id": 7, "status": "done", "started": "2026-03-01T10:00:00Z", "ended": "2026-03-01T10:01:00Z"},
    )
    assert (run.provider, run.run_id, run.state) == ("acme", "7", State.SUCCEEDED)
    assert run.durations.total == timedelta(minutes=1)


def test_register_in_the_default_registry_and_newest_wins() -> None:
    try:
        runstate.register_provider(ACME)
        assert "acme" in runstate.providers()
        assert runstate.normalize("acme", {"id": "a", "status": "queued"}).state is State.QUEUED

        def build_blocked(record: object, ctx: runstate.provider_kit.Context, keep_raw: bool) -> runstate.Run:
            return attrs.evolve(acme_provider.build(record, ctx, keep_raw), state=State.BLOCKED)

        runstate.register_provider(attrs.evolve(ACME, build=build_blocked))
        assert runstate.normalize("acme", {"id": "a", "status": "queued"}).state is State.BLOCKED
    finally:
        runstate.REGISTRY.unregister("acme")
    assert "acme" not in runstate.providers()


def test_unknown_provider_lists_the_registered_ones() -> None:
    with pytest.raises(UnknownProviderError, match=r"unknown provider 'acmee'; registered: .*glue") as info:
        runstate.normalize("acmee", {})
    assert isinstance(info.value, KeyError)
    assert "glue" in info.value.registered


def test_unmapped_state_strict_and_lenient(registry: ProviderRegistry) -> None:
    record = {"id": "1", "status": "paused"}
    with pytest.raises(UnmappedStateError, match=r"acme: \$.status: unmapped state: 'paused'") as info:
        registry.normalize("acme", record, strict=True)
    assert (info.value.provider, info.value.field, info.value.value) == ("acme", "$.status", "paused")
    assert isinstance(info.value, ValueError)
    with pytest.warns(UnmappedStateWarning, match="'paused'"):
        run = registry.normalize("acme", record)
    assert run.state is State.UNKNOWN
    assert run.provider_state == {"status": "paused"}
    assert run.raw is record


def test_keep_raw_false(registry: ProviderRegistry) -> None:
    assert registry.normalize("acme", {"id": "1", "status": "done"}, keep_raw=False).raw is None


def test_normalize_many_is_lazy_and_reports_per_record(registry: ProviderRegistry) -> None:
    def records() -> Iterator[object]:
        yield {"id": "1", "status": "done"}
        yield "not a record"
        yield {"id": "3", "status": "running"}
        raise AssertionError("consumed further than asked")

    runs = registry.normalize_many("acme", records())
    assert next(runs).run_id == "1"
    with pytest.raises(InvalidRecordError) as info:
        next(runs)
    assert "record #1 of the batch" in info.value.__notes__[0]

    failures: list[RecordFailure] = []
    runs = registry.normalize_many("acme", records(), on_error=failures.append)
    assert [next(runs).run_id, next(runs).run_id] == ["1", "3"]
    assert [(f.index, f.record) for f in failures] == [(1, "not a record")]


def _broken(**changes: Any) -> runstate.ProviderSpec:
    return attrs.evolve(ACME, **changes)


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"known_values": {"status": ("queued", "running", "done", "error", "stopped", "paused")}},
         "value 'paused' is not mapped"),
        ({"known_values": {}}, "no known values declared"),
        ({"tables": {"status": {**acme_provider.STATUS, "done": "SUCCEEDED"}}}, "not an Outcome"),
        ({"native_edges": (NativeEdge("done", "running"),)},
         "maps onto illegal canonical step SUCCEEDED -> RUNNING"),
        ({"native_edges": (NativeEdge("done", "running", repair=True),)}, "declares no rerun_states"),
        ({"native_edges": (NativeEdge("queued", "paused"),)}, "undeclared node"),
        ({"native_states": {**ACME.native_states, "limbo": frozenset()}}, "stands for no canonical state"),
        # UNKNOWN would make every edge through the node legal
        ({"native_states": {**ACME.native_states, "limbo": frozenset({State.UNKNOWN})},
          "native_edges": (NativeEdge("done", "limbo"), NativeEdge("limbo", "running"))},
         "stands for UNKNOWN"),
        # native_states must agree with the tables it was declared beside
        ({"native_states": {**ACME.native_states, "done": frozenset({State.RUNNING})}},
         "but table 'status' maps it to SUCCEEDED"),
        # a run still running is never final: a later snapshot must be able to change it
        ({"final_states": frozenset({State.SUCCEEDED, State.RUNNING})}, "final state"),
    ],
)  # fmt: skip
def test_a_broken_spec_fails_the_check(changes: dict[str, Any], problem: str) -> None:
    spec = _broken(**changes)
    assert any(problem in p for p in provider_problems(spec)), provider_problems(spec)
    with pytest.raises(ProviderSpecError, match="spec is invalid"):
        check_provider(spec)
    with pytest.raises(ProviderSpecError):
        ProviderRegistry().register(spec)


def test_repair_edges_are_allowed_for_providers_that_can_repair() -> None:
    spec = _broken(native_edges=(NativeEdge("done", "running", repair=True),), can_repair=True)
    assert provider_problems(spec) == []


@pytest.mark.parametrize("name", ["databricks", "glue", "cloud_deploy"])
def test_builtin_providers_pass_their_check(name: str) -> None:
    if name not in runstate.providers():
        pytest.fail(f"{name} is not registered")
    check_provider(runstate.REGISTRY.get(name))


# --- the caller's namespace ---------------------------------------------------------------------------------

_GLUE_RUN = {"Id": "jr_7f3e", "JobName": "orders", "JobRunState": "RUNNING"}
_GLUE_EVENT = {
    "detail-type": "Glue Job State Change",
    "source": "aws.glue",
    "account": "123456789012",
    "region": "eu-west-1",
    "detail": {"jobName": "orders", "state": "SUCCEEDED", "jobRunId": "jr_7f3e"},
}


def test_the_callers_namespace_fills_a_gap() -> None:
    run = runstate.normalize("glue", _GLUE_RUN, strict=True, namespace="aws:123456789012:us-east-1")
    assert run.namespace == "aws:123456789012:us-east-1"
    assert runstate.normalize("glue", _GLUE_RUN, strict=True).namespace is None


def test_the_callers_namespace_wins_over_the_record_with_a_warning() -> None:
    with pytest.warns(runstate.StateConflictWarning, match="namespace"):
        run = runstate.normalize(
            "glue_events", _GLUE_EVENT, strict=True, namespace="aws:999999999999:us-east-1"
        )
    assert run.namespace == "aws:999999999999:us-east-1"
    same = runstate.normalize("glue_events", _GLUE_EVENT, strict=True, namespace="aws:123456789012:eu-west-1")
    assert same.namespace == "aws:123456789012:eu-west-1"  # agreeing: no warning (filterwarnings=error)


def test_the_callers_namespace_reaches_tasks_and_batches() -> None:
    record = {
        "run_id": 41,
        "job_id": 4,
        "state": {"life_cycle_state": "RUNNING"},
        "tasks": [{"run_id": 42, "task_key": "a", "state": {"life_cycle_state": "RUNNING"}}],
    }
    runs = list(runstate.normalize_many("databricks", [record, record], namespace="databricks:42"))
    assert [(r.namespace, r.tasks[0].namespace) for r in runs] == [("databricks:42", "databricks:42")] * 2


@pytest.mark.parametrize("bad", ["", 7, b"aws"])
def test_a_namespace_must_be_text(bad: Any) -> None:
    with pytest.raises(InvalidRecordError, match="namespace"):
        runstate.normalize("glue", _GLUE_RUN, namespace=bad)


# --- whatever a third-party object raises is an InvalidRecordError ------------------------------------------


class _ExplodingMapping(dict[str, Any]):
    """A Mapping whose reads fail, as a lazy or remote record might."""

    def get(self, *args: Any) -> Any:  # noqa: ARG002 - the signature of Mapping.get
        raise ConnectionError("record store unreachable")

    def __contains__(self, key: object) -> bool:
        raise ConnectionError("record store unreachable")


class _ExplodingSdkRun:
    """Looks like a databricks-sdk Run, but ``as_dict`` fails."""

    def as_dict(self) -> dict[str, Any]:
        raise AttributeError("'NoneType' object has no attribute 'as_dict'")

    def __repr__(self) -> str:
        raise RuntimeError("repr fails too")


class _ExplodingProto:
    """Looks like a proto-plus JobRun, but ``to_dict`` fails with something odd."""

    pb = object()

    @classmethod
    def to_dict(cls, *args: Any, **kwargs: Any) -> dict[str, Any]:  # noqa: ARG003 - the signature of the SDK method it fakes
        raise MemoryError("simulated")


class _BadZone(tzinfo):
    """A time zone whose offset cannot be computed (a broken tz database)."""

    def utcoffset(self, dt: datetime | None) -> timedelta | None:  # noqa: ARG002 - the signature of tzinfo
        raise OSError("tz database missing")

    def dst(self, dt: datetime | None) -> timedelta | None:  # noqa: ARG002 - the signature of tzinfo
        return None

    def tzname(self, dt: datetime | None) -> str | None:  # noqa: ARG002 - the signature of tzinfo
        return "broken"


def _hostile_cases() -> list[tuple[str, Any, type[BaseException]]]:
    when = datetime(2026, 3, 1, 10, 0, tzinfo=_BadZone())
    return [
        ("glue", _ExplodingMapping(Id="jr_1", JobRunState="RUNNING"), ConnectionError),
        ("databricks", _ExplodingSdkRun(), AttributeError),
        ("cloud_deploy", _ExplodingProto(), MemoryError),
        ("glue", {"Id": "jr_1", "JobRunState": "RUNNING", "StartedOn": when}, OSError),
    ]


@pytest.mark.parametrize(("provider", "record", "cause"), _hostile_cases())
@pytest.mark.parametrize("strict", [False, True])
def test_what_a_hostile_object_raises_becomes_invalid_record_error(
    provider: str, record: Any, cause: type[BaseException], strict: bool
) -> None:
    with pytest.raises(InvalidRecordError) as info:
        runstate.normalize(provider, record, strict=strict)
    error = info.value
    assert (error.provider, error.field) == (provider, "$")
    assert isinstance(error.__cause__, cause), "the original is chained as the cause"
    assert cause.__name__ in str(error)  # printable even when the record's own repr fails


@pytest.mark.parametrize(("provider", "record", "cause"), _hostile_cases())
def test_hostile_objects_are_dead_lettered_in_a_batch(
    provider: str, record: Any, cause: type[BaseException]
) -> None:
    failures: list[RecordFailure] = []
    assert list(runstate.normalize_many(provider, [record], on_error=failures.append)) == []
    assert len(failures) == 1 and failures[0].record is record
    assert isinstance(failures[0].error, InvalidRecordError)


def test_our_own_errors_are_not_rewrapped() -> None:
    with pytest.raises(UnmappedStateError) as info:
        runstate.normalize("glue", {"Id": "jr_1", "JobRunState": "PAUSED"}, strict=True)
    assert info.value.__cause__ is None and info.value.field == "$.JobRunState"


def test_evidence_must_cover_every_row_of_a_table_it_names() -> None:
    partial = attrs.evolve(ACME, evidence={"status": {"done": "https://acme.example/api#status"}})
    problems = provider_problems(partial)
    assert problems and all("has no evidence" in p for p in problems)
    stray = attrs.evolve(ACME, evidence={"nope": {"x": "y"}})
    assert provider_problems(stray) == ["evidence given for 'nope', but no such table"]
    with pytest.raises(ProviderSpecError, match="no evidence"):
        check_provider(partial)


def test_builtin_providers_declare_detectors() -> None:
    for name in ("databricks", "glue", "cloud_deploy"):
        assert callable(runstate.REGISTRY.get(name).detect)
    assert ACME.detect is None  # optional for third parties
