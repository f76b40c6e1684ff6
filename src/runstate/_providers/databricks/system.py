"""The ``databricks_system`` provider: rows of ``job_run_timeline`` and ``job_task_run_timeline``.

Tables of ``system.lakeflow``, read like a third-party provider (only :mod:`runstate.provider_kit`);
termination codes and types are read with the ``databricks`` provider's tables. What was read of
the Jobs system table reference (https://docs.databricks.com/aws/en/admin/system-tables/jobs), and
what was not (its value lists: the words here are as recalled), is :mod:`.system_columns`.
:func:`build` reads one row as the run seen through its hourly slice: an end row (``result_state``,
``termination_code`` or ``termination_type``) is terminal, any other RUNNING; ``normalize_many``
merges the rows of each run (:mod:`.system_merge`). The decisions and their sources:
docs/decisions.md#databricks-system; input forms, order and memory: docs/warehouse.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Any, Final

from runstate.provider_kit import (
    EMPTY,
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
    StateWords,
    check_order,
    duration_from_s,
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
    time_between,
    time_from_value,
)

from . import evidence as jobs_api_evidence
from . import system_columns as page
from . import tables as jobs_api
from .jobs import FINAL_STATES, RERUN_STATES, repairs
from .system_decision import decision
from .system_merge import combine, not_reported, time_text

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
_NOT_ENDED: Final = Durations(
    missing=MappingProxyType(
        dict.fromkeys(("queue", "setup", "execution", "cleanup", "total"), Missing.NOT_ENDED)
    )
)
_ZERO: Final = timedelta(0)


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
    """The row's period, ``None`` out of order (reported by ``build``); over :data:`MAX_DURATION` (a
    sentinel time such as 9999-12-31) reported and left missing by the kit's one rule (``time_between``),
    as the Jobs API's wall time is: no run's measure."""
    if start is None or end is None or end < start:
        return None
    return time_between(start, end, ctx, "$.period_end_time")


def _durations(row: Mapping[str, Any], ctx: Context, span: timedelta | None) -> Durations:
    """The end row's durations; NOT_REPORTED parts and the slices' span as total on a row without
    duration columns (null), or one that predates them (null or 0, no termination_type): see module."""
    raw = [row.get(p) for p in _PARTS]
    if all(v is None for v in raw) or (
        all(v is None or v == 0 for v in raw) and not row.get("termination_type")
    ):
        return not_reported(span)
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
    details["periods"] = [[time_text(start), time_text(end)]]
    return details


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
    state_words=StateWords(STATE_WORDS, state_of_words),
)
