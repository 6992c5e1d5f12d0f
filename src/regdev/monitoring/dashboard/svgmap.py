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

__all__ = [
    "STATE_COLOURS",
    "STATE_ORDER",
    "MapPoint",
    "Projection",
    "dominant_state",
    "geojson_bounds",
    "outline_path",
    "render_map",
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

#: Fill colour per state (colour-blind friendly, readable on white).
STATE_COLOURS: Mapping[str, str] = {
    "none": "#d9d9d9",
    "cancelled": "#7f7f7f",
    "suspended": "#d62728",
    "planned": "#c6dbef",
    "groundbreaking": "#fdae6b",
    "construction": "#e6550d",
    "inauguration": "#74c476",
    "operating": "#238b45",
}


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
        w = 20.0 + 6.5 * len(state)
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
    legend = _legend_layout(present, width)
    legend_h = 18.0 * (max((row for _, _, row in legend), default=-1) + 1) + 6.0
    proj = Projection(lon_min, lat_min, lon_max, lat_max, width=width, pad=radius + 3.0)
    height = proj.height + legend_h
    out: list[str] = [
        f'<svg class="map" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}"'
        f' role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    if outline is not None:
        out.append(
            f'<svg x="0" y="0" width="{width:.0f}" height="{proj.height:.0f}" overflow="hidden">'
            f'<path class="outline" d="{outline_path(outline, proj)}"/></svg>'
        )
    for p in points:
        x, y = proj.project(p.lon, p.lat)
        colour = STATE_COLOURS.get(p.state, STATE_COLOURS["none"])
        cls = "site hl" if p.region_id == highlight else "site"
        tip = f"{p.name}: {p.state}" + (f" ({p.detail})" if p.detail else "")
        circle = (
            f'<circle class="{cls}" cx="{x:.1f}" cy="{y:.1f}" r="{radius:g}" fill="{colour}"'
            f' data-region="{escape(p.region_id)}" data-state="{escape(p.state)}">'
            f"<title>{escape(tip)}</title></circle>"
        )
        if labels:
            circle += f'<text class="label" x="{x + radius + 2:.1f}" y="{y + 4:.1f}">{escape(p.name)}</text>'
        if p.href:
            out.append(f'<a href="{escape(p.href)}" aria-label="{escape(p.name)}">{circle}</a>')
        else:
            out.append(circle)
    for state, lx, row in legend:
        ly = proj.height + 9.0 + 18.0 * row
        out.append(
            f'<circle cx="{lx + 5:.1f}" cy="{ly:.1f}" r="5" fill="{STATE_COLOURS[state]}"'
            ' class="legend-key"/>'
            f'<text x="{lx + 13:.1f}" y="{ly + 4:.1f}" class="legend">{escape(state)}</text>'
        )
    out.append("</svg>")
    return Markup("".join(out))
