"""The documentary source of every row of the Databricks mapping tables, as data.

Quotes are the databricks-sdk enum docstrings (0.156.0, the pinned version; identical in 0.162.0),
read from ``databricks.sdk.service.jobs``; the status-model states have no per-value docstring in the
Python SDK, so their rows cite the REST API reference and the SDK for JavaScript, which documents them.
:data:`EVIDENCE` is exported into ``schemas/providers.json``; ``docs/decisions.md`` explains the choices.
"""

# ruff: noqa: E501  (quotes are kept whole)

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

__all__ = ["EVIDENCE"]


_LIFE_CYCLE_DOC: Final[dict[str, str]] = {
    "QUEUED": "The run is queued.",
    "PENDING": "The run is waiting to be executed while the cluster and execution context are being prepared.",
    "RUNNING": "The task of this run is being executed.",
    "TERMINATING": "The task of this run has completed, and the cluster and execution context are being cleaned up.",
    "TERMINATED": "The task of this run has completed, and the cluster and execution context have been cleaned up. This state is terminal.",
    "SKIPPED": "This run was aborted because a previous run of the same job was already active. This state is terminal.",
    "INTERNAL_ERROR": "An exceptional state that indicates a failure in the Jobs service, such as network failure over a long period. If a run on a new cluster ends in the ``INTERNAL_ERROR`` state, the Jobs service terminates the cluster as soon as possible. This state is terminal.",
    "BLOCKED": "The run is blocked on an upstream dependency.",
    "WAITING_FOR_RETRY": "The run is waiting for a retry.",
}
_RESULT_DOC: Final[dict[str, str]] = {
    "SUCCESS": "The task completed successfully.",
    "FAILED": "The task completed with an error.",
    "TIMEDOUT": "The run was stopped after reaching the timeout.",
    "CANCELED": "The run was canceled at user request.",
    "MAXIMUM_CONCURRENT_RUNS_REACHED": "The run was skipped because the maximum concurrent runs were reached.",
    "EXCLUDED": "The run was skipped because the necessary conditions were not met.",
    "SUCCESS_WITH_FAILURES": "The job run completed successfully with some failures; leaf tasks were successful.",
    "UPSTREAM_FAILED": "The run was skipped because of an upstream failure.",
    "UPSTREAM_CANCELED": "The run was skipped because an upstream task was canceled.",
    "DISABLED": "The run was skipped because it was disabled explicitly by the user.",
}
_CODE_DOC: Final[dict[str, str]] = {
    "SUCCESS": "The run was completed successfully.",
    "SUCCESS_WITH_FAILURES": "The run was completed successfully but some child runs failed.",
    "USER_CANCELED": "The run was successfully canceled during execution by a user.",
    "CANCELED": "The run was canceled during execution by the Databricks platform; for example, if the maximum run duration was exceeded.",
    "SKIPPED": "Run was never executed, for example, if the upstream task run failed, the dependency type condition was not met, or there were no material tasks to execute.",
    "INTERNAL_ERROR": "The run encountered an unexpected error. Refer to the state message for further details.",
    "DRIVER_ERROR": "The run encountered an error while communicating with the Spark Driver.",
    "CLUSTER_ERROR": "The run failed due to a cluster error. Refer to the state message for further details.",
    "REPOSITORY_CHECKOUT_FAILED": "Failed to complete the checkout due to an error when communicating with the third party service.",
    "INVALID_CLUSTER_REQUEST": "The run failed because it issued an invalid request to start the cluster.",
    "WORKSPACE_RUN_LIMIT_EXCEEDED": "The workspace has reached the quota for the maximum number of concurrent active runs. Consider scheduling the runs over a larger time frame.",
    "FEATURE_DISABLED": "The run failed because it tried to access a feature unavailable for the workspace.",
    "CLUSTER_REQUEST_LIMIT_EXCEEDED": "The number of cluster creation, start, and upsize requests have exceeded the allotted rate limit. Consider spreading the run execution over a larger time frame.",
    "STORAGE_ACCESS_ERROR": "The run failed due to an error when accessing the customer blob storage. Refer to the state message for further details.",
    "RUN_EXECUTION_ERROR": "The run was completed with task failures. For more details, refer to the state message or run output.",
    "UNAUTHORIZED_ERROR": "The run failed due to a permission issue while accessing a resource. Refer to the state message for further details.",
    "LIBRARY_INSTALLATION_ERROR": "The run failed while installing the user-requested library. Refer to the state message for further details. The causes might include, but are not limited to: The provided library is invalid, there are insufficient permissions to install the library, and so forth.",
    "MAX_CONCURRENT_RUNS_EXCEEDED": "The scheduled run exceeds the limit of maximum concurrent runs set for the job.",
    "MAX_SPARK_CONTEXTS_EXCEEDED": "The run is scheduled on a cluster that has already reached the maximum number of contexts it is configured to create. See: Link.",
    "RESOURCE_NOT_FOUND": "A resource necessary for run execution does not exist. Refer to the state message for further details.",
    "INVALID_RUN_CONFIGURATION": "The run failed due to an invalid configuration. Refer to the state message for further details.",
    "CLOUD_FAILURE": "The run failed due to a cloud provider issue. Refer to the state message for further details.",
    "MAX_JOB_QUEUE_SIZE_EXCEEDED": "The run was skipped due to reaching the job level queue size limit.",
    "DISABLED": "The run was never executed because it was disabled explicitly by the user.",
    "BREAKING_CHANGE": "Run failed because of an intentional breaking change in Spark, but it will be retried with a mitigation config.",
    "CLUSTER_TERMINATED_BY_USER": "The run failed because the externally managed cluster entered an unusable state, likely due to the user terminating or restarting it outside the jobs service.",
}
_TYPE_DOC: Final[dict[str, str]] = {
    "SUCCESS": "The run terminated without any issues",
    "INTERNAL_ERROR": "An error occurred in the Databricks platform. Please look at the status page or contact support if the issue persists.",
    "CLIENT_ERROR": "The run was terminated because of an error caused by user input or the job configuration.",
    "CLOUD_FAILURE": "The run was terminated because of an issue with your cloud provider.",
}
_QUEUE_DOC: Final[dict[str, str]] = {
    "ACTIVE_RUNS_LIMIT_REACHED": "The run was queued due to reaching the workspace limit of active task runs.",
    "MAX_CONCURRENT_RUNS_REACHED": "The run was queued due to reaching the per-job limit of concurrent job runs.",
    "ACTIVE_RUN_JOB_TASKS_LIMIT_REACHED": "The run was queued due to reaching the workspace limit of active run job tasks.",
}

_V2_API: Final = (
    "https://docs.databricks.com/api/workspace/jobs/getrun (status.state, RunLifecycleStateV2State)"
)
_V2_JS: Final = (
    "https://databricks.github.io/sdk-js/api/variables/_databricks_sdk-jobs.v2.RunLifecycleStateV2_State.html"
)
_V2_DOC: Final[dict[str, str]] = {
    "QUEUED": f"{_V2_API}: the run is queued; queue_details.code says why",
    "PENDING": f"{_V2_API}: the run is being prepared (compute and execution context)",
    "BLOCKED": f"{_V2_API}: the run is blocked on an upstream dependency",
    "WAITING": f"{_V2_JS}: 'Runs in the Waiting state (e.g. cost-optimized runs) are intentionally delayed until an optimal compute scheduling time'. So WAITING is QUEUED with reason DEFERRED, unless the record shows a retry (legacy WAITING_FOR_RETRY, attempt_number > 0, or an original_attempt_run_id other than run_id): then WAITING_FOR_RETRY",
    "RUNNING": f"{_V2_API}: the run is executing",
    "TERMINATING": f"{_V2_API}: the run has finished and its compute is being cleaned up",
    "TERMINATED": f"{_V2_API}: the run has ended; the outcome is in status.termination_details (code and type)",
}


def _sdk(enum: str, doc: Mapping[str, str], note: Mapping[str, str] | None = None) -> Mapping[str, str]:
    notes = note or {}
    return MappingProxyType(
        {
            word: f"databricks-sdk jobs.{enum}.{word}: '{text}'"
            + (f" ({notes[word]})" if word in notes else "")
            for word, text in doc.items()
        }
    )


_CODE_NOTES: Final[dict[str, str]] = {
    "USER_CANCELED": "the record says who: CANCELED_BY_USER",
    "CANCELED": "the record says who: CANCELED_BY_PLATFORM; legacy TIMEDOUT makes it TIMED_OUT",
    "CLUSTER_TERMINATED_BY_USER": "documented in the docstring but not an enum value of the SDK: the user's action, USER_ERROR",
    "MAX_SPARK_CONTEXTS_EXCEEDED": "the run was scheduled on a cluster the user chose, at the limit of contexts that cluster is configured to create (the linked knowledge-base article: too many notebooks or jobs attached to one cluster): the user's configuration, USER_ERROR unless termination_details.type says otherwise",
}
_BUDGET: Final = (
    "databricks-sdk jobs.TerminationCodeCode.BUDGET_POLICY_LIMIT_EXCEEDED: enum value only, the SDK "
    "docstring has no line for it (0.156.0, installed); meaning inferred from the name: a budget "
    "policy limit, which account administrators configure, stopped the run: USER_ERROR"
)

EVIDENCE: Final[Mapping[str, Mapping[str, str]]] = MappingProxyType(
    {
        "RunLifeCycleState": _sdk(
            "RunLifeCycleState",
            _LIFE_CYCLE_DOC,
            {
                "TERMINATED": "the outcome is in result_state",
                "INTERNAL_ERROR": "a failure of the Jobs service: PLATFORM_ERROR",
                "SKIPPED": "a previous run was active: CONCURRENCY_LIMIT, for a job run without a termination code; a termination code of a skip decides the reason instead (jobs.TerminationCodeCode.SKIPPED: 'Run was never executed, for example, if the upstream task run failed, the dependency type condition was not met, or there were no material tasks to execute.': no reason; MAX_CONCURRENT_RUNS_EXCEEDED: CONCURRENCY_LIMIT), and a task run (an entry of tasks[]) is SKIPPED without reason: the concurrency limit is the job's (jobs.JobSettings.max_concurrent_runs: 'An optional maximum allowed number of concurrent runs of the job.')",
            },
        ),
        "RunResultState": _sdk(
            "RunResultState",
            _RESULT_DOC,
            {
                "CANCELED": "the same word also stands beside the platform's status code CANCELED, so the word alone does not say who: no CANCELED_BY_* reason; with state.user_cancelled_or_timedout true it is CANCELED_BY_USER: the flag's SDK docstring (jobs.RunState) reads 'A value indicating whether a run was canceled manually by a user or by the scheduler because the run timed out.', and a run the scheduler stopped at its timeout has the result TIMEDOUT ('The run was stopped after reaching the timeout.'), so beside CANCELED ('The run was canceled at user request.') the flag names a user",
                "FAILED": "user vs platform is not said: status.termination_details.type refines it",
            },
        ),
        "RunLifecycleStateV2State": MappingProxyType(_V2_DOC),
        "TerminationCodeCode": MappingProxyType(
            {
                **_sdk("TerminationCodeCode", _CODE_DOC, _CODE_NOTES),
                "BUDGET_POLICY_LIMIT_EXCEEDED": _BUDGET,
            }
        ),
        "TerminationTypeType": _sdk(
            "TerminationTypeType",
            _TYPE_DOC,
            {"SUCCESS": "no error: does not pin a state (skips and cancels carry it)"},
        ),
        "QueueDetailsCodeCode": _sdk("QueueDetailsCodeCode", _QUEUE_DOC),
    }
)
"""Evidence by table and word, for every row of ``tables.TABLES``."""
