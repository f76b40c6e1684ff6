"""Google Cloud Deploy job runs (``JobRun``) read into canonical runs: the provider's one reader.

:func:`build` reads each field of a JobRun once: the common plain value (a known state word, a
string, a UTC RFC 3339 time) is converted inline and anything else goes to the kit's reporting
readers, so the same path reads and reports odd values (an error strictly, UNKNOWN or a missing
value and a warning leniently). The record's shape (REST JSON, ``JobRun.to_dict``'s spelling, SDK
objects) is :mod:`~runstate._providers.cloud_deploy.shapes`; the tables are
:mod:`~runstate._providers.cloud_deploy.tables`; the state words
:mod:`~runstate._providers.cloud_deploy.states`; ids :mod:`~runstate._providers.cloud_deploy.names`;
times :mod:`~runstate._providers.cloud_deploy.durations`. :data:`SPEC` registers the provider.

Why each field maps as it does: docs/decisions.md, "Google Cloud Deploy" (``#cloud-deploy``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from runstate.provider_kit import (
    Context,
    Outcome,
    ProviderSpec,
    Run,
    StateWords,
    freeze_details,
    make_run,
    opt_mapping,
    opt_str,
)

from .decision import decision
from .durations import read_times
from .names import Rollout, job_id, read_identity, retry_key
from .shapes import detect, pages, rest_job_run
from .states import (
    CAUSE_UNSPECIFIED,
    PLAIN_STATES,
    PROVIDER_STATES,
    STATE_WORDS,
    provider_state,
    read_cause,
    read_state,
    state_of_words,
)
from .tables import (
    CAUSE_REFINES,
    EVIDENCE,
    FAILURE_CAUSE_TABLES,
    JOB_RUN_STATE,
    KNOWN_FAILURE_CAUSES,
    KNOWN_JOB_RUN_STATES,
    LINK_DETAIL,
    NATIVE_EDGES,
    PROVENANCE,
    SUB_TYPES,
    native_states,
)

__all__ = ["SPEC", "build"]


def build(record: Any, ctx: Context, keep_raw: bool) -> Run:
    """One Cloud Deploy ``JobRun`` (REST dict, ``to_dict``'s dict, proto-plus or protobuf object) to a
    canonical run, each field read once and reported where it is odd."""
    given, job_run, ctx, sub_key, sub, second = rest_job_run(record, ctx)
    get = job_run.get
    word: Any = get("state")
    outcome = PLAIN_STATES.get(word) if type(word) is str else None
    if outcome is None:
        outcome, word = read_state(word, ctx)
    if second is not None:
        ctx.report("invalid", "$", f"{sub_key}, {second}", "more than one job_run sub-type")
    sub_key, link_key, link, cause, message, outcome = _read_sub_type(sub_key, sub, outcome, ctx)
    run_id, parent, name, rollout, job_run_id = read_identity(get("name"), get("uid"), ctx)
    phase_id, job, etag = get("phaseId"), get("jobId"), get("etag")
    if type(phase_id) is not str or type(job) is not str or type(etag) is not str:
        phase_id, job, etag = _phase_job_etag(phase_id, job, etag, ctx)  # absent, or odd: reported
    created, started, ended, spans = read_times(
        get("createTime"), get("startTime"), get("endTime"), word, ctx
    )
    return make_run(
        "cloud_deploy",
        run_id,
        namespace=None if rollout is None else rollout[1],
        job_id=(
            f"{rollout[2][2]}/{phase_id}/{job}"  # the common case of job_id(), inline
            if rollout is not None and phase_id and job
            else job_id(None if rollout is None else rollout[2][2], phase_id, job or None)
        ),
        name=job or None,
        state=outcome.state,
        reason=outcome.reason,
        provider_state=PROVIDER_STATES.get((word, sub_key, cause)) or provider_state(word, sub_key, cause),
        message=message or None,
        parent_run_id=parent,
        created_at=created,
        started_at=started,
        ended_at=ended,
        durations=spans,
        details=freeze_details(_details(sub_key, link_key, link, name, rollout, job_run_id, etag)),
        raw=given if keep_raw else None,
    )


def _phase_job_etag(phase_id: object, job: object, etag: object, ctx: Context) -> tuple[str | None, ...]:
    """``phaseId``, ``jobId`` and ``etag`` through the reporting reader: absent, or not a string."""
    return opt_str(phase_id, ctx, "$.phaseId"), opt_str(job, ctx, "$.jobId"), opt_str(etag, ctx, "$.etag")


_SubTypeRead = tuple[str | None, str | None, str | None, str | None, str | None, Outcome]
"""(sub-type key, its link's ``details`` key, the link, the failure cause kept, the message, outcome)."""


def _read_sub_type(sub_key: str | None, sub: Any, outcome: Outcome, ctx: Context) -> _SubTypeRead:
    """The set ``job_run`` oneof member: its cause refines FAILED, its message is the run's, its build
    or child rollout goes to ``details``; one this version does not know is kept and refines nothing."""
    if type(sub) is not dict:
        sub = None if sub_key is None else opt_mapping(sub, ctx, f"$.{sub_key}")
    if not sub:
        return sub_key, None, None, None, None, outcome
    message = sub.get("failureMessage")
    if message is not None and type(message) is not str:
        message = opt_str(message, ctx, f"$.{sub_key}.failureMessage")
    info = _SUB_TYPES.get(sub_key)  # type: ignore[arg-type]  # a set sub-type has a key
    cause = sub.get("failureCause")
    if cause is not None:
        table = None if info is None or type(cause) is not str else info.table
        refined = None if table is None else table.get(cause)
        if refined is not None and cause != CAUSE_UNSPECIFIED and outcome.state is CAUSE_REFINES:
            outcome = refined  # a plain cause of a FAILED run: what read_cause gives, read inline
        else:
            cause, outcome = read_cause(cause, info, outcome, ctx)
    if info is None:
        if message is None and sub_key == "analysisJobRun":
            message = _analysis_message(sub)
        return sub_key, None, None, cause, message, outcome
    link = sub.get(info.link)
    if link is not None and type(link) is not str:
        link = opt_str(link, ctx, f"$.{sub_key}.{info.link}")
    return sub_key, _LINK_DETAIL[info.link] if link else None, link, cause, message, outcome


_SUB_TYPES: Final = dict(SUB_TYPES)  # a dict: a mapping proxy's lookup costs twice as much
_LINK_DETAIL: Final = dict(LINK_DETAIL)


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


def _details(
    sub_key: str | None,
    link_key: str | None,
    link: str | None,
    name: str | None,
    rollout: Rollout | None,
    job_run_id: str | None,
    etag: str | None,
) -> dict[str, Any]:
    """The run's ``details``: the sub-type and its link, the JobRun's name and its parts, ``etag``."""
    if rollout is not None and link_key is not None and etag:  # the common shape, in one display
        return {
            "sub_type": sub_key,
            link_key: link,
            "name": name,
            **rollout[0],
            "job_run": job_run_id,
            "etag": etag,
        }
    details: dict[str, Any] = {} if sub_key is None else {"sub_type": sub_key}
    if link_key is not None:
        details[link_key] = link
    if name:
        details["name"] = name
    if rollout is not None:
        details.update(rollout[0])
        details["job_run"] = job_run_id
    if etag:
        details["etag"] = etag
    return details


SPEC: Final = ProviderSpec(
    name="cloud_deploy",
    build=build,
    tables={"JobRun.State": JOB_RUN_STATE, **FAILURE_CAUSE_TABLES},
    known_values={"JobRun.State": KNOWN_JOB_RUN_STATES, **KNOWN_FAILURE_CAUSES},
    native_states=native_states(),
    native_edges=NATIVE_EDGES,
    provenance=PROVENANCE,
    pages=pages,
    evidence=EVIDENCE,
    detect=detect,
    retry_key=retry_key,
    decision=decision,
    state_words=StateWords(STATE_WORDS, state_of_words),
)
"""The provider ``cloud_deploy``: its tables, evidence, native graph, reader, page splitter and the
decision its SQL is emitted from."""
