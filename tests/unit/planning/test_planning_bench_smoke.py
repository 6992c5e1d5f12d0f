import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.solver
def test_bench_planning_quick_runs():
    res = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench_planning.py"), "--quick"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert res.returncode == 0, res.stderr
    out = res.stdout
    assert "default country (lp-first)" in out
    assert "synthetic 200 (lp-first)" in out
    assert len(re.findall(r"  greedy=\d", out)) == 2
    assert "status=optimal" in out
    assert "target default: optimal, gap <= 1e-4, solve <= 5 s:" in out
    assert "target synthetic 200:" in out
