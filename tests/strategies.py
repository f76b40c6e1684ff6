"""Hypothesis strategies shared by the test modules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from types import MappingProxyType

from hypothesis import strategies as st

from runstate import Durations, Missing, Reason, Run, State
from runstate._core.model import DURATION_PARTS

# realistic instants: the APIs' epoch numbers start after 1973 (see runstate._core.times)
aware_datetimes = st.datetimes(
    min_value=datetime(1974, 1, 1), max_value=datetime(2200, 1, 1), timezones=st.just(UTC)
)
offsets = st.integers(min_value=-(23 * 60 + 59), max_value=23 * 60 + 59).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)
# durations well inside the exact range of float seconds (2**53 microseconds is ~285 years)
durations = st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=3650))
maybe_durations = st.none() | durations
texts = st.text(max_size=20)
maybe_texts = st.none() | texts
states = st.sampled_from(list(State))
reasons = st.none() | st.sampled_from(list(Reason))

json_scalars = st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(max_size=10)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=10,
)


@st.composite
def durations_values(draw: st.DrawFn) -> Durations:
    values = {part: draw(maybe_durations) for part in DURATION_PARTS}
    missing = {
        part: draw(st.sampled_from(list(Missing)))
        for part, v in values.items()
        if v is None and draw(st.booleans())
    }
    return Durations(**values, missing=MappingProxyType(missing))


def runs(max_depth: int = 2) -> st.SearchStrategy[Run]:
    """Canonical runs with every field exercised (JSON-native raw and details)."""

    @st.composite
    def build(draw: st.DrawFn, depth: int) -> Run:
        tasks = draw(st.lists(build(depth - 1), max_size=2)) if depth > 0 else []
        return Run(
            provider=draw(st.sampled_from(["databricks", "glue", "cloud_deploy", "acme"])),
            run_id=draw(texts),
            job_id=draw(maybe_texts),
            name=draw(maybe_texts),
            state=draw(states),
            reason=draw(reasons),
            provider_state=MappingProxyType(draw(st.dictionaries(texts, texts, max_size=3))),
            message=draw(maybe_texts),
            attempt=draw(st.integers(0, 10)),
            original_run_id=draw(maybe_texts),
            previous_run_id=draw(maybe_texts),
            parent_run_id=draw(maybe_texts),
            created_at=draw(st.none() | aware_datetimes),
            started_at=draw(st.none() | aware_datetimes),
            ended_at=draw(st.none() | aware_datetimes),
            updated_at=draw(st.none() | aware_datetimes),
            durations=draw(durations_values()),
            tasks=tuple(tasks),
            details=MappingProxyType(draw(st.dictionaries(texts, json_values, max_size=3))),
            raw=draw(st.none() | st.dictionaries(texts, json_values, max_size=3)),
        )

    return build(max_depth)
