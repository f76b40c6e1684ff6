"""The plugin door: providers installed through the ``runstate.providers`` entry points.

The registry logic is tested with entry points made here; one installed package (tests/plugin_pkg,
installed with pip into a temporary directory) proves the real thing end to end, in subprocesses.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import types
from importlib.metadata import EntryPoint
from pathlib import Path

import attrs
import pytest

import runstate
from runstate import ProviderRegistry, ProviderSpecError, RunstateWarning, State, UnknownProviderError
from runstate._kit import plugins as _plugins
from runstate._providers import register_builtin_providers

from .. import acme_provider
from ..paths import TESTS

PLUGIN_PACKAGE = TESTS / "plugin_pkg"


@pytest.fixture
def installed(monkeypatch: pytest.MonkeyPatch) -> dict[str, EntryPoint]:
    """Entry points the registry will discover, and a module ``fake_plugins`` for them to name."""
    module = types.ModuleType("fake_plugins")
    module.__dict__.update(
        SPEC=acme_provider.SPEC,
        RENAMED=attrs.evolve(acme_provider.SPEC, name="other"),
        UNSOUND=attrs.evolve(acme_provider.SPEC, known_values={"status": ("queued", "new")}),
        NOT_A_SPEC={"status": "running"},
        __getattr__=_exit_on_exits,
    )
    monkeypatch.setitem(sys.modules, "fake_plugins", module)
    entries: dict[str, EntryPoint] = {}
    monkeypatch.setattr(_plugins, "discover", lambda: dict(entries))
    return entries


class _Abort(BaseException):
    """A plugin's own BaseException subclass, outside Exception as SystemExit is."""


class _Unprintable(Exception):  # noqa: N818 - named for what it does
    def __str__(self) -> str:
        raise RuntimeError("no text")


def _exit_on_exits(name: str) -> object:
    """The module's ``EXITS`` ends the program as it is looked up (as a plugin's import may); the
    other names raise what a broken import may raise."""
    raising: dict[str, BaseException] = {
        "EXITS": SystemExit(7),
        "GENERATOR_EXIT": GeneratorExit("closed"),
        "ABORTS": _Abort("stop"),
        "UNPRINTABLE": _Unprintable(),
    }
    if name in raising:
        raise raising[name]
    raise AttributeError(name)


def entry(name: str, value: str) -> EntryPoint:
    return EntryPoint(name, value, _plugins.GROUP)


def builtin_names() -> tuple[str, ...]:
    registry = ProviderRegistry()
    register_builtin_providers(registry)
    return registry.names()


def plugin_registry() -> ProviderRegistry:
    registry = ProviderRegistry(plugins=True)
    register_builtin_providers(registry)
    return registry


def test_a_plugin_is_found_by_name_only_when_asked_for(installed: dict[str, EntryPoint]) -> None:
    installed["acme"] = entry("acme", "fake_plugins:SPEC")
    registry = plugin_registry()
    assert registry.get("glue").name == "glue"  # a registered name never looks at plugins
    assert registry._unloaded is None
    assert "acme" in registry and "acme_" not in registry
    assert registry.get("acme") is acme_provider.SPEC
    assert registry.names() == tuple(sorted(("acme", *builtin_names())))
    run = registry.normalize("acme", {"id": "r1", "status": "running"})
    assert (run.provider, run.state) == ("acme", State.RUNNING)


def test_normalize_loads_a_plugin_on_first_use(installed: dict[str, EntryPoint]) -> None:
    installed["acme"] = entry("acme", "fake_plugins:SPEC")
    run = plugin_registry().normalize("acme", {"id": "r1", "status": "done"}, strict=True)
    assert run.state is State.SUCCEEDED


def test_names_lists_installed_plugins(installed: dict[str, EntryPoint]) -> None:
    installed["acme"] = entry("acme", "fake_plugins:SPEC")
    assert "acme" in plugin_registry().names()
    assert "acme" in plugin_registry().copy().names()


def test_a_registry_without_the_door_ignores_plugins(installed: dict[str, EntryPoint]) -> None:
    installed["acme"] = entry("acme", "fake_plugins:SPEC")
    registry = ProviderRegistry()
    with pytest.raises(UnknownProviderError):
        registry.get("acme")
    assert registry.names() == ()


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("fake_plugins_not_installed:SPEC", "failed to load: ModuleNotFoundError"),
        ("fake_plugins:MISSING", "failed to load: AttributeError"),
        ("fake_plugins:NOT_A_SPEC", "names a dict, not a ProviderSpec"),
        ("fake_plugins:RENAMED", "names the spec of provider 'other', not 'acme'"),
        ("fake_plugins:UNSOUND", "value 'new' is not mapped"),
        ("fake_plugins:EXITS", "failed to load: SystemExit: 7"),
        ("fake_plugins:GENERATOR_EXIT", "failed to load: GeneratorExit: closed"),
        ("fake_plugins:ABORTS", "failed to load: _Abort: stop"),
        ("fake_plugins:UNPRINTABLE", "failed to load: _Unprintable"),
    ],
)
def test_a_broken_plugin_is_named_never_a_bare_traceback(
    installed: dict[str, EntryPoint], value: str, problem: str
) -> None:
    installed["acme"] = entry("acme", value)
    registry = plugin_registry()
    for _ in range(2):  # stays broken: every lookup says the same
        with pytest.raises(ProviderSpecError) as info:
            registry.get("acme")
        assert f"entry point 'acme = {value}' (runstate.providers" in str(info.value)
        assert problem in str(info.value)
    with pytest.warns(RunstateWarning, match="left out") as caught:
        names = registry.names()
    assert "acme" not in names
    (warning,) = (w.message for w in caught)
    assert isinstance(warning, RunstateWarning)
    assert (warning.provider, warning.field, warning.value) == ("acme", _plugins.GROUP, value)


def test_a_plugin_named_like_a_registered_provider_is_refused_with_a_warning(
    installed: dict[str, EntryPoint],
) -> None:
    installed["glue"] = entry("glue", "fake_plugins_never_imported:SPEC")
    registry = plugin_registry()
    glue = registry.get("glue")
    with pytest.warns(RunstateWarning, match="is refused: a provider named 'glue' is registered") as caught:
        assert registry.names() == builtin_names()  # no import attempted
    (warning,) = (w.message for w in caught)
    assert isinstance(warning, RunstateWarning)
    assert (warning.provider, warning.value) == ("glue", "fake_plugins_never_imported:SPEC")
    assert registry.names() == builtin_names()  # said once
    assert registry.get("glue") is glue


def test_the_unknown_provider_error_lists_installed_plugins(installed: dict[str, EntryPoint]) -> None:
    installed["acme"] = entry("acme", "fake_plugins:SPEC")
    with pytest.raises(
        UnknownProviderError, match="registered: " + ", ".join(sorted(("acme", *builtin_names())))
    ):
        plugin_registry().get("acm")


def test_the_default_registry_opens_the_door() -> None:
    assert runstate.REGISTRY._plugins is True


# --- end to end: a real package installed with pip --------------------------------------------------


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """tests/plugin_pkg installed (not editable) into a fresh directory, as a user would install it."""
    root = tmp_path_factory.mktemp("plugin")
    source = shutil.copytree(PLUGIN_PACKAGE, root / "source")  # the build writes next to its sources
    target = root / "site"
    command = [sys.executable, "-m", "pip", "install", "--quiet", "--no-build-isolation", "--no-deps"]
    result = subprocess.run(
        [*command, "--no-index", "--target", str(target), str(source)],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return target


def run_with(site: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    path = os.pathsep.join(p for p in (str(site), os.environ.get("PYTHONPATH", "")) if p)
    return subprocess.run(
        [sys.executable, *args],
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        env={**os.environ, "PYTHONPATH": path},
    )


def test_installed_plugin_appears_in_providers(site: Path) -> None:
    result = run_with(
        site, "-W", "ignore::runstate.RunstateWarning", "-c", "import runstate; print(runstate.providers())"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == repr(tuple(sorted(("acme", *builtin_names()))))


def test_importing_runstate_does_not_import_plugins(site: Path) -> None:
    code = "import sys, runstate; print('acme_runstate' in sys.modules)"
    result = run_with(site, "-c", code)
    assert (result.returncode, result.stdout.strip(), result.stderr) == (0, "False", "")


def test_the_broken_entries_of_the_package_are_warned_of_by_name(site: Path) -> None:
    result = run_with(site, "-c", "import runstate; runstate.providers()")
    assert result.returncode == 0, result.stderr
    assert "RunstateWarning: acme_missing: runstate.providers: entry point 'acme_missing = " in result.stderr
    assert "No module named 'acme_runstate_not_installed'" in result.stderr
    assert "RunstateWarning: acme_not_a_spec: runstate.providers: entry point " in result.stderr
    assert "names a dict, not a ProviderSpec" in result.stderr
    assert "RunstateWarning: acme_exits: runstate.providers: entry point " in result.stderr
    assert "failed to load: SystemExit: 7" in result.stderr
    assert (
        "RunstateWarning: glue: runstate.providers: entry point 'glue = acme_runstate:SPEC'" in result.stderr
    )
    assert "is refused: a provider named 'glue' is registered" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_cli_draws_and_normalizes_with_the_plugin(site: Path) -> None:
    graph = run_with(site, "-m", "runstate", "graph", "--provider", "acme")
    assert graph.returncode == 0, graph.stderr
    assert 'state "done = SUCCEEDED" as done' in graph.stdout
    assert "running --> done" in graph.stdout
    record = '{"id": "r1", "status": "done"}\n'
    normalized = run_with(site, "-m", "runstate", "normalize", "-p", "acme", "--no-raw", stdin=record)
    assert normalized.returncode == 0, normalized.stderr
    assert json.loads(normalized.stdout)["state"] == "SUCCEEDED"


def test_the_cli_help_runs_with_a_plugin_installed(site: Path) -> None:
    result = run_with(site, "-m", "runstate", "--help")
    assert result.returncode == 0, result.stderr
    assert "usage: runstate" in result.stdout
    assert result.stderr == ""


def test_the_cli_help_lists_installed_plugins_and_leaves_out_broken_ones(site: Path) -> None:
    result = run_with(site, "-m", "runstate", "normalize", "--help")
    assert result.returncode == 0, result.stderr
    text = " ".join(result.stdout.split())  # argparse wraps the help text
    assert "one of: acme, " in text
    for name in builtin_names():
        assert name in text
    assert "(broken plugins left out: acme_exits, acme_missing, acme_not_a_spec, glue)" in text
    assert result.stderr == ""


@pytest.mark.parametrize("command", ["normalize", "summary"])
def test_a_broken_plugin_asked_for_by_name_is_a_one_line_usage_error(site: Path, command: str) -> None:
    result = run_with(site, "-m", "runstate", command, "-p", "acme_not_a_spec", "-", stdin="{}\n")
    assert result.returncode == 2
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line.startswith("runstate: provider 'acme_not_a_spec' is broken: entry point 'acme_not_a_spec = ")
    assert "names a dict, not a ProviderSpec" in line


def test_a_plugin_that_exits_while_loading_ends_nothing(site: Path, tmp_path: Path) -> None:
    """``sys.exit(7)`` in a plugin's import: every command still runs to its own end."""
    listed = run_with(site, "-W", "ignore::runstate.RunstateWarning", "-c",
                      "import runstate; print(len(runstate.providers()))")  # fmt: skip
    assert (listed.returncode, listed.stdout.strip()) == (0, str(len(builtin_names()) + 1))
    helped = run_with(site, "-m", "runstate", "normalize", "--help")
    assert helped.returncode == 0 and "usage: runstate normalize" in helped.stdout
    records = tmp_path / "runs.jsonl"
    records.write_text(json.dumps({"Id": "jr_1", "JobName": "etl", "JobRunState": "SUCCEEDED"}) + "\n")
    summary = run_with(site, "-m", "runstate", "summary", "-p", "auto", str(records), "--json")
    assert summary.returncode == 0, summary.stderr
    assert json.loads(summary.stdout)
