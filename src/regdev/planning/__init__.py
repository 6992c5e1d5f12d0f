"""Planning: the optimal ten-year rollout (20×10) with facility sizing.

The chain (STYLE.md §4)::

    registry + scenario --build_problem--> PlanningProblem --check_problem--> (raises early)
      --build_model--> RolloutModel --solve_model--> SolveResult --> Plan

The planner knows nothing of the factory designer, the report or the plan
folder as a whole: :func:`regdev.plan` (:mod:`regdev.pipeline`) runs problem →
solve → explanations → design → report, and :func:`regdev.pipeline.write_plan`
writes the folder.  This package imports neither :mod:`regdev.design` nor
:mod:`regdev.reporting`.

Stable public API (used by the pipeline, the CLI and the monitoring service)::

    load_scenario(path | None) -> Scenario          defaults from data/default_scenario.toml
    build_problem(registry, scenario=None, *, history=None) -> PlanningProblem
    plan_rollout(problem, *, options=None, extra_constraints=None, progress=None) -> Plan
    read_plan(plan_dir, registry=None) -> Plan      a written folder back (no re-solve)
    build_dossiers(plan, *, move_earlier=None, moves=None) -> list[dict]
    explain_region(plan, region) -> dict
    greedy_plan(problem) -> GreedyResult           the baseline
    write_mps(plan, path) -> Path                   the model, atomically

Example
-------
>>> from regdev.registry import toy_region
>>> from regdev.planning import build_problem, load_scenario, plan_rollout
>>> sc = load_scenario().with_updates(factories={"per_year": 2}, history={"enabled": False})
>>> plan = plan_rollout(build_problem(toy_region(), sc))
>>> plan.status
'optimal'
>>> sorted(plan.schedule.query("facility == 'factories'").groupby("year").size().tolist())
[1, 2, 2]
"""

from __future__ import annotations

from regdev._milp import SolveStatus
from regdev.planning.checks import check_problem
from regdev.planning.explain import build_dossiers, explain_region, move_earlier_cost
from regdev.planning.greedy import GreedyResult, greedy_plan
from regdev.planning.model import RolloutModel, build_model
from regdev.planning.output import write_mps
from regdev.planning.plan import SCHEDULE_COLUMNS, Plan
from regdev.planning.problem import PlanningProblem, build_problem, build_problem_from_arrays
from regdev.planning.reading import read_plan
from regdev.planning.rollout import diagnose_infeasibility, plan_rollout
from regdev.planning.scenario import FACILITY_TYPES, Scenario, load_scenario
from regdev.planning.solve import SolverOptions, solve_model

__all__ = [
    "FACILITY_TYPES",
    "SCHEDULE_COLUMNS",
    "GreedyResult",
    "Plan",
    "PlanningProblem",
    "RolloutModel",
    "Scenario",
    "SolveStatus",
    "SolverOptions",
    "build_dossiers",
    "build_model",
    "build_problem",
    "build_problem_from_arrays",
    "check_problem",
    "diagnose_infeasibility",
    "explain_region",
    "greedy_plan",
    "load_scenario",
    "move_earlier_cost",
    "plan_rollout",
    "read_plan",
    "solve_model",
    "write_mps",
]
