"""Production lines of factory sites, and correcting or voiding a monthly record.

The lines of a site are those of its design (table ``site_lines``): the dashboard offers
them as a choice, so a typing slip ("clothnig") cannot become a new line.  A site with no
design lines on record (data imported before the design was stored) offers the lines it
has reported under; nothing else.

A wrong monthly record is never entered a second time: it is **corrected** in place or
**voided** (kept, excluded from every figure).  Both need a reason, which is appended to
the record's ``note``; both go through :func:`regdev.monitoring.crud.update`, so scope,
domain rules and the hash-chained audit trail (before and after) apply as to any write.

Examples
--------
>>> reason_problem("  ")
'give the reason for the change (at least 4 characters)'
>>> reason_problem("meter misread") is None
True
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from regdev.errors import DataValidationError, Problem
from regdev.i18n import _
from regdev.monitoring import crud, rules, schemas
from regdev.monitoring.models import FactoryOperation, Plan, Site, SiteLine, User

__all__ = [
    "LineChoice",
    "correct_operation",
    "design_lines_from_records",
    "line_choices",
    "reason_problem",
    "set_design_lines",
    "void_operation",
]

#: Shortest accepted reason for a correction or a void.
MIN_REASON = 4


@dataclass(frozen=True)
class LineChoice:
    """One production line a record may be entered for."""

    site_id: int
    name: str
    product: str = ""
    capacity: float | None = None
    unit: str = "t"
    #: ``True``: from the site's design; ``False``: only known from earlier records
    designed: bool = True


def line_choices(session: Session, site_ids: Iterable[int]) -> dict[int, list[LineChoice]]:
    """The lines of each site: its design lines, else the lines it has reported under."""
    ids = sorted(set(site_ids))
    out: dict[int, list[LineChoice]] = {i: [] for i in ids}
    if not ids:
        return out
    for row in session.execute(
        select(SiteLine).where(SiteLine.site_id.in_(ids)).order_by(SiteLine.site_id, SiteLine.name)
    ).scalars():
        out[row.site_id].append(
            LineChoice(row.site_id, row.name, row.product, row.capacity, row.unit, True)
        )
    bare = [i for i in ids if not out[i]]
    if bare:
        # a factory site with no stored lines offers the newest imported plan's design
        region_of = {
            int(sid): str(rid)
            for sid, rid in session.execute(
                select(Site.id, Site.region_id).where(
                    Site.id.in_(bare), Site.facility == "factories"
                )
            )
        }
        designed = design_lines_by_region(session, region_of.values())
        for sid, rid in region_of.items():
            out[sid] = [plan_choice(sid, ln) for ln in designed.get(rid, [])]
        bare = [i for i in ids if not out[i]]
    if bare:
        stmt = (
            select(FactoryOperation.site_id, FactoryOperation.line, FactoryOperation.unit)
            .where(FactoryOperation.site_id.in_(bare))
            .distinct()
            .order_by(FactoryOperation.site_id, FactoryOperation.line)
        )
        seen: set[tuple[int, str]] = set()
        for sid, line, unit in session.execute(stmt):
            if (sid, line) not in seen:
                seen.add((sid, line))
                out[sid].append(LineChoice(sid, line, "", None, unit, False))
    return out


def design_lines_from_records(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """``site_lines`` rows (one per site and line, largest capacity) from operation rows.

    Used by the demo and synthetic seeders, whose generated lines *are* the design.
    """
    best: dict[tuple[int, str], dict[str, Any]] = {}
    for r in rows:
        key = (int(r["site_id"]), str(r["line"]))
        cap = float(r["capacity"])
        if key not in best or cap > best[key]["capacity"]:
            best[key] = {
                "site_id": key[0],
                "name": key[1],
                "product": key[1],
                "capacity": cap,
                "unit": str(r.get("unit", "t")),
            }
    return [best[k] for k in sorted(best)]


def set_design_lines(
    session: Session, *, actor: str, site_id: int, lines: Iterable[LineChoice]
) -> int:
    """Store the design's production lines of one site (for ``db import-plan``), audited.

    Lines are matched by name: new ones are added, changed capacities, products and units
    updated; lines the design no longer has are kept (records may refer to them).  Returns
    the number of rows added or changed.
    """
    from regdev.monitoring import audit

    stored = {
        r.name: r
        for r in session.execute(select(SiteLine).where(SiteLine.site_id == site_id)).scalars()
    }
    changes: list[audit.Change] = []
    for line in lines:
        row = stored.get(line.name)
        values = {"product": line.product, "capacity": line.capacity, "unit": line.unit}
        if row is None:
            row = SiteLine(site_id=site_id, name=line.name, **values)
            session.add(row)
            session.flush()
            changes.append(
                audit.Change("create", "site_lines", str(row.id), None, crud.to_dict(row))
            )
        elif any(getattr(row, k) != v for k, v in values.items()):
            before = crud.to_dict(row)
            for k, v in values.items():
                setattr(row, k, v)
            session.flush()
            changes.append(
                audit.Change("update", "site_lines", str(row.id), before, crud.to_dict(row))
            )
    if changes:
        audit.record(session, actor=actor, changes=changes)
    return len(changes)


def plan_choice(site_id: int, line: Mapping[str, Any]) -> LineChoice:
    """A plan design line (``factories.csv`` record) as a site's line choice.

    The plan stores each line's capacity per year; a site line holds the monthly design
    capacity, so the yearly figure is divided by 12.
    """
    return LineChoice(
        site_id,
        str(line["line"]),
        str(line["line"]),
        float(line["capacity"]) / 12.0,
        str(line.get("unit", "t")),
        True,
    )


def plan_line_choices(session: Session, site_id: int, region_id: str) -> list[LineChoice]:
    """The production lines the newest imported plan designs for ``region_id``'s factory site.

    Empty when no imported plan designs the county.
    """
    return [plan_choice(site_id, ln) for ln in design_lines(session, region_id)]


def reason_problem(reason: str) -> str | None:
    """Why ``reason`` is not an acceptable reason for a change (``None``: it is)."""
    if len(reason.strip()) < MIN_REASON:
        return _("give the reason for the change (at least {n} characters)", n=MIN_REASON)
    return None


class _OperationFix(schemas.OperationUpdate):
    """A correction or a void of one monthly record (internal: reason and flag)."""

    voided: bool | None = None
    note: str | None = Field(default=None, max_length=rules.NOTE_MAX)


def _stamp(actor: User, what: str, reason: str) -> str:
    today = rules.today().isoformat()
    return f"{today} {actor.username} {what}: {reason.strip()}"


def _check_reason(reason: str) -> None:
    problem = reason_problem(reason)
    if problem is not None:
        raise DataValidationError([Problem("operations", None, "reason", problem)])


def correct_operation(
    session: Session,
    *,
    actor: User,
    operation_id: int,
    changes: schemas.OperationUpdate,
    reason: str,
) -> FactoryOperation:
    """Correct the figures of one monthly record (a voided one is restored), with a reason.

    Parameters
    ----------
    session : Session
        The caller's write transaction.
    actor : User
        Who corrects (role and scope are checked by :func:`crud.update`).
    operation_id : int
        The record.
    changes : OperationUpdate
        The corrected fields (fields left unset keep their values; ``raw_local`` and
        ``raw_imported`` may be set to ``None``, "not known").
    reason : str
        Why; appended to the record's note and kept in the audit trail.

    Raises
    ------
    DataValidationError
        No reason, or a figure breaks a domain rule.
    NotFoundError, ScopeError
        Unknown record or outside the actor's scope.
    """
    _check_reason(reason)
    row = crud.get_row(session, resource_name="operations", user=actor, row_id=operation_id)
    data = changes.model_dump(exclude_unset=True)
    fix = _OperationFix(
        **data,
        voided=False,
        note=rules.append_note(row.note or "", _stamp(actor, "corrected", reason)),
    )
    out: FactoryOperation = crud.update(
        session, resource_name="operations", actor=actor, row_id=operation_id, data=fix
    )
    return out


def void_operation(
    session: Session, *, actor: User, operation_id: int, reason: str
) -> FactoryOperation:
    """Void one monthly record (kept and audited, excluded from every figure), with a reason.

    Raises
    ------
    DataValidationError
        No reason.
    NotFoundError, ScopeError
        Unknown record or outside the actor's scope.
    """
    _check_reason(reason)
    row = crud.get_row(session, resource_name="operations", user=actor, row_id=operation_id)
    fix = _OperationFix(
        voided=True, note=rules.append_note(row.note or "", _stamp(actor, "voided", reason))
    )
    out: FactoryOperation = crud.update(
        session, resource_name="operations", actor=actor, row_id=operation_id, data=fix
    )
    return out


def design_lines_by_region(
    session: Session, region_ids: Iterable[str]
) -> dict[str, list[dict[str, Any]]]:
    """Each region's factory-site lines in the newest imported plan that designs it.

    One pass over the plans, newest first, stopping once every region is found;
    regions no imported plan designs are absent.
    """
    wanted = set(region_ids)
    out: dict[str, list[dict[str, Any]]] = {}
    if not wanted:
        return out
    for meta in session.execute(select(Plan.meta).order_by(Plan.id.desc())).scalars():
        designed = (meta or {}).get("factory_lines", {})
        for rid in wanted - out.keys():
            if designed.get(rid):
                out[rid] = list(designed[rid])
        if len(out) == len(wanted):
            break
    return out


def design_lines(session: Session, region_id: str) -> list[dict[str, Any]]:
    """The production lines of ``region_id``'s factory site in the newest imported plan that has them.

    The dashboard offers these (a choice, not free text); empty when no
    imported plan designs the county.
    """
    return design_lines_by_region(session, [region_id]).get(region_id, [])
