"""Reading JSON values one at a time from a text stream, in bounded memory.

One reader for every input shape the command line accepts: a single JSON document, JSON Lines,
concatenated JSON values, and arrays (whose elements are yielded one by one, wherever the array
stands: first, or on any later line). Each value
comes with the line it starts on (lines end at ``\\n`` only, so open the stream with ``newline=""``).
A malformed value is yielded as a :class:`BadValue` holding its whole text, and reading resumes right
after it: at the next line, or for an array element at the next element, so one bad value never
hides the good ones after it. Values nested deeper than :data:`~runstate._core.errors.MAX_NESTING` or
larger than ``max_size`` characters are bad values too, found while reading (never a
``RecursionError`` or ``MemoryError``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from itertools import accumulate
from typing import IO, Any, Final

import attrs

from .._core.errors import MAX_NESTING

__all__ = ["DEFAULT_MAX_SIZE", "BadValue", "iter_json_texts", "iter_json_values"]

_CHUNK = 1 << 16
DEFAULT_MAX_SIZE: Final = 64 << 20
"""The largest record the reader takes by default: 64 MiB (of text); larger ones are bad values."""

# text read with errors="surrogateescape" keeps undecodable bytes as lone surrogates
_UNDECODABLE = re.compile("[\udc80-\udcff]")
_SPACE = " \t\r\n"
_STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"')
_TOKEN = re.compile(r'"(?:[^"\\\n]|\\.)*"|[\[\]{},]')
_BRACKET_STEP = str.maketrans({"[": "1", "{": "1", "]": "2", "}": "2"})


@attrs.frozen
class BadValue:
    """Text that is not a usable JSON value, with where it was and why.

    ``text`` is the value's whole text, except for one larger than the size limit: then ``rest``
    yields the remaining text (drain it before reading on, or it is skipped unseen).
    """

    line: int
    text: str
    error: str
    rest: Iterator[str] | None = attrs.field(default=None, eq=False, repr=False)


def _depth(text: str) -> int:
    """How deep brackets nest in JSON text (strings ignored), without parsing it."""
    brackets = _STRING.sub("", text).translate(_BRACKET_STEP)
    steps = (1 if c == "1" else -1 for c in brackets if c in "12")
    return max(accumulate(steps, initial=0))


class _Buffer:
    """A sliding window over the stream that counts the lines it drops."""

    def __init__(self, stream: IO[str], max_size: int) -> None:
        self.stream = stream
        self.max_size = max_size
        self.text = ""
        self.pos = 0
        self.line = 1  # line number of self.pos
        self.eof = False
        self.constant: str | None = None
        self.last_text = ""  # the text of the value decode() returned last
        self.decoder = json.JSONDecoder(parse_constant=self._constant)

    def _constant(self, name: str) -> None:
        # NaN and Infinity are not JSON: noted, so the value is refused with its exact extent
        if self.constant is None:
            self.constant = name

    def fill(self, at_least: int = _CHUNK) -> bool:
        """Read more text (at least ``at_least`` characters if the stream has them)."""
        if self.eof:
            return False
        chunk = self.stream.read(max(at_least, _CHUNK))
        if not chunk:
            self.eof = True
            return False
        self.text = self.text[self.pos :] + chunk
        self.pos = 0
        return True

    def skip_space(self) -> str | None:
        """Advance past whitespace; the next character, or None at the end."""
        while True:
            text, pos = self.text, self.pos
            while pos < len(text) and text[pos] in _SPACE:
                if text[pos] == "\n":
                    self.line += 1
                pos += 1
            self.pos = pos
            if pos < len(text):
                return text[pos]
            if not self.fill():
                return None

    def advance(self, end: int) -> None:
        self.line += self.text.count("\n", self.pos, end)
        self.pos = end

    def _grow(self) -> bool:
        """Read more of the current value, unless it is already over the size limit."""
        if len(self.text) - self.pos > self.max_size:
            return False
        return self.fill(min(len(self.text) - self.pos, self.max_size + 1))

    def decode(self, *, in_array: bool = False) -> tuple[int, Any] | BadValue:
        """Decode one value at the current position, reading more text while it is incomplete.

        A value is only called bad once the error lies before a line break (JSON never breaks a
        line inside a token) or the stream has ended. Each retry at least doubles the buffer, so a
        large document is parsed a bounded number of times, not once per chunk.
        """
        start_line = self.line
        while True:
            self.constant = None
            try:
                value, end = self.decoder.raw_decode(self.text, self.pos)
            except json.JSONDecodeError as exc:
                complete_line = self.text.find("\n", exc.pos) >= 0
                if not complete_line and self._grow():
                    continue
                if not complete_line and not self.eof:
                    return self._oversized(start_line)
                return self._bad_element(start_line, exc.msg) if in_array else self._bad(start_line, exc.msg)
            except RecursionError:  # nesting deeper than the interpreter allows: hostile input
                return (
                    self._bad_element(start_line, _TOO_DEEP) if in_array else self._bad(start_line, _TOO_DEEP)
                )
            # a number at the very end of the buffer may continue in the next chunk
            if end == len(self.text) and not self.eof and self._grow():
                continue
            problem = self._problem(end)
            if problem is not None:
                return self._refuse(start_line, end, problem)
            self.last_text = self.text[self.pos : end]
            self.advance(end)
            return start_line, value

    def _problem(self, end: int) -> str | None:
        """Why a value that parsed is still refused, or None."""
        text, pos = self.text, self.pos
        if end - pos > self.max_size:
            return f"record larger than {self.max_size} characters"
        if self.constant is not None:
            return f"{self.constant} is not a JSON number"
        if _UNDECODABLE.search(text, pos, end) is not None:
            return "not valid UTF-8"
        # depth is at most the number of brackets: only a value with many is measured
        brackets = text.count("[", pos, end) + text.count("{", pos, end)
        if brackets > MAX_NESTING and _depth(text[pos:end]) > MAX_NESTING:
            return _TOO_DEEP
        return None

    def _refuse(self, line: int, end: int, problem: str) -> BadValue:
        bad = BadValue(line, self.text[self.pos : end], problem)
        self.advance(end)
        return bad

    def _element_end(self) -> int | None:
        """The end of an array element by its brackets and commas (strings skipped), or None."""
        while True:
            depth = 0
            for match in _TOKEN.finditer(self.text, self.pos):
                token = match.group()
                if token in "[{":
                    depth += 1
                elif token in "]}":
                    if depth == 0:
                        return match.start()
                    depth -= 1
                    if depth == 0:
                        return match.end()
                elif token == "," and depth == 0:
                    return match.start()
            if not self._grow():
                return None

    def _bad_element(self, line: int, message: str) -> BadValue:
        """An array element that does not parse: skip just it, so the next elements are read."""
        end = self._element_end()
        if end is None or end <= self.pos:
            return self._bad(line, message)
        return self._refuse(line, end, message)

    def _bad(self, line: int, message: str) -> BadValue:
        """Skip to the end of the current line and describe what was skipped."""
        while (newline := self.text.find("\n", self.pos)) < 0 and self._grow():
            pass
        if newline < 0 and not self.eof:
            return self._oversized(line)
        end = len(self.text) if newline < 0 else newline
        return self._refuse(line, end, message)

    def _oversized(self, line: int) -> BadValue:
        """A value or line over the size limit: its text so far, and the rest up to the next line."""
        problem = f"record larger than {self.max_size} characters"
        newline = self.text.find("\n", self.pos)
        if newline >= 0:  # the whole line is already read
            return self._refuse(line, newline, problem)
        head = self.text[self.pos :]
        self.text, self.pos = "", 0
        return BadValue(line, head, problem, self._rest_of_line())

    def _rest_of_line(self) -> Iterator[str]:
        while True:
            newline = self.text.find("\n", self.pos)
            if newline >= 0:
                yield self.text[self.pos : newline]
                self.pos = newline
                return
            if self.pos < len(self.text):
                yield self.text[self.pos :]
            self.text, self.pos = "", 0
            if not self.fill():
                return


_TOO_DEEP: Final = f"nested more than {MAX_NESTING} levels deep"


def iter_json_values(
    stream: IO[str], *, split_arrays: bool = True, max_size: int = DEFAULT_MAX_SIZE
) -> Iterator[tuple[int, Any] | BadValue]:
    """Yield ``(line, value)`` for each JSON value in ``stream`` (array elements one by one)."""
    return _iterate(_Buffer(stream, max_size), split_arrays)


def iter_json_texts(
    stream: IO[str], *, split_arrays: bool = True, max_size: int = DEFAULT_MAX_SIZE
) -> Iterator[tuple[int, Any, str] | BadValue]:
    """Like :func:`iter_json_values`, with each value's own text: ``(line, value, text)``."""
    buf = _Buffer(stream, max_size)
    for item in _iterate(buf, split_arrays):
        yield item if isinstance(item, BadValue) else (item[0], item[1], buf.last_text)


def _iterate(buf: _Buffer, split_arrays: bool) -> Iterator[tuple[int, Any] | BadValue]:
    first = buf.skip_space()
    if first == "\ufeff":  # a UTF-8 byte order mark read as text: not part of the data
        buf.pos += 1
        first = buf.skip_space()
    while (char := buf.skip_space()) is not None:
        if char == "[" and split_arrays:  # an array wherever it stands: its elements are the values
            yield from _drained(_array_elements(buf))
        else:
            yield from _drained(iter((buf.decode(),)))


def _drained(items: Iterator[tuple[int, Any] | BadValue]) -> Iterator[tuple[int, Any] | BadValue]:
    """Pass values on; skip what the consumer left of an oversized value before reading on."""
    for item in items:
        yield item
        if isinstance(item, BadValue) and item.rest is not None:
            for _ in item.rest:
                pass


def _array_elements(buf: _Buffer) -> Iterator[tuple[int, Any] | BadValue]:
    buf.advance(buf.pos + 1)  # the "["
    expect_value = True
    while (char := buf.skip_space()) is not None:
        if char == "]":
            buf.advance(buf.pos + 1)
            return
        if char == "," and not expect_value:
            buf.advance(buf.pos + 1)
            expect_value = True
            continue
        item = buf.decode(in_array=True)
        yield item
        expect_value = False
    yield BadValue(buf.line, "", "unterminated array")
