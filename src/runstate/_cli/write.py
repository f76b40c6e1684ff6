"""The command line's output: runs as JSON Lines, one JSON array or a fixed-width table.

Lines are written in batches of whole lines (also when a signal stops the run), and each run is
dumped by :func:`dumps_line`, which gives :func:`runstate.dumps_run`'s JSON without copying ``raw``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from types import MappingProxyType
from typing import Any, Final, cast

from .._core import serialize as _serialize
from .._core.details import Details
from .._core.errors import MAX_NESTING
from .._core.model import Run
from .._core.serialize import SCHEMA_VERSION, dumps_run, escape_surrogates, format_time
from .io import EXIT_IO, SIGNALS, CliError, Interrupted, SafeOutput, printable
from .read import RecordReader

__all__ = ["dumps_line", "human_duration", "plain_dict", "run_dict", "write_runs", "write_table_file"]


_AS_IS: Final = frozenset({str, int, bool, type(None)})
"""Exact types ``_json_value`` returns unchanged: a dict's or list's items of these cost no call."""


def _json_value(value: Any, depth: int = 0) -> Any:
    """``_serialize.json_value`` (the lossless one) of a value, by exact types first: the usual dicts,
    lists and scalars of a record cost no ABC checks; anything else takes the reference conversion."""
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:
        return value
    if kind is float:
        return value if math.isfinite(value) else str(value)
    if depth < MAX_NESTING:
        if kind is dict or kind is MappingProxyType or kind is Details:
            copied = {
                k if type(k) is str else str(k): v if type(v) in _AS_IS else _json_value(v, depth + 1)
                for k, v in value.items()
            }
            if len(copied) == len(value):
                return copied  # else two keys are one JSON key: the reference conversion names them
        if kind is list or kind is tuple:
            return [v if type(v) in _AS_IS else _json_value(v, depth + 1) for v in value]
    return _serialize.json_value(value, _serialize.keep_text, depth)


def _time(value: datetime | None) -> str | None:
    return None if value is None else format_time(value)


def _utc_time(value: datetime | None) -> datetime | str | None:
    """For msgspec: a UTC time as it is (msgspec writes it as ``format_time`` does), others as text."""
    return value if value is None or value.tzinfo is UTC else format_time(value)


def _seconds(value: timedelta | None) -> int | float | None:
    return None if value is None else _serialize.seconds_of(value)


def run_dict(run: Run, time: Callable[[datetime | None], Any] = _time) -> dict[str, Any]:
    """``dumps_run``'s data of a run (``to_dict`` without replacing lone surrogates), written out:
    a third of cattrs' cost. ``raw`` as decoded from JSON (a dict) is not copied: the encoder reads
    it. Tests hold it equal to the converter's output for every fixture and generated run."""
    d = run.durations
    raw = run.raw
    return {
        "schema_version": SCHEMA_VERSION,
        "provider": run.provider,
        "run_id": run.run_id,
        "namespace": run.namespace,
        "state": run.state.value,
        "job_id": run.job_id,
        "name": run.name,
        "reason": None if run.reason is None else run.reason.value,
        "provider_state": _json_value(run.provider_state),
        "message": run.message,
        "attempt": run.attempt,
        "original_run_id": run.original_run_id,
        "previous_run_id": run.previous_run_id,
        "parent_run_id": run.parent_run_id,
        "created_at": time(run.created_at),
        "started_at": time(run.started_at),
        "ended_at": time(run.ended_at),
        "updated_at": time(run.updated_at),
        "durations": {
            "queue": _seconds(d.queue),
            "setup": _seconds(d.setup),
            "execution": _seconds(d.execution),
            "cleanup": _seconds(d.cleanup),
            "total": _seconds(d.total),
            "missing": {k: v.value for k, v in d.missing.items()},
        },
        "tasks": [_task_dict(task, time) for task in run.tasks],
        "details": _json_value(run.details),
        "raw": raw if raw is None or type(raw) is dict else _json_value(raw),
    }


def _task_dict(task: Run, time: Callable[[datetime | None], Any]) -> dict[str, Any]:
    body = run_dict(task, time)
    del body["schema_version"]
    return body


def plain_dict(run: Run) -> dict[str, Any]:
    """``run_dict(run, _utc_time)`` for msgspec's encoder, which writes the same JSON from less work:
    enums as they are (msgspec writes a ``StrEnum`` as its value), UTC times as they are, ``missing``
    as a plain copy, nothing called per field. Tests hold the encoded bytes equal to run_dict's."""
    d = run.durations
    raw, seconds = run.raw, _serialize.seconds_of
    created, started, ended, updated = run.created_at, run.started_at, run.ended_at, run.updated_at
    return {
        "schema_version": SCHEMA_VERSION,
        "provider": run.provider,
        "run_id": run.run_id,
        "namespace": run.namespace,
        "state": run.state,
        "job_id": run.job_id,
        "name": run.name,
        "reason": run.reason,
        "provider_state": _json_value(run.provider_state),
        "message": run.message,
        "attempt": run.attempt,
        "original_run_id": run.original_run_id,
        "previous_run_id": run.previous_run_id,
        "parent_run_id": run.parent_run_id,
        "created_at": created if created is None or created.tzinfo is UTC else format_time(created),
        "started_at": started if started is None or started.tzinfo is UTC else format_time(started),
        "ended_at": ended if ended is None or ended.tzinfo is UTC else format_time(ended),
        "updated_at": updated if updated is None or updated.tzinfo is UTC else format_time(updated),
        "durations": {
            "queue": None if d.queue is None else seconds(d.queue),
            "setup": None if d.setup is None else seconds(d.setup),
            "execution": None if d.execution is None else seconds(d.execution),
            "cleanup": None if d.cleanup is None else seconds(d.cleanup),
            "total": None if d.total is None else seconds(d.total),
            "missing": dict(d.missing),
        },
        "tasks": [_plain_task(task) for task in run.tasks] if run.tasks else [],
        "details": _json_value(run.details),
        "raw": raw if raw is None or type(raw) is dict else _json_value(raw),
    }


def _plain_task(task: Run) -> dict[str, Any]:
    body = plain_dict(task)
    del body["schema_version"]
    return body


_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode


def _fast_encoder() -> Callable[[Any], bytes] | None:
    try:
        import msgspec.json
    except ImportError:
        return None
    encode: Callable[[Any], bytes] = msgspec.json.Encoder().encode
    return encode


_FAST_ENCODE = _fast_encoder()
"""msgspec's encoder (the ``fast`` extra): the same JSON as ``json``'s, several times faster."""


def dumps_line(run: Run, plain: bool = False) -> str:
    """:func:`runstate.dumps_run`'s JSON of a run, faster: ``raw`` as decoded from a JSON line goes to
    the C encoder uncopied. ``plain``: ``raw`` holds only what msgspec decoded (JSON values, finite
    numbers), so msgspec may encode the run (the same JSON values; exponents spelled ``1e16``, not
    ``1e+16``). Anything an encoder refuses (NaN, a lone surrogate, a datetime or other object in
    ``raw``) takes :func:`~runstate.dumps_run`'s way, which converts it or raises its errors."""
    try:
        if plain and _FAST_ENCODE is not None:
            return _FAST_ENCODE(plain_dict(run)).decode("utf-8")
        return escape_surrogates(_ENCODE(run_dict(run)))
    except (TypeError, ValueError, OverflowError, RecursionError):
        return dumps_run(run)


def write_runs(fmt: str, reader: RecordReader, out: SafeOutput) -> None:
    """The runs of ``reader`` on ``out`` as ``jsonl``, ``json`` or ``table``."""
    if fmt == "table":
        _write_table(reader, out)
        return
    writer = _write_json if fmt == "json" else _write_jsonl
    writer(_dumped(reader), reader, out)


def _dumped(reader: RecordReader) -> Iterable[str]:
    """Each run's output line; one that cannot be written (too deep) is dead-lettered instead."""
    dump = dumps_line
    for item in reader:
        try:
            text = dump(item.run, item.plain)
        except Exception as exc:  # noqa: BLE001 - a run that cannot be written is dead-lettered, whatever the cause
            reader.fail(item, exc)
            continue
        yield text


_BATCH = 64
"""Lines written together: whole lines always, also when a signal stops the run (see _write_jsonl)."""


def _write_jsonl(texts: Iterable[str], reader: RecordReader, out: SafeOutput) -> None:
    counts, batch = reader.counts, []
    try:
        for text in texts:
            batch.append(text)
            if len(batch) == _BATCH:
                counts.written += _BATCH  # counted first: a signal waiting for the write ends after it
                out.write("\n".join(batch) + "\n")
                batch = []
    finally:  # also when interrupted: the lines read so far are whole and counted
        if batch:
            counts.written += len(batch)
            out.write("\n".join(batch) + "\n")


def _write_json(texts: Iterable[str], reader: RecordReader, out: SafeOutput) -> None:
    out.write("[")
    try:
        for text in texts:
            reader.counts.written += 1
            out.write(("\n" if reader.counts.written == 1 else ",\n") + text)
    finally:  # also when interrupted: the array is closed, so the output stays valid JSON
        out.write("\n]\n" if reader.counts.written else "]\n")


_COLUMNS = ("run_id", "job_id", "name", "state", "reason", "attempt", "started_at", "total")
_WIDTHS = (22, 16, 22, 17, 20, 7, 20, 10)


def human_duration(value: timedelta) -> str:
    """A duration as ``1h12m12s`` (days as ``3d``; under a minute with tenths: ``12.5s``)."""
    us = value // timedelta(microseconds=1)
    sign, us = ("-", -us) if us < 0 else ("", us)
    seconds, fraction = divmod(us, 1_000_000)
    if seconds < 60:
        tenths = round(fraction / 100_000)
        return f"{sign}{seconds}.{tenths}s" if tenths % 10 else f"{sign}{seconds + tenths // 10}s"
    parts: list[str] = []
    for unit, size in (("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1)):
        amount, seconds = divmod(seconds, size)
        if amount or parts:
            parts.append(f"{amount}{unit}")
    return sign + "".join(parts)


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _cell(run: Run, column: str) -> str:
    if column == "total":
        total = run.durations.total
        return "" if total is None else human_duration(total)
    if column == "started_at":
        return "" if run.started_at is None else format_time(run.started_at.replace(microsecond=0))
    value = getattr(run, column)
    return "" if value is None else printable(str(value))


def _write_table(reader: RecordReader, out: SafeOutput) -> None:
    """Fixed columns; a longer value (a 67-character Glue id) is cut with an ellipsis."""
    out.write("  ".join(c.upper().ljust(w) for c, w in zip(_COLUMNS, _WIDTHS, strict=True)).rstrip() + "\n")
    for item in reader:
        cells = (_cut(_cell(item.run, c), w).ljust(w) for c, w in zip(_COLUMNS, _WIDTHS, strict=True))
        reader.counts.written += 1
        out.write("  ".join(cells).rstrip() + "\n")


def write_table_file(fmt: str, reader: RecordReader, path: str, raw: bool) -> None:
    """The runs of ``reader`` as a Parquet, CSV or Arrow file, batch by batch in bounded memory.

    A run is counted as written once its batch is in the file; one whose rows cannot be made or
    that Arrow refuses is dead-lettered instead. The file is written beside ``path`` and renamed into
    place: a signal puts in place the batches written so far plus those read (all counted), and an
    error leaves ``path`` as it was, with nothing counted as written.
    """
    from .. import arrow
    from .._tables.rows import to_rows
    from .._tables.table_file import TableFile

    try:
        table = TableFile(path, cast(Any, fmt), arrow.table_schema(raw))
    except OSError as exc:
        raise _write_error(path, exc) from None
    try:
        for item in reader:
            try:
                rows = list(to_rows((item.run,), raw=raw))
            except Exception as exc:  # noqa: BLE001 - a run that cannot be a row is dead-lettered, whatever the cause
                reader.fail(item, exc)
                continue
            with SIGNALS.critical():  # a run's rows and its count go into the batch together
                table.add(item, rows)
            if table.full:
                _written(reader, table, table.flush)
    except Interrupted:
        try:
            _written(reader, table, table.commit)
        except OSError as exc:  # the target refuses what was held (a full device): nothing written
            table.abort()
            reader.counts.written -= table.written
            raise _write_error(path, exc) from None
        raise
    except OSError as exc:
        table.abort()
        reader.counts.written -= table.written
        raise _write_error(path, exc) from None
    except BaseException:
        table.abort()
        reader.counts.written -= table.written
        raise
    try:
        _written(reader, table, table.commit)
    except OSError as exc:
        table.abort()
        reader.counts.written -= table.written
        raise _write_error(path, exc) from None


def _written(reader: RecordReader, table: Any, write: Callable[[], list[tuple[Any, Exception]]]) -> None:
    """Write a batch (or the last, closing the file), count its runs, dead-letter those Arrow refused."""
    with SIGNALS.critical():
        before = table.written
        refused = write()
        reader.counts.written += table.written - before
    for item, exc in refused:
        reader.fail(item, exc)


def _write_error(path: str, exc: OSError) -> CliError:
    return CliError(f"cannot write {path}: {exc.strerror or exc}", EXIT_IO)
