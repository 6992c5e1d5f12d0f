"""The map and the bundled font in a real browser: Korean renders, nothing is fetched.

A self-contained page (``font_face_css()`` + ``render_map()``) is opened from a file in
Debian's ``/usr/bin/chromium`` driven by Playwright.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from regdev.fonts import FONT_STACK, font_face_css
from regdev.registry import load_default
from regdev.reporting.maps import render_map

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]

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


def _page_html() -> str:
    frame = load_default().frame.assign(year=2026)
    svg = render_map(frame, category="year", category_title="공장 건설 연도", lang="ko")
    css = font_face_css(svg)
    return (
        '<!doctype html><html lang="ko"><head><meta charset="utf-8">'
        f"<style>{css} body{{font-family:{FONT_STACK};margin:0}}</style></head>"
        f'<body><h1 id="h">평양시 함경북도</h1><div id="dossier-KP-CHA-KANGGYE">강계</div>{svg}</body></html>'
    )


def test_map_page_renders_korean_with_the_bundled_font_offline(tmp_path):
    page_file = tmp_path / "map.html"
    page_file.write_text(_page_html(), encoding="utf-8")
    with playwright_sync.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1000, "height": 800})
            requests: list[str] = []
            context.on("request", lambda req: requests.append(req.url))
            page = context.new_page()
            page.goto(page_file.as_uri())
            page.evaluate("document.fonts.ready")
            # the @font-face loaded from the data: URI and covers the Korean text
            assert page.evaluate(
                "document.fonts.check('16px \"Regdev Gothic\"', '평양시 함경북도')"
            )
            status = page.evaluate(
                "Array.from(document.fonts).filter(f => f.family.includes('Regdev')).map(f => f.status)"
            )
            assert status == ["loaded"]
            # the Korean heading is drawn with the bundled font's glyphs (asked of the
            # renderer itself: Chromium reports the platform fonts used for a node's text)
            cdp = context.new_cdp_session(page)
            cdp.send("DOM.enable")
            cdp.send("CSS.enable")
            root = cdp.send("DOM.getDocument")["root"]["nodeId"]
            node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": "#h"})["nodeId"]
            fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
            used = {f["familyName"]: f["glyphCount"] for f in fonts}
            assert used == {"Regdev Gothic": len("평양시함경북도") + 1}, fonts  # + the space
            # the map: 13 provinces, labels in Korean, a symbol links to the dossier anchor
            assert page.locator("svg.rd-map path.rd-province").count() == 13
            assert page.locator("svg.rd-map text", has_text="함경북도").count() == 1
            page.locator('a[data-region="KP-CHA-KANGGYE"]').dispatch_event("click")
            assert page.evaluate("location.hash") == "#dossier-KP-CHA-KANGGYE"
            box = page.locator("svg.rd-map").bounding_box()
            assert box is not None and box["width"] == 760
            page.screenshot(path=str(tmp_path / "map.png"))
            # nothing but the page itself and data: URIs was requested
            assert [u for u in requests if not u.startswith(("file:", "data:"))] == []
        finally:
            browser.close()
