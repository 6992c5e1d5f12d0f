"""Province balance: cumulative factories against each province's fair-share minimum."""

from __future__ import annotations

from regdev.i18n import _
from regdev.planning.output import province_progress
from regdev.reporting.context import ReportContext
from regdev.reporting.labels import fmt_int
from regdev.reporting.parts._util import esc, para, table
from regdev.reporting.sections import ReportSection

ORDER = 40


def section(ctx: ReportContext) -> ReportSection | None:
    """A table province × year: factories so far / minimum (``None`` without factories)."""
    p = ctx.plan.problem
    if "factories" not in p.facilities:
        return None
    prog = province_progress(ctx.plan)
    rows = []
    for prov, grp in sorted(prog.groupby("province", sort=True), key=lambda g: ctx.province(g[0])):
        cells = [esc(ctx.province(prov)), fmt_int(int(grp["candidates"].iloc[0]))]
        for r in grp.itertuples():
            at_floor = int(r.cumulative) == int(r.floor) and r.floor > 0
            done = r.cumulative >= r.candidates
            mark = " ▲" if at_floor else (" ●" if done else "")
            cls = "tight" if at_floor else ("ok" if done else "")
            cells.append(
                f'<span class="{cls}">{int(r.cumulative)}<span class="small">/{int(r.floor)}</span>{mark}</span>'
            )
        rows.append(cells)
    body = (
        "<p>"
        + esc(
            _(
                "Factories completed so far / the province's minimum that year (its share of "
                "the programme's population, less a small tolerance). ▲: exactly at the "
                "minimum, so the province's next county had to come then; ●: every county of "
                "the province has its factories."
            )
        )
        + "</p>"
    )
    if p.balance_floor is None:
        body = para(_("The provincial balance is switched off in this scenario."))
    body += table([_("Province"), _("Counties"), *[str(y) for y in p.years]], rows, cls="num")
    return ReportSection("balance", _("Province balance over time"), body, ORDER)
