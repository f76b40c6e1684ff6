"""Cloud Deploy's decisions as data, for SQL: ``state``, a failure refined by its sub-type's cause.

Built from the tables :mod:`.tables` holds (``JOB_RUN_STATE``, ``SUB_TYPES`` and their failure-cause
tables): what is written here is the shape of the reader (a FAILED run refined by the ``failureCause``
of the sub-type named in ``jobRun``; an absent state is the proto3 default, STATE_UNSPECIFIED; each
name also readable as its enum number) and the durations (queue = start - create, total = end -
start). The SQL tests prove it equal to ``normalize`` on every combination of words. See docs/sql.md.
"""

from __future__ import annotations

from typing import Final

from runstate.provider_kit import (
    Decision,
    Duration,
    EnumNumbers,
    Rule,
    Span,
    Test,
    TestKind,
    grouped_rules,
)

from .tables import CAUSE_REFINES, JOB_RUN_STATE, KNOWN_JOB_RUN_STATES, SUB_TYPES

__all__ = ["QUEUE", "TOTAL", "decision"]

_STATE, _SUB, _CAUSE = "state", "jobRun", "failureCause"
_STATE_NUMBER: Final = "stateNumber"
_CAUSE_NUMBER: Final = "failureCauseNumber"
_CREATED, _STARTED, _ENDED = "createTime", "startTime", "endTime"
QUEUE: Final = Duration((((), Span(_CREATED, _STARTED)),))
"""queue = startTime - createTime; TOTAL = endTime - startTime. A negative span is kept (and
reported), one over 100 years either way is none (a sentinel time). The reader evaluates both
(:func:`~runstate.provider_kit.compile_span`), the SQL is emitted from them."""
TOTAL: Final = Duration((((), Span(_STARTED, _ENDED)),))
_DOCS: Final = {
    _STATE: "the JobRun.State name",
    _SUB: "which job_run sub-type is set: its REST key, e.g. deployJobRun",
    _CAUSE: "that sub-type's failureCause name",
    _STATE_NUMBER: "JobRun.State as its enum number, read instead of state where not NULL (default NULL)",
    _CAUSE_NUMBER: "the failureCause as its number in the enum of the jobRun sub-type, read instead of "
    "failureCause where not NULL (default NULL)",
    _CREATED: "createTime as a timestamp",
    _STARTED: "startTime as a timestamp",
    _ENDED: "endTime as a timestamp",
}


def decision() -> Decision:
    """``cloud_deploy``: a JobRun's ``provider_state`` layout (``state``, ``jobRun``, ``failureCause``,
    their enum numbers where a proto export gives them) and its three times."""
    state_enum = EnumNumbers(_STATE_NUMBER, KNOWN_JOB_RUN_STATES)
    rules: list[Rule] = []
    unmapped: list[tuple[Test, ...]] = [
        (Test(_STATE, TestKind.NOT_IN, tuple(JOB_RUN_STATE), enum=state_enum),)
    ]
    refined = [w for w, o in JOB_RUN_STATE.items() if o.state is CAUSE_REFINES]
    for key, info in SUB_TYPES.items():
        if info.table is None:
            continue
        causes = EnumNumbers(_CAUSE_NUMBER, info.causes)
        for word in refined:
            prefix = (Test(_STATE, TestKind.IN, (word,), enum=state_enum), Test(_SUB, TestKind.IN, (key,)))
            refining = {c: o for c, o in info.table.items() if o != JOB_RUN_STATE[word]}
            rules += grouped_rules(prefix, _CAUSE, refining, causes)
        known = Test(_CAUSE, TestKind.NOT_IN, tuple(info.table), enum=causes)
        unmapped.append((Test(_SUB, TestKind.IN, (key,)), known))
    rules += grouped_rules((), _STATE, JOB_RUN_STATE, state_enum)
    rules.append(Rule((Test(_STATE, TestKind.NULL, enum=state_enum),), JOB_RUN_STATE["STATE_UNSPECIFIED"]))
    return Decision(
        columns={**{w: w for w in _DOCS}, _STATE_NUMBER: "NULL", _CAUSE_NUMBER: "NULL"},
        rules=tuple(rules),
        unmapped=tuple(unmapped),
        durations={
            "queue_seconds": QUEUE,
            "total_seconds": TOTAL,
        },
        column_docs=_DOCS,
    )
