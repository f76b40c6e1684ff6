"""The streaming JSON reader: every chunk boundary, bad lines, arrays, and linear cost."""

from __future__ import annotations

import io
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from runstate import _jsonstream
from runstate._jsonstream import BadValue, iter_json_values

from .strategies import json_values

RECORD: dict[str, object] = {
    "a": True,
    "b": False,
    "c": None,
    "d": 12345,
    "e": "text",
    "f": [1.5, -2e10],
    "g": {},
}


@pytest.fixture
def tiny_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_jsonstream, "_CHUNK", 1)


@pytest.mark.parametrize("chunk", [1, 2, 3, 5, 7, 11, 64])
def test_any_chunk_boundary_reads_valid_json(monkeypatch: pytest.MonkeyPatch, chunk: int) -> None:
    monkeypatch.setattr(_jsonstream, "_CHUNK", chunk)
    lines = json.dumps(RECORD) + "\n" + json.dumps(RECORD) + "\n"
    assert list(iter_json_values(io.StringIO(lines))) == [(1, RECORD), (2, RECORD)]
    pretty = json.dumps([RECORD, RECORD], indent=2)
    assert [v for _, v in iter_json_values(io.StringIO(pretty))] == [RECORD, RECORD]  # type: ignore[misc]


@pytest.mark.usefixtures("tiny_chunks")
def test_a_bad_line_is_reported_and_reading_goes_on() -> None:
    text = json.dumps(RECORD) + "\n{bad\n" + json.dumps(RECORD) + "\n"
    first, bad, last = iter_json_values(io.StringIO(text))
    assert first == (1, RECORD)
    assert isinstance(bad, BadValue)
    assert (bad.line, bad.text) == (2, "{bad")
    assert last == (3, RECORD)


@given(st.lists(json_values, max_size=5), st.integers(1, 9))
def test_json_lines_round_trip(values: list[object], chunk: int) -> None:
    original = _jsonstream._CHUNK
    _jsonstream._CHUNK = chunk
    try:
        text = "".join(json.dumps(v) + "\n" for v in values)
        assert [v for _, v in iter_json_values(io.StringIO(text), split_arrays=False)] == values  # type: ignore[misc]
    finally:
        _jsonstream._CHUNK = original


def test_unterminated_array() -> None:
    *values, bad = iter_json_values(io.StringIO("[1, 2"))
    assert values == [(1, 1), (1, 2)]
    assert isinstance(bad, BadValue)
    assert bad.error == "unterminated array"


def test_large_document_is_read_in_few_passes() -> None:
    class CountingReader(io.StringIO):
        reads = 0

        def read(self, size: int | None = -1) -> str:
            CountingReader.reads += 1
            return super().read(size)

    doc = json.dumps({"runs": [RECORD] * 20000})  # ~1.7 MB, one value
    [(_, value)] = iter_json_values(CountingReader(doc))  # type: ignore[misc]
    assert len(value["runs"]) == 20000
    assert CountingReader.reads < 30  # the buffer doubles: not one re-parse per 64 kB chunk


def test_nesting_deeper_than_the_interpreter_allows_is_a_bad_value() -> None:
    deep = "[" * 100_000 + "]" * 100_000
    first, bad, last = iter_json_values(io.StringIO(f"1\n{deep}\n2\n"))
    assert (first, last) == ((1, 1), (3, 2))
    assert isinstance(bad, BadValue)
    assert bad.error == "nested too deeply"
