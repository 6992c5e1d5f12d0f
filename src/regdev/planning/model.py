"""The rollout MILP as sparse matrices, built family by family with ``define_*`` functions.

Decision ``x[i, f, t] ∈ {0, 1}``: region ``i`` completes a project of type
``f`` in year ``t``.  A variable exists only where the assignment is allowed
(eligible, not banned, capacity > 0 that year; a locked pair keeps only its
locked year, fixed to 1).  Families (row names in ``model.mps``):

``coverage[region,facility]``   Σ_t x = 1 (exact coverage) or ≤ 1
``capacity[facility,year]``     Σ_i x = cap (factory cadence) or ≤ cap
``workload[region,year]``       Σ_f x ≤ max(k, locked that year)
``balance[province,year]``      Σ_{i∈p, t'≤t} x[i,factories,t'] ≥ floor
``budget[year]``                Σ cost · x ≤ budget
``staff[province,year]``        doctors of the hospitals done ≤ trained
``construction[province,year]`` non-factory building sites in use ≤ the province's
``materials[m,province,year]``  tonnes delivered ≤ own supply · (1 + import share);
``materials[m,country,year]``   tonnes delivered nationally ≤ national supply
``raw_materials[region]``       no factory group before its raw-material base (year < lag)
``units[province,year]``        factory groups ≤ units based there + the nearest provinces'

Objective (maximised): Σ value[i,f,t] · x with
``value = benefit · tier_benefit · e_i · (last_year − year + 1)``.

Rows and columns are collected by :class:`regdev._milp.MatrixBuilder` (the
modelling layer shared with the factory designer) and assembled once in COO
form with numpy (no Python loop over variables) into a column-wise
:class:`highspy.HighsLp`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import highspy
import numpy as np
import scipy.sparse as sp

from regdev._milp import MatrixBuilder, MilpModel
from regdev.planning.problem import PlanningProblem

FAMILIES: tuple[str, ...] = (
    "coverage",
    "capacity",
    "workload",
    "balance",
    "budget",
    "staff",
    "construction",
    "materials",
    "raw_materials",
    "units",
    "user",
)
"""Constraint families; ``user`` holds the rows of an ``extra_constraints`` hook."""

OBJECTIVE_SCALE = 1e-6
"""The objective is stated in millions of equity-weighted benefit-years (well scaled for HiGHS)."""

MODEL_NAME = "regdev_rollout"


def _name(text: str) -> str:
    return "_".join(str(text).split())


class ModelBuilder(MatrixBuilder):
    """The rollout model under construction (the ``m`` passed to ``define_*`` functions).

    A :class:`regdev._milp.MatrixBuilder` holding one variable family ``x``
    (one column per allowed assignment) plus the index of every column; rows
    are added with :meth:`~regdev._milp.MatrixBuilder.add_rows`
    ``(family, local_row, col, val, lower, upper, keys, names)``.

    Attributes
    ----------
    problem : PlanningProblem
    var_i, var_f, var_t : numpy.ndarray
        Region, facility and year index of every column.
    """

    def __init__(
        self,
        problem: PlanningProblem,
        var_i: np.ndarray,
        var_f: np.ndarray,
        var_t: np.ndarray,
        *,
        lower: np.ndarray,
        cost: np.ndarray,
    ) -> None:
        super().__init__(MODEL_NAME, sense="maximize", families=FAMILIES)
        self.problem = problem
        self.var_i = var_i
        self.var_f = var_f
        self.var_t = var_t
        ids, facs, yrs = problem.region_ids, problem.facilities, problem.years
        names = [
            f"x[{ids[i]},{facs[f]},{yrs[t]}]"
            for i, f, t in zip(var_i.tolist(), var_f.tolist(), var_t.tolist(), strict=True)
        ]
        self.add_columns(
            "x", lower=lower, upper=np.ones(var_i.size), cost=cost, integer=True, names=names
        )

    @property
    def lower(self) -> np.ndarray:
        """Column lower bounds (1 for a locked assignment)."""
        return self.column_array("lower")

    @property
    def upper(self) -> np.ndarray:
        """Column upper bounds."""
        return self.column_array("upper")

    @property
    def cost(self) -> np.ndarray:
        """Objective coefficients (scaled by :data:`OBJECTIVE_SCALE`)."""
        return self.column_array("cost")


@dataclass(frozen=True, eq=False)
class RolloutModel:
    """A built model: the assembled MILP plus the index arrays to read a solution back.

    Attributes
    ----------
    milp : regdev._milp.MilpModel
        The MILP (sense maximise, all columns binary, names set).
    var_i, var_f, var_t : numpy.ndarray
        Index of every column.
    """

    milp: MilpModel
    var_i: np.ndarray
    var_f: np.ndarray
    var_t: np.ndarray

    @property
    def lp(self) -> highspy.HighsLp:
        """The HiGHS model."""
        return self.milp.lp

    @property
    def matrix(self) -> sp.csr_matrix:
        """The constraint matrix (rows × columns)."""
        return self.milp.matrix

    @property
    def objective(self) -> np.ndarray:
        """Objective coefficients of the columns."""
        return self.milp.objective

    @property
    def row_family(self) -> np.ndarray:
        """Family of every row (index into :data:`FAMILIES`)."""
        return self.milp.row_family

    @property
    def row_key(self) -> np.ndarray:
        """The row's own indices, shape (m, 2).

        (i, f) coverage, (f, t) capacity, (i, t) workload, (p, t) balance, (t, -1) budget.
        """
        return self.milp.row_key

    @property
    def row_lower(self) -> np.ndarray:
        """Row lower bounds (``-inf`` for none)."""
        return self.milp.row_lower

    @property
    def row_upper(self) -> np.ndarray:
        """Row upper bounds (``inf`` for none)."""
        return self.milp.row_upper

    @property
    def n_cols(self) -> int:
        """Number of variables."""
        return self.milp.n_cols

    @property
    def n_rows(self) -> int:
        """Number of constraints."""
        return self.milp.n_rows

    @property
    def nnz(self) -> int:
        """Non-zeros of the constraint matrix."""
        return self.milp.nnz

    def rows_of(self, family: str) -> np.ndarray:
        """Row indices of one family."""
        return self.milp.rows_of(family)

    def to_columns(self, x: np.ndarray) -> np.ndarray:
        """The column vector of a 0/1 schedule cube ``x[i, f, t]``."""
        cols: np.ndarray = x[self.var_i, self.var_f, self.var_t].astype(float)
        return cols

    def to_cube(self, problem: PlanningProblem, cols: np.ndarray) -> np.ndarray:
        """The 0/1 schedule cube ``x[i, f, t]`` of a column vector."""
        x = np.zeros((problem.n_regions, problem.n_facilities, problem.n_years), dtype=bool)
        on = cols > 0.5
        x[self.var_i[on], self.var_f[on], self.var_t[on]] = True
        return x


# ----------------------------------------------------------------- variables
def define_build_variables(problem: PlanningProblem) -> ModelBuilder:
    """Variables ``x[region,facility,year]`` for every allowed assignment."""
    allowed = problem.allowed()
    ii, ff, tt = np.nonzero(allowed)
    value = problem.value()[ii, ff, tt] * OBJECTIVE_SCALE
    locked = problem.lock_year[ii, ff] == tt
    return ModelBuilder(
        problem,
        ii.astype(np.int64),
        ff.astype(np.int64),
        tt.astype(np.int64),
        lower=locked.astype(float),
        cost=value,
    )


def define_coverage_constraints(m: ModelBuilder, problem: PlanningProblem) -> None:
    """``coverage[region,facility]``: each pair at most once, exactly once when capacity allows."""
    n_fac = problem.n_facilities
    pair = m.var_i * n_fac + m.var_f
    uniq, local = np.unique(pair, return_inverse=True)
    fi = uniq % n_fac
    lower = np.where(problem.coverage_exact[fi], 1.0, -np.inf)
    names = [
        f"coverage[{problem.region_ids[p // n_fac]},{problem.facilities[p % n_fac]}]"
        for p in uniq.tolist()
    ]
    keys = np.stack([uniq // n_fac, fi], axis=1)
    m.add_rows(
        "coverage",
        local,
        np.arange(m.n_cols),
        np.ones(m.n_cols),
        lower,
        np.ones(uniq.size),
        keys,
        names,
    )


def define_capacity_constraints(m: ModelBuilder, problem: PlanningProblem) -> None:
    """``capacity[facility,year]``: the factory cadence (exact) and annual capacities (≤)."""
    n_years = problem.n_years
    cell = m.var_f * n_years + m.var_t
    uniq, local = np.unique(cell, return_inverse=True)
    fi, ti = uniq // n_years, uniq % n_years
    cap = problem.capacity[fi, ti].astype(float)
    lower = np.where(problem.capacity_exact[fi], cap, -np.inf)
    names = [
        f"capacity[{problem.facilities[f]},{problem.years[t]}]" for f, t in zip(fi, ti, strict=True)
    ]
    m.add_rows(
        "capacity",
        local,
        np.arange(m.n_cols),
        np.ones(m.n_cols),
        lower,
        cap,
        np.stack([fi, ti], axis=1),
        names,
    )


def define_workload_constraints(m: ModelBuilder, problem: PlanningProblem) -> None:
    """``workload[region,year]``: at most ``k`` projects (or the locked count, if larger)."""
    n_years = problem.n_years
    cell = m.var_i * n_years + m.var_t
    uniq, local, counts = np.unique(cell, return_inverse=True, return_counts=True)
    locked_counts = np.bincount(local, weights=m.lower, minlength=uniq.size)
    rhs = np.maximum(problem.workload, locked_counts)
    need = counts > rhs
    if not need.any():
        return
    renum = np.cumsum(need) - 1
    keep = need[local]
    sel = uniq[need]
    names = [
        f"workload[{problem.region_ids[c // n_years]},{problem.years[c % n_years]}]" for c in sel
    ]
    m.add_rows(
        "workload",
        renum[local[keep]],
        np.flatnonzero(keep),
        np.ones(int(keep.sum())),
        np.full(sel.size, -np.inf),
        rhs[need],
        np.stack([sel // n_years, sel % n_years], axis=1),
        names,
    )


def define_balance_constraints(m: ModelBuilder, problem: PlanningProblem) -> None:
    """``balance[province,year]``: cumulative factory count ≥ floor(share × total) − tol.

    In coverage mode "within budget" (``problem.balance_share`` set) the total
    is what is built: ``Σ_{c∈p,t'≤t} x − share_p · Σ_{c,t'≤t} x ≥ −tol``.
    """
    if problem.balance_share is not None:
        _relative_balance(m, problem)
        return
    floor = problem.balance_floor
    if floor is None:
        return
    n_years = problem.n_years
    pi, ti = np.nonzero(floor > 0)
    if pi.size == 0:
        return
    row_of = np.full(floor.shape, -1, dtype=np.int64)
    row_of[pi, ti] = np.arange(pi.size)
    fac = np.flatnonzero(m.var_f == problem.factory_index)
    prov = problem.province_of[m.var_i[fac]]
    # var (t') enters rows (p, t) for every t >= t'
    later = np.arange(n_years)[None, :] >= m.var_t[fac][:, None]
    rows = np.where(later, row_of[prov], -1)
    vi, tj = np.nonzero(rows >= 0)
    names = [
        f"balance[{_name(problem.provinces[p])},{problem.years[t]}]"
        for p, t in zip(pi, ti, strict=True)
    ]
    m.add_rows(
        "balance",
        rows[vi, tj],
        fac[vi],
        np.ones(vi.size),
        floor[pi, ti].astype(float),
        np.full(pi.size, np.inf),
        np.stack([pi, ti], axis=1),
        names,
    )


def _relative_balance(m: ModelBuilder, problem: PlanningProblem) -> None:
    share = problem.balance_share
    assert share is not None
    n_prov, n_years = len(problem.provinces), problem.n_years
    fac = np.flatnonzero(m.var_f == problem.factory_index)
    if fac.size == 0:
        return
    prov = problem.province_of[m.var_i[fac]]
    t0 = m.var_t[fac]
    # var (t') enters rows (p, t) for every province p and every t >= t'
    pp, tt, kk = np.meshgrid(
        np.arange(n_prov), np.arange(n_years), np.arange(fac.size), indexing="ij"
    )
    keep = tt >= t0[kk]
    pp, tt, kk = pp[keep], tt[keep], kk[keep]
    val = (prov[kk] == pp).astype(float) - share[pp]
    nz = val != 0
    names = [
        f"balance[{_name(problem.provinces[p])},{problem.years[t]}]"
        for p in range(n_prov)
        for t in range(n_years)
    ]
    m.add_rows(
        "balance",
        (pp * n_years + tt)[nz],
        fac[kk[nz]],
        val[nz],
        np.full(n_prov * n_years, -float(problem.balance_tolerance)),
        np.full(n_prov * n_years, np.inf),
        np.stack(np.meshgrid(np.arange(n_prov), np.arange(n_years), indexing="ij"), -1).reshape(
            -1, 2
        ),
        names,
    )


def define_budget_constraints(m: ModelBuilder, problem: PlanningProblem) -> None:
    """``budget[year]``: money paid in the year ≤ budget, for every year with a finite budget.

    With a cash flow (``problem.spend_share``) a project completing in year
    ``t`` pays ``cost · share[f, k]`` in year ``t − k``; without, its whole
    cost in ``t``.
    """
    finite = np.flatnonzero(np.isfinite(problem.budget))
    if finite.size == 0:
        return
    row_of = np.full(problem.n_years, -1, dtype=np.int64)
    row_of[finite] = np.arange(finite.size)
    share = problem.spend_profile()
    cost_all = problem.cost()[m.var_i, m.var_f, m.var_t]
    rows, cols, vals = [], [], []
    for k in range(share.shape[1]):
        pay_year = m.var_t - k
        amount = cost_all * share[m.var_f, k]
        ok = pay_year >= 0
        ok[ok] = row_of[pay_year[ok]] >= 0
        ok &= amount != 0
        sel = np.flatnonzero(ok)
        rows.append(row_of[pay_year[sel]])
        cols.append(sel)
        vals.append(amount[sel])
    names = [f"budget[{problem.years[t]}]" for t in finite]
    m.add_rows(
        "budget",
        np.concatenate(rows),
        np.concatenate(cols),
        np.concatenate(vals),
        np.full(finite.size, -np.inf),
        problem.budget[finite],
        np.stack([finite, np.full(finite.size, -1)], axis=1),
        names,
    )


def define_staff_constraints(m: ModelBuilder, problem: PlanningProblem) -> None:
    """``staff[province,year]``: doctors of the hospitals completed by the year ≤ trained by then.

    ``Σ_{c∈p, t'≤t} need_c · x[c,hospital,t'] ≤ supply[p,t]`` (issue 9: the
    hospital's lead time; ``supply`` grows with each province's training
    capacity after the training lag).
    """
    need, supply = problem.staff_need, problem.staff_supply
    if need is None or supply is None or "hospital" not in problem.facilities:
        return
    n_years = problem.n_years
    n_prov = len(problem.provinces)
    hosp = np.flatnonzero(m.var_f == problem.facilities.index("hospital"))
    if hosp.size == 0:
        return
    prov = problem.province_of[m.var_i[hosp]]
    later = np.arange(n_years)[None, :] >= m.var_t[hosp][:, None]
    vi, tj = np.nonzero(later)
    names = [
        f"staff[{_name(problem.provinces[p])},{problem.years[t]}]"
        for p in range(n_prov)
        for t in range(n_years)
    ]
    keys = np.stack(np.meshgrid(np.arange(n_prov), np.arange(n_years), indexing="ij"), -1)
    m.add_rows(
        "staff",
        prov[vi] * n_years + tj,
        hosp[vi],
        need[m.var_i[hosp[vi]]],
        np.full(n_prov * n_years, -np.inf),
        supply.reshape(-1).astype(float),
        keys.reshape(-1, 2),
        names,
    )


def define_construction_constraints(m: ModelBuilder, problem: PlanningProblem) -> None:
    """``construction[province,year]``: non-factory building sites in use ≤ the province's.

    A project completing in ``t`` occupies a site in every build year ``t − k``
    (``share[f, k] > 0``); ``Σ ≤ construction_sites[p]``.
    """
    sites = problem.construction_sites
    if sites is None:
        return
    n_years, n_prov = problem.n_years, len(problem.provinces)
    share = problem.spend_profile()
    other = np.flatnonzero(m.var_f != problem.factory_index)
    rows, cols = [], []
    for k in range(share.shape[1]):
        use = other[share[m.var_f[other], k] > 0]
        year = m.var_t[use] - k
        ok = year >= 0
        rows.append(problem.province_of[m.var_i[use[ok]]] * n_years + year[ok])
        cols.append(use[ok])
    r, c = np.concatenate(rows), np.concatenate(cols)
    if r.size == 0:
        return
    names = [
        f"construction[{_name(problem.provinces[p])},{problem.years[t]}]"
        for p in range(n_prov)
        for t in range(n_years)
    ]
    keys = np.stack(np.meshgrid(np.arange(n_prov), np.arange(n_years), indexing="ij"), -1)
    m.add_rows(
        "construction",
        r,
        c,
        np.ones(r.size),
        np.full(n_prov * n_years, -np.inf),
        np.repeat(sites.astype(float), n_years),
        keys.reshape(-1, 2),
        names,
    )


def define_materials_constraints(m: ModelBuilder, problem: PlanningProblem) -> None:
    """``materials[material,province,year]`` and ``materials[material,country,year]`` (issue 9).

    Tonnes of material ``m`` delivered to province ``p`` in year ``y`` (a project
    completing in ``t`` takes ``need · share[f, k]`` in ``y = t − k``) are at most
    ``S_pm · (1 + import_share)`` (own production plus what the province can bring
    in), and the whole country uses at most ``Σ_p S_pm``: a province above its own
    production imports the difference from provinces below theirs.  Because a
    transport problem with only these supplies and demands is feasible exactly when
    every province's import stays below its cap and the total below the national
    supply, no flow variable is needed (the model stays x-only and exactly solvable).

    Examples
    --------
    Hand-solved (``tests/unit/planning/test_planning_materials.py``): one year, three
    hospitals of 80 t of cement each, values a1 = 3, a2 = 2 (province A) and b = 1
    (province B); each province produces 100 t.  With ``import_share = 0.5`` a
    province takes at most 150 t (one project) and the country 200 t (two): the
    optimum is a1 + b = 4.  With ``import_share = 1.0`` A may take 200 t, so a1 + a2
    = 5 (B's cement goes to A); without the family all three, 6.
    """
    need = problem.material_need
    if need is None or problem.material_supply is None:
        return
    n_years, n_prov = problem.n_years, len(problem.provinces)
    n_mat = need.shape[2]
    limit, national = problem.material_limits()
    share = problem.spend_profile()
    prov = problem.province_of[m.var_i]
    rows, cols, vals = [], [], []
    per_mat = (n_prov + 1) * n_years  # provinces, then the country row, per material
    for k in range(share.shape[1]):
        year = m.var_t - k
        for mi in range(n_mat):
            amount = need[m.var_i, m.var_f, mi] * share[m.var_f, k]
            ok = np.flatnonzero((year >= 0) & (amount > 0))
            base = mi * per_mat
            rows += [base + prov[ok] * n_years + year[ok], base + n_prov * n_years + year[ok]]
            cols += [ok, ok]
            vals += [amount[ok], amount[ok]]
    r = np.concatenate(rows) if rows else np.zeros(0, np.int64)
    if r.size == 0:
        return
    places = [*(_name(p) for p in problem.provinces), "country"]
    names = [
        f"materials[{mat},{place},{year}]"
        for mat in problem.materials
        for place in places
        for year in problem.years
    ]
    upper = np.concatenate(
        [np.repeat(np.append(limit[mi], national[mi]), n_years) for mi in range(n_mat)]
    )
    keys = np.stack(
        [
            np.repeat(np.arange(n_mat * (n_prov + 1)), n_years),
            np.tile(np.arange(n_years), n_mat * (n_prov + 1)),
        ],
        axis=1,
    )
    m.add_rows(
        "materials",
        r,
        np.concatenate(cols),
        np.concatenate(vals),
        np.full(upper.size, -np.inf),
        upper,
        keys,
        names,
    )


def define_raw_materials_constraints(m: ModelBuilder, problem: PlanningProblem) -> None:
    """``raw_materials[region]``: Σ_{t < base year} x[region,factories,t] ≤ 0 (issue 9).

    ``problem.raw_base_year[i]`` is the first year index in which region ``i``'s
    raw-material base is ready (0: developed already).

    Examples
    --------
    Hand-solved (``tests/unit/planning/test_planning_materials.py``): two regions,
    one factory group a year over two years; A (value 3 per year of service) has no
    base yet, lag 1; B (value 1) has one.  Free: A first, 3·2 + 1·1 = 7; with the
    lag B must go first: 1·2 + 3·1 = 5.
    """
    base = problem.raw_base_year
    if base is None:
        return
    fac = np.flatnonzero((m.var_f == problem.factory_index) & (m.var_t < base[m.var_i]))
    late = np.flatnonzero(base > 0)
    if late.size == 0:
        return
    row_of = np.full(problem.n_regions, -1, dtype=np.int64)
    row_of[late] = np.arange(late.size)
    names = [f"raw_materials[{problem.region_ids[i]}]" for i in late.tolist()]
    m.add_rows(
        "raw_materials",
        row_of[m.var_i[fac]],
        fac,
        np.ones(fac.size),
        np.full(late.size, -np.inf),
        np.zeros(late.size),
        np.stack([late, np.full(late.size, -1)], axis=1),
        names,
    )


def define_units_constraints(m: ModelBuilder, problem: PlanningProblem) -> None:
    """``units[province,year]``: factory groups ≤ units based there + neighbours' (issue 9).

    A linear proxy for the routing of the construction units: ``unit_reach[p]``
    (see :func:`~regdev.planning.problem.unit_reach_by_province`) is what province
    ``p`` can start in one season; locked cohorts above it keep their count.

    Examples
    --------
    Hand-solved (``test_units_reach_hand_solved``): two provinces, A with regions a1
    (value 3 per year) and a2 (2), B with b (1); two factory groups a year over two
    years, reach 1 in A.  Free: a1 and a2 first, 3·2 + 2·2 + 1 = 11; with the limit
    one of A's goes in year 1 with b: a1 + b first, 3·2 + 1·2 + 2 = 10.
    """
    reach = problem.unit_reach
    if reach is None:
        return
    n_years, n_prov = problem.n_years, len(problem.provinces)
    fac = np.flatnonzero(m.var_f == problem.factory_index)
    prov = problem.province_of[m.var_i[fac]]
    locked = np.zeros((n_prov, n_years))
    li = np.flatnonzero(problem.lock_year[:, problem.factory_index] >= 0)
    np.add.at(locked, (problem.province_of[li], problem.lock_year[li, problem.factory_index]), 1)
    upper = np.maximum(reach[:, None].astype(float), locked)
    names = [
        f"units[{_name(problem.provinces[p])},{problem.years[t]}]"
        for p in range(n_prov)
        for t in range(n_years)
    ]
    keys = np.stack(np.meshgrid(np.arange(n_prov), np.arange(n_years), indexing="ij"), -1)
    m.add_rows(
        "units",
        prov * n_years + m.var_t[fac],
        fac,
        np.ones(fac.size),
        np.full(n_prov * n_years, -np.inf),
        upper.reshape(-1),
        keys.reshape(-1, 2),
        names,
    )


DEFINE_ORDER: tuple[Callable[[ModelBuilder, PlanningProblem], None], ...] = (
    define_coverage_constraints,
    define_capacity_constraints,
    define_workload_constraints,
    define_balance_constraints,
    define_budget_constraints,
    define_staff_constraints,
    define_construction_constraints,
    define_materials_constraints,
    define_raw_materials_constraints,
    define_units_constraints,
)


def build_model(
    problem: PlanningProblem,
    *,
    extra_constraints: Callable[[ModelBuilder, PlanningProblem], None] | None = None,
    skip: tuple[str, ...] = (),
) -> RolloutModel:
    """Build the MILP of ``problem``.

    Parameters
    ----------
    problem : PlanningProblem
    extra_constraints : callable, optional
        User hook ``(m, problem) -> None`` called after the standard families;
        add rows with :meth:`ModelBuilder.add_rows`.
    skip : tuple of str
        Families to leave out (used to diagnose infeasibility).

    Returns
    -------
    RolloutModel
    """
    m = define_build_variables(problem)
    for define in DEFINE_ORDER:
        family = define.__name__.removeprefix("define_").removesuffix("_constraints")
        if family not in skip:
            define(m, problem)
    if extra_constraints is not None:
        extra_constraints(m, problem)
    return _finish(m)


def _finish(m: ModelBuilder) -> RolloutModel:
    return RolloutModel(milp=m.build(), var_i=m.var_i, var_f=m.var_f, var_t=m.var_t)
