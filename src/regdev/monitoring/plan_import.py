"""Import a plan folder written by ``regdev plan``: every ``schedule.csv`` row becomes a project.

The import is one transaction (the caller commits): any bad row raises
:class:`~regdev.errors.DataValidationError` naming file, row, column and what was
expected, and nothing is stored.  Planned milestones of a project scheduled in year
``Y``: groundbreaking ``Y-02-28``, construction ``Y-04-30``, inauguration ``Y-12-31``
(the policy's target of building each cohort within its year).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from regdev.errors import DataValidationError, NotFoundError, Problem
from regdev.monitoring import audit
from regdev.monitoring.crud import to_dict
from regdev.monitoring.history import HISTORY_SOURCE, ensure_programme
from regdev.monitoring.lines import design_lines, plan_choice, set_design_lines
from regdev.monitoring.models import Plan, Project, Region, Site

__all__ = ["design_lines", "import_plan", "import_planner_plan", "read_factory_lines"]
from regdev.monitoring.reference import load_regions
from regdev.planning.plan import SCHEDULE_COLUMNS
from regdev.planning.scenario import FACILITY_TYPES

if TYPE_CHECKING:
    import pandas as pd

# The plan-folder contract is defined once, by the planner that writes it.
PLAN_FACILITIES = FACILITY_TYPES


def planned_dates(year: int) -> dict[str, dt.date]:
    """Planned milestone dates of a project scheduled in ``year``."""
    return {
        "planned_groundbreaking": dt.date(year, 2, 28),
        "planned_construction": dt.date(year, 4, 30),
        "planned_inauguration": dt.date(year, 12, 31),
    }


def _number(text: str, *, integer: bool = False) -> float | int | None:
    if text.strip() == "":
        return None
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(text)
    if integer:
        if value != int(value):
            raise ValueError(text)
        return int(value)
    return value


def read_schedule(path: Path, *, known_regions: set[str]) -> list[dict[str, Any]]:
    """Read and validate ``schedule.csv``; every problem is reported at once.

    Raises
    ------
    DataValidationError
        Missing columns, unknown regions or facilities, bad numbers, duplicate rows.
    """
    text = path.read_text(encoding="utf-8-sig")
    return read_schedule_text(text, name=str(path), known_regions=known_regions)


def read_schedule_text(text: str, *, name: str, known_regions: set[str]) -> list[dict[str, Any]]:
    """Validate schedule CSV text (see :func:`read_schedule`); ``name`` labels the problems."""
    problems: list[Problem] = []
    with io.StringIO(text, newline="") as fh:
        reader = csv.DictReader(fh)
        header = reader.fieldnames or []
        missing = [c for c in ("region_id", "facility", "year") if c not in header]
        if missing:
            problems.append(
                Problem(
                    name,
                    1,
                    ",".join(missing),
                    f"missing column(s); expected {', '.join(SCHEDULE_COLUMNS)}",
                )
            )
            raise DataValidationError(problems)
        rows: list[dict[str, Any]] = []
        seen: dict[tuple[str, str], int] = {}
        for i, raw in enumerate(reader, start=2):
            rid, fac = (raw.get("region_id") or "").strip(), (raw.get("facility") or "").strip()
            if rid not in known_regions:
                problems.append(
                    Problem(
                        name,
                        i,
                        "region_id",
                        f"unknown region {rid!r}; expected a region id of the registry",
                    )
                )
            if fac not in PLAN_FACILITIES:
                problems.append(
                    Problem(
                        name,
                        i,
                        "facility",
                        f"expected one of {', '.join(PLAN_FACILITIES)}, got {fac!r}",
                    )
                )
            row: dict[str, Any] = {"region_id": rid, "facility": fac}
            for col, integer in (
                ("year", True),
                ("tier", True),
                ("size", False),
                ("cost", False),
                ("benefit", False),
            ):
                try:
                    row[col] = _number(raw.get(col) or "", integer=integer)
                except ValueError:
                    kind = "an integer" if integer else "a number"
                    problems.append(Problem(name, i, col, f"expected {kind}, got {raw.get(col)!r}"))
            year = row.get("year")
            bad_year = year is None or not isinstance(year, int) or not 1900 <= year <= 2200
            if bad_year and not any(p.row == i and p.column == "year" for p in problems):
                problems.append(
                    Problem(name, i, "year", f"expected a year 1900-2200, got {raw.get('year')!r}")
                )
            key = (rid, fac)
            if key in seen:
                problems.append(
                    Problem(
                        name, i, "region_id", f"{rid} {fac} already scheduled in row {seen[key]}"
                    )
                )
            seen[key] = i
            rows.append(row)
    if problems:
        raise DataValidationError(problems)
    if not rows:
        raise DataValidationError([Problem(name, None, None, "schedule has no rows")])
    return rows


def import_plan(
    session: Session,
    plan_dir: str | Path,
    *,
    actor: str = "system",
    name: str | None = None,
    link_history: bool = True,
) -> Plan:
    """Import ``plan_dir`` (``plan.json`` + ``schedule.csv``) as a plan with one project per row.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        Session of the caller's transaction (the caller commits).
    plan_dir : str or Path
        Folder written by ``regdev plan``.
    actor : str
        Name recorded in the audit log.
    name : str, optional
        Plan name (default: the folder name).
    link_history : bool
        Rows for a (region, facility) already tracked by the historical record (the plan's
        locked, already-built cohorts) are not duplicated: the historical project tracks
        them, with its actual dates.  The plan's ``meta`` counts them.

    Returns
    -------
    Plan
        The new plan.

    Raises
    ------
    NotFoundError
        If the folder or its ``schedule.csv`` is missing.
    DataValidationError
        If ``plan.json`` or ``schedule.csv`` is malformed.
    """
    folder = Path(plan_dir)
    schedule = folder / "schedule.csv"
    if not schedule.is_file():
        msg = f"{schedule} not found; expected a plan folder written by `regdev plan`"
        raise NotFoundError(msg)
    meta: dict[str, Any] = {}
    meta_path = folder / "plan.json"
    if meta_path.is_file():
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise DataValidationError(
                [Problem(str(meta_path), exc.lineno, None, f"invalid JSON: {exc.msg}")]
            ) from exc
        if not isinstance(meta, dict):
            raise DataValidationError(
                [Problem(str(meta_path), None, None, "expected a JSON object")]
            )
    load_regions(session, actor=actor)
    known = set(session.execute(select(Region.id)).scalars())
    rows = read_schedule(schedule, known_regions=known)
    return _store_plan(
        session,
        rows,
        meta,
        name=name or folder.resolve().name,
        source=str(folder.resolve()),
        actor=actor,
        link_history=link_history,
        factory_lines=read_factory_lines(folder),
    )


def import_planner_plan(
    session: Session,
    plan: Any,
    *,
    name: str = "default plan",
    actor: str = "system",
    link_history: bool = True,
    factories: pd.DataFrame | None = None,
) -> Plan:
    """Import a :class:`regdev.planning.Plan` object directly (no plan folder needed).

    The schedule goes through the same validation as ``schedule.csv``.  ``factories``
    is the design's ``factories.csv`` table (as :func:`regdev.pipeline.run.stage_design`
    makes it); with it, factory sites take the design's production lines, as
    ``db import-plan`` of a plan folder does.
    """
    load_regions(session, actor=actor)
    known = set(session.execute(select(Region.id)).scalars())
    text = plan.schedule.to_csv(index=False)
    rows = read_schedule_text(text, name="planner schedule", known_regions=known)
    meta = dict(plan.summary())
    meta.setdefault("input_hash", plan.problem.input_hash)
    return _store_plan(
        session,
        rows,
        meta,
        name=name,
        source="regdev.planning (default scenario)",
        actor=actor,
        link_history=link_history,
        factory_lines=factory_lines_from_table(factories) if factories is not None else None,
    )


def _store_plan(
    session: Session,
    rows: list[dict[str, Any]],
    meta: dict[str, Any],
    *,
    name: str,
    source: str,
    actor: str,
    link_history: bool,
    factory_lines: dict[str, list[dict[str, Any]]] | None = None,
) -> Plan:
    """Store a plan; every row updates the pair's tracked project or creates one (issue 10).

    A (region, facility) already tracked by a live project (not cancelled) is
    never duplicated: a project still ``planned`` takes the new plan's year,
    planned dates and figures (an audited update, moved to the new plan); a
    started, operating or suspended one is kept as it is (its real dates
    rule).  A cancelled pair planned again gets a new project.
    """
    prog = ensure_programme(session)
    names = {str(rid): str(nm) for rid, nm in session.execute(select(Region.id, Region.name))}
    query = (
        select(Project, Plan.source)
        .join(Plan, Plan.id == Project.plan_id)
        .where(Project.state != "cancelled")
        .order_by(Project.id)
    )
    live: dict[tuple[str, str], tuple[Project, bool]] = {}
    for proj, plan_source in session.execute(query):
        is_history = plan_source == HISTORY_SOURCE
        if is_history and not link_history:
            continue
        key = (str(proj.region_id), str(proj.facility))
        old = live.get(key)
        # the pair's most advanced project (history first on ties: it carries the real dates)
        if old is None or (proj.state != "planned" and old[0].state == "planned"):
            live[key] = (proj, is_history)
    objective = meta.get("objective")
    keep = ("regdev_version", "scenario", "solver", "horizon", "gap", "bound", "n_regions")
    plan_meta: dict[str, Any] = {k: meta[k] for k in keep if k in meta}
    if factory_lines:
        # the design's production lines of every factory site (the dashboard's choice list)
        plan_meta["factory_lines"] = factory_lines
    plan = Plan(
        programme_id=prog.id,
        name=name[:200],
        source=source[:400],
        input_hash=str(meta.get("input_hash", ""))[:128],
        status=str(meta.get("status", ""))[:40],
        objective=float(objective)
        if isinstance(objective, int | float) and math.isfinite(objective)
        else None,
        meta=plan_meta,
    )
    session.add(plan)
    session.flush()
    changes = [audit.Change("create", "plans", str(plan.id), None, to_dict(plan))]
    created: list[Project] = []
    n_history = n_updated = n_kept = 0
    for r in rows:
        found = live.get((r["region_id"], r["facility"]))
        if found is not None and found[1]:
            n_history += 1
            continue
        if found is not None and found[0].state != "planned":
            n_kept += 1
            continue
        figures = {
            "cohort_year": r["year"],
            "tier": r["tier"],
            "size": r["size"],
            "cost": r["cost"],
            "benefit": r["benefit"],
            **planned_dates(r["year"]),
        }
        if found is not None:
            proj = found[0]
            before = to_dict(proj)
            for k, v in {**figures, "plan_id": plan.id}.items():
                setattr(proj, k, v)
            session.flush()
            changes.append(audit.Change("update", "projects", str(proj.id), before, to_dict(proj)))
            n_updated += 1
            continue
        label = r["facility"].replace("_", " ")
        created.append(
            Project(
                plan_id=plan.id,
                region_id=r["region_id"],
                facility=r["facility"],
                name=f"{names.get(r['region_id'], r['region_id'])} {label}",
                state="planned",
                **figures,
            )
        )
    session.add_all(created)
    session.flush()
    changes += [audit.Change("create", "projects", str(p.id), None, to_dict(p)) for p in created]
    plan.meta = {
        **plan_meta,
        "n_schedule_rows": len(rows),
        "n_rows_tracked_by_history": n_history,
        "n_projects_created": len(created),
        "n_projects_updated": n_updated,
        "n_projects_started_kept": n_kept,
    }
    session.flush()
    audit.record(session, actor=actor, changes=changes)
    if factory_lines:
        # factory sites already operating take the new plan's design lines (added or
        # resized; lines no longer designed stay, records may refer to them)
        sites = session.execute(
            select(Site.id, Site.region_id).where(
                Site.facility == "factories", Site.region_id.in_(sorted(factory_lines))
            )
        ).all()
        for site_id, region_id in sites:
            set_design_lines(
                session,
                actor=actor,
                site_id=int(site_id),
                lines=[plan_choice(int(site_id), ln) for ln in factory_lines[str(region_id)]],
            )
    return plan


def read_factory_lines(folder: Path) -> dict[str, list[dict[str, Any]]]:
    """The production lines of every factory site from the plan's ``factories.csv`` (may be empty).

    Returns
    -------
    dict
        ``region_id -> [{"line", "modules", "capacity", "unit", "jobs"}, ...]``, the
        records of :func:`regdev.design.for_plan.line_record`.

    Raises
    ------
    DataValidationError
        A row with a missing column or a bad number (file, row and column named).
    """
    path = folder / "factories.csv"
    if not path.is_file():
        return {}
    out: dict[str, list[dict[str, Any]]] = {}
    problems: list[Problem] = []
    with path.open(encoding="utf-8-sig", newline="") as fh:
        for i, raw in enumerate(csv.DictReader(fh), start=2):
            try:
                rec = {
                    "line": str(raw["line"]),
                    "modules": int(raw["modules"]),
                    "capacity": float(raw["capacity"]),
                    "unit": str(raw["unit"]),
                    "jobs": int(raw["jobs"]),
                }
            except (KeyError, TypeError, ValueError) as exc:
                problems.append(
                    Problem(
                        str(path), i, str(exc), "expected line, modules, capacity, unit and jobs"
                    )
                )
                continue
            out.setdefault(str(raw["region_id"]), []).append(rec)
    if problems:
        raise DataValidationError(problems)
    return out


def factory_lines_from_table(factories: pd.DataFrame) -> dict[str, list[dict[str, Any]]]:
    """:func:`read_factory_lines` from the design's ``factories.csv`` table in memory."""
    from regdev.design.for_plan import line_record

    out: dict[str, list[dict[str, Any]]] = {}
    for rec in factories.to_dict("records"):
        out.setdefault(str(rec["region_id"]), []).append(line_record(rec))
    return out
