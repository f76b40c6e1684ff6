"""Hypothesis profiles: a fixed, documented budget in CI and a long one on demand.

``HYPOTHESIS_PROFILE=long python -m pytest tests/test_fuzz.py`` runs the fuzz tests 50x longer.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile("ci", max_examples=100, deadline=None, derandomize=True, print_blob=True)
settings.register_profile(
    "long", max_examples=5000, deadline=None, suppress_health_check=[HealthCheck.too_slow], print_blob=True
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
