"""Page models of the dashboard: what each page shows, independent of HTTP.

A builder (``build_national``, ``build_province``, ``build_county``) queries the
database once and returns a :class:`Page`: key figures, SVG figures, tables and
forms, in display order.  The HTML template renders the page; the CSV route calls
the same builder and serialises one of its tables, so downloads always match the
screen.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any

from markupsafe import Markup
from sqlalchemy.orm import Session

from regdev.errors import NotFoundError
from regdev.monitoring.dashboard import queries as q
from regdev.monitoring.dashboard.charts import Series, monthly_output_chart, stacked_bars
from regdev.monitoring.dashboard.forms import FORMS, FormState
from regdev.monitoring.dashboard.svgmap import STATE_COLOURS, MapPoint, dominant_state, render_map
from regdev.monitoring.dashboard.tables import Column, Table
from regdev.monitoring.guard import csrf_for_user
from regdev.monitoring.models import (
    PROJECT_STATES,
    GrainStatus,
    Project,
    Province,
    QualityRecord,
    Region,
    Site,
    Survey,
    User,
)

__all__ = [
    "Block",
    "Page",
    "build_county",
    "build_national",
    "build_province",
    "county_form_state",
    "county_table",
    "operations_table",
    "production_block",
]

#: Milestones recorded as planned/actual dates on a project.
DATED_MILESTONES: tuple[str, ...] = ("groundbreaking", "construction", "inauguration")
#: Facilities that produce goods (production, quality and survey forms list only these).
PRODUCING: tuple[str, ...] = ("factories", "offshore_farm", "other")
#: Forms about production, quality and customers.
PRODUCING_FORMS: tuple[str, ...] = ("production", "quality", "survey")
#: How many months of production the county chart shows.
CHART_MONTHS = 24


@dataclass
class Block:
    """One card of a page: a figure, a table, a form or raw markup."""

    id: str
    title: str
    kind: str
    body: Any
    span: bool = False
    note: str = ""
    refresh_url: str | None = None
    refresh_on: str = ""


@dataclass
class Page:
    """A dashboard page ready to render."""

    title: str
    csv_base: str
    crumbs: list[tuple[str, str | None]] = field(default_factory=list)
    kpis: list[tuple[str, str]] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)

    def csv_url(self, name: str) -> str:
        """Download URL of table ``name``."""
        return f"{self.csv_base}/{name}.csv"

    def tables(self) -> dict[str, Table]:
        """Every table on the page by name (figures' data tables included)."""
        return {b.body.name: b.body for b in self.blocks if b.kind == "table"}


@lru_cache(maxsize=1)
def _outline() -> dict[str, Any]:
    from regdev.registry import load_outline

    return load_outline()


def _state_series(groups: Mapping[str, Mapping[str, int]]) -> list[Series]:
    keys = list(groups)
    return [
        Series(s, [float(groups[k].get(s, 0)) for k in keys], STATE_COLOURS[s])
        for s in PROJECT_STATES
        if any(groups[k].get(s, 0) for k in keys)
    ]


def _state_table(
    name: str,
    title: str,
    key_col: Column,
    groups: Mapping[str, Mapping[str, int]],
    links: list[str | None] | None = None,
) -> Table:
    cols = (
        [key_col]
        + [Column(s, s, "int") for s in PROJECT_STATES]
        + [Column("total", "total", "int")]
    )
    rows = [
        (k, *(groups[k].get(s, 0) for s in PROJECT_STATES), sum(groups[k].values())) for k in groups
    ]
    return Table(name, title, cols, rows, {key_col.key: links} if links else {})


def _timing_table(name: str, timing: Sequence[q.CohortTiming]) -> Table:
    return Table(
        name,
        "Cohorts: planned vs actual inauguration",
        [
            Column("cohort_year", "Cohort"),
            Column("n_projects", "Projects", "int"),
            Column("n_due", "Due", "int"),
            Column("n_inaugurated", "Inaugurated", "int"),
            Column("n_on_time", "On time", "int"),
            Column("on_time_share", "On-time share", "pct"),
            Column("mean_slip_days", "Mean slip (days)", "num"),
        ],
        [
            (
                t.cohort_year,
                t.n_projects,
                t.n_due,
                t.n_inaugurated,
                t.n_on_time,
                t.on_time_share,
                t.mean_slip_days,
            )
            for t in timing
        ],
    )


def _timing_chart(timing: Sequence[q.CohortTiming]) -> Markup:
    cats = [str(t.cohort_year) for t in timing]
    on = [100.0 * (t.on_time_share or 0.0) if t.n_due else 0.0 for t in timing]
    late = [100.0 - v if t.n_due else 0.0 for v, t in zip(on, timing, strict=True)]
    return stacked_bars(
        cats,
        [Series("on time", on, "#31a354"), Series("late or overdue", late, "#fd8d3c")],
        title="On-time share of due projects by cohort",
        y_max=100.0,
        unit="%",
        height=200.0,
    )


def _points(
    regions: Sequence[Region], counts: Mapping[str, Mapping[str, int]], base: str
) -> list[MapPoint]:
    pts: list[MapPoint] = []
    for r in regions:
        if r.lat is None or r.lon is None:
            continue
        c = counts.get(r.id, {})
        n = sum(c.values())
        pts.append(
            MapPoint(
                r.id,
                r.name,
                float(r.lon),
                float(r.lat),
                dominant_state(c),
                href=f"{base}/county/{r.id}",
                detail=f"{n} project{'s' if n != 1 else ''}",
            )
        )
    # draw regions without projects first so coloured symbols sit on top
    pts.sort(key=lambda p: p.state != "none")
    return pts


def _bounds(
    regions: Sequence[Region], pad: float = 0.25
) -> tuple[float, float, float, float] | None:
    lons = [float(r.lon) for r in regions if r.lon is not None]
    lats = [float(r.lat) for r in regions if r.lat is not None]
    if not lons:
        return None
    return min(lons) - pad, min(lats) - pad, max(lons) + pad, max(lats) + pad


def _share(timing: Sequence[q.CohortTiming]) -> str:
    due = sum(t.n_due for t in timing)
    on = sum(t.n_on_time for t in timing)
    return f"{100.0 * on / due:.0f}%" if due else "–"


def build_national(session: Session, user: User, *, base: str) -> Page:
    """The national overview: map, progress by year and province, cohort on-time share."""
    regions = q.regions(session)
    counts = q.region_state_counts(session, user)
    by_year = q.state_counts_by(session, user, by="year")
    by_prov = q.state_counts_by(session, user, by="province")
    timing = q.cohort_timing(session, user)
    prov_ids = {p.name: p.id for p in q.provinces(session)}
    n_proj = sum(sum(c.values()) for c in counts.values())
    n_oper = sum(c.get("operating", 0) for c in counts.values())
    page = Page("National overview / 전국 현황", csv_base=f"{base}/csv")
    page.kpis = [
        ("projects tracked", f"{n_proj:,}"),
        ("operating", f"{n_oper:,}"),
        ("regions with a project", f"{sum(1 for c in counts.values() if c)} / {len(regions)}"),
        ("on-time share (due projects)", _share(timing)),
    ]
    page.blocks = [
        Block(
            "map",
            "Cities and counties by most advanced project state",
            "figure",
            render_map(_points(regions, counts, base), _outline(), width=440.0),
            note="Click a symbol to open the county page.",
        ),
        Block(
            "chart-year",
            "Progress by cohort year",
            "figure",
            stacked_bars(
                list(by_year), _state_series(by_year), title="Projects by cohort year and state"
            ),
        ),
        Block(
            "chart-province",
            "Progress by province",
            "figure",
            stacked_bars(
                list(by_prov),
                _state_series(by_prov),
                title="Projects by province and state",
                horizontal=True,
                height=40.0 + 22.0 * max(len(by_prov), 1),
            ),
        ),
        Block("chart-cohort", "Cohort on-time share", "figure", _timing_chart(timing)),
        Block(
            "t-year",
            "",
            "table",
            _state_table(
                "progress_by_year",
                "Progress by cohort year",
                Column("cohort_year", "Cohort"),
                by_year,
            ),
        ),
        Block(
            "t-province",
            "",
            "table",
            _state_table(
                "progress_by_province",
                "Progress by province",
                Column("province", "Province"),
                by_prov,
                [f"{base}/province/{prov_ids[p]}" if p in prov_ids else None for p in by_prov],
            ),
        ),
        Block("t-cohort", "", "table", _timing_table("cohort_on_time", timing)),
        Block(
            "t-regions",
            "",
            "table",
            _regions_table(
                [r for r in regions if r.id in counts],
                counts,
                {pid: name for name, pid in prov_ids.items()},
                base,
            ),
            span=True,
        ),
    ]
    return page


def _regions_table(
    regions: Sequence[Region],
    counts: Mapping[str, Mapping[str, int]],
    province_names: Mapping[str, str],
    base: str,
) -> Table:
    rows = []
    for r in regions:
        c = counts.get(r.id, {})
        rows.append(
            (
                r.name,
                r.name_ko or "",
                province_names.get(r.province_id, r.province_id),
                r.kind,
                dominant_state(c),
                sum(c.values()),
                c.get("operating", 0),
                r.population,
            )
        )
    return Table(
        "regions",
        "Cities and counties with projects",
        [
            Column("region", "Region"),
            Column("name_ko", "이름"),
            Column("province", "Province"),
            Column("kind", "Kind"),
            Column("state", "Most advanced state"),
            Column("n_projects", "Projects", "int"),
            Column("n_operating", "Operating", "int"),
            Column("population", "Population", "int"),
        ],
        rows,
        {"region": [f"{base}/county/{r.id}" for r in regions]},
    )


def build_province(session: Session, user: User, province_id: str, *, base: str) -> Page:
    """One province: its counties on the map, progress, on-time share, county table.

    Raises
    ------
    NotFoundError
        If the province does not exist.
    """
    prov = session.get(Province, province_id)
    if prov is None:
        msg = f"unknown province {province_id!r}; open the national overview and pick one"
        raise NotFoundError(msg)
    regions = q.regions(session, province_id=province_id)
    counts = q.region_state_counts(session, user, province_id=province_id)
    by_year = q.state_counts_by(session, user, by="year", province_id=province_id)
    by_fac = q.state_counts_by(session, user, by="facility", province_id=province_id)
    timing = q.cohort_timing(session, user, province_id=province_id)
    title = f"{prov.name}" + (f" / {prov.name_ko}" if prov.name_ko else "")
    page = Page(title, csv_base=f"{base}/province/{province_id}/csv")
    page.crumbs = [("National", f"{base}/"), (prov.name, None)]
    n_proj = sum(sum(c.values()) for c in counts.values())
    page.kpis = [
        ("cities and counties", str(len(regions))),
        ("projects tracked", f"{n_proj:,}"),
        ("operating", f"{sum(c.get('operating', 0) for c in counts.values()):,}"),
        ("on-time share (due projects)", _share(timing)),
    ]
    page.blocks = [
        Block(
            "map",
            "Counties by most advanced project state",
            "figure",
            render_map(
                _points(regions, counts, base),
                _outline(),
                width=440.0,
                radius=6.0,
                title=f"{prov.name}: regions by project state",
                bounds=_bounds(regions),
                labels=True,
            ),
        ),
        Block(
            "chart-year",
            "Progress by cohort year",
            "figure",
            stacked_bars(
                list(by_year), _state_series(by_year), title="Projects by cohort year and state"
            ),
        ),
        Block(
            "chart-facility",
            "Progress by facility",
            "figure",
            stacked_bars(
                list(by_fac),
                _state_series(by_fac),
                title="Projects by facility and state",
                horizontal=True,
                height=40.0 + 24.0 * max(len(by_fac), 1),
            ),
        ),
        Block("chart-cohort", "Cohort on-time share", "figure", _timing_chart(timing)),
        Block(
            "t-regions",
            "",
            "table",
            _regions_table(regions, counts, {prov.id: prov.name}, base),
            span=True,
        ),
        Block(
            "t-year",
            "",
            "table",
            _state_table(
                "progress_by_year",
                "Progress by cohort year",
                Column("cohort_year", "Cohort"),
                by_year,
            ),
        ),
        Block(
            "t-facility",
            "",
            "table",
            _state_table(
                "progress_by_facility",
                "Progress by facility",
                Column("facility", "Facility"),
                by_fac,
            ),
        ),
        Block("t-cohort", "", "table", _timing_table("cohort_on_time", timing)),
    ]
    return page


def _slip(planned: dt.date | None, actual: dt.date | None) -> int | None:
    return (actual - planned).days if planned is not None and actual is not None else None


def _month_since(today: dt.date, n_months: int) -> tuple[int, int]:
    idx = today.year * 12 + (today.month - 1) - (n_months - 1)
    return idx // 12, idx % 12 + 1


def production_block(
    session: Session,
    user: User,
    region_id: str,
    *,
    base: str,
    today: dt.date | None = None,
    sites: Sequence[Site] | None = None,
    api: str = "/api/v1",
) -> tuple[Markup, Table]:
    """The county's monthly output charts (one per site) and the operations table."""
    today = today or dt.datetime.now(dt.UTC).date()
    if sites is None:
        sites = q.county_sites(session, user, region_id)
    site_by_id = {s.id: s for s in sites}
    series = q.monthly_series(session, user, region_id, since=_month_since(today, CHART_MONTHS))
    by_site: dict[int, list[q.MonthlyPoint]] = {}
    for p in series:
        by_site.setdefault(p.site_id, []).append(p)
    parts: list[str] = []
    for sid, pts in by_site.items():
        name = site_by_id[sid].name if sid in site_by_id else f"site {sid}"
        parts.append(
            f'<div class="site-chart" data-site="{sid}"><h3>{Markup.escape(name)}</h3>'
            + str(
                monthly_output_chart(
                    [p.label for p in pts],
                    [p.output for p in pts],
                    [p.capacity for p in pts],
                    title=f"{name}: monthly output and capacity",
                    width=1100.0,
                    height=260.0,
                )
            )
            + "</div>"
        )
    if not parts:
        parts.append(str(monthly_output_chart([], [], [], title="no production reported")))
    return Markup("".join(parts)), operations_table(session, user, region_id, sites=sites, api=api)


def operations_table(
    session: Session, user: User, region_id: str, *, sites: Sequence[Site], api: str
) -> Table:
    """The latest monthly line records of a county, with capacity use and local raw share."""
    site_by_id = {s.id: s for s in sites}
    ops = q.county_operations(session, user, region_id)
    return Table(
        "operations",
        "Monthly production by line (latest 48 records)",
        [
            Column("month", "Month"),
            Column("site", "Factory"),
            Column("line", "Line"),
            Column("output", "Output", "num"),
            Column("capacity", "Capacity", "num"),
            Column("unit", "Unit"),
            Column("capacity_use", "Capacity use", "pct"),
            Column("raw_local", "Raw local", "num"),
            Column("raw_imported", "Raw imported", "num"),
            Column("local_share", "Local raw share", "pct"),
        ],
        [
            (
                f"{year:04d}-{month:02d}",
                site_by_id[sid].name if sid in site_by_id else sid,
                line,
                output,
                capacity,
                unit,
                output / capacity if capacity else None,
                raw_local,
                raw_imported,
                _local_share(raw_local, raw_imported),
            )
            for sid, line, year, month, output, capacity, unit, raw_local, raw_imported in ops
        ],
        more_url=f"{api}/operations/export.csv?region_id={region_id}",
    )


def _local_share(local: float | None, imported: float | None) -> float | None:
    """Local share of raw material (unknown when either amount is unknown or both are 0)."""
    if local is None or imported is None or local + imported == 0:
        return None
    return local / (local + imported)


def county_form_state(
    session: Session,
    user: User,
    region_id: str,
    name: str,
    *,
    base: str,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    message: str = "",
    ok: bool = False,
    sites: Sequence[Site] | None = None,
    projects: Sequence[Project] | None = None,
    lines: Sequence[str] | None = None,
) -> FormState:
    """A county data-entry form with its dynamic options (sites, projects, known lines).

    ``sites``, ``projects`` and ``lines`` may be passed when the caller has them already.
    """
    spec = FORMS[name]
    action = f"{base}/county/{region_id}/forms/{name}"
    if sites is None:
        sites = q.county_sites(session, user, region_id)
    if name in PRODUCING_FORMS:
        sites = [s for s in sites if s.facility in PRODUCING]
    options: dict[str, list[tuple[str, str]]] = {
        "site_id": [(str(s.id), f"{s.name} ({s.facility})") for s in sites],
    }
    if name == "milestone":
        if projects is None:
            projects = q.county_projects(session, user, region_id)
        options["project_id"] = [
            (str(p.id), f"#{p.id} {p.facility} {p.cohort_year} ({p.state})") for p in projects
        ]
    if name in ("production", "quality"):
        if lines is None:
            lines = q.county_lines(session, user, region_id)
        options["line"] = [(ln, ln) for ln in lines]
    return FormState(
        spec=spec,
        action=action,
        validate=f"{action}/validate",
        values=values or {},
        errors=errors or {},
        options=options,
        message=message,
        ok=ok,
        csrf=csrf_for_user(user),
    )


class _CountyData:
    """Lazily queried data of one county page (each query runs at most once)."""

    def __init__(
        self,
        session: Session,
        user: User,
        region_id: str,
        *,
        base: str,
        api: str,
        today: dt.date | None,
    ) -> None:
        self.session = session
        self.user = user
        self.region_id = region_id
        self.base = base
        self.api = api
        self.today = today

    @cached_property
    def projects(self) -> list[Project]:
        return q.county_projects(self.session, self.user, self.region_id)

    @cached_property
    def sites(self) -> list[Site]:
        return q.county_sites(self.session, self.user, self.region_id)

    @cached_property
    def site_names(self) -> dict[int, str]:
        return {s.id: s.name for s in self.sites}

    @cached_property
    def quality(self) -> list[QualityRecord]:
        return q.county_quality(self.session, self.user, self.region_id)

    @cached_property
    def surveys(self) -> list[Survey]:
        return q.county_surveys(self.session, self.user, self.region_id)

    @cached_property
    def grain(self) -> list[GrainStatus]:
        return q.county_grain_status(self.session, self.user, self.region_id)


def _t_projects(d: _CountyData) -> Table:
    projects = d.projects
    return Table(
        "projects",
        "Projects",
        [
            Column("id", "#"),
            Column("facility", "Facility"),
            Column("cohort_year", "Cohort"),
            Column("name", "Name"),
            Column("state", "State"),
            Column("tier", "Tier"),
            Column("planned_inauguration", "Planned inauguration", "date"),
            Column("actual_inauguration", "Actual inauguration", "date"),
            Column("slip_days", "Slip (days)", "int"),
        ],
        [
            (
                p.id,
                p.facility,
                p.cohort_year,
                p.name,
                p.state,
                p.tier,
                p.planned_inauguration,
                p.actual_inauguration,
                _slip(p.planned_inauguration, p.actual_inauguration),
            )
            for p in projects
        ],
    )


def _t_milestones(d: _CountyData) -> Table:
    projects = d.projects
    ms_rows = []
    for p in projects:
        for m in DATED_MILESTONES:
            planned = getattr(p, f"planned_{m}")
            actual = getattr(p, f"actual_{m}")
            if planned is None and actual is None:
                continue
            ms_rows.append((p.id, p.facility, m, planned, actual, _slip(planned, actual)))
    return Table(
        "milestones",
        "Milestones: planned and actual dates",
        [
            Column("project_id", "Project"),
            Column("facility", "Facility"),
            Column("milestone", "Milestone"),
            Column("planned", "Planned", "date"),
            Column("actual", "Actual", "date"),
            Column("slip_days", "Slip (days)", "int"),
        ],
        ms_rows,
    )


def _t_sites(d: _CountyData) -> Table:
    sites = d.sites
    return Table(
        "sites",
        "Operating sites",
        [
            Column("id", "#"),
            Column("name", "Name"),
            Column("facility", "Facility"),
            Column("operating_since", "Operating since", "date"),
            Column("status", "Status"),
        ],
        [(s.id, s.name, s.facility, s.operating_since, s.status) for s in sites],
    )


def _t_quality(d: _CountyData) -> Table:
    site_names, region_id, api = d.site_names, d.region_id, d.api
    quality = d.quality
    return Table(
        "quality",
        "Quality records (latest 30)",
        [
            Column("date", "Date", "date"),
            Column("site", "Factory"),
            Column("line", "Line"),
            Column("lot_code", "Lot"),
            Column("sample_size", "Sample", "int"),
            Column("n_defective", "Defective", "int"),
            Column("defect_rate", "Defect rate", "pct"),
            Column("defects", "Defects by type"),
        ],
        [
            (
                r.date,
                site_names.get(r.site_id, r.site_id),
                r.line,
                r.lot_code,
                r.sample_size,
                r.n_defective,
                r.n_defective / r.sample_size if r.sample_size else None,
                "; ".join(f"{k}: {v}" for k, v in sorted((r.defects or {}).items())),
            )
            for r in quality
        ],
        more_url=f"{api}/quality/export.csv?region_id={region_id}",
    )


def _t_survey_summary(d: _CountyData) -> Table:
    session, user, region_id = d.session, d.user, d.region_id
    return Table(
        "survey_summary",
        "Customer opinion by product category (all answers)",
        [
            Column("product_category", "Product category"),
            Column("n", "Answers", "int"),
            Column("mean_score", "Mean score", "num"),
            Column("share_low", "Share scoring ≤ 4", "pct"),
        ],
        q.survey_summary(session, user, region_id),
    )


def _t_surveys(d: _CountyData) -> Table:
    site_names, region_id, api = d.site_names, d.region_id, d.api
    surveys = d.surveys
    return Table(
        "surveys",
        "Customer surveys (latest 30)",
        [
            Column("date", "Date", "date"),
            Column("site", "Factory"),
            Column("product_category", "Product"),
            Column("lot_code", "Lot"),
            Column("score", "Score", "int"),
            Column("comment", "Comment"),
        ],
        [
            (
                s.date,
                site_names.get(s.site_id, s.site_id),
                s.product_category,
                s.lot_code,
                s.score,
                s.comment,
            )
            for s in surveys
        ],
        more_url=f"{api}/surveys/export.csv?region_id={region_id}",
    )


def _t_grain(d: _CountyData) -> Table:
    grain = d.grain
    return Table(
        "grain_status",
        "Grain storage: latest status per store",
        [
            Column("store_id", "Store"),
            Column("timestamp", "Reported"),
            Column("mean_temp_c", "Mean temp (°C)", "num"),
            Column("moisture_pct", "Moisture (%)", "num"),
            Column("alarms", "Alarms"),
        ],
        [
            (
                g.store_id,
                g.timestamp.isoformat(timespec="minutes"),
                g.mean_temp_c,
                g.moisture_pct,
                "; ".join(str(a) for a in (g.alarms or [])) or "none",
            )
            for g in grain
        ],
    )


def _t_operations(d: _CountyData) -> Table:
    return operations_table(d.session, d.user, d.region_id, sites=d.sites, api=d.api)


#: Builders of every county table, by CSV name.
COUNTY_TABLES: dict[str, Callable[[_CountyData], Table]] = {
    "projects": _t_projects,
    "milestones": _t_milestones,
    "sites": _t_sites,
    "operations": _t_operations,
    "quality": _t_quality,
    "survey_summary": _t_survey_summary,
    "surveys": _t_surveys,
    "grain_status": _t_grain,
}


def county_table(
    session: Session, user: User, region_id: str, name: str, *, api: str = "/api/v1"
) -> Table | None:
    """One table of the county page (only its own queries run), or ``None`` if unknown."""
    builder = COUNTY_TABLES.get(name)
    if builder is None:
        return None
    return builder(_CountyData(session, user, region_id, base="", api=api, today=None))


def build_county(
    session: Session,
    user: User,
    region_id: str,
    *,
    base: str,
    today: dt.date | None = None,
    include_forms: bool = True,
    api: str = "/api/v1",
) -> Page:
    """One city or county: projects, milestones, production, quality, surveys, grain, forms.

    Raises
    ------
    NotFoundError
        If the region does not exist.
    """
    region = session.get(Region, region_id)
    if region is None:
        msg = f"unknown region {region_id!r}; open the national overview and pick one"
        raise NotFoundError(msg)
    prov = session.get(Province, region.province_id)
    prov_name = prov.name if prov else region.province_id
    d = _CountyData(session, user, region_id, base=base, api=api, today=today)
    projects, sites, quality, surveys = d.projects, d.sites, d.quality, d.surveys
    chart, ops_table = production_block(
        session, user, region_id, base=base, today=today, sites=sites, api=api
    )
    title = region.name + (f" / {region.name_ko}" if region.name_ko else "")
    page = Page(title, csv_base=f"{base}/county/{region_id}/csv")
    page.crumbs = [
        ("National", f"{base}/"),
        (prov_name, f"{base}/province/{region.province_id}"),
        (region.name, None),
    ]
    scores = [s.score for s in surveys]
    sampled = sum(r.sample_size for r in quality)
    page.kpis = [
        ("projects", str(len(projects))),
        ("operating sites", str(sum(1 for s in sites if s.status == "operating"))),
        (
            "defect rate (latest records)",
            f"{100.0 * sum(r.n_defective for r in quality) / sampled:.1f}%" if sampled else "–",
        ),
        ("mean survey score", f"{sum(scores) / len(scores):.1f} / 10" if scores else "–"),
    ]
    projects_t, milestones_t, sites_t = _t_projects(d), _t_milestones(d), _t_sites(d)
    quality_t, survey_summary_t = _t_quality(d), _t_survey_summary(d)
    surveys_t, grain_t = _t_surveys(d), _t_grain(d)
    county_base = f"{base}/county/{region_id}"
    page.blocks = [
        Block("t-projects", "", "table", projects_t, span=True),
        Block("t-milestones", "", "table", milestones_t, span=True),
        Block("t-sites", "", "table", sites_t),
        Block(
            "production-chart",
            "Monthly output and capacity use",
            "figure",
            chart,
            span=True,
            note=f"Last {CHART_MONTHS} months, summed over production lines; dashed line: capacity.",
            refresh_url=f"{county_base}/fragment/production-chart",
            refresh_on="production-saved",
        ),
        Block(
            "t-operations",
            "",
            "table",
            ops_table,
            span=True,
            refresh_url=f"{county_base}/fragment/operations",
            refresh_on="production-saved",
        ),
        Block("t-quality", "", "table", quality_t),
        Block("t-survey-summary", "", "table", survey_summary_t),
        Block("t-surveys", "", "table", surveys_t, span=True),
        Block("t-grain", "", "table", grain_t),
    ]
    if include_forms and user.role != "viewer":
        lines = q.county_lines(session, user, region_id)
        for name in ("production", "milestone", "quality", "survey"):
            page.blocks.append(
                Block(
                    f"form-{name}",
                    FORMS[name].title,
                    "form",
                    county_form_state(
                        session,
                        user,
                        region_id,
                        name,
                        base=base,
                        sites=sites,
                        projects=projects,
                        lines=lines,
                    ),
                )
            )
    return page
