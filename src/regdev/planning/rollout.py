"""``plan_rollout``: check → build → (user hook) → solve → :class:`Plan`, in one call."""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

from regdev._milp import SolveResult, SolveStatus
from regdev.errors import InfeasibleSpecificationError, InternalError
from regdev.planning.checks import check_problem
from regdev.planning.greedy import greedy_plan
from regdev.planning.model import FAMILIES, ModelBuilder, RolloutModel, build_model
from regdev.planning.plan import Plan
from regdev.planning.problem import PlanningProblem
from regdev.planning.solve import SolverOptions, solve_model

ProgressFn = Callable[[str], None]

CERTIFICATE_TOL = 1e-6
"""Largest scaled violation a returned plan may show (see :class:`regdev._milp.Certificate`)."""


def plan_rollout(
    problem: PlanningProblem,
    *,
    options: SolverOptions | None = None,
    extra_constraints: Callable[[ModelBuilder, PlanningProblem], None] | None = None,
    check: bool = True,
    greedy_start: bool = True,
    start: np.ndarray | None = None,
    progress: ProgressFn | None = None,
    model: RolloutModel | None = None,
) -> Plan:
    """Plan the rollout of ``problem``: check, build, solve, return a :class:`Plan`.

    Parameters
    ----------
    problem : PlanningProblem
        From :func:`~regdev.planning.build_problem`.
    options : SolverOptions, optional
        Time limit, gap, threads, strategy.
    extra_constraints : callable, optional
        Hook ``(m, problem) -> None`` adding rows after the standard families.
    check : bool, default True
        Run the pre-solve checks.
    greedy_start : bool, default True
        Compute the greedy baseline (recorded as ``plan.greedy_objective``) and
        hand it to HiGHS as a starting incumbent when it is feasible.
    start : numpy.ndarray of bool, shape (n, F, Y), optional
        A feasible schedule to start from instead (e.g. a neighbour of a known plan).
    progress : callable, optional
        Called with a stage name (``"checking"``, ``"building"``, ``"solving"``, ``"done"``).
    model : RolloutModel, optional
        The model of ``problem`` when already built (``build_model(problem)``);
        not with ``extra_constraints``.

    Returns
    -------
    Plan
        Also when the solver stops at its time limit (``status == "feasible"``).

    Raises
    ------
    InfeasibleSpecificationError
        When the checks, or the solver, prove the specification infeasible
        (the message names the constraint family).
    """
    say = progress or (lambda _stage: None)
    opts = options or SolverOptions()
    if check:
        say("checking")
        check_problem(problem)
    say("building")
    t0 = time.perf_counter()
    if model is None:
        model = build_model(problem, extra_constraints=extra_constraints)
    elif extra_constraints is not None:
        msg = "plan_rollout: pass extra_constraints or a built model, not both"
        raise InternalError(msg)
    greedy = greedy_plan(problem) if greedy_start else None
    build_time = time.perf_counter() - t0
    cols = None
    if start is not None:
        cols = model.to_columns(start)
    elif greedy is not None and greedy.feasible:
        cols = model.to_columns(greedy.x)
    say("solving")
    res = solve_model(model, opts, start=cols)
    if res.status == SolveStatus.INFEASIBLE:
        diagnose_infeasibility(problem, opts)
    if res.certificate is not None and not res.certificate.ok(CERTIFICATE_TOL):
        cert = res.certificate
        msg = (
            f"the solver's plan violates its own model (row or bound {cert.worst!r} by "
            f"{cert.max_violation:.3g}, integrality by {cert.max_integrality_violation:.3g}); "
            "please report"
        )
        raise InternalError(msg)
    x = model.to_cube(problem, res.x) if res.x is not None else None
    say("done")
    g_obj = greedy.objective if (greedy is not None and greedy.feasible) else None
    return _make_plan(problem, model, res, opts, build_time, g_obj, x)


def _make_plan(
    problem: PlanningProblem,
    model: RolloutModel,
    res: SolveResult,
    opts: SolverOptions,
    build_time: float,
    greedy_objective: float | None,
    x: np.ndarray | None,
) -> Plan:
    return Plan(
        problem=problem,
        status=res.status,
        objective=res.objective,
        bound=res.bound,
        gap=res.gap,
        solve_time_s=res.solve_time_s,
        build_time_s=build_time,
        method=res.method,
        solver={
            "name": "highs",
            "version": res.solver_version,
            "time_limit": opts.time_limit,
            "mip_rel_gap": opts.mip_rel_gap,
            "threads": opts.threads,
            "strategy": opts.strategy,
        },
        model=model,
        greedy_objective=greedy_objective,
        x_=x,
        certificate=res.certificate,
    )


def diagnose_infeasibility(problem: PlanningProblem, options: SolverOptions | None = None) -> None:
    """Find which constraint family makes ``problem`` infeasible and raise about it.

    Each family in turn (budget, balance, workload, capacity, coverage) is
    left out and the rest re-solved; the first whose removal restores
    feasibility is named.

    Raises
    ------
    InfeasibleSpecificationError
        Always (naming the family, or all families when no single one explains it).
    """
    opts = options or SolverOptions()
    quick = SolverOptions(
        time_limit=min(opts.time_limit, 30.0), mip_rel_gap=1.0, threads=opts.threads, strategy="mip"
    )
    for family in (
        "budget",
        "staff",
        "construction",
        "materials",
        "raw_materials",
        "units",
        "balance",
        "workload",
        "capacity",
        "coverage",
    ):
        model = build_model(problem, skip=(family,))
        res = solve_model(model, quick)
        if res.status.has_solution:
            detail = _family_detail(problem, family)
            msg = (
                f"{family}: the scenario is infeasible, and becomes feasible when the {family} "
                f"constraints are dropped ({detail})"
            )
            if family == "budget":
                low, best = minimum_uniform_budget(problem, quick.time_limit)
                if best is not None:
                    msg += (
                        f"; the smallest uniform annual budget that makes it feasible is "
                        f"{best:.1f} {problem.unit_name}"
                        f" (proven at least {low:.1f})"
                    )
            raise InfeasibleSpecificationError(msg, constraint=family)
    msg = (
        "the scenario is infeasible and no single constraint family ("
        + ", ".join(FAMILIES)
        + ") explains it; check the locks and bans"
    )
    raise InfeasibleSpecificationError(msg, constraint="lock")


def minimum_uniform_budget(
    problem: PlanningProblem, time_limit: float = 30.0
) -> tuple[float, float | None]:
    """The smallest annual budget, the same in every year, that admits a plan.

    Solves ``min B`` subject to every family but the budget and ``payments(y)
    ≤ B`` for every year (with the cash flow), as a MILP from the rollout model.

    Returns
    -------
    (lower bound, best budget found or None)

    Examples
    --------
    Two regions that must both get a hospital in one of two years (one factory
    a year, cost 1, hospitals cost 5): paying 1 + 5 = 6 in each year is the
    least uniform budget.

    >>> import numpy as np
    >>> from regdev.planning import build_problem_from_arrays
    >>> p = build_problem_from_arrays(benefit=np.ones((2, 2)) * 1e5,
    ...     capacity=np.array([[1, 1], [2, 2]]), years=(2024, 2025),
    ...     base_cost=np.array([[1.0, 5.0], [1.0, 5.0]]))
    >>> low, best = minimum_uniform_budget(p)
    >>> round(best, 6), round(low, 6)
    (6.0, 6.0)
    """
    import highspy

    from regdev._milp.highs import new_highs

    model = build_model(problem, skip=("budget",))
    h = new_highs()
    h.passModel(model.lp)
    n = model.n_cols
    h.changeColsCost(n, np.arange(n, dtype=np.int32), np.zeros(n))
    h.changeObjectiveSense(highspy.ObjSense.kMinimize)
    h.addVar(0.0, highspy.kHighsInf)
    h.changeColCost(n, 1.0)
    share = problem.spend_profile()
    cost = problem.cost()[model.var_i, model.var_f, model.var_t]
    for y in range(problem.n_years):
        idx, val = [n], [-1.0]
        for k in range(share.shape[1]):
            sel = np.flatnonzero((model.var_t - k == y) & (share[model.var_f, k] > 0))
            idx.extend(sel.tolist())
            val.extend((cost[sel] * share[model.var_f[sel], k]).tolist())
        h.addRow(-highspy.kHighsInf, 0.0, len(idx), np.array(idx, np.int32), np.array(val))
    h.setOptionValue("time_limit", float(time_limit))
    h.setOptionValue("mip_rel_gap", 1e-4)
    h.setOptionValue("random_seed", 0)
    h.run()
    info = h.getInfo()
    if info.primal_solution_status != 2:  # no feasible solution
        return float(info.mip_dual_bound), None
    return float(info.mip_dual_bound), float(info.objective_function_value)


def _family_detail(p: PlanningProblem, family: str) -> str:
    if family == "budget":
        fin = np.isfinite(p.budget)
        yrs = [f"{y}: {b:.1f}" for y, b, ok in zip(p.years, p.budget, fin, strict=True) if ok]
        unit = p.unit_name
        return f"budget {unit} {', '.join(yrs)}"
    if family == "construction":
        return "building sites per province (construction.sites_per_100k, min_sites)"
    if family == "materials" and p.material_need is not None and p.material_supply is not None:
        must = p.coverage_exact[None, :, None] & p.eligible[:, :, None]
        need = (p.material_need * must).sum(axis=(0, 1))
        _, national = p.material_limits()
        parts = []
        for mi, mat in enumerate(p.materials):
            have = national[mi] * p.n_years
            parts.append(
                f"{mat}: the projects that must be built need {need[mi]:,.0f} t, the country "
                f"produces {have:,.0f} t over the horizon (shortfall {max(need[mi] - have, 0.0):,.0f}"
                " t before the yearly and provincial limits)"
            )
        return "; ".join(parts) + " (materials.supply_t_per_1000, materials.import_share)"
    if family == "raw_materials" and p.raw_base_year is not None:
        late = int((p.raw_base_year > 0).sum())
        fi = p.factory_index
        early = int(p.capacity[fi, : int(p.raw_base_year.max())].sum())
        ready = int(((p.raw_base_year == 0) & p.eligible[:, fi]).sum())
        return (
            f"{late} regions wait for their raw-material base; the first "
            f"{int(p.raw_base_year.max())} year(s) need {early} factory groups but only {ready} "
            f"regions have a base; shortfall {max(early - ready, 0)} "
            "(raw_materials.lag_years, raw_materials.developed)"
        )
    if family == "units" and p.unit_reach is not None:
        reach = ", ".join(f"{pr} {int(r)}" for pr, r in zip(p.provinces, p.unit_reach, strict=True))
        return f"factory groups a province can start per season: {reach} (units.reach)"
    if family == "staff":
        return "doctors trained per province (staff.training_per_1000_per_year, staff.lag_years)"
    if family == "balance":
        return f"balance tolerance {p.metadata.get('balance_tolerance')}"
    if family == "workload":
        return f"at most {p.workload} projects per region and year"
    if family in ("capacity", "coverage"):
        caps = "; ".join(
            f"{fac} {int(p.capacity[f].sum())} for {int(p.eligible[:, f].sum())} candidates"
            for f, fac in enumerate(p.facilities)
        )
        return f"capacity totals: {caps}"
    return family
