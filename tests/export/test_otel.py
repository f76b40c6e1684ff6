"""runstate.otel against the OpenTelemetry CI/CD conventions v1.44.0, read from tests/specs/otel-cicd/."""

from __future__ import annotations

import argparse
import io
import json
import sys
import tracemalloc
import warnings
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import attrs
import pytest
import yaml
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader, MetricsData
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

import runstate
from runstate import InvalidRecordError, Reason, Run, State, otel, otel_result, otel_run_state
from runstate._cli import app as _cli
from runstate._cli.export import add_export_arguments, run_export
from runstate._export.run_facts import OUTCOMES, error_type, run_url, walk

from ..export_support import IDS, ONLY_RUNS, SPECS, fixture
from ..strategies import runs

SPEC = SPECS / "otel-cicd"


def _groups(name: str) -> list[dict[str, Any]]:
    groups: list[dict[str, Any]] = yaml.safe_load((SPEC / name).read_text())["groups"]
    return groups


REGISTRY = {a["id"]: a for g in _groups("registry.yaml") for a in g["attributes"]}
ENUMS = {
    name: {m["value"] for m in a["type"]["members"]}
    for name, a in REGISTRY.items()
    if isinstance(a["type"], dict)
}
SPAN_GROUPS = {g["span_kind"]: g for g in _groups("spans.yaml")}
METRICS = {g["metric_name"]: g for g in _groups("metrics.yaml")}
ENTITY_RUN = next(g for g in _groups("entities.yaml") if g["name"] == "cicd.pipeline.run")
FAILED = {"failure", "error"}


def _refs(group: Mapping[str, Any], level: str | None = None) -> set[str]:
    return {a["ref"] for a in group["attributes"] if level is None or a.get("requirement_level") == level}


def _check_attributes(attributes: Mapping[str, Any], allowed: set[str]) -> None:
    for name, value in attributes.items():
        assert name in allowed, f"{name} is not an attribute of this signal in the conventions"
        assert name in REGISTRY or name == "error.type", name
        if name in ENUMS:
            assert value in ENUMS[name], (name, value)
        assert isinstance(value, str) and value, (name, value)


def _check_error_type(attributes: Mapping[str, Any], result_key: str) -> None:
    if attributes.get(result_key) in FAILED:
        assert attributes.get("error.type"), "error.type is required for failure and error"
    else:
        assert "error.type" not in attributes


@pytest.fixture
def sdk() -> Iterator[tuple[InMemorySpanExporter, InMemoryMetricReader, TracerProvider, MeterProvider]]:
    exporter, reader = InMemorySpanExporter(), InMemoryMetricReader()
    tracer_provider = TracerProvider()
    tracer_provider.add_span_processor(SimpleSpanProcessor(exporter))
    meter_provider = MeterProvider(metric_readers=[reader])
    yield exporter, reader, tracer_provider, meter_provider
    tracer_provider.shutdown()
    meter_provider.shutdown()


def _emitted(sdk: Any, runs: list[Run], **options: Any) -> tuple[list[ReadableSpan], MetricsData | None]:
    exporter, reader, tracer_provider, meter_provider = sdk
    otel.emit(runs, tracer=tracer_provider.get_tracer("t"), meter=meter_provider.get_meter("m"), **options)
    return list(exporter.get_finished_spans()), reader.get_metrics_data()


def _check_span(span: ReadableSpan, run: Run) -> None:
    kind = "server" if span.kind is SpanKind.SERVER else "internal"
    group = SPAN_GROUPS[kind]
    attributes = dict(span.attributes or {})
    if kind == "server":
        # the cicd.pipeline.run entity's attributes and the pipeline's name ride on the run's span too
        allowed = _refs(group) | _refs(ENTITY_RUN) | {"cicd.pipeline.name"}
        _check_error_type(attributes, "cicd.pipeline.result")
    else:
        allowed = _refs(group)
        _check_error_type(attributes, "cicd.pipeline.task.run.result")
    _check_attributes(attributes, allowed)
    required = _refs(group, "required")
    if kind == "internal":
        task = next(t for t, _ in _walk(run) if t.run_id == attributes["cicd.pipeline.task.run.id"])
        if run_url(task) is None:
            required.discard("cicd.pipeline.task.run.url.full")  # the record has none
    assert required <= set(attributes), required - set(attributes)
    assert (span.status.status_code is StatusCode.ERROR) == ("error.type" in attributes)


def _walk(run: Run) -> Iterator[tuple[Run, Run | None]]:
    return walk(run)


def _points(metrics: MetricsData | None) -> Iterator[tuple[str, str, Any, Any]]:
    if metrics is None:
        return
    for resource in metrics.resource_metrics:
        for scope in resource.scope_metrics:
            for metric in scope.metrics:
                for point in metric.data.data_points:
                    yield metric.name, metric.unit or "", metric.data, point


@pytest.mark.parametrize("run", ONLY_RUNS, ids=IDS)
def test_every_fixture_run_speaks_the_conventions(sdk: Any, run: Run) -> None:
    spans, metrics = _emitted(sdk, [run])
    if not run.is_terminal:
        assert spans == []
        assert list(_points(metrics)) == []
        return
    assert spans, "an ended run has a span"
    roots = [s for s in spans if s.parent is None]
    assert len(roots) == 1 and roots[0].kind is SpanKind.SERVER
    assert roots[0].name == f"RUN {roots[0].attributes['cicd.pipeline.name']}"  # type: ignore[index]
    assert roots[0].attributes["cicd.pipeline.result"] == otel_result(run.state, run.reason)  # type: ignore[index]
    ended_tasks = [t for t, parent in _walk(run) if parent is not None and t.is_terminal]
    assert len(spans) == 1 + len(ended_tasks)
    for span in spans:
        _check_span(span, run)
        assert span.start_time is not None and span.end_time is not None
        assert span.start_time <= span.end_time
    kinds = {"histogram": "histogram", "updowncounter": "sum", "counter": "sum"}
    for name, unit, data, point in _points(metrics):
        group = METRICS[name]
        assert unit == group["unit"]
        assert type(data).__name__.lower() == kinds[group["instrument"]]
        attributes = dict(point.attributes)
        _check_attributes(attributes, _refs(group))
        assert _refs(group, "required") <= set(attributes)


@pytest.mark.parametrize("run", ONLY_RUNS, ids=IDS)
def test_duration_points_follow_the_run_states(run: Run) -> None:
    points = otel.duration_points(run)
    if not run.is_terminal:
        assert points == []
        return
    states = [a["cicd.pipeline.run.state"] for _, a in points]
    assert states == [s for s in otel.DURATION_STATES if s in states], "in life-cycle order, once each"
    assert all(seconds >= 0 for seconds, _ in points)
    with_result = [a for _, a in points if "cicd.pipeline.result" in a]
    assert len(with_result) == (1 if points else 0), "the result is set during one state: the last"
    failed = otel_result(run.state, run.reason) in FAILED
    assert all(("error.type" in a) is failed for _, a in points)


def test_span_tree_of_a_multitask_databricks_run(sdk: Any) -> None:
    run = fixture("databricks", "success_with_failures")
    spans, _ = _emitted(sdk, [run])
    root = next(s for s in spans if s.parent is None)
    children = [s for s in spans if s.parent is not None]
    assert {s.parent.span_id for s in children if s.parent} == {root.context.span_id}
    assert {s.context.trace_id for s in spans} == {root.context.trace_id}
    assert sorted(s.name for s in children) == sorted(t.name or "" for t in run.tasks)
    failed = [
        s for s in children if s.attributes and s.attributes["cicd.pipeline.task.run.result"] == "failure"
    ]
    assert [s.attributes["error.type"] for s in failed if s.attributes] == ["RUN_EXECUTION_ERROR"]


def test_span_name_callback_and_run_without_time(sdk: Any) -> None:
    run = fixture("glue", "succeeded")
    spans, _ = _emitted(sdk, [run], span_name=lambda _run: "RUN")
    assert [s.name for s in spans] == ["RUN"]
    assert otel.plan(attrs.evolve(run, created_at=None, started_at=None, ended_at=None)) is None


def test_partial_success_counts_its_failed_tasks_as_errors() -> None:
    run = fixture("databricks", "success_with_failures")
    assert otel_result(run.state, run.reason) == "success"
    assert otel.error_points(run) == [
        {"cicd.pipeline.name": "web_events_enrichment (380017245561902)", "error.type": "RUN_EXECUTION_ERROR"}
    ]


@pytest.mark.parametrize(
    ("provider", "name", "expected"),
    [
        ("databricks", "failed_with_termination_details", "RUN_EXECUTION_ERROR"),
        ("databricks", "failed_cloud_failure", "CLOUD_FAILURE"),
        ("databricks", "legacy_internal_error", "INTERNAL_ERROR"),
        ("databricks_system", "run_multitask_failed", "RUN_EXECUTION_ERROR"),
        ("databricks_system", "run_legacy_row", "DRIVER_ERROR"),
        ("glue_events", "failed", "_OTHER"),
        ("cloud_deploy", "predeploy_failed_execution_failed", "EXECUTION_FAILED"),
        ("glue", "failed_with_error_message", "_OTHER"),  # Glue gives no code: FAILED only repeats the result
    ],
)
def test_error_type_is_the_providers_code(provider: str, name: str, expected: str) -> None:
    assert error_type(fixture(provider, name)) == expected


def test_multitask_runs_count_their_total_as_executing() -> None:
    run = fixture("databricks", "multitask_with_repair_history")
    points = {a["cicd.pipeline.run.state"]: s for s, a in otel.duration_points(run)}
    assert run.durations.total is not None
    assert points["executing"] == run.durations.total.total_seconds()
    single = fixture("databricks", "single_task_success")
    assert [a["cicd.pipeline.run.state"] for _, a in otel.duration_points(single)] == [
        "pending", "executing", "finalizing"
    ]  # fmt: skip


def test_active_runs_enter_and_leave(sdk: Any) -> None:
    _, reader, _, meter_provider = sdk
    active = otel.ActiveRuns(meter_provider.get_meter("m"))
    at = datetime(2026, 1, 1, tzinfo=UTC)
    run = Run(provider="glue", run_id="jr_1", name="etl", state=State.QUEUED, created_at=at)
    tracker = runstate.RunTracker()
    seen = [
        active.observe(tracker.observe(attrs.evolve(run, state=s), at + timedelta(minutes=i)))
        for i, s in enumerate([State.QUEUED, State.QUEUED, State.RUNNING, State.TERMINATING, State.SUCCEEDED])
    ]
    assert seen == ["pending", "pending", "executing", "finalizing", None]
    values = {
        p.attributes["cicd.pipeline.run.state"]: p.value
        for name, _, _, p in _points(reader.get_metrics_data())
        if name == "cicd.pipeline.run.active"
    }
    assert values == {"pending": 0, "executing": 0, "finalizing": 0}
    for name, _, _, point in _points(reader.get_metrics_data()):
        _check_attributes(dict(point.attributes), _refs(METRICS[name]))
    with pytest.raises(InvalidRecordError):
        active.observe(runstate.Observation(at, State.RUNNING))
    assert active.observe(runstate.Observation(at, State.RUNNING), name="etl") == "executing"


def _otlp_attributes(items: list[dict[str, Any]]) -> dict[str, str]:
    return {a["key"]: a["value"]["stringValue"] for a in items}


def test_otlp_json_of_every_fixture_run() -> None:
    out = io.StringIO()
    assert otel.write_otlp_json(ONLY_RUNS, out) == 2
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    traces, metrics = lines
    ended = {(r.namespace or r.provider, r.provider, r.run_id, r.attempt) for r in ONLY_RUNS if r.is_terminal}
    assert len(traces["resourceSpans"]) == len(ended), "one resource per run, though fixtures repeat runs"
    for resource in traces["resourceSpans"]:
        _check_attributes(
            _otlp_attributes(resource["resource"]["attributes"]), _refs(ENTITY_RUN) | {"cicd.pipeline.name"}
        )
        spans = resource["scopeSpans"][0]["spans"]
        ids = {s["spanId"] for s in spans}
        assert len(ids) == len(spans) and len({s["traceId"] for s in spans}) == 1
        for span in spans:
            assert len(span["traceId"]) == 32 and len(span["spanId"]) == 16
            assert span.get("parentSpanId", next(iter(ids))) in ids
            group = SPAN_GROUPS["server" if span["kind"] == 2 else "internal"]
            extra = _refs(ENTITY_RUN) | {"cicd.pipeline.name"} if span["kind"] == 2 else set()
            _check_attributes(_otlp_attributes(span["attributes"]), _refs(group) | extra)
    for metric in metrics["resourceMetrics"][0]["scopeMetrics"][0]["metrics"]:
        group = METRICS[metric["name"]]
        assert metric["unit"] == group["unit"]
        data = metric.get("histogram") or metric["sum"]
        for point in data["dataPoints"]:
            _check_attributes(_otlp_attributes(point["attributes"]), _refs(group))
    assert otel.otlp_json(ONLY_RUNS) == lines, "ids and content are stable across calls"


def test_otel_result_takes_plain_strings() -> None:
    for state in State:
        for reason in [None, *Reason]:
            expected = otel_result(state, reason)
            assert otel_result(state.value, None if reason is None else reason.value) == expected
            assert expected is None or expected in ENUMS["cicd.pipeline.result"]
    assert (
        otel_result("FAILED", "PLATFORM_ERROR") == otel_result(State.FAILED, Reason.PLATFORM_ERROR) == "error"
    )
    with pytest.raises(InvalidRecordError, match="state"):
        otel_result("BOGUS", None)
    with pytest.raises(InvalidRecordError, match="reason"):
        otel_result("FAILED", "BOGUS")


def test_run_state_only_for_phases_that_are_not_terminal() -> None:
    for state in State:
        value = otel_run_state(state)
        assert otel_run_state(state.value) == value
        if state.is_terminal or state is State.UNKNOWN:
            assert value is None
        else:
            assert value in ENUMS["cicd.pipeline.run.state"]


def test_every_decision_gives_a_registry_result() -> None:
    for row in OUTCOMES:
        assert row.otel in ENUMS["cicd.pipeline.result"]
        assert row.otel in ENUMS["cicd.pipeline.task.run.result"]


def test_cli_export_writes_otlp_json() -> None:
    out = io.StringIO()
    args = add_export_arguments(argparse.ArgumentParser()).parse_args(["--to", "otel-json"])
    assert run_export(args, iter(ONLY_RUNS), out) == 2
    assert [json.loads(line) for line in out.getvalue().splitlines()] == otel.otlp_json(ONLY_RUNS)


@given(runs())
def test_every_run_gives_spans_and_points_of_the_conventions(run: Run) -> None:
    assume(all(r.run_id for r, _ in walk(run)))
    tree = otel.plan(run)
    assert (tree is None) is (
        not run.is_terminal or (run.created_at or run.started_at or run.ended_at) is None
    )
    stack = [tree] if tree is not None else []
    while stack:
        span = stack.pop()
        assert span.start <= span.end
        group = SPAN_GROUPS["server" if span.kind == "SERVER" else "internal"]
        extra = _refs(ENTITY_RUN) | {"cicd.pipeline.name"} if span.kind == "SERVER" else set()
        _check_attributes(span.attributes, _refs(group) | extra)
        stack += span.children
    for seconds, attributes in otel.duration_points(run):
        assert seconds >= 0
        _check_attributes(attributes, _refs(METRICS["cicd.pipeline.run.duration"]))
    for attributes in otel.error_points(run):
        _check_attributes(attributes, _refs(METRICS["cicd.pipeline.run.errors"]))


def test_a_missing_extra_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "opentelemetry.trace", None)
    with pytest.raises(ImportError, match=r"pip install 'runstate\[otel\]'"):
        otel.emit([])


def test_a_naive_time_is_refused_not_a_type_error(sdk: Any) -> None:
    _, _, tracer_provider, meter_provider = sdk
    run = fixture("glue", "succeeded")
    assert run.ended_at is not None
    naive = attrs.evolve(run, ended_at=run.ended_at.replace(tzinfo=None))
    with pytest.raises(InvalidRecordError, match=r"run\.ended_at: must be timezone-aware"):
        otel.otlp_json([naive])
    with pytest.raises(InvalidRecordError, match=r"run\.ended_at: must be timezone-aware"):
        otel.emit([naive], tracer=tracer_provider.get_tracer("t"), meter=meter_provider.get_meter("m"))


def test_a_lone_surrogate_in_a_run_id_gives_stable_distinct_ids() -> None:
    run = fixture("glue", "failed_with_error_message")
    odd = attrs.evolve(run, run_id="jr_\udc80")
    span = otel.otlp_json([odd])[0]["resourceSpans"][0]["scopeSpans"][0]["spans"][0]
    again = otel.otlp_json([odd])[0]["resourceSpans"][0]["scopeSpans"][0]["spans"][0]
    plain = otel.otlp_json([run])[0]["resourceSpans"][0]["scopeSpans"][0]["spans"][0]
    assert (span["traceId"], span["spanId"]) == (again["traceId"], again["spanId"])
    assert span["traceId"] != plain["traceId"]
    assert len(span["traceId"]) == 32 and len(span["spanId"]) == 16


def _metric(requests: list[dict[str, Any]], name: str) -> list[dict[str, Any]]:
    found = [
        m
        for r in requests
        for rm in r.get("resourceMetrics", [])
        for sm in rm["scopeMetrics"]
        for m in sm["metrics"]
        if m["name"] == name
    ]
    return [p for m in found for p in (m.get("histogram") or m["sum"])["dataPoints"]]


def test_otlp_json_counts_a_run_observed_twice_once() -> None:
    ended = fixture("databricks", "failed_with_termination_details")
    running = attrs.evolve(ended, state=State.RUNNING, reason=None, ended_at=None, tasks=())
    once = otel.otlp_json([ended])
    polled = otel.otlp_json([running, running, ended, ended])
    assert polled == once
    assert _metric(polled, "cicd.pipeline.run.active") == []
    assert sum(int(p["asInt"]) for p in _metric(polled, "cicd.pipeline.run.errors")) == len(
        otel.error_points(ended)
    )
    still = otel.otlp_json([running, attrs.evolve(running, updated_at=running.started_at)])
    assert [int(p["asInt"]) for p in _metric(still, "cicd.pipeline.run.active")] == [1]
    retry = attrs.evolve(ended, attempt=1)
    assert len(otel.otlp_json([ended, retry])[0]["resourceSpans"]) == 2


def test_points_of_runs_still_going_are_timed_by_the_runs() -> None:
    ended = fixture("databricks", "failed_with_termination_details")
    running = attrs.evolve(ended, state=State.RUNNING, reason=None, ended_at=None, tasks=())
    assert running.started_at is not None
    (point,) = _metric(otel.otlp_json([running]), "cicd.pipeline.run.active")
    assert int(point["timeUnixNano"]) == otel._ns(running.started_at)
    timeless = Run(provider="glue", run_id="jr_1", state=State.RUNNING)
    (point,) = _metric(otel.otlp_json([timeless]), "cicd.pipeline.run.active")
    assert int(point["timeUnixNano"]) > 0, "not the epoch"


def test_a_late_older_observation_does_not_bring_an_ended_run_back(sdk: Any) -> None:
    _, reader, _, meter_provider = sdk
    active = otel.ActiveRuns(meter_provider.get_meter("m"))
    at = datetime(2026, 1, 1, tzinfo=UTC)
    run = Run(provider="glue", run_id="jr_1", name="etl", state=State.RUNNING, created_at=at)
    tracker = runstate.RunTracker()
    for minutes, state in [(0, State.RUNNING), (5, State.SUCCEEDED), (3, State.RUNNING)]:
        active.observe(tracker.observe(attrs.evolve(run, state=state), at + timedelta(minutes=minutes)))
    assert tracker.state is State.SUCCEEDED, "the tracker puts the late RUNNING where its time says"
    values = [p.value for n, _, _, p in _points(reader.get_metrics_data()) if n == "cicd.pipeline.run.active"]
    assert values == [0], "the run ended; the late RUNNING is older than its end"
    assert active.observe(runstate.Observation(at + timedelta(minutes=9), State.RUNNING, run)) == "executing"


def test_active_runs_forget_old_ended_runs(sdk: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(otel, "ACTIVE_MEMORY", 4)
    active = otel.ActiveRuns(sdk[3].get_meter("m"))
    at = datetime(2026, 1, 1, tzinfo=UTC)
    for i in range(20):
        run = Run(provider="glue", run_id=f"jr_{i}", state=State.SUCCEEDED)
        active.observe(runstate.Observation(at, State.SUCCEEDED, run))
        assert len(active._seen_at) <= 5


@pytest.mark.parametrize(
    ("provider", "name"),
    [
        ("databricks_system", "run_cancelled_by_user"),  # run_duration 270 s covers its 12 s in the queue
        ("cloud_deploy", "deploy_succeeded"),  # end minus start: the queue is outside the total
        ("databricks", "multitask_with_repair_history"),  # run_duration excludes the repair's wait
    ],
)
def test_queue_time_is_not_also_counted_as_executing(provider: str, name: str) -> None:
    run = fixture(provider, name)
    assert run.created_at is not None and run.ended_at is not None and run.durations.total is not None
    points = {a["cicd.pipeline.run.state"]: s for s, a in otel.duration_points(run)}
    assert sum(points.values()) <= (run.ended_at - run.created_at).total_seconds() + 1e-6
    assert points["executing"] > 0
    assert (
        points["pending"] + points["executing"]
        >= min(run.durations.total.total_seconds(), (run.ended_at - run.created_at).total_seconds()) - 1e-6
    )


def test_a_time_before_1970_is_refused_not_wrapped() -> None:
    start, end = datetime(1969, 12, 31, 23, 59, tzinfo=UTC), datetime(1970, 1, 1, 0, 1, tzinfo=UTC)
    run = Run(provider="glue", run_id="jr_1", state=State.SUCCEEDED, started_at=start, ended_at=end)
    with pytest.raises(InvalidRecordError, match=r"run\.started_at: is before 1970-01-01"):
        otel.otlp_json([run])
    with pytest.raises(InvalidRecordError, match="before 1970"):
        otel.otlp_json([attrs.evolve(run, state=State.RUNNING, ended_at=None)])


def test_runs_of_one_pipeline_observed_without_their_runs_count_apart(sdk: Any) -> None:
    _, reader, _, meter_provider = sdk
    active = otel.ActiveRuns(meter_provider.get_meter("m"))
    at = datetime(2026, 1, 1, tzinfo=UTC)
    first, second = runstate.RunTracker(), runstate.RunTracker()
    active.observe(first.observe(State.RUNNING, at), name="etl", run_id="1")
    active.observe(second.observe(State.RUNNING, at), name="etl", run_id="2")
    active.observe(first.observe(State.SUCCEEDED, at + timedelta(minutes=1)), name="etl", run_id="1")
    values = [p.value for n, _, _, p in _points(reader.get_metrics_data()) if n == "cicd.pipeline.run.active"]
    assert values == [1], "the second run still runs"


def test_a_run_without_a_pipeline_name_is_not_named_by_its_id() -> None:
    run = attrs.evolve(fixture("glue", "succeeded"), name=None, job_id=None)
    tree = otel.plan(run)
    assert tree is not None
    assert tree.name == "RUN", "the run id would make one span name per run"
    assert tree.attributes["cicd.pipeline.name"] == run.run_id
    named = otel.plan(fixture("glue", "succeeded"))
    assert named is not None and named.name == "RUN orders-etl"


def test_record_counts_a_run_given_twice_once(sdk: Any) -> None:
    run = fixture("databricks", "failed_with_termination_details")
    spans, data = _emitted(sdk, [run, run])
    assert len(spans) == len({s.context.span_id for s in spans}) == 1 + len(run.tasks)
    counts = [p.count for n, _, _, p in _points(data) if n == "cicd.pipeline.run.duration"]
    assert counts and set(counts) == {1}


def _glue_flex(total_s: int, execution_s: int) -> Run:
    started = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
    record = {
        "Id": "jr_7f3e",
        "JobName": "nightly_flex",
        "JobRunState": "SUCCEEDED",
        "ExecutionClass": "FLEX",
        "StartedOn": started,
        "CompletedOn": started + timedelta(seconds=total_s),
        "ExecutionTime": execution_s,
    }
    return runstate.normalize("glue", record, strict=True)


def test_a_glue_flex_run_s_wait_is_pending() -> None:
    """Total 1,500 s, ExecutionTime 600 s ("the amount of time that the job run consumed resources"):
    the 900 s it waited for capacity and started is pending, so the points add up to the span."""
    run = _glue_flex(1500, 600)
    points = otel.duration_points(run)
    assert [(s, a["cicd.pipeline.run.state"]) for s, a in points] == [
        (900.0, "pending"),
        (600.0, "executing"),
    ]
    assert points[-1][1]["cicd.pipeline.result"] == "success"
    span = otel.plan(run)
    assert span is not None and sum(s for s, _ in points) == (span.end - span.start).total_seconds() == 1500


@given(total_s=st.integers(0, 10**6), execution_s=st.integers(0, 10**6))
def test_a_glue_run_s_points_add_up_to_its_span(total_s: int, execution_s: int) -> None:
    assume(execution_s <= total_s)
    run = _glue_flex(total_s, execution_s)
    points = otel.duration_points(run)
    span = otel.plan(run)
    assert span is not None
    assert sum(s for s, _ in points) == (span.end - span.start).total_seconds()
    assert all(s > 0 for s, a in points if a["cicd.pipeline.run.state"] == "pending")


def _spans(requests: list[dict[str, Any]]) -> list[str]:
    return sorted(
        span["spanId"]
        for request in requests
        for resource in request.get("resourceSpans", [])
        for span in resource["scopeSpans"][0]["spans"]
    )


def _totals(requests: list[dict[str, Any]], name: str) -> dict[str, float]:
    """Per attribute set, the sum of a metric's counts across every request."""
    totals: dict[str, float] = {}
    for point in _metric(requests, name):
        key = json.dumps(point["attributes"], sort_keys=True)
        totals[key] = totals.get(key, 0) + int(point.get("count", point.get("asInt", 0)))
    return totals


def _observations(run: Run) -> list[Run]:
    """A run as ``poll`` would give it: seen going, then as it is (twice)."""
    if not run.is_terminal:
        return [run]
    going = attrs.evolve(run, state=State.RUNNING, reason=None, ended_at=None, tasks=())
    return [going, run, run]


@settings(max_examples=40, deadline=None)
@given(st.lists(runs(), max_size=8), st.integers(min_value=1, max_value=4))
def test_bounded_requests_say_what_one_request_says(many: list[Run], size: int) -> None:
    """However the input is cut into requests, every span, duration, error and active run is there
    once, as in one request; no request covers more than ``runs_per_request`` runs."""
    observed = [o for run in many for o in _observations(run)]
    try:
        whole = otel.otlp_json(observed, runs_per_request=10**6)
    except InvalidRecordError:  # a naive or pre-1970 time: refused whatever the bound
        with pytest.raises(InvalidRecordError):
            otel.otlp_json(observed, runs_per_request=size)
        return
    cut = otel.otlp_json(observed, runs_per_request=size)
    assert _spans(cut) == _spans(whole)
    for name in ("cicd.pipeline.run.duration", "cicd.pipeline.run.errors", "cicd.pipeline.run.active"):
        assert _totals(cut, name) == _totals(whole, name), name
    assert all(len(r.get("resourceSpans", [])) <= size for r in cut)
    assert len(_metric(cut, "cicd.pipeline.run.active")) == len(_metric(whole, "cicd.pipeline.run.active"))


def _glue(i: int) -> dict[str, Any]:
    return {
        "Id": f"jr_{i}", "JobName": "etl", "JobRunState": "FAILED" if i % 7 == 0 else "SUCCEEDED",
        "StartedOn": "2026-03-01T10:00:00Z", "CompletedOn": "2026-03-01T10:05:00Z",
    }  # fmt: skip


def test_cli_writes_one_bounded_request_a_line(tmp_path: Path) -> None:
    records, out = tmp_path / "runs.jsonl", tmp_path / "otlp.jsonl"
    total = 2 * otel.RUNS_PER_REQUEST + 500
    records.write_text("".join(json.dumps(_glue(i)) + "\n" for i in range(total)))
    assert _cli.main(["export", "--to", "otel-json", "-p", "glue", str(records), "-o", str(out)]) == 0
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    traces = [line for line in lines if "resourceSpans" in line]
    assert [len(t["resourceSpans"]) for t in traces] == [1000, 1000, 500]
    assert len(lines) == 6
    histogram = _metric(lines, "cicd.pipeline.run.duration")
    assert sum(int(p["count"]) for p in histogram) == total


def test_requests_are_made_as_the_runs_arrive() -> None:
    """The memory of writing stays that of one request: runs are read lazily, chunk by chunk."""
    made = 0

    def arriving() -> Iterator[Run]:
        nonlocal made
        for i in range(10_000):
            made += 1
            yield runstate.normalize("glue", _glue(i))

    requests = otel.otlp_requests(arriving(), runs_per_request=100)
    next(requests)
    assert made == 100
    tracemalloc.start()
    try:
        for _ in requests:
            pass
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert made == 10_000
    assert peak < 5_000_000, peak


@pytest.mark.parametrize("bad", [0, -1, 1.5, True, "10"])
def test_runs_per_request_must_be_a_positive_integer(bad: object) -> None:
    with pytest.raises(InvalidRecordError, match="runs_per_request"):
        otel.otlp_json(ONLY_RUNS, runs_per_request=bad)  # type: ignore[arg-type]


_START_MS = 1_772_359_200_000  # 2026-03-01T10:00:00Z


@given(
    wall_ms=st.integers(-(10**10), 10**10),
    parts=st.dictionaries(
        st.sampled_from(["queue_duration", "setup_duration", "execution_duration", "cleanup_duration"]),
        st.integers(-(10**9), 10**9),
    ),
)
def test_no_duration_point_is_negative(wall_ms: int, parts: dict[str, int]) -> None:
    """A histogram records non-negative values (the OpenTelemetry API: a Histogram's value "is expected
    to be non-negative"): an end before its start, or a negative part, which normalize keeps and
    reports, gives no point rather than a negative one."""
    record = {
        "run_id": 5,
        "job_id": 6,
        "run_name": "nightly",
        "state": {"life_cycle_state": "TERMINATED", "result_state": "SUCCESS"},
        "start_time": _START_MS,
        "end_time": _START_MS + wall_ms,
        **parts,
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", runstate.RunstateWarning)  # the order and odd values: reported
        run = runstate.normalize("databricks", record)
    points = otel.duration_points(run)
    assert all(seconds >= 0 for seconds, _ in points), points
    if points:
        assert "cicd.pipeline.result" in points[-1][1]


def test_a_cloud_deploy_job_run_ending_before_it_started_records_no_duration() -> None:
    record = {
        "name": "projects/p/locations/us-central1/deliveryPipelines/web/releases/r1/rollouts/r1-to-stable"
        "/jobRuns/j1",
        "phaseId": "stable",
        "jobId": "deploy",
        "state": "SUCCEEDED",
        "startTime": "2026-03-01T11:00:00Z",
        "endTime": "2026-03-01T10:00:00Z",
    }
    with pytest.warns(runstate.RunstateWarning, match="endTime"):
        run = runstate.normalize("cloud_deploy", record)
    assert otel.duration_points(run) == []
