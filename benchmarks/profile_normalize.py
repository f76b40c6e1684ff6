"""Where normalize spends its time, per provider: the shares behind the ratios of ``bench.py``.

Usage::

    python benchmarks/profile_normalize.py [--records 20000] [--providers databricks glue cloud_deploy]

Runs ``normalize(provider, dict)`` under cProfile over generated records and sorts each function's
own time (``tottime``) into categories: building the objects, reading times, reading durations,
field reads and checks, table lookups, the warnings machinery, and the provider's own code.
cProfile adds a fixed cost per call, so shares of many small calls are overstated: read them as
"where to look", and confirm a change with ``bench.py``.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import sys
from collections import defaultdict
from typing import Any

from bench import PROVIDERS, generate

import runstate

CATEGORIES: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "object construction",
        ("_core/model.py", "_core/constructors.py", "_core/details.py", "mappingproxy", "__new__", "attrs"),
    ),
    (
        "time parsing",
        ("_core/times.py", "fromtimestamp", "fromisoformat", "astimezone", "isoparse", "dateutil"),
    ),
    ("duration reading", ("_core/durations.py", "timedelta")),
    (
        "field reads and checks",
        ("_core/fields.py", "method 'get' of", "isinstance", "built-in method builtins.len"),
    ),
    ("table lookups", ("_kit/spec.py", "map_word", "/tables.py", "/state_table.py")),
    ("warnings machinery", ("_core/context.py", "_core/errors.py", "warnings", "warn")),
    ("registry dispatch", ("_kit/registry.py", "runstate/__init__.py")),
)


def categorize(filename: str, name: str) -> str:
    where = f"{filename} {name}"
    for category, needles in CATEGORIES:
        if any(needle in where for needle in needles):
            return category
    if "/_providers/" in filename:
        return "provider code (mapping, details, tasks)"
    return "other built-ins"


def profile(provider: str, records: int) -> dict[str, float]:
    dicts = [json.loads(json.dumps(r)) for r in generate(provider, records)]
    normalize = runstate.normalize
    profiler = cProfile.Profile()
    profiler.enable()
    for record in dicts:
        normalize(provider, record)
    profiler.disable()
    stats: Any = getattr(pstats.Stats(profiler), "stats")  # noqa: B009  (untyped in typeshed)
    shares: dict[str, float] = defaultdict(float)
    for (filename, _line, name), (_cc, _nc, tottime, _ct, _callers) in stats.items():
        shares[categorize(filename, name)] += tottime
    total = sum(shares.values())
    return {category: seconds / total for category, seconds in sorted(shares.items(), key=lambda i: -i[1])}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--providers", nargs="*", default=list(PROVIDERS))
    args = parser.parse_args(argv)
    results = {p: profile(p, args.records) for p in args.providers}
    categories = sorted(
        {c for r in results.values() for c in r}, key=lambda c: -max(r.get(c, 0) for r in results.values())
    )
    print(f"Share of normalize's own time (cProfile tottime) over {args.records} generated records:")
    print()
    print("| category | " + " | ".join(results) + " |")
    print("| --- |" + " ---: |" * len(results))
    for category in categories:
        print(f"| {category} | " + " | ".join(f"{r.get(category, 0):.0%}" for r in results.values()) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
