"""JSON Lines straight to runs: the bulk path of the command line and of ``normalize_batches``.

Each line is decoded and normalized before the next one is read, so memory stays flat however long
the input. The reference is ``normalize_many(provider, [json.loads(line)])`` with the line read as
UTF-8 and NaN / Infinity refused (they are not JSON, RFC 8259 section 6, and the CLI refuses them
too): every run and every error matches it.

When msgspec is installed (``pip install 'runstate[fast]'``) it decodes first, about 2.5x faster than
``json``. Anything it refuses (big-number overflow to infinity, lone surrogates, NaN, a BOM, invalid
UTF-8, malformed text, deep nesting) goes back to the ``json`` path, which either gives the
reference value or the documented error. msgspec was chosen over orjson, which is as fast but turns
integers beyond 64 bits into floats without a word (orjson 3.13: ``orjson.loads("2"*30)`` is a float).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from io import BufferedReader, TextIOWrapper
from itertools import chain
from types import GeneratorType
from typing import Any, Final

import attrs

from .._core.errors import InvalidRecordError, RunstateError
from .._core.model import Run
from .._kit.registry import REGISTRY, ProviderRegistry, RecordFailure, check_namespace, with_namespace
from .._kit.spec import ProviderSpec

__all__ = ["LineFailure", "normalize_lines"]

Line = str | bytes | bytearray | memoryview
Decode = Callable[[Line], Any]


@attrs.frozen
class LineFailure(RecordFailure):
    """One record of :func:`normalize_lines` that failed, with the line it came from.

    A :class:`RecordFailure` (``index``, ``record``, ``error``) plus ``line``, ``text`` and
    ``page_index``. A line that is not JSON has the line itself as ``record`` and an
    :class:`InvalidRecordError` whose ``field`` is ``"<line N>"``; a record that failed has the
    decoded record and the error :func:`normalize` raises, with a note naming the line.
    """

    line: int
    """The line's number in the input, from 1 (blank lines count)."""
    text: Any
    """The line as given (str or bytes, untruncated), e.g. to write it to a file of rejects."""
    page_index: int | None = None
    """Position of the record in the line's list page, from 0; ``None`` when the line is one record."""


class _NotJSONError(ValueError):
    """A line the json path refuses before parsing (undecodable text, NaN / Infinity)."""


def _refuse_constant(name: str) -> Any:
    raise _NotJSONError(f"{name} is not a JSON number")


# parse_constant keeps the C scanner (same speed as json.loads) and refuses NaN / Infinity
_JSON_DECODE: Decode = json.JSONDecoder(parse_constant=_refuse_constant).decode  # type: ignore[assignment]
_SURROGATE = re.compile("[\ud800-\udfff]")  # str lines: undecodable bytes read with surrogateescape
_SPACE_STR = " \t\r\n"  # JSON's whitespace (RFC 8259 section 2), nothing else
_SPACE_BYTES = b" \t\r\n"


def decode_json(line: Line) -> Any:
    """The reference decoder: ``json.loads`` of the line as UTF-8, NaN and Infinity refused."""
    if isinstance(line, str):
        if not line.isascii() and _SURROGATE.search(line) is not None:
            raise _NotJSONError("not valid UTF-8")
        return _JSON_DECODE(line)
    try:
        text = str(line, "utf-8")  # bytes, bytearray, memoryview: what msgspec takes too
    except TypeError:
        raise _NotJSONError(f"a line is str or bytes, not {type(line).__name__}") from None
    return _JSON_DECODE(text)


def _fast_decoder() -> Decode | None:
    try:
        import msgspec.json
    except ImportError:
        return None
    decode: Decode = msgspec.json.Decoder().decode
    return decode


FAST_DECODE: Decode | None = _fast_decoder()
"""msgspec's generic JSON decoder when installed (the ``fast`` extra), else ``None``."""


def _is_blank(line: Line) -> bool:
    if isinstance(line, str):
        return not line.strip(_SPACE_STR)
    return isinstance(line, bytes | bytearray | memoryview) and not bytes(line).strip(_SPACE_BYTES)


def _has_bom(line: Line) -> bool:
    if isinstance(line, str):
        return line.startswith("\ufeff")
    return isinstance(line, bytes | bytearray | memoryview) and bytes(line[:3]) == b"\xef\xbb\xbf"


def _problem(exc: BaseException) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return f"invalid JSON: {exc.msg} (column {exc.colno})"
    if isinstance(exc, UnicodeDecodeError):
        return f"invalid JSON: not valid UTF-8 (byte {exc.start + 1})"
    if isinstance(exc, RecursionError):
        return "invalid JSON: nested too deeply"
    return f"invalid JSON: {exc}"


_NOT_JSON: Any = object()
_BLANK: Any = object()


def _decode_again(line: Line) -> Any:
    """The json path's value of a refused line, ``_BLANK`` to skip it, or ``_NOT_JSON``."""
    try:
        return decode_json(line)
    except (ValueError, RecursionError):  # JSONDecodeError, UnicodeDecodeError, _NotJSONError
        return _BLANK if _is_blank(line) else _NOT_JSON


def _undecodable(provider: str, number: int, line: Line) -> InvalidRecordError:
    """The error of a line the json path refuses (it is decoded once more: failures are rare)."""
    if _has_bom(line):  # json's decoder would only say "Expecting value"
        return InvalidRecordError(provider, f"<line {number}>", line, "invalid JSON: starts with a UTF-8 BOM")
    try:
        decode_json(line)
    except (ValueError, RecursionError) as exc:
        error = InvalidRecordError(provider, f"<line {number}>", line, _problem(exc))
        error.__cause__ = exc
        return error
    raise AssertionError("decode_json accepted a line it refused a moment ago")  # pragma: no cover


def normalize_lines(
    provider: str,
    lines: Iterable[str | bytes],
    *,
    strict: bool = False,
    keep_raw: bool = True,
    on_error: Callable[[LineFailure], None] | None = None,
    namespace: str | None = None,
) -> Iterator[Run]:
    """Lazily turn JSON Lines (``str`` or UTF-8 ``bytes``, e.g. an open file) into runs.

    Each line holds one record or one of the provider's list pages; blank lines are skipped (but
    counted), and a UTF-8 byte order mark at the start of the first line is dropped. The runs equal
    ``normalize_many(provider, (json.loads(line) for line in lines))``,
    ``raw`` included, except that NaN, Infinity and undecodable text are errors. A line that is not
    JSON raises :class:`InvalidRecordError` with ``field`` ``"<line N>"`` and the line as ``value``;
    a record that fails to normalize raises as :func:`normalize` would, with a note naming the line.
    With ``on_error`` each failure is handed to it as a :class:`LineFailure` and the iteration goes
    on. Lenient warnings are raised while their line is the last one read from ``lines``.

    >>> lines = [b'{"Id": "jr_1", "JobRunState": "SUCCEEDED"}', b"", b"{oops"]
    >>> failures = []
    >>> list(run.state for run in normalize_lines("glue", lines, on_error=failures.append))
    [<State.SUCCEEDED: 'SUCCEEDED'>]
    >>> failures[0].line, failures[0].error.field
    (3, '<line 3>')
    >>> print(failures[0].error)
    glue: <line 3>: invalid JSON: Expecting property name enclosed in double quotes (column 2): b'{oops'

    ``lines`` that are no iterable of lines (``None``, one str or bytes holding the whole text)
    raise :class:`InvalidRecordError` at once: split the text first (``text.splitlines()``).
    ``namespace`` puts every run and task in it, as :func:`normalize_many` does.
    """
    check_iterable(provider, "lines", lines)
    if namespace is not None:
        check_namespace(namespace)
    return iter_lines(REGISTRY, provider, lines, strict, keep_raw, on_error, FAST_DECODE, namespace)


def iter_lines(
    registry: ProviderRegistry,
    provider: str,
    lines: Iterable[Line],
    strict: bool,
    keep_raw: bool,
    on_error: Callable[[LineFailure], None] | None,
    fast: Decode | None,
    namespace: str | None = None,
) -> Iterator[Run]:
    """:func:`normalize_lines` with the registry and the first decoder given (``None``: json only)."""
    spec = registry.get(provider)
    runs = line_runs(spec, lines, strict, keep_raw, on_error, fast or decode_json)
    if namespace is not None:  # before combine, as normalize_many does
        ctx = spec.context(strict)
        runs = (with_namespace(run, namespace, ctx) for run in runs)
    return runs if spec.combine is None else spec.combine(runs)


def _without_bom(lines: Iterable[Line]) -> Iterator[Line]:
    """``lines`` with a UTF-8 byte order mark at the start of the first one dropped.

    Editors on Windows and PowerShell's ``Out-File`` start files with one; it is not part of the data
    (RFC 8259 section 8.1 lets a parser ignore it), so ``open(path, "rb")`` needs no special care.
    A BOM at the start of any later line is still an error: it is not the start of a file.
    """
    it = iter(lines)
    for first in it:
        kind = type(first)
        if kind is bytes:  # the usual lines told without a call
            bom = first[:3] == b"\xef\xbb\xbf"
        elif kind is str:
            bom = first[:1] == "\ufeff"
        else:
            bom = isinstance(first, str | bytes | bytearray | memoryview) and _has_bom(first)
        if bom:
            first = first[1:] if isinstance(first, str) else first[3:]
        return chain((first,), it)
    return it


def line_runs(
    spec: ProviderSpec,
    lines: Iterable[Line],
    strict: bool,
    keep_raw: bool,
    on_error: Callable[[LineFailure], None] | None,
    decode: Decode,
    refused: Callable[[], None] | None = None,
) -> Iterator[Run]:
    """The hot loop: one decode, one page check and one build per line, nothing else.

    Blank and undecodable lines are told apart only once a decoder has refused the line, so a
    good line pays for no check of its own. ``refused`` is told when ``decode`` refused the
    current line (the CLI writes a line msgspec did not decode through the json encoder).
    """
    build, pages, ctx, provider = spec.build, spec.pages, spec.context(strict), spec.name
    number = index = 0
    for line in _without_bom(lines):  # called on the first next(), so nothing is read before
        number += 1
        try:
            value = decode(line)
        except Exception:  # refused (by msgspec: maybe only where json differs): the json path decides  # noqa: BLE001
            if refused is not None:
                refused()
            value = _decode_again(line)
            if value is _BLANK:
                continue
            if value is _NOT_JSON:
                _fail(on_error, LineFailure(index, line, _undecodable(provider, number, line), number, line))
                index += 1
                continue
        inner = pages(value)
        if inner is None:
            try:
                run = build(value, ctx, keep_raw)
            except RunstateError as exc:
                exc.add_note(f"line {number} of the input")
                _fail(on_error, LineFailure(index, value, exc, number, line))
            else:
                yield run
            index += 1
            continue
        for position, record in enumerate(inner):
            try:
                run = build(record, ctx, keep_raw)
            except RunstateError as exc:
                exc.add_note(f"record [{position}] of the list page on line {number} of the input")
                _fail(on_error, LineFailure(index, record, exc, number, line, position))
            else:
                yield run
            index += 1


_ITERABLES: Final = frozenset({list, tuple, GeneratorType, BufferedReader, TextIOWrapper})


def check_iterable(provider: str, field: str, value: object) -> None:
    """Refuse, by name, an argument that is no iterable of items: ``None`` or a number (which would
    be a bare TypeError on the first ``next``), or one item given whole (a dict, a str or bytes),
    whose keys or characters would each be read as an item and fail with a misleading message."""
    if type(value) in _ITERABLES:  # the usual arguments, told apart without the ABCs' slower checks
        return
    if isinstance(value, Mapping | str | bytes | bytearray | memoryview):
        kind = type(value).__name__
        raise InvalidRecordError(provider, field, value, f"expected an iterable of {field}, not one {kind}")
    if not isinstance(value, Iterable):
        raise InvalidRecordError(provider, field, value, f"expected an iterable of {field}")


def _fail(on_error: Callable[[LineFailure], None] | None, failure: LineFailure) -> None:
    if on_error is None:
        raise failure.error
    on_error(failure)
