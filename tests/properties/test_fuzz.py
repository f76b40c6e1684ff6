"""Bad input for every provider: nothing undocumented escapes, and nothing is lost.

Each test takes a real-shaped record (the fixtures) and replaces one field anywhere in it with
something hostile, or feeds arbitrary JSON. Lenient mode must give a Run (warnings allowed),
strict mode a Run or a RunstateError; never KeyError, TypeError, AttributeError, OverflowError or
RecursionError. Every run that comes out keeps its record unchanged and survives to_dict/from_dict.
"""

from __future__ import annotations

import json
import pickle
import subprocess
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final

import jsonschema
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import runstate
from runstate import Run, RunstateError, RunstateWarning
from runstate._cli import app as _cli
from runstate.arrow import BATCH_SCHEMA, FORMATS, normalize_batches

from ..paths import FIXTURES, ROOT
from ..strategies import json_values

FIXTURES = FIXTURES
SCHEMA = json.loads((ROOT / "schemas" / "run.schema.json").read_text())
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)
PROVIDERS = ("databricks", "glue", "cloud_deploy", "databricks_system", "glue_events")


def _records(provider: str) -> list[Any]:
    return [json.loads(p.read_text()) for p in sorted((FIXTURES / provider).glob("*.json"))]


RECORDS = {p: _records(p) for p in PROVIDERS}


def _paths(value: Any, prefix: tuple[Any, ...] = (), depth: int = 0) -> Iterator[tuple[Any, ...]]:
    """Every path to a value inside a record (dict keys and list indexes), up to a depth."""
    if depth > 6:
        return
    if isinstance(value, dict):
        for key, item in value.items():
            yield (*prefix, key)
            yield from _paths(item, (*prefix, key), depth + 1)
    elif isinstance(value, list):
        for index, item in enumerate(value[:3]):
            yield (*prefix, index)
            yield from _paths(item, (*prefix, index), depth + 1)


def _copy(record: Any) -> Any:
    """A deep copy of JSON-shaped data, through pickle: what copy.deepcopy gives, many times faster."""
    return pickle.loads(pickle.dumps(record, pickle.HIGHEST_PROTOCOL))


def _replace(record: Any, path: tuple[Any, ...], value: Any) -> Any:
    result = _copy(record)
    target = result
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return result


HOSTILE: list[Any] = [
    None,
    "",
    0,
    -1,
    -1_772_359_200_000,
    10**30,
    -(10**30),
    1.5e308,
    float("inf"),
    True,
    "x" * 10_000,
    "NOT_A_REAL_ENUM_VALUE",
    "2026-02-30T25:61:00Z",
    [[{"a": [1]}]],
    {"nested": {"deeper": [None]}},
    [],
    {},
    "1772359200",
]


def _check_run(run: Run, record: Any, validate: bool = True) -> None:
    assert isinstance(run, Run)
    data = runstate.to_dict(run)
    if validate:
        VALIDATOR.validate(data)
    assert runstate.from_dict(json.loads(json.dumps(data))) == runstate.from_dict(data)
    for key, value in run.provider_state.items():
        assert isinstance(key, str)
        assert isinstance(value, str)


_REFUSALS = ("not a ", "run id", "normalize_many")
"""What a refusal in both modes says: not a record of the provider, or no usable id."""


def _normalize_both_modes(provider: str, record: Any, validate: bool = True) -> None:
    before = _copy(record)
    lenient: Run | None = None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RunstateWarning)
        if isinstance(record, dict):
            refused: runstate.InvalidRecordError | None = None
            try:  # leniently, any object gives a run, unless it is no run of the provider at all
                run = runstate.normalize(provider, record)
            except runstate.InvalidRecordError as exc:
                refused = exc
            if refused is not None:
                assert any(text in refused.problem for text in _REFUSALS), refused
                with pytest.raises(runstate.InvalidRecordError):
                    runstate.normalize(provider, record, strict=True)
                assert record == before, "the input was mutated"
                return
            _check_run(run, record, validate)
            lenient = run
        else:  # only a record that is not an object at all fails leniently, and says so
            with pytest.raises(runstate.InvalidRecordError, match=r": \$: expected"):
                runstate.normalize(provider, record)
    try:
        with warnings.catch_warnings():  # strict mode still warns about conflicts, never raises for them
            warnings.simplefilter("ignore", runstate.StateConflictWarning)
            strict_run = runstate.normalize(provider, record, strict=True)
    except RunstateError:
        pass
    else:
        if strict_run != lenient:  # the same run as the lenient one was checked just above
            _check_run(strict_run, record, validate)
    assert record == before, "the input was mutated"


@pytest.mark.parametrize("provider", PROVIDERS)
@given(data=st.data())
def test_one_hostile_field(provider: str, data: st.DataObject) -> None:
    record = data.draw(st.sampled_from(RECORDS[provider]))
    path = data.draw(st.sampled_from(list(_paths(record))))
    value = data.draw(st.sampled_from(HOSTILE) | json_values)
    _normalize_both_modes(provider, _replace(record, path, value))


@pytest.mark.parametrize("provider", PROVIDERS)
@given(value=json_values)
def test_arbitrary_json(provider: str, value: Any) -> None:
    _normalize_both_modes(provider, value)


@pytest.mark.parametrize("provider", PROVIDERS)
@given(data=st.data())
def test_arbitrary_json_object_fields(provider: str, data: st.DataObject) -> None:
    record = data.draw(st.sampled_from(RECORDS[provider]))
    top = dict(record)
    extra = data.draw(st.dictionaries(st.sampled_from(sorted(_all_keys(record))), json_values, max_size=4))
    top.update(extra)
    _normalize_both_modes(provider, top)


def _all_keys(value: Any) -> set[str]:
    keys: set[str] = set()
    if isinstance(value, dict):
        keys.update(value)
        for item in value.values():
            keys |= _all_keys(item)
    elif isinstance(value, list):
        for item in value:
            keys |= _all_keys(item)
    return keys


@pytest.mark.parametrize("provider", PROVIDERS)
def test_every_fixture_keeps_what_it_was_made_from(provider: str) -> None:
    for record in RECORDS[provider]:
        before = _copy(record)
        with warnings.catch_warnings():  # some fixtures are odd on purpose (STATE_UNSPECIFIED)
            warnings.simplefilter("ignore", RunstateWarning)
            runs = list(runstate.normalize_many(provider, [record]))
        assert runs
        for run in runs:
            assert run.raw is not None
            assert runstate.from_dict(runstate.to_dict(run)) == run
            assert run.provider_state, "the provider's own state words survive"
        assert record == before


@pytest.mark.parametrize("provider", PROVIDERS)
def test_every_field_with_every_hostile_value(provider: str) -> None:
    """Exhaustive, not sampled: each path of each fixture, replaced by each hostile value in turn."""
    cases = 0
    for record in RECORDS[provider]:
        for path in _paths(record):
            for value in HOSTILE:
                _normalize_both_modes(provider, _replace(record, path, value), validate=False)
                cases += 1
    assert cases > 1000, cases


def test_the_fuzz_script_finds_nothing_in_a_short_run() -> None:
    """CI's short version of ``scripts/fuzz.py`` (the long run: ``--records 200000``)."""
    script = ROOT / "scripts" / "fuzz.py"
    result = subprocess.run(
        [sys.executable, str(script), "--records", "400", "--jobs", "1"],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert report["problems"] == 0
    for provider in PROVIDERS:
        figures = report["providers"][provider]
        assert figures["records"] == 400
        assert figures["run"] > 0
        assert not [k for k in figures if k.startswith("PROBLEM")]


# --- the table outputs and the batch normalizer under the same hostile records ------------------------

_SURROGATE_KEYS: Final = {"a" + chr(0xD800): 1, "a" + chr(0xDC00): 2, "\x1b]0;t\x07": chr(0xD800)}
"""Keys that are one key once U+FFFD replaces lone surrogates, and terminal control text."""


def _hostile_record(data: st.DataObject, provider: str) -> Any:
    record = data.draw(st.sampled_from(RECORDS[provider]))
    path = data.draw(st.sampled_from(list(_paths(record))))
    value = data.draw(st.sampled_from([*HOSTILE, _SURROGATE_KEYS, [_SURROGATE_KEYS]]) | json_values)
    return _replace(record, path, value)


def _page(record: Any) -> list[Any] | None:
    """The records of a Glue list page (``{"JobRuns": [...]}``), or None for a single record."""
    inner = runstate.REGISTRY.get("glue").pages(record)
    return None if inner is None else list(inner)


def _text(record: Any) -> str:
    """JSON text as an engine holds it (lone surrogates as escapes, NaN as json writes it)."""
    return json.dumps(record)


@pytest.mark.parametrize("provider", PROVIDERS)
@given(data=st.data())
@settings(max_examples=15, deadline=None)
def test_normalize_batches_never_raises_mid_stream_nor_loses_a_record(
    provider: str, data: st.DataObject
) -> None:
    """Each record is a run's row (its tasks' rows after it) or one error row holding its text."""
    records = [_hostile_record(data, provider) for _ in range(data.draw(st.integers(1, 4)))]
    texts = [_text(r) for r in records] + ["{" + data.draw(st.text(max_size=20))]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RunstateWarning)
        batches = list(normalize_batches(provider, [pa.record_batch({"record": texts})]))
    rows = pa.Table.from_batches(batches, schema=BATCH_SCHEMA).to_pylist()
    errors = [r for r in rows if r["error"] is not None]
    runs = [r for r in rows if r["error"] is None]
    assert all(r["record"] in texts for r in errors)
    pages = [runstate.REGISTRY.get(provider).pages(r) for r in records]
    expected = sum(1 if page is None else len(list(page)) for page in pages) + 1
    assert len(runs) - sum(r["task_count"] for r in runs) + len(errors) == expected


@pytest.mark.parametrize("fmt", FORMATS)
@given(data=st.data())
@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_table_files_hold_every_record_or_its_dead_letter(
    fmt: str, data: st.DataObject, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``normalize -f parquet|csv|arrow`` over hostile Glue records: each one is a row or a dead letter
    (byte for byte), the counts printed are those, and the exit code says which."""
    records = [_hostile_record(data, "glue") for _ in range(data.draw(st.integers(1, 5)))]
    lines = [_text(r).encode() for r in records]
    source, out, dead = tmp_path / "in.jsonl", tmp_path / f"out.{fmt}", tmp_path / "dead.jsonl"
    source.write_bytes(b"".join(line + b"\n" for line in lines))
    code = _cli.main(
        ["normalize", "-p", "glue", str(source), "-f", fmt, "-o", str(out), "--errors", str(dead)]
    )
    closing = capsys.readouterr().err.splitlines()[-1]
    assert code in (0, 1), closing
    table = {
        "parquet": pq.read_table,
        "csv": pa_csv.read_csv,
        "arrow": lambda p: pa.ipc.open_file(p).read_all(),
    }[fmt](str(out))
    letters = dead.read_bytes().splitlines()
    top_rows = sum(1 for parent in table.column("parent_run_id").to_pylist() if parent is None)
    pages = [_page(record) for record in records]
    expected = sum(1 if page is None else len(page) for page in pages)
    assert top_rows + len(letters) == expected, closing
    assert f"read {expected} record(s): {top_rows} written, {len(letters)} failed" in closing
    if all(page is None for page in pages):  # a list page's records are dead-lettered as their own JSON
        assert all(letter in lines for letter in letters)
    for path in (out, dead, Path(f"{dead}.why.jsonl")):
        path.unlink(missing_ok=True)
