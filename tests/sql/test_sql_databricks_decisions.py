"""The Databricks decision table is a partition, what lets the SQL reorder its rows and leave a class
to ``ELSE``; the SQL emitted from it equals ``normalize`` (tests/sql/test_sql_duckdb.py)."""

from __future__ import annotations

import itertools
import math

from runstate._providers.databricks import state_table as d


def test_the_table_is_a_partition() -> None:
    """No two rows overlap and together they cover every combination of tokens: exactly one row holds
    for any run (so row order does not matter, and SQL may reorder)."""
    rows = d.TABLE
    for a, b in itertools.combinations(rows, 2):
        assert not all(x & y for x, y in zip(a.pattern, b.pattern, strict=True)), (a, b)
    covered = sum(math.prod(len(tokens) for tokens in row.pattern) for row in rows)
    assert covered == math.prod(len(d._all_tokens(c)) for c in d.COLUMNS)
