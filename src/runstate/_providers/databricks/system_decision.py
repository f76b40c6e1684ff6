"""The ``databricks_system`` decisions as data, for SQL: a run row's words and its durations.

The state is the reader's own decision (:func:`.system.state_of_words`) enumerated over every class of
each word (every known word, absent, a word no table knows), so the rules equal it by construction;
the durations are the end row's ``*_duration_seconds``, none before the end row, NOT_REPORTED on rows
that predate the columns (total: the row's period), not applicable parts of a multitask run, as
:mod:`.system` reads them. The SQL tests prove it equal to ``normalize``. The builder imports the
reader when called: that module defines the SPEC that names it. See docs/warehouse.md.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Final

from runstate.provider_kit import (
    Classes,
    Context,
    Decision,
    Duration,
    Outcome,
    Span,
    Test,
    TestKind,
    rules_from_function,
)

__all__ = ["decision"]

_PARTS: Final = ("queue", "setup", "execution", "cleanup")
_SECONDS: Final = tuple(f"{p}_duration_seconds" for p in (*_PARTS, "run"))
_PERIOD: Final = ("period_start_time", "period_end_time")


def decision() -> Decision:
    """result_state, termination_code and type through the reader's decision; the durations."""
    from .system import RESULT_STATE, STATE_WORDS, TERMINATION_CODE, TERMINATION_TYPE, state_of_words

    tables = dict(zip(STATE_WORDS, (RESULT_STATE, TERMINATION_CODE, TERMINATION_TYPE), strict=True))
    context = Context("databricks_system", strict=False)

    def decide(words: Mapping[str, str | None]) -> Outcome:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # unknown words are reported by normalize; here they are data
            return Outcome(*state_of_words({k: v for k, v in words.items() if v is not None}, context))

    known = {name: tuple(table) for name, table in tables.items()}
    return Decision(
        columns={name: name for name in (*STATE_WORDS, *_SECONDS, *_PERIOD)},
        rules=tuple(rules_from_function(known, decide)),
        unmapped=tuple(
            (Test(name, TestKind.CLASSES, classes=Classes((), False, True, words)),)
            for name, words in known.items()
        ),
        durations=_durations(STATE_WORDS),
        column_docs={
            "result_state": "result_state (only on the row that ends a run)",
            "termination_code": "termination_code",
            "termination_type": "termination_type",
            **{p: f"{p} (numeric seconds)" for p in _SECONDS},
            "period_start_time": "period_start_time as a timestamp",
            "period_end_time": "period_end_time as a timestamp",
        },
    )


def _durations(state_words: tuple[str, ...]) -> dict[str, Duration]:
    """None before the end row (no end word); NOT_REPORTED on rows that predate the columns (all null
    or 0, no termination_type) or lack them (the period as total); multitask parts not applicable."""
    not_ended = tuple(Test(name, TestKind.BLANK) for name in state_words)
    legacy = (*(Test(p, TestKind.ZERO_OR_NULL) for p in _SECONDS), Test("termination_type", TestKind.BLANK))
    no_columns = tuple(Test(p, TestKind.NULL) for p in _SECONDS)
    multitask = (
        Test("run_duration_seconds", TestKind.NONZERO),
        *(Test(f"{p}_duration_seconds", TestKind.ZERO) for p in _PARTS[1:]),
    )
    span = Span(*_PERIOD, nonnegative=True)  # the row's period: NULL out of order, as the reader's
    unreported = ((not_ended, None), (legacy, None), (no_columns, None))
    return {
        "queue_seconds": Duration((*unreported, ((), "queue_duration_seconds"))),
        **{
            f"{p}_seconds": Duration((*unreported, (multitask, None), ((), f"{p}_duration_seconds")))
            for p in _PARTS[1:]
        },
        "total_seconds": Duration(
            ((not_ended, None), (legacy, span), (no_columns, span), ((), "run_duration_seconds"))
        ),
    }
