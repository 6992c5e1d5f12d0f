"""FastAPI dependencies: ``SessionDep``, ``WriteSessionDep``, ``SettingsDep``, ``CurrentUser``.

CPU-only dependencies (and the session, whose creation does no I/O) are ``async`` to
spare thread-pool hand-offs.

The application stores its settings, session factory and password hasher on
``app.state`` (see :func:`regdev.monitoring.app.create_app`); tests swap them with
``app.dependency_overrides``.  The current user comes from ``Authorization: Bearer``
(API clients) or the session cookie (dashboard); both carry the same signed token.
"""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator
from typing import Annotated

import anyio.to_thread
from argon2 import PasswordHasher
from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy.orm import Session, sessionmaker

from regdev.monitoring import auth
from regdev.monitoring.config import Settings
from regdev.monitoring.db import write_bind
from regdev.monitoring.errors import AuthenticationError
from regdev.monitoring.models import User
from regdev.monitoring.read_cache import PRINCIPAL_KEY, ReadCache, read_head

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/v1/login/access-token", auto_error=False)


async def get_settings(request: Request) -> Settings:
    """The application's settings."""
    settings: Settings = request.app.state.settings
    return settings


_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def get_session(request: Request) -> AsyncIterator[Session]:
    """A session for one request (rolled back unless the route committed).

    Requests that may write (POST, PUT, PATCH, DELETE) get a session whose transaction
    is a write transaction from its first statement (``BEGIN IMMEDIATE`` on SQLite), so
    concurrent writers queue on the lock instead of failing when a read transaction
    tries to upgrade.  The transaction starts at that first statement, in the thread
    that runs it (the route's), not before: the SQLite write lock is held only while
    the route works, not while the request waits for the event loop between steps
    (the user of a write is read outside it, see :func:`get_optional_user`).

    Creating a session does no I/O, so it spares the thread-pool hand-off of a sync
    dependency.  Closing returns the connection to the pool, which never waits; it is
    done inline for reads on SQLite (a rollback of a read transaction on a local file)
    and in a worker thread otherwise (a network round trip, or a write to roll back).
    """
    factory: sessionmaker[Session] = request.app.state.session_factory
    writes = request.method not in _SAFE_METHODS
    session = factory(bind=write_bind(factory.kw["bind"])) if writes else factory()
    inline_close = not writes and session.get_bind().dialect.name == "sqlite"
    try:
        yield session
    finally:
        if inline_close:
            session.close()
        else:
            with anyio.CancelScope(shield=True):
                await anyio.to_thread.run_sync(session.close)


async def get_session_factory(request: Request) -> sessionmaker[Session]:
    """The application's session factory (for routes that run several short transactions)."""
    factory: sessionmaker[Session] = request.app.state.session_factory
    return factory


async def get_client(request: Request) -> str:
    """The client's address (as uvicorn gives it; behind a trusted proxy, the forwarded one)."""
    return request.client.host if request.client is not None else ""


async def get_hasher(request: Request) -> PasswordHasher:
    """The application's password hasher."""
    hasher: PasswordHasher = request.app.state.hasher
    return hasher


SettingsDep = Annotated[Settings, Depends(get_settings)]
SessionDep = Annotated[Session, Depends(get_session)]
HasherDep = Annotated[PasswordHasher, Depends(get_hasher)]
SessionFactoryDep = Annotated[sessionmaker[Session], Depends(get_session_factory)]
ClientDep = Annotated[str, Depends(get_client)]
TokenDep = Annotated[str | None, Depends(oauth2_scheme)]


async def get_optional_user(
    request: Request, session: SessionDep, settings: SettingsDep, token: TokenDep
) -> User | None:
    """The logged-in user, or ``None`` when no credentials were sent.

    A ``GET`` that the read cache's middleware has already authenticated (same token,
    user checked against the database at the current audit head) reuses that user;
    anything else reads the user from the database (in a worker thread).

    Raises
    ------
    AuthenticationError
        If credentials were sent but are invalid or expired.
    """
    token = token or request.cookies.get(settings.cookie_name)
    if not token:
        return None
    known = request.scope.get(PRINCIPAL_KEY)
    if known is not None and known[0] == token and request.method in _SAFE_METHODS:
        user: User = known[1]
        return user
    if request.method in _SAFE_METHODS or session.in_transaction():
        return await anyio.to_thread.run_sync(
            functools.partial(auth.user_from_token, session, token, settings=settings)
        )
    # a write: the token's user as of the current audit head (read on the read engine,
    # outside the write transaction, which has not started: every revocation is
    # audited and moves the head), then a copy for the session, without a query
    return await anyio.to_thread.run_sync(
        functools.partial(_user_for_write, session, request.app.state.read_cache, token)
    )


def _user_for_write(session: Session, cache: ReadCache, token: str) -> User:
    auth.verify_token(token, settings=cache.settings)  # signature and expiry, every time
    user = cache.principal(token, read_head(cache.engine))
    if user is None:
        msg = "invalid or expired credentials; log in again"
        raise AuthenticationError(msg)
    return session.merge(user, load=False)


OptionalUser = Annotated[User | None, Depends(get_optional_user)]


async def get_current_user(user: OptionalUser) -> User:
    """The logged-in user.

    Raises
    ------
    AuthenticationError
        If no valid credentials were sent (HTTP 401).
    """
    if user is None:
        msg = "not authenticated: send 'Authorization: Bearer <token>' or log in"
        raise AuthenticationError(msg)
    return user


CurrentUser = Annotated[User, Depends(get_current_user)]


async def get_write_session(session: SessionDep, user: CurrentUser) -> Session:
    """The request's (write) session, after authentication succeeded."""
    return session


WriteSessionDep = Annotated[Session, Depends(get_write_session)]
