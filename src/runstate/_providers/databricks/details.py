"""What a Databricks run keeps besides its state: ``details``, its message, its repairs' active intervals.

``details`` holds the facts a reader of a run asks for (``run_page_url``, ``trigger``,
``repair_history``, ``run_job_task``, ...); cluster plumbing stays in ``raw`` (it costs memory in
bulk), and so do parameters (:data:`PARAMETER_FIELDS`: they often hold credentials, and ``details``
reaches ``--no-raw`` output and ``to_row``). A repaired run keeps ``details["active_intervals"]``
(from ``repair_history``: the original run and each repair), which :meth:`runstate.Run.elapsed` sums
while it runs. The message is the first non-empty of the legacy ``state_message``, the termination
and queue messages, and ``queue_reason``.
Sources: databricks-sdk ``Run.repair_history`` ("The repair history of the run") and
``RunState.state_message``, ``TerminationDetails.message``, ``QueueDetails.message``.
"""

from __future__ import annotations

import itertools
import sys
from collections.abc import Callable, Mapping
from typing import Any, Final

from runstate.provider_kit import Context, format_time, opt_str, time_from_epoch_ms

__all__ = [
    "CLUSTER_FIELDS",
    "NESTED",
    "PARAMETER_HOLDERS",
    "PARAMETER_FIELDS",
    "RUN_DETAILS",
    "SHARED_WORDS",
    "TASK_DETAILS",
    "active_intervals",
    "add_active_intervals",
    "choose_intern",
    "intern",
    "message",
    "run_details",
    "shared_copy",
    "without_parameters",
]

RUN_DETAILS: Final = (
    "run_page_url", "run_type", "trigger", "trigger_info", "creator_user_name", "repair_history",
    "has_more", "run_job_task", "for_each_task", "max_retries", "timeout_seconds",
)  # fmt: skip
"""Facts of a run kept in its ``details``."""
TASK_DETAILS: Final = (
    "run_page_url", "run_if", "max_retries", "timeout_seconds", "run_job_task", "for_each_task",
)  # fmt: skip
"""Facts of a task kept in its ``details``."""
_MESSAGES: Final = (
    ("state_message", ".state.state_message"),
    ("message", ".status.termination_details.message"),
    ("message", ".status.queue_details.message"),
    ("queue_reason", ".state.queue_reason"),
)


SHARED_WORDS: Final = frozenset({"run_type", "trigger", "creator_user_name", "run_if"})
"""Details whose text repeats across runs (a handful of words and users): kept as one shared string
(``sys.intern``), so a million retained runs do not hold a million copies of ``"PERIODIC"``."""
_WORD: Final = "word"
_OBJECT: Final = "object"
_HOLDER: Final = "holder"
"""How a detail is kept (see :data:`_RUN_FIELDS`): a shared word, a nested object of the record, or
one that can hold parameters."""
_SHARED_TEXT: dict[str, str] = {}
_SHARED_TEXT_LIMIT: Final = 65536


def _bounded_intern(text: str) -> str:
    """``sys.intern`` where interning is for ever: equal text as one object from a bounded table."""
    found = _SHARED_TEXT.get(text)
    if found is None:
        if len(_SHARED_TEXT) >= _SHARED_TEXT_LIMIT:
            _SHARED_TEXT.clear()
        found = _SHARED_TEXT[text] = text
    return found


def choose_intern(version: tuple[int, ...]) -> Callable[[str], str]:
    """``sys.intern``, except on CPython 3.12.0-3.12.5, where every interned string is immortal
    (PEP 683; made mortal again in 3.12.6 and 3.13, https://github.com/python/cpython/issues/113993):
    there interning each distinct message, task key or path of a long history would never be freed."""
    return _bounded_intern if (3, 12, 0) <= version < (3, 12, 6) else sys.intern


intern: Final = choose_intern(sys.version_info[:3])
"""Equal text as one object: exact, and (see :func:`choose_intern`) dies with its last reference."""


def run_details(
    get: Callable[[str], Any], depth: int, cancelled_by_user: bool, compact: bool = False
) -> dict[str, Any]:
    """The :data:`RUN_DETAILS` of a run (:data:`TASK_DETAILS` of a task) that the record has, those of
    :data:`PARAMETER_HOLDERS` :func:`without_parameters`; with ``compact`` (the record is not kept), its
    :data:`NESTED` objects as :func:`shared_copy` copies."""
    details: dict[str, Any] = {}
    for field, kind in _RUN_FIELDS if depth == 0 else _TASK_FIELDS:  # a loop: no comprehension call
        value = get(field)
        if value is not None:
            if kind is _WORD:
                if type(value) is str:
                    value = intern(value)
            elif kind is not None and (type(value) is dict or type(value) is list):
                if kind is _HOLDER:
                    value = without_parameters(value)
                if compact:
                    value = shared_copy(value)
            details[field] = value
    if cancelled_by_user:
        details["user_cancelled_or_timedout"] = True
    return details


NESTED: Final = ("trigger_info", "repair_history", "run_job_task", "for_each_task")
"""Details that hold objects of the record (repairs, a for-each task's definition): without ``raw``
they are kept as :func:`shared_copy` copies, so the record they came from can go."""
PARAMETER_HOLDERS: Final = ("run_job_task", "for_each_task")
"""The :data:`NESTED` details whose objects can hold parameters (databricks-sdk ``jobs.RunJobTask``:
``job_parameters``, ``notebook_params``, ...; ``jobs.RunForEachTask``: ``inputs`` and ``task``, a whole
``Task``), walked by :func:`without_parameters`. The others are not walked: ``RepairHistoryItem`` has
``effective_performance_target``, ``end_time``, ``id``, ``start_time``, ``state``, ``status``,
``task_run_ids`` and ``type``, ``TriggerInfo`` ``run_id`` and ``sql_condition``: no parameter field."""


PARAMETER_FIELDS: Final = frozenset(
    {
        # RunJobTask / RunParameters (what a Run Job task passes, what a run was overridden with)
        "job_parameters", "overriding_parameters", "notebook_params", "python_params", "jar_params",
        "spark_submit_params", "python_named_params", "sql_params", "pipeline_params", "dbt_commands",
        # a for-each task's Task: NotebookTask.base_parameters, the *Task.parameters, named_parameters,
        # DbtTask.commands, CleanRoomsNotebookTask.notebook_base_parameters, GenAiComputeTask, the
        # iteration inputs (ForEachTask.inputs) and the resolved values of them all
        "base_parameters", "parameters", "named_parameters", "commands", "notebook_base_parameters",
        "yaml_parameters", "inputs", "resolved_values",
    }
)  # fmt: skip
"""Fields of the Jobs API's objects (databricks-sdk ``jobs``: ``Run``, ``RunTask``, ``RunJobTask``,
``RunParameters``, ``ForEachTask``, ``Task`` and its ``*Task`` types) that carry a run's parameters,
which often hold credentials: left out of ``details`` at any depth (``raw`` keeps them)."""
CLUSTER_FIELDS: Final = frozenset({"new_cluster", "libraries"})
"""A ``Task``'s cluster plumbing (a for-each task's ``task`` is a whole ``Task``): ``new_cluster`` (a
``ClusterSpec``) can hold a password (compute ``DockerBasicAuth.password``, "Password of the user"),
``spark_env_vars`` and ``spark_conf``, and ``libraries`` a package index URL with a token: left out of
``details`` at any depth as the run's own cluster plumbing is (``raw`` keeps them)."""
_LEFT_OUT: Final = PARAMETER_FIELDS | CLUSTER_FIELDS
_STRIP_DEPTH: Final = 64
"""How deep :func:`without_parameters` looks; a deeper object is left out of ``details`` whole (it may
hold parameters; ``raw`` keeps it)."""


def without_parameters(value: Any, depth: int = 0) -> Any:
    """``value`` without its :data:`PARAMETER_FIELDS` and :data:`CLUSTER_FIELDS`, at any depth: the same
    object when it has none (nothing is copied for the common record), else a copy of the parts that
    change."""
    if depth >= _STRIP_DEPTH:
        return None
    if type(value) is dict or isinstance(value, Mapping):
        return _mapping_without_parameters(value, depth)
    if type(value) is list or isinstance(value, list):
        items = [without_parameters(v, depth + 1) if _nested(v) else v for v in value]
        return value if all(a is b for a, b in zip(items, value, strict=True)) else items
    return value


def _nested(value: object) -> bool:
    """Whether :func:`without_parameters` looks inside ``value``: a mapping or a list (exact types first)."""
    kind = type(value)
    if kind is str or kind is int or kind is bool or kind is float or value is None:
        return False
    return kind is dict or kind is list or isinstance(value, Mapping | list)


_DROPPED: Final = object()


def _mapping_without_parameters(value: Mapping[str, Any], depth: int) -> Any:
    """:func:`without_parameters` of a mapping: a new dict only from its first change on (most
    records' objects hold no parameter and are returned as they are, no copy built to compare)."""
    kept: dict[str, Any] | None = None
    for index, (key, item) in enumerate(value.items()):
        if key in _LEFT_OUT:
            new = _DROPPED
        elif _nested(item):
            new = without_parameters(item, depth + 1)
        else:
            new = item
        if kept is None:
            if new is item:
                continue
            kept = dict(itertools.islice(value.items(), index))  # the items before: unchanged
        if new is not _DROPPED:
            kept[key] = new
    return value if kept is None else kept


def _kind(field: str) -> str | None:
    if field in SHARED_WORDS:
        return _WORD
    if field in PARAMETER_HOLDERS:
        return _HOLDER
    return _OBJECT if field in NESTED else None


_RUN_FIELDS: Final = tuple((field, _kind(field)) for field in RUN_DETAILS)
_TASK_FIELDS: Final = tuple((field, _kind(field)) for field in TASK_DETAILS)
"""Each detail with how it is kept: a shared word, a nested object (copied without ``raw``), as is."""
_COPY_DEPTH: Final = 32
"""How deep :func:`shared_copy` copies; below, values are kept as they are (still equal)."""
_WORD_LIMIT: Final = 256
"""Strings up to this length in a :func:`shared_copy` are shared: field names, state words, messages
and paths repeat run after run (an interned string dies with its last reference, so none leaks)."""


def shared_copy(value: Any, depth: int = 0) -> Any:
    """An equal copy of a JSON value whose object keys and strings (up to :data:`_WORD_LIMIT`
    characters) are shared strings (``sys.intern``).

    A JSON decoder makes a new string for every value and, across records, for every key: a run
    that keeps a record's ``repair_history`` or ``for_each_task`` without the record would keep a
    copy of every field name, state word and message in it. Dicts and lists are copied (to
    ``_COPY_DEPTH``); anything else is kept as is, so the copy is equal to the value (``==``)."""
    if depth >= _COPY_DEPTH:
        return value
    kind = type(value)
    if kind is dict:
        copied: dict[Any, Any] = {}
        for key, item in value.items():  # strings inline: a call saved per leaf
            of = type(item)
            if of is str:
                kept = intern(item) if len(item) <= _WORD_LIMIT else item
            elif of is dict or of is list:
                kept = shared_copy(item, depth + 1)
            else:
                kept = item
            copied[intern(key) if type(key) is str else key] = kept
        return copied
    if kind is list:
        return [shared_copy(item, depth + 1) for item in value]
    if kind is str and len(value) <= _WORD_LIMIT:
        return intern(value)
    return value


def message(
    state: Mapping[str, Any],
    termination: Mapping[str, Any],
    queue: Mapping[str, Any],
    ctx: Context,
    path: str,
) -> str | None:
    """The first non-empty message, an odd value reported and skipped (the caller tries the plain
    ``state_message or message or ... `` first)."""
    for source, (key, field) in zip((state, termination, queue, state), _MESSAGES, strict=True):
        text = source.get(key)
        if text is not None and type(text) is not str:
            text = opt_str(text, ctx, path + field)
        if text:
            return text
    return None


def add_active_intervals(details: dict[str, Any], ctx: Context, path: str) -> None:
    """A repaired run (more than one ``repair_history`` entry) gets ``details["active_intervals"]``."""
    history = details["repair_history"]
    if type(history) is list and len(history) > 1:
        intervals = active_intervals(history, ctx, path)
        if intervals:
            details["active_intervals"] = intervals


def active_intervals(history: list[Any], ctx: Context, path: str) -> list[dict[str, str | None]]:
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
