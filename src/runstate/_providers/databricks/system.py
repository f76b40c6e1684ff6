"""Databricks system tables: rows of ``system.lakeflow.job_run_timeline`` and ``job_task_run_timeline``.

Written like a third-party provider (only :mod:`runstate.provider_kit`); the termination codes and
types are read with the ``databricks`` provider's own tables (the Jobs API words), imported.
Documentation: the Jobs system table reference, https://docs.databricks.com/aws/en/admin/system-tables/jobs
(Azure: https://learn.microsoft.com/en-us/azure/databricks/admin/system-tables/jobs). What was read of
it, and from where, is :mod:`._databricks_system_columns`: the columns and their types, that
``result_state`` and ``termination_code`` are "populated only in the row that represents the end of
the run", that the newer columns are "Not populated for rows emitted before early December 2025", and
the page's query that counts a run's retries as its end rows. Not read: the page's value lists
(sections "Trigger type values", "Run type values", "Result state values", "Termination code
values"), which no stored copy reaches: :data:`KNOWN_RESULT_STATES`, :data:`TRIGGER_TYPES` and
:data:`RUN_TYPES` are those lists as recalled, and whether ``termination_code`` / ``termination_type``
use exactly the Jobs API words is unchecked. A word outside them is reported, never guessed.

Rows. A run longer than an hour is several rows, one per hourly slice (``period_start_time`` to
``period_end_time``); only the row that ends the run carries ``result_state`` / ``termination_code``
(the page says so of those two; ``termination_type`` is read the same way), so a row with any of the
three is the end row, one without them a slice.
A task row (``job_task_run_timeline``) has ``task_key`` and ``job_run_id``, its ``run_id`` is the task
run's. The input is a row as a mapping (a Spark ``Row.asDict()``, a pandas / polars / Arrow record or
JSON), times as datetimes, ISO 8601 text (Spark's ``to_json``, DuckDB's ``+00``) or epoch seconds or
milliseconds (pandas' ``to_json`` default; a number from 10**11 up is milliseconds).

One row, one slice. :func:`build` (``normalize``) reads one row as the run seen through that slice:
``started_at`` is the slice's start (the run's start only for its first slice); an end row is terminal
with ``ended_at`` = its ``period_end_time`` (one with only ``termination_type``: FAILED with its
user / platform verdict, or for SUCCESS an UNKNOWN outcome, reported); any other row is RUNNING
(the table does not tell a queued run from a running one) and not ended. ``details["periods"]``
lists the slice.

Many rows, one run. ``normalize_many`` merges the rows of each run (:func:`combine`), and the merged
run does not depend on the rows' order (a query without ``ORDER BY`` returns them in any order): the
rows of one run (namespace and run id), one per period (an exact repeat, an at-least-once load,
counts once, quietly; of two rows with one period the end row is kept), sorted by period, cut after
each end row. The first piece is the run, each later one a repair (Databricks reuses the run_id: the
page counts a run's retries as its end rows, ``COUNT(*) - 1 as retries_count ... WHERE result_state
IS NOT NULL``). One run comes out, as the Jobs API gives a repaired run: start of the first slice
(``start_time``, the original start), end and outcome of the last end row, ``durations`` the sum of
each piece's (``run_duration``: "The time in milliseconds it took the job run and all of its repairs
to finish", databricks-sdk ``jobs.Run``; each end row's duration columns read as its piece's, which
the page does not say), ``details["repair_history"]`` (type ORIGINAL, then REPAIR; start, end,
canonical state) and ``details["active_intervals"]`` (so a repair under way does not count the
wait), ``details["periods"]`` in order, ``raw`` = ``{"slices": [...]}``.

Memory. A run is held until the input ends or until :data:`RECENT_RUNS` (10,000) other runs have
ended (an end row arrived) after it: rows of one run that far apart in the input cannot all be
merged, so the merge is order-free within that window. Runs still without an end row are held until
the input ends (then yielded, not ended, after the ended ones, each group by start). Sorted input
therefore streams in constant memory (10,000 ended runs, plus the runs in progress); unsorted input
holds every run whose end row is still to come. The periods and pieces of the last
:data:`RECENT_RUNS` runs yielded are remembered, so a repeated row of one of them is dropped, a row
that starts after its end is a repair merged with what came out before (``raw`` then holds the
repair's rows only), and an earlier slice is reported (an ``InvalidRecordWarning``; the run is
already out) instead of becoming a run left RUNNING.
Task attempts: the task runs of one ``task_key`` under one job run (``parent_run_id`` /
``job_run_id``) are the attempts of one task (a retry or a repair gives a new task run id), linked as
the Jobs API path links ``tasks[]``, by the one rule of ``continued_task_run``: each later one, in
start order, gets ``previous_run_id`` and ``original_run_id``, except task runs that overlap in time
(for-each iterations), which are task runs of their own. Runs are linked as they are yielded (by
start, when the input ends), so an attempt yielded before an earlier one (more than
:data:`RECENT_RUNS` runs apart) is not linked to it.

State. The termination code, where present, decides as it does for the Jobs API (code plus type:
``databricks``' ``CODE_AND_TYPE``); the result_state refines it (TIMED_OUT turns a platform CANCELED
into TIMED_OUT) and decides alone when no code is given. Disagreement is a ``StateConflictWarning``.

Durations. Newer rows carry ``*_duration_seconds`` on the end row: queue, setup, execution, cleanup
and total (``run_duration_seconds``). Rows from before those columns existed (the page: they and
``termination_type`` are "Not populated for rows emitted before early December 2025") have them null
or 0: on a row without ``termination_type`` whose durations are all null or 0, and on any end row
whose duration columns are all null, every part is NOT_REPORTED (never zero) and the total is the
sum of the slices' periods. A newer row's zeros are real (a
skipped run).
As in the Jobs API, a multitask run reports setup/execution/cleanup as 0: they are NOT_APPLICABLE.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator, Mapping
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Any, Final, NamedTuple

import attrs

from runstate.provider_kit import (
    EMPTY,
    EPOCH,
    MAX_DURATION,
    UNKNOWN_OUTCOME,
    Context,
    Durations,
    Missing,
    NativeEdge,
    Outcome,
    ProviderSpec,
    Reason,
    Run,
    State,
    TaskAttempt,
    check_order,
    continued_task_run,
    duration_from_s,
    format_time,
    freeze_details,
    is_null,
    make_durations,
    make_run,
    map_word,
    opt_id,
    opt_mapping,
    opt_sequence,
    opt_str,
    plain_number,
    task_attempt,
    time_from_value,
)

from . import evidence as jobs_api_evidence
from . import system_columns as page
from . import tables as jobs_api
from .jobs import FINAL_STATES, RERUN_STATES, repairs
from .system_decision import decision

__all__ = [
    "RESULT_STATE",
    "RUN_TYPES",
    "SPEC",
    "TRIGGER_TYPES",
    "build",
    "combine",
    "looks_like_databricks_system",
]

DOCS: Final = page.PAGE
PROVENANCE: Final = (
    f"Jobs system table reference ({DOCS}): columns, end row and newer-column notes read; its value "
    "lists (result_state, trigger_type, run_type, termination_code) not read, the words are as "
    f"recalled; termination codes and types read as the Jobs API's, checked against {jobs_api.PROVENANCE}"
)

KNOWN_RESULT_STATES: Final = ("SUCCEEDED", "FAILED", "SKIPPED", "CANCELLED", "TIMED_OUT", "ERROR", "BLOCKED")
"""``result_state`` values, as recalled from the reference's "Result state values" (``#result``).

The page's ``result_state`` column says "For possible values, see Result state values", but every
copy of the page that could be read stops before that list: these three lists are the page's as
recalled, unverified (an unlisted value is reported, never silently mapped).
"""
TRIGGER_TYPES: Final = ("CONTINUOUS", "CRON", "FILE_ARRIVAL", "ONETIME", "ONETIME_RETRY")
"""``trigger_type`` values as recalled from "Trigger type values" (``#trigger``; not read, unverified);
kept in ``details`` (they do not bear on state)."""
RUN_TYPES: Final = ("JOB_RUN", "SUBMIT_RUN", "WORKFLOW_RUN")
"""``run_type`` values as recalled from "Run type values" (``#run-type``; not read, unverified); kept in
``details``. The page's ``compute_ids`` names one: "used by ``WORKFLOW_RUN`` run types"."""

RESULT_STATE: Final[Mapping[str, Outcome]] = MappingProxyType(
    {
        "SUCCEEDED": Outcome(State.SUCCEEDED),
        "FAILED": Outcome(State.FAILED),  # the termination code/type says user or platform
        "SKIPPED": Outcome(State.SKIPPED),  # never executed; the code says why
        "CANCELLED": Outcome(State.CANCELED),  # USER_CANCELED / CANCELED code says by whom
        "TIMED_OUT": Outcome(State.TIMED_OUT),
        "ERROR": Outcome(State.FAILED, Reason.PLATFORM_ERROR),  # as the Jobs API's INTERNAL_ERROR
        "BLOCKED": Outcome(State.SKIPPED),  # ended blocked on an upstream dependency: never executed
    }
)
"""``result_state`` (only on the row that ends a run) to canonical outcome."""

SYSTEM_TABLES_PAGE: Final = page.PAGE
_INFERRED: Final = "meaning inferred: no definition of the value was read"


def _listed(word: str, meaning: str) -> str:
    return (
        f"{SYSTEM_TABLES_PAGE}#result (result_state: 'The outcome of the job run'; '{page.END_ROW_NOTE}' "
        f"The list 'Result state values' is past the end of every copy of the page read: {word} is as "
        f"recalled, unverified); {meaning}"
    )


def _as_sdk(word: str) -> str:
    return jobs_api_evidence.EVIDENCE["RunResultState"][word].partition(" (")[0]


RESULT_STATE_EVIDENCE: Final[Mapping[str, str]] = MappingProxyType(
    {
        "SUCCEEDED": _listed("SUCCEEDED", f"read as the Jobs API's SUCCESS ({_as_sdk('SUCCESS')})"),
        "FAILED": _listed(
            "FAILED",
            f"read as the Jobs API's FAILED ({_as_sdk('FAILED')}); termination_code / termination_type "
            "say user or platform",
        ),
        "SKIPPED": _listed(
            "SKIPPED",
            "read as the Jobs API's termination code SKIPPED ("
            + jobs_api_evidence.EVIDENCE["TerminationCodeCode"]["SKIPPED"]
            + "); the termination code says why",
        ),
        "CANCELLED": _listed(
            "CANCELLED",
            f"read as the Jobs API's CANCELED ({_as_sdk('CANCELED')}); termination_code "
            "(USER_CANCELED / CANCELED) says by whom",
        ),
        "TIMED_OUT": _listed("TIMED_OUT", f"read as the Jobs API's TIMEDOUT ({_as_sdk('TIMEDOUT')})"),
        "ERROR": _listed(
            "ERROR",
            f"{_INFERRED}. Distinct from FAILED, read as the Jobs API's life-cycle INTERNAL_ERROR "
            "(databricks-sdk jobs.RunLifeCycleState.INTERNAL_ERROR: 'An exceptional state that indicates a "
            "failure in the Jobs service'): FAILED, PLATFORM_ERROR unless termination_code / "
            "termination_type say otherwise (docs/decisions.md)",
        ),
        "BLOCKED": _listed(
            "BLOCKED",
            f"{_INFERRED}. As an outcome, read as a run that ended while blocked (databricks-sdk "
            "jobs.RunLifeCycleState.BLOCKED: 'The run is blocked on an upstream dependency.'), so it "
            "never executed: SKIPPED (docs/decisions.md)",
        ),
    }
)
"""The documentary source of every row of :data:`RESULT_STATE`."""

TERMINATION_CODE: Final = page.TERMINATION_CODE
"""The Jobs API table and a CANCELLED spelling. The page points ``termination_code`` at ("Termination code
values", ``#termination``), which no copy read reaches: that it holds the Jobs API's words is unchecked
(a word outside them is reported)."""
TERMINATION_TYPE: Final = jobs_api.TERMINATION_TYPE_TYPE
"""The Jobs API table itself: the page gives ``termination_type`` ("The type of termination for the job
run") no value list; read as the Jobs API's user-vs-platform verdicts."""

OPEN_SLICE: Final = "OPEN_SLICE"
"""Native node of a row without result_state: a slice of a run that had not ended."""
NATIVE_STATES: Final[Mapping[str, frozenset[State]]] = MappingProxyType(
    {OPEN_SLICE: frozenset({State.RUNNING})}
    | {word: frozenset({o.state}) for word, o in RESULT_STATE.items()}
)
NATIVE_EDGES: Final = tuple(
    NativeEdge(OPEN_SLICE, end) for end in ("SUCCEEDED", "FAILED", "CANCELLED", "TIMED_OUT", "ERROR")
)
"""A run seen over several slices ends in an executed outcome (a skipped run has no open slice)."""

_TIMEDOUT: Final = RESULT_STATE["TIMED_OUT"]
_RUNNING: Final = Outcome(State.RUNNING)
_DETAILS: Final = (
    "account_id", "trigger_type", "run_type", "compute_ids", "compute",  # parameters: raw only
    "source_task_run_id", "root_task_run_id",
)  # fmt: skip
_PARTS: Final = (
    "queue_duration_seconds", "setup_duration_seconds", "execution_duration_seconds",
    "cleanup_duration_seconds", "run_duration_seconds",
)  # fmt: skip
_NOT_REPORTED: Final = MappingProxyType(
    dict.fromkeys(("queue", "setup", "execution", "cleanup", "total"), Missing.NOT_REPORTED)
)
_NOT_ENDED: Final = Durations(
    missing=MappingProxyType(
        dict.fromkeys(("queue", "setup", "execution", "cleanup", "total"), Missing.NOT_ENDED)
    )
)
_ZERO: Final = timedelta(0)
_PARTS4: Final = ("queue", "setup", "execution", "cleanup")


def looks_like_databricks_system(record: object) -> bool:
    """Cheap guess that a record is a system-table row (for the registry's ``detect``)."""
    return isinstance(record, Mapping) and "period_start_time" in record and "workspace_id" in record


def _word(table: Mapping[str, Outcome], value: object, ctx: Context, field: str) -> Outcome | None:
    """The outcome of an optional word: ``None`` when absent (or empty), UNKNOWN when unusable."""
    if value is None or value == "":
        return None
    return map_word(table, value, ctx, field)


def _outcome(row: Mapping[str, Any], ctx: Context) -> tuple[Outcome, bool]:
    """(outcome, whether this row ends the run)."""
    result = _word(RESULT_STATE, row.get("result_state"), ctx, "$.result_state")
    code = _word(TERMINATION_CODE, row.get("termination_code"), ctx, "$.termination_code")
    kind = _word(TERMINATION_TYPE, row.get("termination_type"), ctx, "$.termination_type")
    if result is None and code is None:  # any end column marks the end row; none: an open slice
        return (_RUNNING, False) if kind is None else (_type_only(row, kind, ctx), True)
    if code is not None and code.state is not State.UNKNOWN:
        word = row["termination_code"]
        type_word = (
            row.get("termination_type") if kind is not None and kind.state is not State.UNKNOWN else None
        )
        code = jobs_api.CODE_AND_TYPE[word, type_word]
    elif kind is not None and kind.state is State.FAILED:  # an unknown code with an error verdict
        code = kind
    if result is None or result.state is State.UNKNOWN:
        return (code if code is not None else UNKNOWN_OUTCOME), True
    if code is None or code.state is State.UNKNOWN:
        return result, True
    return _reconcile(code, result, ctx), True


STATE_WORDS: Final = ("result_state", "termination_code", "termination_type")
"""The columns :func:`state_of_words` reads."""


def state_of_words(words: Mapping[str, Any], ctx: Context) -> tuple[State, Reason | None]:
    """The state and reason of a row's bare :data:`STATE_WORDS` (:func:`runstate.state_of`)."""
    outcome, _ = _outcome(_without_nulls(words), ctx)
    return outcome.state, outcome.reason


def _type_only(row: Mapping[str, Any], kind: Outcome, ctx: Context) -> Outcome:
    """An end row with a termination_type but no result_state or code: the type's verdict, if any."""
    if kind.state is State.FAILED:
        return kind  # CLIENT_ERROR / INTERNAL_ERROR / CLOUD_FAILURE: failed, and by whose error
    word = row.get("termination_type")
    if type(word) is str and word in TERMINATION_TYPE:  # SUCCESS: no error, but which outcome?
        ctx.invalid("$.termination_type", word, "an end row without result_state or termination_code")
    return UNKNOWN_OUTCOME


def _reconcile(code: Outcome, result: Outcome, ctx: Context) -> Outcome:
    if code.state is result.state:
        return code if code.reason is not None or result.reason is None else result
    if code.state is State.CANCELED and result is _TIMEDOUT and code.reason is not Reason.CANCELED_BY_USER:
        return result  # the platform cancel was the timeout, as in the Jobs API
    ctx.report("conflict", "$.result_state", result.state.value, f"termination_code says {code.state}")
    return code


def _row_span(start: datetime | None, end: datetime | None, ctx: Context) -> timedelta | None:
    """The row's period, ``None`` out of order; over :data:`MAX_DURATION` (a sentinel time such as
    9999-12-31) it is reported and left missing, as the Jobs API's wall time is: no run's measure."""
    if start is None or end is None or end < start:
        return None
    if end - start > MAX_DURATION:
        ctx.invalid("$.period_end_time", f"{end.isoformat()} - {start.isoformat()}", _OUT_OF_RANGE)
        return None
    return end - start


_OUT_OF_RANGE: Final = "duration out of range (over 100 years)"


def _durations(row: Mapping[str, Any], ctx: Context, span: timedelta | None) -> Durations:
    """The end row's durations; NOT_REPORTED parts and the slices' span as total on a row without
    duration columns (null), or one that predates them (null or 0, no termination_type): see module."""
    raw = [row.get(p) for p in _PARTS]
    if all(v is None for v in raw) or (
        all(v is None or v == 0 for v in raw) and not row.get("termination_type")
    ):
        return make_durations(None, None, None, None, span, _without(_NOT_REPORTED, span))
    queue, setup, execution, cleanup, total = (
        duration_from_s(v, ctx, f"$.{p}") for v, p in zip(raw, _PARTS, strict=False)
    )
    missing: dict[str, Missing] = {}
    if total and setup == execution == cleanup == _ZERO:  # a multitask run, as in the Jobs API
        setup = execution = cleanup = None
        missing.update(setup=Missing.NOT_APPLICABLE, execution=Missing.NOT_APPLICABLE)
        missing["cleanup"] = Missing.NOT_APPLICABLE
    return make_durations(
        queue, setup, execution, cleanup, total, MappingProxyType(missing) if missing else EMPTY
    )


def _without(missing: Mapping[str, Missing], total: timedelta | None) -> Mapping[str, Missing]:
    return (
        MappingProxyType({k: v for k, v in missing.items() if k != "total"}) if total is not None else missing
    )


def _details(
    row: Mapping[str, Any], ctx: Context, start: datetime | None, end: datetime | None
) -> dict[str, Any]:
    details: dict[str, Any] = {}
    for key in _DETAILS:
        value = row.get(key)
        if value is None:
            continue
        if isinstance(value, Mapping):
            value = opt_mapping(value, ctx, f"$.{key}")
        elif isinstance(value, list | tuple):
            value = opt_sequence(value, ctx, f"$.{key}")
        elif type(value) is not str:
            value = opt_str(value, ctx, f"$.{key}")
        if value is not None:
            details[key] = value
    details["periods"] = [[_text(start), _text(end)]]
    return details


def _text(value: datetime | None) -> str | None:
    return None if value is None else format_time(value)


_MS_FROM: Final = 100_000_000_000
"""An epoch number this large is milliseconds (pandas' ``to_json`` default): in seconds it would be
after the year 5000, in milliseconds it is after 1973, so the two never overlap for real times."""


def _time(value: object, ctx: Context, field: str) -> datetime | None:
    """A period time as an export writes it: a timestamp, ISO 8601 text, or epoch seconds or ms."""
    number = value if type(value) is int or type(value) is float else plain_number(value)
    big = number is not None and number >= _MS_FROM
    return time_from_value(value, ctx, field, "ms" if big else "s")


_NO_ID: Final = (
    "missing or unusable run id: expected a row of system.lakeflow.job_run_timeline or "
    "job_task_run_timeline (run_id, period_start_time, ...)"
)


_JOBS_API_KEYS: Final = (
    "state", "status", "start_time", "end_time", "tasks", "iterations", "run_page_url",
    "number_in_job", "original_attempt_run_id", "attempt_number", "run_duration", "repair_history",
    "creator_user_name", "setup_duration", "execution_duration", "cleanup_duration",
)  # fmt: skip
"""Fields of a Jobs API run (databricks-sdk ``jobs.Run``) that no system-table column is named."""
_JOBS_API_RUN: Final = (
    "a Jobs API run (runs/get, runs/list), not a system table row: use provider 'databricks'"
)


def _check_row(record: Mapping[str, Any], ctx: Context) -> None:
    """A Jobs API run (one of its fields, no period column) is refused in both modes with the hint to
    use ``databricks``, as that provider refuses a system row. A row whose columns are all null
    but its ids is still a row (the SQL reads it too): a slice of a run, RUNNING."""
    if "period_start_time" in record or "period_end_time" in record:
        return
    if any(key in record for key in _JOBS_API_KEYS):
        ctx.report("fail", "$", sorted(map(str, record)), _JOBS_API_RUN)


def build(record: Any, ctx: Context, keep_raw: bool) -> Run:
    """One system-table row (a run row or a task row) to the run seen through its slice."""
    if not isinstance(record, Mapping):
        ctx.report("fail", "$", record, "expected a system table row (an object)")
    row = _without_nulls(record)
    get = row.get
    raw_id = get("run_id")
    run_id = opt_id(raw_id, ctx, "$.run_id")
    if not run_id:  # two runs without an id cannot be told apart: refused in both modes
        ctx.fail("$.run_id", raw_id, _NO_ID)
    _check_row(record, ctx)
    outcome, ends = _outcome(row, ctx)
    start = _time(get("period_start_time"), ctx, "$.period_start_time")
    end = _time(get("period_end_time"), ctx, "$.period_end_time")
    check_order(start, end, ctx, "$.period_end_time")
    span = _row_span(start, end, ctx)
    workspace = opt_id(get("workspace_id"), ctx, "$.workspace_id")
    task_key = opt_str(get("task_key"), ctx, "$.task_key")
    job_run_id = opt_id(get("job_run_id"), ctx, "$.job_run_id")
    parent = opt_id(get("parent_run_id"), ctx, "$.parent_run_id") or job_run_id
    if parent is None:  # a job run started by a Run Job task hangs under that task run
        parent = opt_id(get("source_task_run_id"), ctx, "$.source_task_run_id")
    return make_run(
        provider="databricks_system",
        run_id=run_id,
        namespace=None if workspace is None else f"databricks:{workspace}",
        state=outcome.state,
        reason=outcome.reason,
        job_id=opt_id(get("job_id"), ctx, "$.job_id"),
        name=opt_str(get("run_name"), ctx, "$.run_name") or task_key,
        provider_state=_provider_state(row),
        parent_run_id=parent,
        created_at=start,
        started_at=start,
        ended_at=end if ends else None,
        durations=_durations(row, ctx, span) if ends else _NOT_ENDED,
        details=freeze_details(_details(row, ctx, start, end)),
        raw=record if keep_raw else None,
    )


_PLAIN: Final = frozenset({str, int, bool, dict, list})


def _without_nulls(record: Mapping[str, Any]) -> Mapping[str, Any]:
    """The row without its data frame nulls (a pandas record's NaN / NaT / NA where the table has a
    null): each column read as absent, as from Arrow or JSON; the row itself when it has none."""
    values = record.values()
    if all(value is None or type(value) in _PLAIN or not is_null(value) for value in values):
        return record
    return {key: value for key, value in record.items() if not is_null(value)}


def _provider_state(row: Mapping[str, Any]) -> Mapping[str, str]:
    words = {
        k: v
        for k in ("result_state", "termination_code", "termination_type")
        if type(v := row.get(k)) is str and v
    }
    return MappingProxyType(words) if words else EMPTY


# --- merging the slices of a run ----------------------------------------------------------------


def _key(run: Run) -> tuple[str | None, str]:
    """Job runs and task runs share one id space per workspace."""
    return run.namespace, run.run_id


RECENT_RUNS: Final = 10_000
"""How many ended runs :func:`combine` holds before it yields the oldest (so that their rows may come
in any order), and how many it remembers after, to recognize their repeated, late or repair rows."""


class _Piece(NamedTuple):
    """What a repaired run keeps of each of its merged segments (the original run, each repair)."""

    started_at: datetime | None
    ended_at: datetime | None
    state: State
    durations: Durations
    periods: tuple[Any, ...]


def _piece(run: Run) -> _Piece:
    periods = tuple(run.details.get("periods", ()))
    return _Piece(run.started_at, run.ended_at, run.state, run.durations, periods)


@attrs.frozen
class _Closed:
    """What :func:`combine` remembers of a run it yielded."""

    periods: frozenset[tuple[str | None, ...]]
    ended_at: datetime | None
    pieces: tuple[_Piece, ...]
    """The run's merged segments (the original, then each repair): what a later repair lists."""


_Key = tuple[str | None, str]


def combine(runs: Iterator[Run]) -> Iterator[Run]:
    """Merge the rows of each run into one run, the same whatever their order (see module).

    The rows of a run are held until the input ends, or until :data:`RECENT_RUNS` runs have ended
    (an end row arrived) after it; then it is merged from every row seen, and remembered.
    """
    held: dict[_Key, list[Run]] = {}
    ended: OrderedDict[_Key, None] = OrderedDict()  # held runs with an end row, least recent first
    closed: OrderedDict[_Key, _Closed] = OrderedDict()
    before: dict[_Key, tuple[_Piece, ...]] = {}  # a yielded run's segments, for its repair held again
    link = _TaskAttempts()

    def emit(key: _Key) -> Run:
        ended.pop(key, None)
        segments = [merge(rows) for rows in _segments(held.pop(key))]
        earlier = before.pop(key, ())
        run = _joined(earlier, segments)
        closed[key] = _Closed(
            frozenset(map(tuple, run.details["periods"])),
            run.ended_at,
            (*earlier, *map(_piece, segments)),
        )
        if len(closed) > RECENT_RUNS:
            closed.popitem(last=False)
        return link(run)

    for run in runs:
        key = _key(run)
        done = closed.get(key)
        if done is not None and key not in held:
            if _period(run) in done.periods:
                continue  # a repeated row of a merged slice (an at-least-once load)
            if not _starts_after(run, done.ended_at):
                _late(run)
                continue
            del closed[key]  # a row after the yielded run's end: its repair, merged with it
            before[key] = done.pieces
        held.setdefault(key, []).append(run)
        if (
            key in ended or run.state is not State.RUNNING
        ):  # an end row: only a row without outcome is RUNNING
            ended[key] = None
            ended.move_to_end(key)
            if len(ended) > RECENT_RUNS:
                yield emit(next(iter(ended)))
    complete = sorted((_first_start(held[k]), k) for k in ended)
    still_open = sorted((_first_start(rows), k) for k, rows in held.items() if k not in ended)
    for _, key in (*complete, *still_open):
        yield emit(key)


def _first_start(rows: list[Run]) -> tuple[bool, datetime]:
    starts = [r.started_at for r in rows if r.started_at is not None]
    return (not starts, min(starts) if starts else _NEVER)


_NEVER: Final = datetime.min.replace(tzinfo=EPOCH.tzinfo)


def _segments(rows: list[Run]) -> list[list[Run]]:
    """A run's rows, one per period, cut after each end row: the original run, then each repair.

    Of two rows with one period (a repeated row) the end row is kept, then the greater by
    :func:`_row_rank`, so the choice never depends on the rows' order.
    """
    by_period: dict[tuple[str | None, ...], Run] = {}
    for row in rows:
        period = _period(row)
        seen = by_period.get(period)
        if seen is not None and _disagree(seen, row):
            _REPORT.conflict(
                "$.result_state", [_outcome_of(seen), _outcome_of(row)], _TWO_OUTCOMES % row.run_id
            )
        if seen is None or _row_rank(row) > _row_rank(seen):
            by_period[period] = row
    segments: list[list[Run]] = []
    current: list[Run] = []
    for row in sorted(by_period.values(), key=_row_order):
        current.append(row)
        if row.state is not State.RUNNING:
            segments.append(current)
            current = []
    if current:
        segments.append(current)
    return segments


_TWO_OUTCOMES: Final = (
    "two end rows of run %r with one period say different outcomes (not a repeated row); "
    "the greater is kept, whatever the rows' order"
)


def _outcome_of(run: Run) -> str:
    return run.state.value if run.reason is None else f"{run.state.value} ({run.reason.value})"


def _disagree(one: Run, other: Run) -> bool:
    """Two end rows of one period whose outcomes differ: no repeat of one row."""
    ends = one.state is not State.RUNNING and other.state is not State.RUNNING
    return ends and (one.state, one.reason) != (other.state, other.reason)


def _row_rank(run: Run) -> tuple[Any, ...]:
    return (
        run.state is not State.RUNNING,
        run.state.value,
        "" if run.reason is None else run.reason.value,
        sorted(run.provider_state.items()),
    )


def _row_order(run: Run) -> tuple[Any, ...]:
    """By start (by end where the start is null), a slice before the end row that starts with it,
    then by period. A row with neither time cannot be placed: a slice goes first (it says nothing
    of a repair, so it does not reopen an ended run as a trailing segment), an end row last."""
    at = run.started_at or _period_end(run)
    ends = run.state is not State.RUNNING
    place = 1 if at is not None else 2 if ends else 0
    return (place, at or _NEVER, ends, tuple(p or "" for p in _period(run)))


def _period_end(run: Run) -> datetime | None:
    period = _period(run)
    return datetime.fromisoformat(period[1]) if len(period) == 2 and period[1] else None


def _joined(earlier: tuple[_Piece, ...], segments: list[Run]) -> Run:
    """One run from its merged segments (``earlier``: those of it already yielded): the last's
    outcome, the first's start (as the Jobs API's ``start_time``), durations summed
    (``run_duration``: "the job run and all of its repairs"), and ``repair_history`` /
    ``active_intervals`` listing each segment, as the Jobs API gives them."""
    if not earlier and len(segments) == 1:
        return segments[0]
    pieces = (*earlier, *map(_piece, segments))
    last = segments[-1]
    durations = pieces[0].durations
    for piece in pieces[1:]:
        durations = durations + piece.durations
    history = [
        {
            "type": "REPAIR" if i else "ORIGINAL",
            "start": _text(p.started_at),
            "end": _text(p.ended_at),
            "state": p.state.value,
        }
        for i, p in enumerate(pieces)
    ]
    details = {
        **last.details,
        "periods": [list(period) for p in pieces for period in p.periods],
        "repair_history": history,
        "active_intervals": [{"start": h["start"], "end": h["end"]} for h in history],
    }
    slices = [r for s in segments if isinstance(s.raw, Mapping) for r in s.raw.get("slices", (s.raw,))]
    return attrs.evolve(
        last,
        created_at=pieces[0].started_at,
        started_at=pieces[0].started_at,
        durations=durations,
        details=freeze_details(details),
        raw=MappingProxyType({"slices": slices}) if last.raw is not None else None,
    )


class _TaskRun(NamedTuple):
    """A task run remembered: its last attempt (what the rule needs), that attempt's id, its first's."""

    last: TaskAttempt
    run_id: str
    original: str


class _TaskAttempts:
    """Links the task runs of one ``task_key`` under one job run, as the Jobs API path links the
    entries of ``tasks[]`` (docs/decisions.md, task attempts and repairs), by the one rule of
    ``continued_task_run``: a task run that starts after another of its key ended is its next
    attempt (``previous_run_id`` that one, ``original_run_id`` the first of their chain), preferring
    one that did not succeed, then the latest end; task runs that overlap in time are for-each
    iterations. Runs are linked as they are yielded, so an attempt links to the earlier ones already
    seen; the task runs of the last :data:`RECENT_RUNS` task keys are remembered (a constant bound).
    """

    def __init__(self) -> None:
        self.tasks: OrderedDict[tuple[str | None, str, str], list[_TaskRun]] = OrderedDict()
        self.linked: OrderedDict[tuple[str | None, str], tuple[str, str] | None] = OrderedDict()

    def __call__(self, run: Run) -> Run:
        if run.parent_run_id is None or run.name is None or run.previous_run_id or run.original_run_id:
            return run  # not a task run (no parent, no key), or the record says its lineage itself
        ident = (run.namespace, run.run_id)
        if ident in self.linked:  # a repair in place: the same attempt again, linked as before
            lineage = self.linked[ident]
        else:
            lineage = self._link(run)
            self.linked[ident] = lineage
            if len(self.linked) > RECENT_RUNS:
                self.linked.popitem(last=False)
        if lineage is None:
            return run
        return attrs.evolve(run, previous_run_id=lineage[0], original_run_id=lineage[1])

    def _link(self, run: Run) -> tuple[str, str] | None:
        key = (run.namespace, run.parent_run_id or "", run.name or "")
        lanes = self.tasks.get(key)
        if lanes is None:
            lanes = self.tasks[key] = []
            if len(self.tasks) > RECENT_RUNS:
                self.tasks.popitem(last=False)
        else:
            self.tasks.move_to_end(key)
        attempt = task_attempt(run)
        index = continued_task_run([lane.last for lane in lanes], attempt)
        if index is None:
            lanes.append(_TaskRun(attempt, run.run_id, run.run_id))
            return None
        before = lanes[index]
        lanes[index] = _TaskRun(attempt, run.run_id, before.original)
        return before.run_id, before.original


def _period(run: Run) -> tuple[str | None, ...]:
    """A one-slice run's period, ``(start, end)`` as text: what tells a repeated row."""
    periods = run.details.get("periods", ())
    return tuple(periods[0]) if len(periods) == 1 else ()


def _starts_after(run: Run, ended: datetime | None) -> bool:
    return run.started_at is not None and ended is not None and run.started_at >= ended


def _late(run: Run) -> None:
    """Report a slice that came after its run's end row (a warning in both modes: the run is out)."""
    _REPORT.invalid(
        "$.period_start_time",
        _period(run)[0] if _period(run) else None,
        f"a slice that arrived after the end row of run {run.run_id!r}, which was yielded without it "
        "(order the rows by period_start_time within a run)",
    )


_REPORT: Final = Context("databricks_system", strict=False)


def merge(slices: list[Run]) -> Run:
    """The slices of one run (its end row last, if any) as one run; repeated slices count once."""
    end = slices[-1] if slices[-1].state is not State.RUNNING else None
    seen = set() if end is None else {_period(end)}
    ordered = []
    for piece in sorted(slices if end is None else slices[:-1], key=_start_key):
        if _period(piece) not in seen:
            seen.add(_period(piece))
            ordered.append(piece)
    if end is not None:
        ordered.append(end)
    if len(ordered) == 1:
        return ordered[0]
    first, last = ordered[0], ordered[-1]
    periods = [p for s in ordered for p in s.details.get("periods", ())]
    durations = last.durations
    if last.state is not State.RUNNING and all(
        durations.why_missing(p) is Missing.NOT_REPORTED for p in _PARTS4
    ):
        durations = _summed_total(ordered, durations)
    raws = [s.raw for s in ordered]
    return make_run(
        **{f: getattr(last, f) for f in _KEPT},
        created_at=first.started_at,
        started_at=first.started_at,
        details=freeze_details({**last.details, "periods": periods}),
        durations=durations,
        raw=None if any(r is None for r in raws) else MappingProxyType({"slices": raws}),
    )


_KEPT: Final = (
    "provider", "run_id", "namespace", "state", "job_id", "name", "reason", "provider_state", "message",
    "attempt", "original_run_id", "previous_run_id", "parent_run_id", "ended_at", "updated_at", "tasks",
)  # fmt: skip


def _start_key(run: Run) -> tuple[bool, datetime | str]:
    return (run.started_at is None, run.started_at or "")


def _summed_total(slices: list[Run], durations: Durations) -> Durations:
    """Rows without duration columns: the run's total is the sum of its slices' periods."""
    spans = [_span(s) for s in slices]
    total = None if any(x is None for x in spans) else sum((x for x in spans if x is not None), _ZERO)
    return make_durations(None, None, None, None, total, _without(_NOT_REPORTED, total))


def _span(run: Run) -> timedelta | None:
    periods = run.details.get("periods", ())
    if len(periods) != 1 or None in periods[0]:
        return None
    start, end = (datetime.fromisoformat(p) for p in periods[0])
    return end - start if _ZERO <= end - start <= MAX_DURATION else None  # else reported by build


SPEC: Final = ProviderSpec(
    name="databricks_system",
    build=build,
    tables={
        "result_state": RESULT_STATE,
        "termination_code": TERMINATION_CODE,
        "termination_type": TERMINATION_TYPE,
    },
    known_values={
        "result_state": KNOWN_RESULT_STATES,
        "termination_code": jobs_api.KNOWN_VALUES["TerminationCodeCode"],
        "termination_type": jobs_api.KNOWN_VALUES["TerminationTypeType"],
    },
    native_states=NATIVE_STATES,
    native_edges=NATIVE_EDGES,
    provenance=PROVENANCE,
    combine=combine,
    final_states=FINAL_STATES,  # the same runs as the Jobs API's: a canceled or failed run may be repaired
    rerun_states=RERUN_STATES,  # repaired in place as the Jobs API's runs are (one run_id, a later period)
    reruns=repairs,  # combine gives a repaired run its repair_history, as the Jobs API does
    evidence={
        "result_state": RESULT_STATE_EVIDENCE,
        "termination_code": page.TERMINATION_CODE_EVIDENCE,
        "termination_type": jobs_api_evidence.EVIDENCE["TerminationTypeType"],
    },
    detect=looks_like_databricks_system,
    decision=decision,
)
