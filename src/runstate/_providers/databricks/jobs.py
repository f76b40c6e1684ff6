"""Databricks Jobs runs (``jobs/runs/get``, items of ``jobs/runs/list``): JSON dicts or SDK objects.

Tables (in ``_databricks_tables``) are checked against databricks-sdk 0.156.0, one per SDK enum.

Input. A dict, or a ``databricks.sdk.service.jobs`` ``Run`` / ``BaseRun`` / ``RunTask``, read through
its ``as_dict()`` by duck typing (the SDK is never imported). The SDK *drops enum values it does not
know* (and empty strings): a new ``life_cycle_state``, ``result_state``, termination ``code`` or
``type`` disappears from an SDK object, so only a dict can keep an unknown word in ``provider_state``.
``raw`` of an SDK object is its ``as_dict()``. A ``runs/list`` page (``{"runs": [...], "has_more":
...}``) is split by :func:`pages` for ``normalize_many`` (given to ``normalize``, it is refused with that
hint). A ``jobs/runs/get-output`` response (``RunOutput``, ``{"metadata": <the run>, "notebook_output":
...}``) is read as its ``metadata`` run, ``raw`` keeping the whole response (as Glue's ``{"JobRun":
...}``). A ``system.lakeflow.job_run_timeline`` row (``period_start_time`` / ``period_end_time``, no
``state`` or ``status``) is refused with the hint "use provider 'databricks_system'".

State. The ``status`` model (``status.state``, ``termination_details``, ``queue_details``) wins on
phase; for TERMINATED the code gives the outcome, and for failure codes the termination *type*
(CLIENT_ERROR / INTERNAL_ERROR / CLOUD_FAILURE) gives user vs platform, else the code's default. The
legacy ``state`` refines it: TIMEDOUT turns a platform CANCELED into TIMED_OUT (with a user cancel it is
a contradiction), UPSTREAM_* / EXCLUDED / DISABLED give the skip reason, and a missing reason is taken
from it. A real contradiction (two different outcomes, or a legacy state ahead of ``status``) is a
``StateConflictWarning``; ``status`` is kept. Legacy INTERNAL_ERROR is FAILED (platform) unless
``status`` says user error. Without ``status`` the legacy words decide; CANCELED gets no
CANCELED_BY_* reason unless ``user_cancelled_or_timedout`` is true (the SDK: "canceled manually by a
user or by the scheduler because the run timed out", and a timed-out run's result is TIMEDOUT): then
CANCELED_BY_USER. A TERMINATED ``status`` with a failure type and no code (an SDK round trip drops a
code it does not know) is FAILED with the type's verdict, as ``databricks_system`` reads it. A
``status``-only timeout is CANCELED_BY_PLATFORM (the API has no timeout code). ``status.state``
WAITING is WAITING_FOR_RETRY only with evidence of a retry (legacy WAITING_FOR_RETRY,
``attempt_number > 0``, an ``original_attempt_run_id`` other than ``run_id``), else QUEUED with
``Reason.DEFERRED`` (cost-optimized runs wait for a cheaper time). The state words are decided by one
decision table (``_databricks_decisions``), which the SQL generator emits too.
An SDK object whose termination code the SDK dropped (an enum value it does not know) is reported
(strict: ``UnmappedStateError`` naming ``status.termination_details.code``) and its surviving
``type`` decides, as for a dict with an unknown code. Sources of each decision: docs/decisions.md.

Unknown words. Every unknown word is reported (strict: ``UnmappedStateError``). Leniently the other
fields still decide: an unknown code with an error type is FAILED with the type's reason; an unknown
code otherwise, or an unknown result_state, falls back to the other model, else UNKNOWN (a terminal
phase without a known outcome is UNKNOWN: no state means "ended, outcome unknown").

Lineage. ``attempt`` = ``attempt_number`` (2**31 or more is an odd value: reported, leniently 0);
``original_run_id`` = ``original_attempt_run_id`` when it differs from ``run_id`` (``None`` for a first
attempt); ``previous_run_id`` = the original for attempt 1. A task run fetched by id (``job_run_id``
differs) has ``parent_run_id`` = ``job_run_id`` and is named by its task_key, as is a run without
``run_name`` (an SDK ``RunTask`` given on its own); a job run triggered by a Run Job task has
``parent_run_id`` = that task run (``trigger_info.run_id``). ``tasks[]`` and for-each ``iterations[]``
become child runs (task_key as name, parent = this run, job_id inherited); an entry repeating this run's
own run_id is not a child. Entries of one task_key are its attempts (retries, repairs): each later one, in
start order, gets ``previous_run_id`` and ``original_run_id`` from its siblings where it does not say. A
repaired run keeps ``details["active_intervals"]`` (from ``repair_history``), which ``Run.elapsed`` sums
while it runs. Nesting deeper than :data:`MAX_DEPTH` is reported and cut. ``repair_history``,
``run_job_task``, ``for_each_task`` and other facts are kept in ``details``.

Identity. A record with neither ``run_id`` nor ``state``/``status``, or without a usable
``run_id``, is refused in both modes. ``namespace`` is ``databricks:<workspace_id>``
(``workspace_id``, or ``?o=`` of ``run_page_url``), else ``databricks:<host of run_page_url>``;
tasks share it.

Times. Epoch ms; ``0`` is "not set". ``created_at`` = ``started_at`` = ``start_time``: Databricks sets it
when the run is accepted (queued runs have it) and has no other creation time. Durations: queue from
``queue_duration``. A multitask run has parts NOT_APPLICABLE (Databricks reports them as 0) and total =
``run_duration``, else (older records) end - start (over 100 years, a sentinel end such as 9999-12-31, is
reported like a reported duration that long and left missing), else NOT_ENDED. A run is multitask when
``format`` says MULTI_TASK; without ``format``, when its setup/execution/cleanup are all 0 or absent and
it has ``run_duration``, or at least two child runs (``tasks[]`` / ``iterations[]`` entries other than
itself), or, once ended, one: a single-task run lists its one task too, but its parts are measured by the
time it ends, so only while it runs is one child ambiguous (read as single-task: NOT_ENDED). A ``format``
of SINGLE_TASK is trusted unless ``run_duration`` comes with parts all 0. Otherwise total = setup +
execution + cleanup (``run_duration`` only when a part is missing, else end - start; parts above
``run_duration`` are reported). Before the run ends, 0 means NOT_ENDED. A total above end - start, or
(unless the run was repaired) below it by more than the queue time and a slack, is reported as
inconsistent.

State words may be ``str`` subclasses (a ``StrEnum``): they are read as their plain text.

Rooms. This module reconciles the state words (memoized by :class:`_StateKey`) and orchestrates
:func:`_build`; the tables are in ``_databricks_tables``, identity in ``_databricks_identity``, child
runs in ``_databricks_tasks``, times and durations in ``_databricks_durations``, details and the
message in ``_databricks_details``.

Cost. A dict record is read by a probe pass that reports nothing and, only if it met a problem, again
by the reporting pass (:func:`build`): the same code, so the same run, warnings and errors
(``tests/test_databricks_probe.py``). Equal immutable values are shared, not rebuilt: plain durations
(one ``Durations`` per value), a task's start or end in its parent's millisecond, the state words'
``provider_state``, repeated words and names (interned); without ``raw``, the record's objects kept in
``details`` are equal copies with shared strings, so the record can go (``_databricks_details``).
"""

from collections.abc import Iterable, Mapping
from datetime import datetime
from functools import partial
from types import MappingProxyType
from typing import Any, Final, NamedTuple, NoReturn

from runstate.provider_kit import (
    EMPTY,
    TERMINAL_STATES,
    Context,
    Durations,
    Outcome,
    ProviderSpec,
    Reason,
    ReportKind,
    Run,
    State,
    UnmappedStateWarning,
    freeze_details,
    make_run,
    opt_mapping,
)

from . import decisions, identity
from . import tables as t
from .decision import decision
from .details import NESTED, add_active_intervals, intern, message, run_details, shared_copy
from .durations import NO_SHARED, Shared, run_times
from .evidence import EVIDENCE
from .identity import MAX_ATTEMPT
from .tasks import MAX_DEPTH, NO_CHILDREN, as_mapping, child_runs

__all__ = ["MAX_DEPTH", "SPEC", "build", "pages"]

_UNKNOWN: Final = t.OUTCOMES[State.UNKNOWN, None]
_QUEUED: Final = t.OUTCOMES[State.QUEUED, None]
LEGACY_QUEUE_REASONS: Final = (
    ("workspace", Reason.WORKSPACE_LIMIT),
    ("concurrent", Reason.CONCURRENCY_LIMIT),
)
"""Why a legacy-only QUEUED run waits, by keyword of its free-text ``queue_reason`` (first match)."""
LEGACY_QUEUE_CHARS: Final = 500
"""How much of ``queue_reason`` is searched for the keywords (lower-cased)."""


class _Resolved(NamedTuple):
    outcome: Outcome
    conflict: str | None
    provider_state: Mapping[str, str]
    task_outcome: Outcome
    """The outcome of an entry of ``tasks[]`` (``decisions.Row.task_outcome``)."""


_MEMO: dict[tuple[Any, ...], _Resolved] = {}
_MEMO_LIMIT: Final = 4096
_PS_KEYS: Final = (
    "life_cycle_state", "result_state", "status.state",
    "termination_details.code", "termination_details.type", "queue_details.code",
)  # fmt: skip
_WORD_FIELDS: Final = (
    ".state.life_cycle_state", ".state.result_state", ".status.state",
    ".status.termination_details.code", ".status.termination_details.type", ".status.queue_details.code",
)  # fmt: skip
_WORD_TABLES: Final = (
    t.RUN_LIFE_CYCLE_STATE, t.RUN_RESULT_STATE, t.RUN_LIFECYCLE_STATE_V2_STATE,
    t.TERMINATION_CODE_CODE, t.TERMINATION_TYPE_TYPE, t.QUEUE_DETAILS_CODE_CODE,
)  # fmt: skip


def _word(table: Mapping[str, Outcome], value: object, ctx: Context, field: str) -> tuple[str | None, bool]:
    """(the word if the table knows it, whether a problem was reported); "" counts as absent.

    A ``str`` subclass (a ``StrEnum``) arrives here already turned into its plain text by :func:`_plain`.
    """
    if type(value) is str:
        if not value:
            return None, False
        if value in table:
            return value, False
        ctx.unmapped(field, value)
        return None, True
    if value is None:
        return None, False
    ctx.invalid(field, value, "expected a state word (string)", UnmappedStateWarning)
    return None, True


_KEY_TYPES: Final = frozenset({str, bool, type(None)})
"""Types of a memo key's items that need no conversion: only such keys are looked up in ``_MEMO``."""


def _plain(key: tuple[Any, ...]) -> tuple[Any, ...]:
    """The key with every ``str`` subclass (a ``StrEnum``, ...) as its plain text, like an exact ``str``.

    Its own ``__str__`` / ``__eq__`` / ``__hash__`` are not used: ``str.__str__`` gives its characters.
    """
    return tuple(str.__str__(v) if isinstance(v, str) and type(v) is not str else v for v in key)


def _resolve(key: tuple[Any, ...], ctx: Context, path: str) -> _Resolved:
    """The slow path: check every word, map, reconcile; memoized when every word was known."""
    words: list[str | None] = []
    reported = False
    for table, value, field in zip(_WORD_TABLES, key, _WORD_FIELDS, strict=False):
        word, problem = _word(table, value, ctx, path + field)
        words.append(word)
        reported = reported or problem
    lcs, v2 = words[0], words[2]
    # an SDK object turns a code it does not know into None: that code was given, just dropped
    dropped = v2 == "TERMINATED" and key[8] is True and key[3] is None and key[4] is not None
    if dropped:
        ctx.unmapped(path + ".status.termination_details.code", None, _DROPPED)
        reported = True
    row = decisions.decide(
        (
            decisions.token(decisions.LCS, key[0]),
            decisions.token(decisions.RES, key[1]),
            decisions.token(decisions.V2, key[2]),
            decisions.UNKNOWN if dropped else decisions.token(decisions.CODE, key[3]),
            decisions.token(decisions.TYPE, key[4]),
            decisions.token(decisions.QUEUE, key[5]),
            "user" if key[6] is True else "other",
            "retry" if key[7] is True else "first",
        )
    )
    outcome, conflict = row.outcome, row.conflict
    if outcome is _UNKNOWN and not reported:
        if v2 == "TERMINATED":
            missing = ".status.termination_details.code"
        elif lcs in ("TERMINATED", "SKIPPED"):
            missing = ".state.result_state"
        else:
            missing = ".state.life_cycle_state"
        ctx.invalid(path + missing, None, "missing state")
        reported = True
    state_words = {k: v for k, v in zip(_PS_KEYS, key, strict=False) if type(v) is str and v}
    provider_state = MappingProxyType(state_words) if state_words else EMPTY
    resolved = _Resolved(outcome, conflict, provider_state, row.task_outcome)
    if not reported and len(_MEMO) < _MEMO_LIMIT:
        _MEMO[key] = resolved
    return resolved


_DROPPED: Final = "missing: databricks-sdk dropped a termination code it does not know (type kept)"


class _StateKey(NamedTuple):
    """The memo key of a run's state words: what :func:`_resolve` decides from, by name.

    The hot path looks the memo up with an equal plain tuple (a tuple hashes and compares like this
    named tuple, and costs nothing to build); a key is made only for :func:`_resolve`, on a miss.
    """

    life_cycle_state: Any
    result_state: Any
    status_state: Any
    termination_code: Any
    termination_type: Any
    queue_code: Any
    cancelled_by_user: bool
    retried: bool
    """``attempt_number > 0`` or an ``original_attempt_run_id``: evidence of a retry."""
    sdk_object: bool
    """Read from an SDK object, which drops enum values it does not know."""


def _lookup(words: tuple[Any, ...], ctx: Context, path: str) -> _Resolved:
    """The resolved state of words the memo did not have: their plain text looked up again, else
    decided by :func:`_resolve` (which memoizes them when every word was known)."""
    # a str subclass is read as its plain text, so the outcome never depends on what was
    # memoized before; a list or a number is left to the slow path to report
    key = _StateKey._make(_plain(words))
    resolved = _MEMO.get(key) if set(map(type, key)) <= _KEY_TYPES else None
    return resolved or _resolve(key, ctx, path)


_NO_FIELDS: Final[dict[str, Any]] = {}
"""An absent nested object read as empty: a plain dict (its ``get`` is a dict's, not a proxy's), never
written to: nothing reads a section but ``get``."""


def _section(value: Any, ctx: Context, field: str) -> Mapping[str, Any]:
    """A nested object of the record (``state``, ``status``, ...); anything else reported, read as empty."""
    if value is EMPTY or type(value) is dict:
        return value
    mapping: Mapping[str, Any] | None = opt_mapping(value, ctx, field)
    return mapping or EMPTY


LEGACY_WORDS: Final = ("life_cycle_state", "result_state", "user_cancelled_or_timedout", "queue_reason")
STATE_WORDS: Final = (
    *LEGACY_WORDS, "status_state", "termination_code", "termination_type", "queue_code", "attempt_number",
)  # fmt: skip
"""The words :func:`state_of_words` reads: the legacy ``state``'s fields as named, then ``status.state``,
``status.termination_details``' code and type and ``status.queue_details.code``, and the attempt."""


def state_of_words(words: Mapping[str, Any], ctx: Context) -> tuple[State, Reason | None]:
    """The state and reason of bare :data:`STATE_WORDS`, decided as :func:`build` decides a run whose
    sections hold them (:func:`runstate.state_of`)."""
    get = words.get
    status: dict[str, Any] = {"state": get("status_state")} if "status_state" in words else {}
    termination = {k: get(f"termination_{k}") for k in ("code", "type") if f"termination_{k}" in words}
    if termination:
        status["termination_details"] = termination
    if "queue_code" in words:
        status["queue_details"] = {"code": get("queue_code")}
    record = {"state": {key: words[key] for key in LEGACY_WORDS if key in words}, "status": status}
    attempt = get("attempt_number")
    retried = attempt is not None and identity.read_attempt(attempt, ctx, "$") > 0
    state, reason, *_ = _run_state(record.get, retried, False, False, ctx, "$")
    return state, reason


_RunState = tuple[State, Reason | None, Mapping[str, str], bool, str | None]
"""(state, reason, provider_state, cancelled by the user, message): a plain tuple, built once per run."""


def _run_state(get: Any, retried: bool, sdk: bool, task: bool, ctx: Context, path: str) -> _RunState:
    """The run's outcome from its legacy ``state`` and its ``status`` (see the module), and its message;
    ``task``: an entry of ``tasks[]``, whose legacy SKIPPED says nothing of the job's concurrency."""
    legacy = get("state", _NO_FIELDS)
    if type(legacy) is not dict:  # the type checks inline: each is a call saved per run
        legacy = _section(legacy, ctx, path + ".state")
    status = get("status", _NO_FIELDS)
    if type(status) is not dict:
        status = _section(status, ctx, path + ".status")
    termination = status.get("termination_details", _NO_FIELDS)
    if type(termination) is not dict:
        termination = _section(termination, ctx, path + ".status.termination_details")
    queue = status.get("queue_details", _NO_FIELDS)
    if type(queue) is not dict:
        queue = _section(queue, ctx, path + ".status.queue_details")
    by_user = legacy.get("user_cancelled_or_timedout")
    if by_user is not None and type(by_user) is not bool:
        ctx.report("invalid", path + ".state.user_cancelled_or_timedout", by_user, "expected a boolean")
        by_user = None
    status_word = status.get("state")
    words = (
        legacy.get("life_cycle_state"), legacy.get("result_state"), status_word, termination.get("code"),
        termination.get("type"), queue.get("code"), by_user is True, retried, sdk,
    )  # fmt: skip
    try:  # the memo holds only keys of plain words, so a hit is what the slow path would give
        resolved = _MEMO.get(words) or _lookup(words, ctx, path)
    except TypeError:  # unhashable (a list where a word belongs): the slow path reports it
        resolved = _lookup(words, ctx, path)
    outcome, conflict, provider_state, task_outcome = resolved  # unpacked: no attribute lookups
    if task:
        outcome = task_outcome
    if conflict is not None:
        ctx.report("conflict", path + ".status", _words_said(provider_state), conflict)
    if outcome is _QUEUED and status_word is None:
        outcome = _legacy_queue_outcome(legacy.get("queue_reason"))
    text = (
        legacy.get("state_message") or termination.get("message") or queue.get("message")
        or legacy.get("queue_reason")
    )  # fmt: skip
    if text is not None and type(text) is not str:
        text = message(legacy, termination, queue, ctx, path)
    elif text:  # messages repeat across runs ("1/3 tasks failed..."): one shared string
        text = intern(text)
    return outcome.state, outcome.reason, provider_state, by_user is True, text


def _words_said(provider_state: Mapping[str, str]) -> str:
    """The record's state words, short enough to be shown whole in a warning:
    ``"state TERMINATED/FAILED; status TERMINATED/SUCCESS/SUCCESS"`` (not a mapping's repr)."""
    legacy = "/".join(v for k, v in provider_state.items() if k in _LEGACY_KEYS)
    status = "/".join(v for k, v in provider_state.items() if k not in _LEGACY_KEYS)
    return f"state {legacy or '-'}; status {status or '-'}"


_LEGACY_KEYS: Final = ("life_cycle_state", "result_state")


def _legacy_queue_outcome(queue_reason: object) -> Outcome:
    """A legacy-only QUEUED run: why it waits, by keyword of its free-text ``queue_reason``."""
    if type(queue_reason) is str:
        text = queue_reason[:LEGACY_QUEUE_CHARS].lower()
        for word, reason in LEGACY_QUEUE_REASONS:
            if word in text:
                return t.OUTCOMES[State.QUEUED, reason]
    return _QUEUED


def detect(record: Any) -> bool:
    """A runs/get response or runs/list item (``run_id`` with run fields), a runs/list page, an SDK Run."""
    try:
        if isinstance(record, Mapping):
            if "run_id" in record:  # a system-table row (period_start_time) is databricks_system's
                return "period_start_time" not in record and any(k in record for k in _DETECT_KEYS)
            if _output_run(record) is not None:  # a runs/get-output response
                return True
            return isinstance(record.get("runs"), list) or ("has_more" in record and "runs" not in record)
        return type(record).__name__ in _SDK_CLASSES and callable(getattr(record, "as_dict", None))
    except Exception:  # a hostile object: not ours
        return False


_DETECT_KEYS: Final = ("state", "status", "job_id", "run_page_url", "tasks", "run_name", "task_key")
_SDK_CLASSES: Final = frozenset({"Run", "BaseRun", "RunTask", "ListRunsResponse", "RunOutput"})


def _build(
    ctx: Context,
    keep_raw: bool,
    depth: int,
    parent: str | None,
    job_id: str | None,
    namespace: str | None,
    shared: Shared,
    rec: Mapping[str, Any],
    path: str,
    sdk: bool,
    response: Mapping[str, Any] | None = None,
) -> Run:
    """One run (``depth`` 0) or task run: identity, state, times, durations, details, child runs.
    What a run's tasks share with it comes first, so that ``partial`` binds it for its child runs.
    ``response``: the ``runs/get-output`` response ``rec`` was unwrapped from, kept as ``raw``."""
    get = rec.get
    if depth == 0:
        identity.check_identity(rec, ctx)
        namespace = identity.namespace(get)
    # lineage inline: a plain run id, attempt and original here, anything odd through identity's readers
    raw_id, attempt, original = get("run_id"), get("attempt_number"), get("original_attempt_run_id")
    run_id = str(raw_id) if type(raw_id) is int and raw_id >= 0 else identity.read_run_id(raw_id, ctx, path)
    if attempt is None:
        attempt = 0
    elif type(attempt) is not int or attempt < 0 or attempt >= MAX_ATTEMPT:
        attempt = identity.read_attempt(attempt, ctx, path)
    if original is not None:
        original = (
            None
            if original == raw_id and type(original) is type(raw_id)
            else identity.original_run_id(original, raw_id, run_id, ctx, path)
        )
    state, reason, provider_state, cancelled_by_user, text = _run_state(
        get, attempt > 0 or original is not None, sdk, depth > 0, ctx, path
    )
    if (own_job := get("job_id")) is not None:  # else inherited from the parent run
        job_id = identity.job_id(own_job, ctx, path)
    started, ended, durations, times = run_times(get, state, ctx, path, shared)
    details = run_details(get, depth, cancelled_by_user, not keep_raw)
    if depth == 0:
        name, parent = identity.name_and_parent(get, raw_id, ctx, path)
    elif type(name := get("task_key")) is str:  # a task of the run that lists it, named by its key
        name = intern(name)
    else:
        name = identity.task_name(name, ctx, path)
    tasks, self_details, self_task_key = NO_CHILDREN
    if get("tasks") or get("iterations"):
        build_child = partial(_build, ctx, keep_raw, depth + 1, run_id, job_id, namespace, times)
        tasks, self_details, self_task_key = child_runs(get, raw_id, sdk, depth, ctx, path, build_child)
        if self_details:  # its own entry's facts (a task run fetched by id), nested ones copied as above
            details.update(
                (k, shared_copy(v)) if not keep_raw and k in NESTED else (k, v)
                for k, v in self_details.items()
            )
    if depth == 0 and parent is not None and self_task_key is not None:
        name = self_task_key  # a task run fetched by id
    if depth == 0 and "repair_history" in details:
        add_active_intervals(details, ctx, path)
    return _new_run(
        run_id, namespace, job_id, name, state, reason, provider_state, text, attempt, original, parent,
        started, ended, durations, tasks, freeze_details(details),
        (rec if response is None else response) if keep_raw else None,
    )  # fmt: skip


def _new_run(
    run_id: str,
    namespace: str | None,
    job_id: str | None,
    name: str | None,
    state: State,
    reason: Reason | None,
    provider_state: Mapping[str, str],
    message: str | None,
    attempt: int,
    original: str | None,
    parent: str | None,
    started: datetime | None,
    ended: datetime | None,
    durations: Durations,
    tasks: tuple[Run, ...],
    details: Mapping[str, Any],
    raw: Mapping[str, Any] | None,
) -> Run:
    """``make_run`` of a Databricks run, ``created_at`` = ``started_at`` (see the module).

    A first attempt without reason or message, the common case, passes 15 keywords: CPython 3.11
    compiles a call with more keywords into building a dict first (``CALL_FUNCTION_EX``), which
    costs about a microsecond more per run; the other fields keep their defaults there.
    """
    if reason is None and message is None and attempt == 0 and original is None:
        return make_run(
            provider="databricks", run_id=run_id, namespace=namespace, job_id=job_id, name=name,
            state=state, provider_state=provider_state, parent_run_id=parent, created_at=started,
            started_at=started, ended_at=ended, durations=durations, tasks=tasks, details=details, raw=raw,
        )  # fmt: skip
    return make_run(
        "databricks",
        run_id,
        namespace=namespace,
        job_id=job_id,
        name=name,
        state=state,
        reason=reason,
        provider_state=provider_state,
        message=message,
        attempt=attempt,
        original_run_id=original,
        previous_run_id=original if attempt == 1 else None,
        parent_run_id=parent,
        created_at=started,
        started_at=started,
        ended_at=ended,
        durations=durations,
        tasks=tasks,
        details=details,
        raw=raw,
    )


class _Bail(Exception):  # noqa: N818 - a signal between two passes, not an error anyone sees
    """The probe pass met a problem: the record is read again by the reporting pass."""


class _Probe(Context):
    """The context of the probe pass: at the first problem it raises :class:`_Bail` instead of reporting,
    so nothing has been warned or raised when the record is read again with the caller's context."""

    __slots__ = ()

    def report(
        self,
        kind: ReportKind,
        field: str,
        value: object,
        problem: str,
        category: type[Warning] | None = None,
    ) -> NoReturn:
        del kind, field, value, problem, category  # nothing is reported: the reporting pass will
        raise _Bail


_PROBE: Final = _Probe("databricks")


_MISSES_BEFORE_PAUSE: Final = 16
"""After this many records in a row on which the probe met a problem, it pauses (:data:`_PAUSE`)."""
_PAUSE: Final = 256
"""How many records a paused probe leaves to the reporting pass alone: history in which every record
has a problem (a workspace whose durations all disagree) costs one pass, not two, most of the time."""
_misses = 0
_paused = 0


def build(record: Any, ctx: Context, keep_raw: bool) -> Run:
    """One ``jobs/runs/get`` response or ``runs/list`` item (dict or SDK object) to a canonical run.

    A dict is read first by a probe pass (the same code, with a context that reports nothing and an
    empty path, so no field path is ever built): a clean record, the common case, is done in one pass.
    At the first problem the record is read again with ``ctx``, which reports every problem in order,
    so the result, the warnings and the errors are those of one reporting pass
    (``tests/test_databricks_probe.py`` proves the two passes equal). Which pass reads a record never
    changes what it gives, only its cost, so the probe pauses where it keeps missing (:data:`_PAUSE`).
    """
    global _misses, _paused  # two counters of a cost heuristic: a race only moves a pause
    if type(record) is dict:
        if "run_id" not in record and (inner := _output_run(record)) is not None:
            return _build(ctx, keep_raw, 0, None, None, None, NO_SHARED, inner, "$.metadata", False, record)
        if _paused > 0:  # > 0: two threads decrementing 1 at once leave -1, which must not pause for good
            _paused -= 1
        else:
            try:
                run = _build(_PROBE, keep_raw, 0, None, None, None, NO_SHARED, record, "", False)
            except Exception:  # whatever the probe met, the reporting pass meets again (and reports)
                _misses += 1
                if _misses >= _MISSES_BEFORE_PAUSE:
                    _misses, _paused = 0, _PAUSE
            else:
                _misses = 0
                return run
        return _build(ctx, keep_raw, 0, None, None, None, NO_SHARED, record, "$", False)
    mapping = as_mapping(record, ctx, "$", True)
    if mapping is None:  # pragma: no cover - _as_mapping fails instead
        ctx.report("fail", "$", record, "expected a Run object")
    sdk = not isinstance(record, Mapping)
    if "run_id" not in mapping and (inner := _output_run(mapping)) is not None:
        return _build(ctx, keep_raw, 0, None, None, None, NO_SHARED, inner, "$.metadata", sdk, mapping)
    return _build(ctx, keep_raw, 0, None, None, None, NO_SHARED, mapping, "$", sdk)


def _output_run(response: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The run of a ``jobs/runs/get-output`` response (``RunOutput``: "metadata: All details of the
    run except for its output"), else ``None``; read by the reporting pass alone (rare)."""
    metadata = response.get("metadata")
    if isinstance(metadata, Mapping) and "run_id" in metadata:
        return metadata
    return None


_PAGE_KEYS: Final = ("runs", "has_more", "next_page_token", "prev_page_token")


def pages(item: Any) -> Iterable[Any] | None:
    """The runs of a ``jobs/runs/list`` page (``runs`` is absent when empty), else ``None``."""
    if type(item) is not dict and not isinstance(item, Mapping):  # a dict first: no ABC check per run
        if type(item).__name__ != "ListRunsResponse" or not callable(getattr(item, "as_dict", None)):
            return None
        item = item.as_dict()
        if not isinstance(item, Mapping):
            return None
    if "run_id" in item or not any(k in item for k in _PAGE_KEYS):
        return None
    runs = item.get("runs")
    if runs is None:
        return ()
    return runs if isinstance(runs, list | tuple) else [runs]


FINAL_STATES: Final = frozenset({State.SUCCEEDED, State.SKIPPED})
"""After these a logical run is final. A FAILED, TIMED_OUT or CANCELED run may still be repaired in
place: the repair guide repairs "failed or canceled multi-task jobs"
(https://docs.databricks.com/aws/en/jobs/repair-job-failures), and ``repair_run`` asks only that "The
run must not be in progress" (databricks-sdk ``JobsAPI.repair_run``), so only a success, and a run
skipped before it executed, close it."""

RERUN_STATES: Final = TERMINAL_STATES
"""A run is repaired in place from any ended state: ``repair_run`` asks only that "The run must not
be in progress" (databricks-sdk ``JobsAPI.repair_run``); the native graph's ``repair=True`` edges
leave every result state."""


def repairs(run: Run) -> int:
    """How many times a run was repaired in place: its ``repair_history`` entries but the first (the
    original run; databricks-sdk ``Run.repair_history``: "The repair history of the run")."""
    history = run.details.get("repair_history")
    return max(0, len(history) - 1) if isinstance(history, list) else 0


SPEC: Final = ProviderSpec(
    name="databricks",
    build=build,
    tables=t.TABLES,
    known_values=t.KNOWN_VALUES,
    native_states=t.NATIVE_STATES,
    native_edges=t.NATIVE_EDGES,
    provenance=t.PROVENANCE,
    rerun_states=RERUN_STATES,
    reruns=repairs,
    final_states=FINAL_STATES,
    pages=pages,
    evidence=EVIDENCE,
    detect=detect,
    decision=decision,
)
