"""Glue's decisions as data, for SQL: the JobRunState table, a waiting run's reason, the total.

Built from the tables both readers evaluate (:mod:`.tables`: ``JOB_RUN_STATE``, which is also the
events' ``STATE``, ``WAITING_REASONS``, ``WAITING_BY_EXECUTION_CLASS``): what is written here is the
shape of the reader (a QUEUED run's reason from ``StateDetail`` keywords, else from
``ExecutionClass``), and the SQL tests prove it equal to ``normalize`` on every combination of words.
See docs/decisions.md and docs/sql.md.
"""

from __future__ import annotations

from typing import Final

from runstate.provider_kit import (
    Decision,
    Duration,
    Outcome,
    Rule,
    Span,
    State,
    Test,
    TestKind,
    grouped_rules,
)

from .tables import JOB_RUN_STATE, WAITING_BY_EXECUTION_CLASS, WAITING_DETAIL_CHARS, WAITING_REASONS

__all__ = ["TOTAL", "events_decision", "jobs_decision"]

_STATE, _DETAIL, _CLASS = "JobRunState", "StateDetail", "ExecutionClass"

TOTAL: Final = Duration((((), Span("StartedOn", "CompletedOn")),))
"""total = CompletedOn - StartedOn: a negative span kept (and reported), over 100 years either way
none (a sentinel time); the reader evaluates it (:func:`~runstate.provider_kit.compile_duration`)."""


def _queued_rules(word: str, outcome: Outcome) -> list[Rule]:
    """A QUEUED word: the first keyword of ``StateDetail`` gives the reason; a detail without one
    none; no detail, the ``ExecutionClass``'s reason, if any."""
    is_word = Test(_STATE, TestKind.IN, (word,))
    rules = [
        Rule(
            (is_word, Test(_DETAIL, TestKind.CONTAINS, (keyword,), WAITING_DETAIL_CHARS)),
            Outcome(outcome.state, r),
        )
        for keyword, r in WAITING_REASONS
    ]
    rules.append(Rule((is_word, Test(_DETAIL, TestKind.NOT_BLANK)), Outcome(outcome.state)))
    rules += [
        Rule((is_word, Test(_CLASS, TestKind.IN, (k,))), Outcome(outcome.state, r))
        for k, r in WAITING_BY_EXECUTION_CLASS.items()
    ]
    rules.append(Rule((is_word,), Outcome(outcome.state)))
    return rules


def jobs_decision() -> Decision:
    """``glue``: a GetJobRun JobRun's words and times; total = CompletedOn - StartedOn."""
    rules = [r for w, o in JOB_RUN_STATE.items() if o.state is State.QUEUED for r in _queued_rules(w, o)]
    rules += grouped_rules(
        (), _STATE, {w: o for w, o in JOB_RUN_STATE.items() if o.state is not State.QUEUED}
    )
    docs = {
        _STATE: "the JobRunState word",
        _DETAIL: "StateDetail (free text: why a WAITING run waits)",
        _CLASS: "ExecutionClass (STANDARD or FLEX)",
        "StartedOn": "StartedOn as a timestamp",
        "CompletedOn": "CompletedOn as a timestamp",
    }
    return Decision(
        columns={word: word for word in docs},
        rules=tuple(rules),
        unmapped=((Test(_STATE, TestKind.NOT_IN, tuple(JOB_RUN_STATE)),),),
        durations={"total_seconds": TOTAL},
        column_docs=docs,
    )


def events_decision() -> Decision:
    """``glue_events``: ``detail.state`` through the JobRunState table (an event carries no StateDetail)."""
    state = "detail.state"
    return Decision(
        columns={state: state},
        rules=tuple(grouped_rules((), state, JOB_RUN_STATE)),
        unmapped=((Test(state, TestKind.NOT_IN, tuple(JOB_RUN_STATE)),),),
        column_docs={state: "the event's detail.state word"},
    )
