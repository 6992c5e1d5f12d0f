from __future__ import annotations

import pytest
from sqlalchemy import Engine, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from regdev.monitoring import audit, testing
from regdev.monitoring.models import AuditEntry


def _drop_guards(engine: Engine) -> None:
    with engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            conn.execute(text("DROP TRIGGER audit_log_no_update"))
            conn.execute(text("DROP TRIGGER audit_log_no_delete"))
        else:
            conn.execute(text("DROP TRIGGER audit_log_no_change ON audit_log"))


def test_chain_intact_after_changes(session: Session, world: testing.World) -> None:
    report = audit.verify_chain(session)
    assert report.ok, report.message
    assert report.n_entries > 10


def test_database_refuses_update_and_delete(engine: Engine, world: testing.World) -> None:
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(text("UPDATE audit_log SET actor = 'mallory' WHERE seq = 1"))
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_log WHERE seq = 1"))


def test_verify_detects_altered_entry(
    engine: Engine, session: Session, world: testing.World
) -> None:
    _drop_guards(engine)
    with engine.begin() as conn:
        conn.execute(update(AuditEntry).where(AuditEntry.seq == 5).values(actor="mallory"))
    report = audit.verify_chain(session)
    assert not report.ok
    assert report.first_bad_seq == 5


def test_verify_detects_altered_and_rehashed_entry(
    engine: Engine, session: Session, world: testing.World
) -> None:
    # an attacker who recomputes the entry's own hash still breaks the next link
    _drop_guards(engine)
    entry = session.query(AuditEntry).filter(AuditEntry.seq == 3).one()
    entry.after = {"forged": True}
    entry.hash = audit.entry_hash(entry)
    session.commit()
    report = audit.verify_chain(session)
    assert not report.ok
    assert report.first_bad_seq == 4


def test_verify_detects_deleted_entries(
    engine: Engine, session: Session, world: testing.World
) -> None:
    _drop_guards(engine)
    n = audit.verify_chain(session).n_entries
    session.rollback()  # end the read transaction (in-memory SQLite shares one connection)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_log WHERE seq = :s"), {"s": n})  # the last one
    report = audit.verify_chain(session)
    assert not report.ok
    assert "head" in report.message
    session.rollback()
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_log WHERE seq = 2"))
    report = audit.verify_chain(session)
    assert not report.ok
    assert report.first_bad_seq == 2
