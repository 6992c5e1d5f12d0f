"""Covering models with spopt's names and meanings.

* :func:`solve_lscp` — **LSCP**, location set covering (Toregas et al. 1971):
  the fewest sites such that every client has a site within the service
  standard (``spopt.locate.LSCP``).
* :func:`solve_mclp` — **MCLP**, maximal covering (Church & ReVelle 1974): ``p``
  sites covering the most client weight within the standard
  (``spopt.locate.MCLP``).  Exact MILP with HiGHS for county-sized problems.
* :func:`solve_mclp_lagrangian` — MCLP at national scale: coverage sets from a
  KD-tree, a Lagrangian upper bound (subgradient) and a greedy solution
  improved by the Lagrangian's own site choices; the answer carries a
  **certified gap** ``(bound − covered) / covered``.

Both exact models are sparse by construction: the coverage matrix holds only
client-site pairs within the standard.

Examples
--------
Hand-solved LSCP: villages at 0, 4, 8, 12 km, standard 4 km, sites at the
villages: {4, 12} or {0, 8}… need two sites (0–4 covered by 4, 8–12 by 8 or
12); one site cannot cover 0 and 12.

>>> import numpy as np
>>> x = np.array([0.0, 4.0, 8.0, 12.0])
>>> d = np.abs(x[:, None] - x[None, :])
>>> r = solve_lscp(d, 4.0)
>>> r.n_sites, r.optimal
(2, True)

Hand-solved MCLP: one site, standard 4 km, weights 1, 1, 1, 10: the site at
8 or 12 covers 8 and 12 (11); the site at 8 also covers 4 → 12 is optimal.

>>> r = solve_mclp(d, 4.0, 1, np.array([1.0, 1.0, 1.0, 10.0]))
>>> r.covered, r.sites.tolist()
(12.0, [2])
"""

from __future__ import annotations

import heapq
import math
import time
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from regdev._milp import MatrixBuilder, SolveStatus, solve
from regdev.errors import InfeasibleSpecificationError

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class CoverResult:
    """Answer of a covering model.

    Attributes
    ----------
    sites : numpy.ndarray of int
        Open candidate columns.
    covered : float
        Client weight within the standard of an open site.
    total : float
        Total client weight.
    bound : float
        Proven bound: for MCLP an upper bound on coverage, for LSCP a lower
        bound on the number of sites.
    gap : float
        Certified relative gap.
    optimal : bool
    status : SolveStatus
    solve_time_s : float
    method : str
    """

    sites: IntArray
    covered: float
    total: float
    bound: float
    gap: float
    optimal: bool
    status: SolveStatus
    solve_time_s: float
    method: str = "mip"

    @property
    def n_sites(self) -> int:
        """Number of open sites."""
        return int(self.sites.size)

    @property
    def share_covered(self) -> float:
        """Covered weight ÷ total weight."""
        return self.covered / self.total if self.total > 0 else 1.0


def coverage_matrix(cost: npt.ArrayLike, standard: float) -> sp.csr_matrix:
    """Clients × sites boolean matrix of ``cost ≤ standard``."""
    c = np.asarray(cost, dtype=float)
    return sp.csr_matrix(c <= standard + 1e-9)


def _as_cover(cost: npt.ArrayLike | sp.spmatrix, standard: float) -> sp.csr_matrix:
    if isinstance(cost, sp.spmatrix | sp.sparray):
        return sp.csr_matrix(cost)
    return coverage_matrix(cost, standard)


def _covered(cover: sp.csr_matrix, sites: IntArray, w: FloatArray) -> float:
    if sites.size == 0:
        return 0.0
    pick = np.zeros(cover.shape[1])
    pick[sites] = 1.0
    hit = np.asarray(cover @ pick).ravel() > 0
    return float(w[hit].sum())


def solve_lscp(
    cost: npt.ArrayLike | sp.spmatrix, standard: float, *, time_limit: float = 60.0
) -> CoverResult:
    """Fewest sites so that every client is within ``standard`` of one.

    ``cost`` may be a cost matrix or an already built boolean coverage matrix.

    Raises
    ------
    InfeasibleSpecificationError
        Clients with no site within the standard (checked before solving).
    """
    cover = _as_cover(cost, standard)
    cover = sp.csr_matrix(cover, dtype=float)
    n, m = cover.shape
    bare = np.flatnonzero(np.diff(cover.indptr) == 0)
    if bare.size:
        shown = ", ".join(str(int(i)) for i in bare[:10])
        msg = (
            f"{bare.size} client(s) have no candidate site within the standard "
            f"{standard:g} (rows {shown}{', …' if bare.size > 10 else ''}); "
            "LSCP cannot cover everyone: raise the standard or add sites"
        )
        raise InfeasibleSpecificationError(msg)
    b = MatrixBuilder("lscp", sense="minimize", families=("cover",))
    b.add_columns(
        "y",
        lower=np.zeros(m),
        upper=np.ones(m),
        cost=np.ones(m),
        integer=True,
        names=[f"y_{j}" for j in range(m)],
    )
    coo = cover.tocoo()
    b.add_rows(
        "cover",
        coo.row,
        coo.col,
        np.ones(coo.nnz),
        np.ones(n),
        np.full(n, np.inf),
        np.arange(n),
        [f"c_{i}" for i in range(n)],
    )
    model = b.build()
    res = solve(model, time_limit=time_limit, mip_rel_gap=0.0)
    if not res.has_solution or res.x is None:
        msg = f"LSCP found no solution ({res.raw_status})"
        raise InfeasibleSpecificationError(msg)
    sites = np.flatnonzero(res.x[:m] > 0.5).astype(np.int64)
    bound = math.ceil(res.bound - 1e-6) if math.isfinite(res.bound) else 0.0
    gap = (sites.size - bound) / max(sites.size, 1)
    return CoverResult(
        sites,
        float(n),
        float(n),
        float(bound),
        gap,
        sites.size <= bound,
        res.status,
        res.solve_time_s,
    )


def solve_mclp(
    cost: npt.ArrayLike | sp.spmatrix,
    standard: float,
    p: int,
    weights: npt.ArrayLike | None = None,
    *,
    time_limit: float = 60.0,
) -> CoverResult:
    """``p`` sites covering the most weight within ``standard`` (exact MILP)."""
    cover = _as_cover(cost, standard)
    n, m = cover.shape
    w = np.ones(n) if weights is None else np.asarray(weights, dtype=float)
    if not 0 <= p <= m:
        msg = f"p must be within 0..{m}; got {p}"
        raise InfeasibleSpecificationError(msg)
    reach = np.flatnonzero((np.diff(cover.indptr) > 0) & (w > 0))
    sub = cover[reach]
    k = reach.size
    b = MatrixBuilder("mclp", sense="maximize", families=("cover", "count"))
    b.add_columns(
        "y",
        lower=np.zeros(m),
        upper=np.ones(m),
        cost=np.zeros(m),
        integer=True,
        names=[f"y_{j}" for j in range(m)],
    )
    z0 = b.add_columns(
        "z",
        lower=np.zeros(k),
        upper=np.ones(k),
        cost=w[reach],
        integer=False,
        names=[f"z_{i}" for i in reach.tolist()],
    )
    coo = sub.tocoo()
    rows = np.r_[coo.row, np.arange(k)]
    cols = np.r_[coo.col, z0 + np.arange(k)]
    vals = np.r_[-np.ones(coo.nnz), np.ones(k)]
    b.add_rows(
        "cover",
        rows,
        cols,
        vals,
        np.full(k, -np.inf),
        np.zeros(k),
        reach,
        [f"c_{i}" for i in reach.tolist()],
    )
    b.add_rows("count", np.zeros(m, np.int64), np.arange(m), np.ones(m), [p], [p], None, ["count"])
    res = solve(b.build(), time_limit=time_limit, mip_rel_gap=1e-9)
    if not res.has_solution or res.x is None:
        msg = f"MCLP found no solution ({res.raw_status})"
        raise InfeasibleSpecificationError(msg)
    sites = np.flatnonzero(res.x[:m] > 0.5).astype(np.int64)
    covered = _covered(cover, sites, w)
    bound = max(float(res.bound), covered) if math.isfinite(res.bound) else math.inf
    gap = (bound - covered) / covered if covered > 0 else (0.0 if bound <= 0 else math.inf)
    return CoverResult(
        sites, covered, float(w.sum()), bound, gap, res.optimal, res.status, res.solve_time_s
    )


def greedy_mclp(cover: sp.csr_matrix, p: int, w: FloatArray) -> IntArray:
    """Lazy greedy for MCLP (each step opens the site adding most uncovered weight).

    Greedy is within a factor ``1 − 1/e`` of the optimum (Nemhauser, Wolsey &
    Fisher 1978); the exact gap is certified by the Lagrangian bound.
    """
    csc = cover.tocsc()
    m = csc.shape[1]
    indptr, indices = csc.indptr, csc.indices
    left = w.astype(float).copy()
    gains = np.asarray(csc.T @ left).ravel()
    heap = [(-g, j) for j, g in enumerate(gains.tolist()) if g > 0]
    heapq.heapify(heap)
    chosen: list[int] = []
    while heap and len(chosen) < p:
        neg, j = heapq.heappop(heap)
        rows = indices[indptr[j] : indptr[j + 1]]
        g = float(left[rows].sum())
        if heap and g < -heap[0][0] - 1e-12:
            if g > 0:
                heapq.heappush(heap, (-g, j))
            continue
        if g <= 0:
            break
        chosen.append(j)
        left[rows] = 0.0
    if len(chosen) < p:  # everything covered: fill with unused sites (coverage unchanged)
        rest = np.setdiff1d(np.arange(m), chosen)[: p - len(chosen)]
        chosen.extend(rest.tolist())
    return np.array(chosen, dtype=np.int64)


def solve_mclp_lagrangian(
    cover: sp.csr_matrix,
    p: int,
    weights: npt.ArrayLike | None = None,
    *,
    iterations: int = 2000,
    time_limit: float = 60.0,
) -> CoverResult:
    """MCLP with a certified gap for very large instances.

    Relaxing ``z_i ≤ Σ_{j∈N_i} y_j`` with multipliers ``0 ≤ λ_i ≤ w_i``
    gives ``L(λ) = Σ_i (w_i − λ_i) + (sum of the p largest Σ_{i∈N_j} λ_i)``,
    an **upper bound** on the coverage for every ``λ`` (Galvão & ReVelle
    1996, *EJOR* 88, 114–123).  The primal side is the lazy greedy and the
    Lagrangian's own p sites (whichever covers more).
    """
    t0 = time.perf_counter()
    cover = sp.csr_matrix(cover, dtype=float)
    n, m = cover.shape
    w = np.ones(n) if weights is None else np.asarray(weights, dtype=float)
    coverable = np.diff(cover.indptr) > 0
    w_eff = np.where(coverable, w, 0.0)
    cover_t = cover.T.tocsr()
    sites = greedy_mclp(cover, p, w_eff)
    best_cov = _covered(cover, sites, w_eff)
    lam = w_eff * 0.5
    best_ub = math.inf
    theta = 2.0
    stall = 0
    for it in range(iterations):
        if it > 0 and time.perf_counter() - t0 > time_limit:
            break
        score = np.asarray(cover_t @ lam).ravel()
        top = np.argpartition(-score, p - 1)[:p] if p < m else np.arange(m)
        ub = float((w_eff - lam).sum() + score[top].sum())
        if not math.isfinite(best_ub) or ub < best_ub - 1e-9 * max(best_ub, 1.0):
            best_ub, stall = ub, 0
        else:
            stall += 1
            if stall >= 30:
                theta, stall = theta / 2.0, 0
        pick = np.zeros(m)
        pick[top] = 1.0
        hit = np.asarray(cover @ pick).ravel()
        cov_top = float(w_eff[hit > 0].sum())
        if cov_top > best_cov:
            best_cov, sites = cov_top, top.astype(np.int64)
        if best_ub - best_cov <= 1e-9 * max(best_cov, 1.0) or theta < 1e-4:
            break
        # subgradient of L in λ: −1 + |N_i ∩ top|; a step against it lowers the bound
        g = hit - 1.0
        norm = float(g @ g)
        if norm == 0:
            break
        lam = np.clip(lam - theta * (best_ub - best_cov) / norm * g, 0.0, w_eff)
    gap = (best_ub - best_cov) / best_cov if best_cov > 0 else 0.0
    status = SolveStatus.OPTIMAL if gap <= 1e-9 else SolveStatus.FEASIBLE
    return CoverResult(
        sites,
        best_cov,
        float(w.sum()),
        best_ub,
        gap,
        gap <= 1e-9,
        status,
        time.perf_counter() - t0,
        "Lagrangian bound + greedy",
    )
