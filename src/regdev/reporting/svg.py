"""Tiny inline-SVG chart helpers (no dependencies, no external references).

Every function returns an ``<svg>`` element as text.  Inline SVG inside HTML5
needs no namespace declaration, so the output contains no URL at all.  Text takes
the page's font (the bundled Korean font in the report); legends wrap onto more
rows instead of running off the chart.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence

PALETTE_YEARS: tuple[str, ...] = (
    "#332288",
    "#DDCC77",
    "#117733",
    "#CC6677",
    "#88CCEE",
    "#882255",
    "#44AA99",
    "#AA4499",
    "#999933",
    "#222222",
)
"""Categorical colours for years: Paul Tol's colour-blind-safe *muted* scheme plus near
black, as :data:`regdev.reporting.maps.CATEGORY_COLOURS` (consecutive years stay apart
under deuteranopia; the former viridis shades did not)."""

PALETTE_TYPES: dict[str, str] = {
    "factories": "#0072B2",
    "hospital": "#D55E00",
    "leisure_complex": "#CC79A7",
    "grain_storage": "#E69F00",
    "offshore_farm": "#56B4E9",
}
"""Facility-type colours from the Okabe-Ito colour-blind-safe palette (Okabe & Ito, 2008)."""

FONT = 'font-size="11"'


def esc(text: object) -> str:
    """HTML-escape ``text``."""
    return html.escape(str(text), quote=True)


def year_colour(index: int, n: int) -> str:
    """Colour of the ``index``-th of ``n`` years (a distinct class each, up to ten)."""
    del n  # categorical: the colour depends on the year's position only
    return PALETTE_YEARS[max(index, 0) % len(PALETTE_YEARS)]


def type_colour(name: str, k: int = 0) -> str:
    """Colour of a facility type (or series ``k``)."""
    return PALETTE_TYPES.get(name, PALETTE_YEARS[(3 * k) % len(PALETTE_YEARS)])


def _nice_max(v: float) -> float:
    if v <= 0:
        return 1.0
    mag = 10 ** math.floor(math.log10(v))
    for m in (1, 2, 2.5, 5, 10):
        if v <= m * mag:
            return float(m * mag)
    return float(10 * mag)


def _fmt(v: float) -> str:
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    if abs(v) >= 10 or v == int(v):
        return f"{v:.0f}"
    return f"{v:.2g}"


def _text_px(text: str) -> float:
    """Approximate width of ``text`` at 11 px (CJK characters are about twice as wide)."""
    return sum(11.0 if ord(c) > 0x2E80 else 6.5 for c in text)


def _axes(x0: int, y0: int, w: int, h: int, ymax: float, label: str) -> list[str]:
    parts = [f'<line x1="{x0}" y1="{y0 + h}" x2="{x0 + w}" y2="{y0 + h}" stroke="#444"/>']
    for k in range(5):
        v = ymax * k / 4
        y = y0 + h - h * k / 4
        parts.append(f'<line x1="{x0}" y1="{y:.1f}" x2="{x0 + w}" y2="{y:.1f}" stroke="#ddd"/>')
        parts.append(
            f'<text x="{x0 - 4}" y="{y + 4:.1f}" text-anchor="end" {FONT}>{_fmt(v)}</text>'
        )
    parts.append(
        f'<text x="12" y="{y0 + h / 2:.0f}" transform="rotate(-90 12 {y0 + h / 2:.0f})" '
        f'text-anchor="middle" {FONT}>{esc(label)}</text>'
    )
    return parts


def legend(
    items: Sequence[tuple[str, str]], x: int, y: int, *, max_width: float | None = None
) -> str:
    """A legend of (label, colour) pairs, wrapped onto further rows past ``max_width``."""
    parts = []
    cx, cy = float(x), float(y)
    for label, colour in items:
        w = 20 + _text_px(label)
        if max_width is not None and cx > x and cx + w > x + max_width:
            cx, cy = float(x), cy + 16
        parts.append(
            f'<rect x="{cx:.0f}" y="{cy - 9:.0f}" width="10" height="10" fill="{colour}"/>'
        )
        parts.append(f'<text x="{cx + 14:.0f}" y="{cy:.0f}" {FONT}>{esc(label)}</text>')
        cx += w + 6
    return "".join(parts)


def legend_rows(items: Sequence[tuple[str, str]], max_width: float) -> int:
    """How many rows :func:`legend` needs for ``items`` within ``max_width``."""
    rows, cx = 1, 0.0
    for label, _colour in items:
        w = 20 + _text_px(label)
        if cx > 0 and cx + w > max_width:
            rows, cx = rows + 1, 0.0
        cx += w + 6
    return rows


def _open(width: int, height: int, title: str | None) -> str:
    label = f' aria-label="{esc(title)}"' if title else ""
    head = f"<title>{esc(title)}</title>" if title else ""
    return (
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img"{label}>{head}'
    )


def stacked_bars(
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[float], str]],
    *,
    y_label: str = "",
    width: int = 720,
    height: int = 280,
    title: str | None = None,
) -> str:
    """Stacked bar chart: one bar per category, one segment per (name, values, colour)."""
    x0, y0, w, h = 60, 30, width - 80, height - 70
    items = [(s[0], s[2]) for s in series]
    total_h = height + 16 * (legend_rows(items, w) - 1)
    totals = [sum(s[1][k] for s in series) for k in range(len(categories))]
    ymax = _nice_max(max(totals, default=0.0))
    bw = w / max(len(categories), 1)
    parts = [_open(width, total_h, title)]
    parts += _axes(x0, y0, w, h, ymax, y_label)
    for k, cat in enumerate(categories):
        base = 0.0
        for name, values, colour in series:
            v = float(values[k])
            if v <= 0:
                continue
            top = y0 + h - h * (base + v) / ymax
            hh = h * v / ymax
            parts.append(
                f'<rect x="{x0 + k * bw + bw * 0.15:.1f}" y="{top:.1f}" width="{bw * 0.7:.1f}" '
                f'height="{hh:.1f}" fill="{colour}" stroke="#fff" stroke-width="0.5">'
                f"<title>{esc(cat)} · {esc(name)}: {_fmt(v)}</title></rect>"
            )
            base += v
        parts.append(
            f'<text x="{x0 + (k + 0.5) * bw:.1f}" y="{y0 + h + 14}" text-anchor="middle" {FONT}>{esc(cat)}</text>'
        )
    parts.append(legend(items, x0, height - 12, max_width=w))
    parts.append("</svg>")
    return "".join(parts)


def lines(
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[float], str]],
    *,
    y_label: str = "",
    y_max: float | None = None,
    width: int = 720,
    height: int = 280,
    title: str | None = None,
) -> str:
    """Line chart over ``categories``, one line per (name, values, colour)."""
    x0, y0, w, h = 60, 30, width - 80, height - 70
    items = [(s[0], s[2]) for s in series]
    total_h = height + 16 * (legend_rows(items, w) - 1)
    ymax = (
        y_max
        if y_max is not None
        else _nice_max(max((max(s[1], default=0) for s in series), default=0))
    )
    n = max(len(categories), 1)
    step = w / max(n - 1, 1)
    parts = [_open(width, total_h, title)]
    parts += _axes(x0, y0, w, h, ymax, y_label)
    for k, cat in enumerate(categories):
        parts.append(
            f'<text x="{x0 + k * step:.1f}" y="{y0 + h + 14}" text-anchor="middle" {FONT}>{esc(cat)}</text>'
        )
    dashes = ("", "6 3", "2 2", "8 3 2 3", "1 3")
    for j, (name, values, colour) in enumerate(series):
        pts = " ".join(
            f"{x0 + k * step:.1f},{y0 + h - h * float(v) / ymax:.1f}" for k, v in enumerate(values)
        )
        dash = dashes[j % len(dashes)]
        style = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(
            f'<polyline points="{pts}" fill="none" stroke="{colour}" stroke-width="2"{style}>'
            f"<title>{esc(name)}</title></polyline>"
        )
    parts.append(legend(items, x0, height - 12, max_width=w))
    parts.append("</svg>")
    return "".join(parts)


def scatter(
    points: Sequence[tuple[float, float, str, str]],
    *,
    x_ticks: Sequence[tuple[float, str]],
    y_label: str = "",
    width: int = 720,
    height: int = 300,
    title: str | None = None,
) -> str:
    """Scatter of (x, y, colour, tooltip) points; x in tick units."""
    x0, y0, w, h = 60, 20, width - 80, height - 50
    ymax = _nice_max(max((p[1] for p in points), default=1.0))
    xs = [t[0] for t in x_ticks] or [0.0, 1.0]
    xmin, xmax = min(xs) - 0.5, max(xs) + 0.5
    sx = w / (xmax - xmin)
    parts = [_open(width, height, title)]
    parts += _axes(x0, y0, w, h, ymax, y_label)
    for tx, label in x_ticks:
        parts.append(
            f'<text x="{x0 + (tx - xmin) * sx:.1f}" y="{y0 + h + 14}" text-anchor="middle" {FONT}>{esc(label)}</text>'
        )
    for x, y, colour, tip in points:
        parts.append(
            f'<circle cx="{x0 + (x - xmin) * sx:.1f}" cy="{y0 + h - h * y / ymax:.1f}" r="3" '
            f'fill="{colour}" fill-opacity="0.75"><title>{esc(tip)}</title></circle>'
        )
    parts.append("</svg>")
    return "".join(parts)
