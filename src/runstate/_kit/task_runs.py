"""Which runs of one task key are attempts of one task run, and which are task runs of their own.

One rule for every path that meets several runs of one task key (``latest_task_attempts``, the Jobs
API's ``tasks[]``, the system tables' task rows): a retry starts after its attempt ended (Databricks
``RunTask.attempt_number``: "subsequent runs are created ... If the initial run attempt fails"), so a
run continues the task run whose last attempt ended at or before it started, preferring one that did
not succeed (a retry follows a failure), then the latest end. Runs that overlap in time are separate
task runs (for-each iterations), and so are runs of a key whose earlier run has not ended (an
iteration running while others wait to start). Otherwise, without both starts, nothing says two
ended runs overlapped: they are attempts of one task run.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import NamedTuple

from .._core.model import Run
from .._core.vocabulary import State

__all__ = ["TaskAttempt", "TaskChains", "task_attempt", "continued_task_run", "overlaps", "task_runs"]

_OLDEST = datetime.min.replace(tzinfo=UTC)


class TaskAttempt(NamedTuple):
    """What the rule needs of a run: small enough to remember for many runs."""

    started_at: datetime | None
    ended_at: datetime | None
    terminal: bool
    succeeded: bool


def task_attempt(run: Run) -> TaskAttempt:
    return TaskAttempt(run.started_at, run.ended_at, run.is_terminal, run.state is State.SUCCEEDED)


def overlaps(earlier: TaskAttempt, later: TaskAttempt) -> bool:
    """Whether two runs of one key ran at once: the earlier has not ended (running, or waiting to
    start: nothing retries it yet), or the later started before the earlier ended. Otherwise,
    without both starts, nothing says they did."""
    if earlier.ended_at is None and not earlier.terminal:
        return True
    if later.started_at is None or earlier.started_at is None or earlier.ended_at is None:
        return False
    return later.started_at < earlier.ended_at


def continued_task_run(lasts: Sequence[TaskAttempt], attempt: TaskAttempt) -> int | None:
    """The index of the task run ``attempt`` continues, given each task run's last attempt; ``None``
    when it overlaps them all (or there are none): it starts a task run of its own."""
    free = [i for i, last in enumerate(lasts) if not overlaps(last, attempt)]
    if not free:
        return None
    return max(free, key=lambda i: _rank(lasts[i]))


def _rank(last: TaskAttempt) -> tuple[bool, bool, datetime]:
    ended = last.ended_at
    return (not last.succeeded, ended is not None, _OLDEST if ended is None else ended)


class TaskChains:
    """The task runs of one task key met so far, in start order: each a chain of attempts, remembered
    by its last attempt (what the rule needs), that attempt's run id and the first attempt's. Small
    enough to keep for many keys while a stream goes by."""

    __slots__ = ("_ids", "_lasts")

    def __init__(self) -> None:
        self._lasts: list[TaskAttempt] = []
        self._ids: list[tuple[str, str]] = []

    def add(self, run: Run) -> tuple[int, tuple[str, str] | None]:
        """Place the next run of the key: (the index of its task run, and ``(previous_run_id,
        original_run_id)`` when it continues one, else ``None``: it starts a task run of its own)."""
        attempt = task_attempt(run)
        index = continued_task_run(self._lasts, attempt)
        if index is None:
            self._lasts.append(attempt)
            self._ids.append((run.run_id, run.run_id))
            return len(self._lasts) - 1, None
        previous, original = self._ids[index]
        self._lasts[index] = attempt
        self._ids[index] = (run.run_id, original)
        return index, (previous, original)


def task_runs(attempts: Iterable[Run]) -> list[list[Run]]:
    """The runs of one task key, given in start order, split into task runs (see module)."""
    lanes: list[list[Run]] = []
    chains = TaskChains()
    for run in attempts:
        index, _ = chains.add(run)
        if index == len(lanes):
            lanes.append([run])
        else:
            lanes[index].append(run)
    return lanes
