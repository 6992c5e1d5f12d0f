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
  its trading partners;
* ``characteristic_lines`` — characteristic lines opened in the county;
  ``characteristic_lines_local`` — those that draw at least
  ``DesignOptions.min_local_share`` of their main input (the ``requires``
  resource) from the county's own supply (:func:`main_input_local_share`):
  only these count as characteristic (issue 17); the others are allowed but
  import most of the resource that was supposed to enable them;
  ``characteristic_lines_inferred`` — characteristic lines whose main input's
  local supply is *inferred* from terrain and area (nothing in the registry
  says the county has it).

National totals (:func:`national_claims`) add the share of characteristic
lines that meet the local rule and the total-cost comparison with the fair
central baseline (:func:`regdev.design.baseline.fair_baseline`: central
plants with economies of scale), beside the freight comparison.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from regdev.design.baseline import design_tkm_by_region, fair_baseline

if TYPE_CHECKING:
    from regdev.design.result import DesignResult


def main_input_shares(result: DesignResult) -> np.ndarray:
    """Local share of each (region, line)'s main input (n × L; NaN for lines without one).

    The county's imports of a resource are shared among its lines in proportion to their
    use of it, so every line using resource ``r`` in county ``i`` draws the same local
    share ``1 − u[i, r] / need[i, r]`` (1 when the county uses none of it).

    Examples
    --------
    A county that needs 100 t of fish and imports 30 t draws 70 % of its fish locally.
    """
    p, sol = result.problem, result.solution
    need = sol.x @ p.inputs  # n × R
    with np.errstate(divide="ignore", invalid="ignore"):
        local = np.where(need > 1e-9, 1.0 - np.minimum(sol.u, need) / np.maximum(need, 1e-12), 1.0)
    out = np.full((p.n_regions, p.n_lines), np.nan)
    for k in range(p.n_lines):
        r = int(p.line_requires[k])
        if p.line_kinds[k] == "characteristic" and r >= 0:
            out[:, k] = local[:, r]
    return out


def main_input_local_share(result: DesignResult, i: int, k: int) -> float:
    """Local share of line ``k``'s main input in region position ``i`` (see :func:`main_input_shares`)."""
    if "main_input_shares" not in result._memo:
        result._memo["main_input_shares"] = main_input_shares(result)
    return float(result._memo["main_input_shares"][i, k])


def _characteristic_counts(result: DesignResult) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    p, sol = result.problem, result.solution
    kinds = np.array([k == "characteristic" for k in p.line_kinds])
    opened = sol.y.astype(bool) & kinds[None, :]
    shares = main_input_shares(result)
    local = opened & (np.nan_to_num(shares, nan=0.0) >= p.options.min_local_share - 1e-9)
    inferred = np.zeros_like(opened)
    if p.supply_basis is not None:
        for k in np.flatnonzero(kinds):
            r = int(p.line_requires[k])
            if r >= 0:
                inferred[:, k] = opened[:, k] & (p.supply_basis[:, r] == "inferred")
    return opened.sum(axis=1), local.sum(axis=1), inferred.sum(axis=1)


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
    design_tkm = design_tkm_by_region(result)
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
    n_char, n_local, n_inferred = _characteristic_counts(result)
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
            "characteristic_lines": n_char,
            "characteristic_lines_local": n_local,
            "characteristic_lines_inferred": n_inferred,
            "design_tkm": design_tkm,
            "baseline_tkm": base_tkm,
            "tkm_saved": base_tkm - design_tkm,
            "transport_saved_kusd": (base_tkm - design_tkm) * p.cost_per_tkm,
        },
        index=pd.Index(p.region_ids, name="region_id"),
    )


def national_claims(result: DesignResult) -> dict[str, Any]:
    """National totals of :func:`county_claims` (plain numbers, JSON-ready).

    Besides the sums: ``characteristic_local_rule_share`` (share of the opened
    characteristic lines that draw at least ``min_local_share`` of their main input
    locally) and the fair-baseline totals of
    :func:`regdev.design.baseline.fair_baseline` (``baseline_total_cost_kusd``,
    ``design_total_cost_kusd``, ``total_cost_saved_share``, …).
    """
    c = county_claims(result)
    p = result.problem
    dem_w = (p.demand * p.tonnes_per_unit).sum(axis=1)
    n_char = int(c["characteristic_lines"].sum())
    n_local = int(c["characteristic_lines_local"].sum())
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
        "min_local_share": float(p.options.min_local_share),
        "characteristic_lines": n_char,
        "characteristic_lines_local": n_local,
        "characteristic_lines_inferred": int(c["characteristic_lines_inferred"].sum()),
        "characteristic_local_rule_share": n_local / n_char if n_char else None,
        **fair_baseline(result),
    }
