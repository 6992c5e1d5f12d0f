"""Indicator values against textbook cases."""

from __future__ import annotations

import numpy as np
import pytest

from regdev.simulation import indicators as ind


def test_equal_incomes_have_zero_inequality():
    y = np.full(5, 3.0)
    w = np.arange(1.0, 6.0)
    for f in (ind.gini, ind.theil_t, ind.theil_l, ind.cv):
        assert float(f(y, w)) == pytest.approx(0.0, abs=1e-12)


def test_one_rich_region_of_n():
    # n equal-population regions, one holds everything but a tiny rest: Gini -> 1 - 1/n
    y = np.array([1e-9, 1e-9, 1e-9, 1.0])
    assert float(ind.gini(y, np.ones(4))) == pytest.approx(0.75, abs=1e-6)
    assert float(ind.theil_t(y, np.ones(4))) == pytest.approx(np.log(4), abs=1e-6)


def test_population_weight_equals_repetition():
    y = np.array([1.0, 2.0, 5.0])
    w = np.array([2.0, 1.0, 3.0])
    rep = np.repeat(y, w.astype(int))
    for f in (ind.gini, ind.theil_t, ind.theil_l, ind.cv):
        assert float(f(y, w)) == pytest.approx(float(f(rep, np.ones(len(rep)))))


def test_capital_ratio_and_share_below():
    y = np.array([300.0, 100.0, 200.0])
    w = np.array([1.0, 1.0, 3.0])
    assert float(ind.capital_ratio(y, w, 0)) == pytest.approx(300 / ((100 + 600) / 4))
    assert float(ind.share_below(y, w, 150.0)) == pytest.approx(0.2)


def test_vectorised_over_leading_axes():
    rng = np.random.default_rng(1)
    y = rng.lognormal(size=(3, 4, 6))
    w = rng.uniform(1, 2, 6)
    g = ind.gini(y, w)
    assert g.shape == (3, 4)
    assert g[2, 1] == pytest.approx(float(ind.gini(y[2, 1], w)))


def test_fused_indicators_equal_the_single_functions():
    rng = np.random.default_rng(5)
    y = rng.lognormal(7.0, 0.4, size=(6, 3, 9))
    w = rng.uniform(1e3, 1e5, size=(3, 9))
    groups = np.array([0, 0, 1, 1, 1, 2, 2, 2, 2])
    out = ind.all_indicators(y, w, groups, 4, 900.0)
    wb = np.broadcast_to(w, y.shape)
    np.testing.assert_allclose(out["gini"], ind.gini(y, wb), rtol=1e-10)
    np.testing.assert_allclose(out["theil_t"], ind.theil_t(y, wb), rtol=1e-10)
    np.testing.assert_allclose(out["theil_l"], ind.theil_l(y, wb), rtol=1e-10)
    np.testing.assert_allclose(out["cv"], ind.cv(y, wb), rtol=1e-10)
    np.testing.assert_allclose(out["capital_ratio"], ind.capital_ratio(y, wb, 4), rtol=1e-10)
    np.testing.assert_allclose(out["share_below"], ind.share_below(y, wb, 900.0), rtol=1e-10)
    np.testing.assert_allclose(out["mean_income"], ind.weighted_mean(y, wb), rtol=1e-10)
    dec = ind.theil_decomposition(y, wb, groups)
    for k, v in dec.items():
        np.testing.assert_allclose(out[k], v, rtol=1e-9, atol=1e-15)
