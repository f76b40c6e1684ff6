"""The state table's lookup: the one row whose pattern holds, found through the per-column index."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from runstate._providers.databricks import state_table

COLUMN_TOKENS = [
    sorted(set().union(*(row.pattern[i] for row in state_table.TABLE)))
    for i in range(len(state_table.COLUMNS))
]


def _holding(tokens: tuple[str, ...]) -> list[state_table.Row]:
    """Every row whose every column allows the token: the table read row by row."""
    return [
        row
        for row in state_table.TABLE
        if all(tok in allowed for tok, allowed in zip(tokens, row.pattern, strict=True))
    ]


@given(st.tuples(*(st.sampled_from(tokens) for tokens in COLUMN_TOKENS)))
def test_decide_finds_the_one_row_that_holds(tokens: tuple[str, ...]) -> None:
    assert _holding(tokens) == [state_table.decide.__wrapped__(tokens)]
