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


def _decode(data: bytes, file: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line_no = data.count(b"\n", 0, exc.start) + 1
        line_start = data.rfind(b"\n", 0, exc.start) + 1
        header = data.split(b"\n", 1)[0].decode("utf-8", errors="replace").split(",")
        col_pos = data.count(b",", line_start, exc.start)
        column = header[col_pos].strip() if col_pos < len(header) else None
        bad = data[exc.start : exc.start + 1].hex()
        msg = (
            f"expected UTF-8 text, got byte 0x{bad} at offset {exc.start} (save the file as UTF-8)"
        )
        raise DataValidationError([Problem(file, line_no, column, msg)]) from None


def _read_raw(path: Path, file: str) -> tuple[pd.DataFrame, int]:
    """Read a file into an all-text frame; return it with its first data-row number."""
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt", ".tsv"):
        text = _decode(path.read_bytes(), file)
        sep = "\t" if suffix == ".tsv" else ","
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
        return frame.replace({"": None}), 2
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
    p = Path(path)
    file = str(path)
    if not p.is_file():
        raise DataValidationError([Problem(file, None, None, "expected a readable file, got none")])
    raw, offset = _read_raw(p, file)
    registry = RegionRegistry.from_frame(raw, source=file, impute=impute, row_offset=offset)
    if registry.imputed and warn:
        detail = ", ".join(f"{n} {c}" for c, n in registry.imputed.items())
        warnings.warn(
            f"{file}: imputed {detail} value(s); see the *_source columns",
            ImputationWarning,
            stacklevel=2,
        )
    return registry


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
