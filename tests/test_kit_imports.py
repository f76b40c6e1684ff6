"""Built-in providers are written like third-party ones: from runstate they import only the public kit.

Sibling provider modules (``from ._databricks_tables import ...``) are allowed: a provider may keep its
tables, or share them, in modules of its own. The package ``__init__`` is the registration glue, not a
provider, and is left out.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import runstate.provider_kit as kit

PROVIDERS_DIR = Path(kit.__file__).parent / "providers"
MODULES = sorted(p for p in PROVIDERS_DIR.glob("*.py") if p.name != "__init__.py")
ALLOWED = "runstate.provider_kit"


def runstate_imports(path: Path) -> list[str]:
    """Every runstate module ``path`` imports that is not the kit or a sibling provider module."""
    found: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name.split(".")[0] == "runstate" and a.name != ALLOWED]
        elif isinstance(node, ast.ImportFrom):
            if node.level == 1:
                continue  # a sibling in runstate/providers/
            if node.level > 1:
                found.append("." * node.level + (node.module or ""))
            elif (
                node.module is not None and node.module.split(".")[0] == "runstate" and node.module != ALLOWED
            ):
                found.append(node.module)
    return found


def test_every_builtin_provider_module_is_checked() -> None:
    names = {p.stem for p in MODULES}
    assert {"_databricks", "_databricks_system", "_glue", "_glue_events", "_cloud_deploy"} <= names


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_provider_imports_only_the_kit(path: Path) -> None:
    assert runstate_imports(path) == [], f"{path.name} reaches past runstate.provider_kit"


def test_the_check_sees_what_it_forbids(tmp_path: Path) -> None:
    bad = tmp_path / "_bad.py"
    bad.write_text(
        "import runstate._model\n"
        "from .._times import EPOCH\n"
        "from runstate import normalize\n"
        "from runstate.provider_kit import Run\n"
        "from ._glue import JOB_RUN_STATE\n"
    )
    assert runstate_imports(bad) == ["runstate._model", ".._times", "runstate"]


def test_kit_names_are_documented() -> None:
    """The kit's docstring names every name it exports, and nothing it does not export."""
    named = set(re.findall(r"(?<![:\w])`(\w+)`", kit.__doc__ or ""))
    assert set(kit.__all__) <= named
    deprecated = {"new_run", "new_durations"}  # importable, named as deprecated, not exported
    assert {name for name in named if hasattr(kit, name)} - deprecated == set(kit.__all__)
