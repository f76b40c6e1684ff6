"""The built-in providers: one package per service, each reader module exposing a ``SPEC``."""

from __future__ import annotations

import importlib

from .._kit.registry import ProviderRegistry

__all__ = ["BUILTIN_PROVIDERS", "register_builtin_providers"]

BUILTIN_PROVIDERS = (
    "glue.jobs",
    "databricks.jobs",
    "cloud_deploy.job_runs",
    "databricks.system",
    "glue.events",
)
"""Modules of the built-in providers, in this package."""


def register_builtin_providers(registry: ProviderRegistry) -> None:
    """Register every built-in provider in ``registry``."""
    for name in BUILTIN_PROVIDERS:
        registry.register(importlib.import_module(f"{__name__}.{name}").SPEC)
