"""How a run and its durations pickle, copy and deepcopy, equal after.

The mappings of a run are read-only: :class:`~runstate._core.details.Details` (which pickle and copy
themselves) or ``MappingProxyType`` views, which pickle refuses. A frozen slotted instance is reduced
to its field values with each view swapped for a dict (and its name noted), and rebuilt with the
views restored. The record a run keeps (``raw``) is checked on the way: a value nested deeper than
:data:`~runstate._core.errors.MAX_NESTING`, or a third-party mapping that raises while it is read,
becomes an :class:`~runstate._core.errors.InvalidRecordError` naming the run and the field
(docs/errors.md).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from .details import Details, with_values
from .errors import MAX_NESTING, InvalidRecordError, short_repr

__all__ = ["deep_copy", "rebuild", "reduce_fields", "shallow_copy"]


def reduce_fields(obj: Any, deep_fields: tuple[str, ...] = ()) -> tuple[Any, ...]:
    """``obj.__reduce__()``: rebuild from its slots' values, mapping views as dicts; ``deep_fields``
    are checked (depth, hostile mappings) and their nested views marked to come back as views."""
    values: list[Any] = []
    proxied: list[str] = []
    for name in obj.__slots__:
        value = getattr(obj, name)
        if name in deep_fields:
            value = _shippable(obj, name, value)
        if type(value) is MappingProxyType:
            value = dict(value)
            proxied.append(name)
        values.append(value)
    return (rebuild, (type(obj), tuple(values), tuple(proxied)))


def shallow_copy(obj: Any) -> Any:
    """A shallow copy: the same field values in a new instance (``copy.copy`` walks nothing)."""
    return rebuild(type(obj), tuple(getattr(obj, name) for name in obj.__slots__), ())


def deep_copy(obj: Any, deep_fields: tuple[str, ...], memo: dict[int, Any]) -> Any:
    """A deep copy whose nested values cost one frame per level (``copy.deepcopy`` costs two to
    five), so a value at the nesting limit copies even from deep in a caller's stack."""
    values = []
    for name in obj.__slots__:
        value = getattr(obj, name)
        if name in deep_fields:
            _shippable(obj, name, value)  # refuses an over-deep or hostile value by name
        values.append(_deep_value(value, memo))
    new = rebuild(type(obj), tuple(values), ())
    memo[id(obj)] = new
    return new


def _deep_value(value: Any, memo: dict[int, Any]) -> Any:
    kind = type(value)
    if kind is dict or kind is MappingProxyType:
        items = {k: _deep_value(v, memo) for k, v in value.items()}
        return items if kind is dict else MappingProxyType(items)
    if kind is Details:
        return with_values(value, [_deep_value(v, memo) for v in value.values()])
    if kind is list:
        return [_deep_value(v, memo) for v in value]
    if kind is tuple:
        return tuple(_deep_value(v, memo) for v in value)
    return copy.deepcopy(value, memo)


def _shippable(obj: Any, name: str, value: Any) -> Any:
    """``value`` checked for depth, with each mapping proxy nested in it marked to be rebuilt as one.

    What a third-party mapping inside ``raw`` raises while it is walked, and a value nested deeper than
    :data:`MAX_NESTING`, become :class:`InvalidRecordError` naming the run and the field.
    """
    provider = getattr(obj, "provider", "runstate")
    where = getattr(obj, "run_id", short_repr(value))
    try:
        too_deep, proxies = _walk(value)
        if too_deep:
            problem = f"nested more than {MAX_NESTING} levels deep, cannot be pickled or copied"
            raise InvalidRecordError(provider, name, where, problem)  # noqa: TRY301 - the one error this guard raises, re-raised as is below
        return _marked(value, top=True) if proxies else value
    except InvalidRecordError:
        raise
    except Exception as exc:  # a hostile mapping kept in raw: its methods raised
        problem = f"cannot be pickled or copied: reading it raised {type(exc).__name__}"
        raise InvalidRecordError(provider, name, where, problem) from exc


def _walk(value: object) -> tuple[bool, bool]:
    """(nests deeper than MAX_NESTING, holds a mapping proxy below its top): one iterative walk."""
    stack: list[tuple[object, int]] = [(value, 0)]
    proxies = False
    while stack:
        item, depth = stack.pop()
        if isinstance(item, Mapping):
            proxies = proxies or (depth > 0 and type(item) is MappingProxyType)
            children: Any = item.values()
        elif isinstance(item, list | tuple):
            children = item
        else:
            continue
        if depth >= MAX_NESTING:
            return True, proxies
        stack.extend((child, depth + 1) for child in children)
    return False, proxies


class _Proxy(dict[Any, Any]):
    """A mapping proxy's contents in transit: pickle and deepcopy rebuild the proxy from it."""

    def __reduce__(self) -> tuple[Any, ...]:
        return (_proxy, (dict(self),))


def _proxy(data: dict[Any, Any]) -> Mapping[Any, Any]:
    return MappingProxyType(data)


def _marked(value: Any, top: bool = False) -> Any:
    """A copy of ``value`` with each nested mapping proxy as a :class:`_Proxy` (depth already bounded);
    a :class:`Details` pickles itself, so it stays one, with its values marked."""
    if type(value) in (dict, MappingProxyType):
        items = {k: _marked(v) for k, v in value.items()}
        if type(value) is MappingProxyType:
            return MappingProxyType(items) if top else _Proxy(items)
        return items
    if type(value) is Details:
        return with_values(value, [_marked(v) for v in value.values()])
    if type(value) is list:
        return [_marked(v) for v in value]
    if type(value) is tuple:
        return tuple(_marked(v) for v in value)
    return value


def rebuild(cls: type, values: tuple[Any, ...], proxied: tuple[str, ...]) -> Any:
    """A new ``cls`` of slot ``values``, the fields named in ``proxied`` made mapping views again."""
    obj: Any = object.__new__(cls)
    for name, value in zip(cls.__slots__, values, strict=True):  # type: ignore[attr-defined]
        object.__setattr__(obj, name, MappingProxyType(value) if name in proxied else value)
    return obj
