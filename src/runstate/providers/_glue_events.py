"""AWS Glue state-change events: EventBridge ``"detail-type": "Glue Job State Change"``.

Written like a third-party provider (only :mod:`runstate.provider_kit`); the states are the ``glue``
provider's ``JobRunState`` table itself, imported, so an event and a ``GetJobRun`` of the same run
agree. Documentation: https://docs.aws.amazon.com/eventbridge/latest/ref/events-ref-glue.html (the
events Glue sends) and the state list of the events ("Job states emitted by Glue to CloudWatch
Events", https://docs.aws.amazon.com/cdk/api/v2/docs/@aws-cdk_aws-glue-alpha.JobState.html).

An event is one observation, not a full run: ``detail.state``, ``detail.jobName``,
``detail.jobRunId``, ``detail.message`` (kept as the run's message) and ``detail.severity``; the
envelope's ``time`` is when Glue saw the change, read as ``updated_at`` (the observation time) and,
for a terminal state, as ``ended_at``. Start times and durations are not in an event: they are
NOT_REPORTED. ``namespace`` is ``aws:<account>:<region>``. Lineage comes from the run id, as the
``glue`` provider reads it: Glue names an automatic retry ``<original>_attempt_<N>``, so such an event
is attempt N with ``original_run_id`` the original (and, for attempt 1, ``previous_run_id`` too);
without it the retry's events would be a logical run of their own.

Feed a :class:`~runstate.RunTracker` one event at a time, ``tracker.observe(run, run.updated_at)``,
to get the run's history (see ``docs/warehouse.md``). An EventBridge envelope of another
``detail-type`` (a crawler, the ``Glue Job Run Status`` timeout notice) is reported: strict mode
refuses it with a clear error.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Final

from runstate.provider_kit import (
    EMPTY,
    Context,
    Durations,
    Missing,
    Outcome,
    ProviderSpec,
    Run,
    map_word,
    new_run,
    opt_id,
    opt_str,
    required_id,
    time_from_value,
)

from ._glue import JOB_RUN_STATE, NATIVE_EDGES

__all__ = ["DETAIL_TYPE", "EVENT_STATES", "SPEC", "build", "looks_like_glue_event"]

DETAIL_TYPE: Final = "Glue Job State Change"
EVENT_STATES: Final = ("SUCCEEDED", "FAILED", "TIMEOUT", "STARTING", "RUNNING", "STOPPING", "STOPPED")
"""The job states Glue emits as events, as the AWS CDK documents them (``JobState``)."""
PROVENANCE: Final = (
    "EventBridge reference, AWS Glue events (events-ref-glue); states: AWS CDK aws-glue JobState "
    '("Job states emitted by Glue to CloudWatch Events"), mapped by the glue JobRunState table'
)

STATE: Final[Mapping[str, Outcome]] = JOB_RUN_STATE
"""``detail.state`` to canonical outcome: the JobRun table (it also maps the states only runs show)."""

_TERMINAL_MISSING: Final = MappingProxyType(
    dict.fromkeys(("queue", "setup", "execution", "cleanup", "total"), Missing.NOT_REPORTED)
)
_OPEN_MISSING: Final = MappingProxyType(
    {**_TERMINAL_MISSING, "execution": Missing.NOT_ENDED, "total": Missing.NOT_ENDED}
)
_ENDED: Final = Durations(missing=_TERMINAL_MISSING)
_OPEN: Final = Durations(missing=_OPEN_MISSING)


_RETRY: Final = re.compile(r"(.+)_attempt_([1-9][0-9]{0,8})")
"""A Glue retry's id: ``<original>_attempt_<N>`` (the ``glue`` provider's ``_original_run_id``)."""


def _lineage(run_id: str) -> tuple[int, str | None, str | None]:
    """(attempt, original_run_id, previous_run_id) that the run id proves."""
    retry = _RETRY.fullmatch(run_id)
    if retry is None:
        return 0, None, None
    original, attempt = retry[1], int(retry[2])
    return attempt, original, original if attempt == 1 else None


def looks_like_glue_event(record: object) -> bool:
    """Cheap guess that a record is a Glue job state-change event (for the registry's ``detect``)."""
    return isinstance(record, Mapping) and record.get("detail-type") == DETAIL_TYPE


def _detail(record: Any, ctx: Context) -> Mapping[str, Any]:
    if not isinstance(record, Mapping):
        ctx.fail("$", record, "expected an EventBridge event (an object)")
    kind = record.get("detail-type")
    if kind is not None and kind != DETAIL_TYPE:
        ctx.invalid("$.detail-type", kind, f"expected {DETAIL_TYPE!r}")
    detail = record.get("detail")
    if isinstance(detail, Mapping):
        return detail
    ctx.invalid("$.detail", detail, "expected the event's detail object")
    return EMPTY


def _namespace(record: Mapping[str, Any], ctx: Context) -> str | None:
    account = opt_id(record.get("account"), ctx, "$.account")
    region = opt_str(record.get("region"), ctx, "$.region")
    return f"aws:{account}:{region}" if account and region else None


def build(record: Any, ctx: Context, keep_raw: bool) -> Run:
    """One ``Glue Job State Change`` event to the run as that event shows it."""
    detail = _detail(record, ctx)
    word = detail.get("state")
    outcome = map_word(STATE, word, ctx, "$.detail.state")
    at = time_from_value(record.get("time"), ctx, "$.time")
    job_name = opt_str(detail.get("jobName"), ctx, "$.detail.jobName")
    terminal = outcome.state.is_terminal
    details = {k: v for k in ("severity",) if type(v := detail.get(k)) is str}
    event_id = record.get("id")
    if type(event_id) is str and event_id:
        details["event_id"] = event_id
    run_id = required_id(detail.get("jobRunId"), ctx, "$.detail.jobRunId")
    attempt, original, previous = _lineage(run_id)
    return new_run(
        provider="glue_events",
        run_id=run_id,
        namespace=_namespace(record, ctx),
        state=outcome.state,
        reason=outcome.reason,
        job_id=job_name,
        name=job_name,
        provider_state=MappingProxyType({"state": word}) if type(word) is str else EMPTY,
        message=opt_str(detail.get("message"), ctx, "$.detail.message"),
        attempt=attempt,
        original_run_id=original,
        previous_run_id=previous,
        ended_at=at if terminal else None,
        updated_at=at,
        durations=_ENDED if terminal else _OPEN,
        details=MappingProxyType(details) if details else EMPTY,
        raw=record if keep_raw else None,
    )


SPEC: Final = ProviderSpec(
    name="glue_events",
    build=build,
    tables={"state": STATE},
    known_values={"state": EVENT_STATES},
    native_states={word: frozenset({o.state}) for word, o in STATE.items()},
    native_edges=NATIVE_EDGES,
    provenance=PROVENANCE,
    detect=looks_like_glue_event,
)
