"""Time edge cases across providers: DST-ambiguous local times, zones, leap days, far and old dates."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import warnings
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from typing import Any

import pytest
from dateutil import tz

import runstate
from runstate import InvalidRecordError, InvalidRecordWarning, NaiveDatetimeWarning

from ..paths import ROOT

NEW_YORK = tz.gettz("America/New_York")


def test_dst_ambiguous_local_times_keep_their_instant() -> None:
    # 2026-11-01 01:30 happens twice in New York; fold tells which, and UTC keeps them apart
    first = datetime(2026, 11, 1, 1, 30, tzinfo=NEW_YORK, fold=0)
    second = datetime(2026, 11, 1, 1, 30, tzinfo=NEW_YORK, fold=1)
    assert runstate.parse_time(first) == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)
    assert runstate.parse_time(second) == datetime(2026, 11, 1, 6, 30, tzinfo=UTC)


def test_boto3_local_zone_around_a_dst_change() -> None:
    """boto3 returns tzlocal() datetimes: with TZ set to a zone that changes, instants must survive."""
    code = """
import json, sys
from tests.botocore_glue import through_client
import runstate
epochs = [1793511000.5, 1793514600.25]  # 01:30 EDT and 01:30 EST on 2026-11-01, New York
job_run = {"Id": "jr_1", "JobRunState": "SUCCEEDED", "StartedOn": epochs[0], "CompletedOn": epochs[1]}
wire = {"JobRun": job_run}
boto = through_client(wire)
run = runstate.normalize("glue", boto, strict=True)
print(json.dumps([run.started_at.timestamp(), run.ended_at.timestamp(), run.durations.total.total_seconds(),
                  str(boto["JobRun"]["StartedOn"]), str(boto["JobRun"]["CompletedOn"])]))
"""
    env = {**os.environ, "TZ": "America/New_York"}
    root = ROOT
    command = [sys.executable, "-c", code]
    result = subprocess.run(command, capture_output=True, text=True, env=env, cwd=root, check=False)
    assert result.returncode == 0, result.stderr
    started, ended, total, local_start, local_end = json.loads(result.stdout)
    assert (started, ended, total) == (1793511000.5, 1793514600.25, 3599.75)
    assert local_start[:16] == local_end[:16] == "2026-11-01 01:30"  # the same wall time, twice


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-02-29T12:00:00Z", datetime(2024, 2, 29, 12, tzinfo=UTC)),
        ("2026-03-01T10:00:00+05:45", datetime(2026, 3, 1, 4, 15, tzinfo=UTC)),
        ("2026-03-01T10:00:00-09:30", datetime(2026, 3, 1, 19, 30, tzinfo=UTC)),
        ("1960-01-01T00:00:00Z", datetime(1960, 1, 1, tzinfo=UTC)),
        ("2999-12-31T23:59:59.999999999Z", datetime(2999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)),
    ],
)
def test_cloud_deploy_times(text: str, expected: datetime) -> None:
    record = {"uid": "u", "state": "SUCCEEDED", "startTime": text, "endTime": text}
    run = runstate.normalize("cloud_deploy", record, strict=True)
    assert run.started_at == expected
    assert run.durations.total == timedelta(0)  # a real zero: both times known and equal


def test_epoch_seconds_where_milliseconds_belong_are_flagged_not_1970() -> None:
    record = {"run_id": 1, "start_time": 1_772_359_200, "state": {"life_cycle_state": "RUNNING"}}
    with pytest.raises(InvalidRecordError, match=r"start_time: implausible epoch milliseconds"):
        runstate.normalize("databricks", record, strict=True)
    with pytest.warns(InvalidRecordWarning, match="looks like seconds"):
        run = runstate.normalize("databricks", record)
    assert run.started_at is None


def test_negative_and_far_future_epochs() -> None:
    for value in (-1, 10**15):
        with pytest.raises(InvalidRecordError, match=r"glue: \$.StartedOn"):
            runstate.normalize("glue", {"Id": "a", "JobRunState": "RUNNING", "StartedOn": value}, strict=True)


def test_naive_datetime_from_a_hand_built_glue_record() -> None:
    record = {"Id": "a", "JobRunState": "RUNNING", "StartedOn": datetime(2026, 3, 1, 10)}
    with pytest.raises(InvalidRecordError, match="naive datetime"):
        runstate.normalize("glue", record, strict=True)
    with pytest.warns(NaiveDatetimeWarning):
        assert runstate.normalize("glue", record).started_at == datetime(2026, 3, 1, 10, tzinfo=UTC)


def test_timezone_of_the_machine_does_not_matter() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        aware = datetime(2026, 3, 29, 1, 30, tzinfo=tz.gettz("Europe/Berlin"))  # a gap hour
        assert runstate.parse_time(aware) == aware.astimezone(UTC)


class _BadZone(tzinfo):
    """A third-party tzinfo whose utcoffset raises or gives what datetime refuses."""

    def __init__(self, offset: object = None) -> None:
        self.offset = offset

    def utcoffset(self, dt: datetime | None) -> Any:  # noqa: ARG002 - the signature of tzinfo
        if isinstance(self.offset, Exception):
            raise self.offset
        return self.offset

    def dst(self, dt: datetime | None) -> timedelta | None:  # noqa: ARG002 - the signature of tzinfo
        return None

    def tzname(self, dt: datetime | None) -> str | None:  # noqa: ARG002 - the signature of tzinfo
        return "bad"


class _Stamp(datetime):
    """A datetime subclass, e.g. pendulum's or an SDK's, with behaviour of its own."""

    def isoformat(self, sep: str = "T", timespec: str = "auto") -> str:  # noqa: ARG002 - the signature of datetime.isoformat
        raise RuntimeError("not here")


PROVIDER_TIME_FIELDS = [
    ("glue", {"Id": "jr_1", "JobRunState": "RUNNING"}, "StartedOn", "$.StartedOn"),
    ("cloud_deploy", {"name": "projects/p/locations/l/deliveryPipelines/d/releases/r/rollouts/o/"
                      "jobRuns/j", "state": "IN_PROGRESS"}, "startTime", "$.startTime"),
]  # fmt: skip


@pytest.mark.parametrize("offset", [timedelta(hours=25), -timedelta(hours=24), "+01:00"], ids=repr)
@pytest.mark.parametrize(("provider", "record", "key", "field"), PROVIDER_TIME_FIELDS)
def test_a_zone_without_a_valid_offset_is_an_invalid_field(
    offset: object, provider: str, record: dict[str, Any], key: str, field: str
) -> None:
    """Regression: utcoffset() out of range or not a timedelta failed the whole record (even
    leniently) as 'reading the record raised ValueError' at $, instead of the one field being
    invalid. (A utcoffset() that raises is the record's own failure: InvalidRecordError at $ with
    the cause chained, tests/test_registry.py.)"""
    value = datetime(2026, 3, 1, tzinfo=_BadZone(offset))
    with pytest.warns(InvalidRecordWarning, match=f"{re.escape(field)}: time zone gives no valid UTC offset"):
        run = runstate.normalize(provider, {**record, key: value})
    assert run.started_at is None
    with pytest.raises(InvalidRecordError, match="time zone gives no valid UTC offset") as info:
        runstate.normalize(provider, {**record, key: value}, strict=True)
    assert info.value.field == field


def test_a_datetime_subclass_becomes_a_plain_datetime() -> None:
    """Regression: an aware datetime subclass was kept as it was in the run's times, so its own
    overrides (here a raising isoformat) broke to_dict of the run."""
    start = _Stamp(2026, 3, 1, 10, tzinfo=UTC)
    end = _Stamp(2026, 3, 1, 12, tzinfo=timezone(timedelta(hours=1)))
    run = runstate.normalize("glue", {"Id": "jr_1", "JobRunState": "SUCCEEDED", "StartedOn": start,
                                      "CompletedOn": end}, keep_raw=False)  # fmt: skip
    assert type(run.started_at) is datetime
    assert type(run.ended_at) is datetime
    assert (run.started_at, run.ended_at) == (start, end)
    assert runstate.to_dict(run)["started_at"] == "2026-03-01T10:00:00Z"
    assert type(runstate.parse_time(start)) is datetime
