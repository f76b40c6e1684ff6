"""The command line's outputs held to what JSON Lines gives: no input emptied, no record lost in a
table file or a terminal table, every count printed true, and record text never sent to the terminal
as control sequences."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

import runstate
from runstate._cli import app as _cli
from runstate._cli import io as _cli_io

EXAMPLES = Path(runstate.__file__).parent / "examples"


def cli(*args: str, **kwargs: Any) -> subprocess.CompletedProcess[bytes]:
    kwargs.setdefault("capture_output", True)
    return subprocess.run([sys.executable, "-m", "runstate", *args], check=False, timeout=120, **kwargs)


# --- the same file as standard input -----------------------------------------------------------------


@pytest.mark.parametrize("flag", ["-o", "--errors"])
def test_an_output_naming_the_file_standard_input_reads_is_refused(tmp_path: Path, flag: str) -> None:
    """``-o FILE < FILE`` would empty the input before a line is read, and succeed on nothing."""
    source = tmp_path / "runs.jsonl"
    text = (EXAMPLES / "glue.jsonl").read_bytes()
    source.write_bytes(text)
    with source.open("rb") as stdin:
        result = cli("normalize", "-p", "glue", flag, str(source), stdin=stdin)
    assert result.returncode == 2, result.stderr
    assert result.stderr.decode() == f"runstate: {flag} {source} is the standard input: give another file\n"
    assert source.read_bytes() == text


def test_a_device_as_both_standard_input_and_output_is_no_clash() -> None:
    """Only a regular file is emptied by opening it for writing: ``-o /dev/null < /dev/null`` runs."""
    with Path(os.devnull).open("rb") as stdin:
        result = cli("normalize", "-p", "glue", "-o", os.devnull, stdin=stdin)
    assert result.returncode == 0, result.stderr
    assert result.stderr.decode() == "runstate: read 0 record(s): 0 written, 0 failed, 0 warned\n"


def test_an_output_beside_standard_input_is_written(tmp_path: Path) -> None:
    source, out = tmp_path / "runs.jsonl", tmp_path / "out.jsonl"
    source.write_bytes((EXAMPLES / "glue.jsonl").read_bytes())
    with source.open("rb") as stdin:
        result = cli("normalize", "-p", "glue", "-o", str(out), stdin=stdin)
    assert result.returncode == 0, result.stderr
    assert len(out.read_text().splitlines()) == len(source.read_text().splitlines())
    with source.open("rb") as stdin:  # --example reads no standard input: the same path is no clash
        assert cli("normalize", "-p", "glue", "--example", "-o", str(out), stdin=stdin).returncode == 0
    assert json.loads(out.read_text().splitlines()[0])["provider"] == "glue"


# --- table files: every record written or dead-lettered, every count true ---------------------------

_CLASH_GLUE = b'{"Id": "jr_2", "JobRunState": "SUCCEEDED", "a\\ud800": 1, "a\\udc00": 2}\n'
_CLASH_DATABRICKS = (
    b'{"run_id": 2, "job_id": 1, "state": {"life_cycle_state": "TERMINATED", "result_state": "SUCCESS"},'
    b' "run_job_task": {"job_id": 9, "dbt_task": {"a\\ud800": "1", "a\\udc00": "2"}}}\n'
)


def _read_table(path: Path, fmt: str) -> list[dict[str, Any]]:
    import pyarrow as pa
    import pyarrow.csv as pa_csv
    import pyarrow.parquet as pq

    readers = {
        "parquet": pq.read_table,
        "csv": pa_csv.read_csv,
        "arrow": lambda p: pa.ipc.open_file(p).read_all(),
    }
    rows: list[dict[str, Any]] = readers[fmt](str(path)).to_pylist()
    return rows


@pytest.mark.parametrize("fmt", ["parquet", "csv", "arrow"])
@pytest.mark.parametrize(
    ("provider", "clash", "flags"),
    [("glue", _CLASH_GLUE, []), ("databricks", _CLASH_DATABRICKS, ["--no-raw"])],
)
def test_keys_differing_only_in_lone_surrogates_are_written_to_every_table_file(
    tmp_path: Path, fmt: str, provider: str, clash: bytes, flags: list[str]
) -> None:
    """Such a record made every table file exit 4 with no file, while the closing line said
    "3 written": it is written now, its keys kept apart as JSON escapes them."""
    first, last = (
        b'{"Id": "jr_1", "JobRunState": "FAILED"}\n',
        b'{"Id": "jr_3", "JobRunState": "RUNNING"}\n',
    )
    if provider == "databricks":
        first, last = (b'{"run_id": 1, "state": {"life_cycle_state": "RUNNING"}}\n',) * 2
    source, out = tmp_path / "in.jsonl", tmp_path / f"out.{fmt}"
    source.write_bytes(first + clash + last)
    result = cli("normalize", "-p", provider, str(source), "-f", fmt, "-o", str(out), *flags)
    assert result.returncode == 0, result.stderr
    assert result.stderr.decode() == "runstate: read 3 record(s): 3 written, 0 failed, 0 warned\n"
    rows = _read_table(out, fmt)
    assert len(rows) == 3
    text = rows[1]["details"] if provider == "databricks" else rows[1]["raw"]
    assert "a\\\\ud800" in text and "a\\\\udc00" in text


def test_a_run_that_cannot_be_a_row_is_dead_lettered_and_not_counted_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from runstate._core.errors import InvalidRecordError
    from runstate._tables import rows as _rows

    real = _rows.to_rows

    def to_rows(runs: Any, *, raw: bool = False) -> Any:
        runs = list(runs)
        if runs[0].run_id == "jr_2":
            raise InvalidRecordError("glue", "details", "jr_2", "cannot convert to JSON")
        return real(runs, raw=raw)

    monkeypatch.setattr(_rows, "to_rows", to_rows)
    source, out, dead = tmp_path / "in.jsonl", tmp_path / "out.parquet", tmp_path / "dead.jsonl"
    lines = [f'{{"Id": "jr_{i}", "JobRunState": "SUCCEEDED"}}\n'.encode() for i in (1, 2, 3)]
    source.write_bytes(b"".join(lines))
    assert (
        _cli.main(
            ["normalize", "-p", "glue", str(source), "-f", "parquet", "-o", str(out), "--errors", str(dead)]
        )
        == 1
    )
    assert (
        capsys.readouterr().err.splitlines()[-1].startswith("runstate: read 3 record(s): 2 written, 1 failed")
    )
    assert [r["run_id"] for r in _read_table(out, "parquet")] == ["jr_1", "jr_3"]
    assert dead.read_bytes() == lines[1]


@pytest.mark.parametrize("fmt", ["parquet", "csv", "arrow"])
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_leaves_a_valid_table_of_exactly_what_is_reported_written(
    tmp_path: Path, fmt: str, signum: int
) -> None:
    """SIGTERM during ``-f parquet`` reported thousands written and left no file."""
    out, dead = tmp_path / f"out.{fmt}", tmp_path / "dead.jsonl"
    with (tmp_path / "stderr").open("wb") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "runstate", "normalize", "-p", "glue", "-", "-f", fmt, "-o", str(out),
             "--errors", str(dead)],
            stdin=subprocess.PIPE,
            stderr=stderr,
        )  # fmt: skip
        assert process.stdin is not None
        for i in range(12_000):
            process.stdin.write(f'{{"Id": "jr_{i}", "JobRunState": "SUCCEEDED"}}\n'.encode())
            if i % 1000 == 0:
                process.stdin.write(b"{bad\n")
        process.stdin.flush()  # left open: the command reads what came and waits for more
        deadline = time.monotonic() + 60
        while not _temporary(tmp_path, out) and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.5)
        process.send_signal(signum)
        assert process.wait(timeout=60) == 128 + signum
        process.stdin.close()
    text = (tmp_path / "stderr").read_text()
    note = re.fullmatch(
        rf"runstate: interrupted by {signal.Signals(signum).name} after read (\d+) record\(s\): "
        r"(\d+) written, (\d+) failed, 0 warned",
        text.splitlines()[-1],
    )
    assert note is not None, text
    read, written, failed = map(int, note.groups())
    assert read == written + failed
    assert not _temporary(tmp_path, out)
    if written:
        assert [r["run_id"] for r in _read_table(out, fmt)] == [f"jr_{i}" for i in range(written)]
    else:
        assert not out.exists()
    assert dead.read_bytes() == b"{bad\n" * failed


@pytest.mark.parametrize("fmt", ["parquet", "csv", "arrow"])
def test_a_signal_before_a_device_takes_the_table_is_a_write_error(tmp_path: Path, fmt: str) -> None:
    """Interrupted before its first batch, the table is written on the way out: /dev/full refusing
    it was an internal error (exit 4), where the same failure uninterrupted is an I/O error."""
    with (tmp_path / "stderr").open("wb") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "runstate", "normalize", "-p", "glue", "-", "-f", fmt, "-o", "/dev/full"],
            stdin=subprocess.PIPE,
            stderr=stderr,
        )
        assert process.stdin is not None
        process.stdin.write(b'{"Id": "jr_1", "JobRunState": "SUCCEEDED"}\n{bad\n')
        process.stdin.flush()  # left open: the command waits for more
        deadline = time.monotonic() + 60
        while b"line 2" not in (tmp_path / "stderr").read_bytes() and time.monotonic() < deadline:
            time.sleep(0.05)  # the bad line is reported once read: the signal handlers are set
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=60) == 3
        process.stdin.close()
    last = (tmp_path / "stderr").read_text().splitlines()[-1]
    assert last == "runstate: cannot write /dev/full: No space left on device"
    assert Path("/dev/full").is_char_device()


def _temporary(directory: Path, target: Path) -> list[Path]:
    return [p for p in directory.iterdir() if p.name.startswith(f".{target.name}.")]


# --- human outputs: no record text as terminal control ------------------------------------------------

_HOSTILE = [
    b'{"Id": "jr_1", "JobRunState": "SUCCEEDED", "JobName": "a\\u001b]0;owned\\u0007b"}\n',
    b'{"Id": "jr_\\ud800", "JobRunState": "FAILED", "JobName": "x\\ud800\\u009b2J"}\n',
    b'{"Id": "jr_3", "JobRunState": "FAILED", "JobName": "\\u001b[31m\\r\\u202ee"}\n',
]


def _printable(text: str) -> bool:
    return all(c.isprintable() or c == "\n" for c in text) and not any(
        0xD800 <= ord(c) <= 0xDFFF for c in text
    )


@pytest.mark.parametrize("command", [["normalize", "-f", "table"], ["summary"]])
def test_human_tables_escape_control_characters_and_lone_surrogates(
    tmp_path: Path, command: list[str]
) -> None:
    """ESC and OSC sequences reached the terminal as they were, and a lone surrogate ended the table
    with exit 4, the records after it neither written nor dead-lettered."""
    source = tmp_path / "in.jsonl"
    source.write_bytes(b"".join(_HOSTILE))
    result = cli(*command, "-p", "glue", str(source))
    assert result.returncode == 0, result.stderr
    out = result.stdout.decode("utf-8")
    assert _printable(out)
    assert "a\\x1b]0;owned\\x07b" in out and "\\x1b[31m\\x0d\\u202ee" in out and "x\\ud800\\x9b2J" in out
    assert result.stderr.decode() == "runstate: read 3 record(s): 3 written, 0 failed, 0 warned\n"


def test_messages_on_the_terminal_escape_record_text(capsys: pytest.CaptureFixture[str]) -> None:
    """Every line on stderr (warnings, failures without --errors) goes through one writer that
    escapes control characters, whatever part of the message holds record text."""
    _cli_io.say("runstate: line 1: glue: $.JobName\x1b]0;owned\x07: bad\u009b2J\ud800")
    assert (
        capsys.readouterr().err == "runstate: line 1: glue: $.JobName\\x1b]0;owned\\x07: bad\\x9b2J\\ud800\n"
    )


@pytest.mark.parametrize(
    "argv",
    [
        ["normalize", "-p", "glue", "--example", "--x\x1b]0;owned\x07"],
        ["summary", "-p", "glue", "--example", "\x1b[2J", "--json", "extra\u202e"],
        ["\x9b2J"],
    ],
)
def test_usage_errors_escape_the_command_line(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    """argparse's "unrecognized arguments" quoted the arguments as they were."""
    with pytest.raises(SystemExit) as info:
        _cli.main(argv)
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "error: " in err and _printable(err), err


_BIDI_CONTROLS = (
    "\u061c\u200e\u200f" + "".join(map(chr, range(0x202A, 0x202F))) + "".join(map(chr, range(0x2066, 0x206A)))
)
"""Every explicit bidirectional formatting character and implicit mark of Unicode UAX #9 (2.1-2.6)."""


@pytest.mark.parametrize("char", _BIDI_CONTROLS)
def test_every_bidirectional_control_is_escaped(char: str) -> None:
    """A bidi mark reorders what the terminal shows (ARABIC LETTER MARK U+061C as LRM and RLM do)."""
    assert _cli_io.printable(f"a{char}b") == f"a\\u{ord(char):04x}b"


# --- arrays wherever they stand -------------------------------------------------------------------


def _glue(i: int) -> bytes:
    return f'{{"Id": "jr_{i}", "JobRunState": "SUCCEEDED"}}'.encode()


@pytest.mark.parametrize("provider", ["glue", "auto"])
def test_an_array_on_any_line_is_read_as_an_array(tmp_path: Path, provider: str) -> None:
    """An array after the first line was one record ("expected a JobRun object") and a pretty one
    lost the record after it; now each element is a record, and a bad one fails alone, its bytes
    dead-lettered as they were."""
    bad = [b'{"Id": "jr_x", "JobRunState": NaN}', b'"not a record"', b"{bad"]
    fifty = b"[" + b", ".join(_glue(i) for i in range(10, 60)) + b"]"
    text = b"\n".join(
        [
            _glue(1),
            fifty,
            b"  [" + _glue(2) + b", " + bad[0] + b", " + _glue(3) + b"]",
            b"[\n  " + _glue(4) + b",\n  " + bad[1] + b"\n]",
            bad[2],
            _glue(5) + b" [" + _glue(6) + b"]",
            _glue(7),
        ]
    )
    source, dead = tmp_path / "in.jsonl", tmp_path / "dead.jsonl"
    source.write_bytes(text + b"\n")
    command = ["summary", "--json"] if provider == "auto" else ["normalize"]
    result = cli(*command, "-p", provider, str(source), "--errors", str(dead))
    assert result.returncode == 1, result.stderr
    assert result.stderr.decode().startswith("runstate: read 60 record(s): 57 written, 3 failed, 0 warned")
    assert sorted(dead.read_bytes().splitlines()) == sorted(bad)
    if provider == "glue":
        ids = [json.loads(line)["run_id"] for line in result.stdout.splitlines()]
        assert ids == [
            "jr_1",
            *(f"jr_{i}" for i in range(10, 60)),
            "jr_2",
            "jr_3",
            "jr_4",
            "jr_5",
            "jr_6",
            "jr_7",
        ]
        why = [json.loads(line)["line"] for line in Path(f"{dead}.why.jsonl").read_text().splitlines()]
        assert why == [3, 6, 8]


# --- summary memory: bounded by default -------------------------------------------------------------


@pytest.mark.parametrize(
    ("flags", "horizon"),
    [([], _cli.DEFAULT_HORIZON), (["--horizon", "12h"], timedelta(hours=12)), (["--horizon", "none"], None)],
)
def test_summary_holds_runs_for_a_bounded_horizon_by_default(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    flags: list[str],
    horizon: timedelta | None,
) -> None:
    """``runstate summary`` held every failed or unended run to the end (97 to 729 MB from 100,000 to
    1,000,000 lines): it passes a horizon, a week unless told, as ``summarize(horizon=)`` takes."""
    seen: list[timedelta | None] = []
    real = runstate.summarize

    def summarize(runs: Any, **kwargs: Any) -> Any:
        seen.append(kwargs.get("horizon"))
        return real(runs, **kwargs)

    monkeypatch.setattr(_cli, "summarize", summarize)
    assert _cli.main(["summary", "-p", "glue", "--example", *flags]) == 0
    assert seen == [horizon]
    assert timedelta(days=7) == _cli.DEFAULT_HORIZON
    capsys.readouterr()


def test_a_horizon_that_is_no_duration_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        _cli.main(["summary", "-p", "glue", "--example", "--horizon", "a week"])
    assert info.value.code == 2
    assert "not a duration: 'a week' (e.g. 7d, 12h, 30m, 90s, or none)" in capsys.readouterr().err


@pytest.mark.parametrize("text", ["36501d", "3000000d", "1000000000d", "100000000000000000000s"])
def test_a_horizon_past_a_century_is_a_usage_error(text: str, capsys: pytest.CaptureFixture[str]) -> None:
    """A horizon added to a run's time overflowed the datetime range (an internal error, or a
    traceback past timedelta's own bound); a century is longer than any retry waits."""
    with pytest.raises(SystemExit) as info:
        _cli.main(["summary", "-p", "glue", "--example", "--horizon", text])
    assert info.value.code == 2
    assert f"--horizon: longer than 100 years: {text!r} (give none to hold runs to the input's end)" in (
        capsys.readouterr().err
    )


# --- counts and help --------------------------------------------------------------------------------

_WARNED = [
    {"JobRunState": "WEIRD"},  # warns (unmapped state), then fails (no run id)
    {"Id": "jr_1", "JobRunState": "WEIRD", "StartedOn": "nope"},  # two warnings, written
    {"Id": "", "JobRunState": "WEIRD"},  # warns, then fails
    {"Id": "jr_2", "JobRunState": "WEIRD"},  # one warning, written
    {"Id": "jr_3", "JobRunState": "SUCCEEDED"},
]


@pytest.mark.parametrize("shape", ["lines", "array", "page"])
def test_warned_counts_records_written_with_warnings_not_failures(tmp_path: Path, shape: str) -> None:
    """A failed record was also counted as warned, and a record with two warnings twice."""
    source = tmp_path / "in.json"
    if shape == "lines":
        source.write_text("".join(json.dumps(r) + "\n" for r in _WARNED))
    else:
        source.write_text(json.dumps(_WARNED if shape == "array" else {"JobRuns": _WARNED}, indent=2))
    result = cli("normalize", "-p", "glue", str(source))
    assert result.returncode == 1
    assert (
        result.stderr.decode().splitlines()[-1] == "runstate: read 5 record(s): 3 written, 2 failed, 2 warned"
    )


def test_summary_of_auto_reads_standard_input_as_normalize_does(tmp_path: Path) -> None:
    records = b"".join(line + b"\n" for line in (EXAMPLES / "glue.jsonl").read_bytes().splitlines()[:3])
    pretty = json.dumps([json.loads(line) for line in records.splitlines()], indent=2).encode()
    for data in (records, pretty):
        normalized = cli("normalize", "-p", "glue", "-", input=data)
        summary = cli("summary", "-p", "auto", "-", "--json", input=data)
        assert normalized.returncode == summary.returncode == 0, summary.stderr
        assert json.loads(summary.stdout)["overall"]["runs"] == len(normalized.stdout.splitlines()) == 3


@pytest.mark.parametrize("command", ["graph", "schema", "normalize", "summary", "export"])
def test_every_subcommand_says_what_it_does_in_its_help(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        _cli.main([command, "--help"])
    usage, _, rest = capsys.readouterr().out.partition("\n\n")
    description = rest.split("\n\n")[0]
    assert usage.startswith(f"usage: runstate {command}")
    assert not description.startswith(("options:", "positional arguments:")), rest
