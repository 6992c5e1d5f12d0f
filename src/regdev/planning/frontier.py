"""The budget → benefit frontier: the best plan for X units of account a year, for several X.

Every level is solved in coverage mode "at most once within budget"
(:func:`~regdev.planning.problem.within_budget`): every pair at most once,
every capacity an upper limit, the provincial balance relative to what is
built, and the same annual budget in every year, bounding what is *paid* in
the year (the cash flow of :mod:`regdev.planning.scenario`).  Any budget that
pays for the locked projects then has an optimal plan; a lower one gets the
budget family's message with the smallest uniform budget the locks need.

Hand-solved case (cash flow 50 % the year before completion, 50 % in the
completion year; what falls before the first year is not in the budget).  Two
regions, A worth twice B per year of service, at most one factory group a year
in 2024–2026, each costing 10, budget 6 a year.  Without the cash flow nothing
fits (10 > 6).  With it: A in 2024 pays 5 in 2024; B in 2026 pays 5 in 2025
and 5 in 2026 — feasible, objective 2·3 + 1·1 = 7.  A in 2024 with B in 2025
would pay 10 in 2024; A in 2025 pays 5 in 2024 and 5 in 2025, after which B
fits nowhere (2024 or 2026 would pay 10 in one year), objective 4; B in 2024
with A in 2026 gives 3 + 2 = 5.  So the optimum is 7:

>>> import dataclasses
>>> import numpy as np
>>> from regdev.planning.problem import build_problem_from_arrays, within_budget
>>> from regdev.planning import plan_rollout
>>> p = build_problem_from_arrays(
...     benefit=np.array([[2e6], [1e6]]), capacity=np.array([[1, 1, 1]]),
...     years=(2024, 2025, 2026), facilities=("factories",), region_ids=("A", "B"),
...     base_cost=np.array([[10.0], [10.0]]), spend_share=np.array([[0.5, 0.5]]))
>>> plan = plan_rollout(within_budget(p, 6.0, balance=False))
>>> round(plan.objective, 6), plan.schedule[["region_id", "year"]].values.tolist()
(7.0, [['A', 2024], ['B', 2026]])
>>> p.spending(plan.solution()).tolist()
[5.0, 5.0, 5.0]
>>> no_flow = within_budget(dataclasses.replace(p, spend_share=None), 6.0, balance=False)
>>> plan_rollout(no_flow).objective
0.0
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from regdev.errors import InfeasibleSpecificationError
from regdev.planning.greedy import greedy_plan
from regdev.planning.problem import PlanningProblem, within_budget
from regdev.planning.rollout import plan_rollout
from regdev.planning.solve import SolverOptions

FRONTIER_COLUMNS: tuple[str, ...] = (
    "budget",
    "status",
    "objective",
    "share_of_unlimited",
    "gap",
    "greedy_objective",
    "gain_over_greedy_pct",
    "n_projects",
    "n_factories",
    "paid_in_horizon",
    "max_annual_payment",
    "solve_time_s",
    "reason",
)
"""Columns of :func:`budget_frontier`'s table (one row per budget level)."""

__all__ = ["FRONTIER_COLUMNS", "budget_frontier", "default_levels"]


FRONTIER_OPTIONS = SolverOptions(time_limit=30.0, mip_rel_gap=1e-3)
"""Solver options of a frontier level unless given."""


def default_levels(problem: PlanningProblem, n: int = 6) -> list[float]:
    """``n`` uniform annual budgets from what the locked projects need to the unlimited peak.

    The peak is the largest annual payment of the greedy schedule without a
    budget (rounded up to whole units of account); the floor the largest annual payment
    of the locked projects alone (or 10 % of the peak when nothing is locked).
    """
    free = within_budget(problem, np.inf)
    peak = float(np.ceil(free.spending(greedy_plan(free).x).max()))
    locked = np.zeros((problem.n_regions, problem.n_facilities, problem.n_years), dtype=bool)
    ii, ff = np.nonzero(problem.lock_year >= 0)
    locked[ii, ff, problem.lock_year[ii, ff]] = True
    floor = float(np.ceil(problem.spending(locked).max())) if locked.any() else 0.1 * peak
    floor = max(floor, 1.0)
    return [round(float(v), 1) for v in np.linspace(floor, max(peak, floor), n)]


def budget_frontier(
    problem: PlanningProblem,
    levels: Sequence[float] | None = None,
    *,
    options: SolverOptions | None = None,
    progress: Callable[[int, int, float], None] | None = None,
) -> pd.DataFrame:
    """The best plan's objective for each uniform annual budget level.

    Parameters
    ----------
    problem : PlanningProblem
        The problem (its own budget and coverage mode are replaced).
    levels : sequence of float, optional
        Annual budgets in units of account (default :func:`default_levels`).
    options : SolverOptions, optional
        Default :data:`FRONTIER_OPTIONS` (30 s and a relative gap of 10⁻³ per
        level: budget rows make the problem a multi-year knapsack whose last
        10⁻⁶ of gap can take minutes; the table reports every level's gap).
    progress : callable, optional
        Called with ``(done, total, level)`` before each solve.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`FRONTIER_COLUMNS`, one row per level plus a last row
        with ``budget = inf`` (unlimited, the reference of
        ``share_of_unlimited``).  A level the locks do not fit has status
        ``infeasible`` and the budget family's message in ``reason``.
    """
    lv = list(default_levels(problem) if levels is None else levels)
    lv = [*sorted(float(v) for v in lv), float("inf")]
    rows: list[dict[str, Any]] = []
    for k, level in enumerate(lv):
        if progress is not None:
            progress(k, len(lv), level)
        q = within_budget(problem, level, balance=problem.balance_floor is not None)
        try:
            plan = plan_rollout(q, options=options or FRONTIER_OPTIONS)
        except InfeasibleSpecificationError as exc:
            rows.append({"budget": level, "status": "infeasible", "reason": str(exc)})
            continue
        x = plan.solution(allow_feasible=True) if plan.has_solution else None
        greedy = plan.greedy_objective
        rows.append(
            {
                "budget": level,
                "status": str(plan.status),
                "objective": plan.objective if x is not None else None,
                "gap": plan.gap,
                "greedy_objective": greedy,
                "gain_over_greedy_pct": 100 * (plan.objective - greedy) / greedy
                if greedy and x is not None
                else None,
                "n_projects": int(x.sum()) if x is not None else None,
                "n_factories": int(x[:, q.factory_index].sum()) if x is not None else None,
                "paid_in_horizon": float(q.spending(x).sum()) if x is not None else None,
                "max_annual_payment": float(q.spending(x).max()) if x is not None else None,
                "solve_time_s": round(plan.solve_time_s, 3),
                "reason": "",
            }
        )
    frame = pd.DataFrame(rows, columns=list(FRONTIER_COLUMNS))
    top = frame["objective"].iloc[-1]
    frame["share_of_unlimited"] = frame["objective"] / top if top else np.nan
    return frame
