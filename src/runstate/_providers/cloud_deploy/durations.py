"""A Cloud Deploy JobRun's times and the two durations they give.

``created_at``/``started_at``/``ended_at`` are ``createTime``/``startTime``/``endTime`` (RFC 3339 with
up to nine fraction digits, truncated to microseconds, never rounded). ``queue = startTime -
createTime`` and ``total = endTime - startTime``: NOT_ENDED before the end, NOT_REPORTED without a
start; Cloud Deploy measures no setup, execution or cleanup (not applicable, not zero). A start
before the creation or an end before the start is reported and kept, never clamped; a span over 100
years (a sentinel time such as ``9999-12-31T23:59:59Z``) is reported and left missing, by the kit's
one rule. Both spans are the decision's (:mod:`.decision`), evaluated here, so the SQL and the
reader share them; the reports are :func:`runstate.provider_kit.report_span`'s.

Why: docs/decisions.md, "Google Cloud Deploy" (``#cloud-deploy``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Final

from runstate.provider_kit import (
    EPOCH,
    TERMINAL_STATES,
    Context,
    Durations,
    Missing,
    check_order,
    compile_span,
    make_durations,
    report_span,
    time_from_value,
)

from .decision import QUEUE, TOTAL
from .tables import JOB_RUN_STATE

__all__ = ["TimesAndDurations", "durations", "read_times"]

TimesAndDurations = tuple[datetime | None, datetime | None, datetime | None, Durations]
"""``createTime``, ``startTime`` and ``endTime`` as aware UTC datetimes (``None``: absent), and the
run's durations."""

_fromiso: Final = datetime.fromisoformat
_UTC: Final = EPOCH.tzinfo


def read_times(created: object, started: object, ended: object, word: str, ctx: Context) -> TimesAndDurations:
    """``createTime``, ``startTime``, ``endTime`` and the durations they give. Three RFC 3339 texts in
    UTC (``...Z``, what the REST API writes) are parsed here with the very call ``time_from_value``
    makes first, giving its result; anything else (an absent time, another offset, odd text, an SDK
    datetime) goes to the reader, which reports what it cannot read."""
    if type(created) is str and type(started) is str and type(ended) is str and created and started and ended:
        try:
            c, s, e = _fromiso(created), _fromiso(started), _fromiso(ended)
        except ValueError:  # the reader tries the other forms, and reports
            pass
        else:
            if c.tzinfo is _UTC and s.tzinfo is _UTC and e.tzinfo is _UTC:
                return c, s, e, durations(c, s, e, word, ctx)
    create = None if created is None else time_from_value(created, ctx, "$.createTime")  # absent: common
    start = None if started is None else time_from_value(started, ctx, "$.startTime")
    end = None if ended is None else time_from_value(ended, ctx, "$.endTime")
    return create, start, end, durations(create, start, end, word, ctx)


_NOT_APPLICABLE: Final = {
    "setup": Missing.NOT_APPLICABLE,
    "execution": Missing.NOT_APPLICABLE,
    "cleanup": Missing.NOT_APPLICABLE,
}
"""Cloud Deploy measures no setup, execution or cleanup of a JobRun: not applicable, not zero."""
_ENDED: Final = MappingProxyType(_NOT_APPLICABLE)
_NOT_ENDED: Final = MappingProxyType({**_NOT_APPLICABLE, "total": Missing.NOT_ENDED})
_NO_TOTAL: Final = MappingProxyType({**_NOT_APPLICABLE, "total": Missing.NOT_REPORTED})
_NO_QUEUE: Final = {
    id(m): MappingProxyType({**m, "queue": Missing.NOT_REPORTED}) for m in (_ENDED, _NOT_ENDED, _NO_TOTAL)
}
_QUEUE: Final = compile_span(QUEUE, "createTime", "startTime")
_TOTAL: Final = compile_span(TOTAL, "startTime", "endTime")
_ZERO: Final = timedelta(0)
_NOT_STARTED: Final = make_durations(None, None, None, None, None, _NO_QUEUE[id(_NO_TOTAL)])
_TERMINAL_WORDS: Final = frozenset(w for w, o in JOB_RUN_STATE.items() if o.state in TERMINAL_STATES)


def durations(
    created: datetime | None, started: datetime | None, ended: datetime | None, word: str, ctx: Context
) -> Durations:
    """queue and total as the decision declares them (:data:`.decision.QUEUE`, :data:`.decision.TOTAL`);
    the order of the times is checked, never clamped, and a span over 100 years (a sentinel time such
    as 9999-12-31) is reported and left missing."""
    queue, total = _QUEUE(created, started), _TOTAL(started, ended)
    if queue is not None and total is not None and queue >= _ZERO <= total:  # the common case
        return make_durations(queue, None, None, None, total, _ENDED)
    if started is None:
        if ended is not None and created is not None and ended < created:
            check_order(created, ended, ctx, "$.endTime")
        return _NOT_STARTED
    if total is None or total < _ZERO:  # a sentinel time, or ends before it starts: reported
        report_span(started, ended, ctx, "$.endTime")
    if queue is None or queue < _ZERO:
        report_span(created, started, ctx, "$.startTime")
    missing = _missing(total, ended, word)
    return make_durations(
        queue, None, None, None, total, missing if queue is not None else _NO_QUEUE[id(missing)]
    )


def _missing(total: timedelta | None, ended: datetime | None, word: str) -> Mapping[str, Missing]:
    """Why the parts are missing: ended, not ended, or not reported (a terminal run without an end, or
    a total out of range)."""
    if total is not None:
        return _ENDED
    return _NO_TOTAL if ended is not None or word in _TERMINAL_WORDS else _NOT_ENDED
