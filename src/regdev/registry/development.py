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
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from regdev.errors import ConfigError
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


def development_components(frame: pd.DataFrame, capital_id: str | None) -> pd.DataFrame:
    """Compute the four components of the development index v0.

    Parameters
    ----------
    frame : pandas.DataFrame
        Region table with ``population``, ``urban_population``, ``area_km2``,
        ``lat``, ``lon``, ``kind`` and ``physiography`` (imputed already).
    capital_id : str or None
        The capital's id; without one the population-weighted centre is used.

    Returns
    -------
    pandas.DataFrame
        Columns ``urban``, ``access``, ``density``, ``physiography``, each in [0, 1].
    """
    pop = frame["population"].astype(float)
    share = frame["urban_population"].astype(float) / pop.where(pop > 0)
    kind_median = share.groupby(frame["kind"]).transform("median")
    share = share.fillna(kind_median).fillna(share.median()).fillna(0.5)
    if capital_id is not None and capital_id in frame.index:
        clat, clon = frame.at[capital_id, "lat"], frame.at[capital_id, "lon"]
    else:
        w = pop.fillna(0) + 1e-9
        clat = float(np.average(frame["lat"], weights=w))
        clon = float(np.average(frame["lon"], weights=w))
    dist = pd.Series(haversine_km(frame["lat"], frame["lon"], clat, clon), index=frame.index)
    density = np.log((pop / frame["area_km2"].astype(float)).clip(lower=1e-6))
    phys = frame["physiography"].map(PHYSIOGRAPHY_SCORE).astype(float).fillna(0.67)
    return pd.DataFrame(
        {
            "urban": _minmax(share),
            "access": 1 - dist / dist.max() if dist.max() > 0 else 0.5,
            "density": _minmax(density),
            "physiography": phys,
        },
        index=frame.index,
    )


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
    total = sum(w.values())
    score = sum(comp[k] * v for k, v in w.items()) / total
    index = FLOOR + (1 - FLOOR) * score
    if "development_index" in frame.columns:
        index = (
            frame["development_index"]
            .astype(float)
            .where(frame["development_index"].notna(), index)
        )
    return index.rename("development_index")
