"""Finished runs as OpenTelemetry CI/CD spans and metrics (semantic conventions v1.44.0).

A run is a pipeline run (span kind SERVER), its tasks are task runs (INTERNAL). Needs the ``otel``
extra (``opentelemetry-api``) for :func:`emit` and :class:`ActiveRuns`; :func:`otlp_json` writes the
OpenTelemetry Collector's file-exporter format (OTLP/JSON) from plain data, with no dependency.
Decisions (which duration is which state, ``error.type``, ids): docs/export.md.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import UTC, datetime, timedelta
from types import MappingProxyType
from typing import IO, TYPE_CHECKING, Any, Final

import attrs

from ._core.deprecation import moved_names
from ._core.errors import InvalidRecordError
from ._core.model import Run
from ._core.tracker import Observation
from ._core.vocabulary import State, otel_result, otel_run_state
from ._export.run_facts import (
    error_type,
    identity_bytes,
    namespace_of,
    pipeline_name,
    require,
    require_aware,
    run_url,
    walk,
)

if TYPE_CHECKING:
    from opentelemetry.metrics import Meter
    from opentelemetry.trace import Tracer

__all__ = [
    "ACTIVE_MEMORY",
    "DURATION_STATES",
    "ActiveRuns",
    "SpanPlan",
    "RUNS_PER_REQUEST",
    "otlp_json",
    "otlp_requests",
    "emit",
    "plan",
    "write_otlp_json",
]

SCOPE: Final = "runstate"
ACTION: Final = "RUN"
"""``cicd.pipeline.action.name`` of every run: runstate records executions."""

DURATION_STATES: Final = MappingProxyType(
    {"pending": ("queue", "setup"), "executing": ("execution",), "finalizing": ("cleanup",)}
)
"""``cicd.pipeline.run.duration`` per ``cicd.pipeline.run.state``: the :class:`Durations` parts it sums.
A state gets a point only if the run has at least one of its parts; a run that reports no split at
all (setup, execution and cleanup all missing: Databricks multitask, Cloud Deploy) counts its total,
less its queue time where the total covers it, as ``executing``."""

_DURATION_BRIEF: Final = "Duration of a pipeline run grouped by pipeline, state and result."
_ERRORS_BRIEF: Final = "The number of errors encountered in pipeline runs (eg. compile, test failures)."
_FAILED_RESULTS: Final = frozenset({"failure", "error"})
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_NS: Final = timedelta(microseconds=1)


@attrs.frozen
class SpanPlan:
    """One span to emit, as plain data: what :func:`emit` and :func:`otlp_json` both write."""

    name: str
    kind: str
    """``SERVER`` (pipeline run) or ``INTERNAL`` (task run)."""
    start: datetime
    end: datetime
    attributes: Mapping[str, str]
    error: str | None
    """The status description of a failed span (``error.type`` is set), else None."""
    key: str
    """Identity of the run this span stands for (namespace, provider, run id, attempt)."""
    children: tuple[SpanPlan, ...] = ()


def _key(run: Run) -> str:
    return f"{namespace_of(run)}|{run.provider}|{run.run_id}|{run.attempt}"


def _result_attributes(run: Run, prefix: str) -> dict[str, str]:
    result = otel_result(run.state, run.reason)
    attributes = {} if result is None else {prefix: result}
    if result in _FAILED_RESULTS:
        attributes["error.type"] = error_type(run)
    return attributes


def _task_plan(task: Run, parent_start: datetime) -> SpanPlan | None:
    if not task.is_terminal:
        return None  # only ended task runs have a result
    start = task.created_at or task.started_at or task.ended_at or parent_start
    end = max(task.ended_at or start, start)
    attributes = {
        "cicd.pipeline.task.name": task.name or task.run_id,
        "cicd.pipeline.task.run.id": task.run_id,
        **_result_attributes(task, "cicd.pipeline.task.run.result"),
    }
    if (url := run_url(task)) is not None:
        attributes["cicd.pipeline.task.run.url.full"] = url
    children = tuple(p for t in task.tasks if (p := _task_plan(t, start)) is not None)
    failed = "error.type" in attributes
    return SpanPlan(
        task.name or task.run_id, "INTERNAL", start, end, attributes,
        (task.message or attributes["error.type"]) if failed else None, _key(task), children,
    )  # fmt: skip


def _default_span_name(run: Run) -> str:
    """``{action} {pipeline}`` (``cicd.pipeline.name``), or ``{action}`` alone when the run has no name
    nor job id: the name would be the run id, which the conventions rule out (high cardinality:
    "SHOULD be ``{action}``")."""
    return f"{ACTION} {pipeline_name(run)}" if run.name or run.job_id else ACTION


def plan(run: Run, span_name: Callable[[Run], str] | None = None) -> SpanPlan | None:
    """The span tree of an ended run, or None while it runs (or has no time at all to place it)."""
    if not require_aware(run, since_epoch=True).is_terminal:
        return None
    start = run.created_at or run.started_at or run.ended_at
    if start is None:
        return None
    end = max(run.ended_at or start, start)
    name = pipeline_name(run)
    attributes = {
        "cicd.pipeline.name": name,
        "cicd.pipeline.action.name": ACTION,
        **_result_attributes(run, "cicd.pipeline.result"),
        "cicd.pipeline.run.id": run.run_id,
    }
    if (url := run_url(run)) is not None:
        attributes["cicd.pipeline.run.url.full"] = url
    children = tuple(p for t in run.tasks if (p := _task_plan(t, start)) is not None)
    failed = "error.type" in attributes
    title = span_name(run) if span_name is not None else _default_span_name(run)
    return SpanPlan(
        title, "SERVER", start, end, attributes,
        (run.message or attributes["error.type"]) if failed else None, _key(run), children,
    )  # fmt: skip


def _unsplit_execution(run: Run, total: timedelta) -> timedelta:
    """The ``executing`` part of a run that reports only its total and perhaps its queue time.

    Providers' totals differ: Databricks' ``run_duration`` (Jobs API and system tables) covers the
    queue, Cloud Deploy's end minus start does not. Where the run's span (created to ended) shows the
    total cannot be queue-free (total > span - queue), the queue is taken out, so it is not counted
    as both ``pending`` and ``executing``.
    """
    if run.durations.queue is None or run.created_at is None or run.ended_at is None:
        return total
    return max(min(total, run.ended_at - run.created_at - run.durations.queue), timedelta(0))


def duration_points(run: Run) -> list[tuple[float, dict[str, str]]]:
    """``cicd.pipeline.run.duration`` points of an ended run: (seconds, attributes) per state it had.

    ``cicd.pipeline.result`` goes on the last state's point (the result is set during it);
    ``error.type`` on every point of a failed run. A negative time (an end before its start, which
    normalize keeps and reports) gives no point: a histogram's value "is expected to be non-negative".
    """
    if not run.is_terminal:
        return []
    d = run.durations
    seconds: dict[str, float] = {}
    for state, parts in DURATION_STATES.items():
        values = [v for p in parts if (v := getattr(d, p)) is not None]
        if values:
            seconds[state] = sum(values, timedelta(0)).total_seconds()
    if d.setup is None and d.execution is None and d.cleanup is None and d.total is not None:
        seconds["executing"] = _unsplit_execution(run, d.total).total_seconds()
    elif "pending" not in seconds and d.total is not None and min(seconds.values(), default=0) >= 0:
        _unmeasured_wait(seconds, d.total)
    base = {"cicd.pipeline.name": pipeline_name(run)}
    result = _result_attributes(run, "cicd.pipeline.result")
    error = {k: v for k, v in result.items() if k == "error.type"}
    states = [s for s in DURATION_STATES if seconds.get(s, -1) >= 0]
    return [
        (seconds[s], {**base, "cicd.pipeline.run.state": s, **(result if s == states[-1] else error)})
        for s in states
    ]


def _unmeasured_wait(seconds: dict[str, float], total: timedelta) -> None:
    """``pending`` of a run that measures its execution but not its wait: the rest of its total.

    A Glue run waits (WAITING, STARTING) inside ``CompletedOn - StartedOn`` and reports only
    ``ExecutionTime``; a Flex run may wait 20 minutes for capacity. The conventions' pending "spans from
    the event triggering the pipeline run until the execution of the run starts (eg. time spent in a
    queue, provisioning agents, creating run resources)", so the points add up to the run's total.
    """
    rest = total.total_seconds() - sum(seconds.values())
    if rest > 0:
        seconds["pending"] = rest


def error_points(run: Run) -> list[dict[str, str]]:
    """``cicd.pipeline.run.errors``: one per failed leaf task run, else one if the run itself failed.

    A partial success thus counts its failed tasks though its result is ``success`` (the conventions
    allow non-fatal errors).
    """
    if not run.is_terminal:
        return []
    name = pipeline_name(run)
    failed = [
        r for r, _ in walk(run)
        if not r.tasks and r is not run and otel_result(r.state, r.reason) in _FAILED_RESULTS
    ]  # fmt: skip
    if not failed and otel_result(run.state, run.reason) in _FAILED_RESULTS:
        failed = [run]
    return [{"cicd.pipeline.name": name, "error.type": error_type(r)} for r in failed]


def _ns(at: datetime) -> int:
    return (at - _EPOCH) // _NS * 1000


def _emit_span(tracer: Tracer, span: SpanPlan, context: Any) -> None:
    trace = require("opentelemetry.trace", "otel")
    kind = trace.SpanKind.SERVER if span.kind == "SERVER" else trace.SpanKind.INTERNAL
    started = tracer.start_span(
        span.name, context=context, kind=kind, attributes=dict(span.attributes), start_time=_ns(span.start)
    )
    if span.error is not None:
        started.set_status(trace.Status(trace.StatusCode.ERROR, span.error))
    inner = trace.set_span_in_context(started)
    for child in span.children:
        _emit_span(tracer, child, inner)
    started.end(end_time=_ns(span.end))


def emit(
    runs: Iterable[Run],
    *,
    tracer: Tracer | None = None,
    meter: Meter | None = None,
    span_name: Callable[[Run], str] | None = None,
) -> int:
    """Emit each ended run as a span tree and its duration and error metrics; returns the spans' count.

    Runs not yet ended produce nothing here (feed :class:`ActiveRuns` with them). ``tracer`` and
    ``meter`` default to the global providers' ``runstate`` ones; ``span_name(run)`` replaces the
    default ``RUN {cicd.pipeline.name}`` where names have high cardinality. A run given more than
    once counts once, as its last observation (as in :func:`otlp_json`); across calls, give each
    ended run once.
    """
    trace = require("opentelemetry.trace", "otel")
    metrics = require("opentelemetry.metrics", "otel")
    context = require("opentelemetry.context", "otel")
    tracer = tracer or trace.get_tracer(SCOPE)
    meter = meter or metrics.get_meter(SCOPE)
    histogram = meter.create_histogram("cicd.pipeline.run.duration", unit="s", description=_DURATION_BRIEF)
    errors = meter.create_counter("cicd.pipeline.run.errors", unit="{error}", description=_ERRORS_BRIEF)
    count = 0
    for run in _latest(runs):
        tree = plan(run, span_name)
        if tree is None:
            continue
        _emit_span(tracer, tree, context.Context())
        count += sum(1 for _ in _flatten(tree))
        for seconds, attributes in duration_points(run):
            histogram.record(seconds, attributes)
        for attributes in error_points(run):
            errors.add(1, attributes)
    return count


def _flatten(span: SpanPlan) -> Iterator[SpanPlan]:
    yield span
    for child in span.children:
        yield from _flatten(child)


ACTIVE_MEMORY: Final = 10_000
"""How many ended runs :class:`ActiveRuns` remembers the last observation time of (to ignore a late,
older observation of them); past this, the oldest half is forgotten."""


class ActiveRuns:
    """Feeds ``cicd.pipeline.run.active``: a run enters its state while not terminal, leaves when it ends.

    Give it every observation of runs (``observe(run)``, or a :class:`runstate.Observation` of a
    tracker); a run seen in a new state moves from the old state's count to the new one. An
    ``Observation`` older than the newest one seen of its run arrived late (trackers take them in any
    order) and changes nothing, so a run that ended never re-enters on a stale observation.
    """

    def __init__(self, meter: Meter | None = None) -> None:
        metrics = require("opentelemetry.metrics", "otel")
        meter = meter or metrics.get_meter(SCOPE)
        self._counter = meter.create_up_down_counter(
            "cicd.pipeline.run.active", unit="{run}",
            description="The number of pipeline runs currently active in the system by state.",
        )  # fmt: skip
        self._where: dict[str, tuple[str, str]] = {}
        self._seen_at: dict[str, datetime] = {}

    def observe(
        self, observed: Run | Observation, *, name: str | None = None, run_id: str | None = None
    ) -> str | None:
        """Count one observation; returns the run's ``cicd.pipeline.run.state`` now (None once ended).

        An :class:`Observation` without its run needs ``name`` (the pipeline's name) to be counted,
        and ``run_id`` (any id of the run, e.g. one per tracker) to be told apart from other runs of
        that pipeline; without it, such observations of one name count as one run.
        """
        run = observed if isinstance(observed, Run) else observed.run
        state: State = observed.state
        if run is None and name is None:
            raise InvalidRecordError("runstate", "name", name, "an Observation without its run needs name=")
        key = _key(run) if run is not None else f"name|{name}|{run_id}"
        before = self._where.get(key)
        if isinstance(observed, Observation) and self._stale(key, observed.at):
            return None if before is None else before[1]
        pipeline = pipeline_name(run) if run is not None else str(name)
        now = otel_run_state(state)
        if before is not None and before[1] == now:
            return now
        if before is not None:
            self._counter.add(-1, {"cicd.pipeline.name": before[0], "cicd.pipeline.run.state": before[1]})
            del self._where[key]
        if now is not None:
            self._counter.add(1, {"cicd.pipeline.name": pipeline, "cicd.pipeline.run.state": now})
            self._where[key] = (pipeline, now)
        return now

    def _stale(self, key: str, at: datetime) -> bool:
        """Whether an observation at ``at`` is older than the newest one of its run; else note it."""
        newest = self._seen_at.get(key)
        if newest is not None and at < newest:
            return True
        self._seen_at[key] = at
        if len(self._seen_at) > ACTIVE_MEMORY + len(self._where):
            ended = [k for k in self._seen_at if k not in self._where]
            for old in ended[: len(ended) // 2]:
                del self._seen_at[old]
        return False


# --- OTLP/JSON (the Collector's file exporter) ----------------------------------------------------

_KIND: Final = MappingProxyType({"INTERNAL": 1, "SERVER": 2})
"""OTLP ``Span.SpanKind`` numbers."""
_STATUS_ERROR: Final = 2
_DELTA, _CUMULATIVE = 1, 2
BOUNDS: Final = (0.0, 5.0, 10.0, 25.0, 50.0, 75.0, 100.0, 250.0, 500.0, 750.0, 1000.0, 2500.0, 5000.0,
                 7500.0, 10000.0)  # fmt: skip
"""Histogram bucket bounds: the SDK's defaults (the conventions give no advice for this metric)."""


def _id(text: str, size: int) -> str:
    return hashlib.sha256(identity_bytes(text)).hexdigest()[: size * 2]


def _attributes(values: Mapping[str, str]) -> list[dict[str, Any]]:
    return [{"key": k, "value": {"stringValue": v}} for k, v in values.items()]


def _otlp_spans(span: SpanPlan, trace_id: str, parent: str | None, path: str) -> Iterator[dict[str, Any]]:
    span_id = _id(f"{trace_id}/{path}", 8)
    out: dict[str, Any] = {
        "traceId": trace_id, "spanId": span_id, "name": span.name, "kind": _KIND[span.kind],
        "startTimeUnixNano": str(_ns(span.start)), "endTimeUnixNano": str(_ns(span.end)),
        "attributes": _attributes(span.attributes), "status": {},
    }  # fmt: skip
    if parent is not None:
        out["parentSpanId"] = parent
    if span.error is not None:
        out["status"] = {"code": _STATUS_ERROR, "message": span.error}
    yield out
    for child in span.children:
        yield from _otlp_spans(child, trace_id, span_id, f"{path}/{child.key}")


def _resource_spans(run: Run, tree: SpanPlan) -> dict[str, Any]:
    resource = {"cicd.pipeline.name": pipeline_name(run), "cicd.pipeline.run.id": run.run_id}
    if (url := run_url(run)) is not None:
        resource["cicd.pipeline.run.url.full"] = url
    trace_id = _id(tree.key, 16)
    return {
        "resource": {"attributes": _attributes(resource)},
        "scopeSpans": [
            {"scope": {"name": SCOPE}, "spans": list(_otlp_spans(tree, trace_id, None, tree.key))}
        ],
    }


def _histogram(points: list[tuple[float, dict[str, str]]], start: int, end: int) -> list[dict[str, Any]]:
    groups: dict[tuple[tuple[str, str], ...], list[float]] = {}
    for seconds, attributes in points:
        groups.setdefault(tuple(sorted(attributes.items())), []).append(seconds)
    out = []
    for group, values in groups.items():
        buckets = [0] * (len(BOUNDS) + 1)
        for v in values:
            buckets[sum(1 for b in BOUNDS if v > b)] += 1
        out.append({
            "attributes": _attributes(dict(group)), "startTimeUnixNano": str(start),
            "timeUnixNano": str(end), "count": str(len(values)), "sum": sum(values),
            "bucketCounts": [str(b) for b in buckets], "explicitBounds": list(BOUNDS),
            "min": min(values), "max": max(values),
        })  # fmt: skip
    return out


def _sums(points: Iterable[dict[str, str]], start: int, end: int) -> list[dict[str, Any]]:
    groups: dict[tuple[tuple[str, str], ...], int] = {}
    for attributes in points:
        group = tuple(sorted(attributes.items()))
        groups[group] = groups.get(group, 0) + 1
    return [
        {"attributes": _attributes(dict(k)), "startTimeUnixNano": str(start), "timeUnixNano": str(end),
         "asInt": str(n)}
        for k, n in groups.items()
    ]  # fmt: skip


def _latest(runs: Iterable[Run]) -> list[Run]:
    """One observation per run identity, in first-seen order: an ended one over one still going,
    else the later in the input (a run seen twice must not give two spans, points or active counts)."""
    latest: dict[str, Run] = {}
    for run in runs:
        key = _key(run)
        seen = latest.get(key)
        if seen is None or run.is_terminal or not seen.is_terminal:
            latest[key] = run
    return list(latest.values())


RUNS_PER_REQUEST: Final = 1000
"""How many runs of the input (observations, repeats included) one OTLP/JSON request covers at most,
so a request stays a few megabytes whatever the input's size (a Collector's receiver takes 4 MiB by
default, gRPC's message limit)."""


def otlp_json(
    runs: Iterable[Run],
    *,
    span_name: Callable[[Run], str] | None = None,
    runs_per_request: int = RUNS_PER_REQUEST,
) -> list[dict[str, Any]]:
    """The runs as OTLP/JSON requests: :func:`otlp_requests`, as a list."""
    return list(otlp_requests(runs, span_name=span_name, runs_per_request=runs_per_request))


def otlp_requests(
    runs: Iterable[Run],
    *,
    span_name: Callable[[Run], str] | None = None,
    runs_per_request: int = RUNS_PER_REQUEST,
) -> Iterator[dict[str, Any]]:
    """The runs as bounded OTLP/JSON requests, lazily: for each ``runs_per_request`` runs of the
    input, an ``ExportTraceServiceRequest`` (a resource per ended run, with its ``cicd.pipeline.run``
    attributes) and an ``ExportMetricsServiceRequest`` of their durations and errors (delta points);
    the last metrics request also counts the runs still active at the input's end.

    Trace and span ids are hashes of the run's identity, so a replay of the same runs gives the
    same ids. A run observed more than once (``poll`` output) counts once, as its last observation
    (an ended one over one still going), so ``cicd.pipeline.run.active`` counts the runs of the
    input that have not ended and no span or point is written twice. Memory grows only by a
    16-byte digest per ended run (to count it once) and an entry per run still going.
    """
    if isinstance(runs_per_request, bool) or not isinstance(runs_per_request, int) or runs_per_request < 1:
        raise InvalidRecordError("otel", "runs_per_request", runs_per_request, "must be a positive integer")
    seen = _Seen()
    held: list[dict[str, Any]] | None = None  # the previous chunk's metrics: the last takes the active count
    for chunk in _chunks(runs, runs_per_request):
        resources, metrics = seen.chunk(_latest(chunk), span_name)
        if resources:
            yield {"resourceSpans": resources}
        if metrics:
            if held is not None:
                yield _metrics_request(held)
            held = metrics
    last = [*(held or []), *seen.active_metric()]
    if last:
        yield _metrics_request(last)


def _chunks(runs: Iterable[Run], size: int) -> Iterator[list[Run]]:
    chunk: list[Run] = []
    for run in runs:
        chunk.append(run)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _metrics_request(metrics: list[dict[str, Any]]) -> dict[str, Any]:
    scope = {"scope": {"name": SCOPE}, "metrics": metrics}
    return {"resourceMetrics": [{"resource": {"attributes": []}, "scopeMetrics": [scope]}]}


def _digest(run: Run) -> bytes:
    return hashlib.blake2b(identity_bytes(_key(run)), digest_size=16).digest()


class _Seen:
    """What the requests written so far said: which runs ended (each written once), which are still
    going (their last observation), and the span of times of everything counted."""

    def __init__(self) -> None:
        self.ended: set[bytes] = set()
        self.active: dict[bytes, tuple[str, str, int | None]] = {}
        self.times: list[int] = []  # min and max so far

    def _time(self, at: int) -> None:
        self.times = [min(at, self.times[0]), max(at, self.times[1])] if self.times else [at, at]

    def chunk(
        self, runs: list[Run], span_name: Callable[[Run], str] | None
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """The resources and metrics of one chunk's runs (already one per identity)."""
        resources, durations, errors, times = [], [], [], []
        for run in runs:
            key = _digest(run)
            if key in self.ended:
                continue  # ended before: written once
            if not run.is_terminal:
                self._going(key, run)
                continue
            self.ended.add(key)
            self.active.pop(key, None)
            tree = plan(run, span_name)
            if tree is not None:
                resources.append(_resource_spans(run, tree))
                durations += duration_points(run)
                errors += error_points(run)
                times.append(_ns(tree.end))
        for at in times:
            self._time(at)
        return resources, _delta_metrics(durations, errors, times)

    def _going(self, key: bytes, run: Run) -> None:
        state = otel_run_state(run.state)
        if state is None:  # UNKNOWN: not counted as active in any state
            self.active.pop(key, None)
            return
        seen = [t for t in (run.created_at, run.started_at, run.updated_at) if t is not None]
        at = _ns(max(seen)) if require_aware(run, since_epoch=True) and seen else None
        self.active[key] = (pipeline_name(run), state, at)

    def active_metric(self) -> list[dict[str, Any]]:
        """``cicd.pipeline.run.active`` at the input's end (a cumulative sum), if any run is going."""
        if not self.active:
            return []
        for _, _, at in self.active.values():
            if at is not None:
                self._time(at)
        start, end = self.times or (_ns(datetime.now(UTC)),) * 2
        points = [{"cicd.pipeline.name": name, "cicd.pipeline.run.state": state}
                  for name, state, _ in self.active.values()]  # fmt: skip
        counted = {"dataPoints": _sums(points, start, end), "aggregationTemporality": _CUMULATIVE}
        return [
            {"name": "cicd.pipeline.run.active", "unit": "{run}", "sum": {**counted, "isMonotonic": False}}
        ]


def _delta_metrics(
    durations: list[tuple[float, dict[str, str]]], errors: list[dict[str, str]], times: list[int]
) -> list[dict[str, Any]]:
    """The duration histogram and error count of one chunk's ended runs, over the chunk's times."""
    if not times:
        return []
    start, end = min(times), max(times)
    metrics: list[dict[str, Any]] = []
    if durations:
        histogram = {"dataPoints": _histogram(durations, start, end), "aggregationTemporality": _DELTA}
        metrics.append({"name": "cicd.pipeline.run.duration", "unit": "s", "histogram": histogram})
    if errors:
        counted = {"dataPoints": _sums(errors, start, end), "aggregationTemporality": _DELTA}
        metrics.append({"name": "cicd.pipeline.run.errors", "unit": "{error}",
                        "sum": {**counted, "isMonotonic": True}})  # fmt: skip
    return metrics


def write_otlp_json(runs: Iterable[Run], stream: IO[str], **options: Any) -> int:
    """Write :func:`otlp_requests` as JSON Lines (one request a line, as the Collector's file exporter
    writes and its ``otlpjsonfile`` receiver reads), each written as it is made; returns the lines."""
    count = 0
    for request in otlp_requests(runs, **options):
        stream.write(json.dumps(request, separators=(",", ":")) + "\n")
        count += 1
    return count


if TYPE_CHECKING:
    record = emit
else:
    __getattr__ = moved_names(__name__, {"record": ("runstate.otel.emit", emit)})
