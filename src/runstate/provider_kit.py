"""What a provider module is written with: the same kit for built-in and third-party providers.

A provider declares its tables as data (:class:`Outcome` per provider word), its native edges, and a
``build(record, ctx, keep_raw) -> Run`` that reads fields with the readers below, reporting every
problem through ``ctx`` (strict raises, lenient warns). Register it with :func:`runstate.register_provider`
and prove it sound in its own tests with :func:`runstate.check_provider`.

Build runs with the typed builders :func:`make_run` / :func:`make_durations`: the same arguments as
``Run`` / ``Durations``, about three times faster, and no conversion, so pass exactly the declared
types (a ``State``, a ``Reason`` or ``None``, a tuple of tasks); mypy checks every keyword and type.
A provider whose records are pieces of runs (hourly slices) gives its spec a ``combine``
(:data:`CombineFunction`) that merges the stream of runs ``normalize_many`` builds.
"""

from __future__ import annotations

from ._context import Context
from ._durations import check_order, check_parts, duration_from_ms, duration_from_s
from ._fields import opt_id, opt_int, opt_mapping, opt_sequence, opt_str, required_id
from ._model import EMPTY, Durations, Missing, Run
from ._model import new_durations as make_durations
from ._model import new_durations as new_durations  # old name, kept until the built-ins switch
from ._model import new_run as make_run
from ._model import new_run as new_run  # old name, kept until the built-ins switch
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
    "make_durations",
    "make_run",
    "map_word",
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
