"""Timestamps from every form the providers use, to aware UTC datetimes.

``datetime.fromisoformat`` reads RFC 3339 with ``Z``, offsets and 0-9 fraction digits on 3.11 and costs
~0.06 us; dateutil's ``isoparse`` (~77x slower) is only tried for what it cannot read. Fraction digits
beyond microseconds are truncated, not rounded. Epoch numbers are checked for plausibility, so seconds
where milliseconds are expected are reported instead of becoming a date in 1970.
"""

from __future__ import annotations

import re
import warnings
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from dateutil.parser import isoparse

from .context import Context, caller_stacklevel
from .errors import NaiveDatetimeWarning, RunstateWarning, short_repr
from .fields import is_null, plain_number

__all__ = ["EPOCH", "parse_time", "time_from_epoch_ms", "time_from_epoch_s", "time_from_value", "to_utc"]

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

# plausible epoch numbers: after 1973-03-03 in milliseconds (1e11 ms), so that seconds (1.7e9 today)
# are caught; before 9999-12-31 (datetime's limit) in either unit
_MIN_EPOCH_MS = 100_000_000_000
_MAX_EPOCH_S = 253_402_300_799
_MAX_EPOCH_MS = _MAX_EPOCH_S * 1000
# in seconds, values past year 5138 are milliseconds in disguise
_MAX_PLAUSIBLE_EPOCH_S = 100_000_000_000

EpochUnit = Literal["s", "ms"]


def to_utc(value: datetime, ctx: Context, field: str) -> datetime | None:
    """An aware datetime in UTC; a naive one is an error strictly, assumed UTC with a warning leniently.

    The result is always a plain ``datetime`` (a subclass's overrides never reach the canonical run);
    a time zone whose ``utcoffset`` gives no valid offset (``timedelta(hours=25)``, a str) makes the
    field invalid, like a time with no UTC equivalent.
    """
    tz = value.tzinfo
    if tz is UTC:
        return value if type(value) is datetime else _plain(value)
    # what a third-party tzinfo raises goes on to normalize: InvalidRecordError at $, cause chained
    offset = None if tz is None else tz.utcoffset(value)
    if offset is None:
        if value != value:  # pandas' NaT (a datetime, unequal to itself): a null, not a naive time
            return None
        ctx.invalid(field, value, "naive datetime, assumed UTC", NaiveDatetimeWarning)
        return _plain(value).replace(tzinfo=UTC)
    if not isinstance(offset, timedelta) or not -_DAY < offset < _DAY:
        ctx.invalid(field, value, f"time zone gives no valid UTC offset: {short_repr(offset)}")
        return None
    try:
        return _plain(value.astimezone(UTC))
    except OverflowError:
        ctx.invalid(field, value, "time out of range in UTC")
        return None


_DAY = timedelta(days=1)


def _plain(value: datetime) -> datetime:
    """``value`` as a plain ``datetime`` (the same fields and tzinfo), not a subclass of it."""
    if type(value) is datetime:
        return value
    return datetime(
        value.year,
        value.month,
        value.day,
        value.hour,
        value.minute,
        value.second,
        value.microsecond,
        value.tzinfo,
        fold=value.fold,
    )


# RFC 3339 section 5.6 allows a leap second (time-second 60); datetime cannot hold one
_LEAP_SECOND = re.compile(r"(\s*\d{4}-\d\d-\d\d[Tt ]\d\d:\d\d):60(?:[.,]\d+)?(.*)")


def _leap_second(value: str, ctx: Context, field: str) -> datetime | None:
    """A leap second read as the last instant of its minute (``:59.999999``), with a warning."""
    match = _LEAP_SECOND.fullmatch(value)
    if match is None:
        return None
    try:
        parsed = isoparse(f"{match[1].strip()}:59.999999{match[2].strip()}")
    except (ValueError, OverflowError):
        return None
    warnings.warn(
        f"{ctx.provider}: {field}: leap second read as the last microsecond of its minute: "
        f"{short_repr(value)}",
        RunstateWarning,
        stacklevel=caller_stacklevel(),
    )
    return parsed


def _from_text(value: str, ctx: Context, field: str) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        try:
            parsed = isoparse(value.strip())
        except (ValueError, OverflowError):
            leap = _leap_second(value, ctx, field)
            if leap is None:
                ctx.invalid(field, value, "cannot parse time")
                return None
            parsed = leap
    return to_utc(parsed, ctx, field)


def time_from_epoch_ms(value: object, ctx: Context, field: str) -> datetime | None:
    """Epoch milliseconds (int, or a float from a JSON writer) to UTC; ``0`` and ``None`` are "not set"."""
    if type(value) is int:
        if _MIN_EPOCH_MS <= value <= _MAX_EPOCH_MS:
            return EPOCH + timedelta(0, 0, value * 1000)
        if value == 0:
            return None
    elif type(value) is float and _MIN_EPOCH_MS <= value <= _MAX_EPOCH_MS:
        return EPOCH + timedelta(milliseconds=value)  # rounded to the microsecond
    elif value is None or is_null(value):
        return None
    elif type(value) is not float and type(value) is not int and (number := plain_number(value)) is not None:
        return time_from_epoch_ms(number, ctx, field)
    _epoch_problem(value, "ms", ctx, field)
    return None


def time_from_epoch_s(value: object, ctx: Context, field: str) -> datetime | None:
    """Epoch seconds (int or float) to UTC; ``0`` and ``None`` mean "not set" and give ``None``."""
    if type(value) is float or type(value) is int:
        if 0 < value < _MAX_PLAUSIBLE_EPOCH_S:
            return datetime.fromtimestamp(value, UTC)
        if value == 0 or value != value:  # NaN: a data frame's null
            return None
    elif value is None or is_null(value):
        return None
    elif type(value) is not float and type(value) is not int and (number := plain_number(value)) is not None:
        return time_from_epoch_s(number, ctx, field)
    _epoch_problem(value, "s", ctx, field)
    return None


def _epoch_problem(value: object, unit: EpochUnit, ctx: Context, field: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        ctx.invalid(field, value, f"expected epoch {'milliseconds' if unit == 'ms' else 'seconds'}")
    elif value < 0:
        ctx.invalid(field, value, "implausible epoch time (negative)")
    elif unit == "ms" and value < _MIN_EPOCH_MS:
        ctx.invalid(field, value, "implausible epoch milliseconds (looks like seconds)")
    elif unit == "s" and value >= _MAX_PLAUSIBLE_EPOCH_S:
        ctx.invalid(field, value, "implausible epoch seconds (looks like milliseconds)")
    else:
        ctx.invalid(field, value, "epoch time out of range")
    return


def time_from_value(value: object, ctx: Context, field: str, epoch: EpochUnit = "s") -> datetime | None:
    """Any accepted form (datetime, ISO 8601 / RFC 3339 text, epoch number in ``epoch`` units) to UTC.

    ``None`` means absent; an empty string too. Anything else unusable is reported through ``ctx``.
    """
    kind = type(value)
    if kind is str:
        if value:
            try:
                parsed = datetime.fromisoformat(value)  # type: ignore[arg-type]
            except ValueError:
                return _from_text(value, ctx, field)  # type: ignore[arg-type]
            return parsed if parsed.tzinfo is UTC else to_utc(parsed, ctx, field)
        return None
    if kind is float or kind is int:
        if epoch == "s":
            if 0 < value < _MAX_PLAUSIBLE_EPOCH_S:  # type: ignore[operator]
                return datetime.fromtimestamp(value, UTC)  # type: ignore[arg-type]
            return time_from_epoch_s(value, ctx, field)
        return time_from_epoch_ms(value, ctx, field)
    if value is None or is_null(value):  # pandas' NaT or NA, a NaN: absent
        return None
    if isinstance(value, datetime):
        return to_utc(value, ctx, field)
    if isinstance(value, str):
        return _from_text(str(value), ctx, field) if value else None
    if type(value).__name__ == "datetime64":
        return _from_datetime64(value, ctx, field)
    if epoch == "ms":
        return time_from_epoch_ms(value, ctx, field)
    return time_from_epoch_s(value, ctx, field)


def _from_datetime64(value: Any, ctx: Context, field: str) -> datetime | None:
    """A numpy ``datetime64`` (naive by design: read as a naive datetime is, UTC with a warning when
    lenient), converted without numpy's import: microseconds, then the ``datetime`` numpy gives."""
    try:
        plain = value.astype("datetime64[us]").item()
    except (AttributeError, TypeError, ValueError, OverflowError):
        plain = None
    if type(plain) is not datetime:  # out of datetime's range (numpy gives an int), or no date at all
        ctx.invalid(field, value, "time out of range")
        return None
    return to_utc(plain, ctx, field)


_STRICT = Context("runstate", strict=True)
_LENIENT = Context("runstate", strict=False)


def parse_time(value: object, *, epoch: EpochUnit = "s", strict: bool = True) -> datetime | None:
    """Parse a timestamp in any accepted form to an aware UTC datetime (``None`` if absent).

    >>> parse_time("2026-03-01T10:00:00.123456789+05:45")
    datetime.datetime(2026, 3, 1, 4, 15, 0, 123456, tzinfo=datetime.timezone.utc)
    >>> parse_time(1772359200000, epoch="ms")
    datetime.datetime(2026, 3, 1, 10, 0, tzinfo=datetime.timezone.utc)
    """
    return time_from_value(value, _STRICT if strict else _LENIENT, "$", epoch)
