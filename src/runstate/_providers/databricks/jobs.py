"""The ``databricks`` provider: Jobs API runs (``jobs/runs/get``, items of ``jobs/runs/list``).

A record is a dict or a databricks-sdk ``Run`` / ``BaseRun`` / ``RunTask`` (read through its
``as_dict()``, the SDK never imported); a ``runs/list`` page is split by :func:`pages`, a
``runs/get-output`` response read as its ``metadata`` run. :func:`build` reads a record in one pass
that reports every problem to its context: identity and lineage (``identity``), the state words
(``states``, deciding through ``decisions``' table), times and durations (``durations``), ``details``
and the message (``details``) and the child runs (``tasks``). Plain values, the common case, take
the fast branches of each; equal immutable values are shared, not rebuilt. Every decision and its
source: docs/decisions.md, "Databricks Jobs" (#databricks) and the sections after it.
"""

from collections.abc import Iterable, Mapping
from datetime import datetime
from functools import partial
from typing import Any, Final

from runstate.provider_kit import (
    TERMINAL_STATES,
    Context,
    Durations,
    ProviderSpec,
    Reason,
    Run,
    State,
    StateWords,
    freeze_details,
    make_run,
)

from . import identity
from . import tables as t
from .decision import decision
from .details import NESTED, add_active_intervals, intern, run_details, shared_copy
from .durations import NO_SHARED, Shared, run_times
from .evidence import EVIDENCE
from .identity import MAX_ATTEMPT
from .states import LEGACY_QUEUE_CHARS, LEGACY_QUEUE_REASONS, STATE_WORDS, run_state, state_of_words
from .tasks import MAX_DEPTH, BuildChild, as_mapping, child_runs

__all__ = [
    "LEGACY_QUEUE_CHARS",
    "LEGACY_QUEUE_REASONS",
    "MAX_DEPTH",
    "SPEC",
    "STATE_WORDS",
    "build",
    "detect",
    "pages",
    "state_of_words",
]


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
    raw_id = get("run_id")
    run_id, attempt, original = _lineage(get, raw_id, ctx, path)
    state, reason, provider_state, cancelled_by_user, text = run_state(
        get, attempt > 0 or original is not None, sdk, depth > 0, ctx, path
    )
    if (own_job := get("job_id")) is not None:  # else inherited from the parent run
        job_id = identity.job_id(own_job, ctx, path)
    started, ended, durations, times = run_times(get, state, ctx, path, shared)
    details = run_details(get, depth, cancelled_by_user, not keep_raw)
    if depth == 0:
        name, parent = identity.name_and_parent(get, raw_id, ctx, path)
    else:  # a task of the run that lists it, named by its key
        name = intern(key) if type(key := get("task_key")) is str else identity.task_name(key, ctx, path)
    tasks: tuple[Run, ...] = ()
    if get("tasks") or get("iterations"):
        build_child = partial(_build, ctx, keep_raw, depth + 1, run_id, job_id, namespace, times)
        tasks, self_task_key = _children(get, raw_id, sdk, depth, ctx, path, build_child, details, keep_raw)
        if depth == 0 and parent is not None and self_task_key is not None:
            name = self_task_key  # a task run fetched by id
    if depth == 0 and "repair_history" in details:
        add_active_intervals(details, ctx, path)
    return _new_run(
        run_id, namespace, job_id, name, state, reason, provider_state, text, attempt, original, parent,
        started, ended, durations, tasks, freeze_details(details),
        (rec if response is None else response) if keep_raw else None,
    )  # fmt: skip


def _lineage(get: Any, raw_id: object, ctx: Context, path: str) -> tuple[str, int, str | None]:
    """(run id, attempt, original run id): a plain id, attempt and original here, anything odd through
    ``identity``'s readers; the original is ``None`` when it is the run itself (a first attempt)."""
    attempt, original = get("attempt_number"), get("original_attempt_run_id")
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
    return run_id, attempt, original


def _children(
    get: Any,
    raw_id: object,
    sdk: bool,
    depth: int,
    ctx: Context,
    path: str,
    build_child: BuildChild,
    details: dict[str, Any],
    keep_raw: bool,
) -> tuple[tuple[Run, ...], str | None]:
    """The run's child runs, and its own entry's ``task_key`` (a task run fetched by id), whose facts
    join ``details`` (nested ones copied as :func:`run_details` copies them without ``raw``)."""
    tasks, self_details, self_task_key = child_runs(get, raw_id, sdk, depth, ctx, path, build_child)
    if self_details:
        details.update(
            (k, shared_copy(v)) if not keep_raw and k in NESTED else (k, v) for k, v in self_details.items()
        )
    return tasks, self_task_key


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
        "databricks", run_id, namespace=namespace, job_id=job_id, name=name, state=state, reason=reason,
        provider_state=provider_state, message=message, attempt=attempt, original_run_id=original,
        previous_run_id=original if attempt == 1 else None, parent_run_id=parent, created_at=started,
        started_at=started, ended_at=ended, durations=durations, tasks=tasks, details=details, raw=raw,
    )  # fmt: skip


def build(record: Any, ctx: Context, keep_raw: bool) -> Run:
    """One ``jobs/runs/get`` response, ``runs/list`` item or ``runs/get-output`` response (dict or SDK
    object) to a canonical run, in one pass that reports every problem to ``ctx`` in order."""
    if type(record) is dict:  # the common case: no ABC check
        mapping: Mapping[str, Any] = record
        sdk = False
    else:
        found = as_mapping(record, ctx, "$", True)
        if found is None:  # pragma: no cover - as_mapping fails instead
            ctx.report("fail", "$", record, "expected a Run object")
        mapping, sdk = found, not isinstance(record, Mapping)
    if "run_id" not in mapping and (inner := _output_run(mapping)) is not None:
        return _build(ctx, keep_raw, 0, None, None, None, NO_SHARED, inner, "$.metadata", sdk, mapping)
    return _build(ctx, keep_raw, 0, None, None, None, NO_SHARED, mapping, "$", sdk)


def _output_run(response: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The run of a ``jobs/runs/get-output`` response (``RunOutput``: "metadata: All details of the
    run except for its output"), else ``None``."""
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
    state_words=StateWords(STATE_WORDS, state_of_words),
)
