from __future__ import annotations

import numpy as np
import pytest

from regdev._milp import certify
from regdev.design import DesignOptions, build_design_problem, design, solve_design, what_if
from regdev.design.baseline import central_baseline
from regdev.design.model import build_model
from regdev.design.result import FACTORY_COLUMNS
from regdev.errors import ConfigError, InfeasibleSpecificationError, NotFoundError
from regdev.registry import toy_region

pytestmark = pytest.mark.solver


@pytest.fixture(scope="module")
def toy_result():
    return design(toy_region())


def test_design_problem_characteristic_lines_only_where_raw_material_exists():
    p = build_design_problem(toy_region())
    assert "T-CAP" not in p.region_ids
    k = p.line_pos("seafood_processing")
    allowed = {p.region_ids[i] for i in np.flatnonzero(p.allowed[:, k])}
    assert allowed == {"T-A2", "T-B2"}  # the coastal regions
    std = [j for j, kind in enumerate(p.line_kinds) if kind == "standard"]
    assert p.allowed[:, std].all()
    assert (p.baseline_tkm >= 0).all() and (p.baseline_tkm.sum(axis=1) > 0).all()


def test_design_problem_rejects_bad_options_and_tiers():
    with pytest.raises(ConfigError, match="coverage_target"):
        build_design_problem(toy_region(), options=DesignOptions(coverage_target=1.5))
    with pytest.raises(ConfigError, match="tiers"):
        build_design_problem(toy_region(), tiers=7)
    with pytest.raises(NotFoundError):
        build_design_problem(toy_region(), regions=["T-ZZ"])


def test_design_toy_result_tables(toy_result, tmp_path):
    res = toy_result
    assert res.status == "optimal" and res.gap <= 0.005
    fac = res.factories_frame()
    assert list(fac.columns) == FACTORY_COLUMNS
    assert (fac["modules"] >= 1).all()
    assert (fac["production"] <= fac["capacity"] + 1e-6).all()
    assert (fac["utilisation"] <= 1 + 1e-9).all()
    assert fac["jobs"].sum() == res.claims_frame()["jobs"].sum()
    model = build_model(res.problem)
    assert certify(model.milp, res.solution.to_values(model)).max_violation < 1e-5
    mps = res.write_mps(tmp_path / "design.mps")
    assert "y[T-A1,soy_sauce_paste]" in mps.read_text()


def test_design_claims_add_up(toy_result):
    res = toy_result
    c = res.claims_frame()
    nat = res.summary()["claims"]
    assert nat["baseline_tkm"] == pytest.approx(c["baseline_tkm"].sum())
    assert nat["tkm_saved"] == pytest.approx(c["baseline_tkm"].sum() - c["design_tkm"].sum())
    assert c["baseline_tkm"].to_numpy() == pytest.approx(
        central_baseline(res.problem)["baseline_tkm"].to_numpy()
    )
    assert ((c["local_share"] >= 0) & (c["local_share"] <= c["nearby_share"] + 1e-9)).all()
    assert (c["nearby_share"] <= 1 + 1e-9).all()


def test_design_dossier_explains_characteristic_lines(toy_result):
    d = toy_result.dossier("T-A2")
    assert d["region_id"] == "T-A2" and d["lines"]
    char = [ln for ln in d["lines"] if ln["kind"] == "characteristic"]
    assert char, "the coastal fishing county should get a characteristic line"
    assert all("enabled by local" in ln["why"] for ln in char)
    std = [ln for ln in d["lines"] if ln["kind"] == "standard"]
    assert all("standard group" in ln["why"] for ln in std)
    with pytest.raises(NotFoundError):
        toy_result.dossier("T-CAP")


def test_design_report_section_is_offline(toy_result):
    html = toy_result.report_section_html()
    assert "<svg" in html and "factory-design" in html
    assert "http://" not in html
    assert "https://" not in html


def test_design_what_if_forbid_never_beats_the_optimum_by_more_than_the_gaps(toy_result):
    wi = what_if(toy_result, forbid=[("T-A2", "seafood_processing")])
    assert not wi.alternative.solution.y[
        wi.base.problem.region_pos("T-A2"), wi.base.problem.line_pos("seafood_processing")
    ]
    lo, hi = wi.cost_difference_range_kusd
    assert lo <= wi.cost_difference_kusd + 1e-6 <= hi + 2e-6
    assert hi >= 0  # forbidding cannot make the true optimum cheaper
    d = wi.to_dict()
    assert d["changes"] == [{"region_id": "T-A2", "line": "seafood_processing", "action": "forbid"}]
    with pytest.raises(ConfigError):
        what_if(toy_result)
    with pytest.raises(NotFoundError):
        what_if(toy_result, force=[("T-A2", "rocket_factory")])


def test_design_forbidding_a_whole_standard_group_is_named_infeasible():
    p0 = build_design_problem(toy_region())
    group = [lid for lid, g in zip(p0.line_ids, p0.line_groups, strict=True) if g == "textiles"]
    force = {("T-A1", lid): False for lid in group}
    p = build_design_problem(toy_region(), force=force)
    with pytest.raises(InfeasibleSpecificationError, match="textiles") as info:
        solve_design(p)
    assert info.value.constraint == "group"


def test_design_report_section_in_a_plans_unit_of_account(toy_result):
    """Issue 10: given the plan's unit (k EUR), capital and savings are converted and named."""
    from regdev.design.claims import national_claims
    from regdev.units import UnitOfAccount

    unit = UnitOfAccount("k EUR", usd_per_unit=1080.0)
    html = toy_result.report_section_html(unit)
    nat = national_claims(toy_result)
    assert f"capital {unit.format(nat['capital_cost_kusd'] * 1000 / 1080, 1)}" in html
    assert "million USD" not in html and "k EUR a year" in html
    # without a unit: the catalogue's USD, as before
    assert "million USD" in toy_result.report_section_html()
