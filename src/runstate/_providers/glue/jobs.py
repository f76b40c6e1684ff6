"""AWS Glue job runs (``GetJobRun`` / ``GetJobRuns``): boto3 dicts with datetimes, or wire JSON.

One reader: :func:`build` reads each field once, converts the common plain value (a wire-JSON epoch
float, a whole-second ``ExecutionTime``, a string) inline and hands any other value to the kit's
reader, which converts it or reports it (strict: an error naming provider, field and value; lenient:
a warning and the field missing). The decisions are data in :mod:`.tables`; why each one holds:
docs/decisions.md, "AWS Glue: JobRunState" (``#glue``). An EventBridge "Glue Job State Change"
event is refused with a pointer to the ``glue_events`` provider (:mod:`.events`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Any, Final

from runstate.provider_kit import (
    EMPTY,
    EPOCH,
    MAX_DURATION,
    TERMINAL_STATES,
    Context,
    Durations,
    Missing,
    ProviderSpec,
    Reason,
    Run,
    State,
    StateWords,
    compile_span,
    duration_from_s,
    freeze_details,
    is_null,
    make_durations,
    make_run,
    map_word,
    opt_id,
    opt_int,
    opt_sequence,
    opt_str,
    plain_number,
    report_span,
    time_from_value,
)

from .decision import TOTAL, jobs_decision
from .tables import (
    ENDED_MISSING,
    JOB_RUN_STATE,
    JOB_RUN_STATE_EVIDENCE,
    KNOWN_JOB_RUN_STATES,
    MAX_ATTEMPT,
    NATIVE_EDGES,
    PROVENANCE,
    WAITING_BY_EXECUTION_CLASS,
    WAITING_DETAIL_CHARS,
    WAITING_REASONS,
)

__all__ = ["SPEC", "build", "detect", "pages", "state_words"]

_DETAIL_FIELDS: Final = ("TriggerName", "Timeout", "DPUSeconds", "ExecutionClass", "JobMode")  # fmt: skip
_NOT_ENDED_DURATIONS: Final = Durations(
    missing=MappingProxyType({**ENDED_MISSING, "execution": Missing.NOT_ENDED, "total": Missing.NOT_ENDED})
)
# ExecutionTime is whole seconds, so it may exceed the wall time by up to a second of rounding
_ROUNDING: Final = timedelta(seconds=1)
_ZERO: Final = timedelta(0)
_STATES: Final = dict(JOB_RUN_STATE)  # a dict's get: no proxy in between
_QUEUED: Final = State.QUEUED
_KNOWN_PROVIDER_STATES: Final = {w: MappingProxyType({"JobRunState": w}) for w in KNOWN_JOB_RUN_STATES}
"""A known word alone, kept as one shared mapping per word."""
_PLAIN_EPOCH_S: Final = 4_102_444_800.0
"""2100-01-01 in epoch seconds: a float in (0, this) is what ``time_from_value`` converts with
``datetime.fromtimestamp(value, UTC)`` without a report, so the reader converts it the same way
inline and leaves every other value to ``time_from_value``."""
_TOTAL: Final = compile_span(TOTAL, "StartedOn", "CompletedOn")
"""The total as the decision declares it (the SQL is emitted from the same data)."""
_from_timestamp: Final = datetime.fromtimestamp
_UTC: Final = EPOCH.tzinfo


def build(record: Any, ctx: Context, keep_raw: bool) -> Run:
    """One Glue ``JobRun`` (or ``GetJobRun`` response) to a canonical run.

    The fields are read in one fixed order (state, times, durations, details, identity, last change),
    so strict mode raises the first problem of a record and lenient mode warns them in that order.
    """
    job_run = record if type(record) is dict and "Id" in record else _unwrap(record, ctx)
    get = job_run.get
    kept, detail, state, reason = state_words(
        get("JobRunState"), get("StateDetail"), get("ExecutionClass"), ctx
    )
    started = get("StartedOn")  # wire JSON: epoch seconds, converted here in the common case
    if type(started) is float and 0 < started < _PLAIN_EPOCH_S:
        started = _from_timestamp(started, _UTC)
    elif started is not None:
        started = time_from_value(started, ctx, "$.StartedOn")
    ended = completed = get("CompletedOn")
    if type(ended) is float and 0 < ended < _PLAIN_EPOCH_S:
        ended = _from_timestamp(ended, _UTC)
    elif ended is not None:
        ended = time_from_value(ended, ctx, "$.CompletedOn")
    durations = _durations(get, state, started, ended, ctx)
    details = _details(get, ctx, keep_raw)
    run_id, job_name, message, attempt, previous = _identity(get, ctx)
    return make_run(
        "glue",
        run_id,
        job_id=job_name,
        name=job_name,
        state=state,
        reason=reason,
        provider_state=kept,
        message=message or detail,
        attempt=attempt,
        original_run_id=_original_run_id(run_id, attempt, previous) if attempt else None,
        previous_run_id=previous,
        started_at=started,
        ended_at=ended,
        updated_at=_updated_at(get("LastModifiedOn"), completed, ended, ctx),
        durations=durations,
        details=details,
        raw=record if keep_raw else None,
    )


def state_words(
    word: object, detail: object, execution_class: object, ctx: Context
) -> tuple[Mapping[str, str], str | None, State, Reason | None]:
    """(the words kept as ``provider_state``, the ``StateDetail`` text, state, reason) of a JobRun's
    state words: the decision :func:`build` makes, shared with :func:`runstate.state_of`."""
    outcome = _STATES.get(word) if type(word) is str else None
    if outcome is None:
        word = None if is_null(word) else word  # a data frame's null state: a missing state
        outcome = map_word(JOB_RUN_STATE, word, ctx, "$.JobRunState")
    if detail is not None and type(detail) is not str:
        detail = opt_str(detail, ctx, "$.StateDetail")
    state = outcome.state
    reason = _waiting_reason(detail, execution_class) if state is _QUEUED else outcome.reason
    kept = _KNOWN_PROVIDER_STATES.get(word) if detail is None and type(word) is str else None
    return kept or _kept_words(word, detail), detail, state, reason


def _waiting_reason(detail: str | None, execution_class: object) -> Reason | None:
    """The reason of a QUEUED run: :data:`WAITING_REASONS` in its detail, else its execution class."""
    if detail:
        text = detail[:WAITING_DETAIL_CHARS].lower()
        for keyword, reason in WAITING_REASONS:
            if keyword in text:
                return reason
        return None
    return WAITING_BY_EXECUTION_CLASS.get(execution_class) if isinstance(execution_class, str) else None


def _durations(
    get: Any, state: State, started: datetime | None, ended: datetime | None, ctx: Context
) -> Durations:
    """Total as the decision declares it (:data:`.decision.TOTAL`: end - start) and execution =
    ``ExecutionTime`` (whole seconds), once the run has ended."""
    total = None
    if started is not None and ended is not None:
        total = _TOTAL(started, ended)
        if total is None or total < _ZERO:  # a sentinel time, or ends before it starts: reported
            report_span(started, ended, ctx, "$.CompletedOn")
    if ended is None and state not in TERMINAL_STATES:
        return _NOT_ENDED_DURATIONS
    raw_execution = get("ExecutionTime")
    if type(raw_execution) is int and 0 <= raw_execution <= _MAX_S:
        execution: timedelta | None = _SECONDS[raw_execution]
    else:
        execution = duration_from_s(raw_execution, ctx, "$.ExecutionTime")
    if execution is not None and total is not None and total >= _ZERO and execution - total > _ROUNDING:
        ctx.report("inconsistent", "$.ExecutionTime", raw_execution, f"execution exceeds wall time {total}")
    return make_durations(None, None, execution, None, total, ENDED_MISSING)


class _SharedSeconds(dict[int, timedelta]):
    """Whole seconds to their ``timedelta``, shared (what ``duration_from_s`` gives for a plain int, one
    object per value: exact, a timedelta is immutable); bounded by :data:`_SHARED_LIMIT`."""

    def __missing__(self, seconds: int) -> timedelta:
        if len(self) >= _SHARED_LIMIT:
            self.clear()
        value = self[seconds] = timedelta(0, seconds)
        return value


_SHARED_LIMIT: Final = 4096
_SECONDS: Final = _SharedSeconds()
_MAX_S: Final = MAX_DURATION // timedelta(seconds=1)


def _details(get: Any, ctx: Context, keep_raw: bool) -> Mapping[str, Any]:
    """The :data:`_DETAIL_FIELDS` a JobRun has, in that order, then its ``PredecessorRuns``."""
    details = {}
    for key in _DETAIL_FIELDS:  # a loop: a comprehension costs a call
        if (value := get(key)) is not None:
            if (kind := type(value)) is str or kind is int or (kind is float and value == value):
                details[key] = value
            elif not is_null(value):  # a data frame's null is absent, a numpy number a number
                number = plain_number(value)
                details[key] = value if number is None else number
    predecessors = get("PredecessorRuns")
    if predecessors is not None and type(predecessors) is not list and is_null(predecessors):
        predecessors = None  # pandas' NA has no truth value
    if predecessors:
        if type(predecessors) is not list:
            predecessors = opt_sequence(predecessors, ctx, "$.PredecessorRuns")
        if predecessors is not None:
            details["PredecessorRuns"] = predecessors if keep_raw else _own_copy(predecessors)
    return freeze_details(details)


def _own_copy(predecessors: Sequence[Any]) -> list[Any]:
    """PredecessorRuns for a run kept without its record: a list and entries of its own, so later
    changes to the caller's record do not show in the run (with ``raw`` both are the record's)."""
    return [dict(entry) if type(entry) is dict else entry for entry in predecessors]


def _identity(get: Any, ctx: Context) -> tuple[str, str | None, str | None, int, str | None]:
    """(run id, job name, error message, attempt, previous run id); a run without an id is refused."""
    run_id = get("Id")
    if type(run_id) is not str or not run_id:
        run_id = opt_id(run_id, ctx, "$.Id")
        if not run_id:  # two runs without an id cannot be told apart: refused in both modes
            ctx.report("fail", "$.Id", get("Id"), "missing or unusable run id (JobRun.Id)")
    job_name = get("JobName")
    if job_name is not None and type(job_name) is not str:
        job_name = opt_str(job_name, ctx, "$.JobName")
    message = get("ErrorMessage")
    if message is not None and type(message) is not str:
        message = opt_str(message, ctx, "$.ErrorMessage")
    attempt = get("Attempt", 0)
    if type(attempt) is not int or not 0 <= attempt < MAX_ATTEMPT:
        attempt = opt_int(attempt, ctx, "$.Attempt", 0, MAX_ATTEMPT) or 0
    previous = get("PreviousRunId")
    if previous is not None and type(previous) is not str:
        previous = opt_id(previous, ctx, "$.PreviousRunId")
    return run_id, job_name, message, attempt, previous


def _original_run_id(run_id: str, attempt: int, previous: str | None) -> str | None:
    """The first attempt's id: Glue names retries ``<original>_attempt_<N>``; else attempt 1's previous."""
    suffix = f"_attempt_{attempt}"
    if run_id.endswith(suffix) and len(run_id) > len(suffix):
        return run_id[: -len(suffix)]
    return previous if attempt == 1 else None


def _updated_at(value: object, completed: object, ended: Any, ctx: Context) -> datetime | None:
    """``LastModifiedOn``, plain epoch seconds converted as the start and end are; the very
    ``CompletedOn`` float (a finished run is last modified when it completes) is its end time."""
    if type(value) is float and 0 < value < _PLAIN_EPOCH_S:
        if type(completed) is float and value == completed:  # the same number: the same time
            return ended  # type: ignore[no-any-return]
        return _from_timestamp(value, _UTC)
    return time_from_value(value, ctx, "$.LastModifiedOn")


def _kept_words(word: object, detail: str | None) -> Mapping[str, str]:
    """The words a run keeps as ``provider_state``: a string ``JobRunState`` and any ``StateDetail``."""
    result = {"JobRunState": word} if type(word) is str else {}
    if detail is not None:
        result["StateDetail"] = detail
    return MappingProxyType(result) if result else EMPTY


_EXPECTED: Final = "not a Glue JobRun: expected its Id and JobRunState (GetJobRun)"
_PAGE: Final = "a GetJobRuns page, not a JobRun: use normalize_many (it reads each page's JobRuns)"
_EVENT: Final = (
    "an EventBridge Glue Job State Change event, not a JobRun: use provider 'glue_events' "
    "(it reads the event's state, run id and namespace aws:<account>:<region>)"
)


def _unwrap(record: Any, ctx: Context) -> Mapping[str, Any]:
    """The JobRun inside a record (a ``GetJobRun`` response holds it under ``JobRun``)."""
    if type(record) is not dict and not isinstance(record, Mapping):
        ctx.report("fail", "$", record, "expected a JobRun object")
    job_run: Mapping[str, Any] = record
    inner = job_run.get("JobRun")
    if inner is not None and "Id" not in job_run and isinstance(inner, Mapping):  # a GetJobRun response
        job_run = inner
    elif "detail" in job_run and "Id" not in job_run and _is_event(job_run):
        ctx.report("fail", "$", job_run.get("detail-type"), _EVENT)
    if "Id" not in job_run and "JobRunState" not in job_run:
        if "JobRuns" in job_run:
            ctx.report("fail", "$", record, _PAGE)
        ctx.report("fail", "$", record, _EXPECTED)
    return job_run


def _is_event(record: Mapping[str, Any]) -> bool:
    return record.get("source") == "aws.glue" or record.get("detail-type") == "Glue Job State Change"


def detect(record: Any) -> bool:
    """A GetJobRun(s) response or a JobRun (``Id`` with ``JobRunState``/``JobName``), never an
    EventBridge event (``detail-type``): those are the ``glue_events`` provider's."""
    try:
        if not isinstance(record, Mapping) or "detail-type" in record:  # EventBridge: glue_events
            return False
        if "JobRunState" in record or ("Id" in record and "JobName" in record):
            return True
        return isinstance(record.get("JobRun"), Mapping) or isinstance(record.get("JobRuns"), list)
    except Exception:  # a hostile object: not ours
        return False


def pages(item: Any) -> Iterable[Any] | None:
    """The JobRuns of a ``GetJobRuns`` page, else ``None``."""
    if (type(item) is dict or isinstance(item, Mapping)) and "JobRuns" in item and "Id" not in item:
        runs = item["JobRuns"]
        return runs if isinstance(runs, list | tuple) else [runs]
    return None


def _bare_words(words: Mapping[str, Any], ctx: Context) -> tuple[State, Reason | None]:
    """The state and reason of bare ``JobRunState`` / ``StateDetail`` / ``ExecutionClass`` words."""
    get = words.get
    _, _, state, reason = state_words(get("JobRunState"), get("StateDetail"), get("ExecutionClass"), ctx)
    return state, reason


SPEC: Final = ProviderSpec(
    name="glue",
    build=build,
    tables={"JobRunState": JOB_RUN_STATE},
    known_values={"JobRunState": KNOWN_JOB_RUN_STATES},
    native_states={word: frozenset({o.state}) for word, o in JOB_RUN_STATE.items()},
    native_edges=NATIVE_EDGES,
    provenance=PROVENANCE,
    pages=pages,
    evidence={"JobRunState": JOB_RUN_STATE_EVIDENCE},
    detect=detect,
    decision=jobs_decision,
    state_words=StateWords(("JobRunState", "StateDetail", "ExecutionClass"), _bare_words),
)
"""AWS Glue: job runs (GetJobRun/GetJobRuns); their EventBridge events are ``glue_events``'."""
