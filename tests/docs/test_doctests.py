"""The examples in the installed package's docstrings run (the README's run through --doctest-glob)."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import runstate

MODULES = sorted(
    info.name
    for info in pkgutil.walk_packages(runstate.__path__, prefix="runstate.")
    if "__main__" not in info.name
)


@pytest.mark.parametrize("name", ["runstate", *MODULES])
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0
