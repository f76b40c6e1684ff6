"""Diagrams of the graphs: the canonical graph, each provider's native graph and a tracked run's path,
as Mermaid (checked against the statements the docs site renders) and DOT (checked by Graphviz's ``dot``).

Without ``dot`` the DOT tests are skipped with a message; ``.ci/run`` sets
``RUNSTATE_REQUIRE_GRAPHVIZ=1`` so that there its absence fails them.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import attrs
import pytest

import runstate
from runstate import GRAPH, RunTracker, State
from runstate._kit.native_graph import provider_graph
from runstate.provider_kit import NativeEdge

from ..acme_provider import SPEC as ACME
from ..hooks_support import load_hooks
from ..paths import ROOT

ROOT = ROOT
ENABLE_HINT = (
    "the DOT tests need Graphviz's dot (`apt-get install graphviz`); set RUNSTATE_REQUIRE_GRAPHVIZ=1 "
    "to make its absence a failure"
)
T0 = datetime(2026, 3, 1, tzinfo=UTC)

# every statement our Mermaid uses: a state with a quoted label, a transition with an optional label
MERMAID_LINE = re.compile(
    r"    (?:state \"[^\"\n]*\" as \w+"
    r"|(?:\[\*\]|\w+) --> (?:\[\*\]|\w+)(?: : [\w ]+)?)"
)


def dot_accepts(text: str) -> None:
    """Graphviz's ``dot`` lays the text out without an error or a warning."""
    dot = shutil.which("dot")
    if dot is None:
        if os.environ.get("RUNSTATE_REQUIRE_GRAPHVIZ") == "1":
            pytest.fail(f"RUNSTATE_REQUIRE_GRAPHVIZ=1 but dot is missing. {ENABLE_HINT}")
        pytest.skip(ENABLE_HINT)
    done = subprocess.run([dot, "-Tsvg"], input=text, capture_output=True, text=True, check=False)
    assert done.returncode == 0 and done.stderr == "", done.stderr
    assert "<svg" in done.stdout


def assert_mermaid(text: str) -> None:
    lines = text.rstrip("\n").split("\n")
    assert lines[0] == "stateDiagram-v2"
    assert [line for line in lines[1:] if not MERMAID_LINE.fullmatch(line)] == []


def awkward() -> runstate.ProviderSpec:
    """A provider whose native names are not identifiers: spaces, a quote, a leading digit, two
    names that differ only in punctuation, Mermaid keywords, and a name equal to the id that would
    number the second of two names with the same word characters."""
    states = {"in queue": "QUEUED", 'say "go"': "RUNNING", "3rd-step": "RUNNING", "3rd step": "SUCCEEDED",
              "note": "QUEUED", "Default": "FAILED", "class": "FAILED", "X__5": "QUEUED", "X{": "QUEUED",
              "X~": "QUEUED"}  # fmt: skip
    return attrs.evolve(
        ACME,
        name="awkward names",
        native_states={n: frozenset({State(s)}) for n, s in states.items()},
        native_edges=(
            NativeEdge("in queue", 'say "go"'),
            NativeEdge('say "go"', "3rd-step"),
            NativeEdge("3rd-step", "3rd step"),
            NativeEdge("note", "X~"),
            NativeEdge("X__5", "class"),
            NativeEdge("class", "Default"),
        ),
    )


def tracked() -> RunTracker:
    """A run that retried within its record, failed, was repaired in place twice."""
    tracker = RunTracker(allow_reentry=True)
    path = ["QUEUED", "RUNNING", "WAITING_FOR_RETRY", "RUNNING", "FAILED", "RUNNING", "SUCCEEDED", "QUEUED"]
    for minute, state in enumerate(path):
        tracker.observe(state, T0 + timedelta(minutes=minute))
    return tracker


PROVIDERS = [runstate.REGISTRY.get(name) for name in runstate.REGISTRY.names()]


@pytest.mark.parametrize("spec", [*PROVIDERS, awkward()], ids=lambda s: s.name)
def test_dot_accepts_every_native_graph(spec: runstate.ProviderSpec) -> None:
    dot_accepts(provider_graph(spec, "dot"))


def test_dot_accepts_the_canonical_graph_and_a_path() -> None:
    dot_accepts(GRAPH.to_dot())
    dot_accepts(tracked().draw("dot"))


@pytest.mark.parametrize("spec", [*PROVIDERS, awkward()], ids=lambda s: s.name)
def test_native_mermaid_uses_only_rendered_statements(spec: runstate.ProviderSpec) -> None:
    text = provider_graph(spec, "mermaid")
    assert_mermaid(text)
    ids = re.findall(r" as (\w+)$", text, re.MULTILINE)
    assert len(ids) == len(set(ids)) == len(spec.native_states)  # one node per native name


def test_no_mermaid_id_is_a_keyword_or_shared() -> None:
    ids = re.findall(r" as (\w+)$", provider_graph(awkward(), "mermaid"), re.MULTILINE)
    assert len(set(ids)) == len(ids) == len(awkward().native_states)
    assert {"note_", "Default_", "class_", "X__5", "X_"} <= set(ids)
    assert not {i.lower() for i in ids} & {"note", "default", "class", "as", "style", "click", "scale"}


def test_an_awkward_native_name_is_one_node_in_each_format() -> None:
    text = provider_graph(awkward(), "mermaid")
    assert 'state "say #quot;go#quot; = RUNNING" as say__go_' in text
    assert '"3rd step" -> ' not in provider_graph(awkward(), "dot")
    assert '"3rd-step" -> "3rd step";' in provider_graph(awkward(), "dot")


def test_the_canonical_mermaid_uses_only_rendered_statements() -> None:
    assert_mermaid(GRAPH.to_mermaid())


def test_a_tracked_path_numbers_its_steps_and_names_retries_repairs_and_illegal_steps() -> None:
    text = tracked().draw()
    assert_mermaid(text)
    assert text.split("\n")[1:] == [
        "    [*] --> QUEUED",
        "    QUEUED --> RUNNING : 1",
        "    RUNNING --> WAITING_FOR_RETRY : 2 retry",
        "    WAITING_FOR_RETRY --> RUNNING : 3 retry",
        "    RUNNING --> FAILED : 4",
        "    FAILED --> RUNNING : 5 repair",
        "    RUNNING --> SUCCEEDED : 6",
        "    SUCCEEDED --> QUEUED : 7 repair",
        "",
    ]
    assert 'RUNNING -> QUEUED [label="2 illegal", style=dashed, color=red];' in GRAPH.draw_path(
        ["QUEUED", "RUNNING", "UNKNOWN", "QUEUED"], "dot"
    )
    assert GRAPH.draw_path([]) == "stateDiagram-v2\n"


def test_the_docs_draw_with_the_same_code() -> None:
    pytest.importorskip("mkdocs", reason="mkdocs is in the 'docs' extra")
    hooks = load_hooks()
    assert hooks.graph_mermaid() == f"```mermaid\n{GRAPH.to_mermaid()}```\n"
    for spec in PROVIDERS:
        drawn = provider_graph(spec, "mermaid")
        assert hooks.native_mermaid(spec.name) == drawn
        page = hooks.provider_page(spec.name, {}, drawn)
        assert f"```mermaid\n{drawn}```" in page


def every_mermaid() -> dict[str, str]:
    texts = {"canonical": GRAPH.to_mermaid(), "path": tracked().draw()}
    texts |= {spec.name: provider_graph(spec, "mermaid") for spec in [*PROVIDERS, awkward()]}
    return texts


def test_mermaid_itself_parses_every_diagram(tmp_path: Path) -> None:
    """Mermaid's own parser, in chromium, when ``RUNSTATE_MERMAID_JS`` names a ``mermaid.min.js``
    (e.g. from ``npm pack mermaid``); the docs site loads Mermaid from a CDN, so CI has no copy."""
    script = os.environ.get("RUNSTATE_MERMAID_JS")
    if not script:  # CI sets it (.ci/run): there a missing file fails below instead of skipping
        pytest.skip("set RUNSTATE_MERMAID_JS to a mermaid.min.js to parse the diagrams with Mermaid itself")
    assert Path(script).is_file(), f"RUNSTATE_MERMAID_JS names no file: {script}"
    from .test_report_browser import CHROMIUM, require_browser

    page = tmp_path / "mermaid.html"
    page.write_text(f'<script src="{Path(script).resolve().as_uri()}"></script>', encoding="utf-8")
    with require_browser()() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        opened = browser.new_page()
        opened.goto(page.as_uri())
        failures = opened.evaluate(
            "async texts => { mermaid.initialize({startOnLoad: false}); const bad = {};"
            " for (const [name, text] of Object.entries(texts)) {"
            "   try { await mermaid.parse(text); } catch (e) { bad[name] = String(e); } }"
            " return bad; }",
            every_mermaid(),
        )
        browser.close()
    assert failures == {}


def test_graph_help_says_what_each_format_is(capsys: pytest.CaptureFixture[str]) -> None:
    from runstate._cli.app import main

    with pytest.raises(SystemExit):
        main(["graph", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "mermaid: a stateDiagram-v2" in text and "dot: Graphviz" in text and "json: the nodes" in text


def test_draw_path_refuses_an_unknown_format_and_a_bare_string() -> None:
    with pytest.raises(ValueError, match="fmt must be 'mermaid' or 'dot', not 'svg'"):
        GRAPH.draw_path(["QUEUED", "RUNNING"], "svg")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="not the string 'RUNNING'"):
        GRAPH.draw_path("RUNNING")
