"""The provider registry and the entry points that dispatch through it.

Modelled on cattrs' converters: one documented module-level default (:data:`REGISTRY`), the newest
registration wins, and :meth:`ProviderRegistry.copy` gives an isolated registry for tests.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

import attrs

from ._context import Context
from ._errors import RunstateError, UnknownProviderError
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

    def __init__(self, specs: Iterable[ProviderSpec] = ()) -> None:
        self._specs: dict[str, ProviderSpec] = {}
        # what normalize needs, looked up once per call: (build, strict context, lenient context)
        self._entries: dict[str, tuple[BuildFunction, Context, Context]] = {}
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
        """The spec of a provider; an unknown name raises an error that lists the registered ones."""
        try:
            return self._specs[name]
        except (KeyError, TypeError):
            raise UnknownProviderError(name, self._specs) from None

    def names(self) -> tuple[str, ...]:
        """Registered provider names, sorted."""
        return tuple(sorted(self._specs))

    def copy(self) -> ProviderRegistry:
        """An independent registry with the same providers."""
        new = ProviderRegistry()
        new._specs = dict(self._specs)
        new._entries = dict(self._entries)
        return new

    def __contains__(self, name: object) -> bool:
        return name in self._specs

    def normalize(self, provider: str, record: Any, *, strict: bool = False, keep_raw: bool = True) -> Run:
        """One record to a canonical :class:`Run`; see :func:`runstate.normalize`."""
        try:
            build, strict_ctx, lenient_ctx = self._entries[provider]
        except (KeyError, TypeError):
            raise UnknownProviderError(provider, self._specs) from None
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


REGISTRY = ProviderRegistry()
"""The default registry that :func:`runstate.normalize` and friends use."""
