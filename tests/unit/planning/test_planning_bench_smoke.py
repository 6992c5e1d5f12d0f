import re

import pytest

from benchsmoke import run_quick


@pytest.mark.solver
def test_bench_planning_quick_runs():
    out = run_quick("bench_planning.py", timeout=300)
    assert "default country (lp-first)" in out
    assert "synthetic 200 (lp-first)" in out
    assert len(re.findall(r"  greedy=\d", out)) == 2
    assert "status=optimal" in out
    assert "target default: optimal, gap <= 1e-4, solve <= 5 s:" in out
    assert "target synthetic 200:" in out
    # issue 9: the budget frontier with the greedy baseline under the same limits
    assert "budget frontier (toy" in out
    assert len(re.findall(r"greedy baseline \d+\.\d+, optimised [+-]\d", out)) == 3
