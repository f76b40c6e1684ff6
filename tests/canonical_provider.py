"""A test-only provider whose records are ``runstate.to_dict`` output: generated runs in, the same runs out.

It lets the batch paths (normalize_batches, Spark) be checked against ``to_row`` over any generated
run, not only over what the real providers can produce.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Final

import runstate
from runstate.provider_kit import Context, ProviderSpec, Run

NAME: Final = "canonical"


def build(record: Any, ctx: Context, keep_raw: bool) -> Run:
    """A run from its ``to_dict`` form (``from_dict`` raises InvalidRecordError on anything else)."""
    return runstate.from_dict(record)


SPEC: Final = ProviderSpec(
    name=NAME, build=build, tables={}, known_values={}, native_states={}, native_edges=()
)


@contextmanager
def registered() -> Iterator[str]:
    """The provider registered in the default registry for the duration of the block."""
    runstate.register_provider(SPEC)
    try:
        yield NAME
    finally:
        runstate.REGISTRY.unregister(NAME)


class InWorker:
    """A ``mapInArrow`` function that registers this provider where it runs, then normalizes.

    Spark executors start with only the built-in providers; pickled by value (cloudpickle's
    ``register_pickle_by_value`` on this module) it brings the provider along.
    """

    def __call__(self, batches: Iterator[Any]) -> Iterator[Any]:
        from runstate.arrow import normalize_batches

        if NAME not in runstate.REGISTRY:
            runstate.register_provider(
                ProviderSpec(
                    name=NAME, build=build, tables={}, known_values={}, native_states={}, native_edges=()
                )
            )
        yield from normalize_batches(NAME, batches)
