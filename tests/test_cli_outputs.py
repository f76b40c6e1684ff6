"""The command line's outputs held to what JSON Lines gives: no input emptied, no record lost in a
table file or a terminal table, every count printed true, and record text never sent to the terminal
as control sequences."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from runstate import _cli

EXAMPLES = Path(_cli.__file__).parent / "examples"


def cli(*args: str, **kwargs: Any) -> subprocess.CompletedProcess[bytes]:
    kwargs.setdefault("capture_output", True)
    return subprocess.run([sys.executable, "-m", "runstate", *args], check=False, timeout=120, **kwargs)


# --- the same file as standard input -----------------------------------------------------------------


@pytest.mark.parametrize("flag", ["-o", "--errors"])
def test_an_output_naming_the_file_standard_input_reads_is_refused(tmp_path: Path, flag: str) -> None:
    """``-o FILE < FILE`` would empty the input before a line is read, and succeed on nothing."""
    source = tmp_path / "runs.jsonl"
    text = (EXAMPLES / "glue.jsonl").read_bytes()
    source.write_bytes(text)
    with source.open("rb") as stdin:
        result = cli("normalize", "-p", "glue", flag, str(source), stdin=stdin)
    assert result.returncode == 2, result.stderr
    assert result.stderr.decode() == f"runstate: {flag} {source} is the standard input: give another file\n"
    assert source.read_bytes() == text


def test_an_output_beside_standard_input_is_written(tmp_path: Path) -> None:
    source, out = tmp_path / "runs.jsonl", tmp_path / "out.jsonl"
    source.write_bytes((EXAMPLES / "glue.jsonl").read_bytes())
    with source.open("rb") as stdin:
        result = cli("normalize", "-p", "glue", "-o", str(out), stdin=stdin)
    assert result.returncode == 0, result.stderr
    assert len(out.read_text().splitlines()) == len(source.read_text().splitlines())
    with source.open("rb") as stdin:  # --example reads no standard input: the same path is no clash
        assert cli("normalize", "-p", "glue", "--example", "-o", str(out), stdin=stdin).returncode == 0
    assert json.loads(out.read_text().splitlines()[0])["provider"] == "glue"
