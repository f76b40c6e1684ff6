"""How a Cloud Deploy record is read as a REST ``JobRun``, whatever spelling or object it comes in.

The REST API's JobRun (camelCase, enum names) is read as it is. ``JobRun.to_dict``'s proto field
names (``phase_id``, ``verify_job_run``, ``failure_cause``) are read as the REST names (the names
are data in :mod:`runstate._providers.cloud_deploy.fields`), and a report names the record's own key.
A proto-plus or raw protobuf ``JobRun`` is converted once to the REST shape (``google`` is never
imported for a dict). A ``ListJobRuns`` page is split by :func:`pages`; a page, a Rollout or another
message given as one JobRun is refused in both modes, since a Rollout's states number differently.

Why: docs/decisions.md, "The records the SDK writes" (``#cloud-deploy-shapes``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any, Final, Literal, NoReturn, overload

import attrs

from runstate.provider_kit import Context, InvalidRecordError, ReportKind

from .fields import PROTO_TO_REST, ROLLOUT_ONLY_KEYS, SUB_PROTO_TO_REST
from .names import rollout
from .tables import PROTO_SUB_TYPE_KEYS, SUB_TYPE_KEYS

__all__ = ["detect", "pages", "rest_job_run"]


JobRunShape = tuple[Mapping[str, Any], Mapping[str, Any], Context, str | None, Any, str | None]
"""What :func:`rest_job_run` gives: the record as given, as a REST JobRun, the context, the set
member of the ``job_run`` oneof (its key and value) and a second known member, if any."""


def rest_job_run(record: Any, ctx: Context) -> JobRunShape:
    """The record as given (an SDK object converted: the run's ``raw``), the same as a REST-spelled
    JobRun, the context its reports go to (naming the record's own keys where it spells them the
    proto way), and its sub-type; a page, a Rollout or another message refused."""
    given = record if type(record) is dict and "name" in record else _unwrap(record, ctx)
    job_run = given
    spelled: dict[str, str] | None = None  # the REST names the record spells the proto way
    if not _PROTO_KEYS.isdisjoint(given):
        spelled = {}
        job_run = _respelled(given, PROTO_TO_REST, spelled, "$", ctx)
    first = second = None  # the first two known members of the job_run oneof: a second is reported
    proto_sub = False
    for key in SUB_TYPE_KEYS:
        if key in job_run:
            if first is None:
                first = key
            elif second is None:
                second = key
            sub = job_run[key]
            if (type(sub) is dict or isinstance(sub, Mapping)) and not _SUB_PROTO_KEYS.isdisjoint(sub):
                proto_sub = True
    if proto_sub:
        spelled = {} if spelled is None else spelled
        job_run = _respell_sub_types(given, job_run, spelled, ctx)
    if spelled:
        ctx = _ProtoSpelledContext(ctx.provider, ctx.strict, spelled)
    if first is None:
        first = _unknown_sub_type(job_run)
        if first is None and not (job_run.get("phaseId") or job_run.get("jobId")):
            _refuse_a_rollout(job_run, ctx)
    return given, job_run, ctx, first, None if first is None else job_run[first], second


def _unknown_sub_type(job_run: Mapping[str, Any]) -> str | None:
    """A ``*JobRun`` key this version does not know (``analysisJobRun``): kept, it refines nothing."""
    for key in job_run:
        if type(key) is str and key.endswith("JobRun") and len(key) > 6:  # is_sub_type_key, inline
            return key
    return None


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
    as a SUCCEEDED JobRun), so it is refused in both modes. Asked only of a record with none of a
    JobRun's own fields (``phaseId``, ``jobId``, a ``*JobRun`` sub-type): it is a Rollout when it has a
    Rollout's name (``.../rollouts/{id}``) or a key only a Rollout has (``targetId``, ``phases``...).
    """
    name = job_run.get("name")
    rollout_name = type(name) is str and "/jobRuns/" not in name and rollout(name) is not None
    if rollout_name or not ROLLOUT_ONLY_KEYS.isdisjoint(job_run):
        ctx.report("fail", "$", name if rollout_name else sorted(map(str, job_run)), _ROLLOUT_HINT)


_ROLLOUT_HINT: Final = _MESSAGE_HINTS["google.cloud.deploy.v1.Rollout"]


# --- the proto spelling (JobRun.to_dict) ----------------------------------------------------------

_PROTO_KEYS: Final = frozenset(PROTO_TO_REST)
_SUB_PROTO_KEYS: Final = frozenset(SUB_PROTO_TO_REST)


def _respell_sub_types(
    given: Mapping[str, Any], job_run: Mapping[str, Any], spelled: dict[str, str], ctx: Context
) -> Mapping[str, Any]:
    """``job_run`` with the proto field names of its sub-types (``failure_cause``, ``failure_message``)
    read as the REST names, and the REST names so spelled added to ``spelled``."""
    result = job_run
    for key in SUB_TYPE_KEYS:
        sub = result.get(key)
        if isinstance(sub, Mapping) and not _SUB_PROTO_KEYS.isdisjoint(sub):
            result = dict(result) if result is given else result
            path = f"$.{spelled.get(key, key)}"
            result[key] = _respelled(sub, SUB_PROTO_TO_REST, spelled, path, ctx)  # type: ignore[index]
    return result


def _respelled(
    mapping: Mapping[str, Any], names: Mapping[str, str], spelled: dict[str, str], path: str, ctx: Context
) -> dict[str, Any]:
    """One level of a record in proto spelling, respelled. Both spellings of one field: the REST one
    is read, and a proto value that differs from it is reported (an error strictly, a warning leniently)."""
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
                return any(key in record for key in SUB_TYPE_KEYS)
            return "job_id" in record and any(key in record for key in PROTO_SUB_TYPE_KEYS)
        return type(record).__name__ in _PROTO_CLASSES and hasattr(type(record), "pb")
    except Exception:  # a hostile object: not ours
        return False


_PROTO_CLASSES: Final = frozenset({"JobRun", "ListJobRunsResponse"})


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
