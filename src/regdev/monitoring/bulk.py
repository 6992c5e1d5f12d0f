"""Bulk CSV import and export of any resource (one transaction per import).

An import validates every row first — schema, foreign keys, domain rules, scope,
duplicates within the file and against stored rows — and raises one
:class:`~regdev.errors.DataValidationError` listing every problem (file, row, column)
with nothing written.  Otherwise the rows, an :class:`ImportBatch` and one audit entry
per row are flushed in the caller's transaction: a crash before the commit leaves no
trace, a commit makes the whole batch durable.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import time
from collections.abc import Iterator, Mapping
from typing import Any, BinaryIO, TextIO, cast

from pydantic import BaseModel, ValidationError
from sqlalchemy import Table, func, insert, inspect, select, tuple_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from regdev.errors import DataValidationError, NotFoundError, Problem
from regdev.monitoring import audit, auth
from regdev.monitoring.crud import (
    Resource,
    _after_project_write,
    _authorise_create,
    _filtered,
    _flush,
    _pk,
    _problem,
    _validate_create,
    find_clash,
    jsonable,
    resource,
    to_dict,
)
from regdev.monitoring.csvout import to_csv
from regdev.monitoring.errors import ConflictError, ScopeError
from regdev.monitoring.models import FactoryOperation, ImportBatch, Project, Region, Site, User


def _csv_columns(res: Resource) -> list[str]:
    return list(res.create.model_fields)


#: Longest JSON cell accepted (``defects``, ``alarms``, ``cable_max_temp_c``) and its deepest nesting.
MAX_JSON_CELL = 20_000
MAX_JSON_DEPTH = 8
#: Rows written per flush, and problems reported before the import stops reading.
CHUNK_ROWS = 500
MAX_PROBLEMS = 200
JSON_COLUMNS = frozenset({"defects", "alarms", "cable_max_temp_c"})
#: Rows between two voluntary releases of the GIL: an import runs in a worker thread of
#: the server, and without these the event loop waits up to the interpreter's switch
#: interval (5 ms) for every hand-over, hundreds of milliseconds per request.
YIELD_EVERY = 16


def _json_depth(text: str) -> int:
    depth = deepest = 0
    in_str = esc = False
    for ch in text:
        if in_str:
            esc = not esc and ch == "\\"
            if ch == '"' and not esc:
                in_str = False
            continue
        if ch == '"':
            in_str = True
        elif ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth -= 1
    return deepest


def _json_cell(cell: str) -> Any:
    """Parse a JSON cell, refusing huge or deeply nested text (RecursionError otherwise)."""
    if len(cell) > MAX_JSON_CELL:
        msg = f"expected JSON text of at most {MAX_JSON_CELL} characters, got {len(cell)}"
        raise ValueError(msg)
    if _json_depth(cell) > MAX_JSON_DEPTH:
        msg = f"expected JSON nested at most {MAX_JSON_DEPTH} levels deep"
        raise ValueError(msg)
    try:
        return json.loads(cell)
    except (json.JSONDecodeError, RecursionError) as exc:
        msg = f"expected JSON text, got {cell[:40]!r}"
        raise ValueError(msg) from exc


def _header_problems(res: Resource, header: list[str], filename: str) -> list[Problem]:
    problems: list[Problem] = []
    allowed = set(_csv_columns(res))
    required = {n for n, f in res.create.model_fields.items() if f.is_required()}
    missing = sorted(required - set(header))
    unknown = [h for h in header if h not in allowed]
    if missing:
        problems.append(
            _problem(
                filename, "|".join(missing), f"missing required column(s) {', '.join(missing)}", 1
            )
        )
    if unknown:
        problems.append(
            _problem(
                filename,
                "|".join(unknown),
                f"unknown column(s) {', '.join(unknown)}; expected {', '.join(sorted(allowed))}",
                1,
            )
        )
    return problems


def iter_csv(
    stream: TextIO, *, res: Resource, filename: str
) -> Iterator[tuple[int, BaseModel | None, list[Problem]]]:
    """Parse and validate CSV rows one at a time (constant memory).

    Yields ``(row number, model or None, problems)`` per data row (header = row 1);
    a header problem is yielded once as row 1 with no model, and ends the file.
    Empty cells mean "not given" (the schema default); JSON columns (``defects``,
    ``alarms``) hold JSON text.

    Raises
    ------
    DataValidationError
        If the bytes are not UTF-8 text (with the row where decoding failed).
    """
    reader = csv.DictReader(stream, strict=True)
    try:
        header = list(reader.fieldnames or [])
        problems = _header_problems(res, header, filename)
        if problems:
            yield 1, None, problems
            return
        i = 1
        for raw in reader:
            i = reader.line_num
            yield i, *_validate_row(res, raw, filename, i)
    except csv.Error as exc:
        yield (
            reader.line_num,
            None,
            [_problem(filename, None, f"not valid CSV: {exc}", reader.line_num)],
        )
    except UnicodeDecodeError as exc:
        msg = f"expected UTF-8 text, got undecodable bytes near row {reader.line_num + 1}"
        raise DataValidationError([_problem(filename, None, msg, reader.line_num + 1)]) from exc


def _validate_row(
    res: Resource, raw: dict[str | Any, Any], filename: str, i: int
) -> tuple[BaseModel | None, list[Problem]]:
    if None in raw:
        return None, [_problem(filename, None, "more cells than header columns", i)]
    problems: list[Problem] = []
    values: dict[str, Any] = {}
    for key, cell in raw.items():
        if cell is None or cell == "":
            continue
        if "\x00" in cell:
            problems.append(_problem(filename, key, "NUL character in the cell", i))
            continue
        if key in JSON_COLUMNS:
            try:
                values[key] = _json_cell(cell)
            except ValueError as exc:
                problems.append(_problem(filename, key, str(exc), i))
        else:
            values[key] = cell
    if problems:
        return None, problems
    try:
        return res.create.model_validate(values), []
    except ValidationError as exc:
        out = []
        for err in exc.errors():
            col = ".".join(str(p) for p in err["loc"]) or None
            out.append(
                _problem(filename, col, f"{err['msg']} (got {str(err.get('input'))[:40]!r})", i)
            )
        return None, out


def parse_csv(text: str, *, res: Resource, filename: str) -> tuple[list[BaseModel], list[Problem]]:
    """Parse and validate CSV text against the resource's ``XCreate`` schema (in memory).

    See :func:`iter_csv`; problems name the file, the 1-based row and the column.
    """
    models: list[BaseModel] = []
    problems: list[Problem] = []
    for _, model, row_problems in iter_csv(
        io.StringIO(text, newline=""), res=res, filename=filename
    ):
        problems += row_problems
        if model is not None:
            models.append(model)
    if not models and not problems:
        problems.append(_problem(filename, None, "no data rows", None))
    return models, problems


#: Columns that identify a row within one import file (duplicates are refused).
_UNIQUE_KEYS: dict[str, tuple[str, ...]] = {
    "operations": ("site_id", "line", "year", "month"),
    "provinces": ("id",),
    "regions": ("id",),
    "programmes": ("name",),
    "sites": ("project_id",),
}


class _HashingReader(io.RawIOBase):
    """A binary reader that feeds a SHA-256 as it is read (for the batch's file digest)."""

    def __init__(self, raw: BinaryIO) -> None:
        self.raw = raw
        self.sha = hashlib.sha256()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.raw.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        self.sha.update(data)
        return n


def import_csv(
    session: Session,
    *,
    resource_name: str,
    actor: User,
    text: str | None = None,
    stream: BinaryIO | None = None,
    filename: str = "upload.csv",
) -> ImportBatch:
    """Import every row of a CSV file as one batch, all or nothing, in bounded memory.

    The file is read row by row (``stream``: a binary file, UTF-8 with or without BOM;
    or ``text``).  Each row is validated (schema, foreign keys, domain rules, scope,
    duplicates within the file and against stored rows) and, while no problem has been
    found, written in chunks of :data:`CHUNK_ROWS` rows with their audit entries, and
    then dropped from memory.  On the first problem writing stops and reading goes on
    to report up to :data:`MAX_PROBLEMS` problems; then one
    :class:`DataValidationError` lists them and the caller rolls the transaction back,
    so nothing of the batch remains.  A crash before the commit leaves no trace, a
    commit makes all of it durable.

    Returns
    -------
    ImportBatch
        The batch record (``n_rows``, ``sha256`` of the file).
    """
    res = resource(resource_name)
    if not res.importable:
        msg = f"{res.name} has no bulk import"
        raise NotFoundError(msg)
    auth.require_writer(actor)
    if not res.scoped:
        auth.require_role(actor, "national")
    if (text is None) == (stream is None):
        msg = "give exactly one of text and stream"
        raise TypeError(msg)
    hashing = _HashingReader(io.BytesIO(text.encode()) if text is not None else stream)  # type: ignore[arg-type]
    reader = io.TextIOWrapper(io.BufferedReader(hashing, 1 << 16), encoding="utf-8-sig", newline="")
    batch = ImportBatch(
        resource=res.name,
        filename=filename[:400],
        n_rows=0,
        sha256="",
        created_by=actor.username,
    )
    session.add(batch)
    session.flush()
    has_batch_col = "batch_id" in inspect(res.model).mapper.column_attrs
    key_cols = _UNIQUE_KEYS.get(res.name)
    problems: list[Problem] = []
    pending: list[tuple[int, dict[str, Any]]] = []
    in_chunk: dict[tuple[Any, ...], int] = {}
    n_rows = 0
    # keep the sites and regions referenced so the session's (weak) identity map
    # answers the per-row lookups without a query
    held = [*session.execute(select(Site)).scalars(), *session.execute(select(Region)).scalars()]

    def end_chunk() -> None:
        nonlocal n_rows
        clashes = _chunk_clashes(session, res, pending, batch.id)
        for i, clash in clashes:
            problems.append(Problem(filename, i, key_cols[-1] if key_cols else None, clash))
        if not problems and res.site_bound:
            n_rows += _insert_core(session, res, [v for _, v in pending], batch.id, actor)
        elif not problems:
            rows = []
            for _, values in pending:
                if has_batch_col:
                    values["batch_id"] = batch.id
                rows.append(res.model(**values))
            session.add_all(rows)
            _flush(session, res)
            changes = []
            for r in rows:
                changes.append(audit.Change("create", res.name, str(_pk(r)), None, to_dict(r)))
                if isinstance(r, Project):
                    changes += _after_project_write(session, actor=actor, project=r)
            entries = audit.record(session, actor=actor.username, changes=changes)
            n_rows += len(rows)
            for obj in (*rows, *entries):
                session.expunge(obj)
        pending.clear()
        in_chunk.clear()

    for i, model, row_problems in iter_csv(reader, res=res, filename=filename):
        if i % YIELD_EVERY == 0:
            time.sleep(0)  # let the event loop's thread take the GIL (the server stays responsive)
        if row_problems or model is None:
            problems += row_problems
        else:
            checked = _check_row(session, res, actor, model.model_dump(), i, filename)
            if isinstance(checked, Problem):
                problems.append(checked)
            else:
                key = tuple(checked.get(c) for c in key_cols or ())
                if key_cols is not None and None not in key and key in in_chunk:
                    msg = f"duplicates row {in_chunk[key]} ({', '.join(key_cols)})"
                    problems.append(Problem(filename, i, key_cols[-1], msg))
                else:
                    if key_cols is not None:
                        in_chunk[key] = i
                    pending.append((i, checked))
                    if len(pending) >= CHUNK_ROWS:
                        end_chunk()
        if len(problems) > MAX_PROBLEMS:
            break
    if pending and len(problems) <= MAX_PROBLEMS:
        end_chunk()
    del held
    if not problems and n_rows == 0:
        problems.append(_problem(filename, None, "no data rows", None))
    if problems:
        raise DataValidationError(problems)
    batch.n_rows = n_rows
    batch.sha256 = hashing.sha.hexdigest()
    session.flush()
    audit.record(
        session,
        actor=actor.username,
        changes=[audit.Change("create", "import_batches", str(batch.id), None, to_dict(batch))],
    )
    return batch


def _insert_core(
    session: Session, res: Resource, items: list[dict[str, Any]], batch_id: int, actor: User
) -> int:
    """Insert a chunk of data-entry rows and their audit entries without ORM objects.

    Used for the site-bound tables (operations, quality, surveys), which have no
    after-write hooks and only constant column defaults: the stored rows and audit
    entries equal those of the ORM path, at a fraction of the cost per row.
    """
    table = cast(Table, res.model.__table__)
    defaults = {
        c.key: (
            getattr(c.default, "arg", None)
            if c.default is not None and c.default.is_scalar
            else None
        )
        for c in table.columns
        if c.key != "id"
    }
    full = [{**defaults, **values, "batch_id": batch_id} for values in items]
    try:
        if session.get_bind().dialect.name == "sqlite":
            # SQLite cannot return the ids of a multi-row insert in parameter order;
            # under its write lock (BEGIN IMMEDIATE) nobody else inserts, and the rowids
            # of one executemany increase in order, so the new ids of this batch are the
            # ones above the highest id seen before
            before = session.execute(select(func.max(table.c.id))).scalar() or 0
            session.execute(insert(table), full)
            ids = list(
                session.execute(
                    select(table.c.id)
                    .where(table.c.id > before, table.c.batch_id == batch_id)
                    .order_by(table.c.id)
                ).scalars()
            )
        else:
            ids = list(
                session.execute(
                    insert(table).returning(table.c.id, sort_by_parameter_order=True), full
                ).scalars()
            )
    except IntegrityError as exc:
        session.rollback()
        msg = f"{res.name}: the change clashes with stored data ({exc.orig})"
        raise ConflictError(msg) from exc
    if len(ids) != len(full):  # pragma: no cover - would mean a concurrent writer
        msg = f"{res.name}: expected {len(full)} new ids, found {len(ids)}"
        raise ConflictError(msg)
    changes = [
        audit.Change(
            "create",
            res.name,
            str(row_id),
            None,
            {k: jsonable(v) for k, v in {**row, "id": row_id}.items()},
        )
        for row_id, row in zip(ids, full, strict=True)
    ]
    audit.record_many(session, actor=actor.username, changes=changes)
    return len(ids)


def _check_row(
    session: Session, res: Resource, actor: User, values: dict[str, Any], i: int, filename: str
) -> dict[str, Any] | Problem:
    """The row's values ready to insert, or its first problem (duplicates: per chunk)."""
    row_problems = _validate_create(session, res, actor, values)
    if row_problems:
        p = row_problems[0]
        return Problem(filename, i, p.column, p.message)
    try:
        if res.site_bound:
            auth.check_scope(
                session, actor, region_id=values["region_id"], write=True, site_id=values["site_id"]
            )
        else:
            _authorise_create(session, res, actor, values)
    except ScopeError as exc:
        return Problem(filename, i, "region_id" if not res.site_bound else "site_id", str(exc))
    return values


def _chunk_clashes(
    session: Session, res: Resource, items: list[tuple[int, dict[str, Any]]], batch_id: int
) -> list[tuple[int, str]]:
    """Rows of a chunk that duplicate stored rows: one query for operations, else per row."""
    if res.model is not FactoryOperation:
        out = []
        for i, values in items:
            clash = find_clash(session, res, values, batch_id=batch_id)
            if clash is not None:
                out.append((i, clash.message))
        return out
    keys = {(v["site_id"], v["line"], v["year"], v["month"]): i for i, v in items}
    if not keys:
        return []
    cols = (
        FactoryOperation.site_id,
        FactoryOperation.line,
        FactoryOperation.year,
        FactoryOperation.month,
    )
    found = session.execute(
        select(*cols, FactoryOperation.id, FactoryOperation.batch_id).where(
            tuple_(*cols).in_(list(keys))
        )
    ).all()
    out = []
    for site_id, line, year, month, row_id, row_batch in found:
        i = keys[(site_id, line, year, month)]
        if row_batch == batch_id:
            msg = f"duplicates an earlier row of this file (stored as id {row_id})"
        else:
            msg = (
                f"line {line!r} of site {site_id} already has a record for {year}-{month:02d} "
                f"(id {row_id}); correct that record instead"
            )
        out.append((i, msg))
    return sorted(out)


def export_csv(
    session: Session, *, resource_name: str, user: User, filters: Mapping[str, Any] | None = None
) -> str:
    """Every row of a resource in ``user``'s scope (and filters) as CSV text."""
    res = resource(resource_name)
    stmt = _filtered(res, user, filters).order_by(inspect(res.model).primary_key[0])
    cols = list(res.public.model_fields)

    def rows() -> Iterator[list[Any]]:
        for row in session.execute(stmt).scalars():
            out = []
            for c in cols:
                v = getattr(row, c)
                if isinstance(v, dict | list):
                    out.append(json.dumps(v, sort_keys=True))
                elif v is None:
                    out.append("")
                else:
                    out.append(jsonable(v))
            yield out

    return to_csv(cols, rows())
