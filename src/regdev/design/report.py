"""HTML section for the plan report: lines by county, line types × provinces, savings chart.

Everything is inline (tables and SVG); no external URL.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from regdev.design.result import DesignResult


def _savings_svg(claims: pd.DataFrame, width: int = 640, bar_h: int = 16) -> str:
    """Horizontal bars: baseline vs design tonne-km per province (inline SVG)."""
    g = claims.groupby("province", sort=True)[["baseline_tkm", "design_tkm"]].sum()
    top = float(max(g["baseline_tkm"].max(), g["design_tkm"].max(), 1.0))
    label_w = 140
    scale = (width - label_w - 80) / top
    rows = []
    y = 24
    for prov, r in g.iterrows():
        b = float(r["baseline_tkm"]) * scale
        d = float(r["design_tkm"]) * scale
        saved = 1 - float(r["design_tkm"]) / float(r["baseline_tkm"]) if r["baseline_tkm"] else 0.0
        rows.append(
            f'<text x="0" y="{y + bar_h - 3}" font-size="12">{html.escape(str(prov))}</text>'
            f'<rect x="{label_w}" y="{y}" width="{b:.1f}" height="{bar_h / 2 - 1:.1f}" fill="#bbb">'
            f"<title>central baseline {r['baseline_tkm']:,.0f} t·km</title></rect>"
            f'<rect x="{label_w}" y="{y + bar_h / 2:.1f}" width="{d:.1f}" height="{bar_h / 2 - 1:.1f}" fill="#2a7">'
            f"<title>design {r['design_tkm']:,.0f} t·km</title></rect>"
            f'<text x="{label_w + max(b, d) + 4:.1f}" y="{y + bar_h - 3}" font-size="11">{saved:+.0%}</text>'
        )
        y += bar_h + 6
    legend = (
        '<rect x="0" y="4" width="10" height="10" fill="#bbb"/><text x="14" y="13" font-size="11">central supply (baseline)</text>'
        '<rect x="180" y="4" width="10" height="10" fill="#2a7"/><text x="194" y="13" font-size="11">design (local production)</text>'
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{y + 8}" '
        f'role="img" aria-label="tonne-km by province">{legend}{"".join(rows)}</svg>'
    )


def section_html(result: DesignResult) -> str:
    """The factory-design section of the plan report (HTML fragment)."""
    from regdev.design.claims import national_claims

    fac = result.factories_frame()
    claims = result.claims_frame()
    nat = national_claims(result)
    info = result.info
    head = (
        '<section id="factory-design"><h2>Factory design: production lines by county</h2>'
        f"<p>{nat['n_regions']} factory groups, {nat['n_lines']} production lines, "
        f"{nat['jobs']:,} jobs, capital {nat['capital_cost_kusd'] / 1000:,.1f} million USD. "
        f"Transport against central supply from the capital and province seats: "
        f"{nat['baseline_tkm'] / 1e6:,.1f} → {nat['design_tkm'] / 1e6:,.1f} million t·km a year "
        f"({nat['tkm_saved_share']:.0%} saved, {nat['transport_saved_kusd']:,.0f} thousand USD a year). "
        f"Share of demand met by the county's own lines: {nat['local_share']:.0%}; "
        f"by its own or neighbouring lines: {nat['nearby_share']:.0%}. "
        f"Solver: {html.escape(info.solver)}, status {html.escape(info.status)}, "
        f"gap {info.gap:.3%}.</p>"
    )
    # matrix line types × provinces
    mat = pd.crosstab(fac["line"], fac["province"]) if len(fac) else pd.DataFrame()
    mat_html = mat.to_html(classes="design-matrix", border=0) if len(mat) else "<p>No lines.</p>"
    # lines by county
    by_county = (
        fac.groupby(["province", "county"], sort=True)["line"].apply(lambda s: ", ".join(s))
        if len(fac)
        else pd.Series(dtype=str)
    )
    rows = "".join(
        f"<tr><td>{html.escape(str(p))}</td><td>{html.escape(str(c))}</td><td>{html.escape(str(v))}</td></tr>"
        for (p, c), v in by_county.items()
    )
    county_table = (
        '<table class="design-lines"><thead><tr><th>province</th><th>county</th><th>lines</th></tr></thead>'
        f"<tbody>{rows}</tbody></table>"
    )
    svg = _savings_svg(claims) if len(claims) else ""
    return (
        head
        + "<h3>Transport: central supply vs local production (t·km per year)</h3>"
        + svg
        + "<h3>Line types × provinces (number of counties)</h3>"
        + mat_html
        + "<h3>Lines by county</h3>"
        + county_table
        + "</section>"
    )
