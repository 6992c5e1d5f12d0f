"""Solve a :class:`~regdev.planning.model.RolloutModel` with HiGHS (through highspy).

Strategy ``"lp-first"`` (the default, ``"auto"``) exploits how tight this
model's LP relaxation is (the coverage × capacity part is a transportation
matrix; balance and workload add few fractional vertices):

1. solve the LP relaxation (dual simplex; interior point with crossover
   above :data:`LP_FIRST_COLUMNS` columns).  An integral LP optimum is a
   proven MILP optimum (gap 0) and we stop;
2. otherwise solve a MILP over the LP's neighbourhood (the regions with a
   fractional value and the quarter of the columns with the smallest reduced
   cost stay free, the rest is fixed at its LP value).  When its optimum is
   within ``mip_rel_gap`` of the LP bound, it is a proven optimum;
3. otherwise solve the full MILP with that incumbent (or the caller's
   ``start`` if better) as the starting solution.

Strategy ``"mip"`` hands the model to the MILP solver directly.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass

import highspy
import numpy as np

from regdev.planning.model import RolloutModel

LP_FIRST_COLUMNS = 20_000
NEIGHBOURHOOD_SHARE = 0.25
NEIGHBOURHOOD_MIN = 1_500
INTEGRALITY_TOL = 1e-6
_BANNER_DONE = False


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
    strategy : {"auto", "mip", "lp-first"}
        See the module docstring.
    random_seed : int
        HiGHS random seed (fixed: same inputs, same plan).
    """

    time_limit: float = 60.0
    mip_rel_gap: float = 1e-6
    threads: int | None = None
    strategy: str = "auto"
    random_seed: int = 0


@dataclass(frozen=True)
class SolveResult:
    """What HiGHS reported.

    Attributes
    ----------
    status : str
        ``optimal``, ``feasible`` (stopped at a limit with an incumbent),
        ``infeasible``, ``no_solution`` (limit reached without an incumbent),
        ``unbounded`` or ``error``.
    raw_status : str
        HiGHS's model status text.
    objective, bound, gap : float
        Incumbent, best bound (NaN when unknown) and relative gap.
    solve_time_s : float
    x : numpy.ndarray or None
        Column values rounded to 0/1 (``None`` without an incumbent).
    method : str
        ``"lp (integral)"``, ``"lp + neighbourhood"`` or ``"mip"``.
    """

    status: str
    raw_status: str
    objective: float
    bound: float
    gap: float
    solve_time_s: float
    x: np.ndarray | None
    method: str
    solver_version: str


@contextlib.contextmanager
def _quiet_stdout() -> Iterator[None]:
    """Silence C-level stdout (HiGHS prints a banner when the first instance is created)."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, ValueError, OSError):
        yield
        return
    sys.stdout.flush()
    saved = os.dup(fd)
    try:
        with _devnull_fd() as devnull:
            os.dup2(devnull, fd)
            yield
    finally:
        os.dup2(saved, fd)
        os.close(saved)


@contextlib.contextmanager
def _devnull_fd() -> Iterator[int]:
    """Open ``/dev/null`` for writing as a raw file descriptor."""
    fd = os.open(os.devnull, os.O_WRONLY)
    try:
        yield fd
    finally:
        os.close(fd)


def new_highs() -> highspy.Highs:
    """A silent :class:`highspy.Highs` instance (banner suppressed)."""
    global _BANNER_DONE  # noqa: PLW0603  # the banner is printed once per process
    if not _BANNER_DONE:
        with _quiet_stdout():
            h = highspy.Highs()  # type: ignore[no-untyped-call]
        _BANNER_DONE = True
    else:
        h = highspy.Highs()  # type: ignore[no-untyped-call]
    h.setOptionValue("output_flag", False)
    return h


def solver_version() -> str:
    """HiGHS version text, e.g. ``"1.16.0"``."""
    h = new_highs()
    return f"{h.versionMajor()}.{h.versionMinor()}.{h.versionPatch()}"


def _configure(h: highspy.Highs, options: SolverOptions, time_left: float) -> None:
    h.setOptionValue("time_limit", float(max(time_left, 0.01)))
    h.setOptionValue("mip_rel_gap", float(options.mip_rel_gap))
    h.setOptionValue("random_seed", int(options.random_seed))
    if options.threads is not None:
        h.setOptionValue("threads", int(options.threads))


def _status_text(h: highspy.Highs, has_solution: bool) -> tuple[str, str]:
    ms = h.getModelStatus()
    raw = h.modelStatusToString(ms)
    if ms == highspy.HighsModelStatus.kOptimal:
        return "optimal", raw
    if ms == highspy.HighsModelStatus.kInfeasible:
        return "infeasible", raw
    if ms in (highspy.HighsModelStatus.kUnbounded, highspy.HighsModelStatus.kUnboundedOrInfeasible):
        return (
            "infeasible" if ms == highspy.HighsModelStatus.kUnboundedOrInfeasible else "unbounded"
        ), raw
    if has_solution:
        return "feasible", raw
    if ms in (
        highspy.HighsModelStatus.kTimeLimit,
        highspy.HighsModelStatus.kIterationLimit,
        highspy.HighsModelStatus.kSolutionLimit,
        highspy.HighsModelStatus.kInterrupt,
    ):
        return "no_solution", raw
    return "error", raw


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
    (the assignments the LP is closest to changing).  Every other variable is
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
    SolveResult
    """
    opts = options or SolverOptions()
    t0 = time.perf_counter()
    h = new_highs()
    version = f"{h.versionMajor()}.{h.versionMinor()}.{h.versionPatch()}"
    if model.n_cols == 0:
        return SolveResult("optimal", "Optimal", 0.0, 0.0, 0.0, 0.0, np.zeros(0), "empty", version)
    strategy = opts.strategy
    if strategy == "auto":
        strategy = "lp-first"
    lp = model.lp
    h.passModel(lp)
    if strategy == "lp-first":
        _configure(h, opts, opts.time_limit)
        h.setOptionValue("solve_relaxation", True)
        h.setOptionValue("solver", "ipm" if model.n_cols > LP_FIRST_COLUMNS else "simplex")
        h.run()
        ms = h.getModelStatus()
        if ms == highspy.HighsModelStatus.kInfeasible:
            dt = time.perf_counter() - t0
            nan = float("nan")
            return SolveResult("infeasible", "Infeasible", nan, nan, nan, dt, None, "lp", version)
        if ms == highspy.HighsModelStatus.kOptimal:
            xr = np.asarray(h.getSolution().col_value)
            frac = np.abs(xr - np.round(xr)) > INTEGRALITY_TOL
            if not frac.any():
                xi = np.round(xr)
                obj = float(model.objective @ xi)
                dt = time.perf_counter() - t0
                return SolveResult(
                    "optimal", "Optimal", obj, obj, 0.0, dt, xi, "lp (integral)", version
                )
            lp_bound = float(h.getInfo().objective_function_value)
            reduced = np.asarray(h.getSolution().col_dual)
            h.setOptionValue("solver", "choose")
            left = opts.time_limit - (time.perf_counter() - t0)
            sub = _neighbourhood_mip(h, model, xr, reduced, frac, left)
            if sub is not None:
                inc = float(model.objective @ sub)
                gap = max(lp_bound - inc, 0.0) / max(abs(inc), 1e-9)
                if gap <= opts.mip_rel_gap:
                    dt = time.perf_counter() - t0
                    return SolveResult(
                        "optimal",
                        "Optimal",
                        inc,
                        lp_bound,
                        gap,
                        dt,
                        sub,
                        "lp + neighbourhood",
                        version,
                    )
                if start is None or inc > float(model.objective @ start):
                    start = sub
        h.setOptionValue("solve_relaxation", False)
        h.setOptionValue("solver", "choose")
        h.clearSolver()
    _configure(h, opts, opts.time_limit - (time.perf_counter() - t0))
    if start is not None and start.size == model.n_cols:
        sol = highspy.HighsSolution()
        sol.col_value = np.asarray(start, dtype=float).tolist()
        sol.value_valid = True
        h.setSolution(sol)
    h.run()
    info = h.getInfo()
    has = int(info.primal_solution_status) == 2  # kSolutionStatusFeasible
    status, raw = _status_text(h, has)
    x: np.ndarray | None = None
    objective = bound = gap = float("nan")
    if has:
        x = np.round(np.asarray(h.getSolution().col_value))
        objective = float(model.objective @ x)
        bound = float(info.mip_dual_bound)
        gap = abs(bound - objective) / max(abs(objective), 1e-9)
        if status == "optimal":
            gap = min(gap, float(info.mip_gap)) if np.isfinite(info.mip_gap) else gap
    dt = time.perf_counter() - t0
    return SolveResult(status, raw, objective, bound, gap, dt, x, "mip", version)
