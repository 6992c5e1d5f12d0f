"""Planned versus actual (per project and cohort) and progress (per province and year)."""

from __future__ import annotations

import functools
from typing import Annotated, Literal

import anyio.to_thread
from fastapi import APIRouter, Path, Query

from regdev.monitoring import reports, schemas
from regdev.monitoring.deps import CurrentUser, SessionDep

router = APIRouter(tags=["reports"])
FacilityQ = Annotated[schemas.Facility | None, Query()]


@router.get("/projects/{project_id}/planned-vs-actual", response_model=schemas.PlannedVsActual)
def planned_vs_actual(
    session: SessionDep,
    user: CurrentUser,
    project_id: Annotated[int, Path(ge=1, le=schemas.MAX_INT)],
) -> schemas.PlannedVsActual:
    """Planned and actual milestone dates of one project, slippage in days."""
    return reports.planned_vs_actual(session, user=user, project_id=project_id)


# the reports are async endpoints that run their query in a worker thread: FastAPI
# would otherwise hand a sync endpoint and then its response validation to the thread
# pool separately


@router.get("/reports/cohorts", response_model=list[schemas.CohortSummary])
async def cohorts(
    session: SessionDep, user: CurrentUser, facility: FacilityQ = None
) -> list[schemas.CohortSummary]:
    """Per cohort year and facility: projects due, inaugurated on time, share on time, slippage."""
    return await anyio.to_thread.run_sync(
        functools.partial(reports.cohort_summary, session, user=user, facility=facility)
    )


@router.get("/reports/progress", response_model=list[schemas.ProgressRow])
async def progress(
    session: SessionDep,
    user: CurrentUser,
    by: Annotated[Literal["province", "year"], Query()] = "province",
    facility: FacilityQ = None,
) -> list[schemas.ProgressRow]:
    """Projects by state per province or per cohort year."""
    return await anyio.to_thread.run_sync(
        functools.partial(reports.progress, session, user=user, by=by, facility=facility)
    )
