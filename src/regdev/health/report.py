"""Offline HTML report section of the health network: county map and coverage curve (inline SVG).

No external assets: the map and the curve are hand-written SVG strings, so
the page works offline.  Synthetic villages are labelled as such on the map
and in the section text.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from regdev.health.siting import CountySiting
from regdev.i18n import _


def _esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def county_map_svg(
    siting: CountySiting, villages: pd.DataFrame, *, width: int = 520, height: int = 420
) -> str:
    """SVG map: villages (area ∝ population), assignment lines, posts and the hospital."""
    lat = villages["lat"].to_numpy(float)
    lon = villages["lon"].to_numpy(float)
    hlat, hlon = siting.hospital
    all_lat = np.r_[lat, hlat]
    all_lon = np.r_[lon, hlon]
    kx = math.cos(math.radians(float(np.nanmean(all_lat))))
    x0, x1 = float(np.nanmin(all_lon)), float(np.nanmax(all_lon))
    y0, y1 = float(np.nanmin(all_lat)), float(np.nanmax(all_lat))
    span = max((x1 - x0) * kx, y1 - y0, 1e-6)
    pad = 24
    scale = min(width, height - 30) - 2 * pad

    def xy(la: float, lo: float) -> tuple[float, float]:
        return pad + (lo - x0) * kx / span * scale, pad + 20 + (y1 - la) / span * scale

    pos = {sid: xy(a, o) for sid, a, o in zip(villages["settlement_id"], lat, lon, strict=True)}
    hx, hy = xy(hlat, hlon)
    label_map = _("County map")
    label_posts = _("{n} first-aid posts", n=siting.n_posts)
    label_hospital = _("County hospital")
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{_esc(label_map)}">',
        f'<text x="8" y="16" font-size="13">{_esc(siting.region_id)} — {_esc(label_posts)}</text>',
    ]
    for rec in siting.assignments.itertuples():
        a = pos[rec.settlement_id]
        b = (hx, hy) if rec.served_by == "hospital" else pos[rec.served_by]
        colour = "#888" if rec.within_standard else "#d62728"
        parts.append(
            f'<line x1="{a[0]:.1f}" y1="{a[1]:.1f}" x2="{b[0]:.1f}" y2="{b[1]:.1f}" '
            f'stroke="{colour}" stroke-width="0.8"/>'
        )
    pmax = float(villages["population"].max()) or 1.0
    for sid, pop in zip(villages["settlement_id"], villages["population"], strict=True):
        x, y = pos[sid]
        r = 1.5 + 4.0 * math.sqrt(float(pop) / pmax)
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" fill="#1f77b4" fill-opacity="0.6">'
            f"<title>{_esc(sid)}: {int(pop)}</title></circle>"
        )
    for rec in siting.posts.itertuples():
        x, y = pos[rec.settlement_id]
        parts.append(
            f'<rect x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" fill="#2ca02c" '
            f'stroke="#000" stroke-width="0.6"><title>{_esc(rec.post_id)}</title></rect>'
        )
    parts.append(
        f'<path d="M{hx - 7:.1f},{hy:.1f}h14M{hx:.1f},{hy - 7:.1f}v14" stroke="#d62728" '
        f'stroke-width="4"><title>{_esc(label_hospital)}</title></path>'
    )
    legend = _("● village  ■ first-aid post  + hospital  — assignment (red: beyond the standard)")
    if siting.synthetic:
        legend += " · " + _("villages are synthetic")
    parts.append(f'<text x="8" y="{height - 8}" font-size="11">{_esc(legend)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def coverage_curve_svg(
    curve: pd.DataFrame, population: float, standard: float, *, width: int = 420, height: int = 260
) -> str:
    """SVG line: share of the population within ``standard`` minutes vs number of posts."""
    k = curve["posts"].to_numpy(float)
    share = curve["covered_population"].to_numpy(float) / max(population, 1.0)
    left, bottom, top, right = 44, 30, 24, 12
    w, h = width - left - right, height - top - bottom
    kmax = max(float(k.max()), 1.0)

    def xy(a: float, b: float) -> tuple[float, float]:
        return left + a / kmax * w, top + (1 - b) * h

    pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in (xy(a, b) for a, b in zip(k, share, strict=True)))
    std = f"{standard:g}"
    title = _("Population within {t} minutes vs number of posts", t=std)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{_esc(title)}">',
        f'<text x="8" y="15" font-size="12">{_esc(title)}</text>',
        f'<line x1="{left}" y1="{top + h}" x2="{left + w}" y2="{top + h}" stroke="#000"/>',
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + h}" stroke="#000"/>',
    ]
    for frac in (0.0, 0.5, 1.0):
        _x, y = xy(0, frac)
        parts.append(f'<text x="4" y="{y + 4:.1f}" font-size="10">{frac:.0%}</text>')
    label_posts = _("posts")
    parts.append(
        f'<text x="{left + w - 4}" y="{height - 6}" font-size="10" text-anchor="end">'
        f"{_esc(label_posts)} ({int(kmax)})</text>"
    )
    parts.append(f'<polyline points="{pts}" fill="none" stroke="#1f77b4" stroke-width="2"/>')
    parts.append("</svg>")
    return "".join(parts)


def health_section_html(
    sitings: Sequence[CountySiting],
    coverage: pd.DataFrame,
    *,
    map_svg: str = "",
    curve_svg: str = "",
) -> str:
    """An HTML ``<section>`` for the report (tables + inline SVG), self-contained."""
    synthetic = any(s.synthetic for s in sitings)
    n_posts = sum(s.n_posts for s in sitings)
    n_opt = sum(s.optimal for s in sitings)
    head = [
        '<section class="health">',
        "<h2>" + _esc(_("Health network: first-aid posts")) + "</h2>",
        "<p>"
        + _esc(
            _(
                "{posts} first-aid posts in {counties} counties; {optimal} solved to a proven optimum.",
                posts=n_posts,
                counties=len(sitings),
                optimal=n_opt,
            )
        )
        + "</p>",
    ]
    if synthetic:
        head.append(
            "<p><strong>"
            + _esc(_("The villages are synthetic (generated, not surveyed); so are the sites."))
            + "</strong></p>"
        )
    cols = ["region_id", "posts", "population", "covered_share", "mean_minutes", "gap", "optimal"]
    table = coverage[cols].copy()
    table["covered_share"] = (table["covered_share"] * 100).round(1)
    table["mean_minutes"] = table["mean_minutes"].round(1)
    body = table.to_html(index=False, border=0, classes="health-coverage")
    return "".join([*head, map_svg, curve_svg, body, "</section>"])


def health_report_html(section: str, *, lang: str = "en") -> str:
    """A whole offline HTML page holding ``section``."""
    title = _("regdev health network")
    return (
        f'<!DOCTYPE html><html lang="{_esc(lang)}"><head><meta charset="utf-8">'
        f"<title>{_esc(title)}</title><style>body{{font-family:sans-serif;margin:1.5em}}"
        "table{border-collapse:collapse}td,th{padding:2px 8px;border-bottom:1px solid #ddd}"
        f"</style></head><body>{section}</body></html>\n"
    )
