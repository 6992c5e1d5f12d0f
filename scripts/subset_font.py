#!/usr/bin/env python3
"""Regenerate the Korean font bundled in ``src/regdev/fonts/`` (``make font``).

Takes Debian's NanumGothic (package ``fonts-nanum``, SIL Open Font License 1.1) and writes a
subset with fontTools:

* Latin: Basic Latin, Latin-1, general punctuation, currency, arrows, maths signs used in
  tables and charts;
* Hangul: all 2,350 syllables of KS X 1001 (so new translations rarely need a re-subset),
  the compatibility jamo, CJK brackets and symbols;
* every character of every message catalogue (``src/regdev/locale/*/LC_MESSAGES/*.po``)
  and of the registry's Korean names (``name_ko`` of ``registry/data/regions.csv`` and of the
  boundary files) that the source font has.

NanumGothic declares Reserved Font Names ("Nanum", "NanumGothic", …), and a subset is a
*Modified Version* under the OFL, so the subset is renamed **Regdev Gothic** (OFL section 3);
copyright and licence records are kept.  Output: ``RegdevGothic-Regular.ttf`` (for
matplotlib) and ``RegdevGothic-Regular.woff2`` (for pages), hinting dropped.  Needs
``fonttools`` and ``brotli``.
"""

# ruff: noqa: T201  (a build script prints its summary)
from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path

from babel.messages.pofile import read_po
from fontTools import subset
from fontTools.ttLib import TTFont

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "src" / "regdev" / "fonts"
SOURCE = Path("/usr/share/fonts/truetype/nanum/NanumGothic.ttf")
FAMILY = "Regdev Gothic"
PS_NAME = "RegdevGothic-Regular"

BASE_RANGES: tuple[tuple[int, int], ...] = (
    (0x0020, 0x007E),  # Basic Latin
    (0x00A0, 0x00FF),  # Latin-1 Supplement
    (0x2010, 0x2027),  # dashes, quotes, bullet, ellipsis
    (0x2030, 0x203B),  # per mille, primes, angle quotes, reference mark
    (0x20A9, 0x20A9),  # won sign
    (0x20AC, 0x20AC),  # euro sign
    (0x2190, 0x2195),  # arrows
    (0x2211, 0x2215),  # sums, minus sign, slash
    (0x221A, 0x221E),  # root, proportional, infinity
    (0x2248, 0x2248),  # almost equal
    (0x2260, 0x2265),  # not equal, less/greater or equal
    (0x25A0, 0x25CF),  # squares, triangles, circles (legend symbols)
    (0x3000, 0x3003),  # ideographic space, comma, full stop, ditto
    (0x3008, 0x3011),  # CJK angle and corner brackets
    (0x3131, 0x318E),  # Hangul compatibility jamo
    (0xFF01, 0xFF5E),  # full-width forms
)


def ks_x_1001_hangul() -> list[str]:
    """The 2,350 precomposed Hangul syllables of KS X 1001 (the EUC-KR repertoire)."""
    out = []
    for code in range(0xAC00, 0xD7A4):
        ch = chr(code)
        try:
            if len(ch.encode("euc_kr")) == 2:
                out.append(ch)
        except UnicodeEncodeError:
            continue
    return out


def used_text(root: Path = ROOT) -> str:
    """Every character the package shows from data: catalogues and Korean names."""
    parts: list[str] = []
    for po in sorted((root / "src" / "regdev" / "locale").glob("*/LC_MESSAGES/*.po")):
        with po.open("rb") as fh:
            for msg in read_po(fh):
                for value in (msg.id, msg.string):
                    parts.extend(value if isinstance(value, (list, tuple)) else [value])
    data = root / "src" / "regdev" / "registry" / "data"
    with (data / "regions.csv").open(encoding="utf-8") as fh:
        parts.extend(row["name_ko"] for row in csv.DictReader(fh))
    for name in ("kp_provinces.geojson", "kp_counties.geojson"):
        path = data / name
        if path.exists():
            feats = json.loads(path.read_text(encoding="utf-8"))["features"]
            parts.extend(f["properties"].get("name_ko", "") for f in feats)
    return "".join(p for p in parts if p)


def _rename(font: TTFont) -> None:
    """Give the subset its own name (the source's names are Reserved Font Names)."""
    name = font["name"]
    names = {
        1: FAMILY,
        2: "Regular",
        3: f"{FAMILY} Regular; subset of NanumGothic (NAVER, OFL-1.1) made by regdev",
        4: f"{FAMILY} Regular",
        6: PS_NAME,
    }
    name.names = [r for r in name.names if r.nameID not in (1, 2, 3, 4, 6, 16, 17, 18)]
    for name_id, text in names.items():
        name.setName(text, name_id, 3, 1, 0x409)  # Windows, Unicode BMP, English (US)
        name.setName(text, name_id, 1, 0, 0)  # Macintosh, Roman, English
    desc = (
        "Subset of NanumGothic (c) 2010 NAVER Corporation, renamed as the SIL Open Font "
        "License 1.1 requires for a Modified Version; used by regdev's reports and charts."
    )
    name.setName(desc, 10, 3, 1, 0x409)
    licence_url = "https://openfontlicense.org"
    name.setName(
        "This Font Software is licensed under the SIL Open Font License, Version 1.1.",
        13,
        3,
        1,
        0x409,
    )
    name.setName(licence_url, 14, 3, 1, 0x409)
    if "CFF " in font:  # pragma: no cover - NanumGothic is TrueType
        font["CFF "].cff.fontNames = [PS_NAME]


def build(source: Path = SOURCE, out: Path = OUT) -> dict[str, object]:
    """Write the TTF and WOFF2 subsets; return what was covered."""
    src = TTFont(source)
    cmap = src.getBestCmap()
    wanted = {chr(c) for lo, hi in BASE_RANGES for c in range(lo, hi + 1)}
    wanted |= set(ks_x_1001_hangul())
    text = used_text()
    wanted |= {c for c in text if not c.isspace()}
    have = sorted(c for c in wanted if ord(c) in cmap)
    missing_used = sorted({c for c in text if not c.isspace() and ord(c) not in cmap})

    opts = subset.Options()
    opts.hinting = False
    opts.name_IDs = ["*"]
    opts.name_languages = ["*"]
    opts.notdef_outline = True
    opts.layout_features = ["*"]
    opts.drop_tables += ["DSIG"]
    out.mkdir(parents=True, exist_ok=True)
    results: dict[str, object] = {}
    for flavor, suffix in ((None, "ttf"), ("woff2", "woff2")):
        font = TTFont(source, recalcTimestamp=False)  # reproducible output
        sub = subset.Subsetter(opts)
        sub.populate(unicodes=[ord(c) for c in have])
        sub.subset(font)
        _rename(font)
        font.flavor = flavor
        path = out / f"{PS_NAME}.{suffix}"
        font.save(path)
        results[suffix + "_kb"] = round(path.stat().st_size / 1024, 1)
    results["characters"] = len(have)
    results["hangul_syllables"] = sum(0xAC00 <= ord(c) <= 0xD7A3 for c in have)
    results["used_but_missing_in_source"] = "".join(missing_used) or "-"
    return results


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--source", type=Path, default=SOURCE, help=f"source TTF (default {SOURCE})")
    ap.add_argument("--out", type=Path, default=OUT, help="output folder")
    args = ap.parse_args(argv)
    if not args.source.exists():
        print(f"error: {args.source} not found; install Debian's fonts-nanum")
        return 1
    for key, value in build(args.source, args.out).items():
        print(f"{key}: {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
