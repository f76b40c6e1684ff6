"""A Cloud Deploy JobRun's state words read through the tables: ``state``, refined by the sub-type's
``failureCause``.

``STATE_UNSPECIFIED`` (or no state: the proto3 default) is UNKNOWN, reported; a word or integer the
tables do not know is UNKNOWN and kept as the provider's word. Integers (``JobRun.to_dict``'s
default) read as their enum's names; a failure cause only in its own sub-type's enum. A cause refines
only a FAILED run (:data:`~runstate._providers.cloud_deploy.tables.CAUSE_REFINES`): on another state
it is a conflict, kept and ignored. :func:`state_of_words` reads the same words bare, for
:func:`runstate.state_of`.

Why: docs/decisions.md, "Google Cloud Deploy: ``JobRun.State``" (``#cloud-deploy``).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Final

from runstate.provider_kit import (
    EMPTY,
    Context,
    InvalidRecordError,
    Outcome,
    Reason,
    State,
    UnmappedStateWarning,
)

from .fields import PROTO_TO_REST, is_sub_type_key
from .tables import CAUSE_REFINES, JOB_RUN_STATE, KNOWN_JOB_RUN_STATES, SUB_TYPE_KEYS, SUB_TYPES, SubType

__all__ = [
    "CAUSE_UNSPECIFIED",
    "PLAIN_STATES",
    "PROVIDER_STATES",
    "STATE_WORDS",
    "provider_state",
    "read_cause",
    "read_state",
    "state_of_words",
]

_STATE_UNSPECIFIED: Final = "STATE_UNSPECIFIED"
CAUSE_UNSPECIFIED: Final = "FAILURE_CAUSE_UNSPECIFIED"
"""The proto3 default of every ``FailureCause``: nothing to refine, not kept."""
_UNSPECIFIED_OUTCOME: Final = JOB_RUN_STATE[_STATE_UNSPECIFIED]
_FAILED: Final = CAUSE_REFINES  # enum attribute access costs ~0.16 us on 3.11: looked up once
PLAIN_STATES: Final = {w: o for w, o in JOB_RUN_STATE.items() if o.state is not State.UNKNOWN}
"""The state words a reader maps inline: every one but STATE_UNSPECIFIED, which :func:`read_state`
reports."""


def _enum_name(value: object, names: tuple[str, ...]) -> object:
    """An enum integer as its name (when known), anything else unchanged."""
    if type(value) is int and 0 <= value < len(names):
        return names[value]
    return value


def read_state(word: object, ctx: Context) -> tuple[Outcome, str]:
    """The outcome of ``state`` and the word to keep; absence is the proto3 default STATE_UNSPECIFIED."""
    if word is None:
        word = _STATE_UNSPECIFIED
    elif type(word) is int:
        word = _enum_name(word, KNOWN_JOB_RUN_STATES)
    if type(word) is str:
        outcome = JOB_RUN_STATE.get(word)
        if outcome is None:
            ctx.report("unmapped", "$.state", word, "unmapped state")
            return _UNSPECIFIED_OUTCOME, word
        if outcome is _UNSPECIFIED_OUTCOME:
            ctx.report(
                "invalid", "$.state", word, "unspecified state (no usable state)", UnmappedStateWarning
            )
        return outcome, word
    if type(word) is int:  # an integer no known value has (a newer server)
        ctx.report("unmapped", "$.state", word, "unmapped state")
        return _UNSPECIFIED_OUTCOME, str(word)
    if isinstance(word, str):  # a str subclass
        return read_state(str(word), ctx)
    ctx.report("invalid", "$.state", word, "expected a state word (string)", UnmappedStateWarning)
    return _UNSPECIFIED_OUTCOME, ""


def _failure_cause(
    raw: object, info: SubType, table: Mapping[str, Outcome], state: State, ctx: Context
) -> tuple[str | None, Outcome | None]:
    """The cause's name to keep and, for a FAILED run, the outcome it gives (``None``: no refinement)."""
    name = _enum_name(raw, info.causes)
    if type(name) is str:
        outcome = table.get(name)
        if outcome is None:
            ctx.report("unmapped", f"$.{info.key}.failureCause", name, "unmapped state")
            return name, None
        if name == CAUSE_UNSPECIFIED:
            return None, None
        if state is not _FAILED:
            ctx.report(
                "conflict",
                f"$.{info.key}.failureCause",
                name,
                f"a failure cause on a {state.value} run (ignored)",
            )
            return name, None
        return name, outcome
    if type(name) is int:  # an integer no known cause has (a newer server)
        ctx.report("unmapped", f"$.{info.key}.failureCause", name, "unmapped state")
        return str(name), None
    if isinstance(name, str):  # a str subclass
        return _failure_cause(str(name), info, table, state, ctx)
    ctx.report(
        "invalid",
        f"$.{info.key}.failureCause",
        name,
        "expected a failure cause (string)",
        UnmappedStateWarning,
    )
    return None, None


def read_cause(
    raw_cause: object, info: SubType | None, outcome: Outcome, ctx: Context
) -> tuple[str | None, Outcome]:
    """The failure cause to keep and the outcome it gives (a sub-type without a table refines nothing)."""
    if raw_cause is None or raw_cause == CAUSE_UNSPECIFIED:
        return None, outcome
    if info is not None and info.table is not None:
        cause, refined = _failure_cause(raw_cause, info, info.table, outcome.state, ctx)
        return cause, outcome if refined is None else refined
    if type(raw_cause) is str and raw_cause:  # a sub-type without a table: kept, refines nothing
        return raw_cause, outcome
    return None, outcome


STATE_WORDS: Final = ("state", "jobRun", "failureCause")
"""The words :func:`state_of_words` reads: ``state``, the sub-type's key (``deployJobRun``) and its
``failureCause``."""


def state_of_words(words: Mapping[str, Any], ctx: Context) -> tuple[State, Reason | None]:
    """The state and reason of bare :data:`STATE_WORDS`, as a JobRun whose sub-type ``jobRun`` holds
    the ``failureCause`` is read (:func:`runstate.state_of`)."""
    sub_type, cause = words.get("jobRun"), words.get("failureCause")
    if cause is not None and sub_type is None:
        problem = "a failureCause is read by its sub-type: name it (jobRun='deployJobRun')"
        raise InvalidRecordError(ctx.provider, "jobRun", None, problem)
    outcome, _ = read_state(words.get("state"), ctx)
    if sub_type is not None:
        _, outcome = read_cause(cause, _named_sub_type(sub_type, ctx), outcome, ctx)
    return outcome.state, outcome.reason


def _named_sub_type(name: object, ctx: Context) -> SubType | None:
    """The sub-type ``jobRun`` names (REST or proto spelling); one this version does not know refines
    nothing, as in a record, but a name no record could hold is refused: a typo must not drop the cause."""
    if type(name) is str:
        name = PROTO_TO_REST.get(name, name)
        if name in SUB_TYPES or is_sub_type_key(name):
            return SUB_TYPES.get(name)
    problem = f"not a JobRun sub-type (one of {', '.join(SUB_TYPES)}, or another '...JobRun')"
    raise InvalidRecordError(ctx.provider, "jobRun", name, problem)


PROVIDER_STATES: Final = {
    (word, sub_key, cause): MappingProxyType(
        {
            "state": word,
            **({} if sub_key is None else {"jobRun": sub_key}),
            **({} if cause is None else {"failureCause": cause}),
        }
    )
    for word in KNOWN_JOB_RUN_STATES
    for sub_key in (None, *SUB_TYPE_KEYS)
    for cause in (None, *(() if sub_key is None else SUB_TYPES[sub_key].causes[1:]))
}
"""The provider_state of every known combination, built once."""


def provider_state(word: str, sub_key: str | None, cause: str | None) -> Mapping[str, str]:
    """The provider's own words: ``state``, ``jobRun`` (the set sub-type) and a specified cause."""
    known = PROVIDER_STATES.get((word, sub_key, cause))
    if known is not None:
        return known
    result = {"state": word} if word else {}
    if sub_key is not None:
        result["jobRun"] = sub_key
    if cause is not None:
        result["failureCause"] = cause
    return MappingProxyType(result) if result else EMPTY
