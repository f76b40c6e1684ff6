"""Reading single fields of a provider record: the checks every provider needs, written once.

Each reader returns the value or ``None`` and reports anything unusable through the context, naming
the field path; none of them raises KeyError, TypeError or AttributeError on odd input.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from .context import Context

__all__ = [
    "is_null",
    "opt_id",
    "opt_int",
    "opt_mapping",
    "opt_sequence",
    "opt_str",
    "plain_number",
    "required_id",
]

_MAX_INT = 2**63
_NULL_TYPES = frozenset({"NaTType", "NAType"})  # pandas' NaT and NA, known by name: pandas is not imported


def is_null(value: object) -> bool:
    """Whether ``value`` is absent: ``None``, or a data frame's null (a float / numpy NaN, pandas'
    ``NaT`` and ``NA``, numpy's ``NaT``), which a pandas record holds where a table has a null.

    Duck-typed (NaN-likes are the values unequal to themselves), so neither numpy nor pandas is
    imported; a plain ``str`` / ``int`` / ``dict`` / ``list`` answers after one type check.
    """
    if value is None:
        return True
    kind = type(value)
    if kind is str or kind is int or kind is bool or kind is dict or kind is list:
        return False
    if kind is float:
        return value != value
    if kind.__name__ in _NULL_TYPES:
        return True
    if isinstance(value, numbers.Real | datetime) or kind.__name__ in ("datetime64", "timedelta64"):
        try:
            return bool(value != value)
        except Exception:  # noqa: BLE001 - a hostile comparison: a value, reported by the reader
            return False
    return False


def plain_number(value: object) -> int | float | None:
    """A numpy (or other registered) integer or real scalar as the Python ``int`` / ``float`` it is;
    ``None`` for anything else, booleans included (``numpy.bool_`` is no number either)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return None
    try:
        return int(value) if isinstance(value, numbers.Integral) else float(value)
    except (TypeError, ValueError, OverflowError):
        return None


def opt_str(value: object, ctx: Context, field: str) -> str | None:
    """A string, or ``None`` if absent; anything else is reported."""
    if type(value) is str or value is None:
        return value
    if isinstance(value, str):
        return str(value)
    if is_null(value):
        return None
    ctx.invalid(field, value, "expected a string")
    return None


def opt_id(value: object, ctx: Context, field: str) -> str | None:
    """An identifier as text: strings as they are, integers written in decimal; ``None`` if absent."""
    if type(value) is str:
        return value or None
    if type(value) is int:
        return str(value)
    if value is None or is_null(value):
        return None
    if isinstance(value, str):
        return str(value) or None
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):  # a numpy integer
        return str(int(value))
    ctx.invalid(field, value, "expected an id (string or integer)")
    return None


def required_id(value: object, ctx: Context, field: str) -> str:
    """Like :func:`opt_id`, but absence is reported too; leniently the id becomes ``""``."""
    result = opt_id(value, ctx, field)
    if result is None:
        if value is None or is_null(value) or value == "":
            ctx.invalid(field, value, "missing id")
        return ""
    return result


def opt_int(
    value: object, ctx: Context, field: str, default: int | None = None, below: int = _MAX_INT
) -> int | None:
    """A non-negative integer below ``below`` (2**63 unless the field's type says less: 2**31 for a
    32-bit field), or ``default`` if absent or unusable (reported)."""
    if type(value) is int and 0 <= value < below:
        return value
    if value is None or is_null(value):
        return default
    number = plain_number(value)
    if type(number) is int and 0 <= number < below:  # a numpy integer
        return number
    if type(number) is int and number >= below:
        ctx.invalid(field, value, f"integer out of range (not below {below})")
    else:
        ctx.invalid(field, value, "expected a non-negative integer")
    return default


def opt_mapping(value: object, ctx: Context, field: str) -> Mapping[str, Any] | None:
    """A JSON object, or ``None`` if absent; anything else is reported."""
    if type(value) is dict or isinstance(value, Mapping):  # a dict first: the ABC check costs ~4x
        return value
    if not is_null(value):
        ctx.invalid(field, value, "expected an object")
    return None


def opt_sequence(value: object, ctx: Context, field: str) -> list[Any] | tuple[Any, ...] | None:
    """A JSON array (list or tuple), or ``None`` if absent; anything else is reported."""
    if type(value) is list or isinstance(value, list | tuple):  # a list first: a union check costs more
        return value
    if not is_null(value):
        ctx.invalid(field, value, "expected an array")
    return None
