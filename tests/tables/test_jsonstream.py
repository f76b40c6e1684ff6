"""The streaming JSON reader: every chunk boundary, bad lines, arrays, and linear cost."""

from __future__ import annotations

import io
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from runstate._core.errors import MAX_NESTING
from runstate._tables import jsonstream as _jsonstream
from runstate._tables.jsonstream import BadValue, iter_json_values

from ..strategies import json_values

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
    assert bad.error == f"nested more than {MAX_NESTING} levels deep"
    assert bad.text == deep[1:-1]  # an array is split wherever it stands: its one element is too deep


def _read(text: str, max_size: int = _jsonstream.DEFAULT_MAX_SIZE) -> list[tuple[int, object] | BadValue]:
    return list(iter_json_values(io.StringIO(text), max_size=max_size))


@pytest.mark.parametrize("chunk", [1, 7, 1 << 16])
def test_a_nan_element_of_a_one_line_array_loses_nothing_after_it(
    monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    monkeypatch.setattr(_jsonstream, "_CHUNK", chunk)
    records = [json.dumps({"i": i}) for i in range(50)]
    records[10] = '{"i": NaN}'
    records[20] = "{bad}"
    records[30] = "tru"
    values = _read("[" + ", ".join(records) + "]\n")
    assert len(values) == 50
    bad = {i: v for i, v in enumerate(values) if isinstance(v, BadValue)}
    assert sorted(bad) == [10, 20, 30]
    assert [bad[i].text for i in (10, 20, 30)] == ['{"i": NaN}', "{bad}", "tru"]
    assert bad[10].error == "NaN is not a JSON number"
    assert [v for v in values if not isinstance(v, BadValue)] == [
        (1, {"i": i}) for i in range(50) if i not in bad
    ]


def test_a_bad_element_of_a_pretty_printed_array_is_one_failure_with_its_whole_text() -> None:
    text = '[\n  {\n    "a": 1,\n    "b": NaN\n  },\n  {\n    "c": x\n  },\n  {"d": 2}\n]\n'
    first, second, good = _read(text)
    assert first == BadValue(2, '{\n    "a": 1,\n    "b": NaN\n  }', "NaN is not a JSON number")
    assert isinstance(second, BadValue)
    assert (second.line, second.text) == (6, '{\n    "c": x\n  }')
    assert good == (9, {"d": 2})


def test_line_numbers_count_only_line_feeds_and_a_bom_is_skipped() -> None:
    text = '\ufeff{"a": 1}\r\nbad\rbad\rbad\n{"b": 2}\n'
    first, bad, last = _read(text)
    assert first == (1, {"a": 1})
    assert isinstance(bad, BadValue)
    assert (bad.line, bad.text) == (2, "bad\rbad\rbad")
    assert last == (3, {"b": 2})


@pytest.mark.parametrize("depth", [MAX_NESTING + 1, 990])
def test_nesting_is_limited_while_reading(depth: int) -> None:
    deep = "[" * depth + "]" * depth
    ok = "[" * (MAX_NESTING - 1) + "]" * (MAX_NESTING - 1)
    lines = _read(f'{{"a": {deep}}}\n{{"a": {ok}}}\n{{"s": "{"[" * 5000}"}}\n')
    assert isinstance(lines[0], BadValue)
    assert lines[0].error == f"nested more than {MAX_NESTING} levels deep"
    assert not isinstance(lines[1], BadValue)  # depth exactly the limit (the object counts) is read
    assert lines[2] == (3, {"s": "[" * 5000})  # brackets inside strings do not count


def test_records_over_the_size_limit_are_bad_values_with_their_whole_text(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_jsonstream, "_CHUNK", 16)
    big = json.dumps({"s": "x" * 500})
    values = _read(f'{{"a": 1}}\n{big}\n{"y" * 700}\n{{"b": 2}}\n', max_size=100)
    assert values[0] == (1, {"a": 1})
    assert values[-1] == (4, {"b": 2})
    for line, bad, whole in zip((2, 3), values[1:3], (big, "y" * 700), strict=True):
        assert isinstance(bad, BadValue)
        assert bad.line == line
        # garbage already in the buffer is reported as what it is; any size is whole
        assert bad.error in ("record larger than 100 characters", "Expecting value")
        assert bad.text + "".join(bad.rest or ()) == whole
    assert values[1].error == "record larger than 100 characters"  # type: ignore[union-attr]


def test_an_oversized_record_streams_its_rest_to_the_consumer(monkeypatch: pytest.MonkeyPatch) -> None:
    huge = json.dumps({"s": "x" * 1_000_000})
    seen = []
    for item in iter_json_values(io.StringIO(f"{huge}\n[1]\n"), max_size=100, split_arrays=False):
        if isinstance(item, BadValue):
            assert len(item.text) <= 3 * 65536  # read in chunks, never whole
            seen.append((item.line, item.text + "".join(item.rest or ())))
        else:
            seen.append(item)
    assert seen == [(1, huge), (2, [1])]


def test_an_endless_line_is_read_in_bounded_memory() -> None:
    class Endless(io.TextIOBase):
        reads = 0

        def read(self, size: int | None = -1) -> str:
            Endless.reads += 1
            return "" if Endless.reads > 200 else "\0" * (size if size and size > 0 else 1)

    [bad] = iter_json_values(Endless(), max_size=1000)  # type: ignore[arg-type]
    assert isinstance(bad, BadValue)
    assert len(bad.text) <= 1 << 17
    assert bad.error == "record larger than 1000 characters"


def test_arrays_are_split_wherever_they_stand() -> None:
    """An array after other values was one value, and the values after a first array were lost as
    "extra data after the array"."""
    text = '{"a": 1}\n[2, [3], {"b": 4}]\n5 [6]\n[\n 7,\n 8\n]\n{"c": 9}\n'
    values = [v for _, v in iter_json_values(io.StringIO(text))]  # type: ignore[misc]
    assert values == [{"a": 1}, 2, [3], {"b": 4}, 5, 6, 7, 8, {"c": 9}]
    lines = [item[0] for item in iter_json_values(io.StringIO(text))]  # type: ignore[index]
    assert lines == [1, 2, 2, 2, 3, 3, 5, 6, 8]
