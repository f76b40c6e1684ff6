"""Cloud Deploy's decisions as data: ``JobRun.State`` and each sub-type's ``FailureCause``.

One table per enum of google-cloud-deploy 2.12.0 (``deploy_v1``), keyed by the enum's name, each
word with its documentary source (:data:`EVIDENCE`, exported into ``schemas/providers.json``); the
sub-types of the ``job_run`` oneof (:data:`SUB_TYPES`) with the failure-cause table that refines a
FAILED run; and a JobRun's native life cycle. The known words are kept in the enum's integer order,
so an integer (``JobRun.to_dict``'s default) reads as its name, and a failure cause is read only in
its own sub-type's enum: the same number names different causes in different sub-types.

Data only: the reader (:mod:`.job_runs`) and the SQL decision (:mod:`.decision`) read them. Why:
docs/decisions.md, "Google Cloud Deploy: ``JobRun.State``" (``#cloud-deploy``).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

import attrs

from runstate.provider_kit import NativeEdge, Outcome, Reason, State

from .fields import PROTO_TO_REST

__all__ = [
    "CAUSE_REFINES",
    "EVIDENCE",
    "FAILURE_CAUSE_TABLES",
    "JOB_RUN_STATE",
    "JOB_RUN_STATE_EVIDENCE",
    "KNOWN_FAILURE_CAUSES",
    "KNOWN_JOB_RUN_STATES",
    "LINK_DETAIL",
    "NATIVE_EDGES",
    "PROTO_SUB_TYPE_KEYS",
    "PROVENANCE",
    "SUB_TYPES",
    "SUB_TYPE_KEYS",
    "SubType",
    "native_states",
]

PROVENANCE: Final = "google-cloud-deploy 2.12.0"

# --- tables: one per enum, keyed by the enum's name in google.cloud.deploy_v1 ----------------------
# Each known_values tuple is in the enum's integer order (index == value), used to read integers.

KNOWN_JOB_RUN_STATES: Final = (
    "STATE_UNSPECIFIED", "IN_PROGRESS", "SUCCEEDED", "FAILED", "TERMINATING", "TERMINATED",
)  # fmt: skip

JOB_RUN_STATE: Final[Mapping[str, Outcome]] = MappingProxyType(
    {
        "STATE_UNSPECIFIED": Outcome(State.UNKNOWN),  # no usable state: an error strictly
        "IN_PROGRESS": Outcome(State.RUNNING),
        "SUCCEEDED": Outcome(State.SUCCEEDED),
        "FAILED": Outcome(State.FAILED),  # refined by the sub-type's failureCause
        "TERMINATING": Outcome(State.TERMINATING),
        "TERMINATED": Outcome(State.CANCELED),  # TerminateJobRun; who asked is not recorded
    }
)
"""``JobRun.State`` to canonical outcome (sources: :data:`EVIDENCE`, docs/decisions.md)."""

_CAUSE_OUTCOMES: Final = MappingProxyType(
    {
        "FAILURE_CAUSE_UNSPECIFIED": Outcome(State.FAILED),  # nothing to refine
        "CLOUD_BUILD_UNAVAILABLE": Outcome(State.FAILED, Reason.USER_ERROR),  # not enabled, or no permission
        "EXECUTION_FAILED": Outcome(State.FAILED, Reason.USER_ERROR),  # the user's build, hook or check
        "DEADLINE_EXCEEDED": Outcome(State.TIMED_OUT),
        "MISSING_RESOURCES_FOR_CANARY": Outcome(State.FAILED, Reason.USER_ERROR),  # the user's runtime
        "CLOUD_BUILD_REQUEST_FAILED": Outcome(State.FAILED, Reason.PLATFORM_ERROR),  # Cloud Build failed us
        "DEPLOY_FEATURE_NOT_SUPPORTED": Outcome(State.FAILED, Reason.USER_ERROR),  # configured by the user
        "VERIFICATION_CONFIG_NOT_FOUND": Outcome(State.FAILED, Reason.USER_ERROR),  # no Skaffold verify
    }
)
"""What each failure cause means, whichever sub-type reports it (the names agree across sub-types)."""

_SDK: Final = "google-cloud-deploy 2.12.0 SDK docstring of deploy_v1"
_CAUSE_QUOTES: Final = MappingProxyType(
    {
        "FAILURE_CAUSE_UNSPECIFIED": "'No reason for failure is specified.'",
        "CLOUD_BUILD_UNAVAILABLE": "'Cloud Build is not available, either because it is not enabled or "
        "because Cloud Deploy has insufficient permissions.' (the user's project configuration: USER_ERROR)",
        "EXECUTION_FAILED": "'The {op} operation did not complete successfully; check Cloud Build logs.' "
        "(the user's build, hook or check: USER_ERROR)",
        "DEADLINE_EXCEEDED": "'The {op} job run did not complete within the allotted time.' (TIMED_OUT)",
        "MISSING_RESOURCES_FOR_CANARY": "'There were missing resources in the runtime environment "
        "required for a canary deployment.' (the user's runtime: USER_ERROR)",
        "CLOUD_BUILD_REQUEST_FAILED": "'Cloud Build failed to fulfill Cloud Deploy's request.' "
        "(the platform: PLATFORM_ERROR)",
        "DEPLOY_FEATURE_NOT_SUPPORTED": "'The deploy operation had a feature configured that is not "
        "supported.' (the user's configuration: USER_ERROR)",
        "VERIFICATION_CONFIG_NOT_FOUND": "'No Skaffold verify configuration was found.' "
        "(the user's configuration: USER_ERROR)",
    }
)


def _cause_evidence(table: str, word: str) -> str:
    operation = table.split("JobRun", 1)[0].lower()  # "DeployJobRun.FailureCause" -> "deploy"
    return f"{_SDK}.{table}.{word}: " + _CAUSE_QUOTES[word].format(op=operation)


JOB_RUN_STATE_EVIDENCE: Final[Mapping[str, str]] = MappingProxyType(
    {
        "STATE_UNSPECIFIED": f"{_SDK}.JobRun.State.STATE_UNSPECIFIED: 'The JobRun has an unspecified state.'",
        "IN_PROGRESS": f"{_SDK}.JobRun.State.IN_PROGRESS: 'The JobRun is in progress.'",
        "SUCCEEDED": f"{_SDK}.JobRun.State.SUCCEEDED: 'The JobRun has succeeded.'",
        "FAILED": f"{_SDK}.JobRun.State.FAILED: 'The JobRun has failed.' "
        "(refined by the sub-type's failureCause)",
        "TERMINATING": f"{_SDK}.JobRun.State.TERMINATING: 'The JobRun is terminating.'",
        "TERMINATED": f"{_SDK}.JobRun.State.TERMINATED: 'The JobRun was terminated.' "
        "(TerminateJobRun; the record does not say who asked, so no CANCELED_BY_* reason)",
    }
)
"""The documentary source of every row of :data:`JOB_RUN_STATE`."""

KNOWN_FAILURE_CAUSES: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {
        "DeployJobRun.FailureCause": (
            "FAILURE_CAUSE_UNSPECIFIED", "CLOUD_BUILD_UNAVAILABLE", "EXECUTION_FAILED", "DEADLINE_EXCEEDED",
            "MISSING_RESOURCES_FOR_CANARY", "CLOUD_BUILD_REQUEST_FAILED", "DEPLOY_FEATURE_NOT_SUPPORTED",
        ),
        "VerifyJobRun.FailureCause": (
            "FAILURE_CAUSE_UNSPECIFIED", "CLOUD_BUILD_UNAVAILABLE", "EXECUTION_FAILED", "DEADLINE_EXCEEDED",
            "VERIFICATION_CONFIG_NOT_FOUND", "CLOUD_BUILD_REQUEST_FAILED",
        ),
        "PredeployJobRun.FailureCause": (
            "FAILURE_CAUSE_UNSPECIFIED", "CLOUD_BUILD_UNAVAILABLE", "EXECUTION_FAILED", "DEADLINE_EXCEEDED",
            "CLOUD_BUILD_REQUEST_FAILED",
        ),
        "PostdeployJobRun.FailureCause": (
            "FAILURE_CAUSE_UNSPECIFIED", "CLOUD_BUILD_UNAVAILABLE", "EXECUTION_FAILED", "DEADLINE_EXCEEDED",
            "CLOUD_BUILD_REQUEST_FAILED",
        ),
    }
)  # fmt: skip
"""Every ``FailureCause`` name of each sub-type, in integer order."""

FAILURE_CAUSE_TABLES: Final[Mapping[str, Mapping[str, Outcome]]] = MappingProxyType(
    {
        table: MappingProxyType({word: _CAUSE_OUTCOMES[word] for word in words})
        for table, words in KNOWN_FAILURE_CAUSES.items()
    }
)
"""One table per sub-type with a ``failureCause``: name to the outcome of a FAILED run."""

EVIDENCE: Final[Mapping[str, Mapping[str, str]]] = MappingProxyType(
    {
        "JobRun.State": JOB_RUN_STATE_EVIDENCE,
        **{
            table: MappingProxyType({word: _cause_evidence(table, word) for word in words})
            for table, words in KNOWN_FAILURE_CAUSES.items()
        },
    }
)
"""Every row's documentary source, by table (exported into ``schemas/providers.json``)."""


@attrs.frozen(slots=True)
class SubType:
    """One member of the ``job_run`` oneof: its REST key and how its failure is read."""

    key: str
    """The REST (camelCase) key, e.g. ``"deployJobRun"``."""
    table: Mapping[str, Outcome] | None
    """Its failure-cause table, ``None`` for the sub-types without ``failureCause``."""
    causes: tuple[str, ...]
    """Its ``FailureCause`` names in integer order (empty without one)."""
    link: str
    """The field naming the related resource: ``build`` or the child ``rollout``."""


def _sub_type(key: str, enum: str | None, link: str) -> SubType:
    if enum is None:
        return SubType(key, None, (), link)
    return SubType(key, FAILURE_CAUSE_TABLES[enum], KNOWN_FAILURE_CAUSES[enum], link)


SUB_TYPES: Final[Mapping[str, SubType]] = MappingProxyType(
    {
        s.key: s
        for s in (
            _sub_type("deployJobRun", "DeployJobRun.FailureCause", "build"),
            _sub_type("verifyJobRun", "VerifyJobRun.FailureCause", "build"),
            _sub_type("predeployJobRun", "PredeployJobRun.FailureCause", "build"),
            _sub_type("postdeployJobRun", "PostdeployJobRun.FailureCause", "build"),
            _sub_type("createChildRolloutJobRun", None, "rollout"),
            _sub_type("advanceChildRolloutJobRun", None, "rollout"),
        )
    }
)
"""The sub-types of google-cloud-deploy 2.12.0, by REST key."""


SUB_TYPE_KEYS: Final = tuple(SUB_TYPES)
"""The REST keys of the known sub-types, in the oneof's order."""
PROTO_SUB_TYPE_KEYS: Final = tuple(proto for proto, rest in PROTO_TO_REST.items() if rest in SUB_TYPES)
"""The same keys as ``JobRun.to_dict`` spells them (``deploy_job_run``, ...)."""
LINK_DETAIL: Final = MappingProxyType({"build": "build", "rollout": "child_rollout"})
"""The ``details`` key of each sub-type's link: its Cloud Build ``build`` or its ``child_rollout``."""
CAUSE_REFINES: Final = State.FAILED
"""The only state a sub-type's ``failureCause`` refines; on any other state the cause is a conflict."""

# --- native life cycle ----------------------------------------------------------------------------

NATIVE_EDGES: Final = tuple(
    NativeEdge(s, t)
    for s, t in (
        ("IN_PROGRESS", "SUCCEEDED"),
        ("IN_PROGRESS", "FAILED"),  # RUNNING -> FAILED, or -> TIMED_OUT on DEADLINE_EXCEEDED
        # TerminateJobRun; a poller may miss TERMINATING, and the run may end before the stop takes
        ("IN_PROGRESS", "TERMINATING"), ("TERMINATING", "TERMINATED"), ("IN_PROGRESS", "TERMINATED"),
        ("TERMINATING", "FAILED"), ("TERMINATING", "SUCCEEDED"),
    )
)  # fmt: skip
"""A JobRun's own life cycle: it exists once its job runs, so IN_PROGRESS is its first state.

A retry (``RetryJob``) creates a new JobRun: there is no edge out of a terminal state.
``STATE_UNSPECIFIED`` is not part of the life cycle.
"""


def native_states() -> dict[str, frozenset[State]]:
    """The canonical states each native word can give: FAILED any its failure causes give."""
    result: dict[str, frozenset[State]] = {
        w: frozenset({o.state}) for w, o in JOB_RUN_STATE.items() if o.state is not State.UNKNOWN
    }
    result["FAILED"] = frozenset(o.state for t in FAILURE_CAUSE_TABLES.values() for o in t.values())
    return result
