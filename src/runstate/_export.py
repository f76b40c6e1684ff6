"""A provider's native state machine, drawn with each native node's canonical states."""

from __future__ import annotations

import json
import re

from ._spec import ProviderSpec

__all__ = ["provider_graph"]


def _node_id(name: str) -> str:
    return re.sub(r"\W", "_", name)


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
    if fmt == "dot":
        lines = [f'digraph "{spec.name}" {{', "    rankdir=LR;"]
        lines += [f'    {_node_id(n)} [label="{_label(spec, n)}"];' for n in nodes]
        for e in spec.native_edges:
            style = ' [label="repair", style=dashed]' if e.repair else ""
            lines.append(f"    {_node_id(e.source)} -> {_node_id(e.target)}{style};")
        return "\n".join([*lines, "}"]) + "\n"
    lines = ["stateDiagram-v2"]
    lines += [f'    state "{_label(spec, n)}" as {_node_id(n)}' for n in nodes]
    for e in spec.native_edges:
        lines.append(f"    {_node_id(e.source)} --> {_node_id(e.target)}{' : repair' if e.repair else ''}")
    return "\n".join(lines) + "\n"
