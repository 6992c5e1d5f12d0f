"""Health network: first-aid posts between county hospitals and ri clinics.

Public API::

    synthetic_settlements(registry)   villages of every region (labelled synthetic)
    read_settlements(path)            a validated village file (CSV / GeoJSON / GPKG)
    TravelParameters, crow_minutes    great-circle × circuity ÷ terrain speed
    read_network, network_minutes     road network → shortest-path minutes
    solve_pmedian                     exact p-median with a proven bound
    solve_mclp, solve_lscp            maximal covering, location set covering (exact)
    solve_mclp_lagrangian             MCLP with a certified gap at national scale
    solve_hierarchical                village → first-aid post → county hospital
    county_problem, site_county       one county, any model
    site_all                          every county, in parallel, with proofs
    posts_per_region                  sited post counts (for the planner's facilities.csv)
    coverage_table, coverage_curve    coverage by county; population within t vs posts
    staffing_table, training_requirement   staff, medicines, training by province and year
"""

from __future__ import annotations

from regdev.health.covering import (
    CoverResult,
    solve_lscp,
    solve_mclp,
    solve_mclp_lagrangian,
)
from regdev.health.hierarchical import HierarchicalResult, solve_hierarchical
from regdev.health.pmedian import PMedianResult, solve_pmedian
from regdev.health.settlements import is_synthetic, read_settlements, synthetic_settlements
from regdev.health.siting import (
    CountySiting,
    county_problem,
    coverage_curve,
    coverage_table,
    hospital_regions,
    posts_per_region,
    site_all,
    site_county,
)
from regdev.health.staffing import (
    load_norms,
    staffing_table,
    training_lead_years,
    training_requirement,
)
from regdev.health.travel import (
    RoadNetwork,
    TravelParameters,
    crow_minutes,
    network_minutes,
    read_network,
)

__all__ = [
    "CountySiting",
    "CoverResult",
    "HierarchicalResult",
    "PMedianResult",
    "RoadNetwork",
    "TravelParameters",
    "county_problem",
    "coverage_curve",
    "coverage_table",
    "crow_minutes",
    "hospital_regions",
    "is_synthetic",
    "load_norms",
    "network_minutes",
    "posts_per_region",
    "read_network",
    "read_settlements",
    "site_all",
    "site_county",
    "solve_hierarchical",
    "solve_lscp",
    "solve_mclp",
    "solve_mclp_lagrangian",
    "solve_pmedian",
    "staffing_table",
    "synthetic_settlements",
    "training_lead_years",
    "training_requirement",
]
