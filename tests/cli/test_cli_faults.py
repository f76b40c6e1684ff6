"""The command line under faults, each run as a subprocess: full disks, closed streams, signals, bad bytes.

Every case ends in a one-line error and its documented exit code, and no record is lost: each is in
the output or, byte for byte, in the dead letters.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import attrs
import pytest

from runstate._cli import app as _cli
from runstate._cli import io as _cli_io

from ..paths import FIXTURES

FIXTURES = FIXTURES
GOOD = json.loads((FIXTURES / "glue" / "succeeded.json").read_text())["JobRun"]


def cli(*args: str, stdin: bytes | None = None, **kwargs: Any) -> subprocess.CompletedProcess[bytes]:
    kwargs.setdefault("stdout", subprocess.PIPE)
    kwargs.setdefault("stderr", subprocess.PIPE)
    return subprocess.run(
        [sys.executable, "-m", "runstate", *args], input=stdin, check=False, timeout=120, **kwargs
    )


def record(i: int, **extra: Any) -> dict[str, Any]:
    return {**GOOD, "Id": f"jr_{i}", **extra}


def jsonl(*records: Any) -> bytes:
    return b"".join(json.dumps(r).encode() + b"\n" for r in records)


def out_ids(stdout: bytes) -> list[str]:
    return [json.loads(line)["run_id"] for line in stdout.decode("utf-8").splitlines()]


def one_line_error(result: subprocess.CompletedProcess[bytes]) -> str:
    lines = result.stderr.decode().splitlines()
    assert len(lines) == 1, lines
    assert "Traceback" not in lines[0]
    return lines[0]


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize("where", ["stdout", "--output", "--errors", "summary"])
def test_a_full_disk_is_a_one_line_io_error(where: str, tmp_path: Path) -> None:
    bad = b"{not json\n"
    if where == "stdout":
        with Path("/dev/full").open("wb") as full:
            result = cli("normalize", "-p", "glue", "--example", stdout=full, stderr=subprocess.PIPE)
        assert result.returncode == 3
        assert b"cannot write standard output: No space left on device" in result.stderr
        assert b"Traceback" not in result.stderr
        return
    if where == "summary":
        with Path("/dev/full").open("wb") as full:
            result = cli("summary", "-p", "glue", "--example", stdout=full, stderr=subprocess.PIPE)
        assert (result.returncode, b"Traceback" in result.stderr) == (3, False)
        return
    result = cli("normalize", "-p", "glue", "-", where, "/dev/full", stdin=jsonl(GOOD) + bad)
    assert result.returncode == 3
    assert b"Traceback" not in result.stderr
    assert (
        result.stderr.decode().splitlines()[-1] == "runstate: cannot write /dev/full: No space left on device"
    )


def test_an_unwritable_dead_letter_file_is_an_io_error() -> None:
    result = cli("normalize", "-p", "glue", "--example", "--errors", "/proc/version")
    assert result.returncode == 3
    assert one_line_error(result).startswith("runstate: cannot write /proc/version")


def test_closed_stdin_is_an_io_error() -> None:
    result = cli("normalize", "-p", "glue", **_closed_stdin())
    assert result.returncode == 3
    assert one_line_error(result) == "runstate: cannot read standard input: it is closed"


def _closed_stdin() -> dict[str, Any]:
    def close() -> None:
        os.close(0)

    return {"preexec_fn": close}


def test_an_unreadable_input_is_an_io_error(tmp_path: Path) -> None:
    result = cli("normalize", "-p", "glue", str(tmp_path))  # a directory
    assert result.returncode == 3
    assert one_line_error(result).startswith(f"runstate: cannot read {tmp_path}: ")


def test_usage_errors_exit_2() -> None:
    assert cli("normalize", "-p", "glue", "--max-record-size", "lots", "--example").returncode == 2
    assert cli("normalize", "-p", "nope", "--example").returncode == 2
    assert cli("normalize", "-p", "glue", "--example", "x.json").returncode == 2


def test_version() -> None:
    result = cli("--version")
    assert result.returncode == 0
    assert result.stdout.decode().startswith("runstate ")


def test_lone_surrogates_are_written_as_escapes_in_every_format(tmp_path: Path) -> None:
    records = [record(i) for i in range(1000)]
    records[500] = record(500, ErrorMessage="\ud800 and \udc80")
    data = jsonl(*records)
    assert b"\\ud800" in data
    for fmt in ("jsonl", "json", "table"):
        out = tmp_path / f"out.{fmt}"
        result = cli("normalize", "-p", "glue", "-", "-f", fmt, "-o", str(out), stdin=data)
        assert result.returncode == 0, result.stderr
        text = out.read_bytes().decode("utf-8")  # strict: valid UTF-8
        if fmt == "jsonl":
            runs = [json.loads(line) for line in text.splitlines()]
            assert len(runs) == 1000
            assert runs[500]["message"] == "\ud800 and \udc80"
            assert '"message":"\\ud800 and \\udc80"' in text
        elif fmt == "json":
            assert len(json.loads(text)) == 1000


def test_a_nan_element_in_a_one_line_array_loses_nothing(tmp_path: Path) -> None:
    elements = [json.dumps(record(i)) for i in range(2000)]
    elements[10] = json.dumps(record(10)).replace('"Attempt": 0', '"Attempt": NaN')
    assert "NaN" in elements[10]
    errors = tmp_path / "dead.jsonl"
    result = cli(
        "normalize",
        "-p",
        "glue",
        "-",
        "--errors",
        str(errors),
        stdin=("[" + ", ".join(elements) + "]").encode(),
    )
    assert result.returncode == 1
    assert len(out_ids(result.stdout)) == 1999
    assert errors.read_text() == elements[10] + "\n"
    [why] = [json.loads(line) for line in Path(f"{errors}.why.jsonl").read_text().splitlines()]
    assert (why["line"], why["error"]) == (1, "invalid JSON: NaN is not a JSON number")


def test_a_pretty_printed_array_dead_letters_the_whole_bad_element(tmp_path: Path) -> None:
    elements = [record(i) for i in range(5)]
    text = json.dumps(elements, indent=2).replace('"jr_2"', '"jr_2" oops', 1)
    errors = tmp_path / "dead.jsonl"
    result = cli("normalize", "-p", "glue", "-", "--errors", str(errors), stdin=text.encode())
    assert result.returncode == 1
    assert out_ids(result.stdout) == ["jr_0", "jr_1", "jr_3", "jr_4"]
    [letter] = errors.read_text().splitlines()
    assert letter.startswith("{ ") and '"jr_2" oops' in letter and letter.endswith("}")
    assert len(Path(f"{errors}.why.jsonl").read_text().splitlines()) == 1


def test_dead_letters_are_whole_original_bytes_and_re_runnable(tmp_path: Path) -> None:
    long_latin1 = json.dumps(record(7, ErrorMessage="x" * 1200)).encode().replace(b"xxx", b"x\xe9x", 1)
    unmapped = json.dumps(record(8, JobRunState="PAUSED")).encode()
    source = tmp_path / "in.jsonl"
    source.write_bytes(
        jsonl(record(1)) + long_latin1 + b"\n" + unmapped + b"\n" + b"garbage\rmore\n" + jsonl(record(2))
    )
    errors = tmp_path / "dead.jsonl"
    result = cli("normalize", "-p", "glue", "--strict", str(source), "--errors", str(errors))
    assert result.returncode == 1
    assert out_ids(result.stdout) == ["jr_1", "jr_2"]
    assert errors.read_bytes() == long_latin1 + b"\n" + unmapped + b"\n" + b"garbage\rmore\n"
    why = [json.loads(line) for line in Path(f"{errors}.why.jsonl").read_text().splitlines()]
    assert [w["line"] for w in why] == [2, 3, 4]  # a bare CR does not shift line numbers
    assert [w["error_type"] for w in why] == ["InvalidJSON", "UnmappedStateError", "InvalidJSON"]
    again = tmp_path / "dead2.jsonl"
    rerun = cli("normalize", "-p", "glue", "--strict", str(errors), "--errors", str(again))
    assert rerun.returncode == 1
    assert rerun.stdout == b""
    assert again.read_bytes() == errors.read_bytes()  # the same failures, nothing wrapped


def test_a_utf8_bom_does_not_fail_the_first_record() -> None:
    result = cli("normalize", "-p", "glue", "-", stdin=b"\xef\xbb\xbf" + jsonl(record(1), record(2)))
    assert result.returncode == 0, result.stderr
    assert out_ids(result.stdout) == ["jr_1", "jr_2"]


def test_deep_and_oversized_records_are_failures_and_reading_goes_on(tmp_path: Path) -> None:
    deep = b'{"Id": "d", "JobRunState": "RUNNING", "x": ' + b"[" * 600 + b"]" * 600 + b"}"
    big = json.dumps(record(3, ErrorMessage="y" * 5000)).encode()
    data = jsonl(record(1)) + deep + b"\n" + big + b"\n" + jsonl(record(2))
    errors = tmp_path / "dead.jsonl"
    result = cli(
        "normalize", "-p", "glue", "-", "--max-record-size", "4k", "--errors", str(errors), stdin=data
    )
    assert result.returncode == 1
    assert out_ids(result.stdout) == ["jr_1", "jr_2"]
    assert errors.read_bytes() == deep + b"\n\n"  # the oversized record is not copied: its line is empty
    why = [json.loads(line)["error"] for line in Path(f"{errors}.why.jsonl").read_text().splitlines()]
    assert why == [
        "invalid JSON: nested more than 200 levels deep",
        f"invalid JSON: record of {len(big)} characters, larger than 4096; not copied",
    ]


def test_fail_on_warning_turns_warned_records_into_failures(tmp_path: Path) -> None:
    data = jsonl(record(1), record(2, JobRunState="PAUSED"))
    lenient = cli("normalize", "-p", "glue", "-", stdin=data)
    assert lenient.returncode == 0
    assert lenient.stderr.decode().endswith("runstate: read 2 record(s): 2 written, 0 failed, 1 warned\n")
    errors = tmp_path / "dead.jsonl"
    result = cli("normalize", "-p", "glue", "-", "--fail-on-warning", "--errors", str(errors), stdin=data)
    assert result.returncode == 1
    assert out_ids(result.stdout) == ["jr_1"]
    assert errors.read_bytes() == jsonl(record(2, JobRunState="PAUSED"))
    [why] = [json.loads(line) for line in Path(f"{errors}.why.jsonl").read_text().splitlines()]
    assert why["error_type"] == "UnmappedStateWarning"


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_stops_quietly_with_whole_lines(signum: int, code: int, tmp_path: Path) -> None:
    errors, out = tmp_path / "dead.jsonl", tmp_path / "out.jsonl"
    with (tmp_path / "stderr").open("wb") as stderr:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "runstate",
                "normalize",
                "-p",
                "glue",
                "-",
                "-o",
                str(out),
                "--errors",
                str(errors),
            ],
            stdin=subprocess.PIPE,
            stderr=stderr,
        )
        assert process.stdin is not None
        for i in range(300):
            process.stdin.write(jsonl(record(i)) + (b"{bad\n" if i % 10 == 0 else b""))
        process.stdin.flush()  # left open: the command reads what came and waits for more
        deadline = time.monotonic() + 60
        while (not out.exists() or out.stat().st_size < 65536) and time.monotonic() < deadline:
            time.sleep(0.1)
        process.send_signal(signum)
        assert process.wait(timeout=60) == code
        process.stdin.close()
    text = (tmp_path / "stderr").read_text()
    assert "Traceback" not in text
    name = signal.Signals(signum).name
    note = re.fullmatch(
        f"runstate: interrupted by {name} after read (\\d+) record\\(s\\): "
        r"(\d+) written, (\d+) failed, 0 warned",
        text.splitlines()[-1],
    )
    assert note is not None, text
    read, written, failed = map(int, note.groups())
    assert written >= 1 and read == written + failed  # the record in flight, if any, is not counted
    assert len(out_ids(out.read_bytes())) == written  # whole lines, every one written so far
    assert errors.read_bytes() == b"{bad\n" * failed  # the dead letters kept pace with the output
    assert len(Path(f"{errors}.why.jsonl").read_text().splitlines()) == failed


def test_an_internal_error_keeps_the_record_and_exits_4(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from runstate._kit.registry import REGISTRY

    spec = REGISTRY.get("glue")

    def build(record: Any, ctx: Any, keep_raw: bool) -> Any:
        if record.get("Id") == "jr_2":
            raise TypeError("a bug")
        return spec.build(record, ctx, keep_raw)

    buggy = attrs.evolve(spec, build=build)
    monkeypatch.setattr(REGISTRY, "get", lambda _name: buggy)
    source = tmp_path / "in.jsonl"
    source.write_bytes(jsonl(record(1), record(2), record(3)))
    errors = tmp_path / "dead.jsonl"
    assert (
        _cli.main(["normalize", "-p", "glue", str(source), "--errors", str(errors)]) == _cli_io.EXIT_INTERNAL
    )
    assert errors.read_bytes() == jsonl(record(2))
    captured = capsys.readouterr()
    assert len(captured.out.splitlines()) == 2
    assert (
        "1 record(s) met an internal error (first: line 2: internal error: TypeError: 'a bug')"
        in captured.err
    )


def test_an_oversized_line_is_reported_by_line_and_size_not_copied(tmp_path: Path) -> None:
    """``/dev/zero`` with ``--errors`` wrote a 7.2 GB dead letter in 30 s: a record past the limit is
    read to its end in bounded memory and reported by line and size, its dead-letter line empty."""
    huge = json.dumps(record(5, ErrorMessage="z" * 3_000_000)).encode()
    errors = tmp_path / "dead.jsonl"
    data = jsonl(record(1)) + huge + b"\n" + jsonl(record(2))
    result = cli(
        "normalize", "-p", "glue", "-", "--max-record-size", "100k", "--errors", str(errors), stdin=data
    )
    assert result.returncode == 1
    assert out_ids(result.stdout) == ["jr_1", "jr_2"]
    assert errors.read_bytes() == b"\n"
    [why] = [json.loads(line) for line in Path(f"{errors}.why.jsonl").read_text().splitlines()]
    message = f"invalid JSON: record of {len(huge)} characters, larger than 102400; not copied"
    assert (why["line"], why["size"], why["error"]) == (2, len(huge), message)
    quiet = cli("normalize", "-p", "glue", "-", "--max-record-size", "100k", stdin=data)
    assert f"runstate: line 2: glue: $: {message}" in quiet.stderr.decode()
