"""How the public API must type-check (as stamina's tests/typing): mypy checks this file, nothing runs it.

Each ``# type: ignore[code]`` marks a misuse mypy must keep refusing: with ``warn_unused_ignores``
(pyproject.toml) an ignore that is no longer needed fails the lint, so these lines are assertions.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import runstate
from runstate import (
    Durations,
    InvalidRecordError,
    Missing,
    Phase,
    ProviderSpec,
    Reason,
    RecordFailure,
    Run,
    RunstateWarning,
    RunTracker,
    State,
    TransitionGraph,
)
from runstate.provider_kit import Context, Outcome, make_durations, make_run, map_word


def normalizing() -> None:
    run: Run = runstate.normalize("glue", {"Id": "jr_1", "JobRunState": "SUCCEEDED"}, strict=True)
    lenient: Run = runstate.normalize("glue", {}, keep_raw=False)
    failures: list[RecordFailure] = []
    many: Iterator[Run] = runstate.normalize_many("databricks", [], on_error=failures.append)
    names: tuple[str, ...] = runstate.providers()
    state: State = run.state
    phase: Phase = run.phase
    reason: Reason | None = run.reason
    terminal: bool = run.is_terminal
    elapsed: timedelta | None = run.elapsed(datetime.now(UTC))
    tasks: tuple[Run, ...] = run.tasks
    raw: Mapping[str, Any] | None = lenient.raw
    total: timedelta | None = run.durations.total
    why: Missing | None = run.durations.why_missing("total")
    data: dict[str, Any] = runstate.to_dict(run)
    again: Run = runstate.from_dict(data)
    del state, phase, reason, terminal, elapsed, tasks, raw, total, why, again, many, names

    runstate.normalize("glue", {}, True)  # type: ignore[call-arg]
    runstate.normalize(provider="glue")  # type: ignore[call-arg]
    run.state = State.FAILED  # type: ignore[misc]
    runstate.normalize_many("glue", [], on_error=lambda failure: failure.nope)  # type: ignore[attr-defined]


def errors_and_warnings() -> None:
    try:
        runstate.normalize("glue", {}, strict=True)
    except InvalidRecordError as exc:
        where: tuple[str, str, object, str] = (exc.provider, exc.field, exc.value, exc.problem)
        del where
    with warnings.catch_warnings(record=True) as caught:
        runstate.normalize("glue", {})
    for item in caught:
        if isinstance(item.message, RunstateWarning):
            provider: str | None = item.message.provider
            field: str | None = item.message.field
            problem: str | None = item.message.problem
            del provider, field, problem
    RunstateWarning("glue", "$.JobRunState", "PAUSED", "unmapped state")
    RunstateWarning("a plain message")
    RunstateWarning("glue", "$.JobRunState")  # type: ignore[call-overload]


def tracking() -> None:
    tracker = RunTracker()
    tracker.observe(State.QUEUED, datetime.now(UTC))
    current: State | None = tracker.state
    legal: bool = runstate.GRAPH.is_legal(State.QUEUED, State.RUNNING)
    graph: TransitionGraph = runstate.GRAPH
    del current, legal, graph
    tracker.observe(State.QUEUED, "2024-01-01")  # type: ignore[arg-type]


def writing_a_provider(spec: ProviderSpec, ctx: Context) -> None:
    outcome: Outcome = map_word({"ok": Outcome(State.SUCCEEDED)}, "ok", ctx, "$.status")
    durations: Durations = make_durations(None, None, timedelta(seconds=3), None, None, {})
    run: Run = make_run(provider="acme", run_id="1", state=outcome.state, durations=durations, tasks=())
    runstate.check_provider(spec)
    ctx.report("invalid", "$.at", "x", "cannot parse time")
    ctx.report("unmapped", "$.status", "PAUSED", "unmapped state")
    del run

    make_run(provider="acme", run_id="1", state="RUNNING")  # type: ignore[arg-type]
    make_run(provider="acme", run_id="1", state=State.RUNNING, reason="USER_ERROR")  # type: ignore[arg-type]
    make_run(provider="acme", run_id="1", state=State.RUNNING, tasks=[])  # type: ignore[arg-type]
    make_run(provider="acme", run_id="1")  # type: ignore[call-arg]
    make_run(provider="acme", run_id="1", state=State.RUNNING, job="j")  # type: ignore[call-arg]
    make_run("acme", "1", State.RUNNING)  # type: ignore[call-arg]
    make_durations(total=3)  # type: ignore[arg-type]
    ctx.report("whatever", "$", None, "problem")  # type: ignore[call-overload]


def fail_never_returns(ctx: Context) -> int:
    ctx.fail("$", None, "expected an object")  # NoReturn: no return statement needed after it
