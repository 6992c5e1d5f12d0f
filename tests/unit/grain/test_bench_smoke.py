from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[3] / "benchmarks" / "bench_grain.py"


def test_benchmark_quick_runs_and_prints_both_parts() -> None:
    proc = subprocess.run(
        [sys.executable, "-W", "error", str(BENCH), "--quick"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "(a) 240 h closed loop" in out
    assert "same answer" in out
    assert "(b) season" in out
    for name in ("emc-window", "delta-t", "mpc"):
        assert name in out
