"""An Excel workbook of a plan folder's tables, in Korean or English.

:func:`write_plan_xlsx` turns every CSV table of a plan folder (``schedule.csv``,
``facilities.csv``, and those plan hooks add, e.g. ``factories.csv``) into one sheet of an
``.xlsx`` workbook written with openpyxl:

* sheet names and column headers in the current :mod:`regdev.i18n` language (known tables
  and columns are translated; others are shown with their words spaced and capitalised);
* the header row bold on a tinted fill, frozen, with an auto-filter; column widths that fit
  the content (capped); numbers stay numbers, ``true``/``false`` become booleans;
* an "About" sheet first, with the plan's status, objective, years, regdev version and
  content hash from ``plan.json``;
* written atomically (:mod:`regdev._atomic`) and byte-for-byte reproducible (fixed document
  dates and zip timestamps), like every file of a plan folder.

Values are written as stored: a caller that wants translated vocabularies (facility types,
lifecycle states) passes them in ``value_labels``.

Examples
--------
>>> from regdev.reporting.xlsx import sheet_title
>>> sheet_title("schedule", "ko")
'일정'
"""

from __future__ import annotations

import datetime as _dt
import io
import json
import os
import re
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from regdev._atomic import atomic_write_bytes
from regdev.errors import NotFoundError
from regdev.i18n import N_, _, current_language, use_language

__all__ = ["COLUMN_LABELS", "TABLE_LABELS", "column_title", "sheet_title", "write_plan_xlsx"]

#: Sheet names of the known plan-folder tables (file stem -> label).
TABLE_LABELS: dict[str, str] = {
    "schedule": N_("Schedule"),
    "facilities": N_("Facilities"),
    "factories": N_("Factory lines"),
    "factory_claims": N_("Factory summary"),
    "factory_raw_materials": N_("Raw materials"),
}
#: Preferred sheet order (others follow alphabetically).
TABLE_ORDER: tuple[str, ...] = tuple(TABLE_LABELS)

#: Column headers of the known plan-folder columns (column -> label).
COLUMN_LABELS: dict[str, str] = {
    "region_id": N_("Region ID"),
    "name": N_("Name"),
    "county": N_("County"),
    "province": N_("Province"),
    "facility": N_("Facility"),
    "year": N_("Year"),
    "tier": N_("Modernisation tier"),
    "size": N_("Size"),
    "size_unit": N_("Size unit"),
    "cost": N_("Cost"),
    "base_cost": N_("Base cost"),
    "benefit": N_("Benefit"),
    "equity_weight": N_("Equity weight"),
    "locked": N_("Locked (already built)"),
    "workers": N_("Workers"),
    "doctors": N_("Doctors"),
    "first_aid_posts": N_("First-aid posts"),
    "library_seats": N_("Library seats"),
    "computers": N_("Computers"),
    "server_cores": N_("Server cores"),
    "server_storage_tb": N_("Server storage (TB)"),
    "cinema_seats": N_("Cinema seats"),
    "bath_visits_per_day": N_("Bath visits per day"),
    "shops": N_("Shops"),
    "dryer_t_per_h": N_("Dryer capacity (t/h)"),
    "output_t_per_year": N_("Output (t/year)"),
    "line": N_("Line ID"),
    "line_name": N_("Production line"),
    "group": N_("Group"),
    "kind": N_("Kind"),
    "category": N_("Category"),
    "unit": N_("Unit"),
    "modules": N_("Modules"),
    "capacity": N_("Capacity"),
    "production": N_("Production"),
    "utilisation": N_("Utilisation"),
    "jobs": N_("Jobs"),
    "capital_cost": N_("Capital cost"),
    "annual_cost": N_("Annual cost"),
    "raw_materials_needed": N_("Raw materials needed"),
    "enabled_by": N_("Enabled by"),
    "main_input": N_("Main input"),
    "main_input_basis": N_("Main input source (listed / given / inferred)"),
    "main_input_local_share": N_("Main input drawn locally"),
    "counts_as_characteristic": N_("Counts as characteristic"),
    "characteristic_lines": N_("Characteristic lines"),
    "characteristic_lines_local": N_("Characteristic lines meeting the local-share rule"),
    "characteristic_lines_inferred": N_("Characteristic lines on inferred supply"),
    "n_lines": N_("Production lines"),
    "capital_cost_kusd": N_("Capital cost (thousand USD)"),
    "local_share": N_("Local share"),
    "nearby_share": N_("Nearby share"),
    "design_tkm": N_("Transport, design (t·km)"),
    "baseline_tkm": N_("Transport, central supply (t·km)"),
    "tkm_saved": N_("Transport saved (t·km)"),
    "transport_saved_kusd": N_("Transport saved (thousand USD)"),
    "resource": N_("Raw material"),
    "need_t": N_("Need (t)"),
    "local_supply_t": N_("Local supply (t)"),
    "imported_t": N_("Imported (t)"),
    "local_supply_basis": N_("Local supply source (listed / given / inferred)"),
}

_ABOUT = N_("About")
_ABOUT_ROWS: tuple[tuple[str, str], ...] = (
    ("folder", N_("Plan folder")),
    ("status", N_("Solver status")),
    ("objective", N_("Objective")),
    ("years", N_("Years")),
    ("unit_of_account", N_("Unit of account")),
    ("regdev_version", N_("regdev version")),
    ("content_hash", N_("Content hash")),
)
_FIELD = N_("Field")
_VALUE = N_("Value")

HEADER_FILL = "DCE6F0"
_FIXED_DATE = _dt.datetime(2026, 1, 1)  # noqa: DTZ001 - openpyxl stores naive document dates
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def _humanise(name: str) -> str:
    text = name.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def sheet_title(table: str, lang: str | None = None) -> str:
    """The sheet name of a plan-folder table in ``lang`` (max. 31 characters, as Excel allows)."""
    with use_language(lang or current_language()):
        label = _(TABLE_LABELS[table]) if table in TABLE_LABELS else _humanise(table)
    return _BAD_SHEET_CHARS.sub("-", label)[:31]


#: Plan-folder columns in the plan's unit of account (issue 10; ``*_kusd`` columns of older
#: folders are labelled thousand USD by :data:`COLUMN_LABELS`).
MONEY_COLUMNS: frozenset[str] = frozenset(
    {"cost", "base_cost", "capital_cost", "annual_cost", "transport_saved", "budget"}
)


def column_title(column: str, lang: str | None = None, money: str | None = None) -> str:
    """The header of a plan-folder column in ``lang``.

    ``money`` is the plan's unit of account (``plan.json["unit_of_account"]["name"]``):
    money columns (:data:`MONEY_COLUMNS`) name it, e.g. ``Capital cost (k EUR)``.
    """
    with use_language(lang or current_language()):
        title = _(COLUMN_LABELS[column]) if column in COLUMN_LABELS else _humanise(column)
    if money and column in MONEY_COLUMNS:
        title = f"{title} ({money})"
    return title


def _read_table(path: Path) -> pd.DataFrame:
    frame = pd.read_csv(path, dtype={"region_id": str}, keep_default_na=True)
    for col in frame.columns:
        values = set(frame[col].dropna().astype(str).str.lower().unique())
        if values and values <= {"true", "false"}:
            frame[col] = frame[col].map(lambda v: None if pd.isna(v) else str(v).lower() == "true")
    return frame


def _cell(value: Any) -> Any:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    if hasattr(value, "item"):  # numpy scalar
        return value.item()
    return value


def _reproducible_zip(data: bytes) -> bytes:
    """Rewrite a zip with fixed timestamps and a fixed member order (same bytes every time)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(2026, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps the save time here
                body = _MODIFIED.sub(rb"\g<1>2026-01-01T00:00:00Z\g<2>", body)
            dst.writestr(fixed, body)
    return out.getvalue()


def write_plan_xlsx(
    plan_dir: str | os.PathLike[str],
    out: str | os.PathLike[str] | None = None,
    *,
    lang: str | None = None,
    tables: Sequence[str] | None = None,
    value_labels: Mapping[str, Mapping[Any, str]] | None = None,
    max_width: int = 48,
) -> Path:
    """Write the tables of a plan folder as an Excel workbook.

    Parameters
    ----------
    plan_dir : path-like
        A plan folder (``regdev plan --out DIR``).
    out : path-like, optional
        The workbook to write; default ``<plan_dir>/plan.xlsx``.
    lang : {"ko", "en"}, optional
        Language of sheet names and headers (default: the current language).
    tables : sequence of str, optional
        The tables (CSV file stems) to include, in this order; default every ``*.csv`` of
        the folder, known tables first.
    value_labels : mapping, optional
        Column -> {stored value -> label}: cell values to show in words (e.g. translated
        facility types).  Values without a label are written as stored.
    max_width : int, default 48
        Widest column, in characters.

    Returns
    -------
    pathlib.Path
        The workbook written.

    Raises
    ------
    NotFoundError
        The folder has no CSV table, or a requested table is missing.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    folder = Path(plan_dir)
    found = {p.stem: p for p in sorted(folder.glob("*.csv"))}
    if tables is None:
        names = [t for t in TABLE_ORDER if t in found] + sorted(set(found) - set(TABLE_ORDER))
    else:
        missing = [t for t in tables if t not in found]
        if missing:
            msg = f"{folder}: no table {missing[0]}.csv; found {', '.join(sorted(found)) or 'none'}"
            raise NotFoundError(msg)
        names = list(tables)
    if not names:
        msg = f"{folder}: no CSV tables here; run `regdev plan --out {folder}` first"
        raise NotFoundError(msg)
    target = Path(out) if out is not None else folder / "plan.xlsx"
    labels = {k: dict(v) for k, v in (value_labels or {}).items()}

    with use_language(lang or current_language()) as code:
        wb = Workbook()
        wb.properties.created = _FIXED_DATE
        wb.properties.modified = _FIXED_DATE
        wb.properties.creator = "regdev"
        bold = Font(bold=True)
        fill = PatternFill("solid", fgColor=HEADER_FILL)
        top = Alignment(vertical="top", wrap_text=True)

        about = wb.active
        about.title = _BAD_SHEET_CHARS.sub("-", _(_ABOUT))[:31]
        meta: dict[str, Any] = {}
        if (folder / "plan.json").is_file():
            meta = json.loads((folder / "plan.json").read_text("utf-8"))
        years = meta.get("years") or []
        money_name = (meta.get("unit_of_account") or {}).get("name")
        facts = {
            "folder": folder.name,
            "status": meta.get("status"),
            "objective": meta.get("objective"),
            "years": f"{years[0]}–{years[-1]}" if years else None,
            "unit_of_account": money_name,
            "regdev_version": meta.get("regdev_version"),
            "content_hash": meta.get("content_hash"),
        }
        about.append([_(_FIELD), _(_VALUE)])
        for key, label in _ABOUT_ROWS:
            about.append([_(label), _cell(facts.get(key))])
        for c in about[1]:
            c.font, c.fill = bold, fill
        about.column_dimensions["A"].width = 22
        about.column_dimensions["B"].width = 70

        for name in names:
            frame = _read_table(found[name])
            ws = wb.create_sheet(sheet_title(name, code))
            headers = [column_title(c, code, money_name) for c in frame.columns]
            ws.append(headers)
            for row in frame.itertuples(index=False, name=None):
                ws.append(
                    [
                        labels[col].get(v, v) if col in labels else _cell(v)
                        for col, v in zip(frame.columns, row, strict=True)
                    ]
                )
            for c in ws[1]:
                c.font, c.fill, c.alignment = bold, fill, top
            ws.freeze_panes = "A2"
            if len(frame.columns):
                ws.auto_filter.ref = f"A1:{get_column_letter(len(frame.columns))}{len(frame) + 1}"
            for k, col in enumerate(frame.columns, start=1):
                sample = frame[col].head(500).map(lambda v: len(str(v)) if pd.notna(v) else 0)
                widest = max(len(headers[k - 1]), int(sample.max()) if len(sample) else 0)
                ws.column_dimensions[get_column_letter(k)].width = min(
                    max(widest + 2, 8), max_width
                )

        buf = io.BytesIO()
        wb.save(buf)
    return atomic_write_bytes(target, _reproducible_zip(buf.getvalue()))
