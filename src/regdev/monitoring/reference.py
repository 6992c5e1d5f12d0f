"""Load the region hierarchy (country → province → city/county) from a registry."""

from __future__ import annotations

import math
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from regdev.monitoring import audit
from regdev.monitoring.crud import to_dict
from regdev.monitoring.models import Province, Region
from regdev.monitoring.provinces import korean_names


def _num(value: Any) -> float | None:
    if value is None:
        return None
    f = float(value)
    return None if math.isnan(f) else f


def load_regions(session: Session, registry: Any | None = None, *, actor: str = "system") -> int:
    """Insert the provinces and regions of ``registry`` that are not stored yet.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        Session of the caller's transaction.
    registry : regdev.registry.RegionRegistry, optional
        Defaults to :func:`regdev.registry.load_default` (the DPRK, capital included).
    actor : str
        Name recorded in the audit log.

    Returns
    -------
    int
        Number of regions added.
    """
    if registry is None:
        from regdev.registry import load_default

        registry = load_default()
    frame = registry.frame.copy()
    if "province_iso" not in frame.columns:  # e.g. toy_region(): the name is the id
        frame["province_iso"] = frame["province"]
    have_prov = set(session.execute(select(Province.id)).scalars())
    have_reg = set(session.execute(select(Region.id)).scalars())
    changes: list[audit.Change] = []
    for (iso, name), _ in frame.groupby(["province_iso", "province"], sort=True):
        if iso not in have_prov:
            p = Province(id=str(iso), name=str(name), name_ko=korean_names().get(str(iso)))
            session.add(p)
            have_prov.add(str(iso))
            changes.append(audit.Change("create", "provinces", p.id, None, to_dict(p)))
    session.flush()
    added = 0
    for rid, row in frame.iterrows():
        if rid in have_reg:
            continue
        row = row.reindex(
            [
                "name",
                "name_ko",
                "kind",
                "population",
                "lat",
                "lon",
                "coastal",
                "resources",
                "province_iso",
            ]
        )
        r = Region(
            id=str(rid),
            name=str(row["name"]),
            name_ko=None if not isinstance(row["name_ko"], str) else row["name_ko"],
            province_id=str(row["province_iso"]),
            kind=str(row["kind"]),
            population=_num(row["population"]),
            lat=_num(row["lat"]),
            lon=_num(row["lon"]),
            coastal=bool(row["coastal"])
            if row["coastal"] is not None and row["coastal"] == row["coastal"]
            else False,
            resources=row["resources"] if isinstance(row["resources"], str) else "",
        )
        session.add(r)
        added += 1
        changes.append(audit.Change("create", "regions", r.id, None, to_dict(r)))
    session.flush()
    if changes:
        audit.record(session, actor=actor, changes=changes)
    return added
