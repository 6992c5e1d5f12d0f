"""Reporting: self-contained, offline HTML reports (inline SVG, no external URL).

Public API::

    build_report(plan, dossiers, *, design=None, ...) -> Report   sections + html
    build_plan_report(plan, dossiers, ...) -> str                  report.html text
    build_report_sections(...) / render_report(plan, sections)
    ReportSection, Report

Reporting reads the planner's and the designer's results; neither imports it
(dependency direction: registry ← planning, design ← reporting ← pipeline ← cli).
"""

from __future__ import annotations

from regdev.reporting.plan_report import (
    build_plan_report,
    build_report,
    build_report_sections,
    render_report,
)
from regdev.reporting.sections import Report, ReportSection

__all__ = [
    "Report",
    "ReportSection",
    "build_plan_report",
    "build_report",
    "build_report_sections",
    "render_report",
]
