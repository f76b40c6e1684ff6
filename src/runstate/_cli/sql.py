"""``runstate sql``: print the SQL that normalizes a provider's run history inside a warehouse.

Wired into the main parser by :mod:`runstate._cli.app` with :func:`add_parser` and dispatched to
:func:`run`. Exit status 0, 2 for a usage error (an unknown column word, bad SQL in ``--column`` or
``--table``, sqlglot not installed), or 3 when the output cannot be written (raised as the CLI's
I/O error).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import IO, Any

from .._core.errors import RunstateError
from .io import SafeOutput, say

__all__ = ["add_parser", "run"]

EXIT_OK, EXIT_USAGE = 0, 2
_DIALECTS = ("duckdb", "spark", "bigquery")  # runstate.sql.DIALECTS, without importing sqlglot for --help
_PROVIDERS = ("glue", "glue_events", "cloud_deploy", "databricks", "databricks_system")
"""runstate.sql.providers(), for --help without building the decisions (a test keeps them equal)."""


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``sql`` subcommand to the main parser's subparsers (``parser.add_subparsers()``)."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "sql",
        help="the mapping tables as SQL: a ready SELECT that normalizes a table of run history",
        description="Print a SELECT that adds canonical_state, canonical_reason, canonical_phase, "
        "canonical_unmapped (TRUE when a word is one the tables do not map) and durations in seconds "
        "to every row of a table of provider records. Generated from the tables normalize reads.",
    )
    parser.add_argument("--provider", "-p", required=True, help=f"the provider ({', '.join(_PROVIDERS)})")
    parser.add_argument("--dialect", "-d", choices=_DIALECTS, default="duckdb", help="SQL dialect")
    parser.add_argument(
        "--column",
        "-c",
        action="append",
        default=[],
        metavar="WORD=SQL_EXPR",
        help="where a provider word lives in your table, e.g. JobRunState=job_run_state (repeatable)",
    )
    parser.add_argument("--table", "-t", default="runs", help="the table (or any FROM item) to read")
    parser.add_argument(
        "--expressions", action="store_true", help="print the expressions as a JSON object, not a SELECT"
    )
    parser.add_argument("--list-columns", action="store_true", help="list the provider's column words")
    return parser


def _columns(pairs: list[str]) -> dict[str, str]:
    columns: dict[str, str] = {}
    for pair in pairs:
        word, sep, expression = pair.partition("=")
        if not sep or not word.strip() or not expression.strip():
            raise _UsageError(f"--column expects WORD=SQL_EXPR, got {pair!r}")
        columns[word.strip()] = expression.strip()
    return columns


class _UsageError(Exception):
    pass


def run(args: argparse.Namespace, stdout: IO[str]) -> int:
    """Print the SQL (or the column words); usage problems go to stderr with exit status 2.

    An output that cannot be written raises the CLI's I/O error (exit status 3 in ``run_command``).
    """
    out = SafeOutput("standard output", stdout)
    status = _run(args, out)
    out.flush()
    return status


def _run(args: argparse.Namespace, stdout: SafeOutput) -> int:
    try:
        from .. import sql
    except ImportError as exc:  # pragma: no cover - sql.py itself imports no third-party module
        print(f"runstate: {exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        if args.list_columns:
            docs = sql.column_docs(args.provider)
            for word, default in sql.default_columns(args.provider).items():
                stdout.write(f"{word}\t{default}\t{docs.get(word, '')}\n")
            return EXIT_OK
        columns = _columns(args.column)
        if args.expressions:
            expressions = sql.case_expressions(args.provider, args.dialect, columns)
            stdout.write(json.dumps(expressions, indent=2, ensure_ascii=False) + "\n")
        else:
            stdout.write(sql.select(args.provider, args.dialect, args.table, columns) + "\n")
    except (RunstateError, ImportError, _UsageError) as exc:
        say(f"runstate: {exc}")  # escaped: sqlglot's message quotes the caller's text as it is
        return EXIT_USAGE
    return EXIT_OK
