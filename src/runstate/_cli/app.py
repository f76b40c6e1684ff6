"""The ``runstate`` command line: normalize run history, summarize it, export it, draw the graph.

Exit status: 0 every record normalized, 1 some records failed (each in the dead letters), 2 usage,
3 an I/O error (input unreadable, output unwritable), 4 an internal error, 130/143 interrupted.
The reading, writing and exit machinery lives in :mod:`runstate._cli.io` and
:mod:`runstate._cli.read`; ``docs/cli.md`` is the reference.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import re
import stat
import sys
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, suppress
from datetime import UTC, datetime, timedelta
from importlib import metadata
from pathlib import Path
from typing import IO, Final, NoReturn, cast

from .._core.errors import RunstateError, RunstateWarning
from .._core.model import Run
from .._history.summarize import Summary, summarize
from .._kit.native_graph import provider_graph
from .._kit.registry import REGISTRY
from .._kit.schema import run_schema, schema_text
from .._tables.jsonstream import DEFAULT_MAX_SIZE
from . import sql as _cli_sql
from .export import ExportUsageError, add_export_arguments, run_export
from .io import EXIT_OK, DeadLetters, SafeOutput, open_input, open_output, printable, run_command, say
from .io import usage_error as _usage
from .read import AUTO, RecordReader
from .write import write_runs, write_table_file

__all__ = ["main"]

_TABLE_FILES = ("parquet", "csv", "arrow")
"""``--format`` values written by :func:`runstate.arrow.write` to a file (``-o``)."""


def _size(text: str) -> int:
    """A size such as ``64MiB``, ``500k`` or ``1048576`` in characters (bytes for ASCII)."""
    match = re.fullmatch(r"\s*(\d+)\s*([kmg]?)(i?b)?\s*", text, re.IGNORECASE)
    if match is None or int(match[1]) == 0:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (e.g. 64MiB, 500k, 1048576)")
    return int(match[1]) << {"": 0, "k": 10, "m": 20, "g": 30}[match[2].lower()]


def _time(text: str) -> datetime:
    """An aware ISO 8601 time (``2026-03-01T10:00:00Z``), for ``--now``."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 time: {text!r}") from None
    if value.tzinfo is None:
        raise argparse.ArgumentTypeError(f"give a time with its offset (e.g. {text}Z): {text!r}")
    return value


DEFAULT_HORIZON: Final = timedelta(days=7)
"""``summary --horizon``'s default: a failed or unended logical run is held for retries until the
input has moved a week past it (retries come at once or after ``min_retry_interval_millis``)."""
_UNITS: Final = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_LONGEST_HORIZON: Final = 36500 * 86400
"""A century in seconds: no retry waits as long, and a longer horizon overflows the datetime range."""


def _horizon(text: str) -> timedelta | None:
    """A duration such as ``7d``, ``12h``, ``30m`` or ``90s``; ``none`` holds runs to the input's end."""
    if text.strip().lower() == "none":
        return None
    match = re.fullmatch(r"\s*(\d+)\s*([smhd])\s*", text, re.IGNORECASE)
    if match is None:
        raise argparse.ArgumentTypeError(f"not a duration: {text!r} (e.g. 7d, 12h, 30m, 90s, or none)")
    seconds = int(match[1]) * _UNITS[match[2].lower()]
    if seconds > _LONGEST_HORIZON:  # added to a run's time, it would pass the year 9999
        raise argparse.ArgumentTypeError(
            f"longer than 100 years: {text!r} (give none to hold runs to the input's end)"
        )
    return timedelta(seconds=seconds)


def _version() -> str:
    try:
        return metadata.version("runstate")
    except metadata.PackageNotFoundError:  # run from a source tree
        return "unknown (not installed)"


_PROVIDERS = "{providers}"


class _Formatter(argparse.HelpFormatter):
    """Fills in the registered provider names (built-ins and installed plugins) only when help is shown."""

    def _expand_help(self, action: argparse.Action) -> str:
        text = super()._expand_help(action)
        return text.replace(_PROVIDERS, _provider_names()) if _PROVIDERS in text else text


def _provider_names() -> str:
    with warnings.catch_warnings(record=True) as broken:  # a broken plugin is left out, and said so
        warnings.simplefilter("always", RunstateWarning)
        names = ", ".join(REGISTRY.names())
    left_out = sorted({str(getattr(w.message, "provider", "?")) for w in broken})
    return names + (f" (broken plugins left out: {', '.join(left_out)})" if left_out else "")


def _add_input(p: argparse.ArgumentParser, *, many: bool = False) -> None:
    if many:
        p.add_argument(
            "--provider",
            "-p",
            required=True,
            action="append",
            nargs="+",
            metavar=("PROVIDER", "FILE"),
            dest="inputs",
            help=f"a provider and its files (or - for standard input, or none with --example); repeat "
            f"for more inputs. Providers: {_PROVIDERS}; or {AUTO}: each record's provider by its shape",
        )
    else:
        p.add_argument("--provider", "-p", required=True, help=f"one of: {_PROVIDERS}")
        p.add_argument("file", nargs="?", default=None, help="input file, or - for standard input")
    p.add_argument("--example", action="store_true", help="use the provider's bundled example file")
    p.add_argument("--namespace", help="put every run in this namespace (it wins over the record's)")
    p.add_argument("--strict", action="store_true", help="fail records with unmapped or invalid fields")
    p.add_argument("--fail-on-warning", action="store_true", help="a record that warns is a failure")
    p.add_argument(
        "--max-record-size",
        type=_size,
        default=DEFAULT_MAX_SIZE,
        metavar="SIZE",
        help="refuse larger records as failures (default 64MiB)",
    )
    p.add_argument(
        "--errors", metavar="FILE", help="failed records here (as read), diagnostics in FILE.why.jsonl"
    )


class _Parser(argparse.ArgumentParser):
    """argparse's parser (and its subcommands'), its error line escaped: "unrecognized arguments"
    quotes the command line as it is."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {printable(message)}\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="runstate", description="Cloud job run records in one canonical run model.")
    parser.add_argument("--version", action="version", version=f"runstate {_version()}")
    sub = parser.add_subparsers(dest="command", required=True)

    def command(name: str, summary: str) -> argparse.ArgumentParser:
        description = summary[0].upper() + summary[1:] + "."
        return sub.add_parser(name, help=summary, description=description, formatter_class=_Formatter)

    norm = command("normalize", "records (JSON, JSON Lines, list pages) to canonical runs")
    _add_input(norm)
    norm.add_argument(
        "--format", "-f", choices=("jsonl", "json", "table", *_TABLE_FILES), default="jsonl",
        help="jsonl, json, table on standard output or -o; parquet, csv, arrow: a file (needs -o)",
    )  # fmt: skip
    norm.add_argument("--no-raw", action="store_true", help="leave out each run's original record")
    norm.add_argument("--output", "-o", metavar="FILE", help="write runs here instead of standard output")

    summ = command("summary", "per provider, namespace and job: runs, success rate, retries, p50/p95")
    _add_input(summ, many=True)
    summ.add_argument("--json", action="store_true", help="print the summary as JSON instead of a table")
    summ.add_argument("--now", type=_time, metavar="TIME", help="the time active runs are measured to")
    summ.add_argument(
        "--horizon",
        type=_horizon,
        default=DEFAULT_HORIZON,
        metavar="DURATION",
        help="hold a failed or unended run for a retry until the input is this far past it, so memory "
        "stays bounded (default 7d; none: to the input's end, memory grows with it)",
    )

    rep = command("report", "a self-contained HTML report (charts, timeline) of every input: needs -o FILE")
    _add_input(rep, many=True)
    rep.add_argument("--output", "-o", metavar="FILE", required=True, help="the HTML file to write")
    rep.add_argument("--now", type=_time, metavar="TIME", help="the time active runs are measured to")

    export = command("export", "runs as OpenTelemetry (OTLP/JSON), OpenLineage or CDEvents events")
    _add_input(export)
    add_export_arguments(export)
    export.add_argument("--output", "-o", metavar="FILE", help="write here instead of standard output")

    graph = command("graph", "the canonical transition graph, or a provider's native one")
    graph.add_argument(
        "--format",
        "-f",
        choices=("mermaid", "dot", "json"),
        default="mermaid",
        help="mermaid: a stateDiagram-v2 (GitHub and MkDocs Material render it; the default); dot: "
        "Graphviz (`dot -Tsvg`); json: the nodes and edges",
    )
    graph.add_argument(
        "--provider",
        "-p",
        help=f"draw this provider's native graph, mapped onto canonical states ({_PROVIDERS})",
    )

    _cli_sql.add_parser(sub)
    command("schema", "print the JSON Schema (draft 2020-12) of the canonical run that normalize writes")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = _parser().parse_args(argv)
    readers: list[RecordReader] = []

    def progress() -> str:
        return _closing(readers) if readers else "starting"

    def command() -> int:
        with ExitStack() as stack:
            if args.command == "graph":
                return _graph(args, open_output(None, stack))
            if args.command == "sql":
                return _cli_sql.run(args, sys.stdout)
            if args.command == "schema":
                open_output(None, stack).write(schema_text(run_schema()))
                return EXIT_OK
            return _records_command(args, stack, readers)

    return run_command(command, progress)


def _inputs(args: argparse.Namespace) -> list[tuple[str, str | None]]:
    """(provider, file or None for --example) for each input; ``-p P`` alone reads standard input."""
    if args.command not in ("summary", "report"):
        return [(args.provider, args.file)]
    pairs: list[tuple[str, str | None]] = []
    for provider, *files in args.inputs:
        pairs += [(provider, file) for file in files] or [(provider, None if args.example else "-")]
    if sum(file == "-" for _, file in pairs) > 1:
        raise _usage("standard input can be read once: give files")
    return pairs


def _refuse_overwriting(
    inputs: list[tuple[str, str | None]], output: str | None, errors: str | None, *, stdin: bool
) -> None:
    """A usage error when ``-o`` or ``--errors`` names an input file, the file standard input reads
    (``stdin``), or each other: opening it for writing would empty the input before a line is read,
    and the run would "succeed" on nothing."""
    written = {"-o": output, "--errors": errors, "--errors (.why.jsonl)": errors and f"{errors}.why.jsonl"}
    targets = [(flag, path) for flag, path in written.items() if path not in (None, "-")]
    read = [("input", path) for _, path in inputs if path not in (None, "-")]
    for i, (flag, target) in enumerate(targets):
        for what, other in read + targets[i + 1 :]:
            if _same_file(target, other):
                raise _usage(f"{flag} {target} is the {what} {other}: give another file")
        if stdin and _is_stdin(target):
            raise _usage(f"{flag} {target} is the standard input: give another file")


def _is_stdin(path: str) -> bool:
    """Whether ``path`` is the regular file standard input reads (``< FILE``): by device and inode (a
    device such as ``/dev/null`` is not emptied by writing to it)."""
    try:
        status = os.fstat(sys.stdin.fileno())
        return stat.S_ISREG(status.st_mode) and os.path.samestat(status, Path(path).stat())
    except (OSError, ValueError, AttributeError):  # no stdin, no file descriptor, or no such path yet
        return False


def _same_file(one: str | None, other: str | None) -> bool:
    if one is None or other is None:
        return False
    try:
        return Path(one).samefile(other)
    except OSError:  # one of them does not exist (yet): the same file only by name
        return Path(one).resolve() == Path(other).resolve()


def _records_command(args: argparse.Namespace, stack: ExitStack, readers: list[RecordReader]) -> int:
    inputs = _inputs(args)
    for provider, _ in inputs:
        if provider == AUTO and args.command not in ("summary", "report"):
            raise _usage(f"--provider {AUTO} is for summary; give the provider")
        if provider != AUTO:
            REGISTRY.get(provider)  # an unknown provider or a broken plugin: before any output
    fmt = getattr(args, "format", None)
    if fmt in _TABLE_FILES and args.output in (None, "-"):
        raise _usage(f"--format {fmt} writes a file: give -o FILE")
    if fmt in _TABLE_FILES:
        _need_pyarrow()
    stdin = any(file == "-" or (file is None and not args.example) for _, file in inputs)
    _refuse_overwriting(inputs, getattr(args, "output", None), args.errors, stdin=stdin)
    dead_letters = DeadLetters(args.errors, stack)
    # a report is written once built: its -o file is opened only then, so a failure leaves it as it was
    whole = fmt in _TABLE_FILES or args.command == "report"
    out = None if whole else open_output(getattr(args, "output", None), stack)
    keep_raw = {"normalize": not getattr(args, "no_raw", False), "summary": False, "report": False}.get(
        args.command, getattr(args, "include_raw", False)
    )
    for provider, file in inputs:
        source, size = open_input(file, stack, provider if args.example else None)
        reader = RecordReader(
            provider,
            source,
            dead_letters,
            strict=args.strict,
            keep_raw=keep_raw,
            fail_on_warning=args.fail_on_warning,
            max_size=args.max_record_size,
            namespace=args.namespace,
        )
        progress = _Progress(size)
        reader.on_value = progress.tick if progress.enabled else None  # no call per line when unseen
        readers.append(reader)
    if args.command in ("summary", "report"):
        _summary(args, readers, lambda: out or open_output(args.output, stack))
    elif args.command == "export":
        _export(args, readers[0], cast(SafeOutput, out))
    elif fmt in _TABLE_FILES:
        write_table_file(fmt, readers[0], args.output, not args.no_raw)
    else:
        write_runs(args.format, readers[0], cast(SafeOutput, out))
    if out is not None:
        out.flush()
    dead_letters.flush()
    _Progress.clear()
    failed = sum(r.counts.failed for r in readers)
    where = f" (see {args.errors} and {args.errors}.why.jsonl)" if args.errors and failed else ""
    say(f"runstate: {_closing(readers)}{where}")
    return max(r.exit_code() for r in readers)


def _closing(readers: list[RecordReader]) -> str:
    """The counts of every input together."""
    if len(readers) == 1:
        return readers[0].counts.summary()
    total = type(readers[0].counts)()
    for reader in readers:
        for name in ("read", "written", "failed", "warned", "internal", "merged"):
            setattr(total, name, getattr(total, name) + getattr(reader.counts, name))
    return total.summary()


def _runs(reader: RecordReader) -> Iterator[Run]:
    """The runs of an input, each counted as written when it is handed on."""
    counts = reader.counts
    for item in reader:
        counts.written += 1
        yield item.run


def _need_pyarrow() -> None:
    """A missing pyarrow is a usage error naming the extra, before any output."""
    try:
        from .. import arrow  # noqa: F401 - imported to find out whether it can be
    except ImportError as exc:
        raise _usage(str(exc)) from None


class _Progress:
    """A one-line progress indicator on stderr, for terminal users only and only after a moment."""

    shown = False

    def __init__(self, size: int | None) -> None:
        self.enabled = bool(sys.stderr is not None and sys.stderr.isatty() and size)
        self.start = self.last = time.monotonic()
        self.count = 0

    def tick(self) -> None:
        self.count += 1
        if not self.enabled or self.count % 256:
            return
        now = time.monotonic()
        if now - self.start < 1.0 or now - self.last < 0.2:
            return
        self.last = now
        sys.stderr.write(f"\r{self.count} values read\x1b[K")
        sys.stderr.flush()
        _Progress.shown = True

    @staticmethod
    def clear() -> None:
        """Erase the indicator, so the closing line starts at the left margin."""
        if _Progress.shown:
            with suppress(OSError, ValueError):
                sys.stderr.write("\r\x1b[K")


def _summary(args: argparse.Namespace, readers: list[RecordReader], output: Callable[[], SafeOutput]) -> None:
    """One summary of every input: by provider, namespace and job (``runstate.summarize``), or the
    HTML report of them all (``runstate.report.html``)."""

    def runs(stream: list[RecordReader]) -> Iterator[Run]:
        for reader in stream:
            yield from _runs(reader)

    streams: dict[str, list[RecordReader]] = {}
    for reader in readers:  # one stream per provider: its own clock for the horizon
        streams.setdefault(reader.provider, []).append(reader)
    now = args.now or datetime.now(UTC)
    try:
        if args.command == "report":
            from ..report import html

            page = html(runs(readers), now=args.now)
            output().write(page)
            return
        parts = [summarize(runs(stream), now=now, horizon=args.horizon) for stream in streams.values()]
    except ImportError as exc:  # the report's Plotly is missing: the message names the extra
        raise _usage(str(exc)) from None
    except RunstateError as exc:  # e.g. a naive time in a record built by a plugin
        raise _usage(f"cannot {'summarize' if args.command == 'summary' else 'report'}: {exc}") from None
    summary = functools.reduce(Summary.merge, parts)
    text = json.dumps(summary.to_dict(), indent=2) + "\n" if args.json else summary.to_table()
    output().write(text if args.json else _printable_lines(text))


def _printable_lines(text: str) -> str:
    """A table for the terminal: record text in it with control characters escaped, line by line."""
    return "\n".join(map(printable, text.split("\n")))


def _export(args: argparse.Namespace, reader: RecordReader, out: SafeOutput) -> None:
    try:
        run_export(args, _runs(reader), cast(IO[str], out))
    except ExportUsageError as exc:
        raise _usage(str(exc)) from None


def _graph(args: argparse.Namespace, out: SafeOutput) -> int:
    from .._core.graph import GRAPH

    if args.provider:
        out.write(provider_graph(REGISTRY.get(args.provider), args.format))
        return EXIT_OK
    text = {"mermaid": GRAPH.to_mermaid, "dot": GRAPH.to_dot, "json": GRAPH.to_json_text}[args.format]()
    out.write(text)
    return EXIT_OK
