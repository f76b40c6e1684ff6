"""The provider registry and the entry points that dispatch through it.

Modelled on cattrs' converters: one documented module-level default (:data:`REGISTRY`), the newest
registration wins, and :meth:`ProviderRegistry.copy` gives an isolated registry for tests.
A registry made with ``plugins=True`` (the default one) also finds installed third-party providers
through the ``runstate.providers`` entry points (:mod:`runstate._plugins`), lazily: on the first
lookup of a name it does not hold, or when the names are listed. A plugin never replaces a provider
registered under its name.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable, Iterator
from importlib.metadata import EntryPoint
from typing import Any

import attrs

from . import _plugins
from ._context import Context, caller_stacklevel
from ._errors import ProviderSpecError, RunstateError, RunstateWarning, UnknownProviderError
from ._model import Run
from ._spec import BuildFunction, ProviderSpec, check_provider

__all__ = ["REGISTRY", "RecordFailure", "ProviderRegistry"]


@attrs.frozen
class RecordFailure:
    """One record of a batch that could not be normalized, with where it was and why."""

    index: int
    """Position of the record in the flattened input (pages expanded), from 0."""
    record: Any
    """The record as given, so it can be re-run."""
    error: RunstateError


class ProviderRegistry:
    """Provider specs by name."""

    def __init__(self, specs: Iterable[ProviderSpec] = (), *, plugins: bool = False) -> None:
        self._specs: dict[str, ProviderSpec] = {}
        # what normalize needs, looked up once per call: (build, strict context, lenient context)
        self._entries: dict[str, tuple[BuildFunction, Context, Context]] = {}
        self._plugins = plugins
        self._unloaded: dict[str, EntryPoint] | None = None  # entry points not loaded yet, found lazily
        for spec in specs:
            self.register(spec)

    def register(self, spec: ProviderSpec) -> ProviderSpec:
        """Add or replace a provider after checking its spec (raises ProviderSpecError); returns it."""
        check_provider(spec)
        self._specs[spec.name] = spec
        self._entries[spec.name] = (spec.build, spec.strict_context, spec.lenient_context)
        return spec

    def unregister(self, name: str) -> None:
        """Remove a provider (raises UnknownProviderError if absent)."""
        self.get(name)
        del self._specs[name]
        del self._entries[name]

    def get(self, name: str) -> ProviderSpec:
        """The spec of a provider; an unknown name raises an error that lists the registered ones.

        An installed plugin of that name is loaded first; a broken one raises ProviderSpecError.
        """
        spec = self._specs.get(name) if type(name) is str else None
        if spec is None and self._load_plugin(name):
            spec = self._specs[name]
        if spec is None:
            raise UnknownProviderError(name, {*self._specs, *self._unloaded_plugins()})
        return spec

    def names(self) -> tuple[str, ...]:
        """Registered provider names, sorted; installed plugins are loaded, a broken one warned of."""
        for name, entry in list(self._unloaded_plugins().items()):
            try:
                self._load_plugin(name)
            except ProviderSpecError as exc:
                problem = "; ".join(exc.problems) + " (left out)"
                warnings.warn(
                    RunstateWarning(name, _plugins.GROUP, entry.value, problem),
                    stacklevel=caller_stacklevel(),
                )
        return tuple(sorted(self._specs))

    def copy(self) -> ProviderRegistry:
        """An independent registry with the same providers (and plugin door)."""
        new = ProviderRegistry(plugins=self._plugins)
        new._specs = dict(self._specs)
        new._entries = dict(self._entries)
        new._unloaded = None if self._unloaded is None else dict(self._unloaded)
        return new

    def _unloaded_plugins(self) -> dict[str, EntryPoint]:
        """The installed plugins not loaded yet (discovered on first use); none without the door."""
        if self._unloaded is None:
            self._unloaded = _plugins.discover() if self._plugins else {}
        return self._unloaded

    def _load_plugin(self, name: object) -> bool:
        """Load and register the installed plugin ``name`` unless a provider holds that name already.

        Returns whether it was registered; a broken plugin raises ProviderSpecError naming its entry
        point (and stays unloaded, so every lookup says the same).
        """
        if not self._plugins or type(name) is not str:
            return False
        entry = self._unloaded_plugins().get(name)
        if entry is None:
            return False
        if name not in self._specs:
            spec = _plugins.load(entry)
            try:
                self.register(spec)
            except ProviderSpecError as exc:
                raise ProviderSpecError(name, [f"{_plugins.describe(entry)}:", *exc.problems]) from exc
        self._unloaded_plugins().pop(name, None)  # pop, not del: another thread may have loaded it
        return name in self._specs

    def __contains__(self, name: object) -> bool:
        """Whether ``name`` is registered or an installed plugin (not loaded by this check)."""
        return name in self._specs or (type(name) is str and name in self._unloaded_plugins())

    def normalize(self, provider: str, record: Any, *, strict: bool = False, keep_raw: bool = True) -> Run:
        """One record to a canonical :class:`Run`; see :func:`runstate.normalize`."""
        try:
            build, strict_ctx, lenient_ctx = self._entries[provider]
        except (KeyError, TypeError):
            build, strict_ctx, lenient_ctx = self._entries[self.get(provider).name]  # a plugin, or raises
        return build(record, strict_ctx if strict else lenient_ctx, keep_raw)

    def normalize_many(
        self,
        provider: str,
        records: Iterable[Any],
        *,
        strict: bool = False,
        keep_raw: bool = True,
        on_error: Callable[[RecordFailure], None] | None = None,
    ) -> Iterator[Run]:
        """Records (or list pages of records) to runs, lazily; see :func:`runstate.normalize_many`."""
        spec = self.get(provider)
        runs = _iter_runs(spec, records, strict, keep_raw, on_error)
        return runs if spec.combine is None else spec.combine(runs)


def _iter_runs(
    spec: ProviderSpec,
    records: Iterable[Any],
    strict: bool,
    keep_raw: bool,
    on_error: Callable[[RecordFailure], None] | None,
) -> Iterator[Run]:
    build = spec.build
    ctx = spec.context(strict)
    pages = spec.pages
    index = 0
    for item in records:
        inner = pages(item)
        for record in (item,) if inner is None else inner:
            try:
                yield build(record, ctx, keep_raw)
            except RunstateError as exc:
                exc.add_note(f"record #{index} of the batch")
                if on_error is None:
                    raise
                on_error(RecordFailure(index, record, exc))
            index += 1


REGISTRY = ProviderRegistry(plugins=True)
"""The default registry that :func:`runstate.normalize` and friends use; it opens the plugin door."""
