"""Where the tests find the repository, its fixtures and its scripts, and the records they hold."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
FIXTURES = TESTS / "fixtures"


def example_records(provider: str) -> list[Any]:
    """The provider's bundled example file (``runstate/examples/<provider>.jsonl``), one value a line."""
    text = resources.files("runstate.examples").joinpath(f"{provider}.jsonl").read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def fixture_records(provider: str, *, skip: tuple[str, ...] = ()) -> list[Any]:
    """The provider's fixture documents (``tests/fixtures/<provider>/*.json``, by name, but ``skip``)."""
    paths = sorted(p for p in (FIXTURES / provider).glob("*.json") if p.stem not in skip)
    return [json.loads(p.read_text(encoding="utf-8")) for p in paths]
