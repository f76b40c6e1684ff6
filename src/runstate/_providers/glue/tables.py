"""AWS Glue's decisions as data: ``JobRunState`` to canonical outcome, why a run waits, its life cycle.

Each table holds its evidence beside it (botocore's Glue service model ``glue/2017-03-31``, the
developer guide's job-run-statuses page), so the ``glue`` reader (:mod:`.jobs`), the ``glue_events``
reader (:mod:`.events`), :func:`runstate.state_of` and :mod:`runstate.sql` evaluate the one copy of
each decision. The decisions and why: docs/decisions.md, "AWS Glue: JobRunState" (``#glue``).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

from runstate.provider_kit import Missing, NativeEdge, Outcome, Reason, State

__all__ = [
    "ENDED_MISSING",
    "JOB_RUN_STATE",
    "JOB_RUN_STATE_EVIDENCE",
    "KNOWN_JOB_RUN_STATES",
    "MAX_ATTEMPT",
    "NATIVE_EDGES",
    "PROVENANCE",
    "WAITING_BY_EXECUTION_CLASS",
    "WAITING_DETAIL_CHARS",
    "WAITING_REASONS",
]

PROVENANCE: Final = "botocore 1.44.5, service model glue/2017-03-31 (shape JobRunState)"

KNOWN_JOB_RUN_STATES: Final = (
    "STARTING", "RUNNING", "STOPPING", "STOPPED", "SUCCEEDED",
    "FAILED", "TIMEOUT", "ERROR", "WAITING", "EXPIRED",
)  # fmt: skip
"""Every ``JobRunState`` of botocore's Glue model (1.44.5 and 1.44.8 list the same values)."""

JOB_RUN_STATE: Final[Mapping[str, Outcome]] = MappingProxyType(
    {
        "STARTING": Outcome(State.PENDING),
        "WAITING": Outcome(State.QUEUED),  # StateDetail says why: WAITING_REASONS
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

ENDED_MISSING: Final[Mapping[str, Missing]] = MappingProxyType(
    {"queue": Missing.NOT_REPORTED, "setup": Missing.NOT_APPLICABLE, "cleanup": Missing.NOT_APPLICABLE}
)
"""Why an ended run's parts are missing. Glue measures no setup or cleanup time (not applicable, not
zero). A run can wait in WAITING inside ``CompletedOn - StartedOn``, but no ``JobRun`` field measures
the wait: the queue is NOT_REPORTED, not NOT_APPLICABLE (docs/decisions.md#glue-wait)."""

MAX_ATTEMPT: Final = 2**31
"""``Attempt`` is below this: botocore's Glue model gives ``JobRun.Attempt`` the shape ``AttemptCount``,
``{"type": "integer"}``, an AWS API ``integer`` (32-bit signed); a larger number is reported."""
