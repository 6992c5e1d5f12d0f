"""End to end: `regdev plan` on the default country, `regdev plan explain`, errors."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest
from typer.testing import CliRunner

from regdev.cli import app
from regdev.errors import InfeasibleSpecificationError

runner = CliRunner()
FILES = {"plan.json", "schedule.csv", "facilities.csv", "dossiers.json", "model.mps", "report.html"}


@pytest.fixture(scope="module")
def plan_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("cli") / "plan"
    res = runner.invoke(app, ["plan", "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "report.html" in res.stdout
    assert "optimal" in res.stdout
    return out


@pytest.mark.solver
def test_plan_writes_the_folder(plan_dir):
    assert {p.name for p in plan_dir.iterdir()} >= FILES
    meta = json.loads((plan_dir / "plan.json").read_text("utf-8"))
    assert meta["status"] == "optimal"
    assert meta["gap"] <= 1e-4
    assert meta["n_regions"] == 179
    sched = pd.read_csv(plan_dir / "schedule.csv")
    fac = sched[sched["facility"] == "factories"]
    # 178: every programme county but Kimhwa, whose pilot factories are built (issue 10)
    assert fac.groupby("year").size().tolist() == [20] * 8 + [18]
    assert fac["region_id"].is_unique and len(fac) == 178
    assert "KP-KAN-KIMHWA" not in set(fac["region_id"])
    locked_2024 = set(fac[(fac["year"] == 2024) & fac["locked"]]["region_id"])
    assert len(locked_2024) == 20
    doss = json.loads((plan_dir / "dossiers.json").read_text("utf-8"))
    assert sum(1 for d in doss if d["move_factory_earlier"]) == 20
    html = (plan_dir / "report.html").read_text("utf-8")
    assert "http://" not in html and "https://" not in html


@pytest.mark.solver
def test_plan_json_summary_without_history(tmp_path):
    out = tmp_path / "p"
    res = runner.invoke(
        app,
        [
            "plan",
            "--out",
            str(out),
            "--no-history",
            "--explain-last",
            "0",
            "--json",
            "--time-limit",
            "30",
        ],
    )
    assert res.exit_code == 0, res.output
    info = json.loads(res.stdout)
    assert info["status"] == "optimal"
    assert info["n_locked"] == 0
    assert info["report"].endswith("report.html")
    assert info["objective"] >= info["greedy_objective"]


@pytest.mark.solver
def test_explain_region(plan_dir):
    res = runner.invoke(app, ["plan", "explain", "Kimhwa", "--plan-dir", str(plan_dir), "--json"])
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)
    assert d["region_id"] == "KP-KAN-KIMHWA"
    assert d["move_factory_earlier"] is not None
    res = runner.invoke(app, ["plan", "explain", "Kimhwa", "--plan-dir", str(plan_dir)])
    assert res.exit_code == 0 and "Kimhwa" in res.stdout


def test_infeasible_scenario_is_a_clear_error(tmp_path):
    bad = tmp_path / "tight.toml"
    bad.write_text("[capacity.hospital]\nby_year = { 2025 = 1 }\n", encoding="utf-8")
    res = runner.invoke(app, ["plan", "--scenario", str(bad), "--out", str(tmp_path / "x")])
    assert res.exit_code == 1
    assert isinstance(res.exception, InfeasibleSpecificationError)
    assert str(res.exception).startswith("capacity: 3 hospital projects are locked to 2025")
    assert not (tmp_path / "x").exists()


def test_error_is_one_stderr_line_not_a_traceback(tmp_path):
    bad = tmp_path / "tight.toml"
    bad.write_text("[capacity.hospital]\nby_year = { 2025 = 1 }\n", encoding="utf-8")
    res = subprocess.run(
        [
            sys.executable,
            "-m",
            "regdev",
            "plan",
            "--scenario",
            str(bad),
            "--out",
            str(tmp_path / "x"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert res.returncode == 1
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, res.stderr
    assert "capacity: 3 hospital projects are locked to 2025" in lines[0]
    assert "Traceback" not in res.stderr


@pytest.mark.solver
def test_plan_with_own_regions_file(tmp_path):
    from regdev.registry import toy_region, write_regions

    regions = tmp_path / "toy.csv"
    write_regions(toy_region(), regions)
    scenario = tmp_path / "toy.toml"
    scenario.write_text('name = "toy"\n[factories]\nper_year = 2\n', encoding="utf-8")
    out = tmp_path / "plan"
    res = runner.invoke(
        app,
        [
            "plan",
            "--regions",
            str(regions),
            "--scenario",
            str(scenario),
            "--out",
            str(out),
            "--json",
        ],
    )
    assert res.exit_code == 0, res.output
    info = json.loads(res.stdout)
    assert info["n_regions"] == 5
    assert info["factories_per_year"] == {"2024": 2, "2025": 2, "2026": 1}
    assert info["n_locked"] == 0  # the real cohorts name other regions
    res = runner.invoke(
        app,
        ["plan", "explain", "Beta", "--plan-dir", str(out), "--regions", str(regions), "--json"],
    )
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["region_id"] == "T-B1"
    res = runner.invoke(app, ["plan", "explain", "Beta", "--plan-dir", str(out)])
    assert res.exit_code == 1
    assert "other inputs" in str(res.exception)


@pytest.mark.solver
def test_installed_console_script_plans_explains_and_fails_cleanly(tmp_path):
    """The `regdev` script of the environment (what users run), not the in-process runner."""
    from pathlib import Path

    from regdev.registry import toy_region, write_regions

    exe = Path(sys.executable).with_name("regdev")
    if not exe.exists():
        pytest.skip(f"no console script next to {sys.executable}; install the package first")
    regions = tmp_path / "toy.csv"
    write_regions(toy_region(), regions)
    scenario = tmp_path / "toy.toml"
    scenario.write_text('name = "toy"\n[factories]\nper_year = 2\n', encoding="utf-8")
    out = tmp_path / "plan"

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(exe), *args], capture_output=True, text=True, timeout=180, check=False
        )

    res = run("plan", "--regions", str(regions), "--scenario", str(scenario), "--out", str(out))
    assert res.returncode == 0, res.stderr
    assert res.stdout.rstrip().endswith(f"open the report: {out / 'report.html'}")
    assert {p.name for p in out.iterdir()} >= FILES | {"factories.csv"}
    res = run(
        "plan", "explain", "Beta", "--plan-dir", str(out), "--regions", str(regions), "--json"
    )
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout)["region_id"] == "T-B1"
    res = run("plan", "explain", "Beta", "--plan-dir", str(out))  # the default country
    assert res.returncode == 1
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "other inputs" in lines[0]
