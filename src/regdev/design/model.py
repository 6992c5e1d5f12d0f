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

The model is built like the planner's: :func:`define_design_variables` adds
the six variable families to a :class:`regdev._milp.MatrixBuilder`, then one
``define_*_constraints`` function per constraint family adds its named rows
(:data:`DEFINE_ORDER`); :func:`build_model` runs them and assembles the matrix
once.  See ``docs/design-model.md`` for the derivation of each coefficient.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import highspy
import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from regdev._milp import MatrixBuilder, MilpModel, write_mps
from regdev.design.problem import DesignProblem, module_bound
from regdev.errors import InfeasibleSpecificationError

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

FAMILIES: tuple[str, ...] = ("balance", "raw", "capacity", "mes", "link", "minmod", "group")
"""Constraint families, in the order their rows appear."""

VARIABLES: tuple[str, ...] = ("y", "m", "x", "s", "e", "u")
"""Variable families, in the order their columns appear."""

MODEL_NAME = "regdev_factory_design"


class DesignBuilder(MatrixBuilder):
    """The design model under construction (the ``m`` passed to ``define_*`` functions).

    A :class:`regdev._milp.MatrixBuilder` plus the index of every column block.

    Attributes
    ----------
    pair_region, pair_line : ndarray of int
        Candidate pairs ``p = (i, l)`` (columns ``y``, ``m``, ``x``).
    ship_arc, ship_cat : ndarray of int
        Shipment columns ``s[a, c]``.
    ext_region, ext_cat : ndarray of int
        Central-supply columns ``e[i, c]``.
    imp_region, imp_res : ndarray of int
        Import columns ``u[i, r]``.
    module_bound : ndarray of float
        ``M[p]``, the most modules pair ``p`` may get.
    """

    def __init__(
        self,
        pair_region: IntArray,
        pair_line: IntArray,
        ship_arc: IntArray,
        ship_cat: IntArray,
        ext_region: IntArray,
        ext_cat: IntArray,
        imp_region: IntArray,
        imp_res: IntArray,
        module_bound: FloatArray,
    ) -> None:
        super().__init__(MODEL_NAME, sense="minimize", families=FAMILIES)
        self.pair_region = pair_region
        self.pair_line = pair_line
        self.ship_arc = ship_arc
        self.ship_cat = ship_cat
        self.ext_region = ext_region
        self.ext_cat = ext_cat
        self.imp_region = imp_region
        self.imp_res = imp_res
        self.module_bound = module_bound

    def first(self, family: str) -> int:
        """First column of a variable family."""
        return self.col_blocks[family][0]


@dataclass(frozen=True, eq=False)
class DesignModel:
    """The assembled MILP plus the index maps of every block.

    Attributes
    ----------
    milp : regdev._milp.MilpModel
        The model (column-wise CSC matrix, integrality, row and column names).
    pair_region, pair_line : ndarray of int
        Candidate pairs ``p = (i, l)``.
    ship_arc, ship_cat : ndarray of int
        Shipment columns ``(a, c)``.
    ext_region, ext_cat : ndarray of int
        Central-supply columns ``(i, c)``.
    imp_region, imp_res : ndarray of int
        Import columns ``(i, r)``.
    build_time_s : float
    """

    milp: MilpModel
    pair_region: IntArray
    pair_line: IntArray
    ship_arc: IntArray
    ship_cat: IntArray
    ext_region: IntArray
    ext_cat: IntArray
    imp_region: IntArray
    imp_res: IntArray
    build_time_s: float

    @property
    def lp(self) -> highspy.HighsLp:
        """The HiGHS model."""
        return self.milp.lp

    @property
    def offsets(self) -> dict[str, int]:
        """First column of each block ``y, m, x, s, e, u`` and ``n_cols``."""
        out = {name: self.milp.col_blocks[name][0] for name in VARIABLES}
        out["n_cols"] = self.milp.n_cols
        return out

    @property
    def n_cols(self) -> int:
        """Number of variables."""
        return self.milp.n_cols

    @property
    def n_rows(self) -> int:
        """Number of constraints."""
        return self.milp.n_rows

    @property
    def n_integer(self) -> int:
        """Number of binary and integer variables."""
        return self.milp.n_integer

    def write_mps(self, path: str | Path) -> Path:
        """Write the model in MPS format (atomically) and return the path."""
        return write_mps(self.milp, path)


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


# ------------------------------------------------------------------ variables
def define_design_variables(problem: DesignProblem) -> DesignBuilder:
    """The six variable families ``y, m, x`` (per candidate pair), ``s``, ``e``, ``u``.

    Bounds: ``y ≤ 1``, ``m ≤ M``, ``x ≤ M·size``; a forced line has ``y ≥ 1``;
    a what-if holding the other counties fixes their ``m`` and ``y``; central
    supply ``e ≤ (1 − θ)·D`` for basic categories (else ``≤ D``).
    """
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
    pcat = p.line_category[pl]

    # shipments: from regions that can make the category
    can_make = np.zeros((n, n_c), dtype=bool)
    can_make[pr, pcat] = True
    if len(p.arc_from):
        sa, sc = np.nonzero(can_make[p.arc_from])
    else:
        sa = sc = np.zeros(0, dtype=np.int64)
    sa = sa.astype(np.int64)
    sc = sc.astype(np.int64)

    er, ec = np.nonzero(p.demand > 0)
    er = er.astype(np.int64)
    ec = ec.astype(np.int64)

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

    m = DesignBuilder(pr, pl, sa, sc, er, ec, ur, ures, mb)
    y_lo, y_hi = np.zeros(n_p), np.ones(n_p)
    m_lo, m_hi = np.zeros(n_p), mb.copy()
    for (i, k), value in fixed.items():
        hit = np.flatnonzero((pr == i) & (pl == k))
        if hit.size:
            if value:
                y_lo[int(hit[0])] = 1.0
            else:
                y_hi[int(hit[0])] = 0.0
    held = p.metadata.get("hold_modules")
    if held is not None:  # what-if: every other county keeps its modules
        hm = np.asarray(held)[pr, pl]
        keep = np.flatnonzero(hm >= 0)
        m_lo[keep] = hm[keep]
        m_hi[keep] = hm[keep]
        y_lo[keep] = (hm[keep] > 0).astype(float)
        y_hi[keep] = (hm[keep] > 0).astype(float)
    rid, lid = p.region_ids, p.line_ids
    pair_names = [f"{rid[i]},{lid[k]}" for i, k in zip(pr, pl, strict=True)]
    m.add_columns(
        "y",
        lower=y_lo,
        upper=y_hi,
        cost=-p.bonus[pr, pl],
        integer=True,
        names=[f"y[{nm}]" for nm in pair_names],
    )
    m.add_columns(
        "m",
        lower=m_lo,
        upper=m_hi,
        cost=p.module_cost[pr, pl],
        integer=True,
        names=[f"m[{nm}]" for nm in pair_names],
    )
    m.add_columns(
        "x",
        lower=np.zeros(n_p),
        upper=mb * size,
        cost=p.unit_cost[pl],
        integer=False,
        names=[f"x[{nm}]" for nm in pair_names],
    )
    m.add_columns(
        "s",
        lower=np.zeros(sa.size),
        upper=np.full(sa.size, np.inf),
        cost=p.cost_per_tkm * p.arc_km[sa] * p.tonnes_per_unit[sc],
        integer=False,
        names=[
            f"s[{rid[p.arc_from[a]]}>{rid[p.arc_to[a]]},{p.categories[c]}]"
            for a, c in zip(sa, sc, strict=True)
        ],
    )
    d_e = p.demand[er, ec]
    m.add_columns(
        "e",
        lower=np.zeros(er.size),
        upper=np.where(p.category_basic[ec], (1.0 - p.coverage_target) * d_e, d_e),
        cost=p.external_cost[er, ec],
        integer=False,
        names=[f"e[{rid[i]},{p.categories[c]}]" for i, c in zip(er, ec, strict=True)],
    )
    m.add_columns(
        "u",
        lower=np.zeros(ur.size),
        upper=np.full(ur.size, np.inf),
        cost=p.cost_per_tkm * p.import_km[ur, ures],
        integer=False,
        names=[f"u[{rid[i]},{p.resources[r]}]" for i, r in zip(ur, ures, strict=True)],
    )
    return m


# ---------------------------------------------------------------- constraints
def define_balance_constraints(m: DesignBuilder, problem: DesignProblem) -> None:
    """``balance[i,c]``: own output − shipped out + shipped in + central supply ≥ demand."""
    p = problem
    n, n_c = p.n_regions, len(p.categories)
    er, ec = m.ext_region, m.ext_cat
    n_e, n_p, n_s = er.size, m.pair_region.size, m.ship_arc.size
    ox, os_, oe = m.first("x"), m.first("s"), m.first("e")
    bal_id = -np.ones((n, n_c), dtype=np.int64)
    bal_id[er, ec] = np.arange(n_e)
    pcat = p.line_category[m.pair_line]
    has_row = bal_id[m.pair_region, pcat] >= 0
    rows = [bal_id[m.pair_region, pcat][has_row]]
    cols = [ox + np.arange(n_p)[has_row]]
    vals = [np.ones(int(has_row.sum()))]
    if n_s:
        fr = bal_id[p.arc_from[m.ship_arc], m.ship_cat]
        to = bal_id[p.arc_to[m.ship_arc], m.ship_cat]
        ok = fr >= 0
        rows.append(fr[ok])
        cols.append(os_ + np.arange(n_s)[ok])
        vals.append(-np.ones(int(ok.sum())))
        ok = to >= 0
        rows.append(to[ok])
        cols.append(os_ + np.arange(n_s)[ok])
        vals.append(np.ones(int(ok.sum())))
    rows.append(np.arange(n_e))
    cols.append(oe + np.arange(n_e))
    vals.append(np.ones(n_e))
    m.add_rows(
        "balance",
        np.concatenate(rows),
        np.concatenate(cols),
        np.concatenate(vals),
        p.demand[er, ec],
        np.full(n_e, np.inf),
        np.stack([er, ec], axis=1),
        [f"balance[{p.region_ids[i]},{p.categories[c]}]" for i, c in zip(er, ec, strict=True)],
    )


def define_raw_constraints(m: DesignBuilder, problem: DesignProblem) -> None:
    """``raw[i,r]``: raw material the lines use − imports ≤ local supply."""
    p = problem
    ur, ures = m.imp_region, m.imp_res
    n_u = ur.size
    raw_id = -np.ones((p.n_regions, len(p.resources)), dtype=np.int64)
    raw_id[ur, ures] = np.arange(n_u)
    a_pr = p.inputs[m.pair_line]  # (n_p, R)
    ip, rr = np.nonzero(a_pr > 0)
    m.add_rows(
        "raw",
        np.concatenate([raw_id[m.pair_region[ip], rr], np.arange(n_u)]),
        np.concatenate([m.first("x") + ip.astype(np.int64), m.first("u") + np.arange(n_u)]),
        np.concatenate([a_pr[ip, rr], -np.ones(n_u)]),
        np.full(n_u, -np.inf),
        p.supply[ur, ures],
        np.stack([ur, ures], axis=1),
        [f"raw[{p.region_ids[i]},{p.resources[r]}]" for i, r in zip(ur, ures, strict=True)],
    )


def _pair_rows(
    m: DesignBuilder,
    problem: DesignProblem,
    family: str,
    first: tuple[str, float | FloatArray],
    second: tuple[str, FloatArray],
    lower: float,
    upper: float,
) -> None:
    """One row per candidate pair: ``a·first[p] + b·second[p]`` within ``[lower, upper]``."""
    n_p = m.pair_region.size
    idx = np.arange(n_p)
    (f1, c1), (f2, c2) = first, second
    names = [
        f"{family}[{problem.region_ids[i]},{problem.line_ids[k]}]"
        for i, k in zip(m.pair_region, m.pair_line, strict=True)
    ]
    m.add_rows(
        family,
        np.concatenate([idx, idx]),
        np.concatenate([m.first(f1) + idx, m.first(f2) + idx]),
        np.concatenate([np.broadcast_to(np.asarray(c1, dtype=float), (n_p,)), c2]),
        np.full(n_p, lower),
        np.full(n_p, upper),
        np.stack([m.pair_region, m.pair_line], axis=1),
        names,
    )


def define_capacity_constraints(m: DesignBuilder, problem: DesignProblem) -> None:
    """``capacity[i,l]``: output ≤ modules × module size (``x − size·m ≤ 0``)."""
    size = problem.module_size[m.pair_line]
    _pair_rows(m, problem, "capacity", ("x", 1.0), ("m", -size), -np.inf, 0.0)


def define_mes_constraints(m: DesignBuilder, problem: DesignProblem) -> None:
    """``mes[i,l]``: an open line makes at least its minimum efficient scale (``x − mes·y ≥ 0``)."""
    mes = problem.mes[m.pair_line]
    _pair_rows(m, problem, "mes", ("x", 1.0), ("y", -mes), 0.0, np.inf)


def define_link_constraints(m: DesignBuilder, problem: DesignProblem) -> None:
    """``link[i,l]``: modules only on an open line (``m − M·y ≤ 0``)."""
    _pair_rows(m, problem, "link", ("m", 1.0), ("y", -m.module_bound), -np.inf, 0.0)


def define_minmod_constraints(m: DesignBuilder, problem: DesignProblem) -> None:
    """``minmod[i,l]``: ``m − ceil(mes/size)·y ≥ 0``.

    A valid inequality: an open line has whole modules for its minimum
    efficient scale; it tightens the LP relaxation a lot.
    """
    ratio = problem.mes[m.pair_line] / problem.module_size[m.pair_line]
    _pair_rows(m, problem, "minmod", ("m", 1.0), ("y", -np.ceil(ratio - 1e-9)), 0.0, np.inf)


def define_group_constraints(m: DesignBuilder, problem: DesignProblem) -> None:
    """``group[i,g]``: every region opens at least one line of every standard group.

    Raises
    ------
    InfeasibleSpecificationError
        When a region has no candidate line in a standard group.
    """
    p = problem
    n = p.n_regions
    pr, pl = m.pair_region, m.pair_line
    groups = np.array(p.line_groups)
    oy = m.first("y")
    for g_pos, g in enumerate(p.standard_groups):
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
        m.add_rows(
            "group",
            pr[in_g],
            oy + np.flatnonzero(in_g).astype(np.int64),
            np.ones(int(in_g.sum())),
            np.ones(n),
            np.full(n, np.inf),
            np.stack([np.arange(n), np.full(n, g_pos)], axis=1),
            [f"group[{r},{g}]" for r in p.region_ids],
        )


DEFINE_ORDER: tuple[Callable[[DesignBuilder, DesignProblem], None], ...] = (
    define_balance_constraints,
    define_raw_constraints,
    define_capacity_constraints,
    define_mes_constraints,
    define_link_constraints,
    define_minmod_constraints,
    define_group_constraints,
)
"""The constraint families, in row order (one ``define_*`` function each)."""


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
    m = define_design_variables(problem)
    for define in DEFINE_ORDER:
        define(m, problem)
    return DesignModel(
        milp=m.build(),
        pair_region=m.pair_region,
        pair_line=m.pair_line,
        ship_arc=m.ship_arc,
        ship_cat=m.ship_cat,
        ext_region=m.ext_region,
        ext_cat=m.ext_cat,
        imp_region=m.imp_region,
        imp_res=m.imp_res,
        build_time_s=time.perf_counter() - t0,
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
