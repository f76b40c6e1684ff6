"""What the exports share: a pipeline's name is unique within its namespace, as its job id is."""

from __future__ import annotations

from typing import Any

import attrs
from hypothesis import given
from hypothesis import strategies as st

import runstate
from runstate import Run, cdevents, otel
from runstate._export.run_facts import pipeline_name

_PIPELINE = "projects/shop-prod/locations/europe-west1/deliveryPipelines/{pipeline}"


def _deploy_job_run(pipeline: str, uid: str) -> dict[str, Any]:
    """A failed deploy JobRun (REST, camelCase) of ``pipeline``'s rollout, as ``GetJobRun`` gives it."""
    return {
        "name": _PIPELINE.format(pipeline=pipeline)
        + f"/releases/rel-1/rollouts/rel-1-to-prod-0001/jobRuns/{uid}",
        "uid": uid,
        "phaseId": "stable",
        "jobId": "deploy",
        "state": "FAILED",
        "createTime": "2026-03-01T10:00:00Z",
        "startTime": "2026-03-01T10:00:05Z",
        "endTime": "2026-03-01T10:04:05Z",
        "deployJobRun": {"failureCause": "EXECUTION_FAILED", "build": "projects/1/builds/b"},
    }


def _two_pipelines() -> list[Run]:
    return [
        runstate.normalize("cloud_deploy", _deploy_job_run(pipeline, uid), strict=True)
        for pipeline, uid in (("web", "6d0f3d4c"), ("api", "9a1b2c3d"))
    ]


def test_deploy_jobs_of_two_delivery_pipelines_have_two_pipeline_names() -> None:
    """Every delivery pipeline's rollout has a job ``deploy``: named by it alone, their metrics merge."""
    web, api = _two_pipelines()
    assert web.namespace == api.namespace and web.name == api.name == "deploy"
    assert (pipeline_name(web), pipeline_name(api)) == ("web/stable/deploy", "api/stable/deploy")


def test_every_export_names_the_two_pipelines_apart() -> None:
    runs = _two_pipelines()
    plans = [otel.plan(r) for r in runs]
    assert [p.attributes["cicd.pipeline.name"] for p in plans if p is not None] == [
        "web/stable/deploy",
        "api/stable/deploy",
    ]
    assert [p.name for p in plans if p is not None] == ["RUN web/stable/deploy", "RUN api/stable/deploy"]
    points = {a["cicd.pipeline.name"] for r in runs for _, a in otel.duration_points(r)}
    assert points == {"web/stable/deploy", "api/stable/deploy"}
    errors = {e["cicd.pipeline.name"] for r in runs for e in otel.error_points(r)}
    assert errors == points
    names = {
        e["subject"]["content"]["pipelineName"]
        for r in runs
        for e in cdevents.events(r, source="https://example.com/exporter")
        if "pipelineName" in e["subject"]["content"]
    }
    assert names == points


def test_a_name_two_jobs_share_is_qualified_by_the_job_id() -> None:
    """Databricks job names need not be unique in a workspace: the job id tells them apart."""
    record = {
        "run_id": 11,
        "job_id": 640288719013557,
        "run_name": "orders_extract_load",
        "state": {"life_cycle_state": "TERMINATED", "result_state": "SUCCESS"},
        "start_time": 1_780_892_100_250,
        "end_time": 1_780_899_300_250,
    }
    first = runstate.normalize("databricks", record, strict=True)
    second = runstate.normalize("databricks", {**record, "run_id": 12, "job_id": 71}, strict=True)
    assert pipeline_name(first) == "orders_extract_load (640288719013557)"
    assert pipeline_name(second) == "orders_extract_load (71)"


def test_a_name_that_is_the_job_id_is_not_repeated() -> None:
    run = runstate.normalize(
        "glue", {"Id": "jr_1", "JobName": "nightly_etl", "JobRunState": "SUCCEEDED"}, strict=True
    )
    assert pipeline_name(run) == "nightly_etl"
    assert pipeline_name(attrs.evolve(run, job_id=None)) == "nightly_etl"
    assert pipeline_name(attrs.evolve(run, job_id=None, name=None)) == "jr_1"
    assert pipeline_name(attrs.evolve(run, name=None)) == "nightly_etl"


_ID = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789/_-.", min_size=1, max_size=12)


@given(
    jobs=st.lists(
        st.tuples(_ID, st.none() | st.sampled_from(["deploy", "etl"]) | st.text(max_size=12)),
        min_size=2,
        max_size=6,
        unique_by=lambda j: j[0],
    )
)
def test_distinct_job_ids_give_distinct_pipeline_names(jobs: list[tuple[str, str | None]]) -> None:
    """Within one namespace a job id names one job; whatever the jobs' names, their pipeline names
    differ (ids as providers spell them: no spaces or parentheses)."""
    base = runstate.normalize("glue", {"Id": "jr_1", "JobName": "x", "JobRunState": "SUCCEEDED"})
    names = [pipeline_name(attrs.evolve(base, job_id=job, name=name)) for job, name in jobs]
    assert len(set(names)) == len(names)


def test_an_empty_job_id_names_the_pipeline_as_a_missing_one_does() -> None:
    """An empty ``cicd.pipeline.name`` identifies no pipeline: the name, else the run id, stands in."""
    bare = Run(provider="databricks", run_id="0", state=runstate.State.SUCCEEDED, job_id="")
    assert pipeline_name(bare) == "0"
    assert pipeline_name(attrs.evolve(bare, name="nightly")) == "nightly"
