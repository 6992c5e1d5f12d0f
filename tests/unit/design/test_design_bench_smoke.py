import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.solver
def test_bench_design_quick_runs():
    res = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench_design.py"), "--quick"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert res.returncode == 0, res.stderr
    out = res.stdout
    assert "cohort 2024 (real)" in out
    assert re.search(r"gap=\d+\.\d+%", out)
    assert "ratio diving/rounding=" in out
    assert "central baseline" in out
    assert "target cohorts:" in out
