"""``to_dict`` / ``from_dict``: a canonical run as JSON-ready data and back, through cattrs.

Times are ISO 8601 UTC strings ending in ``Z`` with microseconds when there are any; durations are
seconds as numbers (exact to the microsecond below 285 years); enums are their string values. ``raw``
and ``details`` are copied with any datetime in them written as text, so the output is pure JSON.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from types import MappingProxyType
from typing import Any

from cattrs import Converter
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

from ._errors import InvalidRecordError
from ._model import EMPTY, Durations, Missing, Run
from ._vocabulary import Reason, State

__all__ = ["converter", "format_time", "from_dict", "to_dict"]

_US = timedelta(microseconds=1)


def format_time(value: datetime) -> str:
    """An aware datetime as RFC 3339 UTC text: ``2026-03-01T10:00:00.5Z``-style, microseconds kept."""
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    return value.isoformat()[:-6] + "Z"  # "+00:00" -> "Z"


def _parse_time(value: Any, _: Any) -> datetime:
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError(f"time without offset: {value!r}")
    return parsed.astimezone(UTC)


def _seconds(value: timedelta) -> int | float:
    us = value // _US
    return us // 1_000_000 if us % 1_000_000 == 0 else us / 1_000_000


def _to_json(value: Any) -> Any:
    """A copy of ``value`` with only JSON types: datetimes as text, tuples as lists."""
    if isinstance(value, Mapping):
        return {str(k): _to_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_to_json(v) for v in value]
    if isinstance(value, datetime):
        return format_time(value) if value.tzinfo is not None else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, timedelta):
        return _seconds(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value


def _freeze(value: Any, _: Any) -> Mapping[str, Any]:
    return MappingProxyType(dict(value)) if value else EMPTY


def _make_converter() -> Converter:
    conv = Converter(omit_if_default=False)
    conv.register_unstructure_hook(datetime, format_time)
    conv.register_structure_hook(datetime, _parse_time)
    conv.register_unstructure_hook(timedelta, _seconds)
    conv.register_structure_hook(timedelta, lambda v, _: timedelta(seconds=v))
    for enum_type in (State, Reason, Missing):
        conv.register_unstructure_hook(enum_type, lambda v: v.value)
    conv.register_unstructure_hook(
        Durations,
        make_dict_unstructure_fn(
            Durations, conv, missing=override(unstruct_hook=lambda m: {k: v.value for k, v in m.items()})
        ),
    )
    conv.register_structure_hook(
        Durations, make_dict_structure_fn(Durations, conv, missing=override(struct_hook=_missing_from_json))
    )
    conv.register_unstructure_hook(
        Run,
        make_dict_unstructure_fn(
            Run,
            conv,
            provider_state=override(unstruct_hook=dict),
            details=override(unstruct_hook=_to_json),
            raw=override(unstruct_hook=_raw_to_json),
        ),
    )
    conv.register_structure_hook(
        Run,
        make_dict_structure_fn(
            Run,
            conv,
            provider_state=override(struct_hook=_freeze),
            details=override(struct_hook=_freeze),
            raw=override(struct_hook=_raw_from_json),
        ),
    )
    return conv


def _missing_from_json(value: Any, _: Any) -> Mapping[str, Missing]:
    return MappingProxyType({k: Missing(v) for k, v in value.items()}) if value else EMPTY


def _raw_to_json(value: Mapping[str, Any] | None) -> Any:
    if value is None:
        return None
    try:
        return _to_json(value)
    except RecursionError:  # only JSON input nests this deep, and it holds no datetimes to convert
        return value


def _raw_from_json(value: Any, _: Any) -> Mapping[str, Any] | None:
    return None if value is None else value


converter: Converter = _make_converter()
"""The cattrs converter behind :func:`to_dict` and :func:`from_dict`; copy it to customise."""


def to_dict(run: Run) -> dict[str, Any]:
    """A run as JSON-ready data (validates against ``schemas/run.schema.json``)."""
    result: dict[str, Any] = converter.unstructure(run, Run)
    return result


def from_dict(data: Mapping[str, Any]) -> Run:
    """A run from :func:`to_dict` output; malformed data raises :class:`~runstate.InvalidRecordError`."""
    try:
        return converter.structure(data, Run)
    except Exception as exc:  # cattrs raises a group of whatever the hooks raised
        raise InvalidRecordError("runstate", "$", _summary(data), f"not a canonical run ({exc})") from exc


def _summary(data: Any) -> Any:
    return (
        {k: data[k] for k in ("provider", "run_id", "state") if k in data}
        if isinstance(data, Mapping)
        else data
    )
