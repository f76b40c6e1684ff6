"""Databricks Jobs mapping tables and native graph, one table per SDK enum (databricks-sdk 0.156.0).

Every row's documentary source is in ``evidence.EVIDENCE`` (same table and word keys).

Data only: :mod:`runstate._providers.databricks.jobs` reads them. Where a table's words say less than a
state (``TERMINATED``, whose outcome is in another field; a termination *type*, which only tells a
user failure from a platform one) the value is still an :class:`Outcome`, so ``check_provider`` can
prove every table total; the module docstring of ``_databricks`` says how each one is used.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

from runstate.provider_kit import NativeEdge, Outcome, Reason, State

__all__ = [
    "CODE_AND_TYPE",
    "FAILURE_TYPES",
    "KNOWN_VALUES",
    "NATIVE_EDGES",
    "NATIVE_STATES",
    "OUTCOMES",
    "PROVENANCE",
    "QUEUE_DETAILS_CODE_CODE",
    "RETRY_WAIT",
    "TASK_SKIPPED",
    "RUN_LIFECYCLE_STATE_V2_STATE",
    "RUN_LIFE_CYCLE_STATE",
    "RUN_RESULT_STATE",
    "SYSTEM_SPELLINGS",
    "TABLES",
    "TERMINATION_CODE_CODE",
    "TERMINATION_TYPE_TYPE",
]

PROVENANCE: Final = "databricks-sdk 0.156.0"

_S, _R = State, Reason

OUTCOMES: Final[Mapping[tuple[State, Reason | None], Outcome]] = MappingProxyType(
    {(s, r): Outcome(s, r) for s in State for r in (None, *Reason)}
)
"""Every possible outcome, prebuilt: the hot path looks them up instead of constructing one."""


def _o(state: State, reason: Reason | None = None) -> Outcome:
    return OUTCOMES[state, reason]


KNOWN_LIFE_CYCLE_STATES: Final = (
    "BLOCKED", "INTERNAL_ERROR", "PENDING", "QUEUED", "RUNNING", "SKIPPED",
    "TERMINATED", "TERMINATING", "WAITING_FOR_RETRY",
)  # fmt: skip
KNOWN_RESULT_STATES: Final = (
    "CANCELED", "DISABLED", "EXCLUDED", "FAILED", "MAXIMUM_CONCURRENT_RUNS_REACHED",
    "SUCCESS", "SUCCESS_WITH_FAILURES", "TIMEDOUT", "UPSTREAM_CANCELED", "UPSTREAM_FAILED",
)  # fmt: skip
KNOWN_V2_STATES: Final = ("BLOCKED", "PENDING", "QUEUED", "RUNNING", "TERMINATED", "TERMINATING", "WAITING")
KNOWN_TERMINATION_CODES: Final = (
    "BREAKING_CHANGE", "BUDGET_POLICY_LIMIT_EXCEEDED", "CANCELED", "CLOUD_FAILURE", "CLUSTER_ERROR",
    "CLUSTER_REQUEST_LIMIT_EXCEEDED", "DISABLED", "DRIVER_ERROR", "FEATURE_DISABLED", "INTERNAL_ERROR",
    "INVALID_CLUSTER_REQUEST", "INVALID_RUN_CONFIGURATION", "LIBRARY_INSTALLATION_ERROR",
    "MAX_CONCURRENT_RUNS_EXCEEDED", "MAX_JOB_QUEUE_SIZE_EXCEEDED", "MAX_SPARK_CONTEXTS_EXCEEDED",
    "REPOSITORY_CHECKOUT_FAILED", "RESOURCE_NOT_FOUND", "RUN_EXECUTION_ERROR", "SKIPPED",
    "STORAGE_ACCESS_ERROR", "SUCCESS", "SUCCESS_WITH_FAILURES", "UNAUTHORIZED_ERROR", "USER_CANCELED",
    "WORKSPACE_RUN_LIMIT_EXCEEDED",
)  # fmt: skip
KNOWN_TERMINATION_TYPES: Final = ("CLIENT_ERROR", "CLOUD_FAILURE", "INTERNAL_ERROR", "SUCCESS")
KNOWN_QUEUE_CODES: Final = (
    "ACTIVE_RUNS_LIMIT_REACHED", "ACTIVE_RUN_JOB_TASKS_LIMIT_REACHED", "MAX_CONCURRENT_RUNS_REACHED",
)  # fmt: skip

RUN_LIFE_CYCLE_STATE: Final[Mapping[str, Outcome]] = MappingProxyType(
    {
        "QUEUED": _o(_S.QUEUED),
        "PENDING": _o(_S.PENDING),
        "BLOCKED": _o(_S.BLOCKED),
        "WAITING_FOR_RETRY": _o(_S.WAITING_FOR_RETRY),
        "RUNNING": _o(_S.RUNNING),
        "TERMINATING": _o(_S.TERMINATING),
        "TERMINATED": _o(_S.UNKNOWN),  # terminal; the outcome is in result_state (RunResultState)
        "SKIPPED": _o(_S.SKIPPED, _R.CONCURRENCY_LIMIT),  # "a previous run of the same job was active"
        "INTERNAL_ERROR": _o(_S.FAILED, _R.PLATFORM_ERROR),  # result_state (FAILED) says no more
    }
)
"""Legacy ``state.life_cycle_state`` (sources: ``evidence``, docs/decisions.md).

SKIPPED's CONCURRENCY_LIMIT is a default for a job run: a termination code of a skip decides the
reason instead, and a task run gets :data:`TASK_SKIPPED` (``decisions``)."""

TASK_SKIPPED: Final = _o(_S.SKIPPED)
"""A task run's legacy SKIPPED (without a skip result or termination code): no reason. The life
cycle's docstring is about a job run ("a previous run of the same job was already active", the job's
``max_concurrent_runs``); a task is skipped for its upstream or condition
(``TerminationCodeCode.SKIPPED``)."""

RUN_RESULT_STATE: Final[Mapping[str, Outcome]] = MappingProxyType(
    {
        "SUCCESS": _o(_S.SUCCEEDED),
        "SUCCESS_WITH_FAILURES": _o(_S.SUCCEEDED, _R.PARTIAL_SUCCESS),
        "FAILED": _o(_S.FAILED),  # legacy does not say user vs platform; status refines it
        "TIMEDOUT": _o(_S.TIMED_OUT),
        "CANCELED": _o(_S.CANCELED),  # who: only with user_cancelled_or_timedout (decisions)
        "MAXIMUM_CONCURRENT_RUNS_REACHED": _o(_S.SKIPPED, _R.CONCURRENCY_LIMIT),
        "EXCLUDED": _o(_S.SKIPPED, _R.EXCLUDED),
        "UPSTREAM_FAILED": _o(_S.SKIPPED, _R.UPSTREAM_FAILED),
        "UPSTREAM_CANCELED": _o(_S.SKIPPED, _R.UPSTREAM_CANCELED),
        "DISABLED": _o(_S.SKIPPED, _R.DISABLED),
    }
)
"""Legacy ``state.result_state``: the outcome of a TERMINATED (or SKIPPED) run."""

RUN_LIFECYCLE_STATE_V2_STATE: Final[Mapping[str, Outcome]] = MappingProxyType(
    {
        "QUEUED": _o(_S.QUEUED),  # queue_details.code gives the reason
        "PENDING": _o(_S.PENDING),
        "BLOCKED": _o(_S.BLOCKED),
        "WAITING": _o(_S.QUEUED, _R.DEFERRED),  # a retry only with evidence of one: see RETRY_WAIT
        "RUNNING": _o(_S.RUNNING),
        "TERMINATING": _o(_S.TERMINATING),
        "TERMINATED": _o(_S.UNKNOWN),  # terminal; the outcome is in termination_details
    }
)
"""``status.state``, which wins on phase when both ``state`` and ``status`` are present."""

RETRY_WAIT: Final = _o(_S.WAITING_FOR_RETRY)
"""``status.state`` WAITING of a run that shows a retry (legacy WAITING_FOR_RETRY, ``attempt_number > 0``,
or an ``original_attempt_run_id`` other than its own id); without that evidence WAITING is a deliberate
delay (QUEUED, DEFERRED): docs/decisions.md."""

TERMINATION_CODE_CODE: Final[Mapping[str, Outcome]] = MappingProxyType(
    {
        "SUCCESS": _o(_S.SUCCEEDED),
        "SUCCESS_WITH_FAILURES": _o(_S.SUCCEEDED, _R.PARTIAL_SUCCESS),
        "USER_CANCELED": _o(_S.CANCELED, _R.CANCELED_BY_USER),
        "CANCELED": _o(_S.CANCELED, _R.CANCELED_BY_PLATFORM),  # legacy TIMEDOUT makes it TIMED_OUT
        "SKIPPED": _o(_S.SKIPPED),  # legacy UPSTREAM_* / EXCLUDED / ... gives the reason
        "DISABLED": _o(_S.SKIPPED, _R.DISABLED),
        "MAX_CONCURRENT_RUNS_EXCEEDED": _o(_S.SKIPPED, _R.CONCURRENCY_LIMIT),
        "MAX_JOB_QUEUE_SIZE_EXCEEDED": _o(_S.SKIPPED, _R.QUEUE_LIMIT),
        "WORKSPACE_RUN_LIMIT_EXCEEDED": _o(_S.SKIPPED, _R.WORKSPACE_LIMIT),
        # failures: the reason is the default when the termination type gives no verdict
        "RUN_EXECUTION_ERROR": _o(_S.FAILED, _R.USER_ERROR),
        "INVALID_RUN_CONFIGURATION": _o(_S.FAILED, _R.USER_ERROR),
        "LIBRARY_INSTALLATION_ERROR": _o(_S.FAILED, _R.USER_ERROR),
        "UNAUTHORIZED_ERROR": _o(_S.FAILED, _R.USER_ERROR),
        "RESOURCE_NOT_FOUND": _o(_S.FAILED, _R.USER_ERROR),
        "INVALID_CLUSTER_REQUEST": _o(_S.FAILED, _R.USER_ERROR),
        "FEATURE_DISABLED": _o(_S.FAILED, _R.USER_ERROR),
        "STORAGE_ACCESS_ERROR": _o(_S.FAILED, _R.USER_ERROR),
        "BUDGET_POLICY_LIMIT_EXCEEDED": _o(_S.FAILED, _R.USER_ERROR),
        "CLUSTER_TERMINATED_BY_USER": _o(_S.FAILED, _R.USER_ERROR),  # documented, not in the SDK enum
        "MAX_SPARK_CONTEXTS_EXCEEDED": _o(_S.FAILED, _R.USER_ERROR),  # the cluster the user configured
        "INTERNAL_ERROR": _o(_S.FAILED, _R.PLATFORM_ERROR),
        "DRIVER_ERROR": _o(_S.FAILED, _R.PLATFORM_ERROR),
        "CLUSTER_ERROR": _o(_S.FAILED, _R.PLATFORM_ERROR),
        "CLOUD_FAILURE": _o(_S.FAILED, _R.PLATFORM_ERROR),
        "REPOSITORY_CHECKOUT_FAILED": _o(_S.FAILED, _R.PLATFORM_ERROR),
        "CLUSTER_REQUEST_LIMIT_EXCEEDED": _o(_S.FAILED, _R.PLATFORM_ERROR),
        "BREAKING_CHANGE": _o(_S.FAILED, _R.PLATFORM_ERROR),
    }
)
"""``status.termination_details.code``: the outcome of a TERMINATED run (status model)."""

TERMINATION_TYPE_TYPE: Final[Mapping[str, Outcome]] = MappingProxyType(
    {
        "CLIENT_ERROR": _o(_S.FAILED, _R.USER_ERROR),
        "INTERNAL_ERROR": _o(_S.FAILED, _R.PLATFORM_ERROR),
        "CLOUD_FAILURE": _o(_S.FAILED, _R.PLATFORM_ERROR),
        "SUCCESS": _o(_S.UNKNOWN),  # no error; does not pin a state (skips and user cancels carry it)
    }
)
"""``status.termination_details.type``: Databricks' user-vs-platform verdict, as the outcome it implies.

Only its reason is used: it overrides the reason of a FAILED termination code, and gives the
outcome of an unknown code leniently. A non-failure code ignores the type.
"""

QUEUE_DETAILS_CODE_CODE: Final[Mapping[str, Outcome]] = MappingProxyType(
    {
        "ACTIVE_RUNS_LIMIT_REACHED": _o(_S.QUEUED, _R.WORKSPACE_LIMIT),
        "ACTIVE_RUN_JOB_TASKS_LIMIT_REACHED": _o(_S.QUEUED, _R.WORKSPACE_LIMIT),
        "MAX_CONCURRENT_RUNS_REACHED": _o(_S.QUEUED, _R.CONCURRENCY_LIMIT),
    }
)
"""``status.queue_details.code``: why a run is QUEUED."""

TABLES: Final[Mapping[str, Mapping[str, Outcome]]] = MappingProxyType(
    {
        "RunLifeCycleState": RUN_LIFE_CYCLE_STATE,
        "RunResultState": RUN_RESULT_STATE,
        "RunLifecycleStateV2State": RUN_LIFECYCLE_STATE_V2_STATE,
        "TerminationCodeCode": TERMINATION_CODE_CODE,
        "TerminationTypeType": TERMINATION_TYPE_TYPE,
        "QueueDetailsCodeCode": QUEUE_DETAILS_CODE_CODE,
    }
)
KNOWN_VALUES: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {
        "RunLifeCycleState": KNOWN_LIFE_CYCLE_STATES,
        "RunResultState": KNOWN_RESULT_STATES,
        "RunLifecycleStateV2State": KNOWN_V2_STATES,
        "TerminationCodeCode": KNOWN_TERMINATION_CODES,
        "TerminationTypeType": KNOWN_TERMINATION_TYPES,
        "QueueDetailsCodeCode": KNOWN_QUEUE_CODES,
    }
)

FAILURE_TYPES: Final = frozenset(t for t, o in TERMINATION_TYPE_TYPE.items() if o.state is _S.FAILED)


def _code_and_type(code: str, type_: str | None) -> Outcome:
    outcome = TERMINATION_CODE_CODE[code]
    if outcome.state is _S.FAILED and type_ in FAILURE_TYPES:
        return _o(_S.FAILED, TERMINATION_TYPE_TYPE[type_].reason)
    return outcome


SYSTEM_SPELLINGS: Final[Mapping[str, str]] = MappingProxyType({"CANCELLED": "CANCELED"})
"""Termination codes as the ``system.lakeflow`` tables spell them, to the Jobs API's word: those tables
spell their own ``result_state`` CANCELLED, so their ``termination_code`` CANCELLED is the Jobs API's
CANCELED (``system_columns.TERMINATION_CODE``)."""

CODE_AND_TYPE: Final[Mapping[tuple[str, str | None], Outcome]] = MappingProxyType(
    {
        (c, t): _code_and_type(SYSTEM_SPELLINGS.get(c, c), t)
        for c in (*TERMINATION_CODE_CODE, *SYSTEM_SPELLINGS)
        for t in (None, *TERMINATION_TYPE_TYPE)
    }
)
"""(termination code, type) to outcome, prebuilt: the type's verdict wins for failure codes; the
system tables' spellings (:data:`SYSTEM_SPELLINGS`) read as the Jobs API's words."""

# --- native graph ------------------------------------------------------------------------------
# Nodes are finer than words: a terminated run is "TERMINATED:<result_state>" (legacy) or
# "status:TERMINATED:<code>" (status model), so that each node stands for the states it can map to.

_PENDING_WORDS: Final = ("QUEUED", "BLOCKED", "PENDING")
_DEFERRED: Final = "status:WAITING:DEFERRED"
"""The native node of a WAITING run without evidence of a retry (a cost-optimized run)."""
_REPAIR_TARGETS: Final = ("QUEUED", "BLOCKED", "PENDING", "RUNNING")


def _legacy_terminated(result: str) -> str:
    return f"TERMINATED:{result}"


def _v2(word: str) -> str:
    return f"status:{word}"


def _v2_terminated(code: str) -> str:
    return f"status:TERMINATED:{code}"


def _native_states() -> dict[str, frozenset[State]]:
    nodes: dict[str, frozenset[State]] = {
        word: frozenset({o.state}) for word, o in RUN_LIFE_CYCLE_STATE.items() if word != "TERMINATED"
    }
    nodes.update({_legacy_terminated(r): frozenset({o.state}) for r, o in RUN_RESULT_STATE.items()})
    nodes.update({_v2(w): frozenset({o.state}) for w, o in RUN_LIFECYCLE_STATE_V2_STATE.items()})
    del nodes[_v2("TERMINATED")]
    nodes[_v2("WAITING")] = frozenset({RETRY_WAIT.state})  # waiting for a retry
    nodes[_DEFERRED] = frozenset({RUN_LIFECYCLE_STATE_V2_STATE["WAITING"].state})  # a deliberate delay
    for code, outcome in TERMINATION_CODE_CODE.items():
        states = {outcome.state}
        if code == "CANCELED":
            states.add(_S.TIMED_OUT)  # with legacy result TIMEDOUT
        nodes[_v2_terminated(code)] = frozenset(states)
    return nodes


NATIVE_STATES: Final[Mapping[str, frozenset[State]]] = MappingProxyType(_native_states())


def _native_edges() -> tuple[NativeEdge, ...]:
    results = tuple(RUN_RESULT_STATE)
    executed = tuple(r for r, o in RUN_RESULT_STATE.items() if o.state is not _S.SKIPPED)
    codes = tuple(TERMINATION_CODE_CODE)
    executed_codes = tuple(c for c, o in TERMINATION_CODE_CODE.items() if o.state is not _S.SKIPPED)
    edges: list[tuple[str, str, bool]] = [
        # legacy life cycle (notes/databricks.md section 3)
        ("QUEUED", "PENDING", False), ("BLOCKED", "PENDING", False), ("BLOCKED", "QUEUED", False),
        ("PENDING", "RUNNING", False), ("PENDING", "SKIPPED", False), ("PENDING", "INTERNAL_ERROR", False),
        ("PENDING", "TERMINATING", False), ("RUNNING", "TERMINATING", False),
        ("RUNNING", "INTERNAL_ERROR", False), ("RUNNING", "WAITING_FOR_RETRY", False),
        ("TERMINATING", "INTERNAL_ERROR", False), ("TERMINATING", "WAITING_FOR_RETRY", False),
        ("WAITING_FOR_RETRY", "QUEUED", False), ("WAITING_FOR_RETRY", "PENDING", False),
        *((w, _legacy_terminated(r), False) for w in (*_PENDING_WORDS, "WAITING_FOR_RETRY") for r in results),
        *(("TERMINATING", _legacy_terminated(r), False) for r in executed),
        # repair: a terminated job run re-enters, same run_id
        *((_legacy_terminated(r), t, True) for r in results for t in _REPAIR_TARGETS),
        *(("INTERNAL_ERROR", t, True) for t in ("QUEUED", "PENDING", "RUNNING")),
        # status model
        *((_v2(s), _v2(t), False) for s, t in (
            ("QUEUED", "PENDING"), ("BLOCKED", "PENDING"), ("BLOCKED", "QUEUED"), ("PENDING", "RUNNING"),
            ("PENDING", "TERMINATING"), ("RUNNING", "TERMINATING"), ("RUNNING", "WAITING"),
            ("TERMINATING", "WAITING"), ("WAITING", "QUEUED"), ("WAITING", "PENDING"),
        )),
        *((_v2(w), _v2_terminated(c), False) for w in (*_PENDING_WORDS, "WAITING") for c in codes),
        # a deferred run starts when the platform picks its time, or is queued, canceled or skipped first
        (_DEFERRED, _v2("PENDING"), False), (_DEFERRED, _v2("QUEUED"), False),
        (_DEFERRED, _v2("RUNNING"), False),
        *((_DEFERRED, _v2_terminated(c), False) for c in codes),
        *((_v2(w), _v2_terminated(c), False) for w in ("RUNNING", "TERMINATING") for c in executed_codes),
        *((_v2_terminated(c), _v2(t), True) for c in codes for t in _REPAIR_TARGETS),
    ]  # fmt: skip
    return tuple(NativeEdge(s, t, repair) for s, t, repair in edges)


NATIVE_EDGES: Final = _native_edges()
"""Databricks' own transitions, legacy and status model; ``repair=True`` for re-entry by repair."""
