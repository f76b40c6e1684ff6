"""README's front door tells the truth: the main job prints what it shows, and its links resolve."""

from __future__ import annotations

import re
import subprocess
import sys

from ..paths import ROOT

ROOT = ROOT
README = (ROOT / "README.md").read_text(encoding="utf-8")
MAIN_JOB = "runstate normalize --provider databricks --example --format table"


def test_the_main_job_prints_what_readme_shows() -> None:
    shown = README.split("It prints", 1)[1].split("```text\n", 1)[1].split("```", 1)[0]
    result = subprocess.run(
        [sys.executable, "-m", "runstate", *MAIN_JOB.split()[1:]],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert result.stdout == shown
    assert MAIN_JOB in README


def test_every_relative_link_of_the_readme_resolves() -> None:
    links = re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", README)
    local = [link for link in links if "://" not in link]
    assert local, "README links into the docs"
    assert [link for link in local if not (ROOT / link).exists()] == []


def test_the_readme_stays_the_front_door() -> None:
    assert len(README.splitlines()) < 150
