"""Exact p-median: minimise the (population-weighted) travel to the nearest of p sites.

Formulation (radius / "distinct distances" form)
-------------------------------------------------
For every client ``i`` let ``D_i^1 < D_i^2 < …`` be its distinct distances to
the candidate sites.  With binary ``y_j`` (site open) and ``z_i^k ∈ [0, 1]``
("client i is farther than ``D_i^k``"), Elloumi (2010, *INFORMS J. Computing*
22(4), 557–571) and García, Labbé & Marín (2011, *INFORMS J. Computing* 23(4),
546–556) write the p-median as::

    min  Σ_i w_i (D_i^1 + Σ_k (D_i^{k+1} − D_i^k) z_i^k)
    s.t. z_i^k + Σ_{j : d_ij ≤ D_i^k} y_j ≥ 1    for every i, k
         Σ_j y_j = p

(built in the equivalent, sparser difference form
``z_i^{k−1} − z_i^k ≤ Σ_{j : d_ij = D_i^k} y_j`` whose sum over levels gives
the rows above).

The LP relaxation is at least as tight as the classic ``x_ij ≤ y_j`` one and
``z`` need not be integer.  The model is **truncated**: client ``i`` keeps
only its first ``K_i`` levels, so its cost in the model is
``min(d_i(S), D_i^{K_i+1})`` — never more than its true cost.  Hence

* the truncated model's optimum (or HiGHS's dual bound on it) is a valid
  lower bound on the true p-median optimum;
* if the truncated optimum ``S*`` serves every client within its cap
  (``d_i(S*) ≤ D_i^{K_i+1}``), its true cost equals that bound: ``S*`` is
  **proven optimal**.  Otherwise the clients over their cap get more levels
  and the model is solved again (García et al.'s radius iteration).

The first caps come from a good heuristic solution (greedy + Whitaker's fast
swap interchange), which is also the first incumbent.  The result records the
lower bound, the true cost of the best solution and the gap between them; it
is marked optimal only when the gap closes.

Examples
--------
Hand-solved: four villages on a line at 0, 1, 10, 11 km, weights 1; two
sites.  Opening at 0 (or 1) and 10 (or 11) costs 1 + 1 = 2, the optimum.

>>> import numpy as np
>>> x = np.array([0.0, 1.0, 10.0, 11.0])
>>> r = solve_pmedian(np.abs(x[:, None] - x[None, :]), 2)
>>> r.objective, r.optimal, sorted(int(s) // 2 for s in r.sites)
(2.0, True, [0, 1])
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from regdev._milp import MatrixBuilder, MilpModel, SolveStatus, configure, new_highs, set_start
from regdev._milp.highs import snap
from regdev._milp.result import status_of
from regdev.errors import InfeasibleSpecificationError

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class PMedianResult:
    """The answer of :func:`solve_pmedian`.

    Attributes
    ----------
    sites : numpy.ndarray of int
        Open candidate columns (sorted).
    assignment : numpy.ndarray of int
        Nearest open site (column index) of every client.
    objective : float
        True weighted cost of ``sites`` (from the full cost matrix).
    bound : float
        Proven lower bound on the optimum.
    gap : float
        ``(objective − bound) / objective`` (0 when proven optimal).
    optimal : bool
        Whether ``objective`` is proven optimal (gap ≤ ``tol``).
    status : SolveStatus
    iterations : int
        Radius iterations (MILP solves).
    n_levels : int
        Distance levels (``z`` columns) in the last model.
    solve_time_s : float
    heuristic_objective : float
        Cost of the greedy + interchange start.
    """

    sites: IntArray
    assignment: IntArray
    objective: float
    bound: float
    gap: float
    optimal: bool
    status: SolveStatus
    iterations: int
    n_levels: int
    solve_time_s: float
    heuristic_objective: float = math.nan
    history: list[dict[str, float]] = field(default_factory=list, repr=False)


def _cost_of(cost: FloatArray, w: FloatArray, sites: IntArray) -> float:
    return float(w @ cost[:, sites].min(axis=1))


def greedy_interchange(
    cost: FloatArray,
    p: int,
    w: FloatArray,
    *,
    max_swaps: int = 10_000,
    start: IntArray | None = None,
) -> IntArray:
    """Greedy adding then best-improvement swaps (Whitaker's fast interchange, vectorised).

    ``start`` (``p`` sites) skips the greedy phase.

    Returns
    -------
    numpy.ndarray of int
        ``p`` site columns, a local optimum for single swaps.
    """
    n, m = cost.shape
    wc = w[:, None]
    cur = np.full(n, np.inf)
    chosen: list[int] = [] if start is None else [int(s) for s in start]
    for _ in range(p - len(chosen)):
        base = np.where(np.isfinite(cur), cur, cost.max(initial=0.0) * 10 + 1)
        gain = (wc * np.maximum(base[:, None] - cost, 0.0)).sum(axis=0)
        gain[chosen] = -1.0
        j = int(np.argmax(gain))
        chosen.append(j)
        cur = np.minimum(cur, cost[:, j])
    sites = np.array(chosen, dtype=np.int64)
    if p >= m or p == 0:
        return np.sort(sites)
    for _ in range(max_swaps):
        sub = cost[:, sites]
        if p == 1:
            near = np.zeros(n, dtype=np.int64)
            d1 = sub[:, 0]
            d2 = np.full(n, cost.max() * 10 + 1)
        else:
            part = np.argpartition(sub, 1, axis=1)[:, :2]
            a, b = sub[np.arange(n), part[:, 0]], sub[np.arange(n), part[:, 1]]
            first = np.where(a <= b, part[:, 0], part[:, 1])
            near = first
            d1, d2 = np.minimum(a, b), np.maximum(a, b)
        m1 = np.minimum(cost, d1[:, None])
        gain = (wc * (m1 - d1[:, None])).sum(axis=0)  # ≤ 0: adding j
        extra = wc * (np.minimum(cost, d2[:, None]) - m1)  # ≥ 0: removing near
        ind = sp.csr_matrix((np.ones(n), (near, np.arange(n))), shape=(p, n))
        delta = np.asarray(ind @ extra) + gain[None, :]
        delta[:, sites] = np.inf
        flat = int(np.argmin(delta))
        f, j = flat // delta.shape[1], flat % delta.shape[1]
        if delta[f, j] >= -1e-9 * max(1.0, float(w @ d1)):
            break
        sites[f] = j
    return np.sort(sites)


def _levels(cost: FloatArray) -> tuple[IntArray, FloatArray, IntArray]:
    """Per client: candidate order, sorted distances and the level index of each position."""
    order = np.argsort(cost, axis=1, kind="stable")
    srt = np.take_along_axis(cost, order, axis=1)
    new = np.ones_like(srt, dtype=bool)
    new[:, 1:] = srt[:, 1:] > srt[:, :-1]
    level = np.cumsum(new, axis=1) - 1
    return order, srt, level


@dataclass
class _Levels:
    order: IntArray
    srt: FloatArray
    level: IntArray
    values: list[FloatArray]  # distinct distances per client
    counts: list[IntArray]  # number of candidates within each level (cumulative)


def _prepare(cost: FloatArray) -> _Levels:
    order, srt, level = _levels(cost)
    values, counts = [], []
    m = cost.shape[1]
    for i in range(cost.shape[0]):
        starts = np.flatnonzero(np.r_[True, srt[i, 1:] > srt[i, :-1]])
        values.append(srt[i, starts])
        counts.append(np.r_[starts[1:], m].astype(np.int64))
    return _Levels(order, srt, level, values, counts)


def _build(
    lv: _Levels, w: FloatArray, K: IntArray, p: int, m: int
) -> tuple[MilpModel, IntArray, IntArray]:
    """The truncated model; returns (model, client of each z, level of each z)."""
    n = K.size
    zi = np.repeat(np.arange(n), K)
    zk = np.concatenate([np.arange(k) for k in K]) if K.sum() else np.zeros(0, np.int64)
    zk = zk.astype(np.int64)
    step = np.array(
        [
            lv.values[i][k + 1] - lv.values[i][k]
            for i, k in zip(zi.tolist(), zk.tolist(), strict=True)
        ],
        dtype=float,
    )
    cnt = np.array(
        [lv.counts[i][k] for i, k in zip(zi.tolist(), zk.tolist(), strict=True)], dtype=np.int64
    )
    b = MatrixBuilder("pmedian", sense="minimize", families=("cover", "count"))
    b.add_columns(
        "y",
        lower=np.zeros(m),
        upper=np.ones(m),
        cost=np.zeros(m),
        integer=True,
        names=[f"y_{j}" for j in range(m)],
    )
    nz = zi.size
    z0 = b.add_columns(
        "z",
        lower=np.zeros(nz),
        upper=np.ones(nz),
        cost=w[zi] * step,
        integer=False,
        names=[f"z_{i}_{k}" for i, k in zip(zi.tolist(), zk.tolist(), strict=True)],
    )
    # difference form: z_i^{k-1} − z_i^k ≤ Σ_{j at exactly level k} y_j (z_i^{-1} ≡ 1); summed
    # over k it gives the cumulative rows, so it is as tight with far fewer non-zeros
    prev = np.array(
        [
            lv.counts[i][k - 1] if k > 0 else 0
            for i, k in zip(zi.tolist(), zk.tolist(), strict=True)
        ],
        dtype=np.int64,
    )
    width = cnt - prev
    total = int(width.sum())
    row = np.repeat(np.arange(nz), width)
    offs = np.repeat(np.cumsum(width) - width, width)
    pos = np.arange(total) - offs + np.repeat(prev, width)
    col = lv.order[zi[row], pos]
    has_prev = np.flatnonzero(zk > 0)
    rows = np.r_[row, np.arange(nz), has_prev]
    cols = np.r_[col, z0 + np.arange(nz), z0 + has_prev - 1]
    vals = np.r_[np.ones(total + nz), -np.ones(has_prev.size)]
    lower = np.where(zk == 0, 1.0, 0.0)
    b.add_rows(
        "cover",
        rows,
        cols,
        vals,
        lower,
        np.full(nz, np.inf),
        np.column_stack([zi, zk]),
        [f"c_{i}_{k}" for i, k in zip(zi.tolist(), zk.tolist(), strict=True)],
    )
    b.add_rows("count", np.zeros(m, np.int64), np.arange(m), np.ones(m), [p], [p], None, ["count"])
    return b.build(), zi, zk


def lagrangian_reduction(
    cost: FloatArray,
    p: int,
    w: FloatArray,
    ub: float,
    *,
    iterations: int = 3000,
    seconds: float = math.inf,
) -> tuple[float, npt.NDArray[np.bool_]]:
    """Lagrangian bound (subgradient) and Beasley's reduction test.

    Relaxing "every client assigned once" with multipliers ``λ_i`` gives
    ``L(λ) = Σ_i λ_i + (sum of the p smallest v_j)``, ``v_j = Σ_i min(0, w_i d_ij − λ_i)``,
    a lower bound for every ``λ`` (Beasley 1985, *EJOR* 21, 270–273).  A site
    ``j`` outside the relaxed solution with ``L + v_j − v_(p) > UB`` cannot be
    in any solution costing at most ``UB``, so it is removed without losing the
    optimum (the heuristic solution's own sites are never removed, as it costs
    exactly ``UB``).  Removed columns are dropped from later iterations (the
    bound then holds for the reduced problem, whose optimum is the same).

    Returns
    -------
    bound : float
        Best Lagrangian lower bound.
    keep : numpy.ndarray of bool
        Sites that survive every test made.
    """
    n, m = cost.shape
    cols = np.arange(m)
    wd = w[:, None] * cost
    lam = np.sort(wd, axis=1)[:, min(1, m - 1)].copy()
    keep = np.ones(m, dtype=bool)
    best = -math.inf
    theta = 2.0
    stall = 0
    tol = 1e-9 * max(1.0, abs(ub))
    t_end = time.perf_counter() + seconds
    for it in range(iterations):
        if it > 0 and time.perf_counter() > t_end:
            break
        if it % 25 == 24 and keep[cols].sum() < 0.9 * cols.size:
            cols = cols[keep[cols]]
            wd = w[:, None] * cost[:, cols]
        k = cols.size
        if k <= p:
            break
        red = np.minimum(wd - lam[:, None], 0.0)
        v = red.sum(axis=0)
        part = np.argpartition(v, p - 1)[:p]
        vp = float(v[part].max())
        value = float(lam.sum() + v[part].sum())
        if value > best + tol:
            best, stall = value, 0
        else:
            stall += 1
            if stall >= 30:
                theta, stall = theta / 2.0, 0
        chosen = np.zeros(k, dtype=bool)
        chosen[part] = True
        keep[cols[~chosen & (value + v - vp > ub + tol)]] = False
        if ub - best <= tol or theta < 1e-5:
            break
        g = 1.0 - (red[:, chosen] < 0).sum(axis=1)
        norm = float(g @ g)
        if norm == 0:
            break
        lam = lam + theta * (1.05 * ub - value) / norm * g
    return best, keep


def solve_pmedian(
    cost: npt.ArrayLike,
    p: int,
    weights: npt.ArrayLike | None = None,
    *,
    time_limit: float = 60.0,
    tol: float = 1e-9,
    threads: int | None = None,
) -> PMedianResult:
    """Solve the p-median exactly (see the module docstring).

    Parameters
    ----------
    cost : array-like, shape (n clients, m candidates)
        Travel cost (finite, ≥ 0).
    p : int
        Number of sites to open, 1 ≤ p ≤ m.
    weights : array-like, shape (n,), optional
        Client weights (population), default 1.
    time_limit : float
        Seconds for the whole solve; when it runs out the best solution is
        returned with its certified gap (``optimal=False``).
    tol : float
        Relative gap under which the solution is declared optimal.
    threads : int, optional
        HiGHS threads (``None``: HiGHS decides; HiGHS fixes the number per process at first use).

    Raises
    ------
    InfeasibleSpecificationError
        ``p`` outside 1…m or a cost that is negative or not finite.
    """
    t0 = time.perf_counter()
    c = np.asarray(cost, dtype=float)
    n, m = c.shape
    w = np.ones(n) if weights is None else np.asarray(weights, dtype=float)
    if not 1 <= p <= m:
        msg = f"p must be within 1..{m} (the number of candidate sites); got {p}"
        raise InfeasibleSpecificationError(msg)
    if not np.all(np.isfinite(c)) or (c < 0).any():
        msg = "every travel cost must be finite and ≥ 0"
        raise InfeasibleSpecificationError(msg)
    if w.shape != (n,) or (w < 0).any() or not np.all(np.isfinite(w)):
        msg = f"weights must be {n} finite numbers ≥ 0"
        raise InfeasibleSpecificationError(msg)
    active = np.flatnonzero(w > 0)
    ca, wa = c[active], w[active]
    best = greedy_interchange(ca, p, wa) if active.size else np.arange(p, dtype=np.int64)
    heur = _cost_of(ca, wa, best) if active.size else 0.0
    ub, lb = heur, -math.inf
    if active.size == 0 or p == m:
        lb = ub
    keep_sites = np.arange(m)
    if lb < ub:
        lag_bound, keep = lagrangian_reduction(ca, p, wa, ub, seconds=0.25 * time_limit)
        keep[best] = True
        lb = max(lb, min(lag_bound, ub))
        keep_sites = np.flatnonzero(keep)
    # the reduced problem: only surviving sites (optimality is kept, see above)
    ca = ca[:, keep_sites]
    best = np.searchsorted(keep_sites, best)
    m = keep_sites.size
    lv = _prepare(ca) if lb < ub else None
    n_a = active.size
    history: list[dict[str, float]] = []
    iterations = 0
    n_levels = 0
    status = SolveStatus.OPTIMAL
    if lv is not None:
        n_lv = np.array([v.size for v in lv.values], dtype=np.int64)
        dh = ca[np.arange(n_a), best[np.argmin(ca[:, best], axis=1)]]
        # first caps: the heuristic's own distance (levels strictly below it)
        K = np.array([int(np.searchsorted(lv.values[i], dh[i], side="left")) for i in range(n_a)])
        K = np.minimum(np.maximum(K, 1), n_lv - 1)
        # LP phase: grow the levels until no client's last z is positive in the LP optimum;
        # then the truncated LP equals the full LP (a z column beyond the cap at 0 is feasible)
        while time.perf_counter() - t0 < time_limit:
            model, zi, zk = _build(lv, wa, K, p, m)
            lp = model.lp
            lp.integrality_ = []
            h = new_highs()
            h.passModel(lp)
            configure(
                h, time_limit=max(time_limit - (time.perf_counter() - t0), 0.01), threads=threads
            )
            h.run()
            zval = np.asarray(h.getSolution().col_value)[m:]
            last = np.r_[zk[1:] == 0, True] if zk.size else np.zeros(0, dtype=bool)
            grow = np.unique(zi[last & (zval > 1e-9)])
            grow = grow[K[grow] < n_lv[grow] - 1]
            if grow.size == 0:
                break
            K[grow] = np.minimum(2 * K[grow] + 1, n_lv[grow] - 1)
        while True:
            iterations += 1
            model, zi, zk = _build(lv, wa, K, p, m)
            n_levels = int(zi.size)
            h = new_highs()
            h.passModel(model.lp)
            remaining = time_limit - (time.perf_counter() - t0)
            configure(h, time_limit=max(remaining, 0.01), mip_rel_gap=tol, threads=threads)
            y0 = np.zeros(m)
            y0[best] = 1.0
            dbest = ca[:, best].min(axis=1)
            z_start = (
                dbest[zi]
                > np.array([lv.values[i][k] for i, k in zip(zi.tolist(), zk.tolist(), strict=True)])
            ).astype(float)
            set_start(h, np.r_[y0, z_start])
            h.run()
            info = h.getInfo()
            has = int(info.primal_solution_status) == 2
            st, _raw = status_of(h, has_solution=has)
            const = float(wa @ np.array([v[0] for v in lv.values]))
            bound = float(info.mip_dual_bound) + const
            if st == SolveStatus.OPTIMAL and not math.isfinite(info.mip_dual_bound):
                bound = float(info.objective_function_value) + const
            lb = max(lb, bound)
            cand = best
            if has:
                x = snap(model, h.getSolution().col_value)
                cand = np.flatnonzero(x[:m] > 0.5).astype(np.int64)
                improved = greedy_interchange(ca, p, wa, start=cand)
                true = _cost_of(ca, wa, improved)
                if true < ub:
                    ub, best = true, improved
            history.append(
                {
                    "iteration": iterations,
                    "lower_bound": lb,
                    "upper_bound": ub,
                    "levels": n_levels,
                    "seconds": time.perf_counter() - t0,
                }
            )
            if ub - lb <= tol * max(abs(ub), 1.0):
                status = SolveStatus.OPTIMAL
                break
            if st != SolveStatus.OPTIMAL or time.perf_counter() - t0 >= time_limit:
                status = SolveStatus.FEASIBLE
                break
            # clients served beyond their cap by the truncated optimum get more levels
            dc = ca[:, cand].min(axis=1)
            cap = np.array([lv.values[i][K[i]] for i in range(n_a)])
            over = np.flatnonzero(dc > cap + 1e-12)
            if over.size == 0:  # cannot happen when the model was solved to optimality
                status = SolveStatus.FEASIBLE
                break
            for i in over.tolist():
                want = int(np.searchsorted(lv.values[i], dc[i], side="left"))
                K[i] = min(max(want, 2 * K[i] + 1), n_lv[i] - 1)
    best = keep_sites[best]
    lb = min(lb, ub)
    gap = 0.0 if ub <= 0 else max(ub - lb, 0.0) / ub
    optimal = ub - lb <= tol * max(abs(ub), 1.0)
    assignment = best[np.argmin(c[:, best], axis=1)]
    return PMedianResult(
        sites=np.sort(best),
        assignment=assignment.astype(np.int64),
        objective=_cost_of(c, w, best),
        bound=lb,
        gap=gap,
        optimal=bool(optimal),
        status=SolveStatus.OPTIMAL
        if optimal
        else status
        if status != SolveStatus.OPTIMAL
        else SolveStatus.FEASIBLE,
        iterations=iterations,
        n_levels=n_levels,
        solve_time_s=time.perf_counter() - t0,
        heuristic_objective=heur,
        history=history,
    )
