"""Sensor fault detection and alarms.

Fail-safe policy
----------------
A reading outside its physical range, or changing faster than grain can, is
rejected and the sensor marked faulty; its value is treated as missing (NaN).
When the ambient sensor is stale or faulty, or no grain sensor is valid, the
observation is marked invalid and every controller switches the fan **off** and
says so: blowing air on bad data can rewet or warm the grain, while a few hours
without aeration are harmless.  Alarms are raised for the operator in either case.

Time-aware plausibility (:class:`SensorValidator`)
--------------------------------------------------
Time is the **receive** time of each reading (a sensor's own clock is not
trusted for staleness).  A temperature reading is plausible when it is within
``max_jump_k + max_rate_k_per_h * hours since the last good reading`` of that
reading: a grain sensor does not move 30 K in a minute, but after a night
without readings a cooling front can have passed it.  Two rules keep a good
sensor from being locked out by one bad value:

* **re-baseline after an outage**: a sensor silent for longer than
  ``max_age_s`` (stale) starts afresh: its next in-range reading is the new
  baseline (a real +12 K change over a 3-day outage is accepted);
* **re-baseline on agreement**: ``confirm_readings`` consecutive readings that
  agree with each other (within the same rate limit) but not with the baseline
  replace the baseline; so one bad *first* reading costs at most
  ``confirm_readings - 1`` rejected readings, not every later one.  The step is
  reported as a ``sensor_rebaselined`` watch alarm.

The limits are engineering judgement: the default 3 K/h is about the fastest a
cooling or drying front moves a single sensor at 1-1.5 m3/min/t; 10 K at zero
elapsed time covers sensor noise and conduction near the wall.

Alarm thresholds (``data/storage_thresholds.csv``)
--------------------------------------------------
* CO2: 400-500 ppm normal; about 1,000 ppm sustained = watch; >= 3,000 ppm =
  spoilage occurring (Marlow 2011, GEAPS; world-grain.com).  Only a *fresh* CO2
  reading counts: a silent CO2 sensor raises ``sensor_stale`` instead, and its
  last value no longer alarms.
* Hot spot, per cable and per sensor (:meth:`AlarmMonitor.update`):
  *maximum* - a sensor at least ``hot_spot_k`` (5 K) warmer than the same layer
  on the other cables (median), or, on a single cable, than the cable's median
  while also a local peak (``hot_spot_k / 2`` above its warmest vertical
  neighbours, windows of one or two sensors) so a cooling front is not a hot
  spot; *local rise* - a sensor rising at least ``rise_k_per_day`` (1 K/day) over
  the last 6-24 h, at least that much faster than the median sensor of the
  store, while the ambient is cooler (self-heating).
* Condensation: ambient dew point above the coldest grain temperature
  (warm moist air meeting cold grain, typical in spring).
* Insects: development risk index (:func:`regdev.grain.insects.insect_risk`) of
  any layer at least 0.25, i.e. grain warmer than about 17-20 degC and moist.
* Sensors: ``sensor_fault`` (implausible reading), ``sensor_stale`` (silent
  longer than its maximum age; ambient, each cable, CO2 and moisture each have
  their own), ``sensor_rebaselined`` (watch).
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field

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
        Largest believable change between two grain-temperature readings taken
        at the same moment, K (noise allowance).
    max_rate_k_per_h : float
        Largest believable rate of change of a grain temperature, K/h; the
        allowed change grows with the time since the last good reading.
    max_age_s : float
        A temperature or ambient sensor silent for longer than this is stale, s.
    confirm_readings : int
        Consecutive mutually consistent readings that re-baseline a sensor.
    co2_max_age_s, moisture_max_age_s : float
        Staleness limits of the CO2 and moisture sensors, s (they report less
        often).
    """

    temp_min_c: float = -45.0
    temp_max_c: float = 85.0
    max_jump_k: float = 10.0
    max_rate_k_per_h: float = 3.0
    max_age_s: float = 900.0
    confirm_readings: int = 3
    co2_max_age_s: float = 1800.0
    moisture_max_age_s: float = 21600.0


@dataclass
class _Track:
    """State of one sensor (internal to :class:`SensorValidator`)."""

    value: float = math.nan
    good_time: float | None = None  # receive time of the last good reading
    seen_time: float | None = None  # receive time of the last reading of any kind
    pending: list[tuple[float, float]] = field(default_factory=list)


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
        self.tracks_: dict[str, _Track] = {}
        self.faults_: dict[str, str] = {}
        self.events_: list[str] = []
        self.max_age_: dict[str, float] = {}

    def _track(self, sensor: str) -> _Track:
        tr = self.tracks_.get(sensor)
        if tr is None:
            tr = self.tracks_[sensor] = _Track()
        return tr

    def _accept(self, sensor: str, tr: _Track, value: float, time_s: float) -> None:
        tr.value = value
        tr.good_time = time_s
        tr.pending.clear()
        self.faults_.pop(sensor, None)

    def _allowed(self, dt_s: float) -> float:
        lim = self.limits
        return lim.max_jump_k + lim.max_rate_k_per_h * max(dt_s, 0.0) / 3600.0

    def check_temperature(self, sensor: str, value: float, time_s: float) -> str | None:
        """Accept or reject a grain-temperature reading; return the fault, or None if good.

        Parameters
        ----------
        sensor : str
            Sensor id (``"<cable>/<index>"``).
        value : float
            Reading, degC.
        time_s : float
            Receive time, s.
        """
        lim = self.limits
        tr = self._track(sensor)
        tr.seen_time = time_s
        if not math.isfinite(value) or not lim.temp_min_c <= value <= lim.temp_max_c:
            fault = f"{sensor}: {value} degC outside {lim.temp_min_c}..{lim.temp_max_c}"
            self.faults_[sensor] = fault
            return fault
        if tr.good_time is None or time_s - tr.good_time > self._max_age(sensor):
            self._accept(sensor, tr, value, time_s)  # first reading, or after an outage
            return None
        if abs(value - tr.value) <= self._allowed(time_s - tr.good_time):
            self._accept(sensor, tr, value, time_s)
            return None
        # Implausible against the baseline: does it agree with the readings that
        # were rejected just before it?  Then the baseline was the odd one out.
        if tr.pending:
            t_prev, v_prev = tr.pending[-1]
            if abs(value - v_prev) > self._allowed(time_s - t_prev):
                tr.pending.clear()
        tr.pending.append((time_s, value))
        if len(tr.pending) >= lim.confirm_readings:
            old = tr.value
            self.events_.append(
                f"{sensor}: re-baselined at {value:.1f} degC after {len(tr.pending)} "
                f"consistent readings (last accepted {old:.1f} degC)"
            )
            self._accept(sensor, tr, value, time_s)
            return None
        fault = (
            f"{sensor}: jumped {value - tr.value:+.1f} K in {time_s - tr.good_time:.0f} s "
            f"(limit {self._allowed(time_s - tr.good_time):.1f} K)"
        )
        self.faults_[sensor] = fault
        return fault

    def check_value(
        self,
        sensor: str,
        value: float,
        time_s: float,
        lo: float,
        hi: float,
        max_age_s: float | None = None,
    ) -> str | None:
        """Accept or reject a reading by range only (ambient, CO2, moisture).

        ``max_age_s`` sets this sensor's staleness limit (default: ``max_age_s``
        of the limits).
        """
        tr = self._track(sensor)
        tr.seen_time = time_s
        if max_age_s is not None:
            self.max_age_[sensor] = max_age_s
        if not math.isfinite(value) or not lo <= value <= hi:
            fault = f"{sensor}: {value} outside {lo}..{hi}"
            self.faults_[sensor] = fault
            return fault
        self._accept(sensor, tr, value, time_s)
        return None

    def _max_age(self, sensor: str) -> float:
        return self.max_age_.get(sensor, self.limits.max_age_s)

    def is_stale(self, sensor: str, now_s: float) -> bool:
        """True if the sensor never gave a good reading or the last one is too old."""
        tr = self.tracks_.get(sensor)
        t = None if tr is None else tr.good_time
        return t is None or now_s - t > self._max_age(sensor)

    def age_s(self, sensor: str, now_s: float) -> float | None:
        """Seconds since the sensor's last good reading (None if never)."""
        tr = self.tracks_.get(sensor)
        if tr is None or tr.good_time is None:
            return None
        return now_s - tr.good_time

    def good_value(self, sensor: str, now_s: float) -> float:
        """Last good value, or NaN if faulty or stale."""
        if sensor in self.faults_ or self.is_stale(sensor, now_s):
            return math.nan
        tr = self.tracks_.get(sensor)
        return math.nan if tr is None else tr.value

    def pop_events(self) -> list[str]:
        """Re-baselining events since the last call (for ``sensor_rebaselined`` alarms)."""
        out, self.events_ = self.events_, []
        return out


@dataclass(frozen=True)
class Alarm:
    """One alarm.

    Parameters
    ----------
    kind : str
        ``hot_spot``, ``co2``, ``condensation``, ``insects``, ``sensor_fault``,
        ``sensor_stale`` or ``sensor_rebaselined``.
    level : str
        ``watch``, ``warning`` or ``critical``.
    message : str
        Operator-readable text.
    layer : int or None
        Layer (sensor index on its cable, 0 = bottom) when the alarm concerns one.
    cable : str or None
        Cable id when the alarm concerns one cable.
    """

    kind: str
    level: str
    message: str
    layer: int | None = None
    cable: str | None = None


@dataclass(frozen=True)
class AlarmThresholds:
    """Alarm thresholds (defaults from ``data/storage_thresholds.csv``)."""

    co2_watch_ppm: float = 1000.0
    co2_spoilage_ppm: float = 3000.0
    hot_spot_k: float = 5.0
    rise_k_per_day: float = 1.0
    insect_risk: float = 0.25


#: Cable name used when a caller gives only layer temperatures (the simulator).
PROFILE = "profile"


def _spatial_hot_spots(cables: Mapping[str, FloatArray], k: float) -> list[tuple[str, int, float]]:
    """Sensors at least ``k`` above their reference: ``(cable, index, excess)``.

    With several cables the reference is the median of the same layer on the
    other cables (a cooling front is horizontal, so it never alarms); on a single
    cable it is the cable's median, and the sensor must also be a local peak:
    ``k / 2`` above its warmest vertical neighbours (pockets one or two sensors
    high).
    """
    names = list(cables)
    n = max((c.size for c in cables.values()), default=0)
    mat = np.full((len(names), n), math.nan)
    for i, name in enumerate(names):
        v = np.asarray(cables[name], dtype=np.float64)
        mat[i, : v.size] = v
    out: list[tuple[str, int, float]] = []
    for ci, name in enumerate(names):
        row = mat[ci]
        for j in np.flatnonzero(np.isfinite(row)):
            others = np.delete(mat[:, j], ci)
            others = others[np.isfinite(others)]
            if others.size:
                excess = float(row[j] - np.median(others))
                if excess >= k:
                    out.append((name, int(j), excess))
                continue
            rest = np.delete(row, j)
            rest = rest[np.isfinite(rest)]
            if rest.size == 0:
                continue
            excess = float(row[j] - np.median(rest))
            if excess >= k and _local_peak(row, int(j), k / 2.0):
                out.append((name, int(j), excess))
    return out


def _local_peak(row: FloatArray, j: int, margin: float) -> bool:
    """Whether sensor ``j`` is ``margin`` above the sensors around a pocket of 1-2 containing it."""
    n = row.size
    for lo, hi in ((j, j), (j - 1, j), (j, j + 1)):
        if lo < 0 or hi >= n or not np.all(np.isfinite(row[lo : hi + 1])):
            continue
        around = [row[i] for i in (lo - 1, hi + 1) if 0 <= i < n and math.isfinite(row[i])]
        if around and float(np.min(row[lo : hi + 1])) - max(around) >= margin:
            return True
    return False


class AlarmMonitor:
    """Evaluate alarms from successive readings (keeps a one-day history per sensor).

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
        self.history_: dict[tuple[str, int], deque[tuple[float, float]]] = {}

    def update(
        self,
        time_h: float,
        grain_temp_c: npt.ArrayLike,
        grain_m_wb_pct: npt.ArrayLike,
        *,
        ambient_temp_c: float = math.nan,
        ambient_rh: float = math.nan,
        co2_ppm: float | None = None,
        faults: Mapping[str, str] | None = None,
        cables: Mapping[str, npt.ArrayLike] | None = None,
        stale: Mapping[str, str] | None = None,
        events: list[str] | None = None,
    ) -> list[Alarm]:
        """Return the alarms active now.

        Parameters
        ----------
        time_h : float
            Time, h.
        grain_temp_c : array_like
            Temperature per layer (mean over cables), degC; NaN where unknown.
        grain_m_wb_pct : array_like
            Moisture per layer (or one value), % w.b.
        ambient_temp_c, ambient_rh : float
            Ambient air (RH in the package's convention); NaN when unknown.
        co2_ppm : float, optional
            A *fresh* headspace CO2 reading (None when absent or stale).
        faults : mapping, optional
            Faulty sensors and why.
        cables : mapping, optional
            Temperature per sensor of every cable (``{cable: array}``, bottom
            first, NaN where invalid); without it the layer temperatures are taken
            as one cable.
        stale : mapping, optional
            Silent sensors and why.
        events : list of str, optional
            Re-baselining events (watch alarms).
        """
        th = self.thresholds
        temps = np.asarray(grain_temp_c, dtype=np.float64)
        m = np.broadcast_to(np.asarray(grain_m_wb_pct, dtype=np.float64), temps.shape)
        if cables is None:
            cab: dict[str, FloatArray] = {PROFILE: temps}
        else:
            cab = {k: np.asarray(v, dtype=np.float64) for k, v in cables.items()}
        out: list[Alarm] = [
            Alarm("sensor_fault", "warning", text) for text in (faults or {}).values()
        ]
        out += [Alarm("sensor_stale", "warning", text) for text in (stale or {}).values()]
        out += [Alarm("sensor_rebaselined", "watch", text) for text in events or []]
        if co2_ppm is not None and math.isfinite(co2_ppm):
            if co2_ppm >= th.co2_spoilage_ppm:
                out.append(Alarm("co2", "critical", f"CO2 {co2_ppm:.0f} ppm: spoilage occurring"))
            elif co2_ppm >= th.co2_watch_ppm:
                out.append(Alarm("co2", "watch", f"CO2 {co2_ppm:.0f} ppm: possible problem"))
        single = len(cab) == 1 and next(iter(cab)) == PROFILE
        for name, j, excess in _spatial_hot_spots(cab, th.hot_spot_k):
            where = f"layer {j}" if single else f"cable {name} sensor {j}"
            t = float(cab[name][j])
            out.append(
                Alarm(
                    "hot_spot",
                    "critical",
                    f"{where} at {t:.1f} degC, {excess:.1f} K above the grain around it",
                    j,
                    None if single else name,
                )
            )
        out += self._rising(time_h, cab, ambient_temp_c, single)
        good = np.isfinite(temps)
        all_t = np.concatenate([v[np.isfinite(v)] for v in cab.values()] or [np.zeros(0)])
        if math.isfinite(ambient_temp_c) and math.isfinite(ambient_rh) and all_t.size:
            dp = props.dew_point(ambient_temp_c, max(min(ambient_rh, 1.0), 0.01))
            coldest = float(np.min(all_t))
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

    def _rising(
        self, time_h: float, cab: Mapping[str, FloatArray], ambient_temp_c: float, single: bool
    ) -> list[Alarm]:
        """Self-heating: sensors rising faster than the store over the last 6-24 h."""
        th = self.thresholds
        rises: dict[tuple[str, int], tuple[float, float]] = {}
        for name, vals in cab.items():
            for j, v in enumerate(vals):
                if not math.isfinite(float(v)):
                    continue
                hist = self.history_.setdefault((name, j), deque())
                hist.append((time_h, float(v)))
                while hist and time_h - hist[0][0] > 24.0:
                    hist.popleft()
                t0, v0 = hist[0]
                if time_h - t0 >= 6.0:
                    rises[(name, j)] = ((float(v) - v0) / (time_h - t0) * 24.0, float(v))
        if not rises:
            return []
        keys = list(rises)
        rate = np.array([rises[k][0] for k in keys])
        value = np.array([rises[k][1] for k in keys])
        out: list[Alarm] = []
        store_rise = float(np.median(rate))
        if (
            len(keys) > 1
            and store_rise >= th.rise_k_per_day
            and (not math.isfinite(ambient_temp_c) or ambient_temp_c < float(np.median(value)))
        ):
            out.append(
                Alarm(
                    "hot_spot",
                    "warning",
                    f"the whole store is rising {store_rise:.1f} K/day (median sensor) "
                    "with cooler air: self-heating",
                )
            )
        for i, (name, j) in enumerate(keys):
            rise = float(rate[i])
            if rise < th.rise_k_per_day:
                continue
            others = np.delete(rate, i)
            local = others.size == 0 or rise - float(np.median(others)) >= th.rise_k_per_day
            cooler = not math.isfinite(ambient_temp_c) or ambient_temp_c < float(value[i])
            if local and cooler:
                where = f"layer {j}" if single else f"cable {name} sensor {j}"
                out.append(
                    Alarm(
                        "hot_spot",
                        "warning",
                        f"{where} rising {rise:.1f} K/day with cooler air: self-heating",
                        j,
                        None if single else name,
                    )
                )
        return out
