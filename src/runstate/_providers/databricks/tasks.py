"""Child runs of a Databricks run: ``tasks[]`` and for-each ``iterations[]``, and their attempt lineage.

Each entry becomes a child run (built by the caller's ``build_child``, so the rules of a run apply to
its tasks); an entry repeating this run's own ``run_id`` is not a child (``runs/get`` on a task run
lists the task itself). Entries of one ``task_key`` are its attempts (retries, repairs), except those
that overlap in time (for-each iterations: task runs of their own, by the one rule of
the kit's ``task_runs``); in start order each later attempt of a task run gets ``previous_run_id``
and ``original_run_id`` from its siblings where it does not say. Nesting deeper than
:data:`MAX_DEPTH` is reported and cut. Source: databricks-sdk ``Run.tasks`` ("The list of tasks
performed by the run"), ``RunTask.attempt_number``, and docs/decisions.md (task attempts and
repairs).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from operator import attrgetter
from typing import Any, Final

import attrs

from runstate.provider_kit import EMPTY, EPOCH, Context, Run, TaskChains, opt_sequence

from .details import without_parameters
from .identity import same_id

__all__ = [
    "CHILD_LISTS",
    "MAX_DEPTH",
    "SELF_DETAILS",
    "NO_CHILDREN",
    "Children",
    "as_mapping",
    "child_runs",
    "count_children",
]

MAX_DEPTH: Final = 8
"""Deepest nesting of tasks in tasks that is read; deeper is reported and cut."""
CHILD_LISTS: Final = ("tasks", "iterations")
"""The lists of a run whose entries are child runs (its tasks, a for-each task's iterations)."""
SELF_DETAILS: Final = (
    "task_key",
    "run_if",
    "max_retries",
    "timeout_seconds",
    "run_job_task",
    "for_each_task",
)
"""Facts of a run's own entry in its ``tasks[]`` (a task run fetched by id) kept in its ``details``."""
_NEVER: Final = datetime.max.replace(tzinfo=EPOCH.tzinfo)
_NAME: Final = attrgetter("name")

BuildChild = Callable[[Mapping[str, Any], str, bool], Run]
"""``build_child(task, path, sdk)``: the caller's build of one entry at ``path``."""


def count_children(get: Callable[[str], Any]) -> int:
    """How many entries of ``tasks[]`` and ``iterations[]`` are not this run itself (counted up to 2)."""
    own = get("run_id")
    found = 0
    for list_name in CHILD_LISTS:
        items = get(list_name)
        if type(items) is not list:
            continue
        for item in items:
            if type(item) is dict or isinstance(item, Mapping):
                run_id = item.get("run_id")
            else:
                run_id = getattr(item, "run_id", None)
            if own is None or run_id != own:
                found += 1
                if found >= 2:
                    return found
    return found


def as_mapping(record: Any, ctx: Context, field: str, fail: bool) -> Mapping[str, Any] | None:
    """A dict, or an SDK object's ``as_dict()``; else reported (refused when ``fail``) and ``None``."""
    if type(record) is dict or isinstance(record, Mapping):
        return record
    as_dict = getattr(record, "as_dict", None)
    if callable(as_dict):
        data = as_dict()
        if isinstance(data, Mapping):
            return data
    if fail:
        ctx.report("fail", field, record, "expected a Run object (dict, or databricks-sdk Run / RunTask)")
    ctx.report("invalid", field, record, "expected a task run object")
    return None


Children = tuple[tuple[Run, ...], Mapping[str, Any], str | None]
"""What the lists of one run hold: its child runs, the :data:`SELF_DETAILS` of its own entry (a task
run fetched by id), and that entry's ``task_key`` (its name then). A plain tuple: built per run."""


NO_CHILDREN: Final[Children] = ((), EMPTY, None)


def child_runs(
    get: Callable[[str], Any],
    raw_id: object,
    sdk: bool,
    depth: int,
    ctx: Context,
    path: str,
    build_child: BuildChild,
) -> Children:
    """The run's ``tasks[]`` and ``iterations[]`` entries as child runs, its own entry as facts."""
    runs: list[Run] = []
    self_details: dict[str, Any] = {}
    self_task_key = None
    for list_name in CHILD_LISTS:
        items = get(list_name)
        if not items:
            continue
        if type(items) is not list:
            items = opt_sequence(items, ctx, f"{path}.{list_name}") or ()
        if depth >= MAX_DEPTH:
            problem = f"nested deeper than {MAX_DEPTH} levels"
            ctx.report("invalid", f"{path}.{list_name}", f"{len(items)} items", problem)
            continue
        for i, item in enumerate(items):
            item_path = f"{path}.{list_name}[{i}]"
            task = item if type(item) is dict else as_mapping(item, ctx, item_path, False)
            if task is None:
                continue
            if raw_id is not None and same_id(task.get("run_id"), raw_id):  # runs/get on a task run: itself
                if (own_key := _own_entry(task, self_details)) is not None:
                    self_task_key = own_key
                continue
            task_sdk = sdk or (item is not task and not isinstance(item, Mapping))  # a dict: no ABC check
            runs.append(build_child(task, item_path, task_sdk))
        if list_name == "tasks" and len(runs) > 1 and len(set(map(_NAME, runs))) < len(runs):
            runs = task_lineage(runs)  # a task_key more than once: its attempts
    if not runs and not self_details and self_task_key is None:
        return NO_CHILDREN
    return tuple(runs), self_details, self_task_key


def _own_entry(task: Mapping[str, Any], self_details: dict[str, Any]) -> str | None:
    """The run's own entry in its ``tasks[]`` (a task run fetched by id): its :data:`SELF_DETAILS`
    join ``self_details`` (:func:`without_parameters`); its ``task_key``, if a string."""
    self_details.update((k, without_parameters(v)) for k in SELF_DETAILS if (v := task.get(k)) is not None)
    task_key = task.get("task_key")
    return task_key if type(task_key) is str else None


def task_lineage(children: list[Run]) -> list[Run]:
    """Link each later attempt of a task run to the one before it and to the first (what the record
    says wins), by the kit's one rule (``TaskChains``): runs of one task_key that overlap in time are
    task runs of their own (for-each iterations). A new list only when something changes."""
    groups: dict[str, list[int]] = {}
    for i, child in enumerate(children):
        if child.name is not None:
            groups.setdefault(child.name, []).append(i)
    result = children
    for indices in groups.values():
        if len(indices) < 2:
            continue
        chains = TaskChains()
        for i in sorted(indices, key=lambda i: (children[i].started_at or _NEVER, children[i].attempt, i)):
            child = children[i]
            _, lineage = chains.add(child)
            if lineage is not None:
                if result is children:
                    result = list(children)
                result[i] = attrs.evolve(
                    child,
                    previous_run_id=child.previous_run_id or lineage[0],
                    original_run_id=child.original_run_id or lineage[1],
                )
    return result
