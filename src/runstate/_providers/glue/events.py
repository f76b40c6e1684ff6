"""AWS Glue job events on EventBridge: detail-types "Glue Job State Change" and "Glue Job Run Status".

Written like a third-party provider (only :mod:`runstate.provider_kit`). The states are the ``glue``
provider's ``JobRunState`` table itself (:mod:`.tables`), so an event and a ``GetJobRun`` of the same
run agree; which states each detail-type carries is data quoted from the Glue developer guide's
events page (:data:`STATES_BY_DETAIL_TYPE`). An event is one observation, not a full run: its state,
run id (with the lineage a retry's id proves), job name, message and time; no start time and no
durations. Another detail-type (a crawler's, a Data Catalog's) is refused in both modes. The
decisions and their sources: docs/decisions.md, "Glue job events on EventBridge" (``#glue-events``).
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
    Reason,
    Run,
    State,
    StateWords,
    freeze_details,
    make_run,
    map_word,
    opt_id,
    opt_str,
    time_from_value,
)

from .decision import events_decision
from .tables import JOB_RUN_STATE, JOB_RUN_STATE_EVIDENCE, NATIVE_EDGES

__all__ = [
    "DETAIL_TYPE",
    "DETAIL_TYPES",
    "EVENT_STATES",
    "RUN_STATUS_DETAIL_TYPE",
    "SPEC",
    "STATES_BY_DETAIL_TYPE",
    "build",
    "looks_like_glue_event",
]

EVENTS_PAGE: Final = (
    "https://docs.aws.amazon.com/glue/latest/dg/automating-awsglue-with-cloudwatch-events.html"
)
DETAIL_TYPE: Final = "Glue Job State Change"
RUN_STATUS_DETAIL_TYPE: Final = "Glue Job Run Status"
DETAIL_TYPES: Final = (DETAIL_TYPE, RUN_STATUS_DETAIL_TYPE)
STATES_BY_DETAIL_TYPE: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {
        DETAIL_TYPE: ("SUCCEEDED", "FAILED", "TIMEOUT", "STOPPED"),
        RUN_STATUS_DETAIL_TYPE: ("RUNNING", "STARTING", "STOPPING"),
    }
)
"""The states each detail-type carries, as the Glue developer guide's events page lists them."""
STATES_BY_DETAIL_TYPE_EVIDENCE: Final[Mapping[str, str]] = MappingProxyType(
    {
        DETAIL_TYPE: f'{EVENTS_PAGE}: \'Events for "detail-type":"Glue Job State Change" are generated for '
        "SUCCEEDED, FAILED, TIMEOUT, and STOPPED.'",
        RUN_STATUS_DETAIL_TYPE: f'{EVENTS_PAGE}: \'Events for "detail-type":"Glue Job Run Status" are '
        "generated for RUNNING, STARTING, and STOPPING job runs when they exceed the job delay "
        "notification threshold.'",
    }
)
EVENT_STATES: Final = (*STATES_BY_DETAIL_TYPE[DETAIL_TYPE], *STATES_BY_DETAIL_TYPE[RUN_STATUS_DETAIL_TYPE])
"""Every job state Glue documents in an event, of either detail-type."""
PROVENANCE: Final = (
    f"AWS Glue developer guide, events ({EVENTS_PAGE}): the states of each detail-type; EventBridge "
    "reference, AWS Glue events (events-ref-glue); mapped by the glue JobRunState table"
)

STATE: Final[Mapping[str, Outcome]] = JOB_RUN_STATE
"""``detail.state`` to canonical outcome: the JobRun table (it also maps the states only runs show)."""


def _state_evidence(word: str) -> str:
    kinds = [kind for kind, states in STATES_BY_DETAIL_TYPE.items() if word in states]
    meaning = f"meaning, as for a JobRun: {JOB_RUN_STATE_EVIDENCE[word]}"
    if kinds:
        return f"{STATES_BY_DETAIL_TYPE_EVIDENCE[kinds[0]]} The {meaning}"
    return f"not a state Glue documents in an event ({EVENTS_PAGE}): reported; the {meaning}"


STATE_EVIDENCE: Final[Mapping[str, str]] = MappingProxyType({w: _state_evidence(w) for w in STATE})
"""The documentary source of every row of :data:`STATE`: the events page, then the JobRun's evidence."""

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
    """(attempt, original_run_id, previous_run_id) that the run id proves: attempt N of the original,
    after attempt N - 1 (Glue retries one attempt at a time, each "after a JobRun fails")."""
    retry = _RETRY.fullmatch(run_id)
    if retry is None:
        return 0, None, None
    original, attempt = retry[1], int(retry[2])
    return attempt, original, original if attempt == 1 else f"{original}_attempt_{attempt - 1}"


def looks_like_glue_event(record: object) -> bool:
    """Cheap guess that a record is a Glue job event of either detail-type (for ``detect``)."""
    return isinstance(record, Mapping) and record.get("detail-type") in DETAIL_TYPES


def _detail(record: Any, ctx: Context) -> Mapping[str, Any]:
    if not isinstance(record, Mapping):
        ctx.report("fail", "$", record, "expected an EventBridge event (an object)")
    kind = record.get("detail-type")
    if type(kind) is str and kind not in DETAIL_TYPES:  # a crawler's or a catalog's event: refused
        ctx.fail("$.detail-type", kind, f"not a Glue job event: detail-type {kind!r} ({_READS})")
    if kind is not None and kind not in DETAIL_TYPES:
        ctx.invalid("$.detail-type", kind, f"expected {DETAIL_TYPE!r} or {RUN_STATUS_DETAIL_TYPE!r}")
    detail = record.get("detail")
    if not isinstance(detail, Mapping) or ("jobRunId" not in detail and "state" not in detail):
        # neither the run's id nor its state: not a Glue job event, refused in both modes
        ctx.fail("$.detail", detail, _EXPECTED)
    return detail


_READS: Final = f"this provider reads {DETAIL_TYPE!r} and {RUN_STATUS_DETAIL_TYPE!r} events"
_EXPECTED: Final = "not a Glue job event: expected an EventBridge event whose detail has jobRunId and state"


def _check_documented(kind: object, word: object, ctx: Context) -> None:
    """Report a known state that Glue does not document for the event's detail-type (it still maps)."""
    if type(word) is not str or word not in STATE:
        return  # an unknown word is map_word's to report
    listed = STATES_BY_DETAIL_TYPE.get(kind) if type(kind) is str else None
    if word not in (EVENT_STATES if listed is None else listed):
        documented = ", ".join(EVENT_STATES if listed is None else listed)
        ctx.invalid(
            "$.detail.state",
            word,
            f"not a state Glue documents for {kind!r} events ({documented}; {EVENTS_PAGE})",
        )


def _namespace(record: Mapping[str, Any], ctx: Context) -> str | None:
    account = opt_id(record.get("account"), ctx, "$.account")
    region = opt_str(record.get("region"), ctx, "$.region")
    return f"aws:{account}:{region}" if account and region else None


def build(record: Any, ctx: Context, keep_raw: bool) -> Run:
    """One ``Glue Job State Change`` event to the run as that event shows it."""
    detail = _detail(record, ctx)
    word = detail.get("state")
    kind = record.get("detail-type")
    _check_documented(kind, word, ctx)
    outcome = map_word(STATE, word, ctx, "$.detail.state")
    at = time_from_value(record.get("time"), ctx, "$.time")
    job_name = opt_str(detail.get("jobName"), ctx, "$.detail.jobName")
    terminal = outcome.state.is_terminal
    raw_id = detail.get("jobRunId")
    run_id = opt_id(raw_id, ctx, "$.detail.jobRunId")
    if not run_id:  # two runs without an id cannot be told apart: refused in both modes
        ctx.fail("$.detail.jobRunId", raw_id, "missing or unusable run id (detail.jobRunId)")
    attempt, original, previous = _lineage(run_id)
    return make_run(
        "glue_events",
        run_id,
        namespace=_namespace(record, ctx),
        state=outcome.state,
        reason=outcome.reason,
        job_id=job_name,
        name=job_name,
        provider_state=_provider_state(word, kind),
        message=opt_str(detail.get("message"), ctx, "$.detail.message"),
        attempt=attempt,
        original_run_id=original,
        previous_run_id=previous,
        ended_at=at if terminal else None,
        updated_at=at,
        durations=_ENDED if terminal else _OPEN,
        details=_details(record, detail, kind),
        raw=record if keep_raw else None,
    )


def _details(record: Mapping[str, Any], detail: Mapping[str, Any], kind: object) -> Mapping[str, Any]:
    """What an event says beyond the run: its severity, detail-type, delay notice and event id."""
    details: dict[str, Any] = {k: v for k in ("severity",) if type(v := detail.get(k)) is str}
    if type(kind) is str:
        details["detail_type"] = kind
    condition = detail.get("notificationCondition")
    if isinstance(condition, Mapping):
        details["notificationCondition"] = dict(condition)
    event_id = record.get("id")
    if type(event_id) is str and event_id:
        details["event_id"] = event_id
    return freeze_details(details)


def _provider_state(word: object, kind: object) -> Mapping[str, str]:
    words = {k: v for k, v in (("state", word), ("detail-type", kind)) if type(v) is str}
    return MappingProxyType(words) if words else EMPTY


def _bare_words(words: Mapping[str, Any], ctx: Context) -> tuple[State, Reason | None]:
    """The state and reason of a bare ``detail.state`` word, as ``state``."""
    outcome = map_word(STATE, words.get("state"), ctx, "$.detail.state")
    return outcome.state, outcome.reason


SPEC: Final = ProviderSpec(
    name="glue_events",
    build=build,
    tables={"state": STATE},
    known_values={"state": EVENT_STATES},
    native_states={word: frozenset({o.state}) for word, o in STATE.items()},
    native_edges=NATIVE_EDGES,
    provenance=PROVENANCE,
    evidence={"state": STATE_EVIDENCE},
    detect=looks_like_glue_event,
    decision=events_decision,
    state_words=StateWords(("state",), _bare_words),
)
