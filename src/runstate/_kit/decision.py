"""A provider's decision as data: rules over its words and duration rules, with no SQL in it.

A provider declares one (:attr:`~runstate.provider_kit.ProviderSpec.decision`) built from the same
tables its reader evaluates; :mod:`runstate.sql` emits it as SQL. A :class:`Decision` is an ordered
list of :class:`Rule` s (the first whose tests all hold gives the outcome, none gives UNKNOWN), the
tests that flag a word the tables do not map, and each duration as cases over the same words. The
helpers build rules from a table (:func:`grouped_rules`), from a decision function over every class
of word (:func:`rules_from_function`) or from a partition's cells (:func:`rules_from_cells`). A span
of two times is a value only within 100 years either way (a sentinel time), as
:func:`~runstate.provider_kit.time_between` reads it. See docs/write-a-provider.md and docs/sql.md.
"""

from __future__ import annotations

import enum
import itertools
import math
from collections.abc import Callable, Hashable, Mapping
from typing import Final, TypeVar

import attrs

from .spec import Outcome, merge_patterns

__all__ = [
    "ABSENT",
    "UNKNOWN_WORD",
    "Cell",
    "Classes",
    "Count",
    "Decision",
    "Duration",
    "DurationSource",
    "EnumNumbers",
    "Millis",
    "Rule",
    "Span",
    "Switch",
    "Test",
    "TestKind",
    "Token",
    "grouped_rules",
    "is_partition",
    "partition_tests",
    "rules_from_cells",
    "rules_from_function",
]


class TestKind(enum.Enum):
    """What a :class:`Test` asks of one column."""

    IN = "in"
    """The column holds one of ``words``."""
    NOT_IN = "not in"
    """The column holds a value (not NULL) that is none of ``words``."""
    NULL = "null"
    """The column is NULL (the record has no such field)."""
    NOT_NULL = "not null"
    """The column is not NULL."""
    BETWEEN = "between"
    """The column is a number within ``bounds`` (both included)."""
    BLANK = "blank"
    """The column is NULL or the empty text."""
    NOT_BLANK = "not blank"
    """The column holds a non-empty text."""
    CONTAINS = "contains"
    """The first ``limit`` characters, lower-cased, contain ``words[0]`` (free text read by keyword)."""
    TRUE = "true"
    """The column is the boolean TRUE."""
    POSITIVE = "positive"
    """The column is a number above zero."""
    ZERO_OR_NULL = "zero or null"
    """The column is NULL or the number 0."""
    ZERO = "zero"
    """The column is the number 0."""
    NONZERO = "nonzero"
    """The column is a number other than 0."""
    DIFFERS = "differs"
    """The column holds a value other than the column named by ``words[0]`` (both not NULL)."""
    SWITCH = "switch"
    """The first of ``switch``'s conditions that holds is one of ``words`` (see :class:`Switch`)."""
    CLASSES = "classes"
    """The column's word is in one of the classes of :class:`Classes` (see :func:`rules_from_function`)."""


@attrs.frozen
class EnumNumbers:
    """Where a word column may also be given as a protobuf enum number (a proto export's integers).

    A row whose ``number`` column is not NULL has the word ``names[number]`` (a number outside them is
    a word no table knows, as the normalizer reads it); otherwise its word is the word column's.
    """

    number: str
    """The column word holding the enum number."""
    names: tuple[str, ...]
    """The enum's names in number order (index == number)."""


@attrs.frozen
class Test:
    """One condition on one column, named by its logical word (e.g. ``"JobRunState"``)."""

    __test__ = False  # not a test class, wherever a test module imports it

    column: str
    kind: TestKind
    words: tuple[str, ...] = ()
    limit: int | None = None
    classes: Classes | None = None
    switch: Switch | None = None
    enum: EnumNumbers | None = None
    """For a word column that may hold enum numbers instead (kinds IN, NOT_IN and NULL only)."""
    bounds: tuple[int, int] | None = None
    """The lowest and highest number of :attr:`TestKind.BETWEEN`."""


@attrs.frozen
class Rule:
    """When every test holds (and no earlier rule matched), the run has ``outcome``."""

    tests: tuple[Test, ...]
    outcome: Outcome


@attrs.frozen
class Classes:
    """A set of word classes of one column: some known words, absence, a word no table knows."""

    words: tuple[str, ...]
    absent: bool
    unknown: bool
    known: tuple[str, ...]
    """Every word the column's tables know (what "unknown" is measured against)."""
    blank_is_absent: bool = True
    """Whether "" counts as absent (as NULL) rather than as a word."""


@attrs.frozen
class Switch:
    """A column of tokens defined by conditions: the token of a row is the first whose tests all hold
    (the last token, with no tests, takes the rest). For flags and keywords in a partition."""

    cases: tuple[tuple[str, tuple[Test, ...]], ...]

    @property
    def tokens(self) -> tuple[str, ...]:
        return tuple(token for token, _ in self.cases)


@attrs.frozen
class Span:
    """``end - start`` of two timestamp columns, in seconds. Over 100 years either way it is NULL (a
    sentinel time, as :func:`~runstate.provider_kit.time_between` leaves it missing); a shorter
    negative span is kept, or NULL if ``nonnegative``."""

    start: str
    end: str
    nonnegative: bool = False


@attrs.frozen
class Millis:
    """Integer milliseconds as seconds: the sum of ``columns`` minus ``minus``, NULL unless every one
    of them is within ``bounds`` (what a reader of milliseconds accepts). With ``minus`` it is a span
    of two times, NULL over 100 years either way as :class:`Span` is. The arithmetic is exact in
    DOUBLE for bounded values: whole numbers below 2**53, one rounding, in the division."""

    columns: tuple[str, ...]
    bounds: tuple[int, int]
    minus: str | None = None


DurationSource = str | Span | Millis | None
"""Where a duration's value comes from: a numeric column (seconds), a span, milliseconds, or nothing."""


@attrs.frozen
class Token:
    """A column the decision computes: the token of the first case whose tests all hold, else
    ``default`` (e.g. whether a run has ended, from its end time and its state's rules)."""

    cases: tuple[tuple[tuple[Test, ...], str], ...]
    default: str


@attrs.frozen
class Count:
    """A column the decision computes: how many entries of the list columns ``lists`` are not the row
    itself, i.e. have a ``key`` field other than the row's ``own`` column (all of them if it is NULL)."""

    lists: tuple[str, ...]
    key: str
    own: str


@attrs.frozen
class Duration:
    """A duration output in seconds: the source of the first case whose tests all hold (else NULL)."""

    cases: tuple[tuple[tuple[Test, ...], DurationSource], ...]


@attrs.frozen(eq=False)
class Decision:
    """Everything the SQL needs of one provider: its columns, rules, the unmapped flag, durations.

    Compared and hashed by identity: the SQL printed from it is kept per decision."""

    columns: Mapping[str, str]
    """Logical word to the default SQL expression (the provider's own column names)."""
    rules: tuple[Rule, ...]
    unmapped: tuple[tuple[Test, ...], ...]
    """The run has a word the tables do not map when all tests of any one group hold."""
    durations: Mapping[str, Duration] = attrs.field(factory=dict)
    column_docs: Mapping[str, str] = attrs.field(factory=dict)
    """What each logical column holds, for ``--help`` and the docs."""
    derived: Mapping[str, Token | Count] = attrs.field(factory=dict)
    """Columns computed from the others (in order; one may read an earlier one), named by words that
    are no column word, for the durations' tests."""


def grouped_rules(
    prefix: tuple[Test, ...], column: str, table: Mapping[str, Outcome], enum: EnumNumbers | None = None
) -> list[Rule]:
    """One rule per distinct outcome of ``table``: ``prefix`` and ``column IN (its words)``.

    Grouping keeps the generated ``CASE`` short; the order of first appearance is kept.
    """
    by_outcome: dict[Outcome, list[str]] = {}
    for word, outcome in table.items():
        by_outcome.setdefault(outcome, []).append(word)
    return [
        Rule((*prefix, Test(column, TestKind.IN, tuple(words), enum=enum)), o)
        for o, words in by_outcome.items()
    ]


ABSENT: Final = "\x00absent"
UNKNOWN_WORD: Final = "\x00a word no table knows"
"""The representatives of absence and of an unknown word when a decision function is enumerated."""


def rules_from_function(
    columns: Mapping[str, tuple[str, ...]], decide: Callable[[Mapping[str, str | None]], Outcome]
) -> list[Rule]:
    """Rules equal to ``decide`` over every class of word: each known word, absent, unknown.

    ``decide`` gets one representative per column (a known word, ``None`` for absent, or
    :data:`UNKNOWN_WORD`) and must depend on a word only through its class, as a normalizer reading
    tables does. The classes partition the inputs, so rows with one outcome merge freely: the result
    is a few rules with ``IN`` lists instead of one per combination.
    """
    names = list(columns)
    classes: dict[str, Classes | Switch] = {n: Classes((), True, True, columns[n]) for n in names}
    cells: list[tuple[Cell, Outcome]] = []
    for combo in itertools.product(*((*columns[n], ABSENT, UNKNOWN_WORD) for n in names)):
        words = {n: (None if w == ABSENT else w) for n, w in zip(names, combo, strict=True)}
        cells.append(({n: frozenset({w}) for n, w in zip(names, combo, strict=True)}, decide(words)))
    return rules_from_cells(classes, cells)


def _merged(patterns: list[tuple[frozenset[str], ...]], width: int) -> list[tuple[frozenset[str], ...]]:
    """The merged cells (:func:`~runstate._kit.spec.merge_patterns`), in a stable order for the SQL text."""
    return sorted(merge_patterns(patterns, width), key=lambda p: tuple(sorted(w for c in p for w in c)))


Cell = dict[str, frozenset[str]]
"""A cell of a partition: for each column, the set of its tokens (words, :data:`ABSENT`, ...)."""


def rules_from_cells(
    domains: Mapping[str, Classes | Switch], cells: list[tuple[Cell, Outcome]]
) -> list[Rule]:
    """Rules for a partition given as disjoint cells (a missing column is all of its tokens).

    Cells with one outcome are merged column by column, as in :func:`rules_from_function`.
    """
    return [Rule(tests, outcome) for tests, outcome in partition_tests(domains, cells)]


_Value = TypeVar("_Value", bound=Hashable)


def partition_tests(
    domains: Mapping[str, Classes | Switch], cells: list[tuple[Cell, _Value]]
) -> list[tuple[tuple[Test, ...], _Value]]:
    """:func:`rules_from_cells` for any value of a cell (an outcome, or a coarser class of one)."""
    names = list(domains)
    tokens = {n: _tokens(d) for n, d in domains.items()}
    rows: dict[_Value, list[tuple[frozenset[str], ...]]] = {}
    for pattern, value in cells:
        row = tuple(pattern.get(n, tokens[n]) for n in names)
        if all(row):
            rows.setdefault(value, []).append(row)
    found: list[tuple[tuple[Test, ...], _Value]] = []
    for value, patterns in rows.items():
        for merged in _merged(patterns, len(names)):
            tests = tuple(
                _domain_test(n, domains[n], sets)
                for n, sets in zip(names, merged, strict=True)
                if sets != tokens[n]
            )
            found.append((tests, value))
    return found


def is_partition(domains: Mapping[str, Classes | Switch], cells: list[tuple[Cell, _Value]]) -> bool:
    """Whether the cells are disjoint and together hold every combination of tokens (then a class of
    them can be left to a ``CASE``'s ``ELSE``)."""
    tokens = {n: _tokens(d) for n, d in domains.items()}
    rows = [tuple(pattern.get(n, tokens[n]) for n in tokens) for pattern, _ in cells]
    for i, row in enumerate(rows):
        for other in rows[i + 1 :]:
            if all(a & b for a, b in zip(row, other, strict=True)):
                return False
    size = math.prod(len(t) for t in tokens.values())
    return sum(math.prod(len(c) for c in row) for row in rows) == size


def _tokens(domain: Classes | Switch) -> frozenset[str]:
    if isinstance(domain, Switch):
        return frozenset(domain.tokens)
    extra = {ABSENT} if domain.absent else set()
    return frozenset({*domain.known, *extra, UNKNOWN_WORD} if domain.unknown else {*domain.known, *extra})


def _domain_test(name: str, domain: Classes | Switch, chosen: frozenset[str]) -> Test:
    if isinstance(domain, Switch):
        return Test(name, TestKind.SWITCH, tuple(t for t in domain.tokens if t in chosen), switch=domain)
    words = tuple(w for w in domain.known if w in chosen)
    picked = Classes(words, ABSENT in chosen, UNKNOWN_WORD in chosen, domain.known, domain.blank_is_absent)
    return Test(name, TestKind.CLASSES, classes=picked)
