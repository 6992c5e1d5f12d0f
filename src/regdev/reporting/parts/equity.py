"""Equity weight against factory year: whether the less developed counties go earlier."""

from __future__ import annotations

from regdev.i18n import _
from regdev.reporting.context import ReportContext
from regdev.reporting.labels import fmt_num
from regdev.reporting.parts._util import esc
from regdev.reporting.sections import ReportSection
from regdev.reporting.svg import scatter

ORDER = 70
PLANNED = "#0072B2"
FIXED = "#D55E00"


def section(ctx: ReportContext) -> ReportSection | None:
    """Scatter of equity weight vs factory year (``None`` without factories)."""
    p = ctx.plan.problem
    if "factories" not in p.facilities:
        return None
    fi = p.factory_index
    pts = []
    for i in range(p.n_regions):
        t = int(ctx.year_idx[i, fi])
        if t < 0:
            continue
        jitter = ((i * 2654435761) % 1000) / 1000.0 * 0.6 - 0.3  # deterministic spread
        tip = _(
            "{name}: equity weight {w}, factories {year}",
            name=ctx.name(p.region_ids[i]),
            w=fmt_num(float(p.equity_weight[i]), 2),
            year=p.years[t],
        )
        colour = FIXED if p.lock_year[i, fi] == t else PLANNED
        pts.append((t + jitter, float(p.equity_weight[i]), colour, tip))
    ticks = [(float(t), str(y)) for t, y in enumerate(p.years)]
    body = scatter(
        pts,
        x_ticks=ticks,
        y_label=_("Equity weight"),
        title=_("Equity weight against factory year"),
    )
    body += (
        '<p class="small"><span class="key" style="background:#0072B2"></span>'
        + esc(_("planned"))
        + ' <span class="key" style="background:#D55E00"></span>'
        + esc(_("already built or under way"))
        + '</p><p class="small">'
        + esc(
            _(
                "Higher weight = less developed. The order follows the weighted benefit "
                "(population × weight), so a small poor county can come after a large, "
                "better-off one; the provincial minimums pull every province along."
            )
        )
        + "</p>"
    )
    return ReportSection("equity", _("Equity weight against factory year"), body, ORDER)
