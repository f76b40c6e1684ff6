"""Who a Databricks run is: its id, attempt lineage, job, name, parent and workspace namespace.

``run_id`` is required (two runs without one cannot be told apart: refused in both modes);
``attempt`` is ``attempt_number``; ``original_run_id`` is ``original_attempt_run_id`` when it differs
from ``run_id``. A task run fetched by id (``job_run_id`` differs) has ``parent_run_id`` = ``job_run_id``
and is named by its task_key; a job run triggered by a Run Job task has ``parent_run_id`` = that task
run (``trigger_info.run_id``). ``namespace`` is ``databricks:<workspace_id>`` (``workspace_id``, or
``?o=`` of ``run_page_url``, or the id in an Azure ``adb-<id>.<n>.azuredatabricks.net`` / GCP
``<id>.<n>.gcp.databricks.com`` host), else ``databricks:<host of run_page_url>``. Sources: the databricks-sdk
``Run`` / ``RunTask`` docstrings and docs/decisions.md ("Where a run lives: the namespace").
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Mapping
from typing import Any, Final
from urllib.parse import parse_qs, urlsplit

from runstate.provider_kit import Context, opt_id, opt_int, opt_str

from .details import choose_intern

__all__ = [
    "check_identity",
    "MAX_ATTEMPT",
    "job_id",
    "name_and_parent",
    "namespace",
    "original_run_id",
    "read_attempt",
    "read_run_id",
]

Getter = Callable[[str], Any]

intern: Final = choose_intern(sys.version_info[:3])
"""Job ids and run names repeat run after run: one shared string each (equal text, so exact)."""
_NO_ID: Final = "missing or unusable run id"
_EXPECTED: Final = (
    "not a Databricks run: expected its run_id and its state or status (a jobs/runs/get response or a "
    "runs/list item)"
)
_STATE_KEYS: Final = ("state", "status")
_NAMESPACES: dict[str, str | None] = {}
"""Namespace by ``run_page_url`` without its fragment (one workspace's runs share it)."""
_NAMESPACES_LIMIT: Final = 4096


_PAGE: Final = "a runs/list page, not a run: use normalize_many"
_PAGE_KEYS: Final = ("runs", "has_more", "next_page_token", "prev_page_token")
_SYSTEM_ROW: Final = (
    "a system.lakeflow.job_run_timeline row, not a Jobs API run: use provider 'databricks_system'"
)
_SYSTEM_KEYS: Final = ("period_start_time", "period_end_time")
"""The time slice of a Jobs system table row, which no Jobs API run has (``jobs.Run`` fields)."""


def check_identity(record: Mapping[str, Any], ctx: Context) -> None:
    """A record with neither ``run_id`` nor a state field is not a Databricks run: refused in both
    modes, naming what it is where that is clear (a ``runs/list`` page, a system table row)."""
    if any(k in record for k in _STATE_KEYS):
        return
    if "run_id" not in record:
        page = any(k in record for k in _PAGE_KEYS)
        ctx.report("fail", "$", record, _PAGE if page else _EXPECTED)
    elif any(k in record for k in _SYSTEM_KEYS):
        ctx.report("fail", "$", record, _SYSTEM_ROW)


def read_run_id(raw_id: object, ctx: Context, path: str) -> str:
    """The run id as text; refused in both modes when missing or unusable."""
    if type(raw_id) is int and raw_id >= 0:
        return str(raw_id)
    if type(raw_id) is str and raw_id:
        return raw_id
    return opt_id(raw_id, ctx, path + ".run_id") or ctx.report("fail", path + ".run_id", raw_id, _NO_ID)


MAX_ATTEMPT: Final = 2**31
"""``attempt_number`` must be below this (a 32-bit int): the SDK (``jobs.BaseRun.attempt_number``) says
"the maximum ``attempt_number`` is the same as the ``max_retries`` value for the job", a small
number; an absurd one (``2**64``) is an odd value, not an attempt every table path overflows on."""


def read_attempt(attempt: Any, ctx: Context, path: str) -> int:
    """``attempt_number`` (absent: 0, the first attempt), odd values reported (leniently: 0)."""
    if type(attempt) is not int or attempt < 0:
        return opt_int(attempt, ctx, path + ".attempt_number", 0) or 0
    if attempt >= MAX_ATTEMPT:
        ctx.invalid(path + ".attempt_number", attempt, "attempt number out of range (2**31 or more)")
        return 0
    return attempt


def same_id(value: object, raw_id: object) -> bool:
    """``value`` is the run's own ``run_id``: equal and of one type, so ``true`` or ``1.0`` (equal to
    ``1`` in Python) is no id of run 1 but an odd value the readers report."""
    return value == raw_id and type(value) is type(raw_id)


def original_run_id(original: object, raw_id: object, run_id: str, ctx: Context, path: str) -> str | None:
    """``original_attempt_run_id`` unless it is the run itself (a first attempt)."""
    if original is None or same_id(original, raw_id):
        return None
    if type(original) is int:
        return str(original)
    found = opt_id(original, ctx, path + ".original_attempt_run_id")
    return None if found == run_id else found


def job_id(own: object, ctx: Context, path: str) -> str | None:
    """The run's own ``job_id`` as text (a task without one inherits its parent's)."""
    return intern(str(own)) if type(own) is int else opt_id(own, ctx, path + ".job_id")


def name_and_parent(get: Getter, raw_id: object, ctx: Context, path: str) -> tuple[str | None, str | None]:
    """A run's name (``run_name``, else its ``task_key``) and parent run id (see the module); a task
    run inside ``tasks[]`` is named by its ``task_key`` and its parent is the run that lists it."""
    name, name_field = get("run_name"), ".run_name"
    if (name is None or name == "") and get("task_key") is not None:
        name, name_field = get("task_key"), ".task_key"  # a task run given on its own (an SDK RunTask)
    parent = None
    job_run = get("job_run_id")
    if job_run is not None and not same_id(job_run, raw_id):
        parent = opt_id(job_run, ctx, path + ".job_run_id")
    elif get("trigger") == "RUN_JOB_TASK" and type(info := get("trigger_info")) is dict:
        parent = opt_id(info.get("run_id"), ctx, path + ".trigger_info.run_id")
    if type(name) is str:  # run names repeat run after run: one shared string
        name = intern(name)
    elif name is not None:
        name = opt_str(name, ctx, path + name_field)
    return name, parent


def task_name(key: object, ctx: Context, path: str) -> str | None:
    """A task run's name: its ``task_key``, one shared string (task keys repeat run after run)."""
    if type(key) is str:
        return intern(key)
    return None if key is None else opt_str(key, ctx, path + ".task_key")


def namespace(get: Getter) -> str | None:
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
    found = _url_namespace(base)
    if len(_NAMESPACES) >= _NAMESPACES_LIMIT:
        _NAMESPACES.clear()
    _NAMESPACES[base] = found
    return found


def _url_namespace(url: str) -> str | None:
    """The namespace a run page URL gives: its ``?o=`` workspace id, else its host."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:  # not a URL: it says nothing about the workspace
        return None
    org = parse_qs(parts.query).get("o")
    if org and org[0].isdigit():
        return f"databricks:{org[0]}"
    if not host:
        return None
    per_workspace = _WORKSPACE_HOST.fullmatch(host)
    return f"databricks:{per_workspace[1] or per_workspace[2]}" if per_workspace else f"databricks:{host}"


_WORKSPACE_HOST: Final = re.compile(
    r"adb-([0-9]+)\.[0-9]+\.(?:azuredatabricks\.net|databricks\.azure\.cn)"
    r"|([0-9]+)\.[0-9]+\.gcp\.databricks\.com"
)
"""A per-workspace host that carries the workspace id (``urlsplit`` lower-cases the host).

Azure: "The unique per-workspace URL has the format adb-<workspace-id>.<random-number>.azuredatabricks.net.
The workspace ID appears immediately after adb- and before the "dot" (.)"
(https://learn.microsoft.com/en-us/azure/databricks/workspace/workspace-details; the same page for
Azure China, https://docs.azure.cn/en-us/databricks/workspace/workspace-details, with
``databricks.azure.cn``). Google Cloud: the workspace URL is ``<number>.<n>.gcp.databricks.com``
("https://8757561887652360.0.gcp.databricks.com",
https://docs.databricks.com/gcp/en/workspace/workspace-details; "https://1234567890123456.7.gcp.databricks.com",
https://docs.gcp.databricks.com/en/dev-tools/auth/gcp-id.html); that its leading number is the
workspace id is inferred from the Azure format, the pages read do not say it in words."""
