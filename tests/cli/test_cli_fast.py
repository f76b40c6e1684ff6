"""The bulk path's fast paths give exactly what the paths beside them give.

* ``plain_dict`` (what msgspec encodes for a run decoded by msgspec) against ``run_dict`` with UTC
  times kept (the path it replaced): the same bytes from msgspec for every generated and example run.
* ``_json_value``'s shortcut for plain items against the serializer's own ``json_value``.
* The whole ``normalize`` command over fuzzed lines, msgspec on (decode and encode) against msgspec
  off (the json path): the same runs, dead letters, diagnostics, stderr and exit code.
* ``arrow._Columns`` (rows converted by Arrow a chunk at a time) against ``RecordBatch.from_pylist``.
* ``check_iterable``'s shortcut for the usual argument types against its general checks.
"""

from __future__ import annotations

import enum
import io
import json
import math
import sys
import warnings
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from types import MappingProxyType
from typing import Any

import attrs
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import runstate
from runstate import arrow
from runstate._cli import app as _cli
from runstate._cli import write as _cli_write
from runstate._core import serialize as _serialize
from runstate._core.model import Run
from runstate._tables import lines as _lines

from ..strategies import maybe_texts, runs
from ..tables.test_lines import PER_LINE, _typed, hostile_lines
from .test_cli_commands import GLUE_LINES, _reference_rows, example_runs

ENCODE = _cli_write._FAST_ENCODE
pytestmark = pytest.mark.skipif(ENCODE is None, reason="needs msgspec (the fast extra)")


def _reference_plain(run: Run) -> bytes | type[Exception]:
    """What ``dumps_line(run, plain=True)`` encoded before ``plain_dict``: run_dict, UTC times as they are."""
    assert ENCODE is not None
    try:
        return ENCODE(_cli_write.run_dict(run, _cli_write._utc_time))
    except Exception as exc:  # noqa: BLE001 - compared by type with the fast path's
        return type(exc)


def _plain(run: Run) -> bytes | type[Exception]:
    assert ENCODE is not None
    try:
        return ENCODE(_cli_write.plain_dict(run))
    except Exception as exc:  # noqa: BLE001 - compared by type with the reference's
        return type(exc)


def _with_times(run: Run, offset: timedelta) -> Run:
    """The run with its times in another zone (msgspec writes only UTC times as they are)."""
    zone = timezone(offset)

    def moved(value: datetime | None) -> datetime | None:
        return None if value is None else value.astimezone(zone)

    return attrs.evolve(
        run,
        created_at=moved(run.created_at),
        started_at=moved(run.started_at),
        ended_at=moved(run.ended_at),
        updated_at=moved(run.updated_at),
    )


@given(runs(), st.timedeltas(min_value=timedelta(hours=-23), max_value=timedelta(hours=23)), st.booleans())
def test_plain_dict_encodes_as_run_dict_for_every_generated_run(
    run: Run, offset: timedelta, shift: bool
) -> None:
    run = _with_times(run, offset) if shift else run
    assert _plain(run) == _reference_plain(run)


def test_plain_dict_encodes_as_run_dict_for_every_example() -> None:
    count = 0
    for provider in ("databricks", "glue", "cloud_deploy", "databricks_system", "glue_events"):
        for run in example_runs(provider):
            assert _plain(run) == _reference_plain(run)
            assert _cli_write.dumps_line(run, plain=True).encode() == _reference_plain(run)
            count += 1
    assert count > 20


class _Level(enum.IntEnum):
    LOW = 1


class _Text(str):
    __slots__ = ()


def _odd_scalars() -> st.SearchStrategy[Any]:
    return (
        st.none()
        | st.booleans()
        | st.integers()
        | st.floats()  # NaN and infinities included: written as text
        | st.text(max_size=5)
        | st.just(_Level.LOW)
        | st.text(max_size=3).map(_Text)
        | st.datetimes(timezones=st.none() | st.just(UTC))
        | st.timedeltas()
        | st.binary(max_size=4)
    )


odd_values = st.recursive(
    _odd_scalars(),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.lists(inner, max_size=3).map(tuple)
        | st.dictionaries(st.text(max_size=3) | st.integers(), inner, max_size=3)
        | st.dictionaries(st.text(max_size=3), inner, max_size=3).map(MappingProxyType)
        | st.frozensets(st.integers(), max_size=3)
    ),
    max_leaves=12,
)


def _same(value: Any) -> str:
    """JSON text with NaN spelled out, so values holding NaN compare equal to themselves."""
    return json.dumps(value, allow_nan=True)


@given(odd_values)
def test_json_value_is_the_serializers_lossless_copy(value: Any) -> None:
    expected = _serialize.json_value(value, _serialize.keep_text)
    assert _same(_cli_write._json_value(value)) == _same(expected)


def test_json_value_writes_non_finite_floats_as_text() -> None:
    assert _cli_write._json_value({"a": [math.inf, 1.5, -math.inf]}) == {"a": ["inf", 1.5, "-inf"]}


# --- the whole command, msgspec on and off ----------------------------------------------------------


class _Stdin(io.TextIOWrapper):
    """Standard input as the CLI sees a pipe: text with a binary buffer under it."""

    def __init__(self, data: bytes) -> None:
        super().__init__(io.BytesIO(data), encoding="utf-8")


def _command(
    provider: str, data: bytes, options: list[str], tmp: Path, capsys: pytest.CaptureFixture[str]
) -> tuple[Any, ...]:
    dead = tmp / "dead.jsonl"
    argv = ["normalize", "-p", provider, "-", "--errors", str(dead), *options]
    old = sys.stdin
    sys.stdin = _Stdin(data)
    try:
        code = _cli.main(argv)
    finally:
        sys.stdin = old
    out, err = capsys.readouterr()
    runs_out = [_typed(json.loads(line)) for line in out.splitlines()]
    return code, runs_out, err, dead.read_bytes(), Path(f"{dead}.why.jsonl").read_bytes()


def _as_bytes(line: str | bytes) -> bytes:
    return line.encode("utf-8", "surrogateescape") if isinstance(line, str) else line


@pytest.mark.parametrize("provider", PER_LINE)
@settings(deadline=None, max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), strict=st.booleans(), no_raw=st.booleans())
def test_the_command_gives_the_same_with_msgspec_and_without(
    provider: str,
    data: st.DataObject,
    strict: bool,
    no_raw: bool,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    lines = data.draw(st.lists(hostile_lines(provider) | st.sampled_from(["", " "]), min_size=1, max_size=4))
    text = b"\n".join(_as_bytes(line).replace(b"\n", b" ").replace(b"\r", b" ") for line in lines) + b"\n"
    options = ["--strict"] * strict + ["--no-raw"] * no_raw
    fast = _command(provider, text, options, tmp_path, capsys)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_lines, "FAST_DECODE", None)
        patch.setattr(_cli_write, "_FAST_ENCODE", None)
        slow = _command(provider, text, options, tmp_path, capsys)
    assert fast == slow


# --- normalize_batches' columns ---------------------------------------------------------------------


rows_with_errors = st.lists(
    st.builds(lambda run, ns: attrs.evolve(run, namespace=ns), runs(), maybe_texts).map(
        lambda run: list(runstate.to_rows([run]))
    )
    | st.builds(lambda text: [{"provider": "glue", "error": "not JSON", "record": text}], maybe_texts),
    max_size=5,
).map(lambda groups: [row for group in groups for row in group])


@given(rows_with_errors, st.integers(1, 4))
def test_columns_are_what_arrow_makes_of_the_rows(rows: list[dict[str, Any]], chunk: int) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(arrow, "_CHUNK", chunk)  # several chunks per batch, and a last partial one
        batch = arrow._batch(iter(rows), arrow.BATCH_SCHEMA)
    assert batch.schema == arrow.BATCH_SCHEMA
    assert batch.equals(pa.RecordBatch.from_pylist(rows, schema=arrow.BATCH_SCHEMA))


def test_an_empty_batch_has_the_schema() -> None:
    batch = arrow._batch(iter(()), arrow.BATCH_SCHEMA)
    assert batch.num_rows == 0
    assert batch.schema == arrow.BATCH_SCHEMA


@given(st.text(alphabet=" \t\r\n\x0c\u00a0{}a", max_size=6))
def test_a_blank_text_is_told_by_its_first_character_then_strip(text: str) -> None:
    assert arrow._blank(text) is (not text.strip(" \t\r\n"))


@settings(max_examples=30, deadline=None)
@given(st.lists(st.sampled_from(["", " ", "\t\r\n", "\x0c", " {}", "\u00a0", *GLUE_LINES[:2]]), max_size=6))
def test_blank_and_padded_texts_give_the_reference_rows(texts: list[str]) -> None:
    batch = pa.record_batch({"record": pa.array(texts, pa.string())})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", runstate.RunstateWarning)
        table = pa.Table.from_batches(
            list(arrow.normalize_batches("glue", [batch])), schema=arrow.BATCH_SCHEMA
        )
        expected = _reference_rows("glue", list(texts))
    names = arrow.BATCH_SCHEMA.names
    assert table.to_pylist() == [{name: row.get(name) for name in names} for row in expected]


# --- check_iterable ---------------------------------------------------------------------------------


def _gen() -> Iterator[bytes]:
    yield b'{"Id": "jr_1", "JobRunState": "SUCCEEDED"}'


@pytest.mark.parametrize("lines", [[b"{}"], (b"{}",), _gen()], ids=["list", "tuple", "generator"])
def test_the_usual_iterables_pass_the_shortcut_and_the_general_checks(lines: Any) -> None:
    assert type(lines) in _lines._ITERABLES
    assert isinstance(lines, Iterator | list | tuple)
    _lines.check_iterable("glue", "lines", lines)  # no error, as the general checks give


def test_an_open_file_is_lines(tmp_path: Path) -> None:
    path = tmp_path / "runs.jsonl"
    path.write_text('{"Id": "jr_1", "JobRunState": "SUCCEEDED"}\n', encoding="utf-8")
    with path.open("rb") as binary, path.open(encoding="utf-8") as text:
        assert type(binary) in _lines._ITERABLES
        assert type(text) in _lines._ITERABLES
        assert [r.run_id for r in runstate.normalize_lines("glue", binary)] == ["jr_1"]
        assert [r.run_id for r in runstate.normalize_lines("glue", text)] == ["jr_1"]


def test_utc_times_are_kept_as_datetimes_for_msgspec() -> None:
    run = runstate.normalize(
        "glue", {"Id": "jr_1", "JobRunState": "RUNNING", "StartedOn": "2026-03-01T10:00:00Z"}
    )
    assert isinstance(_cli_write.plain_dict(run)["started_at"], datetime)
    assert json.loads(_cli_write.dumps_line(run, plain=True))["started_at"] == "2026-03-01T10:00:00Z"
