"""What a provider declares, as data, and the check that keeps every provider honest.

A provider is one module holding a :class:`ProviderSpec`: its mapping tables (provider words to
:class:`Outcome`), the values each table was checked against (with their provenance), its native
transition edges, and one ``build`` function from a record to a :class:`~runstate.Run`.
:func:`check_provider` proves the tables total and the native graph a homomorphism onto the canonical one.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, Final

import attrs

from .._core.context import Context
from .._core.docfields import document_fields
from .._core.errors import ProviderSpecError, UnmappedStateWarning
from .._core.graph import GRAPH, EdgeKind, TransitionGraph
from .._core.model import Durations, Run
from .._core.vocabulary import TERMINAL_STATES, Reason, State

if TYPE_CHECKING:
    from .decision import Decision

__all__ = [
    "CLOSING_STATES",
    "RERUN_SOURCES",
    "BuildFunction",
    "Detector",
    "NativeEdge",
    "Outcome",
    "Pattern",
    "ProviderSpec",
    "Reruns",
    "StateWords",
    "check_provider",
    "merge_patterns",
    "provider_problems",
]


@attrs.frozen(slots=True)
class Outcome:
    """What one provider word means canonically: a state and, where the word says more, a reason."""

    state: State
    reason: Reason | None = None


@attrs.frozen
class StateWords:
    """How :func:`runstate.state_of` reads a provider's bare state words, for a provider whose state is
    decided by more than one word: the words' names (the keywords ``state_of`` takes) and the decision
    its reader makes from them, ``decide(words, ctx) -> (state, reason)`` (no second copy of a table).
    ``decide`` reads the provider's own tables: a spec evolved with other tables declares its own."""

    names: tuple[str, ...]
    decide: Callable[[Mapping[str, Any], Context], tuple[State, Reason | None]]


@attrs.frozen
class NativeEdge:
    """One step of a provider's own state machine, between two of its native nodes."""

    source: str
    target: str
    repair: bool = False
    """True for a re-entry: a terminated run re-run in place (a Databricks repair, a Step Functions
    redrive). Legal only from the canonical states the spec's ``rerun_states`` declares."""


BuildFunction = Callable[[Any, Context, bool], Run]
"""``build(record, ctx, keep_raw) -> Run``: report problems through ``ctx``, never raise KeyError."""

PageSplitter = Callable[[Any], "Iterable[Any] | None"]
"""Given one input item, its records if it is a list page (``{"runs": [...]}``), else ``None``."""


CombineFunction = Callable[[Iterator[Run]], Iterator[Run]]
"""Given the stream of runs built from a batch, the runs to yield (e.g. slices of one run merged)."""


def _no_pages(_item: Any) -> None:
    return None


def _freeze_tables(tables: Mapping[str, Mapping[str, Outcome]]) -> Mapping[str, Mapping[str, Outcome]]:
    return {name: dict(table) for name, table in tables.items()}


def _freeze_evidence(evidence: Mapping[str, Mapping[str, str]]) -> Mapping[str, Mapping[str, str]]:
    return {name: dict(rows) for name, rows in evidence.items()}


Detector = Callable[[Any], bool]
"""``detect(record) -> bool``: does this record look like one of the provider's, by its shape alone?"""

RetryKey = Callable[[Run], "str | None"]
"""``retry_key(run) -> str | None``: what the attempts of one logical run share, when the provider
makes a retry a new run that its records do not link (``None``: this run names no such group)."""

Reruns = Callable[[Run], int]
"""``reruns(run) -> int``: how many times this run has been re-run in place (0 for the original
run); it only grows over a run's snapshots, so the snapshot with the most is the latest. It reads
the run's canonical fields and ``details`` only (history may hold a run without its record, tasks or
provider state), and gives 0 where they say nothing."""

RERUN_SOURCES: Final = frozenset(e.source for e in GRAPH.edges if e.kind is EdgeKind.REPAIR)
"""Every state the canonical graph lets a run be re-run in place from: the terminal states. What a
spec's ``rerun_states`` is when it sets only ``can_repair=True``."""

CLOSING_STATES: Final = frozenset({State.SUCCEEDED, State.CANCELED, State.SKIPPED})
"""The default :attr:`ProviderSpec.final_states`: outcomes the built-in providers do not retry (Glue
``MaxRetries``: "retry this job after a JobRun fails"; Databricks ``max_retries``: "a run is considered
to be unsuccessful if it completes with the ``FAILED`` result_state or ``INTERNAL_ERROR``", timeouts
only with ``retry_on_timeout``)."""


def _final_states(states: Iterable[State]) -> frozenset[State]:
    return frozenset(states)


@document_fields
@attrs.frozen
class ProviderSpec:
    """Everything runstate needs to know about one provider."""

    name: str
    """The provider's name, as callers pass it to :func:`~runstate.normalize` (``"glue"``)."""
    build: BuildFunction
    """``build(record, ctx, keep_raw) -> Run``: one record to a run, every problem reported via ``ctx``."""
    tables: Mapping[str, Mapping[str, Outcome]] = attrs.field(converter=_freeze_tables)
    """Mapping tables by name, e.g. ``{"JobRunState": {"RUNNING": Outcome(State.RUNNING), ...}}``."""
    known_values: Mapping[str, tuple[str, ...]]
    """For each table, every value the provider's API defines (checked against ``provenance``)."""
    native_states: Mapping[str, frozenset[State]]
    """Each native node of the provider's state machine and the canonical states it can stand for."""
    native_edges: tuple[NativeEdge, ...]
    """The steps of the provider's own state machine; each must map onto a legal canonical step."""
    provenance: str = ""
    """Where the known values come from, e.g. ``"databricks-sdk 0.156.0"``."""
    can_repair: bool = False
    """Whether a terminated run can be re-run in place: ``True`` exactly when ``rerun_states`` is not
    empty (set from it). Setting only ``can_repair=True`` declares re-runs from every terminal state
    (:data:`RERUN_SOURCES`), as before ``rerun_states`` existed; prefer ``rerun_states``."""
    pages: PageSplitter = _no_pages
    """Splits a list page into records for :func:`~runstate.normalize_many`."""
    combine: CombineFunction | None = None
    """Applied by :func:`~runstate.normalize_many` to its stream of runs, when a provider's records
    are pieces of runs (hourly slices of a system table); ``None``: one record, one run."""
    evidence: Mapping[str, Mapping[str, str]] = attrs.field(factory=dict, converter=_freeze_evidence)
    """For each table, each word's documentary source (a URL or an SDK docstring quote), as data.

    A table listed here must give evidence for every one of its rows (:func:`provider_problems`)."""
    detect: Detector | None = None
    """Whether a record looks like this provider's by its shape (``--provider auto``); cheap, never raises."""
    final_states: frozenset[State] = attrs.field(default=CLOSING_STATES, converter=_final_states)
    """The canonical states after which a logical run is final: no new attempt follows it and no
    re-run in place (a repair) takes it back. :func:`~runstate.logical_runs` closes a logical run
    whose latest attempt ended in one at once, and holds any other (a later attempt or repair may
    still change its outcome). Terminal states only; default :data:`CLOSING_STATES`."""
    retry_key: RetryKey | None = None
    """For a provider whose retry is a new run its records do not link (Cloud Deploy ``RetryJob``):
    the key that the attempts of one logical run share (``None``: runs are linked only through
    ``original_run_id`` / ``previous_run_id``). Attempts grouped by it are ordered by start, and
    their logical run is held until the input ends or its ``horizon`` passes (nothing numbers them,
    so an earlier attempt may still come)."""
    rerun_states: frozenset[State] = attrs.field(default=frozenset(), converter=_final_states)
    """The canonical states a run can be re-run in place from, keeping its run id (a Databricks
    repair, a Step Functions redrive); empty: never. A native edge labelled ``repair=True`` may step
    from one of these back to a waiting or running state (:attr:`NativeEdge.repair`). Leave the ones
    that may still be re-run out of ``final_states``, so history holds their logical runs open."""
    reruns: Reruns | None = None
    """How many times a run has been re-run in place (:data:`Reruns`), for a provider with
    ``rerun_states``: history ranks a run's snapshots by it first (the re-run's RUNNING is later than
    the FAILED it re-runs), counts each re-run as one more attempt and the logical run as retried.
    ``None``: every run counts 0."""
    decision: Decision | Callable[[], Decision] | None = None
    """The provider's decision as data (:class:`~runstate.provider_kit.Decision`: rules over its words
    and duration rules, built from the tables ``build`` reads), from which :mod:`runstate.sql` emits
    SQL; or a function giving it, called once when SQL is first asked for (a large decision is not
    built on import). ``None``: no SQL for this provider."""
    state_words: StateWords | None = None
    """The provider's bare state words and its decision over them (:class:`StateWords`), for
    :func:`runstate.state_of`. ``None``: ``state_of`` takes one word, named after the table that
    decides it."""
    strict_context: Context = attrs.field(init=False, eq=False, repr=False)
    """Derived: the :class:`Context` that raises, built once for this provider."""
    lenient_context: Context = attrs.field(init=False, eq=False, repr=False)
    """Derived: the :class:`Context` that warns, built once for this provider."""

    def __attrs_post_init__(self) -> None:
        if self.can_repair and not self.rerun_states:
            object.__setattr__(self, "rerun_states", RERUN_SOURCES)
        object.__setattr__(self, "can_repair", bool(self.rerun_states))
        object.__setattr__(self, "strict_context", Context(self.name, strict=True))
        object.__setattr__(self, "lenient_context", Context(self.name, strict=False))

    def context(self, strict: bool) -> Context:
        """The prebuilt reporting context for a mode."""
        return self.strict_context if strict else self.lenient_context


def provider_problems(
    spec: ProviderSpec, graph: TransitionGraph = GRAPH, *, examples: Iterable[Any] = ()
) -> list[str]:
    """Every inconsistency in a provider's declared tables and native graph (empty when sound).

    Checks: each table maps every known value and only to real states and reasons; every native
    node stands for at least one canonical state; every native edge maps onto a legal canonical
    edge or a self-loop (a graph homomorphism), re-entry edges only for providers that can repair.
    ``examples``: records of the provider, each built (leniently) and its runs' mappings
    (``provider_state``, ``details``, ``durations.missing``) tried for a write: a frozen run must not
    hold a dict its caller can still change.
    """
    return [
        *_table_problems(spec),
        *_evidence_problems(spec),
        *_history_problems(spec),
        *_mutability_problems(spec, examples),
        *_node_problems(spec),
        *_native_edge_problems(spec, graph),
        *_decision_problems(spec),
        *_state_words_problems(spec),
    ]


def _decision_problems(spec: ProviderSpec) -> list[str]:
    """A declared decision is a Decision or a function giving one (called when SQL is asked for)."""
    from .decision import Decision  # it imports this module's Outcome

    declared = spec.decision
    if declared is None or isinstance(declared, Decision) or callable(declared):
        return []
    return [f"decision is {declared!r}: expected a Decision or a function giving one"]


def _state_words_problems(spec: ProviderSpec) -> list[str]:
    """Declared state words are a StateWords: distinct names (strings) and a callable decision."""
    words = spec.state_words
    if words is None:
        return []
    if not isinstance(words, StateWords):
        return [f"state_words is {words!r}: expected a StateWords"]
    names = words.names
    problems = []
    if type(names) is not tuple or not names or not all(type(n) is str for n in names):
        problems.append(f"state_words.names is {names!r}: expected a non-empty tuple of strings")
    elif len(set(names)) != len(names):
        problems.append(f"state_words.names repeats a name: {names!r}")
    if not callable(words.decide):
        problems.append(f"state_words.decide is {words.decide!r}: expected a function")
    return problems


def _table_problems(spec: ProviderSpec) -> list[str]:
    """Each table maps every known value, and only to an Outcome of a real state and reason."""
    problems = [
        f"known values declared for {name!r}, but no such table"
        for name in sorted(set(spec.known_values) - set(spec.tables))
    ]
    for name, table in spec.tables.items():
        known = spec.known_values.get(name)
        if known is None:
            problems.append(f"table {name!r}: no known values declared (totality cannot be checked)")
            continue
        problems += [f"table {name!r}: value {v!r} is not mapped" for v in known if v not in table]
        for word, outcome in table.items():
            if not isinstance(outcome, Outcome):
                problems.append(f"table {name!r}: {word!r} maps to {outcome!r}, not an Outcome")
            elif not isinstance(outcome.state, State):
                problems.append(f"table {name!r}: {word!r} maps to a non-State {outcome.state!r}")
            elif outcome.reason is not None and not isinstance(outcome.reason, Reason):
                problems.append(f"table {name!r}: {word!r} has a non-Reason {outcome.reason!r}")
    return problems


def _history_problems(spec: ProviderSpec) -> list[str]:
    """Final and rerun states are terminal states; a rerun count needs the states it counts from."""
    problems = [
        f"final state {s!r} is not a terminal state"
        for s in sorted(spec.final_states, key=str)
        if s not in TERMINAL_STATES
    ]
    problems += [
        f"rerun state {s!r} is not a terminal state (only a terminated run is re-run in place)"
        for s in sorted(spec.rerun_states, key=str)
        if s not in TERMINAL_STATES
    ]
    if spec.reruns is not None and not spec.rerun_states:
        problems.append("reruns is given, but no rerun_states: declare the states a run is re-run from")
    return problems


def _node_problems(spec: ProviderSpec) -> list[str]:
    """Every native node stands for real canonical states, and agrees with a table naming it."""
    problems: list[str] = []
    for node, states in spec.native_states.items():
        if not states:
            problems.append(f"native node {node!r} stands for no canonical state")
        if State.UNKNOWN in states:  # UNKNOWN is not a node: it would let any edge through
            problems.append(f"native node {node!r} stands for UNKNOWN, which is not a state of the graph")
        for name, table in spec.tables.items():  # a node named after a word must agree with its table
            mapped = table.get(node)
            if (
                isinstance(mapped, Outcome)
                and mapped.state is not State.UNKNOWN
                and mapped.state not in states
            ):
                problems.append(
                    f"native node {node!r} stands for {sorted(s.value for s in states)}, "
                    f"but table {name!r} maps it to {mapped.state.value}"
                )
        problems += [
            f"native node {node!r}: {s!r} is not a State" for s in states if not isinstance(s, State)
        ]
    return problems


def _native_edge_problems(spec: ProviderSpec, graph: TransitionGraph) -> list[str]:
    """Every native edge joins declared nodes and maps onto legal canonical steps."""
    problems: list[str] = []
    for edge in spec.native_edges:
        missing = [n for n in (edge.source, edge.target) if n not in spec.native_states]
        if missing:
            problems.append(f"native edge {edge.source} -> {edge.target}: undeclared node(s) {missing}")
            continue
        problems += _edge_problems(spec, edge, graph)
    return problems


def _edge_problems(spec: ProviderSpec, edge: NativeEdge, graph: TransitionGraph) -> list[str]:
    """Each canonical step a native edge maps onto must be legal; a re-entry only from a declared
    rerun state. A forbidden re-entry's message says how to declare it."""
    step = f"{edge.source} -> {edge.target}"
    problems = []
    if edge.repair and not spec.rerun_states:
        problems.append(
            f"native edge {step}: re-entry, but the provider declares no rerun_states "
            "(set ProviderSpec.rerun_states to the states it re-runs a run in place from)"
        )
    for src in spec.native_states[edge.source]:
        for dst in spec.native_states[edge.target]:
            reentry = edge.repair and src in spec.rerun_states
            if not graph.is_legal(src, dst, allow_reentry=reentry):
                problems.append(
                    f"native edge {step} maps onto illegal canonical step {src} -> {dst}"
                    + _reentry_fix(edge, src, dst, graph)
                )
    return problems


def _reentry_fix(edge: NativeEdge, source: State, target: State, graph: TransitionGraph) -> str:
    """How to declare a step that is a re-run in place (a repair edge of the graph), else nothing."""
    if graph.edge_kind(source, target) is not EdgeKind.REPAIR:
        return ""
    if edge.repair:
        return f" (if the provider re-runs a {source} run in place, add it to ProviderSpec.rerun_states)"
    return (
        " (if the provider re-runs a run in place, declare NativeEdge(..., repair=True)"
        f" and {source} in ProviderSpec.rerun_states)"
    )


def _evidence_problems(spec: ProviderSpec) -> list[str]:
    """Evidence rows must name real tables and words, and a table with evidence must have it for every row."""
    problems: list[str] = []
    for name, rows in spec.evidence.items():
        table = spec.tables.get(name)
        if table is None:
            problems.append(f"evidence given for {name!r}, but no such table")
            continue
        problems += [
            f"table {name!r}: evidence for {w!r}, which it does not map" for w in rows if w not in table
        ]
        problems += [
            f"table {name!r}: row {w!r} has no evidence"
            for w in table
            if not (type(rows.get(w)) is str and rows[w].strip())
        ]
    return problems


def _writable(mapping: Any) -> bool:
    """Whether a run's mapping accepts a write (tried, and undone)."""
    try:
        mapping[_PROBE_KEY] = None
    except Exception:  # noqa: BLE001 - read-only mappings refuse in their own ways (TypeError, ...)
        return False
    with contextlib.suppress(Exception):
        del mapping[_PROBE_KEY]
    return True


_PROBE_KEY: Final = "\x00runstate-probe"
_LEAK: Final = (
    "is a writable {kind}: a frozen run would change with it (build runs with make_run / make_durations, "
    "which freeze what they are given, or pass a read-only mapping)"
)


def _mutability_problems(spec: ProviderSpec, examples: Iterable[Any]) -> list[str]:
    """Build each example and try to write into its runs' mappings."""
    if isinstance(examples, Mapping | str | bytes):  # one record, whose keys would read as records
        return [f"examples: give a list of records, not one {type(examples).__name__}"]
    problems: list[str] = []
    for index, record in enumerate(examples):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                run = spec.build(record, spec.lenient_context, False)
        except Exception as exc:  # noqa: BLE001 - any failure of a third-party build is a finding
            problems.append(f"example {index}: build raised {type(exc).__name__}: {exc}")
            continue
        problems += [f"example {index}: {problem}" for problem in _leaks(run, "build gave")]
    return problems


def _leaks(run: Any, what: str) -> list[str]:
    """The writable mappings of a built run and of its tasks; anything not a run is itself a finding."""
    if not isinstance(run, Run):
        return [f"{what} {type(run).__name__} {run!r:.80}, not a Run"]
    durations = run.durations
    missing = durations.missing if isinstance(durations, Durations) else None
    fields = (
        ("provider_state", run.provider_state), ("details", run.details), ("durations.missing", missing),
    )  # fmt: skip
    problems = [
        f"run {run.run_id!r}: {name} " + _LEAK.format(kind=type(value).__name__)
        for name, value in fields
        if _writable(value)
    ]
    if not isinstance(durations, Durations):
        problems.append(f"run {run.run_id!r}: durations is {type(durations).__name__}, not a Durations")
    tasks = run.tasks if isinstance(run.tasks, tuple) else ()
    for task in tasks:
        problems += _leaks(task, f"run {run.run_id!r}: a task is a")
    return problems


def check_provider(
    spec: ProviderSpec, graph: TransitionGraph = GRAPH, *, examples: Iterable[Any] = ()
) -> None:
    """Raise :class:`~runstate.ProviderSpecError` listing every problem :func:`provider_problems` finds.

    Call it from a provider's own tests, with a few of its records as ``examples``; the registry
    also calls it (without examples) when a provider is registered.
    """
    problems = provider_problems(spec, graph, examples=examples)
    if problems:
        raise ProviderSpecError(spec.name, problems)


UNKNOWN_OUTCOME: Final = Outcome(State.UNKNOWN)


def map_word(table: Mapping[str, Outcome], value: object, ctx: Context, field: str) -> Outcome:
    """The outcome of a provider word; an absent, non-text or unmapped word is reported, giving UNKNOWN."""
    if type(value) is str:
        outcome = table.get(value)
        if outcome is not None:
            return outcome
        ctx.unmapped(field, value)
    elif value is None:
        ctx.invalid(field, value, "missing state")
    else:
        ctx.invalid(field, value, "expected a state word (string)", UnmappedStateWarning)
    return UNKNOWN_OUTCOME


Pattern = tuple[frozenset[str], ...]
"""One cell of a decision table: for each column, the set of words it matches."""


def merge_patterns(patterns: Iterable[Pattern], width: int) -> set[Pattern]:
    """Merge cells that differ in one column only, column after column, until nothing merges.

    For a partition (disjoint cells with one outcome each) every merge is exact: it is how a table
    of every word combination becomes the few rows a reader (or a SQL ``CASE``) needs.
    """
    current = set(patterns)
    changed = True
    while changed:
        changed = False
        for dim in range(width):
            groups: dict[Pattern, frozenset[str]] = {}
            for pattern in current:
                rest = pattern[:dim] + pattern[dim + 1 :]
                groups[rest] = groups.get(rest, frozenset()) | pattern[dim]
            merged = {(*rest[:dim], words, *rest[dim:]) for rest, words in groups.items()}
            if len(merged) < len(current):
                current, changed = merged, True
    return current
