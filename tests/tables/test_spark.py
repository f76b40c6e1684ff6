"""runstate.spark on a real local[2] session: the same rows as normalize_batches and to_table.

The run's one Spark session (``spark``, tests/conftest.py) keeps these tests to seconds of JVM time.
"""

from __future__ import annotations

import doctest
import json
import re
from collections.abc import Iterator
from importlib import resources
from typing import Any

import attrs
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import runstate
from runstate import Run
from runstate.arrow import BATCH_SCHEMA, RUN_SCHEMA, normalize_batches, to_table
from runstate.spark import SPARK_SCHEMA, normalize_dataframe

from .. import canonical_provider, spark_support
from ..paths import ROOT
from ..spark_support import PANDAS3_WARNING
from ..strategies import maybe_texts, runs

pytestmark = pytest.mark.filterwarnings(PANDAS3_WARNING)

DOCS = ROOT / "docs" / "tables.md"


def example_lines(provider: str) -> list[str]:
    text = resources.files("runstate").joinpath("examples", f"{provider}.jsonl").read_text("utf-8")
    return [line for line in text.splitlines() if line.strip()]


def sorted_rows(table: pa.Table) -> list[dict[str, Any]]:
    return sorted(table.to_pylist(), key=lambda r: (r["run_id"] or "", r["record"] or ""))


def test_normalize_dataframe_equals_normalize_batches(spark: Any) -> None:
    lines = [*example_lines("databricks"), "{broken", "[]"]
    df = spark.createDataFrame([(i, line) for i, line in enumerate(lines)], "n long, record string")
    out = normalize_dataframe("databricks", df.repartition(2))
    assert out.schema == SPARK_SCHEMA
    got = out.toArrow()
    batch = pa.record_batch({"record": lines})
    expected = pa.Table.from_batches(normalize_batches("databricks", [batch]), schema=BATCH_SCHEMA)
    assert got.column_names == BATCH_SCHEMA.names
    assert sorted_rows(got) == sorted_rows(expected)
    assert got.filter(pa.compute.is_valid(got.column("error"))).num_rows == 2


def test_an_unknown_provider_fails_on_the_driver(spark: Any) -> None:
    df = spark.createDataFrame([("{}",)], "record string")
    with pytest.raises(runstate.UnknownProviderError):
        normalize_dataframe("glu", df)


def test_the_old_argument_order_still_works_with_a_warning(spark: Any) -> None:
    df = spark.createDataFrame([(line,) for line in example_lines("glue")], "record string")
    with pytest.warns(
        DeprecationWarning, match=r"give the provider first, normalize_dataframe\(provider, df\)"
    ):
        old = normalize_dataframe(df, "glue")  # type: ignore[arg-type]
    assert old.schema == SPARK_SCHEMA
    assert sorted_rows(old.toArrow()) == sorted_rows(normalize_dataframe("glue", df).toArrow())


@pytest.mark.parametrize(
    ("first", "second", "got"),
    [("glue", "records", "str, str"), (None, "glue", "NoneType, str"), ("glue", None, "str, NoneType")],
)
def test_a_call_that_is_neither_order_names_what_it_takes(first: Any, second: Any, got: str) -> None:
    with pytest.raises(TypeError, match=rf"takes \(provider, df\): .*; got \({got}\)$"):
        normalize_dataframe(first, second)


@pytest.fixture(scope="module")
def canonical_in_workers() -> Iterator[canonical_provider.InWorker]:
    """The test-only canonical provider, shipped by value so Spark's workers can register it."""
    from pyspark import cloudpickle

    cloudpickle.register_pickle_by_value(canonical_provider)  # type: ignore[no-untyped-call]
    try:
        yield canonical_provider.InWorker()
    finally:
        cloudpickle.unregister_pickle_by_value(canonical_provider)  # type: ignore[no-untyped-call]


@settings(max_examples=5, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.builds(lambda r, ns: attrs.evolve(r, namespace=ns), runs(), maybe_texts), min_size=1, max_size=4
    )
)
def test_generated_runs_give_the_same_rows_through_spark(
    spark: Any, canonical_in_workers: canonical_provider.InWorker, batch: list[Run]
) -> None:
    expected = list(runstate.to_rows(batch))
    # records normalized on Spark's workers by normalize_batches, as normalize_dataframe does
    records = spark.createDataFrame([(json.dumps(runstate.to_dict(run)),) for run in batch], "record string")
    normalized = records.mapInArrow(canonical_in_workers, SPARK_SCHEMA).toArrow()
    assert normalized.column("error").null_count == normalized.num_rows
    assert normalized.drop_columns(["error", "record"]).to_pylist() == expected
    # and the Arrow way out of a process: to_table's rows through Spark's types come back equal
    back = spark.createDataFrame(to_table(batch)).toArrow()
    assert back.schema.names == RUN_SCHEMA.names
    assert back.to_pylist() == expected


def _spark_example() -> str:
    text = DOCS.read_text("utf-8")
    match = re.search(r"<!-- spark-example -->\n(.*?)<!-- /spark-example -->", text, re.DOTALL)
    assert match, "docs/tables.md lost its spark-example block"
    return match.group(1).replace("```python", "").replace("```", "")


def test_the_docs_spark_example_runs(spark: Any) -> None:
    # the page marks it +SKIP (no JVM in a doctest run); here it runs with the shared session
    parser = doctest.DocTestParser()
    test = parser.get_doctest(_spark_example(), {"spark": spark}, "tables.md[spark]", str(DOCS), 0)
    for example in test.examples:
        example.options = {doctest.ELLIPSIS: True, doctest.NORMALIZE_WHITESPACE: True}
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    runner.run(test)
    assert test.examples
    assert runner.failures == 0


@pytest.mark.parametrize(("flag", "outcome"), [(None, pytest.skip.Exception), ("1", pytest.fail.Exception)])
def test_missing_java_skips_outside_ci_and_fails_in_ci(
    monkeypatch: pytest.MonkeyPatch, flag: str | None, outcome: type[BaseException]
) -> None:
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setattr("shutil.which", lambda _name: None)
    if flag is None:
        monkeypatch.delenv("RUNSTATE_REQUIRE_SPARK", raising=False)
    else:
        monkeypatch.setenv("RUNSTATE_REQUIRE_SPARK", flag)
    with pytest.raises(outcome, match="default-jre-headless"):
        spark_support.require_java()
