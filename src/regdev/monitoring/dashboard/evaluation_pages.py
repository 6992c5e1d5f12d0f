"""Dashboard pages of the evaluation features, with CSV and XLSX downloads of every table.

League tables, scorecards, control charts, recommendations and alerts.

Routes (session cookie, like the rest of the dashboard; GET pages go through the
dashboard's page cache and login redirect):

``/evaluation``                       league table (``level``, ``peer``, ``sort``, ``desc``)
``/evaluation/county/{region_id}``    county scorecard (the county's own scope)
``/evaluation/site/{site_id}``        factory scorecard and control chart per line
``/evaluation/recommendations``       recommendations with accept / reject
``/evaluation/alerts``                out-of-control signals with the rule that fired
``/evaluation/appraisal``             ex-post appraisal of a cohort (``cohort``) or county
``/evaluation/signals.csv``           accepted recommendations as a designer signals file
``…/download/{table}.csv|xlsx``       any table of a page

Text goes through :mod:`regdev.i18n` (domain ``evaluation``); ``?lang=ko`` chooses Korean.
Demo data is labelled on every page.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape
from sqlalchemy.orm import Session

from regdev.errors import ConfigError, DataValidationError, NotFoundError
from regdev.evaluation import quality as qmod
from regdev.evaluation import spc
from regdev.evaluation.composite import EMULATION_INDICATORS
from regdev.evaluation.customer import RECOMMENDATION_KINDS, signals_to_csv
from regdev.i18n import _, html_lang, ngettext, normalise_language, use_language
from regdev.monitoring import evaluation as ev
from regdev.monitoring.dashboard import routes as dash
from regdev.monitoring.dashboard.tables import Column, Table
from regdev.monitoring.db import begin_write
from regdev.monitoring.deps import SessionDep
from regdev.monitoring.errors import ConflictError, ScopeError
from regdev.monitoring.guard import csrf_for_user
from regdev.monitoring.models import User

__all__ = ["control_chart_svg", "router", "to_xlsx"]

router = APIRouter(prefix="/evaluation", include_in_schema=False, tags=["dashboard"])
_HERE = Path(__file__).parent


@lru_cache(maxsize=1)
def _env() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(_HERE / "templates")),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update({"_": _, "ngettext": ngettext, "html_lang": html_lang})
    return env


@dataclass
class Block:
    """One card: a table, a figure, the decisions list or markup."""

    id: str
    title: str
    kind: str
    body: Any
    span: bool = False
    note: str = ""


@dataclass
class EvalPage:
    """An evaluation page ready to render."""

    title: str
    download_base: str
    query: str = ""
    crumbs: list[tuple[str, str | None]] = field(default_factory=list)
    kpis: list[tuple[str, str]] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)
    demo: bool = False
    note: str = ""
    filters: list[tuple[str, str, bool]] = field(default_factory=list)
    sort: str = ""
    desc: bool = False
    sort_url: Callable[[str], str] | None = None

    def download_url(self, name: str, fmt: str) -> str:
        """Download URL of table ``name`` as ``csv`` or ``xlsx`` (with the page's filters)."""
        q = f"?{self.query}" if self.query else ""
        return f"{self.download_base}/{name}.{fmt}{q}"

    def tables(self) -> dict[str, Table]:
        """Every table of the page by name."""
        return {b.body.name: b.body for b in self.blocks if b.kind == "table"}


def _lang(request: Request) -> str:
    try:
        return normalise_language(request.query_params.get("lang") or None)
    except ConfigError:
        return "en"


def _render_page(page: EvalPage, user: User, status: int = 200) -> HTMLResponse:
    html = (
        _env()
        .get_template("evaluation/page.html")
        .render(
            page=page,
            user=dash._user_view(user),
            base=dash.PREFIX,
            csrf_token=csrf_for_user(user),  # the hidden field of the "decide" forms
        )
    )
    return HTMLResponse(html, status_code=status)


def to_xlsx(table: Table) -> bytes:
    """The table as an XLSX workbook (one sheet, header of column keys, raw values)."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = table.name[:31]
    ws.append([c.key for c in table.columns])
    for row in table.rows:
        ws.append([_cell(v) for v in row])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _cell(v: Any) -> Any:
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v


def _download(page: EvalPage | Response, table: str, fmt: str, filename: str) -> Response:
    if isinstance(page, Response):
        return page
    tables = page.tables()
    if table not in tables or fmt not in ("csv", "xlsx"):
        known = ", ".join(f"{t}.csv|xlsx" for t in sorted(tables))
        return Response(
            f"unknown table {table}.{fmt}; expected one of {known}", 404, media_type="text/plain"
        )
    t = tables[table]
    if fmt == "csv":
        body: bytes = t.to_csv().encode("utf-8")
        media = "text/csv; charset=utf-8"
    else:
        body = to_xlsx(t)
        media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    disp = f'attachment; filename="{filename}-{table}.{fmt}"'
    return Response(body, media_type=media, headers={"Content-Disposition": disp})


def _guarded(user: User, build: Callable[[], EvalPage]) -> EvalPage | Response:
    try:
        return build()
    except ScopeError as exc:
        return dash._error_page(user, 403, _("Not allowed"), str(exc))
    except NotFoundError as exc:
        return dash._error_page(user, 404, _("Not found"), str(exc))
    except (ConfigError, DataValidationError) as exc:
        return dash._error_page(user, 400, _("Bad request"), str(exc))


# ----------------------------------------------------------------------- league

_LEVELS = ("county", "factory")


def _indicator_columns() -> list[Column]:
    kinds = {"satisfaction": "num", "range_growth": "num"}
    return [Column(i.key, _(i.label), kinds.get(i.key, "pct")) for i in EMULATION_INDICATORS]


def league_page(session: Session, user: User, params: dict[str, str]) -> EvalPage:
    """The league table page."""
    level = params.get("level", "county")
    if level not in _LEVELS:
        level = "county"
    peer = params.get("peer") or None
    data = ev.league(session, user, level=level, peer_group=peer, n_draws=1000, seed=0)
    cols = [
        Column("rank", _("Rank"), "int"),
        Column("rank_interval", _("Rank interval (5-95 %)")),
        Column("name", _("County") if level == "county" else _("Factory")),
        Column("peer_group", _("Peer group")),
        Column("peer_rank", _("Peer rank"), "int"),
        Column("score", _("Composite score"), "num"),
        Column("delta_score", _("Change since last year"), "num"),
        Column("rank_change", _("Places moved"), "int"),
        *_indicator_columns(),
    ]
    rows = [
        {
            **r,
            "rank_interval": f"{_i(r.get('rank_p05'))}–{_i(r.get('rank_p95'))}",
            "peer_group": _(str(r.get("peer_group", ""))),
            "score": None if r.get("score") is None else 100.0 * r["score"],
            "delta_score": None if r.get("delta_score") is None else 100.0 * r["delta_score"],
        }
        for r in data["data"]
    ]
    sort = params.get("sort") or "rank"
    keys = {c.key for c in cols}
    if sort not in keys:
        sort = "rank"
    desc = params.get("desc") == "1"
    rows.sort(key=lambda r: _sort_key(r.get(sort)), reverse=desc)
    base = f"{dash.PREFIX}/evaluation"
    links: dict[str, list[str | None]] = {
        "name": [
            f"{base}/county/{r['region_id']}" if level == "county" else f"{base}/site/{r['unit']}"
            for r in rows
        ]
    }
    table = Table(
        "league",
        _("League table {year}", year=data["period"] or "–"),
        cols,
        [tuple(r.get(c.key) for c in cols) for r in rows],
        links,
    )

    def q(**over: str) -> str:
        cur = {
            k: v for k, v in params.items() if k in ("level", "peer", "sort", "desc", "lang") and v
        }
        cur.update({k: v for k, v in over.items()})
        return urlencode({k: v for k, v in cur.items() if v})

    filters = [
        (_("Counties"), f"{base}?{q(level='county', peer='')}", level == "county"),
        (_("Factories"), f"{base}?{q(level='factory', peer='')}", level == "factory"),
        (_("All peer groups"), f"{base}?{q(peer='')}", peer is None),
    ] + [(_(g), f"{base}?{q(peer=g)}", peer == g) for g in data["peer_groups"]]
    page = EvalPage(
        _("Emulation drive: league table"),
        f"{base}/download",
        q(),
        demo=bool(data["demo"]),
        note=_(
            "Composite of six indicators (OECD/JRC method: min-max normalisation pooled over "
            "years, equal weights, arithmetic mean). The rank interval is the 5th-95th percentile "
            "of the rank over {n} Monte Carlo draws of weights (+-25 %), normalisation and "
            "aggregation (seed {seed}); a rank is never certain.",
            n=data["n_draws"],
            seed=data["seed"],
        ),
        filters=filters,
        sort=sort,
        desc=desc,
        sort_url=lambda key: (
            f"{base}?{q(sort=key, desc='0' if (key == sort and desc) else ('1' if key == sort else '0'))}"
        ),
    )
    page.kpis = [
        (_("Ranked"), str(int(rows[0]["n_ranked"]) if rows else 0)),
        (_("Year"), str(data["period"] or "–")),
        (_("Compared with"), str(data["previous"] or "–")),
    ]
    page.blocks.append(Block("league", "", "table", table, span=True))
    return page


def _i(v: Any) -> str:
    return "–" if v is None else f"{int(v)}"


def _sort_key(v: Any) -> tuple[int, Any]:
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return (1, 0)
    return (0, v if isinstance(v, int | float) else str(v))


def _params(request: Request) -> dict[str, str]:
    return {k: v[:80] for k, v in request.query_params.items()}


@router.get("")
async def league(request: Request) -> Response:
    """League table (every role)."""
    params, lang = _params(request), _lang(request)

    def render(s: Session, u: User) -> Response:
        with use_language(lang):
            page = _guarded(u, lambda: league_page(s, u, params))
            return page if isinstance(page, Response) else _render_page(page, u)

    return await dash._serve(request, render)


@router.get("/download/{table}.{fmt}")
async def league_download(request: Request, table: str, fmt: str) -> Response:
    """A table of the league page as CSV or XLSX."""
    params, lang = _params(request), _lang(request)

    def render(s: Session, u: User) -> Response:
        with use_language(lang):
            return _download(_guarded(u, lambda: league_page(s, u, params)), table, fmt, "league")

    return await dash._serve(request, render)


# -------------------------------------------------------------------- county page


def county_page(session: Session, user: User, region_id: str) -> EvalPage:
    """A county's scorecard: indicators by year, league position, partners, appraisal."""
    sc = ev.county_scorecard(session, user, region_id)
    base = f"{dash.PREFIX}/evaluation/county/{region_id}"
    page = EvalPage(
        _("Scorecard: {name}", name=sc["name"]), f"{base}/download", demo=bool(sc["demo"])
    )
    page.crumbs = [(sc["name"], None)]
    lg = sc.get("league")
    if lg:
        page.kpis = [
            (_("Rank {year}", year=lg["period"]), _i(lg["rank"])),
            (_("Rank interval (5-95 %)"), f"{_i(lg['rank_p05'])}–{_i(lg['rank_p95'])}"),
            (
                _("Peer rank ({group})", group=_(lg["peer_group"])),
                f"{_i(lg['peer_rank'])} / {_i(lg['n_peers'])}",
            ),
            (_("Composite score"), f"{100 * lg['score']:.1f}"),
        ]
    years = Table(
        "indicators",
        _("Indicators by year"),
        [Column("year", _("Year")), *_indicator_columns()],
        [tuple([y["year"], *(y.get(i.key) for i in EMULATION_INDICATORS)]) for y in sc["years"]],
    )
    page.blocks.append(Block("indicators", "", "table", years, span=True))
    learn = Table(
        "learn_from",
        _("Learn from: the most similar peer that does better"),
        [
            Column("indicator", _("Indicator")),
            Column("partner_name", _("Learn from")),
            Column("own", _("Own (normalised)"), "num"),
            Column("partner_value", _("Partner (normalised)"), "num"),
            Column("differs", _("What differs")),
        ],
        [
            (
                _(_label(r["indicator"])),
                r["partner_name"],
                r["own"],
                r["partner_value"],
                r["differs"],
            )
            for r in sc["learn_from"]
        ],
        {
            "partner_name": [
                f"{dash.PREFIX}/evaluation/county/{r['partner']}" for r in sc["learn_from"]
            ]
        },
    )
    page.blocks.append(Block("learn", "", "table", learn))
    c = sc.get("contributions")
    if c:
        contrib = Table(
            "contributions",
            _(
                "Why the score changed ({a} to {b}): contribution by indicator",
                a=c["from"],
                b=c["to"],
            ),
            [
                Column("indicator", _("Indicator")),
                Column("contribution", _("Contribution (points)"), "num"),
            ],
            [
                (_(i.label), 100.0 * (c.get(f"contrib_{i.key}") or 0.0))
                for i in EMULATION_INDICATORS
            ],
        )
        page.blocks.append(Block("contributions", "", "table", contrib))
    try:
        ap = ev.appraisal(session, user, region_id=region_id)
    except NotFoundError:
        ap = None
    if ap is not None:
        lines = ap.lines
        tab = Table(
            "appraisal",
            _(
                "Appraisal (ex post, kUSD; discount rate {r:.0%}, {h} years)",
                r=ap.scenario.discount_rate,
                h=ap.scenario.horizon_years,
            ),
            [
                Column("line", _("Line")),
                Column("capex_kusd", _("Investment"), "num"),
                Column("npv_kusd", _("NPV"), "num"),
                Column("irr", _("IRR"), "pct"),
                Column("payback_years", _("Payback (years)"), "num"),
                Column("utilisation", _("Capacity use"), "pct"),
                Column("self_sufficiency", _("Raw-material self-sufficiency"), "pct"),
            ],
            [
                tuple(
                    r[k]
                    for k in (
                        "line",
                        "capex_kusd",
                        "npv_kusd",
                        "irr",
                        "payback_years",
                        "utilisation",
                        "self_sufficiency",
                    )
                )
                for r in lines.to_dict("records")
            ],
        )
        page.blocks.append(
            Block("appraisal", "", "table", tab, span=True, note="; ".join(ap.notes))
        )
    return page


def _label(key: str) -> str:
    for i in EMULATION_INDICATORS:
        if i.key == key:
            return i.label
    return key


@router.get("/county/{region_id}")
async def county(request: Request, region_id: str) -> Response:
    """A county scorecard (in scope)."""
    lang = _lang(request)

    def render(s: Session, u: User) -> Response:
        with use_language(lang):
            page = _guarded(u, lambda: county_page(s, u, region_id))
            return page if isinstance(page, Response) else _render_page(page, u)

    return await dash._serve(request, render)


@router.get("/county/{region_id}/download/{table}.{fmt}")
async def county_download(request: Request, region_id: str, table: str, fmt: str) -> Response:
    """A table of a county scorecard as CSV or XLSX."""
    lang = _lang(request)

    def render(s: Session, u: User) -> Response:
        with use_language(lang):
            return _download(
                _guarded(u, lambda: county_page(s, u, region_id)), table, fmt, region_id
            )

    return await dash._serve(request, render)


# ---------------------------------------------------------------------- site page


def control_chart_svg(
    chart: spc.ChartResult,
    dates: list[Any],
    *,
    title: str,
    width: float = 640.0,
    height: float = 240.0,
) -> Markup:
    """An SVG control chart: points, centre line, limits (steps per version), signals in red.

    Each point is a ``circle.point`` with ``data-index``, ``data-value`` and, when a rule
    fired there, class ``signal`` and ``data-rules``.
    """
    n = len(chart.values)
    left, right, top, bottom = 56.0, 12.0, 24.0, 30.0
    pw, ph = width - left - right, height - top - bottom
    vals = [v for v in list(chart.values) + list(chart.ucl) + list(chart.lcl) if math.isfinite(v)]
    lo, hi = (min(vals), max(vals)) if vals else (0.0, 1.0)
    if hi <= lo:
        hi = lo + 1.0
    pad = (hi - lo) * 0.08
    lo, hi = lo - pad, hi + pad

    def x(i: float) -> float:
        return left + (i + 0.5) * pw / max(n, 1)

    def y(v: float) -> float:
        return top + ph - (v - lo) / (hi - lo) * ph

    fired: dict[int, list[str]] = {}
    for s in chart.signals:
        fired.setdefault(s.index, []).append(s.rule)
    out = [
        f'<svg class="chart control" data-kind="{escape(chart.kind)}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>'
    ]
    for k in range(5):
        v = lo + (hi - lo) * k / 4
        out.append(
            f'<line class="grid" x1="{left:.1f}" y1="{y(v):.1f}" x2="{left + pw:.1f}" y2="{y(v):.1f}"/>'
            f'<text class="tick" x="{left - 4:.1f}" y="{y(v) + 4:.1f}" text-anchor="end">{v:.3g}</text>'
        )
    for name, arr, style in (
        ("ucl", chart.ucl, "#b3261e"),
        ("centre", chart.centre, "#1e7b34"),
        ("lcl", chart.lcl, "#b3261e"),
    ):
        pts = " ".join(
            f"{x(i - 0.5):.1f},{y(v):.1f} {x(i + 0.5):.1f},{y(v):.1f}"
            for i, v in enumerate(arr)
            if math.isfinite(v)
        )
        dash_attr = ' stroke-dasharray="5 3"' if name != "centre" else ""
        out.append(
            f'<polyline class="limit {name}" fill="none" stroke="{style}" stroke-width="1.2"{dash_attr} points="{pts}"/>'
        )
    path = " ".join(
        f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(chart.values) if math.isfinite(v)
    )
    out.append(
        f'<polyline class="series" fill="none" stroke="#1f5fa8" stroke-width="1.2" points="{path}"/>'
    )
    for i, v in enumerate(chart.values):
        if not math.isfinite(v):
            continue
        rules = fired.get(i, [])
        cls = "point signal" if rules else "point"
        fill = "#b3261e" if rules else "#1f5fa8"
        r = 4.0 if rules else 2.6
        label = f"{dates[i]}: {v:.4g}"
        if rules:
            label += " — " + "; ".join(f"{rr}: {_(spc.RULES[rr])}" for rr in rules)
        extra = f' data-rules="{escape(" ".join(rules))}"' if rules else ""
        out.append(
            f'<circle class="{cls}" cx="{x(i):.1f}" cy="{y(v):.1f}" r="{r}" fill="{fill}" data-index="{i}" data-value="{v:.6g}"{extra}><title>{escape(label)}</title></circle>'
        )
    for ver in chart.versions[1:]:
        xv = x(ver.start - 0.5)
        tip = escape(_("New limits: {reason}", reason=ver.reason))
        out.append(
            f'<line class="version" x1="{xv:.1f}" y1="{top}" x2="{xv:.1f}" y2="{top + ph}"'
            f' stroke="#555" stroke-dasharray="2 2"><title>{tip}</title></line>'
        )
    step = max(1, math.ceil(n / 8))
    for i in range(0, n, step):
        out.append(
            f'<text class="tick" x="{x(i):.1f}" y="{height - 10:.1f}" text-anchor="middle">{escape(str(dates[i]))}</text>'
        )
    out.append("</svg>")
    return Markup("".join(out))


def site_page(session: Session, user: User, site_id: int) -> EvalPage:
    """A factory's scorecard: indicators, lines with customer summary, control chart per line."""
    sc = ev.site_scorecard(session, user, site_id)
    base = f"{dash.PREFIX}/evaluation/site/{site_id}"
    page = EvalPage(
        _("Factory scorecard: {name}", name=sc["name"]), f"{base}/download", demo=bool(sc["demo"])
    )
    page.crumbs = [
        (sc["region_id"], f"{dash.PREFIX}/evaluation/county/{sc['region_id']}"),
        (sc["name"], None),
    ]
    page.kpis = [(_("Open quality alerts"), str(len(sc["alerts"])))]
    page.blocks.append(
        Block(
            "indicators",
            "",
            "table",
            Table(
                "indicators",
                _("Indicators by year"),
                [Column("year", _("Year")), *_indicator_columns()],
                [
                    tuple([y["year"], *(y.get(i.key) for i in EMULATION_INDICATORS)])
                    for y in sc["years"]
                ],
            ),
            span=True,
        )
    )
    page.blocks.append(
        Block(
            "lines",
            "",
            "table",
            Table(
                "lines",
                _("Lines: capacity use, customers and demand (last six months)"),
                [
                    Column("line", _("Line")),
                    Column("utilisation", _("Capacity use"), "pct"),
                    Column("n_answers", _("Survey answers"), "int"),
                    Column("mean_score", _("Mean score"), "num"),
                    Column("trend", _("Trend")),
                    Column("top_complaint", _("Top complaint")),
                    Column("demand_signal", _("Demand signal")),
                ],
                [
                    tuple(
                        r.get(k)
                        for k in (
                            "line",
                            "utilisation",
                            "n_answers",
                            "mean_score",
                            "trend",
                            "top_complaint",
                            "demand_signal",
                        )
                    )
                    for r in sc["lines"]
                ],
            ),
            span=True,
        )
    )
    fr = ev.load_frames(session, user)
    charts = ev._charts(fr, site_id)
    for c in charts:
        n_sig = len(c.p.signals)
        page.blocks.append(
            Block(
                f"chart-{_slug(c.line)}",
                _("p chart: {line}", line=c.line),
                "figure",
                control_chart_svg(c.p, c.dates, title=_("Share defective, {line}", line=c.line)),
                note=_("Signals: {n}", n=n_sig)
                + (
                    " — "
                    + "; ".join(sorted({f"{s.rule}: {_(spc.RULES[s.rule])}" for s in c.p.signals}))
                    if n_sig
                    else ""
                ),
            )
        )
    al = [qmod.Alert(**{**a, "date": _date(a["date"])}) for a in (_strip(a) for a in sc["alerts"])]
    page.blocks.append(Block("alerts", "", "table", _alerts_table(al), span=True))
    return page


def _strip(a: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in a.items() if k != "description"}


def _date(s: str) -> Any:
    import datetime as dt

    return dt.date.fromisoformat(s)


def _slug(text: str) -> str:
    import re

    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "line"


def _alerts_table(alerts: list[qmod.Alert]) -> Table:
    return Table(
        "alerts",
        _("Quality alerts (out-of-control signals)"),
        [
            Column("date", _("Date"), "date"),
            Column("region_id", _("County")),
            Column("site_id", _("Site"), "int"),
            Column("line", _("Line")),
            Column("chart", _("Chart")),
            Column("rule", _("Rule")),
            Column("description", _("What fired")),
            Column("lot_code", _("Lot")),
            Column("value", _("Value"), "num"),
        ],
        [
            (
                a.date,
                a.region_id,
                a.site_id,
                a.line,
                a.chart,
                a.rule,
                _(a.description),
                a.lot_code,
                a.value,
            )
            for a in alerts
        ],
        {"site_id": [f"{dash.PREFIX}/evaluation/site/{a.site_id}" for a in alerts]},
    )


@router.get("/site/{site_id}")
async def site(request: Request, site_id: int) -> Response:
    """A factory scorecard with a control chart per line (in scope)."""
    lang = _lang(request)

    def render(s: Session, u: User) -> Response:
        with use_language(lang):
            page = _guarded(u, lambda: site_page(s, u, site_id))
            return page if isinstance(page, Response) else _render_page(page, u)

    return await dash._serve(request, render)


@router.get("/site/{site_id}/download/{table}.{fmt}")
async def site_download(request: Request, site_id: int, table: str, fmt: str) -> Response:
    """A table of a factory scorecard as CSV or XLSX."""
    lang = _lang(request)

    def render(s: Session, u: User) -> Response:
        with use_language(lang):
            return _download(
                _guarded(u, lambda: site_page(s, u, site_id)), table, fmt, f"site-{site_id}"
            )

    return await dash._serve(request, render)


# ---------------------------------------------------------------------- appraisal


def appraisal_page(session: Session, user: User, params: dict[str, str]) -> EvalPage:
    """Ex-post appraisal of a county (``region``) or a cohort (``cohort``); cohorts listed otherwise."""
    from sqlalchemy import select

    from regdev.monitoring.models import Project

    base = f"{dash.PREFIX}/evaluation/appraisal"
    region = params.get("region") or None
    cohort_text = params.get("cohort") or ""
    stmt = ev._where(
        select(Project.cohort_year).distinct().where(Project.facility == "factories"), user, Project
    )
    cohorts = sorted(int(y) for y in session.execute(stmt).scalars())
    page = EvalPage(
        _("Appraisal: cost-effectiveness, profitability, practicality"), f"{base}/download"
    )
    page.query = urlencode({k: v for k, v in (("region", region), ("cohort", cohort_text)) if v})
    page.filters = [(str(y), f"{base}?cohort={y}", cohort_text == str(y)) for y in cohorts]
    if region is None and not cohort_text:
        page.note = _(
            "Choose a cohort (or open a county scorecard) to appraise its factories from the records."
        )
        return page
    try:
        cohort = int(cohort_text) if cohort_text else None
    except ValueError as exc:
        raise ConfigError(_("cohort must be a year")) from exc
    ap = ev.appraisal(session, user, region_id=region, cohort=cohort)
    page.demo = any(n.startswith("DEMO DATA") for n in ap.notes)
    page.note = "; ".join(ap.notes)
    c = ap.counties.reset_index()
    page.kpis = [
        (_("Investment"), f"{c['capex_kusd'].sum():,.0f} kUSD"),
        (_("Discount rate"), f"{ap.scenario.discount_rate:.0%}"),
        (_("Horizon"), f"{ap.scenario.horizon_years}"),
    ]
    cols = [
        Column("region_id", _("County")),
        Column("n_lines", _("Lines"), "int"),
        Column("capex_kusd", _("Investment"), "num"),
        Column("npv_kusd", _("NPV"), "num"),
        Column("irr", _("IRR"), "pct"),
        Column("payback_years", _("Payback (years)"), "num"),
        Column("cost_per_beneficiary_usd", _("Cost per beneficiary (USD)"), "num"),
        Column("cost_per_job_kusd", _("Cost per job (kUSD)"), "num"),
        Column("cost_per_tonne_usd", _("Cost per tonne (USD)"), "num"),
        Column("capacity_use", _("Capacity use"), "pct"),
        Column("self_sufficiency", _("Self-sufficiency"), "pct"),
        Column("reports_on_time", _("Reports on time"), "pct"),
    ]
    rows = [tuple(r[col.key] for col in cols) for r in c.to_dict("records")]
    links: dict[str, list[str | None]] = {
        "region_id": [
            f"{dash.PREFIX}/evaluation/county/{r['region_id']}" for r in c.to_dict("records")
        ]
    }
    page.blocks.append(
        Block(
            "counties", "", "table", Table("counties", _("Counties"), cols, rows, links), span=True
        )
    )
    sens = Table(
        "sensitivity",
        _("Sensitivity of the NPV (kUSD)"),
        [
            Column("parameter", _("Parameter")),
            Column("value", _("Value"), "num"),
            Column("npv_kusd", _("NPV"), "num"),
            Column("irr", _("IRR"), "pct"),
        ],
        [
            (r["parameter"], r["value"], r["npv_kusd"], r["irr"])
            for r in ap.sensitivity.to_dict("records")
        ],
    )
    page.blocks.append(Block("sensitivity", "", "table", sens))
    lines = Table(
        "lines",
        _("Lines"),
        [
            Column("region_id", _("County")),
            Column("line", _("Line")),
            Column("capex_kusd", _("Investment"), "num"),
            Column("npv_kusd", _("NPV"), "num"),
            Column("irr", _("IRR"), "pct"),
            Column("payback_years", _("Payback (years)"), "num"),
        ],
        [
            tuple(
                r[k]
                for k in ("region_id", "line", "capex_kusd", "npv_kusd", "irr", "payback_years")
            )
            for r in ap.lines.to_dict("records")
        ],
    )
    page.blocks.append(Block("lines", "", "table", lines))
    return page


@router.get("/appraisal")
async def appraisal(request: Request) -> Response:
    """Appraisal page (in scope)."""
    params, lang = _params(request), _lang(request)

    def render(s: Session, u: User) -> Response:
        with use_language(lang):
            page = _guarded(u, lambda: appraisal_page(s, u, params))
            return page if isinstance(page, Response) else _render_page(page, u)

    return await dash._serve(request, render)


@router.get("/appraisal/download/{table}.{fmt}")
async def appraisal_download(request: Request, table: str, fmt: str) -> Response:
    """A table of the appraisal page as CSV or XLSX."""
    params, lang = _params(request), _lang(request)

    def render(s: Session, u: User) -> Response:
        with use_language(lang):
            return _download(
                _guarded(u, lambda: appraisal_page(s, u, params)), table, fmt, "appraisal"
            )

    return await dash._serve(request, render)


# ------------------------------------------------------------ alerts, recommendations


def alerts_page(session: Session, user: User) -> EvalPage:
    """Out-of-control signals in scope."""
    data = ev.alerts(session, user, limit=1000)
    al = [qmod.Alert(**{**_strip(a), "date": _date(a["date"])}) for a in data["data"]]
    page = EvalPage(
        _("Quality alerts"), f"{dash.PREFIX}/evaluation/alerts/download", demo=bool(data["demo"])
    )
    page.note = _(
        "p and u charts per line with limits from the first 20 samples of each process version; Western Electric rules."
    )
    page.kpis = [(_("Alerts"), str(data["count"]))]
    page.blocks.append(Block("alerts", "", "table", _alerts_table(al), span=True))
    return page


@router.get("/alerts")
async def alerts(request: Request) -> Response:
    """Alerts page."""
    lang = _lang(request)

    def render(s: Session, u: User) -> Response:
        with use_language(lang):
            page = _guarded(u, lambda: alerts_page(s, u))
            return page if isinstance(page, Response) else _render_page(page, u)

    return await dash._serve(request, render)


@router.get("/alerts/download/{table}.{fmt}")
async def alerts_download(request: Request, table: str, fmt: str) -> Response:
    """The alerts table as CSV or XLSX."""
    lang = _lang(request)

    def render(s: Session, u: User) -> Response:
        with use_language(lang):
            return _download(_guarded(u, lambda: alerts_page(s, u)), table, fmt, "alerts")

    return await dash._serve(request, render)


def recommendations_page(session: Session, user: User, message: str = "") -> EvalPage:
    """Recommendations in scope with accept / reject buttons for writers."""
    data = ev.recommendations(session, user)
    page = EvalPage(
        _("Customer loop: recommendations"),
        f"{dash.PREFIX}/evaluation/recommendations/download",
        demo=bool(data["demo"]),
    )
    page.note = message or _(
        "Accepted recommendations become designer signals: forced or forbidden lines and demand multipliers (download the signals file below)."
    )
    rows = []
    for r in data["data"]:
        rows.append(
            {
                **r,
                "title": _(RECOMMENDATION_KINDS[r["kind"]]),
                "evidence": "; ".join(f"{k}={_fmtv(v)}" for k, v in r["evidence"].items()),
                "decision_label": _("accepted") if r["decision"] == "accepted" else _("rejected"),
                "can_decide": user.role != "viewer",
            }
        )
    page.kpis = [
        (_("Recommendations"), str(data["count"])),
        (_("Decided"), str(sum(1 for r in rows if r["decision"]))),
    ]
    signals_label = _("Signals file of accepted recommendations (CSV)")
    page.blocks.append(
        Block(
            "decisions",
            "",
            "decisions",
            rows,
            span=True,
            note=Markup(
                f'<a class="csv" href="{dash.PREFIX}/evaluation/signals.csv" download>'
                f"{escape(signals_label)} ↓</a>"
            ),
        )
    )
    table = Table(
        "recommendations",
        _("Recommendations"),
        [
            Column(k, k)
            for k in (
                "key",
                "region_id",
                "site_id",
                "line",
                "kind",
                "evidence",
                "decision",
                "decided_by",
            )
        ],
        [
            tuple(
                r.get(k)
                for k in (
                    "key",
                    "region_id",
                    "site_id",
                    "line",
                    "kind",
                    "evidence",
                    "decision",
                    "decided_by",
                )
            )
            for r in rows
        ],
    )
    page.blocks.append(Block("recommendations-table", "", "table", table, span=True))
    return page


def _fmtv(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.3g}"
    return str(v)


@router.get("/recommendations")
async def recommendations(request: Request) -> Response:
    """Recommendations page."""
    lang = _lang(request)

    def render(s: Session, u: User) -> Response:
        with use_language(lang):
            page = _guarded(u, lambda: recommendations_page(s, u))
            return page if isinstance(page, Response) else _render_page(page, u)

    return await dash._serve(request, render)


@router.get("/recommendations/download/{table}.{fmt}")
async def recommendations_download(request: Request, table: str, fmt: str) -> Response:
    """The recommendations table as CSV or XLSX."""
    lang = _lang(request)

    def render(s: Session, u: User) -> Response:
        with use_language(lang):
            return _download(
                _guarded(u, lambda: recommendations_page(s, u)), table, fmt, "recommendations"
            )

    return await dash._serve(request, render)


@router.post("/recommendations/decide")
def decide(
    request: Request,
    session: SessionDep,
    user: dash.DashUser,
    key: Annotated[str, Form(max_length=200)] = "",
    decision: Annotated[str, Form(max_length=16)] = "",
    note: Annotated[str, Form(max_length=400)] = "",
    csrf_token: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Accept or reject a recommendation, then back to the list (303).

    A plain HTML form: it must carry the session's CSRF token (hidden ``csrf_token``
    field, or HTMX's ``X-CSRF-Token`` header), like every dashboard form.
    """
    if user is None:
        return dash._to_login(request)
    if not dash._form_token_ok(request, {"csrf_token": csrf_token}):
        return dash._csrf_refused()
    if not session.in_transaction():
        begin_write(session)
    try:
        ev.decide(session, user, key=key, decision=decision, note=note)
        session.commit()
    except (ScopeError, NotFoundError, ConflictError, DataValidationError) as exc:
        session.rollback()
        status = (
            403 if isinstance(exc, ScopeError) else 404 if isinstance(exc, NotFoundError) else 422
        )
        return dash._error_page(user, status, _("Not saved"), str(exc))
    return RedirectResponse(
        f"{dash.PREFIX}/evaluation/recommendations#table-recommendations-decide", status_code=303
    )


@router.get("/signals.csv")
async def signals_csv(request: Request) -> Response:
    """Signals file (CSV) of the accepted recommendations in scope."""

    def render(s: Session, u: User) -> Response:
        rows = ev.signals(s, u)
        return Response(
            signals_to_csv(rows),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="signals.csv"'},
        )

    return await dash._serve(request, render)
