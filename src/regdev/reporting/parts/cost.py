"""Cost per year, stacked by facility type, with the budget when there is one."""

from __future__ import annotations

import numpy as np

from regdev.i18n import _
from regdev.reporting.context import ReportContext
from regdev.reporting.labels import MONEY_UNIT, facility_label, fmt_num
from regdev.reporting.parts._util import small
from regdev.reporting.sections import ReportSection
from regdev.reporting.svg import stacked_bars, type_colour

ORDER = 50


def section(ctx: ReportContext) -> ReportSection:
    """Stacked bars of cost per year and type."""
    p = ctx.plan.problem
    cost = ctx.schedule.groupby(["facility", "year"])["cost"].sum()
    series = [
        (
            facility_label(fac),
            [float(cost.get((fac, y), 0.0)) for y in p.years],
            type_colour(fac, k),
        )
        for k, fac in enumerate(p.facilities)
    ]
    body = stacked_bars(
        [str(y) for y in p.years],
        series,
        y_label=_("Cost ({unit})", unit=_(MONEY_UNIT)),
        title=_("Cost per year"),
    )
    fin = np.isfinite(p.budget)
    if fin.any():
        budget = ", ".join(
            f"{y}: {fmt_num(float(b))}"
            for y, b, ok in zip(p.years, p.budget, fin, strict=True)
            if ok
        )
        body += small(_("Budget per year ({unit}): {budget}.", unit=_(MONEY_UNIT), budget=budget))
    else:
        body += small(_("No annual budget in this scenario: costs are shown for information."))
    body += small(
        _(
            "Costs are in the scenario money unit (million cost units, MCU): the base cost of each project, raised by the modernisation tier of its year."
        )
    )
    return ReportSection("cost", _("Cost per year"), body, ORDER)
