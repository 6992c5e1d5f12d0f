"""Offline SVG maps: provinces with borders and labels, county symbols, legends.

One function, :func:`render_map`, draws the country (or one province, for a province
page) from the registry's boundary shapes (:mod:`regdev.registry.boundaries`) and a table
of regions:

* provinces filled and bordered, labelled in the current language (Korean or English);
* one symbol per region, its **area proportional to the population**, with a size legend;
* an optional **category** per region (e.g. the year a factory is built): up to ten classes
  that stay apart for colour-blind readers — a colour from Paul Tol's colour-blind-safe
  *muted* scheme **and** a shape (circle, square, triangle, diamond, inverted triangle; the
  classes 6–10 repeat the shapes with a white centre), so no class is told by colour alone;
* every symbol links to an anchor (``#dossier-<region_id>`` by default, or any relative URL
  template, e.g. ``/counties/{region_id}`` for the dashboard) and has a ``<title>`` tooltip;
* ``role="img"`` with an ``aria-label`` (symbols are mouse targets, out of the tab order,
  so a keyboard user does not tab through 180 dots; pass ``focusable_links=True`` for a
  map whose links must be reachable by keyboard);
* a scale bar, the source credit of the boundaries, and a note naming what is
  approximate: "approximate areas" when every shape is (another country), the approximate
  provinces by name (the default country's Nampho and Kaesong), and "county borders
  approximate" where approximate county borders are drawn (dashed);
* no external URL: inline SVG for HTML pages (no namespace), or ``standalone=True`` for a
  file (then the SVG namespace is declared and the font can be embedded as a ``data:`` URI).

Projection: equirectangular with the longitude scaled by the cosine of the mean latitude —
for a country a few degrees across this is indistinguishable from a conformal projection
and keeps the code dependency-free.

Examples
--------
>>> from regdev.registry import load_default
>>> from regdev.reporting.maps import render_map
>>> reg = load_default()
>>> svg = render_map(reg.frame)
>>> svg.startswith("<svg") and 'role="img"' in svg and "KP-01" in svg
True
"""

from __future__ import annotations

import html
import math
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd
from babel.numbers import format_decimal

from regdev.errors import ConfigError, NotFoundError
from regdev.fonts import FONT_STACK, font_face_css
from regdev.i18n import N_, _, current_language, use_language

if TYPE_CHECKING:
    from regdev.registry.boundaries import Boundaries, BoundaryFeature

__all__ = [
    "CATEGORY_COLOURS",
    "CATEGORY_SHAPES",
    "category_style",
    "render_map",
]

#: Paul Tol's colour-blind-safe "muted" scheme (9 colours) plus near black, ordered so that
#: neighbouring classes (consecutive years) differ strongly in lightness and hue.
#: Source: P. Tol, "Colour Schemes", SRON/EPS/TN/09-002, 2021, fig. 4 (muted).  Checked
#: with the Machado-Oliveira-Fernandes (2009) simulation of deuteranopia and protanopia:
#: every pair stays at least 15 CIELAB units apart (tests/unit/reporting/test_maps.py).
CATEGORY_COLOURS: tuple[str, ...] = (
    "#332288",  # indigo
    "#DDCC77",  # sand
    "#117733",  # green
    "#CC6677",  # rose
    "#88CCEE",  # cyan
    "#882255",  # wine
    "#44AA99",  # teal
    "#AA4499",  # purple
    "#999933",  # olive
    "#222222",  # near black (keeps every pair apart under colour-vision deficiency)
)
#: Symbol shapes; classes 6-10 repeat them with a white centre dot.
CATEGORY_SHAPES: tuple[str, ...] = ("circle", "square", "triangle", "diamond", "triangle-down")
#: Colour of regions without a category.
NO_CATEGORY_COLOUR = "#BBBBBB"
PROVINCE_FILL = "#F1EFE8"
PROVINCE_FILL_FOCUS = "#E9E4D4"
PROVINCE_STROKE = "#6B6B6B"
COUNTY_STROKE = "#C9C4B5"
SEA = "#EEF4F8"

_TXT_NOT_ASSIGNED = N_("Not assigned")
_TXT_POPULATION = N_("Population")
_TXT_PEOPLE = N_("{n} people")
_TXT_APPROX = N_("Approximate areas: Voronoi cells of the region centroids")
_TXT_APPROX_SOME = N_("Approximate areas (Voronoi cells of the county points): {names}")
_TXT_APPROX_COUNTIES = N_(
    "County borders (dashed) are approximate: Voronoi cells of the county points"
)
_TXT_MAP_OF = N_("Map of {n} regions in {m} provinces")
_TXT_MAP_OF_PROVINCE = N_("Map of {province}: {n} regions")
_TXT_DESC_SIZE = N_("Symbol area is proportional to population.")
_TXT_DESC_CAT = N_("Colour and shape show the {category}.")
_TXT_KM = N_("{n} km")
_TXT_NO_COORDS = N_("{n} regions without coordinates are not drawn.")


@dataclass(frozen=True)
class _Projection:
    """Equirectangular projection of a lon/lat box onto a pixel box."""

    lon0: float
    lat1: float
    kx: float
    scale: float
    x0: float
    y0: float

    @classmethod
    def fit(
        cls, bounds: tuple[float, float, float, float], x0: float, y0: float, w: float, h: float
    ) -> _Projection:
        minx, miny, maxx, maxy = bounds
        kx = math.cos(math.radians((miny + maxy) / 2))
        scale = min(w / max((maxx - minx) * kx, 1e-9), h / max(maxy - miny, 1e-9))
        # centre the shape in the box
        ox = x0 + (w - (maxx - minx) * kx * scale) / 2
        oy = y0 + (h - (maxy - miny) * scale) / 2
        return cls(minx, maxy, kx, scale, ox, oy)

    def __call__(self, lon: float, lat: float) -> tuple[float, float]:
        return (
            self.x0 + (lon - self.lon0) * self.kx * self.scale,
            self.y0 + (self.lat1 - lat) * self.scale,
        )

    def km_per_px(self, lat: float) -> float:
        """Kilometres per pixel along a parallel (the scale bar is drawn horizontally)."""
        return 111.32 * (math.cos(math.radians(lat)) / self.kx) / self.scale


def _esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def _num(value: float, lang: str) -> str:
    return format_decimal(round(value), locale="ko_KR" if lang == "ko" else "en_US")


def _path(feature: BoundaryFeature, proj: _Projection) -> str:
    """SVG path data of a shape, rounded to 0.1 px, repeated points dropped."""
    out: list[str] = []
    for poly in feature.polygons():
        for ring in poly:
            pts: list[str] = []
            last = ""
            for lon, lat in ring:
                x, y = proj(lon, lat)
                p = f"{x:.1f} {y:.1f}"
                if p != last:
                    pts.append(p)
                    last = p
            if len(pts) >= 3:
                out.append("M" + "L".join(pts) + "Z")
    return "".join(out)


def category_style(index: int) -> tuple[str, str, bool]:
    """(colour, shape, white centre) of the ``index``-th category (0-based; cycles after 10)."""
    colour = CATEGORY_COLOURS[index % len(CATEGORY_COLOURS)]
    shape = CATEGORY_SHAPES[index % len(CATEGORY_SHAPES)]
    return colour, shape, (index // len(CATEGORY_SHAPES)) % 2 == 1


def _symbol(shape: str, x: float, y: float, r: float, attrs: str) -> str:
    """A symbol of the same area as a circle of radius ``r``."""
    if shape == "circle":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.2f}" {attrs}/>'
    if shape in ("square", "diamond"):
        h = r * math.sqrt(math.pi) / 2  # half side of a square of area pi r^2
        if shape == "square":
            return f'<rect x="{x - h:.1f}" y="{y - h:.1f}" width="{2 * h:.2f}" height="{2 * h:.2f}" {attrs}/>'
        d = h * math.sqrt(2)
        pts = f"{x:.1f},{y - d:.1f} {x + d:.1f},{y:.1f} {x:.1f},{y + d:.1f} {x - d:.1f},{y:.1f}"
        return f'<polygon points="{pts}" {attrs}/>'
    # equilateral triangle of area pi r^2: side a, centroid at (x, y)
    a = r * math.sqrt(4 * math.pi / math.sqrt(3))
    hgt = a * math.sqrt(3) / 2
    sign = 1 if shape == "triangle" else -1
    top = y - sign * 2 * hgt / 3
    base = y + sign * hgt / 3
    pts = f"{x:.1f},{top:.1f} {x + a / 2:.1f},{base:.1f} {x - a / 2:.1f},{base:.1f}"
    return f'<polygon points="{pts}" {attrs}/>'


def _styled_symbol(index: int | None, x: float, y: float, r: float) -> str:
    if index is None:
        return _symbol(
            "circle",
            x,
            y,
            r,
            f'fill="{NO_CATEGORY_COLOUR}" fill-opacity="0.55" stroke="#777" stroke-width="0.6"',
        )
    colour, shape, dot = category_style(index)
    out = _symbol(shape, x, y, r, f'fill="{colour}" stroke="#222" stroke-width="0.7"')
    if dot:
        out += f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{max(r * 0.3, 1.1):.2f}" fill="#fff"/>'
    return out


def _text_width(text: str) -> int:
    """Width of ``text`` in half-width character cells (Hangul and other wide ones count 2)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _wrap(text: str, width: int) -> list[str]:
    """Split ``text`` at spaces into lines of at most about ``width`` half-width cells."""
    lines: list[str] = []
    for word in text.split():
        if lines and _text_width(lines[-1]) + 1 + _text_width(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def _nice(value: float) -> float:
    if value <= 0:
        return 1.0
    mag = 10 ** math.floor(math.log10(value))
    return float(max(m * mag for m in (1, 2, 5) if m * mag <= value))


def _href(template: str | Callable[[str], str] | None, region_id: str) -> str | None:
    if template is None:
        return None
    url = template(region_id) if callable(template) else template.format(region_id=region_id)
    if "://" in url or url.lower().startswith(("javascript:", "data:", "//")):
        msg = f"map links must be anchors or relative URLs (no external URL); got {url!r}"
        raise ConfigError(msg)
    return url


def _inside(feature: BoundaryFeature | None, lon: float, lat: float) -> bool:
    """True when (lon, lat) lies in ``feature`` (ray casting on its rings)."""
    if feature is None:
        return True
    inside = False
    for poly in feature.polygons():
        for ring in poly:
            for (x1, y1), (x2, y2) in zip(ring, ring[1:], strict=False):
                if (y1 > lat) != (y2 > lat) and lon < x1 + (lat - y1) * (x2 - x1) / (y2 - y1):
                    inside = not inside
    return inside


def render_map(
    regions: pd.DataFrame,
    *,
    category: str | None = None,
    categories: Sequence[Any] | None = None,
    category_title: str | None = None,
    category_labels: Mapping[Any, str] | None = None,
    size: str | None = "population",
    province: str | None = None,
    href: str | Callable[[str], str] | None = "#dossier-{region_id}",
    provinces: Boundaries | None = None,
    counties: Boundaries | None = None,
    title: str | None = None,
    width: int = 760,
    lang: str | None = None,
    county_borders: bool | None = None,
    focusable_links: bool = False,
    standalone: bool = False,
    embed_font: bool = False,
) -> str:
    """Render a map of the regions as an SVG element (text).

    Parameters
    ----------
    regions : pandas.DataFrame
        Indexed by ``region_id``, with ``lat``, ``lon``, ``name``, ``province`` and
        optionally ``name_ko``, ``province_iso``, the ``size`` column and the ``category``
        column (a registry's ``frame`` plus, e.g., a ``year`` column).  Rows without
        coordinates are left out (the description says how many).
    category : str, optional
        Column holding each region's class (e.g. ``"year"``); missing values are drawn
        as grey "not assigned" symbols.
    categories : sequence, optional
        The classes in legend order (default: the sorted distinct values).  Up to ten stay
        distinct; more repeat colours and shapes.
    category_title : str, optional
        Legend heading for the classes (already translated, e.g. ``_("Year of factory")``).
    category_labels : mapping, optional
        Legend text per class (default ``str(value)``).
    size : str or None, default "population"
        Column that sizes the symbols (area proportional); ``None`` for equal symbols.
    province : str, optional
        ISO code or registry name of a province: draw that province alone (its county
        borders, its regions, their names) — the view of a province page.
    href : str or callable or None, default ``"#dossier-{region_id}"``
        Link of each symbol: a template with ``{region_id}`` or a function of the id; must
        be an anchor or a relative URL.  ``None`` for no links.
    provinces, counties : Boundaries, optional
        Shapes to draw; default :func:`~regdev.registry.boundaries.province_shapes` and
        :func:`~regdev.registry.boundaries.county_shapes` of the default country (or
        approximate shapes when ``regions`` is another country and shapely is installed).
    title : str, optional
        Accessible name of the map (``<title>`` and ``aria-label``); a default describes it.
    width : int, default 760
        Width of the SVG in pixels; the height follows the country's shape.
    lang : {"ko", "en"}, optional
        Language of names and legends (default: the current :mod:`regdev.i18n` language).
    county_borders : bool, optional
        Draw county borders (default: only in the province view).
    focusable_links : bool, default False
        Put the symbol links in the tab order (then the SVG is a ``group``, not an ``img``).
    standalone : bool, default False
        Declare the SVG namespace (for a ``.svg`` file); inline SVG in HTML needs none.
    embed_font : bool, default False
        Embed the bundled font, cut to the map's characters, as a ``data:`` URI in a
        ``<style>`` (for standalone files; pages include :func:`regdev.fonts.font_face_css`).

    Returns
    -------
    str
        One ``<svg>`` element.

    Raises
    ------
    NotFoundError
        ``province`` names no province of the shapes.
    ConfigError
        A link template gives an external URL, or required columns are missing.
    """
    with use_language(lang or current_language()) as code:
        return _render(
            regions,
            category=category,
            categories=categories,
            category_title=category_title,
            category_labels=category_labels,
            size=size,
            province=province,
            href=href,
            provinces=provinces,
            counties=counties,
            title=title,
            width=width,
            lang=code,
            county_borders=county_borders,
            focusable_links=focusable_links,
            standalone=standalone,
            embed_font=embed_font,
        )


def _approximate_notes(provinces: Boundaries, counties: Boundaries | None, lang: str) -> list[str]:
    """What the map must call approximate, in the current language (one note per kind).

    All provinces approximate (another country's Voronoi areas): the general note.  Some
    (the default country's Nampho and Kaesong): those, by name.  County borders drawn
    and approximate: a note on the (dashed) county borders.
    """
    notes: list[str] = []
    approx = [f for f in provinces.values() if f.approximate]
    if approx and len(approx) == len(provinces):
        return [_(_TXT_APPROX)]
    if approx:
        names = ", ".join(f.local_name(lang) for f in approx)
        notes.append(_(_TXT_APPROX_SOME, names=names))
    if counties is not None and any(f.approximate for f in counties.values()):
        notes.append(_(_TXT_APPROX_COUNTIES))
    return notes


def _default_shapes(regions: pd.DataFrame) -> tuple[Boundaries, Boundaries]:
    """The shipped shapes when the regions are in the default country's provinces."""
    from regdev.registry.boundaries import _shipped, approximate_shapes

    provinces = _shipped("province")
    iso = regions["province_iso"] if "province_iso" in regions.columns else None
    if iso is not None and iso.notna().all() and set(iso) <= set(provinces.features):
        return provinces, _shipped("county")
    from regdev.registry.regions import RegionRegistry

    reg = RegionRegistry.from_frame(regions.reset_index(), source="<map>")
    return approximate_shapes(reg)


def _render(  # one drawing, top to bottom
    regions: pd.DataFrame,
    *,
    category: str | None,
    categories: Sequence[Any] | None,
    category_title: str | None,
    category_labels: Mapping[Any, str] | None,
    size: str | None,
    province: str | None,
    href: str | Callable[[str], str] | None,
    provinces: Boundaries | None,
    counties: Boundaries | None,
    title: str | None,
    width: int,
    lang: str,
    county_borders: bool | None,
    focusable_links: bool,
    standalone: bool,
    embed_font: bool,
) -> str:
    missing = [c for c in ("lat", "lon", "name", "province") if c not in regions.columns]
    if category is not None and category not in regions.columns:
        missing.append(category)
    if size is not None and size not in regions.columns:
        missing.append(size)
    if missing:
        msg = f"render_map needs the columns {', '.join(missing)} in the region table"
        raise ConfigError(msg)
    if provinces is None or counties is None:
        dp, dc = _default_shapes(regions)
        provinces = provinces if provinces is not None else dp
        counties = counties if counties is not None else dc

    # --- which shapes and regions ---------------------------------------------------------
    shown = provinces
    rows = regions
    focus: BoundaryFeature | None = None
    if province is not None:
        focus = next(
            (
                f
                for f in provinces.values()
                if province in (f.id, f.province, f.province_iso, f.name, f.name_ko)
            ),
            None,
        )
        if focus is None:
            known = ", ".join(sorted(provinces))
            msg = f"no province {province!r} on the map; known: {known}"
            raise NotFoundError(msg)
        shown = provinces.in_province(focus.province_iso or focus.province)
        keys = {focus.province, focus.province_iso, focus.id}
        col = "province_iso" if "province_iso" in regions.columns else "province"
        rows = regions[regions[col].isin(keys) | regions["province"].isin(keys)]
    draw_counties = county_borders if county_borders is not None else focus is not None
    located = rows[rows["lat"].notna() & rows["lon"].notna()]
    n_unlocated = len(rows) - len(located)

    # --- layout ---------------------------------------------------------------------------
    legend_w = 190
    map_w = width - legend_w - 16
    minx, miny, maxx, maxy = shown.bounds()
    kx = math.cos(math.radians((miny + maxy) / 2))
    aspect = (maxy - miny) / max((maxx - minx) * kx, 1e-9)
    map_h = max(320, min(int(map_w * aspect), int(map_w * 1.25)))
    height = map_h + 40
    proj = _Projection.fit((minx, miny, maxx, maxy), 8, 8, map_w, map_h)
    font = _esc(FONT_STACK)

    # --- categories -----------------------------------------------------------------------
    cat_index: dict[Any, int] = {}
    if category is not None:
        values = (
            categories if categories is not None else sorted(located[category].dropna().unique())
        )
        cat_index = {v: k for k, v in enumerate(values)}
    cat_text = dict(category_labels or {})

    def cat_label(v: Any) -> str:
        return str(cat_text.get(v, v))

    # --- symbol sizes ---------------------------------------------------------------------
    r_max = 13.0 if focus is None else 18.0
    r_min = 2.2
    sizes = pd.Series(1.0, index=located.index)
    vmax = 1.0
    if size is not None:
        sizes = pd.to_numeric(located[size], errors="coerce").fillna(0.0).clip(lower=0.0)
        vmax = float(sizes.max()) or 1.0

    def radius(v: float) -> float:
        if size is None:
            return 5.0
        return max(r_min, r_max * math.sqrt(v / vmax))

    # --- accessible name and description ----------------------------------------------------
    n_prov = len(shown)
    if title is None:
        if focus is not None:
            title = _(_TXT_MAP_OF_PROVINCE, province=focus.local_name(lang), n=len(located))
        else:
            title = _(_TXT_MAP_OF, n=len(located), m=n_prov)
    desc = [title + "."]
    if size is not None:
        desc.append(_(_TXT_DESC_SIZE))
    if category is not None:
        desc.append(_(_TXT_DESC_CAT, category=category_title or category))
    approx_notes = _approximate_notes(shown, counties if draw_counties else None, lang)
    desc.extend(note + "." for note in approx_notes)
    if n_unlocated:
        desc.append(_(_TXT_NO_COORDS, n=n_unlocated))

    role = 'role="group"' if focusable_links else 'role="img"'
    ns = ' xmlns="http://www.w3.org/2000/svg"' if standalone else ""
    parts: list[str] = [
        f'<svg{ns} class="rd-map" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" {role} aria-label="{_esc(title)}" '
        f'font-family="{font}" lang="{lang}">',
        f"<title>{_esc(title)}</title>",
        f"<desc>{_esc(' '.join(desc))}</desc>",
    ]
    style_at = len(parts)  # the embedded font goes here once all text is known
    parts.append(f'<rect x="0" y="0" width="{map_w + 16}" height="{map_h + 16}" fill="{SEA}"/>')

    # --- provinces, counties, labels --------------------------------------------------------
    parts.append('<g class="rd-provinces">')
    for key, feat in shown.items():
        fill = PROVINCE_FILL_FOCUS if focus is not None else PROVINCE_FILL
        parts.append(
            f'<path class="rd-province" data-province="{_esc(key)}" d="{_path(feat, proj)}" '
            f'fill="{fill}" stroke="{PROVINCE_STROKE}" stroke-width="1.1" stroke-linejoin="round">'
            f"<title>{_esc(feat.local_name(lang))}</title></path>"
        )
    parts.append("</g>")
    if draw_counties:
        parts.append(
            f'<g class="rd-counties" fill="none" stroke="{COUNTY_STROKE}" stroke-width="0.6">'
        )
        for key, feat in counties.items():
            if focus is not None and key not in set(rows.index):
                continue
            dash = ' stroke-dasharray="3 2"' if feat.approximate else ""
            parts.append(f'<path data-region="{_esc(key)}" d="{_path(feat, proj)}"{dash}/>')
        parts.append("</g>")
        # re-draw the province border on top of the county lines
        for feat in shown.values():
            parts.append(
                f'<path d="{_path(feat, proj)}" fill="none" stroke="{PROVINCE_STROKE}" stroke-width="1.1"/>'
            )

    # --- symbols (largest first so small ones stay on top) -----------------------------------
    link_attr = "" if focusable_links else ' tabindex="-1"'
    parts.append('<g class="rd-symbols">')
    order = sizes.sort_values(ascending=False, kind="stable").index
    for rid in order:
        row = located.loc[rid]
        lon, lat = float(row["lon"]), float(row["lat"])
        feat_c = counties.get(str(rid))
        if feat_c is not None and not _inside(feat_c, lon, lat):
            lon, lat = feat_c.label  # a point at sea (islands, capes): use the label point
        x, y = proj(lon, lat)
        r = radius(float(sizes.loc[rid]))
        name = (
            row["name_ko"] if lang == "ko" and isinstance(row.get("name_ko"), str) else row["name"]
        )
        tip = [str(name)]
        idx: int | None = None
        if category is not None:
            value = row[category]
            if pd.notna(value) and value in cat_index:
                idx = cat_index[value]
                tip.append(f"{category_title or category}: {cat_label(value)}")
            else:
                tip.append(_(_TXT_NOT_ASSIGNED))
        if size is not None and size == "population":
            tip.append(_(_TXT_PEOPLE, n=_num(float(sizes.loc[rid]), lang)))
        elif size is not None:
            tip.append(f"{size}: {_num(float(sizes.loc[rid]), lang)}")
        symbol = _styled_symbol(idx, x, y, r)
        tooltip = f"<title>{_esc(' — '.join(tip))}</title>"
        url = _href(href, str(rid))
        attrs = f'class="rd-region" data-region="{_esc(rid)}"'
        if idx is not None:
            attrs += f' data-category="{_esc(cat_label(row[category]))}"'
        if url is not None:
            label = _esc(", ".join(tip))
            parts.append(
                f'<a href="{_esc(url)}" {attrs} aria-label="{label}"{link_attr}>{tooltip}{symbol}</a>'
            )
        else:
            parts.append(f"<g {attrs}>{tooltip}{symbol}</g>")
        if focus is not None:
            parts.append(
                f'<text x="{x:.1f}" y="{y + r + 10:.1f}" text-anchor="middle" font-size="10" '
                f'fill="#333" stroke="#fff" stroke-width="2.5" paint-order="stroke" '
                f'aria-hidden="true">{_esc(name)}</text>'
            )
    parts.append("</g>")

    # province labels above the symbols, with a white halo
    if focus is None:
        parts.append(
            '<g class="rd-labels" font-size="12" font-weight="bold" fill="#333" '
            'stroke="#fff" stroke-width="3" paint-order="stroke" text-anchor="middle" '
            'aria-hidden="true">'
        )
        for feat in shown.values():
            x, y = proj(*feat.label)
            parts.append(f'<text x="{x:.1f}" y="{y:.1f}">{_esc(feat.local_name(lang))}</text>')
        parts.append("</g>")
    else:
        x, y = proj(*focus.label)

    # --- legends ------------------------------------------------------------------------------
    lx = map_w + 28
    ly = 24
    parts.append(f'<g class="rd-legend" font-size="11" fill="#222" transform="translate({lx} 0)">')
    if category is not None:
        parts.append(
            f'<text x="0" y="{ly}" font-weight="bold">{_esc(category_title or category)}</text>'
        )
        ly += 18
        entries = [(k, v) for v, k in cat_index.items()]
        has_none = located[category].isna().any() or not located[category].isin(cat_index).all()
        for k, v in entries:
            parts.append(_styled_symbol(k, 9, ly - 4, 6.0))
            parts.append(f'<text x="24" y="{ly}">{_esc(cat_label(v))}</text>')
            ly += 19
        if has_none:
            parts.append(_styled_symbol(None, 9, ly - 4, 6.0))
            parts.append(f'<text x="24" y="{ly}">{_esc(_(_TXT_NOT_ASSIGNED))}</text>')
            ly += 19
        ly += 12
    if size is not None and vmax > 0:
        heading = _(_TXT_POPULATION) if size == "population" else size
        parts.append(f'<text x="0" y="{ly}" font-weight="bold">{_esc(heading)}</text>')
        ly += 10
        refs = sorted({_nice(vmax), _nice(vmax / 4), _nice(vmax / 20)}, reverse=True)
        big = radius(refs[0])
        base = ly + 2 * big + 4
        cx = 0.0
        for v in refs:  # side by side on one baseline, the value under each circle
            r = radius(v)
            text = _num(v, lang)
            half = max(r, 3.2 * len(text)) + 4  # room for the circle and its label
            cx += half
            parts.append(
                f'<circle cx="{cx:.1f}" cy="{base - r:.1f}" r="{r:.2f}" fill="none" stroke="#555"/>'
            )
            parts.append(
                f'<text x="{cx:.1f}" y="{base + 13:.1f}" text-anchor="middle" font-size="10">'
                f"{_esc(text)}</text>"
            )
            cx += half
        ly = int(base) + 34

    # scale bar
    km_px = proj.km_per_px((miny + maxy) / 2)
    km = _nice(km_px * 100)
    bar = km / km_px
    parts.append(
        f'<g class="rd-scale" transform="translate(0 {ly})">'
        f'<rect x="0" y="0" width="{bar:.1f}" height="4" fill="#333"/>'
        f'<rect x="{bar / 2:.1f}" y="0" width="{bar / 2:.1f}" height="4" fill="#fff" stroke="#333" stroke-width="0.5"/>'
        f'<text x="0" y="16">0</text><text x="{bar:.1f}" y="16" text-anchor="end">'
        f"{_esc(_(_TXT_KM, n=_num(km, lang)))}</text></g>"
    )
    ly += 34
    for note in approx_notes:
        lines = _wrap(note, 30)
        spans = "".join(
            f'<tspan x="0" dy="{0 if k == 0 else 12}">{_esc(t)}</tspan>'
            for k, t in enumerate(lines)
        )
        parts.append(
            f'<text class="rd-approximate" x="0" y="{ly}" font-size="10" fill="#8a1c1c">{spans}</text>'
        )
        ly += 12 * len(lines) + 8
    parts.append("</g>")

    # --- credit (the boundary licence asks for it) -----------------------------------------------
    parts.append(
        f'<text class="rd-credit" x="10" y="{height - 12}" font-size="9" fill="#555">'
        f"{_esc(provinces.attribution)}</text>"
    )
    parts.append("</svg>")
    if embed_font:
        text_only = "".join(p for p in parts if "<text" in p or "<title" in p or "<desc" in p)
        parts.insert(style_at, f"<style>{font_face_css(html.unescape(text_only))}</style>")
    return "".join(parts)
