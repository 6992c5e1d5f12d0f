"""A synthetic-country generator for scale work and benchmarks.

The country is realistic in the ways that matter to the planner and the
simulator, and fully deterministic by seed:

* **Land and coast**: regions lie in a 10° × 12° box; the sea is east of a
  wavy coastline ``lon = 130 - 1.2 sin(0.9 lat) - 0.6 sin(2.3 lat + φ)`` and
  south of ``lat = 35.5``.  Regions within max(25 km, 1.5 √(mean area)) of it are coastal.
* **Provinces** are spatial clusters: the Voronoi cells of ``n_provinces``
  seeds drawn among the region centres (≈ √N / 1.5 of them).
* **Population** is lognormal (median 60,000, σ = 0.8 in log space); the
  most populous 12 % are cities, the most populous region near the centre of
  mass is the capital (×8 population).
* **Terrain**: a smooth random elevation field rising away from the coast;
  the highest 35 % of inland regions are mountainous, the lowest 25 % lowland,
  the rest mixed; coastal regions are ``coastal``.
* **Resources** are drawn with probabilities that depend on the terrain
  (sea products on the coast, timber/wild fruit/herbs/minerals in the
  mountains, grain and vegetables in the lowlands, …), from the registry's
  controlled vocabulary.
* **Settlements** are allocated to regions in proportion to population
  (multinomial), scattered around the region centre with a spread of
  √area, and share the region population by lognormal weights.

Examples
--------
>>> c = synthesize(50, 500, seed=1)
>>> len(c.regions), len(c.settlements)
(50, 500)
>>> c.registry().capital_id is not None
True
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from regdev._atomic import atomic_directory
from regdev._version import __version__
from regdev.errors import ConfigError
from regdev.registry.geography import EARTH_RADIUS_KM
from regdev.registry.regions import RegionRegistry

MAX_REGIONS = 10_000
MAX_SETTLEMENTS = 1_000_000
LAT0, LAT1 = 35.5, 45.5
LON0 = 123.5
COAST_KM = 25.0

# resource -> probability by terrain (coastal, lowland, mixed, mountainous)
_RESOURCE_PROB: dict[str, tuple[float, float, float, float]] = {
    "fish": (0.8, 0.0, 0.0, 0.0),
    "shellfish": (0.45, 0.0, 0.0, 0.0),
    "seaweed": (0.5, 0.0, 0.0, 0.0),
    "salt": (0.15, 0.0, 0.0, 0.0),
    "rice": (0.35, 0.8, 0.4, 0.05),
    "maize": (0.3, 0.6, 0.6, 0.35),
    "soybean": (0.2, 0.5, 0.4, 0.2),
    "wheat": (0.1, 0.35, 0.25, 0.05),
    "vegetables": (0.3, 0.5, 0.3, 0.1),
    "potato": (0.05, 0.1, 0.25, 0.55),
    "fruit": (0.2, 0.35, 0.4, 0.15),
    "livestock": (0.15, 0.3, 0.45, 0.35),
    "silk": (0.05, 0.2, 0.2, 0.1),
    "timber": (0.05, 0.0, 0.3, 0.7),
    "wild_fruit": (0.0, 0.0, 0.15, 0.5),
    "medicinal_herbs": (0.0, 0.0, 0.15, 0.45),
    "honey": (0.0, 0.05, 0.15, 0.25),
    "coal": (0.02, 0.05, 0.15, 0.25),
    "gold": (0.0, 0.0, 0.05, 0.2),
    "iron_ore": (0.0, 0.02, 0.08, 0.15),
    "limestone": (0.05, 0.1, 0.2, 0.25),
    "building_stone": (0.05, 0.05, 0.2, 0.35),
    "kaolin": (0.0, 0.05, 0.1, 0.1),
    "hydropower": (0.0, 0.0, 0.1, 0.3),
    "tourism": (0.15, 0.05, 0.1, 0.2),
}
_TERRAIN = ("coastal", "lowland", "mixed", "mountainous")


@dataclass(frozen=True)
class SyntheticCountry:
    """A generated country.

    Parameters
    ----------
    regions : pandas.DataFrame
        Region table with the columns of ``schema.csv`` (raw, one row per region).
    settlements : pandas.DataFrame
        ``settlement_id, region_id, lat, lon, population``.
    seed : int
        The seed that made it.
    """

    regions: pd.DataFrame
    settlements: pd.DataFrame
    seed: int

    def registry(self) -> RegionRegistry:
        """Validate the region table and wrap it in a :class:`RegionRegistry`."""
        return RegionRegistry.from_frame(self.regions, source=f"synth(seed={self.seed})")


def _coast_lon(lat: np.ndarray, phase: float) -> np.ndarray:
    return np.asarray(130.0 - 1.2 * np.sin(0.9 * lat) - 0.6 * np.sin(2.3 * lat + phase))


def _km_to_coast(lat: np.ndarray, lon: np.ndarray, phase: float) -> np.ndarray:
    east = (_coast_lon(lat, phase) - lon) * 111.32 * np.cos(np.radians(lat))
    south = (lat - LAT0) * 110.57
    return np.asarray(np.minimum(east, south), dtype=float)


def synthesize(n_regions: int, n_settlements: int = 0, seed: int = 0) -> SyntheticCountry:
    """Generate a synthetic country (see the module docstring for the model).

    Parameters
    ----------
    n_regions : int
        Number of regions, 10 to 10,000.
    n_settlements : int, default 0
        Number of settlements (villages), 0 to 1,000,000.
    seed : int, default 0
        Seed of the random generator; the same seed gives the same country.

    Returns
    -------
    SyntheticCountry

    Raises
    ------
    ConfigError
        When a size is out of range.
    """
    if not 10 <= n_regions <= MAX_REGIONS:
        msg = f"n_regions must be within 10..{MAX_REGIONS:,}; got {n_regions:,}"
        raise ConfigError(msg)
    if not 0 <= n_settlements <= MAX_SETTLEMENTS:
        msg = f"n_settlements must be within 0..{MAX_SETTLEMENTS:,}; got {n_settlements:,}"
        raise ConfigError(msg)
    rng = np.random.default_rng(seed)
    phase = float(rng.uniform(0, 2 * np.pi))

    # region centres: rejection-sample the land box
    lat = np.empty(0)
    lon = np.empty(0)
    while lat.size < n_regions:
        k = 2 * n_regions
        la = rng.uniform(LAT0, LAT1, k)
        lo = rng.uniform(LON0, 131.0, k)
        land = _km_to_coast(la, lo, phase) > 2.0
        lat = np.concatenate([lat, la[land]])
        lon = np.concatenate([lon, lo[land]])
    lat, lon = np.round(lat[:n_regions], 5), np.round(lon[:n_regions], 5)
    coast_km = _km_to_coast(lat, lon, phase)
    box_km2 = (LAT1 - LAT0) * 110.57 * (131.0 - LON0) * 111.32 * np.cos(np.radians(40.5)) * 0.6
    coastal = coast_km < max(COAST_KM, 1.5 * np.sqrt(box_km2 / n_regions))

    # provinces: Voronoi cells of seeds among the centres
    n_prov = int(max(2, round(np.sqrt(n_regions) / 1.5)))
    seeds = rng.choice(n_regions, size=n_prov, replace=False)
    xyz = np.column_stack(
        [
            np.cos(np.radians(lat)) * np.cos(np.radians(lon)),
            np.cos(np.radians(lat)) * np.sin(np.radians(lon)),
            np.sin(np.radians(lat)),
        ]
    )
    from scipy.spatial import cKDTree

    _, prov_idx = cKDTree(xyz[seeds]).query(xyz)
    # number provinces by the position of their seed (north to south) for readable names
    order = np.argsort(-lat[seeds], kind="stable")
    rank = np.empty(n_prov, dtype=int)
    rank[order] = np.arange(n_prov)
    prov_no = rank[prov_idx]

    # population and kinds
    pop = np.round(np.exp(rng.normal(np.log(60_000), 0.8, n_regions)))
    wlat, wlon = np.average(lat, weights=pop), np.average(lon, weights=pop)
    d_centre = np.hypot(lat - wlat, (lon - wlon) * np.cos(np.radians(wlat)))
    central = np.argsort(d_centre, kind="stable")[: max(3, n_regions // 20)]
    capital = int(central[np.argmax(pop[central])])
    pop[capital] *= 8
    kind = np.where(pop >= np.quantile(pop, 0.88), "city", "county").astype(object)
    kind[capital] = "capital"
    urban_share = np.where(
        kind == "county", rng.uniform(0.1, 0.4, n_regions), rng.uniform(0.6, 0.95, n_regions)
    )
    urban = np.round(pop * urban_share)

    # area: land box area shared out with lognormal noise, cities smaller
    area = box_km2 / n_regions * np.exp(rng.normal(0, 0.35, n_regions))
    area = np.round(np.where(kind == "county", area, area * 0.4), 1)

    # terrain
    k1, k2 = rng.uniform(0.6, 1.4, 2)
    p1, p2 = rng.uniform(0, 2 * np.pi, 2)
    elev = (
        np.minimum(coast_km, 300.0) / 300.0
        + 0.35 * np.sin(k1 * lat + p1) * np.cos(k2 * lon + p2)
        + rng.normal(0, 0.1, n_regions)
    )
    phys = np.full(n_regions, "mixed", dtype=object)
    inland = ~coastal
    hi, lo_q = np.quantile(elev[inland], [0.65, 0.25]) if inland.any() else (1.0, 0.0)
    phys[inland & (elev >= hi)] = "mountainous"
    phys[inland & (elev <= lo_q)] = "lowland"
    phys[coastal] = "coastal"
    t_idx = np.select([phys == t for t in _TERRAIN], list(range(4)))

    # resources
    names = sorted(_RESOURCE_PROB)
    probs = np.array([_RESOURCE_PROB[r] for r in names])[:, t_idx].T  # (n, R)
    draws = rng.random(probs.shape) < probs
    name_arr = np.array(names, dtype=object)
    resources = [";".join(name_arr[row]) for row in draws]

    width = len(str(n_regions))
    ids = [f"SY-P{p:02d}-{i:0{width}d}" for i, p in enumerate(prov_no)]
    regions = pd.DataFrame(
        {
            "region_id": ids,
            "name": [f"Region {i:0{width}d}" for i in range(n_regions)],
            "province": [f"Province {p:02d}" for p in prov_no],
            "kind": kind,
            "population": pop,
            "urban_population": urban,
            "area_km2": area,
            "lat": lat,
            "lon": lon,
            "coastal": coastal,
            "physiography": phys,
            "resources": resources,
        }
    )
    settlements = _settlements(regions, n_settlements, rng)
    return SyntheticCountry(regions=regions, settlements=settlements, seed=seed)


def _settlements(regions: pd.DataFrame, n: int, rng: np.random.Generator) -> pd.DataFrame:
    cols = ["settlement_id", "region_id", "lat", "lon", "population"]
    if n == 0:
        return pd.DataFrame({c: [] for c in cols})
    pop = regions["population"].to_numpy()
    counts = rng.multinomial(n, pop / pop.sum())
    owner = np.repeat(np.arange(len(regions)), counts)
    spread_km = np.sqrt(regions["area_km2"].to_numpy())[owner] / 2.5
    dlat = rng.normal(0, 1, n) * spread_km / 110.57
    lat0 = regions["lat"].to_numpy()[owner]
    dlon = rng.normal(0, 1, n) * spread_km / (111.32 * np.cos(np.radians(lat0)))
    w = np.exp(rng.normal(0, 1.0, n))
    share = w / np.bincount(owner, weights=w, minlength=len(regions))[owner]
    width = len(str(n))
    return pd.DataFrame(
        {
            "settlement_id": np.char.add("S", np.char.zfill(np.arange(n).astype(str), width)),
            "region_id": regions["region_id"].to_numpy()[owner],
            "lat": np.round(lat0 + dlat, 5),
            "lon": np.round(regions["lon"].to_numpy()[owner] + dlon, 5),
            "population": np.round(pop[owner] * share).astype(np.int64),
        }
    )


def write_country(country: SyntheticCountry, out_dir: str | os.PathLike[str]) -> Path:
    """Write ``regions.csv``, ``settlements.csv`` and ``manifest.json`` atomically.

    The output is byte-identical for the same seed and sizes.

    Parameters
    ----------
    country : SyntheticCountry
        What :func:`synthesize` returned.
    out_dir : path-like
        Destination folder (replaced whole).

    Returns
    -------
    pathlib.Path
        The folder.
    """
    with atomic_directory(out_dir) as tmp:
        reg = country.regions.copy()
        reg["coastal"] = reg["coastal"].map({True: "true", False: "false"})
        reg.to_csv(tmp / "regions.csv", index=False, lineterminator="\n")
        country.settlements.to_csv(tmp / "settlements.csv", index=False, lineterminator="\n")
        digest = {
            name: hashlib.sha256((tmp / name).read_bytes()).hexdigest()
            for name in ("regions.csv", "settlements.csv")
        }
        manifest = {
            "generator": "regdev.registry.synth",
            "regdev_version": __version__,
            "seed": country.seed,
            "n_regions": len(country.regions),
            "n_settlements": len(country.settlements),
            "sha256": digest,
        }
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return Path(out_dir)


def km_per_degree_lat() -> float:
    """Length of one degree of latitude on the model sphere (km)."""
    return float(np.pi * EARTH_RADIUS_KM / 180)
