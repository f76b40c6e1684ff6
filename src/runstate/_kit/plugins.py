"""The plugin door: third-party providers installed through the ``runstate.providers`` entry points.

An adapter package declares, in its ``pyproject.toml``:

    [project.entry-points."runstate.providers"]
    acme = "acme_runstate:SPEC"

where ``SPEC`` is its :class:`~runstate.provider_kit.ProviderSpec` named ``"acme"``. The default
registry discovers the entry points only when a name it does not hold is asked for (or the names are
listed), so ``import runstate`` never imports a plugin. A broken plugin never escapes as a bare
traceback nor ends the program (``sys.exit`` while importing included): loading it raises
:class:`~runstate.ProviderSpecError` naming the entry point, and listing the providers warns about
it and leaves it out. A plugin named like a registered provider (a built-in) is refused the same way.
"""

from __future__ import annotations

from importlib.metadata import EntryPoint, entry_points

from .._core.errors import ProviderSpecError
from .spec import ProviderSpec

__all__ = ["GROUP", "discover", "load"]

GROUP = "runstate.providers"
"""The entry-point group whose entries name a provider's :class:`ProviderSpec` object."""


def discover() -> dict[str, EntryPoint]:
    """The installed entry points of :data:`GROUP` by name (the first of a duplicated name wins)."""
    found: dict[str, EntryPoint] = {}
    for entry in entry_points(group=GROUP):
        found.setdefault(entry.name, entry)
    return found


def describe(entry: EntryPoint) -> str:
    """``entry point 'acme = acme_runstate:SPEC' (runstate.providers, from acme-runstate 1.0)``."""
    dist = entry.dist
    origin = f", from {dist.name} {dist.version}" if dist is not None else ""
    return f"entry point '{entry.name} = {entry.value}' ({GROUP}{origin})"


def load(entry: EntryPoint) -> ProviderSpec:
    """Import the spec an entry point names; any failure is a ProviderSpecError naming the entry point."""
    try:
        spec = entry.load()
    except KeyboardInterrupt:  # the user's Ctrl-C still stops the program
        raise
    except BaseException as exc:  # a plugin's import may fail in any way, even sys.exit() or
        # GeneratorExit: report it, never end the caller
        raise ProviderSpecError(entry.name, [f"{describe(entry)} failed to load: {_failure(exc)}"]) from exc
    if not isinstance(spec, ProviderSpec):
        raise ProviderSpecError(
            entry.name, [f"{describe(entry)} names a {type(spec).__name__}, not a ProviderSpec"]
        )
    if spec.name != entry.name:
        raise ProviderSpecError(
            entry.name, [f"{describe(entry)} names the spec of provider {spec.name!r}, not {entry.name!r}"]
        )
    return spec


def _failure(exc: BaseException) -> str:
    """``Type: text`` of what a plugin raised; its type alone when its ``__str__`` raises too."""
    try:
        text = str(exc)
    except Exception:  # noqa: BLE001 - a plugin's exception may be as broken as its import
        text = ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
