"""Shared test configuration: Hypothesis profiles and debug verification."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", max_examples=25, deadline=None)
settings.register_profile("thorough", max_examples=500, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# The monitoring service refuses its placeholder secret unless development is asked for
# explicitly; tests that build apps with the default settings run as development (tests
# of the refusal pass ``environment="production"`` themselves).
os.environ.setdefault("REGDEV_ENVIRONMENT", "development")
# Tests log in far more often than a person; the per-address login throttle has its own
# tests with explicit limits.
os.environ.setdefault("REGDEV_LOGIN_BURST", "100000")
