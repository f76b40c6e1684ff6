"""Polling one run until it ends: each change of state once, a timeout, and no endless unknown states.

ETL code hands :func:`poll` a zero-argument function that fetches the provider's record; each answer
is normalized and yielded when its state changed, and each change is fed to a
:class:`~runstate.RunTracker` (at the clock's time; an answer the clock puts at or before the
previous one, a frozen or coarse clock, 1 µs after it: the answers are in order, never a
same-instant conflict). Polling stops after the first terminal state, raises
:class:`PollTimeoutError` once ``timeout`` has passed (the time waited, or the time on a monotonic
clock when more: never the wall clock, which may be stepped back or frozen), and raises
:class:`~runstate.UnmappedStateError` when the state stays unmapped (UNKNOWN) for
:data:`UNMAPPED_TRIES` answers in a row: a state runstate cannot read is never polled forever.
Memory stays flat however long it polls: only the last answer and the changes are kept (a tracker
the caller passes receives every answer, as asked).
"""

from __future__ import annotations

import inspect
import math
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from .._core.errors import InvalidRecordError, RunstateError, UnmappedStateError, exception_state
from .._core.model import Run
from .._core.tracker import RunTracker
from .._core.vocabulary import State
from .._kit.registry import REGISTRY

__all__ = ["UNMAPPED_TRIES", "PollTimeoutError", "apoll", "poll"]

_TICK: Final = timedelta(microseconds=1)
"""How far after the previous answer an answer is observed when the clock has not moved."""
UNMAPPED_TRIES: Final = 3
"""Answers in a row with an unmapped (UNKNOWN) state after which polling stops with an error."""


class PollTimeoutError(RunstateError, TimeoutError):
    """The run did not reach a terminal state before the timeout.

    ``PollTimeoutError: glue: run 'jr_1' still RUNNING after 600.0 s``
    """

    def __init__(self, provider: str, run_id: str | None, state: str | None, timeout: float) -> None:
        self.provider = provider
        self.run_id = run_id
        self.state = state
        self.timeout = timeout
        super().__init__(provider, run_id, state, timeout)

    def __reduce__(self) -> tuple[Any, ...]:
        # OSError (TimeoutError's base) keeps only two of several args: rebuild from the attributes,
        # and restore what was added since (notes) as every runstate error does
        return (type(self), (self.provider, self.run_id, self.state, self.timeout), exception_state(self))

    def __str__(self) -> str:
        return f"{self.provider}: run {self.run_id!r} still {self.state} after {self.timeout} s"


def _seconds(value: float | timedelta, name: str) -> float:
    if isinstance(value, timedelta):
        seconds = value.total_seconds()
    elif isinstance(value, int | float) and not isinstance(value, bool):
        seconds = float(value)
    else:
        raise InvalidRecordError("runstate", name, value, "must be seconds (a number) or a timedelta")
    if not seconds >= 0:  # also refuses NaN
        raise InvalidRecordError("runstate", name, value, "must be a non-negative duration")
    return seconds


def _finite(value: float) -> bool:
    """Whether ``value`` is a finite float, or an int that converts to one (inf minus inf is NaN,
    which no timeout compares past)."""
    try:
        return math.isfinite(value)
    except OverflowError:  # an int past a float's range
        return False


def _now() -> datetime:
    return datetime.now(UTC)


class _Poller:
    """The decisions of one polling loop, shared by :func:`poll` and :func:`apoll`."""

    def __init__(
        self,
        provider: str,
        *,
        interval: float | timedelta,
        timeout: float | timedelta,
        backoff: float,
        max_interval: float | timedelta | None,
        clock: Callable[[], datetime] | None,
        monotonic: Callable[[], float] | None,
        strict: bool,
        tracker: RunTracker | None,
    ) -> None:
        self.provider = provider
        self.delay = _seconds(interval, "interval")
        self.timeout = _seconds(timeout, "timeout")
        if isinstance(backoff, bool) or not isinstance(backoff, int | float) or not backoff >= 1:
            raise InvalidRecordError("runstate", "backoff", backoff, "must be at least 1")
        self.backoff = backoff
        self.max_interval = None if max_interval is None else _seconds(max_interval, "max_interval")
        if self.max_interval is not None:  # the first wait too: max_interval bounds every wait
            self.delay = min(self.delay, self.max_interval)
        self.clock = clock or _now
        self.monotonic = monotonic or time.monotonic
        self.strict = strict
        self.every_answer = tracker is not None  # the caller's tracker asked for them all
        self.tracker = RunTracker() if tracker is None else tracker
        self.start = self._elapsed_since(None)
        self.slept = 0.0  # what the waits asked for: time that passed, whatever a clock says
        self.last: Run | None = None
        self.observed: datetime | None = None
        self.unmapped = 0

    def _elapsed_since(self, start: float | None) -> float:
        """The monotonic clock's reading (``start`` None), or the seconds since ``start`` on it."""
        now: object = self.monotonic()
        if isinstance(now, bool) or not isinstance(now, int | float) or not _finite(now):
            raise InvalidRecordError(
                "runstate", "monotonic", now, "must return seconds (a finite number), e.g. time.monotonic()"
            )
        return float(now) if start is None else float(now) - start

    def _time(self) -> datetime:
        now: object = self.clock()
        if not isinstance(now, datetime) or now.tzinfo is None or now.utcoffset() is None:
            raise InvalidRecordError(
                "runstate", "clock", now, "must return timezone-aware datetimes, e.g. datetime.now(UTC)"
            )
        return now

    def take(self, answer: Any) -> Run | None:
        """Normalize one answer; the run if its state changed (``None`` if not)."""
        run = (
            answer
            if isinstance(answer, Run)
            else REGISTRY.normalize(self.provider, answer, strict=self.strict)
        )
        previous = self.tracker.state
        at = self._time()
        if self.observed is not None and at <= self.observed:
            at = self.observed + _TICK  # answers are in order: never "at the same instant" as the last
        self.observed = at
        if self.every_answer or run.state is not previous:  # an unchanged answer adds nothing to keep
            self.tracker.observe(run, at=at)
        self.unmapped = self.unmapped + 1 if run.state is State.UNKNOWN else 0
        self.last = run
        if self.unmapped >= UNMAPPED_TRIES:
            raise UnmappedStateError(
                self.provider,
                "state",
                dict(run.provider_state),
                f"still unmapped after {UNMAPPED_TRIES} polls",
            )
        return run if run.state is not previous else None

    @property
    def done(self) -> bool:
        """True once the last answer was terminal."""
        return self.last is not None and self.last.is_terminal

    def pause(self) -> float:
        """Seconds to wait before the next fetch; raises once the timeout has passed."""
        left = self.timeout - max(self._elapsed_since(self.start), self.slept)
        if left <= 0:
            last = self.last
            raise PollTimeoutError(
                self.provider,
                None if last is None else last.run_id,
                None if last is None else last.state.value,
                self.timeout,
            )
        delay = min(self.delay, left)
        self.slept += delay
        self.delay *= self.backoff
        if self.max_interval is not None:
            self.delay = min(self.delay, self.max_interval)
        return delay


def poll(
    fetch: Callable[[], Any],
    provider: str,
    *,
    interval: float | timedelta,
    timeout: float | timedelta,
    backoff: float = 1.0,
    max_interval: float | timedelta | None = None,
    clock: Callable[[], datetime] | None = None,
    sleep: Callable[[float], object] | None = None,
    monotonic: Callable[[], float] | None = None,
    strict: bool = False,
    tracker: RunTracker | None = None,
) -> Iterator[Run]:
    """Fetch and normalize a run until it ends, yielding it at each change of state.

    ``interval`` (seconds or a timedelta) is the first wait; each wait is multiplied by ``backoff``
    (at most ``max_interval``). ``fetch`` may return the provider's record or a :class:`Run`.
    ``clock`` (aware datetimes; default UTC now) stamps the answers. The timeout counts the waits
    ``sleep`` was asked for, or the time on ``monotonic`` (seconds; default :func:`time.monotonic`)
    when more (fetches take time too); the wall clock never decides it, as it may be stepped back or
    frozen. ``clock``, ``sleep`` (default :func:`time.sleep`) and ``monotonic`` are injectable. Only the
    last answer and each change of state are kept; a ``tracker`` passed in receives every answer, so
    its history and time per state stay available. Raises :class:`PollTimeoutError` when ``timeout``
    passes, :class:`UnmappedStateError` after :data:`UNMAPPED_TRIES` unmapped answers in a row;
    errors of ``fetch`` propagate.
    """
    poller = _Poller(provider, interval=interval, timeout=timeout, backoff=backoff, max_interval=max_interval,
                     clock=clock, monotonic=monotonic, strict=strict, tracker=tracker)  # fmt: skip
    pause = time.sleep if sleep is None else sleep
    while True:
        changed = poller.take(fetch())
        if changed is not None:
            yield changed
        if poller.done:
            return
        pause(poller.pause())


async def apoll(
    fetch: Callable[[], Any],
    provider: str,
    *,
    interval: float | timedelta,
    timeout: float | timedelta,  # noqa: ASYNC109 - public API, as poll's (PollTimeoutError)
    backoff: float = 1.0,
    max_interval: float | timedelta | None = None,
    clock: Callable[[], datetime] | None = None,
    sleep: Callable[[float], Awaitable[object]] | None = None,
    monotonic: Callable[[], float] | None = None,
    strict: bool = False,
    tracker: RunTracker | None = None,
) -> AsyncIterator[Run]:
    """The async twin of :func:`poll`: ``fetch`` may be sync or async, ``sleep`` is awaited.

    ``sleep`` defaults to :func:`asyncio.sleep`.
    """
    poller = _Poller(provider, interval=interval, timeout=timeout, backoff=backoff, max_interval=max_interval,
                     clock=clock, monotonic=monotonic, strict=strict, tracker=tracker)  # fmt: skip
    import asyncio  # only here: importing runstate stays cheap

    pause = asyncio.sleep if sleep is None else sleep
    while True:
        answer = fetch()
        if inspect.isawaitable(answer):
            answer = await answer
        changed = poller.take(answer)
        if changed is not None:
            yield changed
        if poller.done:
            return
        await pause(poller.pause())
