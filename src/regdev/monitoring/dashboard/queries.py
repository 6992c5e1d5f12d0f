"""Read queries behind the dashboard pages (aggregations the REST crud does not offer).

Every function takes the SQLAlchemy session and the current user and applies the
core's scope rule (:func:`regdev.monitoring.auth.scope_filter`), so a county user's
national page only counts their own county.  Aggregation happens in SQL (``GROUP BY``
over the indexed ``region_id``/``year``/``month`` columns), never by loading whole
tables into Python.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Select, and_, case, func, select
from sqlalchemy.orm import Session

from regdev.monitoring.auth import scope_filter
from regdev.monitoring.models import (
    FactoryOperation,
    GrainStatus,
    Project,
    Province,
    QualityRecord,
    Region,
    Site,
    Survey,
    User,
)

__all__ = [
    "CohortTiming",
    "MonthlyPoint",
    "cohort_timing",
    "county_grain_status",
    "county_lines",
    "county_operations",
    "county_projects",
    "county_quality",
    "county_sites",
    "county_surveys",
    "MissingReport",
    "OverdueMilestone",
    "missing_reports",
    "overdue_milestones",
    "site_operations",
    "survey_summary",
    "monthly_series",
    "provinces",
    "region_state_counts",
    "regions",
    "state_counts_by",
]


_S = TypeVar("_S", bound=Select)


def _scoped(stmt: _S, user: User, model: type[Any]) -> _S:
    cond = scope_filter(user, model)
    return stmt if cond is None else stmt.where(cond)


def provinces(session: Session) -> list[Province]:
    """Every province, by name."""
    return list(session.execute(select(Province).order_by(Province.name)).scalars())


def regions(session: Session, *, province_id: str | None = None) -> list[Region]:
    """Regions (optionally of one province), by province and name; the capital row excluded."""
    stmt = select(Region).where(Region.kind != "capital").order_by(Region.province_id, Region.name)
    if province_id is not None:
        stmt = stmt.where(Region.province_id == province_id)
    return list(session.execute(stmt).scalars())


def region_state_counts(
    session: Session, user: User, *, province_id: str | None = None
) -> dict[str, dict[str, int]]:
    """``{region_id: {state: n_projects}}`` within the user's scope."""
    stmt = select(Project.region_id, Project.state, func.count()).group_by(
        Project.region_id, Project.state
    )
    if province_id is not None:
        stmt = stmt.join(Region, Region.id == Project.region_id).where(
            Region.province_id == province_id
        )
    out: dict[str, dict[str, int]] = defaultdict(dict)
    for rid, state, n in session.execute(_scoped(stmt, user, Project)):
        out[str(rid)][str(state)] = int(n)
    return dict(out)


def state_counts_by(
    session: Session, user: User, *, by: str, province_id: str | None = None
) -> dict[str, dict[str, int]]:
    """Project counts per state grouped ``by`` ``"year"`` (cohort), ``"province"`` or ``"facility"``.

    Raises
    ------
    ValueError
        For an unknown grouping.
    """
    if by == "year":
        key: Any = Project.cohort_year
    elif by == "province":
        key = Province.name
    elif by == "facility":
        key = Project.facility
    else:
        msg = f"group by must be 'year', 'province' or 'facility'; got {by!r}"
        raise ValueError(msg)
    stmt = select(key, Project.state, func.count()).group_by(key, Project.state)
    if by == "province" or province_id is not None:
        stmt = stmt.join(Region, Region.id == Project.region_id)
    if by == "province":
        stmt = stmt.join(Province, Province.id == Region.province_id)
    if province_id is not None:
        stmt = stmt.where(Region.province_id == province_id)
    out: dict[str, dict[str, int]] = defaultdict(dict)
    for k, state, n in session.execute(_scoped(stmt, user, Project)):
        out[str(k)][str(state)] = int(n)
    return dict(sorted(out.items()))


@dataclass(frozen=True)
class CohortTiming:
    """Planned-vs-actual inauguration of one cohort (projects of one ``cohort_year``).

    ``n_due`` counts projects whose planned inauguration has passed or that were
    inaugurated; ``n_on_time`` those inaugurated on or before the planned date;
    ``mean_slip_days`` is the mean (actual - planned) over inaugurated projects with
    both dates (negative: early).
    """

    cohort_year: int
    n_projects: int
    n_due: int
    n_inaugurated: int
    n_on_time: int
    mean_slip_days: float | None

    @property
    def on_time_share(self) -> float | None:
        """Share of due projects inaugurated on time (``None`` when nothing is due)."""
        return self.n_on_time / self.n_due if self.n_due else None


def cohort_timing(
    session: Session,
    user: User,
    *,
    today: dt.date | None = None,
    province_id: str | None = None,
    region_id: str | None = None,
) -> list[CohortTiming]:
    """Per-cohort on-time figures within the user's scope (see :class:`CohortTiming`)."""
    today = today or dt.datetime.now(dt.UTC).date()
    stmt = select(
        Project.cohort_year,
        Project.planned_inauguration,
        Project.actual_inauguration,
    )
    if province_id is not None:
        stmt = stmt.join(Region, Region.id == Project.region_id).where(
            Region.province_id == province_id
        )
    if region_id is not None:
        stmt = stmt.where(Project.region_id == region_id)
    acc: dict[int, list[Any]] = {}
    for year, planned, actual in session.execute(_scoped(stmt, user, Project)):
        a = acc.setdefault(int(year), [0, 0, 0, 0, 0.0, 0])
        a[0] += 1
        if actual is not None or (planned is not None and planned <= today):
            a[1] += 1
        if actual is not None:
            a[2] += 1
            if planned is not None:
                slip = (actual - planned).days
                a[4] += slip
                a[5] += 1
                if slip <= 0:
                    a[3] += 1
    return [
        CohortTiming(y, a[0], a[1], a[2], a[3], a[4] / a[5] if a[5] else None)
        for y, a in sorted(acc.items())
    ]


def county_projects(session: Session, user: User, region_id: str) -> list[Project]:
    """Projects of one region in the user's scope, by cohort and facility."""
    stmt = (
        select(Project)
        .where(Project.region_id == region_id)
        .order_by(Project.cohort_year, Project.facility, Project.id)
    )
    return list(session.execute(_scoped(stmt, user, Project)).scalars())


def county_sites(session: Session, user: User, region_id: str) -> list[Site]:
    """Operating sites of one region in the user's scope."""
    stmt = select(Site).where(Site.region_id == region_id).order_by(Site.facility, Site.name)
    return list(session.execute(_scoped(stmt, user, Site)).scalars())


@dataclass(frozen=True)
class MonthlyPoint:
    """Output and capacity of one site in one month, summed over its lines."""

    site_id: int
    year: int
    month: int
    output: float
    capacity: float

    @property
    def label(self) -> str:
        """``YYYY-MM``."""
        return f"{self.year:04d}-{self.month:02d}"


def monthly_series(
    session: Session, user: User, region_id: str, *, since: tuple[int, int] | None = None
) -> list[MonthlyPoint]:
    """Monthly output and capacity per site of one region (summed over lines).

    Uses the ``(region_id, year, month)`` index of ``factory_operations``.
    """
    stmt = (
        select(
            FactoryOperation.site_id,
            FactoryOperation.year,
            FactoryOperation.month,
            func.sum(FactoryOperation.output),
            func.sum(FactoryOperation.capacity),
        )
        .where(FactoryOperation.region_id == region_id, FactoryOperation.voided.is_(False))
        .group_by(FactoryOperation.site_id, FactoryOperation.year, FactoryOperation.month)
        .order_by(FactoryOperation.site_id, FactoryOperation.year, FactoryOperation.month)
    )
    if since is not None:
        y, m = since
        stmt = stmt.where(
            (FactoryOperation.year > y)
            | and_(FactoryOperation.year == y, FactoryOperation.month >= m)
        )
    rows = session.execute(_scoped(stmt, user, FactoryOperation))
    return [
        MonthlyPoint(int(s), int(y), int(m), float(o or 0.0), float(c or 0.0))
        for s, y, m, o, c in rows
    ]


def county_lines(session: Session, user: User, region_id: str) -> list[str]:
    """Distinct production-line names reported in one region."""
    stmt = (
        select(FactoryOperation.line)
        .where(FactoryOperation.region_id == region_id)
        .distinct()
        .order_by(FactoryOperation.line)
    )
    return [str(x) for x in session.execute(_scoped(stmt, user, FactoryOperation)).scalars()]


def county_operations(
    session: Session, user: User, region_id: str, *, limit: int = 48
) -> list[Any]:
    """The latest monthly line records of one region (newest first), as light rows."""
    stmt = (
        select(
            FactoryOperation.site_id,
            FactoryOperation.line,
            FactoryOperation.year,
            FactoryOperation.month,
            FactoryOperation.output,
            FactoryOperation.capacity,
            FactoryOperation.unit,
            FactoryOperation.raw_local,
            FactoryOperation.raw_imported,
            FactoryOperation.id,
        )
        .where(FactoryOperation.region_id == region_id, FactoryOperation.voided.is_(False))
        .order_by(
            FactoryOperation.year.desc(),
            FactoryOperation.month.desc(),
            FactoryOperation.site_id,
            FactoryOperation.line,
        )
        .limit(limit)
    )
    return list(session.execute(_scoped(stmt, user, FactoryOperation)).all())


def county_quality(
    session: Session, user: User, region_id: str, *, limit: int = 30
) -> list[QualityRecord]:
    """The latest quality records of one region (newest first)."""
    stmt = (
        select(QualityRecord)
        .where(QualityRecord.region_id == region_id)
        .order_by(QualityRecord.date.desc(), QualityRecord.id.desc())
        .limit(limit)
    )
    return list(session.execute(_scoped(stmt, user, QualityRecord)).scalars())


def county_surveys(
    session: Session, user: User, region_id: str, *, limit: int = 30
) -> list[Survey]:
    """The latest customer surveys of one region (newest first)."""
    stmt = (
        select(Survey)
        .where(Survey.region_id == region_id)
        .order_by(Survey.date.desc(), Survey.id.desc())
        .limit(limit)
    )
    return list(session.execute(_scoped(stmt, user, Survey)).scalars())


def survey_summary(
    session: Session, user: User, region_id: str
) -> list[tuple[str, int, float, float]]:
    """Per product category: answers, mean score and share scoring 4 or less (all surveys)."""
    stmt = (
        select(
            Survey.product_category,
            func.count(),
            func.avg(Survey.score),
            func.sum(case((Survey.score <= 4, 1), else_=0)),
        )
        .where(Survey.region_id == region_id)
        .group_by(Survey.product_category)
        .order_by(Survey.product_category)
    )
    return [
        (str(c), int(n), float(mean or 0.0), int(low or 0) / int(n) if n else 0.0)
        for c, n, mean, low in session.execute(_scoped(stmt, user, Survey))
    ]


def county_grain_status(session: Session, user: User, region_id: str) -> list[GrainStatus]:
    """The latest status report of every grain store of one region."""
    latest = (
        select(GrainStatus.store_id, func.max(GrainStatus.timestamp).label("ts"))
        .where(GrainStatus.region_id == region_id)
        .group_by(GrainStatus.store_id)
        .subquery()
    )
    stmt = (
        select(GrainStatus)
        .join(
            latest,
            and_(GrainStatus.store_id == latest.c.store_id, GrainStatus.timestamp == latest.c.ts),
        )
        .where(GrainStatus.region_id == region_id)
        .order_by(GrainStatus.store_id)
    )
    return list(session.execute(_scoped(stmt, user, GrainStatus)).scalars())


@dataclass(frozen=True)
class OverdueMilestone:
    """A milestone whose planned date has passed without an actual date."""

    project: Project
    milestone: str
    planned: dt.date
    days_overdue: int


#: Milestones with planned/actual dates, in lifecycle order.
_DATED = ("groundbreaking", "construction", "inauguration")
_ORDER = ("planned", "groundbreaking", "construction", "inauguration", "operating")


def overdue_milestones(
    session: Session,
    user: User,
    *,
    today: dt.date,
    province_id: str | None = None,
    region_id: str | None = None,
) -> list[OverdueMilestone]:
    """Milestones due before ``today`` and not reached, most overdue first.

    A milestone counts as reached when its actual date is set or the project's state
    is at or past it (``operating`` passes all).  Cancelled projects are not counted.
    Only the earliest missed milestone of a project is listed (the later ones follow
    from it).
    """
    stmt = select(Project).where(
        Project.state.notin_(("cancelled", "operating")),
        (Project.planned_groundbreaking < today)
        | (Project.planned_construction < today)
        | (Project.planned_inauguration < today),
    )
    if region_id is not None:
        stmt = stmt.where(Project.region_id == region_id)
    elif province_id is not None:
        stmt = stmt.where(
            Project.region_id.in_(select(Region.id).where(Region.province_id == province_id))
        )
    out: list[OverdueMilestone] = []
    for p in session.execute(_scoped(stmt, user, Project)).scalars():
        reached = _ORDER.index(p.state) if p.state in _ORDER else 0
        for m in _DATED:
            planned = getattr(p, f"planned_{m}")
            if planned is None or planned >= today or getattr(p, f"actual_{m}") is not None:
                continue
            if reached >= _ORDER.index(m):
                continue
            out.append(OverdueMilestone(p, m, planned, (today - planned).days))
            break
    out.sort(key=lambda o: (-o.days_overdue, o.project.region_id, o.project.id))
    return out


@dataclass(frozen=True)
class MissingReport:
    """An operating producing site without a record for some of its lines in a month."""

    site: Site
    year: int
    month: int
    missing_lines: tuple[str, ...]
    n_lines: int


def missing_reports(
    session: Session,
    user: User,
    *,
    month: tuple[int, int],
    producing: tuple[str, ...],
    province_id: str | None = None,
    region_id: str | None = None,
) -> list[MissingReport]:
    """Operating producing sites whose lines lack a (non-void) record for ``month``.

    The lines expected are the site's design lines (see :mod:`regdev.monitoring.lines`);
    a site operating since after the month is not expected to report.
    """
    from regdev.monitoring.lines import line_choices

    y, m = month
    month_end = dt.date(y + (m == 12), m % 12 + 1, 1) - dt.timedelta(days=1)
    stmt = select(Site).where(
        Site.status == "operating",
        Site.facility.in_(producing),
        Site.operating_since <= month_end,
    )
    if region_id is not None:
        stmt = stmt.where(Site.region_id == region_id)
    elif province_id is not None:
        stmt = stmt.where(
            Site.region_id.in_(select(Region.id).where(Region.province_id == province_id))
        )
    sites = list(session.execute(_scoped(stmt, user, Site).order_by(Site.region_id)).scalars())
    if not sites:
        return []
    ids = [s.id for s in sites]
    reported: dict[int, set[str]] = defaultdict(set)
    for sid, line in session.execute(
        select(FactoryOperation.site_id, FactoryOperation.line).where(
            FactoryOperation.site_id.in_(ids),
            FactoryOperation.year == y,
            FactoryOperation.month == m,
            FactoryOperation.voided.is_(False),
        )
    ):
        reported[int(sid)].add(str(line))
    choices = line_choices(session, ids)
    out: list[MissingReport] = []
    for s in sites:
        expected = [c.name for c in choices.get(s.id, [])]
        missing = tuple(n for n in expected if n not in reported[s.id])
        if not expected and not reported[s.id]:
            missing = ("*",)
        if missing:
            out.append(MissingReport(s, y, m, missing, len(expected)))
    return out


def site_operations(
    session: Session, user: User, site_id: int, *, since: tuple[int, int] | None = None
) -> list[FactoryOperation]:
    """Every monthly record of one site (voided ones included), newest first."""
    stmt = select(FactoryOperation).where(FactoryOperation.site_id == site_id)
    if since is not None:
        y, m = since
        stmt = stmt.where(
            (FactoryOperation.year > y)
            | and_(FactoryOperation.year == y, FactoryOperation.month >= m)
        )
    stmt = stmt.order_by(
        FactoryOperation.year.desc(), FactoryOperation.month.desc(), FactoryOperation.line
    )
    return list(session.execute(_scoped(stmt, user, FactoryOperation)).scalars())
