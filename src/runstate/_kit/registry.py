"""The provider registry and the entry points that dispatch through it.

Modelled on cattrs' converters: one documented module-level default (:data:`REGISTRY`), the newest
registration wins, and :meth:`ProviderRegistry.copy` gives an isolated registry for tests.
A registry made with ``plugins=True`` (the default one) also finds installed third-party providers
through the ``runstate.providers`` entry points (:mod:`runstate._kit.plugins`), lazily: on the first
lookup of a name it does not hold, or when the names are listed. A plugin never replaces a provider
registered under its name: listing the names warns that it was refused.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable, Iterator
from importlib.metadata import EntryPoint
from typing import Any

import attrs

from .._core.context import Context, caller_stacklevel
from .._core.errors import (
    InvalidRecordError,
    ProviderSpecError,
    RunstateError,
    RunstateWarning,
    UnknownProviderError,
)
from .._core.model import Run
from . import plugins as _plugins
from .spec import BuildFunction, ProviderSpec, check_provider

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
        self._loaded: set[str] = set()  # names registered from a plugin (by this or another thread)
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
        new._loaded = set(self._loaded)
        return new

    def _unloaded_plugins(self) -> dict[str, EntryPoint]:
        """The installed plugins not loaded yet (discovered on first use); none without the door."""
        if self._unloaded is None:
            self._unloaded = _plugins.discover() if self._plugins else {}
        return self._unloaded

    def _load_plugin(self, name: object) -> bool:
        """Load and register the installed plugin ``name`` unless a provider holds that name already.

        Returns whether it was registered; a broken plugin raises ProviderSpecError naming its entry
        point (and stays unloaded, so every lookup says the same). A plugin named like a registered
        provider is refused with ProviderSpecError once (listing the names warns of it).
        """
        if not self._plugins or type(name) is not str:
            return False
        entry = self._unloaded_plugins().get(name)
        if entry is None:
            return False
        if name in self._loaded:  # another thread loaded it meanwhile
            return True
        if name in self._specs:  # a built-in (or the caller's own): it wins, and the plugin is named
            self._unloaded_plugins().pop(name, None)
            problem = f"{_plugins.describe(entry)} is refused: a provider named {name!r} is registered"
            raise ProviderSpecError(name, [problem])
        spec = _plugins.load(entry)
        try:
            self.register(spec)
        except ProviderSpecError as exc:
            raise ProviderSpecError(name, [f"{_plugins.describe(entry)}:", *exc.problems]) from exc
        self._loaded.add(name)
        self._unloaded_plugins().pop(name, None)  # pop, not del: another thread may have loaded it
        return name in self._specs

    def __contains__(self, name: object) -> bool:
        """Whether ``name`` is registered or an installed plugin (not loaded by this check)."""
        return name in self._specs or (type(name) is str and name in self._unloaded_plugins())

    def normalize(
        self,
        provider: str,
        record: Any,
        *,
        strict: bool = False,
        keep_raw: bool = True,
        namespace: str | None = None,
    ) -> Run:
        """One record to a canonical :class:`Run`; see :func:`runstate.normalize`."""
        return self.normalize_by_position(provider, record, strict, keep_raw, namespace)

    def normalize_by_position(
        self, provider: str, record: Any, strict: bool, keep_raw: bool, namespace: str | None
    ) -> Run:
        """:meth:`normalize` with every argument by position: :func:`runstate.normalize` calls this,
        a per-record saving of keyword handling (about 0.1 us, 2% of a Glue record)."""
        try:
            build, strict_ctx, lenient_ctx = self._entries[provider]
        except (KeyError, TypeError):
            build, strict_ctx, lenient_ctx = self._entries[self.get(provider).name]  # a plugin, or raises
        if namespace is not None:
            check_namespace(namespace)
        ctx = strict_ctx if strict else lenient_ctx
        try:  # guarded_build's guard, inlined: a call less per record on the hot path
            run = build(record, ctx, keep_raw)
        except (RunstateError, Warning):
            raise
        except Exception as exc:  # a third-party record or SDK object raised while being read
            raise _foreign_error(provider, record, exc) from exc
        return run if namespace is None else with_namespace(run, namespace, ctx)

    def normalize_many(
        self,
        provider: str,
        records: Iterable[Any],
        *,
        strict: bool = False,
        keep_raw: bool = True,
        on_error: Callable[[RecordFailure], None] | None = None,
        namespace: str | None = None,
    ) -> Iterator[Run]:
        """Records (or list pages of records) to runs, lazily; see :func:`runstate.normalize_many`."""
        spec = self.get(provider)
        if namespace is not None:
            check_namespace(namespace)
        runs = _iter_runs(spec, records, strict, keep_raw, on_error, namespace)
        return runs if spec.combine is None else spec.combine(runs)


def guarded_build(build: BuildFunction, provider: str, record: Any, ctx: Context, keep_raw: bool) -> Run:
    """``build``, with whatever a third-party record or SDK object raises turned into InvalidRecordError."""
    try:
        return build(record, ctx, keep_raw)
    except (RunstateError, Warning):  # ours, or a lenient warning turned into an error by a filter
        raise
    except Exception as exc:  # a third-party record or SDK object raised while being read
        raise _foreign_error(provider, record, exc) from exc


def check_namespace(namespace: object) -> None:
    """Refuse, by name, a namespace that is not a non-empty string."""
    if type(namespace) is not str or not namespace:
        raise InvalidRecordError("runstate", "namespace", namespace, "expected a non-empty string")


def _safe_value(record: Any) -> Any:
    """The record itself if it can be shown, else its type: a hostile ``__repr__`` must not hide the error."""
    try:
        repr(record)
    except Exception:  # noqa: BLE001 - a hostile __repr__ may raise anything
        return f"<{type(record).__qualname__} object>"
    return record


def _foreign_error(provider: str, record: Any, exc: Exception) -> InvalidRecordError:
    """What a record or SDK object raised while being read (its Mapping methods, ``as_dict``, ``to_dict``,
    ``utcoffset``), as the documented error; the caller chains the original as its cause."""
    problem = f"reading the record raised {type(exc).__name__}"
    try:
        detail = str(exc)
    except Exception:  # noqa: BLE001 - a hostile __str__ may raise anything
        detail = ""
    text = f"{problem}: {detail}" if detail else problem
    return InvalidRecordError(provider, "$", _safe_value(record), text)


def with_namespace(run: Run, namespace: str, ctx: Context) -> Run:
    """``run`` (and its tasks) in the caller's namespace: it fills a gap and wins over the record's,
    which is then reported with a :class:`~runstate.StateConflictWarning` (once, for the top run)."""
    if run.namespace == namespace and all(task.namespace == namespace for task in run.tasks):
        return run
    if run.namespace is not None and run.namespace != namespace:
        ctx.conflict("namespace", run.namespace, f"the record's namespace; the caller's {namespace!r} wins")
    return _set_namespace(run, namespace)


def _set_namespace(run: Run, namespace: str) -> Run:
    tasks = tuple(_set_namespace(task, namespace) for task in run.tasks)
    return attrs.evolve(run, namespace=namespace, tasks=tasks)


def _iter_runs(
    spec: ProviderSpec,
    records: Iterable[Any],
    strict: bool,
    keep_raw: bool,
    on_error: Callable[[RecordFailure], None] | None,
    namespace: str | None = None,
) -> Iterator[Run]:
    build = spec.build
    ctx = spec.context(strict)
    pages = spec.pages
    index = 0
    for item in records:
        try:
            inner = pages(item)
        except (RunstateError, Warning):
            raise
        except Exception:  # a hostile item: read as one record, which then fails as one  # noqa: BLE001
            inner = None
        for record in (item,) if inner is None else inner:
            try:
                try:  # guarded_build's guard, inlined: a call less per record
                    run = build(record, ctx, keep_raw)
                except (RunstateError, Warning):
                    raise
                except Exception as exc:  # a third-party record or SDK object raised while being read
                    raise _foreign_error(spec.name, record, exc) from exc
                yield run if namespace is None else with_namespace(run, namespace, ctx)
            except RunstateError as exc:
                exc.add_note(f"record #{index} of the batch")
                if on_error is None:
                    raise
                on_error(RecordFailure(index, record, exc))
            index += 1


REGISTRY = ProviderRegistry(plugins=True)
"""The default registry that :func:`runstate.normalize` and friends use; it opens the plugin door."""
