"""A provider's :class:`~runstate.provider_kit.Decision` as one sqlglot tree per output, in any dialect.

Every output is built once as a sqlglot expression and printed by sqlglot for the dialect asked, so
DuckDB, Spark and BigQuery get the same logic. The emitter knows no provider: it reads the decision a
provider's spec declares. The one rule it adds is the sentinel span: a span of two times over 100
years either way is NULL, as :func:`~runstate.provider_kit.time_between` leaves it missing. sqlglot is
imported here only (lazily, by :mod:`runstate.sql`). See docs/sql.md.
"""

from __future__ import annotations

import string
from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Final

import attrs
import sqlglot
from sqlglot import exp

from .._core.durations import MAX_DURATION
from .._core.vocabulary import STATE_PHASE
from .._kit.decision import (
    Classes,
    Count,
    Decision,
    Duration,
    DurationSource,
    Millis,
    Rule,
    Switch,
    Test,
    TestKind,
    Token,
)

__all__ = ["outputs"]

# Python's str.lower() turns only these non-ASCII characters into text holding an ASCII letter; the
# keywords are ASCII, so lowering ASCII letters and these is exactly as much as a match can see.
_LOWER_EXPANDING: Final = {
    chr(c): chr(c).lower()
    for c in range(0x80, 0x110000)
    if len(chr(c).lower()) > 1 and any(ch.isascii() and ch.isalpha() for ch in chr(c).lower())
}
_LOWER_SINGLE: Final = {
    chr(c): chr(c).lower()
    for c in range(0x80, 0x110000)
    if len(chr(c).lower()) == 1 and chr(c).lower().isascii() and chr(c).lower().isalpha()
}
_UPPER: Final = string.ascii_uppercase + "".join(_LOWER_SINGLE)
_LOWER: Final = string.ascii_lowercase + "".join(_LOWER_SINGLE.values())


def _text(value: str) -> exp.Expr:
    return exp.Literal.string(value)


def _python_lower(column: exp.Expr, limit: int | None) -> exp.Expr:
    """What ``text[:limit].lower()`` shows of ASCII letters: ASCII-only lowering, so no engine's Unicode
    rules (``LOWER('İ')`` is ``'i'`` in DuckDB, ``'i̇'`` in Python) can make a keyword match differently."""
    value = column.copy()
    if limit is not None:
        value = exp.Substring(this=value, start=exp.Literal.number(1), length=exp.Literal.number(limit))
    for char, lowered in _LOWER_EXPANDING.items():
        value = exp.func("REPLACE", value, _text(char), _text(lowered))
    return exp.func("TRANSLATE", value, _text(_UPPER), _text(_LOWER))


def _test(test: Test, columns: Mapping[str, exp.Expr]) -> exp.Expr:
    if test.enum is not None:
        return _enum_test(test, columns)
    column = columns[test.column].copy()
    kind = test.kind
    if kind is TestKind.IN:
        return exp.In(this=column, expressions=[_text(w) for w in test.words])
    if kind is TestKind.NOT_IN:
        return exp.Not(this=exp.In(this=column, expressions=[_text(w) for w in test.words]))
    if kind is TestKind.NULL:
        return exp.Is(this=column, expression=exp.Null())
    if kind is TestKind.NOT_NULL:
        return exp.Not(this=exp.Is(this=column, expression=exp.Null()))
    if kind is TestKind.BETWEEN:
        assert test.bounds is not None
        low, high = test.bounds
        return exp.Between(this=column, low=exp.Literal.number(low), high=exp.Literal.number(high))
    if kind is TestKind.BLANK:
        return exp.Paren(
            this=exp.or_(
                exp.Is(this=column, expression=exp.Null()), exp.EQ(this=column.copy(), expression=_text(""))
            )
        )
    if kind is TestKind.NOT_BLANK:
        return exp.NEQ(this=column, expression=_text(""))
    if kind is TestKind.CONTAINS:
        keyword = test.words[0]
        if not keyword.isascii() or keyword != keyword.lower():  # pragma: no cover - a table's bug
            raise ValueError(f"keyword {keyword!r} must be lower-case ASCII")
        found = exp.StrPosition(this=_python_lower(column, test.limit), substr=_text(keyword))
        return exp.GT(this=found, expression=exp.Literal.number(0))
    if kind is TestKind.TRUE:
        return exp.EQ(this=column, expression=exp.true())
    if kind is TestKind.POSITIVE:
        return exp.GT(this=column, expression=exp.Literal.number(0))
    zero = exp.Literal.number(0)
    if kind is TestKind.ZERO_OR_NULL:
        return exp.Paren(
            this=exp.or_(
                exp.Is(this=column, expression=exp.Null()), exp.EQ(this=column.copy(), expression=zero)
            )
        )
    if kind is TestKind.DIFFERS:
        return exp.NEQ(this=column, expression=columns[test.words[0]].copy())
    if kind is TestKind.ZERO:
        return exp.EQ(this=column, expression=zero)
    if kind is TestKind.NONZERO:
        return exp.NEQ(this=column, expression=zero)
    if kind is TestKind.SWITCH:
        assert test.switch is not None
        return _switch(test.switch, set(test.words), columns)
    assert test.classes is not None  # TestKind.CLASSES
    return _classes(column, test.classes)


def _enum_test(test: Test, columns: Mapping[str, exp.Expr]) -> exp.Expr:
    """A test of a word a row may give as an enum number: the number's name where the number is not
    NULL, else the word column's (cast to text: an integer column left under the word never binds)."""
    assert test.enum is not None
    number, plain = columns[test.enum.number], attrs.evolve(test, enum=None)
    if isinstance(number, exp.Null):  # the default layout: names only
        return _test(plain, columns)
    as_text = exp.Cast(this=columns[test.column].copy(), to=exp.DataType.build("TEXT"))
    by_name = _test(plain, {**columns, test.column: as_text})
    numbers = [exp.Literal.number(i) for i, name in enumerate(test.enum.names) if name in test.words]
    found = exp.In(this=number.copy(), expressions=numbers) if numbers else exp.false()
    if test.kind is TestKind.IN:
        by_number: exp.Expr = found
    elif test.kind is TestKind.NOT_IN:  # a number outside the names is a word no table knows
        by_number = exp.Not(this=found) if numbers else exp.true()
    elif test.kind is TestKind.NULL:
        by_number = exp.false()
    else:  # pragma: no cover - a decision's bug
        raise ValueError(f"an enum number cannot be tested by {test.kind}")
    return exp.Case().when(exp.Is(this=number.copy(), expression=exp.Null()), by_name).else_(by_number)


def _holds(tests: Sequence[Test], columns: Mapping[str, exp.Expr]) -> exp.Expr:
    """TRUE or FALSE, never NULL: ``COALESCE(<tests>, FALSE)``."""
    return exp.func("COALESCE", _all(tests, columns), exp.false())


def _switch(switch: Switch, chosen: set[str], columns: Mapping[str, exp.Expr]) -> exp.Expr:
    """The row's token (the first case whose tests hold) is one of ``chosen``."""
    options: list[exp.Expr] = []
    earlier: list[exp.Expr] = []
    for token, tests in switch.cases:
        here = _holds(tests, columns) if tests else exp.true()
        if token in chosen:
            options.append(exp.and_(*[exp.Not(this=e.copy()) for e in earlier], here.copy()))
        earlier.append(here)
    return exp.Paren(this=exp.or_(*options)) if len(options) > 1 else options[0]


def _classes(column: exp.Expr, classes: Classes) -> exp.Expr:
    """``col IN (words)`` or absent (NULL, or "") or unknown (a word outside every table), as asked."""
    parts: list[exp.Expr] = []
    if classes.absent:
        parts.append(exp.Is(this=column.copy(), expression=exp.Null()))
    if classes.absent and classes.unknown:  # the shorter way round: anything but the other known words
        others = [w for w in classes.known if w not in classes.words]  # "" is absent or unknown: in
        parts.append(exp.Not(this=exp.In(this=column.copy(), expressions=[_text(w) for w in others])))
        return exp.Paren(this=exp.or_(*parts))
    if classes.words:
        parts.append(exp.In(this=column.copy(), expressions=[_text(w) for w in classes.words]))
    if classes.absent and classes.blank_is_absent:
        parts.append(exp.EQ(this=column.copy(), expression=_text("")))
    if classes.unknown:
        known = [*classes.known, *([""] if classes.blank_is_absent else [])]
        parts.append(exp.Not(this=exp.In(this=column.copy(), expressions=[_text(w) for w in known])))
    if not parts:  # pragma: no cover - rules_from_function never makes an empty class set
        return exp.false()
    return exp.Paren(this=exp.or_(*parts)) if len(parts) > 1 else parts[0]


def _all(tests: Sequence[Test], columns: Mapping[str, exp.Expr]) -> exp.Expr:
    if not tests:
        return exp.true()
    return exp.and_(*(_test(t, columns) for t in tests))


def _case(
    rules: Sequence[Rule], value: list[str | None], default: str | None, columns: Mapping[str, exp.Expr]
) -> exp.Expr:
    """``CASE WHEN <rule> THEN <value> ... ELSE <default> END``, neighbours with one value merged."""
    while rules and value[-1] == default:  # trailing rules that give the default change nothing
        rules, value = rules[:-1], value[:-1]
    case = exp.Case()
    i = 0
    while i < len(rules):
        j = i
        while j + 1 < len(rules) and value[j + 1] == value[i]:
            j += 1
        group = _fused(rules[i : j + 1])
        if len(group) == 1:
            condition = _all(group[0], columns)
        else:
            condition = exp.or_(*(exp.Paren(this=_all(tests, columns)) for tests in group))
        then = value[i]
        case = case.when(condition, exp.Null() if then is None else _text(then))
        i = j + 1
    if not case.args.get("ifs"):
        return exp.Null() if default is None else _text(default)
    return case.else_(exp.Null() if default is None else _text(default))


def _fused(rules: Sequence[Rule]) -> list[tuple[Test, ...]]:
    """The tests of neighbouring rules, those that differ only in the words of a last ``IN`` joined:
    ``(a AND x IN ('P')) OR (a AND x IN ('Q'))`` is ``a AND x IN ('P', 'Q')``."""
    fused: list[tuple[Test, ...]] = []
    for rule in rules:
        tests = rule.tests
        if fused and tests and fused[-1] and _joinable(fused[-1], tests):
            last = fused[-1][-1]
            fused[-1] = (*tests[:-1], attrs.evolve(last, words=(*last.words, *tests[-1].words)))
        else:
            fused.append(tests)
    return fused


def _joinable(before: tuple[Test, ...], tests: tuple[Test, ...]) -> bool:
    last, new = before[-1], tests[-1]
    same = last.column == new.column and last.enum == new.enum
    return before[:-1] == tests[:-1] and last.kind is new.kind is TestKind.IN and same


def _flag(groups: Sequence[Sequence[Test]], columns: Mapping[str, exp.Expr]) -> exp.Expr:
    if not groups:
        return exp.false()
    condition = exp.or_(*(exp.Paren(this=_all(g, columns)) for g in groups))
    return exp.Case().when(condition, exp.true()).else_(exp.false())


def _double(value: exp.Expr) -> exp.Expr:
    return exp.Cast(this=value.copy(), to=exp.DataType.build("DOUBLE"))


def _millis(source: Millis, columns: Mapping[str, exp.Expr]) -> exp.Expr:
    """``(a + b ... - minus) / 1000`` in DOUBLE when every column is within the bounds, else NULL."""
    names = [*source.columns, *([source.minus] if source.minus is not None else [])]
    if any(isinstance(columns[n], exp.Null) for n in names):  # a column mapped to NULL: no value
        return exp.Null()
    low, high = (exp.Literal.number(b) for b in source.bounds)
    within = exp.and_(*(exp.Between(this=columns[n].copy(), low=low.copy(), high=high.copy()) for n in names))
    total = _double(columns[source.columns[0]])
    for name in source.columns[1:]:
        total = exp.Add(this=total, expression=_double(columns[name]))
    if source.minus is not None:  # a span of two times
        total = exp.Sub(this=total, expression=_double(columns[source.minus]))
        within = exp.and_(within, _no_sentinel(total, _MAX_MS))
    seconds = exp.Div(
        this=exp.Paren(this=total) if len(names) > 1 else total, expression=exp.Literal.number(1000)
    )
    return exp.Case().when(within, seconds)


def _source(source: DurationSource, columns: Mapping[str, exp.Expr]) -> exp.Expr:
    """A duration's value in seconds as a DOUBLE (NULL for ``None``)."""
    if source is None:
        return exp.Null()
    if isinstance(source, str):
        return _double(columns[source])
    if isinstance(source, Millis):
        return _millis(source, columns)
    end, start = columns[source.end], columns[source.start]
    if isinstance(end, exp.Null) or isinstance(start, exp.Null):  # a time mapped to NULL: no span
        return exp.Null()
    micros = exp.TimestampDiff(this=end.copy(), expression=start.copy(), unit=exp.var("MICROSECOND"))
    seconds = exp.Div(
        this=exp.Cast(this=micros.copy(), to=exp.DataType.build("DOUBLE")),
        expression=exp.Literal.number(1_000_000),
    )
    within = _no_sentinel(micros, _MAX_US)
    if source.nonnegative:
        within = exp.and_(exp.GTE(this=end.copy(), expression=start.copy()), within)
    return exp.Case().when(within, seconds)


_MAX_US: Final = MAX_DURATION // timedelta(microseconds=1)
_MAX_MS: Final = MAX_DURATION // timedelta(milliseconds=1)


def _no_sentinel(span: exp.Expr, most: int) -> exp.Expr:
    """The sentinel-span rule, once: a span (in the unit of ``most``: 100 years) over ``most`` either
    way is a sentinel time, no measure (:func:`~runstate.provider_kit.time_between`)."""
    return exp.Between(this=span.copy(), low=exp.Literal.number(-most), high=exp.Literal.number(most))


def _seconds(duration: Duration, columns: Mapping[str, exp.Expr]) -> exp.Expr:
    cases = duration.cases
    if len(cases) == 1 and not cases[0][0]:
        return _source(cases[0][1], columns)
    case = exp.Case()
    for tests, source in cases:
        case = case.when(_all(tests, columns), _source(source, columns))
    return case


def _token(token: Token, columns: Mapping[str, exp.Expr]) -> exp.Expr:
    case = exp.Case()
    for tests, value in token.cases:
        case = case.when(_all(tests, columns), _text(value))
    return case.else_(_text(token.default))


_ENTRY: Final = "runstate_entry"
"""The lambda parameter of :func:`_count` (a name no table is likely to have as a column)."""


def _keys(items: exp.Expr, key: str, dialect: str | None) -> exp.Expr:
    """The ``key`` field of every entry of a list, as a list (in BigQuery a subquery over UNNEST, which
    names nothing but the entry, so no field can shadow a column of the row in :func:`_count`)."""
    entry = exp.to_identifier(_ENTRY)
    if dialect == "bigquery":
        select = exp.select(exp.column(key, table=_ENTRY)).from_(
            exp.Unnest(expressions=[items.copy()], alias=exp.TableAlias(columns=[entry]))
        )
        return exp.Array(expressions=[select])
    field = exp.Dot(this=entry.copy(), expression=exp.to_identifier(key))
    return exp.Transform(this=items.copy(), expression=exp.Lambda(this=field, expressions=[entry]))


def _count(count: Count, columns: Mapping[str, exp.Expr], dialect: str | None) -> exp.Expr:
    """The entries of each list whose ``key`` is not the row's own (``IS DISTINCT FROM``: an entry
    without one counts), all of them when the row has none; a NULL list (or a word mapped to NULL,
    a table without it) counts 0. sqlglot writes the filter in each dialect's own way."""
    own = columns[count.own]
    entry = exp.to_identifier(_ENTRY)
    differs = exp.or_(
        exp.NullSafeNEQ(this=exp.column(_ENTRY), expression=own.copy()),
        exp.Is(this=own.copy(), expression=exp.Null()),
    )
    total: exp.Expr | None = None
    for name in count.lists:
        items = columns[name]
        if isinstance(items, exp.Null):
            continue
        kept = exp.ArrayFilter(
            this=_keys(items, count.key, dialect),
            expression=exp.Lambda(this=differs.copy(), expressions=[entry.copy()]),
        )
        size = (
            exp.Case()
            .when(exp.Is(this=items.copy(), expression=exp.Null()), exp.Literal.number(0))
            .else_(exp.ArraySize(this=kept))
        )
        total = size if total is None else exp.Add(this=total, expression=size)
    return exp.Literal.number(0) if total is None else total


_STATEMENTS: Final = (exp.Query, exp.DDL, exp.DML, exp.Command)
"""Nodes that read or change tables: a column expression holds none (it is printed into a SELECT)."""
_ATOMS: Final = (exp.Column, exp.Literal, exp.Func, exp.Paren, exp.Dot, exp.Bracket, exp.Null, exp.Boolean)
"""Expressions printed whole wherever they stand; any other (``a = 1``) is parenthesized, so the
tests built around it (``... IN ('WAITING')``) read it as one operand."""


_OUTSIDE_THE_ROW: Final = frozenset(
    {
        "reflect", "try_reflect", "java_method",  # Spark: calls any Java method
        "getenv", "current_setting", "getvariable", "nextval", "setseed", "load_extension",  # DuckDB
        "glob", "query", "query_table", "sniff_csv", "external_query", "read_files",  # table functions
    }
)  # fmt: skip
"""Functions that read files, settings or the environment, change state or run other code (and every
``read_*`` and ``duckdb_*``): a column expression reads its row only. Table functions are named even
where the engine refuses them in a SELECT list, so no dialect depends on that."""


def _function_name(node: exp.Func) -> str:
    return str(node.name if isinstance(node, exp.Anonymous) else node.sql_name()).lower()


def _reaches_outside(node: exp.Func) -> bool:
    name = _function_name(node)
    return name in _OUTSIDE_THE_ROW or name.startswith(("read_", "duckdb_"))


def parse_column(text: str, dialect: str) -> exp.Expr:
    """A caller's column expression, parsed in the dialect it is written in.

    It must be exactly one value expression over the row: text holding a ``;``, a statement, a
    subquery or a function of :data:`_OUTSIDE_THE_ROW` is refused (ValueError), as it would be printed
    into the SELECT and run with it.
    """
    if any(token.token_type is sqlglot.TokenType.SEMICOLON for token in sqlglot.tokenize(text, read=dialect)):
        raise ValueError("it holds ';': one expression is expected, not statements")
    trees = [tree for tree in sqlglot.parse(text, read=dialect) if tree is not None]
    if len(trees) != 1:
        raise ValueError(f"expected one expression, found {len(trees)}")
    tree = trees[0]
    if not isinstance(tree, exp.Condition) or tree.find(*_STATEMENTS) is not None:
        found = tree.find(*_STATEMENTS) or tree
        raise ValueError(f"expected a value expression, found {type(found).__name__.upper()}")
    for node in tree.walk():
        node.pop_comments()  # the caller's comments are not part of the expression
        if isinstance(node, exp.Func) and _reaches_outside(node):
            raise ValueError(f"{_function_name(node)}() reads or changes what lies outside the row")
    return tree if isinstance(tree, _ATOMS) else exp.Paren(this=tree)


def outputs(
    decision: Decision, columns: Mapping[str, exp.Expr], dialect: str | None = None
) -> dict[str, exp.Expr]:
    """The canonical outputs of a decision: ``state``, ``reason``, ``phase``, ``unmapped``, durations
    (``dialect``: the one the tree will be printed in, where a construct must be written for it)."""
    columns = dict(columns)
    for name, derived in decision.derived.items():
        if isinstance(derived, Token):
            columns[name] = _token(derived, columns)
        else:
            columns[name] = _count(derived, columns, dialect)
    rules = decision.rules
    outcomes = [r.outcome for r in rules]
    reasons: list[str | None] = [None if o.reason is None else o.reason.value for o in outcomes]
    result: dict[str, exp.Expr] = {
        "state": _case(rules, [o.state.value for o in outcomes], "UNKNOWN", columns),
        "reason": _case(rules, reasons, None, columns),
        "phase": _case(rules, [STATE_PHASE[o.state].value for o in outcomes], "UNKNOWN", columns),
        "unmapped": _flag(decision.unmapped, columns),
    }
    for name, duration in decision.durations.items():
        result[name] = _seconds(duration, columns)
    return result
