"""HTML for the plan report: lines by county on a map, line types × provinces, savings chart.

Everything is inline (tables and SVG) — no script, font or URL is fetched.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from regdev.design.result import DesignResult
    from regdev.units import UnitOfAccount

GROUP_COLOURS: dict[str, str] = {
    "seafood": "#1f77b4",
    "seaweed": "#17becf",
    "wild_fruit": "#9467bd",
    "medicinal_herbs": "#2ca02c",
    "meat_dairy": "#8c564b",
    "silk": "#e377c2",
    "wood": "#bcbd22",
    "building_materials": "#7f7f7f",
    "orchard": "#ff7f0e",
    "mineral_water": "#aec7e8",
    "grain_products": "#dbdb8d",
    "oilseeds": "#c49c94",
    "local_beverages": "#ffbb78",
    "fibre": "#f7b6d2",
    "forest_products": "#98df8a",
    "minerals": "#393b79",
}
"""Map colour of each characteristic group (standard-only counties are grey)."""


def _esc(text: object) -> str:
    return html.escape(str(text), quote=True)


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
        base = float(r["baseline_tkm"])
        saved = 1 - float(r["design_tkm"]) / base if base else 0.0
        rows.append(
            f'<text x="0" y="{y + bar_h - 3}" font-size="12">{_esc(prov)}</text>'
            f'<rect x="{label_w}" y="{y}" width="{b:.1f}" height="{bar_h / 2 - 1:.1f}" fill="#bbb">'
            f"<title>central baseline {base:,.0f} t·km</title></rect>"
            f'<rect x="{label_w}" y="{y + bar_h / 2:.1f}" width="{d:.1f}" height="{bar_h / 2 - 1:.1f}" fill="#2a7">'
            f"<title>design {float(r['design_tkm']):,.0f} t·km</title></rect>"
            f'<text x="{label_w + max(b, d) + 4:.1f}" y="{y + bar_h - 3}" font-size="11">{-saved:+.0%}</text>'
        )
        y += bar_h + 6
    legend = (
        '<rect x="0" y="4" width="10" height="10" fill="#bbb"/>'
        '<text x="14" y="13" font-size="11">central supply (baseline)</text>'
        '<rect x="180" y="4" width="10" height="10" fill="#2a7"/>'
        '<text x="194" y="13" font-size="11">design (local production)</text>'
    )
    return (
        f'<svg width="{width}" height="{y + 8}" '
        f'role="img" aria-label="tonne-km by province">{legend}{"".join(rows)}</svg>'
    )


def _outline_rings() -> list[np.ndarray]:
    try:
        from regdev.registry import load_outline

        geo = load_outline()
    except Exception:  # noqa: BLE001  # the map is optional decoration; draw points only
        return []
    rings: list[np.ndarray] = []
    feats = geo.get("features", [geo]) if isinstance(geo, dict) else []
    for feat in feats:
        geom = feat.get("geometry", feat)
        coords = geom.get("coordinates", [])
        polys = coords if geom.get("type") == "MultiPolygon" else [coords]
        for poly in polys:
            if poly:
                rings.append(np.asarray(poly[0], dtype=float))
    return rings


def _map_svg(result: DesignResult, fac: pd.DataFrame, w: int = 520, h: int = 560) -> str:
    """Design counties as circles (size: number of lines; colour: main characteristic group)."""
    p = result.problem
    if p.lat is None or p.lon is None or not len(p.lat):
        return "<p>No coordinates: map omitted.</p>"
    lat, lon = np.asarray(p.lat), np.asarray(p.lon)
    rings = _outline_rings()
    xs = [lon] + [r[:, 0] for r in rings]
    ys = [lat] + [r[:, 1] for r in rings]
    x0, x1 = min(float(a.min()) for a in xs) - 0.1, max(float(a.max()) for a in xs) + 0.1
    y0, y1 = min(float(a.min()) for a in ys) - 0.1, max(float(a.max()) for a in ys) + 0.1
    k = min(w / max(x1 - x0, 1e-9), h / max(y1 - y0, 1e-9))

    def px(lo: float, la: float) -> tuple[float, float]:
        return (lo - x0) * k, (y1 - la) * k

    h = int(np.ceil((y1 - y0) * k)) + 2
    w = int(np.ceil((x1 - x0) * k)) + 2
    parts = [f'<svg width="{w}" height="{h}" role="img" aria-label="lines by county">']
    for ring in rings:
        pts = " ".join(f"{a:.1f},{b:.1f}" for a, b in (px(float(x), float(y)) for x, y in ring))
        parts.append(f'<polygon points="{pts}" fill="#f4f4f0" stroke="#999" stroke-width="0.8"/>')
    lines_of: dict[str, list[str]] = {}
    modules_of: dict[str, dict[str, float]] = {}  # characteristic modules by region and group
    for rid, line, kind, group, mods in zip(
        fac["region_id"].astype(str),
        fac["line"].astype(str),
        fac["kind"],
        fac["group"].astype(str),
        fac["modules"],
        strict=True,
    ):
        lines_of.setdefault(rid, []).append(line)
        if kind == "characteristic":
            groups = modules_of.setdefault(rid, {})
            groups[group] = groups.get(group, 0) + mods
    for i, rid in enumerate(p.region_ids):
        names = lines_of.get(rid)
        colour = "#cccccc"
        if rid in modules_of:
            mods_by_group = modules_of[rid]
            names_sorted = sorted(mods_by_group)
            # the group with most modules (pandas' descending sort decides ties, as it always has)
            sums = pd.Series(
                [mods_by_group[g] for g in names_sorted], index=names_sorted, dtype="int64"
            )
            top = str(sums.sort_values(ascending=False).index[0])
            colour = GROUP_COLOURS.get(top, "#444")
        cx, cy = px(float(lon[i]), float(lat[i]))
        r = 2.5 + 0.35 * (len(names) if names else 0)
        tip = f"{p.region_names[i]}: " + (", ".join(names) if names else "no lines")
        parts.append(
            f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="{r:.1f}" fill="{colour}" fill-opacity="0.8" '
            f'stroke="#333" stroke-width="0.4"><title>{_esc(tip)}</title></circle>'
        )
    parts.append("</svg>")
    legend = " ".join(
        f'<span style="color:{c}">&#9679;</span> {_esc(g)}' for g, c in GROUP_COLOURS.items()
    )
    return (
        "".join(parts)
        + f'<p class="small">{legend} · <span style="color:#ccc">&#9679;</span> standard lines only; '
        "circle size: number of lines.</p>"
    )


def _line_label(row: dict[str, object]) -> str:
    """Line id with * (main input inferred) and † (fails the local-share rule)."""
    label = str(row["line"])
    if row.get("kind") == "characteristic":
        if row.get("main_input_basis") == "inferred":
            label += "*"
        if not row.get("counts_as_characteristic"):
            label += "†"
    return label


def _fair_baseline_text(nat: dict[str, object], unit: UnitOfAccount | None = None) -> str:
    """The total-cost claim against central plants with economies of scale (issue 17).

    Money in ``unit`` (the plan's unit of account, issue 10); without one, in the
    catalogue's thousand USD.
    """
    from regdev.i18n import _

    base = float(nat["baseline_total_cost_kusd"])  # type: ignore[arg-type]
    design = float(nat["design_total_cost_kusd"])  # type: ignore[arg-type]
    unit_name = _("thousand USD")
    if unit is not None:
        base, design, unit_name = unit.from_kusd(base), unit.from_kusd(design), unit.name
    share = float(nat["total_cost_saved_share"])  # type: ignore[arg-type]
    pct = f"{abs(share):.0%}"
    exp_a = f"{float(nat['scale_exponent_capex']):g}"  # type: ignore[arg-type]
    exp_b = f"{float(nat['scale_exponent_labour']):g}"  # type: ignore[arg-type]
    digits = 0 if max(abs(base), abs(design)) >= 100 else 2
    base_txt, design_txt = f"{base:,.{digits}f}", f"{design:,.{digits}f}"
    verdict = _("{pct} less", pct=pct) if share >= 0 else _("{pct} more", pct=pct)
    return _(
        "Total annual cost (production + transport) against central plants with economies "
        "of scale (capital ∝ capacity^{a}, labour ∝ capacity^{b}): central supply {base} → "
        "design {design} {unit} a year ({verdict}); the transport saving above is only "
        "part of the comparison.",
        unit=unit_name,
        a=exp_a,
        b=exp_b,
        base=base_txt,
        design=design_txt,
        verdict=verdict,
    )


def _characteristic_text(nat: dict[str, object]) -> str:
    """How many characteristic lines are local by the rule, and how many rest on inference."""
    from regdev.i18n import _

    n = int(nat["characteristic_lines"])  # type: ignore[call-overload]
    if n == 0:
        return _("No characteristic line is opened.")
    local = int(nat["characteristic_lines_local"])  # type: ignore[call-overload]
    inferred = int(nat["characteristic_lines_inferred"])  # type: ignore[call-overload]
    local_pct, inferred_pct = f"{local / n:.0%}", f"{inferred / n:.0%}"
    min_share = f"{float(nat['min_local_share']):.0%}"  # type: ignore[arg-type]
    return _(
        "Characteristic lines: {n}; {local} ({local_pct}) draw at least {min_share} of their "
        "main input locally and count as characteristic; {inferred} ({inferred_pct}) rest on "
        "local supply inferred from terrain and area, not listed in the region table (marked * "
        "below and 'inferred' in factories.csv and factory_raw_materials.csv).",
        n=n,
        local=local,
        local_pct=local_pct,
        min_share=min_share,
        inferred=inferred,
        inferred_pct=inferred_pct,
    )


def _marks_legend() -> str:
    from regdev.i18n import _

    return _(
        "* main input inferred from terrain and area (the region table does not list it); "
        "† draws less than the local-share rule's minimum of its main input locally (not "
        "counted as characteristic)."
    )


def section_body(result: DesignResult, unit: UnitOfAccount | None = None) -> str:
    """The factory-design section body (HTML fragment without the ``<section>`` wrapper).

    Capital, transport savings and the total-cost claim are in ``unit`` (a plan's unit of
    account, issue 10); without one, in the catalogue's million / thousand USD.  The
    solver's objective stays in thousand USD (the designer's own unit), so labelled.
    """
    from regdev.design.claims import national_claims

    fac = result.factories_frame()
    claims = result.claims_frame()
    nat = national_claims(result)
    info = result.info
    if unit is None:
        capital = f"{nat['capital_cost_kusd'] / 1000:,.1f} million USD"
        saved = f"{nat['transport_saved_kusd']:,.0f} thousand USD"
    else:
        capital = unit.format(unit.from_kusd(nat["capital_cost_kusd"]), 1)
        saved = unit.format(unit.from_kusd(nat["transport_saved_kusd"]), 2)
    head = (
        f"<p>{nat['n_regions']} factory groups, {nat['n_lines']} production lines, "
        f"{nat['jobs']:,} jobs, capital {_esc(capital)}. "
        f"Transport against central supply from the capital and province seats: "
        f"{nat['baseline_tkm'] / 1e6:,.1f} → {nat['design_tkm'] / 1e6:,.1f} million t·km a year "
        f"({nat['tkm_saved_share']:.0%} saved, {_esc(saved)} a year). "
        f"Share of demand (by weight) met by the county's own lines: {nat['local_share']:.0%}; "
        f"by its own or neighbouring lines: {nat['nearby_share']:.0%}. "
        f"{_esc(_fair_baseline_text(nat, unit))} {_esc(_characteristic_text(nat))} "
        f"Design solver: {_esc(result.solver)}, status {_esc(info.status)}, "
        f"objective {info.objective:,.0f} thousand USD a year, gap {info.gap:.3%} "
        f"(bound {info.bound:,.0f}).</p>"
    )
    mat = pd.crosstab(fac["line"], fac["province"]) if len(fac) else pd.DataFrame()
    mat_html = mat.to_html(classes="design-matrix", border=0) if len(mat) else "<p>No lines.</p>"
    by_county = (
        fac.assign(line=[_line_label(r) for r in fac.to_dict("records")])
        .groupby(["province", "county"], sort=True)["line"]
        .apply(", ".join)
        if len(fac)
        else pd.Series(dtype=str)
    )
    rows = "".join(
        f'<tr><td class="l">{_esc(p)}</td><td class="l">{_esc(c)}</td><td class="l">{_esc(v)}</td></tr>'
        for (p, c), v in by_county.items()
    )
    county_table = (
        '<table class="design-lines"><tr><th class="l">province</th><th class="l">county</th>'
        f'<th class="l">lines</th></tr>{rows}</table>'
    )
    svg = _savings_svg(claims) if len(claims) else ""
    return (
        head
        + "<h3>Lines by county</h3>"
        + _map_svg(result, fac)
        + "<h3>Transport: central supply vs local production (t·km a year)</h3>"
        + svg
        + "<h3>Line types × provinces (number of counties)</h3>"
        + mat_html
        + "<h3>Lines of each county</h3>"
        + f'<p class="small">{_esc(_marks_legend())}</p>'
        + county_table
    )
