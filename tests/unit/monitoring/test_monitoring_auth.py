from __future__ import annotations

import datetime as dt
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Literal

import pytest
from argon2 import PasswordHasher
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from regdev.errors import ConfigError
from regdev.monitoring import auth, crud, schemas, testing
from regdev.monitoring.config import Settings
from regdev.monitoring.errors import AuthenticationError
from regdev.monitoring.models import User, utcnow

SETTINGS = Settings(database_url="sqlite://", secret_key="k" * 32)


def test_placeholder_secret_refused_outside_development() -> None:
    Settings(environment="development").check_secrets()
    with pytest.raises(ConfigError, match="REGDEV_SECRET_KEY"):
        Settings(environment="production").check_secrets()
    Settings(environment="production", secret_key="s" * 40).check_secrets()


def test_settings_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REGDEV_DATABASE_URL", "postgresql+psycopg://u@h/db")
    assert Settings().database_url == "postgresql+psycopg://u@h/db"
    monkeypatch.delenv("REGDEV_DATABASE_URL")
    assert Settings().database_url == "sqlite:///./regdev.db"


def test_passwords_are_argon2() -> None:
    h = auth.hash_password("pw123456", hasher=testing.FAST_HASHER)
    assert h.startswith("$argon2id$")
    assert auth.verify_password("pw123456", h, hasher=testing.FAST_HASHER)
    assert not auth.verify_password("pw123457", h, hasher=testing.FAST_HASHER)
    assert not auth.verify_password("pw", "not a hash", hasher=testing.FAST_HASHER)


def test_token_roundtrip_forgery_expiry_revocation(session: Session, world: testing.World) -> None:
    user = session.get(User, world.county_a1.id)
    assert user is not None
    token = auth.create_token(user, settings=SETTINGS)
    assert auth.user_from_token(session, token, settings=SETTINGS).id == user.id
    body, sig = token.split(".")
    with pytest.raises(AuthenticationError):
        auth.user_from_token(session, body + "." + sig[:-2] + "AA", settings=SETTINGS)
    with pytest.raises(AuthenticationError):
        auth.user_from_token(session, token, settings=Settings(secret_key="other" * 8))
    with pytest.raises(AuthenticationError):
        auth.user_from_token(session, "garbage", settings=SETTINGS)
    later = utcnow() + dt.timedelta(minutes=SETTINGS.access_token_expire_minutes + 1)
    with pytest.raises(AuthenticationError):
        auth.user_from_token(session, token, settings=SETTINGS, now=later)
    # a password change revokes earlier tokens (your own change needs the current one)
    crud.update_user(
        session,
        actor=user,
        user_id=user.id,
        data=schemas.UserUpdate(password="brand new pw", current_password=testing.PASSWORD),
        hasher=testing.FAST_HASHER,
    )
    session.commit()
    with pytest.raises(AuthenticationError):
        auth.user_from_token(session, token, settings=SETTINGS)


def test_lockout_window_expires(
    session_factory: sessionmaker[Session], world: testing.World
) -> None:
    t0 = utcnow()
    for i in range(5):
        r = auth.authenticate(
            session_factory,
            username="nat",
            password="bad",
            settings=SETTINGS,
            hasher=testing.FAST_HASHER,
            now=t0 + dt.timedelta(seconds=i),
        )
        assert r.user is None
        assert not r.locked
    r = auth.authenticate(
        session_factory,
        username="nat",
        password=testing.PASSWORD,
        settings=SETTINGS,
        hasher=testing.FAST_HASHER,
        now=t0 + dt.timedelta(minutes=5),
    )
    assert r.locked
    r = auth.authenticate(
        session_factory,
        username="nat",
        password=testing.PASSWORD,
        settings=SETTINGS,
        hasher=testing.FAST_HASHER,
        now=t0 + dt.timedelta(minutes=16),
    )
    assert r.user is not None


def test_scope_rules(session: Session, world: testing.World) -> None:
    assert auth.in_scope(session, world.provincial_a, region_id="T-A2")
    assert not auth.in_scope(session, world.provincial_a, region_id="T-B1")
    assert auth.in_scope(session, world.county_b1, region_id="T-B1")
    assert not auth.in_scope(session, world.county_b1, region_id="T-A1")
    assert auth.in_scope(session, world.factory_a1, region_id="T-A1", site_id=world.site_a1.id)
    assert not auth.in_scope(session, world.factory_a1, region_id="T-A1", site_id=world.site_b1.id)
    assert auth.in_scope(session, world.viewer, region_id="T-B3")
    assert auth.scope_filter(world.national, User) is None


@pytest.mark.parametrize(
    "payload",
    [b'{"sub": 1, "exp": Infinity, "fp": "x"}', b"[1, 2]", b'"text"', b'{"sub": "a"}', b"\xff"],
)
def test_signed_but_malformed_payload_is_401_not_500(session: Session, payload: bytes) -> None:
    import hashlib
    import hmac

    body = auth._b64(payload)
    sig = auth._b64(hmac.new(SETTINGS.secret_key.encode(), body.encode(), hashlib.sha256).digest())
    with pytest.raises(AuthenticationError):
        auth.user_from_token(session, f"{body}.{sig}", settings=SETTINGS)


# --- issue 16: login hashing, exact lockout, lockout scope, timing, own password --------


class CountingHasher(PasswordHasher):
    """The fast test hasher, counting verifications and optionally slowed down."""

    def __init__(self, delay_s: float = 0.0) -> None:
        super().__init__(time_cost=1, memory_cost=8, parallelism=1)
        self.delay_s = delay_s
        self.calls = 0
        self._lock = threading.Lock()

    def verify(self, hash: str | bytes, password: str | bytes) -> Literal[True]:  # noqa: A002
        with self._lock:
            self.calls += 1
        time.sleep(self.delay_s)
        return super().verify(hash, password)


def _login(factory: sessionmaker[Session], hasher: PasswordHasher, **kw: Any) -> auth.LoginResult:
    kw.setdefault("username", "nat")
    kw.setdefault("password", "wrong password")
    return auth.authenticate(factory, settings=SETTINGS, hasher=hasher, **kw)


def _parallel_wrong_passwords(factory: sessionmaker[Session]) -> None:
    hasher = CountingHasher(delay_s=0.05)
    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(lambda _: _login(factory, hasher, client="10.1.1.1"), range(20)))
    # exactly lockout_attempts passwords were checked; every other attempt was refused
    assert hasher.calls == SETTINGS.lockout_attempts
    assert sum(r.locked for r in results) == 20 - SETTINGS.lockout_attempts
    assert all(r.user is None for r in results)
    # the right password from the same address is refused too
    r = _login(factory, hasher, client="10.1.1.1", password=testing.PASSWORD)
    assert r.locked
    assert r.user is None
    assert hasher.calls == SETTINGS.lockout_attempts


def test_parallel_wrong_passwords_are_counted_exactly(
    engine: Engine, session_factory: sessionmaker[Session], world: testing.World
) -> None:
    if engine.dialect.name == "sqlite":
        pytest.skip("the in-memory SQLite engine shares one connection; see the file variant")
    _parallel_wrong_passwords(session_factory)


def test_parallel_wrong_passwords_are_counted_exactly_sqlite_file(tmp_path: Path) -> None:
    from regdev.monitoring.db import make_engine, make_session_factory

    eng = make_engine(f"sqlite:///{tmp_path / 'lock.db'}")
    testing.create_schema(eng)
    factory = make_session_factory(eng)
    with factory() as s:
        testing.build_world(s)
    _parallel_wrong_passwords(factory)
    eng.dispose()


def test_lockout_is_per_client_address_and_can_be_lifted(
    session_factory: sessionmaker[Session], world: testing.World
) -> None:
    hasher = CountingHasher()
    for _ in range(SETTINGS.lockout_attempts):
        assert not _login(session_factory, hasher, client="203.0.113.9").locked
    assert _login(session_factory, hasher, client="203.0.113.9").locked
    # the attacker's address is locked; the administrator's own is not
    ok = _login(session_factory, hasher, client="127.0.0.1", password=testing.PASSWORD)
    assert ok.user is not None
    with session_factory() as s:
        assert auth.unlock(s, username="nat") == SETTINGS.lockout_attempts
        s.commit()
    r = _login(session_factory, hasher, client="203.0.113.9", password=testing.PASSWORD)
    assert r.user is not None


def test_unknown_and_deactivated_users_cost_one_hash_like_everyone(
    session: Session, session_factory: sessionmaker[Session], world: testing.World
) -> None:
    user = session.get(User, world.county_a1.id)
    assert user is not None
    user.is_active = False
    session.commit()
    for name in ("nat", "county_a1", "no-such-user"):
        hasher = CountingHasher()
        r = _login(session_factory, hasher, username=name, password=testing.PASSWORD)
        assert hasher.calls == 1, name
        assert (r.user is not None) == (name == "nat")


def test_own_password_change_needs_the_current_password(
    session: Session, world: testing.World
) -> None:
    from regdev.errors import DataValidationError

    user = session.get(User, world.county_a1.id)
    assert user is not None
    for current in (None, "not my password"):
        with pytest.raises(DataValidationError, match="current password"):
            crud.update_user(
                session,
                actor=user,
                user_id=user.id,
                data=schemas.UserUpdate(password="brand new pw", current_password=current),
                hasher=testing.FAST_HASHER,
            )
    # an administrator resetting someone else's password needs no old one
    nat = session.get(User, world.national.id)
    assert nat is not None
    crud.update_user(
        session,
        actor=nat,
        user_id=user.id,
        data=schemas.UserUpdate(password="reset by admin"),
        hasher=testing.FAST_HASHER,
    )


def test_placeholder_secret_refused_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REGDEV_ENVIRONMENT", raising=False)
    monkeypatch.delenv("REGDEV_SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="REGDEV_ENVIRONMENT=development"):
        Settings().check_secrets()
    with pytest.raises(ConfigError):
        Settings(secret_key="short").check_secrets()
    monkeypatch.setenv("REGDEV_ENVIRONMENT", "development")
    Settings().check_secrets()


def test_previous_keys_verify_during_rotation(session: Session, world: testing.World) -> None:
    user = session.get(User, world.county_a1.id)
    assert user is not None
    old = Settings(secret_key="o" * 32)
    token = auth.create_token(user, settings=old)
    rotated = Settings(secret_key="n" * 32, previous_secret_keys=["o" * 32])
    assert auth.user_from_token(session, token, settings=rotated).id == user.id
    with pytest.raises(AuthenticationError):
        auth.user_from_token(session, token, settings=Settings(secret_key="n" * 32))
