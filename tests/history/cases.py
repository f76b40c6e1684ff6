"""Histories for the property tests of logical runs and summaries: runs drawn from a small pool
of ids, jobs and links (so snapshots fold, retries link, cycles and closed keys come back), and
the bundled examples copied with new ids and times."""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from types import MappingProxyType
from typing import Any
from unittest import mock

import attrs
from hypothesis import strategies as st

from runstate import Durations, Reason, Run, State

T0 = datetime(2026, 3, 1, tzinfo=UTC)
NOW = T0 + timedelta(hours=5)
IDS = ("a", "b", "c", "d", "e")
BY = [
    ("provider", "namespace", "job_id"),
    ("job_id",),
    ("state", "reason"),
    ("name", "parent_run_id"),
    (),
]


def _time(minutes: int | None) -> datetime | None:
    return None if minutes is None else T0 + timedelta(minutes=minutes)


DURATIONS = st.none() | st.integers(-(10**7), 10**11).map(lambda us: timedelta(microseconds=us))
MINUTES = st.none() | st.integers(0, 240)
TASK = Run(provider="databricks", run_id="t", state=State.SUCCEEDED)


@st.composite
def any_runs(draw: st.DrawFn) -> Run:
    """A run with every field that grouping or summarizing reads drawn from a small pool, so that
    ids collide (snapshots), link (retries, reruns, cycles) and closed keys come back."""
    details: dict[str, Any] = {}
    if draw(st.booleans()):
        details["repair_history"] = [{"task_run_ids": [1]}] * draw(st.integers(0, 3))
    if draw(st.integers(0, 5)) == 0:
        details["active_intervals"] = [{"start": (T0 + timedelta(minutes=1)).isoformat(), "end": None}]
    return Run(
        provider=draw(st.sampled_from(["glue", "databricks"])),
        namespace=draw(st.sampled_from([None, "ns"])),
        run_id=draw(st.sampled_from(IDS)),
        job_id=draw(st.sampled_from([None, "j1", "j2"])),
        name=draw(st.sampled_from([None, "n"])),
        parent_run_id=draw(st.sampled_from([None, "p"])),
        state=draw(st.sampled_from(list(State))),
        reason=draw(st.sampled_from([None, *Reason])),
        message=draw(st.sampled_from([None, "m1", "m2"])),
        attempt=draw(st.integers(0, 2)),
        original_run_id=draw(st.sampled_from([None, "", *IDS])),
        previous_run_id=draw(st.sampled_from([None, "", *IDS])),
        created_at=_time(draw(MINUTES)),
        started_at=_time(draw(MINUTES)),
        ended_at=_time(draw(MINUTES)),
        updated_at=_time(draw(MINUTES)),
        durations=Durations(total=draw(DURATIONS), queue=draw(DURATIONS), execution=draw(DURATIONS)),
        details=MappingProxyType(details),
        tasks=(TASK,) * draw(st.integers(0, 1)),
        raw=draw(st.sampled_from([None, {"x": 1}])),
    )


HORIZONS = st.sampled_from([None, timedelta(0), timedelta(minutes=30), timedelta(hours=3)])


@contextmanager
def recent(size: int | None, also: Any = None) -> Iterator[None]:
    """Logical runs remembering only the last ``size`` runs closed (``None``: as shipped); so does
    the frozen grouping of ``tests/reference_history.py``, when it is given as ``also``."""
    if size is None:
        yield
        return
    with mock.patch("runstate._history.logical.RECENT_CLOSED", size):
        if also is None:
            yield
            return
        with mock.patch.object(also, "RECENT_CLOSED", size):
            yield


def vary(runs: list[Run], rng: random.Random, copies: int) -> Iterator[Run]:
    """``copies`` of some runs with new ids (links kept within a copy), jobs and times, shuffled a little."""
    out = []
    for copy in range(copies):
        ids = {r.run_id: f"{r.run_id}-{copy}" for r in runs}
        shift = timedelta(seconds=rng.randrange(0, 86_400 * 30))

        def moved(value: datetime | None, shift: timedelta = shift) -> datetime | None:
            return None if value is None else value + shift

        for run in runs:
            linked = {
                f: ids.get(getattr(run, f), getattr(run, f)) for f in ("original_run_id", "previous_run_id")
            }
            out.append(attrs.evolve(run, run_id=ids[run.run_id], job_id=f"{run.job_id}-{copy % 7}",
                                    created_at=moved(run.created_at), started_at=moved(run.started_at),
                                    ended_at=moved(run.ended_at), updated_at=moved(run.updated_at),
                                    **linked))  # fmt: skip
    for i in range(0, len(out) - 1, 3):  # a little disorder
        if rng.random() < 0.3:
            out[i], out[i + 1] = out[i + 1], out[i]
    return iter(out)
