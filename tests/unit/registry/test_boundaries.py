import json
from importlib import resources

import pytest

shapely = pytest.importorskip("shapely")
from shapely.geometry import Point  # noqa: E402

from regdev.errors import NotFoundError  # noqa: E402
from regdev.registry import load_default, toy_region  # noqa: E402
from regdev.registry.boundaries import (  # noqa: E402
    approximate_shapes,
    county_shapes,
    province_shapes,
)


def test_every_province_of_the_registry_has_one_shape():
    reg = load_default()
    prov = province_shapes()
    assert not prov.approximate
    assert set(prov) == set(reg.frame["province_iso"])
    assert len(prov) == 13
    names = dict(zip(reg.frame["province_iso"], reg.frame["province"], strict=True))
    for iso, feat in prov.items():
        assert feat.province == names[iso]
        assert feat.name_ko.endswith(("도", "시"))


def test_every_region_has_a_county_shape():
    reg = load_default()
    counties = county_shapes()
    assert set(counties) == set(reg.ids)
    # only the two regions that share one OSM unit are approximate
    assert {k for k, f in counties.items() if f.approximate} == {
        "KP-KAE-KAESONG",
        "KP-KAE-KAEPHUNG",
    }
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


def test_provinces_do_not_overlap_and_match_their_counties():
    prov = {k: f.shape() for k, f in province_shapes().items()}
    tree = shapely.STRtree(list(prov.values()))
    geoms = list(prov.values())
    for i, g in enumerate(geoms):
        for j in tree.query(g):
            if j > i:
                assert g.intersection(geoms[j]).area < 1e-4 * min(g.area, geoms[j].area)
    counties = county_shapes()
    for iso, shape in prov.items():
        union = shapely.union_all([f.shape() for f in counties.in_province(iso).values()])
        # the province is the union of its counties (Ungok, a special district without a
        # registry row, adds a little to South Pyongan), up to the simplification tolerance
        assert union.symmetric_difference(shape).area < 0.03 * shape.area, iso


def test_registry_points_lie_in_their_province_for_the_large_majority():
    reg = load_default()
    prov = province_shapes()
    f = reg.frame[reg.frame["lat_source"] != "imputed:province_mean"]
    inside = [
        prov[iso].shape().covers(Point(lon, lat))
        for iso, lat, lon in zip(f["province_iso"], f["lat"], f["lon"], strict=True)
    ]
    share = sum(inside) / len(inside)
    # 177 of 179 (BOUNDARIES.md): Sindo and Ryongyon lie at sea after clipping to land
    assert share >= 0.98, share
    counties = county_shapes()
    own = [
        counties[rid].shape().buffer(0.01).covers(Point(lon, lat))
        for rid, lat, lon in zip(f.index, f["lat"], f["lon"], strict=True)
    ]
    assert sum(own) / len(own) >= 0.98


def test_shapes_look_like_the_country():
    # the union of the provinces matches the national outline's extent and area
    prov = province_shapes()
    minx, miny, maxx, maxy = prov.bounds()
    assert 124.0 < minx < 124.5 and 130.5 < maxx < 131.0
    assert 37.5 < miny < 37.9 and 42.8 < maxy < 43.1
    area = sum(f.shape().area for f in prov.values())
    # ~120,500 km2 of land at ~40 N: about 12.9 square degrees
    assert 12.0 < area < 14.0


def test_files_carry_licence_and_attribution():
    prov = province_shapes()
    assert prov.licence == "ODbL-1.0"
    assert "OpenStreetMap contributors" in prov.attribution
    text = resources.files("regdev.registry").joinpath("data/BOUNDARIES.md").read_text("utf-8")
    assert "Open Database License" in text and "OpenStreetMap contributors" in text
    raw = json.loads(
        resources.files("regdev.registry").joinpath("data/kp_provinces.geojson").read_text("utf-8")
    )
    assert raw["metadata"]["licence"] == "ODbL-1.0"


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


def test_a_newer_copy_of_the_default_table_keeps_the_real_shapes():
    reg = load_default()
    # a subset (or a copy with rows the shipped file does not know) is still the default country
    sub = reg.subset(list(reg.ids)[:40])
    assert not province_shapes(sub).approximate
    counties = county_shapes(sub)
    assert set(counties) == set(sub.ids) and not counties["KP-CHA-KANGGYE"].approximate
