from __future__ import annotations

import numpy as np
import pytest

from regdev.planning import (
    SolverOptions,
    build_model,
    build_problem,
    build_problem_from_arrays,
    load_scenario,
    plan_rollout,
    solve_model,
)
from regdev.planning.model import FAMILIES
from regdev.planning.scenario import scaled_scenario
from regdev.registry.synth import synthesize


def test_model_rows_and_names():
    p = build_problem_from_arrays(
        benefit=np.ones((3, 2)) * 1e6,
        capacity=np.array([[2, 1], [1, 2]]),
        years=(2024, 2025),
        workload=1,
        budget=np.array([100.0, np.inf]),
    )
    m = build_model(p)
    assert m.n_cols == 12
    names = list(m.lp.col_names_)
    assert names[0] == "x[R0000,factories,2024]"
    fams = {FAMILIES[k] for k in np.unique(m.row_family)}
    assert fams == {"coverage", "capacity", "workload", "budget"}
    assert m.rows_of("coverage").size == 6
    rows = list(m.lp.row_names_)
    assert "capacity[hospital,2025]" in rows and "budget[2024]" in rows


@pytest.mark.solver
def test_time_limited_plan_keeps_its_incumbent_and_reports_the_gap():
    sc = scaled_scenario(load_scenario(), 600)
    problem = build_problem(synthesize(600, 0, 1).registry(), sc)
    plan = plan_rollout(problem, options=SolverOptions(time_limit=0.05, strategy="mip"))
    assert plan.status in {"feasible", "optimal"}
    assert plan.has_solution
    if plan.status == "feasible":
        assert plan.gap > 0
        assert plan.objective == pytest.approx(plan.greedy_objective)  # the start we gave it
        with pytest.raises(Exception, match="no optimal solution"):
            _ = plan.schedule


@pytest.mark.solver
def test_lp_first_and_mip_agree_on_a_synthetic_country():
    sc = scaled_scenario(load_scenario(), 300)
    problem = build_problem(synthesize(300, 0, 2).registry(), sc)
    model = build_model(problem)
    a = solve_model(model, SolverOptions(strategy="lp-first"))
    b = solve_model(model, SolverOptions(strategy="mip"))
    assert a.status == b.status == "optimal"
    assert a.objective == pytest.approx(b.objective, rel=2e-6)
    assert a.objective <= a.bound + 1e-9


@pytest.mark.solver
def test_extra_constraints_hook_adds_user_rows():
    from regdev.registry import toy_region

    sc = load_scenario().with_updates(factories={"per_year": 2}, history={"enabled": False})
    problem = build_problem(toy_region(), sc)
    free = plan_rollout(problem)
    last = free.schedule.query("facility == 'factories' and year == 2026")["region_id"].iloc[0]
    i = problem.region_ids.index(last)

    def early(m, p):
        # user row: region `last` gets its factories by 2025 at the latest
        cols = np.flatnonzero((m.var_i == i) & (m.var_f == p.factory_index) & (m.var_t <= 1))
        m.add_rows(
            "user",
            np.zeros(cols.size, dtype=np.int64),
            cols,
            np.ones(cols.size),
            np.array([1.0]),
            np.array([np.inf]),
            np.array([[i, -1]]),
            [f"user-early[{last}]"],
        )

    plan = plan_rollout(problem, extra_constraints=early)
    year = plan.schedule.query("facility == 'factories' and region_id == @last")["year"].item()
    assert year <= 2025
    assert plan.objective <= free.objective + 1e-9
    assert "user-early" in " ".join(plan.model.lp.row_names_)


def test_plan_rollout_takes_a_built_model_but_not_with_a_hook():
    from regdev.errors import InternalError
    from regdev.registry import toy_region

    sc = load_scenario().with_updates(factories={"per_year": 2}, history={"enabled": False})
    problem = build_problem(toy_region(), sc)
    model = build_model(problem)
    plan = plan_rollout(problem, model=model)
    assert plan.model is model and plan.status == "optimal"
    with pytest.raises(InternalError, match="not both"):
        plan_rollout(problem, model=model, extra_constraints=lambda m, p: None)


@pytest.mark.solver
def test_staff_lead_time_holds_and_binds_when_training_is_scarce():
    """Issue 9: the doctors of each province's hospitals completed by a year never exceed
    those trained by then; with scarce training the hospitals come later (lower objective)."""
    from regdev.planning import build_problem, load_scenario
    from regdev.registry import load_default

    sc = load_scenario().with_updates(
        staff={"initial_per_1000": 0.5, "training_per_1000_per_year": 0.08},
        coverage={"mode": "auto"},
    )
    p = build_problem(load_default(), sc, history=False)
    plan = plan_rollout(p)
    assert plan.status == "optimal"
    fh = p.facilities.index("hospital")
    x = plan.solution()[:, fh, :]
    for pr in range(len(p.provinces)):
        mine = p.province_of == pr
        done = np.cumsum((x[mine] * p.staff_need[mine, None]).sum(axis=0))
        assert (done <= p.staff_supply[pr] + 1e-6).all()
    free = plan_rollout(
        build_problem(load_default(), sc.with_updates(staff={"enabled": False}), history=False)
    )
    assert plan.objective < free.objective


@pytest.mark.solver
def test_default_plan_with_every_limit_on_is_optimal_and_keeps_them():
    """Issue 9 target: cash flow, staff lead time and provincial building sites switched on
    (the defaults), proven optimal; every site, staff and workload limit holds."""
    from regdev.planning import build_problem
    from regdev.registry import load_default

    for history in (True, False):
        p = build_problem(load_default(), history=history)
        assert p.construction_sites is not None and p.staff_need is not None
        assert p.spend_share is not None
        plan = plan_rollout(p)
        assert plan.status == "optimal" and plan.gap <= 1e-4
        x = plan.solution()
        assert (p.sites_in_use(x) <= p.construction_sites[:, None] + 1e-9).all()
        assert plan.greedy_objective is not None
        assert plan.greedy_objective <= plan.objective + 1e-6


@pytest.mark.solver
def test_building_sites_hand_solved():
    """One province with one building site, two hospitals built within one year, two years.

    Values (benefit × years of service, in millions): B 3·2 = 6 in 2024, 3·1 = 3 in 2025;
    A 2·2 = 4 and 2·1 = 2.  Without the limit both go in 2024: 6 + 4 = 10.  With one site
    they cannot share a year: B 2024 + A 2025 = 8 beats A 2024 + B 2025 = 7."""
    import dataclasses

    from regdev.planning import build_problem_from_arrays

    p = build_problem_from_arrays(
        benefit=np.array([[0.0, 2e6], [0.0, 3e6]]),
        capacity=np.array([[0, 0], [2, 2]]),
        years=(2024, 2025),
        region_ids=("A", "B"),
    )
    free = plan_rollout(p)
    assert free.objective == pytest.approx(10.0)
    limited = plan_rollout(dataclasses.replace(p, construction_sites=np.array([1.0])))
    assert limited.objective == pytest.approx(8.0)
    assert limited.schedule[["region_id", "year"]].values.tolist() == [["B", 2024], ["A", 2025]]
