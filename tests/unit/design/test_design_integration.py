from __future__ import annotations

import doctest
import importlib

import pandas as pd
import pytest

from regdev.design import design_for_plan
from regdev.design.api import plan_tier_to_catalogue, scope_regions
from regdev.errors import ConfigError, DataValidationError
from regdev.registry import toy_region

MODULES = [
    "regdev.design.catalogue",
    "regdev.design.demand",
    "regdev.design.supply",
    "regdev.design.baseline",
    "regdev.design.api",
]


@pytest.mark.parametrize("name", MODULES)
def test_design_docstring_examples(name):
    mod = importlib.import_module(name)
    res = doctest.testmod(mod, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert res.failed == 0


def test_design_plan_tiers_are_mapped_onto_the_catalogue():
    assert plan_tier_to_catalogue(pd.Series([1, 2, 3])).tolist() == [1, 2, 3]
    assert plan_tier_to_catalogue(pd.Series(range(1, 11))).tolist() == [
        1,
        1,
        1,
        2,
        2,
        2,
        2,
        3,
        3,
        3,
    ]
    assert plan_tier_to_catalogue(pd.Series([7, 7])).tolist() == [2, 2]


@pytest.mark.solver
def test_design_for_plan_uses_the_scheduled_counties_and_their_tiers():
    sched = pd.DataFrame(
        {
            "region_id": ["T-A1", "T-A2", "T-B1", "T-A1"],
            "facility": ["factories", "factories", "factories", "hospital"],
            "year": [2024, 2025, 2026, 2024],
            "tier": [1, 5, 10, 1],
        }
    )
    res = design_for_plan(toy_region(), sched, scenario={"design": {"coverage_target": 0.5}})
    assert res.problem.region_ids == ["T-A1", "T-A2", "T-B1"]
    assert res.problem.tiers.tolist() == [1, 2, 3]
    assert res.problem.options.year == 2026
    assert res.problem.coverage_target == 0.5
    fac = res.factories_frame()
    assert set(fac["region_id"]) == {"T-A1", "T-A2", "T-B1"}
    with pytest.raises(ConfigError, match="unknown keys"):
        design_for_plan(toy_region(), sched, scenario={"design": {"colour": "red"}})
    with pytest.raises(DataValidationError):
        design_for_plan(toy_region(), sched.drop(columns=["facility"]))
    with pytest.raises(ConfigError, match="no factories"):
        design_for_plan(toy_region(), sched[sched["facility"] == "hospital"])


def test_design_scope_regions():
    reg = toy_region()
    assert scope_regions(reg, "T-B2", "province") == ["T-B1", "T-B2", "T-B3"]
    assert len(scope_regions(reg, "T-B2", "national")) == 5
    near = scope_regions(reg, "Bay", "neighbourhood", k=2)
    assert near[0] == "T-B2" and len(near) == 3
    with pytest.raises(ConfigError, match="capital"):
        scope_regions(reg, "T-CAP")
    with pytest.raises(ConfigError, match="scope"):
        scope_regions(reg, "T-B2", "galaxy")  # type: ignore[arg-type]
