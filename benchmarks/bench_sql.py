"""Rows per second: runstate's SQL in DuckDB against ``normalize_many`` in Python, same rows.

``python benchmarks/bench_sql.py`` generates seeded ``databricks_system`` rows (the provider's own
result states, termination codes and types, a few words no table knows, durations, hourly periods),
then times (wall clock, median of ``--rounds``):

- DuckDB: ``CREATE TABLE ... AS`` the generated ``SELECT`` over a table of those rows (every output
  materialized; ``--threads`` DuckDB threads, 1 by default for a like-for-like single core);
- Python: ``list(runstate.normalize_many("databricks_system", rows, keep_raw=False))``.

Options: ``--rows 1000000`` (the issue's figure; default 100,000), ``--provider glue``, ``--rounds``,
``--threads``, ``--json FILE``. Needs ``runstate[sql]`` and duckdb. No test asserts a time.

Measured 2026-11-26 (x86_64 Linux VM, 2 cores shared with other jobs, Python 3.11.7, duckdb 2.0.1),
``--rows 1000000 --rounds 1``: SQL 336,411 rows/s against normalize_many 19,747 rows/s (17x) with one
DuckDB thread; 322,178 against 12,692 (25x) with ``--threads 2`` under heavier load. Not orders of
magnitude: the three CASE outputs each walk the provider's whole rule list per row.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import statistics
import sys
import time
import warnings
from datetime import UTC, datetime, timedelta
from typing import Any

import duckdb

import runstate
from runstate._providers.databricks import system
from runstate._providers.glue import tables as glue
from runstate.sql import select

_START = datetime(2026, 3, 1, tzinfo=UTC)
_ODD = ("NEW_STATE",)


def _system_rows(count: int, rng: random.Random) -> tuple[dict[str, str], list[dict[str, Any]]]:
    results = [*system.RESULT_STATE, *_ODD]
    codes = [*system.TERMINATION_CODE, *_ODD]
    types = [*system.TERMINATION_TYPE]
    rows = []
    for i in range(count):
        start = _START + timedelta(seconds=rng.randrange(0, 30 * 86400))
        run = rng.randrange(60, 3600)
        parts = [rng.randrange(0, 120), rng.randrange(0, 300), run, rng.randrange(0, 30)]
        rows.append(
            {
                "workspace_id": "1234567890123456",
                "run_id": str(10**12 + i),
                "job_id": str(rng.randrange(1, 500)),
                "period_start_time": start,
                "period_end_time": start + timedelta(seconds=run),
                "result_state": rng.choice(results),
                "termination_code": rng.choice(codes),
                "termination_type": rng.choice(types),
                "queue_duration_seconds": parts[0],
                "setup_duration_seconds": parts[1],
                "execution_duration_seconds": parts[2],
                "cleanup_duration_seconds": parts[3],
                "run_duration_seconds": sum(parts[1:]),
            }
        )
    kinds = {k: "VARCHAR" for k in rows[0] if isinstance(rows[0][k], str)}
    kinds.update(dict.fromkeys(("period_start_time", "period_end_time"), "TIMESTAMPTZ"))
    kinds.update({k: "BIGINT" for k in rows[0] if k.endswith("_seconds")})
    return kinds, rows


def _glue_rows(count: int, rng: random.Random) -> tuple[dict[str, str], list[dict[str, Any]]]:
    states = [*glue.JOB_RUN_STATE, *_ODD]
    details = [None, None, "Max concurrent runs per job reached", "Insufficient capacity in the region"]
    rows = []
    for i in range(count):
        start = _START + timedelta(seconds=rng.randrange(0, 30 * 86400))
        rows.append(
            {
                "Id": f"jr_{i:064x}",
                "JobName": f"job-{rng.randrange(100)}",
                "JobRunState": rng.choice(states),
                "StateDetail": rng.choice(details),
                "ExecutionClass": rng.choice(("STANDARD", "FLEX")),
                "StartedOn": start,
                "CompletedOn": start + timedelta(seconds=rng.randrange(1, 3600)),
            }
        )
    kinds = dict.fromkeys(rows[0], "VARCHAR") | {"StartedOn": "TIMESTAMPTZ", "CompletedOn": "TIMESTAMPTZ"}
    return kinds, rows


def _load(con: Any, kinds: dict[str, str], rows: list[dict[str, Any]]) -> None:
    columns = [f'unnest(${i}::{kind}[]) AS "{name}"' for i, (name, kind) in enumerate(kinds.items(), 1)]
    values = [[row.get(name) for row in rows] for name in kinds]
    con.execute(f"CREATE TABLE runs AS SELECT {', '.join(columns)}", values)


def _time_sql(con: Any, query: str) -> float:
    con.execute("DROP TABLE IF EXISTS normalized")
    start = time.perf_counter()
    con.execute(f"CREATE TABLE normalized AS {query}")
    return time.perf_counter() - start


def _time_python(provider: str, rows: list[dict[str, Any]]) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the unknown words warn, as they should; not what is timed
        start = time.perf_counter()
        count = sum(1 for _ in runstate.normalize_many(provider, rows, keep_raw=False))
        elapsed = time.perf_counter() - start
    assert count == len(rows)
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--provider", choices=("databricks_system", "glue"), default="databricks_system")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--json", metavar="FILE")
    args = parser.parse_args(argv)

    make = _system_rows if args.provider == "databricks_system" else _glue_rows
    kinds, rows = make(args.rows, random.Random(17))
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute(f"SET threads = {args.threads}")
    _load(con, kinds, rows)
    query = select(args.provider, "duckdb", "runs")

    sql_times, python_times = [], []
    for _ in range(args.rounds):
        sql_times.append(_time_sql(con, query))
        python_times.append(_time_python(args.provider, rows))
    sql_s, python_s = statistics.median(sql_times), statistics.median(python_times)
    states = con.execute(
        "SELECT canonical_state, count(*) FROM normalized GROUP BY ALL ORDER BY 2 DESC"
    ).fetchall()
    result = {
        "provider": args.provider,
        "rows": args.rows,
        "rounds": args.rounds,
        "duckdb_threads": args.threads,
        "sql_rows_per_second": round(args.rows / sql_s),
        "python_rows_per_second": round(args.rows / python_s),
        "speedup": round(python_s / sql_s, 1),
        "machine": f"{platform.machine()} {platform.system()}, Python {platform.python_version()}, "
        f"duckdb {duckdb.__version__}",
        "states": dict(states),
    }
    print(json.dumps(result, indent=2))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump(result, out, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
