"""normalize_lines: JSON Lines to runs, equal to ``json.loads`` + ``normalize`` with either decoder.

Every test that decodes runs twice: with msgspec first (the ``fast`` extra, which the ``test`` extra
installs) and with the json path alone (what users without the extra get). Both must give exactly
what the reference gives: ``json.loads`` of the line read as UTF-8 (NaN / Infinity refused), then
``normalize_many``. Runs are compared through ``to_dict`` with types and float signs kept, failures
by exception type, field and line, warnings by category and message.
"""

from __future__ import annotations

import json
import pickle
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import runstate
from runstate import InvalidRecordError, LineFailure, RecordFailure, UnknownProviderError, UnmappedStateError
from runstate._tables import lines as _lines

from ..paths import FIXTURES

FIXTURES = FIXTURES
# fixtures/ also holds non-provider folders (serialized/: to_dict output of older versions)
PROVIDERS = tuple(sorted(p.name for p in FIXTURES.iterdir() if p.is_dir() and p.name in runstate.REGISTRY))
# one line, one run: the providers whose stream is not merged by a combine step
PER_LINE = tuple(p for p in PROVIDERS if runstate.REGISTRY.get(p).combine is None)
DECODERS = pytest.mark.parametrize("fast", [_lines.FAST_DECODE, None], ids=["msgspec", "json"])
Line = str | bytes
Events = list[tuple[Any, ...]]


def _fixture_values(provider: str) -> list[Any]:
    values = [json.loads(p.read_text()) for p in sorted((FIXTURES / provider).glob("*.json"))]
    for path in sorted((FIXTURES / provider).glob("*.jsonl")):
        values += [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return values


FIXTURE_VALUES = {p: _fixture_values(p) for p in PROVIDERS}


def _typed(value: Any) -> Any:
    """A value with its types spelled out, so 1 != 1.0 != True, -0.0 != 0.0 and key order counts."""
    if isinstance(value, dict):
        return ("dict", tuple((k, _typed(v)) for k, v in value.items()))
    if isinstance(value, list | tuple):
        return (type(value).__name__, tuple(_typed(v) for v in value))
    if isinstance(value, float):
        return ("float", repr(value))
    return (type(value).__name__, value)


def _blank(line: Line) -> bool:
    return not (line.strip(" \t\r\n") if isinstance(line, str) else line.strip(b" \t\r\n"))


def _refuse(name: str) -> Any:
    raise ValueError(name)


def _reference_decode(line: Line, number: int) -> Any:
    """The definition normalize_lines follows: UTF-8 text (a BOM opening line 1 dropped, as by the
    ``utf-8-sig`` codec), then json.loads without NaN / Infinity."""
    text = line if isinstance(line, str) else line.decode("utf-8")
    if number == 1:
        text = text.removeprefix("\ufeff")
    text.encode("utf-8")  # a lone surrogate (undecodable bytes kept by surrogateescape) is refused
    return json.loads(text, parse_constant=_refuse)


def _run_event(run: runstate.Run) -> tuple[Any, ...]:
    try:
        return ("run", _typed(runstate.to_dict(run)))
    except runstate.InvalidRecordError as exc:  # raw nested deeper than to_dict writes (MAX_NESTING)
        return ("run", str(exc), runstate.to_row(run))


def _failure_event(line: int, index: int, error: runstate.RunstateError) -> tuple[Any, ...]:
    return ("fail", line, index, type(error).__name__, getattr(error, "field", None))


def _recorded(produce: Callable[[], Events]) -> tuple[Events, list[tuple[str, str]]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        events = produce()
    return events, [(w.category.__name__, str(w.message)) for w in caught]


def _outcome(
    provider: str, lines: list[Line], fast: _lines.Decode | None, strict: bool = False, keep_raw: bool = True
) -> tuple[Events, list[tuple[str, str]]]:
    def produce() -> Events:
        events: Events = []

        def on_error(failure: LineFailure) -> None:
            events.append(_failure_event(failure.line, failure.index, failure.error))

        runs = _lines.iter_lines(runstate.REGISTRY, provider, lines, strict, keep_raw, on_error, fast)
        events += (_run_event(run) for run in runs)
        return events

    return _recorded(produce)


def _reference(
    provider: str, lines: list[Line], strict: bool = False, keep_raw: bool = True
) -> tuple[Events, list[tuple[str, str]]]:
    """json.loads + normalize_many, one line at a time (per-line providers only)."""

    def produce() -> Events:
        events: Events = []
        index = 0
        for number, line in enumerate(lines, 1):
            if _blank(line):
                continue
            try:
                value = _reference_decode(line, number)
            except (ValueError, RecursionError):
                events.append(("fail", number, index, "InvalidRecordError", f"<line {number}>"))
                index += 1
                continue
            failures: list[RecordFailure] = []
            for run in runstate.normalize_many(
                provider, [value], strict=strict, keep_raw=keep_raw, on_error=failures.append
            ):
                events += [_failure_event(number, index + f.index, f.error) for f in failures]
                failures.clear()
                events.append(_run_event(run))
            events += [_failure_event(number, index + f.index, f.error) for f in failures]
            index += len(list(_records_of(provider, value)))
        return events

    return _recorded(produce)


def _records_of(provider: str, value: Any) -> Iterator[Any]:
    inner = runstate.REGISTRY.get(provider).pages(value)
    yield from ((value,) if inner is None else inner)


# --- every fixture, as lines -------------------------------------------------------------------


@DECODERS
@pytest.mark.parametrize("strict", [False, True], ids=["lenient", "strict"])
@pytest.mark.parametrize("provider", PROVIDERS)
def test_every_fixture_gives_what_json_loads_and_normalize_many_give(
    provider: str, strict: bool, fast: _lines.Decode | None
) -> None:
    values = FIXTURE_VALUES[provider]
    lines: list[Line] = [json.dumps(v) for v in values]
    lines += [json.dumps(v, ensure_ascii=False, indent=None).encode() for v in values]

    def reference() -> Events:
        events: Events = []
        decoded = [json.loads(line) for line in lines]
        runs = runstate.normalize_many(
            provider,
            decoded,
            strict=strict,
            on_error=lambda f: events.append(
                ("fail", f.index, type(f.error).__name__, getattr(f.error, "field", None))
            ),
        )
        events += (_run_event(run) for run in runs)
        return events

    def ours() -> Events:
        events: Events = []
        runs = _lines.iter_lines(
            runstate.REGISTRY,
            provider,
            lines,
            strict,
            True,
            lambda f: events.append(
                ("fail", f.index, type(f.error).__name__, getattr(f.error, "field", None))
            ),
            fast,
        )
        events += (_run_event(run) for run in runs)
        return events

    expected = _recorded(reference)
    assert any(e[0] == "run" for e in expected[0])
    assert _recorded(ours) == expected


@DECODERS
@pytest.mark.parametrize("provider", PER_LINE)
def test_raw_is_what_json_loads_returns(provider: str, fast: _lines.Decode | None) -> None:
    lines = [json.dumps(v).encode() for v in FIXTURE_VALUES[provider] if _lines_one_run(provider, v)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", runstate.RunstateWarning)
        runs = list(_lines.iter_lines(runstate.REGISTRY, provider, lines, False, True, None, fast))
    assert len(runs) == len(lines) > 0
    for run, line in zip(runs, lines, strict=True):
        assert _typed(run.raw) == _typed(json.loads(line))


def _lines_one_run(provider: str, value: Any) -> bool:
    return runstate.REGISTRY.get(provider).pages(value) is None


# --- fuzzed and hostile lines ------------------------------------------------------------------

SENTINEL = "__runstate_hostile__"
# literals where a compiled decoder may differ from json: each must give json's answer or its error
HOSTILE_LITERALS = [
    "1e400",
    "-1e400",
    "1E-400",
    "5e-324",
    "-0.0",
    "-0",
    "0.1000000000000000055511151231257827",
    "18446744073709551615",
    "18446744073709551616",
    "-9223372036854775809",
    "123456789012345678901234567890123456789",
    '"\\ud800"',
    '"x\\udc80y"',
    '"\\ud83d\\ude00"',
    '"\\u0000"',
    '"\u2028 é ✓"',
    '{"a": 1, "a": 2, "b": 3, "a": 4}',
    "NaN",
    "Infinity",
    "-Infinity",
    "[" * 600 + "]" * 600,
    "[" * 3000 + "]" * 3000,
    "01",
    "1.",
    "tru",
    '"unterminated',
]
hostile_literals = (
    st.sampled_from(HOSTILE_LITERALS)
    | st.integers(min_value=-(2**200), max_value=2**200).map(str)
    | st.floats(allow_nan=False, allow_infinity=False).map(repr)
    | st.from_regex(r"-?(0|[1-9][0-9]{0,25})(\.[0-9]{1,25})?([eE][+-]?[0-9]{1,3})?", fullmatch=True)
    | st.text(max_size=12).map(json.dumps)
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield (*prefix, key)
            yield from _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value[:2]):
            yield (*prefix, index)
            yield from _paths(item, (*prefix, index))


def _with_sentinel(record: Any, path: tuple[Any, ...]) -> Any:
    copy = json.loads(json.dumps(record))
    target = copy
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = SENTINEL
    return copy


@st.composite
def hostile_lines(draw: st.DrawFn, provider: str) -> Line:
    """A fixture record as one line, with one value replaced by a hostile literal, maybe mangled."""
    record = draw(st.sampled_from(FIXTURE_VALUES[provider]))
    paths = list(_paths(record))
    if paths:
        record = _with_sentinel(record, draw(st.sampled_from(paths)))
    text = json.dumps(record, ensure_ascii=draw(st.booleans())).replace(
        json.dumps(SENTINEL), draw(hostile_literals)
    )
    mangle = draw(st.sampled_from(["none", "none", "bom", "cut", "surrogate", "bad utf-8", "garbage", "pad"]))
    if mangle == "bom":
        text = "\ufeff" + text
    elif mangle == "cut":
        text = text[: draw(st.integers(0, len(text)))]
    elif mangle == "surrogate":
        at = draw(st.integers(0, len(text)))
        text = text[:at] + "\udcff" + text[at:]
    elif mangle == "garbage":
        text += draw(st.sampled_from([" x", "}", "\x0c", "\u00a0", ",", "\x00"]))
    elif mangle == "pad":
        text = (
            draw(st.sampled_from(["", " ", "\t", "\r"])) + text + draw(st.sampled_from(["\n", "\r\n", " "]))
        )
    if draw(st.booleans()):
        return text  # a str line (surrogates stay in it, as text read with surrogateescape)
    data = text.encode("utf-8", "surrogateescape" if mangle == "surrogate" else "strict")
    if mangle == "bad utf-8":
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.sampled_from([b"\xff", b"\xc3", b"\xed\xa0\x80", b"\x80"])) + data[at:]
    return data


@pytest.mark.parametrize("strict", [False, True], ids=["lenient", "strict"])
@pytest.mark.parametrize("provider", PER_LINE)
@settings(deadline=None, max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_hostile_lines_give_the_reference_with_either_decoder(
    provider: str, strict: bool, data: st.DataObject
) -> None:
    blank_lines: list[Line] = ["", "\n", b"  \r\n"]
    lines = data.draw(st.lists(hostile_lines(provider) | st.sampled_from(blank_lines), max_size=4))
    expected = _reference(provider, lines, strict)
    assert _outcome(provider, lines, _lines.FAST_DECODE, strict) == expected
    assert _outcome(provider, lines, None, strict) == expected


MERGED = tuple(p for p in PROVIDERS if p not in PER_LINE)


def _merged_outcome(provider: str, lines: list[Line], mode: str) -> Any:
    """Runs, then failures (a combine step reorders runs); mode "msgspec", "json" or "reference"."""

    def produce() -> Events:
        failures: Events = []
        if mode != "reference":
            runs = _lines.iter_lines(
                runstate.REGISTRY,
                provider,
                lines,
                False,
                True,
                lambda f: failures.append(_failure_event(f.line, f.index, f.error)),
                _lines.FAST_DECODE if mode == "msgspec" else None,
            )
            return [*(_run_event(run) for run in runs), *sorted(failures)]
        values: list[Any] = []
        where: list[tuple[int, int]] = []  # (line, index) of each decoded value
        numbered = [(number, line) for number, line in enumerate(lines, 1) if not _blank(line)]
        for index, (number, line) in enumerate(numbered):
            try:
                values.append(_reference_decode(line, number))
                where.append((number, index))
            except (ValueError, RecursionError):
                failures.append(("fail", number, index, "InvalidRecordError", f"<line {number}>"))
        runs = runstate.normalize_many(
            provider,
            values,
            on_error=lambda f: failures.append(_failure_event(*where[f.index], error=f.error)),
        )
        return [*(_run_event(run) for run in runs), *sorted(failures)]

    return _recorded(produce)


@pytest.mark.parametrize("provider", MERGED)
@settings(deadline=None, max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_hostile_lines_of_merged_runs_give_the_reference_with_either_decoder(
    provider: str, data: st.DataObject
) -> None:
    lines = data.draw(st.lists(hostile_lines(provider), max_size=5))
    expected = _merged_outcome(provider, lines, "reference")
    assert _merged_outcome(provider, lines, "msgspec") == expected
    assert _merged_outcome(provider, lines, "json") == expected


@given(line=hostile_lines("glue"))
@settings(deadline=None, max_examples=100)
def test_a_refused_line_gets_the_same_error_from_both_decoders(line: Line) -> None:
    errors: list[str] = []
    for fast in (_lines.FAST_DECODE, None):
        failures: list[LineFailure] = []
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", runstate.RunstateWarning)
            list(_lines.iter_lines(runstate.REGISTRY, "glue", [line], False, True, failures.append, fast))
        errors += [f"{type(f.error).__name__}: {f.error}" for f in failures]
    assert errors[: len(errors) // 2] == errors[len(errors) // 2 :]


@given(value=st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=12,
))  # fmt: skip
@settings(deadline=None)
def test_any_json_value_as_a_record(value: Any) -> None:
    lines: list[Line] = [json.dumps({"Id": "jr_1", "JobRunState": "RUNNING", "Arguments": value})]
    lines.append(json.dumps(value, ensure_ascii=False).encode())
    expected = _reference("glue", lines)
    assert _outcome("glue", lines, _lines.FAST_DECODE) == expected
    assert _outcome("glue", lines, None) == expected


# --- the contract, by example ------------------------------------------------------------------

GOOD = '{"Id": "jr_1", "JobName": "etl", "JobRunState": "SUCCEEDED"}'


def test_the_fast_decoder_is_msgspec_when_the_extra_is_installed() -> None:
    import msgspec

    assert _lines.FAST_DECODE is not None
    assert _lines.FAST_DECODE.__self__.__class__ is msgspec.json.Decoder  # type: ignore[attr-defined]


def test_runstate_exports_it() -> None:
    assert runstate.normalize_lines is _lines.normalize_lines
    assert runstate.LineFailure is _lines.LineFailure
    assert issubclass(LineFailure, RecordFailure)


@DECODERS
def test_without_on_error_the_first_bad_line_raises_naming_it(fast: _lines.Decode | None) -> None:
    runs = _lines.iter_lines(runstate.REGISTRY, "glue", [GOOD, "", '{"Id": '], False, True, None, fast)
    assert next(runs).run_id == "jr_1"
    with pytest.raises(InvalidRecordError) as info:
        next(runs)
    assert (info.value.provider, info.value.field, info.value.value) == ("glue", "<line 3>", '{"Id": ')
    assert str(info.value).startswith("glue: <line 3>: invalid JSON: Expecting value")
    assert isinstance(info.value.__cause__, json.JSONDecodeError)


@DECODERS
def test_a_record_that_fails_raises_its_own_error_with_a_note_naming_the_line(
    fast: _lines.Decode | None,
) -> None:
    lines = [GOOD, '{"Id": "jr_2", "JobRunState": "PAUSED"}']
    with pytest.raises(UnmappedStateError) as info:
        list(_lines.iter_lines(runstate.REGISTRY, "glue", lines, True, True, None, fast))
    assert (info.value.field, info.value.value) == ("$.JobRunState", "PAUSED")
    assert info.value.__notes__ == ["line 2 of the input"]


@DECODERS
@pytest.mark.parametrize(
    ("line", "problem"),
    [
        (b'{"Id": "\xff"}', "invalid JSON: not valid UTF-8 (byte 9)"),
        ('{"Id": "\udcff"}', "invalid JSON: not valid UTF-8"),
        ('{"Id": NaN}', "invalid JSON: NaN is not a JSON number"),
        ("[-Infinity]", "invalid JSON: -Infinity is not a JSON number"),
        ("\ufeff" + GOOD, "invalid JSON: starts with a UTF-8 BOM"),
        (b"\xef\xbb\xbf" + GOOD.encode(), "invalid JSON: starts with a UTF-8 BOM"),
        ("[" * 100_000, "invalid JSON: nested too deeply"),
        (GOOD + GOOD, "invalid JSON: Extra data (column 61)"),
    ],
)  # fmt: skip
def test_lines_that_are_not_json_are_failures_with_their_line(
    fast: _lines.Decode | None, line: Line, problem: str
) -> None:
    failures: list[LineFailure] = []
    runs = _lines.iter_lines(
        runstate.REGISTRY, "glue", [GOOD, line, GOOD], False, True, failures.append, fast
    )
    assert [run.run_id for run in runs] == ["jr_1", "jr_1"]
    [failure] = failures
    assert (failure.line, failure.index, failure.text, failure.record, failure.page_index) == (
        2,
        1,
        line,
        line,
        None,
    )
    assert isinstance(failure.error, InvalidRecordError)
    assert (failure.error.field, failure.error.value, failure.error.problem) == ("<line 2>", line, problem)


@DECODERS
def test_a_list_page_on_one_line_gives_its_runs_and_names_the_failing_record(
    fast: _lines.Decode | None,
) -> None:
    page = json.dumps({"JobRuns": [json.loads(GOOD), ["not a run"], {**json.loads(GOOD), "Id": "jr_3"}]})
    failures: list[LineFailure] = []
    runs = _lines.iter_lines(
        runstate.REGISTRY, "glue", ["  ", page, GOOD], False, True, failures.append, fast
    )
    assert [run.run_id for run in runs] == ["jr_1", "jr_3", "jr_1"]
    [failure] = failures
    assert (failure.line, failure.index, failure.record, failure.text) == (2, 1, ["not a run"], page)
    assert failure.page_index == 1
    assert failure.error.__notes__ == ["record [1] of the list page on line 2 of the input"]


@DECODERS
def test_memoryviews_are_lines_and_other_objects_are_failures(fast: _lines.Decode | None) -> None:
    failures: list[LineFailure] = []
    lines: list[Any] = [memoryview(GOOD.encode()), {"Id": "jr_2"}, memoryview(b" \n"), 7]
    runs = _lines.iter_lines(runstate.REGISTRY, "glue", lines, False, True, failures.append, fast)
    assert [run.run_id for run in runs] == ["jr_1"]
    assert [(f.line, str(f.error)) for f in failures] == [
        (2, "glue: <line 2>: invalid JSON: a line is str or bytes, not dict: {'Id': 'jr_2'}"),
        (4, "glue: <line 4>: invalid JSON: a line is str or bytes, not int: 7"),
    ]


def test_blank_lines_are_skipped_but_counted() -> None:
    failures: list[LineFailure] = []
    lines: list[str | bytes] = ["", "\n", b" \t\r\n", b"", "x\n"]
    assert list(runstate.normalize_lines("glue", lines, on_error=failures.append)) == []
    assert [(f.line, f.index) for f in failures] == [(5, 0)]


def test_a_form_feed_is_not_json_whitespace() -> None:
    failures: list[LineFailure] = []
    assert list(runstate.normalize_lines("glue", ["\x0c"], on_error=failures.append)) == []
    assert isinstance(failures[0].error, InvalidRecordError)
    assert failures[0].error.field == "<line 1>"


def test_it_streams_one_line_at_a_time() -> None:
    pulled: list[int] = []

    def lines() -> Iterator[str]:
        for number in range(1, 4):
            pulled.append(number)
            yield GOOD

    runs = runstate.normalize_lines("glue", lines())
    assert pulled == []
    next(runs)
    assert pulled == [1]
    next(runs)
    assert pulled == [1, 2]


def test_a_warning_arises_while_its_line_is_the_last_one_read() -> None:
    """What lets the CLI print the line of a lenient warning: it counts the lines it hands over."""
    read: list[int] = []

    def lines() -> Iterator[str]:
        for number, line in enumerate([GOOD, '{"Id": "jr_2", "JobRunState": "PAUSED"}', GOOD], 1):
            read.append(number)
            yield line

    seen: list[int] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for _ in runstate.normalize_lines("glue", lines()):
            seen.extend(read[-1:] * (len(caught) - len(seen)))
    assert seen == [2]


def test_an_unknown_provider_raises_at_the_call() -> None:
    with pytest.raises(UnknownProviderError):
        runstate.normalize_lines("glu", [GOOD])


def test_keep_raw_false_drops_raw_and_strict_is_passed_on() -> None:
    [run] = runstate.normalize_lines("glue", [GOOD.encode()], keep_raw=False, strict=True)
    assert run.raw is None
    assert run.state is runstate.State.SUCCEEDED


def test_failures_and_their_errors_survive_a_pickle_trip() -> None:
    failures: list[LineFailure] = []
    list(runstate.normalize_lines("glue", [b"{oops"], on_error=failures.append))
    back = pickle.loads(pickle.dumps(failures[0]))
    assert (back.line, back.index, back.text, back.record) == (1, 0, b"{oops", b"{oops")
    assert (type(back.error), back.error.field, str(back.error)) == (
        InvalidRecordError,
        "<line 1>",
        str(failures[0].error),
    )


def test_databricks_system_slices_on_lines_are_merged_as_normalize_many_merges_them() -> None:
    text = (FIXTURES / "databricks_system" / "three_slice_run.jsonl").read_text(encoding="utf-8")
    lines = text.splitlines()
    merged = list(runstate.normalize_lines("databricks_system", lines))
    expected = list(runstate.normalize_many("databricks_system", [json.loads(line) for line in lines]))
    assert len(merged) == len(expected) < len(lines)
    assert [_typed(runstate.to_dict(r)) for r in merged] == [_typed(runstate.to_dict(r)) for r in expected]


@DECODERS
@pytest.mark.parametrize("bom", ["\ufeff", b"\xef\xbb\xbf"], ids=["str", "bytes"])
def test_a_bom_opening_the_first_line_is_dropped(fast: _lines.Decode | None, bom: Line) -> None:
    """Regression: a file saved with a UTF-8 BOM (Windows editors, PowerShell) and read with
    ``open(path, "rb")`` failed its first record; a BOM opening a later line is still refused."""
    first: Line = bom + (GOOD if isinstance(bom, str) else GOOD.encode())  # type: ignore[operator]
    failures: list[LineFailure] = []
    runs = _lines.iter_lines(runstate.REGISTRY, "glue", [first, first], False, True, failures.append, fast)
    assert [run.run_id for run in runs] == ["jr_1"]
    assert [(f.line, getattr(f.error, "problem", None)) for f in failures] == [
        (2, "invalid JSON: starts with a UTF-8 BOM")
    ]


@pytest.mark.parametrize("lines", [None, 5, GOOD, GOOD.encode()], ids=["None", "int", "str", "bytes"])
def test_what_is_no_iterable_of_lines_is_refused_by_name(lines: Any) -> None:
    """Regression: None raised a bare TypeError; a whole text given as one str was read character by
    character, each failing as a line of invalid JSON."""
    with pytest.raises(runstate.InvalidRecordError, match=r"^glue: lines: expected an iterable of lines"):
        runstate.normalize_lines("glue", lines)


def test_namespace_puts_every_run_and_task_in_it_as_normalize_many_does() -> None:
    """A load of Glue JSON Lines from several accounts says where each batch comes from."""
    example = Path(runstate.__file__).parent / "examples" / "databricks.jsonl"
    lines = [line for line in example.read_bytes().splitlines() if line.strip()]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", runstate.StateConflictWarning)  # the examples name their own
        records = map(json.loads, lines)
        expected = list(runstate.normalize_many("databricks", records, namespace="databricks:1"))
        got = list(runstate.normalize_lines("databricks", lines, namespace="databricks:1"))
    assert got == expected
    assert {run.namespace for run in got} == {"databricks:1"}
    assert {task.namespace for run in got for task in run.tasks} == {"databricks:1"}
    glue = b'{"Id": "jr_1", "JobRunState": "RUNNING"}'
    assert next(runstate.normalize_lines("glue", [glue], namespace="aws:1:eu")).namespace == "aws:1:eu"
    with pytest.raises(runstate.InvalidRecordError, match="namespace: expected a non-empty string"):
        runstate.normalize_lines("glue", [], namespace="")
