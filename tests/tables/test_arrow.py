"""runstate.arrow: RUN_SCHEMA, to_table, normalize_batches and the file writers agree with to_row."""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import attrs
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
import pytest
from hypothesis import given
from hypothesis import strategies as st

import runstate
from runstate import Run
from runstate._tables.rows import COLUMNS
from runstate.arrow import (
    BATCH_SCHEMA,
    FORMATS,
    RUN_SCHEMA,
    Format,
    normalize_batches,
    to_table,
    write,
    write_arrow,
    write_csv,
    write_parquet,
)

from .. import canonical_provider
from ..strategies import maybe_texts, runs

# generated runs with a namespace on the top-level run (tasks inherit it in rows)
runs_with_namespace = st.builds(lambda run, ns: attrs.evolve(run, namespace=ns), runs(), maybe_texts)


def example_lines(provider: str) -> list[str]:
    text = resources.files("runstate").joinpath("examples", f"{provider}.jsonl").read_text("utf-8")
    return [line for line in text.splitlines() if line.strip()]


@pytest.fixture(scope="module")
def canonical() -> Iterator[str]:
    with canonical_provider.registered() as name:
        yield name


def batches_of(texts: list[str], size: int = 3) -> list[pa.RecordBatch]:
    return [
        pa.record_batch({"record": pa.array(texts[i : i + size], pa.string())})
        for i in range(0, len(texts), size)
    ]


def test_schema_is_the_row_columns_each_documented() -> None:
    assert tuple(RUN_SCHEMA.names) == COLUMNS
    for field in RUN_SCHEMA:
        assert field.metadata[b"doc"].strip(), field.name
    assert BATCH_SCHEMA.names == [*COLUMNS, "error", "record"]
    assert RUN_SCHEMA.field("total_seconds").type == pa.float64()
    assert RUN_SCHEMA.field("started_at").type == pa.timestamp("us", tz="UTC")


@given(st.lists(runs_with_namespace, max_size=3))
def test_to_table_equals_to_rows(batch: list[Run]) -> None:
    table = to_table(batch)
    assert table.schema == RUN_SCHEMA
    assert table.to_pylist() == list(runstate.to_rows(batch))
    with_raw = to_table(batch, raw=True)
    assert with_raw.column_names == [*COLUMNS, "raw"]
    assert with_raw.to_pylist() == list(runstate.to_rows(batch, raw=True))


@given(st.lists(runs_with_namespace, max_size=4), st.integers(1, 3))
def test_normalize_batches_equals_to_rows_over_generated_runs(
    canonical: str, batch: list[Run], size: int
) -> None:
    texts = [json.dumps(runstate.to_dict(run)) for run in batch]
    out = pa.Table.from_batches(
        list(normalize_batches(canonical, batches_of(texts, size))), schema=BATCH_SCHEMA
    )
    assert out.column("error").null_count == out.num_rows
    assert out.drop_columns(["error", "record"]).to_pylist() == list(runstate.to_rows(batch))


@given(st.lists(runs_with_namespace, min_size=1, max_size=3))
def test_pickled_runs_give_the_same_rows(batch: list[Run]) -> None:
    # the other way runs leave a process (multiprocessing): the rows must survive it unchanged
    copies = pickle.loads(pickle.dumps(batch))
    assert copies == batch
    assert list(runstate.to_rows(copies, raw=True)) == list(runstate.to_rows(batch, raw=True))


@pytest.mark.parametrize("provider", ["databricks", "glue", "cloud_deploy"])
def test_normalize_batches_equals_normalize_on_the_bundled_examples(provider: str) -> None:
    lines = example_lines(provider)
    expected = to_table(runstate.normalize(provider, json.loads(line)) for line in lines)
    out = pa.Table.from_batches(normalize_batches(provider, batches_of(lines, 4)), schema=BATCH_SCHEMA)
    assert out.drop_columns(["error", "record"]).equals(expected)


def test_failed_records_become_error_rows_in_place_and_nothing_is_lost() -> None:
    good = '{"Id": "jr_1", "JobRunState": "SUCCEEDED"}'
    unmapped = '{"Id": "jr_2", "JobRunState": "PAUSED"}'
    texts = [good, "{not json", "[]", None, unmapped]
    batch = pa.record_batch({"other": list(range(5)), "record": pa.array(texts, pa.string())})
    rows = pa.Table.from_batches(normalize_batches("glue", [batch], strict=True)).to_pylist()
    assert [r["run_id"] for r in rows] == ["jr_1", None, None, None, None]
    assert [r["record"] for r in rows] == [None, *texts[1:]]
    assert {r["provider"] for r in rows} == {"glue"}
    errors = [r["error"] for r in rows]
    assert errors[0] is None
    assert errors[1].startswith("not JSON")
    assert errors[2].startswith("glue: $")
    assert errors[3] == "the record is null"
    assert errors[4] == "glue: $.JobRunState: unmapped state: 'PAUSED'"


def test_binary_columns_and_other_column_names_are_read() -> None:
    batch = pa.record_batch({"payload": pa.array([b'{"Id": "jr_1", "JobRunState": "RUNNING"}'], pa.binary())})
    (out,) = normalize_batches("glue", [batch], column="payload")
    assert out.column("state").to_pylist() == ["RUNNING"]


def test_a_missing_or_non_text_column_is_a_clear_error() -> None:
    with pytest.raises(runstate.InvalidRecordError, match="not in the batch"):
        list(normalize_batches("glue", [pa.record_batch({"rec": ["{}"]})]))
    with pytest.raises(runstate.InvalidRecordError, match="must hold JSON text"):
        list(normalize_batches("glue", [pa.record_batch({"record": [1]})]))


def test_an_unknown_provider_fails_at_the_call_not_mid_stream() -> None:
    with pytest.raises(runstate.UnknownProviderError):
        normalize_batches("glu", [])


def _databricks_runs() -> list[Run]:
    return [runstate.normalize("databricks", json.loads(line)) for line in example_lines("databricks")]


def test_writers_round_trip_through_their_formats(tmp_path: Path) -> None:
    runs_ = _databricks_runs()
    expected = to_table(runs_)
    write_parquet(runs_, tmp_path / "runs.parquet")
    parquet = pq.read_table(tmp_path / "runs.parquet")
    assert parquet.equals(expected)
    assert parquet.schema.field("state").metadata[b"doc"] == RUN_SCHEMA.field("state").metadata[b"doc"]
    write_arrow(runs_, tmp_path / "runs.arrow")
    with pa.memory_map(str(tmp_path / "runs.arrow")) as source:
        assert pa.ipc.open_file(source).read_all().equals(expected)
    write_csv(runs_, tmp_path / "runs.csv")
    options = pa_csv.ConvertOptions(column_types=RUN_SCHEMA, strings_can_be_null=True)
    assert pa_csv.read_csv(tmp_path / "runs.csv", convert_options=options).equals(expected)


@pytest.mark.parametrize("fmt", FORMATS)
def test_write_dispatches_and_keeps_raw_when_asked(tmp_path: Path, fmt: str) -> None:
    path = tmp_path / f"runs.{fmt}"
    write(_databricks_runs(), path, fmt, raw=True)  # type: ignore[arg-type]
    assert path.stat().st_size > 0


def test_write_refuses_an_unknown_format(tmp_path: Path) -> None:
    with pytest.raises(runstate.InvalidRecordError, match="parquet, csv, arrow"):
        write([], tmp_path / "x", "xlsx")  # type: ignore[arg-type]


@pytest.mark.parametrize(("module", "extra"), [("runstate.arrow", "arrow"), ("runstate.spark", "spark")])
def test_a_missing_extra_names_it(module: str, extra: str) -> None:
    code = f"import sys; sys.modules['pyarrow'] = None; sys.modules['pyspark'] = None; import {module}"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert out.returncode != 0
    assert f"ImportError: runstate.{extra} needs" in out.stderr
    assert f"pip install 'runstate[{extra}]'" in out.stderr


@pytest.mark.parametrize("provider", ["databricks", "glue", "cloud_deploy"])
def test_tables_and_files_keep_the_runs_times(provider: str, tmp_path: Path) -> None:
    """The time columns hold each run's times (UTC instants), in the table, in batches and in the
    Parquet and CSV files; they were all null once, because UTC times were taken as missing."""
    lines = example_lines(provider)
    runs_ = [r for line in lines for r in _with_tasks(runstate.normalize(provider, json.loads(line)))]
    expected = {name: [getattr(r, name) for r in runs_] for name in ("started_at", "ended_at")}
    assert any(expected["started_at"])
    table = to_table(runstate.normalize(provider, json.loads(line)) for line in lines)
    batches = pa.Table.from_batches(normalize_batches(provider, batches_of(lines, 4)), schema=BATCH_SCHEMA)
    pq.write_table(table, tmp_path / "runs.parquet")
    for source in (table, batches, pq.read_table(tmp_path / "runs.parquet")):
        for name, values in expected.items():
            assert source.column(name).to_pylist() == values, name


def _with_tasks(run: Run) -> list[Run]:
    return [run, *(task for child in run.tasks for task in _with_tasks(child))]


def test_records_given_instead_of_batches_are_refused_by_name() -> None:
    """A list of records where batches belong was a bare AttributeError ('dict' has no 'schema')."""
    records: list[Any] = [{"Id": "jr_1", "JobRunState": "RUNNING"}]
    with pytest.raises(runstate.InvalidRecordError, match="batches: expected Arrow record batches"):
        list(normalize_batches("glue", records))


# --- nothing raises mid-stream; files written in place only when whole ---------------------------

_CLASH = '{"Id": "jr_2", "JobRunState": "SUCCEEDED", "a\\ud800": 1, "a\\udc00": 2}'


def _deep_databricks(depth: int) -> str:
    """A Databricks run whose ``run_job_task`` (kept in ``details``) nests ``depth`` objects deep, a
    lone surrogate at the bottom (so its text is checked for depth as it is made valid UTF-8)."""
    nested = '{"x":' * depth + '"\\ud800"' + "}" * depth
    return (
        '{"run_id": 7, "job_id": 2, "state": {"life_cycle_state": "TERMINATED", "result_state": "SUCCESS"},'
        f' "run_job_task": {nested}}}'
    )


def test_normalize_batches_keeps_going_past_records_whose_rows_cannot_be_made() -> None:
    """A surrogate key clash and details nested far past the limit gave rows or raised mid-stream:
    each is now a row (the clash) or an error row with its record, and the records after it follow."""
    glue = [_CLASH, '{"Id": "jr_3", "JobRunState": "FAILED"}']
    rows = pa.Table.from_batches(normalize_batches("glue", [pa.record_batch({"record": glue})])).to_pylist()
    assert [(r["run_id"], r["error"]) for r in rows] == [("jr_2", None), ("jr_3", None)]
    deep = [_deep_databricks(250), '{"run_id": 8, "state": {"life_cycle_state": "RUNNING"}}']
    batches = normalize_batches("databricks", [pa.record_batch({"record": deep})])
    rows = pa.Table.from_batches(batches).to_pylist()
    # details keep a record's objects only so deep (deeper parts may hold parameters: raw keeps them)
    assert [(r["run_id"], r["error"]) for r in rows] == [("7", None), ("8", None)]
    assert rows[0]["details"].count("{") < 70


_FILL_THE_DISK = """
import resource, signal, sys
import runstate
from runstate.arrow import write
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG instead
resource.setrlimit(resource.RLIMIT_FSIZE, (200_000, 200_000))
runs = (runstate.normalize("glue", {"Id": f"jr_{i}", "JobRunState": "SUCCEEDED"}) for i in range(40_000))
try:
    write(runs, sys.argv[1], sys.argv[2], raw=True)
except OSError as exc:
    print(exc.errno)
"""


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_failed_write_leaves_the_named_path_as_it_was(tmp_path: Path, fmt: str) -> None:
    """pyarrow's write_table removes its target when a write fails (as root it removed /dev/full):
    the path the caller named is never deleted nor left half written, and no temporary file stays."""
    target = tmp_path / f"runs.{fmt}"
    target.write_bytes(b"the user's file")
    result = subprocess.run(
        [sys.executable, "-c", _FILL_THE_DISK, str(target), fmt], capture_output=True, text=True, check=False
    )
    assert result.stdout.strip() == "27", result.stderr  # EFBIG: the file grew past the limit
    assert target.read_bytes() == b"the user's file"
    assert sorted(p.name for p in tmp_path.iterdir()) == [target.name]


@pytest.mark.parametrize("fmt", FORMATS)
def test_write_streams_batches_into_a_file_renamed_into_place(tmp_path: Path, fmt: Format) -> None:
    target = tmp_path / f"runs.{fmt}"
    target.write_bytes(b"old")
    target.chmod(0o640)
    runs_in = (runstate.normalize("glue", {"Id": f"jr_{i}", "JobRunState": "FAILED"}) for i in range(20_000))
    write(runs_in, target, fmt, raw=True)
    table = {
        "parquet": pq.read_table,
        "csv": pa_csv.read_csv,
        "arrow": lambda p: pa.ipc.open_file(p).read_all(),
    }[fmt](str(target))
    assert table.num_rows == 20_000
    assert table.column("run_id").to_pylist()[-1] == "jr_19999"
    assert target.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == [target.name]
    if fmt == "parquet":
        assert pq.ParquetFile(str(target)).num_row_groups > 1  # written batch by batch


def test_write_to_a_device_writes_in_place(tmp_path: Path) -> None:
    write([runstate.normalize("glue", {"Id": "jr_1", "JobRunState": "FAILED"})], "/dev/null", "csv")
    assert Path("/dev/null").is_char_device()


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_file_the_caller_may_not_write_is_refused_not_replaced(
    tmp_path: Path, fmt: Format, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A rename needs only the directory's permission: the file's own is asked first, as open() would
    (the suite may run as root, which open() lets write anything, so the check is observed by faking it)."""
    target = tmp_path / f"runs.{fmt}"
    target.write_bytes(b"read only")
    target.chmod(0o444)
    real_access = os.access

    def access(path: Any, mode: int, **kwargs: Any) -> bool:
        return Path(path) != target and real_access(path, mode, **kwargs)

    monkeypatch.setattr(os, "access", access)
    with pytest.raises(PermissionError):
        write([runstate.normalize("glue", {"Id": "jr_1", "JobRunState": "FAILED"})], target, fmt)
    assert target.read_bytes() == b"read only"
    assert sorted(p.name for p in tmp_path.iterdir()) == [target.name]
