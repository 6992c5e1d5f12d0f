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


HEAD = "0006"


def test_migrations_build_the_model_schema(blank_engine: Engine) -> None:
    assert current_revision(blank_engine) is None
    upgrade(blank_engine)
    assert current_revision(blank_engine) == HEAD
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


def test_upgrade_from_0001_keeps_data(blank_engine: Engine) -> None:
    upgrade(blank_engine, "0001")
    with blank_engine.begin() as conn:
        conn.execute(text("INSERT INTO provinces (id, name) VALUES ('P', 'Province P')"))
        conn.execute(
            text(
                "INSERT INTO regions (id, name, province_id, kind, coastal, resources) "
                "VALUES ('R', 'Region R', 'P', 'county', false, '')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO grain_status (store_id, region_id, timestamp, mean_temp_c, moisture_pct, alarms) "
                "VALUES ('s1', 'R', '2026-11-27 10:00:00', 12.5, 14.0, '[]')"
            )
        )
    upgrade(blank_engine)
    assert current_revision(blank_engine) == HEAD
    with blank_engine.connect() as conn:
        row = conn.execute(text("SELECT mean_temp_c, co2_ppm FROM grain_status")).one()
    assert tuple(row) == (12.5, None)


def test_backup_of_an_older_revision_restores_into_the_latest(
    blank_engine: Engine, tmp_path: Path
) -> None:
    from regdev.monitoring import backup

    upgrade(blank_engine, "0001")
    with blank_engine.begin() as conn:
        conn.execute(text("INSERT INTO provinces (id, name) VALUES ('P', 'Province P')"))
    path = tmp_path / "old.backup"
    summary = backup.backup(blank_engine, path)
    assert summary["revision"] == "0001"
    target = make_engine(f"sqlite:///{tmp_path / 'new.db'}")
    restored = backup.restore(target, path)
    assert restored["digest"] == summary["digest"]
    assert current_revision(target) == HEAD
    target.dispose()


def test_upgrade_from_0003_keeps_operations_and_allows_unknown_raw_material(
    blank_engine: Engine,
) -> None:
    upgrade(blank_engine, "0003")
    with blank_engine.begin() as conn:
        conn.execute(text("INSERT INTO provinces (id, name) VALUES ('P', 'Province P')"))
        conn.execute(
            text(
                "INSERT INTO regions (id, name, province_id, kind, coastal, resources) "
                "VALUES ('R', 'Region R', 'P', 'county', false, '')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO sites (id, region_id, facility, name, operating_since, status) "
                "VALUES (1, 'R', 'factories', 'F', '2024-01-01', 'operating')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO factory_operations (site_id, region_id, line, year, month, output, "
                "capacity, unit, raw_local, raw_imported) "
                "VALUES (1, 'R', 'food', 2025, 1, 10, 20, 't', 3.5, 0)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO users (username, full_name, password_hash, role, is_active, created_at) "
                "VALUES ('u', '', 'h', 'national', true, '2025-01-01 00:00:00')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO login_attempts (username, at, success) VALUES ('u', '2025-01-01', false)"
            )
        )
    upgrade(blank_engine)
    assert current_revision(blank_engine) == HEAD
    with blank_engine.begin() as conn:
        assert tuple(
            conn.execute(text("SELECT raw_local, raw_imported FROM factory_operations")).one()
        ) == (3.5, 0.0)
        assert conn.execute(text("SELECT session_epoch FROM users")).scalar_one() == 0
        assert conn.execute(text("SELECT client FROM login_attempts")).scalar_one() == ""
        conn.execute(
            text(
                "INSERT INTO factory_operations (site_id, region_id, line, year, month, output, "
                "capacity, unit, raw_local, raw_imported) "
                "VALUES (1, 'R', 'food', 2025, 2, 10, 20, 't', NULL, NULL)"
            )
        )
