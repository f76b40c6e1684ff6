"""The Spark dialect, run in a local Spark session, gives what ``normalize`` gives.

The run's one Spark session (``spark``, tests/conftest.py: skipped only when Java is missing, a
failure then with ``RUNSTATE_REQUIRE_SPARK=1``); every fixture record plus a seeded sample of word
combinations (with words no table knows) per provider.
"""

from __future__ import annotations

from typing import Any

import pytest

from runstate.sql import select

from ..spark_support import PANDAS3_WARNING
from ..sql_cases import (
    CASES,
    OUTPUTS,
    Case,
    Row,
    expectations,
    fixture_rows,
    nested,
    nested_value,
    sample_rows,
)

pytestmark = pytest.mark.filterwarnings(PANDAS3_WARNING)


def _spark_type(tree: Any) -> Any:
    from pyspark.sql import types as t

    if isinstance(tree, str):
        return {
            "text": t.StringType(),
            "timestamp": t.TimestampType(),
            "bool": t.BooleanType(),
            "int": t.LongType(),
            "children": t.ArrayType(t.StructType([t.StructField("run_id", t.LongType(), True)])),
        }[tree]
    return t.StructType([t.StructField(k, _spark_type(v), True) for k, v in tree.items()])


def spark_outputs(spark: Any, case: Case, rows: list[Row]) -> list[Row]:
    """What the generated Spark SQL gives for each row, in row order."""
    from pyspark.sql import types as t

    tree = nested(case.types)
    schema = t.StructType(
        [t.StructField("row_id", t.LongType(), False)]
        + [t.StructField(k, _spark_type(v), True) for k, v in tree.items()]
    )
    data = [
        (i, *(nested_value(sub, row, k if isinstance(sub, str) else k + ".") for k, sub in tree.items()))
        for i, row in enumerate(rows)
    ]
    spark.createDataFrame(data, schema).createOrReplaceTempView("runs")
    query = select(case.provider, "spark", "runs", case.columns, prefix="out_")
    found = spark.sql(f"SELECT * FROM ({query}) ORDER BY row_id").collect()
    return [{k[4:]: v for k, v in r.asDict().items() if k.startswith("out_")} for r in found]


@pytest.mark.parametrize("provider", sorted(CASES))
def test_spark_gives_what_normalize_gives(spark: Any, provider: str) -> None:
    case = CASES[provider]
    _, fixtures, wanted = fixture_rows(case)
    unknown: list[Row] = [
        {**row, name: "NOT_A_WORD"}
        for row in sample_rows(case, 3, seed=1)
        for name in case.types
        if case.types[name] == "text"
    ]
    sample = sample_rows(case, 300)
    rows = [*fixtures, *unknown, *sample]
    got = spark_outputs(spark, case, rows)
    expected = [*wanted, *expectations(case, [*unknown, *sample])]
    assert [(r, g, w) for r, g, w in zip(rows, got, expected, strict=True) if g != w] == []
    assert any(g["unmapped"] for g in got)
    assert {g["state"] for g in got} - {"UNKNOWN"}
    assert set(OUTPUTS) <= set(got[0])
