from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from regdev.errors import NotFoundError
from regdev.planning import (
    build_dossiers,
    build_problem,
    explain_region,
    load_scenario,
    move_earlier_cost,
    plan_rollout,
)
from regdev.planning.explain import last_scheduled
from regdev.registry import toy_region


@pytest.fixture(scope="module")
def toy_plan():
    sc = load_scenario().with_updates(factories={"per_year": 2}, history={"enabled": False})
    return plan_rollout(build_problem(toy_region(), sc))


@pytest.mark.solver
def test_move_earlier_cost_equals_forced_resolve(toy_plan):
    p = toy_plan.problem
    rid = last_scheduled(toy_plan, 1)[0]
    res = move_earlier_cost(toy_plan, rid)
    assert res["feasible"]
    i, fi = p.region_ids.index(rid), p.factory_index
    t = int(toy_plan.year_index()[i, fi])
    lock = p.lock_year.copy()
    lock[i, fi] = t - 1
    forced = plan_rollout(dataclasses.replace(p, lock_year=lock))
    assert res["cost"] == pytest.approx(toy_plan.objective - forced.objective, abs=1e-6)
    assert res["cost"] >= 0
    assert res["to_year"] == res["from_year"] - 1


def test_dossiers_cover_every_region(toy_plan):
    doss = build_dossiers(toy_plan, move_earlier=[])
    assert [d["region_id"] for d in doss] == sorted(toy_plan.problem.region_ids)
    for d in doss:
        assert set(d["projects"]) <= set(toy_plan.problem.facilities)
        assert "factories" in d["projects"]
        assert d["move_factory_earlier"] is None
        for pr in d["projects"].values():
            assert set(pr["binding"]) <= {"capacity", "balance", "budget", "workload", "lock"}
    ranks = sorted(d["equity_rank"] for d in doss)
    assert ranks == list(range(1, len(doss) + 1))
    # offshore farms only for the coastal toy regions
    coastal = {d["region_id"] for d in doss if "offshore_farm" not in d["not_candidate"]}
    assert coastal == {"T-A2", "T-B2"}


def test_capacity_binds_for_late_factories(toy_plan):
    doss = {d["region_id"]: d for d in build_dossiers(toy_plan, move_earlier=[])}
    last = [rid for rid, d in doss.items() if d["projects"]["factories"]["year"] == 2026]
    assert len(last) == 1
    assert "capacity" in doss[last[0]]["projects"]["factories"]["binding"]


def test_explain_region_and_unknown(toy_plan):
    d = explain_region(toy_plan, "T-A1")
    assert d["region_id"] == "T-A1"
    assert d["move_factory_earlier"] is not None
    first = d["projects"]["factories"]["year"] == 2024
    assert (d["move_factory_earlier"]["feasible"] is False) == first
    with pytest.raises(NotFoundError):
        explain_region(toy_plan, "nowhere")


def test_left_out_lists_reason_when_capacity_is_short():
    sc = load_scenario().with_updates(
        factories={"per_year": 2},
        history={"enabled": False},
        capacity={"hospital": {"default": 0, "by_year": {2025: 1, 2026: 1}}},
    )
    plan = plan_rollout(build_problem(toy_region(), sc))
    left = plan.left_out()
    assert sorted(left["facility"]) == ["hospital"] * 3
    assert (
        left["reason"]
        .str.startswith("capacity: 2 hospital projects fit 2024–2033 for 5 candidates")
        .all()
    )
    got = plan.schedule.query("facility == 'hospital'")
    assert len(got) == 2
    # the two hospitals go to the two highest weighted benefits
    p = plan.problem
    h = p.facilities.index("hospital")
    w = p.benefit[:, h] * p.equity_weight
    best = {p.region_ids[k] for k in np.argsort(-w)[:2]}
    assert set(got["region_id"]) == best


@pytest.mark.solver
def test_budget_binds_when_it_pushes_a_project_later():
    # the 2025 budget pays for the locked-in cadence of factories but not for
    # every hospital the capacity would allow: some hospitals move to later years
    # (cost booked in the completion year: the issue-9 cash flow is switched off here)
    sc = load_scenario().with_updates(
        factories={"per_year": 2},
        history={"enabled": False},
        capacity={"hospital": {"default": 5, "by_year": {2024: 0}}},
        cashflow={"enabled": False},
    )
    base = plan_rollout(build_problem(toy_region(), sc))
    cost_2025 = base.schedule.query("year == 2025")["cost"].sum()
    tight = load_scenario().with_updates(
        factories={"per_year": 2},
        history={"enabled": False},
        capacity={"hospital": {"default": 5, "by_year": {2024: 0}}},
        budget={"by_year": {2025: round(cost_2025 * 0.6, 3)}},
        cashflow={"enabled": False},
    )
    plan = plan_rollout(build_problem(toy_region(), tight))
    spent = plan.schedule.query("year == 2025")["cost"].sum()
    assert spent <= cost_2025 * 0.6 + 1e-6
    assert plan.objective < base.objective
    doss = build_dossiers(plan, move_earlier=[])
    assert any("budget" in d["binding"] for d in doss)


def test_utilitarian_equity_weights_are_one():
    # issue 9: the utilitarian headcount objective is the option objective = "headcount"
    head = {"objective": "headcount"}
    sc = load_scenario().with_updates(equity={**head, "epsilon": 0.0}, history={"enabled": False})
    p = build_problem(toy_region(), sc)
    assert np.allclose(p.equity_weight, 1.0)
    sc2 = load_scenario().with_updates(equity={**head, "epsilon": 2.0}, history={"enabled": False})
    q = build_problem(toy_region(), sc2)
    assert np.allclose(q.equity_weight, (p.development / p.development.mean()) ** -2)


def test_prioritarian_weights_per_person_fall_with_population():
    sc = load_scenario().with_updates(
        equity={"epsilon": 0.0, "population_exponent": 0.25}, history={"enabled": False}
    )
    p = build_problem(toy_region(), sc)
    assert np.allclose(p.equity_weight, (p.population / p.population.mean()) ** -0.75)


def test_explanations_work_for_a_time_limited_plan(toy_plan):
    stopped = dataclasses.replace(toy_plan, status="feasible", gap=0.01)
    rid = last_scheduled(stopped, 1)[0]
    res = move_earlier_cost(stopped, rid)
    assert res["feasible"]
    assert len(build_dossiers(stopped, move_earlier=[])) == stopped.problem.n_regions


# ------------------------------------------------------- issue 9: cheap explanations
@pytest.fixture(scope="module")
def default_plan_history():
    from regdev.registry import load_default

    return plan_rollout(build_problem(load_default()))


@pytest.mark.solver
@pytest.mark.parametrize("which", ["toy", "default"])
def test_lp_bound_costs_equal_the_full_re_solve(which, toy_plan, default_plan_history):
    """The warm-started LP bound + one-swap schedule gives the same cost as the forced
    re-solve, its interval contains the re-solve's cost, and it settles most regions."""
    from regdev.planning.explain import MoveEarlierBounds

    plan = toy_plan if which == "toy" else default_plan_history
    bounds = MoveEarlierBounds(plan)
    targets = last_scheduled(plan, 3 if which == "toy" else 8)
    settled = 0
    for rid in targets:
        full = move_earlier_cost(plan, rid)
        cheap = move_earlier_cost(plan, rid, bounds=bounds)
        assert cheap["feasible"] == full["feasible"]
        if not full["feasible"]:
            continue
        assert cheap["cost"] == pytest.approx(full["cost"], abs=1e-5)
        low, high = cheap["cost_bounds"]
        assert low - 1e-6 <= full["cost"] <= high + 1e-6
        settled += cheap["method"] == "lp-bound"
        assert full["method"] == "re-solve"
    if which == "default":
        # the toy's staff rows bind (its provinces are small), its forced LPs are fractional
        # and every cost falls back to the re-solve; on the default country the LP settles
        assert settled >= len(targets) // 2


@pytest.mark.solver
def test_lp_bound_leaves_the_plan_model_integer(toy_plan):
    import highspy

    from regdev.planning.explain import MoveEarlierBounds

    MoveEarlierBounds(toy_plan)
    integrality = list(toy_plan.model.lp.integrality_)
    assert len(integrality) == toy_plan.model.n_cols
    assert all(v == highspy.HighsVarType.kInteger for v in integrality)
