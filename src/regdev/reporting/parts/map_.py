"""The national map of the factory years.

Province borders and names, one symbol per county sized by population, its colour and
shape the year of its factories, each a link to the county's dossier.
"""

from __future__ import annotations

import pandas as pd

from regdev.errors import RegdevError
from regdev.i18n import _
from regdev.reporting.context import ReportContext
from regdev.reporting.parts._util import esc, para
from regdev.reporting.sections import ReportSection

ORDER = 20


def year_frame(ctx: ReportContext, facility: str) -> pd.DataFrame:
    """The map's regions with the year of ``facility`` (``<NA>`` when none)."""
    p = ctx.plan.problem
    f = p.facilities.index(facility)
    t = ctx.year_idx[:, f]
    years = [p.years[k] if k >= 0 else None for k in t.tolist()]
    frame = ctx.regions.copy()
    frame["year"] = pd.array(years, dtype="Int64")
    return frame.dropna(subset=["lat", "lon"]) if "lat" in frame.columns else frame.iloc[:0]


def draw(ctx: ReportContext, facility: str, *, width: int, title: str) -> str | None:
    """One map of ``facility``'s year per county, or ``None`` without coordinates."""
    from regdev.reporting.maps import render_map

    frame = year_frame(ctx, facility)
    if frame.empty:
        return None
    years = [y for y in ctx.plan.problem.years if (frame["year"] == y).any()]
    try:
        return render_map(
            frame,
            category="year",
            categories=years,
            category_title=title,
            title=title,
            width=width,
            lang=ctx.lang,
        )
    except (ImportError, RegdevError):
        # another country's approximate shapes need shapely and the whole region table
        # (pass the registry); without them the section says there is no map
        return None


def section(ctx: ReportContext) -> ReportSection | None:
    """The factory-year map (``None`` without coordinates)."""
    p = ctx.plan.problem
    if "factories" not in p.facilities:
        return None
    svg = draw(ctx, "factories", width=760, title=_("Year of the county's factories"))
    if svg is None:
        body = para(_("No map: the region table has no coordinates or no shapes to draw."))
    else:
        body = (
            f'<div class="map">{svg}</div><p class="small">'
            + esc(
                _(
                    "One symbol per county or city: its area is proportional to the population, "
                    "its colour and shape give the year its factories are built. Select a "
                    "symbol to open the county's dossier."
                )
            )
            + "</p>"
        )
    return ReportSection("map", _("Map: when each county gets its factories"), body, ORDER)
