"""AWS Glue job runs (``GetJobRun`` / ``GetJobRuns``): boto3 dicts with datetimes, or wire JSON.

Tables checked against botocore's Glue service model (``glue/2017-03-31``), botocore 1.44.5 and
1.44.8 (same ``JobRunState`` values). An EventBridge "Glue Job State Change" event is refused with a
pointer to the ``glue_events`` provider, which reads events (and their namespace
``aws:<account>:<region>``) from this module's table. The decisions and their sources:
``docs/decisions-core.md#glue-job-run-state`` and ``docs/decisions.md``.
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
    NativeEdge,
    Outcome,
    ProviderSpec,
    Reason,
    Run,
    State,
    check_order,
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
    time_from_value,
)

from .decision import jobs_decision

__all__ = ["JOB_RUN_STATE", "SPEC"]

PROVENANCE: Final = "botocore 1.44.5, service model glue/2017-03-31 (shape JobRunState)"

KNOWN_JOB_RUN_STATES: Final = (
    "STARTING", "RUNNING", "STOPPING", "STOPPED", "SUCCEEDED",
    "FAILED", "TIMEOUT", "ERROR", "WAITING", "EXPIRED",
)  # fmt: skip

JOB_RUN_STATE: Final[Mapping[str, Outcome]] = MappingProxyType(
    {
        "STARTING": Outcome(State.PENDING),
        "WAITING": Outcome(State.QUEUED),  # StateDetail says why; see build()
        "RUNNING": Outcome(State.RUNNING),
        "STOPPING": Outcome(State.TERMINATING),
        "STOPPED": Outcome(State.CANCELED),  # the record does not say who stopped it
        "SUCCEEDED": Outcome(State.SUCCEEDED),
        "FAILED": Outcome(State.FAILED),  # user code, but also resource and concurrency failures
        "TIMEOUT": Outcome(State.TIMED_OUT),
        "ERROR": Outcome(State.FAILED, Reason.USER_ERROR),  # a trigger ran a deleted job: configuration
        "EXPIRED": Outcome(State.TIMED_OUT, Reason.EXPIRED),
    }
)
"""``JobRunState`` to canonical outcome (docs/decisions.md)."""

_STATUSES: Final = "https://docs.aws.amazon.com/glue/latest/dg/job-run-statuses.html"
_MODEL: Final = "botocore glue/2017-03-31 service-2.json, shape JobRun"

JOB_RUN_STATE_EVIDENCE: Final[Mapping[str, str]] = MappingProxyType(
    {
        "STARTING": f"{_STATUSES}: the run is acquiring resources and starting (state diagram)",
        "WAITING": f"{_STATUSES}: 'The WAITING status indicates a job run is waiting for resources.'; "
        f"{_MODEL}.StateDetail: 'when a job run is in a WAITING state as a result of job run queuing, "
        "the field has the reason'",
        "RUNNING": f"{_STATUSES}: 'Possible job run statuses are STARTING, RUNNING, STOPPING, ...' "
        "(the run executes)",
        "STOPPING": f"{_STATUSES}: a stop was requested (BatchStopJobRun) and the run is stopping",
        "STOPPED": f"{_STATUSES}: the run was stopped (BatchStopJobRun); the record does not say by whom, "
        "so no CANCELED_BY_* reason",
        "SUCCEEDED": f"{_STATUSES}: the run finished successfully",
        "FAILED": f"{_STATUSES}: 'FAILED: The job exceeded its maximum allowed concurrent runs, or "
        "terminated with an unknown exit code.' (does not say user vs platform: no reason)",
        "TIMEOUT": f"{_STATUSES}: 'TIMEOUT: The job run time exceeded its specified timeout value.'",
        "ERROR": f"{_STATUSES}: 'ERROR: A workflow, schedule trigger, or event trigger attempted to run a "
        "deleted job.' (the user's configuration: USER_ERROR)",
        "EXPIRED": f"{_MODEL}: JobRunState enum value EXPIRED (botocore 1.44.5, 1.44.8), enum value only, "
        f"meaning inferred: botocore gives no text for it and {_STATUSES} does not list it; read as a run "
        "that expired (a queued run's time ran out) before it could run or finish: TIMED_OUT, EXPIRED",
    }
)
"""The documentary source of every row of :data:`JOB_RUN_STATE`."""

NATIVE_EDGES: Final = tuple(
    NativeEdge(s, t)
    for s, t in (
        # queuing: WAITING until resources or a concurrency slot are free, back again while acquiring them
        ("WAITING", "STARTING"), ("STARTING", "WAITING"), ("WAITING", "EXPIRED"),
        ("STARTING", "RUNNING"),
        ("RUNNING", "SUCCEEDED"), ("RUNNING", "FAILED"), ("RUNNING", "TIMEOUT"), ("RUNNING", "ERROR"),
        # BatchStopJobRun on any non-terminal run
        ("WAITING", "STOPPING"), ("STARTING", "STOPPING"), ("RUNNING", "STOPPING"), ("STOPPING", "STOPPED"),
        # failing to acquire resources (15 minutes or 10 tries), or a deleted job
        ("WAITING", "FAILED"), ("STARTING", "FAILED"), ("WAITING", "ERROR"), ("STARTING", "ERROR"),
        # a stop request racing the run's own end
        ("STOPPING", "SUCCEEDED"), ("STOPPING", "FAILED"), ("STOPPING", "TIMEOUT"),
    )
)  # fmt: skip
"""Glue's own life cycle (WAITING only when job run queuing is enabled)."""

_DETAIL_FIELDS: Final = ("TriggerName", "Timeout", "DPUSeconds", "ExecutionClass", "JobMode")  # fmt: skip
_ENDED_MISSING: Final = MappingProxyType(
    {"queue": Missing.NOT_REPORTED, "setup": Missing.NOT_APPLICABLE, "cleanup": Missing.NOT_APPLICABLE}
)
"""Glue measures no setup or cleanup time (not applicable, not zero). A run can wait, in WAITING (job
run queuing; a Flex run waits for capacity up to 20 minutes, "which delays the start of the run"),
inside ``CompletedOn - StartedOn``, but no ``JobRun`` field measures the wait: the queue is
NOT_REPORTED, not NOT_APPLICABLE (docs/decisions.md)."""
_NOT_ENDED_DURATIONS: Final = Durations(
    missing=MappingProxyType({**_ENDED_MISSING, "execution": Missing.NOT_ENDED, "total": Missing.NOT_ENDED})
)
# ExecutionTime is whole seconds, so it may exceed the wall time by up to a second of rounding
_ROUNDING: Final = timedelta(seconds=1)
_ZERO: Final = timedelta(0)


WAITING_REASONS: Final = (
    ("per job", Reason.CONCURRENCY_LIMIT),
    ("maxconcurrentruns", Reason.CONCURRENCY_LIMIT),
    ("per account", Reason.WORKSPACE_LIMIT),
    ("concurrent compute", Reason.WORKSPACE_LIMIT),
    ("dpu", Reason.WORKSPACE_LIMIT),
    ("resource", Reason.WAITING_FOR_RESOURCES),
    ("capacity", Reason.WAITING_FOR_RESOURCES),
    ("insufficient", Reason.WAITING_FOR_RESOURCES),
)
"""Why a run is WAITING, by keyword of its free-text ``StateDetail`` (first match wins).

Glue documents the causes (max concurrent runs per account or per job, max concurrent DPUs, resource
unavailable) but not the exact text, so the keywords follow the documented wording.
"""


WAITING_DETAIL_CHARS: Final = 2000
"""How much of ``StateDetail`` is searched for the keywords (lower-cased): a long detail is cut."""

WAITING_BY_EXECUTION_CLASS: Final[Mapping[str, Reason]] = MappingProxyType(
    {"FLEX": Reason.WAITING_FOR_RESOURCES}
)
"""Why a WAITING run without a ``StateDetail`` waits, by ``ExecutionClass``: a Flex run waits for spare
capacity (https://docs.aws.amazon.com/glue/latest/dg/job-run-statuses.html, WAITING table, "Spark jobs
(Flex)"). Data, like the keywords, so that :mod:`runstate.sql` emits the same decision."""


def _waiting_reason(detail: str | None, execution_class: object) -> Reason | None:
    """The reason of a QUEUED run: :data:`WAITING_REASONS` in its detail, else its execution class."""
    if detail:
        text = detail[:WAITING_DETAIL_CHARS].lower()
        for keyword, reason in WAITING_REASONS:
            if keyword in text:
                return reason
        return None
    return WAITING_BY_EXECUTION_CLASS.get(execution_class) if isinstance(execution_class, str) else None


def _original_run_id(run_id: str, attempt: int, previous: str | None) -> str | None:
    """The first attempt's id: Glue names retries ``<original>_attempt_<N>``; else attempt 1's previous."""
    suffix = f"_attempt_{attempt}"
    if run_id.endswith(suffix) and len(run_id) > len(suffix):
        return run_id[: -len(suffix)]
    return previous if attempt == 1 else None


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


def build(record: Any, ctx: Context, keep_raw: bool) -> Run:
    """One Glue ``JobRun`` (or ``GetJobRun`` response) to a canonical run.

    The hot path: a wire-JSON JobRun whose every field is plain (the very case :func:`careful_build`
    takes without a report) is read here in one pass with the same calls, so it gives the same run;
    at the first odd value it hands the record to :func:`careful_build`, which reads and reports.
    ``tests/test_provider_glue_fast.py`` proves the two agree on every record. One function on
    purpose: each call split off costs about 2% of a Glue record (measured interleaved).
    """
    get: Any = record.get if type(record) is dict and "Id" in record else None
    if get is None:
        return careful_build(record, ctx, keep_raw)
    run_id, word, detail = get("Id"), get("JobRunState"), get("StateDetail")
    job_name, message, attempt, previous = (
        get("JobName"), get("ErrorMessage"), get("Attempt", 0), get("PreviousRunId")
    )  # fmt: skip
    outcome = _STATES.get(word) if type(word) is str else None
    if (
        outcome is None
        or type(run_id) is not str
        or not run_id
        or (detail is not None and type(detail) is not str)
        or (job_name is not None and type(job_name) is not str)
        or (message is not None and type(message) is not str)
        or type(attempt) is not int
        or not 0 <= attempt < MAX_ATTEMPT
        or (previous is not None and type(previous) is not str)
    ):
        return careful_build(record, ctx, keep_raw)
    started, completed, modified = get("StartedOn"), get("CompletedOn"), get("LastModifiedOn")
    if type(started) is float and 0 < started < _PLAIN_EPOCH_S:
        started = _from_timestamp(started, _UTC)
    elif started is not None:
        return careful_build(record, ctx, keep_raw)
    if type(completed) is float and 0 < completed < _PLAIN_EPOCH_S:
        ended = _from_timestamp(completed, _UTC)
    elif completed is None:
        ended = None
    else:
        return careful_build(record, ctx, keep_raw)
    if type(modified) is float and 0 < modified < _PLAIN_EPOCH_S:
        modified = ended if modified == completed else _from_timestamp(modified, _UTC)
    elif modified is not None:
        return careful_build(record, ctx, keep_raw)
    state = outcome.state
    durations = _plain_durations(get, state, started, ended)
    predecessors = get("PredecessorRuns")
    if durations is None or (predecessors is not None and type(predecessors) is not list):
        return careful_build(record, ctx, keep_raw)
    details = _detail_fields(get)
    if predecessors:
        details["PredecessorRuns"] = predecessors if keep_raw else _own_copy(predecessors)
    known = _KNOWN_PROVIDER_STATES.get(word) if detail is None else None  # looked up here: a call less
    return make_run(
        "glue",
        run_id,
        job_id=job_name,
        name=job_name,
        state=state,
        reason=_waiting_reason(detail, get("ExecutionClass")) if state is _QUEUED else outcome.reason,
        provider_state=known or _provider_state(word, detail),
        message=message or detail,
        attempt=attempt,
        original_run_id=_original_run_id(run_id, attempt, previous) if attempt else None,
        previous_run_id=previous,
        started_at=started,
        ended_at=ended,
        updated_at=modified,
        durations=durations,
        details=freeze_details(details),
        raw=record if keep_raw else None,
    )


def _own_copy(predecessors: Sequence[Any]) -> list[Any]:
    """PredecessorRuns for a run kept without its record: a list and entries of its own, so later
    changes to the caller's record do not show in the run (with ``raw`` both are the record's)."""
    return [dict(entry) if type(entry) is dict else entry for entry in predecessors]


def _detail_fields(get: Any) -> dict[str, Any]:
    """The :data:`_DETAIL_FIELDS` a JobRun has, in that order (PredecessorRuns is added by the caller)."""
    details = {}
    for key in _DETAIL_FIELDS:  # a loop: a comprehension costs a call
        if (value := get(key)) is not None:
            if (kind := type(value)) is str or kind is int or (kind is float and value == value):
                details[key] = value
            elif not is_null(value):  # a data frame's null is absent, a numpy number a number
                number = plain_number(value)
                details[key] = value if number is None else number
    return details


_STATES: Final = dict(JOB_RUN_STATE)  # a dict's get: no proxy in between
_QUEUED: Final = State.QUEUED


def _plain_durations(
    get: Any, state: State, started: datetime | None, ended: datetime | None
) -> Durations | None:
    """What :func:`_durations` gives when it has nothing to report; ``None`` when it would report."""
    if ended is None:
        if state not in TERMINAL_STATES:
            return _NOT_ENDED_DURATIONS
        total = None
    elif started is None:
        total = None
    else:
        total = ended - started
        if total < _ZERO or total > MAX_DURATION:
            return None
    raw_execution = get("ExecutionTime")
    execution: timedelta | None = None
    if type(raw_execution) is int and 0 <= raw_execution <= _MAX_S:
        execution = seconds = _SECONDS[raw_execution]
        if total is not None and seconds - total > _ROUNDING:  # more than rounding: reported
            return None
    elif raw_execution is not None:
        return None
    return make_durations(None, None, execution, None, total, _ENDED_MISSING)


def state_words(
    word: object, detail: object, execution_class: object, ctx: Context
) -> tuple[object, str | None, State, Reason | None]:
    """(the state word, the ``StateDetail`` text, state, reason) of a JobRun's state words: the decision
    :func:`careful_build` makes, shared with :func:`runstate.state_of`."""
    outcome = JOB_RUN_STATE.get(word) if type(word) is str else None
    if outcome is None:
        word = None if is_null(word) else word  # a data frame's null state: a missing state
        outcome = map_word(JOB_RUN_STATE, word, ctx, "$.JobRunState")
    if detail is not None and type(detail) is not str:
        detail = opt_str(detail, ctx, "$.StateDetail")
    state = outcome.state
    reason = _waiting_reason(detail, execution_class) if state is State.QUEUED else outcome.reason
    return word, detail, state, reason


def careful_build(record: Any, ctx: Context, keep_raw: bool) -> Run:
    """:func:`build` for any record: every field through its reporting reader where it is odd.

    Plain-typed fields are still taken as they are; nested values (Arguments, PredecessorRuns) are
    shared, never copied.
    """
    job_run = _unwrap(record, ctx)
    get = job_run.get
    word, detail, state, reason = state_words(
        get("JobRunState"), get("StateDetail"), get("ExecutionClass"), ctx
    )
    started = get("StartedOn")  # wire JSON: epoch seconds, converted here in the common case
    if type(started) is float and 0 < started < _PLAIN_EPOCH_S:
        started = _from_timestamp(started, _UTC)
    else:
        started = time_from_value(started, ctx, "$.StartedOn")
    ended = completed = get("CompletedOn")
    if type(ended) is float and 0 < ended < _PLAIN_EPOCH_S:
        ended = _from_timestamp(ended, _UTC)
    else:
        ended = time_from_value(ended, ctx, "$.CompletedOn")
    durations = _durations(get, state, started, ended, ctx)
    details = _detail_fields(get)
    predecessors = get("PredecessorRuns")
    if predecessors is not None and type(predecessors) is not list and is_null(predecessors):
        predecessors = None  # pandas' NA has no truth value
    if predecessors:
        if type(predecessors) is not list:
            predecessors = opt_sequence(predecessors, ctx, "$.PredecessorRuns")
        if predecessors is not None:
            details["PredecessorRuns"] = predecessors if keep_raw else _own_copy(predecessors)
    run_id, job_name, message, attempt, previous = _identity(get, ctx)
    return make_run(
        "glue",
        run_id,
        job_id=job_name,
        name=job_name,
        state=state,
        reason=reason,
        provider_state=_provider_state(word, detail),
        message=message or detail,
        attempt=attempt,
        original_run_id=_original_run_id(run_id, attempt, previous) if attempt else None,
        previous_run_id=previous,
        started_at=started,
        ended_at=ended,
        updated_at=_updated_at(get("LastModifiedOn"), completed, ended, ctx),
        durations=durations,
        details=freeze_details(details),
        raw=record if keep_raw else None,
    )


_PLAIN_EPOCH_S: Final = 4_102_444_800.0
"""2100-01-01 in epoch seconds: a float in (0, this) is what ``time_from_value`` converts with
``datetime.fromtimestamp(value, UTC)`` without a report, so the hot path converts it the same way
itself (the same call, the same result) and leaves every other value to the reader."""
_from_timestamp: Final = datetime.fromtimestamp
_UTC: Final = EPOCH.tzinfo


def _updated_at(value: object, completed: object, ended: Any, ctx: Context) -> datetime | None:
    """``LastModifiedOn``, plain epoch seconds converted as :func:`build` does its start and end; the
    very ``CompletedOn`` float (a finished run is last modified when it completes) is its end time."""
    if type(value) is float and 0 < value < _PLAIN_EPOCH_S:
        if type(completed) is float and value == completed:  # the same number: the same time
            return ended  # type: ignore[no-any-return]
        return _from_timestamp(value, _UTC)
    return time_from_value(value, ctx, "$.LastModifiedOn")


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


def _durations(
    get: Any, state: State, started: datetime | None, ended: datetime | None, ctx: Context
) -> Durations:
    """Total = end - start and execution = ``ExecutionTime`` (whole seconds), once the run has ended."""
    total = None
    if started is not None and ended is not None:
        total = ended - started
        if abs(total) > MAX_DURATION:  # a sentinel time (9999-12-31, 0001-01-01), either way: as a field
            ctx.invalid("$.CompletedOn", _span_text(started, ended), "total out of range (over 100 years)")
            total = None
        elif total < _ZERO:
            check_order(started, ended, ctx, "$.CompletedOn")
    if ended is None and state not in TERMINAL_STATES:
        return _NOT_ENDED_DURATIONS
    raw_execution = get("ExecutionTime")
    if type(raw_execution) is int and 0 <= raw_execution <= _MAX_S:
        execution: timedelta | None = _SECONDS[raw_execution]
    else:
        execution = duration_from_s(raw_execution, ctx, "$.ExecutionTime")
    if execution is not None and total is not None and total >= _ZERO and execution - total > _ROUNDING:
        ctx.report("inconsistent", "$.ExecutionTime", raw_execution, f"execution exceeds wall time {total}")
    return make_durations(None, None, execution, None, total, _ENDED_MISSING)


def _span_text(started: datetime, ended: datetime) -> str:
    return f"{ended.isoformat()} - {started.isoformat()}"


MAX_ATTEMPT: Final = 2**31
"""``Attempt`` is below this: botocore's Glue model gives ``JobRun.Attempt`` the shape ``AttemptCount``,
``{"type": "integer"}``, an AWS API ``integer`` (32-bit signed); a larger number is reported."""


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


_KNOWN_PROVIDER_STATES: Final = {w: MappingProxyType({"JobRunState": w}) for w in KNOWN_JOB_RUN_STATES}


def _provider_state(word: object, detail: str | None) -> Mapping[str, str]:
    if detail is None:
        known = _KNOWN_PROVIDER_STATES.get(word) if type(word) is str else None
        if known is not None:
            return known
    result = {"JobRunState": word} if type(word) is str else {}
    if detail is not None:
        result["StateDetail"] = detail
    return MappingProxyType(result) if result else EMPTY


def pages(item: Any) -> Iterable[Any] | None:
    """The JobRuns of a ``GetJobRuns`` page, else ``None``."""
    if (type(item) is dict or isinstance(item, Mapping)) and "JobRuns" in item and "Id" not in item:
        runs = item["JobRuns"]
        return runs if isinstance(runs, list | tuple) else [runs]
    return None


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
)
