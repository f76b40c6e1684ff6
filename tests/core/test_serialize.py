"""to_dict / from_dict: JSON-ready, schema-valid, and a lossless round trip."""

from __future__ import annotations

import copy
import json
import pickle
import warnings
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from pathlib import Path
from typing import Any

import attrs
import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st

import runstate
from runstate import Durations, InvalidRecordError, Missing, Run, State, from_dict, to_dict
from runstate._core.errors import MAX_NESTING
from runstate._core.serialize import SCHEMA_VERSION, dumps_run

from ..paths import FIXTURES, ROOT
from ..strategies import runs

FIXTURES = FIXTURES
SCHEMA = json.loads((ROOT / "schemas" / "run.schema.json").read_text())
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


def _nested(depth: int) -> dict[str, Any]:
    raw: dict[str, Any] = {}
    inner = raw
    for _ in range(depth - 1):
        inner["a"] = {}
        inner = inner["a"]
    return raw


@pytest.mark.parametrize("depth", [MAX_NESTING + 1, 5000])
def test_to_dict_of_an_over_deep_raw_record_is_an_invalid_record(depth: int) -> None:
    run = Run(provider="glue", run_id="1", state=State.RUNNING, raw=_nested(depth))
    with pytest.raises(InvalidRecordError, match=f"nested more than {MAX_NESTING} levels deep"):
        to_dict(run)


def test_to_dict_at_the_nesting_limit_works() -> None:
    raw = _nested(MAX_NESTING)
    run = Run(provider="glue", run_id="1", state=State.RUNNING, raw=raw)
    assert to_dict(run)["raw"] == raw


def test_lone_surrogates_become_replacement_characters_and_encode() -> None:
    run = Run(
        provider="glue",
        run_id="r\ud800",
        state=State.RUNNING,
        name="n\udc80",
        provider_state={"JobRunState": "\udfff"},
        details={"k\ud800": ["v\udbff"]},
        raw={"Id": "r\ud800"},
    )
    data = to_dict(run)
    text = json.dumps(data, ensure_ascii=False)
    text.encode("utf-8")  # raises UnicodeEncodeError if a lone surrogate were left
    assert data["run_id"] == "r\ufffd"
    assert data["details"] == {"k\ufffd": ["v\ufffd"]}
    assert data["raw"] == {"Id": "r\ufffd"}
    line = dumps_run(run)  # the command line's form keeps them, escaped
    line.encode("utf-8")
    assert '"run_id":"r\\ud800"' in line
    assert json.loads(line)["run_id"] == "r\ud800"


def test_a_time_without_a_utc_twin_in_raw_is_written_with_its_offset() -> None:
    plus14 = timezone(timedelta(hours=14))
    run = Run(
        provider="glue", run_id="1", state=State.RUNNING, raw={"StartedOn": datetime(1, 1, 1, tzinfo=plus14)}
    )
    assert to_dict(run)["raw"] == {"StartedOn": "0001-01-01T00:00:00+14:00"}


def test_output_names_its_schema_version() -> None:
    data = to_dict(Run(provider="glue", run_id="1", state=State.RUNNING))
    assert next(iter(data)) == "schema_version"
    assert data["schema_version"] == SCHEMA_VERSION
    with pytest.raises(InvalidRecordError, match="unknown schema_version"):
        from_dict({**data, "schema_version": "9.9"})


@pytest.mark.parametrize("path", sorted((FIXTURES / "serialized").glob("*_v0.1.jsonl")))
def test_reads_version_0_1_output(path: Path) -> None:
    """Output written by runstate 0.1 (before schema_version) is still read, and re-written the same."""
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines
    for line in lines:
        old = json.loads(line)
        assert "schema_version" not in old
        run = from_dict(old)
        assert to_dict(run) == {"schema_version": SCHEMA_VERSION, **old}


@pytest.mark.parametrize(
    "provider", ["glue", "databricks", "cloud_deploy", "databricks_system", "glue_events"]
)
@pytest.mark.parametrize("depth", [MAX_NESTING - 1, MAX_NESTING, MAX_NESTING + 1])
def test_the_nesting_limit_through_normalize_to_dict_and_pickle(provider: str, depth: int) -> None:
    """Regression: an over-deep raw failed as ``runstate: $: ...: '{}'`` (the innermost value), naming
    neither the run's provider nor the field; at the limit and below everything works."""
    fixture = min((FIXTURES / provider).glob("*.json"))
    record = json.loads(fixture.read_text())
    record = dict(record[0] if isinstance(record, list) else record)
    record["zz_deep"] = _nested(depth - 1)  # the record's own braces are the first level
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", runstate.RunstateWarning)
        run = next(iter(runstate.normalize_many(provider, [record])))
    if depth <= MAX_NESTING:
        assert to_dict(run)["raw"]["zz_deep"] == record["zz_deep"]
        assert pickle.loads(pickle.dumps(run)) == run
        return
    for action in (to_dict, pickle.dumps, copy.deepcopy):
        with pytest.raises(InvalidRecordError) as info:
            action(run)
        error = info.value
        assert (error.provider, error.field, error.value) == (provider, "raw", run.run_id)
        assert str(error).startswith(f"{provider}: raw: nested more than {MAX_NESTING} levels deep")
        assert str(error).endswith(f": {run.run_id!r}")


def test_huge_ints_in_raw_still_give_encodable_json() -> None:
    """Regression: an int with more digits than Python writes (4300) made to_dict's output fail
    json.dumps with ValueError; it is now written as exact hexadecimal text."""
    big = 10**5000
    run = Run(provider="glue", run_id="1", state=State.RUNNING, raw={"n": big, "m": -big, "ok": 2**2000})
    data = to_dict(run)
    json.dumps(data, ensure_ascii=False).encode("utf-8")
    assert int(data["raw"]["n"], 16) == big
    assert int(data["raw"]["m"], 16) == -big
    assert data["raw"]["ok"] == 2**2000
    VALIDATOR.validate(data)


def test_sets_and_byte_buffers_in_raw_are_written_as_data_not_their_repr() -> None:
    """Regression: a set was written as its repr (order varies between processes with string hash
    randomisation), a memoryview as ``<memory at 0x...>`` and a bytearray as ``bytearray(b'..')``."""
    raw = {
        "tags": {"b", "a", "c"},
        "ids": frozenset({3, 1, 2}),
        "buf": bytearray(b"ab"),
        "view": memoryview(b"cd"),
        "mixed": {1, "x"},
    }
    data = to_dict(Run(provider="glue", run_id="1", state=State.RUNNING, raw=raw))["raw"]
    assert data == {"tags": ["a", "b", "c"], "ids": [1, 2, 3], "buf": "ab", "view": "cd", "mixed": [1, "x"]}


class _RaisingZone(tzinfo):
    def utcoffset(self, dt: datetime | None) -> timedelta | None:  # noqa: ARG002 - the signature of tzinfo
        raise RuntimeError("zone database gone")

    def dst(self, dt: datetime | None) -> timedelta | None:  # noqa: ARG002 - the signature of tzinfo
        return None

    def tzname(self, dt: datetime | None) -> str | None:  # noqa: ARG002 - the signature of tzinfo
        return None


def test_a_raw_datetime_with_a_broken_zone_is_written_as_its_wall_clock() -> None:
    """Regression: a record kept a datetime whose tzinfo raises in a field runstate does not read
    (normalize succeeded), and to_dict of the run then failed."""
    value = datetime(2026, 3, 1, 10, 30, tzinfo=_RaisingZone())
    run = runstate.normalize("glue", {"Id": "1", "JobRunState": "RUNNING", "Arguments": {"--since": value}})
    assert to_dict(run)["raw"]["Arguments"]["--since"] == "2026-03-01T10:30:00"


_GOOD = {"provider": "glue", "run_id": "jr_1", "state": "SUCCEEDED", "attempt": 1}


@pytest.mark.parametrize(
    ("patch", "field", "problem"),
    [
        ({"attempt": 2.7}, "$.attempt", "expected an integer, not 2.7"),
        ({"attempt": "3"}, "$.attempt", "expected an integer, not '3'"),
        ({"attempt": True}, "$.attempt", "expected an integer, not True"),
        ({"run_id": 7}, "$.run_id", "expected text, not 7"),
        ({"name": 3}, "$.name", "expected text, not 3"),
        ({"raw": "abc"}, "$.raw", "expected an object or null, not 'abc'"),
        ({"provider_state": {"JobRunState": 1}}, "$.provider_state", "expected an object of text values"),
        ({"durations": {"total": True}}, "$.durations.total", "expected seconds as a number, not True"),
        ({"provider": ""}, "$.provider", "empty"),
    ],
)
def test_from_dict_refuses_what_it_used_to_coerce_and_names_the_field(
    patch: dict[str, Any], field: str, problem: str
) -> None:
    """Regression: cattrs' default hooks truncated attempt 2.7 to 2, read "3" and True as integers,
    turned 7 into "7", kept a str as raw and True as one second; an empty provider gave a run whose
    to_dict fails the schema. Errors said only ``$`` and "While structuring Run (1 sub-exception)"."""
    with pytest.raises(InvalidRecordError) as info:
        from_dict({**_GOOD, **patch})
    assert info.value.field == field
    assert f"not a canonical run ({problem}" in info.value.problem
    assert from_dict(_GOOD).attempt == 1


@pytest.mark.parametrize("where", ["raw", "details"])
def test_keys_that_are_one_json_key_are_refused_by_name(where: str) -> None:
    """``{1: "a", "1": "b"}`` (a Python dict given to normalize) has two keys JSON writes alike:
    keeping one value silently would be a wrong answer, so ``to_dict`` names both keys."""
    record = {"Id": "jr_1", "JobRunState": "RUNNING"}
    nested = {1: "a", "1": "b"}
    if where == "raw":
        record["Extra"] = nested  # type: ignore[assignment]
    run = runstate.normalize("glue", record)
    if where == "details":
        run = attrs.evolve(run, details={"nested": nested})
    with pytest.raises(runstate.InvalidRecordError, match=r"keys 1 and '1' are one JSON key") as info:
        runstate.to_dict(run)
    assert (info.value.provider, info.value.value) == ("glue", "jr_1")
    with pytest.raises(runstate.InvalidRecordError, match="one JSON key"):
        dumps_run(run)
    distinct = attrs.evolve(run, raw={"1": "b", 2: "c"}, details={})  # type: ignore[dict-item]
    assert runstate.to_dict(distinct)["raw"] == {"1": "b", "2": "c"}


def test_keys_that_differ_only_in_lone_surrogates_stay_two_keys() -> None:
    """``{"a\\ud800": 1, "a\\udc00": 2}`` is valid JSON that ``normalize`` accepts; U+FFFD would make
    its keys one, so that object's keys keep their surrogates as ``\\uXXXX`` text, as JSON escapes
    them (all of its keys, so the result does not depend on their order)."""
    record = json.loads(
        '{"Id": "jr_1", "JobRunState": "RUNNING", "a\\ud800": 1, "a\\udc00": 2, "b\\ud800": 3}'
    )
    data = to_dict(runstate.normalize("glue", record))
    assert {k: v for k, v in data["raw"].items() if k[0] in "ab"} == {
        "a\\ud800": 1,
        "a\\udc00": 2,
        "b\\ud800": 3,  # every key of that object, whatever its order
    }
    json.dumps(data).encode("utf-8")
    VALIDATOR.validate(data)
    row = runstate.to_row(runstate.normalize("glue", record), raw=True)
    assert json.loads(row["raw"])["a\\udc00"] == 2


@given(st.lists(runs(), max_size=4))
def test_to_dict_of_a_summary_is_its_own_to_dict(batch: list[Run]) -> None:
    summary = runstate.summarize(batch, now=datetime(2030, 1, 1, tzinfo=UTC))
    assert runstate.to_dict(summary) == summary.to_dict()
    json.dumps(runstate.to_dict(summary))  # JSON-ready, as a run's


@pytest.mark.parametrize("value", [None, {"provider": "glue", "run_id": "1"}, "jr_1", 3, []])
def test_to_dict_of_anything_else_names_what_it_takes(value: object) -> None:
    with pytest.raises(TypeError, match=rf"to_dict takes a Run or a Summary, not {type(value).__name__}$"):
        runstate.to_dict(value)  # type: ignore[arg-type]
