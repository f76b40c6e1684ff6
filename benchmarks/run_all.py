"""Every figure of benchmarks/README.md from one run of one command.

Usage::

    python benchmarks/run_all.py [--records 20000] [--rounds 9] [--cli 100000] [--spark-records 200000]

Runs, in one process and one after the other (so the machine's state is the same for all):
``bench.py`` (normalize and the peers, streamed with the GC on, memory per record, the CLI against
its json floor), ``bench_tables.py`` (normalize_batches, Parquet bytes per row, Spark ``local[2]``),
``bench_sql.py`` (the generated SQL in DuckDB against normalize_many) and the history figures below
(``logical_runs`` and ``summarize`` per run). Each prints its own tables.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime

import bench
import bench_sql
import bench_tables

import runstate


def _cpu_per_run(fn: Callable[[], object], runs: int, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        start = time.process_time()
        fn()
        times.append(time.process_time() - start)
    return statistics.median(times) / runs * 1e6


def measure_history(records: int, rounds: int) -> dict[str, float]:
    """CPU microseconds per run of ``logical_runs`` and ``summarize`` over generated Glue runs."""
    lines = [json.dumps(r) for r in bench.generate("glue", records)]
    runs = list(runstate.normalize_lines("glue", lines, keep_raw=False))
    now = datetime(2026, 11, 1, tzinfo=UTC)
    normalize = _cpu_per_run(
        lambda: list(runstate.normalize_lines("glue", lines, keep_raw=False)), len(runs), rounds
    )
    logical = _cpu_per_run(lambda: list(runstate.logical_runs(runs)), len(runs), rounds)
    summary = _cpu_per_run(lambda: runstate.summarize(runs, now=now), len(runs), rounds)
    return {
        "runs": len(runs),
        "normalize_lines_us": normalize,
        "logical_runs_us": logical,
        "summarize_us": summary,
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--cli", type=int, default=100_000, metavar="N", help="CLI lines per provider")
    parser.add_argument("--spark-records", type=int, default=200_000)
    parser.add_argument("--sql-rows", type=int, default=1_000_000)
    parser.add_argument("--no-spark", action="store_true")
    args = parser.parse_args(argv)

    print("## normalize, the peers, memory and the CLI (bench.py)\n")
    bench.main(["--records", str(args.records), "--rounds", str(args.rounds), "--cli", str(args.cli)])
    print("\n## logical runs and summaries\n")
    history = measure_history(args.records, min(args.rounds, 5))
    print("| runs | normalize_lines us/run | logical_runs us/run | summarize us/run |")
    print("| ---: | ---: | ---: | ---: |")
    print(
        f"| {history['runs']} | {history['normalize_lines_us']:.1f} | {history['logical_runs_us']:.1f} "
        f"| {history['summarize_us']:.1f} |"
    )
    print("\n## tables, Parquet and Spark (bench_tables.py)\n")
    tables = ["--records", str(args.records), "--spark-records", str(args.spark_records), "--rounds", "3"]
    bench_tables.main(tables + (["--no-spark"] if args.no_spark else []))
    print("\n## the generated SQL in DuckDB (bench_sql.py)\n")
    bench_sql.main(["--rows", str(args.sql_rows), "--rounds", "3"])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
