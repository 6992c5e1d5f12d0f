"""Tiny inline-SVG chart helpers (no dependencies, no external references).

Every function returns an ``<svg>`` element as text.  Inline SVG inside HTML5
needs no namespace declaration, so the output contains no URL at all.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence

PALETTE_YEARS: tuple[str, ...] = (
    "#440154",
    "#482878",
    "#3e4989",
    "#31688e",
    "#26828e",
    "#1f9e89",
    "#35b779",
    "#6ece58",
    "#b5de2b",
    "#fde725",
)
"""Sequential colours (viridis) for years."""

PALETTE_TYPES: dict[str, str] = {
    "factories": "#1f77b4",
    "hospital": "#d62728",
    "leisure_complex": "#9467bd",
    "grain_storage": "#bcbd22",
    "offshore_farm": "#17becf",
}

FONT = 'font-family="sans-serif" font-size="11"'


def esc(text: object) -> str:
    """HTML-escape ``text``."""
    return html.escape(str(text), quote=True)


def year_colour(index: int, n: int) -> str:
    """Colour of the ``index``-th of ``n`` years."""
    if n <= 1:
        return PALETTE_YEARS[0]
    k = round(index * (len(PALETTE_YEARS) - 1) / (n - 1))
    return PALETTE_YEARS[min(max(k, 0), len(PALETTE_YEARS) - 1)]


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


def legend(items: Sequence[tuple[str, str]], x: int, y: int) -> str:
    """A horizontal legend of (label, colour) pairs."""
    parts = []
    cx = x
    for label, colour in items:
        parts.append(f'<rect x="{cx}" y="{y - 9}" width="10" height="10" fill="{colour}"/>')
        parts.append(f'<text x="{cx + 14}" y="{y}" {FONT}>{esc(label)}</text>')
        cx += 20 + 7 * len(label)
    return "".join(parts)


def stacked_bars(
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[float], str]],
    *,
    y_label: str = "",
    width: int = 720,
    height: int = 280,
) -> str:
    """Stacked bar chart: one bar per category, one segment per (name, values, colour)."""
    x0, y0, w, h = 60, 30, width - 80, height - 70
    totals = [sum(s[1][k] for s in series) for k in range(len(categories))]
    ymax = _nice_max(max(totals, default=0.0))
    bw = w / max(len(categories), 1)
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img">'
    ]
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
                f'height="{hh:.1f}" fill="{colour}"><title>{esc(cat)} · {esc(name)}: {_fmt(v)}</title></rect>'
            )
            base += v
        parts.append(
            f'<text x="{x0 + (k + 0.5) * bw:.1f}" y="{y0 + h + 14}" text-anchor="middle" {FONT}>{esc(cat)}</text>'
        )
    parts.append(legend([(s[0], s[2]) for s in series], x0, height - 12))
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
) -> str:
    """Line chart over ``categories``, one line per (name, values, colour)."""
    x0, y0, w, h = 60, 30, width - 80, height - 70
    ymax = (
        y_max
        if y_max is not None
        else _nice_max(max((max(s[1], default=0) for s in series), default=0))
    )
    n = max(len(categories), 1)
    step = w / max(n - 1, 1)
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img">'
    ]
    parts += _axes(x0, y0, w, h, ymax, y_label)
    for k, cat in enumerate(categories):
        parts.append(
            f'<text x="{x0 + k * step:.1f}" y="{y0 + h + 14}" text-anchor="middle" {FONT}>{esc(cat)}</text>'
        )
    for name, values, colour in series:
        pts = " ".join(
            f"{x0 + k * step:.1f},{y0 + h - h * float(v) / ymax:.1f}" for k, v in enumerate(values)
        )
        parts.append(
            f'<polyline points="{pts}" fill="none" stroke="{colour}" stroke-width="2"><title>{esc(name)}</title></polyline>'
        )
    parts.append(legend([(s[0], s[2]) for s in series], x0, height - 12))
    parts.append("</svg>")
    return "".join(parts)


def scatter(
    points: Sequence[tuple[float, float, str, str]],
    *,
    x_ticks: Sequence[tuple[float, str]],
    y_label: str = "",
    width: int = 720,
    height: int = 300,
) -> str:
    """Scatter of (x, y, colour, tooltip) points; x in tick units."""
    x0, y0, w, h = 60, 20, width - 80, height - 50
    ymax = _nice_max(max((p[1] for p in points), default=1.0))
    xs = [t[0] for t in x_ticks] or [0.0, 1.0]
    xmin, xmax = min(xs) - 0.5, max(xs) + 0.5
    sx = w / (xmax - xmin)
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img">'
    ]
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
