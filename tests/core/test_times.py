"""Timestamps in every accepted form parse to the same aware UTC instant; bad ones are reported."""

from __future__ import annotations

import contextlib
import warnings
from datetime import UTC, datetime, timedelta, timezone
from typing import Literal

import pytest
from dateutil.tz import tzlocal, tzoffset
from hypothesis import given
from hypothesis import strategies as st

import runstate
from runstate import InvalidRecordError, NaiveDatetimeWarning, parse_time
from runstate._core.times import EPOCH
from runstate.provider_kit import Context, time_from_epoch_ms, time_from_epoch_s

from ..strategies import aware_datetimes, offsets

STRICT = Context("test", strict=True)
LENIENT = Context("test", strict=False)


def _iso_forms(instant: datetime, offset: timezone) -> list[str]:
    local = instant.astimezone(offset)
    base = local.strftime("%Y-%m-%dT%H:%M:%S")
    us = f"{local.microsecond:06d}"
    off = local.strftime("%z")
    off_colon = f"{off[:3]}:{off[3:]}"
    forms = [f"{base}.{us}{off_colon}", f"{base}.{us}{off}", f"{base}.{us}000{off_colon}"]
    if offset.utcoffset(None) == timedelta(0):
        forms += [f"{base}.{us}Z", f"{base}.{us}123Z"]  # 9 digits: nanoseconds are truncated
    return forms


@given(aware_datetimes, offsets)
def test_any_written_form_parses_to_the_same_instant(instant: datetime, offset: timezone) -> None:
    for text in _iso_forms(instant, offset):
        assert parse_time(text) == instant, text
    assert parse_time(instant.astimezone(offset)) == instant
    whole_ms = instant.replace(microsecond=instant.microsecond // 1000 * 1000)
    epoch_ms = (whole_ms - EPOCH) // timedelta(milliseconds=1)
    assert parse_time(epoch_ms, epoch="ms") == whole_ms
    whole_s = instant.replace(microsecond=0)
    assert parse_time(int(whole_s.timestamp())) == whole_s


@given(aware_datetimes)
def test_result_is_always_utc(instant: datetime) -> None:
    parsed = parse_time(instant.astimezone(tzoffset(None, 20700)))
    assert parsed is not None and parsed.tzinfo is UTC


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-03-01T10:00:00Z", datetime(2026, 3, 1, 10, tzinfo=UTC)),
        ("2026-03-01T10:00:00.123456789Z", datetime(2026, 3, 1, 10, 0, 0, 123456, tzinfo=UTC)),
        ("2026-03-01T15:45:00+05:45", datetime(2026, 3, 1, 10, tzinfo=UTC)),
        ("2026-03-01T02:00:00-0800", datetime(2026, 3, 1, 10, tzinfo=UTC)),
        ("2024-02-29T23:59:59.999999Z", datetime(2024, 2, 29, 23, 59, 59, 999999, tzinfo=UTC)),
        ("2026-060T10:00Z", datetime(2026, 3, 1, 10, tzinfo=UTC)),  # ordinal date: dateutil fallback
        ("2026-03-01T24:00:00Z", datetime(2026, 3, 2, tzinfo=UTC)),  # 24:00: dateutil fallback
        ("1969-07-20T20:17:40Z", datetime(1969, 7, 20, 20, 17, 40, tzinfo=UTC)),
        ("9999-12-31T23:59:59Z", datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)),
    ],
)
def test_documented_text_forms(text: str, expected: datetime) -> None:
    assert parse_time(text) == expected


def test_float_epoch_milliseconds() -> None:
    assert parse_time(1772359200123.0, epoch="ms") == datetime(2026, 3, 1, 10, 0, 0, 123000, tzinfo=UTC)
    assert parse_time(1772359200123.5, epoch="ms") == datetime(2026, 3, 1, 10, 0, 0, 123500, tzinfo=UTC)


def test_absent_values() -> None:
    assert parse_time(None) is None
    assert parse_time("") is None
    assert time_from_epoch_ms(0, STRICT, "$.end_time") is None
    assert time_from_epoch_s(0, STRICT, "$.CompletedOn") is None


def test_naive_datetime_is_an_error_strictly_and_a_warning_leniently() -> None:
    naive = datetime(2026, 3, 1, 10)
    with pytest.raises(InvalidRecordError, match="naive datetime"):
        parse_time(naive)
    with pytest.warns(NaiveDatetimeWarning, match="assumed UTC"):
        assert parse_time(naive, strict=False) == naive.replace(tzinfo=UTC)
    with pytest.raises(InvalidRecordError, match="naive"):
        parse_time("2026-03-01T10:00:00")


def test_local_zone_datetimes_from_boto3() -> None:
    local = datetime(2026, 3, 1, 10, tzinfo=tzlocal())
    assert parse_time(local) == local.astimezone(UTC)


@pytest.mark.parametrize(
    ("value", "epoch", "problem"),
    [
        (1_772_359_200, "ms", "looks like seconds"),
        (1_772_359_200_000, "s", "looks like milliseconds"),
        (-5, "s", "negative"),
        (-5, "ms", "negative"),
        (10**30, "ms", "out of range"),
        (True, "s", "expected epoch seconds"),
        ([1], "ms", "expected epoch milliseconds"),
        ("yesterday", "s", "cannot parse time"),
        ("2026-13-01T00:00:00Z", "s", "cannot parse time"),
    ],
)
def test_bad_times_are_reported(value: object, epoch: str, problem: str) -> None:
    with pytest.raises(InvalidRecordError, match=problem) as info:
        parse_time(value, epoch=epoch)  # type: ignore[arg-type]
    assert info.value.value == value or value != value
    with pytest.warns(runstate.InvalidRecordWarning, match=problem):
        assert parse_time(value, epoch=epoch, strict=False) is None  # type: ignore[arg-type]


@given(st.integers(min_value=100_000_000_000, max_value=253_402_300_799_000))
def test_epoch_ms_is_exact(ms: int) -> None:
    parsed = time_from_epoch_ms(ms, STRICT, "$")
    assert parsed is not None
    assert (parsed - EPOCH) == timedelta(milliseconds=ms)


@given(st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=30)))
def test_no_undocumented_exception(value: object) -> None:
    epoch: Literal["s", "ms"]
    for epoch in ("s", "ms"):
        with contextlib.suppress(InvalidRecordError):
            parse_time(value, epoch=epoch)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", runstate.RunstateWarning)
            parse_time(value, epoch=epoch, strict=False)
