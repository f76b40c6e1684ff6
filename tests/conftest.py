"""Hypothesis profiles (a fixed, documented budget in CI and a long one on demand) and the one Spark
session the whole run shares.

``HYPOTHESIS_PROFILE=long python -m pytest tests/properties/test_fuzz.py`` runs the fuzz tests 50x
longer. The Spark session starts at the first test that asks for ``spark`` (a JVM takes seconds)
and stops when the run ends.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from .spark_support import start_session

settings.register_profile("ci", max_examples=100, deadline=None, derandomize=True, print_blob=True)
settings.register_profile(
    "long", max_examples=5000, deadline=None, suppress_health_check=[HealthCheck.too_slow], print_blob=True
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    """The run's one local Spark session (tests/spark_support.py), started when first needed."""
    session = start_session()
    yield session
    session.stop()
