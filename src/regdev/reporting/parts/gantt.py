"""The Gantt view: projects per year by facility type and, for the factories, by province."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from regdev.i18n import _
from regdev.reporting.context import ReportContext
from regdev.reporting.labels import facility_label
from regdev.reporting.parts._util import esc, h3, small
from regdev.reporting.sections import ReportSection

ORDER = 30
BAR = "#0072B2"
LOCKED = "#999999"


def _text_px(text: str) -> float:
    return sum(11.5 if ord(c) > 0x2E80 else 6.6 for c in text)


def gantt_svg(
    rows: Sequence[tuple[str, dict[int, tuple[int, int]]]],
    years: Sequence[int],
    *,
    label: str,
) -> str:
    """A Gantt chart: one row per label; per year a cell with the number of projects.

    ``rows`` are ``(label, {year: (planned, already_fixed)})``; the bar spans the row's first
    to last year; each year's count is written in the cell (values never by colour alone).
    """
    label_w = int(max((_text_px(r[0]) for r in rows), default=60)) + 14
    cell, row_h, top = 46, 24, 22
    width = label_w + cell * len(years) + 8
    height = top + row_h * len(rows) + 8
    out = [
        f'<svg class="chart gantt" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-label="{esc(label)}"><title>{esc(label)}</title>'
    ]
    for k, y in enumerate(years):
        x = label_w + k * cell
        out.append(
            f'<text x="{x + cell / 2}" y="14" text-anchor="middle" class="ax">{y}</text>'
            f'<line x1="{x}" y1="{top - 4}" x2="{x}" y2="{height - 6}" stroke="#e3e3e3"/>'
        )
    for r, (name, per_year) in enumerate(rows):
        y = top + r * row_h
        out.append(f'<text x="4" y="{y + 16}" class="ax">{esc(name)}</text>')
        active = [k for k, yr in enumerate(years) if sum(per_year.get(yr, (0, 0))) > 0]
        if not active:
            continue
        x0 = label_w + min(active) * cell + 2
        x1 = label_w + (max(active) + 1) * cell - 2
        out.append(
            f'<rect x="{x0}" y="{y + 3}" width="{x1 - x0}" height="{row_h - 6}" rx="4" '
            f'fill="#DCEAF5"/>'
        )
        for k in active:
            yr = years[k]
            planned, fixed = per_year.get(yr, (0, 0))
            n = planned + fixed
            share = n / max(max(sum(v) for v in per_year.values()), 1)
            x = label_w + k * cell
            colour = LOCKED if planned == 0 else BAR
            out.append(
                f'<rect x="{x + 4}" y="{y + 5}" width="{cell - 8}" height="{row_h - 10}" rx="3" '
                f'fill="{colour}" fill-opacity="{0.35 + 0.65 * share:.2f}"><title>{esc(name)} · {yr}: '
                f"{n}</title></rect>"
                f'<text x="{x + cell / 2}" y="{y + 16}" text-anchor="middle" class="val">{n}</text>'
            )
    out.append("</svg>")
    return "".join(out)


def _scroll(svg: str) -> str:
    """A Gantt chart keeps a readable width and scrolls inside its card on a phone."""
    return f'<div class="scroll" tabindex="0">{svg}</div>'


def _per_year(frame: pd.DataFrame) -> dict[int, tuple[int, int]]:
    locked = frame["locked"].astype(bool)
    planned = frame[~locked].groupby("year").size()
    fixed = frame[locked].groupby("year").size()
    years = set(planned.index) | set(fixed.index)
    return {int(y): (int(planned.get(y, 0)), int(fixed.get(y, 0))) for y in years}


def section(ctx: ReportContext) -> ReportSection:
    """Gantt by facility type, then by province (factories)."""
    p = ctx.plan.problem
    sched = ctx.schedule
    years = list(p.years)
    by_type = [
        (facility_label(fac), _per_year(sched[sched["facility"] == fac]))
        for fac in p.facilities
        if (sched["facility"] == fac).any()
    ]
    body = _scroll(gantt_svg(by_type, years, label=_("Projects per year by facility type")))
    fac = sched[sched["facility"] == "factories"]
    if not fac.empty:
        prov = fac["region_id"].map(ctx.regions["province"])
        rows = [
            (ctx.province(name), _per_year(fac[prov == name]))
            for name in sorted(prov.dropna().unique(), key=ctx.province)
        ]
        body += h3(_("Factories per year by province"))
        body += _scroll(gantt_svg(rows, years, label=_("Factories per year by province")))
    body += small(
        _(
            "Each cell gives the number of projects completed that year; grey cells hold only projects already built or under way. The band spans the first to the last year of the row."
        )
    )
    tiers = ", ".join(f"{y}: {t}" for y, t in zip(p.years, p.tiers.tolist(), strict=True))
    body += small(
        _(
            "Modernisation tier of each year (later years build to a higher standard): {tiers}.",
            tiers=tiers,
        )
    )
    return ReportSection("timeline", _("Timeline (Gantt view)"), body, ORDER)
