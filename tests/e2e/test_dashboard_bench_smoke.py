"""Smoke run of ``benchmarks/bench_service.py --quick`` (does the benchmark still work?).

No timing assertions: the figures are printed, the targets are judged by a person on
a quiet machine.  The test checks that the script runs end to end, that both the
baseline and the real database were measured and that no request failed.
"""

from __future__ import annotations

import re

import pytest

from benchsmoke import run_quick


@pytest.mark.slow
def test_bench_service_quick_runs_and_reports() -> None:
    text = run_quick("bench_service.py", timeout=240)
    assert "baseline (no index):" in text
    assert "real:" in text
    rows = re.findall(
        r"^\s+(api|api-uncached|dashboard|dashboard-uncached)\s+(\d+) req\s+(\d+) failed\s+([\d.]+) req/s",
        text,
        re.M,
    )
    assert len(rows) == 8, text
    for _, n, failed, rps in rows:
        assert int(n) > 0
        assert int(failed) == 0
        assert float(rps) > 0
    assert re.search(r"p99\s+[\d.]+ ms", text)
