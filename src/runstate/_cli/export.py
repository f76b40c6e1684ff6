"""``runstate export --to otel-json|openlineage|cdevents``: the export subcommand's options and its work.

The CLI module owns reading the input (provider, file, ``--example``, ``--strict``); this module adds
the export options to its subparser and writes the runs it is given. Exports carry no ``raw`` (nor
the job parameters in it) unless ``--include-raw``.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterable
from types import MappingProxyType
from typing import IO, Any, Final

from .._core.errors import InvalidRecordError, RunstateError
from .._core.model import Run
from .io import EXIT_IO, CliError

__all__ = ["DEFAULT_PRODUCER", "DEFAULT_SOURCE", "ExportUsageError", "add_export_arguments", "run_export"]

DEFAULT_PRODUCER: Final = "https://pypi.org/project/runstate/"
"""OpenLineage ``producer`` (a URI naming the software that made the events) unless ``--producer``."""
DEFAULT_SOURCE: Final = "/runstate"
"""CDEvents ``context.source`` (a URI reference naming the exporter) unless ``--source``."""


class ExportUsageError(RunstateError, ValueError):
    """The export options do not fit together (e.g. ``--endpoint`` for a format that has none)."""


def _otel(runs: Iterable[Run], out: IO[str], args: argparse.Namespace) -> int:  # noqa: ARG001 - one signature for every exporter in _EXPORTERS
    from ..otel import write_otlp_json

    return write_otlp_json(runs, out)


def _openlineage(runs: Iterable[Run], out: IO[str], args: argparse.Namespace) -> int:
    from .. import openlineage

    options: dict[str, Any] = {
        "producer": args.producer,
        "job_namespace": args.job_namespace,
        "include_raw": args.include_raw,
    }
    if not args.endpoint:
        return openlineage.write_jsonl(runs, out, **options)
    try:
        return openlineage.emit(runs, args.endpoint, **options)
    except openlineage.EmitError as exc:  # the server's fault, or the network's: an I/O error
        raise CliError(str(exc), EXIT_IO) from None
    except InvalidRecordError as exc:
        if exc.provider == "openlineage" and exc.field == "url":
            raise ExportUsageError(f"--endpoint: {exc.problem}: {exc.value}") from None
        raise


def _cdevents(runs: Iterable[Run], out: IO[str], args: argparse.Namespace) -> int:
    from .. import cdevents

    return cdevents.write_jsonl(runs, out, source=args.source, include_raw=args.include_raw)


WRITERS: Final[MappingProxyType[str, Callable[[Iterable[Run], IO[str], argparse.Namespace], int]]] = (
    MappingProxyType({"otel-json": _otel, "openlineage": _openlineage, "cdevents": _cdevents})
)
"""Each ``--to`` format and the function that writes it."""


def add_export_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Add the export options to the ``export`` subparser (the CLI adds its input options itself)."""
    parser.add_argument("--to", required=True, choices=tuple(WRITERS), help="the format to write")
    parser.add_argument("--endpoint", metavar="URL", help="openlineage: send to this HTTP server instead")
    parser.add_argument("--producer", default=DEFAULT_PRODUCER, help="openlineage: the events' producer URI")
    parser.add_argument("--job-namespace", help="openlineage: job.namespace (default: each run's namespace)")
    parser.add_argument("--source", default=DEFAULT_SOURCE, help="cdevents: the events' context.source")
    parser.add_argument("--include-raw", action="store_true", help="also export each run's raw record")
    return parser


def run_export(args: argparse.Namespace, runs: Iterable[Run], out: IO[str]) -> int:
    """Write (or, with ``--endpoint``, send) the runs in the chosen format; returns what was written
    (OTLP/JSON requests, or events). Raises :class:`ExportUsageError` for options that do not fit
    (a bad ``--endpoint`` URL, an extra not installed), and the CLI's I/O error (exit 3) when the
    endpoint does not take an event."""
    if args.endpoint and args.to != "openlineage":
        raise ExportUsageError(f"--endpoint sends OpenLineage events only, not {args.to}")
    try:
        return WRITERS[args.to](runs, out, args)
    except ImportError as exc:  # an extra not installed: its message names it
        raise ExportUsageError(f"--to {args.to}: {exc}") from None
