from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from regdev.monitoring import audit
from regdev.monitoring.history import load_history, parse_reduced_date
from regdev.monitoring.models import Project, Site
from regdev.registry import historical_cohorts


def _project(session: Session, rid: str, facility: str) -> Project:
    return session.execute(
        select(Project).where(Project.region_id == rid, Project.facility == facility)
    ).scalar_one()


def test_history_loads_cohorts_and_named_projects(session: Session) -> None:
    load_history(session)
    session.commit()
    cohorts = historical_cohorts("regional_industry_factories")
    for year in (2024, 2025):
        stored = set(
            session.execute(
                select(Project.region_id).where(
                    Project.facility == "factories", Project.cohort_year == year
                )
            ).scalars()
        )
        assert stored == set(cohorts[year])
        assert len(stored) == 20
    kimhwa = _project(session, "KP-KAN-KIMHWA", "factories")
    assert kimhwa.state == "operating"
    assert kimhwa.cohort_year == 2020
    sinpho = _project(session, "KP-HAN-SINPHO", "offshore_farm")
    assert sinpho.actual_inauguration == dt.date(2024, 12, 28)
    site = session.execute(select(Site).where(Site.project_id == sinpho.id)).scalar_one()
    assert site.operating_since == dt.date(2024, 12, 28)
    ragwon = _project(session, "KP-HAN-RAGWON", "offshore_farm")
    assert ragwon.state == "construction"
    assert ragwon.actual_construction == dt.date(2025, 7, 13)
    assert _project(session, "KP-PYY-KANGDONG", "hospital").actual_inauguration == dt.date(
        2025, 11, 19
    )
    assert _project(session, "KP-PYY-KANGDONG", "leisure_complex").state == "operating"
    assert audit.verify_chain(session).ok


def test_history_is_idempotent(session: Session) -> None:
    first = load_history(session)
    n = len(session.execute(select(Project.id)).all())
    second = load_history(session)
    assert first.id == second.id
    assert len(session.execute(select(Project.id)).all()) == n


def test_reduced_dates() -> None:
    assert parse_reduced_date("2024-02-28") == dt.date(2024, 2, 28)
    assert parse_reduced_date("2024-02") == dt.date(2024, 2, 15)
    assert parse_reduced_date("2025") == dt.date(2025, 7, 1)
