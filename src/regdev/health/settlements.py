"""The settlement layer: villages (ri / dong) with population and coordinates.

Two sources:

* a user file (CSV, GeoJSON, GeoPackage; anything
  :func:`regdev.registry.read_raw_table` reads) with the columns
  ``settlement_id, region_id, lat, lon, population`` (``name`` optional),
  validated cell by cell; every problem is reported as ``FILE:ROW:COLUMN:
  message`` in one :class:`~regdev.errors.DataValidationError`;
* :func:`synthetic_settlements` — the registry's synthetic settlement
  generator (:mod:`regdev.registry.synth`) run on the regions of a registry
  (by default the embedded country).  **These villages are synthetic**: their
  number, positions and populations are drawn, not surveyed; the frame's
  ``source`` column says ``synthetic`` on every row and every output that
  shows them carries that label.

Examples
--------
>>> from regdev.registry import toy_region
>>> s = synthetic_settlements(toy_region(), seed=1)
>>> sorted(s.columns)
['lat', 'lon', 'name', 'population', 'region_id', 'settlement_id', 'source']
>>> bool((s["source"] == "synthetic").all())
True
"""

from __future__ import annotations

import math
import os

import numpy as np
import pandas as pd

from regdev.errors import DataValidationError, Problem
from regdev.i18n import _
from regdev.registry import RegionRegistry, read_raw_table
from regdev.registry.synth import _settlements as _scatter_settlements

REQUIRED = ("settlement_id", "region_id", "lat", "lon", "population")
COLUMNS = ("settlement_id", "region_id", "name", "lat", "lon", "population", "source")

#: Assumption: one demand point (village / hamlet) per this many people when the
#: settlements are synthesised.  A DPRK ri averages a few thousand people and
#: holds several hamlets; 2,500 gives 40-80 points for a county of 100-200
#: thousand, enough that siting is a real choice.  Labelled an assumption.
PEOPLE_PER_SYNTHETIC_SETTLEMENT = 2500.0
MIN_SETTLEMENTS_PER_REGION = 8


def synthetic_settlements(
    registry: RegionRegistry,
    *,
    people_per_settlement: float = PEOPLE_PER_SYNTHETIC_SETTLEMENT,
    total: int | None = None,
    seed: int = 0,
) -> pd.DataFrame:
    """Synthetic villages for every region of ``registry`` (labelled ``synthetic``).

    Parameters
    ----------
    registry : RegionRegistry
        Regions with ``population``, ``area_km2``, ``lat`` and ``lon``.
    people_per_settlement : float
        Assumed people per village when ``total`` is not given.
    total : int, optional
        Total number of villages (e.g. 400,000 for the national benchmark).
    seed : int
        Random seed (the output is deterministic by seed).

    Returns
    -------
    pandas.DataFrame
        ``settlement_id, region_id, name, lat, lon, population, source``; at
        least :data:`MIN_SETTLEMENTS_PER_REGION` villages per region.
    """
    frame = registry.frame.reset_index()
    regions = frame[["region_id", "population", "area_km2", "lat", "lon"]].copy()
    regions = regions.dropna(subset=["population", "lat", "lon"])
    regions["area_km2"] = regions["area_km2"].fillna(regions["area_km2"].median()).fillna(500.0)
    rng = np.random.default_rng(seed)
    pop = regions["population"].to_numpy(dtype=float)
    if total is None:
        want = np.maximum(np.round(pop / people_per_settlement), MIN_SETTLEMENTS_PER_REGION)
        parts = []
        for i in range(len(regions)):
            one = _scatter_settlements(regions.iloc[[i]], int(want[i]), rng)
            parts.append(one)
        out = pd.concat(parts, ignore_index=True)
    else:
        out = _scatter_settlements(regions, int(total), rng)
    width = len(str(len(out)))
    out["settlement_id"] = [f"V{i:0{width}d}" for i in range(len(out))]
    out["population"] = out["population"].clip(lower=1).astype(np.int64)
    out["name"] = out["settlement_id"]
    out["source"] = "synthetic"
    return out[list(COLUMNS)].reset_index(drop=True)


def _number(text: object) -> float | None:
    if text is None:
        return None
    try:
        value = float(str(text).strip().replace(",", ""))
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def read_settlements(
    path: str | os.PathLike[str], *, regions: RegionRegistry | None = None
) -> pd.DataFrame:
    """Read and validate a settlement file.

    Parameters
    ----------
    path : path-like
        CSV / GeoJSON / GeoPackage / XLSX / Parquet.  Columns
        ``settlement_id, region_id, lat, lon, population`` (``name`` optional).
    regions : RegionRegistry, optional
        When given, every ``region_id`` must be one of its regions.

    Returns
    -------
    pandas.DataFrame
        ``settlement_id, region_id, name, lat, lon, population, source``
        (``source`` is ``"file"``).

    Raises
    ------
    DataValidationError
        Every problem as ``FILE:ROW:COLUMN: expected …, got …``.
    """
    raw, first_row = read_raw_table(path)
    file = str(path)
    raw.columns = [str(c).strip().lower() for c in raw.columns]
    problems: list[Problem] = []
    for col in REQUIRED:
        if col not in raw.columns:
            problems.append(Problem(file, None, col, _("expected this column, got none")))
    if problems:
        raise DataValidationError(problems)
    known = set(regions.ids) if regions is not None else None
    seen: dict[str, int] = {}
    rows: list[dict[str, object]] = []
    for k, rec in enumerate(raw.to_dict("records")):
        row = first_row + k
        sid = str(rec["settlement_id"] or "").strip()
        if not sid:
            problems.append(
                Problem(file, row, "settlement_id", _("expected an id, got an empty cell"))
            )
        elif sid in seen:
            problems.append(
                Problem(
                    file,
                    row,
                    "settlement_id",
                    _(
                        "expected a unique id, got {got} (also row {row})",
                        got=repr(sid),
                        row=seen[sid],
                    ),
                )
            )
        else:
            seen[sid] = row
        rid = str(rec["region_id"] or "").strip()
        if not rid:
            problems.append(
                Problem(file, row, "region_id", _("expected a region id, got an empty cell"))
            )
        elif known is not None and rid not in known:
            problems.append(
                Problem(
                    file,
                    row,
                    "region_id",
                    _("expected a known region id, got {got}", got=repr(rid)),
                )
            )
        lat, lon, pop = _number(rec["lat"]), _number(rec["lon"]), _number(rec["population"])
        if lat is None or not -90 <= lat <= 90:
            problems.append(
                Problem(
                    file,
                    row,
                    "lat",
                    _("expected a latitude in -90..90, got {got}", got=repr(rec["lat"])),
                )
            )
        if lon is None or not -180 <= lon <= 180:
            problems.append(
                Problem(
                    file,
                    row,
                    "lon",
                    _("expected a longitude in -180..180, got {got}", got=repr(rec["lon"])),
                )
            )
        if pop is None or pop < 0:
            problems.append(
                Problem(
                    file,
                    row,
                    "population",
                    _("expected a number ≥ 0, got {got}", got=repr(rec["population"])),
                )
            )
        name = rec.get("name")
        rows.append(
            {
                "settlement_id": sid,
                "region_id": rid,
                "name": str(name).strip() if name else sid,
                "lat": lat,
                "lon": lon,
                "population": pop,
                "source": "file",
            }
        )
    if not rows:
        problems.append(Problem(file, None, None, _("expected at least one settlement, got none")))
    if problems:
        raise DataValidationError(problems)
    out = pd.DataFrame(rows, columns=list(COLUMNS))
    out["population"] = out["population"].astype(float)
    return out


def is_synthetic(settlements: pd.DataFrame) -> bool:
    """Whether any village of ``settlements`` is synthetic (outputs must say so)."""
    return bool((settlements.get("source", pd.Series(dtype=str)) == "synthetic").any())
