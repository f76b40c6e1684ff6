"""The report's Plotly figures, from :class:`runstate.report._data.ReportData` (imported only by
:mod:`runstate.report`, after Plotly is known to be installed)."""

from __future__ import annotations

import html
from datetime import UTC, datetime
from typing import Any, Final

import plotly.graph_objects as go

from .._core.vocabulary import State
from .._history.summarize import GroupSummary
from ._data import Bar, ReportData, job_label, labels

__all__ = ["STATE_COLORS", "figures"]

STATE_COLORS: Final = {
    State.SUCCEEDED: "#2e7d32",
    State.FAILED: "#c62828",
    State.TIMED_OUT: "#ef6c00",
    State.CANCELED: "#757575",
    State.SKIPPED: "#bdbdbd",
    State.RUNNING: "#1565c0",
    State.TERMINATING: "#64b5f6",
    State.QUEUED: "#f9a825",
    State.PENDING: "#fbc02d",
    State.BLOCKED: "#8d6e63",
    State.WAITING_FOR_RETRY: "#ab47bc",
    State.UNKNOWN: "#212121",
}
"""Outcomes in green, red, orange and greys; active states in blues; waiting states in warm tones."""
REPAIRED_COLOR: Final = "#90a4ae"
PATTERNS: Final = {"run": "", "retry": "/", "task": "", "repaired": "x"}
"""Retries are hatched, earlier in-place attempts of a repaired run cross-hatched."""
_ZOOMS: Final = [
    {"count": 1, "label": "1h", "step": "hour", "stepmode": "backward"},
    {"count": 1, "label": "1d", "step": "day", "stepmode": "backward"},
    {"count": 7, "label": "7d", "step": "day", "stepmode": "backward"},
    {"step": "all", "label": "all"},
]
"""Zoom buttons of the timeline (back from its latest time); the slider below it pans."""
_LAYOUT: Final[dict[str, Any]] = {"margin": {"l": 10, "r": 10, "t": 40, "b": 10}, "template": "plotly_white"}


def figures(data: ReportData) -> dict[str, go.Figure]:
    """Every chart of the page by its element id (charts without data are left out)."""
    found = {
        "success-over-time": _over_time(data, "logical_success_rate", "Success rate per logical run", "%"),
        "p95-over-time": _over_time(data, "p95_seconds", "p95 duration per attempt (seconds)", ""),
        "timeline": _timeline(data),
        "slowest": _ranked(data.summary.slowest(10), "p95 total per attempt (seconds)", _p95),
        "most-retried": _ranked(data.summary.most_retried(10), "retried logical runs", _retried),
        "reasons": _counts(data.summary.overall.by_reason, "Attempts per reason"),
    }
    if data.triggers is not None:
        found["triggers"] = _counts(data.triggers, "Runs per trigger")
    return {name: fig for name, fig in found.items() if fig is not None}


def _over_time(data: ReportData, field: str, title: str, unit: str) -> go.Figure | None:
    if not data.series or not data.bucket_starts:
        return None
    fig = go.Figure(layout={**_LAYOUT, "title": f"{title}, by {data.bucket}"})
    x = [b.isoformat() for b in data.bucket_starts]
    for series in data.series:
        y = list(getattr(series, field))
        fig.add_trace(go.Scatter(x=x, y=y, mode="lines+markers", name=_text(series.label), connectgaps=False))
    if unit == "%":
        fig.update_yaxes(tickformat=".0%", range=[0, 1.05])
    fig.update_layout(height=360, legend={"orientation": "h", "y": -0.2})
    return fig


def _timeline(data: ReportData) -> go.Figure | None:
    if not data.bars:
        return None
    fig = go.Figure(layout={**_LAYOUT, "title": "Timeline of runs and tasks, by canonical state"})
    by_state: dict[str, list[Bar]] = {}
    for bar in data.bars:
        by_state.setdefault("REPAIRED" if bar.kind == "repaired" else bar.state.value, []).append(bar)
    for name in [*(s.value for s in State), "REPAIRED"]:
        bars = by_state.get(name)
        if bars:
            fig.add_trace(_bar_trace(name, bars))
    rows = [_text(row) for row in data.timeline_rows]
    fig.update_yaxes(type="category", categoryorder="array", categoryarray=rows, autorange="reversed")
    fig.update_xaxes(
        type="date", rangeselector={"buttons": _ZOOMS}, rangeslider={"visible": True, "thickness": 0.04}
    )
    fig.update_layout(
        barmode="overlay",
        margin={"l": 10, "r": 10, "t": 80, "b": 10},
        height=min(200 + 18 * len(rows), 20_000),
        hoverlabel={"align": "left"},
    )
    return fig


def _bar_trace(name: str, bars: list[Bar]) -> go.Bar:
    color = REPAIRED_COLOR if name == "REPAIRED" else STATE_COLORS[State(name)]
    return go.Bar(
        name=name,
        orientation="h",
        y=[_text(b.row) for b in bars],
        base=[_iso(b.start) for b in bars],
        x=[(b.end - b.start).total_seconds() * 1000 for b in bars],
        width=[0.5 if b.kind == "task" else 0.8 for b in bars],
        marker={"color": color, "pattern": {"shape": [PATTERNS[b.kind] for b in bars]}},
        hovertext=[html.escape(b.hover).replace("\n", "<br>") for b in bars],
        hoverinfo="text",
    )


def _text(label: str) -> str:
    """A label as Plotly text: Plotly reads ``<a href>``, ``<br>``, ``<b>`` in labels as markup, so
    record text is escaped (Plotly shows ``&lt;`` as ``<``)."""
    return html.escape(label, quote=False)


def _iso(at: datetime) -> str:
    """A UTC time as Plotly reads dates: four-digit year (strftime's ``%Y`` gives ``1`` for year 1,
    which Plotly places in 1970), no offset."""
    return at.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")


def _p95(group: GroupSummary) -> float:
    return 0.0 if group.total.p95 is None else group.total.p95.total_seconds()


def _retried(group: GroupSummary) -> float:
    return float(group.retried)


def _ranked(groups: tuple[GroupSummary, ...], title: str, value: Any) -> go.Figure | None:
    if not groups:
        return None
    names = [_text(label) for label in labels([job_label(g.key) for g in groups])]
    fig = go.Figure(go.Bar(x=[value(g) for g in groups], y=names, orientation="h", name=title),
                    layout={**_LAYOUT, "title": title})  # fmt: skip
    fig.update_yaxes(type="category", autorange="reversed")
    fig.update_layout(height=120 + 28 * len(groups))
    return fig


def _counts(counts: dict[str, int], title: str) -> go.Figure | None:
    if not counts:
        return None
    fig = go.Figure(
        go.Bar(x=list(counts), y=list(counts.values()), name=title), layout={**_LAYOUT, "title": title}
    )
    fig.update_layout(height=320)
    return fig
