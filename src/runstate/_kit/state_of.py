"""A canonical state from a provider's bare words, read by the very code its normalizer reads them with.

Adapters often hold only words (an Airflow hook's ``life_cycle_state`` and ``result_state``, a Glue
``JobRunState``), not a record. :func:`state_of` hands them to the decision the provider's reader
makes (declared on its spec as ``ProviderSpec.state_words``: no second copy of any table) or, for a
provider that declares none, to the one table the word is named after. Strict or lenient as
:func:`runstate.normalize`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._core.context import Context
from .._core.errors import InvalidRecordError, ProviderSpecError, RunstateError
from .._core.vocabulary import Reason, State
from .registry import REGISTRY
from .spec import ProviderSpec, map_word

__all__ = ["state_of"]


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
    if spec.state_words is None:
        return _by_table(spec, words, ctx)
    _refuse_unknown(provider, words, spec.state_words.names)
    try:
        found = spec.state_words.decide(words, ctx)
    except (RunstateError, Warning):  # ours, or a lenient warning turned into an error by a filter
        raise
    except Exception as exc:  # a third-party decision failed on these words
        raise InvalidRecordError(provider, "words", dict(words), f"deciding raised {exc!r}") from exc
    return _checked(provider, found)


def _checked(provider: str, found: object) -> tuple[State, Reason | None]:
    """A decision's answer, refused by name unless it is a state and a reason (or None)."""
    if type(found) is tuple and len(found) == 2:
        state, reason = found
        if isinstance(state, State) and (reason is None or isinstance(reason, Reason)):
            return state, reason
    problem = f"state_words.decide gave {found!r}: expected (State, Reason or None)"
    raise ProviderSpecError(provider, [problem])
