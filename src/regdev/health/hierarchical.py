"""The policy's hierarchy: village (ri clinic) → first-aid post → county hospital.

Model (a capacitated, hierarchical p-median, solved exactly with HiGHS)::

    min  Σ_i w_i (Σ_j t_ij x_ij + t_iH x_iH)            population-weighted walk
    s.t. Σ_j x_ij + x_iH = 1                  every village served once
         x_ij ≤ y_j                           only by an open post
         Σ_i w_i x_ij ≤ cap · y_j             post capacity by population
         Σ_j y_j = p
         y_j = 0 if post j is within min_km of the hospital
         y_j = 0 if post j is farther than referral minutes from the hospital
         x, y binary

Only pairs within the access standard exist (``t_ij ≤ standard``; ``x_iH``
only when the hospital itself is within the standard): the model *promises*
every village a first-level provider within the standard, and says before
solving which villages it cannot keep that promise for
(:class:`~regdev.errors.InfeasibleSpecificationError`).

Examples
--------
Hand-solved: villages at 0, 1, 6, 7, 12 km on a line, 10 people each, the
hospital at 0, walking 1 min per km, standard 6 min, one post at least 3 km
from the hospital, capacity 100.  The hospital serves 0 and 1 (10·(0+1) = 10);
6, 7 and 12 need the post: at 6 they cost 10·(0+1+6) = 70, at 7 10·(1+0+5) = 60,
at 12 10·(6+5+0) = 110.  Optimum: post at 7 (column 3), cost 10 + 60 = 70.

>>> import numpy as np
>>> x = np.array([0.0, 1.0, 6.0, 7.0, 12.0])
>>> t = np.abs(x[:, None] - x[None, :])
>>> r = solve_hierarchical(t, x, x, x, np.full(5, 10.0), p=1, standard=6.0,
...                        min_km=3.0, capacity=100.0)
>>> r.sites.tolist(), r.objective, r.optimal
([3], 70.0, True)
>>> r.served_by.tolist()   # -1 = the hospital
[-1, -1, 3, 3, 3]
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from regdev._milp import MatrixBuilder, SolveStatus, solve
from regdev.errors import InfeasibleSpecificationError

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class HierarchicalResult:
    """Posts, who each village goes to (``-1`` = hospital), cost, bound and gap."""

    sites: IntArray
    served_by: IntArray
    minutes: FloatArray
    objective: float
    bound: float
    gap: float
    optimal: bool
    status: SolveStatus
    solve_time_s: float
    load: FloatArray


def solve_hierarchical(
    cost: npt.ArrayLike,
    hospital_minutes: npt.ArrayLike,
    post_hospital_km: npt.ArrayLike,
    post_referral_minutes: npt.ArrayLike,
    weights: npt.ArrayLike,
    *,
    p: int,
    standard: float,
    min_km: float = 2.0,
    capacity: float = math.inf,
    referral_standard: float = math.inf,
    time_limit: float = 60.0,
    mip_rel_gap: float = 1e-6,
) -> HierarchicalResult:
    """Site ``p`` first-aid posts between the villages and the county hospital.

    Parameters
    ----------
    cost : array-like (n villages × m candidate posts)
        Walking minutes village → candidate.
    hospital_minutes : array-like (n,)
        Walking minutes village → hospital.
    post_hospital_km : array-like (m,)
        Distance candidate → hospital (km), for the minimum-distance rule.
    post_referral_minutes : array-like (m,)
        Referral travel candidate → hospital (minutes).
    weights : array-like (n,)
        Population.
    p : int
        Posts to open.
    standard : float
        Access standard (minutes) every village is promised.
    min_km : float
        Posts at least this far from the hospital (the hospital serves its
        own neighbourhood).
    capacity : float
        People one post serves at most.
    referral_standard : float
        Posts at most this many minutes from the hospital.

    Raises
    ------
    InfeasibleSpecificationError
        Villages with no provider within the standard, too little capacity,
        or fewer eligible candidates than ``p``.
    """
    t = np.asarray(cost, dtype=float)
    n, m = t.shape
    th = np.asarray(hospital_minutes, dtype=float)
    w = np.asarray(weights, dtype=float)
    eligible = (np.asarray(post_hospital_km, dtype=float) >= min_km) & (
        np.asarray(post_referral_minutes, dtype=float) <= referral_standard
    )
    if eligible.sum() < p:
        msg = f"only {int(eligible.sum())} candidate post sites satisfy the distance rules; p = {p}"
        raise InfeasibleSpecificationError(msg)
    ok = (t <= standard + 1e-9) & eligible[None, :]
    direct = th <= standard + 1e-9
    bare = np.flatnonzero(~ok.any(axis=1) & ~direct)
    if bare.size:
        msg = (
            f"{bare.size} village(s) (rows {', '.join(map(str, bare[:10].tolist()))}) have neither "
            f"an eligible post site nor the hospital within {standard:g} minutes"
        )
        raise InfeasibleSpecificationError(msg)
    cap_ok = math.isinf(capacity) or p * capacity + w[direct].sum() >= w.sum() - 1e-9
    if not cap_ok:
        msg = f"{p} posts × {capacity:g} people cannot serve the population not reached by the hospital"
        raise InfeasibleSpecificationError(msg)
    cand = np.flatnonzero(eligible)
    mc = cand.size
    ii, jj = np.nonzero(ok[:, cand])
    k = ii.size
    hi = np.flatnonzero(direct)
    b = MatrixBuilder(
        "hierarchical", sense="minimize", families=("serve", "link", "capacity", "count")
    )
    b.add_columns(
        "y",
        lower=np.zeros(mc),
        upper=np.ones(mc),
        cost=np.zeros(mc),
        integer=True,
        names=[f"y_{j}" for j in cand.tolist()],
    )
    x0 = b.add_columns(
        "x",
        lower=np.zeros(k),
        upper=np.ones(k),
        cost=w[ii] * t[ii, cand[jj]],
        integer=True,
        names=[f"x_{i}_{cand[j]}" for i, j in zip(ii.tolist(), jj.tolist(), strict=True)],
    )
    h0 = b.add_columns(
        "xh",
        lower=np.zeros(hi.size),
        upper=np.ones(hi.size),
        cost=w[hi] * th[hi],
        integer=True,
        names=[f"xh_{i}" for i in hi.tolist()],
    )
    pos_h = np.full(n, -1)
    pos_h[hi] = np.arange(hi.size)
    rows = np.r_[ii, hi]
    cols = np.r_[x0 + np.arange(k), h0 + np.arange(hi.size)]
    b.add_rows(
        "serve",
        rows,
        cols,
        np.ones(rows.size),
        np.ones(n),
        np.ones(n),
        np.arange(n),
        [f"serve_{i}" for i in range(n)],
    )
    b.add_rows(
        "link",
        np.r_[np.arange(k), np.arange(k)],
        np.r_[x0 + np.arange(k), jj],
        np.r_[np.ones(k), -np.ones(k)],
        np.full(k, -np.inf),
        np.zeros(k),
        np.column_stack([ii, jj]),
        [f"link_{i}_{j}" for i, j in zip(ii.tolist(), jj.tolist(), strict=True)],
    )
    if math.isfinite(capacity):
        b.add_rows(
            "capacity",
            np.r_[jj, np.arange(mc)],
            np.r_[x0 + np.arange(k), np.arange(mc)],
            np.r_[w[ii], -np.full(mc, capacity)],
            np.full(mc, -np.inf),
            np.zeros(mc),
            cand,
            [f"cap_{j}" for j in cand.tolist()],
        )
    b.add_rows(
        "count", np.zeros(mc, np.int64), np.arange(mc), np.ones(mc), [p], [p], None, ["count"]
    )
    model = b.build()
    res = solve(model, time_limit=time_limit, mip_rel_gap=mip_rel_gap)
    if not res.has_solution or res.x is None:
        msg = f"the hierarchical model has no solution ({res.raw_status})"
        raise InfeasibleSpecificationError(msg)
    x = res.x
    sites = cand[np.flatnonzero(x[:mc] > 0.5)].astype(np.int64)
    served = np.full(n, -1, dtype=np.int64)
    on = np.flatnonzero(x[x0 : x0 + k] > 0.5)
    served[ii[on]] = cand[jj[on]]
    minutes = np.where(served >= 0, t[np.arange(n), np.maximum(served, 0)], th)
    load = np.array([w[served == s].sum() for s in sites.tolist()], dtype=float)
    return HierarchicalResult(
        sites,
        served,
        minutes,
        float(res.objective),
        float(res.bound),
        float(res.gap),
        res.optimal,
        res.status,
        res.solve_time_s,
        load,
    )
