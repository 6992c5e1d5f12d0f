from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from regdev.errors import DataValidationError, NotFoundError
from regdev.monitoring import audit
from regdev.monitoring.models import Plan, Project
from regdev.monitoring.plan_import import import_plan

DATA = Path(__file__).parents[2] / "data" / "monitoring"


def test_every_schedule_row_becomes_a_project(session: Session) -> None:
    plan = import_plan(session, DATA / "plan_small")
    session.commit()
    projects = session.execute(select(Project).where(Project.plan_id == plan.id)).scalars().all()
    assert len(projects) == 5
    assert plan.status == "optimal"
    assert plan.objective == 1234.5
    assert plan.input_hash == "sha256:test-fixture"
    farm = next(p for p in projects if p.facility == "offshore_farm")
    assert (farm.region_id, farm.cohort_year, farm.state) == ("KP-HAN-SINPHO", 2024, "planned")
    assert farm.planned_inauguration == dt.date(2024, 12, 31)
    assert farm.cost == 15.0
    assert audit.verify_chain(session).ok


def test_bad_schedule_names_rows_and_columns_and_stores_nothing(session: Session) -> None:
    with pytest.raises(DataValidationError) as info:
        import_plan(session, DATA / "plan_bad")
    session.rollback()
    found = {(p.row, p.column) for p in info.value.problems if not isinstance(p, str)}
    assert found == {(3, "region_id"), (4, "facility"), (5, "year")}
    assert session.execute(select(func.count()).select_from(Plan)).scalar_one() == 0
    assert session.execute(select(func.count()).select_from(Project)).scalar_one() == 0


def test_missing_folder(session: Session, tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match=r"schedule\.csv"):
        import_plan(session, tmp_path)


def test_rows_tracked_by_history_are_linked_not_duplicated(session: Session) -> None:
    from regdev.monitoring.history import load_history

    load_history(session)
    plan = import_plan(session, DATA / "plan_small")
    session.commit()
    ours = session.execute(select(Project).where(Project.plan_id == plan.id)).scalars().all()
    # Songchon factories (2024) and the Sinpho offshore farm are in the historical record
    assert plan.meta["n_rows_tracked_by_history"] == 2
    assert {(p.region_id, p.facility) for p in ours} == {
        ("KP-KAN-KIMHWA", "hospital"),
        ("KP-PYN-SONGCHON", "leisure_complex"),
        ("KP-CHA-KANGGYE", "grain_storage"),
    }
