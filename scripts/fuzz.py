"""Fuzz every provider with mutated fixture records, strict and lenient, and print the figures.

Each case takes a fixture record, puts one hostile value (wrong types, huge ints, NaN, years 0 /
9999 / 10000, NUL, lone surrogates, 10 MB strings, 10,000-deep nesting, raising mappings) at one
path, and normalizes it in both modes. It counts exceptions outside the documented ones, mutated
inputs, and ``to_dict`` outputs that do not encode as UTF-8 JSON or (for JSON input) do not
validate against ``schemas/run.schema.json``. An over-deep value may only end in
``InvalidRecordError``. Exit status 1 if any count is not zero.

Usage: ``python scripts/fuzz.py [--records N] [--providers a,b] [--seed S] [--no-validate]``
(``--records`` per provider; the issue's figure is 200000). CI runs a short version via the tests.
"""

from __future__ import annotations

import argparse
import copy
import json
import math
import random
import sys
import time
import warnings
from collections import Counter
from collections.abc import Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

import jsonschema  # noqa: E402

import runstate  # noqa: E402
from runstate import InvalidRecordError, RunstateError, RunstateWarning  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures"
SCHEMA = json.loads((ROOT / "schemas" / "run.schema.json").read_text())
PROVIDERS = ("databricks", "glue", "cloud_deploy", "databricks_system", "glue_events")


class Raising(Mapping[str, Any]):
    """A mapping whose every method raises: a hostile third-party record object."""

    def __getitem__(self, key: str) -> Any:
        raise RuntimeError("hostile __getitem__")

    def __iter__(self) -> Iterator[str]:
        raise RuntimeError("hostile __iter__")

    def __len__(self) -> int:
        raise RuntimeError("hostile __len__")


def _deep(depth: int) -> Any:
    value: Any = []
    for _ in range(depth):
        value = [value]
    return value


BIG = "x" * 10_000_000
JSON_HOSTILE: list[Any] = [
    None, "", 0, -1, True, 10**30, -(10**30), 2**63, 1.5e308, "1772359200", [], {}, [[{"a": [1]}]],
    "0000-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "10000-01-01T00:00:00Z", "2016-12-31T23:59:60Z",
    "a\x00b", "\ud800", "\udc80x", "NOT_A_REAL_ENUM_VALUE", "2026-02-30T25:61:00Z", -1_772_359_200_000,
    BIG, _deep(10_000), _deep(150), {"nested": {"deeper": [None]}},
]  # fmt: skip
PYTHON_HOSTILE: list[Any] = [math.nan, math.inf, -math.inf, Raising(), object(), b"\xff\xfe", {1: 2}, (1, 2)]


def _records(provider: str) -> list[Any]:
    return [json.loads(p.read_text()) for p in sorted((FIXTURES / provider).glob("*.json"))]


def _paths(value: Any, prefix: tuple[Any, ...] = (), depth: int = 0) -> Iterator[tuple[Any, ...]]:
    if depth > 6:
        return
    items = (
        value.items() if isinstance(value, dict) else enumerate(value[:3]) if isinstance(value, list) else ()
    )
    for key, item in items:
        yield (*prefix, key)
        yield from _paths(item, (*prefix, key), depth + 1)


def _replace(record: Any, path: tuple[Any, ...], value: Any) -> Any:
    result = copy.deepcopy(record)  # the fixture only; the hostile value goes in as it is
    target = result
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return result


def _check_output(run: runstate.Run, json_input: bool, validator: Any, figures: Counter[str]) -> None:
    try:
        data = runstate.to_dict(run)
    except InvalidRecordError:
        figures["to_dict refused with InvalidRecordError (documented)"] += 1
        return
    except Exception as exc:  # noqa: BLE001 - the fuzzer counts whatever to_dict raises
        figures[f"PROBLEM to_dict raised {type(exc).__name__}"] += 1
        return
    try:
        json.dumps(data, ensure_ascii=False, allow_nan=False).encode("utf-8")
    except (ValueError, TypeError, UnicodeEncodeError) as exc:
        figures[f"PROBLEM to_dict not encodable: {type(exc).__name__}"] += 1
        return
    if json_input and validator is not None and not validator.is_valid(data):
        figures["PROBLEM to_dict not schema-valid"] += 1


def _one(
    provider: str, record: Any, value: Any, json_input: bool, validator: Any, figures: Counter[str]
) -> None:
    # the hostile value itself is not copied (a 10,000-deep one cannot be): compared by identity
    before = copy.deepcopy(record, {id(value): value}) if json_input else None
    for strict in (False, True):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RunstateWarning)
                run = runstate.normalize(provider, record, strict=strict)
        except RunstateError:
            figures["documented error"] += 1
            continue
        except Exception as exc:  # what a hostile object raises is wrapped by the registry  # noqa: BLE001
            figures[f"PROBLEM undocumented {type(exc).__name__}: {str(exc)[:60]}"] += 1
            continue
        figures["run"] += 1
        _check_output(run, json_input, validator, figures)
    if before is not None and record != before:
        figures["PROBLEM mutated input"] += 1


def fuzz(provider: str, count: int, seed: int, validate: bool = True) -> dict[str, int]:
    """``count`` mutated records of one provider, each in both modes; the figures by outcome."""
    rng = random.Random(seed)
    validator = jsonschema.Draft202012Validator(SCHEMA) if validate else None
    cases = [(r, p) for r in _records(provider) for p in _paths(r)]
    hostile = [(v, True) for v in JSON_HOSTILE] + [(v, False) for v in PYTHON_HOSTILE]
    figures: Counter[str] = Counter()
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 1000))
    exhaustive = len(cases) * len(hostile)  # first every value at every path, then random pairs
    for index in range(count):
        if index < exhaustive:
            value, json_input = hostile[index % len(hostile)]
            record, path = cases[index // len(hostile)]
        else:
            value, json_input = rng.choice(hostile)
            record, path = rng.choice(cases)
        _one(provider, _replace(record, path, value), value, json_input, validator, figures)
        figures["records"] += 1
    return dict(figures)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=200_000, help="mutated records per provider")
    parser.add_argument("--providers", default=",".join(PROVIDERS))
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--no-validate", action="store_true", help="skip schema validation (faster)")
    parser.add_argument("--jobs", type=int, default=1, help="processes (one provider each)")
    args = parser.parse_args(argv)
    providers = args.providers.split(",")
    start = time.monotonic()
    with ProcessPoolExecutor(args.jobs) as pool:
        futures = {p: pool.submit(fuzz, p, args.records, args.seed, not args.no_validate) for p in providers}
        results = {p: f.result() for p, f in futures.items()}
    problems = sum(n for figures in results.values() for k, n in figures.items() if k.startswith("PROBLEM"))
    report = {"providers": results, "problems": problems, "seconds": round(time.monotonic() - start, 1)}
    print(json.dumps(report, indent=2, sort_keys=True))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
