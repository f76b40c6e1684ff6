"""Acme Pipelines for runstate: a third-party provider written only against ``runstate.provider_kit``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from runstate.provider_kit import Context, NativeEdge, Outcome, ProviderSpec, Run, State, make_run, map_word

STATUS: Final = {"running": Outcome(State.RUNNING), "done": Outcome(State.SUCCEEDED)}


def build(record: Any, ctx: Context, keep_raw: bool) -> Run:
    """One Acme record (``{"id": ..., "status": ...}``) to a run."""
    if not isinstance(record, Mapping):
        ctx.fail("$", record, "expected an object")
    outcome = map_word(STATUS, record.get("status"), ctx, "$.status")
    return make_run(
        provider="acme", run_id=str(record.get("id")), state=outcome.state, raw=record if keep_raw else None
    )


SPEC: Final = ProviderSpec(
    name="acme",
    build=build,
    tables={"status": STATUS},
    known_values={"status": ("running", "done")},
    native_states={"running": frozenset({State.RUNNING}), "done": frozenset({State.SUCCEEDED})},
    native_edges=(NativeEdge("running", "done"),),
    provenance="made up for runstate's plugin tests",
)
