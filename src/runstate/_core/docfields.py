"""Attribute docstrings into ``help()``: the one place a field is explained is the string under it.

``help()`` shows only a class's docstring, not the strings written under its fields (which Sphinx and
mkdocstrings read), so :func:`document_fields` appends them to the class docstring at import.
"""

from __future__ import annotations

import ast
import inspect
import itertools
import textwrap
from typing import TypeVar

import attrs

__all__ = ["document_fields", "field_docs"]

_C = TypeVar("_C", bound=type)


def field_docs(cls: type) -> dict[str, str]:
    """The docstrings written under the fields of ``cls`` in its source (empty if there is no source)."""
    try:
        source = textwrap.dedent(inspect.getsource(cls))
    except (OSError, TypeError):  # no source (frozen or zipped without .py): help() stays as it was
        return {}
    tree = ast.parse(source).body[0]
    body = tree.body if isinstance(tree, ast.ClassDef) else []
    return {
        stmt.target.id: inspect.cleandoc(after.value.value)
        for stmt, after in itertools.pairwise(body)
        if isinstance(stmt, ast.AnnAssign)
        and isinstance(stmt.target, ast.Name)
        and isinstance(after, ast.Expr)
        and isinstance(after.value, ast.Constant)
        and isinstance(after.value.value, str)
    }


def document_fields(cls: _C) -> _C:
    """Append a ``Fields:`` section, each attrs field with its docstring, to the docstring of ``cls``."""
    docs = field_docs(cls)
    if docs:
        entries = [
            f"{f.name}\n{textwrap.indent(docs.get(f.name, '(undocumented)'), '    ')}"
            for f in attrs.fields(cls)
        ]
        cls.__doc__ = f"{inspect.cleandoc(cls.__doc__ or '')}\n\nFields:\n\n" + "\n".join(entries)
    return cls
