"""A run as CDEvents (spec v0.5.1): ``pipelinerun.queued/started/finished`` and ``taskrun.started/finished``.

Plain dicts, no extra needed. Outcomes come from :data:`runstate._export.run_facts.OUTCOMES` (shown in
docs/export.md); runstate's own state and reason travel in ``customData``.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterable
from datetime import datetime
from types import MappingProxyType
from typing import IO, Any, Final
from urllib.parse import quote

from ._core.model import Run
from ._core.vocabulary import Phase, State
from ._export.run_facts import (
    OUTCOMES,
    first_time,
    identity_bytes,
    iso,
    namespace_of,
    outcome,
    pipeline_name,
    require_aware,
    require_uri,
    run_url,
    runstate_data,
)

__all__ = [
    "EVENT_TYPES",
    "OUTCOMES",
    "SPEC_VERSION",
    "URI_SAFE",
    "events",
    "run_urn",
    "source_of",
    "write_jsonl",
]

SPEC_VERSION: Final = "0.5.1"
EVENT_TYPES: Final = MappingProxyType(
    {
        "pipelinerun.queued": "dev.cdevents.pipelinerun.queued.0.3.0",
        "pipelinerun.started": "dev.cdevents.pipelinerun.started.0.3.0",
        "pipelinerun.finished": "dev.cdevents.pipelinerun.finished.0.3.0",
        "taskrun.started": "dev.cdevents.taskrun.started.0.3.0",
        "taskrun.finished": "dev.cdevents.taskrun.finished.0.3.0",
    }
)
"""The event types of spec v0.5.1 (each schema's ``context.type`` enum)."""

_ERROR_OUTCOMES: Final = frozenset({"failure", "error"})


def _event_id(run: Run, kind: str) -> str:
    key = f"runstate:{namespace_of(run)}|{run.provider}|{run.run_id}|{run.attempt}|{kind}"
    # uuid5 by hand: ``uuid.uuid5`` encodes strictly and fails on a lone surrogate in a run id
    digest = hashlib.sha1(uuid.NAMESPACE_URL.bytes + identity_bytes(key)).digest()
    return str(uuid.UUID(bytes=digest[:16], version=5))


URI_SAFE: Final = "!$&'()*+,;=:@/-._~"
"""What :func:`source_of` leaves as it is: RFC 3986's unreserved characters, sub-delims, ``:``,
``@`` and ``/``; anything else (a space, non-ASCII text, ``%``, ``?``, ``#``) is percent-encoded."""


def source_of(run: Run) -> str:
    """The run's ``subject.source`` (a URI reference by the schemas): its namespace, percent-encoded
    where it holds what a URI may not (``aws:123:us-east-1`` stays as it is)."""
    return quote(identity_bytes(namespace_of(run)), safe=URI_SAFE)


def run_urn(run: Run) -> str:
    """The ``uri`` of a pipeline run whose record has no web page (``pipelinerun.started`` requires
    one): ``urn:runstate:<namespace>:<provider>:<run id>``, each part percent-encoded."""
    parts = (namespace_of(run), run.provider, run.run_id)
    return "urn:runstate:" + ":".join(quote(identity_bytes(p), safe=":") for p in parts)


def _started(run: Run) -> datetime | None:
    """When the run started, if the record says it did: its ``started_at``; a run still going that
    has none started by its ``created_at`` at the latest. An ended run without ``started_at`` (stopped
    in the queue, failed at submission) and a skipped one have no ``started`` event."""
    if run.state is State.SKIPPED:
        return None
    if run.phase in (Phase.RUNNING, Phase.TERMINATING):
        return run.started_at or run.created_at
    return run.started_at if run.phase is Phase.TERMINATED else None


def _event(
    run: Run, kind: str, at: datetime, content: dict[str, Any], source: str, include_raw: bool
) -> dict[str, Any]:
    return {
        "context": {
            "specversion": SPEC_VERSION,
            "id": _event_id(run, kind),
            "source": source,
            "type": EVENT_TYPES[kind],
            "timestamp": iso(at),
        },
        "subject": {"id": run.run_id, "source": source_of(run), "content": content},
        "customData": runstate_data(run, include_raw=include_raw),
        "customDataContentType": "application/json",
    }


def _finish(run: Run, content: dict[str, Any]) -> tuple[datetime, dict[str, Any]] | None:
    found = outcome(run)
    at = run.ended_at or run.updated_at or run.started_at or run.created_at
    if found is None or at is None:
        return None
    if (start := _started(run)) is not None and at < start:  # clock skew: never finished before started
        at = start
    content = {**content, "outcome": found.cdevents}
    if found.cdevents in _ERROR_OUTCOMES or run.state is State.TIMED_OUT:
        content["errors"] = run.message or f"{run.state.value}: {', '.join(run.provider_state.values())}"
    return at, content


def _task_events(task: Run, pipeline: Run, source: str, include_raw: bool) -> list[dict[str, Any]]:
    content: dict[str, Any] = {
        "taskName": task.name or task.run_id,
        "pipelineRun": {"id": pipeline.run_id, "source": source_of(pipeline)},
    }
    if (url := run_url(task)) is not None:
        content["uri"] = url
    out = []
    if (start := _started(task)) is not None:
        out.append(_event(task, "taskrun.started", start, content, source, include_raw))
    for child in task.tasks:
        out += _task_events(child, pipeline, source, include_raw)
    if (finished := _finish(task, content)) is not None:
        out.append(_event(task, "taskrun.finished", *finished, source, include_raw))
    return out


def events(run: Run, *, source: str, include_raw: bool = False) -> list[dict[str, Any]]:
    """The CDEvents a run implies, in order: queued, started, its tasks' events, finished.

    ``queued`` at ``created_at`` (a waiting run without one: at its first known time), ``started``
    at ``started_at`` once it ran (never for a skipped run), ``finished`` at ``ended_at`` with the
    outcome of :data:`~runstate._export.run_facts.OUTCOMES`. ``source`` is the CDEvents context source (a
    URI reference naming your exporter); ``subject.source`` is the run's namespace. No ``raw`` (nor
    the job parameters in it) unless ``include_raw``.
    """
    require_uri("cdevents", "source", source, absolute=False)
    content: dict[str, Any] = {
        "pipelineName": pipeline_name(require_aware(run)),
        "uri": run_url(run) or run_urn(run),
    }
    out = []
    queued = run.created_at or (first_time(run) if run.phase is Phase.PENDING else None)
    if queued is not None:
        out.append(_event(run, "pipelinerun.queued", queued, content, source, include_raw))
    if (start := _started(run)) is not None:
        out.append(_event(run, "pipelinerun.started", start, content, source, include_raw))
    for task in run.tasks:
        out += _task_events(task, run, source, include_raw)
    if (finished := _finish(run, content)) is not None:
        out.append(_event(run, "pipelinerun.finished", *finished, source, include_raw))
    return out


def write_jsonl(runs: Iterable[Run], stream: IO[str], **options: Any) -> int:
    """Write every run's events as JSON Lines; returns the events written."""
    count = 0
    for run in runs:
        for event in events(run, **options):
            stream.write(json.dumps(event, separators=(",", ":")) + "\n")
            count += 1
    return count
