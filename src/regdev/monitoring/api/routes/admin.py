"""Users (national administrators), the audit log and import batches."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from sqlalchemy import func, select

from regdev.monitoring import audit, auth, crud, schemas
from regdev.monitoring.deps import CurrentUser, HasherDep, SessionDep, WriteSessionDep
from regdev.monitoring.models import ImportBatch, User

router = APIRouter()
Skip = Annotated[int, Query(ge=0, le=schemas.MAX_INT)]
Limit = Annotated[int, Query(ge=1, le=crud.MAX_LIMIT)]


@router.get("/users", response_model=schemas.ListPublic[schemas.UserPublic], tags=["users"])
def list_users(
    session: SessionDep, user: CurrentUser, skip: Skip = 0, limit: Limit = 100
) -> dict[str, Any]:
    """Every user (national users only)."""
    rows, count = crud.list_users(session, actor=user, skip=skip, limit=limit)
    return {"data": rows, "count": count}


@router.post("/users", response_model=schemas.UserPublic, status_code=201, tags=["users"])
def create_user(
    session: WriteSessionDep, user: CurrentUser, hasher: HasherDep, body: schemas.UserCreate
) -> User:
    """Create a user (national users only)."""
    row = crud.create_user(session, actor=user, data=body, hasher=hasher)
    session.commit()
    return row


@router.patch("/users/{user_id}", response_model=schemas.UserPublic, tags=["users"])
def update_user(
    session: WriteSessionDep,
    user: CurrentUser,
    hasher: HasherDep,
    user_id: Annotated[int, Path(ge=1, le=schemas.MAX_INT)],
    body: schemas.UserUpdate,
) -> User:
    """Change a user (national users; anyone for themselves)."""
    row = crud.update_user(session, actor=user, user_id=user_id, data=body, hasher=hasher)
    session.commit()
    return row


@router.get("/audit", response_model=schemas.ListPublic[schemas.AuditPublic], tags=["audit"])
def list_audit(
    session: SessionDep,
    user: CurrentUser,
    entity: Annotated[str | None, Query(max_length=40, pattern=r"^[^\x00]*$")] = None,
    skip: Skip = 0,
    limit: Limit = 100,
) -> dict[str, Any]:
    """Audit entries in chain order (national users only)."""
    rows, count = crud.list_audit(session, actor=user, entity=entity, skip=skip, limit=limit)
    return {"data": rows, "count": count}


@router.get("/audit/verify", response_model=schemas.AuditVerification, tags=["audit"])
def verify_audit(session: SessionDep, user: CurrentUser) -> schemas.AuditVerification:
    """Recompute the audit hash chain (national users only)."""
    auth.require_role(user, "national")
    rep = audit.verify_chain(session)
    return schemas.AuditVerification(
        ok=rep.ok, n_entries=rep.n_entries, first_bad_seq=rep.first_bad_seq, message=rep.message
    )


@router.get(
    "/import-batches",
    response_model=schemas.ListPublic[schemas.ImportBatchPublic],
    tags=["imports"],
)
def list_batches(
    session: SessionDep, user: CurrentUser, skip: Skip = 0, limit: Limit = 100
) -> dict[str, Any]:
    """Bulk imports, oldest first (national users only)."""
    auth.require_role(user, "national")
    count = session.execute(select(func.count()).select_from(ImportBatch)).scalar_one()
    rows = (
        session.execute(select(ImportBatch).order_by(ImportBatch.id).offset(skip).limit(limit))
        .scalars()
        .all()
    )
    return {"data": rows, "count": count}
