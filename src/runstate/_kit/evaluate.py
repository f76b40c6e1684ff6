"""A decision's durations evaluated in Python, exactly as the SQL emitted from them computes them.

A provider declares each duration once, as data (:class:`~runstate._kit.decision.Duration`); the SQL
(:mod:`runstate.sql`) is emitted from it and the reader evaluates it here, so the rule exists once.
:func:`compile_duration` turns a duration into a function of a row (the row's words as Python values:
aware datetimes for time columns, numbers for numeric ones, ``None`` for NULL) giving a ``timedelta``
or ``None`` where the SQL gives NULL. Tests follow SQL's three-valued logic (``None`` is unknown) and a
``CASE`` takes a case only when its tests are TRUE. A span over 100 years either way is ``None`` (the
sentinel rule, :func:`~runstate.provider_kit.time_between`). Compiled once, at import, a duration
costs a few calls per record; :func:`compile_span` takes a lone span's two times without a row.
See docs/write-a-provider.md and docs/sql.md.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import timedelta
from typing import Any, Final

from .._core.durations import MAX_DURATION
from .decision import (
    Classes,
    Count,
    Decision,
    Duration,
    DurationSource,
    Millis,
    Span,
    Switch,
    Test,
    TestKind,
    Token,
)

__all__ = ["compile_duration", "compile_source", "compile_span", "compile_test", "derive", "holds"]

Row = Mapping[str, Any]
Truth = bool | None
"""A SQL condition's value: TRUE, FALSE or NULL (unknown)."""
Check = Callable[[Row], Truth]
Value = Callable[[Row], timedelta | None]

_ZERO: Final = timedelta(0)
_MAX_MS: Final = MAX_DURATION // timedelta(milliseconds=1)


def _and(values: Sequence[Truth]) -> Truth:
    if False in values:
        return False
    return None if None in values else True


def _or(values: Sequence[Truth]) -> Truth:
    if True in values:
        return True
    return None if None in values else False


def _compare(column: str, test: Callable[[Any], bool]) -> Check:
    """A comparison of one column: NULL when the column is."""
    return lambda row: None if (v := row.get(column)) is None else test(v)


def _in(column: str, words: tuple[str, ...]) -> Check:
    chosen = frozenset(words)
    return _compare(column, lambda v: v in chosen)


def _not_in(column: str, words: tuple[str, ...]) -> Check:
    chosen = frozenset(words)
    return _compare(column, lambda v: v not in chosen)


def _contains(column: str, keyword: str, limit: int | None) -> Check:
    """The keyword in the first ``limit`` characters lower-cased as Python lowers them (the SQL's
    ASCII-only lowering shows exactly as much of the keyword's letters)."""
    return _compare(column, lambda v: keyword in v[:limit].lower())


def _blank(column: str) -> Check:
    return lambda row: (v := row.get(column)) is None or v == ""


def _zero_or_null(column: str) -> Check:
    return lambda row: (v := row.get(column)) is None or v == 0


def _differs(column: str, other: str) -> Check:
    def check(row: Row) -> Truth:
        a, b = row.get(column), row.get(other)
        return None if a is None or b is None else a != b

    return check


def _within(column: str, bounds: tuple[int, int]) -> Check:
    low, high = bounds
    return _compare(column, lambda v: low <= v <= high)


_SIMPLE: Final[dict[TestKind, Callable[[Test], Check]]] = {
    TestKind.IN: lambda t: _in(t.column, t.words),
    TestKind.NOT_IN: lambda t: _not_in(t.column, t.words),
    TestKind.NULL: lambda t: lambda row: row.get(t.column) is None,
    TestKind.NOT_NULL: lambda t: lambda row: row.get(t.column) is not None,
    TestKind.BLANK: lambda t: _blank(t.column),
    TestKind.NOT_BLANK: lambda t: _compare(t.column, lambda v: v != ""),
    TestKind.CONTAINS: lambda t: _contains(t.column, t.words[0], t.limit),
    TestKind.TRUE: lambda t: _compare(t.column, lambda v: v is True),
    TestKind.POSITIVE: lambda t: _compare(t.column, lambda v: v > 0),
    TestKind.ZERO_OR_NULL: lambda t: _zero_or_null(t.column),
    TestKind.ZERO: lambda t: _compare(t.column, lambda v: v == 0),
    TestKind.NONZERO: lambda t: _compare(t.column, lambda v: v != 0),
    TestKind.DIFFERS: lambda t: _differs(t.column, t.words[0]),
}


def compile_test(test: Test) -> Check:
    """A function of a row giving the test's SQL value (TRUE, FALSE or NULL as ``None``)."""
    if test.enum is not None:
        return _enum(test)
    if test.kind is TestKind.BETWEEN:
        assert test.bounds is not None
        return _within(test.column, test.bounds)
    if test.kind is TestKind.SWITCH:
        assert test.switch is not None
        return _switch(test.switch, frozenset(test.words))
    if test.kind is TestKind.CLASSES:
        assert test.classes is not None
        return _classes(test.column, test.classes)
    return _SIMPLE[test.kind](test)


def _enum(test: Test) -> Check:
    """The number's name where the enum-number column is not NULL, else the word column's text."""
    assert test.enum is not None
    number_column = test.enum.number
    by_name = compile_test(Test(test.column, test.kind, test.words, test.limit))
    numbers = frozenset(i for i, name in enumerate(test.enum.names) if name in test.words)
    kind = test.kind
    if kind not in (TestKind.IN, TestKind.NOT_IN, TestKind.NULL):  # pragma: no cover - a decision's bug
        raise ValueError(f"an enum number cannot be tested by {kind}")

    def check(row: Row) -> Truth:
        number = row.get(number_column)
        if number is None:
            word = row.get(test.column)
            return by_name(row if word is None or type(word) is str else {**row, test.column: str(word)})
        if kind is TestKind.IN:
            return number in numbers
        return number not in numbers if kind is TestKind.NOT_IN else False

    return check


def _switch(switch: Switch, chosen: frozenset[str]) -> Check:
    """Whether the first case whose tests are TRUE (a case without tests always is) is a chosen token."""
    cases = [(token, [compile_test(t) for t in tests]) for token, tests in switch.cases]

    def check(row: Row) -> Truth:
        for token, tests in cases:
            if _and([t(row) for t in tests]) is True:
                return token in chosen
        return False

    return check


def _classes(column: str, classes: Classes) -> Check:
    """The word is one of ``words``, absent (NULL, or "") or unknown (a word outside every table)."""
    words, known = frozenset(classes.words), frozenset(classes.known)
    others = known - words
    blank = classes.blank_is_absent

    def check(row: Row) -> Truth:
        v = row.get(column)
        if v is None:
            return True if classes.absent else None
        if classes.absent and classes.unknown:
            return v not in others
        return (
            v in words
            or (classes.absent and blank and v == "")
            or (classes.unknown and v not in known and not (blank and v == ""))
        )

    return check


def holds(tests: Sequence[Test]) -> Check:
    """All the tests together (``AND``), as one function of a row; no tests is TRUE."""
    checks = [compile_test(t) for t in tests]
    if len(checks) == 1:
        return checks[0]
    return lambda row: _and([c(row) for c in checks])


def _time_span(nonnegative: bool) -> Callable[[Any, Any], timedelta | None]:
    """``last - first`` of two times, NULL over 100 years either way (and, if ``nonnegative``, below 0)."""

    def value(first: Any, last: Any) -> timedelta | None:
        if first is None or last is None:
            return None
        between: timedelta = last - first
        if nonnegative and between < _ZERO:
            return None
        return between if -MAX_DURATION <= between <= MAX_DURATION else None

    return value


def _span(start: str, end: str, nonnegative: bool) -> Value:
    between = _time_span(nonnegative)
    return lambda row: between(row.get(start), row.get(end))


def _millis(source: Millis) -> Value:
    """The sum of the columns minus ``minus``, in milliseconds, when every one is within the bounds."""
    names = (*source.columns, *([source.minus] if source.minus is not None else []))
    low, high = source.bounds
    minus, count = source.minus, len(source.columns)

    def value(row: Row) -> timedelta | None:
        values: list[Any] = [row.get(n) for n in names]
        if not all(v is not None and low <= v <= high for v in values):
            return None
        total: int = sum(values[:count]) - (values[-1] if minus is not None else 0)
        if minus is not None and not -_MAX_MS <= total <= _MAX_MS:
            return None
        return timedelta(milliseconds=total)

    return value


def _nothing(_row: Row) -> None:
    return None


def _seconds(column: str) -> Value:
    """A numeric column of seconds, to the microsecond a ``timedelta`` holds (the SQL keeps the
    DOUBLE: they agree on whole microseconds, all a reader's durations have)."""
    return lambda row: None if (v := row.get(column)) is None else timedelta(seconds=v)


def compile_source(source: DurationSource) -> Value:
    """A duration source as a function of a row: a numeric column's seconds, a span, milliseconds."""
    if source is None:
        return _nothing
    if isinstance(source, str):
        return _seconds(source)
    if isinstance(source, Millis):
        return _millis(source)
    return _span(source.start, source.end, source.nonnegative)


def compile_duration(duration: Duration) -> Value:
    """The duration as a function of a row: the source of the first case whose tests are TRUE."""
    cases = duration.cases
    if len(cases) == 1 and not cases[0][0]:
        return compile_source(cases[0][1])
    compiled = [(holds(tests), compile_source(source)) for tests, source in cases]

    def value(row: Row) -> timedelta | None:
        for condition, source in compiled:
            if condition(row) is True:
                return source(row)
        return None

    return value


def compile_span(duration: Duration, start: str, end: str) -> Callable[[Any, Any], timedelta | None]:
    """A duration that is one :class:`Span` of ``start`` and ``end`` as a function of the two times
    (no row to build: for a reader's every record); refused (ValueError) for any other duration."""
    match duration.cases:
        case (((), Span(start=s, end=e, nonnegative=nonnegative)),) if (s, e) == (start, end):
            return _time_span(nonnegative)
    raise ValueError(f"not a span of {start} and {end}: {duration}")


def _token(token: Token) -> Callable[[Row], str]:
    cases = [(holds(tests), value) for tests, value in token.cases]

    def value(row: Row) -> str:
        return next((v for condition, v in cases if condition(row) is True), token.default)

    return value


def _count(count: Count) -> Callable[[Row], int]:
    """Entries of the lists whose ``key`` is not the row's own (all of them without one); NULL lists 0."""

    def value(row: Row) -> int:
        own = row.get(count.own)
        found = 0
        for name in count.lists:
            for entry in row.get(name) or ():
                key = entry.get(count.key) if isinstance(entry, Mapping) else None
                found += own is None or key != own
        return found

    return value


def derive(decision: Decision) -> Callable[[Row], dict[str, Any]]:
    """A function adding the decision's derived columns to a row (in order: one may read another)."""
    steps = [(name, _token(d) if isinstance(d, Token) else _count(d)) for name, d in decision.derived.items()]

    def add(row: Row) -> dict[str, Any]:
        result = dict(row)
        for name, step in steps:
            result[name] = step(result)
        return result

    return add
