"""A two-region economy worked out by hand: incomes, IO multipliers, Gini and Theil.

Region A: 1000 people at 1000 USD, a factory planned for 2024 (ground broken in March,
10 months to build → opens 2025-01-01), sales 400 kUSD at full output, local raw
materials 100 kUSD, 50 workers at 1.2 kUSD; ramp-up from 0.5 to 1 over one year.
Region B: 3000 people at 500 USD, nothing.  No growth, no population growth.

IO (conftest.hand_io): L_hh = 1/0.9, L_ha = 0.5/0.9 (income per unit of agricultural
demand), L_ah = 0.2/0.9.

2025: level = ramp at the year's midpoint (0.5 year after opening) = 0.5 + 0.5·0.5 = 0.75
    agriculture injection = 0.75 · 100 = 75; wages = 50 · 1.2 = 60
    household income gain = 75 · 0.5/0.9 + 60 / 0.9 = 41.6667 + 66.6667 = 108.3333 kUSD
    → A's income 1000 + 108.3333 = 1108.3333 USD per person
    price cut = 0.5 · (0.1 · 75) / (0.8 · 1108.3333) = 0.00422932
2026: level 1: gain = 100 · 0.5/0.9 + 60/0.9 = 122.2222 → 1122.2222 USD
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from regdev.simulation import indicators as ind
from regdev.simulation.dynamics import run_kernel
from regdev.simulation.scenario import central_params

from .conftest import hand_io, two_region_model


def test_hand_io_multipliers():
    io = hand_io()
    assert io.L[3, 3] == pytest.approx(1 / 0.9)
    assert io.L[3, 0] == pytest.approx(0.5 / 0.9)
    assert io.L[0, 3] == pytest.approx(0.2 / 0.9)
    assert io.L[0, 0] == pytest.approx(1 / 0.9)
    assert io.L[1, 1] == pytest.approx(1.0)
    # output multiplier of agriculture: (1 + 0.5)/0.9 over agri + households, minus households
    assert io.output_multipliers()[0] == pytest.approx(1 / 0.9)


def test_hand_incomes(two_regions):
    out = run_kernel(two_regions, central_params(two_regions), detail=True)
    inc = out.income[0]
    # 2024: nothing open yet
    assert inc[:, 0] == pytest.approx([1000.0, 500.0])
    assert inc[0, 1] == pytest.approx(1000 + 75 * 0.5 / 0.9 + 60 / 0.9)  # 1108.3333
    assert inc[0, 1] == pytest.approx(1108.333333)
    assert inc[0, 2] == pytest.approx(1122.222222)
    assert inc[1] == pytest.approx([500.0] * 4)
    cut = 0.5 * (0.1 * 75) / (0.8 * 1108.333333)
    assert out.price_index[0, 0, 1] == pytest.approx(1 - cut)
    assert out.income_real[0, 0, 1] == pytest.approx(1108.333333 / (1 - 0.00422932), rel=1e-6)
    assert out.sales[0, 0, 1] == pytest.approx(300.0)
    assert out.jobs_direct[0, 0, 1] == pytest.approx(50.0)
    assert out.wages[0, 0, 1] == pytest.approx(60.0)
    # indirect jobs: 0.1 per kUSD of agricultural output; Δx_a = (75 + 0.2·60)/0.9
    assert out.jobs_indirect[0, 0, 1] == pytest.approx(0.1 * (75 + 0.2 * 60) / 0.9)
    # access: 0.4 + 0.6 · (0.6 · 0.5) from 2025
    assert out.access[0, 0, 1] == pytest.approx(0.4 + 0.6 * 0.3)
    assert out.access[0, 0, 0] == pytest.approx(0.4)


def test_hand_gini_and_theil(two_regions):
    out = run_kernel(two_regions, central_params(two_regions))
    y = out.income_real[0, :, 1]
    ya, yb = float(y[0]), 500.0
    pa, pb = 0.25, 0.75
    mu = pa * ya + pb * yb
    gini = pa * pb * abs(ya - yb) / mu  # Σ Σ p_i p_j |y_i - y_j| / (2 μ), two groups
    theil_t = pa * ya / mu * math.log(ya / mu) + pb * yb / mu * math.log(yb / mu)
    theil_l = pa * math.log(mu / ya) + pb * math.log(mu / yb)
    w = out.population[:, 1]
    assert float(ind.gini(y, w)) == pytest.approx(gini)
    assert float(ind.theil_t(y, w)) == pytest.approx(theil_t)
    assert float(ind.theil_l(y, w)) == pytest.approx(theil_l)
    # each region its own province: everything is between, nothing within
    d = ind.theil_decomposition(y, w, np.array([0, 1]))
    assert float(d["theil_t_between"]) == pytest.approx(theil_t)
    assert float(d["theil_t_within"]) == pytest.approx(0.0, abs=1e-15)
    assert float(d["theil_l_between"]) == pytest.approx(theil_l)
    # numbers of the docstring: 2025 Gini with A at 1113.04 real USD
    assert ya == pytest.approx(1113.040, abs=1e-3)
    assert gini == pytest.approx(0.25 * 0.75 * 613.040 / 653.260, abs=1e-5)


def test_no_programme_is_the_counterfactual():
    m = two_region_model(programme=False)
    out = run_kernel(m, central_params(m), detail=True)
    np.testing.assert_array_equal(out.income, out.counterfactual)
    np.testing.assert_array_equal(out.income_real, out.counterfactual)
    np.testing.assert_array_equal(out.price_index, 1.0)
    assert not out.injection.any()


def test_a_real_opening_replaces_the_simulated_one():
    """A's factory really opened on 1 July 2025: half of 2025 in operation, whatever the slip."""
    import dataclasses

    m = two_region_model()
    m = dataclasses.replace(m, opened={"fac": np.array([2025.5, np.nan])})
    p = central_params(m)
    p = dataclasses.replace(p, duration=np.full_like(p.duration, 30.0))  # would open mid-2026
    out = run_kernel(m, p)
    assert out.jobs_direct[0, 0, 1] == pytest.approx(0.5 * 50)
    assert out.jobs_direct[0, 0, 2] == pytest.approx(50)
