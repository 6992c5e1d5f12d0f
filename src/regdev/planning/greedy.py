"""Greedy baseline: sort by weight, fill the earliest years.

The baseline a planner would do by hand, used to show what optimisation adds
(``benchmarks/bench_planning.py``) and as a starting incumbent for HiGHS.

1. Locked assignments are placed first.
2. Factories, year by year: provinces below their balance floor first get
   their best remaining counties; the rest of the year's cohort goes to the
   remaining counties with the highest equity-weighted benefit.
3. Every other (region, type) pair, by equity-weighted benefit (highest
   first), goes to the earliest year with spare capacity, workload and budget.
4. A pair that must be covered but finds no such year is *repaired* by one
   move (:func:`_repair`): in a year where its type has spare capacity but the
   region's workload is full, one of the region's own unlocked non-factory
   projects moves to another year that takes it; or, in a year where the
   region has spare workload but the type is full, one other region's
   unlocked project of that type moves to a year with spare capacity.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from regdev.planning.problem import PlanningProblem


@dataclass(frozen=True)
class GreedyResult:
    """A greedy schedule.

    Attributes
    ----------
    x : numpy.ndarray of bool, shape (n, F, Y)
    objective : float
        Objective of ``x`` in the model's units (see :func:`objective_of`).
    feasible : bool
        Whether every constraint of the model holds.
    problems : list of str
        What the greedy could not satisfy.
    """

    x: np.ndarray
    objective: float
    feasible: bool
    problems: list[str] = field(default_factory=list)


def objective_of(problem: PlanningProblem, x: np.ndarray) -> float:
    """Objective value of a 0/1 schedule ``x`` (n, F, Y), in millions (the model's unit)."""
    from regdev.planning.model import OBJECTIVE_SCALE

    return float((problem.value() * OBJECTIVE_SCALE * x).sum())


def greedy_plan(problem: PlanningProblem) -> GreedyResult:
    """Build the greedy baseline schedule of ``problem`` (see the module docstring)."""
    p = problem
    n, n_fac, n_years = p.n_regions, p.n_facilities, p.n_years
    allowed = p.allowed()
    cost = p.cost()
    x = np.zeros((n, n_fac, n_years), dtype=bool)
    used = np.zeros((n_fac, n_years), dtype=np.int64)
    load = np.zeros((n, n_years), dtype=np.int64)
    spent = np.zeros(n_years)
    problems: list[str] = []
    share = p.spend_profile()
    fi = p.factory_index
    n_prov = len(p.provinces)
    built = np.zeros((n_prov, n_years), dtype=np.int64)  # factories completed per province, year

    def payments(i: int, f: int, t: int) -> tuple[np.ndarray, np.ndarray]:
        k = np.flatnonzero(share[f] > 0)
        k = k[t - k >= 0]
        return t - k, cost[i, f, t] * share[f, k]

    ii, ff = np.nonzero(p.lock_year >= 0)
    for i, f in zip(ii.tolist(), ff.tolist(), strict=True):
        t = int(p.lock_year[i, f])
        x[i, f, t] = True
        used[f, t] += 1
        load[i, t] += 1
        yrs, amt = payments(i, f, t)
        spent[yrs] += amt
        if f == fi:
            built[p.province_of[i], t] += 1
    fh = p.facilities.index("hospital") if "hospital" in p.facilities else -1
    staff_on = p.staff_need is not None and p.staff_supply is not None and fh >= 0
    staff_used = np.zeros((n_prov, n_years))  # cumulative doctors of hospitals done by year
    if staff_on:
        assert p.staff_need is not None
        for i in np.flatnonzero(x[:, fh].any(axis=1)).tolist():
            staff_used[p.province_of[i], int(np.argmax(x[i, fh])) :] += p.staff_need[i]
    sites_on = p.construction_sites is not None
    in_use = p.sites_in_use(x) if sites_on else np.zeros((n_prov, n_years))
    mats_on = p.material_need is not None and p.material_supply is not None
    mat_use = p.materials_used(x)  # (M, P, Y) tonnes delivered
    if mats_on:
        mat_limit, mat_national = p.material_limits()
        mat_total = mat_use.sum(axis=1)
        assert p.material_need is not None

    def deliveries(i: int, f: int, t: int) -> tuple[np.ndarray, np.ndarray]:
        """Build years of (i, f, t) and the tonnes (M, years) delivered in them."""
        assert p.material_need is not None
        k = np.flatnonzero(share[f] > 0)
        k = k[t - k >= 0]
        return t - k, p.material_need[i, f][:, None] * share[f, k][None, :]

    locked_fac = built.copy()  # locked factory groups per province and year
    cap_load = np.maximum(load, p.workload)
    weight = p.benefit * p.equity_weight[:, None]
    done: np.ndarray = np.asarray(x.any(axis=2), dtype=bool)

    def deficit_after(t: int, extra: int | None) -> float:
        """Total shortfall of the relative balance in year ``t`` (one more factory in ``extra``)."""
        assert p.balance_share is not None
        cum = built[:, : t + 1].sum(axis=1).astype(float)
        if extra is not None:
            cum[extra] += 1
        short = p.balance_share * cum.sum() - p.balance_tolerance - cum
        return float(np.clip(short, 0.0, None).sum())

    def fits(i: int, f: int, t: int) -> bool:
        if f == fi and p.raw_base_year is not None and t < p.raw_base_year[i]:
            return False
        if f == fi and p.unit_reach is not None:
            pr = p.province_of[i]
            if built[pr, t] + 1 > max(p.unit_reach[pr], locked_fac[pr, t]):
                return False
        if not (
            allowed[i, f, t]
            and not done[i, f]
            and used[f, t] < p.capacity[f, t]
            and load[i, t] < cap_load[i, t]
        ):
            return False
        yrs, amt = payments(i, f, t)
        if staff_on and f == fh:
            assert p.staff_need is not None
            assert p.staff_supply is not None
            pr = p.province_of[i]
            if np.any(staff_used[pr, t:] + p.staff_need[i] > p.staff_supply[pr, t:] + 1e-9):
                return False
        if sites_on and f != fi:
            assert p.construction_sites is not None
            if np.any(in_use[p.province_of[i], yrs] + 1 > p.construction_sites[p.province_of[i]]):
                return False
        if mats_on:
            my, tonnes = deliveries(i, f, t)
            pr = p.province_of[i]
            if np.any(mat_use[:, pr, my] + tonnes > mat_limit[:, pr, None] * (1 + 1e-9) + 1e-6):
                return False
            if np.any(mat_total[:, my] + tonnes > mat_national[:, None] * (1 + 1e-9) + 1e-6):
                return False
        return bool(np.all(spent[yrs] + amt <= p.budget[yrs] + 1e-9))

    def place(i: int, f: int, t: int) -> None:
        x[i, f, t] = True
        done[i, f] = True
        used[f, t] += 1
        load[i, t] += 1
        yrs, amt = payments(i, f, t)
        spent[yrs] += amt
        if f == fi:
            built[p.province_of[i], t] += 1
        if staff_on and f == fh:
            assert p.staff_need is not None
            staff_used[p.province_of[i], t:] += p.staff_need[i]
        if sites_on and f != fi:
            in_use[p.province_of[i], yrs] += 1
        if mats_on:
            my, tonnes = deliveries(i, f, t)
            mat_use[:, p.province_of[i], my] += tonnes
            mat_total[:, my] += tonnes

    def unplace(i: int, f: int, t: int) -> None:
        x[i, f, t] = False
        done[i, f] = False
        used[f, t] -= 1
        load[i, t] -= 1
        yrs, amt = payments(i, f, t)
        spent[yrs] -= amt
        if f == fi:
            built[p.province_of[i], t] -= 1
        if staff_on and f == fh:
            assert p.staff_need is not None
            staff_used[p.province_of[i], t:] -= p.staff_need[i]
        if sites_on and f != fi:
            in_use[p.province_of[i], yrs] -= 1
        if mats_on:
            my, tonnes = deliveries(i, f, t)
            mat_use[:, p.province_of[i], my] -= tonnes
            mat_total[:, my] -= tonnes

    # factories: year by year, balance deficits first
    order = np.lexsort((np.arange(n), -weight[:, fi]))
    for t in range(n_years):
        if p.balance_floor is not None:
            cum = np.bincount(
                p.province_of, weights=x[:, fi, : t + 1].sum(axis=1), minlength=len(p.provinces)
            )
            deficit = p.balance_floor[:, t] - cum.astype(np.int64)
            for i in order.tolist():
                pr = int(p.province_of[i])
                if deficit[pr] > 0 and fits(i, fi, t):
                    place(i, fi, t)
                    deficit[pr] -= 1
            if (deficit > 0).any():
                bad = [p.provinces[k] for k in np.flatnonzero(deficit > 0)]
                problems.append(f"balance: provinces {bad} below their floor in {p.years[t]}")
        if p.balance_share is not None:
            # relative balance: the province furthest below its share first, else the best
            # region; at the end of the year, drop the year's last placements until it holds
            placed: list[int] = []
            while used[fi, t] < p.capacity[fi, t]:
                cum = built[:, : t + 1].sum(axis=1).astype(float)
                short = p.balance_share * cum.sum() - p.balance_tolerance - cum
                pick = None
                for pr in np.argsort(-short, kind="stable").tolist():
                    if short[pr] <= 1e-9:
                        break
                    pick = next(
                        (i for i in order.tolist() if p.province_of[i] == pr and fits(i, fi, t)),
                        None,
                    )
                    if pick is not None:
                        break
                if pick is None:
                    pick = next((i for i in order.tolist() if fits(i, fi, t)), None)
                if pick is None:
                    break
                place(pick, fi, t)
                placed.append(pick)
            while deficit_after(t, None) > 1e-9 and placed:
                unplace(placed.pop(), fi, t)
            if deficit_after(t, None) > 1e-9:
                problems.append(
                    f"balance: provinces below their share of the factories in {p.years[t]}"
                )
        for i in order.tolist():
            if used[fi, t] >= p.capacity[fi, t] or p.balance_share is not None:
                break
            if fits(i, fi, t):
                place(i, fi, t)
        if p.capacity_exact[fi] and used[fi, t] != p.capacity[fi, t]:
            problems.append(
                f"capacity: {used[fi, t]} factories in {p.years[t]} instead of {p.capacity[fi, t]}"
            )
    # other types: pairs by weight, earliest year
    others = [f for f in range(n_fac) if f != fi]
    if others:
        pi, pf = np.meshgrid(np.arange(n), np.array(others), indexing="ij")
        pi, pf = pi.ravel(), pf.ravel()
        w = weight[pi, pf]
        keep = p.eligible[pi, pf] & ~done[pi, pf]
        pi, pf, w = pi[keep], pf[keep], w[keep]
        ordr = np.lexsort((pf, pi, -w))
        for i, f in zip(pi[ordr].tolist(), pf[ordr].tolist(), strict=True):
            for t in range(n_years):
                if fits(i, f, t):
                    place(i, f, t)
                    break
            else:
                repaired = p.coverage_exact[f] and _repair(i, f, fits, place, unplace, x, used, p)
                if p.coverage_exact[f] and not repaired:
                    problems.append(
                        f"coverage: no year left for {p.region_ids[i]}/{p.facilities[f]}"
                    )
    return GreedyResult(x=x, objective=objective_of(p, x), feasible=not problems, problems=problems)


def _repair(
    i: int,
    f: int,
    fits: Callable[[int, int, int], bool],
    place: Callable[[int, int, int], None],
    unplace: Callable[[int, int, int], None],
    x: np.ndarray,
    used: np.ndarray,
    p: PlanningProblem,
) -> bool:
    """Make room for pair ``(i, f)`` by moving one other unlocked project (step 4)."""
    n_years = p.n_years
    fi = p.factory_index
    allowed = p.allowed()
    for t in range(n_years):
        if not allowed[i, f, t]:
            continue
        # (a) the type has room in t but region i's workload is full: move one of i's projects
        if used[f, t] < p.capacity[f, t]:
            for g in range(p.n_facilities):
                if g in (f, fi) or not x[i, g, t] or p.lock_year[i, g] == t:
                    continue
                unplace(i, g, t)
                if fits(i, f, t):
                    place(i, f, t)
                    for t2 in range(n_years):
                        if t2 != t and fits(i, g, t2):
                            place(i, g, t2)
                            return True
                    unplace(i, f, t)
                place(i, g, t)
        # (b) region i has workload in t but the type is full: move another region's project
        else:
            for j in np.flatnonzero(x[:, f, t]).tolist():
                if j == i or p.lock_year[j, f] == t:
                    continue
                unplace(j, f, t)
                if fits(i, f, t):
                    place(i, f, t)
                    for t2 in range(n_years):
                        if t2 != t and fits(j, f, t2):
                            place(j, f, t2)
                            return True
                    unplace(i, f, t)
                place(j, f, t)
    return False
