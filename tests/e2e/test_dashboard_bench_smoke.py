"""Smoke run of ``benchmarks/bench_service.py --quick`` (does the benchmark still work?).

No timing assertions: the figures are printed, the targets are judged by a person on
a quiet machine.  The test checks that the script runs end to end, that both the
baseline and the real database were measured and that no request failed.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_bench_service_quick_runs_and_reports() -> None:
    out = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench_service.py"), "--quick"],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    text = out.stdout
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
