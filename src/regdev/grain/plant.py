"""Layered (deep-bed) model of a grain store under aeration: pure functions on numpy arrays.

The grain mass is cut into ``n_layers`` horizontal layers; layer 0 is at the
bottom, where the fan blows air in (upward aeration).  Each layer holds dry
matter ``m_dm`` (kg), moisture ``m_db`` (kg water / kg dry matter), temperature
``temp_c`` (degC) and an equivalent storage age ``t_eq_h`` (h at the ASAE D535
reference conditions) from which dry-matter loss follows.

Model (Thompson et al. 1968 equilibrium model, explicit form)
-------------------------------------------------------------
During each (sub)step a mass ``m_a`` of dry air passes through every layer.
Air leaves a layer in equilibrium with it: at the layer temperature and at the
humidity ratio of the layer's equilibrium relative humidity (ASABE D245
isotherm).  The next layer receives that air.  For each layer, water and
enthalpy balances give::

    m_dm dM = m_a (W_in - W_out)
    d[m_dm (c_dm + M c_w) T] = m_a (h_in - h_out)

with ``h = 1.006 T + W (2501 + 1.86 T)`` kJ/kg dry air.  Outlet states use the
layer state at the start of the substep (explicit upwind); the step is split
into substeps so that ``m_a * dh_sat/dT <= 0.1 C_layer``.  A ratio <= 1 already
keeps every layer temperature between the enthalpy bounds of the inputs (tested
with Hypothesis); 0.1 keeps the first-order time-discretisation error below
about 0.15 K against a 64-substep reference (tested).  The sum over layers
telescopes, so the water balance ``sum m_dm dM = m_a (W_inlet - W_top)`` holds
to rounding.

Also modelled: fan power from Shedd's airflow resistance (ASAE D272) and fan
heat (all fan power ends up in the air), optional heater rise, conduction
through wall and roof to the ambient (lumped ``U A``), and respiration.

Respiration
-----------
Dry-matter loss (DML) per layer and step is the smaller of two rates, blended
by the layer's equilibrium RH (:func:`regdev.grain.properties.dry_weight`):

* the wet-grain deterioration model: the Saul & Steele (1966) CO2 curve of the
  equivalent age, whose time scale is the grain's storage life
  (:func:`regdev.grain.properties.storage_life_h`: ASAE D535 multipliers for
  maize, published storable terms for paddy and barley);
* the measured CO2 evolution of sound dry grain
  (:func:`regdev.grain.properties.dry_grain_co2_mg_per_kg_day`), which bounds the
  rate below 70 % ERH, where storage fungi do not grow; above 80 % ERH the wet
  model applies unchanged.

Biology stops with heat: the DML rate fades out linearly between 45 and
60 degC (moulds and insects are killed at 50-55 degC, Canadian Grain
Commission), and with it the heat (15.64 kJ per g glucose, i.e. 156 kJ per kg
of dry matter lost) and the water (0.6 g per g).  DML is held at the upper end
of the curve's fitted range, :data:`regdev.grain.properties.DML_MODEL_MAX_PCT`
(1 %); a layer there is "spoiled, beyond the model" (:func:`beyond_model`) and
releases no more heat or water in the model.

Not modelled: heat of sorption above that of free water, moisture migration by
natural convection, non-uniform airflow.  These are documented limitations.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from regdev.errors import ConfigError
from regdev.grain import properties as props

FloatArray = npt.NDArray[np.float64]

#: Grain physical data: bulk density (kg/m3, at storage moisture), Shedd's
#: coefficients a (Pa s2/m3), b (m2 s/m3) for pressure drop per metre,
#: ``dP/L = a Q^2 / ln(1 + b Q)``, and dry-matter specific heat c_dm (kJ/kg K).
#: Shedd coefficients are the constants of ASAE D272.3 (MAR96), *Resistance to
#: Airflow of Grains, Seeds, Other Agricultural Products, and Perforated Metal
#: Sheets*, for Shedd's curves (see grain/data/SOURCES.md); c_dm = 1.5 kJ/kg K
#: for all cereals is a round value that gives 2.0 kJ/kg K wet-basis heat
#: capacity at 15 % (maize, ASAE D243).
GRAIN_PHYSICAL: dict[str, dict[str, float]] = {
    "maize": {"density": 721.0, "shedd_a": 2.07e4, "shedd_b": 30.4, "c_dm": 1.5},
    "wheat": {"density": 772.0, "shedd_a": 2.70e4, "shedd_b": 8.77, "c_dm": 1.5},
    "rough_rice": {"density": 579.0, "shedd_a": 2.57e4, "shedd_b": 13.2, "c_dm": 1.5},
    "soybean": {"density": 772.0, "shedd_a": 1.02e4, "shedd_b": 16.0, "c_dm": 1.5},
    "barley": {"density": 618.0, "shedd_a": 2.14e4, "shedd_b": 13.2, "c_dm": 1.5},
}

_AIR_DENSITY = 1.2  # kg/m3 moist air near 20 degC at sea level
_RESP_HEAT_KJ_PER_G = 15.64  # per gram glucose respired (2816 kJ/mol / 180 g)
_RESP_WATER_G_PER_G = 0.6  # g water per g glucose
_K_DML = 1.0 / props.CO2_PER_PCT_DML
# Above this grain temperature moulds and insects are dead (heat kill 50-55 degC,
# Canadian Grain Commission); deterioration fades out linearly from 45 degC.
_BIOLOGY_STOPS_C = 60.0
_LN2_OVER_10 = math.log(2.0) / 10.0  # Q10 = 2 of the dry-grain respiration bound
_INV_DRY_SPAN = 1.0 / (props.DRY_ERH_HIGH - props.DRY_ERH_LOW)
# Largest air-to-grain heat-capacity ratio per substep.  <= 1 keeps temperatures
# bounded; 0.1 keeps the first-order time error below ~0.15 K (tested).
_MAX_COURANT = 0.1
# High-pressure centrifugal grain fans reach about 2.5-3.5 kPa; beyond 5 kPa no
# practical fan exists (and the fan heat would exceed 5 K).
_MAX_STATIC_PA = 5000.0
_MT_COLD_A = math.log(128.389) - 0.081 * 32.0
_MT_WARM_A = math.log(32.3) - 0.058 * 32.0


@dataclass(frozen=True)
class StoreSpec:
    """Physical description of one store (a silo or a bin).

    Parameters
    ----------
    grain : str
        ``maize``, ``rough_rice``, ``wheat``, ``soybean`` or ``barley`` (aliases allowed).
    tonnes : float
        Grain mass at filling, t (wet).
    depth_m : float
        Grain depth, m; the floor area follows from the bulk density.
    n_layers : int
        Number of model layers (also the number of cable sensors per cable).
    airflow_m3_min_t : float
        Design airflow, m3/min per tonne (cooling: 0.1-0.25; drying: 0.9-1.5).
    fan_efficiency : float
        Total fan efficiency (air power / electric power), 0-1.
    packing_factor : float
        Multiplier on Shedd's clean loose-fill pressure drop (1.5 is customary for packed bins).
    duct_loss_pa : float
        Static pressure of ducts and floor, Pa.
    wall_u_w_m2k : float
        Effective wall/roof heat-transfer coefficient, W/(m2 K).
    damage_pct : float
        Mechanically damaged kernels, percent (ASAE D535 damage multiplier).
    fan_heat : bool
        Whether fan power heats the inlet air.
    respiration : bool
        Whether respiration heat and water are added to the grain.
    """

    grain: str = "maize"
    tonnes: float = 2000.0
    depth_m: float = 15.0
    n_layers: int = 10
    airflow_m3_min_t: float = 0.15
    fan_efficiency: float = 0.6
    packing_factor: float = 1.5
    duct_loss_pa: float = 150.0
    wall_u_w_m2k: float = 0.5
    damage_pct: float = 30.0
    fan_heat: bool = True
    respiration: bool = True


class PlantParams(NamedTuple):
    """Derived constants of a store used in the hot loop (build with :func:`build_params`)."""

    grain: str
    n_layers: int
    m_dm_layer: float  # kg dry matter per layer
    c_dm: float  # kJ/(kg K)
    air_kg_per_h: float  # kg dry air per hour with the fan on
    fan_kw: float  # electric power, kW
    static_pa: float  # fan static pressure, Pa
    fan_dt_c: float  # temperature rise of the air through the fan, K
    ua_kj_h_k: FloatArray  # per-layer heat conductance to ambient, kJ/(h K)
    iso_model: str
    iso_a: float
    iso_b: float
    iso_c: float
    damage_pct: float
    respiration: bool
    area_m2: float
    depth_m: float
    resp_a: float  # dry-grain CO2 bound: resp_a exp(resp_k ERH) 2^((T - 38) / 10), mg/(kg d)
    resp_k: float


class PlantState(NamedTuple):
    """State of every layer; arrays of shape ``(..., n_layers)``.

    ``t_eq_h`` is the equivalent age on the wet-grain curve; ``dml_pct`` the
    accumulated dry-matter loss (equal to ``dml_from_equivalent_hours(t_eq_h)``
    while the wet model governs, smaller when the dry-grain bound applied).
    """

    temp_c: FloatArray
    m_db: FloatArray
    t_eq_h: FloatArray
    dml_pct: FloatArray


class StepInfo(NamedTuple):
    """Fluxes of one step (scalars, or arrays of the batch shape)."""

    energy_kwh: FloatArray | float
    water_in_kg: FloatArray | float  # water carried in by the inlet air, kg
    water_out_kg: FloatArray | float  # water carried out at the top, kg
    respiration_water_kg: FloatArray | float  # water made by respiration, kg
    dml_increase_pct: FloatArray  # per layer


def shedd_pressure_drop(grain: str, velocity_m_s: float, depth_m: float) -> float:
    """Static pressure drop (Pa) through a grain bed by Shedd's equation (ASAE D272).

    ``dP/L = a Q^2 / ln(1 + b Q)``, Q the superficial velocity in m3/(s m2).
    """
    g = GRAIN_PHYSICAL[props.canonical_grain(grain)]
    q = velocity_m_s
    if q <= 0:
        return 0.0
    return g["shedd_a"] * q * q / math.log1p(g["shedd_b"] * q) * depth_m


def build_params(spec: StoreSpec) -> PlantParams:
    """Validate a :class:`StoreSpec` and derive the constants of the hot loop.

    Raises
    ------
    ConfigError
        For non-positive sizes or efficiencies outside (0, 1].
    """
    grain = props.canonical_grain(spec.grain)
    for name in ("tonnes", "depth_m", "airflow_m3_min_t", "fan_efficiency", "packing_factor"):
        value = float(getattr(spec, name))
        if not math.isfinite(value) or value <= 0:
            msg = f"StoreSpec.{name} must be positive; got {value!r}"
            raise ConfigError(msg)
    if spec.fan_efficiency > 1:
        msg = f"StoreSpec.fan_efficiency must be in (0, 1]; got {spec.fan_efficiency}"
        raise ConfigError(msg)
    if spec.n_layers < 1:
        msg = f"StoreSpec.n_layers must be >= 1; got {spec.n_layers}"
        raise ConfigError(msg)
    phys = GRAIN_PHYSICAL[grain]
    volume = spec.tonnes * 1000.0 / phys["density"]
    area = volume / spec.depth_m
    diameter = math.sqrt(4.0 * area / math.pi)
    q_m3_s = spec.airflow_m3_min_t * spec.tonnes / 60.0
    velocity = q_m3_s / area
    static = spec.packing_factor * shedd_pressure_drop(grain, velocity, spec.depth_m)
    static += spec.duct_loss_pa
    if static > _MAX_STATIC_PA:
        msg = (
            f"fan static pressure would be {static / 1000:.1f} kPa (limit "
            f"{_MAX_STATIC_PA / 1000:.0f} kPa for grain fans); reduce depth_m "
            f"({spec.depth_m}) or airflow_m3_min_t ({spec.airflow_m3_min_t})"
        )
        raise ConfigError(msg)
    fan_kw = q_m3_s * static / spec.fan_efficiency / 1000.0
    air_kg_s = q_m3_s * _AIR_DENSITY
    fan_dt = fan_kw / (air_kg_s * props.CP_AIR) if spec.fan_heat else 0.0
    # Wall and roof conduction, W/K -> kJ/(h K).
    wall_per_layer = math.pi * diameter * spec.depth_m / spec.n_layers
    ua = np.full(spec.n_layers, spec.wall_u_w_m2k * wall_per_layer)
    ua[-1] += spec.wall_u_w_m2k * area
    iso = props.get_isotherm(grain)
    (e0, r0), (e1, r1) = props._DRY_CO2_ANCHORS
    resp_k = math.log(r1 / r0) / (e1 - e0)
    resp_a = props.DRY_RESPIRATION_FACTOR[grain] * r0 * math.exp(-resp_k * e0)
    return PlantParams(
        grain=grain,
        n_layers=spec.n_layers,
        m_dm_layer=spec.tonnes * 1000.0 / spec.n_layers,  # wet mass; fixed in initial_state
        c_dm=phys["c_dm"],
        air_kg_per_h=air_kg_s * 3600.0,
        fan_kw=fan_kw,
        static_pa=static,
        fan_dt_c=fan_dt,
        ua_kj_h_k=ua * 3.6,
        iso_model=iso.model,
        iso_a=iso.a,
        iso_b=iso.b,
        iso_c=iso.c,
        damage_pct=spec.damage_pct,
        respiration=spec.respiration,
        area_m2=area,
        depth_m=spec.depth_m,
        resp_a=resp_a,
        resp_k=resp_k,
    )


def initial_state(
    params: PlantParams, temp_c: float | FloatArray, m_wb_pct: float | FloatArray
) -> tuple[PlantParams, PlantState]:
    """Build the state of a freshly filled store and fix the dry matter per layer.

    Parameters
    ----------
    params : PlantParams
        From :func:`build_params` (its ``m_dm_layer`` holds the wet mass per layer).
    temp_c : float or array
        Grain temperature, degC (scalar or one value per layer).
    m_wb_pct : float or array
        Moisture, percent wet basis.

    Returns
    -------
    (PlantParams, PlantState)
        Parameters with the dry matter per layer set, and the state.

    Raises
    ------
    ConfigError
        If the moisture is outside (0, 60) % w.b.
    """
    m_wb = np.broadcast_to(np.asarray(m_wb_pct, dtype=np.float64), (params.n_layers,)).copy()
    if np.any(m_wb <= 0) or np.any(m_wb >= 60):
        msg = f"grain moisture must be within (0, 60) % wet basis; got {m_wb_pct!r}"
        raise ConfigError(msg)
    wet_layer = params.m_dm_layer
    m_dm = wet_layer * (1.0 - float(np.mean(m_wb)) / 100.0)
    temp = np.broadcast_to(np.asarray(temp_c, dtype=np.float64), (params.n_layers,)).copy()
    zeros = np.zeros(params.n_layers)
    state = PlantState(
        temp_c=temp, m_db=props.wb_to_db(m_wb / 100.0), t_eq_h=zeros, dml_pct=zeros.copy()
    )
    return params._replace(m_dm_layer=m_dm), state


def _erh(params: PlantParams, temp_c: FloatArray, m_db: FloatArray) -> FloatArray:
    """Equilibrium RH (fraction) of the layers; inline copy of :class:`Isotherm.erh`."""
    m = np.maximum(m_db * 100.0, 1e-6)
    a, b, c = params.iso_a, params.iso_b, params.iso_c
    model = params.iso_model
    if model == "modified_henderson":
        out = -np.expm1(-a * (temp_c + c) * m**b)
    elif model == "modified_chung_pfost":
        out = np.exp(-a / (temp_c + c) * np.exp(-b * m))
    elif model == "modified_halsey":
        out = np.exp(-np.exp(a + b * temp_c) / m**c)
    else:
        out = 1.0 / (1.0 + ((a + b * temp_c) / m) ** c)
    return np.minimum(np.maximum(out, 0.0), 1.0)


def _sat_slope_kj_kg_k(t_c: float) -> float:
    """Upper bound of the slope of saturated-air enthalpy with temperature, kJ/(kg K).

    Finite difference over [t, t + 2] K (the slope grows with temperature, so this
    bounds the slope everywhere below ``t``), with Magnus' saturation pressure
    (scalar, cheap; within 0.5 % of ASHRAE over -40..90 degC) and a 10 % margin.
    """

    def h_sat(t: float) -> float:
        ps = 610.94 * math.exp(17.625 * t / (t + 243.04))
        w = props.EPSILON * ps / (props.P_ATM - min(ps, 0.9 * props.P_ATM))
        return props.CP_AIR * t + w * (props.H_FG0 + props.CP_VAPOUR * t)

    return 1.1 * (h_sat(t_c + 2.0) - h_sat(t_c)) / 2.0


def n_substeps(params: PlantParams, state: PlantState, t_in_max: float, fan: float) -> int:
    """Number of explicit substeps that keeps the step stable and bounded."""
    if fan <= 0:
        return 1
    t_max = min(max(float(np.max(state.temp_c)), t_in_max), 90.0)
    slope = _sat_slope_kj_kg_k(t_max)
    c_min = params.m_dm_layer * (params.c_dm + float(np.min(state.m_db)) * props.CP_WATER)
    m_air = params.air_kg_per_h * fan
    return max(1, math.ceil(m_air * slope / (_MAX_COURANT * c_min)))


def step(
    state: PlantState,
    params: PlantParams,
    t_amb_c: float,
    rh_amb: float,
    fan: float | FloatArray,
    *,
    heater_c: float = 0.0,
    dt_h: float = 1.0,
    p_pa: float = props.P_ATM,
    n_sub: int | None = None,
) -> tuple[PlantState, StepInfo]:
    """Advance the store by one step of ``dt_h`` hours.

    Parameters
    ----------
    state : PlantState
        Layer states, arrays of shape ``(..., n_layers)``; the leading
        dimensions are a batch (the predictive controller simulates many fan
        schedules at once).
    params : PlantParams
        From :func:`initial_state`.
    t_amb_c, rh_amb : float
        Ambient temperature (degC) and relative humidity (fraction).
    fan : float or array
        Fan duty in [0, 1] during the step (shape of the batch).
    heater_c : float
        Temperature rise of the inlet air by a heater, K (energy is counted).
    dt_h : float
        Step length, h.
    p_pa : float
        Barometric pressure, Pa.
    n_sub : int, optional
        Number of substeps; computed for stability when omitted.

    Returns
    -------
    (PlantState, StepInfo)
        New state and the fluxes of the step.
    """
    temp = state.temp_c
    m_db = state.m_db
    t_eq = state.t_eq_h
    m_dm = params.m_dm_layer
    scalar_fan = isinstance(fan, (float, int))
    fan_arr: Any
    if scalar_fan:
        fan_f = min(max(float(fan), 0.0), 1.0)
        fan_arr = np.float64(fan_f)
        running = fan_f > 0.0
    else:
        fan_arr = np.clip(np.asarray(fan, dtype=np.float64), 0.0, 1.0)
        fan_f = float(np.max(fan_arr)) if fan_arr.size else 0.0
        running = fan_f > 0.0
    energy = fan_arr * (dt_h * params.fan_kw)
    if heater_c > 0:
        energy = energy + fan_arr * dt_h * params.air_kg_per_h * props.CP_AIR * heater_c / 3600.0
    water_in: FloatArray | float = 0.0
    water_out: FloatArray | float = 0.0
    if running:
        t_in = t_amb_c + params.fan_dt_c + heater_c
        w_in = float(props.humidity_ratio(t_amb_c, rh_amb, p_pa))
        if n_sub is None:
            n_sub = n_substeps(params, state, t_in, fan_f)
        m_air: Any = (params.air_kg_per_h * dt_h / n_sub) * (
            fan_arr if scalar_fan else fan_arr[..., None]
        )
        m_air_top: Any = m_air if scalar_fan else m_air[..., 0]
        h_in0 = float(props.moist_air_enthalpy(t_in, w_in))
        for _ in range(n_sub):
            w_eq = props.humidity_ratio(temp, _erh(params, temp, m_db), p_pa)
            h_out = props.moist_air_enthalpy(temp, w_eq)
            w_prev = np.empty_like(w_eq)
            w_prev[..., 0] = w_in
            w_prev[..., 1:] = w_eq[..., :-1]
            h_prev = np.empty_like(h_out)
            h_prev[..., 0] = h_in0
            h_prev[..., 1:] = h_out[..., :-1]
            m_new = m_db + m_air * (w_prev - w_eq) / m_dm
            if np.any(m_new < 0.05 * m_db):
                # Rare (very dry grain, hot dry air): cap each layer's loss at 95 % of
                # its water, layer by layer, keeping the water balance exact.
                w_eq, h_out, w_prev, h_prev = _capped_outlet(
                    temp, m_db, w_eq, w_in, h_in0, m_air, m_dm
                )
                m_new = m_db + m_air * (w_prev - w_eq) / m_dm
            u = m_dm * (params.c_dm + m_db * props.CP_WATER) * temp
            u = u + m_air * (h_prev - h_out)
            m_db = m_new
            temp = u / (m_dm * (params.c_dm + m_db * props.CP_WATER))
            water_in = water_in + m_air_top * w_in
            water_out = water_out + m_air_top * w_eq[..., -1]
    # Conduction through wall and roof (explicit; the time constant is weeks).
    cp_dm = params.c_dm + m_db * props.CP_WATER
    temp = temp + params.ua_kj_h_k * (dt_h / m_dm) * (t_amb_c - temp) / cp_dm
    # Respiration: dry-matter loss (wet model bounded for dry grain), heat and water.
    t_eq_new, dml_new, d_dml = _respiration_dml(params, temp, m_db, t_eq, state.dml_pct, dt_h)
    resp_water: FloatArray | float = 0.0
    if params.respiration:
        glucose_g_per_kg = 10.0 * d_dml  # 1 % DML = 10 g dry matter per kg
        heated = temp + _RESP_HEAT_KJ_PER_G * glucose_g_per_kg / cp_dm
        temp = np.minimum(heated, np.maximum(temp, _BIOLOGY_STOPS_C))
        dm_water = glucose_g_per_kg * (_RESP_WATER_G_PER_G / 1000.0)  # kg water per kg dm
        m_db = m_db + dm_water
        resp_water = np.sum(dm_water, axis=-1) * m_dm
    info = StepInfo(
        energy_kwh=energy,
        water_in_kg=water_in,
        water_out_kg=water_out,
        respiration_water_kg=resp_water,
        dml_increase_pct=d_dml,
    )
    return PlantState(temp, m_db, t_eq_new, dml_new), info


def _respiration_dml(
    params: PlantParams,
    temp: FloatArray,
    m_db: FloatArray,
    t_eq: FloatArray,
    dml: FloatArray,
    dt_h: float,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Equivalent age, DML and DML increment after ``dt_h`` hours (see the module docstring).

    Returns ``(t_eq_new, dml_new, d_dml)``; ``d_dml`` is zero where biology has
    stopped (>= 60 degC) and where DML has reached the model's fitted range.
    """
    # Plain ufuncs only (np.clip and np.divide(where=) cost more than the maths here).
    dt_eq = dt_h / _storage_multiplier(params, temp, m_db)
    e_old = np.exp(np.minimum(0.006 * t_eq, 12.0))
    e_new = np.exp(np.minimum(0.006 * (t_eq + dt_eq), 12.0))
    d_wet = (1.3 * (e_new - e_old) + 0.015 * dt_eq) * _K_DML  # > 0: the linear term
    erh = _erh(params, temp, m_db)
    d_dry = np.exp(params.resp_k * erh + (temp - 38.0) * _LN2_OVER_10) * (
        params.resp_a * dt_h / 24000.0 * _K_DML
    )  # mg/(kg d) of CO2 over dt_h -> % of dry matter
    w = np.minimum(np.maximum((erh - props.DRY_ERH_LOW) * _INV_DRY_SPAN, 0.0), 1.0)
    d_bound = np.minimum(d_wet, d_dry)
    d = d_bound * (d_wet / d_bound) ** w  # log-linear blend, both > 0
    active = np.minimum(np.maximum((_BIOLOGY_STOPS_C - temp) * (1.0 / 15.0), 0.0), 1.0)
    d = np.minimum(d * active, np.maximum(props.DML_MODEL_MAX_PCT - dml, 0.0))
    t_eq_new = t_eq + dt_eq * (d / d_wet)
    return t_eq_new, dml + d, d


def _saul_steele(t_eq_h: FloatArray) -> FloatArray:
    """Saul & Steele DML (%) of the equivalent age (fast copy of ``dml_from_equivalent_hours``)."""
    e = np.exp(np.minimum(0.006 * t_eq_h, 12.0))
    return (1.3 * (e - 1.0) + 0.015 * t_eq_h) * _K_DML


def dml_rate_pct_per_h(params: PlantParams, state: PlantState) -> FloatArray:
    """Instantaneous dry-matter loss rate of every layer, % per hour, as :func:`step` applies it.

    The same bounded rate the bin model integrates (wet model, dry-grain bound,
    biology stopping at 60 degC), evaluated for the next hour at the current
    state; used by the predictive controller for its terminal cost.
    """
    _, _, d = _respiration_dml(
        params, state.temp_c, state.m_db, state.t_eq_h, np.zeros_like(state.dml_pct), 1.0
    )
    return d


def beyond_model(state: PlantState) -> npt.NDArray[np.bool_]:
    """Layers whose DML reached the end of the deterioration model's fitted range (spoiled)."""
    return np.asarray(state.dml_pct >= props.DML_MODEL_MAX_PCT - 1e-12)


def _capped_outlet(
    temp: FloatArray,
    m_db: FloatArray,
    w_eq: FloatArray,
    w_in: float,
    h_in: float,
    m_air: FloatArray | np.float64,
    m_dm: float,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Outlet humidity per layer with each layer losing at most 95 % of its water.

    Sequential over layers (each layer's inlet is the capped outlet below it);
    returns ``(w_out, h_out, w_prev, h_prev)``.
    """
    m_a = np.broadcast_to(np.asarray(m_air, dtype=np.float64), temp.shape)
    w_out = np.empty_like(w_eq)
    w_prev = np.empty_like(w_eq)
    prev = np.broadcast_to(np.float64(w_in), temp.shape[:-1]).astype(np.float64)
    for i in range(temp.shape[-1]):
        w_prev[..., i] = prev
        cap = prev + 0.95 * m_db[..., i] * m_dm / np.maximum(m_a[..., i], 1e-300)
        w_out[..., i] = np.minimum(w_eq[..., i], cap)
        prev = w_out[..., i]
    h_out = props.moist_air_enthalpy(temp, w_out)
    h_prev = np.empty_like(h_out)
    h_prev[..., 0] = h_in
    h_prev[..., 1:] = h_out[..., :-1]
    return w_out, h_out, w_prev, h_prev


def _storage_multiplier(params: PlantParams, temp_c: FloatArray, m_db: FloatArray) -> FloatArray:
    """Storage life over the D535 reference time: how much slower than reference the grain ages.

    For paddy and barley it is ``storage_life_h / 230.7 h``
    (:func:`regdev.grain.properties.storage_life_h`); for maize (and wheat and
    soybean, which use the maize relation as a proxy) the product ``MT * MM * MD``
    of the ASAE D535 multipliers, computed by :func:`_d535_multiplier`.
    """
    if params.grain in ("rough_rice", "barley"):
        m_wb_pct = 100.0 * m_db / (1.0 + m_db)
        life = props.storage_life_h(params.grain, temp_c, m_wb_pct, params.damage_pct)
        return np.asarray(life / props.AST_REFERENCE_H, dtype=np.float64)
    return _d535_multiplier(temp_c, m_db, params.damage_pct)


def _d535_multiplier(temp_c: FloatArray, m_db: FloatArray, damage_pct: float) -> FloatArray:
    """Product ``MT * MM * MD`` of the ASAE D535 multipliers (fast path of the hot loop).

    Equal to the product of :func:`regdev.grain.properties.ast_temperature_multiplier`,
    ``ast_moisture_multiplier`` and ``ast_damage_multiplier`` (tested); when every
    layer is below 19 % w.b. only the two cheap temperature branches are evaluated.
    """
    # 5 % < M < 19 % w.b.  <=>  0.052632 < m_db < 0.234568
    if m_db.max() < 0.2345679 and m_db.min() > 0.0526316:
        t = np.minimum(np.maximum(temp_c, -30.0), 60.0)
        # exp(ln 128.389 - 0.081 (1.8 t + 32)) and exp(ln 32.3 - 0.058 (1.8 t + 32))
        mt = np.exp(np.where(t < 15.6, _MT_COLD_A - 0.1458 * t, _MT_WARM_A - 0.1044 * t))
        md = 100.0 * m_db
        mm = 0.103 * (np.exp(455.0 * md**-1.53) - 0.00845 * md + 1.558)
    else:
        m_wb_pct = 100.0 * m_db / (1.0 + m_db)
        mt = props.ast_temperature_multiplier(temp_c, m_wb_pct)
        mm = props.ast_moisture_multiplier(m_wb_pct)
    return np.asarray(mt * mm * (2.08 * math.exp(-0.0239 * damage_pct)), dtype=np.float64)


def moisture_wb_pct(state: PlantState) -> FloatArray:
    """Layer moisture, percent wet basis."""
    return 100.0 * state.m_db / (1.0 + state.m_db)


def dml_pct(state: PlantState) -> FloatArray:
    """Layer dry-matter loss, percent (held at most at ``props.DML_MODEL_MAX_PCT``)."""
    return state.dml_pct


def total_water_kg(state: PlantState, params: PlantParams) -> FloatArray:
    """Water held by the grain, kg (sum over layers)."""
    return np.asarray(np.sum(state.m_db * params.m_dm_layer, axis=-1), dtype=np.float64)
