"""A mergeable quantile sketch of durations: counts in logarithmic buckets of 1 % relative width.

A value ``v > 0`` (seconds) falls in bucket ``ceil(log_gamma(v))`` with ``gamma = (1 + a) / (1 - a)``
and ``a`` = :data:`RELATIVE_ACCURACY`; the bucket ``k`` covers ``(gamma**(k-1), gamma**k]`` and is
read as ``2 * gamma**k / (1 + gamma)``, which is within ``a`` of every value in it. So the value of
any rank, read from its bucket, is within 1 % of the true value at that rank. Negative values
(an inconsistent record) are bucketed by magnitude, zeros counted apart. Two sketches merge by
adding bucket counts: exactly the sketch of both inputs. This is the DDSketch of Masson, Rim and Lee
(VLDB 2019) with the key mapping of DataDog's ``ddsketch.LogarithmicMapping``; the sketch also keeps
the exact sum (integer microseconds), min and max. docs/dashboard.md says what a summary reports.
"""

from __future__ import annotations

import math
from collections import Counter
from datetime import timedelta
from typing import Final

__all__ = ["RELATIVE_ACCURACY", "DurationSketch", "bin_key", "bin_value"]

RELATIVE_ACCURACY: Final = 0.01
"""The guarantee: each value read from a bucket is within 1 % of every value counted in it."""

_GAMMA_MANTISSA: Final = 2 * RELATIVE_ACCURACY / (1 - RELATIVE_ACCURACY)
_GAMMA: Final = 1 + _GAMMA_MANTISSA
_MULTIPLIER: Final = 1 / math.log1p(_GAMMA_MANTISSA) * math.log(2)
"""``1 / log2(gamma)``, computed in ddsketch's order, so the buckets are its buckets to the last bit."""
_ZERO: Final = timedelta(0)
_GROW: Final = 64
"""Buckets added at a time when a value falls outside the range counted so far."""
_log, _ceil = math.log, math.ceil


def bin_key(seconds: float) -> int:
    """The bucket of a positive value: ``ceil(log2(seconds) / log2(gamma))``."""
    return _ceil(_log(seconds, 2) * _MULTIPLIER)


def bin_value(key: int) -> float:
    """What bucket ``key`` reads as: the point within :data:`RELATIVE_ACCURACY` of both its ends."""
    return math.pow(2.0, key / _MULTIPLIER) * (2.0 / (1 + _GAMMA))


def _micros(value: timedelta) -> int:
    return (value.days * 86_400 + value.seconds) * 1_000_000 + value.microseconds


class DurationSketch:
    """Durations counted per bucket, with their exact sum, min and max; one per group and kind.

    Positive values are counted in a dense list (``counts[i]`` is the bucket ``offset + i``): one
    list update per value. Memory is bounded by the range of the values (about 115 buckets per
    factor of ten), never by their number.
    """

    __slots__ = ("counts", "high", "low", "negative", "offset", "spilled", "sum", "zeros")

    def __init__(self) -> None:
        self.counts: list[int] = []
        self.offset = 0
        self.negative: dict[int, int] = {}
        """Negative values per bucket of their magnitude."""
        self.zeros = 0
        self.sum = _ZERO
        self.spilled = 0
        """Microseconds moved out of ``sum`` when adding to it would pass ``timedelta.max``."""
        self.low = timedelta.max
        self.high = timedelta.min

    def __getstate__(self) -> dict[str, object]:
        """Its fields by name, so that it pickles under every protocol (slots alone need protocol 2)."""
        return {name: getattr(self, name) for name in self.__slots__}

    def __setstate__(self, state: dict[str, object]) -> None:
        for name, value in state.items():
            setattr(self, name, value)

    def add(self, value: timedelta) -> None:
        """Count one duration."""
        seconds = value.total_seconds()
        if seconds > 0.0:  # a timedelta's smallest, 1 us, is far from a float's smallest
            index = _ceil(_log(seconds, 2) * _MULTIPLIER) - self.offset  # bin_key(seconds) - offset
            if not 0 <= index < len(self.counts):
                index = self._widen(index + self.offset)
            self.counts[index] += 1
        elif seconds < 0.0:
            key = bin_key(-seconds)
            self.negative[key] = self.negative.get(key, 0) + 1
        else:
            self.zeros += 1
        try:
            self.sum += value
        except OverflowError:  # years-long durations by the thousand: go on exactly in integers
            self.spilled += _micros(self.sum)
            self.sum = value
        if value < self.low:
            self.low = value
        if value > self.high:
            self.high = value

    def _widen(self, key: int) -> int:
        """Make room for bucket ``key`` (a few more on that side, for the next values); its index."""
        if not self.counts:
            self.counts, self.offset = [0] * _GROW, key - _GROW // 2
        elif key < self.offset:
            more = self.offset - key + _GROW
            self.counts[:0] = [0] * more
            self.offset -= more
        elif key >= self.offset + len(self.counts):
            self.counts.extend([0] * (key - self.offset - len(self.counts) + _GROW))
        return key - self.offset

    def positive(self) -> dict[int, int]:
        """Positive values per bucket (buckets with none left out)."""
        return {self.offset + i: n for i, n in enumerate(self.counts) if n}

    def merged(self, other: DurationSketch) -> DurationSketch:
        """Both sketches' values together (neither changes)."""
        result = DurationSketch()
        for key, count in sorted((Counter(self.positive()) + Counter(other.positive())).items()):
            index = result._widen(key)  # before reading result.counts: widening may replace it
            result.counts[index] += count
        result.negative = dict(Counter(self.negative) + Counter(other.negative))
        result.zeros, result.spilled = self.zeros + other.zeros, self.micros() + other.micros()
        result.low, result.high = min(self.low, other.low), max(self.high, other.high)
        return result

    def micros(self) -> int:
        """The exact sum in microseconds."""
        return self.spilled + _micros(self.sum)

    def count(self) -> int:
        """How many values were counted."""
        return sum(self.counts) + sum(self.negative.values()) + self.zeros

    def bounds(self) -> tuple[timedelta, timedelta] | None:
        """(min, max) exactly, or ``None`` without values."""
        return (self.low, self.high) if self.count() else None

    def value_at(self, rank: int) -> float:
        """The value of 0-based ``rank`` in ascending order, in seconds, as its bucket reads it.

        Within :data:`RELATIVE_ACCURACY` of the true value at that rank (0 for a zero).
        """
        negatives = sum(self.negative.values())
        if rank < negatives:  # the most negative first: walk the magnitudes from the largest
            seen = 0
            for key in sorted(self.negative, reverse=True):
                seen += self.negative[key]
                if seen > rank:
                    return -bin_value(key)
        rank -= negatives
        if rank < self.zeros:
            return 0.0
        rank -= self.zeros
        seen = 0
        for index, count in enumerate(self.counts):
            seen += count
            if seen > rank:
                return bin_value(self.offset + index)
        raise IndexError(f"rank {rank} past the {self.count()} values counted")
