"""Regenerate docs/images/report-examples.png: the HTML report of every provider's bundled example,
as Debian's chromium shows it (Playwright drives it; no browser is downloaded).

Usage::

    python scripts/report_screenshot.py [--chromium /usr/bin/chromium] [--html report.html]

The report is made as ``runstate report -p auto EXAMPLES... --now 2026-11-01T00:00:00Z`` makes it
(the time docs/dashboard.md measures active runs to), so the picture matches the guide's numbers.
"""

from __future__ import annotations

import argparse
import tempfile
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

import runstate
import runstate.report

ROOT = Path(__file__).resolve().parent.parent
IMAGE = ROOT / "docs" / "images" / "report-examples.png"
NOW = datetime(2026, 11, 1, tzinfo=UTC)


def example_runs() -> list[runstate.Run]:
    """Every registered provider's bundled example, normalized without the records."""
    runs: list[runstate.Run] = []
    examples = resources.files("runstate").joinpath("examples")
    for provider in runstate.REGISTRY.names():
        lines = examples.joinpath(f"{provider}.jsonl").read_text(encoding="utf-8").splitlines()
        runs += runstate.normalize_lines(provider, lines, keep_raw=False)
    return runs


def screenshot(page_path: Path, image: Path, chromium: str) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(page_path.as_uri())
        page.wait_for_function(
            "Array.from(document.querySelectorAll('.js-plotly-plot')).every(d => d._fullLayout)"
        )
        page.screenshot(path=str(image), full_page=True)
        browser.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chromium", default="/usr/bin/chromium", help="the chromium executable")
    parser.add_argument("--html", type=Path, help="also keep the report here")
    args = parser.parse_args()
    text = runstate.report.html(example_runs(), now=NOW, title="runstate report: the bundled examples")
    with tempfile.TemporaryDirectory() as tmp:
        page_path = args.html or Path(tmp) / "report.html"
        page_path.write_text(text, encoding="utf-8")
        IMAGE.parent.mkdir(parents=True, exist_ok=True)
        screenshot(page_path.resolve(), IMAGE, args.chromium)
    print(f"wrote {IMAGE.relative_to(ROOT)} ({IMAGE.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
