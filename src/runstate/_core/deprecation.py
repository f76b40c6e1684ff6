"""Old public names that still work for a while, each with a DeprecationWarning naming its replacement.

A module keeps a moved name by setting ``__getattr__ = moved_names(__name__, {...})`` (PEP 562): the
name is then found only when it is looked up, which is when the warning is raised, once per lookup.
The names and what replaces them are listed in CHANGELOG.md.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["moved_names"]


def moved_names(module: str, moved: Mapping[str, tuple[str, object]]) -> Callable[[str], Any]:
    """A module ``__getattr__`` giving each old name in ``moved`` (its replacement's name, its value)."""

    def module_getattr(name: str) -> Any:
        if name not in moved:
            raise AttributeError(f"module {module!r} has no attribute {name!r}")
        replacement, value = moved[name]
        message = f"{module}.{name} is deprecated: use {replacement}"
        warnings.warn(message, DeprecationWarning, stacklevel=2)
        return value

    return module_getattr
