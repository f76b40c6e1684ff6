"""runstate.cdevents: every event of every fixture run against the CDEvents v0.5.1 schemas, offline."""

from __future__ import annotations

import argparse
import io
import json
import re
import subprocess
import sys
from datetime import UTC, datetime
from typing import Any

import attrs
import jsonschema
import pytest
from hypothesis import assume, given, settings
from referencing import Registry, Resource

from runstate import InvalidRecordError, Run, State, cdevents
from runstate._cli.export import ExportUsageError, add_export_arguments, run_export
from runstate._export.run_facts import OUTCOMES, outcome, walk

from ..export_support import FORMATS, IDS, ONLY_RUNS, SPECS, fixture
from ..paths import ROOT
from ..strategies import runs

SOURCE = "/runstate/export"
SPEC = SPECS / "cdevents"
SCHEMAS = {p.stem: json.loads(p.read_text()) for p in sorted(SPEC.rglob("*.json"))}
RESOURCES = [Resource.from_contents(s) for s in SCHEMAS.values()]
REGISTRY: Registry[Any] = Registry().with_resources((r.id() or "", r) for r in RESOURCES)
BY_TYPE = {
    s["properties"]["context"]["properties"]["type"]["enum"][0]: s
    for s in SCHEMAS.values()
    if "context" in s.get("properties", {})
}


def _validate(event: dict[str, Any]) -> None:
    schema = BY_TYPE[event["context"]["type"]]
    jsonschema.Draft202012Validator(schema, registry=REGISTRY, format_checker=FORMATS).validate(event)


@pytest.mark.parametrize("run", ONLY_RUNS, ids=IDS)
def test_every_event_of_every_fixture_run_validates(run: Run) -> None:
    events = cdevents.events(run, source=SOURCE)
    for event in events:
        _validate(event)
        assert event["customData"]["state"] in State.__members__
        assert "raw" not in event["customData"]
    assert len({e["context"]["id"] for e in events}) == len(events), "every event has its own id"
    kinds = [e["context"]["type"].split(".")[2:4] for e in events if e["subject"]["id"] == run.run_id]
    finished = [e for e in events if e["context"]["type"] == cdevents.EVENT_TYPES["pipelinerun.finished"]]
    row = outcome(run)
    if row is None:
        assert finished == []
    else:
        assert [e["subject"]["content"]["outcome"] for e in finished] == [row.cdevents]
        assert events[-1] is finished[0]
    if run.state is State.SKIPPED:
        assert ["pipelinerun", "started"] not in kinds
    for task, parent in walk(run):
        if parent is None:
            continue
        mine = [e for e in events if e["subject"]["id"] == task.run_id]
        assert {e["subject"]["content"]["pipelineRun"]["id"] for e in mine} <= {run.run_id}
        if (task_row := outcome(task)) is not None and mine:
            assert mine[-1]["subject"]["content"]["outcome"] == task_row.cdevents


def test_outcomes_are_the_schemas_enum() -> None:
    allowed = set(
        SCHEMAS["pipelinerunfinished"]["properties"]["subject"]["properties"]["content"]["properties"][
            "outcome"
        ]["enum"]
    )
    assert {row.cdevents for row in OUTCOMES} <= allowed
    terminal = {s for s in State if s.is_terminal}
    assert {row.state for row in OUTCOMES if row.reason is None} == terminal, "every terminal state has a row"


def test_failed_multitask_run() -> None:
    run = fixture("databricks", "failed_with_termination_details")
    events = cdevents.events(run, source=SOURCE)
    kinds = [e["context"]["type"].removeprefix("dev.cdevents.").removesuffix(".0.3.0") for e in events]
    assert kinds == [
        "pipelinerun.queued", "pipelinerun.started",
        "taskrun.started", "taskrun.finished",  # extract failed
        "taskrun.finished",  # load was skipped: it never started
        "pipelinerun.finished",
    ]  # fmt: skip
    assert [e["subject"]["content"].get("outcome") for e in events[3:]] == ["failure", "cancel", "failure"]
    assert events[-1]["subject"]["content"]["errors"]
    assert events[-1]["customData"]["reason"] == "USER_ERROR"
    assert events[-1]["subject"]["content"]["uri"].startswith("https://")


@pytest.mark.parametrize(
    ("provider", "name", "expected"),
    [
        ("glue", "timeout", "failure"),
        ("glue", "expired", "failure"),
        ("glue", "stopped", "cancel"),
        ("databricks", "failed_cloud_failure", "error"),
        ("databricks", "success_with_failures", "success"),
        ("cloud_deploy", "terminated", "cancel"),
    ],
)
def test_documented_outcomes(provider: str, name: str, expected: str) -> None:
    events = cdevents.events(fixture(provider, name), source=SOURCE)
    assert events[-1]["subject"]["content"]["outcome"] == expected


def test_waiting_run_is_only_queued() -> None:
    events = cdevents.events(fixture("glue", "waiting_with_state_detail"), source=SOURCE)
    assert [e["context"]["type"] for e in events] == [cdevents.EVENT_TYPES["pipelinerun.queued"]]


def test_raw_only_when_asked() -> None:
    run = fixture("glue", "succeeded")
    events = cdevents.events(run, source=SOURCE, include_raw=True)
    assert events[0]["customData"]["raw"] == json.loads(json.dumps(run.raw))
    _validate(events[0])


def _ids() -> list[str]:
    return [e["context"]["id"] for run in ONLY_RUNS for e in cdevents.events(run, source=SOURCE)]


def test_ids_are_stable_across_calls_and_processes() -> None:
    assert _ids() == _ids()
    root = ROOT
    code = "import json; from tests.export.test_cdevents import _ids; print(json.dumps(_ids()))"
    env = {"PYTHONPATH": f"{root / 'src'}:{root}", "PYTHONHASHSEED": "random", "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=root, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == _ids()
    run = fixture("glue", "succeeded")
    assert cdevents.events(run, source=SOURCE) != cdevents.events(attrs.evolve(run, attempt=1), source=SOURCE)


def test_write_jsonl() -> None:
    out = io.StringIO()
    count = cdevents.write_jsonl(ONLY_RUNS, out, source=SOURCE)
    lines = out.getvalue().splitlines()
    assert count == len(lines) > len(ONLY_RUNS)
    for line in lines:
        _validate(json.loads(line))


def _export_args(*argv: str) -> argparse.Namespace:
    return add_export_arguments(argparse.ArgumentParser()).parse_args(list(argv))


def test_cli_export_writes_cdevents_json_lines() -> None:
    out = io.StringIO()
    count = run_export(_export_args("--to", "cdevents", "--source", SOURCE), ONLY_RUNS[:3], out)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert count == len(lines) > 0
    for event in lines:
        _validate(event)
        assert event["context"]["source"] == SOURCE
    with pytest.raises(ExportUsageError, match="--endpoint"):
        run_export(_export_args("--to", "cdevents", "--endpoint", "http://127.0.0.1:9"), ONLY_RUNS, out)


@settings(max_examples=50)
@given(runs())
def test_every_run_gives_valid_events(run: Run) -> None:
    assume(all(r.run_id for r, _ in walk(run)) and not any("run_page_url" in r.details for r, _ in walk(run)))
    ids = [(r.namespace, r.run_id) for r, _ in walk(run)]
    assume(len(set(ids)) == len(ids))  # run ids are unique within a namespace (the event ids follow them)
    events = cdevents.events(run, source=SOURCE, include_raw=True)
    for event in events:
        _validate(event)
    assert events == cdevents.events(run, source=SOURCE, include_raw=True)
    assert len({e["context"]["id"] for e in events}) == len(events)


def test_a_naive_time_is_refused_not_guessed() -> None:
    run = fixture("databricks", "failed_with_termination_details")
    ended = run.tasks[0].ended_at
    assert ended is not None
    task = attrs.evolve(run.tasks[0], ended_at=ended.replace(tzinfo=None))
    naive = attrs.evolve(run, tasks=(task, *run.tasks[1:]))
    with pytest.raises(InvalidRecordError, match=r"run\.tasks\[0\]\.ended_at: must be timezone-aware"):
        cdevents.events(naive, source=SOURCE)


def test_a_lone_surrogate_in_a_run_id_gives_valid_distinct_ids() -> None:
    run = fixture("glue", "succeeded")
    odd = attrs.evolve(run, run_id="jr_\udc80", namespace="ns \udcff")
    events = cdevents.events(odd, source=SOURCE)
    for event in events:
        _validate(json.loads(json.dumps(event)))
    assert events[1]["subject"]["content"]["uri"] == "urn:runstate:ns%20%ED%B3%BF:glue:jr_%ED%B2%80"
    plain = cdevents.events(run, source=SOURCE)
    assert {e["context"]["id"] for e in events}.isdisjoint(e["context"]["id"] for e in plain)


_URI_REFERENCE = re.compile(r"(?:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})+")
"""RFC 3986 ``URI-reference``, as far as its characters go (jsonschema checks the format only with
optional packages the tests do not need)."""


@pytest.mark.parametrize(
    ("namespace", "source"),
    [
        ("aws:123456789012:eu-west-1", "aws:123456789012:eu-west-1"),
        ("my workspace", "my%20workspace"),
        ("gcp:münchen:50%", "gcp:m%C3%BCnchen:50%25"),
    ],
)
def test_subject_source_is_a_uri_reference(namespace: str, source: str) -> None:
    run = fixture("databricks", "failed_with_termination_details")
    tasks = tuple(attrs.evolve(t, namespace=namespace) for t in run.tasks)
    run = attrs.evolve(run, namespace=namespace, tasks=tasks)
    events = cdevents.events(run, source=SOURCE)
    sources = {e["subject"]["source"] for e in events}
    sources |= {
        e["subject"]["content"]["pipelineRun"]["source"] for e in events if "taskrun" in e["context"]["type"]
    }
    assert sources == {source}
    assert _URI_REFERENCE.fullmatch(source)


def test_a_run_ended_without_starting_has_no_started_event() -> None:
    at = datetime(2026, 1, 1, tzinfo=UTC)
    queued = Run(provider="glue", run_id="jr_1", state=State.CANCELED, created_at=at, ended_at=at)
    types = [e["context"]["type"].split(".")[3] for e in cdevents.events(queued, source=SOURCE)]
    assert types == ["queued", "finished"], "stopped in the queue: it never started"
    running = Run(provider="glue", run_id="jr_1", state=State.RUNNING, created_at=at)
    types = [e["context"]["type"].split(".")[3] for e in cdevents.events(running, source=SOURCE)]
    assert types == ["queued", "started"], "a run going has started, by its creation at the latest"


def test_a_run_never_finishes_before_it_starts() -> None:
    run = fixture("glue", "succeeded")
    assert run.started_at is not None and run.ended_at is not None
    skewed = attrs.evolve(run, ended_at=run.started_at - (run.ended_at - run.started_at))
    times = [e["context"]["timestamp"] for e in cdevents.events(skewed, source=SOURCE)]
    assert times == sorted(times)


@pytest.mark.parametrize("source", ["", "my exporter", "ünï"])
def test_a_source_the_schema_rejects_is_refused(source: str) -> None:
    with pytest.raises(InvalidRecordError, match="source"):
        cdevents.events(fixture("glue", "succeeded"), source=source)
