"""Closed-loop simulation: plant + controller + weather, hour by hour.

:func:`simulate` is the harness used by the CLI, the benchmark and the tests.
It feeds the controller the same :class:`~regdev.grain.controller.Observation`
the live loop builds from sensors (optionally with sensor noise drawn from one
seeded generator), applies the action to the plant model and records
everything in a :class:`SimulationResult`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from regdev._version import __version__
from regdev.errors import ConfigError
from regdev.grain import insects, plant
from regdev.grain import properties as props
from regdev.grain.controller import Controller, Observation
from regdev.grain.weather import WeatherSeries

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class SimulationResult:
    """Hourly record of a closed-loop run (arrays of shape ``(n_hours, ...)``).

    Attributes
    ----------
    time : numpy.ndarray of datetime64[h]
        Hour stamps.
    temp_c, m_wb_pct, dml_pct : numpy.ndarray
        Per layer (bottom first) at the end of each hour.
    fan : numpy.ndarray
        Fan duty during each hour.
    energy_kwh : numpy.ndarray
        Electric energy of each hour.
    ambient_temp_c, ambient_rh : numpy.ndarray
        Weather driving the run.
    tonnes_dm : float
        Dry matter in the store, t.
    metadata : dict
        Strategy, seed, package version, input hash.
    """

    time: npt.NDArray[np.datetime64]
    temp_c: FloatArray
    m_wb_pct: FloatArray
    dml_pct: FloatArray
    fan: FloatArray
    energy_kwh: FloatArray
    ambient_temp_c: FloatArray
    ambient_rh: FloatArray
    tonnes_dm: float
    metadata: dict[str, Any] = field(default_factory=dict)

    def summary(self) -> dict[str, float]:
        """Season totals: DML, energy, fan hours, moisture, temperatures, insect generations.

        ``layers_beyond_model`` counts layers whose DML reached the end of the
        deterioration model's fitted range (:data:`regdev.grain.properties.DML_MODEL_MAX_PCT`):
        spoiled; their DML is a lower bound.
        """
        m0 = float(np.mean(self.m_wb_pct[0])) if len(self.fan) else float("nan")
        m1 = float(np.mean(self.m_wb_pct[-1]))
        spoiled = int(np.count_nonzero(self.dml_pct[-1] >= props.DML_MODEL_MAX_PCT - 1e-12))
        gens = max(
            float(np.max(insects.generations(self.temp_c, self.m_wb_pct, p))) for p in insects.PESTS
        )
        return {
            "dml_pct": float(np.mean(self.dml_pct[-1])),
            "dml_max_layer_pct": float(np.max(self.dml_pct[-1])),
            "dml_t": float(np.mean(self.dml_pct[-1])) / 100.0 * self.tonnes_dm,
            "energy_kwh": float(np.sum(self.energy_kwh)),
            "fan_hours": float(np.sum(self.fan)),
            "final_m_wb_pct": m1,
            "shrink_pct": float(props.shrink_pct(m0, m1)) if m1 < m0 else 0.0,
            "final_mean_temp_c": float(np.mean(self.temp_c[-1])),
            "max_temp_c": float(np.max(self.temp_c)),
            "insect_generations_max": gens,
            "layers_beyond_model": spoiled,
        }


def _input_hash(weather: WeatherSeries, spec: plant.StoreSpec) -> str:
    h = hashlib.sha256()
    h.update(np.ascontiguousarray(weather.temp_c).tobytes())
    h.update(np.ascontiguousarray(weather.rh).tobytes())
    h.update(repr(spec).encode())
    return h.hexdigest()[:16]


def simulate(
    spec: plant.StoreSpec,
    weather: WeatherSeries,
    controller: Controller,
    *,
    initial_temp_c: float | FloatArray = 25.0,
    initial_m_wb_pct: float | FloatArray = 17.0,
    forecast_h: int | None = None,
    sensor_noise_c: float = 0.0,
    rng: np.random.Generator | int | None = None,
    strategy: str = "",
    progress: Callable[[int, int], None] | None = None,
) -> SimulationResult:
    """Run a controller against the plant model over a weather series.

    Parameters
    ----------
    spec : plant.StoreSpec
        The store.
    weather : WeatherSeries
        Hourly weather.
    controller : Controller
        Any controller; ``reset()`` is called first.
    initial_temp_c, initial_m_wb_pct : float or array
        Grain state at filling (degC, % w.b.).
    forecast_h : int, optional
        Hours of (perfect) forecast passed in each observation; 0 for none.
        Default: the controller's ``horizon_h`` if it has one, else 48.
    sensor_noise_c : float
        Standard deviation of Gaussian noise on grain-temperature readings, K.
    rng : numpy.random.Generator, int or None
        Seed for the sensor noise (used once).
    strategy : str
        Name recorded in the metadata.
    progress : callable, optional
        ``progress(hours_done, hours_total)``, called once a simulated day and at
        the end (the CLI draws a progress bar with it).

    Returns
    -------
    SimulationResult

    Raises
    ------
    ConfigError
        For an empty weather series.
    """
    n = len(weather)
    if n == 0:
        msg = "weather series is empty; give at least one hour"
        raise ConfigError(msg)
    gen = np.random.default_rng(rng)
    if forecast_h is None:
        forecast_h = int(getattr(controller, "horizon_h", 48))
    params, state = plant.initial_state(plant.build_params(spec), initial_temp_c, initial_m_wb_pct)
    nl = params.n_layers
    temp = np.empty((n, nl))
    mwb = np.empty((n, nl))
    dml = np.empty((n, nl))
    fan = np.empty(n)
    energy = np.empty(n)
    controller.reset()
    wt = weather.temp_c
    wr = weather.rh
    for i in range(n):
        t_obs = state.temp_c
        if sensor_noise_c > 0:
            t_obs = t_obs + gen.normal(0.0, sensor_noise_c, nl)
        obs = Observation(
            time_h=float(i),
            ambient_temp_c=float(wt[i]),
            ambient_rh=float(wr[i]),
            grain_temp_c=t_obs,
            grain_m_wb_pct=100.0 * state.m_db / (1.0 + state.m_db),
            forecast_temp_c=wt[i : i + forecast_h] if forecast_h else None,
            forecast_rh=wr[i : i + forecast_h] if forecast_h else None,
        )
        action = controller.step(obs)
        state, info = plant.step(
            state, params, float(wt[i]), float(wr[i]), action.fan, heater_c=action.heater_c
        )
        temp[i] = state.temp_c
        mwb[i] = state.m_db
        dml[i] = state.dml_pct
        fan[i] = action.fan
        energy[i] = info.energy_kwh
        if progress is not None and (i % 24 == 23 or i == n - 1):
            progress(i + 1, n)
    mwb = 100.0 * mwb / (1.0 + mwb)  # recorded as dry basis, reported wet basis
    return SimulationResult(
        time=weather.time,
        temp_c=temp,
        m_wb_pct=mwb,
        dml_pct=dml,
        fan=fan,
        energy_kwh=energy,
        ambient_temp_c=np.asarray(wt, dtype=np.float64),
        ambient_rh=np.asarray(wr, dtype=np.float64),
        tonnes_dm=params.m_dm_layer * nl / 1000.0,
        metadata={
            "strategy": strategy or type(controller).__name__,
            "version": __version__,
            "input_hash": _input_hash(weather, spec),
            "fan_kw": params.fan_kw,
            "static_pa": params.static_pa,
        },
    )
