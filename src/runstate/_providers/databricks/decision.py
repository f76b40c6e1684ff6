"""The ``databricks`` (Jobs API) decisions as data, for SQL: the decision table and the durations.

The reader decides a run's state by :data:`.state_table.TABLE` (status and legacy words reconciled, as
rows of token sets); here each of its columns gets a column word and a way to tell its tokens apart,
and the rows become the rules. The durations follow :mod:`.durations`: whether the run has ended
comes from ``end_time`` and the same table's rows (terminal / still waiting / other), whether its
parts are multitask placeholders from ``format``, the parts and ``run_duration``, and only where those
leave it open from its child runs (``tasks[]`` / ``iterations[]`` entries other than itself). The
SQL tests prove it equal to ``normalize``. See docs/decisions.md and docs/sql.md.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Final

from runstate.provider_kit import (
    ABSENT,
    MAX_DURATION,
    MAX_EPOCH_MS,
    MIN_EPOCH_MS,
    TERMINAL_STATES,
    UNKNOWN_WORD,
    Cell,
    Classes,
    Count,
    Decision,
    Duration,
    Millis,
    Outcome,
    State,
    Switch,
    Test,
    TestKind,
    Token,
    is_partition,
    partition_tests,
    rules_from_cells,
)

from . import state_table as dd
from . import tables as t
from .identity import MAX_ATTEMPT
from .states import LEGACY_QUEUE_CHARS, LEGACY_QUEUE_REASONS

__all__ = ["COLUMNS", "STILL_WAITING", "decision"]

LCS, RES, V2 = "state.life_cycle_state", "state.result_state", "status.state"
CODE, TYPE, QUEUE = (
    "status.termination_details.code",
    "status.termination_details.type",
    "status.queue_details.code",
)
BY_USER, QUEUE_REASON = "state.user_cancelled_or_timedout", "state.queue_reason"
RETRY: Final = "attempt_number"
"""The retry-evidence switch is keyed by ``attempt_number`` (it also reads original_attempt_run_id)."""
COLUMNS: Final = {
    w: w
    for w in (
        LCS,
        RES,
        V2,
        CODE,
        TYPE,
        QUEUE,
        BY_USER,
        QUEUE_REASON,
        RETRY,
        "original_attempt_run_id",
        "run_id",
    )
}
"""The documented default column map: a Jobs API record (runs/get, runs/list) as nested columns."""
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
"""The decision table's columns (:data:`.state_table.COLUMNS`) as column words."""


def _domains() -> dict[str, Classes | Switch]:
    """How each column's tokens are told apart: words by their tables, flags by conditions."""
    domains: dict[str, Classes | Switch] = {
        _COLUMN_OF[c]: Classes((), True, True, tuple(dd.WORDS[c]), dd.BLANK_IS_ABSENT[c]) for c in dd.WORDS
    }
    domains[BY_USER] = Switch((("user", (Test(BY_USER, TestKind.TRUE),)), ("other", ())))
    domains[RETRY] = Switch(
        (
            # a retry's attempt: 1 up to the provider's bound (a larger one is an odd value, read as 0)
            ("retry", (Test("attempt_number", TestKind.BETWEEN, bounds=(1, MAX_ATTEMPT - 1)),)),
            ("retry", (Test("original_attempt_run_id", TestKind.DIFFERS, ("run_id",)),)),
            ("first", ()),
        )
    )
    keywords = tuple(
        (word, (Test(QUEUE_REASON, TestKind.CONTAINS, (word,), LEGACY_QUEUE_CHARS),))
        for word, _ in LEGACY_QUEUE_REASONS
    )
    domains[QUEUE_REASON] = Switch((*keywords, ("none", ())))
    return domains


def _cells() -> list[tuple[Cell, Outcome]]:
    """The decision table, each row as a cell of tokens; a plain QUEUED run without ``status`` is
    split by its legacy ``queue_reason`` keywords, as the reader does after the table."""
    plain_queued = t.OUTCOMES[State.QUEUED, None]
    tokens = {dd.ABSENT: ABSENT, dd.UNKNOWN: UNKNOWN_WORD}
    cells: list[tuple[Cell, Outcome]] = []
    for row in dd.TABLE:
        pattern = {
            _COLUMN_OF[c]: frozenset(tokens.get(x, x) for x in allowed)
            for c, allowed in zip(dd.COLUMNS, row.pattern, strict=True)
        }
        if row.outcome != plain_queued or ABSENT not in pattern[V2]:
            cells.append((pattern, row.outcome))
            continue
        no_status = {**pattern, V2: frozenset({ABSENT})}
        for word, reason in LEGACY_QUEUE_REASONS:
            cells.append(({**no_status, QUEUE_REASON: frozenset({word})}, t.OUTCOMES[State.QUEUED, reason]))
        cells.append(({**no_status, QUEUE_REASON: frozenset({"none"})}, row.outcome))
        if pattern[V2] - {ABSENT}:
            cells.append(({**pattern, V2: pattern[V2] - {ABSENT}}, row.outcome))
    return cells


def decision() -> Decision:
    """The nested ``databricks`` provider, with its documented default column map."""
    unmapped = tuple((Test(_COLUMN_OF[c], TestKind.NOT_IN, (*table, "")),) for c, table in dd.WORDS.items())
    domains, cells = _domains(), _cells()
    return Decision(
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
STILL_WAITING: Final = frozenset({State.QUEUED, State.BLOCKED, State.WAITING_FOR_RETRY})
"""The states of a run that has not started and still waits: a queue of 0 is NOT_ENDED there, and so
is every duration of a run without an end time (the set :mod:`.durations` reads)."""


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


def _timing(domains: dict[str, Classes | Switch], cells: list[tuple[Cell, Outcome]]) -> Token:
    """:data:`TIMING`: an end time in range, else the class of the outcome of the decision table's
    cells (the same cells as the state's rules, merged by class rather than by outcome)."""

    def klass(state: State) -> str:
        return "terminal" if state in TERMINAL_STATES else "waiting" if state in STILL_WAITING else "other"

    classes = partition_tests(domains, [(pattern, klass(outcome.state)) for pattern, outcome in cells])
    # the class with the most rules is left to ELSE when the cells cover every row (the table is a
    # partition): a fifth of the SQL, which keeps Spark's generated code under the JVM's method limit
    rules = Counter(c for _, c in classes)
    default = max(rules, key=lambda c: rules[c]) if is_partition(domains, cells) else "other"
    ended = ((Test(END, TestKind.BETWEEN, bounds=_EPOCH_MS),), "ended")
    return Token((ended, *((tests, c) for tests, c in classes if c != default)), default)


def _durations() -> dict[str, Duration]:
    """``read_durations`` of the provider as cases (first match): see each case's comment."""
    zero = tuple(Test(p, TestKind.ZERO_OR_NULL) for p in PARTS)
    has_run = Test(RUN_MS, TestKind.NOT_NULL)
    multi_word = Test(FORMAT, TestKind.IN, ("MULTI_TASK",))
    # multitask once ended (_multitask): format says so; parts all 0 or absent with run_duration; no
    # format, parts all 0 or absent and a child run (two while running, but then nothing differs)
    placeholders = (
        (multi_word,),
        (*zero, has_run),
        (Test(FORMAT, TestKind.NULL), *zero, Test(CHILDREN, TestKind.POSITIVE)),
    )
    measured = Test(TIMING, TestKind.IN, _MEASURED)
    wall = Millis((END,), _EPOCH_MS, minus=START)  # a span: NULL over 100 years either way
    run_total = Millis((RUN_MS,), _DURATION_MS)
    parts = {
        p.removesuffix("_duration") + "_seconds": Duration(
            (
                *((tests, None) for tests in placeholders),  # not applicable (or not ended)
                ((Test(p, TestKind.NONZERO),), Millis((p,), _DURATION_MS)),
                (
                    (Test(p, TestKind.ZERO), measured),
                    Millis((p,), _DURATION_MS),
                ),  # 0 before the end: NOT_ENDED
            )
        )
        for p in PARTS
    }
    total = Duration(
        (
            ((Test(TIMING, TestKind.IN, ("waiting", "other")),), None),  # NOT_ENDED
            ((multi_word, has_run), run_total),
            ((*zero, has_run), run_total),
            ((multi_word,), wall),  # an older multitask record: the wall time
            (placeholders[2], wall),
            (
                tuple(Test(p, TestKind.BETWEEN, bounds=_DURATION_MS) for p in PARTS),
                Millis(PARTS, _DURATION_MS),
            ),
            # a part missing: run_duration where it reads, else the wall time (_single_task_total)
            ((Test(RUN_MS, TestKind.BETWEEN, bounds=_DURATION_MS),), run_total),
            ((), wall),
        )
    )
    queue = Duration(
        (
            (
                (Test(QUEUE_MS, TestKind.ZERO_OR_NULL), Test(TIMING, TestKind.IN, ("waiting",))),
                None,
            ),  # NOT_ENDED
            ((), Millis((QUEUE_MS,), _DURATION_MS)),
        )
    )
    return {"queue_seconds": queue, **parts, "total_seconds": total}
