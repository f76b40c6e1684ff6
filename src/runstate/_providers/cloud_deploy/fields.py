"""Cloud Deploy's field names as data: the proto spelling ``to_dict`` writes, and what a Rollout has.

proto-plus ``Message.to_dict`` (google-cloud-deploy 2.12.0 on proto-plus 1.29) writes proto field
names by default: its docstring, ``preserving_proto_field_name``: "An option that determines whether
field name representations preserve proto case (snake_case) or use lowerCamelCase. Default is True";
``use_integers_for_enums``: "Default is True". So the SDK's own dict of a JobRun spells ``phase_id``,
``create_time``, ``verify_job_run``, ``failure_cause`` where the REST API and ``to_json`` spell
``phaseId``, ``createTime``, ``verifyJobRun``, ``failureCause``. The tuples below are the messages'
fields in declaration order; ``tests/providers/cloud_deploy/test_cloud_deploy_shapes.py`` holds them
equal to the installed SDK's descriptors (names and JSON names), so a new SDK field fails a test, not
a record. Why: docs/decisions.md, "The records the SDK writes" (``#cloud-deploy-shapes``).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

__all__ = [
    "JOB_RUN_FIELDS",
    "PROTO_TO_REST",
    "ROLLOUT_FIELDS",
    "ROLLOUT_ONLY_KEYS",
    "SUB_PROTO_TO_REST",
    "SUB_TYPE_FIELDS",
    "is_sub_type_key",
    "json_name",
]

JOB_RUN_FIELDS: Final = (
    "name", "uid", "phase_id", "job_id", "create_time", "start_time", "end_time", "state",
    "deploy_job_run", "verify_job_run", "predeploy_job_run", "postdeploy_job_run",
    "create_child_rollout_job_run", "advance_child_rollout_job_run", "etag",
)  # fmt: skip
"""``deploy_v1.JobRun``'s fields (``JobRun.pb().DESCRIPTOR.fields``)."""

SUB_TYPE_FIELDS: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {
        "DeployJobRun": ("build", "failure_cause", "failure_message", "metadata", "artifact"),
        "VerifyJobRun": ("build", "artifact_uri", "event_log_path", "failure_cause", "failure_message"),
        "PredeployJobRun": ("build", "failure_cause", "failure_message"),
        "PostdeployJobRun": ("build", "failure_cause", "failure_message"),
        "CreateChildRolloutJobRun": ("rollout", "rollout_phase_id"),
        "AdvanceChildRolloutJobRun": ("rollout", "rollout_phase_id"),
    }
)
"""The fields of each member of the ``job_run`` oneof, by message name."""

ROLLOUT_FIELDS: Final = (
    "name", "uid", "description", "annotations", "labels", "create_time", "approve_time",
    "enqueue_time", "deploy_start_time", "deploy_end_time", "target_id", "approval_state", "state",
    "failure_reason", "deploying_build", "etag", "deploy_failure_cause", "phases", "metadata",
    "controller_rollout", "rollback_of_rollout", "rolled_back_by_rollouts",
    "active_repair_automation_run",
)  # fmt: skip
"""``deploy_v1.Rollout``'s fields: the run of a release to a target, not a JobRun."""


def json_name(field: str) -> str:
    """protobuf's JSON name of a field: lowerCamelCase (``create_time`` -> ``createTime``)."""
    first, *rest = field.split("_")
    return first + "".join(part[:1].upper() + part[1:] for part in rest)


PROTO_TO_REST: Final[Mapping[str, str]] = MappingProxyType(
    {field: json_name(field) for field in JOB_RUN_FIELDS if json_name(field) != field}
)
"""A JobRun's proto field names that differ from its REST names, to the REST name."""

SUB_PROTO_TO_REST: Final[Mapping[str, str]] = MappingProxyType(
    {
        field: json_name(field)
        for fields in SUB_TYPE_FIELDS.values()
        for field in fields
        if json_name(field) != field
    }
)
"""The same for the fields of the sub-types."""

ROLLOUT_ONLY_KEYS: Final = frozenset(
    spelling
    for field in ROLLOUT_FIELDS
    if field not in JOB_RUN_FIELDS
    for spelling in (field, json_name(field))
)
"""Keys a Rollout has and a JobRun never has, in both spellings (``targetId``, ``target_id``, ...)."""


def is_sub_type_key(key: object) -> bool:
    """A ``*JobRun`` key: a member of the ``job_run`` oneof, perhaps one this version does not know."""
    return type(key) is str and key.endswith("JobRun") and len(key) > 6
