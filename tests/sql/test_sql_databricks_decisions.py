"""The Databricks decision table equals the reconciliation code it replaced, on every combination.

``_old_decision`` is the code ``_databricks._resolve`` ran before the table (kept here as the oracle,
minus its reporting), with two decisions that code did not make: a TERMINATED status with a failure
type and no code is the type's verdict, and a legacy CANCELED with ``user_cancelled_or_timedout`` is
CANCELED_BY_USER. Before the code was deleted, the table was compared with it on all
327,600 combinations of status state x code x type x life cycle x result (with every known word,
absent, "" and an unknown word; drawn queue codes and flags): no difference. Here hypothesis draws
from every column, and one exhaustive slice runs every time.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from runstate import Reason, State
from runstate._core.graph import GRAPH
from runstate._core.vocabulary import TERMINAL_STATES
from runstate._kit.spec import Outcome
from runstate._providers.databricks import decisions as d
from runstate._providers.databricks import tables as t

_CANCELED = t.OUTCOMES[State.CANCELED, None]
_CANCELED_BY_USER = t.OUTCOMES[State.CANCELED, Reason.CANCELED_BY_USER]
_SKIPPED_ACTIVE = t.RUN_LIFE_CYCLE_STATE["SKIPPED"]
_UNKNOWN = t.OUTCOMES[State.UNKNOWN, None]


def _old_legacy(
    lcs: str | None, res: str | None, cancelled_by_user: bool, task: bool
) -> tuple[Outcome | None, bool]:
    """(the legacy outcome, whether it is SKIPPED's default rather than a result's)."""
    if lcs is None:
        return None, False
    if lcs == "TERMINATED":
        outcome = t.RUN_RESULT_STATE[res] if res is not None else None
    elif lcs == "SKIPPED":
        outcome = t.RUN_RESULT_STATE[res] if res is not None else None
        if outcome is None or outcome.state is not State.SKIPPED:
            # "a previous run of the same job was already active" is about a job
            # run; a task run's legacy SKIPPED has no reason
            return (t.TASK_SKIPPED if task else _SKIPPED_ACTIVE), True
    else:
        outcome = t.RUN_LIFE_CYCLE_STATE[lcs]
    # a CANCELED result with user_cancelled_or_timedout is a user cancel: a timeout's result is TIMEDOUT
    if cancelled_by_user and outcome is _CANCELED:
        return _CANCELED_BY_USER, False
    return outcome, False


def _old_reconcile(status: Outcome, legacy: Outcome) -> tuple[Outcome, str | None]:
    if status.state is legacy.state:
        if status.reason is None and legacy.reason is not None:
            return t.OUTCOMES[status.state, legacy.reason], None
        return status, None
    if (
        status.state is State.CANCELED
        and legacy.state is State.TIMED_OUT
        and status.reason is not Reason.CANCELED_BY_USER
    ):
        return legacy, None
    if status.state in TERMINAL_STATES and legacy.state in TERMINAL_STATES:
        return status, f"status says {status.state}, state says {legacy.state}"
    if not GRAPH.is_legal(legacy.state, status.state):
        return status, f"status says {status.state}, state is ahead at {legacy.state}"
    return status, None


def _known(table: Any, value: object) -> str | None:
    return value if type(value) is str and value and value in table else None


def _old_decision(key: tuple[Any, ...], task: bool = False) -> tuple[Outcome, str | None]:
    """The old ``_resolve`` (without its reporting): key = the six words, by_user, retry, sdk; of a
    task run (an entry of ``tasks[]``) if ``task``."""
    tables = (
        t.RUN_LIFE_CYCLE_STATE, t.RUN_RESULT_STATE, t.RUN_LIFECYCLE_STATE_V2_STATE,
        t.TERMINATION_CODE_CODE, t.TERMINATION_TYPE_TYPE, t.QUEUE_DETAILS_CODE_CODE,
    )  # fmt: skip
    lcs, res, v2, code, type_, queue = (_known(table, v) for table, v in zip(tables, key, strict=False))
    legacy, default = _old_legacy(lcs, res, key[6] is True, task)
    status: Outcome | None = None
    if v2 == "TERMINATED":
        if code is not None:
            status = t.CODE_AND_TYPE[code, type_]
        elif type_ in t.FAILURE_TYPES:  # an unknown, dropped or absent code: the type's verdict
            status = t.OUTCOMES[State.FAILED, t.TERMINATION_TYPE_TYPE[type_].reason]
    elif v2 == "WAITING":
        status = (
            t.RETRY_WAIT
            if lcs == "WAITING_FOR_RETRY" or key[7] is True
            else t.RUN_LIFECYCLE_STATE_V2_STATE[v2]
        )
    elif v2 == "QUEUED":
        status = t.QUEUE_DETAILS_CODE_CODE[queue] if queue is not None else t.OUTCOMES[State.QUEUED, None]
    elif v2 is not None:
        status = t.RUN_LIFECYCLE_STATE_V2_STATE[v2]
    if status is not None and legacy is not None:
        if default and v2 == "TERMINATED" and status.state is legacy.state:
            return status, None  # the termination code says why it was skipped
        return _old_reconcile(status, legacy)
    if status is not None:
        return status, None
    if legacy is not None and (v2 != "TERMINATED" or legacy.state in TERMINAL_STATES):
        return legacy, None
    return _UNKNOWN, None


def _table_decision(key: tuple[Any, ...], task: bool = False) -> tuple[Outcome, str | None]:
    """What ``_databricks._resolve`` now reads: the tokens of the words, looked up in the table."""
    dropped = key[2] == "TERMINATED" and key[8] is True and key[3] is None and key[4] is not None
    row = d.decide(
        (
            d.token(d.LCS, key[0]),
            d.token(d.RES, key[1]),
            d.token(d.V2, key[2]),
            d.UNKNOWN if dropped else d.token(d.CODE, key[3]),
            d.token(d.TYPE, key[4]),
            d.token(d.QUEUE, key[5]),
            "user" if key[6] is True else "other",
            "retry" if key[7] is True else "first",
        )
    )
    return (row.task_outcome if task else row.outcome), row.conflict


def _pool(column: str) -> list[Any]:
    return [None, "", "NOT_A_WORD", 7, *d.WORDS[column]]


_COLUMNS = (d.LCS, d.RES, d.V2, d.CODE, d.TYPE, d.QUEUE)


@settings(max_examples=3000)
@given(
    words=st.tuples(*(st.sampled_from(_pool(c)) for c in _COLUMNS)),
    flags=st.tuples(st.booleans(), st.booleans(), st.booleans()),
    task=st.booleans(),
)
def test_the_table_decides_as_the_old_code(
    words: tuple[Any, ...], flags: tuple[bool, bool, bool], task: bool
) -> None:
    key = (*words, *flags)
    assert _table_decision(key, task) == _old_decision(key, task)


def test_the_table_decides_as_the_old_code_on_every_status_combination() -> None:
    """Every status state x code x type x result, for a terminated and an absent life cycle."""
    for v2, code, type_, res, lcs in itertools.product(
        _pool(d.V2), _pool(d.CODE), _pool(d.TYPE), _pool(d.RES), (None, "TERMINATED", "SKIPPED")
    ):
        key = (lcs, res, v2, code, type_, None, False, False, False)
        assert _table_decision(key) == _old_decision(key), key
        assert _table_decision(key, True) == _old_decision(key, True), key


def test_the_table_is_a_partition() -> None:
    """No two rows overlap and together they cover every combination of tokens: exactly one row holds
    for any run (so row order does not matter, and SQL may reorder)."""
    rows = d.TABLE
    for a, b in itertools.combinations(rows, 2):
        assert not all(x & y for x, y in zip(a.pattern, b.pattern, strict=True)), (a, b)
    covered = sum(math.prod(len(tokens) for tokens in row.pattern) for row in rows)
    assert covered == math.prod(len(d._all_tokens(c)) for c in d.COLUMNS)
