"""Read the tracked projects for ``regdev plan --actuals SOURCE`` (issue 10).

``SOURCE`` is one of

* a database URL (``sqlite:///monitoring.db``, ``postgresql+psycopg://…``):
  the ``projects`` table is read (read-only, one query);
* a backup file of ``regdev db backup`` (``*.json.gz``): its ``projects`` table
  (the digest is checked by :func:`regdev.monitoring.backup.read_backup`);
* a CSV export of the projects (``GET /api/v1/projects/export`` or the
  dashboard's export): a header with at least ``region_id, facility, state,
  cohort_year`` and the milestone date columns.

The records are interpreted by :func:`regdev.planning.actuals.facts_from_records`;
this module only reads them.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from regdev.errors import DataValidationError, NotFoundError, Problem

NEEDED = ("region_id", "facility", "state", "cohort_year")
DATE_COLUMNS = (
    "planned_groundbreaking",
    "planned_construction",
    "planned_inauguration",
    "actual_groundbreaking",
    "actual_construction",
    "actual_inauguration",
)


def is_url(source: str) -> bool:
    """Whether ``source`` is a database URL (``scheme://…``) rather than a file."""
    return "://" in source


def read_actual_records(source: str) -> tuple[list[dict[str, Any]], str]:
    """The tracked projects of ``source`` as plain records, and a label for ``plan.json``.

    Raises
    ------
    NotFoundError
        A file that does not exist.
    DataValidationError
        A file that is neither a backup nor a projects CSV, or lacks a column
        (the message names the file, row and column).
    """
    if is_url(source):
        return _from_database(source), _redact(source)
    path = Path(source)
    if not path.is_file():
        msg = f"--actuals {source}: no such file; expected a database URL, a backup or a CSV export"
        raise NotFoundError(msg)
    if path.suffix == ".gz":
        return _from_backup(path), str(path)
    return _from_csv(path), str(path)


def _redact(url: str) -> str:
    """The URL without its password (it goes into plan.json)."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def _from_database(url: str) -> list[dict[str, Any]]:
    from sqlalchemy import select

    from regdev.monitoring.db import make_engine
    from regdev.monitoring.models import Project

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            cols = [Project.__table__.c[c] for c in ("id", *NEEDED, *DATE_COLUMNS)]
            rows = conn.execute(select(*cols)).mappings().all()
    finally:
        engine.dispose()
    return [dict(r) for r in rows]


def _from_backup(path: Path) -> list[dict[str, Any]]:
    from regdev.monitoring.backup import read_backup

    doc = read_backup(path)
    table = doc["tables"].get("projects")
    if table is None:
        raise DataValidationError([Problem(str(path), None, "projects", "no projects table")])
    cols = table["columns"]
    return [dict(zip(cols, row, strict=True)) for row in table["rows"]]


def _from_csv(path: Path) -> list[dict[str, Any]]:
    text = path.read_text(encoding="utf-8-sig")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = reader.fieldnames or []
    missing = [c for c in NEEDED if c not in header]
    if missing:
        msg = (
            f"missing column(s) {', '.join(missing)}; expected a projects export "
            f"({', '.join(NEEDED)}, the planned_* and actual_* dates)"
        )
        raise DataValidationError([Problem(str(path), 1, ",".join(missing), msg)])
    rows = []
    for raw in reader:
        rec: dict[str, Any] = {k: (v or "").strip().lstrip("'") for k, v in raw.items() if k}
        rows.append(rec)
    return rows
