from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, text

from regdev.monitoring import testing
from regdev.monitoring.db import make_engine
from regdev.monitoring.migrate import current_revision, upgrade
from regdev.monitoring.models import Base


@pytest.fixture(params=["sqlite", "postgresql"])
def blank_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        eng = make_engine(f"sqlite:///{tmp_path / 'm.db'}")
        yield eng
        eng.dispose()
        return
    if testing.pg_base_url() is None:
        pytest.skip(testing.pg_skip_reason())
    with testing.fresh_pg_schema() as url:
        eng = make_engine(url)
        yield eng
        eng.dispose()


def test_migrations_build_the_model_schema(blank_engine: Engine) -> None:
    assert current_revision(blank_engine) is None
    upgrade(blank_engine)
    assert current_revision(blank_engine) == "0001"
    with blank_engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(ctx, Base.metadata)
        assert diff == []
        assert conn.execute(text("SELECT seq FROM audit_head WHERE id = 1")).scalar_one() == 0
    upgrade(blank_engine)  # idempotent
    assert set(inspect(blank_engine).get_table_names()) >= {
        t.name for t in Base.metadata.sorted_tables
    }


def test_sqlite_pragmas(tmp_path: Path) -> None:
    eng = make_engine(f"sqlite:///{tmp_path / 'p.db'}")
    with eng.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
    eng.dispose()
