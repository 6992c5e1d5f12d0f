"""Who comes first: the profile of every cohort of a plan (``cohorts.csv``).

A *cohort* is the set of regions whose project of one type completes in one
year.  Its profile says whether the plan serves the policy's aim (the lagging,
rural regions first): mean development index, population, rural share,
county share and how many provinces it reaches, next to the national figures.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from regdev.planning.plan import Plan

COHORT_COLUMNS: tuple[str, ...] = (
    "facility",
    "year",
    "n_regions",
    "n_provinces",
    "population",
    "mean_development_index",
    "national_mean_development_index",
    "rural_share",
    "county_share",
    "locked",
)
"""Columns of ``cohorts.csv`` (one row per facility type and year with a project)."""


def cohort_profile(plan: Plan, facilities: tuple[str, ...] | None = None) -> pd.DataFrame:
    """One row per (facility type, year) with the profile of the regions scheduled.

    Parameters
    ----------
    plan : Plan
        A plan with a solution (optimal or feasible).
    facilities : tuple of str, optional
        Types to profile (default: every planned type).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`COHORT_COLUMNS`: ``population`` the cohort's residents,
        ``mean_development_index`` the unweighted mean over its regions (the
        ``national_…`` column: over every programme region), ``rural_share``
        its rural residents / its residents (``NaN`` when the region table
        has no urban population), ``county_share`` the share of its regions
        of kind ``county`` (``NaN`` without kinds), ``locked`` how many of its
        projects are locked.

    Examples
    --------
    >>> from regdev.registry import toy_region
    >>> from regdev.planning import build_problem, load_scenario, plan_rollout
    >>> sc = load_scenario().with_updates(factories={"per_year": 2}, history={"enabled": False})
    >>> plan = plan_rollout(build_problem(toy_region(), sc))
    >>> cohort_profile(plan, ("factories",))[["year", "n_regions"]].to_dict("list")
    {'year': [2024, 2025, 2026], 'n_regions': [2, 2, 1]}
    """
    p = plan.problem
    yi = plan.year_index(allow_feasible=True)
    kind = None if p.kind is None else np.asarray(p.kind, dtype=object)
    rural = p.rural_population
    national = float(p.development.mean())
    rows = []
    for f, fac in enumerate(p.facilities):
        if facilities is not None and fac not in facilities:
            continue
        for t, year in enumerate(p.years):
            sel = yi[:, f] == t
            if not sel.any():
                continue
            pop = float(p.population[sel].sum())
            rows.append(
                {
                    "facility": fac,
                    "year": int(year),
                    "n_regions": int(sel.sum()),
                    "n_provinces": len(set(p.province_of[sel].tolist())),
                    "population": pop,
                    "mean_development_index": round(float(p.development[sel].mean()), 6),
                    "national_mean_development_index": round(national, 6),
                    "rural_share": round(float(rural[sel].sum()) / pop, 6)
                    if rural is not None and pop > 0
                    else float("nan"),
                    "county_share": round(float((kind[sel] == "county").mean()), 6)
                    if kind is not None
                    else float("nan"),
                    "locked": int((p.lock_year[sel, f] == t).sum()),
                }
            )
    return pd.DataFrame(rows, columns=list(COHORT_COLUMNS))
