"""How fast runstate normalizes run history, as ratios to ``json.loads`` of the same records.

Usage::

    python benchmarks/bench.py [--records 100000] [--rounds 5] [--json results.json] [--stream 1000000]

For each provider it generates realistic records (seeded variations of the bundled examples),
then measures in one process with interleaved rounds, reporting medians:

* ``normalize/json.loads``: per-record cost of ``runstate.normalize(provider, dict)`` over the cost of
  ``json.loads(line)`` of the same record (the goal is at most 0.6);
* ``end-to-end/json.loads``: ``normalize(provider, json.loads(line))`` over ``json.loads(line)``;
* memory per canonical run, without and with ``raw`` (tracemalloc, retained bytes per run);
* with ``--stream N``: peak memory of ``normalize_many`` over N generated Databricks records,
  against the peak over N/10, to show it does not grow with the count.
"""

from __future__ import annotations

import argparse
import copy
import gc
import json
import platform
import random
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from importlib import resources
from typing import Any

import runstate

PROVIDERS = ("databricks", "glue", "cloud_deploy")
ID_KEYS = {"run_id", "Id", "uid", "original_attempt_run_id"}
EPOCH_MS_KEYS = {"start_time", "end_time"}
EPOCH_S_KEYS = {"StartedOn", "CompletedOn", "LastModifiedOn"}
ISO_KEYS = {"createTime", "startTime", "endTime"}


def templates(provider: str) -> list[dict[str, Any]]:
    """The bundled example records of a provider."""
    text = resources.files("runstate").joinpath("examples", f"{provider}.jsonl").read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def _shift_iso(text: str, offset: timedelta) -> str:
    moved = datetime.fromisoformat(text) + offset
    return moved.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "123Z")


def _vary(value: Any, rng: random.Random, offset: int) -> Any:
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if key in ID_KEYS and isinstance(item, int):
                out[key] = item + rng.randrange(1, 10**9)
            elif key in ID_KEYS and isinstance(item, str):
                out[key] = f"{item[:-8]}{rng.randrange(16**8):08x}"
            elif key in EPOCH_MS_KEYS and isinstance(item, int) and item > 0:
                out[key] = item + offset * 1000
            elif key in EPOCH_S_KEYS and isinstance(item, int | float):
                out[key] = item + offset
            elif key in ISO_KEYS and isinstance(item, str):
                out[key] = _shift_iso(item, timedelta(seconds=offset))
            else:
                out[key] = _vary(item, rng, offset)
        return out
    if isinstance(value, list):
        return [_vary(v, rng, offset) for v in value]
    return value


def generate(provider: str, count: int, seed: int = 20261123) -> Iterator[dict[str, Any]]:
    """``count`` realistic records: the examples with new ids and times shifted by up to a year."""
    rng = random.Random(seed)
    base = templates(provider)
    for _ in range(count):
        yield _vary(copy.deepcopy(rng.choice(base)), rng, rng.randrange(-365 * 86400, 0))


def _timed(fn: Callable[[], object]) -> float:
    """Wall time of one call, with the garbage collector off (as timeit does) to cut noise."""
    gc.collect()
    gc.disable()
    try:
        start = time.perf_counter()
        fn()
        return time.perf_counter() - start
    finally:
        gc.enable()


def measure_speed(provider: str, records: int, rounds: int) -> dict[str, float]:
    lines = [json.dumps(r) for r in generate(provider, records)]
    dicts = [json.loads(line) for line in lines]
    normalize, loads = runstate.normalize, json.loads
    with_warnings_as_errors = runstate.RunstateWarning
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error", with_warnings_as_errors)  # the generated records must be clean
        for d in dicts[:1000]:
            normalize(provider, d)
    parse_t, norm_t, e2e_t = [], [], []
    for _ in range(rounds):  # interleaved, so drift in machine speed hits every pipeline alike
        parse_t.append(_timed(lambda: [loads(line) for line in lines]))
        norm_t.append(_timed(lambda: [normalize(provider, d) for d in dicts]))
        e2e_t.append(_timed(lambda: [normalize(provider, loads(line)) for line in lines]))
    parse, norm, e2e = (statistics.median(t) / records for t in (parse_t, norm_t, e2e_t))
    return {
        "json_loads_us": parse * 1e6,
        "normalize_us": norm * 1e6,
        "end_to_end_us": e2e * 1e6,
        "normalize_ratio": norm / parse,
        "end_to_end_ratio": e2e / parse,
        "record_bytes": statistics.mean(len(line) for line in lines[:1000]),
    }


def measure_memory(provider: str, count: int = 5000) -> dict[str, float]:
    lines = [json.dumps(r) for r in generate(provider, count, seed=7)]
    results = {}
    for keep_raw in (False, True):
        gc.collect()
        tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0]
        runs = [runstate.normalize(provider, json.loads(line), keep_raw=keep_raw) for line in lines]
        gc.collect()
        after = tracemalloc.get_traced_memory()[0]
        tracemalloc.stop()
        results["bytes_per_run_with_raw" if keep_raw else "bytes_per_run_without_raw"] = (
            after - before
        ) / len(runs)
        del runs
    return results


def measure_stream(count: int) -> dict[str, float]:
    """Peak traced memory of normalize_many over count and count/10 records (keep_raw=False)."""
    peaks = {}
    for n in (count // 10, count):
        gc.collect()
        tracemalloc.start()
        consumed = 0
        for _ in runstate.normalize_many("databricks", generate("databricks", n, seed=3), keep_raw=False):
            consumed += 1
        peaks[n] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert consumed == n
    small, large = count // 10, count
    return {"records": large, "peak_bytes": peaks[large], "peak_bytes_at_tenth": peaks[small]}


def machine() -> dict[str, str]:
    import attrs
    import cattrs

    return {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "machine": platform.machine(),
        "system": platform.system(),
        "runstate": runstate.__dict__.get("__version__", "0.1.0"),
        "attrs": attrs.__version__,
        "cattrs": getattr(cattrs, "__version__", "?"),
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    parser.add_argument(
        "--stream", type=int, default=0, metavar="N", help="check normalize_many over N records"
    )
    parser.add_argument("--providers", nargs="*", default=list(PROVIDERS))
    args = parser.parse_args(argv)

    results: dict[str, Any] = {
        "machine": machine(),
        "records": args.records,
        "rounds": args.rounds,
        "providers": {},
    }
    for provider in args.providers:
        results["providers"][provider] = {
            **measure_speed(provider, args.records, args.rounds),
            **measure_memory(provider),
        }
    if args.stream:
        results["stream"] = measure_stream(args.stream)

    print(
        f"runstate benchmark: {args.records} records per provider, median of {args.rounds} interleaved rounds"
    )
    print(f"Python {results['machine']['python']} on {results['machine']['machine']}")
    print()
    print(
        "| provider | record bytes | json.loads us | normalize us | normalize / json.loads "
        "| end to end / json.loads | bytes/run (no raw) | bytes/run (raw) |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for provider, r in results["providers"].items():
        print(
            f"| {provider} | {r['record_bytes']:.0f} | {r['json_loads_us']:.2f} | {r['normalize_us']:.2f} | "
            f"{r['normalize_ratio']:.2f} | {r['end_to_end_ratio']:.2f} | "
            f"{r['bytes_per_run_without_raw']:.0f} | {r['bytes_per_run_with_raw']:.0f} |"
        )
    if args.stream:
        s = results["stream"]
        print()
        print(
            f"normalize_many over {s['records']} Databricks records: peak {s['peak_bytes'] / 1e6:.1f} MB "
            f"(over {s['records'] // 10}: {s['peak_bytes_at_tenth'] / 1e6:.1f} MB)"
        )
    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump(results, out, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
