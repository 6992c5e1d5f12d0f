#!/usr/bin/env python3
"""Render the example maps of ``docs/img/`` from a plan folder (factory year per county).

``python scripts/render_map_examples.py --plan out/plan`` writes standalone SVG files (font
embedded, no external URL) and, when Debian's ``chromium`` is installed, a PNG screenshot
of each, so that the docs show what a reader sees.
"""

# ruff: noqa: T201  (a script prints what it wrote)
from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
from pathlib import Path

import pandas as pd

from regdev.i18n import use_language
from regdev.registry import load_default
from regdev.reporting.maps import render_map

ROOT = Path(__file__).resolve().parent.parent
TITLES = {"ko": "공장 건설 연도", "en": "Year of the factories"}


def _png(svg: Path, width: int, height: int) -> Path | None:
    chromium = shutil.which("chromium")
    if chromium is None:
        return None
    png = svg.with_suffix(".png")
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(  # noqa: S603 - fixed arguments, local file
            [
                chromium,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--hide-scrollbars",
                f"--user-data-dir={profile}",
                f"--window-size={width},{height}",
                f"--screenshot={png}",
                svg.as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
    return png


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--plan", type=Path, required=True, help="plan folder (regdev plan --out)")
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "img")
    args = ap.parse_args(argv)

    schedule = pd.read_csv(args.plan / "schedule.csv", dtype={"region_id": str})
    factory_year = schedule[schedule["facility"] == "factories"].set_index("region_id")["year"]
    frame = load_default().frame.copy()
    frame["year"] = factory_year.reindex(frame.index).astype("Int64")
    years = sorted(int(y) for y in factory_year.unique())
    args.out.mkdir(parents=True, exist_ok=True)
    jobs = [
        ("map-national-ko", "ko", None),
        ("map-national-en", "en", None),
        ("map-province-north-hamgyong-ko", "ko", "KP-09"),
    ]
    for stem, lang, province in jobs:
        with use_language(lang):
            svg = render_map(
                frame,
                category="year",
                categories=years,
                category_title=TITLES[lang],
                province=province,
                standalone=True,
                embed_font=True,
            )
        path = args.out / f"{stem}.svg"
        path.write_text(svg + "\n", encoding="utf-8")
        width = int(svg.split('width="', 1)[1].split('"', 1)[0])
        height = int(svg.split('height="', 1)[1].split('"', 1)[0])
        png = _png(path, width, height)
        print(path, png or "(no chromium: no PNG)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
