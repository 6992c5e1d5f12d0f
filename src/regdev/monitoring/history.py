"""Load the programme events shipped with the package as tracked history.

Source: :func:`regdev.registry.load_programme_events` (2024 and 2025 factory cohorts,
the start of the 2026 cohort, the Kimhwa pilot, the Sinpho and Ragwon offshore farms,
the Kangdong hospital and leisure complex, and others).  Each (region, facility) becomes
one project of the plan "historical record" with its reported milestone dates as the
*actual* dates and its state set by the latest reported milestone; inaugurated projects
get an operating site.

Assumptions (stated, because the sources are silent):

* The policy's yearly target is that a cohort's facilities are started by the end of
  February and completed within the year, so planned dates are ``YYYY-02-28`` and
  ``YYYY-12-31`` of the cohort year (the pilot has no planned dates).
* Dates of reduced precision are placed mid-period: ``YYYY-MM`` → the 15th,
  ``YYYY`` → 1 July.  The original text is kept in the project's note.
* Kimhwa's factories were reported *operating* in February 2024 (presented as the model
  at the launch); no inauguration date is in the events file, so the site's
  ``operating_since`` is 2024-02-15 and the actual inauguration date is left empty.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from regdev.monitoring import audit
from regdev.monitoring.crud import to_dict
from regdev.monitoring.models import Plan, Programme, Project, Region, Site
from regdev.monitoring.reference import load_regions

PROGRAMME_NAME = "Regional Development 20x10"
HISTORY_SOURCE = "regdev.registry:programme_events.csv"
_FACILITY = {"regional_industry_factories": "factories"}
_PILOT = "KP-KAN-KIMHWA"


def parse_reduced_date(text: str) -> dt.date:
    """A date from ISO text of reduced precision (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``).

    Examples
    --------
    >>> parse_reduced_date("2024-12")
    datetime.date(2024, 12, 15)
    >>> parse_reduced_date("2025")
    datetime.date(2025, 7, 1)
    """
    parts = [int(p) for p in str(text).split("-")]
    if len(parts) == 1:
        return dt.date(parts[0], 7, 1)
    if len(parts) == 2:
        return dt.date(parts[0], parts[1], 15)
    return dt.date(parts[0], parts[1], parts[2])


def ensure_programme(session: Session) -> Programme:
    """The 20x10 programme row, created when missing."""
    prog = session.execute(
        select(Programme).where(Programme.name == PROGRAMME_NAME)
    ).scalar_one_or_none()
    if prog is None:
        prog = Programme(
            name=PROGRAMME_NAME,
            description="Modern regional-industry factories in 20 cities and counties a year for "
            "ten years, plus a hospital, a leisure complex and grain storage in each, and offshore "
            "farms on the coast.",
            start_year=2024,
            end_year=2033,
        )
        session.add(prog)
        session.flush()
        audit.record(
            session,
            actor="system",
            changes=[audit.Change("create", "programmes", str(prog.id), None, to_dict(prog))],
        )
    return prog


def load_history(session: Session, *, actor: str = "system") -> Plan:
    """Store the programme events as the plan "historical record" (idempotent).

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        Session of the caller's transaction (regions are loaded if missing).
    actor : str
        Name recorded in the audit log.

    Returns
    -------
    Plan
        The historical-record plan (existing or new).
    """
    from regdev.registry import load_programme_events

    existing = session.execute(
        select(Plan).where(Plan.source == HISTORY_SOURCE)
    ).scalar_one_or_none()
    if existing is not None:
        return existing
    load_regions(session, actor=actor)
    prog = ensure_programme(session)
    plan = Plan(
        programme_id=prog.id,
        name="historical record",
        source=HISTORY_SOURCE,
        status="history",
        meta={"note": "reported programme events, not an optimised plan"},
    )
    session.add(plan)
    session.flush()
    changes = [audit.Change("create", "plans", str(plan.id), None, to_dict(plan))]
    events = load_programme_events()
    events = events[events["region_id"].astype(str) != ""]
    names = {r.id: r.name for r in session.execute(select(Region)).scalars()}
    known = set(names)
    for (rid, fac_raw), grp in events.groupby(["region_id", "facility"], sort=True):
        if rid not in known:
            continue
        project, site = _project_from_events(plan.id, str(rid), str(fac_raw), grp, names[str(rid)])
        session.add(project)
        session.flush()
        changes.append(audit.Change("create", "projects", str(project.id), None, to_dict(project)))
        if site is not None:
            site.project_id = project.id
            session.add(site)
            session.flush()
            changes.append(audit.Change("create", "sites", str(site.id), None, to_dict(site)))
    audit.record(session, actor=actor, changes=changes)
    return plan


def _project_from_events(
    plan_id: int, rid: str, fac_raw: str, grp: Any, region_name: str
) -> tuple[Project, Site | None]:
    facility = _FACILITY.get(fac_raw, fac_raw)
    label = {"factories": "regional-industry factories"}.get(facility, facility.replace("_", " "))
    actual: dict[str, dt.date] = {}
    notes = []
    for _, ev in grp.sort_values("date").iterrows():
        notes.append(f"{ev['date']} {ev['event']}: {ev['note']}")
        if ev["event"] in ("groundbreaking", "construction", "inauguration"):
            actual.setdefault(str(ev["event"]), parse_reduced_date(str(ev["date"])))
    started = [int(y) for y, e in zip(grp["year"], grp["event"], strict=True) if e != "announced"]
    cohort = min(started) if started else int(grp["year"].max())
    is_pilot = rid == _PILOT and facility == "factories"
    if is_pilot:
        cohort = int(grp["year"].min())
    state = "planned"
    for m in ("groundbreaking", "construction", "inauguration"):
        if m in actual:
            state = m
    if state == "inauguration":
        state = "operating"
    project = Project(
        plan_id=plan_id,
        region_id=rid,
        facility=facility,
        cohort_year=cohort,
        name=f"{region_name} {label}" + (" (pilot)" if is_pilot else ""),
        state="operating" if is_pilot else state,
        planned_groundbreaking=None if is_pilot else dt.date(cohort, 2, 28),
        planned_inauguration=None if is_pilot else dt.date(cohort, 12, 31),
        actual_groundbreaking=actual.get("groundbreaking"),
        actual_construction=actual.get("construction"),
        actual_inauguration=actual.get("inauguration"),
        note="\n".join(notes)[:4000],
        source_url=";".join(sorted({str(u) for u in grp["source_url"] if str(u)}))[:4000],
    )
    site = None
    since = actual.get("inauguration") or (dt.date(2024, 2, 15) if is_pilot else None)
    if since is not None:
        site = Site(
            region_id=rid,
            facility=facility,
            name=f"{region_name} {label}",
            operating_since=since,
            status="operating",
        )
    return project, site
