"""A provider's decision as rules over its words: the form in which :mod:`runstate.sql` reads the tables.

A :class:`Decision` is an ordered list of :class:`Rule` s (the first whose tests all hold gives the
outcome, none gives UNKNOWN) and the tests that flag a word the tables do not map. The rules are built
from the providers' own tables by :mod:`runstate._sql_providers` and turned into SQL by
:mod:`runstate._sql_emit`; nothing here knows SQL or any provider.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Final

import attrs

from ._spec import Outcome
from ._vocabulary import State

__all__ = ["Decision", "Duration", "Kind", "Rule", "Test", "UNKNOWN", "grouped_rules"]

UNKNOWN: Final = Outcome(State.UNKNOWN)


class Kind(enum.Enum):
    """What a :class:`Test` asks of one column."""

    IN = "in"
    """The column holds one of ``words``."""
    NOT_IN = "not in"
    """The column holds a value (not NULL) that is none of ``words``."""
    NULL = "null"
    """The column is NULL (the record has no such field)."""
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


@attrs.frozen
class Test:
    """One condition on one column, named by its logical word (e.g. ``"JobRunState"``)."""

    column: str
    kind: Kind
    words: tuple[str, ...] = ()
    limit: int | None = None


@attrs.frozen
class Rule:
    """When every test holds (and no earlier rule matched), the run has ``outcome``."""

    tests: tuple[Test, ...]
    outcome: Outcome


@attrs.frozen
class Duration:
    """A duration output in seconds: ``end - start`` of two timestamp columns, or a numeric column.

    ``scale`` turns the column's unit into seconds (1000 for milliseconds); ``zero_is_null`` keeps a
    reported 0 as NULL ("not reported").
    """

    start: str | None = None
    end: str | None = None
    value: str | None = None
    scale: int = 1
    zero_is_null: bool = False


@attrs.frozen
class Decision:
    """Everything the generator needs for one provider: rules, the unmapped flag, durations."""

    provider: str
    columns: Mapping[str, str]
    """Logical word to the default SQL expression (the provider's own column names)."""
    rules: tuple[Rule, ...]
    unmapped: tuple[tuple[Test, ...], ...]
    """The run has a word the tables do not map when all tests of any one group hold."""
    durations: Mapping[str, Duration] = attrs.field(factory=dict)
    column_docs: Mapping[str, str] = attrs.field(factory=dict)
    """What each logical column holds, for ``--help`` and the docs."""


def grouped_rules(prefix: tuple[Test, ...], column: str, table: Mapping[str, Outcome]) -> list[Rule]:
    """One rule per distinct outcome of ``table``: ``prefix`` and ``column IN (its words)``.

    Grouping keeps the generated ``CASE`` short; the order of first appearance is kept.
    """
    by_outcome: dict[Outcome, list[str]] = {}
    for word, outcome in table.items():
        by_outcome.setdefault(outcome, []).append(word)
    return [Rule((*prefix, Test(column, Kind.IN, tuple(words))), o) for o, words in by_outcome.items()]

