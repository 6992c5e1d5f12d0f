"""Solve a :class:`~regdev.planning.model.RolloutModel` with HiGHS (through highspy).

Strategy ``"lp-first"`` (the default, ``"auto"``) exploits how tight this
model's LP relaxation is (the coverage × capacity part is a transportation
matrix; balance and workload add few fractional vertices):

1. solve the LP relaxation in its time-indexed cumulative form
   (:func:`cumulative_lp`: ``z = done by year t``; the balance rows become
   one entry per region), which the dual simplex solves an order of
   magnitude faster than the x-form on large countries.  An integral LP
   optimum is a proven MILP optimum (gap 0) and we stop;
2. otherwise solve a MILP over the LP's neighbourhood (the regions with a
   fractional value and the 15 % of the columns with the smallest reduced
   cost stay free, the rest is fixed at its LP value).  When its optimum is
   within ``mip_rel_gap`` of the LP bound, it is a proven optimum;
3. otherwise solve the full MILP with that incumbent (or the caller's
   ``start`` if better) as the starting solution.

Strategy ``"mip"`` hands the model to the MILP solver directly.

The HiGHS instance, the options, the status vocabulary, the gap and the
feasibility certificate come from :mod:`regdev._milp`, shared with the
factory designer.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import highspy
import numpy as np
import scipy.sparse as sp

from regdev._milp import (
    SolveResult,
    SolveStatus,
    certify,
    configure,
    new_highs,
    relative_gap,
    solve,
)
from regdev.planning.model import RolloutModel

LP_FIRST_COLUMNS = 20_000
NEIGHBOURHOOD_SHARE = 0.15
NEIGHBOURHOOD_MIN = 1_500
INTEGRALITY_TOL = 1e-6

__all__ = ["SolveResult", "SolverOptions", "cumulative_lp", "new_highs", "solve_model"]


@dataclass(frozen=True)
class SolverOptions:
    """Solver settings.

    Parameters
    ----------
    time_limit : float
        Wall-clock limit of the whole solve, seconds.
    mip_rel_gap : float
        Relative gap at which the MILP counts as optimal.
    threads : int or None
        Worker threads (None: HiGHS decides).
    strategy : {"auto", "lp-first", "lp-first-x", "mip"}
        See the module docstring (``lp-first-x`` solves the relaxation in the
        x-form instead of the cumulative form; kept for comparison).
    random_seed : int
        HiGHS random seed (fixed: same inputs, same plan).
    """

    time_limit: float = 60.0
    mip_rel_gap: float = 1e-6
    threads: int | None = None
    strategy: str = "auto"
    random_seed: int = 0


def _configure(h: highspy.Highs, options: SolverOptions, time_left: float) -> None:
    configure(
        h,
        time_limit=time_left,
        mip_rel_gap=options.mip_rel_gap,
        threads=options.threads,
        random_seed=options.random_seed,
    )


def _neighbourhood_mip(
    h: highspy.Highs,
    model: RolloutModel,
    xr: np.ndarray,
    reduced_cost: np.ndarray,
    frac: np.ndarray,
    time_left: float,
) -> np.ndarray | None:
    """Incumbent from the LP: a MILP over the LP's neighbourhood, the rest fixed.

    Free: every variable of a region that has a fractional LP value, plus the
    :data:`NEIGHBOURHOOD_SHARE` of columns with the smallest reduced cost
    (the assignments the LP is closest to changing; in the cumulative form the
    smaller reduced cost of the two ``z`` that make up ``x``).  Every other variable is
    fixed to its (integral) LP value.  Works on ``h`` (which holds the model)
    and restores its bounds afterwards.
    """
    if time_left <= 0:
        return None
    free = frac | np.isin(model.var_i, np.unique(model.var_i[frac]))
    k = min(max(NEIGHBOURHOOD_MIN, int(NEIGHBOURHOOD_SHARE * xr.size)), xr.size)
    closest = np.argsort(np.abs(reduced_cost), kind="stable")[:k]
    free[closest] = True
    fixed = np.flatnonzero(~free).astype(np.int32)
    lower0 = np.asarray(model.lp.col_lower_, dtype=float)[fixed]
    upper0 = np.asarray(model.lp.col_upper_, dtype=float)[fixed]
    val = np.round(xr[fixed])
    h.changeColsBounds(fixed.size, fixed, np.maximum(lower0, val), np.minimum(upper0, val))
    h.setOptionValue("solve_relaxation", False)
    h.setOptionValue("time_limit", float(max(min(time_left, 10.0), 0.01)))
    h.setOptionValue("mip_rel_gap", 1e-9)
    h.run()
    ok = int(h.getInfo().primal_solution_status) == 2
    x: np.ndarray | None = np.round(np.asarray(h.getSolution().col_value)) if ok else None
    h.changeColsBounds(fixed.size, fixed, lower0, upper0)
    h.clearSolver()
    return x


@dataclass(frozen=True)
class _Relaxation:
    status: str
    objective: float
    x: np.ndarray | None
    reduced_cost: np.ndarray


def cumulative_lp(model: RolloutModel) -> tuple[highspy.HighsLp, sp.csc_matrix]:
    """The LP relaxation in time-indexed cumulative form.

    With ``z[i,f,t] = Σ_{t' ≤ t} x[i,f,t']`` ("done by year t") and ``x = D z``
    (``D`` the within-pair difference operator), every constraint row ``a·x``
    becomes ``(a D)·z``: coverage rows turn into single bounds on the last
    ``z`` of a pair, balance rows (cumulative sums) into one entry per region,
    and ``z`` must not decrease (``x ≥ 0``).  Equivalent to the x-form LP, but
    the simplex solves it an order of magnitude faster on large countries.

    Returns
    -------
    (highspy.HighsLp, scipy.sparse.csc_matrix)
        The z-form LP (continuous, maximised) and ``D`` (so ``x = D @ z``).
    """
    n = model.n_cols
    pair = model.var_i * (int(model.var_f.max()) + 1 if n else 1) + model.var_f
    later = np.flatnonzero(np.r_[False, pair[1:] == pair[:-1]])
    rows = np.r_[np.arange(n), later]
    cols = np.r_[np.arange(n), later - 1]
    vals = np.r_[np.ones(n), -np.ones(later.size)]
    diff = sp.csc_matrix((vals, (rows, cols)), shape=(n, n))
    a = (model.matrix @ diff).tocsr()
    mono = sp.csr_matrix(
        (
            np.r_[np.ones(later.size), -np.ones(later.size)],
            (np.r_[np.arange(later.size), np.arange(later.size)], np.r_[later, later - 1]),
        ),
        shape=(later.size, n),
    )
    full = sp.vstack([a, mono]).tocsc()
    full.sum_duplicates()
    full.eliminate_zeros()
    full.sort_indices()
    inf = highspy.kHighsInf
    lower = np.r_[model.row_lower, np.zeros(later.size)]
    upper = np.r_[model.row_upper, np.full(later.size, np.inf)]
    lp = highspy.HighsLp()
    lp.num_col_ = n
    lp.num_row_ = full.shape[0]
    lp.col_cost_ = np.asarray(diff.T @ model.objective, dtype=float)
    lp.col_lower_ = np.asarray(model.lp.col_lower_, dtype=float)
    # z ≤ 1 is implied by coverage and monotonicity, but as a column bound it keeps the
    # simplex ten times faster (far fewer degenerate pivots)
    lp.col_upper_ = np.ones(n)
    lp.row_lower_ = np.where(np.isfinite(lower), lower, -inf)
    lp.row_upper_ = np.where(np.isfinite(upper), upper, inf)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = full.indptr.astype(np.int32)
    lp.a_matrix_.index_ = full.indices.astype(np.int32)
    lp.a_matrix_.value_ = full.data.astype(float)
    lp.a_matrix_.num_col_ = n
    lp.a_matrix_.num_row_ = full.shape[0]
    lp.sense_ = highspy.ObjSense.kMaximize
    return lp, diff


def _relaxation(
    h: highspy.Highs, model: RolloutModel, opts: SolverOptions, *, cumulative: bool
) -> _Relaxation:
    """Solve the LP relaxation (x-form on ``h``, or z-form on a fresh instance)."""
    nan = float("nan")
    if cumulative:
        zlp, diff = cumulative_lp(model)
        hz = new_highs()
        hz.passModel(zlp)
        _configure(hz, opts, opts.time_limit)
        hz.setOptionValue("solver", "simplex")
        hz.run()
        ms = hz.getModelStatus()
        if ms == highspy.HighsModelStatus.kInfeasible:
            return _Relaxation("infeasible", nan, None, np.zeros(0))
        if ms != highspy.HighsModelStatus.kOptimal:
            return _Relaxation("limit", nan, None, np.zeros(0))
        sol = hz.getSolution()
        x = np.asarray(diff @ np.asarray(sol.col_value), dtype=float)
        # closeness of x_j to changing: x_j = z_j − z_{j−1}, so the smaller reduced cost of the two
        rc_z = np.abs(np.asarray(sol.col_dual, dtype=float))
        prev = np.r_[np.inf, rc_z[:-1]]
        same = np.r_[
            False, (model.var_i[1:] == model.var_i[:-1]) & (model.var_f[1:] == model.var_f[:-1])
        ]
        reduced = np.minimum(rc_z, np.where(same, prev, np.inf))
        return _Relaxation("optimal", float(hz.getInfo().objective_function_value), x, reduced)
    _configure(h, opts, opts.time_limit)
    h.setOptionValue("solve_relaxation", True)
    h.setOptionValue("solver", "ipm" if model.n_cols > LP_FIRST_COLUMNS else "simplex")
    h.run()
    ms = h.getModelStatus()
    h.setOptionValue("solve_relaxation", False)
    h.setOptionValue("solver", "choose")
    if ms == highspy.HighsModelStatus.kInfeasible:
        h.clearSolver()
        return _Relaxation("infeasible", nan, None, np.zeros(0))
    if ms != highspy.HighsModelStatus.kOptimal:
        h.clearSolver()
        return _Relaxation("limit", nan, None, np.zeros(0))
    sol = h.getSolution()
    out = _Relaxation(
        "optimal",
        float(h.getInfo().objective_function_value),
        np.asarray(sol.col_value, dtype=float),
        np.asarray(sol.col_dual, dtype=float),
    )
    h.clearSolver()
    return out


def _result(
    model: RolloutModel,
    status: SolveStatus,
    objective: float,
    bound: float,
    gap: float,
    t0: float,
    x: np.ndarray | None,
    method: str,
    version: str,
) -> SolveResult:
    cert = certify(model.milp, x) if x is not None else None
    raw = "Optimal" if status == SolveStatus.OPTIMAL else str(status)
    elapsed = time.perf_counter() - t0
    return SolveResult(status, objective, bound, gap, elapsed, x, method, version, raw, cert)


def solve_model(
    model: RolloutModel,
    options: SolverOptions | None = None,
    *,
    start: np.ndarray | None = None,
) -> SolveResult:
    """Solve ``model``.

    Parameters
    ----------
    model : RolloutModel
    options : SolverOptions, optional
    start : numpy.ndarray, optional
        A feasible 0/1 column vector handed to HiGHS as a starting incumbent
        (e.g. the greedy baseline).

    Returns
    -------
    regdev._milp.SolveResult
        ``method`` is ``"lp (integral)"``, ``"lp + neighbourhood"``, ``"mip"``
        or ``"empty"``; ``certificate`` re-checks the solution against the model.
    """
    opts = options or SolverOptions()
    t0 = time.perf_counter()
    h = new_highs()
    version = f"{h.versionMajor()}.{h.versionMinor()}.{h.versionPatch()}"
    nan = math.nan
    if model.n_cols == 0:
        return _result(model, SolveStatus.OPTIMAL, 0.0, 0.0, 0.0, t0, np.zeros(0), "empty", version)
    strategy = opts.strategy
    if strategy == "auto":
        strategy = "lp-first"
    h.passModel(model.lp)
    lp_bound = math.inf
    if strategy in ("lp-first", "lp-first-x"):
        relax = _relaxation(h, model, opts, cumulative=strategy == "lp-first")
        if relax.status == "infeasible":
            return _result(model, SolveStatus.INFEASIBLE, nan, nan, nan, t0, None, "lp", version)
        if relax.x is not None:
            xr = relax.x
            frac = np.abs(xr - np.round(xr)) > INTEGRALITY_TOL
            if not frac.any():
                xi = np.round(xr)
                obj = float(model.objective @ xi)
                return _result(
                    model, SolveStatus.OPTIMAL, obj, obj, 0.0, t0, xi, "lp (integral)", version
                )
            lp_bound = relax.objective
            left = opts.time_limit - (time.perf_counter() - t0)
            sub = _neighbourhood_mip(h, model, xr, relax.reduced_cost, frac, left)
            if sub is not None:
                inc = float(model.objective @ sub)
                gap = relative_gap(inc, lp_bound, "maximize")
                if gap <= opts.mip_rel_gap:
                    return _result(
                        model,
                        SolveStatus.OPTIMAL,
                        inc,
                        lp_bound,
                        gap,
                        t0,
                        sub,
                        "lp + neighbourhood",
                        version,
                    )
                if start is None or inc > float(model.objective @ start):
                    start = sub
        h.setOptionValue("solve_relaxation", False)
        h.setOptionValue("solver", "choose")
        h.clearSolver()
    res = solve(
        model.milp,
        time_limit=opts.time_limit - (time.perf_counter() - t0),
        mip_rel_gap=opts.mip_rel_gap,
        threads=opts.threads,
        random_seed=opts.random_seed,
        start=start,
        highs=h,
    )
    if not res.has_solution:
        return _result(model, res.status, nan, nan, nan, t0, None, "mip", version)
    bound = res.bound
    gap = res.gap
    if not math.isfinite(bound) or bound > lp_bound:
        bound = lp_bound  # the LP relaxation's bound, when HiGHS stopped before its root
        gap = min(gap, relative_gap(res.objective, bound, "maximize"))
    return _result(model, res.status, res.objective, bound, gap, t0, res.x, "mip", version)
