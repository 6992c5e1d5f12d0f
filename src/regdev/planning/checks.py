"""Pre-solve checks: catch a provably infeasible specification before solving.

Every check raises :class:`~regdev.errors.InfeasibleSpecificationError` with
``constraint`` set to the family (``capacity``, ``coverage``, ``balance``,
``budget``, ``workload``, ``lock``) and a message with the numbers that clash.
These are necessary conditions; :func:`diagnose_infeasibility` names the
family when the solver finds an infeasibility the checks did not.
"""

from __future__ import annotations

import numpy as np

from regdev.errors import InfeasibleSpecificationError
from regdev.planning.problem import PlanningProblem


def _raise(family: str, text: str) -> None:
    msg = f"{family}: {text}"
    raise InfeasibleSpecificationError(msg, constraint=family)


def _ids(problem: PlanningProblem, idx: np.ndarray, k: int = 5) -> str:
    names = [problem.region_ids[i] for i in idx[:k].tolist()]
    more = f" and {idx.size - k} more" if idx.size > k else ""
    return ", ".join(names) + more


def check_locks(problem: PlanningProblem) -> None:
    """Locked projects must fit the year's capacity (and the budget)."""
    p = problem
    n_fac, n_years = p.n_facilities, p.n_years
    ii, ff = np.nonzero(p.lock_year >= 0)
    tt = p.lock_year[ii, ff]
    locked = np.zeros((n_fac, n_years), dtype=np.int64)
    np.add.at(locked, (ff, tt), 1)
    over = np.argwhere(locked > p.capacity)
    if over.size:
        f, t = (int(v) for v in over[0])
        who = ii[(ff == f) & (tt == t)]
        _raise(
            "capacity",
            f"{locked[f, t]} {p.facilities[f]} projects are locked to {p.years[t]} "
            f"({_ids(p, who)}) but the capacity of {p.years[t]} is {p.capacity[f, t]}; "
            f"raise the capacity or unlock {locked[f, t] - p.capacity[f, t]} of them",
        )
    if np.isfinite(p.budget).any():
        cube = np.zeros((p.n_regions, n_fac, n_years), dtype=bool)
        cube[ii, ff, tt] = True
        spent = p.spending(cube)  # with the cash flow: what the locked projects pay each year
        bad = np.flatnonzero(spent > p.budget + 1e-9)
        if bad.size:
            t = int(bad[0])
            unit = p.unit_name
            what = (
                f"in {p.years[t]} the locked projects pay {spent[t]:.1f} {unit} (cash flow)"
                if p.spend_share is not None
                else f"locked projects of {p.years[t]} cost {spent[t]:.1f} {unit}"
            )
            _raise(
                "budget",
                f"{what} but the budget of {p.years[t]} is {p.budget[t]:.1f} {unit}; the locked "
                f"projects alone need a uniform annual budget of at least {spent.max():.1f} {unit}",
            )


def check_capacity(problem: PlanningProblem) -> None:
    """Exact yearly counts need enough candidates; exact coverage needs enough capacity."""
    p = problem
    allowed = p.allowed()
    locked_any = p.lock_year >= 0
    for f, fac in enumerate(p.facilities):
        n_elig = int(p.eligible[:, f].sum())
        total = int(p.capacity[f].sum())
        if p.coverage_exact[f] and total < n_elig:
            _raise(
                "coverage",
                f"all {n_elig} candidates must get a {fac} exactly once but the {fac} capacity "
                f"totals {total} over {p.years[0]}–{p.years[-1]} ({_cap_text(p, f)})",
            )
        if p.capacity_exact[f]:
            for t in range(p.n_years):
                free = allowed[:, f, t] & (~locked_any[:, f] | (p.lock_year[:, f] == t))
                if int(free.sum()) < p.capacity[f, t]:
                    _raise(
                        "capacity",
                        f"exactly {p.capacity[f, t]} {fac} projects are required in {p.years[t]} "
                        f"but only {int(free.sum())} regions can take one that year "
                        f"(others are locked to other years or banned)",
                    )
        if p.coverage_exact[f]:
            stuck = np.flatnonzero(p.eligible[:, f] & ~allowed[:, f, :].any(axis=1))
            if stuck.size:
                _raise(
                    "coverage",
                    f"{stuck.size} region(s) must get a {fac} but have no allowed year "
                    f"({_ids(p, stuck)}): every year with {fac} capacity is banned for them",
                )


def _cap_text(p: PlanningProblem, f: int) -> str:
    return ", ".join(f"{y}: {c}" for y, c in zip(p.years, p.capacity[f].tolist(), strict=True))


def check_balance(problem: PlanningProblem) -> None:
    """Provincial floors must be reachable given the yearly totals and the locks."""
    p = problem
    floor = p.balance_floor
    if floor is None:
        return
    fi = p.factory_index
    n_prov = len(p.provinces)
    cum_total = np.cumsum(p.capacity[fi])
    allowed = p.allowed()[:, fi, :]
    lock = p.lock_year[:, fi]
    for t in range(p.n_years):
        locked_by_t = np.bincount(
            p.province_of, weights=((lock >= 0) & (lock <= t)).astype(float), minlength=n_prov
        ).astype(np.int64)
        possible_by_t = np.bincount(
            p.province_of, weights=allowed[:, : t + 1].any(axis=1).astype(float), minlength=n_prov
        ).astype(np.int64)
        short = np.flatnonzero(possible_by_t < floor[:, t])
        if short.size:
            k = int(short[0])
            _raise(
                "balance",
                f"{p.provinces[k]} needs at least {floor[k, t]} factory projects by the end of "
                f"{p.years[t]} (floor(share × {cum_total[t]}) − tolerance) but only "
                f"{possible_by_t[k]} of its regions can have one by then",
            )
        need = np.maximum(floor[:, t], locked_by_t)
        if int(need.sum()) > int(cum_total[t]):
            worst = np.argsort(-(need - locked_by_t), kind="stable")[:3]
            detail = ", ".join(
                f"{p.provinces[k]} ≥ {need[k]} (locked {locked_by_t[k]})" for k in worst.tolist()
            )
            _raise(
                "balance",
                f"by the end of {p.years[t]} the provinces need at least {int(need.sum())} factory "
                f"projects in total (floors and locks: {detail}, …) but only {cum_total[t]} "
                f"are built by then; lower balance.tolerance or change the locks",
            )


def check_workload(problem: PlanningProblem) -> None:
    """Each region's exact-coverage projects must fit ``k`` per year over the open years."""
    p = problem
    allowed = p.allowed()
    need = (p.eligible & p.coverage_exact[None, :]).sum(axis=1)
    slots = np.minimum(allowed.sum(axis=1), p.workload).sum(axis=1)
    locked = np.zeros((p.n_regions, p.n_years), dtype=np.int64)
    ii, ff = np.nonzero(p.lock_year >= 0)
    np.add.at(locked, (ii, p.lock_year[ii, ff]), 1)
    slots = slots + np.maximum(locked - p.workload, 0).sum(axis=1)
    bad = np.flatnonzero(need > slots)
    if bad.size:
        i = int(bad[0])
        _raise(
            "workload",
            f"{p.region_ids[i]} needs {need[i]} projects but at most {p.workload} a year fit "
            f"into its open years ({slots[i]} slots); raise workload.max_per_county_year",
        )


def check_staff(problem: PlanningProblem) -> None:
    """Locked hospitals must find their doctors trained in time; exact coverage needs enough."""
    p = problem
    if p.staff_need is None or p.staff_supply is None or "hospital" not in p.facilities:
        return
    fh = p.facilities.index("hospital")
    n_prov = len(p.provinces)
    locked = p.lock_year[:, fh]
    need = np.zeros((n_prov, p.n_years))
    for i in np.flatnonzero(locked >= 0).tolist():
        need[p.province_of[i], locked[i] :] += p.staff_need[i]
    bad = np.argwhere(need > p.staff_supply + 1e-6)
    if bad.size:
        pr, t = (int(v) for v in bad[0])
        _raise(
            "staff",
            f"the hospitals locked in {p.provinces[pr]} by {p.years[t]} need "
            f"{need[pr, t]:.0f} doctors but only {p.staff_supply[pr, t]:.0f} are trained by then; "
            f"shortfall {need[pr, t] - p.staff_supply[pr, t]:.0f} (raise staff.initial_per_1000 "
            "or staff.training_per_1000_per_year, or shorten staff.lag_years)",
        )
    if p.coverage_exact[fh]:
        cand = p.eligible[:, fh]
        total = np.bincount(p.province_of[cand], weights=p.staff_need[cand], minlength=n_prov)
        short = total - p.staff_supply[:, -1]
        if (short > 1e-6).any():
            pr = int(np.argmax(short))
            _raise(
                "staff",
                f"every hospital candidate of {p.provinces[pr]} must get a hospital by "
                f"{p.years[-1]}, needing {total[pr]:.0f} doctors, but only "
                f"{p.staff_supply[pr, -1]:.0f} are trained by then; shortfall {short[pr]:.0f}",
            )


def check_construction(problem: PlanningProblem) -> None:
    """Locked non-factory projects must fit their province's building sites."""
    p = problem
    if p.construction_sites is None:
        return
    locked = np.zeros((p.n_regions, p.n_facilities, p.n_years), dtype=bool)
    ii, ff = np.nonzero(p.lock_year >= 0)
    locked[ii, ff, p.lock_year[ii, ff]] = True
    use = p.sites_in_use(locked)
    bad = np.argwhere(use > p.construction_sites[:, None] + 1e-9)
    if bad.size:
        pr, t = (int(v) for v in bad[0])
        _raise(
            "construction",
            f"the locked projects of {p.provinces[pr]} use {use[pr, t]:.0f} building sites in "
            f"{p.years[t]} but the province has {p.construction_sites[pr]:.0f}; shortfall "
            f"{use[pr, t] - p.construction_sites[pr]:.0f} (raise construction.sites_per_100k "
            "or construction.min_sites)",
        )


def check_materials(problem: PlanningProblem) -> None:
    """Locked projects must fit the material limits (provincial with imports, national)."""
    p = problem
    if p.material_need is None or p.material_supply is None:
        return
    locked = np.zeros((p.n_regions, p.n_facilities, p.n_years), dtype=bool)
    ii, ff = np.nonzero(p.lock_year >= 0)
    locked[ii, ff, p.lock_year[ii, ff]] = True
    use = p.materials_used(locked)
    limit, national = p.material_limits()
    for mi, mat in enumerate(p.materials):
        bad = np.argwhere(use[mi] > limit[mi][:, None] * (1 + 1e-9) + 1e-6)
        if bad.size:
            pr, t = (int(v) for v in bad[0])
            _raise(
                "materials",
                f"the locked projects of {p.provinces[pr]} need {use[mi, pr, t]:,.0f} t of {mat} "
                f"in {p.years[t]} but the province can produce and import {limit[mi, pr]:,.0f} t; "
                f"shortfall {use[mi, pr, t] - limit[mi, pr]:,.0f} t (raise "
                "materials.supply_t_per_1000 or materials.import_share)",
            )
        total = use[mi].sum(axis=0)
        over = np.flatnonzero(total > national[mi] * (1 + 1e-9) + 1e-6)
        if over.size:
            t = int(over[0])
            _raise(
                "materials",
                f"the locked projects need {total[t]:,.0f} t of {mat} in {p.years[t]} but the "
                f"country produces {national[mi]:,.0f} t; shortfall "
                f"{total[t] - national[mi]:,.0f} t (raise materials.supply_t_per_1000)",
            )


def check_problem(problem: PlanningProblem) -> None:
    """Run every pre-solve check (locks, capacity, coverage, balance, workload).

    Raises
    ------
    InfeasibleSpecificationError
        Naming the constraint family and the numbers.
    """
    check_locks(problem)
    check_capacity(problem)
    check_balance(problem)
    check_workload(problem)
    check_staff(problem)
    check_construction(problem)
    check_materials(problem)
