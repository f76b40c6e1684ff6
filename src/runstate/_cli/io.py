"""The command line's input, output and exit machinery, shared by every subcommand.

Exit codes: 0 every record normalized, 1 some records failed (each in the dead letters), 2 usage,
3 an I/O error (input unreadable, output unwritable), 4 an internal error, 130/143 interrupted by
SIGINT/SIGTERM. A subcommand runs inside :func:`run_command`, reads with
:class:`runstate._cli.read.RecordReader` (failures go to :class:`DeadLetters`) and writes through
:class:`SafeOutput`: every line it writes is whole, an I/O error is one line on stderr, and a
signal stops the run between two lines.
"""

from __future__ import annotations

import codecs
import gzip
import io
import json
import os
import re
import signal
import sys
import zlib
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager, suppress
from importlib import resources
from types import FrameType
from typing import IO, Final, cast

import attrs

from .._core.errors import ProviderSpecError, UnknownProviderError, short_repr

__all__ = [
    "EXIT_FAILED",
    "EXIT_INTERNAL",
    "EXIT_IO",
    "EXIT_OK",
    "EXIT_USAGE",
    "CliError",
    "DeadLetters",
    "Failure",
    "Interrupted",
    "SafeOutput",
    "open_input",
    "open_output",
    "printable",
    "READ_ERRORS",
    "read_error",
    "reopen_input",
    "run_command",
    "say",
]

EXIT_OK: Final = 0
EXIT_FAILED: Final = 1
EXIT_USAGE: Final = 2
EXIT_IO: Final = 3
EXIT_INTERNAL: Final = 4
_EXIT_SIGNAL: Final = {signal.SIGINT: 130, signal.SIGTERM: 143}


class CliError(Exception):
    """A one-line error for stderr with its exit code (2 usage, 3 I/O)."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


def usage_error(message: str) -> CliError:
    return CliError(message, EXIT_USAGE)


READ_ERRORS: Final = (OSError, EOFError, zlib.error)
"""What reading an input raises: the system's errors, and a damaged gzip file's (EOFError, zlib.error)."""


def read_error(name: str, exc: BaseException) -> CliError:
    """The I/O error (exit 3) of an input that could not be read."""
    return _io_error("read", name, exc if isinstance(exc, OSError) else f"damaged gzip data ({exc})")


def _io_error(verb: str, name: str, exc: OSError | str) -> CliError:
    reason = exc if isinstance(exc, str) else (exc.strerror or str(exc))
    return CliError(f"cannot {verb} {name}: {reason}", EXIT_IO)


class Interrupted(BaseException):
    """SIGINT or SIGTERM arrived: the run stops between two writes."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


class _Signals:
    """SIGINT/SIGTERM stop the run, but never inside a write: a pending signal waits for its end."""

    def __init__(self) -> None:
        self.depth = 0
        self.pending: int | None = None

    def handler(self, signum: int, _frame: FrameType | None) -> None:
        if self.depth:
            self.pending = signum
        else:
            raise Interrupted(signum)

    @contextmanager
    def critical(self) -> Iterator[None]:
        self.depth += 1
        try:
            yield
        finally:
            self.depth -= 1
        if not self.depth and self.pending is not None:
            raise Interrupted(self.pending)


SIGNALS: Final = _Signals()


class SafeOutput:
    """A text output whose writes are whole lines, and whose errors become :class:`CliError` (exit 3)."""

    def __init__(self, name: str, stream: IO[str]) -> None:
        self.name = name
        self.stream = stream
        self.broken = False

    def write(self, text: str) -> None:
        with SIGNALS.critical():
            try:
                self.stream.write(text)
            except OSError as exc:
                raise self.failed(exc) from None

    def flush(self) -> None:
        with SIGNALS.critical():
            try:
                self.stream.flush()
            except OSError as exc:
                raise self.failed(exc) from None

    def failed(self, exc: OSError) -> Exception:
        """The error to raise for ``exc`` (a broken pipe as itself), the output marked broken."""
        self.broken = True
        if isinstance(exc, BrokenPipeError):
            return exc
        return _io_error("write", self.name, exc)


def open_output(path: str | None, stack: ExitStack) -> SafeOutput:
    """``path`` (or standard output for None / ``-``) as a UTF-8 :class:`SafeOutput`, closed by ``stack``."""
    if path is None or path == "-":
        if sys.stdout is None:
            raise _io_error("write", "standard output", "it is closed")
        out = SafeOutput("standard output", _stdout())
        stack.callback(out.flush)
        return out
    try:
        # the path as the command line gave it (OSError names it so); closed by the stack
        stream = open(path, "w", encoding="utf-8", newline="")  # noqa: SIM115, PTH123
    except OSError as exc:
        raise _io_error("write", path, exc) from None
    out = SafeOutput(path, stream)
    stack.callback(_close, out)
    return out


def _stdout() -> IO[str]:
    stream = sys.stdout
    if hasattr(stream, "reconfigure"):
        stream.reconfigure(encoding="utf-8", errors="strict")
    return stream


def _close(out: SafeOutput) -> None:
    with SIGNALS.critical():
        try:
            out.stream.close()
        except OSError as exc:
            raise out.failed(exc) from None


class _Input(io.TextIOBase):
    """A UTF-8 input that hands over what has arrived (a pipe's records are read as they come).

    Read errors become :class:`CliError` (exit 3); a byte order mark is skipped, undecodable bytes
    are kept as surrogates and line ends are not translated.
    """

    def __init__(self, name: str, binary: IO[bytes] | None = None, text: IO[str] | None = None) -> None:
        self.name = name
        self.binary = binary
        self.text = text
        self.decoder = codecs.getincrementaldecoder("utf-8-sig")(errors="surrogateescape")

    def read(self, size: int | None = -1) -> str:
        try:
            if self.binary is None:
                return self.text.read(-1 if size is None else size) if self.text is not None else ""
            while True:
                read1 = getattr(self.binary, "read1", self.binary.read)
                data = read1(size if size and size > 0 else 1 << 16)
                chunk: str = self.decoder.decode(data, final=not data)
                if chunk or not data:
                    return chunk
        except READ_ERRORS as exc:
            raise read_error(self.name, exc) from None


def open_input(path: str | None, stack: ExitStack, example: str | None = None) -> tuple[IO[str], int | None]:
    """An input (a file, ``-`` or None for standard input, or a provider's bundled example) and its size.

    Read as UTF-8 with a byte order mark skipped, undecodable bytes kept as surrogates (so the reader
    reports them per line) and no newline translation (so a bare CR does not shift line numbers).
    """
    if example is not None:
        if path is not None:
            raise usage_error("give a file or --example, not both")
        ref = resources.files("runstate").joinpath("examples", f"{example}.jsonl")
        if not ref.is_file():
            raise usage_error(f"no bundled example for provider {example!r}")
        return cast(IO[str], _Input(f"the {example} example", stack.enter_context(ref.open("rb")))), None
    if path is None or path == "-":
        if sys.stdin is None:
            raise _io_error("read", "standard input", "it is closed")
        buffer = getattr(sys.stdin, "buffer", None)
        if buffer is None:  # a text stream put in place of stdin
            return cast(IO[str], _Input("standard input", text=sys.stdin)), None
        return cast(IO[str], _Input("standard input", buffer)), None
    try:
        # the path as the command line gave it (OSError names it so); closed by the stack
        binary = stack.enter_context(open(path, "rb"))  # noqa: SIM115, PTH123
        size = os.fstat(binary.fileno()).st_size
        head = binary.peek(2)[:2]
    except OSError as exc:
        raise _io_error("read", path, exc) from None
    if head == _GZIP_MAGIC:  # runs.jsonl.gz, as exports and archives arrive: read through
        return cast(IO[str], _Input(path, cast(IO[bytes], gzip.GzipFile(fileobj=binary)))), None
    if head in _UTF16_BOMS:
        raise _io_error("read", path, "it is UTF-16 text (a byte order mark says so); runstate reads UTF-8")
    return cast(IO[str], _Input(path, binary)), size


_GZIP_MAGIC: Final = b"\x1f\x8b"
"""The first two bytes of a gzip file (RFC 1952 section 2.3.1)."""
_UTF16_BOMS: Final = (b"\xff\xfe", b"\xfe\xff")
"""What Windows PowerShell 5's ``>`` writes first: UTF-16, which would read as invalid UTF-8 lines."""


def reopen_input(source: IO[str], head: bytes) -> IO[str]:
    """The rest of an input whose bytes were read up to ``head``'s end, with ``head`` put back first."""
    binary = getattr(source, "binary", None)
    rest = cast(IO[bytes], _Chained(head, binary))
    return cast(IO[str], _Input(getattr(source, "name", "input"), rest))


class _Chained(io.RawIOBase):
    """Bytes already read, then the rest of a binary stream."""

    def __init__(self, head: bytes, rest: IO[bytes] | None) -> None:
        self.head = head
        self.rest = rest

    def readable(self) -> bool:
        return True

    def read1(self, size: int = -1) -> bytes:
        if self.head:
            head, self.head = self.head, b""
            return head
        if self.rest is None:
            return b""
        read1 = getattr(self.rest, "read1", self.rest.read)
        data: bytes = read1(size if size and size > 0 else 1 << 16)
        return data

    def read(self, size: int = -1) -> bytes:
        return self.read1(size)


def one_line(text: str) -> str:
    """A JSON text on one line: line breaks between tokens become spaces (JSON strings hold none)."""
    return text.replace("\r\n", " ").replace("\n", " ") if "\n" in text else text


@attrs.frozen
class Failure:
    """One failed record: where it was, why, and its original text."""

    line: int
    provider: str
    field: str
    error_type: str
    message: str
    text: str
    rest: Iterator[str] | None = attrs.field(default=None, eq=False, repr=False)
    """The remainder of an oversized record's text, streamed so it is never whole in memory."""
    size: int | None = None
    """For a record over the size limit (not copied): its size in characters."""


class DeadLetters:
    """Failed records: each one's original text as a line of ``FILE``, its diagnostics in ``FILE.why.jsonl``.

    Running the same command on ``FILE`` re-reads exactly the failed records. Without a file, each
    failure is one line on stderr.
    """

    def __init__(self, path: str | None, stack: ExitStack) -> None:
        self.path = path
        self.letters: SafeOutput | None = None
        self.why: SafeOutput | None = None
        if path is not None:
            self.letters = _open_letters(path, stack)
            self.why = open_output(f"{path}.why.jsonl", stack)

    def flush(self) -> None:
        for out in (self.letters, self.why):
            if out is not None:
                out.flush()

    def add(self, failure: Failure) -> None:
        if self.letters is None or self.why is None:
            where = f"line {failure.line}: {failure.provider}: {failure.field}"
            _stderr(f"runstate: {where}: {failure.message}")
            return
        letters = self.letters
        diagnostics = {
            "line": failure.line,
            "provider": failure.provider,
            "field": failure.field,
            "error_type": failure.error_type,
            "error": failure.message,
        }
        if failure.size is not None:
            diagnostics["size"] = failure.size
        with SIGNALS.critical():  # both lines or neither, so the two files stay aligned
            letters.write(one_line(failure.text))
            for chunk in failure.rest or ():
                letters.write(chunk)
            letters.write("\n")
            self.why.write(json.dumps(diagnostics) + "\n")


def _open_letters(path: str, stack: ExitStack) -> SafeOutput:
    try:  # surrogateescape writes undecodable input bytes back as they were
        # the path as the command line gave it (OSError names it so); closed by the stack
        stream = open(path, "w", encoding="utf-8", errors="surrogateescape", newline="")  # noqa: SIM115, PTH123
    except OSError as exc:
        raise _io_error("write", path, exc) from None
    out = SafeOutput(path, stream)
    stack.callback(_close, out)
    return out


_UNPRINTABLE: Final = re.compile(
    "[\x00-\x1f\x7f-\x9f\ud800-\udfff\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)
"""C0 and C1 controls (ESC, BEL, CR, ...), DEL, lone surrogates, line separators and the bidirectional
marks and overrides (Unicode UAX #9): what would steer a terminal or reorder what it shows."""


def printable(text: str) -> str:
    """Record text safe for a terminal: each character of :data:`_UNPRINTABLE` as a ``\\xNN`` or
    ``\\uXXXX`` escape, so a record cannot move the cursor, retitle the window (OSC) or fake a line."""
    if text.isascii() and text.isprintable():
        return text
    return _UNPRINTABLE.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def say(line: str) -> None:
    """One line on stderr; silently nothing if stderr is closed or full (nowhere left to say it)."""
    _stderr(line)


def _stderr(line: str) -> None:
    with suppress(OSError, ValueError, AttributeError):  # stderr closed or full: nowhere left to say it
        print(printable(line), file=sys.stderr, flush=True)


def run_command(command: Callable[[], int], progress: Callable[[], str] | None = None) -> int:
    """Run a subcommand with the exit-code contract: one-line errors, quiet signals, no traceback.

    ``progress`` says how far the run got, for the note printed when a signal stops it.
    """
    if sys.stderr is None:
        sys.stderr = open(os.devnull, "w")  # noqa: SIM115, PTH123 - lives as long as the process
    previous = {s: signal.signal(s, SIGNALS.handler) for s in _EXIT_SIGNAL}
    try:
        return command()
    except Interrupted as stop:
        name = signal.Signals(stop.signum).name
        _stderr(f"runstate: interrupted by {name}" + (f" after {progress()}" if progress else ""))
        _silence_stdout()
        return _EXIT_SIGNAL[signal.Signals(stop.signum)]
    except UnknownProviderError as exc:
        _stderr(f"runstate: {exc}")
        return EXIT_USAGE
    except ProviderSpecError as exc:  # a broken plugin: one line, its problems joined
        _stderr(f"runstate: provider {exc.provider!r} is broken: {'; '.join(exc.problems)}")
        return EXIT_USAGE
    except CliError as exc:
        _stderr(f"runstate: {exc}")
        if exc.code == EXIT_IO:
            _silence_stdout()
        return exc.code
    except BrokenPipeError:  # e.g. piped into head: the reader chose to stop
        _silence_stdout()
        return EXIT_OK
    except Exception as exc:  # noqa: BLE001 - the last resort: no traceback, exit 4
        _stderr(f"runstate: internal error: {type(exc).__name__}: {short_repr(str(exc))} (please report it)")
        _silence_stdout()
        return EXIT_INTERNAL
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _silence_stdout() -> None:
    """Point standard output at /dev/null, so the interpreter's last flush cannot fail or print."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass
