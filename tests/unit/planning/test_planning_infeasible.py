"""Infeasible specifications get a message naming the constraint family and the numbers."""

from __future__ import annotations

import numpy as np
import pytest

from regdev.errors import InfeasibleSpecificationError
from regdev.planning import build_problem, build_problem_from_arrays, load_scenario, plan_rollout
from regdev.registry import load_default


def _plan(**updates):
    sc = load_scenario().with_updates(**updates)
    return plan_rollout(build_problem(load_default(), sc))


def test_locked_projects_exceed_capacity():
    # the real 2025 cohort locks three hospitals; allow only one
    with pytest.raises(InfeasibleSpecificationError) as err:
        _plan(capacity={"hospital": {"by_year": {2025: 1}}})
    assert err.value.constraint == "capacity"
    assert str(err.value).startswith("capacity: 3 hospital projects are locked to 2025")
    assert "the capacity of 2025 is 1" in str(err.value)


def test_capacity_too_small_for_exactly_once():
    with pytest.raises(InfeasibleSpecificationError) as err:
        _plan(coverage={"mode": "exact"}, capacity={"hospital": {"default": 10}})
    assert err.value.constraint == "coverage"
    msg = str(err.value)
    assert "all 179 candidates must get a hospital exactly once" in msg
    assert "capacity totals 90" in msg  # 0 + 10 + 8 × 10


def _two_provinces(forbid_b_first_year: bool, lock_a: bool, tolerance: int):
    from regdev.planning.problem import balance_floors

    # four regions, A1 A2 in province A and B1 B2 in province B; two factories a year
    prov = np.array([0, 0, 1, 1])
    cap = np.array([[2, 2]])
    floor = balance_floors(prov, 2, np.cumsum(cap[0]), tolerance)
    forbid = np.zeros((4, 1, 2), dtype=bool)
    lock = np.full((4, 1), -1)
    if forbid_b_first_year:
        forbid[2:, 0, 0] = True
    if lock_a:
        lock[:2, 0] = 0
    return build_problem_from_arrays(
        benefit=np.array([[4.0], [3.0], [2.0], [1.0]]) * 1e5,
        capacity=cap,
        years=(2024, 2025),
        facilities=("factories",),
        region_ids=("A1", "A2", "B1", "B2"),
        provinces=("A", "B"),
        province_of=prov,
        balance_floor=floor,
        forbidden=forbid,
        lock_year=lock,
    )


def test_balance_impossible_when_a_province_cannot_start():
    with pytest.raises(InfeasibleSpecificationError) as err:
        plan_rollout(_two_provinces(forbid_b_first_year=True, lock_a=False, tolerance=0))
    assert err.value.constraint == "balance"
    assert str(err.value) == (
        "balance: B needs at least 1 factory projects by the end of 2024 "
        "(floor(share × 2) − tolerance) but only 0 of its regions can have one by then"
    )


def test_balance_impossible_with_locks():
    with pytest.raises(InfeasibleSpecificationError) as err:
        plan_rollout(_two_provinces(forbid_b_first_year=False, lock_a=True, tolerance=0))
    assert err.value.constraint == "balance"
    assert "by the end of 2024 the provinces need at least 3 factory projects" in str(err.value)
    assert "but only 2 are built by then" in str(err.value)


def test_balance_with_tolerance_is_feasible_and_holds():
    plan = plan_rollout(_two_provinces(forbid_b_first_year=False, lock_a=False, tolerance=0))
    s = plan.schedule
    first = set(s[s["year"] == 2024]["region_id"])
    # without balance A1, A2 (the two best) would go first; balance puts one of B first
    assert first == {"A1", "B1"}


def test_locked_cost_exceeds_budget():
    # without the cash flow (issue 9) a project's whole cost falls in its completion year
    with pytest.raises(
        InfeasibleSpecificationError,
        match=r"budget: locked projects of 2024 cost [0-9.]+ M USD but the budget of 2024 is 10\.0 M USD",
    ):
        _plan(budget={"by_year": {2024: 10.0}}, cashflow={"enabled": False})


def test_locked_payments_exceed_budget_with_the_cash_flow():
    # issue 9: with the cash flow the check is on what is paid in the year, and the message
    # gives the smallest uniform budget the locks alone need
    with pytest.raises(InfeasibleSpecificationError) as err:
        _plan(budget={"by_year": {2024: 10.0}})
    msg = str(err.value)
    assert err.value.constraint == "budget"
    assert msg.startswith("budget: in 2024 the locked projects pay ")
    assert "but the budget of 2024 is 10.0 M USD" in msg
    assert "need a uniform annual budget of at least" in msg


def test_solver_infeasibility_is_diagnosed_by_family():
    # two regions, one factory a year, both must get a hospital in the only year
    # with hospital capacity, but the budget of that year pays for one: the
    # pre-solve checks pass, the solver proves infeasibility, and the diagnosis
    # names the budget.
    p = build_problem_from_arrays(
        benefit=np.ones((2, 2)) * 1e5,
        capacity=np.array([[1, 1], [2, 0]]),
        years=(2024, 2025),
        base_cost=np.array([[1.0, 5.0], [1.0, 5.0]]),
        budget=np.array([8.0, np.inf]),
    )
    with pytest.raises(InfeasibleSpecificationError) as err:
        plan_rollout(p)
    assert err.value.constraint == "budget"
    assert "becomes feasible when the budget constraints are dropped" in str(err.value)
    assert "2024: 8.0" in str(err.value)
    # issue 9: the shortfall - both hospitals (5 each) and a factory (1) in 2024: 11 M USD (the unit of account)
    assert "the smallest uniform annual budget that makes it feasible is 11.0 M USD" in str(
        err.value
    )


def test_exact_factory_cohort_needs_enough_open_regions():
    forbid = np.zeros((3, 1, 2), dtype=bool)
    forbid[:, 0, 0] = [True, True, False]
    p = build_problem_from_arrays(
        benefit=np.ones((3, 1)),
        capacity=np.array([[2, 1]]),
        years=(2024, 2025),
        facilities=("factories",),
        forbidden=forbid,
    )
    with pytest.raises(
        InfeasibleSpecificationError,
        match=r"capacity: exactly 2 factories projects are required in 2024 but only 1 regions can take one",
    ):
        plan_rollout(p)


def test_locked_hospitals_without_trained_doctors_name_the_staff_family():
    # issue 9: no doctors to redeploy and a two-year training lag: the real 2025 hospitals
    # cannot be staffed; the message names the family, the province and the shortfall
    with pytest.raises(InfeasibleSpecificationError) as err:
        _plan(staff={"initial_per_1000": 0.0, "lag_years": 2})
    msg = str(err.value)
    assert err.value.constraint == "staff"
    assert "by 2025 need" in msg and "doctors but only 0 are trained by then; shortfall" in msg
