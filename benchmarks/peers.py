"""What a user would write instead of runstate: the peers the benchmark measures runstate against.

Each peer turns one JSON line of a provider into a small frozen record (:class:`PeerRun`, with its
tasks) carrying what a dashboard reads: ids, state, reason, start, end and total. They map the same
state words as runstate but skip its checks (types, ranges, consistency, warnings, ``raw``), so
they are a floor for "parse and map", not an equal: the README of the benchmarks says so.

- ``handwritten``: ``json.loads`` then one pass of ``dict.get`` into frozen attrs classes;
- ``pydantic``: pydantic v2 models, ``model_validate_json`` then the same mapping;
- ``msgspec``: msgspec Structs decoded from the bytes, then the same mapping.
"""

# ruff: noqa: N815  (the models mirror the providers' camelCase field names)

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs

__all__ = ["PEERS", "PeerRun"]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@attrs.frozen(slots=True)
class PeerRun:
    run_id: str
    job_id: str | None
    state: str
    reason: str | None
    started_at: datetime | None
    ended_at: datetime | None
    total: timedelta | None
    tasks: tuple["PeerRun", ...] = ()


# --- the state words, as a user would type them from the providers' docs ------------------------

_DBX_RESULT = {
    "SUCCESS": ("SUCCEEDED", None),
    "SUCCESS_WITH_FAILURES": ("SUCCEEDED", "PARTIAL_SUCCESS"),
    "FAILED": ("FAILED", "USER_ERROR"),
    "TIMEDOUT": ("TIMED_OUT", None),
    "CANCELED": ("CANCELED", None),
    "MAXIMUM_CONCURRENT_RUNS_REACHED": ("SKIPPED", "CONCURRENCY_LIMIT"),
    "EXCLUDED": ("SKIPPED", "EXCLUDED"),
    "UPSTREAM_FAILED": ("SKIPPED", "UPSTREAM_FAILED"),
    "UPSTREAM_CANCELED": ("SKIPPED", "UPSTREAM_CANCELED"),
    "DISABLED": ("SKIPPED", "DISABLED"),
}
_DBX_LIFE = {
    "QUEUED": "QUEUED",
    "PENDING": "PENDING",
    "RUNNING": "RUNNING",
    "TERMINATING": "TERMINATING",
    "BLOCKED": "BLOCKED",
    "WAITING_FOR_RETRY": "WAITING_FOR_RETRY",
    "SKIPPED": "SKIPPED",
    "INTERNAL_ERROR": "FAILED",
}
_GLUE = {
    "STARTING": ("PENDING", None),
    "WAITING": ("QUEUED", None),
    "RUNNING": ("RUNNING", None),
    "STOPPING": ("TERMINATING", None),
    "STOPPED": ("CANCELED", None),
    "SUCCEEDED": ("SUCCEEDED", None),
    "FAILED": ("FAILED", "USER_ERROR"),
    "ERROR": ("FAILED", "USER_ERROR"),
    "TIMEOUT": ("TIMED_OUT", None),
    "EXPIRED": ("FAILED", "EXPIRED"),
}
_DEPLOY = {
    "PENDING": ("PENDING", None),
    "IN_PROGRESS": ("RUNNING", None),
    "SUCCEEDED": ("SUCCEEDED", None),
    "FAILED": ("FAILED", "USER_ERROR"),
    "TERMINATING": ("TERMINATING", None),
    "TERMINATED": ("CANCELED", None),
}
_UNKNOWN = ("UNKNOWN", None)


def _ms(value: Any) -> datetime | None:
    return _EPOCH + timedelta(milliseconds=value) if value else None


def _s(value: Any) -> datetime | None:
    return _EPOCH + timedelta(seconds=value) if value else None


def _iso(value: str | None) -> datetime | None:
    if not value:
        return None
    head, _, frac = value.rstrip("Z").partition(".")
    return datetime.fromisoformat(f"{head}.{(frac + '000000')[:6]}+00:00")


def _span(start: datetime | None, end: datetime | None) -> timedelta | None:
    return end - start if start is not None and end is not None else None


def _dbx_state(life: str | None, result: str | None) -> tuple[str, str | None]:
    if result:
        return _DBX_RESULT.get(result, _UNKNOWN)
    return (_DBX_LIFE.get(life or "", "UNKNOWN"), None)


# --- hand-written: json.loads and one pass ------------------------------------------------------


def _dbx_dict(d: dict[str, Any]) -> PeerRun:
    st = d.get("state") or {}
    state, reason = _dbx_state(st.get("life_cycle_state"), st.get("result_state"))
    start, end = _ms(d.get("start_time")), _ms(d.get("end_time"))
    job = d.get("job_id")
    return PeerRun(
        str(d["run_id"]),
        None if job is None else str(job),
        state,
        reason,
        start,
        end,
        _span(start, end),
        tuple(_dbx_dict(t) for t in d.get("tasks") or ()),
    )


def _glue_dict(d: dict[str, Any]) -> PeerRun:
    state, reason = _GLUE.get(d.get("JobRunState") or "", _UNKNOWN)
    start, end = _s(d.get("StartedOn")), _s(d.get("CompletedOn"))
    return PeerRun(d["Id"], d.get("JobName"), state, reason, start, end, _span(start, end))


def _deploy_dict(d: dict[str, Any]) -> PeerRun:
    state, reason = _DEPLOY.get(d.get("state") or "", _UNKNOWN)
    start, end = _iso(d.get("startTime")), _iso(d.get("endTime"))
    job = f"{d.get('phaseId')}/{d.get('jobId')}"
    return PeerRun(d["uid"], job, state, reason, start, end, _span(start, end))


def handwritten(provider: str) -> Callable[[str | bytes], PeerRun]:
    mapping = {"databricks": _dbx_dict, "glue": _glue_dict, "cloud_deploy": _deploy_dict}[provider]
    loads = json.loads
    return lambda line: mapping(loads(line))


# --- pydantic v2 --------------------------------------------------------------------------------


def pydantic_peer(provider: str) -> Callable[[str | bytes], PeerRun]:
    import pydantic

    class DbxState(pydantic.BaseModel):
        life_cycle_state: str | None = None
        result_state: str | None = None

    class DbxTask(pydantic.BaseModel):
        run_id: int
        start_time: int | None = None
        end_time: int | None = None
        state: DbxState | None = None

    class DbxRun(DbxTask):
        job_id: int | None = None
        tasks: list[DbxTask] = []  # noqa: RUF012  (pydantic copies defaults)

    class GlueRun(pydantic.BaseModel):
        Id: str
        JobName: str | None = None
        JobRunState: str | None = None
        StartedOn: datetime | None = None
        CompletedOn: datetime | None = None

    class DeployRun(pydantic.BaseModel):
        uid: str
        phaseId: str | None = None
        jobId: str | None = None
        state: str | None = None
        startTime: datetime | None = None
        endTime: datetime | None = None

    def dbx(r: DbxTask, job: int | None, tasks: tuple[PeerRun, ...]) -> PeerRun:
        st = r.state or DbxState()
        state, reason = _dbx_state(st.life_cycle_state, st.result_state)
        start, end = _ms(r.start_time), _ms(r.end_time)
        job_id = None if job is None else str(job)
        return PeerRun(str(r.run_id), job_id, state, reason, start, end, _span(start, end), tasks)

    def run_dbx(line: str | bytes) -> PeerRun:
        r = DbxRun.model_validate_json(line)
        return dbx(r, r.job_id, tuple(dbx(t, None, ()) for t in r.tasks))

    def run_glue(line: str | bytes) -> PeerRun:
        r = GlueRun.model_validate_json(line)
        state, reason = _GLUE.get(r.JobRunState or "", _UNKNOWN)
        return PeerRun(
            r.Id, r.JobName, state, reason, r.StartedOn, r.CompletedOn, _span(r.StartedOn, r.CompletedOn)
        )

    def run_deploy(line: str | bytes) -> PeerRun:
        r = DeployRun.model_validate_json(line)
        state, reason = _DEPLOY.get(r.state or "", _UNKNOWN)
        job = f"{r.phaseId}/{r.jobId}"
        return PeerRun(r.uid, job, state, reason, r.startTime, r.endTime, _span(r.startTime, r.endTime))

    return {"databricks": run_dbx, "glue": run_glue, "cloud_deploy": run_deploy}[provider]


# --- msgspec ------------------------------------------------------------------------------------


def msgspec_peer(provider: str, decode_only: bool = False) -> Callable[[str | bytes], Any]:
    """The msgspec peer; with ``decode_only`` its typed decoder alone (the Structs, no mapping)."""
    import msgspec

    class DbxState(msgspec.Struct):
        life_cycle_state: str | None = None
        result_state: str | None = None

    class DbxTask(msgspec.Struct):
        run_id: int
        start_time: int | None = None
        end_time: int | None = None
        state: DbxState | None = None

    class DbxRun(msgspec.Struct):
        run_id: int
        job_id: int | None = None
        start_time: int | None = None
        end_time: int | None = None
        state: DbxState | None = None
        tasks: list[DbxTask] = []

    class GlueRun(msgspec.Struct):
        Id: str
        JobName: str | None = None
        JobRunState: str | None = None
        StartedOn: float | None = None
        CompletedOn: float | None = None

    class DeployRun(msgspec.Struct):
        uid: str
        phaseId: str | None = None
        jobId: str | None = None
        state: str | None = None
        startTime: datetime | None = None
        endTime: datetime | None = None

    def dbx(r: DbxTask | DbxRun, job: int | None, tasks: tuple[PeerRun, ...]) -> PeerRun:
        st = r.state or DbxState()
        state, reason = _dbx_state(st.life_cycle_state, st.result_state)
        start, end = _ms(r.start_time), _ms(r.end_time)
        job_id = None if job is None else str(job)
        return PeerRun(str(r.run_id), job_id, state, reason, start, end, _span(start, end), tasks)

    dbx_decode = msgspec.json.Decoder(DbxRun).decode
    glue_decode = msgspec.json.Decoder(GlueRun).decode
    deploy_decode = msgspec.json.Decoder(DeployRun).decode
    if decode_only:
        return {"databricks": dbx_decode, "glue": glue_decode, "cloud_deploy": deploy_decode}[provider]

    def run_dbx(line: str | bytes) -> PeerRun:
        r = dbx_decode(line)
        return dbx(r, r.job_id, tuple(dbx(t, None, ()) for t in r.tasks))

    def run_glue(line: str | bytes) -> PeerRun:
        r = glue_decode(line)
        state, reason = _GLUE.get(r.JobRunState or "", _UNKNOWN)
        start, end = _s(r.StartedOn), _s(r.CompletedOn)
        return PeerRun(r.Id, r.JobName, state, reason, start, end, _span(start, end))

    def run_deploy(line: str | bytes) -> PeerRun:
        r = deploy_decode(line)
        state, reason = _DEPLOY.get(r.state or "", _UNKNOWN)
        job = f"{r.phaseId}/{r.jobId}"
        return PeerRun(r.uid, job, state, reason, r.startTime, r.endTime, _span(r.startTime, r.endTime))

    return {"databricks": run_dbx, "glue": run_glue, "cloud_deploy": run_deploy}[provider]


PEERS: dict[str, Callable[[str], Callable[[str | bytes], PeerRun]]] = {
    "hand-written one pass into frozen attrs": handwritten,
    "pydantic v2 model_validate_json + mapping": pydantic_peer,
    "msgspec Structs + mapping": msgspec_peer,
}
"""Peer name to a factory that, given a provider, returns ``line -> PeerRun``."""
