"""The first screen: the plan in plain language (what, who first and why, when, cost, assumed)."""

from __future__ import annotations

import numpy as np

from regdev.i18n import _, ngettext
from regdev.reporting.context import ReportContext
from regdev.reporting.labels import facility_label, fmt_int, fmt_num, fmt_pct, money_unit
from regdev.reporting.parts._util import dossier_link, esc, h3, small, table
from regdev.reporting.sections import ReportSection

ORDER = 10
FIRST_NAMES = 8


def _what(ctx: ReportContext) -> str:
    p = ctx.plan.problem
    sched = ctx.schedule
    counts = sched.groupby("facility").size()
    parts = [
        f"{esc(facility_label(fac))} {fmt_int(int(counts.get(fac, 0)))}"
        for fac in p.facilities
        if int(counts.get(fac, 0))
    ]
    n_prov = len(set(p.province_of.tolist()))
    text = _(
        "From {y0} to {y1} the plan builds {n} projects in {m} counties and cities of "
        "{k} provinces: {items}.",
        y0=p.years[0],
        y1=p.years[-1],
        n=fmt_int(len(sched)),
        m=fmt_int(p.n_regions),
        k=n_prov,
        items=", ".join(parts),
    )
    n_locked = int(sched["locked"].sum())
    if n_locked:
        text += " " + _(
            "{n} of them are already built or under way and stay in their real years; "
            "the plan orders the rest.",
            n=fmt_int(n_locked),
        )
    return f'<p class="lead">{text}</p>'


def _who_first(ctx: ReportContext) -> str:
    p = ctx.plan.problem
    sched = ctx.schedule
    fac = sched[(sched["facility"] == "factories") & (~sched["locked"].astype(bool))]
    if fac.empty:
        return ""
    first = int(fac["year"].min())
    last = int(fac["year"].max())
    weight = dict(zip(p.region_ids, p.equity_weight.tolist(), strict=True))
    firsts = fac[fac["year"] == first].copy()
    firsts["w"] = firsts["region_id"].map(weight)
    firsts = firsts.sort_values("w", ascending=False)
    names = []
    for r in firsts["region_id"].head(FIRST_NAMES):
        name, prov = ctx.name(r), ctx.province(ctx.regions.loc[r, "province"])
        names.append(dossier_link(r, name if prov in name else f"{name} ({prov})"))
    more = len(firsts) - len(names)
    listed = ", ".join(names)
    if more > 0:
        listed += " " + ngettext("and {n} more", "and {n} more", more, n=more)
    w_first = float(np.mean([weight[r] for r in firsts["region_id"]]))
    w_last = float(np.mean([weight[r] for r in fac.loc[fac["year"] == last, "region_id"]]))
    return (
        h3(_("Who goes first, and why"))
        + "<p>"
        + _(
            "The first new factories ({year}) go to {names}.",
            year=first,
            names=listed,
        )
        + " "
        + esc(
            _(
                "The plan puts first the counties where a project does the most good, counted "
                "as population × equity weight (less developed counties weigh more), and it "
                "keeps every province close to its fair share each year. The counties of {first} have an "
                "average equity weight of {a}, those of {last} {b}.",
                first=first,
                last=last,
                a=fmt_num(w_first, 2),
                b=fmt_num(w_last, 2),
            )
        )
        + "</p>"
        + small(
            _(
                "Equity weight: 1 is the national average; 2 means half the average development, so a project there counts twice as much."
            )
        )
    )


def _when(ctx: ReportContext) -> str:
    p = ctx.plan.problem
    yi = ctx.year_idx
    rows = []
    for f, fac in enumerate(p.facilities):
        t = yi[:, f]
        served = t >= 0
        n = int(served.sum())
        if n == 0:
            continue
        years = np.sort(np.asarray(p.years)[t[served]])
        half = int(years[(n - 1) // 2])
        full = int(years[-1])
        left = int((p.eligible[:, f] & ~served).sum())
        rows.append(
            [
                esc(facility_label(fac)),
                fmt_int(n),
                str(half),
                str(full),
                fmt_int(left) if left else "—",
            ]
        )
    if not rows:
        return ""
    return h3(_("When each facility type reaches every county")) + table(
        [
            _("Facility type"),
            _("Counties served"),
            _("Half of them by"),
            _("All of them by"),
            _("Not within the plan"),
        ],
        rows,
        cls="compact",
    )


def _cost(ctx: ReportContext) -> str:
    p = ctx.plan.problem
    by_year = ctx.schedule.groupby("year")["cost"].sum().reindex(list(p.years), fill_value=0.0)
    total = float(by_year.sum())
    if total <= 0:
        return ""
    peak_year = int(by_year.idxmax())
    peak = float(by_year.max())
    top = max(peak, 1e-9)
    bars = "".join(
        f'<div class="spark-bar" style="height:{max(2, round(60 * float(v) / top))}px" '
        f'title="{y}: {esc(fmt_num(float(v)))}"></div>'
        for y, v in by_year.items()
    )
    labels = "".join(f"<span>{str(y)[-2:]}</span>" for y in by_year.index)
    spark_label = _("Cost per year")
    return (
        h3(_("Cost profile"))
        + "<p>"
        + esc(
            _(
                "Total cost {total} {unit}; spending peaks in {year} at {peak} ({share} of "
                "the total).",
                total=fmt_num(total, 0),
                unit=money_unit(ctx.plan),
                year=peak_year,
                peak=fmt_num(peak, 0),
                share=fmt_pct(peak / total),
            )
        )
        + "</p>"
        + f'<div class="spark" role="img" aria-label="{esc(spark_label)}">{bars}</div>'
        + f'<div class="spark-x" aria-hidden="true">{labels}</div>'
    )


def _assumed(ctx: ReportContext) -> str:
    p = ctx.plan.problem
    meta = p.metadata
    sc = meta.get("scenario") or {}
    items = []
    per_year = meta.get("factories_per_year")
    if per_year:
        items.append(_("{n} new factory groups a year (the programme's pace).", n=per_year))
    eps = meta.get("epsilon")
    if eps is not None:
        items.append(
            _(
                "Inequality aversion = {eps}: how much more a less developed county counts "
                "(0 = not at all).",
                eps=eps,
            )
        )
    work = (sc.get("workload") or {}).get("max_per_county_year")
    if work:
        items.append(_("At most {n} projects in one county in one year.", n=work))
    tol = meta.get("balance_tolerance")
    if p.balance_floor is not None and tol is not None:
        items.append(
            _(
                "Every province keeps its population share of the factories, give or take {n}.",
                n=tol,
            )
        )
    if np.isfinite(p.budget).any():
        items.append(_("An annual budget limits the spending of some years."))
    else:
        items.append(_("No annual budget limit: costs are shown for information."))
    hist = sc.get("history") or {}
    if hist.get("enabled") and hist.get("years"):
        yrs = hist["years"]
        items.append(
            _("The real projects of {y0}–{y1} are kept as built.", y0=min(yrs), y1=max(yrs))
        )
    # the registry's notes in the report's language when the registry is at hand (the
    # plan's metadata holds them in the language the plan was made in); method keys such
    # as province_median are shown as words
    notes = ctx.registry.assumptions() if ctx.registry is not None else None
    for note in notes if notes is not None else meta.get("registry_assumptions", []):
        items.append(_("Region data: {note}", note=str(note).replace("_", " ")))
    lis = "".join(f"<li>{esc(i)}</li>" for i in items)
    return h3(_("What is assumed")) + f'<ul class="assumed">{lis}</ul>'


def section(ctx: ReportContext) -> ReportSection:
    """The plain-language summary."""
    body = _what(ctx) + _who_first(ctx) + _when(ctx) + _cost(ctx) + _assumed(ctx)
    return ReportSection("overview", _("The plan in brief"), body, ORDER)
