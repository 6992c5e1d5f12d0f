from __future__ import annotations

import numpy as np
import pytest

from regdev.errors import ConfigError, InfeasibleSpecificationError
from regdev.planning import build_problem, load_scenario
from regdev.planning.problem import balance_floors, factory_cadence
from regdev.registry import historical_cohorts, load_default, toy_region


@pytest.fixture(scope="module")
def default_problem():
    return build_problem(load_default())


def test_cadence_remainder_in_the_year_counties_run_out():
    assert factory_cadence(179, 20, 10).tolist() == [20] * 8 + [19, 0]
    assert factory_cadence(200, 20, 10).tolist() == [20] * 10
    assert factory_cadence(45, 20, 10).tolist() == [20, 20, 5] + [0] * 7
    assert factory_cadence(0, 20, 3).tolist() == [0, 0, 0]


def test_balance_floor_integer_arithmetic():
    # provinces of 1, 2 and 7 candidates; cumulative totals 3, 10
    prov = np.array([0, 1, 1] + [2] * 7)
    fl = balance_floors(prov, 3, np.array([3, 10]), tolerance=1)
    # floor(0.1*3)-1 -> 0, floor(0.2*3)-1 -> 0, floor(0.7*3)-1 = 1 ; at 10: 0, 1, 6
    assert fl.tolist() == [[0, 0], [0, 1], [1, 6]]


def test_default_problem_shape(default_problem):
    p = default_problem
    assert p.n_regions == 179
    assert "KP-PYY-PYONGYANG" not in p.region_ids
    assert list(p.region_ids) == sorted(p.region_ids)
    # 178 factory candidates: Kimhwa's pilot factories are built (issue 10)
    assert p.capacity[p.factory_index].tolist() == [20] * 8 + [18, 0]
    assert p.coverage_exact.all()
    fo = p.facilities.index("offshore_farm")
    assert p.eligible[:, fo].sum() == 54  # coastal programme regions
    assert np.isclose(p.equity_weight.mean(), p.equity_weight.mean())
    # issue 9, the default prioritarian objective: e = (P / mean P)^(0.25 - 1) (d / mean d)^-2
    size = (p.population / p.population.mean()) ** -0.75
    assert np.allclose(p.equity_weight, size * (p.development / p.development.mean()) ** -2)


def test_history_locks_real_cohorts(default_problem):
    p = default_problem
    fi = p.factory_index
    for year in (2024, 2025):
        cohort = historical_cohorts("regional_industry_factories")[year]
        t = p.years.index(year)
        idx = [p.region_ids.index(r) for r in cohort]
        assert (p.lock_year[idx, fi] == t).all()
        assert (p.lock_source[idx, fi] == "history").all()
    h = p.facilities.index("hospital")
    kangdong = p.region_ids.index("KP-PYY-KANGDONG")
    assert p.years[p.lock_year[kangdong, h]] == 2025


def test_no_history_locks_nothing():
    p = build_problem(load_default(), history=False)
    assert (p.lock_year < 0).all()
    assert p.input_hash != build_problem(load_default()).input_hash


def test_scenario_lock_and_forbid(default_problem):
    sc = load_scenario().with_updates(
        locks=[{"region": "Kimhwa", "facility": "hospital", "year": 2027}],
        forbid=[{"region": "KP-RAS-RASON", "facility": "grain_storage"}],
    )
    p = build_problem(load_default(), sc)
    i = p.region_ids.index("KP-KAN-KIMHWA")
    h = p.facilities.index("hospital")
    assert p.years[p.lock_year[i, h]] == 2027
    r = p.region_ids.index("KP-RAS-RASON")
    g = p.facilities.index("grain_storage")
    assert not p.eligible[r, g]


def test_bad_locks_are_reported():
    sc = load_scenario().with_updates(
        locks=[{"region": "Atlantis", "facility": "hospital", "year": 2027}]
    )
    with pytest.raises(ConfigError, match="Atlantis"):
        build_problem(load_default(), sc)
    sc = load_scenario().with_updates(
        locks=[{"region": "KP-KAN-KIMHWA", "facility": "hospital", "year": 2040}]
    )
    with pytest.raises(ConfigError, match="2024–2033; got 2040"):
        build_problem(load_default(), sc)
    sc = load_scenario().with_updates(
        locks=[{"region": "KP-PYY-PYONGYANG", "facility": "hospital", "year": 2027}]
    )
    with pytest.raises(ConfigError, match="capital"):
        build_problem(load_default(), sc)
    inland = "KP-CHA-KANGGYE"
    sc = load_scenario().with_updates(
        locks=[{"region": inland, "facility": "offshore_farm", "year": 2027}]
    )
    with pytest.raises(InfeasibleSpecificationError, match="lock: .*not a candidate") as err:
        build_problem(load_default(), sc)
    assert err.value.constraint == "lock"


def test_toy_region_problem():
    sc = load_scenario().with_updates(factories={"per_year": 2}, history={"enabled": False})
    p = build_problem(toy_region(), sc)
    assert p.region_ids == ("T-A1", "T-A2", "T-B1", "T-B2", "T-B3")
    assert p.capacity[p.factory_index].tolist() == [2, 2, 1] + [0] * 7
    assert p.lat is not None and p.lat.shape == (5,)


def test_permuted_problem_keeps_arrays_aligned(default_problem):
    order = np.random.default_rng(0).permutation(default_problem.n_regions)
    q = default_problem.permuted(order)
    k = 7
    assert q.region_ids[k] == default_problem.region_ids[order[k]]
    assert np.array_equal(q.benefit[k], default_problem.benefit[order[k]])
    assert np.array_equal(q.value()[k], default_problem.value()[order[k]])


@pytest.mark.solver
def test_replanning_from_a_later_year_excludes_what_was_built_before():
    from regdev.planning import build_dossiers, plan_rollout

    sc = load_scenario().with_updates(horizon={"first_year": 2026, "last_year": 2033})
    p = build_problem(load_default(), sc)
    fi = p.factory_index
    done = p.metadata["done_before_horizon"]["factories"]
    assert len(done) == 41  # the 2024 and 2025 cohorts and the Kimhwa pilot (issue 10)
    assert "KP-KAN-KIMHWA" in done
    assert p.eligible[:, fi].sum() == 179 - 41
    assert p.capacity[fi].tolist() == [20] * 6 + [18, 0]
    assert (p.lock_year[:, fi] == 0).sum() == 5  # the started 2026 sites
    plan = plan_rollout(p)
    assert plan.status == "optimal"
    assert not set(plan.schedule.query("facility == 'factories'")["region_id"]) & set(done)
    doss = {d["region_id"]: d for d in build_dossiers(plan, move_earlier=[])}
    assert "factories" in doss[done[0]]["done_before_horizon"]
    assert "factories" not in doss[done[0]]["not_candidate"]


# ------------------------------------------------ issue 9: balance and size by people
def test_a_place_too_small_for_a_factory_group_at_the_minimum_scale_is_not_a_candidate():
    from regdev.planning import load_scenario, plan_rollout
    from regdev.registry import toy_region

    sc = load_scenario().with_updates(
        factories={"per_year": 2},
        history={"enabled": False},
        sizing={"factories": {"min_workers": 3500, "max_workforce_share": 0.08}},
    )
    p = build_problem(toy_region(), sc)
    fi = p.factory_index
    small = p.population * 0.08 < 3500
    assert small.any() and not small.all()
    assert not p.eligible[small, fi].any()
    assert p.eligible[~small, fi].all()
    assert sorted(p.metadata["too_small_for_factories"]) == sorted(
        np.asarray(p.region_ids)[small].tolist()
    )
    plan = plan_rollout(p)
    sched = plan.schedule
    got = set(sched.loc[sched["facility"] == "factories", "region_id"])
    assert got == set(np.asarray(p.region_ids)[~small].tolist())
    # no factory group is staffed beyond the workforce share of its place
    table = p.facilities_table.query("facility == 'factories'").set_index("region_id")
    pop = dict(zip(p.region_ids, p.population, strict=True))
    for rid in got:
        assert table.loc[rid, "workers"] <= 0.08 * pop[rid]


def test_balance_by_population_gives_tiny_provinces_fewer_factories_early():
    from regdev.planning import load_scenario
    from regdev.registry import load_default

    reg = load_default()
    by_count = build_problem(reg, load_scenario(), history=False)
    by_pop = build_problem(
        reg, load_scenario().with_updates(balance={"by": "population"}), history=False
    )
    assert by_count.balance_floor is not None and by_pop.balance_floor is not None
    # same total pressure, distributed by residents: provinces with a larger share of
    # residents than of regions get a higher floor, the others a lower one
    fi = by_pop.factory_index
    cand = by_pop.eligible[:, fi]
    n_p = np.bincount(by_pop.province_of[cand], minlength=len(by_pop.provinces))
    pop_p = np.bincount(
        by_pop.province_of[cand], weights=by_pop.population[cand], minlength=len(by_pop.provinces)
    )
    more_people = pop_p / pop_p.sum() > n_p / n_p.sum() + 0.02
    fewer_people = pop_p / pop_p.sum() < n_p / n_p.sum() - 0.02
    last = -2  # the last year with factories
    assert (
        by_pop.balance_floor[more_people, last] >= by_count.balance_floor[more_people, last]
    ).all()
    assert (
        by_pop.balance_floor[fewer_people, last] <= by_count.balance_floor[fewer_people, last]
    ).all()
    assert (by_pop.balance_floor[:, last] <= n_p).all()
