from __future__ import annotations

import math

import numpy as np

from regdev.grain.safety import AlarmMonitor, SensorLimits, SensorValidator


def test_a_30_k_jump_is_a_fault_not_grain() -> None:
    v = SensorValidator()
    assert v.check_temperature("c1/3", 18.0, 0.0) is None
    fault = v.check_temperature("c1/3", 48.0, 60.0)
    assert fault is not None
    assert "jumped" in fault
    assert math.isnan(v.good_value("c1/3", 60.0))
    # Still faulty while it keeps reading far from the last good value...
    assert v.check_temperature("c1/3", 47.0, 120.0) is not None
    # ...and good again once it reads close to it.
    assert v.check_temperature("c1/3", 18.5, 180.0) is None
    assert v.good_value("c1/3", 180.0) == 18.5


def test_range_and_staleness() -> None:
    v = SensorValidator(SensorLimits(max_age_s=100))
    assert v.check_temperature("x", 200.0, 0.0) is not None
    assert v.check_temperature("y", float("nan"), 0.0) is not None
    assert v.check_temperature("z", 10.0, 0.0) is None
    assert v.good_value("z", 50.0) == 10.0
    assert v.is_stale("z", 150.0)
    assert math.isnan(v.good_value("z", 150.0))
    assert v.is_stale("never", 0.0)


def test_co2_levels() -> None:
    m = AlarmMonitor()
    temps, moist = np.full(4, 10.0), np.full(4, 14.0)
    assert not [a for a in m.update(0, temps, moist, co2_ppm=480) if a.kind == "co2"]
    watch = [a for a in m.update(1, temps, moist, co2_ppm=1100) if a.kind == "co2"]
    assert watch and watch[0].level == "watch"
    crit = [a for a in m.update(2, temps, moist, co2_ppm=3200) if a.kind == "co2"]
    assert crit and crit[0].level == "critical"


def test_hot_spot_and_self_heating() -> None:
    m = AlarmMonitor()
    alarms = m.update(0, [10, 10, 17, 10], np.full(4, 14.0))
    hot = [a for a in alarms if a.kind == "hot_spot"]
    assert hot and hot[0].layer == 2
    m.reset()
    for h in range(13):
        alarms = m.update(h, [10, 10, 10 + 0.1 * h, 10], np.full(4, 14.0), ambient_temp_c=5.0)
    rising = [a for a in alarms if a.kind == "hot_spot" and a.level == "warning"]
    assert rising and rising[0].layer == 2


def test_condensation_and_insects() -> None:
    m = AlarmMonitor()
    # Spring: warm humid air (dew point ~15 C) over grain still at 5 C.
    alarms = m.update(0, np.full(4, 5.0), np.full(4, 14.0), ambient_temp_c=20.0, ambient_rh=0.75)
    assert any(a.kind == "condensation" for a in alarms)
    assert not any(a.kind == "insects" for a in alarms)
    alarms = m.update(1, np.full(4, 30.0), np.full(4, 14.0), ambient_temp_c=20.0, ambient_rh=0.4)
    assert any(a.kind == "insects" for a in alarms)
    dry = m.update(2, np.full(4, 30.0), np.full(4, 7.0), ambient_temp_c=20.0, ambient_rh=0.4)
    assert not any(a.kind == "insects" for a in dry)


def test_faults_become_alarms() -> None:
    alarms = AlarmMonitor().update(0, np.full(3, 10.0), 14.0, faults={"c/1": "c/1: jumped"})
    assert [a.kind for a in alarms] == ["sensor_fault"]
