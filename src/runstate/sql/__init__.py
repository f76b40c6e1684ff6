"""The mapping tables as SQL: normalize run history inside the engine where it already lives.

:func:`case_expressions` gives, for one provider and one SQL dialect (``duckdb``, ``spark``,
``bigquery``), the expressions of the canonical ``state``, ``reason`` and ``phase``, an ``unmapped``
flag (TRUE when a word is one the tables do not map: the state is then UNKNOWN, never a guess), and
durations in seconds where the columns allow. :func:`select` wraps them in a ready ``SELECT``. Both are
generated from the decision each provider's :class:`~runstate.provider_kit.ProviderSpec` declares
(``decision``: built from the same tables its reader evaluates), as one sqlglot tree printed per
dialect; a registered third-party provider that declares one gets SQL too. The tests prove DuckDB
and Spark give exactly what :func:`runstate.normalize` gives (lenient mode).

Needs the ``sql`` extra (``pip install 'runstate[sql]'``, which brings sqlglot). See docs/sql.md.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Final

from .._core.errors import ProviderSpecError, RunstateError
from .._kit.decision import Decision
from .._kit.registry import REGISTRY
from .._kit.spec import ProviderSpec

if TYPE_CHECKING:
    from sqlglot import exp

__all__ = [
    "DIALECTS",
    "SqlError",
    "case_expressions",
    "column_docs",
    "default_columns",
    "providers",
    "select",
]

DIALECTS: Final = ("duckdb", "spark", "bigquery")
"""The dialects the SQL is generated for (sqlglot's names; ``spark`` is Spark SQL and Databricks SQL)."""


class SqlError(RunstateError, ValueError):
    """A request the generator cannot honour: an unknown dialect, column word or column expression."""

    def __init__(self, provider: str, field: str, value: object, problem: str) -> None:
        self.provider, self.field, self.value, self.problem = provider, field, value, problem
        super().__init__(provider, field, value, problem)

    def __str__(self) -> str:
        return f"{self.provider}: {self.field}: {self.problem}: {self.value!r}"


def providers() -> tuple[str, ...]:
    """The registered providers whose spec declares a decision, which can be emitted as SQL."""
    return tuple(name for name in REGISTRY.names() if REGISTRY.get(name).decision is not None)


def default_columns(provider: str) -> dict[str, str]:
    """Each logical column word of a provider and the SQL expression read for it by default."""
    return dict(_decision(provider).columns)


def column_docs(provider: str) -> dict[str, str]:
    """What each logical column of a provider holds."""
    return dict(_decision(provider).column_docs)


_DECLARED: dict[str, tuple[ProviderSpec, Decision]] = {}
"""Each provider's decision, built once per registered spec (a built-in's is built on first use)."""


def _decision(provider: str) -> Decision:
    """The decision the registered spec of ``provider`` declares (UnknownProviderError if none is
    registered, SqlError if it declares none)."""
    spec = REGISTRY.get(provider)
    kept = _DECLARED.get(provider)
    if kept is not None and kept[0] is spec:
        return kept[1]
    declared = spec.decision
    if declared is None:
        problem = "its ProviderSpec declares no decision to emit as SQL"
        raise SqlError(provider, "provider", provider, problem)
    found = declared if isinstance(declared, Decision) else _called(provider, declared)
    _DECLARED[provider] = (spec, found)
    return found


def _called(provider: str, declare: Callable[[], Decision]) -> Decision:
    """The decision a spec's function gives: what it raises, or anything but a Decision, is the spec's
    fault, reported as a ProviderSpecError naming the provider."""
    try:
        found = declare()
    except Exception as exc:  # a third party's function: any failure is its spec's
        raise ProviderSpecError(provider, [f"its decision function raised {exc!r}"]) from exc
    if not isinstance(found, Decision):
        raise ProviderSpecError(provider, [f"its decision function gave {found!r}: expected a Decision"])
    return found


def _trees(
    found: Decision, provider: str, dialect: str, columns: Mapping[str, str] | None
) -> dict[str, exp.Expr]:
    if dialect not in DIALECTS:
        raise SqlError(provider, "dialect", dialect, f"unsupported dialect (one of {', '.join(DIALECTS)})")
    try:
        from . import _emit as _sql_emit
    except ImportError as exc:  # sqlglot missing (tests hide it)
        raise ImportError("runstate.sql needs sqlglot: pip install 'runstate[sql]'") from exc
    texts = dict(found.columns)
    for word, text in (columns or {}).items():
        if word not in texts:
            known = ", ".join(texts)
            raise SqlError(provider, "columns", word, f"not a column word of this provider (one of {known})")
        texts[word] = text
    parsed: dict[str, exp.Expr] = {}
    for word, text in texts.items():
        try:
            parsed[word] = _sql_emit.parse_column(text, dialect)
        except Exception as exc:  # sqlglot's parse errors: the caller's text, reported as such  # noqa: BLE001
            problem = f"not a {dialect} expression ({_first_line(exc)})"
            raise SqlError(provider, f"columns[{word}]", text, problem) from None
    try:
        return _sql_emit.outputs(found, parsed, dialect)
    except RunstateError:
        raise
    except Exception as exc:  # a Decision whose parts are not what the kit builds
        raise ProviderSpecError(provider, [f"its decision cannot be emitted as SQL: {exc!r}"]) from exc


def case_expressions(provider: str, dialect: str, columns: Mapping[str, str] | None = None) -> dict[str, str]:
    """The SQL of ``state``, ``reason``, ``phase``, ``unmapped`` and the provider's durations.

    ``columns`` maps a logical column word (see :func:`default_columns`) to the SQL expression that
    holds it in the caller's table, e.g. ``{"JobRunState": "job_run_state"}``.
    """
    return dict(_expressions(_decision(provider), provider, dialect, _key(columns)))


def _key(columns: Mapping[str, str] | None) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((columns or {}).items()))


@functools.lru_cache(maxsize=64)
def _expressions(
    found: Decision, provider: str, dialect: str, columns: tuple[tuple[str, str], ...]
) -> tuple[tuple[str, str], ...]:
    """The printed expressions, kept per decision: printing a large tree takes sqlglot seconds (errors
    are not kept)."""
    trees = _trees(found, provider, dialect, dict(columns))
    return tuple((name, tree.sql(dialect=dialect)) for name, tree in trees.items())


def select(
    provider: str,
    dialect: str,
    table: str = "runs",
    columns: Mapping[str, str] | None = None,
    *,
    prefix: str = "canonical_",
    pretty: bool = True,
) -> str:
    """A ready ``SELECT *, <outputs> FROM table``, each output named ``prefix`` + its name.

    ``table`` is anything a ``FROM`` takes in the dialect (a table name, ``read_json_auto('f.jsonl')``).
    The prefix keeps the outputs apart from the provider's own columns (Cloud Deploy has a ``state``).
    """
    return _select(_decision(provider), provider, dialect, table, _key(columns), prefix, pretty)


@functools.lru_cache(maxsize=64)
def _select(
    found: Decision,
    provider: str,
    dialect: str,
    table: str,
    columns: tuple[tuple[str, str], ...],
    prefix: str,
    pretty: bool,
) -> str:
    trees = _trees(
        found, provider, dialect, dict(columns)
    )  # first: it names the extra when sqlglot is missing
    from sqlglot import exp
    from sqlglot.errors import ParseError, TokenError

    query = exp.select(exp.Star(), *(exp.alias_(tree, prefix + name) for name, tree in trees.items()))
    try:
        query = query.from_(table, dialect=dialect)
    except (ParseError, TokenError) as exc:  # TokenError: an unclosed quote
        raise SqlError(provider, "table", table, f"not a {dialect} FROM item ({_first_line(exc)})") from None
    return query.sql(dialect=dialect, pretty=pretty)


def _first_line(exc: Exception) -> str:
    """sqlglot's message without its highlighted excerpt (terminal escapes do not belong in an error)."""
    return str(exc).splitlines()[0].rstrip(".")
