"""The simulation's report section: offline, inline SVG, both languages."""

from __future__ import annotations

import re

import pytest

from regdev.fonts import missing_characters
from regdev.i18n import use_language
from regdev.reporting.simulation import simulation_page, simulation_section
from regdev.simulation import simulate


@pytest.fixture(scope="module")
def result(default_plan_dir):
    return simulate(
        default_plan_dir,
        n_scenarios=100,
        seed=2,
        scheduler="serial",
        sobol_samples=8,
        compare=default_plan_dir,
    )


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_section_is_offline_svg(result, lang):
    with use_language(lang):
        section = simulation_section(result)
        page = simulation_page(result)
    assert section.startswith('<section id="simulation"')
    assert section.count("<svg") == 7  # 6 charts + the map
    assert "<script" not in page
    assert not re.search(r"(src|href)=\"(https?:)?//", page)
    assert "@font-face" in page
    text = re.sub(r"<[^>]+>", " ", re.sub(r"<style>.*?</style>", "", page, flags=re.S))
    assert not missing_characters(text)
    if lang == "ko":
        assert "지역 간 격차" in section


def test_sobol_indices_present(result):
    s = result.sobol
    assert set(s["output"]) == {"gini_reduction", "capital_ratio_reduction", "mean_income_gain"}
    assert len(s) == 18
    assert s["ST"].notna().all()
