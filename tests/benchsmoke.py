"""Run one ``benchmarks/bench_*.py`` script in ``--quick`` mode (shared by the smoke tests)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def run_quick(script: str, *, timeout: float = 300, python_args: Sequence[str] = ()) -> str:
    """Run ``benchmarks/<script> --quick`` in a subprocess; assert it exits 0; return stdout."""
    res = subprocess.run(
        [sys.executable, *python_args, str(BENCHMARKS / script), "--quick"],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert res.returncode == 0, res.stdout + res.stderr
    return res.stdout
