#!/usr/bin/env python3
# ruff: noqa: T201  (a build script prints its summary)
"""Rebuild the DPRK boundary GeoJSON shipped in ``src/regdev/registry/data/``.

Inputs (not shipped; see ``src/regdev/registry/data/BOUNDARIES.md`` for where to get them):

``--osm FILE``
    An OpenStreetMap extract of the DPRK's county-level administrative boundaries
    (``admin_level`` 6, the Pyongyang wards at 7, Kaesong and Rason at 4) as GeoJSON,
    e.g. ``static/nk_regions_simplified.json`` of github.com/MRVDH/mapping-north-korea
    (commit 91fe4fc), an Overpass export of November 2020.  Licence ODbL 1.0,
    (c) OpenStreetMap contributors.
``--land FILE``
    Natural Earth 1:10m land (public domain) as the TopoJSON ``land-10m.json`` of the
    npm package ``world-atlas@2.0.2`` (Natural Earth 4.1.0).  OSM boundaries of coastal
    counties run out to sea along maritime lines; intersecting with land makes the map
    look like the country.

Steps: match every OSM polygon to a registry region (by Korean name, with a short
table of renamed or re-spelt units below, checked by point-in-polygon), clip to land,
simplify the whole coverage at once with :func:`shapely.coverage_simplify` (so that
neighbouring counties keep one shared border: no slivers, no gaps), dissolve counties
into the registry's provinces, add a label point per shape (:func:`shapely.polylabel`)
and write ``kp_provinces.geojson`` and ``kp_counties.geojson``.

Run ``python scripts/build_boundaries.py --osm FILE --land FILE`` (``make boundaries``).
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Point, Polygon, mapping, shape
from shapely.ops import polylabel, voronoi_diagram

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "src" / "regdev" / "registry" / "data"

#: OSM names (name:ko) that differ from the registry's ``name_ko``: renamed units,
#: other spellings, and the Pyongyang wards that the registry's capital row stands for.
OSM_TO_REGION: dict[str, str] = {
    "남포특급시": "KP-NAM-NAMPHO",
    "천리마군": "KP-NAM-CHOLLIMA",
    "강서군": "KP-NAM-KANGSO",
    "대안군": "KP-NAM-TAEAN",
    "승호군": "KP-HWB-SUNGHO",
    "백천군": "KP-HWN-PAECHON",
    **{
        ward: "KP-PYY-PYONGYANG"
        for ward in [
            "중구역",
            "평천구역",
            "보통강구역",
            "모란봉구역",
            "서성구역",
            "선교구역",
            "동대원구역",
            "대동강구역",
            "사동구역",
            "대성구역",
            "만경대구역",
            "형제산구역",
            "룡성구역",
            "삼석구역",
            "력포구역",
            "락랑구역",
            "순안구역",
            "은정구역",
        ]
    },
}
#: OSM units with no registry row: they belong to a province but to no registry region.
#: Ungok (운곡지구) is a special district on the border of South Pyongan; it is given the
#: province of the registry regions it shares most border with.
UNMATCHED_OK = {"운곡지구"}
#: One OSM polygon that covers several registry regions: split between them by the
#: Voronoi cells of their registry points (marked approximate).
SPLIT = {"개성특별시": ("KP-KAE-KAESONG", "KP-KAE-KAEPHUNG")}

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

ATTRIBUTION = (
    "Boundaries: © OpenStreetMap contributors (ODbL 1.0); coastline: Natural Earth (public domain)"
)


def _topojson_land(path: Path, bbox: tuple[float, float, float, float]) -> shapely.Geometry:
    """Decode the ``land`` object of a quantised TopoJSON file, keeping polygons in ``bbox``."""
    topo = json.loads(path.read_text(encoding="utf-8"))
    sx, sy = topo["transform"]["scale"]
    tx, ty = topo["transform"]["translate"]
    arcs = []
    for arc in topo["arcs"]:
        a = np.cumsum(np.asarray(arc, dtype=float), axis=0)
        arcs.append(np.column_stack([a[:, 0] * sx + tx, a[:, 1] * sy + ty]))

    def ring(indices: list[int]) -> np.ndarray:
        pts: list[np.ndarray] = []
        for i in indices:
            seg = arcs[i] if i >= 0 else arcs[~i][::-1]
            pts.append(seg if not pts else seg[1:])
        return np.concatenate(pts)

    box = shapely.box(*bbox)
    polys = []
    for geom in topo["objects"]["land"]["geometries"]:
        parts = geom["arcs"] if geom["type"] == "MultiPolygon" else [geom["arcs"]]
        for part in parts:
            poly = Polygon(ring(part[0]), [ring(h) for h in part[1:]])
            if poly.intersects(box):
                polys.append(shapely.make_valid(poly).intersection(box))
    return shapely.union_all(polys)


def _registry() -> list[dict[str, str]]:
    with (DATA / "regions.csv").open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _polygonal(geom: shapely.Geometry) -> shapely.Geometry:
    """Keep only the polygon parts of ``geom`` (intersections can leave lines)."""
    parts = [g for g in getattr(geom, "geoms", [geom]) if isinstance(g, Polygon) and not g.is_empty]
    return MultiPolygon(parts) if len(parts) > 1 else (parts[0] if parts else Polygon())


def _feature(geom: shapely.Geometry, props: dict[str, Any], digits: int) -> dict[str, Any]:
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


def build(
    osm_path: Path, land_path: Path, tol_counties: float, tol_provinces: float
) -> dict[str, Any]:
    """Build the two FeatureCollections; returns a summary of the checks."""
    regions = {r["region_id"]: r for r in _registry()}
    by_ko: dict[str, list[str]] = defaultdict(list)
    for rid, r in regions.items():
        by_ko[r["name_ko"]].append(rid)

    osm = json.loads(osm_path.read_text(encoding="utf-8"))["features"]
    pieces: dict[str, list[shapely.Geometry]] = defaultdict(list)  # region id -> OSM polygons
    extra: list[tuple[str, shapely.Geometry]] = []  # OSM units with no registry row
    approximate: set[str] = set()
    for f in osm:
        p = f["properties"]
        ko = p.get("name:ko") or p["name"]
        geom = shapely.make_valid(shape(f["geometry"]))
        if ko in SPLIT:
            ids = SPLIT[ko]
            pts = shapely.MultiPoint(
                [(float(regions[i]["lon"]), float(regions[i]["lat"])) for i in ids]
            )
            cells = voronoi_diagram(pts, envelope=geom.envelope.buffer(1.0))
            for rid in ids:
                pt = Point(float(regions[rid]["lon"]), float(regions[rid]["lat"]))
                cell = next(c for c in cells.geoms if c.contains(pt))
                pieces[rid].append(geom.intersection(cell))
                approximate.add(rid)
            continue
        if ko in OSM_TO_REGION:
            pieces[OSM_TO_REGION[ko]].append(geom)
            continue
        candidates = by_ko.get(ko, [])
        if len(candidates) > 1:  # the same Korean name in two provinces: the point decides
            candidates = [
                c
                for c in candidates
                if geom.contains(Point(float(regions[c]["lon"]), float(regions[c]["lat"])))
            ]
        if len(candidates) == 1:
            pieces[candidates[0]].append(geom)
        elif ko in UNMATCHED_OK:
            extra.append((ko, geom))
        else:
            msg = f"OSM unit {ko!r} ({p.get('name:en')}) matches no registry region"
            raise SystemExit(msg)

    missing = sorted(set(regions) - set(pieces))
    if missing:
        msg = f"registry regions without a polygon: {missing}"
        raise SystemExit(msg)

    lon_lat = [(float(r["lon"]), float(r["lat"])) for r in regions.values() if r["lon"]]
    xs, ys = zip(*lon_lat, strict=True)
    land = _topojson_land(land_path, (min(xs) - 2, min(ys) - 2, max(xs) + 2, max(ys) + 2))

    ids = sorted(pieces)
    raw = [shapely.union_all(pieces[i]) for i in ids] + [g for _, g in extra]
    clipped = [_polygonal(shapely.make_valid(g.intersection(land))) for g in raw]

    def simplify(geoms: list[shapely.Geometry], tol: float) -> list[shapely.Geometry]:
        out = shapely.coverage_simplify(np.asarray(geoms, dtype=object), tol)
        out = shapely.set_precision(out, 1e-4)  # ~10 m grid; keeps shared edges identical
        return [_polygonal(shapely.make_valid(g)) for g in out]

    counties = simplify(clipped, tol_counties)

    # province of every shape: the registry row's, or for the extra units the province of
    # the neighbour they share most border with
    province_of = [regions[i]["province_iso"] for i in ids]
    for ko, geom in extra:
        shared: dict[str, float] = defaultdict(float)
        for j in range(len(ids)):
            shared[province_of[j]] += geom.boundary.intersection(raw[j].buffer(1e-6)).length
        best = max(shared, key=shared.__getitem__)
        province_of.append(best)
        print(f"  {ko}: no registry row; dissolved into {best}", file=sys.stderr)

    province_names = {r["province_iso"]: r["province"] for r in regions.values()}
    groups: dict[str, list[shapely.Geometry]] = defaultdict(list)
    for iso, g in zip(province_of, clipped, strict=True):
        groups[iso].append(g)
    isos = sorted(groups)
    prov_raw = [shapely.union_all(groups[i]) for i in isos]
    provinces = simplify([_polygonal(g) for g in prov_raw], tol_provinces)

    meta = {
        "attribution": ATTRIBUTION,
        "licence": "ODbL-1.0",
        "approximate": False,
        "source": "OpenStreetMap (2020-11 extract) clipped to Natural Earth 1:10m land",
    }
    county_fc = {
        "type": "FeatureCollection",
        "metadata": {**meta, "simplify_tolerance_deg": tol_counties},
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
            for rid, g in zip(ids, counties[: len(ids)], strict=True)
        ],
    }
    province_fc = {
        "type": "FeatureCollection",
        "metadata": {**meta, "simplify_tolerance_deg": tol_provinces},
        "features": [
            _feature(
                g,
                {
                    "province_iso": iso,
                    "name": province_names[iso],
                    "name_ko": PROVINCE_KO[iso],
                    "approximate": False,
                },
                3 if tol_provinces >= 0.002 else 4,
            )
            for iso, g in zip(isos, provinces, strict=True)
        ],
    }
    out_c = DATA / "kp_counties.geojson"
    out_p = DATA / "kp_provinces.geojson"
    for path, fc in ((out_c, county_fc), (out_p, province_fc)):
        path.write_text(
            json.dumps(fc, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8"
        )

    inside = 0
    prov_shape = dict(zip(isos, provinces, strict=True))
    for r in regions.values():
        if r["lon"] and prov_shape[r["province_iso"]].covers(
            Point(float(r["lon"]), float(r["lat"]))
        ):
            inside += 1
    return {
        "counties": len(county_fc["features"]),
        "provinces": len(province_fc["features"]),
        "counties_kb": round(out_c.stat().st_size / 1024, 1),
        "provinces_kb": round(out_p.stat().st_size / 1024, 1),
        "points_inside_province": f"{inside}/{len(lon_lat)}",
        "osm_area_deg2": round(float(shapely.union_all(raw).area), 3),
        "land_area_deg2": round(float(sum(g.area for g in clipped)), 3),
    }


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--osm", type=Path, required=True, help="OSM county boundaries (GeoJSON)")
    ap.add_argument("--land", type=Path, required=True, help="world-atlas land-10m.json")
    ap.add_argument("--tol-counties", type=float, default=0.004, help="degrees (default 0.004)")
    ap.add_argument("--tol-provinces", type=float, default=0.006, help="degrees (default 0.006)")
    args = ap.parse_args(argv)
    summary = build(args.osm, args.land, args.tol_counties, args.tol_provinces)
    for k, v in summary.items():
        print(f"{k}: {v}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
