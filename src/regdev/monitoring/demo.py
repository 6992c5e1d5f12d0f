"""``regdev db seed-demo``: the programme's history plus a simulated year of operations.

What gets loaded:

1. the region hierarchy and the historical record (:mod:`regdev.monitoring.history`);
2. a plan: a plan folder given by the caller, else the default plan solved by
   :mod:`regdev.planning` (default registry and scenario, about a second) and its factory
   design (:func:`regdev.pipeline.run.stage_design`, the same design ``regdev plan`` writes
   to ``factories.csv``; a few seconds), or none when ``use_planner=False`` (the historical
   cohorts are then the only projects).  Scheduled rows the history already tracks (the
   locked 2024–2026 cohorts) are not duplicated;
3. the production lines of each factory site: the plan's designed lines for its county
   with their design capacities (as ``db import-plan`` stores them), so the demo's
   records are entered against the designer's lines; a county the plan does not design
   (or the demo without a plan) gets generic demo lines sized by its population
   (:data:`STANDARD_LINES`, one characteristic line), and offshore farms :data:`FARM_LINES`;
4. for every operating factory and offshore farm, twelve months of production per line
   up to ``until`` (months before the site opened are skipped): output ramps up from
   about 45 % to 85–95 % of capacity over the first half-year with seasonal and random
   variation, raw material mostly from the local base; one quality sample per line and
   month (defect rates falling as the site matures); and a handful of customer survey
   answers per site and month whose scores rise with quality.

Everything is drawn from one ``numpy.random.Generator`` seeded once, so the same seed and
``until`` give the same database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from regdev.monitoring import audit
from regdev.monitoring.crud import to_dict
from regdev.monitoring.history import load_history
from regdev.monitoring.lines import design_lines_from_records, plan_line_choices
from regdev.monitoring.models import (
    FactoryOperation,
    QualityRecord,
    Region,
    Site,
    SiteLine,
    Survey,
)
from regdev.monitoring.plan_import import import_plan, import_planner_plan

#: Lines every regional-industry factory runs (foodstuffs, daily necessities, clothing).
STANDARD_LINES: tuple[tuple[str, float], ...] = (
    ("foodstuffs", 9.0),  # kg per inhabitant per year (demo figures, not a norm)
    ("daily necessities", 2.5),
    ("clothing", 1.2),
)
#: A characteristic line chosen from the region's raw-material base.
CHARACTERISTIC: dict[str, tuple[str, float]] = {
    "fish": ("seafood processing", 4.0),
    "shellfish": ("seafood processing", 4.0),
    "seaweed": ("seaweed products", 2.0),
    "aquaculture": ("seafood processing", 4.0),
    "fruit": ("fruit preserves", 2.0),
    "wild_fruit": ("wild-fruit beverages", 1.5),
    "medicinal_herbs": ("herbal products", 0.5),
    "livestock": ("meat and dairy", 3.0),
    "soybean": ("soy sauce and bean paste", 3.0),
    "maize": ("maize noodles", 4.0),
    "rice": ("rice products", 4.0),
    "potato": ("potato starch", 3.0),
    "timber": ("wood products", 1.0),
}
DEFECT_TYPES = ("packaging", "weight", "foreign matter", "labelling")
FARM_LINES: tuple[tuple[str, float], ...] = (("kelp", 6.0), ("scallop", 2.0), ("sea cucumber", 0.3))


@dataclass(frozen=True)
class DemoSummary:
    """What :func:`seed_demo` loaded."""

    plan_source: str
    n_sites: int
    n_operations: int
    n_quality: int
    n_surveys: int
    months: tuple[str, str]
    #: factory sites whose lines are the plan design's (the rest: generic demo lines)
    n_sites_designed: int = 0


def _months_until(until: tuple[int, int], n: int = 12) -> list[tuple[int, int]]:
    y, m = until
    out = []
    for _ in range(n):
        out.append((y, m))
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)
    return out[::-1]


def _generic_lines(site: Site, region: Region) -> list[tuple[str, float, str]]:
    """Demo lines ``(name, monthly capacity, unit)`` sized by the county's population."""
    pop = float(region.population or 100_000.0)
    if site.facility == "offshore_farm":
        per_head = list(FARM_LINES)
    else:
        per_head = list(STANDARD_LINES)
        for res in (region.resources or "").split(";"):
            if res in CHARACTERISTIC and CHARACTERISTIC[res][0] not in {n for n, _ in per_head}:
                per_head.append(CHARACTERISTIC[res])
                break
    return [(name, round(pop * kg / 12 / 1000, 1), "t") for name, kg in per_head]


def _site_lines(
    session: Session, site: Site, region: Region
) -> tuple[list[tuple[str, float, str]], bool]:
    """The site's lines ``(name, monthly capacity, unit)`` and whether they are the design's."""
    if site.facility == "factories":
        designed = plan_line_choices(session, site.id, str(site.region_id))
        if designed:
            return [(c.name, float(c.capacity or 0.0), c.unit) for c in designed], True
    return _generic_lines(site, region), False


def default_until(today: dt.date | None = None) -> tuple[int, int]:
    """The last complete month before ``today``."""
    today = today or dt.date.today()
    return (today.year - 1, 12) if today.month == 1 else (today.year, today.month - 1)


def seed_demo(
    session: Session,
    *,
    rng: np.random.Generator | int | None = 0,
    until: tuple[int, int] | None = None,
    plan_dir: str | Path | None = None,
    use_planner: bool = True,
    actor: str = "system",
    progress: Callable[[str, int, int], None] | None = None,
) -> DemoSummary:
    """Load the demo data set (the caller commits).

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        Session of the caller's transaction.
    rng : numpy.random.Generator, int or None
        Seed or generator for the simulated operations.
    until : (year, month), optional
        Last simulated month (default: the last complete month).
    plan_dir : str or Path, optional
        Plan folder to import as the forward plan.
    use_planner : bool
        Without ``plan_dir``, solve and import the default plan with :mod:`regdev.planning`.
    actor : str
        Name recorded in the audit log.
    progress : callable, optional
        ``progress(step, done, total)`` at each step (``history``, ``plan``, ``operations``
        once per site, ``writing``) for a progress bar.

    Returns
    -------
    DemoSummary
        Counts of what was loaded.
    """
    say = progress or (lambda _step, _done, _total: None)
    gen = np.random.default_rng(rng)
    until = until or default_until()
    say("history", 0, 1)
    load_history(session, actor=actor)
    say("plan", 0, 1)
    plan_source = "historical cohorts only"
    if plan_dir is not None:
        plan = import_plan(session, plan_dir, actor=actor)
        plan_source = f"plan folder {plan.source}"
    elif use_planner:
        plan = _default_plan(session, actor=actor)
        plan_source = (
            f"default plan from regdev.planning ({plan.status}, "
            f"{plan.meta.get('n_schedule_rows')} scheduled projects, "
            f"{plan.meta.get('n_rows_tracked_by_history')} already tracked by the history)"
        )
    months = _months_until(until)
    sites = (
        session.execute(
            select(Site).where(Site.facility.in_(("factories", "offshore_farm"))).order_by(Site.id)
        )
        .scalars()
        .all()
    )
    regions = {r.id: r for r in session.execute(select(Region)).scalars()}
    ops: list[FactoryOperation] = []
    quals: list[QualityRecord] = []
    surveys: list[Survey] = []
    designed_sites: set[int] = set()
    for k, site in enumerate(sites):
        say("operations", k, len(sites))
        region = regions[site.region_id]
        start = (site.operating_since.year, site.operating_since.month)
        lines, is_designed = _site_lines(session, site, region)
        if is_designed:
            designed_sites.add(site.id)
        for y, m in months:
            if (y, m) < start:
                continue
            age = (y - start[0]) * 12 + (m - start[1])
            maturity = 1.0 - np.exp(-age / 4.0)
            season = 1.0 - 0.08 * np.cos(2 * np.pi * (m - 1) / 12)
            for line, capacity, unit in lines:
                util = float(
                    np.clip((0.45 + 0.45 * maturity) * season + gen.normal(0, 0.04), 0.1, 1.05)
                )
                output = round(capacity * util, 1)
                raw = output * 1.25
                local_share = float(np.clip(gen.normal(0.82, 0.07), 0.4, 1.0))
                ops.append(
                    FactoryOperation(
                        site_id=site.id,
                        region_id=site.region_id,
                        line=line,
                        year=y,
                        month=m,
                        output=output,
                        capacity=capacity,
                        unit=unit,
                        raw_local=round(raw * local_share, 1),
                        raw_imported=round(raw * (1 - local_share), 1),
                    )
                )
                rate = 0.05 - 0.03 * maturity
                sample = 200
                counts = gen.poisson(sample * rate * np.array([0.4, 0.3, 0.1, 0.2]))
                defects = {t: int(c) for t, c in zip(DEFECT_TYPES, counts, strict=True) if c}
                lot = f"{site.id:03d}-{line[:3].upper()}-{y}{m:02d}"
                quals.append(
                    QualityRecord(
                        site_id=site.id,
                        region_id=site.region_id,
                        line=line,
                        date=dt.date(y, m, int(gen.integers(5, 26))),
                        lot_code=lot,
                        sample_size=sample,
                        defects=defects,
                        n_defective=sum(defects.values()),
                    )
                )
            for _ in range(int(gen.integers(3, 8))):
                line = lines[int(gen.integers(0, len(lines)))][0]
                score = int(np.clip(round(gen.normal(6.0 + 2.5 * maturity, 1.3)), 0, 10))
                surveys.append(
                    Survey(
                        site_id=site.id,
                        region_id=site.region_id,
                        date=dt.date(y, m, int(gen.integers(1, 29))),
                        product_category=line,
                        lot_code=f"{site.id:03d}-{line[:3].upper()}-{y}{m:02d}",
                        score=score,
                        comment=_comment(score),
                    )
                )
    say("writing", len(sites), len(sites))
    session.add_all([*ops, *quals, *surveys])
    session.flush()
    # designed sites already hold the plan's lines (stored by the plan import)
    design = design_lines_from_records(
        {"site_id": o.site_id, "line": o.line, "capacity": o.capacity, "unit": o.unit}
        for o in ops
        if o.site_id not in designed_sites
    )
    session.add_all(SiteLine(**row) for row in design)
    session.flush()
    audit.record(
        session,
        actor=actor,
        changes=[
            audit.Change("create", table, str(row.id), None, to_dict(row))
            for table, rows in (("operations", ops), ("quality", quals), ("surveys", surveys))
            for row in rows
        ],
    )
    first, last = months[0], months[-1]
    return DemoSummary(
        plan_source=plan_source,
        n_sites=len(sites),
        n_operations=len(ops),
        n_quality=len(quals),
        n_surveys=len(surveys),
        months=(f"{first[0]}-{first[1]:02d}", f"{last[0]}-{last[1]:02d}"),
        n_sites_designed=len(designed_sites),
    )


def _default_plan(session: Session, *, actor: str) -> Any:
    """Solve, design (as ``regdev plan`` does) and import the default plan."""
    from regdev.pipeline.options import PlanOptions
    from regdev.pipeline.run import stage_design
    from regdev.planning import build_problem, load_scenario, plan_rollout
    from regdev.registry import load_default

    registry = load_default()
    plan = plan_rollout(build_problem(registry, load_scenario()))
    design = stage_design(plan, registry, PlanOptions())
    return import_planner_plan(
        session,
        plan,
        name="default plan",
        actor=actor,
        factories=design.tables.get("factories.csv"),
    )


def _comment(score: int) -> str:
    if score >= 9:
        return "very good; would buy again"
    if score >= 7:
        return "good quality, packaging could be better"
    if score >= 5:
        return "acceptable; taste/size uneven"
    return "poor; defects found"
