"""The two-county case solved by hand.

Counties A (demand c = 150, f = 20) and B (c = 30, f = 20), 100 km apart,
freight 0.001 kUSD per t·km (so 0.1 per unit shipped).  Line L (standard,
the only line of group "food") makes c; line F (characteristic) makes f
from fish, which only A has.  Modules hold 100 units and cost 10 (L) / 5 (F)
kUSD a year; every unit costs 1 to make; central supply costs 2 a unit;
minimum efficient scale 50 (L) / 20 (F); bonus 3 for F at A; coverage 0.5.

Worked answer
-------------
* Category c.  Both counties must open L (group constraint), so B makes at
  least 50 although it needs 30.  With one module each (20) the 180 units
  cost 180 to make, and A's shortfall beyond its 100 units comes from B:
  50 units × 0.1 = 5.  Total 205.  Alternatives: two modules at A (A 130,
  B 50 shipping 20 to A) cost 20 + 10 + 180 + 2 = 212; central supply instead
  of shipping costs 2 > 1.1 a unit.  So x_A = 100, x_B = 80, B→A 50.
* Category f.  F at A with one module making 40 (20 shipped to B):
  5 + 40 + 2 − 3 = 44, against 80 for central supply of all 40 and
  5 + 20 − 3 + 40 = 62 for supplying only B centrally.
* Optimum 205 + 44 = 249 kUSD a year.
"""

from __future__ import annotations

import numpy as np
import pytest

from regdev._milp import certify
from regdev.design.model import build_model
from regdev.design.solve import solve_design

pytestmark = pytest.mark.solver


def test_design_two_county_optimum_matches_hand_solution(two_county):
    res = solve_design(two_county(), method="milp", mip_rel_gap=0.0)
    assert res.status == "optimal"
    assert res.objective == pytest.approx(249.0, abs=1e-6)
    sol = res.solution
    np.testing.assert_array_equal(sol.m, [[1, 1], [1, 0]])
    np.testing.assert_allclose(sol.x, [[100.0, 40.0], [80.0, 0.0]], atol=1e-6)
    # shipments: arc 0 is A->B, arc 1 is B->A
    np.testing.assert_allclose(sol.s, [[0.0, 20.0], [50.0, 0.0]], atol=1e-6)
    np.testing.assert_allclose(sol.e, 0.0, atol=1e-6)
    np.testing.assert_allclose(sol.u, 0.0, atol=1e-6)


def test_design_two_county_auto_is_within_gap(two_county):
    res = solve_design(two_county(), mip_rel_gap=0.005)
    assert res.objective <= 249.0 * 1.005 + 1e-9
    assert res.info.bound <= 249.0 + 1e-6


def test_design_forbidding_the_fish_line_costs_what_the_hand_solution_says(two_county):
    # without F, f comes centrally: 40 x 2 = 80, so the optimum is 205 + 80 = 285
    p = two_county(metadata={"force": {("A", "F"): False}})
    res = solve_design(p, method="milp", mip_rel_gap=0.0)
    assert res.objective == pytest.approx(285.0, abs=1e-6)
    assert not res.solution.y[0, 1]


def test_design_forcing_a_line_without_raw_material_imports_and_pays(two_county):
    # F forced at B (no fish there): it must import its fish at 50 km haul
    p = two_county(metadata={"force": {("B", "F"): True}})
    res = solve_design(p, method="milp", mip_rel_gap=0.0)
    assert res.solution.y[1, 1]
    assert res.solution.u[1, 0] >= res.solution.x[1, 1] - 1e-6
    assert res.objective > 249.0


def test_design_model_solution_satisfies_every_row(two_county):
    res = solve_design(two_county(), method="milp", mip_rel_gap=0.0)
    model = build_model(res.problem)
    assert certify(model.milp, res.solution.to_values(model)).max_violation < 1e-6


def test_design_what_if_forbid_fish_line_costs_36_exactly(two_county):
    from regdev.design.explain import what_if

    base = solve_design(two_county(), method="milp", mip_rel_gap=0.0)
    wi = what_if(base, forbid=[("A", "F")])
    # hand solution: 285 - 249 = 36 (f then comes centrally: 80 instead of 44)
    assert wi.cost_difference_kusd == pytest.approx(36.0, abs=1e-6)
    lo, hi = wi.cost_difference_range_kusd
    assert lo == pytest.approx(36.0, abs=1e-3) and hi == pytest.approx(36.0, abs=1e-3)
    changes = wi.line_changes()
    assert changes.to_dict("records") == [
        {"region_id": "A", "line": "F", "modules_before": 1, "modules_after": 0}
    ]
    full = what_if(base, forbid=[("A", "F")], local=False)
    assert full.cost_difference_kusd == pytest.approx(36.0, abs=1e-6)


def test_design_model_is_built_one_family_at_a_time(two_county):
    """Pairs (A,L), (A,F), (B,L); arcs A→B carry c and f, B→A only c; A alone uses fish."""
    from regdev.design.model import DEFINE_ORDER, FAMILIES, VARIABLES

    assert [f.__name__ for f in DEFINE_ORDER] == [f"define_{fam}_constraints" for fam in FAMILIES]
    milp = build_model(two_county()).milp
    assert milp.families == FAMILIES
    sizes = {v: milp.block(v).stop - milp.block(v).start for v in VARIABLES}
    assert sizes == {"y": 3, "m": 3, "x": 3, "s": 3, "e": 4, "u": 1}
    assert milp.n_integer == 6 and milp.sense == "minimize"
    rows = {fam: [milp.row_names[r] for r in milp.rows_of(fam)] for fam in FAMILIES}
    assert rows == {
        "balance": ["balance[A,c]", "balance[A,f]", "balance[B,c]", "balance[B,f]"],
        "raw": ["raw[A,fish]"],
        "capacity": ["capacity[A,L]", "capacity[A,F]", "capacity[B,L]"],
        "mes": ["mes[A,L]", "mes[A,F]", "mes[B,L]"],
        "link": ["link[A,L]", "link[A,F]", "link[B,L]"],
        "minmod": ["minmod[A,L]", "minmod[A,F]", "minmod[B,L]"],
        "group": ["group[A,food]", "group[B,food]"],
    }
    # minmod[A,L]: m − ceil(50 / 100)·y ≥ 0, i.e. m − y ≥ 0
    r = milp.row_names.index("minmod[A,L]")
    row = milp.matrix.getrow(r)
    cols = {milp.col_names[j]: v for j, v in zip(row.indices, row.data, strict=True)}
    assert cols == {"m[A,L]": 1.0, "y[A,L]": -1.0}
    assert milp.row_lower[r] == 0.0 and milp.row_upper[r] == np.inf
