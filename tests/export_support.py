"""What the export tests share: every fixture run, and the specs copied into tests/specs/."""

from __future__ import annotations

import json
import warnings
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jsonschema

import runstate
from runstate import Run, RunstateWarning

HERE = Path(__file__).parent
FIXTURES = HERE / "fixtures"
SPECS = HERE / "specs"
EXAMPLES = HERE.parent / "src" / "runstate" / "examples"


def _load(provider: str, path: Path) -> list[Run]:
    if path.suffix == ".jsonl":
        records: list[Any] = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    else:
        records = [json.loads(path.read_text())]
    with warnings.catch_warnings():  # some fixtures are odd on purpose (STATE_UNSPECIFIED)
        warnings.simplefilter("ignore", RunstateWarning)
        return list(runstate.normalize_many(provider, records))


def fixture_runs() -> list[tuple[str, Run]]:
    """Every run of every fixture (tests/fixtures/**) and bundled example, with where it came from."""
    found: list[tuple[str, Run]] = []
    for path in sorted(FIXTURES.glob("*/*.json")):
        found += [
            (f"{path.parent.name}/{path.stem}#{i}", r) for i, r in enumerate(_load(path.parent.name, path))
        ]
    for path in sorted(EXAMPLES.glob("*.jsonl")):
        found += [(f"examples/{path.stem}#{i}", r) for i, r in enumerate(_load(path.stem, path))]
    return found


RUNS = fixture_runs()
IDS = [name for name, _ in RUNS]
ONLY_RUNS = [run for _, run in RUNS]


def fixture(provider: str, name: str) -> Run:
    """The first run of one fixture file."""
    return _load(provider, FIXTURES / provider / f"{name}.json")[0]


def _date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    return "T" in value and datetime.fromisoformat(value).tzinfo is not None


def _uri(value: object) -> bool:
    return not isinstance(value, str) or bool(urlsplit(value).scheme)


FORMATS = jsonschema.FormatChecker()
"""The draft 2020-12 formats, with date-time (RFC 3339, aware) and uri (absolute) checked without the
optional packages jsonschema would otherwise need for them."""
FORMATS.checks("date-time", raises=ValueError)(_date_time)
FORMATS.checks("uri")(_uri)
