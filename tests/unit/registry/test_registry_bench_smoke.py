import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_bench_synth_quick_runs():
    res = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench_synth.py"), "--quick"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert res.returncode == 0, res.stderr
    assert "200 regions, 20,000 settlements" in res.stdout
    assert "ratio candidate/baseline" in res.stdout
