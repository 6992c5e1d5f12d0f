import re

import pytest

from benchsmoke import run_quick


@pytest.mark.solver
def test_bench_design_quick_runs():
    out = run_quick("bench_design.py", timeout=300)
    assert "cohort 2024 (real)" in out
    assert re.search(r"gap=\d+\.\d+%", out)
    assert "ratio diving/rounding=" in out
    assert "central baseline" in out
    assert "target cohorts:" in out
