"""The simulation benchmark still runs (tiny ``--quick`` version)."""

from __future__ import annotations

import pytest

from benchsmoke import run_quick


@pytest.mark.slow
def test_bench_simulation_quick():
    out = run_quick("bench_simulation.py", timeout=400)
    assert "naive loop per scenario" in out
    assert "Dask local cluster, 2 workers" in out
    assert "peak memory" in out
