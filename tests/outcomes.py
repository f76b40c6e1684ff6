"""What a provider's ``build`` does with one record, as a value tests compare: its run or its error,
and its warnings in order."""

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
