"""The ``runstate`` command line: normalize run history, summarize it, draw the graph, print the schema.

Exit status: 0 when every record normalized, 1 when some failed (each reported with its line), 2 for
usage errors (unknown provider, missing file, bad option).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import warnings
from collections.abc import Iterator, Sequence
from contextlib import ExitStack
from importlib import resources
from typing import IO, Any

from ._errors import InvalidRecordError, RunstateError, UnknownProviderError, short_repr
from ._export import provider_graph
from ._jsonstream import BadValue, iter_json_values
from ._model import Run
from ._registry import REGISTRY
from ._schema import run_schema, schema_text
from ._serialize import format_time, to_dict
from ._summary import Summary

__all__ = ["main"]

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class _UsageError(Exception):
    pass


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="runstate", description="Cloud job run records in one canonical run model."
    )
    sub = parser.add_subparsers(dest="command", required=True)

    def add_input(p: argparse.ArgumentParser) -> None:
        p.add_argument("--provider", "-p", required=True, help="databricks, glue, cloud_deploy, ...")
        p.add_argument("file", nargs="?", default=None, help="input file, or - for standard input")
        p.add_argument("--example", action="store_true", help="use the provider's bundled example file")
        p.add_argument("--strict", action="store_true", help="fail records with unmapped or invalid fields")

    norm = sub.add_parser("normalize", help="records (JSON, JSON Lines, list pages) to canonical runs")
    add_input(norm)
    norm.add_argument("--format", "-f", choices=("jsonl", "json", "table"), default="jsonl")
    norm.add_argument("--no-raw", action="store_true", help="leave out each run's original record")
    norm.add_argument("--errors", metavar="FILE", help="write failed records here (JSON Lines), not stderr")
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
    try:
        if args.command == "graph":
            return _graph(args)
        if args.command == "schema":
            sys.stdout.write(schema_text(run_schema()))
            return EXIT_OK
        REGISTRY.get(args.provider)
        with ExitStack() as stack:
            source, size = _open_input(args, stack)
            records = _Records(
                args.provider, source, size, strict=args.strict, keep_raw=not getattr(args, "no_raw", False)
            )
            if args.command == "summary":
                return _summary(args, records)
            return _normalize(args, records, stack)
    except UnknownProviderError as exc:
        print(f"runstate: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except _UsageError as exc:
        print(f"runstate: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:  # e.g. piped into head
        sys.stderr.close()
        return EXIT_OK


def _open_input(args: argparse.Namespace, stack: ExitStack) -> tuple[IO[str], int | None]:
    if args.example:
        if args.file is not None:
            raise _UsageError("give a file or --example, not both")
        ref = resources.files("runstate").joinpath("examples", f"{args.provider}.jsonl")
        if not ref.is_file():
            raise _UsageError(f"no bundled example for provider {args.provider!r}")
        return stack.enter_context(ref.open("r", encoding="utf-8")), None
    if args.file is None or args.file == "-":
        if hasattr(sys.stdin, "reconfigure"):
            sys.stdin.reconfigure(errors="surrogateescape")
        return sys.stdin, None
    try:  # undecodable bytes are kept as surrogates, so the reader can report their line
        stream = stack.enter_context(open(args.file, encoding="utf-8", errors="surrogateescape"))  # noqa: SIM115
    except OSError as exc:
        raise _UsageError(f"cannot read {args.file}: {exc.strerror}") from None
    return stream, os.fstat(stream.fileno()).st_size


class _Records:
    """Normalized runs of an input, with every failure kept (line, provider, field, error, record)."""

    def __init__(
        self, provider: str, source: IO[str], size: int | None, *, strict: bool, keep_raw: bool
    ) -> None:
        self.provider = provider
        self.spec = REGISTRY.get(provider)
        self.source = source
        self.size = size
        self.ctx = self.spec.context(strict)
        self.keep_raw = keep_raw
        self.failures = 0
        self.warnings = 0
        self.line = 0
        self.on_failure: Any = None

    def __iter__(self) -> Iterator[Run]:
        progress = _Progress(self.source, self.size)
        with warnings.catch_warnings():
            warnings.showwarning = self._show_warning
            warnings.simplefilter("always")
            for item in iter_json_values(self.source):
                progress.tick()
                if isinstance(item, BadValue):
                    self._fail(item.line, None, "$", f"invalid JSON: {item.error}", item.text)
                    continue
                self.line, value = item
                inner = self.spec.pages(value)
                for index, record in enumerate((value,) if inner is None else inner):
                    try:
                        yield self.spec.build(record, self.ctx, self.keep_raw)
                    except RunstateError as exc:
                        field = getattr(exc, "field", "$")
                        if inner is not None:  # a record of a list page: say which one
                            field = f"[{index}]{field.removeprefix('$')}"
                        self._fail(self.line, exc, field, _problem(exc), record)
        progress.done()

    def _show_warning(self, message: Warning | str, category: type[Warning], *_: Any, **__: Any) -> None:
        self.warnings += 1
        print(f"runstate: line {self.line}: {category.__name__}: {message}", file=sys.stderr)

    def _fail(self, line: int, exc: RunstateError | None, field: str, error: str, record: Any) -> None:
        self.failures += 1
        report = {"line": line, "provider": self.provider, "field": field, "error": error, "record": record}
        if exc is not None:
            report["error_type"] = type(exc).__name__
        if self.on_failure is not None:
            self.on_failure(report)


def _problem(exc: RunstateError) -> str:
    """The error without the provider and field the report names already."""
    if isinstance(exc, InvalidRecordError):
        return f"{exc.problem}: {short_repr(exc.value)}"
    return str(exc)


class _Progress:
    """A one-line progress indicator on stderr, for terminal users only and only after a moment."""

    def __init__(self, source: IO[str], size: int | None) -> None:
        self.enabled = sys.stderr.isatty() and size is not None and size > 0
        self.source, self.size = source, size or 0
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
        try:
            done = self.source.buffer.tell() if hasattr(self.source, "buffer") else 0
        except (OSError, ValueError):
            done = 0
        pct = min(100.0, 100.0 * done / self.size)
        bar = "#" * int(pct // 4)
        sys.stderr.write(f"\r[{bar:<25}] {pct:5.1f}%  {self.count} values")
        sys.stderr.flush()
        self.shown = True

    def done(self) -> None:
        if self.shown:
            sys.stderr.write(f"\r[{'#' * 25}] 100.0%  {self.count} values\n")


def _normalize(args: argparse.Namespace, records: _Records, stack: ExitStack) -> int:
    errors: IO[str] = sys.stderr
    if args.errors:
        errors = _open_output(args.errors, stack)
    out: IO[str] = sys.stdout
    if args.output:
        out = _open_output(args.output, stack)

    def report(failure: dict[str, Any]) -> None:
        if args.errors:
            errors.write(json.dumps(failure, default=str) + "\n")
        else:
            _print_failure(failure)

    records.on_failure = report
    writer = {"jsonl": _write_jsonl, "json": _write_json, "table": _write_table}[args.format]
    count = writer(records, out)
    if records.failures:
        where = f" (see {args.errors})" if args.errors else ""
        print(f"runstate: {records.failures} record(s) failed, {count} normalized{where}", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK


def _open_output(path: str, stack: ExitStack) -> IO[str]:
    try:
        return stack.enter_context(open(path, "w", encoding="utf-8", errors="surrogateescape"))
    except OSError as exc:
        raise _UsageError(f"cannot write {path}: {exc.strerror}") from None


def _dumps(run: Run) -> str:
    return json.dumps(to_dict(run), ensure_ascii=False, separators=(",", ":"))


def _write_jsonl(runs: _Records, out: IO[str]) -> int:
    count = 0
    for run in runs:
        out.write(_dumps(run) + "\n")
        count += 1
    return count


def _write_json(runs: _Records, out: IO[str]) -> int:
    count = 0
    out.write("[")
    for run in runs:
        out.write(("\n" if count == 0 else ",\n") + _dumps(run))
        count += 1
    out.write("\n]\n" if count else "]\n")
    return count


_COLUMNS = ("run_id", "job_id", "state", "reason", "attempt", "started_at", "total")


def _cell(run: Run, column: str) -> str:
    if column == "total":
        total = run.durations.total
        return "" if total is None else str(total)
    if column == "started_at":
        return "" if run.started_at is None else format_time(run.started_at)
    value = getattr(run, column)
    return "" if value is None else str(value)


def _write_table(runs: _Records, out: IO[str]) -> int:
    # minimum widths: a longer value (a 67-character Glue id) is printed whole, never cut
    widths = (24, 28, 17, 20, 7, 27, 16)
    out.write("  ".join(c.upper().ljust(w) for c, w in zip(_COLUMNS, widths, strict=True)).rstrip() + "\n")
    count = 0
    for run in runs:
        cells = (_cell(run, c).ljust(w) for c, w in zip(_COLUMNS, widths, strict=True))
        out.write("  ".join(cells).rstrip() + "\n")
        count += 1
    return count


def _print_failure(failure: dict[str, Any]) -> None:
    where = f"line {failure['line']}: {failure['provider']}: {failure['field']}"
    print(f"runstate: {where}: {failure['error']}", file=sys.stderr)


def _summary(args: argparse.Namespace, records: _Records) -> int:
    records.on_failure = _print_failure
    records.keep_raw = False
    summary = Summary.of(records)
    if args.json:
        sys.stdout.write(json.dumps(summary.to_json(), indent=2) + "\n")
    else:
        sys.stdout.write(summary.to_table())
    return EXIT_FAILED if records.failures else EXIT_OK


def _graph(args: argparse.Namespace) -> int:
    from ._graph import GRAPH

    if args.provider:
        spec = REGISTRY.get(args.provider)
        sys.stdout.write(provider_graph(spec, args.format))
        return EXIT_OK
    text = {"mermaid": GRAPH.to_mermaid, "dot": GRAPH.to_dot, "json": GRAPH.to_json_text}[args.format]()
    sys.stdout.write(text)
    return EXIT_OK
