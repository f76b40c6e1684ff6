"""A run as OpenLineage RunEvents (spec 2-0-2), built with the ``openlineage-python`` client's models.

Needs the ``openlineage`` extra. Each run and each of its tasks is an OpenLineage run of its own,
with a deterministic UUIDv7 ``runId`` (:func:`run_uuid`), so the same run always gets the same id.
The mapping of states to event types is :data:`runstate._export.run_facts.OUTCOMES`; docs/export.md shows it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from types import MappingProxyType
from typing import IO, TYPE_CHECKING, Any, Final
from uuid import UUID

from ._core.errors import InvalidRecordError, RunstateError, exception_state
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
    require,
    require_aware,
    require_uri,
    runstate_data,
)

if TYPE_CHECKING:
    from openlineage.client.event_v2 import RunEvent

__all__ = [
    "NOMINAL_TIME_TRIGGERS",
    "OUTCOMES",
    "EmitError",
    "emit",
    "events",
    "run_uuid",
    "to_json",
    "write_jsonl",
]

EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
"""The instant of a run's id when the record gives no time at all (the id stays stable)."""

PENDING_EVENT: Final = "OTHER"
"""A run seen waiting (queued, blocked, starting, waiting for a retry) or UNKNOWN: OpenLineage's OTHER."""

NOMINAL_TIME_TRIGGERS: Final = MappingProxyType({"databricks": ("trigger", frozenset({"PERIODIC"}))})
"""Where a run's nominal (scheduled) time is known: a Databricks run started by its schedule is
created at the scheduled time (Jobs API ``trigger``: PERIODIC "schedules that periodically trigger
runs"), so ``nominalStartTime`` is its ``created_at``. Other providers do not say."""

ERROR_LANGUAGE: Final = "unknown"
"""``errorMessage.programmingLanguage`` (required by the facet): the records do not say."""


def run_uuid(run: Run, instant: datetime | None = None) -> UUID:
    """The run's OpenLineage ``runId``: a UUIDv7 as Airflow's provider derives its static ids.

    ``generate_static_uuid(instant, data)``: timestamp from ``created_at``, else ``started_at``,
    else ``instant`` (a task without times takes its parent's), else the epoch; the other bits are a
    SHA-1 of ``"{namespace}.{provider}.{run_id}.{attempt}"`` (the namespace falls back to the
    provider's name). Same run, same id, in every process.
    """
    uuid = require("openlineage.client.uuid", "openlineage")
    at = run.created_at or run.started_at or instant or EPOCH
    require_aware(run, since_epoch=True)
    data = identity_bytes(f"{namespace_of(run)}.{run.provider}.{run.run_id}.{run.attempt}")
    result: UUID = uuid.generate_static_uuid(instant=at, data=data)
    return result


def _times(run: Run) -> list[tuple[str, datetime]]:
    """The (eventType, time) sequence of one run, from what its record says."""
    found = outcome(run)
    if run.state is State.SKIPPED and found is not None:
        at = run.ended_at or first_time(run)
        return [] if at is None else [("START", at), (found.openlineage, at)]
    if run.phase in (Phase.PENDING, Phase.UNKNOWN):
        at = first_time(run)
        return [] if at is None else [(PENDING_EVENT, at)]
    out: list[tuple[str, datetime]] = []
    start = run.started_at or run.created_at
    if run.created_at is not None and start is not None and run.created_at < start:
        out.append((PENDING_EVENT, run.created_at))
    if start is not None:
        out.append(("START", start))
    if found is None:
        if start is not None and run.updated_at is not None and run.updated_at > start:
            out.append(("RUNNING", run.updated_at))
        return out
    end = run.ended_at or run.updated_at or start
    if end is not None and start is None:
        # the spec requires one START per run: an ended run never seen starting (an EventBridge
        # event gives only the end) starts at its end, as a skipped run does
        out.append(("START", end))
    if end is not None:
        # an end stamped before the start (clock skew between the provider's fields) still ends the
        # run: consumers order a run's events by eventTime, and a final event before START reads as
        # a run that started after it ended and never finished
        out.append((found.openlineage, end if start is None else max(end, start)))
    return out


def _nominal_start(run: Run) -> datetime | None:
    """The scheduled start of a run, where :data:`NOMINAL_TIME_TRIGGERS` says the record knows it."""
    rule = NOMINAL_TIME_TRIGGERS.get(run.provider)
    if rule is None or run.details.get(rule[0]) not in rule[1]:
        return None
    return run.created_at


def _run_facets(
    run: Run, event_type: str, parent: tuple[UUID, str, str] | None, root: tuple[UUID, str, str] | None,
    producer: str, include_raw: bool,
) -> dict[str, Any]:  # fmt: skip
    facet = require("openlineage.client.facet_v2", "openlineage")
    from openlineage.client.facet_v2 import error_message_run, nominal_time_run, parent_run

    facets: dict[str, Any] = {}
    if parent is not None and root is not None:
        facets["parent"] = parent_run.ParentRunFacet(
            run=parent_run.Run(runId=str(parent[0])),
            job=parent_run.Job(namespace=parent[1], name=parent[2]),
            root=parent_run.Root(
                run=parent_run.RootRun(runId=str(root[0])),
                job=parent_run.RootJob(namespace=root[1], name=root[2]),
            ),
            producer=producer,
        )
    if parent is None and (nominal := _nominal_start(run)) is not None:
        facets["nominalTime"] = nominal_time_run.NominalTimeRunFacet(
            nominalStartTime=iso(nominal), producer=producer
        )
    if event_type == "FAIL":
        message = run.message or f"{run.state.value}: {', '.join(run.provider_state.values())}"
        facets["errorMessage"] = error_message_run.ErrorMessageRunFacet(
            message=message, programmingLanguage=ERROR_LANGUAGE, producer=producer
        )
    state = facet.RunFacet(producer=producer).with_additional_properties(
        **runstate_data(run, include_raw=include_raw)
    )
    facets["runstate"] = state
    return facets


def _job_facets(run: Run, is_task: bool, producer: str) -> dict[str, Any]:
    from openlineage.client.facet_v2 import job_type_job

    return {
        "jobType": job_type_job.JobTypeJobFacet(
            processingType="BATCH",
            integration=run.provider.upper(),
            jobType="TASK" if is_task else "JOB",
            producer=producer,
        )
    }


def _events_of(
    run: Run, *, producer: str, namespace: str, job_name: str, instant: datetime | None,
    parent: tuple[UUID, str, str] | None, root: tuple[UUID, str, str] | None, include_raw: bool,
) -> list[RunEvent]:  # fmt: skip
    event_v2 = require("openlineage.client.event_v2", "openlineage")
    run_id = run_uuid(run, instant)
    me = (run_id, namespace, job_name)
    job = event_v2.Job(
        namespace=namespace, name=job_name, facets=_job_facets(run, parent is not None, producer)
    )
    sequence = _times(run)
    made = [
        event_v2.RunEvent(
            eventType=event_v2.RunState[event_type],
            eventTime=iso(at),
            run=event_v2.Run(
                runId=str(run_id), facets=_run_facets(run, event_type, parent, root, producer, include_raw)
            ),
            job=job,
            producer=producer,
            inputs=[],
            outputs=[],
        )
        for event_type, at in sequence
    ]
    ended = bool(sequence) and sequence[-1][0] in ("COMPLETE", "FAIL", "ABORT")
    head, tail = (made[:-1], made[-1:]) if ended else (made, [])
    for task in run.tasks:
        head += _events_of(
            task, producer=producer, namespace=namespace,
            job_name=f"{job_name}.{task.name or task.run_id}",
            instant=run.created_at or run.started_at or instant, parent=me, root=root or me,
            include_raw=include_raw,
        )  # fmt: skip
    return head + tail


def events(
    run: Run, *, producer: str, job_namespace: str | None = None, include_raw: bool = False
) -> list[RunEvent]:
    """The RunEvents a run implies: its own, with its tasks' nested before its final event.

    OTHER while waiting (at ``created_at``), START at ``started_at``, RUNNING at a later
    ``updated_at`` of a run still going, then COMPLETE / FAIL / ABORT at ``ended_at``; tasks are runs
    of their own with a ``parent`` facet. ``job.namespace`` is ``job_namespace``, else the run's
    namespace, else the provider's name. No ``raw`` (nor the job parameters in it) unless
    ``include_raw``. An event whose time the record does not give is left out.
    """
    require_uri("openlineage", "producer", producer, absolute=True)
    namespace = job_namespace or namespace_of(require_aware(run, since_epoch=True))
    return _events_of(
        run, producer=producer, namespace=namespace, job_name=run.job_id or pipeline_name(run),
        instant=None, parent=None, root=None, include_raw=include_raw,
    )  # fmt: skip


def to_json(event: RunEvent) -> dict[str, Any]:
    """An event as the JSON dict the client sends (its ``Serde``)."""
    serde = require("openlineage.client.serde", "openlineage")
    data: dict[str, Any] = serde.Serde.to_dict(event)
    return data


def write_jsonl(runs: Iterable[Run], stream: IO[str], **options: Any) -> int:
    """Write every run's events as JSON Lines; returns the events written.

    Keys are sorted, as the client's own ``Serde.to_json`` sorts them: the client builds the
    ``runstate`` facet's fields from a set, so their order would otherwise follow the hash seed.
    """
    count = 0
    for run in runs:
        for event in events(run, **options):
            stream.write(json.dumps(to_json(event), separators=(",", ":"), sort_keys=True) + "\n")
            count += 1
    return count


class EmitError(RunstateError, ConnectionError):
    """The OpenLineage server did not take an event: it answered non-2xx, timed out or was unreachable.

    ``EmitError: openlineage: http://host:5000: event 3 (run 42): server answered 500 ...; 2 sent before``
    """

    def __init__(self, url: str, sent: int, run_id: str, problem: str) -> None:
        self.url = url
        self.sent = sent
        self.run_id = run_id
        self.problem = problem
        super().__init__(url, sent, run_id, problem)

    def __reduce__(self) -> tuple[Any, ...]:
        # OSError (ConnectionError's base) keeps only two of four args: rebuild from the attributes,
        # so a multiprocessing.Pool can hand it to its caller (and notes travel too)
        return (type(self), (self.url, self.sent, self.run_id, self.problem), exception_state(self))

    def __str__(self) -> str:
        return (
            f"openlineage: {self.url}: event {self.sent + 1} (run {self.run_id!r}): {self.problem}; "
            f"{self.sent} sent before"
        )


def _requests() -> Any:
    return require("requests", "openlineage")


def _why(exc: Exception, secret: str | None) -> str:
    """What went wrong with one POST, in a line (the client raises ``requests`` exceptions)."""
    response = getattr(exc, "response", None)
    if isinstance(exc, _Redirected):
        text = str(exc)
    elif isinstance(exc, _requests().TooManyRedirects):  # its last answer attached: not the cause
        text = f"server redirected more than {_MAX_REDIRECTS} times"
    elif response is not None:
        text = f"server answered {response.status_code} {response.reason}".rstrip()
    else:
        text = f"{type(exc).__name__}: {exc}"
    return _scrub(text, secret)


_MAX_REDIRECTS: Final = 30
"""requests' ``DEFAULT_REDIRECT_LIMIT``, after which it raises ``TooManyRedirects``."""

_REDACTED: Final = "***"
"""What an endpoint's password is shown as, in errors and messages."""


def _userinfo(url: str) -> tuple[str, str, str] | None:
    """(scheme and ``://``, userinfo, what follows its ``@``) of ``url``, or None without userinfo.

    A password holding an unencoded ``/``, ``?``, ``#`` or ``\\`` ends the authority there (RFC 3986
    3.2; urllib3 ends it at ``\\`` too), so a parser reads ``user:pass`` as a host and port and the URL
    is refused: such a userinfo is taken up to the last ``@``, none of the password to be shown.
    """
    scheme, sep, rest = url.partition("://")
    if not sep:  # no scheme: the transport refuses it, the error still names it
        scheme, rest = "", url
    authority = _AUTHORITY_END.split(rest, maxsplit=1)[0]
    if "@" in authority:
        userinfo = authority.rpartition("@")[0]
    elif ":" in authority and "@" in rest and not authority.partition(":")[2].isdigit():
        userinfo = rest.rpartition("@")[0]
    else:
        return None
    return scheme + sep, userinfo, rest[len(userinfo) + 1 :]


_AUTHORITY_END: Final = re.compile(r"[/?#\\]")


def _redact(url: str) -> str:
    """``url`` with the password of its userinfo (``https://user:secret@host``) shown as ``***``."""
    found = _userinfo(url)
    if found is None or ":" not in found[1]:
        return url
    prefix, userinfo, host = found
    return f"{prefix}{userinfo.partition(':')[0]}:{_REDACTED}@{host}"


def _password(url: str) -> str | None:
    """The password in ``url``'s userinfo as written (a text to scrub from messages), if any."""
    found = _userinfo(url)
    return (found[1].partition(":")[2] or None) if found is not None else None


def _scrub(text: str, secret: str | None) -> str:
    """``text`` without ``secret`` (as written, or percent-decoded): a library's message may quote it."""
    if not secret:
        return text
    from urllib.parse import unquote

    for form in {secret, unquote(secret)}:
        text = text.replace(form, _REDACTED)
    return text


def _origin(url: str) -> tuple[str, str, int | None]:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    default = {"http": 80, "https": 443}.get(parts.scheme.lower())
    return parts.scheme.lower(), (parts.hostname or "").lower(), parts.port or default


def _same_origin(target: str, origin: str) -> bool:
    """Whether ``target`` has ``origin``'s scheme, host and port; a target whose port cannot be read
    (``http://user:pa/ss@host``) has none."""
    try:
        return _origin(target) == _origin(origin)
    except ValueError:
        return False


_KEEPS_POST: Final = frozenset({307, 308})
"""The redirects that keep the method and body (RFC 9110 15.4.8, 15.4.9); 301, 302 and 303 may be,
and by ``requests`` are, followed as a GET, which would drop the event."""


class _Redirected(Exception):  # noqa: N818 - raised into requests, caught as what it is
    """A redirect the endpoint is not allowed to make (to another origin, or one that drops the POST)."""

    def __init__(self, status: int, target: str) -> None:
        super().__init__(f"server redirected ({status}) to {_redact(target)}, not followed")


def _session() -> Any:
    """A ``requests`` session that follows only a same-origin 307/308 (the POST kept), and refuses
    any other redirect: an event (and the credentials sent with it) never goes to another host."""
    require("requests", "openlineage")
    from urllib.parse import urljoin

    import requests

    class Session(requests.Session):
        def request(self, *args: Any, **kwargs: Any) -> requests.Response:
            # the client reads only the status: the body is never read, so a server sending a huge
            # one or dripping it byte by byte (each byte within the timeout) cannot hold the export
            kwargs["stream"] = True
            return super().request(*args, **kwargs)

        def get_redirect_target(self, resp: requests.Response) -> str | None:
            location: str | None = super().get_redirect_target(resp)
            if location is None:
                return None
            target = urljoin(resp.url, location)
            resp.close()  # its body unread: requests would read all of it before following
            if resp.status_code not in _KEEPS_POST or not _same_origin(target, resp.url):
                raise _Redirected(resp.status_code, target)
            return location

    return Session()


def _transport(url: str, timeout: float, retries: int | None) -> Any:
    http = require("openlineage.client.transport.http", "openlineage")
    options: dict[str, Any] = {"type": "http", "url": url, "timeout": timeout, "session": _session()}
    if retries is not None:
        options["retry"] = {"total": retries, "read": retries, "connect": retries, "status": retries}
    try:
        return http.HttpTransport(http.HttpConfig.from_dict(options))
    except ValueError as exc:  # the transport refuses a URL without scheme or host
        secret = _password(url)
        if secret is not None and _AUTHORITY_END.search(secret):  # the message quotes pieces of it
            problem = "not a URL: percent-encode a '/', '?', '#' or '\\' in the password"
        else:
            problem = _scrub(str(exc), secret)
        raise InvalidRecordError("openlineage", "url", _redact(url), problem) from None


def emit(
    runs: Iterable[Run], url: str, *, timeout: float = 5.0, retries: int | None = None, **options: Any
) -> int:
    """Send every run's events to an OpenLineage HTTP endpoint through the client's HTTP transport.

    ``url`` is the server's base URL (the transport posts to ``/api/v1/lineage``); returns the count.
    ``timeout`` is per request; the transport retries a timeout, a refused connection or a 5xx answer
    (``retries`` times, else the client's default of 5 with back-off). An answer other than 2xx, a
    redirect to another origin or one that would turn the POST into a GET, or no answer, raises
    :class:`EmitError` (saying how many events went through before). A password in ``url``
    (``https://user:secret@host``) is sent, never shown: errors name the URL with it as ``***``.
    """
    client_module = require("openlineage.client.client", "openlineage")
    requests = require("requests", "openlineage")
    client = client_module.OpenLineageClient(transport=_transport(url, timeout, retries))
    shown, secret = _redact(url), _password(url)
    count = 0
    try:
        for run in runs:
            for event in events(run, **options):
                try:
                    client.emit(event)
                except (requests.RequestException, _Redirected) as exc:
                    raise EmitError(shown, count, run.run_id, _why(exc, secret)) from None
                count += 1
    finally:
        client.close()
    return count
