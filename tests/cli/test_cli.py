"""The command line, run as a subprocess: every subcommand, input shape and failure mode."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest

import runstate

from ..paths import FIXTURES, ROOT

FIXTURES = FIXTURES
SCHEMA = json.loads((ROOT / "schemas" / "run.schema.json").read_text())


def cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "runstate", *args],
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def glue_records() -> list[dict[str, Any]]:
    return [
        json.loads(p.read_text())["JobRun"]
        for p in sorted((FIXTURES / "glue").glob("*.json"))
        if "page" not in p.name
    ]


def lines(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines()]


@pytest.mark.parametrize("provider", ["databricks", "glue", "cloud_deploy"])
def test_normalize_bundled_example(provider: str) -> None:
    result = cli("normalize", "--provider", provider, "--example")
    assert result.returncode == 0, result.stderr
    runs = lines(result.stdout)
    assert len(runs) >= 5
    for run in runs:
        jsonschema.validate(run, SCHEMA)
        assert run["provider"] == provider


def test_json_lines_file(tmp_path: Path) -> None:
    path = tmp_path / "runs.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in glue_records()))
    result = cli("normalize", "-p", "glue", str(path), "--no-raw")
    assert result.returncode == 0, result.stderr
    runs = lines(result.stdout)
    assert [r["run_id"] for r in runs] == [r["Id"] for r in glue_records()]
    assert all(r["raw"] is None for r in runs)


def test_json_array_and_single_record_and_stdin(tmp_path: Path) -> None:
    records = glue_records()
    array = tmp_path / "runs.json"
    array.write_text(json.dumps(records, indent=2))
    assert len(lines(cli("normalize", "-p", "glue", str(array)).stdout)) == len(records)
    single = cli("normalize", "-p", "glue", "-", stdin=json.dumps({"JobRun": records[0]}, indent=2))
    assert [r["run_id"] for r in lines(single.stdout)] == [records[0]["Id"]]


def test_list_pages() -> None:
    page = (FIXTURES / "glue" / "get_job_runs_page.json").read_text()
    result = cli("normalize", "-p", "glue", "-", stdin=page + "\n" + page)
    assert len(lines(result.stdout)) == 2 * len(json.loads(page)["JobRuns"])


@pytest.mark.parametrize("fmt", ["json", "table"])
def test_other_formats(fmt: str) -> None:
    result = cli("normalize", "-p", "glue", "--example", "--format", fmt)
    assert result.returncode == 0, result.stderr
    if fmt == "json":
        assert len(json.loads(result.stdout)) == len(glue_records())
    else:
        header, *rows = result.stdout.splitlines()
        assert header.split() == [
            "RUN_ID", "JOB_ID", "NAME", "STATE", "REASON", "ATTEMPT", "STARTED_AT", "TOTAL"
        ]  # fmt: skip
        assert len(rows) == len(glue_records())


def test_bad_line_in_the_middle(tmp_path: Path) -> None:
    good = [json.dumps(r) for r in glue_records()[:3]]
    path = tmp_path / "runs.jsonl"
    path.write_text("\n".join([good[0], good[1], "{not json", json.dumps(["a list"]), good[2]]) + "\n")
    result = cli("normalize", "-p", "glue", str(path))
    assert result.returncode == 1
    assert len(lines(result.stdout)) == 3
    assert "line 3: glue: $: invalid JSON" in result.stderr
    assert "line 4: glue: $:" in result.stderr
    assert result.stderr.endswith("runstate: read 5 record(s): 3 written, 2 failed, 0 warned\n")


def test_undecodable_bytes_and_non_json_numbers_are_reported_per_line(tmp_path: Path) -> None:
    good = [json.dumps(r).encode() for r in glue_records()[:2]]
    path = tmp_path / "runs.jsonl"
    bad_utf8 = b'{"Id": "caf\xe9", "JobRunState": "SUCCEEDED"}'
    nan = b'{"Id": "n", "JobRunState": "SUCCEEDED", "Timeout": NaN}'
    path.write_bytes(b"\n".join([good[0], bad_utf8, nan, good[1]]) + b"\n")
    result = cli("normalize", "-p", "glue", str(path), "--no-raw")
    assert result.returncode == 1
    assert len(lines(result.stdout)) == 2
    assert "line 2: glue: $: invalid JSON: not valid UTF-8" in result.stderr
    assert "line 3: glue: $: invalid JSON: NaN is not a JSON number" in result.stderr


@pytest.mark.parametrize("option", ["--errors", "--output"])
def test_unwritable_output_is_an_io_error(option: str) -> None:
    result = cli("normalize", "-p", "glue", "--example", option, "/nonexistent/dir/out.jsonl")
    assert result.returncode == 3
    assert "cannot write /nonexistent/dir/out.jsonl" in result.stderr


def test_errors_file_keeps_the_records(tmp_path: Path) -> None:
    path = tmp_path / "runs.jsonl"
    path.write_text(
        json.dumps({"Id": "jr_1", "JobRunState": "PAUSED"}) + "\n" + json.dumps(glue_records()[0]) + "\n"
    )
    errors = tmp_path / "errors.jsonl"
    result = cli("normalize", "-p", "glue", "--strict", "--errors", str(errors), str(path))
    assert result.returncode == 1
    assert len(lines(result.stdout)) == 1
    assert errors.read_text() == json.dumps({"Id": "jr_1", "JobRunState": "PAUSED"}) + "\n"
    [failure] = lines((tmp_path / "errors.jsonl.why.jsonl").read_text())
    assert failure == {
        "line": 1,
        "provider": "glue",
        "field": "$.JobRunState",
        "error_type": "UnmappedStateError",
        "error": "unmapped state: 'PAUSED'",
    }


def test_lenient_warnings_name_the_line() -> None:
    result = cli(
        "normalize",
        "-p",
        "glue",
        "-",
        stdin='{"Id": "a", "JobRunState": "RUNNING"}\n{"Id": "b", "JobRunState": "PAUSED"}\n',
    )
    assert result.returncode == 0
    assert "line 2: UnmappedStateWarning" in result.stderr
    assert [r["state"] for r in lines(result.stdout)] == ["RUNNING", "UNKNOWN"]


def test_empty_input() -> None:
    result = cli("normalize", "-p", "glue", "-", stdin="")
    assert (result.returncode, result.stdout) == (0, "")
    assert cli("normalize", "-p", "glue", "-f", "json", "-", stdin="").stdout == "[]\n"


def test_missing_file() -> None:
    result = cli("normalize", "-p", "glue", "/nonexistent/runs.jsonl")
    assert result.returncode == 3
    assert "cannot read /nonexistent/runs.jsonl" in result.stderr


def test_unknown_provider() -> None:
    result = cli("normalize", "--provider", "airflow", "--example")
    assert result.returncode == 2
    assert "unknown provider 'airflow'; registered: " + ", ".join(runstate.providers()) in result.stderr


def test_summary_table_and_json() -> None:
    table = cli("summary", "-p", "glue", "--example")
    assert table.returncode == 0, table.stderr
    header, *rows, last = table.stdout.splitlines()
    assert header.split()[:4] == ["PROVIDER", "NAMESPACE", "JOB_ID", "RUNS"]
    assert last.split()[:2] == ["all", str(len(glue_records()))]
    assert any(row.split()[2] == "orders-etl" for row in rows)
    data = json.loads(cli("summary", "-p", "glue", "--example", "--json").stdout)
    overall = data["overall"]
    assert overall["runs"] == len(glue_records())
    assert sum(overall["by_state"].values()) == overall["runs"]
    total = overall["total"]
    assert total["p50"] <= total["p95"] <= total["max"]
    assert data["by"] == ["provider", "namespace", "job_id"]
    assert {"provider": "glue", "namespace": None, "job_id": "orders-etl"} in [
        g["key"] for g in data["groups"]
    ]


@pytest.mark.parametrize("fmt", ["mermaid", "dot", "json"])
def test_graph(fmt: str) -> None:
    result = cli("graph", "--format", fmt)
    assert result.returncode == 0
    expected = {
        "mermaid": runstate.GRAPH.to_mermaid(),
        "dot": runstate.GRAPH.to_dot(),
        "json": runstate.GRAPH.to_json_text(),
    }
    assert result.stdout == expected[fmt]
    native = cli("graph", "--format", fmt, "--provider", "glue")
    assert native.returncode == 0
    assert "STOPPING" in native.stdout


def test_schema() -> None:
    result = cli("schema")
    assert json.loads(result.stdout) == SCHEMA


def test_console_script_entry_point() -> None:
    from runstate._cli.app import main

    assert main(["graph", "--format", "json"]) == 0


def test_the_table_cuts_long_values_and_shows_durations_briefly() -> None:
    result = cli("normalize", "--provider", "glue", "--example", "--format", "table")
    header, *rows = result.stdout.splitlines()
    assert {len(row) <= len(header) + 10 for row in rows} == {True}
    assert any("…" in row for row in rows)  # 67-character Glue ids are cut
    assert re.search(r"  \d+m\d+s$", rows[0])
