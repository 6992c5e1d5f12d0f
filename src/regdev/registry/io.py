"""Reading and writing region tables: CSV, Excel, GeoJSON, GeoPackage, Parquet.

This is the only module of the registry that touches files.  Readers return
a validated :class:`~regdev.registry.regions.RegionRegistry` or raise
:class:`~regdev.errors.DataValidationError` listing *every* problem as
``FILE:ROW:COLUMN: expected …, got …``.  Writers are atomic.
"""

from __future__ import annotations

import io
import os
import warnings
from pathlib import Path

import pandas as pd

from regdev._atomic import atomic_write_bytes, atomic_write_text
from regdev.errors import DataValidationError, Problem
from regdev.registry.regions import RegionRegistry


class ImputationWarning(UserWarning):
    """Missing values were filled by a documented method (and marked)."""


def _decode(data: bytes, file: str, encoding: str = "utf-8") -> str:
    codec = "utf-8-sig" if encoding.lower().replace("_", "-") in ("utf-8", "utf8") else encoding
    try:
        return data.decode(codec)
    except LookupError:
        msg = f"expected a known text encoding (utf-8, latin-1, cp1252, ...), got {encoding!r}"
        raise DataValidationError([Problem(file, None, None, msg)]) from None
    except UnicodeDecodeError as exc:
        line_no = data.count(b"\n", 0, exc.start) + 1
        line_start = data.rfind(b"\n", 0, exc.start) + 1
        head = data.split(b"\n", 1)[0].decode("utf-8", errors="replace")
        sep = _separator(head, "").encode()
        header = head.split(sep.decode())
        col_pos = data.count(sep, line_start, exc.start)
        column = header[col_pos].strip() if col_pos < len(header) else None
        bad = data[exc.start : exc.start + 1].hex()
        name = "UTF-8" if codec == "utf-8-sig" else encoding
        msg = (
            f"expected {name} text, got byte 0x{bad} at offset {exc.start} (save the file "
            "as UTF-8, or name its encoding: regdev data import --encoding latin-1)"
        )
        raise DataValidationError([Problem(file, line_no, column, msg)]) from None


SEPARATORS = (",", "\t", ";", "|")
"""Field separators recognised in ``.csv`` and ``.txt`` files (from the header line)."""


def _separator(header: str, suffix: str) -> str:
    """The field separator of a delimited text file, judged from its header line.

    ``.tsv`` is always tab-separated; otherwise the separator among
    :data:`SEPARATORS` that occurs most often in the header wins (a comma on
    ties), so national statistics files that use tabs (US Census gazetteers),
    semicolons (European spreadsheets) or pipes read without options.
    """
    if suffix == ".tsv":
        return "\t"
    counts = {sep: header.count(sep) for sep in SEPARATORS}
    best = max(SEPARATORS, key=lambda s: (counts[s], s == ","))
    return best if counts[best] > 0 else ","


def _strip_comments(text: str) -> tuple[str, int]:
    """Drop leading ``#`` lines (licence notes some publishers put above the header).

    Returns the remaining text and the number of lines dropped, so row
    numbers in messages still count lines as an editor shows them.
    """
    lines = text.split("\n")
    k = 0
    while k < len(lines) and lines[k].lstrip().startswith("#"):
        k += 1
    return "\n".join(lines[k:]), k


def _read_raw(path: Path, file: str, encoding: str = "utf-8") -> tuple[pd.DataFrame, int]:
    """Read a file into an all-text frame; return it with its first data-row number."""
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt", ".tsv"):
        text, skipped = _strip_comments(_decode(path.read_bytes(), file, encoding))
        sep = _separator(text.split("\n", 1)[0], suffix)
        try:
            frame = pd.read_csv(
                io.StringIO(text), dtype=str, keep_default_na=False, sep=sep, skipinitialspace=True
            )
        except pd.errors.ParserError as exc:
            raise DataValidationError([Problem(file, None, None, f"expected CSV: {exc}")]) from None
        except pd.errors.EmptyDataError:
            raise DataValidationError(
                [Problem(file, None, None, "expected a header row, got an empty file")]
            ) from None
        # cells padded with blanks (fixed-width exports) are read as their text
        frame = frame.apply(lambda col: col.str.strip())
        return frame.replace({"": None}), 2 + skipped
    if suffix in (".xlsx", ".xlsm"):
        frame = pd.read_excel(path, dtype=str, keep_default_na=False, engine="openpyxl")
        return frame.replace({"": None}), 2
    if suffix == ".parquet":
        return pd.read_parquet(path).astype(object), 2
    if suffix in (".geojson", ".json", ".gpkg"):
        return _read_geo(path, file), 1
    msg = f"expected a .csv, .xlsx, .geojson, .gpkg or .parquet file, got {suffix or 'no suffix'!r}"
    raise DataValidationError([Problem(file, None, None, msg)])


def _read_geo(path: Path, file: str) -> pd.DataFrame:
    """Read a GeoJSON/GeoPackage layer; missing lat/lon come from the geometry centroid."""
    try:
        import pyogrio
        import shapely
    except ImportError as exc:  # pragma: no cover - depends on the installed extras
        msg = "reading GeoJSON/GeoPackage needs the geo extra: pip install 'regdev[geo]'"
        raise DataValidationError([Problem(file, None, None, msg)]) from exc
    meta, _fids, geometry, fields = pyogrio.raw.read(path)
    data = {name: values for name, values in zip(meta["fields"], fields, strict=True)}
    frame = pd.DataFrame(data).astype(object)
    if geometry is not None:
        geoms = shapely.from_wkb(geometry)
        cent = shapely.centroid(geoms)
        lat = pd.Series(shapely.get_y(cent), dtype=float)
        lon = pd.Series(shapely.get_x(cent), dtype=float)
        for col, vals in (("lat", lat), ("lon", lon)):
            if col not in frame.columns:
                frame[col] = vals
            else:
                frame[col] = frame[col].where(frame[col].notna(), vals)
    return frame


def read_regions(
    path: str | os.PathLike[str], *, impute: bool = True, warn: bool = True
) -> RegionRegistry:
    """Read and validate a region table.

    Parameters
    ----------
    path : path-like
        A ``.csv`` (UTF-8), ``.xlsx``, ``.geojson``, ``.gpkg`` (both need the
        ``geo`` extra) or ``.parquet`` file with the columns of
        ``schema.csv``.
    impute : bool, default True
        Fill missing population, area and coordinates by documented methods,
        marking each filled cell in a ``*_source`` column.
    warn : bool, default True
        Emit an :class:`ImputationWarning` with the counts of imputed cells.

    Returns
    -------
    RegionRegistry

    Raises
    ------
    DataValidationError
        Listing every problem in the file.
    """
    file = str(path)
    raw, offset = read_raw_table(path)
    registry = RegionRegistry.from_frame(raw, source=file, impute=impute, row_offset=offset)
    message = imputation_message(registry)
    if message and warn:
        warnings.warn(f"{file}: {message}", ImputationWarning, stacklevel=2)
    return registry


def read_raw_table(
    path: str | os.PathLike[str], *, encoding: str = "utf-8"
) -> tuple[pd.DataFrame, int]:
    """Read a table as text cells, before any validation (for column mapping).

    Parameters
    ----------
    path : path-like
        ``.csv``/``.txt`` (separator from the header line: comma, tab,
        semicolon or pipe; leading ``#`` lines skipped), ``.tsv``, ``.xlsx``,
        ``.geojson``/``.gpkg`` (geo extra; centroids as ``lat``/``lon``) or
        ``.parquet``.
    encoding : str, default "utf-8"
        Text encoding of delimited files (e.g. ``latin-1`` for US Census
        gazetteers).

    Returns
    -------
    frame : pandas.DataFrame
        Every cell text or ``None``; original column names.
    first_row : int
        The row number of the first data row in messages.

    Raises
    ------
    DataValidationError
        When the file is missing, not UTF-8 or not a table.
    """
    p = Path(path)
    file = str(path)
    if not p.is_file():
        raise DataValidationError([Problem(file, None, None, "expected a readable file, got none")])
    return _read_raw(p, file, encoding)


def imputation_message(registry: RegionRegistry) -> str:
    """One sentence on what imputation filled and what it could not ('' when nothing).

    Examples
    --------
    >>> from regdev.registry import toy_region
    >>> imputation_message(toy_region())
    ''
    """
    parts = []
    if registry.imputed:
        detail = ", ".join(f"{n} {c}" for c, n in registry.imputed.items())
        parts.append(f"imputed {detail} value(s) (see the *_source columns)")
    if registry.unfilled:
        detail = ", ".join(f"{n} {c}" for c, n in registry.unfilled.items())
        parts.append(f"could not impute {detail} value(s): no row has a basis for them")
    return "; ".join(parts)


def to_csv_text(registry: RegionRegistry) -> str:
    """The registry as CSV text (``region_id`` first, lossless float repr)."""
    frame = registry.frame
    for col in frame.columns:
        if frame[col].dtype == bool or str(frame[col].dtype) == "boolean":
            frame[col] = frame[col].map({True: "true", False: "false"})
    return str(frame.to_csv(lineterminator="\n"))


def write_regions(registry: RegionRegistry, path: str | os.PathLike[str]) -> Path:
    """Write a registry to ``.csv`` or ``.parquet``, atomically.

    Parameters
    ----------
    registry : RegionRegistry
        The table to write (with its ``*_source`` columns).
    path : path-like
        Destination; the suffix chooses the format.

    Returns
    -------
    pathlib.Path
        The written file.
    """
    p = Path(path)
    if p.suffix.lower() == ".parquet":
        buf = io.BytesIO()
        frame = registry.frame.reset_index()
        for col in frame.columns:
            if str(frame[col].dtype) == "boolean":
                frame[col] = frame[col].astype(object)
        text_cols = {c: "string" for c in frame.columns if frame[c].dtype == object}
        frame.astype(text_cols).to_parquet(buf, index=False)
        return atomic_write_bytes(p, buf.getvalue())
    if p.suffix.lower() != ".csv":
        msg = f"expected a .csv or .parquet destination, got {p.suffix or 'no suffix'!r}"
        raise DataValidationError([Problem(str(path), None, None, msg)])
    return atomic_write_text(p, to_csv_text(registry))
