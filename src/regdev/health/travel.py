"""Travel time between villages and sites (minutes).

Two ways, chosen by what the user has:

* **A road / path network** (:func:`network_minutes`): nodes (``node_id, lat,
  lon``) and edges (``from, to`` and either ``minutes`` or ``length_km`` with
  an optional ``speed_kmh``), as CSV or GeoPackage layers; every village and
  site is snapped to its nearest node (the straight walk to the node is
  added at the off-network speed) and travel times are shortest paths from
  ``scipy.sparse.csgraph.dijkstra`` (run from the sites only).
* **No network** (:func:`crow_minutes`): great-circle distance × a circuity
  factor ÷ a speed that depends on the terrain of the county.

Default parameters (:class:`TravelParameters`) and their sources
-----------------------------------------------------------------
``circuity = 1.3``
    Road/path distance ÷ straight-line distance.  Ballou, Rahardja & Sakai
    (2002), "Selected country circuity factors for road travel distance
    estimation", *Transportation Research Part A* 36, 843–848, report
    national averages between about 1.1 and 1.6 (most near 1.2–1.4).  1.3 is
    an **assumption** for a mountainous country's footpaths and farm roads.
``walk_kmh`` (lowland 5.0, coastal 5.0, mixed 3.5, mountainous 2.5)
    Tobler's hiking function (Tobler 1993, "Three presentations on
    geographical analysis and modeling", NCGIA Technical Report 93-1),
    ``v = 6 exp(-3.5 |s + 0.05|)`` km/h, evaluated at typical path slopes of
    0 (→ 5.0), 10 % (→ 3.5) and 20 % (→ 2.5).  The slope per terrain class
    is an **assumption**.  Walking is the access mode to a first-aid post.
``drive_kmh = 30``
    Ambulance / truck on rural roads from a post to the county hospital;
    an **assumption** (unpaved mountain roads; no published DPRK figure).

Examples
--------
>>> import numpy as np
>>> p = TravelParameters()
>>> m = crow_minutes(np.array([39.0]), np.array([125.0]), np.array([39.0]), np.array([125.1]),
...                  np.array(["lowland"]), p)
>>> round(float(m[0, 0]), 1)   # 8.6 km straight, × 1.3 at 5 km/h
134.8
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

from regdev.errors import DataValidationError, Problem
from regdev.i18n import _
from regdev.registry import read_raw_table
from regdev.registry.geography import EARTH_RADIUS_KM

FloatArray = npt.NDArray[np.float64]


def _default_walk() -> dict[str, float]:
    return {"lowland": 5.0, "coastal": 5.0, "mixed": 3.5, "mountainous": 2.5}


@dataclass(frozen=True)
class TravelParameters:
    """Circuity and speeds (see the module docstring for the sources)."""

    circuity: float = 1.3
    walk_kmh: dict[str, float] = field(default_factory=_default_walk)
    drive_kmh: float = 30.0

    def speed(self, terrain: npt.ArrayLike) -> FloatArray:
        """Walking speed (km/h) for each terrain label (unknown → mixed)."""
        t = np.asarray(terrain, dtype=object)
        default = self.walk_kmh.get("mixed", 3.5)
        return np.array([self.walk_kmh.get(str(x), default) for x in t.ravel()], dtype=float)


def unit_vectors(lat: npt.ArrayLike, lon: npt.ArrayLike) -> FloatArray:
    """Points on the unit sphere (n × 3), for KD-trees on chord distance."""
    la, lo = np.radians(np.asarray(lat, dtype=float)), np.radians(np.asarray(lon, dtype=float))
    return np.column_stack([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)])


def km_to_chord(km: float) -> float:
    """Chord length on the unit sphere of a great-circle distance in km."""
    return float(2.0 * np.sin(min(km / EARTH_RADIUS_KM, np.pi) / 2.0))


def chord_to_km(chord: npt.ArrayLike) -> FloatArray:
    """Great-circle km of unit-sphere chord lengths."""
    c = np.clip(np.asarray(chord, dtype=float) / 2.0, 0.0, 1.0)
    return np.asarray(2.0 * EARTH_RADIUS_KM * np.arcsin(c), dtype=float)


def great_circle_km(
    lat1: npt.ArrayLike, lon1: npt.ArrayLike, lat2: npt.ArrayLike, lon2: npt.ArrayLike
) -> FloatArray:
    """All-pairs haversine distances (km), shape (len(1), len(2))."""
    a, b = unit_vectors(lat1, lon1), unit_vectors(lat2, lon2)
    chord = np.sqrt(np.maximum(((a[:, None, :] - b[None, :, :]) ** 2).sum(-1), 0.0))
    return chord_to_km(chord)


def crow_minutes(
    lat_from: npt.ArrayLike,
    lon_from: npt.ArrayLike,
    lat_to: npt.ArrayLike,
    lon_to: npt.ArrayLike,
    terrain_from: npt.ArrayLike,
    params: TravelParameters | None = None,
) -> FloatArray:
    """Walking minutes from every origin to every destination (no network).

    The speed is that of the origin's terrain (a village walks its own hills).
    """
    p = params or TravelParameters()
    km = great_circle_km(lat_from, lon_from, lat_to, lon_to) * p.circuity
    return np.asarray(km / p.speed(terrain_from)[:, None] * 60.0, dtype=float)


@dataclass(frozen=True)
class RoadNetwork:
    """A travel network: node coordinates and a sparse matrix of edge minutes."""

    node_ids: npt.NDArray[np.str_]
    lat: FloatArray
    lon: FloatArray
    graph: sp.csr_matrix

    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return int(self.lat.size)


def _table(path: str | os.PathLike[str]) -> tuple[pd.DataFrame, int]:
    raw, first = read_raw_table(path)
    raw.columns = [str(c).strip().lower() for c in raw.columns]
    return raw, first


def read_network(
    nodes_path: str | os.PathLike[str],
    edges_path: str | os.PathLike[str],
    *,
    default_speed_kmh: float = 30.0,
) -> RoadNetwork:
    """Read and validate a node table and an edge table (undirected edges).

    Parameters
    ----------
    nodes_path : path-like
        ``node_id, lat, lon``.
    edges_path : path-like
        ``from, to`` and ``minutes``, or ``length_km`` (with optional
        ``speed_kmh``, else ``default_speed_kmh``).  When a pair repeats the
        last row wins.

    Raises
    ------
    DataValidationError
        ``FILE:ROW:COLUMN`` for every bad cell.
    """
    nodes, n_first = _table(nodes_path)
    edges, e_first = _table(edges_path)
    problems: list[Problem] = []
    nfile, efile = str(nodes_path), str(edges_path)
    for col in ("node_id", "lat", "lon"):
        if col not in nodes.columns:
            problems.append(Problem(nfile, None, col, _("expected this column, got none")))
    for col in ("from", "to"):
        if col not in edges.columns:
            problems.append(Problem(efile, None, col, _("expected this column, got none")))
    if "minutes" not in edges.columns and "length_km" not in edges.columns:
        problems.append(
            Problem(efile, None, "minutes", _("expected minutes or length_km, got neither"))
        )
    if problems:
        raise DataValidationError(problems)
    ids = nodes["node_id"].astype(str).str.strip().to_numpy()
    lat = pd.to_numeric(nodes["lat"], errors="coerce").to_numpy(dtype=float)
    lon = pd.to_numeric(nodes["lon"], errors="coerce").to_numpy(dtype=float)
    for k in np.flatnonzero(~np.isfinite(lat) | (np.abs(lat) > 90)):
        problems.append(
            Problem(
                nfile,
                n_first + int(k),
                "lat",
                _("expected a latitude, got {got}", got=repr(nodes["lat"].iloc[k])),
            )
        )
    for k in np.flatnonzero(~np.isfinite(lon) | (np.abs(lon) > 180)):
        problems.append(
            Problem(
                nfile,
                n_first + int(k),
                "lon",
                _("expected a longitude, got {got}", got=repr(nodes["lon"].iloc[k])),
            )
        )
    index = {nid: i for i, nid in enumerate(ids)}
    if len(index) != len(ids):
        problems.append(Problem(nfile, None, "node_id", _("expected unique node ids, got repeats")))
    src = np.full(len(edges), -1)
    dst = np.full(len(edges), -1)
    for e, (a, b) in enumerate(zip(edges["from"].tolist(), edges["to"].tolist(), strict=True)):
        for col, val, arr in (("from", a, src), ("to", b, dst)):
            key = str(val).strip() if val is not None else ""
            if key not in index:
                problems.append(
                    Problem(
                        efile,
                        e_first + e,
                        col,
                        _("expected a node_id of the node table, got {got}", got=repr(val)),
                    )
                )
            else:
                arr[e] = index[key]
    if "minutes" in edges.columns:
        minutes = pd.to_numeric(edges["minutes"], errors="coerce").to_numpy(dtype=float)
        bad_col = "minutes"
    else:
        km = pd.to_numeric(edges["length_km"], errors="coerce").to_numpy(dtype=float)
        if "speed_kmh" in edges.columns:
            speed = pd.to_numeric(edges["speed_kmh"], errors="coerce").to_numpy(dtype=float)
            speed = np.where(np.isfinite(speed), speed, default_speed_kmh)
        else:
            speed = np.full(len(edges), default_speed_kmh)
        minutes = km / np.where(speed > 0, speed, np.nan) * 60.0
        bad_col = "length_km"
    for k in np.flatnonzero(~np.isfinite(minutes) | (minutes < 0)):
        problems.append(
            Problem(
                efile,
                e_first + int(k),
                bad_col,
                _("expected a number ≥ 0, got {got}", got=repr(edges[bad_col].iloc[k])),
            )
        )
    if problems:
        raise DataValidationError(problems)
    graph = edge_graph(len(ids), src, dst, minutes)
    return RoadNetwork(ids.astype(str), lat, lon, graph)


def edge_graph(
    n: int, src: npt.ArrayLike, dst: npt.ArrayLike, weight: npt.ArrayLike
) -> sp.csr_matrix:
    """Symmetric sparse graph of undirected edges; a repeated pair keeps its **last** weight.

    Examples
    --------
    >>> g = edge_graph(2, [0, 1], [1, 0], [5.0, 3.0])
    >>> float(g[0, 1]), float(g[1, 0])
    (3.0, 3.0)
    """
    s = np.asarray(src, dtype=np.int64)
    d = np.asarray(dst, dtype=np.int64)
    w = np.asarray(weight, dtype=float)
    lo, hi = np.minimum(s, d), np.maximum(s, d)
    key = lo * n + hi
    # last occurrence of each pair: unique on the reversed order
    _, rev_first = np.unique(key[::-1], return_index=True)
    keep = len(key) - 1 - rev_first
    lo, hi, w = lo[keep], hi[keep], w[keep]
    off = lo != hi
    lo, hi, w = lo[off], hi[off], w[off]
    # zero-length edges must survive the sparse format: store a tiny positive weight
    w = np.where(w > 0, w, 1e-9)
    g = sp.coo_matrix((np.r_[w, w], (np.r_[lo, hi], np.r_[hi, lo])), shape=(n, n))
    return g.tocsr()


def network_minutes(
    network: RoadNetwork,
    lat_from: npt.ArrayLike,
    lon_from: npt.ArrayLike,
    lat_to: npt.ArrayLike,
    lon_to: npt.ArrayLike,
    terrain_from: npt.ArrayLike,
    params: TravelParameters | None = None,
) -> FloatArray:
    """Minutes from every origin to every destination over ``network``.

    Off-network legs (origin → nearest node, nearest node → destination) are
    walked straight at the origin's terrain speed × circuity.
    """
    p = params or TravelParameters()
    tree = cKDTree(unit_vectors(network.lat, network.lon))
    d_o, n_o = tree.query(unit_vectors(lat_from, lon_from))
    d_t, n_t = tree.query(unit_vectors(lat_to, lon_to))
    speed = p.speed(terrain_from)
    walk_o = chord_to_km(d_o) * p.circuity / speed * 60.0
    targets, inverse = np.unique(n_t, return_inverse=True)
    dist = dijkstra(network.graph, directed=False, indices=targets)  # targets × nodes
    core = dist[inverse][:, n_o].T  # origins × destinations
    walk_t = chord_to_km(d_t)[None, :] * p.circuity / speed[:, None] * 60.0
    return np.asarray(walk_o[:, None] + core + walk_t, dtype=float)


def read_network_dir(path: str | os.PathLike[str]) -> RoadNetwork:
    """Read ``nodes.csv`` and ``edges.csv`` (or ``.gpkg``) from one folder."""
    base = Path(path)
    for ext in (".csv", ".gpkg", ".geojson"):
        n, e = base / f"nodes{ext}", base / f"edges{ext}"
        if n.is_file() and e.is_file():
            return read_network(n, e)
    raise DataValidationError(
        [
            Problem(
                str(base), None, None, _("expected nodes.csv and edges.csv (or .gpkg), got neither")
            )
        ]
    )
