"""``Details``: the compact read-only mapping behind a run's ``details``, and ``freeze_details``.

It must behave as the ``MappingProxyType`` of the same dict did, everywhere a run's details go:
as a mapping, in equality both ways, through pickle, copy and deepcopy, and in every serializer.
"""

from __future__ import annotations

import copy
import json
import pickle
from collections.abc import Callable, ItemsView, KeysView, Mapping, ValuesView
from types import MappingProxyType
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import runstate
from runstate import InvalidRecordError, Run, State, from_dict, to_dict, to_row, to_rows
from runstate._cli.write import dumps_line, run_dict
from runstate._core.details import _LAYOUT_LIMIT, _LAYOUTS, with_values
from runstate._core.errors import MAX_NESTING
from runstate._core.serialize import dumps_run
from runstate.provider_kit import EMPTY, Details, freeze_details
from tests.strategies import json_values, runs

COPIES: tuple[Callable[[Any], Any], ...] = (
    lambda value: pickle.loads(pickle.dumps(value)),
    copy.copy,
    copy.deepcopy,
)
json_dicts = st.dictionaries(st.text(max_size=8), json_values, max_size=8)


def _details() -> Details:
    return Details({"run_page_url": "https://x/run/1", "trigger": "PERIODIC", "history": [{"a": 1}]})


def test_it_is_a_read_only_mapping_in_insertion_order() -> None:
    details = _details()
    assert isinstance(details, Mapping)
    assert list(details) == ["run_page_url", "trigger", "history"]
    assert list(reversed(details)) == ["history", "trigger", "run_page_url"]
    assert len(details) == 3
    assert details["trigger"] == "PERIODIC"
    assert details.get("trigger") == "PERIODIC"
    assert details.get("nope") is None
    assert details.get("nope", 5) == 5
    assert "trigger" in details
    assert "nope" not in details
    proxy: Mapping[str, Any] = MappingProxyType({})
    unhashable: Any = []
    for mapping in (details, proxy):  # an unhashable key: TypeError, as for a dict
        with pytest.raises(TypeError, match="unhashable"):
            unhashable in mapping  # noqa: B015 - the lookup is what raises
    with pytest.raises(KeyError, match="nope"):
        details["nope"]


def test_its_views_are_the_mapping_views_of_the_same_items() -> None:
    details = _details()
    plain = dict(details.items())
    assert isinstance(details.keys(), KeysView)
    assert isinstance(details.values(), ValuesView)
    assert isinstance(details.items(), ItemsView)
    assert list(details.keys()) == list(plain.keys())
    assert list(details.values()) == list(plain.values())
    assert list(details.items()) == list(plain.items())
    assert details.keys() == plain.keys()
    assert details.keys() & {"trigger", "x"} == {"trigger"}
    assert ("trigger", "PERIODIC") in details.items()
    assert ("trigger", "ONE_TIME") not in details.items()
    assert "PERIODIC" in details.values()
    assert len(details.items()) == len(details.values()) == len(details.keys()) == 3


def test_it_cannot_be_changed() -> None:
    details = _details()
    with pytest.raises(TypeError):
        details["trigger"] = "ONE_TIME"  # type: ignore[index]
    with pytest.raises(TypeError):
        del details["trigger"]  # type: ignore[attr-defined]
    with pytest.raises(AttributeError, match="read-only"):
        details._values = ()
    with pytest.raises(AttributeError, match="read-only"):
        del details._layout
    with pytest.raises(AttributeError):
        details.extra = 1
    details.__init__({"other": 1})  # type: ignore[call-arg]  # built in __new__: nothing to refill
    assert details == _details()


def test_it_equals_any_mapping_of_the_same_items_both_ways() -> None:
    details = _details()
    plain = dict(details.items())
    reordered = dict(reversed(list(plain.items())))
    for same in (plain, reordered, MappingProxyType(plain), Details(reordered), _details()):
        assert details == same
        assert same == details
        assert not details != same  # noqa: SIM202 - the operator itself is under test
        assert not same != details  # noqa: SIM202
    for other in ({**plain, "trigger": "ONE_TIME"}, {"trigger": "PERIODIC"}, Details(), EMPTY):
        assert details != other
        assert other != details
    assert details != [("trigger", "PERIODIC")]
    assert details != "trigger"
    assert Details() == {} == EMPTY


def test_it_is_unhashable_like_a_mapping_proxy() -> None:
    with pytest.raises(TypeError, match="unhashable"):
        hash(_details())
    with pytest.raises(TypeError, match="unhashable"):
        hash(MappingProxyType({}))


def test_repr_copy_and_union_read_as_a_mapping_proxy_does() -> None:
    details = Details(Timeout=2880, JobMode="SCRIPT")
    assert repr(details) == "Details({'Timeout': 2880, 'JobMode': 'SCRIPT'})"
    assert eval(repr(details), {"Details": Details}) == details
    assert type(details.copy()) is dict
    assert details.copy() == MappingProxyType({"Timeout": 2880, "JobMode": "SCRIPT"}).copy()
    assert details | {"Timeout": 1} == {"Timeout": 1, "JobMode": "SCRIPT"}
    assert {"Timeout": 1, "x": 2} | details == {"Timeout": 2880, "x": 2, "JobMode": "SCRIPT"}
    assert MappingProxyType({"x": 2}) | details == {"x": 2, "Timeout": 2880, "JobMode": "SCRIPT"}
    assert details | Details(x=2) == {"Timeout": 2880, "JobMode": "SCRIPT", "x": 2}
    with pytest.raises(TypeError):
        details | 1
    assert Details([("a", 1)], b=2) == {"a": 1, "b": 2}


def test_pickle_copy_and_deepcopy_keep_it_equal_and_read_only() -> None:
    details = _details()
    for copier in COPIES:
        again = copier(details)
        assert type(again) is Details
        assert again == details
        assert list(again) == list(details)
    assert copy.copy(details) is details  # immutable: as copy.copy of a tuple
    deep = copy.deepcopy(details)
    assert deep["history"] is not details["history"]
    flat = Details(a=1, b="x")
    assert copy.deepcopy(flat) is flat  # nothing inside to copy


def _frozen(items: dict[str, Any]) -> Details:
    frozen = freeze_details(items)
    assert isinstance(frozen, Details)
    return frozen


def test_equal_keys_share_one_layout_and_others_do_not() -> None:
    one, two = _frozen({"a": 1, "b": 2}), _frozen({"a": 3, "b": 4})
    assert one._layout is two._layout
    assert _frozen({"b": 2, "a": 1})._layout is not one._layout
    assert list(_frozen({"b": 2, "a": 1})) == ["b", "a"]
    assert with_values(one, [5, 6]) == {"a": 5, "b": 6}
    with pytest.raises(ValueError, match="expected 2 values"):
        with_values(one, [5])


def test_keys_other_than_text_keep_their_own_type() -> None:
    """1 == True == 1.0: a layout shared across such keys would turn one into another."""
    for key in (1, True, 1.0):
        items: dict[Any, str] = {key: "a"}
        keys: list[Any] = list(Details(items))
        assert keys == [key]
        assert type(keys[0]) is type(key)


def test_the_layout_table_is_bounded() -> None:
    for n in range(_LAYOUT_LIMIT + 10):
        assert freeze_details({f"key{n}": n})[f"key{n}"] == n
    assert len(_LAYOUTS) <= _LAYOUT_LIMIT
    early = freeze_details({"early": 1})
    for n in range(_LAYOUT_LIMIT + 10):
        freeze_details({f"later{n}": n})
    assert early == {"early": 1}  # a Details keeps its layout when the table starts afresh


def test_freeze_details_copies_the_items_and_shares_the_empty_mapping() -> None:
    assert freeze_details({}) is EMPTY
    fresh: dict[str, Any] = {"Timeout": 2880}
    frozen = freeze_details(fresh)
    assert type(frozen) is Details
    fresh["Timeout"] = 1
    assert frozen == {"Timeout": 2880}


@pytest.mark.parametrize("provider", ["databricks", "glue", "cloud_deploy"])
def test_built_in_providers_keep_details_as_details(provider: str) -> None:
    for run in runstate.normalize_many(provider, _example_records(provider)):
        for one in (run, *run.tasks):
            assert type(one.details) is Details or one.details is EMPTY
            assert from_dict(to_dict(one)) == one


def _example_records(provider: str) -> list[dict[str, Any]]:
    from importlib import resources

    text = resources.files("runstate").joinpath("examples", f"{provider}.jsonl").read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def _with_details(run: Run, freeze: Callable[[dict[str, Any]], Mapping[str, Any]]) -> Run:
    """``run`` and its tasks with their details rebuilt by ``freeze``."""
    tasks = tuple(_with_details(task, freeze) for task in run.tasks)
    return attrs.evolve(run, details=freeze(dict(run.details.items())), tasks=tasks)


def _proxy(details: dict[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(details) if details else EMPTY


@given(json_dicts)
def test_freeze_details_equals_its_dict_and_round_trips(items: dict[str, Any]) -> None:
    frozen = freeze_details(dict(items))
    assert frozen == items
    assert items == frozen
    assert frozen == MappingProxyType(items)
    assert list(frozen.items()) == list(items.items())
    run = Run(provider="acme", run_id="r", state=State.RUNNING, details=frozen)
    for copier in COPIES:
        if frozen is not EMPTY:  # the shared empty mapping proxy pickles only inside a run
            assert copier(frozen) == items
        assert copier(run).details == items
    again = from_dict(to_dict(run)).details
    assert again == items
    assert type(again) is type(frozen)  # from_dict keeps details as the providers do
    assert to_dict(from_dict(to_dict(run))) == to_dict(run)


def _serializations(run: Run) -> list[Any]:
    """What every public serializer (and the CLI's writer) makes of a run."""
    return [
        to_dict(run),
        dumps_run(run),
        dumps_line(run),
        dumps_line(run, plain=True),
        run_dict(run),
        to_row(run, raw=True),
        list(to_rows([run], raw=True)),
        repr(run).replace("Details(", "mappingproxy("),
    ]


@given(runs(max_depth=1))
def test_a_run_with_details_serializes_as_one_with_a_mapping_proxy(run: Run) -> None:
    compact, proxied = _with_details(run, freeze_details), _with_details(run, _proxy)
    assert compact == proxied
    assert proxied == compact
    assert _serializations(compact) == _serializations(proxied)
    assert from_dict(to_dict(compact)) == compact
    for copier in COPIES:
        again = copier(compact)
        assert again == proxied
        assert _serializations(again) == _serializations(proxied)


def test_exports_read_details_as_they_read_a_mapping_proxy() -> None:
    records = _example_records("databricks")
    compact = list(runstate.normalize_many("databricks", records))
    proxied = [_with_details(run, _proxy) for run in compact]
    assert any(type(run.details) is Details for run in compact)
    arrow = pytest.importorskip("runstate.arrow")
    assert arrow.to_table(compact, raw=True).equals(arrow.to_table(proxied, raw=True))
    otel = pytest.importorskip("runstate.otel")
    assert otel.otlp_json(compact) == otel.otlp_json(proxied)
    cdevents = pytest.importorskip("runstate.cdevents")
    openlineage = pytest.importorskip("runstate.openlineage")
    for one, other in zip(compact, proxied, strict=True):
        assert cdevents.events(one, source="s") == cdevents.events(other, source="s")
        lineage = [openlineage.to_json(e) for e in openlineage.events(one, producer="https://example.com/p")]
        assert lineage == [
            openlineage.to_json(e) for e in openlineage.events(other, producer="https://example.com/p")
        ]


def test_mapping_proxies_inside_details_survive_pickle_and_copies_of_a_run() -> None:
    """A Details pickles itself, but a mapping proxy inside it (or inside one in raw) does not:
    the run's reduction must reach into the Details and mark it, as it does for dicts."""
    inner: Mapping[str, Any] = MappingProxyType({"a": [MappingProxyType({"b": 1})]})
    run = Run(
        provider="acme",
        run_id="r",
        state=State.RUNNING,
        details=freeze_details({"s": inner, "n": 1}),
        raw={"d": Details(p=inner)},
    )
    for copier in COPIES:
        again = copier(run)
        assert again == run
        assert to_dict(again) == to_dict(run)
        assert type(again.details) is Details
        assert type(again.details["s"]) is MappingProxyType
        assert type(again.details["s"]["a"][0]) is MappingProxyType
        assert again.raw is not None
        assert type(again.raw["d"]) is Details
        assert type(again.raw["d"]["p"]["a"][0]) is MappingProxyType
    assert copy.copy(run).details is run.details
    assert copy.deepcopy(run).details["s"] is not inner


def test_it_cannot_be_subclassed() -> None:
    with pytest.raises(TypeError, match="cannot be subclassed"):
        type("Sub", (Details,), {"__slots__": ()})


def _deep(depth: int) -> dict[str, Any]:
    value: dict[str, Any] = {}
    for _ in range(depth):
        value = {"a": value}
    return value


def test_over_deep_details_are_refused_by_name_as_in_a_mapping_proxy() -> None:
    deep = {"d": _deep(MAX_NESTING)}
    run = Run(provider="glue", run_id="1", state=State.RUNNING, details=freeze_details(deep))
    message = f"glue: details: .*nested more than {MAX_NESTING} levels"
    for copier in (COPIES[0], COPIES[2]):  # copy.copy is shallow and never walks the value
        with pytest.raises(InvalidRecordError, match=message):
            copier(run)
    with pytest.raises(InvalidRecordError, match=f"nested more than {MAX_NESTING} levels"):
        to_dict(run)
    assert to_row(run) == to_row(attrs.evolve(run, details=MappingProxyType(deep)))  # the C encoder's depth
    deeper = {"d": _deep(5000)}
    with pytest.raises(InvalidRecordError, match=message):
        to_row(attrs.evolve(run, details=freeze_details(deeper)))


# --- Details behaves as a MappingProxyType over a dict, for every input drawn ---------------------

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


def _membership(call: Any) -> Any:
    try:
        return ("ok", call())
    except Exception as exc:  # noqa: BLE001 - the exception type is the compared outcome
        return ("raised", type(exc))


@given(ITEMS, PROBES)
def test_items_membership_is_a_dicts(items: dict[str, Any], probe: Any) -> None:
    """``x in details.items()`` answers as a dict's items view: a non-pair is absent, never an error."""
    details, proxy = Details(items), MappingProxyType(dict(items))
    assert _membership(lambda: probe in details.items()) == _membership(lambda: probe in proxy.items())


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
