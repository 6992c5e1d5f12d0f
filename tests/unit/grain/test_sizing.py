from __future__ import annotations

import pytest

from regdev.errors import ConfigError
from regdev.grain import sizing


def test_capacity_by_months_norm() -> None:
    # 100,000 people x 180 kg = 18,000 t/yr; 3 months = 4,500 t.
    assert sizing.size_county_store(100_000, norm="cn-producing").capacity_t == 4500.0
    assert sizing.size_county_store(100_000, norm="cn-consuming").capacity_t == 9000.0
    fao = sizing.size_county_store(100_000, norm="fao-minimum")
    assert fao.capacity_t == pytest.approx(3150.0)  # 17.5 % of 18,000 t


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
