"""The benchmark's floor row measures what it says: the very objects ``normalize`` returns.

``benchmarks/README.md`` reads goals 1 and 2 against ``bench.build_floor``: if it built
less than ``normalize`` does (a field left out, a shared object where normalize makes a new one),
the floor would be too low and the reading wrong. No time is asserted here.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Any

import pytest

import runstate

from ..paths import ROOT

_BENCHMARKS = ROOT / "benchmarks"


@pytest.fixture(scope="module")
def bench() -> Iterator[Any]:
    sys.path.insert(0, str(_BENCHMARKS))
    try:
        import bench as module

        yield module
    finally:
        sys.path.remove(str(_BENCHMARKS))


@pytest.mark.parametrize("fresh", [True, False])
@pytest.mark.parametrize("provider", ["databricks", "glue", "cloud_deploy"])
def test_the_floor_builds_the_runs_normalize_returns(bench: Any, provider: str, fresh: bool) -> None:
    for record in bench.generate(provider, 300, seed=7):
        run = runstate.normalize(provider, record)
        floor = bench.build_floor(bench.floor_parts(run, fresh))
        assert floor == run
        assert repr(floor) == repr(run)
        assert runstate.to_dict(floor) == runstate.to_dict(run)
        assert floor.raw is run.raw  # passed through, as normalize keeps the record


@pytest.mark.parametrize("provider", ["databricks", "glue", "cloud_deploy"])
def test_the_floor_makes_new_objects_like_normalize(bench: Any, provider: str) -> None:
    """Each timed call builds its own ``Run``, ``Durations`` and ``Details`` (nothing reused)."""
    run = runstate.normalize(provider, next(bench.generate(provider, 1, seed=3)))
    parts = bench.floor_parts(run)
    first, second = bench.build_floor(parts), bench.build_floor(parts)
    assert first == second
    assert first is not second
    assert first.durations is not second.durations
    assert first.details is not second.details or not first.details
    shared = bench.floor_parts(run, False)
    assert bench.build_floor(shared).durations is run.durations
    assert bench.build_floor(shared).started_at is run.started_at
