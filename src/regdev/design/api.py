"""One-call entry points: design a set of regions, one region's scope, or a rollout plan."""

from __future__ import annotations

from dataclasses import fields
from typing import Any, Literal

import numpy as np
import pandas as pd

from regdev.design.catalogue import N_TIERS, Catalogue
from regdev.design.problem import DesignOptions, build_design_problem
from regdev.design.result import DesignResult
from regdev.design.solve import solve_design
from regdev.errors import ConfigError, DataValidationError
from regdev.registry import RegionRegistry

Scope = Literal["province", "neighbourhood", "cohort", "national"]


def design(
    registry: RegionRegistry,
    *,
    regions: list[str] | None = None,
    options: DesignOptions | None = None,
    tiers: pd.Series | dict[str, int] | int = 2,
    catalogue: Catalogue | None = None,
    method: Literal["auto", "milp", "dive"] = "auto",
    force: dict[tuple[str, str], bool] | None = None,
) -> DesignResult:
    """Build and solve the design of ``regions`` (default: every programme region).

    Examples
    --------
    >>> from regdev.registry import toy_region
    >>> res = design(toy_region())
    >>> res.status, sorted(set(res.factories_frame()["region_id"]))[:2]
    ('optimal', ['T-A1', 'T-A2'])
    """
    problem = build_design_problem(
        registry, regions=regions, catalogue=catalogue, options=options, tiers=tiers, force=force
    )
    return solve_design(problem, method=method)


def scope_regions(
    registry: RegionRegistry, region: str, scope: Scope = "province", k: int = 12
) -> list[str]:
    """The regions designed together with ``region``.

    ``province``: every programme region of its province; ``neighbourhood``:
    the region and its ``k`` nearest programme regions; ``cohort``: the real
    yearly factory cohort (programme events) the region belongs to;
    ``national``: every programme region.
    """
    prog = registry.programme()
    rid = registry.resolve(region)
    if rid not in prog:
        msg = f"{rid!r} is the capital row, not a programme region; it gets no factory group"
        raise ConfigError(msg)
    if scope == "national":
        return prog.ids
    f = prog.frame
    if scope == "province":
        return [str(i) for i in f.index[f["province"] == f.at[rid, "province"]]]
    if scope == "neighbourhood":
        near = prog.nearest(min(k, len(prog) - 1)) if len(prog) > 1 else None
        if near is None:
            return [rid]
        return [rid, *near.loc[near["focal"] == rid, "neighbor"].astype(str).tolist()]
    if scope == "cohort":
        from regdev.registry import historical_cohorts

        for _year, ids in sorted(historical_cohorts("regional_industry_factories").items()):
            if rid in ids:
                return [r for r in ids if r in prog]
        msg = f"{rid!r} is in no real factory cohort of the programme events; use another scope"
        raise ConfigError(msg)
    msg = f"scope must be province, neighbourhood, cohort or national; got {scope!r}"
    raise ConfigError(msg)


def plan_tier_to_catalogue(tiers: pd.Series, scale: tuple[int, int] | None = None) -> pd.Series:
    """Map the rollout plan's tiers onto the catalogue's 1 … 3.

    With ``scale = (lo, hi)``, the plan's tier ladder (e.g. ``(1, 10)``, one
    tier per year), the mapping is fixed: ``1 + round((t − lo) / (hi − lo) · 2)``
    — the same plan tier prices the same lines in every plan and in
    ``regdev plan design --tier``.  Without it, tiers already within 1 … 3 are
    kept and a longer ladder is spread evenly over the tiers given.

    Examples
    --------
    >>> plan_tier_to_catalogue(pd.Series([1, 5, 6, 10]), scale=(1, 10)).tolist()
    [1, 2, 2, 3]
    """
    t = pd.to_numeric(tiers, errors="coerce").fillna(1).astype(float)
    if scale is not None:
        lo, hi = float(scale[0]), float(scale[1])
    else:
        lo, hi = float(t.min()), float(t.max())
        if lo >= 1 and hi <= N_TIERS:
            return t.astype(int)
    if hi <= lo:
        return pd.Series(2, index=t.index, dtype=int)
    t = t.clip(lo, hi)
    return (1 + np.rint((t - lo) / (hi - lo) * (N_TIERS - 1))).astype(int)


def _schedule_of(plan_or_schedule: Any) -> pd.DataFrame:
    if isinstance(plan_or_schedule, pd.DataFrame):
        return plan_or_schedule
    for attr in ("schedule", "schedule_"):
        sched = getattr(plan_or_schedule, attr, None)
        if isinstance(sched, pd.DataFrame):
            return sched
        if callable(sched):
            out = sched()
            if isinstance(out, pd.DataFrame):
                return out
    msg = "design_for_plan needs a schedule DataFrame or an object with a `schedule` DataFrame"
    raise ConfigError(msg)


def design_for_plan(
    registry: RegionRegistry,
    plan_or_schedule: Any,
    scenario: dict[str, Any] | None = None,
    *,
    catalogue: Catalogue | None = None,
    tier_scale: tuple[int, int] | None = None,
) -> DesignResult:
    """Design the factory group of every county the rollout plan schedules.

    Parameters
    ----------
    registry : RegionRegistry
        The whole country (with the capital).
    plan_or_schedule : DataFrame or object with ``schedule``
        The plan's ``schedule.csv`` table (``region_id, facility, year, tier``).
    scenario : dict, optional
        Its ``design`` mapping may set any :class:`DesignOptions` field.
    catalogue : Catalogue, optional
        The line catalogue, demand and supply coefficients (default: the packaged
        one; a country's own: :func:`regdev.design.load_catalogue_dir`).
    tier_scale : (int, int), optional
        The plan's tier ladder (lowest, highest), for :func:`plan_tier_to_catalogue`.

    Returns
    -------
    DesignResult
        Demand is projected to the last factory year; each county's lines are
        priced at its plan tier.
    """
    sched = _schedule_of(plan_or_schedule)
    need = {"region_id", "facility", "year"}
    if not need <= set(sched.columns):
        msg = f"schedule: expected columns {sorted(need)}; got {list(sched.columns)}"
        raise DataValidationError([msg])
    fac = sched[sched["facility"].astype(str).isin(["factories", "regional_industry_factories"])]
    fac = fac.drop_duplicates("region_id", keep="first")
    if fac.empty:
        msg = "the plan schedules no factories; nothing to design"
        raise ConfigError(msg)
    ids = [str(r) for r in fac["region_id"]]
    raw_tiers = (
        fac.set_index(fac["region_id"].astype(str))["tier"]
        if "tier" in fac
        else pd.Series(2, index=ids)
    )
    tiers = plan_tier_to_catalogue(raw_tiers, tier_scale)
    settings = dict((scenario or {}).get("design", {}) or {})
    names = {f.name for f in fields(DesignOptions)}
    unknown = sorted(set(settings) - names)
    if unknown:
        msg = f"scenario design options: unknown keys {unknown}; expected some of {sorted(names)}"
        raise ConfigError(msg)
    settings.setdefault("year", int(pd.to_numeric(fac["year"]).max()))
    options = DesignOptions(**settings)
    return design(registry, regions=ids, options=options, tiers=tiers, catalogue=catalogue)
