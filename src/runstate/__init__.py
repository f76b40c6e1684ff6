"""runstate: the run records of cloud job services, in one canonical run model.

>>> import runstate
>>> run = runstate.normalize("glue", {"Id": "jr_1", "JobName": "etl", "JobRunState": "SUCCEEDED"})
>>> run.state, run.phase, run.is_terminal
(<State.SUCCEEDED: 'SUCCEEDED'>, <Phase.TERMINATED: 'TERMINATED'>, True)

The top-level names, by group (``runstate.__all__`` lists them in this order):

Model and vocabulary
    Run, Durations, Missing; State, Phase, Reason; otel_run_state, otel_result.
Normalizing and the registry
    normalize, normalize_many, normalize_lines, LineFailure, RecordFailure; providers,
    register_provider, REGISTRY, ProviderRegistry; ProviderSpec, Outcome, NativeEdge,
    check_provider, provider_problems (to check a provider; to write one, see runstate.provider_kit).
History, summaries and polling
    logical_runs, LogicalRun, latest_task_attempts; summarize, Summary; poll, apoll.
Waiting on runs (for orchestrator adapters)
    verdict, Verdict (over? succeeded? worth a retry?); state_of (a state from bare provider words).
Rows
    to_row, to_rows: flat dict rows for tables and DataFrames.
Graph and tracker
    GRAPH, TransitionGraph, Edge, EdgeKind, IllegalStep; RunTracker, Observation, Segment, Conflict.
Durations
    sum_durations, wall_time, task_time, total_across_attempts, time_range, parse_time.
Serialization
    to_dict (of a Run or a Summary), from_dict.
Deprecated (each warns, naming its replacement)
    EDGES (GRAPH.edges), span (time_range).
Errors and warnings
    RunstateError and its subclasses (UnknownProviderError, InvalidRecordError, UnmappedStateError,
    IllegalTransitionError, ProviderSpecError, PollTimeoutError); RunstateWarning and its
    subclasses (UnmappedStateWarning, InvalidRecordWarning, NaiveDatetimeWarning,
    InconsistentDurationWarning, StateConflictWarning).

Submodules, imported on their own (``import runstate`` does not import them nor their extras):

runstate.provider_kit
    what a provider is written with, the same for built-in and third-party providers.
runstate.arrow
    runs as Arrow tables and Parquet, CSV or Arrow files (``pip install 'runstate[arrow]'``).
runstate.spark
    normalizing a Spark DataFrame of records on the executors (``runstate[spark]``).
runstate.sql
    the mapping tables as SQL, to normalize inside a warehouse (``runstate[sql]``).
runstate.otel
    finished runs as OpenTelemetry CI/CD spans and metrics (``runstate[otel]``).
runstate.openlineage
    runs as OpenLineage RunEvents (``runstate[openlineage]``).
runstate.cdevents
    runs as CDEvents (no dependency).

The command line: ``runstate --help``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

from ._core.deprecation import moved_names
from ._core.durations import sum_durations, task_time, time_range, total_across_attempts, wall_time
from ._core.errors import (
    IllegalTransitionError,
    InconsistentDurationWarning,
    InvalidRecordError,
    InvalidRecordWarning,
    NaiveDatetimeWarning,
    ProviderSpecError,
    RunstateError,
    RunstateWarning,
    StateConflictWarning,
    UnknownProviderError,
    UnmappedStateError,
    UnmappedStateWarning,
)
from ._core.graph import EDGES as _EDGES
from ._core.graph import GRAPH, Edge, EdgeKind, IllegalStep, TransitionGraph
from ._core.model import Durations, Missing, Run
from ._core.serialize import from_dict
from ._core.serialize import to_dict as _run_dict
from ._core.times import parse_time
from ._core.tracker import Conflict, Observation, RunTracker, Segment
from ._core.verdict import Verdict, verdict
from ._core.vocabulary import Phase, Reason, State, otel_result, otel_run_state
from ._history.logical import LogicalRun, latest_task_attempts, logical_runs
from ._history.poll import PollTimeoutError, apoll, poll
from ._history.summarize import Summary, summarize
from ._kit.registry import REGISTRY, ProviderRegistry, RecordFailure
from ._kit.spec import NativeEdge, Outcome, ProviderSpec, check_provider, provider_problems
from ._kit.state_of import state_of
from ._providers import register_builtin_providers
from ._tables.lines import LineFailure, check_iterable, normalize_lines
from ._tables.rows import to_row, to_rows

__all__ = [
    # model and vocabulary
    "Run",
    "Durations",
    "Missing",
    "State",
    "Phase",
    "Reason",
    "otel_run_state",
    "otel_result",
    # normalizing and the registry (writing a provider: runstate.provider_kit, which holds
    # ProviderSpec, Outcome, NativeEdge and check_provider too)
    "normalize",
    "normalize_many",
    "normalize_lines",
    "LineFailure",
    "RecordFailure",
    "providers",
    "register_provider",
    "REGISTRY",
    "ProviderRegistry",
    "ProviderSpec",
    "Outcome",
    "NativeEdge",
    "check_provider",
    "provider_problems",
    # history, summaries and polling
    "logical_runs",
    "LogicalRun",
    "latest_task_attempts",
    "summarize",
    "Summary",
    "poll",
    "apoll",
    # waiting on runs
    "verdict",
    "Verdict",
    "state_of",
    # rows
    "to_row",
    "to_rows",
    # graph and tracker
    "GRAPH",
    "TransitionGraph",
    "Edge",
    "EdgeKind",
    "IllegalStep",
    "RunTracker",
    "Observation",
    "Segment",
    "Conflict",
    # durations
    "sum_durations",
    "wall_time",
    "task_time",
    "total_across_attempts",
    "time_range",
    "parse_time",
    # serialization
    "to_dict",
    "from_dict",
    # errors and warnings
    "RunstateError",
    "UnknownProviderError",
    "InvalidRecordError",
    "UnmappedStateError",
    "IllegalTransitionError",
    "ProviderSpecError",
    "PollTimeoutError",
    "RunstateWarning",
    "UnmappedStateWarning",
    "InvalidRecordWarning",
    "NaiveDatetimeWarning",
    "InconsistentDurationWarning",
    "StateConflictWarning",
]

register_builtin_providers(REGISTRY)

if TYPE_CHECKING:
    EDGES = _EDGES
    span = time_range
else:
    __getattr__ = moved_names(
        __name__, {"EDGES": ("runstate.GRAPH.edges", _EDGES), "span": ("runstate.time_range", time_range)}
    )


def normalize(
    provider: str, record: Any, *, strict: bool = False, keep_raw: bool = True, namespace: str | None = None
) -> Run:
    """Turn one provider record into a canonical :class:`Run`.

    ``record`` is the provider's JSON dict (or, where the provider supports it, its SDK object).
    Lenient (default): unmapped states become ``State.UNKNOWN`` and unusable fields are dropped,
    each with a :class:`RunstateWarning` naming provider, field and value. ``strict=True`` raises
    :class:`InvalidRecordError` (or its :class:`UnmappedStateError`) instead. ``keep_raw=False``
    leaves ``run.raw`` as ``None`` for bulk loads. An unknown ``provider`` raises
    :class:`UnknownProviderError`. Whatever a third-party record or SDK object raises while it is read
    becomes an :class:`InvalidRecordError` with the original as its cause. ``namespace`` (where the run
    lives, e.g. ``"aws:123456789012:eu-west-1"``) fills the run's and its tasks' namespace where the
    record says none and wins where it says another (a :class:`StateConflictWarning`).
    """
    return _NORMALIZE(provider, record, strict, keep_raw, namespace)


_NORMALIZE = REGISTRY.normalize_by_position


def normalize_many(
    provider: str,
    records: Iterable[Any],
    *,
    strict: bool = False,
    keep_raw: bool = True,
    on_error: Callable[[RecordFailure], None] | None = None,
    namespace: str | None = None,
) -> Iterator[Run]:
    """Lazily turn records, or the provider's list pages of records, into runs (constant memory).

    By default the first record that fails raises (with a note giving its index); with ``on_error``
    each failure is handed to it as a :class:`RecordFailure` and the iteration goes on. ``namespace``
    as for :func:`normalize`. ``records`` that are no iterable of records (``None``, a number, one
    record given as a dict, a str or bytes) raise :class:`InvalidRecordError` at once.
    """
    check_iterable(provider, "records", records)
    return REGISTRY.normalize_many(
        provider, records, strict=strict, keep_raw=keep_raw, on_error=on_error, namespace=namespace
    )


def to_dict(value: Run | Summary) -> dict[str, Any]:
    """A run, or a summary, as JSON-ready data: :func:`from_dict` reads a run's back.

    A run's validates against ``schemas/run.schema.json``; a summary's is :meth:`Summary.to_dict`.
    Anything else raises :class:`TypeError` naming what it takes.
    """
    if isinstance(value, Summary):
        return value.to_dict()
    return _run_dict(value)


def providers() -> tuple[str, ...]:
    """Names of the registered providers, sorted."""
    return REGISTRY.names()


def register_provider(spec: ProviderSpec) -> ProviderSpec:
    """Register a provider in the default registry (checked first; the newest registration wins)."""
    return REGISTRY.register(spec)
