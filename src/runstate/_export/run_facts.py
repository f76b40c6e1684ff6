"""What the OpenTelemetry, OpenLineage and CDEvents exports share: identity, names, URLs, outcomes.

The decisions are data (:data:`OUTCOMES`, :data:`ERROR_TYPE_FIELDS`, :data:`RUN_URL_DETAILS`); the
three export modules and docs/export.md read them, so the standards cannot drift apart.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from types import MappingProxyType, ModuleType
from typing import Any, Final, NamedTuple

from .._core.errors import InvalidRecordError
from .._core.model import Run
from .._core.vocabulary import Reason, State, otel_result

__all__ = [
    "ERROR_TYPE_FIELDS",
    "OUTCOMES",
    "RUN_URL_DETAILS",
    "Outcome",
    "error_type",
    "identity_bytes",
    "iso",
    "namespace_of",
    "outcome",
    "pipeline_name",
    "require",
    "require_aware",
    "require_uri",
    "run_url",
    "walk",
]

OTHER_ERROR: Final = "_OTHER"
"""OpenTelemetry's ``error.type`` when no provider code says more (semantic conventions, error registry)."""


class Outcome(NamedTuple):
    """How one terminal (state, reason) reads in each standard, and why."""

    state: State
    reason: Reason | None
    openlineage: str
    """OpenLineage ``eventType`` of the run's last event."""
    cdevents: str
    """CDEvents ``outcome`` of ``pipelinerun.finished`` / ``taskrun.finished``."""
    note: str

    @property
    def otel(self) -> str | None:
        """OpenTelemetry ``cicd.pipeline.result`` (from :func:`runstate.otel_result`)."""
        return otel_result(self.state, self.reason)


_S, _R = State, Reason
OUTCOMES: Final = (
    Outcome(_S.SUCCEEDED, None, "COMPLETE", "success", "finished successfully"),
    Outcome(_S.SUCCEEDED, _R.PARTIAL_SUCCESS, "COMPLETE", "success",
            "partial success (Databricks SUCCESS_WITH_FAILURES): the run succeeded; its failed tasks "
            "carry their own failure and count in cicd.pipeline.run.errors"),
    Outcome(_S.FAILED, None, "FAIL", "failure", "the run failed; no record says whose fault"),
    Outcome(_S.FAILED, _R.USER_ERROR, "FAIL", "failure", "the user's code or configuration failed"),
    Outcome(_S.FAILED, _R.PLATFORM_ERROR, "FAIL", "error",
            "the platform failed: OpenTelemetry's and CDEvents' error (a fault of the CI/CD system)"),
    Outcome(_S.TIMED_OUT, None, "FAIL", "failure",
            "a time limit the job set stopped it: OpenTelemetry has timeout, OpenLineage and CDEvents "
            "have none, so it is a failure (errorMessage / errors say timed out)"),
    Outcome(_S.TIMED_OUT, _R.EXPIRED, "FAIL", "failure",
            "Glue EXPIRED: a run queued (WAITING) past its allowed time never started; a timeout of "
            "the job's own limit, not a platform error"),
    Outcome(_S.CANCELED, None, "ABORT", "cancel", "stopped on request; the record does not say by whom"),
    Outcome(_S.CANCELED, _R.CANCELED_BY_USER, "ABORT", "cancel", "stopped by a person or an API client"),
    Outcome(_S.CANCELED, _R.CANCELED_BY_PLATFORM, "ABORT", "cancel",
            "platform cancel: a deliberate stop, not a fault, so cancellation (not error); "
            "the reason stays in customData / the runstate facet"),
    Outcome(_S.SKIPPED, None, "ABORT", "cancel",
            "skipped: never executed; OpenLineage START then ABORT (nothing was written), CDEvents has "
            "no skip, so cancel with no started event"),
)  # fmt: skip
"""Every terminal (state, reason) decision; a reason not listed reads as its state's ``None`` row."""

_OUTCOME_INDEX: Final = MappingProxyType({(o.state, o.reason): o for o in OUTCOMES})

ERROR_TYPE_FIELDS: Final = MappingProxyType(
    {
        "databricks": ("termination_details.code", "life_cycle_state", "result_state"),
        "databricks_system": ("termination_code", "result_state"),
        "glue": ("JobRunState",),
        "glue_events": ("state",),
        "cloud_deploy": ("failureCause",),
    }
)
"""Where ``error.type`` comes from: the first of these ``provider_state`` words that says more than
"it failed" (Databricks termination code, in the Jobs API and in the ``system.lakeflow`` tables' rows,
Glue ``JobRunState`` ERROR, Cloud Deploy ``failureCause``)."""

_SAYS_NOTHING: Final = frozenset({"TERMINATED", "FAILED", "TIMEOUT", "TIMEDOUT", "SUCCESS"})
"""Provider words that only repeat the result; they give ``_OTHER``."""

RUN_URL_DETAILS: Final = ("run_page_url",)
"""``Run.details`` keys that hold the run's web page (Databricks ``run_page_url``)."""


def outcome(run: Run) -> Outcome | None:
    """The decision row of a terminal run, or None while it has not ended (or is UNKNOWN)."""
    found = _OUTCOME_INDEX.get((run.state, run.reason))
    if found is None:
        found = _OUTCOME_INDEX.get((run.state, None))
    return found


def error_type(run: Run) -> str:
    """The provider's code for a failure (:data:`ERROR_TYPE_FIELDS`), else ``_OTHER``."""
    for field in ERROR_TYPE_FIELDS.get(run.provider, ()):
        word = run.provider_state.get(field)
        if word and word not in _SAYS_NOTHING:
            return word
    return OTHER_ERROR


def namespace_of(run: Run) -> str:
    """Where the run lives; without a namespace, the provider's name (ids are unique only within it)."""
    return run.namespace or run.provider


def pipeline_name(run: Run) -> str:
    """The run's pipeline, unique within its namespace as its job id is: the name, qualified by the job
    id where the id does not already say it (``"daily (640288719013557)"``; Cloud Deploy's
    ``"web/stable/deploy"`` ends with its name ``deploy``, which two delivery pipelines share); without
    a job id the name, else the run id. OpenTelemetry's ``cicd.pipeline.name`` identifies the
    ``cicd.pipeline`` entity, so two jobs of one name must not merge (docs/export.md)."""
    name, job = run.name, run.job_id
    if not job:  # none, or empty: an empty pipeline name identifies nothing
        return name or run.run_id
    if not name or name == job or job.endswith("/" + name):
        return job
    return f"{name} ({job})"


def run_url(run: Run) -> str | None:
    """The run's web page where the record has one."""
    for key in RUN_URL_DETAILS:
        value = run.details.get(key)
        if isinstance(value, str) and value:
            return value
    return None


def walk(run: Run, parent: Run | None = None) -> Iterator[tuple[Run, Run | None]]:
    """The run and its tasks, depth first, each with its parent."""
    yield run, parent
    for task in run.tasks:
        yield from walk(task, run)


TIMES: Final = ("created_at", "started_at", "ended_at", "updated_at")


EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)


def require_aware(run: Run, *, since_epoch: bool = False) -> Run:
    """Refuse a run (or task) with a naive time: where it sits on the time line would be a guess.

    An export places times in UTC; a naive one would be read as the machine's local time (a silent
    wrong answer, and ids that differ between machines) or fail on arithmetic (a bare TypeError).
    ``since_epoch`` also refuses a time before 1970: OTLP's unsigned nanoseconds and a UUIDv7's
    48-bit milliseconds cannot hold it (it would wrap to a time thousands of years away).
    """
    for part, path in _paths(run, "run"):
        for name in TIMES:
            value = getattr(part, name)
            if value is not None and value.utcoffset() is None:
                raise InvalidRecordError(part.provider, f"{path}.{name}", value, "must be timezone-aware")
            if since_epoch and value is not None and value < EPOCH:
                raise InvalidRecordError(part.provider, f"{path}.{name}", value, "is before 1970-01-01")
    return run


def _paths(run: Run, path: str) -> Iterator[tuple[Run, str]]:
    yield run, path
    for i, task in enumerate(run.tasks):
        yield from _paths(task, f"{path}.tasks[{i}]")


_URI_REFERENCE: Final = re.compile(r"(?:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})+")
"""The characters of an RFC 3986 URI reference (percent-encoding included)."""
_SCHEME: Final = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")


def require_uri(standard: str, field: str, value: object, *, absolute: bool) -> str:
    """Refuse a caller's ``producer`` / ``source`` that its schema's format would reject.

    OpenLineage's ``producer`` is a ``uri`` (absolute), CDEvents' ``context.source`` a non-empty
    ``uri-reference``; events made with anything else validate nowhere, so say so up front.
    """
    if not isinstance(value, str) or not _URI_REFERENCE.fullmatch(value):
        raise InvalidRecordError(
            standard, field, value, "must be a URI (no spaces, non-ASCII percent-encoded)"
        )
    if absolute and not _SCHEME.match(value):
        raise InvalidRecordError(
            standard, field, value, "must be an absolute URI, e.g. https://example.com/exporter"
        )
    return value


def identity_bytes(text: str) -> bytes:
    """The bytes a derived id hashes: UTF-8, with a lone surrogate (from a JSON ``\\udc80``) passed
    through rather than failing; valid text gives the same bytes (and ids) as plain UTF-8."""
    return text.encode("utf-8", "surrogatepass")


def iso(at: datetime) -> str:
    """An aware time as ISO 8601 in UTC, to the microsecond, with ``Z`` (so texts sort as times)."""
    return at.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def first_time(run: Run) -> datetime | None:
    """The earliest time the record gives: created, else started, else ended."""
    return run.created_at or run.started_at or run.ended_at


def runstate_data(run: Run, *, include_raw: bool) -> dict[str, Any]:
    """runstate's own words for a run (state, reason, provider state); ``raw`` only when asked."""
    data: dict[str, Any] = {
        "provider": run.provider,
        "state": run.state.value,
        "reason": None if run.reason is None else run.reason.value,
        "provider_state": dict(run.provider_state),
        "attempt": run.attempt,
    }
    if include_raw and run.raw is not None:
        data["raw"] = _plain(run.raw)
    return data


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, datetime):
        return iso(value)
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def require(module: str, extra: str) -> ModuleType:
    """Import an optional dependency, or fail with an ImportError that names the extra to install."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise ImportError(f"{module} is needed for this export: pip install 'runstate[{extra}]'") from exc
