"""What the fast paths changed, pinned.

Each test holds a fast-path object to the behaviour of what it replaced: ``Details`` to a
``MappingProxyType`` over a dict (the run's ``details`` before), for every input drawn.
"""

from __future__ import annotations

import json
import sys
from importlib import resources
from types import MappingProxyType
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import runstate
from runstate._core.details import Details
from runstate._providers.databricks import details as _databricks_details
from runstate._providers.databricks import jobs as _databricks

EXAMPLE = resources.files("runstate").joinpath("examples", "databricks.jsonl").read_text(encoding="utf-8")

KEYS = st.text(max_size=3)
VALUES = st.one_of(st.none(), st.integers(), st.text(max_size=3), st.lists(st.integers(), max_size=2))
ITEMS = st.dictionaries(KEYS, VALUES, max_size=5)
PROBES = st.one_of(
    st.tuples(KEYS, VALUES),
    st.tuples(KEYS),
    st.tuples(KEYS, VALUES, VALUES),
    st.lists(st.one_of(KEYS, VALUES), max_size=2),
    st.integers(),
    st.none(),
    KEYS,
)
"""What ``in items()`` may be asked: pairs, tuples of other lengths, lists, scalars."""


def _outcome(call: Any) -> Any:
    try:
        return ("ok", call())
    except Exception as exc:  # noqa: BLE001 - the exception type is the compared outcome
        return ("raised", type(exc))


@given(ITEMS, PROBES)
def test_items_membership_is_a_dicts(items: dict[str, Any], probe: Any) -> None:
    """``x in details.items()`` answers as a dict's items view: a non-pair is absent, never an error."""
    details, proxy = Details(items), MappingProxyType(dict(items))
    assert _outcome(lambda: probe in details.items()) == _outcome(lambda: probe in proxy.items())


@given(ITEMS)
def test_views_reverse_and_name_their_mapping(items: dict[str, Any]) -> None:
    """The views are reversible, as a dict's (Python 3.8+), and name their mapping (3.10+)."""
    details, proxy = Details(items), MappingProxyType(dict(items))
    views: list[Any] = [details.keys(), details.values(), details.items()]  # typed as the ABCs: no reversed
    theirs: list[Any] = [proxy.keys(), proxy.values(), proxy.items()]
    for view, their in zip(views, theirs, strict=True):
        assert list(reversed(view)) == list(reversed(their))
        assert view.mapping is details


@given(ITEMS)
def test_str_is_a_proxys(items: dict[str, Any]) -> None:
    """``str`` and f-strings read as before (a proxy's str is its dict's); ``repr`` says Details."""
    details = Details(items)
    assert str(details) == str(MappingProxyType(dict(items)))
    assert f"{details}" == f"{dict(items)}"
    assert repr(details) == f"Details({dict(items)!r})"


def test_a_raced_pause_counter_never_stops_the_probe(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two threads that both see a pause of 1 and decrement it leave -1: the probe must still run
    (a truthiness test read -1 as paused and counted down for ever, so no record was probed again)."""
    calls: list[object] = []
    real = _databricks._build

    def spy(ctx: Any, *args: Any) -> Any:
        calls.append(ctx)
        return real(ctx, *args)

    monkeypatch.setattr(_databricks, "_build", spy)
    monkeypatch.setattr(_databricks, "_paused", -1)
    monkeypatch.setattr(_databricks, "_misses", 0)
    record = json.loads(next(line for line in EXAMPLE.splitlines() if line.strip()))
    for _ in range(3):
        calls.clear()
        runstate.normalize("databricks", record)
        assert calls[0] is _databricks._PROBE
    assert _databricks._paused == -1


@pytest.mark.parametrize(
    ("version", "immortal"),
    [((3, 11, 7), False), ((3, 12, 0), True), ((3, 12, 5), True), ((3, 12, 6), False), ((3, 13, 0), False)],
)
def test_shared_strings_are_freed_where_interning_is_for_ever(
    version: tuple[int, int, int], immortal: bool
) -> None:
    """On CPython 3.12.0-3.12.5 ``sys.intern`` made every string immortal: there the Databricks
    details share text through a bounded table, so a long history of distinct messages is freed."""
    chosen = _databricks_details.choose_intern(version)
    assert (chosen is not sys.intern) is immortal
    number = 42
    text = chosen(f"task-{number}")
    assert text == "task-42"
    assert chosen(f"task-{number}") is text  # equal text, one object


def test_the_bounded_table_stays_bounded() -> None:
    """The table that stands in for interning is cleared when full, never grows past its limit."""
    table = _databricks_details._SHARED_TEXT
    for number in range(_databricks_details._SHARED_TEXT_LIMIT + 10):
        _databricks_details._bounded_intern(f"message {number}")
    assert 0 < len(table) <= _databricks_details._SHARED_TEXT_LIMIT
    table.clear()
