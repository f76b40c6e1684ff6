"""The columns of ``system.lakeflow.job_run_timeline`` and ``job_task_run_timeline``, as documented.

Data, with the text it was read from: what the ``databricks_system`` provider may expect in a row.
The Jobs system table reference (:data:`PAGE`) was read from a Markdown copy of the page in a public
repository (the current page: its ``job_run_timeline`` table and the first columns of
``job_task_run_timeline``, where that copy ends) and from an earlier copy of the Azure page (the rest of
``job_task_run_timeline``). The docs corpora's copies of the page stop before these tables. The live
tables' own column comments (a ``DESCRIBE`` of them, also in a public repository) give the same names,
with ``bigint`` for the page's ``long``, ``compute`` as
``array<struct<type:string,cluster_id:string,warehouse_id:string>>`` and ``job_parameters`` as
``map<string,map<string,string>>``.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

from runstate.provider_kit import Outcome

from . import evidence as jobs_api_evidence
from . import tables as jobs_api

__all__ = [
    "END_ROW_NOTE",
    "NEWER_COLUMNS_NOTE",
    "PAGE",
    "REPAIR_QUERY_NOTE",
    "RUN_TIMELINE_COLUMNS",
    "TASK_RUN_TIMELINE_COLUMNS",
    "TERMINATION_CODE",
    "TERMINATION_CODE_EVIDENCE",
    "UNREAD_COLUMNS",
]

PAGE: Final = "https://docs.databricks.com/aws/en/admin/system-tables/jobs"
"""The Jobs system table reference (AWS; the Azure and GCP pages carry the same tables)."""

END_ROW_NOTE: Final = (
    "For runs longer than one hour that are split across multiple rows, this column is populated only "
    "in the row that represents the end of the run."
)
"""The page's note on ``result_state`` and on ``termination_code`` of ``job_run_timeline``. It does not
say it of ``termination_type``, and the task table's notes are past the end of the copy read."""

NEWER_COLUMNS_NOTE: Final = "Not populated for rows emitted before early December 2025"
"""The page's note on ``termination_type``, the five ``*_duration_seconds`` columns, ``compute``,
``source_task_run_id`` and ``root_task_run_id`` (the live tables' comments say "late November 2025")."""

REPAIR_QUERY_NOTE: Final = (
    "This query collects a list of retried job runs with the number of retries for each run. "
    "[...] COUNT(*) - 1 as retries_count FROM system.lakeflow.job_run_timeline "
    "WHERE result_state IS NOT NULL GROUP BY ALL HAVING retries_count > 0"
)
"""The page's example query: one ``run_id`` has one end row per attempt (its repairs reuse the id)."""

RUN_TIMELINE_COLUMNS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "account_id": "string",
        "workspace_id": "string",
        "job_id": "string",
        "run_id": "string",
        "period_start_time": "timestamp",
        "period_end_time": "timestamp",
        "trigger_type": "string",
        "run_type": "string",
        "run_name": "string",
        "compute_ids": "array",
        "result_state": "string",
        "termination_code": "string",
        "job_parameters": "map",
        "source_task_run_id": "string",
        "root_task_run_id": "string",
        "compute": "array",
        "termination_type": "string",
        "setup_duration_seconds": "long",
        "queue_duration_seconds": "long",
        "run_duration_seconds": "long",
        "cleanup_duration_seconds": "long",
        "execution_duration_seconds": "long",
    }
)
"""``system.lakeflow.job_run_timeline``, column to data type, in the page's order ("Job run timeline
table schema"; "The job run timeline table is immutable and complete at the time it is produced.")."""

TASK_RUN_TIMELINE_COLUMNS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "account_id": "string",
        "workspace_id": "string",
        "job_id": "string",
        "run_id": "string",  # "The ID of the task run"
        "job_run_id": "string",  # "The ID of the job run"
        "parent_run_id": "string",  # "The ID of the parent run"
        "period_start_time": "timestamp",
        "period_end_time": "timestamp",
        "task_key": "string",  # "The reference key for a task in a job"
        "compute_ids": "array",
        "result_state": "string",  # "The outcome of the job task run"
        "termination_code": "string",  # "The termination code of the task run"
    }
)
"""``system.lakeflow.job_task_run_timeline``, column to data type: the current page up to
``period_end_time``, then the earlier Azure page ("Job task run timeline schema")."""

UNREAD_COLUMNS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "task_parameters": "a job_task_run_timeline column past the end of the copies of the page that "
        "could be read (public queries select it, as a map); kept in raw only (parameters often hold "
        "credentials), not checked",
    }
)
"""Columns the provider reads that no copy of the page that could be read documents, and why. The task
table's newer columns (``termination_type``, the durations) are past that end too: a task row's are
read as the run table's."""

TERMINATION_CODE: Final[Mapping[str, Outcome]] = MappingProxyType(
    {
        **jobs_api.TERMINATION_CODE_CODE,
        **{word: jobs_api.TERMINATION_CODE_CODE[api] for word, api in jobs_api.SYSTEM_SPELLINGS.items()},
    }
)
"""``termination_code``: the Jobs API's table (the page points the column at its own list, "Termination
code values", which no copy read reaches), and the tables' own spelling of a word: their
``result_state`` is CANCELLED (``KNOWN_RESULT_STATES``), so a ``termination_code`` CANCELLED is the Jobs
API's CANCELED, not an unknown word (``tables.SYSTEM_SPELLINGS``)."""


def _spelling_evidence(word: str, api: str) -> str:
    return (
        f"{PAGE}#termination: the system tables spell CANCELLED (result_state CANCELLED, the run's "
        f"outcome) where the Jobs API spells CANCELED; {word} read as the Jobs API's {api}: "
        + jobs_api_evidence.EVIDENCE["TerminationCodeCode"][api]
    )


TERMINATION_CODE_EVIDENCE: Final[Mapping[str, str]] = MappingProxyType(
    {
        **jobs_api_evidence.EVIDENCE["TerminationCodeCode"],
        **{word: _spelling_evidence(word, api) for word, api in jobs_api.SYSTEM_SPELLINGS.items()},
    }
)
"""The documentary source of every row of :data:`TERMINATION_CODE`."""
