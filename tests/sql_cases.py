"""Rows of provider words for the SQL tests: as table rows, as records for ``normalize``, and back.

Each provider case says which columns its table has, which values each column draws from (the tables'
own words, words they do not know, NULL, ""), how a row becomes a record ``normalize`` reads, and how a
fixture record becomes a row. The expected answer of a row is always ``runstate.normalize`` (lenient).
"""

from __future__ import annotations

import itertools
import json
import random
import warnings
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import attrs
from hypothesis import strategies as st

import runstate
from runstate import UnmappedStateWarning
from runstate._kit.registry import REGISTRY
from runstate._providers.cloud_deploy import tables as cd
from runstate._providers.databricks import system
from runstate._providers.databricks import tables as dbx
from runstate._providers.glue import events as glue_events
from runstate._providers.glue import tables as glue
from runstate.provider_kit import MAX_DURATION, MAX_EPOCH_MS, MIN_EPOCH_MS

FIXTURES = Path(__file__).parent / "fixtures"
Row = dict[str, Any]
OUTPUTS = ("state", "reason", "phase", "unmapped")


@attrs.frozen
class Case:
    """How one provider's words are laid out in a table and turned into records."""

    provider: str
    types: Mapping[str, str]
    """Column word to its type: ``text``, ``timestamp``, ``bool`` or ``int``."""
    pools: Mapping[str, tuple[Any, ...]]
    """Column word to the values it is drawn from (None is NULL)."""
    to_record: Callable[[Row], dict[str, Any]]
    from_record: Callable[[Mapping[str, Any], runstate.Run], Row]
    durations: tuple[str, ...] = ()
    focus: tuple[tuple[str, ...], ...] = ()
    """When the word columns are too many to combine all: groups combined fully, the rest drawn."""
    columns: Mapping[str, str] = attrs.field(factory=dict)
    """The column map the SQL is generated with (the words whose default is not the table's column)."""


_TIMES = (None, datetime(2026, 3, 1, 10, 0, tzinfo=UTC), datetime(2026, 3, 1, 10, 17, 3, 250_001, tzinfo=UTC))
_ODD_WORDS = ("", "waiting", "PAUSED", "RUNNING ", "NEW_STATE")


def _glue_record(row: Row) -> dict[str, Any]:
    record = {"Id": "jr_sql", "JobName": "orders-etl"}
    record.update({k: v for k, v in row.items() if v is not None})
    return record


def _glue_row(record: Mapping[str, Any], run: runstate.Run) -> Row:
    job_run = record.get("JobRun", record)
    return {
        "JobRunState": job_run.get("JobRunState"),
        "StateDetail": job_run.get("StateDetail"),
        "ExecutionClass": job_run.get("ExecutionClass"),
        "StartedOn": run.started_at,
        "CompletedOn": run.ended_at,
    }


_DETAILS: tuple[str | None, ...] = (
    None,
    "",
    *(f"Job run is waiting: {k.upper()} quota" for k, _ in glue.WAITING_REASONS),
    "Waiting for the scheduler",
    "x" * (glue.WAITING_DETAIL_CHARS - 3) + "dpu limit",  # the keyword straddles the cut
    "x" * (glue.WAITING_DETAIL_CHARS - 3) + "dpu",  # the keyword ends at the cut
    "İNSUFFICIENT",  # Python lowers İ to "i̇" (two characters): no keyword; an engine's LOWER gives "i"
    "Per Job limit",
)

GLUE = Case(
    provider="glue",
    types={
        "JobRunState": "text",
        "StateDetail": "text",
        "ExecutionClass": "text",
        "StartedOn": "timestamp",
        "CompletedOn": "timestamp",
    },
    pools={
        "JobRunState": (None, *glue.JOB_RUN_STATE, *_ODD_WORDS),
        "StateDetail": _DETAILS,
        "ExecutionClass": (None, "", *glue.WAITING_BY_EXECUTION_CLASS, "STANDARD", "flex"),
        "StartedOn": _TIMES,
        "CompletedOn": _TIMES,
    },
    to_record=_glue_record,
    from_record=_glue_row,
    durations=("total_seconds",),
)


def _rest_time(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat().replace("+00:00", "Z")


def _deploy_record(row: Row) -> dict[str, Any]:
    """The JobRun a row stands for: a number, where the row has one, in place of its name."""
    record: dict[str, Any] = {"uid": "u-sql", "jobId": "deploy"}
    state = row["state"] if row["stateNumber"] is None else row["stateNumber"]
    if state is not None:
        record["state"] = state
    cause = row["failureCause"] if row["failureCauseNumber"] is None else row["failureCauseNumber"]
    if row["jobRun"] is not None:
        record[row["jobRun"]] = {} if cause is None else {"failureCause": cause}
    for name in _DEPLOY_TIMES:
        if row[name] is not None:
            record[name] = _rest_time(row[name])
    return record


def _deploy_row(record: Mapping[str, Any], run: runstate.Run) -> Row:
    keys = [k for k in record if k.endswith("JobRun") and isinstance(record[k], Mapping)]
    sub = keys[0] if keys else None
    cause = record[sub].get("failureCause") if sub is not None else None
    state = record.get("state")
    return {
        "state": None if isinstance(state, int) else state,
        "jobRun": sub,
        "failureCause": None if isinstance(cause, int) else cause,
        "stateNumber": state if isinstance(state, int) else None,
        "failureCauseNumber": cause if isinstance(cause, int) else None,
        "createTime": run.created_at,
        "startTime": run.started_at,
        "endTime": run.ended_at,
    }


_CAUSES = sorted({c for words in cd.KNOWN_FAILURE_CAUSES.values() for c in words})
_DEPLOY_TIMES = ("createTime", "startTime", "endTime")
_DEPLOY_TIME_POOL = (None, *_TIMES[1:], datetime(2026, 3, 1, 10, 0, 0, 999_999, tzinfo=UTC))
STATE_NUMBERS = (*range(len(cd.KNOWN_JOB_RUN_STATES)), len(cd.KNOWN_JOB_RUN_STATES), -1)
"""Every JobRun.State number, one past them and a negative one (both numbers no table knows)."""
CAUSE_NUMBERS = (*range(max(len(c) for c in cd.KNOWN_FAILURE_CAUSES.values()) + 1), -1)
"""Every number of the longest FailureCause enum, one past it, and a negative one."""

CLOUD_DEPLOY = Case(
    provider="cloud_deploy",
    types={
        "state": "text",
        "jobRun": "text",
        "failureCause": "text",
        "stateNumber": "int",
        "failureCauseNumber": "int",
        **dict.fromkeys(_DEPLOY_TIMES, "timestamp"),
    },
    pools={
        "state": (None, *cd.JOB_RUN_STATE, *_ODD_WORDS),
        "jobRun": (None, *cd.SUB_TYPES, "analysisJobRun", "futureJobRun"),
        "failureCause": (None, *_CAUSES, "", "NEW_CAUSE", "deadline_exceeded"),
        "stateNumber": (None, None, None, *STATE_NUMBERS),  # names most of the time
        "failureCauseNumber": (None, None, None, *CAUSE_NUMBERS),
        **dict.fromkeys(_DEPLOY_TIMES, _DEPLOY_TIME_POOL),
    },
    to_record=_deploy_record,
    from_record=_deploy_row,
    durations=("queue_seconds", "total_seconds"),
    columns={"stateNumber": "stateNumber", "failureCauseNumber": "failureCauseNumber"},
)


def _event_record(row: Row) -> dict[str, Any]:
    detail = {"jobRunId": "jr_sql", "jobName": "orders-etl"}
    if row["detail.state"] is not None:
        detail["state"] = row["detail.state"]
    return {"detail-type": "Glue Job State Change", "source": "aws.glue", "detail": detail}


GLUE_EVENTS = Case(
    provider="glue_events",
    types={"detail.state": "text"},
    pools={"detail.state": (None, *glue_events.STATE, *_ODD_WORDS)},
    to_record=_event_record,
    from_record=lambda record, _run: {"detail.state": record["detail"].get("state")},
)

_SYSTEM_PARTS = tuple(f"{p}_duration_seconds" for p in ("queue", "setup", "execution", "cleanup", "run"))
_SYSTEM_WORDS = ("result_state", "termination_code", "termination_type")


def _system_record(row: Row) -> dict[str, Any]:
    record = {"workspace_id": "1234567890123456", "run_id": "555000111222666", "job_id": "987"}
    record.update({k: v for k, v in row.items() if v is not None})
    return record


def _system_row(record: Mapping[str, Any], run: runstate.Run) -> Row:
    periods = run.details["periods"][0]
    row: Row = {k: record.get(k) for k in (*_SYSTEM_WORDS, *_SYSTEM_PARTS)}
    row["period_start_time"] = None if periods[0] is None else datetime.fromisoformat(periods[0])
    row["period_end_time"] = None if periods[1] is None else datetime.fromisoformat(periods[1])
    return row


_NUMBERS = (None, 0, 45, 1800)

DATABRICKS_SYSTEM = Case(
    provider="databricks_system",
    types={
        **dict.fromkeys(_SYSTEM_WORDS, "text"),
        **dict.fromkeys(_SYSTEM_PARTS, "int"),
        "period_start_time": "timestamp",
        "period_end_time": "timestamp",
    },
    pools={
        "result_state": (None, *system.RESULT_STATE, *_ODD_WORDS[:3]),
        "termination_code": (None, *system.TERMINATION_CODE, *_ODD_WORDS[:3]),
        "termination_type": (None, *system.TERMINATION_TYPE, *_ODD_WORDS[:3]),
        **dict.fromkeys(_SYSTEM_PARTS, _NUMBERS),
        "period_start_time": _TIMES,
        "period_end_time": _TIMES,
    },
    to_record=_system_record,
    from_record=_system_row,
    durations=("queue_seconds", "setup_seconds", "execution_seconds", "cleanup_seconds", "total_seconds"),
)

_DBX_TEXT = (
    "state.life_cycle_state",
    "state.result_state",
    "status.state",
    "status.termination_details.code",
    "status.termination_details.type",
    "status.queue_details.code",
    "state.queue_reason",
)
_DBX_RUN_ID = 117730948263310
_DBX_PARTS_NAMES = ("setup_duration", "execution_duration", "cleanup_duration")


def _dbx_record(row: Row) -> dict[str, Any]:
    record: dict[str, Any] = {"run_id": _DBX_RUN_ID, "job_id": 640288719013557}
    for name, value in row.items():
        if value is None:
            continue
        *parents, leaf = name.split(".")
        node = record
        for parent in parents:
            node = node.setdefault(parent, {})
        node[leaf] = value
    return record


def _dbx_row(record: Mapping[str, Any], run: runstate.Run) -> Row:
    row: Row = {}
    for name, kind in DATABRICKS.types.items():
        node: Any = record
        for part in name.split("."):
            node = node.get(part) if isinstance(node, Mapping) else None
        if kind == "children" and node is not None:
            node = [{"run_id": entry.get("run_id")} for entry in node]
        row[name] = node
    return row


_T0 = 1_772_359_200_000  # 2026-03-01T10:00:00Z in epoch ms
_MAX_MS = MAX_DURATION // timedelta(milliseconds=1)
_DBX_EPOCHS = (None, 0, _T0, _T0 + 754_321, MIN_EPOCH_MS - 1, MAX_EPOCH_MS + 1)
"""Absent, "not set", two times, and two integers no reader takes for a time."""
_DBX_ENDS = (None, 0, _T0 + 60_000, _T0 + 1_754_321, _T0 - 5_000, MAX_EPOCH_MS + 1)
_DBX_PARTS = (None, 0, 0, 45_000, 1_234, -2_000, _MAX_MS, _MAX_MS + 1)
"""Absent, 0 (often: the multitask placeholder), measured, negative, the longest and one past it."""
_DBX_CHILDREN: tuple[list[dict[str, int]] | None, ...] = (
    None,
    [],
    [{"run_id": _DBX_RUN_ID}],  # the run itself (a task run fetched by id lists itself)
    [{"run_id": _DBX_RUN_ID + 1}],
    [{"run_id": _DBX_RUN_ID}, {"run_id": _DBX_RUN_ID + 1}],
    [{"run_id": _DBX_RUN_ID + 1}, {"run_id": _DBX_RUN_ID + 2}],
)
DBX_DURATION_POOLS: dict[str, tuple[Any, ...]] = {
    "start_time": _DBX_EPOCHS,
    "end_time": _DBX_ENDS,
    "queue_duration": (None, 0, 3_000, -1_000, _MAX_MS + 1),
    **dict.fromkeys(("setup_duration", "execution_duration", "cleanup_duration"), _DBX_PARTS),
    "run_duration": (None, None, 0, 61_000, 1_800_000, _MAX_MS + 1),
    "format": (None, None, "MULTI_TASK", "SINGLE_TASK", ""),
    "tasks": _DBX_CHILDREN,
    "iterations": (None, [], [{"run_id": _DBX_RUN_ID + 3}]),
}
"""The values of the duration columns (drawn with the state words, combined by the durations test)."""


DATABRICKS = Case(
    provider="databricks",
    types={
        **dict.fromkeys(_DBX_TEXT, "text"),
        "state.user_cancelled_or_timedout": "bool",
        "attempt_number": "int",
        "original_attempt_run_id": "int",
        "run_id": "int",
        **dict.fromkeys(
            ("start_time", "end_time", "queue_duration", *_DBX_PARTS_NAMES, "run_duration"), "int"
        ),
        "format": "text",
        "tasks": "children",
        "iterations": "children",
    },
    pools={
        "state.life_cycle_state": (None, *dbx.RUN_LIFE_CYCLE_STATE, *_ODD_WORDS[:3]),
        "state.result_state": (None, *dbx.RUN_RESULT_STATE, *_ODD_WORDS[:3]),
        "status.state": (None, *dbx.RUN_LIFECYCLE_STATE_V2_STATE, *_ODD_WORDS[:3]),
        "status.termination_details.code": (None, *dbx.TERMINATION_CODE_CODE, *_ODD_WORDS[:3]),
        "status.termination_details.type": (None, *dbx.TERMINATION_TYPE_TYPE, *_ODD_WORDS[:3]),
        "status.queue_details.code": (None, *dbx.QUEUE_DETAILS_CODE_CODE, *_ODD_WORDS[:2]),
        "state.queue_reason": (
            None,
            "",
            "Queued: workspace concurrent run limit",
            "Concurrent runs",
            "other",
        ),
        "state.user_cancelled_or_timedout": (None, True, False),
        "attempt_number": (None, 0, 1, 3),
        "original_attempt_run_id": (None, _DBX_RUN_ID, _DBX_RUN_ID - 7),
        "run_id": (_DBX_RUN_ID,),
        **DBX_DURATION_POOLS,
    },
    to_record=_dbx_record,
    from_record=_dbx_row,
    durations=("queue_seconds", "setup_seconds", "execution_seconds", "cleanup_seconds", "total_seconds"),
    columns={"format": "format", "iterations": "iterations"},
    focus=(
        (
            "status.state",
            "status.termination_details.code",
            "status.termination_details.type",
            "state.result_state",
        ),
        ("state.life_cycle_state", "state.result_state", "state.user_cancelled_or_timedout", "status.state"),
        ("status.state", "status.queue_details.code", "state.queue_reason", "state.life_cycle_state"),
        ("status.state", "state.life_cycle_state", "attempt_number", "original_attempt_run_id"),
    ),
)

CASES: dict[str, Case] = {
    c.provider: c for c in (GLUE, CLOUD_DEPLOY, GLUE_EVENTS, DATABRICKS_SYSTEM, DATABRICKS)
}


def rows_strategy(case: Case) -> st.SearchStrategy[Row]:
    """Rows whose every column is one of its pool's values or arbitrary text (a word no table knows)."""
    columns: dict[str, st.SearchStrategy[Any]] = {}
    for name, pool in case.pools.items():
        strategy: st.SearchStrategy[Any] = st.sampled_from(pool)
        if case.types[name] == "text":
            strategy = strategy | st.text(max_size=30)
        columns[name] = strategy
    return st.fixed_dictionaries(columns)


def all_combinations(case: Case, repeat: int = 8) -> list[Row]:
    """Every combination of the word columns' pools, each with ``repeat`` seeded draws of the others
    (numbers and times) when there are others, so a row of words meets varied durations."""
    rng = random.Random(17)
    rows: list[Row] = []
    if case.focus:
        for group in case.focus:
            for combo in itertools.product(*(case.pools[n] for n in group)):
                drawn = {n: rng.choice(pool) for n, pool in case.pools.items()}
                rows.append({**drawn, **dict(zip(group, combo, strict=True))})
        return rows
    words = [n for n, kind in case.types.items() if kind == "text"]
    others = [n for n in case.types if n not in words]
    for combo in itertools.product(*(case.pools[n] for n in words)):
        base = dict(zip(words, combo, strict=True))
        rows.extend(
            {**base, **{n: rng.choice(case.pools[n]) for n in others}} for _ in range(repeat if others else 1)
        )
    return rows


def sample_rows(case: Case, count: int, seed: int = 17) -> list[Row]:
    """``count`` rows drawn from the pools with a fixed seed (for Spark and the benchmark)."""
    rng = random.Random(seed)
    return [{name: rng.choice(pool) for name, pool in case.pools.items()} for _ in range(count)]


def expected(provider: str, record: Mapping[str, Any]) -> tuple[Row, runstate.Run]:
    """What ``normalize`` says of a record (lenient): the outputs the SQL must give, and the run."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        run = runstate.normalize(provider, record, keep_raw=False)
    unmapped = any(
        issubclass(w.category, UnmappedStateWarning) and "unmapped state" in str(w.message) for w in caught
    )
    result: Row = {
        "state": run.state.value,
        "reason": None if run.reason is None else run.reason.value,
        "phase": run.phase.value,
        "unmapped": unmapped,
    }
    for part in ("queue", "setup", "execution", "cleanup", "total"):
        value = getattr(run.durations, part)
        result[f"{part}_seconds"] = None if value is None else value.total_seconds()
    return result, run


def fixture_records(provider: str) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """Every record of tests/fixtures/<provider>/ (list pages split), with its file name."""
    spec = REGISTRY.get(provider)
    for path in sorted((FIXTURES / provider).glob("*.json")):
        data = json.loads(path.read_text())
        records = spec.pages(data)
        for record in records if records is not None else [data]:
            yield path.name, record


def expectations(case: Case, rows: list[Row]) -> list[Row]:
    """The expected outputs of each row, by normalizing the record it stands for."""
    return [_project(case, expected(case.provider, case.to_record(row))[0]) for row in rows]


def _project(case: Case, result: Row) -> Row:
    return {k: result[k] for k in (*OUTPUTS, *case.durations)}


def fixture_rows(case: Case) -> tuple[list[str], list[Row], list[Row]]:
    """Names, rows and expected outputs of every fixture record of the provider."""
    names: list[str] = []
    rows: list[Row] = []
    wanted: list[Row] = []
    for name, record in fixture_records(case.provider):
        result, run = expected(case.provider, record)
        names.append(name)
        rows.append(case.from_record(record, run))
        wanted.append(_project(case, result))
    return names, rows, wanted


_DUCKDB_TYPES = {
    "text": "VARCHAR",
    "timestamp": "TIMESTAMPTZ",
    "bool": "BOOLEAN",
    "int": "BIGINT",
    "children": "STRUCT(run_id BIGINT)[]",  # a Jobs API tasks[] / iterations[] as far as the SQL reads it
}


def nested(types: Mapping[str, str]) -> dict[str, Any]:
    """Dotted column words as a tree: ``{"detail.state": "text"}`` is ``{"detail": {"state": "text"}}``."""
    tree: dict[str, Any] = {}
    for name, kind in types.items():
        *parents, leaf = name.split(".")
        node = tree
        for parent in parents:
            node = node.setdefault(parent, {})
        node[leaf] = kind
    return tree


def nested_value(tree: Any, row: Row, prefix: str = "") -> Any:
    """One row's value of a tree node: a leaf's value, or a dict of the node's children."""
    if isinstance(tree, str):
        return row[prefix]
    return {
        k: nested_value(sub, row, f"{prefix}{k}" if isinstance(sub, str) else f"{prefix}{k}.")
        for k, sub in tree.items()
    }


def _duckdb_type(tree: Any) -> str:
    if isinstance(tree, str):
        return _DUCKDB_TYPES[tree]
    return "STRUCT(" + ", ".join(f'"{k}" {_duckdb_type(v)}' for k, v in tree.items()) + ")"


def duckdb_table(con: Any, case: Case, rows: list[Row], name: str = "runs") -> None:
    """The rows as a DuckDB table with a ``row_id`` and one typed column per column word (in one go);
    dotted words become STRUCT columns, as a JSON history read by ``read_json_auto`` has them."""
    columns = ["unnest($1::BIGINT[]) AS row_id"]
    values: list[list[Any]] = [list(range(len(rows)))]
    for i, (column, tree) in enumerate(nested(case.types).items(), start=2):
        columns.append(f'unnest(${i}::{_duckdb_type(tree)}[]) AS "{column}"')
        values.append(
            [nested_value(tree, row, column if isinstance(tree, str) else column + ".") for row in rows]
        )
    con.execute("SET TimeZone = 'UTC'")
    con.execute("SET threads = 1")  # the machine is shared; the tables are small
    con.execute(f"CREATE TABLE {name} AS SELECT {', '.join(columns)}", values)


def duckdb_outputs(case: Case, rows: list[Row], columns: Mapping[str, str] | None = None) -> list[Row]:
    """What the generated DuckDB SQL gives for each row, in row order."""
    import duckdb

    from runstate.sql import select

    query = select(
        case.provider, "duckdb", "runs", case.columns if columns is None else columns, prefix="out_"
    )
    with duckdb.connect() as con:
        duckdb_table(con, case, rows)
        cursor = con.execute(f"SELECT * FROM ({query}) ORDER BY row_id")
        names = [d[0] for d in cursor.description]
        found = cursor.fetchall()
    return [{k[4:]: v for k, v in zip(names, row, strict=True) if k.startswith("out_")} for row in found]
