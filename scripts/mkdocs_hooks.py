"""MkDocs hooks: the reference pages are generated from ``schemas/`` at build time, so they cannot drift.

- ``providers/index.md`` and ``providers/<name>.md``: every provider word of every table in
  ``schemas/providers.json`` with its canonical state and reason (and its evidence when the row has one),
  the native states and the native edges.
- ``run-schema.md``: the fields of ``schemas/run.schema.json`` with the docstrings of ``runstate.Run``.
- ``graph.md``: the ``<!-- graph-mermaid -->`` marker becomes the Mermaid drawing of the canonical
  graph, and each provider page draws its native graph: both by runstate's own drawing code
  (``TransitionGraph.to_mermaid``, ``provider_graph``), from the tables ``schemas/`` is generated from.
- Pages still being written elsewhere (``PENDING``): while one does not exist, it is dropped from the
  nav and a link to it (``[the CLI](cli.md)``) is shown as its text, so pages can link it already.
"""

from __future__ import annotations

import ast
import itertools
import json
import re
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, Final

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

ROOT: Final = Path(__file__).resolve().parent.parent
if str(ROOT / "src") not in sys.path:  # draw with this tree's runstate, as mkdocstrings documents it
    sys.path.insert(0, str(ROOT / "src"))
SCHEMAS: Final = ROOT / "schemas"
MODEL_SOURCE: Final = ROOT / "src" / "runstate" / "_core" / "model.py"
GRAPH_MARKER: Final = "<!-- graph-mermaid -->"
PROVIDERS_INDEX: Final = "providers/index.md"
PENDING_LINK: Final = r"\[([^\]]+)\]\((?:\.\./)*{page}(?:#[^)\s]*)?\)"
"""A Markdown link to a page (from any depth, with or without an anchor); ``{page}`` is its path."""
SPHINX_ROLE: Final = re.compile(r":(?:class|func|meth|attr|mod|data|exc|obj):<code>(~?)([\w.]+)</code>")
"""A Sphinx role as mkdocstrings renders it (``:func:<code>~runstate.normalize</code>``)."""

PENDING: Final = frozenset({"cli.md", "errors.md", "tables.md", "sql.md"})
"""Pages written on other branches: while one does not exist, it leaves the nav and links to it are text."""


def _load(name: str) -> Any:
    return json.loads((SCHEMAS / name).read_text(encoding="utf-8"))


# --- providers ------------------------------------------------------------------------------------


def _code(value: object) -> str:
    return "" if value is None else f"`{value}`"


def _evidence(value: object) -> str:
    """An ``evidence`` entry as one table cell: text, a list of texts, or a mapping of labelled texts."""
    if value is None:
        return ""
    if isinstance(value, Mapping):
        return "; ".join(f"{k}: {_evidence(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return "; ".join(_evidence(v) for v in value)
    text = str(value).replace("|", "\\|").replace("\n", " ")
    return f"<{text}>" if text.startswith(("http://", "https://")) and " " not in text else text


def _table_lines(table: str, rows: Mapping[str, Mapping[str, Any]]) -> Iterator[str]:
    with_evidence = any("evidence" in row for row in rows.values())
    yield f"### `{table}`"
    yield ""
    yield f"{len(rows)} values."
    yield ""
    yield "| provider word | state | reason |" + (" evidence |" if with_evidence else "")
    yield "| --- | --- | --- |" + (" --- |" if with_evidence else "")
    for word, row in rows.items():
        cells = [_code(word), _code(row.get("state")), _code(row.get("reason"))]
        if with_evidence:
            cells.append(_evidence(row.get("evidence")))
        yield "| " + " | ".join(cells) + " |"
    yield ""


def provider_page(name: str, data: Mapping[str, Any], diagram: str = "") -> str:
    """The reference page of one provider, from its entry in ``schemas/providers.json``; ``diagram``
    (Mermaid) draws its native graph above the transition table."""
    lines = [
        f"# Provider `{name}`",
        "",
        "Generated at build time from `schemas/providers.json`; the tables are the ones the code reads.",
        "",
        f"- Checked against: {data.get('provenance') or 'not recorded'}",
        "- Re-runs a terminated run in place (repair, redrive) from: "
        + ", ".join(data.get("rerun_states") or ["never"]),
        "",
        "## Mapping tables",
        "",
        "Every value the provider's SDK or service model defines, and each documented extra, with the",
        "canonical state and reason it maps to.",
        "",
    ]
    for table, rows in data.get("tables", {}).items():
        lines += _table_lines(table, rows)
    lines += ["## Native states", "", "| native state | canonical states |", "| --- | --- |"]
    for word, states in data.get("native_states", {}).items():
        lines.append(f"| `{word}` | {', '.join(_code(s) for s in states)} |")
    lines += ["", "## Native transitions", ""]
    if diagram:
        lines += ["Each native state with its canonical states; repair edges are labelled.", "",
                  f"```mermaid\n{diagram.rstrip()}\n```", ""]  # fmt: skip
    lines += ["| from | to | repair |", "| --- | --- | --- |"]
    for edge in data.get("native_edges", []):
        repair = "repair" if edge.get("repair") else ""
        lines.append(f"| `{edge['source']}` | `{edge['target']}` | {repair} |")
    return "\n".join(lines) + "\n"


def providers_index(providers: Mapping[str, Any]) -> str:
    """The list of providers, with the size of their tables."""
    lines = [
        "# Providers",
        "",
        "One page per registered provider, generated from `schemas/providers.json` at build time.",
        "",
        "| provider | checked against | tables | provider words |",
        "| --- | --- | --- | --- |",
    ]
    for name, data in providers.items():
        tables = data.get("tables", {})
        words = sum(len(rows) for rows in tables.values())
        link = f"[`{name}`]({name}.md)"
        lines.append(f"| {link} | {data.get('provenance', '')} | {len(tables)} | {words} |")
    return "\n".join(lines) + "\n"


# --- the run schema -------------------------------------------------------------------------------


def attribute_docs(source: str, class_name: str) -> dict[str, str]:
    """Attribute docstrings (a string right after an annotated field) of one class in ``source``."""
    tree = ast.parse(source)
    body = next(n.body for n in tree.body if isinstance(n, ast.ClassDef) and n.name == class_name)
    docs: dict[str, str] = {}
    for node, following in itertools.pairwise(body):
        if not (isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)):
            continue
        if isinstance(following, ast.Expr) and isinstance(following.value, ast.Constant):
            docs[node.target.id] = " ".join(str(following.value.value).split())
    return docs


def _schema_type(prop: Mapping[str, Any]) -> str:
    if "$ref" in prop:
        return f"`{prop['$ref'].rsplit('/', 1)[-1]}`"
    if "enum" in prop:
        return "one of " + ", ".join("`null`" if v is None else f"`{v}`" for v in prop["enum"])
    kind = prop.get("type", "any")
    text = " or ".join(kind) if isinstance(kind, list) else str(kind)
    return text + (f" ({prop['format']})" if "format" in prop else "")


def _doc_cell(docs: Mapping[str, str], field: str, owner: str) -> str:
    """A field's docstring as a table cell; a field without one fails the build."""
    doc = docs.get(field)
    if not doc:
        raise ValueError(f"run schema field {field!r} has no docstring in runstate.{owner}")
    return doc.replace("|", "\\|")


def run_schema_page(
    schema: Mapping[str, Any], docs: Mapping[str, str], durations_docs: Mapping[str, str] | None = None
) -> str:
    """The fields of the canonical run as ``to_dict`` writes them; a field without docs fails the build.

    ``durations_docs`` (the attribute docstrings of ``Durations``) document the ``durations`` definition.
    """
    required = set(schema.get("required", ()))
    lines = [
        "# Run schema",
        "",
        "Generated at build time from `schemas/run.schema.json` (JSON Schema 2020-12) and the field",
        "docstrings of `runstate.Run`. Every `runstate.to_dict(run)` validates against it.",
        "",
        "| field | JSON type | required | meaning |",
        "| --- | --- | --- | --- |",
    ]
    for field, prop in schema["properties"].items():
        # a property of the document rather than of the run (schema_version) documents itself
        doc = (
            prop["description"]
            if field not in docs and "description" in prop
            else _doc_cell(docs, field, "Run")
        )
        lines.append(f"| `{field}` | {_schema_type(prop)} | {'yes' if field in required else ''} | {doc} |")
    lines += ["", "## Definitions", ""]
    for name, definition in schema.get("$defs", {}).items():
        documented = name == "durations" and durations_docs is not None
        header = (
            "| field | JSON type | meaning |\n| --- | --- | --- |"
            if documented
            else "| field | JSON type |\n| --- | --- |"
        )
        lines += [f"### `{name}`", "", header]
        for field, prop in definition.get("properties", {}).items():
            cell = f" {_doc_cell(durations_docs or {}, field, 'Durations')} |" if documented else ""
            lines.append(f"| `{field}` | {_schema_type(prop)} |{cell}")
        lines.append("")
    return "\n".join(lines) + "\n"


# --- the graph ------------------------------------------------------------------------------------


def graph_mermaid() -> str:
    """The canonical graph as a Mermaid fence, drawn by :meth:`runstate.TransitionGraph.to_mermaid`."""
    from runstate import GRAPH

    return "```mermaid\n" + GRAPH.to_mermaid() + "```\n"


def native_mermaid(name: str) -> str:
    """A registered provider's native graph as Mermaid, drawn by ``runstate``'s ``provider_graph``."""
    from runstate import REGISTRY
    from runstate._kit.native_graph import provider_graph

    return provider_graph(REGISTRY.get(name), "mermaid")


# --- the hooks ------------------------------------------------------------------------------------


def _nav_items(items: list[Any], docs_dir: Path, providers: list[str]) -> list[Any]:
    kept: list[Any] = []
    for item in items:
        value = next(iter(item.values())) if isinstance(item, dict) else item
        if isinstance(value, list):
            value = _nav_items(value, docs_dir, providers)
        elif value in PENDING and not (docs_dir / value).exists():
            continue
        elif value == PROVIDERS_INDEX:
            value = [PROVIDERS_INDEX, *(f"providers/{name}.md" for name in providers)]
        kept.append({next(iter(item)): value} if isinstance(item, dict) else value)
    return kept


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    """Drop pending guide pages that do not exist yet; list every provider's page under Providers."""
    providers = list(_load("providers.json"))
    if config.nav is not None:
        config.nav = _nav_items(config.nav, Path(config.docs_dir), providers)
    return config


def on_files(files: Files, config: MkDocsConfig) -> Files:
    """Add the generated pages to the build (they exist only in memory)."""
    providers = _load("providers.json")
    pages = {PROVIDERS_INDEX: providers_index(providers)}
    pages |= {
        f"providers/{name}.md": provider_page(name, data, native_mermaid(name))
        for name, data in providers.items()
    }
    source = MODEL_SOURCE.read_text(encoding="utf-8")
    docs, durations_docs = attribute_docs(source, "Run"), attribute_docs(source, "Durations")
    pages["run-schema.md"] = run_schema_page(_load("run.schema.json"), docs, durations_docs)
    for path, text in pages.items():
        files.append(File.generated(config, path, content=text))
    return files


def unlink_pending(markdown: str, docs_dir: Path) -> str:
    """Links to pending pages that do not exist yet become their text (a link would fail the build)."""
    for page in sorted(PENDING):
        if not (docs_dir / page).exists():
            markdown = re.sub(PENDING_LINK.format(page=re.escape(page)), r"\1", markdown)
    return markdown


def on_page_markdown(markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    """Draw the transition graph where a page asks for it; unlink pages not merged yet."""
    if GRAPH_MARKER in markdown:
        markdown = markdown.replace(GRAPH_MARKER, graph_mermaid())
    return unlink_pending(markdown, Path(config.docs_dir))


def on_page_content(html: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    """Show the docstrings' Sphinx roles (``:class:`Run```) as the code they name, not as markup."""
    return SPHINX_ROLE.sub(_role_code, html)


def _role_code(match: re.Match[str]) -> str:
    """``~a.b.c`` shows ``c`` (as Sphinx does), ``a.b.c`` shows it whole."""
    tilde, name = match.groups()
    return f"<code>{name.rsplit('.', 1)[-1] if tilde else name}</code>"
