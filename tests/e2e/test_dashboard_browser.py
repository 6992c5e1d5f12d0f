"""Dashboard in real Chromium: log in, national map, drill to a county, enter production.

A real uvicorn server runs in a subprocess on a free loopback port against a seeded
SQLite file in a tmp dir; Debian's ``/usr/bin/chromium`` is driven by Playwright.
Every request the pages make is recorded and must go to the loopback server.
Screenshots of the national and county pages are written to the tmp dir.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = [
    pytest.mark.browser,
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
        self, base_url: str, tmp: Path, region_id: str, last_month: tuple[int, int]
    ) -> None:
        self.base_url = base_url
        self.tmp = tmp
        self.region_id = region_id
        self.last_month = last_month


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    from regdev.monitoring.config import Settings
    from regdev.monitoring.dashboard._seed import seed_synthetic
    from regdev.monitoring.db import make_engine
    from regdev.monitoring.migrate import upgrade

    tmp = tmp_path_factory.mktemp("dashboard")
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
    summary = seed_synthetic(engine, settings=settings, n_months=12, lines_per_site=2, rng=7)
    # a county whose factory has reported operations (cohort 2024 or 2025)
    region_id = summary.operating_region_ids[0]
    # its factory's design gains a line with no record yet (as `db import-plan` stores the
    # designer's lines): the production form offers design lines only (issue 10)
    from sqlalchemy import select

    from regdev.monitoring.db import make_session_factory, session_scope
    from regdev.monitoring.models import Site, SiteLine

    with session_scope(make_session_factory(engine), write=True) as s:
        site = s.execute(select(Site).where(Site.region_id == region_id)).scalars().first()
        s.add(SiteLine(site_id=site.id, name="browser test line", capacity=150.0, unit="t"))
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
        deadline = time.monotonic() + 120  # a loaded CI machine starts slowly
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
                proc.kill()  # first: reading the output of a live server would block
                out = proc.communicate(timeout=10)[0].decode() if proc.stdout else ""
                pytest.fail(f"uvicorn did not start: {out[-2000:]}")
            time.sleep(0.1)
        yield Server(base, tmp, region_id, summary.last_month)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with playwright_sync.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


def _is_loopback(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in ("data", "about", "blob"):
        return True
    return parts.hostname in ("127.0.0.1", "localhost", "::1")


def test_login_map_county_production_entry_offline(
    server: Server, browser: object, tmp_path: Path
) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    requests: list[str] = []
    context.on("request", lambda req: requests.append(req.url))
    page = context.new_page()
    console_errors: list[str] = []
    page.on("console", lambda msg: console_errors.append(msg.text) if msg.type == "error" else None)

    # not logged in: redirected to the login page; wrong password is refused
    page.goto(server.base_url + "/")
    assert "/login" in page.url
    page.fill("#username", "admin")
    page.fill("#password", "wrong-password")
    page.click("button[type=submit]")
    assert "incorrect username or password" in page.inner_text("[role=alert]")
    page.fill("#password", "admin-password")
    page.click("button[type=submit]")
    page.wait_for_selector("svg.map")

    # national overview: every programme region on the map, coloured by state
    symbols = page.locator("svg.map .site")
    assert symbols.count() == 179
    states = set(page.eval_on_selector_all("svg.map .site", "els => els.map(e => e.dataset.state)"))
    assert {"operating", "planned"} <= states
    assert page.locator("#chart-year svg rect[data-value]").count() > 0
    assert page.locator("#chart-cohort svg rect[data-series='○ on time']").count() > 0
    assert page.locator("table[data-table=progress_by_province] tbody tr").count() >= 10
    page.screenshot(path=str(server.tmp / "national.png"), full_page=True)

    # drill down: click the county's symbol on the map
    page.click(f"svg.map [data-region='{server.region_id}']")
    page.wait_for_url(f"**/county/{server.region_id}")
    page.wait_for_selector("#production-chart svg")
    assert page.locator("table[data-table=projects] tbody tr").count() >= 1
    bars_before = page.locator("#production-chart rect.output").count()
    assert bars_before > 0

    # enter a monthly production record for a new line in the last finished month (the
    # current month is refused until it ends: issue 15)
    today = dt.datetime.now(dt.UTC).date()
    month = f"{today.year - (today.month == 1):04d}-{(today.month - 2) % 12 + 1:02d}"
    bar = page.locator(f"#production-chart rect.output[data-month='{month}']")
    before = float(bar.first.get_attribute("data-value") or 0) if bar.count() else 0.0
    form = page.locator("#form-production")
    form.locator("select[name=site_id]").select_option(index=0)
    form.locator("select[name=line]").select_option("browser test line")
    form.locator("input[name=month]").fill(month)
    # inline validation: a negative output is flagged next to the field before submitting
    form.locator("input[name=output]").fill("-5")
    form.locator("input[name=output]").dispatch_event("change")
    page.wait_for_function(
        "() => document.querySelector('#form-production .err[data-for=output]').textContent.includes('greater than or equal to 0')"
    )
    # the message is tied to its field (issue 15: aria-describedby, announced politely)
    err_id = form.locator("input[name=output]").get_attribute("aria-describedby")
    assert err_id == "production-output-err"
    assert page.locator(f"#{err_id}").get_attribute("aria-live") == "polite"
    form.locator("input[name=output]").fill("123.5")
    form.locator("input[name=capacity]").fill("150")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("#form-production .msg-ok")
    assert "Saved browser test line" in page.inner_text("#form-production .msg-ok")
    # the chart reloads (HTMX trigger) and shows the new month with the entered output
    page.wait_for_function(
        "([m, v]) => { const b = document.querySelector("
        "`#production-chart rect.output[data-month='${m}']`);"
        " return b && Math.abs(parseFloat(b.dataset.value) - v) < 1e-6; }",
        arg=[month, before + 123.5],
    )
    assert (
        page.locator("table[data-table=operations] tbody tr", has_text="browser test line").count()
        == 1
    )

    # a server-side rule (duplicate line-month) comes back inline, not as an error page
    form = page.locator("#form-production")
    form.locator("input[name=month]").fill(month)
    form.locator("input[name=output]").fill("100")
    form.locator("input[name=capacity]").fill("150")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("#form-production .msg-bad")
    page.screenshot(path=str(server.tmp / "county.png"), full_page=True)

    # CSV download of a table shown on the page, with the session cookie
    cookies = {c["name"]: c["value"] for c in context.cookies()}
    csv_resp = httpx.get(
        f"{server.base_url}/county/{server.region_id}/csv/operations.csv",
        cookies=cookies,
        trust_env=False,
    )
    assert csv_resp.status_code == 200
    assert csv_resp.text.splitlines()[0].startswith("month,site,line,output,capacity")
    assert "browser test line" in csv_resp.text

    # up to the province through the breadcrumb
    page.click("nav.crumbs a >> nth=1")
    page.wait_for_selector("svg.map")
    assert page.locator("table[data-table=regions] tbody tr").count() >= 1
    page.screenshot(path=str(server.tmp / "province.png"), full_page=True)

    # nothing left the machine, and the page scripts ran without errors
    assert requests, "no requests recorded"
    external = [u for u in requests if not _is_loopback(u)]
    assert external == []
    # the only console errors allowed: the deliberately refused login (401) and the
    # deliberately invalid form submission (422)
    expected = ("status of 401", "status of 422")
    assert [e for e in console_errors if not any(x in e for x in expected)] == []
    context.close()


def test_county_user_cannot_open_another_county(server: Server, browser: object) -> None:
    # create a county user for the operating county through the API's crud (audited)
    from regdev.monitoring import crud, schemas
    from regdev.monitoring.auth import make_hasher
    from regdev.monitoring.config import Settings
    from regdev.monitoring.db import make_engine, make_session_factory, session_scope

    url = f"sqlite:///{server.tmp / 'monitor.db'}"
    engine = make_engine(url)
    with session_scope(make_session_factory(engine), write=True) as s:
        crud.create_user(
            s,
            actor=None,
            data=schemas.UserCreate.model_validate(
                {
                    "username": "county-user",
                    "password": "county-password",
                    "role": "county",
                    "region_id": server.region_id,
                }
            ),
            hasher=make_hasher(Settings(argon2_time_cost=1, argon2_memory_cost=1024)),
        )
    engine.dispose()
    context = browser.new_context()  # type: ignore[attr-defined]
    page = context.new_page()
    page.goto(server.base_url + "/login")
    page.fill("#username", "county-user")
    page.fill("#password", "county-password")
    page.click("button[type=submit]")
    # a county user lands on their own county (issue 15)
    page.wait_for_url(f"**/county/{server.region_id}")
    page.goto(server.base_url + "/national")
    page.wait_for_selector("svg.map")
    # the national page only counts the user's own county
    assert page.locator("svg.map .site:not([data-state=none])").count() == 1
    resp = page.goto(f"{server.base_url}/county/{server.region_id}")
    assert resp is not None
    assert resp.status == 200
    other = "KP-PYY-KANGDONG" if server.region_id != "KP-PYY-KANGDONG" else "KP-CHA-KANGGYE"
    resp = page.goto(f"{server.base_url}/county/{other}")
    assert resp is not None
    assert resp.status == 403
    assert "may not see" in page.inner_text("main")
    context.close()


def test_county_milestones_table_last_column_visible(server: Server, browser: object) -> None:
    # at 1400 px the milestones table's last column ("Status": overdue/ok) must be on screen
    # inside its card (not clipped by the card or hidden behind a scroll container)
    context = browser.new_context(viewport={"width": 1400, "height": 900})  # type: ignore[attr-defined]
    page = context.new_page()
    page.goto(server.base_url + "/login")
    page.fill("#username", "admin")
    page.fill("#password", "admin-password")
    page.click("button[type=submit]")
    page.wait_for_selector("svg.map")
    page.goto(f"{server.base_url}/county/{server.region_id}")
    # a county with many milestones of several facility types: repeat the rows (with the
    # longest facility name) so the table is taller than its scroll box, whose vertical
    # scrollbar then takes width away from the columns
    page.evaluate(
        """() => {
            const body = document.querySelector('#t-milestones table tbody');
            const rows = Array.from(body.rows);
            for (let i = 0; i < 20; i++) rows.forEach(r => {
                const c = r.cloneNode(true);
                c.cells[1].textContent = 'leisure_complex';
                body.appendChild(c);
            });
        }"""
    )
    clipped = page.evaluate(
        "() => { const w = document.querySelector('#t-milestones .tablewrap');"
        " return w.scrollWidth - w.clientWidth; }"
    )
    assert clipped <= 0, f"milestones table is {clipped} px wider than its box"
    header = page.locator("#t-milestones table[data-table=milestones] thead th").last
    assert header.inner_text().strip() == "Status"
    box = header.bounding_box()
    wrap = page.locator("#t-milestones .tablewrap").bounding_box()
    card = page.locator("#t-milestones").bounding_box()
    assert box is not None
    assert wrap is not None
    assert card is not None
    assert box["x"] + box["width"] <= wrap["x"] + wrap["width"] + 0.5
    assert box["x"] + box["width"] <= card["x"] + card["width"] + 0.5
    assert box["x"] + box["width"] <= 1400
    context.close()


# --- issue 16: CSRF from another origin and another port; framing; offline API docs ------


def _attacker_site(tmp: Path, target: str, region_id: str) -> tuple[str, object]:
    """A static site on another loopback port with the three attacks as pages."""
    import functools
    import http.server
    import threading

    root = tmp / "attacker"
    root.mkdir(exist_ok=True)
    (root / "form.html").write_text(
        f"""<!doctype html><form method="post" action="{target}/county/{region_id}/forms/survey">
<input name="site_id" value="1"><input name="date" value="2025-01-01">
<input name="product_category" value="csrf-form"><input name="score" value="9">
</form><script>document.forms[0].submit()</script>"""
    )
    (root / "fetch.html").write_text(
        f"""<!doctype html><script>
const fd = new FormData();
fd.append("file", new Blob(["site_id,date,product_category,score\\n1,2025-01-01,csrf-import,9\\n"],
  {{type: "text/csv"}}), "x.csv");
fetch("{target}/api/v1/surveys/import", {{method: "POST", body: fd, credentials: "include"}})
  .then(() => document.title = "sent", () => document.title = "sent");
</script>"""
    )
    (root / "frame.html").write_text(
        f'<!doctype html><iframe id="f" src="{target}/county/{region_id}" width="800" height="600"></iframe>'
    )
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return f"127.0.0.1:{httpd.server_address[1]}", httpd


def _surveys_named(server: Server, name: str) -> int:
    from sqlalchemy import func, select

    from regdev.monitoring.db import make_engine
    from regdev.monitoring.models import Survey

    engine = make_engine(f"sqlite:///{server.tmp / 'monitor.db'}")
    with engine.connect() as conn:
        n = conn.execute(
            select(func.count()).select_from(Survey).where(Survey.product_category == name)
        ).scalar_one()
    engine.dispose()
    return int(n)


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_csrf_from_another_port_or_origin_fails(server: Server, browser: object, host: str) -> None:
    """A page on another port of the same host (same site: the SameSite=Strict cookie is
    sent) and a page of another origin cannot write with the user's session, and cannot
    frame the dashboard."""
    hostport, httpd = _attacker_site(server.tmp, server.base_url, server.region_id)
    attacker = f"http://{host}:{hostport.split(':')[1]}"
    context = browser.new_context()  # type: ignore[attr-defined]
    statuses: dict[str, int] = {}
    context.on(
        "response",
        lambda r: (
            statuses.__setitem__(urlsplit(r.url).path, r.status)
            if r.url.startswith(server.base_url)
            else None
        ),
    )
    page = context.new_page()
    page.goto(server.base_url + "/login")
    page.fill("#username", "admin")
    page.fill("#password", "admin-password")
    page.click("button[type=submit]")
    page.wait_for_selector("svg.map")
    try:
        evil = context.new_page()
        seen: list[str] = []
        evil.on("console", lambda m: seen.append(m.text))
        evil.on("request", lambda r: seen.append(r.method + " " + r.url))
        evil.goto(f"{attacker}/form.html")
        evil.wait_for_load_state("networkidle")
        evil.goto(f"{attacker}/fetch.html")
        evil.wait_for_function("() => document.title === 'sent'")
        evil.wait_for_timeout(300)
        form_path = f"/county/{server.region_id}/forms/survey"
        assert statuses.get(form_path) in (403, 303), statuses  # 303: not logged in (no cookie)
        # the cross-origin fetch was sent (its response is hidden from the page by CORS,
        # and from the test with it); that nothing was stored is checked below
        assert f"POST {server.base_url}/api/v1/surveys/import" in seen
        assert _surveys_named(server, "csrf-form") == 0
        assert _surveys_named(server, "csrf-import") == 0
        evil.goto(f"{attacker}/frame.html")
        evil.wait_for_timeout(500)
        frame = next(f for f in evil.frames if f != evil.main_frame)
        assert frame.query_selector("main") is None  # refused: frame-ancestors 'none'
    finally:
        httpd.shutdown()  # type: ignore[attr-defined]
        context.close()


def test_api_docs_render_offline(server: Server, browser: object) -> None:
    context = browser.new_context()  # type: ignore[attr-defined]
    requests: list[str] = []
    context.on("request", lambda req: requests.append(req.url))
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(server.base_url + "/api/v1/docs")
    page.wait_for_selector(".swagger-ui .info .title")
    assert "regdev monitoring" in page.inner_text(".swagger-ui .info .title")
    assert page.locator(".opblock").count() > 20
    page.screenshot(path=str(server.tmp / "api-docs.png"))
    assert [u for u in requests if not _is_loopback(u)] == []
    assert errors == []
    context.close()
