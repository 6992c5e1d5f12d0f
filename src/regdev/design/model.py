"""The factory-design MILP, built as sparse arrays and solved with HiGHS directly.

Variables (per candidate pair ``p = (i, l)`` of region and line, arc ``a``,
category ``c``, resource ``r``):

* ``y[i,l] ∈ {0,1}`` line open; ``m[i,l] ∈ {0..M[i,l]}`` modules;
  ``x[i,l] >= 0`` output (units/yr);
* ``s[a,c] >= 0`` shipment on trade arc ``a`` (units/yr);
* ``e[i,c] >= 0`` central supply (from the capital / province seat);
* ``u[i,r] >= 0`` raw material imported into region ``i`` (t/yr).

Constraints::

    balance[i,c]  Σ_{l∈c} x[i,l] − Σ_{a out of i} s[a,c] + Σ_{a into i} s[a,c] + e[i,c] >= D[i,c]
    coverage      e[i,c] <= (1 − τ) D[i,c]                    for basic categories (a bound)
    raw[i,r]      Σ_l A[l,r] x[i,l] − u[i,r] <= S[i,r]
    capacity[p]   x[p] − size[l] m[p] <= 0
    mes[p]        x[p] − mes[l] y[p] >= 0
    link[p]       m[p] − M[p] y[p] <= 0
    minmod[p]     m[p] − ceil(mes[l] / size[l]) y[p] >= 0    (valid inequality)
    group[i,g]    Σ_{l∈g} y[i,l] >= 1                          for each standard group g

Objective (minimise, kUSD/yr)::

    Σ_p (module_cost[p] m[p] + unit_cost[l] x[p] − bonus[p] y[p])
    + Σ_{a,c} cost_tkm · km[a] · t[c] · s[a,c] + Σ_{i,c} ext[i,c] e[i,c]
    + Σ_{i,r} cost_tkm · import_km[i,r] · u[i,r]

See ``docs/design-model.md`` for the derivation of each coefficient.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import highspy
import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from regdev.design.problem import DesignProblem, module_bound
from regdev.errors import InfeasibleSpecificationError

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class DesignModel:
    """The assembled MILP: HiGHS ``HighsLp`` plus the index maps of every block.

    Attributes
    ----------
    lp : highspy.HighsLp
        The model (column-wise CSC matrix, integrality, names).
    pair_region, pair_line : ndarray of int
        Candidate pairs ``p = (i, l)``.
    ship_arc, ship_cat : ndarray of int
        Shipment columns ``(a, c)``.
    ext_region, ext_cat : ndarray of int
        Central-supply columns ``(i, c)``.
    imp_region, imp_res : ndarray of int
        Import columns ``(i, r)``.
    offsets : dict of str to int
        First column of each block ``y, m, x, s, e, u`` and ``n_cols``.
    build_time_s : float
    """

    lp: highspy.HighsLp
    pair_region: IntArray
    pair_line: IntArray
    ship_arc: IntArray
    ship_cat: IntArray
    ext_region: IntArray
    ext_cat: IntArray
    imp_region: IntArray
    imp_res: IntArray
    offsets: dict[str, int]
    build_time_s: float

    @property
    def n_cols(self) -> int:
        """Number of variables."""
        return int(self.lp.num_col_)

    @property
    def n_rows(self) -> int:
        """Number of constraints."""
        return int(self.lp.num_row_)

    @property
    def n_integer(self) -> int:
        """Number of binary and integer variables."""
        return 2 * len(self.pair_region)

    def write_mps(self, path: str | Path) -> Path:
        """Write the model in MPS format (atomically) and return the path."""
        from regdev._atomic import atomic_write_text

        h = _highs(quiet=True)
        h.passModel(self.lp)
        target = Path(path)
        tmp = target.with_name(f".{target.name}.tmp.mps")
        h.writeModel(str(tmp))
        text = tmp.read_text(encoding="utf-8")
        tmp.unlink()
        return atomic_write_text(target, text)


def _version(h: highspy.Highs) -> str:
    try:
        return f"highs {h.version()}"
    except (AttributeError, TypeError):  # older highspy
        return "highs"


_BANNER_SHOWN = False


def _new_highs() -> highspy.Highs:
    """A ``Highs`` instance; the first one is created with stdout silenced (its banner)."""
    global _BANNER_SHOWN
    if _BANNER_SHOWN:
        return highspy.Highs()  # type: ignore[no-untyped-call]  # untyped in highspy
    import os
    import sys

    sys.stdout.flush()
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # not a real file (e.g. captured)
        fd = 1
    saved = os.dup(fd)
    try:
        with Path(os.devnull).open("w") as null:
            os.dup2(null.fileno(), fd)
            h = highspy.Highs()  # type: ignore[no-untyped-call]  # untyped in highspy
    finally:
        os.dup2(saved, fd)
        os.close(saved)
    _BANNER_SHOWN = True
    return h


def _highs(*, quiet: bool) -> highspy.Highs:
    h = _new_highs() if quiet else highspy.Highs()  # type: ignore[no-untyped-call]
    if quiet:
        h.setOptionValue("output_flag", False)
    return h


def _apply_force(
    problem: DesignProblem,
) -> tuple[npt.NDArray[np.bool_], dict[tuple[int, int], bool]]:
    allowed = problem.allowed.copy()
    fixed: dict[tuple[int, int], bool] = {}
    for (rid, lid), value in problem.metadata.get("force", {}).items():
        i, k = problem.region_pos(rid), problem.line_pos(lid)
        allowed[i, k] = bool(value)  # forced lines become candidates, forbidden ones vanish
        if value:
            fixed[(i, k)] = True
    return allowed, fixed


def build_model(problem: DesignProblem) -> DesignModel:
    """Assemble the design MILP for ``problem`` (vectorised, sparse).

    Parameters
    ----------
    problem : DesignProblem

    Returns
    -------
    DesignModel

    Raises
    ------
    InfeasibleSpecificationError
        When a region has no candidate line in a standard group (the
        ``group`` constraint cannot hold) or a forced line clashes.
    """
    t0 = time.perf_counter()
    p = problem
    n, n_c, n_r = p.n_regions, len(p.categories), len(p.resources)
    allowed, fixed = _apply_force(p)
    mb_all = module_bound(p)

    pr, pl = np.nonzero(allowed)
    pr = pr.astype(np.int64)
    pl = pl.astype(np.int64)
    n_p = len(pr)
    mb = mb_all[pr, pl].astype(float)
    size = p.module_size[pl]
    mes = p.mes[pl]
    pcat = p.line_category[pl]

    # shipments: from regions that can make the category
    can_make = np.zeros((n, n_c), dtype=bool)
    can_make[pr, pcat] = True
    n_arc = len(p.arc_from)
    if n_arc:
        sa, sc = np.nonzero(can_make[p.arc_from])
    else:
        sa = sc = np.zeros(0, dtype=np.int64)
    sa = sa.astype(np.int64)
    sc = sc.astype(np.int64)
    n_s = len(sa)

    er, ec = np.nonzero(p.demand > 0)
    er = er.astype(np.int64)
    ec = ec.astype(np.int64)
    n_e = len(er)

    uses = np.zeros((n, n_r), dtype=bool)
    if n_p:
        uses |= (
            np.asarray(
                sp.csr_matrix((np.ones(n_p), (pr, pl)), shape=(n, p.n_lines)) @ (p.inputs > 0)
            )
            > 0
        )
    ur, ures = np.nonzero(uses)
    ur = ur.astype(np.int64)
    ures = ures.astype(np.int64)
    n_u = len(ur)

    oy, om, ox = 0, n_p, 2 * n_p
    os_ = 3 * n_p
    oe = os_ + n_s
    ou = oe + n_e
    n_cols = ou + n_u

    # ---- bounds and costs
    lower = np.zeros(n_cols)
    upper = np.full(n_cols, np.inf)
    cost = np.zeros(n_cols)
    upper[oy : oy + n_p] = 1.0
    upper[om : om + n_p] = mb
    upper[ox : ox + n_p] = mb * size
    for (i, k), value in fixed.items():
        hit = np.flatnonzero((pr == i) & (pl == k))
        if hit.size:
            j = oy + int(hit[0])
            if value:
                lower[j] = 1.0
            else:
                upper[j] = 0.0
    held = p.metadata.get("hold_modules")
    if held is not None:  # what-if: every other county keeps its modules
        hm = np.asarray(held)[pr, pl]
        keep = hm >= 0
        lower[om + np.flatnonzero(keep)] = hm[keep]
        upper[om + np.flatnonzero(keep)] = hm[keep]
        lower[oy + np.flatnonzero(keep)] = (hm[keep] > 0).astype(float)
        upper[oy + np.flatnonzero(keep)] = (hm[keep] > 0).astype(float)
    cost[oy : oy + n_p] = -p.bonus[pr, pl]
    cost[om : om + n_p] = p.module_cost[pr, pl]
    cost[ox : ox + n_p] = p.unit_cost[pl]
    if n_s:
        cost[os_ : os_ + n_s] = p.cost_per_tkm * p.arc_km[sa] * p.tonnes_per_unit[sc]
    d_e = p.demand[er, ec]
    basic_e = p.category_basic[ec]
    upper[oe : oe + n_e] = np.where(basic_e, (1.0 - p.coverage_target) * d_e, d_e)
    cost[oe : oe + n_e] = p.external_cost[er, ec]
    cost[ou : ou + n_u] = p.cost_per_tkm * p.import_km[ur, ures]

    # ---- rows (COO triplets)
    rows: list[IntArray] = []
    cols: list[IntArray] = []
    vals: list[FloatArray] = []
    r_lo: list[FloatArray] = []
    r_hi: list[FloatArray] = []
    row0 = 0

    # balance[i, c] for every (i, c) with demand (index via a lookup table)
    bal_id = -np.ones((n, n_c), dtype=np.int64)
    bal_id[er, ec] = np.arange(n_e)
    has_row = bal_id[pr, pcat] >= 0
    rows.append(row0 + bal_id[pr, pcat][has_row])
    cols.append(ox + np.arange(n_p)[has_row])
    vals.append(np.ones(int(has_row.sum())))
    if n_s:
        fr = bal_id[p.arc_from[sa], sc]
        to = bal_id[p.arc_to[sa], sc]
        ok = fr >= 0
        rows.append(row0 + fr[ok])
        cols.append(os_ + np.arange(n_s)[ok])
        vals.append(-np.ones(int(ok.sum())))
        ok = to >= 0
        rows.append(row0 + to[ok])
        cols.append(os_ + np.arange(n_s)[ok])
        vals.append(np.ones(int(ok.sum())))
    rows.append(row0 + np.arange(n_e))
    cols.append(oe + np.arange(n_e))
    vals.append(np.ones(n_e))
    r_lo.append(d_e)
    r_hi.append(np.full(n_e, np.inf))
    row0 += n_e

    # raw[i, r]
    raw_id = -np.ones((n, n_r), dtype=np.int64)
    raw_id[ur, ures] = np.arange(n_u)
    a_pr = p.inputs[pl]  # (n_p, R)
    ip, rr = np.nonzero(a_pr > 0)
    rows.append(row0 + raw_id[pr[ip], rr])
    cols.append(ox + ip.astype(np.int64))
    vals.append(a_pr[ip, rr])
    rows.append(row0 + np.arange(n_u))
    cols.append(ou + np.arange(n_u))
    vals.append(-np.ones(n_u))
    r_lo.append(np.full(n_u, -np.inf))
    r_hi.append(p.supply[ur, ures])
    row0 += n_u

    idx = np.arange(n_p)
    # capacity[p]: x - size m <= 0
    rows += [row0 + idx, row0 + idx]
    cols += [ox + idx, om + idx]
    vals += [np.ones(n_p), -size]
    r_lo.append(np.full(n_p, -np.inf))
    r_hi.append(np.zeros(n_p))
    row0 += n_p
    # mes[p]: x - mes y >= 0
    rows += [row0 + idx, row0 + idx]
    cols += [ox + idx, oy + idx]
    vals += [np.ones(n_p), -mes]
    r_lo.append(np.zeros(n_p))
    r_hi.append(np.full(n_p, np.inf))
    row0 += n_p
    # link[p]: m - M y <= 0
    rows += [row0 + idx, row0 + idx]
    cols += [om + idx, oy + idx]
    vals += [np.ones(n_p), -mb]
    r_lo.append(np.full(n_p, -np.inf))
    r_hi.append(np.zeros(n_p))
    row0 += n_p
    # minmod[p]: m - ceil(mes / size) y >= 0  (valid: an open line has whole modules
    # for its minimum efficient scale; tightens the LP relaxation a lot)
    rows += [row0 + idx, row0 + idx]
    cols += [om + idx, oy + idx]
    vals += [np.ones(n_p), -np.ceil(mes / size - 1e-9)]
    r_lo.append(np.zeros(n_p))
    r_hi.append(np.full(n_p, np.inf))
    row0 += n_p

    # group[i, g]
    groups = np.array(p.line_groups)
    for g in p.standard_groups:
        in_g = groups[pl] == g
        has = np.zeros(n, dtype=bool)
        has[pr[in_g]] = True
        if not has.all():
            bad = [p.region_ids[i] for i in np.flatnonzero(~has)][:5]
            msg = (
                f"group constraint: regions {bad} have no candidate line in the standard group "
                f"{g!r}; expected at least one (check forbidden lines and the catalogue)"
            )
            raise InfeasibleSpecificationError(msg, constraint="group")
        rows.append(row0 + pr[in_g])
        cols.append(oy + np.flatnonzero(in_g).astype(np.int64))
        vals.append(np.ones(int(in_g.sum())))
        r_lo.append(np.ones(n))
        r_hi.append(np.full(n, np.inf))
        row0 += n

    n_rows = row0
    mat = sp.csc_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
        shape=(n_rows, n_cols),
    )
    mat.sum_duplicates()
    mat.sort_indices()

    lp = highspy.HighsLp()
    lp.num_col_ = n_cols
    lp.num_row_ = n_rows
    lp.col_cost_ = cost
    lp.col_lower_ = lower
    lp.col_upper_ = upper
    lp.row_lower_ = np.concatenate(r_lo)
    lp.row_upper_ = np.concatenate(r_hi)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = mat.indptr.astype(np.int32)
    lp.a_matrix_.index_ = mat.indices.astype(np.int32)
    lp.a_matrix_.value_ = mat.data
    lp.a_matrix_.num_col_ = n_cols
    lp.a_matrix_.num_row_ = n_rows
    integrality = [highspy.HighsVarType.kContinuous] * n_cols
    for j in range(0, 2 * n_p):
        integrality[j] = highspy.HighsVarType.kInteger
    lp.integrality_ = integrality
    lp.sense_ = highspy.ObjSense.kMinimize
    lp.model_name_ = "regdev_factory_design"
    _name_columns(lp, p, pr, pl, sa, sc, er, ec, ur, ures)
    rid, lid = p.region_ids, p.line_ids
    pair_names = [f"{rid[i]},{lid[k]}" for i, k in zip(pr, pl, strict=True)]
    row_names = [f"balance[{rid[i]},{p.categories[c]}]" for i, c in zip(er, ec, strict=True)]
    row_names += [f"raw[{rid[i]},{p.resources[r]}]" for i, r in zip(ur, ures, strict=True)]
    for fam in ("capacity", "mes", "link", "minmod"):
        row_names += [f"{fam}[{n}]" for n in pair_names]
    for g in p.standard_groups:
        row_names += [f"group[{r},{g}]" for r in rid]
    if len(row_names) == n_rows:
        lp.row_names_ = [n.replace(" ", "_") for n in row_names]

    return DesignModel(
        lp=lp,
        pair_region=pr,
        pair_line=pl,
        ship_arc=sa,
        ship_cat=sc,
        ext_region=er,
        ext_cat=ec,
        imp_region=ur,
        imp_res=ures,
        offsets={"y": oy, "m": om, "x": ox, "s": os_, "e": oe, "u": ou, "n_cols": n_cols},
        build_time_s=time.perf_counter() - t0,
    )


def _name_columns(
    lp: highspy.HighsLp,
    p: DesignProblem,
    pr: IntArray,
    pl: IntArray,
    sa: IntArray,
    sc: IntArray,
    er: IntArray,
    ec: IntArray,
    ur: IntArray,
    ures: IntArray,
) -> None:
    """Readable column names for the MPS file (``y[region,line]`` …)."""
    rid = p.region_ids
    names: list[str] = []
    for prefix in ("y", "m", "x"):
        names += [f"{prefix}[{rid[i]},{p.line_ids[k]}]" for i, k in zip(pr, pl, strict=True)]
    names += [
        f"s[{rid[p.arc_from[a]]}>{rid[p.arc_to[a]]},{p.categories[c]}]"
        for a, c in zip(sa, sc, strict=True)
    ]
    names += [f"e[{rid[i]},{p.categories[c]}]" for i, c in zip(er, ec, strict=True)]
    names += [f"u[{rid[i]},{p.resources[r]}]" for i, r in zip(ur, ures, strict=True)]
    lp.col_names_ = [n.replace(" ", "_") for n in names]


@dataclass(frozen=True)
class SolveInfo:
    """What the solver reported.

    Attributes
    ----------
    status : str
        HiGHS model status text (``Optimal``, ``Time limit reached`` …).
    objective, bound, gap : float
        Objective value (kUSD/yr), best bound and relative gap (``nan`` when
        no solution).
    solve_time_s : float
    solver : str
        ``"highs <version>"``.
    has_solution : bool
    """

    status: str
    objective: float
    bound: float
    gap: float
    solve_time_s: float
    solver: str
    has_solution: bool

    @property
    def optimal(self) -> bool:
        """True when the solver proved optimality within its gap."""
        return self.status == "Optimal"


def solve_model(
    model: DesignModel,
    *,
    time_limit: float = 60.0,
    mip_rel_gap: float = 0.005,
    threads: int = 0,
    verbose: bool = False,
    start: FloatArray | None = None,
) -> tuple[SolveInfo, FloatArray | None]:
    """Solve the MILP with HiGHS.

    Parameters
    ----------
    model : DesignModel
    time_limit, mip_rel_gap, threads : float, float, int
        Solver options (HiGHS may overrun the limit by a few seconds while
        it separates cuts at the root).
    verbose : bool
        Show the HiGHS log.
    start : ndarray, optional
        A feasible column vector handed to HiGHS as the first incumbent.

    Returns
    -------
    info : SolveInfo
    values : ndarray or None
        Column values when a feasible solution exists.
    """
    h = _highs(quiet=not verbose)
    h.setOptionValue("time_limit", float(time_limit))
    h.setOptionValue("mip_rel_gap", float(mip_rel_gap))
    h.setOptionValue("random_seed", 0)
    if threads:
        h.setOptionValue("threads", int(threads))
    h.passModel(model.lp)
    if start is not None:
        sol = highspy.HighsSolution()
        sol.col_value = list(map(float, start))
        sol.value_valid = True
        h.setSolution(sol)
    t0 = time.perf_counter()
    h.run()
    elapsed = time.perf_counter() - t0
    status = h.modelStatusToString(h.getModelStatus())
    info = h.getInfo()
    has = int(info.primal_solution_status) == 2
    obj = float(info.objective_function_value) if has else float("nan")
    bound = float(info.mip_dual_bound) if has else float("nan")
    gap = float(info.mip_gap) if has else float("nan")
    if has and abs(obj - bound) <= 1e-9 * max(1.0, abs(obj)):
        gap = 0.0
    values = np.asarray(h.getSolution().col_value, dtype=float) if has else None
    version = _version(h)
    return (
        SolveInfo(
            status=status,
            objective=obj,
            bound=bound,
            gap=gap,
            solve_time_s=elapsed,
            solver=version,
            has_solution=has,
        ),
        values,
    )


@dataclass(frozen=True, eq=False)
class DesignSolution:
    """Dense solution arrays of one design (region / arc × line / category / resource).

    Attributes
    ----------
    y : ndarray of bool, shape (n, L)
        Line open.
    m : ndarray of int, shape (n, L)
        Modules.
    x : ndarray, shape (n, L)
        Output, units/yr.
    s : ndarray, shape (A, C)
        Shipments on each trade arc, units/yr.
    e : ndarray, shape (n, C)
        Central supply, units/yr.
    u : ndarray, shape (n, R)
        Imported raw material, t/yr.
    """

    y: npt.NDArray[np.bool_]
    m: IntArray
    x: FloatArray
    s: FloatArray
    e: FloatArray
    u: FloatArray

    @classmethod
    def from_values(
        cls, model: DesignModel, problem: DesignProblem, values: FloatArray
    ) -> DesignSolution:
        """Scatter a HiGHS column vector into dense arrays."""
        n, ell = problem.n_regions, problem.n_lines
        n_c, n_r, n_a = len(problem.categories), len(problem.resources), len(problem.arc_from)
        o = model.offsets
        n_p = len(model.pair_region)
        pr, pl = model.pair_region, model.pair_line
        y = np.zeros((n, ell), dtype=bool)
        m = np.zeros((n, ell), dtype=np.int64)
        x = np.zeros((n, ell))
        y[pr, pl] = values[o["y"] : o["y"] + n_p] > 0.5
        m[pr, pl] = np.rint(values[o["m"] : o["m"] + n_p]).astype(np.int64)
        x[pr, pl] = np.maximum(values[o["x"] : o["x"] + n_p], 0.0)
        s = np.zeros((n_a, n_c))
        s[model.ship_arc, model.ship_cat] = np.maximum(values[o["s"] : o["e"]], 0.0)
        e = np.zeros((n, n_c))
        e[model.ext_region, model.ext_cat] = np.maximum(values[o["e"] : o["u"]], 0.0)
        u = np.zeros((n, n_r))
        u[model.imp_region, model.imp_res] = np.maximum(values[o["u"] : o["n_cols"]], 0.0)
        return cls(y=y, m=m, x=x, s=s, e=e, u=u)

    def to_values(self, model: DesignModel) -> FloatArray:
        """Gather the dense arrays into a column vector of ``model``."""
        o = model.offsets
        pr, pl = model.pair_region, model.pair_line
        v = np.zeros(o["n_cols"])
        n_p = len(pr)
        v[o["y"] : o["y"] + n_p] = self.y[pr, pl]
        v[o["m"] : o["m"] + n_p] = self.m[pr, pl]
        v[o["x"] : o["x"] + n_p] = self.x[pr, pl]
        v[o["s"] : o["e"]] = self.s[model.ship_arc, model.ship_cat]
        v[o["e"] : o["u"]] = self.e[model.ext_region, model.ext_cat]
        v[o["u"] : o["n_cols"]] = self.u[model.imp_region, model.imp_res]
        return v


def max_violation(model: DesignModel, values: FloatArray) -> float:
    """Largest violation of any row or column bound by ``values`` (0 when feasible)."""
    lp = model.lp
    a = sp.csc_matrix(
        (
            np.asarray(lp.a_matrix_.value_),
            np.asarray(lp.a_matrix_.index_),
            np.asarray(lp.a_matrix_.start_),
        ),
        shape=(lp.num_row_, lp.num_col_),
    )
    act = a @ values
    lo, hi = np.asarray(lp.row_lower_), np.asarray(lp.row_upper_)
    clo, chi = np.asarray(lp.col_lower_), np.asarray(lp.col_upper_)
    viol = [
        np.maximum(lo - act, 0.0),
        np.maximum(act - hi, 0.0),
        np.maximum(clo - values, 0.0),
        np.maximum(values - chi, 0.0),
    ]
    return float(max((float(v.max()) if v.size else 0.0) for v in viol))


def objective_value(model: DesignModel, values: FloatArray) -> float:
    """Objective of a column vector (kUSD/yr)."""
    return float(np.asarray(model.lp.col_cost_) @ values)


def relaxation_bound(model: DesignModel, *, time_limit: float = 30.0) -> float:
    """Optimal value of the LP relaxation: a lower bound on the MILP optimum."""
    h = _highs(quiet=True)
    h.setOptionValue("time_limit", float(time_limit))
    h.setOptionValue("solve_relaxation", True)
    h.passModel(model.lp)
    h.run()
    if h.modelStatusToString(h.getModelStatus()) != "Optimal":
        return float("-inf")
    return float(h.getInfo().objective_function_value)


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
    h = _highs(quiet=True)
    h.setOptionValue("time_limit", float(time_limit))
    h.setOptionValue("solve_relaxation", True)
    h.passModel(lp)
    h.run()
    if h.modelStatusToString(h.getModelStatus()) != "Optimal":
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
    h2 = _highs(quiet=True)
    h2.setOptionValue("time_limit", float(time_limit))
    h2.setOptionValue("solve_relaxation", True)
    h2.passModel(lp)
    h2.changeColsBounds(len(cols), cols, vals, vals)
    h2.run()
    if h2.modelStatusToString(h2.getModelStatus()) != "Optimal":
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
        A feasible column vector (``None`` when the first LP fails).
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
    h = _highs(quiet=True)
    h.setOptionValue("solve_relaxation", True)
    h.passModel(lp)

    def run() -> FloatArray | None:
        h.setOptionValue("time_limit", max(1.0, time_limit - (time.perf_counter() - t0)))
        h.run()
        if h.modelStatusToString(h.getModelStatus()) != "Optimal":
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
        if v_new is not None:
            v = v_new
    return v, bound
