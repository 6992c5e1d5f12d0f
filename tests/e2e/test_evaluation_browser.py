"""Evaluation pages in real Chromium: league table (sort, peer group), a control chart with a
signal, and accepting a recommendation.

A uvicorn server runs in a subprocess on a free loopback port against a seeded SQLite file;
Debian's ``/usr/bin/chromium`` is driven by Playwright (same set-up as
``test_dashboard_browser.py``).  Every request must go to the loopback server.
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
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip

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
    def __init__(self, base_url: str, tmp: Path, site_id: int, region_id: str) -> None:
        self.base_url, self.tmp, self.site_id, self.region_id = base_url, tmp, site_id, region_id


def _add_evaluation_records(url: str, region_id: str) -> int:
    """A quality line with a spike and customer answers with a packaging complaint."""
    from sqlalchemy import select

    from regdev.monitoring.db import make_engine, make_session_factory
    from regdev.monitoring.models import QualityRecord, Site, Survey

    engine = make_engine(url)
    with make_session_factory(engine)() as s:
        site = (
            s.execute(select(Site).where(Site.region_id == region_id).order_by(Site.id))
            .scalars()
            .first()
        )
        assert site is not None
        start = dt.date(2025, 1, 6)
        for i in range(30):
            bad = 40 if i == 27 else 4 + i % 3
            s.add(
                QualityRecord(
                    site_id=site.id,
                    region_id=region_id,
                    line="browser qc line",
                    date=start + dt.timedelta(days=7 * i),
                    lot_code=f"BQ-{i:03d}",
                    sample_size=200,
                    defects={"packaging": bad},
                    n_defective=bad,
                )
            )
        today = dt.datetime.now(dt.UTC).date()
        for j in range(8):
            s.add(
                Survey(
                    site_id=site.id,
                    region_id=region_id,
                    date=today - dt.timedelta(days=3 + 7 * j),
                    product_category="kimchi",
                    lot_code="",
                    score=8,
                    comment="tasty, but the packaging leaks",
                )
            )
        s.commit()
        site_id = site.id
    engine.dispose()
    return site_id


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    from regdev.monitoring.config import Settings
    from regdev.monitoring.dashboard._seed import seed_synthetic
    from regdev.monitoring.db import make_engine
    from regdev.monitoring.migrate import upgrade

    tmp = tmp_path_factory.mktemp("evaluation-browser")
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
    summary = seed_synthetic(engine, settings=settings, n_months=14, lines_per_site=2, rng=11)
    engine.dispose()
    region_id = summary.operating_region_ids[0]
    site_id = _add_evaluation_records(url, region_id)
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "regdev.monitoring.app:create_app", "--factory",
         "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
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
                out = proc.stdout.read().decode() if proc.stdout else ""
                pytest.fail(f"uvicorn did not start: {out[-2000:]}")
            time.sleep(0.1)
        yield Server(base, tmp, site_id, region_id)
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
    return parts.scheme in ("data", "about", "blob") or parts.hostname in (
        "127.0.0.1",
        "localhost",
        "::1",
    )


def _login(context: object, server: Server) -> object:
    page = context.new_page()  # type: ignore[attr-defined]
    page.goto(server.base_url + "/login?next=/evaluation")
    page.fill("#username", "admin")
    page.fill("#password", "admin-password")
    page.click("button[type=submit]")
    page.wait_for_selector("table[data-table=league]")
    return page


def test_league_table_sort_and_peer_groups(server: Server, browser: object) -> None:
    context = browser.new_context(viewport={"width": 1400, "height": 900})  # type: ignore[attr-defined]
    requests: list[str] = []
    context.on("request", lambda req: requests.append(req.url))
    page = _login(context, server)
    rows = page.locator("table[data-table=league] tbody tr")
    assert rows.count() >= 5
    # every rank comes with an interval "low–high" that contains it
    first = page.eval_on_selector_all(
        "table[data-table=league] tbody tr",
        "rs => rs.map(r => [r.cells[0].innerText, r.cells[1].innerText])",
    )
    for rank, interval in first:
        lo, hi = (int(x) for x in interval.split("–"))
        assert lo <= hi
        assert lo >= 1 and int(rank) >= 1
    # sort by quality, descending after a second click
    page.click("table[data-table=league] th[data-key=quality] a")
    page.wait_for_url("**sort=quality**")
    page.click("table[data-table=league] th[data-key=quality] a")
    page.wait_for_url("**desc=1**")
    col = page.eval_on_selector_all(
        "table[data-table=league] th", "hs => hs.findIndex(h => h.dataset.key === 'quality')"
    )
    values = page.eval_on_selector_all(
        "table[data-table=league] tbody tr", f"rs => rs.map(r => r.cells[{col}].innerText)"
    )
    nums = [float(v.rstrip("%")) for v in values if v not in ("–", "")]
    assert nums == sorted(nums, reverse=True)
    # one peer group
    page.locator("nav.filters a").nth(3).click()
    page.wait_for_url("**peer=**")
    groups = page.eval_on_selector_all(
        "table[data-table=league] tbody tr", "rs => rs.map(r => r.cells[3].innerText)"
    )
    assert groups and len(set(groups)) == 1
    page.screenshot(path=str(server.tmp / "league.png"), full_page=True)
    assert [u for u in requests if not _is_loopback(u)] == []
    context.close()


def test_control_chart_shows_the_signal(server: Server, browser: object) -> None:
    context = browser.new_context(viewport={"width": 1300, "height": 900})  # type: ignore[attr-defined]
    page = _login(context, server)
    page.goto(f"{server.base_url}/evaluation/site/{server.site_id}")
    chart = page.locator("#chart-browser-qc-line svg.control")
    chart.wait_for()
    signals = chart.locator("circle.point.signal")
    assert signals.count() >= 1
    rules = signals.first.get_attribute("data-rules") or ""
    assert "WE1" in rules
    # the spike is above the upper control limit drawn on the chart
    assert chart.locator("polyline.limit.ucl").count() == 1
    assert "WE1" in page.inner_text("table[data-table=alerts]")
    page.screenshot(path=str(server.tmp / "control-chart.png"), full_page=True)
    context.close()


def test_accept_a_recommendation(server: Server, browser: object) -> None:
    context = browser.new_context(viewport={"width": 1300, "height": 900})  # type: ignore[attr-defined]
    page = _login(context, server)
    page.goto(f"{server.base_url}/evaluation/recommendations")
    row = page.locator("tr[data-key]", has_text="kimchi").first
    row.wait_for()
    key = row.get_attribute("data-key")
    row.locator("button[value=accepted]").click()
    page.wait_for_selector(f"tr[data-key='{key}'] .decision[data-decision=accepted]")
    page.screenshot(path=str(server.tmp / "recommendations.png"), full_page=True)
    cookies = {c["name"]: c["value"] for c in context.cookies()}
    sig = httpx.get(f"{server.base_url}/evaluation/signals.csv", cookies=cookies, trust_env=False)
    assert sig.status_code == 200
    assert f"{server.region_id},force,pickles_kimchi" in sig.text  # customers asked for kimchi
    context.close()
