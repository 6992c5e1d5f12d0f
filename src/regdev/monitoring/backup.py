"""Backup and restore of the whole monitoring database as one portable file.

The backup is gzip-compressed JSON: the Alembic revision, a digest of the contents, and
every table's columns and rows in primary-key order.  :func:`restore` migrates the target
to the same revision, inserts every row in foreign-key order, resets identity sequences
(PostgreSQL) and checks that the digest of the restored database equals the backup's
*before committing*, so a restore reproduces the database exactly (also across SQLite ↔
PostgreSQL) or changes nothing.  Backup files are written owner-only (``0600``): they
hold password hashes.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import json
import zlib
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    Connection,
    Date,
    DateTime,
    Engine,
    Table,
    func,
    insert,
    inspect,
    select,
    text,
)
from sqlalchemy.exc import DBAPIError

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
    engine: Engine | Connection, *, columns: dict[str, list[str]] | None = None
) -> dict[str, dict[str, Any]]:
    """Every table's column names and rows (JSON-compatible), in primary-key order.

    Parameters
    ----------
    engine : sqlalchemy.Engine or sqlalchemy.Connection
        Database to read (a connection reads inside its open transaction).
    columns : dict, optional
        Only these columns per table (a backup made before a migration added columns).
    """
    if isinstance(engine, Connection):
        return _dump(engine, columns)
    with engine.connect() as conn:
        return _dump(conn, columns)


def _dump(conn: Connection, columns: dict[str, list[str]] | None) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    insp = inspect(conn)
    for table in Base.metadata.sorted_tables:
        if not insp.has_table(table.name) or (columns is not None and table.name not in columns):
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
    target = Path(path)
    if target.is_dir():
        msg = f"backup target {target} is a directory; expected a file name"
        raise DataValidationError([Problem(str(target), None, None, msg)])
    # owner-only: a backup holds password hashes and the whole audit log
    atomic_write_bytes(target, gzip.compress(payload, mtime=0), mode=0o600)
    return {
        "path": str(path),
        "revision": doc["revision"],
        "digest": doc["digest"],
        "rows": {k: len(v["rows"]) for k, v in tables.items()},
    }


def read_backup(path: str | Path) -> dict[str, Any]:
    """Read and check a backup file completely, without touching any database.

    Checks the format, the version, the shape of every table (column names, row
    lengths) and that the contents reproduce the stored digest, so a truncated,
    corrupted or altered backup is refused before a restore begins.

    Raises
    ------
    NotFoundError
        If the file does not exist.
    DataValidationError
        If it is a directory, not a regdev monitoring backup, truncated, malformed or
        altered (its contents no longer match its digest).
    """
    p = Path(path)
    if p.is_dir():
        raise DataValidationError(
            [Problem(str(p), None, None, "is a directory; expected a backup file")]
        )
    if not p.is_file():
        msg = f"backup file {p} not found"
        raise NotFoundError(msg)
    try:
        raw = gzip.decompress(p.read_bytes())
    except EOFError as exc:
        msg = "truncated: the gzip stream ends early (an incomplete copy?)"
        raise DataValidationError([Problem(str(p), None, None, msg)]) from exc
    except (OSError, ValueError, zlib.error) as exc:
        raise DataValidationError(
            [Problem(str(p), None, None, f"not a gzip JSON backup ({exc})")]
        ) from exc
    try:
        doc = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise DataValidationError(
            [Problem(str(p), None, None, f"not a gzip JSON backup ({exc})")]
        ) from exc
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise DataValidationError([Problem(str(p), None, "format", f"expected {FORMAT!r}")])
    if doc.get("version") != VERSION:
        raise DataValidationError(
            [Problem(str(p), None, "version", f"expected {VERSION}, got {doc.get('version')!r}")]
        )
    _check_shape(p, doc)
    if digest(doc["tables"]) != doc.get("digest"):
        msg = "contents do not match the backup's digest (the file was altered or damaged)"
        raise DataValidationError([Problem(str(p), None, "digest", msg)])
    return doc


def _check_shape(p: Path, doc: dict[str, Any]) -> None:
    tables = doc.get("tables")
    if not isinstance(tables, dict):
        raise DataValidationError([Problem(str(p), None, "tables", "expected an object of tables")])
    known = {t.name: t for t in Base.metadata.sorted_tables}
    problems: list[Problem] = []
    for name, data in tables.items():
        if name not in known:
            problems.append(Problem(str(p), None, name, "unknown table"))
            continue
        cols = data.get("columns") if isinstance(data, dict) else None
        rows = data.get("rows") if isinstance(data, dict) else None
        if not isinstance(cols, list) or not isinstance(rows, list):
            problems.append(Problem(str(p), None, name, "expected columns and rows lists"))
            continue
        bad_cols = [c for c in cols if c not in known[name].c]
        if bad_cols:
            problems.append(Problem(str(p), None, name, f"unknown column(s) {bad_cols}"))
        for i, row in enumerate(rows, start=1):
            if not isinstance(row, list) or len(row) != len(cols):
                msg = f"row {i} has {len(row) if isinstance(row, list) else 'no'} cells; expected {len(cols)}"
                problems.append(Problem(str(p), i, name, msg))
                break
    if problems:
        raise DataValidationError(problems)


def _is_empty(conn: Connection) -> bool:
    for table in Base.metadata.sorted_tables:
        if table.name == "audit_head":
            continue
        if conn.execute(select(func.count()).select_from(table)).scalar_one():
            return False
    return True


def _wipe(conn: Connection) -> None:
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
    """Restore a backup into the database behind ``engine``, all or nothing.

    The backup is read and checked completely first (shape and digest: see
    :func:`read_backup`).  Then, in **one** transaction, the target is emptied (with
    ``force``), every row inserted, identity sequences reset and the digest of the
    restored contents compared with the backup's; only if they agree is the
    transaction committed.  Any failure (a row the database refuses, a digest
    mismatch, a crash) leaves the target as it was.

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
    NotFoundError, DataValidationError
        Missing, truncated, malformed or altered backup (nothing touched).
    RestoreConflictError
        If the target holds data and ``force`` is false.
    InternalError
        If the restored contents do not reproduce the backup's digest (rolled back).
    """
    doc = read_backup(path)
    ensure_schema(engine)
    tables = {t.name: t for t in Base.metadata.sorted_tables}
    with engine.begin() as conn:
        if not _is_empty(conn):
            if not force:
                msg = "target database is not empty; pass --force to replace its contents"
                raise RestoreConflictError(msg)
            _wipe(conn)
        conn.execute(tables["audit_head"].delete())
        for name, table in tables.items():
            data = doc["tables"].get(name)
            if not data or not data["rows"]:
                continue
            cols = data["columns"]
            try:
                rows = [
                    {c: _decode(table, c, v) for c, v in zip(cols, row, strict=True)}
                    for row in data["rows"]
                ]
            except (TypeError, ValueError) as exc:
                msg = f"a value does not fit its column ({exc})"
                raise DataValidationError([Problem(str(path), None, name, msg)]) from exc
            for start in range(0, len(rows), 2000):
                try:
                    conn.execute(insert(table), rows[start : start + 2000])
                except DBAPIError as exc:
                    msg = f"the database refused rows {start + 1}-{start + 2000}: {exc.orig}"
                    raise DataValidationError([Problem(str(path), None, name, msg)]) from exc
        if conn.dialect.name == "postgresql":
            _reset_sequences(conn, tables)
        restored = digest(
            dump_tables(conn, columns={k: v["columns"] for k, v in doc["tables"].items()})
        )
        if restored != doc["digest"]:
            msg = (
                f"restored database digest {restored} differs from the backup's "
                f"{doc['digest']}; nothing was changed; please report"
            )
            raise InternalError(msg)
    return {"digest": restored, "rows": {k: len(v["rows"]) for k, v in doc["tables"].items()}}


def _reset_sequences(conn: Connection, tables: dict[str, Table]) -> None:
    for table in tables.values():
        pk = list(table.primary_key.columns)
        if len(pk) == 1 and not isinstance(pk[0].type, JSON) and pk[0].autoincrement is not False:
            seq = conn.execute(
                text("SELECT pg_get_serial_sequence(:t, :c)"),
                {"t": table.name, "c": pk[0].name},
            ).scalar()
            if seq:
                conn.execute(
                    text(
                        f"SELECT setval('{seq}', COALESCE((SELECT MAX({pk[0].name}) "
                        f"FROM {table.name}), 0) + 1, false)"
                    )
                )
