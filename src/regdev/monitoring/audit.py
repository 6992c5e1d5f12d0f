"""Append-only, hash-chained audit log.

Every create, update and delete made through :mod:`regdev.monitoring.crud` appends one
:class:`~regdev.monitoring.models.AuditEntry`: who, when, what (entity and id), and the
row before and after.  Entry ``n`` stores ``hash = sha256(canonical(entry) + prev_hash)``
where ``prev_hash`` is entry ``n-1``'s hash; the single-row ``audit_head`` table holds the
latest ``seq`` and hash.  Changing, deleting, inserting or reordering any entry breaks
the chain, which :func:`verify_chain` reports.  Database triggers also refuse ``UPDATE``
and ``DELETE`` on ``audit_log``.

Writers lock the head row (``SELECT … FOR UPDATE`` on PostgreSQL; the SQLite write lock
taken by ``BEGIN IMMEDIATE``), so concurrent transactions append in a total order.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Connection, Table, insert, select, text
from sqlalchemy.orm import Session

from regdev.monitoring.models import AuditEntry, AuditHead, utcnow

GENESIS_HASH = "0" * 64


@dataclass(frozen=True)
class Change:
    """One change to record.

    Parameters
    ----------
    action : {"create", "update", "delete"}
        What happened.
    entity : str
        Table name of the changed row.
    entity_id : str
        Primary key of the changed row.
    before, after : dict or None
        JSON-able row contents before and after (``None`` for create / delete).
    """

    action: str
    entity: str
    entity_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


@dataclass(frozen=True)
class ChainReport:
    """Result of :func:`verify_chain`."""

    ok: bool
    n_entries: int
    first_bad_seq: int | None
    message: str


def _canonical(
    *,
    seq: int,
    at: dt.datetime,
    actor: str,
    action: str,
    entity: str,
    entity_id: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    prev_hash: str,
) -> bytes:
    doc = {
        "seq": seq,
        "at": at.isoformat(timespec="microseconds"),
        "actor": actor,
        "action": action,
        "entity": entity,
        "entity_id": entity_id,
        "before": before,
        "after": after,
        "prev_hash": prev_hash,
    }
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def entry_hash(entry: AuditEntry) -> str:
    """Recompute the hash of a stored entry from its contents and ``prev_hash``."""
    return hashlib.sha256(
        _canonical(
            seq=entry.seq,
            at=entry.at,
            actor=entry.actor,
            action=entry.action,
            entity=entry.entity,
            entity_id=entry.entity_id,
            before=entry.before,
            after=entry.after,
            prev_hash=entry.prev_hash,
        )
    ).hexdigest()


def _lock_head(session: Session) -> AuditHead:
    head = session.execute(
        select(AuditHead).where(AuditHead.id == 1).with_for_update()
    ).scalar_one_or_none()
    if head is None:
        head = AuditHead(id=1, seq=0, hash=GENESIS_HASH)
        session.add(head)
        session.flush()
    return head


def record(session: Session, *, actor: str, changes: Iterable[Change]) -> list[AuditEntry]:
    """Append ``changes`` to the audit log inside the caller's transaction.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session whose transaction makes the changes; the entries commit with it.
    actor : str
        Username of whoever made the changes (``"system"`` for CLI loaders).
    changes : iterable of Change
        The changes, in the order they were made.

    Returns
    -------
    list of AuditEntry
        The appended entries.
    """
    head = _lock_head(session)
    seq, prev = head.seq, head.hash
    at = utcnow()
    entries: list[AuditEntry] = []
    for ch in changes:
        seq += 1
        entry = AuditEntry(
            seq=seq,
            at=at,
            actor=actor,
            action=ch.action,
            entity=ch.entity,
            entity_id=ch.entity_id,
            before=ch.before,
            after=ch.after,
            prev_hash=prev,
            hash="",
        )
        entry.hash = entry_hash(entry)
        prev = entry.hash
        entries.append(entry)
    session.add_all(entries)
    head.seq, head.hash = seq, prev
    session.flush()
    return entries


def record_many(session: Session, *, actor: str, changes: Sequence[Change]) -> int:
    """Append ``changes`` like :func:`record`, with one multi-row insert and no ORM objects.

    For bulk writers (CSV imports): the entries and their hashes are exactly those
    :func:`record` would write, but nothing is kept in the session.

    Returns
    -------
    int
        The chain's new head sequence number.
    """
    head = _lock_head(session)
    seq, prev = head.seq, head.hash
    at = utcnow()
    rows: list[dict[str, Any]] = []
    for k, ch in enumerate(changes):
        if k % 16 == 15:
            time.sleep(0)  # bulk writers run in a server thread: let the event loop in
        seq += 1
        digest = hashlib.sha256(
            _canonical(
                seq=seq,
                at=at,
                actor=actor,
                action=ch.action,
                entity=ch.entity,
                entity_id=ch.entity_id,
                before=ch.before,
                after=ch.after,
                prev_hash=prev,
            )
        ).hexdigest()
        rows.append(
            {
                "seq": seq,
                "at": at,
                "actor": actor,
                "action": ch.action,
                "entity": ch.entity,
                "entity_id": ch.entity_id,
                "before": ch.before,
                "after": ch.after,
                "prev_hash": prev,
                "hash": digest,
            }
        )
        prev = digest
    if rows:
        session.execute(insert(cast(Table, AuditEntry.__table__)), rows)  # Core: no ORM work
    head.seq, head.hash = seq, prev
    session.flush()
    return seq


def verify_chain(session: Session, *, batch_size: int = 5000) -> ChainReport:
    """Check every audit entry's hash and link, and the head.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        Session to read with.
    batch_size : int
        Entries read per query.

    Returns
    -------
    ChainReport
        ``ok`` is ``False`` at the first entry that was changed, removed, inserted or
        reordered (``first_bad_seq``), or when the head does not match the last entry.
    """
    prev, expected_seq, n = GENESIS_HASH, 1, 0
    last_id = 0
    while True:
        rows: Sequence[AuditEntry] = (
            session.execute(
                select(AuditEntry)
                .where(AuditEntry.id > last_id)
                .order_by(AuditEntry.id)
                .limit(batch_size)
            )
            .scalars()
            .all()
        )
        if not rows:
            break
        for e in rows:
            if e.seq != expected_seq:
                msg = f"entry id {e.id}: expected seq {expected_seq}, found {e.seq} (entries removed or reordered)"
                return ChainReport(False, n, expected_seq, msg)
            if e.prev_hash != prev:
                msg = f"seq {e.seq}: prev_hash does not match the hash of seq {e.seq - 1}"
                return ChainReport(False, n, e.seq, msg)
            if entry_hash(e) != e.hash:
                msg = f"seq {e.seq}: contents do not match the stored hash (entry was altered)"
                return ChainReport(False, n, e.seq, msg)
            prev, expected_seq, n = e.hash, expected_seq + 1, n + 1
            last_id = e.id
        session.expunge_all()
    head = session.get(AuditHead, 1)
    head_seq, head_hash = (0, GENESIS_HASH) if head is None else (head.seq, head.hash)
    if head_seq != n or head_hash != prev:
        msg = (
            f"chain head says seq {head_seq} but the log ends at seq {n} "
            "(entries removed from the end, or head altered)"
        )
        return ChainReport(False, n, n + 1, msg)
    return ChainReport(True, n, None, f"{n} audit entries verified; chain intact")


def guard_statements(dialect: str) -> list[str]:
    """DDL that makes ``audit_log`` append-only on ``dialect`` (``sqlite``/``postgresql``)."""
    if dialect == "sqlite":
        return [
            "CREATE TRIGGER IF NOT EXISTS audit_log_no_update BEFORE UPDATE ON audit_log "
            "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
            "CREATE TRIGGER IF NOT EXISTS audit_log_no_delete BEFORE DELETE ON audit_log "
            "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
        ]
    if dialect == "postgresql":
        return [
            "CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger AS $$ "
            "BEGIN RAISE EXCEPTION 'audit_log is append-only'; END; $$ LANGUAGE plpgsql",
            "DROP TRIGGER IF EXISTS audit_log_no_change ON audit_log",
            "CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log "
            "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()",
        ]
    return []


def install_guards(connection: Connection) -> None:
    """Create the append-only triggers and the chain head row on ``connection``."""
    for stmt in guard_statements(connection.dialect.name):
        connection.execute(text(stmt))
    exists = connection.execute(text("SELECT 1 FROM audit_head WHERE id = 1")).first()
    if exists is None:
        connection.execute(
            text("INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, :h)"), {"h": GENESIS_HASH}
        )
