"""Factory designer: production lines and capacities from population, demand and raw materials.

Public API::

    load_catalogue()          production lines, per-capita demand, supply coefficients
    load_catalogue_dir(DIR)   a country's own catalogue folder (lines/demand/supply/unused.csv)
    build_demand() / build_supply()
    DesignOptions             model parameters with documented defaults
    build_design_problem()    registry + catalogue -> DesignProblem (arrays)
    build_model()             DesignProblem -> sparse MILP (HiGHS)
    solve_design()            -> DesignResult (status, gap, factories, claims, dossiers)
    design()                  build + solve in one call
    design_for_plan()         the factory groups of a rollout plan (used by regdev.plan)
    central_baseline()        central-supply transport baseline
    what_if()                 force / forbid a line, re-solve, report the difference

The model is built and solved through :mod:`regdev._milp`, the modelling layer
shared with the planner (one ``define_*`` function per constraint family, one
status vocabulary, a feasibility certificate).  This package does not import
the planner: :mod:`regdev.pipeline` hands it the plan's schedule and registry.
"""

from __future__ import annotations

from regdev.design.api import design, design_for_plan, scope_regions
from regdev.design.baseline import central_baseline
from regdev.design.catalogue import STANDARD_GROUPS, Catalogue, load_catalogue, load_catalogue_dir
from regdev.design.claims import county_claims, national_claims
from regdev.design.demand import build_demand
from regdev.design.explain import WhatIf, line_reasons, what_if
from regdev.design.model import DesignModel, DesignSolution, build_model
from regdev.design.problem import DesignOptions, DesignProblem, build_design_problem
from regdev.design.result import FACTORY_COLUMNS, DesignResult
from regdev.design.solve import solve_design
from regdev.design.supply import build_supply

__all__ = [
    "FACTORY_COLUMNS",
    "STANDARD_GROUPS",
    "Catalogue",
    "DesignModel",
    "DesignOptions",
    "DesignProblem",
    "DesignResult",
    "DesignSolution",
    "WhatIf",
    "build_demand",
    "build_design_problem",
    "build_model",
    "build_supply",
    "central_baseline",
    "county_claims",
    "design",
    "design_for_plan",
    "line_reasons",
    "load_catalogue",
    "load_catalogue_dir",
    "national_claims",
    "scope_regions",
    "solve_design",
    "what_if",
]
