"""Invariants of the simulator as Hypothesis properties.

* indicators stay in their ranges and are scale-invariant; the Theil decomposition adds up;
* accounting identities: Δx = A Δx + d (Leontief), income = counterfactual + household
  gain / population, consumption = mpc × real income, indirect jobs = jobs · Δx;
* zero programme = counterfactual for any scenario parameters.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from regdev.simulation import indicators as ind
from regdev.simulation.dynamics import Params, run_kernel

from .conftest import two_region_model

incomes = arrays(np.float64, st.integers(2, 12), elements=st.floats(1.0, 1e5))


@st.composite
def income_case(draw):
    y = draw(incomes)
    n = y.shape[0]
    w = draw(arrays(np.float64, n, elements=st.floats(1.0, 1e6)))
    groups = draw(arrays(np.int64, n, elements=st.integers(0, 3)))
    return y, w, groups


@given(income_case(), st.floats(0.01, 100.0))
def test_indicators_in_range_and_scale_invariant(case, scale):
    y, w, groups = case
    g = float(ind.gini(y, w))
    assert -1e-12 <= g < 1.0
    assert float(ind.theil_t(y, w)) >= -1e-12
    assert float(ind.theil_l(y, w)) >= -1e-12
    assert float(ind.cv(y, w)) >= 0.0
    s = float(ind.share_below(y, w, float(np.median(y))))
    assert 0.0 <= s <= 1.0
    assert (
        float(ind.gini(scale * y, w)) == np.float64(g)
        or abs(float(ind.gini(scale * y, w)) - g) < 1e-9
    )
    assert abs(float(ind.theil_t(scale * y, w)) - float(ind.theil_t(y, w))) < 1e-9


@given(income_case())
def test_gini_equals_mean_difference_form(case):
    y, w, _ = case
    p = w / w.sum()
    mu = float((p * y).sum())
    brute = float((p[:, None] * p[None, :] * np.abs(y[:, None] - y[None, :])).sum() / (2 * mu))
    assert abs(float(ind.gini(y, w)) - brute) < 1e-9


@given(income_case())
def test_theil_decomposition_adds_up(case):
    y, w, groups = case
    d = ind.theil_decomposition(y, w, groups)
    assert abs(float(d["theil_t_between"] + d["theil_t_within"] - ind.theil_t(y, w))) < 1e-9
    assert abs(float(d["theil_l_between"] + d["theil_l_within"] - ind.theil_l(y, w))) < 1e-9
    assert float(d["theil_t_between"]) >= -1e-12
    assert float(d["theil_l_within"]) >= -1e-12


@st.composite
def params(draw, n_regions=2, n_years=4):
    s = draw(st.integers(1, 4))

    def vec(lo, hi, shape):
        return draw(arrays(np.float64, shape, elements=st.floats(lo, hi)))

    return Params(
        growth=vec(-0.03, 0.06, s),
        demand=vec(0.3, 1.5, s),
        price=vec(0.5, 1.5, s),
        yields=vec(0.2, 2.0, (s, n_years)),
        duration=vec(3.0, 30.0, (s, n_regions)),
        pass_through=vec(0.0, 1.0, s),
    )


@given(params())
def test_accounting_identities(p):
    m = two_region_model()
    out = run_kernel(m, p, detail=True)
    a = m.io.A
    # Leontief: Δx = A Δx + d
    np.testing.assert_allclose(
        out.delta_x, np.einsum("ij,scyj->scyi", a, out.delta_x) + out.injection, atol=1e-9
    )
    gain = 1000.0 * out.delta_x[..., 3] / out.population[None]
    np.testing.assert_allclose(out.income, out.counterfactual + gain, rtol=1e-12)
    np.testing.assert_allclose(out.consumption_real, 0.8 * out.income_real, rtol=1e-12)
    np.testing.assert_allclose(
        out.jobs_indirect, np.einsum("scyj,j->scy", out.delta_x[..., :3], m.io.jobs_per_kusd[:3])
    )
    assert (out.price_index <= 1.0).all()
    assert (out.price_index >= 1.0 - 0.15 - 1e-12).all()
    assert (out.access >= m.access0[None, :, None] - 1e-12).all()
    assert (out.access <= 1.0).all()
    assert (out.income >= out.counterfactual - 1e-9).all()


@given(params())
def test_zero_programme_is_counterfactual(p):
    m = two_region_model(programme=False)
    out = run_kernel(m, p, detail=True)
    np.testing.assert_array_equal(out.income_real, out.counterfactual)
    np.testing.assert_array_equal(out.price_index, 1.0)
    np.testing.assert_array_equal(
        out.access, np.broadcast_to(m.access0[None, :, None], out.access.shape)
    )
    assert not out.sales.any()
    assert not out.jobs_direct.any()


@given(income_case(), st.randoms(use_true_random=False))
def test_indicators_do_not_depend_on_region_order(case, rnd):
    y, w, groups = case
    order = list(range(len(y)))
    rnd.shuffle(order)
    a = ind.all_indicators(y, w, groups, 0, float(np.median(y)))
    cap = order.index(0)
    b = ind.all_indicators(y[order], w[order], groups[order], cap, float(np.median(y)))
    for k in ind.INDICATORS:
        assert abs(float(a[k]) - float(b[k])) <= 1e-9 * max(1.0, abs(float(a[k]))), k
