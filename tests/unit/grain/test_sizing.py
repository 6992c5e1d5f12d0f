from __future__ import annotations

import numpy as np
import pytest

from regdev.errors import ConfigError
from regdev.grain import sizing


def test_capacity_by_months_norm() -> None:
    # Default use is now the cited 167 kg/person/yr (FAO/WFP CFSAM DPRK 2008; it was
    # an uncited 180): 100,000 people -> 16,700 t/yr; 3 months = 4,175 -> 4,180 t.
    assert sizing.size_county_store(100_000, norm="cn-producing").capacity_t == 4180.0
    assert sizing.size_county_store(100_000, norm="cn-consuming").capacity_t == 8350.0
    fao = sizing.size_county_store(100_000, norm="fao-minimum")
    assert fao.capacity_t == pytest.approx(2930.0)  # 17.5 % of 16,700 t, rounded up
    # With the old 180 kg the old figures come back (the norm logic is unchanged).
    old = sizing.size_county_store(100_000, norm="cn-producing", per_capita_kg_per_year=180.0)
    assert old.capacity_t == 4500.0


def test_capacity_by_production_share_and_dryer() -> None:
    r = sizing.size_county_store(
        50_000, production_t=40_000, production_share=0.5, harvest_days=30, wet_share=0.6
    )
    assert r.capacity_t == 20_000.0  # the share rule dominates 3,375 t of consumption
    # 12,000 t wet over 30 days, peak x1.5, 20 h/day -> 30 t/h
    assert r.dryer_t_per_h == pytest.approx(30.0)
    assert r.wet_holding_t >= 800.0  # at least two days of wet intake
    assert r.cooling_airflow_m3_min == pytest.approx(20_000 * 0.15)
    assert 0 < r.cooling_fan_kw < r.capacity_t * 0.01


def test_fan_power_grows_with_airflow() -> None:
    low = sizing.fan_power_kw("maize", 2000, 0.1)
    high = sizing.fan_power_kw("maize", 2000, 0.3)
    assert high > 3 * low  # power ~ flow x pressure, pressure grows with flow


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"norm": "lots"}, "norm must be"),
        ({"production_share": 1.5}, "shares"),
        ({"harvest_days": 0}, "harvest_days"),
    ],
)
def test_bad_inputs(kwargs: dict, match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        sizing.size_county_store(10_000, **kwargs)
    with pytest.raises(ConfigError, match="population"):
        sizing.size_county_store(0)


def test_county_store_tonnage_is_vectorised_and_rounds_up() -> None:
    pop = np.array([0.0, 1.0, 59_880.0, 100_000.0])
    cap = sizing.county_store_tonnage(pop, norm="cn-producing")
    assert cap.shape == (4,)
    assert cap.tolist() == [0.0, 10.0, 2500.0, 4180.0]  # 59,880 x 167 / 4 = 2,499.99 t
    assert float(sizing.county_store_tonnage(100_000, months_of_consumption=6.0)) == 8350.0
    assert float(sizing.county_store_tonnage(10, min_capacity_t=1000.0)) == 1000.0
    with pytest.raises(ConfigError, match="population"):
        sizing.county_store_tonnage([-1.0])
    with pytest.raises(ConfigError, match="norm must be"):
        sizing.county_store_tonnage(10, norm="lots")


def test_county_store_tonnage_reproduces_the_planner_norms() -> None:
    # The planner sizes grain stores by calling the one shared function with its
    # scenario norms (167 kg, 6 months, min 1,000 t, up to 10 t) (issue 10).
    from regdev.planning.scenario import Sizing
    from regdev.planning.sizing import size_grain

    norms = Sizing()
    n = norms.grain_storage
    pop = np.random.default_rng(10).uniform(5_000, 900_000, 500).round()
    planner = size_grain(pop, norms)["size"].to_numpy()
    shared = sizing.county_store_tonnage(
        pop,
        per_capita_kg_per_year=n.grain_kg_per_person_year,
        months_of_consumption=n.months_of_consumption,
        min_capacity_t=n.min_capacity_t,
        rounding="up",
    )
    np.testing.assert_array_equal(shared, planner)
    assert n.grain_kg_per_person_year == sizing.PER_CAPITA_KG_PER_YEAR
    assert n.months_of_consumption == sizing.MONTHS_NORM["cn-consuming"]
