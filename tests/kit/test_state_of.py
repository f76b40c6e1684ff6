"""``state_of``: bare provider words decided as ``normalize`` decides a record built from them, strict
and lenient; unknown keywords refused by name; other providers read through their tables."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from functools import partial
from typing import Any
from unittest import mock

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import runstate
from runstate import InvalidRecordError, Reason, State, UnmappedStateError, UnmappedStateWarning, state_of
from runstate._providers.cloud_deploy import tables as _cloud_deploy
from runstate._providers.databricks import system as _databricks_system
from runstate._providers.databricks import tables as dbx
from runstate._providers.glue import events as _glue_events
from runstate._providers.glue import tables as _glue

from ..acme_provider import SPEC as ACME

UNKNOWN_WORD = "NOT_A_DOCUMENTED_WORD"


ODD_VALUES = ("", "  ", 3, 2.5, True, ["RUNNING"])
"""Values no table holds, each read by the reader's own reporting path (lowercase is UNKNOWN_WORD's)."""


def _word(table: object) -> st.SearchStrategy[Any]:
    known = st.sampled_from(sorted(table))  # type: ignore[call-overload]
    odd = st.sampled_from([UNKNOWN_WORD, UNKNOWN_WORD.lower(), *ODD_VALUES])
    return st.one_of(st.none(), known, known.map(str.lower), odd)


Outcome = tuple[Any, ...]


def _outcome(call: Callable[[], Any]) -> Outcome:
    """What a call gives: its state and reason and the warnings' categories, or its error and field."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            got = call()
        except InvalidRecordError as exc:
            return ("raised", type(exc), exc.provider, exc.field)
    state, reason = (got.state, got.reason) if isinstance(got, runstate.Run) else got
    unmapped = any(issubclass(w.category, UnmappedStateWarning) for w in caught)
    return ("gave", state, reason, unmapped)


def _agree(provider: str, record: dict[str, Any], words: dict[str, Any]) -> None:
    for strict in (False, True):
        by_record = _outcome(partial(runstate.normalize, provider, record, strict=strict))
        by_words = _outcome(partial(state_of, provider, strict=strict, **words))
        assert by_words == by_record, (strict, record, words)


def _given(**words: Any) -> dict[str, Any]:
    return {k: v for k, v in words.items() if v is not None}


# --- agreement with normalize, provider by provider --------------------------------------------


@settings(max_examples=300)
@given(
    lcs=_word(dbx.RUN_LIFE_CYCLE_STATE), res=_word(dbx.RUN_RESULT_STATE),
    v2=_word(dbx.RUN_LIFECYCLE_STATE_V2_STATE), code=_word(dbx.TERMINATION_CODE_CODE),
    kind=_word(dbx.TERMINATION_TYPE_TYPE), queue=_word(dbx.QUEUE_DETAILS_CODE_CODE),
    by_user=st.sampled_from([None, True, False, "yes"]), attempt=st.sampled_from([None, 0, 1, "1", True]),
    queue_reason=st.sampled_from([None, "Queued due to reaching maximum concurrent runs of the job."]),
)  # fmt: skip
def test_databricks_words_agree_with_a_run_record(
    lcs: str | None, res: str | None, v2: str | None, code: str | None, kind: str | None,
    queue: str | None, by_user: Any, attempt: Any, queue_reason: str | None,
) -> None:  # fmt: skip
    legacy = _given(life_cycle_state=lcs, result_state=res, user_cancelled_or_timedout=by_user,
                    queue_reason=queue_reason)  # fmt: skip
    termination = _given(code=code, type=kind)
    status: dict[str, Any] = _given(state=v2)
    if termination:
        status["termination_details"] = termination
    if queue is not None:
        status["queue_details"] = {"code": queue}
    record = {"run_id": 1, "state": legacy, "status": status, **_given(attempt_number=attempt)}
    words = _given(status_state=v2, termination_code=code, termination_type=kind, queue_code=queue,
                   attempt_number=attempt, **legacy)  # fmt: skip
    _agree("databricks", record, words)


@given(word=_word(_glue.JOB_RUN_STATE),
       detail=st.sampled_from([None, "", "Waiting: max concurrent runs reached", "resource unavailable"]),
       kind=st.sampled_from([None, "FLEX", "STANDARD"]))  # fmt: skip
def test_glue_words_agree_with_a_job_run(word: str | None, detail: str | None, kind: str | None) -> None:
    words = _given(JobRunState=word, StateDetail=detail, ExecutionClass=kind)
    _agree("glue", {"Id": "jr_1", "JobName": "etl", **words}, words)


@given(word=st.sampled_from([*_glue_events.EVENT_STATES, UNKNOWN_WORD]))
def test_glue_event_words_agree_with_an_event(word: str) -> None:
    kind = next((k for k, states in _glue_events.STATES_BY_DETAIL_TYPE.items() if word in states),
                _glue_events.DETAIL_TYPE)  # fmt: skip
    record = {"detail-type": kind, "source": "aws.glue", "account": "123456789012", "region": "eu-west-1",
              "time": "2026-03-01T10:00:00Z",
              "detail": {"jobName": "etl", "jobRunId": "jr_1", "state": word}}  # fmt: skip
    _agree("glue_events", record, {"state": word})


@settings(max_examples=200)
@given(result=_word(_databricks_system.RESULT_STATE), code=_word(_databricks_system.TERMINATION_CODE),
       kind=_word(_databricks_system.TERMINATION_TYPE))  # fmt: skip
def test_system_table_words_agree_with_a_row(result: str | None, code: str | None, kind: str | None) -> None:
    words = _given(result_state=result, termination_code=code, termination_type=kind)
    record = {"workspace_id": "1", "run_id": "5", "period_start_time": "2026-03-01T10:00:00Z",
              "period_end_time": "2026-03-01T11:00:00Z", **words}  # fmt: skip
    _agree("databricks_system", record, words)


@st.composite
def _cloud_deploy_words(draw: st.DrawFn) -> dict[str, Any]:
    state = draw(
        st.one_of(st.none(), st.sampled_from(_cloud_deploy.KNOWN_JOB_RUN_STATES), st.just(UNKNOWN_WORD)),
    )
    sub_type = draw(st.sampled_from([None, *_cloud_deploy.SUB_TYPES]))
    causes = _cloud_deploy.SUB_TYPES[sub_type].causes if sub_type else ()
    cause = draw(st.one_of(st.none(), st.sampled_from([*causes, UNKNOWN_WORD]))) if sub_type else None
    return _given(state=state, jobRun=sub_type, failureCause=cause)


@given(_cloud_deploy_words())
def test_cloud_deploy_words_agree_with_a_job_run(words: dict[str, Any]) -> None:
    record: dict[str, Any] = {
        "name": "projects/p/locations/l/deliveryPipelines/d/releases/r/rollouts/ro/jobRuns/jr", "uid": "u1",
        "phaseId": "stable", "jobId": "deploy", **_given(state=words.get("state")),
    }  # fmt: skip
    if "jobRun" in words:
        record[words["jobRun"]] = _given(failureCause=words.get("failureCause"))
    _agree("cloud_deploy", record, words)


@pytest.mark.parametrize("attempt", ["2", 2.5, True, -1, 2**31, ["x"]])
def test_an_odd_attempt_number_is_reported_as_a_record_reports_it(attempt: Any) -> None:
    record = {"run_id": 1, "attempt_number": attempt, "status": {"state": "WAITING"}}
    _agree("databricks", record, {"status_state": "WAITING", "attempt_number": attempt})
    with pytest.raises(InvalidRecordError, match="attempt_number"):
        state_of("databricks", status_state="WAITING", attempt_number=attempt, strict=True)


@pytest.mark.parametrize("strict", [False, True])
def test_a_sub_type_is_named_as_a_record_spells_it_and_a_typo_is_refused(strict: bool) -> None:
    rest = state_of("cloud_deploy", state="FAILED", jobRun="deployJobRun", failureCause="EXECUTION_FAILED")
    proto = state_of("cloud_deploy", state="FAILED", jobRun="deploy_job_run", failureCause="EXECUTION_FAILED")
    assert rest == proto == (State.FAILED, Reason.USER_ERROR)
    newer = state_of("cloud_deploy", state="FAILED", jobRun="analysisJobRun", failureCause="CHECK_FAILED")
    assert newer == (State.FAILED, None)  # a sub-type this version does not know refines nothing
    for typo in ("deploy", "DeployJobRun ", 5):
        words = {"state": "FAILED", "jobRun": typo, "failureCause": "EXECUTION_FAILED"}
        with pytest.raises(InvalidRecordError, match="jobRun: not a JobRun sub-type") as raised:
            state_of("cloud_deploy", strict=strict, **words)
        assert (raised.value.provider, raised.value.value) == ("cloud_deploy", typo)


def test_every_built_in_provider_declares_its_words() -> None:
    for name in runstate.providers():
        spec = runstate.REGISTRY.get(name)
        assert spec.state_words is not None, name
        assert spec.state_words.names and all(isinstance(n, str) for n in spec.state_words.names), name


def test_a_spec_without_words_is_read_by_its_one_table() -> None:
    glue = runstate.REGISTRY.get("glue")
    registry = runstate.ProviderRegistry()
    registry.register(attrs.evolve(glue, state_words=None))
    expected = glue.tables["JobRunState"]["FAILED"]
    with mock.patch("runstate._kit.state_of.REGISTRY", registry):
        assert state_of("glue", JobRunState="FAILED") == (expected.state, expected.reason)
        with pytest.raises(InvalidRecordError, match="not a word of provider 'glue'"):
            state_of("glue", JobRunState="FAILED", StateDetail="waiting")


# --- errors -------------------------------------------------------------------------------------


def test_an_unknown_word_raises_strictly_naming_provider_field_and_value() -> None:
    with pytest.raises(UnmappedStateError) as raised:
        state_of("databricks", life_cycle_state="PAUSED", strict=True)
    assert (raised.value.provider, raised.value.field, raised.value.value) == (
        "databricks", "$.state.life_cycle_state", "PAUSED",
    )  # fmt: skip


def test_an_unknown_word_is_unknown_with_a_warning_leniently() -> None:
    with pytest.warns(UnmappedStateWarning, match="glue: \\$.JobRunState: unmapped state: 'PAUSED'"):
        assert state_of("glue", JobRunState="PAUSED") == (State.UNKNOWN, None)


@pytest.mark.parametrize("strict", [False, True])
def test_a_keyword_that_is_not_a_word_of_the_provider_is_refused_in_both_modes(strict: bool) -> None:
    with pytest.raises(InvalidRecordError, match="not a word of provider 'databricks'") as raised:
        state_of("databricks", lifecycle_state="TERMINATED", strict=strict)
    assert (raised.value.provider, raised.value.field) == ("databricks", "lifecycle_state")


def test_a_failure_cause_needs_its_sub_type() -> None:
    with pytest.raises(InvalidRecordError, match="jobRun"):
        state_of("cloud_deploy", state="FAILED", failureCause="EXECUTION_FAILED")


def test_an_unknown_provider_is_refused() -> None:
    with pytest.raises(runstate.UnknownProviderError):
        state_of("nope", state="RUNNING")


# --- other providers, through their tables ------------------------------------------------------


@pytest.fixture
def acme() -> Any:
    runstate.register_provider(ACME)
    yield ACME
    runstate.REGISTRY.unregister("acme")


@pytest.mark.usefixtures("acme")
def test_another_provider_is_read_through_the_table_its_word_names() -> None:
    assert state_of("acme", status="stopped") == (State.CANCELED, Reason.CANCELED_BY_USER)
    run = runstate.normalize("acme", {"id": 1, "status": "error"})
    assert state_of("acme", status="error") == (run.state, run.reason) == (State.FAILED, Reason.USER_ERROR)
    with pytest.raises(UnmappedStateError, match="acme: status: unmapped state: 'paused'"):
        state_of("acme", status="paused", strict=True)
    with pytest.raises(InvalidRecordError, match="not a word of provider 'acme'"):
        state_of("acme", state="done")
    with pytest.raises(InvalidRecordError, match="give one word"):
        state_of("acme")


def test_a_built_in_name_registered_again_is_read_through_the_new_spec() -> None:
    original = runstate.REGISTRY.get("glue_events")
    table = {"state": {"GO": runstate.Outcome(State.RUNNING)}}
    replaced = attrs.evolve(original, tables=table, known_values={"state": ("GO",)}, evidence={},
                            native_states={"GO": frozenset({State.RUNNING})}, native_edges=(),
                            state_words=None)  # fmt: skip
    runstate.register_provider(replaced)
    try:
        assert state_of("glue_events", state="GO") == (State.RUNNING, None)
    finally:
        runstate.register_provider(original)
    assert state_of("glue_events", state="TIMEOUT") == (State.TIMED_OUT, None)


def _raises(words: Any, ctx: Any) -> tuple[State, Reason | None]:
    raise ValueError("no such word here")


def _gives_text(words: Any, ctx: Any) -> Any:
    return ("SUCCEEDED", None)


def _with_words(decide: Callable[..., Any]) -> runstate.ProviderRegistry:
    registry = runstate.ProviderRegistry()
    registry.register(attrs.evolve(ACME, state_words=runstate.provider_kit.StateWords(("status",), decide)))
    return registry


def test_a_decision_that_raises_is_an_invalid_record_error_naming_the_words() -> None:
    refused = pytest.raises(InvalidRecordError, match="acme: words: deciding raised ValueError")
    with mock.patch("runstate._kit.state_of.REGISTRY", _with_words(_raises)), refused as raised:
        state_of("acme", status="done")
    assert raised.value.value == {"status": "done"}


def test_a_decision_that_gives_no_state_is_a_spec_error() -> None:
    refused = pytest.raises(runstate.ProviderSpecError, match="expected \\(State, Reason or None\\)")
    with mock.patch("runstate._kit.state_of.REGISTRY", _with_words(_gives_text)), refused:
        state_of("acme", status="done")


@pytest.mark.parametrize(
    "words",
    ["status", ((), len), (("status", "status"), len), (("status",), "decide"), ((1,), len)],
)
def test_odd_state_words_are_refused_when_registered(words: Any) -> None:
    odd: Any = words if isinstance(words, str) else runstate.provider_kit.StateWords(*words)
    with pytest.raises(runstate.ProviderSpecError, match="state_words"):
        runstate.ProviderRegistry().register(attrs.evolve(ACME, state_words=odd))
