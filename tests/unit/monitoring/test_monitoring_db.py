"""Engine behaviour: a failed COMMIT does not poison the pool; the read engine is read-only."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session

from regdev.monitoring import testing
from regdev.monitoring.db import (
    make_engine,
    make_read_engine,
    make_session_factory,
    session_scope,
    write_bind,
)


def test_failed_commit_does_not_poison_the_pool(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The SIGKILL test's flake ("cannot start a transaction within a transaction").

    A COMMIT that fails (as with SQLITE_BUSY) leaves SQLite's transaction open while
    SQLAlchemy counts it as ended and skips the rollback on return to the pool; the
    next session on that connection then could not BEGIN.
    """
    engine = make_engine(f"sqlite:///{tmp_path / 'f.db'}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (x INTEGER)"))
    real_commit = engine.dialect.do_commit

    def busy(dbapi_connection: object) -> None:
        raise sqlite3.OperationalError("database is locked")

    with Session(write_bind(engine)) as s:
        s.execute(text("INSERT INTO t VALUES (1)"))
        driver = s.connection().connection.dbapi_connection
        monkeypatch.setattr(engine.dialect, "do_commit", busy)
        with pytest.raises(OperationalError):
            s.commit()
        monkeypatch.setattr(engine.dialect, "do_commit", real_commit)
        assert driver is not None and driver.in_transaction  # SQLite's view: still open
    # the pool has one connection in use at a time here: the next session gets it back
    with Session(write_bind(engine)) as s2:
        assert s2.execute(text("SELECT COUNT(*) FROM t")).scalar_one() == 0  # not acknowledged
        s2.execute(text("INSERT INTO t VALUES (2)"))
        s2.commit()
    with engine.connect() as conn:
        assert conn.execute(text("SELECT x FROM t")).scalars().all() == [2]
    engine.dispose()


def test_read_engine_refuses_writes_and_sees_commits(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'r.db'}"
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (x INTEGER)"))
    reader = make_read_engine(url)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO t VALUES (1)"))
    with reader.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM t")).scalar_one() == 1
        with pytest.raises(OperationalError, match="readonly|read-only|query_only"):
            conn.execute(text("INSERT INTO t VALUES (2)"))
    with pytest.raises(ValueError, match="in-memory"):
        make_read_engine("sqlite://")
    reader.dispose()
    engine.dispose()


def test_read_engine_on_postgresql_is_read_only_in_the_urls_schema() -> None:
    if testing.pg_base_url() is None:
        pytest.skip(testing.pg_skip_reason())
    with testing.fresh_pg_schema() as url:
        engine = make_engine(url)
        testing.create_schema(engine)
        reader = make_read_engine(url)
        with reader.connect() as conn:
            assert conn.execute(text("SELECT seq FROM audit_head")).scalar_one() == 0
            with pytest.raises(DBAPIError, match="read-only"):
                conn.execute(text("INSERT INTO provinces (id, name) VALUES ('X', 'X')"))
        with session_scope(make_session_factory(engine)) as s:
            assert s.execute(text("SELECT COUNT(*) FROM provinces")).scalar_one() == 0
        reader.dispose()
        engine.dispose()
