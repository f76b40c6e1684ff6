"""Databricks' state decision as a table: the classes of a run's state words to its outcome.

The Jobs API gives two models of a run's state, the legacy ``state`` (life cycle, result, who
cancelled) and ``status`` (state, termination code and type, queue code). Each is a list of *cells*
below, written from the mapping tables (``tables``): a cell is a pattern (for each column,
the set of tokens it covers: known words, :data:`ABSENT`, :data:`UNKNOWN`) and what that model says.
Every pair of a status cell and a legacy cell is decided once, at import, by :func:`reconcile` (status
wins on phase, the legacy word refines; docs/decisions.md), and the pairs are merged into
:data:`TABLE`, a few dozen rows that partition every combination of words. :func:`decide` reads it
for the normalizer (``_databricks._resolve``) and :mod:`runstate.sql` emits the same rows as SQL.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Mapping
from typing import Final, NamedTuple

from runstate.provider_kit import GRAPH, TERMINAL_STATES, Outcome, Reason, State, merge_patterns

from . import tables as t

__all__ = ["ABSENT", "COLUMNS", "TABLE", "UNKNOWN", "Row", "decide", "reconcile", "token"]

ABSENT: Final = "\x00absent"
"""The token of a word that is not there (``None``; ``""`` too where the column says so)."""
UNKNOWN: Final = "\x00unknown"
"""The token of a word no table knows (reported by the normalizer)."""

LCS, RES, V2, CODE, TYPE, QUEUE = (
    "life_cycle_state", "result_state", "status_state", "termination_code", "termination_type", "queue_code",
)  # fmt: skip
BY_USER, RETRY = "cancelled_by_user", "retry_evidence"
COLUMNS: Final = (LCS, RES, V2, CODE, TYPE, QUEUE, BY_USER, RETRY)
"""The table's columns, in the order of a row's pattern."""

WORDS: Final[Mapping[str, Mapping[str, Outcome]]] = {
    LCS: t.RUN_LIFE_CYCLE_STATE,
    RES: t.RUN_RESULT_STATE,
    V2: t.RUN_LIFECYCLE_STATE_V2_STATE,
    CODE: t.TERMINATION_CODE_CODE,
    TYPE: t.TERMINATION_TYPE_TYPE,
    QUEUE: t.QUEUE_DETAILS_CODE_CODE,
}
"""The table each word column is read with."""
FLAGS: Final = {BY_USER: ("user", "other"), RETRY: ("retry", "first")}
"""The two tokens of each flag column: ``user_cancelled_or_timedout`` is true or not; the run shows a
retry (``attempt_number > 0`` or an ``original_attempt_run_id`` other than its own) or not."""
BLANK_IS_ABSENT: Final = {LCS: True, RES: True, V2: False, CODE: False, TYPE: True, QUEUE: True}
"""Whether ``""`` is read as absent: a ``""`` status state or code is there (the state is not absent,
the code is "given but unknown", so the type's verdict applies), though it maps to nothing."""


def token(column: str, value: object) -> str:
    """The token of a raw word: itself if its table knows it, else :data:`ABSENT` or :data:`UNKNOWN`."""
    if value is None or (value == "" and BLANK_IS_ABSENT[column]):
        return ABSENT
    return value if type(value) is str and value in WORDS[column] else UNKNOWN


class Row(NamedTuple):
    """One row of the table: the tokens each column may hold, and the decision (of a job run, and of
    a task run, which no job setting such as ``max_concurrent_runs`` holds back)."""

    pattern: tuple[frozenset[str], ...]
    outcome: Outcome
    conflict: str | None
    task_outcome: Outcome


Pattern = dict[str, frozenset[str]]
_OTHER: Final = frozenset({ABSENT, UNKNOWN})


def _words(*words: str) -> frozenset[str]:
    return frozenset(words)


class _Cell(NamedTuple):
    pattern: Pattern
    outcome: Outcome | None
    terminated: bool = False
    """``status.state`` is TERMINATED: a legacy outcome then stands only if it is terminal."""
    default: Outcome | None = None
    """A legacy SKIPPED read by the life cycle's own docstring ("a previous run of the same job was
    already active"), not by a result: a termination code of the same state decides its reason, and
    a task run has this outcome instead (the docstring is about job runs)."""


def _grouped(
    prefix: Pattern, column: str, table: Mapping[str, Outcome | None], terminated: bool = False
) -> list[_Cell]:
    by_outcome: dict[Outcome | None, list[str]] = {}
    for word, outcome in table.items():
        by_outcome.setdefault(outcome, []).append(word)
    return [_Cell({**prefix, column: frozenset(w)}, o, terminated) for o, w in by_outcome.items()]


def _terminated_cells() -> list[_Cell]:
    """TERMINATED: the code and the type's verdict (``CODE_AND_TYPE``); an unknown or absent code with
    an error verdict is FAILED with the verdict's reason (the SDK's ``as_dict`` drops a code it does not
    know and keeps the type; ``databricks_system`` reads a type without a code so); else no outcome."""
    terminated: Pattern = {V2: _words("TERMINATED")}
    cells: list[_Cell] = []
    for type_ in (*t.TERMINATION_TYPE_TYPE, None):
        table = {code: t.CODE_AND_TYPE[code, type_] for code in t.TERMINATION_CODE_CODE}
        types = _OTHER if type_ is None else _words(type_)
        cells += _grouped({**terminated, TYPE: types}, CODE, table, terminated=True)
        verdict = (
            t.OUTCOMES[State.FAILED, t.TERMINATION_TYPE_TYPE[type_].reason]
            if type_ in t.FAILURE_TYPES
            else None
        )
        cells.append(_Cell({**terminated, CODE: _OTHER, TYPE: types}, verdict, terminated=True))
    return cells


def status_cells() -> list[_Cell]:
    """The ``status`` model, as disjoint cells over its columns (and the legacy WAITING_FOR_RETRY)."""
    cells = _terminated_cells()
    waiting: Pattern = {V2: _words("WAITING")}
    not_retrying = frozenset({*t.RUN_LIFE_CYCLE_STATE, *_OTHER} - {"WAITING_FOR_RETRY"})
    cells += [  # WAITING is a retry only with evidence of one, else a deliberate delay
        _Cell({**waiting, LCS: _words("WAITING_FOR_RETRY")}, t.RETRY_WAIT),
        _Cell({**waiting, LCS: not_retrying, RETRY: _words("retry")}, t.RETRY_WAIT),
        _Cell(
            {**waiting, LCS: not_retrying, RETRY: _words("first")}, t.RUN_LIFECYCLE_STATE_V2_STATE["WAITING"]
        ),
    ]
    queued: Pattern = {V2: _words("QUEUED")}
    cells += _grouped(queued, QUEUE, t.QUEUE_DETAILS_CODE_CODE)
    cells.append(_Cell({**queued, QUEUE: _OTHER}, t.OUTCOMES[State.QUEUED, None]))
    special = ("TERMINATED", "QUEUED", "WAITING")
    cells += _grouped({}, V2, {w: o for w, o in t.RUN_LIFECYCLE_STATE_V2_STATE.items() if w not in special})
    cells.append(_Cell({V2: _OTHER}, None))
    return cells


def _by_user(outcome: Outcome | None, user: bool) -> Outcome | None:
    """A CANCELED result with ``user_cancelled_or_timedout`` is CANCELED_BY_USER: the flag is set when
    the run was "canceled manually by a user or by the scheduler because the run timed out" (SDK
    ``RunState``), and a run stopped at its timeout has the result TIMEDOUT ("stopped after reaching
    the timeout"), not CANCELED ("canceled at user request"): docs/decisions.md."""
    if user and outcome is not None and outcome.state is State.CANCELED and outcome.reason is None:
        return t.OUTCOMES[State.CANCELED, Reason.CANCELED_BY_USER]
    return outcome


def legacy_cells() -> list[_Cell]:
    """The legacy ``state``: TERMINATED by its result; SKIPPED by its result when that is a skip, else
    "a previous run was active" (a default, see :attr:`_Cell.default`); any other life cycle by its table."""
    skipped_active = t.RUN_LIFE_CYCLE_STATE["SKIPPED"]
    cells: list[_Cell] = []
    for user, flag in ((True, "user"), (False, "other")):
        terminated: Pattern = {LCS: _words("TERMINATED"), BY_USER: _words(flag)}
        results = {w: _by_user(o, user) for w, o in t.RUN_RESULT_STATE.items()}
        cells += [*_grouped(terminated, RES, results), _Cell({**terminated, RES: _OTHER}, None)]
        skipped: Pattern = {LCS: _words("SKIPPED"), BY_USER: _words(flag)}
        skips = {w: o for w, o in t.RUN_RESULT_STATE.items() if o.state is State.SKIPPED}
        not_skips = frozenset({*t.RUN_RESULT_STATE, *_OTHER} - set(skips))
        cells += [
            *_grouped(skipped, RES, skips),
            _Cell({**skipped, RES: not_skips}, skipped_active, default=t.TASK_SKIPPED),
        ]
    others = {w: o for w, o in t.RUN_LIFE_CYCLE_STATE.items() if w not in ("TERMINATED", "SKIPPED")}
    cells += _grouped({}, LCS, others)
    cells.append(_Cell({LCS: _OTHER}, None))
    return cells


def reconcile(status: Outcome, legacy: Outcome) -> tuple[Outcome, str | None]:
    """``status`` wins on phase; the legacy outcome refines it or, if it contradicts it, is a conflict."""
    if status.state is legacy.state:
        if status.reason is None and legacy.reason is not None:
            return t.OUTCOMES[status.state, legacy.reason], None
        return status, None
    if (
        status.state is State.CANCELED
        and legacy.state is State.TIMED_OUT
        and status.reason is not Reason.CANCELED_BY_USER
    ):  # a platform cancel that the legacy state says was the timeout; a user cancel is a contradiction
        return legacy, None
    if status.state in TERMINAL_STATES and legacy.state in TERMINAL_STATES:
        return status, f"status says {status.state}, state says {legacy.state}"
    if not GRAPH.is_legal(legacy.state, status.state):
        return status, f"status says {status.state}, state is ahead at {legacy.state}"
    return status, None


_UNKNOWN: Final = t.OUTCOMES[State.UNKNOWN, None]


def _combined(status: _Cell, legacy: _Cell, task: bool) -> tuple[Outcome, str | None]:
    """The decision of one status cell beside one legacy cell, for a job run or a task run."""
    legacy_outcome = legacy.default if task and legacy.default is not None else legacy.outcome
    if status.outcome is not None and legacy_outcome is not None:
        if legacy.default is not None and status.terminated and status.outcome.state is legacy_outcome.state:
            return status.outcome, None  # the termination code says why it was skipped, or that it does not
        return reconcile(status.outcome, legacy_outcome)
    if status.outcome is not None:
        return status.outcome, None
    if legacy_outcome is not None and (not status.terminated or legacy_outcome.state in TERMINAL_STATES):
        return legacy_outcome, None
    return _UNKNOWN, None  # no usable state: the normalizer reports what is missing


def _all_tokens(column: str) -> frozenset[str]:
    return frozenset(FLAGS[column]) if column in FLAGS else frozenset({*WORDS[column], ABSENT, UNKNOWN})


def _merged(patterns: list[tuple[frozenset[str], ...]]) -> list[tuple[frozenset[str], ...]]:
    """The merged cells (the cells are disjoint, so any merge is exact), in a stable order."""
    return sorted(merge_patterns(patterns, len(COLUMNS)), key=lambda p: [sorted(c) for c in p])


def _table() -> tuple[Row, ...]:
    everything = {c: _all_tokens(c) for c in COLUMNS}
    decided: dict[tuple[Outcome, str | None, Outcome], list[tuple[frozenset[str], ...]]] = {}
    for status, legacy in itertools.product(status_cells(), legacy_cells()):
        pattern = tuple(
            everything[c] & status.pattern.get(c, everything[c]) & legacy.pattern.get(c, everything[c])
            for c in COLUMNS
        )
        if all(pattern):
            outcome, conflict = _combined(status, legacy, False)
            task_outcome, _ = _combined(status, legacy, True)  # the same conflict: the same states
            decided.setdefault((outcome, conflict, task_outcome), []).append(pattern)
    return tuple(
        Row(p, outcome, conflict, task)
        for (outcome, conflict, task), ps in decided.items()
        for p in _merged(ps)
    )


TABLE: Final = _table()
"""Every combination of state words, as merged rows (disjoint: at most one row holds for a run)."""


def _index() -> tuple[dict[str, int], ...]:
    """Per column, each token's rows as the bits of an int: a run's row is the one bit left after
    ANDing its tokens' masks, instead of a scan of every row (unusual words miss the cache)."""
    index: tuple[dict[str, int], ...] = tuple({} for _ in COLUMNS)
    for bit, row in enumerate(TABLE):
        for masks, allowed in zip(index, row.pattern, strict=True):
            for tok in allowed:
                masks[tok] = masks.get(tok, 0) | (1 << bit)
    return index


_INDEX: Final = _index()


@functools.lru_cache(maxsize=4096)
def decide(tokens: tuple[str, ...]) -> Row:
    """The row of :data:`TABLE` that holds for one token per column (in :data:`COLUMNS` order)."""
    held = -1
    for masks, tok in zip(_INDEX, tokens, strict=True):
        held &= masks.get(tok, 0)
    if not held:
        raise AssertionError(f"no decision for {tokens}")  # pragma: no cover - the cells partition inputs
    return TABLE[(held & -held).bit_length() - 1]
