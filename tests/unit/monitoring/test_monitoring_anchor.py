"""External audit anchors: a rewrite of the chain from the head is detected (issue 16)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session, sessionmaker

from regdev.errors import ConfigError
from regdev.monitoring import anchor, audit, crud, schemas, testing
from regdev.monitoring.models import AuditEntry, AuditHead


def _rewrite_chain_from(session: Session, engine: Engine, seq: int) -> None:
    """What an attacker with database write access can do: alter entry ``seq`` and
    recompute every later hash and the head, so the chain verifies again."""
    dialect = engine.dialect.name
    for stmt in {
        "sqlite": ["DROP TRIGGER IF EXISTS audit_log_no_update"],
        "postgresql": ["DROP TRIGGER IF EXISTS audit_log_no_change ON audit_log"],
    }[dialect]:
        session.execute(text(stmt))
    entries = list(session.execute(select(AuditEntry).order_by(AuditEntry.seq)).scalars())
    prev = audit.GENESIS_HASH if seq == 1 else entries[seq - 2].hash
    for e in entries[seq - 1 :]:
        if e.seq == seq:
            e.actor = "mallory"
        e.prev_hash = prev
        e.hash = audit.entry_hash(e)
        prev = e.hash
    head = session.get(AuditHead, 1)
    assert head is not None
    head.hash = prev
    session.commit()
    for stmt in audit.guard_statements(dialect):
        session.execute(text(stmt))
    session.commit()


def test_rewrite_from_the_head_passes_the_chain_but_not_the_anchor(
    engine: Engine, session_factory: sessionmaker[Session], world: testing.World, tmp_path: Path
) -> None:
    key_path = anchor.make_key(tmp_path / "anchor.key")
    assert key_path.stat().st_mode & 0o777 == 0o600
    with pytest.raises(ConfigError):
        anchor.make_key(key_path)
    key = anchor.read_key(key_path)
    file = tmp_path / "anchors.jsonl"
    with session_factory() as s:
        anchor.append_anchor(s, path=file, key=key)
        rep = anchor.verify_anchors(s, path=file, key=key)
        assert rep.ok, rep.message
        _rewrite_chain_from(s, engine, 3)
        assert audit.verify_chain(s).ok  # the hash chain alone cannot see it
        rep = anchor.verify_anchors(s, path=file, key=key)
        assert not rep.ok
        assert "rewritten" in rep.message


def test_truncation_and_forged_anchor_are_detected(
    session_factory: sessionmaker[Session], world: testing.World, tmp_path: Path
) -> None:
    key = anchor.read_key(anchor.make_key(tmp_path / "k"))
    file = tmp_path / "anchors.jsonl"
    with session_factory() as s:
        line = anchor.append_anchor(s, path=file, key=key)
        # later entries do not disturb the anchor
        crud.create(
            s,
            resource_name="programmes",
            actor=crud.system_user(),
            data=schemas.ProgrammeCreate(name="later", start_year=2030, end_year=2031),
        )
        s.commit()
        assert anchor.verify_anchors(s, path=file, key=key).ok
    forged = tmp_path / "forged.jsonl"
    forged.write_text(
        file.read_text().replace(f'"seq": {line["seq"]}', f'"seq": {line["seq"] - 1}')
    )
    with session_factory() as s:
        rep = anchor.verify_anchors(s, path=forged, key=key)
        assert not rep.ok
        assert "signature" in rep.message
        # an anchor past the end of the chain: entries were removed
        far = tmp_path / "far.jsonl"
        payload = anchor._payload(10_000, "f" * 64, "2026-01-01T00:00:00+00:00")
        far.write_text(
            '{"at": "2026-01-01T00:00:00+00:00", "format": "regdev-audit-anchor/1", '
            f'"hash": "{"f" * 64}", "seq": 10000, "sig": "{anchor._sign(key, payload)}"}}\n'
        )
        rep = anchor.verify_anchors(s, path=far, key=key)
        assert not rep.ok
        assert "removed" in rep.message
