"""Explanations: per-region dossiers, binding constraint families, cost of moving earlier.

A constraint family *binds for a region* when a tight row of that family
stands between the region and an earlier project:

``capacity``  the type's capacity is full in an earlier year the region could have used;
``workload``  the region's own workload is full in such an earlier year;
``budget``    the budget of such an earlier year cannot take the project;
``balance``   its province sits exactly at its balance floor in a year at or after
              the region's factory year (the project is needed for the floor);
``lock``      the project is locked (history or scenario).

The *cost of moving the factory one year earlier* is the drop in the optimal
objective when the region's factory project is forced into the year before
its planned one (a re-solve with that assignment locked).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import highspy
import numpy as np

from regdev.errors import InfeasibleSpecificationError, InternalError, NotFoundError
from regdev.planning.model import FAMILIES, RolloutModel, build_model
from regdev.planning.plan import Plan
from regdev.planning.problem import PlanningProblem
from regdev.planning.solve import SolverOptions

DOSSIER_FAMILIES: tuple[str, ...] = ("capacity", "balance", "budget", "workload", "lock")


def tight_rows(plan: Plan) -> dict[str, np.ndarray]:
    """Boolean mask of tight rows per family at the plan's solution."""
    model = plan.model
    if model is None:
        return {}
    x = plan.solution(allow_feasible=True)
    cols = x[model.var_i, model.var_f, model.var_t].astype(float)
    act = model.matrix @ cols
    tight = np.zeros(model.n_rows, dtype=bool)
    upper_tight = np.isfinite(model.row_upper) & (act >= model.row_upper - 0.5)
    lower_tight = np.isfinite(model.row_lower) & (act <= model.row_lower + 0.5)
    bud = model.rows_of("budget")
    if bud.size:
        # a budget row is tight when the cheapest project of that year no longer fits
        cost = plan.problem.cost()
        t = model.row_key[bud, 0]
        cheapest = np.array([cost[:, :, k][plan.problem.eligible].min() for k in t.tolist()])
        upper_tight[bud] = model.row_upper[bud] - act[bud] < cheapest
    tight = upper_tight | lower_tight
    families = model.milp.families
    return {
        fam: tight & (model.row_family == families.index(fam))
        if fam in families
        else np.zeros(model.n_rows, dtype=bool)
        for fam in dict.fromkeys((*FAMILIES, *families))
    }


def binding_families(plan: Plan) -> list[dict[str, list[str]]]:
    """For every region, the families binding for each of its projects (see module docs)."""
    p = plan.problem
    model = plan.model
    yi = plan.year_index(allow_feasible=True)
    out: list[dict[str, list[str]]] = [{} for _ in range(p.n_regions)]
    if model is None:
        return out
    tight = tight_rows(plan)
    n_years = p.n_years
    cap_tight = np.zeros((p.n_facilities, n_years), dtype=bool)
    r = np.flatnonzero(tight["capacity"])
    cap_tight[model.row_key[r, 0], model.row_key[r, 1]] = True
    work_tight = np.zeros((p.n_regions, n_years), dtype=bool)
    r = np.flatnonzero(tight["workload"])
    work_tight[model.row_key[r, 0], model.row_key[r, 1]] = True
    # budget: the slack of every budgeted year, compared with the project's own cost there
    # ("the budget of such an earlier year cannot take the project")
    slack = np.full(n_years, np.inf)
    r = model.rows_of("budget")
    if r.size:
        x = plan.solution(allow_feasible=True)
        cols = x[model.var_i, model.var_f, model.var_t].astype(float)
        act = model.matrix[r] @ cols
        slack[model.row_key[r, 0]] = model.row_upper[r] - act
    cost = p.cost()
    share = p.spend_profile()
    bal_tight = np.zeros((len(p.provinces), n_years), dtype=bool)
    r = np.flatnonzero(tight["balance"])
    bal_tight[model.row_key[r, 0], model.row_key[r, 1]] = True
    allowed = p.allowed()
    fi = p.factory_index
    for i in range(p.n_regions):
        for f in range(p.n_facilities):
            t = int(yi[i, f])
            if t < 0:
                continue
            fams: list[str] = []
            if p.lock_year[i, f] == t:
                fams.append("lock")
            else:
                earlier = np.flatnonzero(allowed[i, f, :t])
                if cap_tight[f, earlier].any():
                    fams.append("capacity")
                if work_tight[i, earlier].any():
                    fams.append("workload")
                if _budget_blocks(slack, cost[i, f], share[f], earlier):
                    fams.append("budget")
            if f == fi and bal_tight[p.province_of[i], t:].any():
                fams.append("balance")
            out[i][p.facilities[f]] = sorted(fams, key=DOSSIER_FAMILIES.index)
    return out


class MoveEarlierBounds:
    """Cheap move-earlier costs: a warm-started LP bound and a one-swap schedule.

    For region ``i`` whose factories are planned in year ``t``, the forced
    problem (factories in ``t − 1``) is the plan's model with the column
    ``x[i, factories, t−1]`` fixed to 1.  Its optimum ``OPT'`` satisfies

    * ``OPT' ≤ LP'``: the LP relaxation of the forced problem, re-solved by
      the dual simplex from the optimal basis of the plan's own LP after
      changing one column bound (a few pivots instead of a new model);
    * ``OPT' ≥ S``: the objective of the best one-swap schedule (region ``i``
      swapped with a region of year ``t − 1``, checked against every row) or,
      when the forced LP optimum is integral, ``LP'`` itself.

    Hence the true cost ``OPT − OPT'`` lies in
    ``[objective − LP', bound − S]`` (``objective ≤ OPT ≤ bound`` of the
    plan).  When ``LP' − S`` is within the plan's relative gap tolerance
    the cost is settled (status ``optimal``, method ``lp-bound``) —
    the same guarantee as a full re-solve at that tolerance; otherwise
    :func:`move_earlier_cost` falls back to the full re-solve.
    """

    def __init__(self, plan: Plan) -> None:
        from regdev._milp.highs import new_highs

        model = plan.model
        if model is None:
            msg = "MoveEarlierBounds needs the plan's model (a solved plan, not one read back)"
            raise InternalError(msg)
        self.plan = plan
        self.model = model
        h = new_highs()
        h.setOptionValue("random_seed", 0)
        threads = plan.solver.get("threads")
        if threads:
            h.setOptionValue("threads", int(threads))
        h.passModel(model.lp)
        n = model.n_cols
        h.changeColsIntegrality(  # the relaxation (the shared model is left as it is)
            n, np.arange(n, dtype=np.int32), np.zeros(n, dtype=np.uint8)
        )
        h.run()
        self.h = h
        self.ok = h.getModelStatus() == highspy.HighsModelStatus.kOptimal
        keys = model.var_i * (plan.problem.n_facilities * plan.problem.n_years)
        keys = keys + model.var_f * plan.problem.n_years + model.var_t
        self._col = dict(zip(keys.tolist(), range(model.n_cols), strict=True))
        self.lower = model.milp.col_lower.copy()
        self.upper = model.milp.col_upper.copy()
        self.tol = float(plan.solver.get("mip_rel_gap", 1e-6))

    def column(self, i: int, f: int, t: int) -> int | None:
        """The column of ``x[i, f, t]`` in the plan's model, or ``None``."""
        p = self.plan.problem
        return self._col.get((i * p.n_facilities + f) * p.n_years + t)

    def forced_lp(self, col: int) -> tuple[float, bool] | None:
        """LP optimum with column ``col`` fixed to 1 and whether its solution is integral."""
        h = self.h
        h.changeColBounds(col, 1.0, 1.0)
        try:
            h.run()
            if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
                return None
            value = float(h.getInfo().objective_function_value)
            x = np.asarray(h.getSolution().col_value)
            integral = bool(np.all(np.abs(x - np.round(x)) <= 1e-9))
        finally:
            h.changeColBounds(col, float(self.lower[col]), float(self.upper[col]))
        return value, integral

    def cost(self, i: int, t: int) -> dict[str, Any] | None:
        """Settled move-earlier cost of region ``i`` from ``t`` to ``t−1``, or ``None``."""
        from regdev.planning.greedy import objective_of

        plan, p = self.plan, self.plan.problem
        fi = p.factory_index
        col = self.column(i, fi, t - 1)
        if not self.ok or col is None:
            return None
        # the forced problem raises a workload row only above k locked projects: not modelled here
        locked_there = int((p.lock_year[i] == t - 1).sum())
        if locked_there + 1 > p.workload:
            return None
        got = self.forced_lp(col)
        if got is None:
            return None
        lp_value, integral = got
        if integral:
            best = lp_value
        else:
            start = _swap_start(plan, p, self.model, i, t)
            if start is None:
                return None
            best = objective_of(p, start)
        if lp_value - best > self.tol * max(abs(plan.objective), 1.0):
            return None
        cost = max(plan.objective - best, 0.0)
        low = max(plan.objective - lp_value, 0.0)
        high = plan.bound - best if np.isfinite(plan.bound) else cost
        return {
            "feasible": True,
            "cost": round(cost, 6),
            "cost_bounds": [round(low, 6), round(max(high, cost), 6)],
            "cost_share": round(cost / plan.objective, 9) if plan.objective else None,
            "status": "optimal",
            "method": "lp-bound",
        }


def _budget_blocks(
    slack: np.ndarray, cost: np.ndarray, share: np.ndarray, years: np.ndarray
) -> bool:
    """Whether some year of ``years`` cannot pay the project (with its cash flow)."""
    for t in years.tolist():
        for k in np.flatnonzero(share > 0).tolist():
            s = t - k
            if s >= 0 and slack[s] < cost[t] * share[k] - 1e-9:
                return True
    return False


def move_earlier_cost(
    plan: Plan,
    region: str,
    options: SolverOptions | None = None,
    *,
    bounds: MoveEarlierBounds | None = None,
) -> dict[str, Any]:
    """Objective cost of moving a region's factory project one year earlier.

    Parameters
    ----------
    plan : Plan
        An optimal plan.
    region : str
        Region id.
    options : SolverOptions, optional
        For the re-solve (default: the plan's own time limit and gap).
    bounds : MoveEarlierBounds, optional
        The warm-started LP of the plan (shared between regions).  When given
        and it settles the cost (see :class:`MoveEarlierBounds`), nothing is
        re-solved; otherwise the full re-solve runs.

    Returns
    -------
    dict
        ``from_year``, ``to_year``, ``feasible`` and, when feasible, ``cost``
        (objective drop, plan units), ``cost_bounds`` (the interval the true
        cost lies in, from both solves' bounds and gaps), ``cost_share`` (of
        the objective), ``status`` and ``method`` (``lp-bound`` or
        ``re-solve``); otherwise ``reason``.
    """
    from regdev.planning.rollout import plan_rollout

    p = plan.problem
    if region not in p.region_ids:
        msg = f"unknown programme region {region!r}"
        raise NotFoundError(msg)
    i = p.region_ids.index(region)
    fi = p.factory_index
    t = int(plan.year_index(allow_feasible=True)[i, fi])
    out: dict[str, Any] = {"from_year": None if t < 0 else p.years[t]}
    if t < 0:
        return {**out, "to_year": None, "feasible": False, "reason": "no factory project planned"}
    if t == 0:
        return {**out, "to_year": None, "feasible": False, "reason": "already in the first year"}
    if p.lock_year[i, fi] == t:
        return {
            **out,
            "to_year": p.years[t - 1],
            "feasible": False,
            "reason": "locked (real cohort or scenario lock)",
        }
    if bounds is not None:
        settled = bounds.cost(i, t)
        if settled is not None:
            return {**out, "to_year": p.years[t - 1], **settled}
    lock = p.lock_year.copy()
    lock[i, fi] = t - 1
    src = p.lock_source.copy()
    src[i, fi] = "explain"
    forced = dataclasses.replace(p, lock_year=lock, lock_source=src)
    out["to_year"] = p.years[t - 1]
    opts = options or SolverOptions(
        time_limit=float(plan.solver.get("time_limit", 60.0)),
        mip_rel_gap=float(plan.solver.get("mip_rel_gap", 1e-6)),
        threads=plan.solver.get("threads"),
    )
    model = build_model(forced)
    try:
        alt = plan_rollout(
            forced,
            options=opts,
            greedy_start=False,
            start=_swap_start(plan, forced, model, i, t),
            model=model,
        )
    except InfeasibleSpecificationError as exc:
        return {**out, "feasible": False, "reason": str(exc)}
    if not alt.has_solution:
        return {**out, "feasible": False, "reason": f"re-solve ended {alt.status}"}
    cost = max(plan.objective - alt.objective, 0.0)
    low = max(plan.objective - alt.bound, 0.0) if np.isfinite(alt.bound) else 0.0
    high = plan.bound - alt.objective if np.isfinite(plan.bound) else cost
    return {
        **out,
        "feasible": True,
        "cost": round(cost, 6),
        "cost_bounds": [round(low, 6), round(max(high, cost), 6)],
        "cost_share": round(cost / plan.objective, 9) if plan.objective else None,
        "status": alt.status,
        "method": "re-solve",
    }


def _swap_start(
    plan: Plan, forced: PlanningProblem, model: RolloutModel, i: int, t: int
) -> np.ndarray | None:
    """A feasible start for the forced re-solve: swap region ``i`` with one of year ``t-1``.

    Among the unlocked regions of year ``t-1`` (same province first, to keep
    the balance), the swap that loses the least objective and keeps every
    row of ``model`` (the forced problem's) feasible is used; ``None`` when none is.
    """
    p = plan.problem
    fi = p.factory_index
    x = plan.solution(allow_feasible=True)
    yi = plan.year_index(allow_feasible=True)[:, fi]
    allowed = forced.allowed()
    cands = np.flatnonzero((yi == t - 1) & (p.lock_year[:, fi] < 0) & allowed[:, fi, t])
    if cands.size == 0:
        return None
    value = p.value()[:, fi, :]
    loss = (value[cands, t - 1] - value[cands, t]) + (value[i, t] - value[i, t - 1])
    same = p.province_of[cands] == p.province_of[i]
    order = np.lexsort((loss, ~same))
    for k in cands[order][:10].tolist():
        y = x.copy()
        y[i, fi, t] = False
        y[i, fi, t - 1] = True
        y[k, fi, t - 1] = False
        y[k, fi, t] = True
        cols = y[model.var_i, model.var_f, model.var_t].astype(float)
        if int(cols.sum()) != int(y.sum()):
            continue
        act = model.matrix @ cols
        if np.all(act <= model.row_upper + 1e-9) and np.all(act >= model.row_lower - 1e-9):
            return y
    return None


def last_scheduled(plan: Plan, n: int = 20) -> list[str]:
    """The ``n`` lowest-ranked regions among those whose factories come last.

    Regions sorted by factory year (latest first), then by equity-weighted
    factory benefit (lowest first); locked projects are skipped.
    """
    p = plan.problem
    fi = p.factory_index
    yi = plan.year_index(allow_feasible=True)[:, fi]
    w = p.benefit[:, fi] * p.equity_weight
    cand = np.flatnonzero((yi >= 0) & (p.lock_year[:, fi] < 0))
    order = np.lexsort((np.asarray(p.region_ids, dtype=object)[cand], w[cand], -yi[cand]))
    return [p.region_ids[k] for k in cand[order][:n].tolist()]


def build_dossiers(
    plan: Plan,
    *,
    move_earlier: list[str] | None = None,
    options: SolverOptions | None = None,
    moves: Mapping[str, dict[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """One dossier per programme region (sorted by region id).

    Parameters
    ----------
    plan : Plan
    move_earlier : list of str, optional
        Regions for which the cost of moving the factory one year earlier is
        computed (a re-solve each); ``None`` = :func:`last_scheduled` (20).
    options : SolverOptions, optional
        For those re-solves.
    moves : mapping of str to dict, optional
        Already computed :func:`move_earlier_cost` results by region id (the
        pipeline computes them one by one to show progress); when given,
        ``move_earlier`` is ignored and nothing is re-solved.

    Returns
    -------
    list of dict
        Keys: ``region_id``, ``name``, ``province``, ``population``,
        ``development_index``, ``equity_weight``, ``equity_rank`` (1 = highest
        weight), ``projects`` {type: {year, tier, cost, value, locked,
        binding}}, ``left_out`` {type: reason}, ``binding`` (union),
        ``move_factory_earlier`` (or ``None``).
    """
    p = plan.problem
    yi = plan.year_index(allow_feasible=True)
    binding = binding_families(plan)
    rank = (-p.equity_weight).argsort(kind="stable").argsort(kind="stable") + 1
    value = p.value()
    cost = p.cost()
    left = plan.left_out(allow_feasible=True)
    left_map = {(r.region_id, r.facility): r.reason for r in left.itertuples()}
    if moves is None:
        targets = last_scheduled(plan) if move_earlier is None else list(move_earlier)
        shared = MoveEarlierBounds(plan) if targets and plan.model is not None else None
        moves = {rid: move_earlier_cost(plan, rid, options, bounds=shared) for rid in targets}
    from regdev.planning.model import OBJECTIVE_SCALE

    done = {fac: set(r) for fac, r in p.metadata.get("done_before_horizon", {}).items()}
    dossiers: list[dict[str, Any]] = []
    for i in np.argsort(np.asarray(p.region_ids, dtype=object), kind="stable").tolist():
        rid = p.region_ids[i]
        projects: dict[str, Any] = {}
        for f, fac in enumerate(p.facilities):
            t = int(yi[i, f])
            if t < 0:
                continue
            projects[fac] = {
                "year": int(p.years[t]),
                "tier": int(p.tiers[t]),
                "size": float(p.size[i, f]),
                "cost": round(float(cost[i, f, t]), 6),
                "value": round(float(value[i, f, t] * OBJECTIVE_SCALE), 6),
                "locked": bool(p.lock_year[i, f] == t),
                "lock_source": str(p.lock_source[i, f]) or None,
                "binding": binding[i].get(fac, []),
            }
        union = sorted({b for v in binding[i].values() for b in v}, key=DOSSIER_FAMILIES.index)
        dossiers.append(
            {
                "region_id": rid,
                "name": p.names[i],
                "province": p.provinces[p.province_of[i]],
                "population": float(p.population[i]),
                "development_index": round(float(p.development[i]), 6),
                "equity_weight": round(float(p.equity_weight[i]), 6),
                "equity_rank": int(rank[i]),
                "projects": projects,
                "left_out": {
                    fac: left_map[(rid, fac)] for fac in p.facilities if (rid, fac) in left_map
                },
                "not_candidate": [
                    fac
                    for f, fac in enumerate(p.facilities)
                    if not p.eligible[i, f] and rid not in done.get(fac, ())
                ],
                "done_before_horizon": [fac for fac in p.facilities if rid in done.get(fac, ())],
                "binding": union,
                "move_factory_earlier": moves.get(rid),
            }
        )
    return dossiers


def explain_region(plan: Plan, region: str, options: SolverOptions | None = None) -> dict[str, Any]:
    """The dossier of one region, with the cost of moving its factory one year earlier."""
    p = plan.problem
    if region not in p.region_ids:
        msg = f"unknown programme region {region!r}"
        raise NotFoundError(msg)
    dossiers = build_dossiers(plan, move_earlier=[region], options=options)
    return next(d for d in dossiers if d["region_id"] == region)
