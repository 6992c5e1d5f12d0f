"""The simulation's report section: offline HTML with inline SVG (no script, no URL).

:func:`simulation_section` returns one ``<section>`` that the plan report can embed;
:func:`simulation_page` wraps it in a self-contained page (``simulation.html`` of the
outcomes folder).  Contents: disparity over time (plan, counterfactual, alternative
plan), fan charts (median and 5–95 % band) of mean regional income and the
capital–region ratio, a map of each region's income gain over the counterfactual, the
probability of reaching the target, and the Sobol indices.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from regdev.fonts import FONT_STACK, font_face_css
from regdev.i18n import N_, _, current_language

if TYPE_CHECKING:
    from regdev.simulation.result import SimulationResult

PLAN_COLOUR = "#1f77b4"
CF_COLOUR = "#7f7f7f"
ALT_COLOUR = "#d62728"
FONT = 'font-size="11"'

INDICATOR_LABELS = {
    "gini": N_("Gini of real income across regions"),
    "theil_t": N_("Theil T"),
    "theil_l": N_("Theil L"),
    "capital_ratio": N_("Capital–region income ratio"),
    "mean_income": N_("Mean real income per person, USD"),
    "share_below": N_("Population share below the poverty line"),
    "cv": N_("Coefficient of variation"),
}


def _esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def _fmt(v: float) -> str:
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    if abs(v) >= 10:
        return f"{v:.0f}"
    return f"{v:.3g}"


def fan_chart(
    years: Sequence[int],
    series: Sequence[tuple[str, str, np.ndarray, np.ndarray | None, np.ndarray | None]],
    *,
    title: str,
    y_label: str,
    width: int = 720,
    height: int = 300,
) -> str:
    """Line chart with optional 5–95 % bands: series = (name, colour, median, low, high)."""
    x0, y0, w, h = 64, 34, width - 90, height - 84
    values = [v for s in series for arr in s[2:] if arr is not None for v in np.asarray(arr)]
    lo_v, hi_v = float(min(values)), float(max(values))
    pad = 0.05 * (hi_v - lo_v or abs(hi_v) or 1.0)
    lo_v, hi_v = (lo_v - pad if lo_v - pad >= 0 or lo_v < 0 else 0.0), hi_v + pad
    n = len(years)

    def px(i: int) -> float:
        return x0 + w * i / max(n - 1, 1)

    def py(v: float) -> float:
        return y0 + h - h * (v - lo_v) / (hi_v - lo_v)

    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="{_esc(title)}">',
        f'<text x="{x0}" y="18" font-size="13" font-weight="bold">{_esc(title)}</text>',
        f'<line x1="{x0}" y1="{y0 + h}" x2="{x0 + w}" y2="{y0 + h}" stroke="#444"/>',
    ]
    for k in range(5):
        v = lo_v + (hi_v - lo_v) * k / 4
        yy = py(v)
        parts.append(f'<line x1="{x0}" y1="{yy:.1f}" x2="{x0 + w}" y2="{yy:.1f}" stroke="#ddd"/>')
        parts.append(
            f'<text x="{x0 - 4}" y="{yy + 4:.1f}" text-anchor="end" {FONT}>{_fmt(v)}</text>'
        )
    for i, yv in enumerate(years):
        if n <= 12 or i % 2 == 0:
            parts.append(
                f'<text x="{px(i):.1f}" y="{y0 + h + 14}" text-anchor="middle" {FONT}>{yv}</text>'
            )
    parts.append(
        f'<text x="14" y="{y0 + h / 2:.0f}" transform="rotate(-90 14 {y0 + h / 2:.0f})" '
        f'text-anchor="middle" {FONT}>{_esc(y_label)}</text>'
    )
    for name, colour, mid, low, high in series:
        if low is not None and high is not None:
            pts = [f"{px(i):.1f},{py(float(v)):.1f}" for i, v in enumerate(high)]
            pts += [f"{px(i):.1f},{py(float(v)):.1f}" for i, v in reversed(list(enumerate(low)))]
            parts.append(
                f'<polygon points="{" ".join(pts)}" fill="{colour}" fill-opacity="0.18" '
                f'stroke="none"><title>{_esc(name)} 5–95 %</title></polygon>'
            )
        line = " ".join(f"{px(i):.1f},{py(float(v)):.1f}" for i, v in enumerate(mid))
        parts.append(
            f'<polyline points="{line}" fill="none" stroke="{colour}" stroke-width="2">'
            f"<title>{_esc(name)}</title></polyline>"
        )
    lx = x0
    for name, colour, *_rest in series:
        parts.append(f'<rect x="{lx}" y="{height - 22}" width="12" height="10" fill="{colour}"/>')
        parts.append(f'<text x="{lx + 16}" y="{height - 13}" {FONT}>{_esc(name)}</text>')
        lx += 28 + 7 * len(name)
    parts.append("</svg>")
    return "".join(parts)


def _indicator_chart(result: SimulationResult, name: str, *, band: bool = True) -> str:
    years = sorted(result.indicators["year"].unique())
    series = []
    for label, colour, res, variant in (
        (_("plan"), PLAN_COLOUR, result, "plan"),
        (_("no programme"), CF_COLOUR, result, "counterfactual"),
        (_("alternative plan"), ALT_COLOUR, result.compare, "plan"),
    ):
        if res is None:
            continue
        f = res.indicator(name, variant)
        series.append(
            (
                label,
                colour,
                f["q50"].to_numpy(),
                f["q05"].to_numpy() if band else None,
                f["q95"].to_numpy() if band else None,
            )
        )
    label = _(INDICATOR_LABELS.get(name, name))
    return fan_chart(years, series, title=label, y_label=label)


def _theil_chart(result: SimulationResult) -> str:
    """Theil T between and within provinces, plan and no programme (medians)."""
    years = sorted(result.indicators["year"].unique())
    series = []
    for variant, label, colours in (
        ("plan", _("plan"), ("#1f77b4", "#9ecae1")),
        ("counterfactual", _("no programme"), ("#525252", "#bdbdbd")),
    ):
        for part, colour in zip(("between", "within"), colours, strict=True):
            f = result.indicator(f"theil_t_{part}", variant)
            name = _("{variant}: between provinces", variant=label)
            if part == "within":
                name = _("{variant}: within provinces", variant=label)
            series.append((name, colour, f["q50"].to_numpy(), None, None))
    title = _("Theil T between and within provinces")
    return fan_chart(years, series, title=title, y_label=_("Theil T"), width=760)


def _gain_map(result: SimulationResult) -> str:
    from regdev.registry import load_default
    from regdev.reporting.maps import render_map

    cy = result.county_year
    last = int(cy["year"].max())
    f = cy[cy["year"] == last].set_index("region_id")
    gain = 100.0 * (f["income_real"] / f["counterfactual"] - 1.0)
    reg = load_default().frame
    if not set(gain.index) <= set(reg.index):
        return ""
    frame = reg.loc[gain.index].copy()
    edges = [0.5, 2.0, 5.0, 10.0]
    labels = ["< 0.5 %", "0.5–2 %", "2–5 %", "5–10 %", "≥ 10 %"]
    frame["gain_class"] = pd.cut(
        gain, [-np.inf, *edges, np.inf], labels=range(5), right=False
    ).astype(int)
    return render_map(
        frame,
        category="gain_class",
        categories=list(range(5)),
        category_labels=dict(enumerate(labels)),
        category_title=_("Real income gain over no programme, {year}", year=last),
        href=None,
        title=_("Income gain by region, {year}", year=last),
    )


def _table(frame: pd.DataFrame, columns: Sequence[tuple[str, str]]) -> str:
    head = "".join(f"<th>{_esc(label)}</th>" for _c, label in columns)
    rows = []
    for _i, row in frame.iterrows():
        cells = []
        for col, _label in columns:
            v = row[col]
            cells.append(
                f"<td>{_esc(_fmt(float(v)) if isinstance(v, float | np.floating) else v)}</td>"
            )
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return (
        f'<table class="sim"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
    )


def simulation_section(result: SimulationResult) -> str:
    """The simulation's report section as one HTML ``<section>`` (inline SVG, offline)."""
    meta = result.metadata
    cy = result.county_year
    last = int(cy["year"].max())
    first = int(cy["year"].min())
    parts = [
        '<section id="simulation" class="simulation">',
        "<h2>" + _esc(_("What the plan does to the regional economy")) + "</h2>",
        "<p>"
        + _esc(
            _(
                "{n} scenarios (seed {seed}), {first}–{last}. Lines are medians, bands the "
                "5–95 % range of the scenarios. Construction durations fitted from {k} real "
                "groundbreaking–inauguration pairs (median {months:.1f} months).",
                n=meta.get("n_scenarios"),
                seed=meta.get("seed"),
                first=first,
                last=last,
                k=meta.get("slip", {}).get("n_observed", 0),
                months=float(meta.get("slip", {}).get("median_months", 0.0)),
            )
        )
        + "</p>",
        "<h3>" + _esc(_("Disparity between regions")) + "</h3>",
        _indicator_chart(result, "gini"),
        _indicator_chart(result, "theil_t", band=False),
        _theil_chart(result),
        _indicator_chart(result, "capital_ratio"),
        "<h3>" + _esc(_("Incomes")) + "</h3>",
        _indicator_chart(result, "mean_income"),
        _indicator_chart(result, "share_below"),
        _gain_map(result),
    ]
    tp = result.target_probability
    years = [c for c in tp.columns if c != "year_reached"]
    pick = [y for y in years if int(y) in (first + 6, first + 11, last)]
    top = tp.sort_values(str(last)).head(15).reset_index()
    top = top.merge(result.regions[["region_id", "name", "province"]], on="region_id")
    parts.append(
        "<h3>"
        + _esc(
            _(
                "Regions least likely to reach the income target ({usd:,.0f} USD)",
                usd=float(meta.get("target_income_usd", 0.0)),
            )
        )
        + "</h3>"
    )
    parts.append(
        _table(
            top,
            [("name", _("Region")), ("province", _("Province"))]
            + [(y, _("P(reached by {year})", year=y)) for y in pick],
        )
    )
    if result.sobol is not None:
        parts.append("<h3>" + _esc(_("Sensitivity (Sobol indices)")) + "</h3>")
        parts.append(
            _table(
                result.sobol,
                [
                    ("output", _("Outcome")),
                    ("parameter", _("Parameter")),
                    ("S1", _("first order")),
                    ("ST", _("total effect")),
                ],
            )
        )
    notes = meta.get("notes", [])
    if notes:
        parts.append("<ul>" + "".join(f"<li>{_esc(n)}</li>" for n in notes) + "</ul>")
    parts.append("</section>")
    return "\n".join(parts)


def simulation_page(result: SimulationResult) -> str:
    """A self-contained HTML page around :func:`simulation_section`."""
    body = simulation_section(result)
    title = _esc(_("Simulation: {plan}", plan=result.plan_name))
    css = (
        font_face_css(title + body)
        + f"body{{font-family:{FONT_STACK};margin:1.5rem;max-width:60rem}}"
        "table.sim{border-collapse:collapse;margin:.5rem 0}"
        "table.sim td,table.sim th{border:1px solid #ccc;padding:2px 6px;font-size:12px}"
        "svg{display:block;margin:.75rem 0;max-width:100%;height:auto}"
    )
    return (
        f'<!DOCTYPE html><html lang="{current_language()}"><head><meta charset="utf-8">'
        f"<title>{title}</title><style>{css}</style></head><body><h1>{title}</h1>"
        f"{body}</body></html>"
    )
