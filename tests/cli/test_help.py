"""``help()`` reads: short signatures, and every field of the classes providers fill in explained."""

from __future__ import annotations

import pydoc

import attrs

import runstate
from runstate._core.docfields import document_fields, field_docs


def rendered(obj: object) -> str:
    return pydoc.render_doc(obj, renderer=pydoc.plaintext)  # type: ignore[attr-defined]


def test_check_provider_signature_is_short() -> None:
    text = rendered(runstate.check_provider)
    assert "graph: 'TransitionGraph' = <TransitionGraph: " in text
    assert len(text) < 1_000
    assert len(rendered(runstate.provider_problems)) < 1_500


def test_graph_repr_says_what_it_holds() -> None:
    edges = len(runstate.GRAPH.edges)
    assert repr(runstate.GRAPH) == f"<TransitionGraph: {edges} edges, initial BLOCKED, PENDING, QUEUED>"


def test_help_of_provider_spec_explains_every_field() -> None:
    text = rendered(runstate.ProviderSpec)
    docs = field_docs(runstate.ProviderSpec)
    for field in attrs.fields(runstate.ProviderSpec):
        assert docs.get(field.name), f"ProviderSpec.{field.name} has no docstring"
        first_line = docs[field.name].splitlines()[0]
        assert f"|  {field.name}\n |      {first_line}" in text


def test_a_class_without_source_keeps_its_docstring() -> None:
    namespace: dict[str, object] = {"attrs": attrs}
    exec("@attrs.frozen\nclass Made:\n    '''Made at run time.'''\n    x: int\n", namespace)
    made = namespace["Made"]
    assert isinstance(made, type)
    assert field_docs(made) == {}
    assert document_fields(made).__doc__ == "Made at run time."


def test_undocumented_fields_are_marked() -> None:
    @attrs.frozen
    class Half:
        """Half documented."""

        a: int
        """The documented one."""
        b: int

    doc = document_fields(Half).__doc__ or ""
    assert doc.endswith("Fields:\n\na\n    The documented one.\nb\n    (undocumented)")
