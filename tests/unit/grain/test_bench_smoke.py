from __future__ import annotations

from benchsmoke import run_quick


def test_benchmark_quick_runs_and_prints_both_parts() -> None:
    out = run_quick("bench_grain.py", timeout=120, python_args=("-W", "error"))
    assert "(a) 240 h closed loop" in out
    assert "same answer" in out
    assert "(b) season" in out
    for name in ("emc-window", "delta-t", "mpc"):
        assert name in out
