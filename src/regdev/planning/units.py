"""Construction units: the relocation distance a factory schedule implies (issue 9, partly).

The policy's construction units (20 regiments) each build one region's factory
group per building season.  Given a schedule, the units that built the sites
of year ``t − 1`` move to the sites of year ``t``; the assignment of units to
sites that minimises the total relocation distance is a linear assignment
problem (solved exactly with :func:`scipy.optimize.linear_sum_assignment` on
great-circle distances).  When a year has more sites than the year before,
the extra units come from their home base, which is not modelled (their
first move counts 0 km); when it has fewer, the spare units stand down.

This **measures** the plan; the MILP does not yet optimise or limit the
relocation distance (docs/planning.md, "Limitations").

Hand-solved case: sites on the equator at longitudes 0° and 10° in the first
year and 1° and 11° in the second.  Moving 0→1 and 10→11 costs 2 × 111.2 km;
the crossed assignment 0→11, 10→1 would cost 2 × 1,223 km.

>>> import numpy as np
>>> lat = np.zeros(4); lon = np.array([0.0, 10.0, 1.0, 11.0])
>>> yi = np.array([0, 0, 1, 1])
>>> out = relocation(yi, lat, lon, n_years=2)
>>> [round(v, 1) for v in out["km_per_year"]], round(out["max_move_km"], 1)
([0.0, 222.4], 111.2)
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.optimize import linear_sum_assignment

EARTH_RADIUS_KM = 6371.0088
"""Mean Earth radius (IUGG), km."""


def great_circle_km(
    lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray
) -> np.ndarray:
    """Haversine distance in km between every point of set 1 (rows) and set 2 (columns)."""
    p1, p2 = np.radians(lat1)[:, None], np.radians(lat2)[None, :]
    dl = np.radians(lon2)[None, :] - np.radians(lon1)[:, None]
    a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    out: np.ndarray = 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))
    return out


def relocation(
    year_index: np.ndarray, lat: np.ndarray, lon: np.ndarray, n_years: int
) -> dict[str, Any]:
    """Least total relocation of the units between consecutive factory cohorts.

    Parameters
    ----------
    year_index : numpy.ndarray of int, shape (n,)
        Factory year of every region (``-1``: none).
    lat, lon : numpy.ndarray, shape (n,)
        Coordinates (degrees).
    n_years : int

    Returns
    -------
    dict
        ``km_per_year`` (list, 0 for the first year), ``total_km``,
        ``max_move_km`` (the longest single move) and ``moves`` (how many).
    """
    km = [0.0] * n_years
    longest, moves = 0.0, 0
    for t in range(1, n_years):
        prev = np.flatnonzero(year_index == t - 1)
        cur = np.flatnonzero(year_index == t)
        if prev.size == 0 or cur.size == 0:
            continue
        dist = great_circle_km(lat[prev], lon[prev], lat[cur], lon[cur])
        rows, cols = linear_sum_assignment(dist)
        km[t] = float(dist[rows, cols].sum())
        longest = max(longest, float(dist[rows, cols].max()))
        moves += int(rows.size)
    return {"km_per_year": km, "total_km": float(sum(km)), "max_move_km": longest, "moves": moves}


def plan_relocation(plan: Any) -> dict[str, Any] | None:
    """:func:`relocation` of a plan's factory schedule (``None`` without coordinates)."""
    p = plan.problem
    if p.lat is None or p.lon is None:
        return None
    yi = plan.year_index(allow_feasible=True)[:, p.factory_index]
    out = relocation(yi, np.asarray(p.lat, float), np.asarray(p.lon, float), p.n_years)
    out["years"] = [int(y) for y in p.years]
    return out
