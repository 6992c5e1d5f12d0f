"""The factory designer's plan hook: ``regdev plan`` also writes ``factories.csv``.

Registered with :func:`regdev.planning.hooks.register_plan_hook` when
:mod:`regdev.design` is imported (the planner imports it to discover hooks).
For every county the plan schedules factories for, the hook designs the
factory group (:func:`regdev.design.design_for_plan`) and adds

* ``factories.csv`` — :data:`regdev.design.result.FACTORY_COLUMNS`;
* ``factory_claims.csv`` — per-county transport saved, jobs, local shares;
* ``factory_raw_materials.csv`` — the raw-material base each design needs
  (``region_id, resource, need_t, local_supply_t, imported_t``);
* a report section (map of lines by county, savings chart, line types ×
  provinces, lines of each county);
* ``factory_design`` in each county's dossier (lines with modules and why);
* the design's status, objective, bound, gap and national claims in
  ``plan.json["extensions"]["factory-design"]``.

The registry is recovered from the plan's metadata (the embedded default
country, the toy region, or the file it was read from) and checked against
the plan's registry hash; when that is impossible (an in-memory or synthetic
registry), or the plan has more than :data:`MAX_HOOK_REGIONS` factory groups,
the hook adds only ``{"status": "skipped", "reason": ...}`` to ``plan.json``.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from regdev.planning.hooks import PlanExtension
    from regdev.registry import RegionRegistry

HOOK_NAME = "factory-design"

MAX_HOOK_REGIONS = 600
"""Largest number of factory groups the plan hook designs in one national model."""


def registry_of_plan(plan: Any) -> RegionRegistry | None:
    """The region registry a plan was made from, or ``None`` when it cannot be recovered."""
    from regdev.registry import load_default, read_regions, toy_region

    meta = getattr(getattr(plan, "problem", None), "metadata", {}) or {}
    source = str(meta.get("registry_source", ""))
    want = meta.get("registry_hash")
    candidates = []
    default = load_default()
    if source == default.source:
        candidates.append(default)
    elif source == "regdev:toy_region":
        candidates.append(toy_region())
    elif source and Path(source).exists():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            candidates.append(read_regions(source))
    for reg in candidates:
        if want is None or reg.content_hash() == want:
            return reg
    return None


def _short_why(line: dict[str, Any]) -> str:
    why = str(line.get("why", ""))
    return why.split(";")[0]


def factory_design_hook(plan: Any, dossiers: list[dict[str, Any]]) -> PlanExtension:
    """Plan hook: design the plan's factory groups (see the module docstring)."""
    from regdev.design.api import design_for_plan
    from regdev.planning.hooks import PlanExtension, ReportSection

    registry = registry_of_plan(plan)
    if registry is None:
        reason = (
            "the plan's region table could not be recovered from its metadata "
            "(in-memory or synthetic registry); run regdev.design.design_for_plan(registry, plan)"
        )
        return PlanExtension(plan_json={"status": "skipped", "reason": reason})
    schedule = plan.schedule_frame(allow_feasible=True)
    n_fac = int(schedule["facility"].isin(["factories"]).sum())
    if n_fac > MAX_HOOK_REGIONS:
        reason = (
            f"{n_fac} factory groups exceed the plan hook's limit of {MAX_HOOK_REGIONS}; "
            "design them per province or cohort with regdev.design.design(registry, regions=...)"
        )
        return PlanExtension(plan_json={"status": "skipped", "reason": reason})
    result = design_for_plan(registry, schedule)
    fac = result.factories_frame()
    claims = result.claims_frame().reset_index()
    entries: dict[str, dict[str, Any]] = {}
    for rid, d in result.dossiers().items():
        entries[rid] = {
            "factory_design": {
                "lines": [
                    f"{ln['line']} x{ln['modules']} ({ln['capacity']:,.0f} {ln['unit']}/yr): {_short_why(ln)}"
                    for ln in d["lines"]
                ],
                "jobs": d["jobs"],
                "capital_cost_kusd": d["capital_cost_kusd"],
                "local_share": d["local_share"],
                "nearby_share": d["nearby_share"],
                "tkm_saved": d["tkm_saved"],
            }
        }
    summary = result.summary()
    from regdev.design.report import section_body

    # issue 17: what the designer assumed for missing data (e.g. no coordinates: no trade)
    assumed = list(result.problem.metadata.get("assumptions", []))
    body = section_body(result)
    if assumed:
        import html

        items = "".join(f"<li>{html.escape(a)}</li>" for a in assumed)
        body = f'<div class="tight"><b>Assumed for missing data</b><ul>{items}</ul></div>' + body

    return PlanExtension(
        files={
            "factories.csv": fac.to_csv(index=False, lineterminator="\n", float_format="%.6g"),
            "factory_claims.csv": claims.to_csv(
                index=False, lineterminator="\n", float_format="%.6g"
            ),
            "factory_raw_materials.csv": result.raw_material_base().to_csv(
                index=False, lineterminator="\n", float_format="%.6g"
            ),
        },
        sections=[
            ReportSection(
                "factory-design",
                "Factory design: production lines by county",
                body,
                order=70,
            )
        ],
        dossier_entries=entries,
        plan_json={
            **{k: v for k, v in summary.items() if k not in ("wall_time_s", "solve_time_s")},
            "assumptions": assumed,
        },
    )


def register() -> None:
    """Register :func:`factory_design_hook` with the planner (no-op without it)."""
    try:
        from regdev.planning.hooks import register_plan_hook
    except ImportError:  # the planner is optional for the designer
        return
    register_plan_hook(HOOK_NAME, factory_design_hook)
