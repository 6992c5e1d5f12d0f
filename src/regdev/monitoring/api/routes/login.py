"""Login (OAuth2 password flow → bearer token) and the current user."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.security import OAuth2PasswordRequestForm

from regdev.monitoring import auth, schemas
from regdev.monitoring.deps import CurrentUser, HasherDep, SessionDep, SettingsDep, WriteSessionDep
from regdev.monitoring.errors import AuthenticationError
from regdev.monitoring.models import User

router = APIRouter(tags=["login"])


@router.post("/login/access-token", response_model=schemas.Token)
def login_access_token(
    session: SessionDep,
    settings: SettingsDep,
    hasher: HasherDep,
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
) -> schemas.Token:
    """Exchange username and password for a bearer token (lockout after repeated failures)."""
    result = auth.authenticate(
        session,
        username=form.username.replace("\x00", ""),
        password=form.password,
        settings=settings,
        hasher=hasher,
    )
    session.commit()
    if result.user is None:
        raise AuthenticationError(result.message)
    return schemas.Token(access_token=auth.create_token(result.user, settings=settings))


@router.get("/users/me", response_model=schemas.UserPublic, tags=["users"])
def read_me(user: CurrentUser) -> User:
    """The logged-in user."""
    return user


@router.patch("/users/me", response_model=schemas.UserPublic, tags=["users"])
def update_me(
    session: WriteSessionDep, user: CurrentUser, hasher: HasherDep, body: schemas.UserUpdate
) -> User:
    """Change your own name or password."""
    from regdev.monitoring import crud

    row = crud.update_user(session, actor=user, user_id=user.id, data=body, hasher=hasher)
    session.commit()
    return row
