"""CI's small version of ``scripts/reconcile_cli.py``: in every output format, records in = runs out
+ dead letters (byte for byte), with arrays on later lines, surrogate key clashes and control text;
and a signal leaves exactly what it reports written."""

from __future__ import annotations

import signal
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ..paths import ROOT

_SCRIPTS = ROOT / "scripts"


@pytest.fixture(scope="module")
def reconcile() -> Iterator[Any]:
    sys.path.insert(0, str(_SCRIPTS))
    try:
        import reconcile_cli as module

        yield module
    finally:
        sys.path.remove(str(_SCRIPTS))


@pytest.fixture(scope="module")
def data(reconcile: Any, tmp_path_factory: pytest.TempPathFactory) -> Any:
    return reconcile.generate(tmp_path_factory.mktemp("in") / "in.jsonl", 3000)


def test_the_input_holds_every_hard_case(data: Any) -> None:
    text = data.path.read_bytes()
    assert b"\n[{" in text and b"\n[\n  {" in text and b'"a\\ud800": 1, "a\\udc00": 2' in text
    assert data.records == 3000 - 3 * 4 + 3 * 50 - 3 + 3 * 3 - 3 and len(data.bad) == 9


@pytest.mark.parametrize("fmt", ["jsonl", "json", "table", "parquet", "csv", "arrow"])
def test_every_format_reconciles(reconcile: Any, data: Any, fmt: str, tmp_path: Path) -> None:
    result = reconcile.reconcile(data, fmt, tmp_path)
    assert result.peak_kib > 0


@pytest.mark.parametrize("fmt", ["jsonl", "parquet", "csv", "arrow"])
def test_a_signal_leaves_exactly_what_is_reported(
    reconcile: Any, data: Any, fmt: str, tmp_path: Path
) -> None:
    code, _ = reconcile.interrupt(data, fmt, tmp_path, 0.3, signal.SIGTERM)
    assert code in (1, 143)
