"""JSON Schema (draft 2020-12) of :func:`runstate.to_dict` output, and of the provider tables.

``scripts/generate_schemas.py`` writes these into ``schemas/``; a test fails when they drift.
"""

from __future__ import annotations

import json
from typing import Any

import attrs

from .._core.model import DURATION_PARTS, Durations, Missing, Run
from .._core.vocabulary import STATE_PHASE, Phase, Reason, State
from .registry import ProviderRegistry

__all__ = ["provider_tables", "run_schema", "schema_text"]

_ID = "https://runstate.dev/schemas/run.schema.json"
_TIME = {"type": ["string", "null"], "format": "date-time", "pattern": r"Z$"}
_TEXT_OR_NULL = {"type": ["string", "null"]}
_SECONDS = {"type": ["number", "null"], "description": "seconds"}


def _durations_schema() -> dict[str, Any]:
    props: dict[str, Any] = dict.fromkeys(DURATION_PARTS, _SECONDS)
    props["missing"] = {
        "type": "object",
        "description": "why a part is null",
        "propertyNames": {"enum": list(DURATION_PARTS)},
        "additionalProperties": {"enum": [m.value for m in Missing]},
    }
    return {"type": "object", "properties": props, "required": list(props), "additionalProperties": False}


def _run_properties() -> dict[str, Any]:
    return {
        "provider": {"type": "string", "minLength": 1},
        "run_id": {"type": "string"},
        "namespace": _TEXT_OR_NULL,
        "state": {"enum": [s.value for s in State]},
        "job_id": _TEXT_OR_NULL,
        "name": _TEXT_OR_NULL,
        "reason": {"enum": [*(r.value for r in Reason), None]},
        "provider_state": {"type": "object", "additionalProperties": {"type": "string"}},
        "message": _TEXT_OR_NULL,
        "attempt": {"type": "integer", "minimum": 0},
        "original_run_id": _TEXT_OR_NULL,
        "previous_run_id": _TEXT_OR_NULL,
        "parent_run_id": _TEXT_OR_NULL,
        "created_at": _TIME,
        "started_at": _TIME,
        "ended_at": _TIME,
        "updated_at": _TIME,
        "durations": {"$ref": "#/$defs/durations"},
        "tasks": {"type": "array", "items": {"$ref": "#"}},
        "details": {"type": "object", "description": "provider facts without a canonical field"},
        "raw": {"type": ["object", "null"], "description": "the record it was made from"},
    }


def run_schema() -> dict[str, Any]:
    """The schema of one canonical run as :func:`runstate.to_dict` writes it."""
    props = _run_properties()
    fields = [f.name for f in attrs.fields(Run)]
    if sorted(fields) != sorted(props):  # pragma: no cover - guarded by the drift test
        raise AssertionError(f"schema out of step with Run: {sorted(set(fields) ^ set(props))}")
    assert [f.name for f in attrs.fields(Durations)] == [*DURATION_PARTS, "missing"]
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": _ID,
        "title": "runstate canonical run",
        "type": "object",
        "properties": {
            "schema_version": {"type": "string", "description": "to_dict's output version; absent in 0.1"},
            **{name: props[name] for name in fields},
        },
        "required": fields,
        "additionalProperties": False,
        "$defs": {
            "durations": _durations_schema(),
            "phases": {"const": {s.value: STATE_PHASE[s].value for s in State}},
            "phase": {"enum": [p.value for p in Phase]},
        },
    }


def provider_tables(registry: ProviderRegistry) -> dict[str, Any]:
    """Every registered provider's mapping tables, native graph and provenance, as JSON-ready data."""
    result: dict[str, Any] = {}
    for name in registry.names():
        spec = registry.get(name)
        result[name] = {
            "provenance": spec.provenance,
            "can_repair": spec.can_repair,
            "rerun_states": sorted(s.value for s in spec.rerun_states),
            "tables": {
                table: {
                    word: {
                        "state": o.state.value,
                        "reason": None if o.reason is None else o.reason.value,
                        "evidence": spec.evidence.get(table, {}).get(word),
                    }
                    for word, o in sorted(entries.items())
                }
                for table, entries in sorted(spec.tables.items())
            },
            "native_states": {
                n: sorted(s.value for s in states) for n, states in sorted(spec.native_states.items())
            },
            "native_edges": [
                {"source": e.source, "target": e.target, "repair": e.repair} for e in spec.native_edges
            ],
        }
    return result


def schema_text(data: Any) -> str:
    """Stable JSON text for a generated file."""
    return json.dumps(data, indent=2, sort_keys=False, ensure_ascii=False) + "\n"
