from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from regdev.errors import ConfigError
from regdev.grain import controller as ctl
from regdev.grain import plant
from regdev.grain import properties as props

SPEC = plant.StoreSpec(tonnes=500, depth_m=8, n_layers=5)


def obs(
    t_h: float = 0.0,
    t_amb: float = 10.0,
    rh: float = 0.6,
    grain_t: float = 20.0,
    m: float = 16.0,
    n: int = 5,
    **kw: object,
) -> ctl.Observation:
    return ctl.Observation(
        time_h=t_h,
        ambient_temp_c=t_amb,
        ambient_rh=rh,
        grain_temp_c=np.full(n, grain_t),
        grain_m_wb_pct=np.full(n, m),
        **kw,  # type: ignore[arg-type]
    )


def all_controllers() -> list[ctl.Controller]:
    return [
        ctl.EmcWindowController(),
        ctl.TemperatureDifferenceController(),
        ctl.PredictiveController(SPEC, horizon_h=12, block_h=3),
    ]


def test_all_follow_the_protocol() -> None:
    for c in all_controllers():
        assert isinstance(c, ctl.Controller)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.floats(-30, 40),
            st.floats(0.0, 1.0),
            st.floats(-10, 50),
            st.floats(10, 25),
            st.booleans(),
        ),
        min_size=1,
        max_size=12,
    )
)
def test_actions_within_actuator_limits(seq: list[tuple[float, float, float, float, bool]]) -> None:
    limits = ctl.ActuatorLimits()
    for c in all_controllers():
        c.reset()
        for i, (t_amb, rh, t_g, m, valid) in enumerate(seq):
            o = obs(float(i), t_amb, rh, t_g, m, valid=valid)
            a = c.step(o)
            assert a.fan in (0.0, 1.0)
            assert a.heater_c == 0.0
            assert a.reason
            # The RH lockout counts RH as stations do, over water (issue 14, defect 7).
            rh_station = float(props.rh_over_water_from_internal(t_amb, rh))
            if not valid or t_amb < limits.lockout_temp_c or rh_station > limits.max_rh:
                assert a.fan == 0.0, (type(c).__name__, a)


def test_minimum_run_and_rest_times() -> None:
    c = ctl.TemperatureDifferenceController(limits=ctl.ActuatorLimits(min_on_h=3, min_off_h=2))
    assert c.step(obs(0, t_amb=5, grain_t=20)).fan == 1.0
    # Conditions no longer call for the fan, but it must run 3 h.
    assert c.step(obs(1, t_amb=19, grain_t=20)).fan == 1.0
    assert c.step(obs(2, t_amb=19, grain_t=20)).reason.startswith("minimum run")
    assert c.step(obs(3, t_amb=19, grain_t=20)).fan == 0.0
    # Wanted again after 1 h: must rest 2 h first.
    assert c.step(obs(4, t_amb=5, grain_t=20)).fan == 0.0
    assert c.step(obs(5, t_amb=5, grain_t=20)).fan == 1.0


def test_delta_t_hysteresis_and_rewetting() -> None:
    c = ctl.TemperatureDifferenceController(limits=ctl.ActuatorLimits(min_on_h=0, min_off_h=0))
    assert c.step(obs(0, t_amb=14, grain_t=20)).fan == 0.0  # 6 K < 8 K start
    assert c.step(obs(1, t_amb=11, grain_t=20)).fan == 1.0  # 9 K
    assert c.step(obs(2, t_amb=15, grain_t=20)).fan == 1.0  # 5 K >= 4 K stop
    assert c.step(obs(3, t_amb=17, grain_t=20)).fan == 0.0  # 3 K
    # 9 K cooler air whose RH, once warmed to the grain temperature, is above the
    # grain's equilibrium RH would rewet the grain: refused.
    c.reset()
    rh_amb = 0.84
    rh_at_grain = rh_amb * float(props.sat_vapour_pressure(21.0) / props.sat_vapour_pressure(30.0))
    iso = props.get_isotherm("maize")
    m_db = float(iso.emc_db_pct(30.0, rh_at_grain - 0.05))  # grain drier than that air
    m_wb = 100 * m_db / (100 + m_db)
    a = c.step(obs(0, t_amb=21.0, rh=rh_amb, grain_t=30.0, m=m_wb))
    assert a.fan == 0.0
    assert "rewet" in a.reason
    c.reset()
    m_db = float(iso.emc_db_pct(30.0, rh_at_grain + 0.05))  # wetter grain: air dries it
    a = c.step(obs(0, t_amb=21.0, rh=rh_amb, grain_t=30.0, m=100 * m_db / (100 + m_db)))
    assert a.fan == 1.0


def test_emc_window() -> None:
    c = ctl.EmcWindowController(target_m_wb_pct=15.0, below_pct=3.0, above_pct=0.5)
    # Find an RH whose EMC is 14 % at 10 degC: inside the window.
    iso = props.get_isotherm("maize")
    rh_in = float(iso.erh(10.0, 100 * 0.14 / 0.86))
    assert c.step(obs(0, t_amb=10, rh=rh_in, grain_t=15)).fan == 1.0
    c.reset()
    rh_dry = float(iso.erh(10.0, 100 * 0.10 / 0.90))  # EMC 10 % < 12 %: over-drying
    assert c.step(obs(0, t_amb=10, rh=rh_dry, grain_t=15)).fan == 0.0
    c.reset()
    assert c.step(obs(0, t_amb=25, rh=rh_in, grain_t=15)).fan == 0.0  # air too warm


def test_fail_safe_on_missing_grain_sensors() -> None:
    for c in all_controllers():
        o = ctl.Observation(0.0, 5.0, 0.6, np.full(5, math.nan), np.full(5, 16.0))
        a = c.step(o)
        assert a.fan == 0.0
        assert "fail-safe" in a.reason


def test_reset_clears_state() -> None:
    c = ctl.TemperatureDifferenceController(limits=ctl.ActuatorLimits(min_on_h=5))
    c.step(obs(0, t_amb=5, grain_t=20))
    assert c.fan_ == 1.0
    c.reset()
    assert c.fan_ == 0.0
    assert c.since_h_ is None


def test_predictive_runs_on_cold_forecast_and_waits_for_it() -> None:
    c = ctl.PredictiveController(SPEC, horizon_h=24, block_h=3)
    cold = np.full(24, 2.0)
    a = c.step(
        obs(
            0,
            t_amb=2.0,
            rh=0.6,
            grain_t=28.0,
            m=17.0,
            forecast_temp_c=cold,
            forecast_rh=np.full(24, 0.6),
        )
    )
    assert a.fan == 1.0
    # Warm humid now, very cold later.  Even 27 degC air cools 28 degC wet grain a
    # little (evaporation), so with cheap power it runs throughout; with dear power
    # it waits for the cold hours.
    c = ctl.PredictiveController(SPEC, horizon_h=24, block_h=3, energy_price_per_kwh=5.0)
    f_t = np.r_[np.full(6, 27.0), np.full(18, 0.0)]
    f_r = np.r_[np.full(6, 0.8), np.full(18, 0.6)]
    a = c.step(
        obs(0, t_amb=27.0, rh=0.8, grain_t=28.0, m=17.0, forecast_temp_c=f_t, forecast_rh=f_r)
    )
    assert a.fan == 0.0
    assert c.plan_[-1] == 1.0  # it plans to run in the cold hours


def test_predictive_energy_price_reduces_fan_use() -> None:
    f_t = 12.0 + 4.0 * np.sin(np.arange(48) / 3.8)
    f_r = np.full(48, 0.6)
    runs = []
    for price in (0.01, 100.0):
        c = ctl.PredictiveController(SPEC, horizon_h=48, block_h=3, energy_price_per_kwh=price)
        o = obs(0, t_amb=float(f_t[0]), grain_t=20.0, m=16.0, forecast_temp_c=f_t, forecast_rh=f_r)
        runs.append(float(np.sum(c.plan(o))))
    assert runs[0] > runs[1]
    assert runs[1] == 0.0


def test_predictive_persistence_forecast_without_forecast() -> None:
    c = ctl.PredictiveController(SPEC, horizon_h=12, block_h=3)
    for h in range(30):
        a = c.step(obs(h, t_amb=3.0, grain_t=25.0, m=17.0))
    assert a.fan == 1.0


def test_predictive_rejects_bad_horizon() -> None:
    c = ctl.PredictiveController(SPEC, horizon_h=10, block_h=3)
    with pytest.raises(ConfigError, match="multiple"):
        c.step(obs(0))


def test_build_controller() -> None:
    assert isinstance(ctl.build_controller("emc", SPEC), ctl.EmcWindowController)
    assert isinstance(
        ctl.build_controller("delta-t", SPEC, start_k=6), ctl.TemperatureDifferenceController
    )
    assert isinstance(ctl.build_controller("mpc", SPEC), ctl.PredictiveController)
    with pytest.raises(ConfigError, match="strategy must be one of"):
        ctl.build_controller("pid", SPEC)


def test_predictive_storage_end_limits_what_cooling_is_worth() -> None:
    f_t = np.full(24, 10.0)
    f_r = np.full(24, 0.6)
    o = obs(100.0, t_amb=10.0, grain_t=20.0, m=16.0, forecast_temp_c=f_t, forecast_rh=f_r)
    hours = []
    for end in (None, 124.0):  # out-loading right after the horizon: no tail value
        c = ctl.PredictiveController(
            SPEC, horizon_h=24, block_h=3, energy_price_per_kwh=0.5, storage_end_h=end
        )
        hours.append(float(np.sum(c.plan(o))))
    assert hours[0] > hours[1]


@pytest.mark.parametrize(
    ("grain", "target"),
    [("maize", 15.0), ("soybean", 13.0), ("rough_rice", 14.0), ("wheat", 13.5), ("barley", 13.5)],
)
def test_emc_window_targets_each_grains_safe_moisture(grain: str, target: float) -> None:
    # Issue 14, defect 8: the rule targeted 15 % for every grain.
    c = ctl.EmcWindowController(grain=grain)
    assert c.target_ == target == props.safe_moisture_pct(grain, "short_term")
    assert ctl.EmcWindowController(grain=grain, storage_horizon="long_term").target_ < target
    assert isinstance(
        ctl.build_controller("emc", plant.StoreSpec(grain=grain)), ctl.EmcWindowController
    )
    built = ctl.build_controller("emc", plant.StoreSpec(grain=grain))
    assert built.target_ == target  # type: ignore[attr-defined]
    # Ambient air in equilibrium with the grain at 1.5 points above the soybean
    # target: the window [target - 3, target + 0.5] excludes it for every grain.
    iso = props.get_isotherm(grain)
    m = target + 1.5
    rh = float(iso.erh(10.0, 100 * m / (100 - m)))
    if rh <= 0.85:
        assert c.step(obs(0, t_amb=10.0, rh=rh, grain_t=15.0, m=target)).fan == 0.0


def test_rh_lockout_uses_station_rh_below_zero() -> None:
    # -5 degC, station RH 82 % (over water) = 86 % over ice: below the 85 % lockout
    # as stations (and the GRDC rule) count it, so the fan may run.
    c = ctl.TemperatureDifferenceController(limits=ctl.ActuatorLimits(min_on_h=0, min_off_h=0))
    rh_internal = float(props.rh_internal_from_over_water(-5.0, 0.82))
    assert rh_internal > 0.85
    a = c.step(obs(0, t_amb=-5.0, rh=rh_internal, grain_t=10.0, m=14.0))
    assert "RH" not in a.reason
    a = c.step(
        obs(1, t_amb=-5.0, rh=float(props.rh_internal_from_over_water(-5.0, 0.9)), grain_t=10.0)
    )
    assert a.fan == 0.0 and "RH" in a.reason
