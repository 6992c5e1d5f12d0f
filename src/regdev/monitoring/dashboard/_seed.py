"""Synthetic monitoring data for the dashboard's browser tests and the service benchmark.

Not the user-facing demo (that is ``regdev db seed-demo`` of the core): this seeder
is tuned for size and speed.  It writes with bulk ``INSERT``s (one statement per
table), so ten years of monthly line records for every county take seconds.  The
bulk rows are fixtures and are not written to the audit log; the reference rows
(regions) and users go through the core's audited functions.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import Engine, func, insert, select

from regdev.monitoring import crud, schemas
from regdev.monitoring.auth import make_hasher
from regdev.monitoring.config import Settings
from regdev.monitoring.db import make_session_factory, session_scope
from regdev.monitoring.lines import design_lines_from_records
from regdev.monitoring.models import (
    FactoryOperation,
    Plan,
    Programme,
    Project,
    QualityRecord,
    Region,
    Site,
    SiteLine,
    Survey,
)
from regdev.monitoring.reference import load_regions

__all__ = ["SeedSummary", "seed_synthetic"]

_LINES = ("soy sauce", "bean paste", "noodles", "confectionery", "textiles", "daily goods")
_CATEGORIES = ("food", "daily goods", "textiles")
_DEFECTS = ("packaging", "weight", "taste", "colour")


@dataclass(frozen=True)
class SeedSummary:
    """What :func:`seed_synthetic` wrote."""

    n_regions: int
    n_projects: int
    n_sites: int
    n_operations: int
    n_quality: int
    n_surveys: int
    operating_region_ids: tuple[str, ...]
    last_month: tuple[int, int]


def _month_add(year: int, month: int, k: int) -> tuple[int, int]:
    idx = year * 12 + month - 1 + k
    return idx // 12, idx % 12 + 1


def seed_synthetic(
    engine: Engine,
    *,
    settings: Settings | None = None,
    n_months: int = 12,
    lines_per_site: int = 2,
    every_region_operates: bool = False,
    users: dict[str, tuple[str, str, str | None]] | None = None,
    today: dt.date | None = None,
    rng: np.random.Generator | int | None = 0,
) -> SeedSummary:
    """Fill an empty, migrated database with a programme, projects and operations.

    Parameters
    ----------
    engine : sqlalchemy.Engine
        Engine of a migrated, empty database.
    settings : Settings, optional
        Supplies the password-hashing cost for the users.
    n_months : int
        Months of operations per site, ending with the month before ``today``.
    lines_per_site : int
        Production lines per factory.
    every_region_operates : bool
        Give every city and county an operating factory from the first reported month
        (benchmark: "all counties × monthly line records"); otherwise only projects of
        inaugurated cohorts have sites.
    users : dict, optional
        ``{username: (password, role, region_id or None)}``; default one national user
        ``admin`` / ``admin-password``.
    today : date, optional
        Reference date (default: today, UTC).
    rng : numpy Generator, int or None
        Seed for the synthetic figures.

    Returns
    -------
    SeedSummary
        Counts and the ids of regions that have an operating site.
    """
    gen = np.random.default_rng(rng)
    settings = settings or Settings()
    today = today or dt.datetime.now(dt.UTC).date()
    last = _month_add(today.year, today.month, -1)
    first = _month_add(last[0], last[1], -(n_months - 1))
    users = users or {"admin": ("admin-password", "national", None)}
    factory = make_session_factory(engine)
    with session_scope(factory, write=True) as session:
        load_regions(session)
        regions = list(
            session.execute(
                select(Region).where(Region.kind != "capital").order_by(Region.id)
            ).scalars()
        )
        prog = Programme(name="Regional Development 20x10", start_year=2024, end_year=2033)
        session.add(prog)
        session.flush()
        plan = Plan(programme_id=prog.id, name="synthetic plan", status="optimal")
        session.add(plan)
        session.flush()
        order = gen.permutation(len(regions))
        proj_rows: list[dict[str, Any]] = []
        for rank, idx in enumerate(order):
            r = regions[int(idx)]
            cohort = 2024 + rank // 20
            proj_rows.append(_project_row(plan.id, r.id, cohort, today, gen))
        session.execute(insert(Project), proj_rows)
        projects = list(session.execute(select(Project)).scalars())
        site_rows: list[dict[str, Any]] = []
        for p in projects:
            if every_region_operates:
                since = dt.date(first[0], first[1], 1)
                site_rows.append(_site_row(p, since))
            elif p.actual_inauguration is not None:
                site_rows.append(_site_row(p, p.actual_inauguration))
        if site_rows:
            session.execute(insert(Site), site_rows)
        sites = list(session.execute(select(Site)).scalars())
        ops, qual, surv = _operations(sites, first, last, lines_per_site, gen)
        for model, rows in ((FactoryOperation, ops), (QualityRecord, qual), (Survey, surv)):
            for k in range(0, len(rows), 20_000):
                session.execute(insert(model), rows[k : k + 20_000])
        design = design_lines_from_records(ops)
        if design:
            session.execute(insert(SiteLine), design)
        hasher = make_hasher(settings)
        for username, (password, role, region_id) in users.items():
            crud.create_user(
                session,
                actor=None,
                data=schemas.UserCreate.model_validate(
                    {
                        "username": username,
                        "password": password,
                        "role": role,
                        "region_id": region_id,
                        "full_name": username,
                    }
                ),
                hasher=hasher,
            )
        n_proj = session.execute(select(func.count()).select_from(Project)).scalar_one()
    return SeedSummary(
        n_regions=len(regions),
        n_projects=int(n_proj),
        n_sites=len(sites),
        n_operations=len(ops),
        n_quality=len(qual),
        n_surveys=len(surv),
        operating_region_ids=tuple(sorted({s.region_id for s in sites})),
        last_month=last,
    )


def _project_row(
    plan_id: int, region_id: str, cohort: int, today: dt.date, gen: np.random.Generator
) -> dict[str, Any]:
    pg = dt.date(cohort, 3, 15)
    pc = dt.date(cohort, 5, 1)
    pi = dt.date(cohort, 10, 10)
    row: dict[str, Any] = {
        "plan_id": plan_id,
        "region_id": region_id,
        "facility": "factories",
        "cohort_year": cohort,
        "name": f"regional industry factories {cohort}",
        "tier": cohort - 2023,
        "state": "planned",
        "planned_groundbreaking": pg,
        "planned_construction": pc,
        "planned_inauguration": pi,
        "note": "",
        "source_url": "",
    }
    slip = int(gen.integers(-15, 75))
    ag = pg + dt.timedelta(days=int(gen.integers(-5, 20)))
    ac = pc + dt.timedelta(days=int(gen.integers(-5, 30)))
    ai = pi + dt.timedelta(days=slip)
    if ag <= today:
        row.update(state="groundbreaking", actual_groundbreaking=ag)
    if ag <= today and ac <= today:
        row.update(state="construction", actual_construction=ac)
    if ag <= today and ac <= today and ai <= today:
        row.update(
            state="operating" if ai + dt.timedelta(days=30) <= today else "inauguration",
            actual_inauguration=ai,
        )
    if gen.random() < 0.02 and row["state"] == "construction":
        row["state"] = "suspended"
    return row


def _site_row(p: Project, since: dt.date) -> dict[str, Any]:
    return {
        "project_id": p.id,
        "region_id": p.region_id,
        "facility": p.facility,
        "name": f"{p.region_id.rsplit('-', 1)[-1].title()} regional industry factory",
        "operating_since": since,
        "status": "operating",
    }


def _operations(
    sites: list[Site],
    first: tuple[int, int],
    last: tuple[int, int],
    n_lines: int,
    gen: np.random.Generator,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    ops: list[dict[str, Any]] = []
    qual: list[dict[str, Any]] = []
    surv: list[dict[str, Any]] = []
    for s in sites:
        start = max(first, (s.operating_since.year, s.operating_since.month))
        n = (last[0] * 12 + last[1]) - (start[0] * 12 + start[1]) + 1
        if n <= 0:
            continue
        for li in range(n_lines):
            line = _LINES[(li + s.id) % len(_LINES)]
            cap = float(gen.uniform(40.0, 400.0))
            use = np.clip(gen.normal(0.75, 0.12, size=n), 0.05, 1.2)
            local = np.clip(gen.normal(0.7, 0.15, size=n), 0.0, 1.0)
            for k in range(n):
                y, m = _month_add(start[0], start[1], k)
                out = round(cap * float(use[k]), 1)
                raw = out * 1.3
                ops.append(
                    {
                        "site_id": s.id,
                        "region_id": s.region_id,
                        "line": line,
                        "year": y,
                        "month": m,
                        "output": out,
                        "capacity": round(cap, 1),
                        "unit": "t",
                        "raw_local": round(raw * float(local[k]), 1),
                        "raw_imported": round(raw * (1.0 - float(local[k])), 1),
                    }
                )
                if k % 3 == 0:
                    sample = int(gen.integers(50, 200))
                    bad = int(gen.binomial(sample, 0.03))
                    kind = _DEFECTS[int(gen.integers(len(_DEFECTS)))]
                    qual.append(
                        {
                            "site_id": s.id,
                            "region_id": s.region_id,
                            "line": line,
                            "date": dt.date(y, m, 20),
                            "lot_code": f"{s.id}-{li}-{y}{m:02d}",
                            "sample_size": sample,
                            "defects": {kind: bad} if bad else {},
                            "n_defective": bad,
                        }
                    )
        for k in range(0, n, 2):
            y, m = _month_add(start[0], start[1], k)
            surv.append(
                {
                    "site_id": s.id,
                    "region_id": s.region_id,
                    "date": dt.date(y, m, 25),
                    "product_category": _CATEGORIES[k % len(_CATEGORIES)],
                    "lot_code": "",
                    "score": int(np.clip(round(gen.normal(7.2, 1.6)), 0, 10)),
                    "comment": "",
                }
            )
    return ops, qual, surv
