"""Normalizing a Spark DataFrame of provider records on every executor, through ``mapInArrow``.

Needs the ``spark`` extra (``pip install 'runstate[spark]'``) and Spark 3.3+ with a Java runtime.
Each executor runs :func:`runstate.arrow.normalize_batches` over Arrow batches, so records never
pass through pandas or per-row Python objects on the JVM side.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import TYPE_CHECKING, Final

try:
    import pyarrow as pa
    from pyspark.sql import DataFrame
    from pyspark.sql.pandas.types import from_arrow_schema
except ImportError as exc:  # pragma: no cover - exercised in an environment without pyspark
    raise ImportError("runstate.spark needs pyspark and pyarrow: pip install 'runstate[spark]'") from exc

from ._kit import registry as _registry
from .arrow import BATCH_SCHEMA, normalize_batches

if TYPE_CHECKING:
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
    provider: str, df: DataFrame, *, column: str = "record", strict: bool = False
) -> DataFrame:
    """``df``'s JSON records (string column ``column``) as canonical rows of :data:`SPARK_SCHEMA`.

    One row per run and per task; a record that fails gives a row with ``error`` and ``record`` set
    instead of failing the job. Lazy like any transformation. ``df`` may carry other columns: only
    ``column`` is sent to Python. An unknown provider raises
    :class:`~runstate.UnknownProviderError` here, on the driver. Executors look the provider up in
    their own registry: a third-party provider must be registered by a module they import. Lenient
    warnings land in the executors' logs; ``strict=True`` makes such records error rows instead.
    The provider comes first, as in every ``normalize*``; the DataFrame first still works, with a
    :class:`DeprecationWarning`.
    """
    provider, df = _provider_and_frame(provider, df)
    _registry.REGISTRY.get(provider)
    return df.select(column).mapInArrow(_Normalizer(provider, column, strict), SPARK_SCHEMA)


def _provider_and_frame(first: object, second: object) -> tuple[str, DataFrame]:
    """``(provider, df)`` from either order, told apart by type; the old order warns."""
    if isinstance(first, str) and isinstance(second, DataFrame):
        return first, second
    if isinstance(first, DataFrame) and isinstance(second, str):
        warnings.warn(
            "normalize_dataframe(df, provider) is deprecated: give the provider first, "
            "normalize_dataframe(provider, df), as every normalize* takes it",
            DeprecationWarning,
            stacklevel=3,
        )
        return second, first
    raise TypeError(
        "normalize_dataframe takes (provider, df): a provider name (str) and a Spark DataFrame; "
        f"got ({type(first).__name__}, {type(second).__name__})"
    )
