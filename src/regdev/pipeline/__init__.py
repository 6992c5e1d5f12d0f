"""The one-way pipeline: problem → solve → explanations → design → report, then a pure writer.

Both the Python API (:func:`regdev.plan`) and the command line (``regdev plan``,
``regdev plan explain``, ``regdev plan design``) call these functions; the CLI
only parses its arguments and renders what they return.

Public API::

    plan(regions=None, scenario=None, *, options=None, progress=None,
         actuals=None, previous=None) -> PlanResult
    Actuals(facts, source, as_of)                re-plan from tracked projects (issue 10)
    write_plan(result, out_dir) -> Path          the plan folder, atomically; nothing else
    PlanResult.write(out_dir) -> Path            the same
    PlanOptions(time_limit=60, mip_rel_gap=1e-6, threads=None, strategy="auto",
                history=None, explain_last=20, design=True,
                max_design_regions=600, report=True)
    Progress(stage, message, done=0, total=None)  what the progress callback receives
    explain(region, plan_dir="out/plan", *, regions=None) -> RegionExplanation
    plan_design(region, plan_dir="out/plan", *, regions=None) -> PlanDesign   the stored design
    compare_with_plan(dossier, plan_design) -> dict   how a what-if differs from the plan
    design_region(region, *, regions=None, scope="province", year=2030, tier=2,
                  force_lines=(), forbid_lines=(), mps=None) -> RegionDesign

Dependency direction (checked by ``tests/unit/test_import_graph.py``)::

    registry ← planning, design ← reporting ← pipeline ← cli
            (all of them may use regdev._milp, regdev.errors, regdev._atomic)

The planner and the designer do not know about each other, the report or the
folder; the pipeline hands the designer the plan's schedule and the registry it
planned with, and the report the plan, the dossiers and the design.
"""

from __future__ import annotations

from regdev.pipeline.options import STAGES, PlanOptions, Progress, ProgressFn
from regdev.pipeline.region import (
    PlanDesign,
    RegionDesign,
    RegionExplanation,
    compare_with_plan,
    design_region,
    explain,
    plan_design,
    plan_what_if,
)
from regdev.pipeline.result import PlanResult
from regdev.pipeline.run import Actuals, plan
from regdev.pipeline.writer import write_plan

__all__ = [
    "Actuals",
    "STAGES",
    "PlanOptions",
    "PlanDesign",
    "PlanResult",
    "Progress",
    "ProgressFn",
    "RegionDesign",
    "RegionExplanation",
    "compare_with_plan",
    "design_region",
    "explain",
    "plan",
    "plan_design",
    "plan_what_if",
    "write_plan",
]
