"""The state of a Databricks run from its state words: the legacy ``state`` and the ``status`` model.

Each word is checked against its table (``tables``), then the words decide together through one
decision table (``decisions``, which ``runstate.sql`` emits too): ``status`` wins on the phase, the
legacy result refines the outcome, a contradiction is a ``StateConflictWarning``, an unknown word is
reported (strict: ``UnmappedStateError``) and the other words still decide. Words known together
are memoized (:data:`_MEMO`), so bulk history decides each combination once. A ``str`` subclass (a
``StrEnum``) is read as its plain text. The decisions and their sources: docs/decisions.md,
sections "Databricks Jobs" (#databricks) to "A termination type without a code".
"""

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Final, NamedTuple

from runstate.provider_kit import EMPTY, Context, Outcome, Reason, State, UnmappedStateWarning, opt_mapping

from . import identity
from . import state_table as decisions
from . import tables as t
from .details import intern, message

__all__ = [
    "LEGACY_QUEUE_CHARS",
    "LEGACY_QUEUE_REASONS",
    "LEGACY_WORDS",
    "STATE_WORDS",
    "RunState",
    "run_state",
    "state_of_words",
]

_UNKNOWN: Final = t.OUTCOMES[State.UNKNOWN, None]
_QUEUED: Final = t.OUTCOMES[State.QUEUED, None]
LEGACY_QUEUE_REASONS: Final = (
    ("workspace", Reason.WORKSPACE_LIMIT),
    ("concurrent", Reason.CONCURRENCY_LIMIT),
)
"""Why a legacy-only QUEUED run waits, by keyword of its free-text ``queue_reason`` (first match)."""
LEGACY_QUEUE_CHARS: Final = 500
"""How much of ``queue_reason`` is searched for the keywords (lower-cased)."""


class _Resolved(NamedTuple):
    outcome: Outcome
    conflict: str | None
    provider_state: Mapping[str, str]
    task_outcome: Outcome
    """The outcome of an entry of ``tasks[]`` (``decisions.Row.task_outcome``)."""


_MEMO: dict[tuple[Any, ...], _Resolved] = {}
_MEMO_LIMIT: Final = 4096
_PS_KEYS: Final = (
    "life_cycle_state", "result_state", "status.state",
    "termination_details.code", "termination_details.type", "queue_details.code",
)  # fmt: skip
_WORD_FIELDS: Final = (
    ".state.life_cycle_state", ".state.result_state", ".status.state",
    ".status.termination_details.code", ".status.termination_details.type", ".status.queue_details.code",
)  # fmt: skip
_WORD_TABLES: Final = (
    t.RUN_LIFE_CYCLE_STATE, t.RUN_RESULT_STATE, t.RUN_LIFECYCLE_STATE_V2_STATE,
    t.TERMINATION_CODE_CODE, t.TERMINATION_TYPE_TYPE, t.QUEUE_DETAILS_CODE_CODE,
)  # fmt: skip


def _word(table: Mapping[str, Outcome], value: object, ctx: Context, field: str) -> tuple[str | None, bool]:
    """(the word if the table knows it, whether a problem was reported); "" counts as absent.

    A ``str`` subclass (a ``StrEnum``) arrives here already turned into its plain text by :func:`_plain`.
    """
    if type(value) is str:
        if not value:
            return None, False
        if value in table:
            return value, False
        ctx.unmapped(field, value)
        return None, True
    if value is None:
        return None, False
    ctx.invalid(field, value, "expected a state word (string)", UnmappedStateWarning)
    return None, True


_KEY_TYPES: Final = frozenset({str, bool, type(None)})
"""Types of a memo key's items that need no conversion: only such keys are looked up in ``_MEMO``."""


def _plain(key: tuple[Any, ...]) -> tuple[Any, ...]:
    """The key with every ``str`` subclass (a ``StrEnum``, ...) as its plain text, like an exact ``str``.

    Its own ``__str__`` / ``__eq__`` / ``__hash__`` are not used: ``str.__str__`` gives its characters.
    """
    return tuple(str.__str__(v) if isinstance(v, str) and type(v) is not str else v for v in key)


def _resolve(key: tuple[Any, ...], ctx: Context, path: str) -> _Resolved:
    """The slow path: check every word, map, reconcile; memoized when every word was known."""
    words: list[str | None] = []
    reported = False
    for table, value, field in zip(_WORD_TABLES, key, _WORD_FIELDS, strict=False):
        word, problem = _word(table, value, ctx, path + field)
        words.append(word)
        reported = reported or problem
    # an SDK object turns a code it does not know into None: that code was given, just dropped
    dropped = words[2] == "TERMINATED" and key[8] is True and key[3] is None and key[4] is not None
    if dropped:
        ctx.unmapped(path + ".status.termination_details.code", None, _DROPPED)
        reported = True
    row = decisions.decide(_tokens(key, dropped))
    if row.outcome is _UNKNOWN and not reported:
        ctx.invalid(path + _missing_word(words[0], words[2]), None, "missing state")
        reported = True
    state_words = {k: v for k, v in zip(_PS_KEYS, key, strict=False) if type(v) is str and v}
    provider_state = MappingProxyType(state_words) if state_words else EMPTY
    resolved = _Resolved(row.outcome, row.conflict, provider_state, row.task_outcome)
    if not reported and len(_MEMO) < _MEMO_LIMIT:
        _MEMO[key] = resolved
    return resolved


def _tokens(key: tuple[Any, ...], dropped: bool) -> tuple[str, ...]:
    """The decision table's inputs (``decisions.decide``) from the memo key's words."""
    return (
        decisions.token(decisions.LCS, key[0]),
        decisions.token(decisions.RES, key[1]),
        decisions.token(decisions.V2, key[2]),
        decisions.UNKNOWN if dropped else decisions.token(decisions.CODE, key[3]),
        decisions.token(decisions.TYPE, key[4]),
        decisions.token(decisions.QUEUE, key[5]),
        "user" if key[6] is True else "other",
        "retry" if key[7] is True else "first",
    )


def _missing_word(lcs: str | None, v2: str | None) -> str:
    """The field whose absence left a run without an outcome, where no word was reported."""
    if v2 == "TERMINATED":
        return ".status.termination_details.code"
    if lcs in ("TERMINATED", "SKIPPED"):
        return ".state.result_state"
    return ".state.life_cycle_state"


_DROPPED: Final = "missing: databricks-sdk dropped a termination code it does not know (type kept)"


class _StateKey(NamedTuple):
    """The memo key of a run's state words: what :func:`_resolve` decides from, by name.

    The hot path looks the memo up with an equal plain tuple (a tuple hashes and compares like this
    named tuple, and costs nothing to build); a key is made only for :func:`_resolve`, on a miss.
    """

    life_cycle_state: Any
    result_state: Any
    status_state: Any
    termination_code: Any
    termination_type: Any
    queue_code: Any
    cancelled_by_user: bool
    retried: bool
    """``attempt_number > 0`` or an ``original_attempt_run_id``: evidence of a retry."""
    sdk_object: bool
    """Read from an SDK object, which drops enum values it does not know."""


def _lookup(words: tuple[Any, ...], ctx: Context, path: str) -> _Resolved:
    """The resolved state of words the memo did not have: their plain text looked up again, else
    decided by :func:`_resolve` (which memoizes them when every word was known)."""
    # a str subclass is read as its plain text, so the outcome never depends on what was
    # memoized before; a list or a number is left to the slow path to report
    key = _StateKey._make(_plain(words))
    resolved = _MEMO.get(key) if set(map(type, key)) <= _KEY_TYPES else None
    return resolved or _resolve(key, ctx, path)


_NO_FIELDS: Final[dict[str, Any]] = {}
"""An absent nested object read as empty: a plain dict (its ``get`` is a dict's, not a proxy's), never
written to: nothing reads a section but ``get``."""


def _section(value: Any, ctx: Context, field: str) -> Mapping[str, Any]:
    """A nested object of the record (``state``, ``status``, ...); anything else reported, read as empty."""
    if value is EMPTY or type(value) is dict:
        return value
    mapping: Mapping[str, Any] | None = opt_mapping(value, ctx, field)
    return mapping or EMPTY


LEGACY_WORDS: Final = ("life_cycle_state", "result_state", "user_cancelled_or_timedout", "queue_reason")
STATE_WORDS: Final = (
    *LEGACY_WORDS, "status_state", "termination_code", "termination_type", "queue_code", "attempt_number",
)  # fmt: skip
"""The words :func:`state_of_words` reads: the legacy ``state``'s fields as named, then ``status.state``,
``status.termination_details``' code and type and ``status.queue_details.code``, and the attempt."""


def state_of_words(words: Mapping[str, Any], ctx: Context) -> tuple[State, Reason | None]:
    """The state and reason of bare :data:`STATE_WORDS`, decided as :func:`run_state` decides a run whose
    sections hold them (:func:`runstate.state_of`)."""
    get = words.get
    status: dict[str, Any] = {"state": get("status_state")} if "status_state" in words else {}
    termination = {k: get(f"termination_{k}") for k in ("code", "type") if f"termination_{k}" in words}
    if termination:
        status["termination_details"] = termination
    if "queue_code" in words:
        status["queue_details"] = {"code": get("queue_code")}
    record = {"state": {key: words[key] for key in LEGACY_WORDS if key in words}, "status": status}
    attempt = get("attempt_number")
    retried = attempt is not None and identity.read_attempt(attempt, ctx, "$") > 0
    state, reason, *_ = run_state(record.get, retried, False, False, ctx, "$")
    return state, reason


RunState = tuple[State, Reason | None, Mapping[str, str], bool, str | None]
"""(state, reason, provider_state, cancelled by the user, message): a plain tuple, built once per run."""


def run_state(get: Any, retried: bool, sdk: bool, task: bool, ctx: Context, path: str) -> RunState:
    """The run's outcome from its legacy ``state`` and its ``status`` (see the module), and its message;
    ``task``: an entry of ``tasks[]``, whose legacy SKIPPED says nothing of the job's concurrency."""
    legacy, status, termination, queue = _sections(get, ctx, path)
    by_user = legacy.get("user_cancelled_or_timedout")
    if by_user is not None and type(by_user) is not bool:
        ctx.report("invalid", path + ".state.user_cancelled_or_timedout", by_user, "expected a boolean")
        by_user = None
    status_word = status.get("state")
    words = (
        legacy.get("life_cycle_state"), legacy.get("result_state"), status_word, termination.get("code"),
        termination.get("type"), queue.get("code"), by_user is True, retried, sdk,
    )  # fmt: skip
    try:  # the memo holds only keys of plain words, so a hit is what the slow path would give
        resolved = _MEMO.get(words) or _lookup(words, ctx, path)
    except TypeError:  # unhashable (a list where a word belongs): the slow path reports it
        resolved = _lookup(words, ctx, path)
    outcome, conflict, provider_state, task_outcome = resolved  # unpacked: no attribute lookups
    if task:
        outcome = task_outcome
    if conflict is not None:
        ctx.report("conflict", path + ".status", _words_said(provider_state), conflict)
    if outcome is _QUEUED and status_word is None:
        outcome = _legacy_queue_outcome(legacy.get("queue_reason"))
    return (
        outcome.state,
        outcome.reason,
        provider_state,
        by_user is True,
        _message(legacy, termination, queue, ctx, path),
    )


_Sections = tuple[Mapping[str, Any], Mapping[str, Any], Mapping[str, Any], Mapping[str, Any]]


def _sections(get: Any, ctx: Context, path: str) -> _Sections:
    """The legacy ``state``, ``status`` and its ``termination_details`` and ``queue_details``; an absent
    one read as empty, an odd one reported (the type checks inline: each is a call saved per run)."""
    legacy = get("state", _NO_FIELDS)
    if type(legacy) is not dict:
        legacy = _section(legacy, ctx, path + ".state")
    status = get("status", _NO_FIELDS)
    if type(status) is not dict:
        status = _section(status, ctx, path + ".status")
    termination = status.get("termination_details", _NO_FIELDS)
    if type(termination) is not dict:
        termination = _section(termination, ctx, path + ".status.termination_details")
    queue = status.get("queue_details", _NO_FIELDS)
    if type(queue) is not dict:
        queue = _section(queue, ctx, path + ".status.queue_details")
    return legacy, status, termination, queue


def _message(
    legacy: Mapping[str, Any],
    termination: Mapping[str, Any],
    queue: Mapping[str, Any],
    ctx: Context,
    path: str,
) -> str | None:
    """The run's message: the first non-empty of the four (``details.message`` when one is odd)."""
    text = (
        legacy.get("state_message") or termination.get("message") or queue.get("message")
        or legacy.get("queue_reason")
    )  # fmt: skip
    if text is not None and type(text) is not str:
        return message(legacy, termination, queue, ctx, path)
    if text:  # messages repeat across runs ("1/3 tasks failed..."): one shared string
        return intern(text)
    return text  # None or ""


def _words_said(provider_state: Mapping[str, str]) -> str:
    """The record's state words, short enough to be shown whole in a warning:
    ``"state TERMINATED/FAILED; status TERMINATED/SUCCESS/SUCCESS"`` (not a mapping's repr)."""
    legacy = "/".join(v for k, v in provider_state.items() if k in _LEGACY_KEYS)
    status = "/".join(v for k, v in provider_state.items() if k not in _LEGACY_KEYS)
    return f"state {legacy or '-'}; status {status or '-'}"


_LEGACY_KEYS: Final = ("life_cycle_state", "result_state")


def _legacy_queue_outcome(queue_reason: object) -> Outcome:
    """A legacy-only QUEUED run: why it waits, by keyword of its free-text ``queue_reason``."""
    if type(queue_reason) is str:
        text = queue_reason[:LEGACY_QUEUE_CHARS].lower()
        for word, reason in LEGACY_QUEUE_REASONS:
            if word in text:
                return t.OUTCOMES[State.QUEUED, reason]
    return _QUEUED
