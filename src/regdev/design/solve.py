"""Solve a design problem: LP diving with a certified bound, then HiGHS branch and bound.

The national design MILP (about 45,000 variables, 7,500 of them integer)
is hard for HiGHS's default search: its root cut loop alone can run for
minutes.  So ``method="auto"`` first runs :func:`regdev.design.model.dive_start`
(LP diving: fix the most decided module counts round by round, re-solving
the warm-started LP relaxation), which gives a feasible design and the LP
relaxation optimum as a lower bound.  The reported ``gap`` is
``(objective − bound) / |objective|`` — a certified upper bound on the
distance to the true optimum.  When it exceeds ``mip_rel_gap`` and the model
is small (at most :data:`MILP_MAX_REGIONS` regions), HiGHS branch and bound
continues from the dived design for the remaining time.  ``method="milp"``
always runs HiGHS (with the dived start); ``method="dive"`` never does.
"""

from __future__ import annotations

import time
from typing import Literal

import numpy as np

from regdev.design.model import (
    DesignSolution,
    SolveInfo,
    _highs,
    _version,
    build_model,
    dive_start,
    max_violation,
    objective_value,
    solve_model,
)
from regdev.design.problem import DesignProblem
from regdev.design.result import DesignResult
from regdev.errors import InternalError, NotSolvedError

MILP_MAX_REGIONS = 30
"""Largest design that ``method="auto"`` hands to HiGHS branch and bound after diving."""

DIVE_SETTINGS: tuple[tuple[int, float], ...] = ((40, 0.1), (25, 0.15))
"""(rounds, share) of the dives tried; the best design is kept."""

Method = Literal["auto", "milp", "dive"]


def solve_design(
    problem: DesignProblem,
    *,
    method: Method = "auto",
    time_limit: float | None = None,
    mip_rel_gap: float | None = None,
    threads: int | None = None,
    verbose: bool = False,
) -> DesignResult:
    """Design every region's factory group.

    Parameters
    ----------
    problem : DesignProblem
    method : {"auto", "milp", "dive"}
    time_limit, mip_rel_gap, threads : optional
        Default: ``problem.options``.
    verbose : bool
        Show the solver log.

    Returns
    -------
    DesignResult
        With ``status``, ``objective``, ``bound``, ``gap`` and ``solve_time_s``.

    Raises
    ------
    NotSolvedError
        When the solver finds no feasible design within the time limit.
    InfeasibleSpecificationError
        When a standard group has no candidate line somewhere.
    """
    opts = problem.options
    tl = opts.time_limit if time_limit is None else float(time_limit)
    gap = opts.mip_rel_gap if mip_rel_gap is None else float(mip_rel_gap)
    thr = opts.threads if threads is None else int(threads)
    t0 = time.perf_counter()
    model = build_model(problem)
    best: np.ndarray | None = None
    best_obj = float("inf")
    bound = float("-inf")
    for rounds, share in DIVE_SETTINGS:
        left = tl - (time.perf_counter() - t0)
        if left <= 0:
            break
        vals, b = dive_start(model, rounds=rounds, share=share, time_limit=left)
        bound = max(bound, b)
        if vals is not None:
            obj = objective_value(model, vals)
            if obj < best_obj:
                best, best_obj = vals, obj
        if best is not None and _rel_gap(best_obj, bound) <= gap:
            break
    status = "Feasible"
    solver = f"{_version(_highs(quiet=True))} (LP diving; LP-relaxation bound)"
    run_milp = method == "milp" or (
        method == "auto"
        and problem.n_regions <= MILP_MAX_REGIONS
        and (best is None or _rel_gap(best_obj, bound) > gap)
    )
    if run_milp:
        left = max(1.0, tl - (time.perf_counter() - t0))
        info, values = solve_model(
            model, time_limit=left, mip_rel_gap=gap, threads=thr, verbose=verbose, start=best
        )
        if values is not None and info.objective <= best_obj + 1e-9:
            best, best_obj = values, info.objective
        if np.isfinite(info.bound):
            bound = max(bound, info.bound)
        solver = f"{info.solver} (branch and bound after LP diving)"
        if info.status == "Optimal":
            status = "Optimal"
    if best is None:
        msg = f"the design MILP has no solution within {tl:.0f} s: its LP relaxation is infeasible or too slow (check forced and forbidden lines)"
        raise NotSolvedError(msg)
    viol = max_violation(model, best)
    if viol > 1e-5 * max(1.0, float(np.abs(problem.demand).max())):
        msg = f"the design violates its own constraints by {viol:.3g}; please report"
        raise InternalError(msg)
    rel = max(_rel_gap(best_obj, bound), 0.0)
    if rel <= gap:
        status = "Optimal"
    elapsed = time.perf_counter() - t0
    info = SolveInfo(
        status=status,
        objective=best_obj,
        bound=bound,
        gap=rel,
        solve_time_s=elapsed - model.build_time_s,
        solver=solver,
        has_solution=True,
    )
    return DesignResult(
        problem=problem,
        solution=DesignSolution.from_values(model, problem, best),
        info=info,
        method=method,
        model=model,
        wall_time_s=elapsed,
    )


def _rel_gap(objective: float, bound: float) -> float:
    if not np.isfinite(bound):
        return float("inf")
    return (objective - bound) / max(abs(objective), 1e-9)
