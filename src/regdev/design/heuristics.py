"""Primal heuristics of the design MILP: LP diving (the default) and LP rounding (a baseline).

Both work on the LP relaxation of :class:`~regdev.design.model.DesignModel`
with HiGHS instances from :mod:`regdev._milp`; the first LP optimum is a
certified lower bound on the MILP optimum.
"""

from __future__ import annotations

import time

import highspy
import numpy as np
import numpy.typing as npt

from regdev._milp import new_highs
from regdev.design.model import DesignModel

FloatArray = npt.NDArray[np.float64]


def _lp_optimal(h: highspy.Highs) -> bool:
    return bool(h.getModelStatus() == highspy.HighsModelStatus.kOptimal)


def rounding_start(model: DesignModel, *, time_limit: float = 30.0) -> FloatArray | None:
    """A feasible start: LP relaxation, modules rounded up, continuous part re-optimised.

    Rounding the modules of the LP optimum up (and opening every line with
    output) keeps every constraint satisfied; the continuous variables are
    then re-optimised with the integers fixed.  Returns ``None`` when the LP
    fails.
    """
    lp = model.lp
    n_p = len(model.pair_region)
    o = model.offsets
    h = new_highs()
    h.setOptionValue("time_limit", float(time_limit))
    h.setOptionValue("solve_relaxation", True)
    h.passModel(lp)
    h.run()
    if not _lp_optimal(h):
        return None
    v = np.asarray(h.getSolution().col_value, dtype=float)
    x = v[o["x"] : o["x"] + n_p]
    y = v[o["y"] : o["y"] + n_p]
    upper = np.asarray(lp.col_upper_)
    lower = np.asarray(lp.col_lower_)
    size = upper[o["x"] : o["x"] + n_p] / np.maximum(upper[o["m"] : o["m"] + n_p], 1.0)
    opened = (x > 1e-7) | (y > 1e-7) | (lower[o["y"] : o["y"] + n_p] > 0.5)
    m_int = np.where(opened, np.ceil(x / np.maximum(size, 1e-12) - 1e-7), 0.0)
    m_int = np.clip(m_int, opened.astype(float), upper[o["m"] : o["m"] + n_p])
    y_int = opened.astype(float)
    # fix the integers and re-optimise the continuous part
    idx = np.arange(n_p)
    cols = np.concatenate([o["y"] + idx, o["m"] + idx]).astype(np.int32)
    vals = np.concatenate([y_int, m_int])
    h2 = new_highs()
    h2.setOptionValue("time_limit", float(time_limit))
    h2.setOptionValue("solve_relaxation", True)
    h2.passModel(lp)
    h2.changeColsBounds(len(cols), cols, vals, vals)
    h2.run()
    if not _lp_optimal(h2):
        v[o["y"] : o["y"] + n_p] = y_int
        v[o["m"] : o["m"] + n_p] = m_int
        return v
    return np.asarray(h2.getSolution().col_value, dtype=float)


def dive_start(
    model: DesignModel, *, rounds: int = 12, share: float = 0.35, time_limit: float = 60.0
) -> tuple[FloatArray | None, float]:
    """LP-diving heuristic: fix the most decided modules round by round.

    Each round solves the LP relaxation (warm-started), fixes every module
    count that is already integral, and rounds a ``share`` of the
    fractional ones — those closest to an integer — to that integer (down
    when the fraction is below one half).  A round whose fixing makes the LP
    infeasible is undone and rounded up instead, which is always feasible.
    The last round rounds everything up.

    Returns
    -------
    values : ndarray or None
        A feasible column vector (``None`` when the first LP fails, or the last
        one after rounding everything up).
    bound : float
        The LP-relaxation optimum of the first round (a lower bound).
    """
    t0 = time.perf_counter()
    lp = model.lp
    n_p = len(model.pair_region)
    o = model.offsets
    ym = np.arange(o["y"], o["y"] + n_p, dtype=np.int32)
    mm = np.arange(o["m"], o["m"] + n_p, dtype=np.int32)
    lo_m = np.asarray(lp.col_lower_)[mm].copy()
    hi_m = np.asarray(lp.col_upper_)[mm].copy()
    lo_y = np.asarray(lp.col_lower_)[ym].copy()
    h = new_highs()
    h.setOptionValue("solve_relaxation", True)
    h.passModel(lp)

    def run() -> FloatArray | None:
        h.setOptionValue("time_limit", max(1.0, time_limit - (time.perf_counter() - t0)))
        h.run()
        if not _lp_optimal(h):
            return None
        return np.asarray(h.getSolution().col_value, dtype=float)

    def fix(sel: npt.NDArray[np.intp], m_val: FloatArray) -> None:
        m_val = np.maximum(m_val, lo_y[sel])  # a forced line keeps at least one module
        y_val = np.maximum((m_val > 0.5).astype(float), lo_y[sel])
        h.changeColsBounds(len(sel), mm[sel], m_val, m_val)
        h.changeColsBounds(len(sel), ym[sel], y_val, y_val)

    v = run()
    if v is None:
        return None, float("-inf")
    bound = float(h.getInfo().objective_function_value)
    fixed = np.zeros(n_p, dtype=bool)
    for r in range(rounds):
        m_lp = v[mm]
        frac = m_lp - np.floor(m_lp + 1e-7)
        frac = np.where(frac < 1e-6, 0.0, frac)
        integral = (~fixed) & (frac == 0.0)
        # an integral m with fractional y is not yet decided: leave y free if m > 0
        if integral.any():
            sel = np.flatnonzero(integral)
            fix(sel, np.rint(m_lp[sel]))
            fixed[sel] = True
        free = np.flatnonzero((~fixed) & (frac > 0))
        if free.size == 0:
            break
        last = r == rounds - 1
        dist = np.minimum(frac[free], 1 - frac[free])
        take = (
            free
            if last
            else free[np.argsort(dist, kind="stable")[: max(1, int(share * free.size))]]
        )
        down = (frac[take] < 0.5) & (not last)
        target = np.where(down, np.floor(m_lp[take] + 1e-7), np.ceil(m_lp[take] - 1e-7))
        target = np.clip(target, lo_m[take], hi_m[take])
        fix(take, target)
        fixed[take] = True
        v_new = run()
        if v_new is None:  # undo: round this set up instead
            up = np.clip(np.ceil(m_lp[take] - 1e-7), np.maximum(lo_m[take], 1.0), hi_m[take])
            fix(take, up)
            v_new = run()
            if v_new is None:
                break
        v = v_new
    # anything left fractional: round up (always feasible) and re-optimise
    m_lp = v[mm]
    rest = np.flatnonzero(~fixed)
    if rest.size:
        up = np.clip(np.ceil(m_lp[rest] - 1e-7), lo_m[rest], hi_m[rest])
        fix(rest, up)
        v_new = run()
        if v_new is None:
            # The rounded point could not be re-optimised (the LP failed, e.g. out of time on a
            # loaded machine): the last LP values are fractional there, so there is no design
            # to return (returning them made solve_design report 'violates its own model').
            return None, bound
        v = v_new
    return v, bound
