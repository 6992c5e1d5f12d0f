"""The factory designer's plan hook on a toy rollout plan."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from regdev.design.plan_hook import HOOK_NAME, factory_design_hook, registry_of_plan
from regdev.design.result import FACTORY_COLUMNS
from regdev.planning import build_problem, load_scenario, plan_rollout, write_plan
from regdev.planning.hooks import plan_hooks
from regdev.registry import toy_region

pytestmark = pytest.mark.solver


@pytest.fixture(scope="module")
def toy_plan():
    sc = load_scenario().with_updates(factories={"per_year": 2}, history={"enabled": False})
    return plan_rollout(build_problem(toy_region(), sc))


def test_design_hook_is_discovered_by_the_planner():
    assert HOOK_NAME in [name for name, _ in plan_hooks()]


def test_design_hook_writes_factories_report_and_dossiers(toy_plan, tmp_path):
    assert registry_of_plan(toy_plan) == toy_region()
    out = write_plan(toy_plan, tmp_path / "plan", hooks=[(HOOK_NAME, factory_design_hook)])
    fac = pd.read_csv(out / "factories.csv")
    assert list(fac.columns) == FACTORY_COLUMNS
    sched = pd.read_csv(out / "schedule.csv")
    scheduled = set(sched.loc[sched["facility"] == "factories", "region_id"])
    assert set(fac["region_id"]) == scheduled
    assert (out / "factory_claims.csv").exists()
    html = (out / "report.html").read_text("utf-8")
    assert 'id="factory-design"' in html and "<svg" in html
    assert "Line types × provinces" in html
    doss = {d["region_id"]: d for d in json.loads((out / "dossiers.json").read_text("utf-8"))}
    for rid in scheduled:
        lines = doss[rid]["factory_design"]["lines"]
        assert lines and all(": " in ln for ln in lines)
    meta = json.loads((out / "plan.json").read_text("utf-8"))
    ext = meta["extensions"][HOOK_NAME]
    assert ext["status"] in ("Optimal", "Feasible") and ext["gap"] >= 0
    assert "solve_time_s" not in ext  # plan.json stays byte-identical across runs


def test_design_hook_output_is_reproducible(toy_plan, tmp_path):
    a = write_plan(toy_plan, tmp_path / "a", hooks=[(HOOK_NAME, factory_design_hook)])
    b = write_plan(toy_plan, tmp_path / "b", hooks=[(HOOK_NAME, factory_design_hook)])
    for name in ("factories.csv", "factory_claims.csv", "report.html", "dossiers.json"):
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


def test_design_hook_skips_plans_whose_registry_cannot_be_recovered(toy_plan):
    import dataclasses

    meta = dict(toy_plan.problem.metadata, registry_source="synth(seed=1)")
    problem = dataclasses.replace(toy_plan.problem, metadata=meta)
    plan = dataclasses.replace(toy_plan, problem=problem)
    ext = factory_design_hook(plan, [])
    assert ext.plan_json["status"] == "skipped" and not ext.files
