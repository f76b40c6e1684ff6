"""A third-party provider whose runs are re-run in place, written as docs/write-a-provider.md shows.

Step Functions-like: a record is a ``DescribeExecution`` output (botocore ``stepfunctions``
2016-11-23): ``executionArn``, ``status`` (``ExecutionStatus``: RUNNING, SUCCEEDED, FAILED,
TIMED_OUT, ABORTED, PENDING_REDRIVE), ``startDate``, ``stopDate`` and ``redriveCount`` ("The number
of times you've redriven an execution. If you have not yet redriven an execution, the
``redriveCount`` is 0."). ``RedriveExecution`` restarts "failed, aborted, or timed out executions"
under "the same [...] execution ARN". It uses only ``runstate`` and ``runstate.provider_kit``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from types import MappingProxyType
from typing import Any, Final

import runstate
from runstate.provider_kit import (
    EMPTY,
    Context,
    NativeEdge,
    Outcome,
    ProviderSpec,
    Run,
    State,
    freeze_details,
    make_run,
    map_word,
    opt_int,
    required_id,
    time_from_value,
)

NAME: Final = "sfn_demo"

STATUS: Final = MappingProxyType(
    {
        "RUNNING": Outcome(State.RUNNING),
        "SUCCEEDED": Outcome(State.SUCCEEDED),
        "FAILED": Outcome(State.FAILED),
        "TIMED_OUT": Outcome(State.TIMED_OUT),
        "ABORTED": Outcome(State.CANCELED),
        "PENDING_REDRIVE": Outcome(State.PENDING),
    }
)


def build(record: Any, ctx: Context, keep_raw: bool) -> Run:
    """One ``DescribeExecution`` output to a run; ``redriveCount`` kept as ``details["redrive_count"]``."""
    if not isinstance(record, dict):
        ctx.report("fail", "$", record, "expected an object")
    word = record.get("status")
    outcome = map_word(STATUS, word, ctx, "$.status")
    redrives = opt_int(record.get("redriveCount"), ctx, "$.redriveCount", default=0)
    return make_run(
        NAME,
        required_id(record.get("executionArn"), ctx, "$.executionArn"),
        state=outcome.state,
        reason=outcome.reason,
        provider_state={"status": word} if isinstance(word, str) else {},
        started_at=time_from_value(record.get("startDate"), ctx, "$.startDate"),
        ended_at=time_from_value(record.get("stopDate"), ctx, "$.stopDate"),
        details=freeze_details({"redrive_count": redrives}) if redrives else EMPTY,
        raw=record if keep_raw else None,
    )


def redrives(run: Run) -> int:
    """The execution's ``redriveCount``, as the run's details keep it."""
    count = run.details.get("redrive_count", 0)
    return count if type(count) is int else 0


REDRIVABLE: Final = ("FAILED", "TIMED_OUT", "ABORTED")

SPEC: Final = ProviderSpec(
    name=NAME,
    build=build,
    tables={"status": STATUS},
    known_values={"status": tuple(STATUS)},
    native_states={word: frozenset({o.state}) for word, o in STATUS.items()},
    native_edges=(
        *(NativeEdge("RUNNING", end) for end in ("SUCCEEDED", *REDRIVABLE)),
        *(NativeEdge(end, "PENDING_REDRIVE", repair=True) for end in REDRIVABLE),
        NativeEdge("PENDING_REDRIVE", "RUNNING"),
    ),
    provenance="botocore stepfunctions 2016-11-23 (ExecutionStatus)",
    rerun_states={State.FAILED, State.TIMED_OUT, State.CANCELED},
    reruns=redrives,
    final_states={State.SUCCEEDED},
)


@contextmanager
def registered() -> Iterator[str]:
    """The provider registered in the default registry for the duration of the block."""
    runstate.register_provider(SPEC)
    try:
        yield NAME
    finally:
        runstate.REGISTRY.unregister(NAME)
