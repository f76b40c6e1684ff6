"""How long ``runstate.report.html`` takes, and how large its file is, at 10,000 and 100,000 runs.

Usage::

    python benchmarks/bench_report.py [--runs 10000 100000] [--rounds 1]

The runs are the generated records of ``bench.py`` (the bundled examples with new ids and times
spread over a year), a third from each of Databricks, Glue and Cloud Deploy, normalized once
without their records. Timed: ``summarize`` alone (what the page's numbers cost) and the whole
report (summaries per day, the timeline, the figures and the page); size: the HTML in bytes, and
the part that is Plotly's JavaScript.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from typing import TypeVar

from bench import generate, machine

import runstate
import runstate.report

PROVIDERS = ("databricks", "glue", "cloud_deploy")
NOW = datetime(2026, 11, 1, tzinfo=UTC)
T = TypeVar("T")


def runs_of(count: int) -> list[runstate.Run]:
    """``count`` runs (top-level: a Databricks run's tasks ride along), a third per provider."""
    runs: list[runstate.Run] = []
    for i, provider in enumerate(PROVIDERS):
        share = count // len(PROVIDERS) + (i < count % len(PROVIDERS))
        runs += runstate.normalize_many(provider, generate(provider, share), keep_raw=False)
    return runs


def timed(action: Callable[[], T], rounds: int) -> tuple[float, T]:
    """The median wall time of ``action()`` over ``rounds`` runs, and its last result."""
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        result = action()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    print(machine())
    from plotly.offline import get_plotlyjs

    js = len(get_plotlyjs().encode())
    print(
        "| runs | logical runs | summarize s | report s | HTML bytes | of which plotly.js | timeline bars |"
    )
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for count in args.runs:
        runs = runs_of(count)
        summarize_s, summary = timed(partial(runstate.summarize, runs, now=NOW), args.rounds)
        report_s, page = timed(partial(runstate.report.html, runs, now=NOW), args.rounds)
        cells = (f"{count:,}", f"{summary.overall.logical_runs:,}", f"{summarize_s:.2f}", f"{report_s:.2f}",
                 f"{len(page.encode()):,}", f"{js:,}", f"{_bars(page):,}")  # fmt: skip
        print("| " + " | ".join(cells) + " |")
    return 0


def _bars(page: str) -> int:
    """The timeline's bar count, from the page's embedded data."""
    found = re.search(r'id="runstate-data">(.*?)</script>', page, re.DOTALL)
    return int(json.loads(found[1])["timeline"]["bars"]) if found else 0


if __name__ == "__main__":
    raise SystemExit(main())
