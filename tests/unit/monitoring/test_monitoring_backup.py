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


# --- issue 16, defect 6: a restore either reproduces the backup or changes nothing ---------


def _rewrite(src: Path, dst: Path, change, *, fix_digest: bool) -> None:  # noqa: ANN001
    import gzip
    import json

    doc = json.loads(gzip.decompress(src.read_bytes()))
    change(doc)
    if fix_digest:
        doc["digest"] = backup.digest(doc["tables"])
    dst.write_bytes(gzip.compress(json.dumps(doc).encode()))


def _alter_project_name(doc: dict) -> None:
    t = doc["tables"]["projects"]
    t["rows"][0][t["columns"].index("name")] = "ALTERED"


def _orphan_project(doc: dict) -> None:
    # the digest is recomputed, so only the database can refuse this row (foreign key)
    t = doc["tables"]["projects"]
    t["rows"][-1][t["columns"].index("region_id")] = "KP-NOWHERE"


def test_altered_backup_is_refused_before_anything_is_written(
    engine: Engine, world: testing.World, tmp_path: Path
) -> None:
    from regdev.errors import DataValidationError

    good = tmp_path / "good.backup"
    backup.backup(engine, good)
    altered = tmp_path / "altered.backup"
    _rewrite(good, altered, _alter_project_name, fix_digest=False)
    target = testing.sqlite_memory_engine()
    with pytest.raises(DataValidationError, match="digest"):
        backup.restore(target, altered)
    before = backup.dump_tables(engine)
    with pytest.raises(DataValidationError, match="digest"):
        backup.restore(engine, altered, force=True)
    assert backup.dump_tables(engine) == before
    with Session(engine) as s:
        assert audit.verify_chain(s).ok


def test_row_refused_by_the_database_rolls_back_the_forced_wipe(
    engine: Engine, world: testing.World, tmp_path: Path
) -> None:
    from regdev.errors import DataValidationError

    good = tmp_path / "good.backup"
    backup.backup(engine, good)
    bad = tmp_path / "orphan.backup"
    _rewrite(good, bad, _orphan_project, fix_digest=True)
    before = backup.dump_tables(engine)
    assert sum(len(t["rows"]) for t in before.values()) > 0
    with pytest.raises(DataValidationError, match="refused"):
        backup.restore(engine, bad, force=True)
    # the wipe was not committed: users, projects and the audit log are all still there
    assert backup.dump_tables(engine) == before


def test_truncated_backup_and_directories_get_clear_errors(
    engine: Engine, world: testing.World, tmp_path: Path
) -> None:
    from regdev.errors import DataValidationError

    good = tmp_path / "good.backup"
    backup.backup(engine, good)
    short = tmp_path / "short.backup"
    short.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    before = backup.dump_tables(engine)
    with pytest.raises(DataValidationError, match="truncated"):
        backup.restore(engine, short, force=True)
    assert backup.dump_tables(engine) == before
    with pytest.raises(DataValidationError, match="directory"):
        backup.restore(engine, tmp_path, force=True)
    with pytest.raises(DataValidationError, match="directory"):
        backup.backup(engine, tmp_path)


def test_backup_file_is_owner_only(engine: Engine, world: testing.World, tmp_path: Path) -> None:
    path = tmp_path / "db.backup"
    backup.backup(engine, path)
    assert path.stat().st_mode & 0o777 == 0o600
