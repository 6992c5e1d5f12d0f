"""The plan report in a real browser, Korean and English: first screen, a dossier, 390 px.

``report.html`` of the default country is opened from a file in Debian's
``/usr/bin/chromium`` (Playwright, ``executable_path``).  Screenshots at 1440 and 390 px
are saved as test artefacts (``$REGDEV_ARTEFACTS`` or ``<pytest tmp>/artefacts``; the
folder is printed).  Asserted: the first screen is the plain-language briefing in the
page's language, nothing is fetched from the network, the bundled font is used, a map
symbol opens its county's dossier, and at 390 px the page does not scroll sideways.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from regdev.planning import build_dossiers, build_problem, plan_rollout
from regdev.registry import load_default
from regdev.reporting import build_plan_report

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
# a county with a factory group in the plan (the Kimhwa pilot counts as built: issue 10)
DOSSIER = "KP-KAN-CHOLWON"
DOSSIER_NAME = {"en": "Cholwon", "ko": "철원군"}

pytestmark = [
    pytest.mark.browser,
    pytest.mark.solver,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="Debian chromium not installed at /usr/bin/chromium (apt-get install chromium)",
    ),
]
playwright_sync = pytest.importorskip(
    "playwright.sync_api", reason="playwright (python) not installed"
)

FIRST_SCREEN = {
    "en": ("The plan in brief", "Who goes first, and why", "What is assumed", "Kimhwa"),
    "ko": ("계획 요약", "누가 먼저이며 왜인가", "가정한 것", "김화군"),
}


@pytest.fixture(scope="module")
def artefacts(tmp_path_factory) -> Path:
    folder = Path(os.environ.get("REGDEV_ARTEFACTS") or tmp_path_factory.mktemp("artefacts"))
    folder.mkdir(parents=True, exist_ok=True)
    print(f"\nreport screenshots: {folder}")
    return folder


@pytest.fixture(scope="module")
def report_files(tmp_path_factory) -> dict[str, Path]:
    plan = plan_rollout(build_problem(load_default()))
    dossiers = build_dossiers(plan, move_earlier=[DOSSIER])
    folder = tmp_path_factory.mktemp("report")
    files = {}
    for lang in ("en", "ko"):
        path = folder / f"report-{lang}.html"
        path.write_text(build_plan_report(plan, dossiers, lang=lang), encoding="utf-8")
        files[lang] = path
    return files


@pytest.fixture(scope="module")
def browser():
    with playwright_sync.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


def _open(browser, path: Path, width: int, requests: list[str]):
    context = browser.new_context(viewport={"width": width, "height": 900})
    context.on("request", lambda req: requests.append(req.url))
    page = context.new_page()
    page.goto(path.as_uri())
    page.evaluate("document.fonts.ready")
    return context, page


@pytest.mark.parametrize("lang", ["en", "ko"])
@pytest.mark.parametrize("width", [1440, 390])
def test_first_screen_is_the_briefing(browser, report_files, artefacts, lang, width):
    requests: list[str] = []
    context, page = _open(browser, report_files[lang], width, requests)
    try:
        assert page.evaluate("document.documentElement.lang") == lang
        title, who, assumed, _name = FIRST_SCREEN[lang]
        first = page.locator("main section").first
        assert first.get_attribute("id") == "overview"
        text = first.inner_text()
        assert title in text and who in text and assumed in text
        # the briefing heading is on the first screen, not below the fold
        box = page.locator("#h-overview").bounding_box()
        assert box is not None and box["y"] < 900
        # the bundled font is loaded and covers the page's Korean
        assert page.evaluate("document.fonts.check('16px \"Regdev Gothic\"', '계획 요약 김화군')")
        if width == 390:
            scroll = page.evaluate("document.documentElement.scrollWidth")
            inner = page.evaluate("window.innerWidth")
            assert scroll <= inner, f"horizontal scroll at 390 px: {scroll} > {inner}"
        shot = artefacts / f"report-{lang}-{width}-first-screen.png"
        page.screenshot(path=str(shot))
        assert shot.stat().st_size > 10_000
    finally:
        context.close()
    assert all(u.startswith(("file:", "data:")) for u in requests), requests


@pytest.mark.parametrize("lang", ["en", "ko"])
@pytest.mark.parametrize("width", [1440, 390])
def test_a_map_symbol_opens_its_dossier(browser, report_files, artefacts, lang, width):
    requests: list[str] = []
    context, page = _open(browser, report_files[lang], width, requests)
    try:
        dossier = page.locator(f"#dossier-{DOSSIER}")
        assert dossier.get_attribute("open") is None
        # follow the map symbol's link (its href is the dossier anchor)
        link = page.locator(f'#map a[href="#dossier-{DOSSIER}"]')
        assert link.count() == 1
        href = link.get_attribute("href")
        page.evaluate("h => { location.hash = h; }", href)
        page.wait_for_function(
            f"document.getElementById('dossier-{DOSSIER}').open === true", timeout=5000
        )
        text = dossier.inner_text()
        assert DOSSIER_NAME[lang] in text
        # money in the plan's unit of account (default M USD, issue 10)
        assert "M USD" in text
        if lang == "en":
            assert "inhabitants" in text and "m² of floor space" in text
        else:
            assert "명입니다" in text
        # no raw data in the dossier: no JSON, no snake_case keys
        assert "{" not in text and "_" not in text
        if width == 390:
            scroll = page.evaluate("document.documentElement.scrollWidth")
            assert scroll <= page.evaluate("window.innerWidth")
        shot = artefacts / f"report-{lang}-{width}-dossier.png"
        dossier.screenshot(path=str(shot))
        assert shot.stat().st_size > 5_000
    finally:
        context.close()
    assert all(u.startswith(("file:", "data:")) for u in requests), requests


def test_print_layout_opens_every_dossier(browser, report_files):
    requests: list[str] = []
    context, page = _open(browser, report_files["en"], 1000, requests)
    try:
        page.emulate_media(media="print")
        assert page.locator("nav").evaluate("e => getComputedStyle(e).display") == "none"
        page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
        closed = page.evaluate(
            "Array.from(document.querySelectorAll('#dossier-list details')).filter(d => !d.open).length"
        )
        assert closed == 0
    finally:
        context.close()
