"""Normalizing a Spark DataFrame of provider records on every executor, through ``mapInArrow``.

Needs the ``spark`` extra (``pip install 'runstate[spark]'``) and Spark 3.3+ with a Java runtime.
Each executor runs :func:`runstate.arrow.normalize_batches` over Arrow batches, so records never
pass through pandas or per-row Python objects on the JVM side.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Final

try:
    import pyarrow as pa
    from pyspark.sql.pandas.types import from_arrow_schema
except ImportError as exc:  # pragma: no cover - exercised in an environment without pyspark
    raise ImportError("runstate.spark needs pyspark and pyarrow: pip install 'runstate[spark]'") from exc

from ._kit import registry as _registry
from .arrow import BATCH_SCHEMA, normalize_batches

if TYPE_CHECKING:
    from pyspark.sql import DataFrame
    from pyspark.sql.types import StructType

__all__ = ["SPARK_SCHEMA", "normalize_dataframe"]

SPARK_SCHEMA: Final[StructType] = from_arrow_schema(BATCH_SCHEMA, prefer_timestamp_ntz=False)
"""The output schema of :func:`normalize_dataframe`: :data:`runstate.arrow.BATCH_SCHEMA` in Spark types."""


class _Normalizer:
    """The function ``mapInArrow`` ships to executors: a plain picklable object holding its arguments."""

    def __init__(self, provider: str, column: str, strict: bool) -> None:
        self.provider = provider
        self.column = column
        self.strict = strict

    def __call__(self, batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        return normalize_batches(self.provider, batches, column=self.column, strict=self.strict)


def normalize_dataframe(
    df: DataFrame, provider: str, *, column: str = "record", strict: bool = False
) -> DataFrame:
    """``df``'s JSON records (string column ``column``) as canonical rows of :data:`SPARK_SCHEMA`.

    One row per run and per task; a record that fails gives a row with ``error`` and ``record`` set
    instead of failing the job. Lazy like any transformation. ``df`` may carry other columns: only
    ``column`` is sent to Python. An unknown provider raises
    :class:`~runstate.UnknownProviderError` here, on the driver. Executors look the provider up in
    their own registry: a third-party provider must be registered by a module they import. Lenient
    warnings land in the executors' logs; ``strict=True`` makes such records error rows instead.
    """
    _registry.REGISTRY.get(provider)
    return df.select(column).mapInArrow(_Normalizer(provider, column, strict), SPARK_SCHEMA)
