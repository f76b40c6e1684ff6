"""Who a Cloud Deploy JobRun is: its resource name read into ids, namespace, rollout and job.

A JobRun's ``name`` is ``projects/{project}/locations/{location}/deliveryPipelines/{pipeline}/
releases/{release}/rollouts/{rollout}/jobRuns/{jobRun}``. ``run_id`` is ``uid``, or the name's last
segment when ``uid`` is empty (neither: refused in both modes, as two such runs cannot be told apart);
``namespace`` is ``gcp:<project>:<location>``; ``parent_run_id`` is the rollout's name (a JobRun is one
task of a rollout); ``job_id`` is ``{pipeline}/{phaseId}/{jobId}``, so the same job of two pipelines
does not merge. A retried job makes a new JobRun of the same rollout, phase and job, which
:func:`retry_key` groups as the attempts of one logical run.

Why: docs/decisions.md, "Google Cloud Deploy" (``#cloud-deploy``, "A retried job is one logical run").
"""

from __future__ import annotations

from typing import Final

from runstate.provider_kit import Context, Run, opt_str

__all__ = ["Rollout", "job_id", "read_identity", "retry_key", "rollout"]

Rollout = tuple[dict[str, str], str, tuple[str, str, str, str, str]]
"""A parsed rollout name: its parts by ``details`` key, the namespace, and the five ids alone."""

_NAME_KEYWORDS: Final = ["projects", "locations", "deliveryPipelines", "releases", "rollouts"]
_NAME_PARTS: Final = ("project", "location", "delivery_pipeline", "release", "rollout")
_ROLLOUTS: dict[str, Rollout] = {}
"""Parsed rollout names: the JobRuns of a rollout share one."""
_MAX_ROLLOUTS: Final = 4096


def rollout(parent: str) -> Rollout | None:
    """project, location, delivery pipeline, release and rollout ids of a rollout name, with the
    namespace ``gcp:<project>:<location>``; ``None`` if it is not a rollout name."""
    parsed = _ROLLOUTS.get(parent)
    if parsed is not None:
        return parsed
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


Identity = tuple[str, str | None, str | None, Rollout | None, str | None]
"""(run id, parent rollout name, the JobRun's name, its parsed rollout, the JobRun's own id)."""


def read_identity(name: object, uid: object, ctx: Context) -> Identity:
    """The run id and where the JobRun lives, from ``name`` and ``uid``; a name that is not a JobRun's
    is reported (the run keeps it, without a parent), and a record with no id is refused."""
    text = name if type(name) is str else opt_str(name, ctx, "$.name")  # odd values: the reporting reader
    run_id = uid if type(uid) is str else opt_str(uid, ctx, "$.uid")
    parent = parsed = job_run_id = None
    if text:
        parent, found, job_run_id = text.rpartition("/jobRuns/")
        parsed = (_ROLLOUTS.get(parent) or rollout(parent)) if found and job_run_id else None
        if parsed is None or "/" in job_run_id:
            ctx.report("invalid", "$.name", text, "not a JobRun name (projects/*/.../rollouts/*/jobRuns/*)")
            parent = job_run_id = parsed = None
            run_id = run_id or text
        else:
            run_id = run_id or job_run_id
    if not run_id:
        ctx.report("fail", "$.uid", uid, "missing run id (expected JobRun.uid or a JobRun name)")
    return run_id, parent, text, parsed, job_run_id


def job_id(pipeline: str | None, phase_id: str | None, job: str | None) -> str | None:
    """``{deliveryPipeline}/{phaseId}/{jobId}``: the same job of two pipelines must not merge."""
    within = f"{phase_id}/{job}" if phase_id and job else job
    return f"{pipeline}/{within}" if pipeline and within else within


def retry_key(run: Run) -> str | None:
    """What the attempts of one Job share: its rollout (``parent_run_id``) and ``job_id`` (pipeline,
    phase and job); ``None`` without both (a JobRun whose ``name`` did not parse)."""
    if run.parent_run_id is None or run.job_id is None:
        return None
    return f"{run.parent_run_id}/jobs/{run.job_id}"
