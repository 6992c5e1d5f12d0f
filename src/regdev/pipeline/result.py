"""The one result object of :func:`regdev.plan`."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from regdev.pipeline.options import PlanOptions

if TYPE_CHECKING:
    import pandas as pd

    from regdev.design.result import DesignResult
    from regdev.planning.plan import Plan
    from regdev.planning.scenario import Scenario
    from regdev.registry import RegionRegistry
    from regdev.reporting.sections import Report


@dataclass(frozen=True, eq=False)
class PlanResult:
    """Everything one run of the pipeline made (frozen; write it with :meth:`write`).

    Attributes
    ----------
    plan : regdev.planning.Plan
        The rollout plan (status, objective, bound, gap, certificate, schedule).
    dossiers : tuple of dict
        One dossier per programme region (sorted by id), with the cost of
        moving the factories earlier where computed and the county's
        ``factory_design`` when there is a design.  Empty without a solution.
    design : regdev.design.DesignResult or None
        The factory design of the plan's counties (``None`` when switched off,
        skipped or without a solution; ``extensions`` says why).
    report : regdev.reporting.Report or None
        ``report.html`` and its sections (``None`` when switched off or without a solution).
    tables : mapping of str to pandas.DataFrame
        Further tables of the plan folder by file name (the design's
        ``factories.csv``, ``factory_claims.csv``, ``factory_raw_materials.csv``).
    extensions : mapping of str to dict
        ``plan.json["extensions"]`` (the design's status, gap, certificate,
        claims — or ``{"status": "skipped", "reason": ...}``).
    registry : regdev.registry.RegionRegistry
        The regions planned (and designed) with.
    scenario : regdev.planning.Scenario
        The scenario planned with.
    options : PlanOptions
    metadata : mapping
        ``regdev_version``, ``input_hash``, ``registry_source``, ``registry_hash``,
        ``scenario``, ``solver``, ``options``.
    facilities : pandas.DataFrame or None
        ``facilities.csv`` with the factory rows from the design (issue 10);
        ``None``: the planner's sizing table as it is.
    timings : mapping of str to float
        Seconds per stage (``problem``, ``solve``, ``explain``, ``design``,
        ``report``) and ``total``.
    """

    plan: Plan
    dossiers: tuple[dict[str, Any], ...]
    design: DesignResult | None
    report: Report | None
    tables: Mapping[str, pd.DataFrame]
    extensions: Mapping[str, dict[str, Any]]
    registry: RegionRegistry
    scenario: Scenario
    options: PlanOptions = field(default_factory=PlanOptions)
    metadata: Mapping[str, Any] = field(default_factory=dict)
    timings: Mapping[str, float] = field(default_factory=dict)
    facilities: pd.DataFrame | None = field(default=None, repr=False)

    @property
    def status(self) -> str:
        """The rollout's solve status (``optimal``, ``feasible``, …)."""
        return str(self.plan.status)

    @property
    def has_solution(self) -> bool:
        """Whether the rollout has a schedule (optimal, or feasible at a time limit)."""
        return self.plan.has_solution

    @property
    def schedule(self) -> pd.DataFrame:
        """The schedule (``schedule.csv``), also of a plan stopped at its time limit."""
        return self.plan.schedule_frame(allow_feasible=True)

    def summary(self) -> dict[str, Any]:
        """Key figures as a JSON-ready dict (what ``regdev plan --json`` prints, without paths).

        Raises
        ------
        NotSolvedError
            When the plan has no solution.
        """
        plan = self.plan
        sched = self.schedule
        left = plan.left_out(allow_feasible=True)
        first = sched[sched["facility"] == "factories"].groupby("year").size()
        return {
            "status": plan.status,
            "objective": plan.objective,
            "bound": plan.bound,
            "gap": plan.gap,
            "greedy_objective": plan.greedy_objective,
            "solve_time_s": round(plan.solve_time_s, 3),
            "n_regions": plan.problem.n_regions,
            "n_projects": len(sched),
            "n_locked": int(sched["locked"].sum()),
            "n_left_out": len(left),
            "factories_per_year": {str(int(k)): int(v) for k, v in first.items()},
            "total_cost": round(float(sched["cost"].sum()), 3),
            "unit_of_account": (plan.problem.metadata.get("unit_of_account") or {}).get(
                "name", "M USD"
            ),
            # issue 10: conflicts between the scenario's locks (or events) and the data
            "history_conflicts": list(
                (plan.problem.metadata.get("history") or {}).get("conflicts", [])
            ),
            "input_hash": plan.problem.input_hash,
        }

    def write(self, out_dir: str | os.PathLike[str]) -> Path:
        """Write the plan folder (see :func:`regdev.pipeline.write_plan`)."""
        from regdev.pipeline.writer import write_plan

        return write_plan(self, out_dir)
