"""Round-two commands of the CLI: summary over several inputs and ``auto``, export, table files,
``--namespace``, merged slices, and the JSON Lines reader giving what the general reader gives."""

from __future__ import annotations

import gzip
import io
import json
import subprocess
import sys
import warnings
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import runstate
from runstate._cli import app as _cli
from runstate._cli import write as _cli_write
from runstate._cli.export import run_export
from runstate._core import serialize as _serialize
from runstate._core.model import Run

from ..paths import FIXTURES
from ..strategies import runs as generated_runs

FIXTURES = FIXTURES
EXAMPLES = Path(runstate.__file__).parent / "examples"
NOW = "2026-11-01T00:00:00Z"


def cli(*args: str, stdin: str | None = None, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "runstate", *args],
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        **kwargs,
    )


def example_runs(provider: str, **options: Any) -> list[Run]:
    lines = (EXAMPLES / f"{provider}.jsonl").read_bytes().splitlines()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", runstate.RunstateWarning)
        return list(runstate.normalize_many(provider, map(json.loads, lines), **options))


# --- summary ---------------------------------------------------------------------------------------


def test_summary_of_three_providers_is_summarize_of_their_runs() -> None:
    result = cli("summary", "-p", "databricks", "-p", "glue", "-p", "cloud_deploy", "--example", "--now", NOW)
    assert result.returncode == 0, result.stderr
    runs = [run for p in ("databricks", "glue", "cloud_deploy") for run in example_runs(p, keep_raw=False)]
    expected = runstate.summarize(runs, now=datetime(2026, 11, 1, tzinfo=UTC))
    assert result.stdout == expected.to_table()
    assert {line.split()[0] for line in result.stdout.splitlines()[1:-1]} == {
        "databricks",
        "glue",
        "cloud_deploy",
    }
    assert result.stderr == f"runstate: read {len(runs)} record(s): {len(runs)} written, 0 failed, 0 warned\n"
    as_json = cli(
        "summary", "-p", "databricks", "-p", "glue", "-p", "cloud_deploy", "--example", "--json", "--now", NOW
    )
    assert json.loads(as_json.stdout) == json.loads(json.dumps(expected.to_dict()))


def test_each_provider_reads_the_files_after_it(tmp_path: Path) -> None:
    for provider in ("databricks", "glue"):
        (tmp_path / f"{provider}.jsonl").write_bytes((EXAMPLES / f"{provider}.jsonl").read_bytes())
    files = {p: str(tmp_path / f"{p}.jsonl") for p in ("databricks", "glue")}
    inputs = ["-p", "databricks", files["databricks"], "-p", "glue", files["glue"]]
    result = cli("summary", *inputs, "--json", "--now", NOW)
    assert result.returncode == 0, result.stderr
    groups = json.loads(result.stdout)["groups"]
    assert {g["key"]["provider"] for g in groups} == {"databricks", "glue"}
    assert sum(g["runs"] for g in groups) == len(example_runs("databricks")) + len(example_runs("glue"))


def test_auto_detects_each_record_and_dead_letters_what_no_provider_or_several_claim(tmp_path: Path) -> None:
    lines = [
        *(EXAMPLES / "databricks.jsonl").read_text().splitlines()[:2],
        *(EXAMPLES / "glue.jsonl").read_text().splitlines()[:2],
        *(EXAMPLES / "cloud_deploy.jsonl").read_text().splitlines()[:1],
        (EXAMPLES / "databricks_system.jsonl").read_text().splitlines()[0],  # a system row: its own provider
        '{"hello": "world"}',
        # the shape of two providers at once: a Jobs API run and a Glue JobRun
        '{"run_id": 7, "state": {"life_cycle_state": "RUNNING"}, "Id": "jr_7", "JobRunState": "RUNNING"}',
    ]
    mixed = tmp_path / "mixed.jsonl"
    mixed.write_text("\n".join(lines) + "\n")
    dead = tmp_path / "dead.jsonl"
    result = cli("summary", "-p", "auto", str(mixed), "--json", "--now", NOW, "--errors", str(dead))
    assert result.returncode == 1
    groups = json.loads(result.stdout)["groups"]
    assert sum(g["runs"] for g in groups) == 6
    assert {g["key"]["provider"] for g in groups} == {
        "databricks",
        "glue",
        "cloud_deploy",
        "databricks_system",
    }
    assert dead.read_text().splitlines() == lines[6:]
    why = [json.loads(line) for line in Path(f"{dead}.why.jsonl").read_text().splitlines()]
    assert [w["line"] for w in why] == [7, 8]
    assert {w["provider"] for w in why} == {"auto"}
    assert why[0]["error"] == "no provider claims this record (give --provider)"
    claims = why[1]["error"].removeprefix("several providers claim this record: ").split(" (")[0].split(", ")
    assert sorted(claims) == ["databricks", "glue"]


def test_auto_is_for_summary_only_and_has_no_example() -> None:
    result = cli("normalize", "-p", "auto", "-", stdin="{}\n")
    assert (result.returncode, result.stderr) == (
        2,
        "runstate: --provider auto is for summary; give the provider\n",
    )
    assert cli("summary", "-p", "auto", "--example").returncode == 2


def test_summary_usage_errors_are_one_line() -> None:
    twice = cli("summary", "-p", "glue", "-", "-p", "databricks", "-", stdin="")
    assert (twice.returncode, twice.stderr) == (2, "runstate: standard input can be read once: give files\n")
    naive = cli("summary", "-p", "glue", "--example", "--now", "2026-11-01T00:00:00")
    assert naive.returncode == 2
    assert "give a time with its offset" in naive.stderr


# --- export ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["otel-json", "openlineage", "cdevents"])
def test_export_writes_what_the_library_writes(fmt: str) -> None:
    result = cli("export", "--to", fmt, "-p", "databricks", "--example")
    assert result.returncode == 0, result.stderr
    out = io.StringIO()
    args = _cli._parser().parse_args(["export", "--to", fmt, "-p", "databricks", "--example"])
    run_export(args, iter(example_runs("databricks", keep_raw=False)), out)
    parsed = [json.loads(line) for line in result.stdout.splitlines()]
    assert parsed == [json.loads(line) for line in out.getvalue().splitlines()]  # key order may vary
    assert parsed


def test_export_options_that_do_not_fit_are_a_usage_error() -> None:
    result = cli("export", "--to", "cdevents", "-p", "glue", "--example", "--endpoint", "http://127.0.0.1:9/")
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == "runstate: --endpoint sends OpenLineage events only, not cdevents\n"


# --- table files -----------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["parquet", "csv", "arrow"])
def test_table_files_hold_to_table(fmt: str, tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.csv as pa_csv
    import pyarrow.ipc as pa_ipc
    import pyarrow.parquet as pq

    from runstate.arrow import to_table

    path = tmp_path / f"runs.{fmt}"
    result = cli("normalize", "-p", "databricks", "--example", "--format", fmt, "-o", str(path), "--no-raw")
    assert result.returncode == 0, result.stderr
    expected = to_table(example_runs("databricks"))
    read: pa.Table = {
        "parquet": lambda: pq.read_table(path),
        "arrow": lambda: pa_ipc.open_file(path).read_all(),
        "csv": lambda: pa_csv.read_csv(path),
    }[fmt]()
    assert read.num_rows == expected.num_rows
    assert read.column("run_id").cast(pa.string()).to_pylist() == expected.column("run_id").to_pylist()
    if fmt != "csv":
        assert read.equals(expected)


def test_table_files_need_an_output_file() -> None:
    result = cli("normalize", "-p", "glue", "--example", "--format", "parquet")
    assert (result.returncode, result.stderr) == (
        2,
        "runstate: --format parquet writes a file: give -o FILE\n",
    )


def test_a_missing_pyarrow_is_a_one_line_usage_error_naming_the_extra(tmp_path: Path) -> None:
    code = (
        "import sys; sys.modules['pyarrow'] = None\n"
        "from runstate._cli.app import main\n"
        f"sys.exit(main(['normalize', '-p', 'glue', '--example', '-f', 'csv', '-o', {str(tmp_path)!r}]))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 2
    assert result.stderr == "runstate: runstate.arrow needs pyarrow: pip install 'runstate[arrow]'\n"


# --- namespace and slices --------------------------------------------------------------------------


def test_namespace_is_given_to_every_run_and_task() -> None:
    result = cli("normalize", "-p", "databricks", "--example", "--namespace", "prod", "--no-raw")
    assert result.returncode == 0, result.stderr
    expected = example_runs("databricks", keep_raw=False, namespace="prod")
    got = [runstate.from_dict(json.loads(line)) for line in result.stdout.splitlines()]
    assert got == expected
    assert {t.namespace for run in got for t in run.tasks} <= {"prod"}
    summary = cli("summary", "-p", "glue", "--example", "--namespace", "prod", "--json", "--now", NOW)
    assert {g["key"]["namespace"] for g in json.loads(summary.stdout)["groups"]} == {"prod"}


def test_slices_of_one_run_are_merged_as_normalize_many_merges_them(tmp_path: Path) -> None:
    slices = (FIXTURES / "databricks_system" / "three_slice_run.jsonl").read_text().splitlines()
    path = tmp_path / "rows.jsonl"
    path.write_text("\n".join([slices[0], "{not json", slices[1], "", slices[2]]) + "\n")
    result = cli("normalize", "-p", "databricks_system", str(path))
    assert result.returncode == 1
    [line] = result.stdout.splitlines()
    [expected] = runstate.normalize_many("databricks_system", map(json.loads, slices))
    assert runstate.from_dict(json.loads(line)) == expected
    assert len(expected.details["periods"]) == 3
    assert result.stderr.splitlines() == [
        (
            "runstate: line 2: databricks_system: $: invalid JSON: "
            "Expecting property name enclosed in double quotes"
        ),
        "runstate: read 4 record(s): 1 written, 1 failed, 0 warned, 2 merged into other runs",
    ]


# --- the JSON Lines reader and the general reader agree ------------------------------------------

GLUE = [json.loads(p.read_text()).get("JobRun") for p in sorted((FIXTURES / "glue").glob("*.json"))]
GLUE_LINES = [json.dumps(r) for r in GLUE if r is not None]
PIECES = st.sampled_from(
    [
        *GLUE_LINES,
        "",
        "   ",
        "{not json",
        '{"Id": "x", "JobRunState": "PAUSED"}',
        '{"Id": "n", "JobRunState": "RUNNING", "Timeout": NaN}',
        '{"Id": "big", "JobRunState": "RUNNING", "Timeout": 1e400}',
        '{"Id": "s\\ud800", "JobRunState": "SUCCEEDED"}',
        '["a list"]',
        "42",
        '{"JobRuns": [{"Id": "p1", "JobRunState": "FAILED"}, {"Id": 3}]}',
        '{"Id": "c1", "JobRunState": "RUNNING"} {"Id": "c2", "JobRunState": "STOPPED"}',
        '{"Id": "pretty",\n "JobRunState": "SUCCEEDED"}',
        '{"Id": "cut", "JobRunState": ',
        "[" * 250 + "]" * 250,
        '{"Id": "caf\udce9", "JobRunState": "SUCCEEDED"}',
        '{"Id": "long", "JobRunState": "RUNNING", "Arguments": {"x": "' + "y" * 3000 + '"}}',
    ]
)


def _run_main(argv: list[str], stdin: Any, capsys: pytest.CaptureFixture[str]) -> tuple[int, list[Any], str]:
    old = sys.stdin
    sys.stdin = stdin
    try:
        code = _cli.main(argv)
    finally:
        sys.stdin = old
    captured = capsys.readouterr()
    return code, [json.loads(line) for line in captured.out.splitlines()], captured.err


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pieces=st.lists(PIECES, max_size=8), strict=st.booleans(), fail_on_warning=st.booleans())
def test_json_lines_reader_gives_what_the_general_reader_gives(
    pieces: list[str], strict: bool, fail_on_warning: bool, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = "\n".join(pieces).encode("utf-8", "surrogateescape") + b"\n"
    options = ["--strict"] * strict + ["--fail-on-warning"] * fail_on_warning
    results = []
    for name, stdin in (
        ("lines", _Bytes(data)),
        ("general", io.StringIO(data.decode("utf-8", "surrogateescape"))),
    ):
        (tmp_path / name).mkdir(exist_ok=True)
        dead = Path(name) / "dead.jsonl"
        argv = ["normalize", "-p", "glue", "-", "--max-record-size", "2000", "--errors", str(dead), *options]
        with pytest.MonkeyPatch.context() as patch:
            patch.chdir(tmp_path)
            code, out, err = _run_main(argv, stdin, capsys)
        why = (tmp_path / f"{dead}.why.jsonl").read_text()
        results.append((code, out, err.replace(name, "NAME"), (tmp_path / dead).read_bytes(), why))
    assert results[0] == results[1]


class _Bytes(io.TextIOWrapper):
    """Standard input as the CLI sees a pipe: text with a binary buffer under it."""

    def __init__(self, data: bytes) -> None:
        super().__init__(io.BytesIO(data), encoding="utf-8")


# --- the output path --------------------------------------------------------------------------------


def _lossless(run: Run) -> dict[str, Any]:
    return {"schema_version": _serialize.SCHEMA_VERSION, **_serialize._LOSSLESS.unstructure(run, Run)}


@given(generated_runs())
def test_run_dict_is_the_converters_output(run: Run) -> None:
    assert json.dumps(_cli_write.run_dict(run)) == json.dumps(_lossless(run))
    assert json.loads(_cli_write.dumps_line(run)) == json.loads(_serialize.dumps_run(run))


def _fixture_runs() -> Iterator[Run]:
    for provider in ("databricks", "glue", "cloud_deploy", "databricks_system", "glue_events"):
        yield from example_runs(provider)


def test_dumps_line_is_dumps_run_for_every_example() -> None:
    for run in _fixture_runs():
        assert _cli_write.dumps_line(run) == _serialize.dumps_run(run)
        assert json.loads(_cli_write.dumps_line(run, plain=True)) == json.loads(_serialize.dumps_run(run))


# --- normalize_batches decodes through normalize_lines' loop ---------------------------------------


def _reference_rows(provider: str, texts: list[str | None]) -> list[dict[str, Any]]:
    """What normalize_batches gave before it used normalize_lines: json.loads, then normalize."""
    rows: list[dict[str, Any]] = []
    for text in texts:
        if text is None:
            rows.append({"provider": provider, "error": "the record is null", "record": None})
            continue
        try:
            record = json.loads(text)
        except ValueError as exc:
            rows.append({"provider": provider, "error": f"not JSON: {exc}", "record": text})
            continue
        try:
            run = runstate.normalize(provider, record, keep_raw=False)
        except runstate.RunstateError as exc:
            rows.append({"provider": provider, "error": str(exc), "record": text})
            continue
        rows += runstate.to_rows((run,))
    return rows


BATCH_TEXTS = st.sampled_from(
    [*GLUE_LINES, None, "", " ", "{not json", '{"Id": "x", "JobRunState": "PAUSED"}', '["a list"]', "7", "{"]
)


@settings(max_examples=40, deadline=None)
@given(st.lists(BATCH_TEXTS, max_size=8))
def test_normalize_batches_gives_the_rows_of_json_loads_and_normalize(texts: list[str | None]) -> None:
    import pyarrow as pa

    from runstate.arrow import BATCH_SCHEMA, normalize_batches

    batch = pa.record_batch({"record": pa.array(texts, pa.string())})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", runstate.RunstateWarning)
        table = pa.Table.from_batches(list(normalize_batches("glue", [batch])), schema=BATCH_SCHEMA)
        expected = _reference_rows("glue", texts)
    columns = BATCH_SCHEMA.names
    assert table.to_pylist() == [{name: row.get(name) for name in columns} for row in expected]


@given(st.datetimes(timezones=st.just(UTC)))
def test_msgspec_writes_a_utc_time_as_format_time_does(value: datetime) -> None:
    encode = _cli_write._FAST_ENCODE
    assert encode is not None  # the test extra installs msgspec
    assert encode(value) == json.dumps(_serialize.format_time(value)).encode()


def test_the_sql_command_prints_a_select_that_duckdb_runs_as_normalize_does(tmp_path: Path) -> None:
    """`runstate sql` is wired into the command line: its SELECT, run by DuckDB, agrees with normalize."""
    duckdb = pytest.importorskip("duckdb")
    example = Path(runstate.__file__).parent / "examples" / "glue.jsonl"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "runstate",
            "sql",
            "-p",
            "glue",
            "--dialect",
            "duckdb",
            "--table",
            "history",
            "--column",
            "StartedOn=to_timestamp(StartedOn)",
            "--column",
            "CompletedOn=to_timestamp(CompletedOn)",
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    con = duckdb.connect()
    con.execute(f"CREATE TABLE history AS SELECT * FROM read_json_auto('{example}')")
    states = [row[0] for row in con.execute(f"SELECT canonical_state FROM ({result.stdout})").fetchall()]
    lines = example.read_bytes().splitlines()
    assert states == [run.state.value for run in runstate.normalize_lines("glue", lines)]


# --- an output that is an input ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "flags"),
    [
        (["normalize"], ["-o", "{input}"]),
        (["normalize", "--format", "parquet"], ["-o", "{input}"]),
        (["export", "--to", "cdevents"], ["-o", "{input}"]),
        (["normalize"], ["--errors", "{input}"]),
        (["summary"], ["--errors", "{input}"]),
        (["normalize"], ["-o", "{dir}/out.jsonl", "--errors", "{dir}/./out.jsonl"]),
    ],
)
def test_an_output_naming_an_input_is_a_usage_error_and_the_input_is_kept(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str], flags: list[str]
) -> None:
    """``-o FILE`` (or ``--errors FILE``) on the input used to empty it before a line was read, and the
    run succeeded on nothing (exit 0): now it is refused before anything is opened for writing."""
    source = tmp_path / "runs.jsonl"
    text = (EXAMPLES / "glue.jsonl").read_text("utf-8")
    source.write_text(text, "utf-8")
    filled = [flag.format(input=source, dir=tmp_path) for flag in flags]
    assert _cli.main([*command, "-p", "glue", str(source), *filled]) == 2
    assert "give another file" in capsys.readouterr().err
    assert source.read_text("utf-8") == text
    assert not (tmp_path / "out.jsonl").exists()


# --- compressed and UTF-16 inputs --------------------------------------------------------------------


def test_a_gzip_file_is_read_as_its_text(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """runs.jsonl.gz, as S3 exports and archives arrive, reads as the plain file does (it failed as one
    undecodable record before)."""
    plain = EXAMPLES / "glue.jsonl"
    packed = tmp_path / "glue.jsonl.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    assert _cli.main(["normalize", "-p", "glue", str(plain)]) == 0
    expected = capsys.readouterr().out
    assert _cli.main(["normalize", "-p", "glue", str(packed)]) == 0
    assert capsys.readouterr().out == expected


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"\x1f\x8b" + b"x" * 20, "Unknown compression method"),
        (None, "damaged gzip data (Compressed file ended before the end-of-stream marker was reached)"),
        (
            "\n".join(["{}"] * 3).encode("utf-16"),
            "it is UTF-16 text (a byte order mark says so); runstate reads UTF-8",
        ),
    ],
)
def test_a_damaged_gzip_or_utf16_input_is_an_io_error_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes | None, problem: str
) -> None:
    path = tmp_path / "runs.jsonl"
    path.write_bytes(
        content if content is not None else gzip.compress((EXAMPLES / "glue.jsonl").read_bytes())[:60]
    )
    assert _cli.main(["normalize", "-p", "glue", str(path)]) == 3
    assert capsys.readouterr().err.splitlines()[-1] == f"runstate: cannot read {path}: {problem}"
