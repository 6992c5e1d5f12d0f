"""The monitoring service's side of :mod:`regdev.evaluation`: database → DataFrames → library.

Every function takes a session and the current user; scoped reads use the one scope rule
of :mod:`regdev.monitoring.auth` (``scope_filter`` / ``in_scope``).  Who sees what:

* **league tables** (county and factory composites, ranks with intervals, delta ranking,
  peer groups) are *national* results of the emulation drive and readable by every
  authenticated role — national, provincial, county, factory and viewer — because
  comparing oneself with others is the point of the drive.  They show composite
  scores and the six indicator values per county or factory, never the underlying
  records;
* **scorecards, control charts, alerts, recommendations, appraisals, signals and process
  changes** are scoped like the records they come from: a county user sees its own
  county, a factory user its own site, a provincial user its province, a national user
  and an unrestricted viewer everything;
* **decisions** on recommendations and **process changes** need a writer role in scope
  (viewers read only); each is written through the audit log in the caller's
  transaction, so caches keyed on the audit head see them at once.

Demo data: when the records were loaded by ``regdev db seed-demo`` (production records
written by the ``system`` actor), every result says ``demo: true`` and pages label it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from regdev.errors import ConfigError, DataValidationError, NotFoundError, Problem
from regdev.evaluation import customer, emulation, quality
from regdev.evaluation.appraisal import Appraisal, appraise_records
from regdev.evaluation.scenario import AppraisalScenario
from regdev.monitoring import audit, auth
from regdev.monitoring.crud import to_dict
from regdev.monitoring.errors import ScopeError
from regdev.monitoring.evaluation_models import EvaluationDecision, ProcessChange
from regdev.monitoring.models import (
    AuditEntry,
    FactoryOperation,
    Project,
    QualityRecord,
    Region,
    Site,
    Survey,
    User,
)

__all__ = [
    "Frames",
    "alerts",
    "appraisal",
    "control_charts",
    "county_scorecard",
    "decide",
    "is_demo",
    "league",
    "load_frames",
    "process_changes",
    "recommendations",
    "record_process_change",
    "signals",
    "site_scorecard",
]

_OPS_COLS = [
    "site_id",
    "region_id",
    "line",
    "year",
    "month",
    "output",
    "capacity",
    "raw_local",
    "raw_imported",
]
_Q_COLS = [
    "site_id",
    "region_id",
    "line",
    "date",
    "lot_code",
    "sample_size",
    "n_defective",
    "defects",
]
_S_COLS = ["site_id", "region_id", "date", "product_category", "lot_code", "score", "comment"]


@dataclass(frozen=True)
class Frames:
    """Monitoring records as DataFrames (the columns :mod:`regdev.evaluation` expects)."""

    operations: pd.DataFrame
    quality: pd.DataFrame
    surveys: pd.DataFrame
    sites: pd.DataFrame
    regions: pd.DataFrame
    changes: pd.DataFrame
    demo: bool


def _where(stmt: Any, user: User | None, model: Any) -> Any:
    """Restrict ``stmt`` to ``user``'s scope with the one rule of :mod:`regdev.monitoring.auth`.

    The evaluation tables are scoped through their site: a row is visible exactly when its
    site is (``auth.scope_filter`` of :class:`Site`).
    """
    if user is None:
        return stmt
    if model in (EvaluationDecision, ProcessChange):
        site_cond = auth.scope_filter(user, Site)
        if site_cond is None:
            return stmt
        return stmt.where(model.site_id.in_(select(Site.id).where(site_cond)))
    cond = auth.scope_filter(user, model)
    return stmt if cond is None else stmt.where(cond)


def is_demo(session: Session) -> bool:
    """Whether production records were loaded by ``regdev db seed-demo`` (the ``system`` actor)."""
    row = session.execute(
        select(AuditEntry.id)
        .where(AuditEntry.actor == "system", AuditEntry.entity == "operations")
        .limit(1)
    ).first()
    return row is not None


@lru_cache(maxsize=1)
def _registry_facts() -> dict[str, dict[str, str]]:
    from regdev.registry import load_default

    frame = load_default().frame
    return {
        str(rid): {"kind": str(r.get("kind", "")), "physiography": str(r.get("physiography", ""))}
        for rid, r in frame.to_dict("index").items()
    }


def load_frames(session: Session, user: User | None) -> Frames:
    """Every record in ``user``'s scope (``None``: all records, for national aggregates)."""
    ops = session.execute(
        _where(
            select(*(getattr(FactoryOperation, c) for c in _OPS_COLS)).where(
                FactoryOperation.voided.is_(False)
            ),
            user,
            FactoryOperation,
        )
    ).all()
    qual = session.execute(
        _where(select(*(getattr(QualityRecord, c) for c in _Q_COLS)), user, QualityRecord)
    ).all()
    surv = session.execute(
        _where(select(*(getattr(Survey, c) for c in _S_COLS)), user, Survey)
    ).all()
    sites = session.execute(
        _where(
            select(
                Site.id,
                Site.region_id,
                Site.facility,
                Site.name,
                Site.operating_since,
                Site.project_id,
            ),
            user,
            Site,
        )
    ).all()
    regions = session.execute(
        select(
            Region.id,
            Region.name,
            Region.name_ko,
            Region.province_id,
            Region.kind,
            Region.population,
            Region.coastal,
        )
    ).all()
    changes = session.execute(
        _where(
            select(
                ProcessChange.site_id, ProcessChange.line, ProcessChange.date, ProcessChange.reason
            ),
            user,
            ProcessChange,
        )
    ).all()
    facts = _registry_facts()
    reg = pd.DataFrame(
        regions,
        columns=["region_id", "name", "name_ko", "province_id", "kind", "population", "coastal"],
    )
    reg["physiography"] = [
        facts.get(r, {}).get("physiography") or ("coastal" if c else "")
        for r, c in zip(reg["region_id"], reg["coastal"], strict=True)
    ]
    return Frames(
        pd.DataFrame(ops, columns=_OPS_COLS),
        pd.DataFrame(qual, columns=_Q_COLS),
        pd.DataFrame(surv, columns=_S_COLS),
        pd.DataFrame(
            sites,
            columns=["site_id", "region_id", "facility", "name", "operating_since", "project_id"],
        ),
        reg,
        pd.DataFrame(changes, columns=["site_id", "line", "date", "reason"]),
        is_demo(session),
    )


# ------------------------------------------------------------------------- league


def league(
    session: Session,
    user: User,
    *,
    level: str = "county",
    year: int | None = None,
    peer_group: str | None = None,
    n_draws: int = 1000,
    seed: int = 0,
) -> dict[str, Any]:
    """The league table (readable by every role; see the module docstring)."""
    del user  # every authenticated role may read the national league table
    if level not in ("county", "factory"):
        msg = f"level must be 'county' or 'factory'; got {level!r}"
        raise ConfigError(msg)
    fr = load_frames(session, None)
    unit = "region_id" if level == "county" else "site_id"
    panel = emulation.panel_from_records(
        fr.operations, quality=fr.quality, surveys=fr.surveys, sites=fr.sites, unit=unit
    )
    base = {
        "level": level,
        "demo": fr.demo,
        "n_draws": n_draws,
        "seed": seed,
        "period": None,
        "previous": None,
    }
    if panel.empty:
        return {**base, "data": [], "peer_groups": []}
    regions = fr.regions.set_index("region_id")
    peer_by_region = emulation.peer_groups(fr.regions)
    if level == "county":
        peer = peer_by_region
    else:
        site_region = dict(zip(fr.sites["site_id"].astype(str), fr.sites["region_id"], strict=True))
        peer = {s: peer_by_region.get(r, "other") for s, r in site_region.items()}
    periods = sorted(set(panel.index.get_level_values(1)))
    if year is not None and year not in periods:
        msg = f"no records for {year}; years with records: {', '.join(map(str, periods))}"
        raise NotFoundError(msg)
    lg = emulation.league_table(panel, peer=peer, period=year, n_draws=n_draws, seed=seed)
    table = lg.table
    if peer_group:
        table = table[table["peer_group"] == peer_group]
    sites = fr.sites.set_index(fr.sites["site_id"].astype(str))
    rows = []
    for unit_id, r in table.iterrows():
        rid = str(unit_id) if level == "county" else str(sites.loc[str(unit_id), "region_id"])
        reg = regions.loc[rid] if rid in regions.index else None
        rows.append(
            {
                "unit": str(unit_id),
                "region_id": rid,
                "name": (str(reg["name"]) if reg is not None else rid)
                if level == "county"
                else str(sites.loc[str(unit_id), "name"]),
                "province_id": str(reg["province_id"]) if reg is not None else "",
                **{k: _num(v) for k, v in r.items() if k != "peer_group"},
                "peer_group": r["peer_group"],
            }
        )
    return {
        **base,
        "period": lg.period,
        "previous": lg.previous,
        "data": rows,
        "peer_groups": sorted(set(peer.values())),
    }


def _num(v: Any) -> Any:
    if isinstance(v, float) and v != v:  # NaN
        return None
    if hasattr(v, "item"):
        v = v.item()
        if isinstance(v, float) and v != v:
            return None
    return v


# ------------------------------------------------------------------ scorecards


def _check_region(session: Session, user: User, region_id: str) -> Region:
    region = session.get(Region, region_id)
    if region is None:
        msg = f"unknown region {region_id!r}"
        raise NotFoundError(msg)
    if user.role == "factory":
        site = session.get(Site, user.site_id) if user.site_id is not None else None
        ok = site is not None and site.region_id == region_id
    else:
        ok = auth.in_scope(session, user, region_id=region_id)
    if not ok:
        msg = f"{user.role} user {user.username!r} may not see the scorecard of {region_id!r}"
        raise ScopeError(msg)
    return region


def _check_site(session: Session, user: User, site_id: int) -> Site:
    site = session.get(Site, site_id)
    if site is None:
        msg = f"unknown site {site_id}"
        raise NotFoundError(msg)
    auth.check_scope(session, user, region_id=site.region_id, site_id=site.id, write=False)
    return site


def county_scorecard(
    session: Session, user: User, region_id: str, *, n_draws: int = 500
) -> dict[str, Any]:
    """A county's indicators by year, its league position, "learn from" partners and changes."""
    region = _check_region(session, user, region_id)
    fr = load_frames(session, None)
    panel = emulation.panel_from_records(
        fr.operations, quality=fr.quality, surveys=fr.surveys, sites=fr.sites
    )
    out: dict[str, Any] = {
        "region_id": region.id,
        "name": region.name,
        "demo": fr.demo,
        "years": [],
        "league": None,
        "learn_from": [],
        "contributions": None,
    }
    if panel.empty or region_id not in set(panel.index.get_level_values(0)):
        return out
    mine = panel.xs(region_id, level=0)
    out["years"] = [
        {"year": int(y), **{k: _num(v) for k, v in r.items()}} for y, r in mine.iterrows()
    ]
    peer = emulation.peer_groups(fr.regions)
    lg = emulation.league_table(panel, peer=peer, n_draws=n_draws, seed=0)
    if region_id in lg.table.index:
        row = lg.table.loc[region_id]
        out["league"] = {"period": lg.period, **{k: _num(v) for k, v in row.items()}}
    names = dict(zip(fr.regions["region_id"], fr.regions["name"], strict=True))
    out["learn_from"] = [
        {
            **{k: _num(v) for k, v in r.items()},
            "partner_name": names.get(r["partner"], r["partner"]),
        }
        for r in lg.learn[lg.learn["unit"] == region_id].to_dict("records")
    ]
    if not lg.delta.empty and region_id in lg.delta.index:
        d = lg.delta.loc[region_id]
        out["contributions"] = {
            "from": lg.previous,
            "to": lg.period,
            **{k: _num(v) for k, v in d.items()},
        }
    return out


def site_scorecard(session: Session, user: User, site_id: int) -> dict[str, Any]:
    """A factory's indicators by year, lines with their customer summary, and its alerts."""
    site = _check_site(session, user, site_id)
    fr = load_frames(session, None)
    ops = fr.operations[fr.operations["site_id"] == site_id]
    panel = emulation.panel_from_records(
        ops,
        quality=fr.quality[fr.quality["site_id"] == site_id],
        surveys=fr.surveys[fr.surveys["site_id"] == site_id],
        sites=fr.sites,
        unit="site_id",
    )
    years = []
    if not panel.empty:
        mine = panel.xs(str(site_id), level=0)
        years = [{"year": int(y), **{k: _num(v) for k, v in r.items()}} for y, r in mine.iterrows()]
    summary = customer.line_summary(ops, fr.surveys[fr.surveys["site_id"] == site_id])
    charts = _charts(fr, site_id)
    return {
        "site_id": site.id,
        "region_id": site.region_id,
        "name": site.name,
        "demo": fr.demo,
        "years": years,
        "lines": [{k: _num(v) for k, v in r.items()} for r in summary.to_dict("records")],
        "alerts": [a.to_dict() for a in quality.alerts(charts)],
    }


def _charts(
    fr: Frames, site_id: int | None = None, line: str | None = None
) -> list[quality.LineCharts]:
    q = fr.quality if site_id is None else fr.quality[fr.quality["site_id"] == site_id]
    if line is not None:
        q = q[q["line"] == line]
    return quality.line_charts(q, changes=fr.changes)


def control_charts(
    session: Session, user: User, site_id: int, *, line: str | None = None
) -> dict[str, Any]:
    """P and u charts of a site's lines (one line with ``line``), with signals and versions."""
    site = _check_site(session, user, site_id)
    fr = load_frames(session, user)
    charts = _charts(fr, site_id, line)
    if line is not None and not charts:
        msg = f"site {site_id} has no quality records for line {line!r}"
        raise NotFoundError(msg)
    return {"site_id": site.id, "demo": fr.demo, "data": [c.to_dict() for c in charts]}


def alerts(
    session: Session, user: User, *, region_id: str | None = None, limit: int = 200
) -> dict[str, Any]:
    """Out-of-control signals in ``user``'s scope, newest first, with the rule that fired."""
    fr = load_frames(session, user)
    q = fr.quality if region_id is None else fr.quality[fr.quality["region_id"] == region_id]
    found = quality.alerts(quality.line_charts(q, changes=fr.changes))
    return {"demo": fr.demo, "count": len(found), "data": [a.to_dict() for a in found[:limit]]}


# ------------------------------------------------------------- recommendations


def _decisions(session: Session, user: User | None) -> dict[str, EvaluationDecision]:
    rows = session.execute(
        _where(select(EvaluationDecision).order_by(EvaluationDecision.id), user, EvaluationDecision)
    ).scalars()
    return {r.rec_key: r for r in rows}  # the latest decision per key wins


def _recommendations(fr: Frames, region_id: str | None = None) -> list[customer.Recommendation]:
    ops, sv = fr.operations, fr.surveys
    if region_id is not None:
        ops, sv = ops[ops["region_id"] == region_id], sv[sv["region_id"] == region_id]
    summary = customer.line_summary(ops, sv)
    return customer.recommend(summary)


def recommendations(
    session: Session, user: User, *, region_id: str | None = None
) -> dict[str, Any]:
    """Recommendations in ``user``'s scope with their evidence and the latest decision."""
    fr = load_frames(session, user)
    recs = _recommendations(fr, region_id)
    decided = _decisions(session, user)
    names = dict(zip(fr.sites["site_id"], fr.sites["name"], strict=True))
    data = []
    for r in recs:
        d = decided.get(r.key)
        data.append(
            {
                **r.to_dict(),
                "evidence": {k: _num(v) for k, v in r.evidence.items()},
                "site_name": names.get(r.site_id, ""),
                "decision": d.decision if d else None,
                "decided_by": d.decided_by if d else None,
                "decided_at": d.decided_at.isoformat() if d else None,
            }
        )
    return {"demo": fr.demo, "count": len(data), "data": data}


def decide(
    session: Session, user: User, *, key: str, decision: str, note: str = ""
) -> EvaluationDecision:
    """Record a decision on a current recommendation (the caller commits).

    Raises
    ------
    NotFoundError
        When ``key`` is not a current recommendation in ``user``'s scope.
    ScopeError
        For read-only users.
    """
    auth.require_writer(user)
    if decision not in ("accepted", "rejected"):
        raise DataValidationError(
            [Problem("decision", None, "decision", "expected 'accepted' or 'rejected'")]
        )
    fr = load_frames(session, user)
    recs = {r.key: r for r in _recommendations(fr)}
    rec = recs.get(key)
    if rec is None:
        msg = f"no current recommendation {key!r} in your scope"
        raise NotFoundError(msg)
    auth.check_scope(session, user, region_id=rec.region_id, site_id=rec.site_id, write=True)
    sig = customer.signals_from_recommendations([rec]) if decision == "accepted" else []
    row = EvaluationDecision(
        rec_key=rec.key,
        region_id=rec.region_id,
        site_id=rec.site_id,
        line=rec.line[:80],
        kind=rec.kind,
        decision=decision,
        note=note,
        evidence={k: _num(v) for k, v in rec.evidence.items()},
        signals=[{k: _num(v) for k, v in s.items()} for s in sig],
        decided_by=user.username,
        decided_at=_now(),
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor=user.username,
        changes=[audit.Change("create", "evaluation_decisions", str(row.id), None, to_dict(row))],
    )
    return row


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


def signals(
    session: Session, user: User | None, *, region_id: str | None = None
) -> list[dict[str, Any]]:
    """Designer signals of the accepted recommendations in scope (latest decision per key)."""
    rows: list[dict[str, Any]] = []
    for d in _decisions(session, user).values():
        if d.decision != "accepted" or (region_id is not None and d.region_id != region_id):
            continue
        rows.extend(d.signals)
    return rows


# ---------------------------------------------------------------- process changes


def record_process_change(
    session: Session, user: User, *, site_id: int, line: str, date: dt.date, reason: str
) -> ProcessChange:
    """Record a process change of a line (new control-limit version from ``date``; caller commits)."""
    site = session.get(Site, site_id)
    if site is None:
        msg = f"unknown site {site_id}"
        raise NotFoundError(msg)
    auth.check_scope(session, user, region_id=site.region_id, site_id=site.id, write=True)
    row = ProcessChange(
        site_id=site.id,
        region_id=site.region_id,
        line=line,
        date=date,
        reason=reason,
        created_by=user.username,
        created_at=_now(),
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor=user.username,
        changes=[audit.Change("create", "process_changes", str(row.id), None, to_dict(row))],
    )
    return row


def process_changes(
    session: Session, user: User, *, site_id: int | None = None
) -> list[ProcessChange]:
    """Process changes in scope (of one site)."""
    stmt = _where(
        select(ProcessChange).order_by(ProcessChange.date, ProcessChange.id), user, ProcessChange
    )
    if site_id is not None:
        stmt = stmt.where(ProcessChange.site_id == site_id)
    return list(session.execute(stmt).scalars())


# --------------------------------------------------------------------- appraisal


def appraisal(
    session: Session,
    user: User,
    *,
    region_id: str | None = None,
    cohort: int | None = None,
    scenario: AppraisalScenario | None = None,
) -> Appraisal:
    """Ex-post appraisal of a county (or of a cohort's counties in scope) from the records."""
    if (region_id is None) == (cohort is None):
        msg = "give a region or a cohort year"
        raise ConfigError(msg)
    fr = load_frames(session, user)
    if region_id is not None:
        _check_region(session, user, region_id)
        regions = {region_id}
    else:
        stmt = _where(
            select(Project.region_id).where(
                Project.cohort_year == cohort, Project.facility == "factories"
            ),
            user,
            Project,
        )
        regions = {str(r) for r in session.execute(stmt).scalars()}
        if not regions:
            msg = f"no factory projects of cohort {cohort} in your scope"
            raise NotFoundError(msg)
    ops = fr.operations[fr.operations["region_id"].isin(regions)]
    if ops.empty:
        msg = f"no production records for {', '.join(sorted(regions)) if region_id else f'cohort {cohort}'}"
        raise NotFoundError(msg)
    pop = {
        str(r): float(p)
        for r, p in zip(fr.regions["region_id"], fr.regions["population"], strict=True)
        if p
    }
    return appraise_records(
        ops,
        sites=fr.sites,
        quality=fr.quality[fr.quality["region_id"].isin(regions)],
        population=pop,
        scenario=scenario,
        demo=fr.demo,
    )
