"""Projects that do not fit within the plan's years."""

from __future__ import annotations

from regdev.i18n import _
from regdev.reporting.context import ReportContext, left_out_reason
from regdev.reporting.labels import facility_label
from regdev.reporting.parts._util import dossier_link, esc, para, table
from regdev.reporting.sections import ReportSection

ORDER = 75


def section(ctx: ReportContext) -> ReportSection:
    """Table of left-out projects with the reason."""
    left = ctx.plan.left_out(allow_feasible=True)
    if left.empty:
        body = para(_("Every candidate county gets every facility type within the plan."))
    else:
        rows = [
            [
                dossier_link(r.region_id, ctx.name(r.region_id)),
                esc(ctx.province(ctx.regions.loc[r.region_id, "province"])),
                esc(facility_label(r.facility)),
                esc(left_out_reason(ctx, r.region_id, r.facility)),
            ]
            for r in left.itertuples()
        ]
        body = table([_("County"), _("Province"), _("Facility type"), _("Why")], rows, left=4)
    return ReportSection("left-out", _("Not within the plan"), body, ORDER)
