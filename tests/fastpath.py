"""What a provider's fast path must match: its careful path's run, warnings and error, for one record."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

from runstate.provider_kit import Context, Run

Build = Callable[[Any, Context, bool], Run]


def observe(build: Build, record: Any, ctx: Context, keep_raw: bool) -> tuple[object, list[tuple[type, str]]]:
    """What ``build`` does with ``record``: its run (with the repr, which shows time zones and the
    order of mappings, which ``==`` does not), or the type and text of what it raised; and its warnings."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            run = build(record, ctx, keep_raw)
        except Exception as exc:  # noqa: BLE001 - compared, whatever it is
            result: object = ("raised", type(exc), str(exc))
        else:
            result = ("run", run, repr(run))
    return result, [(w.category, str(w.message)) for w in caught]


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
