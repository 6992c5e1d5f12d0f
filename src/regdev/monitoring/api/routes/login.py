"""Login (OAuth2 password flow → bearer token) and the current user."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from fastapi.security import OAuth2PasswordRequestForm

from regdev.monitoring import auth, schemas
from regdev.monitoring.deps import (
    ClientDep,
    CurrentUser,
    HasherDep,
    SessionFactoryDep,
    SettingsDep,
    WriteSessionDep,
)
from regdev.monitoring.errors import AuthenticationError
from regdev.monitoring.models import User

router = APIRouter(tags=["login"])


@router.post("/login/access-token", response_model=schemas.Token)
def login_access_token(
    request: Request,
    factory: SessionFactoryDep,
    settings: SettingsDep,
    hasher: HasherDep,
    client: ClientDep,
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
) -> schemas.Token:
    """Exchange username and password for a bearer token.

    After repeated failures from one address the account is locked for that address;
    too many attempts from one address get 429 before any password is checked.
    """
    auth.throttle_login(request.app.state.login_throttle, client)
    result = auth.authenticate(
        factory,
        username=form.username,
        password=form.password,
        settings=settings,
        hasher=hasher,
        client=client,
    )
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
    """Change your own name or password (a new password needs ``current_password``)."""
    from regdev.monitoring import crud

    row = crud.update_user(session, actor=user, user_id=user.id, data=body, hasher=hasher)
    session.commit()
    return row


@router.post("/logout", status_code=204, response_class=Response, tags=["login"])
def logout(session: WriteSessionDep, user: CurrentUser) -> Response:
    """Revoke every token and session cookie of the current user (log out everywhere)."""
    from regdev.monitoring import crud

    crud.revoke_sessions(session, actor=user, user_id=user.id)
    session.commit()
    return Response(status_code=204)
