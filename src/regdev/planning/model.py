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

Objective (maximised): Σ value[i,f,t] · x with
``value = benefit · tier_benefit · e_i · (last_year − year + 1)``.

The matrix is assembled once in COO form with numpy (no Python loop over
variables) and handed to HiGHS as a column-wise :class:`highspy.HighsLp`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import highspy
import numpy as np
import scipy.sparse as sp

from regdev.planning.problem import PlanningProblem

FAMILIES: tuple[str, ...] = ("coverage", "capacity", "workload", "balance", "budget", "user")
"""Constraint families; ``user`` holds the rows of an ``extra_constraints`` hook."""

OBJECTIVE_SCALE = 1e-6
"""The objective is stated in millions of equity-weighted benefit-years (well scaled for HiGHS)."""


def _name(text: str) -> str:
    return "_".join(str(text).split())


@dataclass
class ModelBuilder:
    """Rows collected family by family (the ``m`` passed to ``define_*`` functions).

    Attributes
    ----------
    var_i, var_f, var_t : numpy.ndarray
        Region, facility and year index of every column.
    lower, upper, cost : numpy.ndarray
        Column bounds and objective coefficients.
    """

    problem: PlanningProblem
    var_i: np.ndarray
    var_f: np.ndarray
    var_t: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    cost: np.ndarray
    rows: list[np.ndarray] = field(default_factory=list)
    cols: list[np.ndarray] = field(default_factory=list)
    vals: list[np.ndarray] = field(default_factory=list)
    row_lower: list[np.ndarray] = field(default_factory=list)
    row_upper: list[np.ndarray] = field(default_factory=list)
    row_family: list[np.ndarray] = field(default_factory=list)
    row_key: list[np.ndarray] = field(default_factory=list)
    row_names: list[str] = field(default_factory=list)
    n_rows: int = 0

    @property
    def n_cols(self) -> int:
        """Number of variables."""
        return int(self.var_i.size)

    def add_rows(
        self,
        family: str,
        local_row: np.ndarray,
        col: np.ndarray,
        val: np.ndarray,
        lower: np.ndarray,
        upper: np.ndarray,
        keys: np.ndarray,
        names: list[str],
    ) -> None:
        """Append a block of rows (``local_row`` indexes ``lower``/``upper``/``keys``).

        Parameters
        ----------
        family : str
            One of :data:`FAMILIES` (hooks use ``"user"``).
        local_row, col, val : numpy.ndarray
            Matrix entries: row (0-based within this block), column, coefficient.
        lower, upper : numpy.ndarray
            Row bounds (``±inf`` for none).
        keys : numpy.ndarray
            Up to two integer indices per row (kept for explanations).
        names : list of str
            Row names (no spaces; they appear in ``model.mps``).
        """
        n = len(lower)
        if n == 0:
            return
        self.rows.append(local_row.astype(np.int64) + self.n_rows)
        self.cols.append(col.astype(np.int64))
        self.vals.append(val.astype(float))
        self.row_lower.append(np.asarray(lower, dtype=float))
        self.row_upper.append(np.asarray(upper, dtype=float))
        self.row_family.append(np.full(n, FAMILIES.index(family), dtype=np.int8))
        self.row_key.append(np.asarray(keys, dtype=np.int64).reshape(n, -1)[:, :2])
        self.row_names.extend(names)
        self.n_rows += n


@dataclass(frozen=True, eq=False)
class RolloutModel:
    """A built model: the HiGHS LP plus the index arrays to read a solution back.

    Attributes
    ----------
    lp : highspy.HighsLp
        The MILP (sense maximise, integrality set, names set).
    var_i, var_f, var_t : numpy.ndarray
        Index of every column.
    row_family : numpy.ndarray of int8
        Family of every row (index into :data:`FAMILIES`).
    row_key : numpy.ndarray, shape (m, 2)
        The row's own indices: (i, f) coverage, (f, t) capacity, (i, t)
        workload, (p, t) balance, (t, -) budget.
    matrix : scipy.sparse.csr_matrix
        The constraint matrix (rows × columns).
    """

    lp: highspy.HighsLp
    var_i: np.ndarray
    var_f: np.ndarray
    var_t: np.ndarray
    row_family: np.ndarray
    row_key: np.ndarray
    row_lower: np.ndarray
    row_upper: np.ndarray
    matrix: sp.csr_matrix
    objective: np.ndarray

    @property
    def n_cols(self) -> int:
        """Number of variables."""
        return int(self.var_i.size)

    @property
    def n_rows(self) -> int:
        """Number of constraints."""
        return int(self.row_family.size)

    @property
    def nnz(self) -> int:
        """Non-zeros of the constraint matrix."""
        return int(self.matrix.nnz)

    def rows_of(self, family: str) -> np.ndarray:
        """Row indices of one family."""
        return np.flatnonzero(self.row_family == FAMILIES.index(family))


# ----------------------------------------------------------------- variables
def define_build_variables(problem: PlanningProblem) -> ModelBuilder:
    """Variables ``x[region,facility,year]`` for every allowed assignment."""
    allowed = problem.allowed()
    ii, ff, tt = np.nonzero(allowed)
    value = problem.value()[ii, ff, tt] * OBJECTIVE_SCALE
    locked = problem.lock_year[ii, ff] == tt
    return ModelBuilder(
        problem=problem,
        var_i=ii.astype(np.int64),
        var_f=ff.astype(np.int64),
        var_t=tt.astype(np.int64),
        lower=locked.astype(float),
        upper=np.ones(ii.size),
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
    """``balance[province,year]``: cumulative factory count ≥ floor(share × total) − tol."""
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


def define_budget_constraints(m: ModelBuilder, problem: PlanningProblem) -> None:
    """``budget[year]``: Σ cost · x ≤ budget for every year with a finite budget."""
    finite = np.flatnonzero(np.isfinite(problem.budget))
    if finite.size == 0:
        return
    row_of = np.full(problem.n_years, -1, dtype=np.int64)
    row_of[finite] = np.arange(finite.size)
    sel = np.flatnonzero(row_of[m.var_t] >= 0)
    cost = problem.cost()[m.var_i[sel], m.var_f[sel], m.var_t[sel]]
    names = [f"budget[{problem.years[t]}]" for t in finite]
    m.add_rows(
        "budget",
        row_of[m.var_t[sel]],
        sel,
        cost,
        np.full(finite.size, -np.inf),
        problem.budget[finite],
        np.stack([finite, np.full(finite.size, -1)], axis=1),
        names,
    )


DEFINE_ORDER: tuple[Callable[[ModelBuilder, PlanningProblem], None], ...] = (
    define_coverage_constraints,
    define_capacity_constraints,
    define_workload_constraints,
    define_balance_constraints,
    define_budget_constraints,
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
    return _finish(m, problem)


def _finish(m: ModelBuilder, problem: PlanningProblem) -> RolloutModel:
    n_cols = m.n_cols
    if m.rows:
        rows = np.concatenate(m.rows)
        cols = np.concatenate(m.cols)
        vals = np.concatenate(m.vals)
        row_lower = np.concatenate(m.row_lower)
        row_upper = np.concatenate(m.row_upper)
        row_family = np.concatenate(m.row_family)
        row_key = np.concatenate(m.row_key)
    else:
        rows = cols = np.zeros(0, np.int64)
        vals = row_lower = row_upper = np.zeros(0)
        row_family = np.zeros(0, np.int8)
        row_key = np.zeros((0, 2), np.int64)
    csc = sp.csc_matrix((vals, (rows, cols)), shape=(m.n_rows, n_cols))
    csc.sum_duplicates()
    csc.sort_indices()
    inf = highspy.kHighsInf
    lp = highspy.HighsLp()
    lp.num_col_ = n_cols
    lp.num_row_ = m.n_rows
    lp.col_cost_ = m.cost.astype(float)
    lp.col_lower_ = m.lower.astype(float)
    lp.col_upper_ = m.upper.astype(float)
    lp.row_lower_ = np.where(np.isfinite(row_lower), row_lower, -inf)
    lp.row_upper_ = np.where(np.isfinite(row_upper), row_upper, inf)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = csc.indptr.astype(np.int32)
    lp.a_matrix_.index_ = csc.indices.astype(np.int32)
    lp.a_matrix_.value_ = csc.data.astype(float)
    lp.a_matrix_.num_col_ = n_cols
    lp.a_matrix_.num_row_ = m.n_rows
    lp.sense_ = highspy.ObjSense.kMaximize
    lp.integrality_ = [highspy.HighsVarType.kInteger] * n_cols
    lp.model_name_ = "regdev_rollout"
    ids, facs, yrs = problem.region_ids, problem.facilities, problem.years
    lp.col_names_ = [
        f"x[{ids[i]},{facs[f]},{yrs[t]}]"
        for i, f, t in zip(m.var_i.tolist(), m.var_f.tolist(), m.var_t.tolist(), strict=True)
    ]
    lp.row_names_ = list(m.row_names)
    return RolloutModel(
        lp=lp,
        var_i=m.var_i,
        var_f=m.var_f,
        var_t=m.var_t,
        row_family=row_family,
        row_key=row_key,
        row_lower=row_lower,
        row_upper=row_upper,
        matrix=csc.tocsr(),
        objective=m.cost.astype(float),
    )
