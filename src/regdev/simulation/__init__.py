"""Regional economy and disparity simulator: what a plan does, with its uncertainty.

Public API::

    simulate(plan, ...)            plan folder / PlanResult -> SimulationResult (Dask)
    SimulationResult               tables + write(out_dir) (the outcomes folder)
    load_coefficients(path)        the model's coefficients (TOML + IO table)
    read_plan_folder(path)         the one adapter to the planner's files
    indicators                     gini, theil_t, theil_l, theil_decomposition, cv, ...

See ``docs/simulation.md`` for the model, its coefficients and their sources.
"""

from __future__ import annotations

from regdev.simulation.coefficients import Coefficients, load_coefficients
from regdev.simulation.planfolder import PlanInputs, empty_plan, read_plan_folder
from regdev.simulation.result import SimulationResult
from regdev.simulation.run import simulate

__all__ = [
    "Coefficients",
    "PlanInputs",
    "SimulationResult",
    "empty_plan",
    "load_coefficients",
    "read_plan_folder",
    "simulate",
]
