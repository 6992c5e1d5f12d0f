"""Aeration controllers sharing one interface: ``reset()`` and ``step(observation) -> Action``.

Controllers follow the scikit-learn split (STYLE.md section 5): ``__init__``
stores parameters unchanged, ``reset()`` clears the state, state lives in
attributes ending in ``_``.  The plant model knows nothing of controllers.

Three controllers:

* :class:`EmcWindowController` runs the fan when the ambient air's equilibrium
  moisture content lies in a window around the target moisture (classic
  natural-air drying / holding control, e.g. PHAST's "EMC window" strategy).
* :class:`TemperatureDifferenceController` is the cooling rule of Chinese
  warehouse practice: start when the grain is at least 8 K warmer than the air,
  continue while at least 4 K warmer, and only when the air will not rewet the
  grain; never above 85 % RH (GRDC) or below -7 degC (OPI lockout).
* :class:`PredictiveController` chooses fan hours over a weather forecast to
  minimise predicted dry-matter loss (valued at the grain price) + energy +
  rewetting, using the plant model itself (receding horizon).

All three enforce the same actuator limits (:class:`ActuatorLimits`): fan duty in
{0, 1}, minimum on and off times, ambient lockouts.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

from regdev.errors import ConfigError
from regdev.grain import plant
from regdev.grain import properties as props

FloatArray = npt.NDArray[np.float64]

#: Strategy names accepted by :func:`build_controller` and the CLI.
STRATEGIES: tuple[str, ...] = ("emc", "delta-t", "mpc")


@dataclass(frozen=True)
class Observation:
    """What a controller sees at one decision time.

    Parameters
    ----------
    time_h : float
        Time, hours since any fixed origin (used for run-time accounting).
    ambient_temp_c : float
        Ambient dry-bulb temperature, degC.
    ambient_rh : float
        Ambient relative humidity, fraction.
    grain_temp_c : numpy.ndarray
        Grain temperature per layer (bottom first), degC; NaN for a missing sensor.
    grain_m_wb_pct : numpy.ndarray
        Grain moisture per layer, % w.b. (from moisture cables or the last sample).
    co2_ppm : float or None
        Headspace CO2, ppm.
    forecast_temp_c, forecast_rh : numpy.ndarray or None
        Hourly forecast starting with the current hour (used by the predictive controller).
    valid : bool
        False when the safety layer judged the readings stale or faulty.
    cables : mapping of str to numpy.ndarray, optional
        Temperature of every sensor, per cable (bottom first, NaN where invalid),
        when the store has cables; ``grain_temp_c`` is their mean per layer.
        Hot spots are judged on these, never on the mean.
    """

    time_h: float
    ambient_temp_c: float
    ambient_rh: float
    grain_temp_c: FloatArray
    grain_m_wb_pct: FloatArray
    co2_ppm: float | None = None
    forecast_temp_c: FloatArray | None = None
    forecast_rh: FloatArray | None = None
    valid: bool = True
    cables: Mapping[str, FloatArray] | None = None


@dataclass(frozen=True)
class Action:
    """A controller's command.

    Parameters
    ----------
    fan : float
        Fan duty, 0 (off) or 1 (on).
    heater_c : float
        Inlet air temperature rise requested from a heater, K (0: no heating).
    reason : str
        Why, in words an operator understands.
    """

    fan: float
    heater_c: float = 0.0
    reason: str = ""


@runtime_checkable
class Controller(Protocol):
    """Interface of every controller."""

    def reset(self) -> None:
        """Forget all state (start of a new season or a restart)."""

    def step(self, observation: Observation) -> Action:
        """Return the action for this observation."""


@dataclass(frozen=True)
class ActuatorLimits:
    """Actuator limits shared by all controllers.

    Parameters
    ----------
    min_on_h, min_off_h : float
        Minimum run and rest times, h (protects motors and avoids chatter).
    lockout_temp_c : float
        No automatic fan below this ambient temperature (OPI: -7 degC).
    max_rh : float
        No fan above this ambient RH (GRDC cooling controllers: 85 %).
    """

    min_on_h: float = 2.0
    min_off_h: float = 1.0
    lockout_temp_c: float = -7.0
    max_rh: float = 0.85


class _FanLogic:
    """Shared state machine: minimum run times, lockouts and fail-safe."""

    limits: ActuatorLimits
    fan_: float
    since_h_: float | None

    def _reset_fan(self) -> None:
        self.fan_ = 0.0
        self.since_h_ = None

    def _hard_block(self, obs: Observation) -> str | None:
        if not obs.valid:
            return "fail-safe: sensor readings stale or faulty"
        if not math.isfinite(obs.ambient_temp_c) or not math.isfinite(obs.ambient_rh):
            return "fail-safe: no valid ambient reading"
        if obs.ambient_temp_c < self.limits.lockout_temp_c:
            return f"ambient below lockout {self.limits.lockout_temp_c} degC"
        if _rh_over_water(obs.ambient_temp_c, obs.ambient_rh) > self.limits.max_rh:
            return f"ambient RH above {self.limits.max_rh:.0%}"
        return None

    def _apply(self, obs: Observation, want: bool, reason: str) -> Action:
        block = self._hard_block(obs)
        if block is not None:
            want, reason = False, block
        elif self.since_h_ is not None:
            held = obs.time_h - self.since_h_
            if self.fan_ > 0 and not want and held < self.limits.min_on_h:
                want, reason = True, f"minimum run time ({self.limits.min_on_h} h)"
            elif self.fan_ == 0 and want and held < self.limits.min_off_h:
                want, reason = False, f"minimum rest time ({self.limits.min_off_h} h)"
        fan = 1.0 if want else 0.0
        if self.since_h_ is None or fan != self.fan_:
            self.since_h_ = obs.time_h
        self.fan_ = fan
        return Action(fan=fan, reason=reason)


def _rh_over_water(t_c: float, rh: float) -> float:
    """Ambient RH as a weather station reports it (over water), for the RH lockout.

    Observations carry RH in the package's convention (over ice below 0 degC); the
    85 % rule of the GRDC cooling controllers is stated for station RH.
    """
    if t_c > 0.01:
        return rh
    # Scalar copy of properties.rh_over_water_from_internal (called every decision).
    return rh * math.exp(22.46 * t_c / (272.62 + t_c) - 17.62 * t_c / (243.12 + t_c))


def _grain_means(obs: Observation) -> tuple[float, float]:
    temps = np.asarray(obs.grain_temp_c, dtype=np.float64)
    ms = np.asarray(obs.grain_m_wb_pct, dtype=np.float64)
    t = float(np.add.reduce(temps)) / temps.size
    m = float(np.add.reduce(ms)) / ms.size
    if not math.isfinite(t):  # some sensors missing: average the rest
        t = float(np.nanmean(temps)) if np.any(np.isfinite(temps)) else math.nan
    if not math.isfinite(m):
        m = float(np.nanmean(ms)) if np.any(np.isfinite(ms)) else math.nan
    return t, m


class EmcWindowController(_FanLogic):
    """Run the fan when the ambient EMC is within a window around the target moisture.

    Parameters
    ----------
    grain : str
        Grain (selects the isotherm and the default target).
    target_m_wb_pct : float, optional
        Target moisture, % w.b.  Default: the grain's safe storage moisture for
        ``storage_horizon`` from ``data/safe_moisture.csv``
        (:func:`regdev.grain.properties.safe_moisture_pct`; into spring: maize
        15, soybean 13, paddy 14, wheat and barley 13.5).
    storage_horizon : {"short_term", "into_summer", "long_term"}
        Which safe-moisture column sets the default target.
    below_pct, above_pct : float
        Window: fan allowed while ``target - below <= EMC_ambient <= target + above``.
        The lower edge limits over-drying of the bottom layer; the upper edge rewetting.
    max_warmer_k : float
        Do not blow air more than this warmer than the mean grain temperature.
    limits : ActuatorLimits
        Actuator limits.
    """

    def __init__(
        self,
        grain: str = "maize",
        target_m_wb_pct: float | None = None,
        storage_horizon: str = "short_term",
        below_pct: float = 3.0,
        above_pct: float = 0.5,
        max_warmer_k: float = 2.0,
        limits: ActuatorLimits = ActuatorLimits(),  # noqa: B008 - frozen, immutable default
    ) -> None:
        self.grain = grain
        self.target_m_wb_pct = target_m_wb_pct
        self.storage_horizon = storage_horizon
        self.below_pct = below_pct
        self.above_pct = above_pct
        self.max_warmer_k = max_warmer_k
        self.limits = limits
        self.reset()

    def reset(self) -> None:
        """Forget all state."""
        self._reset_fan()
        self.emc_: float = math.nan
        self.iso_: props.Isotherm | None = None
        self.target_: float = (
            props.safe_moisture_pct(self.grain, self.storage_horizon)
            if self.target_m_wb_pct is None
            else float(self.target_m_wb_pct)
        )

    def step(self, observation: Observation) -> Action:
        """Decide the fan from the ambient EMC."""
        obs = observation
        if self._hard_block(obs) is not None:
            return self._apply(obs, False, "")  # _apply fills in the reason
        t_grain, _ = _grain_means(obs)
        if self.iso_ is None:
            self.iso_ = props.get_isotherm(self.grain)
        emc = float(self.iso_.emc_wb_pct(obs.ambient_temp_c, obs.ambient_rh))
        self.emc_ = emc
        lo = self.target_ - self.below_pct
        hi = self.target_ + self.above_pct
        if not math.isfinite(t_grain):
            return self._apply(obs, False, "fail-safe: no grain temperature")
        if obs.ambient_temp_c > t_grain + self.max_warmer_k:
            return self._apply(obs, False, "air warmer than grain")
        if lo <= emc <= hi:
            return self._apply(obs, True, f"ambient EMC {emc:.1f} % in [{lo:.1f}, {hi:.1f}]")
        return self._apply(obs, False, f"ambient EMC {emc:.1f} % outside [{lo:.1f}, {hi:.1f}]")


class TemperatureDifferenceController(_FanLogic):
    """Cooling by temperature difference (Chinese national ventilation practice).

    Parameters
    ----------
    grain : str
        Grain (for the equilibrium RH of the grain).
    start_k : float
        Start when mean grain temperature minus ambient is at least this, K (8).
    stop_k : float
        Keep running while the difference is at least this, K (4).
    allow_rewet_pct : float
        Allowed excess of the air's RH, re-expressed at grain temperature, over the
        grain's equilibrium RH, in RH points (0 = never rewet).
    limits : ActuatorLimits
        Actuator limits.
    """

    def __init__(
        self,
        grain: str = "maize",
        start_k: float = 8.0,
        stop_k: float = 4.0,
        allow_rewet_pct: float = 0.0,
        limits: ActuatorLimits = ActuatorLimits(),  # noqa: B008 - frozen, immutable default
    ) -> None:
        self.grain = grain
        self.start_k = start_k
        self.stop_k = stop_k
        self.allow_rewet_pct = allow_rewet_pct
        self.limits = limits
        self.reset()

    def reset(self) -> None:
        """Forget all state."""
        self._reset_fan()
        self.iso_: props.Isotherm | None = None

    def step(self, observation: Observation) -> Action:
        """Decide the fan from the grain-ambient temperature difference."""
        obs = observation
        if self._hard_block(obs) is not None:
            return self._apply(obs, False, "")  # _apply fills in the reason
        t_grain, m_grain = _grain_means(obs)
        if not (math.isfinite(t_grain) and math.isfinite(m_grain)):
            return self._apply(obs, False, "fail-safe: no grain reading")
        diff = t_grain - obs.ambient_temp_c
        if self.iso_ is None:
            self.iso_ = props.get_isotherm(self.grain)
        # Vapour pressure is conserved when air warms or cools without condensing.
        pv_air = obs.ambient_rh * float(props.sat_vapour_pressure(obs.ambient_temp_c))
        rh_at_grain = pv_air / float(props.sat_vapour_pressure(t_grain))
        m_db_pct = 100.0 * m_grain / (100.0 - m_grain)
        grain_erh = self.iso_.erh_scalar(t_grain, m_db_pct)
        if rh_at_grain > grain_erh + self.allow_rewet_pct / 100.0:
            return self._apply(obs, False, "air would rewet the grain")
        threshold = self.stop_k if self.fan_ > 0 else self.start_k
        if diff >= threshold:
            return self._apply(obs, True, f"grain {diff:.1f} K warmer than air")
        return self._apply(obs, False, f"difference {diff:.1f} K below {threshold} K")


class PredictiveController(_FanLogic):
    """Model-predictive aeration: choose fan blocks over a forecast horizon.

    Every ``block_h`` hours the controller builds candidate schedules over the
    next ``horizon_h`` hours: the ``k`` forecast blocks with the largest
    cooling-and-drying potential, for every ``k`` from 0 to all blocks.  Each
    candidate is simulated with the plant model (all candidates in one batch),
    and the one with the lowest cost is taken; its first block is applied
    (receding horizon).  Cost, in money::

        value * tonnes * [DML over the horizon + DML rate at the end * tail_h] / 100
        + price_kwh * energy + rewet_cost * (water gained by any layer, kg)

    Without a forecast in the observation, the last 24 h of observed weather are
    repeated (persistence forecast).

    Parameters
    ----------
    spec : plant.StoreSpec
        The store the internal model represents.
    horizon_h : int
        Forecast horizon, h (multiple of ``block_h``).
    block_h : int
        Decision block, h (also the effective minimum run time).
    tail_h : float
        Hours over which the terminal DML rate is charged (value of leaving the
        grain cool and dry at the end of the horizon).
    storage_end_h : float or None
        Planned end of storage on the observation clock (``Observation.time_h``);
        when given, the terminal rate is charged only until then (never more
        than ``tail_h``), so the controller stops paying for cooling that the
        grain will not be stored long enough to profit from.
    grain_value_per_t : float
        Value of grain, money per tonne of dry matter.
    energy_price_per_kwh : float
        Electricity price, money per kWh.
    rewet_cost_per_kg : float
        Penalty per kg of water added to any layer.
    limits : ActuatorLimits
        Actuator limits (lockouts still apply hour by hour).
    """

    def __init__(
        self,
        spec: plant.StoreSpec,
        horizon_h: int = 48,
        block_h: int = 3,
        tail_h: float = 720.0,
        storage_end_h: float | None = None,
        grain_value_per_t: float = 250.0,
        energy_price_per_kwh: float = 0.12,
        rewet_cost_per_kg: float = 0.05,
        limits: ActuatorLimits = ActuatorLimits(min_on_h=0.0, min_off_h=0.0),  # noqa: B008
    ) -> None:
        self.spec = spec
        self.horizon_h = horizon_h
        self.block_h = block_h
        self.tail_h = tail_h
        self.storage_end_h = storage_end_h
        self.grain_value_per_t = grain_value_per_t
        self.energy_price_per_kwh = energy_price_per_kwh
        self.rewet_cost_per_kg = rewet_cost_per_kg
        self.limits = limits
        self.reset()

    def reset(self) -> None:
        """Forget all state (plan, weather history, model)."""
        self._reset_fan()
        self.plan_: list[float] = []
        self.plan_start_h_: float | None = None
        self.history_t_: list[float] = []
        self.history_rh_: list[float] = []
        self.params_: plant.PlantParams | None = None
        self.last_costs_: FloatArray = np.zeros(0)
        self.last_duty_: FloatArray = np.zeros((0, 0))

    def _check(self) -> None:
        if self.block_h < 1 or self.horizon_h < self.block_h or self.horizon_h % self.block_h:
            msg = (
                "horizon_h must be a positive multiple of block_h >= 1; "
                f"got horizon_h={self.horizon_h}, block_h={self.block_h}"
            )
            raise ConfigError(msg)

    def _forecast(self, obs: Observation) -> tuple[FloatArray, FloatArray]:
        n = self.horizon_h
        if obs.forecast_temp_c is not None and obs.forecast_rh is not None:
            ft = np.asarray(obs.forecast_temp_c, dtype=np.float64)[:n]
            fr = np.asarray(obs.forecast_rh, dtype=np.float64)[:n]
            if ft.size == n and fr.size == n:
                return ft, fr
            # Short forecast (end of the series): pad with its last value.
            if ft.size and fr.size:
                return (
                    np.pad(ft, (0, n - ft.size), mode="edge"),
                    np.pad(fr, (0, n - fr.size), mode="edge"),
                )
        hist_t = np.asarray(self.history_t_[-24:] or [obs.ambient_temp_c])
        hist_r = np.asarray(self.history_rh_[-24:] or [obs.ambient_rh])
        reps = math.ceil(n / hist_t.size)
        return np.tile(hist_t, reps)[:n], np.tile(hist_r, reps)[:n]

    def plan(self, obs: Observation) -> FloatArray:
        """Compute the best fan schedule (one duty per hour over the horizon)."""
        self._check()
        if self.params_ is None:
            self.params_ = plant.build_params(self.spec)
        t_grain = np.asarray(obs.grain_temp_c, dtype=np.float64)
        m_grain = np.asarray(obs.grain_m_wb_pct, dtype=np.float64)
        t_fill = float(np.nanmean(t_grain))
        t_grain = np.where(np.isfinite(t_grain), t_grain, t_fill)
        m_fill = float(np.nanmean(m_grain))
        m_grain = np.where(np.isfinite(m_grain), m_grain, m_fill)
        n_layers = self.params_.n_layers
        if t_grain.size != n_layers:
            t_grain = np.interp(
                np.linspace(0, 1, n_layers), np.linspace(0, 1, t_grain.size), t_grain
            )
        if m_grain.size != n_layers:
            m_grain = np.full(n_layers, float(np.mean(m_grain)))
        params, state0 = plant.initial_state(self.params_, t_grain, m_grain)
        ft, fr = self._forecast(obs)
        n_blocks = self.horizon_h // self.block_h
        bt = ft.reshape(n_blocks, self.block_h)
        br = fr.reshape(n_blocks, self.block_h)
        # Potential of each block: cooling (grain minus air) + drying, in K-equivalents.
        ok = (bt >= self.limits.lockout_temp_c) & (br <= self.limits.max_rh)
        w_air = props.humidity_ratio(bt, br)
        w_grain = props.humidity_ratio(
            t_fill, props.erh(self.spec.grain, t_fill, float(np.mean(m_grain)))
        )
        potential = np.mean(np.where(ok, (t_fill - bt) + 2500.0 * (w_grain - w_air), -1e9), axis=1)
        order = np.argsort(-potential, kind="stable")
        n_cand = n_blocks + 1
        sched = np.zeros((n_cand, n_blocks))
        for k in range(1, n_cand):
            sched[k, order[:k]] = 1.0
        # Simulate block by block (dt = block_h) on block-mean weather; a block's
        # duty is the fraction of its hours the lockouts allow.
        hourly_ok = (ft >= self.limits.lockout_temp_c) & (fr <= self.limits.max_rh)
        duty = sched * hourly_ok.reshape(n_blocks, self.block_h).mean(axis=1)[None, :]
        self.last_duty_ = duty
        mt = bt.mean(axis=1)
        mr = br.mean(axis=1)
        state = plant.PlantState(
            np.broadcast_to(state0.temp_c, (n_cand, n_layers)).copy(),
            np.broadcast_to(state0.m_db, (n_cand, n_layers)).copy(),
            np.zeros((n_cand, n_layers)),
            np.zeros((n_cand, n_layers)),
        )
        m_start = state.m_db.copy()
        m_max = state.m_db.copy()
        energy = np.zeros(n_cand)
        for b in range(n_blocks):
            state, info = plant.step(
                state, params, float(mt[b]), float(mr[b]), duty[:, b], dt_h=float(self.block_h)
            )
            energy += info.energy_kwh
            m_max = np.maximum(m_max, state.m_db)
        dml_h = np.mean(plant.dml_pct(state), axis=-1)
        rate = np.mean(plant.dml_rate_pct_per_h(params, state), axis=-1)
        dm_t = params.m_dm_layer * n_layers / 1000.0
        rewet_kg = np.sum((m_max - m_start).clip(min=0) * params.m_dm_layer, axis=-1)
        cost = (
            self.grain_value_per_t * dm_t * (dml_h + rate * self._tail(obs)) / 100.0
            + self.energy_price_per_kwh * energy
            + self.rewet_cost_per_kg * rewet_kg
        )
        self.last_costs_ = cost
        best = int(np.argmin(cost))
        hourly = np.repeat(sched[best], self.block_h) * hourly_ok
        return np.asarray(hourly, dtype=np.float64)

    def _tail(self, obs: Observation) -> float:
        if self.storage_end_h is None:
            return self.tail_h
        return min(max(self.storage_end_h - obs.time_h - self.horizon_h, 0.0), self.tail_h)

    def step(self, observation: Observation) -> Action:
        """Replan at block boundaries and follow the current plan."""
        obs = observation
        self.history_t_.append(obs.ambient_temp_c)
        self.history_rh_.append(obs.ambient_rh)
        if len(self.history_t_) > 48:
            del self.history_t_[:-48]
            del self.history_rh_[:-48]
        block = self._hard_block(obs)
        if block is not None or not np.any(np.isfinite(obs.grain_temp_c)):
            self.plan_ = []
            return self._apply(obs, False, block or "fail-safe: no grain temperature")
        elapsed = None if self.plan_start_h_ is None else obs.time_h - self.plan_start_h_
        if not self.plan_ or elapsed is None or elapsed >= self.block_h:
            self.plan_ = list(self.plan(obs))
            self.plan_start_h_ = obs.time_h
            elapsed = 0.0
        idx = min(int(elapsed), len(self.plan_) - 1)
        want = self.plan_[idx] > 0
        reason = "predicted benefit exceeds cost" if want else "waiting for better air"
        return self._apply(obs, want, reason)


def build_controller(name: str, spec: plant.StoreSpec, **kwargs: float) -> Controller:
    """Build a controller by its CLI name (``emc``, ``delta-t``, ``mpc``).

    Raises
    ------
    ConfigError
        For an unknown name.
    """
    if name == "emc":
        return EmcWindowController(grain=spec.grain, **kwargs)  # type: ignore[arg-type]
    if name == "delta-t":
        return TemperatureDifferenceController(grain=spec.grain, **kwargs)  # type: ignore[arg-type]
    if name == "mpc":
        return PredictiveController(spec=spec, **kwargs)  # type: ignore[arg-type]
    msg = f"strategy must be one of emc, delta-t, mpc; got {name!r}"
    raise ConfigError(msg)
