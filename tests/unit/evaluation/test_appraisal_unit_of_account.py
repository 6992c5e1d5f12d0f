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
