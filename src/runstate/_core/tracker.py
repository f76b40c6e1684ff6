"""Following one run over time: the state history, illegal steps, contradictions, time per state."""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import Final, Literal

import attrs

from .errors import InvalidRecordError, StateConflictWarning
from .graph import GRAPH, IllegalStep, TransitionGraph
from .model import Run, require_aware
from .vocabulary import Phase, State

__all__ = ["Conflict", "Observation", "RunTracker", "Segment"]


@attrs.frozen
class Observation:
    """One state seen at one time (and the run it was read from, if any)."""

    at: datetime
    state: State
    run: Run | None = attrs.field(default=None, eq=False, repr=False)


@attrs.frozen
class Segment:
    """A stretch of time in one state: from the first observation of it to the next state's."""

    state: State
    start: datetime
    end: datetime | None
    """When the next state was first seen; ``None`` for the last segment."""


@attrs.frozen
class Conflict:
    """Two observations at the same instant that disagree on the state."""

    first: Observation
    second: Observation


_PHASE_ORDER: Final = {Phase.UNKNOWN: 0, Phase.PENDING: 1, Phase.RUNNING: 2, Phase.TERMINATING: 3,
                       Phase.TERMINATED: 4}  # fmt: skip
"""How far along a phase is: the tie-break between states that can follow each other."""

InstantRank = tuple[int, int, int]


def instant_ranks(graph: TransitionGraph) -> Mapping[State, InstantRank]:
    """Where each state goes among observations made at the same instant, read from the graph.

    Repairs left out: first, how many states can reach it that it cannot reach back, so a state
    that can follow another but not precede it goes after it (``TERMINATING`` before ``CANCELED``).
    States that can reach each other (the graph's waiting and running states form one cycle through
    ``WAITING_FOR_RETRY``) go by phase (``QUEUED`` before ``RUNNING`` before ``TERMINATING``), then
    after the states of equal rank that step to them but cannot be stepped to (``WAITING_FOR_RETRY``
    before ``QUEUED``). States still equal (``SUCCEEDED`` and ``FAILED``) keep their arrival order.
    UNKNOWN, the absence of a state, goes first, so that a known state at the same instant is the latest.
    """
    reach = {state: graph.reachable(state) for state in graph.states}
    coarse = {
        state: (
            sum(1 for other in graph.states if state in reach[other] and other not in reach[state]),
            _PHASE_ORDER[state.phase],
        )
        for state in graph.states
    }
    ranks: dict[State, InstantRank] = {State.UNKNOWN: (0, 0, 0)}
    for state, (upstream, phase) in coarse.items():
        before = sum(
            1
            for other, key in coarse.items()
            if key == coarse[state] and graph.is_legal(other, state) and not graph.is_legal(state, other)
        )
        ranks[state] = (upstream, phase, before)
    return ranks


class RunTracker:
    """Takes successive observations of one run, in any order, and keeps its history.

    Repeated observations collapse into one segment; an observation older than the newest one is
    put where its time says. Observations at the same instant (a clock to the second, e.g. an
    EventBridge event's ``time``) are put in the order the graph allows (:func:`instant_ranks`),
    then in arrival order; they are a :class:`Conflict` only when the graph allows no step between
    them. Steps the graph forbids are flagged (:attr:`illegal_steps`), never raised.
    """

    def __init__(self, *, graph: TransitionGraph = GRAPH, allow_reentry: bool = False) -> None:
        self._graph = graph
        self._allow_reentry = allow_reentry
        self._ranks = instant_ranks(graph)
        # appended in arrival order, sorted by (time, instant rank) only when read: O(n log n) in
        # all, ties included
        self._observations: list[Observation] = []
        self._sorted = True
        # per instant, the first observation of each state: a new one is compared with at most one
        # observation per other state, never with every earlier tie
        self._at_instant: dict[datetime, dict[State, Observation]] = {}
        self._conflicts: list[Conflict] = []

    def observe(self, observed: Run | State | str, at: datetime | None = None) -> Observation:
        """Record a state (or a run's state) seen at ``at`` (aware; defaults to now, UTC)."""
        if at is None:
            at = datetime.now(UTC)
        elif at.tzinfo is None or at.utcoffset() is None:
            raise InvalidRecordError("runstate", "at", at, "observation time must be timezone-aware")
        run = observed if isinstance(observed, Run) else None
        state = observed.state if isinstance(observed, Run) else State(observed)
        obs = Observation(at.astimezone(UTC), state, run)
        seen = self._at_instant.setdefault(obs.at, {})
        others = [other for other_state, other in seen.items() if self._disagree(other, obs)]
        seen.setdefault(state, obs)
        for other in others:
            self._conflicts.append(Conflict(other, obs))
        if others:
            warnings.warn(
                f"runstate: tracker: observations at {obs.at.isoformat()} disagree: "
                f"{', '.join(str(o.state) for o in others)} and {state}",
                StateConflictWarning,
                stacklevel=2,
            )
        if self._observations and self._order(self._observations[-1]) > self._order(obs):
            self._sorted = False
        self._observations.append(obs)
        return obs

    def _order(self, observation: Observation) -> tuple[datetime, InstantRank]:
        return (observation.at, self._ranks[observation.state])

    def _disagree(self, earlier: Observation, later: Observation) -> bool:
        """Whether two observations at one instant contradict: no step of the graph leads from either
        state to the other."""
        one, other, reentry = earlier.state, later.state, self._allow_reentry
        legal = self._graph.is_legal
        return not (legal(one, other, allow_reentry=reentry) or legal(other, one, allow_reentry=reentry))

    def _ordered(self) -> list[Observation]:
        if not self._sorted:
            self._observations.sort(key=self._order)  # stable: equal ranks keep arrival order
            self._sorted = True
        return self._observations

    @property
    def observations(self) -> tuple[Observation, ...]:
        """Every observation, ordered by time, at one instant by :func:`instant_ranks`, then arrival."""
        return tuple(self._ordered())

    @property
    def conflicts(self) -> tuple[Conflict, ...]:
        """Contradicting observations at one instant (no step of the graph between them): each new
        one against the first observation of each other state."""
        return tuple(self._conflicts)

    @property
    def state(self) -> State | None:
        """The latest observed state, or ``None`` before the first observation."""
        ordered = self._ordered()
        return ordered[-1].state if ordered else None

    def segments(self) -> list[Segment]:
        """The state history: one segment per change of state."""
        result: list[Segment] = []
        for obs in self._ordered():
            if result and result[-1].state is obs.state:
                continue
            if result:
                result[-1] = attrs.evolve(result[-1], end=obs.at)
            result.append(Segment(obs.state, obs.at, None))
        return result

    def history(self) -> list[State]:
        """The states in order, repeats collapsed."""
        return [s.state for s in self.segments()]

    @property
    def illegal_steps(self) -> list[IllegalStep]:
        """Steps of the history that the graph forbids, with their index in :meth:`history`."""
        return self._graph.validate(self.history(), allow_reentry=self._allow_reentry)

    def draw(self, fmt: Literal["mermaid", "dot"] = "mermaid") -> str:
        """The observed path as a Mermaid or DOT diagram (:meth:`TransitionGraph.draw_path`): each
        step numbered, retries and repairs labelled, a forbidden step marked ``illegal``."""
        return self._graph.draw_path(self.history(), fmt, allow_reentry=self._allow_reentry)

    def time_in_state(self, now: datetime | None = None) -> dict[State, timedelta]:
        """Time spent in each state; the last state counts until ``now`` unless it is terminal.

        ``now`` defaults to the current time; a state seen again later adds up.
        """
        totals: dict[State, timedelta] = {}
        for seg in self._segments_until(now):
            totals[seg.state] = totals.get(seg.state, timedelta(0)) + (seg.end - seg.start)  # type: ignore[operator]
        return totals

    def _segments_until(self, now: datetime | None) -> Iterator[Segment]:
        segments = self.segments()
        yield from segments[:-1]
        if segments:
            last = segments[-1]
            if last.state.is_terminal:
                yield attrs.evolve(last, end=last.start)
            else:
                if now is not None:
                    require_aware(now)
                end = datetime.now(UTC) if now is None else now
                yield attrs.evolve(last, end=max(end, last.start))
