"""Google Cloud Deploy job runs (``JobRun``): REST JSON (camelCase) or ``google.cloud.deploy_v1.JobRun``.

Tables checked against google-cloud-deploy 2.12.0 (``JobRun.State`` and the ``FailureCause`` enum of
each sub-type).

Input. A REST ``JobRun`` (a dict, camelCase, enum names as text, RFC 3339 times with up to 9 fraction
digits), the SDK's own dict of one (``JobRun.to_dict``: proto field names such as ``phase_id``,
``create_time``, ``verify_job_run``, ``failure_cause``, and integer enums, its defaults) or a
proto-plus ``deploy_v1.JobRun``. The proto object is recognised by duck typing (its class has
``to_dict`` and ``pb``; ``google`` is never imported) and converted once with
``to_dict(use_integers_for_enums=False, preserving_proto_field_name=False,
always_print_fields_with_no_presence=False)`` into the REST shape; ``raw`` is that dict. A proto-plus
message that names another type (``meta.full_name``, e.g. a ``GetJobRunRequest``) is refused. A raw
protobuf ``JobRun`` (``JobRun.pb(obj)``) is converted the same way with protobuf's ``MessageToDict``,
imported only then; another ``google.cloud.deploy`` protobuf message is refused. The
proto spelling is read as the REST one, field by field (the names are data,
:mod:`runstate._providers.cloud_deploy.fields`, held equal to the SDK's descriptors by the tests), so
both give the same run; ``raw`` is the record as given and a report names the record's own key
(``$.start_time``). A record that spells one field both ways is read by its REST spelling; if the two
values differ, that is reported (an error strictly, a warning leniently). A ``ListJobRuns`` page
(``{"jobRuns": [...], "nextPageToken": ...}``, ``to_dict``'s ``job_runs``, or a
``ListJobRunsResponse``) is split by :func:`pages` for :func:`runstate.normalize_many`; proto3 JSON
omits an empty list, so the page of no JobRuns is ``{}`` (perhaps with ``nextPageToken`` or
``unreachable``) and gives no run, while ``normalize`` of a single ``{}`` is refused.

Not a JobRun. A record that is not a run of this provider at all is refused in both modes. A
``Rollout`` (a ``.../rollouts/{id}`` name without ``/jobRuns/``, or a key only a Rollout has, such as
``targetId``, ``deployStartTime``, ``approvalState`` or ``phases``; and none of ``phaseId``, ``jobId``
or a ``*JobRun`` sub-type) is "a Rollout, not a JobRun": its ``Rollout.State`` numbers differently
(SUCCEEDED=1, FAILED=2, where ``JobRun.State`` has IN_PROGRESS=1, SUCCEEDED=2), so reading it as a
JobRun would turn a failed rollout into a success.

Defaults. REST and ``to_json`` omit proto3 defaults (``to_dict`` prints them: ``"etag": ""``,
``"state": 0``), so an absent ``state`` *is* ``STATE_UNSPECIFIED`` and an absent ``failureCause`` is
``FAILURE_CAUSE_UNSPECIFIED``; ``""`` ids are absent. Enum integers are accepted too (``to_dict``'s
default output), the failure cause only inside its sub-type, since the same integer names different
causes in different sub-types (``CLOUD_BUILD_REQUEST_FAILED`` is 5 in deploy and verify, 4 in predeploy
and postdeploy).

States (docs/decisions.md). ``STATE_UNSPECIFIED`` (or none) is UNKNOWN: an error strictly, a warning
leniently. ``IN_PROGRESS`` is RUNNING (a JobRun has no pending state: waiting happens on the rollout's
``Job``), ``TERMINATING`` TERMINATING, ``TERMINATED`` CANCELED (no reason: the record does not say
whether a person, an API client or an automation asked). ``FAILED`` is refined by the sub-type's
``failureCause``: ``DEADLINE_EXCEEDED`` is TIMED_OUT, Cloud Build's own failures are FAILED with
``PLATFORM_ERROR``, failures of the user's build, hooks, configuration or runtime environment FAILED
with ``USER_ERROR`` (``CLOUD_BUILD_UNAVAILABLE``, Cloud Build not enabled or not permitted, is
configuration). The child-rollout sub-types have no failure cause. A sub-type this version does not
know (the REST-only ``analysisJobRun``) is kept and tolerated: the state still maps, nothing refines it.

Identity. ``run_id`` is ``uid``, or the last segment of ``name`` when ``uid`` is empty; a record with
neither is refused in both modes. ``namespace`` is ``gcp:<project>:<location>`` from ``name``.
``job_id`` is ``"{deliveryPipeline}/{phaseId}/{jobId}"`` (e.g. ``"web/stable/deploy"``: the same job of
two pipelines must not merge; without a parsable ``name`` ``"{phaseId}/{jobId}"``, just ``jobId``
without a phase), ``name`` is ``jobId``, and ``parent_run_id`` is the rollout's resource name
(``projects/.../rollouts/{rollout}``): a JobRun is one task of a rollout. ``attempt`` is 0: a retry of a
job (``RetryJob``, "Retries the specified Job in a Rollout",
https://cloud.google.com/deploy/docs/api/reference/rest/v1/projects.locations.deliveryPipelines.releases.rollouts/retryJob)
makes a new JobRun of the same rollout, phase and job (``Job.job_run``: "The name of the ``JobRun``
responsible for the most recent invocation of this Job"), so the JobRuns of one rollout, phase and
job are the attempts of one logical run. A JobRun does not name the one it retries, so no lineage
field is set; the spec's ``retry_key`` (:func:`retry_key`: the rollout's name and ``job_id``) groups
them in :func:`runstate.logical_runs`, which orders them by start (a retry is created, and started,
after the attempt before it ended, so that is ``createTime`` order) and holds them until the input
ends or its ``horizon`` passes, as nothing numbers them. ``details`` holds the parsed ``name``
(``project``, ``location``, ``delivery_pipeline``, ``release``, ``rollout``, ``job_run``), the full
``name``, ``etag``, ``sub_type`` (e.g. ``"deployJobRun"``), and the sub-type's ``build`` or child
``rollout``. ``provider_state`` keeps the provider's words: ``state``, ``jobRun`` (which sub-type of
the ``job_run`` oneof is set) and a specified ``failureCause``.

Times. ``created_at``/``started_at``/``ended_at`` are ``createTime``/``startTime``/``endTime``;
nanoseconds are **truncated** to microseconds (``.999999999Z`` becomes ``.999999``), never rounded.
``queue = startTime - createTime`` and ``total = endTime - startTime`` (NOT_ENDED before the end,
NOT_REPORTED without a start); setup, execution and cleanup are not applicable. A start before the
creation or an end before the start is reported, never clamped. A queue or total over 100 years (a
sentinel time such as ``9999-12-31T23:59:59Z`` or ``0001-01-01T00:00:00Z``) is reported as a duration
field over 100 years is (``InconsistentDurationWarning``; strictly ``InvalidRecordError``) and that
part is left missing (NOT_REPORTED) rather than kept as millennia.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Any, Final, Literal, NoReturn, overload

import attrs

from runstate.provider_kit import (
    EMPTY,
    EPOCH,
    MAX_DURATION,
    TERMINAL_STATES,
    Context,
    Durations,
    InvalidRecordError,
    Missing,
    NativeEdge,
    Outcome,
    ProviderSpec,
    Reason,
    ReportKind,
    Run,
    State,
    UnmappedStateWarning,
    check_order,
    freeze_details,
    make_durations,
    make_run,
    opt_mapping,
    opt_str,
    time_from_value,
)

from .decision import decision
from .fields import PROTO_TO_REST, ROLLOUT_ONLY_KEYS, SUB_PROTO_TO_REST

__all__ = ["FAILURE_CAUSE_TABLES", "JOB_RUN_STATE", "SPEC", "SUB_TYPES"]

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

_SUB_TYPE_KEYS: Final = tuple(SUB_TYPES)
_PROTO_SUB_TYPE_KEYS: Final = tuple(proto for proto, rest in PROTO_TO_REST.items() if rest in SUB_TYPES)
_LINK_DETAIL: Final = MappingProxyType({"build": "build", "rollout": "child_rollout"})

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


def _native_states() -> dict[str, frozenset[State]]:
    result: dict[str, frozenset[State]] = {
        w: frozenset({o.state}) for w, o in JOB_RUN_STATE.items() if o.state is not State.UNKNOWN
    }
    result["FAILED"] = frozenset(o.state for t in FAILURE_CAUSE_TABLES.values() for o in t.values())
    return result


# --- durations ------------------------------------------------------------------------------------

_NOT_APPLICABLE: Final = {
    "setup": Missing.NOT_APPLICABLE,
    "execution": Missing.NOT_APPLICABLE,
    "cleanup": Missing.NOT_APPLICABLE,
}
"""Cloud Deploy measures no setup, execution or cleanup of a JobRun: not applicable, not zero."""
_ENDED: Final = MappingProxyType(_NOT_APPLICABLE)
_NOT_ENDED: Final = MappingProxyType({**_NOT_APPLICABLE, "total": Missing.NOT_ENDED})
_NO_TOTAL: Final = MappingProxyType({**_NOT_APPLICABLE, "total": Missing.NOT_REPORTED})
_NO_QUEUE: Final = {
    id(m): MappingProxyType({**m, "queue": Missing.NOT_REPORTED}) for m in (_ENDED, _NOT_ENDED, _NO_TOTAL)
}
_NOT_STARTED: Final = make_durations(None, None, None, None, None, _NO_QUEUE[id(_NO_TOTAL)])
_ZERO: Final = timedelta(0)
_TERMINAL_WORDS: Final = frozenset(w for w, o in JOB_RUN_STATE.items() if o.state in TERMINAL_STATES)


def _durations(
    created: datetime | None, started: datetime | None, ended: datetime | None, word: str, ctx: Context
) -> Durations:
    """queue = start - create, total = end - start; the order of the times is checked, never clamped,
    and a part over 100 years (a sentinel time such as 9999-12-31) is reported and left missing."""
    if created is not None and started is not None and ended is not None and created <= started <= ended:
        plain_queue, plain_total = started - created, ended - started
        if plain_queue <= MAX_DURATION and plain_total <= MAX_DURATION:
            return make_durations(plain_queue, None, None, None, plain_total, _ENDED)  # the common case
    if started is None:
        if ended is not None and created is not None and ended < created:
            check_order(created, ended, ctx, "$.endTime")
        return _NOT_STARTED
    total, missing = _total(started, ended, word, ctx)
    queue = None if created is None else _span(created, started, ctx, "$.startTime")
    parts_missing = missing if queue is not None else _NO_QUEUE[id(missing)]
    return make_durations(queue, None, None, None, total, parts_missing)


def _total(
    started: datetime, ended: datetime | None, word: str, ctx: Context
) -> tuple[timedelta | None, Mapping[str, Missing]]:
    """The total and why the parts are missing: not ended, not reported (a terminal run without an end,
    or a total out of range) or ended."""
    if ended is None:
        return None, _NO_TOTAL if word in _TERMINAL_WORDS else _NOT_ENDED
    total = _span(started, ended, ctx, "$.endTime")
    return total, _ENDED if total is not None else _NO_TOTAL


def _span(start: datetime, end: datetime, ctx: Context, field: str) -> timedelta | None:
    """``end - start``: an end before the start is reported and kept; over 100 years either way (a
    sentinel time) is reported and dropped, as a duration field over 100 years is."""
    span = end - start
    if -MAX_DURATION <= span <= MAX_DURATION:
        if span < _ZERO:
            check_order(start, end, ctx, field)
        return span
    ctx.report(
        "inconsistent",
        field,
        f"{end.isoformat()} - {start.isoformat()}",
        "duration out of range (over 100 years)",
    )
    return None


# --- input shapes ---------------------------------------------------------------------------------


def _to_dict(record: Any, ctx: Context) -> Mapping[str, Any] | None:
    """A proto-plus JobRun as its REST-shaped dict, or ``None`` if ``record`` is no proto-plus message;
    a message of another type (a Rollout, a ``GetJobRunRequest``) is refused."""
    cls = type(record)
    to_dict = getattr(cls, "to_dict", None)
    if not callable(to_dict) or getattr(cls, "pb", None) is None:
        return None
    _check_message_type(cls, ctx)
    try:
        try:
            data = to_dict(
                record,
                use_integers_for_enums=False,
                preserving_proto_field_name=False,
                always_print_fields_with_no_presence=False,
            )
        except TypeError:  # proto-plus before 1.24 names the flag after protobuf 4
            data = to_dict(
                record,
                use_integers_for_enums=False,
                preserving_proto_field_name=False,
                including_default_value_fields=False,
            )
    except Exception as exc:  # third-party conversion: anything it raises means "not convertible"
        problem = f"cannot convert {cls.__name__} to a dict ({type(exc).__name__}: {exc})"
        raise InvalidRecordError(ctx.provider, "$", record, problem) from exc
    if not isinstance(data, Mapping):
        ctx.report("fail", "$", record, f"{cls.__name__}.to_dict gave no object")
    return data


def _from_protobuf(record: Any, ctx: Context) -> Mapping[str, Any] | None:
    """A raw protobuf JobRun (``JobRun.pb(obj)``, what gRPC code and ``MessageToDict`` users hold) as
    its REST-shaped dict, as proto-plus converts it; ``None`` for anything else. ``google.protobuf`` is
    imported only here, when such an object (so protobuf itself) is already in hand."""
    try:
        full_name = type(record).DESCRIPTOR.full_name
    except Exception:  # not a protobuf message (or a hostile object): not this reader's
        return None
    if full_name != _JOB_RUN_MESSAGE:
        if type(full_name) is str and full_name.startswith("google.cloud.deploy."):
            _refuse_message(full_name, ctx)
        return None
    from google.protobuf import json_format  # only with a protobuf message in hand: already imported

    try:
        data: dict[str, Any] = json_format.MessageToDict(record, preserving_proto_field_name=False)
    except Exception as exc:  # third-party conversion: anything it raises means "not convertible"
        problem = f"cannot convert {type(record).__name__} to a dict ({type(exc).__name__}: {exc})"
        raise InvalidRecordError(ctx.provider, "$", full_name, problem) from exc
    return data


_JOB_RUN_MESSAGE: Final = "google.cloud.deploy.v1.JobRun"
_MESSAGE_HINTS: Final = MappingProxyType(
    {
        "google.cloud.deploy.v1.ListJobRunsResponse": "a ListJobRuns page, not a JobRun: use normalize_many",
        "google.cloud.deploy.v1.Rollout": "a Rollout, not a JobRun: normalize the JobRuns of the rollout "
        "(ListJobRuns), since a Rollout's states number differently",
    }
)


_NOT_A_JOB_RUN_MESSAGE: Final = f"a message that is not a JobRun ({_JOB_RUN_MESSAGE})"


def _check_message_type(cls: type, ctx: Context) -> None:
    """Refuse a proto-plus message that says it is not a JobRun (its ``meta.full_name``); one that does
    not say is tried as a JobRun, as before."""
    try:
        full_name = cls.meta.full_name  # type: ignore[attr-defined]
    except Exception:  # not a proto-plus class that names its message: tried as a JobRun
        return
    if type(full_name) is str and full_name != _JOB_RUN_MESSAGE:
        _refuse_message(full_name, ctx)


def _refuse_message(full_name: str, ctx: Context) -> NoReturn:
    """Refuse a message of another type than JobRun, with the hint for a page or a Rollout."""
    ctx.report("fail", "$", full_name, _MESSAGE_HINTS.get(full_name) or _NOT_A_JOB_RUN_MESSAGE)


def _unwrap(record: Any, ctx: Context) -> Mapping[str, Any]:
    """The JobRun as a mapping (a proto-plus JobRun converted); a page or a non-JobRun refused."""
    if type(record) is dict or isinstance(record, Mapping):
        job_run: Mapping[str, Any] = record
    else:
        converted = _to_dict(record, ctx)
        if converted is None:
            converted = _from_protobuf(record, ctx)
        if converted is None:
            ctx.report(
                "fail", "$", record, "expected a JobRun object (dict or google.cloud.deploy_v1.JobRun)"
            )
        job_run = converted
    if ("jobRuns" in job_run or "job_runs" in job_run) and "state" not in job_run and "name" not in job_run:
        ctx.report("fail", "$", record, _MESSAGE_HINTS["google.cloud.deploy.v1.ListJobRunsResponse"])
    if "uid" not in job_run and "name" not in job_run and "state" not in job_run:  # not a JobRun
        ctx.report("fail", "$", record, _EXPECTED)
    return job_run


_EXPECTED: Final = "not a Cloud Deploy JobRun: expected its uid or name, and its state"


def _refuse_a_rollout(job_run: Mapping[str, Any], ctx: Context) -> None:
    """A Rollout is not a JobRun: its state enum numbers differently (a FAILED rollout, 2, would read
    as a SUCCEEDED JobRun), so it is refused in both modes. A record is a Rollout when it has none of a
    JobRun's own fields (``phaseId``, ``jobId``, a ``*JobRun`` sub-type) and has a Rollout's name
    (``.../rollouts/{id}``) or a key only a Rollout has (``targetId``, ``deployStartTime``, ``phases``...).
    """
    if job_run.get("phaseId") or job_run.get("jobId"):
        return
    for key in job_run:
        if type(key) is str and key.endswith("JobRun") and len(key) > 6:
            return
    name = job_run.get("name")
    rollout_name = type(name) is str and "/jobRuns/" not in name and _rollout(name) is not None
    if rollout_name or not ROLLOUT_ONLY_KEYS.isdisjoint(job_run):
        ctx.report("fail", "$", name if rollout_name else sorted(map(str, job_run)), _ROLLOUT_HINT)


_ROLLOUT_HINT: Final = _MESSAGE_HINTS["google.cloud.deploy.v1.Rollout"]


# --- the proto spelling (JobRun.to_dict) ----------------------------------------------------------

_PROTO_KEYS: Final = frozenset(PROTO_TO_REST)
_SUB_PROTO_KEYS: Final = frozenset(SUB_PROTO_TO_REST)


def _respell(job_run: Mapping[str, Any], ctx: Context) -> tuple[Mapping[str, Any], dict[str, str]]:
    """``job_run`` with the proto field names ``JobRun.to_dict`` writes (``phase_id``, ``create_time``,
    ``verify_job_run``, ``failure_cause``...) read as the REST names, and which REST names the record
    spelled so (for the context to name the record's own keys). Unchanged when there are none."""
    spelled: dict[str, str] = {}
    result = job_run
    if not _PROTO_KEYS.isdisjoint(job_run):
        result = _respelled(job_run, PROTO_TO_REST, spelled, "$", ctx)
    for key in _SUB_TYPE_KEYS:
        sub = result.get(key)
        if isinstance(sub, Mapping) and not _SUB_PROTO_KEYS.isdisjoint(sub):
            result = dict(result) if result is job_run else result
            path = f"$.{spelled.get(key, key)}"
            result[key] = _respelled(sub, SUB_PROTO_TO_REST, spelled, path, ctx)  # type: ignore[index]
    return result, spelled


def _respelled(
    mapping: Mapping[str, Any], names: Mapping[str, str], spelled: dict[str, str], path: str, ctx: Context
) -> dict[str, Any]:
    """One level of :func:`_respell`. Both spellings of one field: the REST one is read, and a proto
    value that differs from it is reported (an error strictly, a warning leniently)."""
    result = dict(mapping)
    for proto, rest in names.items():
        if proto not in result:
            continue
        value = result.pop(proto)
        if rest not in mapping:
            result[rest] = value
            spelled[rest] = proto
        elif mapping[rest] != value:
            problem = f"differs from {rest} in the same record ({mapping[rest]!r}); {rest} is read"
            ctx.report("invalid", f"{path}.{proto}", value, problem)
    return result


def _proto_path(field: str, spelled: Mapping[str, str]) -> str:
    """A field path with each REST name the record spelled in proto case as the record spells it."""
    return ".".join(spelled.get(part, part) for part in field.split("."))


@attrs.frozen
class _ProtoSpelledContext(Context):
    """The context of a record in proto spelling: its reports name the record's own keys."""

    spelled: Mapping[str, str] = attrs.field(factory=dict)

    @overload
    def report(
        self,
        kind: Literal["fail"],
        field: str,
        value: object,
        problem: str,
        category: Any = None,
    ) -> NoReturn: ...
    @overload
    def report(
        self,
        kind: ReportKind,
        field: str,
        value: object,
        problem: str,
        category: Any = None,
    ) -> None: ...
    def report(
        self,
        kind: ReportKind,
        field: str,
        value: object,
        problem: str,
        category: Any = None,
    ) -> None:
        """:meth:`Context.report` with ``field`` in the record's spelling."""
        Context.report(self, kind, _proto_path(field, self.spelled), value, problem, category)


def detect(record: Any) -> bool:
    """A JobRun (a ``.../jobRuns/...`` name, or a job id and a known sub-type, in either spelling), a
    ListJobRuns page, a proto JobRun."""
    try:
        if isinstance(record, Mapping):
            name = record.get("name")
            if type(name) is str and "/jobRuns/" in name:
                return True
            if isinstance(record.get("jobRuns"), list) or isinstance(record.get("job_runs"), list):
                return True
            if "jobId" in record:
                return any(key in record for key in _SUB_TYPE_KEYS)
            return "job_id" in record and any(key in record for key in _PROTO_SUB_TYPE_KEYS)
        return type(record).__name__ in _PROTO_CLASSES and hasattr(type(record), "pb")
    except Exception:  # a hostile object: not ours
        return False


_PROTO_CLASSES: Final = frozenset({"JobRun", "ListJobRunsResponse"})


def _enum_name(value: object, names: tuple[str, ...]) -> object:
    """An enum integer as its name (when known), anything else unchanged."""
    if type(value) is int and 0 <= value < len(names):
        return names[value]
    return value


def _word(value: object) -> str:
    return value if type(value) is str else str(value)


# --- the normalizer -------------------------------------------------------------------------------

_STATE_UNSPECIFIED: Final = "STATE_UNSPECIFIED"
_CAUSE_UNSPECIFIED: Final = "FAILURE_CAUSE_UNSPECIFIED"
_UNSPECIFIED_OUTCOME: Final = JOB_RUN_STATE[_STATE_UNSPECIFIED]
_NAME_KEYWORDS: Final = ["projects", "locations", "deliveryPipelines", "releases", "rollouts"]
_NAME_PARTS: Final = ("project", "location", "delivery_pipeline", "release", "rollout")
CAUSE_REFINES: Final = State.FAILED
"""The only state a sub-type's ``failureCause`` refines; on any other state the cause is a conflict."""
_FAILED: Final = CAUSE_REFINES  # enum attribute access costs ~0.16 us on 3.11: looked up once


def _state(word: object, ctx: Context) -> tuple[Outcome, str]:
    """The outcome of ``state`` and the word to keep; absence is the proto3 default STATE_UNSPECIFIED."""
    if word is None:
        word = _STATE_UNSPECIFIED
    elif type(word) is int:
        word = _enum_name(word, KNOWN_JOB_RUN_STATES)
    if type(word) is str:
        outcome = JOB_RUN_STATE.get(word)
        if outcome is None:
            ctx.report("unmapped", "$.state", word, "unmapped state")
            return _UNSPECIFIED_OUTCOME, word
        if outcome is _UNSPECIFIED_OUTCOME:
            ctx.report(
                "invalid", "$.state", word, "unspecified state (no usable state)", UnmappedStateWarning
            )
        return outcome, word
    if type(word) is int:  # an integer no known value has (a newer server)
        ctx.report("unmapped", "$.state", word, "unmapped state")
        return _UNSPECIFIED_OUTCOME, str(word)
    if isinstance(word, str):  # a str subclass
        return _state(str(word), ctx)
    ctx.report("invalid", "$.state", word, "expected a state word (string)", UnmappedStateWarning)
    return _UNSPECIFIED_OUTCOME, ""


def _failure_cause(
    raw: object, info: SubType, table: Mapping[str, Outcome], state: State, ctx: Context
) -> tuple[str | None, Outcome | None]:
    """The cause's name to keep and, for a FAILED run, the outcome it gives (``None``: no refinement)."""
    name = _enum_name(raw, info.causes)
    if type(name) is str:
        outcome = table.get(name)
        if outcome is None:
            ctx.report("unmapped", f"$.{info.key}.failureCause", name, "unmapped state")
            return name, None
        if name == _CAUSE_UNSPECIFIED:
            return None, None
        if state is not _FAILED:
            ctx.report(
                "conflict",
                f"$.{info.key}.failureCause",
                name,
                f"a failure cause on a {state.value} run (ignored)",
            )
            return name, None
        return name, outcome
    if type(name) is int:  # an integer no known cause has (a newer server)
        ctx.report("unmapped", f"$.{info.key}.failureCause", name, "unmapped state")
        return str(name), None
    if isinstance(name, str):  # a str subclass
        return _failure_cause(str(name), info, table, state, ctx)
    ctx.report(
        "invalid",
        f"$.{info.key}.failureCause",
        name,
        "expected a failure cause (string)",
        UnmappedStateWarning,
    )
    return None, None


def _find_sub_type(job_run: Mapping[str, Any], ctx: Context) -> tuple[str | None, Any]:
    """The key of the set ``job_run`` oneof member and its value; unknown ``*JobRun`` keys are kept."""
    found: str | None = None
    for key in _SUB_TYPE_KEYS:
        if key in job_run:
            if found is not None:
                ctx.report("invalid", "$", f"{found}, {key}", "more than one job_run sub-type")
                break
            found = key
    if found is None:
        for key in job_run:
            if type(key) is str and key.endswith("JobRun") and len(key) > 6:
                return key, job_run[key]  # a sub-type this version does not know (analysisJobRun)
        return None, None
    return found, job_run[found]


def _analysis_message(sub: Mapping[str, Any]) -> str | None:
    """``analysisJobRun`` (unknown to the SDK): the failed check and its message, when it says so."""
    check = sub.get("failedCheckId")
    if type(check) is not str or not check:
        return None
    for field in ("alertPolicyAnalyses", "customCheckAnalyses"):
        analyses = sub.get(field)
        if type(analyses) is not list:
            continue
        for analysis in analyses:
            if isinstance(analysis, Mapping) and analysis.get("id") == check:
                text = analysis.get("failureMessage")
                if type(text) is str and text:
                    return f"check {check!r} failed: {text}"
    return f"check {check!r} failed"


_ROLLOUTS: dict[str, tuple[dict[str, str], str, tuple[str, str, str, str, str]]] = {}
"""Parsed rollout names (``projects/.../rollouts/{rollout}``), with the namespace and delivery pipeline
they give: the JobRuns of a rollout share one."""
_MAX_ROLLOUTS: Final = 4096


def _rollout(parent: str) -> tuple[dict[str, str], str, tuple[str, str, str, str, str]] | None:
    """project, location, delivery pipeline, release and rollout ids of a rollout name, with the
    namespace ``gcp:<project>:<location>`` and the ids alone; ``None`` if it is not a rollout name."""
    parts = parent.split("/")
    if len(parts) != 10 or parts[0::2] != _NAME_KEYWORDS or "" in parts:
        return None
    if len(_ROLLOUTS) >= _MAX_ROLLOUTS:
        _ROLLOUTS.clear()
    parsed = _ROLLOUTS[parent] = (
        dict(zip(_NAME_PARTS, parts[1::2], strict=True)),
        f"gcp:{parts[1]}:{parts[3]}",
        (parts[1], parts[3], parts[5], parts[7], parts[9]),
    )
    return parsed


def build(record: Any, ctx: Context, keep_raw: bool) -> Run:
    """One Cloud Deploy ``JobRun`` (REST dict or proto-plus object) to a canonical run.

    The hot path: a REST JobRun whose every field is plain (a known state and sub-type, a parsable
    ``name``, UTC times) is read here in one pass with the calls :func:`careful_build` makes for it,
    so it gives the same run; at the first odd value the record goes to :func:`careful_build`, which
    reads and reports. ``tests/test_provider_cloud_deploy_fast.py`` proves the two agree. The common
    details are one presized display here rather than a call to :func:`_details`: that call, the job
    id through :func:`_job_id` and the ids read from the parts dict cost about 6% of a record.
    """
    get: Any = record.get if type(record) is dict and "name" in record else None
    if get is None:
        return careful_build(record, ctx, keep_raw)
    word, name, uid, phase_id, job, etag = (
        get("state"), get("name"), get("uid"), get("phaseId"), get("jobId"), get("etag")
    )  # fmt: skip
    outcome = _STATES.get(word) if type(word) is str else None
    if (
        outcome is None
        or type(name) is not str
        or (uid is not None and type(uid) is not str)
        or (phase_id is not None and type(phase_id) is not str)
        or type(job) is not str
        or not job  # no job: perhaps a Rollout, which careful_build refuses
        or (etag is not None and type(etag) is not str)
        or not _PROTO_KEYS.isdisjoint(record)  # JobRun.to_dict's spelling: careful_build reads it
    ):
        return careful_build(record, ctx, keep_raw)
    plain = _plain_sub_type(record, outcome)
    parent, found, job_run_id = name.rpartition("/jobRuns/")
    rollout = (_ROLLOUTS.get(parent) or _rollout(parent)) if found and job_run_id else None
    times = _plain_times(get("createTime"), get("startTime"), get("endTime"))
    if plain is None or rollout is None or times is None or "/" in job_run_id:
        return careful_build(record, ctx, keep_raw)
    sub_key, link_key, link, cause, message, outcome = plain
    parts, namespace, (project, location, pipeline, release, rollout_id) = rollout
    if link_key is not None and etag:  # the common shape in one display: a dict made at its size
        details = {
            "sub_type": sub_key,
            link_key: link,
            "name": name,
            "project": project,
            "location": location,
            "delivery_pipeline": pipeline,
            "release": release,
            "rollout": rollout_id,
            "job_run": job_run_id,
            "etag": etag,
        }  # the keys and order of _NAME_PARTS, as careful_build writes them
    else:
        details = _details(sub_key, link_key, link, name, parts, job_run_id, etag)
    created, started, ended = times
    return make_run(
        "cloud_deploy",
        uid or job_run_id,
        namespace=namespace,
        job_id=(f"{pipeline}/{phase_id}/{job}" if phase_id else f"{pipeline}/{job}") if job else None,
        name=job or None,
        state=outcome.state,
        reason=outcome.reason,
        provider_state=_PROVIDER_STATES.get((word, sub_key, cause)) or _provider_state(word, sub_key, cause),
        message=message or None,
        parent_run_id=parent,
        created_at=created,
        started_at=started,
        ended_at=ended,
        durations=_durations(created, started, ended, word, ctx),
        details=freeze_details(details),
        raw=record if keep_raw else None,
    )


_STATES: Final = {w: o for w, o in JOB_RUN_STATE.items() if o.state is not State.UNKNOWN}
"""The states :func:`build` maps itself: every one but STATE_UNSPECIFIED, which is reported."""
_SUB_TYPE_INFO: Final = dict(SUB_TYPES)


_Times = tuple[datetime | None, datetime | None, datetime | None]


def _plain_times(created: object, started: object, ended: object) -> _Times | None:
    """Three UTC RFC 3339 texts (or absences) parsed with the very call ``time_from_value`` makes first,
    so with its result; ``None`` if any is something else, which only the reader may read and report."""
    try:
        if type(created) is str and type(started) is str and type(ended) is str:  # "" fails: the reader's
            times: _Times = _fromiso(created), _fromiso(started), _fromiso(ended)
            utc = times[0].tzinfo is _UTC and times[1].tzinfo is _UTC and times[2].tzinfo is _UTC  # type: ignore[union-attr]
        else:
            times = c, s, e = _plain_time(created), _plain_time(started), _plain_time(ended)
            utc = (
                (c is None or c.tzinfo is _UTC)
                and (s is None or s.tzinfo is _UTC)
                and (e is None or e.tzinfo is _UTC)
            )
    except ValueError:
        return None
    return times if utc else None


def _plain_time(value: object) -> datetime | None:
    """One time of :func:`_plain_times`; ValueError for anything but a text or an absence."""
    if value is None:
        return None
    if type(value) is not str:
        raise ValueError(value)
    return _fromiso(value)


_PlainSubType = tuple[str | None, str | None, str | None, str | None, str | None, Outcome]


def _plain_sub_type(record: dict[str, Any], outcome: Outcome) -> _PlainSubType | None:
    """(sub-type key, link's detail key and link, cause, message, outcome) as :func:`_read_sub_type`
    gives them for a plain sub-type (exactly one known member of the job_run oneof, a dict; a string
    message, link and known cause); ``None`` where it would report."""
    sub_key = None
    for key in _SUB_TYPE_KEYS:
        if key in record:
            if sub_key is not None:  # two members of a oneof: the reader reports it
                return None
            sub_key = key
    if sub_key is None:
        return _plain_other_sub_type(record, outcome)
    sub = record[sub_key]
    if type(sub) is not dict:
        return None
    if not sub:
        return sub_key, None, None, None, None, outcome
    if not _SUB_PROTO_KEYS.isdisjoint(sub):  # failure_cause...: careful_build reads them
        return None
    info = _SUB_TYPE_INFO[sub_key]
    message, raw_cause, link = sub.get("failureMessage"), sub.get("failureCause"), sub.get(info.link)
    if (message is not None and type(message) is not str) or (link is not None and type(link) is not str):
        return None
    cause = None
    if raw_cause is not None:
        refined = info.table.get(raw_cause) if type(raw_cause) is str and info.table is not None else None
        if refined is None or (raw_cause != _CAUSE_UNSPECIFIED and outcome.state is not _FAILED):
            return None
        if raw_cause != _CAUSE_UNSPECIFIED:
            cause, outcome = raw_cause, refined
    return sub_key, _LINK_DETAIL[info.link] if link else None, link, cause, message, outcome


def _plain_other_sub_type(record: dict[str, Any], outcome: Outcome) -> _PlainSubType | None:
    """:func:`_plain_sub_type` for a record without a known sub-type: none at all, or one this version
    does not know (``analysisJobRun``), read as :func:`_find_sub_type` and :func:`_read_sub_type` do."""
    for key in record:
        if type(key) is str and key.endswith("JobRun") and len(key) > 6:
            break
    else:
        return None, None, None, None, None, outcome
    sub = record[key]
    if type(sub) is not dict:
        return None
    if not sub:
        return key, None, None, None, None, outcome
    message, cause = sub.get("failureMessage"), sub.get("failureCause")
    if (message is not None and type(message) is not str) or (cause is not None and type(cause) is not str):
        return None
    if message is None and key == "analysisJobRun":
        message = _analysis_message(sub)
    cause = cause if cause and cause != _CAUSE_UNSPECIFIED else None  # kept; no table to refine with
    return key, None, None, cause, message, outcome


def _details(
    sub_key: str | None,
    link_key: str | None,
    link: str | None,
    name: str,
    parts: dict[str, str],
    job_run_id: str,
    etag: str | None,
) -> dict[str, Any]:
    """A plain JobRun's ``details`` in :func:`careful_build`'s order, whatever is missing."""
    details: dict[str, Any] = {} if sub_key is None else {"sub_type": sub_key}
    if link_key is not None:
        details[link_key] = link
    details["name"] = name
    details.update(parts)
    details["job_run"] = job_run_id
    if etag:
        details["etag"] = etag
    return details


def careful_build(record: Any, ctx: Context, keep_raw: bool) -> Run:
    """:func:`build` for any record: odd fields through their reporting readers, SDK objects converted,
    proto field names read as the REST ones, a Rollout refused."""
    given = _unwrap(record, ctx)
    job_run, spelled = _respell(given, ctx)
    if spelled:
        ctx = _ProtoSpelledContext(ctx.provider, ctx.strict, spelled)
    _refuse_a_rollout(job_run, ctx)
    get = job_run.get
    value: Any = get("state")
    outcome = JOB_RUN_STATE.get(value) if type(value) is str else None
    word: str
    if outcome is None or outcome is _UNSPECIFIED_OUTCOME:
        outcome, word = _state(value, ctx)
    else:
        word = value  # a str: found in the table
    details: dict[str, Any] = {}
    sub_key, cause, message, outcome = _read_sub_type(job_run, outcome, details, ctx)
    run_id, parent = _identity(get, details, ctx)
    phase_id, job, etag = get("phaseId"), get("jobId"), get("etag")
    if phase_id is not None and type(phase_id) is not str:  # odd values through the reporting reader
        phase_id = opt_str(phase_id, ctx, "$.phaseId")
    if job is not None and type(job) is not str:
        job = opt_str(job, ctx, "$.jobId")
    if etag is not None and type(etag) is not str:
        etag = opt_str(etag, ctx, "$.etag")
    if etag:
        details["etag"] = etag
    created, started, ended = _times(get, ctx)
    project, location = details.get("project"), details.get("location")
    return make_run(
        "cloud_deploy",
        run_id,
        namespace=f"gcp:{project}:{location}" if project and location else None,
        job_id=_job_id(details.get("delivery_pipeline"), phase_id, job or None),
        name=job or None,
        state=outcome.state,
        reason=outcome.reason,
        provider_state=_provider_state(word, sub_key, cause),
        message=message or None,
        parent_run_id=parent,
        created_at=created,
        started_at=started,
        ended_at=ended,
        durations=_durations(created, started, ended, word, ctx),
        details=freeze_details(details),
        raw=given if keep_raw else None,
    )


def _times(get: Any, ctx: Context) -> tuple[datetime | None, datetime | None, datetime | None]:
    """``createTime``, ``startTime``, ``endTime``. Three RFC 3339 texts in UTC (``...Z``, what the REST
    API writes) are parsed here with the very call ``time_from_value`` makes first, giving its result;
    anything else (a missing time, another offset, odd text, an SDK datetime) goes to the reader."""
    created, started, ended = get("createTime"), get("startTime"), get("endTime")
    if type(created) is str and type(started) is str and type(ended) is str and created and started and ended:
        try:
            times = _fromiso(created), _fromiso(started), _fromiso(ended)
        except ValueError:  # the reader tries the other forms, and reports
            pass
        else:
            if times[0].tzinfo is _UTC and times[1].tzinfo is _UTC and times[2].tzinfo is _UTC:
                return times
    return (
        time_from_value(created, ctx, "$.createTime"),
        time_from_value(started, ctx, "$.startTime"),
        time_from_value(ended, ctx, "$.endTime"),
    )


_fromiso: Final = datetime.fromisoformat
_UTC: Final = EPOCH.tzinfo


def _job_id(pipeline: str | None, phase_id: str | None, job: str | None) -> str | None:
    """``{deliveryPipeline}/{phaseId}/{jobId}``: the same job of two pipelines must not merge."""
    job_id = f"{phase_id}/{job}" if phase_id and job else job
    return f"{pipeline}/{job_id}" if pipeline and job_id else job_id


def _read_sub_type(
    job_run: Mapping[str, Any], outcome: Outcome, details: dict[str, Any], ctx: Context
) -> tuple[str | None, str | None, str | None, Outcome]:
    """(sub-type key, failure cause, failure message, outcome): the set ``job_run`` oneof member's
    cause refines FAILED, its message is the run's, its build or child rollout goes to ``details``."""
    sub_key, sub_value = _find_sub_type(job_run, ctx)
    if sub_key is None:
        return None, None, None, outcome
    details["sub_type"] = sub_key
    sub = sub_value if type(sub_value) is dict else opt_mapping(sub_value, ctx, f"$.{sub_key}")
    if not sub:
        return sub_key, None, None, outcome
    info = SUB_TYPES.get(sub_key)
    message = sub.get("failureMessage")
    if message is not None and type(message) is not str:
        message = opt_str(message, ctx, f"$.{sub_key}.failureMessage")
    cause, outcome = _cause(sub.get("failureCause"), info, outcome, ctx)
    if info is None:
        if message is None and sub_key == "analysisJobRun":
            message = _analysis_message(sub)
    else:
        link = sub.get(info.link)
        if link is not None and type(link) is not str:
            link = opt_str(link, ctx, f"$.{sub_key}.{info.link}")
        if link:
            details[_LINK_DETAIL[info.link]] = link
    return sub_key, cause, message, outcome


def _cause(
    raw_cause: object, info: SubType | None, outcome: Outcome, ctx: Context
) -> tuple[str | None, Outcome]:
    """The failure cause to keep and the outcome it gives (a sub-type without a table refines nothing)."""
    if raw_cause is None or raw_cause == _CAUSE_UNSPECIFIED:
        return None, outcome
    if info is not None and info.table is not None:
        cause, refined = _failure_cause(raw_cause, info, info.table, outcome.state, ctx)
        return cause, outcome if refined is None else refined
    if type(raw_cause) is str and raw_cause:  # a sub-type without a table: kept, refines nothing
        return raw_cause, outcome
    return None, outcome


STATE_WORDS: Final = ("state", "jobRun", "failureCause")
"""The words :func:`state_of_words` reads: ``state``, the sub-type's key (``deployJobRun``) and its
``failureCause``."""


def state_of_words(words: Mapping[str, Any], ctx: Context) -> tuple[State, Reason | None]:
    """The state and reason of bare :data:`STATE_WORDS`, as :func:`build` reads a JobRun whose
    sub-type ``jobRun`` holds the ``failureCause`` (:func:`runstate.state_of`)."""
    sub_type, cause = words.get("jobRun"), words.get("failureCause")
    if cause is not None and sub_type is None:
        problem = "a failureCause is read by its sub-type: name it (jobRun='deployJobRun')"
        raise InvalidRecordError(ctx.provider, "jobRun", None, problem)
    outcome, _ = _state(words.get("state"), ctx)
    if sub_type is not None:
        _, outcome = _cause(cause, _named_sub_type(sub_type, ctx), outcome, ctx)
    return outcome.state, outcome.reason


def _named_sub_type(name: object, ctx: Context) -> SubType | None:
    """The sub-type ``jobRun`` names (REST or proto spelling); one this version does not know refines
    nothing, as in a record, but a name no record could hold is refused: a typo must not drop the cause."""
    if type(name) is str:
        name = PROTO_TO_REST.get(name, name)
        if name in SUB_TYPES or (name.endswith("JobRun") and len(name) > 6):
            return SUB_TYPES.get(name)
    problem = f"not a JobRun sub-type (one of {', '.join(SUB_TYPES)}, or another '...JobRun')"
    raise InvalidRecordError(ctx.provider, "jobRun", name, problem)


def _identity(get: Any, details: dict[str, Any], ctx: Context) -> tuple[str, str | None]:
    """(run id, parent rollout): ``uid``, else the name's last segment; the parsed name to ``details``.

    A record with neither is refused in both modes: two runs without an id cannot be told apart.
    """
    name, run_id = get("name"), get("uid")
    if name is not None and type(name) is not str:  # odd values through the reporting reader
        name = opt_str(name, ctx, "$.name")
    if run_id is not None and type(run_id) is not str:
        run_id = opt_str(run_id, ctx, "$.uid")
    parent = None
    if name:
        details["name"] = name
        parent, found, job_run_id = name.rpartition("/jobRuns/")
        rollout = (_ROLLOUTS.get(parent) or _rollout(parent)) if found and job_run_id else None
        if rollout is None or "/" in job_run_id:
            ctx.report("invalid", "$.name", name, "not a JobRun name (projects/*/.../rollouts/*/jobRuns/*)")
            parent = None
            run_id = run_id or name
        else:
            details.update(rollout[0])  # a copy: the cached parts are shared by the rollout's JobRuns
            details["job_run"] = job_run_id
            run_id = run_id or job_run_id
    if not run_id:
        ctx.report("fail", "$.uid", get("uid"), "missing run id (expected JobRun.uid or a JobRun name)")
    return run_id, parent


_PROVIDER_STATES: Final = {
    (word, sub_key, cause): MappingProxyType(
        {
            "state": word,
            **({} if sub_key is None else {"jobRun": sub_key}),
            **({} if cause is None else {"failureCause": cause}),
        }
    )
    for word in KNOWN_JOB_RUN_STATES
    for sub_key in (None, *_SUB_TYPE_KEYS)
    for cause in (None, *(() if sub_key is None else SUB_TYPES[sub_key].causes[1:]))
}
"""The provider_state of every known combination, built once."""


def _provider_state(word: str, sub_key: str | None, cause: str | None) -> Mapping[str, str]:
    known = _PROVIDER_STATES.get((word, sub_key, cause))
    if known is not None:
        return known
    result = {"state": word} if word else {}
    if sub_key is not None:
        result["jobRun"] = sub_key
    if cause is not None:
        result["failureCause"] = cause
    return MappingProxyType(result) if result else EMPTY


def pages(item: Any) -> Iterable[Any] | None:
    """The JobRuns of a ``ListJobRuns`` page (REST dict, ``to_dict``'s spelling or a
    ``ListJobRunsResponse``), else ``None``.

    proto3 JSON omits an empty list and an empty token, so the REST page of no JobRuns is ``{}`` (or
    only ``nextPageToken`` / ``unreachable``): a mapping with no key but those is an empty page, and
    gives nothing. A single ``{}`` given to ``normalize`` is still refused: no JobRun is empty.
    """
    if type(item) is dict or isinstance(item, Mapping):  # a dict first: no ABC check per run
        if "name" in item or "state" in item:  # a JobRun (the usual item): no page has either
            return None
        runs = item.get("jobRuns", _ABSENT)
        if runs is _ABSENT:
            runs = item.get("job_runs", _ABSENT)
        if runs is _ABSENT:
            return () if _PAGE_KEYS.issuperset(item) else None
        return runs if isinstance(runs, list | tuple) else [runs]
    if type(item).__name__ == "ListJobRunsResponse":
        runs = getattr(item, "job_runs", None)
        if runs is not None:
            return list(runs)
    return None


_ABSENT: Final = object()
_PAGE_KEYS: Final = frozenset({"nextPageToken", "next_page_token", "unreachable"})
"""The keys of a ``ListJobRunsResponse`` besides its JobRuns, in both spellings."""


def retry_key(run: Run) -> str | None:
    """What the attempts of one Job share: its rollout (``parent_run_id``) and ``job_id`` (pipeline,
    phase and job); ``None`` without both (a JobRun whose ``name`` did not parse)."""
    if run.parent_run_id is None or run.job_id is None:
        return None
    return f"{run.parent_run_id}/jobs/{run.job_id}"


SPEC: Final = ProviderSpec(
    name="cloud_deploy",
    build=build,
    tables={"JobRun.State": JOB_RUN_STATE, **FAILURE_CAUSE_TABLES},
    known_values={"JobRun.State": KNOWN_JOB_RUN_STATES, **KNOWN_FAILURE_CAUSES},
    native_states=_native_states(),
    native_edges=NATIVE_EDGES,
    provenance=PROVENANCE,
    pages=pages,
    evidence=EVIDENCE,
    detect=detect,
    retry_key=retry_key,
    decision=decision,
)
