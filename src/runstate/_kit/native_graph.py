"""A provider's native state machine, drawn with each native node's canonical states."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Final

from .._core.graph import dot_id, mermaid_text
from .spec import ProviderSpec

__all__ = ["provider_graph"]


_MERMAID_WORDS: Final = frozenset(
    {"as", "class", "classdef", "click", "default", "href", "note", "scale", "statediagram", "style"}
)
"""Words Mermaid's state diagram lexer reads as keywords in any case (checked with mermaid.parse):
an id equal to one is a syntax error, so it gets a trailing ``_``."""


def _mermaid_ids(nodes: Sequence[str]) -> dict[str, str]:
    """Each native name as a Mermaid id (its word characters), numbered when two names would share one."""
    ids: dict[str, str] = {}
    used: set[str] = set()
    for node in nodes:
        base = re.sub(r"\W", "_", node) or "_"
        base += "_" if base.lower() in _MERMAID_WORDS else ""
        unique, count = base, len(ids)
        while unique in used:
            unique, count = f"{base}_{count}", count + 1
        used.add(unique)
        ids[node] = unique
    return ids


def _label(spec: ProviderSpec, node: str) -> str:
    return f"{node} = {'|'.join(sorted(s.value for s in spec.native_states[node]))}"


def provider_graph(spec: ProviderSpec, fmt: str) -> str:
    """The native graph as ``mermaid``, ``dot`` or ``json`` text; re-entry (repair) edges labelled."""
    nodes = sorted(spec.native_states)
    if fmt == "json":
        data = {
            "provider": spec.name,
            "nodes": [
                {"name": n, "canonical": sorted(s.value for s in spec.native_states[n])} for n in nodes
            ],
            "edges": [
                {"source": e.source, "target": e.target, "repair": e.repair} for e in spec.native_edges
            ],
        }
        return json.dumps(data, indent=2) + "\n"
    if fmt == "dot":  # native names quoted as they are: a name with spaces or quotes is one node
        lines = [f"digraph {dot_id(spec.name)} {{", "    rankdir=LR;"]
        lines += [f"    {dot_id(n)} [label={dot_id(_label(spec, n))}];" for n in nodes]
        for e in spec.native_edges:
            style = ' [label="repair", style=dashed]' if e.repair else ""
            lines.append(f"    {dot_id(e.source)} -> {dot_id(e.target)}{style};")
        return "\n".join([*lines, "}"]) + "\n"
    ids = _mermaid_ids(nodes)
    lines = ["stateDiagram-v2"]
    lines += [f'    state "{mermaid_text(_label(spec, n))}" as {ids[n]}' for n in nodes]
    for e in spec.native_edges:
        lines.append(f"    {ids[e.source]} --> {ids[e.target]}{' : repair' if e.repair else ''}")
    return "\n".join(lines) + "\n"
