"""Write the generated files of ``schemas/`` from the code: run schema, graph, provider tables.

Usage: ``python scripts/generate_schemas.py [--check]``; ``--check`` exits 1 if a file would change.
"""

from __future__ import annotations

import sys
from pathlib import Path

import runstate
from runstate._kit.registry import ProviderRegistry
from runstate._kit.schema import provider_tables, run_schema, schema_text
from runstate._providers import register_builtin_providers

SCHEMAS = Path(__file__).resolve().parent.parent / "schemas"


def builtin_registry() -> ProviderRegistry:
    """The built-in providers only: an installed plugin must not leak into the shipped tables."""
    registry = ProviderRegistry()
    register_builtin_providers(registry)
    return registry


def generated() -> dict[str, str]:
    """File name to the text it should hold."""
    return {
        "run.schema.json": schema_text(run_schema()),
        "graph.json": runstate.GRAPH.to_json_text(),
        "providers.json": schema_text(provider_tables(builtin_registry())),
    }


def main(argv: list[str]) -> int:
    check = "--check" in argv
    stale = []
    for name, text in generated().items():
        path = SCHEMAS / name
        if path.exists() and path.read_text(encoding="utf-8") == text:
            continue
        stale.append(name)
        if not check:
            path.write_text(text, encoding="utf-8")
    if check and stale:
        print(f"stale: {', '.join(stale)}; run python scripts/generate_schemas.py", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
