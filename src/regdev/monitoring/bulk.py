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
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy import inspect
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
    _unique_clash,
    _validate_create,
    jsonable,
    resource,
    to_dict,
)
from regdev.monitoring.errors import ScopeError
from regdev.monitoring.models import ImportBatch, Project, User


def _csv_columns(res: Resource) -> list[str]:
    return list(res.create.model_fields)


def parse_csv(text: str, *, res: Resource, filename: str) -> tuple[list[BaseModel], list[Problem]]:
    """Parse and validate CSV text against the resource's ``XCreate`` schema.

    Empty cells mean "not given" (the schema default); JSON columns (``defects``,
    ``alarms``) hold JSON text.  Problems name the file, the 1-based row (header = 1)
    and the column.
    """
    problems: list[Problem] = []
    try:
        reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
        header = list(reader.fieldnames or [])
        records = list(reader)
    except csv.Error as exc:
        line = reader.line_num if "reader" in locals() else None
        return [], [_problem(filename, None, f"not valid CSV: {exc}", line)]
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
    if problems:
        return [], problems
    models: list[BaseModel] = []
    json_cols = {"defects", "alarms"}
    for i, raw in enumerate(records, start=2):
        if None in raw:
            problems.append(_problem(filename, None, "more cells than header columns", i))
            continue
        values: dict[str, Any] = {}
        for key, cell in raw.items():
            if cell is None or cell == "":
                continue
            if key in json_cols:
                try:
                    values[key] = json.loads(cell)
                except json.JSONDecodeError:
                    problems.append(
                        _problem(filename, key, f"expected JSON text, got {cell[:40]!r}", i)
                    )
                    continue
            else:
                values[key] = cell
        try:
            models.append(res.create.model_validate(values))
        except ValidationError as exc:
            for err in exc.errors():
                col = ".".join(str(p) for p in err["loc"]) or None
                problems.append(
                    _problem(filename, col, f"{err['msg']} (got {str(err.get('input'))[:40]!r})", i)
                )
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


def import_csv(
    session: Session, *, resource_name: str, actor: User, text: str, filename: str = "upload.csv"
) -> ImportBatch:
    """Import every row of a CSV file as one batch, all or nothing.

    Every row is validated first (schema, foreign keys, scope, duplicates within the file
    and against stored rows); any problem raises :class:`DataValidationError` listing all
    of them and nothing is written.  Otherwise the rows, one audit entry per row and an
    :class:`ImportBatch` are flushed in the caller's transaction, so a crash before commit
    leaves no trace of the batch and a commit makes all of it durable.

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
    models, problems = parse_csv(text, res=res, filename=filename)
    all_values: list[dict[str, Any]] = []
    seen: dict[tuple[Any, ...], int] = {}
    for i, m in enumerate(models, start=2):
        values = m.model_dump()
        row_problems = _validate_create(session, res, actor, values)
        for p in row_problems:
            problems.append(Problem(filename, i, p.column, p.message))
        if row_problems:
            continue
        try:
            if res.site_bound:
                auth.check_scope(
                    session,
                    actor,
                    region_id=values["region_id"],
                    write=True,
                    site_id=values["site_id"],
                )
            else:
                _authorise_create(session, res, actor, values)
        except ScopeError as exc:
            problems.append(
                Problem(filename, i, "region_id" if not res.site_bound else "site_id", str(exc))
            )
            continue
        key_cols = _UNIQUE_KEYS.get(res.name)
        key = tuple(values.get(c) for c in key_cols or ())
        if key_cols is not None and None not in key:
            if key in seen:
                msg = f"duplicates row {seen[key]} ({', '.join(key_cols)})"
                problems.append(Problem(filename, i, key_cols[-1], msg))
                continue
            seen[key] = i
        clash = _unique_clash(session, res, values)
        if clash:
            problems.append(Problem(filename, i, key_cols[-1] if key_cols else None, clash))
            continue
        all_values.append(values)
        if len(problems) > 200:
            break
    if problems:
        raise DataValidationError(problems)
    batch = ImportBatch(
        resource=res.name,
        filename=filename[:400],
        n_rows=len(all_values),
        sha256=hashlib.sha256(text.encode()).hexdigest(),
        created_by=actor.username,
    )
    session.add(batch)
    session.flush()
    rows = []
    for values in all_values:
        if "batch_id" in inspect(res.model).mapper.column_attrs:
            values["batch_id"] = batch.id
        rows.append(res.model(**values))
    session.add_all(rows)
    _flush(session, res)
    changes = [audit.Change("create", "import_batches", str(batch.id), None, to_dict(batch))]
    for r in rows:
        changes.append(audit.Change("create", res.name, str(_pk(r)), None, to_dict(r)))
        if isinstance(r, Project):
            changes += _after_project_write(session, actor=actor, project=r)
    audit.record(session, actor=actor.username, changes=changes)
    return batch


def export_csv(
    session: Session, *, resource_name: str, user: User, filters: Mapping[str, Any] | None = None
) -> str:
    """Every row of a resource in ``user``'s scope (and filters) as CSV text."""
    res = resource(resource_name)
    stmt = _filtered(res, user, filters).order_by(inspect(res.model).primary_key[0])
    cols = list(res.public.model_fields)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(cols)
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
        writer.writerow(out)
    return buf.getvalue()
