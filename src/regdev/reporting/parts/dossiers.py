"""Region dossiers: each county in sentences with units, searchable, one anchor each."""

from __future__ import annotations

from typing import Any

from regdev.i18n import _
from regdev.reporting.context import ReportContext, left_out_reason
from regdev.reporting.labels import (
    facility_label,
    family_label,
    fmt_int,
    fmt_num,
    fmt_pct,
    lock_label,
    money_unit,
    unit_label,
)
from regdev.reporting.parts._util import esc, para, small
from regdev.reporting.sections import ReportSection

ORDER = 80
TIE_SHARE = 1e-4
"""A move-earlier cost below this share of the objective (0.01 %) is called a tie."""

SEARCH_JS = """
(function(){
  var box=document.getElementById('dossier-search');
  var count=document.getElementById('dossier-count');
  if(!box){return;}
  var items=Array.prototype.slice.call(document.querySelectorAll('#dossier-list details'));
  var tpl=count.getAttribute('data-template');
  function apply(){
    var q=box.value.trim().toLowerCase(); var n=0;
    items.forEach(function(d){
      var hit=!q||d.getAttribute('data-search').indexOf(q)>=0;
      d.style.display=hit?'':'none'; if(hit){n++;}
    });
    count.textContent=tpl.replace('{n}',n).replace('{m}',items.length);
  }
  box.addEventListener('input',apply); apply();
  function openHash(){
    var id=decodeURIComponent(location.hash.slice(1));
    var el=id&&document.getElementById(id);
    if(el&&el.tagName==='DETAILS'){el.open=true;el.scrollIntoView();}
  }
  window.addEventListener('hashchange',openHash); openHash();
})();
"""


def _project(ctx: ReportContext, fac: str, pr: dict[str, Any]) -> str:
    unit = ctx.units.get(fac)
    size = (
        _("size {size} {unit}", size=fmt_int(pr["size"]), unit=unit_label(unit))
        if unit and pr.get("size")
        else ""
    )
    text = _(
        "{facility}: completed in {year} (modernisation tier {tier}); {size}cost {cost} {unit}; "
        "it adds {value} million weighted person-years to the plan's goal.",
        facility=facility_label(fac),
        year=pr["year"],
        tier=pr["tier"],
        size=(size + "; ") if size else "",
        cost=fmt_num(pr["cost"], 2),
        unit=money_unit(ctx.plan),
        value=fmt_num(pr["value"], 3),
    )
    if pr.get("locked"):
        text += " " + _("Its year is fixed: {why}.", why=lock_label(pr.get("lock_source")))
    else:
        why = [f for f in pr.get("binding", []) if f != "lock"]
        if why:
            text += " " + _(
                "Not earlier because {reasons}.",
                reasons=_(" and ").join(family_label(f) for f in why),
            )
    return f"<li>{esc(text)}</li>"


def _move(mv: dict[str, Any] | None) -> str:
    if not mv:
        return ""
    if not mv.get("feasible"):
        return ""
    share = float(mv.get("cost_share") or 0.0)
    if share < TIE_SHARE:
        text = _(
            "Moving its factories from {a} to {b} would change the plan's total benefit by "
            "only {pct}: a tie — another county of similar claim would take the later year.",
            a=mv["from_year"],
            b=mv["to_year"],
            pct=fmt_pct(share, 4),
        )
    else:
        text = _(
            "Moving its factories from {a} to {b} would lower the plan's total benefit by {pct} "
            "({cost} million weighted person-years).",
            a=mv["from_year"],
            b=mv["to_year"],
            pct=fmt_pct(share, 3),
            cost=fmt_num(float(mv.get("cost") or 0.0), 4),
        )
    return f"<p>{esc(text)}</p>"


def _design(ctx: ReportContext, d: dict[str, Any]) -> str:
    """The county's production lines in words (from the design, when there is one)."""
    fd = d.get("factory_design")
    lines = ctx.design_lines.get(d["region_id"], [])
    if not lines or not isinstance(fd, dict):
        return ""
    text = _(
        "Factory design: {n} production lines with {jobs} jobs, capital cost {capital} "
        "{unit}: {lines}.",
        n=len(lines),
        jobs=fmt_int(fd.get("jobs")),
        capital=fmt_num(fd.get("capital_cost"), 2),
        unit=money_unit(ctx.plan),
        lines="; ".join(lines),
    )
    return f"<p>{esc(text)}</p>"


def dossier_html(ctx: ReportContext, d: dict[str, Any]) -> str:
    """A dossier's body: sentences with units, every value defined."""
    rid = d["region_id"]
    n = ctx.plan.problem.n_regions
    intro = _(
        "{name} ({province}) has {pop} inhabitants. Its development index is {dev} (the "
        "national average is 1; lower means less developed), so its equity weight is {w}: "
        "rank {rank} of {n} in claim to go early.",
        name=ctx.name(rid),
        province=ctx.province(d["province"]),
        pop=fmt_int(d["population"]),
        dev=fmt_num(d["development_index"], 2),
        w=fmt_num(d["equity_weight"], 2),
        rank=d["equity_rank"],
        n=n,
    )
    items = "".join(_project(ctx, fac, pr) for fac, pr in d.get("projects", {}).items())
    extra = ""
    done = d.get("done_before_horizon") or []
    if done:
        extra += (
            "<p>"
            + esc(
                _(
                    "Built before the plan began: {types}.",
                    types=", ".join(facility_label(f) for f in done),
                )
            )
            + "</p>"
        )
    for fac in d.get("left_out") or {}:
        why = (
            left_out_reason(ctx, rid, fac)
            if fac in ctx.plan.problem.facilities
            else str(d["left_out"][fac])
        )
        extra += para(
            _("No {facility} within the plan: {why}", facility=facility_label(fac), why=why)
        )
    nc = [f for f in d.get("not_candidate") or [] if f not in done]
    if nc:
        extra += (
            "<p>"
            + esc(
                _("Not a candidate for: {types}.", types=", ".join(facility_label(f) for f in nc))
            )
            + "</p>"
        )
    return (
        f"<p>{esc(intro)}</p><ul>{items}</ul>{_move(d.get('move_factory_earlier'))}"
        f"{_design(ctx, d)}{extra}"
    )


def section(ctx: ReportContext) -> ReportSection:
    """Every dossier, collapsed, with a search box."""
    items = []
    for d in ctx.dossiers:
        rid = d["region_id"]
        fy = d.get("projects", {}).get("factories", {}).get("year")
        name = ctx.name(rid)
        prov = ctx.province(d["province"])
        search = " ".join([name, str(d["name"]), prov, str(d["province"]), str(fy or "")]).lower()
        when = _("factories {year}", year=fy) if fy else _("no factories in the plan")
        items.append(
            f'<details id="dossier-{esc(rid)}" data-search="{esc(search)}"><summary>'
            f'<b>{esc(name)}</b> <span class="small">{esc(prov)} · {esc(when)}</span>'
            f"</summary>{dossier_html(ctx, d)}</details>"
        )
    n = len(items)
    search_label = _("Search")
    placeholder = _("County, province or year")
    template = _("{n} of {m} counties")
    body = (
        small(
            _(
                "Value: a project counts its population × its type weight × the equity weight × the years it is in use until the plan ends, in million weighted person-years; the plan maximises the sum."
            )
        )
        + f'<p><label for="dossier-search">{esc(search_label)}</label> '
        f'<input type="search" id="dossier-search" placeholder="{esc(placeholder)}"> '
        f'<span id="dossier-count" class="small" aria-live="polite" '
        f'data-template="{esc(template)}">{n}</span></p>'
        f'<div id="dossier-list">{"".join(items)}</div>'
        f"<script>{SEARCH_JS}</script>"
    )
    return ReportSection("dossiers", _("County dossiers"), body, ORDER)
