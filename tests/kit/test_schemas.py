"""Generated files in ``schemas/`` are what the code would write today (no drift)."""

from __future__ import annotations

import importlib.util
import json
from types import ModuleType

import jsonschema
import pytest

from ..paths import ROOT

ROOT = ROOT


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "generate_schemas", ROOT / "scripts" / "generate_schemas.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


GENERATED: dict[str, str] = _generator().generated()


@pytest.mark.parametrize("name", sorted(GENERATED))
def test_committed_file_is_current(name: str) -> None:
    committed = (ROOT / "schemas" / name).read_text(encoding="utf-8")
    assert committed == GENERATED[name], f"schemas/{name} is stale: run python scripts/generate_schemas.py"


def test_run_schema_is_draft_2020_12() -> None:
    schema = json.loads(GENERATED["run.schema.json"])
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)


def test_provider_tables_cover_every_provider() -> None:
    import runstate

    assert sorted(json.loads(GENERATED["providers.json"])) == list(runstate.providers())


def test_every_row_of_every_table_carries_its_evidence() -> None:
    """Each mapping decision cites its source as data, exported for readers and tools."""
    providers = json.loads(GENERATED["providers.json"])
    rows = 0
    import runstate

    for name in runstate.providers():
        for table, entries in providers[name]["tables"].items():
            for word, row in entries.items():
                evidence = row["evidence"]
                assert isinstance(evidence, str) and evidence.strip(), f"{name} {table} {word}: no evidence"
                assert "http" in evidence or "sdk" in evidence.lower() or "botocore" in evidence, evidence
                rows += 1
    assert rows > 80, rows
