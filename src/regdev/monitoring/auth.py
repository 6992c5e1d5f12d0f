"""Passwords, tokens, lockout and the one place where role and scope are checked.

* Passwords: Argon2id via argon2-cffi.
* Tokens: ``base64url(payload).base64url(hmac_sha256)``; the same token is accepted as
  ``Authorization: Bearer …`` (API) and as the session cookie (dashboard).  The payload
  carries the user id, expiry and a fingerprint of the password hash, so changing a
  password revokes every token issued before.
* Lockout: after ``lockout_attempts`` failed logins within ``lockout_window_minutes`` the
  account refuses logins (even with the right password) until the window has passed.
* Scope: ``national`` sees and edits everything; ``provincial`` their province;
  ``county`` their county; ``factory`` their site; ``viewer`` reads (within their
  province/county if one is set) and never writes.  Reference tables (provinces,
  regions, programmes, plans) are readable by every user and writable by national users.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import ColumnElement, false, func, select
from sqlalchemy.orm import Session

from regdev.monitoring.config import Settings
from regdev.monitoring.errors import AuthenticationError, ScopeError
from regdev.monitoring.models import (
    FactoryOperation,
    GrainStatus,
    LoginAttempt,
    Project,
    QualityRecord,
    Region,
    Site,
    Survey,
    User,
    utcnow,
)

#: Tables whose rows belong to a region (and, for the last three, a site).
SCOPED_MODELS = (Project, Site, FactoryOperation, QualityRecord, Survey, GrainStatus)
_DUMMY_HASH: str | None = None


def make_hasher(settings: Settings | None = None) -> PasswordHasher:
    """An Argon2id hasher with the cost parameters from ``settings``."""
    s = settings or Settings()
    return PasswordHasher(time_cost=s.argon2_time_cost, memory_cost=s.argon2_memory_cost)


def hash_password(password: str, *, hasher: PasswordHasher) -> str:
    """Hash ``password`` with Argon2id."""
    return hasher.hash(password)


def verify_password(password: str, password_hash: str, *, hasher: PasswordHasher) -> bool:
    """Whether ``password`` matches ``password_hash``."""
    try:
        return hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


# --- tokens --------------------------------------------------------------------------


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _fingerprint(user: User) -> str:
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class TokenClaims:
    """What a correctly signed, unexpired token says: user id, expiry, password fingerprint."""

    user_id: int
    exp: int
    fingerprint: str


def create_token(user: User, *, settings: Settings, now: dt.datetime | None = None) -> str:
    """A signed token for ``user`` valid for ``settings.access_token_expire_minutes``."""
    now = now or utcnow()
    exp = now + dt.timedelta(minutes=settings.access_token_expire_minutes)
    payload = {"sub": user.id, "exp": int(exp.timestamp()), "fp": _fingerprint(user)}
    body = _b64(json.dumps(payload, separators=(",", ":")).encode())
    sig = hmac.new(settings.secret_key.encode(), body.encode(), hashlib.sha256).digest()
    return f"{body}.{_b64(sig)}"


def verify_token(token: str, *, settings: Settings, now: dt.datetime | None = None) -> TokenClaims:
    """Check a token's signature and expiry, without touching the database.

    Raises
    ------
    AuthenticationError
        If the token is malformed, forged or expired.
    """
    invalid = "invalid or expired credentials; log in again"
    try:
        body, sig = token.split(".", 1)
        expected = hmac.new(settings.secret_key.encode(), body.encode(), hashlib.sha256).digest()
        signed = hmac.compare_digest(expected, _unb64(sig))
        payload: dict[str, Any] = json.loads(_unb64(body)) if signed else {}
        user_id, exp, fp = (
            (int(payload["sub"]), int(payload["exp"]), str(payload["fp"])) if signed else (0, 0, "")
        )
    except (ValueError, KeyError, TypeError, OverflowError) as exc:
        raise AuthenticationError(invalid) from exc
    if not signed:
        raise AuthenticationError(invalid)
    now = now or utcnow()
    if exp < now.timestamp() or not 0 < user_id < 2**31:
        raise AuthenticationError(invalid)
    return TokenClaims(user_id, exp, fp)


def user_from_token(
    session: Session, token: str, *, settings: Settings, now: dt.datetime | None = None
) -> User:
    """The active user a token belongs to.

    Raises
    ------
    AuthenticationError
        If the token is malformed, forged, expired, revoked or its user inactive.
    """
    claims = verify_token(token, settings=settings, now=now)
    user = session.get(User, claims.user_id)
    if (
        user is None
        or not user.is_active
        or not hmac.compare_digest(_fingerprint(user), claims.fingerprint)
    ):
        msg = "invalid or expired credentials; log in again"
        raise AuthenticationError(msg)
    return user


# --- login and lockout ---------------------------------------------------------------


@dataclass(frozen=True)
class LoginResult:
    """Outcome of :func:`authenticate`: the user, or why not."""

    user: User | None
    locked: bool
    message: str


def authenticate(
    session: Session,
    *,
    username: str,
    password: str,
    settings: Settings,
    hasher: PasswordHasher,
    now: dt.datetime | None = None,
) -> LoginResult:
    """Check a login and record the attempt (the caller commits).

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        Session to read users and record the attempt.
    username, password : str
        The credentials given.
    settings : Settings
        Lockout thresholds.
    hasher : argon2.PasswordHasher
        Password hasher.
    now : datetime, optional
        Current UTC time (tests).

    Returns
    -------
    LoginResult
        ``user`` set on success; ``locked`` when the account is locked out.
    """
    global _DUMMY_HASH  # noqa: PLW0603 - cached constant, computed once
    now = now or utcnow()
    since = now - dt.timedelta(minutes=settings.lockout_window_minutes)
    username = username[:80]
    n_failed = session.execute(
        select(func.count())
        .select_from(LoginAttempt)
        .where(
            LoginAttempt.username == username,
            LoginAttempt.at >= since,
            LoginAttempt.success.is_(False),
        )
    ).scalar_one()
    if n_failed >= settings.lockout_attempts:
        msg = (
            f"account {username!r} is locked after {n_failed} failed logins in "
            f"{settings.lockout_window_minutes} minutes; try again later"
        )
        return LoginResult(None, True, msg)
    user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if user is None:
        if _DUMMY_HASH is None:
            _DUMMY_HASH = hasher.hash("timing-equaliser")
        verify_password(password, _DUMMY_HASH, hasher=hasher)
        ok = False
    else:
        ok = user.is_active and verify_password(password, user.password_hash, hasher=hasher)
    session.add(LoginAttempt(username=username, at=now, success=ok))
    session.flush()
    if not ok:
        return LoginResult(None, False, "incorrect username or password")
    return LoginResult(user, False, "ok")


# --- roles and scope -----------------------------------------------------------------


def require_role(user: User, *roles: str) -> None:
    """Raise :class:`ScopeError` unless ``user.role`` is one of ``roles``."""
    if user.role not in roles:
        msg = f"this action needs one of the roles {', '.join(roles)}; you are {user.role!r}"
        raise ScopeError(msg)


def require_writer(user: User) -> None:
    """Raise :class:`ScopeError` for read-only users."""
    if user.role == "viewer":
        msg = "viewers have read-only access"
        raise ScopeError(msg)


def scope_filter(user: User, model: type[Any]) -> ColumnElement[bool] | None:
    """SQL condition restricting ``model`` rows to ``user``'s scope (``None``: everything).

    Parameters
    ----------
    user : User
        The current user.
    model : type
        One of :data:`SCOPED_MODELS`, or a reference table (unrestricted).

    Returns
    -------
    sqlalchemy.ColumnElement or None
        The ``WHERE`` condition, or ``None`` when the user may see every row.
    """
    if model not in SCOPED_MODELS or user.role == "national":
        return None
    region_col = model.region_id
    if user.role == "factory":
        if user.site_id is None:
            return false()
        if model is Site:
            return Site.id == user.site_id
        if model is Project:
            return Project.id.in_(select(Site.project_id).where(Site.id == user.site_id))
        if hasattr(model, "site_id"):
            return model.site_id == user.site_id
        return region_col == user.region_id
    if user.region_id is not None:  # county (or a viewer limited to a county)
        return region_col == user.region_id
    if user.province_id is not None:  # provincial (or a viewer limited to a province)
        return region_col.in_(select(Region.id).where(Region.province_id == user.province_id))
    if user.role == "viewer":
        return None
    return false()


def in_scope(
    session: Session,
    user: User,
    *,
    region_id: str,
    site_id: int | None = None,
    project_id: int | None = None,
) -> bool:
    """Whether a row of ``region_id`` (and ``site_id``/``project_id``) is in ``user``'s scope."""
    if user.role == "national":
        return True
    if user.role == "factory":
        if user.site_id is None:
            return False
        if site_id is not None:
            return site_id == user.site_id
        if project_id is not None:
            site = session.get(Site, user.site_id)
            return site is not None and site.project_id == project_id
        return False
    if user.region_id is not None:
        return region_id == user.region_id
    if user.province_id is not None:
        region = session.get(Region, region_id)
        return region is not None and region.province_id == user.province_id
    return user.role == "viewer"


def check_scope(
    session: Session,
    user: User,
    *,
    region_id: str,
    write: bool,
    site_id: int | None = None,
    project_id: int | None = None,
) -> None:
    """Raise :class:`ScopeError` unless ``user`` may read (or write) such a row."""
    if write:
        require_writer(user)
    if not in_scope(session, user, region_id=region_id, site_id=site_id, project_id=project_id):
        what = "change" if write else "see"
        msg = f"{user.role} user {user.username!r} may not {what} records of region {region_id!r}"
        raise ScopeError(msg)
