"""Backup and restore of the whole monitoring database as one portable file.

The backup is gzip-compressed JSON: the Alembic revision, a digest of the contents, and
every table's columns and rows in primary-key order.  :func:`restore` migrates the target
to the same revision, inserts every row in foreign-key order, resets identity sequences
(PostgreSQL) and checks that the digest of the restored database equals the backup's, so
a restore reproduces the database exactly (also across SQLite ↔ PostgreSQL).
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import json
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, Date, DateTime, Engine, Table, func, insert, inspect, select, text

from regdev._atomic import atomic_write_bytes
from regdev.errors import DataValidationError, InternalError, NotFoundError, Problem
from regdev.monitoring.audit import guard_statements
from regdev.monitoring.errors import ConflictError as RestoreConflictError
from regdev.monitoring.migrate import current_revision, ensure_schema
from regdev.monitoring.models import Base

FORMAT = "regdev-monitoring-backup"
VERSION = 1


def _encode(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="microseconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _decode(table: Table, column: str, value: Any) -> Any:
    if value is None:
        return None
    col_type = table.c[column].type
    if isinstance(col_type, DateTime):
        return dt.datetime.fromisoformat(value)
    if isinstance(col_type, Date):
        return dt.date.fromisoformat(value)
    return value


def dump_tables(
    engine: Engine, *, columns: dict[str, list[str]] | None = None
) -> dict[str, dict[str, Any]]:
    """Every table's column names and rows (JSON-compatible), in primary-key order.

    Parameters
    ----------
    engine : sqlalchemy.Engine
        Database to read.
    columns : dict, optional
        Only these columns per table (a backup made before a migration added columns).
    """
    out: dict[str, dict[str, Any]] = {}
    with engine.connect() as conn:
        insp = inspect(conn)
        for table in Base.metadata.sorted_tables:
            if not insp.has_table(table.name) or (
                columns is not None and table.name not in columns
            ):
                continue  # a table added by a later migration (or absent from the backup)
            present = {c["name"] for c in insp.get_columns(table.name)}
            cols = [c.name for c in table.columns if c.name in present]  # older revisions
            if columns is not None:
                cols = [c for c in columns.get(table.name, []) if c in table.c]
            pk = list(table.primary_key.columns)
            rows = conn.execute(select(*(table.c[c] for c in cols)).order_by(*pk)).all()
            out[table.name] = {
                "columns": cols,
                "rows": [[_encode(v) for v in row] for row in rows],
            }
    return out


def digest(tables: dict[str, dict[str, Any]]) -> str:
    """SHA-256 of a canonical JSON rendering of :func:`dump_tables` output."""
    canon = json.dumps(tables, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canon.encode()).hexdigest()


def backup(engine: Engine, path: str | Path) -> dict[str, Any]:
    """Write a backup of the database behind ``engine`` to ``path`` (atomically).

    Returns
    -------
    dict
        Summary: revision, digest, row counts per table.
    """
    tables = dump_tables(engine)
    doc = {
        "format": FORMAT,
        "version": VERSION,
        "revision": current_revision(engine),
        "created_at": dt.datetime.now(dt.UTC).isoformat(),
        "digest": digest(tables),
        "tables": tables,
    }
    payload = json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode()
    atomic_write_bytes(Path(path), gzip.compress(payload, mtime=0))
    return {
        "path": str(path),
        "revision": doc["revision"],
        "digest": doc["digest"],
        "rows": {k: len(v["rows"]) for k, v in tables.items()},
    }


def read_backup(path: str | Path) -> dict[str, Any]:
    """Read and check a backup file.

    Raises
    ------
    NotFoundError
        If the file does not exist.
    DataValidationError
        If it is not a regdev monitoring backup.
    """
    p = Path(path)
    if not p.is_file():
        msg = f"backup file {p} not found"
        raise NotFoundError(msg)
    try:
        doc = json.loads(gzip.decompress(p.read_bytes()))
    except (OSError, ValueError) as exc:
        raise DataValidationError(
            [Problem(str(p), None, None, f"not a gzip JSON backup ({exc})")]
        ) from exc
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise DataValidationError([Problem(str(p), None, "format", f"expected {FORMAT!r}")])
    if doc.get("version") != VERSION:
        raise DataValidationError(
            [Problem(str(p), None, "version", f"expected {VERSION}, got {doc.get('version')!r}")]
        )
    return doc


def _is_empty(engine: Engine) -> bool:
    with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            if table.name == "audit_head":
                continue
            if conn.execute(select(func.count()).select_from(table)).scalar_one():
                return False
    return True


def _wipe(engine: Engine) -> None:
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            return
        conn.execute(text("DROP TRIGGER IF EXISTS audit_log_no_delete"))
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())
        for stmt in guard_statements("sqlite"):
            conn.execute(text(stmt))


def restore(engine: Engine, path: str | Path, *, force: bool = False) -> dict[str, Any]:
    """Restore a backup into the database behind ``engine``.

    Parameters
    ----------
    engine : sqlalchemy.Engine
        Target database (migrated to the latest revision first).
    path : str or Path
        Backup file written by :func:`backup`.
    force : bool
        Replace existing contents; without it a non-empty target is refused.

    Returns
    -------
    dict
        Summary: digest and row counts.

    Raises
    ------
    RestoreConflictError
        If the target holds data and ``force`` is false.
    InternalError
        If the restored contents do not reproduce the backup's digest.
    """
    doc = read_backup(path)
    ensure_schema(engine)
    if not _is_empty(engine):
        if not force:
            msg = "target database is not empty; pass --force to replace its contents"
            raise RestoreConflictError(msg)
        _wipe(engine)
    tables = {t.name: t for t in Base.metadata.sorted_tables}
    with engine.begin() as conn:
        conn.execute(tables["audit_head"].delete())
        for name, table in tables.items():
            data = doc["tables"].get(name)
            if not data or not data["rows"]:
                continue
            cols = data["columns"]
            rows = [
                {c: _decode(table, c, v) for c, v in zip(cols, row, strict=True)}
                for row in data["rows"]
            ]
            for start in range(0, len(rows), 2000):
                conn.execute(insert(table), rows[start : start + 2000])
        if conn.dialect.name == "postgresql":
            for table in tables.values():
                pk = list(table.primary_key.columns)
                if (
                    len(pk) == 1
                    and not isinstance(pk[0].type, JSON)
                    and pk[0].autoincrement is not False
                ):
                    seq = conn.execute(
                        text("SELECT pg_get_serial_sequence(:t, :c)"),
                        {"t": table.name, "c": pk[0].name},
                    ).scalar()
                    if seq:
                        conn.execute(
                            text(
                                f"SELECT setval('{seq}', COALESCE((SELECT MAX({pk[0].name}) FROM {table.name}), 0) + 1, false)"
                            )
                        )
    restored = digest(
        dump_tables(engine, columns={k: v["columns"] for k, v in doc["tables"].items()})
    )
    if restored != doc["digest"]:
        msg = f"restored database digest {restored} differs from the backup's {doc['digest']}; please report"
        raise InternalError(msg)
    return {"digest": restored, "rows": {k: len(v["rows"]) for k, v in doc["tables"].items()}}
