"""The folders are the layers, and imports only go down them (docs/contributing.md draws the tree).

A built-in provider is written like a third-party one: from runstate it imports only the public
kit, plus modules of its own package. Nothing under the providers imports another provider, and
the SQL emitter, history, tables and exports reach a provider only through its ``ProviderSpec``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import runstate

PACKAGE = Path(runstate.__file__).parent
LAYERS: dict[str, int] = {
    "_core": 0,
    "_kit": 1, "provider_kit": 1,
    "_providers": 2,
    "_tables": 3, "_history": 3, "_export": 3, "sql": 3, "report": 3,
    "arrow": 3, "spark": 3, "otel": 3, "openlineage": 3, "cdevents": 3,
    "_cli": 4, "__init__": 4, "__main__": 4,
}  # fmt: skip
"""Each top-level module or folder of runstate, by layer: a module imports from its layer or below."""

MODULES = sorted(PACKAGE.rglob("*.py"))


def top(path: Path) -> str:
    """The top-level module or folder of runstate that ``path`` is in."""
    return path.relative_to(PACKAGE).parts[0].removesuffix(".py")


def imported(path: Path, source: str | None = None) -> list[tuple[str, str]]:
    """(top-level module or folder, dotted module) of every runstate import in ``path`` (or in
    ``source``, read as if it were at ``path``)."""
    package = path.relative_to(PACKAGE).parent.parts
    found: list[tuple[str, str]] = []
    text = path.read_text(encoding="utf-8") if source is None else source
    for node in ast.walk(ast.parse(text, str(path))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names = [node.module or ""]
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - (node.level - 1)] if node.level > 1 else package
            if node.level - 1 > len(package):
                raise AssertionError(f"{path}: relative import beyond the package")
            module = [*base, *(node.module.split(".") if node.module else [])]
            names = [".".join(["runstate", *module, a.name]) if not node.module and not base else
                     ".".join(["runstate", *module]) for a in node.names]  # fmt: skip
        for name in names:
            parts = name.split(".")
            if parts[0] == "runstate":
                found.append((parts[1] if len(parts) > 1 else "__init__", name))
    return found


def upward(path: Path, source: str | None = None) -> list[str]:
    """The imports of ``path`` that go up a layer, or into another provider's package."""
    here = top(path)
    bad = []
    for there, name in imported(path, source):
        if there not in LAYERS:
            bad.append(name)
        elif here == "_providers" and path.parent != PACKAGE / "_providers":
            own = ".".join(["runstate", *path.relative_to(PACKAGE).parent.parts])
            if there != "provider_kit" and not name.startswith(own):
                bad.append(name)
        elif LAYERS[there] > LAYERS[here]:
            bad.append(name)
    return bad


def test_every_module_is_in_a_layer() -> None:
    assert {top(p) for p in MODULES} <= set(LAYERS)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_go_down_the_layers(path: Path) -> None:
    assert upward(path) == [], f"{path.relative_to(PACKAGE)} imports above its layer"


def test_the_check_sees_what_it_forbids() -> None:
    beside_glue = PACKAGE / "_providers" / "glue" / "probe.py"
    source = (
        "import runstate._core.model\n"
        "from ..databricks import tables\n"
        "from runstate import normalize\n"
        "from runstate.provider_kit import Run\n"
        "from . import events\n"
    )
    assert upward(beside_glue, source) == [
        "runstate._core.model", "runstate._providers.databricks", "runstate",
    ]  # fmt: skip
    in_core = PACKAGE / "_core" / "probe.py"
    assert upward(in_core, "from .._kit.spec import ProviderSpec\nfrom .model import Run\n") == [
        "runstate._kit.spec"
    ]
