"""Development index v0: a documented composite of what the region table has.

Components, each scaled to [0, 1] across the table (min–max):

``urban``
    urban share of the population (``urban_population / population``);
    where the census gives no split, the median share of the same ``kind``
    (cities ≈ high, counties ≈ low) is used.
``access``
    ``1 - d / max(d)`` with ``d`` the great-circle distance to the capital.
``density``
    ``log(population / area_km2)``.
``physiography``
    lowland 1.0, mixed 0.67, coastal 0.67, mountainous 0.33 (flat land
    carries more farming and industry; a planning hint, not a survey).

The index is ``0.1 + 0.9 * Σ w_k · component_k / Σ w_k``, in [0.1, 1.0];
the floor keeps the Atkinson equity weight ``(d / mean d)^(−ε)`` finite.
A user-supplied ``development_index`` column overrides the computed value
row by row.

Every input column is optional.  A component whose data no row has (no
``urban_population``, no coordinates, no area, no ``physiography``) is left
out and the weights of the others are renormalised;
:func:`development_notes` says which.  Without any component every region
gets the same index (0.55), i.e. equal equity weights.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from regdev.errors import ConfigError
from regdev.i18n import N_, _
from regdev.registry.geography import haversine_km

PHYSIOGRAPHY_SCORE: Mapping[str, float] = {
    "lowland": 1.0,
    "mixed": 0.67,
    "coastal": 0.67,
    "mountainous": 0.33,
}
FLOOR = 0.1


def _default_weights() -> dict[str, float]:
    return {"urban": 0.35, "access": 0.25, "density": 0.25, "physiography": 0.15}


@dataclass(frozen=True)
class DevelopmentWeights:
    """Weights of the development-index components.

    Parameters
    ----------
    weights : mapping of str to float
        Non-negative weights for ``urban``, ``access``, ``density`` and
        ``physiography``; they are normalised to sum to one.
    """

    weights: Mapping[str, float] = field(default_factory=_default_weights)

    def __post_init__(self) -> None:
        allowed = set(_default_weights())
        unknown = set(self.weights) - allowed
        if unknown:
            msg = f"unknown development-index components {sorted(unknown)}; expected {sorted(allowed)}"
            raise ConfigError(msg)
        if any(w < 0 for w in self.weights.values()) or sum(self.weights.values()) <= 0:
            msg = f"development-index weights must be >= 0 with a positive sum; got {dict(self.weights)}"
            raise ConfigError(msg)


def _minmax(values: pd.Series) -> pd.Series:
    lo, hi = values.min(), values.max()
    if not np.isfinite(lo) or hi - lo <= 0:
        return pd.Series(0.5, index=values.index)
    return (values - lo) / (hi - lo)


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    """A column as floats or objects; all-missing when the table lacks it."""
    if name in frame.columns:
        return frame[name]
    return pd.Series(np.nan, index=frame.index, dtype=float)


def _has_any(series: pd.Series) -> bool:
    return bool(series.notna().any())


def development_components(frame: pd.DataFrame, capital_id: str | None) -> pd.DataFrame:
    """Compute the components of the development index v0 that the table supports.

    Parameters
    ----------
    frame : pandas.DataFrame
        Region table with ``population`` (imputed already) and, where known,
        ``urban_population``, ``area_km2``, ``lat``, ``lon``, ``kind`` and
        ``physiography``.
    capital_id : str or None
        The capital's id; without one the population-weighted centre is used.

    Returns
    -------
    pandas.DataFrame
        Columns ``urban``, ``access``, ``density``, ``physiography``, each in
        [0, 1]; a component without data in any row is all-NaN (left out of
        the index, see :func:`development_notes`).  Rows missing a value of
        an available component take the documented fallback: the median
        urban share of their ``kind``, physiography ``mixed`` (0.67), the
        median density.
    """
    pop = frame["population"].astype(float)
    nan = pd.Series(np.nan, index=frame.index, dtype=float)
    urban_pop = _column(frame, "urban_population").astype(float)
    if _has_any(urban_pop):
        share = urban_pop / pop.where(pop > 0)
        kind_median = share.groupby(frame["kind"]).transform("median")
        share = share.fillna(kind_median).fillna(share.median()).fillna(0.5)
        urban = _minmax(share)
    else:
        urban = nan
    lat = _column(frame, "lat").astype(float)
    lon = _column(frame, "lon").astype(float)
    known = lat.notna() & lon.notna()
    if known.any():
        if capital_id is not None and capital_id in frame.index and known[capital_id]:
            clat, clon = float(lat[capital_id]), float(lon[capital_id])
        else:
            w = pop.where(known).fillna(0) + 1e-9
            clat = float(np.average(lat[known], weights=w[known]))
            clon = float(np.average(lon[known], weights=w[known]))
        dist = pd.Series(haversine_km(lat, lon, clat, clon), index=frame.index)
        access = 1 - dist / dist.max() if dist.max() > 0 else pd.Series(0.5, index=frame.index)
        access = access.fillna(float(access.median()))
    else:
        access = nan
    area = _column(frame, "area_km2").astype(float)
    if _has_any(area):
        log_density = np.log((pop / area).clip(lower=1e-6))
        density = _minmax(log_density.fillna(log_density.median()))
    else:
        density = nan
    phys_col = _column(frame, "physiography")
    if _has_any(phys_col):
        phys = phys_col.map(PHYSIOGRAPHY_SCORE).astype(float).fillna(0.67)
    else:
        phys = nan
    return pd.DataFrame(
        {"urban": urban, "access": access, "density": density, "physiography": phys},
        index=frame.index,
    )


_NEEDS = {
    "urban": N_("no urban_population in any row"),
    "access": N_("no coordinates in any row"),
    "density": N_("no area in any row"),
    "physiography": N_("no physiography in any row"),
}


def development_notes(frame: pd.DataFrame, capital_id: str | None) -> list[str]:
    """Say which components of the index v0 the table cannot support, and what that means.

    Parameters
    ----------
    frame : pandas.DataFrame
        Region table (see :func:`development_components`).
    capital_id : str or None
        Id of the capital row.

    Returns
    -------
    list of str
        Empty when every component is available.
    """
    comp = development_components(frame, capital_id)
    left_out = [k for k in comp.columns if comp[k].isna().all()]
    notes = []
    if left_out:
        why = "; ".join(f"{k}: {_(_NEEDS[k])}" for k in left_out)
        used = [k for k in comp.columns if k not in left_out]
        if used:
            notes.append(
                _(
                    "development index: left out {left_out} ({why}); it rests on {used} only "
                    "(weights renormalised)",
                    left_out=", ".join(left_out),
                    why=why,
                    used=", ".join(used),
                )
            )
        else:
            notes.append(
                _(
                    "development index: no component available ({why}); every region gets "
                    "the same index, so the equity weights are equal",
                    why=why,
                )
            )
    if "access" not in left_out and (capital_id is None or capital_id not in frame.index):
        notes.append(
            _(
                "development index: no capital row; access is measured from the "
                "population-weighted centre of the regions"
            )
        )
    return notes


def development_index_v0(
    frame: pd.DataFrame, capital_id: str | None, weights: DevelopmentWeights | None = None
) -> pd.Series:
    """The development index v0 of every region, in [0.1, 1].

    Parameters
    ----------
    frame : pandas.DataFrame
        Region table (see :func:`development_components`).
    capital_id : str or None
        Id of the capital row.
    weights : DevelopmentWeights, optional
        Component weights; the documented defaults when omitted.

    Returns
    -------
    pandas.Series
        The index, named ``development_index``; user values in a
        ``development_index`` column take precedence.
    """
    w = (weights or DevelopmentWeights()).weights
    comp = development_components(frame, capital_id)
    used = {k: v for k, v in w.items() if not comp[k].isna().all()}
    total = sum(used.values())
    if total > 0:
        score = sum(comp[k] * v for k, v in used.items()) / total
    else:
        score = pd.Series(0.5, index=frame.index)
    index = FLOOR + (1 - FLOOR) * score
    if "development_index" in frame.columns:
        index = (
            frame["development_index"]
            .astype(float)
            .where(frame["development_index"].notna(), index)
        )
    return index.rename("development_index")
