"""A self-contained HTML report of run history: one file that opens offline, in any browser.

``runstate.report.html(runs)`` (and ``runstate report FILES -o report.html``) draws, with Plotly's
JavaScript inlined: per job, the success rate per logical run and the p95 duration over time; a
timeline of runs and their tasks coloured by canonical state, retries and in-place repairs hatched;
what is running now; the slowest and most retried jobs; attempts per reason. Its numbers are
:func:`runstate.summarize`'s (the page embeds that summary as JSON in ``#runstate-data``).
Plotly is the optional ``report`` extra, imported only when a report is made.
"""

from __future__ import annotations

import html as _html
import importlib
import json
from collections.abc import Iterable
from datetime import datetime
from types import ModuleType
from typing import Any, Final

from .._core.model import Run
from .._history.summarize import GroupSummary
from .._history.table import human_duration
from ._data import DEFAULT_JOBS, DEFAULT_TIMELINE, ReportData, build, clean, job_label

__all__ = ["html"]

_ACTIVE_ROWS: Final = 100
"""Active runs listed on the page (the longest running first); the count says how many there are."""


def _plotly() -> tuple[ModuleType, ModuleType]:
    """``plotly.io`` and ``plotly.offline``, or an ImportError that names the extra to install."""
    try:
        return importlib.import_module("plotly.io"), importlib.import_module("plotly.offline")
    except ImportError as exc:
        raise ImportError("plotly is needed for runstate.report: pip install 'runstate[report]'") from exc


def html(
    runs: Iterable[Run],
    *,
    now: datetime | None = None,
    title: str = "runstate report",
    timeline: int = DEFAULT_TIMELINE,
    jobs: int = DEFAULT_JOBS,
) -> str:
    """The report of ``runs`` as one HTML document (Plotly's JavaScript inlined: no network needed).

    ``now`` (aware; default the current time) measures the runs still active. The timeline draws
    the latest ``timeline`` logical runs by start and the charts over time the ``jobs`` jobs with the
    most logical runs; every count, rate and percentile is over all the runs (the page says what was
    left out). Raises :class:`runstate.InvalidRecordError` as :func:`runstate.summarize` does.
    """
    pio, offline = _plotly()
    from ._figures import figures  # imports plotly: only once it is known to be there

    data = build(runs, now=now, timeline=timeline, jobs=jobs)
    config = {"displaylogo": False, "responsive": True}
    charts = {
        name: pio.to_html(fig, include_plotlyjs=False, full_html=False, div_id=name, config=config)
        for name, fig in figures(data).items()
    }
    return _page(title, data, charts, offline.get_plotlyjs())


def _page(title: str, data: ReportData, charts: dict[str, str], plotly_js: str) -> str:
    def esc(text: str) -> str:
        return _html.escape(clean(text))

    sections = [
        f"<h1>{esc(title)}</h1>",
        f"<p class=note>{_overview(data)}</p>",
        "<h2>Jobs</h2>",
        _jobs_table(data),
        "<h2>Over time</h2>",
        f"<p class=note>{_series_note(data)}</p>",
        charts.get("success-over-time", ""),
        charts.get("p95-over-time", ""),
        "<h2>Running now</h2>",
        _active_table(data),
        "<h2>Timeline</h2>",
        f"<p class=note id=timeline-note>{_timeline_note(data)}</p>",
        charts.get("timeline", ""),
        "<h2>Slowest and most retried jobs</h2>",
        charts.get("slowest", "<p>No attempt has a total duration.</p>"),
        charts.get("most-retried", "<p>No logical run was retried.</p>"),
        "<h2>Reasons and triggers</h2>",
        charts.get("reasons", "<p>No attempt has a reason.</p>"),
        charts.get("triggers", "<p class=note id=triggers-note>Counts per trigger: the run model does "
                   "not record a run's trigger yet, so there is nothing to count.</p>"),
    ]  # fmt: skip
    payload = json.dumps(data.to_json(), separators=(",", ":")).replace("<", "\\u003c")
    return (
        "<!DOCTYPE html>\n<html lang=en>\n<head>\n<meta charset=utf-8>\n"
        f"<title>{esc(title)}</title>\n<style>{_STYLE}</style>\n"
        f"<script>{plotly_js}</script>\n</head>\n<body>\n"
        + "\n".join(sections)
        + f'\n<script type="application/json" id="runstate-data">{payload}</script>\n</body>\n</html>\n'
    )


_STYLE: Final = (
    "body{font-family:system-ui,sans-serif;margin:1.5em;color:#212121}"
    "table{border-collapse:collapse;font-size:.9em}td,th{padding:.2em .6em;border-bottom:1px solid #ddd}"
    "td.n{text-align:right}.note{color:#555}"
)


def _overview(data: ReportData) -> str:
    overall = data.summary.overall
    return (
        f"{overall.runs} attempts, {overall.logical_runs} logical runs, {len(data.summary.groups)} jobs; "
        f"active runs measured to {_html.escape(data.now.isoformat())}."
    )


def _series_note(data: ReportData) -> str:
    drawn, total = len(data.series), len(data.summary.groups)
    text = (
        f"One point per {data.bucket} (UTC) by each logical run's start, each the summary of that "
        f"{data.bucket}'s logical runs; {drawn} of {total} jobs drawn (the most logical runs)."
    )
    if data.untimed_logical_runs:
        text += f" {data.untimed_logical_runs} logical runs without any time are in no {data.bucket}."
    return text


def _timeline_note(data: ReportData) -> str:
    shown, total = data.timeline_shown, data.logical_total
    sampled = f"the latest {shown} of {total} logical runs by start" if shown < total else f"all {total}"
    return (
        f"Timeline: {sampled} (every run is counted in the other charts and tables). One row per "
        "logical run, its tasks below it; hatched bars are retries, cross-hatched grey bars the earlier "
        "in-place attempts of a repaired run; running bars reach the report's time."
    )


def _cell(value: Any, numeric: bool = False) -> str:
    text = _html.escape(clean(str(value)))
    return f"<td class=n>{text}</td>" if numeric else f"<td>{text}</td>"


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


def _jobs_table(data: ReportData) -> str:
    head = ("job", "attempts", "logical runs", "success (logical)", "retried", "p50", "p95", "active")
    rows = [_job_row(g) for g in data.summary.groups]
    return _table("jobs", head, rows)


def _job_row(group: GroupSummary) -> str:
    cells = [_cell(job_label(group.key))]
    total = group.total
    numbers = (group.runs, group.logical_runs, _percent(group.logical_success_rate), group.retried,
               human_duration(total.p50), human_duration(total.p95), len(group.active))  # fmt: skip
    cells += [_cell(v, True) for v in numbers]
    return "".join(cells)


def _active_table(data: ReportData) -> str:
    active = sorted(
        data.summary.overall.active, key=lambda a: -(a.elapsed.total_seconds() if a.elapsed else 0)
    )
    if not active:
        return "<p>Nothing is running.</p>"
    rows = [
        "".join([_cell(job_label((a.provider, a.namespace, a.job_id))), _cell(a.run_id), _cell(a.state.value),
                 _cell("-" if a.started_at is None else a.started_at.isoformat()),
                 _cell(human_duration(a.elapsed), True)])
        for a in active[:_ACTIVE_ROWS]
    ]  # fmt: skip
    more = (
        f"<p class=note>{len(active) - _ACTIVE_ROWS} more not listed.</p>"
        if len(active) > _ACTIVE_ROWS
        else ""
    )
    return _table("active", ("job", "run", "state", "started", "running for"), rows) + more


def _table(name: str, head: tuple[str, ...], rows: list[str]) -> str:
    header = "".join(f"<th>{h}</th>" for h in head)
    body = "".join(f"<tr>{row}</tr>" for row in rows)
    return f"<table id={name}><thead><tr>{header}</tr></thead><tbody>{body}</tbody></table>"
