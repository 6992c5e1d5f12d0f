"""The installed ``regdev`` console script, grain commands: output files and exit codes."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REGDEV = Path(sys.executable).with_name("regdev")


def run(*args: str) -> subprocess.CompletedProcess[str]:
    exe = str(REGDEV) if REGDEV.exists() else shutil.which("regdev")
    if exe is None:  # pragma: no cover - the venv always has it
        pytest.skip("regdev console script not installed")
    return subprocess.run(  # noqa: S603
        [exe, *args], capture_output=True, text=True, timeout=300, check=False
    )


def test_simulate_writes_one_comparison_figure(tmp_path: Path) -> None:
    out = tmp_path / "out"
    res = run(
        "grain",
        "simulate",
        "--days",
        "2",
        "--tonnes",
        "300",
        "--depth",
        "6",
        "--grain",
        "paddy",
        "--moisture",
        "16",
        "--out",
        str(out),
        "--json",
        "--quiet",
    )
    assert res.returncode == 0, res.stderr
    data = json.loads(res.stdout)
    assert set(data["strategies"]) == {"emc", "delta-t", "mpc"}
    assert data["files"] == [str(out / "grain-comparison.png")]
    assert (out / "grain-comparison.png").stat().st_size > 10_000


def test_size_uses_the_cited_per_capita_norm() -> None:
    res = run("grain", "size", "--population", "100000", "--norm", "cn-producing", "--json")
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout)["capacity_t"] == 4180.0


def test_fumigation_warning_and_errors_exit_codes() -> None:
    res = run(
        "grain",
        "fumigation-plan",
        "--profile",
        "phosphine-us-label",
        "--start",
        "2026-11-02",
        "--grain-temp",
        "10",
        "--days",
        "10",
        "--tonnes",
        "200",
        "--halflife",
        "4",
        "--json",
    )
    assert res.returncode == 0, res.stderr
    assert any("ineffective below 15 degC" in w for w in json.loads(res.stdout)["warnings"])
    bad = run("grain", "size", "--population", "5", "--norm", "x")
    assert bad.returncode == 1
    assert bad.stderr.strip().startswith("error: norm must be one of")
    usage = run("grain", "size", "--population", "many")
    assert usage.returncode == 2
    assert "Traceback" not in usage.stderr


def test_run_refuses_a_bad_store_toml(tmp_path: Path) -> None:
    cfg = tmp_path / "store.toml"
    cfg.write_text('[store]\nid = "x"\ntonnes = 10\n[mqtt]\npassword_env = "PW"\n')
    res = run("grain", "run", "--config", str(cfg), "--once")
    assert res.returncode == 1
    assert "need a username" in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1
