"""One region at a time: explain a written plan's region, design one county (with what-ifs)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from regdev.pipeline.run import load_registry

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
    return RegionExplanation(rid, explain_region(plan, rid, options), plan)


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

    def summary(self) -> dict[str, Any]:
        """The design's solver facts and national claims (and ``mps`` when written)."""
        out = self.result.summary()
        if self.mps_path is not None:
            out["mps"] = str(self.mps_path)
        return out

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ``design`` (dossier), ``summary`` and ``what_if`` (with its ``design``)."""
        out: dict[str, Any] = {"design": self.dossier, "summary": self.summary()}
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
    tier: int = 2,
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
    tier : int
        Modernisation tier 1–3 of every county of the scope.
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
    result = design(
        registry, regions=ids, options=DesignOptions(year=year), tiers=tier, catalogue=cat
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
