"""The public surface: ``runstate.__all__`` is the API, every name imports, and nothing leaks."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

import runstate
import runstate.provider_kit

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
