"""A plan folder's factories.csv is in the plan's unit of account; the appraisal reads kUSD (issue 10)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from regdev.evaluation import appraisal
from regdev.evaluation.appraisal import FACTORY_INPUT_COLUMNS


def _table(capital: float, annual: float) -> pd.DataFrame:
    row = {c: 1 for c in FACTORY_INPUT_COLUMNS}
    row.update(region_id="R1", line="dairy", capital_cost=capital, annual_cost=annual)
    return pd.DataFrame([row])


@pytest.mark.parametrize(
    ("unit", "capital", "expected_kusd"),
    [
        ({"name": "M USD", "usd_per_unit": 1e6, "norm_units": 1.0}, 4.68, 4680.0),
        ({"name": "k EUR", "usd_per_unit": 1080.0, "norm_units": 1.0}, 1000.0, 1080.0),
    ],
)
def test_plan_folder_money_is_read_back_in_kusd(tmp_path: Path, unit, capital, expected_kusd):
    _table(capital, capital / 2).to_csv(tmp_path / "factories.csv", index=False)
    (tmp_path / "plan.json").write_text(json.dumps({"unit_of_account": unit}), "utf-8")
    got = appraisal.read_factories(tmp_path)
    assert got["capital_cost"].iloc[0] == pytest.approx(expected_kusd)
    assert got["annual_cost"].iloc[0] == pytest.approx(expected_kusd / 2)


def test_a_bare_factories_table_is_kusd(tmp_path: Path):
    _table(4680.0, 10.0).to_csv(tmp_path / "factories.csv", index=False)
    assert appraisal.read_factories(tmp_path)["capital_cost"].iloc[0] == 4680.0


def test_the_appraisal_of_a_plan_folder_reports_in_its_unit(tmp_path: Path):
    """k EUR in, k EUR out: the capex read back equals the plan's figure; NPV converted."""
    unit = {"name": "k EUR", "usd_per_unit": 1080.0, "norm_units": 1.0}
    _table(1000.0, 200.0).to_csv(tmp_path / "factories.csv", index=False)
    (tmp_path / "plan.json").write_text(json.dumps({"unit_of_account": unit}), "utf-8")
    result = appraisal.appraise_design(appraisal.read_factories(tmp_path), regions=["R1"])
    assert result.unit is not None and result.unit_name == "k EUR"
    out = result.to_dict()
    assert out["unit_of_account"]["name"] == "k EUR"
    county = out["counties"][0]
    assert county["capex_kusd"] == pytest.approx(1080.0)  # the catalogue unit, kept
    assert county["capex"] == pytest.approx(1000.0)  # the plan's own figure again
    assert county["npv"] == pytest.approx(county["npv_kusd"] * 1000.0 / 1080.0)
    assert result.money(1080.0) == pytest.approx(1000.0)
    assert out["lines"][0]["npv"] == pytest.approx(out["lines"][0]["npv_kusd"] / 1.08)


def test_without_a_unit_the_appraisal_says_kusd(tmp_path: Path):
    _table(4680.0, 10.0).to_csv(tmp_path / "factories.csv", index=False)
    result = appraisal.appraise_design(appraisal.read_factories(tmp_path), regions=["R1"])
    assert result.unit is None and result.unit_name == "kUSD"
    assert result.to_dict()["unit_of_account"] is None
    assert "capex" not in result.to_dict()["counties"][0]


def test_the_appraise_command_titles_and_fills_the_plans_unit(tmp_path: Path):
    """``regdev appraise REGION --plan DIR``: tables in k EUR, capex back at the plan's figure."""
    from typer.testing import CliRunner

    from regdev.cli import app

    unit = {"name": "k EUR", "usd_per_unit": 1080.0, "norm_units": 1.0}
    table = _table(1000.0, 200.0)
    table["region_id"] = "KP-KAN-KIMHWA"
    table.to_csv(tmp_path / "factories.csv", index=False)
    (tmp_path / "plan.json").write_text(json.dumps({"unit_of_account": unit}), "utf-8")
    runner = CliRunner()
    res = runner.invoke(
        app, ["appraise", "KP-KAN-KIMHWA", "--plan", str(tmp_path)], env={"COLUMNS": "200"}
    )
    assert res.exit_code == 0, res.output
    assert "profitability, k EUR" in res.output and "Sensitivity of the NPV (k EUR)" in res.output
    assert "kUSD" not in res.output
    assert "1,000.0" in res.output  # the capex in the plan's unit (1,080 kUSD)
    out = json.loads(
        runner.invoke(app, ["appraise", "KP-KAN-KIMHWA", "--plan", str(tmp_path), "--json"]).output
    )
    assert out["unit_of_account"]["name"] == "k EUR"
    assert out["counties"][0]["capex"] == pytest.approx(1000.0)
