"""The factory design, compact: what it adds up to, the most common lines, each county's lines."""

from __future__ import annotations

from regdev.i18n import _
from regdev.reporting.context import ReportContext
from regdev.reporting.labels import fmt_int, fmt_num, fmt_pct
from regdev.reporting.parts._util import dossier_link, esc, h3, para, small, table
from regdev.reporting.sections import ReportSection
from regdev.units import UnitOfAccount

ORDER = 72
DESIGN_SECTION_ID = "factory-design"
TOP_LINES = 12


def _english(ctx: ReportContext, text: str) -> str:
    """A line name marked ``lang="en"`` on a Korean page.

    Line names come from the (English) line catalogue; the mark lets screen readers
    and hyphenation treat them right.
    """
    return f'<span lang="en">{esc(text)}</span>' if ctx.lang != "en" else esc(text)


def section(ctx: ReportContext) -> ReportSection | None:
    """The design's summary (``None`` without a design)."""
    result = ctx.design
    if result is None:
        return None
    from regdev.design.claims import national_claims

    fac = result.factories_frame()
    nat = national_claims(result)
    # issue 10: the plan's unit of account, not the catalogue's thousand USD
    unit = UnitOfAccount.from_dict(ctx.plan.problem.metadata.get("unit_of_account"))
    body = (
        "<p>"
        + esc(
            _(
                "The factories of {n} counties get {lines} production lines with {jobs} jobs; "
                "building them costs {capital} {unit}. Making goods in the county instead "
                "of bringing them from the capital and the province seats cuts transport from "
                "{before} to {after} million tonne-kilometres a year ({saved} less). The "
                "county's own lines meet {local} of its demand (by weight); with its neighbours' "
                "lines, {nearby}.",
                n=fmt_int(nat["n_regions"]),
                lines=fmt_int(nat["n_lines"]),
                jobs=fmt_int(nat["jobs"]),
                capital=fmt_num(unit.from_kusd(nat["capital_cost_kusd"]), 1),
                unit=unit.name,
                before=fmt_num(nat["baseline_tkm"] / 1e6, 1),
                after=fmt_num(nat["design_tkm"] / 1e6, 1),
                saved=fmt_pct(nat["tkm_saved_share"]),
                local=fmt_pct(nat["local_share"]),
                nearby=fmt_pct(nat["nearby_share"]),
            )
        )
        + "</p>"
    )
    # the designer's own claims (fair central baseline, characteristic = local), in its words
    try:
        from regdev.design.report import _characteristic_text, _fair_baseline_text

        claims = [_fair_baseline_text(nat, unit), _characteristic_text(nat)]
    except (ImportError, KeyError):  # an older designer without these claims
        claims = []
    body += "".join(para(c) for c in claims)
    assumed = list(result.problem.metadata.get("assumptions", []))
    if assumed:
        items = "".join(f"<li>{esc(a)}</li>" for a in assumed)
        head = esc(_("Assumed for missing data"))
        body += f'<div class="note"><b>{head}</b><ul>{items}</ul></div>'
    if len(fac):
        top = (
            fac.groupby("line_name")
            .agg(counties=("region_id", "nunique"), jobs=("jobs", "sum"))
            .sort_values(["counties", "jobs"], ascending=False)
        )
        rows = [
            [_english(ctx, name), fmt_int(r.counties), fmt_int(r.jobs)]
            for name, r in top.head(TOP_LINES).iterrows()
        ]
        body += h3(_("Most common production lines"))
        body += table([_("Production line"), _("Counties"), _("Jobs")], rows, cls="compact")
        if len(top) > TOP_LINES:
            body += small(
                _(
                    "{n} more line types: see the factories table in the plan folder.",
                    n=len(top) - TOP_LINES,
                )
            )
        per_county = fac.groupby("region_id")["line_name"].apply(lambda s: ", ".join(sorted(s)))
        county_rows = [
            [
                dossier_link(rid, ctx.name(rid)) if rid in ctx.regions.index else esc(rid),
                _english(ctx, lines),
            ]
            for rid, lines in sorted(
                per_county.items(),
                key=lambda kv: ctx.name(kv[0]) if kv[0] in ctx.regions.index else kv[0],
            )
        ]
        summary = esc(_("Lines of each county ({n})", n=len(county_rows)))
        body += (
            f"<details><summary>{summary}</summary>"
            + table([_("County"), _("Lines")], county_rows, left=2)
            + "</details>"
        )
    info = result.info
    body += small(
        _(
            "Design solved with {solver}: status {status}, optimality gap {gap}.",
            solver=result.solver,
            status=info.status,
            gap=fmt_pct(info.gap, 2),
        )
    )
    return ReportSection(DESIGN_SECTION_ID, _("Factory design: production lines"), body, ORDER)
