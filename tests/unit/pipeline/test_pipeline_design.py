"""The design stage: the pipeline designs the plan's counties with the registry it planned with."""

from __future__ import annotations

import json

import pandas as pd
import pytest

import regdev
from regdev.design.for_plan import EXTENSION_NAME
from regdev.design.result import FACTORY_COLUMNS
from regdev.pipeline import PlanOptions, design_region
from regdev.planning import load_scenario
from regdev.registry import RegionRegistry, toy_region

pytestmark = pytest.mark.solver


def toy_scenario():
    return load_scenario().with_updates(factories={"per_year": 2}, history={"enabled": False})


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    result = regdev.plan(toy_region(), toy_scenario(), options=PlanOptions(explain_last=0))
    return result, result.write(tmp_path_factory.mktemp("design") / "plan")


def test_design_writes_factories_report_and_dossiers(written):
    result, out = written
    fac = pd.read_csv(out / "factories.csv")
    assert list(fac.columns) == FACTORY_COLUMNS
    sched = pd.read_csv(out / "schedule.csv")
    scheduled = set(sched.loc[sched["facility"] == "factories", "region_id"])
    assert set(fac["region_id"]) == scheduled
    assert (out / "factory_claims.csv").exists()
    raw = pd.read_csv(out / "factory_raw_materials.csv")
    assert list(raw.columns) == [
        "region_id",
        "resource",
        "need_t",
        "local_supply_t",
        "imported_t",
        "local_supply_basis",
    ]
    html = (out / "report.html").read_text("utf-8")
    assert 'id="factory-design"' in html and "<svg" in html
    assert "Most common production lines" in html and "Lines of each county" in html
    doss = {d["region_id"]: d for d in json.loads((out / "dossiers.json").read_text("utf-8"))}
    for rid in scheduled:
        lines = doss[rid]["factory_design"]["lines"]
        assert lines and all(": " in ln for ln in lines)
    meta = json.loads((out / "plan.json").read_text("utf-8"))
    ext = meta["extensions"][EXTENSION_NAME]
    assert ext["status"] in ("optimal", "feasible") and ext["gap"] >= 0
    assert ext["certificate"]["max_scaled_violation"] <= 1e-6
    assert "solve_time_s" not in ext  # plan.json stays byte-identical across runs
    assert ext["solver"].startswith("highs ")


def test_design_uses_the_registry_object_it_is_given():
    """An in-memory registry (no file to re-read, unknown source) is designed all the same."""
    toy = toy_region()
    memory = RegionRegistry(toy.frame.copy(), source="<memory>")
    result = regdev.plan(memory, toy_scenario(), options=PlanOptions(explain_last=0, report=False))
    assert result.design is not None
    assert result.extensions[EXTENSION_NAME]["status"] in ("optimal", "feasible")
    assert set(result.tables["factories.csv"]["region_id"]) == set(
        result.schedule.query("facility == 'factories'")["region_id"]
    )


def test_design_is_skipped_above_the_limit_and_says_why(tmp_path):
    result = regdev.plan(
        toy_region(), toy_scenario(), options=PlanOptions(explain_last=0, max_design_regions=2)
    )
    assert result.design is None and not result.tables
    ext = result.extensions[EXTENSION_NAME]
    assert ext["status"] == "skipped" and "exceed" in ext["reason"]
    assert all("factory_design" not in d for d in result.dossiers)
    assert "factory-design" not in [s.id for s in result.report.sections]
    out = result.write(tmp_path / "plan")
    assert not (out / "factories.csv").exists()
    meta = json.loads((out / "plan.json").read_text("utf-8"))
    assert meta["extensions"][EXTENSION_NAME]["status"] == "skipped"


def test_design_can_be_switched_off():
    result = regdev.plan(
        toy_region(), toy_scenario(), options=PlanOptions(explain_last=0, design=False)
    )
    assert result.design is None and not result.extensions and not result.tables


def test_design_region_with_a_what_if():
    res = design_region(
        "Bay", regions=toy_region(), scope="national", forbid_lines=["seafood_processing"]
    )
    assert res.region_id == "T-B2"
    out = res.to_dict()
    assert out["design"]["region_id"] == "T-B2"
    assert out["summary"]["status"] in ("optimal", "feasible")
    assert "seafood_processing" not in {ln["line"] for ln in out["what_if"]["design"]["lines"]}
