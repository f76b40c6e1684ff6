"""What the HTML report draws, computed without any plotting library.

Every number comes from :func:`runstate.summarize` (the whole input, and each time bucket's logical
runs), so the page agrees with ``runstate summary``; the timeline is built from
:func:`runstate.logical_runs`. Nothing here imports Plotly: the figures are made in
``runstate.report._figures`` from these values.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Final, Literal

import attrs

from .._core.model import Run
from .._core.vocabulary import State
from .._export.run_facts import require_aware
from .._history.logical import LogicalRun, logical_runs
from .._history.summarize import GroupSummary, Summary, summarize
from .._history.table import human_duration

__all__ = ["Bar", "ReportData", "Series", "build", "clean", "labels", "trigger_counts"]

HOURLY_SPAN: Final = timedelta(days=3)
"""Data spanning at most this long is bucketed by hour (at most 72 points per job), else by day."""
DEFAULT_TIMELINE: Final = 500
"""Logical runs drawn on the timeline by default: the latest by start (every run is counted elsewhere)."""
DEFAULT_JOBS: Final = 12
"""Jobs drawn over time by default: those with the most logical runs (all are in the table)."""

LABEL_SIZE: Final = 80
"""Characters of a chart label (a row, a job): a longer record id would squeeze the plot to nothing."""
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_MAX_MS: Final = (datetime.max.replace(tzinfo=UTC) - _EPOCH) // timedelta(milliseconds=1)
"""Epoch milliseconds of the last millisecond a datetime holds (year 9999)."""
_SURROGATE: Final = re.compile("[\ud800-\udfff]")

BarKind = Literal["run", "retry", "repaired", "task"]


@attrs.frozen
class Bar:
    """One bar of the timeline: an attempt, an earlier in-place attempt of a repaired run, or a task."""

    row: str
    start: datetime
    end: datetime
    state: State
    kind: BarKind
    hover: str


@attrs.frozen
class Series:
    """Per time bucket, one job's numbers from the summary of the bucket's logical runs."""

    key: tuple[str | None, ...]
    label: str
    logical_success_rate: tuple[float | None, ...]
    p95_seconds: tuple[float | None, ...]


@attrs.frozen
class ReportData:
    """Everything the page shows, as plain values."""

    now: datetime
    summary: Summary
    bucket: Literal["hour", "day"]
    bucket_starts: tuple[datetime, ...]
    bucket_summaries: tuple[Summary, ...]
    series: tuple[Series, ...]
    untimed_logical_runs: int
    """Logical runs without any time: counted in the summary, in no bucket and not on the timeline."""
    bars: tuple[Bar, ...]
    timeline_rows: tuple[str, ...]
    timeline_shown: int
    logical_total: int
    triggers: dict[str, int] | None

    def to_json(self) -> dict[str, Any]:
        """The page's embedded data: the summary exactly as ``summarize(...).to_dict()`` gives it."""
        return {
            "now": self.now.isoformat(),
            "summary": self.summary.to_dict(),
            "bucket": self.bucket,
            "bucket_starts": [b.isoformat() for b in self.bucket_starts],
            "buckets": [_bucket_json(s) for s in self.bucket_summaries],
            "series": [
                {
                    "key": list(s.key),
                    "label": s.label,
                    "logical_success_rate": list(s.logical_success_rate),
                    "p95_seconds": list(s.p95_seconds),
                }
                for s in self.series
            ],
            "untimed_logical_runs": self.untimed_logical_runs,
            "timeline": {
                "logical_runs": self.logical_total,
                "shown": self.timeline_shown,
                "bars": len(self.bars),
            },
            "triggers": self.triggers,
        }


def _bucket_json(summary: Summary) -> list[dict[str, Any]]:
    """What the charts over time read of one bucket's summary, per group (the full summary of each
    bucket would make the page grow with buckets times jobs)."""
    return [
        {
            "key": list(g.key),
            "logical_runs": g.logical_runs,
            "logical_success_rate": g.logical_success_rate,
            "p95": g.total.to_dict()["p95"],
        }
        for g in summary.groups
    ]


def trigger_counts(runs: Sequence[Run]) -> dict[str, int] | None:
    """Runs per trigger (schedule, manual, event...): ``None`` while the run model has no trigger field.

    The hook for a trigger chart: when :class:`runstate.Run` gains one, count it here and the page
    draws it (``None`` shows a note instead).
    """
    del runs
    return None


def build(
    runs: Iterable[Run],
    *,
    now: datetime | None = None,
    timeline: int = DEFAULT_TIMELINE,
    jobs: int = DEFAULT_JOBS,
) -> ReportData:
    """The report's values; ``now`` (aware, default the current time) measures the active runs."""
    items = list(runs)
    now = datetime.now(UTC) if now is None else now
    summary = summarize(items, now=now)  # checks every run (aware times) before anything else
    for item in items:  # and their tasks, which the timeline draws
        require_aware(item)
    logicals = sorted(logical_runs(items), key=_start_order)
    timed = [(start, lr) for lr in logicals if (start := logical_start(lr)) is not None]
    bucket = _bucket_size(timed)
    starts, per_bucket = _bucketed(timed, bucket)
    summaries = tuple(summarize([a for lr in group for a in lr.attempts], now=now) for group in per_bucket)
    shown = [lr for _, lr in timed[-timeline:]] if timeline > 0 else []
    names = labels([_row_label(lr) for lr in shown], _row_qualifier(shown))
    rows = {lr.key: name for lr, name in zip(shown, names, strict=True)}
    bars = tuple(bar for lr in shown for bar in _bars(lr, rows[lr.key], now))
    return ReportData(
        now=now,
        summary=summary,
        bucket=bucket,
        bucket_starts=starts,
        bucket_summaries=summaries,
        series=_series(summary, summaries, jobs),
        untimed_logical_runs=len(logicals) - len(timed),
        bars=bars,
        timeline_rows=tuple(dict.fromkeys(bar.row for bar in bars)),
        timeline_shown=len(shown),
        logical_total=len(logicals),
        triggers=trigger_counts(items),
    )


def logical_start(logical: LogicalRun) -> datetime | None:
    """When a logical run began: its first start, else its first attempt's creation."""
    return logical.first_started_at or min(
        (a.created_at for a in logical.attempts if a.created_at is not None), default=None
    )


def _start_order(logical: LogicalRun) -> tuple[bool, datetime, tuple[str, ...]]:
    start = logical_start(logical)
    namespace, provider, root = logical.key
    return (start is not None, start or datetime.min.replace(tzinfo=UTC), (namespace or "", provider, root))


def _bucket_size(timed: Sequence[tuple[datetime, LogicalRun]]) -> Literal["hour", "day"]:
    if not timed or timed[-1][0] - timed[0][0] <= HOURLY_SPAN:
        return "hour"
    return "day"


def bucket_of(at: datetime, bucket: Literal["hour", "day"]) -> datetime:
    """The start (UTC) of the hour or day ``at`` falls in."""
    at = at.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    return at.replace(hour=0) if bucket == "day" else at


def _bucketed(
    timed: Sequence[tuple[datetime, LogicalRun]], bucket: Literal["hour", "day"]
) -> tuple[tuple[datetime, ...], list[list[LogicalRun]]]:
    """The buckets that hold a logical run, in time order, and their logical runs (empty buckets are
    left out: history spread over years stays as large as its busy days)."""
    groups: dict[datetime, list[LogicalRun]] = {}
    for start, logical in timed:
        groups.setdefault(bucket_of(start, bucket), []).append(logical)
    starts = tuple(sorted(groups))
    return starts, [groups[s] for s in starts]


def job_label(key: Sequence[str | None]) -> str:
    """A group key as one line: ``provider · namespace · job``."""
    return " · ".join(part or "-" for part in key)


def clean(text: str) -> str:
    """``text`` with each lone surrogate (a JSON ``"\\ud800"`` decodes to one) as U+FFFD: UTF-8,
    and so the page, cannot hold them."""
    return _SURROGATE.sub("\ufffd", text)


def labels(texts: Sequence[str], qualifiers: Sequence[str] | None = None) -> list[str]:
    """``texts`` as chart labels: clean, clipped to :data:`LABEL_SIZE`, and all different (Plotly
    draws equal category labels as one row). A label shared by several texts gets its qualifier
    (``(provider · namespace)``), then ``#2``, ``#3``... until it is unique."""
    clipped = [_middle(clean(t), LABEL_SIZE) for t in texts]
    shared = Counter(clipped)
    result: list[str] = []
    used: set[str] = set()
    for index, label in enumerate(clipped):
        if shared[label] > 1 and qualifiers is not None:
            label = f"{label} ({clean(qualifiers[index])})"
        unique, count = label, 1
        while unique in used:
            count += 1
            unique = f"{label} #{count}"
        used.add(unique)
        result.append(unique)
    return result


def _series(summary: Summary, buckets: Sequence[Summary], jobs: int) -> tuple[Series, ...]:
    busiest = sorted(summary.groups, key=lambda g: -g.logical_runs)[: max(jobs, 0)]
    names = labels([job_label(g.key) for g in busiest])
    result = []
    for group, name in zip(busiest, names, strict=True):
        found = [_group(s, group.key) for s in buckets]
        result.append(
            Series(
                group.key,
                name,
                tuple(None if g is None else g.logical_success_rate for g in found),
                tuple(
                    None if g is None or g.total.p95 is None else g.total.p95.total_seconds() for g in found
                ),
            )
        )
    return tuple(result)


def _group(summary: Summary, key: tuple[str | None, ...]) -> GroupSummary | None:
    return next((g for g in summary.groups if g.key == key), None)


# --- the timeline ---------------------------------------------------------------------------------


def _row_label(logical: LogicalRun) -> str:
    """A logical run's row: its job and root run id (each clipped, so that both show)."""
    job, half = logical.latest.job_id or logical.latest.name or "-", (LABEL_SIZE - 3) // 2
    return f"{_middle(job, half)} · {_middle(logical.key[2], half)}"


def _row_qualifier(shown: Sequence[LogicalRun]) -> list[str]:
    """What tells apart runs with the same job and root id: their provider and namespace."""
    return [f"{lr.key[1]} · {lr.key[0] or '-'}" for lr in shown]


def _bars(logical: LogicalRun, row: str, now: datetime) -> Iterator[Bar]:
    count = len(logical.attempts)
    for index, attempt in enumerate(logical.attempts):
        kind: BarKind = "retry" if index or attempt.attempt else "run"
        note = f"attempt {index + 1} of {count} (provider attempt {attempt.attempt})"
        yield from _attempt_bars(attempt, row, kind, note, now)
        for task in attempt.tasks:
            task_row = f"{row} / {_middle(clean(_task_name(task)), LABEL_SIZE)}"
            yield from _attempt_bars(task, task_row, "task", f"task of {attempt.run_id}", now)


def _task_name(task: Run) -> str:
    key = task.details.get("task_key")
    return key if isinstance(key, str) and key else task.name or task.run_id


def _attempt_bars(run: Run, row: str, kind: BarKind, note: str, now: datetime) -> Iterator[Bar]:
    start = run.started_at or run.created_at
    if start is None:
        return
    end = run.ended_at or (now if not run.is_terminal else start)
    repairs = _repair_spans(run)
    if len(repairs) > 1:  # repaired in place: each earlier in-place attempt is a bar of its own
        for i, (r_start, r_end) in enumerate(repairs[:-1]):
            text = f"in-place attempt {i + 1} of {len(repairs)}, repaired afterwards"
            yield Bar(row, r_start, r_end, run.state, "repaired", _hover(run, f"{note}; {text}", now))
        start = repairs[-1][0]
        note += f"; repair {len(repairs) - 1} (in place)"
    yield Bar(row, start, max(end, start), run.state, kind, _hover(run, note, now))


def _repair_spans(run: Run) -> list[tuple[datetime, datetime]]:
    """(start, end) of each entry of ``details["repair_history"]`` (epoch milliseconds) that has both."""
    history = run.details.get("repair_history")
    if not isinstance(history, list):
        return []
    spans = []
    for entry in history:
        if isinstance(entry, dict):
            start, end = entry.get("start_time"), entry.get("end_time")
            if type(start) is int and type(end) is int and 0 < start <= end <= _MAX_MS:
                spans.append((_from_ms(start), _from_ms(end)))
    return spans


def _from_ms(value: int) -> datetime:
    return _EPOCH + timedelta(milliseconds=value)


def _hover(run: Run, note: str, now: datetime) -> str:
    """The hover text of a bar: ids, state, reason, message and durations (plain text, one per line)."""
    d = run.durations
    lines = [
        f"{run.provider} {run.namespace or ''} job {run.job_id or '-'}",
        f"run {run.run_id}" + (f" (original {run.original_run_id})" if run.original_run_id else ""),
        f"state {run.state.value}" + (f", reason {run.reason.value}" if run.reason else ""),
        note,
        (
            f"total {human_duration(d.total)}, queue {human_duration(d.queue)}, "
            f"execution {human_duration(d.execution)}, elapsed {human_duration(run.elapsed(now))}"
        ),
    ]
    if run.message:
        lines.append(f"message: {_clip(run.message)}")
    return clean("\n".join(lines))


def _middle(text: str, size: int) -> str:
    """``text`` in at most ``size`` characters, its middle left out: ids differ at either end."""
    return text if len(text) <= size else text[: size // 2] + "…" + text[len(text) - (size - 1 - size // 2) :]


def _clip(text: str, size: int = 200) -> str:
    return text if len(text) <= size else text[: size - 1] + "…"
