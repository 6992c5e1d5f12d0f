"""Smoke run of benchmarks/bench_evaluation.py (the full run is `make bench`)."""

from __future__ import annotations

from benchsmoke import run_quick


def test_bench_evaluation_quick() -> None:
    out = run_quick("bench_evaluation.py")
    assert "baseline ranks agree: True" in out
    assert "rank_intervals (vectorised)" in out
