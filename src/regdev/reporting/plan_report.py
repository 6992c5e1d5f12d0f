"""``report.html`` of a rollout plan: one self-contained, offline briefing, Korean or English.

The report is a list of :class:`~regdev.reporting.sections.ReportSection`, one per module
of :mod:`regdev.reporting.parts`, sorted by ``order``: the plan in brief (10, the first
screen, in plain language), the factory-year map (20), coverage maps by facility type
(22), the Gantt timeline (30), province balance (40), cost per year (50), population
covered (60), equity weight vs year (70), the factory design when there is one (72),
what is not within the plan (75), county dossiers (80), further plan-folder tables (88)
and the method with the solver's figures (90), plus any extra sections.

Language: the current :mod:`regdev.i18n` language (``regdev --lang ko plan``) or ``lang=``;
every label goes through the ``report`` message domain, ``<html lang>`` is set, and the
bundled Korean font is inlined (cut to the page's characters).  No external URL
anywhere: styles and the small search script are inline, charts and maps inline SVG.
A print stylesheet opens every dossier and drops the navigation.

Reporting sits above the planner and the designer: it reads a
:class:`~regdev.planning.Plan` and a :class:`~regdev.design.DesignResult`;
neither of them imports reporting.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import pandas as pd

from regdev.fonts import FONT_STACK, font_face_css
from regdev.i18n import _, current_language, use_language
from regdev.reporting.context import ReportContext
from regdev.reporting.parts.design import DESIGN_SECTION_ID
from regdev.reporting.sections import Report, ReportSection
from regdev.reporting.svg import esc

if TYPE_CHECKING:
    from regdev.design.result import DesignResult
    from regdev.planning.plan import Plan
    from regdev.registry import RegionRegistry

__all__ = [
    "CSS",
    "DESIGN_SECTION_ID",
    "build_plan_report",
    "build_report",
    "build_report_sections",
    "render_report",
]

CSS = """
*{box-sizing:border-box}
body{font-family:FONTSTACK;margin:0;color:#1d1d1d;background:#f6f6f3;line-height:1.5}
.skip{position:absolute;left:-999px;top:0;background:#fff;padding:6px}
.skip:focus{left:8px;z-index:2}
header{background:#12355b;color:#fff;padding:16px 20px}
header h1{margin:0 0 4px 0;font-size:22px;line-height:1.3}
header p{margin:0;font-size:14px;opacity:.9}
nav{padding:8px 20px;background:#e4ebf3;font-size:13px;display:flex;flex-wrap:wrap;gap:4px 14px}
nav a{color:#12355b}
main{padding:8px 20px;max-width:1120px;margin:0 auto}
section{background:#fff;border:1px solid #d8d8d2;border-radius:6px;padding:12px 16px;margin:12px 0;
  overflow-wrap:anywhere;min-width:0}
html[lang=ko] body{word-break:keep-all}
h2{font-size:19px;margin:4px 0 10px 0}
h3{font-size:16px;margin:16px 0 6px 0}
p.lead{font-size:16px}
.scroll{overflow-x:auto;max-width:100%}
table{border-collapse:collapse;font-size:13px;margin:4px 0}
caption{text-align:left;font-weight:bold}
td,th{border:1px solid #d8d8d2;padding:3px 7px;text-align:right;vertical-align:top;
  overflow-wrap:normal;word-break:keep-all}
th{background:#eef1f5}
td.l,th.l{text-align:left}
table.compact td,table.compact th{white-space:normal}
.tight{background:#fff2cc}.ok{background:#e3f4e3}
.note{background:#fff8e1;border-left:4px solid #c99a00;padding:4px 10px;margin:8px 0}
details{border-bottom:1px solid #eee;padding:4px 0}
summary{cursor:pointer;padding:2px 0}
.small{font-size:12.5px;color:#4a4a4a}
input[type=search]{width:100%;max-width:340px;padding:6px;font-size:15px;border:1px solid #6b6b6b;border-radius:4px}
svg{max-width:100%;height:auto}
.scroll svg.gantt{max-width:none;min-width:560px;width:100%}
table.num td{white-space:nowrap}
svg text{font-family:FONTSTACK}
svg .ax{font-size:12px}
svg .val{font-size:11px;fill:#fff;font-weight:bold;paint-order:stroke;stroke:#0b3a5c;stroke-width:2px}
.map-grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(280px,1fr));gap:12px}
figure{margin:0}figcaption{font-weight:bold;margin:4px 0}
.spark{display:flex;align-items:flex-end;gap:4px;height:64px;max-width:520px}
.spark-bar{flex:1;background:#0072B2;border-radius:2px 2px 0 0}
.spark-x{display:flex;gap:4px;max-width:520px;font-size:11px;color:#4a4a4a}
.spark-x span{flex:1;text-align:center}
.key{display:inline-block;width:10px;height:10px;margin:0 4px 0 8px}
a{color:#0b5394}
.rd-comparison table{display:block;overflow-x:auto;max-width:100%}
@media (max-width:600px){main{padding:4px 8px}section{padding:10px}header{padding:12px}
  nav{padding:8px 12px}}
@media print{
  nav,.skip,#dossier-search,label[for=dossier-search],#dossier-count{display:none}
  header{background:none;color:#000;border-bottom:2px solid #000}
  body{background:#fff}
  section{border:none;break-inside:auto;page-break-inside:auto;padding:0}
  section>h2{break-after:avoid}
  details{display:block!important}
  details>summary{list-style:none;font-weight:bold}
  .scroll{overflow:visible}
  svg,table,figure{break-inside:avoid}
  a{color:#000;text-decoration:none}
}
""".replace("FONTSTACK", FONT_STACK)

PRINT_JS = """
window.addEventListener('beforeprint',function(){
  document.querySelectorAll('details').forEach(function(d){d.open=true;});
});
"""


def _context(
    plan: Plan,
    dossiers: list[dict[str, Any]],
    *,
    schedule: pd.DataFrame | None,
    design: DesignResult | None,
    registry: RegionRegistry | None,
    tables: Mapping[str, pd.DataFrame] | None,
    lang: str,
) -> ReportContext:
    sched = plan.schedule_frame(allow_feasible=True) if schedule is None else schedule
    return ReportContext(
        plan=plan,
        schedule=sched,
        dossiers=list(dossiers),
        lang=lang,
        design=design,
        registry=registry,
        tables=dict(tables or {}),
    )


def build_report_sections(
    plan: Plan,
    dossiers: list[dict[str, Any]],
    *,
    schedule: pd.DataFrame | None = None,
    design: DesignResult | None = None,
    extra_sections: list[ReportSection] | tuple[ReportSection, ...] = (),
    registry: RegionRegistry | None = None,
    tables: Mapping[str, pd.DataFrame] | None = None,
    lang: str | None = None,
) -> list[ReportSection]:
    """The sections of ``report.html``, in document order.

    Parameters
    ----------
    plan : Plan
        A plan with a solution.
    dossiers : list of dict
        From :func:`regdev.planning.explain.build_dossiers` (with the design's
        entries merged in, when there is a design).
    schedule : pandas.DataFrame, optional
        ``plan.schedule_frame(allow_feasible=True)`` (computed when omitted).
    design : DesignResult, optional
        The plan's factory design: adds the factory-design section.
    extra_sections : sequence of ReportSection
        More sections, merged by ``order``.
    registry : RegionRegistry, optional
        The regions planned with (Korean names, province codes); default: the embedded
        country when it holds the plan's regions.
    tables : mapping of str to DataFrame, optional
        Further plan-folder tables (``PlanResult.tables``); tables no section knows are
        listed in "Further tables".
    lang : {"ko", "en"}, optional
        Language (default: the current one).
    """
    from regdev.reporting.parts import BUILDERS

    with use_language(lang or current_language()) as code:
        ctx = _context(
            plan,
            dossiers,
            schedule=schedule,
            design=design,
            registry=registry,
            tables=tables,
            lang=code,
        )
        sections = [s for build in BUILDERS if (s := build(ctx)) is not None]
    sections.extend(extra_sections)
    sections.sort(key=lambda s: (s.order, s.id))
    return sections


def render_report(
    plan: Plan,
    sections: list[ReportSection] | tuple[ReportSection, ...],
    *,
    title: str | None = None,
    lang: str | None = None,
) -> str:
    """The HTML document of ``sections`` (in the order given) with the plan's header."""
    p = plan.problem
    with use_language(lang or current_language()) as code:
        heading = title or _("Regional development plan {y0}–{y1}", y0=p.years[0], y1=p.years[-1])
        sub = _(
            "{n} counties and cities · status: {status}",
            n=p.n_regions,
            status=_("optimal") if plan.status == "optimal" else plan.status,
        )
        nav_label = _("Contents")
        skip = _("Skip to the plan in brief")
    nav = "".join(f'<a href="#{esc(s.id)}">{esc(s.title)}</a>' for s in sections)
    first = sections[0].id if sections else "main"
    body = "".join(
        f'<section id="{esc(s.id)}" aria-labelledby="h-{esc(s.id)}">'
        f'<h2 id="h-{esc(s.id)}">{esc(s.title)}</h2>{s.html}</section>'
        for s in sections
    )
    text = heading + sub + body
    font = font_face_css(text)
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{code}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(heading)}</title><style>{font}{CSS}</style></head><body>"
        f'<a class="skip" href="#{esc(first)}">{esc(skip)}</a>'
        f"<header><h1>{esc(heading)}</h1><p>{esc(sub)}</p></header>"
        f'<nav aria-label="{esc(nav_label)}">{nav}</nav><main id="main">{body}</main>'
        f"<script>{PRINT_JS}</script></body></html>\n"
    )


def build_report(
    plan: Plan,
    dossiers: list[dict[str, Any]],
    *,
    schedule: pd.DataFrame | None = None,
    design: DesignResult | None = None,
    extra_sections: list[ReportSection] | tuple[ReportSection, ...] = (),
    title: str | None = None,
    registry: RegionRegistry | None = None,
    tables: Mapping[str, pd.DataFrame] | None = None,
    lang: str | None = None,
) -> Report:
    """Build the report of ``plan``: its sections and the rendered document.

    Parameters are those of :func:`build_report_sections`, plus ``title``.

    Returns
    -------
    Report
    """
    code = lang or current_language()
    sections = build_report_sections(
        plan,
        dossiers,
        schedule=schedule,
        design=design,
        extra_sections=extra_sections,
        registry=registry,
        tables=tables,
        lang=code,
    )
    return Report(
        html=render_report(plan, sections, title=title, lang=code), sections=tuple(sections)
    )


def build_plan_report(
    plan: Plan,
    dossiers: list[dict[str, Any]],
    *,
    schedule: pd.DataFrame | None = None,
    design: DesignResult | None = None,
    extra_sections: list[ReportSection] | tuple[ReportSection, ...] = (),
    title: str | None = None,
    registry: RegionRegistry | None = None,
    tables: Mapping[str, pd.DataFrame] | None = None,
    lang: str | None = None,
) -> str:
    """Render ``report.html`` of ``plan`` (the HTML of :func:`build_report`).

    Returns
    -------
    str
        The HTML document (UTF-8 text, no external reference).
    """
    return build_report(
        plan,
        dossiers,
        schedule=schedule,
        design=design,
        extra_sections=extra_sections,
        title=title,
        registry=registry,
        tables=tables,
        lang=lang,
    ).html
