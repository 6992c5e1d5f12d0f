from __future__ import annotations

import re

import pytest

from regdev.planning import build_dossiers, build_problem, load_scenario, plan_rollout
from regdev.registry import load_default, toy_region
from regdev.reporting import ReportSection, build_plan_report

URL_ATTR = re.compile(r"""(?:src|href|xlink:href|action)\s*=\s*["']([^"']*)["']""", re.I)


@pytest.fixture(scope="module")
def default_report():
    plan = plan_rollout(build_problem(load_default()))
    return plan, build_plan_report(plan, build_dossiers(plan, move_earlier=[]))


def assert_offline(html: str) -> None:
    assert "http://" not in html
    assert "https://" not in html
    for target in URL_ATTR.findall(html):
        assert not target.startswith("//"), target
        assert target.startswith("#"), f"non-local reference {target!r}"
    # only fragment references and inline data (the bundled font as a data: URI)
    assert "url(" not in html.replace("url(#", "").replace("url(data:", "")
    assert "@import" not in html


@pytest.mark.solver
def test_report_is_self_contained(default_report):
    _, html = default_report
    assert_offline(html)
    assert html.startswith("<!DOCTYPE html>")
    assert "<script>" in html and "<script src" not in html


@pytest.mark.solver
def test_report_has_every_section(default_report):
    plan, html = default_report
    for sid in (
        "overview",
        "map",
        "timeline",
        "balance",
        "cost",
        "coverage",
        "equity",
        "left-out",
        "dossiers",
        "method",
    ):
        assert f'id="{sid}"' in html, sid
    assert 'id="coverage-maps"' in html
    assert html.count("<path") >= 13  # province borders
    assert html.count('<details id="dossier-') == plan.problem.n_regions
    assert 'id="dossier-search"' in html
    assert "Kimhwa" in html


def test_extra_sections_are_placed_by_order():
    sc = load_scenario().with_updates(factories={"per_year": 2}, history={"enabled": False})
    plan = plan_rollout(build_problem(toy_region(), sc))
    extra = [ReportSection("zz-first", "First of all", "<p>first</p>", 5)]
    html = build_plan_report(plan, build_dossiers(plan, move_earlier=[]), extra_sections=extra)
    assert html.index('id="zz-first"') < html.index('id="overview"')
    assert_offline(html)


def test_offline_checker_catches_urls():
    with pytest.raises(AssertionError):
        assert_offline('<img src="//cdn.example/x.png">')
    with pytest.raises(AssertionError):
        assert_offline('<a href="https://example.org">x</a>')
    with pytest.raises(AssertionError):
        assert_offline("<style>@font-face{src:url(fonts/x.woff2)}</style>")
