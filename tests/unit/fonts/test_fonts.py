import base64
import csv
import io
import json
import re
from importlib import resources
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from fontTools.ttLib import TTFont

from regdev.fonts import (
    FONT_FAMILY,
    covered_characters,
    font_bytes,
    font_face_css,
    font_path,
    matplotlib_rc,
    missing_characters,
)

SRC = Path(__file__).resolve().parents[3] / "src" / "regdev"


def _catalogue_text() -> str:
    parts = []
    for po in sorted((SRC / "locale").glob("*/LC_MESSAGES/*.po")):
        with po.open("rb") as fh:
            for msg in read_po(fh):
                for value in (msg.id, msg.string):
                    parts.extend(value if isinstance(value, (list, tuple)) else [value])
    return "".join(p for p in parts if p)


def _korean_names() -> str:
    data = SRC / "registry" / "data"
    with (data / "regions.csv").open(encoding="utf-8") as fh:
        names = [row["name_ko"] for row in csv.DictReader(fh)]
    for name in ("kp_provinces.geojson", "kp_counties.geojson"):
        feats = json.loads((data / name).read_text(encoding="utf-8"))["features"]
        names += [f["properties"]["name_ko"] for f in feats]
    return "".join(names)


def test_every_catalogue_character_is_in_the_font():
    text = _catalogue_text()
    assert any("\uac00" <= c <= "\ud7a3" for c in text)  # the Korean catalogues are read
    missing = missing_characters(text)
    assert not missing, f"re-run `make font`: the bundled font lacks {''.join(sorted(missing))!r}"


def test_every_korean_region_and_province_name_is_in_the_font():
    text = _korean_names()
    assert "평양시" in text and "량강도" in text
    missing = missing_characters(text)
    assert not missing, f"re-run `make font`: the bundled font lacks {''.join(sorted(missing))!r}"


def test_font_has_all_ks_x_1001_hangul_and_latin():
    ks = [chr(c) for c in range(0xAC00, 0xD7A4) if len(chr(c).encode("euc_kr", "ignore")) == 2]
    assert len(ks) == 2350
    have = covered_characters()
    assert set(ks) <= have
    assert set(map(chr, range(32, 127))) <= have
    assert {"₩", "€", "…", "–", "—", "≤", "≥", "●", "▲", "■"} <= have
    # a syllable outside KS X 1001 is not there (the subset is a subset)
    assert "똠" not in have
    assert missing_characters("똠 a") == {"똠"}


def test_font_is_renamed_and_keeps_its_licence():
    for fmt in ("ttf", "woff2"):
        font = TTFont(io.BytesIO(font_bytes(fmt)))
        names = {r.nameID: r.toUnicode() for r in font["name"].names if r.langID in (0, 0x409)}
        assert names[1] == FONT_FAMILY
        assert "Nanum" not in names[1] + names[4] + names[6]  # Reserved Font Names (OFL 3)
        assert "NHN" in names[0] or "NAVER" in names[0]
        assert "Open Font License" in names[13]
    licence = resources.files("regdev.fonts").joinpath("OFL.txt").read_text("utf-8")
    assert "SIL OPEN FONT LICENSE" in licence and "Reserved Font Name Nanum" in licence
    assert font_path("woff2").stat().st_size < 200_000


def _decode(css: str) -> bytes:
    m = re.search(r"url\(data:font/(woff2|woff);base64,([A-Za-z0-9+/=]+)\)", css)
    assert m, css[:200]
    return base64.b64decode(m.group(2))


def test_font_face_css_inlines_the_whole_font_without_urls():
    css = font_face_css()
    assert css.startswith('@font-face{font-family:"Regdev Gothic";')
    assert "://" not in css  # base64 has no ':'; the only url() is the data: URI
    assert css.count("url(") == 1
    assert _decode(css) == font_bytes("woff2")


def test_font_face_css_subsets_to_the_text_of_a_page():
    page = "평양시 함경북도 2026년 계획"
    css = font_face_css(page)
    data = _decode(css)
    assert len(data) < 20_000 < len(font_bytes("woff2"))
    cmap = TTFont(io.BytesIO(data)).getBestCmap()
    for ch in set(page.replace(" ", "")) | set("0123456789AZaz%"):
        assert ord(ch) in cmap, ch
    assert ord("똥") not in cmap and ord("강") not in cmap
    assert font_face_css(page, family="X").startswith('@font-face{font-family:"X";')


def test_matplotlib_draws_korean_with_the_bundled_font():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib import font_manager

    rc = matplotlib_rc()
    assert rc["font.family"][0] == FONT_FAMILY
    with matplotlib.rc_context(rc):
        found = font_manager.findfont(font_manager.FontProperties(family=rc["font.family"]))
        assert Path(found) == font_path("ttf")
        fig, ax = plt.subplots(figsize=(3, 2))
        # warnings are errors in this suite: a missing glyph would fail the test
        ax.set_title("곡물 저장 수분 −2 %")
        ax.plot([0, 1], [-1, 1])
        buf = io.BytesIO()
        fig.savefig(buf, format="png")
        plt.close(fig)
    assert buf.getvalue()[:4] == b"\x89PNG"
