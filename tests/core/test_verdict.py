"""The verdict: one total table, fail-closed invariants, the runs the cited adapter bugs misread, the docs'
table equal to the data, and the same answer as ``poll``'s stopping rule."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import runstate
from runstate import InvalidRecordError, Reason, Run, State, Verdict, verdict
from runstate import provider_kit as kit
from runstate._core.verdict import REFINEMENTS, VERDICT_TABLE, VERDICTS
from runstate._providers.databricks import state_table as _databricks_decisions

from ..paths import ROOT
from ..strategies import runs

DOCS = ROOT / "docs" / "verdict.md"
ALLOWED = {(s, r) for s in State for r in (None, *REFINEMENTS.get(s, ()))}


def test_the_table_has_one_row_for_every_pair_the_vocabulary_allows_and_no_other() -> None:
    assert set(VERDICTS) == ALLOWED
    assert len(VERDICT_TABLE) == len(VERDICTS)  # no pair decided twice
    assert {r for reasons in REFINEMENTS.values() for r in reasons} == set(Reason)
    assert all(row.why.strip() for row in VERDICT_TABLE)


def _provider_outcomes() -> set[tuple[State, Reason | None]]:
    pairs = {
        (o.state, o.reason)
        for name in runstate.providers()
        for table in runstate.REGISTRY.get(name).tables.values()
        for o in table.values()
    }
    for row in _databricks_decisions.TABLE:  # the combined decisions, not only single words
        pairs |= {(row.outcome.state, row.outcome.reason), (row.task_outcome.state, row.task_outcome.reason)}
    return pairs


def test_every_outcome_a_built_in_provider_gives_has_its_own_row() -> None:
    assert _provider_outcomes() <= ALLOWED


@given(st.sampled_from(list(State)), st.sampled_from([None, *Reason]))
def test_it_fails_closed_for_every_state_and_reason(state: State, reason: Reason | None) -> None:
    found = verdict(state, reason)
    assert found.succeeded is (state is State.SUCCEEDED)
    assert found.done is state.is_terminal  # the rule poll stops by
    if not found.done:
        assert found.retryable is None
    if (state, reason) not in ALLOWED:  # a reason the state does not carry says nothing
        assert found == verdict(state)
    assert verdict(state.value, None if reason is None else reason.value) == found


def test_unknown_is_never_done_nor_succeeded() -> None:
    assert verdict(State.UNKNOWN) == Verdict(done=False, succeeded=False, retryable=None)


@given(runs())
def test_a_run_has_the_verdict_of_its_state_and_reason(run: Run) -> None:
    assert verdict(run) == verdict(run.state, run.reason)


def test_the_verdict_is_frozen() -> None:
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        verdict(State.FAILED).done = False  # type: ignore[misc]


@pytest.mark.parametrize(
    ("args", "field"),
    [(("DONE",), "state"), (("FAILED", "OOPS"), "reason"), ((3,), "state")],
)
def test_a_bad_state_or_reason_is_refused_by_name(args: tuple[Any, ...], field: str) -> None:
    with pytest.raises(InvalidRecordError, match=field):
        verdict(*args)


@pytest.mark.parametrize(
    ("state", "reason", "field"),
    [("BOGUS", None, "state"), (None, None, "state"), (State.FAILED, "NOPE", "reason"),
     (State.FAILED, ["x"], "reason")],
)  # fmt: skip
def test_a_run_built_unchecked_with_a_bad_state_or_reason_is_refused_by_name(
    state: Any, reason: Any, field: str
) -> None:
    run = kit.make_run("acme", "r1", state=state, reason=reason)  # the kit's builders do not convert
    with pytest.raises(InvalidRecordError, match=f"runstate: {field}: not a"):
        verdict(run)


def test_a_run_built_unchecked_with_state_names_has_their_verdict() -> None:
    run = kit.make_run("acme", "r1", state="FAILED", reason="PLATFORM_ERROR")  # type: ignore[arg-type]
    assert verdict(run) == verdict(State.FAILED, Reason.PLATFORM_ERROR)


def test_a_run_with_a_separate_reason_is_refused() -> None:
    run = runstate.normalize("glue", {"Id": "jr_1", "JobRunState": "FAILED"})
    with pytest.raises(InvalidRecordError, match="reason"):
        verdict(run, Reason.USER_ERROR)  # type: ignore[call-overload]


# --- the runs adapters misread (docs/verdict.md, "What each row answers") --------------------------


def _dbx(state: dict[str, Any]) -> Run:
    return runstate.normalize("databricks", {"run_id": 1, "state": state}, strict=True)


CASES = [
    # apache/airflow#69174, #69195: in-flight, so a durable retry reconnects instead of resubmitting
    ("airflow#69174 BLOCKED", _dbx({"life_cycle_state": "BLOCKED"}), Verdict(False, False, None)),
    ("airflow#69195 WAITING_FOR_RETRY", _dbx({"life_cycle_state": "WAITING_FOR_RETRY"}),
     Verdict(False, False, None)),
    # databricks/dbt-databricks#1477: TERMINATED + FAILED is a failure
    ("dbt-databricks#1477", _dbx({"life_cycle_state": "TERMINATED", "result_state": "FAILED"}),
     Verdict(True, False, None)),
    # databricks/dbt-databricks#985: a cancelled run is no success, and no retry
    ("dbt-databricks#985", _dbx({"life_cycle_state": "TERMINATED", "result_state": "CANCELED",
                                 "user_cancelled_or_timedout": True}), Verdict(True, False, False)),
    # dagster-io/dagster#13668: SKIPPED ends the run (a previous run was active: capacity)
    ("dagster#13668", _dbx({"life_cycle_state": "SKIPPED"}), Verdict(True, False, True)),
    # flyteorg/flyte#4243: INTERNAL_ERROR ends the run, the platform's fault
    ("flyte#4243", _dbx({"life_cycle_state": "INTERNAL_ERROR"}), Verdict(True, False, True)),
    # apache/airflow#71495: Glue STOPPED is a stop, not a success
    ("airflow#71495", runstate.normalize("glue", {"Id": "jr_1", "JobRunState": "STOPPED"}, strict=True),
     Verdict(True, False, False)),
]  # fmt: skip


@pytest.mark.parametrize(("issue", "run", "expected"), CASES, ids=[c[0] for c in CASES])
def test_misread_runs_get_the_documented_verdict(issue: str, run: Run, expected: Verdict) -> None:
    assert verdict(run) == expected
    assert issue.split()[0] in DOCS.read_text(encoding="utf-8")


# --- the docs' table is the data ----------------------------------------------------------------

_ROW = re.compile(r"^\| `(\w+)` \| (`\w+`|—) \| (yes|no) \| (yes|no) \| (yes|no|—) \|", re.MULTILINE)


def test_the_docs_table_shows_every_row_as_decided() -> None:
    shown = {}
    for state, reason, done, succeeded, retryable in _ROW.findall(DOCS.read_text(encoding="utf-8")):
        key = (State(state), None if reason == "—" else Reason(reason.strip("`")))
        retry = None if retryable == "—" else retryable == "yes"
        shown[key] = Verdict(done == "yes", succeeded == "yes", retry)
    assert shown == dict(VERDICTS)


# --- poll's last run ----------------------------------------------------------------------------


def _answers(*words: str) -> Iterator[dict[str, Any]]:
    return iter([{"Id": "jr_1", "JobName": "etl", "JobRunState": w} for w in words])


@pytest.mark.parametrize("end", ["SUCCEEDED", "FAILED", "STOPPED", "TIMEOUT", "ERROR", "EXPIRED"])
def test_poll_stops_exactly_when_the_verdict_is_done(end: str) -> None:
    answers = _answers("WAITING", "RUNNING", "STOPPING" if end == "STOPPED" else "RUNNING", end)
    seen = list(runstate.poll(lambda: next(answers), "glue", interval=0, timeout=60, sleep=lambda _: None))
    assert [verdict(run).done for run in seen] == [False] * (len(seen) - 1) + [True]
    assert verdict(seen[-1]).succeeded is (end == "SUCCEEDED")


def test_apoll_gives_the_same_last_verdict() -> None:
    async def waited() -> list[Run]:
        answers = _answers("RUNNING", "FAILED")

        async def nap(_: float) -> None:
            return None

        polled = runstate.apoll(lambda: next(answers), "glue", interval=0, timeout=60, sleep=nap)
        return [run async for run in polled]

    seen = asyncio.run(waited())
    assert verdict(seen[-1]) == Verdict(done=True, succeeded=False, retryable=None)
