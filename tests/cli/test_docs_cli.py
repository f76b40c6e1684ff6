"""The command-line examples of docs/cli.md run, each ``$`` line in a shell, with exactly the output shown."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

from ..paths import ROOT

DOC = ROOT / "docs" / "cli.md"


def _sessions(text: str) -> list[list[tuple[str, str]]]:
    """Each ``console`` block as (command, expected output) pairs."""
    blocks = re.findall(r"```console\n(.*?)```", text, re.DOTALL)
    sessions = []
    for block in blocks:
        steps: list[tuple[str, list[str]]] = []
        for line in block.splitlines():
            if line.startswith("$ "):
                steps.append((line[2:], []))
            else:
                steps[-1][1].append(line)
        sessions.append([(command, "".join(f"{o}\n" for o in output)) for command, output in steps])
    return sessions


def test_every_console_example_runs_as_shown(tmp_path: Path) -> None:
    sessions = _sessions(DOC.read_text(encoding="utf-8"))
    assert len(sessions) >= 4
    src = str(ROOT / "src")
    env = {**os.environ, "PYTHONPATH": src}
    prelude = f'runstate() {{ {shlex.quote(sys.executable)} -m runstate "$@"; }}\n'
    for session in sessions:
        for command, expected in session:
            result = subprocess.run(
                ["bash", "-c", prelude + command],
                cwd=tmp_path,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                check=False,
                timeout=120,
            )
            assert result.stdout == expected, command
