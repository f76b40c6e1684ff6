"""A third-party provider, written the way an adapter author outside runstate would write one.

"Acme Pipelines" reports runs as ``{"id": ..., "status": "queued|running|done|error|stopped", ...}``
with ISO 8601 times. It uses only ``runstate`` and ``runstate.provider_kit``, and declares its decision
as data so that ``runstate.sql`` normalizes its runs in a warehouse too.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Final

from runstate.provider_kit import (
    Context,
    Decision,
    Duration,
    Durations,
    Missing,
    NativeEdge,
    Outcome,
    ProviderSpec,
    Reason,
    Run,
    Span,
    State,
    Test,
    TestKind,
    check_order,
    grouped_rules,
    map_word,
    opt_str,
    required_id,
    time_from_value,
)

STATUS: Final = MappingProxyType(
    {
        "queued": Outcome(State.QUEUED),
        "running": Outcome(State.RUNNING),
        "done": Outcome(State.SUCCEEDED),
        "error": Outcome(State.FAILED, Reason.USER_ERROR),
        "stopped": Outcome(State.CANCELED, Reason.CANCELED_BY_USER),
    }
)


def build(record: Any, ctx: Context, keep_raw: bool) -> Run:
    if not isinstance(record, Mapping):
        ctx.fail("$", record, "expected an object")
    word = record.get("status")
    outcome = map_word(STATUS, word, ctx, "$.status")
    started = time_from_value(record.get("started"), ctx, "$.started")
    ended = time_from_value(record.get("ended"), ctx, "$.ended")
    check_order(started, ended, ctx, "$.ended")
    total = ended - started if started and ended else None
    missing = {} if total is not None else {"total": Missing.NOT_ENDED}
    return Run(
        provider="acme",
        run_id=required_id(record.get("id"), ctx, "$.id"),
        name=opt_str(record.get("pipeline"), ctx, "$.pipeline"),
        state=outcome.state,
        reason=outcome.reason,
        provider_state={"status": word} if isinstance(word, str) else {},
        started_at=started,
        ended_at=ended,
        durations=Durations(total=total, missing=missing),
        raw=record if keep_raw else None,
    )


DECISION: Final = Decision(
    columns={"status": "status", "started": "started", "ended": "ended"},
    rules=tuple(grouped_rules((), "status", STATUS)),
    unmapped=((Test("status", TestKind.NOT_IN, tuple(STATUS)),),),
    durations={"total_seconds": Duration((((), Span("started", "ended")),))},
    column_docs={
        "status": "the status word",
        "started": "started (a timestamp)",
        "ended": "ended (a timestamp)",
    },
)
"""The same table ``build`` reads, as SQL rules; the total is ``ended - started``."""

SPEC: Final = ProviderSpec(
    name="acme",
    build=build,
    tables={"status": STATUS},
    known_values={"status": ("queued", "running", "done", "error", "stopped")},
    native_states={word: frozenset({o.state}) for word, o in STATUS.items()},
    native_edges=(
        NativeEdge("queued", "running"),
        NativeEdge("queued", "stopped"),
        NativeEdge("running", "done"),
        NativeEdge("running", "error"),
        NativeEdge("running", "stopped"),
    ),
    provenance="Acme Pipelines API v3 (made up for the tests)",
    decision=DECISION,
)
