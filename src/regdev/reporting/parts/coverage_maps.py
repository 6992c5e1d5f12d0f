"""Coverage maps: one small map per facility type other than the factories (year per county)."""

from __future__ import annotations

from regdev.i18n import _
from regdev.reporting.context import ReportContext
from regdev.reporting.labels import facility_label
from regdev.reporting.parts._util import esc, small
from regdev.reporting.parts.map_ import draw
from regdev.reporting.sections import ReportSection

ORDER = 22


def section(ctx: ReportContext) -> ReportSection | None:
    """A grid of maps, one per facility type (``None`` without coordinates or other types)."""
    maps = []
    for fac in ctx.plan.problem.facilities:
        if fac == "factories":
            continue
        label = facility_label(fac)
        svg = draw(ctx, fac, width=460, title=_("{facility}: year built", facility=label))
        if svg is not None:
            maps.append(f"<figure><figcaption>{esc(label)}</figcaption>{svg}</figure>")
    if not maps:
        return None
    body = (
        small(
            _(
                "Grey symbols: the county gets no project of that type within the plan (not a candidate, or left out)."
            )
        )
        + f'<div class="map-grid">{"".join(maps)}</div>'
    )
    return ReportSection("coverage-maps", _("Coverage maps by facility type"), body, ORDER)
