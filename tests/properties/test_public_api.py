"""The public surface: ``runstate.__all__`` is the API, every name imports, and nothing leaks."""

from __future__ import annotations

import importlib
import re
import subprocess
import sys
from typing import Any

import pytest

import runstate
import runstate.provider_kit
from runstate import provider_kit as kit

DESIGN_NAMES = {"normalize", "normalize_many", "providers", "to_dict", "from_dict", "GRAPH", "Run", "State",
                "Phase", "Reason", "Durations", "RunstateError", "RunstateWarning"}  # fmt: skip


@pytest.mark.parametrize("module", [runstate, runstate.provider_kit])
def test_every_exported_name_imports(module: object) -> None:
    for name in module.__all__:  # type: ignore[attr-defined]
        assert getattr(module, name) is not None, name
    assert len(set(module.__all__)) == len(module.__all__)  # type: ignore[attr-defined]


def test_design_contract_names_are_public() -> None:
    assert set(runstate.__all__) >= DESIGN_NAMES


def test_exceptions_subclass_the_builtins_they_stand_for() -> None:
    assert issubclass(runstate.UnknownProviderError, KeyError)
    assert issubclass(runstate.InvalidRecordError, ValueError)
    assert issubclass(runstate.UnmappedStateError, runstate.InvalidRecordError)
    assert issubclass(runstate.IllegalTransitionError, ValueError)
    assert issubclass(runstate.ProviderSpecError, ValueError)
    for name in runstate.__all__:
        obj = getattr(runstate, name)
        if isinstance(obj, type) and issubclass(obj, Exception):
            if issubclass(obj, Warning):
                assert issubclass(obj, runstate.RunstateWarning), name
            else:
                assert issubclass(obj, runstate.RunstateError), name
            assert obj.__doc__, name


def test_import_runstate_imports_no_sdk() -> None:
    code = (
        "import sys, runstate; "
        "bad = [m for m in sys.modules if m.split('.')[0] in ('databricks', 'google', 'botocore', 'boto3')]; "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_private_modules_are_importable() -> None:
    for name in (
        "_core.vocabulary",
        "_core.model",
        "_core.graph",
        "_core.times",
        "_kit.registry",
        "_core.serialize",
    ):
        importlib.import_module(f"runstate.{name}")


MOVED = [
    ("runstate", "EDGES", "runstate.GRAPH.edges", lambda: runstate.GRAPH.edges),
    ("runstate", "span", "runstate.time_range", lambda: runstate.time_range),
    ("runstate.provider_kit", "new_run", "runstate.provider_kit.make_run", lambda: kit.make_run),
    ("runstate.provider_kit", "new_durations", "runstate.provider_kit.make_durations",
     lambda: kit.make_durations),
    ("runstate.otel", "record", "runstate.otel.emit", lambda: importlib.import_module("runstate.otel").emit),
]  # fmt: skip
"""Each deprecated name: its module, the name, what replaces it, and the replacement's value."""


@pytest.mark.parametrize(("module", "name", "replacement", "value"), MOVED)
def test_a_moved_name_still_works_and_warns_naming_its_replacement(
    module: str, name: str, replacement: str, value: Any
) -> None:
    imported = importlib.import_module(module)
    with pytest.warns(DeprecationWarning, match=rf"^{re.escape(f'{module}.{name}')} is deprecated: use "
                      rf"{re.escape(replacement)}$") as caught:  # fmt: skip
        old = getattr(imported, name)
    assert old == value()
    assert caught[0].filename == __file__  # the warning points at the code that used the old name
    assert name not in imported.__all__  # a star import does not warn


@pytest.mark.parametrize("module", sorted({m for m, *_ in MOVED}))
def test_an_unknown_name_is_still_an_attribute_error(module: str) -> None:
    with pytest.raises(AttributeError, match=rf"module '{re.escape(module)}' has no attribute 'nothing'"):
        importlib.import_module(module).nothing  # noqa: B018 - the lookup is what is tested


def test_a_star_import_warns_nothing() -> None:
    for module in sorted({m for m, *_ in MOVED}):
        exec(f"from {module} import *", {})  # warnings are errors here


def test_runstate_providers_is_the_function_not_a_module() -> None:
    # the built-in providers live in runstate._providers, so nothing shadows runstate.providers()
    with pytest.raises(ModuleNotFoundError, match=r"No module named 'runstate\.providers'"):
        importlib.import_module("runstate.providers")
    assert runstate.providers() == tuple(sorted(runstate.REGISTRY.names()))
    assert "glue" in runstate.providers()
