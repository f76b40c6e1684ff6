"""runstate.sql's surface: outputs, dialects (BigQuery transpiled back and run), column maps, errors, CLI."""

from __future__ import annotations

import argparse
import io
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import sqlglot
from hypothesis import given, settings
from hypothesis import strategies as st

import runstate
from runstate import UnknownProviderError, sql
from runstate._cli.sql import add_parser, run

from ..sql_cases import CASES, duckdb_table, fixture_rows

duckdb = pytest.importorskip("duckdb", reason="the sql tests need duckdb: pip install 'runstate[sql]'")

OUTPUTS = {"state", "reason", "phase", "unmapped"}


@pytest.mark.parametrize("dialect", sql.DIALECTS)
@pytest.mark.parametrize("provider", sql.providers())
def test_every_provider_has_the_canonical_outputs_in_every_dialect(provider: str, dialect: str) -> None:
    expressions = sql.case_expressions(provider, dialect)
    assert set(expressions) >= OUTPUTS
    for text in expressions.values():
        assert sqlglot.parse_one(text, read=dialect) is not None


def test_the_providers_are_registered_ones() -> None:
    assert set(sql.providers()) <= set(runstate.providers())
    assert set(sql.providers()) >= {"glue", "cloud_deploy", "databricks_system", "glue_events"}


@pytest.mark.parametrize("provider", sorted(CASES))
def test_bigquery_sql_transpiled_back_gives_the_same_answers(provider: str) -> None:
    """The BigQuery text is read by sqlglot as BigQuery and run in DuckDB: the logic survived intact."""
    case = CASES[provider]
    _, rows, wanted = fixture_rows(case)
    query = sqlglot.transpile(
        sql.select(provider, "bigquery", "runs", case.columns, prefix="out_"), "bigquery", "duckdb"
    )[0]
    with duckdb.connect() as con:
        duckdb_table(con, case, rows)
        cursor = con.execute(f"SELECT * FROM ({query}) ORDER BY row_id")
        names = [d[0] for d in cursor.description]
        got = [
            {k[4:]: v for k, v in zip(names, r, strict=True) if k.startswith("out_")}
            for r in cursor.fetchall()
        ]
    assert got == wanted  # the durations too


def test_columns_map_the_words_to_the_callers_layout() -> None:
    columns = {"JobRunState": "job_run_state", "StateDetail": "json_extract_string(extra, '$.detail')"}
    with duckdb.connect() as con:
        con.execute(
            "CREATE TABLE runs AS SELECT * FROM (VALUES "
            "('WAITING', '{\"detail\": \"Max concurrent runs per job reached\"}'), ('STOPPED', '{}'), "
            "('PAUSED', '{}')) AS t(job_run_state, extra)"
        )
        con.execute("ALTER TABLE runs ADD COLUMN ExecutionClass VARCHAR")
        con.execute("ALTER TABLE runs ADD COLUMN StartedOn TIMESTAMPTZ")
        con.execute("ALTER TABLE runs ADD COLUMN CompletedOn TIMESTAMPTZ")
        query = sql.select("glue", "duckdb", "runs", columns)
        found = con.execute(
            f"SELECT canonical_state, canonical_reason, canonical_unmapped FROM ({query})"
        ).fetchall()
    assert found == [
        ("QUEUED", "CONCURRENCY_LIMIT", False),
        ("CANCELED", runstate.normalize("glue", {"Id": "1", "JobRunState": "STOPPED"}).reason, False),
        ("UNKNOWN", None, True),
    ]


def test_default_columns_are_the_providers_own_words() -> None:
    assert sql.default_columns("glue")["JobRunState"] == "JobRunState"
    assert sql.default_columns("cloud_deploy") == {
        "state": "state",
        "jobRun": "jobRun",
        "failureCause": "failureCause",
        "stateNumber": "NULL",  # names by default (REST JSON); numbers only when mapped
        "failureCauseNumber": "NULL",
        "createTime": "createTime",
        "startTime": "startTime",
        "endTime": "endTime",
    }
    assert sql.default_columns("glue_events") == {"detail.state": "detail.state"}
    assert set(sql.column_docs("databricks_system")) == set(sql.default_columns("databricks_system"))


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"provider": "nope"}, UnknownProviderError, ["nope"]),
        ({"dialect": "mysql"}, sql.SqlError, ["dialect", "mysql", "duckdb"]),
        ({"columns": {"Nope": "x"}}, sql.SqlError, ["columns", "Nope", "JobRunState"]),
        ({"columns": {"JobRunState": "((("}}, sql.SqlError, ["columns[JobRunState]", "((("]),
        ({"table": "a b c d e"}, sql.SqlError, ["table", "a b c d e"]),
    ],
)
def test_bad_requests_get_clear_errors(
    kwargs: dict[str, object], error: type[Exception], words: list[str]
) -> None:
    call: dict[str, object] = {"provider": "glue", "dialect": "duckdb", **kwargs}
    with pytest.raises(error) as raised:
        sql.select(**call)  # type: ignore[arg-type]
    assert isinstance(raised.value, runstate.RunstateError)
    assert all(w in str(raised.value) for w in words)
    assert "\x1b" not in str(raised.value)


def test_without_sqlglot_the_error_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "sqlglot", None)
    monkeypatch.delitem(sys.modules, "runstate.sql._emit", raising=False)
    monkeypatch.delattr(sql, "_emit", raising=False)
    sql._expressions.cache_clear()  # printed expressions are kept; this must build them again
    with pytest.raises(ImportError, match=r"pip install 'runstate\[sql\]'"):
        sql.case_expressions("glue", "duckdb")


def _cli(*argv: str) -> tuple[int, str]:
    parser = argparse.ArgumentParser(prog="runstate")
    add_parser(parser.add_subparsers(dest="command", required=True))
    out = io.StringIO()
    return run(parser.parse_args(["sql", *argv]), out), out.getvalue()


def test_cli_prints_a_ready_select() -> None:
    status, text = _cli("--provider", "glue", "--dialect", "spark", "--table", "lake.glue_runs")
    assert status == 0
    assert text == sql.select("glue", "spark", "lake.glue_runs") + "\n"
    assert "FROM lake.glue_runs" in text


def test_cli_columns_and_expressions() -> None:
    status, text = _cli("-p", "glue", "--column", "JobRunState=job_run_state", "--expressions")
    assert status == 0
    assert json.loads(text) == sql.case_expressions("glue", "duckdb", {"JobRunState": "job_run_state"})


def test_cli_lists_the_column_words() -> None:
    status, text = _cli("-p", "cloud_deploy", "--list-columns")
    assert status == 0
    assert [line.split("\t")[0] for line in text.splitlines()] == list(sql.default_columns("cloud_deploy"))
    assert "stateNumber\tNULL\tJobRun.State as its enum number" in text


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["-p", "glue", "--column", "JobRunState"], "WORD=SQL_EXPR"),
        (["-p", "glue", "--column", "Nope=x"], "not a column word"),
        (["-p", "nope"], "unknown provider"),
    ],
)
def test_cli_usage_errors(argv: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    status, text = _cli(*argv)
    assert (status, text) == (2, "")
    assert message in capsys.readouterr().err


def test_the_emitter_on_a_small_decision() -> None:
    """A decision of one rule: NULL tested, no reason at all (a plain NULL), nothing ever unmapped."""
    from sqlglot import exp

    from runstate import Outcome, State
    from runstate.provider_kit import Decision, Rule, Test, TestKind
    from runstate.sql._emit import outputs

    decision = Decision({"a": "a"}, (Rule((Test("a", TestKind.NULL),), Outcome(State.RUNNING)),), ())
    texts = {k: v.sql(dialect="duckdb") for k, v in outputs(decision, {"a": exp.column("a")}).items()}
    assert texts == {
        "state": "CASE WHEN a IS NULL THEN 'RUNNING' ELSE 'UNKNOWN' END",
        "reason": "NULL",
        "phase": "CASE WHEN a IS NULL THEN 'RUNNING' ELSE 'UNKNOWN' END",
        "unmapped": "FALSE",
    }
    query = f"SELECT {texts['state']}, {texts['unmapped']} FROM (VALUES (NULL), ('x')) AS t(a)"
    assert duckdb.sql(query).fetchall() == [("RUNNING", False), ("UNKNOWN", False)]


@pytest.mark.parametrize("function", [sql.default_columns, sql.column_docs])
def test_column_lists_of_an_unknown_provider(function: Any) -> None:
    with pytest.raises(UnknownProviderError, match="nope"):
        function("nope")


@pytest.mark.parametrize("provider", sql.providers())
def test_every_column_word_mapped_to_null_binds(provider: str) -> None:
    """A table without any of the columns (each word mapped to NULL) still gets SQL the engine binds:
    no duration from a missing column, no typed function over an untyped NULL."""
    columns = dict.fromkeys(sql.default_columns(provider), "NULL")
    query = sql.select(provider, "duckdb", "(SELECT 1 AS row_id)", columns, prefix="out_")
    cursor = duckdb.sql(query)
    got = dict(zip(cursor.columns, cursor.fetchall()[0], strict=True))
    assert got["out_state"] in {state.value for state in runstate.State}
    assert got["out_unmapped"] is False  # nothing at all is no word
    assert all(v is None for k, v in got.items() if k.endswith("_seconds"))


def test_the_emitter_reads_an_enum_number_before_the_name() -> None:
    """A word a row may give as an enum number: NULL only when both are; a number outside the names
    (or naming no word of the test) is no word of the test."""
    from sqlglot import exp

    from runstate import Outcome, State
    from runstate.provider_kit import Decision, EnumNumbers, Rule, Test, TestKind
    from runstate.sql._emit import outputs

    enum = EnumNumbers("n", ("X", "Y"))
    rules = (
        Rule((Test("a", TestKind.NULL, enum=enum),), Outcome(State.RUNNING)),
        Rule((Test("a", TestKind.IN, ("Y",), enum=enum),), Outcome(State.FAILED)),
    )
    unmapped = ((Test("a", TestKind.NOT_IN, ("Z",), enum=enum),),)  # Z has no number: every number is not Z
    decision = Decision({"a": "a", "n": "n"}, rules, unmapped)
    trees = outputs(decision, {"a": exp.column("a"), "n": exp.column("n")})
    state, flag = trees["state"].sql(dialect="duckdb"), trees["unmapped"].sql(dialect="duckdb")
    rows = "(NULL, NULL), (NULL, 0), (NULL, 1), (NULL, 7), ('Y', NULL), ('X', 1)"
    query = f"SELECT {state}, {flag} FROM (VALUES {rows}) AS t(a, n)"
    assert duckdb.sql(query).fetchall() == [
        ("RUNNING", False),
        ("UNKNOWN", True),
        ("FAILED", True),
        ("UNKNOWN", True),
        ("FAILED", True),
        ("FAILED", True),  # the number wins over the name
    ]


def test_a_partition_is_disjoint_cells_covering_every_combination() -> None:
    """Only then may a decision leave a class to ELSE (the Databricks timing token does)."""
    from runstate.provider_kit import ABSENT, UNKNOWN_WORD, Classes, is_partition

    domains = {"a": Classes((), True, True, ("X", "Y"))}  # tokens X, Y, absent, unknown
    rest = frozenset({ABSENT, UNKNOWN_WORD})
    assert is_partition(domains, [({"a": frozenset({"X"})}, 1), ({"a": frozenset({"Y"}) | rest}, 2)])
    assert not is_partition(domains, [({"a": frozenset({"X"})}, 1), ({"a": rest}, 2)])  # Y in none
    assert not is_partition(domains, [({"a": frozenset({"X", "Y"})}, 1), ({"a": frozenset({"Y"}) | rest}, 2)])


INJECTIONS = [
    "job_run_state; DROP TABLE runs; SELECT 1",
    "job_run_state;",
    "1; DROP TABLE runs",
    "DROP TABLE runs",
    "(SELECT secret FROM other)",
    "job_run_state IN (SELECT 1)",
    "job_run_state AS x",
    "*",
]


@pytest.mark.parametrize("text", INJECTIONS)
def test_a_column_is_one_value_expression_never_a_statement(text: str) -> None:
    with pytest.raises(sql.SqlError) as raised:
        sql.select("glue", "duckdb", "runs", {"JobRunState": text})
    assert raised.value.field == "columns[JobRunState]"
    assert raised.value.value == text


OUTSIDE_THE_ROW = [
    ("duckdb", "read_text('/etc/passwd')"),
    ("duckdb", "json_extract(READ_CSV('/etc/passwd'), '$')"),
    ("duckdb", "x.read_blob()"),
    ("duckdb", "list_transform([1], x -> glob('/etc/*'))"),
    ("duckdb", "getenv('HOME')"),
    ("duckdb", "current_setting('home_directory')"),
    ("duckdb", "nextval('run_ids')"),
    ("duckdb", "duckdb_settings()"),
    ("duckdb", "query('SELECT 1')"),
    ("spark", "reflect('java.lang.System', 'getenv', 'HOME')"),
    ("spark", "java_method('java.lang.System', 'getProperty', 'user.home')"),
    ("bigquery", "external_query('conn', 'SELECT 1')"),
]


@pytest.mark.parametrize(("dialect", "text"), OUTSIDE_THE_ROW)
def test_a_column_never_reads_outside_its_row(dialect: str, text: str) -> None:
    """A function that reads files, settings or the environment, or calls Java, is refused as a
    subquery is: the expression is printed into the SELECT and run with it."""
    with pytest.raises(sql.SqlError, match="outside the row") as raised:
        sql.select("glue", dialect, "runs", {"JobRunState": text})
    assert raised.value.value == text


def test_a_refused_column_leaves_the_table_alone() -> None:
    """The payload that once ran a DROP TABLE in DuckDB: the SQL is never made, the table stays."""
    con = duckdb.connect()
    con.execute("CREATE TABLE runs AS SELECT 'RUNNING' AS job_run_state, NULL AS StateDetail")
    with pytest.raises(sql.SqlError):
        con.execute(sql.select("glue", "duckdb", "runs", {"JobRunState": INJECTIONS[0]}))
    assert con.execute("SELECT count(*) FROM runs").fetchone() == (1,)


_PIECES = [*"ab1;'\"() =-*/\n", "DROP TABLE ", "SELECT ", " OR ", "--", "/*", "*/"]


@given(st.lists(st.sampled_from(_PIECES), max_size=12).map("".join))
@settings(max_examples=200, deadline=None)
def test_any_column_text_gives_one_select_or_a_sql_error(text: str) -> None:
    try:
        query = sql.select("glue", "duckdb", "runs", {"JobRunState": text}, pretty=False)
    except sql.SqlError:
        return
    statements = [s for s in sqlglot.parse(query, read="duckdb") if s is not None]
    assert len(statements) == 1 and isinstance(statements[0], sqlglot.exp.Select)


def test_an_operator_column_is_one_operand() -> None:
    """``a = b`` under a word is tested whole, ``(a = b) IN (...)``, never ``a = (b IN (...))``."""
    text = sql.case_expressions("glue", "duckdb", {"JobRunState": "a = b"})["state"]
    tested = [test.this for test in sqlglot.parse_one(text, read="duckdb").find_all(sqlglot.exp.In)]
    words = [this for this in tested if this.find(sqlglot.exp.Column).name in ("a", "b")]
    assert words and all(this.unnest() == sqlglot.parse_one("a = b") for this in words)


def test_an_unclosed_quote_in_the_table_is_a_sql_error() -> None:
    with pytest.raises(sql.SqlError) as raised:
        sql.select("glue", "duckdb", "runs'")
    assert (raised.value.field, raised.value.value) == ("table", "runs'")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["-p", "glue", "--table", "runs'"], "table"),
        (["-p", "glue", "--column", "JobRunState=x; DROP TABLE runs"], "one expression"),
    ],
)
def test_cli_refuses_injected_sql_as_a_usage_error(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status, text = _cli(*argv)
    assert (status, text) == (2, "")
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


@pytest.mark.parametrize(
    "argv",
    [
        ["--table", "runs\x1b[31m"],
        ["--column", "JobRunState='\x1b]0;owned\x07"],
        ["--column", "Job\x1b[2J=x"],
    ],
)
def test_cli_errors_escape_control_characters(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    """sqlglot's message quotes the text it failed on: an ESC in it reached the terminal as it was."""
    status, _ = _cli("-p", "glue", *argv)
    err = capsys.readouterr().err
    assert status == 2 and err.startswith("runstate: glue: ")
    assert all(c.isprintable() for c in err.rstrip("\n")), err


def test_cli_help_names_every_sql_provider() -> None:
    parser = argparse.ArgumentParser(prog="runstate")
    subparsers = parser.add_subparsers(dest="command")
    words = re.findall(r"\w+", add_parser(subparsers).format_help())
    assert set(sql.providers()) <= set(words)


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_cli_on_a_full_disk_is_an_io_error() -> None:
    with Path("/dev/full").open("wb") as full:
        result = subprocess.run(
            [sys.executable, "-m", "runstate", "sql", "-p", "glue"],
            stdout=full, stderr=subprocess.PIPE, check=False, timeout=120,
        )  # fmt: skip
    assert result.returncode == 3
    assert result.stderr.decode().strip() == "runstate: cannot write standard output: No space left on device"
