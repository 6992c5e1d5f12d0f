"""Further plan-folder tables (new per-cohort or history tables): listed with human headers.

A table that another section renders (the design's) is skipped here; any other table of
``ctx.tables`` gets a collapsed, scrollable view of its first rows, so a new table shows
up in the report without a new template.
"""

from __future__ import annotations

import math

import pandas as pd

from regdev.i18n import _
from regdev.reporting.context import ReportContext
from regdev.reporting.parts._util import esc, small, table
from regdev.reporting.sections import ReportSection

ORDER = 88
MAX_ROWS = 50
RENDERED_ELSEWHERE = frozenset({"factories.csv", "factory_claims.csv", "factory_raw_materials.csv"})


def _cell(value: object) -> str:
    if isinstance(value, float):
        if math.isnan(value):
            return "—"
        return f"{value:,.3g}" if abs(value) < 1000 else f"{value:,.0f}"
    return esc(value)


def section(ctx: ReportContext) -> ReportSection | None:
    """Collapsed previews of the other tables (``None`` when there are none)."""
    from regdev.reporting.xlsx import column_title, sheet_title

    parts = []
    for name, frame in sorted(ctx.tables.items()):
        if name in RENDERED_ELSEWHERE or not isinstance(frame, pd.DataFrame) or frame.empty:
            continue
        stem = name.rsplit(".", 1)[0]
        head = [column_title(str(c), ctx.lang) for c in frame.columns]
        rows = [[_cell(v) for v in r] for r in frame.head(MAX_ROWS).itertuples(index=False)]
        more = (
            small(
                _(
                    "First {n} of {m} rows; the whole table is {file} in the plan folder.",
                    n=MAX_ROWS,
                    m=len(frame),
                    file=name,
                )
            )
            if len(frame) > MAX_ROWS
            else ""
        )
        parts.append(
            f"<details><summary>{esc(sheet_title(stem, ctx.lang))} "
            f'<span class="small">({esc(name)})</span></summary>'
            f"{table(head, rows, left=len(head))}{more}</details>"
        )
    if not parts:
        return None
    return ReportSection("tables", _("Further tables"), "".join(parts), ORDER)
