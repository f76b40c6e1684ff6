"""Databricks system tables: every documented value, slices merged into runs, the Jobs API agreement."""

from __future__ import annotations

import ast
import inspect
import itertools
import json
import warnings
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from importlib import resources
from typing import Any

import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st

import runstate
from runstate import (
    InvalidRecordError,
    InvalidRecordWarning,
    Missing,
    Reason,
    RecordFailure,
    Run,
    State,
    StateConflictWarning,
    UnmappedStateError,
    UnmappedStateWarning,
    check_provider,
)
from runstate._providers.databricks import system as dbs
from runstate._providers.databricks import system_columns as page
from runstate._providers.databricks import system_merge
from runstate._providers.databricks import tables as jobs_api
from runstate.provider_kit import format_time

from ...paths import FIXTURES, ROOT

FIXTURES = FIXTURES / "databricks_system"
CASES = sorted(p.stem for p in FIXTURES.glob("*.json"))
P = "databricks_system"


def load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text())
    return data


def three_slices() -> list[dict[str, Any]]:
    lines = (FIXTURES / "three_slice_run.jsonl").read_text().splitlines()
    return [json.loads(line) for line in lines]


def row(**fields: Any) -> dict[str, Any]:
    base = {
        "workspace_id": "42",
        "job_id": "7",
        "run_id": "1001",
        "period_start_time": "2026-03-01T10:00:00Z",
    }
    return {**base, "period_end_time": "2026-03-01T10:30:00Z", **fields}


def test_spec_is_sound() -> None:
    check_provider(dbs.SPEC)


def test_shared_tables_are_the_jobs_api_tables_and_the_system_spelling() -> None:
    assert dict(dbs.TERMINATION_CODE) == {**jobs_api.TERMINATION_CODE_CODE, "CANCELLED": _CANCELED_CODE}
    assert dbs.TERMINATION_TYPE is jobs_api.TERMINATION_TYPE_TYPE
    assert dbs.SPEC.tables["termination_code"] == dbs.TERMINATION_CODE  # the registry's frozen copy


_CANCELED_CODE = jobs_api.TERMINATION_CODE_CODE["CANCELED"]


@pytest.mark.parametrize(
    ("fields", "state", "reason"),
    [
        ({"termination_code": "CANCELLED"}, State.CANCELED, Reason.CANCELED_BY_PLATFORM),
        (
            {"result_state": "CANCELLED", "termination_code": "CANCELLED"},
            State.CANCELED,
            Reason.CANCELED_BY_PLATFORM,
        ),
        ({"result_state": "TIMED_OUT", "termination_code": "CANCELLED"}, State.TIMED_OUT, None),
        (
            {"termination_code": "CANCELLED", "termination_type": "SUCCESS"},
            State.CANCELED,
            Reason.CANCELED_BY_PLATFORM,
        ),
    ],
)
def test_a_termination_code_in_the_tables_spelling_reads_as_the_jobs_api_word(
    fields: dict[str, str], state: State, reason: Reason | None
) -> None:
    """The tables spell ``result_state`` CANCELLED; their ``termination_code`` CANCELLED is the Jobs
    API's CANCELED ("canceled during execution by the Databricks platform"), in strict mode too."""
    run = runstate.normalize(P, row(**fields), strict=True)
    spelled = runstate.normalize(P, row(**{**fields, "termination_code": "CANCELED"}), strict=True)
    assert (run.state, run.reason) == (state, reason) == (spelled.state, spelled.reason)
    assert run.provider_state["termination_code"] == "CANCELLED"  # the row's own word is kept


@pytest.mark.parametrize("kind", [None, *jobs_api.KNOWN_TERMINATION_TYPES])
@pytest.mark.parametrize("code", jobs_api.KNOWN_TERMINATION_CODES)
def test_termination_codes_map_exactly_as_the_jobs_api(code: str, kind: str | None) -> None:
    details = {"code": code} if kind is None else {"code": code, "type": kind}
    api = runstate.normalize(
        "databricks",
        {"run_id": 1001, "status": {"state": "TERMINATED", "termination_details": details}},
        strict=True,
    )
    fields = (
        {"termination_code": code} if kind is None else {"termination_code": code, "termination_type": kind}
    )
    system = runstate.normalize(P, row(**fields), strict=True)
    assert (system.state, system.reason) == (api.state, api.reason)
    assert system.is_terminal and system.ended_at is not None


DESIGN = [
    ("SUCCEEDED", State.SUCCEEDED, None),
    ("FAILED", State.FAILED, None),
    ("SKIPPED", State.SKIPPED, None),
    ("CANCELLED", State.CANCELED, None),
    ("TIMED_OUT", State.TIMED_OUT, None),
    ("ERROR", State.FAILED, Reason.PLATFORM_ERROR),
    ("BLOCKED", State.SKIPPED, None),
]


def test_design_covers_every_documented_result_state() -> None:
    assert sorted(w for w, _, _ in DESIGN) == sorted(dbs.KNOWN_RESULT_STATES)


@pytest.mark.parametrize(("word", "state", "reason"), DESIGN)
def test_every_result_state_strictly(word: str, state: State, reason: Reason | None) -> None:
    run = runstate.normalize(P, row(result_state=word), strict=True)
    assert (run.state, run.reason) == (state, reason)
    assert run.provider_state == {"result_state": word}
    assert run.ended_at == datetime(2026, 3, 1, 10, 30, tzinfo=UTC)


@pytest.mark.parametrize("trigger", dbs.TRIGGER_TYPES)
@pytest.mark.parametrize("run_type", dbs.RUN_TYPES)
def test_every_trigger_and_run_type_strictly(trigger: str, run_type: str) -> None:
    run = runstate.normalize(
        P, row(trigger_type=trigger, run_type=run_type, result_state="SUCCEEDED"), strict=True
    )
    assert run.details["trigger_type"] == trigger and run.details["run_type"] == run_type


@pytest.mark.parametrize(
    ("result", "code", "kind", "state", "reason"),
    [
        ("TIMED_OUT", "CANCELED", "SUCCESS", State.TIMED_OUT, None),  # the platform cancel was the timeout
        ("CANCELLED", "USER_CANCELED", "SUCCESS", State.CANCELED, Reason.CANCELED_BY_USER),
        ("CANCELLED", "CANCELED", None, State.CANCELED, Reason.CANCELED_BY_PLATFORM),
        ("FAILED", "DRIVER_ERROR", "INTERNAL_ERROR", State.FAILED, Reason.PLATFORM_ERROR),
        ("FAILED", "RUN_EXECUTION_ERROR", "CLIENT_ERROR", State.FAILED, Reason.USER_ERROR),
        ("ERROR", "RUN_EXECUTION_ERROR", "CLIENT_ERROR", State.FAILED, Reason.USER_ERROR),  # code wins
        ("SKIPPED", "MAX_CONCURRENT_RUNS_EXCEEDED", None, State.SKIPPED, Reason.CONCURRENCY_LIMIT),
    ],
)
def test_result_state_and_code_together(
    result: str, code: str, kind: str | None, state: State, reason: Reason | None
) -> None:
    fields = {"result_state": result, "termination_code": code, "termination_type": kind}
    run = runstate.normalize(P, row(**fields), strict=True)
    assert (run.state, run.reason) == (state, reason)


def test_contradiction_is_a_conflict_and_the_code_wins() -> None:
    with pytest.warns(StateConflictWarning, match="termination_code says FAILED"):
        run = runstate.normalize(
            P, row(result_state="SUCCEEDED", termination_code="RUN_EXECUTION_ERROR"), strict=True
        )
    assert (run.state, run.reason) == (State.FAILED, Reason.USER_ERROR)


@pytest.mark.parametrize("name", CASES)
def test_fixture_round_trips_strictly(name: str) -> None:
    run = runstate.normalize(P, load(name), strict=True)
    assert runstate.from_dict(json.loads(json.dumps(runstate.to_dict(run)))) == run
    assert run.namespace == "databricks:1234567890123456"
    assert run.is_terminal and run.raw == load(name)


def test_task_row() -> None:
    run = runstate.normalize(P, load("task_failed"), strict=True)
    assert run.name == "transform_clicks" and run.parent_run_id == "555000111222444"
    assert "task_parameters" not in run.details  # parameters: raw only
    assert run.raw is not None and run.raw["task_parameters"] == {"date": "2026-03-01"}
    assert run.durations.execution == timedelta(seconds=886)


def test_rows_before_the_duration_columns_report_no_durations_never_zero() -> None:
    run = runstate.normalize(P, load("run_legacy_row"), strict=True)
    for part in ("queue", "setup", "execution", "cleanup"):
        assert getattr(run.durations, part) is None
        assert run.durations.why_missing(part) is Missing.NOT_REPORTED
    assert run.durations.total == timedelta(minutes=41, seconds=17)  # its one slice


def test_newer_rows_zeros_are_real() -> None:
    run = runstate.normalize(P, load("run_skipped_concurrency"), strict=True)
    assert run.durations.queue == timedelta(0) and run.durations.total == timedelta(0)


def test_multitask_parts_are_not_applicable() -> None:
    run = runstate.normalize(P, load("run_multitask_failed"), strict=True)
    assert run.durations.why_missing("execution") is Missing.NOT_APPLICABLE
    assert run.durations.total == timedelta(seconds=1205)


def test_one_slice_is_the_run_seen_through_that_slice() -> None:
    first = runstate.normalize(P, three_slices()[0], strict=True)
    assert first.state is State.RUNNING and first.ended_at is None and first.provider_state == {}
    assert first.durations.why_missing("total") is Missing.NOT_ENDED
    assert first.details["periods"] == [["2026-03-01T08:17:00Z", "2026-03-01T09:00:00Z"]]


def test_three_slices_merge_into_one_run() -> None:
    (run,) = runstate.normalize_many(P, three_slices(), strict=True)
    assert run.state is State.SUCCEEDED and run.run_id == "555000111223000"
    assert run.started_at == datetime(2026, 3, 1, 8, 17, tzinfo=UTC)
    assert run.ended_at == datetime(2026, 3, 1, 10, 51, tzinfo=UTC)
    assert run.durations.total == timedelta(seconds=9240) and run.durations.queue == timedelta(seconds=20)
    assert len(run.details["periods"]) == 3
    assert run.raw == {"slices": three_slices()}
    assert runstate.from_dict(json.loads(json.dumps(runstate.to_dict(run)))) == run


def test_merged_legacy_slices_total_is_the_sum_of_their_periods() -> None:
    slices = [
        row(period_start_time="2026-03-01T08:30:00Z", period_end_time="2026-03-01T09:00:00Z"),
        row(
            period_start_time="2026-03-01T09:00:00Z",
            period_end_time="2026-03-01T09:10:00Z",
            result_state="FAILED",
        ),
    ]
    (run,) = runstate.normalize_many(P, slices, strict=True)
    assert run.durations.total == timedelta(minutes=40)
    assert run.durations.why_missing("execution") is Missing.NOT_REPORTED


def test_keep_raw_false() -> None:
    (run,) = runstate.normalize_many(P, three_slices(), keep_raw=False)
    assert run.raw is None and run.state is State.SUCCEEDED


def test_a_run_without_its_end_row_is_yielded_not_ended() -> None:
    (run,) = runstate.normalize_many(P, three_slices()[1::-1], strict=True)
    assert run.state is State.RUNNING and run.ended_at is None
    assert run.started_at == datetime(2026, 3, 1, 8, 17, tzinfo=UTC)
    assert [p[0] for p in run.details["periods"]] == ["2026-03-01T08:17:00Z", "2026-03-01T09:00:00Z"]


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("2026-03-01T10:00:00.000Z", "2026-03-01T10:30:00.000Z"),  # Spark to_json
        ("2026-03-01 10:00:00+00", "2026-03-01 10:30:00+00"),  # DuckDB / PostgreSQL text
        (1772359200000, 1772361000000),  # pandas to_json: epoch milliseconds
        (1772359200, 1772361000.0),  # epoch seconds
        (datetime(2026, 3, 1, 10, tzinfo=UTC), datetime(2026, 3, 1, 10, 30, tzinfo=UTC)),  # Arrow, polars
    ],
)
def test_period_times_as_exports_write_them(start: object, end: object) -> None:
    run = runstate.normalize(P, row(period_start_time=start, period_end_time=end, result_state="SUCCEEDED"),
                             strict=True)  # fmt: skip
    assert (run.started_at, run.ended_at) == (datetime(2026, 3, 1, 10, tzinfo=UTC),
                                              datetime(2026, 3, 1, 10, 30, tzinfo=UTC))  # fmt: skip


def test_duplicate_slices_count_once() -> None:
    """At-least-once loads repeat rows: a repeated slice is one period, a repeated end row one run."""
    legacy = [
        row(period_start_time="2026-03-01T08:30:00Z", period_end_time="2026-03-01T09:00:00Z"),
        row(period_start_time="2026-03-01T09:00:00Z", period_end_time="2026-03-01T09:10:00Z",
            result_state="FAILED"),
    ]  # fmt: skip
    for rows in ([legacy[0], *legacy], [*legacy, legacy[1]], [legacy[0], *legacy, legacy[1], legacy[0]]):
        (run,) = runstate.normalize_many(P, rows, strict=True)
        assert run.durations.total == timedelta(minutes=40)  # the sum of two periods, not three
        assert len(run.details["periods"]) == 2 and run.state is State.FAILED
    (run,) = runstate.normalize_many(P, [*three_slices(), three_slices()[2], three_slices()[0]], strict=True)
    assert len(run.details["periods"]) == 3 and run.durations.total == timedelta(seconds=9240)


@pytest.mark.parametrize("order", list(itertools.permutations(range(3))))
def test_the_slices_of_a_run_in_any_order_merge_into_the_same_run(order: tuple[int, ...]) -> None:
    """A warehouse query without ORDER BY returns rows in any order: the end row first, or between
    the slices, gives the run that sorted rows give (its start is the first slice's), quietly."""
    rows = three_slices()
    (expected,) = runstate.normalize_many(P, rows, strict=True)
    (run,) = runstate.normalize_many(P, [rows[i] for i in order], strict=True)
    assert run == expected
    assert (run.started_at, run.ended_at) == (datetime(2026, 3, 1, 8, 17, tzinfo=UTC),
                                              datetime(2026, 3, 1, 10, 51, tzinfo=UTC))  # fmt: skip


def test_a_slice_after_its_run_was_yielded_is_reported_never_a_run_of_its_own(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A run is held until RECENT_RUNS other runs have ended after it: an earlier slice later than
    that cannot join it. It is reported, not a second run left RUNNING."""
    monkeypatch.setattr(system_merge, "RECENT_RUNS", 1)
    first, second, end = three_slices()
    other = row(run_id="1002", result_state="SUCCEEDED")
    with pytest.warns(InvalidRecordWarning, match="after the end row of run '555000111223000'"):
        runs = list(runstate.normalize_many(P, [second, end, other, first], strict=True))
    assert [r.run_id for r in runs] == ["555000111223000", "1002"]
    assert runs[0].started_at == datetime(2026, 3, 1, 9, tzinfo=UTC)  # without the slice that came late


def _repaired_rows() -> list[dict[str, Any]]:
    """A run 01:40-01:55 FAILED, repaired 04:00-04:10 (the repair reuses the run_id; the page counts
    a run's retries as its end rows), newer rows with their duration columns."""
    failed = row(run_id="2001", period_start_time="2026-03-01T01:40:00Z",
                 period_end_time="2026-03-01T01:55:00Z", result_state="FAILED",
                 termination_code="RUN_EXECUTION_ERROR", termination_type="CLIENT_ERROR",
                 queue_duration_seconds=0, setup_duration_seconds=0, execution_duration_seconds=0,
                 cleanup_duration_seconds=0, run_duration_seconds=900)  # fmt: skip
    repaired = {**failed, "period_start_time": "2026-03-01T04:00:00Z",
                "period_end_time": "2026-03-01T04:10:00Z", "result_state": "SUCCEEDED",
                "termination_code": "SUCCESS", "termination_type": "SUCCESS",
                "run_duration_seconds": 600}  # fmt: skip
    return [failed, repaired]


@pytest.mark.parametrize("reverse", [False, True])
def test_a_repaired_run_starts_at_its_original_start_and_spans_its_repairs(reverse: bool) -> None:
    """As the Jobs API gives it (``start_time`` the original start, ``repair_history`` each attempt,
    ``run_duration``: "the job run and all of its repairs"): one run, started 01:40, ended 04:10."""
    rows = _repaired_rows()
    (run,) = runstate.normalize_many(P, rows[::-1] if reverse else rows, strict=True)
    assert (run.state, run.started_at, run.ended_at) == (
        State.SUCCEEDED,
        datetime(2026, 3, 1, 1, 40, tzinfo=UTC),
        datetime(2026, 3, 1, 4, 10, tzinfo=UTC),
    )
    assert run.durations.total == timedelta(minutes=25)  # 15 min, then 10: the wait between not counted
    assert [(h["type"], h["start"], h["end"], h["state"]) for h in run.details["repair_history"]] == [
        ("ORIGINAL", "2026-03-01T01:40:00Z", "2026-03-01T01:55:00Z", "FAILED"),
        ("REPAIR", "2026-03-01T04:00:00Z", "2026-03-01T04:10:00Z", "SUCCEEDED"),
    ]
    (logical,) = runstate.logical_runs([run])
    assert (logical.state, logical.repairs, logical.attempt_count) == (State.SUCCEEDED, 1, 2)
    assert logical.wall == timedelta(hours=2, minutes=30)
    assert runstate.from_dict(json.loads(json.dumps(runstate.to_dict(run)))) == run


def test_a_repair_still_running_counts_only_its_active_intervals() -> None:
    failed, repaired = _repaired_rows()
    slice_ = {k: v for k, v in repaired.items() if not k.startswith(("result", "termination", "run_dur"))}
    (run,) = runstate.normalize_many(P, [slice_, failed], strict=True)
    assert run.state is State.RUNNING and len(run.details["repair_history"]) == 2
    assert run.started_at == datetime(2026, 3, 1, 1, 40, tzinfo=UTC)
    assert run.elapsed(datetime(2026, 3, 1, 4, 5, tzinfo=UTC)) == timedelta(minutes=20)


def test_a_repeated_end_row_after_a_repair_counts_once_quietly(monkeypatch: pytest.MonkeyPatch) -> None:
    rows = _repaired_rows()
    (once,) = runstate.normalize_many(P, rows, strict=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert list(runstate.normalize_many(P, [*rows, rows[0], rows[1]], strict=True)) == [once]
        monkeypatch.setattr(system_merge, "RECENT_RUNS", 1)  # yielded before its repeats arrive: remembered
        other = row(run_id="1002", result_state="SUCCEEDED")
        later = list(runstate.normalize_many(P, [*rows, other, rows[0], rows[1]], strict=True))
        assert later[0] == once and len(later) == 2


def test_a_repair_after_its_run_was_yielded_merges_with_what_came_out(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Within the last RECENT_RUNS runs yielded, a repair's rows that come after the run came out
    give the run again, from its original start with both attempts (``raw`` the repair's rows
    only); ``logical_runs`` folds the two into the repaired run, as when the rows came together."""
    failed, repaired = _repaired_rows()
    (together,) = runstate.normalize_many(P, [failed, repaired], strict=True)
    monkeypatch.setattr(system_merge, "RECENT_RUNS", 1)
    other = row(run_id="1002", result_state="SUCCEEDED")
    first, _, again = runstate.normalize_many(P, [failed, other, repaired], strict=True)
    assert (first.state, again.state) == (State.FAILED, State.SUCCEEDED)
    assert again.started_at == together.started_at and again.durations == together.durations
    assert again.details["repair_history"] == together.details["repair_history"]
    assert again.raw is not None and len(again.raw["slices"]) == 1
    (logical,) = runstate.logical_runs([first, again])
    assert (logical.state, logical.repairs, logical.wall) == (
        State.SUCCEEDED,
        1,
        timedelta(hours=2, minutes=30),
    )


def _slices_of(run_id: str, hours: int) -> list[dict[str, Any]]:
    start = datetime(2026, 3, 1, tzinfo=UTC)
    rows = []
    for h in range(hours):
        fields = {"result_state": "SUCCEEDED"} if h == hours - 1 else {}
        begin, end = start + timedelta(hours=h), start + timedelta(hours=h + 1)
        rows.append(
            row(run_id=run_id, period_start_time=begin.isoformat(), period_end_time=end.isoformat(), **fields)
        )
    return rows


@given(data=st.data(), sizes=st.lists(st.integers(1, 4), min_size=1, max_size=5))
def test_unsorted_input_merges_like_sorted_input(data: st.DataObject, sizes: list[int]) -> None:
    """Any interleaving of runs, slices in any order within a run as long as its end row comes last."""
    groups = [_slices_of(str(i), n) for i, n in enumerate(sizes)]
    expected = {r.run_id: r for r in runstate.normalize_many(P, itertools.chain(*groups), strict=True)}
    pending = [[*data.draw(st.permutations(g[:-1])), g[-1]] for g in groups]
    mixed = []
    while any(pending):
        group = data.draw(st.sampled_from([g for g in pending if g]))
        mixed.append(group.pop(0))
    got = {r.run_id: r for r in runstate.normalize_many(P, mixed, strict=True)}
    assert got == expected
    assert all(
        r.state is State.SUCCEEDED and r.durations.total == timedelta(hours=n)
        for r, n in zip((got[str(i)] for i in range(len(sizes))), sizes, strict=True)
    )


@given(data=st.data(), sizes=st.lists(st.integers(1, 4), min_size=1, max_size=4))
def test_any_order_with_repeats_gives_one_ended_run_per_run(data: st.DataObject, sizes: list[int]) -> None:
    """Rows in any order, some repeated: each run comes out once, ended, its end as the end row says."""
    rows = [r for i, n in enumerate(sizes) for r in _slices_of(str(i), n)]
    rows += data.draw(st.lists(st.sampled_from(rows), max_size=4))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InvalidRecordWarning)  # late slices are reported
        got = list(runstate.normalize_many(P, data.draw(st.permutations(rows)), strict=True))
    assert sorted(r.run_id for r in got) == [str(i) for i in range(len(sizes))]
    for run in got:
        n = sizes[int(run.run_id)]
        assert run.state is State.SUCCEEDED
        assert run.ended_at == datetime(2026, 3, 1, tzinfo=UTC) + timedelta(hours=n)


def test_sorted_input_streams_in_constant_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    """A run is yielded once RECENT_RUNS runs have ended after it: a constant number held back."""
    monkeypatch.setattr(system_merge, "RECENT_RUNS", 5)
    consumed = 0

    def endless() -> Iterator[dict[str, Any]]:
        nonlocal consumed
        for i in itertools.count():
            for slice_ in _slices_of(str(i), 3):
                consumed += 1
                yield slice_

    runs = runstate.normalize_many(P, endless(), strict=True)
    for n, run in enumerate(itertools.islice(runs, 500), start=1):
        assert consumed == 3 * (n + 5)  # nothing read ahead but the runs held
        assert run.run_id == str(n - 1) and run.state is State.SUCCEEDED


def test_a_bad_row_in_a_batch_is_reported_and_the_rest_merges() -> None:
    failures: list[RecordFailure] = []
    rows = [*three_slices()[:2], {"run_id": None}, three_slices()[2]]
    runs = list(runstate.normalize_many(P, rows, strict=True, on_error=failures.append))
    assert [f.index for f in failures] == [2]
    assert [r.state for r in runs] == [State.SUCCEEDED]


def test_not_a_row() -> None:
    with pytest.raises(InvalidRecordError, match=r"databricks_system: \$: expected a system table row"):
        runstate.normalize(P, ["not", "a", "row"])


def test_unknown_result_state() -> None:
    with pytest.raises(
        UnmappedStateError, match=r"databricks_system: \$.result_state: unmapped state: 'PAUSED'"
    ):
        runstate.normalize(P, row(result_state="PAUSED"), strict=True)
    with pytest.warns(UnmappedStateWarning, match="PAUSED"):
        run = runstate.normalize(P, row(result_state="PAUSED"))
    assert run.state is State.UNKNOWN and run.provider_state == {"result_state": "PAUSED"}


def test_unknown_code_with_an_error_type_is_a_failure_leniently() -> None:
    with pytest.warns(UnmappedStateWarning, match="NEW_CODE"):
        run = runstate.normalize(P, row(termination_code="NEW_CODE", termination_type="CLOUD_FAILURE"))
    assert (run.state, run.reason) == (State.FAILED, Reason.PLATFORM_ERROR)


def test_missing_run_id_and_bad_time() -> None:
    with pytest.raises(InvalidRecordError, match=r"\$.run_id: missing or unusable run id"):
        runstate.normalize(P, row(run_id=None), strict=True)
    with pytest.raises(InvalidRecordError, match=r"\$.period_start_time: cannot parse time"):
        runstate.normalize(P, row(period_start_time="yesterday"), strict=True)
    with pytest.warns(InvalidRecordWarning):
        assert runstate.normalize(P, row(period_start_time="yesterday")).started_at is None


def test_end_before_start_is_reported() -> None:
    record = row(period_end_time="2026-03-01T09:00:00Z", result_state="SUCCEEDED")
    with pytest.raises(InvalidRecordError, match="ends before it starts"):
        runstate.normalize(P, record, strict=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        run = runstate.normalize(P, record)
    assert caught and run.durations.total is None


def test_looks_like_a_system_table_row() -> None:
    assert all(dbs.looks_like_databricks_system(load(name)) for name in CASES)
    assert not dbs.looks_like_databricks_system({"run_id": 1, "state": {}})
    assert not dbs.looks_like_databricks_system(["period_start_time", "workspace_id"])


def test_merge_of_one_slice_is_that_slice() -> None:
    run = runstate.normalize(P, load("run_succeeded"), strict=True)
    assert system_merge.merge([run]) is run
    assert isinstance(run, Run)


def test_bundled_example_merges_into_valid_runs() -> None:
    lines = resources.files("runstate").joinpath("examples", f"{P}.jsonl").read_text().splitlines()
    runs = list(runstate.normalize_many(P, (json.loads(line) for line in lines), strict=True))
    assert len(runs) == len(lines) - 2  # the three slices are one run
    schema = json.loads((ROOT / "schemas" / "run.schema.json").read_text())
    for run in runs:
        jsonschema.validate(runstate.to_dict(run), schema)
    assert all(run.is_terminal for run in runs)


# --- the page's columns (runstate._providers.databricks.system_columns) -------------------------

DOCUMENTED = {**page.RUN_TIMELINE_COLUMNS, **page.TASK_RUN_TIMELINE_COLUMNS}
SAMPLE = {
    "string": "x",
    "timestamp": datetime(2026, 3, 1, 10, tzinfo=UTC),
    "long": 60,
    "array": ["0301-105900-abcd1234"],
    "map": {"date": "2026-03-01"},
}
"""A value of each data type the page gives, as Spark's ``Row.asDict()`` returns it."""
END = datetime(2026, 3, 1, 10, 30, tzinfo=UTC)


def _is_row_get(func: ast.expr) -> bool:
    return isinstance(func, ast.Attribute) and func.attr == "get" and getattr(func.value, "id", "") in ROWS


ROWS = ("row", "record")
"""The names the provider gives a row (a run's ``details.get`` is not a column)."""


def _columns_read() -> set[str]:
    """Every column name the provider's code reads: ``.get("...")``, ``row["..."]`` and its tuples."""
    tree = ast.parse(inspect.getsource(dbs))
    names: set[str] = {
        str(node.args[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and (_is_row_get(node.func) or getattr(node.func, "id", None) == "get")  # get = record.get
        and node.args
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    }
    names |= {
        str(node.slice.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Subscript)
        and isinstance(node.value, ast.Name)
        and node.value.id in ROWS
        and isinstance(node.slice, ast.Constant)
    }
    return names | set(dbs._DETAILS) | set(dbs._PARTS)


def test_every_column_the_provider_reads_is_documented_or_said_unread() -> None:
    read = _columns_read()
    assert {"run_id", "period_start_time", "result_state", "termination_type", "task_key"} <= read
    assert read <= set(DOCUMENTED) | set(page.UNREAD_COLUMNS)
    assert not set(page.UNREAD_COLUMNS) & set(DOCUMENTED)


def test_fixture_rows_use_only_documented_columns() -> None:
    rows = [load(name) for name in CASES] + three_slices()
    for fixture in rows:
        assert set(fixture) <= set(DOCUMENTED) | set(page.UNREAD_COLUMNS), fixture


def test_a_run_row_with_every_documented_column_reads_strictly() -> None:
    """One job_run_timeline end row with each column the page lists, typed as the page types it."""
    fields: dict[str, Any] = {c: SAMPLE[t] for c, t in page.RUN_TIMELINE_COLUMNS.items()}
    fields.update(
        workspace_id="42", run_id="9001", run_name="daily", period_end_time=END,
        result_state="SUCCEEDED", termination_code="SUCCESS", termination_type="SUCCESS", trigger_type="CRON",
        run_type="JOB_RUN", source_task_run_id="77", compute=[{"type": "CLUSTER", "cluster_id": "0301"}],
        run_duration_seconds=1800,
    )  # fmt: skip
    run = runstate.normalize(P, fields, strict=True)
    assert (run.state, run.run_id, run.job_id, run.name) == (State.SUCCEEDED, "9001", "x", "daily")
    assert run.namespace == "databricks:42" and run.parent_run_id == "77"
    assert run.started_at == SAMPLE["timestamp"] and run.ended_at == END
    assert run.durations.queue == timedelta(seconds=60) and run.durations.total == timedelta(seconds=1800)
    kept = {"account_id", "trigger_type", "run_type", "compute_ids", "compute"}
    kept |= {"source_task_run_id", "root_task_run_id"}
    assert {k: run.details[k] for k in kept} == {k: fields[k] for k in kept}
    assert "job_parameters" not in run.details and run.raw is not None and "job_parameters" in run.raw
    assert run.provider_state == {"result_state": "SUCCEEDED", "termination_code": "SUCCESS",
                                  "termination_type": "SUCCESS"}  # fmt: skip


def test_a_task_row_with_every_documented_column_reads_strictly() -> None:
    """A job_task_run_timeline row: its run_id is "The ID of the task run", under its job run."""
    fields: dict[str, Any] = {c: SAMPLE[t] for c, t in page.TASK_RUN_TIMELINE_COLUMNS.items()}
    fields.update(
        workspace_id="42", run_id="9002", job_run_id="9001", parent_run_id="9001", task_key="ingest",
        period_end_time=datetime(2026, 3, 1, 10, 5, tzinfo=UTC), result_state="FAILED",
        termination_code="RUN_EXECUTION_ERROR",
    )  # fmt: skip
    run = runstate.normalize(P, fields, strict=True)
    assert (run.run_id, run.parent_run_id, run.name) == ("9002", "9001", "ingest")
    assert (run.state, run.reason) == (State.FAILED, Reason.USER_ERROR)
    assert run.details["compute_ids"] == SAMPLE["array"]


def test_only_the_end_row_has_the_columns_the_page_puts_on_it() -> None:
    """The page: result_state and termination_code are "populated only in the row that represents the
    end of the run"; so the fixture's earlier slices have neither, and they read as not ended."""
    *slices, end = three_slices()
    for piece in slices:
        assert piece.get("result_state") is None and piece.get("termination_code") is None
        assert runstate.normalize(P, piece, strict=True).ended_at is None
    assert end["result_state"] and end["termination_code"]
    assert runstate.normalize(P, end, strict=True).is_terminal


def test_the_pages_retry_count_is_the_repairs_normalize_many_finds() -> None:
    """The page's query counts a run's retries as its rows with a result_state, less one: two failed
    attempts repaired (Databricks repairs failed runs, under the same run_id), the last succeeds."""
    end = {**three_slices()[2], "result_state": "FAILED", "termination_code": "RUN_EXECUTION_ERROR"}
    retry = {**end, "period_start_time": "2026-03-01T11:30:00Z", "period_end_time": "2026-03-01T11:40:00Z"}
    again = {**three_slices()[2], "period_start_time": "2026-03-01T12:00:00Z",
             "period_end_time": "2026-03-01T12:10:00Z"}  # fmt: skip
    rows = [*three_slices()[:2], end, retry, again]
    retries_count = sum(1 for r in rows if r.get("result_state") is not None) - 1
    (run,) = runstate.normalize_many(P, rows, strict=True)
    assert retries_count == 2 == len(run.details["repair_history"]) - 1
    (logical,) = runstate.logical_runs([run])
    assert (logical.attempt_count, logical.state) == (retries_count + 1, State.SUCCEEDED)


def test_result_state_evidence_quotes_the_page_and_says_what_was_not_read() -> None:
    for word, evidence in dbs.RESULT_STATE_EVIDENCE.items():
        assert evidence.startswith(f"{page.PAGE}#result (")
        assert page.END_ROW_NOTE in evidence and "The outcome of the job run" in evidence
        assert f"{word} is as recalled, unverified" in evidence
    assert "value lists" in dbs.PROVENANCE and "not read" in dbs.PROVENANCE


@pytest.mark.parametrize("start", ["known end", None])
def test_a_slice_without_a_period_start_does_not_reopen_its_ended_run(start: str | None) -> None:
    """A slice row whose ``period_start_time`` is null (its end known, or neither time) is placed by
    its end, or with the run's first rows: it is no repair after the end row, so the run stays as
    its end row says, in any row order, not RUNNING."""
    base = {"workspace_id": "42", "job_id": "7", "run_id": "3001"}
    end = None if start is None else "2026-03-01T09:00:00Z"
    rows = [
        {**base, "period_start_time": None, "period_end_time": end},
        {**base, "period_start_time": "2026-03-01T09:00:00Z", "period_end_time": "2026-03-01T10:00:00Z"},
        {**base, "period_start_time": "2026-03-01T10:00:00Z", "period_end_time": "2026-03-01T10:30:00Z",
         "result_state": "SUCCEEDED", "termination_code": "SUCCESS", "termination_type": "SUCCESS"},
    ]  # fmt: skip
    for order in itertools.permutations(rows):
        (run,) = runstate.normalize_many(P, order, strict=True)
        assert run.state is State.SUCCEEDED
        assert "repair_history" not in run.details
        assert run.ended_at == datetime(2026, 3, 1, 10, 30, tzinfo=UTC)


def test_two_end_rows_of_one_period_that_disagree_are_a_conflict_in_any_order() -> None:
    """An exact repeat counts once quietly; two end rows of one period with different outcomes are
    no repeat (two exports of the table disagree): a ``StateConflictWarning``, the same run kept."""
    period = {"period_start_time": "2026-03-01T10:00:00Z", "period_end_time": "2026-03-01T10:30:00Z"}
    base = {"workspace_id": "42", "job_id": "7", "run_id": "3101", **period}
    failed = {**base, "result_state": "FAILED", "termination_code": "RUN_EXECUTION_ERROR",
              "termination_type": "CLIENT_ERROR"}  # fmt: skip
    succeeded = {
        **base,
        "result_state": "SUCCEEDED",
        "termination_code": "SUCCESS",
        "termination_type": "SUCCESS",
    }
    kept = set()
    for order in ([failed, succeeded], [succeeded, failed]):
        with pytest.warns(StateConflictWarning, match="3101"):
            (run,) = runstate.normalize_many(P, order, strict=True)
        kept.add(run.state)
    assert len(kept) == 1
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        (run,) = runstate.normalize_many(P, [failed, dict(failed)], strict=True)
    assert run.state is State.FAILED


def _task_row(run_id: str, key: str, start: str, end: str, result: str | None) -> dict[str, Any]:
    row = {"workspace_id": "42", "job_id": "7", "run_id": run_id, "job_run_id": "9001",
           "parent_run_id": "9001", "task_key": key, "period_start_time": start,
           "period_end_time": end}  # fmt: skip
    if result is not None:
        row["result_state"] = result
    return row


def test_task_runs_of_one_task_key_are_its_attempts() -> None:
    """Two task runs of one task_key under one job run are attempts of one task (a retry or a repair),
    linked in start order as the Jobs API path links ``tasks[]`` (docs/decisions.md)."""
    rows = [
        _task_row("9002", "ingest", "2026-03-01T10:00:00Z", "2026-03-01T10:05:00Z", "FAILED"),
        _task_row("9004", "load", "2026-03-01T10:00:00Z", "2026-03-01T10:02:00Z", "SUCCEEDED"),
        _task_row("9003", "ingest", "2026-03-01T10:06:00Z", "2026-03-01T11:00:00Z", None),
        _task_row("9003", "ingest", "2026-03-01T11:00:00Z", "2026-03-01T11:10:00Z", "FAILED"),
        _task_row("9005", "ingest", "2026-03-01T11:20:00Z", "2026-03-01T11:30:00Z", "SUCCEEDED"),
    ]
    runs = {r.run_id: r for r in runstate.normalize_many(P, rows, strict=True)}
    lineage = {i: (r.previous_run_id, r.original_run_id) for i, r in runs.items()}
    assert lineage == {"9002": (None, None), "9004": (None, None), "9003": ("9002", "9002"),
                       "9005": ("9003", "9002")}  # fmt: skip
    ingest = [lr for lr in runstate.logical_runs(runs.values()) if lr.latest.name == "ingest"]
    assert [(lr.attempt_count, lr.state) for lr in ingest] == [(3, State.SUCCEEDED)]
    other_job_run = {**rows[2], "run_id": "9100", "job_run_id": "9101", "parent_run_id": "9101"}
    apart = list(runstate.normalize_many(P, [rows[0], other_job_run], strict=True))
    assert [(r.previous_run_id, r.original_run_id) for r in apart] == [(None, None)] * 2  # another job run


_SYSTEM_RESULT = {None: None, "SUCCESS": "SUCCEEDED", "FAILED": "FAILED", "TIMEDOUT": "TIMED_OUT"}
_SYSTEM_RESULT["CANCELED"] = "CANCELLED"


@given(
    kind=st.sampled_from([None, "", "NOT_A_TYPE", *jobs_api.KNOWN_TERMINATION_TYPES]),
    result=st.sampled_from(sorted(_SYSTEM_RESULT, key=str)),
)
def test_a_termination_type_without_a_code_reads_as_in_the_jobs_api(
    kind: str | None, result: str | None
) -> None:
    """A ``status`` with a termination type and no code (an SDK round trip drops a code it does not
    know) gives the outcome a system-table end row with that type and no code gives."""
    if not kind and result is None:
        return  # no end column: an open slice in the table, no outcome in the Jobs API
    status: dict[str, Any] = {"state": "TERMINATED", "termination_details": {"type": kind}}
    api_record: dict[str, Any] = {"run_id": 1001, "status": status}
    if result is not None:
        api_record["state"] = {"life_cycle_state": "TERMINATED", "result_state": result}
    fields = {"termination_type": kind, "result_state": _SYSTEM_RESULT[result]}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # unknown words and conflicts are reported alike
        api = runstate.normalize("databricks", api_record)
        system = runstate.normalize(P, row(**{k: v for k, v in fields.items() if v is not None}))
    assert (system.state, system.reason) == (api.state, api.reason)


def test_parameters_stay_out_of_details() -> None:
    """``job_parameters`` ("The job-level parameters used in the run", a map) and ``task_parameters``
    often hold credentials: ``raw`` keeps them, ``details`` (in ``--no-raw`` output and ``to_row``) not."""
    secret = {"token": "dapi-not-a-real-token"}
    record = row(result_state="SUCCEEDED", job_parameters=secret, task_parameters=secret)
    run = runstate.normalize(P, record, strict=True)
    assert "job_parameters" not in run.details and "task_parameters" not in run.details
    assert run.raw is not None and run.raw["job_parameters"] == secret
    lean = runstate.normalize(P, record, keep_raw=False)
    assert "dapi-not-a-real-token" not in json.dumps(runstate.to_dict(lean))
    assert "dapi-not-a-real-token" not in repr(runstate.to_row(lean))


# --- the merge does not depend on row order ------------------------------------------------------

_DAY = datetime(2026, 3, 1, tzinfo=UTC)


def _attempt_rows(
    fields: dict[str, Any], start: datetime, minutes: int, outcome: dict[str, Any]
) -> list[dict[str, Any]]:
    """One attempt as the table writes it: a row per hourly slice, the outcome on the last."""
    rows, begin, end = [], start, start + timedelta(minutes=minutes)
    while True:
        cut = min(end, begin.replace(minute=0, second=0) + timedelta(hours=1))
        last = cut == end
        rows.append({**fields, "period_start_time": begin.isoformat(), "period_end_time": cut.isoformat(),
                     **(outcome if last else {})})  # fmt: skip
        if last:
            return rows
        begin = cut


_FAILED = {
    "result_state": "FAILED",
    "termination_code": "RUN_EXECUTION_ERROR",
    "termination_type": "CLIENT_ERROR",
}
_CANCELED = {"result_state": "CANCELLED", "termination_code": "USER_CANCELED", "termination_type": "SUCCESS"}
_DONE = {"result_state": "SUCCEEDED", "termination_code": "SUCCESS", "termination_type": "SUCCESS"}


@st.composite
def warehouse_rows(draw: st.DrawFn) -> list[dict[str, Any]]:
    """Job runs repaired after failing or being canceled (the same run_id), task runs retried under
    new ids (one task_key, one after the other), each attempt in hourly slices, some rows repeated."""
    rows: list[dict[str, Any]] = []
    for i in range(draw(st.integers(1, 4))):
        fields = {"workspace_id": "42", "job_id": "7", "run_id": f"10{i}"}
        start = _DAY + timedelta(minutes=draw(st.integers(0, 600)))
        attempts = draw(st.integers(1, 3))
        for a in range(attempts):
            minutes = draw(st.integers(1, 150))
            last = a == attempts - 1
            outcome = (
                draw(st.sampled_from([_DONE, _FAILED]))
                if last
                else draw(st.sampled_from([_FAILED, _CANCELED]))
            )
            if last and draw(st.booleans()):
                outcome = {}  # still running when the table was read
            rows += _attempt_rows(fields, start, minutes, outcome)
            start += timedelta(minutes=minutes + draw(st.integers(1, 120)))
        task = {"workspace_id": "42", "job_id": "7", "job_run_id": f"10{i}", "task_key": "ingest"}
        start = _DAY + timedelta(minutes=draw(st.integers(0, 600)))
        for t in range(draw(st.integers(0, 3))):
            minutes = draw(st.integers(1, 90))
            rows += _attempt_rows(
                {**task, "run_id": f"20{i}{t}"}, start, minutes, draw(st.sampled_from([_DONE, _FAILED]))
            )
            start += timedelta(minutes=minutes + 1)
    return rows + draw(st.lists(st.sampled_from(rows), max_size=3))


@given(warehouse_rows(), st.randoms(use_true_random=False))
def test_the_merge_does_not_depend_on_row_order(rows: list[dict[str, Any]], rnd: Any) -> None:
    shuffled = list(rows)
    rnd.shuffle(shuffled)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # repeats and disorder are quiet
        merged = list(runstate.normalize_many(P, rows, strict=True))
        assert list(runstate.normalize_many(P, shuffled, strict=True)) == merged
    assert len({(r.namespace, r.run_id) for r in merged}) == len(merged)  # one run per run id
    for run in merged:
        assert run.started_at is not None
        history = run.details.get("repair_history", [{"start": format_time(run.started_at)}])
        assert history[0]["start"] == format_time(run.started_at)  # the original start


def test_task_runs_of_one_task_key_that_overlap_are_iterations_not_attempts() -> None:
    """For-each iterations run at once under one task_key; a retry starts after its attempt ended
    (``RunTask.attempt_number``). Overlapping task runs are not linked; a later retry continues
    the one that failed."""
    rows = [
        _task_row("9011", "per_region", "2026-03-01T10:00:00Z", "2026-03-01T10:10:00Z", "FAILED"),
        _task_row("9012", "per_region", "2026-03-01T10:01:00Z", "2026-03-01T10:15:00Z", "SUCCEEDED"),
        _task_row("9013", "per_region", "2026-03-01T10:02:00Z", "2026-03-01T10:12:00Z", "SUCCEEDED"),
        _task_row("9014", "per_region", "2026-03-01T10:20:00Z", "2026-03-01T10:25:00Z", "SUCCEEDED"),
    ]
    for order in itertools.permutations(rows):
        runs = {r.run_id: r for r in runstate.normalize_many(P, order, strict=True)}
        lineage = {i: (r.previous_run_id, r.original_run_id) for i, r in runs.items()}
        assert lineage == {"9011": (None, None), "9012": (None, None), "9013": (None, None),
                           "9014": ("9011", "9011")}  # fmt: skip
        logical = runstate.logical_runs(runs.values())
        assert sorted(lr.state for lr in logical) == [State.SUCCEEDED] * 3  # 9011 retried by 9014


@pytest.mark.parametrize("strict", [True, False])
def test_a_jobs_api_run_is_refused_with_the_provider_to_use(strict: bool) -> None:
    """A runs/get answer has run_id but no period: read as a slice it would be a silent RUNNING run."""
    jobs_api_run = {"run_id": 455644833812391, "job_id": 7, "start_time": 1775109600118,
                    "state": {"life_cycle_state": "TERMINATED", "result_state": "SUCCESS"},
                    "status": {"state": "TERMINATED"}}  # fmt: skip
    with pytest.raises(InvalidRecordError, match="not a system table row: use provider 'databricks'"):
        runstate.normalize(P, jobs_api_run, strict=strict)
    assert runstate.normalize(P, row(), strict=strict).state is State.RUNNING  # a slice: still read


@pytest.mark.parametrize(
    ("start", "end"),
    [("2026-03-01T10:00:00Z", "9999-12-31T23:59:59Z"), ("0001-01-01T00:00:00Z", "2026-03-01T10:00:00Z")],
)
def test_a_period_over_100_years_is_reported_and_no_total(start: str, end: str) -> None:
    """A row without duration columns takes its period as its total; a period over 100 years comes
    from a sentinel time, not a run: reported and left missing, as the Jobs API's wall time is."""
    row = {
        "workspace_id": "1234567890123456",
        "job_id": "987654321012345",
        "run_id": "700",
        "result_state": "SUCCEEDED",
        "period_start_time": start,
        "period_end_time": end,
    }
    with pytest.raises(runstate.InvalidRecordError, match="period_end_time"):
        runstate.normalize("databricks_system", row, strict=True)
    with pytest.warns(runstate.InvalidRecordWarning, match="over 100 years"):
        (run,) = runstate.normalize_many("databricks_system", [row])
    assert run.durations.total is None
    assert run.durations.why_missing("total") is runstate.Missing.NOT_REPORTED


def test_runs_with_and_without_a_workspace_starting_together_merge_in_either_order() -> None:
    ended = row(result_state="SUCCEEDED")
    without = {k: v for k, v in ended.items() if k != "workspace_id"} | {"run_id": "1"}
    for rows in ([ended, without], [without, ended]):
        runs = list(runstate.normalize_many(P, rows, strict=True))
        assert [(r.namespace, r.run_id) for r in runs] == [(None, "1"), ("databricks:42", "1001")]
