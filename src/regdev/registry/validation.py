"""Validation of raw region tables against ``schema.csv``.

Every problem is collected, none is raised early: the caller gets all of
them at once as ``FILE:ROW:COLUMN: expected …, got …`` lines.  Row numbers
count as a spreadsheet does (header = row 1, first data row = row 2); for
GeoJSON/GeoPackage input the "row" is the 1-based feature number.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from regdev.errors import Problem, got_marker, summarise_problems
from regdev.i18n import _
from regdev.registry._schema import ColumnSpec, region_schema
from regdev.registry.vocabulary import normalise_resource

TRUE_WORDS = frozenset({"true", "t", "yes", "y", "1", "1.0"})
FALSE_WORDS = frozenset({"false", "f", "no", "n", "0", "0.0"})
SOURCE_SUFFIX = "_source"
__all__ = ["blank_column", "summarise_problems", "validate_table"]


def _blank(series: pd.Series) -> pd.Series:
    return series.isna() | (series.astype("string").str.strip() == "")


def _got(expected: str, got: str) -> str:
    """``expected …, got …`` in the current language (the marker lets summaries group)."""
    return f"{expected}{got_marker()}{got}"


def _show(value: object) -> str:
    text = str(value)
    return repr(text if len(text) <= 40 else text[:37] + "...")


def _check_float(
    raw: pd.Series, spec: ColumnSpec, rows: np.ndarray, file: str, problems: list[Problem]
) -> pd.Series:
    blank = _blank(raw)
    values = pd.to_numeric(raw.where(~blank), errors="coerce").astype("float64")
    bad = ~blank & (values.isna() | ~np.isfinite(values))
    for i in np.flatnonzero(bad.to_numpy()):
        problems.append(
            Problem(file, int(rows[i]), spec.name, _got(_("expected a number"), _show(raw.iloc[i])))
        )
    values = values.where(~bad)
    if spec.min is not None:
        low = values < spec.min
        for i in np.flatnonzero(low.to_numpy()):
            problems.append(
                Problem(
                    file,
                    int(rows[i]),
                    spec.name,
                    _got(
                        _("expected a value >= {limit}", limit=format(spec.min, "g") + _unit(spec)),
                        format(values.iloc[i], "g"),
                    ),
                )
            )
    if spec.max is not None:
        high = values > spec.max
        for i in np.flatnonzero(high.to_numpy()):
            problems.append(
                Problem(
                    file,
                    int(rows[i]),
                    spec.name,
                    _got(
                        _("expected a value <= {limit}", limit=format(spec.max, "g") + _unit(spec)),
                        format(values.iloc[i], "g"),
                    ),
                )
            )
    return values


def _unit(spec: ColumnSpec) -> str:
    return f" {spec.unit}" if spec.unit else ""


def _check_bool(
    raw: pd.Series, spec: ColumnSpec, rows: np.ndarray, file: str, problems: list[Problem]
) -> pd.Series:
    blank = _blank(raw)
    words = raw.astype("string").str.strip().str.lower()
    is_true = words.isin(TRUE_WORDS).fillna(False).astype(bool)
    is_false = words.isin(FALSE_WORDS).fillna(False).astype(bool)
    bad = ~blank & ~is_true & ~is_false
    for i in np.flatnonzero(bad.to_numpy()):
        problems.append(
            Problem(
                file, int(rows[i]), spec.name, _got(_("expected true or false"), _show(raw.iloc[i]))
            )
        )
    out = pd.Series(is_true.to_numpy(), index=raw.index, dtype="boolean")
    return out.mask(blank.to_numpy())


def _check_category(
    raw: pd.Series, spec: ColumnSpec, rows: np.ndarray, file: str, problems: list[Problem]
) -> pd.Series:
    blank = _blank(raw)
    words = raw.astype("string").str.strip().str.lower()
    bad = ~blank & ~words.isin(spec.allowed).fillna(False).astype(bool)
    for i in np.flatnonzero(bad.to_numpy()):
        problems.append(
            Problem(
                file,
                int(rows[i]),
                spec.name,
                _got(
                    _("expected one of {values}", values=", ".join(spec.allowed)),
                    _show(raw.iloc[i]),
                ),
            )
        )
    return words.where(~blank & ~bad).astype(object).where(~blank & ~bad, None)


def _check_list(
    raw: pd.Series, spec: ColumnSpec, rows: np.ndarray, file: str, problems: list[Problem]
) -> pd.Series:
    vocabulary = spec.allowed == ("@resources",)
    out: list[str] = []
    for i, cell in enumerate(raw.tolist()):
        if cell is None or (isinstance(cell, float) and np.isnan(cell)) or not str(cell).strip():
            out.append("")
            continue
        tokens = [t.strip() for t in str(cell).split(";") if t.strip()]
        if vocabulary:
            canon: list[str] = []
            for tok in tokens:
                name = normalise_resource(tok)
                if name is None:
                    problems.append(
                        Problem(
                            file,
                            int(rows[i]),
                            spec.name,
                            _got(
                                _(
                                    "expected a resource from the vocabulary "
                                    "(see `regdev data resources`)"
                                ),
                                _show(tok),
                            ),
                        )
                    )
                elif name not in canon:
                    canon.append(name)
            tokens = sorted(canon)
        out.append(";".join(tokens))
    return pd.Series(out, index=raw.index, dtype=object)


_CHECKERS = {
    "float": _check_float,
    "bool": _check_bool,
    "category": _check_category,
    "list": _check_list,
}


def _check_column(
    raw: pd.Series, spec: ColumnSpec, rows: np.ndarray, file: str, problems: list[Problem]
) -> pd.Series:
    checker = _CHECKERS.get(spec.dtype)
    if checker is not None:
        return checker(raw, spec, rows, file, problems)
    return raw.astype("string").str.strip().astype(object)


def blank_column(spec: ColumnSpec, index: pd.Index) -> pd.Series:
    """An all-missing column of ``spec``, typed exactly as validation types blank cells.

    Absent optional columns are added this way, so every schema column is
    present in every registry (downstream code never meets a ``KeyError``)
    and a written and re-read table compares equal.

    Parameters
    ----------
    spec : ColumnSpec
        The column.
    index : pandas.Index
        Row index of the table.

    Returns
    -------
    pandas.Series
    """
    raw = pd.Series([None] * len(index), index=index, dtype=object)
    out = _check_column(raw, spec, np.arange(len(index)), "", [])
    out.name = spec.name
    return out


def validate_table(
    raw: pd.DataFrame,
    *,
    file: str,
    row_offset: int = 2,
    row_numbers: Sequence[int] | np.ndarray | None = None,
) -> tuple[pd.DataFrame, list[Problem]]:
    """Check a raw table (all cells text) and convert it to typed columns.

    Parameters
    ----------
    raw : pandas.DataFrame
        The table as read, every cell a string or missing.
    file : str
        Name used in problem messages.
    row_offset : int, default 2
        Row number of the first data row (2 for files with a header line,
        1 for feature collections).
    row_numbers : sequence of int, optional
        The row number of every row, when rows were dropped before
        validation (column mapping); overrides ``row_offset``.

    Returns
    -------
    frame : pandas.DataFrame
        Typed columns indexed by ``region_id``; schema columns first, then
        any user columns (numeric where every non-empty cell is a number).
    problems : list of Problem
        Every problem found, in row order; empty when the table is valid.
    """
    problems: list[Problem] = []
    raw = raw.reset_index(drop=True)
    raw.columns = [str(c).strip() for c in raw.columns]
    rows = (
        np.arange(len(raw)) + row_offset
        if row_numbers is None
        else np.asarray(list(row_numbers), dtype=np.int64)
    )
    dup_cols = raw.columns[raw.columns.duplicated()].tolist()
    for col in dup_cols:
        problems.append(
            Problem(file, None, col, _got(_("expected each column once"), _("it twice")))
        )
    raw = raw.loc[:, ~raw.columns.duplicated()]
    if len(raw) == 0:
        problems.append(
            Problem(
                file, None, None, _got(_("expected at least one data row"), _("none (header only)"))
            )
        )
    typed: dict[str, pd.Series] = {}
    for spec in region_schema():
        if spec.name not in raw.columns:
            if spec.required:
                problems.append(
                    Problem(file, None, spec.name, _got(_("expected a required column"), _("none")))
                )
            else:
                # an absent optional column is present and blank: one code path downstream
                typed[spec.name] = blank_column(spec, raw.index)
            continue
        col = raw[spec.name]
        if spec.required:
            for i in np.flatnonzero(_blank(col).to_numpy()):
                problems.append(
                    Problem(file, int(rows[i]), spec.name, _got(_("expected a value"), "''"))
                )
        typed[spec.name] = _check_column(col, spec, rows, file, problems)
    known = {s.name for s in region_schema()}
    for name in raw.columns:
        if name in known:
            continue
        col = raw[name]
        if name.endswith(SOURCE_SUFFIX):
            typed[name] = col.astype("string").str.strip().astype(object)
            continue
        blank = _blank(col)
        numeric = pd.to_numeric(col.where(~blank), errors="coerce")
        typed[name] = numeric.astype("float64") if not (numeric.isna() & ~blank).any() else col
    if "region_id" in typed:
        ids = typed["region_id"]
        dup = ids.duplicated(keep="first") & ~_blank(ids)
        first_row = {v: int(rows[i]) for i, v in reversed(list(enumerate(ids.tolist())))}
        for i in np.flatnonzero(dup.to_numpy()):
            problems.append(
                Problem(
                    file,
                    int(rows[i]),
                    "region_id",
                    _got(
                        _("expected a unique id"),
                        _(
                            "{value} again (first seen in row {row})",
                            value=_show(ids.iloc[i]),
                            row=first_row[ids.iloc[i]],
                        ),
                    ),
                )
            )
    if "population" in typed and "urban_population" in typed:
        over = typed["urban_population"] > typed["population"]
        for i in np.flatnonzero(over.fillna(False).to_numpy()):
            problems.append(
                Problem(
                    file,
                    int(rows[i]),
                    "urban_population",
                    _got(
                        _(
                            "expected at most the population ({population})",
                            population=format(typed["population"].iloc[i], "g"),
                        ),
                        format(typed["urban_population"].iloc[i], "g"),
                    ),
                )
            )
    problems.sort(key=lambda p: (p.row or 0, p.column or ""))
    frame = pd.DataFrame(typed)
    if "region_id" in frame.columns and not problems:
        frame = frame.set_index("region_id")
        frame.index = frame.index.astype(str)
    return frame, problems
