"""Times and durations of a Databricks run: start and end, queue, setup, execution, cleanup and total.

``created_at`` = ``started_at`` = ``start_time`` (epoch ms). A multitask run's parts are
NOT_APPLICABLE and its total ``run_duration`` (else end - start, by the kit's ``time_between``); a
single-task run's total is setup + execution + cleanup; a total that contradicts end - start is
reported, never clamped. :func:`run_durations` reads plain integers (the common case) from bounded
caches of their ``Durations`` (one shared object per value) and checks an ended run's total against
its wall time in whole milliseconds; every other case goes to :func:`read_durations`, which gives the
same and reports every problem (``test_databricks_durations`` proves them equal). The rules and their
sources: docs/decisions.md#databricks-durations.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Any, Final

from runstate.provider_kit import (
    EMPTY,
    EPOCH,
    MAX_DURATION,
    MIN_EPOCH_MS,
    TERMINAL_STATES,
    Context,
    Durations,
    Missing,
    State,
    check_order,
    duration_from_ms,
    make_durations,
    time_between,
    time_from_epoch_ms,
)

from .decision import STILL_WAITING
from .tasks import count_children

__all__ = [
    "NO_SHARED",
    "PARTS_ROUNDING",
    "ROUNDING",
    "Shared",
    "read_durations",
    "run_durations",
    "run_times",
]

Getter = Callable[[str], Any]
"""``record.get``: how the functions here read the run's fields."""

ROUNDING: Final = timedelta(seconds=1)
"""How far one reported duration may be off: Databricks rounds each to whole seconds."""
PARTS_ROUNDING: Final = 3 * ROUNDING
"""How far setup + execution + cleanup may be off: three parts, each rounded (:data:`ROUNDING`)."""
_PARTS_ROUNDING_MS: Final = PARTS_ROUNDING // timedelta(milliseconds=1)
_ROUNDING_MS: Final = ROUNDING // timedelta(milliseconds=1)
_SLACK: Final = timedelta(seconds=60)
"""Scheduling overhead that single-task parts do not measure (besides a tenth of the wall time)."""
_SLACK_MS: Final = _SLACK // timedelta(milliseconds=1)
_MAX_PART: Final = MAX_DURATION // timedelta(milliseconds=1)
"""Plain millisecond parts up to this are exact (longer is reported by ``duration_from_ms``)."""
_ZERO: Final = timedelta(0)
_PARTS: Final = ("queue", "setup", "execution", "cleanup", "total")
_PART_FIELDS: Final = ("setup", "execution", "cleanup")
_NA: Final = Missing.NOT_APPLICABLE

_FLOAT_EXACT_MS: Final = 4_102_444_800_000
"""2100-01-01 in epoch ms. Up to it ``ms / 1000`` as a float is within 0.5 us of the exact time, so
``datetime.fromtimestamp`` (faster than ``EPOCH + timedelta``) rounds it to the exact microsecond;
``test_databricks_durations`` checks it against ``time_from_epoch_ms``. Later times go to
the reader."""
_from_timestamp: Final = datetime.fromtimestamp
_UTC: Final = EPOCH.tzinfo
_NOT_REPORTED: Final = Missing.NOT_REPORTED  # an enum attribute costs ~0.15 us on 3.11: looked up once


class _SharedTimedeltas(dict[int, timedelta]):
    """Milliseconds to their ``timedelta``, shared: a timedelta is immutable, so one object per value
    is exact, and bulk history repeats its whole-second parts (and 0) endlessly. A hit is one dict
    lookup, cheaper than building a timedelta; bounded by :data:`_SHARED_LIMIT` (cleared when full)."""

    def __missing__(self, ms: int) -> timedelta:
        if len(self) >= _SHARED_LIMIT:
            self.clear()
        value = self[ms] = timedelta(0, 0, ms * 1000)
        return value


_SHARED_LIMIT: Final = 4096
_MS: Final = _SharedTimedeltas()
"""``_MS[ms]``: the shared timedelta of a plain in-range millisecond count."""

_MISSING_CACHE: dict[tuple[Missing | None, ...], Mapping[str, Missing]] = {}


def _missing(*why: Missing | None) -> Mapping[str, Missing]:
    """The ``missing`` map of (queue, setup, execution, cleanup, total) reasons, shared per combination."""
    found = _MISSING_CACHE.get(why)
    if found is None:
        found = MappingProxyType({p: w for p, w in zip(_PARTS, why, strict=True) if w is not None})
        _MISSING_CACHE[why] = found if found else EMPTY
    return found


_SINGLE_MISSING: Final = _missing(None, None, None, None, None)
_SINGLE_NO_QUEUE: Final = _missing(_NOT_REPORTED, None, None, None, None)
_MULTI_MISSING: Final = _missing(None, _NA, _NA, _NA, None)
_MULTI_NO_QUEUE: Final = _missing(_NOT_REPORTED, _NA, _NA, _NA, None)
"""The ``missing`` maps of an ended run with plain parts: single task or multitask, queue reported or not."""


Shared = tuple[int, datetime | None, int, datetime | None]
"""A run's plain ``start_time`` and ``end_time`` (epoch ms, ``-1`` if not plain) and their datetimes,
given to its tasks: a task starting or ending in the same millisecond shares the datetime object."""
NO_SHARED: Final[Shared] = (-1, None, -1, None)


def run_times(
    get: Getter, state: State, ctx: Context, path: str, shared: Shared = NO_SHARED
) -> tuple[datetime | None, datetime | None, Durations, Shared]:
    """``start_time``, ``end_time`` (epoch ms; 0 is "not set"), the run's durations, and what its tasks
    share (:data:`Shared`).

    Plain integers up to 2100 are converted here (or taken from the parent run's ``shared`` when equal),
    anything else by the kit's reader (which reports an odd value); an end before the start is
    reported, never swapped.
    """
    start, end = get("start_time"), get("end_time")
    if type(start) is int and MIN_EPOCH_MS <= start <= _FLOAT_EXACT_MS:
        started = shared[1] if start == shared[0] else _from_timestamp(start / 1000, _UTC)
    else:
        started, start = time_from_epoch_ms(start, ctx, path + ".start_time"), -1
    if type(end) is int and MIN_EPOCH_MS <= end <= _FLOAT_EXACT_MS:
        ended = shared[3] if end == shared[2] else _from_timestamp(end / 1000, _UTC)
    else:
        ended, end = time_from_epoch_ms(end, ctx, path + ".end_time"), -1
    if start >= 0 and end >= 0:  # both plain: the wall time in whole milliseconds
        if end < start and started is not None and ended is not None:
            check_order(started, ended, ctx, path + ".end_time")
        durations = run_durations(get, state, started, ended, ctx, path, end - start)
    else:
        if started is not None and ended is not None and ended < started:
            check_order(started, ended, ctx, path + ".end_time")
        durations = run_durations(get, state, started, ended, ctx, path)
    return started, ended, durations, (start, started, end, ended)


_Plain = tuple[Durations, int, bool, bool]
"""What plain milliseconds give, whatever the record: (its durations, the total in ms, multitask,
undecided). Undecided: parts all 0 without ``run_duration``, multitask only if the run has children."""
_PLAIN: dict[tuple[int | None, ...], _Plain] = {}
"""(queue, setup, execution, cleanup, run_duration) in plain ms to :data:`_Plain`, shared: a
``Durations`` is frozen, so one object per value is exact, and a run's tasks and a job's runs repeat
them. Bounded by :data:`_SHARED_LIMIT` (cleared when full); only plain, unreported readings are kept."""


def run_durations(
    get: Getter,
    state: State,
    started: datetime | None,
    ended: datetime | None,
    ctx: Context,
    path: str,
    wall_ms: int | None = None,
) -> Durations:
    """The run's durations. An ended run whose fields are plain in-range integers (no ``format``), the
    common case of bulk history, is read here from :data:`_PLAIN`; every other case by
    :func:`read_durations`, which gives the same result and reports for the plain case too (a
    property test proves it). ``wall_ms`` is end - start in milliseconds when both are plain."""
    queue_ms, setup, execution, cleanup, run_duration = (
        get("queue_duration"), get("setup_duration"), get("execution_duration"), get("cleanup_duration"),
        get("run_duration"),
    )  # fmt: skip
    if (  # ints (the ranges are checked once per key, by _plain), no format
        type(setup) is int and type(execution) is int and type(cleanup) is int
        and (queue_ms is None or type(queue_ms) is int)
        and (run_duration is None or type(run_duration) is int)
        and get("format") is None
    ):  # fmt: skip
        if ended is None and state not in TERMINAL_STATES:
            return _not_ended(get, state, (queue_ms, setup, execution, cleanup, run_duration), ctx, path)
        key = (queue_ms, setup, execution, cleanup, run_duration)
        plain = _PLAIN.get(key) or _plain(queue_ms, setup, execution, cleanup, run_duration)
        if plain is not None and not (plain[3] and count_children(get)):
            result, total_ms, multitask, _ = plain
            if wall_ms is not None:
                if wall_ms >= 0 and (  # the common case, nothing unexplained, is decided in ms here
                    total_ms - wall_ms > (_ROUNDING_MS if multitask else _PARTS_ROUNDING_MS)
                    or wall_ms - total_ms - (queue_ms or 0) > _ROUNDING_MS
                ):
                    check_total_ms(total_ms, wall_ms, queue_ms, multitask, get, ctx, path)
            elif started is not None and ended is not None:
                _check_total(_td(total_ms), ended - started, result.queue, multitask, get, ctx, path)
            return result
    measured = ended is not None or state in TERMINAL_STATES
    return read_durations(get, state, measured, started, ended, ctx, path)


_NOT_ENDED: dict[tuple[int | bool | None, ...], Durations] = {}
"""The ``Durations`` of runs that have not ended, by their plain in-range ms (queue, setup, execution,
cleanup, run_duration) and what else :func:`read_durations` decides them by (see :func:`_not_ended`):
shared, as :data:`_PLAIN`, and bounded by :data:`_SHARED_LIMIT`."""


def _not_ended(
    get: Getter, state: State, values: tuple[int | None, ...], ctx: Context, path: str
) -> Durations:
    """A run that has not ended, with plain ints: :func:`read_durations`' reading, shared per key.

    Not ended, that reading depends on nothing but the values, whether the state still waits (a
    queue of 0 is then NOT_ENDED) and, for parts all 0 without ``run_duration``, whether the run has
    two children (multitask); it reports nothing for values in range, the only ones kept.
    """
    setup, execution, cleanup, run_duration = values[1:]
    several = setup == execution == cleanup == 0 and run_duration is None and count_children(get) >= 2
    key = (*values, state in STILL_WAITING, several)
    found = _NOT_ENDED.get(key)
    if found is None:
        found = read_durations(get, state, False, None, None, ctx, path)
        if all(value is None or 0 <= value <= _MAX_PART for value in values):
            if len(_NOT_ENDED) >= _SHARED_LIMIT:
                _NOT_ENDED.clear()
            _NOT_ENDED[key] = found
    return found


def check_total_ms(
    total: int, wall: int, queue: int | None, multitask: bool, get: Getter, ctx: Context, path: str
) -> None:
    """:func:`_check_total` in whole milliseconds (plain times and durations): the same verdicts, each
    reported by :func:`_check_total` itself (a property test proves them equal). The slack
    ``max(60 s, wall / 10)`` is exact in ms: a tenth of a whole number of ms is a whole number of us."""
    if wall < 0:
        return  # reported by check_order
    if total - wall <= (_ROUNDING_MS if multitask else _PARTS_ROUNDING_MS):
        gap = wall - total if queue is None else wall - total - queue
        if gap <= _ROUNDING_MS:
            return  # the common case: nothing unexplained
        history = get("repair_history")
        if type(history) is list and len(history) > 1:
            return  # a repaired run's total leaves out the time between its repairs
        if not multitask and gap * 10 <= max(_SLACK_MS * 10, wall):
            return  # within the slack: gap <= max(60 s, wall / 10), times ten
    _check_total(_td(total), _td(wall), None if queue is None else _td(queue), multitask, get, ctx, path)


def _td(ms: int) -> timedelta:
    return timedelta(0, 0, ms * 1000)


def _plain(
    queue_ms: int | None, setup: int, execution: int, cleanup: int, run_duration: int | None
) -> _Plain | None:
    """The :data:`_Plain` reading of plain ints (cached), or ``None`` if a value is out of range or the
    parts exceed ``run_duration`` (:func:`read_durations` then reads and reports them)."""
    key = (queue_ms, setup, execution, cleanup, run_duration)
    if not all(value is None or 0 <= value <= _MAX_PART for value in key):
        return None
    queue = None if queue_ms is None else _MS[queue_ms]
    zero = setup == execution == cleanup == 0
    if zero and run_duration is not None:  # multitask: the parts are placeholders
        missing = _MULTI_NO_QUEUE if queue is None else _MULTI_MISSING
        plain = (
            make_durations(queue, None, None, None, _MS[run_duration], missing),
            run_duration,
            True,
            False,
        )
    else:  # single task: total = setup + execution + cleanup; run_duration is only checked
        total = setup + execution + cleanup
        if run_duration is not None and total - run_duration > _PARTS_ROUNDING_MS:
            return None
        missing = _SINGLE_NO_QUEUE if queue is None else _SINGLE_MISSING
        parts = (_MS[setup], _MS[execution], _MS[cleanup])
        plain = (make_durations(queue, *parts, _MS[total], missing), total, False, zero)
    if len(_PLAIN) >= _SHARED_LIMIT:
        _PLAIN.clear()
    _PLAIN[key] = plain
    return plain


_EXCEED: Final = "parts exceed the total"


def read_durations(
    get: Getter,
    state: State,
    measured: bool,
    started: datetime | None,
    ended: datetime | None,
    ctx: Context,
    path: str,
) -> Durations:
    """Every case: odd values reported, multitask placeholders, a run that has not ended."""
    queue, queue_missing = _queue(get("queue_duration"), state, measured, ctx, path)
    parts = (get("setup_duration"), get("execution_duration"), get("cleanup_duration"))
    zero_parts = all(p is None or (type(p) is int and p == 0) for p in parts)
    if _multitask(get, zero_parts, measured):
        if not measured:
            return make_durations(
                queue, None, None, None, None, _missing(queue_missing, _NA, _NA, _NA, Missing.NOT_ENDED)
            )
        run_duration = get("run_duration")
        if run_duration is not None:
            total = duration_from_ms(run_duration, ctx, path + ".run_duration")
        else:  # an older record: the wall time is the total
            total = _wall_total(started, ended, ctx, path)
        if total is not None and started is not None and ended is not None:
            _check_total(total, ended - started, queue, True, get, ctx, path)
        missing_total = None if total is not None else _NOT_REPORTED
        return make_durations(
            queue, None, None, None, total, _missing(queue_missing, _NA, _NA, _NA, missing_total)
        )
    return _single_task(get, parts, queue, queue_missing, measured, started, ended, ctx, path)


def _queue(
    raw: object, state: State, measured: bool, ctx: Context, path: str
) -> tuple[timedelta | None, Missing | None]:
    """The queue time and why it is missing: NOT_ENDED for a run still waiting without one."""
    if (raw is None or (type(raw) is int and raw == 0)) and not measured and state in STILL_WAITING:
        return None, Missing.NOT_ENDED
    queue = duration_from_ms(raw, ctx, path + ".queue_duration")
    return queue, None if queue is not None else _NOT_REPORTED


def _multitask(get: Getter, zero_parts: bool, measured: bool) -> bool:
    """Whether the run's setup/execution/cleanup are the multitask placeholders (see the module)."""
    fmt = get("format")
    if fmt is not None:
        return fmt == "MULTI_TASK" or (zero_parts and get("run_duration") is not None)
    if not zero_parts:
        return False
    if get("run_duration") is not None:
        return True
    children = count_children(get)
    return children >= 2 or (children == 1 and measured)


def _single_task(
    get: Getter,
    parts: tuple[Any, Any, Any],
    queue: timedelta | None,
    queue_missing: Missing | None,
    measured: bool,
    started: datetime | None,
    ended: datetime | None,
    ctx: Context,
    path: str,
) -> Durations:
    """Setup, execution and cleanup measured; total their sum, else ``run_duration``, else the wall time."""
    values: list[timedelta | None] = []
    whys: list[Missing | None] = []
    for raw, name in zip(parts, _PART_FIELDS, strict=True):
        if not measured and (raw is None or (type(raw) is int and raw == 0)):
            values.append(None)
            whys.append(Missing.NOT_ENDED)
            continue
        value = duration_from_ms(raw, ctx, f"{path}.{name}_duration")
        values.append(value)
        whys.append(None if value is not None else _NOT_REPORTED)
    setup, execution, cleanup = values
    if not measured:
        return make_durations(
            queue, setup, execution, cleanup, None, _missing(queue_missing, *whys, Missing.NOT_ENDED)
        )
    total = _single_task_total(get, values, started, ended, ctx, path)
    if total is not None and started is not None and ended is not None:
        _check_total(total, ended - started, queue, False, get, ctx, path)
    missing_total = None if total is not None else _NOT_REPORTED
    return make_durations(
        queue, setup, execution, cleanup, total, _missing(queue_missing, *whys, missing_total)
    )


def _single_task_total(
    get: Getter,
    values: list[timedelta | None],
    started: datetime | None,
    ended: datetime | None,
    ctx: Context,
    path: str,
) -> timedelta | None:
    """The parts' sum (``run_duration`` only checked against it), else ``run_duration``, else end - start."""
    run_duration = get("run_duration")
    reported = (
        duration_from_ms(run_duration, ctx, path + ".run_duration") if run_duration is not None else None
    )
    measured_parts = [value for value in values if value is not None]
    if len(measured_parts) == len(values):
        parts_total = sum(measured_parts, _ZERO)
        if reported is not None and parts_total - reported > PARTS_ROUNDING:
            ctx.report("inconsistent", path + ".run_duration", f"{parts_total} > {reported}", _EXCEED)
        return parts_total
    if reported is not None:
        return reported
    return _wall_total(started, ended, ctx, path)


def _wall_total(
    started: datetime | None, ended: datetime | None, ctx: Context, path: str
) -> timedelta | None:
    """end - start as the total, if both are known, by the kit's one rule (``time_between``): over
    :data:`MAX_DURATION` either way (a sentinel time such as 9999-12-31, ``end_time`` 253402300799000)
    it is reported and left missing. A shorter negative one is kept, its order already reported by
    :func:`run_times`, as a negative duration field is."""
    if started is not None and ended is not None and _ZERO > ended - started >= -MAX_DURATION:
        return ended - started
    return time_between(started, ended, ctx, path + ".end_time")


def _check_total(
    total: timedelta,
    wall: timedelta,
    queue: timedelta | None,
    multitask: bool,
    get: Getter,
    ctx: Context,
    path: str,
) -> None:
    """Report a total above end - start, or (unless repaired) below it by more than the queue and a slack."""
    if wall < _ZERO:
        return  # reported by check_order
    field = path + (".run_duration" if multitask else ".end_time")
    if total - wall > (ROUNDING if multitask else PARTS_ROUNDING):
        ctx.report("inconsistent", field, f"{total} > {wall}", "total exceeds end_time - start_time")
        return
    gap = wall - total if queue is None else wall - total - queue
    if gap <= ROUNDING:
        return  # the common case: nothing unexplained
    history = get("repair_history")
    if type(history) is list and len(history) > 1:
        return  # a repaired run's total leaves out the time between its repairs
    if gap > (ROUNDING if multitask else max(_SLACK, wall / 10)):
        ctx.report("inconsistent", field, f"{total} < {wall}", "total is well below end_time - start_time")
