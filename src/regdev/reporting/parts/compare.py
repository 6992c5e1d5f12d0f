"""Comparison of two plan folders as a report section and as a page of its own.

Not one of :data:`~regdev.reporting.parts.BUILDERS` (it needs a second plan): ``regdev
plan compare A B --html FILE`` writes :func:`comparison_page`, and
:func:`comparison_section` can be passed to ``build_report(extra_sections=...)``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from regdev.i18n import _, current_language, use_language
from regdev.reporting.labels import facility_label
from regdev.reporting.sections import ReportSection

if TYPE_CHECKING:
    from regdev.reporting.compare import PlanComparison

ORDER = 95


def _province_names_ko() -> dict[str, str]:
    """The default country's province names → Korean (empty when unavailable)."""
    try:
        from regdev.registry.boundaries import _province_names, province_shapes

        shapes = province_shapes()
        return {
            name: shapes.features[iso].local_name("ko")
            for iso, name in _province_names().items()
            if iso in shapes.features
        }
    except Exception:  # noqa: BLE001 - English names are still right
        return {}


def _labelled(comparison: PlanComparison, lang: str = "en") -> PlanComparison:
    """The comparison with facility types in words (the tables hold the keys)."""
    import dataclasses

    def relabel(frame: pd.DataFrame) -> pd.DataFrame:
        if frame.empty:
            return frame
        out = frame.copy()
        if "facility" in out.columns:
            out["facility"] = out["facility"].map(facility_label)
        # years are labels, not quantities: no digit grouping ("2,028")
        for col in out.columns:
            if col == "year" or col.startswith(("year_", "half_year", "full_year")):
                out[col] = [("—" if pd.isna(v) else str(int(v))) for v in out[col]]
        if lang == "ko" and "province" in out.columns:
            ko = _province_names_ko()
            out["province"] = [ko.get(str(v), v) for v in out["province"]]
        # a county is named, not shown by its id, when the registry knew it
        if "region_id" in out.columns and "name" in out.columns and out["name"].astype(bool).all():
            out = out.drop(columns="region_id")
        return out

    return dataclasses.replace(
        comparison,
        moved=relabel(comparison.moved),
        added=relabel(comparison.added),
        dropped=relabel(comparison.dropped),
        coverage=relabel(comparison.coverage),
        cost_per_year=relabel(comparison.cost_per_year),
    )


def comparison_section(comparison: PlanComparison, *, lang: str | None = None) -> ReportSection:
    """The comparison as a report section (id ``comparison``)."""
    with use_language(lang or current_language()) as code:
        body = _labelled(comparison, code).to_html(lang=code, heading_level=3)
        title = _("Comparison with another plan")
    return ReportSection("comparison", title, body, ORDER)


def comparison_page(comparison: PlanComparison, *, lang: str | None = None) -> str:
    """A self-contained HTML page of the comparison (styles and font inline, no URL)."""
    from regdev.fonts import font_face_css
    from regdev.reporting.parts._util import esc
    from regdev.reporting.plan_report import CSS

    with use_language(lang or current_language()) as code:
        body = _labelled(comparison, code).to_html(lang=code, heading_level=2)
        title = _("Plan {a} against plan {b}", a=comparison.label_a, b=comparison.label_b)
    font = font_face_css(title + body)
    extra = ".rd-comparison table{display:block;overflow-x:auto;max-width:100%}"
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{code}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)}</title><style>{font}{CSS}{extra}</style></head><body>"
        f"<header><h1>{esc(title)}</h1></header><main><section>{body}</section></main>"
        "</body></html>\n"
    )
