"""How the round-two public API must type-check: history, summaries, polling, rows, lines, OpenTelemetry.

Checked by mypy only (as ``api.py``); each ``# type: ignore[code]`` is a misuse mypy must keep
refusing, since ``warn_unused_ignores`` fails the lint once an ignore is no longer needed.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import runstate
from runstate import (
    LineFailure,
    LogicalRun,
    PollTimeoutError,
    Reason,
    RecordFailure,
    Run,
    RunstateError,
    State,
    Summary,
)


def history(runs: list[Run]) -> None:
    logical: Iterator[LogicalRun] = runstate.logical_runs(runs)
    streaming: Iterator[LogicalRun] = runstate.logical_runs(iter(runs), horizon=timedelta(hours=1))
    for one in logical:
        key: tuple[str | None, str, str] = one.key
        attempts: tuple[Run, ...] = one.attempts
        latest: Run = one.latest
        state: State = one.state
        reason: Reason | None = one.reason
        repairs: int = one.repairs
        count: int = one.attempt_count
        retried: bool = one.retried
        first: datetime | None = one.first_started_at
        last: datetime | None = one.last_ended_at
        total: timedelta | None = one.total
        wall: timedelta | None = one.wall
        del key, attempts, latest, state, reason, repairs, count, retried, first, last, total, wall
    tasks: tuple[Run, ...] = runstate.latest_task_attempts(runs[0])
    del streaming, tasks

    runstate.logical_runs(runs, timedelta(hours=1))  # type: ignore[call-arg]
    runstate.logical_runs(runs, horizon=3600)  # type: ignore[arg-type]
    runstate.latest_task_attempts(runs)  # type: ignore[arg-type]
    one.attempts = ()  # type: ignore[misc]


def summaries(runs: list[Run]) -> None:
    summary: Summary = runstate.summarize(runs)
    by_job: Summary = runstate.summarize(runs, by=("provider", "job_id"), now=datetime.now(UTC))
    merged: Summary = summary.merge(by_job)
    table: str = merged.to_table()
    data: dict[str, Any] = merged.to_dict()
    groups_by: tuple[str, ...] = merged.by
    rate: float | None = merged.overall.success_rate
    p95: timedelta | None = merged.overall.total.p95
    slowest = merged.slowest(3)
    del table, data, groups_by, rate, p95, slowest

    runstate.summarize(runs, ("provider",))  # type: ignore[call-arg]
    runstate.summarize(runs, now="2024-01-01")  # type: ignore[arg-type]
    summary.merge(runs)  # type: ignore[arg-type]


def fetch_glue() -> dict[str, Any]:
    return {"Id": "jr_1", "JobRunState": "RUNNING"}


async def fetch_glue_later() -> dict[str, Any]:
    return fetch_glue()


def polling() -> None:
    seen: Iterator[Run] = runstate.poll(fetch_glue, "glue", interval=5, timeout=timedelta(minutes=10))
    try:
        for run in seen:
            del run
    except PollTimeoutError as exc:
        where: tuple[str, str | None, str | None, float] = (exc.provider, exc.run_id, exc.state, exc.timeout)
        documented: RunstateError = exc
        builtin: TimeoutError = exc
        del where, documented, builtin
    runstate.poll(fetch_glue, "glue", interval=5, timeout=60, backoff=2.0, max_interval=60, sleep=print)

    runstate.poll(fetch_glue, "glue", 5, 60)  # type: ignore[call-arg]
    runstate.poll(fetch_glue, "glue", interval="5s", timeout=60)  # type: ignore[arg-type]
    runstate.poll(fetch_glue(), "glue", interval=5, timeout=60)  # type: ignore[arg-type]


async def polling_async() -> None:
    seen: AsyncIterator[Run] = runstate.apoll(fetch_glue_later, "glue", interval=5, timeout=60)
    async for run in seen:
        del run
    runstate.apoll(fetch_glue, "glue", interval=5, timeout=60)  # a sync fetch is accepted too

    for run in runstate.apoll(fetch_glue, "glue", interval=5, timeout=60):  # type: ignore[attr-defined]
        del run


def rows(run: Run, runs: list[Run]) -> None:
    row: dict[str, Any] = runstate.to_row(run)
    with_raw: dict[str, Any] = runstate.to_row(run, raw=True)
    many: Iterator[dict[str, Any]] = runstate.to_rows(runs, raw=False)
    del row, with_raw, many

    runstate.to_row(run, True)  # type: ignore[call-arg]
    runstate.to_row(runs)  # type: ignore[arg-type]
    runstate.to_rows(run)  # type: ignore[arg-type]


def lines(text: list[str], data: list[bytes]) -> None:
    failures: list[LineFailure] = []
    from_text: Iterator[Run] = runstate.normalize_lines("glue", text, on_error=failures.append)
    from_bytes: Iterator[Run] = runstate.normalize_lines("databricks", data, strict=True, keep_raw=False)
    for failure in failures:
        number: int = failure.line
        page: int | None = failure.page_index
        index: int = failure.index
        error: Exception = failure.error
        plain: RecordFailure = failure
        del number, page, index, error, plain
    del from_text, from_bytes

    runstate.normalize_lines("glue", [{"Id": "jr_1"}])  # type: ignore[list-item]
    runstate.normalize_lines("glue", text, True)  # type: ignore[call-arg]
    records: list[RecordFailure] = []
    runstate.normalize_lines("glue", text, on_error=records.append)  # a handler of any failure will do
    runstate.normalize_many("glue", [], on_error=failures.append)  # type: ignore[arg-type]


def opentelemetry(run: Run) -> None:
    state: str | None = runstate.otel_run_state(run.state)
    by_name: str | None = runstate.otel_run_state("RUNNING")
    result: str | None = runstate.otel_result(run.state, run.reason)
    del state, by_name, result

    runstate.otel_run_state(None)  # type: ignore[arg-type]
    flag: bool = runstate.otel_run_state(run.state)  # type: ignore[assignment]
    del flag
