from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from regdev.cli import app
from regdev.errors import NotFoundError

runner = CliRunner()
pytestmark = pytest.mark.solver


def test_design_cli_prints_one_county_and_why():
    res = runner.invoke(app, ["plan", "design", "Kaephung", "--scope", "province"])
    assert res.exit_code == 0, res.output
    assert "Kaephung" in res.stdout
    assert "- seafood_processing (characteristic): enabled by local fish" in res.stdout
    assert "status optimal" in res.stdout


def test_design_cli_json_with_forbid_reports_the_difference():
    res = runner.invoke(
        app, ["plan", "design", "KP-KAE-KAEPHUNG", "--forbid-line", "seafood_processing", "--json"]
    )
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["design"]["region_id"] == "KP-KAE-KAEPHUNG"
    wi = out["what_if"]
    assert wi["changes"] == [
        {"region_id": "KP-KAE-KAEPHUNG", "line": "seafood_processing", "action": "forbid"}
    ]
    assert "seafood_processing" not in {ln["line"] for ln in wi["design"]["lines"]}
    # money in the one unit of account (issue 10; default million USD)
    assert out["design"]["unit_of_account"] == "M USD"
    lo, hi = wi["cost_difference_range"]
    assert lo <= wi["cost_difference"] <= hi + 1e-9


def test_design_cli_unknown_line_and_region_are_one_line_errors():
    res = runner.invoke(app, ["plan", "design", "Kaephung", "--force-line", "rockets"])
    assert isinstance(res.exception, NotFoundError)
    assert "unknown line 'rockets'" in str(res.exception)
    res = runner.invoke(app, ["plan", "design", "Atlantis"])
    assert isinstance(res.exception, NotFoundError)
    assert "unknown region" in str(res.exception)


def test_design_cli_errors_through_the_entry_point_are_one_stderr_line():
    import subprocess
    import sys

    res = subprocess.run(
        [sys.executable, "-m", "regdev", "plan", "design", "Atlantis"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert res.returncode == 1
    assert "unknown region 'Atlantis'" in res.stderr
    assert "Traceback" not in res.stderr


def test_design_cli_cohort_scope_mps_and_own_regions(tmp_path):
    from regdev.registry import historical_cohorts, toy_region, write_regions

    rid = historical_cohorts("regional_industry_factories")[2024][0]
    mps = tmp_path / "d.mps"
    res = runner.invoke(
        app, ["plan", "design", rid, "--scope", "cohort", "--mps", str(mps), "--json"]
    )
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["summary"]["n_regions"] == 20
    assert mps.exists() and "group[" in mps.read_text()
    path = tmp_path / "toy.csv"
    write_regions(toy_region(), path)
    res = runner.invoke(
        app, ["plan", "design", "Bay", "--regions", str(path), "--scope", "national", "--json"]
    )
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["design"]["region_id"] == "T-B2"
