"""Helpers for tests of the monitoring service (SQLite and PostgreSQL back ends).

``database_urls()`` gives the two back ends the suite runs every database test
against; ``pg_available()`` says whether PostgreSQL on 127.0.0.1:5432 answers;
``fresh_pg_schema()`` creates an isolated schema so concurrent runs don't collide.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache

from argon2 import PasswordHasher
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session

from regdev.monitoring import audit, crud, schemas
from regdev.monitoring.db import make_engine
from regdev.monitoring.models import Base, Site, User
from regdev.monitoring.reference import load_regions

PG_HOST = os.environ.get("REGDEV_TEST_PG_HOST", "127.0.0.1")
PG_PORT = int(os.environ.get("REGDEV_TEST_PG_PORT", "5432"))
PG_DB = os.environ.get("REGDEV_TEST_PG_DB", "test")
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


@cache
def pg_base_url() -> str | None:
    """URL of the reachable test PostgreSQL (users ``postgres`` then ``root``), or ``None``."""
    for user in ("postgres", "root"):
        url = f"postgresql+psycopg://{user}@{PG_HOST}:{PG_PORT}/{PG_DB}"
        try:
            eng = create_engine(url, connect_args={"connect_timeout": 2})
            with eng.connect() as conn:
                conn.execute(text("SELECT 1"))
            eng.dispose()
        except Exception:  # noqa: BLE001, S112 - any failure means "not reachable"
            continue
        return url
    return None


def pg_skip_reason() -> str:
    """Why PostgreSQL tests are skipped."""
    return (
        f"no PostgreSQL reachable at {PG_HOST}:{PG_PORT} (database {PG_DB!r}, users postgres/root, "
        "trust auth); SQLite variant still runs"
    )


@contextmanager
def fresh_pg_schema(*, durable: bool = False) -> Iterator[str]:
    """Create a uniquely named schema, yield a URL that uses it, drop it afterwards.

    ``durable=False`` (tests) turns ``synchronous_commit`` off; benchmarks of writes
    pass ``durable=True`` so that every acknowledged commit is on disk, as in production.
    """
    base = pg_base_url()
    if base is None:  # pragma: no cover - callers skip first
        raise RuntimeError(pg_skip_reason())
    schema = f"regdev_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        # test data need not survive a power cut: skip the per-commit fsync
        fsync = "" if durable else "%20-csynchronous_commit%3Doff"
        yield f"{base}?options=-csearch_path%3D{schema}{fsync}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def create_schema(engine: Engine) -> None:
    """Create every table and the audit guards (fast path for tests; production migrates)."""
    Base.metadata.create_all(engine)
    with engine.begin() as conn:
        audit.install_guards(conn)


def clear_tables(engine: Engine) -> None:
    """Empty every table (PostgreSQL: TRUNCATE, which the audit trigger does not block)."""
    names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        audit.install_guards(conn)


@dataclass
class World:
    """A small populated database: toy regions, one project per region, users per role."""

    national: User
    viewer: User
    provincial_a: User
    county_a1: User
    county_b1: User
    factory_a1: User
    site_a1: Site
    site_b1: Site


PASSWORD = "correct horse battery"


def build_world(session: Session) -> World:
    """Populate ``session`` with the toy region and one user per role (commits)."""
    from regdev.registry import toy_region

    load_regions(session, toy_region())
    system = crud.system_user()
    prog = crud.create(
        session,
        resource_name="programmes",
        actor=system,
        data=schemas.ProgrammeCreate(name="Toy 20x10", start_year=2024, end_year=2033),
    )
    sites: dict[str, Site] = {}
    for rid in ("T-A1", "T-A2", "T-B1", "T-B2"):
        p = crud.create_project(
            session,
            actor=system,
            data=schemas.ProjectCreate(
                region_id=rid,
                facility="factories",
                cohort_year=2024,
                planned_groundbreaking=dt.date(2024, 2, 28),
                planned_inauguration=dt.date(2024, 12, 31),
                actual_groundbreaking=dt.date(2024, 3, 1),
                actual_inauguration=dt.date(2024, 12, 20) if rid != "T-B2" else None,
                state="operating" if rid != "T-B2" else "groundbreaking",
            ),
        )
        if rid != "T-B2":
            sites[rid] = session.query(Site).filter(Site.project_id == p.id).one()
    _ = prog

    def user(name: str, role: str, **scope: object) -> User:
        return crud.create_user(
            session,
            actor=None,
            hasher=FAST_HASHER,
            data=schemas.UserCreate(username=name, password=PASSWORD, role=role, **scope),  # type: ignore[arg-type]
        )

    world = World(
        national=user("nat", "national"),
        viewer=user("view", "viewer"),
        provincial_a=user("prov_a", "provincial", province_id="A"),
        county_a1=user("county_a1", "county", region_id="T-A1"),
        county_b1=user("county_b1", "county", region_id="T-B1"),
        factory_a1=user("factory_a1", "factory", site_id=sites["T-A1"].id),
        site_a1=sites["T-A1"],
        site_b1=sites["T-B1"],
    )
    session.commit()
    return world


def sqlite_memory_engine() -> Engine:
    """A fresh in-memory SQLite engine (``StaticPool``) with the schema created."""
    engine = make_engine("sqlite://")
    create_schema(engine)
    return engine
