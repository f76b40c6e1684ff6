"""Databricks Jobs runs (``jobs/runs/get``, items of ``jobs/runs/list``): JSON dicts or SDK objects.

Tables (in ``_databricks_tables``) are checked against databricks-sdk 0.156.0, one per SDK enum.

Input. A dict, or a ``databricks.sdk.service.jobs`` ``Run`` / ``BaseRun`` / ``RunTask``, read through
its ``as_dict()`` by duck typing (the SDK is never imported). The SDK *drops enum values it does not
know* (and empty strings): a new ``life_cycle_state``, ``result_state``, termination ``code`` or
``type`` disappears from an SDK object, so only a dict can keep an unknown word in ``provider_state``.
``raw`` of an SDK object is its ``as_dict()``. A ``runs/list`` page (``{"runs": [...], "has_more":
...}``) is split by :func:`pages` for ``normalize_many``.

State. The ``status`` model (``status.state``, ``termination_details``, ``queue_details``) wins on
phase; for TERMINATED the code gives the outcome, and for failure codes the termination *type*
(CLIENT_ERROR / INTERNAL_ERROR / CLOUD_FAILURE) gives user vs platform, else the code's default. The
legacy ``state`` refines it: TIMEDOUT turns a platform CANCELED into TIMED_OUT (with a user cancel it is
a contradiction), UPSTREAM_* / EXCLUDED / DISABLED give the skip reason, and a missing reason is taken
from it. A real contradiction (two different outcomes, or a legacy state ahead of ``status``) is a
``StateConflictWarning``; ``status`` is kept. Legacy INTERNAL_ERROR is FAILED (platform) unless
``status`` says user error. Without ``status`` the legacy words decide; CANCELED gets no
CANCELED_BY_* reason, even with ``user_cancelled_or_timedout`` (the SDK: "canceled manually by a user
or by the scheduler because the run timed out": it does not say who). A ``status``-only timeout is
CANCELED_BY_PLATFORM (the API has no timeout code). ``status.state`` WAITING is WAITING_FOR_RETRY
only with evidence of a retry (legacy WAITING_FOR_RETRY, ``attempt_number > 0``, an
``original_attempt_run_id`` other than ``run_id``), else QUEUED with ``Reason.DEFERRED``
(cost-optimized runs wait for a cheaper time).
An SDK object whose termination code the SDK dropped (an enum value it does not know) is reported
(strict: ``UnmappedStateError`` naming ``status.termination_details.code``) and its surviving
``type`` decides, as for a dict with an unknown code. Sources of each decision: docs/decisions.md.

Unknown words. Every unknown word is reported (strict: ``UnmappedStateError``). Leniently the other
fields still decide: an unknown code with an error type is FAILED with the type's reason; an unknown
code otherwise, or an unknown result_state, falls back to the other model, else UNKNOWN (a terminal
phase without a known outcome is UNKNOWN: no state means "ended, outcome unknown").

Lineage. ``attempt`` = ``attempt_number``; ``original_run_id`` = ``original_attempt_run_id`` when it
differs from ``run_id`` (``None`` for a first attempt); ``previous_run_id`` = the original for attempt
1. A task run fetched by id (``job_run_id`` differs) has ``parent_run_id`` = ``job_run_id`` and is named
by its task_key, as is a run without ``run_name`` (an SDK ``RunTask`` given on its own); a job run
triggered by a Run Job task has ``parent_run_id`` = that task run (``trigger_info.run_id``). ``tasks[]``
and for-each ``iterations[]`` become child runs (task_key as name, parent = this run, job_id inherited);
an entry repeating this run's own run_id is not a child. Entries of one task_key are its attempts
(retries, repairs): each later one, in start order, gets ``previous_run_id`` and ``original_run_id``
from its siblings where it does not say. A repaired run keeps ``details["active_intervals"]`` (from
``repair_history``), which ``Run.elapsed`` sums while it runs. Nesting deeper than
:data:`MAX_DEPTH` is reported and cut. ``repair_history``, ``run_job_task``, ``for_each_task`` and
other facts are kept in ``details``.

Identity. A record with neither ``run_id`` nor ``state``/``status``, or without a usable
``run_id``, is refused in both modes. ``namespace`` is ``databricks:<workspace_id>``
(``workspace_id``, or ``?o=`` of ``run_page_url``), else ``databricks:<host of run_page_url>``;
tasks share it.

Times. Epoch ms; ``0`` is "not set". ``created_at`` = ``started_at`` = ``start_time``: Databricks sets
it when the run is accepted (queued runs have it) and has no other creation time. Durations: queue
from ``queue_duration``. A multitask run has parts NOT_APPLICABLE (Databricks reports them as 0) and
total = ``run_duration``, else (older records) end - start, else NOT_ENDED. A run is multitask when
``format`` says MULTI_TASK; without ``format``, when its setup/execution/cleanup are all 0 or absent and
it has ``run_duration``, or at least two child runs (``tasks[]`` / ``iterations[]`` entries other than
itself), or, once ended, one: a single-task run lists its one task too, but its parts are measured by
the time it ends, so only while it runs is one child ambiguous (read as single-task: NOT_ENDED). A
``format`` of SINGLE_TASK is trusted unless ``run_duration`` comes with parts all 0. Otherwise total =
setup + execution + cleanup (``run_duration`` only when a part is missing, else end - start; parts
above ``run_duration`` are reported). Before the run ends, 0 means NOT_ENDED. A total above end -
start, or (unless the run was repaired) below it by more than the queue time and a slack, is reported
as inconsistent.

State words may be ``str`` subclasses (a ``StrEnum``): they are read as their plain text.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Any, Final, NamedTuple
from urllib.parse import parse_qs, urlsplit

import attrs

from .._context import Context
from .._durations import MAX_DURATION, check_order, duration_from_ms
from .._errors import UnmappedStateWarning
from .._fields import opt_id, opt_int, opt_mapping, opt_sequence, opt_str
from .._model import EMPTY, Durations, Missing, Run, new_durations, new_run
from .._serialize import format_time
from .._spec import Outcome, ProviderSpec
from .._times import _MAX_EPOCH_MS, _MIN_EPOCH_MS, EPOCH, time_from_epoch_ms
from .._vocabulary import TERMINAL_STATES, Reason, State
from . import _databricks_decisions as decisions
from . import _databricks_tables as t
from ._databricks_evidence import EVIDENCE

__all__ = ["MAX_DEPTH", "SPEC", "build", "pages"]

MAX_DEPTH: Final = 8
"""Deepest nesting of tasks in tasks that is read; deeper is reported and cut."""

_UNKNOWN: Final = t.OUTCOMES[State.UNKNOWN, None]
_QUEUED: Final = t.OUTCOMES[State.QUEUED, None]
_STILL_WAITING: Final = frozenset({State.QUEUED, State.BLOCKED, State.WAITING_FOR_RETRY})
_MAX_MS: Final = MAX_DURATION // timedelta(milliseconds=1)  # longer is reported by duration_from_ms
_ZERO: Final = timedelta(0)
_MAX_PART: Final = _MAX_MS  # plain millisecond parts; their sums stay inside timedelta's range
_NA: Final = (Missing.NOT_APPLICABLE,) * 3
_ROUNDING: Final = timedelta(seconds=1)  # parts are whole seconds
_ROUNDING_3: Final = 3 * _ROUNDING
_SLACK: Final = timedelta(seconds=60)  # scheduling overhead single-task parts do not measure

_RUN_DETAILS: Final = (
    "run_page_url", "run_type", "trigger", "trigger_info", "creator_user_name", "repair_history",
    "has_more", "run_job_task", "for_each_task", "max_retries", "timeout_seconds",
)  # fmt: skip
_TASK_DETAILS: Final = (
    "run_page_url", "run_if", "max_retries", "timeout_seconds", "run_job_task", "for_each_task",
)  # fmt: skip
"""Facts of a task kept in its ``details`` (cluster plumbing stays in ``raw``: it costs memory in bulk)."""
_SELF_DETAILS: Final = (
    "task_key",
    "run_if",
    "max_retries",
    "timeout_seconds",
    "run_job_task",
    "for_each_task",
)
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
    resolved = _Resolved(outcome, conflict, MappingProxyType(state_words) if state_words else EMPTY)
    if not reported and len(_MEMO) < _MEMO_LIMIT:
        _MEMO[key] = resolved
    return resolved


_DROPPED: Final = "missing: databricks-sdk dropped a termination code it does not know (type kept)"

_MISSING_CACHE: dict[tuple[Missing | None, ...], Mapping[str, Missing]] = {}
_PARTS: Final = ("queue", "setup", "execution", "cleanup", "total")


def _missing(*why: Missing | None) -> Mapping[str, Missing]:
    found = _MISSING_CACHE.get(why)
    if found is None:
        found = MappingProxyType({p: w for p, w in zip(_PARTS, why, strict=True) if w is not None})
        _MISSING_CACHE[why] = found if found else EMPTY
    return found


_FAST_MISSING: Final = {
    (mq, multitask): _missing(mq, *(_NA if multitask else (None, None, None)), None)
    for mq in (None, Missing.NOT_REPORTED)
    for multitask in (False, True)
}
"""The ``missing`` maps of the fast path (queue reported or not, multitask or not), built once."""


def _children(get: Any) -> int:
    """How many entries of ``tasks[]`` and ``iterations[]`` are not this run itself (counted up to 2)."""
    own = get("run_id")
    found = 0
    for list_name in ("tasks", "iterations"):
        items = get(list_name)
        if type(items) is not list:
            continue
        for item in items:
            run_id = item.get("run_id") if isinstance(item, Mapping) else getattr(item, "run_id", None)
            if own is None or run_id != own:
                found += 1
                if found >= 2:
                    return found
    return found


def _multitask(get: Any, zero_parts: bool, measured: bool) -> bool:
    """Whether the run's setup/execution/cleanup are the multitask placeholders (see the docstring)."""
    fmt = get("format")
    if fmt is not None:
        return fmt == "MULTI_TASK" or (zero_parts and get("run_duration") is not None)
    if not zero_parts:
        return False
    if get("run_duration") is not None:
        return True
    children = _children(get)
    return children >= 2 or (children == 1 and measured)


def _durations(
    get: Any, state: State, started: datetime | None, ended: datetime | None, ctx: Context, path: str
) -> Durations:
    measured = ended is not None or state in TERMINAL_STATES
    q = get("queue_duration")
    a, b, c = get("setup_duration"), get("execution_duration"), get("cleanup_duration")
    if (
        measured
        and type(a) is int and type(b) is int and type(c) is int
        and 0 <= a <= _MAX_PART and 0 <= b <= _MAX_PART and 0 <= c <= _MAX_PART
        and (q is None or (type(q) is int and 0 <= q <= _MAX_PART))
        and get("format") is None
    ):  # fmt: skip
        # the fast path: an ended run with plain numbers
        queue = None if q is None else timedelta(0, 0, q * 1000)
        mq = Missing.NOT_REPORTED if q is None else None
        rd = get("run_duration")
        rd_ok = rd is None or (type(rd) is int and 0 <= rd <= _MAX_PART)
        result = None
        if a == b == c == 0 and (rd is not None or _children(get)):
            if rd is not None and rd_ok:  # multitask: the parts are placeholders
                fast_total = timedelta(0, 0, rd * 1000)
                result = new_durations(queue, None, None, None, fast_total, _FAST_MISSING[mq, True])
        elif rd_ok:  # single task: total = setup + execution + cleanup; run_duration is only checked
            fast_total = timedelta(0, 0, (a + b + c) * 1000)
            if rd is not None and a + b + c - rd > 3000:
                ctx.inconsistent(
                    path + ".run_duration",
                    f"{fast_total} > {timedelta(0, 0, rd * 1000)}",
                    "parts exceed the total",
                )
            result = new_durations(
                queue, timedelta(0, 0, a * 1000), timedelta(0, 0, b * 1000), timedelta(0, 0, c * 1000),
                fast_total, _FAST_MISSING[mq, False],
            )  # fmt: skip
        if result is not None:
            if started is not None and ended is not None:
                _check_total(fast_total, ended - started, queue, result.setup is None, get, ctx, path)
            return result
    mq = None
    if (q is None or (type(q) is int and q == 0)) and not measured and state in _STILL_WAITING:
        queue, mq = None, Missing.NOT_ENDED
    else:
        queue = duration_from_ms(q, ctx, path + ".queue_duration")
        if queue is None:
            mq = Missing.NOT_REPORTED
    raw_parts = (a, b, c)
    run_duration = get("run_duration")
    zero_parts = all(p is None or (type(p) is int and p == 0) for p in raw_parts)
    multitask = _multitask(get, zero_parts, measured)
    total: timedelta | None
    if multitask:
        na = Missing.NOT_APPLICABLE
        if not measured:
            return new_durations(queue, None, None, None, None, _missing(mq, na, na, na, Missing.NOT_ENDED))
        if run_duration is not None:
            total = duration_from_ms(run_duration, ctx, path + ".run_duration")
        else:  # an older record: the wall time is the total
            total = ended - started if started is not None and ended is not None else None
        setup = execution = cleanup = None
        why: tuple[Missing | None, ...] = (
            mq,
            na,
            na,
            na,
            None if total is not None else Missing.NOT_REPORTED,
        )
    else:
        values: list[timedelta | None] = []
        whys: list[Missing | None] = []
        for raw, name in zip(raw_parts, ("setup", "execution", "cleanup"), strict=True):
            if not measured and (raw is None or (type(raw) is int and raw == 0)):
                values.append(None)
                whys.append(Missing.NOT_ENDED)
                continue
            value = duration_from_ms(raw, ctx, f"{path}.{name}_duration")
            values.append(value)
            whys.append(None if value is not None else Missing.NOT_REPORTED)
        setup, execution, cleanup = values
        if not measured:
            return new_durations(
                queue, setup, execution, cleanup, None, _missing(mq, *whys, Missing.NOT_ENDED)
            )
        parts_total = None if None in values else setup + execution + cleanup  # type: ignore[operator]
        reported = (
            duration_from_ms(run_duration, ctx, path + ".run_duration") if run_duration is not None else None
        )
        if parts_total is not None:  # total = setup + execution + cleanup; run_duration is only checked
            total = parts_total
            if reported is not None and parts_total - reported > 3 * _ROUNDING:
                ctx.inconsistent(
                    path + ".run_duration", f"{parts_total} > {reported}", "parts exceed the total"
                )
        elif reported is not None:
            total = reported
        else:
            total = ended - started if started is not None and ended is not None else None
        why = (mq, *whys, None if total is not None else Missing.NOT_REPORTED)
    if total is not None and started is not None and ended is not None:
        _check_total(total, ended - started, queue, multitask, get, ctx, path)
    return new_durations(queue, setup, execution, cleanup, total, _missing(*why))


def _check_total(
    total: timedelta,
    wall: timedelta,
    queue: timedelta | None,
    multitask: bool,
    get: Any,
    ctx: Context,
    path: str,
) -> None:
    if wall < _ZERO:
        return  # reported by check_order
    if total - wall > (_ROUNDING if multitask else _ROUNDING_3):
        field = path + (".run_duration" if multitask else ".end_time")
        ctx.inconsistent(field, f"{total} > {wall}", "total exceeds end_time - start_time")
        return
    gap = wall - total if queue is None else wall - total - queue
    if gap <= _ROUNDING:
        return  # the common case: nothing unexplained
    history = get("repair_history")
    if type(history) is list and len(history) > 1:
        return  # a repaired run's total leaves out the time between its repairs
    if gap > (_ROUNDING if multitask else max(_SLACK, wall / 10)):
        field = path + (".run_duration" if multitask else ".end_time")
        ctx.inconsistent(field, f"{total} < {wall}", "total is well below end_time - start_time")


def _as_mapping(record: Any, ctx: Context, field: str, fail: bool) -> Mapping[str, Any] | None:
    if type(record) is dict or isinstance(record, Mapping):
        return record
    as_dict = getattr(record, "as_dict", None)
    if callable(as_dict):
        data = as_dict()
        if isinstance(data, Mapping):
            return data
    if fail:
        ctx.fail(field, record, "expected a Run object (dict, or databricks-sdk Run / RunTask)")
    ctx.invalid(field, record, "expected a task run object")
    return None


def _sub(value: Any, ctx: Context, field: str) -> Mapping[str, Any]:
    if type(value) is dict:
        return value
    mapping: Mapping[str, Any] | None = opt_mapping(value, ctx, field)
    return mapping or EMPTY


_MESSAGES: Final = (
    ("state_message", ".state.state_message"),
    ("message", ".status.termination_details.message"),
    ("message", ".status.queue_details.message"),
    ("queue_reason", ".state.queue_reason"),
)


def _message(
    state_: Mapping[str, Any], details_: Mapping[str, Any], queue_: Mapping[str, Any], ctx: Context, path: str
) -> str | None:
    """The first non-empty message, odd values reported (the slow path of the ``or`` chain)."""
    for source, (key, field) in zip((state_, details_, queue_, state_), _MESSAGES, strict=True):
        text = source.get(key)
        if text is not None and type(text) is not str:
            text = opt_str(text, ctx, path + field)
        if text:
            return text
    return None


_NO_ID: Final = "missing or unusable run id"
_EXPECTED: Final = (
    "not a Databricks run: expected its run_id and its state or status (a jobs/runs/get response or a "
    "runs/list item)"
)
_STATE_KEYS: Final = ("state", "status")


def _check_identity(rec: Mapping[str, Any], ctx: Context) -> None:
    """A record with neither ``run_id`` nor a state field is not a Databricks run: refused in both modes."""
    if "run_id" not in rec and not any(k in rec for k in _STATE_KEYS):
        ctx.fail("$", rec, _EXPECTED)


_NAMESPACES: dict[str, str | None] = {}
"""Namespace by ``run_page_url`` without its fragment (one workspace's runs share it)."""


def _namespace(get: Any) -> str | None:
    """``databricks:<workspace_id>`` (system tables' ``workspace_id``, ``?o=`` of ``run_page_url``),
    else ``databricks:<workspace host>``; ``None`` when the record says neither."""
    workspace = get("workspace_id")
    if (type(workspace) is int and workspace >= 0) or (type(workspace) is str and workspace.isdigit()):
        return f"databricks:{workspace}"
    url = get("run_page_url")
    if type(url) is not str or not url:
        return None
    base = url.partition("#")[0]
    if base in _NAMESPACES:
        return _NAMESPACES[base]
    try:
        parts = urlsplit(base)
        host = parts.hostname
    except ValueError:  # not a URL: it says nothing about the workspace
        host, parts = None, None
    found = None
    if parts is not None:
        org = parse_qs(parts.query).get("o")
        if org and org[0].isdigit():
            found = f"databricks:{org[0]}"
        elif host:
            found = f"databricks:{host}"
    if len(_NAMESPACES) >= _MEMO_LIMIT:
        _NAMESPACES.clear()
    _NAMESPACES[base] = found
    return found


_NEVER: Final = datetime.max.replace(tzinfo=EPOCH.tzinfo)


def _task_lineage(children: list[Run]) -> list[Run]:
    """``tasks[]`` holds one entry per attempt of a task_key (retries, repairs): link each later
    attempt to the one before it and to the first, in start order (what the record says wins)."""
    groups: dict[str, list[int]] = {}
    for i, child in enumerate(children):
        if child.name is not None:
            groups.setdefault(child.name, []).append(i)
    result = children
    for indices in groups.values():
        if len(indices) < 2:
            continue
        if result is children:
            result = list(children)
        order = sorted(indices, key=lambda i: (children[i].started_at or _NEVER, children[i].attempt, i))
        first = children[order[0]].run_id
        for before, i in itertools.pairwise(order):
            child = children[i]
            result[i] = attrs.evolve(
                child,
                previous_run_id=child.previous_run_id or children[before].run_id,
                original_run_id=child.original_run_id or first,
            )
    return result


def _active_intervals(history: list[Any], ctx: Context, path: str) -> list[dict[str, str | None]]:
    """The run's active intervals from ``repair_history`` (the original run and each repair), as RFC 3339
    text; :meth:`runstate.Run.elapsed` sums them, leaving out the idle gaps between repairs."""
    intervals: list[dict[str, str | None]] = []
    for i, entry in enumerate(history):
        if not isinstance(entry, Mapping):
            continue
        start = time_from_epoch_ms(entry.get("start_time"), ctx, f"{path}.repair_history[{i}].start_time")
        if start is None:
            continue
        end = time_from_epoch_ms(entry.get("end_time"), ctx, f"{path}.repair_history[{i}].end_time")
        intervals.append({"start": format_time(start), "end": None if end is None else format_time(end)})
    return intervals


def detect(record: Any) -> bool:
    """A runs/get response or runs/list item (``run_id`` with run fields), a runs/list page, an SDK Run."""
    try:
        if isinstance(record, Mapping):
            if "run_id" in record:  # a system-table row (period_start_time) is databricks_system's
                return "period_start_time" not in record and any(k in record for k in _DETECT_KEYS)
            return isinstance(record.get("runs"), list) or ("has_more" in record and "runs" not in record)
        return type(record).__name__ in _SDK_CLASSES and callable(getattr(record, "as_dict", None))
    except Exception:  # a hostile object: not ours
        return False


_DETECT_KEYS: Final = ("state", "status", "job_id", "run_page_url", "tasks", "run_name", "task_key")
_SDK_CLASSES: Final = frozenset({"Run", "BaseRun", "RunTask", "ListRunsResponse"})


def _build(
    rec: Mapping[str, Any],
    ctx: Context,
    keep_raw: bool,
    path: str,
    depth: int,
    parent: str | None,
    job_id: str | None,
    sdk: bool = False,
    namespace: str | None = None,
) -> Run:
    get = rec.get
    if depth == 0:
        _check_identity(rec, ctx)
        namespace = _namespace(get)
    raw_id = get("run_id")
    if type(raw_id) is int and raw_id >= 0:
        run_id = str(raw_id)
    elif type(raw_id) is str and raw_id:
        run_id = raw_id
    else:  # two runs without an id cannot be told apart: refused in both modes
        run_id = opt_id(raw_id, ctx, path + ".run_id") or ctx.fail(path + ".run_id", raw_id, _NO_ID)
    attempt = get("attempt_number", 0)
    if type(attempt) is not int or attempt < 0:
        attempt = opt_int(attempt, ctx, path + ".attempt_number", 0) or 0
    original = get("original_attempt_run_id")
    if original is not None:
        if original == raw_id:
            original = None
        elif type(original) is int:
            original = str(original)
        else:
            original = opt_id(original, ctx, path + ".original_attempt_run_id")
            if original == run_id:
                original = None
    previous = original if attempt == 1 else None

    state_ = get("state", EMPTY)
    if state_ is not EMPTY and type(state_) is not dict:
        state_ = _sub(state_, ctx, path + ".state")
    status = get("status", EMPTY)
    if status is not EMPTY and type(status) is not dict:
        status = _sub(status, ctx, path + ".status")
    details_ = status.get("termination_details", EMPTY)
    if details_ is not EMPTY and type(details_) is not dict:
        details_ = _sub(details_, ctx, path + ".status.termination_details")
    queue_ = status.get("queue_details", EMPTY)
    if queue_ is not EMPTY and type(queue_) is not dict:
        queue_ = _sub(queue_, ctx, path + ".status.queue_details")
    by_user = state_.get("user_cancelled_or_timedout")
    if by_user is not None and type(by_user) is not bool:
        ctx.invalid(path + ".state.user_cancelled_or_timedout", by_user, "expected a boolean")
        by_user = None
    key = (
        state_.get("life_cycle_state"), state_.get("result_state"), status.get("state"),
        details_.get("code"), details_.get("type"), queue_.get("code"), by_user is True,
        attempt > 0 or original is not None, sdk,
    )  # fmt: skip
    try:  # the memo holds only keys of plain words, so a hit is what the slow path would give
        resolved = _MEMO.get(key)
    except TypeError:  # unhashable (a list where a word belongs): the slow path reports it
        resolved = None
    if resolved is None:
        # a str subclass is read as its plain text, so the outcome never depends on what was
        # memoized before; a list or a number is left to the slow path to report
        key = _plain(key)
        resolved = _MEMO.get(key) if set(map(type, key)) <= _KEY_TYPES else None
        if resolved is None:
            resolved = _resolve(key, ctx, path)
    outcome = resolved.outcome
    if resolved.conflict is not None:
        ctx.conflict(path + ".status", resolved.provider_state, resolved.conflict)
    legacy_queue = state_.get("queue_reason")
    if outcome is _QUEUED and type(legacy_queue) is str and key[2] is None:
        text = legacy_queue[:LEGACY_QUEUE_CHARS].lower()
        for word, reason in LEGACY_QUEUE_REASONS:
            if word in text:
                outcome = t.OUTCOMES[State.QUEUED, reason]
                break
    state = outcome.state

    message = state_.get("state_message") or details_.get("message") or queue_.get("message") or legacy_queue
    if message is not None and type(message) is not str:
        message = _message(state_, details_, queue_, ctx, path)

    own_job = get("job_id")
    if own_job is not None:
        job_id = str(own_job) if type(own_job) is int else opt_id(own_job, ctx, path + ".job_id")
    start = get("start_time")
    if type(start) is int and _MIN_EPOCH_MS <= start <= _MAX_EPOCH_MS:
        started: datetime | None = EPOCH + timedelta(0, 0, start * 1000)
    else:
        started = time_from_epoch_ms(start, ctx, path + ".start_time")
    end = get("end_time")
    if type(end) is int and _MIN_EPOCH_MS <= end <= _MAX_EPOCH_MS:
        ended: datetime | None = EPOCH + timedelta(0, 0, end * 1000)
    else:
        ended = time_from_epoch_ms(end, ctx, path + ".end_time")
    if started is not None and ended is not None and ended < started:
        check_order(started, ended, ctx, path + ".end_time")
    durations = _durations(get, state, started, ended, ctx, path)

    details: dict[str, Any] = {}
    for field in _RUN_DETAILS if depth == 0 else _TASK_DETAILS:
        value = get(field)
        if value is not None:
            details[field] = value
    if by_user:
        details["user_cancelled_or_timedout"] = True

    name_field = ".run_name" if depth == 0 else ".task_key"
    name = get("run_name") if depth == 0 else get("task_key")
    if depth == 0 and (name is None or name == "") and get("task_key") is not None:
        name, name_field = get("task_key"), ".task_key"  # a task run given on its own (an SDK RunTask)
    if depth == 0:
        job_run = get("job_run_id")
        if job_run is not None and job_run != raw_id:
            parent = opt_id(job_run, ctx, path + ".job_run_id")
        elif get("trigger") == "RUN_JOB_TASK" and type(info := details.get("trigger_info")) is dict:
            parent = opt_id(info.get("run_id"), ctx, path + ".trigger_info.run_id")
    if name is not None and type(name) is not str:
        name = opt_str(name, ctx, path + name_field)

    children: list[Run] = []
    for list_name in ("tasks", "iterations"):
        items = get(list_name)
        if not items:
            continue
        if type(items) is not list:
            items = opt_sequence(items, ctx, f"{path}.{list_name}") or ()
        if depth >= MAX_DEPTH:
            ctx.invalid(
                f"{path}.{list_name}", f"{len(items)} items", f"nested deeper than {MAX_DEPTH} levels"
            )
            continue
        for i, item in enumerate(items):
            task = item if type(item) is dict else _as_mapping(item, ctx, f"{path}.{list_name}[{i}]", False)
            if task is None:
                continue
            task_sdk = sdk or not isinstance(item, Mapping)
            if (
                raw_id is not None and task.get("run_id") == raw_id
            ):  # this run itself (runs/get on a task run)
                for field in _SELF_DETAILS:
                    if (value := task.get(field)) is not None:
                        details[field] = value
                if depth == 0 and parent is not None and type(key_ := task.get("task_key")) is str:
                    name = key_
                continue
            children.append(
                _build(
                    task,
                    ctx,
                    keep_raw,
                    f"{path}.{list_name}[{i}]",
                    depth + 1,
                    run_id,
                    job_id,
                    task_sdk,
                    namespace,
                )
            )
        if list_name == "tasks" and len(children) > 1:
            children = _task_lineage(children)

    if depth == 0 and type(history := details.get("repair_history")) is list and len(history) > 1:
        intervals = _active_intervals(history, ctx, path)
        if intervals:
            details["active_intervals"] = intervals
    return new_run(
        provider="databricks",
        run_id=run_id,
        namespace=namespace,
        job_id=job_id,
        name=name,
        state=state,
        reason=outcome.reason,
        provider_state=resolved.provider_state,
        message=message,
        attempt=attempt,
        original_run_id=original,
        previous_run_id=previous,
        parent_run_id=parent,
        created_at=started,
        started_at=started,
        ended_at=ended,
        durations=durations,
        tasks=tuple(children),
        details=MappingProxyType(details) if details else EMPTY,
        raw=rec if keep_raw else None,
    )


def build(record: Any, ctx: Context, keep_raw: bool) -> Run:
    """One ``jobs/runs/get`` response or ``runs/list`` item (dict or SDK object) to a canonical run."""
    if type(record) is not dict:
        mapping = _as_mapping(record, ctx, "$", True)
        if mapping is None:  # pragma: no cover - _as_mapping fails instead
            ctx.fail("$", record, "expected a Run object")
        return _build(mapping, ctx, keep_raw, "$", 0, None, None, not isinstance(record, Mapping))
    return _build(record, ctx, keep_raw, "$", 0, None, None)


_PAGE_KEYS: Final = ("runs", "has_more", "next_page_token", "prev_page_token")


def pages(item: Any) -> Iterable[Any] | None:
    """The runs of a ``jobs/runs/list`` page (``runs`` is absent when empty), else ``None``."""
    if not isinstance(item, Mapping):
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


SPEC: Final = ProviderSpec(
    name="databricks",
    build=build,
    tables=t.TABLES,
    known_values=t.KNOWN_VALUES,
    native_states=t.NATIVE_STATES,
    native_edges=t.NATIVE_EDGES,
    provenance=t.PROVENANCE,
    can_repair=True,
    pages=pages,
    evidence=EVIDENCE,
    detect=detect,
)
