"""Inline-SVG map of the country: the national outline plus one symbol per region.

Pure functions, no I/O and no web framework: the outline comes in as a GeoJSON
dictionary (``regdev.registry.load_outline()``), the regions as :class:`MapPoint`
values, and the result is SVG markup (a :class:`markupsafe.Markup` string) that the
templates embed as is.  No tiles, no external geometry: the page works offline.

The projection is equirectangular with the longitude scaled by ``cos`` of the mean
latitude, which is accurate to a few per cent over a country the size of the DPRK
(about 5 degrees of latitude) and keeps the code trivially testable.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape

from regdev.i18n import _

#: Legend key of the alert ring.
FLAG = "flag"

__all__ = [
    "STATE_COLOURS",
    "STATE_ORDER",
    "STATE_SHAPES",
    "MapPoint",
    "Projection",
    "dominant_state",
    "geojson_bounds",
    "outline_path",
    "render_map",
    "symbol",
]

#: Project lifecycle states from least to most advanced; ``none`` means no project.
STATE_ORDER: tuple[str, ...] = (
    "none",
    "cancelled",
    "suspended",
    "planned",
    "groundbreaking",
    "construction",
    "inauguration",
    "operating",
)

#: Fill colour per state: the Okabe-Ito palette (distinct under the common colour-vision
#: deficiencies).  Colour is never the only cue: every state also has its own symbol
#: shape (:data:`STATE_SHAPES`) and is named in the legend and the tooltip.
STATE_COLOURS: Mapping[str, str] = {
    "none": "#d9d9d9",
    "cancelled": "#6b6b6b",
    "suspended": "#d55e00",
    "planned": "#56b4e9",
    "groundbreaking": "#f0e442",
    "construction": "#e69f00",
    "inauguration": "#009e73",
    "operating": "#0072b2",
}

#: Symbol shape per state (the non-colour cue).
STATE_SHAPES: Mapping[str, str] = {
    "none": "dot",
    "cancelled": "cross",
    "suspended": "plus",
    "planned": "circle",
    "groundbreaking": "triangle",
    "construction": "triangle-down",
    "inauguration": "diamond",
    "operating": "square",
}


def symbol(state: str, x: float, y: float, r: float, attrs: str = "") -> str:
    """SVG markup of the symbol of ``state`` centred on ``(x, y)`` with radius ``r``.

    Examples
    --------
    >>> symbol("operating", 10, 10, 5).startswith("<rect")
    True
    >>> symbol("planned", 10, 10, 5).startswith("<circle")
    True
    """
    fill = STATE_COLOURS.get(state, STATE_COLOURS["none"])
    shape = STATE_SHAPES.get(state, "dot")
    common = f'fill="{fill}"{attrs}'

    def poly(pts: Sequence[tuple[float, float]]) -> str:
        d = " ".join(f"{x + dx * r:.1f},{y + dy * r:.1f}" for dx, dy in pts)
        return f'<polygon points="{d}" {common}'

    if shape == "square":
        a = r * 0.9
        return f'<rect x="{x - a:.1f}" y="{y - a:.1f}" width="{2 * a:.1f}" height="{2 * a:.1f}" {common}'
    if shape == "triangle":
        return poly(((0, -1.15), (1.05, 0.8), (-1.05, 0.8)))
    if shape == "triangle-down":
        return poly(((0, 1.15), (1.05, -0.8), (-1.05, -0.8)))
    if shape == "diamond":
        return poly(((0, -1.2), (1.2, 0), (0, 1.2), (-1.2, 0)))
    if shape in ("plus", "cross"):
        w = 0.38
        pts = [
            (-w, -1),
            (w, -1),
            (w, -w),
            (1, -w),
            (1, w),
            (w, w),
            (w, 1),
            (-w, 1),
            (-w, w),
            (-1, w),
            (-1, -w),
            (-w, -w),
        ]
        if shape == "cross":
            c = math.sqrt(0.5)
            pts = [((px - py) * c, (px + py) * c) for px, py in pts]
        return poly(pts)
    rr = r * 0.6 if shape == "dot" else r
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{rr:g}" {common}'


@dataclass(frozen=True)
class MapPoint:
    """One region symbol on the map.

    Parameters
    ----------
    region_id : str
        Registry identifier, used as ``data-region`` attribute.
    name : str
        Display name (tooltip).
    lon, lat : float
        Position in degrees (WGS84).
    state : str
        Lifecycle state used for the colour; one of :data:`STATE_ORDER`.
    href : str or None
        Link target (the county page), or ``None`` for no link.
    detail : str
        Extra tooltip text, e.g. ``"3 projects"``.
    """

    region_id: str
    name: str
    lon: float
    lat: float
    state: str = "none"
    href: str | None = None
    detail: str = ""
    #: an alert on the region (overdue milestone, missing monthly report): drawn as a ring
    flagged: bool = False


@dataclass(frozen=True)
class Projection:
    """Equirectangular projection of a lon/lat box onto an SVG canvas.

    Parameters
    ----------
    lon_min, lat_min, lon_max, lat_max : float
        Geographic box in degrees that must fit the canvas.
    width : float
        Canvas width in SVG user units; the height follows from the aspect ratio.
    pad : float
        Margin on every side in SVG units.

    Examples
    --------
    >>> p = Projection(124.0, 38.0, 130.0, 43.0, width=400.0, pad=10.0)
    >>> x, y = p.project(124.0, 43.0)
    >>> (round(x, 6), round(y, 6))
    (10.0, 10.0)
    """

    lon_min: float
    lat_min: float
    lon_max: float
    lat_max: float
    width: float = 480.0
    pad: float = 8.0

    @property
    def _kx(self) -> float:
        return math.cos(math.radians((self.lat_min + self.lat_max) / 2.0))

    @property
    def scale(self) -> float:
        """SVG units per degree of latitude."""
        span = max((self.lon_max - self.lon_min) * self._kx, 1e-9)
        return (self.width - 2.0 * self.pad) / span

    @property
    def height(self) -> float:
        """Canvas height in SVG units."""
        return (self.lat_max - self.lat_min) * self.scale + 2.0 * self.pad

    def project(self, lon: float, lat: float) -> tuple[float, float]:
        """Project one lon/lat pair to SVG ``(x, y)`` (y grows downwards)."""
        x = self.pad + (lon - self.lon_min) * self._kx * self.scale
        y = self.pad + (self.lat_max - lat) * self.scale
        return x, y


def _rings(geometry: Mapping[str, Any]) -> Iterable[Sequence[Sequence[float]]]:
    kind = geometry.get("type")
    coords = geometry.get("coordinates", [])
    if kind == "Polygon":
        yield from coords
    elif kind == "MultiPolygon":
        for polygon in coords:
            yield from polygon
    elif kind == "GeometryCollection":
        for sub in geometry.get("geometries", []):
            yield from _rings(sub)


def _all_rings(geojson: Mapping[str, Any]) -> Iterable[Sequence[Sequence[float]]]:
    kind = geojson.get("type")
    if kind == "FeatureCollection":
        for feature in geojson.get("features", []):
            geometry = feature.get("geometry")
            if geometry:
                yield from _rings(geometry)
    elif kind == "Feature":
        if geojson.get("geometry"):
            yield from _rings(geojson["geometry"])
    else:
        yield from _rings(geojson)


def geojson_bounds(geojson: Mapping[str, Any]) -> tuple[float, float, float, float]:
    """Bounding box ``(lon_min, lat_min, lon_max, lat_max)`` of every ring in ``geojson``.

    Raises
    ------
    ValueError
        If the document holds no polygon coordinates.
    """
    lons: list[float] = []
    lats: list[float] = []
    for ring in _all_rings(geojson):
        for pt in ring:
            lons.append(float(pt[0]))
            lats.append(float(pt[1]))
    if not lons:
        msg = (
            "outline GeoJSON holds no Polygon/MultiPolygon coordinates; expected at least one ring"
        )
        raise ValueError(msg)
    return min(lons), min(lats), max(lons), max(lats)


def outline_path(geojson: Mapping[str, Any], proj: Projection, *, min_step: float = 0.6) -> str:
    """SVG path data (``d`` attribute) for every polygon ring in ``geojson``.

    Points closer than ``min_step`` SVG units to the previous kept point are dropped,
    which keeps the markup small without visible change.
    """
    parts: list[str] = []
    for ring in _all_rings(geojson):
        kept: list[tuple[float, float]] = []
        for pt in ring:
            x, y = proj.project(float(pt[0]), float(pt[1]))
            if kept and math.hypot(x - kept[-1][0], y - kept[-1][1]) < min_step:
                continue
            kept.append((x, y))
        if len(kept) < 3:
            continue
        head = f"M{kept[0][0]:.1f},{kept[0][1]:.1f}"
        tail = "".join(f"L{x:.1f},{y:.1f}" for x, y in kept[1:])
        parts.append(head + tail + "Z")
    return "".join(parts)


def dominant_state(states: Iterable[str]) -> str:
    """The most advanced lifecycle state in ``states`` (``"none"`` if empty).

    Unknown state names are ignored.

    Examples
    --------
    >>> dominant_state(["planned", "operating", "construction"])
    'operating'
    >>> dominant_state([])
    'none'
    """
    rank = {s: i for i, s in enumerate(STATE_ORDER)}
    best = "none"
    for state in states:
        if state in rank and rank[state] > rank[best]:
            best = state
    return best


def _legend_layout(states: Sequence[str], width: float) -> list[tuple[str, float, int]]:
    """Place legend entries left to right, wrapping rows at ``width``."""
    placed: list[tuple[str, float, int]] = []
    x, row = 6.0, 0
    for state in states:
        text = _(state) if state != FLAG else _("overdue or missing report")
        w = 24.0 + 6.5 * sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)
        if x + w > width and x > 6.0:
            x, row = 6.0, row + 1
        placed.append((state, x, row))
        x += w
    return placed


def render_map(
    points: Sequence[MapPoint],
    outline: Mapping[str, Any] | None,
    *,
    width: float = 480.0,
    radius: float = 5.0,
    title: str = "Regions by project state",
    highlight: str | None = None,
    bounds: tuple[float, float, float, float] | None = None,
    labels: bool = False,
    borders: Sequence[Mapping[str, Any]] | None = None,
) -> Markup:
    """Render the national map as inline SVG.

    Parameters
    ----------
    points : sequence of MapPoint
        Region symbols; drawn in the given order (later on top).
    outline : GeoJSON dict or None
        National outline.  With ``None`` the box is fitted to the points only.
    width : float
        Canvas width in SVG units; the SVG scales to its container (``viewBox``).
    radius : float
        Symbol radius in SVG units.
    title : str
        Accessible title of the figure.
    highlight : str or None
        A region id drawn with a thick outline (e.g. the current county).
    bounds : (lon_min, lat_min, lon_max, lat_max) or None
        Zoom to this box (the outline is still drawn and clipped by the canvas);
        default: the outline's box, or the points' box without an outline.
    labels : bool
        Write each region's name next to its symbol (for zoomed maps).
    borders : sequence of GeoJSON dicts, optional
        Inner borders (e.g. provinces) drawn over the outline.

    Returns
    -------
    Markup
        ``<svg>`` element with a legend of the states actually present.
    """
    if bounds is not None:
        lon_min, lat_min, lon_max, lat_max = bounds
    elif outline is not None:
        lon_min, lat_min, lon_max, lat_max = geojson_bounds(outline)
    elif points:
        lon_min = min(p.lon for p in points) - 0.2
        lon_max = max(p.lon for p in points) + 0.2
        lat_min = min(p.lat for p in points) - 0.2
        lat_max = max(p.lat for p in points) + 0.2
    else:
        lon_min, lat_min, lon_max, lat_max = 0.0, 0.0, 1.0, 1.0
    present = [s for s in STATE_ORDER if any(p.state == s for p in points)]
    if any(p.flagged for p in points):
        present.append(FLAG)
    legend = _legend_layout(present, width)
    legend_h = 18.0 * (max((row for _s, _x, row in legend), default=-1) + 1) + 6.0
    proj = Projection(lon_min, lat_min, lon_max, lat_max, width=width, pad=radius + 3.0)
    height = proj.height + legend_h
    out: list[str] = [
        f'<svg class="map" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}"'
        # a map with links is a group of links (an image may not hold interactive parts)
        f' role="{"group" if any(p.href for p in points) else "img"}"'
        f' aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    if outline is not None:
        out.append(
            f'<svg x="0" y="0" width="{width:.0f}" height="{proj.height:.0f}" overflow="hidden">'
            f'<path class="outline" d="{outline_path(outline, proj)}"/>'
        )
        for feat in borders or ():
            out.append(f'<path class="border" d="{outline_path(feat, proj)}"/>')
        out.append("</svg>")
    for p in points:
        x, y = proj.project(p.lon, p.lat)
        cls = "site hl" if p.region_id == highlight else "site"
        tip = f"{p.name}: {_(p.state)}" + (f" ({p.detail})" if p.detail else "")
        attrs = (
            f' class="{cls}" data-region="{escape(p.region_id)}" data-state="{escape(p.state)}">'
            f"<title>{escape(tip)}</title></{{tag}}>"
        )
        mark = symbol(p.state, x, y, radius)
        tag = mark[1 : mark.index(" ")]
        mark += attrs.replace("{tag}", tag)
        if p.flagged:
            mark += (
                f'<circle class="flag" cx="{x:.1f}" cy="{y:.1f}" r="{radius + 3:g}" data-flag="1"/>'
            )
        if labels:
            mark += (
                f'<text class="label" x="{x + radius + 2:.1f}" y="{y + 4:.1f}">'
                f"{escape(p.name)}</text>"
            )
        if p.href:
            out.append(f'<a href="{escape(p.href)}" aria-label="{escape(tip)}">{mark}</a>')
        else:
            out.append(mark)
    for state, lx, row in legend:
        ly = proj.height + 9.0 + 18.0 * row
        if state == FLAG:
            out.append(
                f'<circle class="flag" cx="{lx + 5:.1f}" cy="{ly:.1f}" r="6"/>'
                f'<text x="{lx + 15:.1f}" y="{ly + 4:.1f}" class="legend">'
                f"{escape(_('overdue or missing report'))}</text>"
            )
            continue
        out.append(
            symbol(state, lx + 5, ly, 5, ' class="legend-key"')
            + "/>"
            + f'<text x="{lx + 15:.1f}" y="{ly + 4:.1f}" class="legend">{escape(_(state))}</text>'
        )
    out.append("</svg>")
    return Markup("".join(out))
