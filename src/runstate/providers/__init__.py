"""The built-in providers: one module each, each exposing a ``SPEC``."""

from __future__ import annotations

import importlib

from .._registry import ProviderRegistry

__all__ = ["BUILTIN_PROVIDERS", "register_builtin_providers"]

BUILTIN_PROVIDERS = ("_glue", "_databricks", "_cloud_deploy", "_databricks_system", "_glue_events")
"""Modules of the built-in providers, in this package."""


def register_builtin_providers(registry: ProviderRegistry) -> None:
    """Register every built-in provider in ``registry``."""
    for name in BUILTIN_PROVIDERS:
        registry.register(importlib.import_module(f"{__name__}.{name}").SPEC)
