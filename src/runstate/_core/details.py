"""``Details``: the compact read-only mapping a run keeps its provider facts in.

A run's ``details`` hold one to ten facts, and bulk history keeps millions of runs. A dict behind a
``MappingProxyType`` costs 224-312 bytes per run before its values (one to ten of them, CPython
3.11); a :class:`Details` costs 48 bytes plus a tuple of its values (48 bytes for one, 8 more per
value: 96-168 bytes in all). Its keys live in a *layout*, a dict from key to position shared by
every ``Details`` with the same keys in the same order (as CPython shares the keys of instance
dictionaries). Providers build the same few key sets over and over, so the layouts are few; they
are kept in a bounded table (:data:`_LAYOUT_LIMIT`). The providers' hot path,
:func:`runstate.provider_kit.freeze_details`, builds one from a fresh dict.

A ``Details`` is a :class:`collections.abc.Mapping` (``[]``, ``get``, ``in``, ``len``, iteration in
insertion order, ``keys`` / ``values`` / ``items``), equal to any mapping of the same items (a dict, a
mapping proxy, another ``Details``) both ways, and immutable: no item or attribute can be set. Like a
``MappingProxyType`` it is unhashable (its values may be lists) and ``copy()`` / ``|`` give dicts;
unlike one it pickles, and ``copy.copy`` returns it as is.
"""

from __future__ import annotations

import copy as _copy
from collections.abc import ItemsView, Iterable, Iterator, KeysView, Mapping, ValuesView
from types import MappingProxyType
from typing import Any, Final, NoReturn, final

__all__ = ["EMPTY", "Details", "freeze_details", "with_values"]

EMPTY: Final[Mapping[str, Any]] = MappingProxyType({})
"""The one empty read-only mapping: what a run holds where it has no details, words or reasons."""

_LAYOUT_LIMIT: Final = 1024
"""How many key layouts are shared at most: past it the table starts afresh (existing ``Details``
keep theirs). Providers make a few dozen; the bound only matters for keys made from data."""
_LAYOUTS: dict[tuple[Any, ...], dict[Any, int]] = {}
"""Key tuple -> its layout (key -> position), for key tuples of plain ``str`` only: equal tuples of
``str`` are the same keys, so sharing one layout between them is exact."""


def _layout(keys: tuple[Any, ...]) -> dict[Any, int]:
    """The shared layout of ``keys`` (made and kept on first use); keys other than ``str`` get their own."""
    found = _LAYOUTS.get(keys)
    if found is not None:
        return found
    layout = {key: position for position, key in enumerate(keys)}
    if all(type(key) is str for key in keys):  # 1 == True == 1.0: only text keys are shared
        if len(_LAYOUTS) >= _LAYOUT_LIMIT:
            _LAYOUTS.clear()
        _LAYOUTS[keys] = layout
    return layout


class _Slots:
    """The storage of :class:`Details`: a layout shared with other ``Details`` and the values."""

    __slots__ = ("_layout", "_values")
    _layout: dict[Any, int]
    _values: tuple[Any, ...]


class _Draft(_Slots):
    """A plain twin of :class:`Details` (the same layout): filled with plain stores, then switched.

    A ``Details`` refuses every store, so it is built as its draft and then becomes one: two slot
    stores and a class switch, where ``object.__setattr__`` would cost a call per slot.
    """

    __slots__ = ()

    @classmethod
    def made(cls, layout: dict[Any, int], values: tuple[Any, ...]) -> Details:
        """A ``Details`` of ``layout`` and ``values``, built as its draft."""
        new = cls()
        new._layout = layout
        new._values = values
        new.__class__ = Details  # type: ignore[assignment]  # the same layout: the switch is exact
        return new  # type: ignore[return-value]

    @classmethod
    def frozen(cls, details: dict[str, Any]) -> Mapping[str, Any]:
        """:func:`freeze_details`: the layout lookup inlined (one call less per run)."""
        if not details:
            return EMPTY
        keys = tuple(details)
        new = cls()
        new._layout = _shared_layout(keys) or _layout(keys)
        new._values = tuple(details.values())
        new.__class__ = Details  # type: ignore[assignment]  # the same layout: the switch is exact
        return new  # type: ignore[return-value]


@final
class Details(_Slots, Mapping[str, Any]):
    """A read-only mapping of a run's provider facts, in insertion order; compact (see the module).

    ``Details({"Timeout": 2880})`` or ``Details(Timeout=2880)`` builds one as ``dict(...)`` would.
    """

    __slots__ = ()

    def __init_subclass__(cls, **kwargs: Any) -> NoReturn:
        raise TypeError("Details cannot be subclassed: it is built as Details by the model's fast path")

    def __new__(cls, data: Mapping[str, Any] | Iterable[tuple[str, Any]] = (), /, **items: Any) -> Details:
        source = dict(data, **items)  # built in __new__: no __init__ can refill an existing one
        return _make(_layout(tuple(source)), tuple(source.values()))

    def __getitem__(self, key: str) -> Any:
        return self._values[self._layout[key]]

    def get(self, key: str, default: Any = None) -> Any:
        """The value of ``key``, or ``default`` if there is none."""
        position = self._layout.get(key)
        return default if position is None else self._values[position]

    def __contains__(self, key: object) -> bool:
        return key in self._layout

    def __iter__(self) -> Iterator[str]:
        return iter(self._layout)

    def __reversed__(self) -> Iterator[str]:
        return reversed(self._layout)

    def __len__(self) -> int:
        return len(self._values)

    def keys(self) -> KeysView[str]:
        """A set-like view of the keys, in order."""
        return _Keys(self)

    def values(self) -> ValuesView[Any]:
        """A view of the values, in the order of the keys."""
        return _Values(self, self._values)

    def items(self) -> ItemsView[str, Any]:
        """A set-like view of the ``(key, value)`` pairs, in order."""
        return _Items(self, self._layout, self._values)

    def copy(self) -> dict[str, Any]:
        """A new dict of the same items (as ``MappingProxyType.copy`` gives)."""
        return dict(zip(self._layout, self._values, strict=True))

    def __eq__(self, other: object) -> bool:
        if type(other) is Details:
            if other._layout is self._layout:
                return self._values == other._values
            return self.copy() == other.copy()
        if isinstance(other, Mapping):
            return self.copy() == (other if type(other) is dict else dict(other.items()))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # like a dict or a mapping proxy: values may be lists

    def __or__(self, other: object) -> dict[str, Any]:
        if not isinstance(other, Mapping):
            return NotImplemented
        return {**self.copy(), **other}

    def __ror__(self, other: object) -> dict[str, Any]:
        if not isinstance(other, Mapping):
            return NotImplemented
        return {**other, **self.copy()}

    def __repr__(self) -> str:
        return f"Details({self.copy()!r})"

    def __str__(self) -> str:
        return str(self.copy())  # as a mapping proxy's str (its dict's): print and f-strings unchanged

    def __setattr__(self, name: str, value: Any) -> NoReturn:
        raise AttributeError(f"Details is read-only: cannot set {name!r}")

    def __delattr__(self, name: str) -> NoReturn:
        raise AttributeError(f"Details is read-only: cannot delete {name!r}")

    def __reduce__(self) -> tuple[Any, ...]:
        return (Details, (self.copy(),))

    def __copy__(self) -> Details:
        return self  # immutable: a copy would be indistinguishable (as copy.copy of a tuple)

    def __deepcopy__(self, memo: dict[int, Any]) -> Details:
        values = _copy.deepcopy(self._values, memo)
        return self if values is self._values else _make(self._layout, values)


_make: Final = _Draft.made
_shared_layout: Final = _LAYOUTS.get  # a bound method: no attribute lookup per run (cleared, never replaced)

freeze_details: Final = _Draft.frozen
"""``freeze_details(details: dict) -> Mapping``: the read-only ``details`` of a run made from a
provider's fresh dict: a compact :class:`Details` of its items (the dict is not kept), :data:`EMPTY`
if empty.

Providers call this rather than wrapping the dict themselves, so the model owns how details are
kept: a ``Details`` costs about half of a dict behind a mapping proxy. Its keys are text (``str``),
as the run schema says.
"""


def with_values(details: Details, values: Iterable[Any]) -> Details:
    """``details``' keys with new values, in order (the shared layout of its keys, looked up once)."""
    new_values = tuple(values)
    if len(new_values) != len(details):
        raise ValueError(f"expected {len(details)} values, got {len(new_values)}")
    return _make(_layout(tuple(details)), new_values)


class _Keys(KeysView[str]):
    """``keys()``: a dict's keys view, read-only (set operations, ``reversed``, ``mapping``)."""

    __slots__ = ()
    _mapping: Details

    def __iter__(self) -> Iterator[str]:
        return iter(self._mapping)

    def __reversed__(self) -> Iterator[str]:
        return reversed(self._mapping)

    @property
    def mapping(self) -> Details:
        """The ``Details`` this view reads (a dict view's ``mapping``, read-only already)."""
        return self._mapping

    def __contains__(self, key: object) -> bool:
        return key in self._mapping


class _Values(ValuesView[Any]):
    """``values()``: a dict's values view, read-only (``reversed``, ``mapping``); it holds the
    values its mapping handed it (immutable, so they are its mapping's for good)."""

    __slots__ = ("_values",)
    _mapping: Details

    def __init__(self, mapping: Details, values: tuple[Any, ...]) -> None:
        super().__init__(mapping)
        self._values = values

    def __iter__(self) -> Iterator[Any]:
        return iter(self._values)

    def __reversed__(self) -> Iterator[Any]:
        return iter(self._values[::-1])

    @property
    def mapping(self) -> Details:
        """The ``Details`` this view reads."""
        return self._mapping


class _Items(ItemsView[str, Any]):
    """``items()``: a dict's items view, read-only (set operations, ``reversed``, ``mapping``); it
    holds the layout and values its mapping handed it."""

    __slots__ = ("_layout", "_values")
    _mapping: Details

    def __init__(self, mapping: Details, layout: dict[Any, int], values: tuple[Any, ...]) -> None:
        super().__init__(mapping)
        self._layout, self._values = layout, values

    def __iter__(self) -> Iterator[tuple[str, Any]]:
        return zip(self._layout, self._values, strict=True)

    def __reversed__(self) -> Iterator[tuple[str, Any]]:
        return zip(reversed(self._layout), reversed(self._values), strict=True)

    def __contains__(self, item: object) -> bool:
        # as dict_items: anything but a pair is simply not in it (ItemsView would unpack and raise)
        if not isinstance(item, tuple) or len(item) != 2:
            return False
        key, value = item
        position = self._layout.get(key)  # unhashable: TypeError, as a dict's
        if position is None:
            return False
        found = self._values[position]
        return found is value or bool(found == value)

    @property
    def mapping(self) -> Details:
        """The ``Details`` this view reads."""
        return self._mapping
