"""The simulator reads a plan's money in thousand USD whatever the plan's unit of account (issue 10)."""

from __future__ import annotations

import numpy as np
import pytest

import regdev
from regdev.pipeline import PlanOptions
from regdev.planning import load_scenario
from regdev.registry import toy_region
from regdev.simulation.planfolder import from_plan_result, read_plan_folder

pytestmark = pytest.mark.solver


@pytest.mark.parametrize(
    "money",
    [{}, {"name": "k EUR", "usd_per_unit": 1080.0}],
    ids=["default-M-USD", "k-EUR"],
)
def test_folder_and_result_give_the_designers_kusd(tmp_path, money):
    sc = load_scenario().with_updates(factories={"per_year": 2}, history={"enabled": False})
    if money:
        sc = sc.with_updates(money=money)
    result = regdev.plan(toy_region(), sc, options=PlanOptions(explain_last=0, report=False))
    folder = result.write(tmp_path / "plan")
    kusd = result.design.factories_frame().sort_values(["region_id", "line"])["annual_cost"]
    saved = result.design.claims_frame().sort_index()["transport_saved_kusd"]
    for inputs in (read_plan_folder(folder), from_plan_result(result)):
        got = inputs.factories.sort_values(["region_id", "line"])["annual_cost"]
        np.testing.assert_allclose(got.to_numpy(), kusd.to_numpy(), rtol=1e-5)
        claims = inputs.claims.set_index("region_id").sort_index()["transport_saved_kusd"]
        np.testing.assert_allclose(claims.to_numpy(), saved.to_numpy(), rtol=1e-5, atol=1e-9)
