"""``to_dict`` / ``from_dict``: a canonical run as JSON-ready data and back, through cattrs.

Times are ISO 8601 UTC strings ending in ``Z`` with microseconds when there are any; durations are
seconds as numbers (exact to the microsecond below 285 years); enums are their string values. ``raw``
and ``details`` are copied with any datetime in them written as text, so the output is pure JSON.

The output starts with ``"schema_version"`` (:data:`SCHEMA_VERSION`); :func:`from_dict` also reads
version 0.1 output, which had no such key. Strings are valid Unicode: a lone surrogate (which no
UTF-8 encoder can write) becomes U+FFFD. A value nested deeper than
:data:`~runstate._core.errors.MAX_NESTING` raises :class:`~runstate.InvalidRecordError`.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, timedelta
from types import MappingProxyType
from typing import Any, Final

from cattrs import Converter, transform_error
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

from .details import EMPTY, freeze_details
from .errors import MAX_NESTING, InvalidRecordError, RunstateError, short_repr
from .model import Durations, Missing, Run
from .vocabulary import Reason, State

__all__ = [
    "SCHEMA_VERSION",
    "converter",
    "dumps_run",
    "escape_surrogates",
    "format_time",
    "from_dict",
    "to_dict",
]

SCHEMA_VERSION: Final = "0.2"
"""The version of :func:`to_dict`'s output shape; 0.1 (no ``schema_version`` key) is still read."""
_READABLE_VERSIONS: Final = ("0.1", SCHEMA_VERSION)
_US = timedelta(microseconds=1)
_SURROGATE = re.compile("[\ud800-\udfff]")
_TEXT_FIELDS: Final = (
    "provider",
    "run_id",
    "namespace",
    "job_id",
    "name",
    "message",
    "original_run_id",
    "previous_run_id",
    "parent_run_id",
)


def _replace_surrogates(text: str) -> str:
    """``text`` with each lone surrogate as U+FFFD (ASCII text, the usual case, is returned at once)."""
    if text.isascii() or _SURROGATE.search(text) is None:
        return text
    return _SURROGATE.sub("\ufffd", text)


def keep_text(text: str) -> str:
    """The lossless text policy: text kept as it is (lone surrogates too; JSON writes them escaped)."""
    return text


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


def seconds_of(value: timedelta) -> int | float:
    """A duration in JSON seconds: an int when whole, else a float of its exact microseconds."""
    us = value // _US
    return us // 1_000_000 if us % 1_000_000 == 0 else us / 1_000_000


def _time_text(value: datetime) -> str:
    """A datetime of ``raw`` as text: UTC where it has a usable offset, else as it reads."""
    try:
        if value.tzinfo is None or value.utcoffset() is None:
            return value.isoformat()
        return format_time(value)
    except OverflowError:  # datetime(1, 1, 1, tzinfo=+14:00) has no UTC twin: keep its own offset
        return value.isoformat()
    except Exception:  # a third-party tzinfo or subclass that raises: its wall-clock fields, no offset  # noqa: BLE001
        return _wall_clock(value).isoformat()


def _wall_clock(value: datetime) -> datetime:
    fields = (value.year, value.month, value.day, value.hour, value.minute, value.second)
    return datetime(*fields, value.microsecond)  # noqa: DTZ001 - the wall clock of a zone that cannot say its offset: naive on purpose


class _TooDeepError(Exception):
    """A value of a run nests deeper than MAX_NESTING (turned into InvalidRecordError with the run)."""


def json_value(value: Any, text: Callable[[str], str], depth: int = 0) -> Any:
    """A copy of ``value`` with only JSON types: datetimes as text, tuples as lists."""
    if type(value) is str:
        return text(value)
    if isinstance(value, Mapping | list | tuple):
        if depth >= MAX_NESTING:
            raise _TooDeepError
        if isinstance(value, Mapping):
            copied = {text(str(k)): json_value(v, text, depth + 1) for k, v in value.items()}
            if len(copied) != len(value):
                return _distinct_keys(value, text, depth)
            return copied
        return [json_value(v, text, depth + 1) for v in value]
    if isinstance(value, datetime):
        return _time_text(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, timedelta):
        return seconds_of(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return text(bytes(value).decode("utf-8", "replace"))
    if isinstance(value, set | frozenset):  # no order of its own: sorted, so the output is stable
        return sorted((json_value(v, text, depth + 1) for v in value), key=_sort_key)
    if isinstance(value, str):  # a str subclass
        return text(str(value))
    return _scalar(value, text)


def _distinct_keys(value: Mapping[Any, Any], text: Callable[[str], str], depth: int) -> dict[str, Any]:
    """A mapping whose keys differ only in lone surrogates (``"a\\ud800"``, ``"a\\udc00"``), which
    U+FFFD would make one: its keys with their surrogates as ``\\uXXXX`` text, as JSON escapes them."""
    copied = {
        _escaped_key(str(k)) if text is _replace_surrogates else text(str(k)): json_value(v, text, depth + 1)
        for k, v in value.items()
    }
    if len(copied) != len(value):
        _refuse_clash(value, text)
    return copied


def _escaped_key(key: str) -> str:
    if key.isascii() or _SURROGATE.search(key) is None:
        return key
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", key)


class KeyClashError(ValueError):
    """Two keys of a mapping are one JSON key (``1`` and ``"1"``): writing both would keep only one."""


def _refuse_clash(value: Mapping[Any, Any], text: Callable[[str], str]) -> None:
    """Name the keys that give one JSON key (a silent drop of one value would be a wrong answer)."""
    seen: dict[str, Any] = {}
    for key in value:
        other = seen.setdefault(text(str(key)), key)
        if other is not key:
            raise KeyClashError(f"keys {short_repr(other)} and {short_repr(key)} are one JSON key")
    raise KeyClashError("keys that are one JSON key")  # pragma: no cover - a mapping whose len() lies


def _sort_key(value: Any) -> tuple[str, str]:
    return (type(value).__name__, json.dumps(value, sort_keys=True, default=str))


_INT_BITS_SAFE: Final = 2048
"""Ints up to this many bits always have decimal text (Python limits it to 4300 digits by default)."""


def _scalar(value: Any, text: Callable[[str], str]) -> Any:
    """A JSON scalar as it is; NaN and infinities (not JSON) and other objects as their text."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value if value.bit_length() <= _INT_BITS_SAFE else _big_int(int(value))
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    return text(str(value))


def _big_int(value: int) -> int | str:
    """An int as JSON if the interpreter can write its digits, else as exact hexadecimal text."""
    try:
        str(value)
    except ValueError:  # more digits than sys.get_int_max_str_digits(): json.dumps would fail
        return hex(value)
    return value


def _text_keyed(value: Any) -> dict[str, Any]:
    """A fresh dict of an object with text keys (``{}`` for ``None``, which to_dict never writes)."""
    if value is None:
        return {}
    if not isinstance(value, Mapping) or not all(type(k) is str for k in value):
        raise TypeError(f"expected an object with text keys, not {short_repr(value)}")
    return dict(value)


def _freeze(value: Any, _: Any) -> Mapping[str, Any]:
    words = _text_keyed(value)
    return MappingProxyType(words) if words else EMPTY


def _freeze_details(value: Any, _: Any) -> Mapping[str, Any]:
    """``details`` as the providers keep them (:func:`~runstate.provider_kit.freeze_details`)."""
    return freeze_details(_text_keyed(value))


def _freeze_words(value: Any, _: Any) -> Mapping[str, str]:
    words = _freeze(value, _)
    if not all(type(v) is str for v in words.values()):
        raise TypeError(f"expected an object of text values, not {short_repr(value)}")
    return words


def _text(value: Any, _: Any) -> str:
    """Text as it is: a number is not silently turned into text (``5`` is not ``"5"``)."""
    if type(value) is not str:
        raise TypeError(f"expected text, not {short_repr(value)}")
    return value


def _integer(value: Any, _: Any) -> int:
    """An integer as it is: ``2.7``, ``"3"`` and ``true`` are refused, not truncated or converted."""
    if type(value) is not int:
        raise TypeError(f"expected an integer, not {short_repr(value)}")
    return value


def _duration(value: Any, _: Any) -> timedelta:
    if type(value) is not int and type(value) is not float:  # bool is no number of seconds
        raise TypeError(f"expected seconds as a number, not {short_repr(value)}")
    return timedelta(seconds=value)


def _make_converter(text: Callable[[str], str] = _replace_surrogates) -> Converter:
    conv = Converter(omit_if_default=False)
    conv.register_unstructure_hook(datetime, format_time)
    conv.register_structure_hook(datetime, _parse_time)
    conv.register_unstructure_hook(timedelta, seconds_of)
    conv.register_structure_hook(timedelta, _duration)
    conv.register_structure_hook(str, _text)
    conv.register_structure_hook(int, _integer)
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
    run_fn = make_dict_unstructure_fn(
        Run,
        conv,
        provider_state=override(unstruct_hook=lambda m: _field_json(m, text, "provider_state")),
        details=override(unstruct_hook=lambda m: _field_json(m, text, "details")),
        raw=override(unstruct_hook=lambda m: None if m is None else _field_json(m, text, "raw")),
    )

    def unstructure_run(run: Run) -> dict[str, Any]:
        data: dict[str, Any] = run_fn(run)
        if text is not keep_text:
            for key in _TEXT_FIELDS:
                value = data[key]
                if value is not None:
                    data[key] = text(value)
        return data

    conv.register_unstructure_hook(Run, unstructure_run)
    conv.register_structure_hook(
        Run,
        make_dict_structure_fn(
            Run,
            conv,
            provider_state=override(struct_hook=_freeze_words),
            details=override(struct_hook=_freeze_details),
            raw=override(struct_hook=_raw_from_json),
        ),
    )
    return conv


def _field_json(value: Any, text: Callable[[str], str], field: str) -> Any:
    try:
        return json_value(value, text)
    except _TooDeepError:
        raise _TooDeepError(field) from None


def _missing_from_json(value: Any, _: Any) -> Mapping[str, Missing]:
    return MappingProxyType({k: Missing(v) for k, v in value.items()}) if value else EMPTY


def _raw_from_json(value: Any, _: Any) -> Mapping[str, Any] | None:
    if value is not None and not isinstance(value, Mapping):
        raise TypeError(f"expected an object or null, not {short_repr(value)}")
    return value


converter: Converter = _make_converter()
"""The cattrs converter behind :func:`to_dict` and :func:`from_dict`; copy it to customise."""
_LOSSLESS: Final = _make_converter(keep_text)
_ESCAPE_SURROGATE = re.compile("[\ud800-\udfff]")


def to_dict(run: Run) -> dict[str, Any]:
    """A run as JSON-ready data (validates against ``schemas/run.schema.json``)."""
    if not isinstance(run, Run):
        raise TypeError(f"runstate.to_dict takes a Run or a Summary, not {type(run).__name__}")
    body = _unstructure(converter, run)
    return {"schema_version": SCHEMA_VERSION, **body}


def _unstructure(conv: Converter, run: Run) -> dict[str, Any]:
    """The run as data; what a third-party object inside ``raw`` raises becomes InvalidRecordError."""
    try:
        body: dict[str, Any] = conv.unstructure(run, Run)
    except _TooDeepError as exc:
        field = exc.args[0] if exc.args else "$"
        problem = f"nested more than {MAX_NESTING} levels deep"
        raise InvalidRecordError(run.provider, field, run.run_id, problem) from None
    except RunstateError:
        raise
    except Exception as exc:  # a hostile mapping or object kept in raw or details
        raise InvalidRecordError(
            run.provider,
            "$",
            run.run_id,
            f"cannot convert to JSON ({type(exc).__name__}: {short_repr(str(exc))})",
        ) from exc
    return body


def dumps_run(run: Run) -> str:
    """A run as one line of JSON, valid UTF-8 always: lone surrogates are kept, written as ``\\uXXXX``.

    What the command line writes; raises :class:`~runstate.InvalidRecordError` if it nests too deep.
    """
    body = _unstructure(_LOSSLESS, run)
    text = json.dumps({"schema_version": SCHEMA_VERSION, **body}, ensure_ascii=False, separators=(",", ":"))
    return escape_surrogates(text)


def escape_surrogates(text: str) -> str:
    """JSON text with each lone surrogate written as a ``\\uXXXX`` escape, so it encodes as UTF-8."""
    if text.isascii() or _ESCAPE_SURROGATE.search(text) is None:
        return text
    return _ESCAPE_SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def from_dict(data: Mapping[str, Any]) -> Run:
    """A run from :func:`to_dict` output; malformed data raises :class:`~runstate.InvalidRecordError`.

    Output of schema version 0.1 (no ``schema_version`` key) and of the current version is read.
    """
    try:
        if isinstance(data, Mapping) and "schema_version" in data:
            if data["schema_version"] not in _READABLE_VERSIONS:
                raise ValueError(f"unknown schema_version {data['schema_version']!r}")  # noqa: TRY301 - reported with the cattrs errors by the except below
            data = {k: v for k, v in data.items() if k != "schema_version"}
        run = converter.structure(data, Run)
    except Exception as exc:  # cattrs raises a group of whatever the hooks raised
        field, problem = _where(exc)
        summary = _summary(data)
        raise InvalidRecordError("runstate", field, summary, f"not a canonical run ({problem})") from exc
    if not run.provider:  # the schema's minLength 1: to_dict of it would not validate
        raise InvalidRecordError("runstate", "$.provider", _summary(data), "not a canonical run (empty)")
    return run


def _where(exc: Exception) -> tuple[str, str]:
    """The path of the first bad value (``$.durations.total``) and what was wrong, from cattrs' group."""
    try:
        found = transform_error(exc, format_exception=lambda e, _: str(e) or type(e).__name__)
    except Exception:  # not a cattrs error: a plain message  # noqa: BLE001
        return "$", str(exc)
    if not found:
        return "$", str(exc)
    problem, _, path = found[0].rpartition(" @ ")
    return (path or "$"), "; ".join(found) if len(found) > 1 else problem


def _summary(data: Any) -> Any:
    return (
        {k: data[k] for k in ("provider", "run_id", "state") if k in data}
        if isinstance(data, Mapping)
        else data
    )
