"""The ``runstate`` command line: the parser and subcommands (``app``), input, output and exits."""

from .app import main

__all__ = ["main"]
