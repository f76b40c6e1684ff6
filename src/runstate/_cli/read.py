"""The command line's record reader: each input record becomes a run or a dead letter, never neither.

Two readers give the same items. JSON Lines, the common case, goes through the loop behind
:func:`runstate.normalize_lines` (msgspec first when installed), one line at a time; any other shape
(a top-level array, a document over several lines, values run together on one line, a line over the
size limit) is handed, from that line on, to the general reader of :mod:`runstate._tables.jsonstream`. What
both share (dead letters with the original bytes, line numbers, the size and nesting limits, warnings
named by line, ``--fail-on-warning``, internal errors, namespace, combine) is decided here, per record.
"""

from __future__ import annotations

import io
import json
import warnings
from collections.abc import Callable, Iterator
from typing import IO, Any, Final

import attrs

from .._core.errors import MAX_NESTING, InvalidRecordError, RunstateError, RunstateWarning, short_repr
from .._core.model import Run
from .._kit.registry import REGISTRY, with_namespace
from .._kit.spec import CombineFunction, ProviderSpec
from .._tables import lines as _lines
from .._tables.jsonstream import DEFAULT_MAX_SIZE, BadValue, _depth, iter_json_texts
from .._tables.lines import LineFailure
from .io import (
    EXIT_FAILED,
    EXIT_INTERNAL,
    EXIT_OK,
    READ_ERRORS,
    DeadLetters,
    Failure,
    read_error,
    reopen_input,
    say,
)

__all__ = ["AUTO", "Counts", "Item", "RecordReader"]

AUTO: Final = "auto"
"""``--provider auto``: each record's provider is the one whose ``detect`` claims it."""
_TOO_DEEP: Final = f"nested more than {MAX_NESTING} levels deep"
_OVERSIZED: Final = "record larger than "
"""How :mod:`runstate._tables.jsonstream` begins the problem of a value over the size limit."""


@attrs.define
class Item:
    """A normalized run with the line it came from and its original text (str, or the line's bytes).

    Not frozen: one is made per record, and a frozen class's ``__init__`` costs a call per field.
    Nothing changes an item once made (``attrs.evolve`` makes another).
    """

    line: int
    run: Run
    text: str | bytes
    page: int | None = None
    """For a run read from a JSON line as bytes: its position in the line, for a list page."""
    plain: bool = False
    """Whether the record was decoded by msgspec: JSON values only, every number finite."""
    warned: bool = False
    """Whether the record warned (it is counted as warned while it is not a failure)."""


@attrs.define
class Counts:
    read: int = 0
    written: int = 0
    failed: int = 0
    warned: int = 0
    internal: int = 0
    merged: int = 0
    """Records folded into another record's run (slices of one run, repeated rows)."""

    def summary(self) -> str:
        """The closing line: records done (written, failed or merged; one in flight at a signal is not)."""
        done = self.written + self.failed + self.merged
        merged = f", {self.merged} merged into other runs" if self.merged else ""
        counts = f"{self.written} written, {self.failed} failed, {self.warned} warned{merged}"
        return f"read {done} record(s): {counts}"


class RecordReader:
    """The runs of one input: each record either yields an :class:`Item` or goes to the dead letters.

    Iterate it; call :meth:`fail` for an item a later step (e.g. writing) could not handle, so it
    is still dead-lettered whole. :attr:`counts` holds read/written/failed/warned. ``provider`` may
    be :data:`AUTO`; ``namespace`` is given to every run as :func:`runstate.normalize` does, and a
    provider's ``combine`` step (slices of one run) is applied as :func:`runstate.normalize_many` does.
    """

    def __init__(
        self,
        provider: str,
        source: IO[str],
        dead_letters: DeadLetters,
        *,
        strict: bool = False,
        keep_raw: bool = True,
        fail_on_warning: bool = False,
        max_size: int = DEFAULT_MAX_SIZE,
        namespace: str | None = None,
    ) -> None:
        self.spec = None if provider == AUTO else REGISTRY.get(provider)
        self.detectors = _detectors() if self.spec is None else ()
        self.source = source
        self.dead_letters = dead_letters
        self.strict = strict
        self.keep_raw = keep_raw
        self.fail_on_warning = fail_on_warning
        self.max_size = max_size
        self.namespace = namespace
        self.counts = Counts()
        self.line = 0
        self.line_offset = 0  # lines read by the JSON Lines reader before it handed over
        self.warning: RunstateWarning | None = None  # --fail-on-warning: the current record's first
        self.record_warned = False  # the current record warned (and is counted in counts.warned)
        self.first_internal: str | None = None
        self.on_value: Callable[[], None] | None = None

    @property
    def provider(self) -> str:
        return AUTO if self.spec is None else self.spec.name

    # --- iteration ----------------------------------------------------------------------------

    def __iter__(self) -> Iterator[Item]:
        with warnings.catch_warnings():
            warnings.showwarning = self._show_warning
            warnings.simplefilter("always")
            items = self._items()
            if self.namespace is not None:
                items = self._in_namespace(items, self.namespace)
            combine = None if self.spec is None else self.spec.combine
            yield from items if combine is None else self._combined(items, combine)

    def _items(self) -> Iterator[Item]:
        binary = getattr(self.source, "binary", None)
        if self.spec is None or binary is None:
            yield from self.general(self.source)
            return
        lines = _LineReader(self, self.spec, binary)
        yield from lines.items()
        if lines.handoff is not None:
            yield from self.general(reopen_input(self.source, lines.handoff))

    def general(self, source: IO[str]) -> Iterator[Item]:
        """Any input shape, value by value (the reader of :mod:`runstate._tables.jsonstream`)."""
        offset = self.line_offset
        for value in iter_json_texts(source, max_size=self.max_size):
            if self.on_value is not None:
                self.on_value()
            if isinstance(value, BadValue):
                self.counts.read += 1
                if value.error.startswith(_OVERSIZED):
                    self._oversized(value.line + offset, value)
                    continue
                message = f"invalid JSON: {value.error}"
                self.fail_line(value.line + offset, "$", "InvalidJSON", message, value.text, value.rest)
                continue
            line, data, text = value
            self.line = line + offset
            yield from self.records(data, text)

    def records(self, data: Any, text: str | bytes, start: int = 0) -> Iterator[Item]:
        """The runs of one decoded value (a record or a list page), records before ``start`` skipped."""
        spec = self.spec or self._detected(data, text)
        if spec is None:
            return
        try:
            inner = spec.pages(data)
        except Exception as exc:  # a bug of a provider's page splitter: keep the value, exit 4  # noqa: BLE001
            self.counts.read += 1
            self.internal(self.line, exc, _as_str(text), spec.name)
            return
        ctx = spec.context(self.strict)
        for index, record in enumerate((data,) if inner is None else inner):
            if index < start:
                continue
            self.counts.read += 1
            record_text = text if inner is None else _record_text(record)
            prefix = "" if inner is None else f"[{index}]"
            self.warning, self.record_warned = None, False
            try:
                run = spec.build(record, ctx, self.keep_raw)
            except RunstateError as exc:
                self.fail_with(exc, _as_str(record_text), spec.name, prefix)
                continue
            except Exception as exc:  # a bug of ours: keep the record, tell, exit 4 at the end  # noqa: BLE001
                self.internal(self.line, exc, _as_str(record_text), spec.name)
                continue
            if self.warning is not None:
                self.fail_with(self.warning, _as_str(record_text), spec.name, prefix)
                continue
            yield Item(self.line, run, record_text, warned=self.record_warned)

    def _detected(self, data: Any, text: str | bytes) -> ProviderSpec | None:
        """``--provider auto``: the one provider whose ``detect`` claims the value, else a failure."""
        claims = [spec for spec in self.detectors if _claims(spec, data)]
        if len(claims) == 1:
            return claims[0]
        self.counts.read += 1
        if claims:
            problem = f"several providers claim this record: {', '.join(s.name for s in claims)}"
        else:
            problem = "no provider claims this record"
        self.fail_line(self.line, "$", "UnknownProviderError", f"{problem} (give --provider)", _as_str(text))
        return None

    def _in_namespace(self, items: Iterator[Item], namespace: str) -> Iterator[Item]:
        for item in items:
            spec = self.spec or REGISTRY.get(item.run.provider)
            self.warning, self.record_warned = None, item.warned
            try:
                run = with_namespace(item.run, namespace, spec.context(self.strict))
            except RunstateError as exc:
                self.fail_with(exc, self.source_of(item), spec.name, line=item.line)
                continue
            if self.warning is not None:
                self.fail_with(self.warning, self.source_of(item), spec.name, line=item.line)
                continue
            item.warned = self.record_warned
            yield item if run is item.run else attrs.evolve(item, run=run)

    def _combined(self, items: Iterator[Item], combine: CombineFunction) -> Iterator[Item]:
        """The provider's combine step (slices of one run merged), as ``normalize_many`` applies it.

        A merged run is reported at the line of the record that completed it; the records it
        absorbed count as merged. A warning of the combine step itself (a slice after its run's end,
        dropped) is that record's failure under ``--fail-on-warning``.
        """
        last: list[Item] = []
        counts = {"in": 0, "out": 0}

        def runs() -> Iterator[Run]:
            for item in items:
                last[:] = [item]
                counts["in"] += 1
                self.warning = None
                yield item.run
                if self.warning is not None:
                    self.fail_with(self.warning, self.source_of(item), item.run.provider, line=item.line)

        for run in combine(runs()):
            counts["out"] += 1
            yield attrs.evolve(last[0], run=run)
            self.counts.merged = max(counts["in"] - counts["out"], 0)
        self.counts.merged = max(counts["in"] - counts["out"], 0)

    # --- failures -----------------------------------------------------------------------------

    def source_of(self, item: Item) -> str:
        """An item's original text as str; for a record of a list page read as bytes, that record's."""
        if isinstance(item.text, str):
            return item.text
        if item.page is not None and self.spec is not None:
            try:
                inner = self.spec.pages(_lines.decode_json(item.text))
                if inner is not None:
                    return _record_text(list(inner)[item.page])
            except Exception:  # pragma: no cover - the line decoded before  # noqa: BLE001
                pass
        return _text_of(item.text)

    def fail(self, item: Item, exc: Exception) -> None:
        """Dead-letter an item that a later step could not write (e.g. nested too deep for output)."""
        self.record_warned = False  # a failure is not also counted as warned
        if item.warned:
            self.counts.warned -= 1
            item.warned = False
        if isinstance(exc, RunstateError):
            self.fail_with(exc, self.source_of(item), item.run.provider, line=item.line)
        else:
            self.internal(item.line, exc, self.source_of(item), item.run.provider)

    def fail_with(
        self, exc: RunstateError | RunstateWarning, text: str, provider: str, prefix: str = "", line: int = 0
    ) -> None:
        """A record's failure: its error (or, with ``--fail-on-warning``, its first warning)."""
        self.warning = None
        field = (
            prefix + str(getattr(exc, "field", "$")).removeprefix("$")
            if prefix
            else getattr(exc, "field", "$")
        )
        self.fail_line(line or self.line, field, type(exc).__name__, _problem(exc), text, None, provider)

    def internal(self, line: int, exc: Exception, text: str, provider: str | None = None) -> None:
        self.counts.internal += 1
        message = f"internal error: {type(exc).__name__}: {short_repr(str(exc))}"
        if self.first_internal is None:
            self.first_internal = f"line {line}: {message}"
        self.fail_line(line, "$", type(exc).__name__, message, text, None, provider)

    def _show_warning(self, message: Warning | str, category: type[Warning], *_: Any, **__: Any) -> None:
        if self.fail_on_warning and isinstance(message, RunstateWarning):
            if self.warning is None:  # the record fails with its first warning, once it is built
                self.warning = message
            return
        if not self.record_warned:
            self.record_warned = True
            self.counts.warned += 1
        say(f"runstate: line {self.line}: {category.__name__}: {message}")

    def fail_line(
        self,
        line: int,
        field: str,
        error_type: str,
        message: str,
        text: str,
        rest: Iterator[str] | None = None,
        provider: str | None = None,
    ) -> None:
        """Count and dead-letter the record of ``line`` (a warning it had is no longer counted)."""
        self.counts.failed += 1
        if self.record_warned:  # a failure is not also counted as warned
            self.counts.warned -= 1
            self.record_warned = False
        self.dead_letters.add(
            Failure(line, provider or self.provider, field, error_type, message, text, rest)
        )

    def _oversized(self, line: int, value: BadValue) -> None:
        """A record past ``--max-record-size``: reported by line and size, its text read to its end
        but not copied (``/dev/zero`` would fill the disk); its dead-letter line is left empty."""
        size = len(value.text) + sum(len(chunk) for chunk in value.rest or ())
        message = f"invalid JSON: record of {size} characters, larger than {self.max_size}; not copied"
        self.counts.failed += 1
        failure = Failure(line, self.provider, "$", "InvalidJSON", message, "", size=size)
        self.dead_letters.add(failure)

    def exit_code(self) -> int:
        """4 if a record met an internal error, else 1 if any failed, else 0."""
        if self.counts.internal:
            say(
                f"runstate: {self.counts.internal} record(s) met an internal error"
                f" (first: {self.first_internal})"
            )
            return EXIT_INTERNAL
        return EXIT_FAILED if self.counts.failed else EXIT_OK


def _detectors() -> tuple[ProviderSpec, ...]:
    """Every registered provider (installed plugins included) that can recognise its records."""
    with warnings.catch_warnings():  # a broken plugin is left out here; asking for it by name fails
        warnings.simplefilter("ignore", RunstateWarning)
        names = REGISTRY.names()
    return tuple(spec for spec in map(REGISTRY.get, names) if spec.detect is not None)


def _claims(spec: ProviderSpec, data: Any) -> bool:
    try:
        return spec.detect is not None and bool(spec.detect(data))
    except Exception:  # a detect that raises does not claim the record  # noqa: BLE001
        return False


def _text_of(line: bytes) -> str:
    return line.decode("utf-8", "surrogateescape")


def _as_str(text: str | bytes) -> str:
    return text if isinstance(text, str) else _text_of(text)


def _record_text(record: Any) -> str:
    """The text of one record of a list page (its own bytes are inside the page's)."""
    from .._core.serialize import escape_surrogates

    try:
        return escape_surrogates(json.dumps(record, ensure_ascii=False, default=str))
    except (ValueError, TypeError, RecursionError):
        return json.dumps(short_repr(record))


def _problem(exc: Exception | Warning) -> str:
    """The error without the provider and field the report names already."""
    if isinstance(exc, InvalidRecordError):
        return f"{exc.problem}: {short_repr(exc.value)}"
    if isinstance(exc, RunstateWarning):
        return f"{type(exc).__name__}: {exc}"
    return str(exc)


# --- JSON Lines -----------------------------------------------------------------------------------


class _HandoffError(Exception):
    """The JSON Lines reader met a line it does not read: the general reader goes on from there."""


class _LineReader:
    """JSON Lines through :func:`runstate.normalize_lines`' own loop, one line at a time.

    ``_lines.line_runs`` is that loop before its combine step (the reader combines items itself). Its
    failures arrive through ``on_error`` while their line is the current one. A line it cannot read
    as one value (the value goes on past the line end, or several values share it), a line over the
    size limit and a top-level array hand the rest of the input to the general reader. A record whose
    build raised what ``normalize_lines`` lets through (an internal error) is read again by
    :meth:`RecordReader.records`, which reports it per record, and the loop goes on at the next line.
    """

    def __init__(self, reader: RecordReader, spec: ProviderSpec, binary: IO[bytes]) -> None:
        self.reader = reader
        self.spec = spec
        self.binary = binary
        self.handoff: bytes | None = None
        self.done = 0  # records of the current line handed on (runs yielded or failures reported)
        self.line = b""
        # msgspec first when installed; a line it refuses goes to the json path, and is not plain
        self._decode = _lines.FAST_DECODE or _lines.decode_json
        self._fast = _lines.FAST_DECODE is not None
        self.plain = False  # the current line was decoded by msgspec
        self.array: bytes | None = None  # a later line holding an array, read by _array_items
        self.started = False  # a value was read: an array from now on is not the input's first

    def _refused(self) -> None:
        self.plain = False

    def items(self) -> Iterator[Item]:
        """Items until the end of input or a hand-off (then :attr:`handoff` holds the line's bytes)."""
        reader, lines, counts = self.reader, self._lines(), self.reader.counts
        while True:
            runs = _lines.line_runs(
                self.spec, lines, reader.strict, reader.keep_raw, self._on_error, self._decode, self._refused
            )
            try:
                for run in runs:
                    counts.read += 1
                    page, self.done = self.done, self.done + 1
                    item = Item(reader.line, run, self.line, page, self.plain, reader.record_warned)
                    reader.record_warned = False
                    if reader.warning is not None:  # --fail-on-warning: the record fails
                        prefix = f"[{page}]" if self._is_page() else ""
                        reader.fail_with(reader.warning, reader.source_of(item), run.provider, prefix)
                        continue
                    yield item
            except _HandoffError:
                return
            except READ_ERRORS as exc:  # from readline: the input, not a record
                raise read_error(getattr(self.reader.source, "name", "input"), exc) from None
            except Exception:  # a bug of a build: the line again, record by record, reports it  # noqa: BLE001
                reader.warning = None
                yield from reader.records(_lines.decode_json(self.line), self.line, self.done)
            else:
                if self.array is None:
                    return
                array, self.array = self.array, None
                try:
                    yield from self._array_items(array)
                except _HandoffError:
                    return
                lines = self._lines()

    def _array_items(self, line: bytes) -> Iterator[Item]:
        """A JSON array on a line after the first: its elements are the records (or list pages), each
        read with its own text by the general reader, so a bad element is one failure and the
        records after it are read. One that goes on past the line end (pretty-printed) hands the
        rest of the input to the general reader."""
        reader = self.reader
        try:
            _lines.decode_json(line)
        except (ValueError, RecursionError) as exc:
            if _continues(exc):
                reader.line -= 1
                self._hand_off(line + b"\n")
        offset, reader.line_offset = reader.line_offset, reader.line - 1
        try:
            yield from reader.general(io.StringIO(_text_of(line), newline=""))
        finally:
            reader.line_offset = offset

    def _is_page(self) -> bool:
        """Whether the current line is a list page (asked only for a failure, so decoded again)."""
        try:
            return self.spec.pages(_lines.decode_json(self.line)) is not None
        except Exception:  # pragma: no cover - the line decoded a moment ago  # noqa: BLE001
            return False

    def _lines(self) -> Iterator[bytes]:
        reader, limit = self.reader, self.reader.max_size
        readline, on_value, fast = self.binary.readline, reader.on_value, self._fast
        started = self.started
        while line := readline(limit + 1):
            if not started:  # before the first value: a byte order mark, a top-level array
                if reader.line == 0 and line.startswith(b"\xef\xbb\xbf"):
                    line = line[3:]
                head = line.lstrip(b" \t\r\n")
                started = self.started = bool(head)
                if head.startswith(b"["):
                    self._hand_off(line)
            if line[-1:] == b"\n":
                line = line[:-1]
            elif len(line) > limit:  # maybe over the limit: the general reader streams it
                self._hand_off(line)
            reader.line += 1
            reader.warning, reader.record_warned = None, False
            self.line, self.done, self.plain = line, 0, fast
            if started and (line[:1] == b"[" or (line[:1] in _SPACE and line.lstrip(_SPACE)[:1] == b"[")):
                self.array = line  # an array on a later line: read as an array (see _array_items)
                return
            if on_value is not None:
                on_value()
            # as many brackets and braces as deep, at least: one pass, and _depth's only for the rare line
            if len(line.translate(None, _NOT_OPENING)) > MAX_NESTING and _depth(_text_of(line)) > MAX_NESTING:
                reader.counts.read += 1
                reader.fail_line(
                    reader.line, "$", "InvalidJSON", f"invalid JSON: {_TOO_DEEP}", _text_of(line)
                )
                continue
            yield line

    def _hand_off(self, head: bytes) -> None:
        """Give ``head`` (the current line, from its start) and the rest to the general reader."""
        self.handoff = head
        self.reader.line_offset = self.reader.line
        raise _HandoffError

    def _on_error(self, failure: LineFailure) -> None:
        reader, error = self.reader, failure.error
        page, self.done = self.done, self.done + 1
        if isinstance(error, InvalidRecordError) and error.field.startswith("<line "):  # not JSON?
            if _continues(error.__cause__):
                reader.line -= 1
                self._hand_off(self.line + b"\n")
            reader.counts.read += 1
            reader.fail_line(reader.line, "$", "InvalidJSON", _json_problem(error), _text_of(self.line))
            return
        reader.counts.read += 1
        if failure.page_index is None:
            reader.fail_with(error, _text_of(self.line), self.spec.name)
        else:
            reader.fail_with(error, _record_text(failure.record), self.spec.name, f"[{page}]")


_SPACE: Final = b" \t\r"
"""JSON's whitespace before a value on a line (RFC 8259 section 2; the line feed ends the line)."""
_NOT_OPENING: Final = bytes(range(256)).translate(None, b"[{")
"""Every byte but ``[`` and ``{``: deleting them leaves a line's openers, counted in one pass."""


def _continues(cause: BaseException | None) -> bool:
    """Whether a line json refused may be JSON of another shape: a value that goes on past the end
    of the line (a pretty-printed document), or several values on one line."""
    if not isinstance(cause, json.JSONDecodeError):
        return False
    return cause.msg == "Extra data" or cause.pos >= len(cause.doc.rstrip(" \t\r\n"))


def _json_problem(error: InvalidRecordError) -> str:
    """The general reader's words for a line that is not JSON (json's message, without position)."""
    cause = error.__cause__
    if isinstance(cause, json.JSONDecodeError):
        return f"invalid JSON: {cause.msg}"
    if isinstance(cause, UnicodeDecodeError):
        return "invalid JSON: not valid UTF-8"
    if isinstance(cause, RecursionError):
        return f"invalid JSON: {_TOO_DEEP}"
    return error.problem
