"""Duration arithmetic that providers and users share instead of re-implementing.

Nothing here clamps: an inconsistency is reported through a :class:`~runstate._core.context.Context`
(a warning leniently, an error strictly) and the values are kept as the provider gave them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Final

from .context import Context
from .fields import is_null, plain_number
from .model import Run, require_aware

__all__ = [
    "check_order",
    "check_parts",
    "report_span",
    "sum_durations",
    "task_time",
    "time_range",
    "total_across_attempts",
    "wall_time",
]

ZERO: Final = timedelta(0)
MAX_DURATION: Final = timedelta(days=36_525)
"""The longest duration a provider field may give (100 years); longer is reported as out of range.

It also keeps every duration exact in :func:`runstate.to_dict`'s float seconds (exact below ~142 years).
"""
_MAX_MS: Final = MAX_DURATION // timedelta(milliseconds=1)
_MAX_S: Final = MAX_DURATION // timedelta(seconds=1)


def duration_from_ms(value: object, ctx: Context, field: str) -> timedelta | None:
    """A duration in integer milliseconds; ``None`` if absent, reported if not a non-negative number."""
    if type(value) is int and 0 <= value <= _MAX_MS:
        return timedelta(0, 0, value * 1000)  # positional: twice as fast as milliseconds=
    return _duration_problem(value, 1000, ctx, field)


def duration_from_s(value: object, ctx: Context, field: str) -> timedelta | None:
    """A duration in seconds (int or float); ``None`` if absent, reported if unusable."""
    if (type(value) is int or type(value) is float) and 0 <= value <= _MAX_S:
        return timedelta(seconds=value)
    return _duration_problem(value, 1, ctx, field)


def _duration_problem(value: object, per_second: int, ctx: Context, field: str) -> timedelta | None:
    if value is None or is_null(value):  # a data frame's null (NaN, NaT, NA): absent
        return None
    if type(value) is not int and type(value) is not float:
        number = plain_number(value)  # a numpy scalar: the number it is
        if number is None:
            ctx.invalid(field, value, "expected a number")
            return None
        return _duration_problem_number(number, value, per_second, ctx, field)
    return _duration_problem_number(value, value, per_second, ctx, field)


def _duration_problem_number(
    value: float, shown: object, per_second: int, ctx: Context, field: str
) -> timedelta | None:
    if abs(value) > _MAX_S * per_second:
        ctx.invalid(field, shown, OUT_OF_RANGE)
        return None
    result = timedelta(seconds=value / per_second)
    if value < 0:
        ctx.inconsistent(field, shown, "negative duration")
    return result


OUT_OF_RANGE: Final = "duration out of range (over 100 years)"
"""The one message for a duration or span over :data:`MAX_DURATION`."""


def time_between(start: datetime | None, end: datetime | None, ctx: Context, field: str) -> timedelta | None:
    """``end - start``, read as every provider reads a span of two of its times.

    Over :data:`MAX_DURATION` either way (a sentinel time such as 9999-12-31 or 0001-01-01) it is
    reported as invalid, as a duration field that long is, and left missing: no run measures
    millennia. A shorter negative span is reported (ends before it starts) and kept.
    """
    if start is None or end is None:
        return None
    report_span(start, end, ctx, field)
    between = end - start
    return between if _measures(between) else None


def report_span(start: datetime | None, end: datetime | None, ctx: Context, field: str) -> None:
    """What :func:`time_between` reports of a span, for a reader whose value comes from a decision's
    :class:`~runstate.provider_kit.Span` (evaluated by :func:`~runstate.provider_kit.compile_duration`):
    over 100 years either way invalid, a shorter negative span inconsistent, else nothing."""
    if start is None or end is None:
        return
    if not _measures(end - start):
        ctx.invalid(field, f"{end.isoformat()} - {start.isoformat()}", OUT_OF_RANGE)
    else:
        check_order(start, end, ctx, field)


def _measures(between: timedelta) -> bool:
    """Whether a span is a measurement: within :data:`MAX_DURATION` either way (else a sentinel)."""
    return -MAX_DURATION <= between <= MAX_DURATION


def check_order(start: datetime | None, end: datetime | None, ctx: Context, field: str) -> None:
    """Report an end before its start (the times are kept as given)."""
    if start is not None and end is not None and end < start:
        ctx.inconsistent(field, f"{end.isoformat()} < {start.isoformat()}", "ends before it starts")


def check_parts(
    parts: Iterable[timedelta | None],
    whole: timedelta | None,
    ctx: Context,
    field: str,
    tolerance: timedelta = ZERO,
) -> None:
    """Report parts whose sum exceeds ``whole`` by more than ``tolerance`` (missing parts are skipped)."""
    if whole is None:
        return
    total = sum((p for p in parts if p is not None), ZERO)
    if total - whole > tolerance:
        ctx.inconsistent(field, f"{total} > {whole}", "parts add up to more than the whole")


def sum_durations(values: Iterable[timedelta | None]) -> timedelta | None:
    """The sum, or ``None`` as soon as any value is unknown (an empty sum is zero)."""
    total = ZERO
    for value in values:
        if value is None:
            return None
        total += value
    return total


def time_range(runs: Iterable[Run]) -> tuple[datetime | None, datetime | None]:
    """Earliest start and latest end of some runs; the end is ``None`` if any run has not ended.

    (The duration between two times of one record is :func:`runstate.provider_kit.time_between`.)
    """
    starts: list[datetime] = []
    ends: list[datetime] = []
    open_ = False
    for run in runs:
        if run.started_at is not None:
            starts.append(run.started_at)
        if run.ended_at is None:
            open_ = True
        else:
            ends.append(run.ended_at)
    return (min(starts) if starts else None, None if open_ or not ends else max(ends))


def wall_time(runs: Iterable[Run], now: datetime | None = None) -> timedelta | None:
    """Time from the first start to the last end of some runs (tasks in parallel count once).

    If one has not ended, the range runs until ``now`` when given, else the result is ``None``.
    """
    first, last = time_range(runs)
    if first is None:
        return None
    if last is None:
        if now is None:
            return None
        require_aware(now)
        return now - first
    return last - first


def task_time(run: Run, now: datetime | None = None) -> timedelta | None:
    """Summed time of a run's tasks (parallel tasks count each): compare with :func:`wall_time`."""
    return sum_durations(task.elapsed(now) for task in run.tasks)


def total_across_attempts(attempts: Iterable[Run], now: datetime | None = None) -> timedelta | None:
    """Time spent over all attempts of one logical run: the sum of each attempt's elapsed time."""
    return sum_durations(run.elapsed(now) for run in attempts)
