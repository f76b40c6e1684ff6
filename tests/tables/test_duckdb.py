"""DuckDB reads to_table output and normalize_batches streams as they are: typed columns, SQL answers."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from importlib import resources
from typing import Any

import duckdb
import pyarrow as pa

import runstate
from runstate import Durations, Run, State
from runstate.arrow import BATCH_SCHEMA, normalize_batches, to_table


def query(sql: str, **tables: pa.Table) -> list[tuple[Any, ...]]:
    """Rows of ``sql`` over Arrow tables registered under the given names (zero-copy)."""
    con = duckdb.connect()
    for name, table in tables.items():
        con.register(name, table)
    rows: list[tuple[Any, ...]] = con.execute(sql).fetchall()
    return rows


def _run(job: str, n: int, seconds: float) -> Run:
    start = datetime(2026, 3, 1, tzinfo=UTC) + timedelta(hours=n)
    return Run(
        provider="acme",
        run_id=f"{job}-{n}",
        job_id=job,
        state=State.SUCCEEDED if n % 5 else State.FAILED,
        started_at=start,
        ended_at=start + timedelta(seconds=seconds),
        durations=Durations(total=timedelta(seconds=seconds)),
    )


def test_p95_per_job_in_sql_matches_python() -> None:
    runs = [_run("a", n, 10.0 * (n + 1)) for n in range(20)] + [_run("b", n, 3.0) for n in range(4)]
    runs_table = to_table(runs)
    rows = query(
        "SELECT job_id, count(*), quantile_disc(total_seconds, 0.95), any_value(typeof(started_at)) "
        "FROM runs GROUP BY job_id ORDER BY job_id",
        runs=runs_table,
    )
    assert rows == [("a", 20, 190.0, "TIMESTAMP WITH TIME ZONE"), ("b", 4, 3.0, "TIMESTAMP WITH TIME ZONE")]
    failed = query(
        "SELECT run_id, epoch(started_at) FROM runs WHERE state = 'FAILED' ORDER BY started_at, run_id",
        runs=runs_table,
    )  # ordered by real times (they were all NULL once, and this order was the input's)
    start = datetime(2026, 3, 1, tzinfo=UTC).timestamp()
    hours = [("a-0", 0), ("b-0", 0), ("a-5", 5), ("a-10", 10), ("a-15", 15)]
    assert failed == [(run_id, start + 3600 * hour) for run_id, hour in hours]


def test_duckdb_json_functions_read_the_json_text_columns() -> None:
    run = Run(
        provider="acme", run_id="r", state=State.FAILED, provider_state={"status": "error"}, details={"n": 3}
    )
    runs_table = to_table([run])
    got = query("SELECT provider_state->>'status', CAST(details->'n' AS INTEGER) FROM runs", runs=runs_table)
    assert got == [("error", 3)]


def test_duckdb_feeds_jsonl_records_to_normalize_batches() -> None:
    path = resources.files("runstate").joinpath("examples", "cloud_deploy.jsonl")
    relation = duckdb.connect().sql(f"SELECT json::VARCHAR AS record FROM read_json_objects('{path}')")
    assert relation is not None  # sql() gives None only for statements without a result
    records = relation.to_arrow_table()
    out = pa.Table.from_batches(normalize_batches("cloud_deploy", records.to_batches()), schema=BATCH_SCHEMA)
    lines = [line for line in path.read_text("utf-8").splitlines() if line.strip()]
    expected = to_table(runstate.normalize("cloud_deploy", json.loads(line)) for line in lines)
    assert out.drop_columns(["error", "record"]).equals(expected)
    count = "SELECT state, count(*) FROM runs GROUP BY state"
    assert dict(query(count, runs=out)) == dict(query(count, runs=expected))
