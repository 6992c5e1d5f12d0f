"""Issue 9: the materials family (cement and steel against provincial supply with imports)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from regdev.errors import InfeasibleSpecificationError
from regdev.planning import build_problem_from_arrays
from regdev.planning.checks import check_materials
from regdev.planning.greedy import greedy_plan
from regdev.planning.rollout import plan_rollout


def _three_hospitals(import_share: float):
    p = build_problem_from_arrays(
        benefit=np.array([[0.0, 3e6], [0.0, 2e6], [0.0, 1e6]]),
        capacity=np.array([[0], [3]]),
        years=(2024,),
        region_ids=("a1", "a2", "b"),
        provinces=("A", "B"),
        province_of=np.array([0, 0, 1]),
        coverage_exact=np.array([False, False]),
    )
    need = np.zeros((3, 2, 1))
    need[:, 1, 0] = 80.0
    return dataclasses.replace(
        p,
        materials=("cement",),
        material_need=need,
        material_supply=np.array([[100.0], [100.0]]),
        material_import_share=import_share,
    )


@pytest.mark.solver
@pytest.mark.parametrize(
    ("share", "expected", "chosen"),
    [(0.5, 4.0, ["a1", "b"]), (1.0, 5.0, ["a1", "a2"])],
)
def test_materials_hand_solved(share, expected, chosen):
    """The docstring case of define_materials_constraints: the provincial cap (own + imports)
    and the national supply decide who is built; without the family all three (6)."""
    p = _three_hospitals(share)
    free = plan_rollout(dataclasses.replace(p, material_need=None, material_supply=None))
    assert free.objective == pytest.approx(6.0)
    plan = plan_rollout(p)
    assert plan.objective == pytest.approx(expected)
    assert sorted(plan.schedule["region_id"].tolist()) == chosen
    x = plan.solution()
    limit, national = p.materials_used(x), p.material_limits()
    assert (limit[0] <= national[0][0][:, None] + 1e-9).all()
    assert (limit[0].sum(axis=0) <= national[1][0] + 1e-9).all()
    g = greedy_plan(p)
    used = p.materials_used(g.x)
    assert (used[0] <= national[0][0][:, None] + 1e-9).all()
    assert g.objective <= plan.objective + 1e-9


def test_locked_projects_over_the_material_limit_are_refused_with_the_shortfall():
    p = _three_hospitals(0.5)
    lock = np.full((3, 2), -1)
    lock[[0, 1], 1] = 0
    p = dataclasses.replace(p, lock_year=lock)
    with pytest.raises(InfeasibleSpecificationError) as err:
        check_materials(p)
    assert err.value.constraint == "materials"
    assert "shortfall 10 t" in str(err.value)  # 160 t against 100 · 1.5


@pytest.mark.solver
def test_default_plan_has_materials_on_and_keeps_them():
    from regdev.planning import build_problem
    from regdev.registry import load_default

    p = build_problem(load_default(), history=False)
    assert p.materials == ("cement", "steel") and p.material_supply is not None
    plan = plan_rollout(p)
    assert plan.status == "optimal" and plan.gap <= 1e-4
    used = p.materials_used(plan.solution())
    limit, national = p.material_limits()
    assert (used <= limit[:, :, None] * (1 + 1e-9) + 1e-6).all()
    assert (used.sum(axis=1) <= national[:, None] * (1 + 1e-9) + 1e-6).all()


def test_materials_switch_off():
    from regdev.planning import build_problem
    from regdev.planning.scenario import load_scenario
    from regdev.registry import load_default

    sc = load_scenario().with_updates(materials={"enabled": False})
    p = build_problem(load_default(), sc, history=False)
    assert p.material_need is None and p.materials == ()


@pytest.mark.solver
def test_raw_material_base_lag_hand_solved():
    """Docstring case of define_raw_materials_constraints: A (3 per year of service) waits a
    year for its raw-material base, B (1) has one: free 3·2 + 1·1 = 7, with the lag 1·2 + 3 = 5."""
    p = build_problem_from_arrays(
        benefit=np.array([[3e6, 0.0], [1e6, 0.0]]),
        capacity=np.array([[1, 1], [0, 0]]),
        years=(2024, 2025),
        region_ids=("A", "B"),
    )
    assert plan_rollout(p).objective == pytest.approx(7.0)
    lagged = dataclasses.replace(p, raw_base_year=np.array([1, 0]))
    plan = plan_rollout(lagged)
    assert plan.objective == pytest.approx(5.0)
    assert plan.schedule[["region_id", "year"]].values.tolist() == [["B", 2024], ["A", 2025]]
    g = greedy_plan(lagged)
    assert g.feasible and not g.x[0, 0, 0]


@pytest.mark.solver
def test_raw_material_lag_infeasible_names_family_and_shortfall():
    p = build_problem_from_arrays(
        benefit=np.array([[3e6, 0.0], [1e6, 0.0]]),
        capacity=np.array([[1, 1], [0, 0]]),
        years=(2024, 2025),
        region_ids=("A", "B"),
    )
    with pytest.raises(InfeasibleSpecificationError) as err:
        plan_rollout(dataclasses.replace(p, raw_base_year=np.array([1, 1])))
    assert err.value.constraint == "raw_materials"
    assert "shortfall 1" in str(err.value)


def test_default_raw_material_lag():
    from regdev.planning import build_problem
    from regdev.planning.scenario import load_scenario
    from regdev.registry import load_default

    p = build_problem(load_default(), history=False)
    assert p.raw_base_year is not None and set(p.raw_base_year.tolist()) == {0, 1}
    off = load_scenario().with_updates(raw_materials={"enabled": False})
    assert build_problem(load_default(), off, history=False).raw_base_year is None


@pytest.mark.solver
def test_units_reach_hand_solved():
    """Docstring case of define_units_constraints: province A can start one factory group a
    season (its units and its neighbours'), so a1 + b go first: 10 instead of 11."""
    p = build_problem_from_arrays(
        benefit=np.array([[3e6, 0.0], [2e6, 0.0], [1e6, 0.0]]),
        capacity=np.array([[2, 1], [0, 0]]),
        years=(2024, 2025),
        region_ids=("a1", "a2", "b"),
        provinces=("A", "B"),
        province_of=np.array([0, 0, 1]),
    )
    assert plan_rollout(p).objective == pytest.approx(11.0)
    limited = dataclasses.replace(p, unit_reach=np.array([1, 2]))
    plan = plan_rollout(limited)
    assert plan.objective == pytest.approx(10.0)
    first = sorted(plan.schedule.query("year == 2024")["region_id"].tolist())
    assert first == ["a1", "b"]
    g = greedy_plan(limited)
    assert g.feasible and g.x[:2, 0, 0].sum() <= 1


@pytest.mark.solver
def test_units_reach_too_small_names_the_family():
    p = build_problem_from_arrays(
        benefit=np.array([[3e6, 0.0], [2e6, 0.0]]),
        capacity=np.array([[2, 0], [0, 0]]),
        years=(2024, 2025),
        region_ids=("a1", "a2"),
    )
    with pytest.raises(InfeasibleSpecificationError) as err:
        plan_rollout(dataclasses.replace(p, unit_reach=np.array([1])))
    assert err.value.constraint == "units"
