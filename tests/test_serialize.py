"""to_dict / from_dict: JSON-ready, schema-valid, and a lossless round trip."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import given

import runstate
from runstate import Durations, InvalidRecordError, Missing, Run, State, from_dict, to_dict

from .strategies import runs

SCHEMA = json.loads((Path(__file__).parent.parent / "schemas" / "run.schema.json").read_text())
VALIDATOR = jsonschema.Draft202012Validator(
    SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
)


def test_schema_is_valid_draft_2020_12() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


@given(runs())
def test_round_trip_is_lossless(run: Run) -> None:
    data = to_dict(run)
    assert json.loads(json.dumps(data)) == data  # pure JSON
    assert from_dict(data) == run
    assert to_dict(from_dict(json.loads(json.dumps(data)))) == data


@given(runs())
def test_to_dict_validates_against_the_schema(run: Run) -> None:
    VALIDATOR.validate(to_dict(run))


def test_documented_units() -> None:
    run = Run(
        provider="glue",
        run_id="jr_1",
        state=State.RUNNING,
        started_at=datetime(2026, 3, 1, 10, 0, 0, 500, tzinfo=UTC),
        durations=Durations(queue=timedelta(seconds=90), execution=timedelta(milliseconds=1500),
                            missing={"total": Missing.NOT_ENDED}),
    )  # fmt: skip
    data = to_dict(run)
    assert data["state"] == "RUNNING"
    assert data["started_at"] == "2026-03-01T10:00:00.000500Z"
    assert data["durations"]["queue"] == 90
    assert data["durations"]["execution"] == 1.5
    assert data["durations"]["missing"] == {"total": "NOT_ENDED"}


def test_raw_with_datetimes_becomes_json() -> None:
    raw = {
        "StartedOn": datetime(2026, 3, 1, 10, tzinfo=UTC),
        "Nested": [{"t": datetime(2026, 3, 1, tzinfo=UTC)}],
    }
    run = Run(provider="glue", run_id="1", state=State.RUNNING, raw=raw)
    data = to_dict(run)
    assert data["raw"] == {"StartedOn": "2026-03-01T10:00:00Z", "Nested": [{"t": "2026-03-01T00:00:00Z"}]}
    assert raw["StartedOn"] == datetime(2026, 3, 1, 10, tzinfo=UTC)  # the input is not mutated


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"provider": "glue", "run_id": "1", "state": "NOPE"},
        {"provider": "glue", "run_id": "1", "state": "RUNNING", "started_at": "yesterday"},
        [],
    ],
)
def test_from_dict_rejects_malformed_data(data: Any) -> None:
    with pytest.raises(InvalidRecordError, match="not a canonical run"):
        from_dict(data)


def test_public_names() -> None:
    assert runstate.to_dict is to_dict
    assert runstate.from_dict is from_dict


def test_to_dict_of_a_deeply_nested_raw_record() -> None:
    raw: dict[str, Any] = {}
    inner = raw
    for _ in range(5000):  # deeper than the recursion limit allows a recursive copy to go
        inner["a"] = {}
        inner = inner["a"]
    run = Run(provider="glue", run_id="1", state=State.RUNNING, raw=raw)
    assert to_dict(run)["raw"] is raw
