"""The tiny hand-solved case: 3 counties, 2 facility types, 2 years.

Counties A, B, C; types factories (F) and hospital (H); years 2024, 2025
(``last_year − y + 1`` = 2 for 2024, 1 for 2025).  Equity weights 1, tier
factor 1, one province, no balance, no budget.  Yearly benefits:

    county   F     H
    A        3     1.5
    B        2     1
    C        1     0.5

Capacities: factories exactly 2 in 2024 and 1 in 2025 (the cadence for three
counties at two a year); hospitals at most 1 in 2024 and 2 in 2025.  Every
county gets both types exactly once (total capacity 3 = 3 counties each).

With workload k = 2 (no coupling) each type is sorted independently:
F: A, B in 2024 (2·3 + 2·2) and C in 2025 (1) = 11;
H: A in 2024 (2·1.5) and B, C in 2025 (1 + 0.5) = 4.5;  optimum 15.5.

With workload k = 1 a county cannot get both in the same year.  The two
factory counties of 2024 (set S) cannot take the 2024 hospital, so it goes to
the third county h, and everything else goes to 2025:

    S = {A, B}, h = C:  F 2·(3+2) + 1 = 11,  H 2·0.5 + (1.5 + 1) = 3.5  → 14.5
    S = {A, C}, h = B:  F 2·(3+1) + 2 = 10,  H 2·1 + (1.5 + 0.5) = 4    → 14
    S = {B, C}, h = A:  F 2·(2+1) + 3 = 9,   H 2·1.5 + (1 + 0.5) = 4.5  → 13.5

so the optimum is 14.5: factories A, B in 2024 and C in 2025; hospital C in
2024, A and B in 2025.  (Benefits are scaled by 1e6 below so that the plan's
objective, stated in millions, reads 15.5 and 14.5.)
"""

from __future__ import annotations

import numpy as np
import pytest

from regdev.planning import build_problem_from_arrays, greedy_plan, plan_rollout

YEARS = (2024, 2025)


def tiny(workload: int):
    benefit = 1e6 * np.array([[3.0, 1.5], [2.0, 1.0], [1.0, 0.5]])
    return build_problem_from_arrays(
        benefit=benefit,
        capacity=np.array([[2, 1], [1, 2]]),
        years=YEARS,
        facilities=("factories", "hospital"),
        region_ids=("A", "B", "C"),
        workload=workload,
    )


def years_of(plan, facility):
    s = plan.schedule
    s = s[s["facility"] == facility]
    return dict(zip(s["region_id"], s["year"], strict=True))


@pytest.mark.solver
def test_tiny_without_workload_coupling_matches_hand_solution():
    plan = plan_rollout(tiny(workload=2))
    assert plan.status == "optimal"
    assert plan.objective == pytest.approx(15.5)
    assert years_of(plan, "factories") == {"A": 2024, "B": 2024, "C": 2025}
    assert years_of(plan, "hospital") == {"A": 2024, "B": 2025, "C": 2025}


@pytest.mark.solver
def test_tiny_with_workload_one_matches_hand_solution():
    plan = plan_rollout(tiny(workload=1))
    assert plan.status == "optimal"
    assert plan.objective == pytest.approx(14.5)
    assert plan.bound == pytest.approx(14.5)
    assert years_of(plan, "factories") == {"A": 2024, "B": 2024, "C": 2025}
    assert years_of(plan, "hospital") == {"C": 2024, "A": 2025, "B": 2025}


@pytest.mark.parametrize("strategy", ["mip", "lp-first"])
@pytest.mark.solver
def test_tiny_both_strategies_agree(strategy):
    from regdev.planning import SolverOptions

    plan = plan_rollout(tiny(workload=1), options=SolverOptions(strategy=strategy))
    assert plan.objective == pytest.approx(14.5)


def test_greedy_baseline_on_tiny_is_feasible_and_not_better():
    g = greedy_plan(tiny(workload=1))
    assert g.feasible, g.problems
    assert g.objective <= 14.5 + 1e-9
    # the greedy gives A its factory in 2024 and then the earliest hospital slot left
    assert g.x.sum() == 6


# ------------------------------------------------ issue 9: cash flow and within-budget mode
def _two_region_cash_flow():
    from regdev.planning import build_problem_from_arrays

    return build_problem_from_arrays(
        benefit=np.array([[2e6], [1e6]]),
        capacity=np.array([[1, 1, 1]]),
        years=(2024, 2025, 2026),
        facilities=("factories",),
        region_ids=("A", "B"),
        base_cost=np.array([[10.0], [10.0]]),
        spend_share=np.array([[0.5, 0.5]]),
    )


@pytest.mark.solver
def test_cash_flow_hand_solved_case():
    """The hand-solved case of regdev.planning.frontier: optimum 7 (A 2024, B 2026)."""
    import dataclasses

    from regdev.planning.problem import within_budget

    p = _two_region_cash_flow()
    plan = plan_rollout(within_budget(p, 6.0, balance=False))
    assert plan.status == "optimal"
    assert plan.objective == pytest.approx(7.0)
    x = plan.solution()
    assert x[0, 0, 0] and x[1, 0, 2] and x.sum() == 2
    np.testing.assert_allclose(p.spending(x), [5.0, 5.0, 5.0])
    assert p.spending_before(x) == pytest.approx(5.0)  # A's first half, paid in 2023
    # a budget of 10 a year takes both early: A 2024 and B 2025 pay 10 in 2024
    assert plan_rollout(within_budget(p, 10.0, balance=False)).objective == pytest.approx(8.0)
    # without the cash flow nothing fits a budget of 6
    flat = within_budget(dataclasses.replace(p, spend_share=None), 6.0, balance=False)
    assert plan_rollout(flat).objective == 0.0


@pytest.mark.solver
def test_within_budget_always_has_an_answer_and_the_frontier_rises():
    from regdev.planning import SolverOptions, build_problem, load_scenario
    from regdev.planning.frontier import budget_frontier
    from regdev.registry import toy_region

    sc = load_scenario().with_updates(factories={"per_year": 2}, history={"enabled": False})
    p = build_problem(toy_region(), sc)
    table = budget_frontier(p, [0.0, 30.0, 40.0, 60.0], options=SolverOptions(mip_rel_gap=1e-6))
    assert (table["status"] == "optimal").all()
    assert table["objective"].iloc[0] == 0.0  # nothing is affordable with nothing
    assert table["objective"].is_monotonic_increasing
    assert table["share_of_unlimited"].iloc[-1] == 1.0
    # every level's plan pays at most the level in every year
    finite = table[np.isfinite(table["budget"])]
    assert (finite["max_annual_payment"] <= finite["budget"] + 1e-6).all()
