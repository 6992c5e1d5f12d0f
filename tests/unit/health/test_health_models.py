"""Covering, hierarchical and county siting: hand-solved cases, brute force, properties."""

from __future__ import annotations

import doctest
import importlib
import itertools

import numpy as np
import pytest
import scipy.sparse as sp

from regdev.errors import InfeasibleSpecificationError
from regdev.health.covering import (
    coverage_matrix,
    greedy_mclp,
    solve_lscp,
    solve_mclp,
    solve_mclp_lagrangian,
)
from regdev.health.hierarchical import solve_hierarchical
from regdev.health.settlements import synthetic_settlements
from regdev.health.siting import (
    county_problem,
    coverage_curve,
    hospital_regions,
    posts_per_region,
    site_all,
    site_county,
)
from regdev.registry import load_default


@pytest.mark.parametrize("name", ["regdev.health.covering", "regdev.health.hierarchical"])
def test_docstring_examples(name):
    res = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert res.attempted > 0 and res.failed == 0


def _random(seed, n=12, m=8):
    rng = np.random.default_rng(seed)
    a, b = rng.uniform(0, 10, (n, 2)), rng.uniform(0, 10, (m, 2))
    return np.linalg.norm(a[:, None] - b[None], axis=2), rng.integers(1, 30, n).astype(float)


@pytest.mark.parametrize("seed", range(5))
def test_lscp_matches_brute_force_and_covers_everyone(seed):
    cost, _ = _random(seed)
    standard = 4.0
    cover = cost <= standard
    if not cover.any(axis=1).all():
        with pytest.raises(InfeasibleSpecificationError, match="no candidate site"):
            solve_lscp(cost, standard)
        return
    r = solve_lscp(cost, standard)
    assert r.optimal
    assert cover[:, r.sites].any(axis=1).all()  # every village within the standard
    m = cost.shape[1]
    fewest = next(
        k
        for k in range(1, m + 1)
        if any(cover[:, list(s)].any(axis=1).all() for s in itertools.combinations(range(m), k))
    )
    assert r.n_sites == fewest


@pytest.mark.parametrize("seed", range(5))
def test_mclp_matches_brute_force_and_is_monotone(seed):
    cost, w = _random(seed)
    standard = 3.0
    cover = cost <= standard
    m = cost.shape[1]
    previous = -1.0
    for p in range(0, 5):
        r = solve_mclp(cost, standard, p, w)
        best = max(
            (
                float(w[cover[:, list(s)].any(axis=1)].sum())
                for s in itertools.combinations(range(m), p)
            ),
            default=0.0,
        )
        assert r.optimal and r.covered == pytest.approx(best)
        assert r.covered >= previous - 1e-9  # coverage never decreases as posts are added
        previous = r.covered


def test_lagrangian_mclp_bound_is_valid_and_gap_certified():
    rng = np.random.default_rng(7)
    pts, sites = rng.uniform(0, 30, (600, 2)), rng.uniform(0, 30, (300, 2))
    cost = np.linalg.norm(pts[:, None] - sites[None], axis=2)
    w = rng.integers(1, 100, 600).astype(float)
    exact = solve_mclp(cost, 2.0, 15, w)
    lag = solve_mclp_lagrangian(coverage_matrix(cost, 2.0), 15, w, iterations=500)
    assert exact.optimal
    assert lag.bound >= exact.covered - 1e-6  # an upper bound on the optimum
    assert lag.covered <= exact.covered + 1e-6  # a feasible coverage
    assert lag.gap == pytest.approx((lag.bound - lag.covered) / lag.covered)
    assert lag.sites.size == 15


def test_greedy_is_feasible():
    cover = sp.csr_matrix(np.array([[1, 0, 0], [1, 1, 0], [0, 1, 1], [0, 0, 1]], dtype=float))
    s = greedy_mclp(cover, 2, np.array([1.0, 5.0, 1.0, 1.0]))
    assert len(set(s.tolist())) == 2


def test_hierarchical_respects_capacity_min_distance_and_standard():
    x = np.array([0.0, 1.0, 3.0, 4.0, 5.0, 8.0, 9.0])
    t = np.abs(x[:, None] - x[None, :])
    w = np.array([10.0, 10, 30, 30, 30, 20, 20])
    r = solve_hierarchical(t, x, x, x, w, p=2, standard=3.0, min_km=2.5, capacity=70.0)
    assert r.optimal
    assert (x[r.sites] >= 2.5).all()
    assert (r.load <= 70.0 + 1e-9).all()
    assert (r.minutes <= 3.0 + 1e-9).all()
    # hand check: posts at 4 (serves 3, 4, 5: 90 > 70!) are not allowed → 3 or 5 and 8 or 9
    assert sorted(r.sites.tolist()) in ([3, 5], [3, 6], [2, 5], [4, 5], [4, 6], [2, 6])


def test_hierarchical_refuses_an_impossible_promise():
    # village 1 is 5 from the hospital and the only eligible post is at 10 (5 away from it too)
    x = np.array([0.0, 5.0, 10.0])
    t = np.abs(x[:, None] - x[None, :])
    with pytest.raises(InfeasibleSpecificationError, match=r"1 village\(s\) \(rows 1\)"):
        solve_hierarchical(t, x, x, x, np.ones(3), p=1, standard=3.0, min_km=8.0)
    with pytest.raises(InfeasibleSpecificationError, match="only 0 candidate"):
        solve_hierarchical(t, x, x, x, np.ones(3), p=1, standard=3.0, min_km=20.0)


@pytest.fixture(scope="module")
def country():
    reg = load_default()
    return reg, synthetic_settlements(reg, seed=0)


@pytest.mark.parametrize("model", ["pmedian", "mclp", "lscp", "hierarchical"])
def test_site_county_every_model(country, model):
    reg, s = country
    prob = county_problem(reg, s, "KP-CHA-HUICHON")
    out = site_county(prob, model=model, standard=60.0, synthetic=True)
    assert out.optimal
    assert out.n_posts == len(out.posts) and out.n_posts > 0
    assert set(out.assignments["settlement_id"]) == set(prob.villages["settlement_id"])
    if model in ("lscp", "hierarchical"):  # these promise the standard to every village
        assert out.assignments["within_standard"].all()
    assert out.summary()["synthetic"] is True


def test_coverage_curve_never_decreases(country):
    reg, s = country
    prob = county_problem(reg, s, "KP-CHA-HUICHON")
    curve = coverage_curve(prob, 30.0, 6)
    assert (np.diff(curve["covered_population"]) >= -1e-9).all()


def test_site_all_decomposes_and_counts_posts(country):
    reg, s = country
    ids = hospital_regions(reg)
    assert len(ids) == 179
    some = ids[:6]
    res = site_all(reg, s, some, workers=2)
    counts = posts_per_region(res)
    assert list(counts.index) == some
    assert all(r.optimal for r in res)
    assert (counts > 0).all()
