"""runstate.report in a real browser: Debian's chromium, driven by Playwright (never a downloaded browser).

Outside CI a machine without chromium or Playwright skips these tests with a message saying how to
run them; ``.ci/run`` sets ``RUNSTATE_REQUIRE_BROWSER=1`` so that there their absence fails them.
Each test writes a screenshot to ``RUNSTATE_ARTIFACTS`` (a directory) when set, else to its tmp dir.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

import runstate
from runstate import State

from .test_report import EXAMPLES, NOW, example_runs, known_runs, repaired_run, run

ENABLE_HINT = (
    "browser tests need Debian's chromium and Playwright: `apt-get install chromium` and "
    "`pip install playwright` (no `playwright install`); set RUNSTATE_REQUIRE_BROWSER=1 to make "
    "their absence a failure"
)
CHROMIUM = os.environ.get("RUNSTATE_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHART_IDS = {"success-over-time", "p95-over-time", "timeline", "slowest", "most-retried", "reasons"}
"""The charts every report draws, by their element ids."""
CHARTS = "Array.from(document.querySelectorAll('.js-plotly-plot'))"
DRAWN = "'g.cartesianlayer g.point, g.cartesianlayer g.trace.scatter path.js-line'"
"""Bars and line points of the plot itself (a range slider draws a miniature copy of the bars)."""


def require_browser() -> Any:
    """Playwright's sync API, or a skip (a failure with RUNSTATE_REQUIRE_BROWSER=1)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pass
    else:
        if Path(CHROMIUM).exists():
            return sync_playwright
    if os.environ.get("RUNSTATE_REQUIRE_BROWSER") == "1":
        pytest.fail(f"RUNSTATE_REQUIRE_BROWSER=1 but chromium or Playwright is missing. {ENABLE_HINT}")
    pytest.skip(ENABLE_HINT)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    sync_playwright = require_browser()
    with sync_playwright() as playwright:
        # --no-sandbox: CI runs as root, where chromium refuses its sandbox
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield launched
        launched.close()


def artifacts(tmp_path: Path) -> Path:
    where = os.environ.get("RUNSTATE_ARTIFACTS")
    path = Path(where) if where else tmp_path
    path.mkdir(parents=True, exist_ok=True)
    return path


class Opened:
    """A report open in a page, with every console message and page error it produced."""

    def __init__(self, browser: Any, path: Path) -> None:
        self.page = browser.new_page(viewport={"width": 1400, "height": 1000})
        self.problems: list[str] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.problems.append(f"pageerror: {error}"))
        self.page.on("dialog", lambda dialog: self.problems.append(f"dialog: {dialog.message}"))
        self.page.on("request", self._request)
        self.page.goto(path.as_uri())
        self.page.wait_for_function(f"{CHARTS}.every(d => d._fullLayout !== undefined)")

    def _console(self, message: Any) -> None:
        if message.type in ("error", "warning"):
            self.problems.append(f"{message.type}: {message.text}")

    def _request(self, request: Any) -> None:
        if not request.url.startswith(("file:", "data:", "blob:", "about:")):
            self.problems.append(f"network: {request.url}")  # the page must open offline

    def charts(self) -> dict[str, dict[str, Any]]:
        """Per chart id: its traces' names and bar or point counts, and the points drawn as SVG."""
        found: dict[str, dict[str, Any]] = self.page.evaluate(
            f"Object.fromEntries({CHARTS}.map(d => [d.id, {{"
            "traces: d.data.map(t => [t.name, t.type, (t.x || []).length]),"
            "drawn: d.querySelectorAll(" + DRAWN + ").length}]))"
        )
        return found

    def data(self) -> dict[str, Any]:
        found: dict[str, Any] = self.page.evaluate(
            "JSON.parse(document.getElementById('runstate-data').textContent)"
        )
        return found


def write(path: Path, page: str) -> Path:
    path.write_text(page, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def known(browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Opened:
    """The known runs' report, opened once for the tests that read it (loading Plotly takes seconds)."""
    page = runstate.report.html(known_runs(), now=NOW)
    return Opened(browser, write(tmp_path_factory.mktemp("known") / "known.html", page))


def test_the_known_report_renders_every_chart_with_its_traces_and_bars(known: Opened, tmp_path: Path) -> None:
    opened = known
    charts = opened.charts()
    assert opened.problems == []
    assert set(charts) == CHART_IDS
    # the timeline: one trace per state present, bars = attempts (a retry is a bar of its own)
    assert charts["timeline"]["traces"] == [
        ["RUNNING", "bar", 1], ["SUCCEEDED", "bar", 3], ["FAILED", "bar", 1]
    ]  # fmt: skip
    assert charts["timeline"]["drawn"] == 5
    assert charts["success-over-time"]["traces"] == [
        ["glue · - · load", "scatter", 2],
        ["glue · - · report", "scatter", 2],
    ]
    assert charts["slowest"]["traces"] == [["p95 total per attempt (seconds)", "bar", 2]]
    assert charts["most-retried"]["traces"] == [["retried logical runs", "bar", 1]]
    assert charts["reasons"]["traces"] == [["Attempts per reason", "bar", 1]]
    opened.page.screenshot(path=str(artifacts(tmp_path) / "report-known.png"), full_page=True)


def test_hovering_a_bar_shows_its_ids_state_reason_message_and_durations(known: Opened) -> None:
    opened = known
    failed = opened.page.locator("#timeline g.trace.bars").nth(2).locator("g.point path").first
    failed.scroll_into_view_if_needed()
    box = failed.bounding_box()
    assert box is not None
    opened.page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)  # a real pointer
    hover = opened.page.locator("#timeline .hoverlayer .hovertext").first
    hover.wait_for()
    text = hover.text_content() or ""
    for expected in ("run jr_1", "state FAILED, reason USER_ERROR", "message: bad <input>", "total 5m00s"):
        assert expected in text
    assert opened.problems == []


def test_the_plotted_numbers_are_the_summary_numbers(known: Opened) -> None:
    runs = known_runs()
    opened = known
    data = opened.data()
    summary = runstate.summarize(runs, now=NOW)
    assert data["summary"] == summary.to_dict()
    plotted = opened.page.evaluate(
        "Object.fromEntries(['success-over-time', 'p95-over-time', 'slowest'].map("
        "id => [id, document.getElementById(id).data.map("
        "t => Array.from(t.type === 'bar' ? t.x : t.y))]))"
    )
    assert plotted["success-over-time"] == [s["logical_success_rate"] for s in data["series"]]
    assert plotted["p95-over-time"] == [s["p95_seconds"] for s in data["series"]]
    assert plotted["slowest"] == [[g.total.p95.total_seconds() for g in summary.slowest(10) if g.total.p95]]
    jobs = opened.page.locator("#jobs tbody tr").all_inner_texts()
    assert [row.split("\t")[:3] for row in jobs] == [
        ["glue · - · load", "3", "2"], ["glue · - · report", "2", "2"]
    ]  # fmt: skip


def test_repairs_and_retries_are_drawn_as_such(browser: Any, tmp_path: Path) -> None:
    page = runstate.report.html([*known_runs(), repaired_run()], now=NOW)
    opened = Opened(browser, write(tmp_path / "repair.html", page))
    patterns = opened.page.evaluate(
        "document.getElementById('timeline').data.map(t => [t.name, t.marker.pattern.shape])"
    )
    shapes = {name: sorted(shape) for name, shape in patterns}
    assert shapes["REPAIRED"] == ["x"]
    assert shapes["SUCCEEDED"] == ["", "", "", "", "/"]  # the retry hatched; runs and the task plain
    assert opened.problems == []


def test_the_cli_report_of_every_bundled_example_opens_without_errors(browser: Any, tmp_path: Path) -> None:
    out = tmp_path / "examples.html"
    files = [str(EXAMPLES.joinpath(f"{p}.jsonl")) for p in runstate.REGISTRY.names()]
    command = [sys.executable, "-m", "runstate", "report", "-p", "auto", *files, "-o", str(out),
               "--now", NOW.isoformat()]  # fmt: skip
    subprocess.run(command, capture_output=True, text=True, check=True)
    opened = Opened(browser, out)
    charts = opened.charts()
    assert opened.problems == []
    assert set(charts) == CHART_IDS
    assert all(chart["drawn"] > 0 for chart in charts.values())
    assert opened.data()["summary"] == runstate.summarize(example_runs(), now=NOW).to_dict()
    opened.page.screenshot(path=str(artifacts(tmp_path) / "report-examples.png"), full_page=True)


def test_hostile_record_text_is_shown_as_text(browser: Any, tmp_path: Path) -> None:
    text = '</script><script>alert(1)</script><!-- <a href="https://example.com/">x</a><br>"\'&\x00\u2028'
    runs = [run(text, State.FAILED, NOW - timedelta(hours=1), 5, job_id=text, namespace=text, message=text)]
    opened = Opened(browser, write(tmp_path / "hostile.html", runstate.report.html(runs, now=NOW)))
    assert opened.problems == []
    assert opened.page.evaluate("document.querySelectorAll('svg a').length") == 0  # no link drawn
    scripts = opened.page.evaluate("document.scripts.length")
    assert scripts == len(opened.charts()) + 2  # Plotly's, one per chart, the data: none injected
    rows = opened.page.evaluate(
        "Array.from(document.querySelectorAll('#timeline .ytick text')).map(t => t.textContent)"
    )
    assert len(rows) == 1 and rows[0].startswith("</script><script>al…")  # as text, clipped
