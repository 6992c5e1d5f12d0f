"""Records for the evaluation tests: two years of operations, quality and surveys per toy site.

Used by the API/page tests and the schemathesis run (so the fuzzed evaluation endpoints
compute league tables, charts and recommendations on real records, not an empty database).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from regdev.monitoring import testing
from regdev.monitoring.models import FactoryOperation, QualityRecord, Site, Survey


def seed_records(session: Session, world: testing.World) -> None:
    """A year of records for the three operating toy sites; site A1 has a quality spike."""
    del world  # every site of the toy world gets records
    sites: dict[str, Site] = {}
    sites.update({s.region_id: s for s in session.query(Site).all()})
    for k, (rid, site) in enumerate(sorted(sites.items())):
        for year in (2024, 2025):
            for m in range(1, 13):
                for line, util in (("soy sauce", 0.95 - 0.1 * k), ("noodles", 0.7)):
                    session.add(
                        FactoryOperation(
                            site_id=site.id,
                            region_id=rid,
                            line=line,
                            year=year,
                            month=m,
                            output=100 * util * (1 + 0.02 * (year - 2024)),
                            capacity=100.0,
                            raw_local=60.0 + 5 * k,
                            raw_imported=20.0,
                            unit="t",
                        )
                    )
                    bad = (
                        6 + (m % 3)
                        if not (rid == "T-A1" and year == 2025 and m == 11 and line == "soy sauce")
                        else 40
                    )
                    session.add(
                        QualityRecord(
                            site_id=site.id,
                            region_id=rid,
                            line=line,
                            date=dt.date(year, m, 15),
                            lot_code=f"{site.id}-{line[:3]}-{year}{m:02d}",
                            sample_size=200,
                            defects={"packaging": bad},
                            n_defective=bad,
                        )
                    )
                if year == 2025 and m >= 7:
                    for j in range(2):
                        session.add(
                            Survey(
                                site_id=site.id,
                                region_id=rid,
                                date=dt.date(year, m, 3 + j),
                                product_category="soy sauce",
                                score=8 - k,
                                lot_code="",
                                comment="packaging could be better" if j else "good",
                            )
                        )
    session.commit()
