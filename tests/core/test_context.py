"""Reporting: one table decides raise or warn, and warnings carry their pieces as the errors do."""

from __future__ import annotations

import pickle
import warnings

import pytest
from hypothesis import given
from hypothesis import strategies as st

from runstate import (
    InconsistentDurationWarning,
    InvalidRecordError,
    InvalidRecordWarning,
    NaiveDatetimeWarning,
    RunstateWarning,
    StateConflictWarning,
    UnmappedStateError,
    UnmappedStateWarning,
)
from runstate._core.context import REPORTS, Context, ReportKind
from runstate._core.errors import problem_text

from ..strategies import json_values, texts

KINDS: tuple[ReportKind, ...] = ("fail", "invalid", "unmapped", "inconsistent", "conflict")


def test_the_table_covers_every_kind_and_each_kind_raises_or_warns() -> None:
    assert set(REPORTS) == set(KINDS)
    assert all(error is not None or warning is not None for error, warning in REPORTS.values())


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("strict", [True, False])
def test_report_follows_the_table(kind: ReportKind, strict: bool) -> None:
    error, warning = REPORTS[kind]
    ctx = Context("acme", strict=strict)
    if error is not None and (strict or warning is None):
        with pytest.raises(error) as info:
            ctx.report(kind, "$.status", "PAUSED", "bad word")
        assert (info.value.provider, info.value.field, info.value.value) == ("acme", "$.status", "PAUSED")
        assert str(info.value) == "acme: $.status: bad word: 'PAUSED'"
    else:
        assert warning is not None
        with pytest.warns(warning) as record:
            ctx.report(kind, "$.status", "PAUSED", "bad word")
        (caught,) = record
        assert isinstance(caught.message, warning)
        assert str(caught.message) == "acme: $.status: bad word: 'PAUSED'"
        assert caught.filename == __file__  # points at the caller outside runstate


@given(texts, texts, json_values, texts, st.sampled_from(KINDS))
def test_warning_and_error_carry_the_same_pieces_and_text(
    provider: str, field: str, value: object, problem: str, kind: ReportKind
) -> None:
    error, warning = REPORTS[kind]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            Context(provider, strict=False).report(kind, field, value, problem)
        except InvalidRecordError as exc:
            raised: InvalidRecordError | RunstateWarning = exc
        else:
            raised = caught[0].message  # type: ignore[assignment]
    assert type(raised) is (warning or error)
    assert (raised.provider, raised.field, raised.value, raised.problem) == (provider, field, value, problem)
    assert str(raised) == problem_text(provider, field, value, problem)


def test_the_old_method_names_are_wrappers_over_report() -> None:
    strict, lenient = Context("acme", strict=True), Context("acme")
    with pytest.raises(InvalidRecordError, match="acme: \\$: not a mapping: 3"):
        lenient.fail("$", 3, "not a mapping")
    with pytest.raises(UnmappedStateError, match="unmapped state: 'PAUSED'"):
        strict.unmapped("$.state", "PAUSED")
    with pytest.warns(UnmappedStateWarning, match="acme: \\$.state: unmapped state: 'PAUSED'"):
        lenient.unmapped("$.state", "PAUSED")
    with pytest.warns(InvalidRecordWarning, match="cannot parse time"):
        lenient.invalid("$.at", "x", "cannot parse time")
    with pytest.warns(NaiveDatetimeWarning):
        lenient.invalid("$.at", "x", "naive datetime, assumed UTC", NaiveDatetimeWarning)
    with pytest.warns(InconsistentDurationWarning):
        lenient.inconsistent("$.end", 1, "ends before it starts")
    with pytest.raises(InvalidRecordError, match="ends before it starts"):
        strict.inconsistent("$.end", 1, "ends before it starts")
    for ctx in (strict, lenient):
        with pytest.warns(StateConflictWarning, match="states disagree"):
            ctx.conflict("$.status", "X", "states disagree")


def test_a_warning_made_from_a_plain_message_still_works() -> None:
    warning = StateConflictWarning("runstate: tracker: observations disagree")
    assert str(warning) == "runstate: tracker: observations disagree"
    assert warning.provider is None and warning.field is None and warning.problem is None


def test_warnings_pickle_with_their_pieces() -> None:
    warning = UnmappedStateWarning("glue", "$.JobRunState", "PAUSED", "unmapped state")
    copy = pickle.loads(pickle.dumps(warning))
    assert (copy.provider, copy.field, copy.value, copy.problem) == (
        "glue",
        "$.JobRunState",
        "PAUSED",
        "unmapped state",
    )
    assert str(copy) == str(warning)
