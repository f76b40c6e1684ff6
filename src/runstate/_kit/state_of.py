"""A canonical state from a provider's bare words, read by the very code its normalizer reads them with.

Adapters often hold only words (an Airflow hook's ``life_cycle_state`` and ``result_state``, a Glue
``JobRunState``), not a record. :func:`state_of` hands them to the decision the provider's reader
makes (the built-in providers' own functions, no second copy of any table) or, for another provider,
to the one table the word is named after. Strict or lenient as :func:`runstate.normalize`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any, Final

from .._core.context import Context
from .._core.errors import InvalidRecordError
from .._core.vocabulary import Reason, State
from .._providers.cloud_deploy import job_runs as _cloud_deploy
from .._providers.cloud_deploy import states as _cloud_deploy_states
from .._providers.databricks import jobs as _databricks
from .._providers.databricks import system as _databricks_system
from .._providers.glue import events as _glue_events
from .._providers.glue import jobs as _glue
from .registry import REGISTRY
from .spec import ProviderSpec, map_word

__all__ = ["WORDS", "state_of"]

Decision = Callable[[Mapping[str, Any], Context], "tuple[State, Reason | None]"]


def _glue_words(words: Mapping[str, Any], ctx: Context) -> tuple[State, Reason | None]:
    get = words.get
    word, detail, kind = get("JobRunState"), get("StateDetail"), get("ExecutionClass")
    _, _, state, reason = _glue.state_words(word, detail, kind, ctx)
    return state, reason


def _glue_event_words(words: Mapping[str, Any], ctx: Context) -> tuple[State, Reason | None]:
    outcome = map_word(_glue_events.STATE, words.get("state"), ctx, "$.detail.state")
    return outcome.state, outcome.reason


WORDS: Final[Mapping[str, tuple[tuple[str, ...], ProviderSpec, Decision]]] = MappingProxyType({
    "databricks": (_databricks.STATE_WORDS, _databricks.SPEC, _databricks.state_of_words),
    "databricks_system": (
        _databricks_system.STATE_WORDS, _databricks_system.SPEC, _databricks_system.state_of_words,
    ),
    "glue": (("JobRunState", "StateDetail", "ExecutionClass"), _glue.SPEC, _glue_words),
    "glue_events": (("state",), _glue_events.SPEC, _glue_event_words),
    "cloud_deploy": (
        _cloud_deploy_states.STATE_WORDS, _cloud_deploy.SPEC, _cloud_deploy_states.state_of_words,
    ),
})  # fmt: skip
"""Each built-in provider's words (the keywords :func:`state_of` takes), its spec and its decision."""


def _refuse_unknown(provider: str, words: Mapping[str, Any], known: tuple[str, ...]) -> None:
    for key, value in words.items():
        if key not in known:
            raise InvalidRecordError(
                provider, key, value, f"not a word of provider {provider!r} (its words: {', '.join(known)})"
            )


def _by_table(spec: ProviderSpec, words: Mapping[str, Any], ctx: Context) -> tuple[State, Reason | None]:
    """Another provider's word, by the one table it is named after."""
    _refuse_unknown(spec.name, words, tuple(spec.tables))
    if len(words) != 1:
        problem = f"give one word, named after one of the tables {sorted(spec.tables)}"
        raise InvalidRecordError(spec.name, "words", sorted(words), problem)
    ((name, value),) = words.items()
    outcome = map_word(spec.tables[name], value, ctx, name)
    return outcome.state, outcome.reason


def state_of(provider: str, /, *, strict: bool = False, **words: Any) -> tuple[State, Reason | None]:
    """The canonical state and reason of a provider's state words, decided as :func:`normalize` does.

    ``state_of("databricks", life_cycle_state="TERMINATED", result_state="FAILED")``. A word the tables do
    not know raises :class:`UnmappedStateError` (``strict=True``) or gives UNKNOWN with an
    :class:`UnmappedStateWarning`; a missing state word likewise. A keyword that is not one of the
    provider's words raises :class:`InvalidRecordError` in both modes; each provider's words are in
    docs/verdict.md. A provider that is not built in is read by its ``ProviderSpec.tables``: one keyword,
    the name of the table that decides.
    """
    spec = REGISTRY.get(provider)
    ctx = spec.context(strict)
    entry = WORDS.get(provider)
    if entry is None or entry[1] is not spec:  # not built in, or replaced by a registration
        return _by_table(spec, words, ctx)
    known, _, decide = entry
    _refuse_unknown(provider, words, known)
    return decide(words, ctx)
