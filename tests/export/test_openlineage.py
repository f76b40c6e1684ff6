"""runstate.openlineage: every event of every fixture run against the RunEvent 2-0-2 schema, offline."""

from __future__ import annotations

import argparse
import contextlib
import functools
import io
import json
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, HTTPServer, ThreadingHTTPServer
from typing import Any, ClassVar
from uuid import UUID

import attrs
import jsonschema
import pytest
from hypothesis import assume, given, settings
from openlineage.client.event_v2 import RunEvent
from openlineage.client.uuid import generate_static_uuid
from referencing import Registry, Resource

from runstate import InvalidRecordError, Run, RunstateError, State, openlineage
from runstate._cli import app as _cli
from runstate._cli.export import add_export_arguments, run_export
from runstate._export.run_facts import outcome, walk

from ..export_support import FORMATS, IDS, ONLY_RUNS, SPECS, fixture
from ..paths import ROOT
from ..strategies import runs

PRODUCER = "https://github.com/runstate/runstate"
SPEC = SPECS / "openlineage"
RESOURCES = [Resource.from_contents(json.loads(p.read_text())) for p in sorted(SPEC.rglob("*.json"))]
REGISTRY: Registry[Any] = Registry().with_resources((r.id() or "", r) for r in RESOURCES)
RUN_EVENT = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent"
TERMINAL = {"COMPLETE", "FAIL", "ABORT"}


def _validate(instance: Any, ref: str) -> None:
    validator = jsonschema.Draft202012Validator({"$ref": ref}, registry=REGISTRY, format_checker=FORMATS)
    validator.validate(instance)


def _check_event(event: RunEvent) -> dict[str, Any]:
    assert isinstance(event, RunEvent)
    attrs.validate(event)  # the client's own validators (runId a UUID, eventTime ISO 8601, ...)
    data = openlineage.to_json(event)
    _validate(data, RUN_EVENT)
    for facets in (data["run"]["facets"], data["job"]["facets"]):
        for facet in facets.values():
            assert facet["_schemaURL"].split("#")[0] in {r.id() for r in RESOURCES}, facet["_schemaURL"]
            _validate(facet, facet["_schemaURL"])
    assert UUID(data["run"]["runId"]).version == 7
    return data


@pytest.mark.parametrize("run", ONLY_RUNS, ids=IDS)
def test_every_event_of_every_fixture_run_validates(run: Run) -> None:
    events = [_check_event(e) for e in openlineage.events(run, producer=PRODUCER)]
    by_run: dict[str, list[dict[str, Any]]] = {}
    for data in events:
        by_run.setdefault(data["run"]["runId"], []).append(data)
        assert data["job"]["facets"]["jobType"]["processingType"] == "BATCH"
        assert data["job"]["facets"]["jobType"]["integration"] == run.provider.upper()
        assert "raw" not in data["run"]["facets"]["runstate"]
    runs = {str(openlineage.run_uuid(r)): r for r, _ in walk(run)}
    for run_id, sequence in by_run.items():
        types = [d["eventType"] for d in sequence]
        assert types.count("START") <= 1
        assert [t for t in types if t in TERMINAL] == types[-1:] if types[-1] in TERMINAL else True
        assert sum(t in TERMINAL for t in types) <= 1
        assert [d["eventTime"] for d in sequence] == sorted(d["eventTime"] for d in sequence)
        me = runs.get(run_id)
        if me is not None and me.is_terminal and (row := outcome(me)) is not None:
            assert types[-1] == row.openlineage
        if "FAIL" in types:
            assert sequence[-1]["run"]["facets"]["errorMessage"]["message"]


def test_tasks_point_at_their_parent_and_end_before_it() -> None:
    run = fixture("databricks", "success_with_failures")
    events = [openlineage.to_json(e) for e in openlineage.events(run, producer=PRODUCER)]
    root_id = str(openlineage.run_uuid(run))
    assert events[0]["run"]["runId"] == root_id and events[-1]["run"]["runId"] == root_id
    assert events[-1]["eventType"] == "COMPLETE"  # partial success
    tasks = [e for e in events if e["run"]["runId"] != root_id]
    assert {e["run"]["facets"]["parent"]["run"]["runId"] for e in tasks} == {root_id}
    assert {e["job"]["name"] for e in tasks} == {f"{run.job_id}.{t.name}" for t in run.tasks}
    skipped = [e["eventType"] for e in tasks if e["job"]["name"].endswith("weekend_backfill")]
    assert skipped == ["START", "ABORT"]
    failed = [e for e in tasks if e["eventType"] == "FAIL"]
    assert [e["job"]["name"] for e in failed] == [f"{run.job_id}.enrich"]


@pytest.mark.parametrize(
    ("provider", "name", "expected"),
    [
        ("glue", "waiting_with_state_detail", ["OTHER"]),
        ("glue", "running", ["START", "RUNNING"]),  # LastModifiedOn after StartedOn: a later look
        ("glue", "timeout", ["START", "FAIL"]),
        ("glue", "expired", ["START", "FAIL"]),
        ("glue", "stopped", ["START", "ABORT"]),
        ("cloud_deploy", "deploy_succeeded", ["OTHER", "START", "COMPLETE"]),
        ("cloud_deploy", "state_unspecified", ["OTHER"]),
        ("databricks", "queued_with_queue_details", ["OTHER", "OTHER"]),
        ("glue_events", "succeeded", ["START", "COMPLETE"]),  # the event gives only the end
        ("glue_events", "timeout", ["START", "FAIL"]),
    ],
)
def test_documented_sequences(provider: str, name: str, expected: list[str]) -> None:
    run = fixture(provider, name)
    assert [e.eventType.value for e in openlineage.events(run, producer=PRODUCER) if e.eventType] == expected


def test_running_event_only_for_a_later_observation() -> None:
    run = fixture("glue", "running")
    assert run.started_at is not None and run.updated_at is not None and run.updated_at > run.started_at
    types = [e.eventType.value for e in openlineage.events(run, producer=PRODUCER) if e.eventType]
    assert types == ["START", "RUNNING"]
    unseen = attrs.evolve(run, updated_at=None)
    assert [e.eventType.value for e in openlineage.events(unseen, producer=PRODUCER) if e.eventType] == [
        "START"
    ]


def test_run_id_is_airflows_static_uuid_and_stable() -> None:
    run = fixture("databricks", "single_task_success")
    assert run.created_at is not None
    data = f"{run.namespace or 'databricks'}.databricks.{run.run_id}.0"
    expected = generate_static_uuid(run.created_at, data.encode())
    assert openlineage.run_uuid(run) == expected
    assert openlineage.run_uuid(run) == openlineage.run_uuid(attrs.evolve(run, state=State.RUNNING))
    assert openlineage.run_uuid(run) != openlineage.run_uuid(attrs.evolve(run, attempt=1))
    assert openlineage.run_uuid(run) != openlineage.run_uuid(attrs.evolve(run, namespace="databricks:42"))
    timeless = attrs.evolve(run, created_at=None, started_at=None, ended_at=None)
    assert openlineage.run_uuid(timeless) == openlineage.run_uuid(timeless)


def _ids_in_this_process() -> list[str]:
    return [str(openlineage.run_uuid(r)) for run in ONLY_RUNS for r, _ in walk(run)]


def test_ids_are_stable_across_processes() -> None:
    root = ROOT
    code = (
        "import json; from tests.export.test_openlineage import _ids_in_this_process; "
        "print(json.dumps(_ids_in_this_process()))"
    )
    env = {"PYTHONPATH": f"{root / 'src'}:{root}", "PYTHONHASHSEED": "random", "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=root, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == _ids_in_this_process()


def test_namespace_and_raw_only_when_asked() -> None:
    run = fixture("glue", "succeeded")
    default = openlineage.to_json(openlineage.events(run, producer=PRODUCER)[0])
    assert default["job"]["namespace"] == "glue"  # no namespace on the run: the provider's name
    own = attrs.evolve(run, namespace="aws:123456789012:eu-west-1")
    assert (
        openlineage.to_json(openlineage.events(own, producer=PRODUCER)[0])["job"]["namespace"]
        == own.namespace
    )
    given = openlineage.events(own, producer=PRODUCER, job_namespace="etl")
    assert openlineage.to_json(given[0])["job"]["namespace"] == "etl"
    with_raw = openlineage.to_json(openlineage.events(run, producer=PRODUCER, include_raw=True)[0])
    assert with_raw["run"]["facets"]["runstate"]["raw"] == json.loads(json.dumps(run.raw))  # Arguments too
    _validate(with_raw, RUN_EVENT)


def test_write_jsonl() -> None:
    out = io.StringIO()
    count = openlineage.write_jsonl(ONLY_RUNS[:5], out, producer=PRODUCER)
    lines = out.getvalue().splitlines()
    assert count == len(lines) > 0
    for line in lines:
        _validate(json.loads(line), RUN_EVENT)


class _Collect(BaseHTTPRequestHandler):
    received: ClassVar[list[tuple[str, Any]]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        type(self).received.append((self.path, json.loads(body)))
        self.send_response(200)
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:  # quiet  # noqa: A002, ARG002 - the signature of BaseHTTPRequestHandler.log_message
        return None


@pytest.fixture
def lineage_server() -> Iterator[tuple[str, list[tuple[str, Any]]]]:
    _Collect.received = []
    server = HTTPServer(("127.0.0.1", 0), _Collect)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", _Collect.received
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_emit_through_the_clients_http_transport(lineage_server: tuple[str, list[tuple[str, Any]]]) -> None:
    url, received = lineage_server
    run = fixture("databricks", "failed_with_termination_details")
    sent = openlineage.emit([run], url, producer=PRODUCER)
    expected = [openlineage.to_json(e) for e in openlineage.events(run, producer=PRODUCER)]
    assert sent == len(expected) == len(received)
    assert {path for path, _ in received} == {"/api/v1/lineage"}
    assert [body["run"]["runId"] for _, body in received] == [e["run"]["runId"] for e in expected]
    for _, body in received:
        _validate(body, RUN_EVENT)


class _Answer(BaseHTTPRequestHandler):
    """Answers every POST with ``status``, after ``delay`` seconds."""

    status: ClassVar[int] = 200
    delay: ClassVar[float] = 0.0

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        time.sleep(type(self).delay)
        if type(self).status == 0:  # hang up without an answer
            self.close_connection = True
            return
        try:
            self.send_response(type(self).status)
            self.end_headers()
        except OSError:  # the client gave up waiting
            return

    def log_message(self, format: str, *args: Any) -> None:  # quiet  # noqa: A002, ARG002 - the signature of BaseHTTPRequestHandler.log_message
        return None


@pytest.fixture
def answering_server() -> Iterator[tuple[str, type[_Answer]]]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Answer)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", _Answer
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
        _Answer.status, _Answer.delay = 200, 0.0


@pytest.mark.parametrize(
    ("status", "delay", "said"),
    [
        (404, 0.0, "server answered 404 Not Found"),
        (500, 0.0, "500 error"),
        (200, 2.0, "timed out"),
        (0, 0.0, "ConnectionError"),
    ],
)
def test_a_refused_or_slow_send_is_a_clear_error(
    answering_server: tuple[str, type[_Answer]], status: int, delay: float, said: str
) -> None:
    url, handler = answering_server
    handler.status, handler.delay = status, delay
    run = fixture("glue", "succeeded")
    with pytest.raises(openlineage.EmitError, match=r"event 1 .*; 0 sent before") as caught:
        openlineage.emit([run], url, producer=PRODUCER, timeout=0.5, retries=0)
    assert isinstance(caught.value, RunstateError)
    assert said in str(caught.value)
    assert (caught.value.url, caught.value.sent, caught.value.run_id) == (url, 0, run.run_id)


def test_an_unreachable_server_or_a_bad_url_is_a_clear_error() -> None:
    with socket.socket() as closed:  # a port nothing listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    run = fixture("glue", "succeeded")
    with pytest.raises(openlineage.EmitError, match="ConnectionError"):
        openlineage.emit([run], f"http://127.0.0.1:{port}", producer=PRODUCER, retries=0)
    with pytest.raises(InvalidRecordError, match="url"):
        openlineage.emit([run], "not a url", producer=PRODUCER)


def test_cli_export_to_an_endpoint(lineage_server: tuple[str, list[tuple[str, Any]]]) -> None:
    url, received = lineage_server
    parser = add_export_arguments(argparse.ArgumentParser())
    run = fixture("glue", "succeeded")
    out = io.StringIO()
    options = ["--to", "openlineage", "--job-namespace", "etl", "--producer", PRODUCER]
    args = parser.parse_args([*options, "--endpoint", url])
    assert run_export(args, [run], out) == len(received) == 2
    assert out.getvalue() == ""
    assert {body["job"]["namespace"] for _, body in received} == {"etl"}
    args = parser.parse_args(options)
    assert run_export(args, [run], out) == 2
    for _, body in received:
        body["run"]["facets"].pop("tags")  # the client adds its own version as a tag when it sends
    assert [json.loads(line) for line in out.getvalue().splitlines()] == [body for _, body in received]


@settings(max_examples=30)
@given(runs())
def test_every_run_gives_valid_events_with_stable_ids(run: Run) -> None:
    assume(all(r.run_id for r, _ in walk(run)))
    first = [_check_event(e) for e in openlineage.events(run, producer=PRODUCER, include_raw=True)]
    again = [openlineage.to_json(e) for e in openlineage.events(run, producer=PRODUCER, include_raw=True)]
    assert first == again
    assert {d["run"]["runId"] for d in first} <= set(_expected_ids(run, None))


def _expected_ids(run: Run, instant: datetime | None) -> Iterator[str]:
    """What docs/export.md says: a task without times takes its parent's instant."""
    yield str(openlineage.run_uuid(run, instant))
    for task in run.tasks:
        yield from _expected_ids(task, run.created_at or run.started_at or instant)


def test_a_missing_extra_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "openlineage.client.uuid", None)
    with pytest.raises(ImportError, match=r"pip install 'runstate\[openlineage\]'"):
        openlineage.events(fixture("glue", "succeeded"), producer=PRODUCER)


def test_a_naive_time_is_refused_not_read_as_local_time() -> None:
    run = fixture("glue", "succeeded")
    assert run.started_at is not None
    naive = attrs.evolve(run, started_at=run.started_at.replace(tzinfo=None))
    with pytest.raises(InvalidRecordError, match=r"run\.started_at: must be timezone-aware"):
        openlineage.events(naive, producer=PRODUCER)
    with pytest.raises(InvalidRecordError):
        openlineage.run_uuid(naive)


def test_a_lone_surrogate_in_a_run_id_gives_a_stable_distinct_id() -> None:
    run = fixture("glue", "succeeded")
    odd = attrs.evolve(run, run_id="jr_\udc80")
    made = [_check_event(e) for e in openlineage.events(odd, producer=PRODUCER)]
    assert openlineage.run_uuid(odd) == openlineage.run_uuid(odd) != openlineage.run_uuid(run)
    assert {d["run"]["runId"] for d in made} == {str(openlineage.run_uuid(odd))}


def test_a_time_before_1970_is_refused_not_wrapped() -> None:
    run = fixture("glue", "succeeded")
    early = attrs.evolve(run, started_at=datetime(1969, 7, 20, tzinfo=UTC))
    with pytest.raises(InvalidRecordError, match=r"run\.started_at: is before 1970-01-01"):
        openlineage.events(early, producer=PRODUCER)
    with pytest.raises(InvalidRecordError):
        openlineage.run_uuid(early)


def test_a_run_never_ends_before_it_starts() -> None:
    run = fixture("glue", "succeeded")
    assert run.started_at is not None and run.ended_at is not None
    skewed = attrs.evolve(run, ended_at=run.started_at - (run.ended_at - run.started_at))
    made = [openlineage.to_json(e) for e in openlineage.events(skewed, producer=PRODUCER)]
    assert made[-1]["eventType"] == "COMPLETE"
    times = [d["eventTime"] for d in made]
    assert times == sorted(times)


@pytest.mark.parametrize("run", ONLY_RUNS, ids=IDS)
def test_every_ended_run_has_one_start_before_its_one_final_event(run: Run) -> None:
    """RunEvent 2-0-2 ``eventType``: "It is required to issue 1 START event and 1 of [COMPLETE, ABORT,
    FAIL] event per run"."""
    by_run: dict[str, list[str]] = {}
    for data in (openlineage.to_json(e) for e in openlineage.events(run, producer=PRODUCER)):
        by_run.setdefault(data["run"]["runId"], []).append(data["eventType"])
    for types in by_run.values():
        if TERMINAL & set(types):
            assert types.count("START") == 1 and sum(t in TERMINAL for t in types) == 1, types
            assert types.index("START") < next(i for i, t in enumerate(types) if t in TERMINAL), types


@pytest.mark.parametrize("producer", ["", "not a uri", "example.com/exporter", "https://exa mple.com"])
def test_a_producer_the_schema_rejects_is_refused(producer: str) -> None:
    with pytest.raises(InvalidRecordError, match="producer"):
        openlineage.events(fixture("glue", "succeeded"), producer=producer)


_WRITE_EXAMPLE = """
import io, json, runstate
from importlib import resources
from runstate import openlineage
text = resources.files("runstate.examples").joinpath("databricks.jsonl").read_text()
runs = [runstate.normalize("databricks", json.loads(line)) for line in text.splitlines()[:4]]
out = io.StringIO()
openlineage.write_jsonl(runs, out, producer="https://example.com/p")
print(out.getvalue(), end="")
"""


def test_written_events_are_the_same_bytes_whatever_the_hash_seed() -> None:
    # the client builds the runstate facet's class from a frozenset of names, so its field order
    # follows the string hash seed; the writer sorts keys as the client's own Serde.to_json does
    import os

    src = str(ROOT / "src")
    outputs = {
        subprocess.run(
            [sys.executable, "-c", _WRITE_EXAMPLE],
            env={**os.environ, "PYTHONPATH": src, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2", "3", "4")
    }
    assert len(outputs) == 1 and outputs.pop().count("\n") >= 4


class _Moving(BaseHTTPRequestHandler):
    """Redirects a POST to the lineage path with ``status`` to ``target`` (a path here, or a URL), and
    takes what arrives anywhere else (method and path), so a followed redirect is seen."""

    status: ClassVar[int] = 307
    target: ClassVar[str] = "/moved/api/v1/lineage"
    arrived: ClassVar[list[tuple[str, str]]] = []

    def _arrive(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if self.path == "/api/v1/lineage":
            self.send_response(type(self).status)
            self.send_header("Location", type(self).target)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        type(self).arrived.append((self.command, self.path))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_POST(self) -> None:
        self._arrive()

    def do_GET(self) -> None:
        self._arrive()

    def log_message(self, format: str, *args: Any) -> None:  # quiet  # noqa: A002, ARG002 - the signature of BaseHTTPRequestHandler.log_message
        return None


@pytest.fixture
def moving_server() -> Iterator[tuple[str, type[_Moving]]]:
    _Moving.arrived = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Moving)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", _Moving
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
        _Moving.status, _Moving.target = 307, "/moved/api/v1/lineage"


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_redirect_to_another_origin_is_refused_and_nothing_reaches_it(
    moving_server: tuple[str, type[_Moving]],
    lineage_server: tuple[str, list[tuple[str, Any]]],
    status: int,
) -> None:
    url, handler = moving_server
    elsewhere, received = lineage_server
    handler.status, handler.target = status, f"{elsewhere}/api/v1/lineage"
    with pytest.raises(openlineage.EmitError, match=rf"redirected \({status}\) to {elsewhere}") as caught:
        openlineage.emit([fixture("glue", "succeeded")], url, producer=PRODUCER, retries=0, timeout=5)
    assert caught.value.sent == 0
    assert received == [] and handler.arrived == []


@pytest.mark.parametrize(
    "target", ["http://ops:s3/cr3t@127.0.0.1:1/", "http://127.0.0.1:port/", "/api/v1/lineage"]
)
def test_a_redirect_to_no_url_or_in_a_loop_is_an_emit_error(
    moving_server: tuple[str, type[_Moving]], target: str
) -> None:
    """A Location whose port cannot be read escaped as a bare ValueError; one pointing back at the
    endpoint loops until requests gives up, which is said as such, not as "server answered 307"."""
    url, handler = moving_server
    handler.target = target
    with pytest.raises(openlineage.EmitError) as caught:
        openlineage.emit([fixture("glue", "succeeded")], url, producer=PRODUCER, retries=0, timeout=5)
    assert caught.value.sent == 0 and handler.arrived == []
    assert "s3" not in str(caught.value)
    looping = target.startswith("/")
    assert ("redirected more than 30 times" in str(caught.value)) is looping
    assert ("not followed" in str(caught.value)) is not looping


@pytest.mark.parametrize("status", [301, 302, 303])
def test_a_redirect_that_would_turn_the_post_into_a_get_is_refused(
    moving_server: tuple[str, type[_Moving]], status: int
) -> None:
    url, handler = moving_server
    handler.status = status
    with pytest.raises(openlineage.EmitError, match=rf"redirected \({status}\)"):
        openlineage.emit([fixture("glue", "succeeded")], url, producer=PRODUCER, retries=0, timeout=5)
    assert handler.arrived == []


@pytest.mark.parametrize("status", [307, 308])
def test_a_same_origin_redirect_that_keeps_the_post_is_followed(
    moving_server: tuple[str, type[_Moving]], status: int
) -> None:
    url, handler = moving_server
    handler.status = status
    sent = openlineage.emit([fixture("glue", "succeeded")], url, producer=PRODUCER, retries=0, timeout=5)
    assert handler.arrived == [("POST", "/moved/api/v1/lineage")] * sent and sent == 2


class _EndlessBody(BaseHTTPRequestHandler):
    """Answers with a body announced as 1 GB, of which it sends one chunk and then nothing; the first
    POST is redirected (307, same origin) when ``redirect`` is set."""

    redirect: ClassVar[bool] = False

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        moving = type(self).redirect and not self.path.startswith("/moved")
        self.send_response(307 if moving else 200)
        if moving:
            self.send_header("Location", "/moved" + self.path)
        self.send_header("Content-Length", str(1 << 30))
        self.end_headers()
        self.wfile.write(b"x" * 65536)
        self.wfile.flush()
        self.connection.settimeout(10)
        with contextlib.suppress(OSError):
            self.connection.recv(1)  # until the client hangs up (bounded)
        self.close_connection = True

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002, ARG002 - the signature of BaseHTTPRequestHandler.log_message
        return None


@pytest.mark.parametrize("redirect", [False, True])
def test_a_body_that_never_ends_is_never_read(redirect: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    """The client reads only an answer's status: a server sending a huge body, or dripping it within
    each read's timeout, held the export for as long as it liked (and the body in memory)."""
    monkeypatch.setattr(_EndlessBody, "redirect", redirect)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _EndlessBody)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        sent = openlineage.emit([fixture("glue", "succeeded")], url, producer=PRODUCER, retries=0, timeout=1)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
    assert sent == 2


SECRET = "s3cr%C3%A9t"


def test_a_password_in_the_endpoint_is_never_shown(answering_server: tuple[str, type[_Answer]]) -> None:
    url, handler = answering_server
    handler.status = 500
    with_password = url.replace("http://", f"http://ops:{SECRET}@")
    with pytest.raises(openlineage.EmitError) as caught:
        openlineage.emit([fixture("glue", "succeeded")], with_password, producer=PRODUCER, retries=0)
    shown = " ".join([str(caught.value), repr(caught.value), repr(vars(caught.value))])
    assert caught.value.url == url.replace("http://", "http://ops:***@")
    assert "s3cr" not in shown
    with pytest.raises(InvalidRecordError) as refused:
        openlineage.emit([fixture("glue", "succeeded")], f"ops:{SECRET}@", producer=PRODUCER)
    assert "s3cr" not in f"{refused.value} {refused.value!r}"


@pytest.mark.parametrize("cut", ["/", "?", "#", "\\"])
def test_a_password_that_cuts_the_url_short_is_never_shown(cut: str) -> None:
    """An unencoded '/', '?', '#' or '\\' in a password ends the authority where a URL parser reads it
    (RFC 3986 3.2), so the URL is refused; neither the refusal nor its value quotes any of the password."""
    url = f"http://ops:s3cr{cut}et@127.0.0.1:9/"
    with pytest.raises(InvalidRecordError) as refused:
        openlineage.emit([fixture("glue", "succeeded")], url, producer=PRODUCER, retries=0)
    shown = f"{refused.value} {refused.value!r} {vars(refused.value)!r}"
    assert "s3cr" not in shown and "et@" not in shown
    assert "127.0.0.1:9" in shown


@pytest.mark.parametrize(("status", "delay"), [(500, 0.0), (400, 0.0), (200, 2.0), (0, 0.0)])
def test_cli_a_server_that_does_not_take_an_event_is_an_io_error(
    answering_server: tuple[str, type[_Answer]],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    status: int,
    delay: float,
) -> None:
    url, handler = answering_server
    handler.status, handler.delay = status, delay
    monkeypatch.setattr(openlineage, "emit", functools.partial(openlineage.emit, retries=0, timeout=0.5))
    with_password = url.replace("http://", f"http://ops:{SECRET}@")
    argv = ["export", "--to", "openlineage", "-p", "glue", "--example", "--endpoint", with_password]
    assert _cli.main(argv) == 3
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("runstate: openlineage: http://ops:***@127.0.0.1:")
    assert err.rstrip().endswith("; 0 sent before") and "s3cr" not in err


def test_cli_a_bad_endpoint_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["export", "--to", "openlineage", "-p", "glue", "--example", "--endpoint", f"ops:{SECRET}@x"]
    assert _cli.main(argv) == 2
    err = capsys.readouterr().err
    assert "--endpoint" in err and "s3cr" not in err


def test_cli_without_the_extra_is_a_usage_error_naming_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "openlineage.client.uuid", None)
    assert _cli.main(["export", "--to", "openlineage", "-p", "glue", "--example"]) == 2
    assert "pip install 'runstate[openlineage]'" in capsys.readouterr().err
