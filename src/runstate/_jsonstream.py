"""Reading JSON values one at a time from a text stream, in constant memory.

One reader for every input shape the command line accepts: a single JSON document, JSON Lines,
concatenated JSON values, and a top-level array (whose elements are yielded one by one). Each value
comes with the line it starts on; a malformed value is yielded as a :class:`BadValue` and reading
resumes at the next line, so one bad line never hides the good ones after it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import IO, Any

import attrs

__all__ = ["BadValue", "iter_json_values"]

_CHUNK = 1 << 16


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


# NaN and Infinity are not JSON: Python's json accepts them, strict consumers of our output do not
_DECODER = json.JSONDecoder(parse_constant=_no_constants)
# text read with errors="surrogateescape" keeps undecodable bytes as lone surrogates
_UNDECODABLE = re.compile("[\udc80-\udcff]")
_SPACE = " \t\r\n"


@attrs.frozen
class BadValue:
    """Text that is not valid JSON, with where it was and why."""

    line: int
    text: str
    error: str


class _Buffer:
    """A sliding window over the stream that counts the lines it drops."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream
        self.text = ""
        self.pos = 0
        self.line = 1  # line number of self.pos
        self.eof = False

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

    def decode(self) -> tuple[int, Any] | BadValue:
        """Decode one value at the current position, reading more text while it is incomplete.

        A value is only called bad once the error lies before a line break (JSON never breaks a
        line inside a token) or the stream has ended. Each retry at least doubles the buffer, so a
        large document is parsed a bounded number of times, not once per chunk.
        """
        start_line = self.line
        while True:
            try:
                value, end = _DECODER.raw_decode(self.text, self.pos)
            except json.JSONDecodeError as exc:
                complete_line = self.text.find("\n", exc.pos) >= 0
                if not complete_line and self.fill(len(self.text) - self.pos):
                    continue
                return self._bad(start_line, exc.msg)
            except RecursionError:  # nesting deeper than the interpreter allows: hostile input
                return self._bad(start_line, "nested too deeply")
            except ValueError as exc:  # NaN / Infinity
                return self._bad(start_line, str(exc))
            if _UNDECODABLE.search(self.text, self.pos, end) is not None:
                return self._bad(start_line, "not valid UTF-8")
            # a number at the very end of the buffer may continue in the next chunk
            if end == len(self.text) and not self.eof and self.fill(len(self.text) - self.pos):
                continue
            self.advance(end)
            return start_line, value

    def _bad(self, line: int, message: str) -> BadValue:
        """Skip to the end of the current line and describe what was skipped."""
        while (newline := self.text.find("\n", self.pos)) < 0 and self.fill():
            pass
        end = len(self.text) if newline < 0 else newline
        bad = self.text[self.pos : end]
        self.pos = end
        return BadValue(line, bad[:200], message)


def iter_json_values(stream: IO[str], *, split_arrays: bool = True) -> Iterator[tuple[int, Any] | BadValue]:
    """Yield ``(line, value)`` for each JSON value in ``stream`` (array elements one by one)."""
    buf = _Buffer(stream)
    first = buf.skip_space()
    if first == "[" and split_arrays:
        yield from _array_elements(buf)
        return
    while buf.skip_space() is not None:
        yield buf.decode()


def _array_elements(buf: _Buffer) -> Iterator[tuple[int, Any] | BadValue]:
    buf.advance(buf.pos + 1)  # the "["
    expect_value = True
    while (char := buf.skip_space()) is not None:
        if char == "]":
            buf.advance(buf.pos + 1)
            rest = buf.skip_space()
            if rest is not None:
                yield buf._bad(buf.line, "extra data after the array")
            return
        if char == "," and not expect_value:
            buf.advance(buf.pos + 1)
            expect_value = True
            continue
        item = buf.decode()
        yield item
        expect_value = False
    yield BadValue(buf.line, "", "unterminated array")
