"""The CLI's reconciliation in every output format: records in = runs out + dead letters, every time.

Usage::

    python scripts/reconcile_cli.py --lines 1000000            # every format, then the signal runs
    python scripts/reconcile_cli.py --lines 20000 --formats parquet csv --no-signals

Writes a file of generated Glue lines (realistic JobRun records, as ``GetJobRuns`` returns them) with,
spread through it: lines that are not JSON, JSON arrays on later lines (one line and pretty-printed,
with bad elements), records whose keys differ only in lone surrogates, record text holding terminal
control sequences and lone surrogates. Then, for each format, runs ``runstate normalize -p glue FILE
-f FORMAT -o OUT --errors DEAD`` once and checks that the runs written plus the dead letters are the
records in, that the closing line's counts are those, and that the dead letters are byte for byte
the bad records. Then each table format and JSON Lines is stopped by SIGTERM (and SIGINT) in the
middle: the file left is valid and holds exactly the runs the interruption note reports written, or
there is no file and the note reports 0. Prints the peak RSS of each command (``os.wait4``).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

import attrs

FORMATS = ("jsonl", "json", "table", "parquet", "csv", "arrow")
_NOTE = re.compile(
    r"runstate: (?:interrupted by SIG\w+ after )?read (\d+) record\(s\): "
    r"(\d+) written, (\d+) failed, (\d+) warned"
)


@attrs.frozen
class Input:
    """A generated input: its path, how many records it holds, and the bad ones' exact bytes."""

    path: Path
    records: int
    bad: list[bytes]


def _glue(i: int, **extra: Any) -> dict[str, Any]:
    """A Glue ``JobRun`` as GetJobRuns returns it (botocore glue service model field names)."""
    started = 1_717_000_000 + i * 37
    state = ("SUCCEEDED", "FAILED", "TIMEOUT", "RUNNING", "STOPPED")[i % 5]
    record: dict[str, Any] = {
        "Id": f"jr_{i:012x}{'0' * 52}",
        "Attempt": 0,
        "JobName": f"job-{i % 97}",
        "JobMode": "SCRIPT",
        "StartedOn": started,
        "LastModifiedOn": started + 300,
        "JobRunState": state,
        "Arguments": {"--job-language": "python", "--TempDir": "s3://bucket/tmp/"},
        "PredecessorRuns": [],
        "AllocatedCapacity": 10,
        "Timeout": 2880,
        "MaxCapacity": 10.0,
        "WorkerType": "G.1X",
        "NumberOfWorkers": 10,
        "GlueVersion": "4.0",
        "ExecutionClass": "STANDARD",
    }
    if state != "RUNNING":
        record |= {"CompletedOn": started + 240, "ExecutionTime": 230}
    if state == "FAILED":
        record["ErrorMessage"] = "An error occurred while calling o123.pyWriteDynamicFrame."
    return record | extra


def _line(record: Any) -> bytes:
    return json.dumps(record).encode()


def generate(path: Path, lines: int) -> Input:
    """``lines`` lines (about), each kind of hard line spread through them."""
    bad: list[bytes] = []
    records = 0
    with path.open("wb") as out:
        i = 0
        while i < lines:
            kind = i % 1000
            if kind == 17:  # not JSON
                text = b'{"Id": "jr_cut", "JobRunState": "SUCC'
                bad.append(text)
                out.write(text + b"\n")
                records += 1
            elif kind == 333:  # an array of 50 on one line, one bad element
                elements = [_line(_glue(i * 100 + k)) for k in range(49)]
                wrong = b'{"Id": "jr_nan", "JobRunState": NaN}'
                out.write(b"[" + b", ".join([*elements[:20], wrong, *elements[20:]]) + b"]\n")
                bad.append(wrong)
                records += 50
            elif kind == 555:  # a pretty-printed array of 3, one element not a record
                out.write(b"[\n  " + _line(_glue(i * 100)) + b',\n  "not a record",\n  ')
                out.write(_line(_glue(i * 100 + 1)) + b"\n]\n")
                bad.append(b'"not a record"')
                records += 3
                i += 4
            elif kind == 777:  # keys differing only in lone surrogates; a hostile name
                text = (
                    _line(_glue(i, JobName="\x1b]0;owned\x07\ud800"))[:-1]
                    + b', "a\\ud800": 1, "a\\udc00": 2}'
                )
                out.write(text + b"\n")
                records += 1
            else:
                out.write(_line(_glue(i)) + b"\n")
                records += 1
            i += 1
    return Input(path, records, bad)


@attrs.frozen
class Result:
    code: int
    stderr: str
    peak_kib: int
    seconds: float


_MEASURED: Final = """
import atexit, os, runpy, sys

def _peak() -> None:  # this process's high-water RSS (VmHWM: from its exec on, not its parent's)
    with open("/proc/self/status") as status, open(os.environ["RECONCILE_PEAK"], "w") as out:
        out.write(next(line.split()[1] for line in status if line.startswith("VmHWM")))

atexit.register(_peak)
sys.argv[0] = "runstate"
runpy.run_module("runstate", run_name="__main__")
"""


def run(
    args: list[str],
    *,
    stop_after: float | None = None,
    signum: int = signal.SIGTERM,
    started: Callable[[], bool] = lambda: True,
) -> Result:
    """The CLI as a subprocess; its exit code, stderr, peak RSS and wall time. With ``stop_after``:
    signalled that long after ``started()`` holds (its output opened: its signal handlers are set)."""
    start = time.monotonic()
    with tempfile.TemporaryFile() as stderr, tempfile.NamedTemporaryFile("r") as peak:
        env = {**os.environ, "RECONCILE_PEAK": peak.name}
        process = subprocess.Popen(
            [sys.executable, "-c", _MEASURED, *args], stdout=subprocess.DEVNULL, stderr=stderr, env=env
        )
        if stop_after is not None:
            deadline = time.monotonic() + 120
            while not started() and process.poll() is None and time.monotonic() < deadline:
                time.sleep(0.02)
            time.sleep(stop_after)
            process.send_signal(signum)
        code = process.wait()
        stderr.seek(0)
        text = stderr.read().decode("utf-8", "replace")
        kib = int(peak.read() or 0)
    return Result(code, text, kib, time.monotonic() - start)


def counts(stderr: str) -> tuple[int, int, int, int]:
    """(read, written, failed, warned) of the closing line or the interruption note."""
    found = [m.groups() for m in _NOTE.finditer(stderr)]
    if not found:
        raise AssertionError(f"no closing line in: {stderr[-500:]!r}")
    read, written, failed, warned = map(int, found[-1])
    return read, written, failed, warned


def runs_out(path: Path, fmt: str) -> list[str]:
    """The run ids in an output file (one per run: the generated records have no tasks)."""
    if fmt == "jsonl":
        return [json.loads(line)["run_id"] for line in path.read_text("utf-8").splitlines()]
    if fmt == "json":
        return [run["run_id"] for run in json.loads(path.read_text("utf-8"))]
    if fmt == "table":
        return [line.split()[0] for line in path.read_text("utf-8").splitlines()[1:]]
    import pyarrow as pa
    import pyarrow.csv as pa_csv
    import pyarrow.parquet as pq

    readers: dict[str, Callable[[str], pa.Table]] = {
        "parquet": pq.read_table,
        "csv": pa_csv.read_csv,
        "arrow": lambda p: pa.ipc.open_file(p).read_all(),
    }
    ids: list[str] = readers[fmt](str(path)).column("run_id").to_pylist()
    return ids


def reconcile(data: Input, fmt: str, work: Path) -> Result:
    """One whole run in ``fmt``: every record a run or a dead letter, the bad ones byte for byte."""
    out, dead = work / f"out.{fmt}", work / f"dead.{fmt}.jsonl"
    result = run(
        ["normalize", "-p", "glue", str(data.path), "-f", fmt, "-o", str(out), "--errors", str(dead)]
    )
    assert result.code == 1, result.stderr[-500:]
    read, written, failed, _ = counts(result.stderr)
    ids = runs_out(out, fmt)
    assert (read, written, failed) == (data.records, len(ids), len(data.bad)), (read, written, failed)
    assert dead.read_bytes() == b"".join(text + b"\n" for text in data.bad), "dead letters differ"
    assert len(Path(f"{dead}.why.jsonl").read_text().splitlines()) == failed
    return result


def interrupt(data: Input, fmt: str, work: Path, after: float, signum: int) -> tuple[int, int]:
    """Stop a run with ``signum`` after ``after`` seconds: what is left is exactly what it reports."""
    out, dead = work / f"stopped.{fmt}", work / f"stopped.{fmt}.jsonl"
    for path in (out, dead):
        path.unlink(missing_ok=True)
    args = ["normalize", "-p", "glue", str(data.path), "-f", fmt, "-o", str(out), "--errors", str(dead)]
    result = run(args, stop_after=after, signum=signum, started=lambda: bool(_opened(work, out)))
    read, written, failed, _ = counts(result.stderr)
    assert "Traceback" not in result.stderr
    assert read == written + failed
    if result.code in (130, 143):
        assert out.exists() == bool(written) or fmt == "jsonl", (fmt, written, out.exists())
    if out.exists():
        assert len(runs_out(out, fmt)) == written, (fmt, written)
    assert dead.read_bytes() == b"".join(text + b"\n" for text in data.bad[:failed])
    assert not _temporary(work, out), "a temporary file is left"
    return result.code, written


def _temporary(work: Path, out: Path) -> list[Path]:
    return [p for p in work.iterdir() if p.name.startswith(f".{out.name}.")]


def _opened(work: Path, out: Path) -> bool:
    """Whether the command has opened its output (the file itself, or a table's temporary file)."""
    return out.exists() or bool(_temporary(work, out))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--formats", nargs="+", choices=FORMATS, default=list(FORMATS))
    parser.add_argument("--no-signals", action="store_true")
    parser.add_argument("--work", type=Path, help="directory for the files (default: a temporary one)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(dir=args.work) as tmp:
        work = Path(tmp)
        data = generate(work / "in.jsonl", args.lines)
        size = data.path.stat().st_size
        print(f"{args.lines} lines, {data.records} records, {len(data.bad)} bad, {size / 1e6:.0f} MB")
        durations: dict[str, float] = {}
        for fmt in args.formats:
            result = reconcile(data, fmt, work)
            durations[fmt] = result.seconds
            print(f"{fmt:8} reconciled  peak RSS {result.peak_kib / 1024:6.0f} MiB  {result.seconds:6.1f} s")
            for path in work.glob("out.*"):
                path.unlink()
        if not args.no_signals:
            for fmt in (f for f in args.formats if f in ("jsonl", "parquet", "csv", "arrow")):
                for signum in (signal.SIGTERM, signal.SIGINT):
                    code, written = interrupt(data, fmt, work, durations[fmt] / 2, signum)
                    print(
                        f"{fmt:8} {signal.Signals(signum).name}: exit {code}, {written} written, file exact"
                    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
