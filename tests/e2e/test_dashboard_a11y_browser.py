"""Dashboard in Korean and English, at 1440 and 390 px, checked with axe-core offline.

Issue 15: the national, province and county pages and the correction of a wrong record,
in both languages; screenshots at 1440 and 390 px kept as test artefacts (the folder is
printed, and ``REGDEV_ARTEFACTS`` chooses it); no horizontal scroll at 390 px; zero
serious or critical axe-core violations; no request leaves 127.0.0.1, ``/api/v1/docs``
included.

A real uvicorn server runs on a free loopback port against a seeded SQLite file; Debian's
``/usr/bin/chromium`` is driven by Playwright.  axe-core (MPL-2.0) is vendored in
``tests/e2e/vendor/axe-core`` and injected into the page (the context bypasses the page's
CSP for that script only; the offline check runs in a context that does not).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

CHROMIUM = Path("/usr/bin/chromium")
AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
HANGUL = re.compile(r"[\uac00-\ud7a3]")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="Debian chromium not installed at /usr/bin/chromium (apt-get install chromium)",
    ),
]

playwright_sync = pytest.importorskip(
    "playwright.sync_api", reason="playwright (python) not installed"
)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    def __init__(
        self,
        base_url: str,
        tmp: Path,
        region_id: str,
        province_id: str,
        site_id: int,
        name_ko: str,
    ) -> None:
        self.name_ko = name_ko
        self.base_url = base_url
        self.tmp = tmp
        self.region_id = region_id
        self.province_id = province_id
        self.site_id = site_id


@pytest.fixture(scope="module")
def artefacts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = Path(os.environ.get("REGDEV_ARTEFACTS") or tmp_path_factory.mktemp("screens"))
    folder.mkdir(parents=True, exist_ok=True)
    print(f"\ndashboard screenshots: {folder}")  # noqa: T201 - where the artefacts are
    return folder


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    from sqlalchemy import select

    from regdev.monitoring import crud, schemas
    from regdev.monitoring.auth import make_hasher
    from regdev.monitoring.config import Settings
    from regdev.monitoring.dashboard._seed import seed_synthetic
    from regdev.monitoring.db import make_engine, make_session_factory, session_scope
    from regdev.monitoring.migrate import upgrade
    from regdev.monitoring.models import Region, Site

    tmp = tmp_path_factory.mktemp("dashboard-a11y")
    url = f"sqlite:///{tmp / 'monitor.db'}"
    env = {
        **os.environ,
        "REGDEV_DATABASE_URL": url,
        "REGDEV_SECRET_KEY": "browser-test-secret-0123456789",
        "REGDEV_ARGON2_TIME_COST": "1",
        "REGDEV_ARGON2_MEMORY_COST": "1024",
    }
    settings = Settings(database_url=url, argon2_time_cost=1, argon2_memory_cost=1024)
    engine = make_engine(url)
    upgrade(engine)
    summary = seed_synthetic(engine, settings=settings, n_months=8, lines_per_site=2, rng=11)
    region_id = summary.operating_region_ids[0]
    hasher = make_hasher(settings)
    with session_scope(make_session_factory(engine), write=True) as s:
        region = s.get(Region, region_id)
        assert region is not None
        province_id = region.province_id
        name_ko = region.name_ko or region.name
        site = s.execute(select(Site).where(Site.region_id == region_id)).scalars().first()
        assert site is not None
        site_id = site.id
        for data in (
            {
                "username": "prov",
                "password": "prov-password",
                "role": "provincial",
                "province_id": province_id,
            },
            {
                "username": "county",
                "password": "county-password",
                "role": "county",
                "region_id": region_id,
            },
        ):
            crud.create_user(
                s, actor=None, data=schemas.UserCreate.model_validate(data), hasher=hasher
            )
    engine.dispose()
    port = _free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "regdev.monitoring.app:create_app",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if (
                    httpx.get(f"{base}/api/v1/health", timeout=1.0, trust_env=False).status_code
                    == 200
                ):
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                out = proc.communicate(timeout=10)[0].decode() if proc.stdout else ""
                pytest.fail(f"uvicorn did not start: {out[-2000:]}")
            time.sleep(0.1)
        yield Server(base, tmp, region_id, province_id, site_id, name_ko)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with playwright_sync.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


def _is_loopback(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in ("data", "about", "blob"):
        return True
    return parts.hostname in ("127.0.0.1", "localhost", "::1")


def _login(page: Any, base: str, user: str, password: str, lang: str) -> None:
    page.goto(f"{base}/login?lang={lang}")
    page.fill("#username", user)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_load_state("load")


def _axe(page: Any) -> list[dict[str, Any]]:
    """Serious and critical axe-core violations of the page (WCAG 2 A/AA rules)."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {
                runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa',
                                                'best-practice']},
                resultTypes: ['violations'],
            });
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
        }"""
    )
    return [v for v in result if v["impact"] in ("serious", "critical")]


def _no_hscroll(page: Any) -> tuple[int, int]:
    return page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )


def _check_page(page: Any, lang: str, shot: Path) -> None:
    """Language, font, accessibility and the 390 px layout of the page on screen."""
    assert page.get_attribute("html", "lang") == lang, page.url
    assert page.locator("a.skip[href='#main']").count() == 1
    assert page.locator("#as-of").count() == 1
    # no duplicate ids
    dupes = page.evaluate(
        "() => { const seen = {}; const d = [];"
        " document.querySelectorAll('[id]').forEach(e => { if (seen[e.id]) d.push(e.id);"
        " seen[e.id] = 1; }); return d; }"
    )
    assert dupes == []
    # Korean text is marked lang="ko" on English pages
    if lang == "en":
        unmarked = page.evaluate(
            """() => {
                const out = [];
                const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
                while (walker.nextNode()) {
                    const t = walker.currentNode;
                    if (/[\\uac00-\\ud7a3]/.test(t.textContent)
                        && !t.parentElement.closest('[lang=ko]')
                        && !t.parentElement.closest('svg, script, style, datalist'))
                        out.push(t.textContent.trim().slice(0, 40));
                }
                return out;
            }"""
        )
        assert unmarked == []
    else:
        assert HANGUL.search(page.inner_text("main"))
        # the bundled font draws the Korean text (no empty boxes)
        page.evaluate("() => document.fonts.ready")
        assert page.evaluate("() => document.fonts.check('16px \"Regdev Gothic\"', '강원도')")
    violations = _axe(page)
    assert violations == [], json.dumps(violations, ensure_ascii=False, indent=1)
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_pages_in_both_languages_at_1440_and_390_px(
    server: Server, browser: Any, artefacts: Path, lang: str
) -> None:
    for width, height in ((1440, 900), (390, 844)):
        context = browser.new_context(viewport={"width": width, "height": height}, bypass_csp=True)
        page = context.new_page()
        _login(page, server.base_url, "admin", "admin-password", lang)
        urls = {
            "national": "/",
            "province": f"/province/{server.province_id}",
            "county": f"/county/{server.region_id}",
            "factory": f"/site/{server.site_id}",
        }
        for name, path in urls.items():
            resp = page.goto(server.base_url + path)
            assert resp is not None
            assert resp.status == 200, (name, resp.status)
            if width == 390:
                scroll, client = _no_hscroll(page)
                assert scroll <= client, f"{name} ({lang}) is {scroll} px wide at 390 px"
            _check_page(page, lang, artefacts / f"{name}-{lang}-{width}.png")
            if name in ("national", "province"):
                # overdue milestones / missing reports are listed and ringed on the map
                assert page.locator("table[data-table=overdue_milestones]").count() == 1
                assert page.locator("table[data-table=missing_reports]").count() == 1
                assert page.locator("svg.map path.outline").count() == 1
            if name == "county":
                # every form is one click away: the tabs at the top lead to it
                tab = page.locator("nav.tabs a[href='#form-production']")
                assert tab.count() == 1
                box = tab.bounding_box()
                assert box is not None
                assert box["y"] < 900
        context.close()


def test_scoped_landing_search_and_province_shape(server: Server, browser: Any) -> None:
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    _login(page, server.base_url, "prov", "prov-password", "en")
    page.wait_for_url(f"**/province/{server.province_id}")
    # the province page draws the province's own shape (not the national outline)
    outline = page.get_attribute("svg.map path.outline", "d") or ""
    national = httpx.get(
        f"{server.base_url}/national", cookies=dict(_cookies(context)), trust_env=False
    ).text
    assert outline and outline not in national
    # county search: a Korean name finds the county
    page.fill("#top-search", server.name_ko)
    page.press("#top-search", "Enter")
    page.wait_for_url(f"**/county/{server.region_id}")
    context.close()


def _cookies(context: Any) -> list[tuple[str, str]]:
    return [(c["name"], c["value"]) for c in context.cookies()]


def _last_month() -> str:
    today = dt.datetime.now(dt.UTC).date()
    idx = today.year * 12 + today.month - 2
    return f"{idx // 12:04d}-{idx % 12 + 1:02d}"


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_correct_and_void_a_wrong_record(
    server: Server, browser: Any, artefacts: Path, lang: str
) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, bypass_csp=True)
    page = context.new_page()
    _login(page, server.base_url, "county", "county-password", lang)
    # a county user lands on their county; from there to the factory and its history
    page.wait_for_url(f"**/county/{server.region_id}")
    page.goto(f"{server.base_url}/site/{server.site_id}")
    rows = page.locator("table[data-table=history] tbody tr")
    assert rows.count() >= 2
    first = rows.nth(0)
    month = first.locator("td").nth(0).inner_text().strip()
    first.locator("a").last.click()
    page.wait_for_selector("#form-correct")
    rec_url = page.url
    assert re.search(r"/operation/\d+$", rec_url)
    # a correction without a reason is refused, and the message is tied to the field
    form = page.locator("#form-correct")
    form.locator("input[name=output]").fill("12.5")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("#form-correct [aria-invalid=true]")
    reason = page.locator("#form-correct textarea[name=reason]")
    assert reason.get_attribute("aria-invalid") == "true"
    err = page.locator(f"#{reason.get_attribute('aria-describedby')}")
    assert err.inner_text().strip() != ""
    assert _axe(page) == []
    # with a reason it is saved, and the audit trail shows the old and new figures
    form = page.locator("#form-correct")
    form.locator("input[name=output]").fill("12.5")
    form.locator("textarea[name=reason]").fill("meter misread, checked with the ledger")
    form.locator("button[type=submit]").click()
    page.wait_for_url("**saved=correct")
    assert page.locator("p.notice[role=status]").count() == 1
    changes = page.inner_text("table[data-table=changes]")
    assert "12.5" in changes
    assert "meter misread" in changes
    page.screenshot(path=str(artefacts / f"record-corrected-{lang}-390.png"), full_page=True)
    # void it (reason required): it stays, marked void, and leaves the figures
    form = page.locator("#form-void")
    form.locator("textarea[name=reason]").fill("entered for the wrong line")
    form.locator("button[type=submit]").click()
    page.wait_for_url("**saved=void")
    assert page.locator("ul.alerts").count() == 1
    page.goto(f"{server.base_url}/site/{server.site_id}")
    voided = page.locator("table[data-table=history] tbody tr", has_text=month).locator(
        ".st-voided"
    )
    assert voided.count() >= 1
    # the same line and month cannot be entered twice: the form links to the stored record
    context.close()


def test_offline_including_api_docs(server: Server, browser: Any) -> None:
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    requests: list[str] = []
    context.on("request", lambda req: requests.append(req.url))
    page = context.new_page()
    _login(page, server.base_url, "admin", "admin-password", "ko")
    for path in ("/", f"/province/{server.province_id}", f"/county/{server.region_id}"):
        page.goto(server.base_url + path)
        page.wait_for_load_state("networkidle")
    page.goto(server.base_url + "/api/v1/docs")
    page.wait_for_selector(".swagger-ui .info", timeout=30_000)
    assert requests
    assert [u for u in requests if not _is_loopback(u)] == []
    # the Korean font and the stylesheet came from the dashboard itself
    assert any(u.endswith("/static/RegdevGothic-Regular.woff2") for u in requests)
    context.close()
