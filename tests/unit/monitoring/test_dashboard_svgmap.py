from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from regdev.monitoring.dashboard.svgmap import (
    STATE_COLOURS,
    MapPoint,
    Projection,
    dominant_state,
    geojson_bounds,
    outline_path,
    render_map,
)
from regdev.registry import load_default, load_outline

SVG = "{http://www.w3.org/2000/svg}"

SQUARE = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "properties": {},
            "geometry": {
                "type": "Polygon",
                "coordinates": [
                    [[124.0, 38.0], [130.0, 38.0], [130.0, 43.0], [124.0, 43.0], [124.0, 38.0]]
                ],
            },
        }
    ],
}


def test_projection_maps_corners_to_padded_canvas() -> None:
    p = Projection(124.0, 38.0, 130.0, 43.0, width=400.0, pad=10.0)
    assert p.project(124.0, 43.0) == pytest.approx((10.0, 10.0))
    x, y = p.project(130.0, 38.0)
    assert x == pytest.approx(390.0)
    assert y == pytest.approx(p.height - 10.0)
    # north is up, east is right
    assert p.project(125.0, 40.0)[1] < p.project(125.0, 39.0)[1]
    assert p.project(126.0, 40.0)[0] > p.project(125.0, 40.0)[0]


def test_projection_keeps_ground_aspect_ratio() -> None:
    p = Projection(124.0, 38.0, 130.0, 43.0, width=400.0, pad=0.0)
    # one degree of latitude vs one degree of longitude scaled by cos(40.5 deg) ~ 0.760
    dx = p.project(125.0, 40.0)[0] - p.project(124.0, 40.0)[0]
    dy = p.project(124.0, 39.0)[1] - p.project(124.0, 40.0)[1]
    assert dx / dy == pytest.approx(0.7604, abs=1e-3)


def test_geojson_bounds_and_empty_error() -> None:
    assert geojson_bounds(SQUARE) == (124.0, 38.0, 130.0, 43.0)
    with pytest.raises(ValueError, match="no Polygon"):
        geojson_bounds({"type": "FeatureCollection", "features": []})


def test_outline_path_is_closed_and_inside_canvas() -> None:
    p = Projection(124.0, 38.0, 130.0, 43.0, width=400.0, pad=10.0)
    d = outline_path(SQUARE, p)
    assert d.startswith("M")
    assert d.endswith("Z")
    nums = [float(v) for v in re.findall(r"-?\d+\.\d", d)]
    assert min(nums) >= 10.0 - 0.05
    assert max(nums[0::2]) <= 390.05


def test_dominant_state_orders_lifecycle() -> None:
    assert dominant_state(["planned", "groundbreaking"]) == "groundbreaking"
    assert dominant_state(["construction", "operating", "planned"]) == "operating"
    assert dominant_state(["suspended", "planned"]) == "planned"
    assert dominant_state(["bogus"]) == "none"
    assert dominant_state([]) == "none"


def _centre(el: ET.Element) -> tuple[float, float]:
    """Centre of a map symbol (circle, square or polygon)."""
    if "cx" in el.attrib:
        return float(el.attrib["cx"]), float(el.attrib["cy"])
    if "width" in el.attrib:
        return (
            float(el.attrib["x"]) + float(el.attrib["width"]) / 2,
            float(el.attrib["y"]) + float(el.attrib["height"]) / 2,
        )
    pts = [tuple(map(float, p.split(","))) for p in el.attrib["points"].split()]
    return sum(p[0] for p in pts) / len(pts), sum(p[1] for p in pts) / len(pts)


def test_render_map_real_country_places_every_region_inside_the_outline_box() -> None:
    reg = load_default().programme()
    frame = reg.frame
    states = ["planned", "operating", "construction"]
    points = [
        MapPoint(
            rid, row["name"], float(row["lon"]), float(row["lat"]), states[i % 3], href=f"/c/{rid}"
        )
        for i, (rid, row) in enumerate(frame.iterrows())
    ]
    svg = render_map(points, load_outline(), width=480.0, highlight=points[0].region_id)
    root = ET.fromstring(str(svg))
    _, _, w, h = (float(v) for v in root.attrib["viewBox"].split())
    # one symbol per region; its shape tells the state as well as its colour (issue 15)
    circles = [c for c in root.iter() if "data-region" in c.attrib]
    assert len(circles) == len(frame) == 179
    for c in circles:
        x, y = _centre(c)
        assert 0 <= x <= w
        assert 0 <= y <= h
        assert c.attrib["fill"] == STATE_COLOURS[c.attrib["data-state"]]
    tag_of = {c.attrib["data-state"]: c.tag for c in circles}
    points_of = {
        c.attrib["data-state"]: c.attrib.get("points", "") for c in circles if "points" in c.attrib
    }
    assert len({(tag_of[s], len(points_of.get(s, "").split())) for s in states}) == 3
    links = list(root.iter(f"{SVG}a"))
    assert len(links) == 179
    assert links[0].attrib["href"] == f"/c/{points[0].region_id}"
    assert sum(1 for c in circles if "hl" in c.attrib["class"]) == 1
    legend = [t.text for t in root.iter(f"{SVG}text") if t.attrib.get("class") == "legend"]
    assert legend == ["planned", "construction", "operating"]
    # the outline is present and nothing refers to an external resource
    assert [p.attrib["class"] for p in root.iter(f"{SVG}path")] == ["outline"]
    assert "http" not in str(svg).replace('xmlns="http://www.w3.org/2000/svg"', "")


def test_render_map_escapes_names() -> None:
    svg = render_map([MapPoint("X", "<b>&evil", 125.0, 40.0, "planned")], None)
    assert "<b>" not in str(svg)
    ET.fromstring(str(svg))  # still well-formed


def test_render_map_zoomed_with_labels() -> None:
    pts = [
        MapPoint("A", "Alpha", 125.0, 40.0, "planned"),
        MapPoint("B", "Beta", 126.0, 41.0, "operating"),
    ]
    svg = str(render_map(pts, SQUARE, bounds=(124.8, 39.8, 126.2, 41.2), labels=True, width=300.0))
    root = ET.fromstring(svg)
    labels = [t.text for t in root.iter(f"{SVG}text") if t.attrib.get("class") == "label"]
    assert labels == ["Alpha", "Beta"]
    circles = {c.attrib["data-region"]: c for c in root.iter() if "data-region" in c.attrib}
    # zoomed: the two points span most of the canvas width
    dx = _centre(circles["B"])[0] - _centre(circles["A"])[0]
    assert dx > 0.6 * 300.0


def test_flagged_regions_are_ringed_and_the_legend_says_so() -> None:
    pts = [
        MapPoint("A", "Alpha", 125.0, 40.0, "construction", flagged=True),
        MapPoint("B", "Beta", 126.0, 41.0, "operating"),
    ]
    root = ET.fromstring(str(render_map(pts, None, width=300.0)))
    rings = [c for c in root.iter(f"{SVG}circle") if c.attrib.get("data-flag") == "1"]
    assert len(rings) == 1
    legend = [t.text for t in root.iter(f"{SVG}text") if t.attrib.get("class") == "legend"]
    assert legend == ["construction", "operating", "overdue or missing report"]
