"""A third-party provider that declares its decision in its spec gets SQL equal to its ``normalize``;
one that declares none gets a clear error naming it."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

import attrs
import pytest

import runstate
from runstate import sql
from runstate.provider_kit import Decision

from ..acme_provider import DECISION, STATUS
from ..acme_provider import SPEC as ACME
from ..sql_cases import Case, Row, all_combinations, duckdb_outputs, expectations

pytest.importorskip("duckdb", reason="the sql tests need duckdb: pip install 'runstate[sql]'")

_TIMES = (None, datetime(2026, 3, 1, 10, 0, tzinfo=UTC), datetime(2026, 3, 1, 10, 17, 3, 250_001, tzinfo=UTC))


def _record(row: Row) -> dict[str, Any]:
    times = {k: row[k].isoformat() for k in ("started", "ended") if row[k] is not None}
    return {"id": "a-1", **({"status": row["status"]} if row["status"] is not None else {}), **times}


def _row(record: Mapping[str, Any], run: runstate.Run) -> Row:
    return {"status": record.get("status"), "started": run.started_at, "ended": run.ended_at}


ACME_CASE = Case(
    provider="acme",
    types={"status": "text", "started": "timestamp", "ended": "timestamp"},
    pools={"status": (None, "", "paused", *STATUS), "started": _TIMES, "ended": _TIMES},
    to_record=_record,
    from_record=_row,
    durations=("total_seconds",),
)


@pytest.fixture
def registered() -> Iterator[None]:
    runstate.register_provider(ACME)
    try:
        yield
    finally:
        runstate.REGISTRY.unregister("acme")


@pytest.mark.usefixtures("registered")
def test_a_declared_decision_gets_sql_equal_to_normalize() -> None:
    assert "acme" in sql.providers()
    assert sql.default_columns("acme") == {"status": "status", "started": "started", "ended": "ended"}
    rows = all_combinations(ACME_CASE)
    got = duckdb_outputs(ACME_CASE, rows)
    assert got == expectations(ACME_CASE, rows)
    assert {g["state"] for g in got} >= {"UNKNOWN", "FAILED", "SUCCEEDED"}


def test_a_spec_without_a_decision_is_named_in_the_error() -> None:
    runstate.register_provider(attrs.evolve(ACME, name="acme_plain", decision=None))
    try:
        assert "acme_plain" not in sql.providers()
        with pytest.raises(sql.SqlError, match="acme_plain") as raised:
            sql.select("acme_plain", "duckdb")
        assert isinstance(raised.value, runstate.RunstateError)
    finally:
        runstate.REGISTRY.unregister("acme_plain")


def test_a_decision_that_is_neither_data_nor_a_function_is_refused() -> None:
    odd: Any = "rules"
    with pytest.raises(runstate.ProviderSpecError, match="decision"):
        runstate.register_provider(attrs.evolve(ACME, name="acme_odd", decision=odd))


def test_the_sql_follows_the_registered_spec_and_a_decision_function_is_called_once() -> None:
    calls: list[int] = []

    def first_rule_only() -> Decision:
        calls.append(1)
        return attrs.evolve(DECISION, rules=DECISION.rules[:1])

    try:
        runstate.register_provider(ACME)
        full = sql.case_expressions("acme", "duckdb")["state"]
        runstate.register_provider(attrs.evolve(ACME, decision=first_rule_only))
        short = sql.case_expressions("acme", "duckdb")["state"]
        assert short != full and "'queued'" in short and "'done'" not in short
        assert sql.select("acme", "duckdb") and calls == [1]
    finally:
        runstate.REGISTRY.unregister("acme")


def _raises() -> Decision:
    raise ValueError("the tables are not there")


def _gives_text() -> Any:
    return "rules"


_NONE: Any = None
_TEXT: Any = "x"
_INT: Any = 42
_BROKEN: dict[str, Any] = {
    "raises": _raises,
    "gives_text": _gives_text,
    "gives_none": lambda: None,
    "rules_of_junk": attrs.evolve(DECISION, rules=(_INT,)),
    "no_rules": attrs.evolve(DECISION, rules=_NONE),
    "durations_of_junk": attrs.evolve(DECISION, durations={"total_seconds": _TEXT}),
}


@pytest.mark.parametrize("kind", sorted(_BROKEN))
def test_a_broken_decision_is_a_spec_error_naming_the_provider(kind: str) -> None:
    name = f"acme_{kind}"
    runstate.register_provider(attrs.evolve(ACME, name=name, decision=_BROKEN[kind]))
    try:
        for ask in (lambda: sql.select(name, "duckdb"), lambda: sql.case_expressions(name, "spark")):
            with pytest.raises(runstate.ProviderSpecError, match=name):
                ask()
    finally:
        runstate.REGISTRY.unregister(name)
