"""Planned versus actual (per project and per cohort) and progress (per province and year)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from regdev.monitoring import auth, schemas
from regdev.monitoring.crud import MILESTONES, _invalid, get_row
from regdev.monitoring.models import Project, Region, User


def _slip(planned: dt.date | None, actual: dt.date | None) -> int | None:
    if planned is None or actual is None:
        return None
    return (actual - planned).days


def planned_vs_actual(session: Session, *, user: User, project_id: int) -> schemas.PlannedVsActual:
    """Planned and actual date, slippage in days and on-time flag of each milestone."""
    p: Project = get_row(session, resource_name="projects", user=user, row_id=project_id)
    ms = []
    for m in MILESTONES:
        planned, actual = getattr(p, f"planned_{m}"), getattr(p, f"actual_{m}")
        s = _slip(planned, actual)
        ms.append(
            schemas.MilestoneSlip(
                milestone=m,
                planned=planned,
                actual=actual,
                slippage_days=s,
                on_time=None if s is None else s <= 0,
            )
        )
    return schemas.PlannedVsActual(
        project_id=p.id,
        region_id=p.region_id,
        facility=p.facility,
        cohort_year=p.cohort_year,
        state=p.state,
        milestones=ms,
    )


def cohort_summary(
    session: Session, *, user: User, facility: str | None = None, today: dt.date | None = None
) -> list[schemas.CohortSummary]:
    """Planned versus actual inauguration per cohort year and facility.

    A project is *due* when its planned inauguration date has passed (or it was
    inaugurated); it is *on time* when inaugurated no later than planned.  ``share_on_time``
    is on-time / due.
    """
    today = today or dt.date.today()
    # the five columns the summary needs, as rows (no ORM instances)
    stmt = select(
        Project.cohort_year,
        Project.facility,
        Project.state,
        Project.planned_inauguration,
        Project.actual_inauguration,
    )
    cond = auth.scope_filter(user, Project)
    if cond is not None:
        stmt = stmt.where(cond)
    if facility is not None:
        stmt = stmt.where(Project.facility == facility)
    groups: dict[tuple[int, str], list[Any]] = {}
    for p in session.execute(stmt):
        groups.setdefault((p.cohort_year, p.facility), []).append(p)
    out = []
    for (year, fac), ps in sorted(groups.items()):
        slips = [
            s for p in ps if (s := _slip(p.planned_inauguration, p.actual_inauguration)) is not None
        ]
        n_inaug = sum(p.actual_inauguration is not None for p in ps)
        due = [
            p
            for p in ps
            if p.state != "cancelled"
            and p.planned_inauguration is not None
            and (p.actual_inauguration is not None or p.planned_inauguration < today)
        ]
        on_time = sum(
            1
            for p in due
            if p.actual_inauguration is not None
            and p.planned_inauguration is not None
            and p.actual_inauguration <= p.planned_inauguration
        )
        out.append(
            schemas.CohortSummary(
                cohort_year=year,
                facility=fac,
                n_projects=len(ps),
                n_inaugurated=n_inaug,
                n_due=len(due),
                n_on_time=on_time,
                share_on_time=on_time / len(due) if due else None,
                mean_slippage_days=sum(slips) / len(slips) if slips else None,
                max_slippage_days=max(slips) if slips else None,
            )
        )
    return out


def progress(
    session: Session, *, user: User, by: str = "province", facility: str | None = None
) -> list[schemas.ProgressRow]:
    """Project counts by state per province (``by="province"``) or cohort year (``"year"``)."""
    if by not in ("province", "year"):
        msg = f"expected 'province' or 'year', got {by!r}"
        err = _invalid("progress", "by", msg)
        raise err
    key_col: Any = Region.province_id if by == "province" else Project.cohort_year
    stmt = (
        select(key_col, Project.state, func.count())
        .select_from(Project)
        .join(Region, Region.id == Project.region_id)
        .group_by(key_col, Project.state)
    )
    cond = auth.scope_filter(user, Project)
    if cond is not None:
        stmt = stmt.where(cond)
    if facility is not None:
        stmt = stmt.where(Project.facility == facility)
    acc: dict[str, dict[str, int]] = {}
    for key, state, n in session.execute(stmt):
        acc.setdefault(str(key), {})[state] = int(n)
    rows = []
    for key in sorted(acc):
        by_state = acc[key]
        total = sum(by_state.values())
        rows.append(
            schemas.ProgressRow(
                key=key,
                n_projects=total,
                by_state=by_state,
                share_operating=by_state.get("operating", 0) / total if total else 0.0,
            )
        )
    return rows
