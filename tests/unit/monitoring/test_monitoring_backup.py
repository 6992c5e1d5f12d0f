from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from regdev.monitoring import audit, backup, testing
from regdev.monitoring.db import make_session_factory
from regdev.monitoring.errors import ConflictError


def test_backup_restore_reproduces_database(
    engine: Engine, world: testing.World, tmp_path: Path
) -> None:
    path = tmp_path / "db.backup"
    summary = backup.backup(engine, path)
    assert summary["rows"]["projects"] == 4
    target = testing.sqlite_memory_engine()
    restored = backup.restore(target, path)
    assert restored["digest"] == summary["digest"]
    assert backup.dump_tables(target) == backup.dump_tables(engine)
    with make_session_factory(target)() as s:
        assert audit.verify_chain(s).ok
        # ids keep counting after the restored rows
        from regdev.monitoring import crud, schemas

        row = crud.create(
            s,
            resource_name="programmes",
            actor=crud.system_user(),
            data=schemas.ProgrammeCreate(name="after restore", start_year=2030, end_year=2031),
        )
        s.commit()
        assert row.id == 2
        assert audit.verify_chain(s).ok


def test_restore_into_same_backend(engine: Engine, world: testing.World, tmp_path: Path) -> None:
    path = tmp_path / "db.backup"
    before = backup.backup(engine, path)["digest"]
    with pytest.raises(ConflictError, match="not empty"):
        backup.restore(engine, path)
    after = backup.restore(engine, path, force=True)["digest"]
    assert after == before
    with Session(engine) as s:
        assert audit.verify_chain(s).ok


def test_restore_rejects_garbage(tmp_path: Path) -> None:
    from regdev.errors import DataValidationError, NotFoundError

    bad = tmp_path / "bad.backup"
    bad.write_bytes(b"not gzip")
    with pytest.raises(DataValidationError):
        backup.read_backup(bad)
    with pytest.raises(NotFoundError):
        backup.read_backup(tmp_path / "missing")
