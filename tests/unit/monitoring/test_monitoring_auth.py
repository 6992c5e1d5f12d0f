from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session

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
    # a password change revokes earlier tokens
    crud.update_user(
        session,
        actor=user,
        user_id=user.id,
        data=schemas.UserUpdate(password="brand new pw"),
        hasher=testing.FAST_HASHER,
    )
    session.commit()
    with pytest.raises(AuthenticationError):
        auth.user_from_token(session, token, settings=SETTINGS)


def test_lockout_window_expires(session: Session, world: testing.World) -> None:
    t0 = utcnow()
    for i in range(5):
        r = auth.authenticate(
            session,
            username="nat",
            password="bad",
            settings=SETTINGS,
            hasher=testing.FAST_HASHER,
            now=t0 + dt.timedelta(seconds=i),
        )
        assert r.user is None
        assert not r.locked
    r = auth.authenticate(
        session,
        username="nat",
        password=testing.PASSWORD,
        settings=SETTINGS,
        hasher=testing.FAST_HASHER,
        now=t0 + dt.timedelta(minutes=5),
    )
    assert r.locked
    r = auth.authenticate(
        session,
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
