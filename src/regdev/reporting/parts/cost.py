"""Cost per year, stacked by facility type, with the budget when there is one."""

from __future__ import annotations

import numpy as np

from regdev.i18n import _
from regdev.reporting.context import ReportContext
from regdev.reporting.labels import facility_label, fmt_num, money_unit
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
        y_label=_("Cost ({unit})", unit=money_unit(ctx.plan)),
        title=_("Cost per year"),
    )
    fin = np.isfinite(p.budget)
    if fin.any():
        budget = ", ".join(
            f"{y}: {fmt_num(float(b))}"
            for y, b, ok in zip(p.years, p.budget, fin, strict=True)
            if ok
        )
        body += small(
            _("Budget per year ({unit}): {budget}.", unit=money_unit(ctx.plan), budget=budget)
        )
    else:
        body += small(_("No annual budget in this scenario: costs are shown for information."))
    body += small(
        _(
            "Costs are in the plan's unit of account ({unit}, scenario [money]): the base cost of each project, raised by the modernisation tier of its year.",
            unit=money_unit(ctx.plan),
        )
    )
    return ReportSection("cost", _("Cost per year"), body, ORDER)
