"""The plan report as a briefing: plain first screen, Korean and English, human labels.

One plan of the default country is reported in both languages; the checks read the
rendered HTML as a reader would (visible text, links, attributes).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from regdev.planning import build_dossiers, build_problem, load_scenario, plan_rollout
from regdev.registry import load_default, toy_region
from regdev.reporting import build_report
from regdev.reporting.parts.dossiers import TIE_SHARE, dossier_html

SNAKE = re.compile(r"\b[a-z]+_[a-z_]+\b(?!\.csv)")  # file names such as x_y.csv are fine


class _Text(HTMLParser):
    """Visible text (no script/style/title-in-svg) and every id and href."""

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.ids: set[str] = set()
        self.hrefs: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        if "href" in a:
            self.hrefs.append(a["href"])
        if tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag):  # type: ignore[no-untyped-def]
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data):  # type: ignore[no-untyped-def]
        if not self._skip:
            self.text.append(data)


def _parse(html: str) -> _Text:
    p = _Text()
    p.feed(html)
    return p


@pytest.fixture(scope="module")
def plan_and_dossiers():
    plan = plan_rollout(build_problem(load_default()))
    return plan, build_dossiers(plan, move_earlier=[])


@pytest.fixture(scope="module")
def reports(plan_and_dossiers):
    plan, dossiers = plan_and_dossiers
    return {lang: build_report(plan, dossiers, lang=lang) for lang in ("en", "ko")}


@pytest.mark.solver
def test_first_section_is_the_plain_briefing_and_method_comes_last(reports):
    for lang, rep in reports.items():
        ids = [s.id for s in rep.sections]
        assert ids[0] == "overview", lang
        assert ids[-1] == "method", lang
        first = rep.sections[0].html
        # solver jargon is not on the first screen; it is in the method section
        for word in ("objective", "gap", "greedy", "목적함수"):
            assert word not in first.lower(), (lang, word)
        method = rep.sections[-1].html
        assert "HiGHS" in method


@pytest.mark.solver
def test_english_briefing_says_what_who_when_cost_and_assumptions(reports, plan_and_dossiers):
    plan, _ = plan_and_dossiers
    html = reports["en"].sections[0].html
    text = " ".join(_parse(html).text)
    # 769 = 770 less the Kimhwa factory project: its pilot factories are built (issue 10)
    assert "the plan builds 769 projects in 179 counties" in text
    assert len(plan.schedule_frame()) == 769
    assert "The first new factories (2026) go to" in text
    assert "When each facility type reaches every county" in text
    sched = plan.schedule_frame()
    by_year = sched.groupby("year")["cost"].sum()
    assert f"spending peaks in {int(by_year.idxmax())}" in text
    assert "What is assumed" in text and "20 new factory groups a year" in text
    # the year every factory is done, computed independently from the schedule
    last = int(sched[sched["facility"] == "factories"]["year"].max())
    assert f"<td>{last}</td>" in html


@pytest.mark.solver
def test_korean_report_is_korean_with_lang_and_font(reports):
    html = reports["ko"].html
    assert html.startswith('<!DOCTYPE html>\n<html lang="ko">')
    assert "계획 요약" in html and "군별 설명서" in html and "지방공업공장" in html
    assert "@font-face" in html and "Regdev Gothic" in html
    text = " ".join(_parse(html).text)
    # Korean county and province names from the registry
    assert "김화군" in text and "강원도" in text
    # no English section title left in the Korean report
    for title in ("The plan in brief", "County dossiers", "Method and solver figures"):
        assert title not in text


@pytest.mark.solver
def test_no_snake_case_ids_or_json_in_visible_text(reports):
    for lang, rep in reports.items():
        text = " ".join(_parse(rep.html).text)
        assert not SNAKE.findall(text), (lang, SNAKE.findall(text)[:5])
        assert "KP-KAN-" not in text, lang
        assert '{"' not in text and "{'" not in text, lang


@pytest.mark.solver
def test_every_map_symbol_links_to_an_existing_dossier(reports):
    for lang, rep in reports.items():
        page = _parse(rep.html)
        links = [h for h in page.hrefs if h.startswith("#dossier-")]
        assert len(links) >= 179, lang
        missing = {h[1:] for h in links} - page.ids
        assert not missing, (lang, sorted(missing)[:5])
        assert all(h.startswith("#") for h in page.hrefs), lang


@pytest.mark.solver
def test_gantt_and_coverage_maps_and_print_stylesheet(reports, plan_and_dossiers):
    plan, _ = plan_and_dossiers
    rep = reports["en"]
    ids = [s.id for s in rep.sections]
    assert "timeline" in ids and "coverage-maps" in ids
    gantt = next(s for s in rep.sections if s.id == "timeline").html
    sched = plan.schedule_frame()
    n_2027 = int((sched["year"] == 2027).sum())
    per_type = sched[sched["year"] == 2027].groupby("facility").size()
    # every (type, 2027) cell shows its count
    for n in per_type.tolist():
        assert f">{n}</text>" in gantt
    assert n_2027 == int(per_type.sum())
    cov = next(s for s in rep.sections if s.id == "coverage-maps").html
    assert cov.count("<svg") == len(plan.problem.facilities) - 1
    assert "@media print" in rep.html


def test_a_tiny_move_earlier_cost_is_called_a_tie_and_a_real_one_is_not():
    sc = load_scenario().with_updates(factories={"per_year": 2}, history={"enabled": False})
    plan = plan_rollout(build_problem(toy_region(), sc))
    d = build_dossiers(plan, move_earlier=[])[0]
    from regdev.reporting.context import ReportContext

    ctx = ReportContext(plan=plan, schedule=plan.schedule_frame(), dossiers=[d], lang="en")
    tie = {"feasible": True, "from_year": 2028, "to_year": 2027, "cost": 1e-5}
    tie["cost_share"] = TIE_SHARE / 10
    html = dossier_html(ctx, {**d, "move_factory_earlier": tie})
    assert "only 0.0010%: a tie" in html
    real = {**tie, "cost_share": 0.02, "cost": 0.5}
    html = dossier_html(ctx, {**d, "move_factory_earlier": real})
    assert ": a tie" not in html and "would lower the plan" in html and "by 2.000%" in html


def test_unknown_tables_are_listed_generically_with_human_headers():
    import pandas as pd

    sc = load_scenario().with_updates(factories={"per_year": 2}, history={"enabled": False})
    plan = plan_rollout(build_problem(toy_region(), sc))
    cohort = pd.DataFrame({"cohort_year": [2024, 2025], "n_regions": [2, 3]})
    rep = build_report(
        plan, build_dossiers(plan, move_earlier=[]), tables={"cohorts.csv": cohort}, lang="en"
    )
    sec = next(s for s in rep.sections if s.id == "tables")
    assert "cohorts.csv" in sec.html and "Cohort year" in sec.html
    assert "cohort_year" not in sec.html.replace("cohorts.csv", "")
    # without further tables there is no such section
    rep = build_report(plan, build_dossiers(plan, move_earlier=[]), lang="en")
    assert "tables" not in [s.id for s in rep.sections]


def test_design_section_is_compact_and_dossiers_name_the_lines_in_words():
    import regdev

    sc = load_scenario().with_updates(factories={"per_year": 2}, history={"enabled": False})
    result = regdev.plan(toy_region(), sc, options=regdev.PlanOptions(explain_last=0))
    assert result.design is not None and result.report is not None
    sec = next(s for s in result.report.sections if s.id == "factory-design")
    fac = result.design.factories_frame()
    # every line named in words, none by its id
    for name in fac["line_name"].unique():
        assert name in sec.html
    text = " ".join(_parse(sec.html).text)
    assert not SNAKE.findall(text), SNAKE.findall(text)[:5]
    dossiers = next(s for s in result.report.sections if s.id == "dossiers").html
    rid = str(fac["region_id"].iloc[0])
    own = fac[fac["region_id"] == rid]
    start = dossiers.index(f'id="dossier-{rid}"')
    one = dossiers[start : dossiers.index("</details>", start)]
    assert f"Factory design: {len(own)} production lines" in one
    assert not SNAKE.findall(" ".join(_parse(one).text))


def test_left_out_reasons_in_words_agree_with_the_planner():
    from regdev.reporting.context import ReportContext, left_out_reason

    sc = load_scenario().with_updates(
        factories={"per_year": 2},
        history={"enabled": False},
        capacity={"hospital": {"default": 0, "by_year": {"2025": 2}}},
    )
    plan = plan_rollout(build_problem(toy_region(), sc))
    left = plan.left_out()
    assert len(left) == 3
    ctx = ReportContext(plan=plan, schedule=plan.schedule_frame(), dossiers=[], lang="en")
    for r in left.itertuples():
        ours = left_out_reason(ctx, r.region_id, r.facility)
        rank = re.search(r"rank (\d+) of (\d+)", r.reason)
        assert rank is not None
        assert f"ranks {rank.group(1)} of {rank.group(2)}" in ours
        assert ours.startswith("only 2 can be built in 2024–2033 for 5 candidate counties")


def test_design_section_states_money_in_the_plans_unit_of_account():
    """Issue 10: with ``[money]`` k EUR the design section converts and names that unit."""
    import re

    import regdev
    from regdev.design.claims import national_claims
    from regdev.units import UnitOfAccount

    money = {"name": "k EUR", "usd_per_unit": 1080.0}
    sc = load_scenario().with_updates(
        factories={"per_year": 2}, history={"enabled": False}, money=money
    )
    result = regdev.plan(toy_region(), sc, options=regdev.PlanOptions(explain_last=0))
    assert result.design is not None and result.report is not None
    sec = next(s for s in result.report.sections if s.id == "factory-design")
    text = " ".join(_parse(sec.html).text)
    assert "USD" not in text
    kusd = float(national_claims(result.design)["capital_cost_kusd"])
    want = UnitOfAccount("k EUR", usd_per_unit=1080.0).from_kusd(kusd)
    m = re.search(r"building them costs ([\d,.]+) k EUR", text)
    assert m is not None, text[:400]
    assert float(m.group(1).replace(",", "")) == pytest.approx(want, abs=0.06)
    # 1 kUSD is 1000/1080 k EUR: the figure is not the catalogue's kUSD number
    assert abs(float(m.group(1).replace(",", "")) - kusd) > 0.05 * kusd
    assert "a year" in text and re.search(r"design [\d,.]+ k EUR a year", text)
