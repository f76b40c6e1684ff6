"""What code that waits on a run needs to decide: is it over, did it succeed, is it worth a retry.

One table, as data (:data:`VERDICT_TABLE`): a row for every canonical state with no reason and for
every reason the vocabulary pairs with that state (:data:`REFINEMENTS`), each with its evidence.
:func:`verdict` reads it; it fails closed: UNKNOWN is never done and never succeeded, and only
SUCCEEDED succeeds. docs/verdict.md shows the table and what each row answers.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final, NamedTuple, overload

import attrs

from .errors import InvalidRecordError
from .model import Run
from .vocabulary import Phase, Reason, State

__all__ = ["REFINEMENTS", "VERDICTS", "VERDICT_TABLE", "Verdict", "VerdictRow", "verdict"]


@attrs.frozen(slots=True)
class Verdict:
    """Whether a run is over, whether it succeeded, and whether a new attempt is worth making."""

    done: bool
    """The run will not change again by itself (its state is terminal); never for UNKNOWN."""
    succeeded: bool
    """Only SUCCEEDED, a partial success included (its failed tasks carry their own verdicts)."""
    retryable: bool | None
    """``True``: a platform error or a capacity limit, worth a new attempt; ``False``: a user error,
    a requested cancel, a timeout, a success, a skip by design; ``None``: nothing says (or not over)."""


class VerdictRow(NamedTuple):
    """One row of :data:`VERDICT_TABLE`: a (state, reason) and its verdict, with the evidence."""

    state: State
    reason: Reason | None
    verdict: Verdict
    why: str


_S, _R = State, Reason
_WAITING: Final = (Phase.PENDING, Phase.RUNNING)
_WAIT: Final = Verdict(done=False, succeeded=False, retryable=None)
_SUCCESS: Final = Verdict(done=True, succeeded=True, retryable=False)
_SUCCESS_SAYS_NOTHING: Final = Verdict(done=True, succeeded=True, retryable=None)
_RETRY: Final = Verdict(done=True, succeeded=False, retryable=True)
_NO_RETRY: Final = Verdict(done=True, succeeded=False, retryable=False)
_SAYS_NOTHING: Final = Verdict(done=True, succeeded=False, retryable=None)

_DBX_TIMEOUT: Final = (
    "databricks-sdk jobs.Task.retry_on_timeout: 'The default behavior is to not retry on timeout.'"
)
_CANCEL: Final = (
    "a deliberate stop (databricks-sdk jobs.RunResultState CANCELED: 'The run was canceled at user "
    "request'; a Glue STOPPED or Cloud Deploy TERMINATED follows a stop request): a new attempt would "
    "undo it (astronomer-providers#1082 fails a cancelled run without an Airflow retry, 'as the user may "
    "not pay attention to re-cancel')"
)
_CAPACITY: Final = "a capacity limit: the same run can start once capacity frees up"
_NOT_OVER: Final = "not terminal: the run goes on by itself; wait (reconnect, never resubmit)"

REFINEMENTS: Final[Mapping[State, tuple[Reason, ...]]] = MappingProxyType(
    {
        _S.QUEUED: (
            _R.CONCURRENCY_LIMIT, _R.WORKSPACE_LIMIT, _R.QUEUE_LIMIT, _R.WAITING_FOR_RESOURCES, _R.DEFERRED,
        ),
        _S.PENDING: (_R.WAITING_FOR_RESOURCES, _R.DEFERRED),
        _S.SUCCEEDED: (_R.PARTIAL_SUCCESS,),
        _S.FAILED: (_R.USER_ERROR, _R.PLATFORM_ERROR, _R.EXPIRED),
        _S.TIMED_OUT: (_R.USER_ERROR, _R.PLATFORM_ERROR, _R.EXPIRED),
        _S.CANCELED: (_R.CANCELED_BY_USER, _R.CANCELED_BY_PLATFORM),
        _S.SKIPPED: (
            _R.UPSTREAM_FAILED, _R.UPSTREAM_CANCELED, _R.EXCLUDED, _R.DISABLED,
            _R.CONCURRENCY_LIMIT, _R.WORKSPACE_LIMIT, _R.QUEUE_LIMIT,
        ),
    }
)  # fmt: skip
"""The reasons each state may carry, as :class:`~runstate.Reason` groups them ("refinements of ...");
every state may also carry none. A pair outside these is read as its state with no reason."""


def _rows() -> tuple[VerdictRow, ...]:
    row = VerdictRow
    waiting = [row(s, None, _WAIT, _NOT_OVER) for s in State if s.phase in _WAITING]
    waiting.append(row(_S.TERMINATING, None, _WAIT, "ending, not ended: its outcome is still to come"))
    waiting += [
        row(s, r, _WAIT, f"{_NOT_OVER}; the reason says why it waits, not how it ends")
        for s in (_S.QUEUED, _S.PENDING)
        for r in REFINEMENTS[s]
    ]
    return (
        *waiting,
        row(_S.UNKNOWN, None, _WAIT,
            "fails closed: an unmapped word is never taken for an end or a success (poll raises "
            "UnmappedStateError after UNMAPPED_TRIES of them)"),
        row(_S.SUCCEEDED, None, _SUCCESS, "finished successfully: nothing to retry"),
        row(_S.SUCCEEDED, _R.PARTIAL_SUCCESS, _SUCCESS_SAYS_NOTHING,
            "databricks-sdk jobs.RunResultState SUCCESS_WITH_FAILURES: 'The job run completed "
            "successfully with some failures; leaf tasks were successful.' A success, as every export "
            "reads it; which failed task deserves a repair, its own verdict says"),
        row(_S.FAILED, None, _SAYS_NOTHING,
            "the record does not say whose fault (Glue FAILED: 'exceeded its maximum allowed concurrent "
            "runs, or exited with an error')"),
        row(_S.FAILED, _R.USER_ERROR, _NO_RETRY, "the user's code or configuration: it fails again"),
        row(_S.FAILED, _R.PLATFORM_ERROR, _RETRY,
            "the platform failed (internal error, cloud failure), not the run's code"),
        row(_S.FAILED, _R.EXPIRED, _SAYS_NOTHING, "expired before it could finish: nothing says why"),
        row(_S.TIMED_OUT, None, _NO_RETRY,
            "the job's own time limit stopped it (botocore glue JobRun.Timeout: 'the maximum time that a "
            "job run can consume resources before it is terminated and enters TIMEOUT status'); "
            + _DBX_TIMEOUT),
        row(_S.TIMED_OUT, _R.USER_ERROR, _NO_RETRY, "a time limit and the user's fault"),
        row(_S.TIMED_OUT, _R.PLATFORM_ERROR, _RETRY, "a time limit the platform's fault caused"),
        row(_S.TIMED_OUT, _R.EXPIRED, _SAYS_NOTHING,
            "Glue EXPIRED: never started within its time; botocore gives the enum value only, so "
            "nothing says whether capacity or the limit was the cause"),
        row(_S.CANCELED, None, _NO_RETRY, _CANCEL),
        row(_S.CANCELED, _R.CANCELED_BY_USER, _NO_RETRY, _CANCEL),
        row(_S.CANCELED, _R.CANCELED_BY_PLATFORM, _SAYS_NOTHING,
            "the platform stopped it and does not say why: databricks-sdk jobs.TerminationCodeCode CANCELED, "
            "'canceled during execution by the Databricks platform; for example, if the maximum run "
            "duration was exceeded' (a timeout, or not)"),
        row(_S.SKIPPED, None, _SAYS_NOTHING, "never executed; the record does not say why"),
        row(_S.SKIPPED, _R.UPSTREAM_FAILED, _NO_RETRY, "retry the upstream run, not this one"),
        row(_S.SKIPPED, _R.UPSTREAM_CANCELED, _NO_RETRY, "an upstream run was stopped on purpose"),
        row(_S.SKIPPED, _R.EXCLUDED, _NO_RETRY, "a condition excluded it: by design"),
        row(_S.SKIPPED, _R.DISABLED, _NO_RETRY, "the job or task is disabled: by design"),
        row(_S.SKIPPED, _R.CONCURRENCY_LIMIT, _RETRY, _CAPACITY),
        row(_S.SKIPPED, _R.WORKSPACE_LIMIT, _RETRY, _CAPACITY),
        row(_S.SKIPPED, _R.QUEUE_LIMIT, _RETRY, _CAPACITY),
    )  # fmt: skip


VERDICT_TABLE: Final = _rows()
"""Every canonical (state, reason) decision, with its evidence: the table of docs/verdict.md."""

VERDICTS: Final[Mapping[tuple[State, Reason | None], Verdict]] = MappingProxyType(
    {(r.state, r.reason): r.verdict for r in VERDICT_TABLE}
)
""":data:`VERDICT_TABLE` by (state, reason)."""


def _as_state(value: State | str) -> State:
    try:
        return State(value)
    except ValueError:
        raise InvalidRecordError("runstate", "state", value, "not a State") from None


def _as_reason(value: Reason | str | None) -> Reason | None:
    if value is None:
        return None
    try:
        return Reason(value)
    except ValueError:
        raise InvalidRecordError("runstate", "reason", value, "not a Reason") from None


@overload
def verdict(run: Run, /) -> Verdict: ...
@overload
def verdict(state: State | str, reason: Reason | str | None = None, /) -> Verdict: ...
def verdict(run: Run | State | str, reason: Reason | str | None = None, /) -> Verdict:
    """The verdict of a run, or of a state and reason (names are accepted, as ``to_dict`` writes them).

    Fails closed: only SUCCEEDED succeeds, UNKNOWN is never done, and a reason the state does not
    carry (:data:`REFINEMENTS`) is ignored. A bad state or reason raises :class:`InvalidRecordError`.
    """
    if isinstance(run, Run):
        if reason is not None:
            raise InvalidRecordError("runstate", "reason", reason, "give a Run alone (it has its reason)")
        state, why = run.state, run.reason
        if type(state) is not State or (why is not None and type(why) is not Reason):
            state, why = _as_state(state), _as_reason(why)  # a run built unchecked (make_run)
    else:
        state, why = _as_state(run), _as_reason(reason)
    found = VERDICTS.get((state, why))
    return found if found is not None else VERDICTS[state, None]
