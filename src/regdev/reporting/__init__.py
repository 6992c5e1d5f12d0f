"""Reporting: self-contained, offline HTML reports (inline SVG, no external URL).

Public API::

    build_plan_report(plan, dossiers, ...)  report.html of a rollout plan
    ReportSection                           one section (from regdev.planning.hooks)
"""

from __future__ import annotations

from regdev.planning.hooks import ReportSection
from regdev.reporting.plan_report import build_plan_report

__all__ = ["ReportSection", "build_plan_report"]
