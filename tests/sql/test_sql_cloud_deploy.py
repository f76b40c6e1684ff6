"""Cloud Deploy in SQL beyond the names: enum numbers (a proto export) and the durations from the times.

A JobRun exported with integer enums has ``state`` as a ``JobRun.State`` number and ``failureCause``
as a number of its own sub-type's ``FailureCause`` enum; the SQL reads them through ``stateNumber`` /
``failureCauseNumber``. Every expectation is ``runstate.normalize`` of the same record (lenient).
"""

from __future__ import annotations

import itertools
import json
from typing import Any

import attrs
import pytest

from runstate import sql
from runstate._providers.cloud_deploy import tables as cd

from ..sql_cases import (
    CAUSE_NUMBERS,
    CLOUD_DEPLOY,
    STATE_NUMBERS,
    Row,
    duckdb_outputs,
    expectations,
    expected,
    fixture_records,
)

pytest.importorskip("duckdb", reason="the sql tests need duckdb: pip install 'runstate[sql]'")

_NUMBERS = {"stateNumber": "stateNumber", "failureCauseNumber": "failureCauseNumber"}
_TIMES = ("createTime", "startTime", "endTime")


def _mismatches(rows: list[Row], columns: dict[str, str] | None = None) -> list[tuple[Row, Row, Row]]:
    got = duckdb_outputs(CLOUD_DEPLOY, rows, columns)
    return [(r, g, w) for r, g, w in zip(rows, got, expectations(CLOUD_DEPLOY, rows), strict=True) if g != w]


def test_every_combination_of_enum_numbers() -> None:
    """Each state number x sub-type x cause number (numbers no enum has among them), names NULL."""
    base = dict.fromkeys(CLOUD_DEPLOY.types)
    rows = [
        {**base, "stateNumber": state, "jobRun": sub, "failureCauseNumber": cause}
        for state, sub, cause in itertools.product(
            (None, *STATE_NUMBERS), CLOUD_DEPLOY.pools["jobRun"], (None, *CAUSE_NUMBERS)
        )
    ]
    assert _mismatches(rows) == []


def test_a_cause_number_is_read_in_its_own_sub_types_enum() -> None:
    """CLOUD_BUILD_REQUEST_FAILED is 5 in deploy and verify, 4 in predeploy and postdeploy, where 4 of
    deploy is MISSING_RESOURCES_FOR_CANARY: one number, two answers (google-cloud-deploy 2.12.0)."""
    failed = cd.KNOWN_JOB_RUN_STATES.index("FAILED")
    base = {**dict.fromkeys(CLOUD_DEPLOY.types), "stateNumber": failed, "failureCauseNumber": 4}
    rows = [
        {**base, "jobRun": sub} for sub in ("deployJobRun", "predeployJobRun", "createChildRolloutJobRun")
    ]
    got = duckdb_outputs(CLOUD_DEPLOY, rows)
    assert [(g["state"], g["reason"], g["unmapped"]) for g in got] == [
        ("FAILED", "USER_ERROR", False),
        ("FAILED", "PLATFORM_ERROR", False),
        ("FAILED", None, False),  # a sub-type without a failure cause: nothing refines the state
    ]
    assert _mismatches(rows) == []


def test_the_names_layout_is_unchanged_by_default() -> None:
    """Without the number words the SQL reads names only: no trace of the number columns."""
    texts = sql.case_expressions("cloud_deploy", "duckdb")
    assert not any("Number" in text for text in texts.values())
    assert "failureCauseNumber" in sql.case_expressions("cloud_deploy", "duckdb", _NUMBERS)["state"]


def _proto_record(record: Any) -> dict[str, Any]:
    """A REST JobRun as google-cloud-deploy's ``to_dict`` writes it with integer enums."""
    from google.cloud import deploy_v1

    message = deploy_v1.JobRun.from_json(json.dumps(record), ignore_unknown_fields=True)
    data: dict[str, Any] = type(message).to_dict(
        message, use_integers_for_enums=True, preserving_proto_field_name=False
    )
    return data


def test_fixture_records_exported_with_integer_enums() -> None:
    """Every fixture JobRun through the SDK's own proto with integer enums: the numbers are the SDK's."""
    pytest.importorskip("google.cloud.deploy_v1")
    rows: list[Row] = []
    wanted: list[Row] = []
    for _, record in fixture_records("cloud_deploy"):
        numbered = _proto_record(record)
        result, run = expected("cloud_deploy", numbered)
        rows.append(CLOUD_DEPLOY.from_record(numbered, run))
        wanted.append(
            {k: result[k] for k in ("state", "reason", "phase", "unmapped", *CLOUD_DEPLOY.durations)}
        )
    assert sum(row["stateNumber"] is not None for row in rows) >= 8
    assert any(row["failureCauseNumber"] for row in rows)
    got = duckdb_outputs(CLOUD_DEPLOY, rows)
    assert [(r, g, w) for r, g, w in zip(rows, got, wanted, strict=True) if g != w] == []


def test_rest_times_cast_in_the_engine() -> None:
    """The REST times as text, cast by the column map: DuckDB truncates nanoseconds as normalize does."""
    case = attrs.evolve(CLOUD_DEPLOY, types={**CLOUD_DEPLOY.types, **dict.fromkeys(_TIMES, "text")})
    rows: list[Row] = []
    wanted: list[Row] = []
    for _, record in fixture_records("cloud_deploy"):
        result, run = expected("cloud_deploy", record)
        rows.append({**CLOUD_DEPLOY.from_record(record, run), **{t: record.get(t) for t in _TIMES}})
        wanted.append({k: result[k] for k in ("state", "reason", "phase", "unmapped", *case.durations)})
    assert any(".123456789Z" in (row["createTime"] or "") for row in rows)
    casts = {t: f"CAST({t} AS TIMESTAMPTZ)" for t in _TIMES}
    got = duckdb_outputs(case, rows, {**_NUMBERS, **casts})
    assert [(r, g, w) for r, g, w in zip(rows, got, wanted, strict=True) if g != w] == []
    assert any(g["queue_seconds"] is not None and g["total_seconds"] is not None for g in got)
