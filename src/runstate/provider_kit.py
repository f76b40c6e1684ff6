"""What a provider module is written with: the same kit for built-in and third-party providers.

A provider declares its tables as data (:class:`Outcome` per provider word), its native edges, and a
``build(record, ctx, keep_raw) -> Run`` that reads fields with the readers below, reporting every
problem through ``ctx`` (strict raises, lenient warns). Register it with :func:`runstate.register_provider`
and prove it sound in its own tests with :func:`runstate.check_provider`. On a hot path, build
runs with :func:`new_run` / :func:`new_durations` (same arguments as ``Run`` / ``Durations``, about
three times faster, no conversion: pass a ``State``, a ``Reason`` and a tuple of tasks). A provider
whose records are pieces of runs (hourly slices) gives its spec a ``combine`` (:data:`CombineFunction`)
that merges the stream of runs ``normalize_many`` builds.
"""

from __future__ import annotations

from ._context import Context
from ._durations import check_order, check_parts, duration_from_ms, duration_from_s
from ._fields import opt_id, opt_int, opt_mapping, opt_sequence, opt_str, required_id
from ._model import EMPTY, Durations, Missing, Run, new_durations, new_run
from ._serialize import format_time
from ._spec import (
    UNKNOWN_OUTCOME,
    BuildFunction,
    CombineFunction,
    NativeEdge,
    Outcome,
    ProviderSpec,
    check_provider,
    map_word,
)
from ._times import time_from_epoch_ms, time_from_epoch_s, time_from_value, to_utc
from ._vocabulary import Phase, Reason, State

__all__ = [
    "EMPTY",
    "UNKNOWN_OUTCOME",
    "BuildFunction",
    "CombineFunction",
    "Context",
    "Durations",
    "Missing",
    "NativeEdge",
    "Outcome",
    "Phase",
    "ProviderSpec",
    "Reason",
    "Run",
    "State",
    "check_order",
    "check_parts",
    "check_provider",
    "duration_from_ms",
    "duration_from_s",
    "format_time",
    "map_word",
    "new_durations",
    "new_run",
    "opt_id",
    "opt_int",
    "opt_mapping",
    "opt_sequence",
    "opt_str",
    "required_id",
    "time_from_epoch_ms",
    "time_from_epoch_s",
    "time_from_value",
    "to_utc",
]
