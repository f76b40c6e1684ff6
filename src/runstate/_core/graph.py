"""The canonical transition graph, held as an edge table, and the checks that apply it.

Edges are data (:data:`EDGES`); everything else is derived from them. ``UNKNOWN`` is not a node:
it is the absence of a state, so validation skips such observations and judges the states around them.
A retry is a new run (a new record), never an edge out of a terminal state; a *repair* edge re-runs a
terminated run in place (a Databricks repair, a Step Functions redrive) and is the only labelled
re-entry: legal only where re-entry is allowed (a provider's ``ProviderSpec.rerun_states``).
"""

from __future__ import annotations

import enum
import itertools
import json
from collections.abc import Iterable, Mapping
from typing import Any, Final, Literal

import attrs

from .errors import IllegalTransitionError
from .vocabulary import STATE_PHASE, TERMINAL_STATES, State

__all__ = ["EDGES", "GRAPH", "Edge", "EdgeKind", "IllegalStep", "TransitionGraph", "dot_id", "mermaid_text"]


def dot_id(text: str) -> str:
    """``text`` as a quoted Graphviz ID: any name is one node, never DOT syntax."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def mermaid_text(text: str) -> str:
    """``text`` for a quoted Mermaid label: its quotes as the ``#quot;`` entity Mermaid reads."""
    return text.replace('"', "#quot;").replace("\n", " ")


class EdgeKind(enum.StrEnum):
    """What an edge stands for."""

    FORWARD = "forward"
    """Normal progress through a run's life."""
    RETRY = "retry"
    """Into or out of WAITING_FOR_RETRY: an attempt ended and the next one is scheduled."""
    REPAIR = "repair"
    """Re-entry: a terminated run is re-run in place; only from a provider's declared rerun states."""


@attrs.frozen
class Edge:
    """One legal step between two canonical states."""

    source: State
    target: State
    kind: EdgeKind = EdgeKind.FORWARD


@attrs.frozen
class IllegalStep:
    """A step of an observed sequence that the graph does not allow."""

    index: int
    """Index (in the sequence given) of the observation that arrived at ``target``."""
    source: State
    target: State
    hint: str | None = attrs.field(default=None, eq=False, repr=False)
    """How to make the step legal, when it is a re-run in place (a repair edge not allowed here)."""

    def to_error(self) -> IllegalTransitionError:
        """The same step as an exception."""
        return IllegalTransitionError(self.source, self.target, self.index, self.hint)


REENTRY_HINT: Final = (
    "a re-run in place: allow it with allow_reentry=True; a provider that re-runs a run in place "
    "declares NativeEdge(..., repair=True) and the state in ProviderSpec.rerun_states"
)
"""What an illegal step that is a repair edge of the graph says to do."""


_S = State
_F, _R, _P = EdgeKind.FORWARD, EdgeKind.RETRY, EdgeKind.REPAIR
_OUTCOMES = (_S.SUCCEEDED, _S.FAILED, _S.CANCELED, _S.TIMED_OUT)

# fmt: off
EDGES: Final[tuple[Edge, ...]] = tuple(Edge(s, t, k) for s, t, k in (
    # waiting before execution: for capacity, for upstream, for resources; polling may see any order
    (_S.QUEUED, _S.BLOCKED, _F), (_S.QUEUED, _S.PENDING, _F), (_S.QUEUED, _S.RUNNING, _F),
    (_S.BLOCKED, _S.QUEUED, _F), (_S.BLOCKED, _S.PENDING, _F), (_S.BLOCKED, _S.RUNNING, _F),
    (_S.PENDING, _S.QUEUED, _F), (_S.PENDING, _S.BLOCKED, _F), (_S.PENDING, _S.RUNNING, _F),
    # a run can end before it executes: canceled, timed out, failed to start, skipped
    *((src, dst, _F) for src in (_S.QUEUED, _S.BLOCKED, _S.PENDING) for dst in (*_OUTCOMES, _S.SKIPPED)),
    # stopping before execution (a cancel request on a waiting run)
    (_S.QUEUED, _S.TERMINATING, _F), (_S.BLOCKED, _S.TERMINATING, _F), (_S.PENDING, _S.TERMINATING, _F),
    # execution and its end (a fast run may finish between two polls, so RUNNING -> outcome is direct)
    (_S.RUNNING, _S.TERMINATING, _F),
    *((_S.RUNNING, dst, _F) for dst in _OUTCOMES),
    *((_S.TERMINATING, dst, _F) for dst in _OUTCOMES),
    # retries within one run record (Databricks task runs)
    (_S.PENDING, _S.WAITING_FOR_RETRY, _R), (_S.RUNNING, _S.WAITING_FOR_RETRY, _R),
    (_S.TERMINATING, _S.WAITING_FOR_RETRY, _R),
    (_S.WAITING_FOR_RETRY, _S.QUEUED, _R), (_S.WAITING_FOR_RETRY, _S.BLOCKED, _R),
    (_S.WAITING_FOR_RETRY, _S.PENDING, _R), (_S.WAITING_FOR_RETRY, _S.RUNNING, _R),
    *((_S.WAITING_FOR_RETRY, dst, _F) for dst in (*_OUTCOMES, _S.SKIPPED)),
    # repair: re-entry from any terminal state into the waiting or running states
    *((src, dst, _P) for src in (*_OUTCOMES, _S.SKIPPED)
      for dst in (_S.QUEUED, _S.BLOCKED, _S.PENDING, _S.RUNNING)),
))
# fmt: on
"""The edge table of the canonical graph (self-loops are implicit: observing a state twice is legal)."""

INITIAL_STATES: Final = frozenset({State.QUEUED, State.BLOCKED, State.PENDING})
"""States a run can be in when it is first created."""


@attrs.frozen(repr=False)
class TransitionGraph:
    """A directed graph over :class:`State`, built from an edge table."""

    edges: tuple[Edge, ...]
    initial: frozenset[State] = INITIAL_STATES
    _kinds: Mapping[tuple[State, State], EdgeKind] = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        kinds = {(e.source, e.target): e.kind for e in self.edges}
        object.__setattr__(self, "_kinds", kinds)

    def __repr__(self) -> str:
        """Short, so signatures that default to :data:`GRAPH` stay readable in ``help()``."""
        initial = ", ".join(sorted(s.value for s in self.initial))
        return f"<TransitionGraph: {len(self.edges)} edges, initial {initial}>"

    @property
    def states(self) -> tuple[State, ...]:
        """Every node: all states but UNKNOWN, in declaration order."""
        return tuple(s for s in State if s is not State.UNKNOWN)

    def edge_kind(self, source: State, target: State) -> EdgeKind | None:
        """The kind of the edge ``source -> target``, or ``None`` if there is none."""
        return self._kinds.get((source, target))

    def is_legal(self, source: State, target: State, *, allow_reentry: bool = False) -> bool:
        """Whether one observed step is legal; a self-loop always is, and UNKNOWN cannot be judged."""
        if source is target or source is State.UNKNOWN or target is State.UNKNOWN:
            return True
        kind = self._kinds.get((source, target))
        return kind is not None and (allow_reentry or kind is not EdgeKind.REPAIR)

    def successors(self, source: State, *, allow_reentry: bool = False) -> frozenset[State]:
        """States one legal step away from ``source`` (self-loop excluded)."""
        return frozenset(
            t
            for (s, t), k in self._kinds.items()
            if s is source and (allow_reentry or k is not EdgeKind.REPAIR)
        )

    def reachable(self, source: State, *, allow_reentry: bool = False) -> frozenset[State]:
        """Every state reachable from ``source`` in zero or more steps."""
        seen = {source}
        todo = [source]
        while todo:
            for nxt in self.successors(todo.pop(), allow_reentry=allow_reentry):
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        return frozenset(seen)

    def validate(self, states: Iterable[State | str], *, allow_reentry: bool = False) -> list[IllegalStep]:
        """Every illegal step of a sequence of observations of one run (empty if all are legal).

        UNKNOWN observations are skipped: the step is judged between the known states around them.
        """
        problems: list[IllegalStep] = []
        last: State | None = None
        for index, value in enumerate(states):
            state = State(value)
            if state is State.UNKNOWN:
                continue
            if last is not None and not self.is_legal(last, state, allow_reentry=allow_reentry):
                hint = REENTRY_HINT if self.edge_kind(last, state) is EdgeKind.REPAIR else None
                problems.append(IllegalStep(index, last, state, hint))
            last = state
        return problems

    def check(self, states: Iterable[State | str], *, allow_reentry: bool = False) -> None:
        """Raise :class:`IllegalTransitionError` for the first illegal step, if any."""
        problems = self.validate(states, allow_reentry=allow_reentry)
        if problems:
            raise problems[0].to_error()

    # --- exports ---------------------------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        """The graph as JSON-ready data: states with phases, initial states, labelled edges."""
        return {
            "states": [
                {"name": s.value, "phase": STATE_PHASE[s].value, "terminal": s in TERMINAL_STATES}
                for s in self.states
            ],
            "initial": sorted(s.value for s in self.initial),
            "self_loops": "always legal",
            "edges": [
                {"source": e.source.value, "target": e.target.value, "kind": e.kind.value} for e in self.edges
            ],
        }

    def to_json_text(self) -> str:
        """:meth:`to_json` as stable, indented text (what ``schemas/graph.json`` holds)."""
        return json.dumps(self.to_json(), indent=2) + "\n"

    def to_mermaid(self) -> str:
        """The graph as a Mermaid ``stateDiagram-v2``; repair and retry edges are labelled."""
        lines = ["stateDiagram-v2"]
        lines += [f"    [*] --> {s.value}" for s in sorted(self.initial)]
        for e in self.edges:
            label = "" if e.kind is EdgeKind.FORWARD else f" : {e.kind.value}"
            lines.append(f"    {e.source.value} --> {e.target.value}{label}")
        lines += [f"    {s.value} --> [*]" for s in self.states if s in TERMINAL_STATES]
        return "\n".join(lines) + "\n"

    def to_dot(self) -> str:
        """The graph as Graphviz DOT; terminal states are double circles, re-entry edges dashed."""
        lines = ["digraph runstate {", "    rankdir=LR;"]
        for s in self.states:
            shape = "doublecircle" if s in TERMINAL_STATES else "circle"
            lines.append(f'    {s.value} [shape={shape}, group="{STATE_PHASE[s].value}"];')
        for e in self.edges:
            attrs_ = "" if e.kind is EdgeKind.FORWARD else f' [label="{e.kind.value}"'
            if e.kind is EdgeKind.REPAIR:
                attrs_ += ", style=dashed"
            attrs_ += "]" if attrs_ else ""
            lines.append(f"    {e.source.value} -> {e.target.value}{attrs_};")
        lines.append("}")
        return "\n".join(lines) + "\n"

    def draw_path(
        self, states: Iterable[State | str], fmt: Literal["mermaid", "dot"] = "mermaid", *,
        allow_reentry: bool = False,
    ) -> str:  # fmt: skip
        """An observed sequence of states (a :class:`~runstate.RunTracker` history) as a diagram.

        Each step is an edge numbered in order and labelled with its kind (``retry``, ``repair``);
        a step the graph forbids is labelled ``illegal`` (dashed red in DOT). UNKNOWN is skipped, as
        :meth:`validate` skips it; repeats are one node.
        """
        if fmt not in ("mermaid", "dot"):  # anything else would silently draw Mermaid
            raise ValueError(f"fmt must be 'mermaid' or 'dot', not {fmt!r}")
        if isinstance(states, str):  # one state's letters would each be read as a state
            raise TypeError(f"states must be a sequence of states, not the string {states!r}")
        path = [s for s in (State(v) for v in states) if s is not State.UNKNOWN]
        illegal = {p.index for p in self.validate(path, allow_reentry=allow_reentry)}
        steps = [(i, a, b) for i, (a, b) in enumerate(itertools.pairwise(path), 1) if a is not b]
        labels = {i: f"{n}" + self._step_note(a, b, i in illegal) for n, (i, a, b) in enumerate(steps, 1)}
        if fmt == "dot":
            lines = ["digraph path {", "    rankdir=LR;"]
            lines += [f"    {s.value};" for s in dict.fromkeys(path)]
            for i, a, b in steps:
                style = ", style=dashed, color=red" if i in illegal else ""
                lines.append(f'    {a.value} -> {b.value} [label="{labels[i]}"{style}];')
            return "\n".join([*lines, "}"]) + "\n"
        lines = ["stateDiagram-v2"]
        lines += [f"    [*] --> {path[0].value}"] if path else []
        lines += [f"    {a.value} --> {b.value} : {labels[i]}" for i, a, b in steps]
        lines += [f"    {path[-1].value} --> [*]"] if path and path[-1] in TERMINAL_STATES else []
        return "\n".join(lines) + "\n"

    def _step_note(self, source: State, target: State, illegal: bool) -> str:
        if illegal:
            return " illegal"
        kind = self.edge_kind(source, target)
        return "" if kind in (None, EdgeKind.FORWARD) else f" {kind}"


GRAPH: Final = TransitionGraph(EDGES)
"""The canonical transition graph (docs/decisions.md#graph)."""
