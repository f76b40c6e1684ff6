"""Every exception and warning runstate defines survives pickling: a ``multiprocessing.Pool`` ships a
worker's exception to its caller by pickle, and one that cannot be rebuilt hangs the pool."""

from __future__ import annotations

import copy
import importlib
import inspect
import multiprocessing
import pickle
import pkgutil
from typing import Any

import pytest

import runstate
from runstate import RunstateError, RunstateWarning, State, openlineage

SAMPLES: dict[str, Any] = {
    "provider": "glue",
    "field": "$.JobRunState",
    "value": {"JobRunState": "PAUSED", "nested": [1, 2]},
    "problem": "unmapped state",
    "name": "glu",
    "registered": ("glue", "databricks"),
    "source": State.SUCCEEDED,
    "target": State.RUNNING,
    "index": 3,
    "hint": "a re-run in place: allow it with allow_reentry=True",
    "problems": ("no table", "no graph"),
    "run_id": "jr_1",
    "state": "RUNNING",
    "timeout": 600.0,
    "url": "http://127.0.0.1:5000",
    "sent": 2,
    "args": ("a message",),
}
"""A value for each constructor parameter of an error, by the parameter's name."""


def _modules() -> list[str]:
    """runstate and every module of it (private ones too: an error defined there may still escape)."""
    modules = pkgutil.walk_packages(runstate.__path__, "runstate.")
    names = ["runstate"] + [m.name for m in modules if m.name != "runstate.__main__"]  # it runs
    imported = []
    for name in names:
        try:
            importlib.import_module(name)
        except ImportError:  # an extra that is not installed: its errors cannot be raised either
            continue
        imported.append(name)
    return imported


def _subclasses(base: type) -> list[type]:
    found, stack = [], [base]
    while stack:
        cls = stack.pop()
        found.append(cls)
        stack.extend(cls.__subclasses__())
    return found


def _public_errors() -> list[type[BaseException]]:
    """Every exception and warning class a public module defines, and every subclass of the two
    bases anywhere in the package (those are what the API raises or warns)."""
    classes: dict[str, type[BaseException]] = {}
    for name in _modules():
        if any(part.startswith("_") for part in name.split(".")):
            continue
        module = importlib.import_module(name)
        for value in vars(module).values():
            if (
                inspect.isclass(value)
                and issubclass(value, BaseException)
                and value.__module__ == name
                and not value.__name__.startswith("_")  # a module's own, caught inside it
            ):
                classes[f"{name}.{value.__qualname__}"] = value
    for cls in (*_subclasses(RunstateError), *_subclasses(RunstateWarning)):
        if cls.__module__.startswith("runstate"):
            classes[f"{cls.__module__}.{cls.__qualname__}"] = cls
    return [classes[k] for k in sorted(classes)]


ERRORS = _public_errors()


def _make(cls: type[BaseException]) -> BaseException:
    try:
        parameters = list(inspect.signature(cls.__init__).parameters.values())[1:]
    except ValueError:  # a builtin __init__: plain message arguments
        parameters = []
    args: list[Any] = []
    for parameter in parameters:
        if parameter.kind is parameter.VAR_KEYWORD:
            continue
        if parameter.kind is parameter.VAR_POSITIONAL:
            args.extend(SAMPLES["args"])
            continue
        assert parameter.name in SAMPLES, f"add a sample value for {cls.__name__}({parameter.name}=...)"
        args.append(SAMPLES[parameter.name])
    return cls(*args) if parameters else cls("a message")


def _same(one: BaseException, other: BaseException) -> None:
    assert type(other) is type(one)
    assert other.args == one.args
    assert str(other) == str(one)
    assert vars(other) == vars(one)


def test_the_discovery_finds_the_errors_of_every_module() -> None:
    names = {cls.__name__ for cls in ERRORS}
    assert {"RunstateError", "PollTimeoutError", "EmitError", "SqlError", "StateConflictWarning"} <= names


@pytest.mark.parametrize("cls", ERRORS, ids=lambda cls: cls.__qualname__)
def test_every_error_pickles_and_copies_equal(cls: type[BaseException]) -> None:
    error = _make(cls)
    error.add_note("while reading runs.jsonl")
    for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
        _same(error, pickle.loads(pickle.dumps(error, protocol=protocol)))
    _same(error, copy.copy(error))
    _same(error, copy.deepcopy(error))


def _raise_emit_error() -> None:
    raise openlineage.EmitError("http://127.0.0.1:5000", 2, "jr_1", "server answered 500")


def test_a_pool_worker_raising_an_emit_error_reaches_the_caller() -> None:
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        pending = pool.apply_async(_raise_emit_error)
        with pytest.raises(openlineage.EmitError) as caught:
            pending.get(timeout=60)  # a result that cannot be unpickled never arrives
    assert (caught.value.sent, caught.value.run_id) == (2, "jr_1")
