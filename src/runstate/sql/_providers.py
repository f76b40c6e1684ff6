"""Each provider's normalizer as a :class:`~runstate.sql._rules.Decision`, read from its own tables.

Nothing here retypes a mapping: the words and outcomes come from the provider modules' tables and data
(``JOB_RUN_STATE``, ``WAITING_REASONS``, ``SUB_TYPES`` ...). What is written here is only the *shape*
of each normalizer (which table applies when), and the tests prove it equal to ``normalize`` on every
combination of words (tests/test_sql_duckdb.py).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Final

from .._core.context import Context
from .._core.durations import MAX_DURATION
from .._core.vocabulary import State
from .._kit.spec import Outcome
from ._databricks import databricks
from ._rules import (
    Classes,
    Decision,
    Duration,
    Enum,
    Kind,
    Rule,
    Span,
    Test,
    grouped_rules,
    rules_from_function,
)

__all__ = ["DECISIONS", "decision"]


def _glue() -> Decision:
    """``JobRunState``; a QUEUED run's reason from ``StateDetail`` keywords, else ``ExecutionClass``."""
    from .._providers.glue import jobs as g

    state, detail, klass = "JobRunState", "StateDetail", "ExecutionClass"
    rules: list[Rule] = []
    for word, outcome in g.JOB_RUN_STATE.items():
        if outcome.state is not State.QUEUED:
            continue
        is_word = Test(state, Kind.IN, (word,))
        plain = Outcome(outcome.state)
        rules += [
            Rule(
                (is_word, Test(detail, Kind.CONTAINS, (keyword,), g.WAITING_DETAIL_CHARS)),
                Outcome(plain.state, r),
            )
            for keyword, r in g.WAITING_REASONS
        ]
        rules.append(Rule((is_word, Test(detail, Kind.NOT_BLANK)), plain))
        rules += [
            Rule((is_word, Test(klass, Kind.IN, (k,))), Outcome(plain.state, r))
            for k, r in g.WAITING_BY_EXECUTION_CLASS.items()
        ]
        rules.append(Rule((is_word,), plain))
    others = {w: o for w, o in g.JOB_RUN_STATE.items() if o.state is not State.QUEUED}
    rules += grouped_rules((), state, others)
    return Decision(
        provider="glue",
        columns={
            state: "JobRunState",
            detail: "StateDetail",
            klass: "ExecutionClass",
            "StartedOn": "StartedOn",
            "CompletedOn": "CompletedOn",
        },
        rules=tuple(rules),
        unmapped=((Test(state, Kind.NOT_IN, tuple(g.JOB_RUN_STATE)),),),
        # the provider's total: CompletedOn - StartedOn, over 100 years either way (a sentinel time)
        # missing, a shorter negative one kept (reported by normalize)
        durations={
            "total_seconds": Duration((((), Span("StartedOn", "CompletedOn", within=(-MAX_US, MAX_US))),))
        },
        column_docs={
            state: "the JobRunState word",
            detail: "StateDetail (free text: why a WAITING run waits)",
            klass: "ExecutionClass (STANDARD or FLEX)",
            "StartedOn": "StartedOn as a timestamp",
            "CompletedOn": "CompletedOn as a timestamp",
        },
    )


def _cloud_deploy() -> Decision:
    """``state``; FAILED refined by the ``failureCause`` of the sub-type named in ``jobRun``.

    The layout is the run's ``provider_state``: ``state``, ``jobRun`` (the REST key of the set
    sub-type, e.g. ``deployJobRun``) and ``failureCause`` (that sub-type's cause), each name also
    readable as its enum number (``stateNumber``, ``failureCauseNumber``: a cause's number is read in
    the enum of the row's sub-type, as the normalizer reads it); durations from the three times.
    """
    from .._providers.cloud_deploy import tables as cd

    state, sub, cause = "state", "jobRun", "failureCause"
    state_enum = Enum(_STATE_NUMBER, cd.KNOWN_JOB_RUN_STATES)
    rules: list[Rule] = []
    unmapped: list[tuple[Test, ...]] = [(Test(state, Kind.NOT_IN, tuple(cd.JOB_RUN_STATE), enum=state_enum),)]
    for word, outcome in cd.JOB_RUN_STATE.items():
        if outcome.state is not cd.CAUSE_REFINES:
            continue
        for key, info in cd.SUB_TYPES.items():
            if info.table is None:
                continue
            prefix = (Test(state, Kind.IN, (word,), enum=state_enum), Test(sub, Kind.IN, (key,)))
            refining = {c: o for c, o in info.table.items() if o != outcome}
            rules += grouped_rules(prefix, cause, refining, Enum(_CAUSE_NUMBER, info.causes))
    for key, info in cd.SUB_TYPES.items():
        if info.table is not None:
            known = Test(cause, Kind.NOT_IN, tuple(info.table), enum=Enum(_CAUSE_NUMBER, info.causes))
            unmapped.append((Test(sub, Kind.IN, (key,)), known))
    rules += grouped_rules((), state, cd.JOB_RUN_STATE, state_enum)
    # an absent state is the proto3 default, STATE_UNSPECIFIED
    rules.append(Rule((Test(state, Kind.NULL, enum=state_enum),), cd.JOB_RUN_STATE["STATE_UNSPECIFIED"]))
    created, started, ended = "createTime", "startTime", "endTime"
    return Decision(
        provider="cloud_deploy",
        columns={
            state: "state",
            sub: "jobRun",
            cause: "failureCause",
            _STATE_NUMBER: "NULL",
            _CAUSE_NUMBER: "NULL",
            created: created,
            started: started,
            ended: ended,
        },
        rules=tuple(rules),
        unmapped=tuple(unmapped),
        # the provider's _durations: queue = start - create, total = end - start, each NULL without
        # one of its times or over 100 years either way, a negative span kept (reported, never clamped)
        durations={
            "queue_seconds": Duration((((), Span(created, started, within=(-MAX_US, MAX_US))),)),
            "total_seconds": Duration((((), Span(started, ended, within=(-MAX_US, MAX_US))),)),
        },
        column_docs={
            state: "the JobRun.State name",
            sub: "which job_run sub-type is set: its REST key, e.g. deployJobRun",
            cause: "that sub-type's failureCause name",
            _STATE_NUMBER: "JobRun.State as its enum number, read instead of state where not NULL "
            "(default NULL)",
            _CAUSE_NUMBER: "the failureCause as its number in the enum of the jobRun sub-type, read "
            "instead of failureCause where not NULL (default NULL)",
            created: "createTime as a timestamp",
            started: "startTime as a timestamp",
            ended: "endTime as a timestamp",
        },
    )


MAX_US: Final = MAX_DURATION // timedelta(microseconds=1)
"""The longest span a provider keeps (100 years), in microseconds: a longer one is a sentinel time."""
_STATE_NUMBER: Final = "stateNumber"
_CAUSE_NUMBER: Final = "failureCauseNumber"


def _glue_events() -> Decision:
    """``detail.state``: the Glue ``JobRunState`` table itself (an event carries no StateDetail)."""
    from .._providers.glue import events as ge

    state = "detail.state"
    return Decision(
        provider="glue_events",
        columns={state: "detail.state"},
        rules=tuple(grouped_rules((), state, ge.STATE)),
        unmapped=((Test(state, Kind.NOT_IN, tuple(ge.STATE)),),),
        column_docs={state: "the event's detail.state word"},
    )


_SYSTEM_PARTS: Final = ("queue", "setup", "execution", "cleanup")


def _databricks_system() -> Decision:
    """result_state, termination_code and type, decided by the provider's own decision function over
    every class of word; durations from the end row's ``*_duration_seconds`` (see the provider)."""
    from .._providers.databricks import system as ds

    names = {"result_state": ds.RESULT_STATE, "termination_code": ds.TERMINATION_CODE}
    names["termination_type"] = ds.TERMINATION_TYPE
    context = Context("databricks_system", strict=False)

    def decide(words: Mapping[str, str | None]) -> Outcome:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # unknown words are reported by normalize; here they are data
            return ds._outcome({k: v for k, v in words.items() if v is not None}, context)[0]  # noqa: SLF001 - the Databricks decision table, read as data by the SQL generator

    known = {name: tuple(table) for name, table in names.items()}
    rules = rules_from_function(known, decide)
    unmapped = tuple(
        (Test(name, Kind.CLASSES, classes=Classes((), False, True, words)),) for name, words in known.items()
    )
    columns = {name: name for name in names}
    parts = [f"{p}_duration_seconds" for p in (*_SYSTEM_PARTS, "run")]
    columns.update({p: p for p in parts})
    columns.update(period_start_time="period_start_time", period_end_time="period_end_time")
    durations = _system_durations(parts)
    return Decision(
        provider="databricks_system",
        columns=columns,
        rules=tuple(rules),
        unmapped=unmapped,
        durations=durations,
        column_docs={
            "result_state": "result_state (only on the row that ends a run)",
            "termination_code": "termination_code",
            "termination_type": "termination_type",
            **{p: f"{p} (numeric seconds)" for p in parts},
            "period_start_time": "period_start_time as a timestamp",
            "period_end_time": "period_end_time as a timestamp",
        },
    )


def _system_durations(parts: list[str]) -> dict[str, Duration]:
    """The provider's duration rules as data: none before the end row, NOT_REPORTED on rows that
    predate the columns (total: the slices' span), not applicable parts of a multitask run."""
    # any end column marks the end row (the provider's _outcome); none: an open slice
    not_ended = tuple(
        Test(name, Kind.BLANK) for name in ("result_state", "termination_code", "termination_type")
    )
    legacy = (*(Test(p, Kind.ZERO_OR_NULL) for p in parts), Test("termination_type", Kind.BLANK))
    no_columns = tuple(Test(p, Kind.NULL) for p in parts)  # an end row without duration columns
    multitask = (
        Test("run_duration_seconds", Kind.NONZERO),
        *(Test(f"{p}_duration_seconds", Kind.ZERO) for p in ("setup", "execution", "cleanup")),
    )
    # the period as total: over 100 years (a sentinel time) NULL, as normalize leaves it missing
    span = Span("period_start_time", "period_end_time", nonnegative=True, within=(None, MAX_US))
    return {
        "queue_seconds": Duration(
            ((not_ended, None), (legacy, None), (no_columns, None), ((), "queue_duration_seconds"))
        ),
        **{
            f"{p}_seconds": Duration(
                (
                    (not_ended, None),
                    (legacy, None),
                    (no_columns, None),
                    (multitask, None),
                    ((), f"{p}_duration_seconds"),
                )
            )
            for p in _SYSTEM_PARTS[1:]
        },
        "total_seconds": Duration(
            (
                (not_ended, None),
                (legacy, span),
                (no_columns, span),
                ((), "run_duration_seconds"),
            )
        ),
    }


DECISIONS: Final[dict[str, Callable[[], Decision]]] = {
    "glue": _glue,
    "cloud_deploy": _cloud_deploy,
    "databricks": databricks,
    "databricks_system": _databricks_system,
    "glue_events": _glue_events,
}
"""The providers the SQL generator covers, by name."""

_BUILT: dict[str, Decision] = {}


def decision(provider: str) -> Decision:
    """The decision of a provider (built once)."""
    found = _BUILT.get(provider)
    if found is None:
        found = _BUILT[provider] = DECISIONS[provider]()
    return found
