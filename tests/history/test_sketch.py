"""The duration sketch against exact quantiles: every rank within the relative accuracy, merges exact."""

from __future__ import annotations

import math
import pickle
from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st

from runstate._history.sketch import RELATIVE_ACCURACY, DurationSketch, bin_key, bin_value

MICROS = st.integers(-(10**12), 10**12) | st.sampled_from([0, 1, -1, 10**15])
DURATIONS = st.lists(MICROS.map(lambda us: timedelta(microseconds=us)), max_size=80)
SLACK = 1e-12
"""Floating-point rounding of the bucket arithmetic, far below the accuracy guaranteed."""


def sketch_of(values: list[timedelta]) -> DurationSketch:
    sketch = DurationSketch()
    for value in values:
        sketch.add(value)
    return sketch


def close(estimate: float, exact: float) -> bool:
    return abs(estimate - exact) <= (RELATIVE_ACCURACY + SLACK) * abs(exact)


@given(st.floats(min_value=1e-6, max_value=1e15, allow_nan=False))
def test_a_bucket_reads_within_the_accuracy_of_each_value_in_it(seconds: float) -> None:
    key = bin_key(seconds)
    assert close(bin_value(key), seconds)
    assert bin_key(seconds * 1.03) > key  # the next value more than 2 % larger is in a later bucket


@given(DURATIONS)
def test_every_rank_is_within_the_accuracy_of_the_exact_value(values: list[timedelta]) -> None:
    sketch = sketch_of(values)
    exact = sorted(v.total_seconds() for v in values)
    assert [close(sketch.value_at(rank), value) for rank, value in enumerate(exact)] == [True] * len(exact)


@given(DURATIONS)
def test_count_sum_and_bounds_are_exact(values: list[timedelta]) -> None:
    sketch = sketch_of(values)
    assert sketch.count() == len(values)
    assert sketch.micros() == sum(v // timedelta(microseconds=1) for v in values)
    assert sketch.bounds() == ((min(values), max(values)) if values else None)


@given(DURATIONS, DURATIONS)
def test_a_merge_is_the_sketch_of_both_inputs(first: list[timedelta], second: list[timedelta]) -> None:
    a, b = sketch_of(first), sketch_of(second)
    merged, whole = a.merged(b), sketch_of(first + second)
    assert merged.count() == whole.count() and merged.micros() == whole.micros()
    assert merged.bounds() == whole.bounds()
    assert [merged.value_at(r) for r in range(whole.count())] == [
        whole.value_at(r) for r in range(whole.count())
    ]
    assert (a.count(), b.count()) == (len(first), len(second))  # neither input changed


@given(DURATIONS)
def test_a_sketch_pickles_to_an_equal_one(values: list[timedelta]) -> None:
    sketch = sketch_of(values)
    again = pickle.loads(pickle.dumps(sketch))
    assert [again.value_at(r) for r in range(len(values))] == [sketch.value_at(r) for r in range(len(values))]
    assert (again.micros(), again.bounds()) == (sketch.micros(), sketch.bounds())


@given(DURATIONS, st.integers(0, pickle.HIGHEST_PROTOCOL))
def test_a_sketch_pickles_under_every_protocol(values: list[timedelta], protocol: int) -> None:
    sketch = sketch_of(values)
    again = pickle.loads(pickle.dumps(sketch, protocol=protocol))
    assert [again.value_at(r) for r in range(len(values))] == [sketch.value_at(r) for r in range(len(values))]
    assert (again.micros(), again.bounds(), again.count()) == (sketch.micros(), sketch.bounds(), len(values))


def test_a_sum_past_timedelta_max_stays_exact() -> None:
    huge = timedelta(days=999_999_999)
    sketch = sketch_of([huge] * 3)
    assert sketch.micros() == 3 * (huge // timedelta(microseconds=1))
    assert math.isclose(sketch.value_at(2), huge.total_seconds(), rel_tol=RELATIVE_ACCURACY)
