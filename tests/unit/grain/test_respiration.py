"""Issue 14, defect 1: dry grain does not heat itself; biology stops; DML stays in range."""

from __future__ import annotations

import numpy as np
import pytest

from regdev.grain import plant
from regdev.grain import properties as props


def _hold(grain: str, m_wb: float, t_c: float, days: int, **spec: object) -> list[plant.PlantState]:
    """Fan off, ambient held at the grain's own temperature (no wall exchange to hide heat)."""
    params, s = plant.initial_state(
        plant.build_params(plant.StoreSpec(grain=grain, **spec)), t_c, m_wb
    )  # type: ignore[arg-type]
    out = [s]
    for _ in range(days):
        for _ in range(24):
            s, _ = plant.step(s, params, t_c, 0.6, 0.0)
        out.append(s)
    return out


def test_dry_maize_90_days_without_fan_stays_within_a_few_kelvin() -> None:
    # 14 % maize at 25 degC in the default 2,000 t store: before the fix it reached
    # 29 / 37 / 59 degC at 30 / 60 / 90 days and then 100 % DML and 43 % moisture.
    states = _hold("maize", 14.0, 25.0, 90)
    last = states[-1]
    assert float(last.temp_c.max()) < 25.0 + 3.0
    assert float(last.dml_pct.max()) < 0.5
    assert float(plant.moisture_wb_pct(last).max()) < 14.1
    assert float(states[30].temp_c.max()) < 26.0


def test_15_pct_maize_at_20_c_does_not_run_away_in_60_days() -> None:
    # Before the fix: 52 degC by day 60.
    states = _hold("maize", 15.0, 20.0, 60)
    assert float(states[-1].temp_c.max()) < 20.0 + 4.0
    assert float(states[-1].dml_pct.max()) < 0.2


def test_dry_rate_is_bounded_by_measured_respiration() -> None:
    params, s = plant.initial_state(plant.build_params(plant.StoreSpec()), 25.0, 14.0)
    rate = plant.dml_rate_pct_per_h(params, s)  # % of dry matter per hour
    erh = float(props.erh("maize", 25.0, 14.0))
    assert erh < props.DRY_ERH_LOW  # dry grain: the bound governs alone
    bound = props.dry_grain_co2_mg_per_kg_day("maize", 25.0, erh) / 24.0 / 1000.0 / 14.7
    np.testing.assert_allclose(rate, bound, rtol=1e-9)
    d535 = 0.5 / float(props.allowable_storage_time_h(25.0, 14.0))
    assert float(rate.max()) < d535 / 5  # measured dry respiration is far below D535


def test_wet_grain_keeps_the_published_d535_rate() -> None:
    params, s = plant.initial_state(plant.build_params(plant.StoreSpec()), 25.0, 22.0)
    rate = float(plant.dml_rate_pct_per_h(params, s).mean())
    # The Saul & Steele curve starts at slope (1.3 * 0.006 + 0.015) / 14.7 per equivalent hour.
    slope0 = (1.3 * 0.006 + 0.015) / props.CO2_PER_PCT_DML
    expected = slope0 / float(plant._d535_multiplier(np.array([25.0]), s.m_db[:1], 30.0)[0])
    assert rate == pytest.approx(expected, rel=2e-3)  # curvature over the first hour


def test_biology_stops_above_60_c_no_loss_no_water_no_heat() -> None:
    spec = plant.StoreSpec(tonnes=200, wall_u_w_m2k=0.0)
    params, s = plant.initial_state(plant.build_params(spec), 65.0, 22.0)
    s1, info = plant.step(s, params, 65.0, 0.5, 0.0, dt_h=24.0)
    assert float(np.max(info.dml_increase_pct)) == 0.0
    assert float(info.respiration_water_kg) == 0.0
    np.testing.assert_array_equal(s1.m_db, s.m_db)
    np.testing.assert_array_equal(s1.temp_c, s.temp_c)


def test_dml_is_capped_at_the_fitted_range_and_heating_stops_there() -> None:
    # Warm wet maize spoils; the model holds DML at the end of its fitted range,
    # flags the layers, and moisture does not run away (before: 100 % DML, 43 %).
    states = _hold("maize", 22.0, 30.0, 60, tonnes=200.0)
    last = states[-1]
    assert float(last.dml_pct.max()) == pytest.approx(props.DML_MODEL_MAX_PCT)
    assert bool(plant.beyond_model(last).all())
    assert float(plant.moisture_wb_pct(last).max()) < 22.0 + 0.6
    assert float(last.temp_c.max()) <= 60.0 + 1e-9
    params = plant.initial_state(plant.build_params(plant.StoreSpec(tonnes=200.0)), 30.0, 22.0)[0]
    s2, info = plant.step(last, params, float(last.temp_c.mean()), 0.6, 0.0)
    assert float(np.max(info.dml_increase_pct)) == 0.0


def test_respiration_heat_is_156_kj_per_kg_of_dry_matter_lost() -> None:
    spec = plant.StoreSpec(tonnes=200, wall_u_w_m2k=0.0)
    params, s = plant.initial_state(plant.build_params(spec), 30.0, 20.0)
    s1, info = plant.step(s, params, 30.0, 0.5, 0.0)
    d = np.asarray(info.dml_increase_pct)
    assert float(d.min()) > 0
    cp = params.c_dm + s.m_db * props.CP_WATER  # heat capacity before the step
    heat_kj_per_kg_dm = (s1.temp_c - s.temp_c) * cp
    # 1 % DML = 10 g of dry matter per kg; 15.64 kJ per g -> 156.4 kJ per kg lost.
    np.testing.assert_allclose(heat_kj_per_kg_dm, 15.64 * 10.0 * d, rtol=1e-6)


@pytest.mark.parametrize("grain", ["rough_rice", "barley", "wheat", "soybean"])
def test_no_grain_heats_more_than_a_few_kelvin_when_dry(grain: str) -> None:
    # Each grain at its own long-term safe moisture, 25 degC, 60 days without air.
    m = props.safe_moisture_pct(grain, "long_term")
    states = _hold(grain, m, 25.0, 60)
    assert float(states[-1].temp_c.max()) < 25.0 + 3.0
