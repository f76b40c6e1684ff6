"""Polling: each change of state once, a terminal stop, a timeout, and no endless unknown state."""

from __future__ import annotations

import asyncio
import copy
import itertools
import math
import pickle
import tracemalloc
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

import runstate
from runstate import PollTimeoutError, Run, RunTracker, State
from runstate._history.poll import UNMAPPED_TRIES

T0 = datetime(2026, 1, 1, tzinfo=UTC)


class FakeTime:
    """A clock that only moves when the poller sleeps."""

    def __init__(self) -> None:
        self.now = T0
        self.sleeps: list[float] = []

    def clock(self) -> datetime:
        return self.now

    def monotonic(self) -> float:
        return (self.now - T0).total_seconds()

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += timedelta(seconds=seconds)

    async def asleep(self, seconds: float) -> None:
        self.sleep(seconds)


def glue(state: str) -> dict[str, Any]:
    return {"Id": "jr_1", "JobName": "etl", "JobRunState": state}


class Answers:
    """A fetch function that answers from a list (the last answer repeats) and counts its calls."""

    def __init__(self, *answers: Any) -> None:
        self.answers = list(answers)
        self.calls = 0

    def __call__(self) -> Any:
        self.calls += 1
        return self.answers[min(self.calls, len(self.answers)) - 1]


def test_yields_each_change_of_state_once_and_stops_at_the_first_terminal_state() -> None:
    time = FakeTime()
    fetch = Answers(*map(glue, ["WAITING", "WAITING", "RUNNING", "RUNNING", "SUCCEEDED", "RUNNING"]))
    tracker = RunTracker()
    seen = runstate.poll(fetch, "glue", interval=10, timeout=3600, backoff=2, max_interval=30,
                         clock=time.clock, sleep=time.sleep, tracker=tracker)  # fmt: skip
    assert [run.state for run in seen] == [State.QUEUED, State.RUNNING, State.SUCCEEDED]
    assert fetch.calls == 5
    assert time.sleeps == [10, 20, 30, 30]
    assert tracker.history() == [State.QUEUED, State.RUNNING, State.SUCCEEDED]
    assert len(tracker.observations) == 5


def test_a_timeout_raises_a_poll_timeout_error_after_a_last_poll_at_the_deadline() -> None:
    time = FakeTime()
    fetch = Answers(glue("RUNNING"))
    seen: list[Run] = []
    polling = runstate.poll(fetch, "glue", interval=timedelta(seconds=40), timeout=timedelta(seconds=100),
                            clock=time.clock, sleep=time.sleep)  # fmt: skip
    with pytest.raises(PollTimeoutError) as caught:
        seen.extend(polling)
    assert [run.state for run in seen] == [State.RUNNING]
    assert time.sleeps == [40, 40, 20]  # the last wait is cut to the deadline
    assert fetch.calls == 4
    error = caught.value
    assert isinstance(error, TimeoutError) and isinstance(error, runstate.RunstateError)
    assert (error.provider, error.run_id, error.state, error.timeout) == ("glue", "jr_1", "RUNNING", 100.0)
    assert str(error) == "glue: run 'jr_1' still RUNNING after 100.0 s"


def test_no_wait_is_longer_than_max_interval_not_even_the_first() -> None:
    time = FakeTime()
    answers = Answers(glue("RUNNING"), glue("RUNNING"), glue("RUNNING"), glue("SUCCEEDED"))
    list(runstate.poll(answers, "glue", interval=60, timeout=3600, backoff=2, max_interval=15,
                       clock=time.clock, sleep=time.sleep))  # fmt: skip
    assert time.sleeps == [15, 15, 15]


def test_a_clock_that_does_not_advance_is_no_conflict() -> None:
    """A frozen test clock (or a coarse one) gives successive answers one instant: they are in
    order, not a contradiction, so no StateConflictWarning (filterwarnings=error makes it fatal)."""
    for answers in (["STARTING", "RUNNING", "SUCCEEDED"], ["RUNNING", "STOPPING", "STOPPED"]):
        tracker = RunTracker()
        seen = list(runstate.poll(Answers(*map(glue, answers)), "glue", interval=1, timeout=5,
                                  clock=lambda: T0, sleep=lambda _: None, tracker=tracker))  # fmt: skip
        assert [run.provider_state["JobRunState"] for run in seen] == answers
        assert tracker.conflicts == () and len(tracker.history()) == 3
        assert tracker.observations[0].at == T0


def test_poll_timeout_error_pickles() -> None:
    error = PollTimeoutError("glue", "jr_1", "RUNNING", 100.0)
    copy = pickle.loads(pickle.dumps(error))
    assert (type(copy), copy.args, str(copy)) == (PollTimeoutError, error.args, str(error))
    assert (copy.provider, copy.run_id, copy.state, copy.timeout) == ("glue", "jr_1", "RUNNING", 100.0)


def test_poll_timeout_error_keeps_its_notes_through_pickle_and_copy() -> None:
    error = PollTimeoutError("glue", "jr_1", "RUNNING", 100.0)
    error.add_note("while waiting for the nightly load")
    for clone in (pickle.loads(pickle.dumps(error)), copy.copy(error), copy.deepcopy(error)):
        assert clone.__notes__ == ["while waiting for the nightly load"]
        assert str(clone) == str(error)


def test_an_unmapped_state_stops_polling_after_the_documented_tries() -> None:
    time = FakeTime()
    fetch = Answers(glue("RUNNING"), glue("PAUSED"))
    seen: list[Run] = []
    with pytest.warns(runstate.UnmappedStateWarning), pytest.raises(runstate.UnmappedStateError) as caught:
        seen.extend(runstate.poll(fetch, "glue", interval=1, timeout=999, clock=time.clock, sleep=time.sleep))
    assert [run.state for run in seen] == [State.RUNNING, State.UNKNOWN]
    assert fetch.calls == 1 + UNMAPPED_TRIES == 4
    assert caught.value.value == {"JobRunState": "PAUSED"}
    assert "still unmapped after 3 polls" in str(caught.value)


def test_a_known_state_between_unmapped_ones_starts_the_count_again() -> None:
    time = FakeTime()
    words = ["PAUSED", "PAUSED", "RUNNING", "PAUSED", "PAUSED", "SUCCEEDED"]
    fetch = Answers(*map(glue, words))
    with pytest.warns(runstate.UnmappedStateWarning):
        seen = list(runstate.poll(fetch, "glue", interval=1, timeout=60, clock=time.clock, sleep=time.sleep))
    assert [run.state for run in seen] == [State.UNKNOWN, State.RUNNING, State.UNKNOWN, State.SUCCEEDED]


def test_strict_polling_refuses_the_first_unmapped_state() -> None:
    time = FakeTime()
    with pytest.raises(runstate.UnmappedStateError):
        list(runstate.poll(Answers(glue("PAUSED")), "glue", interval=1, timeout=60, strict=True,
                           clock=time.clock, sleep=time.sleep))  # fmt: skip


def test_fetch_may_answer_with_runs_and_its_errors_propagate() -> None:
    time = FakeTime()
    done = Run(provider="acme", run_id="r", state=State.SUCCEEDED)
    assert list(runstate.poll(lambda: done, "acme", interval=1, timeout=5, clock=time.clock)) == [done]

    def broken() -> Any:
        raise ConnectionError("throttled")

    with pytest.raises(ConnectionError):
        next(runstate.poll(broken, "glue", interval=1, timeout=5, clock=time.clock, sleep=time.sleep))


@pytest.mark.parametrize(
    ("options", "field"),
    [({"interval": -1}, "interval"), ({"timeout": float("nan")}, "timeout"), ({"backoff": 0.5}, "backoff")],
)
def test_bad_options_are_refused(options: dict[str, Any], field: str) -> None:
    arguments: dict[str, Any] = {"interval": 1, "timeout": 5, **options}
    with pytest.raises(runstate.InvalidRecordError) as caught:
        next(runstate.poll(Answers(glue("RUNNING")), "glue", **arguments))
    assert caught.value.field == field


def test_a_naive_clock_is_refused() -> None:
    with pytest.raises(runstate.InvalidRecordError, match="timezone-aware"):
        next(runstate.poll(Answers(glue("RUNNING")), "glue", interval=1, timeout=5,
                           clock=lambda: datetime(2026, 1, 1)))  # fmt: skip


@pytest.mark.parametrize("bad", [datetime(2026, 1, 1), 1772359200.0, "2026-01-01T00:00:00Z"])
def test_a_clock_answer_that_is_not_an_aware_datetime_is_named_as_the_clocks(bad: object) -> None:
    """The error names the ``clock`` the caller passed (not an internal ``now``), whatever it returns."""
    answers: Iterator[Any] = iter([T0, bad])  # a misuse mypy would refuse: checked at run time too
    with pytest.raises(runstate.InvalidRecordError, match=r"^runstate: clock: must return") as caught:
        list(runstate.poll(Answers(glue("RUNNING")), "glue", interval=1, timeout=5,
                           clock=lambda: next(answers), sleep=lambda _: None))  # fmt: skip
    assert caught.value.field == "clock"


@pytest.mark.parametrize(
    ("options", "field"),
    [({"backoff": "2"}, "backoff"), ({"interval": "5"}, "interval"), ({"timeout": None}, "timeout")],
)
def test_options_of_the_wrong_type_are_refused_clearly(options: dict[str, Any], field: str) -> None:
    arguments: dict[str, Any] = {"interval": 1, "timeout": 5, **options}
    with pytest.raises(runstate.InvalidRecordError) as caught:
        next(runstate.poll(Answers(glue("RUNNING")), "glue", **arguments))
    assert caught.value.field == field


def _collect(iterator: Any) -> list[Run]:
    async def run() -> list[Run]:
        return [item async for item in iterator]

    return asyncio.run(run())


def test_apoll_awaits_an_async_fetch_and_sleep() -> None:
    time = FakeTime()
    answers = iter(map(glue, ["STARTING", "RUNNING", "STOPPED"]))

    async def fetch() -> Any:
        return next(answers)

    seen = _collect(runstate.apoll(fetch, "glue", interval=5, timeout=60, backoff=1.5,
                                   clock=time.clock, sleep=time.asleep))  # fmt: skip
    assert [run.state for run in seen] == [State.PENDING, State.RUNNING, State.CANCELED]
    assert time.sleeps == [5, 7.5]


def test_apoll_times_out_with_a_sync_fetch() -> None:
    time = FakeTime()
    with pytest.raises(PollTimeoutError):
        _collect(runstate.apoll(Answers(glue("RUNNING")), "glue", interval=1, timeout=3,
                                clock=time.clock, sleep=time.asleep))  # fmt: skip
    assert sum(time.sleeps) == 3


def test_the_default_sleep_is_real_but_short_waits_stay_short() -> None:
    answers: Iterator[dict[str, Any]] = iter([glue("RUNNING"), glue("SUCCEEDED")])
    seen = list(runstate.poll(lambda: next(answers), "glue", interval=0, timeout=5))
    assert [run.state for run in seen] == [State.RUNNING, State.SUCCEEDED]
    seen = _collect(runstate.apoll(Answers(glue("SUCCEEDED")), "glue", interval=0, timeout=5))
    assert [run.state for run in seen] == [State.SUCCEEDED]


class SteppedClock:
    """A wall clock that is frozen, or stepped back an hour at every reading (an NTP correction)."""

    def __init__(self, step: timedelta) -> None:
        self.now, self.step = T0, step

    def __call__(self) -> datetime:
        self.now -= self.step
        return self.now


class Bounded(Answers):
    """Answers that fail the test past ``limit`` calls: a poll that never times out stops here."""

    def __init__(self, limit: int, *answers: Any) -> None:
        super().__init__(*answers)
        self.limit = limit

    def __call__(self) -> Any:
        assert self.calls < self.limit, "polled on past the timeout"
        return super().__call__()


@pytest.mark.parametrize("step", [timedelta(0), timedelta(hours=1)], ids=["frozen", "stepped-back"])
def test_the_timeout_counts_the_waits_whatever_the_wall_clock_does(step: timedelta) -> None:
    time = FakeTime()
    fetch = Bounded(1000, glue("RUNNING"))
    with pytest.raises(PollTimeoutError):
        list(
            runstate.poll(fetch, "glue", interval=10, timeout=100, clock=SteppedClock(step), sleep=time.sleep)
        )
    assert fetch.calls == 11
    assert time.sleeps == [10] * 10


def test_by_default_a_frozen_wall_clock_still_times_out() -> None:
    """The default monotonic clock: a frozen wall clock and no real wait still end in a timeout."""
    fetch = Bounded(1_000_000, glue("RUNNING"))
    with pytest.raises(PollTimeoutError):
        list(runstate.poll(fetch, "glue", interval=0, timeout=0.01, clock=lambda: T0, sleep=lambda _: None))


def test_slow_fetches_count_on_the_monotonic_clock() -> None:
    """Each fetch takes 30 s on the monotonic clock and the waits 10 s: the timeout counts the 30."""
    time = FakeTime()

    def slow() -> Any:
        time.now += timedelta(seconds=30)
        return glue("RUNNING")

    with pytest.raises(PollTimeoutError):
        list(runstate.poll(lambda: slow(), "glue", interval=10, timeout=100, clock=lambda: T0,
                           sleep=lambda _: None, monotonic=time.monotonic))  # fmt: skip
    assert time.monotonic() == 120


def test_apoll_times_out_whatever_the_wall_clock_does() -> None:
    time = FakeTime()
    fetch = Bounded(1000, glue("RUNNING"))
    with pytest.raises(PollTimeoutError):
        _collect(runstate.apoll(fetch, "glue", interval=5, timeout=20, clock=SteppedClock(timedelta(hours=1)),
                                sleep=time.asleep))  # fmt: skip
    assert fetch.calls == 5


def test_a_monotonic_clock_that_is_not_a_number_is_refused() -> None:
    with pytest.raises(runstate.InvalidRecordError, match=r"^runstate: monotonic: must return seconds"):
        next(runstate.poll(Answers(glue("RUNNING")), "glue", interval=1, timeout=5,
                           monotonic=lambda: T0))  # type: ignore[arg-type,return-value]  # fmt: skip


@pytest.mark.parametrize("reading", [math.inf, -math.inf, 10**400], ids=["inf", "-inf", "past-float"])
def test_a_monotonic_clock_that_jumps_out_of_range_is_refused(reading: float) -> None:
    """A clock stuck at infinity: inf minus inf is NaN, which no timeout compares past, so it polled
    forever (and an integer past a float's range raised a bare OverflowError)."""
    readings = itertools.repeat(reading)
    fetch = Bounded(100, glue("RUNNING"))
    with pytest.raises(runstate.InvalidRecordError, match=r"^runstate: monotonic: must return seconds"):
        list(runstate.poll(fetch, "glue", interval=1, timeout=5, sleep=lambda _: None,
                           monotonic=lambda: next(readings)))  # fmt: skip


def test_polling_keeps_only_what_it_returns() -> None:
    """20,000 answers of one state hold no more memory than one (each used to be kept, 2.5 kB apiece)."""
    time = FakeTime()
    answers = iter([*(glue("RUNNING") for _ in range(20_000)), glue("SUCCEEDED")])
    tracemalloc.start()
    try:
        seen = list(runstate.poll(lambda: next(answers), "glue", interval=1, timeout=10**6,
                                  clock=time.clock, sleep=time.sleep))  # fmt: skip
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert [run.state for run in seen] == [State.RUNNING, State.SUCCEEDED]
    assert peak < 2_000_000, peak
