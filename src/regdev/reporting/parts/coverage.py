"""Share of the candidates' population whose project of each type is complete, per year."""

from __future__ import annotations

from regdev.i18n import _
from regdev.reporting.context import ReportContext
from regdev.reporting.labels import facility_label, fmt_int
from regdev.reporting.parts._util import small
from regdev.reporting.sections import ReportSection
from regdev.reporting.svg import lines, type_colour

ORDER = 60


def section(ctx: ReportContext) -> ReportSection:
    """Cumulative population covered per facility type."""
    p = ctx.plan.problem
    yi = ctx.year_idx
    series = []
    for k, fac in enumerate(p.facilities):
        t = yi[:, k]
        base = float(p.population[p.eligible[:, k]].sum()) or 1.0
        vals = [
            100.0 * float(p.population[(t >= 0) & (t <= j)].sum()) / base for j in range(p.n_years)
        ]
        series.append((facility_label(fac), vals, type_colour(fac, k)))
    body = lines(
        [str(y) for y in p.years],
        series,
        y_label=_("% of the candidates' population"),
        y_max=100.0,
        title=_("Population covered"),
    )
    body += small(
        _(
            "Share of the people living in candidate counties (programme total {total}) whose project of that type is complete by the end of the year.",
            total=fmt_int(float(p.population.sum())),
        )
    )
    return ReportSection("coverage", _("Population covered over time"), body, ORDER)
