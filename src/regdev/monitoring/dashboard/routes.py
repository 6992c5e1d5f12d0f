"""HTTP routes of the dashboard (server-rendered HTML, HTMX fragments, CSV, static files).

All routes live under :data:`PREFIX` and are hidden from the OpenAPI schema (the JSON
API is the documented interface).  The session comes from the core's
``deps.SessionDep``; the user from the same signed session cookie the API accepts
(``settings.cookie_name``).  Unauthenticated page requests are redirected to the
login page; HTMX requests get ``HX-Redirect``.  Writes go through the core's
``crud`` functions, so every change is validated, scope-checked and audited exactly
as through the REST API.

The session cookie is ``HttpOnly`` and ``SameSite=Strict``: a form on another site
cannot post to the dashboard with the user's cookie (CSRF).
"""

from __future__ import annotations

import contextvars
import datetime as dt
import hashlib
import os
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import escape
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from regdev.errors import ConfigError, DataValidationError, NotFoundError, Problem
from regdev.i18n import (
    N_,
    _,
    current_language,
    html_lang,
    ngettext,
    normalise_language,
    use_language,
)
from regdev.monitoring import auth, crud, lines, rules, schemas
from regdev.monitoring.config import Settings
from regdev.monitoring.dashboard import pages
from regdev.monitoring.dashboard import queries as q
from regdev.monitoring.dashboard.cache import CachedResponse, PageCache, page_key
from regdev.monitoring.dashboard.forms import (
    FORMS,
    RECORD_FORMS,
    CorrectionForm,
    FormState,
    MilestoneForm,
    ProductionForm,
    QualityForm,
    SurveyForm,
    VoidForm,
    validate_form,
)
from regdev.monitoring.db import begin_write
from regdev.monitoring.deps import (
    ClientDep,
    HasherDep,
    SessionDep,
    SessionFactoryDep,
    SettingsDep,
)
from regdev.monitoring.errors import AuthenticationError, ConflictError, ScopeError
from regdev.monitoring.guard import csrf_for_user, csrf_token, form_token_ok
from regdev.monitoring.models import (
    AuditEntry,
    FactoryOperation,
    Project,
    Province,
    Region,
    Site,
    User,
)

__all__ = ["PREFIX", "router"]

#: URL prefix of every dashboard route.
PREFIX = ""
_HERE = Path(__file__).parent
_STATIC: dict[str, str] = {
    "htmx.min.js": "text/javascript; charset=utf-8",
    "dashboard.css": "text/css; charset=utf-8",
    "htmx.LICENSE.txt": "text/plain; charset=utf-8",
    "RegdevGothic-Regular.woff2": "font/woff2",
}
#: Role and audit words shown through ``_`` (marked here for extraction).
_WORDS = (
    N_("national"),
    N_("provincial"),
    N_("county"),
    N_("factory"),
    N_("viewer"),
    N_("create"),
    N_("update"),
    N_("delete"),
)
#: Cookie that keeps the language chosen with ``?lang=`` (one year).
LANG_COOKIE = "regdev_lang"
#: Form-field names for the core's column names in validation problems.
_COLUMN_TO_FIELD: dict[str, dict[str, str]] = {
    "production": {
        "year": "month",
        "month": "month",
        "site_id": "site_id",
        "line": "line",
        "output": "output",
        "capacity": "capacity",
        "unit": "unit",
        "raw_local": "raw_local",
        "raw_imported": "raw_imported",
    },
    "milestone": {
        "state": "milestone",
        "note": "note",
        **{f"planned_{m}": "planned_date" for m in pages.DATED_MILESTONES},
        **{f"actual_{m}": "actual_date" for m in pages.DATED_MILESTONES},
    },
    "quality": {
        "site_id": "site_id",
        "line": "line",
        "date": "date",
        "lot_code": "lot_code",
        "sample_size": "sample_size",
        "defects": "defects",
    },
    "survey": {
        "site_id": "site_id",
        "date": "date",
        "product_category": "product_category",
        "lot_code": "lot_code",
        "score": "score",
        "comment": "comment",
    },
}

router = APIRouter(prefix=PREFIX, include_in_schema=False, tags=["dashboard"])


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


def _accept_language(header: str) -> str | None:
    """The first supported language of an ``Accept-Language`` header (``None``: none)."""
    for part in header.split(","):
        tag = part.split(";")[0].strip()
        try:
            return normalise_language(tag) if tag and tag != "*" else None
        except ConfigError:
            continue
    return None


def request_language(request: Request, user: User | None) -> str:
    """The page language of a request.

    ``?lang=``, else the language cookie, else the user's stored preference, else the
    browser's ``Accept-Language``, else English.
    """
    for value in (request.query_params.get("lang"), request.cookies.get(LANG_COOKIE)):
        if value:
            try:
                return normalise_language(value)
            except ConfigError:
                pass
    if user is not None and user.language:
        try:
            return normalise_language(user.language)
        except ConfigError:
            pass
    return _accept_language(request.headers.get("accept-language", "")) or "en"


def _remember_language(request: Request, resp: Response) -> Response:
    """Keep a ``?lang=`` choice in a cookie so that the next pages follow it."""
    value = request.query_params.get("lang")
    if value:
        try:
            code = normalise_language(value)
        except ConfigError:
            return resp
        resp.set_cookie(
            LANG_COOKIE, code, max_age=365 * 24 * 3600, httponly=True, samesite="lax", path="/"
        )
    return resp


#: The path of the page being drawn (the language form sends the user back to it).
_HERE_PATH: contextvars.ContextVar[str] = contextvars.ContextVar("dashboard_path", default="")


def _render(
    name: str, status_code: int = 200, headers: dict[str, str] | None = None, **context: Any
) -> HTMLResponse:
    context.setdefault("base", PREFIX)
    context.setdefault("user", None)
    context.setdefault("here", _safe_next(_HERE_PATH.get() or None))
    html = _env().get_template(name).render(**context)
    return HTMLResponse(html, status_code=status_code, headers=headers)


def home_url(user: User) -> str:
    """Where ``user`` lands: their province, county or factory; national users the nation."""
    if user.role == "factory" and user.site_id is not None:
        return f"{PREFIX}/site/{user.site_id}"
    if user.region_id is not None:
        return f"{PREFIX}/county/{user.region_id}"
    if user.province_id is not None:
        return f"{PREFIX}/province/{user.province_id}"
    return f"{PREFIX}/"


def _user_view(user: User) -> dict[str, str]:
    return {
        "name": user.full_name or user.username,
        "role": user.role,
        "csrf": csrf_for_user(user),
        "home": home_url(user),
        "language": user.language or "",
    }


def _form_token_ok(request: Request, raw: dict[str, str]) -> bool:
    """Whether a cookie-authenticated form write carries its session's CSRF token."""
    settings = request.app.state.settings
    return form_token_ok(settings, request.cookies.get(settings.cookie_name), request.headers, raw)


def _csrf_refused() -> Response:
    msg = _("this form is out of date or was sent from another site (CSRF check); reload the page")
    return Response(msg, status_code=403, media_type="text/plain")


def _dashboard_user(request: Request, session: SessionDep, settings: SettingsDep) -> User | None:
    token = request.cookies.get(settings.cookie_name)
    if not token:
        return None
    try:
        return auth.user_from_token(session, token, settings=settings)
    except AuthenticationError:
        return None


DashUser = Annotated[User | None, Depends(_dashboard_user)]


def _api(request: Request) -> str:
    prefix: str = request.app.state.settings.api_prefix
    return prefix


def _is_htmx(request: Request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _to_login(request: Request) -> Response:
    target = request.url.path
    if request.url.query:
        target += "?" + request.url.query
    url = f"{PREFIX}/login?next={quote(target)}"
    if _is_htmx(request):
        return Response(status_code=401, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


def _error_page(user: User, status: int, title: str, message: str) -> HTMLResponse:
    return _render("error.html", status, user=_user_view(user), title=title, message=message)


@lru_cache(maxsize=1)
def _cache() -> PageCache:
    """The process-wide page cache (``REGDEV_DASHBOARD_CACHE_ENTRIES``, default 512; 0 = off).

    Read once on first use (not at import), like the rest of the configuration.
    """
    return PageCache(int(os.environ.get("REGDEV_DASHBOARD_CACHE_ENTRIES", "512")))


_CACHED_HEADERS = ("content-disposition",)


def _user_from_cookie(request: Request, session: Session) -> User | None:
    settings = request.app.state.settings
    token = request.cookies.get(settings.cookie_name)
    if not token:
        return None
    try:
        return auth.user_from_token(session, token, settings=settings)
    except AuthenticationError:
        return None


Render = Callable[[Session, User], Response]


def _miss(
    session: Session,
    user: User,
    key: tuple[Any, ...],
    render: Render,
    guard: Callable[[Session, User], Response | None] | None,
    lang: str = "en",
    here: str = "",
) -> Response:
    _HERE_PATH.set(here)
    with use_language(lang):
        if guard is not None:
            refused = guard(session, user)
            if refused is not None:
                return refused
        resp = render(session, user)
    if resp.status_code == 200:
        kept = tuple((k, v) for k, v in resp.headers.items() if k.lower() in _CACHED_HEADERS)
        _cache().put(key, CachedResponse(bytes(resp.body), resp.media_type or "text/html", kept))
    return resp


async def _serve(
    request: Request,
    render: Render,
    guard: Callable[[Session, User], Response | None] | None = None,
) -> Response:
    """Serve a GET page: login check, then the page cache, else render in the thread pool.

    The cache-hit path (token check, user and audit-head lookups by primary key, a dict
    lookup) runs on the event loop: it costs less than the thread-pool hand-offs it
    avoids.  Rendering runs in the thread pool.  ``guard`` (the scope check) runs only
    on a miss: a hit exists only if the same user, with the same scope columns, passed
    it at the same data version.  Only 200 responses are stored.
    """
    session: Session = request.app.state.session_factory()
    try:
        user = _user_from_cookie(request, session)
        if user is None:
            return _to_login(request)
        lang = request_language(request, user)
        key = (
            id(request.app),
            lang,
            *page_key(session, user, request.url.path, request.url.query),
        )
        hit = _cache().get(key)
        if hit is not None:
            headers = {**dict(hit.headers), "X-Cache": "hit"}
            resp = Response(hit.body, media_type=hit.media_type, headers=headers)
            return _remember_language(request, resp)
        resp = await run_in_threadpool(
            _miss, session, user, key, render, guard, lang, request.url.path
        )
        return _remember_language(request, resp)
    finally:
        session.close()


# --- static files --------------------------------------------------------------------


@lru_cache(maxsize=8)
def _static_bytes(name: str) -> tuple[bytes, str]:
    if name.endswith(".woff2"):
        from regdev.fonts import font_bytes

        data = font_bytes("woff2")
        return data, hashlib.sha256(data).hexdigest()[:16]
    data = (_HERE / "static" / name).read_bytes()
    return data, hashlib.sha256(data).hexdigest()[:16]


@router.get("/static/{name}")
def static_file(name: str, request: Request) -> Response:
    """A vendored script or style (a fixed whitelist; nothing else is served)."""
    if name not in _STATIC:
        return Response("not found", status_code=404, media_type="text/plain")
    data, etag = _static_bytes(name)
    headers = {"ETag": f'"{etag}"', "Cache-Control": "public, max-age=86400"}
    if request.headers.get("if-none-match") == f'"{etag}"':
        return Response(status_code=304, headers=headers)
    return Response(data, media_type=_STATIC[name], headers=headers)


# --- login ---------------------------------------------------------------------------


def _safe_next(target: str | None) -> str:
    """``target`` if it is a local dashboard path, else the overview (no open redirect)."""
    if (
        target
        and target.startswith(PREFIX + "/")
        and "//" not in target
        and "\\" not in target
        and target.isprintable()
        and " " not in target
    ):
        return target
    return PREFIX + "/"


@router.get("/login")
def login_page(
    request: Request,
    user: DashUser,
    next: str | None = None,  # noqa: A002 - query name
) -> Response:
    """The login form (already logged-in users go straight on)."""
    if user is not None:
        return RedirectResponse(_safe_next(next), status_code=303)
    with use_language(request_language(request, None)):
        resp = _render("login.html", next=_safe_next(next), error=None)
    return _remember_language(request, resp)


@router.post("/login")
def login(
    request: Request,
    factory: SessionFactoryDep,
    settings: SettingsDep,
    hasher: HasherDep,
    client: ClientDep,
    username: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=400)] = "",
    next: Annotated[str, Form(max_length=2000)] = "",  # noqa: A002 - form field name
) -> Response:
    """Check the credentials, set the session cookie and go to ``next``."""
    wait = request.app.state.login_throttle.take(client)
    lang = request_language(request, None)
    if wait > 0:
        with use_language(lang):
            return _render(
                "login.html",
                429,
                headers={"Retry-After": str(max(1, round(wait)))},
                next=_safe_next(next),
                error=_(
                    "too many login attempts from this address; try again in {s} s",
                    s=format(wait, ".0f"),
                ),
                username="",
            )
    username = username.replace("\x00", "")
    with use_language(lang):  # the refusal message in the page's language
        result = auth.authenticate(
            factory,
            username=username,
            password=password,
            settings=settings,
            hasher=hasher,
            client=client,
        )
    if result.user is None:
        with use_language(lang):
            return _render(
                "login.html",
                401 if not result.locked else 423,
                next=_safe_next(next),
                error=_(result.message),
                username=username,
            )
    token = auth.create_token(result.user, settings=settings)
    resp = RedirectResponse(_safe_next(next), status_code=303)
    resp.set_cookie(
        settings.cookie_name,
        token,
        max_age=settings.access_token_expire_minutes * 60,
        httponly=True,
        samesite="strict",
        path="/",
        secure=settings.environment == "production",
    )
    return resp


@router.post("/logout")
async def logout(request: Request, settings: SettingsDep, factory: SessionFactoryDep) -> Response:
    """Revoke the user's tokens (every session) and drop the session cookie."""
    raw = {k: str(v) for k, v in (await request.form()).items()}
    cookie = request.cookies.get(settings.cookie_name)
    # a valid session is only revoked with its CSRF token; an expired or invalid cookie
    # is simply dropped
    if cookie and csrf_token(settings, cookie) is not None and not _form_token_ok(request, raw):
        return _csrf_refused()
    return await run_in_threadpool(_logout, request, settings, factory)


def _logout(request: Request, settings: Settings, factory: Callable[[], Session]) -> Response:
    session: Session = factory()
    try:
        begin_write(session)
        user = _user_from_cookie(request, session)
        if user is not None:
            crud.revoke_sessions(session, actor=user, user_id=user.id)
        session.commit()
    finally:
        session.close()
    resp = RedirectResponse(f"{PREFIX}/login", status_code=303)
    resp.delete_cookie(settings.cookie_name, path="/")
    return resp


# --- pages ---------------------------------------------------------------------------


def _page(page: pages.Page, user: User) -> HTMLResponse:
    return _render("page.html", page=page, user=_user_view(user))


def _csv(page: pages.Page, table: str, filename: str) -> Response:
    tables = page.tables()
    if table not in tables:
        known = ", ".join(sorted(tables))
        return Response(
            f"unknown table {table!r}; expected one of {known}",
            status_code=404,
            media_type="text/plain",
        )
    return Response(
        tables[table].to_csv(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}-{table}.csv"'},
    )


def _landing(session: Session, user: User) -> Response:
    home = home_url(user)
    if home != PREFIX + "/":
        return RedirectResponse(home, status_code=303)
    return _page(pages.build_national(session, user, base=PREFIX), user)


@router.get("/")
async def national(request: Request) -> Response:
    """Where a user lands: the national overview, or their province, county or factory."""
    return await _serve(request, _landing)


@router.get("/national")
async def national_page(request: Request) -> Response:
    """The national overview (in the user's scope) for every user."""
    return await _serve(request, lambda s, u: _page(pages.build_national(s, u, base=PREFIX), u))


@router.get("/csv/{table}.csv")
async def national_csv(request: Request, table: str) -> Response:
    """One table of the national overview as CSV."""
    return await _serve(
        request, lambda s, u: _csv(pages.build_national(s, u, base=PREFIX), table, "national")
    )


def _province_page(session: Session, user: User, province_id: str) -> pages.Page | HTMLResponse:
    try:
        return pages.build_province(session, user, province_id, base=PREFIX)
    except NotFoundError as exc:
        return _error_page(user, 404, _("Not found"), str(exc))


@router.get("/province/{province_id}")
async def province(request: Request, province_id: str) -> Response:
    """One province."""

    def render(session: Session, user: User) -> Response:
        page = _province_page(session, user, province_id)
        return page if isinstance(page, HTMLResponse) else _page(page, user)

    return await _serve(request, render)


@router.get("/province/{province_id}/csv/{table}.csv")
async def province_csv(request: Request, province_id: str, table: str) -> Response:
    """One table of a province page as CSV."""

    def render(session: Session, user: User) -> Response:
        page = _province_page(session, user, province_id)
        return page if isinstance(page, HTMLResponse) else _csv(page, table, province_id)

    return await _serve(request, render)


def _check_county(session: Session, user: User, region_id: str) -> HTMLResponse | None:
    region = session.get(Region, region_id)
    if region is None:
        msg = _("unknown region {id!r}; open the national overview and pick one", id=region_id)
        return _error_page(user, 404, _("Not found"), msg)
    if user.role == "factory":
        site = session.get(Site, user.site_id) if user.site_id is not None else None
        allowed = site is not None and site.region_id == region_id
    else:
        allowed = auth.in_scope(session, user, region_id=region_id)
    if not allowed:
        msg = _(
            "{role} user {user!r} may not see records of {region}",
            role=_(user.role),
            user=user.username,
            region=region.name,
        )
        return _error_page(user, 403, _("Not allowed"), msg)
    return None


@router.get("/county/{region_id}")
async def county(request: Request, region_id: str) -> Response:
    """One city or county."""
    api = _api(request)
    return await _serve(
        request,
        lambda s, u: _page(pages.build_county(s, u, region_id, base=PREFIX, api=api), u),
        guard=lambda s, u: _check_county(s, u, region_id),
    )


@router.get("/county/{region_id}/csv/{table}.csv")
async def county_csv(request: Request, region_id: str, table: str) -> Response:
    """One table of a county page as CSV (only that table's queries run)."""
    api = _api(request)

    def render(session: Session, user: User) -> Response:
        found = pages.county_table(session, user, region_id, table, api=api)
        if found is None:
            known = ", ".join(sorted(pages.COUNTY_TABLES))
            return Response(
                f"unknown table {table!r}; expected one of {known}",
                status_code=404,
                media_type="text/plain",
            )
        return Response(
            found.to_csv(),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{region_id}-{table}.csv"'},
        )

    return await _serve(request, render, guard=lambda s, u: _check_county(s, u, region_id))


@router.get("/county/{region_id}/fragment/{part}")
async def county_fragment(request: Request, region_id: str, part: str) -> Response:
    """Parts of the county page that HTMX reloads after a production record is saved."""
    if part not in ("production-chart", "operations"):
        return Response("unknown fragment", status_code=404, media_type="text/plain")
    api = _api(request)

    def render(session: Session, user: User) -> Response:
        chart, table = pages.production_block(session, user, region_id, base=PREFIX, api=api)
        if part == "production-chart":
            return HTMLResponse(str(chart))
        return _render(
            "fragment_table.html",
            table=table,
            csv_url=f"{PREFIX}/county/{region_id}/csv/{table.name}.csv",
        )

    return await _serve(request, render, guard=lambda s, u: _check_county(s, u, region_id))


# --- search --------------------------------------------------------------------------


def _fold(text: str) -> str:
    return "".join(ch for ch in text.casefold() if ch.isalnum())


@router.get("/search")
async def search(request: Request, q: str = "") -> Response:
    """Find a city or county in the user's scope by English or Korean name or id."""
    query = q.strip()[:100]

    def render(session: Session, user: User) -> Response:
        provs = {p.id: p for p in session.execute(select(Province)).scalars()}
        every = [
            r
            for r in session.execute(select(Region).order_by(Region.name)).scalars()
            if user.role in ("national", "viewer") or auth.in_scope(session, user, region_id=r.id)
        ]
        key = _fold(query)
        found = [
            r
            for r in every
            if key and (key in _fold(r.name) or key in _fold(r.name_ko or "") or key == _fold(r.id))
        ]
        exact = [r for r in found if key in (_fold(r.name), _fold(r.name_ko or ""), _fold(r.id))]
        if len(exact) == 1 or (len(found) == 1 and key):
            target = (exact or found)[0]
            return RedirectResponse(f"{PREFIX}/county/{target.id}", status_code=303)
        lang = current_language()

        def prov_name(pid: str) -> str:
            p = provs.get(pid)
            if p is None:
                return pid
            return p.name_ko if lang == "ko" and p.name_ko else p.name

        results = [
            {"id": r.id, "name": r.name, "name_ko": r.name_ko, "province": prov_name(r.province_id)}
            for r in found[:100]
        ]
        return _render(
            "search.html",
            user=_user_view(user),
            query=query,
            results=results,
            every=every,
            as_of=pages.as_of_text(rules.today()),
        )

    return await _serve(request, render)


# --- factory (site) pages and one record ---------------------------------------------


def _check_site(session: Session, user: User, site_id: int) -> HTMLResponse | None:
    site = session.get(Site, site_id)
    if site is None:
        return _error_page(
            user, 404, _("Not found"), _("unknown factory #{id}; open its county page", id=site_id)
        )
    if not auth.in_scope(session, user, region_id=site.region_id, site_id=site.id):
        msg = _(
            "{role} user {user!r} may not see this factory", role=_(user.role), user=user.username
        )
        return _error_page(user, 403, _("Not allowed"), msg)
    return None


@router.get("/site/{site_id}")
async def site_page(request: Request, site_id: int) -> Response:
    """One factory: its production lines and their monthly history."""
    return await _serve(
        request,
        lambda s, u: _page(pages.build_site(s, u, site_id, base=PREFIX), u),
        guard=lambda s, u: _check_site(s, u, site_id),
    )


@router.get("/site/{site_id}/csv/{table}.csv")
async def site_csv(request: Request, site_id: int, table: str) -> Response:
    """One table of a factory page as CSV."""
    return await _serve(
        request,
        lambda s, u: _csv(pages.build_site(s, u, site_id, base=PREFIX), table, f"site-{site_id}"),
        guard=lambda s, u: _check_site(s, u, site_id),
    )


def _audit_rows(session: Session, row_id: int) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for e in session.execute(
        select(AuditEntry)
        .where(AuditEntry.entity == "operations", AuditEntry.entity_id == str(row_id))
        .order_by(AuditEntry.seq)
    ).scalars():
        before, after = e.before or {}, e.after or {}
        keys = [k for k in after if k != "note" and before.get(k) != after.get(k)]
        if e.action == "create":
            changed = _("created")
        else:
            changed = "; ".join(f"{k}: {before.get(k)} → {after.get(k)}" for k in keys)
            if after.get("note") and after.get("note") != before.get("note"):
                changed += ("; " if changed else "") + str(after["note"]).splitlines()[-1]
        out.append(
            {"at": e.at.isoformat(), "actor": e.actor, "action": _(e.action), "changed": changed}
        )
    return out


def _operation_forms(
    user: User,
    row: FactoryOperation,
    *,
    values: dict[str, dict[str, str]] | None = None,
    errors: dict[str, dict[str, str]] | None = None,
    message: str = "",
    ok: bool = False,
    which: str = "",
) -> list[pages.Block]:
    if user.role == "viewer":
        return []
    values = values or {}
    errors = errors or {}
    current = {
        "output": f"{row.output:g}",
        "capacity": f"{row.capacity:g}",
        "unit": row.unit,
        "raw_local": "" if row.raw_local is None else f"{row.raw_local:g}",
        "raw_imported": "" if row.raw_imported is None else f"{row.raw_imported:g}",
    }
    blocks = []
    for name in ("correct", "void"):
        spec = RECORD_FORMS[name]
        if name == "void" and row.voided:
            continue
        state = FormState(
            spec=spec,
            action=f"{PREFIX}/operation/{row.id}/{name}",
            validate="",
            values=values.get(name, current if name == "correct" else {}),
            errors=errors.get(name, {}),
            message=message if which == name else "",
            ok=ok,
            csrf=csrf_for_user(user),
            intro=_("Enter the right figures and say why; the old figures stay in the audit trail.")
            if name == "correct"
            else _(
                "A void record is kept but left out of every figure; say why. Use it for a "
                "record entered for the wrong line or month, then enter the right one."
            ),
        )
        blocks.append(pages.Block(f"form-{name}", _(spec.title), "form", state))
    return blocks


def _operation_page(
    session: Session,
    user: User,
    row: FactoryOperation,
    status: int = 200,
    notice: str = "",
    **forms: Any,
) -> HTMLResponse:
    page = pages.build_operation(
        session, user, row, base=PREFIX, history=_audit_rows(session, row.id)
    )
    page.blocks[:0] = _operation_forms(user, row, **forms)
    page.notice = notice
    return _render("page.html", status, page=page, user=_user_view(user))


def _load_operation(session: Session, user: User, op_id: int) -> FactoryOperation | HTMLResponse:
    row = session.get(FactoryOperation, op_id)
    if row is None:
        return _error_page(user, 404, _("Not found"), _("unknown record #{id}", id=op_id))
    if not auth.in_scope(session, user, region_id=row.region_id, site_id=row.site_id):
        msg = _(
            "{role} user {user!r} may not see this record", role=_(user.role), user=user.username
        )
        return _error_page(user, 403, _("Not allowed"), msg)
    return row


@router.get("/operation/{op_id}")
async def operation_page(request: Request, op_id: int) -> Response:
    """One monthly record with its audit trail and the forms to correct or void it."""
    saved = request.query_params.get("saved", "")

    def render(session: Session, user: User) -> Response:
        row = _load_operation(session, user, op_id)
        if isinstance(row, HTMLResponse):
            return row
        notice = {
            "correct": _("Correction saved; the audit trail below shows the change."),
            "void": _("The record is void; the audit trail below shows the change."),
        }.get(saved, "")
        return _operation_page(session, user, row, notice=notice)

    return await _serve(request, render)


@router.post("/operation/{op_id}/{action}")
async def operation_change(
    request: Request, op_id: int, action: str, session: SessionDep, user: DashUser
) -> Response:
    """Correct or void one monthly record (reason required; audited)."""
    if user is None:
        return _to_login(request)
    with use_language(request_language(request, user)):
        if action not in RECORD_FORMS:
            return _error_page(user, 404, _("Not found"), _("unknown action {a!r}", a=action))
        raw = {k: str(v) for k, v in (await request.form()).items()}
        if not _form_token_ok(request, raw):
            return _csrf_refused()
        row = _load_operation(session, user, op_id)
        if isinstance(row, HTMLResponse):
            return row
        model, errors = validate_form(RECORD_FORMS[action], raw)
        if model is not None:
            session.commit()
            begin_write(session)
            try:
                if isinstance(model, CorrectionForm):
                    lines.correct_operation(
                        session,
                        actor=user,
                        operation_id=op_id,
                        changes=schemas.OperationUpdate(
                            output=model.output,
                            capacity=model.capacity,
                            unit=model.unit,
                            raw_local=model.raw_local,
                            raw_imported=model.raw_imported,
                        ),
                        reason=model.reason,
                    )
                elif isinstance(model, VoidForm):
                    lines.void_operation(
                        session, actor=user, operation_id=op_id, reason=model.reason
                    )
                session.commit()
            except DataValidationError as exc:
                session.rollback()
                errors = _problems_to_errors("correct", exc)
            except (ScopeError, NotFoundError, ConflictError) as exc:
                session.rollback()
                errors = {"__all__": str(exc)}
        if not errors:
            return RedirectResponse(f"{PREFIX}/operation/{op_id}?saved={action}", status_code=303)
        fresh = session.get(FactoryOperation, op_id)
        assert fresh is not None  # noqa: S101 - loaded above in the same scope
        return _operation_page(
            session,
            user,
            fresh,
            422,
            values={action: raw},
            errors={action: errors},
            message=_not_saved(errors),
            which=action,
        )


# --- language preference -------------------------------------------------------------


@router.post("/language")
async def save_language(
    request: Request, session: SessionDep, user: DashUser, hasher: HasherDep
) -> Response:
    """Store the user's dashboard language (``ko``/``en``) and go back to ``next``."""
    if user is None:
        return _to_login(request)
    raw = {k: str(v) for k, v in (await request.form()).items()}
    if not _form_token_ok(request, raw):
        return _csrf_refused()
    try:
        code = normalise_language(raw.get("lang", ""))
    except ConfigError as exc:
        return Response(str(exc), status_code=422, media_type="text/plain")
    session.commit()
    begin_write(session)
    crud.update_user(
        session,
        actor=user,
        user_id=user.id,
        data=schemas.UserUpdate(language=code),  # type: ignore[arg-type]
        hasher=hasher,
    )
    session.commit()
    resp = RedirectResponse(_safe_next(raw.get("next")), status_code=303)
    resp.set_cookie(
        LANG_COOKIE, code, max_age=365 * 24 * 3600, httponly=True, samesite="lax", path="/"
    )
    return resp


# --- forms ---------------------------------------------------------------------------


def _context_check(
    session: Session, user: User, region_id: str, name: str
) -> Callable[[BaseModel], dict[str, str]]:
    sites = {
        s.id: s
        for s in q.county_sites(session, user, region_id)
        if name not in pages.PRODUCING_FORMS or s.facility in pages.PRODUCING
    }
    project_ids = {p.id for p in q.county_projects(session, user, region_id)}

    def check(model: BaseModel) -> dict[str, str]:
        sid = getattr(model, "site_id", None)
        if sid is not None and sid not in sites:
            return {
                "site_id": _(
                    "site {id} is not a producing site of this county in your scope", id=sid
                )
            }
        line = getattr(model, "line", None)
        if sid is not None and line is not None and name in ("production", "quality"):
            known = [c.name for c in lines.line_choices(session, [sid]).get(sid, [])]
            if line not in known:
                if not known:
                    return {
                        "line": _(
                            "{site} has no production line on record; lines come from the "
                            "plan's factory design (regdev db import-plan)",
                            site=sites[sid].name,
                        )
                    }
                return {
                    "line": _(
                        "{line!r} is not a production line of {site}; choose one of: {known}",
                        line=line,
                        site=sites[sid].name,
                        known=", ".join(known),
                    )
                }
        pid = getattr(model, "project_id", None)
        if name == "milestone" and pid not in project_ids:
            return {
                "project_id": _(
                    "project {id} is not a project of this county in your scope", id=pid
                )
            }
        return {}

    return check


def _problems_to_errors(name: str, exc: DataValidationError) -> dict[str, str]:
    mapping = _COLUMN_TO_FIELD.get(name, {})
    out: dict[str, str] = {}
    for p in exc.problems:
        if isinstance(p, Problem):
            out.setdefault(mapping.get(p.column or "", "__all__"), p.message)
        else:
            out.setdefault("__all__", str(p))
    return out


def _milestone_update(model: MilestoneForm, project: Project) -> schemas.ProjectUpdate:
    m = model.milestone
    data: dict[str, Any] = {}
    if m in pages.DATED_MILESTONES:
        if model.planned_date is not None:
            data[f"planned_{m}"] = model.planned_date
        if model.actual_date is not None:
            data[f"actual_{m}"] = model.actual_date
            order = crud.LIFECYCLE
            if project.state in order and order.index(m) > order.index(project.state):
                data["state"] = m
    elif m == "operating":
        data["state"] = "operating"
        if project.actual_inauguration is None and model.actual_date is not None:
            data["actual_inauguration"] = model.actual_date
    else:  # suspended / cancelled
        data["state"] = m
    if model.note:
        stamp = (model.actual_date or model.planned_date or dt.date.today()).isoformat()
        data["note"] = rules.append_note(project.note, f"{stamp} {m}: {model.note}")
    return schemas.ProjectUpdate(**data)


def _write(session: Session, user: User, name: str, model: BaseModel) -> str:
    """Store a validated form through the core's crud; returns the success message."""
    if isinstance(model, ProductionForm):
        year, month = (int(x) for x in model.month.split("-"))
        row = crud.create_operation(
            session,
            actor=user,
            data=schemas.OperationCreate(
                site_id=model.site_id,
                line=model.line,
                year=year,
                month=month,
                output=model.output,
                capacity=model.capacity,
                unit=model.unit,
                raw_local=model.raw_local,
                raw_imported=model.raw_imported,
            ),
        )
        return _(
            "Saved {line} {month}: {output} {unit}.",
            line=row.line,
            month=model.month,
            output=format(row.output, "g"),
            unit=row.unit,
        )
    if isinstance(model, QualityForm):
        defects = {model.defect_type: model.defects} if model.defects else {}
        qrow = crud.create_quality(
            session,
            actor=user,
            data=schemas.QualityCreate(
                site_id=model.site_id,
                line=model.line,
                date=model.date,
                lot_code=model.lot_code,
                sample_size=model.sample_size,
                defects=defects,
            ),
        )
        return _("Saved quality record for lot {lot}.", lot=qrow.lot_code)
    if isinstance(model, SurveyForm):
        crud.create_survey(
            session,
            actor=user,
            data=schemas.SurveyCreate(
                site_id=model.site_id,
                date=model.date,
                product_category=model.product_category,
                lot_code=model.lot_code,
                score=model.score,
                comment=model.comment,
            ),
        )
        return _("Saved survey answer.")
    if isinstance(model, MilestoneForm):
        project = session.get(Project, model.project_id)
        if project is None:  # pragma: no cover - excluded by the context check
            msg = f"unknown project {model.project_id}"
            raise NotFoundError(msg)
        crud.update_project(
            session, actor=user, project_id=project.id, data=_milestone_update(model, project)
        )
        return _("Saved {milestone} of project #{id}.", milestone=_(model.milestone), id=project.id)
    msg = f"no writer for form {name!r}"  # pragma: no cover
    raise NotFoundError(msg)  # pragma: no cover


def _not_saved(errors: dict[str, str]) -> str:
    """The form's summary line: point at the marked fields only when some are marked."""
    if set(errors) <= {"__all__"}:
        return _("Not saved.")
    return _("Not saved: please correct the marked fields.")


#: Values kept in a form after a successful save (convenient for the next entry).
_KEEP = {
    "production": ("site_id", "line", "unit"),
    "quality": ("site_id", "line"),
    "survey": ("site_id", "product_category"),
    "milestone": (),
}


@router.post("/county/{region_id}/forms/{name}/validate")
async def validate_field(request: Request, region_id: str, name: str) -> Response:
    """Inline validation: the message for the field that changed (``HX-Trigger-Name``).

    Reads only, in its own session (never a write transaction), so checking a field
    does not queue behind writers.
    """
    raw = {k: str(v) for k, v in (await request.form()).items()}
    field = request.headers.get("HX-Trigger-Name", "")
    if not _form_token_ok(request, raw):
        return _csrf_refused()

    def check() -> Response:
        session: Session = request.app.state.session_factory()
        try:
            user = _user_from_cookie(request, session)
            if user is None:
                return _to_login(request)
            with use_language(request_language(request, user)):
                if name not in FORMS or _check_county(session, user, region_id) is not None:
                    return Response("", status_code=404)
                _m, errors = validate_form(
                    FORMS[name], raw, extra=_context_check(session, user, region_id, name)
                )
            return HTMLResponse(str(escape(errors.get(field, ""))))
        finally:
            session.close()

    return await run_in_threadpool(check)


@router.post("/county/{region_id}/forms/{name}")
async def submit_form(
    request: Request, region_id: str, name: str, session: SessionDep, user: DashUser
) -> Response:
    """Validate and store one form; re-render it with messages (HTMX) or redirect."""
    if user is None:
        return _to_login(request)
    with use_language(request_language(request, user)):
        return await _submit_form(request, region_id, name, session, user)


async def _submit_form(
    request: Request, region_id: str, name: str, session: Session, user: User
) -> Response:
    if name not in FORMS:
        return _error_page(user, 404, _("Not found"), _("unknown form {name!r}", name=name))
    bad = _check_county(session, user, region_id)
    if bad is not None:
        return bad
    raw = {k: str(v) for k, v in (await request.form()).items()}
    if not _form_token_ok(request, raw):
        return _csrf_refused()
    model, errors = validate_form(
        FORMS[name], raw, extra=_context_check(session, user, region_id, name)
    )
    message, headers = "", {}
    existing_url = ""
    if model is not None:
        session.commit()  # end the read transaction; writes start with BEGIN IMMEDIATE
        begin_write(session)
        try:
            message = _write(session, user, name, model)
            session.commit()
        except DataValidationError as exc:
            session.rollback()
            errors = _problems_to_errors(name, exc)
        except ConflictError as exc:
            session.rollback()
            errors = {"__all__": str(exc)}
            if exc.existing is not None and exc.existing[0] == "operations":
                errors = {
                    "__all__": _(
                        "This line already has a record for this month (#{id}); it was not "
                        "entered again.",
                        id=exc.existing[1],
                    )
                }
            if exc.existing is not None:
                name_, row_id = exc.existing
                existing_url = (
                    f"{PREFIX}/operation/{row_id}"
                    if name_ == "operations"
                    else f"{_api(request)}/{name_}/{row_id}"
                )
        except (ScopeError, NotFoundError) as exc:
            session.rollback()
            errors = {"__all__": str(exc)}
    ok = not errors
    if ok:
        headers["HX-Trigger"] = f"{name}-saved"
        if not _is_htmx(request):
            return RedirectResponse(f"{PREFIX}/county/{region_id}#form-{name}", status_code=303)
    values = raw if not ok else {k: raw.get(k, "") for k in _KEEP.get(name, ())}
    state = pages.county_form_state(
        session,
        user,
        region_id,
        name,
        base=PREFIX,
        values=values,
        errors=errors,
        message=message if ok else _not_saved(errors),
        ok=ok,
    )
    state.existing_url = existing_url
    status = 200 if ok else 422
    if _is_htmx(request):
        return _render("fragment_form.html", status, headers=headers, form=state)
    page = pages.build_county(session, user, region_id, base=PREFIX, api=_api(request))
    for block in page.blocks:
        if block.id == f"form-{name}":
            block.body = state
    return _render("page.html", status, page=page, user=_user_view(user))
