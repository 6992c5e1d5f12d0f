"""Central-supply baselines: the same goods made in the capital and the province seats.

In the baseline every county's whole demand is supplied centrally: goods of
the basic categories (those made by standard lines) from its province seat,
characteristic goods from the capital.  The central factories bring their
raw materials from the nearest region that has them.  Per unit of category
``c`` delivered to county ``i`` the baseline moves::

    baseline_tkm[i, c] = t[c] · km(centre(i, c), i) + Σ_r A[l*(c), r] · km_source(centre, r)

tonne-km (``l*(c)`` is the cheapest line making ``c``; distances are road
distances = great circle × circuity), costing ``cost_per_tkm`` each.  The
array is computed once in :func:`regdev.design.problem.build_design_problem`;
this module aggregates it.

**The fair baseline (issue 17).**  A freight comparison alone favours local
production by construction: central plants are bigger and cheaper per unit.
:func:`fair_baseline` therefore prices each central plant with economies of
scale and compares *total* annual cost (production + transport).  A central
plant making ``Q`` units a year of category ``c`` on line ``l = l*(c)``, of
``q = max(Q, mes_l) / module_size_l`` module-equivalents, costs::

    plant(Q) = crf · capex_l · q ** a  +  wage · labour_l · q ** b  +  unit_cost_l · Q

(thousand USD a year, at the central tier).  ``a = 0.6`` is the *six-tenths
rule* of process-plant cost estimation — capital cost grows with capacity to
the power 0.6 (R. Williams Jr., "Six-tenths factor aids in approximating
costs", *Chemical Engineering* 54(12), 1947, pp. 124–125; the exponents that
F. T. Moore measured across industries, "Economies of scale: some statistical
evidence", *Quarterly Journal of Economics* 73(2), 1959, pp. 232–245, cluster
around 0.6–0.7).  ``b = 0.75`` for labour is a **planning assumption** (a
bigger plant needs fewer workers per unit, less markedly than capital).  Both
are :class:`~regdev.design.problem.DesignOptions` fields.

Hand-checked case: one module (``q = 1``) costs exactly the local module cost at
the central tier; a plant of 32 modules' capacity costs ``32 ** 0.6 = 8`` modules'
capital, a quarter of the capital per unit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from regdev.design.problem import DesignProblem

if TYPE_CHECKING:
    from regdev.design.result import DesignResult


def central_baseline(problem: DesignProblem) -> pd.DataFrame:
    """Tonne-km and transport cost of central supply, per region.

    Parameters
    ----------
    problem : DesignProblem

    Returns
    -------
    pandas.DataFrame
        Indexed by ``region_id``: ``baseline_tkm`` (t·km/yr) and
        ``baseline_transport_kusd`` (thousand USD/yr).

    Examples
    --------
    >>> from regdev.registry import toy_region
    >>> from regdev.design.problem import build_design_problem
    >>> b = central_baseline(build_design_problem(toy_region()))
    >>> bool((b["baseline_tkm"] > 0).all())
    True
    """
    tkm = (problem.demand * problem.baseline_tkm).sum(axis=1)
    return pd.DataFrame(
        {
            "baseline_tkm": tkm,
            "baseline_transport_kusd": tkm * problem.cost_per_tkm,
        },
        index=pd.Index(problem.region_ids, name="region_id"),
    )


def baseline_tkm_by_category(problem: DesignProblem) -> np.ndarray:
    """Baseline tonne-km per region and category (n × C)."""
    return np.asarray(problem.demand * problem.baseline_tkm)


def design_tkm_by_region(result: DesignResult) -> np.ndarray:
    """Tonne-km of the design that serve each region (n,).

    Shipments into it (arc length × weight), its central supply for the uncovered share
    (at the baseline's tonne-km per unit) and the haul of the raw materials it imports.
    """
    p, sol = result.problem, result.solution
    ship_tkm = (sol.s * p.tonnes_per_unit[None, :]).sum(axis=1) * p.arc_km
    tkm_in = np.zeros(p.n_regions)
    if len(p.arc_to):
        np.add.at(tkm_in, p.arc_to, ship_tkm)
    ext_tkm = (sol.e * p.baseline_tkm).sum(axis=1)
    imp_tkm = (sol.u * p.import_km).sum(axis=1)
    return np.asarray(tkm_in + ext_tkm + imp_tkm, dtype=float)


def scaled_plant_cost(
    quantity: float,
    *,
    capex_module: float,
    labour_module: float,
    module_size: float,
    mes: float,
    unit_cost: float,
    crf: float,
    wage_kusd: float,
    exponent_capex: float = 0.6,
    exponent_labour: float = 0.75,
) -> float:
    """Annual cost of one central plant making ``quantity`` units (thousand USD a year).

    See the module docstring for the formula and its sources.  Zero output costs nothing
    (no plant is built).

    Examples
    --------
    One module's capacity costs the module (capital 100 kUSD at crf 0.1, 10 workers at
    1 kUSD, 2 kUSD per unit for 50 units):

    >>> scaled_plant_cost(50, capex_module=100, labour_module=10, module_size=50, mes=50,
    ...                   unit_cost=2, crf=0.1, wage_kusd=1)
    120.0

    32 modules' capacity: capital 32 ** 0.6 = 8 modules, labour 32 ** 0.75 ≈ 13.45 modules:

    >>> round(scaled_plant_cost(1600, capex_module=100, labour_module=10, module_size=50,
    ...                         mes=50, unit_cost=2, crf=0.1, wage_kusd=1), 2)
    3414.54
    """
    if quantity <= 0:
        return 0.0
    q = max(quantity, mes) / module_size
    return float(
        crf * capex_module * q**exponent_capex
        + wage_kusd * labour_module * q**exponent_labour
        + unit_cost * quantity
    )


def _centre_index(problem: DesignProblem) -> tuple[list[str], list[str]]:
    seats = [str(s) for s in problem.metadata.get("centre_seat", problem.region_ids)]
    capital = str(problem.metadata.get("capital_id", ""))
    return seats, [capital] * problem.n_regions


def central_production_cost(problem: DesignProblem, quantity: np.ndarray) -> float:
    """Production cost (kUSD/yr) of central plants supplying ``quantity`` (n × C units/yr).

    Basic categories are made at each region's province seat, characteristic ones at the
    capital (as in the baseline); the quantity of all regions a centre serves is made in
    one plant per category, priced by :func:`scaled_plant_cost`.
    """
    meta = problem.metadata
    opts = problem.options
    best = meta.get("central_best_line")
    capex = meta.get("central_capex_module")
    labour = meta.get("central_labour_module")
    if best is None or capex is None or labour is None:
        # a problem built by hand: the central tier's prices are the regions' first tier's
        best = [
            int(np.flatnonzero(problem.line_category == c)[0])
            if (problem.line_category == c).any()
            else -1
            for c in range(len(problem.categories))
        ]
        capex = problem.capex_per_module[0].tolist() if problem.n_regions else []
        labour = problem.labour_per_module[0].tolist() if problem.n_regions else []
    seats, capital = _centre_index(problem)
    total = 0.0
    for c in range(len(problem.categories)):
        k = int(best[c])
        if k < 0:
            continue
        centres = seats if problem.category_basic[c] else capital
        per_centre: dict[str, float] = {}
        for i, centre in enumerate(centres):
            per_centre[centre] = per_centre.get(centre, 0.0) + float(quantity[i, c])
        for q in per_centre.values():
            total += scaled_plant_cost(
                q,
                capex_module=float(capex[k]),
                labour_module=float(labour[k]),
                module_size=float(problem.module_size[k]),
                mes=float(problem.mes[k]),
                unit_cost=float(problem.unit_cost[k]),
                crf=opts.crf,
                wage_kusd=opts.wage_usd / 1000.0,
                exponent_capex=opts.scale_exponent_capex,
                exponent_labour=opts.scale_exponent_labour,
            )
    return total


def fair_baseline(result: DesignResult) -> dict[str, Any]:
    """Total annual cost of the design against central plants with economies of scale.

    Returns
    -------
    dict
        ``baseline_production_kusd``, ``baseline_transport_kusd``,
        ``baseline_total_cost_kusd`` (everything made centrally, plants priced by
        :func:`scaled_plant_cost`); ``design_production_kusd`` (the counties' lines:
        annualised capital, labour, operating and raw-material cost),
        ``design_central_kusd`` (the uncovered demand from central plants of the same
        cost curve), ``design_transport_kusd``, ``design_total_cost_kusd``;
        ``total_cost_saved_kusd`` and ``total_cost_saved_share`` (baseline − design,
        positive when the design is cheaper); the exponents used.
    """
    p, sol = result.problem, result.solution
    base_prod = central_production_cost(p, p.demand)
    base_tr = float((p.demand * p.baseline_tkm).sum()) * p.cost_per_tkm
    local_prod = float((sol.m * p.module_cost).sum() + (sol.x * p.unit_cost[None, :]).sum())
    central = central_production_cost(p, np.asarray(sol.e, dtype=float))
    design_tr = float(design_tkm_by_region(result).sum()) * p.cost_per_tkm
    base_total = base_prod + base_tr
    design_total = local_prod + central + design_tr
    return {
        "baseline_production_kusd": base_prod,
        "baseline_transport_kusd": base_tr,
        "baseline_total_cost_kusd": base_total,
        "design_production_kusd": local_prod,
        "design_central_kusd": central,
        "design_transport_kusd": design_tr,
        "design_total_cost_kusd": design_total,
        "total_cost_saved_kusd": base_total - design_total,
        "total_cost_saved_share": (base_total - design_total) / base_total
        if base_total > 0
        else 0.0,
        "scale_exponent_capex": p.options.scale_exponent_capex,
        "scale_exponent_labour": p.options.scale_exponent_labour,
    }
