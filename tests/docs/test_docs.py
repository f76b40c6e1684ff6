"""The documentation site: ``mkdocs build --strict`` passes, and the provider pages hold every SDK value.

The provider pages are generated from ``schemas/providers.json`` at build time; these tests read the
built HTML and check it against the installed SDKs (as ``tests/test_provider_*`` do) and the live
tables, so a page that drops a value, or shows a mapping the code does not make, fails here.
"""

from __future__ import annotations

import html
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("mkdocs", reason="mkdocs is in the 'docs' extra: pip install 'runstate[docs]'")

from databricks.sdk.service import jobs
from google.cloud import deploy_v1

import runstate

from ..botocore_glue import job_run_states
from ..hooks_support import load_hooks
from ..paths import ROOT

ROOT = ROOT

DATABRICKS_ENUMS: dict[str, Any] = {
    "RunLifeCycleState": jobs.RunLifeCycleState,
    "RunResultState": jobs.RunResultState,
    "RunLifecycleStateV2State": jobs.RunLifecycleStateV2State,
    "TerminationCodeCode": jobs.TerminationCodeCode,
    "TerminationTypeType": jobs.TerminationTypeType,
    "QueueDetailsCodeCode": jobs.QueueDetailsCodeCode,
}
CLOUD_DEPLOY_SUB_TYPES: tuple[Any, ...] = (
    deploy_v1.DeployJobRun,
    deploy_v1.VerifyJobRun,
    deploy_v1.PredeployJobRun,
    deploy_v1.PostdeployJobRun,
    deploy_v1.CreateChildRolloutJobRun,
    deploy_v1.AdvanceChildRolloutJobRun,
)


def sdk_values() -> list[tuple[str, str, str]]:
    """(provider, table, value) for every enum value of every provider's installed SDK."""
    values = [("databricks", t, e.value) for t, enum in DATABRICKS_ENUMS.items() for e in enum]
    values += [("glue", "JobRunState", v) for v in job_run_states()]
    values += [("cloud_deploy", "JobRun.State", s.name) for s in deploy_v1.JobRun.State.__members__.values()]
    values += [
        ("cloud_deploy", f"{cls.__name__}.FailureCause", cause.name)
        for cls in CLOUD_DEPLOY_SUB_TYPES
        if hasattr(cls, "FailureCause")
        for cause in cls.FailureCause
    ]
    return values


SDK_VALUES = sdk_values()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site, built once with ``mkdocs build --strict`` (a warning fails the build)."""
    out = tmp_path_factory.mktemp("site")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-f", "mkdocs.yml", "-d", str(out)]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, f"mkdocs build --strict failed:\n{done.stdout}\n{done.stderr}"
    return out


def table_rows(page: str, table: str | None = None) -> dict[str, list[str]]:
    """The rows of the table headed ``table`` (else the page's first table): first cell to all cells."""
    section = page
    if table is not None:
        sections = re.split(r"<h[23][ >]", page)
        section = next(s for s in sections if re.match(rf"[^>]*>\s*<code>{re.escape(table)}</code>", s))
    body = section.split("<table>", 1)[1].split("</table>", 1)[0]
    rows: dict[str, list[str]] = {}
    for row in re.findall(r"<tr>(.*?)</tr>", body, re.DOTALL):
        cells = [html.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in re.findall(r"<td>(.*?)</td>", row)]
        if cells:
            rows[cells[0]] = cells
    return rows


def provider_page(site: Path, provider: str) -> str:
    return (site / "providers" / provider / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize(("provider", "table", "value"), SDK_VALUES)
def test_every_sdk_value_is_on_its_provider_page(site: Path, provider: str, table: str, value: str) -> None:
    rows = table_rows(provider_page(site, provider), table)
    assert value in rows, f"{provider}: {table}: {value} is not on the page"
    outcome = runstate.REGISTRY.get(provider).tables[table][value]
    reason = "" if outcome.reason is None else outcome.reason.value
    assert rows[value][1:3] == [outcome.state.value, reason]


def test_every_provider_has_a_page_listed_in_the_index(site: Path) -> None:
    index = (site / "providers" / "index.html").read_text(encoding="utf-8")
    for name in runstate.providers():
        assert (site / "providers" / name / "index.html").is_file()
        assert f'href="{name}/"' in index


def test_graph_page_draws_every_edge(site: Path) -> None:
    page = html.unescape((site / "graph" / "index.html").read_text(encoding="utf-8"))
    assert 'class="mermaid"' in page
    for edge in runstate.GRAPH.edges:
        assert f"{edge.source.value} --> {edge.target.value}" in page


def test_run_schema_page_documents_every_field(site: Path) -> None:
    page = (site / "run-schema" / "index.html").read_text(encoding="utf-8")
    rows = table_rows(page)
    fields = runstate.to_dict(runstate.Run(provider="p", run_id="r", state="RUNNING"))
    assert set(fields) <= set(rows)
    assert all(cells[3] for cells in rows.values()), "a field without docs"


def test_api_pages_render_the_docstrings(site: Path) -> None:
    page = (site / "api" / "model" / "index.html").read_text(encoding="utf-8")
    assert 'id="runstate.Run"' in page
    assert "One run of a job, in canonical form" in page
    assert ":class:" not in page  # the Sphinx roles are shown as code


@pytest.mark.parametrize(
    ("page", "anchors"),
    [
        ("history", ["runstate.logical_runs", "runstate.LogicalRun", "runstate.latest_task_attempts"]),
        ("summaries", ["runstate.summarize", "runstate.Summary"]),
        ("polling", ["runstate.poll", "runstate.apoll", "runstate.PollTimeoutError"]),
        ("exports", ["runstate.otel_run_state", "runstate.otel.emit", "runstate.openlineage.events",
                     "runstate.cdevents.events"]),
        ("plugins", ["runstate._kit.plugins.GROUP"]),
    ],
)  # fmt: skip
def test_the_new_public_surface_has_api_pages(site: Path, page: str, anchors: list[str]) -> None:
    text = (site / "api" / page / "index.html").read_text(encoding="utf-8")
    for anchor in anchors:
        assert f'id="{anchor}"' in text, anchor
    assert ":func:" not in text and ":class:" not in text


def test_the_warehouse_providers_are_documented(site: Path) -> None:
    text = html.unescape((site / "api" / "warehouse" / "index.html").read_text(encoding="utf-8"))
    assert "job_run_timeline" in text and "Glue Job State Change" in text


# --- the hook's pure parts ------------------------------------------------------------------------


HOOKS = load_hooks()


@pytest.mark.parametrize(
    ("evidence", "cell"),
    [
        ("https://docs.aws.amazon.com/glue/latest/dg/job-run-statuses.html",
         "<https://docs.aws.amazon.com/glue/latest/dg/job-run-statuses.html>"),
        ("SDK docstring: a | b", "SDK docstring: a \\| b"),
        (["one", "two"], "one; two"),
        ({"source": "SDK", "quote": "x"}, "source: SDK; quote: x"),
        (None, ""),
    ],
)  # fmt: skip
def test_evidence_is_one_table_cell(evidence: object, cell: str) -> None:
    assert HOOKS._evidence(evidence) == cell


def test_evidence_column_appears_when_rows_have_evidence() -> None:
    data = {"tables": {"status": {"done": {"state": "SUCCEEDED", "reason": None, "evidence": "the docs"}}}}
    page = HOOKS.provider_page("acme", data)
    assert "| provider word | state | reason | evidence |" in page
    assert "| `done` | `SUCCEEDED` |  | the docs |" in page


def test_pending_pages_leave_the_nav_until_they_exist(tmp_path: Path) -> None:
    (tmp_path / "cli.md").write_text("# CLI\n")
    nav = [
        {"Home": "index.md"},
        {"Guides": [{"CLI": "cli.md"}, {"SQL": "sql.md"}, "tables.md", {"Export": "export.md"}]},
        {"Providers": "providers/index.md"},
    ]
    assert HOOKS._nav_items(nav, tmp_path, ["glue"]) == [
        {"Home": "index.md"},
        {"Guides": [{"CLI": "cli.md"}, {"Export": "export.md"}]},  # export.md is not pending: kept
        {"Providers": ["providers/index.md", "providers/glue.md"]},
    ]


def test_only_the_pages_of_other_branches_are_pending() -> None:
    assert {"cli.md", "errors.md", "tables.md", "sql.md"} == HOOKS.PENDING


def test_links_to_pending_pages_are_text_until_they_exist(tmp_path: Path) -> None:
    (tmp_path / "sql.md").write_text("# SQL\n")
    page = "See the [command line](cli.md), [its errors](../errors.md#codes), [SQL](sql.md), [x](export.md)."
    assert HOOKS.unlink_pending(page, tmp_path) == (
        "See the command line, its errors, [SQL](sql.md), [x](export.md)."
    )


def test_every_page_of_the_docs_is_in_the_nav() -> None:
    """A page nobody can reach is a page nobody reads: every docs/*.md is named in mkdocs.yml."""
    nav = (ROOT / "mkdocs.yml").read_text(encoding="utf-8").split("\nnav:", 1)[1]
    pages = {p.relative_to(ROOT / "docs").as_posix() for p in (ROOT / "docs").rglob("*.md")}
    assert {page for page in pages if f": {page}" not in nav} == set()


def test_a_schema_field_without_docs_fails_the_build() -> None:
    schema = {"properties": {"mystery": {"type": "string"}}}
    with pytest.raises(ValueError, match="'mystery' has no docstring"):
        HOOKS.run_schema_page(schema, {})


def test_every_run_and_durations_field_has_an_attribute_docstring() -> None:
    """No fallback: a new field of Run or Durations without a docstring fails the docs build."""
    source = (ROOT / "src" / "runstate" / "_core" / "model.py").read_text(encoding="utf-8")
    schema = json.loads((ROOT / "schemas" / "run.schema.json").read_text(encoding="utf-8"))
    assert not hasattr(HOOKS, "FIELD_NOTES")
    run_docs, durations_docs = HOOKS.attribute_docs(source, "Run"), HOOKS.attribute_docs(source, "Durations")
    documents_itself = {name for name, prop in schema["properties"].items() if name not in run_docs}
    assert documents_itself == {"schema_version"}  # a property of the document, not of the run
    assert "description" in schema["properties"]["schema_version"]
    assert set(schema["$defs"]["durations"]["properties"]) <= set(durations_docs)
    page = HOOKS.run_schema_page(schema, run_docs, durations_docs)
    assert "| `missing` | object | For each ``None`` part" in page
    with pytest.raises(ValueError, match=r"'queue' has no docstring in runstate\.Durations"):
        HOOKS.run_schema_page(schema, run_docs, {})


def test_attribute_docstrings_are_read_from_the_source() -> None:
    source = 'class Run:\n    a: int\n    """The a."""\n    b: int\n'
    source += 'class Other:\n    c: int\n    """No."""\n'
    assert HOOKS.attribute_docs(source, "Run") == {"a": "The a."}
