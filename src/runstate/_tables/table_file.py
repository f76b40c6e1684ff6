"""A table file of runs written a batch at a time: what ``runstate.arrow.write`` and the CLI's
``--format parquet|csv|arrow`` both write through.

Memory stays bounded by a batch (:data:`_BATCH_ROWS` rows or :data:`_BATCH_TEXT` characters of
JSON columns), and the file is written beside its target and renamed into place, so a failed or
interrupted write leaves the path the caller named as it was (docs/tables.md).
"""

from __future__ import annotations

import errno
import os
import secrets
import stat
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path
from typing import IO, Any, Final, Literal

import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.ipc as pa_ipc
import pyarrow.parquet as pq

__all__ = ["FILE_WRITERS", "Format", "TableFile"]

Format = Literal["parquet", "csv", "arrow"]

_BATCH_ROWS: Final = 8192
"""Rows written together: a row group of Parquet, a record batch of Arrow IPC, a block of CSV."""
_BATCH_TEXT: Final = 32 << 20
"""Characters of ``details`` and ``raw`` held before a batch is written, whatever its row count."""


class TableFile:
    """A table file written a batch at a time, in bounded memory, into a temporary file beside the
    target that :meth:`commit` renames into place; :meth:`abort` removes only that temporary file, so
    a failed or interrupted write never leaves half a file nor deletes the path the caller named.

    A target that exists and is no regular file (a device, a named pipe) is written in place: a
    rename would replace the device, and such a target is never removed. Each run's rows come with
    a ``key`` (the run, the CLI's item) that :meth:`flush` gives back for rows Arrow refuses.
    """

    def __init__(self, path: str | Path, format: Format, schema: pa.Schema) -> None:  # noqa: A002 - as write()'s
        self.schema = schema
        self.type = pa.struct(list(self.schema))
        self.rows: list[dict[str, Any]] = []
        self.keys: list[tuple[Any, int]] = []
        self.size = 0
        self.written = 0
        self.target, self.temp, self.sink = _open_sink(Path(path))
        try:
            self.writer = FILE_WRITERS[format](self.sink, self.schema)
        except BaseException:
            self.abort()
            raise

    def add(self, key: Any, rows: list[dict[str, Any]]) -> None:
        """Hold one run's rows (its own and its tasks') for the next batch."""
        self.rows += rows
        self.keys.append((key, len(rows)))
        for row in rows:
            self.size += len(row["details"]) + len(row.get("raw") or "")

    @property
    def full(self) -> bool:
        """Whether the rows held make a batch."""
        return len(self.rows) >= _BATCH_ROWS or self.size >= _BATCH_TEXT

    def flush(self) -> list[tuple[Any, Exception]]:
        """Write the rows held; the runs Arrow refused (left out of the file) with why."""
        if not self.keys:
            return []
        rows, keys = self.rows, self.keys
        self.rows, self.keys, self.size = [], [], 0
        refused: list[tuple[Any, Exception]] = []
        try:
            array = pa.array(rows, type=self.type)
        except (pa.ArrowException, ValueError, TypeError, OverflowError):
            array, refused = self._each(rows, keys)
        if len(array):
            self.writer.write_batch(pa.RecordBatch.from_arrays(array.flatten(), schema=self.schema))
        self.written += len(keys) - len(refused)
        return refused

    def _each(
        self, rows: list[dict[str, Any]], keys: list[tuple[Any, int]]
    ) -> tuple[pa.Array, list[tuple[Any, Exception]]]:
        """A batch Arrow refused, converted run by run: the runs it takes, and the ones it refuses."""
        arrays, refused, start = [], [], 0
        for key, count in keys:
            try:
                arrays.append(pa.array(rows[start : start + count], type=self.type))
            except (pa.ArrowException, ValueError, TypeError, OverflowError) as exc:
                refused.append((key, exc))
            start += count
        return (pa.concat_arrays(arrays) if arrays else pa.array([], type=self.type)), refused

    def commit(self) -> list[tuple[Any, Exception]]:
        """Write what is held, close the file and put it in place; the runs Arrow refused."""
        refused = self.flush()
        self.writer.close()
        self.sink.close()
        if self.temp is not None:
            Path(self.temp).replace(self.target)
            self.temp = None
        return refused

    def abort(self) -> None:
        """Close and remove the temporary file; the target is left as it was."""
        writer = getattr(self, "writer", None)
        with suppress(Exception):
            if writer is not None:
                writer.close()
        with suppress(OSError):
            self.sink.close()
        if self.temp is not None:
            with suppress(OSError):
                Path(self.temp).unlink()
            self.temp = None


def _open_sink(path: Path) -> tuple[Path, Path | None, IO[bytes]]:
    """(target, temporary file or None, its open binary file): beside the target's real path, created
    with the mode a plain ``open`` gives (the umask applies), the target's own mode if it exists. A
    target the caller may not write is refused as ``open`` refuses it, not replaced."""
    if path.is_dir():
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
    try:
        status = path.stat()
    except FileNotFoundError:
        status = None
    if status is not None and not stat.S_ISREG(status.st_mode):
        return path, None, path.open("wb")
    if status is not None and not os.access(path, os.W_OK):  # a rename needs only the directory's
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
    target = path.resolve()
    temp = target.with_name(f".{target.name}.{secrets.token_hex(6)}.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    if status is not None:
        with suppress(OSError):
            os.fchmod(fd, stat.S_IMODE(status.st_mode))
    return target, temp, os.fdopen(fd, "wb")


FILE_WRITERS: Final[dict[str, Callable[[IO[bytes], pa.Schema], Any]]] = {
    "parquet": lambda sink, schema: pq.ParquetWriter(sink, schema, compression="zstd"),
    "csv": lambda sink, schema: pa_csv.CSVWriter(sink, schema),
    "arrow": lambda sink, schema: pa_ipc.new_file(sink, schema),
}
