"""The ``databricks`` (Jobs API) decision as SQL rules: the status model, the legacy state, reconciled.

Read from the provider's tables (``_databricks_tables``) and its own reconciliation function: a rule
for each class of the status words (``status.state``, termination code and type, queue code, retry
evidence) times a rule for each class of the legacy words (life cycle, result, who cancelled), with
the outcome the provider's ``_reconcile`` gives for that pair. The tests prove it equal to
``normalize`` (tests/test_sql_duckdb.py). Durations are not emitted for this provider (multitask runs
need their task list to tell "not applicable" from a zero).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final, NamedTuple

from ._spec import Outcome
from ._sql_rules import (
    ABSENT,
    UNKNOWN,
    UNKNOWN_WORD,
    Classes,
    Decision,
    Kind,
    Pattern,
    Switch,
    Test,
    rules_from_cells,
)
from ._vocabulary import TERMINAL_STATES, State

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


class _Side(NamedTuple):
    """One cell of one model's words: its tokens per column and the outcome it gives (or none)."""

    pattern: Pattern
    outcome: Outcome | None
    terminated: bool = False
    """Whether ``status.state`` is TERMINATED (a legacy outcome then stands only if it is terminal)."""
    no_status: bool = False
    """Whether ``status.state`` is absent (NULL): only then does ``queue_reason`` refine a QUEUED run."""


_OTHER: Final = frozenset({ABSENT, UNKNOWN_WORD})
"""Absent, "" or a word no table knows: the provider reads all three as no word."""


def _words(*words: str) -> frozenset[str]:
    return frozenset(words)


def _grouped(prefix: Pattern, column: str, table: Mapping[str, Outcome | None], **flags: bool) -> list[_Side]:
    by_outcome: dict[Outcome | None, list[str]] = {}
    for word, outcome in table.items():
        by_outcome.setdefault(outcome, []).append(word)
    return [_Side({**prefix, column: frozenset(w)}, o, **flags) for o, w in by_outcome.items()]


def _status_sides() -> list[_Side]:
    """``status``, as disjoint cells: TERMINATED by code and type, WAITING by retry evidence, QUEUED by
    queue code, the other words by their table."""
    from .providers import _databricks_tables as t

    codes = tuple(t.TERMINATION_CODE_CODE)
    terminated: Pattern = {V2: _words("TERMINATED")}
    sides: list[_Side] = []
    for type_ in t.TERMINATION_TYPE_TYPE:
        table = {code: t.CODE_AND_TYPE[code, type_] for code in codes}
        sides += _grouped({**terminated, TYPE: _words(type_)}, CODE, table, terminated=True)
    table = {code: t.CODE_AND_TYPE[code, None] for code in codes}
    sides += _grouped({**terminated, TYPE: _OTHER}, CODE, table, terminated=True)
    unknown_code = {**terminated, CODE: _words(UNKNOWN_WORD)}
    for type_ in t.TERMINATION_TYPE_TYPE:
        verdict = (
            t.OUTCOMES[State.FAILED, t.TERMINATION_TYPE_TYPE[type_].reason]
            if type_ in t.FAILURE_TYPES
            else None
        )
        sides.append(_Side({**unknown_code, TYPE: _words(type_)}, verdict, terminated=True))
    sides.append(_Side({**unknown_code, TYPE: _OTHER}, None, terminated=True))
    sides.append(_Side({**terminated, CODE: _words(ABSENT)}, None, terminated=True))
    waiting: Pattern = {V2: _words("WAITING")}
    other_lcs = frozenset({*t.RUN_LIFE_CYCLE_STATE, *_OTHER} - {"WAITING_FOR_RETRY"})
    sides += [
        _Side({**waiting, LCS: _words("WAITING_FOR_RETRY")}, t.RETRY_WAIT),
        _Side({**waiting, LCS: other_lcs, RETRY: _words("retry", "retry_of")}, t.RETRY_WAIT),
        _Side({**waiting, LCS: other_lcs, RETRY: _words("first")}, t.RUN_LIFECYCLE_STATE_V2_STATE["WAITING"]),
    ]
    queued: Pattern = {V2: _words("QUEUED")}
    sides += _grouped(queued, QUEUE, t.QUEUE_DETAILS_CODE_CODE)
    sides.append(_Side({**queued, QUEUE: _OTHER}, t.OUTCOMES[State.QUEUED, None]))
    others = {
        w: o
        for w, o in t.RUN_LIFECYCLE_STATE_V2_STATE.items()
        if w not in ("TERMINATED", "QUEUED", "WAITING")
    }
    sides += _grouped({}, V2, others)
    sides.append(_Side({V2: _words(ABSENT)}, None, no_status=True))
    sides.append(_Side({V2: _words(UNKNOWN_WORD)}, None))  # "" or a word no table knows
    return sides


def _legacy_sides() -> list[_Side]:
    """The legacy ``state`` as disjoint cells: its life cycle, for TERMINATED / SKIPPED its result,
    and who cancelled (``d._legacy`` gives each cell's outcome)."""
    from .providers import _databricks as d
    from .providers import _databricks_tables as t

    sides: list[_Side] = []
    for lcs in t.RUN_LIFE_CYCLE_STATE:
        for by_user, token in ((True, "user"), (False, "other")):
            prefix: Pattern = {LCS: _words(lcs), BY_USER: _words(token)}
            results = {w: d._legacy(lcs, w, by_user) for w in t.RUN_RESULT_STATE}
            sides += _grouped(prefix, RES, results)
            sides.append(_Side({**prefix, RES: _OTHER}, d._legacy(lcs, None, by_user)))
    sides.append(_Side({LCS: _OTHER}, None))
    return sides


def _combined(status: _Side, legacy: _Side) -> Outcome:
    """What the provider decides for one cell of status words and one of legacy words."""
    from .providers import _databricks as d

    if status.outcome is not None and legacy.outcome is not None:
        return d._reconcile(status.outcome, legacy.outcome)[0]
    if status.outcome is not None:
        return status.outcome
    if legacy.outcome is not None and (not status.terminated or legacy.outcome.state in TERMINAL_STATES):
        return legacy.outcome
    return UNKNOWN


def _domains() -> dict[str, Classes | Switch]:
    from .providers import _databricks as d
    from .providers import _databricks_tables as t

    def words(table: Mapping[str, Outcome], blank_is_absent: bool = True) -> Classes:
        return Classes((), True, True, tuple(table), blank_is_absent)

    keywords = tuple(
        (word, (Test(QUEUE_REASON, Kind.CONTAINS, (word,), d.LEGACY_QUEUE_CHARS),))
        for word, _ in d.LEGACY_QUEUE_REASONS
    )
    return {
        V2: words(t.RUN_LIFECYCLE_STATE_V2_STATE, blank_is_absent=False),  # absent is NULL only
        TYPE: words(t.TERMINATION_TYPE_TYPE),
        CODE: words(t.TERMINATION_CODE_CODE, blank_is_absent=False),  # "" counts as a code given
        QUEUE: words(t.QUEUE_DETAILS_CODE_CODE),
        LCS: words(t.RUN_LIFE_CYCLE_STATE),
        RES: words(t.RUN_RESULT_STATE),
        BY_USER: Switch((("user", (Test(BY_USER, Kind.TRUE),)), ("other", ()))),
        RETRY: Switch(
            (
                ("retry", (Test("attempt_number", Kind.POSITIVE),)),
                ("retry_of", (Test("original_attempt_run_id", Kind.DIFFERS, ("run_id",)),)),
                ("first", ()),
            )
        ),
        QUEUE_REASON: Switch((*keywords, ("none", ()))),
    }


def databricks() -> Decision:
    """The nested ``databricks`` provider, with its documented default column map."""
    from .providers import _databricks as d
    from .providers import _databricks_tables as t

    plain_queued = t.OUTCOMES[State.QUEUED, None]
    cells: list[tuple[Pattern, Outcome]] = []
    legacy_sides = _legacy_sides()
    for status in _status_sides():
        for legacy in legacy_sides:
            pattern = _meet(status.pattern, legacy.pattern)
            outcome = _combined(status, legacy)
            if status.no_status and outcome == plain_queued:
                for word, reason in d.LEGACY_QUEUE_REASONS:
                    cells.append(({**pattern, QUEUE_REASON: _words(word)}, t.OUTCOMES[State.QUEUED, reason]))
                cells.append(({**pattern, QUEUE_REASON: _words("none")}, outcome))
            else:
                cells.append((pattern, outcome))
    domains = _domains()
    rules = rules_from_cells(domains, cells)
    words = {LCS: t.RUN_LIFE_CYCLE_STATE, RES: t.RUN_RESULT_STATE, V2: t.RUN_LIFECYCLE_STATE_V2_STATE}
    words.update(
        {CODE: t.TERMINATION_CODE_CODE, TYPE: t.TERMINATION_TYPE_TYPE, QUEUE: t.QUEUE_DETAILS_CODE_CODE}
    )
    unmapped = tuple((Test(column, Kind.NOT_IN, (*table, "")),) for column, table in words.items())
    return Decision(
        provider="databricks",
        columns=COLUMNS,
        rules=tuple(rules),
        unmapped=unmapped,
        column_docs=_DOCS,
    )


def _meet(first: Pattern, second: Pattern) -> Pattern:
    """The cell where both patterns hold: per column, the tokens both allow."""
    met = dict(first)
    for column, tokens in second.items():
        met[column] = met[column] & tokens if column in met else tokens
    return met


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
