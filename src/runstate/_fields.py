"""Reading single fields of a provider record: the checks every provider needs, written once.

Each reader returns the value or ``None`` and reports anything unusable through the context, naming
the field path; none of them raises KeyError, TypeError or AttributeError on odd input.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._context import Context

__all__ = ["opt_id", "opt_int", "opt_mapping", "opt_sequence", "opt_str", "required_id"]

_MAX_INT = 2**63


def opt_str(value: object, ctx: Context, field: str) -> str | None:
    """A string, or ``None`` if absent; anything else is reported."""
    if type(value) is str or value is None:
        return value
    if isinstance(value, str):
        return str(value)
    ctx.invalid(field, value, "expected a string")
    return None


def opt_id(value: object, ctx: Context, field: str) -> str | None:
    """An identifier as text: strings as they are, integers written in decimal; ``None`` if absent."""
    if type(value) is str:
        return value or None
    if type(value) is int:
        return str(value)
    if value is None:
        return None
    ctx.invalid(field, value, "expected an id (string or integer)")
    return None


def required_id(value: object, ctx: Context, field: str) -> str:
    """Like :func:`opt_id`, but absence is reported too; leniently the id becomes ``""``."""
    result = opt_id(value, ctx, field)
    if result is None:
        if value is None or value == "":
            ctx.invalid(field, value, "missing id")
        return ""
    return result


def opt_int(value: object, ctx: Context, field: str, default: int | None = None) -> int | None:
    """A non-negative integer below 2**63, or ``default`` if absent or unusable (reported)."""
    if type(value) is int and 0 <= value < _MAX_INT:
        return value
    if value is None:
        return default
    ctx.invalid(field, value, "expected a non-negative integer")
    return default


def opt_mapping(value: object, ctx: Context, field: str) -> Mapping[str, Any] | None:
    """A JSON object, or ``None`` if absent; anything else is reported."""
    if type(value) is dict or isinstance(value, Mapping):  # a dict first: the ABC check costs ~4x
        return value
    if value is not None:
        ctx.invalid(field, value, "expected an object")
    return None


def opt_sequence(value: object, ctx: Context, field: str) -> list[Any] | tuple[Any, ...] | None:
    """A JSON array (list or tuple), or ``None`` if absent; anything else is reported."""
    if type(value) is list or isinstance(value, list | tuple):  # a list first: a union check costs more
        return value
    if value is not None:
        ctx.invalid(field, value, "expected an array")
    return None
