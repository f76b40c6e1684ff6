"""The API under faults: pickling, copies, process pools, over-deep values, leap seconds, tracker ties."""

from __future__ import annotations

import copy
import json
import multiprocessing
import pickle
import random
import re
import threading
import warnings
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta, timezone
from types import MappingProxyType
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import runstate
from runstate import (
    GRAPH,
    Durations,
    IllegalTransitionError,
    InvalidRecordError,
    Missing,
    ProviderSpecError,
    Run,
    RunTracker,
    State,
    StateConflictWarning,
    UnknownProviderError,
    UnmappedStateError,
    to_dict,
)
from runstate._core.errors import MAX_NESTING, RunstateWarning, short_repr
from runstate._core.tracker import instant_ranks

from ..paths import FIXTURES
from ..strategies import runs

FIXTURES = FIXTURES
COPIES: list[Callable[[Any], Any]] = [lambda v: pickle.loads(pickle.dumps(v)), copy.copy, copy.deepcopy]


def _fixture_runs() -> list[Run]:
    result = []
    for provider in ("databricks", "glue", "cloud_deploy"):
        for path in sorted((FIXTURES / provider).glob("*.json")):
            record = json.loads(path.read_text())
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RunstateWarning)
                try:
                    result.append(runstate.normalize(provider, record))
                except InvalidRecordError:  # a list page, not one record
                    continue
    return result


@pytest.mark.parametrize("copier", COPIES)
def test_every_fixture_run_round_trips_through_pickle_and_copies(copier: Callable[[Any], Any]) -> None:
    fixture_runs = _fixture_runs()
    assert len(fixture_runs) >= 10
    for run in fixture_runs:
        again = copier(run)
        assert again == run
        assert to_dict(again) == to_dict(run)
        assert again.durations == run.durations
        assert type(again.provider_state) is type(run.provider_state)


@given(run=runs())
def test_any_run_round_trips_through_pickle(run: Run) -> None:
    for copier in COPIES:
        assert copier(run) == run


def test_durations_with_missing_reasons_pickle() -> None:
    durations = Durations(queue=timedelta(seconds=3), missing={"total": Missing.NOT_ENDED})
    for copier in COPIES:
        assert copier(durations) == durations


EXCEPTIONS: list[Exception] = [
    UnknownProviderError("glu", ["glue", "databricks"]),
    InvalidRecordError("glue", "$.StartedOn", "yesterday", "cannot parse time"),
    UnmappedStateError("glue", "$.JobRunState", "PAUSED"),
    IllegalTransitionError(State.SUCCEEDED, State.RUNNING, 3),
    ProviderSpecError("acme", ["no table", "bad state"]),
]


@pytest.mark.parametrize("exc", EXCEPTIONS, ids=lambda e: type(e).__name__)
def test_every_exception_round_trips(exc: Exception) -> None:
    for copier in COPIES:
        again = copier(exc)
        assert type(again) is type(exc)
        assert str(again) == str(exc)
        assert again.args == exc.args
        assert vars(again) == vars(exc)


def _raise_unknown_provider(name: str) -> Run:
    return runstate.normalize(name, {})


def test_a_pool_worker_raising_unknown_provider_does_not_hang() -> None:
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        result = pool.apply_async(_raise_unknown_provider, ("glu",))
        with pytest.raises(UnknownProviderError, match="unknown provider 'glu'"):
            result.get(timeout=120)


def _deep(depth: int) -> dict[str, Any]:
    value: dict[str, Any] = {}
    for _ in range(depth):
        value = {"a": value}
    return value


@pytest.mark.parametrize("depth", [MAX_NESTING + 1, 10_000])
def test_over_deep_runs_refuse_pickling_and_copies_with_invalid_record_error(depth: int) -> None:
    run = Run(provider="glue", run_id="1", state=State.RUNNING, raw=_deep(depth))
    for copier in COPIES[::2]:  # copy.copy is shallow and never walks the value
        with pytest.raises(InvalidRecordError, match=f"nested more than {MAX_NESTING} levels"):
            copier(run)
    with pytest.raises(InvalidRecordError, match=f"nested more than {MAX_NESTING} levels"):
        to_dict(run)


def test_messages_of_over_deep_or_hostile_values_never_raise() -> None:
    class Hostile:
        def __repr__(self) -> str:
            raise RuntimeError("no")

    assert len(short_repr(_deep(10_000))) <= 120
    assert short_repr(Hostile()) == "<Hostile object: repr raised RuntimeError>"
    exc = InvalidRecordError("glue", "$", _deep(10_000), "too deep")
    assert "too deep" in str(exc)
    again = pickle.loads(pickle.dumps(exc))
    assert str(again) == str(exc)
    assert isinstance(again.value, str)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2016-12-31T23:59:60Z", datetime(2016, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)),
        ("2016-12-31T23:59:60.5Z", datetime(2016, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)),
        ("2017-01-01T00:59:60+01:00", datetime(2016, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)),
    ],
)
def test_leap_second_is_the_last_instant_of_its_minute_with_a_warning(text: str, expected: datetime) -> None:
    for strict in (True, False):
        with pytest.warns(RunstateWarning, match="leap second"):
            assert runstate.parse_time(text, strict=strict) == expected


def test_a_leap_second_in_a_record_normalizes() -> None:
    with pytest.warns(RunstateWarning, match=r"\$\.StartedOn: leap second"):
        run = runstate.normalize(
            "glue", {"Id": "1", "JobRunState": "RUNNING", "StartedOn": "2016-12-31T23:59:60Z"}
        )
    assert run.started_at == datetime(2016, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)


def test_second_61_is_still_refused() -> None:
    with pytest.raises(InvalidRecordError, match="cannot parse time"):
        runstate.parse_time("2016-12-31T23:59:61Z")


def test_year_one_at_plus_14_warns_and_to_dict_still_works() -> None:
    start = datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=14)))
    with pytest.warns(runstate.InvalidRecordWarning, match="time out of range in UTC"):
        run = runstate.normalize("glue", {"Id": "1", "JobRunState": "RUNNING", "StartedOn": start})
    assert run.started_at is None
    assert to_dict(run)["raw"]["StartedOn"] == "0001-01-01T00:00:00+14:00"


T0 = datetime(2026, 3, 1, tzinfo=UTC)


def test_tracker_stores_a_bounded_number_of_conflicts_for_ties() -> None:
    tracker = RunTracker()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", StateConflictWarning)
        for i in range(4000):
            tracker.observe(State.SUCCEEDED if i % 2 else State.FAILED, T0)  # no step between them
    # each new observation is compared with the first of each other state, not with every tie
    assert len(tracker.conflicts) == 3999
    assert all(c.first.at == c.second.at == T0 for c in tracker.conflicts)
    same = RunTracker()
    for _ in range(40_000):
        same.observe(State.RUNNING, T0)
    assert same.conflicts == ()
    assert same.history() == [State.RUNNING]


@given(
    st.lists(st.tuples(st.integers(0, 20), st.sampled_from([State.PENDING, State.RUNNING, State.SUCCEEDED])))
)
def test_tracker_orders_like_a_stable_sort(items: list[tuple[int, State]]) -> None:
    tracker = RunTracker()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", StateConflictWarning)
        for offset, state in items:
            tracker.observe(state, T0 + timedelta(seconds=offset))
    ranks = instant_ranks(GRAPH)  # at one instant, in the order the graph allows, then arrival
    expected = sorted(items, key=lambda item: (item[0], ranks[item[1]]))
    assert [(int((o.at - T0).total_seconds()), o.state) for o in tracker.observations] == expected
    assert tracker.state == (expected[-1][1] if expected else None)


def test_tracker_scales_to_100k_observations_in_random_order() -> None:
    rng = random.Random(7)
    offsets = list(range(100_000))
    rng.shuffle(offsets)
    tracker = RunTracker()
    for offset in offsets:
        tracker.observe(State.RUNNING, T0 + timedelta(seconds=offset))
    assert len(tracker.observations) == 100_000
    assert tracker.observations[0].at == T0


def _normalize_all(records: list[tuple[str, Any]]) -> list[str]:
    out = []
    for provider, record in records:
        try:
            out.append(json.dumps(to_dict(runstate.normalize(provider, record)), sort_keys=True))
        except InvalidRecordError as exc:
            out.append(f"{type(exc).__name__}: {exc}")
    return out


def test_eight_threads_give_the_same_results_as_one() -> None:
    records = []
    for provider in ("databricks", "glue", "cloud_deploy"):
        records += [
            (provider, json.loads(p.read_text())) for p in sorted((FIXTURES / provider).glob("*.json"))
        ]
    records *= 8
    with warnings.catch_warnings():  # set once: catch_warnings inside threads would race
        warnings.simplefilter("ignore", RunstateWarning)
        one = _normalize_all(records)
        with ThreadPoolExecutor(8) as pool:
            results = list(pool.map(_normalize_all, [records[i::8] for i in range(8)]))
    merged = [results[i % 8][i // 8] for i in range(len(records))]
    assert merged == one


class _RaisingMapping(Mapping[str, Any]):
    """A third-party mapping whose reads raise, kept in a run's raw."""

    def __getitem__(self, key: str) -> Any:
        raise RuntimeError("hostile __getitem__")

    def __iter__(self) -> Iterator[str]:
        return iter(["a"])

    def __len__(self) -> int:
        return 1


def test_mapping_proxies_nested_in_raw_and_details_survive_pickle_and_copies() -> None:
    """Regression: a MappingProxyType below the top of raw or details made pickle raise TypeError."""
    inner: Mapping[str, Any] = MappingProxyType({"a": (1, MappingProxyType({"b": [MappingProxyType({})]}))})
    task = Run(provider="databricks", run_id="t", state=State.RUNNING, raw={"x": inner})
    run = Run(
        provider="databricks",
        run_id="r",
        state=State.RUNNING,
        tasks=[task],
        raw=MappingProxyType({"x": inner}),
        details={"s": inner},
    )
    for copier in COPIES:
        again = copier(run)
        assert again == run
        assert to_dict(again) == to_dict(run)
        assert type(again.raw) is MappingProxyType
        assert type(again.details["s"]) is MappingProxyType
        assert type(again.tasks[0].raw["x"]["a"][1]["b"][0]) is MappingProxyType
    assert copy.copy(run).details["s"] is inner  # shallow: the same values


def test_a_hostile_mapping_in_raw_refuses_pickling_with_invalid_record_error() -> None:
    """Regression: walking raw for its depth called the mapping's methods and let RuntimeError out."""
    run = Run(provider="glue", run_id="jr_1", state=State.RUNNING, raw={"x": _RaisingMapping()})
    for copier in COPIES[::2]:
        with pytest.raises(InvalidRecordError, match=r"glue: raw: .*reading it raised RuntimeError") as info:
            copier(run)
        assert info.value.value == "jr_1"
        assert isinstance(info.value.__cause__, RuntimeError)


def _all_exceptions() -> list[BaseException]:
    """Every exception and warning class, built with its documented arguments."""
    return [
        *EXCEPTIONS,
        runstate.InvalidRecordWarning("glue", "$.StartedOn", "yesterday", "cannot parse time"),
        runstate.UnmappedStateWarning("glue", "$.JobRunState", "PAUSED", "unmapped state"),
        runstate.NaiveDatetimeWarning("glue", "$.StartedOn", datetime(2026, 3, 1), "naive"),
        runstate.InconsistentDurationWarning("glue", "$", "1 > 0", "parts add up to more than the whole"),
        StateConflictWarning("glue", "$", "RUNNING", "two states"),
        RunstateWarning("a plain message"),
    ]


def _raise_with_note(exc: BaseException) -> None:
    exc.add_note("record #7 of the batch")
    raise exc


@pytest.mark.parametrize("exc", _all_exceptions(), ids=lambda e: type(e).__name__)
def test_exceptions_keep_their_notes_through_pickle_and_copies(exc: BaseException) -> None:
    """Regression: InvalidRecordError and UnknownProviderError pickled only their args, so the note
    ``record #N of the batch`` that normalize_many adds was lost on the way back from a Pool."""
    exc.add_note("record #7 of the batch")
    for copier in COPIES:
        again = copier(exc)
        assert type(again) is type(exc)
        assert str(again) == str(exc)
        assert again.__notes__ == ["record #7 of the batch"]


def test_an_unpicklable_value_travels_as_its_short_form() -> None:
    """Regression: an error naming a value pickle refuses (a hostile record) could not be pickled."""
    for value in (_RaisingMapping(), lambda: 1, _deep(MAX_NESTING + 1)):
        exc = InvalidRecordError("glue", "$", value, "reading the record raised RuntimeError")
        warning = runstate.InvalidRecordWarning("glue", "$", value, "dropped")
        for copier in COPIES[::2]:
            again = copier(exc)
            assert isinstance(again.value, str)
            assert str(again) == str(exc)
            assert str(copier(warning)) == str(warning)


def _raise_hostile_error(_: int) -> None:
    exc = InvalidRecordError("glue", "$", _RaisingMapping(), "reading the record raised RuntimeError")
    exc.add_note("record #3 of the batch")
    raise exc


def test_a_pool_worker_raising_an_error_about_a_hostile_record_reports_it() -> None:
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        result = pool.apply_async(_raise_hostile_error, (0,))
        with pytest.raises(InvalidRecordError, match="reading the record raised") as info:
            result.get(timeout=120)
    assert info.value.__notes__ == ["record #3 of the batch"]


def test_eight_threads_see_the_same_warnings_as_one() -> None:
    """normalize never touches the warning filters (no catch_warnings, which is not thread-safe
    before Python 3.14): set once here, every thread sees exactly the warnings of its own records."""
    records: list[tuple[str, Any]] = [
        (provider, json.loads(p.read_text()))
        for provider in ("databricks", "glue", "cloud_deploy", "databricks_system", "glue_events")
        for p in sorted((FIXTURES / provider).glob("*.json"))
    ]
    records.append(("glue", {"Id": "x", "JobRunState": "PAUSED", "StartedOn": "2016-12-31T23:59:60Z"}))
    seen: dict[int, list[str]] = {}

    def show(message: Warning | str, category: type[Warning], *_: Any, **__: Any) -> None:
        seen[threading.get_ident()].append(f"{category.__name__}: {message}")

    def work(_: int) -> tuple[list[str], list[str]]:
        seen[threading.get_ident()] = []
        out = []
        for provider, record in records:
            try:
                out += [json.dumps(to_dict(r)) for r in runstate.normalize_many(provider, [record])]
            except InvalidRecordError as exc:
                out.append(str(exc))
        return out, seen[threading.get_ident()]

    with warnings.catch_warnings():
        warnings.simplefilter("always")
        warnings.showwarning = show
        one = work(0)
        with ThreadPoolExecutor(8) as pool:
            results = list(pool.map(work, range(16)))
    assert len(one[1]) >= 2  # the unmapped PAUSED and the leap second at least
    assert all(result == one for result in results)


@pytest.mark.parametrize(
    ("records", "problem"),
    [
        (None, "expected an iterable of records: None"),
        (5, "expected an iterable of records: 5"),
        ({"Id": "jr_1", "JobRunState": "RUNNING"}, "expected an iterable of records, not one dict: {"),
        ('{"Id": "jr_1"}', "expected an iterable of records, not one str: "),
        (b"{}", "expected an iterable of records, not one bytes: "),
    ],
    ids=["None", "int", "dict", "str", "bytes"],
)
def test_normalize_many_refuses_what_is_no_iterable_of_records(records: Any, problem: str) -> None:
    """Regression: None or a number raised a bare TypeError on the first next(); one record given
    whole was iterated, so each key (or character) failed as 'expected a JobRun object: 'Id''."""
    failures: list[runstate.RecordFailure] = []
    with pytest.raises(InvalidRecordError, match=re.escape(f"glue: records: {problem}")):
        runstate.normalize_many("glue", records, on_error=failures.append)
    assert failures == []


def _call_from_deep_in_the_stack(function: Callable[[], Any], frames: int) -> Any:
    return function() if frames == 0 else _call_from_deep_in_the_stack(function, frames - 1)


@pytest.mark.parametrize("kind", ["dict", "list", "proxy"])
def test_a_run_at_the_nesting_limit_deep_copies_from_deep_in_a_stack(kind: str) -> None:
    """Regression: copy.deepcopy spends two (dict, list) to five (mapping proxy) frames per level,
    so raw nested exactly MAX_NESTING levels of proxies raised RecursionError even from the top."""
    wrap: dict[str, Callable[[Any], Any]] = {
        "dict": lambda v: {"a": v},
        "list": lambda v: [v],
        "proxy": lambda v: MappingProxyType({"a": v}),
    }
    value: Any = {}
    for _ in range(MAX_NESTING - 2):
        value = wrap[kind](value)
    raw = {"x": value}  # MAX_NESTING levels in all, the limit itself
    task = Run(provider="glue", run_id="t", state=State.RUNNING, raw=raw, details=raw)
    run = Run(provider="glue", run_id="r", state=State.RUNNING, tasks=[task], raw=raw)
    again = _call_from_deep_in_the_stack(lambda: copy.deepcopy(run), 200)
    assert again == run
    assert again.raw is not run.raw
    assert type(again.tasks[0].raw["x"]) is type(value)
