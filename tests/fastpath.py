"""What a provider's fast path must match: its careful path's run, warnings and error, for one record."""

from __future__ import annotations

from typing import Any

from runstate.provider_kit import Context, Run

from .outcomes import Build, observe


def assert_same(fast: Build, careful: Build, provider: str, record: Any) -> None:
    """``fast`` and ``careful`` agree on ``record`` in both modes, with and without ``raw``."""
    for strict in (False, True):
        ctx = Context(provider, strict=strict)
        for keep_raw in (True, False):
            assert observe(fast, record, ctx, keep_raw) == observe(careful, record, ctx, keep_raw), (
                strict,
                record,
            )


def assert_fast_path_taken(module: Any, provider: str, record: Any, monkeypatch: Any) -> None:
    """``module.build`` gives ``record``'s run without handing it to ``module.careful_build``."""

    def refuse(record: Any, ctx: Context, keep_raw: bool) -> Run:
        raise AssertionError("careful path taken")

    expected = module.careful_build(record, Context(provider), True)
    monkeypatch.setattr(module, "careful_build", refuse)
    assert module.build(record, Context(provider), True) == expected
