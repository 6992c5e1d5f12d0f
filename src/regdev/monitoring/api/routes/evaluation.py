"""Evaluation API: league tables, scorecards, control charts, alerts, recommendations, appraisal.

Who may read what is documented in :mod:`regdev.monitoring.evaluation` (league tables:
every authenticated role; everything else: the user's scope).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from regdev.monitoring import evaluation as ev
from regdev.monitoring import schemas
from regdev.monitoring.deps import CurrentUser, SessionDep, WriteSessionDep

router = APIRouter(prefix="/evaluation", tags=["evaluation"])

SiteId = Annotated[int, Path(ge=1, le=schemas.MAX_INT)]
RegionPath = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[^\x00]*$")]
RegionQ = Annotated[str | None, Query(min_length=1, max_length=64, pattern=r"^[^\x00]*$")]
LineQ = Annotated[str | None, Query(min_length=1, max_length=80, pattern=r"^[^\x00]*$")]


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class LeaguePublic(BaseModel):
    """A league table: one row per county or factory with rank interval and indicators."""

    level: str
    demo: bool
    period: int | None
    previous: int | None
    n_draws: int
    seed: int
    peer_groups: list[str]
    data: list[dict[str, Any]]


class ChartsPublic(BaseModel):
    """p and u charts of a site's lines."""

    site_id: int
    demo: bool
    data: list[dict[str, Any]]


class ListOut(BaseModel):
    """Rows with their count; ``demo`` when the records are demo data."""

    demo: bool
    count: int
    data: list[dict[str, Any]]


class DecisionIn(BaseModel):
    """A decision on a recommendation (``key`` from the recommendations list)."""

    model_config = ConfigDict(extra="forbid")
    key: schemas.Name
    decision: Literal["accepted", "rejected"]
    note: schemas.Text400 = ""


class DecisionPublic(BaseModel):
    """A stored decision with the designer signals it produced."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    rec_key: str
    region_id: str
    site_id: int
    line: str
    kind: str
    decision: str
    note: str
    evidence: dict[str, Any]
    signals: list[dict[str, Any]]
    decided_by: str
    decided_at: dt.datetime


class ProcessChangeIn(BaseModel):
    """A process change of a line (a line upgrade, a new tier): new control limits from ``date``."""

    model_config = ConfigDict(extra="forbid")
    site_id: schemas.Id
    line: schemas.Short
    date: schemas.Date
    reason: Annotated[str, Field(min_length=1, max_length=200)]


class ProcessChangePublic(BaseModel):
    """A stored process change."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    site_id: int
    region_id: str
    line: str
    date: dt.date
    reason: str
    created_by: str


@router.get("/league", response_model=LeaguePublic)
def league(
    session: SessionDep,
    user: CurrentUser,
    level: Annotated[Literal["county", "factory"], Query()] = "county",
    year: Annotated[int | None, Query(ge=1900, le=2200)] = None,
    peer_group: Annotated[str | None, Query(max_length=40, pattern=r"^[a-z_]*$")] = None,
    draws: Annotated[int, Query(ge=10, le=2000)] = 1000,
    seed: Annotated[int, Query(ge=0, le=schemas.MAX_INT)] = 0,
) -> dict[str, Any]:
    """League table of the emulation drive (readable by every role).

    Composite score, nominal rank, Monte Carlo rank interval (5th-95th percentile over
    ``draws`` draws of weights, normalisation and aggregation, reproducible with
    ``seed``), peer-group rank, delta ranking against the previous year, and the six
    indicators.
    """
    return ev.league(
        session,
        user,
        level=level,
        year=year,
        peer_group=peer_group or None,
        n_draws=draws,
        seed=seed,
    )


@router.get("/counties/{region_id}/scorecard", response_model=_Open)
def county_scorecard(
    session: SessionDep, user: CurrentUser, region_id: RegionPath
) -> dict[str, Any]:
    """A county's scorecard (in scope).

    Indicators by year, league position, "learn from" partners and the contribution of
    each indicator to its change of score.
    """
    return ev.county_scorecard(session, user, region_id)


@router.get("/sites/{site_id}/scorecard", response_model=_Open)
def site_scorecard(session: SessionDep, user: CurrentUser, site_id: SiteId) -> dict[str, Any]:
    """A factory's indicators by year, its lines' customer summary and alerts (in scope)."""
    return ev.site_scorecard(session, user, site_id)


@router.get("/sites/{site_id}/control-charts", response_model=ChartsPublic)
def control_charts(
    session: SessionDep, user: CurrentUser, site_id: SiteId, line: LineQ = None
) -> dict[str, Any]:
    """Control charts of the site's lines (in scope).

    p charts (defective share) and u charts (defects per item), with limit versions and
    the run rules that fired at each point.
    """
    return ev.control_charts(session, user, site_id, line=line)


@router.get("/alerts", response_model=ListOut)
def alerts(
    session: SessionDep,
    user: CurrentUser,
    region_id: RegionQ = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> dict[str, Any]:
    """Out-of-control signals in your scope, newest first, each with the rule that fired."""
    return ev.alerts(session, user, region_id=region_id, limit=limit)


@router.get("/recommendations", response_model=ListOut)
def recommendations(
    session: SessionDep, user: CurrentUser, region_id: RegionQ = None
) -> dict[str, Any]:
    """Customer-loop recommendations in your scope.

    Expand, adjust, redesign, drop or add, with their evidence and the latest decision.
    """
    return ev.recommendations(session, user, region_id=region_id)


@router.post("/recommendations/decisions", response_model=DecisionPublic, status_code=201)
def decide(session: WriteSessionDep, user: CurrentUser, body: DecisionIn) -> Any:
    """Accept or reject a recommendation (writers in scope); accepted ones become designer signals."""
    row = ev.decide(session, user, key=body.key, decision=body.decision, note=body.note)
    session.commit()
    return row


@router.get("/signals", response_model=ListOut)
def signals(session: SessionDep, user: CurrentUser, region_id: RegionQ = None) -> dict[str, Any]:
    """Designer signals of the accepted recommendations in your scope.

    Forced and forbidden lines and demand multipliers, in the signals-file columns.
    """
    rows = ev.signals(session, user, region_id=region_id)
    return {"demo": ev.is_demo(session), "count": len(rows), "data": rows}


@router.get("/process-changes", response_model=list[ProcessChangePublic])
def list_process_changes(
    session: SessionDep,
    user: CurrentUser,
    site_id: Annotated[int | None, Query(ge=1, le=schemas.MAX_INT)] = None,
) -> Any:
    """Process changes in your scope (each starts a new version of the control limits)."""
    return ev.process_changes(session, user, site_id=site_id)


@router.post("/process-changes", response_model=ProcessChangePublic, status_code=201)
def add_process_change(session: WriteSessionDep, user: CurrentUser, body: ProcessChangeIn) -> Any:
    """Record a process change of a line (writers in scope)."""
    row = ev.record_process_change(
        session, user, site_id=body.site_id, line=body.line, date=body.date, reason=body.reason
    )
    session.commit()
    return row


@router.get("/appraisal", response_model=_Open)
def appraisal(
    session: SessionDep,
    user: CurrentUser,
    region_id: RegionQ = None,
    cohort: Annotated[int | None, Query(ge=1900, le=2200)] = None,
) -> dict[str, Any]:
    """Ex-post appraisal of a county (``region_id``) or a cohort (``cohort``).

    From the records: cost-effectiveness, NPV / IRR / payback per line and county,
    practicality and the sensitivity table.
    """
    return ev.appraisal(session, user, region_id=region_id, cohort=cohort).to_dict()
