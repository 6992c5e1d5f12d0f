"""Fixtures of the monitoring tests: every database fixture runs on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from regdev.monitoring import db, deps, testing
from regdev.monitoring.app import create_app
from regdev.monitoring.config import Settings
from regdev.monitoring.db import begin_write, make_engine, make_session_factory
from regdev.monitoring.deps import get_hasher, get_session


@pytest.fixture(scope="session")
def _pg_url() -> Iterator[str | None]:
    if testing.pg_base_url() is None:
        yield None
        return
    with testing.fresh_pg_schema() as url:
        engine = make_engine(url)
        testing.create_schema(engine)
        engine.dispose()
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, _pg_url: str | None) -> Iterator[Engine]:
    """A migrated, empty database on each back end (PostgreSQL skips if unreachable)."""
    if request.param == "sqlite":
        eng = testing.sqlite_memory_engine()
        yield eng
        eng.dispose()
        return
    if _pg_url is None:
        pytest.skip(testing.pg_skip_reason())
    eng = make_engine(_pg_url)
    testing.clear_tables(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def session_factory(engine: Engine) -> sessionmaker[Session]:
    return make_session_factory(engine)


@pytest.fixture
def session(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    with session_factory() as s:
        yield s


@pytest.fixture
def world(session_factory: sessionmaker[Session]) -> testing.World:
    with session_factory() as s:
        return testing.build_world(s)


class _FactoryHolder:
    factory: sessionmaker[Session] | None = None


@pytest.fixture(scope="session")
def _shared_app() -> tuple[FastAPI, _FactoryHolder]:
    """One application for the whole session (building one costs ~0.5 s); each test
    points its session dependency at that test's database."""
    holder = _FactoryHolder()
    application = create_app(Settings(database_url="sqlite://"), engine=make_engine("sqlite://"))

    def _session(request: Request) -> Iterator[Session]:
        assert holder.factory is not None
        writes = request.method not in ("GET", "HEAD", "OPTIONS")
        if writes and hasattr(db, "write_bind"):  # as the service's own get_session
            with holder.factory(bind=db.write_bind(holder.factory.kw["bind"])) as s:
                yield s
            return
        with holder.factory() as s:
            if writes:
                begin_write(s)
            yield s

    def _factory() -> sessionmaker[Session]:
        assert holder.factory is not None
        return holder.factory

    application.dependency_overrides[get_session] = _session
    # getattr: the regression tests of issue 16 are also run against older code
    if hasattr(deps, "get_session_factory"):
        application.dependency_overrides[deps.get_session_factory] = _factory
    application.dependency_overrides[get_hasher] = lambda: testing.FAST_HASHER
    return application, holder


@pytest.fixture
def app(
    _shared_app: tuple[FastAPI, _FactoryHolder],
    session_factory: sessionmaker[Session],
    engine: Engine,
) -> Iterator[FastAPI]:
    application, holder = _shared_app
    holder.factory = session_factory
    application.state.read_cache.rebind(engine)
    yield application
    holder.factory = None
    application.state.read_cache.clear()


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as c:
        yield c


@pytest.fixture
def login(client: TestClient, world: testing.World):  # noqa: ANN201 - returns a factory
    """``login(username) -> headers`` with a bearer token for that user."""

    def _login(username: str) -> dict[str, str]:
        r = client.post(
            "/api/v1/login/access-token", data={"username": username, "password": testing.PASSWORD}
        )
        assert r.status_code == 200, r.text
        return {"Authorization": f"Bearer {r.json()['access_token']}"}

    return _login
