"""Sensor fault detection and alarms.

Fail-safe policy
----------------
A reading that is out of its physical range, or that jumps faster than grain
can change (grain temperature changes by a few kelvin per day; a cable reading
that jumps 30 K in one interval is a fault, not grain), is rejected and the
sensor is marked faulty; its layer is treated as missing (NaN).  When the
ambient sensor is stale or faulty, or no grain sensor is valid, the observation
is marked invalid and every controller switches the fan **off** and says so:
blowing air on bad data can rewet or warm the grain, while a few hours without
aeration are harmless.  Alarms are raised for the operator in either case.

Alarm thresholds (``data/storage_thresholds.csv``)
--------------------------------------------------
* CO2: 400-500 ppm normal; about 1,000 ppm sustained = watch; >= 3,000 ppm =
  spoilage occurring (Marlow 2011, GEAPS; world-grain.com).
* Hot spot: a layer at least ``hot_spot_k`` (5 K) above the median of the
  others, or rising faster than ``rise_k_per_day`` (1 K/day) while the ambient is
  cooler (self-heating).
* Condensation: ambient dew point above the coldest grain temperature
  (warm moist air meeting cold grain, typical in spring).
* Insects: development risk index (:func:`regdev.grain.insects.insect_risk`) of
  any layer at least 0.25, i.e. grain warmer than about 17-20 degC and moist.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from regdev.grain import insects
from regdev.grain import properties as props

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class SensorLimits:
    """Plausibility limits for readings.

    Parameters
    ----------
    temp_min_c, temp_max_c : float
        Physical range of a temperature reading, degC.
    max_jump_k : float
        Largest believable change between consecutive grain-temperature readings, K.
    max_age_s : float
        A sensor silent for longer than this is stale, s.
    """

    temp_min_c: float = -45.0
    temp_max_c: float = 85.0
    max_jump_k: float = 10.0
    max_age_s: float = 900.0


class SensorValidator:
    """Validate readings one by one; remembers the last good value of each sensor.

    Parameters
    ----------
    limits : SensorLimits
        Plausibility limits.
    """

    def __init__(self, limits: SensorLimits = SensorLimits()) -> None:  # noqa: B008 - frozen
        self.limits = limits
        self.reset()

    def reset(self) -> None:
        """Forget all sensors."""
        self.last_value_: dict[str, float] = {}
        self.last_time_: dict[str, float] = {}
        self.faults_: dict[str, str] = {}

    def check_temperature(self, sensor: str, value: float, time_s: float) -> str | None:
        """Accept or reject a temperature reading; return the fault, or None if it is good.

        A rejected reading does not replace the last good value, so a sensor that
        jumps 30 K stays faulty until it reads close to its last good value again.
        """
        lim = self.limits
        fault: str | None = None
        if not math.isfinite(value) or not lim.temp_min_c <= value <= lim.temp_max_c:
            fault = f"{sensor}: {value} degC outside {lim.temp_min_c}..{lim.temp_max_c}"
        elif sensor in self.last_value_ and abs(value - self.last_value_[sensor]) > lim.max_jump_k:
            prev = self.last_value_[sensor]
            fault = f"{sensor}: jumped {value - prev:+.1f} K (limit {lim.max_jump_k} K)"
        if fault is None:
            self.last_value_[sensor] = value
            self.last_time_[sensor] = time_s
            self.faults_.pop(sensor, None)
        else:
            self.faults_[sensor] = fault
        return fault

    def touch(self, sensor: str, time_s: float) -> None:
        """Record that a sensor without jump checking (e.g. RH, CO2) reported."""
        self.last_time_[sensor] = time_s

    def is_stale(self, sensor: str, now_s: float) -> bool:
        """True if the sensor never reported or is older than ``max_age_s``."""
        t = self.last_time_.get(sensor)
        return t is None or now_s - t > self.limits.max_age_s

    def good_value(self, sensor: str, now_s: float) -> float:
        """Last good value, or NaN if faulty or stale."""
        if sensor in self.faults_ or self.is_stale(sensor, now_s):
            return math.nan
        return self.last_value_.get(sensor, math.nan)


@dataclass(frozen=True)
class Alarm:
    """One alarm.

    Parameters
    ----------
    kind : str
        ``hot_spot``, ``co2``, ``condensation``, ``insects`` or ``sensor_fault``.
    level : str
        ``watch``, ``warning`` or ``critical``.
    message : str
        Operator-readable text.
    layer : int or None
        Layer index (0 = bottom) when the alarm concerns one layer.
    """

    kind: str
    level: str
    message: str
    layer: int | None = None


@dataclass(frozen=True)
class AlarmThresholds:
    """Alarm thresholds (defaults from ``data/storage_thresholds.csv``)."""

    co2_watch_ppm: float = 1000.0
    co2_spoilage_ppm: float = 3000.0
    hot_spot_k: float = 5.0
    rise_k_per_day: float = 1.0
    insect_risk: float = 0.25


class AlarmMonitor:
    """Evaluate alarms from successive readings (keeps a one-day temperature history).

    Parameters
    ----------
    thresholds : AlarmThresholds
        Alarm thresholds.
    """

    def __init__(self, thresholds: AlarmThresholds = AlarmThresholds()) -> None:  # noqa: B008
        self.thresholds = thresholds
        self.reset()

    def reset(self) -> None:
        """Forget the history."""
        self.history_: list[tuple[float, FloatArray]] = []

    def update(
        self,
        time_h: float,
        grain_temp_c: npt.ArrayLike,
        grain_m_wb_pct: npt.ArrayLike,
        *,
        ambient_temp_c: float = math.nan,
        ambient_rh: float = math.nan,
        co2_ppm: float | None = None,
        faults: dict[str, str] | None = None,
    ) -> list[Alarm]:
        """Return the alarms active now."""
        th = self.thresholds
        temps = np.asarray(grain_temp_c, dtype=np.float64)
        m = np.broadcast_to(np.asarray(grain_m_wb_pct, dtype=np.float64), temps.shape)
        out: list[Alarm] = [
            Alarm("sensor_fault", "warning", text) for text in (faults or {}).values()
        ]
        if co2_ppm is not None and math.isfinite(co2_ppm):
            if co2_ppm >= th.co2_spoilage_ppm:
                out.append(Alarm("co2", "critical", f"CO2 {co2_ppm:.0f} ppm: spoilage occurring"))
            elif co2_ppm >= th.co2_watch_ppm:
                out.append(Alarm("co2", "watch", f"CO2 {co2_ppm:.0f} ppm: possible problem"))
        good = np.isfinite(temps)
        if np.count_nonzero(good) >= 2:
            for i in np.flatnonzero(good):
                others = np.delete(temps, i)
                ref = float(np.nanmedian(others))
                if temps[i] - ref >= th.hot_spot_k:
                    out.append(
                        Alarm(
                            "hot_spot",
                            "critical",
                            f"layer {i} at {temps[i]:.1f} degC, {temps[i] - ref:.1f} K above the rest",
                            int(i),
                        )
                    )
        self.history_.append((time_h, temps.copy()))
        self.history_ = [(t, x) for t, x in self.history_ if time_h - t <= 24.0]
        t0, x0 = self.history_[0]
        if time_h - t0 >= 6.0:
            rise = (temps - x0) / (time_h - t0) * 24.0
            cooler = not math.isfinite(ambient_temp_c) or ambient_temp_c < np.nanmin(temps)
            for i in np.flatnonzero(np.isfinite(rise) & (rise >= th.rise_k_per_day)):
                if cooler:
                    out.append(
                        Alarm(
                            "hot_spot",
                            "warning",
                            f"layer {i} rising {rise[i]:.1f} K/day with cooler air: self-heating",
                            int(i),
                        )
                    )
        if math.isfinite(ambient_temp_c) and math.isfinite(ambient_rh) and np.any(good):
            dp = props.dew_point(ambient_temp_c, max(min(ambient_rh, 1.0), 0.01))
            coldest = float(np.nanmin(temps))
            if dp > coldest:
                out.append(
                    Alarm(
                        "condensation",
                        "warning",
                        f"ambient dew point {dp:.1f} degC above coldest grain {coldest:.1f} degC",
                    )
                )
        risk = insects.insect_risk(np.where(good, temps, -50.0), m)
        if np.any(risk >= th.insect_risk):
            worst = int(np.argmax(risk))
            out.append(
                Alarm(
                    "insects",
                    "warning",
                    f"insect development risk {risk[worst]:.2f} in layer {worst} "
                    f"({temps[worst]:.1f} degC)",
                    worst,
                )
            )
        return out
