"""The ``runstate`` command line: normalize run history, summarize it, draw the graph, print the schema.

Exit status: 0 every record normalized, 1 some records failed (each in the dead letters), 2 usage,
3 an I/O error (input unreadable, output unwritable), 4 an internal error, 130/143 interrupted.
The reading, writing and exit machinery lives in :mod:`runstate._cli_io`; ``docs/cli.md`` is the reference.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from contextlib import ExitStack, suppress
from datetime import timedelta
from importlib import metadata

from ._cli_io import (
    EXIT_OK,
    DeadLetters,
    Item,
    RecordReader,
    SafeOutput,
    open_input,
    open_output,
    run_command,
    say,
)
from ._errors import RunstateError
from ._export import provider_graph
from ._jsonstream import DEFAULT_MAX_SIZE
from ._model import Run
from ._registry import REGISTRY
from ._schema import run_schema, schema_text
from ._serialize import dumps_run, format_time
from ._summary import Summary

__all__ = ["main"]


def _size(text: str) -> int:
    """A size such as ``64MiB``, ``500k`` or ``1048576`` in characters (bytes for ASCII)."""
    match = re.fullmatch(r"\s*(\d+)\s*([kmg]?)(i?b)?\s*", text, re.IGNORECASE)
    if match is None or int(match[1]) == 0:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (e.g. 64MiB, 500k, 1048576)")
    return int(match[1]) << {"": 0, "k": 10, "m": 20, "g": 30}[match[2].lower()]


def _version() -> str:
    try:
        return metadata.version("runstate")
    except metadata.PackageNotFoundError:  # run from a source tree
        return "unknown (not installed)"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="runstate", description="Cloud job run records in one canonical run model."
    )
    parser.add_argument("--version", action="version", version=f"runstate {_version()}")
    sub = parser.add_subparsers(dest="command", required=True)

    def add_input(p: argparse.ArgumentParser) -> None:
        p.add_argument("--provider", "-p", required=True, help="databricks, glue, cloud_deploy, ...")
        p.add_argument("file", nargs="?", default=None, help="input file, or - for standard input")
        p.add_argument("--example", action="store_true", help="use the provider's bundled example file")
        p.add_argument("--strict", action="store_true", help="fail records with unmapped or invalid fields")
        p.add_argument("--fail-on-warning", action="store_true", help="a record that warns is a failure")
        p.add_argument(
            "--max-record-size",
            type=_size,
            default=DEFAULT_MAX_SIZE,
            metavar="SIZE",
            help="refuse larger records as failures (default 64MiB)",
        )

    norm = sub.add_parser("normalize", help="records (JSON, JSON Lines, list pages) to canonical runs")
    add_input(norm)
    norm.add_argument("--format", "-f", choices=("jsonl", "json", "table"), default="jsonl")
    norm.add_argument("--no-raw", action="store_true", help="leave out each run's original record")
    norm.add_argument(
        "--errors", metavar="FILE", help="failed records here (as read), diagnostics in FILE.why.jsonl"
    )
    norm.add_argument("--output", "-o", metavar="FILE", help="write runs here instead of standard output")

    summ = sub.add_parser("summary", help="counts by state and reason, success rate, duration percentiles")
    add_input(summ)
    summ.add_argument("--json", action="store_true", help="print JSON instead of a table")

    graph = sub.add_parser("graph", help="the canonical transition graph, or a provider's native one")
    graph.add_argument("--format", "-f", choices=("mermaid", "dot", "json"), default="mermaid")
    graph.add_argument(
        "--provider", "-p", help="draw this provider's native graph, mapped onto canonical states"
    )

    sub.add_parser("schema", help="print the JSON Schema of the canonical run")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = _parser().parse_args(argv)
    readers: list[RecordReader] = []

    def progress() -> str:
        return readers[0].counts.summary() if readers else "starting"

    def command() -> int:
        with ExitStack() as stack:
            if args.command == "graph":
                return _graph(args, open_output(None, stack))
            if args.command == "schema":
                open_output(None, stack).write(schema_text(run_schema()))
                return EXIT_OK
            REGISTRY.get(args.provider)
            return _records_command(args, stack, readers)

    return run_command(command, progress)


def _records_command(args: argparse.Namespace, stack: ExitStack, readers: list[RecordReader]) -> int:
    source, size = open_input(args.file, stack, args.provider if args.example else None)
    errors_path = getattr(args, "errors", None)
    dead_letters = DeadLetters(errors_path, stack)
    out = open_output(getattr(args, "output", None), stack)
    reader = RecordReader(
        args.provider,
        source,
        dead_letters,
        strict=args.strict,
        keep_raw=args.command == "normalize" and not args.no_raw,
        fail_on_warning=args.fail_on_warning,
        max_size=args.max_record_size,
    )
    readers.append(reader)
    progress = _Progress(size)
    reader.on_value = progress.tick
    if args.command == "summary":
        _summary(args, reader, out)
    else:
        writer = {"jsonl": _write_jsonl, "json": _write_json, "table": _write_table}[args.format]
        writer(_dumped(reader, _no_text if args.format == "table" else dumps_run), reader, out)
    out.flush()
    dead_letters.flush()
    progress.clear()
    where = (
        f" (see {errors_path} and {errors_path}.why.jsonl)" if errors_path and reader.counts.failed else ""
    )
    say(f"runstate: {reader.counts.summary()}{where}")
    return reader.exit_code()


def _no_text(_: Run) -> str:
    return ""


def _dumped(reader: RecordReader, dump: Callable[[Run], str]) -> Iterable[tuple[Item, str]]:
    """Each item with its output text; one that cannot be written (too deep) is dead-lettered instead."""
    for item in reader:
        try:
            text = dump(item.run)
        except RunstateError as exc:
            reader.fail(item, exc)
            continue
        except Exception as exc:
            reader.fail(item, exc)
            continue
        yield item, text


class _Progress:
    """A one-line progress indicator on stderr, for terminal users only and only after a moment."""

    def __init__(self, size: int | None) -> None:
        self.enabled = bool(sys.stderr is not None and sys.stderr.isatty() and size)
        self.size = size or 0
        self.start = self.last = time.monotonic()
        self.count = 0
        self.shown = False

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
        self.shown = True

    def clear(self) -> None:
        """Erase the indicator, so the closing line starts at the left margin."""
        if self.shown:
            with suppress(OSError, ValueError):
                sys.stderr.write("\r\x1b[K")


def _write_jsonl(items: Iterable[tuple[Item, str]], reader: RecordReader, out: SafeOutput) -> None:
    for _, text in items:
        out.write(text + "\n")
        reader.counts.written += 1


def _write_json(items: Iterable[tuple[Item, str]], reader: RecordReader, out: SafeOutput) -> None:
    out.write("[")
    try:
        for _, text in items:
            out.write(("\n" if reader.counts.written == 0 else ",\n") + text)
            reader.counts.written += 1
    finally:  # also when interrupted: the array is closed, so the output stays valid JSON
        out.write("\n]\n" if reader.counts.written else "]\n")


_COLUMNS = ("run_id", "job_id", "name", "state", "reason", "attempt", "started_at", "total")
_WIDTHS = (22, 16, 22, 17, 20, 7, 20, 10)


def human_duration(value: timedelta) -> str:
    """A duration as ``1h12m12s`` (days as ``3d``; under a minute with tenths: ``12.5s``)."""
    us = value // timedelta(microseconds=1)
    sign, us = ("-", -us) if us < 0 else ("", us)
    seconds, fraction = divmod(us, 1_000_000)
    if seconds < 60:
        tenths = round(fraction / 100_000)
        return f"{sign}{seconds}.{tenths}s" if tenths % 10 else f"{sign}{seconds + tenths // 10}s"
    parts: list[str] = []
    for unit, size in (("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1)):
        amount, seconds = divmod(seconds, size)
        if amount or parts:
            parts.append(f"{amount}{unit}")
    return sign + "".join(parts)


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _cell(run: Run, column: str) -> str:
    if column == "total":
        total = run.durations.total
        return "" if total is None else human_duration(total)
    if column == "started_at":
        return "" if run.started_at is None else format_time(run.started_at.replace(microsecond=0))
    value = getattr(run, column)
    return "" if value is None else str(value)


def _write_table(items: Iterable[tuple[Item, str]], reader: RecordReader, out: SafeOutput) -> None:
    """Fixed columns; a longer value (a 67-character Glue id) is cut with an ellipsis."""
    out.write("  ".join(c.upper().ljust(w) for c, w in zip(_COLUMNS, _WIDTHS, strict=True)).rstrip() + "\n")
    for item, _ in items:
        cells = (_cut(_cell(item.run, c), w).ljust(w) for c, w in zip(_COLUMNS, _WIDTHS, strict=True))
        out.write("  ".join(cells).rstrip() + "\n")
        reader.counts.written += 1


def _summary(args: argparse.Namespace, reader: RecordReader, out: SafeOutput) -> None:
    def runs() -> Iterable[Run]:
        for item in reader:
            reader.counts.written += 1
            yield item.run

    summary = Summary.of(runs())
    if args.json:
        out.write(json.dumps(summary.to_json(), indent=2) + "\n")
    else:
        out.write(summary.to_table())


def _graph(args: argparse.Namespace, out: SafeOutput) -> int:
    from ._graph import GRAPH

    if args.provider:
        out.write(provider_graph(REGISTRY.get(args.provider), args.format))
        return EXIT_OK
    text = {"mermaid": GRAPH.to_mermaid, "dot": GRAPH.to_dot, "json": GRAPH.to_json_text}[args.format]()
    out.write(text)
    return EXIT_OK
