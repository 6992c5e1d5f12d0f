"""``plan()``: problem → solve → explanations → design → report, one stage after the other.

Each stage is a function of the previous stages' results; none of them
writes a file.  The stages, and what a follow-up changes where:

``problem``  registry + scenario (+ options.history) → :class:`~regdev.planning.PlanningProblem`
             (:func:`stage_problem`: the one place where history or actual locks enter);
``solve``    :func:`regdev.planning.plan_rollout` → :class:`~regdev.planning.Plan`;
``explain``  dossiers, with the cost of moving the factories earlier for the
             ``explain_last`` lowest-ranked regions scheduled last (a re-solve each);
``design``   the factory design of every county the plan schedules, with the
             registry the plan was made from (:func:`stage_design`);
``report``   ``report.html`` from the plan, the dossiers and the design.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from regdev.pipeline.options import PlanOptions, Progress, ProgressFn
from regdev.pipeline.result import PlanResult

if TYPE_CHECKING:
    import pandas as pd

    from regdev.design.result import DesignResult
    from regdev.planning import Plan, PlanningProblem, Scenario, SolverOptions
    from regdev.planning.history import Fact
    from regdev.registry import RegionRegistry
    from regdev.reporting.sections import Report


def load_registry(regions: RegionRegistry | str | os.PathLike[str] | None) -> RegionRegistry:
    """The regions to plan: the embedded default country, a registry, or a table to read."""
    from regdev.registry import RegionRegistry, load_default, read_regions

    if regions is None:
        return load_default()
    if isinstance(regions, RegionRegistry):
        return regions
    return read_regions(regions)


def load_scenario_input(scenario: Scenario | str | os.PathLike[str] | None) -> Scenario:
    """The scenario: the shipped defaults, a :class:`Scenario`, or a TOML file over the defaults."""
    from regdev.planning import Scenario, load_scenario

    if isinstance(scenario, Scenario):
        return scenario
    return load_scenario(None if scenario is None else Path(scenario))


def solver_options(options: PlanOptions) -> SolverOptions:
    """The rollout solver's options from the pipeline's."""
    from regdev.planning import SolverOptions

    return SolverOptions(
        time_limit=options.time_limit,
        mip_rel_gap=options.mip_rel_gap,
        threads=options.threads,
        strategy=options.strategy,
    )


# --------------------------------------------------------------------- stages
@dataclass(frozen=True, eq=False)
class Actuals:
    """What the tracked projects say, for re-planning (``regdev plan --actuals``).

    Attributes
    ----------
    facts : tuple of regdev.planning.history.Fact
        From :func:`regdev.planning.actuals.facts_from_records`.
    source : str
        Where they were read (a database URL without password, or a file).
    as_of : datetime.date
        The day they describe; years before
        :func:`regdev.planning.actuals.first_open_year` take no new project.
    """

    facts: tuple[Fact, ...]
    source: str
    as_of: dt.date


def stage_problem(
    registry: RegionRegistry,
    scenario: Scenario,
    options: PlanOptions,
    actuals: Actuals | None = None,
) -> PlanningProblem:
    """The planning problem (history per ``options.history``, the actuals, the scenario)."""
    from regdev.planning import build_problem
    from regdev.planning.actuals import first_open_year

    if actuals is None:
        return build_problem(registry, scenario, history=options.history)
    return build_problem(
        registry,
        scenario,
        history=options.history,
        actuals=list(actuals.facts),
        actuals_source=actuals.source,
        open_from=first_open_year(actuals.as_of),
    )


def stage_solve(problem: PlanningProblem, options: PlanOptions, say: ProgressFn) -> Plan:
    """Check, build and solve the rollout."""
    from regdev.planning import plan_rollout

    def stage(name: str) -> None:
        say(Progress("solve", f"{name} ({problem.n_regions} regions)"))

    return plan_rollout(problem, options=solver_options(options), progress=stage)


def stage_explain(plan: Plan, options: PlanOptions, say: ProgressFn) -> list[dict[str, Any]]:
    """Dossiers, with the move-earlier cost of the ``explain_last`` regions scheduled last."""
    from regdev.planning import build_dossiers, move_earlier_cost
    from regdev.planning.explain import MoveEarlierBounds, last_scheduled

    targets = last_scheduled(plan, options.explain_last) if options.explain_last else []
    message = "explaining (moving factories one year earlier)"
    moves: dict[str, dict[str, Any]] = {}
    solver = solver_options(options)
    # issue 9: one warm-started LP settles most costs; the full re-solve only where it cannot
    bounds = MoveEarlierBounds(plan) if targets and plan.model is not None else None
    for k, rid in enumerate(targets):
        say(Progress("explain", message, k, len(targets)))
        moves[rid] = move_earlier_cost(plan, rid, solver, bounds=bounds)
    say(Progress("explain", message, len(targets), len(targets)))
    return build_dossiers(plan, moves=moves)


@dataclass(frozen=True, eq=False)
class DesignStage:
    """What the design stage gives the rest of the pipeline.

    Attributes
    ----------
    result : DesignResult or None
        ``None`` when the design was skipped.
    summary : dict
        For ``plan.json["extensions"]["factory-design"]``: status, gap,
        certificate and claims, or ``{"status": "skipped", "reason": ...}``.
    tables : dict of str to DataFrame
        The design's plan-folder tables by file name.
    dossier_entries : dict of str to dict
        ``region_id -> {"factory_design": ...}`` for the plan's dossiers.
    facilities : DataFrame or None
        ``facilities.csv`` with the factory rows from the design.
    """

    result: DesignResult | None
    summary: dict[str, Any]
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    dossier_entries: dict[str, dict[str, Any]] = field(default_factory=dict)
    facilities: pd.DataFrame | None = None


def stage_design(plan: Plan, registry: RegionRegistry, options: PlanOptions) -> DesignStage:
    """The factory design of the counties the plan schedules, with the registry it planned with."""
    from regdev.design import design_for_plan
    from regdev.design.for_plan import (
        facilities_with_design,
        plan_dossier_entries,
        plan_summary,
        plan_tables,
        skipped_summary,
    )
    from regdev.units import UnitOfAccount

    schedule = plan.schedule_frame(allow_feasible=True)
    n_fac = int(schedule["facility"].isin(["factories"]).sum())
    if n_fac == 0:
        return DesignStage(
            None, skipped_summary("the plan schedules no factories; nothing to design")
        )
    if n_fac > options.max_design_regions:
        reason = (
            f"{n_fac} factory groups exceed the pipeline's limit of {options.max_design_regions} "
            "(PlanOptions.max_design_regions); design them per province or cohort with "
            "regdev.design.design(registry, regions=...)"
        )
        return DesignStage(None, skipped_summary(reason))
    catalogue = None
    if options.catalogue is not None:
        from regdev.design import load_catalogue_dir

        catalogue = load_catalogue_dir(options.catalogue)
    # one tier scale: the plan's ladder maps onto the catalogue the same way everywhere
    scale = (int(plan.problem.tiers.min()), int(plan.problem.tiers.max()))
    result = design_for_plan(registry, schedule, catalogue=catalogue, tier_scale=scale)
    unit = UnitOfAccount.from_dict(plan.problem.metadata.get("unit_of_account"))
    return DesignStage(
        result,
        plan_summary(result, unit),
        plan_tables(result, unit),
        plan_dossier_entries(result, unit),
        facilities_with_design(plan.problem.facilities_table, result),
    )


def stage_report(
    plan: Plan,
    dossiers: list[dict[str, Any]],
    design: DesignResult | None,
    changes: pd.DataFrame | None = None,
    previous: str | None = None,
    *,
    registry: RegionRegistry | None = None,
    tables: dict[str, pd.DataFrame] | None = None,
) -> Report:
    """``report.html`` and its sections, in the current language.

    With what the plan takes as given (history, actuals, conflicts) and, against a
    previous plan, what changed (issue 10).  Tables that no section knows are listed
    generically.
    """
    from regdev.reporting import build_report
    from regdev.reporting.cohorts import cohort_section
    from regdev.reporting.history import changes_section, history_section

    extra = [
        s
        for s in (
            history_section(plan.problem.metadata.get("history")),
            changes_section(changes, previous),
            cohort_section(plan),  # issue 9: who comes first
        )
        if s is not None
    ]
    return build_report(
        plan,
        dossiers,
        schedule=plan.schedule_frame(allow_feasible=True),
        design=design,
        extra_sections=extra,
        registry=registry,
        tables=tables,
    )


# ------------------------------------------------------------------- pipeline
def plan(
    regions: RegionRegistry | str | os.PathLike[str] | None = None,
    scenario: Scenario | str | os.PathLike[str] | None = None,
    *,
    options: PlanOptions | None = None,
    progress: ProgressFn | None = None,
    actuals: Actuals | None = None,
    previous: str | os.PathLike[str] | None = None,
) -> PlanResult:
    """Plan the programme: problem → solve → explanations → design → report.

    Parameters
    ----------
    regions : RegionRegistry or path-like, optional
        The regions (default: the embedded default country); a path is read
        with :func:`regdev.registry.read_regions`.
    scenario : Scenario or path-like, optional
        The scenario (default: the shipped one); a path is a TOML file merged
        over the defaults (:func:`regdev.planning.load_scenario`).
    options : PlanOptions, optional
        Time limit, explanations, history, design and report switches.
    progress : callable, optional
        Receives a :class:`~regdev.pipeline.options.Progress` at every step.
    actuals : Actuals, optional
        Re-plan from what the tracked projects say (built and under-construction
        projects fixed with their real dates, late ones with their slip,
        cancelled ones back in the pool; passed years closed).
    previous : path-like, optional
        A previous plan folder: ``changes.csv`` (moved, added, dropped, with
        the reason) and the report's "what changed since the last plan".

    Returns
    -------
    PlanResult
        Frozen; write it with :meth:`PlanResult.write` /
        :func:`regdev.pipeline.write_plan`.  When the solver finds no schedule
        (e.g. a time limit too short), ``result.plan.status`` says so and the
        later stages are skipped (no dossiers, design or report).

    Raises
    ------
    InfeasibleSpecificationError
        When the scenario is infeasible (the message names the constraint family).
    DataValidationError, ConfigError
        For bad regions, scenario or options.

    Examples
    --------
    >>> import regdev
    >>> from regdev.registry import toy_region
    >>> from regdev.planning import load_scenario
    >>> sc = load_scenario().with_updates(factories={"per_year": 2}, history={"enabled": False})
    >>> result = regdev.plan(toy_region(), sc, options=regdev.PlanOptions(explain_last=1))
    >>> result.status, result.design.status, len(result.dossiers)
    ('optimal', 'optimal', 5)
    >>> sorted(result.tables)
    ['factories.csv', 'factory_claims.csv', 'factory_raw_materials.csv']
    """
    from regdev.design.for_plan import EXTENSION_NAME

    opts = options or PlanOptions()
    say: ProgressFn = progress or (lambda _event: None)
    timings: dict[str, float] = {}
    t_start = t = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal t
        now = time.perf_counter()
        timings[name] = now - t
        t = now

    say(Progress("problem", "loading regions and scenario"))
    registry = load_registry(regions)
    sc = load_scenario_input(scenario)
    old_schedule = None
    if previous is not None:
        from regdev.pipeline.changes import read_previous_schedule

        old_schedule = read_previous_schedule(previous)
    problem = stage_problem(registry, sc, opts, actuals)
    lap("problem")
    rollout = stage_solve(problem, opts, say)
    lap("solve")
    dossiers: list[dict[str, Any]] = []
    design: DesignResult | None = None
    extensions: dict[str, dict[str, Any]] = {}
    tables: dict[str, pd.DataFrame] = {}
    facilities: pd.DataFrame | None = None
    report: Report | None = None
    changes: pd.DataFrame | None = None
    if rollout.has_solution and old_schedule is not None:
        from regdev.pipeline.changes import plan_changes

        as_of = actuals.as_of.isoformat() if actuals is not None else None
        changes = plan_changes(old_schedule, rollout, as_of=as_of)
        tables["changes.csv"] = changes
    if rollout.has_solution:
        dossiers = stage_explain(rollout, opts, say)
        lap("explain")
        if opts.design:
            say(Progress("design", f"designing the factories ({problem.n_regions} regions)"))
            done = stage_design(rollout, registry, opts)
            design, facilities = done.result, done.facilities
            tables.update(done.tables)
            extensions[EXTENSION_NAME] = done.summary
            for d in dossiers:
                d.update(done.dossier_entries.get(d["region_id"], {}))
        lap("design")
        if opts.report:
            say(Progress("report", "writing the report"))
            report = stage_report(
                rollout,
                dossiers,
                design,
                changes,
                None if previous is None else str(previous),
                registry=registry,
                tables=tables,
            )
        lap("report")
    timings["total"] = time.perf_counter() - t_start
    meta = problem.metadata
    metadata = {
        "regdev_version": meta.get("regdev_version"),
        "input_hash": problem.input_hash,
        "registry_source": meta.get("registry_source"),
        "registry_hash": meta.get("registry_hash"),
        "scenario": sc.name,
        "solver": dict(rollout.solver),
        "options": opts.to_dict(),
    }
    return PlanResult(
        plan=rollout,
        dossiers=tuple(dossiers),
        design=design,
        report=report,
        tables=tables,
        extensions=extensions,
        facilities=facilities,
        registry=registry,
        scenario=sc,
        options=opts,
        metadata=metadata,
        timings=timings,
    )
