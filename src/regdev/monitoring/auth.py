"""Passwords, tokens, lockout and the one place where role and scope are checked.

* Passwords: Argon2id via argon2-cffi.
* Tokens: ``base64url(payload).base64url(hmac_sha256)``; the same token is accepted as
  ``Authorization: Bearer …`` (API) and as the session cookie (dashboard).  The payload
  carries the user id, expiry, a fingerprint of the password hash and the user's
  session epoch, so changing a password or logging out revokes every token issued
  before.
* Lockout: after ``lockout_attempts`` failed logins from one client address within
  ``lockout_window_minutes`` the account refuses logins *from that address* (even with
  the right password) until the window has passed or an administrator unlocks it;
  attempts are counted exactly under concurrency and hashed outside any transaction
  (see :func:`authenticate`).
* Scope: ``national`` sees and edits everything; ``provincial`` their province;
  ``county`` their county; ``factory`` their site; ``viewer`` reads (within their
  province/county if one is set) and never writes.  Reference tables (provinces,
  regions, programmes, plans) are readable by every user and writable by national users.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import hashlib
import hmac
import json
import os
import threading
from dataclasses import dataclass
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import ColumnElement, delete, false, func, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from regdev.i18n import _
from regdev.monitoring.config import Settings
from regdev.monitoring.db import begin_write
from regdev.monitoring.errors import AuthenticationError, RateLimitError, ScopeError
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
#: Password verifications running at once (each takes ~0.3 s of a core and 64 MiB):
#: half the cores, so a login flood cannot starve the requests that write data.
_HASH_SLOTS = threading.BoundedSemaphore(max(1, (os.cpu_count() or 2) // 2))


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


def fingerprint(user: User) -> str:
    """A short digest of the user's password hash (tokens carry it)."""
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


_fingerprint = fingerprint


def _sign(key: str, body: str) -> bytes:
    return hmac.new(key.encode(), body.encode(), hashlib.sha256).digest()


@dataclass(frozen=True)
class TokenClaims:
    """What a correctly signed, unexpired token says.

    User id, expiry, password fingerprint and the user's session epoch at issue time
    (logging out increments the epoch, which revokes every earlier token).
    """

    user_id: int
    exp: int
    fingerprint: str
    epoch: int = 0


def create_token(user: User, *, settings: Settings, now: dt.datetime | None = None) -> str:
    """A signed token for ``user`` valid for ``settings.access_token_expire_minutes``."""
    now = now or utcnow()
    exp = now + dt.timedelta(minutes=settings.access_token_expire_minutes)
    payload = {
        "sub": user.id,
        "exp": int(exp.timestamp()),
        "fp": _fingerprint(user),
        "ep": int(user.session_epoch or 0),
    }
    body = _b64(json.dumps(payload, separators=(",", ":")).encode())
    return f"{body}.{_b64(_sign(settings.secret_key, body))}"


def verify_token(token: str, *, settings: Settings, now: dt.datetime | None = None) -> TokenClaims:
    """Check a token's signature and expiry, without touching the database.

    Tokens signed with the current ``secret_key`` or one of ``previous_secret_keys``
    (key rotation: see ``docs/security.md``) are accepted.  A correctly signed token's
    claims are remembered (bounded, per key set), so a token checked once costs a
    dictionary lookup afterwards; the expiry is compared with the clock every time,
    and forged or malformed tokens are never remembered.

    Raises
    ------
    AuthenticationError
        If the token is malformed, forged or expired.
    """
    claims = _signed_claims(token, (settings.secret_key, *settings.previous_secret_keys))
    now = now or utcnow()
    if claims.exp < now.timestamp():
        raise AuthenticationError(_INVALID)
    return claims


_INVALID = "invalid or expired credentials; log in again"


@functools.lru_cache(maxsize=4096)
def _signed_claims(token: str, keys: tuple[str, ...]) -> TokenClaims:
    """The claims of a token signed with one of ``keys`` (cached; raises otherwise)."""
    try:
        body, sig = token.split(".", 1)
        given = _unb64(sig)
        signed = False
        for key in keys:
            signed = hmac.compare_digest(_sign(key, body), given) or signed
        payload: dict[str, Any] = json.loads(_unb64(body)) if signed else {}
        user_id, exp, fp, ep = (
            (
                int(payload["sub"]),
                int(payload["exp"]),
                str(payload["fp"]),
                int(payload.get("ep", 0)),
            )
            if signed
            else (0, 0, "", 0)
        )
    except (ValueError, KeyError, TypeError, OverflowError, AttributeError) as exc:
        raise AuthenticationError(_INVALID) from exc
    if not signed or not 0 < user_id < 2**31:
        raise AuthenticationError(_INVALID)
    return TokenClaims(user_id, exp, fp, ep)


def token_matches(user: User | None, claims: TokenClaims) -> bool:
    """Whether ``claims`` still hold for ``user`` (active, same password, same epoch)."""
    return (
        user is not None
        and user.is_active
        and hmac.compare_digest(_fingerprint(user), claims.fingerprint)
        and int(user.session_epoch or 0) == claims.epoch
    )


def user_from_token(
    session: Session, token: str, *, settings: Settings, now: dt.datetime | None = None
) -> User:
    """The active user a token belongs to.

    Raises
    ------
    AuthenticationError
        If the token is malformed, forged, expired, revoked (password changed or
        logged out) or its user inactive.
    """
    claims = verify_token(token, settings=settings, now=now)
    user = session.get(User, claims.user_id)
    if user is None or not token_matches(user, claims):
        msg = _("invalid or expired credentials; log in again")
        raise AuthenticationError(msg)
    return user


# --- login and lockout ---------------------------------------------------------------


@dataclass(frozen=True)
class LoginResult:
    """Outcome of :func:`authenticate`: the user, or why not."""

    user: User | None
    locked: bool
    message: str


def _dummy_hash(hasher: PasswordHasher) -> str:
    global _DUMMY_HASH  # noqa: PLW0603 - cached constant, computed once
    if _DUMMY_HASH is None:
        _DUMMY_HASH = hasher.hash("timing-equaliser")
    return _DUMMY_HASH


def _lock_key(session: Session, username: str, client: str) -> None:
    """Serialise logins of one (username, client) pair for the rest of the transaction.

    PostgreSQL: a transaction-scoped advisory lock (READ COMMITTED alone would let
    parallel attempts all count the same failures).  SQLite: the caller's
    ``BEGIN IMMEDIATE`` already serialises every writer.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            text("SELECT pg_advisory_xact_lock(hashtextextended(:k, 0))"),
            {"k": f"regdev-login\n{username}\n{client}"},
        )


def failed_logins(
    session: Session, *, username: str, client: str | None, since: dt.datetime
) -> int:
    """Failed (or still pending) logins of ``username`` since ``since`` and its last success.

    ``client=None`` counts over every client address.
    """
    cond = [LoginAttempt.username == username, LoginAttempt.at >= since]
    if client is not None:
        cond.append(LoginAttempt.client == client)
    last_ok = session.execute(
        select(func.max(LoginAttempt.at)).where(*cond, LoginAttempt.success.is_(True))
    ).scalar_one()
    if last_ok is not None:
        cond.append(LoginAttempt.at > last_ok)
    n = session.execute(
        select(func.count()).select_from(LoginAttempt).where(*cond, LoginAttempt.success.is_(False))
    ).scalar_one()
    return int(n)


def authenticate(
    session_factory: sessionmaker[Session],
    *,
    username: str,
    password: str,
    settings: Settings,
    hasher: PasswordHasher,
    client: str = "",
    now: dt.datetime | None = None,
) -> LoginResult:
    """Check a login with exact lockout counting, hashing outside any transaction.

    1. **Reserve** (one short write transaction, serialised per username and client):
       count the failed attempts from this client in the lockout window (since its
       last success); at the limit the account is locked *for this client*; otherwise
       record this attempt as failed (pending) and read the user's hash.  Parallel
       attempts therefore see each other: at most ``lockout_attempts`` passwords are
       ever checked per client and window.
    2. **Verify** the password with Argon2 outside any transaction (the SQLite write
       lock is not held while hashing).  Unknown and deactivated users are checked
       against a dummy hash, so they take as long as real ones.
    3. **Confirm** a success (second short transaction): the attempt becomes a success.

    Counting per (username, client address) means that failures from one address lock
    only that address out: nobody can lock the administrator out of their own
    workstation from elsewhere.  ``regdev users unlock`` clears a lockout.

    Parameters
    ----------
    session_factory : sessionmaker
        Makes the short sessions of steps 1 and 3.
    username, password : str
        The credentials given.
    settings : Settings
        Lockout thresholds.
    hasher : argon2.PasswordHasher
        Password hasher.
    client : str
        Address of the client (``request.client.host``; behind a proxy, the proxy's
        forwarded address as uvicorn's ``--forwarded-allow-ips`` admits it).
    now : datetime, optional
        Current UTC time (tests).

    Returns
    -------
    LoginResult
        ``user`` set on success; ``locked`` when this client is locked out.
    """
    now = now or utcnow()
    since = now - dt.timedelta(minutes=settings.lockout_window_minutes)
    username = username.replace("\x00", "")[:80]
    client = client[:64]
    with session_factory() as session:
        begin_write(session)
        _lock_key(session, username, client)
        n_failed = failed_logins(session, username=username, client=client, since=since)
        if n_failed >= settings.lockout_attempts:
            session.rollback()
            msg = _(
                "account {user} is locked for this address after {n} failed logins in "
                "{minutes} minutes; try again later or ask an administrator "
                "(`regdev users unlock`)",
                user=repr(username),
                n=n_failed,
                minutes=settings.lockout_window_minutes,
            )
            return LoginResult(None, True, msg)
        attempt = LoginAttempt(username=username, client=client, at=now, success=False)
        session.add(attempt)
        user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
        session.commit()
        attempt_id = attempt.id
    stored = user.password_hash if user is not None and user.is_active else _dummy_hash(hasher)
    with _HASH_SLOTS:  # a login flood queues here instead of taking every core
        matches = verify_password(password, stored, hasher=hasher)
    ok = user is not None and user.is_active and matches
    if not ok:
        return LoginResult(None, False, _("incorrect username or password"))
    with session_factory() as session:
        begin_write(session)
        session.execute(
            update(LoginAttempt).where(LoginAttempt.id == attempt_id).values(success=True)
        )
        session.commit()
    return LoginResult(user, False, "ok")


class LoginThrottle:
    """Per-client token bucket for login attempts (in memory, per server process).

    Each client address may start ``burst`` logins at once and then ``per_minute`` a
    minute; further attempts are refused *before* any hashing (HTTP 429), so a login
    flood from one address costs the server almost nothing.  Thread-safe; forgets
    idle clients.

    Parameters
    ----------
    per_minute : float
        Sustained logins per minute and client.
    burst : int
        Logins a client may make at once.
    """

    def __init__(self, per_minute: float, burst: int) -> None:
        self.rate = per_minute / 60.0
        self.burst = float(burst)
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, client: str, now: float | None = None) -> float:
        """Use one login of ``client``; ``0`` if allowed, else seconds until the next one."""
        import time

        t = time.monotonic() if now is None else now
        with self._lock:
            tokens, last = self._buckets.get(client, (self.burst, t))
            tokens = min(self.burst, tokens + (t - last) * self.rate)
            if tokens >= 1.0:
                self._buckets[client] = (tokens - 1.0, t)
                if len(self._buckets) > 10_000:  # forget full buckets (idle clients)
                    self._buckets = {
                        k: v
                        for k, v in self._buckets.items()
                        if v[0] + (t - v[1]) * self.rate < self.burst
                    }
                return 0.0
            self._buckets[client] = (tokens, t)
            return (1.0 - tokens) / self.rate if self.rate > 0 else 60.0


def throttle_login(throttle: LoginThrottle, client: str) -> None:
    """Raise :class:`RateLimitError` when ``client`` has used up its logins."""
    wait = throttle.take(client)
    if wait > 0:
        msg = _(
            "too many login attempts from this address; try again in {s} s",
            s=format(wait, ".0f"),
        )
        raise RateLimitError(msg, retry_after=wait)


def unlock(session: Session, *, username: str, client: str | None = None) -> int:
    """Forget the failed logins of ``username`` (from ``client``, or every client).

    Returns
    -------
    int
        Number of failed attempts removed.
    """
    cond = [LoginAttempt.username == username, LoginAttempt.success.is_(False)]
    if client is not None:
        cond.append(LoginAttempt.client == client)
    result = session.execute(delete(LoginAttempt).where(*cond))
    return int(getattr(result, "rowcount", 0) or 0)


# --- roles and scope -----------------------------------------------------------------


def require_role(user: User, *roles: str) -> None:
    """Raise :class:`ScopeError` unless ``user.role`` is one of ``roles``."""
    if user.role not in roles:
        msg = _(
            "this action needs one of the roles {roles}; you are {role}",
            roles=", ".join(roles),
            role=repr(user.role),
        )
        raise ScopeError(msg)


def require_writer(user: User) -> None:
    """Raise :class:`ScopeError` for read-only users."""
    if user.role == "viewer":
        msg = _("viewers have read-only access")
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
        return false()  # e.g. grain status: not a factory's (as in_scope says)
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
        template = (
            _("{role} user {user} may not change records of region {region}")
            if write
            else _("{role} user {user} may not see records of region {region}")
        )
        msg = template.format(role=user.role, user=repr(user.username), region=repr(region_id))
        raise ScopeError(msg)
