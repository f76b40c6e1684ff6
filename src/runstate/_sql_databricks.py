"""The ``databricks`` (Jobs API) decision as SQL: the provider's decision table, emitted.

The normalizer reads ``_databricks_decisions.TABLE`` (status and legacy words reconciled, as rows of
token sets); this module gives each of its columns a SQL column word and says how its tokens are told
apart in SQL, and the rows become the rules. The tests prove the SQL equal to ``normalize``
(tests/test_sql_duckdb.py). Durations are not emitted for this provider (a multitask run needs its
task list to tell "not applicable" from a zero).
"""

from __future__ import annotations

from typing import Final

from ._spec import Outcome
from ._sql_rules import (
    ABSENT,
    UNKNOWN_WORD,
    Classes,
    Decision,
    Kind,
    Pattern,
    Switch,
    Test,
    rules_from_cells,
)
from ._vocabulary import State

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
    from .providers import _databricks as dx
    from .providers import _databricks_decisions as dd

    domains: dict[str, Classes | Switch] = {
        _COLUMN_OF[c]: Classes((), True, True, tuple(dd.WORDS[c]), dd.BLANK_IS_ABSENT[c]) for c in dd.WORDS
    }
    domains[BY_USER] = Switch((("user", (Test(BY_USER, Kind.TRUE),)), ("other", ())))
    domains[RETRY] = Switch(
        (
            ("retry", (Test("attempt_number", Kind.POSITIVE),)),
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
    from .providers import _databricks as dx
    from .providers import _databricks_decisions as dd
    from .providers import _databricks_tables as t

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
    from .providers import _databricks_decisions as dd

    unmapped = tuple((Test(_COLUMN_OF[c], Kind.NOT_IN, (*table, "")),) for c, table in dd.WORDS.items())
    return Decision(
        provider="databricks",
        columns=COLUMNS,
        rules=tuple(rules_from_cells(_domains(), _cells())),
        unmapped=unmapped,
        column_docs=_DOCS,
    )


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
