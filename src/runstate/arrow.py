"""Runs as Arrow tables and files, and the batch normalizer that Spark and DuckDB call.

Needs the ``arrow`` extra (``pip install 'runstate[arrow]'``). One row per run or task, in the
columns of :data:`RUN_SCHEMA`, each documented in its field metadata (``doc``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Final

import attrs

from ._core.errors import InvalidRecordError
from ._core.model import Run
from ._kit import registry as _registry
from ._tables import lines as _lines
from ._tables.rows import COLUMNS, to_rows

try:
    import pyarrow as pa
except ImportError as exc:  # pragma: no cover - exercised in an environment without pyarrow
    raise ImportError("runstate.arrow needs pyarrow: pip install 'runstate[arrow]'") from exc

from ._tables.table_file import FILE_WRITERS, TableFile
from ._tables.table_file import Format as Format

__all__ = [
    "BATCH_SCHEMA",
    "FORMATS",
    "RUN_SCHEMA",
    "normalize_batches",
    "to_table",
    "write",
    "write_arrow",
    "write_csv",
    "write_parquet",
]

_TIME: Final = pa.timestamp("us", tz="UTC")
_JSON: Final = "JSON text, keys sorted"

_FIELDS: Final[dict[str, tuple[pa.DataType, str]]] = {
    "provider": (pa.string(), "Registered provider name (databricks, glue, cloud_deploy, ...)."),
    "namespace": (pa.string(), "Where the run lives; run ids are unique within it. Tasks inherit it."),
    "run_id": (pa.string(), "The provider's id of the run or task."),
    "parent_run_id": (pa.string(), "The run a task belongs to; null for a top-level run."),
    "job_id": (pa.string(), "The job (definition) the run belongs to."),
    "name": (pa.string(), "Human-readable job or task name."),
    "state": (pa.string(), "Canonical State name (SUCCEEDED, FAILED, RUNNING, ...)."),
    "phase": (pa.string(), "Phase name of the state (PENDING, RUNNING, TERMINATING, TERMINATED, UNKNOWN)."),
    "reason": (pa.string(), "Canonical Reason name refining the state, or null."),
    "provider_state": (pa.string(), f"The provider's own state words, {_JSON}."),
    "message": (pa.string(), "The provider's state message."),
    "attempt": (pa.int64(), "Retry attempt, 0 for the first."),
    "original_run_id": (pa.string(), "The first attempt's run id."),
    "previous_run_id": (pa.string(), "The attempt this one retried."),
    "created_at": (_TIME, "When the run was requested (UTC)."),
    "started_at": (_TIME, "When it started (UTC)."),
    "ended_at": (_TIME, "When it ended (UTC); null while it runs."),
    "updated_at": (_TIME, "When the provider last changed the record (UTC)."),
    "queue_seconds": (pa.float64(), "Time queued, seconds; null if unknown (see missing)."),
    "setup_seconds": (pa.float64(), "Setup time, seconds; null if unknown (see missing)."),
    "execution_seconds": (pa.float64(), "Execution time, seconds; null if unknown (see missing)."),
    "cleanup_seconds": (pa.float64(), "Cleanup time, seconds; null if unknown (see missing)."),
    "total_seconds": (pa.float64(), "End-to-end time, seconds; null if unknown (see missing)."),
    "missing": (pa.string(), f"Why null durations are null: part -> Missing name, {_JSON}."),
    "task_count": (pa.int64(), "Number of direct tasks (each is a row of its own)."),
    "details": (pa.string(), f"Provider facts without a canonical column, {_JSON}."),
}
assert tuple(_FIELDS) == COLUMNS, "RUN_SCHEMA and runstate.to_row must have the same columns"

RUN_SCHEMA: Final = pa.schema(
    [pa.field(name, type_, metadata={"doc": doc}) for name, (type_, doc) in _FIELDS.items()],
    metadata={"doc": "runstate canonical runs: one row per run or task (runstate.to_rows)."},
)
"""The columns of :func:`to_table`, with each field's meaning in its ``doc`` metadata."""

_RAW: Final = pa.field("raw", pa.string(), metadata={"doc": f"The record the run was made from, {_JSON}."})

BATCH_SCHEMA: Final = RUN_SCHEMA.append(
    pa.field("error", pa.string(), metadata={"doc": "Why the record failed; null for a normalized row."})
).append(pa.field("record", pa.string(), metadata={"doc": "The input record, kept on failed rows only."}))
"""What :func:`normalize_batches` yields: :data:`RUN_SCHEMA` plus ``error`` and ``record``."""

FORMATS: Final[tuple[Format, ...]] = ("parquet", "csv", "arrow")
"""The file formats :func:`write` knows."""


def table_schema(raw: bool) -> pa.Schema:
    """The columns of a table of runs: :data:`RUN_SCHEMA`, with ``raw`` last when it is kept."""
    return RUN_SCHEMA.append(_RAW) if raw else RUN_SCHEMA


class _Columns:
    """Rows converted by Arrow itself, a chunk at a time, into one struct array per batch.

    ``pa.array`` of row dicts as a struct reads every key in C++ (a key a row lacks is null), about
    twice as fast as filling a Python list per column; converting every :data:`_CHUNK` rows drops the
    dicts early, so a large batch keeps none alive for the garbage collector to walk.
    """

    def __init__(self, schema: pa.Schema) -> None:
        self.schema = schema
        self.type = pa.struct(list(schema))
        self.rows: list[dict[str, Any]] = []
        self.chunks: list[pa.Array] = []

    def add(self, row: dict[str, Any]) -> None:
        self.rows.append(row)
        if len(self.rows) == _CHUNK:
            self._convert()

    def _convert(self) -> None:
        self.chunks.append(pa.array(self.rows, type=self.type))
        self.rows = []

    def batch(self) -> pa.RecordBatch:
        if self.rows or not self.chunks:
            self._convert()
        rows = self.chunks[0] if len(self.chunks) == 1 else pa.concat_arrays(self.chunks)
        return pa.RecordBatch.from_arrays(rows.flatten(), schema=self.schema)


_CHUNK: Final = 1024
"""Rows per conversion: large enough for Arrow's speed, small enough to hold few dicts."""


def _batch(rows: Iterable[dict[str, Any]], schema: pa.Schema) -> pa.RecordBatch:
    columns = _Columns(schema)
    for row in rows:
        columns.add(row)
    return columns.batch()


def to_table(runs: Iterable[Run], *, raw: bool = False) -> pa.Table:
    """Runs and their tasks (:func:`runstate.to_rows`) as a table of :data:`RUN_SCHEMA`.

    ``raw=True`` adds a ``raw`` column holding each record as JSON text.

    >>> import runstate
    >>> from runstate.arrow import to_table
    >>> run = runstate.normalize("glue", {"Id": "jr_1", "JobName": "etl", "JobRunState": "FAILED"})
    >>> table = to_table([run])
    >>> table.num_rows, table.column("state").to_pylist()
    (1, ['FAILED'])
    """
    schema = table_schema(raw)
    return pa.Table.from_batches([_batch(to_rows(runs, raw=raw), schema)], schema=schema)


# --- the batch normalizer --------------------------------------------------------------------


def _failure(provider: str, text: str | None, error: str) -> dict[str, Any]:
    return {"provider": provider, "error": error, "record": text}


def _normalize_texts(provider: str, texts: list[str | None], strict: bool) -> Iterator[dict[str, Any]]:
    """One batch's JSON texts to rows (a run's row, then its tasks'); a failed record to one error row.

    One call of :func:`runstate.normalize_lines`' loop over the batch (msgspec first when installed;
    no combine step, so a record is a row as before); a null or blank text and each failure become
    an error row in place, with the words ``json.loads`` and :func:`runstate.normalize` give.
    """
    spec = _registry.REGISTRY.get(provider)
    build = spec.build

    def safe_build(record: Any, ctx: Any, keep_raw: bool) -> Run:  # what normalize wraps, wrapped
        return _registry.guarded_build(build, provider, record, ctx, keep_raw)

    spec = attrs.evolve(spec, build=safe_build)
    errors: list[dict[str, Any]] = []
    current: list[str] = [""]

    def lines() -> Iterator[str]:
        for text in texts:
            if text is None:
                errors.append(_failure(provider, None, "the record is null"))
            elif _blank(text):  # normalize_lines skips a blank line, json.loads refuses it: an error row
                errors.append(_failure(provider, text, f"not JSON: {_json_error(text)}"))
            else:
                current[0] = text
                yield text

    def on_error(failure: _lines.LineFailure) -> None:
        errors.append(_failure(provider, failure.text, _failure_message(failure)))

    decode = _lines.FAST_DECODE or _lines.decode_json
    for run in _lines.line_runs(spec, lines(), strict, False, on_error, decode):
        if errors:
            yield from errors
            errors.clear()
        try:  # a run whose rows cannot be made (details nested too deep) is its record's error row
            rows = list(to_rows((run,)))
        except Exception as exc:  # noqa: BLE001 - nothing raises mid-stream: the record is kept, with why
            rows = [_failure(provider, current[0], str(exc) or type(exc).__name__)]
        yield from rows
    yield from errors


_SPACE: Final = " \t\r\n"
"""JSON's whitespace (RFC 8259 section 2)."""


def _blank(text: str) -> bool:
    """Whether ``text`` is only JSON whitespace; only a text that starts with some is scanned."""
    return not text or (text[0] in _SPACE and not text.strip(_SPACE))


def _json_error(text: str) -> str:
    try:
        json.loads(text)
    except ValueError as exc:
        return str(exc)
    return "not a JSON value"  # pragma: no cover - only called for text json.loads refuses


def _failure_message(failure: _lines.LineFailure) -> str:
    """``not JSON: ...`` as ``json.loads`` words it, or the record's error as ``str(error)``."""
    error = failure.error
    if isinstance(error, InvalidRecordError) and error.field.startswith("<line "):
        cause = error.__cause__
        return f"not JSON: {cause}" if isinstance(cause, ValueError) else f"not JSON: {error.problem}"
    return str(error)


def _texts(batch: pa.RecordBatch, column: str) -> list[str | None]:
    if not isinstance(batch, pa.RecordBatch | pa.Table):  # e.g. the records themselves: named
        kind = type(batch).__name__
        raise InvalidRecordError("runstate", "batches", batch, f"expected Arrow record batches, not a {kind}")
    if column not in batch.schema.names:
        raise InvalidRecordError("runstate", "column", column, f"not in the batch (has {batch.schema.names})")
    values = batch.column(column)
    if pa.types.is_binary(values.type) or pa.types.is_large_binary(values.type):
        return [None if v is None else v.decode("utf-8", "replace") for v in values.to_pylist()]
    if not (pa.types.is_string(values.type) or pa.types.is_large_string(values.type)):
        raise InvalidRecordError("runstate", column, str(values.type), "must hold JSON text (string)")
    texts: list[str | None] = values.to_pylist()
    return texts


def normalize_batches(
    provider: str,
    batches: Iterable[pa.RecordBatch],
    *,
    column: str = "record",
    strict: bool = False,
) -> Iterator[pa.RecordBatch]:
    """Batches holding one JSON record per row (in ``column``) to batches of :data:`BATCH_SCHEMA`.

    Each record gives its run's row and its tasks' rows; a record that fails (not JSON, or refused
    by the provider) gives one row with ``error`` and the ``record`` text, so nothing is lost and
    nothing raises mid-stream. This is the function Spark's ``mapInArrow`` and DuckDB's Arrow
    functions call. An unknown provider raises :class:`~runstate.UnknownProviderError` at once.

    >>> import pyarrow as pa
    >>> from runstate.arrow import normalize_batches
    >>> batch = pa.record_batch({"record": ['{"Id": "jr_1", "JobRunState": "RUNNING"}', "{oops"]})
    >>> out = pa.Table.from_batches(normalize_batches("glue", [batch]))
    >>> out.select(["run_id", "state", "error"]).to_pylist()  # doctest: +ELLIPSIS +NORMALIZE_WHITESPACE
    [{'run_id': 'jr_1', 'state': 'RUNNING', 'error': None},
     {'run_id': None, 'state': None, 'error': 'not JSON: ...'}]
    """
    _registry.REGISTRY.get(provider)
    return _normalized(provider, batches, column, strict)


def _normalized(
    provider: str, batches: Iterable[pa.RecordBatch], column: str, strict: bool
) -> Iterator[pa.RecordBatch]:
    for batch in batches:
        yield _batch(_normalize_texts(provider, _texts(batch, column), strict), BATCH_SCHEMA)


# --- files a warehouse loads -----------------------------------------------------------------


def write_parquet(runs: Iterable[Run], path: str | Path, *, raw: bool = False) -> None:
    """Write runs and tasks to a Parquet file (zstd), field docs kept in the file's schema."""
    write(runs, path, "parquet", raw=raw)


def write_csv(runs: Iterable[Run], path: str | Path, *, raw: bool = False) -> None:
    """Write runs and tasks to a CSV file with a header row; times as ISO 8601 UTC text."""
    write(runs, path, "csv", raw=raw)


def write_arrow(runs: Iterable[Run], path: str | Path, *, raw: bool = False) -> None:
    """Write runs and tasks to an Arrow IPC file (Feather v2), readable by DuckDB, polars, pandas."""
    write(runs, path, "arrow", raw=raw)


def write(runs: Iterable[Run], path: str | Path, format: Format, *, raw: bool = False) -> None:  # noqa: A002 - public keyword argument, as pyarrow's own `format=`
    """Write runs and tasks to ``path`` in ``format`` (one of :data:`FORMATS`), batch by batch.

    Memory stays bounded however many runs come. The file is written beside ``path`` and renamed
    into place at the end, so a run that cannot be written (:class:`~runstate.InvalidRecordError`),
    an I/O error or an interrupt leaves ``path`` as it was.
    """
    if format not in FILE_WRITERS:
        raise InvalidRecordError("runstate", "format", format, f"must be one of {', '.join(FORMATS)}")
    table = TableFile(path, format, table_schema(raw))
    try:
        for run in runs:
            table.add(run, list(to_rows((run,), raw=raw)))
            if table.full:
                _refuse(table.flush())
        _refuse(table.commit())
    except BaseException:
        table.abort()
        raise


def _refuse(refused: list[tuple[Any, Exception]]) -> None:
    if refused:
        run, exc = refused[0]
        problem = f"cannot be written as a table row ({type(exc).__name__}: {exc})"
        raise InvalidRecordError(run.provider, "$", run.run_id, problem) from exc
