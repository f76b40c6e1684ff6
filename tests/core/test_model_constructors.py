"""The fast constructors: equal to the attrs ones for every valid value, and refused when they could lie."""

from __future__ import annotations

import inspect
import linecache
from collections.abc import Callable, Mapping
from datetime import timedelta
from types import MappingProxyType
from typing import Any, Protocol, cast

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from runstate import Durations, Missing, Reason, Run, State
from runstate import provider_kit as kit
from runstate._core.constructors import _fast_constructor, new_durations, new_run
from runstate._core.details import EMPTY

from ..strategies import durations_values, runs


def fields_of(instance: Any, keep: Callable[[st.SearchStrategy[bool]], bool] | None = None) -> dict[str, Any]:
    """The instance's field values as keyword arguments; with ``keep``, defaulted ones may be left out."""
    kwargs = {}
    for f in attrs.fields(type(instance)):
        value = getattr(instance, f.name)
        if keep is None or f.default is attrs.NOTHING or keep(st.booleans()):
            kwargs[f.name] = value
    return kwargs


@given(runs(), st.data())
def test_new_run_equals_run_for_valid_fields(run: Run, data: st.DataObject) -> None:
    kwargs = fields_of(run, data.draw)
    fast, slow = new_run(**kwargs), Run(**kwargs)
    assert type(fast) is Run
    assert fast == slow
    assert all(getattr(fast, f.name) is getattr(slow, f.name) for f in attrs.fields(Run))
    assert repr(fast) == repr(slow)


@given(runs(), st.data())
def test_new_run_takes_provider_and_run_id_by_position_too(run: Run, data: st.DataObject) -> None:
    kwargs = fields_of(run, data.draw)
    provider, run_id = kwargs.pop("provider"), kwargs.pop("run_id")
    assert new_run(provider, run_id, **kwargs) == Run(provider=provider, run_id=run_id, **kwargs)


def test_new_run_takes_nothing_else_by_position() -> None:
    with pytest.raises(TypeError):
        new_run("acme", "1", None, State.RUNNING)  # type: ignore[call-arg]


@given(durations_values(), st.data())
def test_new_durations_equals_durations_by_keyword_and_position(
    durations: Durations, data: st.DataObject
) -> None:
    kwargs = fields_of(durations, data.draw)
    assert new_durations(**kwargs) == Durations(**kwargs)
    positional = list(fields_of(durations).values())
    assert new_durations(*positional) == Durations(*positional) == durations


def test_fast_instances_are_frozen_like_the_slow_ones() -> None:
    run = new_run(provider="acme", run_id="1", state=State.RUNNING)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        run.state = State.FAILED  # type: ignore[misc]
    assert attrs.evolve(run, state=State.FAILED).state is State.FAILED


def test_the_kit_offers_the_typed_builders_not_the_internal_names() -> None:
    assert kit.make_run is new_run and kit.make_durations is new_durations
    assert "make_run" in kit.__all__ and "make_durations" in kit.__all__
    assert "new_run" not in kit.__all__ and "new_durations" not in kit.__all__


def test_a_missing_required_keyword_is_a_type_error_as_for_run() -> None:
    with pytest.raises(TypeError, match="state"):
        new_run(provider="acme", run_id="1")  # type: ignore[call-arg]


def test_generated_source_is_in_linecache_for_tracebacks() -> None:
    filename = cast(Any, new_run).__code__.co_filename
    assert filename.startswith("<runstate generated new_run")
    assert "d.__class__ = _cls" in "".join(linecache.getlines(filename))
    source = inspect.getsource(new_run)  # what debuggers and traceback printers read
    assert source.startswith("def new_run(provider, run_id, *, namespace=_d_namespace, state,")
    assert inspect.getsource(new_durations).startswith("def new_durations(queue=_d_queue,")


class _Sig(Protocol):
    def __call__(self, *, a: int, b: str = "") -> object: ...


def _refusal(cls: type, signature: Any = _Sig.__call__) -> str:
    with pytest.raises(TypeError, match="no fast constructor") as info:
        _fast_constructor(cls, "new_thing", signature)
    return str(info.value)


def test_a_validator_is_refused() -> None:
    @attrs.frozen(kw_only=True, weakref_slot=False)
    class Checked:
        a: int = attrs.field(validator=attrs.validators.gt(0))
        b: str = ""

    assert "a: has a validator" in _refusal(Checked)


def test_a_converter_that_changes_values_is_refused() -> None:
    @attrs.frozen(kw_only=True, weakref_slot=False)
    class Converted:
        a: int = attrs.field(converter=abs)
        b: str = ""

    assert "a: has a converter" in _refusal(Converted)


def test_a_factory_default_is_refused() -> None:
    @attrs.frozen(kw_only=True, weakref_slot=False)
    class Fresh:
        a: int
        b: str = attrs.field(factory=str)

    assert "b: has a factory default" in _refusal(Fresh)


def test_a_field_outside_init_or_renamed_is_refused() -> None:
    @attrs.frozen(kw_only=True, weakref_slot=False)
    class Derived:
        a: int
        b: str = attrs.field(default="", init=False)

    @attrs.frozen(kw_only=True, weakref_slot=False)
    class Renamed:
        a: int
        b: str = attrs.field(default="", alias="bee")

    assert "b: is not an __init__ argument of its own name" in _refusal(Derived)
    assert "b: is not an __init__ argument of its own name" in _refusal(Renamed)


def test_a_post_init_hook_is_refused() -> None:
    @attrs.frozen(kw_only=True, weakref_slot=False)
    class Hooked:
        a: int
        b: str = ""

        def __attrs_post_init__(self) -> None:
            pass

    assert "has __attrs_post_init__" in _refusal(Hooked)


def test_a_signature_that_drifted_from_the_fields_is_refused() -> None:
    @attrs.frozen(kw_only=True, weakref_slot=False)
    class Wider:
        a: int
        b: str = ""
        c: int = 0

    assert "is not the fields" in _refusal(Wider)

    @attrs.frozen(kw_only=True, weakref_slot=False)
    class Retyped:
        a: int
        b: bytes = b""

    assert "b: signature says" in _refusal(Retyped)


def test_a_class_with_a_weakref_slot_or_no_slots_is_refused() -> None:
    @attrs.frozen(kw_only=True)
    class Weak:
        a: int
        b: str = ""

    @attrs.frozen(kw_only=True, slots=False)
    class Dicted:
        a: int
        b: str = ""

    assert "is not slotted" in _refusal(Weak)
    assert "is not slotted" in _refusal(Dicted)


def test_a_sound_class_gets_a_constructor() -> None:
    @attrs.frozen(kw_only=True, weakref_slot=False)
    class Plain:
        a: int
        b: str = ""

    make = _fast_constructor(Plain, "new_plain", _Sig.__call__)
    assert make(a=1) == Plain(a=1)
    assert make(a=2, b="x") == Plain(a=2, b="x")


def test_the_declared_identity_converters_are_the_identity_on_their_types() -> None:
    for state in State:
        assert Run(provider="p", run_id="1", state=state).state is state
    for reason in (None, *Reason):
        assert Run(provider="p", run_id="1", state=State.FAILED, reason=reason).reason is reason
    tasks = (new_run(provider="p", run_id="2", state=State.RUNNING),)
    assert Run(provider="p", run_id="1", state=State.RUNNING, tasks=tasks).tasks is tasks


def test_durations_defaults_and_read_only_mappings_are_shared_not_copied() -> None:
    missing: Mapping[str, Missing] = MappingProxyType({"total": Missing.NOT_ENDED})
    fast = new_durations(timedelta(seconds=1), missing=missing)
    assert fast.missing is missing and new_durations().missing is EMPTY
