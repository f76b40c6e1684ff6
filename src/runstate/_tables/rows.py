"""``to_row`` / ``to_rows``: runs as flat rows of a fixed column set, the shape tables and engines load.

Every provider gives the same columns with the same types, whatever the values: durations are always
float seconds or ``None`` (never an int for a whole second, which polars and Arrow refuse to mix),
times are aware UTC datetimes, enums are their names, and the mappings are JSON text.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import UTC, datetime, timedelta
from types import MappingProxyType
from typing import Any, Final

from .._core.details import Details
from .._core.errors import MAX_NESTING, InvalidRecordError, nesting_exceeds, short_repr
from .._core.model import DURATION_PARTS, Run
from .._core.serialize import _SURROGATE, _replace_surrogates, _TooDeepError, json_value

__all__ = ["COLUMNS", "DURATION_COLUMNS", "to_row", "to_rows"]

_SECOND: Final = timedelta(seconds=1)

DURATION_COLUMNS: Final = tuple(f"{part}_seconds" for part in DURATION_PARTS)
"""``queue_seconds`` ... ``total_seconds``: the :class:`~runstate.Durations` parts, in order."""

COLUMNS: Final = (
    "provider",
    "namespace",
    "run_id",
    "parent_run_id",
    "job_id",
    "name",
    "state",
    "phase",
    "reason",
    "provider_state",
    "message",
    "attempt",
    "original_run_id",
    "previous_run_id",
    "created_at",
    "started_at",
    "ended_at",
    "updated_at",
    *DURATION_COLUMNS,
    "missing",
    "task_count",
    "details",
)
"""The columns of :func:`to_row`, in order (``raw`` follows them only when asked for)."""


def _json_default(value: Any) -> Any:
    """What the C JSON encoder cannot write itself: mapping proxies, times, durations, bytes."""
    if isinstance(value, Mapping):
        return dict(value)
    return json_value(value, _replace_surrogates)


_dumps = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_json_default
).encode

_TEXT_CACHE: dict[int, tuple[Mapping[str, Any], str]] = {}
"""JSON text of the shared mappings providers prebuild (state words, missing maps), by identity."""
_TEXT_CACHE_SIZE: Final = 4096


def _json_text(value: Mapping[str, Any]) -> str:
    """Mappings as compact JSON text with sorted keys, so equal mappings give equal text."""
    if not value:
        return "{}"
    try:
        plain = value.copy() if isinstance(value, Details) else value if type(value) is dict else dict(value)
        text = _dumps(plain)
    except (TypeError, ValueError):  # keys of mixed types cannot be sorted as they are: make them text
        return _dumps(json_value(value, _replace_surrogates))
    # a lone surrogate cannot be UTF-8 (Arrow, Parquet, CSV): replaced, as to_dict does
    return _dumps(json_value(value, _replace_surrogates)) if _SURROGATE.search(text) else text


def _cached_text(value: Mapping[str, Any], render: Callable[[Mapping[str, Any]], str]) -> str:
    """``render(value)``, from the cache when the same read-only mapping comes again.

    Providers share prebuilt mapping proxies (state words, ``missing`` maps) across runs, so their
    text is made once; plain dicts could change later and are rendered every time.
    """
    if type(value) is not MappingProxyType:
        return render(value)
    hit = _TEXT_CACHE.get(id(value))
    if hit is not None and hit[0] is value:
        return hit[1]
    text = render(value)
    if len(_TEXT_CACHE) >= _TEXT_CACHE_SIZE:
        _TEXT_CACHE.clear()
    _TEXT_CACHE[id(value)] = (value, text)  # holding the object keeps its id from being reused
    return text


def _field_text(run: Run, field: str, value: Mapping[str, Any]) -> str:
    """``details`` or ``raw`` as JSON text; what it holds that cannot be written is InvalidRecordError
    naming the run and the field (an over-deep value, a third-party object that raises)."""
    try:
        return _json_text(value)
    except Exception as exc:  # RecursionError from the C encoder, or what a hostile object raised
        problem = (
            f"nested more than {MAX_NESTING} levels deep"
            if isinstance(exc, _TooDeepError | RecursionError) or _nests_too_deep(value)
            else f"cannot convert to JSON ({type(exc).__name__}: {short_repr(str(exc))})"
        )
        raise InvalidRecordError(run.provider, field, run.run_id, problem) from exc


def _nests_too_deep(value: Mapping[str, Any]) -> bool:
    try:
        return nesting_exceeds(value)
    except Exception:  # a hostile mapping inside: it is what failed, not the depth  # noqa: BLE001
        return False


def _missing_text(missing: Mapping[str, Any]) -> str:
    return _json_text({part: why.name for part, why in missing.items()})


def _utc(value: datetime | None) -> datetime | None:
    """The time in UTC (as it is when it already is: the usual case)."""
    return value if value is None or value.tzinfo is UTC else value.astimezone(UTC)


def _seconds(value: timedelta | None) -> float | None:
    return None if value is None else value / _SECOND


_INT64_MAX: Final = 2**63 - 1
"""The largest ``attempt`` the columns hold (Arrow / Parquet int64, Spark bigint)."""


def _too_big(run: Run, field: str, value: int) -> int:
    """A number no int64 column holds (a provider's plausible attempts are far below): named, not a
    bare OverflowError from the table engine."""
    raise InvalidRecordError(
        run.provider, field, value, f"out of the int64 range of its column (run {run.run_id})"
    )


def to_row(run: Run, *, raw: bool = False) -> dict[str, Any]:
    """One flat row for ``run`` itself (not its tasks): the :data:`COLUMNS`, plus ``raw`` if asked.

    >>> import runstate
    >>> run = runstate.normalize("glue", {"Id": "jr_1", "JobName": "etl", "JobRunState": "SUCCEEDED",
    ...                                   "ExecutionTime": 42})
    >>> row = runstate.to_row(run)
    >>> row["state"], row["phase"], row["execution_seconds"], row["provider_state"]
    ('SUCCEEDED', 'TERMINATED', 42.0, '{"JobRunState":"SUCCEEDED"}')
    """
    d = run.durations
    row: dict[str, Any] = {
        "provider": run.provider,
        "namespace": run.namespace,
        "run_id": run.run_id,
        "parent_run_id": run.parent_run_id,
        "job_id": run.job_id,
        "name": run.name,
        "state": run.state.name,
        "phase": run.state.phase.name,
        "reason": None if run.reason is None else run.reason.name,
        "provider_state": _cached_text(run.provider_state, _json_text) if run.provider_state else "{}",
        "message": run.message,
        "attempt": run.attempt if 0 <= run.attempt <= _INT64_MAX else _too_big(run, "attempt", run.attempt),
        "original_run_id": run.original_run_id,
        "previous_run_id": run.previous_run_id,
        "created_at": _utc(run.created_at),
        "started_at": _utc(run.started_at),
        "ended_at": _utc(run.ended_at),
        "updated_at": _utc(run.updated_at),
        "queue_seconds": _seconds(d.queue),
        "setup_seconds": _seconds(d.setup),
        "execution_seconds": _seconds(d.execution),
        "cleanup_seconds": _seconds(d.cleanup),
        "total_seconds": _seconds(d.total),
        "missing": _cached_text(d.missing, _missing_text) if d.missing else "{}",
        "task_count": len(run.tasks),
        "details": _field_text(run, "details", run.details),
    }
    for column in _TEXT_COLUMNS:  # a lone surrogate cannot be UTF-8 (Arrow, Parquet, CSV): replaced
        value = row[column]
        if value is not None and not value.isascii():
            row[column] = _replace_surrogates(value)
    if raw:
        row["raw"] = None if run.raw is None else _field_text(run, "raw", run.raw)
    return row


_TEXT_COLUMNS: Final = (
    "provider",
    "namespace",
    "run_id",
    "parent_run_id",
    "job_id",
    "name",
    "message",
    "original_run_id",
    "previous_run_id",
)


def to_rows(runs: Iterable[Run], *, raw: bool = False) -> Iterator[dict[str, Any]]:
    """Each run's row followed by its tasks' rows, recursively (lazily, in constant memory per run).

    A task row's ``parent_run_id`` (and ``namespace``) is its parent's when the task does not carry
    its own, so every task row can be joined to the row of the run it belongs to.
    """
    for run in runs:
        yield from _tree_rows(run, None, raw)


def _tree_rows(run: Run, parent: dict[str, Any] | None, raw: bool) -> Iterator[dict[str, Any]]:
    row = to_row(run, raw=raw)
    if parent is not None:
        if row["parent_run_id"] is None:
            row["parent_run_id"] = parent["run_id"]
        if row["namespace"] is None:
            row["namespace"] = parent["namespace"]
    yield row
    for task in run.tasks:
        yield from _tree_rows(task, row, raw)
