"""Derived geography: great-circle distances and nearest neighbours.

All functions are vectorised over numpy arrays of WGS84 degrees.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

EARTH_RADIUS_KM = 6371.0088
"""Mean Earth radius (IUGG), km."""

FloatArray = npt.NDArray[np.float64]


def haversine_km(
    lat1: npt.ArrayLike, lon1: npt.ArrayLike, lat2: npt.ArrayLike, lon2: npt.ArrayLike
) -> FloatArray:
    r"""Great-circle distance by the haversine formula.

    Parameters
    ----------
    lat1, lon1, lat2, lon2 : array_like
        Coordinates in degrees; broadcast against each other.

    Returns
    -------
    numpy.ndarray
        Distances in km on a sphere of radius :data:`EARTH_RADIUS_KM`.

    Notes
    -----
    :math:`d = 2R\\arcsin\\sqrt{\\sin^2(\\Delta\\varphi/2) +
    \\cos\\varphi_1\\cos\\varphi_2\\sin^2(\\Delta\\lambda/2)}` (Sinnott 1984).
    The spherical model is within 0.5 % of the ellipsoidal distance.

    Examples
    --------
    >>> round(float(haversine_km(0, 0, 0, 1)), 2)
    111.19
    """
    p1, l1, p2, l2 = (np.radians(np.asarray(a, dtype=float)) for a in (lat1, lon1, lat2, lon2))
    h = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin((l2 - l1) / 2) ** 2
    return np.asarray(2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0, 1))), dtype=float)


def distance_matrix_km(lat: npt.ArrayLike, lon: npt.ArrayLike) -> FloatArray:
    """All-pairs great-circle distances.

    Parameters
    ----------
    lat, lon : array_like, shape (n,)
        Coordinates in degrees.

    Returns
    -------
    numpy.ndarray, shape (n, n)
        Symmetric matrix of distances in km with a zero diagonal.
    """
    la = np.asarray(lat, dtype=float)
    lo = np.asarray(lon, dtype=float)
    return haversine_km(la[:, None], lo[:, None], la[None, :], lo[None, :])


def _unit_vectors(lat: FloatArray, lon: FloatArray) -> FloatArray:
    p, lam = np.radians(lat), np.radians(lon)
    return np.column_stack([np.cos(p) * np.cos(lam), np.cos(p) * np.sin(lam), np.sin(p)])


def nearest_neighbours(
    lat: npt.ArrayLike, lon: npt.ArrayLike, k: int
) -> tuple[npt.NDArray[np.intp], FloatArray]:
    """The ``k`` nearest other points of every point, by great-circle distance.

    Parameters
    ----------
    lat, lon : array_like, shape (n,)
        Coordinates in degrees.
    k : int
        Number of neighbours (``1 <= k < n``).

    Returns
    -------
    index : numpy.ndarray of int, shape (n, k)
        Positions of the neighbours, nearest first.
    distance_km : numpy.ndarray, shape (n, k)
        Their great-circle distances.

    Notes
    -----
    A k-d tree over 3-D unit vectors: the chord length is a monotone
    function of the great-circle distance, so the neighbour order is exact.
    """
    from scipy.spatial import cKDTree

    la = np.asarray(lat, dtype=float)
    lo = np.asarray(lon, dtype=float)
    n = la.size
    if not 1 <= k < n:
        msg = f"k must be within 1..{n - 1} for {n} points; got {k}"
        raise ValueError(msg)
    xyz = _unit_vectors(la, lo)
    _, idx = cKDTree(xyz).query(xyz, k=k + 1)
    # drop self (the first hit, unless duplicates tie with it)
    out = np.empty((n, k), dtype=np.intp)
    for row in range(n):
        hits = idx[row][idx[row] != row][:k]
        out[row] = hits
    dist = haversine_km(la[:, None], lo[:, None], la[out], lo[out])
    return out, dist
