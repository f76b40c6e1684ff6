"""The ``databricks`` (Jobs API) decision as SQL: the provider's decision table, emitted.

The normalizer reads ``_databricks_decisions.TABLE`` (status and legacy words reconciled, as rows of
token sets); this module gives each of its columns a SQL column word and says how its tokens are told
apart in SQL, and the rows become the rules. The tests prove the SQL equal to ``normalize``
(tests/test_sql_duckdb.py, tests/test_sql_databricks_durations.py).

Durations follow ``_databricks_durations`` (the provider's reader): whether the run has ended comes
from ``end_time`` and the same table's rows (classed terminal / still waiting / other), whether its
parts are multitask placeholders from ``format``, the parts and ``run_duration``, and, only where
those leave it open, from its child runs (``tasks[]`` / ``iterations[]`` entries other than itself,
counted in SQL), as the provider decides it.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Final

from .._core.vocabulary import State
from .._kit.spec import Outcome
from .._providers.databricks.identity import MAX_ATTEMPT
from ..provider_kit import MAX_DURATION, MAX_EPOCH_MS, MIN_EPOCH_MS, TERMINAL_STATES
from ._rules import (
    ABSENT,
    UNKNOWN_WORD,
    Classes,
    Count,
    Decision,
    Duration,
    Kind,
    Millis,
    Pattern,
    Switch,
    Test,
    Token,
    is_partition,
    partition_tests,
    rules_from_cells,
)

__all__ = ["COLUMNS", "databricks"]

COLUMNS: Final = {
    "state.life_cycle_state": "state.life_cycle_state",
    "state.result_state": "state.result_state",
    "status.state": "status.state",
    "status.termination_details.code": "status.termination_details.code",
    "status.termination_details.type": "status.termination_details.type",
    "status.queue_details.code": "status.queue_details.code",
    "state.user_cancelled_or_timedout": "state.user_cancelled_or_timedout",
    "state.queue_reason": "state.queue_reason",
    "attempt_number": "attempt_number",
    "original_attempt_run_id": "original_attempt_run_id",
    "run_id": "run_id",
}
"""The documented default column map: a Jobs API record (runs/get, runs/list) as nested columns."""

LCS, RES, V2 = "state.life_cycle_state", "state.result_state", "status.state"
CODE, TYPE, QUEUE = (
    "status.termination_details.code",
    "status.termination_details.type",
    "status.queue_details.code",
)
BY_USER, QUEUE_REASON = "state.user_cancelled_or_timedout", "state.queue_reason"
RETRY: Final = "attempt_number"
"""The retry-evidence switch is keyed by ``attempt_number`` (it also reads original_attempt_run_id)."""
_COLUMN_OF: Final = {
    "life_cycle_state": LCS,
    "result_state": RES,
    "status_state": V2,
    "termination_code": CODE,
    "termination_type": TYPE,
    "queue_code": QUEUE,
    "cancelled_by_user": BY_USER,
    "retry_evidence": RETRY,
}
"""The decision table's columns (``_databricks_decisions.COLUMNS``) as column words of the SQL."""


def _domains() -> dict[str, Classes | Switch]:
    """How each column's tokens are told apart in SQL: words by their tables, flags by conditions."""
    from .._providers.databricks import decisions as dd
    from .._providers.databricks import jobs as dx

    domains: dict[str, Classes | Switch] = {
        _COLUMN_OF[c]: Classes((), True, True, tuple(dd.WORDS[c]), dd.BLANK_IS_ABSENT[c]) for c in dd.WORDS
    }
    domains[BY_USER] = Switch((("user", (Test(BY_USER, Kind.TRUE),)), ("other", ())))
    domains[RETRY] = Switch(
        (
            # a retry's attempt: 1 up to the provider's bound (a larger one is an odd value, read as 0)
            ("retry", (Test("attempt_number", Kind.BETWEEN, bounds=(1, MAX_ATTEMPT - 1)),)),
            ("retry", (Test("original_attempt_run_id", Kind.DIFFERS, ("run_id",)),)),
            ("first", ()),
        )
    )
    keywords = tuple(
        (word, (Test(QUEUE_REASON, Kind.CONTAINS, (word,), dx.LEGACY_QUEUE_CHARS),))
        for word, _ in dx.LEGACY_QUEUE_REASONS
    )
    domains[QUEUE_REASON] = Switch((*keywords, ("none", ())))
    return domains


def _cells() -> list[tuple[Pattern, Outcome]]:
    """The provider's decision table, each row as a cell of SQL tokens; a plain QUEUED run without
    ``status`` is split by its legacy ``queue_reason`` keywords, as the normalizer does after the table."""
    from .._providers.databricks import decisions as dd
    from .._providers.databricks import jobs as dx
    from .._providers.databricks import tables as t

    plain_queued = t.OUTCOMES[State.QUEUED, None]
    tokens = {dd.ABSENT: ABSENT, dd.UNKNOWN: UNKNOWN_WORD}
    cells: list[tuple[Pattern, Outcome]] = []
    for row in dd.TABLE:
        pattern = {
            _COLUMN_OF[c]: frozenset(tokens.get(x, x) for x in allowed)
            for c, allowed in zip(dd.COLUMNS, row.pattern, strict=True)
        }
        if row.outcome != plain_queued or ABSENT not in pattern[V2]:
            cells.append((pattern, row.outcome))
            continue
        no_status = {**pattern, V2: frozenset({ABSENT})}
        for word, reason in dx.LEGACY_QUEUE_REASONS:
            cells.append(({**no_status, QUEUE_REASON: frozenset({word})}, t.OUTCOMES[State.QUEUED, reason]))
        cells.append(({**no_status, QUEUE_REASON: frozenset({"none"})}, row.outcome))
        if pattern[V2] - {ABSENT}:
            cells.append(({**pattern, V2: pattern[V2] - {ABSENT}}, row.outcome))
    return cells


def databricks() -> Decision:
    """The nested ``databricks`` provider, with its documented default column map."""
    from .._providers.databricks import decisions as dd

    unmapped = tuple((Test(_COLUMN_OF[c], Kind.NOT_IN, (*table, "")),) for c, table in dd.WORDS.items())
    domains, cells = _domains(), _cells()
    return Decision(
        provider="databricks",
        columns={**COLUMNS, **_TIME_COLUMNS},
        rules=tuple(rules_from_cells(domains, cells)),
        unmapped=unmapped,
        durations=_durations(),
        column_docs={**_DOCS, **_TIME_DOCS},
        derived={TIMING: _timing(domains, cells), CHILDREN: Count((TASKS, ITERATIONS), "run_id", "run_id")},
    )


START, END, QUEUE_MS, RUN_MS = "start_time", "end_time", "queue_duration", "run_duration"
PARTS: Final = ("setup_duration", "execution_duration", "cleanup_duration")
FORMAT, TASKS, ITERATIONS = "format", "tasks", "iterations"
_TIME_COLUMNS: Final = {
    START: START,
    END: END,
    QUEUE_MS: QUEUE_MS,
    **{p: p for p in PARTS},
    RUN_MS: RUN_MS,
    TASKS: TASKS,
    FORMAT: "NULL",  # not in databricks-sdk 0.156.0's Run: older records only
    ITERATIONS: "NULL",  # only a for-each task run fetched by id has them
}
"""The columns of the durations, by default the record's own fields but two most records lack."""
_TIME_DOCS: Final = {
    START: "start_time (epoch milliseconds)",
    END: "end_time (epoch milliseconds; 0 while the run has not ended)",
    QUEUE_MS: "queue_duration (milliseconds)",
    **{p: f"{p} (milliseconds; 0 for a multitask run)" for p in PARTS},
    RUN_MS: "run_duration (milliseconds: a multitask run's total)",
    TASKS: "tasks (the array of task runs, each with its run_id; NULL without it)",
    FORMAT: "format (SINGLE_TASK or MULTI_TASK, where the records have it; default NULL)",
    ITERATIONS: "iterations (a for-each task run's array of runs, each with its run_id; default NULL)",
}

TIMING: Final = "(timing)"
"""A derived column: ``ended`` (an end time), else the class of the state the rules give:
``terminal``, ``waiting`` (QUEUED, BLOCKED, WAITING_FOR_RETRY) or ``other``."""
CHILDREN: Final = "(children)"
"""A derived column: how many child runs the run lists (entries of tasks[] / iterations[] but itself)."""
_MEASURED: Final = ("ended", "terminal")


_DOCS: Final = {
    LCS: "legacy state.life_cycle_state",
    RES: "legacy state.result_state",
    V2: "status.state",
    CODE: "status.termination_details.code",
    TYPE: "status.termination_details.type",
    QUEUE: "status.queue_details.code",
    BY_USER: "state.user_cancelled_or_timedout (boolean)",
    QUEUE_REASON: "state.queue_reason (free text of a legacy QUEUED run)",
    "attempt_number": "attempt_number (a retry when above 0)",
    "original_attempt_run_id": "original_attempt_run_id (a retry when not run_id)",
    "run_id": "run_id",
}
_MAX_MS: Final = MAX_DURATION // timedelta(milliseconds=1)
_DURATION_MS: Final = (-_MAX_MS, _MAX_MS)
"""What ``duration_from_ms`` reads of an integer: up to 100 years either way (a negative one is kept
and reported, a longer one reported and dropped)."""
_EPOCH_MS: Final = (MIN_EPOCH_MS, MAX_EPOCH_MS)
"""What ``time_from_epoch_ms`` reads of an integer as a time (0, "not set", and the rest are none)."""


def _timing(domains: dict[str, Classes | Switch], cells: list[tuple[Pattern, Outcome]]) -> Token:
    """:data:`TIMING`: an end time in range, else the class of the outcome of the decision table's
    cells (the same cells as the state's rules, merged by class rather than by outcome)."""
    from .._providers.databricks import durations as dd

    waiting = dd._STILL_WAITING  # noqa: SLF001 - the reader's own set: a queue of 0 is NOT_ENDED there

    def klass(state: State) -> str:
        return "terminal" if state in TERMINAL_STATES else "waiting" if state in waiting else "other"

    classes = partition_tests(domains, [(pattern, klass(outcome.state)) for pattern, outcome in cells])
    # the class with the most rules is left to ELSE when the cells cover every row (the table is a
    # partition): a fifth of the SQL, which keeps Spark's generated code under the JVM's method limit
    rules = Counter(c for _, c in classes)
    default = max(rules, key=lambda c: rules[c]) if is_partition(domains, cells) else "other"
    ended = ((Test(END, Kind.BETWEEN, bounds=_EPOCH_MS),), "ended")
    return Token((ended, *((tests, c) for tests, c in classes if c != default)), default)


def _durations() -> dict[str, Duration]:
    """``read_durations`` of the provider as cases (first match): see each case's comment."""
    zero = tuple(Test(p, Kind.ZERO_OR_NULL) for p in PARTS)
    has_run = Test(RUN_MS, Kind.NOT_NULL)
    multi_word = Test(FORMAT, Kind.IN, ("MULTI_TASK",))
    # multitask once ended (_multitask): format says so; parts all 0 or absent with run_duration; no
    # format, parts all 0 or absent and a child run (two while running, but then nothing differs)
    placeholders = (
        (multi_word,),
        (*zero, has_run),
        (Test(FORMAT, Kind.NULL), *zero, Test(CHILDREN, Kind.POSITIVE)),
    )
    measured = Test(TIMING, Kind.IN, _MEASURED)
    # over 100 years either way: a sentinel time, missing (a shorter negative one is kept)
    wall = Millis((END,), _EPOCH_MS, minus=START, most=_MAX_MS, least=-_MAX_MS)
    run_total = Millis((RUN_MS,), _DURATION_MS)
    parts = {
        p.removesuffix("_duration") + "_seconds": Duration(
            (
                *((tests, None) for tests in placeholders),  # not applicable (or not ended)
                ((Test(p, Kind.NONZERO),), Millis((p,), _DURATION_MS)),
                ((Test(p, Kind.ZERO), measured), Millis((p,), _DURATION_MS)),  # 0 before the end: NOT_ENDED
            )
        )
        for p in PARTS
    }
    total = Duration(
        (
            ((Test(TIMING, Kind.IN, ("waiting", "other")),), None),  # NOT_ENDED
            ((multi_word, has_run), run_total),
            ((*zero, has_run), run_total),
            ((multi_word,), wall),  # an older multitask record: the wall time
            (placeholders[2], wall),
            (tuple(Test(p, Kind.BETWEEN, bounds=_DURATION_MS) for p in PARTS), Millis(PARTS, _DURATION_MS)),
            # a part missing: run_duration where it reads, else the wall time (_single_task_total)
            ((Test(RUN_MS, Kind.BETWEEN, bounds=_DURATION_MS),), run_total),
            ((), wall),
        )
    )
    queue = Duration(
        (
            ((Test(QUEUE_MS, Kind.ZERO_OR_NULL), Test(TIMING, Kind.IN, ("waiting",))), None),  # NOT_ENDED
            ((), Millis((QUEUE_MS,), _DURATION_MS)),
        )
    )
    return {"queue_seconds": queue, **parts, "total_seconds": total}
