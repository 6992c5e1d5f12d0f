"""Exact p-median: hand-solved cases, OR-Library optima, a second method (brute force)."""

from __future__ import annotations

import csv
import itertools
from pathlib import Path

import numpy as np
import pytest

from regdev.errors import InfeasibleSpecificationError
from regdev.health.orlib import read_orlib
from regdev.health.pmedian import greedy_interchange, lagrangian_reduction, solve_pmedian

PMED = Path(__file__).resolve().parents[2] / "data" / "pmed"
OPT = {
    r["instance"]: (int(r["p"]), float(r["optimum"]))
    for r in csv.DictReader((PMED / "optimal_values.csv").open())
}
FAST = ["pmed1", "pmed2", "pmed3", "pmed4", "pmed5", "pmed9", "pmed10"]


def brute_force(cost: np.ndarray, p: int, w: np.ndarray) -> float:
    m = cost.shape[1]
    return min(float(w @ cost[:, list(s)].min(axis=1)) for s in itertools.combinations(range(m), p))


def test_hand_solved_weighted_line():
    # villages at 0, 2, 3, 10 km with populations 5, 1, 1, 4; one post: at 2 km
    # costs 5*2 + 0 + 1 + 4*8 = 43; at 0: 0+2+3+40 = 45; at 3: 15+1+0+28 = 44; at 10: 50+8+7 = 65
    x = np.array([0.0, 2.0, 3.0, 10.0])
    w = np.array([5.0, 1.0, 1.0, 4.0])
    r = solve_pmedian(np.abs(x[:, None] - x[None, :]), 1, w)
    assert r.optimal
    assert r.objective == 43.0
    assert r.sites.tolist() == [1]
    assert r.assignment.tolist() == [1, 1, 1, 1]


@pytest.mark.parametrize("seed", range(6))
def test_matches_brute_force_on_random_instances(seed):
    rng = np.random.default_rng(seed)
    n, m, p = 14, 9, 1 + seed % 4
    pts, sites = rng.uniform(0, 10, (n, 2)), rng.uniform(0, 10, (m, 2))
    cost = np.round(np.linalg.norm(pts[:, None] - sites[None], axis=2), 1)
    w = rng.integers(0, 50, n).astype(float)
    r = solve_pmedian(cost, p, w)
    assert r.optimal
    assert r.objective == pytest.approx(brute_force(cost, p, w), rel=1e-9)
    assert r.bound <= r.objective + 1e-9
    assert len(r.sites) == p


def test_bad_p_is_refused():
    with pytest.raises(InfeasibleSpecificationError, match="p must be within"):
        solve_pmedian(np.ones((3, 3)), 4)


def test_duplicate_edges_last_one_wins():
    inst = read_orlib(PMED / "pmed1.txt")
    assert inst.n == 100 and inst.p == 5
    # the known optimal medians must score 5819 only with "last wins" (5718 with minimum)
    r = solve_pmedian(inst.cost, inst.p)
    assert r.objective == 5819.0


@pytest.mark.parametrize("name", FAST)
def test_orlib_fast_instances_proven_optimal(name):
    inst = read_orlib(PMED / f"{name}.txt")
    p, opt = OPT[name]
    assert inst.p == p
    r = solve_pmedian(inst.cost, inst.p, time_limit=120)
    assert r.optimal, (r.objective, r.bound)
    assert r.objective == opt
    assert r.bound == pytest.approx(opt)


def test_lagrangian_bound_is_a_lower_bound_and_keeps_the_optimum():
    inst = read_orlib(PMED / "pmed2.txt")
    w = np.ones(inst.n)
    start = greedy_interchange(inst.cost, inst.p, w)
    ub = float(inst.cost[:, start].min(axis=1).sum())
    bound, keep = lagrangian_reduction(inst.cost, inst.p, w, ub)
    _, opt = OPT["pmed2"]
    assert bound <= opt + 1e-6
    r = solve_pmedian(inst.cost, inst.p)
    assert keep[r.sites].all()


# Few medians on 400+ vertices: the LP relaxation is weak (pmed38: Lagrangian/LP bound 10,947
# vs optimum 11,060) and the branch and bound does not always finish in the time limit on a
# shared 2-core machine.  Known limit, documented in docs/health.md; not strict, so a pass counts.
HARD = {16, 17, 22, 26, 31, 32, 35, 36, 38, 39}


@pytest.mark.slow
@pytest.mark.parametrize("k", range(1, 41))
def test_orlib_all_40(k):
    name = f"pmed{k}"
    inst = read_orlib(PMED / f"{name}.txt")
    r = solve_pmedian(inst.cost, inst.p, time_limit=300)
    # never below the optimum, bound never above it — checked for every instance, hard or not
    assert r.objective >= OPT[name][1]
    assert r.bound <= OPT[name][1] + 1e-6
    if k in HARD and not r.optimal:
        pytest.xfail(f"{name}: small p, weak LP bound; certified gap {r.gap:.2%} at the limit")
    assert r.optimal
    assert r.objective == OPT[name][1]
