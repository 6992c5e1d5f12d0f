"""``report.html`` of a rollout plan: one self-contained, offline file.

The report is a list of :class:`~regdev.reporting.sections.ReportSection`
rendered in ``order``: overview (10), map (20), timeline (30), province
balance (40), cost per year (50), population covered (60), equity weight vs
year (70), the factory design when there is one (70), left out (75),
dossiers (80), method (90), plus any extra sections.  No external URL
anywhere: styles and the small search script are inline, charts are inline
SVG.

Reporting sits above the planner and the designer: it reads a
:class:`~regdev.planning.Plan` and a :class:`~regdev.design.DesignResult`;
neither of them imports reporting.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from regdev.planning.output import province_progress
from regdev.reporting.sections import Report, ReportSection
from regdev.reporting.svg import (
    esc,
    legend,
    lines,
    scatter,
    stacked_bars,
    type_colour,
    year_colour,
)

if TYPE_CHECKING:
    from regdev.design.result import DesignResult
    from regdev.planning.plan import Plan

DESIGN_SECTION_ID = "factory-design"
DESIGN_SECTION_TITLE = "Factory design: production lines by county"

LABEL = {
    "factories": "factories",
    "hospital": "hospital",
    "leisure_complex": "leisure complex",
    "grain_storage": "grain storage",
    "offshore_farm": "offshore farm",
}

CSS = """
body{font-family:system-ui,sans-serif;margin:0;color:#222;background:#fafafa}
header{background:#12355b;color:#fff;padding:16px 24px}
header h1{margin:0 0 4px 0;font-size:22px}
nav{padding:8px 24px;background:#e8eef5;font-size:13px}
nav a{margin-right:12px;color:#12355b}
main{padding:8px 24px;max-width:1100px}
section{background:#fff;border:1px solid #ddd;border-radius:6px;padding:12px 16px;margin:12px 0}
h2{font-size:18px;margin:4px 0 10px 0}
table{border-collapse:collapse;font-size:12px}
td,th{border:1px solid #ddd;padding:3px 6px;text-align:right}
th{background:#f0f3f7}
td.l,th.l{text-align:left}
.kpi{display:flex;flex-wrap:wrap;gap:10px}
.kpi div{background:#f0f3f7;border-radius:6px;padding:8px 12px;min-width:150px}
.kpi b{display:block;font-size:18px}
.ok{background:#e3f4e3}.tight{background:#fff2cc}.low{background:#f8d7da}
details{border-bottom:1px solid #eee;padding:3px 0}
summary{cursor:pointer}
.small{font-size:12px;color:#555}
input[type=search]{width:340px;padding:5px;font-size:14px}
svg.chart{max-width:100%;height:auto}
"""

SEARCH_JS = """
(function(){
  var box=document.getElementById('dossier-search');
  var count=document.getElementById('dossier-count');
  if(!box){return;}
  var items=Array.prototype.slice.call(document.querySelectorAll('#dossier-list details'));
  function apply(){
    var q=box.value.trim().toLowerCase(); var n=0;
    items.forEach(function(d){
      var hit=!q||d.getAttribute('data-search').indexOf(q)>=0;
      d.style.display=hit?'':'none'; if(hit){n++;}
    });
    count.textContent=n+' of '+items.length+' regions';
  }
  box.addEventListener('input',apply); apply();
})();
"""


def _unit(plan: Plan) -> str:
    """The plan's unit of account (issue 10; ``plan.json["unit_of_account"]``)."""
    return str((plan.problem.metadata.get("unit_of_account") or {}).get("name", "M USD"))


def _num(v: float | None, digits: int = 4) -> str:
    if v is None or not np.isfinite(v):
        return "—"
    return f"{v:,.{digits}f}"


def _overview(plan: Plan, schedule: pd.DataFrame) -> ReportSection:
    p = plan.problem
    greedy = plan.greedy_objective
    gain = (
        f"{100 * (plan.objective - greedy) / greedy:+.3f} %"
        if greedy and np.isfinite(plan.objective)
        else "—"
    )
    n_locked = int(schedule["locked"].sum())
    kpis = [
        ("status", plan.status),
        ("objective", _num(plan.objective)),
        ("best bound", _num(plan.bound)),
        ("gap", "—" if not np.isfinite(plan.gap) else f"{plan.gap:.2e}"),
        ("greedy baseline", _num(greedy)),
        ("optimised vs greedy", gain),
        ("programme regions", f"{p.n_regions}"),
        ("projects", f"{len(schedule)} ({n_locked} locked)"),
        ("total cost", f"{schedule['cost'].sum():,.1f} {_unit(plan)}"),
    ]
    body = (
        '<div class="kpi">'
        + "".join(f"<div>{esc(k)}<b>{esc(v)}</b></div>" for k, v in kpis)
        + "</div>"
    )
    body += (
        f'<p class="small">Objective: maximise equity-weighted benefit-years (million; sense '
        f"maximize, no offset). Scenario <b>{esc(p.metadata.get('scenario_name', 'custom'))}</b>, "
        f"horizon {p.years[0]}–{p.years[-1]}, inequality aversion ε = "
        f"{esc(p.metadata.get('epsilon', '—'))}. Solver HiGHS {esc(plan.solver.get('version', ''))} "
        f"({esc(plan.method)}). Input hash <code>{esc(p.input_hash[:16])}…</code>, regdev "
        f"{esc(p.metadata.get('regdev_version', ''))}.</p>"
    )
    # issue 17: say what the region table lacked and what was assumed in its place
    assumed = list(p.metadata.get("registry_assumptions", []))
    if assumed:
        body += (
            '<div class="tight" id="assumptions"><b>Assumed for missing data</b><ul>'
            + "".join(f"<li>{esc(a)}</li>" for a in assumed)
            + "</ul></div>"
        )
    counts = schedule.groupby(["facility", "year"]).size()
    head = "".join(f"<th>{y}</th>" for y in p.years)
    rows = ""
    for f, fac in enumerate(p.facilities):
        cells = "".join(f"<td>{int(counts.get((fac, y), 0)) or ''}</td>" for y in p.years)
        rows += f'<tr><th class="l">{esc(LABEL.get(fac, fac))}</th>{cells}<td>{int(p.capacity[f].sum())}</td></tr>'
    body += f'<table><tr><th class="l">projects per year</th>{head}<th>capacity total</th></tr>{rows}</table>'
    return ReportSection("overview", "Overview", body, 10)


def _project(
    lon: np.ndarray, lat: np.ndarray, bbox: tuple[float, float, float, float], w: int, h: int
) -> tuple[np.ndarray, np.ndarray]:
    lon0, lat0, lon1, lat1 = bbox
    k = np.cos(np.radians((lat0 + lat1) / 2))
    sx = w / ((lon1 - lon0) * k)
    sy = h / (lat1 - lat0)
    s = min(sx, sy)
    x = 10 + (lon - lon0) * k * s
    y = 10 + (lat1 - lat) * s
    return x, y


def _outline_rings() -> list[np.ndarray]:
    from regdev.registry import load_outline

    rings: list[np.ndarray] = []
    for feat in load_outline().get("features", []):
        geom = feat.get("geometry") or {}
        polys = geom.get("coordinates", [])
        if geom.get("type") == "Polygon":
            polys = [polys]
        for poly in polys:
            for ring in poly:
                rings.append(np.asarray(ring, dtype=float))
    return rings


def _map(plan: Plan, year_idx: np.ndarray) -> ReportSection:
    p = plan.problem
    if p.lat is None or p.lon is None:
        return ReportSection(
            "map", "National map", "<p>No coordinates in the region table.</p>", 20
        )
    lat, lon = p.lat, p.lon
    rings = _outline_rings()
    use_outline = False
    if rings:
        allpts = np.vstack(rings)
        inside = (
            (lon >= allpts[:, 0].min() - 0.3)
            & (lon <= allpts[:, 0].max() + 0.3)
            & (lat >= allpts[:, 1].min() - 0.3)
            & (lat <= allpts[:, 1].max() + 0.3)
        )
        use_outline = bool(inside.mean() >= 0.9)
    lons = [lon] + ([np.vstack(rings)[:, 0]] if use_outline else [])
    lats = [lat] + ([np.vstack(rings)[:, 1]] if use_outline else [])
    bbox = (
        float(min(a.min() for a in lons)) - 0.1,
        float(min(a.min() for a in lats)) - 0.1,
        float(max(a.max() for a in lons)) + 0.1,
        float(max(a.max() for a in lats)) + 0.1,
    )
    w, h = 620, 640
    parts = [
        f'<svg class="chart" viewBox="0 0 {w + 20} {h + 50}" width="{w + 20}" height="{h + 50}" role="img">'
    ]
    if use_outline:
        for ring in rings:
            x, y = _project(ring[:, 0], ring[:, 1], bbox, w, h)
            pts = " ".join(f"{a:.1f},{b:.1f}" for a, b in zip(x, y, strict=True))
            parts.append(f'<polygon points="{pts}" fill="#eef2e6" stroke="#777" stroke-width="1"/>')
    x, y = _project(lon, lat, bbox, w, h)
    r = 2.5 + 6.0 * np.sqrt(p.population / max(float(p.population.max()), 1.0))
    order = np.argsort(-p.population, kind="stable")
    fi = p.factory_index
    for i in order.tolist():
        t = int(year_idx[i, fi])
        colour = year_colour(t, p.n_years) if t >= 0 else "#999"
        yr = p.years[t] if t >= 0 else "none"
        parts.append(
            f'<circle cx="{x[i]:.1f}" cy="{y[i]:.1f}" r="{r[i]:.1f}" fill="{colour}" '
            f'stroke="#fff" stroke-width="0.6"><title>{esc(p.names[i])} ({esc(p.region_ids[i])}): '
            f"factories {yr}</title></circle>"
        )
    used = sorted({int(t) for t in year_idx[:, fi] if t >= 0})
    items = [(str(p.years[t]), year_colour(t, p.n_years)) for t in used]
    if (year_idx[:, fi] < 0).any():
        items.append(("none", "#999"))
    parts.append(legend(items, 10, h + 40))
    parts.append("</svg>")
    note = (
        '<p class="small">Each circle is a programme region (area ∝ population), coloured by the year '
        "of its regional-industry factories; hover for the name. "
        + (
            "National outline: Natural Earth 1:110m (coarse)."
            if use_outline
            else "No outline: the regions lie outside the embedded national outline."
        )
        + "</p>"
    )
    return ReportSection("map", "National map: factory year", "".join(parts) + note, 20)


def _timeline(plan: Plan, schedule: pd.DataFrame) -> ReportSection:
    p = plan.problem
    counts = schedule.groupby(["facility", "year"]).size()
    series = [
        (
            LABEL.get(fac, fac),
            [float(counts.get((fac, y), 0)) for y in p.years],
            type_colour(fac, k),
        )
        for k, fac in enumerate(p.facilities)
    ]
    tiers = " · ".join(f"{y}: tier {t}" for y, t in zip(p.years, p.tiers.tolist(), strict=True))
    body = stacked_bars([str(y) for y in p.years], series, y_label="projects")
    body += f'<p class="small">Modernisation tiers: {esc(tiers)}.</p>'
    return ReportSection("timeline", "Timeline by year and type", body, 30)


def _balance(plan: Plan) -> ReportSection:
    p = plan.problem
    prog = province_progress(plan)
    head = "".join(f"<th>{y}</th>" for y in p.years)
    rows = ""
    for prov, grp in prog.groupby("province", sort=True):
        cells = ""
        for r in grp.itertuples():
            slack = int(r.cumulative) - int(r.floor)
            cls = (
                "tight"
                if (slack == 0 and r.floor > 0)
                else ("ok" if r.cumulative >= r.candidates else "")
            )
            cells += f'<td class="{cls}" title="cumulative {r.cumulative}, floor {r.floor}">{r.cumulative}<span class="small">/{r.floor}</span></td>'
        cand = int(grp["candidates"].iloc[0])
        rows += f'<tr><th class="l">{esc(prov)}</th><td>{cand}</td>{cells}</tr>'
    tol = p.metadata.get("balance_tolerance")
    body = (
        f'<p class="small">Cumulative factory projects / balance floor (floor(share × cumulative '
        f"total) − {esc(tol)}). Yellow: exactly at the floor (the balance constraint binds); "
        f"green: every region of the province covered.</p>"
        f'<table><tr><th class="l">province</th><th>regions</th>{head}</tr>{rows}</table>'
    )
    if p.balance_floor is None:
        body = "<p>Provincial balance is switched off in this scenario.</p>" + body
    return ReportSection("balance", "Province balance over time", body, 40)


def _cost(plan: Plan, schedule: pd.DataFrame) -> ReportSection:
    p = plan.problem
    cost = schedule.groupby(["facility", "year"])["cost"].sum()
    series = [
        (
            LABEL.get(fac, fac),
            [float(cost.get((fac, y), 0.0)) for y in p.years],
            type_colour(fac, k),
        )
        for k, fac in enumerate(p.facilities)
    ]
    body = stacked_bars([str(y) for y in p.years], series, y_label=f"cost ({_unit(plan)})")
    fin = np.isfinite(p.budget)
    if fin.any():
        body += (
            f'<p class="small">Budget ({esc(_unit(plan))}): '
            + ", ".join(
                f"{y}: {b:,.1f}" for y, b, ok in zip(p.years, p.budget, fin, strict=True) if ok
            )
            + "</p>"
        )
    else:
        body += (
            '<p class="small">No annual budget in this scenario (costs shown for information).</p>'
        )
    return ReportSection("cost", "Cost per year", body, 50)


def _coverage(plan: Plan, year_idx: np.ndarray) -> ReportSection:
    p = plan.problem
    total = float(p.population.sum())
    series = []
    for k, fac in enumerate(p.facilities):
        t = year_idx[:, k]
        elig = p.eligible[:, k]
        base = float(p.population[elig].sum()) or 1.0
        vals = [
            100.0 * float(p.population[(t >= 0) & (t <= j)].sum()) / base for j in range(p.n_years)
        ]
        series.append((LABEL.get(fac, fac), vals, type_colour(fac, k)))
    body = lines(
        [str(y) for y in p.years], series, y_label="% of candidate population", y_max=100.0
    )
    body += f'<p class="small">Share of the candidates\' population (programme total {total:,.0f}) living in a region whose project of that type is complete by the end of the year.</p>'
    return ReportSection("coverage", "Cumulative population covered", body, 60)


def _equity(plan: Plan, year_idx: np.ndarray) -> ReportSection:
    p = plan.problem
    fi = p.factory_index
    pts = []
    for i in range(p.n_regions):
        t = int(year_idx[i, fi])
        if t < 0:
            continue
        jitter = ((i * 2654435761) % 1000) / 1000.0 * 0.6 - 0.3  # deterministic spread
        tip = f"{p.names[i]}: weight {p.equity_weight[i]:.2f}, factories {p.years[t]}"
        colour = "#d62728" if p.lock_year[i, fi] == t else "#1f77b4"
        pts.append((t + jitter, float(p.equity_weight[i]), colour, tip))
    ticks = [(float(t), str(y)) for t, y in enumerate(p.years)]
    body = scatter(pts, x_ticks=ticks, y_label="equity weight e")
    body += (
        '<p class="small">Equity weight (higher = less developed) against factory year; red: locked '
        "real cohorts. The order follows the equity-weighted benefit (population × weight), so a small "
        "poor county can come after a large, better-off one; the balance floors pull every province "
        "along.</p>"
    )
    return ReportSection("equity", "Equity weight vs factory year", body, 70)


def _left_out(plan: Plan) -> ReportSection:
    left = plan.left_out(allow_feasible=True)
    if left.empty:
        body = "<p>Every candidate gets every type within the horizon.</p>"
    else:
        rows = "".join(
            f'<tr><td class="l">{esc(r.region_id)}</td><td class="l">{esc(r.facility)}</td><td class="l">{esc(r.reason)}</td></tr>'
            for r in left.itertuples()
        )
        body = f'<table><tr><th class="l">region</th><th class="l">facility</th><th class="l">why</th></tr>{rows}</table>'
    return ReportSection("left-out", "Left out", body, 75)


def _dossier_html(d: dict[str, Any]) -> str:
    proj = d.get("projects", {})
    rows = ""
    for fac, pr in proj.items():
        lock = f"locked ({pr.get('lock_source')})" if pr.get("locked") else ""
        rows += (
            f'<tr><td class="l">{esc(LABEL.get(fac, fac))}</td><td>{pr["year"]}</td><td>{pr["tier"]}</td>'
            f"<td>{pr['size']:,.0f}</td><td>{pr['cost']:,.2f}</td><td>{pr['value']:.4f}</td>"
            f'<td class="l">{esc(", ".join(pr.get("binding", [])))}</td><td class="l">{esc(lock)}</td></tr>'
        )
    extra = ""
    mv = d.get("move_factory_earlier")
    if mv:
        if mv.get("feasible"):
            extra += (
                f"<p>Moving the factories from {mv['from_year']} to {mv['to_year']} costs "
                f"{mv['cost']:.6f} (objective units; {100 * (mv.get('cost_share') or 0):.5f} % of the objective).</p>"
            )
        else:
            extra += (
                f"<p>Moving the factories earlier: not possible ({esc(mv.get('reason', ''))}).</p>"
            )
    if d.get("done_before_horizon"):
        done = ", ".join(LABEL.get(f, f) for f in d["done_before_horizon"])
        extra += f"<p>Built before the horizon (real cohorts): {esc(done)}.</p>"
    for fac, why in d.get("left_out", {}).items():
        extra += f"<p>No {esc(LABEL.get(fac, fac))} within the horizon: {esc(why)}</p>"
    known = {
        "region_id",
        "name",
        "province",
        "population",
        "development_index",
        "equity_weight",
        "equity_rank",
        "projects",
        "left_out",
        "not_candidate",
        "binding",
        "move_factory_earlier",
        "done_before_horizon",
    }
    for key in sorted(k for k in d if k not in known):
        extra += f'<p class="small"><b>{esc(key)}</b>: {esc(json.dumps(d[key], sort_keys=True, ensure_ascii=False))[:2000]}</p>'
    return (
        f"<p>{esc(d['province'])} · population {d['population']:,.0f} · development index "
        f"{d['development_index']:.3f} · equity weight {d['equity_weight']:.3f} (rank {d['equity_rank']})</p>"
        f'<table><tr><th class="l">type</th><th>year</th><th>tier</th><th>size</th><th>cost</th>'
        f'<th>value</th><th class="l">binding</th><th class="l">lock</th></tr>{rows}</table>{extra}'
    )


def _dossiers(plan: Plan, dossiers: list[dict[str, Any]]) -> ReportSection:
    items = []
    for d in dossiers:
        fy = d.get("projects", {}).get("factories", {}).get("year", "—")
        search = " ".join([d["region_id"], d["name"], d["province"], str(fy)]).lower()
        items.append(
            f'<details data-search="{esc(search)}"><summary><b>{esc(d["name"])}</b> '
            f'<span class="small">{esc(d["region_id"])} · {esc(d["province"])} · factories {fy} · '
            f"binding: {esc(', '.join(d.get('binding', [])) or 'none')}</span></summary>"
            f"{_dossier_html(d)}</details>"
        )
    counts = {fam: 0 for fam in ("capacity", "balance", "budget", "workload", "lock")}
    for d in dossiers:
        for fam in d.get("binding", []):
            counts[fam] = counts.get(fam, 0) + 1
    summary = ", ".join(f"{fam} {n}" for fam, n in counts.items())
    body = (
        f'<p class="small">Regions for which a family binds: {esc(summary)} (of {len(dossiers)}).</p>'
        '<p><input type="search" id="dossier-search" placeholder="Search region, province or year…" '
        'aria-label="search dossiers"> <span id="dossier-count" class="small"></span></p>'
        '<p class="small">Binding families: the constraint family that keeps a project from an '
        "earlier year (capacity, workload, budget), holds the province at its balance floor, or a lock. "
        "The cost of moving the factories one year earlier is computed by re-solving with that "
        "assignment forced (shown for the lowest-ranked regions scheduled last; any region with "
        "<code>regdev plan explain REGION</code>).</p>"
        f'<div id="dossier-list">{"".join(items)}</div>'
    )
    return ReportSection("dossiers", "Region dossiers", body, 80)


def _method(plan: Plan) -> ReportSection:
    body = (
        "<p>Decisions x[c,f,y] ∈ {0,1}: region c completes a project of type f in year y. "
        "Constraints: coverage (each candidate once, exactly once where capacity allows); annual "
        "capacity (factories: exactly the cadence, 20 a year while enough regions remain); at most k "
        "projects per region and year; provincial balance of the cumulative factory count; optional "
        "annual budget; locked and forbidden assignments. Objective: maximise Σ benefit · e · "
        "(last year − y + 1) · x with e = (d / mean d)^(−ε). The model ships as model.mps "
        "(OBJSENSE MAX, no offset), so another solver re-solving it finds the same optimum.</p>"
        f'<p class="small">{esc(plan.model.n_cols if plan.model else 0)} variables, '
        f"{esc(plan.model.n_rows if plan.model else 0)} constraints.</p>"
    )
    return ReportSection("method", "Method", body, 90)


def _design(design: DesignResult) -> ReportSection:
    from regdev.design.report import section_body

    body = section_body(design)
    # issue 17: what the designer assumed for missing data (e.g. no coordinates: no trade)
    assumed = list(design.problem.metadata.get("assumptions", []))
    if assumed:
        items = "".join(f"<li>{esc(a)}</li>" for a in assumed)
        body = f'<div class="tight"><b>Assumed for missing data</b><ul>{items}</ul></div>' + body
    return ReportSection(DESIGN_SECTION_ID, DESIGN_SECTION_TITLE, body, order=70)


def build_report_sections(
    plan: Plan,
    dossiers: list[dict[str, Any]],
    *,
    schedule: pd.DataFrame | None = None,
    design: DesignResult | None = None,
    extra_sections: list[ReportSection] | tuple[ReportSection, ...] = (),
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
    """
    sched = plan.schedule_frame(allow_feasible=True) if schedule is None else schedule
    year_idx = plan.year_index(allow_feasible=True)
    sections = [
        _overview(plan, sched),
        _map(plan, year_idx),
        _timeline(plan, sched),
        _balance(plan),
        _cost(plan, sched),
        _coverage(plan, year_idx),
        _equity(plan, year_idx),
        _left_out(plan),
        _dossiers(plan, dossiers),
        _method(plan),
        *([_design(design)] if design is not None else []),
        *extra_sections,
    ]
    sections.sort(key=lambda s: (s.order, s.id))
    return sections


def render_report(
    plan: Plan,
    sections: list[ReportSection] | tuple[ReportSection, ...],
    *,
    title: str | None = None,
) -> str:
    """The HTML document of ``sections`` (in the order given) with the plan's header."""
    p = plan.problem
    heading = title or f"Regional development rollout plan {p.years[0]}–{p.years[-1]}"
    nav = "".join(f'<a href="#{esc(s.id)}">{esc(s.title)}</a>' for s in sections)
    body = "".join(
        f'<section id="{esc(s.id)}"><h2>{esc(s.title)}</h2>{s.html}</section>' for s in sections
    )
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(heading)}</title><style>{CSS}</style></head><body>"
        f"<header><h1>{esc(heading)}</h1><div>status {esc(plan.status)} · objective "
        f"{_num(plan.objective)} · gap {'—' if not np.isfinite(plan.gap) else f'{plan.gap:.2e}'} · "
        f"{p.n_regions} programme regions</div></header><nav>{nav}</nav><main>{body}</main>"
        f"<script>{SEARCH_JS}</script></body></html>\n"
    )


def build_report(
    plan: Plan,
    dossiers: list[dict[str, Any]],
    *,
    schedule: pd.DataFrame | None = None,
    design: DesignResult | None = None,
    extra_sections: list[ReportSection] | tuple[ReportSection, ...] = (),
    title: str | None = None,
) -> Report:
    """Build the report of ``plan``: its sections and the rendered document.

    Parameters are those of :func:`build_report_sections`, plus ``title``.

    Returns
    -------
    Report
    """
    sections = build_report_sections(
        plan, dossiers, schedule=schedule, design=design, extra_sections=extra_sections
    )
    return Report(html=render_report(plan, sections, title=title), sections=tuple(sections))


def build_plan_report(
    plan: Plan,
    dossiers: list[dict[str, Any]],
    *,
    schedule: pd.DataFrame | None = None,
    design: DesignResult | None = None,
    extra_sections: list[ReportSection] | tuple[ReportSection, ...] = (),
    title: str | None = None,
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
    ).html
