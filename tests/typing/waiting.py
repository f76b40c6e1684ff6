"""How the public API for code that waits on runs must type-check: verdict, Verdict, state_of.

Checked by mypy only; each ``# type: ignore[code]`` is a misuse mypy must keep refusing.
"""

from __future__ import annotations

import runstate
from runstate import Reason, Run, State, Verdict


def verdicts(run: Run) -> None:
    of_run: Verdict = runstate.verdict(run)
    of_state: Verdict = runstate.verdict(State.FAILED, Reason.PLATFORM_ERROR)
    of_names: Verdict = runstate.verdict("SKIPPED", "CONCURRENCY_LIMIT")
    done: bool = of_run.done
    succeeded: bool = of_state.succeeded
    retryable: bool | None = of_names.retryable
    runstate.verdict(run, Reason.USER_ERROR)  # type: ignore[call-overload]
    runstate.verdict()  # type: ignore[call-overload]
    of_run.done = True  # type: ignore[misc]
    del done, succeeded, retryable


def words() -> None:
    state, reason = runstate.state_of("databricks", life_cycle_state="TERMINATED", result_state="FAILED")
    canonical: State = state
    why: Reason | None = reason
    strict: tuple[State, Reason | None] = runstate.state_of("glue", strict=True, JobRunState="STOPPED")
    runstate.state_of(provider="glue", JobRunState="STOPPED")  # type: ignore[call-arg]
    del canonical, why, strict
