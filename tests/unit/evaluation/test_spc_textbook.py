"""Control charts against textbook data sets (Montgomery), see tests/data/spc/SOURCES.md."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import integrate, stats

from regdev.evaluation import spc

DATA = Path(__file__).parents[2] / "data" / "spc"


def _read(name: str) -> pd.DataFrame:
    return pd.read_csv(DATA / f"{name}.txt", sep=r"\s+")


def test_p_chart_orange_juice_trial_limits_and_signals() -> None:
    oj = _read("orangejuice")
    trial = oj[oj["trial"]]
    r = spc.p_chart(trial["D"], trial["size"], rules="limits")
    assert r.centre[0] == pytest.approx(0.2313, abs=5e-5)
    assert r.lcl[0] == pytest.approx(0.0524, abs=5e-5)
    assert r.ucl[0] == pytest.approx(0.4102, abs=5e-5)
    # samples 15 and 23 (new cardboard batch, inexperienced operator) are out of control
    assert r.out_of_control == [14, 22]
    assert {s.rule for s in r.signals} == {"WE1"}


def test_p_chart_orange_juice_revised_limits_exclude_assignable_causes() -> None:
    oj = _read("orangejuice")
    trial = oj[oj["trial"]]
    r = spc.p_chart(trial["D"], trial["size"], exclude=[14, 22], rules="limits")
    assert r.centre[0] == pytest.approx(0.2150, abs=5e-5)
    assert r.lcl[0] == pytest.approx(0.0407, abs=5e-5)
    assert r.ucl[0] == pytest.approx(0.3893, abs=5e-5)


def test_np_chart_equals_p_chart_times_n() -> None:
    oj = _read("orangejuice")
    trial = oj[oj["trial"]]
    p = spc.p_chart(trial["D"], 50, rules="limits")
    npc = spc.np_chart(trial["D"], 50, rules="limits")
    assert npc.centre[0] == pytest.approx(50 * p.centre[0])
    assert npc.ucl[0] == pytest.approx(50 * p.ucl[0])
    assert npc.out_of_control == p.out_of_control


def test_c_chart_circuit_boards() -> None:
    ci = _read("circuit")
    trial = ci[ci["trial"]]
    r = spc.c_chart(trial["x"], rules="limits")
    assert r.centre[0] == pytest.approx(19.85, abs=5e-3)
    assert r.lcl[0] == pytest.approx(6.48, abs=5e-3)
    # the textbook computes from c-bar rounded to 19.85: 19.85 + 3 sqrt(19.85) = 33.216
    assert r.ucl[0] == pytest.approx(33.22, abs=1e-2)
    assert r.out_of_control == [5, 19]  # samples 6 and 20


def test_u_chart_personal_computers() -> None:
    pc = _read("pcmanufact")
    r = spc.u_chart(pc["x"], pc["size"], rules="limits")
    assert r.centre[0] == pytest.approx(1.93, abs=5e-3)
    assert r.lcl[0] == pytest.approx(0.07, abs=5e-3)
    assert r.ucl[0] == pytest.approx(3.79, abs=5e-3)
    assert r.out_of_control == []


def test_xbar_r_piston_rings_phase_one_and_two() -> None:
    pr = _read("pistonrings")
    samples = pr["diameter"].to_numpy().reshape(40, 5)
    xbar, rng = spc.xbar_r_chart(samples, baseline=slice(0, 25), rules="limits")
    assert xbar.centre[0] == pytest.approx(74.001, abs=5e-4)
    assert xbar.lcl[0] == pytest.approx(73.988, abs=5e-4)
    assert xbar.ucl[0] == pytest.approx(74.014, abs=5e-4)
    assert rng.centre[0] == pytest.approx(0.023, abs=5e-4)
    assert rng.lcl[0] == 0.0
    assert rng.ucl[0] == pytest.approx(0.048, abs=5e-4)
    # phase I in control; phase II: samples 37, 38, 39 above the upper limit
    assert [i for i in xbar.out_of_control if i < 25] == []
    assert xbar.out_of_control == [36, 37, 38]
    assert rng.out_of_control == []


def test_individuals_moving_range_mortgage_costs() -> None:
    costs = [310, 288, 297, 298, 307, 303, 294, 297, 308, 306,
             294, 299, 297, 299, 314, 295, 293, 306, 301, 304]  # fmt: skip
    i_chart, mr = spc.imr_chart(costs)
    assert i_chart.centre[0] == pytest.approx(300.5)
    assert mr.centre[0] == pytest.approx(7.79, abs=5e-3)
    assert i_chart.lcl[0] == pytest.approx(279.78, abs=5e-3)
    assert i_chart.ucl[0] == pytest.approx(321.22, abs=5e-3)
    assert mr.ucl[0] == pytest.approx(25.45, abs=2e-2)
    assert i_chart.signals == []
    assert mr.signals == []


@pytest.mark.parametrize("n", range(2, 11))
def test_tabulated_a2_is_consistent_with_d2(n: int) -> None:
    d2, a2, d3f, d4f = spc.SPC_CONSTANTS[n]
    assert a2 == pytest.approx(3 / (d2 * np.sqrt(n)), abs=1.5e-3)
    assert d3f + d4f == pytest.approx(2.0, abs=1e-3) if d3f > 0 else d4f > 1


@pytest.mark.parametrize("n", [2, 3, 5, 8, 10])
def test_d2_table_equals_expected_range_of_normals(n: int) -> None:
    # second method: d2(n) = E[range of n standard normals] = integral of 1 - Phi^n - (1-Phi)^n
    def f(x: float) -> float:
        p = stats.norm.cdf(x)
        return 1 - p**n - (1 - p) ** n

    d2, _ = integrate.quad(f, -np.inf, np.inf)
    assert spc.SPC_CONSTANTS[n][0] == pytest.approx(d2, abs=6e-4)


def test_range_chart_refuses_large_subgroups() -> None:
    with pytest.raises(Exception, match="2 … 10"):
        spc.xbar_r_chart(np.ones((5, 12)))
