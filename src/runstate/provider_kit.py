"""What a provider module is written with: the same kit for built-in and third-party providers.

A provider declares its tables as data (:class:`Outcome` per provider word), its native edges, and a
``build(record, ctx, keep_raw) -> Run`` that reads fields with the readers below, reporting every
problem through ``ctx`` (strict raises, lenient warns). Register it with :func:`runstate.register_provider`
and prove it sound in its own tests with :func:`runstate.check_provider`.

Build runs with the typed builders :func:`make_run` / :func:`make_durations`: the same arguments as
``Run`` / ``Durations``, about three times faster, and no conversion, so pass exactly the declared
types (a ``State``, a ``Reason`` or ``None``, a tuple of tasks); mypy checks every keyword and type.
A provider whose records are pieces of runs (hourly slices) gives its spec a ``combine``
(:data:`CombineFunction`) that merges the stream of runs ``normalize_many`` builds.

Built-in providers import nothing else from runstate (``tests/properties/test_layers.py`` checks it), so
everything a built-in needs is here: the readers, the reporting :class:`Context` (``ctx.report(kind,
field, value, problem)``), the vocabulary and its :data:`TERMINAL_STATES`, the canonical :data:`GRAPH`,
the errors a provider raises or narrows a warning to, and the limits of the time readers for a
provider that inlines their common case (:data:`EPOCH`, :data:`MIN_EPOCH_MS`, :data:`MAX_EPOCH_MS`,
:data:`MAX_DURATION`).

What the kit holds:

* the model: `Run`, `Durations`, `Missing` (why a duration is absent), `EMPTY` (the shared empty
  mapping for ``details`` / ``provider_state`` / ``missing``), built with `make_run` and
  `make_durations` (`new_run` / `new_durations`: deprecated aliases that warn), `freeze_details` (a fresh
  dict of facts made the run's read-only ``details``: a compact `Details` of its items, or
  ``EMPTY``; the dict is not kept, so build a new one per run);
* the vocabulary: `State`, `Reason`, `Phase`, `TERMINAL_STATES` (the states of the TERMINATED phase,
  a frozenset for a fast ``in``), `GRAPH` (the canonical transition graph, ``GRAPH.is_legal(a, b)``);
* the spec: `ProviderSpec`, `Outcome` (a table row), `UNKNOWN_OUTCOME`, `NativeEdge`,
  `BuildFunction`, `CombineFunction`, `map_word` (a word through a table, unknown words reported),
  `check_provider`, `merge_patterns` (the cells of a decision table merged into few rows);
  `CLOSING_STATES` (the default ``ProviderSpec.final_states``: the states after which a logical
  run is final, no attempt or repair following) and `RetryKey` (a ``ProviderSpec.retry_key``: what
  the attempts of one logical run share when the provider's records do not link them);
  `Reruns` (a ``ProviderSpec.reruns``: how many times a run was re-run in place, for a provider
  whose ``rerun_states`` say it repairs or redrives runs) and `RERUN_SOURCES` (every state a run can
  be re-run in place from: the terminal states);
* the decision as data, for a provider whose runs the SQL should normalize in a warehouse
  (``ProviderSpec.decision``, see docs/write-a-provider.md): `Decision` (columns, `Rule` s of
  `Test` s of a `TestKind`, the unmapped flag, `Duration` s from a `DurationSource`: a column of
  seconds, a `Span` of two times, `Millis`), with `Classes`, `Switch`, `EnumNumbers`, `Token` and
  `Count` for richer words, built by `grouped_rules` (a table), `rules_from_function` (a decision
  function over every class of word: known, `ABSENT`, `UNKNOWN_WORD`) or `rules_from_cells` /
  `partition_tests` / `is_partition` (the `Cell` s of a decision table);
* task runs, for a provider whose runs list several runs of one task key: `task_runs` (them split
  into task runs, each a list of its attempts), `continued_task_run`, `TaskAttempt` and
  `task_attempt` (the same rule one run at a time), `TaskChains` (the task runs of one key met so
  far, giving each next run its `previous_run_id` and `original_run_id`): a run continues the task run whose
  last attempt ended before it started, preferring one that did not succeed; runs that overlap in
  time are separate task runs (for-each iterations), as ``latest_task_attempts`` reads them;
* reporting: `Context` (``ctx.report(kind, field, value, problem)``, kinds `ReportKind`), and what
  a provider raises itself or narrows a warning to: `InvalidRecordError`, `InvalidRecordWarning`,
  `UnmappedStateWarning`;
* readers, each reporting an odd value: `opt_id`, `required_id`, `opt_int`, `opt_str`,
  `opt_mapping`, `opt_sequence`; each reads a data frame's null (NaN, pandas' ``NaT`` / ``NA``) as
  absent and a numpy number as the number it is (`is_null`, `plain_number`, for a provider's own
  fields); times `time_from_value`, `time_from_epoch_ms`, `time_from_epoch_s`,
  `to_utc`, `format_time`; durations `duration_from_ms`, `duration_from_s`, `check_order`,
  `check_parts`, and `time_between` (end - start, the one rule for a span over 100 years: a
  sentinel time, reported with the message `OUT_OF_RANGE` and left missing); `compile_duration`
  (a decision's `Duration` as a function of a row of Python values, giving what its SQL gives, so a
  reader evaluates the very rule the SQL is emitted from; `compile_span` for a lone `Span`, as a
  function of its two times) and `report_span` (what `time_between` reports of a span, for a
  reader whose value comes from such a rule);
* limits, for a provider that converts the common case itself and leaves the rest to the readers:
  `EPOCH`, `MIN_EPOCH_MS`, `MAX_EPOCH_MS`, `MAX_DURATION` (the longest duration the readers accept).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from ._core.constructors import new_durations as make_durations
from ._core.constructors import new_run as make_run
from ._core.context import Context, ReportKind
from ._core.deprecation import moved_names
from ._core.details import EMPTY, Details, freeze_details
from ._core.durations import (
    MAX_DURATION,
    OUT_OF_RANGE,
    check_order,
    check_parts,
    duration_from_ms,
    duration_from_s,
    report_span,
    time_between,
)
from ._core.errors import InvalidRecordError, InvalidRecordWarning, UnmappedStateWarning
from ._core.fields import (
    is_null,
    opt_id,
    opt_int,
    opt_mapping,
    opt_sequence,
    opt_str,
    plain_number,
    required_id,
)
from ._core.graph import GRAPH
from ._core.model import Durations, Missing, Run
from ._core.serialize import format_time
from ._core.times import (
    _MAX_EPOCH_MS,
    _MIN_EPOCH_MS,
    EPOCH,
    time_from_epoch_ms,
    time_from_epoch_s,
    time_from_value,
    to_utc,
)
from ._core.vocabulary import TERMINAL_STATES, Phase, Reason, State
from ._kit.decision import (
    ABSENT,
    UNKNOWN_WORD,
    Cell,
    Classes,
    Count,
    Decision,
    Duration,
    DurationSource,
    EnumNumbers,
    Millis,
    Rule,
    Span,
    Switch,
    Test,
    TestKind,
    Token,
    grouped_rules,
    is_partition,
    partition_tests,
    rules_from_cells,
    rules_from_function,
)
from ._kit.evaluate import compile_duration, compile_span
from ._kit.spec import (
    CLOSING_STATES,
    RERUN_SOURCES,
    UNKNOWN_OUTCOME,
    BuildFunction,
    CombineFunction,
    NativeEdge,
    Outcome,
    ProviderSpec,
    Reruns,
    RetryKey,
    StateWords,
    check_provider,
    map_word,
    merge_patterns,
)
from ._kit.task_runs import TaskAttempt, TaskChains, continued_task_run, task_attempt, task_runs

MIN_EPOCH_MS: Final = _MIN_EPOCH_MS
"""The smallest epoch-milliseconds integer :func:`time_from_epoch_ms` reads as a time without a word
(1973-03-03): below it a number looks like seconds. A provider may convert an ``int`` in
``[MIN_EPOCH_MS, MAX_EPOCH_MS]`` itself, ``EPOCH + timedelta(milliseconds=value)``, and leave every
other value to the reader, which reports it."""
MAX_EPOCH_MS: Final = _MAX_EPOCH_MS
"""The largest epoch-milliseconds integer :func:`time_from_epoch_ms` reads (9999-12-31T23:59:59Z)."""

__all__ = [
    "ABSENT",
    "CLOSING_STATES",
    "EMPTY",
    "EPOCH",
    "GRAPH",
    "MAX_DURATION",
    "MAX_EPOCH_MS",
    "MIN_EPOCH_MS",
    "OUT_OF_RANGE",
    "RERUN_SOURCES",
    "TERMINAL_STATES",
    "UNKNOWN_OUTCOME",
    "UNKNOWN_WORD",
    "BuildFunction",
    "Cell",
    "Classes",
    "CombineFunction",
    "Context",
    "Count",
    "Decision",
    "Details",
    "Duration",
    "DurationSource",
    "Durations",
    "EnumNumbers",
    "InvalidRecordError",
    "InvalidRecordWarning",
    "Millis",
    "Missing",
    "NativeEdge",
    "Outcome",
    "Phase",
    "ProviderSpec",
    "Reason",
    "ReportKind",
    "Reruns",
    "RetryKey",
    "Rule",
    "Run",
    "Span",
    "State",
    "StateWords",
    "Switch",
    "TaskAttempt",
    "TaskChains",
    "Test",
    "TestKind",
    "Token",
    "UnmappedStateWarning",
    "check_order",
    "check_parts",
    "check_provider",
    "compile_duration",
    "compile_span",
    "continued_task_run",
    "duration_from_ms",
    "duration_from_s",
    "format_time",
    "freeze_details",
    "grouped_rules",
    "is_null",
    "is_partition",
    "make_durations",
    "make_run",
    "map_word",
    "merge_patterns",
    "opt_id",
    "partition_tests",
    "task_attempt",
    "report_span",
    "task_runs",
    "time_between",
    "opt_int",
    "opt_mapping",
    "opt_sequence",
    "opt_str",
    "plain_number",
    "required_id",
    "rules_from_cells",
    "rules_from_function",
    "time_from_epoch_ms",
    "time_from_epoch_s",
    "time_from_value",
    "to_utc",
]

if TYPE_CHECKING:
    new_run = make_run
    new_durations = make_durations
else:
    __getattr__ = moved_names(
        __name__,
        {
            "new_run": ("runstate.provider_kit.make_run", make_run),
            "new_durations": ("runstate.provider_kit.make_durations", make_durations),
        },
    )
