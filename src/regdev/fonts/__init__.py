"""The bundled Korean font, for pages (CSS ``@font-face``) and for matplotlib charts.

regdev ships **Regdev Gothic**, a subset of NanumGothic (© NAVER Corporation, SIL Open
Font License 1.1, renamed as the licence requires for a modified font; see
``fonts/README.md`` and ``fonts/OFL.txt``).  It covers Latin, digits, punctuation, all
2,350 KS X 1001 Hangul syllables and every character of the message catalogues and of
the registry's Korean names, so Korean renders the same on every machine, offline.
``make font`` (``scripts/subset_font.py``) regenerates it.

Pages
-----
>>> from regdev.fonts import font_face_css, FONT_STACK
>>> css = font_face_css()                      # the whole font inlined (~140 KB as WOFF2)
>>> css.startswith('@font-face{font-family:"Regdev Gothic"')
True
>>> small = font_face_css("평양 Pyongyang")     # only these characters (needs fontTools)
>>> len(small) < len(css) // 10
True

Then ``body { font-family: <FONT_STACK> }``.

Charts
------
>>> import matplotlib
>>> from regdev.fonts import matplotlib_rc
>>> with matplotlib.rc_context(matplotlib_rc()):
...     pass  # draw; Korean labels use Regdev Gothic, missing glyphs fall back to DejaVu Sans
"""

from __future__ import annotations

import base64
import functools
from importlib import resources
from pathlib import Path
from typing import Any, Literal

__all__ = [
    "FONT_FAMILY",
    "FONT_STACK",
    "covered_characters",
    "font_bytes",
    "font_face_css",
    "font_path",
    "matplotlib_rc",
    "missing_characters",
    "register_matplotlib_font",
]

#: The family name of the bundled font (not NanumGothic: a renamed subset, OFL section 3).
FONT_FAMILY = "Regdev Gothic"
#: A CSS ``font-family`` value: the bundled font first, then common system fonts.
FONT_STACK = (
    '"Regdev Gothic", "Noto Sans CJK KR", "Malgun Gothic", "Apple SD Gothic Neo", '
    "system-ui, sans-serif"
)
_STEM = "RegdevGothic-Regular"
Format = Literal["ttf", "woff2"]


def font_path(fmt: Format = "ttf") -> Path:
    """Path of the bundled font file (``ttf`` for matplotlib, ``woff2`` for pages)."""
    return Path(str(resources.files("regdev.fonts").joinpath(f"{_STEM}.{fmt}")))


@functools.cache
def font_bytes(fmt: Format = "woff2") -> bytes:
    """The bundled font file's bytes."""
    return font_path(fmt).read_bytes()


@functools.cache
def covered_characters() -> frozenset[str]:
    """Every character the bundled font has a glyph for (its ``cmap``; needs fontTools)."""
    import io

    from fontTools.ttLib import TTFont

    cmap = TTFont(io.BytesIO(font_bytes("ttf")), lazy=True).getBestCmap()
    return frozenset(chr(c) for c in cmap)


def missing_characters(text: str) -> set[str]:
    """Characters of ``text`` (other than white space) that the bundled font lacks."""
    have = covered_characters()
    return {c for c in text if not c.isspace() and c not in have}


@functools.lru_cache(maxsize=32)
def _subset(chars: frozenset[str]) -> tuple[bytes, str] | None:
    """The bundled font cut down to ``chars``: (bytes, format) or ``None`` without fontTools."""
    try:
        from fontTools import subset
        from fontTools.ttLib import TTFont
    except ImportError:  # pragma: no cover - fontTools comes with matplotlib and the test set
        return None
    import io

    font = TTFont(io.BytesIO(font_bytes("ttf")), recalcTimestamp=False)
    opts = subset.Options()
    opts.hinting = False
    opts.name_IDs = ["*"]
    opts.notdef_outline = True
    sub = subset.Subsetter(opts)
    sub.populate(unicodes=sorted(ord(c) for c in chars))
    sub.subset(font)
    try:
        import brotli  # noqa: F401 - WOFF2 needs it

        font.flavor, fmt = "woff2", "woff2"
    except ImportError:  # pragma: no cover - brotli is a dependency; WOFF (zlib) otherwise
        font.flavor, fmt = "woff", "woff"
    buf = io.BytesIO()
    font.save(buf)
    return buf.getvalue(), fmt


def font_face_css(text: str | None = None, *, family: str = FONT_FAMILY) -> str:
    """An ``@font-face`` rule with the bundled font inlined as a ``data:`` URI.

    Parameters
    ----------
    text : str, optional
        When given, the font is cut down to the characters of ``text`` (plus ASCII
        letters, digits and punctuation, so numbers and late edits still render): a
        small self-contained page.  Without it, or without fontTools, the whole
        bundled font is inlined (about 140 KB as WOFF2).
    family : str, default "Regdev Gothic"
        The ``font-family`` name the rule declares.

    Returns
    -------
    str
        One CSS rule; no external URL.
    """
    data, fmt = font_bytes("woff2"), "woff2"
    if text is not None:
        chars = frozenset(c for c in text if not c.isspace()) | frozenset(map(chr, range(32, 127)))
        cut = _subset(chars)
        if cut is not None:
            data, fmt = cut
    b64 = base64.b64encode(data).decode("ascii")
    return (
        f'@font-face{{font-family:"{family}";'
        f'src:url(data:font/{fmt};base64,{b64}) format("{fmt}");'
        "font-weight:400;font-style:normal;font-display:swap}"
    )


def register_matplotlib_font() -> str:
    """Register the bundled font with ``matplotlib.font_manager``; returns its family name.

    Safe to call many times.  Needs matplotlib (the ``plot`` extra).
    """
    from matplotlib import font_manager

    path = str(font_path("ttf"))
    if not any(f.fname == path for f in font_manager.fontManager.ttflist):
        font_manager.fontManager.addfont(path)
    return FONT_FAMILY


def matplotlib_rc() -> dict[str, Any]:
    """``rcParams`` that make charts use the bundled font (Korean included).

    Use with ``matplotlib.rc_context(matplotlib_rc())`` or ``plt.rcParams.update(...)``.
    ``font.family`` names both fonts: matplotlib (>= 3.6) takes a glyph the bundled font
    lacks (e.g. the minus sign U+2212 of negative tick labels) from the next one, DejaVu
    Sans (shipped with matplotlib).
    """
    family = register_matplotlib_font()
    return {
        "font.family": [family, "DejaVu Sans"],
        "font.sans-serif": [family, "DejaVu Sans"],
        "svg.fonttype": "path",
        "pdf.fonttype": 42,
    }
