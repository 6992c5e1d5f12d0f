"""One region at a time: explain a written plan's region, design one county (with what-ifs)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from regdev.pipeline.run import load_registry
from regdev.units import UnitOfAccount

if TYPE_CHECKING:
    from regdev.design import DesignResult, WhatIf
    from regdev.planning import Plan
    from regdev.registry import RegionRegistry


@dataclass(frozen=True, eq=False)
class RegionExplanation:
    """One region of a written plan explained (see :func:`explain`).

    Attributes
    ----------
    region_id : str
    dossier : dict
        The region's dossier (years, binding families, left out, and the cost
        of moving its factories one year earlier).
    plan : regdev.planning.Plan
        The plan read back from the folder.
    """

    region_id: str
    dossier: dict[str, Any]
    plan: Plan


def explain(
    region: str,
    plan_dir: str | os.PathLike[str] = "out/plan",
    *,
    regions: RegionRegistry | str | os.PathLike[str] | None = None,
) -> RegionExplanation:
    """Explain ``region`` of the plan written in ``plan_dir`` (one re-solve).

    Parameters
    ----------
    region : str
        Region id, name or alias.
    plan_dir : path-like
        A folder written by :func:`regdev.pipeline.write_plan`.
    regions : RegionRegistry or path-like, optional
        The regions the plan was made for (default: the embedded country).

    Raises
    ------
    NotFoundError
        No plan in ``plan_dir``, or an unknown region.
    ConfigError
        The plan was made from other regions or another scenario.
    """
    from regdev.planning import SolverOptions, explain_region, read_plan

    registry = load_registry(regions)
    plan = read_plan(plan_dir, registry)
    rid = registry.resolve(region)
    options = SolverOptions(time_limit=float(plan.solver.get("time_limit") or 60.0))
    dossier = explain_region(plan, rid, options)
    # issue 10: the county's one design, as the plan folder stores it
    stored = Path(plan_dir) / "dossiers.json"
    if stored.is_file():
        for d in _read_json(stored):
            if d.get("region_id") == rid and "factory_design" in d:
                dossier["factory_design"] = d["factory_design"]
    return RegionExplanation(rid, dossier, plan)


@dataclass(frozen=True, eq=False)
class RegionDesign:
    """One county's factory design (see :func:`design_region`).

    Attributes
    ----------
    region_id : str
    result : regdev.design.DesignResult
        The design of the whole scope (the county and those designed with it).
    dossier : dict
        The county's design dossier (lines, capacities, raw materials, why).
    what_if : regdev.design.WhatIf or None
        The forced / forbidden lines' alternative, when any were given.
    mps_path : pathlib.Path or None
        Where the design MILP was written, when asked.
    """

    region_id: str
    result: DesignResult
    dossier: dict[str, Any]
    what_if: WhatIf | None = None
    mps_path: Path | None = None
    basis: str = "fresh design"

    def summary(self) -> dict[str, Any]:
        """The design's solver facts and national claims (and ``mps`` when written)."""
        out = self.result.summary()
        if self.mps_path is not None:
            out["mps"] = str(self.mps_path)
        return out

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ``design`` (dossier), ``summary`` and ``what_if`` (with its ``design``)."""
        out: dict[str, Any] = {
            "design": self.dossier,
            "summary": self.summary(),
            "basis": self.basis,
        }
        if self.what_if is not None:
            out["what_if"] = self.what_if.to_dict()
            out["what_if"]["design"] = self.what_if.alternative.dossier(self.region_id)
        return out


def design_region(
    region: str,
    *,
    regions: RegionRegistry | str | os.PathLike[str] | None = None,
    scope: str = "province",
    year: int = 2030,
    tier: int | None = None,
    force_lines: Sequence[str] = (),
    forbid_lines: Sequence[str] = (),
    mps: str | os.PathLike[str] | None = None,
    catalogue: str | os.PathLike[str] | None = None,
) -> RegionDesign:
    """Design the factory group of ``region`` together with its scope; optionally a what-if.

    Parameters
    ----------
    region : str
        Region id, name, Korean name or alias.
    regions : RegionRegistry or path-like, optional
        The country (default: the embedded one).
    scope : {"province", "neighbourhood", "cohort", "national"}
        Regions designed together (see :func:`regdev.design.scope_regions`).
    year : int
        Year the demand is projected to.
    tier : int, optional
        Modernisation tier of every county of the scope on the plan's scale
        (the scenario's tier ladder, 1–10 by default), mapped onto the
        catalogue's levels as the plan maps it
        (:func:`regdev.design.plan_tier_to_catalogue`); default: the middle level.
    force_lines, forbid_lines : sequence of str
        Lines of ``region`` to force open / forbid in a what-if re-solve.
    mps : path-like, optional
        Also write the design MILP in MPS format here (atomically).
    catalogue : path-like, optional
        A catalogue folder (:func:`regdev.design.load_catalogue_dir`); default: the packaged one.

    Returns
    -------
    RegionDesign
    """
    from regdev.design import DesignOptions, design, load_catalogue_dir, scope_regions, what_if

    cat = None if catalogue is None else load_catalogue_dir(Path(catalogue))
    registry = load_registry(regions)
    rid = registry.resolve(region)
    ids = scope_regions(registry, rid, scope)  # type: ignore[arg-type]  # checked there
    level = 2 if tier is None else catalogue_level(tier)
    result = design(
        registry, regions=ids, options=DesignOptions(year=year), tiers=level, catalogue=cat
    )
    mps_path = result.write_mps(Path(mps)) if mps is not None else None
    alt = None
    if force_lines or forbid_lines:
        alt = what_if(
            result,
            force=[(rid, ln) for ln in force_lines],
            forbid=[(rid, ln) for ln in forbid_lines],
        )
    return RegionDesign(
        region_id=rid,
        result=result,
        dossier=result.dossier(rid),
        what_if=alt,
        mps_path=mps_path,
    )


def catalogue_level(tier: int, scenario: Any = None) -> int:
    """The catalogue level (1–3) of a plan tier, as the plan maps it (the scenario's ladder).

    Examples
    --------
    >>> catalogue_level(1), catalogue_level(5), catalogue_level(10)
    (1, 2, 3)
    """
    import pandas as pd

    from regdev.design.api import plan_tier_to_catalogue
    from regdev.errors import ConfigError
    from regdev.planning import load_scenario

    ladder = (scenario or load_scenario()).tier_levels()
    lo, hi = min(ladder), max(ladder)
    if not lo <= tier <= hi:
        msg = f"tier must be within the plan's tier scale {lo}–{hi}; got {tier}"
        raise ConfigError(msg)
    return int(plan_tier_to_catalogue(pd.Series([tier]), scale=(lo, hi)).iloc[0])


# --------------------------------------------------------- the plan's design
@dataclass(frozen=True, eq=False)
class PlanDesign:
    """One county's factory design as the plan folder stores it (see :func:`plan_design`).

    The one design of the county: ``factories.csv``, the ``factory_design`` of
    its dossier and ``regdev db import-plan`` all carry these lines.

    Attributes
    ----------
    region_id : str
    dossier : dict
        Keys as :meth:`regdev.design.DesignResult.dossier` (``lines`` with
        ``line, name, kind, modules, capacity, unit, utilisation, jobs,
        capital_cost, raw_materials_needed, why``; money in the plan's unit of
        account, ``unit_of_account``), plus ``plan_tier``.
    summary : dict
        The design's entry of ``plan.json["extensions"]``.
    plan_dir : pathlib.Path
    """

    region_id: str
    dossier: dict[str, Any]
    summary: dict[str, Any]
    plan_dir: Path
    unit: UnitOfAccount = field(default_factory=UnitOfAccount)

    def lines(self) -> list[dict[str, Any]]:
        """The production lines as stored (:func:`regdev.design.for_plan.line_record`)."""
        from regdev.design.for_plan import line_record

        return [line_record(ln) for ln in self.dossier["lines"]]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ``design``, ``summary`` and ``source`` (``plan``, with the folder)."""
        return {
            "design": self.dossier,
            "summary": self.summary,
            "source": {"kind": "plan", "plan_dir": str(self.plan_dir)},
        }


def _read_json(path: Path) -> Any:
    import json

    from regdev.errors import DataValidationError, Problem

    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise DataValidationError([Problem(str(path), exc.lineno, None, exc.msg)]) from None


def plan_design(
    region: str,
    plan_dir: str | os.PathLike[str] = "out/plan",
    *,
    regions: RegionRegistry | str | os.PathLike[str] | None = None,
) -> PlanDesign:
    """The factory design of ``region`` stored in the plan folder ``plan_dir`` (no solve).

    Raises
    ------
    NotFoundError
        No plan (or no design) in ``plan_dir``, an unknown region, or a county
        the plan designs no factories for (the message says why, e.g. built before).
    """
    import pandas as pd

    from regdev.errors import NotFoundError

    folder = Path(plan_dir)
    registry = load_registry(regions)
    rid = registry.resolve(region)
    if not (folder / "plan.json").is_file():
        msg = (
            f"no plan in {folder} (plan.json missing); run `regdev plan --out {folder}` first, "
            "or give a what-if option (--scope, --year, --tier, --force-line, --forbid-line) "
            "to design afresh"
        )
        raise NotFoundError(msg)
    meta = _read_json(folder / "plan.json")
    unit = UnitOfAccount.from_dict(meta.get("unit_of_account"))
    summary = dict((meta.get("extensions") or {}).get("factory-design") or {})
    doss = {d["region_id"]: d for d in _read_json(folder / "dossiers.json")}
    d = doss.get(rid)
    if d is None:
        msg = f"{rid} is not a programme region of the plan in {folder}"
        raise NotFoundError(msg)
    if not (folder / "factories.csv").is_file():
        why = summary.get("reason", "the plan folder has no factories.csv")
        msg = f"the plan in {folder} has no factory design: {why}"
        raise NotFoundError(msg)
    fd = d.get("factory_design")
    if fd is None:
        if "factories" in d.get("done_before_horizon", []):
            why = "its factories were built before the horizon (the plan takes them as given)"
        elif "factories" in d.get("left_out", {}):
            why = d["left_out"]["factories"]
        else:
            why = "the plan schedules no factories for it"
        msg = f"{d['name']} ({rid}) has no factory design in the plan in {folder}: {why}"
        raise NotFoundError(msg)
    fac = pd.read_csv(folder / "factories.csv", keep_default_na=False)
    rows = fac[fac["region_id"] == rid].to_dict("records")
    claims = pd.read_csv(folder / "factory_claims.csv").set_index("region_id")
    c = claims.loc[rid].to_dict() if rid in claims.index else {}
    why_of = {str(t).split(" x", 1)[0]: str(t).split(": ", 1)[-1] for t in fd.get("lines", [])}
    lines = [
        {
            "line": str(r["line"]),
            "name": str(r["line_name"]),
            "group": str(r["group"]),
            "kind": str(r["kind"]),
            "modules": int(r["modules"]),
            "capacity": float(r["capacity"]),
            "unit": str(r["unit"]),
            "utilisation": float(r["utilisation"]),
            "jobs": int(r["jobs"]),
            "capital_cost": float(r["capital_cost"]),
            "raw_materials_needed": str(r["raw_materials_needed"]),
            "enabled_by": str(r.get("enabled_by", "")),
            "counts_as_characteristic": str(r.get("counts_as_characteristic", "")).lower()
            in ("true", "1"),
            "why": why_of.get(str(r["line"]), ""),
        }
        for r in rows
    ]
    plan_tier = d.get("projects", {}).get("factories", {}).get("tier")
    dossier = {
        "region_id": rid,
        "name": d["name"],
        "province": d["province"],
        "tier": fd.get("catalogue_tier"),
        "plan_tier": plan_tier,
        "plan_year": d.get("projects", {}).get("factories", {}).get("year"),
        "lines": lines,
        "jobs": int(fd["jobs"]),
        "capital_cost": float(fd["capital_cost"]),
        "local_share": float(fd["local_share"]),
        "nearby_share": float(fd["nearby_share"]),
        "tkm_saved": float(fd["tkm_saved"]),
        "transport_saved": float(c.get("transport_saved", 0.0)),
        "status": summary.get("status"),
        "unit_of_account": unit.name,
    }
    return PlanDesign(rid, dossier, summary, folder, unit)


def compare_with_plan(dossier: dict[str, Any], stored: PlanDesign) -> dict[str, Any]:
    """How a freshly computed design of a county differs from the plan's (lines, jobs, capital).

    ``dossier`` is a designer's dossier (:meth:`regdev.design.DesignResult.dossier`,
    money in kUSD); the difference is in the plan's unit of account.

    Returns
    -------
    dict
        ``identical`` (bool), ``added`` / ``removed`` lines, ``resized``
        (line, plan capacity, this capacity), ``jobs_difference`` and
        ``capital_difference`` (this − plan, unit of account).
    """
    from regdev.design.for_plan import line_record

    plan_lines = {ln["line"]: ln for ln in stored.lines()}
    new_lines = {ln["line"]: line_record(ln) for ln in dossier["lines"]}
    resized = [
        {"line": k, "plan_capacity": plan_lines[k]["capacity"], "capacity": v["capacity"]}
        for k, v in sorted(new_lines.items())
        if k in plan_lines and plan_lines[k]["capacity"] != v["capacity"]
    ]
    out = {
        "added": sorted(set(new_lines) - set(plan_lines)),
        "removed": sorted(set(plan_lines) - set(new_lines)),
        "resized": resized,
        "jobs_difference": int(dossier["jobs"]) - int(stored.dossier["jobs"]),
        "capital_difference": round(
            stored.unit.from_kusd(float(dossier["capital_cost_kusd"]))
            - float(stored.dossier["capital_cost"]),
            6,
        ),
        "unit_of_account": stored.unit.name,
    }
    out["identical"] = not (out["added"] or out["removed"] or resized)
    return out


def plan_what_if(
    region: str,
    plan_dir: str | os.PathLike[str] = "out/plan",
    *,
    force_lines: Sequence[str] = (),
    forbid_lines: Sequence[str] = (),
    regions: RegionRegistry | str | os.PathLike[str] | None = None,
) -> tuple[RegionDesign, PlanDesign]:
    """A what-if against the plan's own design: force / forbid lines of ``region`` and re-solve.

    The plan's design is rebuilt from the folder (its ``schedule.csv`` and tier
    scale, the same call as the pipeline's design stage) and the what-if is
    solved against it, so its cost difference is the change's cost relative
    to the plan.  ``RegionDesign.basis`` says whether the rebuilt design has
    exactly the stored lines of ``region`` (``"the plan's design"``) or not
    (e.g. a plan made with another catalogue: ``"rebuilt design (differs …)"``).

    Returns
    -------
    (RegionDesign, PlanDesign)
        The what-if (with the rebuilt base) and the stored design.
    """
    import json

    import pandas as pd

    from regdev.design import design_for_plan, what_if

    registry = load_registry(regions)
    stored = plan_design(region, plan_dir, regions=registry)
    rid = stored.region_id
    folder = Path(plan_dir)
    meta = json.loads((folder / "plan.json").read_text("utf-8"))
    tiers = [int(t) for t in meta.get("tiers") or [1]]
    schedule = pd.read_csv(folder / "schedule.csv", dtype={"region_id": str, "facility": str})
    base = design_for_plan(registry, schedule, tier_scale=(min(tiers), max(tiers)))
    dossier = base.dossier(rid)
    same = compare_with_plan(dossier, stored)["identical"]
    alt = what_if(
        base,
        force=[(rid, ln) for ln in force_lines],
        forbid=[(rid, ln) for ln in forbid_lines],
    )
    basis = (
        "the plan's design"
        if same
        else "rebuilt design (differs from the stored one: another catalogue or inputs?)"
    )
    return RegionDesign(rid, base, dossier, alt, None, basis), stored
