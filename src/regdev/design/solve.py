"""Solve a design problem: LP diving with a certified bound, then HiGHS branch and bound.

The national design MILP (about 45,000 variables, 7,500 of them integer)
is hard for HiGHS's default search: its root cut loop alone can run for
minutes.  So ``method="auto"`` first runs :func:`regdev.design.heuristics.dive_start`
(LP diving: fix the most decided module counts round by round, re-solving
the warm-started LP relaxation), which gives a feasible design and the LP
relaxation optimum as a lower bound.  The reported ``gap`` is
:func:`regdev._milp.relative_gap` of the objective and that bound — a
certified upper bound on the distance to the true optimum.  When it exceeds
``mip_rel_gap`` and the model is small (at most :data:`MILP_MAX_REGIONS`
regions), HiGHS branch and bound (:func:`regdev._milp.solve`) continues from
the dived design for the remaining time.  ``method="milp"`` always runs HiGHS
(with the dived start); ``method="dive"`` never does.

Status words are :class:`regdev._milp.SolveStatus` (the planner's too):
``optimal`` means "within ``mip_rel_gap``", ``feasible`` a design whose
certified gap is larger.  The design returned is re-checked against the model
(:func:`regdev._milp.certify`).
"""

from __future__ import annotations

import math
import time
from typing import Literal

import numpy as np

from regdev._milp import SolveResult, SolveStatus, certify, highs_version, relative_gap, solve
from regdev.design.heuristics import dive_start
from regdev.design.model import DesignSolution, build_model
from regdev.design.problem import DesignProblem
from regdev.design.result import DesignResult
from regdev.errors import InternalError, NotSolvedError

MILP_MAX_REGIONS = 30
"""Largest design that ``method="auto"`` hands to HiGHS branch and bound after diving."""

DIVE_SETTINGS: tuple[tuple[int, float], ...] = ((40, 0.1), (25, 0.15))
"""(rounds, share) of the dives tried; the best design is kept."""

DIVE_METHOD = "LP diving; LP-relaxation bound"
MILP_METHOD = "branch and bound after LP diving"

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
    InternalError
        When the design found violates its own model (the certificate fails).
    """
    opts = problem.options
    tl = opts.time_limit if time_limit is None else float(time_limit)
    gap = opts.mip_rel_gap if mip_rel_gap is None else float(mip_rel_gap)
    thr = opts.threads if threads is None else int(threads)
    t0 = time.perf_counter()
    model = build_model(problem)
    objective = model.milp.objective
    best: np.ndarray | None = None
    best_obj = math.inf
    bound = -math.inf
    for rounds, share in DIVE_SETTINGS:
        left = tl - (time.perf_counter() - t0)
        if left <= 0:
            break
        vals, b = dive_start(model, rounds=rounds, share=share, time_limit=left)
        bound = max(bound, b)
        if vals is not None:
            obj = float(objective @ vals)
            if obj < best_obj:
                best, best_obj = vals, obj
        if best is not None and relative_gap(best_obj, bound, "minimize") <= gap:
            break
    status = SolveStatus.FEASIBLE
    how = DIVE_METHOD
    version = highs_version()
    run_milp = method == "milp" or (
        method == "auto"
        and problem.n_regions <= MILP_MAX_REGIONS
        and (best is None or relative_gap(best_obj, bound, "minimize") > gap)
    )
    if run_milp:
        left = max(1.0, tl - (time.perf_counter() - t0))
        res = solve(
            model.milp,
            time_limit=left,
            mip_rel_gap=gap,
            threads=thr,
            verbose=verbose,
            start=best,
        )
        if res.x is not None and res.objective <= best_obj + 1e-9:
            best, best_obj = res.x, res.objective
        if math.isfinite(res.bound):
            bound = max(bound, res.bound)
        how = MILP_METHOD
        if res.status == SolveStatus.OPTIMAL:
            status = SolveStatus.OPTIMAL
    if best is None:
        msg = f"the design MILP has no solution within {tl:.0f} s: its LP relaxation is infeasible or too slow (check forced and forbidden lines)"
        raise NotSolvedError(msg)
    cert = certify(model.milp, best)
    if cert.max_violation > 1e-5 * max(1.0, float(np.abs(problem.demand).max(initial=0.0))) or (
        cert.max_integrality_violation > 1e-6
    ):
        msg = (
            f"the design violates its own model ({cert.worst!r} by {cert.max_violation:.3g}, "
            f"integrality by {cert.max_integrality_violation:.3g}); please report"
        )
        raise InternalError(msg)
    rel = relative_gap(best_obj, bound, "minimize")
    if rel <= gap:
        status = SolveStatus.OPTIMAL
    elapsed = time.perf_counter() - t0
    info = SolveResult(
        status=status,
        objective=best_obj,
        bound=bound,
        gap=rel,
        solve_time_s=elapsed - model.build_time_s,
        x=best,
        method=how,
        solver_version=version,
        raw_status=str(status),
        certificate=cert,
    )
    return DesignResult(
        problem=problem,
        solution=DesignSolution.from_values(model, problem, best),
        info=info,
        method=method,
        model=model,
        wall_time_s=elapsed,
    )
