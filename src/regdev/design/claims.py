"""Quantified claims of a design against the central-supply baseline.

Per county (the county *receiving* goods is charged with the transport that
serves it, so per-county figures add up to the national ones):

* ``design_tkm`` — tonne-km of the design that serve the county: shipments
  into it (arc length × weight), its central supply for the uncovered share
  (at the baseline's tonne-km per unit) and the haul of the raw materials
  it imports;
* ``baseline_tkm`` — tonne-km of supplying the same demand centrally
  (:mod:`regdev.design.baseline`);
* ``tkm_saved`` and ``transport_saved_kusd`` = baseline − design;
* ``jobs`` — workers of the county's lines; ``utilisation`` — output /
  capacity over its lines; ``local_share`` — share of its demand (by
  weight) met by its own lines; ``nearby_share`` — met by its own lines or
  its trading partners.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from regdev.design.result import DesignResult


def county_claims(result: DesignResult) -> pd.DataFrame:
    """Claims per design region (see the module docstring for the columns).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``region_id``.
    """
    p, sol = result.problem, result.solution
    t = p.tonnes_per_unit
    n = p.n_regions
    ship_t = sol.s * t[None, :]
    ship_tkm = ship_t.sum(axis=1) * p.arc_km
    tkm_in = np.zeros(n)
    if len(p.arc_to):
        np.add.at(tkm_in, p.arc_to, ship_tkm)
    ext_tkm = (sol.e * p.baseline_tkm).sum(axis=1)
    imp_tkm = (sol.u * p.import_km).sum(axis=1)
    design_tkm = tkm_in + ext_tkm + imp_tkm
    base_tkm = (p.demand * p.baseline_tkm).sum(axis=1)

    # local and nearby shares by weight
    made = np.zeros((n, len(p.categories)))
    np.add.at(made.T, p.line_category, sol.x.T)
    out = np.zeros_like(made)
    inflow = np.zeros_like(made)
    if len(p.arc_from):
        np.add.at(out, p.arc_from, sol.s)
        np.add.at(inflow, p.arc_to, sol.s)
    local_use = np.minimum(np.maximum(made - out, 0.0), p.demand)
    nearby = np.minimum(local_use + inflow, p.demand)
    dem_t = (p.demand * t).sum(axis=1)
    local_share = (local_use * t).sum(axis=1) / np.maximum(dem_t, 1e-12)
    nearby_share = (nearby * t).sum(axis=1) / np.maximum(dem_t, 1e-12)

    jobs = np.rint(sol.m * p.labour_per_module).sum(axis=1)
    cap = (sol.m * p.module_size[None, :]).sum(axis=1)
    cap_w = (sol.m * p.module_size[None, :] * t[p.line_category][None, :]).sum(axis=1)
    prod_w = (sol.x * t[p.line_category][None, :]).sum(axis=1)
    util = np.where(cap > 0, prod_w / np.maximum(cap_w, 1e-12), np.nan)
    capital = (sol.m * p.capex_per_module).sum(axis=1)
    return pd.DataFrame(
        {
            "name": p.region_names,
            "province": p.provinces,
            "n_lines": sol.y.sum(axis=1),
            "jobs": np.rint(jobs).astype(int),
            "capital_cost_kusd": capital,
            "utilisation": util,
            "local_share": local_share,
            "nearby_share": nearby_share,
            "design_tkm": design_tkm,
            "baseline_tkm": base_tkm,
            "tkm_saved": base_tkm - design_tkm,
            "transport_saved_kusd": (base_tkm - design_tkm) * p.cost_per_tkm,
        },
        index=pd.Index(p.region_ids, name="region_id"),
    )


def national_claims(result: DesignResult) -> dict[str, Any]:
    """National totals of :func:`county_claims` (plain numbers, JSON-ready)."""
    c = county_claims(result)
    p = result.problem
    dem_w = (p.demand * p.tonnes_per_unit).sum(axis=1)
    base = float(c["baseline_tkm"].sum())
    design = float(c["design_tkm"].sum())
    return {
        "n_regions": int(len(c)),
        "n_lines": int(c["n_lines"].sum()),
        "jobs": int(c["jobs"].sum()),
        "capital_cost_kusd": float(c["capital_cost_kusd"].sum()),
        "baseline_tkm": base,
        "design_tkm": design,
        "tkm_saved": base - design,
        "tkm_saved_share": (base - design) / base if base > 0 else 0.0,
        "transport_saved_kusd": (base - design) * p.cost_per_tkm,
        "local_share": float((c["local_share"] * dem_w).sum() / max(dem_w.sum(), 1e-12)),
        "nearby_share": float((c["nearby_share"] * dem_w).sum() / max(dem_w.sum(), 1e-12)),
        "utilisation": float(np.nanmean(c["utilisation"].to_numpy(dtype=float)))
        if c["utilisation"].notna().any()
        else float("nan"),
    }
