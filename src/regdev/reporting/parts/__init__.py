"""The sections of ``report.html``, one module each (merge-friendly: a new section is a new file).

Each module has ``ORDER`` and ``section(ctx) -> ReportSection | None`` (``None``: its data
is absent, e.g. no design or no coordinates).  :data:`BUILDERS` lists them; the report
sorts the results by ``order``.
"""

from __future__ import annotations

from collections.abc import Callable

from regdev.reporting.context import ReportContext
from regdev.reporting.parts import (
    balance,
    briefing,
    cost,
    coverage,
    coverage_maps,
    design,
    dossiers,
    equity,
    gantt,
    left_out,
    map_,
    method,
    tables,
)
from regdev.reporting.sections import ReportSection

Builder = Callable[[ReportContext], ReportSection | None]

BUILDERS: tuple[Builder, ...] = (
    briefing.section,
    map_.section,
    coverage_maps.section,
    gantt.section,
    balance.section,
    cost.section,
    coverage.section,
    equity.section,
    design.section,
    left_out.section,
    dossiers.section,
    tables.section,
    method.section,
)
"""Every built-in section builder."""

__all__ = ["BUILDERS", "Builder"]
